// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * mbox.c - the userspace end of the mbox command channel. The ordering
 * rules are in progs/mbox_shared.h; here they are C11 atomics on the shared
 * words: acquire loads of the other side's index, release stores of our
 * own, and a seq_cst fence between publishing an index and looking at
 * the other side's "I am going to sleep" flag.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/futex.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "mbox.h"

/* The shared words are plain __u32 in the layout both sides compile;
 * C11 atomics on them through an _Atomic view (lock-free, same size). */
#define A(field)	((_Atomic __u32 *)&(field))
/* counters that the poster and the consumer thread both update */
#define COUNT(m, f, n)	atomic_fetch_add_explicit(&(m)->f, (n), memory_order_relaxed)

struct iou_mbox {
	struct iou_ctl *ctl;
	struct mbox_region *mb;
	void *data;
	size_t data_size;
	__u32 sq_tail;		/* ours: the poster's copy */
	__u32 cq_head;		/* ours: the consumer's copy */
	__u32 synth;		/* next command to report cancelled after the end */
	int synth_started;
	_Atomic uint64_t posted, results, wakes, waits, full;
};

int iou_mbox_open(void *shm, size_t shm_size, struct iou_mbox **out)
{
	struct iou_mbox *m;

	*out = NULL;
	if (!shm || shm_size < MBOX_DATA_OFF)
		return -EINVAL;
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->ctl = shm;
	m->mb = (struct mbox_region *)((char *)shm + IOU_CTL_SIZE);
	m->data = (char *)shm + MBOX_DATA_OFF;
	m->data_size = shm_size - MBOX_DATA_OFF;
	/* we are the only writers of these two: start where they are */
	m->sq_tail = atomic_load_explicit(A(m->mb->sq_tail), memory_order_relaxed);
	m->cq_head = atomic_load_explicit(A(m->mb->cq_head), memory_order_relaxed);
	*out = m;
	return 0;
}

void iou_mbox_close(struct iou_mbox *m)
{
	free(m);
}

void *iou_mbox_data(const struct iou_mbox *m, size_t *size)
{
	if (size)
		*size = m->data_size;
	return m->data;
}

static long futex(__u32 *uaddr, int op, __u32 val, const struct timespec *ts)
{
	/* shared futexes: the program waits through the loader's mapping,
	 * a client process through its own */
	return syscall(SYS_futex, uaddr, op, val, ts, NULL, 0);
}

int iou_mbox_ended(const struct iou_mbox *m)
{
	return __atomic_load_n(&m->ctl->exit.kind, __ATOMIC_ACQUIRE) !=
	       IOU_EXIT_NONE;
}

/* We just published an index (release): if the program said it is
 * going to sleep and waits for what we did (MBOX_WAKE_*), wake it, once. */
static void ring_doorbell(struct iou_mbox *m, __u32 what)
{
	__u32 why;

	atomic_thread_fence(memory_order_seq_cst);
	why = atomic_load_explicit(A(m->mb->sleeping), memory_order_relaxed);
	if (!(why & what))
		return;
	if (!atomic_compare_exchange_strong(A(m->mb->sleeping), &why, 0))
		return;		/* someone else (or the program) took it */
	atomic_fetch_add(A(m->mb->doorbell), 1);
	futex(&m->mb->doorbell, FUTEX_WAKE, 1, NULL);
	COUNT(m, wakes, 1);
}

void iou_mbox_kick(struct iou_mbox *m)
{
	atomic_thread_fence(memory_order_seq_cst);
	atomic_fetch_add(A(m->mb->doorbell), 1);
	futex(&m->mb->doorbell, FUTEX_WAKE, 1, NULL);
	COUNT(m, wakes, 1);
}

int iou_mbox_post(struct iou_mbox *m, const struct mbox_cmd *cmds, unsigned n)
{
	__u32 head, room, i;

	if (iou_mbox_ended(m))
		return -ESHUTDOWN;
	head = atomic_load_explicit(A(m->mb->sq_head), memory_order_acquire);
	room = MBOX_SQ_ENTRIES - (m->sq_tail - head);
	if (room > MBOX_SQ_ENTRIES)
		return -EPROTO;
	if (n > room)
		n = room;
	if (!n) {
		COUNT(m, full, 1);
		return 0;
	}
	for (i = 0; i < n; i++)
		m->mb->sq[(m->sq_tail + i) & (MBOX_SQ_ENTRIES - 1)] = cmds[i];
	m->sq_tail += n;
	atomic_store_explicit(A(m->mb->sq_tail), m->sq_tail, memory_order_release);
	COUNT(m, posted, n);
	ring_doorbell(m, MBOX_WAKE_CMD);
	return (int)n;
}

/* After the end: commands the program never took, as -ECANCELED. */
static int synthesize(struct iou_mbox *m, struct mbox_res *res, unsigned n)
{
	__u32 tail = atomic_load_explicit(A(m->mb->sq_tail), memory_order_relaxed);
	unsigned i = 0;

	if (!m->synth_started) {
		m->synth = atomic_load_explicit(A(m->mb->sq_head),
						memory_order_acquire);
		m->synth_started = 1;
	}
	if (tail - m->synth > MBOX_SQ_ENTRIES)
		return -EPROTO;
	for (; i < n && m->synth != tail; i++, m->synth++) {
		const struct mbox_cmd *c =
			&m->mb->sq[m->synth & (MBOX_SQ_ENTRIES - 1)];

		res[i].id = c->id;
		res[i].res = -ECANCELED;
		res[i].op = c->op;
	}
	COUNT(m, results, i);
	return i ? (int)i : -ESHUTDOWN;
}

int iou_mbox_poll(struct iou_mbox *m, struct mbox_res *res, unsigned n)
{
	__u32 tail, ready, i;
	int ended = iou_mbox_ended(m);

	/* read the end flag first: results published before it are seen */
	tail = atomic_load_explicit(A(m->mb->cq_tail), memory_order_acquire);
	ready = tail - m->cq_head;
	if (ready > MBOX_CQ_ENTRIES)
		return -EPROTO;
	if (!ready)
		return ended ? synthesize(m, res, n) : 0;
	if (n > ready)
		n = ready;
	for (i = 0; i < n; i++)
		res[i] = m->mb->cq[(m->cq_head + i) & (MBOX_CQ_ENTRIES - 1)];
	m->cq_head += n;
	atomic_store_explicit(A(m->mb->cq_head), m->cq_head, memory_order_release);
	COUNT(m, results, n);
	/* the program may wait for room in the result ring */
	if (!ended)
		ring_doorbell(m, MBOX_WAKE_ROOM);
	return (int)n;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Sleep on the client bell until ready(m) holds. The program bumps and
 * wakes it after it moves cq_tail or sq_head if client_waiting is set;
 * the wait is cut in slices so that a program that ended is noticed.
 */
static int wait_for(struct iou_mbox *m, int (*ready)(struct iou_mbox *),
		    int timeout_ms)
{
	long long deadline = timeout_ms < 0 ? LLONG_MAX : now_ms() + timeout_ms;

	for (;;) {
		struct timespec ts;
		long long left;
		__u32 bell;
		int r;

		r = ready(m);
		if (r)
			return r;
		left = deadline - now_ms();
		if (left <= 0)
			return -ETIMEDOUT;
		if (left > 100)
			left = 100;
		atomic_exchange(A(m->mb->client_waiting), 1);	/* full barrier */
		bell = atomic_load_explicit(A(m->mb->client_bell),
					    memory_order_acquire);
		r = ready(m);
		if (r) {
			atomic_store_explicit(A(m->mb->client_waiting), 0,
					      memory_order_relaxed);
			return r;
		}
		ts.tv_sec = left / 1000;
		ts.tv_nsec = (left % 1000) * 1000000;
		futex(&m->mb->client_bell, FUTEX_WAIT, bell, &ts);
		COUNT(m, waits, 1);
	}
}

static int results_ready(struct iou_mbox *m)
{
	__u32 tail = atomic_load_explicit(A(m->mb->cq_tail), memory_order_acquire);

	return tail != m->cq_head || iou_mbox_ended(m);
}

static int room_ready(struct iou_mbox *m)
{
	__u32 head = atomic_load_explicit(A(m->mb->sq_head), memory_order_acquire);

	if (iou_mbox_ended(m))
		return -ESHUTDOWN;
	return m->sq_tail - head < MBOX_SQ_ENTRIES;
}

int iou_mbox_wait(struct iou_mbox *m, struct mbox_res *res, unsigned n,
		  int timeout_ms)
{
	int r = wait_for(m, results_ready, timeout_ms);

	return r < 0 ? r : iou_mbox_poll(m, res, n);
}

int iou_mbox_wait_room(struct iou_mbox *m, int timeout_ms)
{
	int r = wait_for(m, room_ready, timeout_ms);

	return r < 0 ? r : 0;
}

unsigned iou_mbox_inflight(const struct iou_mbox *m)
{
	return (unsigned)(atomic_load(&m->posted) - atomic_load(&m->results));
}

void iou_mbox_get_stats(const struct iou_mbox *m, struct iou_mbox_stats *st)
{
	st->posted = atomic_load(&m->posted);
	st->results = atomic_load(&m->results);
	st->wakes = atomic_load(&m->wakes);
	st->waits = atomic_load(&m->waits);
	st->full = atomic_load(&m->full);
}

int iou_mbox_map(pid_t pid, int fd, void **shm, size_t *size)
{
	char path[64];
	struct stat st;
	void *p;
	int mfd, err = 0;

	snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)pid, fd);
	mfd = open(path, O_RDWR | O_CLOEXEC);
	if (mfd < 0)
		return -errno;
	if (fstat(mfd, &st)) {
		err = -errno;
		goto out;
	}
	if (st.st_size < (off_t)MBOX_DATA_OFF) {
		err = -EINVAL;
		goto out;
	}
	p = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		 mfd, 0);
	if (p == MAP_FAILED) {
		err = -errno;
		goto out;
	}
	*shm = p;
	*size = (size_t)st.st_size;
out:
	close(mfd);
	return err;
}
