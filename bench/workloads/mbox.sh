# shellcheck shell=dash # sourced by bench/guest.sh (busybox ash, as dash)
# bench/workloads/mbox.sh: the mbox workload, commands through shared memory.
# mbox-demo: the program (iouops mbox) answers NOP commands posted in
# shared memory; the client checks every result. Steady: a window of 32
# commands always posted. Trickle: one command, its result, then a pause
# (--gap), so the program goes idle and each command must wake it.
if [ "$QUICK" = 1 ]; then
	MBOX_STEADY=5000 MBOX_TRICKLE=100
else
	MBOX_STEADY=200000 MBOX_TRICKLE=2000
fi
MBOX_GAP_US=200

mbox_run() { # rep case [contender: bpf]
	local rep=$1 ncase=$2 cl pr n secs wakes waits sleeps
	case $ncase in
	steady) set -- --nops -w 32 -n "$MBOX_STEADY" ;;
	trickle) set -- --nops -w 1 -n "$MBOX_TRICKLE" --gap "$MBOX_GAP_US" ;;
	esac
	run_on 1 "$B/samples/mbox-demo" "$@" >"$OUT" 2>&1 ||
		{ fail mbox "$ncase" bpf "$rep" "mbox-demo exited $?"; return 0; }
	cl=$(grep '^client' "$OUT" || true) pr=$(grep '^program:' "$OUT" || true)
	n=$(echo "$cl" | sed -n 's/^client[a-z ]*: \([0-9]*\) commands.*/\1/p')
	secs=$(echo "$cl" | sed -n 's/.* commands in \([0-9.]*\) s.*/\1/p')
	wakes=$(echo "$cl" | sed -n 's/.* doorbell wakes \([0-9]*\) .*/\1/p')
	waits=$(echo "$cl" | sed -n 's/.* client waits \([0-9]*\),.*/\1/p')
	sleeps=$(echo "$pr" | sed -n 's/.* sleeps=\([0-9]*\).*/\1/p')
	if ! { [ -n "$n" ] && [ "$n" -gt 0 ] && [ -n "$secs" ] && [ -n "$wakes" ] && [ -n "$waits" ]; }; then
		fail mbox "$ncase" bpf "$rep" "unparsable output"
		return 0
	fi
	emit mbox "$ncase" bpf "$rep" cmds_s "$(calc 'a/b' "$n" "$secs")"
	emit mbox "$ncase" bpf "$rep" futex_per_kcmd "$(calc '(a+b)*1000/c' "$wakes" "$waits" "$n")"
	emit mbox "$ncase" bpf "$rep" doorbell_wakes_per_kcmd "$(calc 'a*1000/b' "$wakes" "$n")"
	emit mbox "$ncase" bpf "$rep" client_waits_per_kcmd "$(calc 'a*1000/b' "$waits" "$n")"
	if [ -n "$sleeps" ]; then emit mbox "$ncase" bpf "$rep" sleeps_per_kcmd "$(calc 'a*1000/b' "$sleeps" "$n")"; fi
	# shellcheck disable=SC2034 # run_case's progress line prints it
	NOTE=" $(calc 'a/b' "$n" "$secs") commands/s, $(calc '(a+b)*1000/c' "$wakes" "$waits" "$n") futex calls per 1000"
}

wl_mbox() { # rep
	local ncase
	if ! have "$B/samples/mbox-demo" || ! have "$B/progs/mbox.bpf.o"; then
		if [ "$1" = 1 ]; then skip mbox "mbox-demo is not built"; fi
		return 0
	fi
	for ncase in steady trickle; do
		run_case mbox "$ncase" "$1" "" mbox_run bpf
	done
}
