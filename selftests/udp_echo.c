// SPDX-License-Identifier: GPL-2.0
/*
 * progs/udp_echo.bpf.c through `iouops load udp_echo --listen`: several
 * clients sweep datagram sizes 1..65507 over IPv4 and IPv6 and check
 * every reply byte for byte (samples/udp-echo-client); a datagram too big
 * for a buffer is counted as truncated and not echoed; a burst much
 * larger than the buffer ring runs it dry (-ENOBUFS, counted) and every
 * reply that comes back is still right. The server's totals must match.
 */
#include <signal.h>
#include <stdlib.h>

#include "selftest.h"

struct udp_server {
	struct st_cmd cmd;
	char addr[64];		/* HOST:PORT for the client */
};

static int udp_start(struct udp_server *s, const char *listen, const char *host)
{
	char *argv[] = { (char *)st_cli(), "load", "udp_echo", "--listen",
			 (char *)listen, NULL };

	memset(s, 0, sizeof(*s));
	return st_server_start(&s->cmd, argv, host, s->addr, sizeof(s->addr));
}

/* SIGINT: the server winds down and prints its counters. */
static int udp_stop(struct udp_server *s)
{
	ASSERT_OK(kill(s->cmd.pid, SIGINT));
	ASSERT_OK(st_cmd_wait(&s->cmd, 20000));
	st_diag_text("server: ", s->cmd.out, 10);
	ASSERT_EQ(IOUOPS_EXIT_OK, s->cmd.status);
	ASSERT_TRUE(st_cmd_has(&s->cmd, "EXIT: stopped"));
	return 0;
}

/* NAME=N in the server's counters line. */
static uint64_t counter(const struct udp_server *s, const char *name)
{
	return st_out_field(s->cmd.out, name);
}

static int client(struct udp_server *s, const char *a1, const char *a2,
		  const char *a3, const char *want)
{
	struct st_cmd c;

	ASSERT_EQ(0,
		  st_run(&c, NULL, NULL, st_build_path("samples/udp-echo-client"),
			 s->addr, a1, a2, a3, NULL));
	st_diag_text("client: ", c.out, 3);
	ASSERT_TRUE(st_cmd_has(&c, want));
	return 0;
}

VARIANT(udp_echo) {
	const char *listen, *host;	/* --listen, and the clients' host */
};

VARIANT_ADD_TIMEOUT(udp_echo, ipv4, "udp_echo: 4 clients, sizes 1..65507 on 127.0.0.1, every reply checked", 120)
{ "127.0.0.1:0", "127.0.0.1" };
VARIANT_ADD_TIMEOUT(udp_echo, ipv6, "udp_echo: 4 clients, sizes 1..65507 on [::1], every reply checked", 120)
{ "[::1]:0", "[::1]" };

TEST_VARIANTS(udp_echo)
{
	struct udp_server s;

	ST_REQUIRE_FEATURE();
	ASSERT_OK(udp_start(&s, variant->listen, variant->host));
	/* 4 clients x (64 + 66 + 2) sizes, every reply checked */
	ASSERT_OK(client(&s, "-c", "4", NULL, "0 lost, 0 bad"));
	ASSERT_OK(udp_stop(&s));
	ASSERT_EQ_U64(counter(&s, "echoed"), counter(&s, "datagrams"));
	ASSERT_LE(4 * 132, counter(&s, "datagrams"));
	ASSERT_EQ_U64(0, counter(&s, "truncated"));
	ASSERT_EQ_U64(0, counter(&s, "send_errors"));
	ASSERT_EQ_U64(0, counter(&s, "recv_errors"));
	return KSFT_PASS;
}

TEST_TIMEOUT(udp_echo_truncated, "udp_echo: a 65527-byte IPv6 datagram is cut, counted, not echoed; the loop goes on", 60)
{
	struct udp_server s;

	ST_REQUIRE_FEATURE();
	ASSERT_OK(udp_start(&s, "[::1]:0", "[::1]"));
	ASSERT_OK(client(&s, "--no-reply", "65527", NULL, "no reply (as expected)"));
	ASSERT_OK(client(&s, "--no-reply", "65527", NULL, "no reply (as expected)"));
	ASSERT_OK(client(&s, "-c", "1", NULL, "0 lost, 0 bad"));
	ASSERT_OK(udp_stop(&s));
	ASSERT_EQ_U64(2, counter(&s, "truncated"));
	ASSERT_EQ_U64(counter(&s, "echoed") + 2, counter(&s, "datagrams"));
	return KSFT_PASS;
}

TEST_TIMEOUT(udp_echo_burst, "udp_echo: 2000 datagrams at once (64 buffers): -ENOBUFS counted, re-armed, replies right", 120)
{
	struct udp_server s;

	ST_REQUIRE_FEATURE();
	ASSERT_OK(udp_start(&s, "127.0.0.1:0", "127.0.0.1"));
	ASSERT_OK(client(&s, "--burst", "2000", "-l1000", "0 bad"));
	/* still serving afterwards */
	ASSERT_OK(client(&s, "-c", "2", NULL, "0 lost, 0 bad"));
	ASSERT_OK(udp_stop(&s));
	ASSERT_LE(1, counter(&s, "nobufs"));
	ASSERT_EQ_U64(counter(&s, "nobufs") + 1, counter(&s, "rearms"));
	/* buffers are held by sends and by receive CQEs not yet handled */
	ASSERT_GE(64, counter(&s, "held_max"));
	ASSERT_EQ_U64(counter(&s, "echoed"), counter(&s, "datagrams"));
	return KSFT_PASS;
}

TEST(udp_echo_bad_input, "udp_echo: no --listen, a TCP-only option on a UDP program: one line, own status")
{
	struct st_cmd c;

	ST_REQUIRE_FEATURE();
	ASSERT_CLI_ERROR(&c, IOUOPS_EXIT_BADADDR, IOU_SYM_UDP_FD, "load", "udp_echo");
	ASSERT_CLI_ERROR(&c, IOUOPS_EXIT_BADADDR, NULL,
			 "load", "udp_echo", "--listen", "127.0.0.1:99999");
	ASSERT_CLI_ERROR(&c, IOUOPS_EXIT_ADDRNOTAVAIL, NULL,
			 "load", "udp_echo", "--listen", "192.0.2.1:7");
	return KSFT_PASS;
}
