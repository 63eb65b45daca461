/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * iouops_shared.h - the contract between a loop program and its loader.
 *
 * Included by both sides: BPF programs (through iouops.bpf.h) and the
 * userspace loader (through iouops.h). Only fixed-size types, so the layout
 * is identical on both sides.
 *
 * Two things live here:
 *  - struct iou_layout: the ring geometry the loader writes into the
 *    program's .rodata (global `iou_layout`) before load. Being read-only
 *    and frozen, the verifier sees every field as a constant, which is what
 *    bpf_io_uring_get_region() needs for its size argument and what lets it
 *    prove ring indexing in bounds.
 *  - struct iou_ctl: the control block at offset 0 of the shared memory
 *    region (IOU_REGION_MEM). Userspace asks for a stop here, the program
 *    reports how it ended and publishes named counters here. No syscall is
 *    involved on either side.
 */
#ifndef IOUOPS_SHARED_H
#define IOUOPS_SHARED_H

#ifndef __bpf__
#include <linux/types.h>
#endif

/* Ring geometry, filled by the loader after io_uring_setup(). All offsets
 * named *_off are byte offsets into the rings region (IOU_REGION_CQ), as
 * io_uring_params.sq_off / cq_off give them. */
struct iou_layout {
	__u32 setup_flags;	/* IORING_SETUP_* the ring was created with */
	__u32 sq_entries;
	__u32 cq_entries;
	__u32 sq_mask;		/* sq_entries - 1 */
	__u32 cq_mask;		/* cq_entries - 1 */
	__u32 sqe_size;		/* 64, or 128 with SQE128 */
	__u32 sq_head_off;
	__u32 sq_tail_off;
	__u32 sq_flags_off;
	__u32 sq_array_off;	/* 0 with NO_SQARRAY */
	__u32 cq_head_off;
	__u32 cq_tail_off;
	__u32 cq_overflow_off;
	__u32 cq_flags_off;
	__u32 cqes_off;
	__u32 rings_size;	/* bytes of IOU_REGION_CQ a program may map */
	__u32 sqes_size;	/* bytes of IOU_REGION_SQ: sq_entries * sqe_size */
	__u32 mem_size;		/* bytes of IOU_REGION_MEM (0: no region) */
	__u32 __pad;
	/* The loader's (userspace) address of IOU_REGION_MEM. SQE fields
	 * that take a user pointer (addr of a read buffer, a send buffer, a
	 * futex word) use shm_uaddr + offset to point into the region the
	 * program itself reaches through bpf_io_uring_get_region(). */
	__u64 shm_uaddr;
};

/* How a program ended, as recorded in iou_ctl.exit.kind. */
enum iou_exit_kind {
	IOU_EXIT_NONE = 0,	/* still running, or ended without saying */
	IOU_EXIT_DONE = 1,	/* finished its work */
	IOU_EXIT_STOPPED = 2,	/* stopped because userspace asked */
	IOU_EXIT_ERROR = 3,	/* gave up: code is a negative errno */
};

#define IOU_CTL_MAGIC		0x696f756fU	/* "ouoi" little endian */
#define IOU_CTL_VERSION		1
#define IOU_EXIT_FILE_LEN	48
#define IOU_EXIT_REASON_LEN	128
#define IOU_NR_COUNTERS		16
#define IOU_COUNTER_NAME_LEN	24
/* Where program-private shared data starts inside IOU_REGION_MEM. */
#define IOU_CTL_SIZE		1024

struct iou_exit_info {
	__s32 kind;		/* enum iou_exit_kind, written last */
	__s32 code;		/* 0, or a negative errno for IOU_EXIT_ERROR */
	__u32 line;		/* source line that recorded the exit */
	__u32 __pad;
	char file[IOU_EXIT_FILE_LEN];
	char reason[IOU_EXIT_REASON_LEN];
};

struct iou_counter {
	char name[IOU_COUNTER_NAME_LEN];	/* "" = unused slot */
	__u64 value;
};

/*
 * Writers: the loader writes magic/version once before attach and
 * stop_req at any time; everything else is written by the program only.
 * Single writer per field, so plain aligned stores are enough; readers use
 * READ_ONCE-style loads. exit.kind is written after the rest of exit with
 * a release store, so a reader that sees a kind sees the text too.
 */
struct iou_ctl {
	__u32 magic;
	__u32 version;
	__u32 stop_req;		/* userspace: non-zero asks the program to stop */
	__u32 running;		/* program: 1 once its first step ran */
	__u64 steps;		/* program: loop_step calls so far */
	struct iou_exit_info exit;
	struct iou_counter counters[IOU_NR_COUNTERS];
};

_Static_assert(sizeof(struct iou_ctl) <= IOU_CTL_SIZE,
	       "iou_ctl must fit before the program's own shared data");

/*
 * How much of the shared region a program needs past the control block
 * (buffers, command rings): bytes + (global mul_a) * (global mul_b), where
 * mul_a and mul_b name integer globals of the program ("" counts as 1).
 * The loader evaluates it after --set, before it creates the region, and
 * makes the region at least IOU_CTL_SIZE + that. Declared in BPF with
 * IOU_SHM_NEED(); the program still checks iou_layout.mem_size.
 */
#define IOU_SHM_NEED_NAME_LEN	32
struct iou_shm_need {
	__u64 bytes;
	char mul_a[IOU_SHM_NEED_NAME_LEN];
	char mul_b[IOU_SHM_NEED_NAME_LEN];
};

#endif /* IOUOPS_SHARED_H */
