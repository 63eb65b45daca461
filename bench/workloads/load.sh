# shellcheck shell=dash # sourced by bench/guest.sh (busybox ash, as dash)
# bench/workloads/load.sh: the load workload: iouops load from main() to
# the program's first step, by phase.
LOAD_PHASES="cli open probe ring region verify attach first_step load"

# READY for load_run: `iouops stat` says the program runs
ready_running() {
	case $(run_on 0 "$B/iouops" stat "$SRV" 2>/dev/null || true) in
	*': running'*) return 0 ;;
	esac
	return 1
}

# load_run PROG: run it with --timing (output in OUT), return its status.
# nops and cp end by themselves; echo and mbox run until stopped: SIGINT
# once `iouops stat` says running.
load_run() {
	local st=0
	case $1 in
	nops) run_on 1 "$B/iouops" load nops --set total=1 --set qd=1 --timing >"$OUT" 2>&1 || st=$?; return "$st" ;;
	cp)
		head -c 65536 /dev/zero >"$TMP/load-src"
		run_on 1 "$B/iouops" load cp --src "$TMP/load-src" --dst "$TMP/load-dst" --timing >"$OUT" 2>&1 || st=$?
		rm -f "$TMP/load-src" "$TMP/load-dst"
		return "$st" ;;
	echo) set -- "$B/iouops" load echo --listen 127.0.0.1:0 --timing ;;
	mbox) set -- "$B/iouops" load mbox --timing ;;
	esac
	bench_server "$OUT" ready_running "$@" || return "$SRV_STATUS"
	server_stop "$SRV" INT
	return "$SRV_STATUS"
}

wl_load() { # rep
	local prog ph v st
	for prog in nops cp echo mbox; do
		have "$B/progs/$prog.bpf.o" || continue
		NOTE=""
		st=0
		load_run "$prog" || st=$?
		if [ "$st" != 0 ]; then fail load "$prog" bpf "$1" "iouops exited $st"; continue; fi
		for ph in $LOAD_PHASES; do
			v=$(kv timing: "${ph}_ms")
			case $v in
			'' | -) fail load "$prog" bpf "$1" "no $ph time"; continue 2 ;;
			esac
			emit load "$prog" bpf "$1" "${ph}_ms" "$v"
		done
		# shellcheck disable=SC2034 # progress prints it
		NOTE=" $(kv timing: load_ms)"
		progress load "$prog" "$1" "ms to the first step"
	done
}
