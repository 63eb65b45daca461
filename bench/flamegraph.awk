# bench/flamegraph.awk: folded stacks ("frame;frame;... COUNT" lines, sorted)
# to a flame graph in SVG, viewable offline in any browser: the width of a
# frame is its share of the samples, hover for the numbers. Our own small
# renderer: Debian 12 packages no flame graph tool.
#	sort FILE.folded | awk -v title=T -f bench/flamegraph.awk > FILE.svg
function esc(s) { gsub(/&/, "\\&amp;", s); gsub(/</, "\\&lt;", s); gsub(/>/, "\\&gt;", s); gsub(/"/, "\\&quot;", s); return s }
function close_frame(d) {
	nr++; rd[nr] = d; rn[nr] = pf[d]; rx0[nr] = start[d]; rx1[nr] = x
	if (d > maxd) maxd = d
}
{
	cnt = $NF + 0
	stack = substr($0, 1, length($0) - length($NF) - 1)
	n = split(stack, f, ";")
	same = 0
	while (same < pn && same < n && pf[same + 1] == f[same + 1]) same++
	for (d = pn; d > same; d--) close_frame(d)
	for (d = same + 1; d <= n; d++) { start[d] = x; pf[d] = f[d] }
	pn = n; x += cnt
}
END {
	for (d = pn; d >= 1; d--) close_frame(d)
	W = 1200; FH = 16; pad = 30
	H = (maxd + 1) * FH + pad + 10
	scale = x > 0 ? (W - 20) / x : 0
	printf "<?xml version=\"1.0\" standalone=\"no\"?>\n"
	printf "<svg version=\"1.1\" width=\"%d\" height=\"%d\" xmlns=\"http://www.w3.org/2000/svg\" font-family=\"monospace\" font-size=\"11\">\n", W, H
	printf "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"#f8f8f0\"/>\n", W, H
	printf "<text x=\"10\" y=\"18\" font-size=\"14\">%s (%d samples)</text>\n", esc(title), x
	for (i = 1; i <= nr; i++) {
		w = (rx1[i] - rx0[i]) * scale
		if (w < 0.3) continue
		name = rn[i]
		# colours: kernel orange, BPF green, io_uring yellow, user blue
		if (name ~ /^bpf_prog_|^bpf_trampoline/) col = "rgb(80,190,80)"
		else if (name ~ /^_?_?io_/ && name ~ /_\[k\]$/) col = "rgb(230,200,60)"
		else if (name ~ /_\[k\]$/) col = sprintf("rgb(%d,%d,60)", 220 + (i * 7) % 30, 110 + (i * 13) % 60)
		else col = sprintf("rgb(90,%d,%d)", 140 + (i * 7) % 40, 210 + (i * 5) % 40)
		px = 10 + rx0[i] * scale; py = H - (rd[i] + 1) * FH - 5
		printf "<g><title>%s: %d samples (%.2f%%)</title>", esc(name), rx1[i] - rx0[i], 100 * (rx1[i] - rx0[i]) / x
		printf "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\" rx=\"2\"/>", px, py, w, FH - 1, col
		chars = int(w / 7)
		if (chars >= 3) {
			label = name
			if (length(label) > chars) label = substr(label, 1, chars - 2) ".."
			printf "<text x=\"%.1f\" y=\"%d\">%s</text>", px + 3, py + FH - 4, esc(label)
		}
		printf "</g>\n"
	}
	printf "</svg>\n"
}
