// SPDX-License-Identifier: GPL-2.0
/*
 * nops: run `total` NOPs keeping `qd` of them in flight, all from inside
 * one io_uring_enter(). Every CQE is checked: it must carry the tag and
 * the sequence number of the next NOP in submission order (NOPs complete
 * in order), and res 0. Counts go to the shared control block.
 *
 *	iouops load nops --set total=1000000 --set qd=64
 *
 * The optimised example, the one make bench measures: CQEs read in a
 * plain batch loop, state in locals, counters written once per step, SQEs
 * claimed and filled as one batch. To start, read hello.bpf.c (the
 * README's first program, what `iouops new` writes): the same loop, one
 * NOP at a time, with nothing but the helpers.
 */
#include "iouops.bpf.h"

char LICENSE[] SEC("license") = "GPL";

const volatile __u64 total = 1000000;	/* NOPs to run */
const volatile __u32 qd = 8;		/* NOPs kept in flight */

/* user_data: "nop" in the top 24 bits, the sequence number below */
#define NOP_TAG		(0x6e6f70ULL << 40)
#define NOP_TAG_MASK	(0xffffffULL << 40)
#define NOP_SEQ_MASK	((1ULL << 40) - 1)

enum { C_SUBMITTED, C_COMPLETED, C_CHECKED, NR_COUNTERS };
static const char counter_names[NR_COUNTERS][IOU_COUNTER_NAME_LEN] = {
	"submitted", "completed", "checked",
};

__u64 submitted;
__u64 completed;

IOU_LOOP(nops_step)
{
	struct io_uring_cqe *cqe;
	struct iou_ring r;
	__u64 inflight, want, expect, seq;
	struct iou_sq_batch b;
	__u32 n;
	int i, ret;

	if (iou_ring_open(&r, ring))
		return IOU_LOOP_STOP;
	iou_counters_init(&r, counter_names, NR_COUNTERS);

	if (!qd || qd > iou_layout.sq_entries || qd > iou_layout.cq_entries)
		return iou_exit_error(r.ctl, -EINVAL,
				      "qd %u must be 1..%u (the ring size)",
				      qd, iou_layout.sq_entries);
	if (total > NOP_SEQ_MASK)	/* sequence numbers never carry into the tag */
		return iou_exit_error(r.ctl, -EINVAL, "total %llu is over %llu",
				      total, NOP_SEQ_MASK);

	/* The expected user_data lives in a local, and the counters are
	 * written once per step: a global or shared-memory write per CQE
	 * costs more than the check itself. iou_for_each_cqe_batch: a plain
	 * loop, no iterator call, so the CQ base, head and mask stay in
	 * registers (the profile put a third of a QD64 NOP's time in this
	 * program). */
	expect = NOP_TAG | completed;
	n = 0;
	iou_for_each_cqe_batch(&r, cqe) {
		if (cqe->user_data != expect + n || cqe->res != 0)
			return iou_exit_error(r.ctl, -EPROTO,
				"bad CQE: user_data %llx res %d, expected %llx",
				cqe->user_data, cqe->res, expect + n);
		n++;
	}
	completed += n;
	iou_count(&r, C_CHECKED, n);
	iou_cq_commit(&r);	/* what the loop visited */
	WRITE_ONCE(r.ctl->counters[C_COMPLETED].value, completed);

	inflight = submitted - completed;
	if (completed >= total)
		return iou_exit_done(r.ctl, "%llu NOPs completed, every CQE checked",
				     completed);
	if (iou_stop_requested(&r)) {
		if (!inflight)
			return iou_exit_stopped(r.ctl, "stopped after %llu of %llu NOPs",
						completed, total);
		return iou_step_wait(&r, lp, 1);
	}

	want = qd - inflight;
	if (want > total - submitted)
		want = total - submitted;
	if (want > iou_sq_space(&r))
		want = iou_sq_space(&r);
	/* one claim for the batch, the ring geometry read once;
	 * user_data = tag | sequence number */
	b = iou_sq_batch(&r, want);
	seq = NOP_TAG | submitted;
	for (i = 0; i < (int)want && i < IOU_SQ_BATCH; i++)
		iou_prep_nop(iou_batch_sqe(&b, i), seq + i);
	submitted += want;
	ret = iou_submit(&r);
	if (ret < 0 || (__u64)ret != want)
		return iou_exit_error(r.ctl, ret < 0 ? ret : -EIO,
				      "submitted %d of %llu NOPs", ret, want);
	WRITE_ONCE(r.ctl->counters[C_SUBMITTED].value, submitted);

	/* NOPs complete inline: their CQEs are usually there already, and
	 * waiting for one more makes the kernel skip the sleep then. */
	return iou_step_wait(&r, lp, 1);
}

IOU_OPS(nops_ops, nops_step);
