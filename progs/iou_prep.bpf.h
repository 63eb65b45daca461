/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * iou_prep.bpf.h - filling an SQE for one request (BPF side only):
 * iou_prep_rw() for the common fields, then one iou_prep_*() per kind of
 * request: NOPs, file I/O, timeouts, cancels, futexes, sockets. The SQE
 * comes zeroed from iou_sq.bpf.h (iou_get_sqe() or iou_sqe()); addresses
 * are user addresses in the shared region (iou_shm_uaddr()).
 */
#ifndef IOU_PREP_BPF_H
#define IOU_PREP_BPF_H

#include "iou_common.bpf.h"
#include "iou_uapi.bpf.h"

/* 64-bit words of an SQE; may_alias: the field stores that follow a prep
 * (sqe->flags, sqe->msg_flags...) must not be reordered before it. */
typedef __u64 __attribute__((may_alias)) iou_sqe_word;

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "iou_prep_rw packs SQE fields into little-endian words"
#endif

/*
 * Fill the common SQE fields: opcode op (IORING_OP_*), fd, addr (a user
 * address: iou_shm_uaddr()), len, off and user_data (returned in the CQE).
 * The SQE must come zeroed from iou_get_sqe() or iou_sqe(). These are the
 * first 40 bytes, written as five whole words with flags, ioprio and the
 * op flags (rw_flags, msg_flags...) 0: set those after the prep. Whole
 * words let clang drop the part of the zeroing they overwrite: 8 stores
 * per SQE instead of 14.
 */
static __always_inline void iou_prep_rw(struct io_uring_sqe *sqe, __u8 op,
					int fd, __u64 addr, __u32 len,
					__u64 off, __u64 user_data)
{
	iou_sqe_word *w = (iou_sqe_word *)sqe;

	_Static_assert(__builtin_offsetof(struct io_uring_sqe, fd) == 4 &&
		       __builtin_offsetof(struct io_uring_sqe, off) == 8 &&
		       __builtin_offsetof(struct io_uring_sqe, addr) == 16 &&
		       __builtin_offsetof(struct io_uring_sqe, len) == 24 &&
		       __builtin_offsetof(struct io_uring_sqe, user_data) == 32,
		       "io_uring_sqe layout");
	w[0] = op | (__u64)(__u32)fd << 32;
	w[1] = off;
	w[2] = addr;
	w[3] = len;
	w[4] = user_data;
}

/* A NOP: completes at once with res 0 and this user_data. */
static __always_inline void iou_prep_nop(struct io_uring_sqe *sqe,
					 __u64 user_data)
{
	iou_prep_rw(sqe, IORING_OP_NOP, -1, 0, 0, 0, user_data);
}

/* ---- SQE preparation: files, timeouts, futexes ---- */

/*
 * Buffers are user addresses: iou_shm_uaddr(off) for bytes of the shared
 * region, so the program (and userspace) see the data too. off = -1 reads
 * or writes at the file position (pipes, sockets, the position of a file).
 */
static __always_inline void iou_prep_read(struct io_uring_sqe *sqe, int fd,
					  __u64 buf, __u32 len, __u64 off,
					  __u64 user_data)
{
	iou_prep_rw(sqe, IORING_OP_READ, fd, buf, len, off, user_data);
}

static __always_inline void iou_prep_write(struct io_uring_sqe *sqe, int fd,
					   __u64 buf, __u32 len, __u64 off,
					   __u64 user_data)
{
	iou_prep_rw(sqe, IORING_OP_WRITE, fd, buf, len, off, user_data);
}

/* flags: 0 or IORING_FSYNC_DATASYNC */
static __always_inline void iou_prep_fsync(struct io_uring_sqe *sqe, int fd,
					   __u32 flags, __u64 user_data)
{
	iou_prep_rw(sqe, IORING_OP_FSYNC, fd, 0, 0, 0, user_data);
	sqe->fsync_flags = flags;
}

static __always_inline void iou_prep_close(struct io_uring_sqe *sqe, int fd,
					   __u64 user_data)
{
	iou_prep_rw(sqe, IORING_OP_CLOSE, fd, 0, 0, 0, user_data);
}

/*
 * A timeout that completes after the struct __kernel_timespec at user
 * address `ts` (in the shared region: the kernel copies it at submit) with
 * res -ETIME, or 0 with IORING_TIMEOUT_ETIME_SUCCESS in flags. count > 0 also
 * completes it after that many other CQEs.
 */
static __always_inline void iou_prep_timeout(struct io_uring_sqe *sqe,
					     __u64 ts, __u32 count, __u32 flags,
					     __u64 user_data)
{
	iou_prep_rw(sqe, IORING_OP_TIMEOUT, -1, ts, 1, count, user_data);
	sqe->timeout_flags = flags;
}

/*
 * Timeouts whose value sits in the SQE (IORING_TIMEOUT_IMMEDIATE_ARG,
 * Linux 7.1+): sqe->addr holds nanoseconds, no timespec in memory, so
 * nothing of the region has to stay reserved while the timer runs.
 *
 * iou_timeout_imm: 1 while the kernel takes the flag. The loader probes
 * the running kernel at load (a timeout with the flag on a scratch ring:
 * -ETIME means yes, -EINVAL no) and clears it on a kernel without;
 * `--set iou_timeout_imm=0` forces the timespec form. A constant for the
 * verifier: the branch not taken is dead code and never checked.
 */
const volatile __u32 iou_timeout_imm = 1;

/* A timeout of `ns` nanoseconds (relative; IORING_TIMEOUT_ABS in flags:
 * an absolute CLOCK_MONOTONIC time). Needs iou_timeout_imm (else the
 * kernel answers -EINVAL); iou_prep_timeout_or_ts() falls back itself. */
static __always_inline void iou_prep_timeout_ns(struct io_uring_sqe *sqe,
						__u64 ns, __u32 flags,
						__u64 user_data)
{
	iou_prep_rw(sqe, IORING_OP_TIMEOUT, -1, ns, 1, 0, user_data);
	sqe->timeout_flags = flags | IORING_TIMEOUT_IMMEDIATE_ARG;
}

/* A linked timeout of `ns` nanoseconds for the SQE before it (which must
 * carry IOSQE_IO_LINK): that request is cancelled when the time is up.
 * Same kernel code as plain timeouts, so the same probe covers it. */
static __always_inline void iou_prep_link_timeout_ns(struct io_uring_sqe *sqe,
						     __u64 ns, __u32 flags,
						     __u64 user_data)
{
	iou_prep_rw(sqe, IORING_OP_LINK_TIMEOUT, -1, ns, 1, 0, user_data);
	sqe->timeout_flags = flags | IORING_TIMEOUT_IMMEDIATE_ARG;
}

/* Fill a timespec (in the shared region) with ns; the kernel copies it
 * when the SQE is submitted. */
static __always_inline void iou_ns_to_timespec(struct __kernel_timespec *ts,
					       __u64 ns)
{
	ts->tv_sec = ns / 1000000000ULL;
	ts->tv_nsec = ns % 1000000000ULL;
}

/* A timeout of `ns` nanoseconds in the SQE where the kernel takes it,
 * else through the timespec `ts` (program's view) at user address
 * `ts_uaddr` (the same bytes: iou_shm_uaddr()). */
static __always_inline void iou_prep_timeout_or_ts(struct io_uring_sqe *sqe,
						   __u64 ns, __u32 flags,
						   struct __kernel_timespec *ts,
						   __u64 ts_uaddr,
						   __u64 user_data)
{
	if (iou_timeout_imm) {
		iou_prep_timeout_ns(sqe, ns, flags, user_data);
		return;
	}
	iou_ns_to_timespec(ts, ns);
	iou_prep_timeout(sqe, ts_uaddr, 0, flags, user_data);
}

/* Close fixed-file slot `slot` (the loader's sparse table, iou_res.files). */
static __always_inline void iou_prep_close_direct(struct io_uring_sqe *sqe,
						  __u32 slot, __u64 user_data)
{
	iou_prep_rw(sqe, IORING_OP_CLOSE, 0, 0, 0, 0, user_data);
	sqe->file_index = slot + 1;
}

/* Cancel the request whose user_data is `target` (one, the first match):
 * its own CQE then ends with -ECANCELED (a multishot: without F_MORE). */
static __always_inline void iou_prep_cancel(struct io_uring_sqe *sqe,
					    __u64 target, __u64 user_data)
{
	iou_prep_rw(sqe, IORING_OP_ASYNC_CANCEL, -1, target, 0, 0, user_data);
}

/* Cancel every cancelable request of the ring (timeouts, futex waits,
 * polls, queued io-wq work): each ends with -ECANCELED; res is how many
 * were found. Work already running completes normally. */
static __always_inline void iou_prep_cancel_any(struct io_uring_sqe *sqe,
						__u64 user_data)
{
	iou_prep_rw(sqe, IORING_OP_ASYNC_CANCEL, -1, 0, 0, 0, user_data);
	sqe->cancel_flags = IORING_ASYNC_CANCEL_ANY;
}

/*
 * Sleep until the 32-bit futex at user address `uaddr` is woken, if it
 * still holds `expected` (res 0 when woken, -EAGAIN at once if the value
 * differs). Without FUTEX2_PRIVATE in `flags2` the futex is shared:
 * keyed on the page behind the address, so a FUTEX_WAKE from any mapping
 * of the same shared memory (another process included) reaches it. A
 * private futex is keyed on (mm, address) and is only woken through
 * FUTEX_WAKE_PRIVATE on that very address in the same process.
 */
static __always_inline void iou_prep_futex_wait(struct io_uring_sqe *sqe,
						__u64 uaddr, __u32 expected,
						__u32 flags2, __u64 user_data)
{
	iou_prep_rw(sqe, IORING_OP_FUTEX_WAIT, 0, uaddr, 0, expected,
		    user_data);
	sqe->fd = FUTEX2_SIZE_U32 | flags2;	/* FUTEX2_* flags */
	sqe->addr3 = FUTEX_BITSET_MATCH_ANY;
}

/* Wake up to `nr` waiters of the futex at `uaddr`; res: how many woke. */
static __always_inline void iou_prep_futex_wake(struct io_uring_sqe *sqe,
						__u64 uaddr, __u32 nr,
						__u32 flags2, __u64 user_data)
{
	iou_prep_rw(sqe, IORING_OP_FUTEX_WAKE, 0, uaddr, 0, nr, user_data);
	sqe->fd = FUTEX2_SIZE_U32 | flags2;
	sqe->addr3 = FUTEX_BITSET_MATCH_ANY;
}

/* ---- SQE preparation: sockets ---- */

/*
 * Multishot accept into the fixed-file table: each CQE's res is the slot
 * the kernel picked (IORING_FILE_INDEX_ALLOC), with F_MORE while it stays
 * armed. With the table full, res is -ENFILE, the kernel closes that
 * connection, and the multishot ends (re-arm it).
 */
static __always_inline void
iou_prep_multishot_accept_direct(struct io_uring_sqe *sqe, int listen_fd,
				 __u64 user_data)
{
	iou_prep_rw(sqe, IORING_OP_ACCEPT, listen_fd, 0, 0, 0, user_data);
	sqe->ioprio = IORING_ACCEPT_MULTISHOT;
	sqe->file_index = IORING_FILE_INDEX_ALLOC;
}

/*
 * Multishot receive from fixed file `slot` into buffers of group `bgid`:
 * one CQE per receive, res = bytes, F_BUFFER and the buffer id in
 * flags >> 16, F_MORE while armed. It ends on EOF (res 0), an error,
 * -ENOBUFS (the group ran dry: re-arm once buffers are back), a cancel,
 * or after `limit` bytes in all (0: no limit; IORING_RECV_MSHOT_LIM, the
 * receive that crosses it may overshoot by up to one buffer).
 */
static __always_inline void iou_prep_recv_multishot(struct io_uring_sqe *sqe,
						    __u32 slot, __u16 bgid,
						    __u32 limit,
						    __u64 user_data)
{
	iou_prep_rw(sqe, IORING_OP_RECV, (int)slot, 0, 0, 0, user_data);
	sqe->flags = IOSQE_FIXED_FILE | IOSQE_BUFFER_SELECT;
	sqe->ioprio = IORING_RECV_MULTISHOT;
	sqe->buf_group = bgid;
	sqe->optlen = limit;
}

/* Send `len` bytes at user address `addr` (iou_shm_uaddr()) on fixed
 * file `slot`. A stream socket may send less: res is what went out. */
static __always_inline void iou_prep_send_fixed(struct io_uring_sqe *sqe,
						__u32 slot, __u64 addr,
						__u32 len, __u64 user_data)
{
	iou_prep_rw(sqe, IORING_OP_SEND, (int)slot, addr, len, 0, user_data);
	sqe->flags = IOSQE_FIXED_FILE;
	sqe->msg_flags = MSG_NOSIGNAL;
}

/* Plain-fd socket I/O; buffers and msghdrs are user addresses in the
 * shared region (iou_shm_uaddr()). */
static __always_inline void iou_prep_send(struct io_uring_sqe *sqe, int fd,
					  __u64 buf, __u32 len, __u32 msg_flags,
					  __u64 user_data)
{
	iou_prep_rw(sqe, IORING_OP_SEND, fd, buf, len, 0, user_data);
	sqe->msg_flags = msg_flags;
}

static __always_inline void iou_prep_recv(struct io_uring_sqe *sqe, int fd,
					  __u64 buf, __u32 len, __u32 msg_flags,
					  __u64 user_data)
{
	iou_prep_rw(sqe, IORING_OP_RECV, fd, buf, len, 0, user_data);
	sqe->msg_flags = msg_flags;
}

/* `msg`: user address of a struct user_msghdr (and of everything it
 * points to); the kernel copies it in when the request is issued. */
static __always_inline void iou_prep_sendmsg(struct io_uring_sqe *sqe, int fd,
					     __u64 msg, __u32 msg_flags,
					     __u64 user_data)
{
	iou_prep_rw(sqe, IORING_OP_SENDMSG, fd, msg, 1, 0, user_data);
	sqe->msg_flags = msg_flags;
}

static __always_inline void iou_prep_recvmsg(struct io_uring_sqe *sqe, int fd,
					     __u64 msg, __u32 msg_flags,
					     __u64 user_data)
{
	iou_prep_rw(sqe, IORING_OP_RECVMSG, fd, msg, 1, 0, user_data);
	sqe->msg_flags = msg_flags;
}

/*
 * Multishot recvmsg into buffers of provided-buffer group `bgid`: one CQE
 * per datagram, with IORING_CQE_F_MORE while it stays armed. Each buffer
 * starts with struct io_uring_recvmsg_out (payloadlen is the datagram's
 * full length, flags has MSG_TRUNC when it did not fit), then
 * msg_namelen bytes of room for the sender's address, msg_controllen
 * bytes of control data, then the payload; `msg` gives only those two
 * lengths. Ends with -ENOBUFS when the group runs dry: re-arm.
 */
static __always_inline void iou_prep_recvmsg_multishot(struct io_uring_sqe *sqe,
						       int fd, __u64 msg,
						       __u16 bgid,
						       __u32 msg_flags,
						       __u64 user_data)
{
	iou_prep_recvmsg(sqe, fd, msg, msg_flags, user_data);
	sqe->len = 0;
	sqe->ioprio = IORING_RECV_MULTISHOT;
	sqe->flags |= IOSQE_BUFFER_SELECT;
	sqe->buf_group = bgid;
}

#endif /* IOU_PREP_BPF_H */
