/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * iou_shm.bpf.h - talking to userspace through the shared region
 * (IOU_REGION_MEM), with no syscall on either side (BPF side only): the
 * program's own data past the control block and its user addresses for
 * SQEs, stop requests, named counters, and the provided buffer ring the
 * loader places there (iou_res.bufs).
 */
#ifndef IOU_SHM_BPF_H
#define IOU_SHM_BPF_H

#include "iou_ring.bpf.h"

/* Shared memory past the control block (offset IOU_CTL_SIZE), as a
 * `type *`: iou_shm_data(&r, struct mine). sizeof(type) is the constant
 * the verifier bounds accesses by. NULL when the region is smaller than
 * IOU_CTL_SIZE + sizeof(type) (iouops load --shm-size SIZE). */
#define iou_shm_data(r, type) ({					\
	__u8 *___m = bpf_io_uring_get_region((r)->ctx, IOU_REGION_MEM,	\
				IOU_CTL_SIZE + sizeof(type));		\
	type *___d = (void *)0;						\
	if (___m) {							\
		/* keep clang from adding the offset before the NULL	\
		 * check, which the verifier rejects */			\
		asm volatile("" : "+r"(___m));				\
		___d = (type *)(___m + IOU_CTL_SIZE);			\
	}								\
	___d;								\
})

/*
 * Ask the loader for shared memory past the control block:
 * IOU_SHM_NEED(4096, "qd", "bs") = 4096 + qd * bs bytes, with qd and bs
 * as they are after --set (see struct iou_shm_need).
 */
#define IOU_SHM_NEED(_bytes, _mul_a, _mul_b)				\
	const volatile struct iou_shm_need iou_shm_need = {		\
		.bytes = (_bytes), .mul_a = _mul_a, .mul_b = _mul_b,	\
	}

/* The user address of byte `off` of the shared region, for SQE fields
 * that take a user pointer (buffers, futex words). Not checked against
 * the region size: keep off + length <= iou_layout.mem_size, or the
 * request fails (typically -EFAULT in its CQE). */
static __always_inline __u64 iou_shm_uaddr(__u64 off)
{
	return iou_layout.shm_uaddr + off;
}

/* The whole shared region (iou_layout.mem_size bytes, a constant), for
 * the data the loader placed past the control block: buffer rings,
 * buffers. Mapped by iou_ring_open() already (no lookup here); never
 * NULL after it succeeded. */
static __always_inline __u8 *iou_shm_all(struct iou_ring *r)
{
	return r->shm;
}

/* Non-zero when userspace asked the program to stop (Ctrl-C in iouops,
 * iou_prog_request_stop()). The program decides how to wind down. */
static __always_inline int iou_stop_requested(struct iou_ring *r)
{
	return READ_ONCE(r->ctl->stop_req) != 0;
}

/* ---- counters ---- */

/*
 * Name the counters once (idempotent, cheap after the first step):
 * `static const char names[N][IOU_COUNTER_NAME_LEN] = {"submitted", ...};`
 * then iou_counters_init(&r, names, N). N must be a constant
 * <= IOU_NR_COUNTERS (checked at compile time); iouops prints them.
 */
#define iou_counters_init(r, names, n) ({				\
	_Static_assert((n) <= IOU_NR_COUNTERS, "too many counters");	\
	if (!(r)->ctl->counters[0].name[0]) {				\
		for (int ___i = 0; ___i < (n); ___i++)			\
			__builtin_memcpy((r)->ctl->counters[___i].name,	\
					 (names)[___i],			\
					 IOU_COUNTER_NAME_LEN);		\
	}								\
})

/* Add delta to counter idx in shared memory; idx >= IOU_NR_COUNTERS is
 * ignored. Userspace may read it at any time (a plain 64-bit store). */
static __always_inline void iou_count(struct iou_ring *r, __u32 idx,
				      __u64 delta)
{
	if (idx < IOU_NR_COUNTERS)
		WRITE_ONCE(r->ctl->counters[idx].value,
			   r->ctl->counters[idx].value + delta);
}

/* The value of counter idx (0 when idx >= IOU_NR_COUNTERS). */
static __always_inline __u64 iou_counter(struct iou_ring *r, __u32 idx)
{
	return idx < IOU_NR_COUNTERS ? r->ctl->counters[idx].value : 0;
}

/* ---- provided buffer rings ---- */

/*
 * The loader's buffer ring (iou_res.bufs > 0) lives in the shared region:
 * struct io_uring_buf_ring at iou_res.bufring_off, buffer `bid` at
 * iou_res.bufs_off + bid * iou_res.buf_size. The kernel takes buffers at
 * its head; the program gives one back by writing the entry at the tail
 * and then publishing tail + 1, as liburing's io_uring_buf_ring_add/
 * _advance do in userspace. `shm` is iou_shm_all().
 */

/* Offset in the shared region of buffer `bid`'s first byte. */
static __always_inline __u64 iou_buf_off(__u32 bid)
{
	return iou_res.bufs_off + (__u64)(bid & (iou_res.bufs - 1)) *
				  iou_res.buf_size;
}

/* Hand buffer `bid` back to the kernel. */
static __always_inline void iou_bufring_recycle(__u8 *shm, __u32 bid)
{
	__u16 *tailp = (__u16 *)(shm + iou_res.bufring_off +
				 offsetof(struct io_uring_buf, resv));
	__u16 tail = READ_ONCE(*tailp);
	struct io_uring_buf *b;

	b = (struct io_uring_buf *)(shm + iou_res.bufring_off +
		(__u32)(tail & (iou_res.bufs - 1)) * sizeof(struct io_uring_buf));
	/* never b->resv: in entry 0 it is the tail itself */
	b->addr = iou_layout.shm_uaddr + iou_buf_off(bid);
	b->len = iou_res.buf_size;
	b->bid = (__u16)bid;
	iou_barrier();
	WRITE_ONCE(*tailp, (__u16)(tail + 1));
}

#endif /* IOU_SHM_BPF_H */
