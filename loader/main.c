// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * iouops - load and run io_uring BPF loop programs.
 *
 * main.c holds the command table and the dispatch; each command lives in
 * cmd_NAME.c (cmd.h). Every failure is one line on stderr and its own exit
 * status (enum iouops_exit_status, exit_status.h); only a verifier rejection
 * prints more: the verifier log, which is what the user needs then.
 */
#include <stdio.h>
#include <string.h>

#include "cmd.h"

static const struct iouops_cmd commands[] = {
	{ "load", cmd_load, "PROG [options]",
	  "run a loop program until it stops" },
	{ "inspect", cmd_inspect, "PROG",
	  "what a program needs and offers (no kernel needed)" },
	{ "probe", cmd_probe, "",
	  "does this kernel have io_uring BPF ops?" },
	{ "stat", cmd_stat, "PID [SECS [N]]",
	  "a running loader's counters, every SECS s" },
	{ "new", cmd_new, "NAME [DIR]",
	  "start a loop program: NAME.bpf.c + Makefile" },
	{ "build", cmd_build, "FILE.bpf.c",
	  "compile one loop program (clang, BPF flags)" },
	{ "vm", cmd_vm, "[OPTS] -- CMD...",
	  "run CMD as root in a VM on Linux " IOUOPS_DEFAULT_SERIES },
	{ "get-kernel", cmd_get_kernel, "[WHICH]",
	  "download a kernel for vm (default " IOUOPS_DEFAULT_SERIES ")" },
};

void iouops_usage(FILE *f)
{
	const struct iouops_exit_status_desc *table;
	size_t i, nr;

	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		char head[64];

		snprintf(head, sizeof(head), "iouops %s %s", commands[i].name,
			 commands[i].args);
		fprintf(f, "%s %-28s %s\n", i ? "      " : "Usage:", head,
			commands[i].help);
	}
	fprintf(f, "       iouops --help | --version\n\n%s\n", load_options);
	fprintf(f, "Exit status (see iouops(8)):\n");
	table = iouops_exit_status_table(&nr);
	for (i = 0; i < nr; i++)
		fprintf(f, "  %3d  %s\n", table[i].code, table[i].meaning);
}

int main(int argc, char **argv)
{
	size_t i;

	iouops_start_ns = iouops_now_ns();
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2) {
		iouops_usage(stderr);
		return IOUOPS_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		iouops_usage(stdout);
		return IOUOPS_EXIT_OK;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("iouops %s\n", IOUOPS_VERSION);
		return IOUOPS_EXIT_OK;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	}
	fprintf(stderr, "iouops: unknown command '%s' (see 'iouops --help')\n",
		argv[1]);
	return IOUOPS_EXIT_USAGE;
}
