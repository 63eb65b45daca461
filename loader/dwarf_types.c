// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * dwarf_types.c - one DWARF type DIE, and every type it holds by value,
 * as the BTF clang would have written for it, with libbpf's btf__add_*():
 * base types, structs and unions (anonymous members, bitfields with their
 * bit offsets and sizes), enums, typedefs, qualifiers, arrays (one BTF
 * array per dimension). Types are built depth first, so a struct's member
 * types exist before the struct and its fields can follow it, as
 * btf__add_field() wants. A by-value cycle (only hostile DWARF has one)
 * is found by the DIE being "building" when it is met again; pointers do
 * not recurse (their struct or union target becomes a forward
 * declaration), so the recursion depth is the nesting of types by value,
 * capped.
 */
#include <bpf/btf.h>
#include <dwarf.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dwarf_internal.h"

struct member {
	const char *name;
	__u32 type;
	__u32 bit_off;
	__u32 bits;		/* bitfield size, 0 for whole members */
};

static const char *name_or_anon(const char *name)
{
	return name && *name ? name : "(anonymous)";
}

/* DIE's slot key: its offset + 1 (hostile DWARF may name offset 0, and
 * key 0 is an empty slot), marked when in DWARF 4's .debug_types. */
static Dwarf_Off die_key(Dwarf_Die *die)
{
	Dwarf_Off key = (dwarf_dieoffset(die) & ~(KEY_FWD | KEY_TYPES)) + 1;
	Dwarf_Half version = 0;
	uint8_t unit_type = 0;

	if (dwarf_cu_info(die->cu, &version, &unit_type, NULL, NULL, NULL,
			  NULL, NULL) == 0 && version < 5 &&
	    unit_type == DW_UT_type)
		key |= KEY_TYPES;
	return key;
}

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
		return iou_dwarf_fail(d, -EINVAL, die, "a type reference that "
				      "leads nowhere (%s)", dwarf_errmsg(-1));
	return 1;
}

/* libbpf's answer R to btf__add_*(): the new id, or a failure. */
static int added(struct iou_dwarf *d, Dwarf_Die *die, int r, __u32 *id)
{
	if (r < 0)
		return iou_dwarf_fail(d, r, die, "libbpf cannot build it as "
				      "BTF (%s)", strerror(-r));
	*id = (__u32)r;
	return 0;
}

/* The int that BTF arrays are indexed by (clang's name), made once. */
static int index_type(struct iou_dwarf *d, Dwarf_Die *die)
{
	if (d->index_type)
		return 0;
	return added(d, die, btf__add_int(d->btf, "__ARRAY_SIZE_TYPE__", 4, 0),
		     &d->index_type);
}

/* A base type BTF cannot say (_BitInt, complex, decimal): SIZE opaque
 * bytes, so the layout around it stays right. */
static int build_opaque(struct iou_dwarf *d, Dwarf_Die *die, Dwarf_Word size,
			__u32 *id)
{
	int err = index_type(d, die);

	if (!err && !d->byte_type)
		err = added(d, die, btf__add_int(d->btf, "unsigned char", 1, 0),
			    &d->byte_type);
	return err ? err : added(d, die, btf__add_array(d->btf,
			(int)d->index_type, (int)d->byte_type, (__u32)size), id);
}

static int build_base(struct iou_dwarf *d, Dwarf_Die *die, __u32 *id)
{
	const char *name = iou_dwarf_name(d, die);
	Dwarf_Word size, enc, bits;
	int encoding = 0;

	if (!name || !*name || attr_udata(die, DW_AT_byte_size, &size) != 1 ||
	    attr_udata(die, DW_AT_encoding, &enc) != 1 || size > UINT32_MAX)
		return iou_dwarf_fail(d, -EINVAL, die, "base type %s without a "
				      "size or an encoding", name_or_anon(name));
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

/* Member DIE's byte offset: a constant, or (DWARF 2) an expression that
 * adds a constant. */
static int member_location(struct iou_dwarf *d, Dwarf_Die *die,
			   Dwarf_Word *loc)
{
	Dwarf_Attribute a;
	Dwarf_Op *ops;
	size_t nops;

	*loc = 0;	/* none: the start (every member of a union) */
	if (!dwarf_attr(die, DW_AT_data_member_location, &a) ||
	    !dwarf_formudata(&a, loc))
		return 0;
	if (dwarf_getlocation(&a, &ops, &nops) || nops != 1 ||
	    (ops[0].atom != DW_OP_plus_uconst && ops[0].atom != DW_OP_constu))
		return iou_dwarf_fail(d, -EOPNOTSUPP, die, "a member location "
				      "that is not a constant");
	*loc = ops[0].number;
	return 0;
}

/* Where member DIE of type TYPE starts, in bits from its struct's start,
 * and its bits if it is a bitfield: DWARF 4+ data_bit_offset, or DWARF
 * 2/3 bit_offset counted from the top of its storage unit. */
static int member_place(struct iou_dwarf *d, Dwarf_Die *die, __u32 type,
			struct member *m)
{
	Dwarf_Word loc, bits = 0, dbo, bo, unit;
	unsigned long long off;
	int err = member_location(d, die, &loc);

	if (err)
		return err;
	if (loc > UINT32_MAX / 8 || attr_udata(die, DW_AT_bit_size, &bits) < 0 ||
	    bits > 255)
		return iou_dwarf_fail(d, -EINVAL, die, "member %s: offset or bit "
				      "size out of range", name_or_anon(m->name));
	off = loc * 8;
	if (bits && attr_udata(die, DW_AT_data_bit_offset, &dbo) == 1) {
		off = dbo;
	} else if (bits && attr_udata(die, DW_AT_bit_offset, &bo) == 1) {
		long long unit_size = btf__resolve_size(d->btf, type);

		if (attr_udata(die, DW_AT_byte_size, &unit) != 1)
			unit = unit_size > 0 ? (Dwarf_Word)unit_size : 0;
		if (unit > 16 || bo + bits > unit * 8)
			return iou_dwarf_fail(d, -EINVAL, die, "member %s: a bit "
					      "offset outside its storage unit",
					      name_or_anon(m->name));
		off += unit * 8 - bo - bits;	/* little endian */
	}
	if (off > UINT32_MAX)
		return iou_dwarf_fail(d, -E2BIG, die, "member %s: offset out of "
				      "range", name_or_anon(m->name));
	m->type = type;
	m->bit_off = (__u32)off;
	m->bits = (__u32)bits;
	return 0;
}

/* Member DIE of a struct (or union) of SIZE bytes: its type built, its
 * place checked to lie inside. */
static int read_member(struct iou_dwarf *d, Dwarf_Die *die, int depth,
		       Dwarf_Word size, bool is_union, struct member *m)
{
	Dwarf_Die tdie;
	long long msize;
	__u32 type;
	int err;

	m->name = iou_dwarf_name(d, die);
	err = type_of(d, die, &tdie);
	if (!err)
		err = iou_dwarf_fail(d, -EINVAL, die, "member %s without a type",
				     name_or_anon(m->name));
	if (err == 1)
		err = iou_dwarf_build(d, &tdie, depth + 1, &type);
	if (!err)
		err = member_place(d, die, type, m);
	if (err)
		return err;
	msize = m->bits ? 0 : btf__resolve_size(d->btf, type);
	if (msize < 0)
		return iou_dwarf_fail(d, -EINVAL, die, "member %s: a type of no "
				      "size", name_or_anon(m->name));
	if ((is_union && m->bit_off) || m->bit_off + (m->bits ? m->bits :
			(unsigned long long)msize * 8) > size * 8)
		return iou_dwarf_fail(d, -EINVAL, die, "member %s lies outside "
				      "its %s", name_or_anon(m->name),
				      is_union ? "union" : "struct");
	return 0;
}

/* A struct or union: every member first, then the type and its fields
 * (btf__add_field() adds to the type added last). */
static int build_composite(struct iou_dwarf *d, Dwarf_Die *die, int depth,
			   bool is_union, __u32 *id)
{
	const char *name = iou_dwarf_name(d, die);
	struct member *m = NULL, *grown;
	size_t n = 0, cap = 0, i;
	bool kflag = false;
	Dwarf_Word size;
	Dwarf_Die child;
	int r, err = 0;

	if (dwarf_hasattr(die, DW_AT_declaration))
		return name && *name ? added(d, die, btf__add_fwd(d->btf, name,
				is_union ? BTF_FWD_UNION : BTF_FWD_STRUCT), id) :
			iou_dwarf_fail(d, -EINVAL, die, "an anonymous declaration");
	if (attr_udata(die, DW_AT_byte_size, &size) != 1 || size > UINT32_MAX)
		return iou_dwarf_fail(d, -EINVAL, die, "%s %s without a size "
				      "under 4 GiB", is_union ? "union" : "struct",
				      name_or_anon(name));
	for (r = iou_dwarf_next_child(d, die, &child, true); r == 1;
	     r = iou_dwarf_next_child(d, die, &child, false)) {
		if (dwarf_tag(&child) != DW_TAG_member)
			continue;
		if (n == MAX_MEMBERS) {
			r = iou_dwarf_fail(d, -E2BIG, die, "more than %d members",
					   MAX_MEMBERS);
			break;
		}
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			grown = realloc(m, cap * sizeof(*m));
			if (!grown) {
				r = -ENOMEM;
				break;
			}
			m = grown;
		}
		r = read_member(d, &child, depth, size, is_union, &m[n]);
		if (r)
			break;
		kflag |= m[n].bits || m[n].bit_off % 8;
		n++;
	}
	err = r;
	/* with a bitfield, BTF keeps every member's offset in 24 bits */
	for (i = 0; !err && kflag && i < n; i++)
		if (m[i].bit_off > 0xffffff)
			err = iou_dwarf_fail(d, -E2BIG, die, "member %s: too far "
					     "into a struct with bitfields for BTF",
					     name_or_anon(m[i].name));
	if (!err)
		err = added(d, die, is_union ?
			    btf__add_union(d->btf, name, (__u32)size) :
			    btf__add_struct(d->btf, name, (__u32)size), id);
	for (i = 0; !err && i < n; i++)
		err = added(d, die, btf__add_field(d->btf, m[i].name,
				(int)m[i].type, m[i].bit_off, m[i].bits),
			    &(__u32){0});
	free(m);
	return err;
}

/* Are an enum's values signed? Its DW_AT_type (DWARF 3+) says. */
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

/* An enum: ENUM up to 4 bytes (signed when a value is negative, as
 * clang's), ENUM64 for 8. */
static int build_enum(struct iou_dwarf *d, Dwarf_Die *die, __u32 *id)
{
	const char *name = iou_dwarf_name(d, die);
	bool is_signed = enum_signed(d, die);
	Dwarf_Word size;
	Dwarf_Die child;
	unsigned n = 0;
	int r;

	if (attr_udata(die, DW_AT_byte_size, &size) != 1 ||
	    (size != 1 && size != 2 && size != 4 && size != 8))
		return iou_dwarf_fail(d, -EINVAL, die, "enum %s without a size "
				      "of 1, 2, 4 or 8", name_or_anon(name));
	r = added(d, die, size == 8 ? btf__add_enum64(d->btf, name, 8, is_signed) :
		  btf__add_enum(d->btf, name, (__u32)size), id);
	for (r = r ? r : iou_dwarf_next_child(d, die, &child, true); r == 1;
	     r = iou_dwarf_next_child(d, die, &child, false)) {
		const char *vname = iou_dwarf_name(d, &child);
		Dwarf_Attribute a;
		Dwarf_Sword sv = 0;
		Dwarf_Word uv = 0;

		if (dwarf_tag(&child) != DW_TAG_enumerator)
			continue;
		if (++n > MAX_MEMBERS || !vname || !*vname ||
		    !dwarf_attr(&child, DW_AT_const_value, &a) ||
		    (is_signed ? dwarf_formsdata(&a, &sv) : dwarf_formudata(&a, &uv)))
			return iou_dwarf_fail(d, -EINVAL, &child, "enum %s: a "
					      "value without a name or a number",
					      name_or_anon(name));
		r = added(d, &child, size == 8 ?
			  btf__add_enum64_value(d->btf, vname,
						is_signed ? (__u64)sv : uv) :
			  btf__add_enum_value(d->btf, vname,
					      is_signed ? sv : (__s64)uv),
			  &(__u32){0});
		if (r)
			return r;
	}
	return r;
}

/* The elements of one subrange (dimension) of an array: DW_AT_count or
 * DW_AT_upper_bound + 1; neither: a flexible array, 0. */
static int subrange_count(struct iou_dwarf *d, Dwarf_Die *die, __u32 *count)
{
	Dwarf_Word v = 0;
	Dwarf_Sword upper;
	Dwarf_Attribute a;

	if (attr_udata(die, DW_AT_lower_bound, &v) == 1 && v)
		return iou_dwarf_fail(d, -EOPNOTSUPP, die, "an array that does "
				      "not start at 0");
	v = 0;
	if (dwarf_attr(die, DW_AT_count, &a)) {
		if (dwarf_formudata(&a, &v))
			return iou_dwarf_fail(d, -EOPNOTSUPP, die, "an array of "
					      "variable length");
	} else if (dwarf_attr(die, DW_AT_upper_bound, &a)) {
		if (dwarf_formsdata(&a, &upper))
			return iou_dwarf_fail(d, -EOPNOTSUPP, die, "an array of "
					      "variable length");
		v = upper < 0 ? 0 : (Dwarf_Word)upper + 1;
	}
	if (v > UINT32_MAX)
		return iou_dwarf_fail(d, -E2BIG, die, "an array of %llu elements",
				      (unsigned long long)v);
	*count = (__u32)v;
	return 0;
}

/* An array: one BTF array per dimension, int a[2][3] being an array of 2
 * arrays of 3 ints. */
static int build_array(struct iou_dwarf *d, Dwarf_Die *die, int depth,
		       __u32 *id)
{
	__u32 count[MAX_DIMS], ref = 0;
	Dwarf_Die child, elem;
	int r, dims = 0;

	r = type_of(d, die, &elem);
	if (!r)
		r = iou_dwarf_fail(d, -EINVAL, die, "an array of nothing");
	if (r == 1)
		r = iou_dwarf_build(d, &elem, depth + 1, &ref);
	for (r = r ? r : iou_dwarf_next_child(d, die, &child, true); r == 1;
	     r = iou_dwarf_next_child(d, die, &child, false)) {
		if (dwarf_tag(&child) != DW_TAG_subrange_type)
			continue;
		if (dims == MAX_DIMS)
			return iou_dwarf_fail(d, -E2BIG, die, "more than %d "
					      "dimensions", MAX_DIMS);
		r = subrange_count(d, &child, &count[dims++]);
		if (r)
			return r;
	}
	if (!r && !dims)
		count[dims++] = 0;
	if (!r)
		r = index_type(d, die);
	while (!r && dims--)
		r = added(d, die, btf__add_array(d->btf, (int)d->index_type,
						 (int)ref, count[dims]), &ref);
	if (!r && btf__resolve_size(d->btf, ref) < 0)
		r = iou_dwarf_fail(d, -E2BIG, die, "an array of 4 GiB or more");
	*id = ref;
	return r;
}

/* A forward declaration of the struct or union at DIE T (made once). */
static int build_fwd(struct iou_dwarf *d, Dwarf_Die *t, bool is_union,
		     __u32 *id)
{
	Dwarf_Off key = die_key(t) | KEY_FWD;
	struct slot *s = iou_dwarf_slot_find(d, key);
	int err;

	if (s) {	/* made only when done */
		*id = s->id;
		return 0;
	}
	err = added(d, t, btf__add_fwd(d->btf, iou_dwarf_name(d, t), is_union ?
				       BTF_FWD_UNION : BTF_FWD_STRUCT), id);
	if (err)
		return err;
	s = iou_dwarf_slot_add(d, key);
	if (!s)
		return -ENOMEM;
	s->id = *id;
	s->state = SLOT_DONE;
	return 0;
}

/* A pointer: to a struct or union by name only (a forward declaration:
 * paths stop at pointers, and its target may be anything, itself too), to
 * a number or enum as it is, to anything else as void *. */
static int build_pointer(struct iou_dwarf *d, Dwarf_Die *die, int depth,
			 __u32 *id)
{
	Dwarf_Die target, t;
	__u32 ref = 0;
	int i, r, tag = 0;

	r = type_of(d, die, &target);
	t = target;
	for (i = 0; r == 1 && i < PEEL_MAX; i++) {
		tag = dwarf_tag(&t);
		if (tag != DW_TAG_typedef && tag != DW_TAG_const_type &&
		    tag != DW_TAG_volatile_type && tag != DW_TAG_restrict_type &&
		    tag != DW_TAG_atomic_type)
			break;
		r = type_of(d, &t, &t);
	}
	if (r < 0)
		return r;
	if (r == 0 || i == PEEL_MAX)
		r = 0;
	else if (tag == DW_TAG_base_type || tag == DW_TAG_enumeration_type)
		r = iou_dwarf_build(d, &target, depth + 1, &ref);
	else if ((tag == DW_TAG_structure_type || tag == DW_TAG_union_type) &&
		 iou_dwarf_name(d, &t) && *iou_dwarf_name(d, &t))
		r = build_fwd(d, &t, tag == DW_TAG_union_type, &ref);
	else
		r = 0;
	return r ? r : added(d, die, btf__add_ptr(d->btf, (int)ref), id);
}

/* Typedefs and qualifiers: a name or a qualifier over another type. */
static int build_ref(struct iou_dwarf *d, Dwarf_Die *die, int depth, int tag,
		     __u32 *id)
{
	const char *name = iou_dwarf_name(d, die);
	Dwarf_Die target;
	__u32 ref = 0;
	int err;

	err = type_of(d, die, &target);
	if (err == 1)
		err = iou_dwarf_build(d, &target, depth + 1, &ref);
	if (err)
		return err;
	switch (tag) {
	case DW_TAG_typedef:
		if (!name || !*name)
			return iou_dwarf_fail(d, -EINVAL, die, "a typedef without "
					      "a name");
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
		return iou_dwarf_fail(d, -EOPNOTSUPP, die, "DWARF tag 0x%x is not "
				      "a C type a struct can hold", (unsigned)tag);
	}
}

int iou_dwarf_build(struct iou_dwarf *d, Dwarf_Die *die, int depth, __u32 *id)
{
	Dwarf_Off key = die_key(die);
	struct slot *s = iou_dwarf_slot_find(d, key);
	int err;

	if (s && s->state == SLOT_BUILDING)
		return iou_dwarf_fail(d, -ELOOP, die, "a type that contains "
				      "itself");
	if (s && s->state == SLOT_DONE) {
		*id = s->id;
		return 0;
	}
	/* a failure is not kept: one that depends on how deep the type
	 * was met (or on the budget) may not happen from elsewhere, and
	 * the others give their own message again */
	if (depth > MAX_DEPTH)
		return iou_dwarf_fail(d, -E2BIG, die, "types nested more than %d "
				      "deep", MAX_DEPTH);
	if (btf__type_cnt(d->btf) > MAX_TYPES)
		return iou_dwarf_fail(d, -E2BIG, die, "more than %d types",
				      MAX_TYPES);
	err = iou_dwarf_spend(d, die);
	if (err)
		return err;
	if (!s)
		s = iou_dwarf_slot_add(d, key);
	if (!s)
		return -ENOMEM;
	s->state = SLOT_BUILDING;	/* met again before it is done: a cycle */
	err = build_die(d, die, depth, id);
	s = iou_dwarf_slot_find(d, key);	/* the table may have grown */
	s->state = err ? SLOT_FAILED : SLOT_DONE;
	s->id = err ? 0 : *id;
	return err;
}
