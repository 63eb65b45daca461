// SPDX-License-Identifier: GPL-2.0
/*
 * SIGINT handling of `iouops load`: the first SIGINT asks the program to
 * stop and waits for it to wind down (exit 0, "stopped"); a second one
 * detaches at once (exit 130). Either way nothing stays attached.
 */
#include <signal.h>
#include <stdlib.h>

#include "selftest.h"

/* Until the command's struct_ops link shows up; -errno if it exits or
 * does not attach in time. */
static int wait_attached(struct st_cmd *c, int links_before)
{
	double end = st_now() + (st_time_left() - 15 > 5 ?
				 st_time_left() - 15 : 5);
	int n;

	while (st_now() < end) {
		if (st_cmd_pump(c, 100)) {
			st_diag("exited before it was attached");
			return -ECHILD;
		}
		n = st_count_struct_ops_links();
		if (n < 0)
			return n;
		if (n > links_before)
			return 0;
	}
	st_diag("no new struct_ops link after %.1f s", st_now() - c->start);
	return -ETIMEDOUT;
}

/* Until the links and io_uring_bpf_ops maps are back to the numbers from
 * before the command ran (teardown of a ring can lag a little). */
static int wait_detached(int links_before, int maps_before)
{
	double end = st_now() + 30;
	int links, maps;

	do {
		links = st_count_struct_ops_links();
		maps = st_count_io_uring_ops_maps();
		if (links < 0 || maps < 0)
			return -EIO;
		if (links <= links_before && maps <= maps_before)
			return 0;
		st_sleep_ms(100);
	} while (st_now() < end);
	st_diag("30 s after exit: %d struct_ops links (before: %d), "
		"%d io_uring_bpf_ops maps (before: %d)",
		links, links_before, maps, maps_before);
	return -EBUSY;
}

/* "NAME=123" in the command's output. */
static uint64_t out_counter(const struct st_cmd *c, const char *name)
{
	const char *bufs[2] = { c->out, c->err };
	char key[64];

	snprintf(key, sizeof(key), "%s=", name);
	for (int i = 0; i < 2; i++) {
		const char *s = bufs[i] ? strstr(bufs[i], key) : NULL;

		if (s)
			return strtoull(s + strlen(key), NULL, 0);
	}
	st_diag("no \"%s\" in the output", key);
	return UINT64_MAX;
}

/* Until `iouops stat` shows the running command has completed a NOP
 * (however slow this machine is); -errno if it exits first or never. */
static int wait_completed(struct st_cmd *c)
{
	double end = st_now() + 30;
	struct st_cmd st;
	char pid_s[16];

	snprintf(pid_s, sizeof(pid_s), "%d", (int)c->pid);
	do {
		if (st_cmd_pump(c, 100))
			return -ECHILD;
		if (st_run_cli(&st, NULL, NULL, "stat", pid_s, NULL) == 0 &&
		    st_out_field(st.out, "completed") >= 1 &&
		    st_out_field(st.out, "completed") != UINT64_MAX)
			return 0;
	} while (st_now() < end);
	st_diag("no NOP completed 30 s after attaching");
	return -ETIMEDOUT;
}

/* Count what is attached now, start the command and wait until it has
 * attached its own program. */
static int start_attached(struct st_cmd *c, char **argv, int *links0,
			  int *maps0)
{
	int err;

	*links0 = st_count_struct_ops_links();
	*maps0 = st_count_io_uring_ops_maps();
	if (*links0 < 0 || *maps0 < 0)
		return -EIO;
	err = st_cmd_start(c, NULL, NULL, argv);
	return err ? err : wait_attached(c, *links0);
}

TEST_TIMEOUT(sigint, "SIGINT: nops winds down, exit 0, nothing left attached", 60)
{
	char *argv[] = { (char *)st_cli(), "load", "nops",
			 "--set", "total=1000000000", "--set", "qd=8", NULL };
	int links0, maps0;
	uint64_t submitted, completed;
	struct st_cmd c;
	double t;

	ST_REQUIRE_FEATURE();
	ASSERT_OK(start_attached(&c, argv, &links0, &maps0));
	ASSERT_OK(wait_completed(&c));	/* it loops */
	ASSERT_TRUE(c.pid != 0);	/* 10^9 NOPs take far longer */

	ASSERT_OK(kill(c.pid, SIGINT));
	t = st_now();
	ASSERT_OK(st_cmd_wait(&c, 10000));
	st_diag("exited %.2f s after SIGINT", st_now() - t);
	ASSERT_EQ(IOUOPS_EXIT_OK, c.status);
	ASSERT_TRUE(st_cmd_has(&c, "stopped"));
	/* it waited for every NOP in flight */
	submitted = out_counter(&c, "submitted");
	completed = out_counter(&c, "completed");
	ASSERT_LT(0, completed);
	ASSERT_GT(1000000000, completed);
	ASSERT_EQ_U64(submitted, completed);

	ASSERT_OK(wait_detached(links0, maps0));
	return KSFT_PASS;
}

TEST_TIMEOUT(sigint_twice, "second SIGINT detaches a program that ignores stop: exit 130", 60)
{
	char *argv[] = { (char *)st_cli(), "load",
			 (char *)st_build_path("selftests/ignore_stop.bpf.o"),
			 NULL };
	int links0, maps0;
	struct st_cmd c;
	double t;

	ST_REQUIRE_FEATURE();
	ASSERT_OK(start_attached(&c, argv, &links0, &maps0));
	st_cmd_pump(&c, 300);

	/* The program ignores the stop request: the loader keeps waiting. */
	ASSERT_OK(kill(c.pid, SIGINT));
	st_cmd_pump(&c, 1000);
	ASSERT_TRUE(c.pid != 0);

	ASSERT_OK(kill(c.pid, SIGINT));
	t = st_now();
	ASSERT_OK(st_cmd_wait(&c, 10000));
	st_diag("exited %.2f s after the second SIGINT", st_now() - t);
	ASSERT_EQ(IOUOPS_EXIT_SIGNAL, c.status);
	ASSERT_EQ(0, c.signo);	/* exit(130), not killed by SIGINT */

	ASSERT_OK(wait_detached(links0, maps0));
	return KSFT_PASS;
}
