// SPDX-License-Identifier: GPL-2.0
/* Known kernel bug, see kernel-issues/close-fin-delay/README.md. */
#include "kernel_issue.h"

TEST_TIMEOUT(kernel_issue_close_fin_delay,
		 "known kernel bug: a close from the loop sends FIN only at the next wake-up", 90)
{
	ST_REQUIRE_FEATURE();
	return st_kernel_issue("close-fin-delay",
				"IORING_OP_CLOSE in a loop program releases the file only when the loop wakes",
				NULL);
}
