// SPDX-License-Identifier: GPL-2.0
/*
 * foreign_nops_72: a NOP loop written the way programs outside iouops are
 * for the 7.2+ ABI: vmlinux.h (the kernel's own `struct iou_ctx *` kfunc
 * prototypes) and libbpf's headers, no iouops header. Its loader is
 * expected to
 *  - fill `cfg` (nested structs, an anonymous union, arrays and a
 *    pointer) from io_uring_params,
 *  - put a `struct nops72_shared` at offset 0 of the registered region
 *    with to_run = the NOPs to run,
 *  - check .bss after the run: reqs_to_run == 0 (liburing's test checks
 *    the same), seq_errors == 0, finished == 1.
 * With iouops:
 *	iouops load foreign_nops_72.bpf.o --shm-type nops72_shared \
 *	  --set cfg.ring.entries[0]=@sq_entries \
 *	  --set cfg.ring.entries[1]=@cq_entries \
 *	  --set cfg.ring.off[0]=@cq_off.head --set cfg.ring.off[1]=@cq_off.tail \
 *	  --set cfg.ring.off[2]=@cq_off.cqes --set cfg.max_inflight=16 \
 *	  --set cfg.token=0x7200 --set shm.to_run=5000 \
 *	  --expect reqs_to_run=0 --expect seq_errors=0 --expect finished=1
 */
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wmicrosoft-anon-tag"
#include "vmlinux.h"
#pragma clang diagnostic pop
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define SQ_MAP		64
#define MAX_INFLIGHT	32

enum { OFF_HEAD, OFF_TAIL, OFF_CQES };

typedef struct {
	__u32 entries[2];	/* SQ, CQ */
	__u32 off[3];		/* OFF_*: CQ head, tail, CQEs */
} ring_geometry_t;

struct nops72_cfg {
	ring_geometry_t ring;
	__u32 max_inflight;
	union {			/* user_data tag: a whole or two halves */
		__u64 token;
		__u32 token_half[2];
	};
	void *uaddr;		/* where the region is, for the loader */
	__u32 trace : 1;	/* (unused) a bitfield, as configs have */
};
const volatile struct nops72_cfg cfg = { .max_inflight = 8 };

/* At offset 0 of the shared region. */
struct nops72_shared {
	__u64 to_run;		/* set by the loader */
	__u64 completions;	/* written by the program */
	__u8 notes[8192];	/* free for the loader's use */
};

int reqs_to_run = -1;		/* .data: -1 until the first step */
unsigned reqs_inflight;
__u64 next_seq;
__u32 seq_errors;
int finished;

/* Not inlined: keeps struct nops72_shared in the object's BTF too. */
static __noinline void count_completions(struct nops72_shared *sh, __u32 n)
{
	sh->completions += n;
}

SEC("struct_ops.s/nops72_step")
int BPF_PROG(nops72_step, struct iou_ctx *ring, struct iou_loop_params *lp)
{
	__u32 sq = cfg.ring.entries[0], cq = cfg.ring.entries[1];
	__u32 *cq_head, *cq_tail, head, n, i, room;
	struct nops72_shared *sh;
	struct io_uring_sqe *sqes;
	struct io_uring_cqe *cqes;
	void *rings;

	if (sq > SQ_MAP || !cq || cq > 4096 || cfg.ring.off[OFF_CQES] > 4096 ||
	    cfg.ring.off[OFF_HEAD] > 4096 || cfg.ring.off[OFF_TAIL] > 4096)
		return IOU_LOOP_STOP;
	sh = (void *)bpf_io_uring_get_region(ring, IOU_REGION_MEM, sizeof(*sh));
	sqes = (void *)bpf_io_uring_get_region(ring, IOU_REGION_SQ,
				SQ_MAP * sizeof(struct io_uring_sqe));
	rings = (void *)bpf_io_uring_get_region(ring, IOU_REGION_CQ,
			cfg.ring.off[OFF_CQES] + cq * sizeof(struct io_uring_cqe));
	if (!sh || !sqes || !rings)
		return IOU_LOOP_STOP;
	cq_head = rings + cfg.ring.off[OFF_HEAD];
	cq_tail = rings + cfg.ring.off[OFF_TAIL];
	cqes = rings + cfg.ring.off[OFF_CQES];
	if (reqs_to_run < 0)
		reqs_to_run = (int)sh->to_run;

	head = *cq_head;
	n = *(volatile __u32 *)cq_tail - head;
	for (i = 0; i < MAX_INFLIGHT && i < n; i++) {
		struct io_uring_cqe *cqe = &cqes[(head + i) & (cq - 1)];

		if (cqe->user_data != (cfg.token << 32 | (next_seq & 0xffffffff)))
			seq_errors++;
		next_seq++;
	}
	*cq_head = head + i;
	reqs_inflight -= i;
	reqs_to_run -= i;
	count_completions(sh, i);

	if (reqs_to_run <= 0 && !reqs_inflight) {
		finished = 1;
		return IOU_LOOP_STOP;
	}
	room = cfg.max_inflight < MAX_INFLIGHT ? cfg.max_inflight : MAX_INFLIGHT;
	room = room < sq ? room : sq;
	n = room > reqs_inflight ? room - reqs_inflight : 0;
	if ((int)n > reqs_to_run - (int)reqs_inflight)
		n = reqs_to_run - reqs_inflight;
	if (n) {
		__u64 seq = next_seq + reqs_inflight;

		for (i = 0; i < MAX_INFLIGHT && i < n; i++) {
			struct io_uring_sqe *sqe = &sqes[i & (SQ_MAP - 1)];

			__builtin_memset(sqe, 0, sizeof(*sqe));
			sqe->opcode = IORING_OP_NOP;
			sqe->user_data = cfg.token << 32 | ((seq + i) & 0xffffffff);
		}
		if (bpf_io_uring_submit_sqes(ring, n) != (int)n)
			return IOU_LOOP_STOP;
		reqs_inflight += n;
	}
	lp->cq_wait_idx = *cq_head + (*(volatile __u32 *)cq_tail != *cq_head ?
				      0 : reqs_inflight);
	return IOU_LOOP_CONTINUE;
}

SEC(".struct_ops.link")
struct io_uring_bpf_ops nops72_ops = {
	.loop_step = (void *)nops72_step,
};
