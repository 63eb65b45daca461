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

/* The load fails as a missing kernel feature (-EOPNOTSUPP, iouops exit
 * NOKERNEL) with one line naming it, not a verifier dump. */
#define LACKS_KFUNC	"kernel lacks kfunc bpf_iouops_no_such_kfunc"
#define LACKS_FIELD	"kernel lacks struct iou_loop_params.timeout_ns"
#define LACKS_MEMBER	"io_uring_bpf_ops lacks member future_gate"

static const struct st_failure missing_kfunc = {
	.obj = FEATURES, .set = { "mode=1" },
	.err = -EOPNOTSUPP, .stage = IOU_STAGE_KERNEL,
	.status = IOUOPS_EXIT_NOKERNEL,
	.says = { LACKS_KFUNC }, .lib_says = { LACKS_KFUNC },
};

static const struct st_failure missing_field = {
	.obj = FEATURES, .set = { "mode=2" },
	.err = -EOPNOTSUPP, .stage = IOU_STAGE_KERNEL,
	.status = IOUOPS_EXIT_NOKERNEL,
	.says = { LACKS_FIELD }, .lib_says = { LACKS_FIELD },
};

static const struct st_failure missing_ops_member = {
	.obj = "selftests/features_ops.bpf.o",
	.err = -EOPNOTSUPP, .stage = IOU_STAGE_KERNEL,
	.status = IOUOPS_EXIT_NOKERNEL,
	.says = { LACKS_MEMBER }, .lib_says = { LACKS_MEMBER },
};

VARIANT(features_missing) {
	const struct st_failure *failure;
	enum st_via via;
};

VARIANT_ADD(features_missing, kfunc, "unguarded missing kfunc: -EOPNOTSUPP naming it")
{ &missing_kfunc, ST_VIA_LIB };
VARIANT_ADD(features_missing, kfunc_cli, "unguarded missing kfunc: iouops load exits NOKERNEL, one line naming it")
{ &missing_kfunc, ST_VIA_CLI };
VARIANT_ADD(features_missing, field, "unguarded missing struct member: -EOPNOTSUPP naming it")
{ &missing_field, ST_VIA_LIB };
VARIANT_ADD(features_missing, field_cli, "unguarded missing struct member: iouops load exits NOKERNEL, one line naming it")
{ &missing_field, ST_VIA_CLI };
VARIANT_ADD(features_missing, ops_member, "ops callback the kernel lacks: -EOPNOTSUPP naming it")
{ &missing_ops_member, ST_VIA_LIB };
VARIANT_ADD(features_missing, ops_member_cli, "ops callback the kernel lacks: iouops load exits NOKERNEL, one line naming it")
{ &missing_ops_member, ST_VIA_CLI };

TEST_VARIANTS(features_missing)
{
	ST_REQUIRE_FEATURE();
	return st_check_failure(variant->failure, variant->via);
}
