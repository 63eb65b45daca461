// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * cmd_load_shards.c - `iouops load PROG --shards N|auto`: one copy of the
 * program per CPU through the library's shards (iouops.h, shards.c), each
 * with its own thread, ring, region and struct_ops map.
 *
 * What it prints: "shards: N on CPUs ...", then "listening on ADDR:PORT"
 * for a server (every shard listens there, SO_REUSEPORT); --stats and the
 * report give a line per shard, "shard N: ...", and a total. Each shard
 * keeps its own exit record and gets its own exit status, as a lone
 * program would; the command's status is the worst of them, in this order
 * (worst first): a corrupt exit record, an error exit, a failed enter,
 * an --expect that did not hold, a second signal, success. A shard that
 * fails stops the others: one line names it and why.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"

/* The order in which the shards' statuses make the command's (higher is
 * worse); a status not in the list counts as a failed enter. */
static int status_rank(int status)
{
	switch (status) {
	case IOUOPS_EXIT_OK: return 0;
	case IOUOPS_EXIT_SIGNAL: return 1;
	case IOUOPS_EXIT_EXPECT: return 2;
	case IOUOPS_EXIT_PROG_ERROR: return 4;
	case IOUOPS_EXIT_CORRUPT: return 5;
	default: return 3;
	}
}

static const char *status_meaning(int status)
{
	const struct iouops_exit_status_desc *t;
	size_t i, nr;

	t = iouops_exit_status_table(&nr);
	for (i = 0; i < nr; i++)
		if (t[i].code == status)
			return t[i].meaning;
	return "?";
}

static void shard_prefix(char *buf, size_t len, unsigned i)
{
	snprintf(buf, len, "shard %u: ", i);
}

/* Open, refuse what cannot be sharded, --set, --print/--expect: 0 or an
 * exit status after one line. */
static int prepare(struct load_args *a, const char *path,
		   struct iou_shards **out)
{
	struct iou_shards_opts so = { .nr = a->shards, .steer = a->steer };
	int err, i, ncpus = iou_shards_usable_cpus();
	struct iou_prog *p0;
	char why[256];

	if (ncpus > 0 && a->shards > (unsigned)ncpus)
		fprintf(stderr, "iouops: --shards %u: more shards than the %d "
			"CPUs this process may run on: they share CPUs\n",
			a->shards, ncpus);
	err = iou_shards_open(path, &a->opts, &so, out);
	if (err)
		return load_open_status(path, err);
	p0 = iou_shards_prog(*out, 0);
	err = iou_prog_shardable(p0, why, sizeof(why));
	if (!err && a->nr_files) {
		snprintf(why, sizeof(why), "it has --in/--out files, which "
			 "every shard would read and write");
		err = -EINVAL;
	}
	if (err) {
		fprintf(stderr, "iouops: --shards: %s cannot be sharded: %s\n",
			a->prog, why);
		return IOUOPS_EXIT_NOSHARD;
	}
	for (i = 0; i < a->nr_sets; i++) {
		err = iou_shards_set(*out, a->set_names[i], a->set_values[i]);
		if (err)	/* every shard has the same globals: shard 0's */
			return load_set_status(p0, a->set_names[i],
					       a->set_values[i], err);
	}
	return load_check_results_args(p0, a);
}

/* A failed iou_shards_load(): one line, naming the shard unless it is
 * the address they all share. */
static int load_failed(struct iou_shards *s, int err, const char *path)
{
	int k = iou_shards_failed(s), status;
	struct iou_prog *p = iou_shards_prog(s, k < 0 ? 0 : (unsigned)k);
	enum iou_stage stage = iou_prog_error_stage(p);
	char prefix[32] = "";

	if (load_signals_seen()) {
		/* the verifier gives up on a pending signal: not a rejection */
		fprintf(stderr, "iouops: interrupted while loading %s\n", path);
		return IOUOPS_EXIT_SIGNAL;
	}
	if (k > 0 || (k == 0 && stage != IOU_STAGE_LISTEN))
		shard_prefix(prefix, sizeof(prefix), (unsigned)k);
	load_status_prefix(prefix);
	status = stage == IOU_STAGE_ATTACH ? load_attach_status(p, err) :
		 load_load_status(p, err, path);
	load_status_prefix("");
	return status;
}

static void print_started(struct iou_shards *s)
{
	unsigned i, n = iou_shards_count(s);
	char addr[80];

	printf("shards: %u on CPUs", n);
	for (i = 0; i < n; i++)
		printf("%s%d", i ? "," : " ", iou_shards_cpu(s, i));
	printf("\n");
	if (!iou_prog_listen_addr(iou_shards_prog(s, 0), addr, sizeof(addr)))
		printf("listening on %s\n", addr);	/* the real port of :0 */
}

/* One shard's end: its lines and its exit status. */
static int report_shard(struct iou_shards *s, unsigned i,
			struct load_args *a, bool forced)
{
	struct iou_prog *p = iou_shards_prog(s, i);
	volatile struct iou_ctl *ctl = iou_prog_ctl(p);
	int err = iou_shards_run_result(s, i), status, checked;
	struct iou_shard_timing t;
	char prefix[32];

	shard_prefix(prefix, sizeof(prefix), i);
	iou_shards_timing(s, i, &t);
	if (err == -EINTR && forced) {
		iouops_print_counters(prefix, ctl);
		return IOUOPS_EXIT_SIGNAL;	/* said once, for all */
	}
	if (err) {
		load_status_prefix(prefix);
		status = load_run_status(err);
		load_status_prefix("");
		iouops_print_counters(prefix, ctl);
		return status;
	}
	status = load_report_exit(prefix, p, ctl,
				  (double)(t.run_end_ns - t.run_start_ns) / 1e9);
	if (a->nr_prints || a->nr_expects) {
		checked = load_print_and_check(prefix, p, a);
		if (a->nr_expects)	/* the expectations decide */
			status = checked ? checked : IOUOPS_EXIT_OK;
	}
	return status;
}

/* The shard that failed first and stopped the others: one line. */
static void report_failed(struct iou_shards *s, bool forced)
{
	int k = iou_shards_failed(s), err;
	char line[IOU_REPORT_LEN];

	if (k < 0)
		return;
	err = iou_shards_run_result(s, (unsigned)k);
	if (err && !(err == -EINTR && forced))
		snprintf(line, sizeof(line), "io_uring_enter: %s",
			 strerror(-err));
	else
		iou_exit_format(iou_prog_ctl(iou_shards_prog(s, (unsigned)k)),
				line, sizeof(line));
	fprintf(stderr, "iouops: shard %d failed (%s): the other shards were "
		"stopped\n", k, line);
}

/* --timing: a line per shard, then the whole: from main() to the last
 * shard's first step. */
static void report_timing(struct iou_shards *s,
			  volatile struct iou_ctl *const *ctls)
{
	unsigned i, n = iou_shards_count(s);
	unsigned long long last = 0;
	struct iou_shard_timing st;
	struct run_timing t;
	char prefix[32];

	for (i = 0; i < n; i++) {
		iou_shards_timing(s, i, &st);
		t.run_start = st.run_start_ns;
		t.run_end = st.run_end_ns;
		t.detach_end = st.detach_end_ns;
		t.sleeps = st.sleeps;
		t.preempted = st.preempted;
		shard_prefix(prefix, sizeof(prefix), i);
		print_timing(prefix, iou_shards_prog(s, i), ctls[i], &t);
		if (ctls[i]->first_step_ns > last)
			last = ctls[i]->first_step_ns;
	}
	if (last > iouops_start_ns)
		printf("timing: shards=%u load_ms=%.3f (main() to the last "
		       "shard's first step)\n", n,
		       (double)(last - iouops_start_ns) / 1e6);
}

static int report(struct iou_shards *s, struct load_args *a,
		  volatile struct iou_ctl *const *ctls)
{
	unsigned i, n = iou_shards_count(s);
	bool forced = load_signals_seen() >= 2;
	unsigned long long steps = 0, longest = 0;
	int worst = IOUOPS_EXIT_OK, status;
	struct iou_shard_timing t;

	for (i = 0; i < n; i++) {
		status = report_shard(s, i, a, forced);
		if (status_rank(status) > status_rank(worst))
			worst = status;
		iou_shards_timing(s, i, &t);
		steps += ctls[i]->steps;
		if (t.run_end_ns - t.run_start_ns > longest)
			longest = t.run_end_ns - t.run_start_ns;
	}
	iouops_print_total(ctls, n);
	printf("total: steps: %llu  time: %.3f s\n", steps,
	       (double)longest / 1e9);
	report_failed(s, forced);
	if (worst == IOUOPS_EXIT_SIGNAL)
		load_run_status(-EINTR);	/* "second signal: ..." */
	printf("overall: exit status %d, the worst of %u shards (%s)\n", worst,
	       n, status_meaning(worst));
	if (a->timing)
		report_timing(s, ctls);
	return worst;
}

int run_load_shards(struct load_args *a, const char *path)
{
	volatile struct iou_ctl **ctls = NULL;
	struct stats_thread *st = NULL;
	struct iou_shards *s = NULL;
	int err, status;
	unsigned i, n;

	status = prepare(a, path, &s);
	if (status)
		goto out;
	load_watch(NULL, s);
	err = iou_shards_load(s);
	if (err) {
		status = load_failed(s, err, path);
		goto out;
	}
	n = iou_shards_count(s);
	ctls = calloc(n, sizeof(*ctls));
	if (!ctls) {
		fprintf(stderr, "iouops: %s\n", strerror(ENOMEM));
		status = IOUOPS_EXIT_FAIL;
		goto out;
	}
	for (i = 0; i < n; i++)
		ctls[i] = iou_prog_ctl(iou_shards_prog(s, i));
	print_started(s);
	fflush(stdout);
	if (a->stats_interval)
		st = stats_thread_start(ctls, n, true, a->stats_interval);
	iou_shards_run(s);	/* each shard's result: report() */
	stats_thread_stop(st);
	status = report(s, a, ctls);
out:
	load_watch(NULL, NULL);
	iou_shards_close(s);
	free(ctls);
	fflush(stdout);
	return status;
}
