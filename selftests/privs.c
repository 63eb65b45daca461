// SPDX-License-Identifier: GPL-2.0
/*
 * Privileges around the shared region: `iouops stat` on another user's
 * loader says "permission denied" in one line; the loader's memfd is
 * 0600, and none of its fds (memfd, ring, BPF links and maps, sockets,
 * --src/--dst files) would survive an exec into a child.
 */
#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hostile.h"

#define NOBODY	65534

static int become_nobody(void *arg)
{
	(void)arg;
	if (setgroups(0, NULL) || setgid(NOBODY) || setuid(NOBODY))
		return -errno;
	return 0;
}

TEST_TIMEOUT(privs_stat_other_user, "iouops stat on another user's loader: permission denied, one line", 90)
{
	struct hostile_run r;
	struct st_cmd c;
	char pid[16];
	int st;

	ST_REQUIRE_FEATURE();
	ASSERT_OK(hostile_start(&r, HOSTILE_NOPS));
	ASSERT_OK(hostile_wait_running(&r));
	snprintf(pid, sizeof(pid), "%d", (int)r.cmd.pid);
	st = st_run_cli(&c, become_nobody, NULL, "stat", pid, NULL);
	hostile_cleanup(&r);
	if (st == -EPERM || st == -EACCES)
		return st_skip("cannot become uid %d", NOBODY);
	ASSERT_EQ(IOUOPS_EXIT_NOPROC, st);
	ASSERT_ONE_LINE_ERROR(&c);
	ASSERT_STR_HAS_CASE(c.err, "permission denied");
	ASSERT_EQ(0, strlen(c.out));
	return KSFT_PASS;
}

/* Every fd of PID above 2 is close-on-exec; the memfd is 0600. */
static int check_fds(pid_t pid, int *memfds)
{
	char dir[64], path[320], target[128], line[128];
	struct dirent *de;
	int bad = 0;
	DIR *d;

	*memfds = 0;
	snprintf(dir, sizeof(dir), "/proc/%d/fd", (int)pid);
	d = opendir(dir);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		unsigned long flags = 0;
		struct stat st;
		ssize_t n;
		FILE *f;
		int fd = atoi(de->d_name);

		if (de->d_name[0] == '.' || fd <= 2)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		n = readlink(path, target, sizeof(target) - 1);
		target[n > 0 ? n : 0] = '\0';
		snprintf(path, sizeof(path), "/proc/%d/fdinfo/%s", (int)pid,
			 de->d_name);
		f = fopen(path, "re");
		while (f && fgets(line, sizeof(line), f))
			if (!strncmp(line, "flags:", 6))
				flags = strtoul(line + 6, NULL, 8);
		if (f)
			fclose(f);
		if (!(flags & O_CLOEXEC)) {
			st_diag("fd %d (%s) is inherited across exec", fd,
				target);
			bad++;
		}
		if (!strncmp(target, "/memfd:" IOU_SHM_MEMFD_NAME,
			     strlen("/memfd:" IOU_SHM_MEMFD_NAME))) {
			(*memfds)++;
			snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
			if (stat(path, &st) || (st.st_mode & 07777) != 0600) {
				st_diag("memfd mode %o, want 600",
					(unsigned)(st.st_mode & 07777));
				bad++;
			}
		}
	}
	closedir(d);
	return bad ? -EACCES : 0;
}

TEST_TIMEOUT(privs_fds_cloexec, "loader fds (memfd 0600, ring, links, sockets, files) are close-on-exec in nops, echo, cp, mbox", 120)
{
	static const enum hostile_prog progs[] = { HOSTILE_NOPS, HOSTILE_ECHO,
		HOSTILE_UDP_ECHO, HOSTILE_CP, HOSTILE_MBOX };

	ST_REQUIRE_FEATURE();
	for (size_t i = 0; i < sizeof(progs) / sizeof(progs[0]); i++) {
		static struct hostile_run r;	/* assertions show r.cmd */
		int memfds = 0, err;

		ASSERT_OK(hostile_start(&r, progs[i]));
		err = hostile_wait_running(&r);
		if (!err)
			err = check_fds(r.cmd.pid, &memfds);
		hostile_cleanup(&r);
		if (err)
			st_diag("%s", hostile_prog_names[progs[i]]);
		ASSERT_OK(err);
		ASSERT_EQ(1, memfds);
	}
	return KSFT_PASS;
}
