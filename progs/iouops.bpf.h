/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * iouops.bpf.h - helpers for io_uring BPF loop programs (BPF side only).
 *
 * A loop program is a sleepable struct_ops io_uring_bpf_ops whose
 * loop_step() the kernel calls over and over inside one io_uring_enter().
 * A step typically:
 *
 *	struct iou_ring r;
 *	if (iou_ring_open(&r, ring))		   // map SQ, CQ and shared memory
 *		return IOU_LOOP_STOP;		   // (exit already recorded)
 *	iou_for_each_cqe(&r, cqe) { ... }	   // consume completions
 *	sqe = iou_get_sqe(&r); iou_prep_nop(sqe, 1);  // queue new work
 *	iou_submit(&r);				   // hand SQEs to the kernel
 *	return iou_step_wait(&r, lp, 1);	   // sleep until 1 more CQE
 *
 * Everything is __always_inline: pointers returned by
 * bpf_io_uring_get_region() are PTR_TO_MEM of a constant size, and keeping
 * them in one function lets the verifier prove every ring access in bounds
 * with the ring masks it reads from the frozen iou_layout.
 *
 * The loader (loader/iouops.h, `iouops load`) fills iou_layout, registers
 * the shared memory region and sets its struct iou_ctl up before attach.
 *
 * Build: clang -g -O2 -target bpf -D__TARGET_ARCH_x86 -fms-extensions
 * -I<dir of this header>; installed, that dir is
 * `pkg-config --variable=bpfincludedir iouops` (`iouops build F.bpf.c`
 * and the Makefile of `iouops new` do it). Errors below are negative
 * errnos; IOU_LOOP_STOP/CONTINUE are what a step returns to the kernel.
 *
 * This header only includes the others, one job each (all BPF side only;
 * each documents its helpers: arguments, returns, what the verifier sees):
 *
 *	iou_common.bpf.h   vmlinux.h, libbpf's headers, READ_ONCE/WRITE_ONCE
 *	iou_uapi.bpf.h     errno and the uapi flags BTF does not carry
 *	iou_exit.bpf.h     iou_exit_done/stopped/error: why the program ended
 *	iou_ring.bpf.h     IOU_LOOP, IOU_OPS, iou_layout, iou_ring_open()
 *	iou_shm.bpf.h      shared region: data, stop request, counters, buffers
 *	iou_sq.bpf.h       getting SQEs and submitting them
 *	iou_prep.bpf.h     filling SQEs: iou_prep_*()
 *	iou_cq.bpf.h       reading CQEs, iou_step_wait()
 *	iou_compat.bpf.h   kernel feature probes through BTF
 *	iou_conn.bpf.h     TCP servers: accept into fixed files, multishot
 *			   receive on the buffer ring, per-connection
 *			   buffer queues (progs/echo.bpf.c, http.bpf.c)
 */
#ifndef IOUOPS_BPF_H
#define IOUOPS_BPF_H

#include "iou_common.bpf.h"
#include "iou_uapi.bpf.h"
#include "iou_exit.bpf.h"
#include "iou_ring.bpf.h"
#include "iou_shm.bpf.h"
#include "iou_sq.bpf.h"
#include "iou_prep.bpf.h"
#include "iou_cq.bpf.h"
#include "iou_compat.bpf.h"
#include "iou_conn.bpf.h"

#endif /* IOUOPS_BPF_H */
