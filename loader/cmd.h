/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * cmd.h - the commands of the `iouops` program: one file per command
 * (cmd_NAME.c), found through the table in main.c. Part of the command,
 * not of libiouops: these print, spawn and exec.
 */
#ifndef IOUOPS_CMD_H
#define IOUOPS_CMD_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/resource.h>

#include "exit_status.h"
#include "iouops.h"

/*
 * One command: `iouops NAME ARGS...` calls run(argc, argv) with argv[0] =
 * NAME. It returns an exit status (exit_status.h). args and help
 * make its line of `iouops --help`.
 */
struct iouops_cmd {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *args;	/* "PROG [options]" */
	const char *help;	/* one line: what it does */
};

int cmd_load(int argc, char **argv);	/* cmd_load.c */
int cmd_probe(int argc, char **argv);	/* cmd_probe.c */
int cmd_stat(int argc, char **argv);	/* cmd_stat.c */
int cmd_new(int argc, char **argv);	/* cmd_new.c */
int cmd_build(int argc, char **argv);	/* cmd_build.c */
int cmd_vm(int argc, char **argv);	/* cmd_vm.c */
int cmd_get_kernel(int argc, char **argv);	/* cmd_get_kernel.c */
int cmd_inspect(int argc, char **argv);	/* cmd_inspect.c */

/* main.c: `iouops --help` (the command table, load's options, the exit
 * statuses). */
void iouops_usage(FILE *f);

/* cmd_util.c: the CLOCK_MONOTONIC ns at which main() started; a number
 * option (prints one line and returns -EINVAL when it is not one); a
 * program's counters. */
extern unsigned long long iouops_start_ns;
unsigned long long iouops_now_ns(void);
int iouops_parse_uint(const char *opt, const char *s, unsigned *out);
/* After getopt_long() returned '?': the option it refused, as typed
 * ("-x" from "-xv", "--bogus", "--set" without its value); buf holds a
 * short option's text. */
const char *iouops_bad_option(char **argv, char buf[3]);
/* "PREFIXcounters: a=1 b=2" (sanitised) on stdout, nothing when there are
 * none; PREFIX is "" or names a shard ("shard 1: "). */
void iouops_print_counters(const char *prefix, volatile struct iou_ctl *ctl);
/* "total: counters: ..." of several control blocks (shards), added up as
 * iou_counters_total_format() does. */
void iouops_print_total(volatile struct iou_ctl *const *ctls, size_t n);

/* cmd_home.c: where this iouops lives (an install prefix or a source
 * tree), for the commands that need its headers and scripts. */
struct iouops_home {
	char root[PATH_MAX];	/* PREFIX, or the tree's top folder */
	char bindir[PATH_MAX];	/* the folder of the running binary */
	char exe[PATH_MAX];
	bool installed;
};
/* 0, or a one-line complaint and IOUOPS_EXIT_NOTOOL. */
int iouops_find_home(struct iouops_home *h);
/* The folders to pass as -I for iouops.bpf.h, iouops_shared.h, vmlinux.h,
 * space-separated. IOUOPS_BPF_INC overrides them. */
void iouops_bpf_include_dirs(const struct iouops_home *h, char *out,
			     size_t len);
/* Exec the helper script NAME of the tree (scripts/NAME) or of the
 * install (PREFIX/lib/iouops/NAME) with pre[] and then argv[1..]; returns
 * an exit status only when that fails. */
int iouops_exec_script(const struct iouops_home *h, const char *name,
		       char **pre, int nr_pre, int argc, char **argv);

/* cmd_load_args.c: load's options, as `iouops --help` prints them. */
extern const char load_options[];

/* cmd_load_args.c: load's command line. */
#define MAX_SETS 64

struct load_args {
	const char *prog;
	struct iou_opts opts;
	const char *set_names[MAX_SETS];
	const char *set_values[MAX_SETS];
	int nr_sets;
	struct { const char *name, *path; enum iou_file_mode mode; } files[MAX_SETS];
	int nr_files;
	const char *shm_type;		/* --shm-type TYPE */
	const char *prints[MAX_SETS];	/* --print PATH */
	int nr_prints;
	const char *expect_paths[MAX_SETS];	/* --expect PATH=VALUE */
	const char *expect_values[MAX_SETS];
	unsigned long long expect_raw[MAX_SETS];
	int nr_expects;
	unsigned stats_interval;	/* seconds; 0: no live stats */
	unsigned shards;		/* --shards N; 0: not sharded */
	bool shards_auto;		/* --shards auto: one per CPU */
	enum iou_steer steer;		/* --steer hash|cpu */
	bool steer_given;
	bool verbose;
	bool timing;			/* --timing: print load/run costs */
	bool help;			/* -h: print the usage, nothing else */
};
/* Parse `load ARGS...` (argv[0] = "load", a is zeroed) into a: 0, or the
 * exit status of a bad command line after one line on stderr. Nothing
 * else happens (it writes only into a and the '=' of argv's NAME=VALUE
 * strings), so fuzz/cli.c calls it directly. */
int load_parse_args(int argc, char **argv, struct load_args *a);

/* cmd_load.c, shared with cmd_load_shards.c: the program's path from
 * PROG; the signal handlers (the first SIGINT/SIGTERM asks the program, or
 * every shard, to stop, a second detaches), which act on what
 * load_watch() named; --print/--expect checked before load, and done after
 * the run with each line prefixed (PREFIX "" or "shard N: "); how a
 * program ended, as its exit status. */
int load_resolve_prog(const char *name, char *out, size_t len);
int load_install_signals(void);
struct iou_shards;
void load_watch(struct iou_prog *p, struct iou_shards *s);
int load_signals_seen(void);
int load_check_results_args(struct iou_prog *p, struct load_args *a);
int load_print_and_check(const char *prefix, struct iou_prog *p,
			 struct load_args *a);
int load_report_exit(const char *prefix, struct iou_prog *p,
		     volatile struct iou_ctl *ctl, double secs);

/* cmd_load_shards.c: `load --shards`; PATH is the resolved program. */
int run_load_shards(struct load_args *a, const char *path);

/* cmd_load_status.c: the one line and exit status of each way `load`
 * fails. Lines start "iouops: PREFIX" (load_status_prefix(), "" unless a
 * shard is named: "shard 1: "). */
struct iou_prog;
void load_status_prefix(const char *prefix);
int load_open_status(const char *path, int err);
/* the same for `load --shm-type SHM_TYPE` (NULL: none given) */
int load_open_status_shm(const char *path, int err, const char *shm_type);
int load_set_status(struct iou_prog *p, const char *name, const char *value,
		    int err);
int load_file_status(const char *name, const char *path,
		     enum iou_file_mode mode, int err);
int load_load_status(struct iou_prog *p, int err, const char *path);
int load_attach_status(struct iou_prog *p, int err);
int load_run_status(int err);

/* cmd_load_stats.c: --stats (counters every SECS seconds from a thread:
 * one control block, or N shards' with a line each and their total) and
 * --timing (one line of where the time went). */
struct stats_thread;
struct stats_thread *stats_thread_start(volatile struct iou_ctl *const *ctls,
					size_t n, bool sharded,
					unsigned interval);
void stats_thread_stop(struct stats_thread *st);	/* NULL is fine */
struct run_timing {
	unsigned long long run_start, run_end, detach_end;
	long sleeps, preempted;	/* the running thread, around the run */
};
void print_timing(const char *prefix, const struct iou_prog *p,
		  volatile struct iou_ctl *ctl, const struct run_timing *t);

#endif /* IOUOPS_CMD_H */
