// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * shards.c - one loop per CPU: N copies of one program, each loaded,
 * attached and run by its own thread pinned to its own CPU.
 *
 * Why a thread per shard does it all: the ring is SINGLE_ISSUER, and its
 * submitter is the task that creates it; registrations (region, buffer
 * ring, files) and every io_uring_enter() must come from that task. So a
 * shard's thread runs iou_prog_load() (ring, region, verifier) and
 * iou_prog_run() itself, and the caller's thread only orchestrates:
 *
 *   load:  [listeners, in one SO_REUSEPORT group]  ->  N threads: pin,
 *          load, attach, report, wait at the gate  ->  all attached?
 *   run:   open the gate; each thread runs its loop, detaches, reports;
 *          a shard that fails asks the others to stop.
 *
 * One object per shard, each verified on its own: the programs keep
 * per-connection state in .bss and their ring layout, listening socket
 * and region address in frozen .rodata, all of it per ring; one object
 * in N struct_ops maps would share them between loops running at the
 * same time (docs/loader.md has the measurement).
 *
 * The caller's thread is told what happened through one semaphore
 * (sem_post is async-signal-safe, so a stop request from a signal
 * handler wakes it too); each shard waits at its own gate.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>

#include "prog_internal.h"

#define DEFAULT_WAKE_SIGNAL	SIGURG	/* ignored by default: no side effect
					 * on processes that never see it */
#define FORCE_RESEND_MS		100

struct shard {
	struct iou_shards *s;
	unsigned idx;
	int cpu;
	struct iou_prog *p;
	pthread_t thread;
	bool started;		/* thread created (to join) */
	int alive;		/* thread running: may be signalled */
	sem_t gate;		/* posted when go or abort is decided */
	int load_err;
	int run_err;
	struct iou_shard_timing timing;
};

struct iou_shards {
	unsigned nr;
	struct iou_shards_opts sopts;
	struct shard *sh;
	sem_t events;		/* a shard loaded or ended; a stop request */
	int ready, ended;	/* shards that loaded (or failed to), ended */
	int go, abort;		/* the gate's verdict */
	int failed;		/* first shard to fail, -1: none */
	volatile sig_atomic_t stop_requested, force;
	bool loaded, ran;
};

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ULL +
	       (unsigned long long)ts.tv_nsec;
}

static int load_int(const int *v)
{
	return __atomic_load_n(v, __ATOMIC_ACQUIRE);
}

static void store_int(int *v, int x)
{
	__atomic_store_n(v, x, __ATOMIC_RELEASE);
}

/* The CPUs this thread may run on, in order; their number. */
static int usable_cpus(int *cpus, int max)
{
	cpu_set_t set;
	int cpu, n = 0;

	if (sched_getaffinity(0, sizeof(set), &set))
		return -errno;
	for (cpu = 0; cpu < CPU_SETSIZE && n < max; cpu++)
		if (CPU_ISSET(cpu, &set))
			cpus[n++] = cpu;
	return n;
}

int iou_shards_usable_cpus(void)
{
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof(set), &set))
		return -errno;
	return CPU_COUNT(&set);
}

int iou_prog_shardable(const struct iou_prog *p, char *why, size_t len)
{
	const int *fds;
	size_t size;
	void *ptr;
	__u32 v;

	if (len)
		why[0] = '\0';
	/* the program's own word first */
	if (!iou_global_find(p->obj, IOU_SYM_SHARDABLE, &ptr, &size) &&
	    size == sizeof(v)) {
		memcpy(&v, ptr, sizeof(v));
		if (v)
			return 0;
		snprintf(why, len, "it declares %s = 0", IOU_SYM_SHARDABLE);
		return -EINVAL;
	}
	if (iou_prog_kept_fds(p, &fds)) {
		snprintf(why, len, "it has --in/--out files, which every shard "
			 "would read and write");
		return -EINVAL;
	}
	if (!iou_global_find(p->obj, IOU_SYM_SRC_FD, &ptr, &size) ||
	    !iou_global_find(p->obj, IOU_SYM_DST_FD, &ptr, &size)) {
		snprintf(why, len, "it works on one pair of --in/--out files "
			 "(its globals %s, %s), which every shard would read "
			 "and write", IOU_SYM_SRC_FD, IOU_SYM_DST_FD);
		return -EINVAL;
	}
	return 0;
}

/* A program that declares `const volatile __u32 iou_shard` learns which
 * shard it is (its exit reasons can say so). */
static void set_shard_global(struct iou_prog *p, unsigned i)
{
	size_t size;
	void *ptr;
	__u32 v = i;

	if (!iou_global_find(p->obj, IOU_SYM_SHARD, &ptr, &size) &&
	    size == sizeof(v))
		memcpy(ptr, &v, sizeof(v));
}

int iou_shards_open(const char *path, const struct iou_opts *opts,
		    const struct iou_shards_opts *sopts,
		    struct iou_shards **out)
{
	int cpus[IOU_SHARDS_MAX], ncpus, err;
	struct iou_shards *s;
	unsigned i, nr;

	*out = NULL;
	ncpus = usable_cpus(cpus, IOU_SHARDS_MAX);
	if (ncpus <= 0)
		return ncpus ? ncpus : -ENODEV;
	nr = sopts && sopts->nr ? sopts->nr : (unsigned)ncpus;
	if (nr > IOU_SHARDS_MAX ||
	    (sopts && (sopts->steer > IOU_STEER_CPU || sopts->wake_signal < 0 ||
		       sopts->wake_signal >= NSIG ||
		       sopts->wake_signal == SIGKILL ||
		       sopts->wake_signal == SIGSTOP)))
		return -EINVAL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	if (sopts)
		s->sopts = *sopts;
	if (!s->sopts.wake_signal)
		s->sopts.wake_signal = DEFAULT_WAKE_SIGNAL;
	s->failed = -1;
	s->sh = calloc(nr, sizeof(*s->sh));
	/* semaphores of a private process take no resource: no failure */
	sem_init(&s->events, 0, 0);
	if (!s->sh) {
		err = -ENOMEM;
		goto fail;
	}
	s->nr = nr;
	for (i = 0; i < nr; i++) {
		s->sh[i].s = s;
		s->sh[i].idx = i;
		s->sh[i].cpu = cpus[i % (unsigned)ncpus];	/* more: they share */
		sem_init(&s->sh[i].gate, 0, 0);
	}
	for (i = 0; i < nr; i++) {
		err = iou_prog_open(path, opts, &s->sh[i].p);
		if (err)
			goto fail;
		s->sh[i].p->shard = (int)i;
		set_shard_global(s->sh[i].p, i);
	}
	*out = s;
	return 0;
fail:
	iou_shards_close(s);
	return err;
}

unsigned iou_shards_count(const struct iou_shards *s)
{
	return s->nr;
}

struct iou_prog *iou_shards_prog(const struct iou_shards *s, unsigned i)
{
	return i < s->nr ? s->sh[i].p : NULL;
}

int iou_shards_cpu(const struct iou_shards *s, unsigned i)
{
	return i < s->nr ? s->sh[i].cpu : -EINVAL;
}

int iou_shards_set(struct iou_shards *s, const char *name, const char *value)
{
	unsigned i;
	int err;

	for (i = 0; i < s->nr; i++) {
		err = iou_prog_set(s->sh[i].p, name, value);
		if (err)
			return err;
	}
	return 0;
}

/* ---- load: listeners, then a thread per shard ---- */

/*
 * For a program with listen_fd/udp_fd: one socket per shard, all in one
 * SO_REUSEPORT group on the --listen address. Port 0: the first shard's
 * bind picks the port, the others bind to that one. A failure is the
 * shard's whose socket it was (shard 0's: the address itself).
 */
static int open_listeners(struct iou_shards *s)
{
	struct iou_prog *p0 = s->sh[0].p;
	const char *var = iou_listen_var(p0->obj);
	struct sockaddr_storage addr;
	char spec[80];
	unsigned i;
	int fd;

	fd = iou_listen_check(p0->obj, &p0->opts, &p0->fail);
	if (fd) {	/* --listen missing, or given for nothing: once */
		s->failed = 0;
		return fd;
	}
	if (!var)
		return 0;
	snprintf(spec, sizeof(spec), "%s", p0->opts.listen);
	for (i = 0; i < s->nr; i++) {
		struct shard *sh = &s->sh[i];

		fd = iou_listen_open(spec, !strcmp(var, IOU_SYM_UDP_FD), true,
				     s->sopts.steer == IOU_STEER_CPU ? sh->cpu : -1,
				     &addr, &sh->p->fail);
		if (fd < 0) {
			s->failed = (int)i;
			return fd;
		}
		sh->p->listen_preset = fd;
		if (!i)	/* the address the others join */
			iou_format_sockaddr(&addr, spec, sizeof(spec));
	}
	return 0;
}

static void noop_handler(int sig)
{
	(void)sig;
}

/* The wake signal must interrupt io_uring_enter(): a handler (ours does
 * nothing) without SA_RESTART. A handler the caller installed stays. */
static int install_wake_handler(int sig)
{
	struct sigaction sa, old;

	if (sigaction(sig, NULL, &old))
		return -errno;
	if (old.sa_handler != SIG_DFL && old.sa_handler != SIG_IGN)
		return 0;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = noop_handler;
	sigemptyset(&sa.sa_mask);
	return sigaction(sig, &sa, NULL) ? -errno : 0;
}

static void wake(struct shard *sh)
{
	if (sh->started && load_int(&sh->alive))
		pthread_kill(sh->thread, sh->s->sopts.wake_signal);
}

static bool program_failed(struct iou_prog *p, int run_err, bool forced)
{
	volatile struct iou_ctl *ctl = iou_prog_ctl(p);
	int kind;

	if (run_err && !(run_err == -EINTR && forced))
		return true;
	if (!ctl)
		return false;
	kind = __atomic_load_n(&ctl->exit.kind, __ATOMIC_ACQUIRE);
	return kind != IOU_EXIT_NONE && kind != IOU_EXIT_DONE &&
	       kind != IOU_EXIT_STOPPED;
}

/* The first shard to fail (in time) is the one reported; true for it. */
static bool first_to_fail(struct shard *sh)
{
	int none = -1;

	return __atomic_compare_exchange_n(&sh->s->failed, &none, (int)sh->idx,
					   false, __ATOMIC_ACQ_REL,
					   __ATOMIC_ACQUIRE);
}

static void run_shard(struct shard *sh)
{
	struct iou_shards *s = sh->s;
	struct rusage ru0, ru1;
	unsigned i;

	getrusage(RUSAGE_THREAD, &ru0);
	sh->timing.run_start_ns = now_ns();
	sh->run_err = iou_prog_run(sh->p);
	sh->timing.run_end_ns = now_ns();
	getrusage(RUSAGE_THREAD, &ru1);
	iou_prog_detach(sh->p);
	sh->timing.detach_end_ns = now_ns();
	sh->timing.sleeps = ru1.ru_nvcsw - ru0.ru_nvcsw;
	sh->timing.preempted = ru1.ru_nivcsw - ru0.ru_nivcsw;
	if (!program_failed(sh->p, sh->run_err, s->force) || !first_to_fail(sh))
		return;
	/* a shard that failed stops the others */
	for (i = 0; i < s->nr; i++) {
		if (i == sh->idx)
			continue;
		iou_prog_request_stop(s->sh[i].p);
		wake(&s->sh[i]);
	}
}

static void *shard_main(void *arg)
{
	struct shard *sh = arg;
	struct iou_shards *s = sh->s;
	cpu_set_t set;
	int err;

	CPU_ZERO(&set);
	CPU_SET(sh->cpu, &set);
	if (pthread_setaffinity_np(pthread_self(), sizeof(set), &set))
		iou_logf(&sh->p->opts, IOU_LOG_INFO, "shard %u: cannot pin to "
			 "CPU %d: running unpinned", sh->idx, sh->cpu);
	/* the ring's submitter is this thread: it loads, and it enters */
	err = iou_prog_load(sh->p);
	if (!err)
		err = iou_prog_attach(sh->p);
	store_int(&sh->load_err, err);
	if (err)
		first_to_fail(sh);
	__atomic_add_fetch(&s->ready, 1, __ATOMIC_ACQ_REL);
	sem_post(&s->events);
	while (sem_wait(&sh->gate) && errno == EINTR)
		;
	if (!err && load_int(&s->go) && !load_int(&s->abort))
		run_shard(sh);
	__atomic_add_fetch(&s->ended, 1, __ATOMIC_ACQ_REL);
	store_int(&sh->alive, 0);
	sem_post(&s->events);
	return NULL;
}

/* Shard threads take no process signal but the wake signal: those go to
 * the caller's threads, whose handler asks the shards to stop. */
static int start_threads(struct iou_shards *s)
{
	sigset_t all, old;
	unsigned i;
	int err = 0;

	sigfillset(&all);
	sigdelset(&all, s->sopts.wake_signal);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	for (i = 0; i < s->nr && !err; i++) {
		struct shard *sh = &s->sh[i];

		store_int(&sh->alive, 1);
		err = -pthread_create(&sh->thread, NULL, shard_main, sh);
		if (err) {
			store_int(&sh->alive, 0);
			iou_fail(&sh->p->fail, IOU_STAGE_NONE, err,
				 "cannot start the thread of shard %u: %s", i,
				 strerror(-err));
			s->failed = (int)i;
		} else {
			sh->started = true;
		}
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return err;
}

/* Wait for an event, at most MS; false when none came. */
static bool wait_event(struct iou_shards *s, int ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += (long)ms * 1000000L;
	ts.tv_sec += ts.tv_nsec / 1000000000L;
	ts.tv_nsec %= 1000000000L;
	return !sem_timedwait(&s->events, &ts) || errno != ETIMEDOUT;
}

/* Open the gate of every started shard: go, or abort. */
static void open_gates(struct iou_shards *s, bool go)
{
	unsigned i;

	store_int(go ? &s->go : &s->abort, 1);
	for (i = 0; i < s->nr; i++)
		if (s->sh[i].started)
			sem_post(&s->sh[i].gate);
}

static void join_all(struct iou_shards *s)
{
	unsigned i;

	for (i = 0; i < s->nr; i++) {
		if (!s->sh[i].started)
			continue;
		pthread_join(s->sh[i].thread, NULL);
		s->sh[i].started = false;
	}
}

/* Until every started shard reported its load. A failure, or a stop
 * request, interrupts the loads still going (the verifier gives up on a
 * pending signal): no point in verifying what will not run. */
static void wait_loaded(struct iou_shards *s, unsigned started)
{
	bool woken = false;
	unsigned i;

	while ((unsigned)load_int(&s->ready) < started) {
		if (!woken && (iou_shards_failed(s) >= 0 || s->stop_requested)) {
			woken = true;
			for (i = 0; i < s->nr; i++)
				wake(&s->sh[i]);
		}
		wait_event(s, FORCE_RESEND_MS);
	}
}

int iou_shards_load(struct iou_shards *s)
{
	unsigned i, started = 0;
	int err;

	if (s->loaded || s->ran)
		return -EBUSY;
	err = install_wake_handler(s->sopts.wake_signal);
	if (!err)
		err = open_listeners(s);
	if (err) {
		s->ran = true;	/* nothing will run: a later load is refused */
		return err;
	}
	err = start_threads(s);
	for (i = 0; i < s->nr; i++)
		started += s->sh[i].started;
	wait_loaded(s, started);
	if (s->stop_requested) {
		/* the loads it interrupted did not fail: none is reported */
		__atomic_store_n(&s->failed, -1, __ATOMIC_RELEASE);
		err = -EINTR;
	} else if (!err && iou_shards_failed(s) >= 0) {
		err = load_int(&s->sh[iou_shards_failed(s)].load_err);
	}
	if (err) {
		open_gates(s, false);
		join_all(s);
		s->ran = true;	/* nothing will run: a later load is refused */
		return err;
	}
	s->loaded = true;
	return 0;
}

int iou_shards_failed(const struct iou_shards *s)
{
	return __atomic_load_n((int *)&s->failed, __ATOMIC_ACQUIRE);
}

/* ---- run ---- */

int iou_shards_run(struct iou_shards *s)
{
	unsigned i;

	if (!s->loaded || s->ran)
		return -EINVAL;
	s->ran = true;
	open_gates(s, true);
	while ((unsigned)load_int(&s->ended) < s->nr) {
		if (wait_event(s, FORCE_RESEND_MS) || !s->force)
			continue;
		/* a force that landed between a shard's enters is lost:
		 * say it again until every loop is out */
		for (i = 0; i < s->nr; i++)
			wake(&s->sh[i]);
	}
	join_all(s);
	for (i = 0; i < s->nr; i++)
		if (s->sh[i].run_err)
			return s->sh[i].run_err;
	return 0;
}

int iou_shards_run_result(const struct iou_shards *s, unsigned i)
{
	return i < s->nr ? s->sh[i].run_err : -EINVAL;
}

int iou_shards_timing(const struct iou_shards *s, unsigned i,
		      struct iou_shard_timing *t)
{
	if (i >= s->nr)
		return -EINVAL;
	*t = s->sh[i].timing;
	return 0;
}

void iou_shards_request_stop(struct iou_shards *s)
{
	unsigned i;

	s->stop_requested = 1;
	for (i = 0; i < s->nr; i++) {
		iou_prog_request_stop(s->sh[i].p);
		wake(&s->sh[i]);
	}
	sem_post(&s->events);
}

void iou_shards_force_stop(struct iou_shards *s)
{
	unsigned i;

	s->stop_requested = 1;
	s->force = 1;
	for (i = 0; i < s->nr; i++) {
		iou_prog_force_stop(s->sh[i].p);
		wake(&s->sh[i]);
	}
	sem_post(&s->events);
}

void iou_shards_close(struct iou_shards *s)
{
	unsigned i;

	if (!s)
		return;
	if (s->sh) {
		/* loaded but never run: the threads wait at their gates */
		if (s->loaded && !s->ran)
			open_gates(s, false);
		join_all(s);
		for (i = 0; i < s->nr; i++) {
			iou_prog_close(s->sh[i].p);
			sem_destroy(&s->sh[i].gate);
		}
	}
	free(s->sh);
	sem_destroy(&s->events);
	free(s);
}
