// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * cmd_home.c - where this iouops lives, for the commands that work with
 * its files (new, build, vm, get-kernel): found relative to the running
 * binary, so the same code works in the source tree (build/iouops: headers
 * in progs/ and the tree's root, scripts in scripts/) and installed
 * (PREFIX/bin/iouops: headers in PREFIX/include/iouops, scripts in
 * PREFIX/lib/iouops).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"

#define MAX_ARGS	256

static bool is_file(const char *fmt, const char *dir)
{
	char path[PATH_MAX];
	struct stat st;
	int n = snprintf(path, sizeof(path), fmt, dir);

	return n > 0 && (size_t)n < sizeof(path) && !stat(path, &st) &&
	       S_ISREG(st.st_mode);
}

static int locate(struct iouops_home *h)
{
	char up[PATH_MAX + 4];
	ssize_t n;
	char *slash;

	n = readlink("/proc/self/exe", h->exe, sizeof(h->exe) - 1);
	if (n <= 0)
		return -errno;
	h->exe[n] = '\0';
	snprintf(h->bindir, sizeof(h->bindir), "%s", h->exe);
	slash = strrchr(h->bindir, '/');
	if (slash)
		*slash = '\0';
	snprintf(up, sizeof(up), "%s/..", h->bindir);
	if (!realpath(up, h->root))
		return -errno;
	h->installed = is_file("%s/include/iouops/iouops.bpf.h", h->root);
	if (!h->installed && !is_file("%s/progs/iouops.bpf.h", h->root))
		return -ENOENT;
	return 0;
}

int iouops_find_home(struct iouops_home *h)
{
	if (locate(h)) {
		fprintf(stderr, "iouops: cannot find the iouops headers next to "
			"this binary (PREFIX/include/iouops or the source tree)\n");
		return IOUOPS_EXIT_NOTOOL;
	}
	return 0;
}

void iouops_bpf_include_dirs(const struct iouops_home *h, char *out,
			     size_t len)
{
	const char *env = getenv("IOUOPS_BPF_INC");

	if (env && *env)
		snprintf(out, len, "%s", env);
	else if (h->installed)
		snprintf(out, len, "%s/include/iouops", h->root);
	else
		snprintf(out, len, "%s/progs %s", h->root, h->root);
}

int iouops_exec_script(const struct iouops_home *h, const char *name,
		       char **pre, int nr_pre, int argc, char **argv)
{
	char path[PATH_MAX], *args[MAX_ARGS];
	int i, n = 0;

	snprintf(path, sizeof(path), h->installed ? "%s/lib/iouops/%s" :
		 "%s/scripts/%s", h->root, name);
	if (nr_pre + argc + 2 > MAX_ARGS) {
		fprintf(stderr, "iouops: %s: too many arguments\n", name);
		return IOUOPS_EXIT_USAGE;
	}
	args[n++] = path;
	for (i = 0; i < nr_pre; i++)
		args[n++] = pre[i];
	for (i = 1; i < argc; i++)
		args[n++] = argv[i];
	args[n] = NULL;
	fflush(NULL);
	execv(path, args);
	fprintf(stderr, "iouops: cannot run %s: %s\n", path, strerror(errno));
	return IOUOPS_EXIT_NOTOOL;
}
