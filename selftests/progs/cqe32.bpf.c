// SPDX-License-Identifier: GPL-2.0
/*
 * cqe32: NOPs with IORING_NOP_CQE32 on a ring with 32-byte CQEs. Each
 * NOP asks the kernel to put sqe->off and sqe->addr into the CQE's second
 * half (big_cqe[0], big_cqe[1]); every CQE is checked, in order, through
 * iou_for_each_cqe() and iou_cqe32_extra(). The program declares that it
 * needs 32-byte CQEs in iou_res, so no --cqe32 is needed.
 */
#include "iouops.bpf.h"

char LICENSE[] SEC("license") = "GPL";

const volatile struct iou_res iou_res = { .cqe32 = 1 };
const volatile __u64 total = 10000;
const volatile __u32 qd = 16;

#define IORING_NOP_CQE32	(1U << 5)
#define EXTRA1(seq)	((seq) * 0x9e3779b97f4a7c15ULL)
#define EXTRA2(seq)	(~(seq))

enum { C_COMPLETED, C_CHECKED, NR_COUNTERS };
static const char counter_names[NR_COUNTERS][IOU_COUNTER_NAME_LEN] = {
	"completed", "checked",
};

__u64 submitted, completed;

IOU_LOOP(cqe32_step)
{
	struct io_uring_cqe *cqe;
	struct io_uring_sqe *sqe;
	struct iou_ring r;
	__u64 want, *extra;
	__u32 first;
	int i, ret;

	if (iou_ring_open(&r, ring))
		return IOU_LOOP_STOP;
	iou_counters_init(&r, counter_names, NR_COUNTERS);
	if (!iou_cqe32())
		return iou_exit_error(r.ctl, -EINVAL,
				      "ring has 16-byte CQEs (cqe_shift %u)",
				      iou_layout.cqe_shift);
	if (!qd || qd > iou_layout.sq_entries || qd > iou_layout.cq_entries)
		return iou_exit_error(r.ctl, -EINVAL, "bad qd %u", qd);

	iou_for_each_cqe(&r, cqe) {
		extra = iou_cqe32_extra(cqe);
		if (!extra || cqe->user_data != completed || cqe->res != 0 ||
		    extra[0] != EXTRA1(completed) || extra[1] != EXTRA2(completed))
			return iou_exit_error(r.ctl, -EPROTO,
				"CQE %llu: user_data %llu res %d extra %llx %llx",
				completed, cqe->user_data, cqe->res,
				extra ? extra[0] : 0, extra ? extra[1] : 0);
		completed++;
		iou_count(&r, C_CHECKED, 1);
	}
	iou_cq_commit(&r);
	WRITE_ONCE(r.ctl->counters[C_COMPLETED].value, completed);
	if (completed >= total)
		return iou_exit_done(r.ctl, "%llu NOPs with 32-byte CQEs checked",
				     completed);

	want = qd - (submitted - completed);
	if (want > total - submitted)
		want = total - submitted;
	if (want > iou_sq_space(&r))
		want = iou_sq_space(&r);
	first = iou_sq_claim(&r, want);
	iou_for_n(i, (int)want) {
		sqe = iou_sqe(&r, first + i);
		iou_prep_nop(sqe, submitted + i);
		sqe->nop_flags = IORING_NOP_CQE32;
		sqe->off = EXTRA1(submitted + i);
		sqe->addr = EXTRA2(submitted + i);
	}
	submitted += want;
	ret = iou_submit(&r);
	if (ret < 0 || (__u64)ret != want)
		return iou_exit_error(r.ctl, ret < 0 ? ret : -EIO,
				      "submitted %d of %llu", ret, want);
	return iou_step_wait(&r, lp, 1);
}

IOU_OPS(cqe32_ops, cqe32_step);
