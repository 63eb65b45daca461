#!/bin/sh
# shellcheck shell=dash # busybox ash in the guest, which has pipefail as dash has
# run-cp-bench.sh [MIB] - the same copy three ways, at several queue
# depths: progs/cp.bpf.c (iouops load cp), samples/cp-uring (userspace
# liburing loop, same QD and block size) and cp(1). Every copy is
# compared with cmp. Run it in the VM:
#	scripts/vm --mem 3G --copy samples/run-cp-bench.sh -- sh samples/run-cp-bench.sh 256
# Under TCG only the ratios between the lines mean anything.
set -euo pipefail
mib=${1:-256}
bs=131072
build=$(cd "$(dirname "$0")/../build" && pwd)
dir=$(mktemp -d /tmp/cp-bench.XXXXXX)
trap 'rm -rf "$dir"' EXIT
head -c $((mib * 1024 * 1024)) /dev/urandom > "$dir/src"
now() { cut -d' ' -f1 /proc/uptime; }
for qd in 1 8 32; do
	"$build/iouops" load cp --src "$dir/src" --dst "$dir/bpf" \
		--set qd="$qd" --set bs="$bs" | sed -n 's/^EXIT: done (\(.*\)) .*/bpf:      \1/p'
	cmp "$dir/src" "$dir/bpf"
	rm "$dir/bpf"
	"$build/samples/cp-uring" -q "$qd" -b "$bs" "$dir/src" "$dir/uring"
	cmp "$dir/src" "$dir/uring"
	rm "$dir/uring"
done
t0=$(now); cp "$dir/src" "$dir/cp"; t1=$(now)
cmp "$dir/src" "$dir/cp"
echo "cp(1):    $mib MiB in $(echo "$t0 $t1" | awk '{printf "%.2f s = %.1f MiB/s", $2-$1, '"$mib"'/($2-$1)}')"
