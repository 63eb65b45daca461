// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * stat.c - read a running loader's control blocks from another process.
 *
 * A shared region is a memfd ("iouops-shm", or "iouops-shm.N" for shard
 * N, see setup_shm in ring.c): /proc/PID/fd/N links to
 * "/memfd:iouops-shm.0 (deleted)", and opening that link gives the same
 * pages, so a second process sees the counters the program writes, with
 * no syscall to the program or the ring.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "iouops.h"

#define SHM_LINK	"/memfd:" IOU_SHM_MEMFD_NAME

/* Which region a link target names: -1 a plain one, N shard N; -2 none
 * of ours ("iouops-shmX", "iouops-shm.N" with junk after N). */
static int shard_of(const char *target)
{
	const char *s = target + strlen(SHM_LINK);
	char *end;
	long n;

	if (strncmp(target, SHM_LINK, strlen(SHM_LINK)))
		return -2;
	if (!*s || *s == ' ')
		return -1;
	if (*s != '.' || s[1] < '0' || s[1] > '9')
		return -2;
	n = strtol(s + 1, &end, 10);
	if ((*end && *end != ' ') || n > IOU_SHARDS_MAX)
		return -2;
	return (int)n;
}

/* Map the control block of /proc/PID/fd/NAME read-only: 0, -errno, or
 * -EPROTO without the magic. */
static int map_ctl(const char *path, volatile struct iou_ctl **ctl)
{
	struct stat st;
	void *m;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) || (size_t)st.st_size < sizeof(struct iou_ctl)) {
		close(fd);
		return -ENOENT;
	}
	/* the control block is all we read: map only its page */
	m = mmap(NULL, sizeof(struct iou_ctl), PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (m == MAP_FAILED)
		return -errno;
	if (((struct iou_ctl *)m)->magic != IOU_CTL_MAGIC) {
		munmap(m, sizeof(struct iou_ctl));
		return -EPROTO;
	}
	*ctl = m;
	return 0;
}

static int by_shard(const void *a, const void *b)
{
	const struct iou_shm_view *x = a, *y = b;

	return (x->shard > y->shard) - (x->shard < y->shard);
}

int iou_shm_open_pid_all(int pid, struct iou_shm_view *views, size_t max)
{
	char dir[64], path[320], target[256];
	size_t n = 0;
	struct dirent *de;
	int err = -ENOENT;
	DIR *d;

	snprintf(dir, sizeof(dir), "/proc/%d/fd", pid);
	d = opendir(dir);
	if (!d)
		return errno == ENOENT ? -ESRCH : -errno;
	while (n < max && (de = readdir(d))) {
		volatile struct iou_ctl *ctl = NULL;
		ssize_t len;
		int shard, e;

		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		len = readlink(path, target, sizeof(target) - 1);
		if (len <= 0)
			continue;
		target[len] = '\0';
		shard = shard_of(target);
		if (shard < -1)
			continue;
		e = map_ctl(path, &ctl);
		if (e) {
			err = e;
			continue;
		}
		views[n].ctl = ctl;
		views[n].size = sizeof(struct iou_ctl);
		views[n++].shard = shard;
	}
	closedir(d);
	if (!n)
		return err;
	qsort(views, n, sizeof(*views), by_shard);
	return (int)n;
}

void iou_shm_close_all(struct iou_shm_view *views, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		iou_shm_close(views[i].ctl, views[i].size);
}

int iou_shm_open_pid(int pid, volatile struct iou_ctl **ctl, size_t *size)
{
	struct iou_shm_view *views = calloc(IOU_SHARDS_MAX + 1, sizeof(*views));
	int n;

	if (!views)
		return -ENOMEM;
	n = iou_shm_open_pid_all(pid, views, IOU_SHARDS_MAX + 1);
	if (n > 0) {
		*ctl = views[0].ctl;
		*size = views[0].size;
		iou_shm_close_all(views + 1, (size_t)n - 1);
	}
	free(views);
	return n > 0 ? 0 : n;
}

void iou_shm_close(volatile struct iou_ctl *ctl, size_t size)
{
	if (ctl)
		munmap((void *)ctl, size);
}
