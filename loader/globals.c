// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * globals.c - a program's global variables: find them by name and path
 * (NAME.FIELD[INDEX]...) through the object's BTF, parse the numbers and
 * @fields of --set, and write them into the object's data sections before
 * load. Reading them back (--print, --expect) and --shm-type: vars.c.
 */
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "prog_internal.h"


#define PATH_ROOT_MAX	128

static const char *type_name(const struct btf *btf, __u32 id)
{
	const struct btf_type *t = btf__type_by_id(btf, id);
	const char *name = t ? btf__name_by_offset(btf, t->name_off) : NULL;

	return name && *name ? name : "(anonymous)";
}

static const char *kind_word(const struct btf_type *t)
{
	return btf_is_union(t) ? "union" : "struct";
}

/* Member NAME of struct/union T (looking into anonymous members too):
 * its bit offset from T's start, type and bitfield size. */
static bool find_member(const struct btf *btf, const struct btf_type *t,
			const char *name, __u32 *bit_off, __u32 *type_id,
			__u32 *bitfield)
{
	const struct btf_member *m = btf_members(t);
	int i;

	for (i = 0; i < btf_vlen(t); i++, m++) {
		const char *mname = btf__name_by_offset(btf, m->name_off);
		__u32 off = btf_member_bit_offset(t, i);

		if (mname && *mname) {
			if (strcmp(mname, name))
				continue;
			*bit_off = off;
			*type_id = m->type;
			*bitfield = btf_member_bitfield_size(t, i);
			return true;
		} else {
			const struct btf_type *inner = btf__type_by_id(btf,
				btf__resolve_type(btf, m->type));

			if (inner && btf_is_composite(inner) &&
			    find_member(btf, inner, name, bit_off, type_id,
					bitfield)) {
				*bit_off += off;
				return true;
			}
		}
	}
	return false;
}

/* "a, b, c" (cut to fit): the members of struct/union T, for messages. */
static void list_members(const struct btf *btf, const struct btf_type *t,
			 char *buf, size_t len)
{
	const struct btf_member *m = btf_members(t);
	size_t off = 0;
	int i, n;

	buf[0] = '\0';
	for (i = 0; i < btf_vlen(t) && off < len; i++, m++) {
		const char *mname = btf__name_by_offset(btf, m->name_off);

		n = snprintf(buf + off, len - off, "%s%s", i ? ", " : "",
			     mname && *mname ? mname : "(anonymous)");
		if (n < 0)
			break;
		off += (size_t)n;
	}
}

/*
 * Resolve PATH: a global (or `shm` with --shm-type) followed by .MEMBER
 * and [INDEX] steps, down to an integer or pointer leaf. A failure names
 * the reason in p->fail.msg: -ENOENT no such global or member, -ERANGE
 * index out of range, -EINVAL through a pointer, a malformed path, or a
 * leaf that is not an integer of 1, 2, 4 or 8 bytes or a pointer.
 */
int iou_var_resolve(struct iou_prog *p, const char *path, struct var_loc *loc)
{
	const struct btf *btf = bpf_object__btf(p->obj);
	struct iou_fail *f = &p->fail;
	char root[PATH_ROOT_MAX], list[200];
	size_t n = strcspn(path, ".[");
	const struct btf_type *t;
	const char *s = path + n;
	struct iou_global g;
	__u32 id;

	if (!n || n >= sizeof(root))
		return iou_fail(f, IOU_STAGE_SET, -EINVAL,
				"'%s' does not start with a global's name", path);
	memcpy(root, path, n);
	root[n] = '\0';
	memset(loc, 0, sizeof(*loc));
	if (p->shm_type_id && !strcmp(root, IOU_SHM_PSEUDO_GLOBAL)) {
		if (p->shm_btf)		/* the struct only DWARF had */
			btf = p->shm_btf;
		loc->section = IOU_SHM_PSEUDO_GLOBAL;
		loc->type_id = p->shm_type_id;
		loc->size = (__u32)btf__resolve_size(btf, p->shm_type_id);
	} else if (!btf || iou_global_locate(p->obj, root, &g)) {
		return iou_fail(f, IOU_STAGE_SET, -ENOENT,
				"the program has no global %s%s", root,
				!strcmp(root, IOU_SHM_PSEUDO_GLOBAL) ?
				" (shm names the region only with --shm-type)" : "");
	} else {
		loc->map = g.map;
		loc->section = g.section;
		loc->offset = g.offset;
		loc->size = g.size;
		loc->type_id = g.type_id;
	}
	id = loc->type_id;
	while (*s) {
		char step[PATH_ROOT_MAX];
		const char *before = s;
		__u32 bit_off, member, bitfield;

		id = btf__resolve_type(btf, id);
		t = btf__type_by_id(btf, id);
		if (!t)
			return iou_fail(f, IOU_STAGE_SET, -EINVAL,
					"%s: broken BTF", path);
		if (btf_is_ptr(t))
			return iou_fail(f, IOU_STAGE_SET, -EINVAL,
					"%s: %.*s is a pointer; paths do not go "
					"through pointers", path,
					(int)(before - path), path);
		if (*s == '.') {
			s++;
			n = strcspn(s, ".[");
			if (!n || n >= sizeof(step))
				return iou_fail(f, IOU_STAGE_SET, -EINVAL,
						"%s: a member name is missing "
						"after '.'", path);
			memcpy(step, s, n);
			step[n] = '\0';
			s += n;
			if (!btf_is_composite(t))
				return iou_fail(f, IOU_STAGE_SET, -EINVAL,
						"%s: %.*s is not a struct or "
						"union", path,
						(int)(before - path), path);
			if (!find_member(btf, t, step, &bit_off, &member,
					 &bitfield)) {
				list_members(btf, t, list, sizeof(list));
				return iou_fail(f, IOU_STAGE_SET, -ENOENT,
						"%s %s has no member %s "
						"(members: %s)", kind_word(t),
						type_name(btf, id), step, list);
			}
			if (bitfield || bit_off % 8)
				return iou_fail(f, IOU_STAGE_SET, -EINVAL,
						"%s: %s is a bitfield; iouops "
						"sets whole integers only",
						path, step);
			loc->offset += bit_off / 8;
			id = member;
		} else if (*s == '[') {
			const struct btf_array *arr;
			unsigned long long idx;
			char *end;
			long long esize;

			if (!btf_is_array(t))
				return iou_fail(f, IOU_STAGE_SET, -EINVAL,
						"%s: %.*s is not an array",
						path, (int)(before - path), path);
			arr = btf_array(t);
			errno = 0;
			idx = strtoull(s + 1, &end, 10);
			if (errno || end == s + 1 || *end != ']' ||
			    !isdigit((unsigned char)s[1]))
				return iou_fail(f, IOU_STAGE_SET, -EINVAL,
						"%s: expected [INDEX] with a "
						"decimal index", path);
			if (idx >= arr->nelems)
				return iou_fail(f, IOU_STAGE_SET, -ERANGE,
						"%s: index %llu out of range "
						"(%.*s has %u elements)", path,
						idx, (int)(before - path), path,
						arr->nelems);
			esize = btf__resolve_size(btf, arr->type);
			if (esize < 0)
				return iou_fail(f, IOU_STAGE_SET, -EINVAL,
						"%s: broken BTF", path);
			loc->offset += (__u32)(idx * (unsigned long long)esize);
			id = arr->type;
			s = end + 1;
		} else {
			return iou_fail(f, IOU_STAGE_SET, -EINVAL,
					"%s: expected .MEMBER or [INDEX] at "
					"'%s'", path, s);
		}
	}
	id = btf__resolve_type(btf, id);
	t = btf__type_by_id(btf, id);
	loc->type_id = id;
	if (!t)
		return iou_fail(f, IOU_STAGE_SET, -EINVAL, "%s: broken BTF", path);
	if (btf_is_int(t)) {
		loc->size = t->size;
		loc->is_signed = btf_int_encoding(t) & BTF_INT_SIGNED;
		if (btf_int_offset(t) || btf_int_bits(t) != t->size * 8)
			return iou_fail(f, IOU_STAGE_SET, -EINVAL,
					"%s is a bitfield; iouops sets whole "
					"integers only", path);
	} else if (btf_is_enum(t) || btf_is_enum64(t)) {
		loc->size = t->size;
		loc->is_signed = btf_kflag(t);
	} else if (btf_is_ptr(t)) {
		loc->size = sizeof(__u64);
		loc->is_pointer = true;
	} else if (btf_is_float(t)) {
		return iou_fail(f, IOU_STAGE_SET, -EINVAL,
				"%s is a floating-point value; iouops sets "
				"integers and pointers only", path);
	} else if (btf_is_composite(t)) {
		list_members(btf, t, list, sizeof(list));
		return iou_fail(f, IOU_STAGE_SET, -EINVAL,
				"%s is %s %s, not a number: name one of its "
				"members (%s)", path, kind_word(t),
				type_name(btf, id), list);
	} else if (btf_is_array(t)) {
		return iou_fail(f, IOU_STAGE_SET, -EINVAL,
				"%s is an array of %u, not a number: name one "
				"element, %s[0]", path, btf_array(t)->nelems,
				path);
	} else {
		return iou_fail(f, IOU_STAGE_SET, -EINVAL,
				"%s is not an integer or a pointer", path);
	}
	if (loc->size != 1 && loc->size != 2 && loc->size != 4 &&
	    loc->size != 8)
		return iou_fail(f, IOU_STAGE_SET, -EINVAL,
				"%s is a %u-byte integer; iouops handles 1, 2, "
				"4 and 8 bytes", path, loc->size);
	return 0;
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

/* VALUE as the bits LOC holds: a number that fits the leaf, or an @field
 * (resolved when the ring exists: at_load). Pointers take @shm_uaddr or a
 * number. -EINVAL with the reason in p->fail.msg. */
int iou_var_encode_value(struct iou_prog *p, const char *path,
			 const struct var_loc *loc, const char *value,
			 bool at_load, unsigned long long *raw)
{
	unsigned bits = loc->size * 8;
	unsigned long long v;
	bool negative = false;

	if (value[0] == '@') {
		if (loc->is_pointer && strcmp(value, "@shm_uaddr"))
			return iou_fail(&p->fail, IOU_STAGE_SET, -EINVAL,
					"%s is a pointer: it takes @shm_uaddr "
					"or a number", path);
		if (!layout_field(p, value + 1, &v))
			return iou_fail(&p->fail, IOU_STAGE_SET, -EINVAL,
					"%s: no ring-layout field %s (see "
					"iouops --help)", path, value);
		if (!at_load) {
			*raw = 0;
			return 0;
		}
	} else if (parse_number(value, &negative, &v)) {
		return iou_fail(&p->fail, IOU_STAGE_SET, -EINVAL,
				"%s: '%s' is not a number or an @field", path,
				value);
	}
	if (negative) {
		if (!loc->is_signed || (bits < 64 && v > (1ULL << (bits - 1))) ||
		    (bits == 64 && v > (1ULL << 63)))
			return iou_fail(&p->fail, IOU_STAGE_SET, -ERANGE,
					"%s: %s does not fit %s %u-byte "
					"integer", path, value,
					loc->is_signed ? "a signed" : "an unsigned",
					loc->size);
		v = -v;
		if (bits < 64)
			v &= (1ULL << bits) - 1;
	} else if (bits < 64 && v >> (loc->is_signed ? bits - 1 : bits)) {
		return iou_fail(&p->fail, IOU_STAGE_SET, -ERANGE,
				"%s: %s does not fit %s %u-byte integer",
				path, value, loc->is_signed ? "a signed" :
				"an unsigned", loc->size);
	}
	*raw = v;
	return 0;
}

/* Where LOC's bytes are before load: the object's data, or the shared
 * region (which exists from load on); NULL if not there. */
__u8 *iou_var_bytes(const struct iou_prog *p, const struct var_loc *loc)
{
	size_t size;
	__u8 *data;

	if (!loc->map) {
		if (!p->shm || loc->offset + loc->size > p->shm_size)
			return NULL;
		return (__u8 *)p->shm + loc->offset;
	}
	data = bpf_map__initial_value(loc->map, &size);
	if (!data || loc->offset + loc->size > size)
		return NULL;
	return data + loc->offset;
}

/* After load the program's data lives in the kernel map (libbpf 1.4
 * remaps it into our memory only for skeletons): read the whole section
 * into buf (bpf_map__value_size(map) bytes). */
int iou_map_read_section(const struct bpf_map *map, __u8 *buf, size_t size)
{
	__u32 zero = 0;
	int err;

	err = bpf_map__lookup_elem(map, &zero, sizeof(zero), buf, size, 0);
	return err < 0 ? err : 0;
}

static int store(const struct iou_prog *p, const struct var_loc *loc,
		 unsigned long long raw)
{
	__u8 *data = iou_var_bytes(p, loc);

	if (!data)
		return -EINVAL;
	memcpy(data, &raw, loc->size);	/* little endian */
	return 0;
}

int iou_prog_set(struct iou_prog *p, const char *name, const char *value)
{
	struct iou_set *grown;
	struct var_loc loc;
	unsigned long long raw;
	int err;

	if (p->loaded)
		return -EBUSY;
	err = iou_var_resolve(p, name, &loc);
	if (!err)	/* @fields resolve at load time, when the ring exists */
		err = iou_var_encode_value(p, name, &loc, value, false, &raw);
	if (!err && loc.map && value[0] != '@')
		err = store(p, &loc, raw);
	if (err)
		return err;
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

int iou_prog_apply_sets(struct iou_prog *p)
{
	unsigned long long raw;
	struct var_loc loc;
	size_t i;
	int err;

	for (i = 0; i < p->nr_sets; i++) {
		err = iou_var_resolve(p, p->sets[i].name, &loc);
		if (!err)
			err = iou_var_encode_value(p, p->sets[i].name, &loc,
					   p->sets[i].value, true, &raw);
		if (!err)
			err = store(p, &loc, raw);
		if (err)
			return err;
	}
	return 0;
}
