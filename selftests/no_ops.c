// SPDX-License-Identifier: GPL-2.0
/* A BPF object with no io_uring_bpf_ops map is refused before any load. */
#include "selftest.h"

static const struct st_failure no_ops = {
	.obj = "selftests/no_ops.bpf.o",
	.err = -ESRCH, .stage = IOU_STAGE_NO_OPS, .status = IOUOPS_EXIT_NOOPS,
	.says = { "io_uring_bpf_ops" },
};

VARIANT(no_ops) {
	enum st_via via;
};

VARIANT_ADD(no_ops, lib, "object without io_uring_bpf_ops: iou_prog_open() -ESRCH")
{ ST_VIA_LIB };
VARIANT_ADD(no_ops, cli, "`iouops load no_ops.bpf.o` exits NOOPS, one line")
{ ST_VIA_CLI };

/* runs without the kernel feature: nothing is loaded */
TEST_VARIANTS(no_ops)
{
	return st_check_failure(&no_ops, variant->via);
}
