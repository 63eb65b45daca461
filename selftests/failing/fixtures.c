// SPDX-License-Identifier: GPL-2.0
/*
 * Fixture tests that fail on purpose, for the harness's own test
 * (harness.c, harness_fixtures). They are built into a runner of their
 * own, build/selftests/failing/runner, never into the suite's.
 *
 * Every teardown leaves a mark, a file in the folder IOU_HARNESS_MARKS
 * names: what it found in `self` and `variant`, and whether the test's
 * process and the child it started were gone by then. So the harness's
 * test can tell that each teardown ran, once, after what, and where.
 */
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <unistd.h>

#include "selftest.h"

/* Write MARKS/NAME.teardown; nothing when run by hand (no folder). */
static int mark(const char *name, const char *fmt, ...)
{
	const char *dir = getenv("IOU_HARNESS_MARKS");
	char path[512];
	va_list ap;
	FILE *f;

	if (!dir)
		return KSFT_PASS;
	snprintf(path, sizeof(path), "%s/%s.teardown", dir, name);
	f = fopen(path, "wx");	/* "x": a second teardown would fail */
	ASSERT_TRUE(f != NULL);
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	ASSERT_OK(fclose(f));
	return KSFT_PASS;
}

/* ---- one fixture, every way a test can end ---- */

FIXTURE(mark) {
	const char *test;	/* the body's name, set as it starts */
	int reached;		/* 1: body started, 2: body ended */
	pid_t test_pid;		/* the process the body ran in */
	pid_t child;		/* one it started, in its process group */
};

FIXTURE_SETUP(mark)
{
	self->test = "setup_only";
	return KSFT_PASS;
}

FIXTURE_TEARDOWN(mark)
{
	/* The runner killed the test's group, then started this process:
	 * neither the test's process nor its child may be left. */
	bool test_gone = kill(self->test_pid, 0) && errno == ESRCH;
	bool child_gone = kill(self->child, 0) && errno == ESRCH;

	return mark(self->test, "reached=%d other_process=%d test_gone=%d "
		    "child_gone=%d\n", self->reached,
		    getpid() != self->test_pid, test_gone, child_gone);
}

/* The body's start: name it, remember its process, start a child. */
static int begin(FIXTURE_DATA(mark) *self, const char *test)
{
	pid_t child;

	self->test = test;
	self->reached = 1;
	self->test_pid = getpid();
	/* not `self->child = fork()`: the child would write its 0 into the
	 * same shared `self` */
	child = fork();
	ASSERT_LE(0, child);
	if (!child) {
		pause();
		_exit(0);
	}
	self->child = child;
	return KSFT_PASS;
}

TEST_F(mark, passes, "passes: its teardown runs after the body")
{
	ASSERT_OK(begin(self, "passes"));
	self->reached = 2;
	return KSFT_PASS;
}

TEST_F(mark, assert_fails, "an ASSERT returns early: the teardown runs")
{
	ASSERT_OK(begin(self, "assert_fails"));
	ASSERT_EQ(1, 2);
	self->reached = 2;
	return KSFT_PASS;
}

TEST_F(mark, expect_fails, "an EXPECT fails, the body goes on: the teardown runs")
{
	ASSERT_OK(begin(self, "expect_fails"));
	EXPECT_EQ(1, 2);
	self->reached = 2;
	return KSFT_PASS;
}

TEST_F_TIMEOUT(mark, times_out, "never returns: killed at its timeout, the teardown runs", 1)
{
	ASSERT_OK(begin(self, "times_out"));
	for (;;)
		pause();
	return KSFT_PASS;
}

TEST_F(mark, crashes, "dies of SIGSEGV: the teardown runs")
{
	ASSERT_OK(begin(self, "crashes"));
	raise(SIGSEGV);
	self->reached = 2;
	return KSFT_PASS;
}

TEST_F(mark, skips, "skips: the teardown runs")
{
	ASSERT_OK(begin(self, "skips"));
	return st_skip("on purpose");
}

/* ---- a setup that fails: no body, the teardown still runs ---- */

FIXTURE(bad_setup) {
	int set_up, reached;
};

FIXTURE_SETUP(bad_setup)
{
	self->set_up = 1;
	ASSERT_EQ(1, 2);
	self->set_up = 2;
	return KSFT_PASS;
}

FIXTURE_TEARDOWN(bad_setup)
{
	return mark("bad_setup", "set_up=%d reached=%d\n", self->set_up,
		    self->reached);
}

TEST_F(bad_setup, body, "its setup fails: not run")
{
	self->reached = 1;
	return KSFT_PASS;
}

/* ---- teardowns that fail: the test fails ---- */

FIXTURE(bad_teardown) {
	bool hang;
};

FIXTURE_SETUP(bad_teardown)
{
	return KSFT_PASS;
}

FIXTURE_TEARDOWN(bad_teardown)
{
	mark(self->hang ? "bad_teardown_hangs" : "bad_teardown_fails",
	     "started\n");
	while (self->hang)
		pause();
	ASSERT_EQ(1, 2);
	return KSFT_PASS;
}

TEST_F(bad_teardown, fails, "passes, its teardown fails: not ok")
{
	return KSFT_PASS;
}

TEST_F(bad_teardown, hangs, "passes, its teardown never returns: killed, not ok")
{
	self->hang = true;
	return KSFT_PASS;
}

/* ---- rows: every test once per row, `variant` everywhere ---- */

FIXTURE(rows) {
	int seen_in_setup, seen_in_body;
};

FIXTURE_VARIANT(rows) {
	int value;
	const char *name;
};

FIXTURE_VARIANT_ADD(rows, one) { .value = 1, .name = "rows_see_one" };
FIXTURE_VARIANT_ADD(rows, two) { .value = 2, .name = "rows_see_two" };

FIXTURE_SETUP(rows)
{
	self->seen_in_setup = variant->value;
	return KSFT_PASS;
}

FIXTURE_TEARDOWN(rows)
{
	return mark(variant->name, "setup=%d body=%d teardown=%d\n",
		    self->seen_in_setup, self->seen_in_body, variant->value);
}

TEST_F(rows, see, "setup, body and teardown see the row")
{
	self->seen_in_body = variant->value;
	return KSFT_PASS;
}
