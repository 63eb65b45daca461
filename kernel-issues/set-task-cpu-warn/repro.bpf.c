// SPDX-License-Identifier: GPL-2.0
/*
 * Loop program of the set-task-cpu-warn reproducer: every step submits the
 * same NR_SQES SQEs again (IORING_SETUP_SQ_REWIND: always sqes[0..n-1]),
 * IOSQE_ASYNC NOPs that go to io-wq (the first one creates the task's first
 * io-wq worker, from inside loop_step, migration disabled by the sleepable
 * BPF trampoline), then spins for busy_iters iterations; then it sleeps
 * until they have completed (io_loop_wait), so its CPU goes idle.
 */
/* 7.x BTF has unnamed members of named struct types: -fms-extensions */
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wmicrosoft-anon-tag"
#include "vmlinux.h"
#pragma clang diagnostic pop
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

/* set by repro.c before load (.rodata, constants for the verifier) */
const volatile __u32 cq_head_off;	/* io_uring_params.cq_off.head */
const volatile __u32 cq_tail_off;	/* io_uring_params.cq_off.tail */
const volatile __u32 nr_sqes;
const volatile __u64 duration_ns;
const volatile __u32 busy_iters;	/* bpf_loop iterations per step */

/* .bss, read by repro.c after the run */

__u64 steps, errors, submitted;

static long spin(__u64 i, void *sum)
{
	*(__u64 *)sum += i * 2654435761u;
	return 0;
}

SEC("struct_ops.s/loop_step")
int BPF_PROG(loop_step, struct iou_ctx *ring, struct iou_loop_params *lp)
{
	static __u64 start;
	__u8 *rings = bpf_io_uring_get_region(ring, IOU_REGION_CQ,
			(cq_head_off > cq_tail_off ? cq_head_off : cq_tail_off) + 4);
	__u64 now = bpf_ktime_get_ns(), sum = 0;
	int n;

	(void)ctx;
	if (!rings)
		return IOU_LOOP_STOP;
	if (!start)
		start = now;
	if (now - start > duration_ns)
		return IOU_LOOP_STOP;
	/* consume every CQE: the CQ never overflows */
	*(volatile __u32 *)(rings + cq_head_off) = *(volatile __u32 *)(rings + cq_tail_off);
	if (*(volatile __u32 *)(rings + cq_tail_off) == (__u32)submitted) {
		n = bpf_io_uring_submit_sqes(ring, nr_sqes);
		if (n > 0)
			submitted += n;
		if (n != (int)nr_sqes)
			errors++;
	}
	bpf_loop(busy_iters, spin, &sum, 0);
	steps += 1 + (sum & 0);
	lp->cq_wait_idx = submitted;	/* sleep until the reads completed */
	return IOU_LOOP_CONTINUE;
}

SEC(".struct_ops.link")
struct io_uring_bpf_ops ops = {
	.loop_step = (void *)loop_step,
};

char LICENSE[] SEC("license") = "GPL";
