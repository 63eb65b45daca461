/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * iou_conn.bpf.h - the connection machinery of a TCP server loop program
 * (BPF side only; progs/echo.bpf.c and progs/http.bpf.c are built on it):
 *
 *   multishot accept straight into the fixed-file table (one slot per
 *   connection) --> multishot receive on the provided buffer ring
 *   --> received buffers queued per connection, given back to the ring
 *
 * The program keeps one struct iou_srv (submission failures, requests in
 * flight, buffers out of the ring, the re-arm queue) and one record per
 * fixed-file slot whose first member is IOU_CONN_MEMBER: struct
 * iou_conn, unnamed (-fms-extensions, as every program is built), so
 * c->state, c->flags... read as the record's own; IOU_CONN(c) is the
 * record as a struct iou_conn * for the functions below. A slot's
 * generation goes into user_data (IOU_CONN_UD), so a late CQE of a
 * closed connection is not taken for its successor's. A connection's buffers form a FIFO threaded through
 * the program's buf_next[] array (one link per buffer id). Connections
 * that met an empty ring (-ENOBUFS) wait in a re-arm queue of
 * IOU_CONN_RQ_ENTRY()s until buffers come back.
 *
 * What a connection does with its data, when it may receive and when it
 * is closed stay the program's.
 */
#ifndef IOU_CONN_BPF_H
#define IOU_CONN_BPF_H

#include "iou_shm.bpf.h"
#include "iou_sq.bpf.h"
#include "iou_prep.bpf.h"

/* user_data: the op in the top byte, the slot's generation, the slot */
enum {
	IOU_CONN_OP_ACCEPT = 1,
	IOU_CONN_OP_RECV,
	IOU_CONN_OP_SEND,
	IOU_CONN_OP_CLOSE,
	IOU_CONN_OP_CANCEL,
	IOU_CONN_OP_REJECT,	/* close of a slot that was not free */
	IOU_CONN_OP_PROG,	/* the program's own ops from here */
};
#define IOU_CONN_UD(op, gen, slot)					\
	(((__u64)(op) << 56) | ((__u64)((gen) & 0xffff) << 32) | (slot))
#define IOU_CONN_UD_OP(ud)	((__u32)((ud) >> 56))
#define IOU_CONN_UD_GEN(ud)	((__u32)((ud) >> 32) & 0xffff)
#define IOU_CONN_UD_SLOT(ud)	((__u32)(ud))

/* a re-arm queue entry: generation and slot */
#define IOU_CONN_RQ_ENTRY(gen, slot)	(((gen) & 0xffff) << 16 | (slot))
#define IOU_CONN_RQ_GEN(e)		((e) >> 16)
#define IOU_CONN_RQ_SLOT(e)		((e) & 0xffff)

/* struct iou_conn.state */
enum { IOU_CONN_FREE, IOU_CONN_OPEN, IOU_CONN_CLOSING };

/* struct iou_conn.flags */
#define IOU_CONN_F_RECV		(1U << 0)	/* multishot receive armed */
#define IOU_CONN_F_SEND		(1U << 1)	/* a send in flight */
#define IOU_CONN_F_EOF		(1U << 2)	/* peer sent FIN */
#define IOU_CONN_F_ERROR	(1U << 3)	/* reset/error: close */
#define IOU_CONN_F_CANCEL	(1U << 4)	/* receive cancel submitted */
#define IOU_CONN_F_REARMQ	(1U << 5)	/* in the re-arm queue */
#define IOU_CONN_F_PROG		(1U << 6)	/* the program's own from here */

#define IOU_CONN_NO_BUF		0xffff		/* end of a buffer FIFO */

/* The head of a program's connection record. */
struct iou_conn {
	__u32 state;		/* IOU_CONN_FREE, _OPEN, _CLOSING */
	__u32 flags;		/* IOU_CONN_F_* and the program's */
	__u32 gen;		/* bumped at each accept into the slot */
	__u32 head, tail;	/* FIFO of buffer ids, IOU_CONN_NO_BUF if empty */
	__u32 nbufs;		/* buffers in the FIFO */
	__u32 head_off;		/* bytes of the head buffer consumed */
};

/* The first member of a program's connection record: struct iou_conn,
 * unnamed, so its fields read as the record's own. */
#define IOU_CONN_MEMBER							\
	_Pragma("clang diagnostic push")				\
	_Pragma("clang diagnostic ignored \"-Wmicrosoft-anon-tag\"")	\
	struct iou_conn;						\
	_Pragma("clang diagnostic pop")

/* A program's record as the struct iou_conn it begins with. */
#define IOU_CONN(rec)	((struct iou_conn *)(rec))

/* The server's bookkeeping. */
struct iou_srv {
	__u32 rq_head, rq_tail;	/* the re-arm queue */
	__u32 outstanding;	/* requests whose last CQE has not come yet */
	__u32 held_bufs;	/* buffers out of the ring */
	__u32 accept_armed;
	__u32 started;
	__u32 stopping;
	__u32 failed;		/* a submit went wrong: exit with fail_code */
	__u32 no_sleep;		/* this step: do not sleep (see echo.bpf.c) */
	__s32 fail_code;
};

static __always_inline void iou_srv_fail(struct iou_srv *s, int code)
{
	s->failed = 1;
	s->fail_code = code;
}

/* An SQE, submitting the ones prepared so far when the SQ is full. */
static __always_inline struct io_uring_sqe *
iou_srv_get_sqe(struct iou_ring *r, struct iou_srv *s)
{
	struct io_uring_sqe *sqe = iou_get_sqe(r);
	__u32 want;
	int ret;

	if (sqe)
		return sqe;
	want = iou_sq_pending(r);
	ret = iou_submit(r);
	if (ret < 0 || (__u32)ret != want) {
		iou_srv_fail(s, ret < 0 ? ret : -EIO);
		return NULL;
	}
	sqe = iou_get_sqe(r);
	if (!sqe)
		iou_srv_fail(s, -ENOSPC);
	return sqe;
}

/* Submit what the step prepared; returns how many SQEs that was. */
static __always_inline __u32 iou_srv_submit(struct iou_ring *r,
					    struct iou_srv *s)
{
	__u32 want = iou_sq_pending(r);
	int ret = iou_submit(r);

	if (!s->failed && (ret < 0 || (__u32)ret != want))
		iou_srv_fail(s, ret < 0 ? ret : -EIO);
	return want;
}

static __always_inline void iou_srv_arm_accept(struct iou_ring *r,
					       struct iou_srv *s, int listen_fd)
{
	struct io_uring_sqe *sqe = iou_srv_get_sqe(r, s);

	if (!sqe)
		return;
	iou_prep_multishot_accept_direct(sqe, listen_fd,
					 IOU_CONN_UD(IOU_CONN_OP_ACCEPT, 0, 0));
	s->accept_armed = 1;
	s->outstanding++;
}

/* Cancel the request whose user_data is target. */
static __always_inline void iou_srv_cancel(struct iou_ring *r,
					   struct iou_srv *s, __u64 target)
{
	struct io_uring_sqe *sqe = iou_srv_get_sqe(r, s);

	if (!sqe)
		return;
	iou_prep_cancel(sqe, target, IOU_CONN_UD(IOU_CONN_OP_CANCEL, 0, 0));
	s->outstanding++;
}

/* An accept CQE: the new connection's slot, or the error (-ENFILE: no
 * free slot, the kernel closed the connection). */
static __always_inline int iou_srv_accepted(struct iou_srv *s,
					    struct io_uring_cqe *cqe)
{
	if (!(cqe->flags & IORING_CQE_F_MORE)) {
		s->accept_armed = 0;
		s->outstanding--;
	}
	return cqe->res;
}

/* Close a slot accept gave us that we did not free: cannot happen with
 * the loader's table of max_conns slots; refuse it rather than corrupt. */
static __always_inline void iou_srv_reject(struct iou_ring *r,
					   struct iou_srv *s, __u32 slot)
{
	struct io_uring_sqe *sqe = iou_srv_get_sqe(r, s);

	if (!sqe)
		return;
	iou_prep_close_direct(sqe, slot,
			      IOU_CONN_UD(IOU_CONN_OP_REJECT, 0, slot));
	s->outstanding++;
}

/* A new connection in a free slot; the program sets c->flags. */
static __always_inline void iou_conn_open(struct iou_conn *c)
{
	c->state = IOU_CONN_OPEN;
	c->gen++;
	c->head = c->tail = IOU_CONN_NO_BUF;
	c->nbufs = c->head_off = 0;
}

/* Whether a CQE is of an older connection of c's slot (or of none). */
static __always_inline int iou_conn_stale(const struct iou_conn *c, __u64 ud)
{
	return c->state == IOU_CONN_FREE ||
	       (c->gen & 0xffff) != IOU_CONN_UD_GEN(ud);
}

/* Arm c's multishot receive on buffer group bgid; max_len 0: no limit. */
static __always_inline void iou_conn_arm_recv(struct iou_ring *r,
					      struct iou_srv *s,
					      struct iou_conn *c, __u32 slot,
					      __u32 max_len)
{
	struct io_uring_sqe *sqe = iou_srv_get_sqe(r, s);

	if (!sqe)
		return;
	iou_prep_recv_multishot(sqe, slot, (__u16)iou_res.bgid, max_len,
				IOU_CONN_UD(IOU_CONN_OP_RECV, c->gen, slot));
	c->flags |= IOU_CONN_F_RECV;
	s->outstanding++;
}

static __always_inline void iou_conn_cancel_recv(struct iou_ring *r,
						 struct iou_srv *s,
						 struct iou_conn *c, __u32 slot)
{
	if (!(c->flags & IOU_CONN_F_RECV) || (c->flags & IOU_CONN_F_CANCEL))
		return;
	c->flags |= IOU_CONN_F_CANCEL;
	iou_srv_cancel(r, s, IOU_CONN_UD(IOU_CONN_OP_RECV, c->gen, slot));
}

/* A receive CQE: notes the end of the receive; returns F_MORE. */
static __always_inline __u32 iou_conn_recv_cqe(struct iou_srv *s,
					       struct iou_conn *c,
					       struct io_uring_cqe *cqe)
{
	__u32 more = cqe->flags & IORING_CQE_F_MORE;

	if (!more) {
		c->flags &= ~(IOU_CONN_F_RECV | IOU_CONN_F_CANCEL);
		s->outstanding--;
	}
	return more;
}

/* Append buffer bid to c's FIFO (buf_next[cap_mask + 1], a power of 2). */
static __always_inline void iou_conn_push_buf(struct iou_srv *s,
					      struct iou_conn *c,
					      __u16 *buf_next, __u32 cap_mask,
					      __u32 bid)
{
	s->held_bufs++;
	buf_next[bid & cap_mask] = IOU_CONN_NO_BUF;
	if (c->tail == IOU_CONN_NO_BUF)
		c->head = bid;
	else
		buf_next[c->tail & cap_mask] = bid;
	c->tail = bid;
	c->nbufs++;
}

/* Give c's head buffer back to the ring. */
static __always_inline void iou_conn_pop_buf(__u8 *shm, struct iou_srv *s,
					     struct iou_conn *c,
					     __u16 *buf_next, __u32 cap_mask)
{
	__u32 bid = c->head & cap_mask;

	c->head = buf_next[bid];
	if (c->head == IOU_CONN_NO_BUF)
		c->tail = IOU_CONN_NO_BUF;
	c->head_off = 0;
	c->nbufs--;
	s->held_bufs--;
	iou_bufring_recycle(shm, bid);
}

/* The ring ran dry (-ENOBUFS) and c's receive ended: queue c (rearmq of
 * cap entries, a power of 2) to re-arm once buffers are back. */
static __always_inline void iou_conn_wait_bufs(struct iou_srv *s,
					       struct iou_conn *c, __u32 slot,
					       __u32 *rearmq, __u32 cap)
{
	if ((c->flags & IOU_CONN_F_REARMQ) || s->rq_tail - s->rq_head >= cap)
		return;
	rearmq[s->rq_tail & (cap - 1)] = IOU_CONN_RQ_ENTRY(c->gen, slot);
	s->rq_tail++;
	c->flags |= IOU_CONN_F_REARMQ;
}

/* The next re-arm queue entry, or -1 when the queue is empty or the ring
 * still lacks buffers. */
static __always_inline int iou_srv_next_waiting(struct iou_srv *s,
						__u32 *rearmq, __u32 cap)
{
	__u32 e;

	if (s->rq_head == s->rq_tail || s->held_bufs >= iou_res.bufs)
		return -1;
	e = rearmq[s->rq_head & (cap - 1)];
	s->rq_head++;
	return (int)e;
}

/* Whether entry e still stands for c, which then leaves the queue. */
static __always_inline int iou_conn_take_waiting(struct iou_conn *c, __u32 e)
{
	if (c->state != IOU_CONN_OPEN ||
	    (c->gen & 0xffff) != IOU_CONN_RQ_GEN(e) ||
	    !(c->flags & IOU_CONN_F_REARMQ))
		return 0;
	c->flags &= ~IOU_CONN_F_REARMQ;
	return 1;
}

/* The close CQE: the slot is free again. */
static __always_inline void iou_conn_closed(struct iou_srv *s,
					    struct iou_conn *c)
{
	c->state = IOU_CONN_FREE;
	c->flags = 0;
	s->outstanding--;
}

#endif /* IOU_CONN_BPF_H */
