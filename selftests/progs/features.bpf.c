// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel feature probes (iou_has_kfunc, iou_has_field) and what loading
 * says when a program uses, unguarded, something the kernel lacks.
 * `mode` picks the code; the other branches are dead once it is frozen,
 * so the verifier never sees them:
 *   0: probe a missing and a present kfunc and field, report the results
 *   1: call a missing kfunc unguarded (the load must fail naming it)
 *   2: read a missing struct member unguarded (likewise)
 */
#include "iouops.bpf.h"

char LICENSE[] SEC("license") = "GPL";

const volatile int mode;

extern int bpf_iouops_no_such_kfunc(void) __weak __ksym;

/* A member no kernel has, as a program built for a newer one would. */
struct iou_loop_params___future {
	__u32 cq_wait_idx;
	__u64 timeout_ns;
} __attribute__((preserve_access_index));

IOU_LOOP(features_step)
{
	struct iou_loop_params___future *future = (void *)lp;
	struct iou_ring r;

	if (iou_ring_open(&r, ring))
		return IOU_LOOP_STOP;
	if (mode == 1)
		return iou_exit_done(r.ctl, "kfunc said %d",
				     bpf_iouops_no_such_kfunc());
	if (mode == 2)
		return iou_exit_done(r.ctl, "timeout %llu", future->timeout_ns);
	return iou_exit_done(r.ctl, "missing kfunc %d, field %u; present kfunc %d, field %u",
			     iou_has_kfunc(bpf_iouops_no_such_kfunc),
			     iou_has_field(iou_loop_params___future, timeout_ns),
			     iou_has_kfunc(bpf_io_uring_submit_sqes),
			     iou_has_field(iou_loop_params, cq_wait_idx));
}

IOU_OPS(features_ops, features_step);
