/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * echo_shared.h - the design the TCP echo server's two implementations
 * share: the BPF loop program (progs/echo.bpf.c) and its userspace
 * liburing baseline (samples/echo-uring.c), so the baseline runs what it
 * is measured against. Included by both sides (BPF and C11 userspace):
 * the user_data encoding, the connection record with its states and
 * flags, when a connection may receive and when it is finished, the
 * re-arm queue entries and the default sizes.
 */
#ifndef IOUOPS_ECHO_SHARED_H
#define IOUOPS_ECHO_SHARED_H

#ifdef __bpf__
#include "iou_conn.bpf.h"	/* the BPF side's connection machinery */
#else
#include <linux/types.h>
#endif

/* Defaults: buffers of the provided buffer ring (group 0), connections,
 * and what one connection may hold before its receive is throttled. */
#define ECHO_NBUFS		4096
#define ECHO_BUF_SIZE		4096
#define ECHO_BGID		0
#define ECHO_MAX_CONNS		1024
#define ECHO_CONN_BYTES		65536
#define ECHO_CONN_BUFS		32

/* user_data: the op in the top byte, the slot's generation (16 bits) so
 * a late CQE of a closed connection is not taken for its successor's,
 * and the fixed-file slot. */
enum echo_op {
	ECHO_OP_ACCEPT = 1,
	ECHO_OP_RECV,
	ECHO_OP_SEND,
	ECHO_OP_CLOSE,
	ECHO_OP_CANCEL,
	ECHO_OP_REJECT,		/* close of a slot that was not free */
};
#define ECHO_UD(op, gen, slot)						\
	(((__u64)(op) << 56) | ((__u64)((gen) & 0xffff) << 32) | (slot))
#define ECHO_UD_OP(ud)		((__u32)((ud) >> 56))
#define ECHO_UD_GEN(ud)		((__u32)((ud) >> 32) & 0xffff)
#define ECHO_UD_SLOT(ud)	((__u32)(ud))

/* A connection waiting for buffers (-ENOBUFS), in the re-arm queue:
 * generation and slot, so a queued entry of a closed slot is skipped. */
#define ECHO_RQ_ENTRY(gen, slot)	(((gen) & 0xffff) << 16 | (slot))
#define ECHO_RQ_GEN(e)			((e) >> 16)
#define ECHO_RQ_SLOT(e)			((e) & 0xffff)

/* struct echo_conn.state */
enum echo_conn_state { ECHO_CONN_FREE, ECHO_CONN_OPEN, ECHO_CONN_CLOSING };

/* struct echo_conn.flags */
#define ECHO_F_RECV	(1U << 0)	/* multishot receive armed */
#define ECHO_F_SEND	(1U << 1)	/* a send in flight */
#define ECHO_F_EOF	(1U << 2)	/* peer sent FIN: no more receives */
#define ECHO_F_ERROR	(1U << 3)	/* reset/error: drop the queue, close */
#define ECHO_F_CANCEL	(1U << 4)	/* receive cancel submitted */
#define ECHO_F_REARMQ	(1U << 5)	/* waiting in the re-arm queue */
#define ECHO_F_DRAIN	(1U << 6)	/* stopping: close once sent */

#define ECHO_NO_BUF	0xffff		/* end of a buffer FIFO */

/* One connection, indexed by its fixed-file slot. Its received buffers
 * form a FIFO threaded through a buf_next[] array (one link per buffer
 * id); only the head is being sent. */
struct echo_conn {
#ifdef __bpf__
	IOU_CONN_MEMBER		/* the same fields: iou_conn.bpf.h */
#else
	__u32 state;		/* enum echo_conn_state */
	__u32 flags;		/* ECHO_F_* */
	__u32 gen;		/* bumped at each accept into the slot */
	__u32 head, tail;	/* FIFO of buffer ids, ECHO_NO_BUF when empty */
	__u32 nbufs;		/* buffers in the FIFO */
	__u32 head_off;		/* bytes of the head buffer already sent */
#endif
	__u32 pending;		/* bytes received and not yet sent */
};

/* Whether to arm c's receive: the server is not stopping, c is open, not
 * receiving or ending, and holds at most half of its byte and buffer
 * budgets (the hysteresis that lets a throttled connection drain before
 * it reads again). */
static inline __attribute__((always_inline)) int
echo_may_recv(const struct echo_conn *c, __u32 stopping, __u32 conn_bytes,
	      __u32 conn_bufs)
{
	return c->state == ECHO_CONN_OPEN && !stopping &&
	       !(c->flags & (ECHO_F_RECV | ECHO_F_EOF | ECHO_F_ERROR |
			     ECHO_F_DRAIN | ECHO_F_REARMQ)) &&
	       c->pending <= conn_bytes / 2 && c->nbufs <= conn_bufs / 2;
}

/* Whether c is finished: it failed, or the peer (or a stop) ended it and
 * everything received was sent. Closed once nothing of it is in flight. */
static inline __attribute__((always_inline)) int
echo_finished(const struct echo_conn *c)
{
	return c->state == ECHO_CONN_OPEN &&
	       ((c->flags & ECHO_F_ERROR) ||
		((c->flags & (ECHO_F_EOF | ECHO_F_DRAIN)) &&
		 c->head == ECHO_NO_BUF));
}

#endif /* IOUOPS_ECHO_SHARED_H */
