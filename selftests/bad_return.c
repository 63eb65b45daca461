// SPDX-License-Identifier: GPL-2.0
/* loop_step returning neither CONTINUE nor STOP ends the loop with EINVAL. */
#include "selftest.h"

TEST(bad_return, "loop_step returns 7: iou_prog_run() gives -EINVAL")
{
	volatile struct iou_ctl *ctl;
	struct iou_prog *p;

	ST_REQUIRE_FEATURE();
	ASSERT_OK(st_open_prog(&p, NULL, "selftests/bad_return.bpf.o", NULL));
	ASSERT_OK(iou_prog_load(p));
	ASSERT_OK(iou_prog_attach(p));
	ASSERT_EQ(-EINVAL, iou_prog_run(p));
	ctl = iou_prog_ctl(p);
	st_diag_ctl(ctl);
	/* exactly one step ran, and it recorded no exit */
	ASSERT_EQ(1, ctl->steps);
	ASSERT_EQ(IOU_EXIT_NONE, ctl->exit.kind);
	ASSERT_EQ(IOU_STAGE_RUN, iou_prog_error_stage(p));
	iou_prog_close(p);
	return KSFT_PASS;
}

TEST(bad_return_cli, "`iouops load bad_return` exits RUN, says EINVAL")
{
	struct st_cmd c;

	ST_REQUIRE_FEATURE();
	ASSERT_EQ(IOUOPS_EXIT_RUN,
		  st_run_cli(&c, NULL, NULL, "load",
			     st_build_path("selftests/bad_return.bpf.o"),
			     NULL));
	ASSERT_TRUE(st_cmd_has(&c, "EINVAL") ||
		    strcasestr(c.out, "invalid") || strcasestr(c.err, "invalid"));
	return KSFT_PASS;
}
