/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kernel_issue.h - run a kernel bug reproducer (kernel-issues/NAME/repro)
 * and report it as a known kernel bug: `# SKIP known kernel bug: ...` with
 * the reproducer's verdict, never a pass or a failure. A reproducer that
 * cannot run (a setup error, a crash, a hang) fails the test.
 *
 * Reproducer exit status: 0 NOT REPRODUCED, 1 REPRODUCED, 3 UNDETERMINED
 * (e.g. a WARN_ON_ONCE that already fired in this boot), 4 cannot run here
 * (no root, no io_uring BPF ops), anything else an error.
 */
#ifndef IOUOPS_KERNEL_ISSUE_H
#define IOUOPS_KERNEL_ISSUE_H

#include "selftest.h"

/* Run BUILD/kernel-issues/NAME/repro [ARG]; BUG says what it is. */
static inline int st_kernel_issue(const char *name, const char *bug, const char *arg)
{
	char rel[256];
	const char *verdict;
	struct st_cmd c;
	int st;

	snprintf(rel, sizeof(rel), "kernel-issues/%s/repro", name);
	st = st_run(&c, NULL, NULL, st_build_path(rel), arg, NULL);
	if (c.out)
		st_diag_text("", c.out, 0);
	switch (st) {
	case 0: verdict = "NOT REPRODUCED"; break;
	case 1: verdict = "REPRODUCED"; break;
	case 3: verdict = "UNDETERMINED"; break;
	case KSFT_SKIP:
		return st_skip("kernel-issues/%s cannot run here", name);
	default:
		st_cmd_diag(&c);
		st_assert_failed(__FILE__, __LINE__,
				  "kernel-issues/%s/repro did not reach a verdict (status %d)",
				  name, st);
		return KSFT_FAIL;
	}
	return st_skip("known kernel bug: %s (kernel-issues/%s: %s)", bug, name, verdict);
}

#endif /* IOUOPS_KERNEL_ISSUE_H */
