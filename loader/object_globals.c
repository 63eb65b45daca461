// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * object_globals.c - a BPF object's global variables, found through the
 * DATASECs of its BTF (.rodata, .data, .bss...) before load (see
 * object_globals.h).
 */
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <string.h>

#include "object_globals.h"

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

int iou_object_for_each_global(struct bpf_object *obj,
			       int (*fn)(const struct iou_global *g,
					 void *cookie),
			       void *cookie)
{
	const struct btf *btf = bpf_object__btf(obj);
	struct bpf_map *map;
	int err;

	if (!btf)
		return 0;
	bpf_object__for_each_map(map, obj) {
		const struct btf_type *sec = iou_map_datasec(btf, map);
		const struct btf_var_secinfo *vi;
		int i;

		if (!sec)
			continue;
		vi = btf_var_secinfos(sec);
		for (i = 0; i < btf_vlen(sec); i++, vi++) {
			const struct btf_type *var = btf__type_by_id(btf, vi->type);
			struct iou_global g;

			if (!var || !btf_is_var(var))
				continue;
			g.name = btf__name_by_offset(btf, var->name_off);
			g.map = map;
			g.section = btf__name_by_offset(btf, sec->name_off);
			g.offset = vi->offset;
			g.size = vi->size;
			g.type_id = var->type;
			err = fn(&g, cookie);
			if (err)
				return err;
		}
	}
	return 0;
}

struct locate {
	const char *name;
	struct iou_global *out;
};

static int match_name(const struct iou_global *g, void *cookie)
{
	struct locate *l = cookie;

	if (strcmp(g->name, l->name))
		return 0;
	*l->out = *g;
	return 1;
}

int iou_global_locate(struct bpf_object *obj, const char *name,
		      struct iou_global *g)
{
	struct locate l = { name, g };

	return iou_object_for_each_global(obj, match_name, &l) ? 0 : -ENOENT;
}

int iou_global_find(struct bpf_object *obj, const char *name, void **ptr,
		    size_t *size)
{
	struct iou_global g;
	size_t map_size;
	__u8 *data;
	int err;

	err = iou_global_locate(obj, name, &g);
	if (err)
		return err;
	data = bpf_map__initial_value(g.map, &map_size);
	if (!data || g.offset + g.size > map_size)
		return -EINVAL;
	*ptr = data + g.offset;
	*size = g.size;
	return 0;
}
