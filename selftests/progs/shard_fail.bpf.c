// SPDX-License-Identifier: GPL-2.0
/*
 * shard_fail: every shard runs NOPs one at a time until asked to stop,
 * except shard fail_shard, which records an error exit after fail_after
 * steps: the loader must stop the others and name that shard (shards.c,
 * selftests/shards.c). iou_shard is written by the loader.
 */
#include "iouops.bpf.h"

char LICENSE[] SEC("license") = "GPL";

const volatile __u32 iou_shard;		/* which shard this copy is */
const volatile __u32 fail_shard = 1;
const volatile __u32 fail_after = 50;	/* steps */

enum { C_STEPS, NR_COUNTERS };
static const char counter_names[NR_COUNTERS][IOU_COUNTER_NAME_LEN] = {
	"nop_steps",
};

IOU_LOOP(shard_fail_step)
{
	struct io_uring_cqe *cqe;
	struct io_uring_sqe *sqe;
	struct iou_ring r;

	if (iou_ring_open(&r, ring))
		return IOU_LOOP_STOP;
	iou_counters_init(&r, counter_names, NR_COUNTERS);
	iou_for_each_cqe(&r, cqe)
		;
	iou_cq_commit(&r);
	if (iou_stop_requested(&r))
		return iou_exit_stopped(r.ctl, "shard %u asked to stop",
					iou_shard);
	if (iou_shard == fail_shard && r.ctl->steps >= fail_after)
		return iou_exit_error(r.ctl, -EIO, "shard %u fails on purpose",
				      iou_shard);
	sqe = iou_get_sqe(&r);
	if (!sqe)
		return iou_exit_error(r.ctl, -ENOSPC, "SQ full");
	iou_prep_nop(sqe, 0);
	if (iou_submit(&r) != 1)
		return iou_exit_error(r.ctl, -EIO, "submit failed");
	iou_count(&r, C_STEPS, 1);
	return iou_step_wait(&r, lp, 1);
}

IOU_OPS(shard_fail_ops, shard_fail_step);
