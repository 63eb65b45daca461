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

/* Start PROG with its workload and wait for its first loop step. */
static int start_running(struct hostile_run *r,
			 const struct hostile_fixture *h, enum hostile_prog prog)
{
	ASSERT_OK(hostile_start(r, h, prog));
	ASSERT_OK(hostile_wait_running(r));
	return 0;
}

/* A loader running nops, the suite's user's. */
FIXTURE(privs) {
	struct hostile_fixture h;
	struct hostile_run r;
};

FIXTURE_SETUP(privs)
{
	int ret = hostile_setup(&self->h);	/* or a skip */

	return ret ? ret : start_running(&self->r, &self->h, HOSTILE_NOPS);
}

FIXTURE_TEARDOWN(privs)
{
	return hostile_teardown(&self->h);
}

TEST_F_TIMEOUT(privs, stat_other_user, "iouops stat on another user's loader: permission denied, one line", 90)
{
	struct st_cmd c;
	char pid[16];
	int st;

	snprintf(pid, sizeof(pid), "%d", (int)self->r.cmd.pid);
	st = st_run_cli(&c, become_nobody, NULL, "stat", pid, NULL);
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

/* Each shipped program, running with its workload. */
FIXTURE(privs_fds) {
	struct hostile_fixture h;
	struct hostile_run r;
};

FIXTURE_VARIANT(privs_fds) {
	enum hostile_prog prog;
};

FIXTURE_VARIANT_ADD(privs_fds, nops) { HOSTILE_NOPS };
FIXTURE_VARIANT_ADD(privs_fds, echo) { HOSTILE_ECHO };
FIXTURE_VARIANT_ADD(privs_fds, udp_echo) { HOSTILE_UDP_ECHO };
FIXTURE_VARIANT_ADD(privs_fds, cp) { HOSTILE_CP };
FIXTURE_VARIANT_ADD(privs_fds, mbox) { HOSTILE_MBOX };

FIXTURE_SETUP(privs_fds)
{
	int ret = hostile_setup(&self->h);	/* or a skip */

	return ret ? ret : start_running(&self->r, &self->h, variant->prog);
}

FIXTURE_TEARDOWN(privs_fds)
{
	return hostile_teardown(&self->h);
}

TEST_F_TIMEOUT(privs_fds, cloexec, "loader fds (memfd 0600, ring, links, sockets, files) are close-on-exec", 60)
{
	int memfds = 0;

	ASSERT_OK(check_fds(self->r.cmd.pid, &memfds));
	ASSERT_EQ(1, memfds);
	return KSFT_PASS;
}
