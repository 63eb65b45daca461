# shellcheck shell=dash # busybox ash in the guest, which has local as dash has
# scripts/guest-server.sh: servers that the scripts run in the VM start,
# wait for and never leave behind (sourced by bench/guest.sh and
# samples/run-echo-demo.sh; busybox sh). A server left running (one that
# hung, or one whose start timed out) would skew the next measurement.
#
#   server_start LOG READY CMD...  run CMD in the background, its output in
#	LOG, and wait up to 30 s until READY (a function: sets PORT, returns 0
#	once the server serves) says so; SRV is its PID. A server that dies
#	first or is not ready in time is killed and waited for, and
#	server_start returns 1 (the server's exit status in SRV_STATUS).
#   server_stop PID [SIGNAL]  send SIGNAL (none: it ends by itself) and wait
#	for it, 30 s at most, then KILL: its exit status in SRV_STATUS
#   server_kill PID  end it now: TERM, KILL after 5 s
#   servers_kill_all  every server started and not yet stopped (for an
#	EXIT trap)
#   ready_listening  a READY: the "listening on ADDR:PORT" line in LOG
SERVERS="" SRV="" SRV_LOG="" SRV_STATUS=0 PORT=""

server_start() {
	local ready=$2 i=0
	SRV_LOG=$1
	shift 2
	: >"$SRV_LOG"	# exists before the first look, whenever the child starts
	"$@" >"$SRV_LOG" 2>&1 &
	SRV=$! PORT=""
	SERVERS="$SERVERS $SRV"
	until "$ready"; do
		i=$((i + 1))
		if [ "$i" -gt 600 ] || ! kill -0 "$SRV" 2>/dev/null; then
			server_kill "$SRV"
			return 1
		fi
		sleep 0.05
	done
}

ready_listening() {
	PORT=$(sed -n 's/^listening on .*:\([0-9][0-9]*\)$/\1/p' "$SRV_LOG")
	[ -n "$PORT" ]
}

# server_gone PID SECONDS: 0 once PID has exited, 1 if it still runs after SECONDS
server_gone() {
	local i=0
	while kill -0 "$1" 2>/dev/null; do
		[ "$i" -lt $(($2 * 20)) ] || return 1
		i=$((i + 1))
		sleep 0.05
	done
}

# server_reap PID: its exit status in SRV_STATUS; forgotten
server_reap() {
	local p rest=""
	SRV_STATUS=0
	# shellcheck disable=SC2034 # the caller's
	wait "$1" 2>/dev/null || SRV_STATUS=$?
	for p in $SERVERS; do [ "$p" = "$1" ] || rest="$rest $p"; done
	SERVERS=$rest
}

server_stop() {
	if [ -n "${2:-}" ]; then kill -"$2" "$1" 2>/dev/null || true; fi
	server_gone "$1" 30 || kill -9 "$1" 2>/dev/null || true
	server_reap "$1"
}

server_kill() {
	kill "$1" 2>/dev/null || true
	server_gone "$1" 5 || kill -9 "$1" 2>/dev/null || true
	server_reap "$1"
}

servers_kill_all() {
	local p
	for p in $SERVERS; do server_kill "$p"; done
}
