// SPDX-License-Identifier: GPL-2.0
/* loop_step returning neither CONTINUE nor STOP ends the loop with EINVAL. */
#include "selftest.h"

IOU_TEST(bad_return, "loop_step returns 7: iou_prog_run() gives -EINVAL")
{
	volatile struct iou_ctl *ctl;
	struct iou_prog *p;

	IOU_REQUIRE_FEATURE();
	ASSERT_OK(iou_open_prog(&p, NULL, "selftests/bad_return.bpf.o", NULL));
	ASSERT_OK(iou_prog_load(p));
	ASSERT_OK(iou_prog_attach(p));
	ASSERT_EQ(iou_prog_run(p), -EINVAL);
	ctl = iou_prog_ctl(p);
	iou_diag_ctl(ctl);
	/* exactly one step ran, and it recorded no exit */
	ASSERT_EQ(ctl->steps, 1);
	ASSERT_EQ(ctl->exit.kind, IOU_EXIT_NONE);
	ASSERT_EQ(iou_prog_error_stage(p), IOU_STAGE_RUN);
	iou_prog_close(p);
	return KSFT_PASS;
}

IOU_TEST(bad_return_cli, "`iouops load bad_return` exits RUN, says EINVAL")
{
	struct iou_cmd c;

	IOU_REQUIRE_FEATURE();
	ASSERT_EQ(iou_run_cli(&c, NULL, NULL, "load",
			      iou_build_path("selftests/bad_return.bpf.o"),
			      NULL), IOUOPS_EXIT_RUN);
	ASSERT_TRUE(iou_cmd_has(&c, "EINVAL") ||
		    strcasestr(c.out, "invalid") || strcasestr(c.err, "invalid"));
	return KSFT_PASS;
}
