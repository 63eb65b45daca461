// SPDX-License-Identifier: GPL-2.0
/*
 * Controlling shards (`iouops load --shards`, the library's iou_shards_*):
 * a shard whose program fails stops the others and is named in one line;
 * the first SIGINT asks every shard to stop, a second detaches them all;
 * SIGKILL while loading or running leaves no link, map, program or ring;
 * every bad input is one line and its own status; a loader of our own
 * (samples/shards-demo) does the same through iouops.h.
 */
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "hostile.h"
#include "shards.h"

TEST_TIMEOUT(shards_fail, "a shard whose program fails stops the others: one line naming it, status PROG_ERROR", 120)
{
	struct st_cmd c;

	ST_REQUIRE_FEATURE();
	ASSERT_EQ(IOUOPS_EXIT_PROG_ERROR,
		  st_run_cli(&c, NULL, NULL, "load",
			     st_build_path("selftests/shard_fail.bpf.o"),
			     "--shards", "2", NULL));
	st_diag_text("", c.out, 0);
	ASSERT_EQ(1, st_count_lines(c.err));
	ASSERT_STR_HAS(c.err, "iouops: shard 1 failed (EXIT: error -5 "
			      "(Input/output error): shard 1 fails on purpose");
	ASSERT_STR_HAS(c.err, "the other shards were stopped");
	ASSERT_TRUE(st_cmd_has(&c, "shard 0: EXIT: stopped (shard 0 asked to stop)"));
	ASSERT_TRUE(st_cmd_has(&c, "shard 1: EXIT: error -5"));
	ASSERT_TRUE(st_cmd_has(&c, "overall: exit status 13"));
	return KSFT_PASS;
}

/* Until N more struct_ops links than BASE are attached. */
static int wait_links(struct st_cmd *c, int base, int n)
{
	double end = st_now() + 60;
	int links;

	while (st_now() < end) {
		if (st_cmd_pump(c, 100))
			return -ECHILD;
		links = st_count_struct_ops_links();
		if (links < 0)
			return links;
		if (links >= base + n)
			return 0;
	}
	return -ETIMEDOUT;
}

TEST_TIMEOUT(shards_sigint_twice, "shards that ignore the stop: the first SIGINT waits, the second detaches all (130); --stats has a line per shard and a total", 120)
{
	char *argv[] = { (char *)st_cli(), "load",
			 (char *)st_build_path("selftests/ignore_stop.bpf.o"),
			 "--shards", "2", "--stats", "1", NULL };
	struct hostile_census base;
	struct hostile_run r = { .prog = HOSTILE_NOPS };
	double end;

	ST_REQUIRE_FEATURE();
	ASSERT_OK(hostile_census(&base));
	ASSERT_OK(st_cmd_start(&r.cmd, NULL, NULL, argv));
	ASSERT_OK(wait_links(&r.cmd, base.links, 2));
	/* a stats round: a line per shard, then the total */
	end = st_now() + 30;
	while (!st_cmd_has(&r.cmd, "total: counters: submitted=") &&
	       st_now() < end)
		st_cmd_pump(&r.cmd, 100);
	ASSERT_TRUE(st_cmd_has(&r.cmd, "shard 0: counters: submitted="));
	ASSERT_TRUE(st_cmd_has(&r.cmd, "shard 1: counters: submitted="));
	ASSERT_TRUE(st_cmd_has(&r.cmd, "total: counters: submitted="));

	ASSERT_OK(kill(r.cmd.pid, SIGINT));
	st_cmd_pump(&r.cmd, 1000);
	ASSERT_TRUE(r.cmd.pid != 0);	/* they ignore it: still running */
	ASSERT_OK(kill(r.cmd.pid, SIGINT));
	ASSERT_OK(st_cmd_wait(&r.cmd, 20000));
	st_diag_text("", r.cmd.out, 12);
	ASSERT_EQ(IOUOPS_EXIT_SIGNAL, r.cmd.status);
	ASSERT_EQ(0, r.cmd.signo);
	ASSERT_STR_HAS(r.cmd.err, "second signal: detached");
	ASSERT_EQ(1, st_count_lines(r.cmd.err));
	ASSERT_TRUE(st_cmd_has(&r.cmd, "overall: exit status 130"));
	ASSERT_OK(hostile_check_clean(&base, &r));
	return KSFT_PASS;
}

/* echo --shards 2 on a free port with a client; killed by SIG after
 * DELAY_MS, or once running (delay_ms < 0). Nothing may be left. */
static int kill_shards(const struct hostile_fixture *h, int sig, int delay_ms)
{
	static struct hostile_run r;	/* an assertion shows r.cmd */
	double end;

	memset(&r, 0, sizeof(r));
	ASSERT_OK(hostile_start(&r, h, HOSTILE_ECHO_SHARDS));
	if (delay_ms >= 0) {
		end = st_now() + delay_ms / 1000.0;
		while (st_now() < end && !hostile_pump(&r, 10))
			;
	} else {
		ASSERT_OK(hostile_wait_running(&r));
		for (int i = 0; i < 20; i++)
			hostile_pump(&r, 10);	/* the client connects */
	}
	if (r.cmd.pid)
		kill(r.cmd.pid, sig);
	ASSERT_OK(st_cmd_wait(&r.cmd, 30000));
	if (r.client > 0)
		kill(r.client, SIGKILL);
	ASSERT_OK(hostile_check_clean(&h->base, &r));
	hostile_cleanup(&r);
	return 0;
}

HOSTILE_FIXTURE(shards);

TEST_F_TIMEOUT(shards, kill, "echo --shards 2: SIGKILL while loading and while running, SIGINT while running: no link, map, program, ring or port left", 240)
{
	ASSERT_OK(kill_shards(&self->h, SIGKILL, 300));	/* loading */
	ASSERT_OK(kill_shards(&self->h, SIGKILL, -1));	/* running */
	ASSERT_OK(kill_shards(&self->h, SIGINT, -1));
	ASSERT_EQ(0, hostile_kmsg_splats());
	return KSFT_PASS;
}

TEST_TIMEOUT(shards_lib, "samples/shards-demo: the library's shards API runs nops to the end and serves echo until SIGINT", 180)
{
	const char *demo = st_build_path("samples/shards-demo");
	char *argv[] = { (char *)demo, "-n", "2", "-l", "127.0.0.1:0",
			 (char *)st_build_path("progs/echo.bpf.o"), NULL };
	char addr[64];
	struct st_cmd c, s;

	ST_REQUIRE_FEATURE();
	ASSERT_EQ(0, st_run(&c, NULL, NULL, demo, "-n", "2",
			    st_build_path("progs/nops.bpf.o"), "total=20000",
			    "qd=4", NULL));
	st_diag_text("", c.out, 0);
	ASSERT_TRUE(st_cmd_has(&c, "2 shards"));
	ASSERT_TRUE(st_cmd_has(&c, "shard 1 (cpu "));
	ASSERT_TRUE(st_cmd_has(&c, "EXIT: done (20000 NOPs"));
	ASSERT_TRUE(st_cmd_has(&c, "total: submitted=40000 completed=40000 checked=40000"));

	ASSERT_OK(st_server_start(&s, argv, "127.0.0.1", addr, sizeof(addr)));
	ASSERT_EQ(0, st_run(&c, NULL, NULL, st_build_path("samples/echo-client"),
			    "-a", addr, "-c", "32", "-n", "16k", "-q", NULL));
	ASSERT_EQ_U64(32 * 16384, st_out_field(c.out, "verified"));
	ASSERT_OK(kill(s.pid, SIGINT));
	ASSERT_OK(st_cmd_wait(&s, 30000));
	st_diag_text("", s.out, 0);
	ASSERT_EQ(0, s.status);
	ASSERT_EQ_U64(32, st_out_field(s.out, "accepted"));	/* the total */
	ASSERT_EQ_U64(32 * 16384, st_out_field(s.out, "bytes_out"));
	return KSFT_PASS;
}

/* Every bad command line, each one line and its status; none needs the
 * kernel feature (refused before any ring). */
TEST(shards_bad_input, "--shards 0/-1/abc/1025/2x/'', --steer without --shards or unknown, with --shm-type, cp, --in: one line, its status; inspect says shardable or why not")
{
	static const char *const counts[] = { "0", "-1", "abc", "1025", "2x",
					      "", "+2", " 2" };
	const char *nops = st_build_path("progs/nops.bpf.o");
	struct st_cmd c;

	for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++)
		ASSERT_CLI_ERROR(&c, IOUOPS_EXIT_USAGE,
				 "expected a number of shards from 1 to 1024, or auto",
				 "load", nops, "--shards", counts[i]);
	ASSERT_CLI_ERROR(&c, IOUOPS_EXIT_USAGE, "--steer chooses between shards",
			 "load", nops, "--steer", "cpu");
	ASSERT_CLI_ERROR(&c, IOUOPS_EXIT_USAGE, "--steer 'rss': expected hash or cpu",
			 "load", nops, "--shards", "2", "--steer", "rss");
	ASSERT_CLI_ERROR(&c, IOUOPS_EXIT_USAGE, "--shards with --shm-type",
			 "load", nops, "--shards", "2", "--shm-type", "x");
	ASSERT_CLI_ERROR(&c, IOUOPS_EXIT_NOSHARD,
			 "--shards: cp cannot be sharded: it works on one pair "
			 "of --in/--out files (its globals src_fd, dst_fd)",
			 "load", "cp", "--shards", "2", "--src", "/proc/self/stat",
			 "--dst", "/tmp/iouops-shards-never-written");
	ASSERT_EQ(-1, access("/tmp/iouops-shards-never-written", F_OK));
	ASSERT_CLI_ERROR(&c, IOUOPS_EXIT_NOSHARD,
			 "it has --in/--out files, which every shard would read",
			 "load", nops, "--shards", "auto", "--in",
			 "total=/proc/self/stat");
	/* the shared address: said once, naming no shard */
	ASSERT_CLI_ERROR(&c, IOUOPS_EXIT_BADADDR, "give --listen ADDR:PORT",
			 "load", "echo", "--shards", "2");
	ASSERT_TRUE(!strstr(c.err, "shard "));
	ASSERT_CLI_ERROR(&c, IOUOPS_EXIT_BADADDR, "--listen given, but the "
			 "program has no listen_fd", "load", nops, "--shards",
			 "2", "--listen", "127.0.0.1:0");
	ASSERT_CLI_ERROR(&c, IOUOPS_EXIT_BADADDR, "expected IPv4:PORT",
			 "load", "echo", "--shards", "2", "--listen", "nowhere");
	/* inspect says it beforehand */
	ASSERT_EQ(IOUOPS_EXIT_OK, st_run_cli(&c, NULL, NULL, "inspect",
					     st_build_path("progs/cp.bpf.o"), NULL));
	ASSERT_STR_HAS(c.out, "\nshardable no (it works on one pair of --in/--out files");
	ASSERT_EQ(IOUOPS_EXIT_OK, st_run_cli(&c, NULL, NULL, "inspect",
					     st_build_path("progs/echo.bpf.o"), NULL));
	ASSERT_STR_HAS(c.out, "\nshardable yes\n");
	ASSERT_EQ(IOUOPS_EXIT_OK, st_run_cli(&c, NULL, NULL, "inspect",
		  st_build_path("selftests/shard_fail.bpf.o"), NULL));
	ASSERT_STR_HAS(c.out, "\nconvention iou_shard yes\n");
	return KSFT_PASS;
}

TEST_TIMEOUT(shards_port_taken, "--shards 2 on a port another socket holds: one line, exit ADDRINUSE, nothing attached", 60)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sa);
	struct hostile_census base;
	struct hostile_run r = { .prog = HOSTILE_ECHO };
	char listen_s[32];
	int fd;

	ST_REQUIRE_FEATURE();
	ASSERT_OK(hostile_census(&base));
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ASSERT_LE(0, fd);
	ASSERT_OK(bind(fd, (struct sockaddr *)&sa, sizeof(sa)));
	ASSERT_OK(listen(fd, 4));
	ASSERT_OK(getsockname(fd, (struct sockaddr *)&sa, &len));
	snprintf(listen_s, sizeof(listen_s), "127.0.0.1:%u", ntohs(sa.sin_port));
	ASSERT_CLI_ERROR(&r.cmd, IOUOPS_EXIT_ADDRINUSE,
			 "address already in use", "load", "echo", "--shards",
			 "2", "--listen", listen_s);
	ASSERT_TRUE(!strstr(r.cmd.err, "shard"));	/* the shared address */
	close(fd);
	ASSERT_OK(hostile_check_clean(&base, &r));
	return KSFT_PASS;
}

TEST_TIMEOUT(shards_more_than_cpus, "--shards CPUs+1: one warning line, the shards share CPUs, all done", 120)
{
	char n_s[16];
	struct st_cmd c;
	cpu_set_t set;
	int n;

	ST_REQUIRE_FEATURE();
	ASSERT_OK(sched_getaffinity(0, sizeof(set), &set));
	n = CPU_COUNT(&set) + 1;
	snprintf(n_s, sizeof(n_s), "%d", n);
	ASSERT_EQ(IOUOPS_EXIT_OK,
		  st_run_cli(&c, NULL, NULL, "load", "nops", "--shards", n_s,
			     "--set", "total=2000", NULL));
	ASSERT_EQ(1, st_count_lines(c.err));
	ASSERT_STR_HAS(c.err, "more shards than the");
	ASSERT_STR_HAS(c.err, "they share CPUs");
	ASSERT_OK(shards_sum_is_total(c.out, (unsigned)n, "completed"));
	ASSERT_EQ_U64(2000ULL * (unsigned)n, shard_field(c.out, "total: ", "completed"));
	return KSFT_PASS;
}
