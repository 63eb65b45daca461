// SPDX-License-Identifier: GPL-2.0
/*
 * set-task-cpu-warn: the load balancer migrates a task whose io_uring BPF
 * loop program (sleepable struct_ops: migration disabled for the whole
 * loop_step call) was preempted inside loop_step, and set_task_cpu() warns:
 * "WARNING: kernel/sched/core.c:NNNN at set_task_cpu+..." from
 * sched_balance_rq(). See README.md.
 *
 * Two rings, each in its own thread with its own copy of repro.bpf.o: the
 * spinner's steps ring a futex doorbell, read tmpfs into memory another
 * thread keeps dropping, and spin in bpf_loop(); the sleeper's steps sleep
 * 1 ms in io_loop_wait() each, so its CPU keeps going idle and pulling
 * tasks (the trace seen in the suite). One hog thread per CPU
 * alternates spinning and sleeping so that CPUs keep going idle and
 * balancing while the loop task is runnable but preempted. A thread reads
 * /dev/kmsg for the WARN.
 *
 *   NOT REPRODUCED (exit 0): no WARN within DURATION_S seconds
 *   REPRODUCED     (exit 1): the WARN appeared while the loop ran
 *   UNDETERMINED   (exit 3): it had already fired in this boot (it is a
 *                            WARN_ON_ONCE): reboot and run this first
 *   exit 2: could not run (setup failed); exit 4: no root or no io_uring
 *   BPF ops in this kernel.
 *
 * Build: clang -g -O2 -target bpf -D__TARGET_ARCH_x86 -fms-extensions
 *        -I<dir with vmlinux.h> -c repro.bpf.c -o repro.bpf.o
 *        cc -O2 repro.c -o repro -lbpf -pthread
 * Run (root, 2+ CPUs): ./repro [seconds [path/to/repro.bpf.o]]
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <linux/io_uring.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define DURATION_S	60
#define NR_SQES		4
#define WRITE_SIZE	(1 << 20)
#define MAX_HOGS	64
#define BUSY_ITERS	(1 << 16)	/* per step, inside loop_step */

#ifndef IORING_SETUP_SINGLE_ISSUER
#define IORING_SETUP_SINGLE_ISSUER	(1U << 12)
#endif
#ifndef IORING_SETUP_DEFER_TASKRUN
#define IORING_SETUP_DEFER_TASKRUN	(1U << 13)
#endif
#ifndef IORING_SETUP_NO_SQARRAY
#define IORING_SETUP_NO_SQARRAY		(1U << 16)
#endif
#define IORING_SETUP_SQ_REWIND_		(1U << 20)	/* 7.1+ uapi */
#define IORING_OP_FUTEX_WAKE_		52		/* 6.7+ uapi */
#define FUTEX2_SIZE_U32_		0x02
#define FUTEX2_PRIVATE_			128
#define NR_WAITERS			2

enum { NOT_REPRODUCED = 0, REPRODUCED = 1, ERROR = 2, UNDETERMINED = 3, CANNOT_RUN = 4 };

static const char WARN_RE[] = "at set_task_cpu+";
static _Atomic int done;
static _Atomic int warned;
static char splat[512];

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Keep every CPU switching between busy and idle, so idle CPUs balance. */
static void *hog(void *arg)
{
	(void)arg;
	while (!atomic_load(&done)) {
		double end = now_s() + 0.003;

		while (now_s() < end)
			;
		usleep(3000);
	}
	return NULL;
}

/*
 * Make the loop task sleep inside loop_step: the inline reads copy into
 * BUF, whose pages this thread keeps dropping (the copy faults them back
 * in, allocating) while mmap/munmap take mmap_lock for writing (the fault
 * waits for it).
 */
static char *dst;
static void *zapper(void *arg)
{
	(void)arg;
	while (!atomic_load(&done)) {
		void *p = mmap(NULL, 1 << 16, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

		madvise(dst, NR_SQES * WRITE_SIZE, MADV_DONTNEED);
		if (p != MAP_FAILED)
			munmap(p, 1 << 16);
	}
	return NULL;
}

/*
 * Threads that sleep on a futex the loop program wakes with an
 * IORING_OP_FUTEX_WAKE from inside loop_step (the pattern of a doorbell):
 * the wake-ups and sleeps keep the scheduler balancing between CPUs.
 */
static _Atomic uint32_t bell;
static void *waiter(void *arg)
{
	(void)arg;
	while (!atomic_load(&done)) {
		struct timespec ts = { 0, 1000 * 1000 };

		syscall(__NR_futex, &bell, FUTEX_WAIT_PRIVATE, 0, &ts, NULL, 0);
	}
	return NULL;
}

/* 1 if a kmsg record with the WARN is read from FD before DEADLINE. */
static int scan_kmsg(int fd, double deadline)
{
	char rec[2048];
	ssize_t n;

	while (!atomic_load(&done)) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		n = read(fd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)	/* overwritten records: go on */
			continue;
		if (n < 0 && errno == EAGAIN) {
			if (deadline && now_s() > deadline)
				return 0;
			if (!deadline)
				return 0;	/* initial drain finished */
			poll(&p, 1, 100);
			continue;
		}
		if (n <= 0)
			return 0;
		rec[n] = 0;
		if (strstr(rec, WARN_RE) && strstr(rec, "WARNING")) {
			char *msg = strchr(rec, ';');

			snprintf(splat, sizeof(splat), "%.*s", (int)sizeof(splat) - 1, msg ? msg + 1 : rec);
			splat[strcspn(splat, "\n")] = 0;
			return 1;
		}
	}
	return 0;
}

static int kmsg_fd = -1;

/*
 * Two loops, each in its own thread with its own ring and program: the
 * spinner has long steps (preempted inside loop_step, migration disabled),
 * the sleeper sleeps 1 ms in io_loop_wait() after every short step, so its
 * CPU keeps going idle and pulling tasks (new-idle balance).
 */
struct loop {
	int sleeper;
	int duration;
	const char *path;
	pthread_t th;
	int started;
	int verdict;		/* ERROR, CANNOT_RUN, or 0 when it ran */
	uint64_t steps, errors;
};
static struct loop loops[2];

static void stop_loops(void)
{
	for (int i = 0; i < 2; i++)
		if (loops[i].started)
			pthread_kill(loops[i].th, SIGUSR1);
}

static void *watcher(void *arg)
{
	double deadline = *(double *)arg;

	if (scan_kmsg(kmsg_fd, deadline)) {
		atomic_store(&warned, 1);
		stop_loops();	/* end the loops: -EINTR */
	}
	return NULL;
}

/* byte offset of VAR in the object's DATASEC SEC, or -1 */
static long var_offset(struct bpf_object *obj, const char *sec, const char *var)
{
	struct btf *btf = bpf_object__btf(obj);
	int id = btf ? btf__find_by_name_kind(btf, sec, BTF_KIND_DATASEC) : -1;
	const struct btf_type *t;
	const struct btf_var_secinfo *vs;

	if (id < 0)
		return -1;
	t = btf__type_by_id(btf, id);
	vs = btf_var_secinfos(t);
	for (int i = 0; i < btf_vlen(t); i++, vs++)
		if (!strcmp(btf__name_by_offset(btf, btf__type_by_id(btf, vs->type)->name_off), var))
			return vs->offset;
	return -1;
}

/* byte offset of MEMBER in struct NAME of the object's BTF, or -1 */
static long member_offset(struct bpf_object *obj, const char *name, const char *member)
{
	struct btf *btf = bpf_object__btf(obj);
	int id = btf ? btf__find_by_name_kind(btf, name, BTF_KIND_STRUCT) : -1;
	const struct btf_type *t;
	const struct btf_member *m;

	if (id < 0)
		return -1;
	t = btf__type_by_id(btf, id);
	m = btf_members(t);
	for (int i = 0; i < btf_vlen(t); i++, m++)
		if (!strcmp(btf__name_by_offset(btf, m->name_off), member))
			return btf_member_bit_offset(t, i) / 8;
	return -1;
}

static int set_rodata(struct bpf_object *obj, const char *var, const void *val, size_t len)
{
	struct bpf_map *ro = bpf_object__find_map_by_name(obj, ".rodata");
	long off = var_offset(obj, ".rodata", var);
	size_t size;
	char *data = ro ? bpf_map__initial_value(ro, &size) : NULL;

	if (!data || off < 0 || off + len > size)
		return -1;
	memcpy(data + off, val, len);
	return 0;
}

static void on_sigusr1(int sig)
{
	(void)sig;
}

static int silent(enum libbpf_print_level l, const char *f, va_list a)
{
	return l == LIBBPF_WARN ? vfprintf(stderr, f, a) : 0;
}

static void *run_loop(void *arg)
{
	struct loop *l = arg;
	struct io_uring_params par = {
		.flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN |
			 IORING_SETUP_NO_SQARRAY | IORING_SETUP_SQ_REWIND_,
	};
	static struct __kernel_timespec one_ms = { 0, 1000 * 1000 };
	struct bpf_object *obj = NULL;
	struct bpf_link *link = NULL;
	struct bpf_map *ops, *bss;
	struct io_uring_sqe *sqes;
	char *ops_data, *bss_data = NULL;
	uint64_t duration_ns = (uint64_t)l->duration * 1000000000ull;
	uint32_t nr = l->sleeper ? 1 : NR_SQES, busy = l->sleeper ? 0 : BUSY_ITERS;
	long off_fd, off_steps, off_errors;
	int ring, fd = -1, ret;
	size_t size;
	void *rings;

	l->verdict = ERROR;
	if (!l->sleeper) {
		fd = memfd_create("repro-tmpfs", 0);
		for (int i = 0; fd >= 0 && i < NR_SQES; i++)
			if (pwrite(fd, dst, WRITE_SIZE, (off_t)i * WRITE_SIZE) != WRITE_SIZE)
				fd = -1;
		if (fd < 0) {
			perror("memfd");
			return NULL;
		}
	}
	/* SINGLE_ISSUER: the ring belongs to the thread that creates it */
	ring = syscall(__NR_io_uring_setup, 16, &par);
	if (ring < 0) {
		int e = errno;

		perror("io_uring_setup(SINGLE_ISSUER|DEFER_TASKRUN|NO_SQARRAY|SQ_REWIND)");
		l->verdict = e == EINVAL ? CANNOT_RUN : ERROR;
		return NULL;
	}
	rings = mmap(NULL, par.cq_off.cqes + par.cq_entries * sizeof(struct io_uring_cqe),
		     PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, ring, IORING_OFF_SQ_RING);
	sqes = mmap(NULL, par.sq_entries * sizeof(*sqes), PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_POPULATE, ring, IORING_OFF_SQES);
	if (rings == MAP_FAILED || sqes == MAP_FAILED) {
		perror("mmap ring");
		return NULL;
	}
	/* SQ_REWIND: every submit takes sqes[0..n-1], so fill them once */
	memset(sqes, 0, NR_SQES * sizeof(*sqes));
	if (l->sleeper) {
		sqes[0].opcode = IORING_OP_TIMEOUT;	/* 1 ms, then -ETIME */
		sqes[0].addr = (uintptr_t)&one_ms;
		sqes[0].len = 1;
	} else {
		for (int i = 1; i < NR_SQES; i++) {
			sqes[i].opcode = IORING_OP_READ;
			sqes[i].fd = fd;
			sqes[i].addr = (uintptr_t)(dst + (size_t)i * WRITE_SIZE);
			sqes[i].len = WRITE_SIZE;
			sqes[i].off = (uint64_t)i * WRITE_SIZE;
		}
		/* sqes[0]: the doorbell, wake one waiter */
		sqes[0].opcode = IORING_OP_FUTEX_WAKE_;
		sqes[0].addr = (uintptr_t)&bell;
		sqes[0].addr2 = 1;
		sqes[0].addr3 = 0xffffffffu;
		sqes[0].fd = FUTEX2_SIZE_U32_ | FUTEX2_PRIVATE_;
	}

	obj = bpf_object__open_file(l->path, NULL);
	if (!obj) {
		fprintf(stderr, "cannot open %s: %s\n", l->path, strerror(errno));
		goto out;
	}
	ops = bpf_object__find_map_by_name(obj, "ops");
	off_fd = member_offset(obj, "io_uring_bpf_ops", "ring_fd");
	ops_data = ops ? bpf_map__initial_value(ops, &size) : NULL;
	if (!ops_data || off_fd < 0 ||
	    set_rodata(obj, "cq_head_off", &par.cq_off.head, 4) ||
	    set_rodata(obj, "cq_tail_off", &par.cq_off.tail, 4) ||
	    set_rodata(obj, "nr_sqes", &nr, 4) ||
	    set_rodata(obj, "busy_iters", &busy, 4) ||
	    set_rodata(obj, "duration_ns", &duration_ns, 8)) {
		fprintf(stderr, "%s: unexpected object layout\n", l->path);
		goto out;
	}
	memcpy(ops_data + off_fd, &ring, 4);
	ret = bpf_object__load(obj);
	if (ret) {
		fprintf(stderr, "load: %s\n", strerror(-ret));
		if (ret == -ESRCH || ret == -ENOENT)
			l->verdict = CANNOT_RUN;
		goto out;
	}
	bss = bpf_object__find_map_by_name(obj, ".bss");
	off_steps = var_offset(obj, ".bss", "steps");
	off_errors = var_offset(obj, ".bss", "errors");
	if (!bss || off_steps < 0 || off_errors < 0 ||
	    !(bss_data = malloc(bpf_map__value_size(bss)))) {
		fprintf(stderr, "%s: no .bss steps/errors\n", l->path);
		goto out;
	}
	link = bpf_map__attach_struct_ops(ops);
	if (!link) {
		fprintf(stderr, "attach: %s\n", strerror(errno));
		goto out;
	}
	/*
	 * A thread created by the ring's task after load and attach, as the
	 * mbox test's client thread is: that thread is what the balancer
	 * moved in the suite (sched_migrate_task trace).
	 */
	{
		pthread_t child;

		if (!pthread_create(&child, NULL, hog, NULL))
			pthread_detach(child);
	}
	ret = syscall(__NR_io_uring_enter, ring, 0, 0, 0, NULL, 0);
	if (ret < 0 && !(errno == EINTR && atomic_load(&warned))) {
		perror("io_uring_enter (loop)");
		goto out;
	}
	if (bpf_map__lookup_elem(bss, &(int){ 0 }, sizeof(int), bss_data,
				 bpf_map__value_size(bss), 0)) {
		fprintf(stderr, "cannot read the loop's counters\n");
		goto out;
	}
	memcpy(&l->steps, bss_data + off_steps, 8);
	memcpy(&l->errors, bss_data + off_errors, 8);
	l->verdict = 0;
out:
	bpf_link__destroy(link);
	bpf_object__close(obj);
	free(bss_data);
	close(ring);
	if (fd >= 0)
		close(fd);
	return NULL;
}

int main(int argc, char **argv)
{
	char path[4096];
	int verdict = ERROR, nr_hogs, duration = DURATION_S;
	pthread_t hogs[MAX_HOGS], th, zap, waiters[NR_WAITERS];
	double t0, deadline;

	if (argc > 3 || (argc > 1 && (duration = atoi(argv[1])) <= 0)) {
		fprintf(stderr, "usage: %s [seconds [repro.bpf.o]]\n", argv[0]);
		return ERROR;
	}
	if (argc > 2)
		snprintf(path, sizeof(path), "%s", argv[2]);
	else {
		const char *slash = strrchr(argv[0], '/');

		snprintf(path, sizeof(path), "%.*s/repro.bpf.o",
			 slash ? (int)(slash - argv[0]) : 1, slash ? argv[0] : ".");
	}
	if (geteuid()) {
		printf("CANNOT RUN: needs root (struct_ops, /dev/kmsg)\n");
		return CANNOT_RUN;
	}
	nr_hogs = sysconf(_SC_NPROCESSORS_ONLN);
	if (nr_hogs < 2) {
		printf("CANNOT RUN: needs 2 or more CPUs (the load balancer must have somewhere to move the task)\n");
		return CANNOT_RUN;
	}
	if (nr_hogs > MAX_HOGS)
		nr_hogs = MAX_HOGS;
	libbpf_set_print(silent);
	alarm(duration + 60);	/* a loop that never returns must not hang the caller */
	sigaction(SIGUSR1, &(struct sigaction){ .sa_handler = on_sigusr1 }, NULL);

	/* WARN_ON_ONCE: if it fired earlier in this boot we cannot see it again */
	kmsg_fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	if (kmsg_fd < 0) {
		perror("/dev/kmsg");
		return ERROR;
	}
	if (scan_kmsg(kmsg_fd, 0)) {
		printf("earlier in this boot: %s\n", splat);
		printf("UNDETERMINED: the WARN (a WARN_ON_ONCE) already fired in this boot; reboot and run this first\n");
		return UNDETERMINED;
	}
	dst = mmap(NULL, NR_SQES * WRITE_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (dst == MAP_FAILED) {
		perror("mmap");
		return ERROR;
	}
	memset(dst, 'x', NR_SQES * WRITE_SIZE);

	t0 = now_s();
	deadline = t0 + duration + 5;
	for (int i = 0; i < nr_hogs; i++)
		if (pthread_create(&hogs[i], NULL, hog, NULL)) {
			nr_hogs = i;
			break;
		}
	if (pthread_create(&th, NULL, watcher, &deadline) ||
	    pthread_create(&zap, NULL, zapper, NULL) ||
	    pthread_create(&waiters[0], NULL, waiter, NULL) ||
	    pthread_create(&waiters[1], NULL, waiter, NULL)) {
		fprintf(stderr, "pthread_create failed\n");
		return ERROR;
	}
	for (int i = 0; i < 2; i++) {
		loops[i] = (struct loop){ .sleeper = i, .duration = duration, .path = path };
		if (pthread_create(&loops[i].th, NULL, run_loop, &loops[i])) {
			fprintf(stderr, "pthread_create failed\n");
			return ERROR;
		}
		loops[i].started = 1;
	}
	for (int i = 0; i < 2; i++)
		pthread_join(loops[i].th, NULL);
	/* the WARN may be printed a moment after the migration: a short grace */
	if (!atomic_load(&warned))
		usleep(500000);
	atomic_store(&done, 1);
	pthread_join(th, NULL);
	pthread_join(zap, NULL);
	for (int i = 0; i < NR_WAITERS; i++)
		pthread_join(waiters[i], NULL);
	for (int i = 0; i < nr_hogs; i++)
		pthread_join(hogs[i], NULL);
	for (int i = 0; i < 2; i++)
		if (loops[i].verdict) {
			if (loops[i].verdict == CANNOT_RUN)
				printf("CANNOT RUN: no io_uring BPF ops (or SQ_REWIND) in this kernel\n");
			return loops[i].verdict;
		}
	printf("spinner: %llu steps (%d MiB read and %d spins each), sleeper: %llu steps (1 ms wait each), %llu submit errors, %.1f s, %d hog threads\n",
	       (unsigned long long)loops[0].steps, (NR_SQES - 1) * WRITE_SIZE >> 20, BUSY_ITERS,
	       (unsigned long long)loops[1].steps,
	       (unsigned long long)(loops[0].errors + loops[1].errors), now_s() - t0, nr_hogs);
	if (!loops[0].steps || !loops[1].steps || loops[0].errors || loops[1].errors) {
		fprintf(stderr, "the loops did not run their steps\n");
		return ERROR;
	}
	if (atomic_load(&warned)) {
		printf("%s\n", splat);
		printf("REPRODUCED: set_task_cpu() warned about a migration-disabled task while the loop programs ran\n");
		verdict = REPRODUCED;
	} else {
		printf("NOT REPRODUCED: no set_task_cpu WARN in %d s\n", duration);
		verdict = NOT_REPRODUCED;
	}
	return verdict;
}
