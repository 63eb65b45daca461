// SPDX-License-Identifier: GPL-2.0
/* The kernel refuses a loop program on a ring without DEFER_TASKRUN. */
#include "selftest.h"

static const struct st_failure no_defer_taskrun = {
	.obj = "progs/nops.bpf.o",
	.set = { "total=1000" },
	.no_defer_taskrun = true,
	.err = -EOPNOTSUPP, .stage = IOU_STAGE_ATTACH,
	.status = IOUOPS_EXIT_ATTACH,
	.says = { "DEFER_TASKRUN" },
};

VARIANT(no_defer_taskrun) {
	enum st_via via;
};

VARIANT_ADD(no_defer_taskrun, lib, "attach to a ring without DEFER_TASKRUN: -EOPNOTSUPP")
{ ST_VIA_LIB };
VARIANT_ADD(no_defer_taskrun, cli, "`iouops load --no-defer-taskrun` exits ATTACH, says DEFER_TASKRUN")
{ ST_VIA_CLI };

TEST_VARIANTS(no_defer_taskrun)
{
	ST_REQUIRE_FEATURE();
	return st_check_failure(&no_defer_taskrun, variant->via);
}
