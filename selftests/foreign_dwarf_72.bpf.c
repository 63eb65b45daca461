// SPDX-License-Identifier: GPL-2.0
/*
 * foreign_dwarf_72: rounds of NOPs written the way test programs posted
 * with kernel patches are for the 7.2+ ABI: vmlinux.h (the kernel's own
 * `struct iou_ctx *` kfuncs) and libbpf's headers, no iouops header, no
 * globals. Its state, dwarf72_state_t at offset 0 of the registered
 * region, is reached only through a local pointer, so only the DWARF of
 * -g describes it (the object's BTF has neither the typedef nor the
 * struct).
 *
 * Each round submits `width` NOPs tagged round << 32 | slot and waits
 * for all of them; a slot seen twice counts in tally.dups, a CQE of no
 * slot of the round (or failed) in tally.strays. After rounds_wanted
 * rounds the program judges itself: verdict = 1 (pass) with no dup and
 * no stray, else 2.
 * With iouops:
 *	iouops load foreign_dwarf_72.bpf.o --shm-type dwarf72_state_t \
 *	  --set shm.geom.cq_entries=@cq_entries \
 *	  --set shm.geom.cq_off[0]=@cq_off.head \
 *	  --set shm.geom.cq_off[1]=@cq_off.tail \
 *	  --set shm.geom.cq_off[2]=@cq_off.cqes \
 *	  --set shm.rounds_wanted=100 --set shm.width=24 \
 *	  --expect shm.verdict=1 --expect shm.tally.cqes=2400
 */
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wmicrosoft-anon-tag"
#include "vmlinux.h"
#pragma clang diagnostic pop
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define CQ_BYTES	4096	/* of the CQ ring region mapped */
#define MAX_WIDTH	64	/* NOPs per round: one bit each in seen */
#define FIRST_ROUNDS	8	/* rounds whose CQEs are counted one by one */

typedef struct {
	__u64 cqes;
	__u32 dups;		/* a slot of the round seen twice */
	__u32 strays;		/* a CQE of no slot of the round, or failed */
} dwarf72_tally_t;

struct dwarf72_round {
	__u32 number;
	__u32 pending;		/* NOPs of the round not completed yet */
	__u64 seen;		/* slots completed, a bit each */
};

typedef struct dwarf72_state {
	struct {
		__u32 cq_entries;
		__u32 cq_off[3];	/* head, tail, cqes */
	} geom;				/* in: the CQ, from io_uring_params */
	__u32 rounds_wanted;		/* in */
	__u32 width;			/* in: NOPs per round, 1..64 */
	union {				/* in: tag of the first round, */
		__u64 first_round;	/* whole or in halves */
		__u32 first_round_half[2];
	};
	struct dwarf72_round cur;	/* out */
	dwarf72_tally_t tally;		/* out */
	__u32 round_cqes[FIRST_ROUNDS];	/* out: CQEs of each first round */
	__u32 rounds_done;		/* out */
	__u32 verdict;			/* out: 0 running, 1 pass, 2 fail */
	__u8 started : 1;		/* out (bitfields) */
	__u8 failed_setup : 1;
} dwarf72_state_t;

static __always_inline int stop(dwarf72_state_t *st, __u32 verdict)
{
	st->verdict = verdict;
	return IOU_LOOP_STOP;
}

SEC("struct_ops.s/dwarf72_step")
int BPF_PROG(dwarf72_step, struct iou_ctx *ring, struct iou_loop_params *lp)
{
	dwarf72_state_t *st = (void *)bpf_io_uring_get_region(ring, IOU_REGION_MEM,
							      sizeof(*st));
	__u32 mask, off_head, off_tail, off_cqes, width, head, tail, i;
	struct io_uring_sqe *sqes;
	__u64 full;
	void *cq;

	if (!st)
		return IOU_LOOP_STOP;
	if (!st->started) {
		st->started = 1;
		st->cur.number = (__u32)st->first_round;
	}
	/* read once: what is checked is what is used */
	mask = *(volatile __u32 *)&st->geom.cq_entries - 1;
	off_head = *(volatile __u32 *)&st->geom.cq_off[0];
	off_tail = *(volatile __u32 *)&st->geom.cq_off[1];
	off_cqes = *(volatile __u32 *)&st->geom.cq_off[2];
	width = *(volatile __u32 *)&st->width;
	cq = bpf_io_uring_get_region(ring, IOU_REGION_CQ, CQ_BYTES);
	sqes = (void *)bpf_io_uring_get_region(ring, IOU_REGION_SQ,
					MAX_WIDTH * sizeof(struct io_uring_sqe));
	if (!cq || !sqes || mask >= 4096 || mask & (mask + 1) ||
	    off_head > CQ_BYTES - 4 || off_tail > CQ_BYTES - 4 ||
	    !width || width > MAX_WIDTH) {
		st->failed_setup = 1;
		return stop(st, 2);
	}
	full = width == 64 ? ~0ULL : (1ULL << width) - 1;

	head = *(__u32 *)(cq + off_head);
	tail = *(volatile __u32 *)(cq + off_tail);
	for (i = 0; i < MAX_WIDTH && head != tail; i++, head++) {
		__u64 at = off_cqes + (__u64)(head & mask) * sizeof(struct io_uring_cqe);
		struct io_uring_cqe *cqe;
		__u32 slot;

		if (at > CQ_BYTES - sizeof(*cqe))
			break;
		cqe = cq + at;
		slot = (__u32)cqe->user_data;
		st->tally.cqes++;
		if (cqe->res || cqe->user_data >> 32 != st->cur.number ||
		    slot >= width)
			st->tally.strays++;
		else if (st->cur.seen & 1ULL << (slot & 63))
			st->tally.dups++;
		else
			st->cur.seen |= 1ULL << (slot & 63);
		if (st->cur.pending)
			st->cur.pending--;
		if (st->rounds_done < FIRST_ROUNDS)
			st->round_cqes[st->rounds_done & (FIRST_ROUNDS - 1)]++;
	}
	*(__u32 *)(cq + off_head) = head;
	if (st->tally.strays || st->tally.dups)
		return stop(st, 2);

	if (st->cur.seen == full && !st->cur.pending) {
		st->rounds_done++;
		st->cur.number++;
		st->cur.seen = 0;
	}
	if (st->rounds_done >= st->rounds_wanted)
		return stop(st, 1);
	if (!st->cur.pending && !st->cur.seen) {	/* the next round */
		for (i = 0; i < MAX_WIDTH && i < width; i++) {
			struct io_uring_sqe *sqe = &sqes[i];

			__builtin_memset(sqe, 0, sizeof(*sqe));
			sqe->opcode = IORING_OP_NOP;
			sqe->user_data = (__u64)st->cur.number << 32 | (width - 1 - i);
		}
		if (bpf_io_uring_submit_sqes(ring, width) != (int)width)
			return stop(st, 2);
		st->cur.pending = width;
	}
	lp->cq_wait_idx = head + st->cur.pending;
	return IOU_LOOP_CONTINUE;
}

SEC(".struct_ops.link")
struct io_uring_bpf_ops dwarf72_ops = {
	.loop_step = (void *)dwarf72_step,
};
