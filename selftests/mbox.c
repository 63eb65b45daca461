// SPDX-License-Identifier: GPL-2.0
/*
 * progs/mbox.bpf.c and its userspace end (loader/mbox.h): the command
 * channel through shared memory. The loop runs in the test's main thread
 * (the ring's single issuer); a client thread drives the rings. Long
 * streams and the other-process client run samples/mbox-demo, which
 * checks every result itself.
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "selftest.h"
#include "mbox.h"

#define POISON_ID	0xdeadbeefULL
#define FILE_LEN	(1 << 16)
/* Timeouts that must be cancelled: an hour, so waiting for one would
 * show whatever the machine's speed. */
#define LONG_TIMEOUT_NS	3600000000000ULL
/* How long to wait for a result or a condition: generous, a debug kernel
 * under TCG is slow, and nothing waits this long when all is well. */
#define WAIT_MS		30000

/* The program (mbox.bpf.c) loaded, attached, its mbox open, and a
 * scratch file to read: what every test below starts with. */
FIXTURE(mbox) {
	struct iou_prog *p;
	struct iou_mbox *m;
	struct mbox_region *mb;
	volatile struct iou_ctl *ctl;
	int fd;			/* scratch file: byte i is (i * 7) & 0xff */
	int (*client)(FIXTURE_DATA(mbox) *f);
	int client_ret;
	double run_secs;
};

static int scratch_file(FIXTURE_DATA(mbox) *f)
{
	unsigned char buf[4096];

	f->fd = open("/tmp", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	ASSERT_LE(0, f->fd);
	for (int off = 0; off < FILE_LEN; off += (int)sizeof(buf)) {
		for (size_t i = 0; i < sizeof(buf); i++)
			buf[i] = (unsigned char)((off + i) * 7);
		ASSERT_EQ((ssize_t)sizeof(buf), pwrite(f->fd, buf, sizeof(buf), off));
	}
	return 0;
}

/* Open, load and attach the program with SPIN idle steps before it
 * sleeps and timeout_imm TIMEOUT_IMM: "1" (the default: timeouts in the
 * SQE where the kernel has IORING_TIMEOUT_IMMEDIATE_ARG) or "0" (forced
 * timespec form); in place of the one open already, if any. */
static int prog_open(FIXTURE_DATA(mbox) *f, const char *spin,
		     const char *timeout_imm)
{
	iou_mbox_close(f->m);
	iou_prog_close(f->p);
	f->m = NULL;
	ASSERT_OK(st_open_prog(&f->p, NULL, "progs/mbox.bpf.o", "data_size",
			       "64k", "spin", spin, IOU_SYM_TIMEOUT_IMM,
			       timeout_imm, NULL));
	ASSERT_OK(iou_prog_load(f->p));
	ASSERT_OK(iou_prog_attach(f->p));
	ASSERT_OK(iou_mbox_open(iou_prog_shm(f->p), iou_prog_shm_size(f->p), &f->m));
	f->mb = (struct mbox_region *)((char *)iou_prog_shm(f->p) + IOU_CTL_SIZE);
	f->ctl = iou_prog_ctl(f->p);
	return 0;
}

FIXTURE_SETUP(mbox)
{
	ST_REQUIRE_FEATURE();
	ASSERT_OK(scratch_file(self));
	/* spin 0: an idle program sleeps at once, so what wakes it (the
	 * doorbell) is what the tests exercise */
	return prog_open(self, "0", "1");
}

FIXTURE_TEARDOWN(mbox)
{
	/* nothing outlives the test's process: the program, its ring and
	 * the scratch file (O_TMPFILE) went with it */
	return KSFT_PASS;
}

static void *client_main(void *arg)
{
	FIXTURE_DATA(mbox) *f = arg;

	f->client_ret = f->client(f);
	if (f->client_ret && !iou_mbox_ended(f->m)) {
		/* end the loop all the same */
		f->ctl->stop_req = 1;
		iou_mbox_kick(f->m);
	}
	return NULL;
}

/* Run the loop here and CLIENT in a thread; both must end well. */
static int run_client(FIXTURE_DATA(mbox) *f,
		      int (*client)(FIXTURE_DATA(mbox) *f))
{
	pthread_t t;
	double t0;
	int err;

	f->client = client;
	ASSERT_OK(pthread_create(&t, NULL, client_main, f));
	t0 = st_now();
	err = iou_prog_run(f->p);
	f->run_secs = st_now() - t0;
	pthread_join(t, NULL);
	st_diag_ctl(f->ctl);
	ASSERT_OK(err);
	ASSERT_EQ(KSFT_PASS, f->client_ret);
	return 0;
}

static int post1(FIXTURE_DATA(mbox) *f, uint64_t id, int op, uint64_t off,
		 uint32_t buf, uint32_t len)
{
	struct mbox_cmd c = { .id = id, .op = (uint8_t)op, .fd = f->fd,
			      .off = off, .buf = buf, .len = len };

	return iou_mbox_post(f->m, &c, 1);
}

/* Take one result, waiting up to WAIT_MS. */
static int take1(FIXTURE_DATA(mbox) *f, struct mbox_res *r)
{
	return iou_mbox_wait(f->m, r, 1, WAIT_MS);
}

struct u32_wait {
	const uint32_t *p;
	uint32_t min;
};

static bool u32_reached(void *arg)
{
	struct u32_wait *w = arg;

	return __atomic_load_n(w->p, __ATOMIC_ACQUIRE) >= w->min;
}

/* Until the program has published *P >= MIN (e.g. it took a command). */
static bool wait_u32(const uint32_t *p, uint32_t min)
{
	struct u32_wait w = { p, min };

	return st_wait_until(u32_reached, &w, WAIT_MS);
}

static bool mbox_ended(void *m)
{
	return iou_mbox_ended(m);
}

/* Post STOP and take results up to its own; 0 when STOP came back. */
static int stop_and_drain(FIXTURE_DATA(mbox) *f)
{
	struct mbox_res r;

	ASSERT_EQ(1, post1(f, ~0ULL, MBOX_STOP, 0, 0, 0));
	do {
		ASSERT_EQ(1, take1(f, &r));
	} while (r.id != ~0ULL);
	ASSERT_EQ(MBOX_STOP, r.op);
	ASSERT_EQ(0, r.res);
	return 0;
}

/* ---- back-pressure ---- */

static int full_client(FIXTURE_DATA(mbox) *f)
{
	double end = st_now() + WAIT_MS / 1000.0;
	struct mbox_res r;
	uint64_t posted = 0, i;
	int n;

	/* no result taken: the program takes commands until the result
	 * ring is promised full, then the command ring fills; wait for both
	 * (not for a quiet spell: a slow machine has long ones anyway) */
	for (;;) {
		n = post1(f, posted, MBOX_NOP, 0, 0, 0);
		ASSERT_LE(0, n);
		posted += (uint64_t)n;
		if (n)
			continue;
		if (__atomic_load_n(&f->mb->sq_head, __ATOMIC_ACQUIRE) >= MBOX_CQ_ENTRIES &&
		    __atomic_load_n(&f->mb->cq_tail, __ATOMIC_ACQUIRE) >= MBOX_CQ_ENTRIES)
			break;
		ASSERT_TRUE(st_now() < end);
		st_sleep_ms(10);
	}
	ASSERT_EQ_U64(MBOX_SQ_ENTRIES + MBOX_CQ_ENTRIES, posted);
	ASSERT_EQ(MBOX_CQ_ENTRIES, f->mb->sq_head);
	ASSERT_EQ(MBOX_CQ_ENTRIES, f->mb->cq_tail);
	ASSERT_EQ(-ETIMEDOUT, iou_mbox_wait_room(f->m, 100));
	ASSERT_EQ(0, post1(f, posted, MBOX_NOP, 0, 0, 0));
	/* taking results lets the program take the rest, in order */
	for (i = 0; i < posted; i++) {
		ASSERT_EQ(1, take1(f, &r));
		ASSERT_EQ_U64(i, r.id);
		ASSERT_EQ(0, r.res);
	}
	ASSERT_OK(iou_mbox_wait_room(f->m, 1000));
	return stop_and_drain(f);
}

TEST_F_TIMEOUT(mbox, ring_full, "mbox: both rings fill, posts refused, nothing lost or reordered", 60)
{
	struct iou_mbox_stats st;

	ASSERT_OK(run_client(self, full_client));
	ASSERT_EQ(IOU_EXIT_STOPPED, self->ctl->exit.kind);
	iou_mbox_get_stats(self->m, &st);
	ASSERT_LT(0, st.full);
	ASSERT_EQ_U64(MBOX_SQ_ENTRIES + MBOX_CQ_ENTRIES + 1,
		      st_counter_or_max(self->ctl, "cmds"));
	return KSFT_PASS;
}

/* ---- the program never reads past sq_tail ---- */

/* Fill every free command slot past the one about to be posted with a
 * STOP that must never run. */
static void poison(FIXTURE_DATA(mbox) *f, uint32_t tail)
{
	uint32_t head = __atomic_load_n(&f->mb->sq_head, __ATOMIC_ACQUIRE);

	for (uint32_t i = tail + 1; i != head + MBOX_SQ_ENTRIES; i++) {
		struct mbox_cmd *c = &f->mb->sq[i & (MBOX_SQ_ENTRIES - 1)];

		c->id = POISON_ID;
		c->op = MBOX_STOP;
	}
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

static int slow_client(FIXTURE_DATA(mbox) *f)
{
	struct mbox_res r;
	uint32_t tail = f->mb->sq_tail;

	for (uint64_t id = 0; id < 100; id++) {
		int op = id % 2 ? MBOX_READ : MBOX_NOP;

		poison(f, tail);
		ASSERT_EQ(1, post1(f, id, op, id * 100, 0, 100));
		tail++;
		ASSERT_EQ(1, take1(f, &r));
		ASSERT_EQ_U64(id, r.id);
		ASSERT_EQ(op == MBOX_READ ? 100 : 0, r.res);
		if (op == MBOX_READ) {
			unsigned char *data = iou_mbox_data(f->m, NULL);

			for (int i = 0; i < 100; i++)
				ASSERT_EQ((unsigned char)((id * 100 + i) * 7), data[i]);
		}
		/* let the program go to sleep before the next command */
		st_sleep_ms(3);
	}
	/* nothing more came: no poisoned STOP was taken */
	ASSERT_EQ(0, iou_mbox_poll(f->m, &r, 1));
	ASSERT_TRUE(!iou_mbox_ended(f->m));
	return stop_and_drain(f);
}

TEST_F_TIMEOUT(mbox, slow_publish, "mbox: commands published one by one, poison past sq_tail never read; doorbell wakes", 60)
{
	struct iou_mbox_stats st;

	ASSERT_OK(run_client(self, slow_client));
	ASSERT_EQ(IOU_EXIT_STOPPED, self->ctl->exit.kind);
	ASSERT_EQ_U64(101, st_counter_or_max(self->ctl, "cmds"));
	iou_mbox_get_stats(self->m, &st);
	st_diag("client: %llu doorbell wakes, %llu waits for 101 commands",
		(unsigned long long)st.wakes, (unsigned long long)st.waits);
	/* the program slept between commands and the doorbell woke it */
	ASSERT_LE(50, st_counter_or_max(self->ctl, "wakeups"));
	ASSERT_LE(50, st.wakes);
	return KSFT_PASS;
}

/* ---- STOP with commands in flight ---- */

#define NR_TIMEOUTS	32
#define NR_READS	16
#define NR_BEFORE	16
#define NR_AFTER	20

static int stop_client(FIXTURE_DATA(mbox) *f)
{
	struct mbox_cmd cmds[NR_TIMEOUTS + NR_READS + NR_BEFORE + 1 + NR_AFTER];
	unsigned char seen[sizeof(cmds) / sizeof(cmds[0])] = { 0 };
	unsigned n = 0, got = 0, cancelled = 0;
	struct mbox_res r[16];
	int k;

	memset(cmds, 0, sizeof(cmds));
	for (unsigned i = 0; i < NR_TIMEOUTS; i++, n++)
		cmds[n] = (struct mbox_cmd){ .id = n, .op = MBOX_TIMEOUT,
					     .off = LONG_TIMEOUT_NS };
	for (unsigned i = 0; i < NR_READS; i++, n++)
		cmds[n] = (struct mbox_cmd){ .id = n, .op = MBOX_READ, .fd = f->fd,
					     .off = i * 1000, .buf = i * 1000,
					     .len = 1000 };
	for (unsigned i = 0; i < NR_BEFORE; i++, n++)
		cmds[n] = (struct mbox_cmd){ .id = n, .op = MBOX_NOP };
	cmds[n] = (struct mbox_cmd){ .id = n, .op = MBOX_STOP };
	n++;
	for (unsigned i = 0; i < NR_AFTER; i++, n++)
		cmds[n] = (struct mbox_cmd){ .id = n, .op = MBOX_NOP };
	ASSERT_EQ((int)n, iou_mbox_post(f->m, cmds, n));

	/* every command answered exactly once, until the channel is shut */
	for (;;) {
		k = iou_mbox_wait(f->m, r, 16, WAIT_MS);
		if (k == -ESHUTDOWN)
			break;
		ASSERT_LT(0, k);
		for (int i = 0; i < k; i++) {
			const struct mbox_cmd *c;

			ASSERT_GT(n, r[i].id);
			ASSERT_EQ(0, seen[r[i].id]);
			seen[r[i].id] = 1;
			got++;
			c = &cmds[r[i].id];
			ASSERT_EQ(c->op, r[i].op);
			if (r[i].res == -ECANCELED)
				cancelled++;
			if (c->op == MBOX_TIMEOUT)
				ASSERT_EQ(-ECANCELED, r[i].res);
			else if (c->op == MBOX_READ)
				ASSERT_TRUE(r[i].res == 1000 || r[i].res == -ECANCELED);
			else if (c->op == MBOX_STOP)
				ASSERT_EQ(0, r[i].res);
			else if (r[i].id < NR_TIMEOUTS + NR_READS + NR_BEFORE)
				ASSERT_EQ(0, r[i].res);
			else
				ASSERT_EQ(-ECANCELED, r[i].res);
		}
	}
	ASSERT_EQ(n, got);
	ASSERT_LE(NR_TIMEOUTS + NR_AFTER, cancelled);
	return 0;
}

TEST_F_TIMEOUT(mbox, stop_inflight, "mbox: STOP with timeouts and reads in flight: each completes or is cancelled, none lost", 60)
{

	/* a program that spins 16 idle steps before it sleeps */
	ASSERT_OK(prog_open(self, "16", "1"));
	ASSERT_OK(run_client(self, stop_client));
	ASSERT_EQ(IOU_EXIT_STOPPED, self->ctl->exit.kind);
	/* the hour-long timeouts were cancelled, not waited for */
	ASSERT_GT(WAIT_MS / 1000, self->run_secs);
	return KSFT_PASS;
}

/* stop_req (Ctrl-C of iouops) while commands wait: the program ends,
 * the API answers what it never took with -ECANCELED. */
static int stop_req_client(FIXTURE_DATA(mbox) *f)
{
	struct mbox_cmd cmds[8];
	struct mbox_res r[8];
	unsigned got = 0, seen = 0;
	int k;

	for (unsigned i = 0; i < 8; i++)
		cmds[i] = (struct mbox_cmd){ .id = i, .op = MBOX_TIMEOUT,
					     .off = LONG_TIMEOUT_NS };
	ASSERT_EQ(8, iou_mbox_post(f->m, cmds, 8));
	ASSERT_TRUE(wait_u32(&f->mb->sq_head, 8));	/* all in flight */
	iou_prog_request_stop(f->p);
	iou_mbox_kick(f->m);
	while ((k = iou_mbox_wait(f->m, r, 8, WAIT_MS)) != -ESHUTDOWN) {
		ASSERT_LT(0, k);
		for (int i = 0; i < k; i++) {
			ASSERT_GT(8, r[i].id);
			ASSERT_EQ(0, seen & (1U << r[i].id));
			seen |= 1U << r[i].id;
			ASSERT_EQ(-ECANCELED, r[i].res);
			got++;
		}
	}
	ASSERT_EQ(8, got);
	ASSERT_EQ(0xff, seen);
	ASSERT_EQ(-ESHUTDOWN, post1(f, 9, MBOX_NOP, 0, 0, 0));
	return 0;
}

TEST_F_TIMEOUT(mbox, stop_req, "mbox: stop_req and a doorbell kick end a sleeping program; timeouts cancelled", 60)
{

	ASSERT_OK(run_client(self, stop_req_client));
	ASSERT_EQ(IOU_EXIT_STOPPED, self->ctl->exit.kind);
	ASSERT_GT(WAIT_MS / 1000, self->run_secs);
	return KSFT_PASS;
}

/* ---- bad commands and a corrupt ring ---- */

static int bad_client(FIXTURE_DATA(mbox) *f)
{
	size_t size;
	struct mbox_res r;

	iou_mbox_data(f->m, &size);
	ASSERT_EQ(1, post1(f, 1, 200, 0, 0, 0));
	ASSERT_EQ(1, post1(f, 2, MBOX_READ, 0, (uint32_t)size - 10, 100));
	ASSERT_EQ(1, post1(f, 3, MBOX_WRITE, 0, 0, 0xffffffffU));
	ASSERT_EQ(1, post1(f, 4, MBOX_READ, 0, 0xfffffff0U, 0x20));
	ASSERT_EQ(1, post1(f, 5, MBOX_NOP, 0, 0, 0));
	ASSERT_EQ(1, post1(f, 6, MBOX_READ, 0, 0, (uint32_t)size));
	{
		struct mbox_cmd c = { .id = 7, .op = MBOX_READ, .fd = -1,
				      .len = 10 };

		ASSERT_EQ(1, iou_mbox_post(f->m, &c, 1));
	}
	for (uint64_t id = 1; id <= 7; id++) {
		ASSERT_EQ(1, take1(f, &r));
		/* inline rejections come in order; the reads later */
		if (id <= 5)
			ASSERT_EQ_U64(id, r.id);
		switch (r.id) {
		case 1: ASSERT_EQ(-EOPNOTSUPP, r.res); ASSERT_EQ(200, r.op); break;
		case 2: case 3: case 4: ASSERT_EQ(-EINVAL, r.res); break;
		case 5: ASSERT_EQ(0, r.res); break;
		case 6: ASSERT_EQ((int)(size < FILE_LEN ? size : FILE_LEN), r.res); break;
		case 7: ASSERT_EQ(-EBADF, r.res); break;
		default: ASSERT_TRUE(0);
		}
	}
	return stop_and_drain(f);
}

TEST_F_TIMEOUT(mbox, bad_commands, "mbox: unknown op, buffers outside the data area, bad fd: error results, loop goes on", 60)
{

	ASSERT_OK(run_client(self, bad_client));
	ASSERT_EQ(IOU_EXIT_STOPPED, self->ctl->exit.kind);
	ASSERT_EQ_U64(4, st_counter_or_max(self->ctl, "rejected"));
	return KSFT_PASS;
}

static int corrupt_sq_client(FIXTURE_DATA(mbox) *f)
{
	struct mbox_res r;

	/* a long timeout in flight, then an impossible sq_tail */
	ASSERT_EQ(1, post1(f, 1, MBOX_TIMEOUT, LONG_TIMEOUT_NS, 0, 0));
	ASSERT_TRUE(wait_u32(&f->mb->sq_head, 1));	/* in flight */
	__atomic_store_n(&f->mb->sq_tail, f->mb->sq_head + 1000, __ATOMIC_RELEASE);
	iou_mbox_kick(f->m);
	/* the in-flight timeout is still answered (cancelled) */
	ASSERT_EQ(1, take1(f, &r));
	ASSERT_EQ_U64(1, r.id);
	ASSERT_EQ(-ECANCELED, r.res);
	ASSERT_EQ(-EPROTO, iou_mbox_wait(f->m, &r, 1, WAIT_MS));
	return 0;
}

static int corrupt_cq_client(FIXTURE_DATA(mbox) *f)
{
	ASSERT_EQ(1, post1(f, 1, MBOX_NOP, 0, 0, 0));
	ASSERT_TRUE(wait_u32(&f->mb->cq_tail, 1));	/* answered */
	__atomic_store_n(&f->mb->cq_head, f->mb->cq_tail + 5, __ATOMIC_RELEASE);
	ASSERT_EQ(1, post1(f, 2, MBOX_NOP, 0, 0, 0));
	iou_mbox_kick(f->m);
	ASSERT_TRUE(st_wait_until(mbox_ended, f->m, WAIT_MS));
	return 0;
}

TEST_F_TIMEOUT(mbox, corrupt_ring, "mbox: impossible sq_tail / cq_head: drain, exit error -EPROTO with the indexes", 60)
{
	ASSERT_OK(run_client(self, corrupt_sq_client));
	ASSERT_EQ(IOU_EXIT_ERROR, self->ctl->exit.kind);
	ASSERT_EQ(-EPROTO, self->ctl->exit.code);
	ASSERT_STR_HAS((const char *)self->ctl->exit.reason, "corrupted the rings");
	ASSERT_GT(WAIT_MS / 1000, self->run_secs);

	/* a fresh program for the other half */
	ASSERT_OK(prog_open(self, "0", "1"));
	ASSERT_OK(run_client(self, corrupt_cq_client));
	ASSERT_EQ(IOU_EXIT_ERROR, self->ctl->exit.kind);
	ASSERT_EQ(-EPROTO, self->ctl->exit.code);
	return KSFT_PASS;
}

/* ---- long streams and another process: samples/mbox-demo ---- */

VARIANT(mbox) {
	const char *count, *mode;	/* mbox-demo -n COUNT MODE */
	const char *want;		/* in its output */
};

VARIANT_ADD_TIMEOUT(mbox, stream_1m, "mbox: 1000000 commands of random ops and sizes, each answered once and checked", 300)
{ "1000000", "--spin=16", "client: 1000000 commands" };
VARIANT_ADD_TIMEOUT(mbox, process, "mbox: the client is another process mapping the region through /proc", 120)
{ "50000", "--process", "client process: 50000 commands" };

TEST_VARIANTS(mbox)
{
	const char *bin = st_build_path("samples/mbox-demo");
	struct st_cmd c;

	ST_REQUIRE_FEATURE();
	ASSERT_EQ(0,
		  st_run(&c, NULL, NULL, bin, "-n", variant->count, "-w", "64",
			 "-l", "4096", variant->mode, NULL));
	st_cmd_diag(&c);
	ASSERT_TRUE(st_cmd_has(&c, variant->want));
	ASSERT_TRUE(st_cmd_has(&c, "program exit: stopped"));
	return KSFT_PASS;
}

/* ---- timeouts: the value in the SQE, or a timespec as fallback ---- */

#define NR_TIMED	3
static const uint64_t timed_ms[NR_TIMED] = { 300, 50, 150 };
static double timed_late[NR_TIMED];	/* seconds after its due time */

/* Three timeouts posted at once come back in order of their times, each
 * not before it is due (the ids say which is which). */
static int timed_client(FIXTURE_DATA(mbox) *f)
{
	struct mbox_cmd cmds[NR_TIMED];
	const uint64_t order[NR_TIMED] = { 1, 2, 0 };
	struct mbox_res r;
	double t0;

	for (unsigned i = 0; i < NR_TIMED; i++)
		cmds[i] = (struct mbox_cmd){ .id = i, .op = MBOX_TIMEOUT,
					     .off = timed_ms[i] * 1000000ULL };
	t0 = st_now();
	ASSERT_EQ(NR_TIMED, iou_mbox_post(f->m, cmds, NR_TIMED));
	for (unsigned i = 0; i < NR_TIMED; i++) {
		ASSERT_EQ(1, take1(f, &r));
		ASSERT_EQ_U64(order[i], r.id);
		ASSERT_EQ(MBOX_TIMEOUT, r.op);
		ASSERT_EQ(0, r.res);
		timed_late[r.id] = st_now() - t0 - timed_ms[r.id] / 1000.0;
	}
	return stop_and_drain(f);
}

/* Did the program write a timespec for any of the timeouts? */
static bool timespecs_written(const FIXTURE_DATA(mbox) *f)
{
	for (unsigned i = 0; i < MBOX_MAX_INFLIGHT; i++)
		if (f->mb->ts[i].tv_sec || f->mb->ts[i].tv_nsec)
			return true;
	return false;
}

/* F's program was opened with TIMEOUT_IMM. */
static int timed_run(FIXTURE_DATA(mbox) *f, const char *timeout_imm,
		     bool want_timespecs)
{
	ASSERT_OK(run_client(f, timed_client));
	ASSERT_EQ(IOU_EXIT_STOPPED, f->ctl->exit.kind);	/* by its STOP */
	for (unsigned i = 0; i < NR_TIMED; i++) {
		st_diag("timeout %llu ms (imm %s): %+.1f ms late",
			(unsigned long long)timed_ms[i], timeout_imm,
			timed_late[i] * 1000);
		/* never early (a 1 ms margin for the two clocks' reads);
		 * late only by the machine's speed: 10 s is generous */
		ASSERT_LE(-1, (long long)(timed_late[i] * 1000));
		ASSERT_GT(10000, (long long)(timed_late[i] * 1000));
	}
	ASSERT_EQ(want_timespecs, timespecs_written(f));
	return 0;
}

TEST_F_TIMEOUT(mbox, timeout_immediate, "mbox: TIMEOUTs with the ns in the SQE fire in time order, never early, no timespec written", 60)
{
	if (!iou_kernel_has_timeout_imm())
		return st_skip("kernel lacks IORING_TIMEOUT_IMMEDIATE_ARG");
	return timed_run(self, "1", false);
}

TEST_F_TIMEOUT(mbox, timeout_timespec, "mbox: iou_timeout_imm=0 forces the timespec fallback: same order and times", 60)
{
	ASSERT_OK(prog_open(self, "0", "0"));
	return timed_run(self, "0", true);
}
