#include "iouops.bpf.h"

char LICENSE[] SEC("license") = "GPL";

const volatile __u64 total = 1000;	/* iouops load ... --set total=N */
__u64 done;

IOU_LOOP(count_step)			/* args: ring, lp */
{
	struct io_uring_cqe *cqe;
	struct io_uring_sqe *sqe;
	struct iou_ring r;

	if (iou_ring_open(&r, ring))	/* SQ, CQ, shared control block */
		return IOU_LOOP_STOP;
	iou_for_each_cqe(&r, cqe) {	/* completions, oldest first */
		if (cqe->res < 0)
			return iou_exit_error(r.ctl, cqe->res, "NOP failed");
		done++;
	}
	if (done >= total)
		return iou_exit_done(r.ctl, "%llu NOPs", done);
	if (iou_stop_requested(&r))	/* Ctrl-C in iouops */
		return iou_exit_stopped(r.ctl, "stopped at %llu", done);
	sqe = iou_get_sqe(&r);
	if (sqe)
		iou_prep_nop(sqe, done);
	iou_submit(&r);
	return iou_step_wait(&r, lp, 1);	/* sleep until 1 more CQE */
}

IOU_OPS(count_ops, count_step);
