// SPDX-License-Identifier: GPL-2.0
/*
 * bad_verifier: indexes the SQE array with the SQ tail it reads from the
 * ring, without masking it with iou_layout.sq_mask. The verifier cannot
 * bound the index and must reject the program.
 */
#include "iouops.bpf.h"

char LICENSE[] SEC("license") = "GPL";

IOU_LOOP(bad_verifier_step)
{
	__u8 *rings, *sqes;
	__u32 tail;

	(void)lp;
	rings = bpf_io_uring_get_region(ring, IOU_REGION_CQ,
					iou_layout.rings_size);
	sqes = bpf_io_uring_get_region(ring, IOU_REGION_SQ,
				       iou_layout.sqes_size);
	if (!rings || !sqes)
		return IOU_LOOP_STOP;
	tail = READ_ONCE(*(__u32 *)(rings + iou_layout.sq_tail_off));
	/* BUG on purpose: should be (tail & iou_layout.sq_mask) */
	sqes[tail * iou_layout.sqe_size] = IORING_OP_NOP;
	return IOU_LOOP_STOP;
}

IOU_OPS(bad_verifier_ops, bad_verifier_step);
