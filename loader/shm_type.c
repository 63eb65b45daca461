// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * shm_type.c - where --shm-type's struct is described: the object's BTF,
 * or else its DWARF. clang writes BTF only for the types of globals and
 * of functions that survive inlining, so the usual state of a loop
 * program written elsewhere, a struct it reaches through a local pointer
 * into the region, is in the DWARF of -g alone. That struct is rebuilt as
 * BTF (dwarf_btf.c) and kept in p->shm_btf, where the path code of
 * globals.c reads it as it reads the object's own BTF.
 */
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dwarf_btf.h"
#include "prog_internal.h"

static bool is_struct(const struct btf *btf, __u32 id)
{
	int r = btf__resolve_type(btf, id);
	const struct btf_type *t = r > 0 ? btf__type_by_id(btf, (__u32)r) : NULL;

	return t && btf_is_struct(t);
}

/* The struct or typedef of a struct NAME in BTF: its id, or -ENOENT. */
static __s32 find_btf_struct(const struct btf *btf, const char *name)
{
	__s32 id = btf__find_by_name_kind(btf, name, BTF_KIND_STRUCT);

	if (id < 0)
		id = btf__find_by_name_kind(btf, name, BTF_KIND_TYPEDEF);
	return id > 0 && is_struct(btf, (__u32)id) ? id : -ENOENT;
}

int iou_shm_type_find(struct iou_prog *p, const char *type, const char *name,
		      const struct btf **btf, __u32 *id)
{
	const struct btf *obj_btf = bpf_object__btf(p->obj);
	struct iou_dwarf *d = NULL;
	__s32 found = obj_btf ? find_btf_struct(obj_btf, name) : -ENOENT;
	int err;

	btf__free(p->shm_btf);
	p->shm_btf = NULL;
	p->shm_type_id = 0;	/* until the caller has checked the new one */
	if (found > 0) {
		*btf = obj_btf;
		*id = (__u32)found;
		return 0;
	}
	err = iou_dwarf_open(p->path, &d);
	if (!err)
		err = iou_dwarf_add_type(d, name, id);
	if (!err && !is_struct(iou_dwarf_btf(d), *id))
		err = -ENOENT;
	if (err == -ENOENT)
		iou_fail(&p->fail, IOU_STAGE_SET, err, "--shm-type %s: the program "
			 "has no struct %s (iouops inspect lists its types)",
			 type, name);
	else if (err == -ENODATA)
		iou_fail(&p->fail, IOU_STAGE_SET, err, "--shm-type %s: no struct %s "
			 "in the program's BTF, and no DWARF to look in: rebuild "
			 "it with -g (strip and bpftool gen object drop DWARF)",
			 type, name);
	else if (err)
		iou_fail(&p->fail, IOU_STAGE_SET, err, "--shm-type %s: the "
			 "program's DWARF: %s", type,
			 d ? iou_dwarf_error(d) : strerror(-err));
	else
		*btf = p->shm_btf = iou_dwarf_take_btf(d);
	iou_dwarf_close(d);
	return err;
}

/* ---- iouops inspect: the structs only DWARF describes ---- */

struct seen {
	struct iou_dwarf_struct *v;
	size_t n, cap;
	struct iou_dwarf *d;
};

static int collect(const char *name, __u32 id, int err, void *cookie)
{
	struct seen *s = cookie;
	struct iou_dwarf_struct *e;

	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 64;

		e = realloc(s->v, cap * sizeof(*e));
		if (!e)
			return -ENOMEM;
		s->v = e;
		s->cap = cap;
	}
	e = &s->v[s->n];
	memset(e, 0, sizeof(*e));
	e->name = strdup(name);
	e->why = err ? strdup(iou_dwarf_error(s->d)) : NULL;
	if (!e->name || (err && !e->why)) {
		free((char *)e->name);
		return -ENOMEM;
	}
	e->err = err;
	if (!err) {
		const struct btf_type *t = btf__type_by_id(iou_dwarf_btf(s->d), id);

		e->size = t->size;
		e->members = btf_vlen(t);
	}
	s->n++;
	return 0;
}

static int by_name(const void *a, const void *b)
{
	const struct iou_dwarf_struct *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : x < y ? -1 : x > y;	/* the first of a name first */
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The names find_btf_struct() finds in BTF, sorted (NULL and 0 when
 * there are none). */
static const char **btf_struct_names(const struct btf *btf, size_t *n)
{
	__u32 id, cnt = btf ? btf__type_cnt(btf) : 0;
	const char **v = cnt ? calloc(cnt, sizeof(*v)) : NULL;

	*n = 0;
	for (id = 1; v && id < cnt; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);
		const char *name = btf__name_by_offset(btf, t->name_off);

		if (name && *name && (btf_is_struct(t) ||
				      (btf_is_typedef(t) && is_struct(btf, id))))
			v[(*n)++] = name;
	}
	if (*n)
		qsort(v, *n, sizeof(*v), cmp_str);
	return v;
}

int iou_object_dwarf_structs(const char *path,
			     int (*fn)(const struct iou_dwarf_struct *s,
				       void *cookie),
			     void *cookie)
{
	libbpf_print_fn_t print = libbpf_set_print(NULL);	/* no stderr */
	struct btf *obj_btf = btf__parse_elf(path, NULL);
	struct seen s = { 0 };
	const char **in_btf;
	size_t i, nr_btf;
	int err;

	libbpf_set_print(print);
	in_btf = btf_struct_names(obj_btf, &nr_btf);
	err = iou_dwarf_open(path, &s.d);
	if (!err)
		err = iou_dwarf_for_each_struct(s.d, collect, &s);
	/* each name once (a struct may be in several units), sorted, and
	 * only those the object's BTF lacks */
	if (!err && s.n)
		qsort(s.v, s.n, sizeof(*s.v), by_name);
	for (i = 0; !err && i < s.n; i++) {
		if ((i && !strcmp(s.v[i].name, s.v[i - 1].name)) ||
		    (nr_btf && bsearch(&s.v[i].name, in_btf, nr_btf,
				       sizeof(*in_btf), cmp_str)))
			continue;
		err = fn(&s.v[i], cookie);
	}
	for (i = 0; i < s.n; i++) {
		free((char *)s.v[i].name);
		free((char *)s.v[i].why);
	}
	free(s.v);
	free(in_btf);
	iou_dwarf_close(s.d);
	btf__free(obj_btf);
	return err;
}
