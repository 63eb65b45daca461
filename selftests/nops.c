// SPDX-License-Identifier: GPL-2.0
/* The NOP loop through the library (three queue depths) and the CLI. */
#include "selftest.h"

static int run_nops(unsigned qd)
{
	const uint64_t total = 100000;
	volatile struct iou_ctl *ctl;
	struct iou_prog *p;
	char total_s[32], qd_s[16];

	IOU_REQUIRE_FEATURE();
	snprintf(total_s, sizeof(total_s), "%" PRIu64, total);
	snprintf(qd_s, sizeof(qd_s), "%u", qd);
	ASSERT_OK(iou_open_prog(&p, NULL, "progs/nops.bpf.o",
				"total", total_s, "qd", qd_s, NULL));
	ASSERT_OK(iou_prog_load(p));
	ASSERT_OK(iou_prog_attach(p));
	ASSERT_OK(iou_prog_run(p));

	ctl = iou_prog_ctl(p);
	ASSERT_TRUE(ctl != NULL);
	iou_diag_ctl(ctl);
	ASSERT_EQ(ctl->exit.kind, IOU_EXIT_DONE);
	ASSERT_EQ(ctl->exit.code, 0);
	ASSERT_EQ_U64(iou_counter_or_max(ctl, "submitted"), total);
	ASSERT_EQ_U64(iou_counter_or_max(ctl, "completed"), total);
	ASSERT_EQ_U64(iou_counter_or_max(ctl, "checked"), total);
	ASSERT_GT(ctl->steps, 0);
	/* qd NOPs in flight at most: at least total/qd steps */
	ASSERT_GE(ctl->steps, total / qd);
	iou_prog_close(p);
	return KSFT_PASS;
}

IOU_TEST_TIMEOUT(nops_qd1, "100000 NOPs, qd 1, through libiouops", 60)
{
	return run_nops(1);
}

IOU_TEST(nops_qd8, "100000 NOPs, qd 8, through libiouops")
{
	return run_nops(8);
}

IOU_TEST(nops_qd64, "100000 NOPs, qd 64, through libiouops")
{
	return run_nops(64);
}

IOU_TEST_TIMEOUT(nops_cli, "`iouops load nops` runs 1000000 NOPs at qd 64", 180)
{
	struct iou_cmd c;

	IOU_REQUIRE_FEATURE();
	ASSERT_EQ(iou_run_cli(&c, NULL, NULL, "load", "nops",
			      "--set", "total=1000000", "--set", "qd=64",
			      NULL), IOUOPS_EXIT_OK);
	ASSERT_TRUE(iou_cmd_has(&c, "completed=1000000"));
	ASSERT_TRUE(iou_cmd_has(&c, "checked=1000000"));
	ASSERT_TRUE(iou_cmd_has(&c, "done"));
	return KSFT_PASS;
}
