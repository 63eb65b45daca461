// SPDX-License-Identifier: GPL-2.0
/*
 * ignore_stop: one NOP at a time, forever; never looks at ctl->stop_req.
 * A loader asked to stop it politely (first SIGINT) must keep waiting;
 * only a forced stop (second SIGINT) gets rid of it. Used by sigint.c.
 */
#include "iouops.bpf.h"

char LICENSE[] SEC("license") = "GPL";

enum { C_SUBMITTED, C_COMPLETED, NR_COUNTERS };
static const char counter_names[NR_COUNTERS][IOU_COUNTER_NAME_LEN] = {
	"submitted", "completed",
};

IOU_LOOP(ignore_stop_step)
{
	struct io_uring_cqe *cqe;
	struct io_uring_sqe *sqe;
	struct iou_ring r;
	int ret;

	if (iou_ring_open(&r, ring))
		return IOU_LOOP_STOP;
	iou_counters_init(&r, counter_names, NR_COUNTERS);

	iou_for_each_cqe(&r, cqe)
		iou_count(&r, C_COMPLETED, 1);
	iou_cq_commit(&r);

	sqe = iou_get_sqe(&r);
	if (!sqe)
		return iou_exit_error(r.ctl, -ENOSPC, "SQ full");
	iou_prep_nop(sqe, 0);
	ret = iou_submit(&r);
	if (ret != 1)
		return iou_exit_error(r.ctl, ret < 0 ? ret : -EIO,
				      "submit returned %d", ret);
	iou_count(&r, C_SUBMITTED, 1);
	return iou_step_wait(&r, lp, 1);
}

IOU_OPS(ignore_stop_ops, ignore_stop_step);
