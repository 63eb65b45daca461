#!/bin/sh
# shellcheck shell=dash # busybox ash in the guest, which has local and pipefail as dash has
# SPDX-License-Identifier: GPL-2.0
# bench/guest.sh: the benchmark driver that runs INSIDE the VM, started by
# scripts/bench (make bench) through scripts/vm. One guest run measures
# every workload with every contender, repetitions interleaved: rep 1 of
# every case, then rep 2..., and inside a case the contenders alternate
# order (A B, then B A) so that drift hits them alike.
#
# It prints human progress lines and machine lines, which the host splits
# (bench/report.awk and scripts/bench read them: keep their format):
#	@h,KEY,VALUE				header (kernel, vCPUs, memory)
#	@r,WORKLOAD,CASE,CONTENDER,REP,METRIC,VALUE	one measurement
#	@f,WORKLOAD,CASE,CONTENDER,REP,REASON	a contender failed
#	@s,WORKLOAD,REASON			a workload was skipped
#	@p,WORKLOAD,CASE,CONTENDER,SAMPLES,STACK	a folded call stack (-P)
# and exits 1 if any contender failed, 2 on bad usage.
#
# usage: bench/guest.sh [-q] [-P] [-r REPS] [-w WORKLOAD,...] [-n QDS] [-x NAME=OBJ]...
#	-q	quick: small sizes, 2 reps (the smoke test in make test)
#	-P	profile: after the reps, one run of every profiled case under
#		perf record (cpu-clock, call graphs, the contenders' vCPU
#		only); folded stacks come back as @p lines
#	-n	NOP queue depths (default "1,8,64,256")
#	-r	repetitions (default 5, quick 2)
#	-w	workloads to run (default: all of WORKLOADS_ALL, in its order)
#	-x	one more NOP contender: another build of nops.bpf.o (to compare
#		two versions in one run, e.g. before and after a change)
set -euo pipefail

# ---------------------------------------------------------------- registry
# The one list of workloads, in a run's default order (scripts/bench reads
# this line). Each NAME is bench/workloads/NAME.sh, which defines wl_NAME
# REP (one rep of all its cases; rep 0 is the unrecorded warm-up) and may
# define prof_NAME (its cases once more under perf, -P). A workload is added
# by writing its file and naming it here.
WORKLOADS_ALL="nop load echo copy mbox zcrx http"

is_workload() { case " $WORKLOADS_ALL " in *" $1 "*) return 0 ;; esac; return 1; }

usage() {
	echo "usage: bench/guest.sh [-q] [-P] [-r REPS] [-w WORKLOAD,...] [-n QDS] [-x NAME=OBJ]" >&2
	exit 2
}

# parse_args ARGS...: QUICK PROFILE REPS WORKLOADS NOP_QDS NOP_EXTRA
# shellcheck disable=SC2034 # NOP_QDS: bench/workloads/nop.sh reads it
parse_args() {
	local opt w
	QUICK=0 PROFILE=0 REPS="" WORKLOADS=$WORKLOADS_ALL NOP_QDS="1 8 64 256" NOP_EXTRA=""
	while getopts qPr:w:x:n: opt; do
		case $opt in
		q) QUICK=1 ;;
		P) PROFILE=1 ;;
		n) NOP_QDS=$(echo "$OPTARG" | tr ',' ' ') ;;
		r) REPS=$OPTARG ;;
		w) WORKLOADS=$(echo "$OPTARG" | tr ',' ' ') ;;
		x) NOP_EXTRA="$NOP_EXTRA $OPTARG" ;;
		*) usage ;;
		esac
	done
	if [ -z "$REPS" ]; then
		if [ "$QUICK" = 1 ]; then REPS=2; else REPS=5; fi
	fi
	for w in $WORKLOADS; do
		is_workload "$w" || { echo "bench: unknown workload '$w'" >&2; exit 2; }
	done
}
# first: the workloads' sizes depend on -q
parse_args "$@"

BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
B=${IOUOPS_BUILD:-build}
FAILED=0
TMP=$(mktemp -d /tmp/bench.XXXXXX)
OUT=$TMP/out
: >"$OUT"
# however the run ends: no server or perf left running, no files (cleanup)
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Pin the contenders to one vCPU: no migration in the middle of a run.
PIN=""
if [ "$(nproc)" -gt 1 ] && command -v taskset >/dev/null; then
	PIN="taskset -c 1"
fi
# run_on CPU CMD...: CMD on vCPU CPU (contenders and servers 1, clients 0)
# when pinning, else anywhere; CMD is exec'd by taskset, never wrapped
run_on() {
	local cpu=$1
	shift
	if [ -n "$PIN" ]; then set -- taskset -c "$cpu" "$@"; fi
	"$@"
}

# ---------------------------------------------------------------- output
WARMUP=0
emit() { [ "$WARMUP" = 1 ] || echo "@r,$1,$2,$3,$4,$5,$6"; }
fail() {
	echo "@f,$1,$2,$3,$4,$5"
	echo "  FAILED: $1 $2 $3 rep $4: $5"
	if [ -s "$OUT" ]; then sed 's/^/    | /' "$OUT" | tail -n 8; fi
	FAILED=1
}
skip() { echo "@s,$1,$2"; echo "  skipped $1: $2"; }
# kv PREFIX KEY [FILE]: the value of KEY=VALUE on the last line of FILE
# (default OUT) that starts with PREFIX
kv() { { sed -n "s/^$1.* $2=\([^ ]*\).*/\1/p" "${3:-$OUT}" || true; } | tail -n 1; }
# word NAME TEXT: the value of the first NAME=VALUE word of TEXT
word() { echo "$2" | tr ' ' '\n' | sed -n "s/^$1=//p" | sed -n 1p; }
# awk arithmetic on numbers: calc 'a/b' A B; empty when awk cannot
calc() { awk -v a="$2" -v b="${3:-0}" -v c="${4:-0}" "BEGIN { printf \"%.6g\", $1 }" || true; }
# order REP "A B...": the contenders in a rep-dependent order, odd reps
# as given, even reps reversed
order() {
	if [ $(($1 % 2)) = 1 ]; then echo "$2"; else echo "$2" | awk '{ for (i = NF; i > 0; i--) printf "%s%s", $i, (i > 1 ? " " : "\n") }'; fi
}
have() { [ -x "$1" ] || [ -f "$1" ]; }
# one human line per case: progress WORKLOAD CASE REP UNIT (NOTE: results)
NOTE=""
progress() {
	if [ "$WARMUP" = 1 ]; then echo "  $1 $2 warm-up:$NOTE $4"
	else echo "  $1 $2 rep $3/$REPS:$NOTE $4"; fi
}
# run_case WORKLOAD CASE REP UNIT RUN CONTENDERS: one case of one rep: RUN
# REP CASE CONTENDER for each of CONTENDERS (a list) in the rep's order,
# each adding its result to NOTE, then the case's progress line
run_case() {
	local c
	NOTE=""
	for c in $(order "$3" "$6"); do "$5" "$3" "$2" "$c"; done
	progress "$1" "$2" "$3" "$4"
}

# ---------------------------------------------------------------- costs
# Counted costs per operation (bench/costs): in the unrecorded warm-up pass
# the syscalls (counting them slows every syscall down, so never in a timed
# rep); in every timed rep the CPU time (user, system, runtime: under
# -icount guest instructions) and context switches.
COSTS=$B/tools/costs
have "$COSTS" || COSTS=""
# costed CPU [-p PID] CMD...: run_on, with bench/costs counting the costs
# of CMD (or, -p, of the server PID while CMD, its client, runs)
costed() {
	local cpu=$1 pid=""
	shift
	if [ "$1" = -p ]; then pid=$2; shift 2; fi
	if [ -n "$COSTS" ]; then
		if [ -n "$pid" ]; then set -- -p "$pid" -- "$@"; else set -- -- "$@"; fi
		if [ "$WARMUP" = 1 ]; then set -- "$COSTS" -s "$@"; else set -- "$COSTS" "$@"; fi
	fi
	run_on "$cpu" "$@"
}
# emit_costs WORKLOAD CASE CONTENDER REP OPS: from the costs: line of OUT
emit_costs() {
	local sc
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

# ---------------------------------------------------------------- servers
# one at a time, never left behind (scripts/guest-server.sh)
# shellcheck source=../scripts/guest-server.sh
. "$BENCH_DIR/../scripts/guest-server.sh"

# bench_server LOG READY CMD...: server_start on vCPU 1; when it fails,
# the server's output goes to OUT for fail's excerpt
bench_server() {
	local log=$1 ready=$2
	shift 2
	if [ -n "$PIN" ]; then set -- taskset -c 1 "$@"; fi
	server_start "$log" "$ready" "$@" && return 0
	[ "$log" = "$OUT" ] || cp "$log" "$OUT"
	return 1
}

# the @h lines
header() {
	echo "@h,kernel,$(uname -r)"
	echo "@h,vcpus,$(nproc)"
	echo "@h,mem_mib,$(awk '/^MemTotal/ { printf "%d", $2 / 1024 }' /proc/meminfo)"
	echo "@h,cpu,$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | sed -n 1p | tr ',' ' ')"
	echo "@h,pinned,${PIN:-no}"
	echo "@h,reps,$REPS"
	echo "@h,cp,$CP_DESC"
	echo "@h,quick,$QUICK"
}

# ---------------------------------------------------------------- profile
# -P: one more run of the profiled cases under perf record: cpu-clock
# samples with call graphs on the contenders' vCPU only (perf itself runs
# on the other one), started disabled and enabled through its control fifo
# just before the contender starts (a server: just before its client).
# BPF programs show as bpf_prog_* (net.core.bpf_jit_kallsyms). Folded
# stacks (bench/fold.awk) go to the host as @p lines.
PERF=$(command -v perf 2>/dev/null || true)
if [ -z "$PERF" ]; then
	for p in /usr/bin/perf_[0-9]*; do [ -x "$p" ] && PERF=$p; done
fi
PERF_PID=""
PROF_HZ=2000

prof_start() {
	rm -f "$TMP/perf.data" "$TMP/perf.ctl" "$TMP/perf.ack"
	mkfifo "$TMP/perf.ctl" "$TMP/perf.ack" || return 1
	taskset -c 0 "$PERF" record -e cpu-clock -F "$PROF_HZ" -C 1 -g -D -1 -B -N \
		--control "fifo:$TMP/perf.ctl,$TMP/perf.ack" \
		-o "$TMP/perf.data" >"$TMP/perf.log" 2>&1 &
	PERF_PID=$!
	# the fifo opens once perf listens: a perf that fails never does
	# shellcheck disable=SC2016 # $1 and $2 are the inner shell's
	timeout 60 sh -c 'echo enable >"$1" && read -r _ <"$2"' - "$TMP/perf.ctl" "$TMP/perf.ack" ||
		{ echo "  profile: perf did not start: $(tail -n 1 "$TMP/perf.log")"; prof_kill; return 1; }
}

# prof_stop WORKLOAD CASE CONTENDER: stop perf, send the folded stacks
prof_stop() {
	kill -INT "$PERF_PID" 2>/dev/null || true
	wait "$PERF_PID" || true
	PERF_PID=""
	if [ ! -s "$TMP/perf.data" ]; then
		echo "  profile $1 $2 $3: perf recorded nothing: $(tail -n 1 "$TMP/perf.log")"
		return 1
	fi
	{ "$PERF" script --no-inline -i "$TMP/perf.data" -F comm,ip,sym 2>/dev/null || true; } |
		awk -f "$BENCH_DIR/fold.awk" | sort | uniq -c |
		awk -v p="@p,$1,$2,$3," '{ n = $1; sub(/^ *[0-9]+ /, ""); print p n "," $0 }'
	echo "  profile $1 $2 $3: done"
}

# prof_kill: stop a perf that still runs (a failed start, the end of the run)
prof_kill() {
	[ -n "$PERF_PID" ] || return 0
	kill "$PERF_PID" 2>/dev/null || true
	wait "$PERF_PID" 2>/dev/null || true
	PERF_PID=""
}

wl_profile() {
	local w
	if [ -z "$PERF" ]; then
		echo "@s,profile,perf is not in the guest"
		return 0
	fi
	[ "$(nproc)" -gt 1 ] || { echo "@s,profile,needs 2 vCPUs"; return 0; }
	sysctl -qw net.core.bpf_jit_kallsyms=1 kernel.kptr_restrict=0 \
		kernel.perf_event_paranoid=-1 2>/dev/null || true
	for w in $WORKLOADS; do
		if command -v "prof_$w" >/dev/null; then "prof_$w"; fi
	done
}

# ---------------------------------------------------------------- workloads
# each workload's file (after the options: their sizes depend on -q)
for w in $WORKLOADS_ALL; do
	# shellcheck source=/dev/null # bench/workloads/*.sh, each checked on its own
	. "$BENCH_DIR/workloads/$w.sh"
done

# ---------------------------------------------------------------- main
cleanup() {
	servers_kill_all
	prof_kill
	rm -rf "$TMP"
}

main() {
	local w rep
	header
	# One unrecorded pass first: the first run of anything in a fresh VM
	# pays for page faults and, under TCG, for translating the code it runs.
	WARMUP=1
	for w in $WORKLOADS; do "wl_$w" 0; done
	WARMUP=0
	rep=1
	while [ "$rep" -le "$REPS" ]; do
		for w in $WORKLOADS; do "wl_$w" "$rep"; done
		rep=$((rep + 1))
	done
	if [ "$PROFILE" = 1 ]; then wl_profile; fi
	return "$FAILED"
}

# its status is the script's: 1 when a contender failed
main
