// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * timeout_probe.c - does the kernel take IORING_TIMEOUT_IMMEDIATE_ARG?
 *
 * The flag is a #define, so BTF cannot say, and its release (7.1) is also
 * the one that brought BPF loops, which a backport may carry without it.
 * So try it: one timeout with the flag on a scratch ring. A kernel that
 * knows the flag fires it (-ETIME); one that does not rejects the SQE's
 * flags with -EINVAL (io_uring/timeout.c, __io_timeout_prep). Link
 * timeouts and timeout updates take the flag in the same kernel.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "loader_internal.h"
#include "uring.h"

#ifndef IORING_TIMEOUT_IMMEDIATE_ARG
#define IORING_TIMEOUT_IMMEDIATE_ARG	(1U << 7)
#endif

/* 1: the flag works, 0: the kernel rejects it, -errno: no answer. */
static int try_immediate_timeout(void)
{
	struct io_uring_params p;
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	size_t ring_len, sqes_len;
	void *ring = MAP_FAILED, *sqes = MAP_FAILED;
	unsigned tail;
	int fd, err;

	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_NO_SQARRAY;
	fd = iou_sys_setup(1, &p);
	if (fd < 0)
		return fd;
	err = -EOPNOTSUPP;
	if (!(p.features & IORING_FEAT_SINGLE_MMAP))
		goto out;
	ring_len = p.cq_off.cqes + p.cq_entries * sizeof(*cqe);
	if (ring_len < p.sq_off.tail + sizeof(unsigned))
		ring_len = p.sq_off.tail + sizeof(unsigned);
	sqes_len = p.sq_entries * sizeof(*sqe);
	ring = mmap(NULL, ring_len, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		    IORING_OFF_SQ_RING);
	sqes = mmap(NULL, sqes_len, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		    IORING_OFF_SQES);
	if (ring == MAP_FAILED || sqes == MAP_FAILED) {
		err = -errno;
		goto out;
	}
	sqe = sqes;
	memset(sqe, 0, sizeof(*sqe));
	sqe->opcode = IORING_OP_TIMEOUT;
	sqe->fd = -1;
	sqe->addr = 1000;	/* 1 us */
	sqe->len = 1;
	sqe->timeout_flags = IORING_TIMEOUT_IMMEDIATE_ARG;
	/* NO_SQARRAY: the SQ tail indexes the SQEs directly */
	tail = __atomic_load_n((unsigned *)((char *)ring + p.sq_off.tail),
			       __ATOMIC_RELAXED);
	__atomic_store_n((unsigned *)((char *)ring + p.sq_off.tail), tail + 1,
			 __ATOMIC_RELEASE);
	if (syscall(__NR_io_uring_enter, fd, 1, 1, IORING_ENTER_GETEVENTS,
		    NULL, 0) < 0) {
		err = -errno;
		goto out;
	}
	if (__atomic_load_n((unsigned *)((char *)ring + p.cq_off.tail),
			    __ATOMIC_ACQUIRE) == 0) {
		err = -EAGAIN;
		goto out;
	}
	cqe = (struct io_uring_cqe *)((char *)ring + p.cq_off.cqes);
	err = cqe->res == -ETIME ? 1 : cqe->res == -EINVAL ? 0 : -EPROTO;
out:
	if (sqes != MAP_FAILED)
		munmap(sqes, sqes_len);
	if (ring != MAP_FAILED)
		munmap(ring, ring_len);
	close(fd);
	return err;
}

bool iou_kernel_has_timeout_imm(void)
{
	static int known = -1;	/* one probe per process (shards may race
				 * to it: both get the same answer) */
	int v = __atomic_load_n(&known, __ATOMIC_RELAXED);

	if (v < 0) {
		v = try_immediate_timeout() == 1;
		__atomic_store_n(&known, v, __ATOMIC_RELAXED);
	}
	return v;
}
