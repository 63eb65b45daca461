// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Raw io_uring syscalls: each returns the result or -errno. */
#include <errno.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "uring.h"

int iou_sys_setup(unsigned entries, struct io_uring_params *p)
{
	long ret = syscall(__NR_io_uring_setup, entries, p);

	return ret < 0 ? -errno : (int)ret;
}

/* With BPF ops attached every enter runs the loop; the arguments are
 * ignored by the kernel, so none are passed. */
int iou_sys_enter(int fd)
{
	long ret = syscall(__NR_io_uring_enter, fd, 0, 0, 0, NULL, 0);

	return ret < 0 ? -errno : (int)ret;
}

int iou_sys_register(int fd, unsigned opcode, void *arg, unsigned nr_args)
{
	long ret = syscall(__NR_io_uring_register, fd, opcode, arg, nr_args);

	return ret < 0 ? -errno : (int)ret;
}
