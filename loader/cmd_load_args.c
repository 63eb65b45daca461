// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * cmd_load_args.c - the command line of `iouops load`: its options as
 * --help prints them, and load_parse_args(), which turns argv into a
 * struct load_args and does nothing else (fuzz/cli.c calls it directly).
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"

const char load_options[] =
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
"  --shards N|auto     run N copies of the program, each on its own thread\n"
"                      pinned to its own CPU with its own ring, region and\n"
"                      struct_ops map (auto: one per CPU); with --listen,\n"
"                      each shard gets a socket in one SO_REUSEPORT group on\n"
"                      the address. More shards than CPUs share them (one\n"
"                      warning line). Not with --shm-type, nor for a program\n"
"                      with --in/--out files (cp)\n"
"  --steer hash|cpu    with --shards: which shard gets a connection: the\n"
"                      kernel's hash of the 4-tuple (default), or the shard\n"
"                      pinned to the CPU it arrived on (SO_INCOMING_CPU)\n"
"  -v, --verbose       show what the loader does and libbpf's messages\n"
"\n"
"Ctrl-C (SIGINT/SIGTERM) asks the program to stop through shared memory and\n"
"lets it finish; a second one detaches at once. With --shm-type there is no\n"
"control block: the first one ends the enter and detaches.\n"
"A program that keeps no iouops exit record gets its .bss/.data integer\n"
"globals printed after the run (the first 32).\n"
"With --shards, --stats and the report print a line per shard (\"shard N: \")\n"
"and a total; the exit status is the worst of the shards' (corrupt record,\n"
"error exit, failed enter, --expect, second signal, success); a shard that\n"
"fails stops the others.\n";

static void log_to_stderr(enum iou_log_level level, const char *msg,
			  void *cookie)
{
	(void)level;
	(void)cookie;
	fprintf(stderr, "%s%s", msg,
		*msg && msg[strlen(msg) - 1] == '\n' ? "" : "\n");
}

enum { OPT_SET = 256, OPT_SQ, OPT_CQ, OPT_SHM, OPT_REWIND, OPT_SQARRAY,
       OPT_NODEFER, OPT_STATS, OPT_TIMING, OPT_LISTEN, OPT_IN, OPT_OUT, OPT_SRC, OPT_DST,
       OPT_SHM_TYPE, OPT_PRINT, OPT_EXPECT, OPT_CQE32, OPT_ZCRX, OPT_ROOT,
       OPT_SHARDS, OPT_STEER };

/* --in NAME=PATH, --out NAME=PATH, --src PATH, --dst PATH */
static int add_file(struct load_args *a, int opt, char *arg)
{
	const char *name = opt == OPT_SRC ? IOU_SYM_SRC_FD :
			   opt == OPT_DST ? IOU_SYM_DST_FD : NULL;
	char *eq;

	if (!name) {
		eq = strchr(arg, '=');
		if (!eq || eq == arg || !eq[1]) {
			fprintf(stderr, "iouops: %s %s: expected NAME=PATH\n",
				opt == OPT_IN ? "--in" : "--out", arg);
			return IOUOPS_EXIT_USAGE;
		}
		*eq = '\0';
		name = arg;
		arg = eq + 1;
	}
	if (a->nr_files == MAX_SETS) {
		fprintf(stderr, "iouops: too many files\n");
		return IOUOPS_EXIT_USAGE;
	}
	a->files[a->nr_files].name = name;
	a->files[a->nr_files].path = arg;
	a->files[a->nr_files++].mode = opt == OPT_IN || opt == OPT_SRC ?
				       IOU_FILE_IN : IOU_FILE_OUT;
	return 0;
}

/* --shards N (1..IOU_SHARDS_MAX) or auto. */
static int parse_shards(struct load_args *a, const char *arg)
{
	char *end;
	unsigned long n;

	a->shards = 0;
	a->shards_auto = !strcmp(arg, "auto");
	if (a->shards_auto)
		return 0;
	errno = 0;
	n = strtoul(arg, &end, 10);
	if (errno || !isdigit((unsigned char)arg[0]) || *end || n < 1 ||
	    n > IOU_SHARDS_MAX) {
		fprintf(stderr, "iouops: --shards '%s': expected a number of "
			"shards from 1 to %d, or auto\n", arg, IOU_SHARDS_MAX);
		return IOUOPS_EXIT_USAGE;
	}
	a->shards = (unsigned)n;
	return 0;
}

/* What --shards cannot be combined with, on the command line alone (the
 * program's own say comes after it is opened: run_load_shards). */
static int check_shards_args(const struct load_args *a)
{
	bool sharded = a->shards || a->shards_auto;

	if (a->steer_given && !sharded) {
		fprintf(stderr, "iouops: --steer chooses between shards: it "
			"needs --shards\n");
		return IOUOPS_EXIT_USAGE;
	}
	if (sharded && a->shm_type) {
		fprintf(stderr, "iouops: --shards with --shm-type: each shard "
			"needs the iouops control block in its region (its stop "
			"request, counters and exit record)\n");
		return IOUOPS_EXIT_USAGE;
	}
	return 0;
}

int load_parse_args(int argc, char **argv, struct load_args *a)
{
	static const struct option longopts[] = {
		{ "set", required_argument, NULL, OPT_SET },
		{ "sq-entries", required_argument, NULL, OPT_SQ },
		{ "cq-entries", required_argument, NULL, OPT_CQ },
		{ "shm-size", required_argument, NULL, OPT_SHM },
		{ "sq-rewind", no_argument, NULL, OPT_REWIND },
		{ "sq-array", no_argument, NULL, OPT_SQARRAY },
		{ "no-defer-taskrun", no_argument, NULL, OPT_NODEFER },
		{ "stats", required_argument, NULL, OPT_STATS },
		{ "timing", no_argument, NULL, OPT_TIMING },
		{ "listen", required_argument, NULL, OPT_LISTEN },
		{ "cqe32", no_argument, NULL, OPT_CQE32 },
		{ "zcrx", no_argument, NULL, OPT_ZCRX },
		{ "root", required_argument, NULL, OPT_ROOT },
		{ "in", required_argument, NULL, OPT_IN },
		{ "out", required_argument, NULL, OPT_OUT },
		{ "src", required_argument, NULL, OPT_SRC },
		{ "dst", required_argument, NULL, OPT_DST },
		{ "shm-type", required_argument, NULL, OPT_SHM_TYPE },
		{ "print", required_argument, NULL, OPT_PRINT },
		{ "expect", required_argument, NULL, OPT_EXPECT },
		{ "shards", required_argument, NULL, OPT_SHARDS },
		{ "steer", required_argument, NULL, OPT_STEER },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	unsigned long long size;
	char *eq, optbuf[3];
	int c, status;

	a->opts.sq_rewind = -1;
	optind = 0;	/* glibc: a full restart, even after an earlier argv */
	opterr = 0;	/* one line of our own instead of getopt's */
	while ((c = getopt_long(argc, argv, "vh", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_SET:
			eq = strchr(optarg, '=');
			if (!eq || eq == optarg || a->nr_sets == MAX_SETS) {
				fprintf(stderr, "iouops: --set %s: expected NAME=VALUE\n",
					optarg);
				return IOUOPS_EXIT_BADSET;
			}
			*eq = '\0';
			a->set_names[a->nr_sets] = optarg;
			a->set_values[a->nr_sets++] = eq + 1;
			break;
		case OPT_SQ:
			if (iouops_parse_uint("--sq-entries", optarg, &a->opts.sq_entries))
				return IOUOPS_EXIT_USAGE;
			break;
		case OPT_CQ:
			if (iouops_parse_uint("--cq-entries", optarg, &a->opts.cq_entries))
				return IOUOPS_EXIT_USAGE;
			break;
		case OPT_SHM:
			if (iou_parse_size(optarg, &size) || !size ||
			    size > UINT32_MAX) {
				fprintf(stderr, "iouops: --shm-size: '%s' is not a "
					"size from 1 to 4g\n", optarg);
				return IOUOPS_EXIT_USAGE;
			}
			a->opts.shm_size = (size_t)size;
			break;
		case OPT_REWIND:
			a->opts.sq_rewind = 1;
			break;
		case OPT_SQARRAY:
			a->opts.sq_rewind = 0;
			break;
		case OPT_NODEFER:
			a->opts.no_defer_taskrun = true;
			break;
		case OPT_STATS:
			if (iouops_parse_uint("--stats", optarg, &a->stats_interval))
				return IOUOPS_EXIT_USAGE;
			break;
		case OPT_TIMING:
			a->timing = true;
			break;
		case OPT_IN: case OPT_OUT: case OPT_SRC: case OPT_DST:
			status = add_file(a, c, optarg);
			if (status)
				return status;
			break;
		case OPT_LISTEN:
			a->opts.listen = optarg;
			break;
		case OPT_SHM_TYPE:
			if (!*optarg) {
				fprintf(stderr, "iouops: --shm-type: expected "
					"the name of a struct of the program\n");
				return IOUOPS_EXIT_USAGE;
			}
			a->shm_type = optarg;
			break;
		case OPT_PRINT:
			if (!*optarg || a->nr_prints == MAX_SETS) {
				fprintf(stderr, "iouops: --print '%s': expected "
					"NAME[.PATH] (at most %d)\n", optarg,
					MAX_SETS);
				return IOUOPS_EXIT_USAGE;
			}
			a->prints[a->nr_prints++] = optarg;
			break;
		case OPT_EXPECT:
			eq = strchr(optarg, '=');
			if (!eq || eq == optarg || !eq[1] ||
			    a->nr_expects == MAX_SETS) {
				fprintf(stderr, "iouops: --expect %s: expected "
					"NAME[.PATH]=NUMBER\n", optarg);
				return IOUOPS_EXIT_USAGE;
			}
			*eq = '\0';
			a->expect_paths[a->nr_expects] = optarg;
			a->expect_values[a->nr_expects++] = eq + 1;
			break;
		case OPT_CQE32:
			a->opts.cqe32 = true;
			break;
		case OPT_ZCRX:
			a->opts.zcrx = true;
			break;
		case OPT_ROOT:
			a->opts.root = optarg;
			break;
		case OPT_SHARDS:
			status = parse_shards(a, optarg);
			if (status)
				return status;
			break;
		case OPT_STEER:
			if (strcmp(optarg, "hash") && strcmp(optarg, "cpu")) {
				fprintf(stderr, "iouops: --steer '%s': expected "
					"hash or cpu\n", optarg);
				return IOUOPS_EXIT_USAGE;
			}
			a->steer = strcmp(optarg, "cpu") ? IOU_STEER_HASH :
				   IOU_STEER_CPU;
			a->steer_given = true;
			break;
		case 'v':
			a->verbose = true;
			a->opts.log = log_to_stderr;
			break;
		case 'h':
			a->help = true;
			return 0;
		default:
			fprintf(stderr, "iouops: load: bad or incomplete option "
				"'%s' (see 'iouops --help')\n",
				iouops_bad_option(argv, optbuf));
			return IOUOPS_EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "iouops: load takes exactly one program "
			"(see 'iouops --help')\n");
		return IOUOPS_EXIT_USAGE;
	}
	a->prog = argv[optind];
	return check_shards_args(a);
}

