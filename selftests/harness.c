// SPDX-License-Identifier: GPL-2.0
/*
 * The checks themselves: ASSERT_*(expected, seen) with kselftest's
 * meaning, EXPECT_* going on after a failure, variant rows. Each check
 * runs in a forked child whose stdout is captured, so its failures do
 * not count against this test.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "selftest.h"

static int reached;	/* how far the child's checks got */

static int expect_then_assert(void)
{
	int seen = 4;

	EXPECT_EQ(3, seen);		/* fails, goes on */
	reached = 1;
	EXPECT_LT(0, seen);		/* passes: 0 < 4 */
	EXPECT_LT(5, seen);		/* fails: 5 < 4 */
	ASSERT_GE(seen, 3);		/* passes: 4 >= 3 */
	ASSERT_EQ_U64(7, 8);		/* fails, returns */
	reached = 2;
	return KSFT_PASS;
}

/* Run FN in a child with stdout in OUT; the child exits with
 * ret * 16 + failures * 4 + reached (all small). */
static int run_captured(int (*fn)(void), char *out, size_t len)
{
	int fds[2], st;
	ssize_t n, got = 0;
	pid_t pid;

	if (pipe(fds))
		return -errno;
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (!pid) {
		int ret;

		dup2(fds[1], 1);
		ret = fn();
		fflush(stdout);
		_exit(ret * 16 + (int)st_failures() * 4 + reached);
	}
	close(fds[1]);
	while ((size_t)got + 1 < len &&
	       (n = read(fds[0], out + got, len - 1 - (size_t)got)) > 0)
		got += n;
	out[got] = '\0';
	close(fds[0]);
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -ECHILD;
	return WEXITSTATUS(st);
}

TEST(harness_expect_assert, "EXPECT_* records and goes on, ASSERT_* returns; messages say expected/seen")
{
	char out[4096];
	int r = run_captured(expect_then_assert, out, sizeof(out));

	st_diag_text("child: ", out, 0);
	/* KSFT_FAIL returned, 3 failures, stopped before reached = 2 */
	ASSERT_EQ(KSFT_FAIL * 16 + 3 * 4 + 1, r);
	ASSERT_STR_HAS(out, "EXPECT_EQ(3, seen): expected 3, seen 4");
	ASSERT_STR_HAS(out, "EXPECT_LT(5, seen): expected 5 < seen 4");
	ASSERT_STR_HAS(out, "ASSERT_EQ_U64(7, 8): expected 7, seen 8");
	return KSFT_PASS;
}

TEST(harness_variants, "VARIANT_ADD rows are tests named BASE_ROW with their own descriptions; FIXTURE_VARIANT_ADD rows FIXTURE_TEST_ROW")
{
	struct st_cmd c;

	ASSERT_EQ(0, st_run(&c, NULL, NULL, st_build_path("selftests/runner"),
			    "-l", NULL));
	ASSERT_STR_HAS(c.out, "nops_qd1 ");
	ASSERT_STR_HAS(c.out, "nops_qd8 ");
	ASSERT_STR_HAS(c.out, "100000 NOPs, qd 64, through libiouops");
	ASSERT_STR_HAS(c.out, "echo_client_catches_short echo-client exits 1 on a short echo");
	/* a fixture's rows: every TEST_F once per row, FIXTURE_TEST_ROW */
	ASSERT_STR_HAS(c.out, "privs_fds_cloexec_nops ");
	ASSERT_STR_HAS(c.out, "privs_fds_cloexec_mbox ");
	ASSERT_STR_HAS(c.out, "are close-on-exec [udp_echo]\n");
	return KSFT_PASS;
}

/* ---- fixtures: the tests of selftests/failing/, in their own runner ---- */

FIXTURE(harness) {
	char marks[64];		/* where their teardowns leave marks */
};

FIXTURE_SETUP(harness)
{
	ASSERT_OK(st_mkdtemp(self->marks, sizeof(self->marks), "harness"));
	return KSFT_PASS;
}

FIXTURE_TEARDOWN(harness)
{
	ASSERT_OK(st_remove_tree(self->marks));
	return KSFT_PASS;
}

/* In the failing runner's process: where to leave marks; 2 s to fail. */
static int failing_env(void *marks)
{
	if (setenv("IOU_HARNESS_MARKS", marks, 1) ||
	    setenv("KSFT_TIMEOUT", "2", 1))
		return -errno;
	return 0;
}

/* The mark the teardown of NAME left, "" if none. */
static const char *mark_of(const char *marks, const char *name)
{
	static char buf[16][256];
	static int n;
	char *b = buf[n++ & 15], path[512];
	FILE *f;
	size_t len = 0;

	snprintf(path, sizeof(path), "%s/%s.teardown", marks, name);
	f = fopen(path, "re");
	if (f) {
		len = fread(b, 1, sizeof(buf[0]) - 1, f);
		fclose(f);
	}
	b[len] = '\0';
	return b;
}

#define GONE	" other_process=1 test_gone=1 child_gone=1\n"

TEST_F_TIMEOUT(harness, fixtures, "a teardown runs, in a process of its own once the test's group is gone, after a pass, an ASSERT, an EXPECT, a timeout, a crash, a skip, a failed setup; one that fails or hangs fails the test", 90)
{
	struct st_cmd c;

	ASSERT_EQ(KSFT_FAIL, st_run(&c, failing_env, self->marks,
				    st_build_path("selftests/failing/runner"),
				    NULL));
	/* what the runner reported */
	ASSERT_STR_HAS(c.out, "\nok 1 mark_passes\n");
	ASSERT_STR_HAS(c.out, "\nnot ok 2 mark_assert_fails\n");
	ASSERT_STR_HAS(c.out, "\nnot ok 3 mark_expect_fails\n");
	ASSERT_STR_HAS(c.out, "\nnot ok 4 mark_times_out # TIMEOUT\n");
	ASSERT_STR_HAS(c.out, "\nnot ok 5 mark_crashes\n");
	ASSERT_STR_HAS(c.out, "\nok 6 mark_skips # SKIP on purpose\n");
	ASSERT_STR_HAS(c.out, "\nnot ok 7 bad_setup_body\n");
	ASSERT_STR_HAS(c.out, "\nnot ok 8 bad_teardown_fails\n");
	ASSERT_STR_HAS(c.out, "# bad_teardown_hangs: teardown timed out");
	ASSERT_STR_HAS(c.out, "\nnot ok 9 bad_teardown_hangs\n");
	ASSERT_STR_HAS(c.out, "\nok 10 rows_see_one\n");
	ASSERT_STR_HAS(c.out, "\nok 11 rows_see_two\n");
	ASSERT_STR_HAS(c.out, "\n# 3 passed, 7 failed, 1 skipped\n");
	/* every teardown ran once (a second could not create its mark),
	 * with what the test left in `self`, after its process group died */
	ASSERT_STR_HAS(mark_of(self->marks, "passes"), "reached=2" GONE);
	ASSERT_STR_HAS(mark_of(self->marks, "assert_fails"), "reached=1" GONE);
	ASSERT_STR_HAS(mark_of(self->marks, "expect_fails"), "reached=2" GONE);
	ASSERT_STR_HAS(mark_of(self->marks, "times_out"), "reached=1" GONE);
	ASSERT_STR_HAS(mark_of(self->marks, "crashes"), "reached=1" GONE);
	ASSERT_STR_HAS(mark_of(self->marks, "skips"), "reached=1" GONE);
	ASSERT_STR_HAS(mark_of(self->marks, "bad_setup"), "set_up=1 reached=0\n");
	ASSERT_STR_HAS(mark_of(self->marks, "bad_teardown_fails"), "started\n");
	ASSERT_STR_HAS(mark_of(self->marks, "bad_teardown_hangs"), "started\n");
	ASSERT_STR_HAS(mark_of(self->marks, "rows_see_one"),
		       "setup=1 body=1 teardown=1\n");
	ASSERT_STR_HAS(mark_of(self->marks, "rows_see_two"),
		       "setup=2 body=2 teardown=2\n");
	return KSFT_PASS;
}
