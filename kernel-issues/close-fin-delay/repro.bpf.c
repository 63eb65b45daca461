// SPDX-License-Identifier: GPL-2.0
/*
 * Loop program of the close-fin-delay reproducer: submit the SQEs that
 * userspace queued (an IORING_OP_CLOSE of a TCP socket and a read of a
 * pipe), then wait until both have completed.
 */
/* 7.x BTF has unnamed members of named struct types: -fms-extensions */
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wmicrosoft-anon-tag"
#include "vmlinux.h"
#pragma clang diagnostic pop
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

/* set by repro.c before load (.rodata, constants for the verifier) */
const volatile __u32 cq_tail_off;	/* io_uring_params.cq_off.tail */
const volatile __u32 nr_sqes;		/* SQEs queued by userspace */

int submitted;		/* .bss: result of bpf_io_uring_submit_sqes() */
__u32 steps;

SEC("struct_ops.s/loop_step")
int BPF_PROG(loop_step, struct iou_ctx *ring, struct iou_loop_params *lp)
{
	__u8 *rings = bpf_io_uring_get_region(ring, IOU_REGION_CQ, cq_tail_off + 4);
	__u32 tail;

	(void)ctx;
	steps++;
	if (!rings)
		return IOU_LOOP_STOP;
	if (!submitted) {
		submitted = bpf_io_uring_submit_sqes(ring, nr_sqes);
		if (submitted <= 0)
			return IOU_LOOP_STOP;
	}
	tail = *(volatile __u32 *)(rings + cq_tail_off);
	if (tail >= nr_sqes)
		return IOU_LOOP_STOP;
	lp->cq_wait_idx = nr_sqes;	/* sleep until every SQE has completed */
	return IOU_LOOP_CONTINUE;
}

SEC(".struct_ops.link")
struct io_uring_bpf_ops ops = {
	.loop_step = (void *)loop_step,
};

char LICENSE[] SEC("license") = "GPL";
