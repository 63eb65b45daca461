// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * cmd_load.c - `iouops load PROG [options]`: open, set, load, attach and
 * run one loop program until it stops, then report how it ended. Signals:
 * the first SIGINT/SIGTERM asks the program to stop, a second detaches
 * (with --shm-type there is no control block: the first one detaches).
 * --print and --expect read globals and the region after the run; they
 * are resolved before anything is created, so a typo costs no ring.
 * Its command line: cmd_load_args.c; --shards: cmd_load_shards.c.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"

static struct iou_prog *volatile running_prog;
static struct iou_shards *volatile running_shards;
static volatile sig_atomic_t signals_seen;

static void on_signal(int sig)
{
	struct iou_shards *s = running_shards;
	struct iou_prog *p = running_prog;

	(void)sig;
	signals_seen++;
	if (s && signals_seen == 1)
		iou_shards_request_stop(s);
	else if (s)
		iou_shards_force_stop(s);
	else if (p && signals_seen == 1)
		iou_prog_request_stop(p);
	else if (p)
		iou_prog_force_stop(p);
}

int load_install_signals(void)
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

void load_watch(struct iou_prog *p, struct iou_shards *s)
{
	running_prog = p;
	running_shards = s;
}

int load_signals_seen(void)
{
	return signals_seen;
}

/* A bare name is looked up next to the binary: build/progs/ in the tree,
 * PREFIX/lib/iouops/progs/ when installed. */
int load_resolve_prog(const char *name, char *out, size_t len)
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
	const char *prefix;
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
	printf("%s%s=%s\n", sg->prefix, name, value);
	sg->shown++;
	return 0;
}

/* Counters and how the program ended; its exit turned into our status.
 * A program that keeps no iouops exit record (no control block with
 * --shm-type, or one it never wrote) shows its .bss/.data integers, so
 * the user sees what it did. */
int load_report_exit(const char *prefix, struct iou_prog *p,
		     volatile struct iou_ctl *ctl, double secs)
{
	struct shown_globals sg = { .prefix = prefix };
	char line[IOU_REPORT_LEN];
	int kind = IOU_EXIT_NONE;

	if (ctl) {
		iouops_print_counters(prefix, ctl);
		printf("%ssteps: %llu  time: %.3f s\n", prefix,
		       (unsigned long long)ctl->steps, secs);
		if (ctl->zcrx_flushes)	/* the loader's share of a --zcrx run */
			printf("%szcrx: flushes=%llu flush_ms=%.3f (refill queue, by the loader)\n",
			       prefix, (unsigned long long)ctl->zcrx_flushes,
			       (double)ctl->zcrx_flush_ns / 1e6);
		kind = iou_exit_format(ctl, line, sizeof(line));
	} else {
		printf("%stime: %.3f s\n", prefix, secs);	/* nobody counts steps */
	}
	if (kind != IOU_EXIT_NONE) {
		printf("%s%s\n", prefix, line);
		return kind == IOU_EXIT_ERROR ? IOUOPS_EXIT_PROG_ERROR :
		       kind < 0 ? IOUOPS_EXIT_CORRUPT : IOUOPS_EXIT_OK;
	}
	iou_prog_for_each_int_global(p, show_global, &sg);
	if (sg.more)
		printf("%s(%u more integer globals)\n", prefix, sg.more);
	printf("%sEXIT: program stopped; it keeps no iouops exit record\n",
	       prefix);
	return IOUOPS_EXIT_OK;
}

/* --print, --expect and --shm-type, checked before anything is created. */
int load_check_results_args(struct iou_prog *p, struct load_args *a)
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
int load_print_and_check(const char *prefix, struct iou_prog *p,
			 struct load_args *a)
{
	struct iou_var_info info;
	unsigned long long raw;
	char seen[32], want[32];
	int i;

	for (i = 0; i < a->nr_prints; i++) {
		if (iou_prog_var_read(p, a->prints[i], &raw, &info))
			continue;	/* resolved before load: cannot fail */
		iou_var_format(&info, raw, seen, sizeof(seen));
		printf("%s%s=%s\n", prefix, a->prints[i], seen);
	}
	for (i = 0; i < a->nr_expects; i++) {
		if (iou_prog_var_read(p, a->expect_paths[i], &raw, &info))
			continue;
		if (raw == a->expect_raw[i])
			continue;
		iou_var_format(&info, raw, seen, sizeof(seen));
		iou_var_format(&info, a->expect_raw[i], want, sizeof(want));
		fprintf(stderr, "iouops: %sexpected %s=%s, got %s\n", prefix,
			a->expect_paths[i], want, seen);
		return IOUOPS_EXIT_EXPECT;
	}
	return 0;
}

static int run_load(struct load_args *a)
{
	struct stats_thread *st = NULL;
	struct run_timing t = { 0 };
	struct rusage ru_start, ru_end;
	char path[PATH_MAX];
	struct iou_prog *p = NULL;
	volatile struct iou_ctl *ctl;
	int err, i, status;

	if (load_resolve_prog(a->prog, path, sizeof(path))) {
		fprintf(stderr, "iouops: no program named '%s' (looked in the "
			"progs/ folder next to iouops and $IOUOPS_PROGS_DIR)\n",
			a->prog);
		return IOUOPS_EXIT_NOFILE;
	}
	/* From here on a signal must not kill us with a half-made ring:
	 * before the loop runs it only aborts the start-up. */
	err = load_install_signals();
	if (err) {
		fprintf(stderr, "iouops: sigaction: %s\n", strerror(-err));
		return IOUOPS_EXIT_FAIL;
	}
	if (a->shards || a->shards_auto)
		return run_load_shards(a, path);
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
	status = load_check_results_args(p, a);
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
	load_watch(p, NULL);
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
		st = stats_thread_start(&ctl, 1, false, a->stats_interval);
	getrusage(RUSAGE_THREAD, &ru_start);
	t.run_start = iouops_now_ns();
	err = iou_prog_run(p);
	t.run_end = iouops_now_ns();
	getrusage(RUSAGE_THREAD, &ru_end);
	t.sleeps = ru_end.ru_nvcsw - ru_start.ru_nvcsw;
	t.preempted = ru_end.ru_nivcsw - ru_start.ru_nivcsw;
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
			iouops_print_counters("", ctl);
		goto out;
	}
	status = load_report_exit("", p, ctl,
				  (double)(t.run_end - t.run_start) / 1e9);
	if (a->nr_prints || a->nr_expects) {
		int checked = load_print_and_check("", p, a);

		/* with --expect, the expectations decide */
		if (a->nr_expects)
			status = checked ? checked : IOUOPS_EXIT_OK;
	}
	if (a->timing && ctl)
		print_timing("", p, ctl, &t);
out:
	load_watch(NULL, NULL);
	iou_prog_close(p);
	fflush(stdout);
	return status;
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
