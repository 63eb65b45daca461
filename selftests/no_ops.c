// SPDX-License-Identifier: GPL-2.0
/* A BPF object with no io_uring_bpf_ops map is refused before any load. */
#include "selftest.h"

IOU_TEST(no_ops, "object without io_uring_bpf_ops: iou_prog_open() -ESRCH")
{
	struct iou_opts opts;
	struct iou_prog *p = NULL;

	iou_test_opts(&opts);
	ASSERT_EQ(iou_prog_open(iou_build_path("selftests/no_ops.bpf.o"),
				&opts, &p), -ESRCH);
	ASSERT_TRUE(p == NULL);
	return KSFT_PASS;
}

IOU_TEST(no_ops_cli, "`iouops load no_ops.bpf.o` exits NOOPS, one line")
{
	struct iou_cmd c;

	ASSERT_EQ(iou_run_cli(&c, NULL, NULL, "load",
			      iou_build_path("selftests/no_ops.bpf.o"), NULL),
		  IOUOPS_EXIT_NOOPS);
	ASSERT_ONE_LINE_ERROR(&c);
	return KSFT_PASS;
}
