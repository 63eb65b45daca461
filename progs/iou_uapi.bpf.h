/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * iou_uapi.bpf.h - the uapi values BTF does not carry, under their uapi
 * names: errno values and the IORING_*, IOSQE_*, FUTEX2_* and MSG_* flags
 * that the kernel headers #define (vmlinux.h only has enums, such as
 * IORING_OP_* and IOSQE_*_BIT). Each is defined only when not defined
 * already, so a program may include the uapi header itself first.
 */
#ifndef IOU_UAPI_BPF_H
#define IOU_UAPI_BPF_H

#include "iou_common.bpf.h"

/* Plain #defines with no types, so they build for -target bpf too
 * (linux-libc-dev, which every C toolchain on Linux has). */
#include <asm-generic/errno.h>

/* io_uring_setup() flags (struct iou_layout.setup_flags) */
#ifndef IORING_SETUP_NO_SQARRAY
#define IORING_SETUP_NO_SQARRAY		(1U << 16)
#endif
#ifndef IORING_SETUP_SQ_REWIND
#define IORING_SETUP_SQ_REWIND		(1U << 20)
#endif

/* sqe->flags: the bits are enums in vmlinux.h, the masks are not */
#ifndef IOSQE_FIXED_FILE
#define IOSQE_FIXED_FILE		(1U << IOSQE_FIXED_FILE_BIT)
#endif
#ifndef IOSQE_IO_LINK
#define IOSQE_IO_LINK			(1U << IOSQE_IO_LINK_BIT)
#endif
#ifndef IOSQE_BUFFER_SELECT
#define IOSQE_BUFFER_SELECT		(1U << IOSQE_BUFFER_SELECT_BIT)
#endif

/* cqe->flags */
#ifndef IORING_CQE_F_BUFFER
#define IORING_CQE_F_BUFFER		(1U << 0)
#endif
#ifndef IORING_CQE_F_MORE
#define IORING_CQE_F_MORE		(1U << 1)
#endif
#ifndef IORING_CQE_BUFFER_SHIFT
#define IORING_CQE_BUFFER_SHIFT		16
#endif

/* SQ ring flags word (iou_layout.sq_flags_off) */
#ifndef IORING_SQ_CQ_OVERFLOW
#define IORING_SQ_CQ_OVERFLOW		(1U << 1)
#endif

/* per-opcode flags (sqe->fsync_flags, timeout_flags, cancel_flags, ioprio) */
#ifndef IORING_FSYNC_DATASYNC
#define IORING_FSYNC_DATASYNC		(1U << 0)
#endif
#ifndef IORING_TIMEOUT_ETIME_SUCCESS
#define IORING_TIMEOUT_ETIME_SUCCESS	(1U << 5)
#endif
#ifndef IORING_TIMEOUT_IMMEDIATE_ARG
#define IORING_TIMEOUT_IMMEDIATE_ARG	(1U << 7)	/* 7.1+: addr = ns */
#endif
#ifndef IORING_ASYNC_CANCEL_ALL
#define IORING_ASYNC_CANCEL_ALL		(1U << 0)
#endif
#ifndef IORING_ASYNC_CANCEL_ANY
#define IORING_ASYNC_CANCEL_ANY		(1U << 2)
#endif
#ifndef IORING_ACCEPT_MULTISHOT
#define IORING_ACCEPT_MULTISHOT		(1U << 0)
#endif
#ifndef IORING_RECV_MULTISHOT
#define IORING_RECV_MULTISHOT		(1U << 1)
#endif
#ifndef IORING_FILE_INDEX_ALLOC
#define IORING_FILE_INDEX_ALLOC		(~0U)
#endif

/* futex2 flags (the fd field of FUTEX_WAIT/WAKE SQEs) */
#ifndef FUTEX2_SIZE_U32
#define FUTEX2_SIZE_U32			0x02
#endif
#ifndef FUTEX2_PRIVATE
#define FUTEX2_PRIVATE			128
#endif
#ifndef FUTEX_BITSET_MATCH_ANY
#define FUTEX_BITSET_MATCH_ANY		0xffffffff
#endif

/* socket message flags (sqe->msg_flags, io_uring_recvmsg_out.flags) */
#ifndef MSG_TRUNC
#define MSG_TRUNC			0x20
#endif
#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL			0x4000
#endif

#endif /* IOU_UAPI_BPF_H */
