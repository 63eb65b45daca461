/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * files_root.c: --root DIR, the files a program with an `http_files`
 * global serves (see progs/http_shared.h). Three hooks in iou_prog_load():
 *  - iou_root_prepare() before anything is sized: scan DIR, check names
 *    and sizes against the bound (the user's --shm-size, else
 *    IOU_ROOT_DEFAULT_MAX);
 *  - iou_root_place() once the CQ and region sizes are known: put the
 *    area past everything else and grow o->shm_size;
 *  - iou_root_setup() once the region exists: copy the files in and
 *    write http_files into the program.
 * Failures are recorded with iou_prog_fail(IOU_STAGE_ROOT) as one line.
 */
#ifndef IOUOPS_FILES_ROOT_INTERNAL_H
#define IOUOPS_FILES_ROOT_INTERNAL_H

#include <stddef.h>
#include "iouops.h"

#define IOU_ROOT_DEFAULT_MAX	(64ULL << 20)

struct iou_root;
int iou_root_prepare(struct iou_prog *p, const struct iou_opts *o,
		     struct iou_root **out);
int iou_root_place(struct iou_root *rt, struct iou_prog *p,
		   struct iou_opts *o);
int iou_root_setup(struct iou_root *rt, struct iou_prog *p, void *shm,
		   size_t shm_size);
void iou_root_free(struct iou_root *rt);

#endif /* IOUOPS_FILES_ROOT_INTERNAL_H */
