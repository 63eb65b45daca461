// SPDX-License-Identifier: GPL-2.0
/*
 * loader/dwarf_btf.c against clang: every named struct that clang wrote
 * into the BTF of a program built here (build/progs, build/selftests) is
 * rebuilt from the same object's DWARF and must come out the same: kinds,
 * names, sizes, member offsets, bitfields, int encodings, enum values,
 * array lengths, typedefs and qualifiers (a pointer only as a pointer:
 * iouops paths stop there). So a path through a struct only DWARF has
 * resolves as it would through clang's BTF. Runs on the host.
 */
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <glob.h>
#include <stdlib.h>

#include "dwarf_btf.h"
#include "selftest.h"

#define MAX_CMP_DEPTH	32

struct cmp {
	const struct btf *a, *b;	/* clang's, ours */
	char why[256];
};

static bool differ(struct cmp *c, __u32 ia, __u32 ib, const char *what)
{
	const struct btf_type *t = btf__type_by_id(c->a, ia);

	snprintf(c->why, sizeof(c->why), "%s differs (clang's type %u '%s', "
		 "ours %u)", what, ia, t ? btf__name_by_offset(c->a, t->name_off) :
		 "?", ib);
	return false;
}

static bool same_name(struct cmp *c, const struct btf_type *ta,
		      const struct btf_type *tb)
{
	return !strcmp(btf__name_by_offset(c->a, ta->name_off),
		       btf__name_by_offset(c->b, tb->name_off));
}

static bool same_type(struct cmp *c, __u32 ia, __u32 ib, int depth);

static bool same_members(struct cmp *c, __u32 ia, __u32 ib, int depth)
{
	const struct btf_type *ta = btf__type_by_id(c->a, ia);
	const struct btf_type *tb = btf__type_by_id(c->b, ib);
	const struct btf_member *ma = btf_members(ta), *mb = btf_members(tb);
	int i;

	for (i = 0; i < btf_vlen(ta); i++, ma++, mb++) {
		if (strcmp(btf__name_by_offset(c->a, ma->name_off),
			   btf__name_by_offset(c->b, mb->name_off)) ||
		    btf_member_bit_offset(ta, i) != btf_member_bit_offset(tb, i) ||
		    btf_member_bitfield_size(ta, i) != btf_member_bitfield_size(tb, i))
			return differ(c, ia, ib, "a member's name, offset or bits");
		if (!same_type(c, ma->type, mb->type, depth + 1))
			return false;
	}
	return true;
}

static bool same_enum(struct cmp *c, __u32 ia, __u32 ib)
{
	const struct btf_type *ta = btf__type_by_id(c->a, ia);
	const struct btf_type *tb = btf__type_by_id(c->b, ib);
	int i;

	for (i = 0; i < btf_vlen(ta); i++) {
		const char *na = btf_is_enum(ta) ?
			btf__name_by_offset(c->a, btf_enum(ta)[i].name_off) :
			btf__name_by_offset(c->a, btf_enum64(ta)[i].name_off);
		const char *nb = btf_is_enum(tb) ?
			btf__name_by_offset(c->b, btf_enum(tb)[i].name_off) :
			btf__name_by_offset(c->b, btf_enum64(tb)[i].name_off);
		__u64 va = btf_is_enum(ta) ? (__u64)(__s64)btf_enum(ta)[i].val :
			   btf_enum64_value(&btf_enum64(ta)[i]);
		__u64 vb = btf_is_enum(tb) ? (__u64)(__s64)btf_enum(tb)[i].val :
			   btf_enum64_value(&btf_enum64(tb)[i]);

		if (strcmp(na, nb) || va != vb)
			return differ(c, ia, ib, "an enum value");
	}
	return true;
}

static bool same_type(struct cmp *c, __u32 ia, __u32 ib, int depth)
{
	const struct btf_type *ta, *tb;

	if (!ia || !ib)
		return ia == ib ? true : differ(c, ia, ib, "void");
	ta = btf__type_by_id(c->a, ia);
	tb = btf__type_by_id(c->b, ib);
	if (!ta || !tb || depth > MAX_CMP_DEPTH)
		return differ(c, ia, ib, "the type graph");
	if (btf_kind(ta) != btf_kind(tb))
		return differ(c, ia, ib, "the kind");
	switch (btf_kind(ta)) {
	case BTF_KIND_INT:
		if (!same_name(c, ta, tb) || ta->size != tb->size ||
		    btf_int_encoding(ta) != btf_int_encoding(tb) ||
		    btf_int_bits(ta) != btf_int_bits(tb) ||
		    btf_int_offset(ta) != btf_int_offset(tb))
			return differ(c, ia, ib, "an int");
		return true;
	case BTF_KIND_FLOAT:
		return same_name(c, ta, tb) && ta->size == tb->size ? true :
		       differ(c, ia, ib, "a float");
	case BTF_KIND_PTR:
		return true;
	case BTF_KIND_ARRAY:
		if (btf_array(ta)->nelems != btf_array(tb)->nelems)
			return differ(c, ia, ib, "an array's length");
		return same_type(c, btf_array(ta)->type, btf_array(tb)->type,
				 depth + 1);
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		if (!same_name(c, ta, tb) || ta->size != tb->size ||
		    btf_vlen(ta) != btf_vlen(tb) || btf_kflag(ta) != btf_kflag(tb))
			return differ(c, ia, ib, "a struct's name, size or members");
		return same_members(c, ia, ib, depth);
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		if (!same_name(c, ta, tb) || ta->size != tb->size ||
		    btf_vlen(ta) != btf_vlen(tb) || btf_kflag(ta) != btf_kflag(tb))
			return differ(c, ia, ib, "an enum");
		return same_enum(c, ia, ib);
	case BTF_KIND_FWD:
		return same_name(c, ta, tb) && btf_kflag(ta) == btf_kflag(tb) ?
		       true : differ(c, ia, ib, "a declaration");
	case BTF_KIND_TYPEDEF:
		if (!same_name(c, ta, tb))
			return differ(c, ia, ib, "a typedef's name");
		/* fall through */
	case BTF_KIND_CONST:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_RESTRICT:
		return same_type(c, ta->type, tb->type, depth + 1);
	default:
		return differ(c, ia, ib, "an unexpected kind");
	}
}

/* Compare every named struct of OBJ's BTF with its DWARF rebuild. */
static int check_object(const char *obj, unsigned *compared)
{
	libbpf_print_fn_t print = libbpf_set_print(NULL);	/* -nog: no .BTF */
	struct btf *clang_btf = btf__parse_elf(obj, NULL);
	struct iou_dwarf *d = NULL;
	struct cmp c = { 0 };
	__u32 id, ours, n;
	int err;

	libbpf_set_print(print);
	err = iou_dwarf_open(obj, &d);
	if (!clang_btf || err == -ENODATA) {	/* built so on purpose */
		ASSERT_TRUE(strstr(obj, "-nog.") || strstr(obj, "-linked."));
		iou_dwarf_close(d);
		btf__free(clang_btf);
		return KSFT_PASS;
	}
	ASSERT_OK(err);
	n = btf__type_cnt(clang_btf);
	for (id = 1; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(clang_btf, id);
		const char *name = btf__name_by_offset(clang_btf, t->name_off);

		if (!btf_is_struct(t) || !name || !*name)
			continue;
		err = iou_dwarf_add_type(d, name, &ours);
		if (err)
			st_diag("%s: struct %s: %s", obj, name, iou_dwarf_error(d));
		ASSERT_OK(err);
		c.a = clang_btf;
		c.b = iou_dwarf_btf(d);
		if (!same_type(&c, id, ours, 0))
			st_diag("%s: struct %s: %s", obj, name, c.why);
		ASSERT_TRUE(same_type(&c, id, ours, 0));
		(*compared)++;
	}
	iou_dwarf_close(d);
	btf__free(clang_btf);
	return KSFT_PASS;
}

TEST(dwarf_btf_same_as_clang, "every struct clang put in BTF, rebuilt from DWARF, comes out the same (all programs built here)")
{
	static const char *const dirs[] = { "progs/*.bpf.o", "selftests/*.bpf.o" };
	unsigned compared = 0, objects = 0;
	glob_t g;
	size_t i, k;

	for (k = 0; k < sizeof(dirs) / sizeof(dirs[0]); k++) {
		ASSERT_EQ(0, glob(st_build_path(dirs[k]), 0, NULL, &g));
		for (i = 0; i < g.gl_pathc; i++, objects++)
			if (check_object(g.gl_pathv[i], &compared) != KSFT_PASS) {
				globfree(&g);
				return KSFT_FAIL;
			}
		globfree(&g);
	}
	st_diag("%u structs in %u objects", compared, objects);
	/* the objects hold iou_ctl, iou_res, io_uring_sqe and more */
	ASSERT_LE(15, objects);
	ASSERT_LE(100, compared);
	return KSFT_PASS;
}
