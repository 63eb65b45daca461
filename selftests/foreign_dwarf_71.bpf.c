// SPDX-License-Identifier: GPL-2.0
/*
 * foreign_dwarf_71: a NOP loop written the way test programs posted with
 * kernel patches are (7.1 ABI, `struct io_ring_ctx *`): uapi and libbpf
 * headers, its own declarations, no iouops header, no globals. All of
 * its state is a struct in the registered region that it reaches only
 * through a local pointer, so clang leaves struct dwarf71_state out of
 * the object's BTF: only the DWARF of -g describes it.
 *
 * The loader fills `ring` (CQ geometry) and `want` before the run; the
 * program tags each NOP with tag.half[1] in the top half of user_data and
 * its sequence number in the bottom half, counts completions per lane
 * (seq % 4), and judges itself: verdict = VERDICT_PASS (1) when every
 * CQE came back in order, with res 0 and the tag, else VERDICT_FAIL (2).
 * With iouops:
 *	iouops load foreign_dwarf_71.bpf.o --shm-type dwarf71_state \
 *	  --set shm.ring.entries=@cq_entries --set shm.ring.off.head=@cq_off.head \
 *	  --set shm.ring.off.tail=@cq_off.tail --set shm.ring.off.cqes=@cq_off.cqes \
 *	  --set shm.want=1000 --set shm.tag.half[1]=0x71 \
 *	  --expect shm.verdict=1 --expect shm.lanes[3]=250
 */
#include <linux/types.h>
#include <linux/io_uring.h>
#include <stddef.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

/* The 7.1 interface, as the series' own selftests declared it. */
struct io_ring_ctx {};
struct iou_loop_params {
	__u32 cq_wait_idx;
};
struct io_uring_bpf_ops {
	int (*loop_step)(struct io_ring_ctx *, struct iou_loop_params *);
	__u32 ring_fd;
};
extern __u8 *bpf_io_uring_get_region(struct io_ring_ctx *ctx, __u32 region_id,
				     const size_t rdwr_buf_size) __weak __ksym;
extern int bpf_io_uring_submit_sqes(struct io_ring_ctx *ctx, __u32 nr) __weak __ksym;

#define REGION_MEM	0
#define REGION_CQ	1
#define REGION_SQ	2
#define SQ_SLOTS	16	/* SQEs this program fills per submit at most */
#define CQ_MAP		4096	/* bytes of the CQ ring region mapped */
#define NR_LANES	4
#define VERDICT_PASS	1
#define VERDICT_FAIL	2

typedef __u64 seqno_t;

struct cq_geometry {
	__u32 entries;
	struct {
		__u32 head;
		__u32 tail;
		__u32 cqes;
	} off;
};

struct dwarf71_state {
	struct cq_geometry ring;	/* in: the CQ, from io_uring_params */
	__u32 want;			/* in: NOPs to run */
	union {				/* in: user_data tag, whole or halves */
		__u64 whole;
		__u32 half[2];
	} tag;
	seqno_t sent;			/* out */
	seqno_t reaped;			/* out */
	__u32 lanes[NR_LANES];		/* out: completions by seq % NR_LANES */
	__u32 bad;			/* out: CQEs out of order or failed */
	__u32 verdict;			/* out: 0 running, VERDICT_* */
	__u32 batches : 24;		/* out: submits, and how many NOPs */
	__u32 last_batch : 8;		/* the last one had (bitfields) */
};

SEC("struct_ops.s/dwarf71_step")
int BPF_PROG(dwarf71_step, struct io_ring_ctx *ring, struct iou_loop_params *lp)
{
	struct dwarf71_state *st = (void *)bpf_io_uring_get_region(ring, REGION_MEM,
								sizeof(*st));
	__u32 entries, off_head, off_tail, off_cqes, head, tail, i, n;
	struct io_uring_sqe *sqes;
	void *cq;

	if (!st)
		return 1;
	/* the geometry, read once: the checks below must hold for what is used */
	entries = *(volatile __u32 *)&st->ring.entries;
	off_head = *(volatile __u32 *)&st->ring.off.head;
	off_tail = *(volatile __u32 *)&st->ring.off.tail;
	off_cqes = *(volatile __u32 *)&st->ring.off.cqes;
	cq = bpf_io_uring_get_region(ring, REGION_CQ, CQ_MAP);
	sqes = (void *)bpf_io_uring_get_region(ring, REGION_SQ,
					SQ_SLOTS * sizeof(struct io_uring_sqe));
	if (!cq || !sqes || !entries || entries & (entries - 1) ||
	    off_head > CQ_MAP - 4 || off_tail > CQ_MAP - 4 ||
	    off_cqes + entries * sizeof(struct io_uring_cqe) > CQ_MAP) {
		st->verdict = VERDICT_FAIL;
		return 1;
	}
	head = *(__u32 *)(cq + off_head);
	tail = *(volatile __u32 *)(cq + off_tail);
	for (i = 0; i < SQ_SLOTS && head != tail; i++, head++) {
		__u32 at = off_cqes + (head & (entries - 1)) *
			   sizeof(struct io_uring_cqe);
		struct io_uring_cqe *cqe;
		__u64 expect = (__u64)st->tag.half[1] << 32 | (__u32)st->reaped;

		if (at > CQ_MAP - sizeof(*cqe))
			break;
		cqe = cq + at;
		if (cqe->res || cqe->user_data != expect)
			st->bad++;
		st->lanes[st->reaped % NR_LANES]++;
		st->reaped++;
	}
	*(__u32 *)(cq + off_head) = head;

	if (st->reaped >= st->want) {
		st->verdict = st->bad || st->reaped != st->sent ? VERDICT_FAIL :
								  VERDICT_PASS;
		return 1;
	}
	n = st->want - st->sent;
	n = n > SQ_SLOTS ? SQ_SLOTS : n;
	if (st->sent == st->reaped && n) {	/* one batch in flight at a time */
		for (i = 0; i < SQ_SLOTS && i < n; i++) {
			struct io_uring_sqe *sqe = &sqes[i];

			__builtin_memset(sqe, 0, sizeof(*sqe));
			sqe->opcode = IORING_OP_NOP;
			sqe->user_data = (__u64)st->tag.half[1] << 32 |
					 (__u32)(st->sent + i);
		}
		if (bpf_io_uring_submit_sqes(ring, n) != (int)n) {
			st->verdict = VERDICT_FAIL;
			return 1;
		}
		st->sent += n;
		st->batches++;
		st->last_batch = n;
	}
	lp->cq_wait_idx = head + (__u32)(st->sent - st->reaped);
	return 0;
}

SEC(".struct_ops.link")
struct io_uring_bpf_ops dwarf71_ops = {
	.loop_step = (void *)dwarf71_step,
};
