// SPDX-License-Identifier: GPL-2.0
/* The NOP loop through the library (three queue depths) and the CLI. */
#include "selftest.h"

VARIANT(nops) {
	unsigned int qd;
};

VARIANT_ADD_TIMEOUT(nops, qd1, "100000 NOPs, qd 1, through libiouops", 60) { .qd = 1 };
VARIANT_ADD(nops, qd8, "100000 NOPs, qd 8, through libiouops") { .qd = 8 };
VARIANT_ADD(nops, qd64, "100000 NOPs, qd 64, through libiouops") { .qd = 64 };

TEST_VARIANTS(nops)
{
	const uint64_t total = 100000;
	volatile struct iou_ctl *ctl;
	struct iou_prog *p;
	char total_s[32], qd_s[16];

	ST_REQUIRE_FEATURE();
	snprintf(total_s, sizeof(total_s), "%" PRIu64, total);
	snprintf(qd_s, sizeof(qd_s), "%u", variant->qd);
	ASSERT_OK(st_open_prog(&p, NULL, "progs/nops.bpf.o",
			       "total", total_s, "qd", qd_s, NULL));
	ASSERT_OK(iou_prog_load(p));
	ASSERT_OK(iou_prog_attach(p));
	ASSERT_OK(iou_prog_run(p));

	ctl = iou_prog_ctl(p);
	ASSERT_TRUE(ctl != NULL);
	st_diag_ctl(ctl);
	ASSERT_EQ(IOU_EXIT_DONE, ctl->exit.kind);
	ASSERT_EQ(0, ctl->exit.code);
	ASSERT_EQ_U64(total, st_counter_or_max(ctl, "submitted"));
	ASSERT_EQ_U64(total, st_counter_or_max(ctl, "completed"));
	ASSERT_EQ_U64(total, st_counter_or_max(ctl, "checked"));
	ASSERT_LT(0, ctl->steps);
	/* qd NOPs in flight at most: at least total/qd steps */
	ASSERT_LE(total / variant->qd, ctl->steps);
	iou_prog_close(p);
	return KSFT_PASS;
}

TEST_TIMEOUT(nops_cli, "`iouops load nops` runs 1000000 NOPs at qd 64", 180)
{
	struct st_cmd c;

	ST_REQUIRE_FEATURE();
	ASSERT_EQ(IOUOPS_EXIT_OK,
		  st_run_cli(&c, NULL, NULL, "load", "nops",
			     "--set", "total=1000000", "--set", "qd=64",
			     NULL));
	ASSERT_TRUE(st_cmd_has(&c, "completed=1000000"));
	ASSERT_TRUE(st_cmd_has(&c, "checked=1000000"));
	ASSERT_TRUE(st_cmd_has(&c, "done"));
	return KSFT_PASS;
}
