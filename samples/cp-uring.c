// SPDX-License-Identifier: GPL-2.0
/*
 * cp-uring: the userspace baseline for progs/cp.bpf.c. The same copy, QD
 * blocks of BS bytes in flight through read -> write, short reads and
 * writes resubmitted, EOF from a zero read, driven by a userspace
 * liburing loop on a DEFER_TASKRUN ring: one io_uring_submit_and_wait()
 * per batch.
 *
 *	cp-uring [-q QD] [-b BS] SRC DST
 *
 * Prints one line: "cp-uring: N bytes qd Q bs B in S s = X MiB/s, E enters".
 */
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sample_util.h"

#define MAX_QD 256

struct slot {
	unsigned long long off;
	unsigned len, filled, written;
	char *buf;
};

struct copy {
	struct io_uring ring;
	int src, dst;
	unsigned qd, bs;
	struct slot slots[MAX_QD];
	unsigned free_slots[MAX_QD], nr_free;
	unsigned long long next_off, eof_off, copied, enters;
	unsigned inflight;
	int err;
};

/* Each slot has at most one SQE in flight and qd <= the SQ size, so an
 * SQE is always there. */
static void queue(struct copy *c, unsigned i, bool write)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&c->ring);
	struct slot *s = &c->slots[i];

	if (write)
		io_uring_prep_write(sqe, c->dst, s->buf + s->written,
				    s->filled - s->written, s->off + s->written);
	else
		io_uring_prep_read(sqe, c->src, s->buf + s->filled,
				   s->len - s->filled, s->off + s->filled);
	io_uring_sqe_set_data64(sqe, (unsigned long long)i << 1 | write);
	c->inflight++;
}

static void complete(struct copy *c, unsigned i, bool write, int res)
{
	struct slot *s = &c->slots[i];

	if (!write) {
		if (res < 0) {
			c->err = c->err ? c->err : res;
		} else if (res == 0) {
			if (s->off + s->filled < c->eof_off)
				c->eof_off = s->off + s->filled;
		} else if ((s->filled += res) < s->len && !c->err) {
			queue(c, i, false);
			return;
		}
		if (s->filled && !c->err && s->off < c->eof_off) {
			queue(c, i, true);
			return;
		}
	} else if (res <= 0) {
		c->err = c->err ? c->err : res ? res : -EIO;
	} else if ((s->written += res) < s->filled && !c->err) {
		queue(c, i, true);
		return;
	} else if (s->written == s->filled) {
		c->copied += s->filled;
	}
	c->free_slots[c->nr_free++] = i;
}

static int copy(struct copy *c)
{
	struct io_uring_cqe *cqe;
	unsigned head, seen;
	int ret;

	for (;;) {
		while (!c->err && c->nr_free && c->next_off < c->eof_off) {
			unsigned i = c->free_slots[--c->nr_free];

			c->slots[i].off = c->next_off;
			c->slots[i].len = c->bs;
			c->slots[i].filled = c->slots[i].written = 0;
			c->next_off += c->bs;
			queue(c, i, false);
		}
		if (!c->inflight)
			break;
		ret = io_uring_submit_and_wait(&c->ring, 1);
		c->enters++;
		if (ret < 0 && ret != -EINTR)
			return ret;
		seen = 0;
		io_uring_for_each_cqe(&c->ring, head, cqe) {
			c->inflight--;
			complete(c, cqe->user_data >> 1, cqe->user_data & 1,
				 cqe->res);
			seen++;
		}
		io_uring_cq_advance(&c->ring, seen);
	}
	if (c->err)
		return c->err;
	return c->copied == c->eof_off ? 0 : -EIO;
}

int main(int argc, char **argv)
{
	struct io_uring_params p;
	struct copy *c;
	double t0, t;
	unsigned i;
	int opt, ret;

	c = calloc(1, sizeof(*c));
	if (!c)
		return 1;
	c->qd = 8;
	c->bs = 128 * 1024;
	while ((opt = getopt(argc, argv, "q:b:")) != -1) {
		switch (opt) {
		case 'q': c->qd = (unsigned)strtoul(optarg, NULL, 0); break;
		case 'b': c->bs = (unsigned)strtoul(optarg, NULL, 0); break;
		default: goto usage;
		}
	}
	if (argc - optind != 2 || !c->qd || c->qd > MAX_QD || !c->bs)
		goto usage;
	c->src = open(argv[optind], O_RDONLY);
	c->dst = open(argv[optind + 1], O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (c->src < 0 || c->dst < 0) {
		perror("cp-uring: open");
		return 1;
	}
	for (i = 0; i < c->qd; i++) {
		c->slots[i].buf = aligned_alloc(page_size(),
						 page_round_up(c->bs));
		if (!c->slots[i].buf)
			return 1;
		c->free_slots[c->nr_free++] = c->qd - 1 - i;
	}
	c->eof_off = ~0ULL;
	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN;
	ret = io_uring_queue_init_params(c->qd, &c->ring, &p);
	if (ret) {
		fprintf(stderr, "cp-uring: io_uring_queue_init: %s\n", strerror(-ret));
		return 1;
	}
	t0 = now();
	ret = copy(c);
	t = now() - t0;
	if (ret) {
		fprintf(stderr, "cp-uring: copy failed after %llu bytes: %s\n",
			c->copied, strerror(-ret));
		return 1;
	}
	printf("cp-uring: %llu bytes qd %u bs %u in %.6f s = %.1f MiB/s, %llu enters\n",
	       c->copied, c->qd, c->bs, t, t > 0 ? c->copied / t / 1048576 : 0,
	       c->enters);
	return 0;
usage:
	fprintf(stderr, "usage: cp-uring [-q QD(1..%d)] [-b BS] SRC DST\n", MAX_QD);
	return 2;
}
