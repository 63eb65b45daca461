/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * object_globals.h - a BPF object's global variables, found through the
 * DATASECs of its BTF (.rodata, .data, .bss...), before load. Object
 * level: these see a struct bpf_object, never a struct iou_prog, so every
 * layer may use them: the services and net.c (their globals by name),
 * globals.c and vars.c (the root of a path), and `iouops inspect`. Not
 * part of the API.
 */
#ifndef IOUOPS_OBJECT_GLOBALS_H
#define IOUOPS_OBJECT_GLOBALS_H

#include <stddef.h>
#include <linux/types.h>

struct bpf_object;
struct bpf_map;
struct btf;
struct btf_type;

/* The DATASEC a global-data map holds, or NULL for any other map. */
const struct btf_type *iou_map_datasec(const struct btf *btf,
				       const struct bpf_map *map);

/* One global variable of an object, and where its value lives. */
struct iou_global {
	const char *name;
	struct bpf_map *map;	/* the map of its data section */
	const char *section;	/* ".bss", ".data", ".rodata"... */
	__u32 offset;		/* in the section */
	__u32 size;
	__u32 type_id;		/* its declared type (modifiers kept) */
};

/* Call fn for every global variable of obj's data sections (the sections'
 * order, then declaration order), the compiler's own (".str" names)
 * included, until fn returns non-zero, which is returned. 0 when the
 * object has no BTF. */
int iou_object_for_each_global(struct bpf_object *obj,
			       int (*fn)(const struct iou_global *g,
					 void *cookie),
			       void *cookie);

/* The global NAME: 0, or -ENOENT when there is none (or no BTF). */
int iou_global_locate(struct bpf_object *obj, const char *name,
		      struct iou_global *g);

/* Where the initial value (before load) of global NAME lives in obj's
 * data sections, and its size. -ENOENT: no such global (or no BTF);
 * -EINVAL: the section holds no value for it. */
int iou_global_find(struct bpf_object *obj, const char *name, void **ptr,
		    size_t *size);

#endif /* IOUOPS_OBJECT_GLOBALS_H */
