// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * zcrx.c - device-less zero-copy receive (--zcrx) for a loop program.
 *
 * A program declares an area and a refill queue in its iou_res
 * (zcrx_area bytes, zcrx_rq entries). The loader places both inside the
 * shared region, past the buffer ring, and registers them with
 * IORING_REGISTER_ZCRX_IFQ and ZCRX_REG_NODEV. The same pages are then
 * pinned twice (as IOU_REGION_MEM and as the zcrx area / refill queue
 * region), so the program reads received data and writes refill-queue
 * entries through the one pointer bpf_io_uring_get_region() gives it.
 *
 * What the program cannot do is give the entries back: without a device
 * there is no page pool to pull them, only ZCRX_CTRL_FLUSH_RQ (an
 * io_uring_register opcode) returns them to the area's free list. The
 * program asks for it through iou_ctl.zcrx_flush_req and IOU_LOOP_STOP;
 * iou_zcrx_service() flushes and the loader enters again.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "object_globals.h"
#include "uring.h"
#include "zcrx_internal.h"

#ifndef IORING_SETUP_CQE32
#define IORING_SETUP_CQE32		(1U << 11)
#endif
#define IOU_REGISTER_ZCRX_IFQ		32
#define IOU_REGISTER_QUERY		35
#define IOU_REGISTER_ZCRX_CTRL		36
#define IOU_ZCRX_REG_NODEV		2
#define IOU_ZCRX_CTRL_FLUSH_RQ		0
#define IOU_QUERY_ZCRX			1
#define IOU_ZCRX_EVENT_DESC_FLAG_STATS	1

/* The 7.1+ uapi (linux/io_uring/zcrx.h, query.h): bookworm's headers
 * predate it. */
struct iou_zcrx_offsets {
	uint32_t head, tail, rqes, resv2;
	uint64_t resv[2];
};

struct iou_zcrx_area_reg {
	uint64_t addr, len, rq_area_token;
	uint32_t flags, dmabuf_fd;
	uint64_t resv2[2];
};

struct iou_zcrx_ifq_reg {
	uint32_t if_idx, if_rxq, rq_entries, flags;
	uint64_t area_ptr, region_ptr;
	struct iou_zcrx_offsets offsets;
	uint32_t zcrx_id, rx_buf_len;
	uint64_t event_desc;
	uint64_t resv[2];
};

struct iou_zcrx_event_desc {
	uint64_t user_data;
	uint32_t type_mask, flags;
	uint64_t stats_offset;
	uint64_t resv2[9];
};

struct iou_zcrx_ctrl {
	uint32_t zcrx_id, op;
	uint64_t resv[2];
	uint64_t body[6];	/* union: zc_flush is 6 reserved u64 */
};

struct iou_query_hdr {
	uint64_t next_entry, query_data;
	uint32_t query_op, size;
	int32_t result;
	uint32_t resv[3];
};

struct iou_query_zcrx {
	uint64_t register_flags, area_flags;
	uint32_t nr_ctrl_opcodes, features, rq_hdr_size, rq_hdr_alignment;
	uint64_t resv2;
};

/* Head, tail and the rqes start within the refill-queue region: the
 * kernel puts the rqes one cache line in; 256 leaves room for any. */
#define RQ_HDR_ROOM		256
/* The kernel's copy counters (struct zcrx_stats), at the end of the
 * refill-queue region. */
#define RQ_STATS_SIZE		16
#define MAX_RQ_ENTRIES		32768	/* IO_RQ_MAX_ENTRIES */
#define MAX_CQ_ENTRIES		65536

int iou_probe_zcrx(char *why, size_t why_len)
{
	struct iou_query_zcrx q;
	struct iou_query_hdr h;
	int err;

	if (why_len)
		why[0] = '\0';
	memset(&q, 0, sizeof(q));
	memset(&h, 0, sizeof(h));
	h.query_data = (uintptr_t)&q;
	h.query_op = IOU_QUERY_ZCRX;
	h.size = sizeof(q);
	err = iou_sys_register(-1, IOU_REGISTER_QUERY, &h, 0);
	if (err < 0 || h.result < 0) {
		snprintf(why, why_len, "kernel has no zcrx query "
			 "(IORING_REGISTER_QUERY: %s): no zero-copy receive",
			 strerror(err < 0 ? -err : -h.result));
		return -EOPNOTSUPP;
	}
	if (!(q.register_flags & IOU_ZCRX_REG_NODEV)) {
		snprintf(why, why_len, "kernel zcrx has no ZCRX_REG_NODEV "
			 "(device-less zcrx, Linux 7.1+)");
		return -EOPNOTSUPP;
	}
	if (q.nr_ctrl_opcodes <= IOU_ZCRX_CTRL_FLUSH_RQ) {
		snprintf(why, why_len, "kernel zcrx has no ZCRX_CTRL_FLUSH_RQ");
		return -EOPNOTSUPP;
	}
	return 0;
}

static bool is_pow2(uint32_t v)
{
	return v && !(v & (v - 1));
}

/* zcrx_area_var: the user sizes the area through a named global. */
static int resolve_area(struct bpf_object *obj, struct iou_fail *f,
			struct iou_res *r)
{
	char name[sizeof(r->zcrx_area_var) + 1];
	unsigned long long v = 0;
	size_t size;
	void *ptr;

	memcpy(name, r->zcrx_area_var, sizeof(r->zcrx_area_var));
	name[sizeof(r->zcrx_area_var)] = '\0';
	if (!name[0])
		return 0;
	if (iou_global_find(obj, name, &ptr, &size) ||
	    (size != sizeof(uint32_t) && size != sizeof(uint64_t)))
		return iou_fail(f, IOU_STAGE_ZCRX, -EINVAL,
			"iou_res.zcrx_area_var names '%s', which is not a "
			"__u32 or __u64 global of the program", name);
	memcpy(&v, ptr, size);	/* little endian: the low bytes */
	if (v > UINT32_MAX)
		return iou_fail(f, IOU_STAGE_ZCRX, -E2BIG,
			"%s=%llu: a zcrx area must fit the shared region "
			"(at most 4 GiB in all)", name, v);
	r->zcrx_area = (uint32_t)v;
	return 0;
}

int iou_zcrx_prepare(struct bpf_object *obj, struct iou_res *r,
		     struct iou_opts *o, struct iou_fail *f)
{
	size_t page = iou_page_align(1), base, total;
	unsigned long long need;
	int err;

	err = resolve_area(obj, f, r);
	if (err)
		return err;
	if (!o->zcrx)
		return 0;
	if (!r->zcrx_area || !r->zcrx_rq)
		return iou_fail(f, IOU_STAGE_ZCRX, -EINVAL,
			"--zcrx: the program declares no zcrx area (iou_res."
			"zcrx_area and zcrx_rq are 0)");
	if (r->zcrx_area % page)
		return iou_fail(f, IOU_STAGE_ZCRX, -EINVAL,
			"iou_res.zcrx_area=%u: must be a multiple of the page "
			"size (%zu)", r->zcrx_area, page);
	if (!is_pow2(r->zcrx_rq) || r->zcrx_rq > MAX_RQ_ENTRIES)
		return iou_fail(f, IOU_STAGE_ZCRX, -EINVAL,
			"iou_res.zcrx_rq=%u: must be a power of two up to %u",
			r->zcrx_rq, MAX_RQ_ENTRIES);

	/* refill queue first (header, entries, the kernel's copy
	 * counters), then the area; both page aligned, after what the
	 * region holds already (control block, program data, buffers) */
	base = iou_page_align(o->shm_size ? o->shm_size : IOU_DEFAULT_SHM_SIZE);
	r->zcrx_rq_off = (uint32_t)base;
	need = RQ_HDR_ROOM + (unsigned long long)r->zcrx_rq *
	       sizeof(struct { uint64_t off; uint32_t len, pad; }) + RQ_STATS_SIZE;
	total = base + iou_page_align((size_t)need);
	if ((unsigned long long)total + r->zcrx_area > UINT32_MAX)
		return iou_fail(f, IOU_STAGE_ZCRX, -E2BIG,
			"zcrx area of %u bytes does not fit the shared region: "
			"%zu bytes are in use before it, and the region holds "
			"at most 4 GiB", r->zcrx_area, total);
	r->zcrx_area_off = (uint32_t)total;
	o->shm_size = total + r->zcrx_area;
	/* RECV_ZC posts 32-byte CQEs, one per area buffer at most: room
	 * for all of them so a full area never overflows the CQ */
	o->cqe32 = true;
	need = r->zcrx_area / page + 64;
	if (!o->cq_entries || o->cq_entries < need) {
		__u32 cq = 1;

		while (cq < need && cq < MAX_CQ_ENTRIES)
			cq <<= 1;
		if (cq > o->cq_entries)
			o->cq_entries = cq;
	}
	return 0;
}

int iou_zcrx_setup(struct iou_res *r, int ring_fd, void *shm,
		   size_t shm_size, const struct iou_opts *o,
		   struct iou_fail *f)
{
	struct iou_zcrx_event_desc ev;
	struct iou_zcrx_area_reg area;
	struct iou_zcrx_ifq_reg reg;
	struct iou_region_desc rd;
	uint8_t *base = shm;
	size_t rq_size;
	int err;

	if (!o->zcrx)
		return 0;
	rq_size = r->zcrx_area_off - r->zcrx_rq_off;
	if ((size_t)r->zcrx_area_off + r->zcrx_area > shm_size)
		return iou_fail(f, IOU_STAGE_ZCRX, -EINVAL,
				"shared region too small for the zcrx area");

	memset(&area, 0, sizeof(area));
	area.addr = (uintptr_t)(base + r->zcrx_area_off);
	area.len = r->zcrx_area;
	memset(&rd, 0, sizeof(rd));
	rd.user_addr = (uintptr_t)(base + r->zcrx_rq_off);
	rd.size = rq_size;
	rd.flags = IOU_MEM_REGION_TYPE_USER;
	/* the kernel's fallback-copy counters, at the end of the region */
	memset(&ev, 0, sizeof(ev));
	ev.flags = IOU_ZCRX_EVENT_DESC_FLAG_STATS;
	ev.stats_offset = rq_size - RQ_STATS_SIZE;
	memset(&reg, 0, sizeof(reg));
	reg.flags = IOU_ZCRX_REG_NODEV;	/* if_idx = if_rxq = 0 */
	reg.rq_entries = r->zcrx_rq;
	reg.area_ptr = (uintptr_t)&area;
	reg.region_ptr = (uintptr_t)&rd;
	reg.event_desc = (uintptr_t)&ev;
	err = iou_sys_register(ring_fd, IOU_REGISTER_ZCRX_IFQ, &reg, 1);
	if (err == -EINVAL) {
		/* a kernel without zcrx events: no copy counters then */
		reg.event_desc = 0;
		memset(&reg.offsets, 0, sizeof(reg.offsets));
		err = iou_sys_register(ring_fd, IOU_REGISTER_ZCRX_IFQ, &reg, 1);
	}
	if (err == -EPERM)
		return iou_fail(f, IOU_STAGE_ZCRX, err,
			"--zcrx: registering the zcrx ifq needs CAP_NET_ADMIN");
	if (err == -EOPNOTSUPP || err == -ENODEV)
		return iou_fail(f, IOU_STAGE_ZCRX, -EOPNOTSUPP,
			"--zcrx: the kernel has no device-less zcrx "
			"(ZCRX_REG_NODEV): %s", strerror(-err));
	if (err < 0)
		return iou_fail(f, IOU_STAGE_ZCRX, err,
			"--zcrx: registering the zcrx ifq (area %u bytes, "
			"refill queue %u entries) failed: %s", r->zcrx_area,
			r->zcrx_rq, strerror(-err));
	if (reg.offsets.rqes + (size_t)reg.rq_entries * 16 > rq_size)
		return iou_fail(f, IOU_STAGE_ZCRX, -EOVERFLOW,
			"--zcrx: the kernel placed the refill queue past its "
			"region (rqes at %u)", reg.offsets.rqes);
	r->zcrx_on = 1;
	r->zcrx_id = reg.zcrx_id;
	r->zcrx_rq_head = r->zcrx_rq_off + reg.offsets.head;
	r->zcrx_rq_tail = r->zcrx_rq_off + reg.offsets.tail;
	r->zcrx_rqes_off = r->zcrx_rq_off + reg.offsets.rqes;
	r->zcrx_rq_entries = reg.rq_entries;
	r->zcrx_buf_len = reg.rx_buf_len;
	r->zcrx_stats_off = reg.event_desc ?
			    r->zcrx_rq_off + (uint32_t)ev.stats_offset : 0;
	return 0;
}

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ULL +
	       (unsigned long long)ts.tv_nsec;
}

int iou_zcrx_service(int ring_fd, const struct iou_res *r,
		     struct iou_ctl *ctl)
{
	struct iou_zcrx_ctrl c;
	unsigned long long t0;
	int err;

	if (!r || !r->zcrx_on ||
	    !__atomic_load_n(&ctl->zcrx_flush_req, __ATOMIC_ACQUIRE))
		return 0;
	memset(&c, 0, sizeof(c));
	c.zcrx_id = r->zcrx_id;
	c.op = IOU_ZCRX_CTRL_FLUSH_RQ;
	t0 = now_ns();
	err = iou_sys_register(ring_fd, IOU_REGISTER_ZCRX_CTRL, &c, 0);
	if (err < 0)
		return err;
	ctl->zcrx_flush_ns += now_ns() - t0;
	ctl->zcrx_flushes++;
	__atomic_store_n(&ctl->zcrx_flush_req, 0, __ATOMIC_RELEASE);
	return 1;
}
