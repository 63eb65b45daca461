/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * iou_sq.bpf.h - getting SQEs and submitting them (BPF side only): one at
 * a time with iou_get_sqe(), a batch with iou_sq_claim() + iou_sqe() in
 * an iou_for_n() loop, then iou_submit(). Works in both ring modes: with
 * IORING_SETUP_SQ_REWIND and with the classic SQ head/tail. Filling the
 * SQEs is iou_prep.bpf.h's job.
 */
#ifndef IOU_SQ_BPF_H
#define IOU_SQ_BPF_H

#include "iou_ring.bpf.h"

/* SQEs prepared and not yet submitted. */
static __always_inline __u32 iou_sq_pending(struct iou_ring *r)
{
	return r->cur->sq_pending;
}

/* SQEs that can still be prepared in this step: sq_entries minus the
 * pending ones (SQ_REWIND) or minus those the kernel has not consumed. */
static __always_inline __u32 iou_sq_space(struct iou_ring *r)
{
	__u32 head;

	if (iou_sq_rewind())
		return iou_layout.sq_entries - r->cur->sq_pending;
	head = READ_ONCE(*iou_ring_u32(r, iou_layout.sq_head_off));
	return iou_layout.sq_entries - (r->cur->sq_tail - head);
}

/*
 * Next free SQE, zeroed, or NULL when the SQ is full. With SQ_REWIND the
 * SQEs of a batch are sqes[0..n-1]; otherwise the classic head/tail ring
 * (and the SQ index array when the ring has one). The index is masked
 * with iou_layout.sq_mask, so any number of calls (e.g. in bpf_for)
 * verifies; check for NULL before use. It reads each cursor field and
 * the ring mode once: per SQE, this is much of what a loop spends besides
 * the kernel's own work (for batches, iou_sq_claim() + iou_sqe()).
 */
static __always_inline struct io_uring_sqe *iou_get_sqe(struct iou_ring *r)
{
	struct iou_cursor *c = r->cur;
	struct io_uring_sqe *sqe;
	__u32 pending = c->sq_pending, idx;

	if (iou_sq_rewind()) {
		if (pending >= iou_layout.sq_entries)
			return NULL;
		idx = pending;
	} else {
		idx = c->sq_tail;
		if (idx - READ_ONCE(*iou_ring_u32(r, iou_layout.sq_head_off)) >=
		    iou_layout.sq_entries)
			return NULL;
		c->sq_tail = idx + 1;
		idx &= iou_layout.sq_mask;
		if (iou_layout.sq_array_off) {
			__u32 *array = iou_ring_u32(r, iou_layout.sq_array_off +
						       idx * sizeof(__u32));
			*array = idx;
		}
	}
	c->sq_pending = pending + 1;
	idx &= iou_layout.sq_mask;
	sqe = (struct io_uring_sqe *)(r->sqes + idx * iou_layout.sqe_size);
	__builtin_memset(sqe, 0, sizeof(*sqe));
	return sqe;
}

/*
 * A batch of SQEs in two calls, for loops that know how many they want:
 *
 *	n = min(want, iou_sq_space(&r));
 *	first = iou_sq_claim(&r, n);
 *	iou_for_n(i, n)
 *		iou_prep_nop(iou_sqe(&r, first + i), ...);
 *
 * The same SQEs as n calls of iou_get_sqe(), for less per SQE: the cursor
 * and the free space are handled once, and the index (first + iterator
 * value) verifies in one pass. n must not exceed iou_sq_space().
 */
static __always_inline __u32 iou_sq_claim(struct iou_ring *r, __u32 n)
{
	struct iou_cursor *c = r->cur;
	__u32 first;

	if (iou_sq_rewind()) {
		first = c->sq_pending;
	} else {
		first = c->sq_tail;
		c->sq_tail = first + n;
	}
	c->sq_pending += n;
	return first;
}

/*
 * for (i = 0; i < n; i++), on the open-coded iterator like bpf_for(i, 0, n)
 * but without bpf_for's range re-check of i on every pass (6 instructions
 * that only help the verifier bound i): for loops that mask their index
 * anyway, such as filling a claimed SQE batch with iou_sqe(r, first + i).
 */
#define iou_for_n(i, n)							\
	for (struct bpf_iter_num ___it __attribute__((aligned(8),	\
			cleanup(bpf_iter_num_destroy))),		\
	     *___p __attribute__((unused)) =				\
		(bpf_iter_num_new(&___it, 0, (n)), (void *)0);		\
	     ({ int *___t = bpf_iter_num_next(&___it);			\
		___t && ((i) = *___t, 1); });)

/* SQE `idx` of a claimed batch, zeroed (always in bounds). */
static __always_inline struct io_uring_sqe *iou_sqe(struct iou_ring *r,
						    __u32 idx)
{
	struct io_uring_sqe *sqe;

	idx &= iou_layout.sq_mask;
	if (iou_layout.sq_array_off) {
		__u32 *array = iou_ring_u32(r, iou_layout.sq_array_off +
					       idx * sizeof(__u32));
		*array = idx;
	}
	sqe = (struct io_uring_sqe *)(r->sqes + idx * iou_layout.sqe_size);
	__builtin_memset(sqe, 0, sizeof(*sqe));
	return sqe;
}

/*
 * A claimed batch with the ring geometry read once: the SQE array, the
 * mask, the SQE size and whether the ring has an SQ index array. Locals,
 * so that a loop filling the batch keeps them in registers instead of
 * loading the (volatile) iou_layout again for every SQE:
 *
 *	struct iou_sq_batch b = iou_sq_batch(&r, n);	// claims n
 *	for (i = 0; i < n && i < IOU_SQ_BATCH; i++)
 *		iou_prep_nop(iou_batch_sqe(&b, i), ...);
 *
 * A plain loop as above suits small bodies (the verifier walks it pass by
 * pass, hence the bound); with iou_for_n() any n up to sq_entries works.
 * n must not exceed iou_sq_space().
 */
#define IOU_SQ_BATCH	256
struct iou_sq_batch {
	__u8 *sqes;
	__u32 first;
	__u32 mask;
	__u32 sqe_size;
};

static __always_inline struct iou_sq_batch iou_sq_batch(struct iou_ring *r,
							__u32 n)
{
	struct iou_sq_batch b = {
		.sqes = r->sqes,
		.first = iou_sq_claim(r, n),
		.mask = iou_layout.sq_mask,
		.sqe_size = iou_layout.sqe_size,
	};
	__u32 idx;
	int i;

	/* the SQ index array (a ring without NO_SQARRAY) is filled here,
	 * in its own loop, so that the fill loop has no branch for it */
	if (iou_layout.sq_array_off) {
		bpf_for(i, 0, (int)n) {
			idx = (b.first + i) & b.mask;
			*iou_ring_u32(r, iou_layout.sq_array_off +
				      idx * sizeof(__u32)) = idx;
		}
	}
	return b;
}

/* SQE i of the batch (first + i, masked: always in bounds), zeroed. */
static __always_inline struct io_uring_sqe *
iou_batch_sqe(const struct iou_sq_batch *b, __u32 i)
{
	struct io_uring_sqe *sqe;

	sqe = (struct io_uring_sqe *)(b->sqes + ((b->first + i) & b->mask) *
				      b->sqe_size);
	__builtin_memset(sqe, 0, sizeof(*sqe));
	return sqe;
}

/*
 * Hand the prepared SQEs to the kernel. Returns how many it consumed (0
 * when none were pending), fewer when one failed to submit (it posts an
 * error CQE; the ones after it are not submitted), or -EAGAIN when no
 * request could be allocated.
 * Errors of the requests themselves arrive in their CQEs.
 * In SQ_REWIND mode SQEs it did not consume are dropped; in classic mode
 * they stay in the SQ for the next submit.
 */
static __always_inline int iou_submit(struct iou_ring *r)
{
	__u32 nr = r->cur->sq_pending;

	if (!nr)
		return 0;
	if (!iou_sq_rewind()) {
		iou_barrier();
		WRITE_ONCE(*iou_ring_u32(r, iou_layout.sq_tail_off),
			   r->cur->sq_tail);
	}
	r->cur->sq_pending = 0;
	return bpf_io_uring_submit_sqes(r->ctx, nr);
}

#endif /* IOU_SQ_BPF_H */
