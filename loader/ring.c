// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * ring.c - the ring and the shared region a program runs on, made before
 * load: io_uring_setup() with the flags loop programs need, a memfd region
 * registered with IORING_REGISTER_MEM_REGION, and the iou_layout derived
 * from the ring's geometry for the program's .rodata.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "prog_internal.h"

#define DEFAULT_SQ_ENTRIES	64

void iou_prog_compute_layout(struct iou_prog *p)
{
	const struct io_uring_params *pp = &p->params;
	struct iou_layout *l = &p->layout;
	__u32 cq_end, sq_end = 0;

	memset(l, 0, sizeof(*l));
	l->setup_flags = pp->flags;
	l->sq_entries = pp->sq_entries;
	l->cq_entries = pp->cq_entries;
	l->sq_mask = pp->sq_entries - 1;
	l->cq_mask = pp->cq_entries - 1;
	l->sqe_size = sizeof(struct io_uring_sqe);
	l->sq_head_off = pp->sq_off.head;
	l->sq_tail_off = pp->sq_off.tail;
	l->sq_flags_off = pp->sq_off.flags;
	if (!(pp->flags & IORING_SETUP_NO_SQARRAY))
		l->sq_array_off = pp->sq_off.array;
	l->cq_head_off = pp->cq_off.head;
	l->cq_tail_off = pp->cq_off.tail;
	l->cq_overflow_off = pp->cq_off.overflow;
	l->cq_flags_off = pp->cq_off.flags;
	l->cqes_off = pp->cq_off.cqes;
	/* The rings region holds the CQEs and, without NO_SQARRAY, the SQ
	 * index array after them; the kernel rounds it up to pages. */
	l->cqe_shift = (pp->flags & IORING_SETUP_CQE32) ? 5 : 4;
	cq_end = pp->cq_off.cqes + (pp->cq_entries << l->cqe_shift);
	if (l->sq_array_off)
		sq_end = l->sq_array_off + pp->sq_entries * sizeof(__u32);
	l->rings_size = cq_end > sq_end ? cq_end : sq_end;
	l->sqes_size = pp->sq_entries * l->sqe_size;
	l->mem_size = (__u32)p->shm_size;
	l->shm_uaddr = (uintptr_t)p->shm;
}

int iou_prog_setup_ring(struct iou_prog *p)
{
	unsigned sq = p->opts.sq_entries ? p->opts.sq_entries : DEFAULT_SQ_ENTRIES;
	struct io_uring_params params;
	int fd;

	memset(&params, 0, sizeof(params));
	params.flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_NO_SQARRAY;
	if (!p->opts.no_defer_taskrun)
		params.flags |= IORING_SETUP_DEFER_TASKRUN;
	if (p->opts.sq_rewind != 0)
		params.flags |= IORING_SETUP_SQ_REWIND;
	if (p->opts.cqe32)
		params.flags |= IORING_SETUP_CQE32;
	if (p->opts.cq_entries) {
		params.flags |= IORING_SETUP_CQSIZE;
		params.cq_entries = p->opts.cq_entries;
	}
	fd = iou_sys_setup(sq, &params);
	if (fd == -EINVAL && p->opts.sq_rewind < 0) {
		/* a kernel without SQ_REWIND: fall back to the classic SQ */
		iou_logf(&p->opts, IOU_LOG_INFO,
			 "ring: SQ_REWIND refused, using the classic SQ");
		params.flags &= ~IORING_SETUP_SQ_REWIND;
		memset(&params.sq_off, 0, sizeof(params.sq_off));
		memset(&params.cq_off, 0, sizeof(params.cq_off));
		fd = iou_sys_setup(sq, &params);
	}
	if (fd < 0)
		return fd;
	p->ring_fd = fd;
	p->own_ring = true;
	p->params = params;
	return 0;
}

/*
 * The shared region is user memory from a memfd, so another process can
 * map the same pages through /proc/PID/fd (live stats, command rings).
 */
int iou_prog_setup_shm(struct iou_prog *p)
{
	struct iou_mem_region_reg reg;
	struct iou_region_desc rd;
	struct iou_ctl *ctl;
	size_t size;
	int err;

	size = iou_page_align(p->opts.shm_size ? p->opts.shm_size :
			      IOU_DEFAULT_SHM_SIZE);
	if (size > UINT32_MAX)
		return -E2BIG;

	/* a shard's is iouops-shm.N: iouops stat tells them apart */
	if (p->shard >= 0) {
		char name[sizeof(IOU_SHM_MEMFD_NAME) + 12];

		snprintf(name, sizeof(name), IOU_SHM_MEMFD_NAME ".%d", p->shard);
		p->shm_fd = memfd_create(name, MFD_CLOEXEC);
	} else {
		p->shm_fd = memfd_create(IOU_SHM_MEMFD_NAME, MFD_CLOEXEC);
	}
	if (p->shm_fd < 0)
		return -errno;
	/* memfds are born 0777: only our own user may open it again */
	if (fchmod(p->shm_fd, 0600) || ftruncate(p->shm_fd, (off_t)size))
		return -errno;
	p->shm = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      p->shm_fd, 0);
	if (p->shm == MAP_FAILED) {
		p->shm = NULL;
		return -errno;
	}
	p->shm_size = size;

	if (!p->shm_type_id) {	/* --shm-type: the program owns it all */
		ctl = p->shm;
		ctl->magic = IOU_CTL_MAGIC;
		ctl->version = IOU_CTL_VERSION;
		ctl->stop_req = p->stop_requested;
	}

	memset(&rd, 0, sizeof(rd));
	rd.user_addr = (uintptr_t)p->shm;
	rd.size = size;
	rd.flags = IOU_MEM_REGION_TYPE_USER;
	memset(&reg, 0, sizeof(reg));
	reg.region_uptr = (uintptr_t)&rd;
	err = iou_sys_register(p->ring_fd, IOU_REGISTER_MEM_REGION, &reg, 1);
	return err < 0 ? err : 0;
}
