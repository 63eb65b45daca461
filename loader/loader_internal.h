/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Helpers shared by the library's files; not part of the API. */
#ifndef IOUOPS_LOADER_INTERNAL_H
#define IOUOPS_LOADER_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include "iouops.h"

/* Format a message to the caller's log callback, if any. */
void iou_logf(const struct iou_opts *o, enum iou_log_level lvl,
	      const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Does this process hold the capabilities that loading struct_ops needs
 * (CAP_SYS_ADMIN, or CAP_BPF with CAP_PERFMON)? */
bool iou_can_load_bpf(void);

/* Close fd when the program is closed; the kept fds so far. */
int iou_prog_keep_fd(struct iou_prog *p, int fd);
size_t iou_prog_kept_fds(const struct iou_prog *p, const int **fds);

/* Grow o->shm_size (0: the default) to what the program's iou_shm_need
 * asks for past the control block, before struct iou_res places its
 * buffer ring after it. -E2BIG past 4 GiB. shm_need.c */
int iou_shm_need_apply(struct iou_prog *p, struct iou_opts *o);

/* When libbpf's log of a failed load shows that the kernel lacks a kfunc,
 * symbol, struct field or struct_ops member the program uses, write a
 * one-line explanation naming it to why and return true. */
bool iou_explain_missing_feature(const char *log, char *why, size_t len);

/* Shared region size when the user gives none (iou_opts.shm_size = 0). */
#define IOU_DEFAULT_SHM_SIZE	(64 * 1024)

/* The initial value of global NAME (before load), or -ENOENT. */
int iou_prog_global(struct iou_prog *p, const char *name, void **ptr,
		    size_t *size);
/* Record the stage and the one-line detail of a failure; returns ERR. */
int iou_prog_fail(struct iou_prog *p, enum iou_stage stage, int err,
		  const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* net.c: struct iou_res and --listen (see iouops_shared.h). */
struct iou_netres;
/* Before the ring exists: read iou_res, validate it, create the listening
 * socket, and grow o->cq_entries / o->shm_size to what it needs. */
int iou_netres_prepare(struct iou_prog *p, struct iou_opts *o,
		       struct iou_netres **out);
/* After the shared region is registered: buffer ring, file table, and
 * the program's iou_res out fields and listen_fd. */
int iou_netres_setup(struct iou_netres *n, struct iou_prog *p, int ring_fd,
		     void *shm, size_t shm_size);
int iou_netres_listen_addr(const struct iou_netres *n, char *buf, size_t len);
void iou_netres_free(struct iou_netres *n);

#endif /* IOUOPS_LOADER_INTERNAL_H */
