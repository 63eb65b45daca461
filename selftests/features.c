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

	st_opts(&opts);
	opts.log = NULL;
	err = st_open_prog(p, &opts, obj, mode ? "mode" : NULL, mode, NULL);
	return err ? err : iou_prog_load(*p);
}

TEST(features_probe, "iou_has_kfunc/iou_has_field: 0 for missing, 1 for present")
{
	struct iou_prog *p;

	ST_REQUIRE_FEATURE();
	ASSERT_OK(load_quiet(&p, FEATURES, "0"));
	ASSERT_OK(iou_prog_attach(p));
	ASSERT_OK(iou_prog_run(p));
	ASSERT_EQ(IOU_EXIT_DONE, iou_prog_ctl(p)->exit.kind);
	ASSERT_STR_HAS((const char *)iou_prog_ctl(p)->exit.reason,
		       "missing kfunc 0, field 0; present kfunc 1, field 1");
	iou_prog_close(p);
	return KSFT_PASS;
}

/* The load fails as a missing kernel feature, with a message naming it. */
VARIANT(features_missing) {
	const char *obj, *mode;	/* the program, its mode (NULL: none) */
	const char *what;	/* in the error message */
};

VARIANT_ADD(features_missing, kfunc, "unguarded missing kfunc: -EOPNOTSUPP naming it")
{ FEATURES, "1", "kernel lacks kfunc bpf_iouops_no_such_kfunc" };
VARIANT_ADD(features_missing, field, "unguarded missing struct member: -EOPNOTSUPP naming it")
{ FEATURES, "2", "kernel lacks struct iou_loop_params.timeout_ns" };
VARIANT_ADD(features_missing, ops_member, "ops callback the kernel lacks: -EOPNOTSUPP naming it")
{ "selftests/features_ops.bpf.o", NULL, "io_uring_bpf_ops lacks member future_gate" };

TEST_VARIANTS(features_missing)
{
	struct iou_prog *p;

	ST_REQUIRE_FEATURE();
	ASSERT_EQ(-EOPNOTSUPP, load_quiet(&p, variant->obj, variant->mode));
	ASSERT_EQ(IOU_STAGE_KERNEL, iou_prog_error_stage(p));
	ASSERT_STR_HAS(iou_prog_error_msg(p), variant->what);
	iou_prog_close(p);
	return KSFT_PASS;
}

TEST(features_missing_cli, "iouops load: exit NOKERNEL, one line naming the feature")
{
	struct st_cmd c;

	ST_REQUIRE_FEATURE();
	ASSERT_CLI_ERROR(&c, IOUOPS_EXIT_NOKERNEL, "kernel lacks kfunc bpf_iouops_no_such_kfunc",
			 "load", st_build_path(FEATURES), "--set", "mode=1");
	ASSERT_TRUE(!strstr(c.err, "processed"));	/* no verifier log */
	ASSERT_CLI_ERROR(&c, IOUOPS_EXIT_NOKERNEL, "kernel lacks struct iou_loop_params.timeout_ns",
			 "load", st_build_path(FEATURES), "--set", "mode=2");
	return KSFT_PASS;
}
