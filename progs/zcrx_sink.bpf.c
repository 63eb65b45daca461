// SPDX-License-Identifier: GPL-2.0
/*
 * zcrx_sink: a TCP receiver that checks every byte. It accepts `conns`
 * connections one after the other and receives each until EOF, with
 *  - --zcrx: multishot RECV_ZC into a device-less zcrx area. Each CQE
 *    (32 bytes) names its data by the offset in its second half; the data
 *    is read in place through the shared region, and the buffer goes back
 *    as a refill-queue entry. A device-less ifq takes entries back only on
 *    ZCRX_CTRL_FLUSH_RQ, which BPF cannot issue: when the queue fills up
 *    (or the area runs dry, -ENOMEM) the program asks the loader through
 *    iou_ctl.zcrx_flush_req and stops the enter; the loader flushes and
 *    enters again.
 *  - without --zcrx: multishot recv into the provided buffer ring, each
 *    buffer recycled once checked. The same checking code: the baseline.
 *
 * The client (samples/zcrx-client) sends byte k of a connection as
 * zcrx_pattern_byte(seed, k) (zcrx_shared.h).
 *
 *	iouops load zcrx_sink --zcrx --listen 127.0.0.1:7000 --set seed=7
 */
#include "iouops.bpf.h"
#include "zcrx_shared.h"

char LICENSE[] SEC("license") = "GPL";

#define BUFS		256
#define BUF_SIZE	16384
#define AREA_DEFAULT	(4U << 20)

const volatile struct iou_res iou_res = {
	.bufs = BUFS, .buf_size = BUF_SIZE,	/* recv mode */
	.cq_extra = 64,
	.zcrx_area = AREA_DEFAULT, .zcrx_rq = 4096,	/* --zcrx mode */
	.zcrx_area_var = "area_size",
};
const volatile int listen_fd = -1;
const volatile __u32 area_size = AREA_DEFAULT;	/* --set area_size=8m */
const volatile __u32 seed = 1;		/* the client's --seed */
const volatile __u32 conns = 1;		/* connections to serve, then exit */

enum { UD_ACCEPT = 1, UD_RECV, UD_CLOSE };

enum {
	C_BYTES, C_BUFFERS, C_FLUSH_REQS, C_COPIES, C_COPY_BYTES, C_NOMEM,
	C_REARMS, C_CONNS, NR_COUNTERS
};
static const char counter_names[NR_COUNTERS][IOU_COUNTER_NAME_LEN] = {
	"bytes", "buffers", "flush_requests", "fallback_copies",
	"fallback_bytes", "area_empty", "rearms", "conns",
};

/* connection state, in .bss (kept across enters) */
int conn_fd = -1;
__u64 stream_off;	/* bytes of this connection checked so far */
__u64 total_bytes, total_bufs;
__u32 rq_tail;		/* refill queue: local tail */
__u32 conns_done;
__u32 need_rearm;	/* recv ended (area empty, or not re-armed yet) */
__u32 accept_armed;
__u32 recv_armed;

static __always_inline int zcrx_mode(void)
{
	return iou_res.zcrx_on;
}

/* Check len bytes at shm[pos] against the pattern at stream offset k:
 * bytes up to an 8-aligned k, then 8 at a time, then the rest. 0, or
 * the first stream offset that differs + 1. */
static __always_inline __u64 check_data(const __u8 *shm, __u64 pos,
					__u32 len, __u64 k)
{
	__u64 end = k + len;
	__u32 head = (8 - (k & 7)) & 7;
	__u64 n, *wp, diff;
	int i, j;

	if (head > len)
		head = len;
	bpf_for(i, 0, (int)head) {
		__u64 at = pos + i;

		if (at > iou_layout.mem_size - 1)
			return k + i + 1;
		if (shm[at] != zcrx_pattern_byte(seed, k + i))
			return k + i + 1;
	}
	pos += head;
	k += head;
	n = (end - k) / 8;
	bpf_for(i, 0, (int)n) {
		__u64 at = pos + (__u64)i * 8;

		if (at > iou_layout.mem_size - 8)
			return k + 1;
		wp = (__u64 *)(shm + at);
		diff = *wp ^ zcrx_pattern_word(seed, k + (__u64)i * 8);
		if (diff) {
			/* the first differing byte (little endian) */
			for (j = 0; j < 7 && !(diff & 0xff); j++)
				diff >>= 8;
			return k + (__u64)i * 8 + j + 1;
		}
	}
	pos += n * 8;
	k += n * 8;
	bpf_for(i, 0, (int)(end - k)) {
		__u64 at = pos + i;

		if (i >= 8 || at > iou_layout.mem_size - 1)
			return k + i + 1;
		if (shm[at] != zcrx_pattern_byte(seed, k + i))
			return k + i + 1;
	}
	return 0;
}

static __always_inline __u32 rq_pending(const __u8 *shm)
{
	__u32 head = READ_ONCE(*(__u32 *)(shm + iou_res.zcrx_rq_head));

	return rq_tail - head;
}

/* Give area bytes [off, off + len) back through the refill queue (the
 * caller made sure there is room). */
static __always_inline void rq_push(__u8 *shm, __u64 off, __u32 len)
{
	struct io_uring_zcrx_rqe *rqe;

	rqe = (struct io_uring_zcrx_rqe *)(shm + iou_res.zcrx_rqes_off +
		(rq_tail & (iou_res.zcrx_rq_entries - 1)) * sizeof(*rqe));
	rqe->off = off;
	rqe->len = len;
	rqe->__pad = 0;
	rq_tail++;
	iou_barrier();
	WRITE_ONCE(*(__u32 *)(shm + iou_res.zcrx_rq_tail), rq_tail);
}

static __always_inline void arm_recv(struct iou_ring *r)
{
	struct io_uring_sqe *sqe = iou_get_sqe(r);

	if (!sqe)
		return;
	if (zcrx_mode()) {
		iou_prep_rw(sqe, IORING_OP_RECV_ZC, conn_fd, 0, 0, 0, UD_RECV);
		sqe->ioprio = IORING_RECV_MULTISHOT;
		sqe->zcrx_ifq_idx = iou_res.zcrx_id;
	} else {
		iou_prep_rw(sqe, IORING_OP_RECV, conn_fd, 0, 0, 0, UD_RECV);
		sqe->flags = IOSQE_BUFFER_SELECT;
		sqe->ioprio = IORING_RECV_MULTISHOT;
		sqe->buf_group = (__u16)iou_res.bgid;
	}
	recv_armed = 1;
	need_rearm = 0;
}

static __always_inline void arm_accept(struct iou_ring *r)
{
	struct io_uring_sqe *sqe = iou_get_sqe(r);

	if (!sqe)
		return;
	iou_prep_rw(sqe, IORING_OP_ACCEPT, listen_fd, 0, 0, 0, UD_ACCEPT);
	accept_armed = 1;
}

/* One receive CQE with data: where it is, checked, handed back.
 * Returns 0, or a negative errno after recording the exit. */
static __always_inline int on_data(struct iou_ring *r, __u8 *shm,
				   struct io_uring_cqe *cqe)
{
	__u32 len = (__u32)cqe->res;
	__u64 pos, zoff = 0, bad;
	__u64 *extra;
	__u32 bid = 0;

	if (zcrx_mode()) {
		extra = iou_cqe32_extra(cqe);
		if (!extra)
			return iou_exit_error(r->ctl, -EPROTO,
					      "RECV_ZC CQE on a 16-byte ring");
		zoff = extra[0];
		pos = iou_res.zcrx_area_off +
		      (zoff & ~IORING_ZCRX_AREA_MASK);
		if ((zoff & ~IORING_ZCRX_AREA_MASK) + len > iou_res.zcrx_area)
			return iou_exit_error(r->ctl, -ERANGE,
				"RECV_ZC data at %llx+%u is outside the area",
				zoff, len);
	} else {
		if (!(cqe->flags & IORING_CQE_F_BUFFER) || len > iou_res.buf_size)
			return iou_exit_error(r->ctl, -EPROTO,
				"recv CQE without a buffer (flags %x)", cqe->flags);
		bid = cqe->flags >> IORING_CQE_BUFFER_SHIFT;
		pos = iou_buf_off(bid);
	}
	bad = check_data(shm, pos, len, stream_off);
	if (bad)
		return iou_exit_error(r->ctl, -EBADMSG,
			"byte %llu of connection %u differs from the pattern "
			"(seed %u)", bad - 1, conns_done, seed);
	stream_off += len;
	total_bytes += len;
	total_bufs++;
	if (zcrx_mode())
		rq_push(shm, zoff, len);
	else
		iou_bufring_recycle(shm, bid);
	return 0;
}

/* Ask the loader for ZCRX_CTRL_FLUSH_RQ: stop this enter. */
static __always_inline int request_flush(struct iou_ring *r)
{
	iou_count(r, C_FLUSH_REQS, 1);
	iou_cq_commit(r);
	WRITE_ONCE(r->ctl->zcrx_flush_req, 1);
	return IOU_LOOP_STOP;
}

static __always_inline void publish(struct iou_ring *r, __u8 *shm)
{
	WRITE_ONCE(r->ctl->counters[C_BYTES].value, total_bytes);
	WRITE_ONCE(r->ctl->counters[C_BUFFERS].value, total_bufs);
	WRITE_ONCE(r->ctl->counters[C_CONNS].value, conns_done);
	if (zcrx_mode() && iou_res.zcrx_stats_off) {
		/* the kernel's own count of fallback copies */
		__u64 *st = (__u64 *)(shm + iou_res.zcrx_stats_off);

		WRITE_ONCE(r->ctl->counters[C_COPIES].value, READ_ONCE(st[0]));
		WRITE_ONCE(r->ctl->counters[C_COPY_BYTES].value, READ_ONCE(st[1]));
	}
}

IOU_LOOP(zcrx_sink_step)
{
	struct io_uring_cqe *cqe;
	struct iou_ring r;
	__u32 rq_high;
	__u8 *shm;
	int ret;

	if (iou_ring_open(&r, ring))
		return IOU_LOOP_STOP;
	iou_counters_init(&r, counter_names, NR_COUNTERS);
	shm = iou_shm_all(&r);
	if (!shm)
		return iou_exit_error(r.ctl, -EFAULT, "no shared region");
	if (READ_ONCE(r.ctl->zcrx_flush_req))
		return iou_exit_error(r.ctl, -EPROTO,
				      "entered again before the flush was done");
	/* flush when 3/4 of the queue or of the area's buffers wait */
	rq_high = iou_res.zcrx_rq_entries;
	if (iou_res.zcrx_buf_len &&
	    iou_res.zcrx_area / iou_res.zcrx_buf_len < rq_high)
		rq_high = iou_res.zcrx_area / iou_res.zcrx_buf_len;
	rq_high -= rq_high / 4;

	iou_for_each_cqe(&r, cqe) {
		__u64 ud = cqe->user_data;

		if (ud == UD_ACCEPT) {
			accept_armed = 0;
			if (cqe->res < 0)
				return iou_exit_error(r.ctl, cqe->res,
						      "accept failed");
			conn_fd = cqe->res;
			stream_off = 0;
			need_rearm = 1;
		} else if (ud == UD_RECV) {
			if (cqe->res > 0) {
				/* no room to hand it back: flush first */
				if (zcrx_mode() && rq_pending(shm) >=
				    iou_res.zcrx_rq_entries) {
					r.cur->cq_seen--;
					return request_flush(&r);
				}
				ret = on_data(&r, shm, cqe);
				if (ret)
					return IOU_LOOP_STOP;
			}
			if (cqe->flags & IORING_CQE_F_MORE)
				continue;
			recv_armed = 0;
			if (cqe->res == 0) {
				/* EOF: this connection is done */
				struct io_uring_sqe *sqe = iou_get_sqe(&r);

				if (sqe)
					iou_prep_close(sqe, conn_fd, UD_CLOSE);
				conn_fd = -1;
				conns_done++;
			} else if (cqe->res == -ENOMEM && zcrx_mode()) {
				/* the area ran dry before we flushed */
				iou_count(&r, C_NOMEM, 1);
				need_rearm = 1;
			} else if (cqe->res < 0 && cqe->res != -ENOBUFS) {
				return iou_exit_error(r.ctl, cqe->res,
					"receive failed after %llu bytes",
					stream_off);
			} else {
				need_rearm = 1;	/* ENOBUFS, or it just ended */
				iou_count(&r, C_REARMS, 1);
			}
		} else if (ud == UD_CLOSE) {
			/* nothing to do */
		}
	}
	iou_cq_commit(&r);
	publish(&r, shm);

	if (conns_done >= conns && !recv_armed)
		return iou_exit_done(r.ctl, "%u connection(s), %llu bytes in "
				     "%llu buffers, every byte checked",
				     conns_done, total_bytes, total_bufs);
	if (iou_stop_requested(&r))
		return iou_exit_stopped(r.ctl, "stopped after %llu bytes",
					total_bytes);
	if (zcrx_mode() && (rq_pending(shm) >= rq_high ||
			    (need_rearm && rq_pending(shm))))
		return request_flush(&r);

	if (conn_fd >= 0 && need_rearm && !recv_armed)
		arm_recv(&r);
	if (conn_fd < 0 && !accept_armed && conns_done < conns)
		arm_accept(&r);
	ret = iou_submit(&r);
	if (ret < 0)
		return iou_exit_error(r.ctl, ret, "submit failed");
	return iou_step_wait(&r, lp, 1);
}

IOU_OPS(zcrx_sink_ops, zcrx_sink_step);
