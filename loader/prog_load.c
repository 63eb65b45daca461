// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * prog_load.c - load, attach and run one loop program.
 *
 * The order matters and is the whole point of the loader: the ring must
 * exist before load, because its geometry (known only after
 * io_uring_setup()) goes into the program's frozen .rodata, and the
 * struct_ops map carries the ring fd that attach installs the program on.
 */
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "prog_internal.h"
#include "services/files_root_internal.h"
#include "services/zcrx_internal.h"

/* iou_timeout_imm (iou_prep.bpf.h) stays 1 only where the kernel takes
 * IORING_TIMEOUT_IMMEDIATE_ARG; after the --set values, so a user's 0
 * forces the timespec form and a user's 1 cannot force a missing flag. */
static int fill_timeout_imm(struct iou_prog *p)
{
	size_t size;
	void *var;
	__u32 v;
	int err;

	err = iou_global_find(p->obj, IOU_SYM_TIMEOUT_IMM, &var, &size);
	if (err == -ENOENT)
		return 0;
	if (err || size != sizeof(v))
		return -EINVAL;
	memcpy(&v, var, sizeof(v));
	if (!v)
		return 0;
	if (!iou_kernel_has_timeout_imm()) {
		iou_logf(&p->opts, IOU_LOG_INFO, "kernel lacks "
			 "IORING_TIMEOUT_IMMEDIATE_ARG: timeouts use a timespec");
		v = 0;
	} else {
		v = 1;
	}
	memcpy(var, &v, sizeof(v));
	return 0;
}

/* Write iou_layout (if the program has one), the --set values and the
 * ring fd (a member of the ops struct) into the object. */
static int fill_program(struct iou_prog *p)
{
	const struct btf *btf = bpf_object__btf(p->obj);
	const struct btf_type *t;
	const struct btf_member *m;
	size_t size;
	void *var;
	__u8 *data;
	int i, err;

	err = iou_global_find(p->obj, IOU_SYM_LAYOUT, &var, &size);
	if (err != -ENOENT) {
		if (err || size != sizeof(p->layout))
			return -EINVAL;
		memcpy(var, &p->layout, sizeof(p->layout));
	}
	err = iou_prog_apply_sets(p);
	if (err)
		return err;
	err = fill_timeout_imm(p);
	if (err)
		return err;

	t = btf__type_by_id(btf, bpf_map__btf_value_type_id(p->ops_map));
	data = bpf_map__initial_value(p->ops_map, &size);
	if (!t || !data)
		return -EINVAL;
	m = btf_members(t);
	for (i = 0; i < btf_vlen(t); i++, m++) {
		__u32 off = btf_member_bit_offset(t, i) / 8;

		if (strcmp(btf__name_by_offset(btf, m->name_off), IOU_SYM_RING_FD))
			continue;
		if (off + sizeof(__u32) > size)
			return -EINVAL;
		memcpy(data + off, &(__u32){ (__u32)p->ring_fd }, sizeof(__u32));
		return 0;
	}
	return -EINVAL;
}

static int load_object(struct iou_prog *p)
{
	int err;

	err = fill_program(p);
	if (err) {
		p->fail.stage = IOU_STAGE_SET;
		return err;
	}
	p->fail.stage = IOU_STAGE_VERIFIER;
	iou_bpf_log_begin(&p->log, &p->opts);
	err = bpf_object__load(p->obj);
	iou_bpf_log_end();
	if (err) {
		iou_bpf_log_failed(&p->log, &p->fail);
		if (err == -EPERM) {
			p->fail.stage = IOU_STAGE_PERM;
		} else if (iou_explain_missing_feature(p->log.text, p->fail.msg,
						       sizeof(p->fail.msg))) {
			p->fail.stage = IOU_STAGE_KERNEL;
			err = -EOPNOTSUPP;
		}
		return err;
	}
	p->loaded = true;
	p->fail.stage = IOU_STAGE_NONE;
	iou_prog_stamp(p, IOU_PHASE_VERIFY);
	return 0;
}

/*
 * The kernel probe parses all of the kernel's BTF, and bpf_object__load()
 * parses it again: a third of a load's time (make bench, LOAD). So a load
 * checks privileges only (cheap) and runs the probe when a step failed,
 * where it tells "this kernel lacks io_uring BPF ops" from other errors;
 * without privileges it probes first, so a kernel without the feature is
 * still reported as such before a missing capability.
 */
static int probe_kernel(struct iou_prog *p, int err)
{
	char why[256];
	int perr;

	perr = iou_probe_kernel(why, sizeof(why));
	if (!perr)
		return err;
	p->fail.stage = IOU_STAGE_KERNEL;
	snprintf(p->fail.msg, sizeof(p->fail.msg), "%s", why);
	return perr;
}

static int check_privileges(struct iou_prog *p)
{
	int err;

	if (iou_can_load_bpf())
		return 0;
	err = probe_kernel(p, 0);
	if (err)
		return err;
	p->fail.stage = IOU_STAGE_PERM;
	return -EPERM;
}

static int load_steps(struct iou_prog *p)
{
	int err;

	/* --root's files are read and checked against their bound first;
	 * then iou_shm_need, struct iou_res and --listen size the CQ and
	 * the region (the buffer ring goes past the program's own data),
	 * and the files go past all of that */
	err = iou_root_prepare(p->obj, &p->opts, &p->fail, &p->root);
	if (err)
		return err;
	p->fail.stage = IOU_STAGE_REGION;
	err = iou_shm_need_apply(p->obj, &p->opts);
	if (err)
		return err;
	err = iou_netres_prepare(p->obj, &p->opts, &p->fail, p->listen_preset,
				 &p->net);
	p->listen_preset = -1;	/* net's now, whatever happened */
	if (!err)
		err = iou_root_place(p->root, &p->opts, &p->fail);
	if (err)
		return err;
	p->fail.stage = IOU_STAGE_RING;
	err = iou_prog_setup_ring(p);
	if (err)
		return err;
	iou_prog_stamp(p, IOU_PHASE_RING);
	p->fail.stage = IOU_STAGE_REGION;
	err = iou_prog_setup_shm(p);
	if (err)
		return err;
	err = iou_netres_setup(p->net, p->obj, &p->fail, p->ring_fd, p->shm,
			       p->shm_size, &p->opts);
	if (!err)
		err = iou_root_setup(p->root, p->obj, &p->fail, p->shm,
				     p->shm_size);
	if (err)
		return err;
	iou_prog_stamp(p, IOU_PHASE_REGION);
	iou_prog_compute_layout(p);
	return load_object(p);
}

int iou_prog_load(struct iou_prog *p)
{
	int err;

	if (p->loaded)
		return -EBUSY;
	err = check_privileges(p);
	if (err)
		return err;
	iou_prog_stamp(p, IOU_PHASE_PROBE);
	err = load_steps(p);
	return err ? probe_kernel(p, err) : 0;
}

int iou_prog_load_on_ring_of(struct iou_prog *p, const struct iou_prog *owner)
{
	int err;

	if (p->loaded)
		return -EBUSY;
	if (owner->ring_fd < 0)
		return -EBADF;
	err = check_privileges(p);
	if (err)
		return err;
	/* borrow: the owner keeps the ring and the region */
	p->ring_fd = owner->ring_fd;
	p->own_ring = false;
	p->params = owner->params;
	p->shm_size = owner->shm_size;
	iou_prog_compute_layout(p);
	p->layout.shm_uaddr = (uintptr_t)owner->shm;
	err = load_object(p);
	return err ? probe_kernel(p, err) : 0;
}

int iou_prog_attach(struct iou_prog *p)
{
	struct bpf_link *link;

	if (!p->loaded)
		return -EINVAL;
	if (p->link)
		return -EALREADY;
	p->fail.stage = IOU_STAGE_ATTACH;
	link = bpf_map__attach_struct_ops(p->ops_map);
	if (!link)
		return -errno ? -errno : -EINVAL;
	p->link = link;
	p->fail.stage = IOU_STAGE_NONE;
	iou_prog_stamp(p, IOU_PHASE_ATTACH);
	return 0;
}

int iou_prog_detach(struct iou_prog *p)
{
	int err = 0;

	if (p->link) {
		err = bpf_link__destroy(p->link);
		p->link = NULL;
	}
	return err;
}

int iou_prog_run(struct iou_prog *p)
{
	int ret;

	if (!p->link)
		return -ENOLINK;
	p->fail.stage = IOU_STAGE_RUN;
	for (;;) {
		ret = iou_sys_enter(p->ring_fd);
		if (ret >= 0) {
			/* the program stopped to have its zcrx refill
			 * queue flushed (BPF cannot): flush, enter again */
			ret = iou_zcrx_service(p->ring_fd,
					       iou_netres_res(p->net), p->shm);
			if (ret < 0)
				return ret;
			if (ret > 0)
				continue;
			break;
		}
		/* A signal ends the enter; BPF globals survive and a new
		 * enter resumes the loop with fresh loop params. Re-enter
		 * only to let a program that was asked to stop wind down. */
		if (ret == -EINTR && p->stop_requested && !p->force_stop)
			continue;
		return ret;
	}
	p->fail.stage = IOU_STAGE_NONE;
	return 0;
}

void iou_prog_request_stop(struct iou_prog *p)
{
	p->stop_requested = 1;
	if (p->shm_type_id)	/* no control block: end the enter instead */
		p->force_stop = 1;
	else if (p->shm)
		__atomic_store_n(&((struct iou_ctl *)p->shm)->stop_req, 1,
				 __ATOMIC_RELEASE);
}

void iou_prog_force_stop(struct iou_prog *p)
{
	p->force_stop = 1;
}
