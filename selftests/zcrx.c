// SPDX-License-Identifier: GPL-2.0
/*
 * Device-less zcrx in the loop (progs/zcrx_sink.bpf.c, --zcrx): a client
 * sends a seeded pattern, the program checks every byte where RECV_ZC put
 * it, hands buffers back through the refill queue and has the loader
 * flush it; the counters must agree with each other and with the
 * kernel's own copy counters. The same program without --zcrx (multishot
 * recv, buffer ring) checks the same stream. A flipped byte is caught.
 * Bad input: no CAP_NET_ADMIN, an area too big for the region, --zcrx on
 * a program that declares no area.
 */
#include <sys/prctl.h>
#include <linux/capability.h>

#include "selftest.h"

static int require_zcrx(void)
{
	char why[256];

	if (iou_probe_zcrx(why, sizeof(why)))
		return st_skip("%s", why);
	return 0;
}

#define ST_REQUIRE_ZCRX() do {						\
	int __r = require_zcrx();					\
	if (__r)							\
		return __r;						\
} while (0)

struct sink_run {
	struct st_cmd server, client;
	char addr[64];
};

/* Start zcrx_sink (extra options a1..a4, NULL-terminated), send `bytes`
 * of the seed-7 pattern over `conns` connections, wait for the sink. */
static int sink_run(struct sink_run *s, const char *bytes, const char *conns,
		    const char *corrupt, const char *a1, const char *a2,
		    const char *a3, const char *a4)
{
	char *argv[] = { (char *)st_cli(), "load", "zcrx_sink", "--listen",
			 "127.0.0.1:0", "--set", "seed=7", "--set", NULL,
			 (char *)a1, (char *)a2, (char *)a3, (char *)a4, NULL };
	char conns_set[32];
	int status;

	snprintf(conns_set, sizeof(conns_set), "conns=%s", conns);
	argv[8] = conns_set;
	memset(s, 0, sizeof(*s));
	ASSERT_OK(st_server_start(&s->server, argv, "127.0.0.1", s->addr,
				  sizeof(s->addr)));
	status = st_run(&s->client, NULL, NULL,
			st_build_path("samples/zcrx-client"), "-a", s->addr,
			"-n", bytes, "-c", conns, "--seed", "7",
			corrupt ? "--corrupt" : NULL, corrupt, NULL);
	st_diag_text("client: ", s->client.out, 3);
	/* With a flipped byte the sink stops there and closes, so a client
	 * still sending may be reset: that, and only that, is also fine. */
	if (corrupt && status == 1 &&
	    (st_cmd_has(&s->client, "send: Connection reset by peer") ||
	     st_cmd_has(&s->client, "send: Broken pipe")))
		status = 0;
	ASSERT_EQ(0, status);
	ASSERT_OK(st_cmd_wait(&s->server, 120000));
	st_diag_text("sink: ", s->server.out, 10);
	return 0;
}

static uint64_t field(const struct sink_run *s, const char *name)
{
	return st_out_field(s->server.out, name);
}

TEST_TIMEOUT(zcrx_sink, "zcrx_sink --zcrx: 3 x 24 MiB, every byte checked, counters agree", 240)
{
	const uint64_t total = 3ULL * 24 << 20;
	struct sink_run s;

	ST_REQUIRE_FEATURE();
	ST_REQUIRE_ZCRX();
	/* a 1 MiB area: 256 buffers, so the flushes must keep up */
	ASSERT_OK(sink_run(&s, "24m", "3", NULL, "--zcrx", "--set",
			   "area_size=1m", NULL));
	ASSERT_EQ(IOUOPS_EXIT_OK, s.server.status);
	ASSERT_TRUE(st_cmd_has(&s.server, "every byte checked"));
	ASSERT_EQ_U64(total, field(&s, "bytes"));
	ASSERT_EQ_U64(3, field(&s, "conns"));
	/* device-less: every byte came through the fallback copy, as the
	 * kernel's own counters say, one area buffer (<= 4 KiB) per CQE */
	ASSERT_EQ_U64(total, field(&s, "fallback_bytes"));
	ASSERT_LE(field(&s, "fallback_copies"), field(&s, "buffers"));
	ASSERT_LE(total / 4096, field(&s, "buffers"));
	/* 256 buffers for 18432+ of them: many flushes, each one asked
	 * for by the program and done by the loader */
	ASSERT_LT(total / 4096 / 256, field(&s, "flush_requests"));
	ASSERT_EQ_U64(field(&s, "flush_requests"), field(&s, "flushes"));
	return KSFT_PASS;
}

TEST_TIMEOUT(zcrx_sink_recv, "zcrx_sink without --zcrx: buffer-ring recv checks the same stream", 180)
{
	struct sink_run s;

	ST_REQUIRE_FEATURE();
	ASSERT_OK(sink_run(&s, "32m", "1", NULL, NULL, NULL, NULL, NULL));
	ASSERT_EQ(IOUOPS_EXIT_OK, s.server.status);
	ASSERT_EQ_U64(32ULL << 20, field(&s, "bytes"));
	ASSERT_EQ_U64(0, field(&s, "flush_requests"));
	ASSERT_EQ_U64(0, field(&s, "fallback_bytes"));
	return KSFT_PASS;
}

TEST_TIMEOUT(zcrx_sink_corrupt, "zcrx_sink --zcrx: one flipped byte is reported at its offset", 120)
{
	struct sink_run s;

	ST_REQUIRE_FEATURE();
	ST_REQUIRE_ZCRX();
	ASSERT_OK(sink_run(&s, "4m", "1", "3000001", "--zcrx", NULL, NULL, NULL));
	ASSERT_EQ(IOUOPS_EXIT_PROG_ERROR, s.server.status);
	ASSERT_TRUE(st_cmd_has(&s.server, "byte 3000001 of connection 0"));
	return KSFT_PASS;
}

/* In the child, before exec: a root process keeps only what its bounding
 * set allows across exec. */
static int drop_net_admin(void *arg)
{
	(void)arg;
	return prctl(PR_CAPBSET_DROP, CAP_NET_ADMIN, 0, 0, 0);
}

TEST(zcrx_no_net_admin, "--zcrx without CAP_NET_ADMIN: one line, exit 30")
{
	struct st_cmd c;

	ST_REQUIRE_FEATURE();
	ST_REQUIRE_ZCRX();
	ASSERT_EQ(IOUOPS_EXIT_NONETADMIN,
		  st_run_cli(&c, drop_net_admin, NULL, "load", "zcrx_sink",
			     "--zcrx", "--listen", "127.0.0.1:0", NULL));
	ASSERT_TRUE(st_cmd_has(&c, "needs CAP_NET_ADMIN"));
	ASSERT_EQ(1, st_count_lines(c.err));
	return KSFT_PASS;
}

TEST(zcrx_bad_input, "--zcrx: area too big for the region, undeclared, unaligned: exit 31")
{
	struct st_cmd c;

	/* all refused before the ring exists: no kernel feature needed
	 * when run as root (the privilege check comes first) */
	ST_REQUIRE_FEATURE();
	ASSERT_CLI_ERROR(&c, IOUOPS_EXIT_ZCRX, "does not fit the shared region",
			 "load", "zcrx_sink", "--zcrx", "--listen",
			 "127.0.0.1:0", "--set", "area_size=0xfffff000");
	ASSERT_CLI_ERROR(&c, IOUOPS_EXIT_ZCRX, "must be a multiple of the page",
			 "load", "zcrx_sink", "--zcrx", "--listen",
			 "127.0.0.1:0", "--set", "area_size=5000");
	ASSERT_CLI_ERROR(&c, IOUOPS_EXIT_ZCRX, "declares no zcrx area",
			 "load", "nops", "--zcrx");
	ASSERT_CLI_ERROR(&c, IOUOPS_EXIT_ZCRX, "declares no zcrx area",
			 "load", "echo", "--zcrx", "--listen", "127.0.0.1:0");
	return KSFT_PASS;
}
