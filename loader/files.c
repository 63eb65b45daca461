// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * files.c - open files for a program and hand it the fds (--in/--out,
 * --src/--dst). The program runs in the loader's task, so an fd number
 * of this process is what its SQEs name; the loader keeps the file open
 * until the program is closed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "loader_internal.h"

/* Kinds of file a program may take: readable data, not directories. */
static int check_kind(const struct stat *st)
{
	if (S_ISDIR(st->st_mode))
		return -EISDIR;
	if (!S_ISREG(st->st_mode) && !S_ISBLK(st->st_mode) &&
	    !S_ISCHR(st->st_mode) && !S_ISFIFO(st->st_mode) &&
	    !S_ISSOCK(st->st_mode))
		return -EINVAL;
	return 0;
}

/* The output must not be one of the inputs: truncating it would
 * destroy the data before the program reads it. */
static int same_as_an_input(struct iou_prog *p, const struct stat *st)
{
	const int *fds;
	size_t i, n = iou_prog_kept_fds(p, &fds);
	struct stat in;

	for (i = 0; i < n; i++) {
		if (fstat(fds[i], &in))
			continue;
		if (in.st_dev == st->st_dev && in.st_ino == st->st_ino &&
		    S_ISREG(st->st_mode))
			return 1;
	}
	return 0;
}

int iou_prog_set_file(struct iou_prog *p, const char *name, const char *path,
		      enum iou_file_mode mode)
{
	char value[16];
	struct stat st;
	int fd, err;

	/* the global first: a typo in NAME must not truncate PATH */
	err = iou_prog_set(p, name, "0");
	if (err)
		return err == -ENOENT ? -ESRCH : err;
	if (mode == IOU_FILE_IN)
		fd = open(path, O_RDONLY | O_CLOEXEC);
	else
		/* no O_TRUNC yet: first make sure it is not an input */
		fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st)) {
		err = -errno;
		goto fail;
	}
	err = check_kind(&st);
	if (err)
		goto fail;
	if (mode == IOU_FILE_OUT) {
		if (same_as_an_input(p, &st)) {
			err = -EEXIST;
			goto fail;
		}
		if (S_ISREG(st.st_mode) && ftruncate(fd, 0)) {
			err = -errno;
			goto fail;
		}
	}
	snprintf(value, sizeof(value), "%d", fd);
	err = iou_prog_set(p, name, value);
	if (err)
		goto fail;
	err = iou_prog_keep_fd(p, fd);
	if (err)
		goto fail;
	return 0;
fail:
	close(fd);
	return err;
}
