// SPDX-License-Identifier: GPL-2.0
/* The kernel refuses a loop program on a ring without DEFER_TASKRUN. */
#include "selftest.h"

TEST(no_defer_taskrun, "attach to a ring without DEFER_TASKRUN: -EOPNOTSUPP")
{
	struct iou_opts opts;
	struct iou_prog *p;

	ST_REQUIRE_FEATURE();
	st_opts(&opts);
	opts.no_defer_taskrun = true;
	ASSERT_OK(st_open_prog(&p, &opts, "progs/nops.bpf.o",
			       "total", "1000", NULL));
	ASSERT_OK(iou_prog_load(p));
	ASSERT_EQ(-EOPNOTSUPP, iou_prog_attach(p));
	ASSERT_EQ(IOU_STAGE_ATTACH, iou_prog_error_stage(p));
	iou_prog_close(p);
	return KSFT_PASS;
}

TEST(no_defer_taskrun_cli, "`iouops load --no-defer-taskrun` exits ATTACH")
{
	struct st_cmd c;

	ST_REQUIRE_FEATURE();
	ASSERT_EQ(IOUOPS_EXIT_ATTACH,
		  st_run_cli(&c, NULL, NULL, "load",
			     st_build_path("progs/nops.bpf.o"),
			     "--set", "total=1000", "--no-defer-taskrun",
			     NULL));
	ASSERT_TRUE(st_cmd_has(&c, "DEFER_TASKRUN"));
	return KSFT_PASS;
}
