// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * cmd_inspect.c - `iouops inspect PROG`: what a BPF object needs and
 * offers, read from its ELF and BTF without loading it (works on any
 * kernel): its io_uring_bpf_ops maps and callbacks, its programs and which
 * are sleepable, the kfuncs it calls (and so the kernel ABI it was written
 * for), its globals with their member paths (what --set, --print and
 * --expect take), the structs --shm-type could lay the region out as
 * (from BTF, and from DWARF those BTF lacks, marked from=dwarf), and
 * the iouops conventions it follows. One line per item, first word the
 * kind of item, then its name, then KEY=VALUE fields: made for grep.
 */
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "object_globals.h"

#define MAX_DEPTH	8	/* nested members shown */
#define MAX_ELEMS	16	/* array elements expanded into paths */

struct type_buf {
	char s[256];
	size_t len;
};

static void type_buf_printf(void *ctx, const char *fmt, va_list args)
{
	struct type_buf *b = ctx;
	int n;

	if (b->len >= sizeof(b->s))
		return;
	n = vsnprintf(b->s + b->len, sizeof(b->s) - b->len, fmt, args);
	if (n > 0)
		b->len += (size_t)n;
	if (b->len >= sizeof(b->s))
		b->len = sizeof(b->s) - 1;
}

/* Tabs and newlines to single spaces: one line per item. */
static void collapse_space(char *s)
{
	char *o = s, *start = s;
	bool space = false;

	for (; *s; s++) {
		if (*s == '\n' || *s == '\t' || *s == ' ') {
			space = true;
			continue;
		}
		if (space && o != start)
			*o++ = ' ';
		space = false;
		*o++ = *s;
	}
	*o = '\0';
}

/* The C spelling of type ID ("const volatile struct ring_info"). */
static const char *type_str(const struct btf *btf, __u32 id,
			    struct type_buf *b)
{
	LIBBPF_OPTS(btf_dump_emit_type_decl_opts, opts, .field_name = "");
	struct btf_dump *d;

	b->len = 0;
	b->s[0] = '\0';
	d = btf_dump__new(btf, type_buf_printf, b, NULL);
	if (!d)
		return "?";
	if (btf_dump__emit_type_decl(d, id, &opts))
		snprintf(b->s, sizeof(b->s), "?");
	btf_dump__free(d);
	collapse_space(b->s);	/* anonymous types come out on lines */
	return b->s;
}

static void print_value(const __u8 *data, const struct btf_type *t)
{
	unsigned long long v = 0;
	bool is_signed = false;

	if (!data) {
		printf(" default=?");
		return;
	}
	if (btf_is_int(t))
		is_signed = btf_int_encoding(t) & BTF_INT_SIGNED;
	else if (btf_is_enum(t) || btf_is_enum64(t))
		is_signed = btf_kflag(t);
	memcpy(&v, data, t->size <= 8 ? t->size : 8);
	if (is_signed && t->size < 8 && (v >> (t->size * 8 - 1)) & 1)
		v |= ~((1ULL << (t->size * 8)) - 1);
	if (btf_is_ptr(t))
		printf(" default=0x%llx", v);
	else if (is_signed)
		printf(" default=%lld", (long long)v);
	else
		printf(" default=%llu", v);
}

/*
 * One line per settable leaf under PATH (type ID at DATA, which is NULL
 * for a type that has no value yet), and one per struct, union or array
 * on the way: `member PATH type=... size=N offset=N [default=V]`.
 */
static void print_members(const struct btf *btf, const char *path, __u32 id,
			  size_t offset, const __u8 *data, int depth,
			  bool print_self)
{
	const struct btf_type *t = btf__type_by_id(btf, btf__resolve_type(btf, id));
	struct type_buf b;
	char sub[512];
	int i;

	if (!t || depth > MAX_DEPTH)
		return;
	if (print_self) {
		printf("member %s type='%s' size=%lld offset=%zu", path,
		       type_str(btf, id, &b), btf__resolve_size(btf, id), offset);
		if (btf_is_int(t) || btf_is_enum(t) || btf_is_enum64(t) ||
		    btf_is_ptr(t))
			print_value(data, t);
		printf("\n");
	}
	if (btf_is_composite(t)) {
		const struct btf_member *m = btf_members(t);

		for (i = 0; i < btf_vlen(t); i++, m++) {
			const char *name = btf__name_by_offset(btf, m->name_off);
			__u32 bit = btf_member_bit_offset(t, i);

			if (btf_member_bitfield_size(t, i)) {
				printf("member %s.%s bitfield bits=%u "
				       "(iouops cannot set it)\n", path, name,
				       btf_member_bitfield_size(t, i));
				continue;
			}
			if (!name || !*name) {	/* anonymous: its members are ours */
				const struct btf_type *in = btf__type_by_id(btf,
					btf__resolve_type(btf, m->type));

				if (in && btf_is_composite(in))
					print_members(btf, path, m->type,
						      offset + bit / 8,
						      data ? data + bit / 8 : NULL,
						      depth + 1, false);
				continue;
			}
			snprintf(sub, sizeof(sub), "%s.%s", path, name);
			print_members(btf, sub, m->type, offset + bit / 8,
				      data ? data + bit / 8 : NULL, depth + 1, true);
		}
	} else if (btf_is_array(t)) {
		const struct btf_array *a = btf_array(t);
		long long esize = btf__resolve_size(btf, a->type);
		__u32 n = a->nelems < MAX_ELEMS ? a->nelems : MAX_ELEMS;

		for (i = 0; esize > 0 && (__u32)i < n; i++) {
			snprintf(sub, sizeof(sub), "%s[%d]", path, i);
			print_members(btf, sub, a->type, offset + i * esize,
				      data ? data + i * esize : NULL, depth + 1, true);
		}
		if (n < a->nelems)
			printf("member %s[%u..%u] (not listed)\n", path, n,
			       a->nelems - 1);
	}
}

static bool is_ops_map(const struct btf *btf, const struct bpf_map *map)
{
	const struct btf_type *t;
	const char *name;

	if (bpf_map__type(map) != BPF_MAP_TYPE_STRUCT_OPS)
		return false;
	t = btf__type_by_id(btf, bpf_map__btf_value_type_id(map));
	name = t ? btf__name_by_offset(btf, t->name_off) : "";
	return !strncmp(name, IOU_SYM_OPS_STRUCT, strlen(IOU_SYM_OPS_STRUCT));
}

/* The program libbpf bound to a callback slot: at open, libbpf 1.4
 * keeps the struct bpf_program pointer in the slot of the map's data. */
static const char *callback_prog(struct bpf_object *obj, const void *slot)
{
	struct bpf_program *prog, *bound;

	memcpy(&bound, slot, sizeof(bound));
	bpf_object__for_each_program(prog, obj) {
		if (prog == bound)
			return bpf_program__name(prog);
	}
	return NULL;
}

static void print_ops(struct bpf_object *obj, const struct btf *btf)
{
	struct bpf_map *map;
	struct type_buf b;

	bpf_object__for_each_map(map, obj) {
		const struct btf_type *t;
		const struct btf_member *m;
		const __u8 *data;
		size_t size;
		int i;

		if (!is_ops_map(btf, map))
			continue;
		t = btf__type_by_id(btf, bpf_map__btf_value_type_id(map));
		data = bpf_map__initial_value(map, &size);
		printf("ops %s type='%s'\n", bpf_map__name(map),
		       btf__name_by_offset(btf, t->name_off));
		m = btf_members(t);
		for (i = 0; i < btf_vlen(t); i++, m++) {
			const char *name = btf__name_by_offset(btf, m->name_off);
			const struct btf_type *mt = btf__type_by_id(btf,
				btf__resolve_type(btf, m->type));
			__u32 off = btf_member_bit_offset(t, i) / 8;
			const char *prog;

			const struct btf_type *target = mt && btf_is_ptr(mt) ?
				btf__type_by_id(btf, mt->type) : NULL;

			if (target && btf_is_func_proto(target)) {
				prog = data && off + sizeof(void *) <= size ?
				       callback_prog(obj, data + off) : NULL;
				printf("callback %s.%s prog=%s\n", bpf_map__name(map),
				       name, prog ? prog : "(none)");
			} else {
				printf("field %s.%s type='%s'%s\n", bpf_map__name(map),
				       name, type_str(btf, m->type, &b),
				       !strcmp(name, IOU_SYM_RING_FD) ?
				       " set-by=iouops" : "");
			}
		}
	}
}

static void print_progs(struct bpf_object *obj)
{
	struct bpf_program *prog;

	bpf_object__for_each_program(prog, obj) {
		const char *sec = bpf_program__section_name(prog);

		printf("prog %s section=%s sleepable=%s\n",
		       bpf_program__name(prog), sec,
		       strstr(sec, ".s/") || !strncmp(sec, "struct_ops.s", 12) ?
		       "yes" : "no");
	}
}

/* The kfuncs: functions in the .ksyms DATASEC of the object's BTF as
 * the compiler wrote it (libbpf turns them into variables at open). The type of their first argument
 * tells the ABI: 7.1 struct io_ring_ctx *, 7.2+ struct iou_ctx *. */
static void print_kfuncs(const struct btf *btf)
{
	int abi71 = 0, abi72 = 0, i;
	__s32 sec_id = btf__find_by_name_kind(btf, ".ksyms", BTF_KIND_DATASEC);
	const struct btf_var_secinfo *vi;
	const struct btf_type *sec;
	struct type_buf b;

	sec = sec_id > 0 ? btf__type_by_id(btf, (__u32)sec_id) : NULL;
	vi = sec ? btf_var_secinfos(sec) : NULL;
	for (i = 0; sec && i < btf_vlen(sec); i++, vi++) {
		const struct btf_type *t = btf__type_by_id(btf, vi->type);
		const struct btf_type *proto;
		const char *arg0 = "";

		if (!t || !btf_is_func(t))
			continue;
		proto = btf__type_by_id(btf, t->type);
		if (proto && btf_vlen(proto))
			arg0 = type_str(btf, btf_params(proto)[0].type, &b);
		if (strstr(arg0, "io_ring_ctx"))
			abi71++;
		else if (strstr(arg0, "iou_ctx"))
			abi72++;
		printf("kfunc %s arg0='%s'\n", btf__name_by_offset(btf, t->name_off),
		       arg0);
	}
	if (abi71 || abi72)
		printf("abi %s\n", abi71 && abi72 ? "mixed (7.1 and 7.2+)" :
		       abi71 ? "7.1 (struct io_ring_ctx *)" :
		       "7.2+ (struct iou_ctx *)");
}

/* `global NAME section=... type=... size=N [default=V]`, then its members. */
static int print_global(const struct iou_global *g, void *cookie)
{
	const struct btf *btf = cookie;
	const struct btf_type *t;
	const __u8 *data, *at;
	struct type_buf b;
	size_t size;

	if (strchr(g->name, '.'))
		return 0;	/* the compiler's (format strings) */
	data = bpf_map__initial_value(g->map, &size);
	at = data && g->offset + g->size <= size ? data + g->offset : NULL;
	t = btf__type_by_id(btf, btf__resolve_type(btf, g->type_id));
	printf("global %s section=%s type='%s' size=%u", g->name, g->section,
	       type_str(btf, g->type_id, &b), g->size);
	if (t && (btf_is_int(t) || btf_is_enum(t) || btf_is_enum64(t) ||
		  btf_is_ptr(t)))
		print_value(at, t);
	printf("\n");
	print_members(btf, g->name, g->type_id, 0, at, 0, false);
	return 0;
}

/* Named structs: what --shm-type can lay the region out as. */
static void print_structs(const struct btf *btf)
{
	__u32 id, n = btf__type_cnt(btf);

	for (id = 1; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);
		const char *name = btf__name_by_offset(btf, t->name_off);

		if (!btf_is_struct(t) || !name || !*name || !t->size ||
		    !strcmp(name, IOU_SYM_OPS_STRUCT) ||
		    !strncmp(name, IOU_SYM_OPS_STRUCT "___", strlen(IOU_SYM_OPS_STRUCT) + 3))
			continue;
		printf("struct %s size=%u members=%u\n", name, t->size,
		       btf_vlen(t));
	}
}

static int print_dwarf_struct(const struct iou_dwarf_struct *s, void *cookie)
{
	(void)cookie;
	if (s->err)
		printf("struct %s from=dwarf unusable='%s'\n", s->name, s->why);
	else
		printf("struct %s size=%zu members=%u from=dwarf\n", s->name,
		       s->size, s->members);
	return 0;
}

/* Structs only the DWARF of -g describes (clang writes no BTF for a
 * struct only a local pointer uses): --shm-type finds them there too. */
static void print_dwarf_structs(const char *path)
{
	int err = iou_object_dwarf_structs(path, print_dwarf_struct, NULL);

	if (err == -ENODATA)
		printf("dwarf none (structs only a local pointer uses are "
		       "not visible: build with -g)\n");
	else if (err)
		printf("dwarf unreadable err='%s'\n", strerror(-err));
}

static void print_conventions(struct bpf_object *obj, const struct btf *btf)
{
	static const char *const globals[] = {
		IOU_SYM_LAYOUT, IOU_SYM_RES, IOU_SYM_SHM_NEED,
		IOU_SYM_LISTEN_FD, IOU_SYM_UDP_FD, IOU_SYM_SRC_FD,
		IOU_SYM_DST_FD, IOU_SYM_SHARDABLE, IOU_SYM_SHARD,
	};
	struct iou_global g;
	size_t i;

	printf("convention control-block %s\n",
	       btf__find_by_name_kind(btf, "iou_ctl", BTF_KIND_STRUCT) > 0 ?
	       "yes" : "no");
	for (i = 0; i < sizeof(globals) / sizeof(globals[0]); i++)
		printf("convention %s %s\n", globals[i],
		       iou_global_locate(obj, globals[i], &g) ? "no" : "yes");
}

/* Whether `load --shards` takes it, and if not why (iou_prog_shardable). */
static void print_shardable(const char *path)
{
	struct iou_prog *p;
	char why[256];

	if (iou_prog_open(path, NULL, &p))
		return;	/* no ops map: said below */
	if (iou_prog_shardable(p, why, sizeof(why)))
		printf("shardable no (%s)\n", why);
	else
		printf("shardable yes\n");
	iou_prog_close(p);
}

static int quiet_libbpf(enum libbpf_print_level level, const char *fmt,
			va_list args)
{
	(void)level;
	(void)fmt;
	(void)args;
	return 0;
}

/* Open PATH as a BPF object (no load); an exit status on failure, with
 * the same one line as `load` gives. */
static int open_object(const char *path, struct bpf_object **out)
{
	struct iou_prog *p;
	int err;

	/* iou_prog_open() checks the file and the ELF and finds the ops map;
	 * the object itself is opened again here to walk it */
	err = iou_prog_open(path, NULL, &p);
	if (err && err != -ESRCH)
		return load_open_status(path, err);
	iou_prog_close(p);
	libbpf_set_print(quiet_libbpf);
	*out = bpf_object__open_file(path, NULL);
	if (!*out)
		return load_open_status(path, -ENOEXEC);
	return 0;
}

int cmd_inspect(int argc, char **argv)
{
	struct bpf_object *obj;
	const struct btf *btf;
	struct btf *raw;
	bool found = false;
	struct bpf_map *map;
	int err;

	if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		iouops_usage(stdout);
		return IOUOPS_EXIT_OK;
	}
	if (argc != 2) {
		fprintf(stderr, "iouops: inspect takes exactly one program\n");
		return IOUOPS_EXIT_USAGE;
	}
	err = open_object(argv[1], &obj);
	if (err)
		return err;
	btf = bpf_object__btf(obj);
	if (!btf) {
		fprintf(stderr, "iouops: %s: no BTF (build it with clang -g)\n",
			argv[1]);
		bpf_object__close(obj);
		return IOUOPS_EXIT_NOTBPF;
	}
	bpf_object__for_each_map(map, obj)
		found |= is_ops_map(btf, map);
	printf("object %s\n", argv[1]);
	print_ops(obj, btf);
	print_progs(obj);
	raw = btf__parse_elf(argv[1], NULL);
	if (raw)
		print_kfuncs(raw);
	btf__free(raw);
	iou_object_for_each_global(obj, print_global, (void *)btf);
	print_structs(btf);
	print_dwarf_structs(argv[1]);
	print_conventions(obj, btf);
	print_shardable(argv[1]);
	bpf_object__close(obj);
	if (!found) {
		fprintf(stderr, "iouops: %s: no io_uring_bpf_ops struct_ops map "
			"in it\n", argv[1]);
		return IOUOPS_EXIT_NOOPS;
	}
	return IOUOPS_EXIT_OK;
}
