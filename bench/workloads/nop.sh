# shellcheck shell=dash # sourced by bench/guest.sh (busybox ash, as dash)
# bench/workloads/nop.sh: the NOP workload, the loop itself: the BPF loop
# (iouops load nops) vs the same loop in userspace (nops-uring) at each QD,
# and the floor (4096 NOPs per enter, no loop) once per rep; -x adds other
# builds of nops.bpf.o as contenders.
if [ "$QUICK" = 1 ]; then NOP_TOTAL=20000; else NOP_TOTAL=500000; fi

# nop_costs CASE CONTENDER REP COMMAND...: a NOP contender's counted costs:
# context switches per NOP, and (warm-up) syscalls per NOP net of the
# setup's, which COMMAND (the same contender with 1 NOP) measures
nop_costs() {
	local ncase=$1 who=$2 rep=$3 full tiny
	grep -q '^costs:' "$OUT" || return 0
	shift 3
	if [ "$WARMUP" = 1 ]; then
		full=$(kv costs: syscalls)
		"$@" >"$TMP/setup-costs" 2>&1 || true
		tiny=$(kv costs: syscalls "$TMP/setup-costs")
		case $full$tiny in *-* | '') return 0 ;; esac
		echo "@r,nop,$ncase,$who,0,syscalls_op,$(calc '(a-b)/c' "$full" "$tiny" $((NOP_TOTAL - 1)))"
		return 0
	fi
	emit nop "$ncase" "$who" "$rep" csw_op "$(calc '(a+b)/c' "$(kv costs: vcsw)" "$(kv costs: ivcsw)" "$NOP_TOTAL")"
}

nop_bpf() { # rep qd [contender object]
	local rep=$1 qd=$2 c=${3:-bpf} obj=${4:-nops} run steps sleeps completed ns
	costed 1 "$B/iouops" load "$obj" --set total="$NOP_TOTAL" --set qd="$qd" \
		--sq-entries "$qd" --cq-entries $((qd * 2)) --timing >"$OUT" 2>&1 ||
		{ fail nop "qd$qd" "$c" "$rep" "iouops exited $?"; return 0; }
	grep -q "^EXIT: done" "$OUT" || { fail nop "qd$qd" "$c" "$rep" "program did not finish"; return 0; }
	run=$(kv timing: run_ms) steps=$(sed -n 's/^steps: \([0-9]*\).*/\1/p' "$OUT")
	sleeps=$(kv timing: sleeps) completed=$(sed -n 's/.* completed=\([0-9]*\).*/\1/p' "$OUT")
	[ "$completed" = "$NOP_TOTAL" ] || { fail nop "qd$qd" "$c" "$rep" "completed $completed of $NOP_TOTAL"; return 0; }
	ns=$(calc 'a*1e6/b' "$run" "$NOP_TOTAL")
	emit nop "qd$qd" "$c" "$rep" ns_op "$ns"
	emit nop "qd$qd" "$c" "$rep" ops_per_step "$(calc 'a/b' "$NOP_TOTAL" "$steps")"
	emit nop "qd$qd" "$c" "$rep" sleeps_per_step "$(calc 'a/b' "$sleeps" "$steps")"
	nop_costs "qd$qd" "$c" "$rep" costed 1 "$B/iouops" load "$obj" --set total=1 --set qd=1 \
		--sq-entries "$qd" --cq-entries $((qd * 2))
	NOTE="$NOTE $c $ns"
}

nop_uring() { # rep qd|floor
	local rep=$1 ncase=qd$2 c=uring line secs enters sleeps ns
	set -- -q "$2"
	if [ "$ncase" = qdfloor ]; then ncase=floor c=floor; set -- -f; fi
	costed 1 "$B/samples/nops-uring" -n "$NOP_TOTAL" "$@" >"$OUT" 2>&1 ||
		{ fail nop "$ncase" "$c" "$rep" "nops-uring exited $?"; return 0; }
	line=$(grep '^nops-uring:' "$OUT" || true)
	secs=$(echo "$line" | sed -n 's/.* in \([0-9.]*\) s.*/\1/p')
	enters=$(echo "$line" | sed -n 's/.* \([0-9]*\) enters.*/\1/p')
	sleeps=$(echo "$line" | sed -n 's/.* \([0-9]*\) sleeps.*/\1/p')
	if [ -z "$secs" ] || [ -z "$enters" ]; then fail nop "$ncase" "$c" "$rep" "unparsable output"; return 0; fi
	ns=$(calc 'a*1e9/b' "$secs" "$NOP_TOTAL")
	emit nop "$ncase" "$c" "$rep" ns_op "$ns"
	emit nop "$ncase" "$c" "$rep" ops_per_step "$(calc 'a/b' "$NOP_TOTAL" "$enters")"
	emit nop "$ncase" "$c" "$rep" sleeps_per_step "$(calc 'a/b' "$sleeps" "$enters")"
	nop_costs "$ncase" "$c" "$rep" costed 1 "$B/samples/nops-uring" -n 1 "$@"
	NOTE="$NOTE $c $ns"
}

nop_extra_names() { local x; for x in $NOP_EXTRA; do echo "${x%%=*}"; done; }
nop_extra_obj() { local x; for x in $NOP_EXTRA; do if [ "${x%%=*}" = "$1" ]; then echo "${x#*=}"; fi; done; }

nop_run() { # rep qdN|floor contender
	case $3 in
	bpf) nop_bpf "$1" "${2#qd}" ;;
	uring | floor) nop_uring "$1" "${2#qd}" ;;
	*) nop_bpf "$1" "${2#qd}" "$3" "$(nop_extra_obj "$3")" ;;
	esac
}

wl_nop() { # rep
	local qd
	for qd in $NOP_QDS; do
		run_case nop "qd$qd" "$1" ns/op nop_run "bpf uring $(nop_extra_names | tr '\n' ' ')"
	done
	run_case nop floor "$1" ns/op nop_run floor
}


# -P: QD 1 and 64, each contender once, and the floor
PROF_NOP_TOTAL=1000000	# long enough that the loop, not the load, fills it
PROF_NOP_QDS="1 64"

prof_nop() {
	local qd c
	for qd in $PROF_NOP_QDS; do
		for c in bpf uring; do
			prof_start || return 0
			case $c in
			bpf) run_on 1 "$B/iouops" load nops --set total="$PROF_NOP_TOTAL" --set qd="$qd" \
				--sq-entries "$qd" --cq-entries $((qd * 2)) >"$OUT" 2>&1 || true ;;
			uring) run_on 1 "$B/samples/nops-uring" -n "$PROF_NOP_TOTAL" -q "$qd" >"$OUT" 2>&1 || true ;;
			esac
			prof_stop nop "qd$qd" "$c" || true
		done
	done
	prof_start || return 0
	run_on 1 "$B/samples/nops-uring" -n "$PROF_NOP_TOTAL" -f >"$OUT" 2>&1 || true
	prof_stop nop floor floor || true
}
