// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * globals.c - a program's global variables: find them by name through the
 * object's BTF, parse the numbers and @fields of --set, and write them into
 * the object's data sections before load.
 */
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "prog_internal.h"

struct var_loc {
	struct bpf_map *map;
	__u32 offset;
	__u32 size;
	bool is_signed;
};

/* Find a global variable by name in the object's data sections. */
static int find_var(struct bpf_object *obj, const char *name,
		    struct var_loc *loc)
{
	const struct btf *btf = bpf_object__btf(obj);
	struct bpf_map *map;

	if (!btf)
		return -ENOENT;
	bpf_object__for_each_map(map, obj) {
		const struct btf_type *sec;
		const struct btf_var_secinfo *vi;
		int i;

		if (bpf_map__type(map) != BPF_MAP_TYPE_ARRAY ||
		    !bpf_map__btf_value_type_id(map))
			continue;
		sec = btf__type_by_id(btf, bpf_map__btf_value_type_id(map));
		if (!sec || !btf_is_datasec(sec))
			continue;
		vi = btf_var_secinfos(sec);
		for (i = 0; i < btf_vlen(sec); i++, vi++) {
			const struct btf_type *var = btf__type_by_id(btf, vi->type);
			const struct btf_type *t;

			if (!var || strcmp(btf__name_by_offset(btf, var->name_off), name))
				continue;
			t = btf__type_by_id(btf, btf__resolve_type(btf, var->type));
			loc->map = map;
			loc->offset = vi->offset;
			loc->size = vi->size;
			loc->is_signed = t && btf_is_int(t) &&
					 (btf_int_encoding(t) & BTF_INT_SIGNED);
			return 0;
		}
	}
	return -ENOENT;
}

static int parse_number(const char *s, bool *negative, unsigned long long *v)
{
	unsigned long long mult = 1, x;
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	*negative = *s == '-';
	if (*negative)
		s++;
	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	x = strtoull(s, &end, 0);
	if (errno)
		return -EINVAL;
	switch (tolower((unsigned char)*end)) {
	case 'k': mult = 1ULL << 10; end++; break;
	case 'm': mult = 1ULL << 20; end++; break;
	case 'g': mult = 1ULL << 30; end++; break;
	}
	if (*end || (x && mult > ULLONG_MAX / x))
		return -EINVAL;
	*v = x * mult;
	return 0;
}

int iou_parse_size(const char *s, unsigned long long *v)
{
	bool negative;
	int err = parse_number(s, &negative, v);

	return err ? err : negative ? -EINVAL : 0;
}

/* A ring-layout value named by @field; false if the name is unknown. */
static bool layout_field(const struct iou_prog *p, const char *field,
			 unsigned long long *v)
{
	const struct io_uring_params *pp = &p->params;
	const struct iou_layout *l = &p->layout;
	const struct { const char *name; unsigned long long value; } f[] = {
		{ "sq_entries", l->sq_entries },
		{ "cq_entries", l->cq_entries },
		{ "sq_mask", l->sq_mask },
		{ "cq_mask", l->cq_mask },
		{ "sq_off.head", pp->sq_off.head },
		{ "sq_off.tail", pp->sq_off.tail },
		{ "sq_off.ring_mask", pp->sq_off.ring_mask },
		{ "sq_off.ring_entries", pp->sq_off.ring_entries },
		{ "sq_off.flags", pp->sq_off.flags },
		{ "sq_off.dropped", pp->sq_off.dropped },
		{ "sq_off.array", pp->sq_off.array },
		{ "cq_off.head", pp->cq_off.head },
		{ "cq_off.tail", pp->cq_off.tail },
		{ "cq_off.ring_mask", pp->cq_off.ring_mask },
		{ "cq_off.ring_entries", pp->cq_off.ring_entries },
		{ "cq_off.overflow", pp->cq_off.overflow },
		{ "cq_off.cqes", pp->cq_off.cqes },
		{ "cq_off.flags", pp->cq_off.flags },
		{ "rings_size", l->rings_size },
		{ "sqes_size", l->sqes_size },
		{ "shm_size", l->mem_size },
		{ "shm_uaddr", l->shm_uaddr },
		{ "ring_fd", (unsigned long long)p->ring_fd },
		{ "setup_flags", l->setup_flags },
	};
	size_t i;

	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		if (!strcmp(field, f[i].name)) {
			*v = f[i].value;
			return true;
		}
	}
	return false;
}

static int resolve_value(const struct iou_prog *p, const char *value,
			 bool *negative, unsigned long long *v)
{
	if (value[0] == '@') {
		*negative = false;
		return layout_field(p, value + 1, v) ? 0 : -EINVAL;
	}
	return parse_number(value, negative, v);
}

static int write_var(const struct var_loc *loc, bool negative,
		     unsigned long long v)
{
	unsigned bits = loc->size * 8;
	size_t size;
	__u8 *data;

	if (loc->size != 1 && loc->size != 2 && loc->size != 4 &&
	    loc->size != 8)
		return -EINVAL;	/* arrays and structs are not numbers */
	if (negative) {
		if (!loc->is_signed || (bits < 64 && v > (1ULL << (bits - 1))) ||
		    (bits == 64 && v > (1ULL << 63)))
			return -EINVAL;
		v = -v;
	} else if (bits < 64 && v >> (loc->is_signed ? bits - 1 : bits)) {
		return -EINVAL;
	}
	data = bpf_map__initial_value(loc->map, &size);
	if (!data || loc->offset + loc->size > size)
		return -EINVAL;
	memcpy(data + loc->offset, &v, loc->size);	/* little endian */
	return 0;
}

int iou_prog_set(struct iou_prog *p, const char *name, const char *value)
{
	struct iou_set *grown;
	struct var_loc loc;
	unsigned long long v;
	bool negative;
	int err;

	if (p->loaded)
		return -EBUSY;
	p->fail.stage = IOU_STAGE_SET;
	err = find_var(p->obj, name, &loc);
	if (err)
		return err;
	/* Validate now so the user hears of a bad value before any setup;
	 * @fields resolve at load time, when the ring exists. */
	if (value[0] == '@') {
		if (!layout_field(p, value + 1, &v))
			return -EINVAL;
	} else {
		err = parse_number(value, &negative, &v);
		if (!err)
			err = write_var(&loc, negative, v);
		if (err)
			return err;
	}
	grown = realloc(p->sets, (p->nr_sets + 1) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	p->sets = grown;
	p->sets[p->nr_sets].name = strdup(name);
	p->sets[p->nr_sets].value = strdup(value);
	if (!p->sets[p->nr_sets].name || !p->sets[p->nr_sets].value) {
		free(p->sets[p->nr_sets].name);
		free(p->sets[p->nr_sets].value);
		return -ENOMEM;
	}
	p->nr_sets++;
	p->fail.stage = IOU_STAGE_NONE;
	return 0;
}

int iou_global_find(struct bpf_object *obj, const char *name, void **ptr,
		    size_t *size)
{
	struct var_loc loc;
	size_t map_size;
	__u8 *data;
	int err;

	err = find_var(obj, name, &loc);
	if (err)
		return err;
	data = bpf_map__initial_value(loc.map, &map_size);
	if (!data || loc.offset + loc.size > map_size)
		return -EINVAL;
	*ptr = data + loc.offset;
	*size = loc.size;
	return 0;
}

int iou_prog_apply_sets(struct iou_prog *p)
{
	struct var_loc loc;
	unsigned long long v;
	bool negative;
	size_t i;
	int err;

	for (i = 0; i < p->nr_sets; i++) {
		err = find_var(p->obj, p->sets[i].name, &loc);
		if (!err)
			err = resolve_value(p, p->sets[i].value, &negative, &v);
		if (!err)
			err = write_var(&loc, negative, v);
		if (err)
			return err;
	}
	return 0;
}
