// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * dwarf_btf.c - an object's DWARF types rebuilt as BTF (see dwarf_btf.h):
 * open the object's DWARF with libdw, find type definitions by name (a
 * unit's top level, function bodies and blocks), and hand the DIE found
 * to dwarf_types.c, which builds it.
 *
 * Every walk, here and in dwarf_types.c, spends from one budget of DIEs
 * per call, so enormous DWARF ends in -E2BIG, not in a long wait.
 */
#include <bpf/btf.h>
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dwarf_internal.h"

int iou_dwarf_fail(struct iou_dwarf *d, int err, Dwarf_Die *die,
		   const char *fmt, ...)
{
	va_list ap;
	int n = 0;

	if (die)
		n = snprintf(d->err, sizeof(d->err), "DIE 0x%llx: ",
			     (unsigned long long)dwarf_dieoffset(die));
	va_start(ap, fmt);
	vsnprintf(d->err + n, sizeof(d->err) - (size_t)n, fmt, ap);
	va_end(ap);
	return err;
}

int iou_dwarf_spend(struct iou_dwarf *d, Dwarf_Die *die)
{
	if (!d->budget)
		return iou_dwarf_fail(d, -E2BIG, die, "more than %u DIEs",
				      DIE_BUDGET);
	d->budget--;
	return 0;
}

int iou_dwarf_next_child(struct iou_dwarf *d, Dwarf_Die *parent,
			 Dwarf_Die *child, bool first)
{
	int r = first ? dwarf_child(parent, child) : dwarf_siblingof(child, child);

	if (r < 0)	/* libdw checks that a sibling lies further on */
		return iou_dwarf_fail(d, -EINVAL, parent, "broken DWARF (%s)",
				      dwarf_errmsg(-1));
	if (r > 0)
		return 0;
	r = iou_dwarf_spend(d, parent);
	return r ? r : 1;
}

/* ---- DIE offsets to what they became: open addressing ---- */

static size_t slot_hash(Dwarf_Off key, size_t cap)
{
	return (size_t)((key * 0x9E3779B97F4A7C15ULL) >> 17) & (cap - 1);
}

static size_t slot_index(const struct slot *slots, size_t cap, Dwarf_Off key)
{
	size_t i = slot_hash(key, cap);

	while (slots[i].key && slots[i].key != key)
		i = (i + 1) & (cap - 1);
	return i;
}

struct slot *iou_dwarf_slot_find(struct iou_dwarf *d, Dwarf_Off key)
{
	size_t i;

	if (!d->cap)
		return NULL;
	i = slot_index(d->slots, d->cap, key);
	return d->slots[i].key ? &d->slots[i] : NULL;
}

struct slot *iou_dwarf_slot_add(struct iou_dwarf *d, Dwarf_Off key)
{
	size_t i;

	if (2 * (d->nr_slots + 1) > d->cap) {	/* keep it half empty */
		size_t cap = d->cap ? 2 * d->cap : 256, j;
		struct slot *s = calloc(cap, sizeof(*s));

		if (!s)
			return NULL;
		for (j = 0; j < d->cap; j++)
			if (d->slots[j].key)
				s[slot_index(s, cap, d->slots[j].key)] = d->slots[j];
		free(d->slots);
		d->slots = s;
		d->cap = cap;
	}
	i = slot_index(d->slots, d->cap, key);
	d->slots[i].key = key;
	d->nr_slots++;
	return &d->slots[i];
}

/* ---- finding types ---- */

typedef int (*visit_fn)(struct iou_dwarf *d, Dwarf_Die *die, void *arg);

/* The DIEs under PARENT that may define C types: a unit's top level, and
 * the bodies of functions and blocks. VISIT returns non-zero to stop. */
static int walk_children(struct iou_dwarf *d, Dwarf_Die *parent, int level,
			 visit_fn visit, void *arg)
{
	Dwarf_Die c;
	int r, stop, tag;

	for (r = iou_dwarf_next_child(d, parent, &c, true); r == 1;
	     r = iou_dwarf_next_child(d, parent, &c, false)) {
		stop = visit(d, &c, arg);
		if (stop)
			return stop;
		tag = dwarf_tag(&c);
		if ((tag == DW_TAG_subprogram || tag == DW_TAG_lexical_block) &&
		    level < MAX_DEPTH) {
			stop = walk_children(d, &c, level + 1, visit, arg);
			if (stop)
				return stop;
		}
	}
	return r;
}

static int walk(struct iou_dwarf *d, visit_fn visit, void *arg)
{
	Dwarf_CU *cu = NULL;
	Dwarf_Die cudie;
	int r, stop;

	d->err[0] = '\0';
	if (!d->btf)
		return iou_dwarf_fail(d, -EINVAL, NULL, "its BTF was taken");
	d->budget = DIE_BUDGET;
	while ((r = dwarf_get_units(d->dw, cu, &cu, NULL, NULL, &cudie,
				    NULL)) == 0) {
		stop = walk_children(d, &cudie, 0, visit, arg);
		if (stop)
			return stop;
	}
	return r < 0 ? iou_dwarf_fail(d, -EINVAL, NULL, "broken DWARF unit "
				      "(%s)", dwarf_errmsg(-1)) : 0;
}

struct by_name {
	const char *name;
	Dwarf_Die type;		/* the struct, or else the first typedef */
	bool found_typedef;
};

static int visit_by_name(struct iou_dwarf *d, Dwarf_Die *die, void *arg)
{
	struct by_name *b = arg;
	const char *name;
	int tag = dwarf_tag(die);

	(void)d;
	if ((tag != DW_TAG_structure_type && tag != DW_TAG_typedef) ||
	    dwarf_hasattr(die, DW_AT_declaration))
		return 0;
	name = iou_dwarf_name(d, die);
	if (!name || strcmp(name, b->name))
		return 0;
	if (tag == DW_TAG_typedef) {
		if (!b->found_typedef)
			b->type = *die;
		b->found_typedef = true;
		return 0;
	}
	b->type = *die;
	return 1;
}

int iou_dwarf_add_type(struct iou_dwarf *d, const char *name, __u32 *id)
{
	struct by_name b = { .name = name };
	int err;

	err = walk(d, visit_by_name, &b);
	if (err < 0)
		return err;
	if (!err && !b.found_typedef)
		return iou_dwarf_fail(d, -ENOENT, NULL, "no struct %s", name);
	return iou_dwarf_build(d, &b.type, 0, id);
}

struct each_struct {
	int (*fn)(const char *name, __u32 id, int err, void *cookie);
	void *cookie;
};

static int visit_struct(struct iou_dwarf *d, Dwarf_Die *die, void *arg)
{
	struct each_struct *e = arg;
	const char *name = iou_dwarf_name(d, die);
	__u32 id = 0;
	int err;

	if (dwarf_tag(die) != DW_TAG_structure_type || !name || !*name ||
	    dwarf_hasattr(die, DW_AT_declaration))
		return 0;
	err = iou_dwarf_build(d, die, 0, &id);
	if (err == -ENOMEM)
		return err;
	return e->fn(name, err ? 0 : id, err, e->cookie);
}

int iou_dwarf_for_each_struct(struct iou_dwarf *d,
			      int (*fn)(const char *name, __u32 id, int err,
					void *cookie),
			      void *cookie)
{
	struct each_struct e = { fn, cookie };

	return walk(d, visit_struct, &e);
}

/* ---- the context ---- */

const char *iou_dwarf_name(struct iou_dwarf *d, Dwarf_Die *die)
{
	const char *name = dwarf_diename(die);
	size_t i;

	for (i = 0; name && i < sizeof(d->strs) / sizeof(d->strs[0]); i++) {
		uintptr_t start = (uintptr_t)d->strs[i].start, at = (uintptr_t)name;

		if (!start || at < start || at - start >= d->strs[i].size)
			continue;
		return memchr(name, '\0', d->strs[i].size - (at - start)) ?
		       name : NULL;
	}
	return NULL;
}

/* The sections DW_AT_name strings come from (DW_FORM_string: inline in
 * the DIE), as libdw holds them: after dwarf_begin_elf(), elf_getdata()
 * hands out the same (uncompressed) data. */
static void find_strs(struct iou_dwarf *d)
{
	static const char *const names[] = { ".debug_str", ".debug_line_str",
		".debug_info", ".debug_types" };
	Elf_Scn *scn = NULL;
	size_t strndx, i;
	GElf_Shdr sh;

	if (elf_getshdrstrndx(d->elf, &strndx))
		return;
	while ((scn = elf_nextscn(d->elf, scn))) {
		const char *name;
		Elf_Data *data;

		if (!gelf_getshdr(scn, &sh) ||
		    !(name = elf_strptr(d->elf, strndx, sh.sh_name)))
			continue;
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
			if (strcmp(name, names[i]) || d->strs[i].start)
				continue;
			data = elf_getdata(scn, NULL);
			if (data && data->d_buf) {
				d->strs[i].start = data->d_buf;
				d->strs[i].size = data->d_size;
			}
		}
	}
}

static bool has_debug_info(Elf *elf)
{
	Elf_Scn *scn = NULL;
	size_t strndx;
	GElf_Shdr sh;

	if (elf_getshdrstrndx(elf, &strndx))
		return false;
	while ((scn = elf_nextscn(elf, scn))) {
		const char *name;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type == SHT_NOBITS ||
		    !sh.sh_size)
			continue;
		name = elf_strptr(elf, strndx, sh.sh_name);
		if (name && (!strcmp(name, ".debug_info") ||
			     !strcmp(name, ".zdebug_info")))
			return true;
	}
	return false;
}

int iou_dwarf_open(const char *path, struct iou_dwarf **out)
{
	struct iou_dwarf *d = calloc(1, sizeof(*d));

	*out = d;
	if (!d)
		return -ENOMEM;
	d->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (d->fd < 0)
		return iou_dwarf_fail(d, -errno, NULL, "%s", strerror(errno));
	elf_version(EV_CURRENT);
	d->elf = elf_begin(d->fd, ELF_C_READ, NULL);
	if (!d->elf || elf_kind(d->elf) != ELF_K_ELF)
		return iou_dwarf_fail(d, -ENOEXEC, NULL, "not an ELF file");
	if (!has_debug_info(d->elf))
		return iou_dwarf_fail(d, -ENODATA, NULL, "no .debug_info");
	d->dw = dwarf_begin_elf(d->elf, DWARF_C_READ, NULL);
	if (!d->dw)
		return iou_dwarf_fail(d, -EINVAL, NULL, "libdw cannot read "
				      "it (%s)", dwarf_errmsg(-1));
	find_strs(d);
	d->btf = btf__new_empty();
	return d->btf ? 0 : -ENOMEM;
}

const struct btf *iou_dwarf_btf(const struct iou_dwarf *d)
{
	return d->btf;
}

struct btf *iou_dwarf_take_btf(struct iou_dwarf *d)
{
	struct btf *btf = d->btf;

	d->btf = NULL;
	return btf;
}

const char *iou_dwarf_error(const struct iou_dwarf *d)
{
	return d->err;
}

void iou_dwarf_close(struct iou_dwarf *d)
{
	if (!d)
		return;
	btf__free(d->btf);
	if (d->dw)
		dwarf_end(d->dw);
	if (d->elf)
		elf_end(d->elf);
	if (d->fd >= 0)
		close(d->fd);
	free(d->slots);
	free(d);
}
