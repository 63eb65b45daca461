# shellcheck shell=dash # sourced by bench/guest.sh (busybox ash, as dash)
# bench/workloads/echo.sh: the echo workload, TCP echo servers.
# The in-kernel echo server (iouops load echo) vs echo-uring vs echo-epoll,
# each fresh per run, driven by the verifying client: every echoed byte is
# compared (echo-client exits 1 on any mismatch, short or extra echo).
# Server on vCPU 1, client on vCPU 0. Cases:
#	rr1	 1 connection, 64-byte request/response: latency, round trips/s
#	stream64 64 connections streaming 4 KiB messages, 8 in flight: MiB/s
#	rr256	 256 connections, 64-byte request/response
if [ "$QUICK" = 1 ]; then
	ECHO_RR1=64x300 ECHO_STREAM=64k ECHO_RR256=64x4
else
	ECHO_RR1=64x5000 ECHO_STREAM=1m ECHO_RR256=64x40
fi

# echo_server CONTENDER: start it (bench_server: SRV, PORT)
echo_server() {
	case $1 in
	bpf) set -- "$B/iouops" load echo ;;
	uring) set -- "$B/samples/echo-uring" ;;
	epoll) set -- "$B/samples/echo-epoll" ;;
	esac
	bench_server "$TMP/srv" ready_listening "$@" --listen 127.0.0.1:0
}

# echo_client CASE RUNNER...: RUNNER (run_on 0, or costed 0 -p PID) runs
# the verifying client with CASE's load against PORT; output in OUT
echo_client() {
	local ncase=$1 n
	shift
	set -- "$@" "$B/samples/echo-client" -a "127.0.0.1:$PORT"
	case $ncase in
	rr1) n=${ECHO_RR1#*x}; set -- "$@" -c 1 -s 64 -n $((n * 64)) --rr ;;
	stream64) set -- "$@" -c 64 -s 4k -w 8 -n "$ECHO_STREAM" ;;
	rr256) n=${ECHO_RR256#*x}; set -- "$@" -c 256 -s 64 -n $((n * 64)) --rr ;;
	esac
	"$@" >"$OUT" 2>&1
}

# voluntary context switches of process $1 so far: its sleeps
csw() { sed -n 's/^voluntary_ctxt_switches:[[:space:]]*//p' "/proc/$1/status" 2>/dev/null || true; }

echo_run() { # rep case contender
	local rep=$1 ncase=$2 c=$3 st=0 s0 s1 res secs msgs failed rt
	echo_server "$c" || { fail echo "$ncase" "$c" "$rep" "server did not start"; return 0; }
	s0=$(csw "$SRV")
	echo_client "$ncase" costed 0 -p "$SRV" || st=$?
	s1=$(csw "$SRV")
	server_stop "$SRV" INT
	[ "$st" = 0 ] || { fail echo "$ncase" "$c" "$rep" "echo-client exited $st"; return 0; }
	[ "$SRV_STATUS" = 0 ] || { cp "$SRV_LOG" "$OUT"; fail echo "$ncase" "$c" "$rep" "server exited $SRV_STATUS"; return 0; }
	res="$(grep '^verified=' "$OUT" || true) $(grep '^rtt_us' "$OUT" || true)"
	secs=$(word seconds "$res") msgs=$(word msgs "$res") failed=$(word failed "$res")
	if [ "$failed" != 0 ] || [ -z "$secs" ]; then fail echo "$ncase" "$c" "$rep" "client reported failures"; return 0; fi
	case $ncase in
	stream64)
		emit echo "$ncase" "$c" "$rep" mib_s "$(word mib_per_s "$res")"
		NOTE="$NOTE $c $(word mib_per_s "$res")" ;;
	*)
		rt=$(calc 'a/b' "$msgs" "$secs")
		emit echo "$ncase" "$c" "$rep" rt_s "$rt"
		emit echo "$ncase" "$c" "$rep" p50_us "$(word p50 "$res")"
		emit echo "$ncase" "$c" "$rep" p99_us "$(word p99 "$res")"
		NOTE="$NOTE $c $(calc 'a' "$rt")" ;;
	esac
	if [ -n "$s0" ] && [ -n "$s1" ]; then
		emit echo "$ncase" "$c" "$rep" srv_sleeps_per_msg "$(calc '(b-a)/c' "$s0" "$s1" "$msgs")"
	fi
	emit_costs echo "$ncase" "$c" "$rep" "$msgs"
}

wl_echo() { # rep
	local f ncase unit
	for f in "$B/progs/echo.bpf.o" "$B/samples/echo-uring" "$B/samples/echo-epoll" "$B/samples/echo-client"; do
		have "$f" || { if [ "$1" = 1 ]; then skip echo "$f is not built"; fi; return 0; }
	done
	for ncase in rr1 stream64 rr256; do
		unit="round trips/s"
		if [ "$ncase" = stream64 ]; then unit=MiB/s; fi
		run_case echo "$ncase" "$1" "$unit" echo_run "bpf uring epoll"
	done
}


# -P: the latency and the streaming case, each contender once
PROF_ECHO_CASES="rr1 stream64"

prof_echo() {
	local ncase c
	for ncase in $PROF_ECHO_CASES; do
		for c in bpf uring epoll; do
			echo_server "$c" || { echo "  profile echo $ncase $c: server did not start"; continue; }
			if ! prof_start; then server_kill "$SRV"; return 0; fi
			echo_client "$ncase" run_on 0 || true
			prof_stop echo "$ncase" "$c" || true
			server_stop "$SRV" INT
		done
	done
}
