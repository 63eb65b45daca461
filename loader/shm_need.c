// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * shm_need.c - size the shared region from the program's iou_shm_need
 * (bytes + global * global), evaluated after --set so that a program
 * whose buffers are qd * bs gets a region that fits the qd and bs it
 * will run with.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "loader_internal.h"
#include "object_globals.h"

/* An unsigned integer global's current value; "" is 1. */
static int factor(struct bpf_object *obj, const char *name, size_t len,
		  unsigned long long *v)
{
	char buf[IOU_SHM_NEED_NAME_LEN + 1];
	size_t size;
	void *data;
	int err;

	memcpy(buf, name, len);
	buf[len] = '\0';
	if (!buf[0]) {
		*v = 1;
		return 0;
	}
	err = iou_global_find(obj, buf, &data, &size);
	if (err)
		return err;
	switch (size) {
	case 1: *v = *(__u8 *)data; break;
	case 2: *v = *(__u16 *)data; break;
	case 4: *v = *(__u32 *)data; break;
	case 8: *v = *(__u64 *)data; break;
	default: return -EINVAL;
	}
	return 0;
}

static int shm_need(struct bpf_object *obj, size_t *bytes)
{
	struct iou_shm_need need;
	unsigned long long a, b;
	size_t size;
	void *data;
	int err;

	*bytes = 0;
	err = iou_global_find(obj, IOU_SYM_SHM_NEED, &data, &size);
	if (err == -ENOENT)
		return 0;
	if (err)
		return err;
	if (size != sizeof(need))
		return -EINVAL;
	memcpy(&need, data, sizeof(need));
	err = factor(obj, need.mul_a, strnlen(need.mul_a, sizeof(need.mul_a)), &a);
	if (!err)
		err = factor(obj, need.mul_b, strnlen(need.mul_b, sizeof(need.mul_b)), &b);
	if (err)
		return err;
	/* the region is at most 4 GiB: anything past it cannot be served */
	if ((a && b > UINT32_MAX / a) || need.bytes > UINT32_MAX ||
	    a * b > UINT32_MAX - need.bytes)
		return -E2BIG;
	*bytes = (size_t)(need.bytes + a * b);
	return 0;
}

int iou_shm_need_apply(struct bpf_object *obj, struct iou_opts *o)
{
	size_t need, size = o->shm_size ? o->shm_size : IOU_DEFAULT_SHM_SIZE;
	int err = shm_need(obj, &need);

	if (err)
		return err;
	if (size >= IOU_CTL_SIZE + need)
		return 0;
	size = iou_page_align(IOU_CTL_SIZE + need);
	if (size > UINT32_MAX)
		return -E2BIG;
	iou_logf(o, IOU_LOG_INFO, "shm: %zu bytes, as the program's "
		 "iou_shm_need asks", size);
	o->shm_size = size;
	return 0;
}
