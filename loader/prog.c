// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * prog.c - open, configure, load, attach and run one loop program.
 *
 * The order matters and is the whole point of the loader: the ring must
 * exist before load, because its geometry (known only after
 * io_uring_setup()) goes into the program's frozen .rodata, and the
 * struct_ops map carries the ring fd that attach installs the program on.
 */
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <ctype.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "iouops.h"
#include "loader_internal.h"
#include "uring.h"

#define DEFAULT_SQ_ENTRIES	64
#define DEFAULT_SHM_SIZE	IOU_DEFAULT_SHM_SIZE
#define LOG_MAX			(64 * 1024 * 1024)

struct iou_set {
	char *name;
	char *value;
};

struct iou_prog {
	struct iou_opts opts;
	char *path;
	struct bpf_object *obj;
	struct bpf_map *ops_map;
	struct bpf_link *link;
	int ring_fd;
	bool own_ring;
	struct io_uring_params params;
	struct iou_layout layout;
	int shm_fd;
	void *shm;
	size_t shm_size;
	struct iou_set *sets;
	size_t nr_sets;
	enum iou_stage stage;
	char errmsg[256];	/* one-line detail of the last failure */
	char *log;		/* libbpf's messages during open/load */
	size_t log_len;
	char *vlog;		/* the verifier log cut out of it */
	bool loaded;
	int *kept_fds;		/* files opened for the program (--in/--out) */
	size_t nr_kept_fds;
	struct iou_netres *net;	/* iou_res resources, --listen socket */
	volatile sig_atomic_t stop_requested;
	volatile sig_atomic_t force_stop;
	unsigned long long phase_ns[IOU_NR_PHASES];	/* load cost */
};

static void stamp(struct iou_prog *p, enum iou_phase phase)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	p->phase_ns[phase] = (unsigned long long)ts.tv_sec * 1000000000ULL +
			     (unsigned long long)ts.tv_nsec;
}

/* ---- logging: libbpf has one global print hook ---- */

static struct iou_prog *log_prog;

static void log_append(struct iou_prog *p, const char *s)
{
	size_t n = strlen(s);
	char *grown;

	if (p->log_len + n + 1 > LOG_MAX)
		return;
	grown = realloc(p->log, p->log_len + n + 1);
	if (!grown)
		return;
	p->log = grown;
	memcpy(p->log + p->log_len, s, n + 1);
	p->log_len += n;
}

void iou_logf(const struct iou_opts *o, enum iou_log_level lvl,
	      const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	if (!o || !o->log)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	o->log(lvl, buf, o->log_cookie);
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	struct iou_prog *p = log_prog;
	enum iou_log_level lvl;
	char *buf;

	if (!p)
		return 0;
	if (level == LIBBPF_DEBUG && !p->opts.libbpf_debug)
		return 0;
	/* one message can be a whole verifier log: no fixed buffer */
	if (vasprintf(&buf, fmt, ap) < 0)
		return 0;
	log_append(p, buf);
	lvl = level == LIBBPF_WARN ? IOU_LOG_WARN :
	      level == LIBBPF_INFO ? IOU_LOG_INFO : IOU_LOG_DEBUG;
	if (p->opts.log)
		p->opts.log(lvl, buf, p->opts.log_cookie);
	free(buf);
	return 0;
}

static void log_begin(struct iou_prog *p)
{
	log_prog = p;
	libbpf_set_print(libbpf_print);
}

static void log_end(void)
{
	log_prog = NULL;
}

/* libbpf brackets the verifier's output with these markers. */
static void extract_verifier_log(struct iou_prog *p)
{
	const char *begin, *end;

	free(p->vlog);
	p->vlog = NULL;
	if (!p->log)
		return;
	begin = strstr(p->log, "-- BEGIN PROG LOAD LOG --");
	if (!begin)
		return;
	begin = strchr(begin, '\n');
	if (!begin)
		return;
	end = strstr(++begin, "-- END PROG LOAD LOG --");
	if (!end)
		end = begin + strlen(begin);
	p->vlog = strndup(begin, (size_t)(end - begin));
}

/* The last thing libbpf said, as the one-line detail of a failure. */
static void last_log_line(struct iou_prog *p)
{
	const char *line, *end;
	size_t len;

	if (!p->log_len)
		return;
	end = p->log + p->log_len;
	while (end > p->log && end[-1] == '\n')
		end--;
	line = end;
	while (line > p->log && line[-1] != '\n')
		line--;
	len = (size_t)(end - line);
	if (len >= sizeof(p->errmsg))
		len = sizeof(p->errmsg) - 1;
	memcpy(p->errmsg, line, len);
	p->errmsg[len] = '\0';
}

/* ---- open ---- */

static int check_bpf_elf(const char *path)
{
	Elf64_Ehdr eh;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, &eh, sizeof(eh));
	close(fd);
	if (n != (ssize_t)sizeof(eh) || memcmp(eh.e_ident, ELFMAG, SELFMAG) ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_machine != EM_BPF)
		return -ENOEXEC;
	return 0;
}

static bool is_io_uring_ops_map(const struct bpf_object *obj,
				const struct bpf_map *map)
{
	const struct btf *btf = bpf_object__btf(obj);
	static const char ops[] = "io_uring_bpf_ops";
	const struct btf_type *t;
	const char *name;

	if (bpf_map__type(map) != BPF_MAP_TYPE_STRUCT_OPS || !btf)
		return false;
	t = btf__type_by_id(btf, bpf_map__btf_value_type_id(map));
	if (!t)
		return false;
	/* also a CO-RE flavour (io_uring_bpf_ops___v2) declaring callbacks
	 * newer than vmlinux.h; libbpf matches it to the kernel's type */
	name = btf__name_by_offset(btf, t->name_off);
	return !strncmp(name, ops, sizeof(ops) - 1) &&
	       (!name[sizeof(ops) - 1] || !strncmp(name + sizeof(ops) - 1, "___", 3));
}

int iou_prog_open(const char *path, const struct iou_opts *opts,
		  struct iou_prog **out)
{
	struct iou_prog *p;
	struct bpf_map *map;
	struct stat st;
	int err;

	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	if (opts)
		p->opts = *opts;
	stamp(p, IOU_PHASE_START);
	p->ring_fd = -1;
	p->shm_fd = -1;
	p->stage = IOU_STAGE_OPEN;
	p->path = strdup(path);
	if (!p->path) {
		err = -ENOMEM;
		goto fail;
	}
	if (stat(path, &st)) {
		err = -errno;
		goto fail;
	}
	if (S_ISDIR(st.st_mode)) {
		err = -EISDIR;
		goto fail;
	}
	err = check_bpf_elf(path);
	if (err)
		goto fail;

	log_begin(p);
	p->obj = bpf_object__open_file(path, NULL);
	log_end();
	if (!p->obj) {
		err = -errno ? -errno : -ENOEXEC;
		if (err != -ENOMEM)
			err = -ENOEXEC;
		goto fail;
	}

	bpf_object__for_each_map(map, p->obj) {
		if (is_io_uring_ops_map(p->obj, map)) {
			p->ops_map = map;
			break;
		}
	}
	if (!p->ops_map) {
		p->stage = IOU_STAGE_NO_OPS;
		err = -ESRCH;
		goto fail;
	}
	p->stage = IOU_STAGE_NONE;
	stamp(p, IOU_PHASE_OPEN);
	*out = p;
	return 0;
fail:
	if (out)
		*out = NULL;
	iou_logf(&p->opts, IOU_LOG_DEBUG, "open %s: %s", path, strerror(-err));
	/* keep the stage for the caller: report it through the log only */
	iou_prog_close(p);
	return err;
}

/* ---- globals ---- */

struct var_loc {
	struct bpf_map *map;
	__u32 offset;
	__u32 size;
	bool is_signed;
};

/* Find a global variable by name in the object's data sections. */
static int find_var(struct iou_prog *p, const char *name, struct var_loc *loc)
{
	const struct btf *btf = bpf_object__btf(p->obj);
	struct bpf_map *map;

	if (!btf)
		return -ENOENT;
	bpf_object__for_each_map(map, p->obj) {
		const struct btf_type *sec;
		const struct btf_var_secinfo *vi;
		int i;

		if (bpf_map__type(map) != BPF_MAP_TYPE_ARRAY ||
		    !bpf_map__btf_value_type_id(map))
			continue;
		sec = btf__type_by_id(btf, bpf_map__btf_value_type_id(map));
		if (!sec || !btf_is_datasec(sec))
			continue;
		vi = btf_var_secinfos(sec);
		for (i = 0; i < btf_vlen(sec); i++, vi++) {
			const struct btf_type *var = btf__type_by_id(btf, vi->type);
			const struct btf_type *t;

			if (!var || strcmp(btf__name_by_offset(btf, var->name_off), name))
				continue;
			t = btf__type_by_id(btf, btf__resolve_type(btf, var->type));
			loc->map = map;
			loc->offset = vi->offset;
			loc->size = vi->size;
			loc->is_signed = t && btf_is_int(t) &&
					 (btf_int_encoding(t) & BTF_INT_SIGNED);
			return 0;
		}
	}
	return -ENOENT;
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

static int resolve_value(const struct iou_prog *p, const char *value,
			 bool *negative, unsigned long long *v)
{
	if (value[0] == '@') {
		*negative = false;
		return layout_field(p, value + 1, v) ? 0 : -EINVAL;
	}
	return parse_number(value, negative, v);
}

static int write_var(const struct var_loc *loc, bool negative,
		     unsigned long long v)
{
	unsigned bits = loc->size * 8;
	size_t size;
	__u8 *data;

	if (loc->size != 1 && loc->size != 2 && loc->size != 4 &&
	    loc->size != 8)
		return -EINVAL;	/* arrays and structs are not numbers */
	if (negative) {
		if (!loc->is_signed || (bits < 64 && v > (1ULL << (bits - 1))) ||
		    (bits == 64 && v > (1ULL << 63)))
			return -EINVAL;
		v = -v;
	} else if (bits < 64 && v >> (loc->is_signed ? bits - 1 : bits)) {
		return -EINVAL;
	}
	data = bpf_map__initial_value(loc->map, &size);
	if (!data || loc->offset + loc->size > size)
		return -EINVAL;
	memcpy(data + loc->offset, &v, loc->size);	/* little endian */
	return 0;
}

int iou_prog_set(struct iou_prog *p, const char *name, const char *value)
{
	struct iou_set *grown;
	struct var_loc loc;
	unsigned long long v;
	bool negative;
	int err;

	if (p->loaded)
		return -EBUSY;
	p->stage = IOU_STAGE_SET;
	err = find_var(p, name, &loc);
	if (err)
		return err;
	/* Validate now so the user hears of a bad value before any setup;
	 * @fields resolve at load time, when the ring exists. */
	if (value[0] == '@') {
		if (!layout_field(p, value + 1, &v))
			return -EINVAL;
	} else {
		err = parse_number(value, &negative, &v);
		if (!err)
			err = write_var(&loc, negative, v);
		if (err)
			return err;
	}
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
	p->stage = IOU_STAGE_NONE;
	return 0;
}

int iou_prog_global(struct iou_prog *p, const char *name, void **ptr,
		    size_t *size)
{
	struct var_loc loc;
	size_t map_size;
	__u8 *data;
	int err;

	err = find_var(p, name, &loc);
	if (err)
		return err;
	data = bpf_map__initial_value(loc.map, &map_size);
	if (!data || loc.offset + loc.size > map_size)
		return -EINVAL;
	*ptr = data + loc.offset;
	*size = loc.size;
	return 0;
}

int iou_prog_keep_fd(struct iou_prog *p, int fd)
{
	int *grown = realloc(p->kept_fds, (p->nr_kept_fds + 1) * sizeof(*grown));

	if (!grown)
		return -ENOMEM;
	p->kept_fds = grown;
	p->kept_fds[p->nr_kept_fds++] = fd;
	return 0;
}

size_t iou_prog_kept_fds(const struct iou_prog *p, const int **fds)
{
	*fds = p->kept_fds;
	return p->nr_kept_fds;
}

int iou_prog_fail(struct iou_prog *p, enum iou_stage stage, int err,
		  const char *fmt, ...)
{
	va_list ap;

	p->stage = stage;
	va_start(ap, fmt);
	vsnprintf(p->errmsg, sizeof(p->errmsg), fmt, ap);
	va_end(ap);
	return err;
}

static int apply_sets(struct iou_prog *p)
{
	struct var_loc loc;
	unsigned long long v;
	bool negative;
	size_t i;
	int err;

	for (i = 0; i < p->nr_sets; i++) {
		err = find_var(p, p->sets[i].name, &loc);
		if (!err)
			err = resolve_value(p, p->sets[i].value, &negative, &v);
		if (!err)
			err = write_var(&loc, negative, v);
		if (err)
			return err;
	}
	return 0;
}

/* ---- ring and shared memory ---- */

static void compute_layout(struct iou_prog *p)
{
	const struct io_uring_params *pp = &p->params;
	struct iou_layout *l = &p->layout;
	__u32 cq_end, sq_end = 0;

	memset(l, 0, sizeof(*l));
	l->setup_flags = pp->flags;
	l->sq_entries = pp->sq_entries;
	l->cq_entries = pp->cq_entries;
	l->sq_mask = pp->sq_entries - 1;
	l->cq_mask = pp->cq_entries - 1;
	l->sqe_size = sizeof(struct io_uring_sqe);
	l->sq_head_off = pp->sq_off.head;
	l->sq_tail_off = pp->sq_off.tail;
	l->sq_flags_off = pp->sq_off.flags;
	if (!(pp->flags & IORING_SETUP_NO_SQARRAY))
		l->sq_array_off = pp->sq_off.array;
	l->cq_head_off = pp->cq_off.head;
	l->cq_tail_off = pp->cq_off.tail;
	l->cq_overflow_off = pp->cq_off.overflow;
	l->cq_flags_off = pp->cq_off.flags;
	l->cqes_off = pp->cq_off.cqes;
	/* The rings region holds the CQEs and, without NO_SQARRAY, the SQ
	 * index array after them; the kernel rounds it up to pages. */
	cq_end = pp->cq_off.cqes + pp->cq_entries * sizeof(struct io_uring_cqe);
	if (l->sq_array_off)
		sq_end = l->sq_array_off + pp->sq_entries * sizeof(__u32);
	l->rings_size = cq_end > sq_end ? cq_end : sq_end;
	l->sqes_size = pp->sq_entries * l->sqe_size;
	l->mem_size = (__u32)p->shm_size;
	l->shm_uaddr = (uintptr_t)p->shm;
}

static int setup_ring(struct iou_prog *p)
{
	unsigned sq = p->opts.sq_entries ? p->opts.sq_entries : DEFAULT_SQ_ENTRIES;
	struct io_uring_params params;
	int fd;

	memset(&params, 0, sizeof(params));
	params.flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_NO_SQARRAY;
	if (!p->opts.no_defer_taskrun)
		params.flags |= IORING_SETUP_DEFER_TASKRUN;
	if (p->opts.sq_rewind != 0)
		params.flags |= IORING_SETUP_SQ_REWIND;
	if (p->opts.cq_entries) {
		params.flags |= IORING_SETUP_CQSIZE;
		params.cq_entries = p->opts.cq_entries;
	}
	fd = iou_sys_setup(sq, &params);
	if (fd == -EINVAL && p->opts.sq_rewind < 0) {
		/* a kernel without SQ_REWIND: fall back to the classic SQ */
		iou_logf(&p->opts, IOU_LOG_INFO,
			 "ring: SQ_REWIND refused, using the classic SQ");
		params.flags &= ~IORING_SETUP_SQ_REWIND;
		memset(&params.sq_off, 0, sizeof(params.sq_off));
		memset(&params.cq_off, 0, sizeof(params.cq_off));
		fd = iou_sys_setup(sq, &params);
	}
	if (fd < 0)
		return fd;
	p->ring_fd = fd;
	p->own_ring = true;
	p->params = params;
	return 0;
}

/*
 * The shared region is user memory from a memfd, so another process can
 * map the same pages through /proc/PID/fd (live stats, command rings).
 */
static int setup_shm(struct iou_prog *p)
{
	long page = sysconf(_SC_PAGESIZE);
	struct iou_mem_region_reg reg;
	struct iou_region_desc rd;
	struct iou_ctl *ctl;
	size_t size;
	int err;

	size = p->opts.shm_size ? p->opts.shm_size : DEFAULT_SHM_SIZE;
	size = (size + (size_t)page - 1) & ~((size_t)page - 1);
	if (size > UINT32_MAX)
		return -E2BIG;

	p->shm_fd = memfd_create("iouops-shm", MFD_CLOEXEC);
	if (p->shm_fd < 0)
		return -errno;
	/* memfds are born 0777: only our own user may open it again */
	if (fchmod(p->shm_fd, 0600) || ftruncate(p->shm_fd, (off_t)size))
		return -errno;
	p->shm = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      p->shm_fd, 0);
	if (p->shm == MAP_FAILED) {
		p->shm = NULL;
		return -errno;
	}
	p->shm_size = size;

	ctl = p->shm;
	ctl->magic = IOU_CTL_MAGIC;
	ctl->version = IOU_CTL_VERSION;
	ctl->stop_req = p->stop_requested;

	memset(&rd, 0, sizeof(rd));
	rd.user_addr = (uintptr_t)p->shm;
	rd.size = size;
	rd.flags = IOU_MEM_REGION_TYPE_USER;
	memset(&reg, 0, sizeof(reg));
	reg.region_uptr = (uintptr_t)&rd;
	err = iou_sys_register(p->ring_fd, IOU_REGISTER_MEM_REGION, &reg, 1);
	return err < 0 ? err : 0;
}

/* Write iou_layout (if the program has one) and ring_fd into the object. */
static int fill_program(struct iou_prog *p)
{
	const struct btf *btf = bpf_object__btf(p->obj);
	const struct btf_type *t;
	const struct btf_member *m;
	struct var_loc loc;
	size_t size;
	__u8 *data;
	int i, err;

	if (!find_var(p, "iou_layout", &loc)) {
		data = bpf_map__initial_value(loc.map, &size);
		if (loc.size != sizeof(p->layout) || !data ||
		    loc.offset + loc.size > size)
			return -EINVAL;
		memcpy(data + loc.offset, &p->layout, sizeof(p->layout));
	}
	err = apply_sets(p);
	if (err)
		return err;

	t = btf__type_by_id(btf, bpf_map__btf_value_type_id(p->ops_map));
	data = bpf_map__initial_value(p->ops_map, &size);
	if (!t || !data)
		return -EINVAL;
	m = btf_members(t);
	for (i = 0; i < btf_vlen(t); i++, m++) {
		__u32 off = btf_member_bit_offset(t, i) / 8;

		if (strcmp(btf__name_by_offset(btf, m->name_off), "ring_fd"))
			continue;
		if (off + sizeof(__u32) > size)
			return -EINVAL;
		memcpy(data + off, &(__u32){ (__u32)p->ring_fd }, sizeof(__u32));
		return 0;
	}
	return -EINVAL;
}

/* ---- load, attach, run ---- */

static int load_object(struct iou_prog *p)
{
	int err;

	err = fill_program(p);
	if (err) {
		p->stage = IOU_STAGE_SET;
		return err;
	}
	p->stage = IOU_STAGE_VERIFIER;
	log_begin(p);
	err = bpf_object__load(p->obj);
	log_end();
	if (err) {
		extract_verifier_log(p);
		last_log_line(p);
		if (err == -EPERM) {
			p->stage = IOU_STAGE_PERM;
		} else if (iou_explain_missing_feature(p->log, p->errmsg,
						       sizeof(p->errmsg))) {
			p->stage = IOU_STAGE_KERNEL;
			err = -EOPNOTSUPP;
		}
		return err;
	}
	p->loaded = true;
	p->stage = IOU_STAGE_NONE;
	stamp(p, IOU_PHASE_VERIFY);
	return 0;
}

/*
 * The kernel probe parses all of the kernel's BTF, and bpf_object__load()
 * parses it again: a third of a load's time (make bench, LOAD). So a load
 * checks privileges only (cheap) and runs the probe when a step failed,
 * where it tells "this kernel lacks io_uring BPF ops" from other errors;
 * without privileges it probes first, so a kernel without the feature is
 * still reported as such before a missing capability.
 */
static int probe_kernel(struct iou_prog *p, int err)
{
	char why[256];
	int perr;

	perr = iou_probe_kernel(why, sizeof(why));
	if (!perr)
		return err;
	p->stage = IOU_STAGE_KERNEL;
	snprintf(p->errmsg, sizeof(p->errmsg), "%s", why);
	return perr;
}

static int check_privileges(struct iou_prog *p)
{
	int err;

	if (iou_can_load_bpf())
		return 0;
	err = probe_kernel(p, 0);
	if (err)
		return err;
	p->stage = IOU_STAGE_PERM;
	return -EPERM;
}

static int load_steps(struct iou_prog *p)
{
	int err;

	/* iou_shm_need, then struct iou_res and --listen: size the CQ and
	 * the region (the buffer ring goes past the program's own data) */
	p->stage = IOU_STAGE_REGION;
	err = iou_shm_need_apply(p, &p->opts);
	if (err)
		return err;
	err = iou_netres_prepare(p, &p->opts, &p->net);
	if (err)
		return err;
	p->stage = IOU_STAGE_RING;
	err = setup_ring(p);
	if (err)
		return err;
	stamp(p, IOU_PHASE_RING);
	p->stage = IOU_STAGE_REGION;
	err = setup_shm(p);
	if (err)
		return err;
	err = iou_netres_setup(p->net, p, p->ring_fd, p->shm, p->shm_size);
	if (err)
		return err;
	stamp(p, IOU_PHASE_REGION);
	compute_layout(p);
	return load_object(p);
}

int iou_prog_load(struct iou_prog *p)
{
	int err;

	if (p->loaded)
		return -EBUSY;
	err = check_privileges(p);
	if (err)
		return err;
	stamp(p, IOU_PHASE_PROBE);
	err = load_steps(p);
	return err ? probe_kernel(p, err) : 0;
}

int iou_prog_load_on_ring_of(struct iou_prog *p, const struct iou_prog *owner)
{
	int err;

	if (p->loaded)
		return -EBUSY;
	if (owner->ring_fd < 0)
		return -EBADF;
	err = check_privileges(p);
	if (err)
		return err;
	/* borrow: the owner keeps the ring and the region */
	p->ring_fd = owner->ring_fd;
	p->own_ring = false;
	p->params = owner->params;
	p->shm_size = owner->shm_size;
	compute_layout(p);
	p->layout.shm_uaddr = (uintptr_t)owner->shm;
	err = load_object(p);
	return err ? probe_kernel(p, err) : 0;
}

int iou_prog_attach(struct iou_prog *p)
{
	struct bpf_link *link;

	if (!p->loaded)
		return -EINVAL;
	if (p->link)
		return -EALREADY;
	p->stage = IOU_STAGE_ATTACH;
	link = bpf_map__attach_struct_ops(p->ops_map);
	if (!link)
		return -errno ? -errno : -EINVAL;
	p->link = link;
	p->stage = IOU_STAGE_NONE;
	stamp(p, IOU_PHASE_ATTACH);
	return 0;
}

int iou_prog_detach(struct iou_prog *p)
{
	int err = 0;

	if (p->link) {
		err = bpf_link__destroy(p->link);
		p->link = NULL;
	}
	return err;
}

int iou_prog_run(struct iou_prog *p)
{
	int ret;

	if (!p->link)
		return -ENOLINK;
	p->stage = IOU_STAGE_RUN;
	for (;;) {
		ret = iou_sys_enter(p->ring_fd);
		if (ret >= 0)
			break;
		/* A signal ends the enter; BPF globals survive and a new
		 * enter resumes the loop with fresh loop params. Re-enter
		 * only to let a program that was asked to stop wind down. */
		if (ret == -EINTR && p->stop_requested && !p->force_stop)
			continue;
		return ret;
	}
	p->stage = IOU_STAGE_NONE;
	return 0;
}

void iou_prog_request_stop(struct iou_prog *p)
{
	p->stop_requested = 1;
	if (p->shm)
		__atomic_store_n(&((struct iou_ctl *)p->shm)->stop_req, 1,
				 __ATOMIC_RELEASE);
}

void iou_prog_force_stop(struct iou_prog *p)
{
	p->force_stop = 1;
}

void iou_prog_close(struct iou_prog *p)
{
	size_t i;

	if (!p)
		return;
	iou_prog_detach(p);
	bpf_object__close(p->obj);
	iou_netres_free(p->net);	/* the listening socket */
	if (p->shm)
		munmap(p->shm, p->shm_size);
	if (p->shm_fd >= 0)
		close(p->shm_fd);
	if (p->own_ring && p->ring_fd >= 0)
		close(p->ring_fd);
	for (i = 0; i < p->nr_kept_fds; i++)
		close(p->kept_fds[i]);
	free(p->kept_fds);
	for (i = 0; i < p->nr_sets; i++) {
		free(p->sets[i].name);
		free(p->sets[i].value);
	}
	free(p->sets);
	free(p->log);
	free(p->vlog);
	free(p->path);
	free(p);
}

/* ---- accessors ---- */

unsigned long long iou_prog_phase_ns(const struct iou_prog *p,
				     enum iou_phase phase)
{
	return phase < IOU_NR_PHASES ? p->phase_ns[phase] : 0;
}

int iou_prog_listen_addr(const struct iou_prog *p, char *buf, size_t len)
{
	return p->net ? iou_netres_listen_addr(p->net, buf, len) : -ENOTCONN;
}

volatile struct iou_ctl *iou_prog_ctl(const struct iou_prog *p)
{
	return p->shm;
}

void *iou_prog_shm(const struct iou_prog *p)
{
	return p->shm;
}

size_t iou_prog_shm_size(const struct iou_prog *p)
{
	return p->shm_size;
}

int iou_prog_shm_fd(const struct iou_prog *p)
{
	return p->shm_fd;
}

int iou_prog_ring_fd(const struct iou_prog *p)
{
	return p->ring_fd;
}

const struct iou_layout *iou_prog_layout(const struct iou_prog *p)
{
	return &p->layout;
}

const char *iou_prog_name(const struct iou_prog *p)
{
	return p->ops_map ? bpf_map__name(p->ops_map) : "";
}

struct bpf_object *iou_prog_object(const struct iou_prog *p)
{
	return p->obj;
}

enum iou_stage iou_prog_error_stage(const struct iou_prog *p)
{
	return p->stage;
}

const char *iou_prog_error_msg(const struct iou_prog *p)
{
	return p->errmsg;
}

const char *iou_prog_verifier_log(const struct iou_prog *p)
{
	return p->vlog ? p->vlog : "";
}

const char *iou_exit_kind_str(int kind)
{
	switch (kind) {
	case IOU_EXIT_NONE: return "none";
	case IOU_EXIT_DONE: return "done";
	case IOU_EXIT_STOPPED: return "stopped";
	case IOU_EXIT_ERROR: return "error";
	default: return "unknown";
	}
}
