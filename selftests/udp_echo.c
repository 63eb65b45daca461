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
	struct iou_cmd cmd;
	char addr[64];		/* HOST:PORT for the client */
};

static int udp_start(struct udp_server *s, const char *listen, const char *host)
{
	char *argv[] = { (char *)iou_cli(), "load", "udp_echo", "--listen",
			 (char *)listen, NULL };

	memset(s, 0, sizeof(*s));
	return iou_server_start(&s->cmd, argv, host, s->addr, sizeof(s->addr));
}

/* SIGINT: the server winds down and prints its counters. */
static int udp_stop(struct udp_server *s)
{
	ASSERT_OK(kill(s->cmd.pid, SIGINT));
	ASSERT_OK(iou_cmd_wait(&s->cmd, 20000));
	iou_diag_text("server: ", s->cmd.out, 10);
	ASSERT_EQ(s->cmd.status, IOUOPS_EXIT_OK);
	ASSERT_TRUE(iou_cmd_has(&s->cmd, "EXIT: stopped"));
	return 0;
}

/* NAME=N in the server's counters line. */
static uint64_t counter(const struct udp_server *s, const char *name)
{
	return iou_out_field(s->cmd.out, name);
}

static int client(struct udp_server *s, const char *a1, const char *a2,
		  const char *a3, const char *want)
{
	struct iou_cmd c;

	ASSERT_EQ(iou_run(&c, NULL, NULL, iou_build_path("samples/udp-echo-client"),
			  s->addr, a1, a2, a3, NULL), 0);
	iou_diag_text("client: ", c.out, 3);
	ASSERT_TRUE(iou_cmd_has(&c, want));
	return 0;
}

static int sweep(const char *listen, const char *host)
{
	struct udp_server s;

	IOU_REQUIRE_FEATURE();
	ASSERT_OK(udp_start(&s, listen, host));
	/* 4 clients x (64 + 66 + 2) sizes, every reply checked */
	ASSERT_OK(client(&s, "-c", "4", NULL, "0 lost, 0 bad"));
	ASSERT_OK(udp_stop(&s));
	ASSERT_EQ_U64(counter(&s, "datagrams"), counter(&s, "echoed"));
	ASSERT_GE(counter(&s, "datagrams"), 4 * 132);
	ASSERT_EQ_U64(counter(&s, "truncated"), 0);
	ASSERT_EQ_U64(counter(&s, "send_errors"), 0);
	ASSERT_EQ_U64(counter(&s, "recv_errors"), 0);
	return KSFT_PASS;
}

IOU_TEST_TIMEOUT(udp_echo_ipv4, "udp_echo: 4 clients, sizes 1..65507 on 127.0.0.1, every reply checked", 120)
{
	return sweep("127.0.0.1:0", "127.0.0.1");
}

IOU_TEST_TIMEOUT(udp_echo_ipv6, "udp_echo: 4 clients, sizes 1..65507 on [::1], every reply checked", 120)
{
	return sweep("[::1]:0", "[::1]");
}

IOU_TEST_TIMEOUT(udp_echo_truncated, "udp_echo: a 65527-byte IPv6 datagram is cut, counted, not echoed; the loop goes on", 60)
{
	struct udp_server s;

	IOU_REQUIRE_FEATURE();
	ASSERT_OK(udp_start(&s, "[::1]:0", "[::1]"));
	ASSERT_OK(client(&s, "--no-reply", "65527", NULL, "no reply (as expected)"));
	ASSERT_OK(client(&s, "--no-reply", "65527", NULL, "no reply (as expected)"));
	ASSERT_OK(client(&s, "-c", "1", NULL, "0 lost, 0 bad"));
	ASSERT_OK(udp_stop(&s));
	ASSERT_EQ_U64(counter(&s, "truncated"), 2);
	ASSERT_EQ_U64(counter(&s, "datagrams"), counter(&s, "echoed") + 2);
	return KSFT_PASS;
}

IOU_TEST_TIMEOUT(udp_echo_burst, "udp_echo: 2000 datagrams at once (64 buffers): -ENOBUFS counted, re-armed, replies right", 120)
{
	struct udp_server s;

	IOU_REQUIRE_FEATURE();
	ASSERT_OK(udp_start(&s, "127.0.0.1:0", "127.0.0.1"));
	ASSERT_OK(client(&s, "--burst", "2000", "-l1000", "0 bad"));
	/* still serving afterwards */
	ASSERT_OK(client(&s, "-c", "2", NULL, "0 lost, 0 bad"));
	ASSERT_OK(udp_stop(&s));
	ASSERT_GE(counter(&s, "nobufs"), 1);
	ASSERT_EQ_U64(counter(&s, "rearms"), counter(&s, "nobufs") + 1);
	/* buffers are held by sends and by receive CQEs not yet handled */
	ASSERT_LE(counter(&s, "held_max"), 64);
	ASSERT_EQ_U64(counter(&s, "datagrams"), counter(&s, "echoed"));
	return KSFT_PASS;
}

IOU_TEST(udp_echo_bad_input, "udp_echo: no --listen, a TCP-only option on a UDP program: one line, own status")
{
	struct iou_cmd c;

	IOU_REQUIRE_FEATURE();
	ASSERT_EQ(iou_run_cli(&c, NULL, NULL, "load", "udp_echo", NULL),
		  IOUOPS_EXIT_BADADDR);
	ASSERT_ONE_LINE_ERROR(&c);
	ASSERT_STR_HAS(c.err, IOU_SYM_UDP_FD);
	ASSERT_EQ(iou_run_cli(&c, NULL, NULL, "load", "udp_echo", "--listen",
			      "127.0.0.1:99999", NULL), IOUOPS_EXIT_BADADDR);
	ASSERT_ONE_LINE_ERROR(&c);
	ASSERT_EQ(iou_run_cli(&c, NULL, NULL, "load", "udp_echo", "--listen",
			      "192.0.2.1:7", NULL), IOUOPS_EXIT_ADDRNOTAVAIL);
	ASSERT_ONE_LINE_ERROR(&c);
	return KSFT_PASS;
}
