// SPDX-License-Identifier: GPL-2.0
/*
 * mbox: run commands that userspace posts in a ring in the shared region,
 * answer in a second ring, and sleep on a futex doorbell when there is
 * nothing to do. No syscall on either side while both are busy. The
 * protocol and the memory ordering are described in progs/mbox_shared.h; the
 * userspace end is loader/mbox.h (iou_mbox_post / poll / wait).
 *
 *	iouops load mbox [--set data_size=4m] [--set spin=64]
 *
 * Every command gets exactly one result, in completion order (NOPs and
 * rejected commands at once, READ/WRITE/TIMEOUT when the kernel
 * completes them). A command is only taken when its result is sure to
 * fit in the result ring, so the program never overwrites a result that
 * userspace has not read, and never reads a command slot past sq_tail.
 */
#include "iouops.bpf.h"
#include "mbox_shared.h"

char LICENSE[] SEC("license") = "GPL";

const volatile __u32 data_size = 1 << 20;	/* data area the loader makes */
const volatile __u32 spin = 16;		/* idle steps before sleeping */

IOU_SHM_NEED(MBOX_DATA_OFF - IOU_CTL_SIZE, "data_size", "");

#define SQ_MASK		(MBOX_SQ_ENTRIES - 1)
#define CQ_MASK		(MBOX_CQ_ENTRIES - 1)
#define SLOT_MASK	(MBOX_MAX_INFLIGHT - 1)

/* user_data: tag, kind, slot */
#define MB_TAG		(0x6d62ULL << 48)	/* "mb" */
#define MB_TAG_MASK	(0xffffULL << 48)
enum { K_CMD = 1, K_BELL_WAIT, K_CLIENT_WAKE, K_CANCEL };
#define MB_UD(kind, slot) (MB_TAG | ((__u64)(kind) << 16) | (slot))

enum { C_CMDS, C_RESULTS, C_IO, C_REJECTED, C_CANCELLED, C_SLEEPS,
       C_WAKEUPS, C_BELL_RACED, C_CLIENT_WAKES, C_SPINS, NR_COUNTERS };
static const char counter_names[NR_COUNTERS][IOU_COUNTER_NAME_LEN] = {
	"cmds", "results", "io", "rejected", "cancelled", "sleeps",
	"wakeups", "bell_raced", "client_wakes", "spins",
};

/* State across steps, in .bss (see iou_cursor for why not the stack). */
__u32 sq_head;		/* commands taken (published as mbox.sq_head) */
__u32 cq_tail;		/* results written (published as mbox.cq_tail) */
__u32 pending;		/* io_uring requests in flight, of every kind */
__u32 cmds_inflight;	/* commands whose result is still to come */
__u32 bell_armed;	/* a futex wait on the doorbell is in flight */
__u32 idle_steps;
__u32 max_inflight;
__u32 started;
__u32 stopping;		/* 1: STOP seen or stop_req; 2: cancel sent */
__u32 have_stop;	/* a STOP command is waiting for its result */
__u64 stop_id;
__s32 corrupt;		/* userspace broke the ring: exit with -EPROTO */
__u32 bad_tail, bad_head;
__u32 free_slots[MBOX_MAX_INFLIGHT];
__u32 nr_free;
__u32 batch;		/* commands taken (or cancelled) in this step's loop */
__u64 slot_id[MBOX_MAX_INFLIGHT];
__u32 slot_op[MBOX_MAX_INFLIGHT];

/* x86 is TSO: acquire/release need only the compiler not to reorder
 * (see iou_barrier); the full barriers are locked exchanges. */
#define load_acquire(x)	({ typeof(x) ___v = READ_ONCE(x); iou_barrier(); ___v; })
#define store_release(x, v) do { iou_barrier(); WRITE_ONCE(x, v); } while (0)
#define xchg(p, v)	__sync_lock_test_and_set(p, v)

static __always_inline __u64 region_uaddr(__u64 field_off)
{
	return iou_shm_uaddr(IOU_CTL_SIZE + field_off);
}

static __always_inline __u32 data_area(void)
{
	return iou_layout.mem_size > MBOX_DATA_OFF ?
	       iou_layout.mem_size - MBOX_DATA_OFF : 0;
}

/* Write one result; the caller reserved its slot and publishes later. */
static __always_inline void post(struct iou_ring *r, struct mbox_region *mb,
				 __u64 id, __s32 res, __u32 op)
{
	struct mbox_res *out = &mb->cq[cq_tail & CQ_MASK];

	out->id = id;
	out->res = res;
	out->op = op;
	cq_tail++;
	iou_count(r, C_RESULTS, 1);
	if (res == -ECANCELED)
		iou_count(r, C_CANCELLED, 1);
}

/* Results that may still be written without overwriting unread ones,
 * counting those promised to commands in flight. ~0 on corruption. */
static __always_inline __u32 cq_room(struct mbox_region *mb)
{
	__u32 used = cq_tail - load_acquire(mb->cq_head);

	if (used > MBOX_CQ_ENTRIES) {
		bad_head = mb->cq_head;
		return ~0U;
	}
	used += cmds_inflight + have_stop;
	return used >= MBOX_CQ_ENTRIES ? 0 : MBOX_CQ_ENTRIES - used;
}

/* Commands published and not taken yet. ~0 on corruption. */
static __always_inline __u32 sq_ready(struct mbox_region *mb)
{
	__u32 tail = load_acquire(mb->sq_tail);

	if (tail - sq_head > MBOX_SQ_ENTRIES) {
		bad_tail = tail;
		return ~0U;
	}
	return tail - sq_head;
}

static __always_inline int start(struct iou_ring *r, struct mbox_region *mb)
{
	__u32 max = MBOX_MAX_INFLIGHT;
	int i;

	/* room in the ring for the commands plus the doorbell wait, a
	 * client wake-up and a cancel */
	if (iou_layout.sq_entries < max + 4)
		max = iou_layout.sq_entries - 4;
	if (iou_layout.cq_entries < max + 4)
		max = iou_layout.cq_entries - 4;
	if (iou_layout.sq_entries < 8 || iou_layout.cq_entries < 8)
		return iou_exit_error(r->ctl, -EINVAL, "the ring is too small: "
				      "--sq-entries and --cq-entries >= 8");
	max_inflight = max;
	bpf_for(i, 0, MBOX_MAX_INFLIGHT)
		free_slots[i] = i;
	nr_free = MBOX_MAX_INFLIGHT;
	sq_head = mb->sq_head;
	cq_tail = mb->cq_tail;
	mb->magic = MBOX_MAGIC;
	mb->version = MBOX_VERSION;
	mb->sq_entries = MBOX_SQ_ENTRIES;
	mb->cq_entries = MBOX_CQ_ENTRIES;
	mb->data_off = MBOX_DATA_OFF;
	mb->data_size = data_area();
	store_release(mb->ready, 1);
	started = 1;
	return IOU_LOOP_CONTINUE;
}

/* Queue the io_uring request for a command; 0 or -errno for its result
 * (the command is answered at once then). 1: no room, try later. */
static __always_inline int issue(struct iou_ring *r, struct mbox_region *mb,
				 struct mbox_cmd *c)
{
	struct io_uring_sqe *sqe;
	__u32 slot, size = data_area();

	if (c->op == MBOX_READ || c->op == MBOX_WRITE) {
		if (c->len > size || c->buf > size - c->len)
			return -EINVAL;
	}
	/* keep 3 SQEs for a cancel, a client wake-up and the doorbell */
	if (!nr_free || cmds_inflight >= max_inflight || iou_sq_space(r) <= 3)
		return 1;
	sqe = iou_get_sqe(r);
	if (!sqe)
		return 1;
	nr_free--;
	slot = free_slots[nr_free & SLOT_MASK] & SLOT_MASK;
	slot_id[slot] = c->id;
	slot_op[slot] = c->op;
	if (c->op == MBOX_TIMEOUT) {
		/* nanoseconds in the SQE; mb->ts[slot] only on a kernel
		 * without IORING_TIMEOUT_IMMEDIATE_ARG */
		iou_prep_timeout_or_ts(sqe, c->off, 0,
				       (struct __kernel_timespec *)&mb->ts[slot],
				       region_uaddr(__builtin_offsetof(
					struct mbox_region, ts) +
					slot * sizeof(struct mbox_timespec)),
				       MB_UD(K_CMD, slot));
	} else {
		__u64 buf = iou_shm_uaddr(MBOX_DATA_OFF + c->buf);

		if (c->op == MBOX_READ)
			iou_prep_read(sqe, c->fd, buf, c->len, c->off,
				      MB_UD(K_CMD, slot));
		else
			iou_prep_write(sqe, c->fd, buf, c->len, c->off,
				       MB_UD(K_CMD, slot));
		iou_count(r, C_IO, 1);
	}
	cmds_inflight++;
	pending++;
	return 0;
}

/* Take what commands fit. Returns how many were taken. */
static __always_inline __u32 take_commands(struct iou_ring *r,
					   struct mbox_region *mb)
{
	__u32 ready = sq_ready(mb), room = cq_room(mb);
	int i;

	if (ready == ~0U || room == ~0U) {
		corrupt = -EPROTO;
		return 0;
	}
	if (ready > room)
		ready = room;
	/* a global, not a stack counter: see iou_cursor */
	batch = 0;
	bpf_for(i, 0, MBOX_SQ_ENTRIES) {
		struct mbox_cmd c;
		int ret;

		if ((__u32)i >= ready || stopping)
			break;
		/* copy it out: userspace may reuse the slot once sq_head
		 * passes it */
		__builtin_memcpy(&c, &mb->sq[(sq_head + i) & SQ_MASK], sizeof(c));
		if (c.op == MBOX_NOP) {
			post(r, mb, c.id, 0, c.op);
		} else if (c.op == MBOX_STOP) {
			stopping = 1;
			have_stop = 1;
			stop_id = c.id;
		} else if (c.op < MBOX_NR_OPS) {
			ret = issue(r, mb, &c);
			if (ret > 0)
				break;		/* no room: later */
			if (ret < 0) {
				post(r, mb, c.id, ret, c.op);
				iou_count(r, C_REJECTED, 1);
			}
		} else {
			post(r, mb, c.id, -EOPNOTSUPP, c.op);
			iou_count(r, C_REJECTED, 1);
		}
		batch++;
		iou_count(r, C_CMDS, 1);
	}
	sq_head += batch;
	store_release(mb->sq_head, sq_head);
	return batch;
}

/* After a STOP, once nothing is in flight: answer the commands already
 * published behind it with -ECANCELED (as far as the result ring has
 * room; userspace's end cancels what is left), then the STOP itself. */
static __always_inline void cancel_rest(struct iou_ring *r,
					struct mbox_region *mb)
{
	__u32 ready = sq_ready(mb), room = cq_room(mb);
	int i;

	if (ready == ~0U || room == ~0U)
		return;
	if (ready > room)
		ready = room;
	batch = 0;
	bpf_for(i, 0, MBOX_SQ_ENTRIES) {
		struct mbox_cmd *c;

		if ((__u32)i >= ready)
			break;
		c = &mb->sq[(sq_head + i) & SQ_MASK];
		post(r, mb, c->id, -ECANCELED, c->op);
		batch++;
	}
	sq_head += batch;
	store_release(mb->sq_head, sq_head);
	if (have_stop) {
		post(r, mb, stop_id, 0, MBOX_STOP);
		have_stop = 0;
	}
}

/* Publish the results and wake a client that said it waits. */
static __always_inline void publish(struct iou_ring *r, struct mbox_region *mb,
				    int moved)
{
	struct io_uring_sqe *sqe;

	store_release(mb->cq_tail, cq_tail);
	if (!moved)
		return;
	/* full barrier between the index stores above and this load */
	if (!xchg(&mb->client_waiting, 0))
		return;
	WRITE_ONCE(mb->client_bell, mb->client_bell + 1);
	sqe = iou_get_sqe(r);
	if (!sqe)
		return;		/* the client's wait times out and re-checks */
	iou_prep_futex_wake(sqe, region_uaddr(__builtin_offsetof(
				struct mbox_region, client_bell)), 1, 0,
			    MB_UD(K_CLIENT_WAKE, 0));
	pending++;
	iou_count(r, C_CLIENT_WAKES, 1);
}

/*
 * Nothing to do now: make sure a futex wait on the doorbell is armed
 * before the loop blocks, unless userspace moved an index meanwhile.
 * Returns 1 when the caller should run the next step at once instead.
 */
static __always_inline int arm_doorbell(struct iou_ring *r,
					struct mbox_region *mb)
{
	struct io_uring_sqe *sqe;
	__u32 bell, ready, room, why = MBOX_WAKE_CMD;

	/* blocked on a full result ring: userspace taking results wakes us
	 * too (otherwise it need not, which saves a wake-up per result) */
	if (sq_ready(mb) && !cq_room(mb))
		why |= MBOX_WAKE_ROOM;
	xchg(&mb->sleeping, why);	/* full barrier */
	bell = load_acquire(mb->doorbell);
	ready = sq_ready(mb);
	room = cq_room(mb);
	/* a command could be taken now: do not sleep */
	if (ready && room && cmds_inflight < max_inflight && nr_free) {
		WRITE_ONCE(mb->sleeping, 0);
		return 1;
	}
	if (bell_armed)
		return 0;
	sqe = iou_get_sqe(r);
	if (!sqe) {
		WRITE_ONCE(mb->sleeping, 0);
		return 1;
	}
	/* shared futex: userspace may wake it from another process */
	iou_prep_futex_wait(sqe, region_uaddr(__builtin_offsetof(
				struct mbox_region, doorbell)), bell, 0,
			    MB_UD(K_BELL_WAIT, 0));
	bell_armed = 1;
	pending++;
	iou_count(r, C_SLEEPS, 1);
	return 0;
}

IOU_LOOP(mbox_step)
{
	struct io_uring_cqe *cqe;
	struct mbox_region *mb;
	struct iou_ring r;
	__u32 taken, posted;
	int ret = 0, want;

	if (iou_ring_open(&r, ring))
		return IOU_LOOP_STOP;
	iou_counters_init(&r, counter_names, NR_COUNTERS);
	mb = iou_shm_data(&r, struct mbox_region);
	if (!mb)
		return iou_exit_error(r.ctl, -ENOSPC, "the shared region is too "
				      "small for the mbox rings");
	if (!started && start(&r, mb) != IOU_LOOP_CONTINUE)
		return IOU_LOOP_STOP;
	/* awake: userspace need not ring */
	if (READ_ONCE(mb->sleeping))
		WRITE_ONCE(mb->sleeping, 0);
	posted = cq_tail;

	iou_for_each_cqe(&r, cqe) {
		__u64 ud = cqe->user_data;
		__u32 kind = (ud >> 16) & 0xff, slot = ud & SLOT_MASK;

		if ((ud & MB_TAG_MASK) != MB_TAG || !pending) {
			ret = -EPROTO;
			break;
		}
		pending--;
		if (kind == K_CMD) {
			__s32 res = cqe->res;

			if (!cmds_inflight) {
				ret = -EPROTO;
				break;
			}
			cmds_inflight--;
			/* a timeout that expired did its job */
			if (slot_op[slot] == MBOX_TIMEOUT && res == -ETIME)
				res = 0;
			post(&r, mb, slot_id[slot], res, slot_op[slot]);
			free_slots[nr_free & SLOT_MASK] = slot;
			nr_free++;
		} else if (kind == K_BELL_WAIT) {
			bell_armed = 0;
			if (cqe->res == 0)
				iou_count(&r, C_WAKEUPS, 1);
			else if (cqe->res == -EAGAIN)
				iou_count(&r, C_BELL_RACED, 1);
		}
	}
	iou_cq_commit(&r);
	if (ret)
		return iou_exit_error(r.ctl, ret, "unexpected CQE (pending %u)",
				      pending);

	if (iou_stop_requested(&r) && !stopping)
		stopping = 1;
	taken = 0;
	if (!stopping && !corrupt)
		taken = take_commands(&r, mb);
	if ((stopping || corrupt) && stopping < 2 && pending) {
		/* end timeouts and the doorbell wait now, not when they fire */
		struct io_uring_sqe *sqe = iou_get_sqe(&r);

		if (sqe) {
			iou_prep_cancel_any(sqe, MB_UD(K_CANCEL, 0));
			pending++;
			stopping = 2;
		}
	}
	if (stopping && !corrupt && !pending)
		cancel_rest(&r, mb);
	publish(&r, mb, taken || cq_tail != posted);

	want = iou_sq_pending(&r);
	ret = iou_submit(&r);
	if (ret != want)
		return iou_exit_error(r.ctl, ret < 0 ? ret : -EIO,
				      "submitted %d of %d SQEs", ret, want);

	if ((stopping || corrupt) && !pending) {
		if (corrupt)
			return iou_exit_error(r.ctl, corrupt, "userspace corrupted "
					      "the rings: sq_tail %u / cq_head %u "
					      "(sq_head %u, cq_tail %u)",
					      bad_tail, bad_head, sq_head, cq_tail);
		return iou_exit_stopped(r.ctl, "stopped: %llu commands, "
					"%llu cancelled",
					iou_counter(&r, C_CMDS),
					iou_counter(&r, C_CANCELLED));
	}
	if (stopping || corrupt)
		return iou_step_wait(&r, lp, 1);
	if (taken || cq_tail != posted) {
		idle_steps = 0;
		return iou_step_wait(&r, lp, 0);
	}
	/* idle: spin a little before paying for a sleep and a wake-up */
	if (idle_steps < spin) {
		idle_steps++;
		iou_count(&r, C_SPINS, 1);
		return iou_step_wait(&r, lp, 0);
	}
	if (arm_doorbell(&r, mb))
		return iou_step_wait(&r, lp, 0);
	want = iou_sq_pending(&r);
	ret = iou_submit(&r);
	if (ret != want)
		return iou_exit_error(r.ctl, ret < 0 ? ret : -EIO,
				      "submitted %d of %d SQEs", ret, want);
	return iou_step_wait(&r, lp, 1);
}

IOU_OPS(mbox_ops, mbox_step);
