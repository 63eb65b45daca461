// SPDX-License-Identifier: GPL-2.0
/*
 * One ring, one program: a second program loaded for the same ring cannot
 * attach while the first is attached (-EBUSY), the first still runs to
 * completion, and once it is detached the second one attaches.
 */
#include "selftest.h"

IOU_TEST(ebusy, "second program on an occupied ring: -EBUSY, first unharmed")
{
	volatile struct iou_ctl *ctl;
	struct iou_prog *a, *b;

	IOU_REQUIRE_FEATURE();
	ASSERT_OK(iou_open_prog(&a, NULL, "progs/nops.bpf.o",
				"total", "100000", "qd", "8", NULL));
	ASSERT_OK(iou_prog_load(a));
	ASSERT_OK(iou_prog_attach(a));

	ASSERT_OK(iou_open_prog(&b, NULL, "progs/nops.bpf.o",
				"total", "1000", NULL));
	ASSERT_OK(iou_prog_load_on_ring_of(b, a));
	ASSERT_EQ(iou_prog_ring_fd(b), iou_prog_ring_fd(a));
	ASSERT_EQ(iou_prog_attach(b), -EBUSY);

	iou_watch_prog(a);
	ASSERT_OK(iou_prog_run(a));
	ctl = iou_prog_ctl(a);
	iou_diag_ctl(ctl);
	ASSERT_EQ(ctl->exit.kind, IOU_EXIT_DONE);
	ASSERT_EQ_U64(iou_counter_or_max(ctl, "completed"), 100000);
	ASSERT_EQ_U64(iou_counter_or_max(ctl, "checked"), 100000);

	/* The ring is free again once A's link is gone. */
	ASSERT_OK(iou_prog_detach(a));
	iou_watch_prog(b);
	ASSERT_OK(iou_prog_attach(b));
	iou_prog_close(b);
	iou_prog_close(a);
	return KSFT_PASS;
}
