// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * prog_access.c - read-only accessors of struct iou_prog: the shared
 * region, the ring, the layout, the names, the load timing and the
 * stage and detail of the last failure.
 */
#include <bpf/libbpf.h>
#include <errno.h>

#include "prog_internal.h"

unsigned long long iou_prog_phase_ns(const struct iou_prog *p,
				     enum iou_phase phase)
{
	return phase < IOU_NR_PHASES ? p->phase_ns[phase] : 0;
}

int iou_prog_listen_addr(const struct iou_prog *p, char *buf, size_t len)
{
	return p->net ? iou_netres_listen_addr(p->net, buf, len) : -ENOTCONN;
}

volatile struct iou_ctl *iou_prog_ctl(const struct iou_prog *p)
{
	return p->shm_type_id ? NULL : p->shm;
}

void *iou_prog_shm(const struct iou_prog *p)
{
	return p->shm;
}

size_t iou_prog_shm_size(const struct iou_prog *p)
{
	return p->shm_size;
}

int iou_prog_shm_fd(const struct iou_prog *p)
{
	return p->shm_fd;
}

int iou_prog_ring_fd(const struct iou_prog *p)
{
	return p->ring_fd;
}

const struct iou_layout *iou_prog_layout(const struct iou_prog *p)
{
	return &p->layout;
}

const char *iou_prog_name(const struct iou_prog *p)
{
	return p->ops_map ? bpf_map__name(p->ops_map) : "";
}

struct bpf_object *iou_prog_object(const struct iou_prog *p)
{
	return p->obj;
}

enum iou_stage iou_prog_error_stage(const struct iou_prog *p)
{
	return p->fail.stage;
}

const char *iou_prog_error_msg(const struct iou_prog *p)
{
	return p->fail.msg;
}

const char *iou_prog_verifier_log(const struct iou_prog *p)
{
	return p->log.verifier ? p->log.verifier : "";
}
