// SPDX-License-Identifier: GPL-2.0
/*
 * An ops struct with a callback no kernel has yet, declared through a
 * CO-RE flavour of io_uring_bpf_ops as a program built for a newer kernel
 * would: the load must fail naming the member, not dump the verifier log.
 */
#include "iouops.bpf.h"

char LICENSE[] SEC("license") = "GPL";

struct io_uring_bpf_ops___future {
	int (*loop_step)(struct iou_ctx *, struct iou_loop_params *);
	__u32 ring_fd;
	void *priv;
	int (*future_gate)(struct iou_ctx *);
};

IOU_LOOP(features_ops_step)
{
	struct iou_ring r;

	(void)lp;
	if (iou_ring_open(&r, ring))
		return IOU_LOOP_STOP;
	return iou_exit_done(r.ctl, "ran");
}

SEC("struct_ops.s/future_gate")
int BPF_PROG(future_gate, struct iou_ctx *c)
{
	(void)ctx;
	(void)c;
	return 0;
}

SEC(".struct_ops.link")
struct io_uring_bpf_ops___future features_ops_future = {
	.loop_step = (void *)features_ops_step,
	.future_gate = (void *)future_gate,
};
