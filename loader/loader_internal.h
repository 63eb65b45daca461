/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Helpers shared by the library's files; not part of the API. */
#ifndef IOUOPS_LOADER_INTERNAL_H
#define IOUOPS_LOADER_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include "iouops.h"

/* Format a message to the caller's log callback, if any. */
void iou_logf(const struct iou_opts *o, enum iou_log_level lvl,
	      const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Does this process hold the capabilities that loading struct_ops needs
 * (CAP_SYS_ADMIN, or CAP_BPF with CAP_PERFMON)? */
bool iou_can_load_bpf(void);

/* When libbpf's log of a failed load shows that the kernel lacks a kfunc,
 * symbol, struct field or struct_ops member the program uses, write a
 * one-line explanation naming it to why and return true. */
bool iou_explain_missing_feature(const char *log, char *why, size_t len);

#endif /* IOUOPS_LOADER_INTERNAL_H */
