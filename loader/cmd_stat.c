// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * cmd_stat.c - `iouops stat PID [SECS [N]]`: another process's counters,
 * read from its shared region. No syscall reaches the program, so the
 * server keeps running undisturbed. A process running shards has a
 * region per shard: a line per shard ("shard N: ...") and their total.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd.h"

/* One control block's state line and counters; false when its exit
 * record is corrupt (printed). */
static bool show(long pid, const struct iou_shm_view *v, char *prefix,
		 size_t len)
{
	char line[IOU_REPORT_LEN], who[48];
	int kind = __atomic_load_n(&v->ctl->exit.kind, __ATOMIC_ACQUIRE);
	bool ok = true;

	prefix[0] = '\0';
	who[0] = '\0';
	if (v->shard >= 0) {
		snprintf(prefix, len, "shard %d: ", v->shard);
		snprintf(who, sizeof(who), " shard %d", v->shard);
	}
	printf("pid %ld%s: %s, steps %llu\n", pid, who,
	       kind ? iou_exit_kind_str(kind) :
	       v->ctl->running ? "running" : "not started",
	       (unsigned long long)v->ctl->steps);
	iouops_print_counters(prefix, v->ctl);
	if (kind && iou_exit_format(v->ctl, line, sizeof(line)) < 0) {
		printf("%s%s\n", prefix, line);
		ok = false;
	}
	return ok;
}

static int show_all(long pid, const struct iou_shm_view *views, size_t n)
{
	volatile struct iou_ctl *ctls[IOU_SHARDS_MAX + 1];
	unsigned long long steps = 0;
	int status = IOUOPS_EXIT_OK;
	char prefix[32];
	size_t i;

	for (i = 0; i < n; i++) {
		if (!show(pid, &views[i], prefix, sizeof(prefix)))
			status = IOUOPS_EXIT_CORRUPT;
		ctls[i] = views[i].ctl;
		steps += views[i].ctl->steps;
	}
	if (n > 1 || views[0].shard >= 0) {
		printf("pid %ld total (%zu shards): steps %llu\n", pid, n, steps);
		iouops_print_total(ctls, n);
	}
	return status;
}

int cmd_stat(int argc, char **argv)
{
	unsigned interval = 0, count = 1, i;
	int status = IOUOPS_EXIT_OK, n;
	struct iou_shm_view *views;
	char *end;
	long pid;

	if (argc < 2 || argc > 4) {
		fprintf(stderr, "iouops: usage: iouops stat PID [SECS [N]]\n");
		return IOUOPS_EXIT_USAGE;
	}
	errno = 0;
	pid = strtol(argv[1], &end, 10);
	if (errno || *end || pid <= 0 || pid > INT_MAX ||
	    (argc > 2 && iouops_parse_uint("stat SECS", argv[2], &interval)) ||
	    (argc > 3 && iouops_parse_uint("stat N", argv[3], &count))) {
		fprintf(stderr, "iouops: stat: '%s' is not a process id\n",
			argv[1]);
		return IOUOPS_EXIT_USAGE;
	}
	if (argc == 3)
		count = 0;	/* SECS alone: until the process goes away */
	views = calloc(IOU_SHARDS_MAX + 1, sizeof(*views));
	if (!views) {
		fprintf(stderr, "iouops: stat: %s\n", strerror(ENOMEM));
		return IOUOPS_EXIT_FAIL;
	}
	n = iou_shm_open_pid_all((int)pid, views, IOU_SHARDS_MAX + 1);
	if (n < 0) {
		fprintf(stderr, "iouops: stat %ld: %s\n", pid,
			n == -ESRCH ? "no such process" :
			n == -ENOENT ? "no iouops shared region in that process" :
			n == -EPROTO ? "shared region without the iouops magic" :
			strerror(-n));
		free(views);
		return IOUOPS_EXIT_NOPROC;
	}
	for (i = 0; !count || i < count; i++) {
		if (i) {
			struct timespec ts = { interval, 0 };

			nanosleep(&ts, NULL);
			if (kill((pid_t)pid, 0) && errno == ESRCH)
				break;
		}
		if (show_all(pid, views, (size_t)n))
			status = IOUOPS_EXIT_CORRUPT;
		fflush(stdout);
		if (!interval)
			break;
	}
	iou_shm_close_all(views, (size_t)n);
	free(views);
	return status;
}
