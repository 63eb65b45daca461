/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * iou_uapi.bpf.h - the uapi values BTF does not carry (BPF side only):
 * errno values and the io_uring, futex2 and socket flags that the kernel
 * headers #define (vmlinux.h only has enums, such as IORING_OP_*).
 */
#ifndef IOU_UAPI_BPF_H
#define IOU_UAPI_BPF_H

#include "iou_common.bpf.h"

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

#endif /* IOU_UAPI_BPF_H */
