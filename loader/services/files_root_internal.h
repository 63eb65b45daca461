/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * files_root.c: --root DIR, the files a program with an `http_files`
 * global (IOU_SYM_HTTP_FILES) serves; see progs/http_shared.h. Like net.c
 * it sees the object and a struct iou_fail, not the whole program. Three
 * hooks in prog_load.c, freed by iou_prog_close():
 *  - iou_root_prepare() before anything is sized: scan DIR, check names
 *    and sizes against the bound (the user's --shm-size, else
 *    IOU_ROOT_DEFAULT_MAX);
 *  - iou_root_place() once the CQ and region sizes are known: put the
 *    area past everything else and grow o->shm_size;
 *  - iou_root_setup() once the region exists: copy the files in and
 *    write http_files into the program.
 * A why is one line in *why, stage IOU_STAGE_ROOT.
 */
#ifndef IOUOPS_FILES_ROOT_INTERNAL_H
#define IOUOPS_FILES_ROOT_INTERNAL_H

#include <stddef.h>
#include "loader_internal.h"

#define IOU_ROOT_DEFAULT_MAX	(64ULL << 20)

struct bpf_object;
struct iou_root;

int iou_root_prepare(struct bpf_object *obj, const struct iou_opts *o,
		     struct iou_fail *why, struct iou_root **out);
int iou_root_place(struct iou_root *rt, struct iou_opts *o,
		   struct iou_fail *why);
int iou_root_setup(struct iou_root *rt, struct bpf_object *obj,
		   struct iou_fail *why, void *shm, size_t shm_size);
void iou_root_free(struct iou_root *rt);

#endif /* IOUOPS_FILES_ROOT_INTERNAL_H */
