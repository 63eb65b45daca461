# shellcheck shell=bash
# scripts/lib.sh: what the bash scripts of scripts/ share. Sourced, never
# run; each script finds it beside itself (`make install` puts it next to
# vm and get-kernel in PREFIX/lib/iouops/):
#	. "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib.sh"
# Set prog=NAME before sourcing: every message starts with "NAME: ".
#
# Exit statuses mean the same in every script: 0 done, 1 failed (die),
# 2 called wrong: an unknown option or a bad value (die_usage). scripts/vm
# alone differs, as its --help says: its COMMAND's status passes through,
# so it sets E_FAIL and E_USAGE to 125 after sourcing this.

# The default kernel series: what scripts/get-kernel fetches when named
# nothing and links as the cache's "default", what scripts/setup fetches,
# what scripts/vm boots by default. The one place that names it; the
# Makefile and the other scripts read it from here.
# shellcheck disable=SC2034 # read by the scripts that source this
IOUOPS_DEFAULT_SERIES=7.3

# The cache: kernels, apt lists, initramfs parts, the KVM probe's result.
IOUOPS_CACHE_DIR=${IOUOPS_CACHE:-$HOME/.cache/iouops}

# The folder holding this file and the scripts beside it.
# shellcheck disable=SC2034 # read by the scripts that source this
IOUOPS_SCRIPTS=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd -P)

prog=${prog:-${0##*/}}
E_FAIL=1 E_USAGE=2

die() { echo "$prog: $*" >&2; exit "$E_FAIL"; }
die_usage() { echo "$prog: $*" >&2; exit "$E_USAGE"; }
say() { echo "$prog: $*"; }
note() { echo "$prog: $*" >&2; }
warn() { echo "$prog: warning: $*" >&2; }

# need_value OPTION ARGS...: an option that takes a value has one after it
need_value() { (($# >= 2)) || die_usage "option '$1' needs a value (see --help)"; }

# ---------------------------------------------------------------- exit
# at_exit FUNCTION: call FUNCTION when the script ends, however it ends
# (the last line, exit, die, Ctrl-C, kill), the last registered first.
# INT and TERM end the script with 130 and 143 unless it traps them itself
# after its first at_exit.
_AT_EXIT=()
at_exit() {
	_AT_EXIT=("$1" ${_AT_EXIT[@]+"${_AT_EXIT[@]}"})
	trap _run_at_exit EXIT
	((${#_AT_EXIT[@]} > 1)) && return 0
	trap 'exit 130' INT
	trap 'exit 143' TERM
}
_run_at_exit() {
	local f
	for f in ${_AT_EXIT[@]+"${_AT_EXIT[@]}"}; do "$f" || true; done
}

# make_tmp: a private folder for this run (mktemp, honours TMPDIR) in
# $TMP_DIR, removed with everything in it when the script ends. Scripts that
# run as root write nothing under fixed names in /tmp.
make_tmp() {
	TMP_DIR=$(mktemp -d "${TMPDIR:-/tmp}/iouops-$prog.XXXXXX") ||
		die "cannot create a temporary folder in ${TMPDIR:-/tmp}"
	at_exit _remove_tmp
}
_remove_tmp() { [[ -z ${TMP_DIR:-} ]] || rm -rf "$TMP_DIR"; }

# ---------------------------------------------------------------- kernels
# How the user fetches a kernel; scripts/vm, run as `iouops vm`, says
# "iouops get-kernel" instead.
GET_KERNEL_CMD=${GET_KERNEL_CMD:-scripts/get-kernel}

# kernel_image K: KERNEL_IMAGE, the image file a kernel name means: a path
# (it has a '/'), a name in the cache, else an existing file; dies naming
# what to fetch
kernel_image() {
	local k=$1 hint
	KERNEL_IMAGE=$IOUOPS_CACHE_DIR/kernels/$k/vmlinuz
	case $k in
	*/*) KERNEL_IMAGE=$k ;;
	*)
		[[ -f $KERNEL_IMAGE ]] && return 0
		if [[ -f $k ]]; then
			KERNEL_IMAGE=$k
			return 0
		fi
		hint=$k
		[[ $k == default ]] && hint=$IOUOPS_DEFAULT_SERIES
		die "kernel '$k' is not in $IOUOPS_CACHE_DIR/kernels: run $GET_KERNEL_CMD $hint" ;;
	esac
}

# ---------------------------------------------------------------- apt
# os_release KEY: a value of /etc/os-release (ID, VERSION_CODENAME...)
os_release() {
	[[ -r /etc/os-release ]] || return 0
	sed -n "s/^$1=//p" /etc/os-release | tr -d '"' | head -n 1
}

# apt_source_uri SUITE [DIR]: the archive URI of the first binary ("deb")
# source in the system's apt configuration (DIR, default /etc/apt) that
# carries SUITE, in deb822 files (*.sources; a stanza with "Enabled: no"
# does not count) and then one-line files (sources.list, *.list); nothing
# when none does.
apt_source_uri() {
	local suite=$1 etc=${2:-/etc/apt} f uri
	shopt -s nullglob
	local sources=("$etc"/sources.list.d/*.sources) lists=("$etc"/sources.list "$etc"/sources.list.d/*.list)
	shopt -u nullglob
	for f in ${sources[@]+"${sources[@]}"}; do
		[[ -r $f ]] || continue
		uri=$(awk -v suite="$suite" '
			function has(list, word) { return (" " list " ") ~ ("[ \t]" word "[ \t]") }
			function flush() {
				if (has(types, "deb") && has(suites, suite) && enabled != "no" && uris != "" && !found) {
					split(uris, u, " "); print u[1]; found = 1
				}
				types = ""; suites = ""; uris = ""; enabled = ""
			}
			/^[ \t]*#/ { next }
			/^[ \t]*$/ { flush(); next }
			{ line = $0; sub(/^[^:]*:[ \t]*/, "", line); key = tolower($1) }
			key == "types:"   { types = line }
			key == "suites:"  { suites = line }
			key == "uris:"    { uris = line }
			key == "enabled:" { enabled = tolower(line) }
			END { flush() }' "$f")
		[[ -n $uri ]] && { echo "$uri"; return 0; }
	done
	for f in "${lists[@]}"; do
		[[ -r $f ]] || continue
		uri=$(awk -v suite="$suite" '
			$1 != "deb" { next }
			{ i = 2; if ($2 ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ } }
			$(i + 1) == suite { print $i; exit }' "$f")
		[[ -n $uri ]] && { echo "$uri"; return 0; }
	done
	return 0
}

# debian_mirror: the archive URI of the system's own release (the source
# that carries its codename), never a host name written into the project
debian_mirror() {
	local codename
	codename=$(os_release VERSION_CODENAME)
	apt_source_uri "${codename:-bookworm}"
}
