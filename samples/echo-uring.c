// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * echo-uring: progs/echo.bpf.c's design as a userspace liburing loop, the
 * baseline for the in-kernel server.
 *
 *	echo-uring --listen 127.0.0.1:7777 [--max-conns N]
 *
 * Same ring (SINGLE_ISSUER | DEFER_TASKRUN), same resources (sparse
 * fixed-file table of max_conns slots, 4096 x 4 KiB provided buffer ring),
 * same requests (multishot accept direct, multishot recv with buffer
 * select and a byte limit, one send in flight per connection, close
 * direct), same bounds. The only difference: every batch of completions
 * goes back to userspace through io_uring_enter().
 * The user_data encoding, the connection record and the sizes are
 * progs/echo_shared.h, which the BPF program includes too; the ring,
 * listening socket and buffer ring are uring_server.h's, as for
 * http-uring.
 *
 * bookworm's liburing 2.3 has a uapi header without sqe->optlen: the
 * receive limit is written to file_index, the same 32 bits.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <unistd.h>

#include "echo_shared.h"
#define SRV_NBUFS	ECHO_NBUFS
#define SRV_BUF_SIZE	ECHO_BUF_SIZE
#include "uring_server.h"

/* user_data, connection record, states, flags and sizes: echo_shared.h */

static struct uring_server srv = { .name = "echo-uring" };
static struct echo_conn *conns;
static uint16_t buf_next[ECHO_NBUFS];
static uint32_t buf_len[ECHO_NBUFS];
static uint32_t *rearmq, rq_head, rq_tail, rq_cap;
static unsigned max_conns = ECHO_MAX_CONNS, held_bufs;
static bool stopping;
static uint64_t accepted, active, closed, rejected, bytes_in, bytes_out,
		dropped, eofs, errors, nobufs, throttled;

static void cancel_recv(struct echo_conn *c, unsigned slot)
{
	if (!(c->flags & ECHO_F_RECV) || (c->flags & ECHO_F_CANCEL))
		return;
	c->flags |= ECHO_F_CANCEL;
	srv_cancel(&srv, ECHO_UD(ECHO_OP_RECV, c->gen, slot),
		   ECHO_UD(ECHO_OP_CANCEL, 0, 0));
}

static void maybe_recv(struct echo_conn *c, unsigned slot)
{
	struct io_uring_sqe *sqe;

	if (!echo_may_recv(c, stopping, ECHO_CONN_BYTES, ECHO_CONN_BUFS))
		return;
	sqe = srv_get_sqe(&srv);
	io_uring_prep_recv_multishot(sqe, (int)slot, NULL, 0, 0);
	sqe->flags |= IOSQE_FIXED_FILE | IOSQE_BUFFER_SELECT;
	sqe->buf_group = ECHO_BGID;
	sqe->file_index = ECHO_CONN_BYTES - c->pending;	/* = optlen: limit */
	io_uring_sqe_set_data64(sqe, ECHO_UD(ECHO_OP_RECV, c->gen, slot));
	c->flags |= ECHO_F_RECV;
	srv.outstanding++;
}

static void send_head(struct echo_conn *c, unsigned slot)
{
	struct io_uring_sqe *sqe;

	if ((c->flags & (ECHO_F_SEND | ECHO_F_ERROR)) || c->head == ECHO_NO_BUF)
		return;
	sqe = srv_get_sqe(&srv);
	io_uring_prep_send(sqe, (int)slot,
			   srv.bufs + (size_t)c->head * ECHO_BUF_SIZE + c->head_off,
			   buf_len[c->head] - c->head_off, MSG_NOSIGNAL);
	sqe->flags |= IOSQE_FIXED_FILE;
	io_uring_sqe_set_data64(sqe, ECHO_UD(ECHO_OP_SEND, c->gen, slot));
	c->flags |= ECHO_F_SEND;
	srv.outstanding++;
}

static void pop_head(struct echo_conn *c)
{
	unsigned bid = c->head;

	c->head = buf_next[bid];
	if (c->head == ECHO_NO_BUF)
		c->tail = ECHO_NO_BUF;
	c->head_off = 0;
	c->nbufs--;
	held_bufs--;
	srv_recycle(&srv, bid);
}

static void drop_queue(struct echo_conn *c)
{
	while (c->head != ECHO_NO_BUF)
		pop_head(c);
	dropped += c->pending;
	c->pending = 0;
}

static void maybe_close(struct echo_conn *c, unsigned slot)
{
	struct io_uring_sqe *sqe;

	if (!echo_finished(c))
		return;
	if (c->flags & ECHO_F_RECV) {
		cancel_recv(c, slot);
		return;
	}
	if (c->flags & ECHO_F_SEND)
		return;
	sqe = srv_get_sqe(&srv);
	io_uring_prep_close_direct(sqe, slot);
	io_uring_sqe_set_data64(sqe, ECHO_UD(ECHO_OP_CLOSE, c->gen, slot));
	c->state = ECHO_CONN_CLOSING;
	srv.outstanding++;
}

static void on_accept(struct io_uring_cqe *cqe)
{
	struct echo_conn *c;

	if (!(cqe->flags & IORING_CQE_F_MORE)) {
		srv.accept_armed = false;
		srv.outstanding--;
	}
	if (cqe->res < 0) {
		if (cqe->res == -ENFILE)
			rejected++;
		else if (cqe->res != -ECANCELED)
			errors++;
		return;
	}
	c = &conns[cqe->res];
	c->state = ECHO_CONN_OPEN;
	c->flags = stopping ? ECHO_F_DRAIN : 0;
	c->gen++;
	c->head = c->tail = ECHO_NO_BUF;
	c->nbufs = c->head_off = c->pending = 0;
	accepted++;
	active++;
	maybe_recv(c, (unsigned)cqe->res);
	maybe_close(c, (unsigned)cqe->res);
}

static void on_recv(struct io_uring_cqe *cqe, struct echo_conn *c,
		    unsigned slot)
{
	bool more = cqe->flags & IORING_CQE_F_MORE;
	unsigned bid;

	if (!more) {
		c->flags &= ~(ECHO_F_RECV | ECHO_F_CANCEL);
		srv.outstanding--;
	}
	if (cqe->res > 0 && (cqe->flags & IORING_CQE_F_BUFFER)) {
		bid = cqe->flags >> IORING_CQE_BUFFER_SHIFT;
		held_bufs++;
		bytes_in += (uint64_t)cqe->res;
		if (c->flags & ECHO_F_ERROR) {
			dropped += (uint64_t)cqe->res;
			held_bufs--;
			srv_recycle(&srv, bid);
			return;
		}
		buf_len[bid] = (uint32_t)cqe->res;
		buf_next[bid] = ECHO_NO_BUF;
		if (c->tail == ECHO_NO_BUF)
			c->head = bid;
		else
			buf_next[c->tail] = (uint16_t)bid;
		c->tail = bid;
		c->nbufs++;
		c->pending += (uint32_t)cqe->res;
		send_head(c, slot);
		if (more && c->nbufs >= ECHO_CONN_BUFS &&
		    !(c->flags & ECHO_F_CANCEL)) {
			throttled++;
			cancel_recv(c, slot);
		}
		if (!more) {
			if (c->pending >= ECHO_CONN_BYTES)
				throttled++;
			maybe_recv(c, slot);
		}
		return;
	}
	if (cqe->res == 0) {
		c->flags |= ECHO_F_EOF;
		eofs++;
	} else if (cqe->res == -ENOBUFS) {
		nobufs++;
		if (!more && !(c->flags & ECHO_F_REARMQ)) {
			rearmq[rq_tail++ % rq_cap] =
				ECHO_RQ_ENTRY(c->gen, slot);
			c->flags |= ECHO_F_REARMQ;
		}
	} else if (cqe->res == -ECANCELED) {
		maybe_recv(c, slot);
	} else if (cqe->res < 0) {
		errors++;
		c->flags |= ECHO_F_ERROR;
		drop_queue(c);
	}
	maybe_close(c, slot);
}

static void on_send(struct io_uring_cqe *cqe, struct echo_conn *c,
		    unsigned slot)
{
	c->flags &= ~ECHO_F_SEND;
	srv.outstanding--;
	if (cqe->res > 0 && c->head != ECHO_NO_BUF) {
		bytes_out += (uint64_t)cqe->res;
		c->head_off += (uint32_t)cqe->res;
		c->pending -= (uint32_t)cqe->res;
		if (c->head_off >= buf_len[c->head])
			pop_head(c);
		send_head(c, slot);
		maybe_recv(c, slot);
	} else if (!(c->flags & ECHO_F_ERROR)) {
		errors++;
		c->flags |= ECHO_F_ERROR;
		drop_queue(c);
	}
	maybe_close(c, slot);
}

static void begin_stop(void)
{
	stopping = true;
	if (srv.accept_armed)
		srv_cancel(&srv, ECHO_UD(ECHO_OP_ACCEPT, 0, 0),
			   ECHO_UD(ECHO_OP_CANCEL, 0, 0));
	for (unsigned slot = 0; slot < max_conns; slot++) {
		struct echo_conn *c = &conns[slot];

		if (c->state != ECHO_CONN_OPEN)
			continue;
		c->flags |= ECHO_F_DRAIN;
		c->flags &= ~ECHO_F_REARMQ;
		cancel_recv(c, slot);
		maybe_close(c, slot);
	}
}

static int setup(const char *listen_s)
{
	conns = calloc(max_conns, sizeof(*conns));
	rq_cap = 2 * max_conns;
	rearmq = calloc(rq_cap, sizeof(*rearmq));
	if (!conns || !rearmq)
		return 1;
	/* the CQ as the loader sizes it for echo.bpf.c */
	return srv_setup(&srv, listen_s, 16384, max_conns, ECHO_BGID);
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "max-conns", required_argument, NULL, 'm' },
		{ 0 },
	};
	unsigned long long v;
	const char *listen_s = NULL;
	int c, err;

	while ((c = getopt_long(argc, argv, "l:m:", lo, NULL)) != -1) {
		if (c == 'l')
			listen_s = optarg;
		else if (c == 'm' && !iou_parse_size(optarg, &v) && v &&
			 v <= 65536)
			max_conns = (unsigned)v;
		else
			goto usage;
	}
	if (!listen_s || optind != argc)
		goto usage;
	err = setup(listen_s);
	if (err)
		return err;
	srv_catch_signals();

	srv_arm_accept(&srv, ECHO_UD(ECHO_OP_ACCEPT, 0, 0));
	while (!stopping || srv.outstanding) {
		struct io_uring_cqe *cqe;
		unsigned head, n = 0;

		if (srv_submit_and_wait(&srv))
			return 1;
		io_uring_for_each_cqe(&srv.ring, head, cqe) {
			uint64_t ud = cqe->user_data;
			unsigned op = ECHO_UD_OP(ud), slot = ECHO_UD_SLOT(ud);
			struct echo_conn *cn = &conns[slot % max_conns];

			n++;
			if (op == ECHO_OP_ACCEPT) {
				on_accept(cqe);
			} else if (op == ECHO_OP_CANCEL) {
				srv.outstanding--;
			} else if (op == ECHO_OP_RECV) {
				on_recv(cqe, cn, slot);
			} else if (op == ECHO_OP_SEND) {
				on_send(cqe, cn, slot);
			} else if (op == ECHO_OP_CLOSE) {
				cn->state = ECHO_CONN_FREE;
				cn->flags = 0;
				srv.outstanding--;
				active--;
				closed++;
			}
		}
		io_uring_cq_advance(&srv.ring, n);
		if (srv_stop_req && !stopping)
			begin_stop();
		if (!stopping && !srv.accept_armed)
			srv_arm_accept(&srv, ECHO_UD(ECHO_OP_ACCEPT, 0, 0));
		for (int i = 0; i < 64 && rq_head != rq_tail &&
				held_bufs < ECHO_NBUFS; i++) {
			uint32_t e = rearmq[rq_head++ % rq_cap];
			unsigned slot = ECHO_RQ_SLOT(e);
			struct echo_conn *cn = &conns[slot % max_conns];

			if (cn->state != ECHO_CONN_OPEN ||
			    (cn->gen & 0xffff) != ECHO_RQ_GEN(e) ||
			    !(cn->flags & ECHO_F_REARMQ))
				continue;
			cn->flags &= ~ECHO_F_REARMQ;
			maybe_recv(cn, slot);
			maybe_close(cn, slot);
		}
	}
	printf("accepted=%llu active=%llu closed=%llu rejected=%llu "
	       "bytes_in=%llu bytes_out=%llu bytes_dropped=%llu eof=%llu "
	       "errors=%llu nobufs=%llu throttled=%llu\n",
	       (unsigned long long)accepted, (unsigned long long)active,
	       (unsigned long long)closed, (unsigned long long)rejected,
	       (unsigned long long)bytes_in, (unsigned long long)bytes_out,
	       (unsigned long long)dropped, (unsigned long long)eofs,
	       (unsigned long long)errors, (unsigned long long)nobufs,
	       (unsigned long long)throttled);
	io_uring_queue_exit(&srv.ring);
	return 0;
usage:
	fprintf(stderr, "usage: echo-uring --listen ADDR:PORT [--max-conns N]\n");
	return 2;
}
