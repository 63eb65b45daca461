// SPDX-License-Identifier: GPL-2.0
/*
 * progs/cp.bpf.c through `iouops load cp --src --dst`: byte-exact copies
 * of the sizes around the block size and of a large random file, short
 * writes and write errors (the destination is never reported complete),
 * and every bad input ending in one line and its own exit status.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "selftest.h"

/* A scratch folder with the source and destination paths in it; the
 * teardown removes it, also after a failure or a timeout (cp_large
 * leaves 512 MiB there). */
FIXTURE(cp) {
	char dir[64];
	char src[80];
	char dst[80];
};

FIXTURE_SETUP(cp)
{
	ST_REQUIRE_FEATURE();
	ASSERT_OK(st_mkdtemp(self->dir, sizeof(self->dir), "cp"));
	snprintf(self->src, sizeof(self->src), "%s/src", self->dir);
	snprintf(self->dst, sizeof(self->dst), "%s/dst", self->dir);
	return KSFT_PASS;
}

FIXTURE_TEARDOWN(cp)
{
	ASSERT_OK(st_remove_tree(self->dir));
	return KSFT_PASS;
}

/* Offset of the first difference of A's first LEN bytes with B, -1 if
 * none; also checks B is exactly LEN bytes long. -2 on an I/O error. */
static long long first_diff(const char *a, const char *b, uint64_t len)
{
	static char ba[1 << 16], bb[1 << 16];
	int fa = open(a, O_RDONLY | O_CLOEXEC), fb = open(b, O_RDONLY | O_CLOEXEC);
	uint64_t off = 0;
	long long ret = -1;
	struct stat st;

	if (fa < 0 || fb < 0 || fstat(fb, &st)) {
		ret = -2;
		goto out;
	}
	if ((uint64_t)st.st_size != len) {
		st_diag("%s is %lld bytes, want %llu", b, (long long)st.st_size,
			(unsigned long long)len);
		ret = (long long)(len < (uint64_t)st.st_size ? len : (uint64_t)st.st_size);
		goto out;
	}
	while (off < len) {
		size_t n = len - off < sizeof(ba) ? len - off : sizeof(ba);

		if (pread(fa, ba, n, (off_t)off) != (ssize_t)n ||
		    pread(fb, bb, n, (off_t)off) != (ssize_t)n) {
			ret = -2;
			break;
		}
		if (memcmp(ba, bb, n)) {
			for (size_t i = 0; i < n; i++)
				if (ba[i] != bb[i]) {
					ret = (long long)(off + i);
					goto out;
				}
		}
		off += n;
	}
out:
	if (fa >= 0)
		close(fa);
	if (fb >= 0)
		close(fb);
	return ret;
}

/* "NAME=123" among the counters the command printed. */
static uint64_t cp_counter(const struct st_cmd *c, const char *name)
{
	char key[64];
	const char *s;

	snprintf(key, sizeof(key), " %s=", name);
	s = c->out ? strstr(c->out, key) : NULL;
	if (!s) {
		snprintf(key, sizeof(key), ": %s=", name);
		s = c->out ? strstr(c->out, key) : NULL;
	}
	return s ? strtoull(s + strlen(key), NULL, 0) : UINT64_MAX;
}

/* Copy a SIZE-byte random file with qd/bs and compare. */
static int copy_and_compare(FIXTURE_DATA(cp) *f, uint64_t size, unsigned qd,
			    unsigned bs, uint64_t seed)
{
	char qd_s[32], bs_s[32], want[64];
	struct st_cmd c;

	ASSERT_OK(st_write_noise(f->src, size, seed));
	snprintf(qd_s, sizeof(qd_s), "qd=%u", qd);
	snprintf(bs_s, sizeof(bs_s), "bs=%u", bs);
	ASSERT_EQ(IOUOPS_EXIT_OK,
		  st_run_cli(&c, NULL, NULL, "load", "cp", "--src", f->src,
			     "--dst", f->dst, "--set", qd_s, "--set", bs_s,
			     NULL));
	snprintf(want, sizeof(want), "copied %llu bytes", (unsigned long long)size);
	ASSERT_TRUE(st_cmd_has(&c, want));
	ASSERT_TRUE(st_cmd_has(&c, "EXIT: done"));
	ASSERT_EQ_U64(size, cp_counter(&c, "bytes"));
	ASSERT_GE(qd, cp_counter(&c, "max_inflight"));
	ASSERT_EQ(-1, first_diff(f->src, f->dst, size));
	return KSFT_PASS;
}

TEST_F_TIMEOUT(cp, sizes, "cp: 0, 1, bs-1, bs, bs+1, 5 bs+17 bytes, qd 1/3/8, byte-exact", 120)
{
	const unsigned bs = 4096;
	const uint64_t sizes[] = { 0, 1, bs - 1, bs, bs + 1, 5 * bs + 17 };
	const unsigned qds[] = { 1, 3, 8 };
	int r;

	for (size_t q = 0; q < sizeof(qds) / sizeof(qds[0]); q++) {
		for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
			r = copy_and_compare(self, sizes[i], qds[q], bs, i + 1);
			if (r) {
				st_diag("size %llu qd %u bs %u",
					(unsigned long long)sizes[i], qds[q], bs);
				return r;
			}
		}
	}
	return KSFT_PASS;
}

TEST_F_TIMEOUT(cp, short_read_at_eof, "cp: a block cut by EOF is read short, the rest re-read, then EOF", 60)
{
	struct st_cmd c;

	ASSERT_OK(st_write_noise(self->src, 3 * 4096 + 100, 7));
	ASSERT_EQ(IOUOPS_EXIT_OK,
		  st_run_cli(&c, NULL, NULL, "load", "cp", "--src", self->src,
			     "--dst", self->dst, "--set", "bs=4096", "--set", "qd=1",
			     NULL));
	/* qd 1: blocks 0..2 whole, block 3 short (100 bytes), its rest
	 * read again and found at EOF */
	ASSERT_EQ_U64(1, cp_counter(&c, "short_reads"));
	ASSERT_EQ_U64(1, cp_counter(&c, "eof_reads"));
	ASSERT_EQ_U64(5, cp_counter(&c, "reads"));
	ASSERT_EQ_U64(4, cp_counter(&c, "writes"));
	ASSERT_EQ(-1, first_diff(self->src, self->dst, 3 * 4096 + 100));
	return KSFT_PASS;
}

TEST_F_TIMEOUT(cp, large, "cp: 256 MiB of random data, default qd 8 and bs 128 KiB, byte-exact", 300)
{
	const uint64_t size = 256ULL << 20;
	struct st_cmd c;

	ASSERT_OK(st_write_noise(self->src, size, 42));
	ASSERT_EQ(IOUOPS_EXIT_OK,
		  st_run_cli(&c, NULL, NULL, "load", "cp", "--src", self->src,
			     "--dst", self->dst, NULL));
	st_diag("%s", strstr(c.out, "EXIT:") ? strstr(c.out, "EXIT:") : c.out);
	ASSERT_TRUE(st_cmd_has(&c, "copied 268435456 bytes"));
	ASSERT_EQ_U64(8, cp_counter(&c, "max_inflight"));
	ASSERT_EQ(-1, first_diff(self->src, self->dst, size));
	return KSFT_PASS;
}

/* In the child before exec: files may not grow past 100000 bytes (the 64 KiB region still fits), and
 * crossing the limit fails with EFBIG instead of killing the loader. */
static int limit_fsize(void *arg)
{
	struct rlimit rl = { 100000, 100000 };

	(void)arg;
	signal(SIGXFSZ, SIG_IGN);
	return setrlimit(RLIMIT_FSIZE, &rl) ? -errno : 0;
}

TEST_F_TIMEOUT(cp, short_write, "cp: a write cut by RLIMIT_FSIZE is short, its rest fails EFBIG, not done", 60)
{
	struct st_cmd c;
	struct stat st;

	ASSERT_OK(st_write_noise(self->src, 200000, 3));
	ASSERT_EQ(IOUOPS_EXIT_PROG_ERROR,
		  st_run_cli(&c, limit_fsize, NULL, "load", "cp", "--src",
			     self->src, "--dst", self->dst, "--set", "bs=4096",
			     "--set", "qd=1", NULL));
	ASSERT_TRUE(st_cmd_has(&c, "EXIT: error -27"));
	ASSERT_TRUE(st_cmd_has(&c, "write at offset 100000 failed"));
	ASSERT_TRUE(st_cmd_has(&c, "destination incomplete"));
	ASSERT_TRUE(!st_cmd_has(&c, "EXIT: done"));
	ASSERT_EQ_U64(1, cp_counter(&c, "short_writes"));
	/* what was written is right: the first 100000 bytes */
	ASSERT_OK(stat(self->dst, &st));
	ASSERT_EQ(100000, st.st_size);
	ASSERT_OK(truncate(self->src, 100000));
	ASSERT_EQ(-1, first_diff(self->src, self->dst, 100000));
	return KSFT_PASS;
}

TEST_F_TIMEOUT(cp, write_error, "cp: /dev/full as destination stops with ENOSPC, exit 13", 60)
{
	struct st_cmd c;

	ASSERT_OK(st_write_noise(self->src, 100000, 5));
	ASSERT_EQ(IOUOPS_EXIT_PROG_ERROR,
		  st_run_cli(&c, NULL, NULL, "load", "cp", "--src", self->src,
			     "--dst", "/dev/full", NULL));
	ASSERT_TRUE(st_cmd_has(&c, "EXIT: error -28"));
	ASSERT_TRUE(st_cmd_has(&c, "write at offset"));
	ASSERT_TRUE(st_cmd_has(&c, "after 0 bytes copied"));
	ASSERT_EQ(0, st_count_lines(c.err));
	return KSFT_PASS;
}

/* ---- pacing: --set rate ---- */

/* The program's own time of the copy ("copied N bytes in US us"), in
 * microseconds; 0 if the line is missing. */
static uint64_t copy_us(const struct st_cmd *c)
{
	const char *s = c->out ? strstr(c->out, " bytes in ") : NULL;

	return s ? strtoull(s + strlen(" bytes in "), NULL, 10) : 0;
}

/* Copy SRC to DST with ARGS... (NULL-terminated after --dst), want done
 * and byte-exact; the program's time in *US. */
#define paced_copy(f, size, us, ...)					\
	paced_copy_argv(f, size, us, (const char *[]){ __VA_ARGS__, NULL })

static int paced_copy_run(FIXTURE_DATA(cp) *f, uint64_t size, uint64_t *us,
			  uint64_t *dropped, const char **args)
{
	char *argv[24] = { (char *)st_cli(), "load", "cp", "--src", f->src,
			   "--dst", f->dst };
	char want[64];
	struct st_cmd c;
	int n = 7;

	while (*args && n < 23)
		argv[n++] = (char *)*args++;
	argv[n] = NULL;
	ASSERT_OK(st_cmd_start(&c, NULL, NULL, argv));
	ASSERT_OK(st_cmd_wait(&c, -1));
	if (c.status != IOUOPS_EXIT_OK)
		st_cmd_diag(&c);
	ASSERT_EQ(IOUOPS_EXIT_OK, c.status);
	snprintf(want, sizeof(want), "copied %llu bytes", (unsigned long long)size);
	ASSERT_TRUE(st_cmd_has(&c, want));
	ASSERT_EQ(-1, first_diff(f->src, f->dst, size));
	*us = copy_us(&c);
	ASSERT_LT(0, *us);
	if (dropped) {
		*dropped = st_out_field(c.out, "rate_dropped");
		ASSERT_NE(UINT64_MAX, *dropped);
	}
	return KSFT_PASS;
}

static int paced_copy_argv(FIXTURE_DATA(cp) *f, uint64_t size, uint64_t *us,
			   const char **args)
{
	return paced_copy_run(f, size, us, NULL, args);
}

/* A paced copy at RATE_S: its time and the tokens its stalls dropped. */
static int paced_copy_dropped(FIXTURE_DATA(cp) *f, uint64_t size,
			      uint64_t *us, uint64_t *dropped,
			      const char *rate_s)
{
	return paced_copy_run(f, size, us, dropped,
			      (const char *[]){ "--set", rate_s, NULL });
}

/*
 * SIZE bytes at RATE must take SIZE/RATE seconds +/- 5%. Never faster:
 * the bucket starts empty and fills with the clock, so that bound always
 * holds. Not slower only if the machine can copy well above the rate: an
 * unpaced copy of the same file first says how fast it is (TCG under
 * load can be slower than 10 MiB/s). A stall of the machine longer than
 * the bucket (500 ms) drops tokens, counted in rate_dropped: that time
 * is the machine's, not the pacer's, and is taken off before the upper
 * bound is checked (a pacer that sleeps too long drops nothing).
 */
static int paced_accuracy(FIXTURE_DATA(cp) *f, uint64_t size,
			  const char *rate_s, uint64_t rate)
{
	const uint64_t want_us = size * 1000000 / rate;
	uint64_t free_us, us, dropped, dropped_us;

	ASSERT_OK(st_write_noise(f->src, size, 11));
	ASSERT_OK(paced_copy(f, size, &free_us, "--set", "qd=8"));
	ASSERT_OK(paced_copy_dropped(f, size, &us, &dropped, rate_s));
	dropped_us = dropped * 1000000 / rate;
	st_diag("%llu bytes at rate %s: %.3f s (want %.3f s, %+.2f%%); "
		"unpaced %.3f s; stalls dropped %llu bytes (%.3f s)",
		(unsigned long long)size, rate_s, us / 1e6, want_us / 1e6,
		((double)us - want_us) * 100.0 / want_us, free_us / 1e6,
		(unsigned long long)dropped, dropped_us / 1e6);
	ASSERT_LE(want_us * 95 / 100, us);
	us -= dropped_us < us ? dropped_us : us;
	if (free_us * 2 > want_us) {
		st_diag("unpaced copy is not 2x faster than the rate: the "
			"upper bound is not checked");
	} else {
		ASSERT_GE(want_us * 105 / 100, us);
	}
	return KSFT_PASS;
}

TEST_F_TIMEOUT(cp, paced_10m, "cp --set rate=10m: 50 MiB in 5 s +/- 5%, byte-exact", 300)
{
	return paced_accuracy(self, 50ULL << 20, "rate=10m", 10ULL << 20);
}

TEST_F_TIMEOUT(cp, paced_1m, "cp --set rate=1m: 5 MiB in 5 s +/- 5% (a rate any machine beats), byte-exact", 120)
{
	return paced_accuracy(self, 5ULL << 20, "rate=1m", 1ULL << 20);
}

TEST_F_TIMEOUT(cp, paced_small, "cp paced: 1 byte, a file under one bucket, and the timespec fallback: byte-exact", 120)
{
	uint64_t us;

	ASSERT_OK(st_write_noise(self->src, 1, 21));
	ASSERT_OK(paced_copy(self, 1, &us, "--set", "rate=10m"));
	/* under one bucket (2.5 MiB at 10m): at most a tick or so */
	ASSERT_OK(st_write_noise(self->src, 100000, 22));
	ASSERT_OK(paced_copy(self, 100000, &us, "--set", "rate=10m"));
	ASSERT_GT(2000000, us);
	/* 256 KiB at 512 KiB/s with a timespec in the region: 0.5 s */
	ASSERT_OK(st_write_noise(self->src, 256 << 10, 23));
	ASSERT_OK(paced_copy(self, 256 << 10, &us, "--set", "rate=512k",
			     "--set", "iou_timeout_imm=0", "--set", "bs=16k"));
	st_diag("256 KiB at 512k with timespecs: %.3f s", us / 1e6);
	ASSERT_LE(475000, us);
	return KSFT_PASS;
}

TEST_F_TIMEOUT(cp, paced_sigint, "cp paced: SIGINT mid-copy stops within the timer's wait, exit 0, partial, detached", 120)
{
	char *argv[] = { (char *)st_cli(), "load", "cp", "--src", NULL,
			 "--dst", NULL, "--set", "rate=1m", "--stats", "1",
			 NULL };
	int links = st_count_struct_ops_links();
	struct st_cmd c;
	struct stat st;
	uint64_t bytes;
	double t;

	ASSERT_OK(st_write_noise(self->src, 64ULL << 20, 31));	/* 64 s at 1m */
	argv[4] = self->src;
	argv[6] = self->dst;
	ASSERT_OK(st_cmd_start(&c, NULL, NULL, argv));
	/* the first live stats line: the copy runs */
	t = st_now();
	while (!st_cmd_has(&c, "rate_limit=1048576") && st_now() - t < 60)
		if (st_cmd_pump(&c, 100) == 1)
			break;
	ASSERT_TRUE(st_cmd_has(&c, "rate_limit=1048576"));
	ASSERT_OK(kill(c.pid, SIGINT));
	t = st_now();
	ASSERT_OK(st_cmd_wait(&c, 30000));
	st_diag("exited %.2f s after SIGINT", st_now() - t);
	ASSERT_EQ(IOUOPS_EXIT_OK, c.status);
	ASSERT_TRUE(st_cmd_has(&c, "stopped after"));
	ASSERT_TRUE(st_cmd_has(&c, "destination incomplete"));
	bytes = st_out_field(c.out, "bytes");
	ASSERT_LT(0, bytes);
	ASSERT_GT(64ULL << 20, bytes);
	ASSERT_OK(stat(self->dst, &st));
	ASSERT_GE(bytes, (uint64_t)st.st_size);
	/* what was written is the source's start, no hole */
	ASSERT_EQ(-1, first_diff(self->src, self->dst, (uint64_t)st.st_size));
	if (links >= 0)
		ASSERT_GE(links, st_count_struct_ops_links());
	return KSFT_PASS;
}

/* One bad command line `iouops load cp ARGS...`: its exit status, one
 * line on stderr naming WHAT (or the program's reason on stdout), and no
 * program left attached. */
#define bad_input(status, what, ...)					\
	bad_input_argv(status, what, (const char *[]){ __VA_ARGS__, NULL })

static int bad_input_argv(int want_status, const char *what, const char **args)
{
	int links = st_count_struct_ops_links();
	char *argv[24] = { (char *)st_cli(), "load", "cp" };
	struct st_cmd c;
	int n = 3;

	while (*args && n < 23)
		argv[n++] = (char *)*args++;
	argv[n] = NULL;
	ASSERT_OK(st_cmd_start(&c, NULL, NULL, argv));
	ASSERT_OK(st_cmd_wait(&c, -1));
	if (c.status != want_status)
		st_cmd_diag(&c);
	ASSERT_EQ(want_status, c.status);
	if (want_status == IOUOPS_EXIT_PROG_ERROR) {
		ASSERT_STR_HAS(c.out, what);
		ASSERT_EQ(0, st_count_lines(c.err));
	} else {
		ASSERT_ONE_LINE_ERROR(&c);
		ASSERT_STR_HAS(c.err, what);
	}
	if (links >= 0)
		ASSERT_GE(links, st_count_struct_ops_links());
	return KSFT_PASS;
}

TEST_F_TIMEOUT(cp, bad_input, "cp: missing/dir source, unwritable or same destination, qd/bs/rate out of range", 120)
{
	const char *src = self->src, *dst = self->dst, *dir = self->dir;
	char nodir[sizeof(self->dir) + 16];

	ASSERT_OK(st_write_noise(src, 5000, 9));
	snprintf(nodir, sizeof(nodir), "%s/no/dst", dir);

	ASSERT_OK(bad_input(IOUOPS_EXIT_FILE, "No such file", "--src",
			    "/nonexistent/src", "--dst", dst));
	ASSERT_OK(bad_input(IOUOPS_EXIT_FILE, "Is a directory", "--src",
			    dir, "--dst", dst));
	ASSERT_OK(bad_input(IOUOPS_EXIT_FILE, "No such file", "--src", src,
			    "--dst", nodir));
	ASSERT_OK(bad_input(IOUOPS_EXIT_FILE, "Is a directory", "--src", src,
			    "--dst", dir));
	ASSERT_OK(bad_input(IOUOPS_EXIT_FILE, "also an input", "--src", src,
			    "--dst", src));
	/* the source survived that */
	ASSERT_OK(access(src, R_OK));
	ASSERT_OK(bad_input(IOUOPS_EXIT_USAGE, "expected NAME=PATH", "--src",
			    src, "--out", IOU_SYM_DST_FD));
	ASSERT_OK(bad_input(IOUOPS_EXIT_BADSET, "no such global", "--src",
			    src, "--out", "nope=/tmp/x"));
	ASSERT_OK(bad_input(IOUOPS_EXIT_PROG_ERROR, "no source or destination",
			    "--src", src));
	ASSERT_OK(bad_input(IOUOPS_EXIT_PROG_ERROR, "qd 0 out of range",
			    "--src", src, "--dst", dst, "--set", "qd=0"));
	ASSERT_OK(bad_input(IOUOPS_EXIT_PROG_ERROR, "qd 1000 out of range",
			    "--src", src, "--dst", dst, "--set", "qd=1000"));
	ASSERT_OK(bad_input(IOUOPS_EXIT_PROG_ERROR, "bs 0 out of range",
			    "--src", src, "--dst", dst, "--set", "bs=0"));
	ASSERT_OK(bad_input(IOUOPS_EXIT_PROG_ERROR, "bs 33554432 out of range",
			    "--src", src, "--dst", dst, "--set", "bs=32m"));
	ASSERT_OK(bad_input(IOUOPS_EXIT_PROG_ERROR, "rate 0 out of range",
			    "--src", src, "--dst", dst, "--set", "rate=0"));
	ASSERT_OK(bad_input(IOUOPS_EXIT_PROG_ERROR,
			    "rate 17179869184 out of range", "--src", src,
			    "--dst", dst, "--set", "rate=16g"));
	ASSERT_OK(bad_input(IOUOPS_EXIT_BADSET, "rate", "--src", src,
			    "--dst", dst, "--set", "rate=-1"));
	ASSERT_OK(bad_input(IOUOPS_EXIT_BADSET, "rate", "--src", src,
			    "--dst", dst, "--set", "rate=10q"));
	/* qd * bs past 4 GiB: the loader cannot make the region */
	ASSERT_OK(bad_input(IOUOPS_EXIT_REGION, "more than 4 GiB", "--src",
			    src, "--dst", dst, "--set", "qd=256", "--set", "bs=16m"));
	return KSFT_PASS;
}
