// SPDX-License-Identifier: GPL-2.0
/*
 * A userspace loader as a user writes one against the installed library:
 * #include <iouops/iouops.h>, built with `pkg-config --cflags --libs iouops`
 * and nothing from the source tree (selftests/install/prep builds it).
 * Runs the `iouops new` program and prints what install.c checks.
 *
 *	loader PROG.bpf.o TOTAL
 */
#include <iouops/iouops.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned long long counter(volatile struct iou_ctl *ctl, const char *name)
{
	for (int i = 0; i < IOU_NR_COUNTERS; i++)
		if (!strncmp((const char *)ctl->counters[i].name, name,
			     IOU_COUNTER_NAME_LEN))
			return ctl->counters[i].value;
	return ~0ULL;
}

int main(int argc, char **argv)
{
	volatile struct iou_ctl *ctl;
	struct iou_prog *p;
	int err;

	if (argc != 3) {
		fprintf(stderr, "usage: loader PROG.bpf.o TOTAL\n");
		return 2;
	}
	err = iou_prog_open(argv[1], NULL, &p);
	if (err) {
		fprintf(stderr, "open: %s\n", strerror(-err));
		return 1;
	}
	err = iou_prog_set(p, "total", argv[2]);
	if (!err)
		err = iou_prog_load(p);
	if (!err)
		err = iou_prog_attach(p);
	if (!err)
		err = iou_prog_run(p);
	if (err) {
		fprintf(stderr, "stage %d: %s: %s\n", iou_prog_error_stage(p),
			strerror(-err), iou_prog_error_msg(p));
		iou_prog_close(p);
		return 1;
	}
	ctl = iou_prog_ctl(p);
	printf("exit=%s submitted=%llu completed=%llu\n",
	       iou_exit_kind_str(ctl->exit.kind), counter(ctl, "submitted"),
	       counter(ctl, "completed"));
	iou_prog_close(p);
	return 0;
}
