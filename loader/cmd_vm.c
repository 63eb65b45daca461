// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * cmd_vm.c - `iouops vm [OPTS] -- CMD...`: run CMD as root in a VM on a
 * newer kernel, through the vm script of the tree or of the install.
 */
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"

static bool path_under(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	return !strncmp(path, dir, n) && (path[n] == '/' || !path[n]);
}

/*
 * The runner mirrors the tree's build/ into the guest. Installed, there is
 * no tree: pass this binary, the installed programs and the current folder
 * (where the user's NAME.bpf.o is) instead. Either way `iouops` is in the
 * guest's PATH.
 */
int cmd_vm(int argc, char **argv)
{
	static char guest_path[PATH_MAX + 128], progs[PATH_MAX + 32];
	char cwd[PATH_MAX], *pre[8];
	const char *home = getenv("HOME");
	int nr = 0, status;
	struct iouops_home h;

	status = iouops_find_home(&h);
	if (status)
		return status;
	setenv("IOUOPS_VM_GET_KERNEL", "iouops get-kernel", 1);
	snprintf(guest_path, sizeof(guest_path), "PATH=%s:/usr/local/sbin:"
		 "/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", h.bindir);
	pre[nr++] = "-e";
	pre[nr++] = guest_path;
	if (h.installed) {
		snprintf(progs, sizeof(progs), "%s/lib/iouops/progs", h.root);
		pre[nr++] = "--copy";
		pre[nr++] = h.exe;
		pre[nr++] = "--copy";
		pre[nr++] = progs;
		setenv("IOUOPS_VM_TREE", "", 1);
	}
	if (getcwd(cwd, sizeof(cwd)) && strcmp(cwd, "/") &&
	    !(home && !strcmp(cwd, home)) &&
	    (h.installed || !path_under(cwd, h.root))) {
		pre[nr++] = "--copy";
		pre[nr++] = cwd;
	}
	return iouops_exec_script(&h, "vm", pre, nr, argc, argv);
}

