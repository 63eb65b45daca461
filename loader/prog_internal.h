/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * prog_internal.h - struct iou_prog and the steps of its life, shared by
 * the files that implement iou_prog_*(): prog_open.c (open, close),
 * globals.c (--set), ring.c (ring and shared region), prog_load.c (load,
 * attach, run), prog_access.c (accessors) and vars.c (--print). Not part
 * of the API; the rest of the library (net.c, shm_need.c, services/)
 * sees only a bpf_object and a struct iou_fail (loader_internal.h,
 * object_globals.h), never this.
 */
#ifndef IOUOPS_PROG_INTERNAL_H
#define IOUOPS_PROG_INTERNAL_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "iouops.h"
#include "loader_internal.h"
#include "object_globals.h"
#include "uring.h"

struct bpf_object;
struct bpf_map;
struct bpf_link;
struct iou_root;	/* --root's files: services/files_root_internal.h */
struct btf;

/* One --set NAME=VALUE, kept so that @fields resolve at load time. */
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
	/* --shm-type: the program's own struct at offset 0 of the region,
	 * no control block (0: the iouops control block is there) */
	__u32 shm_type_id;
	size_t shm_type_size;
	struct btf *shm_btf;	/* shm_type_id's BTF when only DWARF had it */
	struct iou_fail fail;	/* stage and one-line detail of a failure */
	struct iou_bpf_log log;	/* libbpf's messages during open/load */
	bool loaded;
	int *kept_fds;		/* files opened for the program (--in/--out) */
	size_t nr_kept_fds;
	struct iou_netres *net;	/* iou_res resources, --listen socket */
	/* shards.c: this program's shard (-1: not one; names the region's
	 * memfd iouops-shm.N) and the listening socket it made for it
	 * (-1: none; load hands it to net, close closes it otherwise) */
	int shard;
	int listen_preset;
	struct iou_root *root;	/* --root files (services/files_root.c) */
	volatile sig_atomic_t stop_requested;
	volatile sig_atomic_t force_stop;
	unsigned long long phase_ns[IOU_NR_PHASES];	/* load cost */
};

/* Record that PHASE ended now: CLOCK_MONOTONIC, the clock of
 * bpf_ktime_get_ns(), so the phases compare with iou_ctl.first_step_ns. */
static inline void iou_prog_stamp(struct iou_prog *p, enum iou_phase phase)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	p->phase_ns[phase] = (unsigned long long)ts.tv_sec * 1000000000ULL +
			     (unsigned long long)ts.tv_nsec;
}

/* globals.c: write the --set values (@fields resolved now that the ring
 * exists) into the object. */
int iou_prog_apply_sets(struct iou_prog *p);

/* Where one value named by a path (ri.cq_off[2]) lives: in a data
 * section of the object, or (map NULL) in the shared region. */
struct var_loc {
	struct bpf_map *map;	/* NULL: the region of --shm-type (shm) */
	const char *section;
	__u32 offset;
	__u32 size;
	__u32 type_id;		/* the leaf's type, modifiers resolved */
	bool is_signed;
	bool is_pointer;
};

struct btf;
struct btf_type;
/* globals.c, shared with vars.c: a path (ri.cq_off[2], shm.x) to where
 * its value lives; VALUE (a number or @field) encoded for it; the bytes it
 * lives in before load (or in the region); a data section as the kernel
 * has it now. */
int iou_var_resolve(struct iou_prog *p, const char *path, struct var_loc *loc);
int iou_var_encode_value(struct iou_prog *p, const char *path,
			 const struct var_loc *loc, const char *value,
			 bool at_load, unsigned long long *raw);
__u8 *iou_var_bytes(const struct iou_prog *p, const struct var_loc *loc);
int iou_map_read_section(const struct bpf_map *map, __u8 *buf, size_t size);

/* shm_type.c: --shm-type's TYPE (NAME without "struct "): the BTF that
 * describes it, the object's or p->shm_btf rebuilt from its DWARF, and its
 * id there. -ENOENT and others with the reason in p->fail. */
int iou_shm_type_find(struct iou_prog *p, const char *type, const char *name,
		      const struct btf **btf, __u32 *id);

/* ring.c: create the ring, create and register the shared region, and
 * derive the iou_layout the program gets from the ring's geometry. */
int iou_prog_setup_ring(struct iou_prog *p);
int iou_prog_setup_shm(struct iou_prog *p);
void iou_prog_compute_layout(struct iou_prog *p);

#endif /* IOUOPS_PROG_INTERNAL_H */
