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
 *
 * bookworm's liburing 2.3 has io_uring_register_buf_ring (not
 * io_uring_setup_buf_ring) and a uapi header without sqe->optlen: the
 * receive limit is written to file_index, the same 32 bits.
 */
#include <errno.h>
#include <getopt.h>
#include <liburing.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "iouops.h"

#ifndef IORING_SETUP_DEFER_TASKRUN
#define IORING_SETUP_SINGLE_ISSUER	(1U << 12)
#define IORING_SETUP_DEFER_TASKRUN	(1U << 13)
#endif

#define NBUFS		4096
#define BUF_SIZE	4096
#define BGID		0
#define CONN_BYTES	65536
#define CONN_BUFS	32
#define NO_BUF		0xffff

enum { OP_ACCEPT = 1, OP_RECV, OP_SEND, OP_CLOSE, OP_CANCEL };
#define UD(op, gen, slot) (((uint64_t)(op) << 56) | ((uint64_t)((gen) & 0xffff) << 32) | (slot))

enum { CONN_FREE, CONN_OPEN, CONN_CLOSING };
#define F_RECV		(1U << 0)
#define F_SEND		(1U << 1)
#define F_EOF		(1U << 2)
#define F_ERROR		(1U << 3)
#define F_DRAIN		(1U << 4)
#define F_CANCEL	(1U << 5)
#define F_REARMQ	(1U << 6)

struct conn {
	uint32_t state, flags, gen, head, tail, nbufs, head_off, pending;
};

static struct io_uring ring;
static struct io_uring_buf_ring *br;
static uint8_t *bufs;
static struct conn *conns;
static uint16_t buf_next[NBUFS];
static uint32_t buf_len[NBUFS];
static uint32_t *rearmq, rq_head, rq_tail, rq_cap;
static unsigned max_conns = 1024, outstanding, held_bufs;
static bool accept_armed, stopping;
static int listen_fd;
static volatile sig_atomic_t stop_req;
static uint64_t accepted, active, closed, rejected, bytes_in, bytes_out,
		dropped, eofs, errors, nobufs, throttled;

static void on_signal(int sig)
{
	(void)sig;
	stop_req = 1;
}

static struct io_uring_sqe *get_sqe(void)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);

	if (!sqe) {
		io_uring_submit(&ring);
		sqe = io_uring_get_sqe(&ring);
	}
	if (!sqe) {
		fprintf(stderr, "echo-uring: SQ full\n");
		exit(1);
	}
	return sqe;
}

static void recycle(unsigned bid)
{
	io_uring_buf_ring_add(br, bufs + (size_t)bid * BUF_SIZE, BUF_SIZE,
			      (unsigned short)bid, io_uring_buf_ring_mask(NBUFS), 0);
	io_uring_buf_ring_advance(br, 1);
}

static void arm_accept(void)
{
	struct io_uring_sqe *sqe = get_sqe();

	io_uring_prep_multishot_accept_direct(sqe, listen_fd, NULL, NULL, 0);
	io_uring_sqe_set_data64(sqe, UD(OP_ACCEPT, 0, 0));
	accept_armed = true;
	outstanding++;
}

static void cancel_ud(uint64_t target)
{
	struct io_uring_sqe *sqe = get_sqe();

	io_uring_prep_cancel64(sqe, target, 0);
	io_uring_sqe_set_data64(sqe, UD(OP_CANCEL, 0, 0));
	outstanding++;
}

static void cancel_recv(struct conn *c, unsigned slot)
{
	if (!(c->flags & F_RECV) || (c->flags & F_CANCEL))
		return;
	c->flags |= F_CANCEL;
	cancel_ud(UD(OP_RECV, c->gen, slot));
}

static void maybe_recv(struct conn *c, unsigned slot)
{
	struct io_uring_sqe *sqe;

	if (c->state != CONN_OPEN || stopping ||
	    (c->flags & (F_RECV | F_EOF | F_ERROR | F_DRAIN | F_REARMQ)) ||
	    c->pending > CONN_BYTES / 2 || c->nbufs > CONN_BUFS / 2)
		return;
	sqe = get_sqe();
	io_uring_prep_recv_multishot(sqe, (int)slot, NULL, 0, 0);
	sqe->flags |= IOSQE_FIXED_FILE | IOSQE_BUFFER_SELECT;
	sqe->buf_group = BGID;
	sqe->file_index = CONN_BYTES - c->pending;	/* = optlen: byte limit */
	io_uring_sqe_set_data64(sqe, UD(OP_RECV, c->gen, slot));
	c->flags |= F_RECV;
	outstanding++;
}

static void send_head(struct conn *c, unsigned slot)
{
	struct io_uring_sqe *sqe;

	if ((c->flags & (F_SEND | F_ERROR)) || c->head == NO_BUF)
		return;
	sqe = get_sqe();
	io_uring_prep_send(sqe, (int)slot,
			   bufs + (size_t)c->head * BUF_SIZE + c->head_off,
			   buf_len[c->head] - c->head_off, MSG_NOSIGNAL);
	sqe->flags |= IOSQE_FIXED_FILE;
	io_uring_sqe_set_data64(sqe, UD(OP_SEND, c->gen, slot));
	c->flags |= F_SEND;
	outstanding++;
}

static void pop_head(struct conn *c)
{
	unsigned bid = c->head;

	c->head = buf_next[bid];
	if (c->head == NO_BUF)
		c->tail = NO_BUF;
	c->head_off = 0;
	c->nbufs--;
	held_bufs--;
	recycle(bid);
}

static void drop_queue(struct conn *c)
{
	while (c->head != NO_BUF)
		pop_head(c);
	dropped += c->pending;
	c->pending = 0;
}

static void maybe_close(struct conn *c, unsigned slot)
{
	struct io_uring_sqe *sqe;

	if (c->state != CONN_OPEN)
		return;
	if (!(c->flags & F_ERROR) &&
	    !((c->flags & (F_EOF | F_DRAIN)) && c->head == NO_BUF))
		return;
	if (c->flags & F_RECV) {
		cancel_recv(c, slot);
		return;
	}
	if (c->flags & F_SEND)
		return;
	sqe = get_sqe();
	io_uring_prep_close_direct(sqe, slot);
	io_uring_sqe_set_data64(sqe, UD(OP_CLOSE, c->gen, slot));
	c->state = CONN_CLOSING;
	outstanding++;
}

static void on_accept(struct io_uring_cqe *cqe)
{
	struct conn *c;

	if (!(cqe->flags & IORING_CQE_F_MORE)) {
		accept_armed = false;
		outstanding--;
	}
	if (cqe->res < 0) {
		if (cqe->res == -ENFILE)
			rejected++;
		else if (cqe->res != -ECANCELED)
			errors++;
		return;
	}
	c = &conns[cqe->res];
	c->state = CONN_OPEN;
	c->flags = stopping ? F_DRAIN : 0;
	c->gen++;
	c->head = c->tail = NO_BUF;
	c->nbufs = c->head_off = c->pending = 0;
	accepted++;
	active++;
	maybe_recv(c, (unsigned)cqe->res);
	maybe_close(c, (unsigned)cqe->res);
}

static void on_recv(struct io_uring_cqe *cqe, struct conn *c, unsigned slot)
{
	bool more = cqe->flags & IORING_CQE_F_MORE;
	unsigned bid;

	if (!more) {
		c->flags &= ~(F_RECV | F_CANCEL);
		outstanding--;
	}
	if (cqe->res > 0 && (cqe->flags & IORING_CQE_F_BUFFER)) {
		bid = cqe->flags >> IORING_CQE_BUFFER_SHIFT;
		held_bufs++;
		bytes_in += (uint64_t)cqe->res;
		if (c->flags & F_ERROR) {
			dropped += (uint64_t)cqe->res;
			held_bufs--;
			recycle(bid);
			return;
		}
		buf_len[bid] = (uint32_t)cqe->res;
		buf_next[bid] = NO_BUF;
		if (c->tail == NO_BUF)
			c->head = bid;
		else
			buf_next[c->tail] = (uint16_t)bid;
		c->tail = bid;
		c->nbufs++;
		c->pending += (uint32_t)cqe->res;
		send_head(c, slot);
		if (more && c->nbufs >= CONN_BUFS && !(c->flags & F_CANCEL)) {
			throttled++;
			cancel_recv(c, slot);
		}
		if (!more) {
			if (c->pending >= CONN_BYTES)
				throttled++;
			maybe_recv(c, slot);
		}
		return;
	}
	if (cqe->res == 0) {
		c->flags |= F_EOF;
		eofs++;
	} else if (cqe->res == -ENOBUFS) {
		nobufs++;
		if (!more && !(c->flags & F_REARMQ)) {
			rearmq[rq_tail++ % rq_cap] = (c->gen & 0xffff) << 16 | slot;
			c->flags |= F_REARMQ;
		}
	} else if (cqe->res == -ECANCELED) {
		maybe_recv(c, slot);
	} else if (cqe->res < 0) {
		errors++;
		c->flags |= F_ERROR;
		drop_queue(c);
	}
	maybe_close(c, slot);
}

static void on_send(struct io_uring_cqe *cqe, struct conn *c, unsigned slot)
{
	c->flags &= ~F_SEND;
	outstanding--;
	if (cqe->res > 0 && c->head != NO_BUF) {
		bytes_out += (uint64_t)cqe->res;
		c->head_off += (uint32_t)cqe->res;
		c->pending -= (uint32_t)cqe->res;
		if (c->head_off >= buf_len[c->head])
			pop_head(c);
		send_head(c, slot);
		maybe_recv(c, slot);
	} else if (!(c->flags & F_ERROR)) {
		errors++;
		c->flags |= F_ERROR;
		drop_queue(c);
	}
	maybe_close(c, slot);
}

static void begin_stop(void)
{
	stopping = true;
	if (accept_armed)
		cancel_ud(UD(OP_ACCEPT, 0, 0));
	for (unsigned slot = 0; slot < max_conns; slot++) {
		struct conn *c = &conns[slot];

		if (c->state != CONN_OPEN)
			continue;
		c->flags |= F_DRAIN;
		c->flags &= ~F_REARMQ;
		cancel_recv(c, slot);
		maybe_close(c, slot);
	}
}

static int setup(const char *listen_s)
{
	struct io_uring_params p = { .flags = IORING_SETUP_SINGLE_ISSUER |
					      IORING_SETUP_DEFER_TASKRUN |
					      IORING_SETUP_CQSIZE };
	struct io_uring_buf_reg reg = { 0 };
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	struct rlimit rl;
	char name[80];
	int one = 1, err;

	if (iou_parse_sockaddr(listen_s, &ss)) {
		fprintf(stderr, "echo-uring: --listen '%s': expected IPv4:PORT "
			"or [IPv6]:PORT\n", listen_s);
		return 2;
	}
	listen_fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	setsockopt(listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (listen_fd < 0 || bind(listen_fd, (struct sockaddr *)&ss, sizeof(ss)) ||
	    listen(listen_fd, SOMAXCONN) ||
	    getsockname(listen_fd, (struct sockaddr *)&ss, &sl)) {
		fprintf(stderr, "echo-uring: --listen %s: %s\n", listen_s,
			strerror(errno));
		return 1;
	}
	/* the CQ as the loader sizes it for echo.bpf.c */
	p.cq_entries = 16384;
	err = io_uring_queue_init_params(64, &ring, &p);
	if (err) {
		fprintf(stderr, "echo-uring: io_uring_queue_init: %s\n",
			strerror(-err));
		return 1;
	}
	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < max_conns) {
		rl.rlim_cur = rl.rlim_max = max_conns;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	err = io_uring_register_files_sparse(&ring, max_conns);
	if (err) {
		fprintf(stderr, "echo-uring: %u fixed files: %s\n", max_conns,
			strerror(-err));
		return 1;
	}
	br = mmap(NULL, NBUFS * sizeof(struct io_uring_buf), PROT_READ |
		  PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	bufs = mmap(NULL, (size_t)NBUFS * BUF_SIZE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	conns = calloc(max_conns, sizeof(*conns));
	rq_cap = 2 * max_conns;
	rearmq = calloc(rq_cap, sizeof(*rearmq));
	if (br == MAP_FAILED || bufs == MAP_FAILED || !conns || !rearmq)
		return 1;
	io_uring_buf_ring_init(br);
	reg.ring_addr = (uintptr_t)br;
	reg.ring_entries = NBUFS;
	reg.bgid = BGID;
	err = io_uring_register_buf_ring(&ring, &reg, 0);
	if (err) {
		fprintf(stderr, "echo-uring: buffer ring: %s\n", strerror(-err));
		return 1;
	}
	for (unsigned i = 0; i < NBUFS; i++)
		recycle(i);
	iou_format_sockaddr(&ss, name, sizeof(name));
	printf("listening on %s\n", name);
	fflush(stdout);
	return 0;
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
	struct sigaction sa;
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
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	arm_accept();
	while (!stopping || outstanding) {
		struct io_uring_cqe *cqe;
		unsigned head, n = 0;

		err = io_uring_submit_and_wait(&ring, 1);
		if (err < 0 && err != -EINTR) {
			fprintf(stderr, "echo-uring: io_uring_enter: %s\n",
				strerror(-err));
			return 1;
		}
		io_uring_for_each_cqe(&ring, head, cqe) {
			uint64_t ud = cqe->user_data;
			unsigned op = (unsigned)(ud >> 56), slot = (uint32_t)ud;
			struct conn *cn = &conns[slot % max_conns];

			n++;
			if (op == OP_ACCEPT) {
				on_accept(cqe);
			} else if (op == OP_CANCEL) {
				outstanding--;
			} else if (op == OP_RECV) {
				on_recv(cqe, cn, slot);
			} else if (op == OP_SEND) {
				on_send(cqe, cn, slot);
			} else if (op == OP_CLOSE) {
				cn->state = CONN_FREE;
				cn->flags = 0;
				outstanding--;
				active--;
				closed++;
			}
		}
		io_uring_cq_advance(&ring, n);
		if (stop_req && !stopping)
			begin_stop();
		if (!stopping && !accept_armed)
			arm_accept();
		for (int i = 0; i < 64 && rq_head != rq_tail &&
				held_bufs < NBUFS; i++) {
			uint32_t e = rearmq[rq_head++ % rq_cap];
			struct conn *cn = &conns[(e & 0xffff) % max_conns];

			if (cn->state != CONN_OPEN || (cn->gen & 0xffff) != e >> 16 ||
			    !(cn->flags & F_REARMQ))
				continue;
			cn->flags &= ~F_REARMQ;
			maybe_recv(cn, e & 0xffff);
			maybe_close(cn, e & 0xffff);
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
	io_uring_queue_exit(&ring);
	return 0;
usage:
	fprintf(stderr, "usage: echo-uring --listen ADDR:PORT [--max-conns N]\n");
	return 2;
}
