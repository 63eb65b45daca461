#!/bin/sh
# shellcheck shell=dash # busybox ash in the guest, which has local and pipefail as dash has
# run-echo-demo.sh: `make run` in the VM. The in-kernel echo server
# (iouops load echo) and the same design in userspace (echo-uring), each
# driven by the verifying client with the same load, side by side; then
# SIGINT stops the in-kernel server, which prints its totals.
#
#	scripts/vm --copy samples/run-echo-demo.sh -- sh samples/run-echo-demo.sh
#
# CONNS, BYTES, MSG, WINDOW override the load (default 64 x 4 MiB in 4 KiB
# messages, 8 in flight); RR=1 makes it request/response (window 1).
# Timings under TCG are emulated: compare the rows as ratios only.
set -euo pipefail
B=${BUILD:-build}
CONNS=${CONNS:-64} BYTES=${BYTES:-4m} MSG=${MSG:-4k} WINDOW=${WINDOW:-8}
# server_start and friends: no server outlives the demo
# shellcheck source=../scripts/guest-server.sh
. "$(dirname "$0")/../scripts/guest-server.sh"
out=$(mktemp -d)
trap 'servers_kill_all; rm -rf "$out"' EXIT

# start NAME SERVER ARGS...: run it until it listens (SRV, PORT), its
# output in $out/NAME, or say why not and end the demo
start() {
	local log=$out/$1
	shift
	server_start "$log" ready_listening "$@" && return 0
	echo "run-echo-demo: '$*' did not start:" >&2
	cat "$log" >&2
	exit 1
}

# client NAME: the load against 127.0.0.1:$PORT, one summary row
client() {
	if ! "$B/samples/echo-client" -a "127.0.0.1:$PORT" -c "$CONNS" -n "$BYTES" \
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
kpid=$SRV
client "iouops load echo"

start uring "$B/samples/echo-uring" --listen 127.0.0.1:0
client "echo-uring (liburing)"
server_stop "$SRV" INT

start epoll "$B/samples/echo-epoll" --listen 127.0.0.1:0
client "echo-epoll"
server_stop "$SRV" INT

echo "== in-kernel server, live (iouops stat $kpid):"
"$B/iouops" stat "$kpid" || true
echo "== SIGINT to iouops load echo:"
server_stop "$kpid" INT
rc=$SRV_STATUS
grep -v '^listening' "$out/kernel" || true
echo "iouops exit status: $rc"
exit "$rc"
