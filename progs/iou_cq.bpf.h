/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * iou_cq.bpf.h - reading CQEs and ending a step (BPF side only):
 * iou_for_each_cqe() visits the ready CQEs in a loop the verifier checks
 * once, iou_cq_ready()/iou_cqe_at()/iou_cq_advance() read them by index,
 * iou_cq_commit() gives their slots back to the kernel, and
 * iou_step_wait() ends a step saying how many more CQEs to sleep for.
 */
#ifndef IOU_CQ_BPF_H
#define IOU_CQ_BPF_H

#include "iou_ring.bpf.h"

/* CQEs posted and not yet consumed. To the verifier an unknown number:
 * size loops with iou_cq_ready_bounded(). */
static __always_inline __u32 iou_cq_ready(struct iou_ring *r)
{
	__u32 tail = READ_ONCE(*iou_ring_u32(r, iou_layout.cq_tail_off));

	iou_barrier();
	return tail - r->cur->cq_head;
}

/* The i-th unconsumed CQE (0 = oldest). Always in bounds (masked with
 * cq_mask); whether it was posted is for the caller to check with
 * iou_cq_ready(). On a CQE32 ring (iou_layout.cqe_shift 5) the slots are
 * 32 bytes and iou_cqe32_extra() gives the second half. */
static __always_inline struct io_uring_cqe *iou_cqe_at(struct iou_ring *r,
						       __u32 i)
{
	__u32 idx = (r->cur->cq_head + i) & iou_layout.cq_mask;

	return (struct io_uring_cqe *)(r->rings + iou_layout.cqes_off +
				       (idx << iou_layout.cqe_shift));
}

/* 1 when the ring's CQEs are 32 bytes (IORING_SETUP_CQE32). */
static __always_inline int iou_cqe32(void)
{
	return iou_layout.cqe_shift == 5;
}

/*
 * The second 16 bytes of a 32-byte CQE (big_cqe[0..1]; for RECV_ZC a
 * struct io_uring_zcrx_cqe), or NULL on a ring with 16-byte CQEs. The
 * cqe must come from iou_cqe_at() or iou_for_each_cqe(): the rings
 * region is sized for cq_entries slots of (1 << cqe_shift) bytes, so the
 * verifier proves this half in bounds too.
 */
static __always_inline __u64 *iou_cqe32_extra(struct io_uring_cqe *cqe)
{
	if (!iou_cqe32())
		return NULL;
	return (__u64 *)((__u8 *)cqe + sizeof(struct io_uring_cqe));
}

/* Publish the local CQ head (plus what iou_for_each_cqe visited) so the
 * kernel can reuse the consumed CQE slots. */
static __always_inline void iou_cq_commit(struct iou_ring *r)
{
	r->cur->cq_head += r->cur->cq_seen;
	r->cur->cq_seen = 0;
	iou_barrier();
	WRITE_ONCE(*iou_ring_u32(r, iou_layout.cq_head_off), r->cur->cq_head);
}

/* Consume n CQEs at once (after reading them with iou_cqe_at) and publish
 * the head; n must not exceed iou_cq_ready(). */
static __always_inline void iou_cq_advance(struct iou_ring *r, __u32 n)
{
	r->cur->cq_head += n;
	iou_cq_commit(r);
}

/* iou_cq_ready() capped at cq_entries: a loop bound the verifier accepts. */
static __always_inline __u32 iou_cq_ready_bounded(struct iou_ring *r)
{
	__u32 n = iou_cq_ready(r);

	return n > iou_layout.cq_entries ? iou_layout.cq_entries : n;
}

/*
 * What iou_for_each_cqe needs per CQE, read once when the loop starts: the
 * CQE array, the head, the mask and the count. Locals, not the .bss cursor
 * or the (volatile) iou_layout, so that clang keeps them in registers: the
 * iterator's next() is a call to clang, and every global would be loaded
 * again after it, once per CQE. The head does not move inside the loop,
 * so (head + iterator value) & mask still verifies in one pass.
 */
struct iou_cq_snap {
	__u8 *cqes;
	int *i;		/* the iterator's value */
	struct iou_cursor *cur;
	__u32 head;
	__u32 mask;
	__u64 shift;	/* log2 of the CQE size: 4, or 5 on a CQE32 ring */
	__u32 n;
	__u32 once;
	__u32 seen;	/* visited so far: cur->cq_seen once the loop ends */
};

static __always_inline struct iou_cq_snap iou_cq_snap(struct iou_ring *r)
{
	struct iou_cq_snap s = {
		.cqes = r->rings + iou_layout.cqes_off,
		.cur = r->cur,
		.head = r->cur->cq_head,
		.mask = iou_layout.cq_mask,
		.shift = iou_layout.cqe_shift,
		.n = iou_cq_ready_bounded(r),
		.once = 1,
	};
	/* computed here, once, not again inside the loop */
	barrier_var(s.cqes);
	return s;
}

/* The loop's step: the CQE at index i, counted as visited in the
 * snapshot (a local; the cursor is written once, when the loop ends). */
static __always_inline struct io_uring_cqe *
iou_cq_visit(struct iou_cq_snap *s, __u32 i)
{
	s->seen = i + 1;
	return (struct io_uring_cqe *)(s->cqes +
				       ((__u64)((s->head + i) & s->mask) << s->shift));
}

/* Runs when an iou_for_each_cqe* loop's scope ends (normal end, break or
 * return): one store of what it visited. */
static __always_inline void iou_cq_snap_done(struct iou_cq_snap *s)
{
	s->cur->cq_seen = s->seen;
}

/* Inside an iou_for_each_cqe* body only: leave the current CQE (and, after
 * a `break`, the ones after it) for the next loop or step. */
#define iou_cqe_keep() (___s.seen--)

#define __iou_cq_snap_scope(r)						\
	for (struct iou_cq_snap ___s					\
		__attribute__((cleanup(iou_cq_snap_done))) = iou_cq_snap(r); \
	     ___s.once; ___s.once = 0)

/*
 * Visit, oldest first, every CQE that was ready when the loop started.
 * Visited CQEs count as consumed at the next iou_cq_commit() or
 * iou_step_wait(); after a `break` the ones after the current stay
 * (iou_cqe_keep() leaves the current one too).
 * Built on the bpf_iter_num open-coded iterator (the verifier inlines it),
 * and the CQ index comes from the iterator's value while the head stays
 * fixed, so the verifier checks the body once whatever the ring size. At
 * most cq_entries CQEs per loop; `return` inside the body is fine (the
 * iterator is destroyed). The outer one-pass loop only holds the
 * snapshot; `break` and `continue` act on the inner one as usual.
 */
#define iou_for_each_cqe(r, cqe)					\
	__iou_cq_snap_scope(r)						\
	for (struct bpf_iter_num ___it __attribute__((aligned(8),	\
			cleanup(bpf_iter_num_destroy))),		\
	     *___p __attribute__((unused)) =				\
		(bpf_iter_num_new(&___it, 0, ___s.n), (void *)0);	\
	     (___s.i = bpf_iter_num_next(&___it)) &&			\
	     ((cqe) = iou_cq_visit(&___s, *___s.i), 1);)

/*
 * The same for small loop bodies, as a plain loop with no iterator call:
 * nothing is spilled around a call, so the snapshot stays in registers
 * (nops: fewer instructions per CQE than iou_for_each_cqe). The verifier
 * walks it iteration by iteration, so it visits at most IOU_CQ_BATCH
 * (256) CQEs per loop, the rest in the next loop or step, and suits
 * bodies of a few dozen instructions without calls to other loops.
 */
#define IOU_CQ_BATCH	256
#define iou_for_each_cqe_batch(r, cqe)					\
	__iou_cq_snap_scope(r)						\
	for (__u64 ___i = 0; ___i < ___s.n && ___i < IOU_CQ_BATCH &&	\
	     ((cqe) = iou_cq_visit(&___s, ___i), 1); ___i++)

/*
 * End a step that wants to sleep until `nr` more CQEs arrive (0: do not
 * sleep, run the next step at once). Publishes the CQ head first.
 * Wake-ups are a hint: the kernel may call the next step earlier.
 * Returns IOU_LOOP_CONTINUE, for `return iou_step_wait(&r, lp, 1);`.
 */
static __always_inline int iou_step_wait(struct iou_ring *r,
					 struct iou_loop_params *lp, __u32 nr)
{
	iou_cq_commit(r);
	lp->cq_wait_idx = r->cur->cq_head + nr;
	return IOU_LOOP_CONTINUE;
}

#endif /* IOU_CQ_BPF_H */
