# shellcheck shell=dash # sourced by bench/guest.sh (busybox ash, as dash)
# bench/workloads/zcrx.sh: the zcrx workload, one TCP stream received.
# One TCP receiver, progs/zcrx_sink.bpf.c, two ways: device-less zcrx
# (--zcrx: RECV_ZC, refill queue written from BPF, flushed by the loader
# when the program stops the enter for it) vs multishot recv into a
# buffer ring (no --zcrx). Every byte of the seeded stream is checked by
# the program in both. Client on vCPU 0. MiB/s of the sink's run, steps
# per MiB, and for zcrx the flushes per MiB and their share of the time.
if [ "$QUICK" = 1 ]; then ZCRX_MIB=16; else ZCRX_MIB=256; fi

zcrx_run() { # rep case(stream) contender
	local rep=$1 c=$3 st=0 bytes steps secs flushes fms mib sink=$TMP/zsrv
	set -- "$B/iouops" load zcrx_sink
	if [ "$c" = zcrx ]; then set -- "$@" --zcrx; fi
	bench_server "$sink" ready_listening "$@" --listen 127.0.0.1:0 --set seed=7 ||
		{ fail zcrx stream "$c" "$rep" "sink did not start"; return 0; }
	run_on 0 "$B/samples/zcrx-client" -a "127.0.0.1:$PORT" -n "${ZCRX_MIB}m" \
		--seed 7 >"$OUT" 2>&1 || st=$?
	# the sink ends by itself once the stream does
	server_stop "$SRV"
	[ "$st" = 0 ] || { fail zcrx stream "$c" "$rep" "zcrx-client exited $st"; return 0; }
	[ "$SRV_STATUS" = 0 ] || { cp "$sink" "$OUT"; fail zcrx stream "$c" "$rep" "sink exited $SRV_STATUS"; return 0; }
	bytes=$(kv counters bytes "$sink") steps=$(sed -n 's/^steps: \([0-9]*\) .*/\1/p' "$sink")
	secs=$(sed -n 's/^steps: [0-9]*  time: \([0-9.]*\) s/\1/p' "$sink")
	flushes=$(kv zcrx: flushes "$sink") fms=$(kv zcrx: flush_ms "$sink")
	if [ "$bytes" != $((ZCRX_MIB * 1048576)) ] || [ -z "$secs" ]; then
		fail zcrx stream "$c" "$rep" "sink saw ${bytes:-?} bytes"
		return 0
	fi
	mib=$(calc 'a/1048576' "$bytes")
	emit zcrx stream "$c" "$rep" mib_s "$(calc 'a/b' "$mib" "$secs")"
	emit zcrx stream "$c" "$rep" steps_per_mib "$(calc 'a/b' "$steps" "$mib")"
	if [ "$c" = zcrx ]; then
		emit zcrx stream "$c" "$rep" flushes_per_mib "$(calc 'a/b' "${flushes:-0}" "$mib")"
		emit zcrx stream "$c" "$rep" flush_time_pct "$(calc 'a/10/b' "${fms:-0}" "$secs")"
	fi
	NOTE="$NOTE $c $(calc 'a/b' "$mib" "$secs")"
}

wl_zcrx() { # rep
	local f
	for f in "$B/progs/zcrx_sink.bpf.o" "$B/samples/zcrx-client"; do
		have "$f" || { if [ "$1" = 1 ]; then skip zcrx "$f is not built"; fi; return 0; }
	done
	if ! { "$B/iouops" probe 2>/dev/null || true; } | grep -c '^zcrx.*: yes' >/dev/null; then
		if [ "$1" = 1 ]; then skip zcrx "kernel has no device-less zcrx"; fi
		return 0
	fi
	run_case zcrx stream "$1" MiB/s zcrx_run "zcrx recv"
}
