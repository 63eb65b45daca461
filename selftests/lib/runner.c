// SPDX-License-Identifier: GPL-2.0
/*
 * runner: run the registered selftests, TAP 13 on stdout.
 *
 *	runner [-l] [-t NAME]... [-h]
 *
 * Every test runs in a forked child that leads its own process group;
 * when the test returns or its timeout expires, the whole group is
 * killed. Exit status: 0 all passed (skips allowed if one passed), 1 a
 * test failed, 4 all skipped, 2 usage error.
 *
 * KSFT_TIMEOUT=N sets every test's timeout to N seconds; KSFT_TIMEOUT=xF
 * multiplies each test's own timeout by F (slow emulated VMs).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "selftest.h"
#include "selftest-internal.h"

static struct st_test *tests;
static int nr_tests;

void st_register(struct st_test *t)
{
	t->next = tests;
	tests = t;
	nr_tests++;
}

static int test_cmp(const void *a, const void *b)
{
	const struct st_test *x = *(struct st_test *const *)a;
	const struct st_test *y = *(struct st_test *const *)b;
	int r = strcmp(x->file, y->file);

	return r ? r : x->line - y->line;
}

static double timeout_of(const struct st_test *t)
{
	const char *env = getenv("KSFT_TIMEOUT");
	double base = t->timeout ? t->timeout : ST_DEFAULT_TIMEOUT;
	char *end;
	double v;

	if (!env || !*env)
		return base;
	if (*env == 'x' || *env == '*') {
		v = strtod(env + 1, &end);
		return (*end || v <= 0) ? base : base * v;
	}
	v = strtod(env, &end);
	return (*end || v <= 0) ? base : v;
}

static void usage(FILE *f, const char *argv0)
{
	fprintf(f,
		"usage: %s [-l] [-t NAME]... [-h]\n"
		"  -l       list the tests and exit\n"
		"  -t NAME  run test NAME only (repeatable); a NAME that is no\n"
		"           test's exact name selects every test containing it\n"
		"  -h       this help\n"
		"TAP 13 on stdout. Exit: 0 passed, 1 failed, 4 all skipped.\n"
		"KSFT_TIMEOUT=N: N seconds per test; KSFT_TIMEOUT=xF: scale "
		"each test's timeout by F.\n", argv0);
}

static bool selected(const struct st_test *t, struct st_test **all,
		     char **names, int nr_names)
{
	if (!nr_names)
		return true;
	for (int i = 0; i < nr_names; i++) {
		bool exact_exists = false;

		for (int j = 0; j < nr_tests; j++)
			if (!strcmp(all[j]->name, names[i]))
				exact_exists = true;
		if (exact_exists ? !strcmp(t->name, names[i])
				 : !!strstr(t->name, names[i]))
			return true;
	}
	return false;
}

enum result { R_PASS, R_FAIL, R_SKIP };

static struct st_shared *shared;

/* Runs in the test child: never returns. */
static void run_child(const struct st_test *t, const sigset_t *oldmask,
		      double deadline)
{
	int ret;

	setpgid(0, 0);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
	sigprocmask(SIG_SETMASK, oldmask, NULL);
	st_child_init(shared, deadline);
	ret = t->run();
	if (st_failures())	/* an EXPECT_* failed and the test went on */
		ret = KSFT_FAIL;
	fflush(stdout);
	fflush(stderr);
	_exit(ret);
}

static enum result run_one(const struct st_test *t, int num,
			   const sigset_t *oldmask)
{
	double timeout = timeout_of(t), deadline;
	bool timed_out = false;
	struct timespec ts;
	siginfo_t si;
	pid_t pid;
	int sig, status;

	printf("# %s: %s\n", t->name, t->desc);
	fflush(stdout);
	fflush(stderr);
	memset(shared, 0, sizeof(*shared));
	deadline = st_now() + timeout;

	pid = fork();
	if (pid < 0) {
		printf("# fork: %s\n", strerror(errno));
		printf("not ok %d %s\n", num, t->name);
		return R_FAIL;
	}
	if (pid == 0)
		run_child(t, oldmask, deadline);
	setpgid(pid, pid);	/* also in the child: no race either way */

	sigset_t waitset;
	sigemptyset(&waitset);
	sigaddset(&waitset, SIGCHLD);
	sigaddset(&waitset, SIGINT);
	sigaddset(&waitset, SIGTERM);
	for (;;) {
		memset(&si, 0, sizeof(si));
		/* WNOWAIT: the zombie keeps the process group id ours until
		 * the group has been killed below. */
		if (waitid(P_PID, pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 &&
		    si.si_pid == pid)
			break;
		double left = deadline - st_now();
		if (left <= 0) {
			timed_out = true;
			break;
		}
		if (left > 0.5)
			left = 0.5;	/* also re-check against lost wakeups */
		ts.tv_sec = (time_t)left;
		ts.tv_nsec = (long)((left - (double)ts.tv_sec) * 1e9);
		sig = sigtimedwait(&waitset, NULL, &ts);
		if (sig == SIGINT || sig == SIGTERM) {
			kill(-pid, SIGKILL);
			waitpid(pid, NULL, 0);
			printf("not ok %d %s # interrupted\n", num, t->name);
			printf("Bail out! %s\n", strsignal(sig));
			fflush(stdout);
			exit(KSFT_FAIL);
		}
	}

	/* Whatever the test left running goes with it. (A zombie leader
	 * still counts as a member, so kill() succeeding tells nothing.) */
	kill(-pid, SIGKILL);
	if (waitpid(pid, &status, 0) < 0)
		status = 0x7f00;	/* "exited 127": cannot happen */
	/* orphans of earlier tests were re-parented to us (subreaper) */
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;

	if (timed_out) {
		printf("# %s: timed out after %.0f s, process group killed\n",
		       t->name, timeout);
		printf("not ok %d %s # TIMEOUT\n", num, t->name);
		return R_FAIL;
	}
	if (WIFSIGNALED(status)) {
		printf("# %s: killed by signal %d (%s)\n", t->name,
		       WTERMSIG(status), strsignal(WTERMSIG(status)));
		printf("not ok %d %s\n", num, t->name);
		return R_FAIL;
	}
	switch (WEXITSTATUS(status)) {
	case KSFT_PASS:
		printf("ok %d %s\n", num, t->name);
		return R_PASS;
	case KSFT_SKIP:
		shared->skip_reason[sizeof(shared->skip_reason) - 1] = '\0';
		printf("ok %d %s # SKIP %s\n", num, t->name,
		       shared->skip_reason[0] ? shared->skip_reason
					      : "no reason given");
		return R_SKIP;
	case KSFT_FAIL:
		break;
	default:
		printf("# %s: unexpected exit status %d\n", t->name,
		       WEXITSTATUS(status));
	}
	printf("not ok %d %s\n", num, t->name);
	return R_FAIL;
}

int main(int argc, char **argv)
{
	int passed = 0, failed = 0, skipped = 0, nr_names = 0, nr_sel = 0;
	/* static: still reachable at exit for a SANITIZE=1 leak check */
	static struct st_test **all, **sel;
	static char **names;
	bool list = false;
	sigset_t blockset, oldmask;
	int opt, i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	names = calloc((size_t)argc, sizeof(*names));
	all = calloc((size_t)nr_tests + 1, sizeof(*all));
	sel = calloc((size_t)nr_tests + 1, sizeof(*sel));
	if (!names || !all || !sel) {
		fprintf(stderr, "%s: out of memory\n", argv[0]);
		return KSFT_FAIL;
	}

	while ((opt = getopt(argc, argv, "lt:h")) != -1) {
		switch (opt) {
		case 'l':
			list = true;
			break;
		case 't':
			names[nr_names++] = optarg;
			break;
		case 'h':
			usage(stdout, argv[0]);
			return 0;
		default:
			usage(stderr, argv[0]);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "%s: unexpected argument '%s'\n", argv[0],
			argv[optind]);
		usage(stderr, argv[0]);
		return 2;
	}

	i = 0;
	for (struct st_test *t = tests; t; t = t->next)
		all[i++] = t;
	qsort(all, (size_t)nr_tests, sizeof(*all), test_cmp);
	for (i = 0; i < nr_tests; i++)
		if (selected(all[i], all, names, nr_names))
			sel[nr_sel++] = all[i];
	for (i = 0; i < nr_names; i++) {
		bool any = false;

		for (int j = 0; j < nr_tests && !any; j++)
			any = selected(all[j], all, &names[i], 1);
		if (!any) {
			fprintf(stderr, "%s: no test matches '%s' (see -l)\n",
				argv[0], names[i]);
			return 2;
		}
	}

	if (list) {
		for (i = 0; i < nr_sel; i++)
			printf("%-24s %s\n", sel[i]->name, sel[i]->desc);
		return 0;
	}

	shared = mmap(NULL, sizeof(*shared), PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shared == MAP_FAILED) {
		fprintf(stderr, "%s: mmap: %s\n", argv[0], strerror(errno));
		return KSFT_FAIL;
	}
	/* Processes a test leaves behind become our children, not init's,
	 * so they are reaped here (and still die with their group). */
	prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	/* Signals are taken synchronously with sigtimedwait(). */
	sigemptyset(&blockset);
	sigaddset(&blockset, SIGCHLD);
	sigaddset(&blockset, SIGINT);
	sigaddset(&blockset, SIGTERM);
	sigprocmask(SIG_BLOCK, &blockset, &oldmask);

	printf("TAP version 13\n");
	printf("1..%d\n", nr_sel);
	for (i = 0; i < nr_sel; i++) {
		switch (run_one(sel[i], i + 1, &oldmask)) {
		case R_PASS:
			passed++;
			break;
		case R_SKIP:
			skipped++;
			break;
		default:
			failed++;
		}
	}
	printf("# %d passed, %d failed, %d skipped\n", passed, failed,
	       skipped);
	printf("%d passed, %d failed, %d skipped\n", passed, failed, skipped);
	fflush(stdout);
	if (failed)
		return KSFT_FAIL;
	if (!passed)
		return KSFT_SKIP;
	return KSFT_PASS;
}
