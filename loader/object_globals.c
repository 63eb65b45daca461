// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * object_globals.c - a BPF object's global variables, found through the
 * DATASECs of its BTF (.rodata, .data, .bss...) before load.
 */
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <string.h>

#include "prog_internal.h"

/* The DATASEC (.rodata, .data, .bss...) a global-data map holds, or NULL
 * for any other map. */
const struct btf_type *iou_map_datasec(const struct btf *btf,
				       const struct bpf_map *map)
{
	const struct btf_type *sec;

	if (bpf_map__type(map) != BPF_MAP_TYPE_ARRAY ||
	    !bpf_map__btf_value_type_id(map))
		return NULL;
	sec = btf__type_by_id(btf, bpf_map__btf_value_type_id(map));
	return sec && btf_is_datasec(sec) ? sec : NULL;
}

/* Find the top-level global NAME in the object's data sections. */
int find_root(struct bpf_object *obj, const char *name,
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

		sec = iou_map_datasec(btf, map);
		if (!sec)
			continue;
		vi = btf_var_secinfos(sec);
		for (i = 0; i < btf_vlen(sec); i++, vi++) {
			const struct btf_type *var = btf__type_by_id(btf, vi->type);

			if (!var || !btf_is_var(var) ||
			    strcmp(btf__name_by_offset(btf, var->name_off), name))
				continue;
			loc->map = map;
			loc->section = btf__name_by_offset(btf, sec->name_off);
			loc->offset = vi->offset;
			loc->size = vi->size;
			loc->type_id = var->type;
			return 0;
		}
	}
	return -ENOENT;
}

/* The old lookup by plain name: a top-level global, whatever its type. */
static int find_var(struct bpf_object *obj, const char *name,
		    struct var_loc *loc)
{
	const struct btf *btf = bpf_object__btf(obj);
	const struct btf_type *t;
	int err;

	memset(loc, 0, sizeof(*loc));
	err = find_root(obj, name, loc);
	if (err)
		return err;
	t = btf__type_by_id(btf, btf__resolve_type(btf, loc->type_id));
	loc->is_signed = t && btf_is_int(t) &&
			 (btf_int_encoding(t) & BTF_INT_SIGNED);
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
