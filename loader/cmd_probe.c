// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* cmd_probe.c - `iouops probe`: does this kernel have io_uring BPF ops
 * (and device-less zcrx)? */
#include <stdio.h>

#include "cmd.h"

int cmd_probe(int argc, char **argv)
{
	char why[256];

	(void)argv;
	if (argc != 1) {
		fprintf(stderr, "iouops: probe takes no arguments (see 'iouops --help')\n");
		return IOUOPS_EXIT_USAGE;
	}
	if (iou_probe_kernel(why, sizeof(why))) {
		fprintf(stderr, "iouops: %s\n", why);
		return IOUOPS_EXIT_NOKERNEL;
	}
	printf("io_uring BPF ops: yes (struct io_uring_bpf_ops, "
	       "bpf_io_uring_submit_sqes, bpf_io_uring_get_region, "
	       "DEFER_TASKRUN rings)\n");
	/* optional: only --zcrx needs it */
	if (iou_probe_zcrx(why, sizeof(why)))
		printf("zcrx (device-less, --zcrx): no: %s\n", why);
	else
		printf("zcrx (device-less, --zcrx): yes (ZCRX_REG_NODEV, "
		       "ZCRX_CTRL_FLUSH_RQ)\n");
	printf("timeouts in the SQE: %s (IORING_TIMEOUT_IMMEDIATE_ARG)\n",
	       iou_kernel_has_timeout_imm() ? "yes" : "no, timespec");
	return IOUOPS_EXIT_OK;
}
