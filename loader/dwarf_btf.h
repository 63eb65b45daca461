/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * dwarf_btf.h - C types from an object's DWARF (.debug_info, what -g
 * writes), rebuilt as BTF so that the BTF path code reads them unchanged.
 * clang's BTF holds only the types of globals and of functions that
 * survive inlining; a struct reached only through a local pointer (the
 * usual state of a loop program in its region) is in DWARF alone.
 * Read with elfutils' libdw; hostile DWARF (truncated, cyclic, enormous)
 * gives an error, never a crash or an endless walk.
 */
#ifndef IOUOPS_DWARF_BTF_H
#define IOUOPS_DWARF_BTF_H

#include <linux/types.h>

struct btf;
struct iou_dwarf;

/* Open the DWARF of the ELF file at PATH. -ENODATA: it has no
 * .debug_info (built without -g, or stripped); -ENOEXEC: not ELF;
 * -EINVAL: DWARF that libdw cannot read; -ENOMEM. *out is set even on
 * failure (NULL only for -ENOMEM): iou_dwarf_error() says why, as it does
 * after every failure below, and iou_dwarf_close() frees it. */
int iou_dwarf_open(const char *path, struct iou_dwarf **out);

/* Find the struct or typedef NAME (a struct first, as BTF lookups do;
 * definitions only) and build it, with every type it holds by value, into
 * the context's BTF; its id in *id. Pointers keep their target's name
 * only (a forward declaration of a struct or union), since paths stop at
 * pointers. -ENOENT: no such type; -EINVAL: broken DWARF; -ELOOP: a type
 * that contains itself; -E2BIG: too many types, too deep, too large;
 * -EOPNOTSUPP: a type that C for BPF does not have. */
int iou_dwarf_add_type(struct iou_dwarf *d, const char *name, __u32 *id);

/* Call fn with each named struct definition's name and its id in the
 * context's BTF, or with id 0 and the error that building it gave. A
 * non-zero return from fn stops the walk and is returned. */
int iou_dwarf_for_each_struct(struct iou_dwarf *d,
			      int (*fn)(const char *name, __u32 id, int err,
					void *cookie),
			      void *cookie);

/* The BTF built so far: owned by the context, or by the caller from
 * iou_dwarf_take_btf() on (then the context builds no more). */
const struct btf *iou_dwarf_btf(const struct iou_dwarf *d);
struct btf *iou_dwarf_take_btf(struct iou_dwarf *d);

/* The reason of the last failure, one line ("" if none). */
const char *iou_dwarf_error(const struct iou_dwarf *d);

void iou_dwarf_close(struct iou_dwarf *d);

#endif /* IOUOPS_DWARF_BTF_H */
