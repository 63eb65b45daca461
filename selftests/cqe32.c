// SPDX-License-Identifier: GPL-2.0
/*
 * 32-byte CQEs: nops on a --cqe32 ring (the iterator strides 32 bytes),
 * and NOPs whose CQEs carry data in their second half (cqe32.bpf.c,
 * which asks for CQE32 through iou_res).
 */
#include "selftest.h"

TEST_TIMEOUT(cqe32_nops_cli, "`iouops load nops --cqe32`: every CQE checked", 120)
{
	struct st_cmd c;

	ST_REQUIRE_FEATURE();
	ASSERT_EQ(IOUOPS_EXIT_OK,
		  st_run_cli(&c, NULL, NULL, "load", "nops", "--cqe32",
			     "--set", "total=200000", "--set", "qd=64", NULL));
	ASSERT_TRUE(st_cmd_has(&c, "completed=200000"));
	ASSERT_TRUE(st_cmd_has(&c, "checked=200000"));
	return KSFT_PASS;
}

TEST(cqe32_nops_lib, "nops on a CQE32 ring (iou_opts.cqe32): a ring of 8 wraps")
{
	struct iou_opts o = { .cqe32 = true, .sq_entries = 8, .sq_rewind = -1 };
	volatile struct iou_ctl *ctl;
	struct iou_prog *p;

	ST_REQUIRE_FEATURE();
	ASSERT_OK(st_open_prog(&p, &o, "progs/nops.bpf.o",
			       "total", "50000", "qd", "8", NULL));
	ASSERT_OK(iou_prog_load(p));
	ASSERT_OK(iou_prog_attach(p));
	ASSERT_OK(iou_prog_run(p));
	ctl = iou_prog_ctl(p);
	st_diag_ctl(ctl);
	ASSERT_EQ(IOU_EXIT_DONE, ctl->exit.kind);
	ASSERT_EQ_U64(50000, st_counter_or_max(ctl, "checked"));
	iou_prog_close(p);
	return KSFT_PASS;
}

TEST(cqe32_extra, "NOP_CQE32: both extra words of every 32-byte CQE checked")
{
	volatile struct iou_ctl *ctl;
	struct iou_prog *p;

	ST_REQUIRE_FEATURE();
	ASSERT_OK(st_open_prog(&p, NULL, "selftests/cqe32.bpf.o",
			       "total", "20000", NULL));
	ASSERT_OK(iou_prog_load(p));
	ASSERT_OK(iou_prog_attach(p));
	ASSERT_OK(iou_prog_run(p));
	ctl = iou_prog_ctl(p);
	st_diag_ctl(ctl);
	ASSERT_EQ(IOU_EXIT_DONE, ctl->exit.kind);
	ASSERT_EQ_U64(20000, st_counter_or_max(ctl, "completed"));
	ASSERT_EQ_U64(20000, st_counter_or_max(ctl, "checked"));
	iou_prog_close(p);
	return KSFT_PASS;
}
