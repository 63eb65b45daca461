// SPDX-License-Identifier: GPL-2.0
/* Known kernel bug, see kernel-issues/set-task-cpu-warn/README.md. */
#include "kernel_issue.h"

/* 20 s of trying keeps the suite short; the README runs it longer. */
TEST_TIMEOUT(kernel_issue_set_task_cpu_warn,
		 "known kernel bug: set_task_cpu WARN for an io-wq worker born migration-disabled", 90)
{
	ST_REQUIRE_FEATURE();
	return st_kernel_issue("set-task-cpu-warn",
				"an io-wq worker created inside loop_step is born migration-disabled and the load balancer moves it (set_task_cpu WARN)",
				"20");
}
