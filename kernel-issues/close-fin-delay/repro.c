// SPDX-License-Identifier: GPL-2.0
/*
 * close-fin-delay: a socket closed by IORING_OP_CLOSE from an io_uring BPF
 * loop program is released (FIN sent) only when the loop wakes up for some
 * other reason. See README.md.
 *
 * A ring (SINGLE_ISSUER | DEFER_TASKRUN) with repro.bpf.o attached gets two
 * SQEs: CLOSE of the server end of a loopback TCP connection, and POLL_ADD
 * on a pipe. The loop submits both and sleeps until both complete. A second
 * thread waits for the close CQE, then for EOF on the client end (up to
 * FIN_WAIT_MS), and only then writes the pipe, which ends the loop.
 *
 *   NOT REPRODUCED (exit 0): EOF arrived while the loop slept
 *   REPRODUCED     (exit 1): no EOF until the pipe write woke the loop
 *   exit 2: the reproducer could not run (setup failed); exit 4: no root
 *   or no io_uring BPF ops in this kernel.
 *
 * Build: clang -g -O2 -target bpf -D__TARGET_ARCH_x86 -fms-extensions
 *        -I<dir with vmlinux.h> -c repro.bpf.c -o repro.bpf.o
 *        cc -O2 repro.c -o repro -lbpf -pthread
 * Run (root): ./repro [path/to/repro.bpf.o]   (default: next to ./repro)
 *        ./repro --control: the same without a loop program (a plain
 *        io_uring_enter(GETEVENTS, min_complete=2)): the peer sees EOF at once.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <linux/io_uring.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define FIN_WAIT_MS	5000	/* a fixed kernel sends FIN within microseconds */
#define NR_SQES		2

#ifndef IORING_SETUP_SINGLE_ISSUER
#define IORING_SETUP_SINGLE_ISSUER	(1U << 12)
#endif
#ifndef IORING_SETUP_DEFER_TASKRUN
#define IORING_SETUP_DEFER_TASKRUN	(1U << 13)
#endif

enum { NOT_REPRODUCED = 0, REPRODUCED = 1, ERROR = 2, CANNOT_RUN = 4 };

static const volatile uint32_t *cq_tail;
static int client_fd, pipe_w;
static double t_close_cqe, t_eof, t_wake;
static int eof_before_wake = -1;	/* 1 yes, 0 no, -1 not seen */

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* EOF on the client end within MS milliseconds? */
static int wait_eof(int ms)
{
	struct pollfd p = { .fd = client_fd, .events = POLLIN | POLLRDHUP };
	char c;

	if (poll(&p, 1, ms) <= 0)
		return 0;
	return read(client_fd, &c, 1) == 0;
}

static void *watcher(void *arg)
{
	(void)arg;
	/* the close has run once its CQE is there */
	while (atomic_load_explicit((_Atomic uint32_t *)cq_tail, memory_order_acquire) < 1)
		usleep(1000);
	t_close_cqe = now_ms();
	if (wait_eof(FIN_WAIT_MS)) {
		t_eof = now_ms();
		eof_before_wake = 1;
	}
	t_wake = now_ms();
	if (write(pipe_w, "x", 1) != 1)
		perror("write pipe");
	if (eof_before_wake != 1 && wait_eof(FIN_WAIT_MS)) {
		t_eof = now_ms();
		eof_before_wake = 0;
	}
	return NULL;
}

/* byte offset of VAR in the object's .rodata, or -1 */
static long rodata_offset(struct bpf_object *obj, const char *var)
{
	struct btf *btf = bpf_object__btf(obj);
	int id = btf ? btf__find_by_name_kind(btf, ".rodata", BTF_KIND_DATASEC) : -1;
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

static int default_obj_path(char *buf, size_t len, const char *argv0)
{
	const char *slash = strrchr(argv0, '/');
	int dir = slash ? (int)(slash - argv0) : 1;

	return snprintf(buf, len, "%.*s/repro.bpf.o", dir, slash ? argv0 : ".") >= (int)len ? -1 : 0;
}

static int silent(enum libbpf_print_level l, const char *f, va_list a)
{
	return l == LIBBPF_WARN ? vfprintf(stderr, f, a) : 0;
}

int main(int argc, char **argv)
{
	struct io_uring_params par = { .flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN };
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t sl = sizeof(sa);
	struct bpf_object *obj = NULL;
	struct bpf_link *link = NULL;
	struct bpf_map *ops, *ro;
	struct io_uring_sqe *sqes;
	struct io_uring_cqe *cqes;
	char path[4096];
	int ring, lfd, sfd, pfd[2], ret, verdict = ERROR;
	uint32_t *sq_array, *sq_tail;
	void *sq_ring;
	long off_tail, off_n, off_fd;
	size_t ro_size, ops_size;
	char *ro_data, *ops_data;
	pthread_t th;
	int control = argc == 2 && !strcmp(argv[1], "--control");

	if (argc > 2 || (argc == 2 && argv[1][0] == '-' && !control)) {
		fprintf(stderr, "usage: %s [--control | repro.bpf.o]\n", argv[0]);
		return ERROR;
	}
	if (argc == 2 && !control)
		snprintf(path, sizeof(path), "%s", argv[1]);
	else if (default_obj_path(path, sizeof(path), argv[0]))
		return ERROR;
	if (geteuid()) {
		printf("CANNOT RUN: needs root (struct_ops)\n");
		return CANNOT_RUN;
	}
	libbpf_set_print(silent);
	alarm(60);	/* a loop that never returns must not hang the caller */

	/* a loopback TCP connection: the server end will be closed by the loop */
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	client_fd = socket(AF_INET, SOCK_STREAM, 0);
	if (lfd < 0 || client_fd < 0 || bind(lfd, (void *)&sa, sizeof(sa)) ||
	    listen(lfd, 1) || getsockname(lfd, (void *)&sa, &sl) ||
	    connect(client_fd, (void *)&sa, sizeof(sa)) ||
	    (sfd = accept(lfd, NULL, NULL)) < 0 || pipe(pfd)) {
		perror("socket setup");
		return ERROR;
	}
	close(lfd);
	pipe_w = pfd[1];

	ring = syscall(__NR_io_uring_setup, 8, &par);
	if (ring < 0) {
		perror("io_uring_setup(SINGLE_ISSUER|DEFER_TASKRUN)");
		return errno == EINVAL ? CANNOT_RUN : ERROR;
	}
	sq_ring = mmap(NULL, par.cq_off.cqes + par.cq_entries * sizeof(struct io_uring_cqe),
		       PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, ring, IORING_OFF_SQ_RING);
	sqes = mmap(NULL, par.sq_entries * sizeof(*sqes), PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_POPULATE, ring, IORING_OFF_SQES);
	if (!(par.features & IORING_FEAT_SINGLE_MMAP) || sq_ring == MAP_FAILED || sqes == MAP_FAILED) {
		perror("mmap ring");
		return ERROR;
	}
	cq_tail = (uint32_t *)((char *)sq_ring + par.cq_off.tail);
	cqes = (void *)((char *)sq_ring + par.cq_off.cqes);
	sq_array = (uint32_t *)((char *)sq_ring + par.sq_off.array);
	sq_tail = (uint32_t *)((char *)sq_ring + par.sq_off.tail);

	memset(sqes, 0, 2 * sizeof(*sqes));
	sqes[0].opcode = IORING_OP_CLOSE;
	sqes[0].fd = sfd;
	sqes[0].user_data = 1;
	sqes[1].opcode = IORING_OP_POLL_ADD;
	sqes[1].fd = pfd[0];
	sqes[1].poll32_events = POLLIN;
	sqes[1].user_data = 2;
	sq_array[0] = 0;
	sq_array[1] = 1;
	atomic_store_explicit((_Atomic uint32_t *)sq_tail, NR_SQES, memory_order_release);

	if (control)
		goto run;
	obj = bpf_object__open_file(path, NULL);
	if (!obj) {
		fprintf(stderr, "cannot open %s: %s\n", path, strerror(errno));
		goto out;
	}
	ops = bpf_object__find_map_by_name(obj, "ops");
	ro = bpf_object__find_map_by_name(obj, ".rodata");
	off_tail = rodata_offset(obj, "cq_tail_off");
	off_n = rodata_offset(obj, "nr_sqes");
	off_fd = member_offset(obj, "io_uring_bpf_ops", "ring_fd");
	ro_data = ro ? bpf_map__initial_value(ro, &ro_size) : NULL;
	ops_data = ops ? bpf_map__initial_value(ops, &ops_size) : NULL;
	if (!ro_data || !ops_data || off_tail < 0 || off_n < 0 || off_fd < 0) {
		fprintf(stderr, "%s: unexpected object layout\n", path);
		goto out;
	}
	memcpy(ro_data + off_tail, &par.cq_off.tail, 4);
	memcpy(ro_data + off_n, &(uint32_t){ NR_SQES }, 4);
	memcpy(ops_data + off_fd, &ring, 4);
	ret = bpf_object__load(obj);
	if (ret) {
		fprintf(stderr, "load: %s\n", strerror(-ret));
		verdict = ret == -ESRCH || ret == -ENOENT ? CANNOT_RUN : ERROR;
		if (verdict == CANNOT_RUN)
			printf("CANNOT RUN: no io_uring BPF ops in this kernel\n");
		goto out;
	}
	link = bpf_map__attach_struct_ops(ops);
	if (!link) {
		fprintf(stderr, "attach: %s\n", strerror(errno));
		goto out;
	}

run:
	if (pthread_create(&th, NULL, watcher, NULL)) {
		fprintf(stderr, "pthread_create failed\n");
		goto out;
	}
	/* the loop runs in here: submit, then sleep until both CQEs are there */
	if (control)
		ret = syscall(__NR_io_uring_enter, ring, NR_SQES, NR_SQES,
			      IORING_ENTER_GETEVENTS, NULL, 0);
	else
		ret = syscall(__NR_io_uring_enter, ring, 0, 0, 0, NULL, 0);
	pthread_join(th, NULL);
	if (ret < 0) {
		perror("io_uring_enter (loop)");
		goto out;
	}
	if (*cq_tail < NR_SQES || cqes[0].user_data != 1 || cqes[0].res != 0) {
		fprintf(stderr, "unexpected CQEs: tail %u, first user_data %llu res %d\n",
			*cq_tail, (unsigned long long)cqes[0].user_data, cqes[0].res);
		goto out;
	}
	if (eof_before_wake < 0) {
		fprintf(stderr, "the client never saw EOF, even after the loop woke\n");
		goto out;
	}
	printf("%s: close CQE at 0 ms; wait ended by the pipe at %.0f ms; client EOF at %.0f ms\n",
	       control ? "control, no loop program" : "loop program",
	       t_wake - t_close_cqe, t_eof - t_close_cqe);
	verdict = eof_before_wake ? NOT_REPRODUCED : REPRODUCED;
	printf("%s: %s\n", verdict == REPRODUCED ? "REPRODUCED" : "NOT REPRODUCED",
	       verdict == REPRODUCED ?
	       "the socket closed by IORING_OP_CLOSE was released (FIN) only after the loop woke up" :
	       "the peer saw EOF while the ring's task waited");
out:
	bpf_link__destroy(link);
	bpf_object__close(obj);
	return verdict;
}
