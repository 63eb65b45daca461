// SPDX-License-Identifier: GPL-2.0
/*
 * cp: copy src_fd to dst_fd with `qd` reads and writes of `bs` bytes in
 * flight, from buffers in the shared region, all inside one
 * io_uring_enter().
 *
 *	iouops load cp --src FILE --dst FILE [--set qd=16 --set bs=64k]
 *		[--set rate=10m]
 *
 * Each of the qd slots owns one bs-byte buffer and carries one block of
 * the file through read -> write. A short read or write resubmits the
 * rest; a read that returns 0 marks the end of the file, and slots that
 * read past it end empty. The copy is done when the end is known and no
 * slot is busy; then every byte of [0, EOF) has been written exactly once
 * (checked: copied == EOF). An error stops new work, waits for what is in
 * flight and records the errno: the destination is then never reported
 * complete.
 *
 * --set rate=BYTES (per second, 512k, 10m) paces the copy with a token
 * bucket: reads take tokens, and a timeout inside the loop wakes it when
 * the bucket is empty. Tokens come from the clock (rate * elapsed time),
 * not from counting timer CQEs, so a late timer costs no bytes; the
 * bucket holds rate/2 at most (500 ms of catch-up after a stall, so any
 * window of T seconds moves at most rate * (T + 0.5) bytes); what a full
 * bucket drops is counted (rate_dropped: time the copy fell behind).
 * Without rate every pacing branch is dead code to the verifier.
 */
#include "iouops.bpf.h"

char LICENSE[] SEC("license") = "GPL";

const volatile __s32 src_fd = -1;	/* --src: the loader opens the files */
const volatile __s32 dst_fd = -1;	/* --dst */
const volatile __u32 qd = 8;		/* blocks in flight */
const volatile __u32 bs = 128 * 1024;	/* block size */
const volatile __u32 fsync_end = 0;	/* fsync dst before reporting done */
/* bytes per second; the default means no pacing, and 0 is an error */
#define CP_RATE_UNLIMITED	(~0ULL)
const volatile __u64 rate = CP_RATE_UNLIMITED;

#define CP_MAX_QD	256
#define CP_MAX_BS	(16U << 20)
#define CP_MAX_RATE	(8ULL << 30)	/* rate * NSEC must fit 64 bits */
#define NSEC		1000000000ULL
#define CP_TICK_NS	(10 * 1000 * 1000ULL)	/* a read's worth of tokens */
#define CP_MAX_SLEEP_NS	(100 * 1000 * 1000ULL)	/* a stop is seen within */
#define CP_RATE_WIN_NS	(250 * 1000 * 1000ULL)	/* live rate window */

/* buffers: qd * bs bytes right after the control block, then the
 * timer's timespec (used only without IORING_TIMEOUT_IMMEDIATE_ARG) */
IOU_SHM_NEED(sizeof(struct __kernel_timespec), "qd", "bs");

/* user_data: tag, op, slot */
#define CP_TAG		(0x6370ULL << 48)	/* "cp" */
#define CP_TAG_MASK	(0xffffULL << 48)
enum { CP_READ = 1, CP_WRITE, CP_FSYNC, CP_TIMER };
#define CP_UD(op, slot)	(CP_TAG | ((__u64)(op) << 16) | (slot))

enum { C_BYTES, C_READS, C_WRITES, C_SHORT_READS, C_SHORT_WRITES,
       C_EOF_READS, C_MAX_INFLIGHT, NR_COUNTERS,
       /* only when paced (rate set) */
       C_RATE = NR_COUNTERS, C_RATE_LIMIT, C_TIMER_WAITS, C_RATE_DROPPED,
       NR_PACED_COUNTERS };
static const char counter_names[NR_PACED_COUNTERS][IOU_COUNTER_NAME_LEN] = {
	"bytes", "reads", "writes", "short_reads", "short_writes",
	"eof_reads", "max_inflight",
	"rate_bps", "rate_limit", "timer_waits", "rate_dropped",
};

struct cp_slot {
	__u64 off;	/* file offset of the block */
	__u32 len;	/* bytes asked for (bs) */
	__u32 filled;	/* bytes read into the buffer */
	__u32 written;	/* bytes of it written */
	__u32 __pad;
};

/* Everything the copy keeps across steps (.bss: survives signals and
 * re-entries, and its loads are fresh scalars for the verifier). */
struct cp_slot slots[CP_MAX_QD];
__u32 free_slots[CP_MAX_QD];
__u32 nr_free;
__u64 next_off;		/* next block to read */
__u64 eof_off;		/* end of file once a read returned 0, else ~0 */
__u64 copied;		/* bytes written, whole blocks */
__u32 inflight;		/* SQEs submitted, CQE not seen yet */
__u32 started;
__u32 synced;
__s32 err;		/* first error, 0 if none */
__u32 err_op;
__u64 err_off;
__u64 start_ns;
/* pacing (rate set): the token bucket and the live rate */
__u64 tokens;		/* bytes that may be read now */
__u64 token_frac;	/* rate * ns not yet a whole byte, in 1/NSEC bytes */
__u64 refill_ns;	/* clock of the last refill */
__u64 chunk;		/* smallest read worth waking for */
__u64 burst;		/* bucket size */
__u32 timer_armed;
__u64 win_ns, win_bytes;	/* live rate window */

static __always_inline bool paced(void)
{
	return rate != CP_RATE_UNLIMITED;
}

static __always_inline __u64 buf_uaddr(__u32 slot)
{
	return iou_shm_uaddr(IOU_CTL_SIZE + (__u64)slot * bs);
}

static __always_inline void cp_fail(__s32 res, __u32 op, __u64 off)
{
	if (err)
		return;
	err = res;
	err_op = op;
	err_off = off;
}

/* Queue the read of the rest of a slot's block. */
static __always_inline int queue_read(struct iou_ring *r, __u32 slot)
{
	struct cp_slot *s = &slots[slot & (CP_MAX_QD - 1)];
	struct io_uring_sqe *sqe = iou_get_sqe(r);

	if (!sqe)
		return -EBUSY;
	iou_prep_read(sqe, src_fd, buf_uaddr(slot) + s->filled,
		      s->len - s->filled, s->off + s->filled,
		      CP_UD(CP_READ, slot));
	inflight++;
	iou_count(r, C_READS, 1);
	return 0;
}

/* Queue the write of what a slot holds and has not written yet. */
static __always_inline int queue_write(struct iou_ring *r, __u32 slot)
{
	struct cp_slot *s = &slots[slot & (CP_MAX_QD - 1)];
	struct io_uring_sqe *sqe = iou_get_sqe(r);

	if (!sqe)
		return -EBUSY;
	iou_prep_write(sqe, dst_fd, buf_uaddr(slot) + s->written,
		       s->filled - s->written, s->off + s->written,
		       CP_UD(CP_WRITE, slot));
	inflight++;
	iou_count(r, C_WRITES, 1);
	return 0;
}

static __always_inline void put_slot(__u32 slot)
{
	free_slots[nr_free & (CP_MAX_QD - 1)] = slot;
	nr_free++;
}

/* A read completed: read the rest, or write the block, or free it. */
static __always_inline int read_done(struct iou_ring *r, __u32 slot, __s32 res)
{
	struct cp_slot *s = &slots[slot & (CP_MAX_QD - 1)];
	__u64 pos = s->off + s->filled;

	if (res < 0) {
		cp_fail(res, CP_READ, pos);
		put_slot(slot);
		return 0;
	}
	if (res == 0) {
		/* end of file at pos; blocks past it end empty */
		iou_count(r, C_EOF_READS, 1);
		if (pos < eof_off)
			eof_off = pos;
	} else {
		s->filled += res;
		if (s->filled > s->len)
			return -EOVERFLOW;
		if (s->filled < s->len && !err) {
			iou_count(r, C_SHORT_READS, 1);
			return queue_read(r, slot);
		}
	}
	/* a block read past an end seen elsewhere (the file shrank) is
	 * not written; the final copied == EOF check reports it */
	if (!s->filled || err || s->off >= eof_off) {
		put_slot(slot);
		return 0;
	}
	return queue_write(r, slot);
}

static __always_inline int write_done(struct iou_ring *r, __u32 slot,
				      __s32 res)
{
	struct cp_slot *s = &slots[slot & (CP_MAX_QD - 1)];

	if (res <= 0) {
		/* 0 would make no progress: report it as EIO */
		cp_fail(res ? res : -EIO, CP_WRITE, s->off + s->written);
		put_slot(slot);
		return 0;
	}
	s->written += res;
	if (s->written > s->filled)
		return -EOVERFLOW;
	if (s->written < s->filled && !err) {
		iou_count(r, C_SHORT_WRITES, 1);
		return queue_write(r, slot);
	}
	if (s->written == s->filled)
		copied += s->filled;
	put_slot(slot);
	return 0;
}

static __always_inline int start(struct iou_ring *r)
{
	__u32 max_qd = CP_MAX_QD;
	int i;

	if (src_fd < 0 || dst_fd < 0)
		return iou_exit_error(r->ctl, -EBADF, "no source or destination: "
				      "run with --src FILE --dst FILE");
	if (iou_layout.sq_entries < max_qd)
		max_qd = iou_layout.sq_entries;
	if (iou_layout.cq_entries < max_qd)
		max_qd = iou_layout.cq_entries;
	if (!qd || qd > max_qd)
		return iou_exit_error(r->ctl, -EINVAL, "qd %u out of range: "
				      "1..%u (256 and the ring size)", qd, max_qd);
	if (!bs || bs > CP_MAX_BS)
		return iou_exit_error(r->ctl, -EINVAL, "bs %u out of range: "
				      "1..%u", bs, CP_MAX_BS);
	if ((__u64)qd * bs + sizeof(struct __kernel_timespec) >
	    iou_layout.mem_size - IOU_CTL_SIZE)
		return iou_exit_error(r->ctl, -ENOSPC, "qd * bs = %llu bytes "
				      "of buffers do not fit the %u-byte shared "
				      "region", (__u64)qd * bs,
				      iou_layout.mem_size);
	if (paced() && (!rate || rate > CP_MAX_RATE))
		return iou_exit_error(r->ctl, -EINVAL, "rate %llu out of range: "
				      "1..%llu bytes per second (8g), or unset "
				      "for no limit", rate, CP_MAX_RATE);
	bpf_for(i, 0, CP_MAX_QD) {
		if ((__u32)i >= qd)
			break;
		free_slots[i] = qd - 1 - i;
	}
	nr_free = qd;
	eof_off = ~0ULL;
	start_ns = bpf_ktime_get_ns();
	if (paced()) {
		chunk = rate * CP_TICK_NS / NSEC;
		if (chunk > bs)
			chunk = bs;
		if (!chunk)
			chunk = 1;
		burst = rate / 2 > chunk ? rate / 2 : chunk;
		refill_ns = start_ns;
		win_ns = start_ns;
		WRITE_ONCE(r->ctl->counters[C_RATE_LIMIT].value, rate);
	}
	started = 1;
	return IOU_LOOP_CONTINUE;
}

/* Add the tokens the clock gave since the last refill, and update the
 * live rate (rate_bps: bytes written per second over >= 250 ms). */
static __always_inline void refill(struct iou_ring *r)
{
	__u64 now = bpf_ktime_get_ns(), dt = now - refill_ns, acc;

	if (dt > NSEC)
		dt = NSEC;	/* the bucket holds less than 1 s anyway */
	acc = rate * dt + token_frac;
	tokens += acc / NSEC;
	token_frac = acc % NSEC;
	refill_ns = now;
	if (tokens >= burst) {
		iou_count(r, C_RATE_DROPPED, tokens - burst);
		tokens = burst;
		token_frac = 0;
	}
	dt = now - win_ns;
	if (dt >= CP_RATE_WIN_NS) {
		WRITE_ONCE(r->ctl->counters[C_RATE].value,
			   (copied - win_bytes) * 1000 / (dt / 1000000));
		win_ns = now;
		win_bytes = copied;
	}
}

/* The bucket is short of a chunk: wake when it will hold one. */
static __always_inline int arm_timer(struct iou_ring *r)
{
	struct io_uring_sqe *sqe = iou_get_sqe(r);
	__u64 ns = (chunk - tokens) * NSEC / rate + 1;

	if (!sqe)
		return -EBUSY;
	if (ns > CP_MAX_SLEEP_NS)
		ns = CP_MAX_SLEEP_NS;
	if (iou_timeout_imm) {
		iou_prep_timeout_ns(sqe, ns, 0, CP_UD(CP_TIMER, 0));
	} else {
		__u64 off = IOU_CTL_SIZE + (__u64)qd * bs;
		__u8 *m = iou_shm_all(r);

		if (!m || off + sizeof(struct __kernel_timespec) >
			  iou_layout.mem_size)
			return -ENOSPC;
		iou_prep_timeout_or_ts(sqe, ns, 0,
				       (struct __kernel_timespec *)(m + off),
				       iou_shm_uaddr(off), CP_UD(CP_TIMER, 0));
	}
	timer_armed = 1;
	inflight++;
	iou_count(r, C_TIMER_WAITS, 1);
	return 0;
}

/* How the copy ended: done (with the rate), or why not. */
static __always_inline int finish(struct iou_ring *r)
{
	__u64 ns = bpf_ktime_get_ns() - start_ns;
	__u64 kib_s = ns ? (copied >> 10) * 1000000000ULL / ns : 0;

	if (err)
		return iou_exit_error(r->ctl, err, "%s at offset %llu failed "
				      "after %llu bytes copied: destination "
				      "incomplete", err_op == CP_READ ? "read" :
				      err_op == CP_WRITE ? "write" :
				      err_op == CP_TIMER ? "pacing timeout" : "fsync",
				      err_off, copied);
	if (iou_stop_requested(r))
		return iou_exit_stopped(r->ctl, "stopped after %llu bytes: "
					"destination incomplete", copied);
	if (copied != eof_off)
		return iou_exit_error(r->ctl, -EIO, "copied %llu bytes but the "
				      "source ends at %llu: it changed during "
				      "the copy", copied, eof_off);
	if (paced())
		return iou_exit_done(r->ctl, "copied %llu bytes in %llu us: "
				     "%llu.%llu MiB/s (qd %u, bs %u, rate %llu)",
				     copied, ns / 1000, kib_s >> 10,
				     (kib_s & 1023) * 10 / 1024, qd, bs, rate);
	return iou_exit_done(r->ctl, "copied %llu bytes in %llu us: %llu.%llu "
			     "MiB/s (qd %u, bs %u)", copied, ns / 1000,
			     kib_s >> 10, (kib_s & 1023) * 10 / 1024, qd, bs);
}

IOU_LOOP(cp_step)
{
	struct io_uring_cqe *cqe;
	struct iou_ring r;
	int i, ret = 0;
	__u32 want;

	if (iou_ring_open(&r, ring))
		return IOU_LOOP_STOP;
	if (paced())
		iou_counters_init(&r, counter_names, NR_PACED_COUNTERS);
	else
		iou_counters_init(&r, counter_names, NR_COUNTERS);
	if (!started && start(&r) != IOU_LOOP_CONTINUE)
		return IOU_LOOP_STOP;

	iou_for_each_cqe(&r, cqe) {
		__u64 ud = cqe->user_data;
		__u32 slot = ud & 0xffff, op = (ud >> 16) & 0xff;

		if ((ud & CP_TAG_MASK) != CP_TAG || slot >= qd || !inflight) {
			ret = -EPROTO;
			break;
		}
		inflight--;
		if (op == CP_READ) {
			ret = read_done(&r, slot, cqe->res);
		} else if (op == CP_WRITE) {
			ret = write_done(&r, slot, cqe->res);
		} else if (paced() && op == CP_TIMER) {
			/* -ETIME: time to refill; anything else (-EINVAL:
			 * a timeout the kernel refused) would spin */
			timer_armed = 0;
			if (cqe->res != -ETIME)
				cp_fail(cqe->res, CP_TIMER, 0);
		} else if (cqe->res < 0) {
			cp_fail(cqe->res, CP_FSYNC, 0);
		} else {
			synced = 1;
		}
		if (ret)
			break;
	}
	iou_cq_commit(&r);
	if (ret)
		return iou_exit_error(r.ctl, ret, "internal: bad CQE or no SQE "
				      "(inflight %u)", inflight);
	WRITE_ONCE(r.ctl->counters[C_BYTES].value, copied);

	if (paced())
		refill(&r);
	/* new blocks only while all is well and the end is not known */
	if (!err && !iou_stop_requested(&r)) {
		bpf_for(i, 0, CP_MAX_QD) {
			struct cp_slot *s;
			__u32 slot, len = bs;

			if (!nr_free || next_off >= eof_off)
				break;
			if (paced()) {
				/* a short block: the slot code takes any len */
				if (tokens < chunk)
					break;
				if (tokens < len)
					len = tokens;
				tokens -= len;
			}
			nr_free--;
			slot = free_slots[nr_free & (CP_MAX_QD - 1)];
			s = &slots[slot & (CP_MAX_QD - 1)];
			s->off = next_off;
			s->len = len;
			s->filled = 0;
			s->written = 0;
			next_off += len;
			if (queue_read(&r, slot)) {
				ret = -EBUSY;
				break;
			}
		}
		if (!ret && paced() && !timer_armed && nr_free &&
		    next_off < eof_off && tokens < chunk)
			ret = arm_timer(&r);
	}
	if (!ret && !inflight && !err && !iou_stop_requested(&r) &&
	    fsync_end && !synced) {
		struct io_uring_sqe *sqe = iou_get_sqe(&r);

		if (!sqe) {
			ret = -EBUSY;
		} else {
			iou_prep_fsync(sqe, dst_fd, 0, CP_UD(CP_FSYNC, 0));
			inflight++;
		}
	}
	if (inflight > iou_counter(&r, C_MAX_INFLIGHT))
		WRITE_ONCE(r.ctl->counters[C_MAX_INFLIGHT].value, inflight);
	want = iou_sq_pending(&r);
	i = iou_submit(&r);
	if (!ret && i != (int)want)
		ret = i < 0 ? i : -EIO;
	if (ret)
		return iou_exit_error(r.ctl, ret, "submit failed: %d of %u SQEs "
				      "(inflight %u)", i, want, inflight);
	if (!inflight)
		return finish(&r);
	return iou_step_wait(&r, lp, 1);
}

IOU_OPS(cp_ops, cp_step);
