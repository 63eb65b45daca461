// SPDX-License-Identifier: GPL-2.0
/*
 * One ring, one program: a second program loaded for the same ring cannot
 * attach while the first is attached (-EBUSY), the first still runs to
 * completion, and once it is detached the second one attaches.
 */
#include "selftest.h"

TEST(ebusy, "second program on an occupied ring: -EBUSY, first unharmed")
{
	volatile struct iou_ctl *ctl;
	struct iou_prog *a, *b;

	ST_REQUIRE_FEATURE();
	ASSERT_OK(st_open_prog(&a, NULL, "progs/nops.bpf.o",
			       "total", "100000", "qd", "8", NULL));
	ASSERT_OK(iou_prog_load(a));
	ASSERT_OK(iou_prog_attach(a));

	ASSERT_OK(st_open_prog(&b, NULL, "progs/nops.bpf.o",
			       "total", "1000", NULL));
	ASSERT_OK(iou_prog_load_on_ring_of(b, a));
	ASSERT_EQ(iou_prog_ring_fd(a), iou_prog_ring_fd(b));
	ASSERT_EQ(-EBUSY, iou_prog_attach(b));

	st_watch_prog(a);
	ASSERT_OK(iou_prog_run(a));
	ctl = iou_prog_ctl(a);
	st_diag_ctl(ctl);
	ASSERT_EQ(IOU_EXIT_DONE, ctl->exit.kind);
	ASSERT_EQ_U64(100000, st_counter_or_max(ctl, "completed"));
	ASSERT_EQ_U64(100000, st_counter_or_max(ctl, "checked"));

	/* The ring is free again once A's link is gone. */
	ASSERT_OK(iou_prog_detach(a));
	st_watch_prog(b);
	ASSERT_OK(iou_prog_attach(b));
	iou_prog_close(b);
	iou_prog_close(a);
	return KSFT_PASS;
}
