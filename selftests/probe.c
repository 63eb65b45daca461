// SPDX-License-Identifier: GPL-2.0
/* The kernel has io_uring BPF ops, per the library and per `iouops probe`. */
#include "selftest.h"

TEST(probe, "iou_probe_kernel() and `iouops probe` find io_uring BPF ops")
{
	struct st_cmd c;
	char why[256] = "";
	int err;

	err = iou_probe_kernel(why, sizeof(why));
	if (err)
		return st_skip("%s", why[0] ? why : "iou_probe_kernel failed");

	ASSERT_EQ(IOUOPS_EXIT_OK, st_run_cli(&c, NULL, NULL, "probe", NULL));
	/* the CLI and the library agree on IORING_TIMEOUT_IMMEDIATE_ARG */
	ASSERT_TRUE(st_cmd_has(&c, iou_kernel_has_timeout_imm() ?
			       "timeouts in the SQE: yes" :
			       "timeouts in the SQE: no"));
	return KSFT_PASS;
}
