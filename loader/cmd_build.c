// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * cmd_build.c - `iouops build FILE.bpf.c`: compile one loop program with
 * the flags iouops programs need (no Makefile), then check that the object
 * has an io_uring_bpf_ops map.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmd.h"

extern char **environ;

#if defined(__aarch64__)
#define TARGET_ARCH	"arm64"
#else
#define TARGET_ARCH	"x86"
#endif

#define MAX_ARGS	256

/* Run argv (argv[0] looked up in PATH) and wait. Returns its exit status,
 * or -errno when it could not be started (-ENOENT: not in PATH). */
static int run_wait(char *const argv[])
{
	int err, wstatus;
	pid_t pid;

	err = posix_spawnp(&pid, argv[0], NULL, NULL, argv, environ);
	if (err)
		return -err;
	while (waitpid(pid, &wstatus, 0) < 0) {
		if (errno != EINTR)
			return -errno;
	}
	return WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
}

static void build_usage(FILE *f)
{
	fprintf(f,
"Usage: iouops build [-v] [-o OUT] FILE.bpf.c [-- CLANG_ARGS...]\n"
"Compile one loop program with the flags iouops programs need:\n"
"  clang -g -O2 -target bpf -mcpu=v3 -D__TARGET_ARCH_x86 -fms-extensions -Wall\n"
"        -I<iouops BPF headers> CLANG_ARGS -c FILE.bpf.c -o FILE.bpf.o\n"
"then check that the object has an io_uring_bpf_ops map. The compiler is\n"
"$CLANG, else clang-19, else clang; the headers come from $IOUOPS_BPF_INC,\n"
"else from next to this iouops.\n");
}

int cmd_build(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	/* $CLANG alone when set: a typo there must not build with another */
	const char *clangs[] = { getenv("CLANG"), "clang-19", "clang" };
	char incdirs[2 * PATH_MAX + 16], incflags[4][PATH_MAX + 3];
	char out[PATH_MAX], *args[MAX_ARGS], *tok, *save;
	const char *src, *output = NULL;
	struct iou_prog *p = NULL;
	bool verbose = false;
	int c, i, n, nr_inc = 0, status, ret = -ENOENT;
	char optbuf[3];
	size_t len, k;
	struct iouops_home h;

	optind = 1;
	opterr = 0;
	/* options anywhere; after `--` everything is for clang */
	while ((c = getopt_long(argc, argv, "o:vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'o': output = optarg; break;
		case 'v': verbose = true; break;
		case 'h': build_usage(stdout); return IOUOPS_EXIT_OK;
		default:
			fprintf(stderr, "iouops: build: bad or incomplete option "
				"'%s' (clang's go after --; see 'iouops build "
				"--help')\n", iouops_bad_option(argv, optbuf));
			return IOUOPS_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "iouops: build takes one FILE.bpf.c (see 'iouops build --help')\n");
		return IOUOPS_EXIT_USAGE;
	}
	src = argv[optind];
	len = strlen(src);
	if (len < 3 || strcmp(src + len - 2, ".c")) {
		fprintf(stderr, "iouops: build: %s: expected a C file (NAME.bpf.c)\n", src);
		return IOUOPS_EXIT_USAGE;
	}
	if (access(src, R_OK)) {
		fprintf(stderr, "iouops: build: %s: %s\n", src, strerror(errno));
		return IOUOPS_EXIT_NOFILE;
	}
	if (!output) {
		snprintf(out, sizeof(out), "%.*s.o", (int)(len - 2), src);
		output = out;
	}
	status = iouops_find_home(&h);
	if (status)
		return status;
	iouops_bpf_include_dirs(&h, incdirs, sizeof(incdirs));

	n = 1;	/* args[0]: the compiler, filled per candidate */
	args[n++] = "-g";
	args[n++] = "-O2";
	args[n++] = "-target";
	args[n++] = "bpf";
	args[n++] = "-mcpu=v3";	/* 32-bit ALU: cheaper ring index maths */
	args[n++] = "-D__TARGET_ARCH_" TARGET_ARCH;
	args[n++] = "-fms-extensions";
	args[n++] = "-Wall";
	for (tok = strtok_r(incdirs, " ", &save); tok && nr_inc < 4;
	     tok = strtok_r(NULL, " ", &save)) {
		snprintf(incflags[nr_inc], sizeof(incflags[0]), "-I%s", tok);
		args[n++] = incflags[nr_inc++];
	}
	for (i = optind + 1; i < argc && n < MAX_ARGS - 6; i++)
		args[n++] = argv[i];
	args[n++] = "-c";
	args[n++] = (char *)src;
	args[n++] = "-o";
	args[n++] = (char *)output;
	args[n] = NULL;

	for (k = 0; k < sizeof(clangs) / sizeof(clangs[0]) && ret == -ENOENT; k++) {
		if (!clangs[k] || !*clangs[k])
			continue;
		args[0] = (char *)clangs[k];
		if (verbose) {
			for (i = 0; i < n; i++)
				fprintf(stderr, "%s%s", i ? " " : "", args[i]);
			fputc('\n', stderr);
		}
		ret = run_wait(args);
		if (k == 0)
			break;
	}
	if (ret < 0) {
		fprintf(stderr, "iouops: build: cannot run %s (%s): set CLANG or "
			"install clang-19\n", args[0], strerror(-ret));
		return IOUOPS_EXIT_NOTOOL;
	}
	if (ret) {
		fprintf(stderr, "iouops: build: %s failed (exit %d)\n", args[0], ret);
		return IOUOPS_EXIT_BUILD;
	}
	/* Opening needs no privilege and catches a missing IOU_OPS now. */
	ret = iou_prog_open(output, NULL, &p);
	iou_prog_close(p);
	if (ret == -ESRCH) {
		fprintf(stderr, "iouops: build: %s has no io_uring_bpf_ops map "
			"(declare one: IOU_OPS(name_ops, name_step);)\n", output);
		return IOUOPS_EXIT_NOOPS;
	}
	if (ret) {
		fprintf(stderr, "iouops: build: %s: %s\n", output, strerror(-ret));
		return IOUOPS_EXIT_NOTBPF;
	}
	return IOUOPS_EXIT_OK;
}
