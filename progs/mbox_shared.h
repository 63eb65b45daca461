/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * mbox_shared.h - a command channel in shared memory between userspace and the
 * mbox loop program (progs/mbox.bpf.c); included by both sides. The
 * userspace end is loader/mbox.h.
 *
 * The shared region holds, after the control block:
 *
 *	struct mbox_region	rings, indexes, doorbells
 *	data area		from MBOX_DATA_OFF to the end of the region:
 *				the buffers READ fills and WRITE sends
 *
 * Two single-producer/single-consumer rings:
 *  - sq: commands. Userspace writes sq[tail & mask], then publishes
 *    sq_tail (release). The program reads sq_tail (acquire), copies the
 *    commands out, then publishes sq_head (release): the slots are free.
 *  - cq: results. The program writes cq[tail & mask], then publishes
 *    cq_tail (release); userspace reads cq_tail (acquire), copies the
 *    results out, then publishes cq_head (release).
 * Free-running u32 indexes; head == tail is empty, tail - head == entries
 * is full. Only the named side ever writes an index.
 *
 * Doorbells (no syscall on the busy path). The program, before it may
 * block in the kernel, sets `sleeping` to what would wake it (MBOX_WAKE_*:
 * new commands, and room in the result ring when that is full) with a
 * full barrier, re-reads sq_tail and cq_head, and only if nothing changed
 * arms a futex wait on `doorbell` expecting the value it read after
 * setting `sleeping`. Userspace, after publishing sq_tail (or cq_head),
 * issues a full barrier, and only if `sleeping` has MBOX_WAKE_CMD (or
 * MBOX_WAKE_ROOM) and it wins the exchange of that value for 0 does it
 * bump `doorbell` and FUTEX_WAKE it. The two full barriers make it
 * impossible for both sides to miss each other (store-buffering): either
 * the program sees the new index and does not sleep, or userspace sees
 * `sleeping` and wakes it; a bump that lands before the wait is armed
 * makes the wait fail with -EAGAIN at once. The same protocol runs the
 * other way for a client that waits for results or ring space:
 * `client_waiting` / `client_bell`, bumped and woken by the program with
 * an IORING_OP_FUTEX_WAKE. The futexes are shared (not private): the
 * region is a MAP_SHARED memfd, and another process that maps it wakes
 * and waits on the same futex through its own mapping.
 */
#ifndef IOUOPS_MBOX_SHARED_H
#define IOUOPS_MBOX_SHARED_H

#include "iouops_shared.h"

#define MBOX_MAGIC		0x786f626dU	/* "mbox" */
#define MBOX_VERSION		1
#define MBOX_SQ_ENTRIES		256	/* commands (a power of two) */
#define MBOX_CQ_ENTRIES		256	/* results (a power of two) */
#define MBOX_MAX_INFLIGHT	64	/* io_uring requests at once */
#define MBOX_LINE		64	/* keep each writer on its own line */

/* What wakes a sleeping program (mbox_region.sleeping). */
#define MBOX_WAKE_CMD		1U	/* a new command */
#define MBOX_WAKE_ROOM		2U	/* room in the result ring */

enum mbox_op {
	MBOX_NOP = 0,		/* res 0 */
	MBOX_READ = 1,		/* read len bytes of fd at off into data[buf] */
	MBOX_WRITE = 2,		/* write data[buf], len bytes, to fd at off */
	MBOX_TIMEOUT = 3,	/* res 0 after off nanoseconds */
	MBOX_STOP = 4,		/* finish what is in flight, cancel what
				 * follows, answer STOP last, end the loop */
	MBOX_NR_OPS,
};

struct mbox_cmd {
	__u64 id;	/* echoed in the result */
	__u8 op;	/* enum mbox_op */
	__u8 __pad[3];
	__s32 fd;	/* READ/WRITE: an fd of the loader process */
	__u64 off;	/* READ/WRITE: file offset; TIMEOUT: nanoseconds */
	__u32 buf;	/* READ/WRITE: offset in the data area */
	__u32 len;	/* READ/WRITE: bytes */
};

/*
 * res: bytes for READ/WRITE, 0 for NOP/TIMEOUT/STOP, or a negative errno:
 * -EOPNOTSUPP unknown op, -EINVAL buffer outside the data area,
 * -ECANCELED not run because of a STOP (or the program ended first), or
 * what the kernel returned for the read or write.
 */
struct mbox_res {
	__u64 id;
	__s32 res;
	__u32 op;
};

/* A TIMEOUT's time where the kernel lacks IORING_TIMEOUT_IMMEDIATE_ARG
 * (else unused): the kernel reads it at submit. */
struct mbox_timespec {
	__s64 tv_sec;
	__s64 tv_nsec;
};

struct mbox_region {
	/* written once by the program on its first step */
	__u32 magic;
	__u32 version;
	__u32 sq_entries;
	__u32 cq_entries;
	__u32 data_off;		/* MBOX_DATA_OFF */
	__u32 data_size;	/* bytes of the data area */
	__u32 ready;		/* 1 once the above is written */
	__u8 __pad0[MBOX_LINE - 7 * 4];

	__u32 sq_tail;		/* userspace */
	__u8 __pad1[MBOX_LINE - 4];
	__u32 sq_head;		/* program */
	__u8 __pad2[MBOX_LINE - 4];
	__u32 cq_tail;		/* program */
	__u8 __pad3[MBOX_LINE - 4];
	__u32 cq_head;		/* userspace */
	__u8 __pad4[MBOX_LINE - 4];

	__u32 doorbell;		/* futex: userspace bumps and wakes */
	__u32 sleeping;		/* program sets MBOX_WAKE_*, userspace takes -> 0 */
	__u8 __pad5[MBOX_LINE - 8];
	__u32 client_bell;	/* futex: the program bumps and wakes */
	__u32 client_waiting;	/* userspace sets 1, the program takes 1 -> 0 */
	__u8 __pad6[MBOX_LINE - 8];

	struct mbox_cmd sq[MBOX_SQ_ENTRIES];
	struct mbox_res cq[MBOX_CQ_ENTRIES];
	struct mbox_timespec ts[MBOX_MAX_INFLIGHT];	/* program only */
};

/* Where the data area starts in the shared region: page aligned. */
#define MBOX_DATA_OFF							\
	((IOU_CTL_SIZE + sizeof(struct mbox_region) + 4095) & ~4095UL)

#endif /* IOUOPS_MBOX_SHARED_H */
