# bench/compare.awk: two kernels' runs side by side (scripts/bench --kernels
# A,B). Input: summary.csv of A, of B, header.csv of A, of B; -v ka, kb (the
# names), csv (where the CSV goes). Prints the table; writes csv:
#	workload,case,contender,metric,median_a,median_b,b_over_a,ratio_a,ratio_b
# ratio_*: the summary's ratio to the userspace liburing contender.
FNR == 1 { file++ }
file <= 2 && FNR > 1 {
	key = $1 "," $2 "," $3 "," $4
	if (!(key in seen)) { seen[key] = 1; keys[++nk] = key }
	MED[file, key] = $7; RAT[file, key] = $10; has[file, key] = 1
	next
}
file >= 3 { H[file - 2, $1] = substr($0, length($1) + 2) }
function f(v) { return v == "" ? "-" : sprintf("%.4g", v) }
END {
	printf "iouops bench: two kernels, one report (medians of each run)\n"
	printf "  A = %s: %s, %s\n", ka, H[1, "kernel"], H[1, "accel"]
	printf "  B = %s: %s, %s\n", kb, H[2, "kernel"], H[2, "accel"]
	printf "  Each kernel ran in its own VM: compare the ratios (BPF/uring under A\n"
	printf "  and under B); B/A of absolute values only means something with --icount.\n"
	print "workload,case,contender,metric,median_a,median_b,b_over_a,ratio_a,ratio_b" > csv
	printf "  %-8s %-9s %-9s %-18s %12s %12s %7s %9s %9s\n", "workload", "case", "who", "metric", "A", "B", "B/A", "A:/uring", "B:/uring"
	for (i = 1; i <= nk; i++) {
		key = keys[i]; split(key, k, ",")
		a = has[1, key] ? MED[1, key] : ""; b = has[2, key] ? MED[2, key] : ""
		r = (a != "" && b != "" && a + 0 != 0) ? b / a : ""
		printf "%s,%s,%s,%s,%s\n", key, a, b, r == "" ? "" : sprintf("%.4f", r), RAT[1, key] "," RAT[2, key] > csv
		printf "  %-8s %-9s %-9s %-18s %12s %12s %7s %9s %9s\n", k[1], k[2], k[3], k[4], f(a), f(b), r == "" ? "-" : sprintf("%.2f", r), RAT[1, key] == "" ? "-" : RAT[1, key], RAT[2, key] == "" ? "-" : RAT[2, key]
	}
}
