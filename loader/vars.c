// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * vars.c - a program's values by path after the run and around it:
 * --shm-type (the region as the program's own struct), --print and
 * --expect (iou_prog_var_info/_encode/_read), and the report of the
 * integer globals of a program that keeps no exit record. Paths are
 * resolved by globals.c (iou_var_resolve).
 */
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prog_internal.h"

/* ---- --shm-type, --print, --expect ---- */

int iou_prog_set_shm_type(struct iou_prog *p, const char *type)
{
	const struct btf *btf;
	const char *name = type;
	size_t region;
	long long size;
	__u32 id;
	int err;

	if (p->loaded)
		return -EBUSY;
	if (!strncmp(name, "struct ", 7))
		name += 7;
	err = iou_shm_type_find(p, type, name, &btf, &id);	/* BTF or DWARF */
	if (err)
		return err;
	size = btf__resolve_size(btf, id);
	region = iou_page_align(p->opts.shm_size ? p->opts.shm_size :
				IOU_DEFAULT_SHM_SIZE);
	if (size <= 0 || (unsigned long long)size > UINT32_MAX)
		return iou_fail(&p->fail, IOU_STAGE_SET, -E2BIG,
				"--shm-type %s: a size of %lld bytes cannot "
				"be a region", type, size);
	if ((size_t)size > region) {
		if (p->opts.shm_size)
			return iou_fail(&p->fail, IOU_STAGE_SET, -E2BIG,
					"--shm-type %s: %lld bytes, larger than "
					"the %zu-byte region (--shm-size)",
					type, size, region);
		p->opts.shm_size = (size_t)size;
	}
	p->shm_type_id = id;
	p->shm_type_size = (size_t)size;
	return 0;
}

static void fill_info(const struct var_loc *loc, struct iou_var_info *info)
{
	info->section = loc->section;
	info->offset = loc->offset;
	info->size = loc->size;
	info->is_signed = loc->is_signed;
	info->is_pointer = loc->is_pointer;
}

int iou_prog_var_info(struct iou_prog *p, const char *path,
		      struct iou_var_info *info)
{
	struct var_loc loc;
	int err = iou_var_resolve(p, path, &loc);

	if (!err)
		fill_info(&loc, info);
	return err;
}

int iou_prog_var_encode(struct iou_prog *p, const char *path,
			const char *value, unsigned long long *raw)
{
	struct var_loc loc;
	int err;

	if (value[0] == '@')
		return iou_fail(&p->fail, IOU_STAGE_SET, -EINVAL,
				"%s: expected a number, not %s", path, value);
	err = iou_var_resolve(p, path, &loc);
	return err ? err : iou_var_encode_value(p, path, &loc, value, false, raw);
}

static unsigned long long read_loc(const __u8 *data, unsigned size)
{
	unsigned long long raw = 0;

	/* one load per value: it may be the live map or region */
	switch (size) {
	case 1: raw = *(const volatile __u8 *)data; break;
	case 2: raw = *(const volatile __u16 *)data; break;
	case 4: raw = *(const volatile __u32 *)data; break;
	case 8: raw = *(const volatile __u64 *)data; break;
	}
	return raw;
}

int iou_prog_var_read(struct iou_prog *p, const char *path,
		      unsigned long long *raw, struct iou_var_info *info)
{
	struct var_loc loc;
	const __u8 *data;
	int err = iou_var_resolve(p, path, &loc);

	if (err)
		return err;
	if (p->loaded && loc.map) {
		size_t size = bpf_map__value_size(loc.map);
		__u8 *buf = malloc(size);

		if (!buf)
			return -ENOMEM;
		err = iou_map_read_section(loc.map, buf, size);
		if (!err && loc.offset + loc.size > size)
			err = -EINVAL;
		if (!err)
			*raw = read_loc(buf + loc.offset, loc.size);
		free(buf);
		if (err)
			return err;
	} else {
		data = iou_var_bytes(p, &loc);
		if (!data)
			return -ENODATA;
		*raw = read_loc(data, loc.size);
	}
	if (info)
		fill_info(&loc, info);
	return 0;
}

void iou_var_format(const struct iou_var_info *info, unsigned long long raw,
		    char *buf, size_t len)
{
	unsigned bits = info->size * 8;

	if (info->is_pointer)
		snprintf(buf, len, "0x%llx", raw);
	else if (info->is_signed && bits < 64 && (raw >> (bits - 1)) & 1)
		snprintf(buf, len, "%lld", (long long)(raw | ~((1ULL << bits) - 1)));
	else if (info->is_signed)
		snprintf(buf, len, "%lld", (long long)raw);
	else
		snprintf(buf, len, "%llu", raw);
}

int iou_prog_for_each_int_global(struct iou_prog *p,
				 int (*fn)(const char *name,
					   const struct iou_var_info *info,
					   unsigned long long raw, void *cookie),
				 void *cookie)
{
	const struct btf *btf = bpf_object__btf(p->obj);
	struct bpf_map *map;
	__u8 *live = NULL;
	size_t size;
	int err;

	if (!btf)
		return 0;
	bpf_object__for_each_map(map, p->obj) {
		const struct btf_type *sec;
		const struct btf_var_secinfo *vi;
		const char *secname;
		int i;

		sec = iou_map_datasec(btf, map);
		if (!sec)
			continue;
		secname = btf__name_by_offset(btf, sec->name_off);
		if (strncmp(secname, ".bss", 4) && strncmp(secname, ".data", 5))
			continue;
		size = bpf_map__value_size(map);
		free(live);
		live = NULL;
		if (p->loaded) {
			live = malloc(size);
			if (!live)
				return -ENOMEM;
			err = iou_map_read_section(map, live, size);
			if (err)
				goto out;
		}
		vi = btf_var_secinfos(sec);
		for (i = 0; i < btf_vlen(sec); i++, vi++) {
			const struct btf_type *var = btf__type_by_id(btf, vi->type);
			const struct btf_type *t;
			struct var_loc loc = { .map = map, .section = secname,
					       .offset = vi->offset,
					       .size = vi->size };
			struct iou_var_info info;
			const __u8 *data;

			if (!var || !btf_is_var(var))
				continue;
			t = btf__type_by_id(btf, btf__resolve_type(btf, var->type));
			if (!t || !(btf_is_int(t) || btf_is_enum(t)) ||
			    (vi->size != 1 && vi->size != 2 && vi->size != 4 &&
			     vi->size != 8))
				continue;
			loc.is_signed = btf_is_int(t) ?
				!!(btf_int_encoding(t) & BTF_INT_SIGNED) :
				btf_kflag(t);
			data = live ? (vi->offset + vi->size <= size ?
				       live + vi->offset : NULL) :
				      iou_var_bytes(p, &loc);
			if (!data)
				continue;
			fill_info(&loc, &info);
			err = fn(btf__name_by_offset(btf, var->name_off), &info,
				 read_loc(data, loc.size), cookie);
			if (err)
				goto out;
		}
	}
	err = 0;
out:
	free(live);
	return err;
}
