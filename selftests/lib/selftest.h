/* SPDX-License-Identifier: GPL-2.0 */
/*
 * selftest.h - kselftest-style tests for iouops (userspace side).
 *
 * A test is a function registered by a constructor, so adding one touches
 * no list: put `foo.c` in selftests/ (and `foo.bpf.c` in selftests/progs/
 * if it needs a program of its own), and in foo.c:
 *
 *	#include "selftest.h"
 *
 *	TEST(foo, "what it checks")
 *	{
 *		ST_REQUIRE_FEATURE();		// SKIP without io_uring BPF ops
 *		ASSERT_EQ(0, something());	// (expected, seen)
 *		return KSFT_PASS;
 *	}
 *
 * TEST_TIMEOUT(name, desc, seconds) overrides the 30 s default. Tests that
 * differ only in their inputs share one body and a table of variants, one
 * test per row (like kselftest's FIXTURE_VARIANT, without a fixture):
 *
 *	VARIANT(nops) { unsigned int qd; };
 *	VARIANT_ADD(nops, qd1, "qd 1") { .qd = 1 };	// test "nops_qd1"
 *	VARIANT_ADD(nops, qd8, "qd 8") { .qd = 8 };	// test "nops_qd8"
 *	TEST_VARIANTS(nops)				// body: `variant`
 *	{
 *		ASSERT_LT(0, variant->qd);
 *		return KSFT_PASS;
 *	}
 *
 * Tests that share a set-up and a tear-down use a fixture: FIXTURE,
 * FIXTURE_SETUP, FIXTURE_TEARDOWN, TEST_F (below).
 *
 * The helpers here are prefixed st_ (the library's are iou_).
 * The runner forks every test into its own process group and kills the
 * group when the test returns or times out, so a test may leave fds,
 * attached programs and child processes behind on failure: they all go
 * away with its process. What outlives a process (files) is a fixture
 * teardown's job.
 */
#ifndef IOUOPS_SELFTEST_H
#define IOUOPS_SELFTEST_H

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>

#include "exit_status.h"	/* the command's, which the tests check */
#include "iouops.h"

/* kselftest exit codes (tools/testing/selftests/kselftest.h) */
#define KSFT_PASS	0
#define KSFT_FAIL	1
#define KSFT_SKIP	4

#define ST_DEFAULT_TIMEOUT	30	/* seconds */

struct st_fixture;
struct st_fixture_row;

struct st_test {
	const char *name;
	const char *desc;
	int (*run)(void);		/* TEST, TEST_VARIANTS */
	/* TEST_F: the fixture, the size of its data (`self`), the body */
	const struct st_fixture *fixture;
	size_t self_size;
	int (*run_f)(void *self, const void *variant);
	const struct st_fixture_row *row;	/* FIXTURE_VARIANT_ADD row */
	unsigned int timeout;	/* seconds, 0: default */
	const char *file;	/* tests run sorted by file, then line */
	int line;
	struct st_test *next;
};

void st_register(struct st_test *t);

#define __ST_REGISTER(id_, name_, desc_, fn_, timeout_)		\
	static struct st_test st_test_##id_ = {				\
		.name = (name_), .desc = (desc_),			\
		.run = (fn_), .timeout = (timeout_),			\
		.file = __FILE__, .line = __LINE__,			\
	};								\
	__attribute__((constructor))					\
	static void st_register_##id_(void)				\
	{								\
		st_register(&st_test_##id_);				\
	}

#define TEST_TIMEOUT(name_, desc_, timeout_)				\
	static int st_fn_##name_(void);					\
	__ST_REGISTER(name_, #name_, desc_, st_fn_##name_, timeout_)	\
	static int st_fn_##name_(void)

#define TEST(name_, desc_)	TEST_TIMEOUT(name_, desc_, 0)

/*
 * Variant tables: VARIANT(base) { fields }; declares the row type,
 * VARIANT_ADD(base, row, desc) { initialiser }; registers the test
 * "base_row" running the body TEST_VARIANTS(base) with `variant` pointing
 * at the row. VARIANT_ADD_TIMEOUT takes the timeout in seconds too.
 */
#define VARIANT(base_)	struct st_variant_##base_

#define VARIANT_ADD_TIMEOUT(base_, row_, desc_, timeout_)		\
	static int st_body_##base_(const struct st_variant_##base_ *variant); \
	static const struct st_variant_##base_ st_row_##base_##_##row_;	\
	static int st_fn_##base_##_##row_(void)				\
	{								\
		return st_body_##base_(&st_row_##base_##_##row_);	\
	}								\
	__ST_REGISTER(base_##_##row_, #base_ "_" #row_, desc_,		\
		      st_fn_##base_##_##row_, timeout_)			\
	static const struct st_variant_##base_ st_row_##base_##_##row_ =

#define VARIANT_ADD(base_, row_, desc_)	VARIANT_ADD_TIMEOUT(base_, row_, desc_, 0)

#define TEST_VARIANTS(base_)						\
	static int st_body_##base_(const struct st_variant_##base_ *variant)

/*
 * Fixtures, with kselftest_harness.h's names: FIXTURE(f) { fields }; is
 * the data (`self`) every test of the fixture gets; FIXTURE_SETUP(f)
 * fills it in before the test, FIXTURE_TEARDOWN(f) undoes it after, and
 * TEST_F(f, name, desc) (TEST_F_TIMEOUT(f, name, desc, seconds)) is the
 * test "f_name". Setup, test and teardown return KSFT_PASS (or fail
 * with ASSERT_*, or skip with st_skip()); a setup that does not pass
 * ends the test before its body.
 *
 *	FIXTURE(scratch) { char dir[64]; };
 *	FIXTURE_SETUP(scratch)
 *	{
 *		ASSERT_OK(st_mkdtemp(self->dir, sizeof(self->dir), "x"));
 *		return KSFT_PASS;
 *	}
 *	FIXTURE_TEARDOWN(scratch)
 *	{
 *		return st_remove_tree(self->dir);
 *	}
 *	TEST_F(scratch, write, "a file written in the scratch folder")
 *	{
 *		...self->dir...
 *	}
 *
 * The teardown runs after every test of the fixture however it ended:
 * passed, failed (an ASSERT returned early), skipped, set up only in
 * part (it must undo only what is there: `self` starts zeroed), killed
 * by a signal, or timed out. It runs in a process of its own, started by
 * the runner once the test's process group is gone (kselftest's
 * FIXTURE_TEARDOWN_PARENT, which a kselftest timeout kills along with the
 * test): what died with the test (fds, memory, threads, attached
 * programs, the commands it ran) is released already, and pointers or
 * fds in `self` mean nothing there. The teardown undoes what outlives a
 * process (files, folders) and may check what the test left; a check
 * that fails there fails the test. `self` is shared memory
 * (MAP_SHARED): the test's child processes see it and write to it too
 * (so never `self->pid = fork()`: the child writes its 0 there).
 *
 * FIXTURE_VARIANT(f) { fields }; and FIXTURE_VARIANT_ADD(f, row) { init };
 * run every test of the fixture once per row, as "f_name_row", with
 * `variant` pointing at the row in setup, test and teardown (NULL for a
 * fixture without rows).
 */
struct st_fixture {
	const char *name;
	int (*setup)(void *self, const void *variant);
	int (*teardown)(void *self, const void *variant);
	struct st_fixture_row *rows;	/* FIXTURE_VARIANT_ADD, in any order */
};

struct st_fixture_row {
	const char *name;
	const void *data;
	int line;			/* rows run in source order */
	struct st_fixture_row *next;
};

void st_register_row(struct st_fixture *f, struct st_fixture_row *row);

#define FIXTURE_DATA(f_)	struct st_fixture_data_##f_
#define FIXTURE_VARIANT(f_)	struct st_fixture_variant_##f_

#define __ST_FIXTURE_FN(f_, fn_)					\
	static int fn_##f_(FIXTURE_DATA(f_) __attribute__((unused)) *self, \
			   const FIXTURE_VARIANT(f_)			\
				__attribute__((unused)) *variant)

#define FIXTURE(f_)							\
	FIXTURE_DATA(f_);						\
	FIXTURE_VARIANT(f_);						\
	__ST_FIXTURE_FN(f_, st_setup_);					\
	__ST_FIXTURE_FN(f_, st_teardown_);				\
	static int st_setup_any_##f_(void *self, const void *variant)	\
	{								\
		return st_setup_##f_(self, variant);			\
	}								\
	static int st_teardown_any_##f_(void *self, const void *variant) \
	{								\
		return st_teardown_##f_(self, variant);			\
	}								\
	static struct st_fixture st_fixture_##f_ = {			\
		.name = #f_, .setup = st_setup_any_##f_,		\
		.teardown = st_teardown_any_##f_,			\
	};								\
	FIXTURE_DATA(f_)

#define FIXTURE_SETUP(f_)	__ST_FIXTURE_FN(f_, st_setup_)
#define FIXTURE_TEARDOWN(f_)	__ST_FIXTURE_FN(f_, st_teardown_)

#define FIXTURE_VARIANT_ADD(f_, row_)					\
	static const FIXTURE_VARIANT(f_) st_frow_data_##f_##_##row_;	\
	static struct st_fixture_row st_frow_##f_##_##row_ = {		\
		.name = #row_, .data = &st_frow_data_##f_##_##row_,	\
		.line = __LINE__,					\
	};								\
	__attribute__((constructor))					\
	static void st_register_frow_##f_##_##row_(void)		\
	{								\
		st_register_row(&st_fixture_##f_, &st_frow_##f_##_##row_); \
	}								\
	static const FIXTURE_VARIANT(f_) st_frow_data_##f_##_##row_ =

#define TEST_F_TIMEOUT(f_, name_, desc_, timeout_)			\
	__ST_FIXTURE_FN(f_, st_tf_##name_##_);				\
	static int st_tf_any_##f_##_##name_(void *self, const void *variant) \
	{								\
		return st_tf_##name_##_##f_(self, variant);		\
	}								\
	static struct st_test st_testf_##f_##_##name_ = {		\
		.name = #f_ "_" #name_, .desc = (desc_),		\
		.fixture = &st_fixture_##f_,				\
		.self_size = sizeof(FIXTURE_DATA(f_)),			\
		.run_f = st_tf_any_##f_##_##name_,			\
		.timeout = (timeout_), .file = __FILE__, .line = __LINE__, \
	};								\
	__attribute__((constructor))					\
	static void st_registerf_##f_##_##name_(void)			\
	{								\
		st_register(&st_testf_##f_##_##name_);			\
	}								\
	__ST_FIXTURE_FN(f_, st_tf_##name_##_)

#define TEST_F(f_, name_, desc_)	TEST_F_TIMEOUT(f_, name_, desc_, 0)

/* ---- reporting ---- */

/* A `# ` diagnostic line (the prefix and newline are added). */
void st_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print TEXT line by line, each prefixed "# PREFIX"; only the last
 * MAX_LINES lines when it is longer (0: all). */
void st_diag_text(const char *prefix, const char *text, int max_lines);
/* Record the reason shown as `ok N name # SKIP reason`; returns KSFT_SKIP
 * so a test can `return st_skip("...")`. */
int st_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Checks, with kselftest's names and meanings: ASSERT_*(expected, seen)
 * checks `expected OP seen` (ASSERT_LT(0, n): 0 < n); SEEN is evaluated
 * first. On failure they print `# file:line: ASSERT_EQ(e, s): expected X,
 * seen Y` plus the context of the last command run and of the program
 * being watched (st_watch_prog); then ASSERT_* returns KSFT_FAIL from the
 * test, EXPECT_* goes on and the test fails when it returns.
 */
void st_assert_failed(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
const char *st_errstr(long long v);	/* " (Message)" for -errno, else "" */
/* Checks that failed so far in this test (EXPECT_* and ASSERT_*). */
unsigned int st_failures(void);

#define __ST_FAIL_ASSERT	return KSFT_FAIL
#define __ST_FAIL_EXPECT	(void)0

#define __ST_CMP(kind, cmp, e, op, s) do {					\
	long long __s = (long long)(s), __e = (long long)(e);		\
	if (!(__e op __s)) {						\
		st_assert_failed(__FILE__, __LINE__,			\
			#kind "_" #cmp "(%s, %s): expected %lld%s%s seen %lld%s", \
			#e, #s, __e, st_errstr(__e),			\
			#op[0] == '=' ? "," : " " #op, __s,		\
			st_errstr(__s));				\
		__ST_FAIL_##kind;					\
	}								\
} while (0)

#define ASSERT_EQ(e, s)		__ST_CMP(ASSERT, EQ, e, ==, s)
#define ASSERT_NE(e, s)		__ST_CMP(ASSERT, NE, e, !=, s)
#define ASSERT_GT(e, s)		__ST_CMP(ASSERT, GT, e, >, s)
#define ASSERT_GE(e, s)		__ST_CMP(ASSERT, GE, e, >=, s)
#define ASSERT_LT(e, s)		__ST_CMP(ASSERT, LT, e, <, s)
#define ASSERT_LE(e, s)		__ST_CMP(ASSERT, LE, e, <=, s)
#define EXPECT_EQ(e, s)		__ST_CMP(EXPECT, EQ, e, ==, s)
#define EXPECT_NE(e, s)		__ST_CMP(EXPECT, NE, e, !=, s)
#define EXPECT_GT(e, s)		__ST_CMP(EXPECT, GT, e, >, s)
#define EXPECT_GE(e, s)		__ST_CMP(EXPECT, GE, e, >=, s)
#define EXPECT_LT(e, s)		__ST_CMP(EXPECT, LT, e, <, s)
#define EXPECT_LE(e, s)		__ST_CMP(EXPECT, LE, e, <=, s)
/* EXPR is 0 (a call that returns 0 or -errno). */
#define ASSERT_OK(expr)		__ST_CMP(ASSERT, EQ, 0, ==, expr)
#define EXPECT_OK(expr)		__ST_CMP(EXPECT, EQ, 0, ==, expr)

/* Unsigned 64-bit equality (counters). */
#define __ST_EQ_U64(kind, e, s) do {					\
	uint64_t __s = (uint64_t)(s), __e = (uint64_t)(e);		\
	if (__e != __s) {						\
		st_assert_failed(__FILE__, __LINE__,			\
			#kind "_EQ_U64(%s, %s): expected %" PRIu64	\
			", seen %" PRIu64, #e, #s, __e, __s);		\
		__ST_FAIL_##kind;					\
	}								\
} while (0)
#define ASSERT_EQ_U64(e, s)	__ST_EQ_U64(ASSERT, e, s)
#define EXPECT_EQ_U64(e, s)	__ST_EQ_U64(EXPECT, e, s)

#define __ST_TRUE(kind, cond) do {					\
	if (!(cond)) {							\
		st_assert_failed(__FILE__, __LINE__,			\
				 #kind "_TRUE(%s): false", #cond);	\
		__ST_FAIL_##kind;					\
	}								\
} while (0)
#define ASSERT_TRUE(cond)	__ST_TRUE(ASSERT, cond)
#define EXPECT_TRUE(cond)	__ST_TRUE(EXPECT, cond)

/* HAY (a string, NULL = "") contains NEEDLE; _CASE ignores case. */
#define __ST_STR_HAS(kind, find, how, hay, needle) do {		\
	const char *__h = (hay), *__n = (needle);			\
	if (!find(__h ? __h : "", __n)) {				\
		st_assert_failed(__FILE__, __LINE__,			\
			"expected %s to contain \"%s\"%s", #hay, __n, how); \
		__ST_FAIL_##kind;					\
	}								\
} while (0)
#define ASSERT_STR_HAS(hay, needle)					\
	__ST_STR_HAS(ASSERT, strstr, "", hay, needle)
#define EXPECT_STR_HAS(hay, needle)					\
	__ST_STR_HAS(EXPECT, strstr, "", hay, needle)
#define ASSERT_STR_HAS_CASE(hay, needle)				\
	__ST_STR_HAS(ASSERT, strcasestr, " (any case)", hay, needle)

/*
 * A command failed cleanly: stderr is exactly one line and no libbpf
 * output leaked to stdout.
 */
#define ASSERT_ONE_LINE_ERROR(c) do {					\
	ASSERT_EQ(1, st_count_lines((c)->err));			\
	ASSERT_TRUE(!strstr((c)->out, "libbpf: "));			\
} while (0)

/*
 * `iouops ARGS...` fails cleanly with STATUS: one line on stderr (that
 * contains NEEDLE unless it is NULL), no libbpf output on stdout. C gets
 * the command for more checks.
 */
#define ASSERT_CLI_ERROR(c, status, needle, ...) do {			\
	const char *__nd = (needle);					\
	ASSERT_EQ(status, st_run_cli(c, NULL, NULL, __VA_ARGS__, NULL)); \
	ASSERT_ONE_LINE_ERROR(c);					\
	if (__nd)							\
		ASSERT_STR_HAS((c)->err, __nd);				\
} while (0)

/* ---- environment ---- */

/* The build directory: the runner is BUILD/selftests/runner. */
const char *st_build_dir(void);
/* BUILD/REL, e.g. st_build_path("progs/nops.bpf.o"). The string lives
 * until the test process exits. */
const char *st_build_path(const char *rel);
/* BUILD/iouops, the command line tool. */
const char *st_cli(void);
/* A file of the source tree (README.md, progs/hello.bpf.c): BUILD/../REL,
 * else ./REL; NULL when neither exists (the string lives until the test
 * process exits). */
const char *st_tree_path(const char *rel);
/* The whole of PATH, NUL-terminated (free it), or NULL when it cannot be
 * read. */
char *st_read_file(const char *path);
/* Seconds left before the runner kills this test (huge if unknown). */
double st_time_left(void);
/* Monotonic clock in seconds. */
double st_now(void);
void st_sleep_ms(unsigned int ms);
/* Wait for a condition instead of sleeping a fixed time (a debug kernel
 * under TCG is 10x slower or more): poll COND(ARG) every 10 ms until it
 * is true (returns true) or TIMEOUT_MS pass (-1: until shortly before the
 * test's own deadline; returns false). */
bool st_wait_until(bool (*cond)(void *arg), void *arg, int timeout_ms);

/*
 * 0 when the running kernel has io_uring BPF ops and we are root;
 * otherwise records the skip reason (the probe's one-line explanation)
 * and returns KSFT_SKIP.
 */
int st_require_feature(void);
#define ST_REQUIRE_FEATURE() do {					\
	int __r = st_require_feature();				\
	if (__r)							\
		return __r;						\
} while (0)

/* ---- scratch folders (fixtures remove them in their teardown), files ---- */

/* Make a fresh folder /tmp/iouops-NAME.XXXXXX, its path in DIR (LEN
 * bytes). 0 or -errno. */
int st_mkdtemp(char *dir, size_t len, const char *name);
/* Remove DIR and everything in it (rm -rf). Only folders st_mkdtemp
 * makes are taken (else -EINVAL); "" and a folder already gone are
 * fine. 0 or -errno, with a diagnostic. */
int st_remove_tree(const char *dir);
/* PATH, created or truncated, with SIZE bytes of noise that SEED makes
 * different (the same SEED, the same bytes). 0 or -errno. */
int st_write_noise(const char *path, uint64_t size, uint64_t seed);

/* ---- library helpers ---- */

/* Default options (kernel's SQ mode, log to `# ` lines). */
void st_opts(struct iou_opts *opts);
/* On assertion failure, also print P's stage, exit info, verifier log. */
void st_watch_prog(struct iou_prog *p);
/* Counter NAME in the control block: 0 and *val, or -ENOENT. */
int st_ctl_counter(volatile struct iou_ctl *ctl, const char *name,
		    uint64_t *val);
/* Like st_ctl_counter, but UINT64_MAX when there is no such counter. */
uint64_t st_counter_or_max(volatile struct iou_ctl *ctl, const char *name);
/* The number, in process PID, of the fd of its shared region (the memfd
 * "iouops-shm", found through /proc/PID/fd); -ENOENT if it has none. */
int st_shm_fd_of(pid_t pid);
/* All of them (a process running shards has one per shard, memfds
 * "iouops-shm.N"), at most MAX: how many, or -ENOENT / -errno. */
int st_shm_fds_of(pid_t pid, int *fds, int max);
/* Print `# exit: KIND (reason) code=N steps=N` and the counters. */
void st_diag_ctl(volatile struct iou_ctl *ctl);
/* Open BUILD/PATH_REL with default options, set NAME=VALUE pairs
 * (NULL-terminated), and watch it. Returns 0 or -errno. */
int st_open_prog(struct iou_prog **p, const struct iou_opts *opts,
		  const char *path_rel, ...);

/* ---- one failure, through the library and through the command ---- */

/*
 * A program that must fail, and how that shows through libiouops (open,
 * set, load, attach, run stop at the first error: ERR, at STAGE; the
 * error message or verifier log names one of LIB_SAYS) and through
 * `iouops load OBJ --set ...` (exit STATUS, one line on stderr and no
 * libbpf output unless MULTI_LINE; its output names one of SAYS). SAYS
 * and LIB_SAYS are NULL-terminated alternatives matched in any case, not
 * checked when empty (the library gives an errno only for a failing
 * iou_prog_open() or io_uring_enter(), libbpf's words for an attach).
 * Checked once per way, a VARIANT row each:
 *
 *	VARIANT(no_ops) { enum st_via via; };
 *	VARIANT_ADD(no_ops, lib, "...") { ST_VIA_LIB };
 *	VARIANT_ADD(no_ops, cli, "...") { ST_VIA_CLI };
 *	TEST_VARIANTS(no_ops) { return st_check_failure(&no_ops, variant->via); }
 */
enum st_via { ST_VIA_LIB, ST_VIA_CLI };

struct st_failure {
	const char *obj;		/* build-relative: "selftests/x.bpf.o" */
	const char *set[4];		/* "NAME=VALUE", NULL-terminated */
	bool no_defer_taskrun;
	int err;
	enum iou_stage stage;		/* OPEN or NO_OPS: iou_prog_open fails */
	int status;
	bool multi_line;		/* the command prints more: a verifier log */
	const char *says[4];
	const char *lib_says[4];
	/* more checks of the program that failed, through the library
	 * (ASSERT_* work there): KSFT_PASS or KSFT_FAIL */
	int (*check_lib)(struct iou_prog *p);
};

/* KSFT_PASS, or KSFT_FAIL with the failed check's diagnostics. */
int st_check_failure(const struct st_failure *f, enum st_via via);

/* ---- running commands ---- */

/* Runs in the child between fork and exec; 0 or -errno (then exec is
 * not attempted and the command counts as not started). */
typedef int (*st_pre_exec_fn)(void *arg);

struct st_cmd {
	pid_t pid;		/* 0 once reaped */
	int out_fd, err_fd;	/* -1 once at EOF */
	char *out, *err;	/* captured so far, NUL-terminated */
	size_t out_len, err_len;
	int status;		/* exit status; 128 + N if killed by signal N;
				 * -1 while running */
	int signo;		/* signal that killed it, or 0 */
	double start, end;	/* st_now() at start and at exit */
	char *cmdline;		/* for messages */
};

/* Start ARGV (execvp) with stdout and stderr captured, stdin /dev/null.
 * 0 or -errno (exec and pre-exec failures included). */
int st_cmd_start(struct st_cmd *c, st_pre_exec_fn fn, void *arg,
		  char *const argv[]);
/* Read output for up to TIMEOUT_MS; 1 when the command has exited. */
int st_cmd_pump(struct st_cmd *c, int timeout_ms);
/* Read output until exit, at most TIMEOUT_MS (-1: until shortly before
 * the test's own deadline). 0, or -ETIMEDOUT with the command left
 * running. */
int st_cmd_wait(struct st_cmd *c, int timeout_ms);
/* SIGKILL and reap. */
void st_cmd_kill(struct st_cmd *c);
/* Does stdout or stderr contain NEEDLE? */
bool st_cmd_has(const struct st_cmd *c, const char *needle);
/* Number of lines in S (a last line without '\n' counts). */
int st_count_lines(const char *s);
/* Print the command's status and output as diagnostics. */
void st_cmd_diag(const struct st_cmd *c);
/* Start ARGV, a server that prints "listening on ADDR:PORT", and wait (up
 * to 30 s) for that line; ADDR gets "HOST:PORT" for clients. 0, -ECHILD
 * when it exited first, -ETIMEDOUT, or st_cmd_start's error. */
int st_server_start(struct st_cmd *c, char *const argv[], const char *host,
		     char *addr, size_t addr_len);
/* The last "NAME=N" in TEXT that starts a word, UINT64_MAX (with a
 * diagnostic) if there is none. */
uint64_t st_out_field(const char *text, const char *name);

/* Run a command to completion: st_run(&c, fn, arg, "prog", "a", NULL).
 * Returns its exit status, or -errno when it could not be run or did not
 * finish in time. */
int st_run(struct st_cmd *c, st_pre_exec_fn fn, void *arg,
	    const char *file, ...) __attribute__((sentinel));
/* Same, running BUILD/iouops with the given arguments. */
int st_run_cli(struct st_cmd *c, st_pre_exec_fn fn, void *arg, ...)
	__attribute__((sentinel));

/* Count `bpftool link list` lines of struct_ops links / `bpftool
 * struct_ops list` lines of io_uring_bpf_ops maps; -errno on failure. */
int st_count_struct_ops_links(void);
int st_count_io_uring_ops_maps(void);

#endif /* IOUOPS_SELFTEST_H */
