// SPDX-License-Identifier: GPL-2.0
/*
 * progs/hello.bpf.c is the first program a newcomer reads: README.md shows
 * it (its first ```c block holding a whole program, IOU_OPS included) and
 * `iouops new` writes it (embedded at build time). Check that both are
 * that file, byte for byte, and that it runs and gives its result.
 */
#include <stdlib.h>
#include <unistd.h>

#include "selftest.h"

#define FENCE_C	"```c\n"

/* s with every FROM replaced by TO (free it). */
static char *replace_all(const char *s, const char *from, const char *to)
{
	size_t nfrom = strlen(from), nto = strlen(to), n = 0;
	const char *p;
	char *out, *o;

	for (p = s; (p = strstr(p, from)); p += nfrom)
		n++;
	out = malloc(strlen(s) + n * nto + 1);
	if (!out)
		return NULL;
	for (o = out; (p = strstr(s, from)); s = p + nfrom) {
		memcpy(o, s, (size_t)(p - s));
		o += p - s;
		memcpy(o, to, nto);
		o += nto;
	}
	strcpy(o, s);
	return out;
}

/* The "```" line that closes the block starting at body, or NULL. */
static const char *fence_close(const char *body)
{
	const char *s = body;

	while ((s = strstr(s, "```"))) {
		if (s[-1] == '\n')	/* body[-1] ends the opening fence */
			return s;
		s += 3;
	}
	return NULL;
}

/* The body (fences stripped, its last newline kept) of the first ```c
 * block of text that holds a whole program, or NULL (free it). */
static char *first_program_block(const char *text)
{
	const char *s = text, *body, *end;

	while ((s = strstr(s, FENCE_C))) {
		if (s != text && s[-1] != '\n') {
			s++;
			continue;
		}
		body = s + strlen(FENCE_C);
		end = fence_close(body);
		if (!end)
			return NULL;
		if (memmem(body, (size_t)(end - body), "IOU_OPS(", 8))
			return strndup(body, (size_t)(end - body));
		s = end;
	}
	return NULL;
}

/* One line of diagnostics: the first line where a and b differ. */
static void diag_first_difference(const char *what, const char *a,
				  const char *b)
{
	size_t i, start = 0;
	int line = 1;

	for (i = 0; a[i] && a[i] == b[i]; i++) {
		if (a[i] == '\n') {
			line++;
			start = i + 1;
		}
	}
	st_diag("%s differs from progs/hello.bpf.c at line %d: '%.*s' "
		"instead of '%.*s'", what, line, (int)strcspn(a + start, "\n"),
		a + start, (int)strcspn(b + start, "\n"), b + start);
}

TEST(hello_readme, "README.md's first program is progs/hello.bpf.c, byte for byte")
{
	const char *readme_path = st_tree_path("README.md");
	const char *hello_path = st_tree_path("progs/hello.bpf.c");
	char *readme, *hello, *block;

	if (!readme_path || !hello_path)
		return st_skip("README.md or progs/hello.bpf.c not found next "
			       "to %s or in the current directory",
			       st_build_dir());
	readme = st_read_file(readme_path);
	hello = st_read_file(hello_path);
	ASSERT_TRUE(readme && hello);
	block = first_program_block(readme);
	if (!block)
		st_diag("README.md has no ```c block holding IOU_OPS(");
	ASSERT_TRUE(block != NULL);
	if (strcmp(block, hello))
		diag_first_difference("README.md's first program", block, hello);
	ASSERT_EQ(0, strcmp(block, hello));
	free(block);
	free(hello);
	free(readme);
	return KSFT_PASS;
}

static int chdir_to(void *dir)
{
	return chdir(dir) ? -errno : 0;
}

TEST(hello_new, "iouops new writes progs/hello.bpf.c under its own names")
{
	const char *hello_path = st_tree_path("progs/hello.bpf.c");
	char dir[] = "/tmp/iouops-hello-new-XXXXXX";
	char *hello, *step, *want, *got, *src, *mk;
	const char *body;
	struct st_cmd c;

	if (!hello_path)
		return st_skip("progs/hello.bpf.c not found next to %s or in "
			       "the current directory", st_build_dir());
	hello = st_read_file(hello_path);
	ASSERT_TRUE(hello != NULL);
	ASSERT_TRUE(mkdtemp(dir) != NULL);
	ASSERT_EQ(IOUOPS_EXIT_OK,
		  st_run_cli(&c, chdir_to, dir, "new", "my-first", ".", NULL));
	ASSERT_TRUE(asprintf(&src, "%s/my-first.bpf.c", dir) > 0);
	ASSERT_TRUE(asprintf(&mk, "%s/Makefile", dir) > 0);
	got = st_read_file(src);
	unlink(src);
	unlink(mk);
	rmdir(dir);
	/* a head comment, then the file with NAME's step and ops */
	step = replace_all(hello, "count_step", "my_first_step");
	want = step ? replace_all(step, "count_ops", "my_first_ops") : NULL;
	ASSERT_TRUE(got && want);
	ASSERT_TRUE(strcmp(want, hello) != 0);	/* the names were there */
	ASSERT_EQ(0, strncmp(got, "// SPDX-License-Identifier: GPL-2.0\n/*", 38));
	body = strstr(got, "\n */\n");
	ASSERT_TRUE(body != NULL);
	body += strlen("\n */\n");
	if (strcmp(body, want))
		diag_first_difference("my-first.bpf.c after its head", body,
				      want);
	ASSERT_EQ(0, strcmp(body, want));
	free(want);
	free(step);
	free(got);
	free(hello);
	return KSFT_PASS;
}

TEST(hello_lib, "hello.bpf.o through libiouops: done = total, exit done")
{
	unsigned long long done = 0;
	volatile struct iou_ctl *ctl;
	struct iou_prog *p;

	ST_REQUIRE_FEATURE();
	ASSERT_OK(st_open_prog(&p, NULL, "progs/hello.bpf.o", "total", "777",
			       NULL));
	ASSERT_OK(iou_prog_load(p));
	ASSERT_OK(iou_prog_attach(p));
	ASSERT_OK(iou_prog_run(p));
	ctl = iou_prog_ctl(p);
	st_diag_ctl(ctl);
	ASSERT_EQ(IOU_EXIT_DONE, ctl->exit.kind);
	ASSERT_OK(iou_prog_var_read(p, "done", &done, NULL));
	ASSERT_EQ_U64(777, done);
	/* one NOP at a time: one step per NOP, and the first submits */
	ASSERT_LE(777, ctl->steps);
	iou_prog_close(p);
	return KSFT_PASS;
}

TEST(hello_cli, "`iouops load hello --set total=5000` prints its exit, done=5000")
{
	struct st_cmd c;

	ST_REQUIRE_FEATURE();
	ASSERT_EQ(IOUOPS_EXIT_OK,
		  st_run_cli(&c, NULL, NULL, "load", "hello", "--set",
			     "total=5000", "--expect", "done=5000", "--print",
			     "done", NULL));
	ASSERT_STR_HAS(c.out, "EXIT: done (5000 NOPs) [hello.bpf.c:");
	ASSERT_TRUE(st_cmd_has(&c, "done=5000"));
	/* and --expect tells a wrong count */
	ASSERT_EQ(IOUOPS_EXIT_EXPECT,
		  st_run_cli(&c, NULL, NULL, "load", "hello", "--set",
			     "total=10", "--expect", "done=11", NULL));
	return KSFT_PASS;
}
