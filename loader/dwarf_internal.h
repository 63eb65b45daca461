/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * dwarf_internal.h - shared by dwarf_btf.c (the context, finding types by
 * name) and dwarf_types.c (building one DIE's type as BTF).
 */
#ifndef IOUOPS_DWARF_INTERNAL_H
#define IOUOPS_DWARF_INTERNAL_H

#include <elfutils/libdw.h>
#include <stdbool.h>
#include <stddef.h>

#include "dwarf_btf.h"

/* Far beyond any BPF program; only hostile DWARF gets there. */
#define MAX_TYPES	65536		/* BTF types built per object */
#define MAX_DEPTH	64		/* types nested by value */
#define DIE_BUDGET	(1u << 22)	/* DIEs looked at per call */
#define MAX_MEMBERS	0xffff		/* BTF's vlen */
#define MAX_DIMS	8		/* array dimensions */
#define PEEL_MAX	16		/* typedefs and qualifiers on a pointer's target */

/* Slot keys: a DIE offset; the forward declaration made for a pointer to
 * that DIE; a DIE of DWARF 4's .debug_types (offsets of another section). */
#define KEY_FWD		(1ULL << 63)
#define KEY_TYPES	(1ULL << 62)

/* What one DIE became: its BTF id once done. */
enum slot_state { SLOT_BUILDING, SLOT_DONE, SLOT_FAILED };
struct slot {
	Dwarf_Off key;		/* 0: empty */
	__u32 id;
	enum slot_state state;
};

struct iou_dwarf {
	int fd;
	Elf *elf;
	Dwarf *dw;
	struct btf *btf;
	struct slot *slots;	/* open addressing, cap a power of two */
	size_t nr_slots, cap;
	struct {		/* where libdw's name strings may lie */
		const char *start;
		size_t size;
	} strs[4];
	__u32 index_type;	/* the int arrays are indexed by, once made */
	__u32 byte_type;	/* the byte that opaque types are arrays of */
	unsigned budget;	/* DIEs left to look at in this call */
	char err[240];
};

/* Record why (DIE: where, or NULL) in d->err; returns ERR. */
int iou_dwarf_fail(struct iou_dwarf *d, int err, Dwarf_Die *die,
		   const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* The children of PARENT one at a time, each paid from the budget: 1 and
 * the first child (FIRST) or the one after *child, 0 after the last, or a
 * failure (broken DWARF, the budget spent). */
int iou_dwarf_next_child(struct iou_dwarf *d, Dwarf_Die *parent,
			 Dwarf_Die *child, bool first);

/* DIE's name (DW_AT_name), or NULL for none or for one that does not
 * end inside its section: libdw 0.188 hands out such pointers for some
 * broken string offsets. */
const char *iou_dwarf_name(struct iou_dwarf *d, Dwarf_Die *die);

/* Spend one DIE of the budget: 0, or -E2BIG when it is gone. */
int iou_dwarf_spend(struct iou_dwarf *d, Dwarf_Die *die);

/* The slot of KEY, or NULL; a new slot for a KEY not in the table yet
 * (NULL: out of memory). A slot pointer lives until the next add. */
struct slot *iou_dwarf_slot_find(struct iou_dwarf *d, Dwarf_Off key);
struct slot *iou_dwarf_slot_add(struct iou_dwarf *d, Dwarf_Off key);

/* dwarf_types.c: DIE's BTF id in d->btf, building it (and every type it
 * holds by value) the first time. DEPTH: how deep in a by-value nesting. */
int iou_dwarf_build(struct iou_dwarf *d, Dwarf_Die *die, int depth, __u32 *id);

#endif /* IOUOPS_DWARF_INTERNAL_H */
