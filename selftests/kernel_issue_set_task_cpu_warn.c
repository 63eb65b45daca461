// SPDX-License-Identifier: GPL-2.0
/* Known kernel bug, see kernel-issues/set-task-cpu-warn/README.md. */
#include "kernel_issue.h"

/* 20 s of trying keeps the suite short; the README runs it longer. */
TEST_TIMEOUT(kernel_issue_set_task_cpu_warn,
		 "known kernel bug: set_task_cpu WARN for a migration-disabled loop task", 90)
{
	ST_REQUIRE_FEATURE();
	return st_kernel_issue("set-task-cpu-warn",
				"the load balancer moves a migration-disabled task while loop programs run (set_task_cpu WARN)",
				"20");
}
