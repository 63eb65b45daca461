// SPDX-License-Identifier: GPL-2.0
/*
 * Writing a loop program outside the tree, as a user does after
 * `make install`: the installed layout, `iouops new` + its Makefile,
 * `iouops build`, a loader built with pkg-config, `iouops load NAME`.
 *
 * The work is split because the VM guest has no clang, make or
 * pkg-config: selftests/install/prep (run by `make` on the host) installs
 * into BUILD/selftests/install/prefix, runs the installed `iouops new
 * demo` and builds its output there with nothing but the installed files,
 * and records listings and logs. These tests check those records (on any
 * kernel) and load what was built (on 7.x, in the VM; scripts/vm mirrors
 * BUILD at the same absolute path, so the prefix is the same there).
 */
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "selftest.h"

#define TI(rel)		st_build_path("selftests/install/" rel)
#define PREFIX		TI("prefix")
#define INSTALLED_CLI	TI("prefix/bin/iouops")
#define DEMO_DIR	TI("demo")

static bool has_line(const char *text, const char *line)
{
	size_t n = strlen(line);
	const char *s = text;

	while ((s = strstr(s, line))) {
		if ((s == text || s[-1] == '\n') && (s[n] == '\n' || !s[n]))
			return true;
		s += n;
	}
	return false;
}

static int chdir_demo(void *arg)
{
	(void)arg;
	return chdir(DEMO_DIR) ? -errno : 0;
}

TEST(install_layout, "make install: every file in its place, DESTDIR honoured")
{
	static const char *const files[] = {
		"bin/iouops", "lib/libiouops.a", "lib/pkgconfig/iouops.pc",
		"include/iouops/iouops.h", "include/iouops/iouops_shared.h",
		"include/iouops/iouops.bpf.h", "include/iouops/vmlinux.h",
		"lib/iouops/progs/nops.bpf.o", "lib/iouops/vm",
		"lib/iouops/get-kernel", "share/man/man8/iouops.8",
	};
	char *listing = st_read_file(TI("destdir-installed.txt")), *pc;
	char line[256];
	struct stat st;
	size_t i;

	ASSERT_TRUE(listing != NULL);
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(line, sizeof(line), "./opt/iouops/%s", files[i]);
		if (!has_line(listing, line))
			st_diag("not in the DESTDIR install: %s", line);
		ASSERT_TRUE(has_line(listing, line));
	}
	/* nothing outside DESTDIR/PREFIX */
	for (char *l = strtok(listing, "\n"); l; l = strtok(NULL, "\n")) {
		if (strcmp(l, ".") && strcmp(l, "./opt") &&
		    strncmp(l, "./opt/iouops/", 13) && strcmp(l, "./opt/iouops"))
			st_diag("installed outside PREFIX: %s", l);
		ASSERT_TRUE(!strcmp(l, ".") || !strcmp(l, "./opt") ||
			    !strncmp(l, "./opt/iouops", 12));
	}
	ASSERT_OK(stat(INSTALLED_CLI, &st));
	ASSERT_TRUE(st.st_mode & S_IXUSR);
	ASSERT_OK(stat(TI("prefix/lib/iouops/vm"), &st));
	ASSERT_TRUE(st.st_mode & S_IXUSR);
	/* the .pc names the real PREFIX (never DESTDIR) */
	pc = st_read_file(TI("prefix/lib/pkgconfig/iouops.pc"));
	ASSERT_TRUE(pc != NULL);
	snprintf(line, sizeof(line), "prefix=%s", PREFIX);
	ASSERT_TRUE(has_line(pc, line));
	ASSERT_TRUE(has_line(pc, "bpfincludedir=${includedir}/iouops"));
	return KSFT_PASS;
}

TEST(install_uninstall, "make uninstall: removes exactly what install wrote")
{
	char *after = st_read_file(TI("destdir-uninstalled.txt"));

	ASSERT_TRUE(after != NULL);
	/* Someone else's file stays, and so do the folders that hold it;
	 * iouops's files and its emptied include/iouops go. The shared
	 * folders (bin, lib/pkgconfig, share/man/man8...) stay. */
	ASSERT_TRUE(has_line(after, "./opt/iouops/lib/iouops/progs/someone-elses.bpf.o"));
	ASSERT_TRUE(has_line(after, "./opt/iouops/lib/iouops/progs"));
	ASSERT_TRUE(has_line(after, "./opt/iouops/bin"));
	ASSERT_TRUE(!strstr(after, "include/iouops"));
	ASSERT_TRUE(!strstr(after, "iouops.pc"));
	ASSERT_TRUE(!strstr(after, "bin/iouops"));
	ASSERT_TRUE(!strstr(after, "nops.bpf.o"));
	ASSERT_TRUE(!strstr(after, "libiouops.a"));
	ASSERT_TRUE(!strstr(after, "iouops.8"));
	ASSERT_TRUE(!strstr(after, "lib/iouops/vm"));
	ASSERT_TRUE(!strstr(after, "get-kernel"));
	return KSFT_PASS;
}

TEST(install_new_build, "iouops new output builds from the installed headers only")
{
	char *log = st_read_file(TI("demo/build.log"));
	char *blog = st_read_file(TI("demo/iouops-build.log"));
	char *bpfinc = st_read_file(TI("pkgconfig-bpfincludedir.txt"));
	char *flags = st_read_file(TI("pkgconfig-flags.txt"));
	char want[PATH_MAX + 16];
	struct iou_prog *p = NULL;

	ASSERT_TRUE(log && blog && bpfinc && flags);
	snprintf(want, sizeof(want), "%s/include/iouops\n", PREFIX);
	ASSERT_EQ(0, strcmp(bpfinc, want));
	snprintf(want, sizeof(want), "-I%s/include", PREFIX);
	ASSERT_STR_HAS(flags, want);
	ASSERT_STR_HAS(flags, "-liouops");
	ASSERT_STR_HAS(flags, "-lbpf");
	/* the compile lines name the prefix's headers and no tree folder */
	snprintf(want, sizeof(want), "-I%s/include/iouops", PREFIX);
	ASSERT_STR_HAS(log, want);
	ASSERT_STR_HAS(blog, want);
	snprintf(want, sizeof(want), "-I%s/../progs", st_build_dir());
	ASSERT_TRUE(!strstr(log, want) && !strstr(blog, want));
	if (realpath(st_build_path(".."), want)) {
		strcat(want, "/progs");
		ASSERT_TRUE(!strstr(log, want) && !strstr(blog, want));
	}
	ASSERT_TRUE(!strstr(log, "warning"));
	/* both objects are loop programs (opening needs no privilege) */
	ASSERT_OK(iou_prog_open(TI("demo/demo.bpf.o"), NULL, &p));
	ASSERT_EQ(0, strcmp(iou_prog_name(p), "demo_ops"));
	iou_prog_close(p);
	ASSERT_OK(iou_prog_open(TI("demo/demo-built.bpf.o"), NULL, &p));
	iou_prog_close(p);
	return KSFT_PASS;
}

TEST(install_new_refuses, "iouops new never overwrites; bad names are usage errors")
{
	struct st_cmd c;
	char *before = st_read_file(TI("demo/demo.bpf.c")), *after;

	ASSERT_TRUE(before != NULL);
	ASSERT_EQ(IOUOPS_EXIT_EXISTS,
		  st_run(&c, NULL, NULL, INSTALLED_CLI, "new", "demo",
			 DEMO_DIR, NULL));
	ASSERT_ONE_LINE_ERROR(&c);
	after = st_read_file(TI("demo/demo.bpf.c"));
	ASSERT_TRUE(after && !strcmp(before, after));
	ASSERT_EQ(IOUOPS_EXIT_USAGE,
		  st_run(&c, NULL, NULL, INSTALLED_CLI, "new", "9lives",
			 "/tmp/iouops-new-never", NULL));
	ASSERT_ONE_LINE_ERROR(&c);
	ASSERT_TRUE(access("/tmp/iouops-new-never", F_OK) != 0);
	ASSERT_EQ(IOUOPS_EXIT_NOFILE,
		  st_run(&c, NULL, NULL, INSTALLED_CLI, "build",
			 "/tmp/iouops-no-such.bpf.c", NULL));
	ASSERT_ONE_LINE_ERROR(&c);
	return KSFT_PASS;
}

TEST(install_load_new, "the built `iouops new` program runs: done = total, twice")
{
	struct st_cmd c;

	ST_REQUIRE_FEATURE();
	/* as the user would: in the folder, ./NAME.bpf.o */
	ASSERT_EQ(IOUOPS_EXIT_OK,
		  st_run(&c, chdir_demo, NULL, INSTALLED_CLI, "load",
			 "./demo.bpf.o", "--set", "total=5000", "--print", "done",
			 NULL));
	ASSERT_TRUE(has_line(c.out, "done=5000"));
	ASSERT_STR_HAS(c.out, "EXIT: done (5000 NOPs) [demo.bpf.c:");
	/* the `iouops build` object is the same program */
	ASSERT_EQ(IOUOPS_EXIT_OK,
		  st_run(&c, chdir_demo, NULL, INSTALLED_CLI, "load",
			 "./demo-built.bpf.o", "--set", "total=777", "--expect",
			 "done=777", NULL));
	ASSERT_STR_HAS(c.out, "EXIT: done (777 NOPs)");
	return KSFT_PASS;
}

TEST(install_pkgconfig_loader, "a loader built with pkg-config runs the demo")
{
	struct st_cmd c;

	ST_REQUIRE_FEATURE();
	ASSERT_EQ(0,
		  st_run(&c, NULL, NULL, TI("demo/loader"),
			 TI("demo/demo.bpf.o"), "1234", NULL));
	ASSERT_TRUE(has_line(c.out, "exit=done done=1234"));
	return KSFT_PASS;
}

TEST(install_load_by_name, "installed iouops load NAME finds PREFIX/lib/iouops/progs")
{
	struct st_cmd c;
	char want[512];

	ST_REQUIRE_FEATURE();
	ASSERT_EQ(IOUOPS_EXIT_OK,
		  st_run(&c, NULL, NULL, INSTALLED_CLI, "load", "-v", "nops",
			 "--set", "total=1000", NULL));
	snprintf(want, sizeof(want), " from %s/bin/../lib/iouops/progs/nops.bpf.o:",
		 PREFIX);
	ASSERT_STR_HAS(c.err, want);
	ASSERT_STR_HAS(c.out, "EXIT: done (1000 NOPs completed");
	ASSERT_EQ(IOUOPS_EXIT_NOFILE,
		  st_run(&c, NULL, NULL, INSTALLED_CLI, "load", "no-such-prog",
			 NULL));
	ASSERT_ONE_LINE_ERROR(&c);
	return KSFT_PASS;
}

static int set_clang(void *arg)
{
	return setenv("CLANG", arg, 1) ? -errno : 0;
}

/* A scratch folder for sources to build, removed by the teardown. */
FIXTURE(install_build) {
	char dir[64];
};

FIXTURE_SETUP(install_build)
{
	ASSERT_OK(st_mkdtemp(self->dir, sizeof(self->dir), "build"));
	return KSFT_PASS;
}

FIXTURE_TEARDOWN(install_build)
{
	ASSERT_OK(st_remove_tree(self->dir));
	return KSFT_PASS;
}

/* DIR/NAME holding TEXT; the path lives on. */
static const char *write_source(const char *dir, const char *name,
				const char *text)
{
	char *path;
	FILE *f;

	if (asprintf(&path, "%s/%s", dir, name) < 0)
		return NULL;
	f = fopen(path, "w");
	if (!f)
		return NULL;
	fputs(text, f);
	return fclose(f) ? NULL : path;
}

TEST_F(install_build, errors, "iouops build: no clang 17, compile error 16, no ops 7")
{
	const char *bad = write_source(self->dir, "bad.bpf.c", "int x = ;\n");
	const char *noops = write_source(self->dir, "noops.bpf.c",
		"#include \"iouops.bpf.h\"\n"
		"char LICENSE[] SEC(\"license\") = \"GPL\";\n"
		"int x;\n");
	struct st_cmd c;

	ASSERT_TRUE(bad && noops);
	/* a CLANG that does not exist is an error, not a cue to use another */
	ASSERT_EQ(IOUOPS_EXIT_NOTOOL,
		  st_run(&c, set_clang, "/nonexistent/clang", INSTALLED_CLI,
			 "build", TI("demo/demo.bpf.c"), "-o", "/tmp/never.bpf.o",
			 NULL));
	ASSERT_ONE_LINE_ERROR(&c);
	ASSERT_STR_HAS(c.err, "/nonexistent/clang");
	if (st_run(&c, NULL, NULL, "clang-19", "--version", NULL) != 0)
		return st_skip("no clang-19 here (the VM guest has none)");
	ASSERT_EQ(IOUOPS_EXIT_BUILD,
		  st_run(&c, NULL, NULL, INSTALLED_CLI, "build", bad, NULL));
	ASSERT_STR_HAS(c.err, "iouops: build: clang-19 failed");
	ASSERT_EQ(IOUOPS_EXIT_NOOPS,
		  st_run(&c, NULL, NULL, INSTALLED_CLI, "build", noops, NULL));
	ASSERT_ONE_LINE_ERROR(&c);
	ASSERT_STR_HAS(c.err, "has no io_uring_bpf_ops map");
	return KSFT_PASS;
}
