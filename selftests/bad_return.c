// SPDX-License-Identifier: GPL-2.0
/* loop_step returning neither CONTINUE nor STOP ends the loop with EINVAL. */
#include "selftest.h"

/* exactly one step ran, and it recorded no exit */
static int one_step_no_exit(struct iou_prog *p)
{
	volatile struct iou_ctl *ctl = iou_prog_ctl(p);

	st_diag_ctl(ctl);
	ASSERT_EQ(1, ctl->steps);
	ASSERT_EQ(IOU_EXIT_NONE, ctl->exit.kind);
	return KSFT_PASS;
}

static const struct st_failure bad_return = {
	.obj = "selftests/bad_return.bpf.o",
	.err = -EINVAL, .stage = IOU_STAGE_RUN, .status = IOUOPS_EXIT_RUN,
	.says = { "EINVAL", "invalid" },
	.check_lib = one_step_no_exit,
};

VARIANT(bad_return) {
	enum st_via via;
};

VARIANT_ADD(bad_return, lib, "loop_step returns 7: iou_prog_run() gives -EINVAL after one step, no exit recorded")
{ ST_VIA_LIB };
VARIANT_ADD(bad_return, cli, "`iouops load bad_return` exits RUN, says EINVAL")
{ ST_VIA_CLI };

TEST_VARIANTS(bad_return)
{
	ST_REQUIRE_FEATURE();
	return st_check_failure(&bad_return, variant->via);
}
