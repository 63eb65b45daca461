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
#	@p,WORKLOAD,CASE,CONTENDER,SAMPLES,STACK	a folded call stack (-P)
# and exits 1 if any contender failed.
#
# usage: bench/guest.sh [-q] [-P] [-r REPS] [-w WORKLOAD,...] [-n QDS] [-x NAME=OBJ]...
#	-q	quick: small sizes, 2 reps (the smoke test in make test)
#	-P	profile: after the reps, one run of every profiled case under
#		perf record (cpu-clock, call graphs, the contenders' vCPU
#		only); folded stacks come back as @p lines
#	-n	NOP queue depths (default "1,8,64,256")
#	-r	repetitions (default 5, quick 2)
#	-w	workloads to run (default: nop,load,echo,copy,mbox,zcrx,http)
#	-x	one more NOP contender: another build of nops.bpf.o (to compare
#		two versions in one run, e.g. before and after a change)
set -u

B=${IOUOPS_BUILD:-build}
QUICK=0 REPS="" WORKLOADS=nop,load,echo,copy,mbox,zcrx,http NOP_EXTRA="" PROFILE=0 NOP_QDS=""
while getopts qPr:w:x:n: opt; do
	case $opt in
	q) QUICK=1 ;;
	P) PROFILE=1 ;;
	n) NOP_QDS=$(echo "$OPTARG" | tr ',' ' ') ;;
	r) REPS=$OPTARG ;;
	w) WORKLOADS=$OPTARG ;;
	x) NOP_EXTRA="$NOP_EXTRA $OPTARG" ;;
	*) echo "usage: bench/guest.sh [-q] [-P] [-r REPS] [-w WORKLOAD,...] [-n QDS] [-x NAME=OBJ]" >&2; exit 2 ;;
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

WARMUP=0
emit() { [ "$WARMUP" = 1 ] || echo "@r,$1,$2,$3,$4,$5,$6"; }
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

# ---------------------------------------------------------------- costs
# Counted costs per operation (bench/costs): in the unrecorded warm-up pass
# the syscalls (counting them slows every syscall down, so never in a timed
# rep); in every timed rep the CPU time (user, system, runtime: under
# -icount guest instructions) and context switches.
COSTS=$B/tools/costs
have $COSTS || COSTS=""
# the wrapper for a contender run as a command: $(costs_cmd) CMD ARGS...
costs_cmd() {
	[ -n "$COSTS" ] || return 0
	if [ "$WARMUP" = 1 ]; then echo "$COSTS -s --"; else echo "$COSTS --"; fi
}
# the same for a server PID while its client runs: $(costs_pid PID) CLIENT...
costs_pid() {
	[ -n "$COSTS" ] || return 0
	if [ "$WARMUP" = 1 ]; then echo "$COSTS -s -p $1 --"; else echo "$COSTS -p $1 --"; fi
}
# nop_costs CASE CONTENDER REP COMMAND...: a NOP contender's counted costs:
# context switches per NOP, and (warm-up) syscalls per NOP net of the
# setup's, which COMMAND (the same contender with 1 NOP) measures
nop_costs() {
	grep -q '^costs:' "$OUT" || return 0
	if [ "$WARMUP" = 1 ]; then
		full=$(kv costs: syscalls) ncase=$1 who=$2
		shift 3
		"$@" >"$TMP/setup-costs" 2>&1
		tiny=$(sed -n 's/^costs:.* syscalls=\([^ ]*\).*/\1/p' "$TMP/setup-costs")
		case $full$tiny in *-* | '') return 0 ;; esac
		echo "@r,nop,$ncase,$who,0,syscalls_op,$(calc '(a-b)/c' "$full" "$tiny" $((NOP_TOTAL - 1)))"
		return 0
	fi
	emit nop "$1" "$2" "$3" csw_op "$(calc '(a+b)/c' "$(kv costs: vcsw)" "$(kv costs: ivcsw)" $NOP_TOTAL)"
}

# emit_costs WORKLOAD CASE CONTENDER REP OPS: from the costs: line of OUT
emit_costs() {
	grep -q '^costs:' "$OUT" || return 0
	if [ "$WARMUP" = 1 ]; then
		sc=$(kv costs: syscalls)
		case $sc in '' | -) return 0 ;; esac
		echo "@r,$1,$2,$3,0,syscalls_op,$(calc 'a/b' "$sc" "$5")"
		return 0
	fi
	emit "$1" "$2" "$3" "$4" csw_op "$(calc '(a+b)/c' "$(kv costs: vcsw)" "$(kv costs: ivcsw)" "$5")"
	emit "$1" "$2" "$3" "$4" user_us_op "$(calc 'a*1e6/b' "$(kv costs: user_s)" "$5")"
	emit "$1" "$2" "$3" "$4" sys_us_op "$(calc 'a*1e6/b' "$(kv costs: sys_s)" "$5")"
	emit "$1" "$2" "$3" "$4" cpu_ns_op "$(calc 'a/b' "$(kv costs: cpu_ns)" "$5")"
}
# one human line per case: progress WORKLOAD CASE REP UNIT (NOTE: results)
NOTE=""
progress() {
	if [ "$WARMUP" = 1 ]; then echo "  $1 $2 warm-up:$NOTE $4"
	else echo "  $1 $2 rep $3/$REPS:$NOTE $4"; fi
}

header() {
	echo "@h,kernel,$(uname -r)"
	echo "@h,vcpus,$(nproc)"
	echo "@h,mem_mib,$(awk '/^MemTotal/ { printf "%d", $2 / 1024 }' /proc/meminfo)"
	echo "@h,cpu,$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1 | tr ',' ' ')"
	echo "@h,pinned,${PIN:-no}"
	echo "@h,reps,$REPS"
	echo "@h,cp,$CP_DESC"
	echo "@h,quick,$QUICK"
}

# ---------------------------------------------------------------- NOP
# BPF nops vs nops-uring at each QD; the floor once per rep.
if [ "$QUICK" = 1 ]; then NOP_TOTAL=20000; else NOP_TOTAL=500000; fi
[ -n "$NOP_QDS" ] || NOP_QDS="1 8 64 256"

nop_bpf() { # rep qd [contender object]
	c=${3:-bpf} obj=${4:-nops}
	# shellcheck disable=SC2046 # the wrapper is words
	$PIN $(costs_cmd) $B/iouops load "$obj" --set total=$NOP_TOTAL --set qd=$2 \
		--sq-entries $2 --cq-entries $(($2 * 2)) --timing >"$OUT" 2>&1 ||
		{ fail nop qd$2 "$c" "$1" "iouops exited $?"; return; }
	grep -q "^EXIT: done" "$OUT" || { fail nop qd$2 "$c" "$1" "program did not finish"; return; }
	run=$(kv timing: run_ms) steps=$(sed -n 's/^steps: \([0-9]*\).*/\1/p' "$OUT")
	sleeps=$(kv timing: sleeps) done=$(sed -n 's/.* completed=\([0-9]*\).*/\1/p' "$OUT")
	[ "$done" = "$NOP_TOTAL" ] || { fail nop qd$2 "$c" "$1" "completed $done of $NOP_TOTAL"; return; }
	ns=$(calc 'a*1e6/b' "$run" $NOP_TOTAL)
	emit nop qd$2 "$c" "$1" ns_op "$ns"
	emit nop qd$2 "$c" "$1" ops_per_step "$(calc 'a/b' $NOP_TOTAL "$steps")"
	emit nop qd$2 "$c" "$1" sleeps_per_step "$(calc 'a/b' "$sleeps" "$steps")"
	# shellcheck disable=SC2046 # the wrapper is words
	nop_costs qd$2 "$c" "$1" $PIN $(costs_cmd) $B/iouops load "$obj" --set total=1 --set qd=1 \
		--sq-entries $2 --cq-entries $(($2 * 2))
	NOTE="$NOTE $c $ns"
}

nop_uring() { # rep qd [floor]
	if [ "${3:-}" = floor ]; then
		set -- "$1" floor -f; c=floor
	else
		set -- "$1" "$2" "-q $2"; c=uring
	fi
	# shellcheck disable=SC2086,SC2046 # $3 is two words on purpose
	$PIN $(costs_cmd) $B/samples/nops-uring -n $NOP_TOTAL $3 >"$OUT" 2>&1 ||
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
	# shellcheck disable=SC2086,SC2046 # $3 is two words on purpose
	nop_costs $case $c "$1" $PIN $(costs_cmd) $B/samples/nops-uring -n 1 $3
	NOTE="$NOTE $c $ns"
}

nop_extra_names() { for x in $NOP_EXTRA; do echo "${x%%=*}"; done; }
nop_extra_obj() { for x in $NOP_EXTRA; do [ "${x%%=*}" = "$1" ] && echo "${x#*=}"; done; }

wl_nop() { # rep
	for qd in $NOP_QDS; do
		NOTE=""
		# shellcheck disable=SC2046 # one word per extra contender
		for c in $(order "$1" bpf uring $(nop_extra_names)); do
			case $c in
			bpf | uring) nop_$c "$1" "$qd" ;;
			*) nop_bpf "$1" "$qd" "$c" "$(nop_extra_obj "$c")" ;;
			esac
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

# load_run PROG: run it with --timing. nops and cp end by themselves;
# echo and mbox run until stopped: SIGINT once `iouops stat` says running.
load_run() {
	case $1 in
	nops) $PIN $B/iouops load nops --set total=1 --set qd=1 --timing >"$OUT" 2>&1; return ;;
	cp)
		head -c 65536 /dev/zero >$TMP/load-src
		$PIN $B/iouops load cp --src $TMP/load-src --dst $TMP/load-dst --timing >"$OUT" 2>&1
		st=$?
		rm -f $TMP/load-src $TMP/load-dst
		return $st ;;
	echo) set -- $B/iouops load echo --listen 127.0.0.1:0 --timing ;;
	mbox) set -- $B/iouops load mbox --timing ;;
	esac
	$PIN "$@" >"$OUT" 2>&1 &
	srv=$! i=0
	until $CLI_PIN $B/iouops stat $srv 2>/dev/null | grep -q ': running'; do
		i=$((i + 1))
		[ $i -gt 600 ] || ! kill -0 $srv 2>/dev/null && break
		sleep 0.05
	done
	kill -INT $srv 2>/dev/null
	wait $srv
}

wl_load() { # rep
	for prog in nops cp echo mbox; do
		have $B/progs/$prog.bpf.o || continue
		NOTE=""
		load_run $prog || { fail load $prog bpf "$1" "iouops exited $?"; continue; }
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

# ---------------------------------------------------------------- echo
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
SRV_PIN="" CLI_PIN=""
[ -n "$PIN" ] && SRV_PIN="taskset -c 1" CLI_PIN="taskset -c 0"

# echo_server CONTENDER: start it, wait for "listening on": sets SRV, PORT
echo_server() {
	case $1 in
	bpf) set -- $B/iouops load echo --listen 127.0.0.1:0 ;;
	uring) set -- $B/samples/echo-uring --listen 127.0.0.1:0 ;;
	epoll) set -- $B/samples/echo-epoll --listen 127.0.0.1:0 ;;
	esac
	: >"$TMP/srv"	# now: the child truncates it only once it runs
	$SRV_PIN "$@" >"$TMP/srv" 2>&1 &
	SRV=$! PORT="" i=0
	while [ -z "$PORT" ]; do
		PORT=$(sed -n 's/^listening on .*:\([0-9][0-9]*\)$/\1/p' "$TMP/srv")
		[ -n "$PORT" ] && break
		i=$((i + 1))
		if [ $i -gt 600 ] || ! kill -0 $SRV 2>/dev/null; then
			cp "$TMP/srv" "$OUT"
			return 1
		fi
		sleep 0.05
	done
}

# voluntary context switches of process $1 so far: its sleeps
csw() { sed -n 's/^voluntary_ctxt_switches:[[:space:]]*//p' /proc/$1/status 2>/dev/null; }

echo_run() { # rep case contender
	echo_server "$3" || { fail echo "$2" "$3" "$1" "server did not start"; return; }
	case $2 in
	rr1) n=${ECHO_RR1#*x}; args="-c 1 -s 64 -n $((n * 64)) --rr" ;;
	stream64) args="-c 64 -s 4k -w 8 -n $ECHO_STREAM" ;;
	rr256) n=${ECHO_RR256#*x}; args="-c 256 -s 64 -n $((n * 64)) --rr" ;;
	esac
	s0=$(csw $SRV)
	# shellcheck disable=SC2086,SC2046 # args are words
	$CLI_PIN $(costs_pid $SRV) $B/samples/echo-client -a 127.0.0.1:$PORT $args >"$OUT" 2>&1
	st=$? s1=$(csw $SRV)
	kill -INT $SRV 2>/dev/null
	wait $SRV
	sst=$?
	[ $st = 0 ] || { fail echo "$2" "$3" "$1" "echo-client exited $st"; return; }
	[ $sst = 0 ] || { cp "$TMP/srv" "$OUT"; fail echo "$2" "$3" "$1" "server exited $sst"; return; }
	line=$(grep '^verified=' "$OUT") rtt=$(grep '^rtt_us' "$OUT")
	v() { echo "$line $rtt" | tr ' ' '\n' | sed -n "s/^$1=//p" | head -n 1; }
	secs=$(v seconds) msgs=$(v msgs) failed=$(v failed)
	[ "$failed" = 0 ] && [ -n "$secs" ] || { fail echo "$2" "$3" "$1" "client reported failures"; return; }
	case $2 in
	stream64)
		emit echo "$2" "$3" "$1" mib_s "$(v mib_per_s)"
		NOTE="$NOTE $3 $(v mib_per_s)" ;;
	*)
		rt=$(calc 'a/b' "$msgs" "$secs")
		emit echo "$2" "$3" "$1" rt_s "$rt"
		emit echo "$2" "$3" "$1" p50_us "$(v p50)"
		emit echo "$2" "$3" "$1" p99_us "$(v p99)"
		NOTE="$NOTE $3 $(calc 'a' "$rt")" ;;
	esac
	[ -n "$s0" ] && [ -n "$s1" ] &&
		emit echo "$2" "$3" "$1" srv_sleeps_per_msg "$(calc '(b-a)/c' "$s0" "$s1" "$msgs")"
	emit_costs echo "$2" "$3" "$1" "$msgs"
}

wl_echo() { # rep
	for f in $B/progs/echo.bpf.o $B/samples/echo-uring $B/samples/echo-epoll $B/samples/echo-client; do
		have "$f" || { [ "$1" = 1 ] && skip echo "$f is not built"; return; }
	done
	for case in rr1 stream64 rr256; do
		NOTE=""
		for c in $(order "$1" bpf uring epoll); do
			echo_run "$1" $case $c
		done
		case $case in
		stream64) progress echo $case "$1" "MiB/s" ;;
		*) progress echo $case "$1" "round trips/s" ;;
		esac
	done
}

# ---------------------------------------------------------------- copy
# iouops load cp vs cp-uring (same QD, 128 KiB blocks) vs cp(1) (GNU cp
# when scripts/bench could copy it in, else busybox's), one file in the
# guest's RAM-backed /tmp. Every copy is compared with cmp, then removed.
if [ "$QUICK" = 1 ]; then COPY_MIB=16; else COPY_MIB=256; fi
COPY_QDS="1 8" COPY_BS=131072
COPY_DIR=/tmp/bench-copy
# busybox sh runs its own cp applet for `cp`: name the file to get GNU cp
CP="busybox cp" CP_DESC="busybox cp"
if /usr/bin/cp --version 2>/dev/null | head -n 1 | grep -q GNU; then
	CP=/usr/bin/cp CP_DESC="GNU cp ($(/usr/bin/cp --version | head -n 1 | sed 's/.*) //'))"
fi

copy_run() { # rep case contender
	dst=$COPY_DIR/dst
	case $3 in
	bpf)
		$PIN $B/iouops load cp --src $COPY_DIR/src --dst $dst \
			--set qd=${2#qd} --set bs=$COPY_BS --timing >"$OUT" 2>&1 ||
			{ fail copy "$2" bpf "$1" "iouops exited $?"; rm -f $dst; return; }
		grep -q '^EXIT: done' "$OUT" || { fail copy "$2" bpf "$1" "program did not finish"; rm -f $dst; return; }
		secs=$(calc 'a/1000' "$(kv timing: run_ms)") ;;
	uring)
		$PIN $B/samples/cp-uring -q ${2#qd} -b $COPY_BS $COPY_DIR/src $dst >"$OUT" 2>&1 ||
			{ fail copy "$2" uring "$1" "cp-uring exited $?"; rm -f $dst; return; }
		secs=$(sed -n 's/.* in \([0-9.]*\) s.*/\1/p' "$OUT") ;;
	cp)
		# shellcheck disable=SC2086 # CP may be two words
		$PIN $B/tools/timeit $CP $COPY_DIR/src $dst >"$OUT" 2>&1 ||
			{ fail copy "$2" cp "$1" "cp exited $?"; rm -f $dst; return; }
		secs=$(sed -n 's/^timeit: \([0-9.]*\) s/\1/p' "$OUT") ;;
	esac
	if ! cmp $COPY_DIR/src $dst >"$OUT" 2>&1; then
		fail copy "$2" "$3" "$1" "the copy differs from the source"
		rm -f $dst
		return
	fi
	rm -f $dst
	[ -n "$secs" ] || { fail copy "$2" "$3" "$1" "no time in the output"; return; }
	mib=$(calc 'a/b' $COPY_MIB "$secs")
	emit copy "$2" "$3" "$1" mib_s "$mib"
	NOTE="$NOTE $3 $(calc 'a' "$mib")"
}

wl_copy() { # rep
	for f in $B/progs/cp.bpf.o $B/samples/cp-uring $B/tools/timeit; do
		have "$f" || { [ "$1" = 1 ] && skip copy "$f is not built"; return; }
	done
	if [ ! -f $COPY_DIR/src ]; then
		mkdir -p $COPY_DIR
		head -c $((COPY_MIB * 1024 * 1024)) /dev/urandom >$COPY_DIR/src
		[ "$(wc -c <$COPY_DIR/src)" = $((COPY_MIB * 1024 * 1024)) ] ||
			{ fail copy setup - "$1" "cannot make the $COPY_MIB MiB source"; return; }
	fi
	for qd in $COPY_QDS; do
		NOTE=""
		for c in $(order "$1" bpf uring); do
			copy_run "$1" qd$qd $c
		done
		progress copy "qd$qd" "$1" "MiB/s"
	done
	NOTE=""
	copy_run "$1" cp cp
	progress copy "cp(1)" "$1" "MiB/s"
}

# ---------------------------------------------------------------- mbox
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

mbox_run() { # rep case
	case $2 in
	steady) args="--nops -w 32 -n $MBOX_STEADY" ;;
	trickle) args="--nops -w 1 -n $MBOX_TRICKLE --gap $MBOX_GAP_US" ;;
	esac
	# shellcheck disable=SC2086 # args are words
	$PIN $B/samples/mbox-demo $args >"$OUT" 2>&1 ||
		{ fail mbox "$2" bpf "$1" "mbox-demo exited $?"; return; }
	cl=$(grep '^client' "$OUT") pr=$(grep '^program:' "$OUT")
	n=$(echo "$cl" | sed -n 's/^client[a-z ]*: \([0-9]*\) commands.*/\1/p')
	secs=$(echo "$cl" | sed -n 's/.* commands in \([0-9.]*\) s.*/\1/p')
	wakes=$(echo "$cl" | sed -n 's/.* doorbell wakes \([0-9]*\) .*/\1/p')
	waits=$(echo "$cl" | sed -n 's/.* client waits \([0-9]*\),.*/\1/p')
	sleeps=$(echo "$pr" | sed -n 's/.* sleeps=\([0-9]*\).*/\1/p')
	[ -n "$n" ] && [ "$n" -gt 0 ] && [ -n "$secs" ] && [ -n "$wakes" ] && [ -n "$waits" ] ||
		{ fail mbox "$2" bpf "$1" "unparsable output"; return; }
	emit mbox "$2" bpf "$1" cmds_s "$(calc 'a/b' "$n" "$secs")"
	emit mbox "$2" bpf "$1" futex_per_kcmd "$(calc '(a+b)*1000/c' "$wakes" "$waits" "$n")"
	emit mbox "$2" bpf "$1" doorbell_wakes_per_kcmd "$(calc 'a*1000/b' "$wakes" "$n")"
	emit mbox "$2" bpf "$1" client_waits_per_kcmd "$(calc 'a*1000/b' "$waits" "$n")"
	[ -n "$sleeps" ] && emit mbox "$2" bpf "$1" sleeps_per_kcmd "$(calc 'a*1000/b' "$sleeps" "$n")"
	NOTE=" $(calc 'a/b' "$n" "$secs") commands/s, $(calc '(a+b)*1000/c' "$wakes" "$waits" "$n") futex calls per 1000"
}

wl_mbox() { # rep
	have $B/samples/mbox-demo && have $B/progs/mbox.bpf.o ||
		{ [ "$1" = 1 ] && skip mbox "mbox-demo is not built"; return; }
	for case in steady trickle; do
		NOTE=""
		mbox_run "$1" $case
		progress mbox $case "$1" ""
	done
}

# ---------------------------------------------------------------- http
# iouops load http vs http-uring (the same design in userspace) vs nginx
# (one worker, no master, access log off, sendfile on and off), driven by
# wrk in this VM: requests/s, latency p50/p99, server CPU per request, for
# a 100 B and a 16 KiB file at 1 and 64 connections. wrk must report no
# socket errors and no non-2xx answers, or the contender fails.
# Quick (the smoke test in make test): every contender serves both file
# sizes once, 1 s per wrk run, two of the four cases.
if [ "$QUICK" = 1 ]; then
	HTTP_SECS=1 HTTP_CASES="f100_c1 f16k_c64"
else
	HTTP_SECS=5 HTTP_CASES="f100_c1 f100_c64 f16k_c1 f16k_c64"
fi
HZ=$(getconf CLK_TCK 2>/dev/null || echo 100)	# busybox has no getconf
HTTP_DIR=/tmp/bench-http
HTTP_PORT=18080
WRK=$(command -v wrk || true)
NGINX=$(command -v nginx || ls /usr/sbin/nginx 2>/dev/null || true)

# is TCP port $1 listening (/proc/net/tcp, state 0A)?
http_listening() {
	hex=$(printf '%04X' "$1")
	grep -q ":$hex 00000000:0000 0A" /proc/net/tcp 2>/dev/null
}

http_nginx_conf() { # sendfile(on|off)
	mkdir -p $HTTP_DIR/ng
	# nginx running as root looks up its user even with no workers to
	# switch: the busybox guest has no passwd file
	[ -f /etc/passwd ] || printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >/etc/passwd
	[ -f /etc/group ] || printf 'root:x:0:\nnogroup:x:65534:\n' >/etc/group
	cat >$HTTP_DIR/ng/nginx.conf <<NGX
user root root;
daemon off;
master_process off;
worker_processes 1;
error_log $HTTP_DIR/ng/error.log error;
pid $HTTP_DIR/ng/nginx.pid;
events { worker_connections 1024; }
http {
	access_log off;
	sendfile $1;
	tcp_nopush off;
	keepalive_requests 1000000;
	client_body_temp_path $HTTP_DIR/ng/body;
	proxy_temp_path $HTTP_DIR/ng/proxy;
	fastcgi_temp_path $HTTP_DIR/ng/fcgi;
	uwsgi_temp_path $HTTP_DIR/ng/uwsgi;
	scgi_temp_path $HTTP_DIR/ng/scgi;
	types { application/octet-stream bin; }
	server { listen 127.0.0.1:$HTTP_PORT; root $HTTP_DIR/root; }
}
NGX
}

# http_server CONTENDER: start it; sets SRV and PORT
http_server() {
	: >"$TMP/srv"
	case $1 in
	bpf) $SRV_PIN $B/iouops load http --listen 127.0.0.1:0 --root $HTTP_DIR/root >"$TMP/srv" 2>&1 & ;;
	uring) $SRV_PIN $B/samples/http-uring --listen 127.0.0.1:0 --root $HTTP_DIR/root >"$TMP/srv" 2>&1 & ;;
	nginx | nginx_sf)
		[ $1 = nginx ] && http_nginx_conf off || http_nginx_conf on
		$SRV_PIN "$NGINX" -e $HTTP_DIR/ng/error.log -c $HTTP_DIR/ng/nginx.conf >"$TMP/srv" 2>&1 & ;;
	esac
	SRV=$! PORT="" i=0
	while [ -z "$PORT" ]; do
		case $1 in
		nginx*) http_listening $HTTP_PORT && PORT=$HTTP_PORT ;;
		*) PORT=$(sed -n 's/^listening on .*:\([0-9][0-9]*\)$/\1/p' "$TMP/srv") ;;
		esac
		[ -n "$PORT" ] && break
		i=$((i + 1))
		if [ $i -gt 600 ] || ! kill -0 $SRV 2>/dev/null; then
			cp "$TMP/srv" "$OUT"
			return 1
		fi
		sleep 0.05
	done
}

# utime + stime of process $1, in clock ticks
cpu_ticks() { awk '{ print $14 + $15 }' /proc/$1/stat 2>/dev/null; }
# a wrk latency ("123.45us", "1.2ms", "2s") in microseconds
to_us() {
	echo "$1" | awk '/us$/ { printf "%g", $0 + 0; exit } /ms$/ { printf "%g", ($0 + 0) * 1000; exit }
		/s$/ { printf "%g", ($0 + 0) * 1000000; exit }'
}

http_run() { # rep case contender
	file=${2%_*} conns=${2#*_c}
	http_server "$3" || { fail http "$2" "$3" "$1" "server did not start"; return; }
	t0=$(cpu_ticks $SRV)
	$CLI_PIN "$WRK" -t 1 -c "$conns" -d ${HTTP_SECS}s --timeout 10s --latency \
		"http://127.0.0.1:$PORT/$file.bin" >"$OUT" 2>&1
	st=$? t1=$(cpu_ticks $SRV)
	kill -INT $SRV 2>/dev/null
	wait $SRV
	[ $st = 0 ] || { fail http "$2" "$3" "$1" "wrk exited $st"; return; }
	if grep -q 'Non-2xx\|Socket errors' "$OUT"; then
		fail http "$2" "$3" "$1" "wrk saw errors or non-2xx answers"; return
	fi
	reqs=$(sed -n 's/^ *\([0-9][0-9]*\) requests in.*/\1/p' "$OUT")
	rps=$(sed -n 's/^Requests\/sec: *//p' "$OUT")
	p50=$(to_us "$(awk '$1 == "50%" { print $2 }' "$OUT")")
	p99=$(to_us "$(awk '$1 == "99%" { print $2 }' "$OUT")")
	[ -n "$reqs" ] && [ -n "$rps" ] ||
		{ fail http "$2" "$3" "$1" "no wrk result"; return; }
	if [ "$reqs" = 0 ]; then
		# a smoke run under a loaded TCG host may not complete one
		# request in its few seconds: note it; a real run fails
		[ "$QUICK" = 1 ] && { NOTE="$NOTE $3 (none done)"; return; }
		fail http "$2" "$3" "$1" "wrk completed no request"; return
	fi
	emit http "$2" "$3" "$1" req_s "$rps"
	emit http "$2" "$3" "$1" p50_us "$p50"
	emit http "$2" "$3" "$1" p99_us "$p99"
	[ -n "$t0" ] && [ -n "$t1" ] &&
		emit http "$2" "$3" "$1" cpu_us_req "$(calc "(b-a)*1000000/$HZ/c" "$t0" "$t1" "$reqs")"
	NOTE="$NOTE $3 $(calc 'a' "$rps")"
}

wl_http() { # rep
	for f in $B/progs/http.bpf.o $B/samples/http-uring; do
		have "$f" || { [ "$1" = 1 ] && skip http "$f is not built"; return; }
	done
	[ -n "$WRK" ] || { [ "$1" = 1 ] && skip http "wrk is not in the guest"; return; }
	# a smoke run measures nothing: no warm-up pass (16 server starts
	# under TCG instead of 24)
	[ "$QUICK" = 1 ] && [ "$1" = 0 ] && return
	if [ ! -d $HTTP_DIR/root ]; then
		mkdir -p $HTTP_DIR/root
		head -c 100 /dev/urandom >$HTTP_DIR/root/f100.bin
		head -c 16384 /dev/urandom >$HTTP_DIR/root/f16k.bin
	fi
	contenders="bpf uring"
	[ -n "$NGINX" ] && contenders="$contenders nginx nginx_sf"
	for case in $HTTP_CASES; do
		NOTE=""
		# shellcheck disable=SC2086 # a list of words
		for c in $(order "$1" $contenders); do
			http_run "$1" $case $c
		done
		progress http $case "$1" "requests/s"
	done
}

# ---------------------------------------------------------------- profile
# -P: one more run of the profiled cases under perf record: cpu-clock
# samples with call graphs on the contenders' vCPU only (perf itself runs
# on the other one), started disabled and enabled through its control fifo
# just before the contender starts (a server: just before its client).
# BPF programs show as bpf_prog_* (net.core.bpf_jit_kallsyms). Folded
# stacks (bench/fold.awk) go to the host as @p lines.
PERF=$(command -v perf 2>/dev/null || ls /usr/bin/perf_[0-9]* 2>/dev/null | tail -n 1)
PROF_HZ=2000
PROF_NOP_TOTAL=1000000	# long enough that the loop, not the load, fills it
PROF_NOP_QDS="1 64"
PROF_ECHO_CASES="rr1 stream64"

prof_start() {
	rm -f "$TMP/perf.data" "$TMP/perf.ctl" "$TMP/perf.ack"
	mkfifo "$TMP/perf.ctl" "$TMP/perf.ack" || return 1
	taskset -c 0 "$PERF" record -e cpu-clock -F $PROF_HZ -C 1 -g -D -1 -B -N \
		--control "fifo:$TMP/perf.ctl,$TMP/perf.ack" \
		-o "$TMP/perf.data" >"$TMP/perf.log" 2>&1 &
	PERF_PID=$!
	# the fifo opens once perf listens: a perf that fails never does
	timeout 60 sh -c 'echo enable >"$1" && read -r _ <"$2"' - "$TMP/perf.ctl" "$TMP/perf.ack" ||
		{ echo "  profile: perf did not start: $(tail -n 1 "$TMP/perf.log")"; kill $PERF_PID 2>/dev/null; return 1; }
}

# prof_stop WORKLOAD CASE CONTENDER: stop perf, send the folded stacks
prof_stop() {
	kill -INT $PERF_PID 2>/dev/null
	wait $PERF_PID
	if [ ! -s "$TMP/perf.data" ]; then
		echo "  profile $1 $2 $3: perf recorded nothing: $(tail -n 1 "$TMP/perf.log")"
		return 1
	fi
	"$PERF" script --no-inline -i "$TMP/perf.data" -F comm,ip,sym 2>/dev/null |
		awk -f bench/fold.awk | sort | uniq -c |
		awk -v p="@p,$1,$2,$3," '{ n = $1; sub(/^ *[0-9]+ /, ""); print p n "," $0 }'
	echo "  profile $1 $2 $3: done"
}

prof_nop() {
	for qd in $PROF_NOP_QDS; do
		for c in bpf uring; do
			prof_start || return
			case $c in
			bpf) $PIN $B/iouops load nops --set total=$PROF_NOP_TOTAL --set qd=$qd \
				--sq-entries $qd --cq-entries $((qd * 2)) >"$OUT" 2>&1 ;;
			uring) $PIN $B/samples/nops-uring -n $PROF_NOP_TOTAL -q $qd >"$OUT" 2>&1 ;;
			esac
			prof_stop nop qd$qd $c
		done
	done
	prof_start || return
	$PIN $B/samples/nops-uring -n $PROF_NOP_TOTAL -f >"$OUT" 2>&1
	prof_stop nop floor floor
}

prof_echo() {
	for case in $PROF_ECHO_CASES; do
		for c in bpf uring epoll; do
			echo_server $c || { echo "  profile echo $case $c: server did not start"; continue; }
			case $case in
			rr1) n=${ECHO_RR1#*x}; args="-c 1 -s 64 -n $((n * 64)) --rr" ;;
			stream64) args="-c 64 -s 4k -w 8 -n $ECHO_STREAM" ;;
			esac
			prof_start || return
			# shellcheck disable=SC2086 # args are words
			$CLI_PIN $B/samples/echo-client -a 127.0.0.1:$PORT $args >"$OUT" 2>&1
			prof_stop echo $case $c
			kill -INT $SRV 2>/dev/null
			wait $SRV
		done
	done
}

wl_profile() {
	if [ -z "$PERF" ]; then
		echo "@s,profile,perf is not in the guest"
		return
	fi
	[ "$(nproc)" -gt 1 ] || { echo "@s,profile,needs 2 vCPUs"; return; }
	sysctl -qw net.core.bpf_jit_kallsyms=1 kernel.kptr_restrict=0 \
		kernel.perf_event_paranoid=-1 2>/dev/null
	for w in $(echo "$WORKLOADS" | tr ',' ' '); do
		case $w in
		nop | echo) prof_$w ;;
		esac
	done
}

# ---------------------------------------------------------------- zcrx
# One TCP receiver, progs/zcrx_sink.bpf.c, two ways: device-less zcrx
# (--zcrx: RECV_ZC, refill queue written from BPF, flushed by the loader
# when the program stops the enter for it) vs multishot recv into a
# buffer ring (no --zcrx). Every byte of the seeded stream is checked by
# the program in both. Client on vCPU 0. MiB/s of the sink's run, steps
# per MiB, and for zcrx the flushes per MiB and their share of the time.
if [ "$QUICK" = 1 ]; then ZCRX_MIB=16; else ZCRX_MIB=256; fi

zcrx_run() { # rep contender
	case $2 in
	zcrx) zopt=--zcrx ;;
	recv) zopt="" ;;
	esac
	# shellcheck disable=SC2086 # zopt is zero or one word
	$PIN $B/iouops load zcrx_sink $zopt --listen 127.0.0.1:0 \
		--set seed=7 >"$TMP/zsrv" 2>&1 &
	zsrv=$!
	zport=""
	for _ in $(seq 1 300); do
		zport=$(sed -n 's/^listening on .*:\([0-9]*\)$/\1/p' "$TMP/zsrv")
		[ -n "$zport" ] && break
		kill -0 $zsrv 2>/dev/null || break
		sleep 0.1
	done
	[ -n "$zport" ] || { kill $zsrv 2>/dev/null; wait $zsrv; cp "$TMP/zsrv" "$OUT"; fail zcrx stream "$2" "$1" "sink did not start"; return; }
	$CLI_PIN $B/samples/zcrx-client -a 127.0.0.1:$zport -n ${ZCRX_MIB}m \
		--seed 7 >"$OUT" 2>&1
	st=$?
	wait $zsrv
	sst=$?
	[ $st = 0 ] || { fail zcrx stream "$2" "$1" "zcrx-client exited $st"; return; }
	[ $sst = 0 ] || { cp "$TMP/zsrv" "$OUT"; fail zcrx stream "$2" "$1" "sink exited $sst"; return; }
	OUT_SAVED=$OUT OUT=$TMP/zsrv
	bytes=$(kv counters bytes) steps=$(sed -n 's/^steps: \([0-9]*\) .*/\1/p' "$OUT")
	secs=$(sed -n 's/^steps: [0-9]*  time: \([0-9.]*\) s/\1/p' "$OUT")
	flushes=$(kv zcrx: flushes) fms=$(kv zcrx: flush_ms)
	OUT=$OUT_SAVED
	[ "$bytes" = $((ZCRX_MIB * 1048576)) ] && [ -n "$secs" ] ||
		{ fail zcrx stream "$2" "$1" "sink saw ${bytes:-?} bytes"; return; }
	mib=$(calc 'a/1048576' "$bytes")
	emit zcrx stream "$2" "$1" mib_s "$(calc 'a/b' "$mib" "$secs")"
	emit zcrx stream "$2" "$1" steps_per_mib "$(calc 'a/b' "$steps" "$mib")"
	if [ "$2" = zcrx ]; then
		emit zcrx stream "$2" "$1" flushes_per_mib "$(calc 'a/b' "${flushes:-0}" "$mib")"
		emit zcrx stream "$2" "$1" flush_time_pct "$(calc 'a/10/b' "${fms:-0}" "$secs")"
	fi
	NOTE="$NOTE $2 $(calc 'a/b' "$mib" "$secs")"
}

wl_zcrx() { # rep
	for f in $B/progs/zcrx_sink.bpf.o $B/samples/zcrx-client; do
		have "$f" || { [ "$1" = 1 ] && skip zcrx "$f is not built"; return; }
	done
	if ! $B/iouops probe 2>/dev/null | grep -q '^zcrx.*: yes'; then
		[ "$1" = 1 ] && skip zcrx "kernel has no device-less zcrx"
		return
	fi
	NOTE=""
	for c in $(order "$1" zcrx recv); do
		zcrx_run "$1" $c
	done
	progress zcrx stream "$1" "MiB/s"
}

# ---------------------------------------------------------------- main
header
# One unrecorded pass first: the first run of anything in a fresh VM pays
# for page faults and, under TCG, for translating the code it runs.
WARMUP=1
for w in $(echo "$WORKLOADS" | tr ',' ' '); do
	case $w in
	nop | load | echo | copy | mbox | zcrx | http) wl_$w 0 ;;
	*) echo "bench: unknown workload '$w'" >&2; exit 2 ;;
	esac
done
WARMUP=0
rep=1
while [ $rep -le "$REPS" ]; do
	for w in $(echo "$WORKLOADS" | tr ',' ' '); do
		case $w in
		nop | load | echo | copy | mbox | zcrx | http) wl_$w $rep ;;
		*) echo "bench: unknown workload '$w'" >&2; exit 2 ;;
		esac
	done
	rep=$((rep + 1))
done
[ "$PROFILE" = 1 ] && wl_profile
rm -rf "$TMP"
exit $FAILED
