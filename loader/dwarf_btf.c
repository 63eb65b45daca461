// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * dwarf_btf.c - an object's DWARF types rebuilt as BTF (see dwarf_btf.h).
 *
 * Each DIE becomes the BTF type clang would have written for it, with
 * libbpf's btf__add_*(): base types, structs and unions (anonymous
 * members, bitfields with their bit offsets and sizes), enums, typedefs,
 * qualifiers, arrays (one BTF array per dimension). Types are built
 * depth first, so a struct's member types exist before the struct and
 * its fields can follow it, as btf__add_field() wants. A by-value cycle
 * (only hostile DWARF has one) is found by the DIE being "building" when
 * it is met again; pointers do not recurse (their struct or union target
 * becomes a forward declaration), so the recursion depth is the nesting
 * of types by value, capped. Every walk spends from one budget of DIEs
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

/* What one DIE became: building (0), its BTF id (1), or a failure (<0). */
struct slot {
	Dwarf_Off key;		/* 0: empty (no DIE is at offset 0) */
	__u32 id;
	int state;
};

struct iou_dwarf {
	int fd;
	Elf *elf;
	Dwarf *dw;
	struct btf *btf;
	struct slot *slots;	/* open addressing, cap a power of two */
	size_t nr_slots, cap;
	__u32 index_type;	/* the int arrays are indexed by, once made */
	__u32 byte_type;	/* the byte that opaque types are arrays of */
	unsigned budget;	/* DIEs left to look at in this call */
	char err[240];
};

struct member {
	const char *name;
	__u32 type;
	__u32 bit_off;
	__u32 bits;		/* bitfield size, 0 for whole members */
};

static int build(struct iou_dwarf *d, Dwarf_Die *die, int depth, __u32 *id);

static int fail(struct iou_dwarf *d, int err, Dwarf_Die *die,
		const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int fail(struct iou_dwarf *d, int err, Dwarf_Die *die,
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

/* Spend one DIE of the budget; false when it is gone. */
static bool spend(struct iou_dwarf *d)
{
	if (!d->budget)
		return false;
	d->budget--;
	return true;
}

static const char *name_or_anon(const char *name)
{
	return name && *name ? name : "(anonymous)";
}

/* ---- DIE -> slot ---- */

static Dwarf_Off die_key(Dwarf_Die *die)
{
	Dwarf_Half version = 0;
	uint8_t unit_type = 0;

	if (dwarf_cu_info(die->cu, &version, &unit_type, NULL, NULL, NULL,
			  NULL, NULL) == 0 && version < 5 &&
	    unit_type == DW_UT_type)
		return dwarf_dieoffset(die) | KEY_TYPES;
	return dwarf_dieoffset(die);
}

static size_t slot_hash(Dwarf_Off key, size_t cap)
{
	return (size_t)((key * 0x9E3779B97F4A7C15ULL) >> 17) & (cap - 1);
}

static struct slot *slot_find(struct iou_dwarf *d, Dwarf_Off key)
{
	size_t i;

	if (!d->cap)
		return NULL;
	for (i = slot_hash(key, d->cap); d->slots[i].key; i = (i + 1) & (d->cap - 1))
		if (d->slots[i].key == key)
			return &d->slots[i];
	return NULL;
}

/* A new slot for KEY (not in the table yet); NULL: out of memory. */
static struct slot *slot_add(struct iou_dwarf *d, Dwarf_Off key)
{
	size_t i;

	if (2 * (d->nr_slots + 1) > d->cap) {
		size_t cap = d->cap ? 2 * d->cap : 256, j;
		struct slot *s = calloc(cap, sizeof(*s));

		if (!s)
			return NULL;
		for (j = 0; j < d->cap; j++) {
			if (!d->slots[j].key)
				continue;
			for (i = slot_hash(d->slots[j].key, cap); s[i].key;
			     i = (i + 1) & (cap - 1))
				;
			s[i] = d->slots[j];
		}
		free(d->slots);
		d->slots = s;
		d->cap = cap;
	}
	for (i = slot_hash(key, d->cap); d->slots[i].key; i = (i + 1) & (d->cap - 1))
		;
	d->slots[i].key = key;
	d->nr_slots++;
	return &d->slots[i];
}

/* ---- attributes ---- */

/* 1 and *v: DIE has attribute NAME as an unsigned constant; 0: it has
 * not; -1: it is there in another form. */
static int attr_udata(Dwarf_Die *die, unsigned name, Dwarf_Word *v)
{
	Dwarf_Attribute a;

	if (!dwarf_attr(die, name, &a))
		return 0;
	return dwarf_formudata(&a, v) ? -1 : 1;
}

/* The DIE that DW_AT_type of DIE names: 1, 0 for none (void), or an
 * error for a reference that leads nowhere. */
static int type_of(struct iou_dwarf *d, Dwarf_Die *die, Dwarf_Die *out)
{
	Dwarf_Attribute a;

	if (!dwarf_attr(die, DW_AT_type, &a))
		return 0;
	if (!dwarf_formref_die(&a, out))
		return fail(d, -EINVAL, die, "a type reference that leads nowhere (%s)",
			    dwarf_errmsg(-1));
	return 1;
}

/* libbpf's answer R to btf__add_*(): the new id, or a failure. */
static int added(struct iou_dwarf *d, Dwarf_Die *die, int r, __u32 *id)
{
	if (r < 0)
		return fail(d, r, die, "libbpf cannot build it as BTF (%s)",
			    strerror(-r));
	*id = (__u32)r;
	return 0;
}

/* ---- types ---- */

/* A base type BTF cannot say (_BitInt, complex, decimal): SIZE opaque
 * bytes, so the layout around it stays right. */
static int build_opaque(struct iou_dwarf *d, Dwarf_Die *die, Dwarf_Word size,
			__u32 *id)
{
	int err;

	if (!d->index_type) {
		err = added(d, die, btf__add_int(d->btf, "__ARRAY_SIZE_TYPE__", 4, 0),
			    &d->index_type);
		if (err)
			return err;
	}
	if (!d->byte_type) {
		err = added(d, die, btf__add_int(d->btf, "unsigned char", 1, 0),
			    &d->byte_type);
		if (err)
			return err;
	}
	return added(d, die, btf__add_array(d->btf, (int)d->index_type,
					    (int)d->byte_type, (__u32)size), id);
}

static int build_base(struct iou_dwarf *d, Dwarf_Die *die, __u32 *id)
{
	const char *name = dwarf_diename(die);
	Dwarf_Word size, enc, bits;
	int encoding = 0;

	if (!name || !*name)
		return fail(d, -EINVAL, die, "a base type without a name");
	if (attr_udata(die, DW_AT_byte_size, &size) != 1 ||
	    attr_udata(die, DW_AT_encoding, &enc) != 1 || size > UINT32_MAX)
		return fail(d, -EINVAL, die, "base type %s without a size or "
			    "an encoding", name);
	if (attr_udata(die, DW_AT_bit_size, &bits) == 1 && bits != size * 8)
		return build_opaque(d, die, size, id);
	switch (enc) {
	case DW_ATE_float:
		if (size == 2 || size == 4 || size == 8 || size == 12 || size == 16)
			return added(d, die, btf__add_float(d->btf, name, size), id);
		return build_opaque(d, die, size, id);
	case DW_ATE_boolean:
		encoding = BTF_INT_BOOL;
		break;
	case DW_ATE_signed:
	case DW_ATE_signed_char:
		encoding = BTF_INT_SIGNED;
		break;
	case DW_ATE_unsigned:
	case DW_ATE_unsigned_char:
	case DW_ATE_UTF:
		break;
	default:
		return build_opaque(d, die, size, id);
	}
	if (size != 1 && size != 2 && size != 4 && size != 8 && size != 16)
		return build_opaque(d, die, size, id);
	return added(d, die, btf__add_int(d->btf, name, size, encoding), id);
}

/* Where member DIE starts, in bits from its struct's start, and how many
 * bits it has if it is a bitfield (DWARF 4+ data_bit_offset, or DWARF
 * 2/3 bit_offset counted from the top of its storage unit). */
static int member_place(struct iou_dwarf *d, Dwarf_Die *die, __u32 type,
			struct member *m)
{
	Dwarf_Word loc = 0, bits = 0, dbo, bo, unit;
	Dwarf_Attribute a;
	unsigned long long off;

	if (dwarf_attr(die, DW_AT_data_member_location, &a) &&
	    dwarf_formudata(&a, &loc)) {	/* DWARF 2: an expression */
		Dwarf_Op *ops;
		size_t nops;

		if (dwarf_getlocation(&a, &ops, &nops) || nops != 1 ||
		    (ops[0].atom != DW_OP_plus_uconst && ops[0].atom != DW_OP_constu))
			return fail(d, -EOPNOTSUPP, die, "member %s: a location "
				    "that is not a constant", name_or_anon(m->name));
		loc = ops[0].number;
	}
	if (loc > UINT32_MAX / 8 || attr_udata(die, DW_AT_bit_size, &bits) < 0 ||
	    bits > 255)
		return fail(d, -EINVAL, die, "member %s: offset or bit size out "
			    "of range", name_or_anon(m->name));
	off = loc * 8;
	if (bits && attr_udata(die, DW_AT_data_bit_offset, &dbo) == 1) {
		off = dbo;
	} else if (bits && attr_udata(die, DW_AT_bit_offset, &bo) == 1) {
		long long unit_size = btf__resolve_size(d->btf, type);

		if (attr_udata(die, DW_AT_byte_size, &unit) != 1)
			unit = unit_size > 0 ? (Dwarf_Word)unit_size : 0;
		if (unit > 16 || bo + bits > unit * 8)
			return fail(d, -EINVAL, die, "member %s: a bit offset "
				    "outside its storage unit", name_or_anon(m->name));
		off += unit * 8 - bo - bits;	/* little endian */
	}
	if (off > UINT32_MAX)
		return fail(d, -E2BIG, die, "member %s: offset out of range",
			    name_or_anon(m->name));
	m->type = type;
	m->bit_off = (__u32)off;
	m->bits = (__u32)bits;
	return 0;
}

static int read_member(struct iou_dwarf *d, Dwarf_Die *die, int depth,
		       Dwarf_Word size, bool is_union, struct member *m)
{
	Dwarf_Die tdie;
	long long msize;
	__u32 type;
	int err;

	m->name = dwarf_diename(die);
	err = type_of(d, die, &tdie);
	if (err <= 0)
		return err ? err : fail(d, -EINVAL, die, "member %s without a type",
					name_or_anon(m->name));
	err = build(d, &tdie, depth + 1, &type);
	if (!err)
		err = member_place(d, die, type, m);
	if (err)
		return err;
	msize = m->bits ? 0 : btf__resolve_size(d->btf, type);
	if (msize < 0)
		return fail(d, -EINVAL, die, "member %s: a type of no size",
			    name_or_anon(m->name));
	if ((is_union && m->bit_off) ||
	    m->bit_off + (m->bits ? m->bits : (unsigned long long)msize * 8) > size * 8)
		return fail(d, -EINVAL, die, "member %s lies outside its %s",
			    name_or_anon(m->name), is_union ? "union" : "struct");
	return 0;
}

static int build_composite(struct iou_dwarf *d, Dwarf_Die *die, int depth,
			   bool is_union, __u32 *id)
{
	const char *name = dwarf_diename(die);
	struct member *m = NULL, *grown;
	size_t n = 0, cap = 0, i;
	bool kflag = false;
	Dwarf_Word size;
	Dwarf_Die child;
	int r, err = 0;

	if (dwarf_hasattr(die, DW_AT_declaration)) {
		if (!name || !*name)
			return fail(d, -EINVAL, die, "an anonymous declaration");
		return added(d, die, btf__add_fwd(d->btf, name, is_union ?
					BTF_FWD_UNION : BTF_FWD_STRUCT), id);
	}
	if (attr_udata(die, DW_AT_byte_size, &size) != 1 || size > UINT32_MAX)
		return fail(d, -EINVAL, die, "%s %s without a size",
			    is_union ? "union" : "struct", name_or_anon(name));
	for (r = dwarf_child(die, &child); r == 0; r = dwarf_siblingof(&child, &child)) {
		if (!spend(d)) {
			err = fail(d, -E2BIG, die, "more than %u DIEs", DIE_BUDGET);
			goto out;
		}
		if (dwarf_tag(&child) != DW_TAG_member)
			continue;
		if (n == MAX_MEMBERS) {
			err = fail(d, -E2BIG, die, "more than %d members", MAX_MEMBERS);
			goto out;
		}
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			grown = realloc(m, cap * sizeof(*m));
			if (!grown) {
				err = -ENOMEM;
				goto out;
			}
			m = grown;
		}
		err = read_member(d, &child, depth, size, is_union, &m[n]);
		if (err)
			goto out;
		kflag |= m[n].bits || m[n].bit_off % 8;
		n++;
	}
	if (r < 0) {
		err = fail(d, -EINVAL, die, "broken DWARF (%s)", dwarf_errmsg(-1));
		goto out;
	}
	/* with a bitfield, BTF keeps every member's offset in 24 bits */
	for (i = 0; kflag && i < n; i++) {
		if (m[i].bit_off > 0xffffff) {
			err = fail(d, -E2BIG, die, "member %s: too far into a "
				   "struct with bitfields for BTF",
				   name_or_anon(m[i].name));
			goto out;
		}
	}
	r = is_union ? btf__add_union(d->btf, name, (__u32)size) :
		       btf__add_struct(d->btf, name, (__u32)size);
	err = added(d, die, r, id);
	for (i = 0; !err && i < n; i++)
		err = added(d, die, btf__add_field(d->btf, m[i].name, (int)m[i].type,
						   m[i].bit_off, m[i].bits), &(__u32){0});
out:
	free(m);
	return err;
}

/* Is the type an enum's values are of signed (DW_AT_type, DWARF 3+)? */
static bool enum_signed(struct iou_dwarf *d, Dwarf_Die *die)
{
	Dwarf_Die t = *die;
	Dwarf_Word enc;
	int i;

	for (i = 0; i < PEEL_MAX && type_of(d, &t, &t) == 1; i++)
		if (dwarf_tag(&t) == DW_TAG_base_type)
			return attr_udata(&t, DW_AT_encoding, &enc) == 1 &&
			       (enc == DW_ATE_signed || enc == DW_ATE_signed_char);
	return false;
}

static int build_enum(struct iou_dwarf *d, Dwarf_Die *die, __u32 *id)
{
	const char *name = dwarf_diename(die);
	bool is_signed = enum_signed(d, die);
	Dwarf_Word size;
	Dwarf_Die child;
	unsigned n = 0;
	int r, err;

	if (attr_udata(die, DW_AT_byte_size, &size) != 1 ||
	    (size != 1 && size != 2 && size != 4 && size != 8))
		return fail(d, -EINVAL, die, "enum %s without a size of 1, 2, 4 "
			    "or 8", name_or_anon(name));
	err = added(d, die, size == 8 ? btf__add_enum64(d->btf, name, 8, is_signed) :
				btf__add_enum(d->btf, name, (__u32)size), id);
	for (r = dwarf_child(die, &child); !err && r == 0;
	     r = dwarf_siblingof(&child, &child)) {
		const char *vname = dwarf_diename(&child);
		Dwarf_Attribute a;
		Dwarf_Sword sv;
		Dwarf_Word uv;

		if (!spend(d))
			return fail(d, -E2BIG, die, "more than %u DIEs", DIE_BUDGET);
		if (dwarf_tag(&child) != DW_TAG_enumerator)
			continue;
		if (++n > MAX_MEMBERS || !vname || !*vname ||
		    !dwarf_attr(&child, DW_AT_const_value, &a) ||
		    (is_signed ? dwarf_formsdata(&a, &sv) : dwarf_formudata(&a, &uv)))
			return fail(d, -EINVAL, die, "enum %s: a value without "
				    "a name or a number", name_or_anon(name));
		if (is_signed)
			uv = (Dwarf_Word)sv;
		r = size == 8 ? btf__add_enum64_value(d->btf, vname, uv) :
			btf__add_enum_value(d->btf, vname, is_signed ? sv :
					    (__s64)uv);
		err = added(d, &child, r, &(__u32){0});
	}
	if (!err && r < 0)
		err = fail(d, -EINVAL, die, "broken DWARF (%s)", dwarf_errmsg(-1));
	return err;
}

static int build_array(struct iou_dwarf *d, Dwarf_Die *die, int depth, __u32 *id)
{
	Dwarf_Word count[MAX_DIMS], v;
	Dwarf_Die child, elem;
	int r, dims = 0, err;
	__u32 ref;

	err = type_of(d, die, &elem);
	if (err <= 0)
		return err ? err : fail(d, -EINVAL, die, "an array of nothing");
	err = build(d, &elem, depth + 1, &ref);
	if (err)
		return err;
	for (r = dwarf_child(die, &child); r == 0; r = dwarf_siblingof(&child, &child)) {
		Dwarf_Attribute a;
		Dwarf_Sword upper;

		if (!spend(d))
			return fail(d, -E2BIG, die, "more than %u DIEs", DIE_BUDGET);
		if (dwarf_tag(&child) != DW_TAG_subrange_type)
			continue;
		if (dims == MAX_DIMS)
			return fail(d, -E2BIG, die, "more than %d dimensions", MAX_DIMS);
		if (attr_udata(&child, DW_AT_lower_bound, &v) == 1 && v)
			return fail(d, -EOPNOTSUPP, die, "an array that does not "
				    "start at 0");
		count[dims] = 0;	/* none given: a flexible array */
		if (dwarf_attr(&child, DW_AT_count, &a)) {
			if (dwarf_formudata(&a, &count[dims]))
				return fail(d, -EOPNOTSUPP, die, "an array of "
					    "variable length");
		} else if (dwarf_attr(&child, DW_AT_upper_bound, &a)) {
			if (dwarf_formsdata(&a, &upper))
				return fail(d, -EOPNOTSUPP, die, "an array of "
					    "variable length");
			count[dims] = upper < 0 ? 0 : (Dwarf_Word)upper + 1;
		}
		if (count[dims] > UINT32_MAX)
			return fail(d, -E2BIG, die, "an array of %llu elements",
				    (unsigned long long)count[dims]);
		dims++;
	}
	if (r < 0)
		return fail(d, -EINVAL, die, "broken DWARF (%s)", dwarf_errmsg(-1));
	if (!dims)
		count[dims++] = 0;
	if (!d->index_type) {
		err = added(d, die, btf__add_int(d->btf, "__ARRAY_SIZE_TYPE__", 4, 0),
			    &d->index_type);
		if (err)
			return err;
	}
	while (dims-- && !err)	/* int a[2][3]: array of 2 (array of 3 int) */
		err = added(d, die, btf__add_array(d->btf, (int)d->index_type,
						   (int)ref, (__u32)count[dims]), &ref);
	if (!err && btf__resolve_size(d->btf, ref) < 0)
		err = fail(d, -E2BIG, die, "an array of 4 GiB or more");
	*id = ref;
	return err;
}

/* A pointer: to a struct or union by name only (a forward declaration:
 * paths stop at pointers, and its target may be anything, itself too), to
 * a number or enum as it is, to anything else as void *. */
static int build_pointer(struct iou_dwarf *d, Dwarf_Die *die, int depth, __u32 *id)
{
	Dwarf_Die target, t;
	struct slot *s;
	__u32 ref = 0;
	int i, r, tag = 0, err = 0;

	r = type_of(d, die, &target);
	if (r < 0)
		return r;
	t = target;
	for (i = 0; r == 1 && i < PEEL_MAX; i++) {
		tag = dwarf_tag(&t);
		if (tag != DW_TAG_typedef && tag != DW_TAG_const_type &&
		    tag != DW_TAG_volatile_type && tag != DW_TAG_restrict_type &&
		    tag != DW_TAG_atomic_type)
			break;
		r = type_of(d, &t, &t);
		if (r < 0)
			return r;
	}
	if (r != 1 || i == PEEL_MAX) {
		ref = 0;
	} else if (tag == DW_TAG_base_type || tag == DW_TAG_enumeration_type) {
		err = build(d, &target, depth + 1, &ref);
	} else if ((tag == DW_TAG_structure_type || tag == DW_TAG_union_type) &&
		   dwarf_diename(&t) && *dwarf_diename(&t)) {
		s = slot_find(d, die_key(&t) | KEY_FWD);
		if (s) {
			ref = s->id;
		} else {
			err = added(d, &t, btf__add_fwd(d->btf, dwarf_diename(&t),
					tag == DW_TAG_union_type ? BTF_FWD_UNION :
					BTF_FWD_STRUCT), &ref);
			s = err ? NULL : slot_add(d, die_key(&t) | KEY_FWD);
			if (!err && !s)
				err = -ENOMEM;
			if (s) {
				s->id = ref;
				s->state = 1;
			}
		}
	}
	return err ? err : added(d, die, btf__add_ptr(d->btf, (int)ref), id);
}

/* Typedefs and qualifiers: a name or a qualifier over another type. */
static int build_ref(struct iou_dwarf *d, Dwarf_Die *die, int depth, int tag,
		     __u32 *id)
{
	const char *name = dwarf_diename(die);
	Dwarf_Die target;
	__u32 ref = 0;
	int err;

	err = type_of(d, die, &target);
	if (err == 1)
		err = build(d, &target, depth + 1, &ref);
	if (err)
		return err;
	switch (tag) {
	case DW_TAG_typedef:
		if (!name || !*name)
			return fail(d, -EINVAL, die, "a typedef without a name");
		return added(d, die, btf__add_typedef(d->btf, name, (int)ref), id);
	case DW_TAG_const_type:
		return added(d, die, btf__add_const(d->btf, (int)ref), id);
	case DW_TAG_volatile_type:
		return added(d, die, btf__add_volatile(d->btf, (int)ref), id);
	case DW_TAG_restrict_type:
		return added(d, die, btf__add_restrict(d->btf, (int)ref), id);
	default:		/* _Atomic: BTF has no such qualifier */
		*id = ref;
		return 0;
	}
}

static int build_die(struct iou_dwarf *d, Dwarf_Die *die, int depth, __u32 *id)
{
	int tag = dwarf_tag(die);

	switch (tag) {
	case DW_TAG_base_type:
		return build_base(d, die, id);
	case DW_TAG_structure_type:
	case DW_TAG_union_type:
		return build_composite(d, die, depth, tag == DW_TAG_union_type, id);
	case DW_TAG_enumeration_type:
		return build_enum(d, die, id);
	case DW_TAG_array_type:
		return build_array(d, die, depth, id);
	case DW_TAG_pointer_type:
		return build_pointer(d, die, depth, id);
	case DW_TAG_typedef:
	case DW_TAG_const_type:
	case DW_TAG_volatile_type:
	case DW_TAG_restrict_type:
	case DW_TAG_atomic_type:
		return build_ref(d, die, depth, tag, id);
	default:
		return fail(d, -EOPNOTSUPP, die, "DWARF tag 0x%x is not a C type "
			    "a struct can hold", (unsigned)tag);
	}
}

/* DIE's BTF id, building it (and what it holds) the first time. */
static int build(struct iou_dwarf *d, Dwarf_Die *die, int depth, __u32 *id)
{
	Dwarf_Off key = die_key(die);
	struct slot *s = slot_find(d, key);
	int err;

	if (s && s->state == 0)
		return fail(d, -ELOOP, die, "a type that contains itself");
	if (s && s->state < 0)
		return fail(d, s->state, die, "a type that could not be built "
			    "before");
	if (s) {
		*id = s->id;
		return 0;
	}
	if (depth > MAX_DEPTH)
		return fail(d, -E2BIG, die, "types nested more than %d deep", MAX_DEPTH);
	if (btf__type_cnt(d->btf) > MAX_TYPES)
		return fail(d, -E2BIG, die, "more than %d types", MAX_TYPES);
	if (!spend(d))
		return fail(d, -E2BIG, die, "more than %u DIEs", DIE_BUDGET);
	s = slot_add(d, key);
	if (!s)
		return -ENOMEM;
	s->state = 0;
	err = build_die(d, die, depth, id);
	s = slot_find(d, key);	/* the table may have grown meanwhile */
	s->state = err ? err : 1;
	s->id = err ? 0 : *id;
	return err;
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

	for (r = dwarf_child(parent, &c); r == 0; r = dwarf_siblingof(&c, &c)) {
		if (!spend(d))
			return fail(d, -E2BIG, NULL, "more than %u DIEs", DIE_BUDGET);
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
	return r < 0 ? fail(d, -EINVAL, parent, "broken DWARF (%s)",
			    dwarf_errmsg(-1)) : 0;
}

static int walk(struct iou_dwarf *d, visit_fn visit, void *arg)
{
	Dwarf_CU *cu = NULL;
	Dwarf_Die cudie;
	int r, stop;

	if (!d->btf)
		return fail(d, -EINVAL, NULL, "its BTF was taken");
	d->budget = DIE_BUDGET;
	while ((r = dwarf_get_units(d->dw, cu, &cu, NULL, NULL, &cudie, NULL)) == 0) {
		stop = walk_children(d, &cudie, 0, visit, arg);
		if (stop)
			return stop;
	}
	return r < 0 ? fail(d, -EINVAL, NULL, "broken DWARF unit (%s)",
			    dwarf_errmsg(-1)) : 0;
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
	name = dwarf_diename(die);
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

	d->err[0] = '\0';
	err = walk(d, visit_by_name, &b);
	if (err < 0)
		return err;
	if (!err && !b.found_typedef)
		return fail(d, -ENOENT, NULL, "no struct %s", name);
	return build(d, &b.type, 0, id);
}

struct each_struct {
	int (*fn)(const char *name, __u32 id, int err, void *cookie);
	void *cookie;
};

static int visit_struct(struct iou_dwarf *d, Dwarf_Die *die, void *arg)
{
	struct each_struct *e = arg;
	const char *name = dwarf_diename(die);
	__u32 id = 0;
	int err;

	if (dwarf_tag(die) != DW_TAG_structure_type || !name || !*name ||
	    dwarf_hasattr(die, DW_AT_declaration))
		return 0;
	err = build(d, die, 0, &id);
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

	d->err[0] = '\0';
	return walk(d, visit_struct, &e);
}

/* ---- the context ---- */

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
		return fail(d, -errno, NULL, "%s", strerror(errno));
	elf_version(EV_CURRENT);
	d->elf = elf_begin(d->fd, ELF_C_READ, NULL);
	if (!d->elf || elf_kind(d->elf) != ELF_K_ELF)
		return fail(d, -ENOEXEC, NULL, "not an ELF file");
	if (!has_debug_info(d->elf))
		return fail(d, -ENODATA, NULL, "no .debug_info");
	d->dw = dwarf_begin_elf(d->elf, DWARF_C_READ, NULL);
	if (!d->dw)
		return fail(d, -EINVAL, NULL, "libdw cannot read it (%s)",
			    dwarf_errmsg(-1));
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
