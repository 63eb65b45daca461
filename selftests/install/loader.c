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

int main(int argc, char **argv)
{
	unsigned long long done = 0;
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
	if (!err)	/* the program's global, read back after the run */
		err = iou_prog_var_read(p, "done", &done, NULL);
	if (err) {
		fprintf(stderr, "stage %d: %s: %s\n", iou_prog_error_stage(p),
			strerror(-err), iou_prog_error_msg(p));
		iou_prog_close(p);
		return 1;
	}
	printf("exit=%s done=%llu\n",
	       iou_exit_kind_str(iou_prog_ctl(p)->exit.kind), done);
	iou_prog_close(p);
	return 0;
}
