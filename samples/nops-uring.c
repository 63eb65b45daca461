// SPDX-License-Identifier: GPL-2.0
/*
 * nops-uring: the userspace baseline for progs/nops.bpf.c. The same work,
 * TOTAL NOPs with QD in flight and every CQE checked in order, driven by a
 * userspace liburing loop on a DEFER_TASKRUN ring: one
 * io_uring_submit_and_wait() per batch.
 *
 *	nops-uring [-n TOTAL] [-q QD]	the loop
 *	nops-uring -f [-n TOTAL]	the floor: batches of 4096 NOPs, one
 *					syscall each, no per-CQE work
 *
 * Prints one line: "nops-uring: N NOPs qd Q in S s = X ns/op, E enters,
 * W sleeps" (sleeps: voluntary context switches, i.e. waits that blocked).
 */
#include <errno.h>
#include <liburing.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "sample_util.h"

#define FLOOR_BATCH 4096

static int setup(struct io_uring *ring, unsigned entries)
{
	struct io_uring_params p;

	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN |
		  IORING_SETUP_CQSIZE;
	p.cq_entries = entries * 2;
	return io_uring_queue_init_params(entries, ring, &p);
}

/* Reap every CQE ready; each must be the next NOP in order with res 0. */
static int reap(struct io_uring *ring, unsigned long long *completed)
{
	struct io_uring_cqe *cqe;
	unsigned head, seen = 0;
	int err = 0;

	io_uring_for_each_cqe(ring, head, cqe) {
		if (cqe->user_data != *completed || cqe->res != 0) {
			fprintf(stderr, "nops-uring: bad CQE: user_data %llu res %d, "
				"expected %llu\n", (unsigned long long)cqe->user_data,
				cqe->res, *completed);
			err = -EPROTO;
			break;
		}
		(*completed)++;
		seen++;
	}
	io_uring_cq_advance(ring, seen);
	return err;
}

static int run_loop(struct io_uring *ring, unsigned long long total,
		    unsigned qd, unsigned long long *enters)
{
	unsigned long long submitted = 0, completed = 0;
	int ret;

	while (completed < total) {
		while (submitted - completed < qd && submitted < total) {
			struct io_uring_sqe *sqe = io_uring_get_sqe(ring);

			if (!sqe)
				break;
			io_uring_prep_nop(sqe);
			sqe->user_data = submitted++;
		}
		ret = io_uring_submit_and_wait(ring, 1);
		(*enters)++;
		if (ret < 0) {
			fprintf(stderr, "nops-uring: submit: %s\n", strerror(-ret));
			return ret;
		}
		ret = reap(ring, &completed);
		if (ret)
			return ret;
	}
	return 0;
}

/* The floor: what the kernel spends per NOP when userspace hands it
 * FLOOR_BATCH of them with one syscall and only counts completions. */
static int run_floor(struct io_uring *ring, unsigned long long total,
		     unsigned long long *enters)
{
	unsigned long long done = 0;
	int ret;

	while (done < total) {
		unsigned n = total - done < FLOOR_BATCH ? (unsigned)(total - done)
							: FLOOR_BATCH;
		unsigned i;

		for (i = 0; i < n; i++)
			io_uring_prep_nop(io_uring_get_sqe(ring));
		ret = io_uring_submit_and_wait(ring, n);
		(*enters)++;
		if (ret < 0 || (unsigned)ret != n) {
			fprintf(stderr, "nops-uring: floor submit: %s\n",
				ret < 0 ? strerror(-ret) : "short submit");
			return ret < 0 ? ret : -EIO;
		}
		io_uring_cq_advance(ring, io_uring_cq_ready(ring));
		done += n;
	}
	return 0;
}

int main(int argc, char **argv)
{
	unsigned long long total = 1000000, enters = 0;
	unsigned qd = 8;
	bool floor = false;
	struct io_uring ring;
	struct rusage ru0, ru1;
	double start, secs;
	int opt, ret;

	while ((opt = getopt(argc, argv, "n:q:fh")) != -1) {
		switch (opt) {
		case 'n':
			total = strtoull(optarg, NULL, 0);
			break;
		case 'q':
			qd = (unsigned)strtoul(optarg, NULL, 0);
			break;
		case 'f':
			floor = true;
			break;
		default:
			fprintf(stderr, "usage: nops-uring [-n TOTAL] [-q QD] [-f]\n");
			return opt == 'h' ? 0 : 2;
		}
	}
	if (!total || !qd || qd > 4096) {
		fprintf(stderr, "nops-uring: need TOTAL > 0 and QD 1..4096\n");
		return 2;
	}
	ret = setup(&ring, floor ? FLOOR_BATCH : qd);
	if (ret) {
		fprintf(stderr, "nops-uring: io_uring setup: %s\n", strerror(-ret));
		return 1;
	}
	/* the floor: one untimed batch first, so page faults of the big
	 * ring's first use do not count */
	if (floor) {
		unsigned long long warm = 0;

		ret = run_floor(&ring, total < FLOOR_BATCH ? total : FLOOR_BATCH,
				&warm);
		if (ret) {
			io_uring_queue_exit(&ring);
			return 1;
		}
	}
	getrusage(RUSAGE_SELF, &ru0);
	start = now();
	ret = floor ? run_floor(&ring, total, &enters)
		    : run_loop(&ring, total, qd, &enters);
	secs = now() - start;
	getrusage(RUSAGE_SELF, &ru1);
	io_uring_queue_exit(&ring);
	if (ret)
		return 1;
	printf("nops-uring: %llu NOPs %s %u in %.6f s = %.1f ns/op, %llu enters, "
	       "%ld sleeps\n", total, floor ? "floor batch" : "qd",
	       floor ? FLOOR_BATCH : qd, secs, secs * 1e9 / (double)total,
	       enters, ru1.ru_nvcsw - ru0.ru_nvcsw);
	return 0;
}
