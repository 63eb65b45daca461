// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* cmd_get_kernel.c - `iouops get-kernel [WHICH]`: fetch a kernel for vm,
 * through the get-kernel script of the tree or of the install. */
#include "cmd.h"

int cmd_get_kernel(int argc, char **argv)
{
	struct iouops_home h;
	int status = iouops_find_home(&h);

	return status ? status :
	       iouops_exec_script(&h, "get-kernel", NULL, 0, argc, argv);
}
