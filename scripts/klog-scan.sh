# shellcheck shell=bash
# scripts/klog-scan.sh: the guest kernel log scanner of scripts/vm (sourced;
# `scripts/vm --scan-log FILE` runs it alone). A WARN leaves the guest
# running and the test exiting 0: only the log tells, so a splat fails the
# run whatever the command's status was.
#
# klog_scan FILE: prints the lines that mean the kernel is unhappy (at most
# 40, indented, on stderr) and returns 1; returns 0 for a clean log. Kernel
# bugs listed in known-kernel-issues (beside this file) are named in a note
# instead, and IOUOPS_VM_LOG_IGNORE (an extended regex) drops lines too.

# Lines that mean the kernel is unhappy, and known-benign lines that match.
KLOG_SPLAT_RE='WARNING:|BUG:|Oops|KASAN|UBSAN:|kernel BUG at|general protection fault|Kernel panic|Call Trace:|RCU stall|rcu_sched self-detected stall|rcu: INFO:|self-detected stall|possible circular locking|possible recursive locking|INFO: task .* blocked for more than|Unable to handle kernel|unreferenced object|refcount_t:|list_add corruption|list_del corruption'
KLOG_BENIGN_RE='RETBleed: WARNING:|Spectre V2 : WARNING:|WARNING: Unprivileged eBPF is enabled'

# Splats listed in known-kernel-issues (kernel bugs we traced and reported)
# are dropped whole, from their first line to their end-trace marker, and
# named in a note instead; anything else still counts.
KLOG_KNOWN_ISSUES=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/known-kernel-issues

# klog_drop_known FILE: the log without known splats; notes on stderr
klog_drop_known() {
	local re=""
	if [[ -r $KLOG_KNOWN_ISSUES ]]; then
		re=$({ grep -v '^#' "$KLOG_KNOWN_ISSUES" || true; } | cut -f1 | paste -sd'|')
	fi
	if [[ -z $re ]]; then
		cat "$1"
		return
	fi
	awk -v re="$re" -v prog="${prog:?}" '
		skip && /---\[ end trace/ { skip = 0; next }
		skip && ++n > 200 { skip = 0 }
		skip { next }
		$0 ~ re { skip = 1; n = 0
			  printf "%s: known kernel issue, not counted (see scripts/known-kernel-issues): %s\n", prog, $0 > "/dev/stderr"
			  next }
		{ print }' "$1"
}

klog_scan() {
	local hits
	hits=$(klog_drop_known "$1" | grep -aE "$KLOG_SPLAT_RE" | grep -avE "$KLOG_BENIGN_RE" || true)
	if [[ -n ${IOUOPS_VM_LOG_IGNORE:-} && -n $hits ]]; then
		hits=$(grep -avE "$IOUOPS_VM_LOG_IGNORE" <<<"$hits" || true)
	fi
	[[ -z $hits ]] && return 0
	printf '%s\n' "$hits" | tr -d '\r' | head -n 40 | sed 's/^/  /' >&2
	return 1
}
