// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * cmd_stat.c - `iouops stat PID [SECS [N]]`: another process's counters,
 * read from its shared region. No syscall reaches the program, so the
 * server keeps running undisturbed.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd.h"

int cmd_stat(int argc, char **argv)
{
	unsigned interval = 0, count = 1, i;
	char line[IOU_REPORT_LEN];
	int kind, status = IOUOPS_EXIT_OK;
	volatile struct iou_ctl *ctl;
	size_t size;
	char *end;
	long pid;
	int err;

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
	err = iou_shm_open_pid((int)pid, &ctl, &size);
	if (err) {
		fprintf(stderr, "iouops: stat %ld: %s\n", pid,
			err == -ESRCH ? "no such process" :
			err == -ENOENT ? "no iouops shared region in that process" :
			err == -EPROTO ? "shared region without the iouops magic" :
			strerror(-err));
		return IOUOPS_EXIT_NOPROC;
	}
	for (i = 0; !count || i < count; i++) {
		if (i) {
			struct timespec ts = { interval, 0 };

			nanosleep(&ts, NULL);
			if (kill((pid_t)pid, 0) && errno == ESRCH)
				break;
		}
		kind = __atomic_load_n(&ctl->exit.kind, __ATOMIC_ACQUIRE);
		printf("pid %ld: %s, steps %llu\n", pid,
		       kind ? iou_exit_kind_str(kind) :
		       ctl->running ? "running" : "not started",
		       (unsigned long long)ctl->steps);
		iouops_print_counters(ctl);
		if (kind && iou_exit_format(ctl, line, sizeof(line)) < 0) {
			printf("%s\n", line);
			status = IOUOPS_EXIT_CORRUPT;
		}
		fflush(stdout);
		if (!interval)
			break;
	}
	iou_shm_close(ctl, size);
	return status;
}
