/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * zcrx_internal.h - zcrx.c, device-less zero-copy receive (--zcrx) for a
 * program whose iou_res declares a zcrx area (progs/zcrx_sink.bpf.c): the
 * hooks net.c (prepare, setup) and prog_load.c (the flush between enters)
 * call. Not part of the API.
 */
#ifndef IOUOPS_ZCRX_INTERNAL_H
#define IOUOPS_ZCRX_INTERNAL_H

#include "loader_internal.h"

struct bpf_object;

/* From iou_netres_prepare(), after the buffer ring is placed: resolve
 * zcrx_area_var and, with --zcrx, validate the declaration, place the
 * refill queue and area at the end of the region and ask for CQE32. */
int iou_zcrx_prepare(struct bpf_object *obj, struct iou_res *r,
		     struct iou_opts *o, struct iou_fail *f);
/* From iou_netres_setup(): register the ifq (ZCRX_REG_NODEV) and fill
 * the out fields of r. */
int iou_zcrx_setup(struct iou_res *r, int ring_fd, void *shm,
		   size_t shm_size, const struct iou_opts *o,
		   struct iou_fail *f);
/* After an enter returned: if the program asked for a refill-queue
 * flush, do it (timed and counted in ctl) and return 1 (enter again);
 * 0: nothing asked; -errno: the flush failed. */
int iou_zcrx_service(int ring_fd, const struct iou_res *r,
		     struct iou_ctl *ctl);

#endif /* IOUOPS_ZCRX_INTERNAL_H */
