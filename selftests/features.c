// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel features through BTF: the probes of iouops.bpf.h resolve on the
 * running kernel, and a program that uses something the kernel lacks
 * fails to load with -EOPNOTSUPP and one line naming it (iouops: exit
 * NOKERNEL), not a verifier dump.
 */
#include "selftest.h"

#define FEATURES	"selftests/features.bpf.o"

/* Open and load in `mode`. The failures are expected: keep libbpf's log
 * quiet unless an assertion fails (the watched program's is shown then). */
static int load_mode(struct iou_prog **p, const char *mode)
{
	struct iou_opts opts;
	int err;

	iou_test_opts(&opts);
	opts.log = NULL;
	err = iou_open_prog(p, &opts, FEATURES, "mode", mode, NULL);
	return err ? err : iou_prog_load(*p);
}

IOU_TEST(features_probe, "iou_has_kfunc/iou_has_field: 0 for missing, 1 for present")
{
	struct iou_prog *p;

	IOU_REQUIRE_FEATURE();
	ASSERT_OK(load_mode(&p, "0"));
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
	struct iou_prog *p;

	IOU_REQUIRE_FEATURE();
	ASSERT_EQ(load_mode(&p, "1"), -EOPNOTSUPP);
	ASSERT_EQ(iou_prog_error_stage(p), IOU_STAGE_KERNEL);
	ASSERT_STR_HAS(iou_prog_error_msg(p),
		       "kernel lacks kfunc bpf_iouops_no_such_kfunc");
	iou_prog_close(p);
	return KSFT_PASS;
}

IOU_TEST(features_missing_field, "unguarded missing struct member: -EOPNOTSUPP naming it")
{
	struct iou_prog *p;

	IOU_REQUIRE_FEATURE();
	ASSERT_EQ(load_mode(&p, "2"), -EOPNOTSUPP);
	ASSERT_EQ(iou_prog_error_stage(p), IOU_STAGE_KERNEL);
	ASSERT_STR_HAS(iou_prog_error_msg(p),
		       "kernel lacks struct iou_loop_params.timeout_ns");
	iou_prog_close(p);
	return KSFT_PASS;
}

IOU_TEST(features_missing_ops_member, "ops callback the kernel lacks: -EOPNOTSUPP naming it")
{
	struct iou_opts opts;
	struct iou_prog *p;

	IOU_REQUIRE_FEATURE();
	iou_test_opts(&opts);
	opts.log = NULL;
	ASSERT_OK(iou_open_prog(&p, &opts, "selftests/features_ops.bpf.o", NULL));
	ASSERT_EQ(iou_prog_load(p), -EOPNOTSUPP);
	ASSERT_EQ(iou_prog_error_stage(p), IOU_STAGE_KERNEL);
	ASSERT_STR_HAS(iou_prog_error_msg(p),
		       "io_uring_bpf_ops lacks member future_gate");
	iou_prog_close(p);
	return KSFT_PASS;
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
