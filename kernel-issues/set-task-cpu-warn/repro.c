// SPDX-License-Identifier: GPL-2.0
/*
 * set-task-cpu-warn: an io-wq worker created from inside a sleepable io_uring
 * BPF loop program is born migration-disabled, and the load balancer moving
 * it before its first run makes set_task_cpu() warn:
 * "WARNING: kernel/sched/core.c:NNNN at set_task_cpu+..." from
 * sched_balance_rq(). See README.md.
 *
 * loop_step runs with migration disabled (the sleepable struct_ops
 * trampoline); bpf_io_uring_submit_sqes() of an IOSQE_ASYNC request, on a
 * ring that has no io-wq worker yet, creates one there: io_wq_enqueue() ->
 * create_io_worker() -> create_io_thread() -> copy_process(), and
 * dup_task_struct() copies the creator's migration_disabled (1) with a full
 * cpus_ptr. Each attempt here does exactly that in a new thread (io-wq is
 * per task: a new thread has no worker yet) with a fresh ring, while a thread pinned to CPU 0 keeps that CPU busy (a worker put
 * there waits in its queue) and the loop task then sleeps in io_loop_wait()
 * (its CPU goes idle and pulls the waiting worker: new-idle balance).
 * A thread reads /dev/kmsg for the WARN.
 *
 *   NOT REPRODUCED (exit 0): no WARN within DURATION_S seconds
 *   REPRODUCED     (exit 1): the WARN appeared while the attempts ran
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
#define NR_SQES		4		/* IOSQE_ASYNC NOPs per step */
#define ATTEMPT_MS	20		/* the loop program stops after this */
#define BUSY_ITERS	(1 << 12)	/* per step, inside loop_step */

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

/* Keep CPU 0 busy: a worker queued there waits while another CPU idles. */
static void *hog(void *arg)
{
	cpu_set_t one;

	(void)arg;
	CPU_ZERO(&one);
	CPU_SET(0, &one);
	pthread_setaffinity_np(pthread_self(), sizeof(one), &one);
	while (!atomic_load(&done))
		;
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

static void *watcher(void *arg)
{
	double deadline = *(double *)arg;

	if (scan_kmsg(kmsg_fd, deadline)) {
		atomic_store(&warned, 1);
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

static int silent(enum libbpf_print_level l, const char *f, va_list a)
{
	return l == LIBBPF_WARN ? vfprintf(stderr, f, a) : 0;
}

/*
 * One attempt, in a thread of its own (no io-wq worker yet): a fresh ring
 * with the loop program attached; its first step submits NR_SQES IOSQE_ASYNC NOPs, which creates
 * the ring's first io-wq worker from inside loop_step, spins a little and
 * sleeps in io_loop_wait() until they complete. 1 if it ran, 0 if not,
 * -CANNOT_RUN if the kernel has no io_uring BPF ops.
 */
static int attempt(const char *path, uint64_t *steps)
{
	struct io_uring_params par = {
		.flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN |
			 IORING_SETUP_NO_SQARRAY | IORING_SETUP_SQ_REWIND_,
	};
	uint64_t duration_ns = ATTEMPT_MS * 1000000ull, bss[2] = { 0, 0 };
	uint32_t nr = NR_SQES, busy = BUSY_ITERS;
	struct bpf_object *obj = NULL;
	struct bpf_link *link = NULL;
	struct io_uring_sqe *sqes;
	struct bpf_map *ops, *bssm;
	long off_fd, off_steps;
	char *ops_data, *bss_data = NULL;
	int ring, ret = 0;
	size_t size;

	/* SINGLE_ISSUER: the ring belongs to the thread that creates it */
	ring = syscall(__NR_io_uring_setup, 16, &par);
	if (ring < 0) {
		perror("io_uring_setup(SINGLE_ISSUER|DEFER_TASKRUN|NO_SQARRAY|SQ_REWIND)");
		return errno == EINVAL ? -CANNOT_RUN : 0;
	}
	sqes = mmap(NULL, par.sq_entries * sizeof(*sqes), PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_POPULATE, ring, IORING_OFF_SQES);
	if (sqes == MAP_FAILED) {
		perror("mmap SQEs");
		goto out;
	}
	/* SQ_REWIND: every submit takes sqes[0..n-1] */
	memset(sqes, 0, NR_SQES * sizeof(*sqes));
	for (int i = 0; i < NR_SQES; i++) {
		sqes[i].opcode = IORING_OP_NOP;
		sqes[i].flags = IOSQE_ASYNC;	/* to io-wq: io_queue_iowq() */
		sqes[i].user_data = i;
	}
	obj = bpf_object__open_file(path, NULL);
	if (!obj) {
		fprintf(stderr, "cannot open %s: %s\n", path, strerror(errno));
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
		fprintf(stderr, "%s: unexpected object layout\n", path);
		goto out;
	}
	memcpy(ops_data + off_fd, &ring, 4);
	ret = bpf_object__load(obj);
	if (ret) {
		fprintf(stderr, "load: %s\n", strerror(-ret));
		ret = ret == -ESRCH || ret == -ENOENT ? -CANNOT_RUN : 0;
		goto out;
	}
	bssm = bpf_object__find_map_by_name(obj, ".bss");
	off_steps = var_offset(obj, ".bss", "steps");
	if (!bssm || off_steps < 0 || !(bss_data = malloc(bpf_map__value_size(bssm)))) {
		fprintf(stderr, "%s: no .bss steps\n", path);
		goto out;
	}
	link = bpf_map__attach_struct_ops(ops);
	if (!link) {
		fprintf(stderr, "attach: %s\n", strerror(errno));
		goto out;
	}
	if (syscall(__NR_io_uring_enter, ring, 0, 0, 0, NULL, 0) < 0) {
		perror("io_uring_enter (loop)");
		goto out;
	}
	if (bpf_map__lookup_elem(bssm, &(int){ 0 }, sizeof(int), bss_data,
				 bpf_map__value_size(bssm), 0)) {
		fprintf(stderr, "cannot read the loop's counters\n");
		goto out;
	}
	memcpy(&bss[0], bss_data + off_steps, 8);
	*steps += bss[0];
	ret = bss[0] > 0;
out:
	bpf_link__destroy(link);
	bpf_object__close(obj);
	free(bss_data);
	close(ring);
	return ret;
}

/*
 * io-wq belongs to the task (its io_uring context), not to the ring: each
 * attempt runs in a new thread, so that its first IOSQE_ASYNC request
 * creates a worker again (inside loop_step).
 */
struct attempt_arg {
	const char *path;
	uint64_t steps;
	int ret;
};

static void *attempt_thread(void *arg)
{
	struct attempt_arg *a = arg;

	a->ret = attempt(a->path, &a->steps);
	return NULL;
}

int main(int argc, char **argv)
{
	char path[4096];
	int verdict = ERROR, duration = DURATION_S, attempts = 0, ret;
	pthread_t th, hogger;
	uint64_t steps = 0;
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
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2) {
		printf("CANNOT RUN: needs 2 or more CPUs (the load balancer must have somewhere to move the task)\n");
		return CANNOT_RUN;
	}
	libbpf_set_print(silent);
	alarm(duration + 60);	/* a loop that never returns must not hang the caller */

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
	t0 = now_s();
	deadline = t0 + duration + 5;
	if (pthread_create(&th, NULL, watcher, &deadline) ||
	    pthread_create(&hogger, NULL, hog, NULL)) {
		fprintf(stderr, "pthread_create failed\n");
		return ERROR;
	}
	while (!atomic_load(&warned) && now_s() - t0 < duration) {
		struct attempt_arg a = { .path = path };
		pthread_t at;

		if (pthread_create(&at, NULL, attempt_thread, &a)) {
			fprintf(stderr, "pthread_create failed\n");
			goto out;
		}
		pthread_join(at, NULL);
		steps += a.steps;
		ret = a.ret;
		if (ret < 0) {
			printf("CANNOT RUN: no io_uring BPF ops (or SQ_REWIND) in this kernel\n");
			verdict = -ret;
			goto out;
		}
		if (!ret) {
			fprintf(stderr, "attempt %d did not run its loop\n", attempts + 1);
			goto out;
		}
		attempts++;
	}
	/* the WARN may be printed a moment after the migration: a short grace */
	if (!atomic_load(&warned))
		usleep(500000);
	printf("%d attempts (a new thread and ring, its first io-wq worker created inside loop_step), %llu steps, %.1f s\n",
	       attempts, (unsigned long long)steps, now_s() - t0);
	if (atomic_load(&warned)) {
		printf("%s\n", splat);
		printf("REPRODUCED: set_task_cpu() warned about a migration-disabled task (an io-wq worker created inside loop_step)\n");
		verdict = REPRODUCED;
	} else {
		printf("NOT REPRODUCED: no set_task_cpu WARN in %d s\n", duration);
		verdict = NOT_REPRODUCED;
	}
out:
	atomic_store(&done, 1);
	pthread_join(th, NULL);
	pthread_join(hogger, NULL);
	return verdict;
}
