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

/* Where global NAME's initial value lives in the object (before load):
 * *data points at its *size bytes. -ENOENT: no such global. */
int iou_prog_var(struct iou_prog *p, const char *name, void **data,
		 __u32 *size, bool *is_signed);

/* Close fd when the program is closed; the kept fds so far. */
int iou_prog_keep_fd(struct iou_prog *p, int fd);
size_t iou_prog_kept_fds(const struct iou_prog *p, const int **fds);

/* Bytes past the control block the program asks for through its
 * iou_shm_need global (0 without one). shm_need.c */
int iou_shm_need(struct iou_prog *p, size_t *bytes);

/* When libbpf's log of a failed load shows that the kernel lacks a kfunc,
 * symbol, struct field or struct_ops member the program uses, write a
 * one-line explanation naming it to why and return true. */
bool iou_explain_missing_feature(const char *log, char *why, size_t len);

#endif /* IOUOPS_LOADER_INTERNAL_H */
