// SPDX-License-Identifier: GPL-2.0
/*
 * foreign_nops_71: a NOP loop written the way programs outside iouops are
 * (for the 7.1 ABI): plain libbpf and uapi headers, its own declarations
 * of the io_uring BPF interface with `struct io_ring_ctx *`, no iouops
 * header. Its loader is expected to
 *  - fill the ring-info struct `ri` (a nested struct and an array) from
 *    io_uring_params,
 *  - put a `struct nops71_state` at offset 0 of the registered region
 *    with reqs_left = how many NOPs to run and batch = how many at once,
 *  - check the results in .bss after the run: done == 1, bad_cqes == 0,
 *    completed == the NOPs asked for.
 * With iouops:
 *	iouops load foreign_nops_71.bpf.o --shm-type nops71_state \
 *	  --set ri.sq_entries=@sq_entries --set ri.cq_entries=@cq_entries \
 *	  --set ri.cq.head=@cq_off.head --set ri.cq.tail=@cq_off.tail \
 *	  --set ri.cq.cqes=@cq_off.cqes --set ri.tag[1]=0x71 \
 *	  --set shm.reqs_left=1000 --set shm.batch=8 \
 *	  --expect done=1 --expect bad_cqes=0 --expect completed=1000
 */
#include <linux/types.h>
#include <linux/io_uring.h>
#include <stddef.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

/* The 7.1 interface, declared here as 7.1-era programs did. */
struct io_ring_ctx {};
struct iou_loop_params {
	__u32 cq_wait_idx;
};
enum { REGION_MEM = 0, REGION_CQ = 1, REGION_SQ = 2 };
enum { LOOP_CONTINUE = 0, LOOP_STOP = 1 };
struct io_uring_bpf_ops {
	int (*loop_step)(struct io_ring_ctx *, struct iou_loop_params *);
	__u32 ring_fd;
};
extern __u8 *bpf_io_uring_get_region(struct io_ring_ctx *ctx, __u32 region_id,
				     const size_t rdwr_buf_size) __weak __ksym;
extern int bpf_io_uring_submit_sqes(struct io_ring_ctx *ctx, __u32 nr) __weak __ksym;

#define MAX_SQ		64	/* the SQ region is mapped as this many SQEs at most */
#define MAX_BATCH	32

struct cq_offsets {
	__u32 head;
	__u32 tail;
	__u32 cqes;
};

struct ring_info {
	__u32 sq_entries;
	__u32 cq_entries;
	struct cq_offsets cq;
	__u32 tag[2];		/* user_data: tag[1] in the top half */
};
const volatile struct ring_info ri;

/* At offset 0 of the shared region: set by the loader before the run. */
struct nops71_state {
	__u32 reqs_left;	/* NOPs still to submit */
	__u32 batch;		/* NOPs in flight at most */
	__u64 submitted;	/* written by the program */
};

/* Results, checked by the loader after the run. */
__u64 completed;
__u32 bad_cqes;
int done;

/* How many NOPs to submit now: the batch minus those in flight. Not
 * inlined, which also records struct nops71_state in the object's BTF. */
static __noinline __u32 nops_to_submit(struct nops71_state *st, __u64 inflight)
{
	__u32 want = st->batch > MAX_BATCH ? MAX_BATCH : st->batch;

	want = want > ri.sq_entries ? ri.sq_entries : want;
	want = want > inflight ? want - (__u32)inflight : 0;
	return want > st->reqs_left ? st->reqs_left : want;
}

SEC("struct_ops.s/nops71_step")
int BPF_PROG(nops71_step, struct io_ring_ctx *ring, struct iou_loop_params *lp)
{
	struct nops71_state *st;
	struct io_uring_sqe *sqes;
	struct io_uring_cqe *cqes;
	__u32 *cq_head, *cq_tail, head, tail, want, i;
	__u64 inflight, tag = (__u64)ri.tag[1] << 32;
	void *rings;

	if (ri.sq_entries > MAX_SQ || !ri.cq_entries || ri.cq.cqes > 4096 ||
	    ri.cq_entries > 4096 || ri.cq.head > 4096 || ri.cq.tail > 4096)
		return LOOP_STOP;
	st = (void *)bpf_io_uring_get_region(ring, REGION_MEM, sizeof(*st));
	sqes = (void *)bpf_io_uring_get_region(ring, REGION_SQ,
				MAX_SQ * sizeof(struct io_uring_sqe));
	rings = (void *)bpf_io_uring_get_region(ring, REGION_CQ,
				ri.cq.cqes + ri.cq_entries * sizeof(struct io_uring_cqe));
	if (!st || !rings)
		return LOOP_STOP;
	cq_head = rings + ri.cq.head;
	cq_tail = rings + ri.cq.tail;
	cqes = rings + ri.cq.cqes;

	head = *cq_head;
	tail = *(volatile __u32 *)cq_tail;
	for (i = 0; i < MAX_BATCH && head != tail; i++, head++) {
		struct io_uring_cqe *cqe = &cqes[head & (ri.cq_entries - 1)];

		if ((cqe->user_data >> 32) != (tag >> 32) || cqe->res)
			bad_cqes++;
		completed++;
	}
	*cq_head = head;

	inflight = st->submitted - completed;
	if (!st->reqs_left && !inflight) {
		done = 1;
		return LOOP_STOP;
	}
	want = nops_to_submit(st, inflight);
	if (want && sqes) {
		for (i = 0; i < MAX_BATCH && i < want; i++) {
			struct io_uring_sqe *sqe = &sqes[i & (MAX_SQ - 1)];

			__builtin_memset(sqe, 0, sizeof(*sqe));
			sqe->opcode = IORING_OP_NOP;
			sqe->user_data = tag | (st->submitted + i);
		}
		if (bpf_io_uring_submit_sqes(ring, want) != (int)want)
			return LOOP_STOP;
		st->submitted += want;
		st->reqs_left -= want;
		inflight += want;
	}
	/* sleep until every NOP in flight has completed, unless CQEs wait */
	lp->cq_wait_idx = head + (*(volatile __u32 *)cq_tail != head ? 0 : (__u32)inflight);
	return LOOP_CONTINUE;
}

SEC(".struct_ops.link")
struct io_uring_bpf_ops nops71_ops = {
	.loop_step = (void *)nops71_step,
};
