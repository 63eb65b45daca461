// SPDX-License-Identifier: GPL-2.0
/*
 * echo: a TCP echo server that runs entirely inside one io_uring_enter().
 *
 *	iouops load echo --listen 127.0.0.1:7777 [--set max_conns=1024]
 *
 * The loader creates what a program cannot (iou_res below): the listening
 * socket (listen_fd), a sparse fixed-file table of max_conns slots and a
 * provided buffer ring whose buffers live in the shared region. Then, per
 * connection, with no return to userspace:
 *
 *   multishot accept --(slot)--> multishot recv (buffer select, fixed file)
 *        --(buffer)--> send of exactly that buffer, in order --> recycle
 *
 * Fast paths: multishot accept straight into the fixed-file table
 * (IORING_FILE_INDEX_ALLOC), multishot receive with a provided buffer ring
 * (IORING_REGISTER_PBUF_RING) and fixed files everywhere. All of them work
 * from the BPF loop; the program never touches the payload, it only moves
 * buffer ids between the CQ, its per-connection queues and the buffer ring.
 *
 * Per connection (state in .bss, indexed by the fixed-file slot):
 *  - the received buffers form a FIFO threaded through buf_next[] (one
 *    link per buffer id, so a queue costs no per-connection array);
 *  - one send in flight at a time: two sends on one TCP socket could
 *    complete out of order (a short one retried after a later one), so
 *    order is kept by sending the head only; a short send sends the rest;
 *  - bounded buffering: the multishot receive is armed with a byte limit
 *    (IORING_RECV_MSHOT_LIM) of conn_bytes minus what is queued, so the
 *    kernel itself stops receiving for a slow reader; it is re-armed once
 *    the queue has drained below half. A connection that holds more than
 *    conn_bufs buffers (many small receives) has its receive cancelled
 *    too. So a connection holds at most conn_bytes + one buffer;
 *  - EOF: close once everything received has been sent; errors and
 *    resets: drop the queue, close, count by errno;
 *  - -ENOBUFS (the shared buffer ring ran dry): the connection waits in a
 *    re-arm queue until buffers come back. Buffers are shared: readers
 *    that never read can hold up to conn_bytes each and starve others of
 *    buffers, never of correctness.
 * Beyond max_conns, accept-direct finds no free slot: the kernel closes
 * that connection and posts -ENFILE, counted as `rejected`.
 *
 * The CQ is sized by the loader from iou_res (one CQE per buffer, four
 * per connection: recv end, send, cancel, close, plus slack), so it cannot
 * overflow; should the kernel still keep CQEs on its overflow list, the
 * loop flushes them after each step and nothing is lost (counted in
 * cq_overflow).
 *
 * Stop (ctl->stop_req): cancel the accept, cancel every receive, send
 * what was already received, close every connection, then IOU_LOOP_STOP.
 */
#include "iouops.bpf.h"
#include "echo_shared.h"

char LICENSE[] SEC("license") = "GPL";

#define MAX_CONNS	16384		/* slots in .bss; max_conns <= this */
#define BUF_CAP		32768		/* largest buffer ring (bid < 2^15) */

const volatile __u32 max_conns = ECHO_MAX_CONNS;  /* --set max_conns=N */
const volatile __u32 conn_bytes = ECHO_CONN_BYTES; /* bytes queued per conn */
const volatile __u32 conn_bufs = ECHO_CONN_BUFS;   /* buffers queued per conn */
const volatile int listen_fd = -1;		   /* the loader's --listen */

const volatile struct iou_res iou_res = {
	.bufs = ECHO_NBUFS,
	.buf_size = ECHO_BUF_SIZE,
	.bgid = ECHO_BGID,
	.files = ECHO_MAX_CONNS,
	.files_var = "max_conns",
	.files_max = MAX_CONNS,
	.cq_per_file = 4,
	.cq_extra = 256,
};

enum {
	C_ACCEPTED, C_ACTIVE, C_CLOSED, C_REJECTED, C_BYTES_IN, C_BYTES_OUT,
	C_BYTES_DROPPED, C_EOF, C_ERR_RESET, C_ERR_PIPE, C_ERR_OTHER,
	C_LAST_ERR, C_NOBUFS, C_THROTTLED, C_ACCEPT_ERR, C_CQ_OVERFLOW,
	NR_COUNTERS
};
static const char counter_names[NR_COUNTERS][IOU_COUNTER_NAME_LEN] = {
	"accepted", "active", "closed", "rejected", "bytes_in", "bytes_out",
	"bytes_dropped", "eof", "err_reset", "err_pipe", "err_other",
	"last_errno", "nobufs", "throttled", "accept_err", "cq_overflow",
};

/* user_data, connection states and flags: echo_shared.h */
struct echo_conn conns[MAX_CONNS];
__u16 buf_next[BUF_CAP];
__u32 buf_len[BUF_CAP];
__u32 rearmq[2 * MAX_CONNS];	/* (gen << 16 | slot) of -ENOBUFS victims */

/* Counters live in the shared region only, written where they change:
 * no .bss copy published every step. */
#define CNT(r, x)	((r)->ctl->counters[x].value)

/* Connection machinery: iou_conn.bpf.h, with echo_shared.h's names */
_Static_assert(ECHO_F_RECV == IOU_CONN_F_RECV &&
	       ECHO_F_SEND == IOU_CONN_F_SEND &&
	       ECHO_F_EOF == IOU_CONN_F_EOF && ECHO_F_ERROR == IOU_CONN_F_ERROR &&
	       ECHO_F_CANCEL == IOU_CONN_F_CANCEL &&
	       ECHO_F_REARMQ == IOU_CONN_F_REARMQ &&
	       ECHO_F_DRAIN >= IOU_CONN_F_PROG, "echo flags");
_Static_assert(ECHO_OP_ACCEPT == IOU_CONN_OP_ACCEPT &&
	       ECHO_OP_RECV == IOU_CONN_OP_RECV &&
	       ECHO_OP_SEND == IOU_CONN_OP_SEND &&
	       ECHO_OP_CLOSE == IOU_CONN_OP_CLOSE &&
	       ECHO_OP_CANCEL == IOU_CONN_OP_CANCEL &&
	       ECHO_OP_REJECT == IOU_CONN_OP_REJECT &&
	       ECHO_NO_BUF == IOU_CONN_NO_BUF &&
	       ECHO_CONN_OPEN == IOU_CONN_OPEN, "echo ops");
struct iou_srv st;

static __always_inline struct echo_conn *conn_at(__u32 slot)
{
	return &conns[slot & (MAX_CONNS - 1)];
}

static __always_inline void count_errno(struct iou_ring *r, int res)
{
	if (res == -ECONNRESET)
		CNT(r, C_ERR_RESET)++;
	else if (res == -EPIPE)
		CNT(r, C_ERR_PIPE)++;
	else {
		CNT(r, C_ERR_OTHER)++;
		CNT(r, C_LAST_ERR) = (__u64)-res;
	}
}

/* Arm the receive if the connection may take more data. */
static __always_inline void maybe_recv(struct iou_ring *r, struct echo_conn *c,
				       __u32 slot)
{
	if (!echo_may_recv(c, st.stopping, conn_bytes, conn_bufs))
		return;
	iou_conn_arm_recv(r, &st, IOU_CONN(c), slot, conn_bytes - c->pending);
}

/* Send the head of the queue (the rest of it after a short send). */
static __always_inline void send_head(struct iou_ring *r, struct echo_conn *c,
				      __u32 slot)
{
	struct io_uring_sqe *sqe;
	__u32 bid, len;

	if ((c->flags & (ECHO_F_SEND | ECHO_F_ERROR)) || c->head == ECHO_NO_BUF)
		return;
	bid = c->head & (BUF_CAP - 1);
	len = buf_len[bid];
	if (c->head_off >= len)
		return;		/* cannot happen: a sent head is popped */
	sqe = iou_srv_get_sqe(r, &st);
	if (!sqe)
		return;
	iou_prep_send_fixed(sqe, slot,
			    iou_shm_uaddr(iou_buf_off(bid) + c->head_off),
			    len - c->head_off,
			    ECHO_UD(ECHO_OP_SEND, c->gen, slot));
	c->flags |= ECHO_F_SEND;
	st.outstanding++;
}

static __always_inline void pop_head(__u8 *shm, struct echo_conn *c)
{
	iou_conn_pop_buf(shm, &st, IOU_CONN(c), buf_next, BUF_CAP - 1);
}

/* Give every queued buffer back (reset connection, nothing to send). */
static __always_inline void drop_queue(struct iou_ring *r, __u8 *shm,
				       struct echo_conn *c)
{
	int i;

	bpf_for(i, 0, BUF_CAP) {
		if (c->head == ECHO_NO_BUF)
			break;
		pop_head(shm, c);
	}
	CNT(r, C_BYTES_DROPPED) += c->pending;
	c->pending = 0;
}

/* Close once nothing is in flight and nothing is left to send. */
static __always_inline void maybe_close(struct iou_ring *r, struct echo_conn *c,
					__u32 slot)
{
	struct io_uring_sqe *sqe;

	if (!echo_finished(c))
		return;
	if (c->flags & ECHO_F_RECV) {
		/* close after its last CQE */
		iou_conn_cancel_recv(r, &st, IOU_CONN(c), slot);
		return;
	}
	if (c->flags & ECHO_F_SEND)
		return;
	sqe = iou_srv_get_sqe(r, &st);
	if (!sqe)
		return;
	iou_prep_close_direct(sqe, slot, ECHO_UD(ECHO_OP_CLOSE, c->gen, slot));
	c->state = ECHO_CONN_CLOSING;
	st.outstanding++;
}

static __always_inline void on_accept(struct iou_ring *r,
				      struct io_uring_cqe *cqe)
{
	__u32 slot;
	struct echo_conn *c;

	if (iou_srv_accepted(&st, cqe) < 0) {
		if (cqe->res == -ENFILE /* no free slot: the kernel closed it */)
			CNT(r, C_REJECTED)++;
		else if (cqe->res != -ECANCELED)
			CNT(r, C_ACCEPT_ERR)++;
		return;
	}
	slot = (__u32)cqe->res;
	c = conn_at(slot);
	if (slot >= max_conns || c->state != ECHO_CONN_FREE) {
		/* a slot we did not free: cannot happen with the loader's
		 * table of max_conns slots; refuse it rather than corrupt */
		CNT(r, C_REJECTED)++;
		iou_srv_reject(r, &st, slot);
		return;
	}
	iou_conn_open(IOU_CONN(c));
	c->flags = st.stopping ? ECHO_F_DRAIN : 0;
	c->pending = 0;
	CNT(r, C_ACCEPTED)++;
	CNT(r, C_ACTIVE)++;
	maybe_recv(r, c, slot);
	maybe_close(r, c, slot);
}

static __always_inline void on_recv(struct iou_ring *r, __u8 *shm,
				    struct io_uring_cqe *cqe,
				    struct echo_conn *c, __u32 slot)
{
	__u32 bid, more = iou_conn_recv_cqe(&st, IOU_CONN(c), cqe);
	int res = cqe->res;

	if (res > 0 && (cqe->flags & IORING_CQE_F_BUFFER)) {
		bid = (cqe->flags >> IORING_CQE_BUFFER_SHIFT) & (BUF_CAP - 1);
		CNT(r, C_BYTES_IN) += res;
		if (c->flags & ECHO_F_ERROR) {
			CNT(r, C_BYTES_DROPPED) += res;
			iou_bufring_recycle(shm, bid);
			return;
		}
		buf_len[bid] = res;
		iou_conn_push_buf(&st, IOU_CONN(c), buf_next, BUF_CAP - 1, bid);
		c->pending += res;
		send_head(r, c, slot);
		if (more && c->nbufs >= conn_bufs &&
		    !(c->flags & ECHO_F_CANCEL)) {
			CNT(r, C_THROTTLED)++;
			iou_conn_cancel_recv(r, &st, IOU_CONN(c), slot);
		}
		if (!more) {
			if (c->pending >= conn_bytes)
				CNT(r, C_THROTTLED)++;	/* hit its limit */
			maybe_recv(r, c, slot);
		}
		return;
	}
	if (res == 0) {
		c->flags |= ECHO_F_EOF;
		CNT(r, C_EOF)++;
	} else if (res == -ENOBUFS) {
		CNT(r, C_NOBUFS)++;
		if (!more)
			iou_conn_wait_bufs(&st, IOU_CONN(c), slot, rearmq,
					   2 * MAX_CONNS);
	} else if (res == -ECANCELED) {
		maybe_recv(r, c, slot);		/* throttled: resumes later */
	} else if (res < 0) {
		count_errno(r, res);
		c->flags |= ECHO_F_ERROR;
		drop_queue(r, shm, c);
	}
	maybe_close(r, c, slot);
}

static __always_inline void on_send(struct iou_ring *r, __u8 *shm,
				    struct io_uring_cqe *cqe,
				    struct echo_conn *c, __u32 slot)
{
	int res = cqe->res;
	__u32 len;

	c->flags &= ~ECHO_F_SEND;
	st.outstanding--;
	if (res > 0 && c->head != ECHO_NO_BUF) {
		CNT(r, C_BYTES_OUT) += res;
		c->head_off += res;
		c->pending -= res;
		len = buf_len[c->head & (BUF_CAP - 1)];
		if (c->head_off >= len)
			pop_head(shm, c);
		send_head(r, c, slot);		/* the rest, or the next one */
		maybe_recv(r, c, slot);
	} else if (!(c->flags & ECHO_F_ERROR)) {
		count_errno(r, res < 0 ? res : -EIO);
		c->flags |= ECHO_F_ERROR;
		drop_queue(r, shm, c);
	}
	maybe_close(r, c, slot);
}

static __always_inline void on_close(struct iou_ring *r, struct echo_conn *c)
{
	iou_conn_closed(&st, IOU_CONN(c));
	CNT(r, C_ACTIVE)--;
	CNT(r, C_CLOSED)++;
}

/* Connections that met an empty buffer ring, once buffers are back. */
static __always_inline void rearm_waiting(struct iou_ring *r)
{
	int i;

	bpf_for(i, 0, 64) {
		int e = iou_srv_next_waiting(&st, rearmq, 2 * MAX_CONNS);
		__u32 slot = IOU_CONN_RQ_SLOT((__u32)e);
		struct echo_conn *c = conn_at(slot);

		if (e < 0)
			break;
		if (!iou_conn_take_waiting(IOU_CONN(c), (__u32)e))
			continue;
		maybe_recv(r, c, slot);
		maybe_close(r, c, slot);
	}
}

/* Stop: no more accepts or receives; send what was received; close. */
static __always_inline void begin_stop(struct iou_ring *r)
{
	int i;

	st.stopping = 1;
	if (st.accept_armed)
		iou_srv_cancel(r, &st, ECHO_UD(ECHO_OP_ACCEPT, 0, 0));
	bpf_for(i, 0, MAX_CONNS) {
		__u32 slot = (__u32)i;
		struct echo_conn *c;

		if (slot >= max_conns)
			break;
		c = conn_at(slot);
		if (c->state != ECHO_CONN_OPEN)
			continue;
		c->flags |= ECHO_F_DRAIN;
		c->flags &= ~ECHO_F_REARMQ;
		iou_conn_cancel_recv(r, &st, IOU_CONN(c), slot);
		maybe_close(r, c, slot);
	}
}

IOU_LOOP(echo_step)
{
	struct io_uring_cqe *cqe;
	struct iou_ring r;
	__u8 *shm;
	int pass;
	__u32 want;

	if (iou_ring_open(&r, ring))
		return IOU_LOOP_STOP;
	iou_counters_init(&r, counter_names, NR_COUNTERS);
	shm = iou_shm_all(&r);
	if (!shm)
		return iou_exit_error(r.ctl, -EFAULT, "shared region missing");
	if (!st.started) {
		if (listen_fd < 0)
			return iou_exit_error(r.ctl, -EBADF,
				"no listening socket: run with --listen ADDR:PORT");
		if (!iou_res.bufs || iou_res.bufs > BUF_CAP ||
		    iou_res.files != max_conns || !max_conns ||
		    max_conns > MAX_CONNS || !conn_bytes || !conn_bufs)
			return iou_exit_error(r.ctl, -EINVAL,
				"bad config: %u buffers (max %d), %u files for max_conns %u (max %d)",
				iou_res.bufs, BUF_CAP, iou_res.files, max_conns, MAX_CONNS);
		st.started = 1;
		iou_srv_arm_accept(&r, &st, listen_fd);
	}

	if (READ_ONCE(*iou_ring_u32(&r, iou_layout.sq_flags_off)) &
	    IORING_SQ_CQ_OVERFLOW)
		CNT(&r, C_CQ_OVERFLOW)++;

	st.no_sleep = 0;
	/*
	 * Two passes when the first submitted something: a send on a
	 * socket with room completes inline, so its CQE is already posted
	 * when iou_submit() returns; taking it in the same step makes a
	 * request/response round trip one step instead of two (one loop
	 * step, trampoline and region lookup less per round trip).
	 */
	for (pass = 0; pass < 2; pass++) {	/* no iterator: no kfunc calls */
		/* an empty CQ costs a load, not the iterator's three calls */
		if (!iou_cq_ready(&r))
			goto submit;
		iou_for_each_cqe(&r, cqe) {
			__u64 ud = cqe->user_data;
			__u32 op = ECHO_UD_OP(ud), slot = ECHO_UD_SLOT(ud);
			struct echo_conn *c = conn_at(slot);

			if ((op != ECHO_OP_RECV && op != ECHO_OP_SEND) ||
			    cqe->res <= 0)
				st.no_sleep = 1;

			if (op == ECHO_OP_ACCEPT) {
				on_accept(&r, cqe);
				continue;
			}
			if (op == ECHO_OP_CANCEL || op == ECHO_OP_REJECT) {
				st.outstanding--;
				continue;
			}
			if (iou_conn_stale(IOU_CONN(c), ud)) {
				/* cannot happen: a slot is freed only after
				 * its requests have all ended. Keep the
				 * buffer. */
				if (cqe->flags & IORING_CQE_F_BUFFER)
					iou_bufring_recycle(shm, cqe->flags >>
						IORING_CQE_BUFFER_SHIFT);
				continue;
			}
			if (op == ECHO_OP_RECV)
				on_recv(&r, shm, cqe, c, slot);
			else if (op == ECHO_OP_SEND)
				on_send(&r, shm, cqe, c, slot);
			else if (op == ECHO_OP_CLOSE)
				on_close(&r, c);
			if (st.failed)
				break;
		}
		iou_cq_commit(&r);
submit:
		if (!st.failed && !st.stopping && iou_stop_requested(&r))
			begin_stop(&r);
		if (!st.failed && !st.stopping && !st.accept_armed)
			iou_srv_arm_accept(&r, &st, listen_fd);
		/* its iterator costs three kfunc calls even when empty */
		if (!st.failed && st.rq_head != st.rq_tail)
			rearm_waiting(&r);

		want = iou_srv_submit(&r, &st);
		if (st.failed || !want)
			break;
	}
	if (st.failed)
		return iou_exit_error(r.ctl, st.fail_code,
				      "submitting SQEs failed (%d)", st.fail_code);
	if (st.stopping && !st.outstanding)
		return iou_exit_stopped(r.ctl,
			"%llu accepted, %llu closed, %llu bytes in, %llu out",
			CNT(&r, C_ACCEPTED), CNT(&r, C_CLOSED), CNT(&r, C_BYTES_IN),
			CNT(&r, C_BYTES_OUT));
	/*
	 * Closing a socket (our close, or accept-direct refusing one with
	 * -ENFILE) puts its file through task work (fput -> TWA_RESUME),
	 * and the 7.3 loop sleeps in io_loop_wait() without checking for
	 * task work: the FIN would wait for the next wake-up. After a step
	 * that handled such a CQE (anything but data received or sent), do
	 * not sleep: the loop then runs task work before the next step, and
	 * a step with nothing to do sleeps. Data alone needs no extra step:
	 * a request/response round trip is then two steps, not three (make
	 * bench: the third, empty step was 3% of the round trip's latency).
	 */
	return iou_step_wait(&r, lp, st.no_sleep ? 0 : 1);
}

IOU_OPS(echo_ops, echo_step);
