// SPDX-License-Identifier: GPL-2.0
/* A program the verifier rejects: the load fails and shows why. */
#include "selftest.h"

static bool has_memory_error(const char *s)
{
	return s && (strstr(s, "invalid access to memory") ||
		     strstr(s, "unbounded memory access") ||
		     strstr(s, "outside of the allowed memory range"));
}

TEST(bad_verifier, "unbounded SQE index: load fails, verifier log kept")
{
	struct iou_opts opts;
	struct iou_prog *p;

	ST_REQUIRE_FEATURE();
	/* The log is expected here: keep it quiet unless an assertion
	 * fails (the watched program's log is shown then). */
	st_opts(&opts);
	opts.log = NULL;
	ASSERT_OK(st_open_prog(&p, &opts, "selftests/bad_verifier.bpf.o",
			       NULL));
	ASSERT_GT(0, iou_prog_load(p));
	ASSERT_EQ(IOU_STAGE_VERIFIER, iou_prog_error_stage(p));
	ASSERT_TRUE(has_memory_error(iou_prog_verifier_log(p)));
	iou_prog_close(p);
	return KSFT_PASS;
}

TEST(bad_verifier_cli, "`iouops load bad_verifier.bpf.o` exits VERIFIER with the log")
{
	struct st_cmd c;

	ST_REQUIRE_FEATURE();
	ASSERT_EQ(IOUOPS_EXIT_VERIFIER,
		  st_run_cli(&c, NULL, NULL, "load",
			     st_build_path("selftests/bad_verifier.bpf.o"),
			     NULL));
	ASSERT_TRUE(has_memory_error(c.out) || has_memory_error(c.err));
	return KSFT_PASS;
}
