// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * stat.c - read a running loader's control block from another process.
 *
 * The shared region is a memfd ("iouops-shm", see setup_shm in ring.c):
 * /proc/PID/fd/N links to "/memfd:iouops-shm (deleted)", and opening that
 * link gives the same pages, so a second process sees the counters the
 * program writes, with no syscall to the program or the ring.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "iouops.h"

#define SHM_LINK	"/memfd:" IOU_SHM_MEMFD_NAME

int iou_shm_open_pid(int pid, volatile struct iou_ctl **ctl, size_t *size)
{
	char dir[64], path[320], target[256];
	struct dirent *de;
	struct stat st;
	int err = -ENOENT, fd;
	DIR *d;

	snprintf(dir, sizeof(dir), "/proc/%d/fd", pid);
	d = opendir(dir);
	if (!d)
		return errno == ENOENT ? -ESRCH : -errno;
	while ((de = readdir(d))) {
		ssize_t n;
		void *m;

		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		n = readlink(path, target, sizeof(target) - 1);
		if (n <= 0)
			continue;
		target[n] = '\0';
		if (strncmp(target, SHM_LINK, strlen(SHM_LINK)))
			continue;
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			err = -errno;
			continue;
		}
		if (fstat(fd, &st) || (size_t)st.st_size < sizeof(struct iou_ctl)) {
			close(fd);
			continue;
		}
		/* the control block is all we read: map only its page */
		m = mmap(NULL, sizeof(struct iou_ctl), PROT_READ, MAP_SHARED,
			 fd, 0);
		close(fd);
		if (m == MAP_FAILED) {
			err = -errno;
			continue;
		}
		if (((struct iou_ctl *)m)->magic != IOU_CTL_MAGIC) {
			munmap(m, sizeof(struct iou_ctl));
			err = -EPROTO;
			continue;
		}
		*ctl = m;
		*size = sizeof(struct iou_ctl);
		err = 0;
		break;
	}
	closedir(d);
	return err;
}

void iou_shm_close(volatile struct iou_ctl *ctl, size_t size)
{
	if (ctl)
		munmap((void *)ctl, size);
}
