// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * cmd_load_stats.c - what `iouops load` prints while and after a program
 * runs besides its exit: the counters every SECS seconds (--stats, from a
 * thread that only reads shared memory) and one line of where the time
 * went (--timing).
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "cmd.h"

struct stats_thread {
	pthread_t thread;
	volatile struct iou_ctl *const *ctls;
	size_t n;
	bool sharded;
	unsigned interval;
	volatile bool done;
};

static void *stats_main(void *arg)
{
	struct stats_thread *st = arg;
	unsigned ticks = 0;
	char prefix[32] = "";
	size_t i;

	while (!st->done) {
		struct timespec ts = { 0, 100 * 1000 * 1000 };

		nanosleep(&ts, NULL);
		if (++ticks < st->interval * 10)
			continue;
		ticks = 0;
		for (i = 0; i < st->n; i++) {
			if (st->sharded)
				snprintf(prefix, sizeof(prefix), "shard %zu: ", i);
			iouops_print_counters(prefix, st->ctls[i]);
		}
		if (st->sharded)
			iouops_print_total(st->ctls, st->n);
		fflush(stdout);
	}
	return NULL;
}

struct stats_thread *stats_thread_start(volatile struct iou_ctl *const *ctls,
					size_t n, bool sharded,
					unsigned interval)
{
	struct stats_thread *st = calloc(1, sizeof(*st));

	if (!st)
		return NULL;
	st->ctls = ctls;
	st->n = n;
	st->sharded = sharded;
	st->interval = interval;
	if (pthread_create(&st->thread, NULL, stats_main, st)) {
		free(st);
		return NULL;
	}
	return st;
}

void stats_thread_stop(struct stats_thread *st)
{
	if (!st)
		return;
	st->done = true;
	pthread_join(st->thread, NULL);
	free(st);
}

static void print_ms(const char *name, unsigned long long from,
		     unsigned long long to)
{
	if (from && to >= from)
		printf(" %s_ms=%.3f", name, (double)(to - from) / 1e6);
	else
		printf(" %s_ms=-", name);
}

/*
 * One line of key=value pairs for `make bench` and for people: each load
 * phase, the first step (stamped by the program on the same clock), the
 * whole load from main() to the first step, the run, the detach, and how
 * often the run slept (voluntary context switches) or was preempted.
 */
void print_timing(const char *prefix, const struct iou_prog *p,
		  volatile struct iou_ctl *ctl, const struct run_timing *t)
{
	static const char *const names[IOU_NR_PHASES] = {
		"cli", "open", "probe", "ring", "region", "verify", "attach",
	};
	unsigned long long prev = iouops_start_ns, first = ctl->first_step_ns;
	int ph;

	printf("%stiming:", prefix);
	for (ph = IOU_PHASE_START; ph < IOU_NR_PHASES; ph++) {
		unsigned long long at = iou_prog_phase_ns(p, ph);

		print_ms(names[ph], prev, at);
		prev = at;
	}
	print_ms("first_step", prev, first);
	print_ms("load", iouops_start_ns, first);
	print_ms("run", t->run_start, t->run_end);
	print_ms("detach", t->run_end, t->detach_end);
	printf(" sleeps=%ld preempted=%ld\n", t->sleeps, t->preempted);
}
