#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# bench/guest.sh: the benchmark driver that runs INSIDE the VM, started by
# scripts/bench (make bench) through scripts/vm. One guest run measures
# every workload with every contender, repetitions interleaved: rep 1 of
# every case, then rep 2..., and inside a case the contenders alternate
# order (A B, then B A) so that drift hits them alike.
#
# It prints human progress lines and machine lines, which the host splits:
#	@h,KEY,VALUE				header (kernel, vCPUs, memory)
#	@r,WORKLOAD,CASE,CONTENDER,REP,METRIC,VALUE	one measurement
#	@f,WORKLOAD,CASE,CONTENDER,REP,REASON	a contender failed
#	@s,WORKLOAD,REASON			a workload was skipped
# and exits 1 if any contender failed.
#
# usage: bench/guest.sh [-q] [-r REPS] [-w WORKLOAD,...]
#	-q	quick: small sizes, 2 reps (the smoke test in make test)
#	-r	repetitions (default 5, quick 2)
#	-w	workloads to run (default: nop,load,echo,copy,mbox)
set -u

B=${IOUOPS_BUILD:-build}
QUICK=0 REPS="" WORKLOADS=nop,load,echo,copy,mbox
while getopts qr:w: opt; do
	case $opt in
	q) QUICK=1 ;;
	r) REPS=$OPTARG ;;
	w) WORKLOADS=$OPTARG ;;
	*) echo "usage: bench/guest.sh [-q] [-r REPS] [-w WORKLOAD,...]" >&2; exit 2 ;;
	esac
done
[ -n "$REPS" ] || { [ "$QUICK" = 1 ] && REPS=2 || REPS=5; }

FAILED=0
TMP=$(mktemp -d /tmp/bench.XXXXXX)
OUT=$TMP/out

# Pin the contenders to one vCPU: no migration in the middle of a run.
PIN=""
if [ "$(nproc)" -gt 1 ] && command -v taskset >/dev/null; then
	PIN="taskset -c 1"
fi

emit() { echo "@r,$1,$2,$3,$4,$5,$6"; }
fail() {
	echo "@f,$1,$2,$3,$4,$5"
	echo "  FAILED: $1 $2 $3 rep $4: $5"
	sed 's/^/    | /' "$OUT" | tail -n 8
	FAILED=1
}
skip() { echo "@s,$1,$2"; echo "  skipped $1: $2"; }
# key=value from a line of OUT that starts with $1: kv PREFIX KEY
kv() { sed -n "s/^$1.* $2=\([^ ]*\).*/\1/p" "$OUT" | tail -n 1; }
# awk arithmetic on numbers: calc 'a/b' A B
calc() { awk -v a="$2" -v b="${3:-0}" -v c="${4:-0}" "BEGIN { printf \"%.6g\", $1 }"; }
# rep-dependent order of two or more contenders: odd reps as given,
# even reps reversed
order() {
	if [ $(($1 % 2)) = 1 ]; then shift; echo "$@"; else shift; echo "$@" | awk '{ for (i = NF; i > 0; i--) printf "%s%s", $i, (i > 1 ? " " : "\n") }'; fi
}
have() { [ -x "$1" ] || [ -f "$1" ]; }
# one human line per case: progress WORKLOAD CASE REP UNIT (NOTE: results)
NOTE=""
progress() { echo "  $1 $2 rep $3/$REPS:$NOTE $4"; }

header() {
	echo "@h,kernel,$(uname -r)"
	echo "@h,vcpus,$(nproc)"
	echo "@h,mem_mib,$(awk '/^MemTotal/ { printf "%d", $2 / 1024 }' /proc/meminfo)"
	echo "@h,cpu,$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1 | tr ',' ' ')"
	echo "@h,pinned,${PIN:-no}"
	echo "@h,reps,$REPS"
	echo "@h,quick,$QUICK"
}

# ---------------------------------------------------------------- NOP
# BPF nops vs nops-uring at each QD; the floor once per rep.
if [ "$QUICK" = 1 ]; then NOP_TOTAL=20000; else NOP_TOTAL=500000; fi
NOP_QDS="1 8 64 256"

nop_bpf() { # rep qd
	$PIN $B/iouops load nops --set total=$NOP_TOTAL --set qd=$2 \
		--sq-entries $2 --cq-entries $(($2 * 2)) --timing >"$OUT" 2>&1 ||
		{ fail nop qd$2 bpf "$1" "iouops exited $?"; return; }
	grep -q "^EXIT: done" "$OUT" || { fail nop qd$2 bpf "$1" "program did not finish"; return; }
	run=$(kv timing: run_ms) steps=$(sed -n 's/^steps: \([0-9]*\).*/\1/p' "$OUT")
	sleeps=$(kv timing: sleeps) done=$(sed -n 's/.* completed=\([0-9]*\).*/\1/p' "$OUT")
	[ "$done" = "$NOP_TOTAL" ] || { fail nop qd$2 bpf "$1" "completed $done of $NOP_TOTAL"; return; }
	ns=$(calc 'a*1e6/b' "$run" $NOP_TOTAL)
	emit nop qd$2 bpf "$1" ns_op "$ns"
	emit nop qd$2 bpf "$1" ops_per_step "$(calc 'a/b' $NOP_TOTAL "$steps")"
	emit nop qd$2 bpf "$1" sleeps_per_step "$(calc 'a/b' "$sleeps" "$steps")"
	NOTE="$NOTE bpf $ns"
}

nop_uring() { # rep qd [floor]
	if [ "${3:-}" = floor ]; then
		set -- "$1" floor -f; c=floor
	else
		set -- "$1" "$2" "-q $2"; c=uring
	fi
	# shellcheck disable=SC2086 # $3 is two words on purpose
	$PIN $B/samples/nops-uring -n $NOP_TOTAL $3 >"$OUT" 2>&1 ||
		{ fail nop "qd$2" $c "$1" "nops-uring exited $?"; return; }
	line=$(grep '^nops-uring:' "$OUT")
	secs=$(echo "$line" | sed -n 's/.* in \([0-9.]*\) s.*/\1/p')
	enters=$(echo "$line" | sed -n 's/.* \([0-9]*\) enters.*/\1/p')
	sleeps=$(echo "$line" | sed -n 's/.* \([0-9]*\) sleeps.*/\1/p')
	[ -n "$secs" ] && [ -n "$enters" ] || { fail nop "qd$2" $c "$1" "unparsable output"; return; }
	case=qd$2
	[ $c = floor ] && case=floor
	ns=$(calc 'a*1e9/b' "$secs" $NOP_TOTAL)
	emit nop $case $c "$1" ns_op "$ns"
	emit nop $case $c "$1" ops_per_step "$(calc 'a/b' $NOP_TOTAL "$enters")"
	emit nop $case $c "$1" sleeps_per_step "$(calc 'a/b' "$sleeps" "$enters")"
	NOTE="$NOTE $c $ns"
}

wl_nop() { # rep
	for qd in $NOP_QDS; do
		NOTE=""
		for c in $(order "$1" bpf uring); do
			nop_$c "$1" "$qd"
		done
		progress nop "qd$qd" "$1" "ns/op"
	done
	NOTE=""
	nop_uring "$1" - floor
	progress nop floor "$1" "ns/op"
}

# ---------------------------------------------------------------- load cost
# iouops load from main() to the program's first step, by phase.
LOAD_PHASES="cli open probe ring region verify attach first_step load"

wl_load() { # rep
	for prog in nops; do
		NOTE=""
		$PIN $B/iouops load $prog --set total=1 --set qd=1 --timing >"$OUT" 2>&1 ||
			{ fail load $prog bpf "$1" "iouops exited $?"; continue; }
		for ph in $LOAD_PHASES; do
			v=$(kv timing: "${ph}_ms")
			case $v in
			'' | -) fail load $prog bpf "$1" "no $ph time"; continue 2 ;;
			esac
			emit load $prog bpf "$1" "${ph}_ms" "$v"
		done
		NOTE=" $(kv timing: load_ms)"
		progress load $prog "$1" "ms to the first step"
	done
}

# ---------------------------------------------------------------- echo, copy, mbox
wl_echo() { [ "$1" = 1 ] && skip echo "the echo contenders are not in this tree yet"; }
wl_copy() { [ "$1" = 1 ] && skip copy "the cp contenders are not in this tree yet"; }
wl_mbox() { [ "$1" = 1 ] && skip mbox "the mbox program is not in this tree yet"; }

# ---------------------------------------------------------------- main
header
rep=1
while [ $rep -le "$REPS" ]; do
	for w in $(echo "$WORKLOADS" | tr ',' ' '); do
		case $w in
		nop | load | echo | copy | mbox) wl_$w $rep ;;
		*) echo "bench: unknown workload '$w'" >&2; exit 2 ;;
		esac
	done
	rep=$((rep + 1))
done
rm -rf "$TMP"
exit $FAILED
