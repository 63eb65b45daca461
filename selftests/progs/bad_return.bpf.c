// SPDX-License-Identifier: GPL-2.0
/*
 * bad_return: loop_step returns 7, neither IOU_LOOP_CONTINUE nor
 * IOU_LOOP_STOP. The verifier accepts it; the kernel ends the enter with
 * -EINVAL after the first step.
 */
#include "iouops.bpf.h"

char LICENSE[] SEC("license") = "GPL";

IOU_LOOP(bad_return_step)
{
	struct iou_ring r;

	(void)lp;
	if (iou_ring_open(&r, ring))	/* counts the step in ctl->steps */
		return IOU_LOOP_STOP;
	return 7;
}

IOU_OPS(bad_return_ops, bad_return_step);
