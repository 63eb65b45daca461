// SPDX-License-Identifier: GPL-2.0
/* A BPF object with no io_uring_bpf_ops map is refused before any load. */
#include "selftest.h"

TEST(no_ops, "object without io_uring_bpf_ops: iou_prog_open() -ESRCH")
{
	struct iou_opts opts;
	struct iou_prog *p = NULL;

	st_opts(&opts);
	ASSERT_EQ(-ESRCH,
		  iou_prog_open(st_build_path("selftests/no_ops.bpf.o"),
				&opts, &p));
	ASSERT_TRUE(p == NULL);
	return KSFT_PASS;
}

TEST(no_ops_cli, "`iouops load no_ops.bpf.o` exits NOOPS, one line")
{
	struct st_cmd c;

	ASSERT_CLI_ERROR(&c, IOUOPS_EXIT_NOOPS, NULL,
			 "load", st_build_path("selftests/no_ops.bpf.o"));
	return KSFT_PASS;
}
