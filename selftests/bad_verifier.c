// SPDX-License-Identifier: GPL-2.0
/* A program the verifier rejects: the load fails and shows why. */
#include "selftest.h"

/* what the verifier says about the index, depending on its version */
#define MEMORY_ERRORS	"invalid access to memory", "unbounded memory access", \
			"outside of the allowed memory range"

static const struct st_failure bad_verifier = {
	.obj = "selftests/bad_verifier.bpf.o",
	.err = -EACCES, .stage = IOU_STAGE_VERIFIER,
	.status = IOUOPS_EXIT_VERIFIER,
	.multi_line = true,	/* the verifier's log follows */
	.says = { MEMORY_ERRORS },
	.lib_says = { MEMORY_ERRORS },
};

VARIANT(bad_verifier) {
	enum st_via via;
};

VARIANT_ADD(bad_verifier, lib, "unbounded SQE index: load fails at the verifier, its log kept")
{ ST_VIA_LIB };
VARIANT_ADD(bad_verifier, cli, "`iouops load bad_verifier.bpf.o` exits VERIFIER with the log")
{ ST_VIA_CLI };

TEST_VARIANTS(bad_verifier)
{
	ST_REQUIRE_FEATURE();
	return st_check_failure(&bad_verifier, variant->via);
}
