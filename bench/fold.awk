# bench/fold.awk: `perf script -F comm,ip,sym` (with call graphs) to folded
# stacks, one line per sample: COMM;ROOT;...;LEAF. Kernel frames get the
# "_[k]" suffix of the folded-stack convention; runs of unknown user
# frames collapse into one "[unknown]".
function flush(   s, i) {
	if (comm == "") return
	s = comm
	for (i = nf; i >= 1; i--) s = s ";" fr[i]
	print s
	comm = ""; nf = 0
}
/^[^ \t]/ { flush(); comm = $1; nf = 0; next }
/^[ \t]+[0-9a-f]+ / {
	sym = $2
	for (i = 3; i <= NF && $i !~ /^\(/; i++) sym = sym "_" $i
	sub(/\+0x[0-9a-f]+$/, "", sym)
	gsub(/[;,]/, "_", sym)
	if ($1 ~ /^ffff/) sym = sym "_[k]"
	else if (sym == "[unknown]" && nf > 0 && fr[nf] == "[unknown]") next
	fr[++nf] = sym
	next
}
/^[ \t]*$/ { flush() }
END { flush() }
