// SPDX-License-Identifier: GPL-2.0
/*
 * The checks themselves: ASSERT_*(expected, seen) with kselftest's
 * meaning, EXPECT_* going on after a failure, variant rows. Each check
 * runs in a forked child whose stdout is captured, so its failures do
 * not count against this test.
 */
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

TEST(harness_variants, "VARIANT_ADD rows are tests named BASE_ROW with their own descriptions")
{
	struct st_cmd c;

	ASSERT_EQ(0, st_run(&c, NULL, NULL, st_build_path("selftests/runner"),
			    "-l", NULL));
	ASSERT_STR_HAS(c.out, "nops_qd1 ");
	ASSERT_STR_HAS(c.out, "nops_qd8 ");
	ASSERT_STR_HAS(c.out, "100000 NOPs, qd 64, through libiouops");
	ASSERT_STR_HAS(c.out, "echo_client_catches_short echo-client exits 1 on a short echo");
	return KSFT_PASS;
}
