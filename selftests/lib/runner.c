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
 *
 * A TEST_F's data (`self`) is shared memory that outlives its process:
 * once the test's group is killed, however it ended (passed, failed,
 * crashed, timed out), a second child runs the fixture's teardown on it,
 * with a timeout of its own; a teardown that fails fails the test.
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

#define TEARDOWN_TIMEOUT	30	/* seconds, scaled like a test's */

static struct st_test *tests;
static int nr_tests;

void st_register(struct st_test *t)
{
	t->next = tests;
	tests = t;
	nr_tests++;
}

void st_register_row(struct st_fixture *f, struct st_fixture_row *row)
{
	row->next = f->rows;
	f->rows = row;
}

/* A TEST_F of a fixture with FIXTURE_VARIANT_ADD rows becomes one test
 * per row, "FIXTURE_NAME_ROW". Then no two tests may share a name.
 * 0, or -1 with the reason on stderr. */
static int expand_fixture_rows(void)
{
	struct st_test *list = NULL, *next;

	for (struct st_test *t = tests; t; t = next) {
		next = t->next;
		if (!t->fixture || !t->fixture->rows) {
			t->next = list;
			list = t;
			continue;
		}
		nr_tests--;
		for (struct st_fixture_row *r = t->fixture->rows; r; r = r->next) {
			struct st_test *c = malloc(sizeof(*c));
			char *name, *desc;

			if (!c || asprintf(&name, "%s_%s", t->name, r->name) < 0 ||
			    asprintf(&desc, "%s [%s]", t->desc, r->name) < 0) {
				fprintf(stderr, "runner: out of memory\n");
				return -1;
			}
			*c = *t;
			c->name = name;
			c->desc = desc;
			c->row = r;
			c->next = list;
			list = c;
			nr_tests++;
		}
	}
	tests = list;
	for (struct st_test *t = tests; t; t = t->next)
		for (struct st_test *u = t->next; u; u = u->next)
			if (!strcmp(t->name, u->name)) {
				fprintf(stderr, "runner: two tests named %s "
					"(%s:%d, %s:%d)\n", t->name, t->file,
					t->line, u->file, u->line);
				return -1;
			}
	return 0;
}

static int test_cmp(const void *a, const void *b)
{
	const struct st_test *x = *(struct st_test *const *)a;
	const struct st_test *y = *(struct st_test *const *)b;
	int r = strcmp(x->file, y->file);

	if (!r)
		r = x->line - y->line;
	if (!r && x->row && y->row)
		r = x->row->line - y->row->line;
	return r;
}

/* SECONDS (0: the default), scaled by KSFT_TIMEOUT. */
static double timeout_of(unsigned int seconds)
{
	const char *env = getenv("KSFT_TIMEOUT");
	double base = seconds ? seconds : ST_DEFAULT_TIMEOUT;
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

/* How a test ended: what report() prints. */
struct outcome {
	enum result result;
	const char *directive;		/* after "# ": "TIMEOUT"... */
	char skip_reason[sizeof(((struct st_shared *)0)->skip_reason)];
};

static struct st_shared *shared;

/* The result line, the one place that prints one. */
static void report(int num, const struct st_test *t, const struct outcome *o)
{
	if (o->result == R_SKIP)
		printf("ok %d %s # SKIP %s\n", num, t->name,
		       o->skip_reason[0] ? o->skip_reason : "no reason given");
	else
		printf("%s %d %s%s%s\n", o->result == R_PASS ? "ok" : "not ok",
		       num, t->name, o->directive ? " # " : "",
		       o->directive ? o->directive : "");
}

/* What a part runs in its child: the test (with the fixture's setup
 * first), or the fixture's teardown. */
typedef int (*part_fn)(const struct st_test *t, void *self);

static const void *variant_of(const struct st_test *t)
{
	return t->row ? t->row->data : NULL;
}

static int test_part(const struct st_test *t, void *self)
{
	int ret;

	if (!t->fixture)
		return t->run();
	ret = t->fixture->setup(self, variant_of(t));
	if (ret == KSFT_PASS && !st_failures())
		ret = t->run_f(self, variant_of(t));
	return ret;
}

static int teardown_part(const struct st_test *t, void *self)
{
	return t->fixture->teardown(self, variant_of(t));
}

/* Runs in the part's child: never returns. */
static void run_child(const struct st_test *t, part_fn fn, void *self,
		      const sigset_t *oldmask, double deadline)
{
	int ret;

	setpgid(0, 0);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
	sigprocmask(SIG_SETMASK, oldmask, NULL);
	st_child_init(shared, deadline);
	ret = fn(t, self);
	if (st_failures())	/* an EXPECT_* failed and the part went on */
		ret = KSFT_FAIL;
	fflush(stdout);
	fflush(stderr);
	_exit(ret);
}

/*
 * After the group's leader is reaped, its other members (re-parented to
 * us: we are their subreaper) may still be dying, holding their fds,
 * rings and links: reap them until the group is empty, so that what a
 * teardown (or the next test) sees is what the test left for good.
 */
static void reap_group(const struct st_test *t, pid_t pgid)
{
	double end = st_now() + 10;

	while (kill(-pgid, 0) == 0 || errno != ESRCH) {
		if (waitpid(-1, NULL, WNOHANG) > 0)
			continue;
		if (st_now() > end) {
			printf("# %s: process group %d not gone 10 s after "
			       "SIGKILL\n", t->name, (int)pgid);
			break;
		}
		st_sleep_ms(1);
	}
	/* and orphans of earlier tests that left the group */
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
}

/*
 * Run FN in a child leading its own process group until it exits or
 * TIMEOUT seconds pass, then kill the whole group. *O says how it
 * ended; WHAT ("" or "teardown ") names the part in diagnostics.
 * Returns 0, -errno when the child could not be started, or the signal
 * (SIGINT, SIGTERM) that interrupted the runner: the group is killed at
 * once then.
 */
static int run_part(const struct st_test *t, part_fn fn, void *self,
		    double timeout, const char *what,
		    const sigset_t *oldmask, struct outcome *o)
{
	double deadline = st_now() + timeout;
	bool timed_out = false;
	int sig = 0, status;
	sigset_t waitset;
	struct timespec ts;
	siginfo_t si;
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	memset(shared, 0, sizeof(*shared));
	*o = (struct outcome){ .result = R_FAIL };
	pid = fork();
	if (pid < 0) {
		printf("# %s: %sfork: %s\n", t->name, what, strerror(errno));
		return -errno;
	}
	if (pid == 0)
		run_child(t, fn, self, oldmask, deadline);
	setpgid(pid, pid);	/* also in the child: no race either way */

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
			o->directive = "interrupted";
			break;
		}
		sig = 0;
	}

	/* Whatever the part left running goes with it. (A zombie leader
	 * still counts as a member, so kill() succeeding tells nothing.) */
	kill(-pid, SIGKILL);
	if (waitpid(pid, &status, 0) < 0)
		status = 0x7f00;	/* "exited 127": cannot happen */
	reap_group(t, pid);

	if (sig)
		return sig;
	if (timed_out) {
		printf("# %s: %stimed out after %.0f s, process group killed\n",
		       t->name, what, timeout);
		o->directive = "TIMEOUT";
		return 0;
	}
	if (WIFSIGNALED(status)) {
		printf("# %s: %skilled by signal %d (%s)\n", t->name, what,
		       WTERMSIG(status), strsignal(WTERMSIG(status)));
		return 0;
	}
	switch (WEXITSTATUS(status)) {
	case KSFT_PASS:
		o->result = R_PASS;
		break;
	case KSFT_SKIP:
		o->result = R_SKIP;
		memcpy(o->skip_reason, shared->skip_reason,
		       sizeof(o->skip_reason));
		o->skip_reason[sizeof(o->skip_reason) - 1] = '\0';
		break;
	case KSFT_FAIL:
		break;
	default:
		printf("# %s: %sunexpected exit status %d\n", t->name, what,
		       WEXITSTATUS(status));
	}
	return 0;
}

static enum result run_one(const struct st_test *t, int num,
			   const sigset_t *oldmask)
{
	struct outcome o, td;
	void *self = NULL;
	int sig, td_sig = 0;

	printf("# %s: %s\n", t->name, t->desc);
	if (t->fixture) {
		self = mmap(NULL, t->self_size ? t->self_size : 1,
			    PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
			    -1, 0);
		if (self == MAP_FAILED) {
			printf("# %s: mmap: %s\n", t->name, strerror(errno));
			o = (struct outcome){ .result = R_FAIL };
			report(num, t, &o);
			return R_FAIL;
		}
	}
	sig = run_part(t, test_part, self, timeout_of(t->timeout), "",
		       oldmask, &o);
	/* the teardown runs unless the test never started, also when the
	 * runner was interrupted (a second signal interrupts it too) */
	if (t->fixture && sig >= 0) {
		td_sig = run_part(t, teardown_part, self,
				  timeout_of(TEARDOWN_TIMEOUT), "teardown ",
				  oldmask, &td);
		if (td.result == R_SKIP)
			printf("# %s: a teardown cannot skip\n", t->name);
		if (td.result != R_PASS) {
			printf("# %s: teardown failed\n", t->name);
			o.result = R_FAIL;
		}
	}
	if (self)
		munmap(self, t->self_size ? t->self_size : 1);
	report(num, t, &o);
	if (sig > 0 || td_sig > 0) {
		printf("Bail out! %s\n", strsignal(sig > 0 ? sig : td_sig));
		fflush(stdout);
		exit(KSFT_FAIL);
	}
	return o.result;
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
	if (expand_fixture_rows())
		return 2;
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
