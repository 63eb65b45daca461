#!/bin/sh
# run-echo-demo.sh: `make run` in the VM. The in-kernel echo server
# (iouops load echo) and the same design in userspace (echo-uring), each
# driven by the verifying client with the same load, side by side; then
# SIGINT stops the in-kernel server, which prints its totals.
#
#	scripts/vm --copy samples/run-echo-demo.sh -- sh samples/run-echo-demo.sh
#
# CONNS, BYTES, MSG, WINDOW override the load (default 64 x 4 MiB in 4 KiB
# messages, 8 in flight); RR=1 makes it request/response (window 1). Timings under TCG are emulated: compare the two
# rows as a ratio only.
set -u
B=${BUILD:-build}
CONNS=${CONNS:-64} BYTES=${BYTES:-4m} MSG=${MSG:-4k} WINDOW=${WINDOW:-8}
out=$(mktemp -d)
trap 'kill $srv 2>/dev/null; rm -rf "$out"' EXIT

# start LOG SERVER ARGS...: run it, wait for "listening on", set $srv, $port
start() {
	log=$out/$1
	shift
	: >"$log"	# exists before the first grep, whenever the server starts
	"$@" >"$log" 2>&1 &
	srv=$!
	i=0
	while ! grep -q '^listening on' "$log"; do
		i=$((i + 1))
		if [ $i -gt 300 ] || ! kill -0 $srv 2>/dev/null; then
			echo "run-echo-demo: '$*' did not start:" >&2
			cat "$log" >&2
			exit 1
		fi
		sleep 0.1
	done
	port=$(sed -n 's/^listening on .*:\([0-9]*\)$/\1/p' "$log")
}

# client NAME: the load against 127.0.0.1:$port, one summary row
client() {
	if ! "$B/samples/echo-client" -a "127.0.0.1:$port" -c "$CONNS" -n "$BYTES" \
		-s "$MSG" -w "$WINDOW" ${RR:+--rr} >"$out/client" 2>&1; then
		echo "run-echo-demo: client against $1 FAILED:" >&2
		cat "$out/client" >&2
		exit 1
	fi
	awk -v name="$1" '
		/^verified=/ { for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] } }
		/^rtt_us/ { for (i = 2; i <= NF; i++) { split($i, kv, "="); r[kv[1]] = kv[2] } }
		END { printf "%-22s %12s %8s %10s %9s %9s %9s\n", name, v["verified"],
			v["seconds"], v["mib_per_s"], r["p50"], r["p99"], r["p999"] }' "$out/client"
}

echo "== load: $CONNS connections x $BYTES bytes, $MSG messages, window $WINDOW${RR:+, request/response}"
printf '%-22s %12s %8s %10s %9s %9s %9s\n' server "verified B" seconds "MiB/s" \
	"p50 us" "p99 us" "p999 us"

start kernel "$B/iouops" load echo --listen 127.0.0.1:0
kpid=$srv
client "iouops load echo"

start uring "$B/samples/echo-uring" --listen 127.0.0.1:0
client "echo-uring (liburing)"
kill -INT $srv; wait $srv

start epoll "$B/samples/echo-epoll" --listen 127.0.0.1:0
client "echo-epoll"
kill -INT $srv; wait $srv

echo "== in-kernel server, live (iouops stat $kpid):"
"$B/iouops" stat $kpid
echo "== SIGINT to iouops load echo:"
srv=$kpid
kill -INT $kpid
wait $kpid
rc=$?
grep -v '^listening' "$out/kernel" || true
echo "iouops exit status: $rc"
exit $rc
