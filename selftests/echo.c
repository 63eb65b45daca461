// SPDX-License-Identifier: GPL-2.0
/*
 * The in-kernel echo server (progs/echo.bpf.c through `iouops load echo`),
 * its baselines and its verifying client. Servers listen on 127.0.0.1/::1
 * port 0; every byte a client gets back is compared with what it sent,
 * and the server's own totals must add up with what the clients verified.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "selftest.h"

struct server {
	struct st_cmd cmd;
	char port[8];
	char addr[64];		/* "127.0.0.1:PORT" for the client */
};

/* Start ARGV, wait for its "listening on" line; s->port from it. */
static int server_start(struct server *s, char *const argv[], const char *host)
{
	int err;

	memset(s, 0, sizeof(*s));
	err = st_server_start(&s->cmd, argv, host, s->addr, sizeof(s->addr));
	if (!err)
		snprintf(s->port, sizeof(s->port), "%s", strrchr(s->addr, ':') + 1);
	return err;
}

static int echo_start(struct server *s, const char *listen, const char *host,
		      const char *set)
{
	char *argv[] = { (char *)st_cli(), "load", "echo", "--listen",
			 (char *)listen, set ? "--set" : NULL, (char *)set, NULL };

	return server_start(s, argv, host);
}

/* SIGINT, wait for the exit status. */
static int server_stop(struct server *s)
{
	if (kill(s->cmd.pid, SIGINT))
		return -errno;
	return st_cmd_wait(&s->cmd, 20000) ? -ETIMEDOUT : s->cmd.status;
}

/*
 * Run `iouops stat PID` on the server until every counter is in range:
 * (NAME, LO, HI) triples, NULL-terminated. 0 with that output in ST, or
 * -ETIMEDOUT after SECS with the last output shown. For waiting on the
 * server instead of sleeping a fixed time.
 */
static int stat_until(struct server *s, struct st_cmd *st, double secs, ...)
{
	double end = st_now() + secs;
	char pid_s[16];

	snprintf(pid_s, sizeof(pid_s), "%d", (int)s->cmd.pid);
	for (;;) {
		bool all = st_run_cli(st, NULL, NULL, "stat", pid_s, NULL) == 0;
		const char *name;
		va_list ap;

		va_start(ap, secs);
		while (all && (name = va_arg(ap, const char *))) {
			uint64_t lo = va_arg(ap, uint64_t), hi = va_arg(ap, uint64_t);
			uint64_t v = st_out_field(st->out, name);

			all = v >= lo && v <= hi;
		}
		va_end(ap);
		if (all)
			return 0;
		if (st_now() >= end) {
			st_diag("iouops stat: counters not there after %.0f s", secs);
			st_cmd_diag(st);
			return -ETIMEDOUT;
		}
		st_sleep_ms(100);
	}
}

static const char *client_path(void)
{
	return st_build_path("samples/echo-client");
}

/* Run the client with ARGS (NULL-terminated) against ADDR. */
#define run_client(c, addr, ...)					\
	st_run(c, NULL, NULL, client_path(), "-a", addr, "-q", __VA_ARGS__, NULL)

/* The server's final totals agree with one another and with VERIFIED. */
static int check_totals(const struct server *s, uint64_t verified,
			uint64_t conns)
{
	const char *o = s->cmd.out;

	ASSERT_TRUE(st_cmd_has(&s->cmd, "EXIT: stopped"));
	ASSERT_EQ_U64(conns, st_out_field(o, "accepted"));
	ASSERT_EQ_U64(conns, st_out_field(o, "closed"));
	ASSERT_EQ_U64(0, st_out_field(o, "active"));
	ASSERT_EQ_U64(verified, st_out_field(o, "bytes_in"));
	ASSERT_EQ_U64(verified, st_out_field(o, "bytes_out"));
	ASSERT_EQ_U64(0, st_out_field(o, "bytes_dropped"));
	ASSERT_EQ_U64(0, st_out_field(o, "err_other"));
	/* the loader sized the CQ from iou_res: it never overflowed */
	ASSERT_EQ_U64(0, st_out_field(o, "cq_overflow"));
	return KSFT_PASS;
}

/* Clients against `iouops load echo`, every byte verified. */
VARIANT(echo) {
	const char *listen, *host;	/* --listen, and the clients' host */
	uint64_t conns, bytes;		/* connections, bytes each */
	const char *msg;		/* message size (echo-client -s) */
	bool rr;			/* request/response (--rr) */
};

VARIANT_ADD_TIMEOUT(echo, one_rr, "echo: one connection, 64 request/response round trips", 60)
{ "127.0.0.1:0", "127.0.0.1", 1, 64 * 1024, "1k", true };
VARIANT_ADD_TIMEOUT(echo, 256x64k, "echo: 256 connections x 64 KiB random data, all verified", 120)
{ "127.0.0.1:0", "127.0.0.1", 256, 64 * 1024, "4k", false };
VARIANT_ADD_TIMEOUT(echo, 1mib_send, "echo: one 1 MiB send comes back whole", 60)
{ "127.0.0.1:0", "127.0.0.1", 1, 1024 * 1024, "1m", false };
VARIANT_ADD_TIMEOUT(echo, ipv6, "echo: listening on [::1]:0", 60)
{ "[::1]:0", "[::1]", 8, 256 * 1024, "16k", false };

TEST_VARIANTS(echo)
{
	uint64_t total = variant->conns * variant->bytes;
	char c_s[24], n_s[24];
	struct server s;
	struct st_cmd c;

	ST_REQUIRE_FEATURE();
	snprintf(c_s, sizeof(c_s), "%" PRIu64, variant->conns);
	snprintf(n_s, sizeof(n_s), "%" PRIu64, variant->bytes);
	ASSERT_OK(echo_start(&s, variant->listen, variant->host, NULL));
	ASSERT_EQ(0,
		  run_client(&c, s.addr, "-c", c_s, "-n", n_s, "-s", variant->msg,
			     "-w", "8", "--seed", "7",
			     variant->rr ? "--rr" : "-q"));
	st_diag_text("client: ", c.out, 0);
	ASSERT_EQ_U64(total, st_out_field(c.out, "verified"));
	ASSERT_EQ(IOUOPS_EXIT_OK, server_stop(&s));
	return check_totals(&s, total, variant->conns);
}

/* `iouops load echo --listen 127.0.0.1:0` running, and how many
 * struct_ops links there were before it started. The tests stop it
 * themselves (its exit status and totals are theirs to check). */
FIXTURE(echo) {
	struct server s;
	int links0;
};

FIXTURE_SETUP(echo)
{
	ST_REQUIRE_FEATURE();
	self->links0 = st_count_struct_ops_links();
	ASSERT_OK(echo_start(&self->s, "127.0.0.1:0", "127.0.0.1", NULL));
	return KSFT_PASS;
}

FIXTURE_TEARDOWN(echo)
{
	/* the server was in the test's process group: gone with it */
	return KSFT_PASS;
}

TEST_F_TIMEOUT(echo, reset, "echo: clients that reset (SO_LINGER 0) or hang up mid-stream", 90)
{
	struct server *s = &self->s;
	struct st_cmd c;
	uint64_t in, out, dropped;

	/* 4 reset, 4 close unread halfway; 8 run to the end */
	ASSERT_EQ(0,
		  run_client(&c, s->addr, "-c", "16", "-n", "1m",
			     "--abort", "4", "--hangup", "4"));
	ASSERT_EQ_U64(8ULL << 20, st_out_field(c.out, "verified"));
	/* the others keep working after the resets */
	ASSERT_EQ(0, run_client(&c, s->addr, "-c", "4", "-n", "256k"));
	ASSERT_EQ(IOUOPS_EXIT_OK, server_stop(s));
	st_diag_text("server: ", s->cmd.out, 0);
	ASSERT_EQ_U64(20, st_out_field(s->cmd.out, "accepted"));
	ASSERT_EQ_U64(20, st_out_field(s->cmd.out, "closed"));
	ASSERT_EQ_U64(0, st_out_field(s->cmd.out, "active"));
	ASSERT_LE(4,
		  st_out_field(s->cmd.out, "err_reset") + st_out_field(s->cmd.out, "err_pipe"));
	in = st_out_field(s->cmd.out, "bytes_in");
	out = st_out_field(s->cmd.out, "bytes_out");
	dropped = st_out_field(s->cmd.out, "bytes_dropped");
	ASSERT_EQ_U64(out + dropped, in);
	/* the 12 complete connections at least */
	ASSERT_LE((8ULL << 20) + (1ULL << 20), out);
	return KSFT_PASS;
}

static int tcp_connect(const char *port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	sa.sin_port = htons((uint16_t)atoi(port));
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		if (fd >= 0)
			close(fd);
		return -errno;
	}
	return fd;
}

/* Send MSG, read it back within 10 s: 0, or -errno/-EPROTO. */
static int roundtrip(int fd, const char *msg)
{
	size_t len = strlen(msg), got = 0;
	char buf[256];

	if (send(fd, msg, len, MSG_NOSIGNAL) != (ssize_t)len)
		return -errno;
	while (got < len) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (poll(&p, 1, 10000) != 1)
			return -ETIMEDOUT;
		n = recv(fd, buf + got, sizeof(buf) - got, 0);
		if (n <= 0)
			return n ? -errno : -ECONNRESET;
		got += (size_t)n;
	}
	return got == len && !memcmp(buf, msg, len) ? 0 : -EPROTO;
}

/* 1 when the server closed FD (EOF or reset) within 10 s. */
static int closed_by_peer(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char b;

	if (poll(&p, 1, 10000) != 1)
		return 0;
	return recv(fd, &b, 1, 0) <= 0;
}

TEST_TIMEOUT(echo_max_conns, "echo: beyond max_conns connections are closed and counted, the others unaffected", 60)
{
	int fds[4], extra[4], i;
	struct server s;
	struct st_cmd st;

	ST_REQUIRE_FEATURE();
	ASSERT_OK(echo_start(&s, "127.0.0.1:0", "127.0.0.1", "max_conns=4"));
	for (i = 0; i < 4; i++) {
		fds[i] = tcp_connect(s.port);
		ASSERT_LE(0, fds[i]);
		ASSERT_OK(roundtrip(fds[i], "first"));
	}
	for (i = 0; i < 4; i++) {
		extra[i] = tcp_connect(s.port);	/* the kernel completes it */
		ASSERT_LE(0, extra[i]);
		send(extra[i], "x", 1, MSG_NOSIGNAL);
		if (!closed_by_peer(extra[i])) {
			struct st_cmd st;
			char pid_s[16];

			snprintf(pid_s, sizeof(pid_s), "%d", (int)s.cmd.pid);
			st_run_cli(&st, NULL, NULL, "stat", pid_s, NULL);
			st_diag("extra connection %d was not closed", i);
			st_cmd_diag(&st);
			return KSFT_FAIL;
		}
	}
	for (i = 0; i < 4; i++)
		ASSERT_OK(roundtrip(fds[i], "still here"));
	/* a slot freed by a close is reused */
	close(fds[0]);
	ASSERT_OK(stat_until(&s, &st, 60, "active", 3ULL, 3ULL, NULL));
	fds[0] = tcp_connect(s.port);
	ASSERT_LE(0, fds[0]);
	ASSERT_OK(roundtrip(fds[0], "reused slot"));
	for (i = 0; i < 4; i++) {
		close(fds[i]);
		close(extra[i]);
	}
	ASSERT_OK(stat_until(&s, &st, 60, "active", 0ULL, 0ULL,
			     "closed", 5ULL, 5ULL, NULL));
	ASSERT_EQ(IOUOPS_EXIT_OK, server_stop(&s));
	st_diag_text("server: ", s.cmd.out, 0);
	ASSERT_EQ_U64(4, st_out_field(s.cmd.out, "rejected"));
	ASSERT_EQ_U64(5, st_out_field(s.cmd.out, "accepted"));
	ASSERT_EQ_U64(5, st_out_field(s.cmd.out, "closed"));
	ASSERT_EQ_U64(5 + 4 * 10 + 3 * 5 + 11, st_out_field(s.cmd.out, "bytes_in"));
	ASSERT_EQ_U64(5 + 4 * 10 + 3 * 5 + 11, st_out_field(s.cmd.out, "bytes_out"));
	return KSFT_PASS;
}

TEST_F_TIMEOUT(echo, slow_reader, "echo: a reader that stalls until it is throttled keeps the server bounded, loses nothing; iouops stat reads live counters", 180)
{
	struct server *s = &self->s;
	/* reads nothing until SIGUSR1 (or 150 s: the test would be over) */
	char *cargv[] = { (char *)client_path(), "-a", NULL, "-c", "4", "-n",
			  "4m", "-w", "1024", "--read-delay", "150000",
			  "--timeout", "170", "-q", NULL };
	struct st_cmd c, st;
	uint64_t in, out;

	cargv[2] = s->addr;
	ASSERT_OK(st_cmd_start(&c, NULL, NULL, cargv));
	/* the client floods and reads nothing until the server throttles
	 * every connection it has: however long that takes here */
	ASSERT_OK(stat_until(s, &st, 90, "active", 4ULL, 4ULL,
			     "throttled", 1ULL, UINT64_MAX, NULL));
	st_cmd_pump(&c, 0);
	ASSERT_TRUE(c.pid != 0);
	st_diag_text("stat: ", st.out, 0);
	ASSERT_STR_HAS(st.out, "running");
	in = st_out_field(st.out, "bytes_in");
	out = st_out_field(st.out, "bytes_out");
	ASSERT_LT(0, in);
	/* queued per connection: at most conn_bytes (64 KiB) + one buffer */
	ASSERT_GE(4 * (65536 + 4096), in - out);
	ASSERT_OK(kill(c.pid, SIGUSR1));	/* now read it all back */
	ASSERT_OK(st_cmd_wait(&c, 60000));
	st_diag_text("client: ", c.out, 0);
	ASSERT_EQ(0, c.status);
	ASSERT_EQ_U64(16ULL << 20, st_out_field(c.out, "verified"));
	ASSERT_EQ(IOUOPS_EXIT_OK, server_stop(s));
	return check_totals(s, 16ULL << 20, 4);
}

TEST_F_TIMEOUT(echo, sigint_busy, "echo: SIGINT while 64 connections are busy: clean stop, consistent totals, nothing attached", 90)
{
	struct server *s = &self->s;
	char *cargv[] = { (char *)client_path(), "-a", NULL, "-c", "64", "-n",
			  "1g", "-q", "--timeout", "60", NULL };
	int links0 = self->links0, links;
	struct st_cmd c, st;
	uint64_t in, out, dropped;

	ASSERT_LE(0, links0);
	ASSERT_OK(st_cmd_start(&c, NULL, NULL, (cargv[2] = s->addr, cargv)));
	/* every connection accepted and echoing, however long that takes */
	ASSERT_OK(stat_until(s, &st, 60, "accepted", 64ULL, 64ULL,
			     "bytes_out", 1ULL, UINT64_MAX, NULL));
	st_cmd_pump(&c, 0);
	st_cmd_pump(&s->cmd, 0);
	ASSERT_TRUE(c.pid != 0 && s->cmd.pid != 0);
	ASSERT_EQ(IOUOPS_EXIT_OK, server_stop(s));
	st_diag_text("server: ", s->cmd.out, 0);
	ASSERT_TRUE(st_cmd_has(&s->cmd, "EXIT: stopped"));
	ASSERT_EQ_U64(64, st_out_field(s->cmd.out, "accepted"));
	ASSERT_EQ_U64(64, st_out_field(s->cmd.out, "closed"));
	ASSERT_EQ_U64(0, st_out_field(s->cmd.out, "active"));
	in = st_out_field(s->cmd.out, "bytes_in");
	out = st_out_field(s->cmd.out, "bytes_out");
	dropped = st_out_field(s->cmd.out, "bytes_dropped");
	ASSERT_LT(0, in);
	ASSERT_EQ_U64(out + dropped, in);
	/* The client sees its connections end early, with every byte it got
	 * verified up to there: a clean EOF (short echo), or a reset when it
	 * was still sending after the server stopped receiving (closing a
	 * socket with unread data sends RST). Never a mismatch. */
	ASSERT_OK(st_cmd_wait(&c, 30000));
	ASSERT_EQ(1, c.status);
	ASSERT_TRUE(c.err && (strstr(c.err, "short echo") ||
			      strstr(c.err, "Connection reset by peer") ||
			      strstr(c.err, "Broken pipe")));
	ASSERT_TRUE(!strstr(c.err, "mismatch"));
	for (double end = st_now() + 30;; st_sleep_ms(100)) {
		links = st_count_struct_ops_links();
		if (links <= links0 || st_now() >= end)
			break;
	}
	ASSERT_EQ(links0, links);
	return KSFT_PASS;
}

TEST_F_TIMEOUT(echo, busybox_nc, "echo: busybox nc (a third-party client) gets its bytes back", 60)
{
	struct server *s = &self->s;
	char script[256];
	struct st_cmd c;

	if (system("command -v nc >/dev/null 2>&1"))
		return st_skip("no nc in PATH");
	snprintf(script, sizeof(script),
		 "printf 'hello from nc\\n' | nc -w 2 127.0.0.1 %s", s->port);
	ASSERT_EQ(0, st_run(&c, NULL, NULL, "sh", "-c", script, NULL));
	ASSERT_STR_HAS(c.out, "hello from nc");
	ASSERT_EQ(IOUOPS_EXIT_OK, server_stop(s));
	return check_totals(s, 14, 1);
}

/* A bad --listen or max_conns: one line, its own status, nothing left. */
TEST_TIMEOUT(echo_bad_input, "echo: bad --listen, port in use, non-local address, bad max_conns", 90)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t sl = sizeof(sa);
	int links0, fd;
	char busy[32];
	struct st_cmd c;

	ST_REQUIRE_FEATURE();
	links0 = st_count_struct_ops_links();
	fd = socket(AF_INET, SOCK_STREAM, 0);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ASSERT_OK(bind(fd, (struct sockaddr *)&sa, sizeof(sa)));
	ASSERT_OK(listen(fd, 1));
	ASSERT_OK(getsockname(fd, (struct sockaddr *)&sa, &sl));
	snprintf(busy, sizeof(busy), "127.0.0.1:%u", ntohs(sa.sin_port));

	ASSERT_CLI_ERROR(&c, IOUOPS_EXIT_BADADDR, NULL,
			 "load", "echo", "--listen", "localhost:http");
	ASSERT_CLI_ERROR(&c, IOUOPS_EXIT_BADADDR, NULL,
			 "load", "echo", "--listen", "127.0.0.1:70000");
	ASSERT_CLI_ERROR(&c, IOUOPS_EXIT_BADADDR, "--listen", "load", "echo");
	ASSERT_CLI_ERROR(&c, IOUOPS_EXIT_BADADDR, IOU_SYM_LISTEN_FD,
			 "load", "nops", "--listen", "127.0.0.1:0");
	ASSERT_CLI_ERROR(&c, IOUOPS_EXIT_ADDRINUSE, "in use",
			 "load", "echo", "--listen", busy);
	/* TEST-NET-1: on no interface; bind() fails, nothing is sent */
	ASSERT_CLI_ERROR(&c, IOUOPS_EXIT_ADDRNOTAVAIL, "not local",
			 "load", "echo", "--listen", "192.0.2.1:7777");
	ASSERT_CLI_ERROR(&c, IOUOPS_EXIT_BADSET, "max_conns=0",
			 "load", "echo", "--listen", "127.0.0.1:0", "--set",
			 "max_conns=0");
	ASSERT_CLI_ERROR(&c, IOUOPS_EXIT_BADSET, "1..16384",
			 "load", "echo", "--listen", "127.0.0.1:0", "--set",
			 "max_conns=1000000");
	ASSERT_EQ(links0, st_count_struct_ops_links());
	close(fd);
	return KSFT_PASS;
}

/* ---- the baselines and the client itself: no BPF needed ---- */

/* The userspace baselines, BUILD/samples/NAME. */
VARIANT(echo_baseline) {
	const char *path;
};

VARIANT_ADD_TIMEOUT(echo_baseline, uring, "echo-uring (liburing) echoes 32 x 256 KiB verified", 60)
{ "samples/echo-uring" };
VARIANT_ADD_TIMEOUT(echo_baseline, epoll, "echo-epoll echoes 32 x 256 KiB verified", 60)
{ "samples/echo-epoll" };

TEST_VARIANTS(echo_baseline)
{
	char *argv[] = { (char *)st_build_path(variant->path), "--listen",
			 "127.0.0.1:0", NULL };
	struct server s;
	struct st_cmd c;

	ASSERT_OK(server_start(&s, argv, "127.0.0.1"));
	ASSERT_EQ(0, run_client(&c, s.addr, "-c", "32", "-n", "256k", "-s", "4k"));
	ASSERT_EQ_U64(32ULL << 18, st_out_field(c.out, "verified"));
	ASSERT_EQ(0, server_stop(&s));
	st_diag_text("server: ", s.cmd.out, 0);
	ASSERT_EQ_U64(32, st_out_field(s.cmd.out, "accepted"));
	ASSERT_EQ_U64(32ULL << 18, st_out_field(s.cmd.out, "bytes_in"));
	ASSERT_EQ_U64(32ULL << 18, st_out_field(s.cmd.out, "bytes_out"));
	return KSFT_PASS;
}

/*
 * The client must catch a wrong echo: a server that flips one byte after
 * the first KiB, and one that stops echoing halfway and hangs up.
 */
static void bad_server(int lfd, int mode)
{
	char buf[4096];
	uint64_t total = 0;
	int fd = accept(lfd, NULL, NULL);
	ssize_t n;

	while (fd >= 0 && (n = recv(fd, buf, sizeof(buf), 0)) > 0) {
		if (mode == 0 && total <= 1024 && total + (uint64_t)n > 1024)
			buf[1024 - total] ^= 0x20;
		if (mode == 1 && total + (uint64_t)n > 32768) {
			shutdown(fd, SHUT_WR);	/* EOF early, keep reading */
			while (recv(fd, buf, sizeof(buf), 0) > 0)
				;
			break;
		}
		send(fd, buf, (size_t)n, MSG_NOSIGNAL);
		total += (uint64_t)n;
	}
	_exit(0);
}

VARIANT(echo_client_catches) {
	int mode;		/* bad_server's */
	const char *needle;	/* in the client's stderr */
};

VARIANT_ADD(echo_client_catches, mismatch, "echo-client exits 1 on a flipped byte, naming its offset")
{ 0, "mismatch at byte 1024" };
VARIANT_ADD(echo_client_catches, short, "echo-client exits 1 on a short echo")
{ 1, "short echo" };

TEST_VARIANTS(echo_client_catches)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t sl = sizeof(sa);
	char addr[32];
	struct st_cmd c;
	int lfd, st;
	pid_t pid;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	ASSERT_OK(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)));
	ASSERT_OK(listen(lfd, 4));
	ASSERT_OK(getsockname(lfd, (struct sockaddr *)&sa, &sl));
	snprintf(addr, sizeof(addr), "127.0.0.1:%u", ntohs(sa.sin_port));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		bad_server(lfd, variant->mode);
	ASSERT_EQ(1, run_client(&c, addr, "-n", "64k", "--timeout", "10"));
	ASSERT_STR_HAS(c.err, variant->needle);
	waitpid(pid, &st, 0);
	close(lfd);
	return KSFT_PASS;
}

TEST_TIMEOUT(echo_cq_overflow, "echo: a CQ far too small (--cq-entries 128) overflows, nothing is lost", 120)
{
	char *argv[] = { (char *)st_cli(), "load", "echo", "--listen",
			 "127.0.0.1:0", "--cq-entries", "128", NULL };
	struct server s;
	struct st_cmd c;

	ST_REQUIRE_FEATURE();
	ASSERT_OK(server_start(&s, argv, "127.0.0.1"));
	ASSERT_EQ(0,
		  run_client(&c, s.addr, "-c", "128", "-n", "256k", "-s", "4k",
			     "-w", "16"));
	ASSERT_EQ_U64(128ULL << 18, st_out_field(c.out, "verified"));
	ASSERT_EQ(IOUOPS_EXIT_OK, server_stop(&s));
	st_diag_text("server: ", s.cmd.out, 0);
	st_diag("steps that saw the CQ overflow flag: %" PRIu64,
		st_out_field(s.cmd.out, "cq_overflow"));
	ASSERT_EQ_U64(128, st_out_field(s.cmd.out, "accepted"));
	ASSERT_EQ_U64(128, st_out_field(s.cmd.out, "closed"));
	ASSERT_EQ_U64(128ULL << 18, st_out_field(s.cmd.out, "bytes_in"));
	ASSERT_EQ_U64(128ULL << 18, st_out_field(s.cmd.out, "bytes_out"));
	return KSFT_PASS;
}
