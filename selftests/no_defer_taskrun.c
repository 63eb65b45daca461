// SPDX-License-Identifier: GPL-2.0
/* The kernel refuses a loop program on a ring without DEFER_TASKRUN. */
#include "selftest.h"

IOU_TEST(no_defer_taskrun, "attach to a ring without DEFER_TASKRUN: -EOPNOTSUPP")
{
	struct iou_opts opts;
	struct iou_prog *p;

	IOU_REQUIRE_FEATURE();
	iou_test_opts(&opts);
	opts.no_defer_taskrun = true;
	ASSERT_OK(iou_open_prog(&p, &opts, "progs/nops.bpf.o",
				"total", "1000", NULL));
	ASSERT_OK(iou_prog_load(p));
	ASSERT_EQ(iou_prog_attach(p), -EOPNOTSUPP);
	ASSERT_EQ(iou_prog_error_stage(p), IOU_STAGE_ATTACH);
	iou_prog_close(p);
	return KSFT_PASS;
}

IOU_TEST(no_defer_taskrun_cli, "`iouops load --no-defer-taskrun` exits ATTACH")
{
	struct iou_cmd c;

	IOU_REQUIRE_FEATURE();
	ASSERT_EQ(iou_run_cli(&c, NULL, NULL, "load",
			      iou_build_path("progs/nops.bpf.o"),
			      "--set", "total=1000", "--no-defer-taskrun",
			      NULL), IOUOPS_EXIT_ATTACH);
	ASSERT_TRUE(iou_cmd_has(&c, "DEFER_TASKRUN"));
	return KSFT_PASS;
}
