// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * iouops - load and run io_uring BPF loop programs.
 *
 * main.c holds the command table and the dispatch; each command lives in
 * cmd_NAME.c (cmd.h). Every failure is one line on stderr and its own exit
 * status (enum iouops_exit_status in iouops.h); only a verifier rejection
 * prints more: the verifier log, which is what the user needs then.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "iouops.h"

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
	  "run CMD as root in a VM on Linux 7.3" },
	{ "get-kernel", cmd_get_kernel, "[WHICH]",
	  "download a kernel for vm (default 7.3)" },
};

unsigned long long iouops_start_ns;	/* for --timing */

static const char load_options[] =
"PROG is a BPF object path, or a bare name (nops) looked up in the progs/\n"
"folder next to the iouops binary, then in IOUOPS_PROGS_DIR.\n"
"\n"
"Options of load:\n"
"  --set PATH=VALUE    set a global of the program before load. PATH is NAME,\n"
"                      NAME.MEMBER..., NAME[INDEX] or mixes (cfg.ports[2]),\n"
"                      down to an integer or pointer (iouops inspect lists\n"
"                      them); with --shm-type, shm.MEMBER is in the region.\n"
"                      VALUE is a number (0x.., k/m/g suffixes) or a\n"
"                      ring-layout field:\n"
"                      @sq_entries @cq_entries @sq_mask @cq_mask @ring_fd\n"
"                      @sq_off.FIELD @cq_off.FIELD (head tail ring_mask\n"
"                      ring_entries flags dropped array / overflow cqes)\n"
"                      @rings_size @sqes_size @shm_size @shm_uaddr\n"
"                      @setup_flags; a pointer takes @shm_uaddr or a number\n"
"  --shm-type TYPE     lay the shared region out as the program's own struct\n"
"                      TYPE at offset 0, with no iouops control block\n"
"                      (pseudo-global shm); --shm-size, if given, must hold it.\n"
"                      TYPE is found in the program's BTF or, for a struct\n"
"                      only a local pointer uses, in its DWARF (clang -g)\n"
"  --print PATH        after the run, print PATH=VALUE (repeatable)\n"
"  --expect PATH=N     after the run, PATH must equal the number N\n"
"                      (repeatable); with --expect the exit status is 0 when\n"
"                      all held, else 26 at the first that did not\n"
"  --in NAME=PATH      open PATH read-only and put the fd in global NAME\n"
"  --out NAME=PATH     open PATH for writing (created, truncated), fd in NAME\n"
"  --src PATH          --in " IOU_SYM_SRC_FD "=PATH     --dst PATH   --out " IOU_SYM_DST_FD "=PATH\n"
"  --sq-entries N      SQ size (default 64)\n"
"  --cq-entries N      CQ size (default 2 x SQ)\n"
"  --shm-size SIZE     shared memory region size (default 64k)\n"
"  --sq-rewind         require IORING_SETUP_SQ_REWIND (default: use it when\n"
"                      the kernel has it)\n"
"  --sq-array          classic SQ head/tail instead of SQ_REWIND\n"
"  --no-defer-taskrun  create the ring without DEFER_TASKRUN (the kernel\n"
"                      then refuses to attach: for experiments and tests)\n"
"  --stats SECS        print the program's counters every SECS seconds\n"
"  --timing            print where the time went: load phases (ms), first\n"
"                      step, run, detach, and the run's context switches\n"
"  --listen ADDR:PORT  TCP listening socket for a program with a " IOU_SYM_LISTEN_FD "\n"
"                      global, bound UDP socket for one with " IOU_SYM_UDP_FD "\n"
"                      (IPv4:PORT or [IPv6]:PORT; port 0: any free\n"
"                      port, printed as 'listening on ADDR:PORT')\n"
"  --cqe32             32-byte CQEs (IORING_SETUP_CQE32); a program whose\n"
"                      iou_res has cqe32 = 1 gets them without it\n"
"  --zcrx              device-less zero-copy receive (ZCRX_REG_NODEV, needs\n"
"                      CAP_NET_ADMIN and 32-byte CQEs, implied): the area\n"
"                      and refill queue the program's iou_res declares\n"
"  --root DIR          serve the files of DIR: a program with an " IOU_SYM_HTTP_FILES "\n"
"                      global (http) gets them in the shared region, at most\n"
"                      --shm-size bytes of them (default 64m)\n"
"  -v, --verbose       show what the loader does and libbpf's messages\n"
"\n"
"Ctrl-C (SIGINT/SIGTERM) asks the program to stop through shared memory and\n"
"lets it finish; a second one detaches at once. With --shm-type there is no\n"
"control block: the first one ends the enter and detaches.\n"
"A program that keeps no iouops exit record gets its .bss/.data integer\n"
"globals printed after the run (the first 32).\n";

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

unsigned long long iouops_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ULL +
	       (unsigned long long)ts.tv_nsec;
}

int iouops_parse_uint(const char *opt, const char *s, unsigned *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || *end || !*s || v > UINT_MAX || s[0] == '-') {
		fprintf(stderr, "iouops: %s: '%s' is not a number\n", opt, s);
		return -EINVAL;
	}
	*out = (unsigned)v;
	return 0;
}

const char *iouops_bad_option(char **argv, char buf[3])
{
	/* a short option inside a cluster ("-xv"): optind still points at
	 * the cluster, so name the character getopt stopped at */
	if (optopt > 0 && optopt < 128 && isprint(optopt)) {
		buf[0] = '-';
		buf[1] = (char)optopt;
		buf[2] = '\0';
		return buf;
	}
	return argv[optind - 1];
}

void iouops_print_counters(volatile struct iou_ctl *ctl)
{
	char line[IOU_REPORT_LEN];

	if (iou_counters_format(ctl, line, sizeof(line)) > 0)
		printf("counters: %s\n", line);
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
