/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * iouops.bpf.h - helpers for io_uring BPF loop programs (BPF side only).
 *
 * A loop program is a sleepable struct_ops io_uring_bpf_ops whose
 * loop_step() the kernel calls over and over inside one io_uring_enter().
 * A step typically:
 *
 *	struct iou_ring r;
 *	if (iou_ring_open(&r, ring))		   // map SQ, CQ and shared memory
 *		return IOU_LOOP_STOP;		   // (exit already recorded)
 *	iou_for_each_cqe(&r, cqe) { ... }	   // consume completions
 *	sqe = iou_get_sqe(&r); iou_prep_nop(sqe, 1);  // queue new work
 *	iou_submit(&r);				   // hand SQEs to the kernel
 *	return iou_step_wait(&r, lp, 1);	   // sleep until 1 more CQE
 *
 * Everything is __always_inline: pointers returned by
 * bpf_io_uring_get_region() are PTR_TO_MEM of a constant size, and keeping
 * them in one function lets the verifier prove every ring access in bounds
 * with the ring masks it reads from the frozen iou_layout.
 *
 * The loader (loader/iouops.h, `iouops load`) fills iou_layout, registers
 * the shared memory region and sets its struct iou_ctl up before attach.
 *
 * Build: clang -g -O2 -target bpf -D__TARGET_ARCH_x86 -fms-extensions
 * -I<dir of this header>; installed, that dir is
 * `pkg-config --variable=bpfincludedir iouops` (`iouops build F.bpf.c`
 * and the Makefile of `iouops new` do it). Errors below are negative
 * errnos; IOU_LOOP_STOP/CONTINUE are what a step returns to the kernel.
 */
#ifndef IOUOPS_BPF_H
#define IOUOPS_BPF_H

/*
 * Since 7.x the kernel is built with -fms-extensions and its BTF has
 * unnamed members of named struct types; vmlinux.h spells them
 * `struct foo;`, which only -fms-extensions reads as a member. Without it
 * struct layouts silently shift.
 */
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wmicrosoft-anon-tag"
struct __iou_ms_probe_a { int a; };
struct __iou_ms_probe_b { struct __iou_ms_probe_a; int b; };
_Static_assert(sizeof(struct __iou_ms_probe_b) == 2 * sizeof(int),
	       "compile loop programs with -fms-extensions (see iouops.bpf.h)");
#include "vmlinux.h"
#pragma clang diagnostic pop
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "iouops_shared.h"

#ifndef EINVAL
#define EPERM		1
#define ENOENT		2
#define EIO		5
#define E2BIG		7
#define EAGAIN		11
#define ENOMEM		12
#define EFAULT		14
#define EBUSY		16
#define EINVAL		22
#define ENOSPC		28
#define ERANGE		34
#define EPROTO		71
#define EOVERFLOW	75
#define ECANCELED	125
#define EISDIR		21
#define EFBIG		27
#define ESPIPE		29
#define EMSGSIZE	90
#define EOPNOTSUPP	95
#define ETIME		62
#endif
#ifndef ENOBUFS
#define EBADF		9
#define ENFILE		23
#define EPIPE		32
#define ENOBUFS		105
#define ECONNRESET	104
#define ETIMEDOUT	110
#endif

/* uapi values that BTF does not carry (they are #defines) */
#define IOU_SETUP_NO_SQARRAY	(1U << 16)
#define IOU_SETUP_SQ_REWIND	(1U << 20)
#define IOU_SQE_IO_LINK		(1U << 2)	/* IOSQE_IO_LINK */
#define IOU_CQE_F_MORE		(1U << 1)	/* IORING_CQE_F_MORE */
#define IOU_CQE_F_BUFFER	(1U << 0)	/* IORING_CQE_F_BUFFER */
#define IOU_CQE_BUFFER_SHIFT	16		/* IORING_CQE_BUFFER_SHIFT */
#define IOU_SQE_BUFFER_SELECT	(1U << 5)	/* IOSQE_BUFFER_SELECT */
#define IOU_FSYNC_DATASYNC	(1U << 0)	/* IORING_FSYNC_DATASYNC */
#define IOU_TIMEOUT_ETIME_SUCCESS (1U << 5)	/* IORING_TIMEOUT_ETIME_SUCCESS */
#define IOU_ASYNC_CANCEL_ALL	(1U << 0)	/* IORING_ASYNC_CANCEL_ALL */
#define IOU_ASYNC_CANCEL_ANY	(1U << 2)	/* IORING_ASYNC_CANCEL_ANY */
#define IOU_RECV_MULTISHOT	(1U << 1)	/* IORING_RECV_MULTISHOT */
#define IOU_FUTEX2_SIZE_U32	0x02		/* FUTEX2_SIZE_U32 */
#define IOU_FUTEX2_PRIVATE	128		/* FUTEX2_PRIVATE */
#define IOU_FUTEX_MATCH_ANY	0xffffffffULL	/* FUTEX_BITSET_MATCH_ANY */
#define IOU_SQE_FIXED_FILE	(1U << 0)	/* IOSQE_FIXED_FILE */
#define IOU_SQ_CQ_OVERFLOW	(1U << 1)	/* IORING_SQ_CQ_OVERFLOW */
#define IOU_FILE_INDEX_ALLOC	(~0U)		/* IORING_FILE_INDEX_ALLOC */
#define IOU_ACCEPT_MULTISHOT	(1U << 0)	/* IORING_ACCEPT_MULTISHOT */
#define IOU_MSG_NOSIGNAL	0x4000		/* MSG_NOSIGNAL */

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

#define READ_ONCE(x)		(*(const volatile typeof(x) *)&(x))
#define WRITE_ONCE(x, v)	(*(volatile typeof(x) *)&(x) = (v))
/*
 * The loop runs in the ring's own task, so the kernel's CQ tail stores and
 * our loads happen in program order on one CPU; on x86 (TSO) a compiler
 * barrier is all that acquire/release need. Other architectures need
 * BPF load-acquire/store-release (clang >= 20).
 */
#define iou_barrier()		asm volatile("" ::: "memory")

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
	return !!(iou_layout.setup_flags & IOU_SETUP_SQ_REWIND);
}

/*
 * Record why the program ends, once (the first record wins). Fills
 * ctl->exit with kind, code, file:line and a printf-style reason (at most
 * 12 arguments, bpf_snprintf rules: %d %u %x %ld %llu %s %p...). Returns
 * IOU_LOOP_STOP so a callback can `return iou_exit(...)`. fmt must be a
 * string literal; the reason is cut at IOU_EXIT_REASON_LEN - 1 bytes.
 * ctl may be NULL (nothing is recorded).
 */
#define __iou_exit(ctl, _kind, _code, fmt, args...) ({			\
	struct iou_ctl *___c = (ctl);					\
	if (___c && !READ_ONCE(___c->exit.kind)) {			\
		___c->exit.code = (_code);				\
		___c->exit.line = __LINE__;				\
		BPF_SNPRINTF(___c->exit.file, sizeof(___c->exit.file),	\
			     "%s", __FILE_NAME__);			\
		BPF_SNPRINTF(___c->exit.reason,				\
			     sizeof(___c->exit.reason), fmt, ##args);	\
		iou_barrier();						\
		WRITE_ONCE(___c->exit.kind, (_kind));			\
	}								\
	IOU_LOOP_STOP;							\
})

/* The work is done: `return iou_exit_done(r.ctl, "copied %llu", n);` */
#define iou_exit_done(ctl, fmt, args...)				\
	__iou_exit(ctl, IOU_EXIT_DONE, 0, fmt, ##args)
/* Userspace asked to stop and the program has wound down. */
#define iou_exit_stopped(ctl, fmt, args...)				\
	__iou_exit(ctl, IOU_EXIT_STOPPED, 0, fmt, ##args)
/* Give up with a negative errno: `return iou_exit_error(r.ctl, -EIO, ...)` */
#define iou_exit_error(ctl, err, fmt, args...)				\
	__iou_exit(ctl, IOU_EXIT_ERROR, (err), fmt, ##args)

/*
 * Map the three regions for this step and load the local ring state.
 * Call it first in every step, with the callback's `ring` argument.
 * Returns 0, or -EFAULT when a region is missing or smaller than the
 * layout says (a loader bug or an unfilled iou_layout); the exit is then
 * recorded when the shared region is available, so the step should just
 * return IOU_LOOP_STOP. Also counts the step in ctl->steps. Region sizes
 * are the constants iou_layout.rings_size/sqes_size and
 * sizeof(struct iou_ctl): the verifier bounds every later access by them.
 * The first step also stamps ctl->first_step_ns (for load-cost timing).
 */
static __always_inline int iou_ring_open(struct iou_ring *r,
					 struct iou_ctx *ctx)
{
	r->ctx = ctx;
	r->cur = &iou_cursor;
	r->cur->sq_pending = 0;
	r->cur->cq_seen = 0;
	r->ctl = (struct iou_ctl *)bpf_io_uring_get_region(ctx,
			IOU_REGION_MEM, sizeof(struct iou_ctl));
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
	r->cur->sq_tail = READ_ONCE(*iou_ring_u32(r, iou_layout.sq_tail_off));
	if (!r->ctl->running) {
		r->ctl->first_step_ns = bpf_ktime_get_ns();
		r->ctl->running = 1;
	}
	r->ctl->steps++;
	return 0;
}

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
 * buffers. NULL when the region is missing. */
static __always_inline __u8 *iou_shm_all(struct iou_ring *r)
{
	return bpf_io_uring_get_region(r->ctx, IOU_REGION_MEM,
				       iou_layout.mem_size);
}

/* Non-zero when userspace asked the program to stop (Ctrl-C in iouops,
 * iou_prog_request_stop()). The program decides how to wind down. */
static __always_inline int iou_stop_requested(struct iou_ring *r)
{
	return READ_ONCE(r->ctl->stop_req) != 0;
}

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

/* ---- submission ---- */

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

/* ---- SQE preparation ---- */

/* 64-bit words of an SQE; may_alias: the field stores that follow a prep
 * (sqe->flags, sqe->msg_flags...) must not be reordered before it. */
typedef __u64 __attribute__((may_alias)) iou_sqe_word;

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "iou_prep_rw packs SQE fields into little-endian words"
#endif

/*
 * Fill the common SQE fields: opcode op (IORING_OP_*), fd, addr (a user
 * address: iou_shm_uaddr()), len, off and user_data (returned in the CQE).
 * The SQE must come zeroed from iou_get_sqe() or iou_sqe(). These are the
 * first 40 bytes, written as five whole words with flags, ioprio and the
 * op flags (rw_flags, msg_flags...) 0: set those after the prep. Whole
 * words let clang drop the part of the zeroing they overwrite: 8 stores
 * per SQE instead of 14.
 */
static __always_inline void iou_prep_rw(struct io_uring_sqe *sqe, __u8 op,
					int fd, __u64 addr, __u32 len,
					__u64 off, __u64 user_data)
{
	iou_sqe_word *w = (iou_sqe_word *)sqe;

	_Static_assert(__builtin_offsetof(struct io_uring_sqe, fd) == 4 &&
		       __builtin_offsetof(struct io_uring_sqe, off) == 8 &&
		       __builtin_offsetof(struct io_uring_sqe, addr) == 16 &&
		       __builtin_offsetof(struct io_uring_sqe, len) == 24 &&
		       __builtin_offsetof(struct io_uring_sqe, user_data) == 32,
		       "io_uring_sqe layout");
	w[0] = op | (__u64)(__u32)fd << 32;
	w[1] = off;
	w[2] = addr;
	w[3] = len;
	w[4] = user_data;
}

/* A NOP: completes at once with res 0 and this user_data. */
static __always_inline void iou_prep_nop(struct io_uring_sqe *sqe,
					 __u64 user_data)
{
	iou_prep_rw(sqe, IORING_OP_NOP, -1, 0, 0, 0, user_data);
}

/* ---- SQE preparation: files, timeouts, futexes ---- */

/*
 * Buffers are user addresses: iou_shm_uaddr(off) for bytes of the shared
 * region, so the program (and userspace) see the data too. off = -1 reads
 * or writes at the file position (pipes, sockets, the position of a file).
 */
static __always_inline void iou_prep_read(struct io_uring_sqe *sqe, int fd,
					  __u64 buf, __u32 len, __u64 off,
					  __u64 user_data)
{
	iou_prep_rw(sqe, IORING_OP_READ, fd, buf, len, off, user_data);
}

static __always_inline void iou_prep_write(struct io_uring_sqe *sqe, int fd,
					   __u64 buf, __u32 len, __u64 off,
					   __u64 user_data)
{
	iou_prep_rw(sqe, IORING_OP_WRITE, fd, buf, len, off, user_data);
}

/* flags: 0 or IOU_FSYNC_DATASYNC */
static __always_inline void iou_prep_fsync(struct io_uring_sqe *sqe, int fd,
					   __u32 flags, __u64 user_data)
{
	iou_prep_rw(sqe, IORING_OP_FSYNC, fd, 0, 0, 0, user_data);
	sqe->fsync_flags = flags;
}

static __always_inline void iou_prep_close(struct io_uring_sqe *sqe, int fd,
					   __u64 user_data)
{
	iou_prep_rw(sqe, IORING_OP_CLOSE, fd, 0, 0, 0, user_data);
}

/*
 * A timeout that completes after the struct __kernel_timespec at user
 * address `ts` (in the shared region: the kernel copies it at submit) with
 * res -ETIME, or 0 with IOU_TIMEOUT_ETIME_SUCCESS in flags. count > 0 also
 * completes it after that many other CQEs.
 */
static __always_inline void iou_prep_timeout(struct io_uring_sqe *sqe,
					     __u64 ts, __u32 count, __u32 flags,
					     __u64 user_data)
{
	iou_prep_rw(sqe, IORING_OP_TIMEOUT, -1, ts, 1, count, user_data);
	sqe->timeout_flags = flags;
}

/* Close fixed-file slot `slot` (the loader's sparse table, iou_res.files). */
static __always_inline void iou_prep_close_direct(struct io_uring_sqe *sqe,
						  __u32 slot, __u64 user_data)
{
	iou_prep_rw(sqe, IORING_OP_CLOSE, 0, 0, 0, 0, user_data);
	sqe->file_index = slot + 1;
}

/* Cancel the request whose user_data is `target` (one, the first match):
 * its own CQE then ends with -ECANCELED (a multishot: without F_MORE). */
static __always_inline void iou_prep_cancel(struct io_uring_sqe *sqe,
					    __u64 target, __u64 user_data)
{
	iou_prep_rw(sqe, IORING_OP_ASYNC_CANCEL, -1, target, 0, 0, user_data);
}

/* Cancel every cancelable request of the ring (timeouts, futex waits,
 * polls, queued io-wq work): each ends with -ECANCELED; res is how many
 * were found. Work already running completes normally. */
static __always_inline void iou_prep_cancel_any(struct io_uring_sqe *sqe,
						__u64 user_data)
{
	iou_prep_rw(sqe, IORING_OP_ASYNC_CANCEL, -1, 0, 0, 0, user_data);
	sqe->cancel_flags = IOU_ASYNC_CANCEL_ANY;
}

/*
 * Sleep until the 32-bit futex at user address `uaddr` is woken, if it
 * still holds `expected` (res 0 when woken, -EAGAIN at once if the value
 * differs). Without IOU_FUTEX2_PRIVATE in `flags2` the futex is shared:
 * keyed on the page behind the address, so a FUTEX_WAKE from any mapping
 * of the same shared memory (another process included) reaches it. A
 * private futex is keyed on (mm, address) and is only woken through
 * FUTEX_WAKE_PRIVATE on that very address in the same process.
 */
static __always_inline void iou_prep_futex_wait(struct io_uring_sqe *sqe,
						__u64 uaddr, __u32 expected,
						__u32 flags2, __u64 user_data)
{
	iou_prep_rw(sqe, IORING_OP_FUTEX_WAIT, 0, uaddr, 0, expected,
		    user_data);
	sqe->fd = IOU_FUTEX2_SIZE_U32 | flags2;	/* FUTEX2_* flags */
	sqe->addr3 = IOU_FUTEX_MATCH_ANY;
}

/* Wake up to `nr` waiters of the futex at `uaddr`; res: how many woke. */
static __always_inline void iou_prep_futex_wake(struct io_uring_sqe *sqe,
						__u64 uaddr, __u32 nr,
						__u32 flags2, __u64 user_data)
{
	iou_prep_rw(sqe, IORING_OP_FUTEX_WAKE, 0, uaddr, 0, nr, user_data);
	sqe->fd = IOU_FUTEX2_SIZE_U32 | flags2;
	sqe->addr3 = IOU_FUTEX_MATCH_ANY;
}

/* ---- SQE preparation: sockets ---- */

/*
 * Multishot accept into the fixed-file table: each CQE's res is the slot
 * the kernel picked (IORING_FILE_INDEX_ALLOC), with F_MORE while it stays
 * armed. With the table full, res is -ENFILE, the kernel closes that
 * connection, and the multishot ends (re-arm it).
 */
static __always_inline void
iou_prep_multishot_accept_direct(struct io_uring_sqe *sqe, int listen_fd,
				 __u64 user_data)
{
	iou_prep_rw(sqe, IORING_OP_ACCEPT, listen_fd, 0, 0, 0, user_data);
	sqe->ioprio = IOU_ACCEPT_MULTISHOT;
	sqe->file_index = IOU_FILE_INDEX_ALLOC;
}

/*
 * Multishot receive from fixed file `slot` into buffers of group `bgid`:
 * one CQE per receive, res = bytes, F_BUFFER and the buffer id in
 * flags >> 16, F_MORE while armed. It ends on EOF (res 0), an error,
 * -ENOBUFS (the group ran dry: re-arm once buffers are back), a cancel,
 * or after `limit` bytes in all (0: no limit; IORING_RECV_MSHOT_LIM, the
 * receive that crosses it may overshoot by up to one buffer).
 */
static __always_inline void iou_prep_recv_multishot(struct io_uring_sqe *sqe,
						    __u32 slot, __u16 bgid,
						    __u32 limit,
						    __u64 user_data)
{
	iou_prep_rw(sqe, IORING_OP_RECV, (int)slot, 0, 0, 0, user_data);
	sqe->flags = IOU_SQE_FIXED_FILE | IOU_SQE_BUFFER_SELECT;
	sqe->ioprio = IOU_RECV_MULTISHOT;
	sqe->buf_group = bgid;
	sqe->optlen = limit;
}

/* Send `len` bytes at user address `addr` (iou_shm_uaddr()) on fixed
 * file `slot`. A stream socket may send less: res is what went out. */
static __always_inline void iou_prep_send_fixed(struct io_uring_sqe *sqe,
						__u32 slot, __u64 addr,
						__u32 len, __u64 user_data)
{
	iou_prep_rw(sqe, IORING_OP_SEND, (int)slot, addr, len, 0, user_data);
	sqe->flags = IOU_SQE_FIXED_FILE;
	sqe->msg_flags = IOU_MSG_NOSIGNAL;
}

/* Plain-fd socket I/O; buffers and msghdrs are user addresses in the
 * shared region (iou_shm_uaddr()). */
static __always_inline void iou_prep_send(struct io_uring_sqe *sqe, int fd,
					  __u64 buf, __u32 len, __u32 msg_flags,
					  __u64 user_data)
{
	iou_prep_rw(sqe, IORING_OP_SEND, fd, buf, len, 0, user_data);
	sqe->msg_flags = msg_flags;
}

static __always_inline void iou_prep_recv(struct io_uring_sqe *sqe, int fd,
					  __u64 buf, __u32 len, __u32 msg_flags,
					  __u64 user_data)
{
	iou_prep_rw(sqe, IORING_OP_RECV, fd, buf, len, 0, user_data);
	sqe->msg_flags = msg_flags;
}

/* `msg`: user address of a struct user_msghdr (and of everything it
 * points to); the kernel copies it in when the request is issued. */
static __always_inline void iou_prep_sendmsg(struct io_uring_sqe *sqe, int fd,
					     __u64 msg, __u32 msg_flags,
					     __u64 user_data)
{
	iou_prep_rw(sqe, IORING_OP_SENDMSG, fd, msg, 1, 0, user_data);
	sqe->msg_flags = msg_flags;
}

static __always_inline void iou_prep_recvmsg(struct io_uring_sqe *sqe, int fd,
					     __u64 msg, __u32 msg_flags,
					     __u64 user_data)
{
	iou_prep_rw(sqe, IORING_OP_RECVMSG, fd, msg, 1, 0, user_data);
	sqe->msg_flags = msg_flags;
}

/*
 * Multishot recvmsg into buffers of provided-buffer group `bgid`: one CQE
 * per datagram, with IOU_CQE_F_MORE while it stays armed. Each buffer
 * starts with struct io_uring_recvmsg_out (payloadlen is the datagram's
 * full length, flags has MSG_TRUNC when it did not fit), then
 * msg_namelen bytes of room for the sender's address, msg_controllen
 * bytes of control data, then the payload; `msg` gives only those two
 * lengths. Ends with -ENOBUFS when the group runs dry: re-arm.
 */
static __always_inline void iou_prep_recvmsg_multishot(struct io_uring_sqe *sqe,
						       int fd, __u64 msg,
						       __u16 bgid,
						       __u32 msg_flags,
						       __u64 user_data)
{
	iou_prep_recvmsg(sqe, fd, msg, msg_flags, user_data);
	sqe->len = 0;
	sqe->ioprio = IOU_RECV_MULTISHOT;
	sqe->flags |= IOU_SQE_BUFFER_SELECT;
	sqe->buf_group = bgid;
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

/* ---- completion ---- */

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
 * iou_cq_ready(). */
static __always_inline struct io_uring_cqe *iou_cqe_at(struct iou_ring *r,
						       __u32 i)
{
	__u32 idx = (r->cur->cq_head + i) & iou_layout.cq_mask;

	return (struct io_uring_cqe *)(r->rings + iou_layout.cqes_off +
				       idx * sizeof(struct io_uring_cqe));
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
	__u32 head;
	__u32 mask;
	__u32 n;
	__u32 once;
};

static __always_inline struct iou_cq_snap iou_cq_snap(struct iou_ring *r)
{
	struct iou_cq_snap s = {
		.cqes = r->rings + iou_layout.cqes_off,
		.head = r->cur->cq_head,
		.mask = iou_layout.cq_mask,
		.n = iou_cq_ready_bounded(r),
		.once = 1,
	};
	/* computed here, once, not again inside the loop */
	barrier_var(s.cqes);
	return s;
}

/* The iterator's step: the CQE at index i, remembered as visited. */
static __always_inline struct io_uring_cqe *
iou_cq_visit(struct iou_ring *r, const struct iou_cq_snap *s, int i)
{
	r->cur->cq_seen = i + 1;
	return (struct io_uring_cqe *)(s->cqes + ((s->head + i) & s->mask) *
				       sizeof(struct io_uring_cqe));
}

/*
 * Visit, oldest first, every CQE that was ready when the loop started.
 * Visited CQEs count as consumed at the next iou_cq_commit() or
 * iou_step_wait(); after a `break` the ones after the current stay.
 * Built on the bpf_iter_num open-coded iterator (the verifier inlines it),
 * and the CQ index comes from the iterator's value while the head stays
 * fixed, so the verifier checks the body once whatever the ring size. At
 * most cq_entries CQEs per loop; `return` inside the body is fine (the
 * iterator is destroyed). The outer one-pass loop only holds the
 * snapshot; `break` and `continue` act on the inner one as usual.
 */
#define iou_for_each_cqe(r, cqe)					\
	for (struct iou_cq_snap ___s = iou_cq_snap(r); ___s.once;	\
	     ___s.once = 0)						\
	for (struct bpf_iter_num ___it __attribute__((aligned(8),	\
			cleanup(bpf_iter_num_destroy))),		\
	     *___p __attribute__((unused)) =				\
		(bpf_iter_num_new(&___it, 0, ___s.n), (void *)0);	\
	     (___s.i = bpf_iter_num_next(&___it)) &&			\
	     ((cqe) = iou_cq_visit((r), &___s, *___s.i), 1);)

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

/* ---- kernel features ---- */

/*
 * Probes of the running kernel's BTF, resolved by libbpf at load time.
 * To the verifier they are constants, so the code behind a false probe is
 * dead and never checked: one object runs on every 7.x kernel, using what
 * each has. Everything above works on 7.1 and later.
 *
 * iou_has_kfunc(f): non-zero when kfunc f exists. f must be declared
 * __weak __ksym (vmlinux.h's kfunc prototypes are). Call a kfunc that not
 * every 7.x kernel has only behind this test: an unguarded call to a
 * missing kfunc fails the load with "kernel lacks kfunc f".
 *
 * iou_has_field(type, field): non-zero when `struct type` has member
 * field. For a member newer than vmlinux.h, declare a flavour with it,
 * `struct iou_loop_params___v2 { __u32 cq_wait_idx; __u64 new_field; }
 * __attribute__((preserve_access_index));`, and probe and access that
 * flavour: libbpf matches it to the kernel's struct iou_loop_params. An
 * unguarded access to a missing member fails the load with "kernel lacks
 * struct T.field".
 */
#define iou_has_kfunc(f)		bpf_ksym_exists(f)
#define iou_has_field(type, field)	bpf_core_field_exists(struct type, field)

#endif /* IOUOPS_BPF_H */
