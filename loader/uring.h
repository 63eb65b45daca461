/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * uring.h - the raw io_uring interface the loader needs (internal).
 *
 * Bookworm ships liburing 2.3 and kernel headers that predate the flags
 * and structs of io_uring BPF loops, so the few the loader uses are
 * declared here from the 7.x uapi. The loader never touches the rings
 * itself, so it needs no liburing at all.
 */
#ifndef IOUOPS_URING_H
#define IOUOPS_URING_H

#include <linux/io_uring.h>
#include <stdint.h>

#ifndef IORING_SETUP_SINGLE_ISSUER
#define IORING_SETUP_SINGLE_ISSUER	(1U << 12)
#endif
#ifndef IORING_SETUP_DEFER_TASKRUN
#define IORING_SETUP_DEFER_TASKRUN	(1U << 13)
#endif
#ifndef IORING_SETUP_NO_SQARRAY
#define IORING_SETUP_NO_SQARRAY		(1U << 16)
#endif
#ifndef IORING_SETUP_SQ_REWIND
#define IORING_SETUP_SQ_REWIND		(1U << 20)
#endif

#define IOU_REGISTER_MEM_REGION		34
#define IOU_MEM_REGION_TYPE_USER	1

struct iou_region_desc {
	uint64_t user_addr;
	uint64_t size;
	uint32_t flags;
	uint32_t id;
	uint64_t mmap_offset;
	uint64_t resv[4];
};

struct iou_mem_region_reg {
	uint64_t region_uptr;
	uint64_t flags;
	uint64_t resv[2];
};

int iou_sys_setup(unsigned entries, struct io_uring_params *p);
int iou_sys_enter(int fd);
int iou_sys_register(int fd, unsigned opcode, void *arg, unsigned nr_args);

#endif /* IOUOPS_URING_H */
