// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * cmd_load.c - `iouops load PROG [options]`: open, set, load, attach and
 * run one loop program until it stops, then report how it ended. Signals:
 * the first SIGINT/SIGTERM asks the program to stop, a second detaches
 * (with --shm-type there is no control block: the first one detaches).
 * --print and --expect read globals and the region after the run; they
 * are resolved before anything is created, so a typo costs no ring.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
"  -v, --verbose       show what the loader does and libbpf's messages\n"
"\n"
"Ctrl-C (SIGINT/SIGTERM) asks the program to stop through shared memory and\n"
"lets it finish; a second one detaches at once. With --shm-type there is no\n"
"control block: the first one ends the enter and detaches.\n"
"A program that keeps no iouops exit record gets its .bss/.data integer\n"
"globals printed after the run (the first 32).\n";

static struct iou_prog *volatile running_prog;
static volatile sig_atomic_t signals_seen;

static void log_to_stderr(enum iou_log_level level, const char *msg,
			  void *cookie)
{
	(void)level;
	(void)cookie;
	fprintf(stderr, "%s%s", msg,
		*msg && msg[strlen(msg) - 1] == '\n' ? "" : "\n");
}

static void on_signal(int sig)
{
	struct iou_prog *p = running_prog;

	(void)sig;
	signals_seen++;
	if (!p)
		return;
	if (signals_seen == 1)
		iou_prog_request_stop(p);
	else
		iou_prog_force_stop(p);
}

static int install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	/* no SA_RESTART: the loop must come back to us on a signal */
	if (sigaction(SIGINT, &sa, NULL) || sigaction(SIGTERM, &sa, NULL))
		return -errno;
	return 0;
}

/* A bare name is looked up next to the binary: build/progs/ in the tree,
 * PREFIX/lib/iouops/progs/ when installed. */
static int resolve_prog(const char *name, char *out, size_t len)
{
	char exe[PATH_MAX], *slash;
	const char *env = getenv("IOUOPS_PROGS_DIR");
	const char *fmts[] = { "%s/progs/%s.bpf.o", "%s/../lib/iouops/progs/%s.bpf.o" };
	ssize_t n;
	size_t i;

	if (strchr(name, '/') || strstr(name, ".o")) {
		snprintf(out, len, "%s", name);
		return 0;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash)
			*slash = '\0';
		for (i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
			n = snprintf(out, len, fmts[i], exe, name);
			if (n > 0 && (size_t)n < len && !access(out, F_OK))
				return 0;
		}
	}
	if (env) {
		n = snprintf(out, len, "%s/%s.bpf.o", env, name);
		if (n > 0 && (size_t)n < len && !access(out, F_OK))
			return 0;
	}
	return -ENOENT;
}

/* How many integer globals a program without an exit record shows. */
#define MAX_SHOWN_GLOBALS	32

struct shown_globals {
	unsigned shown, more;
};

static int show_global(const char *name, const struct iou_var_info *info,
		       unsigned long long raw, void *cookie)
{
	struct shown_globals *sg = cookie;
	char value[32];

	if (sg->shown == MAX_SHOWN_GLOBALS) {
		sg->more++;
		return 0;
	}
	iou_var_format(info, raw, value, sizeof(value));
	printf("%s=%s\n", name, value);
	sg->shown++;
	return 0;
}

/* Counters and how the program ended; its exit turned into our status.
 * A program that keeps no iouops exit record (no control block with
 * --shm-type, or one it never wrote) shows its .bss/.data integers, so
 * the user sees what it did. */
static int report_exit(struct iou_prog *p, volatile struct iou_ctl *ctl,
		       double secs)
{
	struct shown_globals sg = { 0 };
	char line[IOU_REPORT_LEN];
	int kind = IOU_EXIT_NONE;

	if (ctl) {
		iouops_print_counters(ctl);
		printf("steps: %llu  time: %.3f s\n",
		       (unsigned long long)ctl->steps, secs);
		if (ctl->zcrx_flushes)	/* the loader's share of a --zcrx run */
			printf("zcrx: flushes=%llu flush_ms=%.3f (refill queue, by the loader)\n",
			       (unsigned long long)ctl->zcrx_flushes,
			       (double)ctl->zcrx_flush_ns / 1e6);
		kind = iou_exit_format(ctl, line, sizeof(line));
	} else {
		printf("time: %.3f s\n", secs);	/* nobody counts steps */
	}
	if (kind != IOU_EXIT_NONE) {
		printf("%s\n", line);
		return kind == IOU_EXIT_ERROR ? IOUOPS_EXIT_PROG_ERROR :
		       kind < 0 ? IOUOPS_EXIT_CORRUPT : IOUOPS_EXIT_OK;
	}
	iou_prog_for_each_int_global(p, show_global, &sg);
	if (sg.more)
		printf("(%u more integer globals)\n", sg.more);
	printf("EXIT: program stopped; it keeps no iouops exit record\n");
	return IOUOPS_EXIT_OK;
}

/* --print, --expect and --shm-type, checked before anything is created. */
static int check_results_args(struct iou_prog *p, struct load_args *a)
{
	struct iou_var_info info;
	int i, err;

	for (i = 0; i < a->nr_prints; i++) {
		if (iou_prog_var_info(p, a->prints[i], &info)) {
			fprintf(stderr, "iouops: --print %s: %s\n", a->prints[i],
				iou_prog_error_msg(p));
			return IOUOPS_EXIT_BADSET;
		}
	}
	for (i = 0; i < a->nr_expects; i++) {
		err = iou_prog_var_encode(p, a->expect_paths[i],
					  a->expect_values[i], &a->expect_raw[i]);
		if (err) {
			fprintf(stderr, "iouops: --expect %s=%s: %s\n",
				a->expect_paths[i], a->expect_values[i],
				iou_prog_error_msg(p));
			return IOUOPS_EXIT_BADSET;
		}
	}
	return 0;
}

/* After the run: the --print values, then the first expectation that
 * did not hold (one line, IOUOPS_EXIT_EXPECT), or 0. */
static int print_and_check(struct iou_prog *p, struct load_args *a)
{
	struct iou_var_info info;
	unsigned long long raw;
	char seen[32], want[32];
	int i;

	for (i = 0; i < a->nr_prints; i++) {
		if (iou_prog_var_read(p, a->prints[i], &raw, &info))
			continue;	/* resolved before load: cannot fail */
		iou_var_format(&info, raw, seen, sizeof(seen));
		printf("%s=%s\n", a->prints[i], seen);
	}
	for (i = 0; i < a->nr_expects; i++) {
		if (iou_prog_var_read(p, a->expect_paths[i], &raw, &info))
			continue;
		if (raw == a->expect_raw[i])
			continue;
		iou_var_format(&info, raw, seen, sizeof(seen));
		iou_var_format(&info, a->expect_raw[i], want, sizeof(want));
		fprintf(stderr, "iouops: expected %s=%s, got %s\n",
			a->expect_paths[i], want, seen);
		return IOUOPS_EXIT_EXPECT;
	}
	return 0;
}

static int run_load(struct load_args *a)
{
	struct stats_thread *st = NULL;
	struct run_timing t = { 0 };
	char path[PATH_MAX];
	struct iou_prog *p = NULL;
	volatile struct iou_ctl *ctl;
	int err, i, status;

	if (resolve_prog(a->prog, path, sizeof(path))) {
		fprintf(stderr, "iouops: no program named '%s' (looked in the "
			"progs/ folder next to iouops and $IOUOPS_PROGS_DIR)\n",
			a->prog);
		return IOUOPS_EXIT_NOFILE;
	}
	/* From here on a signal must not kill us with a half-made ring:
	 * before the loop runs it only aborts the start-up. */
	err = install_signals();
	if (err) {
		fprintf(stderr, "iouops: sigaction: %s\n", strerror(-err));
		return IOUOPS_EXIT_FAIL;
	}
	err = iou_prog_open(path, &a->opts, &p);
	if (err)
		return load_open_status_shm(path, err, a->shm_type);
	if (a->shm_type && iou_prog_set_shm_type(p, a->shm_type)) {
		fprintf(stderr, "iouops: %s\n", iou_prog_error_msg(p));
		status = IOUOPS_EXIT_SHMTYPE;
		goto out;
	}
	for (i = 0; i < a->nr_sets; i++) {
		err = iou_prog_set(p, a->set_names[i], a->set_values[i]);
		if (err) {
			status = load_set_status(p, a->set_names[i],
						 a->set_values[i], err);
			goto out;
		}
	}
	status = check_results_args(p, a);
	if (status)
		goto out;
	for (i = 0; i < a->nr_files; i++) {
		err = iou_prog_set_file(p, a->files[i].name, a->files[i].path,
					a->files[i].mode);
		if (err) {
			status = load_file_status(a->files[i].name, a->files[i].path,
					     a->files[i].mode, err);
			goto out;
		}
	}
	err = iou_prog_load(p);
	if (err && signals_seen) {
		/* the verifier gives up on a pending signal: not a rejection */
		fprintf(stderr, "iouops: interrupted while loading %s\n", path);
		status = IOUOPS_EXIT_SIGNAL;
		goto out;
	}
	if (err) {
		status = load_load_status(p, err, path);
		goto out;
	}
	running_prog = p;
	if (signals_seen) {
		fprintf(stderr, "iouops: interrupted before the program started\n");
		status = IOUOPS_EXIT_SIGNAL;
		goto out;
	}
	err = iou_prog_attach(p);
	if (err) {
		status = load_attach_status(p, err);
		goto out;
	}
	ctl = iou_prog_ctl(p);
	if (!iou_prog_listen_addr(p, path, sizeof(path)))
		printf("listening on %s\n", path);	/* the real port of :0 */
	if (a->verbose) {
		const struct iou_layout *l = iou_prog_layout(p);

		fprintf(stderr, "iouops: running %s from %s: ring fd %d, sq %u, "
			"cq %u, %s, shm %zu KiB\n", iou_prog_name(p), path,
			iou_prog_ring_fd(p), l->sq_entries, l->cq_entries,
			l->setup_flags & (1U << 20) ? "sq-rewind" : "sq-array",
			iou_prog_shm_size(p) / 1024);
	}
	if (a->stats_interval && ctl)
		st = stats_thread_start(ctl, a->stats_interval);
	getrusage(RUSAGE_THREAD, &t.ru_start);
	t.run_start = iouops_now_ns();
	err = iou_prog_run(p);
	t.run_end = iouops_now_ns();
	getrusage(RUSAGE_THREAD, &t.ru_end);
	stats_thread_stop(st);
	iou_prog_detach(p);
	t.detach_end = iouops_now_ns();
	if (err == -EINTR && !ctl && signals_seen == 1) {
		/* --shm-type: the first signal ends the enter; that is how
		 * such a run is stopped, not a failure */
		fprintf(stderr, "iouops: interrupted: detached (no control "
			"block to ask the program to stop)\n");
		err = 0;
	}
	if (err) {
		status = load_run_status(err);
		if (ctl)
			iouops_print_counters(ctl);
		goto out;
	}
	status = report_exit(p, ctl, (double)(t.run_end - t.run_start) / 1e9);
	if (a->nr_prints || a->nr_expects) {
		int checked = print_and_check(p, a);

		/* with --expect, the expectations decide */
		if (a->nr_expects)
			status = checked ? checked : IOUOPS_EXIT_OK;
	}
	if (a->timing && ctl)
		print_timing(p, ctl, &t);
out:
	running_prog = NULL;
	iou_prog_close(p);
	fflush(stdout);
	return status;
}

enum { OPT_SET = 256, OPT_SQ, OPT_CQ, OPT_SHM, OPT_REWIND, OPT_SQARRAY,
       OPT_NODEFER, OPT_STATS, OPT_TIMING, OPT_LISTEN, OPT_IN, OPT_OUT, OPT_SRC, OPT_DST,
       OPT_SHM_TYPE, OPT_PRINT, OPT_EXPECT, OPT_CQE32, OPT_ZCRX, OPT_ROOT };

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
	return 0;
}

int cmd_load(int argc, char **argv)
{
	struct load_args a;
	int status;

	memset(&a, 0, sizeof(a));
	status = load_parse_args(argc, argv, &a);
	if (status)
		return status;
	if (a.help) {
		iouops_usage(stdout);
		return IOUOPS_EXIT_OK;
	}
	return run_load(&a);
}
