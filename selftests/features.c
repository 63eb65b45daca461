// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel features through BTF: the probes of iouops.bpf.h resolve on the
 * running kernel, and a program that uses something the kernel lacks
 * fails to load with -EOPNOTSUPP and one line naming it (iouops: exit
 * NOKERNEL), not a verifier dump.
 */
#include "selftest.h"

#define FEATURES	"selftests/features.bpf.o"

/* Open OBJ (with mode=MODE unless NULL) and load it. The failures are
 * expected: keep libbpf's log quiet unless an assertion fails (the
 * watched program's is shown then). */
static int load_quiet(struct iou_prog **p, const char *obj, const char *mode)
{
	struct iou_opts opts;
	int err;

	iou_test_opts(&opts);
	opts.log = NULL;
	err = iou_open_prog(p, &opts, obj, mode ? "mode" : NULL, mode, NULL);
	return err ? err : iou_prog_load(*p);
}

/* The load fails as a missing kernel feature, with a message naming it. */
static int expect_lacks(const char *obj, const char *mode, const char *what)
{
	struct iou_prog *p;

	ASSERT_EQ(load_quiet(&p, obj, mode), -EOPNOTSUPP);
	ASSERT_EQ(iou_prog_error_stage(p), IOU_STAGE_KERNEL);
	ASSERT_STR_HAS(iou_prog_error_msg(p), what);
	iou_prog_close(p);
	return KSFT_PASS;
}

IOU_TEST(features_probe, "iou_has_kfunc/iou_has_field: 0 for missing, 1 for present")
{
	struct iou_prog *p;

	IOU_REQUIRE_FEATURE();
	ASSERT_OK(load_quiet(&p, FEATURES, "0"));
	ASSERT_OK(iou_prog_attach(p));
	ASSERT_OK(iou_prog_run(p));
	ASSERT_EQ(iou_prog_ctl(p)->exit.kind, IOU_EXIT_DONE);
	ASSERT_STR_HAS((const char *)iou_prog_ctl(p)->exit.reason,
		       "missing kfunc 0, field 0; present kfunc 1, field 1");
	iou_prog_close(p);
	return KSFT_PASS;
}

IOU_TEST(features_missing_kfunc, "unguarded missing kfunc: -EOPNOTSUPP naming it")
{
	IOU_REQUIRE_FEATURE();
	return expect_lacks(FEATURES, "1",
			    "kernel lacks kfunc bpf_iouops_no_such_kfunc");
}

IOU_TEST(features_missing_field, "unguarded missing struct member: -EOPNOTSUPP naming it")
{
	IOU_REQUIRE_FEATURE();
	return expect_lacks(FEATURES, "2",
			    "kernel lacks struct iou_loop_params.timeout_ns");
}

IOU_TEST(features_missing_ops_member, "ops callback the kernel lacks: -EOPNOTSUPP naming it")
{
	IOU_REQUIRE_FEATURE();
	return expect_lacks("selftests/features_ops.bpf.o", NULL,
			    "io_uring_bpf_ops lacks member future_gate");
}

IOU_TEST(features_missing_cli, "iouops load: exit NOKERNEL, one line naming the feature")
{
	struct iou_cmd c;

	IOU_REQUIRE_FEATURE();
	ASSERT_EQ(iou_run_cli(&c, NULL, NULL, "load", iou_build_path(FEATURES),
			      "--set", "mode=1", NULL), IOUOPS_EXIT_NOKERNEL);
	ASSERT_ONE_LINE_ERROR(&c);
	ASSERT_STR_HAS(c.err, "kernel lacks kfunc bpf_iouops_no_such_kfunc");
	ASSERT_TRUE(!strstr(c.err, "processed"));	/* no verifier log */
	ASSERT_EQ(iou_run_cli(&c, NULL, NULL, "load", iou_build_path(FEATURES),
			      "--set", "mode=2", NULL), IOUOPS_EXIT_NOKERNEL);
	ASSERT_ONE_LINE_ERROR(&c);
	ASSERT_STR_HAS(c.err, "kernel lacks struct iou_loop_params.timeout_ns");
	return KSFT_PASS;
}
