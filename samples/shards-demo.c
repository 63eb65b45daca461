// SPDX-License-Identifier: GPL-2.0
/*
 * shards-demo: one loop per CPU from a loader of your own, with libiouops'
 * shards API (iouops.h): N copies of one program, each with its own
 * thread pinned to its own CPU, its own ring, shared region and
 * struct_ops map, and (for a server) its own socket in one SO_REUSEPORT
 * group on the --listen address.
 *
 *	shards-demo [-n N] [-l ADDR:PORT] [--steer cpu] PROG.bpf.o [NAME=VALUE...]
 *
 * NAME=VALUE pairs are set on every shard (as iouops load --set). It runs
 * until every shard's program stops (nops: when its NOPs are done; a
 * server: at Ctrl-C, which asks every shard to stop; a second Ctrl-C
 * detaches them all at once), then prints each shard's counters and exit
 * line, and the total. Exit 0 when every shard ended done or stopped,
 * 1 otherwise (or when it could not start, after one line).
 *
 * The pattern, for a loader that needs nothing else:
 *
 *	iou_shards_open(path, &opts, &sopts, &s);	// N programs
 *	iou_shards_set(s, "max_conns", "4096");	// each shard
 *	iou_shards_load(s);	// threads: pin, load (verify), attach
 *	iou_shards_run(s);	// until every loop has stopped
 *	... iou_prog_ctl(iou_shards_prog(s, i)) has shard i's end ...
 *	iou_shards_close(s);
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iouops.h"

static struct iou_shards *volatile shards;
static volatile sig_atomic_t signals;

static void on_signal(int sig)
{
	(void)sig;
	if (!shards)
		return;
	if (++signals == 1)
		iou_shards_request_stop(shards);	/* every shard winds down */
	else
		iou_shards_force_stop(shards);		/* detach at once */
}

static void usage(void)
{
	fprintf(stderr, "usage: shards-demo [-n N] [-l ADDR:PORT] [--steer cpu] "
		"PROG.bpf.o [NAME=VALUE...]\n");
}

/* Shard i's counters and exit line; true when it ended done or stopped. */
static bool report(struct iou_shards *s, unsigned i)
{
	volatile struct iou_ctl *ctl = iou_prog_ctl(iou_shards_prog(s, i));
	char line[IOU_REPORT_LEN];
	int kind, err = iou_shards_run_result(s, i);

	iou_counters_format(ctl, line, sizeof(line));
	printf("shard %u (cpu %d): %s\n", i, iou_shards_cpu(s, i), line);
	kind = iou_exit_format(ctl, line, sizeof(line));
	printf("shard %u (cpu %d): %s%s%s\n", i, iou_shards_cpu(s, i), line,
	       err ? "; enter: " : "", err ? strerror(-err) : "");
	return !err && (kind == IOU_EXIT_DONE || kind == IOU_EXIT_STOPPED);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "steer", required_argument, NULL, 's' },
		{ 0 },
	};
	struct iou_shards_opts sopts = { 0 };
	volatile const struct iou_ctl *ctls[IOU_SHARDS_MAX];
	struct iou_opts opts = { .sq_rewind = -1 };
	struct sigaction sa = { .sa_handler = on_signal };
	char line[IOU_REPORT_LEN], *eq;
	struct iou_shards *s = NULL;
	bool ok = true;
	unsigned i;
	int c, err, k;

	while ((c = getopt_long(argc, argv, "n:l:", longopts, NULL)) != -1) {
		switch (c) {
		case 'n':
			sopts.nr = (unsigned)atoi(optarg);
			break;
		case 'l':
			opts.listen = optarg;
			break;
		case 's':
			sopts.steer = strcmp(optarg, "cpu") ? IOU_STEER_HASH :
				      IOU_STEER_CPU;
			break;
		default:
			usage();
			return 1;
		}
	}
	if (optind >= argc) {
		usage();
		return 1;
	}
	/* no SA_RESTART: a signal must reach the waiting thread */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	err = iou_shards_open(argv[optind], &opts, &sopts, &s);
	if (err) {
		fprintf(stderr, "shards-demo: %s: %s\n", argv[optind],
			strerror(-err));
		return 1;
	}
	err = iou_prog_shardable(iou_shards_prog(s, 0), line, sizeof(line));
	if (err) {
		fprintf(stderr, "shards-demo: cannot be sharded: %s\n", line);
		goto out;
	}
	for (k = optind + 1; k < argc && !err; k++) {
		eq = strchr(argv[k], '=');
		if (!eq) {
			usage();
			err = -EINVAL;
			goto out;
		}
		*eq = '\0';
		err = iou_shards_set(s, argv[k], eq + 1);
		if (err)
			fprintf(stderr, "shards-demo: %s: %s\n", argv[k],
				iou_prog_error_msg(iou_shards_prog(s, 0)));
	}
	if (err)
		goto out;
	shards = s;
	err = iou_shards_load(s);
	if (err) {
		k = iou_shards_failed(s);
		fprintf(stderr, "shards-demo: shard %d: %s%s%s\n", k,
			strerror(-err), k >= 0 ? ": " : "",
			k >= 0 ? iou_prog_error_msg(iou_shards_prog(s, (unsigned)k)) : "");
		goto out;
	}
	printf("%u shards", iou_shards_count(s));
	if (!iou_prog_listen_addr(iou_shards_prog(s, 0), line, sizeof(line)))
		printf(", listening on %s", line);
	printf("\n");
	fflush(stdout);

	iou_shards_run(s);	/* every shard's own result: report() */
	for (i = 0; i < iou_shards_count(s); i++) {
		ok &= report(s, i);
		ctls[i] = iou_prog_ctl(iou_shards_prog(s, i));
	}
	iou_counters_total_format(ctls, iou_shards_count(s), line, sizeof(line));
	printf("total: %s\n", line);
	if (iou_shards_failed(s) >= 0)
		printf("shard %d failed first; the others were stopped\n",
		       iou_shards_failed(s));
out:
	shards = NULL;
	iou_shards_close(s);
	return err || !ok ? 1 : 0;
}
