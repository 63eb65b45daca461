// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * echo-client: drive any TCP echo server and verify every byte it echoes.
 *
 *	echo-client -a 127.0.0.1:7777 -c 64 -n 1m -s 4k -w 8
 *
 * Each of C connections sends N bytes of pseudo-random data (a stream
 * that depends on --seed and the connection number, so nothing is kept:
 * received bytes are compared with the stream regenerated at their
 * offset) in messages of S bytes, keeping up to W messages unanswered
 * (--rr: W = 1, request/response). After its last byte a connection shuts
 * its write side down and expects exactly N bytes back, then EOF.
 * A message's round trip is from the moment its last byte was written to
 * the moment its last byte came back.
 *
 * Exit status: 0 all verified; 1 mismatch, short or extra echo, error;
 * 2 usage; 3 timeout; 4 connect failed.
 * Test modes: --read-delay MS (a slow reader: reads nothing for MS ms or
 * until SIGUSR1, whichever comes first),
 * --abort K / --hangup K (the first K connections reset (SO_LINGER 0) or
 * close after sending half, unverified).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "iouops.h"
#include "sample_util.h"

enum { EX_OK, EX_FAIL, EX_USAGE, EX_TIMEOUT, EX_CONNECT };

struct conn {
	int fd;
	unsigned idx;
	uint64_t sent, recvd;
	bool connected, shut_wr, done, special;
	uint32_t events;	/* what epoll watches now */
	double *sent_at;	/* ring of W: when message j was fully written */
};

static struct {
	struct sockaddr_storage addr;
	unsigned conns, window, abort_k, hangup_k;
	uint64_t bytes, msg;
	uint64_t seed;
	double timeout, read_delay;
	bool rr, quiet;
} o = { .conns = 1, .window = 8, .bytes = 65536, .msg = 4096,
	.seed = 1, .timeout = 60 };

static double *lat;
static size_t nlat, caplat;

static uint64_t splitmix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/* Bytes [off, off + len) of connection idx's stream. */
static void stream_fill(unsigned idx, uint64_t off, uint8_t *buf, size_t len)
{
	uint64_t key = splitmix64(o.seed ^ ((uint64_t)idx << 32));

	while (len) {
		uint64_t word = splitmix64(key + off / 8);
		unsigned i = (unsigned)(off % 8);

		for (; i < 8 && len; i++, len--, off++)
			*buf++ = (uint8_t)(word >> (8 * i));
	}
}

static void add_latency(double secs)
{
	if (nlat == caplat) {
		size_t n = caplat ? caplat * 2 : 4096;
		double *g = realloc(lat, n * sizeof(*g));

		if (!g)
			return;
		lat = g;
		caplat = n;
	}
	lat[nlat++] = secs;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double pct(double p)
{
	size_t i;

	if (!nlat)
		return 0;
	i = (size_t)(p * (double)(nlat - 1) + 0.5);
	return lat[i < nlat ? i : nlat - 1];
}

static uint64_t parse_size(const char *opt, const char *s)
{
	unsigned long long v;

	if (iou_parse_size(s, &v)) {
		fprintf(stderr, "echo-client: %s: '%s' is not a size\n", opt, s);
		exit(EX_USAGE);
	}
	return v;
}

static void usage(FILE *f)
{
	fprintf(f,
"usage: echo-client -a ADDR:PORT [-c CONNS] [-n BYTES] [-s MSG] [-w WINDOW]\n"
"                   [--rr] [--seed N] [--timeout SECS] [--read-delay MS]\n"
"                   [--abort K] [--hangup K] [-q]\n"
"  -a ADDR:PORT  server (IPv4:PORT or [IPv6]:PORT)\n"
"  -c CONNS      concurrent connections (default 1)\n"
"  -n BYTES      bytes each connection sends (default 64k; k/m/g)\n"
"  -s MSG        message size (default 4k)\n"
"  -w WINDOW     messages in flight per connection (default 8)\n"
"  --rr          request/response: one message at a time (-w 1)\n"
"  --read-delay MS  read nothing for MS ms or until SIGUSR1 (a slow reader)\n"
"  --abort K     the first K connections reset after sending half\n"
"  --hangup K    the first K connections close after sending half\n"
"exit: 0 verified, 1 mismatch/short/error, 2 usage, 3 timeout, 4 connect\n");
}

static void parse_args(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "addr", required_argument, NULL, 'a' },
		{ "rr", no_argument, NULL, 'r' },
		{ "seed", required_argument, NULL, 'S' },
		{ "timeout", required_argument, NULL, 't' },
		{ "read-delay", required_argument, NULL, 'd' },
		{ "abort", required_argument, NULL, 'A' },
		{ "hangup", required_argument, NULL, 'H' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	bool have_addr = false;
	int c;

	while ((c = getopt_long(argc, argv, "a:c:n:s:w:qh", lo, NULL)) != -1) {
		switch (c) {
		case 'a':
			if (iou_parse_sockaddr(optarg, &o.addr)) {
				fprintf(stderr, "echo-client: -a '%s': expected "
					"IPv4:PORT or [IPv6]:PORT\n", optarg);
				exit(EX_USAGE);
			}
			have_addr = true;
			break;
		case 'c': o.conns = (unsigned)parse_size("-c", optarg); break;
		case 'n': o.bytes = parse_size("-n", optarg); break;
		case 's': o.msg = parse_size("-s", optarg); break;
		case 'w': o.window = (unsigned)parse_size("-w", optarg); break;
		case 'r': o.rr = true; break;
		case 'S': o.seed = parse_size("--seed", optarg); break;
		case 't': o.timeout = (double)parse_size("--timeout", optarg); break;
		case 'd': o.read_delay = (double)parse_size("--read-delay", optarg) / 1000; break;
		case 'A': o.abort_k = (unsigned)parse_size("--abort", optarg); break;
		case 'H': o.hangup_k = (unsigned)parse_size("--hangup", optarg); break;
		case 'q': o.quiet = true; break;
		case 'h': usage(stdout); exit(EX_OK);
		default: usage(stderr); exit(EX_USAGE);
		}
	}
	if (optind != argc || !have_addr || !o.conns || o.conns > 100000 ||
	    !o.msg || !o.window || !o.timeout ||
	    o.abort_k + o.hangup_k > o.conns) {
		usage(stderr);
		exit(EX_USAGE);
	}
	if (o.rr)
		o.window = 1;
}

static int conn_open(struct conn *c, int ep)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLOUT, .data.ptr = c };

	c->events = ev.events;
	int one = 1;

	c->fd = socket(o.addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK |
		       SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		return -errno;
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(c->fd, (struct sockaddr *)&o.addr,
		    o.addr.ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) :
						   sizeof(struct sockaddr_in)) &&
	    errno != EINPROGRESS)
		return -errno;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev))
		return -errno;
	return 0;
}

/* The first K connections stop halfway: reset or plain close. */
static void conn_special_end(struct conn *c, int ep)
{
	if (c->idx < o.abort_k) {
		struct linger l = { .l_onoff = 1, .l_linger = 0 };

		setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
	}
	epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	c->fd = -1;
	c->done = true;
}

static int conn_send(struct conn *c, int ep, uint8_t *buf, size_t bufsz)
{
	uint64_t limit = o.bytes, inflight_max = o.msg * o.window;

	if (c->special) {	/* unverified: no window, stop halfway */
		limit = o.bytes / 2;
		inflight_max = UINT64_MAX / 2;
	}
	while (c->sent < limit && c->sent - c->recvd < inflight_max) {
		/* up to the end of the current message and the window */
		uint64_t msg_end = (c->sent / o.msg + 1) * o.msg;
		uint64_t end = msg_end < limit ? msg_end : limit;
		size_t len = (size_t)(end - c->sent);
		ssize_t n;

		if (c->recvd + inflight_max < end)
			len = (size_t)(c->recvd + inflight_max - c->sent);
		if (len > bufsz)
			len = bufsz;
		stream_fill(c->idx, c->sent, buf, len);
		n = send(c->fd, buf, len, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EAGAIN)
				return 0;
			fprintf(stderr, "echo-client: conn %u: send at %llu: %s\n",
				c->idx, (unsigned long long)c->sent,
				strerror(errno));
			return -1;
		}
		c->sent += (uint64_t)n;
		if (c->sent % o.msg == 0 || c->sent == o.bytes)
			c->sent_at[((c->sent - 1) / o.msg) % o.window] = now();
	}
	if (c->special && c->sent >= limit) {
		conn_special_end(c, ep);
		return 0;
	}
	if (c->sent == o.bytes && !c->shut_wr) {
		shutdown(c->fd, SHUT_WR);	/* the server sees EOF */
		c->shut_wr = true;
	}
	return 0;
}

static int conn_recv(struct conn *c, uint8_t *buf, uint8_t *want, size_t bufsz)
{
	for (;;) {
		ssize_t n = recv(c->fd, buf, bufsz, 0);
		uint64_t first_msg, last_msg, m;

		if (n < 0) {
			if (errno == EAGAIN)
				return 0;
			fprintf(stderr, "echo-client: conn %u: recv after %llu "
				"of %llu bytes: %s\n", c->idx,
				(unsigned long long)c->recvd,
				(unsigned long long)o.bytes, strerror(errno));
			return -1;
		}
		if (n == 0) {
			if (c->recvd != o.bytes) {
				fprintf(stderr, "echo-client: conn %u: short echo: "
					"EOF after %llu of %llu bytes\n", c->idx,
					(unsigned long long)c->recvd,
					(unsigned long long)o.bytes);
				return -1;
			}
			c->done = true;
			return 0;
		}
		if (c->recvd + (uint64_t)n > c->sent) {
			fprintf(stderr, "echo-client: conn %u: %zd bytes echoed "
				"beyond the %llu sent\n", c->idx, n,
				(unsigned long long)c->sent);
			return -1;
		}
		stream_fill(c->idx, c->recvd, want, (size_t)n);
		if (memcmp(buf, want, (size_t)n)) {
			size_t i = 0;

			while (buf[i] == want[i])
				i++;
			fprintf(stderr, "echo-client: conn %u: mismatch at byte "
				"%llu: got 0x%02x, want 0x%02x\n", c->idx,
				(unsigned long long)(c->recvd + i), buf[i],
				want[i]);
			return -1;
		}
		/* messages whose last byte just came back */
		first_msg = c->recvd / o.msg;
		last_msg = (c->recvd + (uint64_t)n) / o.msg;
		c->recvd += (uint64_t)n;
		for (m = first_msg; m < last_msg; m++)
			add_latency(now() - c->sent_at[m % o.window]);
		if (c->recvd == o.bytes && o.bytes % o.msg)
			add_latency(now() - c->sent_at[(o.bytes / o.msg) % o.window]);
	}
}

/* SIGUSR1 ends --read-delay early (a test starts reading when it is ready). */
static volatile sig_atomic_t read_now;

static void on_sigusr1(int sig)
{
	(void)sig;
	read_now = 1;
}

int main(int argc, char **argv)
{
	struct epoll_event evs[256];
	size_t bufsz = 256 * 1024;
	unsigned done = 0, i, failed = 0;
	uint64_t verified = 0;
	struct conn *cs;
	uint8_t *buf, *want;
	double start, elapsed;
	int ep, n, err;

	parse_args(argc, argv);
	if (o.read_delay > 0) {
		struct sigaction sa = { .sa_handler = on_sigusr1 };

		sigaction(SIGUSR1, &sa, NULL);
	}
	cs = calloc(o.conns, sizeof(*cs));
	buf = malloc(bufsz);
	want = malloc(bufsz);
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (!cs || !buf || !want || ep < 0) {
		perror("echo-client");
		return EX_FAIL;
	}
	start = now();
	for (i = 0; i < o.conns; i++) {
		cs[i].idx = i;
		cs[i].special = i < o.abort_k + o.hangup_k;
		cs[i].sent_at = calloc(o.window, sizeof(double));
		if (!cs[i].sent_at) {
			perror("echo-client");
			return EX_FAIL;
		}
		err = conn_open(&cs[i], ep);
		if (err) {
			fprintf(stderr, "echo-client: conn %u: connect: %s\n", i,
				strerror(-err));
			return EX_CONNECT;
		}
	}
	while (done < o.conns) {
		double left = start + o.timeout - now();
		bool reading = read_now || now() - start >= o.read_delay;

		if (left <= 0) {
			for (i = 0; i < o.conns; i++)
				if (!cs[i].done)
					fprintf(stderr, "echo-client: conn %u: timeout: "
						"sent %llu, got back %llu of %llu\n",
						i, (unsigned long long)cs[i].sent,
						(unsigned long long)cs[i].recvd,
						(unsigned long long)o.bytes);
			return EX_TIMEOUT;
		}
		/* Level-triggered: watch EPOLLOUT only while the window has
		 * room, EPOLLIN only while reading, or epoll_wait spins. */
		for (i = 0; i < o.conns; i++) {
			struct conn *c = &cs[i];
			struct epoll_event ev = { .data.ptr = c };
			bool want_out;

			if (c->done || !c->connected)
				continue;
			want_out = !c->shut_wr && (c->special ||
				c->sent - c->recvd < o.msg * o.window);
			ev.events = (reading ? EPOLLIN : 0) | (want_out ? EPOLLOUT : 0);
			if (ev.events != c->events &&
			    !epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev))
				c->events = ev.events;
		}
		n = epoll_wait(ep, evs, 256, reading ? (int)(left * 1000) + 1 : 10);
		if (n < 0 && errno != EINTR) {
			perror("echo-client: epoll_wait");
			return EX_FAIL;
		}
		for (int k = 0; k < n; k++) {
			struct conn *c = evs[k].data.ptr;
			int rc = 0;

			if (c->done)
				continue;
			if (!c->connected) {
				int soerr = 0;
				socklen_t sl = sizeof(soerr);

				getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &soerr, &sl);
				if (soerr) {
					fprintf(stderr, "echo-client: conn %u: "
						"connect: %s\n", c->idx,
						strerror(soerr));
					return EX_CONNECT;
				}
				c->connected = true;
			}
			if (reading &&
			    (evs[k].events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
				rc = conn_recv(c, buf, want, bufsz);
			if (!rc && !c->done && (evs[k].events & EPOLLOUT))
				rc = conn_send(c, ep, buf, bufsz);
			if (rc) {
				failed++;
				c->done = true;
			}
			if (c->done) {
				done++;
				if (c->fd >= 0) {
					epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
					close(c->fd);
					c->fd = -1;
				}
			}
		}
	}
	elapsed = now() - start;
	for (i = 0; i < o.conns; i++)
		if (!cs[i].special)
			verified += cs[i].recvd;
	qsort(lat, nlat, sizeof(*lat), cmp_double);
	printf("conns=%u bytes_per_conn=%llu msg=%llu window=%u mode=%s "
	       "aborted=%u hungup=%u\n", o.conns,
	       (unsigned long long)o.bytes, (unsigned long long)o.msg,
	       o.window, o.rr ? "rr" : "stream", o.abort_k, o.hangup_k);
	printf("verified=%llu seconds=%.6f mib_per_s=%.1f msgs=%zu failed=%u\n",
	       (unsigned long long)verified, elapsed,
	       (double)verified / (1024.0 * 1024.0) / elapsed, nlat, failed);
	printf("rtt_us p50=%.1f p99=%.1f p999=%.1f max=%.1f\n", pct(0.5) * 1e6,
	       pct(0.99) * 1e6, pct(0.999) * 1e6,
	       nlat ? lat[nlat - 1] * 1e6 : 0.0);
	/* freed so that a SANITIZE=1 build's leak check stays quiet */
	for (i = 0; i < o.conns; i++)
		free(cs[i].sent_at);
	free(cs);
	free(buf);
	free(want);
	close(ep);
	return failed ? EX_FAIL : EX_OK;
}
