/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * uring_server.h - what the userspace liburing baselines of the TCP
 * servers (samples/echo-uring.c, samples/http-uring.c) share, as their
 * BPF programs share progs/iou_conn.bpf.h: a listening socket, a ring
 * with SINGLE_ISSUER | DEFER_TASKRUN, a sparse fixed-file table of
 * max_conns slots, a provided buffer ring, getting SQEs, the multishot
 * accept and cancels. Header-only (static functions), one server each;
 * the includer defines SRV_NBUFS (a power of 2) and SRV_BUF_SIZE, the
 * buffer ring's geometry, as constants so recycling costs what it did
 * written out.
 *
 * bookworm's liburing 2.3 has io_uring_register_buf_ring (not
 * io_uring_setup_buf_ring).
 */
#ifndef IOUOPS_URING_SERVER_H
#define IOUOPS_URING_SERVER_H

#include <errno.h>
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

#include "iouops.h"

#if !defined(SRV_NBUFS) || !defined(SRV_BUF_SIZE)
#error "define SRV_NBUFS and SRV_BUF_SIZE before including uring_server.h"
#endif

#ifndef IORING_SETUP_DEFER_TASKRUN
#define IORING_SETUP_SINGLE_ISSUER	(1U << 12)
#define IORING_SETUP_DEFER_TASKRUN	(1U << 13)
#endif

struct uring_server {
	const char *name;	/* the program, for messages */
	struct io_uring ring;
	struct io_uring_buf_ring *br;
	uint8_t *bufs;
	int listen_fd;
	unsigned outstanding;	/* requests whose last CQE has not come */
	bool accept_armed;
};

/* Set by SIGINT or SIGTERM once srv_catch_signals() ran: stop. */
static volatile sig_atomic_t srv_stop_req;

static void srv_on_signal(int sig)
{
	(void)sig;
	srv_stop_req = 1;
}

static void srv_catch_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = srv_on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

/* Submit and wait for a CQE: 0, or -1 once said why (a signal is 0). */
static int srv_submit_and_wait(struct uring_server *s)
{
	int err = io_uring_submit_and_wait(&s->ring, 1);

	if (err < 0 && err != -EINTR) {
		fprintf(stderr, "%s: io_uring_enter: %s\n", s->name,
			strerror(-err));
		return -1;
	}
	return 0;
}

/* An SQE, submitting the ones prepared so far when the SQ is full. */
static struct io_uring_sqe *srv_get_sqe(struct uring_server *s)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&s->ring);

	if (!sqe) {
		io_uring_submit(&s->ring);
		sqe = io_uring_get_sqe(&s->ring);
	}
	if (!sqe) {
		fprintf(stderr, "%s: SQ full\n", s->name);
		exit(1);
	}
	return sqe;
}

/* Give buffer bid back to the ring. */
static void srv_recycle(struct uring_server *s, unsigned bid)
{
	io_uring_buf_ring_add(s->br, s->bufs + (size_t)bid * SRV_BUF_SIZE,
			      SRV_BUF_SIZE, (unsigned short)bid,
			      io_uring_buf_ring_mask(SRV_NBUFS), 0);
	io_uring_buf_ring_advance(s->br, 1);
}

/* Multishot accept straight into the fixed-file table. */
static void srv_arm_accept(struct uring_server *s, uint64_t ud)
{
	struct io_uring_sqe *sqe = srv_get_sqe(s);

	io_uring_prep_multishot_accept_direct(sqe, s->listen_fd, NULL, NULL, 0);
	io_uring_sqe_set_data64(sqe, ud);
	s->accept_armed = true;
	s->outstanding++;
}

/* Cancel the request whose user_data is target. */
static void srv_cancel(struct uring_server *s, uint64_t target, uint64_t ud)
{
	struct io_uring_sqe *sqe = srv_get_sqe(s);

	io_uring_prep_cancel64(sqe, target, 0);
	io_uring_sqe_set_data64(sqe, ud);
	s->outstanding++;
}

/*
 * Listen on listen_s, set the ring up (CQ of cq_entries, as the loader
 * sizes it for the BPF program), max_conns fixed-file slots and the
 * buffer ring (group bgid, all buffers in it), then say
 * "listening on ADDR". Returns an exit status: 0, 1, or 2 for a bad
 * address.
 */
static int srv_setup(struct uring_server *s, const char *listen_s,
		     unsigned cq_entries, unsigned max_conns, unsigned bgid)
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
		fprintf(stderr, "%s: --listen '%s': expected IPv4:PORT "
			"or [IPv6]:PORT\n", s->name, listen_s);
		return 2;
	}
	s->listen_fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	setsockopt(s->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (s->listen_fd < 0 ||
	    bind(s->listen_fd, (struct sockaddr *)&ss, sizeof(ss)) ||
	    listen(s->listen_fd, SOMAXCONN) ||
	    getsockname(s->listen_fd, (struct sockaddr *)&ss, &sl)) {
		fprintf(stderr, "%s: --listen %s: %s\n", s->name, listen_s,
			strerror(errno));
		return 1;
	}
	p.cq_entries = cq_entries;
	err = io_uring_queue_init_params(64, &s->ring, &p);
	if (err) {
		fprintf(stderr, "%s: io_uring_queue_init: %s\n", s->name,
			strerror(-err));
		return 1;
	}
	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < max_conns) {
		rl.rlim_cur = rl.rlim_max = max_conns;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	err = io_uring_register_files_sparse(&s->ring, max_conns);
	if (err) {
		fprintf(stderr, "%s: %u fixed files: %s\n", s->name, max_conns,
			strerror(-err));
		return 1;
	}
	s->br = mmap(NULL, SRV_NBUFS * sizeof(struct io_uring_buf),
		     PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	s->bufs = mmap(NULL, (size_t)SRV_NBUFS * SRV_BUF_SIZE,
		       PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);
	if (s->br == MAP_FAILED || s->bufs == MAP_FAILED)
		return 1;
	io_uring_buf_ring_init(s->br);
	reg.ring_addr = (uintptr_t)s->br;
	reg.ring_entries = SRV_NBUFS;
	reg.bgid = bgid;
	err = io_uring_register_buf_ring(&s->ring, &reg, 0);
	if (err) {
		fprintf(stderr, "%s: buffer ring: %s\n", s->name,
			strerror(-err));
		return 1;
	}
	for (unsigned i = 0; i < SRV_NBUFS; i++)
		srv_recycle(s, i);
	iou_format_sockaddr(&ss, name, sizeof(name));
	printf("listening on %s\n", name);
	fflush(stdout);
	return 0;
}

#endif /* IOUOPS_URING_SERVER_H */
