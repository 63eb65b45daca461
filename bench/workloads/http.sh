# shellcheck shell=dash # sourced by bench/guest.sh (busybox ash, as dash)
# bench/workloads/http.sh: the http workload, HTTP servers.
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
NGINX=$(command -v nginx || { [ -x /usr/sbin/nginx ] && echo /usr/sbin/nginx; } || true)

# READY for nginx: TCP port HTTP_PORT listens (/proc/net/tcp, state 0A)
ready_nginx() {
	local hex
	hex=$(printf '%04X' "$HTTP_PORT")
	grep -q ":$hex 00000000:0000 0A" /proc/net/tcp 2>/dev/null || return 1
	PORT=$HTTP_PORT
}

http_nginx_conf() { # sendfile(on|off)
	mkdir -p "$HTTP_DIR/ng"
	# nginx running as root looks up its user even with no workers to
	# switch: the busybox guest has no passwd file
	[ -f /etc/passwd ] || printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >/etc/passwd
	[ -f /etc/group ] || printf 'root:x:0:\nnogroup:x:65534:\n' >/etc/group
	cat >"$HTTP_DIR/ng/nginx.conf" <<NGX
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

# http_server CONTENDER: start it (bench_server: SRV, PORT)
http_server() {
	case $1 in
	bpf) bench_server "$TMP/srv" ready_listening "$B/iouops" load http --listen 127.0.0.1:0 --root "$HTTP_DIR/root" ;;
	uring) bench_server "$TMP/srv" ready_listening "$B/samples/http-uring" --listen 127.0.0.1:0 --root "$HTTP_DIR/root" ;;
	nginx | nginx_sf)
		if [ "$1" = nginx ]; then http_nginx_conf off; else http_nginx_conf on; fi
		bench_server "$TMP/srv" ready_nginx "$NGINX" -e "$HTTP_DIR/ng/error.log" -c "$HTTP_DIR/ng/nginx.conf" ;;
	esac
}

# utime + stime of process $1, in clock ticks
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || true; }
# a wrk latency ("123.45us", "1.2ms", "2s") in microseconds
to_us() {
	echo "$1" | awk '/us$/ { printf "%g", $0 + 0; exit } /ms$/ { printf "%g", ($0 + 0) * 1000; exit }
		/s$/ { printf "%g", ($0 + 0) * 1000000; exit }'
}

http_run() { # rep case contender
	local rep=$1 ncase=$2 c=$3 file=${2%_*} conns=${2#*_c} st=0 t0 t1 reqs rps p50 p99
	http_server "$c" || { fail http "$ncase" "$c" "$rep" "server did not start"; return 0; }
	t0=$(cpu_ticks "$SRV")
	run_on 0 "$WRK" -t 1 -c "$conns" -d "${HTTP_SECS}s" --timeout 10s --latency \
		"http://127.0.0.1:$PORT/$file.bin" >"$OUT" 2>&1 || st=$?
	t1=$(cpu_ticks "$SRV")
	server_stop "$SRV" INT
	[ "$st" = 0 ] || { fail http "$ncase" "$c" "$rep" "wrk exited $st"; return 0; }
	if grep -q 'Non-2xx\|Socket errors' "$OUT"; then
		fail http "$ncase" "$c" "$rep" "wrk saw errors or non-2xx answers"; return 0
	fi
	reqs=$(sed -n 's/^ *\([0-9][0-9]*\) requests in.*/\1/p' "$OUT")
	rps=$(sed -n 's/^Requests\/sec: *//p' "$OUT")
	p50=$(to_us "$(awk '$1 == "50%" { print $2 }' "$OUT")")
	p99=$(to_us "$(awk '$1 == "99%" { print $2 }' "$OUT")")
	if [ -z "$reqs" ] || [ -z "$rps" ]; then fail http "$ncase" "$c" "$rep" "no wrk result"; return 0; fi
	if [ "$reqs" = 0 ]; then
		# a smoke run under a loaded TCG host may not complete one
		# request in its few seconds: note it; a real run fails
		if [ "$QUICK" = 1 ]; then NOTE="$NOTE $c (none done)"; return 0; fi
		fail http "$ncase" "$c" "$rep" "wrk completed no request"; return 0
	fi
	emit http "$ncase" "$c" "$rep" req_s "$rps"
	emit http "$ncase" "$c" "$rep" p50_us "$p50"
	emit http "$ncase" "$c" "$rep" p99_us "$p99"
	if [ -n "$t0" ] && [ -n "$t1" ]; then
		emit http "$ncase" "$c" "$rep" cpu_us_req "$(calc "(b-a)*1000000/$HZ/c" "$t0" "$t1" "$reqs")"
	fi
	NOTE="$NOTE $c $(calc 'a' "$rps")"
}

wl_http() { # rep
	local f contenders ncase
	for f in "$B/progs/http.bpf.o" "$B/samples/http-uring"; do
		have "$f" || { if [ "$1" = 1 ]; then skip http "$f is not built"; fi; return 0; }
	done
	[ -n "$WRK" ] || { if [ "$1" = 1 ]; then skip http "wrk is not in the guest"; fi; return 0; }
	# a smoke run measures nothing: no warm-up pass (16 server starts
	# under TCG instead of 24)
	if [ "$QUICK" = 1 ] && [ "$1" = 0 ]; then return 0; fi
	if [ ! -d "$HTTP_DIR/root" ]; then
		mkdir -p "$HTTP_DIR/root"
		head -c 100 /dev/urandom >"$HTTP_DIR/root/f100.bin"
		head -c 16384 /dev/urandom >"$HTTP_DIR/root/f16k.bin"
	fi
	contenders="bpf uring"
	if [ -n "$NGINX" ]; then contenders="$contenders nginx nginx_sf"; fi
	for ncase in $HTTP_CASES; do
		run_case http "$ncase" "$1" requests/s http_run "$contenders"
	done
}
