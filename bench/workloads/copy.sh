# shellcheck shell=dash # sourced by bench/guest.sh (busybox ash, as dash)
# bench/workloads/copy.sh: the copy workload, one file copied.
# iouops load cp vs cp-uring (same QD, 128 KiB blocks) vs cp(1) (GNU cp
# when scripts/bench could copy it in, else busybox's), one file in the
# guest's RAM-backed /tmp. Every copy is compared with cmp, then removed.
if [ "$QUICK" = 1 ]; then COPY_MIB=16; else COPY_MIB=256; fi
COPY_QDS="1 8" COPY_BS=131072
COPY_DIR=/tmp/bench-copy
# busybox sh runs its own cp applet for `cp`: name the file to get GNU cp
# shellcheck disable=SC2034 # CP_DESC: bench/guest.sh's header says it
CP=busybox CP_APPLET=cp CP_DESC="busybox cp"
CP_VERSION=$(/usr/bin/cp --version 2>/dev/null | sed -n 1p || true)
# shellcheck disable=SC2034 # CP_DESC: bench/guest.sh's header says it
case $CP_VERSION in
*GNU*) CP=/usr/bin/cp CP_APPLET="" CP_DESC="GNU cp ($(echo "$CP_VERSION" | sed 's/.*) //'))" ;;
esac

copy_run() { # rep case contender
	local rep=$1 ncase=$2 c=$3 dst=$COPY_DIR/dst secs mib
	case $c in
	bpf)
		run_on 1 "$B/iouops" load cp --src "$COPY_DIR/src" --dst "$dst" \
			--set qd="${ncase#qd}" --set bs="$COPY_BS" --timing >"$OUT" 2>&1 ||
			{ fail copy "$ncase" bpf "$rep" "iouops exited $?"; rm -f "$dst"; return 0; }
		grep -q '^EXIT: done' "$OUT" || { fail copy "$ncase" bpf "$rep" "program did not finish"; rm -f "$dst"; return 0; }
		secs=$(calc 'a/1000' "$(kv timing: run_ms)") ;;
	uring)
		run_on 1 "$B/samples/cp-uring" -q "${ncase#qd}" -b "$COPY_BS" "$COPY_DIR/src" "$dst" >"$OUT" 2>&1 ||
			{ fail copy "$ncase" uring "$rep" "cp-uring exited $?"; rm -f "$dst"; return 0; }
		secs=$(sed -n 's/.* in \([0-9.]*\) s.*/\1/p' "$OUT") ;;
	cp)
		run_on 1 "$B/tools/timeit" "$CP" ${CP_APPLET:+"$CP_APPLET"} "$COPY_DIR/src" "$dst" >"$OUT" 2>&1 ||
			{ fail copy "$ncase" cp "$rep" "cp exited $?"; rm -f "$dst"; return 0; }
		secs=$(sed -n 's/^timeit: \([0-9.]*\) s/\1/p' "$OUT") ;;
	esac
	if ! cmp "$COPY_DIR/src" "$dst" >"$OUT" 2>&1; then
		fail copy "$ncase" "$c" "$rep" "the copy differs from the source"
		rm -f "$dst"
		return 0
	fi
	rm -f "$dst"
	[ -n "$secs" ] || { fail copy "$ncase" "$c" "$rep" "no time in the output"; return 0; }
	mib=$(calc 'a/b' "$COPY_MIB" "$secs")
	emit copy "$ncase" "$c" "$rep" mib_s "$mib"
	NOTE="$NOTE $c $(calc 'a' "$mib")"
}

wl_copy() { # rep
	local f qd
	for f in "$B/progs/cp.bpf.o" "$B/samples/cp-uring" "$B/tools/timeit"; do
		have "$f" || { if [ "$1" = 1 ]; then skip copy "$f is not built"; fi; return 0; }
	done
	if [ ! -f "$COPY_DIR/src" ]; then
		mkdir -p "$COPY_DIR"
		head -c $((COPY_MIB * 1024 * 1024)) /dev/urandom >"$COPY_DIR/src"
		[ "$(wc -c <"$COPY_DIR/src")" = $((COPY_MIB * 1024 * 1024)) ] ||
			{ fail copy setup - "$1" "cannot make the $COPY_MIB MiB source"; return 0; }
	fi
	for qd in $COPY_QDS; do
		run_case copy "qd$qd" "$1" MiB/s copy_run "bpf uring"
	done
	NOTE=""
	copy_run "$1" cp cp
	progress copy "cp(1)" "$1" "MiB/s"
}
