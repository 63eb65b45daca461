// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * exit_status.c - the exit statuses of the `iouops` command as a table
 * (code, name, meaning), made from IOUOPS_EXIT_STATUS_LIST in iouops.h,
 * the same list the enum comes from: `iouops --help` prints it and the
 * exit_status_docs selftest checks the README and the man page with it.
 */
#include "iouops.h"

static const struct iouops_exit_status_desc table[] = {
#define IOUOPS_EXIT_DESC(name, code, meaning) { code, #name, meaning },
	IOUOPS_EXIT_STATUS_LIST(IOUOPS_EXIT_DESC)
#undef IOUOPS_EXIT_DESC
};

const struct iouops_exit_status_desc *iouops_exit_status_table(size_t *nr)
{
	*nr = sizeof(table) / sizeof(table[0]);
	return table;
}
