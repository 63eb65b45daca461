// SPDX-License-Identifier: GPL-2.0
/*
 * foreign_dwarf_huge: a loop program (it only stops) whose region types,
 * reached only through local pointers and so only in DWARF, are legal C
 * that no region can be: struct deep_state nests structs 70 deep by
 * value, struct huge_state is 32 GiB. `--shm-type` must refuse both in
 * one line, and `iouops inspect` list them as unusable, without walking
 * forever or running out of stack (selftests/foreign_dwarf.c).
 */
#include <linux/types.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

struct io_ring_ctx {};
struct iou_loop_params {
	__u32 cq_wait_idx;
};
struct io_uring_bpf_ops {
	int (*loop_step)(struct io_ring_ctx *, struct iou_loop_params *);
	__u32 ring_fd;
};
extern __u8 *bpf_io_uring_get_region(struct io_ring_ctx *ctx, __u32 region_id,
				     const __u64 rdwr_buf_size) __weak __ksym;

#define NEST(n, m)	struct n { struct m in; __u32 v; }
#define NEST10(p, q)	NEST(p##1, q); NEST(p##2, p##1); NEST(p##3, p##2); \
			NEST(p##4, p##3); NEST(p##5, p##4); NEST(p##6, p##5); \
			NEST(p##7, p##6); NEST(p##8, p##7); NEST(p##9, p##8); \
			NEST(p##10, p##9)

struct n0 { __u32 v; };
NEST10(a, n0);
NEST10(b, a10);
NEST10(c, b10);
NEST10(d, c10);
NEST10(e, d10);
NEST10(f, e10);
NEST10(g, f10);

struct deep_state {
	struct g10 top;			/* 70 structs down to n0 */
};

struct huge_state {
	__u64 cells[0xffffffffULL];	/* 32 GiB */
};

SEC("struct_ops.s/huge_step")
int BPF_PROG(huge_step, struct io_ring_ctx *ring, struct iou_loop_params *lp)
{
	struct deep_state *ds = (void *)bpf_io_uring_get_region(ring, 0, 8);
	struct huge_state *hs = (void *)bpf_io_uring_get_region(ring, 0, 16);

	if (ds)
		ds->top.v = 1;
	if (hs)
		hs->cells[1] = 2;
	return 1;
}

SEC(".struct_ops.link")
struct io_uring_bpf_ops huge_ops = {
	.loop_step = (void *)huge_step,
};
