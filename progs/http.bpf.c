// SPDX-License-Identifier: GPL-2.0
/*
 * http: an HTTP/1.1 static file server whose accepting, receiving,
 * parsing and sending all happen inside one io_uring_enter().
 *
 *	iouops load http --listen 127.0.0.1:8080 --root DIR [--set max_conns=N]
 *
 * The loader creates what a program cannot: the listening socket, a
 * sparse fixed-file table, a provided buffer ring in the shared region
 * (struct iou_res, as for echo) and, from --root, the file table: every
 * file of DIR with its response header, and the error responses, in the
 * shared region (progs/http_shared.h).
 *
 *   multishot accept --(slot)--> multishot recv into the buffer ring
 *     --> parse the bytes where they landed (a state machine that keeps
 *         its place across buffers, so a request may arrive in any number
 *         of segments) --> queue a response (file, status, HEAD, close?)
 *     --> one sendmsg of [header, connection piece, body] per response,
 *         several pipelined responses in one sendmsg, one in flight per
 *         connection: responses leave in request order.
 *
 * Parsing is bounded: bytes are visited by an open-coded iterator over one
 * buffer at a time; parse state lives in the connection (.bss), so the
 * verifier sees the loop body once. Limits: request line and headers
 * max_head bytes (431, or 414 while still in the request line), path
 * HTTP_PATH_MAX - 1 bytes (414), a request body (skipped) at most
 * max_body bytes (413). GET and HEAD are served; other methods get 405,
 * Transfer-Encoding 501, malformed requests 400. Errors other than 404
 * close the connection after the response: the server shuts its side
 * down, reads and drops what the client still sends for up to
 * linger_ms (so the client gets the response, not a reset), then closes.
 * Keep-alive: HTTP/1.1 unless "Connection: close", HTTP/1.0 only with
 * "Connection: keep-alive".
 *
 * Stop (ctl->stop_req): stop accepting and receiving, send the responses
 * already queued, close everything.
 *
 * Files: connections (accept, receive, buffer FIFOs) are iou_conn.bpf.h's,
 * as for echo; the parser is http_parse.h (shared with
 * samples/http-uring.c); bytes to queued responses is http_request.bpf.h;
 * sending responses, lingering, closing and the loop are here.
 */
#include "iouops.bpf.h"
#include "http_parse.h"

char LICENSE[] SEC("license") = "GPL";

#define MAX_CONNS	4096		/* slots in .bss; max_conns <= this */
#define BUF_CAP		4096		/* largest buffer ring */
#define BUF_SIZE	4096		/* iou_res.buf_size */
#define RQ		8		/* queued responses per connection */
#define NIOV		32		/* 3 per response: header, connection, body */
#define MSG_BYTES	1024		/* per connection: msghdr + iovecs */
#define CONN_BUFS	16		/* buffers held before throttling */

const volatile __u32 max_conns = 1024;	/* --set max_conns=N */
const volatile __u32 max_head = 8192;	/* request line + headers */
const volatile __u64 max_body = 1 << 20; /* request body, skipped */
const volatile __u32 linger_ms = 2000;	/* drain after a closing error */
const volatile __u32 msg_bytes = MSG_BYTES;
const volatile int listen_fd = -1;	/* from the loader's --listen */
const volatile struct http_files http_files;	/* from --root */

const volatile struct iou_res iou_res = {
	.bufs = 1024,
	.buf_size = BUF_SIZE,
	.bgid = 0,
	.files = 1024,
	.files_var = "max_conns",
	.files_max = MAX_CONNS,
	.cq_per_file = 6,
	.cq_extra = 256,
};

/* per connection: a msghdr and its iovecs; then the linger timespec */
IOU_SHM_NEED(64, "max_conns", "msg_bytes");

struct msg_area {		/* struct user_msghdr, with u64 pointers */
	__u64 name;
	__u32 namelen, __pad0;
	__u64 iov;
	__u64 iovlen;
	__u64 control;
	__u64 controllen;
	__u32 flags, __pad1;
	struct { __u64 base, len; } v[NIOV];
};
_Static_assert(sizeof(struct msg_area) <= MSG_BYTES, "msg area");

/* user_data: IOU_CONN_UD() with iou_conn.bpf.h's ops and these */
enum { HOP_SHUT = IOU_CONN_OP_PROG, HOP_LINGER };

enum {
	C_ACCEPTED, C_ACTIVE, C_CLOSED, C_REJECTED, C_REQUESTS, C_200, C_404,
	C_400, C_405, C_4XX_LIMIT, C_501, C_BYTES_IN, C_BYTES_OUT, C_CONN_ERR,
	C_NOBUFS, C_CQ_OVERFLOW, NR_COUNTERS
};
static const char counter_names[NR_COUNTERS][IOU_COUNTER_NAME_LEN] = {
	"accepted", "active", "closed", "rejected", "requests", "http_200",
	"http_404", "http_400", "http_405", "http_413_414_431", "http_501",
	"bytes_in", "bytes_out", "conn_errors", "nobufs", "cq_overflow",
};

/* struct conn.flags: IOU_CONN_F_* and these */
#define F_LAST		(IOU_CONN_F_PROG << 0)	/* a closing response is queued */
#define F_LINGER	(IOU_CONN_F_PROG << 1)	/* shut down: draining input */
#define F_SHUT		(IOU_CONN_F_PROG << 2)	/* shutdown in flight */
#define F_TIMER		(IOU_CONN_F_PROG << 3)	/* linger timeout armed */
#define F_ERRCLOSE	(IOU_CONN_F_PROG << 4)	/* the closing response is an error */

/* a queued response: file index << 8 | these */
#define Q_HEAD		(1U << 0)
#define Q_CLOSE		(1U << 1)

struct conn {
	IOU_CONN_MEMBER		/* state, flags, gen, the buffer FIFO */
	struct http_req req;	/* the parser: http_parse.h */
	__u64 body_left;
	/* responses */
	__u32 rq_head, rq_tail;
	__u32 rq[RQ];
	__u32 send_skip;	/* bytes of queued responses already sent */
	__u32 send_n;		/* responses in the sendmsg in flight */
	__u32 send_len;		/* its bytes */
	__u32 iov_n;		/* iovecs being filled */
};

struct conn conns[MAX_CONNS];
__u16 buf_next[BUF_CAP];
__u32 buf_len[BUF_CAP];
__u32 rearmq[2 * MAX_CONNS];

struct iou_srv st;
__u64 cnt[NR_COUNTERS];		/* published at the end of each step */
__u32 linger_ts_off;		/* the linger timespec in the region */

static __always_inline struct conn *conn_at(__u32 slot)
{
	return &conns[slot & (MAX_CONNS - 1)];
}

static __always_inline void maybe_recv(struct iou_ring *r, struct conn *c,
				       __u32 slot)
{
	if (c->state != IOU_CONN_OPEN || st.stopping || c->nbufs ||
	    (c->flags & (IOU_CONN_F_RECV | IOU_CONN_F_EOF | IOU_CONN_F_ERROR |
			 IOU_CONN_F_REARMQ)) ||
	    ((c->flags & F_LAST) && !(c->flags & F_LINGER)))
		return;
	iou_conn_arm_recv(r, &st, IOU_CONN(c), slot, 0);
}

static __always_inline void pop_head(__u8 *shm, struct conn *c)
{
	iou_conn_pop_buf(shm, &st, IOU_CONN(c), buf_next, BUF_CAP - 1);
}

static __always_inline void drop_queue(__u8 *shm, struct conn *c)
{
	int i;

	bpf_for(i, 0, CONN_BUFS + 2) {
		if (c->head == IOU_CONN_NO_BUF)
			break;
		pop_head(shm, c);
	}
}

/* ---- requests: parse, find the file, queue the response ---- */

#include "http_request.bpf.h"

/* ---- responses ---- */

struct piece { __u32 off, len; };

/* Piece p (0 header, 1 connection, 2 body) of queued response e. */
static __always_inline struct piece piece_of(__u8 *shm, __u32 e, int p)
{
	struct piece pc = {};
	__u32 idx = e >> 8, foff;
	struct http_file *f;

	if (p == 1) {
		int k = (e & Q_CLOSE) ? HTTP_CONN_CLOSE : HTTP_CONN_KEEPALIVE;

		pc.off = http_files.conn_off[k];
		pc.len = http_files.conn_len[k];
		return pc;
	}
	if (idx >= http_files.nfiles)
		return pc;
	foff = http_files.files_off + idx * sizeof(struct http_file);
	if (foff > iou_layout.mem_size - sizeof(struct http_file))
		return pc;
	f = (struct http_file *)(shm + foff);
	if (p == 0) {
		pc.off = f->hdr_off;
		pc.len = f->hdr_len;
	} else if (!(e & Q_HEAD)) {
		pc.off = f->body_off;
		pc.len = f->body_len;
	}
	return pc;
}

/* One sendmsg for every queued response (minus what already went). */
static __always_inline void send_queued(struct iou_ring *r, __u8 *shm,
					struct conn *c, __u32 slot)
{
	__u32 moff = IOU_CTL_SIZE + (slot & (MAX_CONNS - 1)) * MSG_BYTES;
	__u32 skip = c->send_skip, total = 0, nent = 0, n;
	struct io_uring_sqe *sqe;
	struct msg_area *m;
	int j;

	if ((c->flags & (IOU_CONN_F_SEND | IOU_CONN_F_ERROR)) ||
	    c->rq_head == c->rq_tail)
		return;
	if (moff > iou_layout.mem_size - sizeof(struct msg_area))
		return;
	m = (struct msg_area *)(shm + moff);
	c->iov_n = 0;
	bpf_for(j, 0, 3 * RQ) {
		__u32 q = c->rq_head + (__u32)j / 3;
		struct piece pc;

		if (q == c->rq_tail)
			break;
		pc = piece_of(shm, c->rq[q & (RQ - 1)], j % 3);
		if (j % 3 == 2)
			nent++;
		if (skip >= pc.len) {
			skip -= pc.len;
			continue;
		}
		n = c->iov_n;
		m->v[n & (NIOV - 1)].base = iou_shm_uaddr(pc.off + skip);
		m->v[n & (NIOV - 1)].len = pc.len - skip;
		c->iov_n = n + 1;
		total += pc.len - skip;
		skip = 0;
	}
	n = c->iov_n;
	if (!n)
		return;
	sqe = iou_srv_get_sqe(r, &st);
	if (!sqe)
		return;
	m->name = 0;
	m->namelen = 0;
	m->iov = iou_shm_uaddr(moff + offsetof(struct msg_area, v));
	m->iovlen = n;
	m->control = 0;
	m->controllen = 0;
	m->flags = 0;
	iou_prep_sendmsg(sqe, (int)slot, iou_shm_uaddr(moff),
			 MSG_NOSIGNAL | 0x100 /* MSG_WAITALL */,
			 IOU_CONN_UD(IOU_CONN_OP_SEND, c->gen, slot));
	sqe->flags = IOSQE_FIXED_FILE;
	c->send_n = nent;
	c->send_len = total;
	c->flags |= IOU_CONN_F_SEND;
	st.outstanding++;
}

/* Linger after the last response: shut our side, drain theirs. */
static __always_inline void start_linger(struct iou_ring *r, struct conn *c,
					 __u32 slot)
{
	struct io_uring_sqe *sqe = iou_srv_get_sqe(r, &st);

	if (!sqe)
		return;
	iou_prep_rw(sqe, IORING_OP_SHUTDOWN, (int)slot, 0, 1 /* SHUT_WR */, 0,
		    IOU_CONN_UD(HOP_SHUT, c->gen, slot));
	sqe->flags = IOSQE_FIXED_FILE;
	c->flags |= F_LINGER | F_SHUT;
	st.outstanding++;
	sqe = iou_srv_get_sqe(r, &st);
	if (!sqe)
		return;
	iou_prep_timeout(sqe, iou_shm_uaddr(linger_ts_off), 0, 0,
			 IOU_CONN_UD(HOP_LINGER, c->gen, slot));
	c->flags |= F_TIMER;
	st.outstanding++;
}

static __always_inline void maybe_close(struct iou_ring *r, __u8 *shm,
					struct conn *c, __u32 slot)
{
	struct io_uring_sqe *sqe;
	int done_sending = c->rq_head == c->rq_tail && !(c->flags & IOU_CONN_F_SEND);

	if (c->state != IOU_CONN_OPEN)
		return;
	if (c->flags & IOU_CONN_F_ERROR) {
		drop_queue(shm, c);
	} else if ((c->flags & (F_LAST | F_ERRCLOSE)) == (F_LAST | F_ERRCLOSE) &&
		   done_sending && !(c->flags & (F_LINGER | IOU_CONN_F_EOF)) &&
		   !st.stopping) {
		start_linger(r, c, slot);
		maybe_recv(r, c, slot);
		return;
	} else if (c->flags & F_LINGER) {
		if (!(c->flags & IOU_CONN_F_EOF) && c->flags & F_TIMER)
			return;		/* still draining */
		drop_queue(shm, c);
	} else if (!((c->flags & IOU_CONN_F_EOF) || st.stopping ||
		     (c->flags & F_LAST)) ||
		   !done_sending) {
		return;
	}
	if (c->flags & IOU_CONN_F_RECV) {
		iou_conn_cancel_recv(r, &st, IOU_CONN(c), slot);
		return;
	}
	if (c->flags & (IOU_CONN_F_SEND | F_SHUT))
		return;
	sqe = iou_srv_get_sqe(r, &st);
	if (!sqe)
		return;
	iou_prep_close_direct(sqe, slot, IOU_CONN_UD(IOU_CONN_OP_CLOSE, c->gen, slot));
	c->state = IOU_CONN_CLOSING;
	st.outstanding++;
}

/* ---- completions ---- */

static __always_inline void on_accept(struct iou_ring *r, __u8 *shm,
				      struct io_uring_cqe *cqe)
{
	struct conn *c;
	__u32 slot;

	if (iou_srv_accepted(&st, cqe) < 0) {
		if (cqe->res == -ENFILE)
			cnt[C_REJECTED]++;
		else if (cqe->res != -ECANCELED)
			cnt[C_CONN_ERR]++;
		return;
	}
	slot = (__u32)cqe->res;
	c = conn_at(slot);
	if (slot >= max_conns || c->state != IOU_CONN_FREE) {
		cnt[C_REJECTED]++;
		iou_srv_reject(r, &st, slot);
		return;
	}
	iou_conn_open(IOU_CONN(c));
	c->flags = 0;
	c->rq_head = c->rq_tail = 0;
	c->send_skip = c->send_n = c->send_len = 0;
	http_req_reset(&c->req);
	cnt[C_ACCEPTED]++;
	cnt[C_ACTIVE]++;
	maybe_recv(r, c, slot);
	maybe_close(r, shm, c, slot);
}

static __always_inline void on_recv(struct iou_ring *r, __u8 *shm,
				    struct io_uring_cqe *cqe, struct conn *c,
				    __u32 slot)
{
	__u32 bid, more = iou_conn_recv_cqe(&st, IOU_CONN(c), cqe);
	int res = cqe->res;

	if (res > 0 && (cqe->flags & IORING_CQE_F_BUFFER)) {
		bid = (cqe->flags >> IORING_CQE_BUFFER_SHIFT) & (BUF_CAP - 1);
		cnt[C_BYTES_IN] += res;
		if (c->req.ps == P_DEAD || (c->flags & IOU_CONN_F_ERROR)) {
			iou_bufring_recycle(shm, bid);	/* draining */
		} else {
			buf_len[bid] = res;
			iou_conn_push_buf(&st, IOU_CONN(c), buf_next,
					  BUF_CAP - 1, bid);
			process(shm, c);
			send_queued(r, shm, c, slot);
			/* a pipelining client that does not read: stop */
			if (more && c->nbufs >= CONN_BUFS)
				iou_conn_cancel_recv(r, &st, IOU_CONN(c), slot);
		}
		if (!more)
			maybe_recv(r, c, slot);
		maybe_close(r, shm, c, slot);
		return;
	}
	if (res == 0) {
		c->flags |= IOU_CONN_F_EOF;
	} else if (res == -ENOBUFS) {
		cnt[C_NOBUFS]++;
		if (!more)
			iou_conn_wait_bufs(&st, IOU_CONN(c), slot, rearmq,
					   2 * MAX_CONNS);
	} else if (res == -ECANCELED) {
		maybe_recv(r, c, slot);
	} else if (res < 0) {
		cnt[C_CONN_ERR]++;
		c->flags |= IOU_CONN_F_ERROR;
	}
	maybe_close(r, shm, c, slot);
}

static __always_inline void on_send(struct iou_ring *r, __u8 *shm,
				    struct io_uring_cqe *cqe, struct conn *c,
				    __u32 slot)
{
	int res = cqe->res;

	c->flags &= ~IOU_CONN_F_SEND;
	st.outstanding--;
	if (res > 0) {
		cnt[C_BYTES_OUT] += res;
		if ((__u32)res >= c->send_len) {
			c->rq_head += c->send_n;
			c->send_skip = 0;
		} else {
			c->send_skip += res;	/* the rest, from there */
		}
		process(shm, c);	/* room in the queue again */
		send_queued(r, shm, c, slot);
		maybe_recv(r, c, slot);
	} else {
		cnt[C_CONN_ERR]++;
		c->flags |= IOU_CONN_F_ERROR;
	}
	maybe_close(r, shm, c, slot);
}

static __always_inline void on_close(struct conn *c)
{
	iou_conn_closed(&st, IOU_CONN(c));
	cnt[C_ACTIVE]--;
	cnt[C_CLOSED]++;
}

static __always_inline void rearm_waiting(struct iou_ring *r, __u8 *shm)
{
	int i;

	bpf_for(i, 0, 64) {
		int e = iou_srv_next_waiting(&st, rearmq, 2 * MAX_CONNS);
		__u32 slot = IOU_CONN_RQ_SLOT((__u32)e);
		struct conn *c = conn_at(slot);

		if (e < 0)
			break;
		if (!iou_conn_take_waiting(IOU_CONN(c), (__u32)e))
			continue;
		maybe_recv(r, c, slot);
		maybe_close(r, shm, c, slot);
	}
}

static __always_inline void begin_stop(struct iou_ring *r, __u8 *shm)
{
	int i;

	st.stopping = 1;
	if (st.accept_armed)
		iou_srv_cancel(r, &st, IOU_CONN_UD(IOU_CONN_OP_ACCEPT, 0, 0));
	bpf_for(i, 0, MAX_CONNS) {
		__u32 slot = (__u32)i;
		struct conn *c;

		if (slot >= max_conns)
			break;
		c = conn_at(slot);
		if (c->state != IOU_CONN_OPEN)
			continue;
		c->flags &= ~IOU_CONN_F_REARMQ;
		iou_conn_cancel_recv(r, &st, IOU_CONN(c), slot);
		maybe_close(r, shm, c, slot);
	}
}

IOU_LOOP(http_step)
{
	struct io_uring_cqe *cqe;
	struct iou_ring r;
	__u8 *shm;
	int i;

	if (iou_ring_open(&r, ring))
		return IOU_LOOP_STOP;
	iou_counters_init(&r, counter_names, NR_COUNTERS);
	shm = iou_shm_all(&r);
	if (!shm)
		return iou_exit_error(r.ctl, -EFAULT, "shared region missing");
	if (!st.started) {
		__u64 ts = IOU_CTL_SIZE + (__u64)max_conns * MSG_BYTES;

		if (listen_fd < 0)
			return iou_exit_error(r.ctl, -EBADF,
				"no listening socket: run with --listen ADDR:PORT");
		if (http_files.magic != HTTP_FILES_MAGIC)
			return iou_exit_error(r.ctl, -EINVAL,
				"no file table: run with --root DIR");
		if (!iou_res.bufs || iou_res.bufs > BUF_CAP ||
		    iou_res.buf_size != BUF_SIZE || msg_bytes != MSG_BYTES ||
		    iou_res.files != max_conns || !max_conns ||
		    max_conns > MAX_CONNS || ts + 16 > iou_layout.mem_size)
			return iou_exit_error(r.ctl, -EINVAL,
				"bad config: %u buffers (max %d), max_conns %u (max %d)",
				iou_res.bufs, BUF_CAP, max_conns, MAX_CONNS);
		if (ts > iou_layout.mem_size - 16)
			return IOU_LOOP_STOP;
		linger_ts_off = (__u32)ts;
		*(__u64 *)(shm + ts) = linger_ms / 1000;
		*(__u64 *)(shm + ts + 8) = (__u64)(linger_ms % 1000) * 1000000;
		st.started = 1;
		iou_srv_arm_accept(&r, &st, listen_fd);
	}

	if (READ_ONCE(*iou_ring_u32(&r, iou_layout.sq_flags_off)) &
	    IORING_SQ_CQ_OVERFLOW)
		cnt[C_CQ_OVERFLOW]++;

	st.no_sleep = 0;
	iou_for_each_cqe(&r, cqe) {
		__u64 ud = cqe->user_data;
		__u32 op = IOU_CONN_UD_OP(ud), slot = IOU_CONN_UD_SLOT(ud);
		struct conn *c = conn_at(slot);

		if ((op != IOU_CONN_OP_RECV && op != IOU_CONN_OP_SEND) || cqe->res <= 0)
			st.no_sleep = 1;
		if (op == IOU_CONN_OP_ACCEPT) {
			on_accept(&r, shm, cqe);
			continue;
		}
		if (op == IOU_CONN_OP_CANCEL || op == IOU_CONN_OP_REJECT) {
			st.outstanding--;
			continue;
		}
		if (iou_conn_stale(IOU_CONN(c), ud)) {
			/* only a linger timer may outlive its connection */
			if (op == HOP_LINGER)
				st.outstanding--;
			if (cqe->flags & IORING_CQE_F_BUFFER)
				iou_bufring_recycle(shm, cqe->flags >>
						    IORING_CQE_BUFFER_SHIFT);
			continue;
		}
		if (op == IOU_CONN_OP_RECV)
			on_recv(&r, shm, cqe, c, slot);
		else if (op == IOU_CONN_OP_SEND)
			on_send(&r, shm, cqe, c, slot);
		else if (op == IOU_CONN_OP_CLOSE)
			on_close(c);
		else if (op == HOP_SHUT || op == HOP_LINGER) {
			st.outstanding--;
			c->flags &= op == HOP_SHUT ? ~F_SHUT : ~F_TIMER;
			maybe_close(&r, shm, c, slot);
		}
		if (st.failed)
			break;
	}
	iou_cq_commit(&r);

	if (!st.failed && !st.stopping && iou_stop_requested(&r))
		begin_stop(&r, shm);
	if (!st.failed && !st.stopping && !st.accept_armed)
		iou_srv_arm_accept(&r, &st, listen_fd);
	if (!st.failed)
		rearm_waiting(&r, shm);

	iou_srv_submit(&r, &st);
	bpf_for(i, 0, NR_COUNTERS)
		WRITE_ONCE(r.ctl->counters[i].value, cnt[i & 15]);
	if (st.failed)
		return iou_exit_error(r.ctl, st.fail_code,
				      "submitting SQEs failed (%d)", st.fail_code);
	if (st.stopping && !st.outstanding)
		return iou_exit_stopped(r.ctl,
			"%llu requests, %llu accepted, %llu closed, %llu bytes out",
			cnt[C_REQUESTS], cnt[C_ACCEPTED], cnt[C_CLOSED],
			cnt[C_BYTES_OUT]);
	/* as echo: no sleep after a step that closed or accepted (task work) */
	return iou_step_wait(&r, lp, st.no_sleep ? 0 : 1);
}

IOU_OPS(http_ops, http_step);
