# bench/report.awk: the terminal table of make bench, from
# build/bench/header.csv and build/bench/summary.csv (scripts/bench runs it:
# awk -F, -f bench/report.awk header.csv summary.csv).
#
# summary.csv: workload,case,contender,metric,n,min,median,max,...
# With --profile a third file, profile/buckets.csv (bench/buckets.awk):
# workload,case,contender,bucket,samples,share.

function num(v) {
	if (v == "") return "-"
	v += 0
	if (v >= 10000 || v <= -10000) return sprintf("%.0f", v)
	if (v >= 100 || v <= -100) return sprintf("%.1f", v)
	if (v >= 10 || v <= -10) return sprintf("%.2f", v)
	if (v >= 1 || v <= -1) return sprintf("%.3f", v)
	if (v == 0) return "0"
	return sprintf("%.3g", v)
}
function has(w, c, k, m) { return (w SUBSEP c SUBSEP k SUBSEP m) in MED }
function med(w, c, k, m) { return MED[w, c, k, m] }
# "median [min..max]"
function cell(w, c, k, m,   key) {
	key = w SUBSEP c SUBSEP k SUBSEP m
	if (!(key in MED)) return "-"
	if (N[key] == 1) return num(MED[key])
	return num(MED[key]) " [" num(MIN[key]) ".." num(MAX[key]) "]"
}
function ratio(w, c, k, b, m) {
	if (!has(w, c, k, m) || !has(w, c, b, m) || med(w, c, b, m) == 0) return "-"
	return sprintf("%.2f", med(w, c, k, m) / med(w, c, b, m))
}
function any_in(w) { return (w in WL) }

# ---- counted costs per operation (bench/costs), one block per workload
function costs_rows(w, title, opname,   key, kk, i, j, n, rows, seen, r, ic) {
	n = 0
	for (key in MED) {
		split(key, kk, SUBSEP)
		if (kk[1] != w || (kk[4] != "syscalls_op" && kk[4] != "csw_op")) continue
		r = kk[2] SUBSEP kk[3]
		if (!(r in seen)) { seen[r] = 1; rows[++n] = r }
	}
	if (!n) return
	# a stable order: by case, then contender
	for (i = 2; i <= n; i++) { r = rows[i]; for (j = i - 1; j >= 1 && rows[j] > r; j--) rows[j + 1] = rows[j]; rows[j + 1] = r }
	ic = H["accel"] ~ /icount/
	printf "\n%s COSTS per %s, counted (the same on any machine; medians):\n", title, opname
	printf "  %-10s %-9s %12s %10s %12s %12s %14s\n", "case", "who", "syscalls", "ctx sw.", "user us", "system us", ic ? "instructions" : "CPU ns"
	for (i = 1; i <= n; i++) {
		split(rows[i], kk, SUBSEP)
		printf "  %-10s %-9s %12s %10s %12s %12s %14s\n", kk[1], kk[2],
			num(med(w, kk[1], kk[2], "syscalls_op")), num(med(w, kk[1], kk[2], "csw_op")),
			num(med(w, kk[1], kk[2], "user_us_op")), num(med(w, kk[1], kk[2], "sys_us_op")),
			num(med(w, kk[1], kk[2], "cpu_ns_op"))
	}
}

# ---- issue 14's targets, each met or missed
function target(label, v, op, goal,   met) {
	if (v == "" || v == "-") { printf "  %-46s %8s  %s %.2f  (not measured)\n", label, "-", op, goal; return }
	met = (op == "<=" && v <= goal) || (op == ">=" && v >= goal)
	if (!met) missed++
	printf "  %-46s %8.2f  %s %.2f  %s\n", label, v, op, goal, met ? "met" : "MISSED"
}
function rat(w, c, a, b, m) { return (has(w, c, a, m) && has(w, c, b, m) && med(w, c, b, m) > 0) ? med(w, c, a, m) / med(w, c, b, m) : "" }
function targets(   q, g, i, tf) {
	printf "\nTARGETS (issue 14; ratios of medians of this run):\n"
	split("1 8 64 256", q, " "); split("0.45 0.65 0.85 0.85", g, " ")
	if (any_in("nop")) {
		for (i = 1; i in q; i++)
			target("NOP QD" q[i] " BPF/uring", rat("nop", "qd" q[i], "bpf", "uring", "ns_op"), "<=", g[i])
		tf = true_floor()
		target("NOP QD64 BPF/true floor (needs --profile)", (tf > 0 && has("nop", "qd64", "bpf", "ns_op")) ? med("nop", "qd64", "bpf", "ns_op") / tf : "", "<=", 1.10)
	}
	if (!any_in("echo"))
		return
	target("echo 1 conn RR trips/s BPF/uring", rat("echo", "rr1", "bpf", "uring", "rt_s"), ">=", 1.3)
	target("echo 1 conn RR trips/s BPF/epoll", rat("echo", "rr1", "bpf", "epoll", "rt_s"), ">=", 1.2)
	target("echo 256 conn RR trips/s BPF/epoll", rat("echo", "rr256", "bpf", "epoll", "rt_s"), ">=", 1.5)
	target("echo 64x4K stream MiB/s BPF/epoll", rat("echo", "stream64", "bpf", "epoll", "mib_s"), ">=", 1.1)
	target("echo 1 conn RR server CPU/msg BPF/epoll", rat("echo", "rr1", "bpf", "epoll", "cpu_ns_op"), "<=", 0.7)
}
# after the table: where the cost of a missed target sits, as measured
function targets_note() {
	if (missed)
		printf "  %d missed: where each one's cost sits (profiles under --icount, the\n  kernel-side loop experiment): bench/perf-notes.md\n", missed
}

# The true floor: the kernel's own work per NOP (issue + completion, no
# syscall, no loop): the floor contender's ns per NOP times the share of its
# profile in io_uring submission and completion. 0 without a profile.
function true_floor() {
	if (!(("nop" SUBSEP "floor" SUBSEP "floor" SUBSEP "submit") in BK) || !has("nop", "floor", "floor", "ns_op")) return 0
	return med("nop", "floor", "floor", "ns_op") * (BK["nop", "floor", "floor", "submit"] + BK["nop", "floor", "floor", "complete"]) / 100
}

# ---- --profile: the share of samples per bucket
function profile_table(   i, kk, j, nb, b, w, tf) {
	if (!nbk) return
	nb = split("syscall submit complete loop trampoline bpf_prog kfunc wait net copy user other", b, " ")
	printf "\nPROFILE: percent of cpu-clock samples on the contender's vCPU per bucket\n"
	printf "(idle and setup left out of the 100%%; bench/buckets.awk names them).\n"
	printf "  %-17s %6s", "case/contender", "smpl"
	for (j = 1; j <= nb; j++) printf " %6.6s", b[j]
	printf " %6s\n", "setup"
	for (i = 1; i <= nbk; i++) {
		split(BKROW[i], kk, SUBSEP)
		printf "  %-17s %6d", kk[1] " " kk[2] "/" kk[3], BKN[kk[1], kk[2], kk[3]]
		for (j = 1; j <= nb; j++) printf " %6.1f", BK[kk[1], kk[2], kk[3], b[j]]
		printf " %6.1f\n", BK[kk[1], kk[2], kk[3], "setup"]
	}
	tf = true_floor()
	if (tf > 0) {
		printf "  true floor: the kernel's own io_uring work per NOP (submit + complete\n"
		printf "  buckets of the floor contender x its ns/NOP): %s ns\n", num(tf)
		for (i = 1; i <= nbk; i++) {
			split(BKROW[i], kk, SUBSEP)
			if (kk[1] != "nop" || !has("nop", kk[2], kk[3], "ns_op")) continue
			printf "    %-12s io_uring's own work %s ns of %s ns per NOP; %s x the true floor\n", kk[2] "/" kk[3],
				num(med("nop", kk[2], kk[3], "ns_op") * (BK["nop", kk[2], kk[3], "submit"] + BK["nop", kk[2], kk[3], "complete"]) / 100),
				num(med("nop", kk[2], kk[3], "ns_op")), sprintf("%.2f", med("nop", kk[2], kk[3], "ns_op") / tf)
		}
	}
}

FILENAME ~ /header\.csv$/ { H[$1] = substr($0, length($1) + 2); next }
FILENAME ~ /buckets\.csv$/ {
	if (FNR > 1) {
		BK[$1, $2, $3, $4] = $6; BKN[$1, $2, $3] += $5
		r = $1 SUBSEP $2 SUBSEP $3
		if (!(r in BKSEEN)) { BKSEEN[r] = 1; BKROW[++nbk] = r }
	}
	next
}
FNR == 1 { next }	# the summary's column names
{
	MED[$1, $2, $3, $4] = $7; MIN[$1, $2, $3, $4] = $6
	MAX[$1, $2, $3, $4] = $8; N[$1, $2, $3, $4] = $5
	WL[$1] = 1
}
END {
	printf "iouops bench: kernel %s, %s, %s vCPUs, %s MiB\n", H["kernel"], H["accel"], H["vcpus"], H["mem_mib"]
	printf "  %s; %s reps, interleaved; contenders pinned: %s\n", H["cpu"], H["reps"], H["pinned"]
	printf "  commit %s, %s\n", H["commit"], H["date"]
	if (H["quick"] == 1)
		printf "  QUICK: a smoke test (tiny sizes, 2 reps), not a measurement: its ratios do\n  NOT land within 10%% of a full run's (host load moves them more than that;\n  see README). The regression check is the --icount baseline that follows.\n"
	if (H["accel"] ~ /icount/)
		printf "  ICOUNT: the guest clock counts guest instructions (1 ns each): times are\n  instruction counts, deterministic, blind to host load and to memory costs.\n"
	else if (H["accel"] ~ /TCG/)
		printf "  TCG: the guest is emulated. Absolute numbers are NOT the speed of anything;\n  only the ratios between contenders of this run mean something.\n"
	printf "  Cells: median [min..max] over the reps. Ratios: median / median.\n"

	if (any_in("nop")) {
		w = "nop"; fl = has(w, "floor", "floor", "ns_op") ? med(w, "floor", "floor", "ns_op") : ""
		printf "\nNOP: ns per NOP, lower is better. BPF: iouops load nops; uring: nops-uring\n"
		printf "(liburing, DEFER_TASKRUN, io_uring_submit_and_wait per batch).\n"
		if (fl != "")
			printf "Floor (4096 NOPs per io_uring_enter, no loop, no checks): %s ns\n", cell(w, "floor", "floor", "ns_op")
		printf "  %-6s %-24s %-24s %9s %9s %9s\n", "QD", "BPF loop", "liburing loop", "BPF/uring", "BPF/floor", "uring/fl."
		for (q = 1; q <= 4096; q *= 2) {
			c = "qd" q
			if (!has(w, c, "bpf", "ns_op") && !has(w, c, "uring", "ns_op")) continue
			fb = fu = "-"
			if (fl != "" && fl > 0) {
				if (has(w, c, "bpf", "ns_op")) fb = sprintf("%.2f", med(w, c, "bpf", "ns_op") / fl)
				if (has(w, c, "uring", "ns_op")) fu = sprintf("%.2f", med(w, c, "uring", "ns_op") / fl)
			}
			printf "  %-6s %-24s %-24s %9s %9s %9s\n", q, cell(w, c, "bpf", "ns_op"), cell(w, c, "uring", "ns_op"), ratio(w, c, "bpf", "uring", "ns_op"), fb, fu
		}
		# other builds of nops.bpf.o (scripts/bench --nops-extra NAME=OBJ)
		for (key in MED) {
			split(key, kk, SUBSEP)
			if (kk[1] == w && kk[4] == "ns_op" && kk[3] != "bpf" && kk[3] != "uring" && kk[3] != "floor" && !(kk[3] in xseen)) {
				xseen[kk[3]] = 1; xs[++nx] = kk[3]
			}
		}
		for (xi = 1; xi <= nx; xi++) {
			x = xs[xi]
			printf "  other build '%s' (--nops-extra):\n", x
			printf "  %-6s %-24s %9s %9s\n", "QD", x, x "/uring", x "/bpf"
			for (q = 1; q <= 4096; q *= 2) {
				c = "qd" q
				if (!has(w, c, x, "ns_op")) continue
				printf "  %-6s %-24s %9s %9s\n", q, cell(w, c, x, "ns_op"), ratio(w, c, x, "uring", "ns_op"), ratio(w, c, x, "bpf", "ns_op")
			}
		}
		printf "  per loop step (uring: per io_uring_enter), medians:\n"
		printf "  %-6s %-24s %-24s\n", "QD", "BPF CQEs / sleeps", "uring CQEs / sleeps"
		for (q = 1; q <= 4096; q *= 2) {
			c = "qd" q
			if (!has(w, c, "bpf", "ops_per_step")) continue
			printf "  %-6s %-24s %-24s\n", q,
				num(med(w, c, "bpf", "ops_per_step")) " / " num(med(w, c, "bpf", "sleeps_per_step")),
				num(med(w, c, "uring", "ops_per_step")) " / " num(med(w, c, "uring", "sleeps_per_step"))
		}
	}

	if (any_in("echo")) {
		w = "echo"
		printf "\nECHO: TCP echo over 127.0.0.1, every echoed byte verified by echo-client.\n"
		printf "BPF: iouops load echo (in-kernel loop); uring: echo-uring; epoll: echo-epoll.\n"
		printf "  %-22s %-22s %-22s %-22s %9s %9s\n", "case", "BPF loop", "liburing", "epoll", "BPF/uring", "epoll/ur."
		split("rr1 rt_s|rr1 p50_us|rr1 p99_us|stream64 mib_s|rr256 rt_s|rr256 p50_us|rr256 p99_us", rows, "|")
		lab["rr1 rt_s"] = "1 conn RR: trips/s ^"
		lab["rr1 p50_us"] = "1 conn RR: p50 us v"
		lab["rr1 p99_us"] = "1 conn RR: p99 us v"
		lab["stream64 mib_s"] = "64x4K stream: MiB/s ^"
		lab["rr256 rt_s"] = "256 conn RR: trips/s ^"
		lab["rr256 p50_us"] = "256 conn RR: p50 us v"
		lab["rr256 p99_us"] = "256 conn RR: p99 us v"
		for (i = 1; i in rows; i++) {
			split(rows[i], cm, " "); c = cm[1]; m = cm[2]
			if (!has(w, c, "bpf", m) && !has(w, c, "uring", m) && !has(w, c, "epoll", m)) continue
			printf "  %-22s %-22s %-22s %-22s %9s %9s\n", lab[rows[i]], cell(w, c, "bpf", m), cell(w, c, "uring", m), cell(w, c, "epoll", m), ratio(w, c, "bpf", "uring", m), ratio(w, c, "epoll", "uring", m)
		}
		printf "  (^ higher is better, v lower is better)\n"
		printf "  server sleeps (voluntary context switches) per message, medians:\n"
		split("rr1 stream64 rr256", cs, " ")
		for (i = 1; i in cs; i++) {
			c = cs[i]
			if (!has(w, c, "bpf", "srv_sleeps_per_msg")) continue
			printf "  %-22s BPF %-10s uring %-10s epoll %s\n", c, num(med(w, c, "bpf", "srv_sleeps_per_msg")), num(med(w, c, "uring", "srv_sleeps_per_msg")), num(med(w, c, "epoll", "srv_sleeps_per_msg"))
		}
	}

	if (any_in("http")) {
		w = "http"
		printf "\nHTTP: GET of one file over 127.0.0.1 by wrk (no errors, no non-2xx allowed).\n"
		printf "BPF: iouops load http; uring: http-uring (same design, liburing); nginx:\n"
		printf "one worker, access log off, sendfile off (nginx) and on (nginx+sf).\n"
		printf "  %-20s %-18s %-18s %-18s %-18s %9s %9s\n", "case", "BPF loop", "liburing", "nginx", "nginx+sf", "BPF/uring", "BPF/nginx"
		split("f100_c1 f100_c64 f16k_c1 f16k_c64", cs, " ")
		split("req_s p50_us p99_us cpu_us_req", ms, " ")
		mlab["req_s"] = "req/s ^"; mlab["p50_us"] = "p50 us v"; mlab["p99_us"] = "p99 us v"; mlab["cpu_us_req"] = "CPU us/req v"
		clab["f100_c1"] = "100B 1c"; clab["f100_c64"] = "100B 64c"; clab["f16k_c1"] = "16K 1c"; clab["f16k_c64"] = "16K 64c"
		for (i = 1; i in cs; i++) for (j = 1; j in ms; j++) {
			c = cs[i]; m = ms[j]
			if (!has(w, c, "bpf", m) && !has(w, c, "uring", m) && !has(w, c, "nginx", m)) continue
			printf "  %-20s %-18s %-18s %-18s %-18s %9s %9s\n", clab[c] " " mlab[m], cell(w, c, "bpf", m), cell(w, c, "uring", m), cell(w, c, "nginx", m), cell(w, c, "nginx_sf", m), ratio(w, c, "bpf", "uring", m), ratio(w, c, "bpf", "nginx", m)
		}
		printf "  (^ higher is better, v lower is better; CPU: the server's utime+stime\n  over the run, in clock ticks, per request)\n"
	}

	if (any_in("copy")) {
		w = "copy"
		printf "\nCOPY: one file in the guest's RAM, MiB/s, higher is better; every copy\n"
		printf "compared with cmp. BPF: iouops load cp; uring: cp-uring (same QD, 128 KiB\n"
		printf "blocks); cp(1): %s, whole process.\n", H["cp"]
		printf "  %-10s %-24s %-24s %-24s %9s %9s\n", "case", "BPF loop", "liburing", "cp(1)", "BPF/uring", "cp/uring"
		for (q = 1; q <= 256; q *= 2) {
			c = "qd" q
			if (!has(w, c, "bpf", "mib_s") && !has(w, c, "uring", "mib_s")) continue
			cpr = (has(w, "cp", "cp", "mib_s") && has(w, c, "uring", "mib_s") && med(w, c, "uring", "mib_s") > 0) ? sprintf("%.2f", med(w, "cp", "cp", "mib_s") / med(w, c, "uring", "mib_s")) : "-"
			printf "  %-10s %-24s %-24s %-24s %9s %9s\n", "QD " q, cell(w, c, "bpf", "mib_s"), cell(w, c, "uring", "mib_s"), cell(w, "cp", "cp", "mib_s"), ratio(w, c, "bpf", "uring", "mib_s"), cpr
		}
	}

	if (any_in("mbox")) {
		w = "mbox"
		printf "\nMBOX: NOP commands to iouops mbox through the shared-memory rings\n"
		printf "(mbox-demo, every result checked). steady: 32 commands always posted;\n"
		printf "trickle: one command, its result, then a pause, so every command must\n"
		printf "wake the program. Futex calls: the client's FUTEX_WAKE (doorbell) and\n"
		printf "FUTEX_WAIT (waiting for a result) syscalls; the program's own wait and\n"
		printf "wake are io_uring requests, no syscall (its sleeps are counted).\n"
		printf "  %-9s %-22s %-22s %-10s %-10s %-18s\n", "case", "commands/s ^", "futex calls/1000 v", "wakes", "waits", "prog sleeps/1000"
		split("steady trickle", cs, " ")
		for (i = 1; i in cs; i++) {
			c = cs[i]
			if (!has(w, c, "bpf", "cmds_s")) continue
			printf "  %-9s %-22s %-22s %-10s %-10s %-18s\n", c, cell(w, c, "bpf", "cmds_s"), cell(w, c, "bpf", "futex_per_kcmd"), num(med(w, c, "bpf", "doorbell_wakes_per_kcmd")), num(med(w, c, "bpf", "client_waits_per_kcmd")), num(med(w, c, "bpf", "sleeps_per_kcmd"))
		}
	}

	if (any_in("zcrx")) {
		w = "zcrx"
		printf "\nZCRX: one TCP stream into progs/zcrx_sink, every byte checked by the\n"
		printf "program. zcrx: --zcrx (device-less RECV_ZC; the refill queue is flushed\n"
		printf "by the loader when the program stops the enter for it); recv: the same\n"
		printf "program, multishot recv into a buffer ring. Under TCG compare ratios only.\n"
		printf "  %-22s %-22s %-22s %9s\n", "metric", "zcrx", "recv", "zcrx/recv"
		split("mib_s steps_per_mib", ms, " ")
		mlab["mib_s"] = "MiB/s ^"; mlab["steps_per_mib"] = "steps per MiB v"
		for (i = 1; i in ms; i++) {
			m = ms[i]
			if (!has(w, "stream", "zcrx", m) && !has(w, "stream", "recv", m)) continue
			printf "  %-22s %-22s %-22s %9s\n", mlab[m], cell(w, "stream", "zcrx", m), cell(w, "stream", "recv", m), ratio(w, "stream", "zcrx", "recv", m)
		}
		if (has(w, "stream", "zcrx", "flushes_per_mib"))
			printf "  zcrx flushes per MiB %s, %s%% of the sink's time in them\n", num(med(w, "stream", "zcrx", "flushes_per_mib")), num(med(w, "stream", "zcrx", "flush_time_pct"))
	}

	if (any_in("load")) {
		w = "load"
		printf "\nLOAD: iouops load PROG --timing, ms from main() to the program's first\n"
		printf "loop step, by phase (median [min..max]).\n"
		np = 0
		for (key in MED) {
			split(key, kk, SUBSEP)
			if (kk[1] == w && !((kk[2]) in seenp)) { seenp[kk[2]] = 1; progs[++np] = kk[2] }
		}
		# a fixed order for the programs we know, others after
		no = 0
		split("nops echo cp mbox", known, " ")
		for (i = 1; i in known; i++) if (known[i] in seenp) ord[++no] = known[i]
		for (i = 1; i <= np; i++) { f = 0; for (j = 1; j <= no; j++) if (ord[j] == progs[i]) f = 1; if (!f) ord[++no] = progs[i] }
		printf "  %-11s", "phase"
		for (j = 1; j <= no; j++) printf " %-22s", ord[j]
		printf "\n"
		split("cli open probe ring region verify attach first_step load", ph, " ")
		plab["cli"] = "start"; plab["open"] = "open"; plab["probe"] = "probe"; plab["ring"] = "ring"
		plab["region"] = "region"; plab["verify"] = "verify+JIT"; plab["attach"] = "attach"
		plab["first_step"] = "first step"; plab["load"] = "= total"
		for (i = 1; i in ph; i++) {
			printf "  %-11s", plab[ph[i]]
			for (j = 1; j <= no; j++) printf " %-22s", cell(w, ord[j], "bpf", ph[i] "_ms")
			printf "\n"
		}
	}

	costs_rows("nop", "NOP", "NOP (syscalls net of the setup's; CPU time: see the ns per NOP)")
	costs_rows("echo", "ECHO", "echoed message (the server, while the client runs)")
	profile_table()
	if (any_in("nop") || any_in("echo")) {
		targets()
		targets_note()
	}
}
