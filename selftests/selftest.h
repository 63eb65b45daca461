/* SPDX-License-Identifier: GPL-2.0 */
/*
 * selftest.h - kselftest-style tests for iouops (userspace side).
 *
 * A test is a function registered by a constructor, so adding one touches
 * no list: put `foo.bpf.c` (if it needs a program) and `foo.c` in
 * selftests/, and in foo.c:
 *
 *	#include "selftest.h"
 *
 *	IOU_TEST(foo, "what it checks")
 *	{
 *		IOU_REQUIRE_FEATURE();		// SKIP without io_uring BPF ops
 *		ASSERT_EQ(something(), 0);
 *		return KSFT_PASS;
 *	}
 *
 * IOU_TEST_TIMEOUT(name, desc, seconds) overrides the 30 s default.
 * The runner forks every test into its own process group and kills the
 * group when the test returns or times out, so a test may leave fds,
 * attached programs and child processes behind on failure: they all go
 * away with its process.
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

#include "iouops.h"

/* kselftest exit codes (tools/testing/selftests/kselftest.h) */
#define KSFT_PASS	0
#define KSFT_FAIL	1
#define KSFT_SKIP	4

#define IOU_TEST_DEFAULT_TIMEOUT	30	/* seconds */

struct iou_test {
	const char *name;
	const char *desc;
	int (*run)(void);
	unsigned int timeout;	/* seconds, 0: default */
	const char *file;	/* tests run sorted by file, then line */
	int line;
	struct iou_test *next;
};

void iou_test_register(struct iou_test *t);

#define IOU_TEST_TIMEOUT(name_, desc_, timeout_)			\
	static int iou_test_fn_##name_(void);				\
	static struct iou_test iou_test_##name_ = {			\
		.name = #name_, .desc = (desc_),			\
		.run = iou_test_fn_##name_, .timeout = (timeout_),	\
		.file = __FILE__, .line = __LINE__,			\
	};								\
	__attribute__((constructor))					\
	static void iou_test_reg_##name_(void)				\
	{								\
		iou_test_register(&iou_test_##name_);			\
	}								\
	static int iou_test_fn_##name_(void)

#define IOU_TEST(name_, desc_)	IOU_TEST_TIMEOUT(name_, desc_, 0)

/* ---- reporting ---- */

/* A `# ` diagnostic line (the prefix and newline are added). */
void iou_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print TEXT line by line, each prefixed "# PREFIX"; only the last
 * MAX_LINES lines when it is longer (0: all). */
void iou_diag_text(const char *prefix, const char *text, int max_lines);
/* Record the reason shown as `ok N name # SKIP reason`; returns KSFT_SKIP
 * so a test can `return iou_skip("...")`. */
int iou_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Assertions: on failure print `# file:line: ...` with both values, plus
 * the context of the last command run and the program being watched
 * (iou_watch_prog), and return KSFT_FAIL from the test.
 */
void iou_assert_failed(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
const char *iou_errstr(long long v);	/* " (Message)" for -errno, else "" */

#define __IOU_ASSERT_CMP(a, op, b) do {					\
	long long __a = (long long)(a), __b = (long long)(b);		\
	if (!(__a op __b)) {						\
		iou_assert_failed(__FILE__, __LINE__,			\
			"expected %s %s %s: got %lld%s, want %s%lld%s",	\
			#a, #op, #b, __a, iou_errstr(__a),		\
			#op[0] == '=' ? "" : #op " ", __b,		\
			iou_errstr(__b));				\
		return KSFT_FAIL;					\
	}								\
} while (0)

#define ASSERT_EQ(a, b)		__IOU_ASSERT_CMP(a, ==, b)
#define ASSERT_NE(a, b)		__IOU_ASSERT_CMP(a, !=, b)
#define ASSERT_GT(a, b)		__IOU_ASSERT_CMP(a, >, b)
#define ASSERT_GE(a, b)		__IOU_ASSERT_CMP(a, >=, b)
#define ASSERT_LT(a, b)		__IOU_ASSERT_CMP(a, <, b)
#define ASSERT_LE(a, b)		__IOU_ASSERT_CMP(a, <=, b)
#define ASSERT_OK(expr)		__IOU_ASSERT_CMP(expr, ==, 0)

/* Unsigned 64-bit compare (counters). */
#define ASSERT_EQ_U64(a, b) do {					\
	uint64_t __a = (uint64_t)(a), __b = (uint64_t)(b);		\
	if (__a != __b) {						\
		iou_assert_failed(__FILE__, __LINE__,			\
			"expected %s == %s: got %" PRIu64 ", want %" PRIu64, \
			#a, #b, __a, __b);				\
		return KSFT_FAIL;					\
	}								\
} while (0)

#define ASSERT_TRUE(cond) do {						\
	if (!(cond)) {							\
		iou_assert_failed(__FILE__, __LINE__,			\
				  "expected %s", #cond);		\
		return KSFT_FAIL;					\
	}								\
} while (0)

/* HAY (a string, NULL = "") contains NEEDLE. */
#define ASSERT_STR_HAS(hay, needle) do {				\
	const char *__h = (hay) ? (hay) : "", *__n = (needle);		\
	if (!strstr(__h, __n)) {					\
		iou_assert_failed(__FILE__, __LINE__,			\
			"expected %s to contain \"%s\"", #hay, __n);	\
		return KSFT_FAIL;					\
	}								\
} while (0)

/* Like ASSERT_STR_HAS, ignoring case. */
#define ASSERT_STR_HAS_CASE(hay, needle) do {				\
	const char *__h = (hay) ? (hay) : "", *__n = (needle);		\
	if (!strcasestr(__h, __n)) {					\
		iou_assert_failed(__FILE__, __LINE__,			\
			"expected %s to contain \"%s\" (any case)",	\
			#hay, __n);					\
		return KSFT_FAIL;					\
	}								\
} while (0)

/*
 * A command failed cleanly: stderr is exactly one line and no libbpf
 * output leaked to stdout.
 */
#define ASSERT_ONE_LINE_ERROR(c) do {					\
	ASSERT_EQ(iou_count_lines((c)->err), 1);			\
	ASSERT_TRUE(!strstr((c)->out, "libbpf: "));			\
} while (0)

/* ---- environment ---- */

/* The build directory: the runner is BUILD/selftests/runner. */
const char *iou_build_dir(void);
/* BUILD/REL, e.g. iou_build_path("progs/nops.bpf.o"). The string lives
 * until the test process exits. */
const char *iou_build_path(const char *rel);
/* BUILD/iouops, the command line tool. */
const char *iou_cli(void);
/* Seconds left before the runner kills this test (huge if unknown). */
double iou_time_left(void);
/* Monotonic clock in seconds. */
double iou_now(void);
void iou_sleep_ms(unsigned int ms);

/*
 * 0 when the running kernel has io_uring BPF ops and we are root;
 * otherwise records the skip reason (the probe's one-line explanation)
 * and returns KSFT_SKIP.
 */
int iou_require_feature(void);
#define IOU_REQUIRE_FEATURE() do {					\
	int __r = iou_require_feature();				\
	if (__r)							\
		return __r;						\
} while (0)

/* ---- library helpers ---- */

/* Default options (kernel's SQ mode, log to `# ` lines). */
void iou_test_opts(struct iou_opts *opts);
/* On assertion failure, also print P's stage, exit info, verifier log. */
void iou_watch_prog(struct iou_prog *p);
/* Counter NAME in the control block: 0 and *val, or -ENOENT. */
int iou_ctl_counter(volatile struct iou_ctl *ctl, const char *name,
		    uint64_t *val);
/* Like iou_ctl_counter, but UINT64_MAX when there is no such counter. */
uint64_t iou_counter_or_max(volatile struct iou_ctl *ctl, const char *name);
/* Print `# exit: KIND (reason) code=N steps=N` and the counters. */
void iou_diag_ctl(volatile struct iou_ctl *ctl);
/* Open BUILD/PATH_REL with default options, set NAME=VALUE pairs
 * (NULL-terminated), and watch it. Returns 0 or -errno. */
int iou_open_prog(struct iou_prog **p, const struct iou_opts *opts,
		  const char *path_rel, ...);

/* ---- running commands ---- */

/* Runs in the child between fork and exec; 0 or -errno (then exec is
 * not attempted and the command counts as not started). */
typedef int (*iou_pre_exec_fn)(void *arg);

struct iou_cmd {
	pid_t pid;		/* 0 once reaped */
	int out_fd, err_fd;	/* -1 once at EOF */
	char *out, *err;	/* captured so far, NUL-terminated */
	size_t out_len, err_len;
	int status;		/* exit status; 128 + N if killed by signal N;
				 * -1 while running */
	int signo;		/* signal that killed it, or 0 */
	double start, end;	/* iou_now() at start and at exit */
	char *cmdline;		/* for messages */
};

/* Start ARGV (execvp) with stdout and stderr captured, stdin /dev/null.
 * 0 or -errno (exec and pre-exec failures included). */
int iou_cmd_start(struct iou_cmd *c, iou_pre_exec_fn fn, void *arg,
		  char *const argv[]);
/* Read output for up to TIMEOUT_MS; 1 when the command has exited. */
int iou_cmd_pump(struct iou_cmd *c, int timeout_ms);
/* Read output until exit, at most TIMEOUT_MS (-1: until shortly before
 * the test's own deadline). 0, or -ETIMEDOUT with the command left
 * running. */
int iou_cmd_wait(struct iou_cmd *c, int timeout_ms);
/* SIGKILL and reap. */
void iou_cmd_kill(struct iou_cmd *c);
/* Does stdout or stderr contain NEEDLE? */
bool iou_cmd_has(const struct iou_cmd *c, const char *needle);
/* Number of lines in S (a last line without '\n' counts). */
int iou_count_lines(const char *s);
/* Print the command's status and output as diagnostics. */
void iou_cmd_diag(const struct iou_cmd *c);
/* Start ARGV, a server that prints "listening on ADDR:PORT", and wait (up
 * to 30 s) for that line; ADDR gets "HOST:PORT" for clients. 0, -ECHILD
 * when it exited first, -ETIMEDOUT, or iou_cmd_start's error. */
int iou_server_start(struct iou_cmd *c, char *const argv[], const char *host,
		     char *addr, size_t addr_len);
/* The last "NAME=N" in TEXT that starts a word, UINT64_MAX (with a
 * diagnostic) if there is none. */
uint64_t iou_out_field(const char *text, const char *name);

/* Run a command to completion: iou_run(&c, fn, arg, "prog", "a", NULL).
 * Returns its exit status, or -errno when it could not be run or did not
 * finish in time. */
int iou_run(struct iou_cmd *c, iou_pre_exec_fn fn, void *arg,
	    const char *file, ...) __attribute__((sentinel));
/* Same, running BUILD/iouops with the given arguments. */
int iou_run_cli(struct iou_cmd *c, iou_pre_exec_fn fn, void *arg, ...)
	__attribute__((sentinel));

/* Count `bpftool link list` lines of struct_ops links / `bpftool
 * struct_ops list` lines of io_uring_bpf_ops maps; -errno on failure. */
int iou_count_struct_ops_links(void);
int iou_count_io_uring_ops_maps(void);

#endif /* IOUOPS_SELFTEST_H */
