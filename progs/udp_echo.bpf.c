// SPDX-License-Identifier: GPL-2.0
/*
 * udp_echo: send every datagram back to its sender, from inside one
 * io_uring_enter().
 *
 *	iouops load udp_echo --listen 127.0.0.1:7777	(or [::1]:7777)
 *
 * One multishot IORING_OP_RECVMSG takes datagrams into a provided buffer
 * ring that the loader puts in the shared region (struct iou_res); each
 * buffer receives struct io_uring_recvmsg_out, the sender's address
 * (room for a sockaddr_in6) and the payload. The reply is an
 * IORING_OP_SENDMSG whose msghdr points at that same address and payload,
 * so nothing is copied; the buffer goes back to the ring when the send
 * completes. A datagram larger than a buffer arrives truncated
 * (MSG_TRUNC): it is counted and not echoed. When every buffer is held by
 * a send, the multishot ends with -ENOBUFS (counted): the datagrams wait
 * in the socket until it is re-armed as soon as a buffer is back.
 */
#include "iouops.bpf.h"

char LICENSE[] SEC("license") = "GPL";

#define NR_BUFS		64
#define NAME_ROOM	28	/* sizeof(struct sockaddr_in6) */
#define HDR_LEN		(sizeof(struct io_uring_recvmsg_out) + NAME_ROOM)
#define MAX_PAYLOAD	65507	/* the largest IPv4 UDP payload */
/* a buffer holds the largest IPv4 datagram; IPv6 ones beyond are cut */
#define BUF_SIZE	((HDR_LEN + MAX_PAYLOAD + 15) & ~15)

const volatile int udp_fd = -1;		/* the loader binds it: --listen */

const volatile struct iou_res iou_res = {
	.bufs = NR_BUFS,
	.buf_size = BUF_SIZE,
	.bgid = 0,
	.cq_extra = 16,
};

/* Our part of the shared region: the msghdr the multishot receive takes
 * its name/control room from, and one msghdr + iovec per buffer for the
 * send that echoes it (the kernel reads them when the send is issued). */
struct send_slot {
	struct user_msghdr hdr;
	struct iovec iov;
};
struct udp_shm {
	struct user_msghdr recv_hdr;
	struct send_slot send[NR_BUFS];
};
IOU_SHM_NEED(sizeof(struct udp_shm), "", "");

#define UD_RECV		1ULL
#define UD_SEND		2ULL	/* | bid << 8 */
#define UD_CANCEL	3ULL

enum { C_DGRAMS, C_ECHOED, C_BYTES, C_TRUNCATED, C_NOBUFS, C_REARMS,
       C_SEND_ERRORS, C_RECV_ERRORS, C_HELD_MAX, NR_COUNTERS };
static const char counter_names[NR_COUNTERS][IOU_COUNTER_NAME_LEN] = {
	"datagrams", "echoed", "bytes", "truncated", "nobufs", "rearms",
	"send_errors", "recv_errors", "held_max",
};

__u32 armed;		/* the multishot receive is in flight */
__u32 held;		/* buffers held by sends */
__u32 pending;		/* requests in flight */
__u32 cancelled;
__u32 started;
/* A stop request is latched: stop_req is shared memory that anyone with
 * the region may clear again, and a receive re-armed after the one cancel
 * would keep the loop alive for ever. */
__u32 stopping;

static __always_inline __u64 shm_off(__u64 field)
{
	return IOU_CTL_SIZE + field;
}

static __always_inline int arm(struct iou_ring *r, struct udp_shm *u)
{
	struct io_uring_sqe *sqe = iou_get_sqe(r);

	if (!sqe)
		return -EBUSY;
	u->recv_hdr.msg_namelen = NAME_ROOM;
	u->recv_hdr.msg_controllen = 0;
	iou_prep_recvmsg_multishot(sqe, udp_fd,
				   iou_shm_uaddr(shm_off(__builtin_offsetof(
					struct udp_shm, recv_hdr))),
				   (__u16)iou_res.bgid, 0, UD_RECV);
	armed = 1;
	pending++;
	return 0;
}

/* Echo the datagram in buffer bid; 1 if it was not echoed (recycle). */
static __always_inline int echo(struct iou_ring *r, __u8 *shm,
				struct udp_shm *u, __u32 bid)
{
	struct io_uring_recvmsg_out *out;
	struct io_uring_sqe *sqe;
	struct send_slot *s;
	__u64 buf = iou_buf_off(bid);

	bid &= NR_BUFS - 1;
	out = (struct io_uring_recvmsg_out *)(shm + buf);
	if (out->flags & MSG_TRUNC || out->payloadlen > MAX_PAYLOAD ||
	    out->namelen > NAME_ROOM) {
		iou_count(r, C_TRUNCATED, 1);
		return 1;
	}
	sqe = iou_get_sqe(r);
	if (!sqe)
		return 1;	/* cannot happen: the caller keeps room */
	s = &u->send[bid];
	s->iov.iov_base = (void *)iou_shm_uaddr(buf + HDR_LEN);
	s->iov.iov_len = out->payloadlen;
	s->hdr.msg_name = (void *)iou_shm_uaddr(buf + sizeof(*out));
	s->hdr.msg_namelen = (int)out->namelen;
	s->hdr.msg_iov = (struct iovec *)iou_shm_uaddr(shm_off(
		__builtin_offsetof(struct udp_shm, send) +
		bid * sizeof(struct send_slot) +
		__builtin_offsetof(struct send_slot, iov)));
	s->hdr.msg_iovlen = 1;
	s->hdr.msg_control = 0;
	s->hdr.msg_controllen = 0;
	s->hdr.msg_flags = 0;
	iou_prep_sendmsg(sqe, udp_fd, iou_shm_uaddr(shm_off(
				__builtin_offsetof(struct udp_shm, send) +
				bid * sizeof(struct send_slot))),
			 0, UD_SEND | (__u64)bid << 8);
	iou_count(r, C_BYTES, out->payloadlen);
	held++;
	pending++;
	if (held > iou_counter(r, C_HELD_MAX))
		WRITE_ONCE(r->ctl->counters[C_HELD_MAX].value, held);
	return 0;
}

IOU_LOOP(udp_echo_step)
{
	struct io_uring_cqe *cqe;
	struct udp_shm *u;
	struct iou_ring r;
	__u8 *shm;
	int ret = 0, want;

	if (iou_ring_open(&r, ring))
		return IOU_LOOP_STOP;
	iou_counters_init(&r, counter_names, NR_COUNTERS);
	shm = iou_shm_all(&r);
	if (!shm || iou_layout.mem_size < IOU_CTL_SIZE + sizeof(*u))
		return iou_exit_error(r.ctl, -ENOSPC, "shared region too small");
	u = (struct udp_shm *)(shm + IOU_CTL_SIZE);
	if (!started) {
		if (udp_fd < 0 || iou_res.bufs != NR_BUFS ||
		    iou_res.buf_size != BUF_SIZE)
			return iou_exit_error(r.ctl, -EINVAL, "no socket or no "
					      "buffer ring: run with --listen "
					      "ADDR:PORT");
		if (iou_layout.sq_entries < 8)
			return iou_exit_error(r.ctl, -EINVAL, "--sq-entries "
					      "must be >= 8");
		started = 1;
	}

	iou_for_each_cqe(&r, cqe) {
		__u64 ud = cqe->user_data;
		__u32 bid;

		/* each CQE may need a send: leave the rest for the next
		 * step when the SQ is short (re-arm and cancel need 2) */
		if (iou_sq_space(&r) < 3) {
			iou_cqe_keep();	/* this one stays for later */
			ret = 1;
			break;
		}
		if (!pending)
			return iou_exit_error(r.ctl, -EPROTO, "CQE %llx with "
					      "nothing in flight", ud);
		if ((ud & 0xff) == UD_RECV) {
			if (!(cqe->flags & IORING_CQE_F_MORE)) {
				armed = 0;
				pending--;
			}
			if (cqe->res == -ENOBUFS) {
				iou_count(&r, C_NOBUFS, 1);
				continue;
			}
			if (cqe->res < 0) {
				if (cqe->res != -ECANCELED)
					iou_count(&r, C_RECV_ERRORS, 1);
				continue;
			}
			if (!(cqe->flags & IORING_CQE_F_BUFFER))
				continue;
			bid = cqe->flags >> IORING_CQE_BUFFER_SHIFT;
			iou_count(&r, C_DGRAMS, 1);
			if (echo(&r, shm, u, bid))
				iou_bufring_recycle(shm, bid);
		} else if ((ud & 0xff) == UD_SEND) {
			pending--;
			held--;
			if (cqe->res < 0)
				iou_count(&r, C_SEND_ERRORS, 1);
			else
				iou_count(&r, C_ECHOED, 1);
			iou_bufring_recycle(shm, (ud >> 8) & (NR_BUFS - 1));
		} else {
			pending--;	/* the cancel */
		}
	}
	iou_cq_commit(&r);

	if (iou_stop_requested(&r))
		stopping = 1;
	if (stopping) {
		if (armed && !cancelled) {
			struct io_uring_sqe *sqe = iou_get_sqe(&r);

			if (sqe) {
				iou_prep_cancel(sqe, UD_RECV, UD_CANCEL);
				pending++;
				cancelled = 1;
			}
		}
	} else if (!armed && held < NR_BUFS) {
		/* the multishot ended (-ENOBUFS, an error): buffers are
		 * back, take datagrams again */
		if (arm(&r, u))
			return iou_exit_error(r.ctl, -EBUSY, "no SQE to arm");
		iou_count(&r, C_REARMS, 1);
	}
	want = iou_sq_pending(&r);
	if (iou_submit(&r) != want)
		return iou_exit_error(r.ctl, -EIO, "submit failed");
	if (stopping && !pending)
		return iou_exit_stopped(r.ctl, "stopped: %llu datagrams, %llu "
					"echoed", iou_counter(&r, C_DGRAMS),
					iou_counter(&r, C_ECHOED));
	/* CQEs left for lack of SQEs: run again at once */
	return iou_step_wait(&r, lp, ret ? 0 : 1);
}

IOU_OPS(udp_echo_ops, udp_echo_step);
