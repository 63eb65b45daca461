/* SPDX-License-Identifier: GPL-2.0 */
/* Between the runner and selftest-lib.c only; tests use selftest.h. */
#ifndef IOUOPS_SELFTEST_INTERNAL_H
#define IOUOPS_SELFTEST_INTERNAL_H

/* One page shared by the runner and the forked test (MAP_SHARED). */
struct st_shared {
	char skip_reason[512];
};

/* In the test child, before the test runs: DEADLINE is st_now() time. */
void st_child_init(struct st_shared *shared, double deadline);

#endif
