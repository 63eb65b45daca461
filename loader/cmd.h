/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Subcommands of the iouops command that live outside main.c. */
#ifndef IOUOPS_CMD_H
#define IOUOPS_CMD_H

/*
 * Run `iouops new|build|vm|get-kernel ...` (argv[0] is the command name).
 * Returns an exit status (enum iouops_exit_status; vm and get-kernel exec
 * their script and return only when that fails), or -1 when argv[0] is
 * none of these commands.
 */
int iouops_dev_command(int argc, char **argv);

#endif /* IOUOPS_CMD_H */
