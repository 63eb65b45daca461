// SPDX-License-Identifier: GPL-2.0
/* Scratch folders (made in a fixture's setup, removed in its teardown)
 * and the files tests fill them with. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "selftest.h"

#define SCRATCH_PREFIX	"/tmp/iouops-"

int st_mkdtemp(char *dir, size_t len, const char *name)
{
	int n = snprintf(dir, len, SCRATCH_PREFIX "%s.XXXXXX", name);

	if (n < 0 || (size_t)n >= len) {
		if (len)
			dir[0] = '\0';
		return -ENAMETOOLONG;
	}
	if (!mkdtemp(dir)) {
		int err = -errno;

		st_diag("mkdtemp(%s): %s", dir, strerror(-err));
		dir[0] = '\0';
		return err;
	}
	return 0;
}

static int remove_one(const char *path, const struct stat *st, int type,
		      struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if ((type == FTW_DP ? rmdir(path) : unlink(path)) && errno != ENOENT) {
		int err = errno;

		st_diag("removing %s: %s", path, strerror(err));
		return err;	/* ends the walk: nftw() returns it */
	}
	return 0;
}

int st_remove_tree(const char *dir)
{
	int err;

	if (!dir[0])
		return 0;
	/* a teardown may run on a half-set-up `self`: remove only what
	 * st_mkdtemp made, never a path that climbs out of it */
	if (strncmp(dir, SCRATCH_PREFIX, strlen(SCRATCH_PREFIX)) ||
	    strstr(dir, "/..")) {
		st_diag("st_remove_tree(%s): not a scratch folder", dir);
		return -EINVAL;
	}
	if (access(dir, F_OK) && errno == ENOENT)
		return 0;
	err = nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
	return err > 0 ? -err : err ? -errno : 0;
}

int st_write_noise(const char *path, uint64_t size, uint64_t seed)
{
	static uint64_t buf[8192];
	uint64_t done = 0, x = seed * 0x9e3779b97f4a7c15ULL + 1;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	int err = 0;

	if (fd < 0)
		return -errno;
	while (done < size) {
		size_t n = size - done < sizeof(buf) ? size - done : sizeof(buf);

		for (size_t i = 0; i < sizeof(buf) / 8; i++) {	/* xorshift */
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			buf[i] = x;
		}
		if (write(fd, buf, n) != (ssize_t)n) {
			err = -EIO;
			break;
		}
		done += n;
	}
	if (close(fd) && !err)
		err = -errno;
	return err;
}
