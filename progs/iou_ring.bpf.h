/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * iou_ring.bpf.h - the frame of a loop program (BPF side only): the
 * IOU_LOOP() callback and IOU_OPS() map it is attached through, the
 * globals the loader fills before load (iou_layout, iou_res), and the
 * per-step view of the ring that iou_ring_open() maps and every other
 * helper takes (struct iou_ring).
 */
#ifndef IOU_RING_BPF_H
#define IOU_RING_BPF_H

#include "iou_common.bpf.h"
#include "iou_uapi.bpf.h"
#include "iou_exit.bpf.h"

/*
 * The ring geometry (struct iou_layout in iouops_shared.h). The loader
 * writes it before load; .rodata is frozen then, so the verifier treats
 * every field as a known constant: region sizes, masks, ring offsets.
 */
const volatile struct iou_layout iou_layout;

/*
 * Resources the loader creates for the program (see struct iou_res in
 * iouops_shared.h). A program that needs them defines it again with an
 * initializer (C merges the two definitions):
 *
 *	const volatile struct iou_res iou_res = { .bufs = 1024, .buf_size = 4096 };
 *
 * Left all zero, the loader creates nothing. Its out fields (bufring_off,
 * bufs_off) and a files_var-resolved `files` are verifier constants.
 */
const volatile struct iou_res iou_res;

/*
 * Define a loop callback: IOU_LOOP(name) { ... } with two arguments:
 * `ring` (struct iou_ctx *, for iou_ring_open) and `lp` (the loop params;
 * only lp->cq_wait_idx is writable). BPF_PROG reserves the name `ctx`.
 * The body returns IOU_LOOP_CONTINUE (run another step, after waiting as
 * lp->cq_wait_idx says) or IOU_LOOP_STOP (end the io_uring_enter());
 * any other value makes io_uring_enter() fail with -EINVAL. Declared
 * sleepable (struct_ops.s), which bpf_io_uring_submit_sqes() needs.
 */
#define IOU_LOOP(name)							\
	static __always_inline int					\
	____iou_##name(struct iou_ctx *ring, struct iou_loop_params *lp); \
	SEC("struct_ops.s/" #name)					\
	int BPF_PROG(name, struct iou_ctx *ring, struct iou_loop_params *lp) \
	{								\
		(void)ctx;						\
		return ____iou_##name(ring, lp);			\
	}								\
	static __always_inline int					\
	____iou_##name(struct iou_ctx *ring, struct iou_loop_params *lp)

/* Define the ops map the loader attaches: IOU_OPS(map_name, loop_fn);
 * exactly one per object. ring_fd is filled in by the loader. */
#define IOU_OPS(map_name, loop_fn)					\
	SEC(".struct_ops.link")						\
	struct io_uring_bpf_ops map_name = {				\
		.loop_step = (void *)loop_fn,				\
	}

/*
 * The positions the helpers advance while a step prepares SQEs and reads
 * CQEs. They live in .bss, not on the stack, on purpose: a value loaded
 * from a map is a fresh unknown scalar to the verifier, so a loop that
 * advances them converges at once, where a stack counter used in ring
 * indexing would be tracked precisely and explored iteration by iteration.
 */
struct iou_cursor {
	__u32 cq_head;		/* local CQ head, published by iou_cq_commit */
	__u32 cq_seen;		/* CQEs visited past cq_head, not yet committed */
	__u32 sq_tail;		/* local SQ tail (classic mode) */
	__u32 sq_pending;	/* SQEs prepared but not yet submitted */
};
struct iou_cursor iou_cursor;

/* Per-step view of the ring, filled by iou_ring_open(). Lives on the BPF
 * stack for one step: its pointers are valid until the step returns. */
struct iou_ring {
	struct iou_ctx *ctx;
	__u8 *rings;		/* IOU_REGION_CQ: heads, tails, CQEs */
	__u8 *sqes;		/* IOU_REGION_SQ: the SQE array */
	struct iou_ctl *ctl;	/* IOU_REGION_MEM at offset 0 */
	__u8 *shm;		/* IOU_REGION_MEM whole (= ctl): iou_shm_all() */
	struct iou_cursor *cur;	/* = &iou_cursor */
};

/* The __u32 at byte `off` of the rings region (a head, tail or flags
 * word). off must come from iou_layout so the verifier can bound it. */
static __always_inline __u32 *iou_ring_u32(struct iou_ring *r, __u32 off)
{
	return (__u32 *)(r->rings + off);
}

/* 1 when the ring was set up with SQ_REWIND (SQEs always from index 0). */
static __always_inline int iou_sq_rewind(void)
{
	return !!(iou_layout.setup_flags & IORING_SETUP_SQ_REWIND);
}

/*
 * Map the regions for this step and load the local ring state.
 * Call it first in every step, with the callback's `ring` argument.
 * Returns 0, or -EFAULT when a region is missing or smaller than the
 * layout says (a loader bug or an unfilled iou_layout); the exit is then
 * recorded when the shared region is available, so the step should just
 * return IOU_LOOP_STOP. Also counts the step in ctl->steps. Region sizes
 * are the constants iou_layout.rings_size/sqes_size/mem_size: the
 * verifier bounds every later access by them.
 * The first step also stamps ctl->first_step_ns (for load-cost timing).
 *
 * Three kfunc calls per step, no more: the shared region is looked up
 * once, whole, and serves both r->ctl and iou_shm_all(); in SQ_REWIND
 * mode the SQ tail is not read (the kernel ignores it). The pointers
 * cannot be kept across steps: the verifier lets a program store a
 * region pointer in a global only as a plain number, which it then
 * refuses to dereference (PTR_TO_MEM is not a kptr), so every step maps
 * the regions again.
 */
static __always_inline int iou_ring_open(struct iou_ring *r,
					 struct iou_ctx *ctx)
{
	r->ctx = ctx;
	r->cur = &iou_cursor;
	r->cur->sq_pending = 0;
	r->cur->cq_seen = 0;
	/* a verifier constant: an unfilled layout maps nothing */
	r->shm = NULL;
	if (iou_layout.mem_size >= sizeof(struct iou_ctl))
		r->shm = bpf_io_uring_get_region(ctx, IOU_REGION_MEM,
						 iou_layout.mem_size);
	r->ctl = (struct iou_ctl *)r->shm;
	r->rings = bpf_io_uring_get_region(ctx, IOU_REGION_CQ,
					   iou_layout.rings_size);
	r->sqes = bpf_io_uring_get_region(ctx, IOU_REGION_SQ,
					  iou_layout.sqes_size);
	if (!r->rings || !r->sqes || !r->ctl || !iou_layout.cq_entries) {
		__iou_exit(r->ctl, IOU_EXIT_ERROR, -EFAULT,
			   "ring regions missing: was iou_layout filled?");
		return -EFAULT;
	}
	r->cur->cq_head = READ_ONCE(*iou_ring_u32(r, iou_layout.cq_head_off));
	if (!iou_sq_rewind())
		r->cur->sq_tail = READ_ONCE(*iou_ring_u32(r,
						iou_layout.sq_tail_off));
	if (!r->ctl->running) {
		r->ctl->first_step_ns = bpf_ktime_get_ns();
		r->ctl->running = 1;
	}
	r->ctl->steps++;
	return 0;
}

#endif /* IOU_RING_BPF_H */
