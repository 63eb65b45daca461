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
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "selftest.h"

struct server {
	struct iou_cmd cmd;
	char port[8];
	char addr[64];		/* "127.0.0.1:PORT" for the client */
};

/* Start ARGV, wait for its "listening on" line; s->port from it. */
static int server_start(struct server *s, char *const argv[], const char *host)
{
	int err;

	memset(s, 0, sizeof(*s));
	err = iou_server_start(&s->cmd, argv, host, s->addr, sizeof(s->addr));
	if (!err)
		snprintf(s->port, sizeof(s->port), "%s", strrchr(s->addr, ':') + 1);
	return err;
}

static int echo_start(struct server *s, const char *listen, const char *host,
		      const char *set)
{
	char *argv[] = { (char *)iou_cli(), "load", "echo", "--listen",
			 (char *)listen, set ? "--set" : NULL, (char *)set, NULL };

	return server_start(s, argv, host);
}

/* SIGINT, wait for the exit status. */
static int server_stop(struct server *s)
{
	if (kill(s->cmd.pid, SIGINT))
		return -errno;
	return iou_cmd_wait(&s->cmd, 20000) ? -ETIMEDOUT : s->cmd.status;
}

static const char *client_path(void)
{
	return iou_build_path("samples/echo-client");
}

/* Run the client with ARGS (NULL-terminated) against ADDR. */
#define run_client(c, addr, ...)					\
	iou_run(c, NULL, NULL, client_path(), "-a", addr, "-q", __VA_ARGS__, NULL)

/* The server's final totals agree with one another and with VERIFIED. */
static int check_totals(const struct server *s, uint64_t verified,
			uint64_t conns)
{
	const char *o = s->cmd.out;

	ASSERT_TRUE(iou_cmd_has(&s->cmd, "EXIT: stopped"));
	ASSERT_EQ_U64(iou_out_field(o, "accepted"), conns);
	ASSERT_EQ_U64(iou_out_field(o, "closed"), conns);
	ASSERT_EQ_U64(iou_out_field(o, "active"), 0);
	ASSERT_EQ_U64(iou_out_field(o, "bytes_in"), verified);
	ASSERT_EQ_U64(iou_out_field(o, "bytes_out"), verified);
	ASSERT_EQ_U64(iou_out_field(o, "bytes_dropped"), 0);
	ASSERT_EQ_U64(iou_out_field(o, "err_other"), 0);
	/* the loader sized the CQ from iou_res: it never overflowed */
	ASSERT_EQ_U64(iou_out_field(o, "cq_overflow"), 0);
	return KSFT_PASS;
}

static int echo_load(const char *listen, const char *host, uint64_t conns,
		     uint64_t bytes, const char *msg, bool rr)
{
	char c_s[24], n_s[24];
	struct server s;
	struct iou_cmd c;

	IOU_REQUIRE_FEATURE();
	snprintf(c_s, sizeof(c_s), "%" PRIu64, conns);
	snprintf(n_s, sizeof(n_s), "%" PRIu64, bytes);
	ASSERT_OK(echo_start(&s, listen, host, NULL));
	ASSERT_EQ(run_client(&c, s.addr, "-c", c_s, "-n", n_s, "-s", msg,
			     "-w", "8", "--seed", "7", rr ? "--rr" : "-q"), 0);
	iou_diag_text("client: ", c.out, 0);
	ASSERT_EQ_U64(iou_out_field(c.out, "verified"), conns * bytes);
	ASSERT_EQ(server_stop(&s), IOUOPS_EXIT_OK);
	return check_totals(&s, conns * bytes, conns);
}

IOU_TEST_TIMEOUT(echo_one_rr, "echo: one connection, 64 request/response round trips", 60)
{
	return echo_load("127.0.0.1:0", "127.0.0.1", 1, 64 * 1024, "1k", true);
}

IOU_TEST_TIMEOUT(echo_256x64k, "echo: 256 connections x 64 KiB random data, all verified", 120)
{
	return echo_load("127.0.0.1:0", "127.0.0.1", 256, 64 * 1024, "4k", false);
}

IOU_TEST_TIMEOUT(echo_1mib_send, "echo: one 1 MiB send comes back whole", 60)
{
	return echo_load("127.0.0.1:0", "127.0.0.1", 1, 1024 * 1024, "1m", false);
}

IOU_TEST_TIMEOUT(echo_ipv6, "echo: listening on [::1]:0", 60)
{
	return echo_load("[::1]:0", "[::1]", 8, 256 * 1024, "16k", false);
}

IOU_TEST_TIMEOUT(echo_reset, "echo: clients that reset (SO_LINGER 0) or hang up mid-stream", 90)
{
	struct server s;
	struct iou_cmd c;
	uint64_t in, out, dropped;

	IOU_REQUIRE_FEATURE();
	ASSERT_OK(echo_start(&s, "127.0.0.1:0", "127.0.0.1", NULL));
	/* 4 reset, 4 close unread halfway; 8 run to the end */
	ASSERT_EQ(run_client(&c, s.addr, "-c", "16", "-n", "1m",
			     "--abort", "4", "--hangup", "4"), 0);
	ASSERT_EQ_U64(iou_out_field(c.out, "verified"), 8ULL << 20);
	/* the others keep working after the resets */
	ASSERT_EQ(run_client(&c, s.addr, "-c", "4", "-n", "256k"), 0);
	ASSERT_EQ(server_stop(&s), IOUOPS_EXIT_OK);
	iou_diag_text("server: ", s.cmd.out, 0);
	ASSERT_EQ_U64(iou_out_field(s.cmd.out, "accepted"), 20);
	ASSERT_EQ_U64(iou_out_field(s.cmd.out, "closed"), 20);
	ASSERT_EQ_U64(iou_out_field(s.cmd.out, "active"), 0);
	ASSERT_GE(iou_out_field(s.cmd.out, "err_reset") + iou_out_field(s.cmd.out, "err_pipe"), 4);
	in = iou_out_field(s.cmd.out, "bytes_in");
	out = iou_out_field(s.cmd.out, "bytes_out");
	dropped = iou_out_field(s.cmd.out, "bytes_dropped");
	ASSERT_EQ_U64(in, out + dropped);
	/* the 12 complete connections at least */
	ASSERT_GE(out, (8ULL << 20) + (1ULL << 20));
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

IOU_TEST_TIMEOUT(echo_max_conns, "echo: beyond max_conns connections are closed and counted, the others unaffected", 60)
{
	int fds[4], extra[4], i;
	struct server s;

	IOU_REQUIRE_FEATURE();
	ASSERT_OK(echo_start(&s, "127.0.0.1:0", "127.0.0.1", "max_conns=4"));
	for (i = 0; i < 4; i++) {
		fds[i] = tcp_connect(s.port);
		ASSERT_GE(fds[i], 0);
		ASSERT_OK(roundtrip(fds[i], "first"));
	}
	for (i = 0; i < 4; i++) {
		extra[i] = tcp_connect(s.port);	/* the kernel completes it */
		ASSERT_GE(extra[i], 0);
		send(extra[i], "x", 1, MSG_NOSIGNAL);
		if (!closed_by_peer(extra[i])) {
			struct iou_cmd st;
			char pid_s[16];

			snprintf(pid_s, sizeof(pid_s), "%d", (int)s.cmd.pid);
			iou_run_cli(&st, NULL, NULL, "stat", pid_s, NULL);
			iou_diag("extra connection %d was not closed", i);
			iou_cmd_diag(&st);
			return KSFT_FAIL;
		}
	}
	for (i = 0; i < 4; i++)
		ASSERT_OK(roundtrip(fds[i], "still here"));
	/* a slot freed by a close is reused */
	close(fds[0]);
	iou_sleep_ms(300);
	fds[0] = tcp_connect(s.port);
	ASSERT_GE(fds[0], 0);
	ASSERT_OK(roundtrip(fds[0], "reused slot"));
	for (i = 0; i < 4; i++) {
		close(fds[i]);
		close(extra[i]);
	}
	iou_sleep_ms(300);
	ASSERT_EQ(server_stop(&s), IOUOPS_EXIT_OK);
	iou_diag_text("server: ", s.cmd.out, 0);
	ASSERT_EQ_U64(iou_out_field(s.cmd.out, "rejected"), 4);
	ASSERT_EQ_U64(iou_out_field(s.cmd.out, "accepted"), 5);
	ASSERT_EQ_U64(iou_out_field(s.cmd.out, "closed"), 5);
	ASSERT_EQ_U64(iou_out_field(s.cmd.out, "bytes_in"), 5 + 4 * 10 + 3 * 5 + 11);
	ASSERT_EQ_U64(iou_out_field(s.cmd.out, "bytes_out"), 5 + 4 * 10 + 3 * 5 + 11);
	return KSFT_PASS;
}

IOU_TEST_TIMEOUT(echo_slow_reader, "echo: a reader that stalls 3 s keeps the server bounded, loses nothing; iouops stat reads live counters", 90)
{
	char *cargv[] = { (char *)client_path(), "-a", NULL, "-c", "4", "-n",
			  "4m", "-w", "1024", "--read-delay", "3000", "-q", NULL };
	char pid_s[16];
	struct server s;
	struct iou_cmd c, st;
	uint64_t in, out;

	IOU_REQUIRE_FEATURE();
	ASSERT_OK(echo_start(&s, "127.0.0.1:0", "127.0.0.1", NULL));
	cargv[2] = s.addr;
	ASSERT_OK(iou_cmd_start(&c, NULL, NULL, cargv));
	iou_cmd_pump(&c, 2000);		/* the client floods, reads nothing */
	ASSERT_TRUE(c.pid != 0);
	snprintf(pid_s, sizeof(pid_s), "%d", (int)s.cmd.pid);
	ASSERT_EQ(iou_run_cli(&st, NULL, NULL, "stat", pid_s, NULL), 0);
	iou_diag_text("stat: ", st.out, 0);
	ASSERT_STR_HAS(st.out, "running");
	in = iou_out_field(st.out, "bytes_in");
	out = iou_out_field(st.out, "bytes_out");
	ASSERT_EQ_U64(iou_out_field(st.out, "active"), 4);
	ASSERT_GT(in, 0);
	/* queued per connection: at most conn_bytes (64 KiB) + one buffer */
	ASSERT_LE(in - out, 4 * (65536 + 4096));
	ASSERT_GE(iou_out_field(st.out, "throttled"), 1);
	ASSERT_OK(iou_cmd_wait(&c, 60000));
	iou_diag_text("client: ", c.out, 0);
	ASSERT_EQ(c.status, 0);
	ASSERT_EQ_U64(iou_out_field(c.out, "verified"), 16ULL << 20);
	ASSERT_EQ(server_stop(&s), IOUOPS_EXIT_OK);
	return check_totals(&s, 16ULL << 20, 4);
}

IOU_TEST_TIMEOUT(echo_sigint_busy, "echo: SIGINT while 64 connections are busy: clean stop, consistent totals, nothing attached", 90)
{
	char *cargv[] = { (char *)client_path(), "-a", NULL, "-c", "64", "-n",
			  "1g", "-q", "--timeout", "60", NULL };
	int links0 = iou_count_struct_ops_links(), links;
	struct server s;
	struct iou_cmd c;
	uint64_t in, out, dropped;

	IOU_REQUIRE_FEATURE();
	ASSERT_GE(links0, 0);
	ASSERT_OK(echo_start(&s, "127.0.0.1:0", "127.0.0.1", NULL));
	ASSERT_OK(iou_cmd_start(&c, NULL, NULL, (cargv[2] = s.addr, cargv)));
	iou_cmd_pump(&c, 1500);
	iou_cmd_pump(&s.cmd, 10);
	ASSERT_TRUE(c.pid != 0 && s.cmd.pid != 0);
	ASSERT_EQ(server_stop(&s), IOUOPS_EXIT_OK);
	iou_diag_text("server: ", s.cmd.out, 0);
	ASSERT_TRUE(iou_cmd_has(&s.cmd, "EXIT: stopped"));
	ASSERT_EQ_U64(iou_out_field(s.cmd.out, "accepted"), 64);
	ASSERT_EQ_U64(iou_out_field(s.cmd.out, "closed"), 64);
	ASSERT_EQ_U64(iou_out_field(s.cmd.out, "active"), 0);
	in = iou_out_field(s.cmd.out, "bytes_in");
	out = iou_out_field(s.cmd.out, "bytes_out");
	dropped = iou_out_field(s.cmd.out, "bytes_dropped");
	ASSERT_GT(in, 0);
	ASSERT_EQ_U64(in, out + dropped);
	/* The client sees its connections end early, with every byte it got
	 * verified up to there: a clean EOF (short echo), or a reset when it
	 * was still sending after the server stopped receiving (closing a
	 * socket with unread data sends RST). Never a mismatch. */
	ASSERT_OK(iou_cmd_wait(&c, 30000));
	ASSERT_EQ(c.status, 1);
	ASSERT_TRUE(c.err && (strstr(c.err, "short echo") ||
			      strstr(c.err, "Connection reset by peer") ||
			      strstr(c.err, "Broken pipe")));
	ASSERT_TRUE(!strstr(c.err, "mismatch"));
	for (int i = 0; i < 50; i++) {
		links = iou_count_struct_ops_links();
		if (links <= links0)
			break;
		iou_sleep_ms(100);
	}
	ASSERT_EQ(links, links0);
	return KSFT_PASS;
}

IOU_TEST_TIMEOUT(echo_busybox_nc, "echo: busybox nc (a third-party client) gets its bytes back", 60)
{
	char script[256];
	struct server s;
	struct iou_cmd c;

	IOU_REQUIRE_FEATURE();
	if (system("command -v nc >/dev/null 2>&1"))
		return iou_skip("no nc in PATH");
	ASSERT_OK(echo_start(&s, "127.0.0.1:0", "127.0.0.1", NULL));
	snprintf(script, sizeof(script),
		 "printf 'hello from nc\\n' | nc -w 2 127.0.0.1 %s", s.port);
	ASSERT_EQ(iou_run(&c, NULL, NULL, "sh", "-c", script, NULL), 0);
	ASSERT_STR_HAS(c.out, "hello from nc");
	ASSERT_EQ(server_stop(&s), IOUOPS_EXIT_OK);
	return check_totals(&s, 14, 1);
}

/* A bad --listen or max_conns: one line, its own status, nothing left. */
IOU_TEST_TIMEOUT(echo_bad_input, "echo: bad --listen, port in use, non-local address, bad max_conns", 90)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t sl = sizeof(sa);
	int links0, fd;
	char busy[32];
	struct iou_cmd c;

	IOU_REQUIRE_FEATURE();
	links0 = iou_count_struct_ops_links();
	fd = socket(AF_INET, SOCK_STREAM, 0);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ASSERT_OK(bind(fd, (struct sockaddr *)&sa, sizeof(sa)));
	ASSERT_OK(listen(fd, 1));
	ASSERT_OK(getsockname(fd, (struct sockaddr *)&sa, &sl));
	snprintf(busy, sizeof(busy), "127.0.0.1:%u", ntohs(sa.sin_port));

	ASSERT_EQ(iou_run_cli(&c, NULL, NULL, "load", "echo", "--listen",
			      "localhost:http", NULL), IOUOPS_EXIT_BADADDR);
	ASSERT_ONE_LINE_ERROR(&c);
	ASSERT_EQ(iou_run_cli(&c, NULL, NULL, "load", "echo", "--listen",
			      "127.0.0.1:70000", NULL), IOUOPS_EXIT_BADADDR);
	ASSERT_ONE_LINE_ERROR(&c);
	ASSERT_EQ(iou_run_cli(&c, NULL, NULL, "load", "echo", NULL),
		  IOUOPS_EXIT_BADADDR);
	ASSERT_ONE_LINE_ERROR(&c);
	ASSERT_STR_HAS(c.err, "--listen");
	ASSERT_EQ(iou_run_cli(&c, NULL, NULL, "load", "nops", "--listen",
			      "127.0.0.1:0", NULL), IOUOPS_EXIT_BADADDR);
	ASSERT_ONE_LINE_ERROR(&c);
	ASSERT_STR_HAS(c.err, IOU_SYM_LISTEN_FD);
	ASSERT_EQ(iou_run_cli(&c, NULL, NULL, "load", "echo", "--listen",
			      busy, NULL), IOUOPS_EXIT_ADDRINUSE);
	ASSERT_ONE_LINE_ERROR(&c);
	ASSERT_STR_HAS(c.err, "in use");
	/* TEST-NET-1: on no interface; bind() fails, nothing is sent */
	ASSERT_EQ(iou_run_cli(&c, NULL, NULL, "load", "echo", "--listen",
			      "192.0.2.1:7777", NULL), IOUOPS_EXIT_ADDRNOTAVAIL);
	ASSERT_ONE_LINE_ERROR(&c);
	ASSERT_STR_HAS(c.err, "not local");
	ASSERT_EQ(iou_run_cli(&c, NULL, NULL, "load", "echo", "--listen",
			      "127.0.0.1:0", "--set", "max_conns=0", NULL),
		  IOUOPS_EXIT_BADSET);
	ASSERT_ONE_LINE_ERROR(&c);
	ASSERT_STR_HAS(c.err, "max_conns=0");
	ASSERT_EQ(iou_run_cli(&c, NULL, NULL, "load", "echo", "--listen",
			      "127.0.0.1:0", "--set", "max_conns=1000000", NULL),
		  IOUOPS_EXIT_BADSET);
	ASSERT_ONE_LINE_ERROR(&c);
	ASSERT_STR_HAS(c.err, "1..16384");
	ASSERT_EQ(iou_count_struct_ops_links(), links0);
	close(fd);
	return KSFT_PASS;
}

/* ---- the baselines and the client itself: no BPF needed ---- */

static int baseline(const char *name)
{
	char *argv[] = { (char *)iou_build_path(name), "--listen",
			 "127.0.0.1:0", NULL };
	struct server s;
	struct iou_cmd c;

	ASSERT_OK(server_start(&s, argv, "127.0.0.1"));
	ASSERT_EQ(run_client(&c, s.addr, "-c", "32", "-n", "256k", "-s", "4k"), 0);
	ASSERT_EQ_U64(iou_out_field(c.out, "verified"), 32ULL << 18);
	ASSERT_EQ(server_stop(&s), 0);
	iou_diag_text("server: ", s.cmd.out, 0);
	ASSERT_EQ_U64(iou_out_field(s.cmd.out, "accepted"), 32);
	ASSERT_EQ_U64(iou_out_field(s.cmd.out, "bytes_in"), 32ULL << 18);
	ASSERT_EQ_U64(iou_out_field(s.cmd.out, "bytes_out"), 32ULL << 18);
	return KSFT_PASS;
}

IOU_TEST_TIMEOUT(echo_uring_baseline, "echo-uring (liburing) echoes 32 x 256 KiB verified", 60)
{
	return baseline("samples/echo-uring");
}

IOU_TEST_TIMEOUT(echo_epoll_baseline, "echo-epoll echoes 32 x 256 KiB verified", 60)
{
	return baseline("samples/echo-epoll");
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

static int client_vs_bad(int mode, const char *needle)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t sl = sizeof(sa);
	char addr[32];
	struct iou_cmd c;
	int lfd, st;
	pid_t pid;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	ASSERT_OK(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)));
	ASSERT_OK(listen(lfd, 4));
	ASSERT_OK(getsockname(lfd, (struct sockaddr *)&sa, &sl));
	snprintf(addr, sizeof(addr), "127.0.0.1:%u", ntohs(sa.sin_port));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid)
		bad_server(lfd, mode);
	ASSERT_EQ(run_client(&c, addr, "-n", "64k", "--timeout", "10"), 1);
	ASSERT_STR_HAS(c.err, needle);
	waitpid(pid, &st, 0);
	close(lfd);
	return KSFT_PASS;
}

IOU_TEST(echo_client_catches_mismatch, "echo-client exits 1 on a flipped byte, naming its offset")
{
	return client_vs_bad(0, "mismatch at byte 1024");
}

IOU_TEST(echo_client_catches_short, "echo-client exits 1 on a short echo")
{
	return client_vs_bad(1, "short echo");
}

IOU_TEST_TIMEOUT(echo_cq_overflow, "echo: a CQ far too small (--cq-entries 128) overflows, nothing is lost", 120)
{
	char *argv[] = { (char *)iou_cli(), "load", "echo", "--listen",
			 "127.0.0.1:0", "--cq-entries", "128", NULL };
	struct server s;
	struct iou_cmd c;

	IOU_REQUIRE_FEATURE();
	ASSERT_OK(server_start(&s, argv, "127.0.0.1"));
	ASSERT_EQ(run_client(&c, s.addr, "-c", "128", "-n", "256k", "-s", "4k",
			     "-w", "16"), 0);
	ASSERT_EQ_U64(iou_out_field(c.out, "verified"), 128ULL << 18);
	ASSERT_EQ(server_stop(&s), IOUOPS_EXIT_OK);
	iou_diag_text("server: ", s.cmd.out, 0);
	iou_diag("steps that saw the CQ overflow flag: %" PRIu64,
		 iou_out_field(s.cmd.out, "cq_overflow"));
	ASSERT_EQ_U64(iou_out_field(s.cmd.out, "accepted"), 128);
	ASSERT_EQ_U64(iou_out_field(s.cmd.out, "closed"), 128);
	ASSERT_EQ_U64(iou_out_field(s.cmd.out, "bytes_in"), 128ULL << 18);
	ASSERT_EQ_U64(iou_out_field(s.cmd.out, "bytes_out"), 128ULL << 18);
	return KSFT_PASS;
}
