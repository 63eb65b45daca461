/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * iouops_shared.h - the contract between a loop program and its loader.
 *
 * Included by both sides: BPF programs (through iouops.bpf.h) and the
 * userspace loader (through iouops.h). Only fixed-size types, so the layout
 * is identical on both sides.
 *
 * Two things live here:
 *  - struct iou_layout: the ring geometry the loader writes into the
 *    program's .rodata (global `iou_layout`) before load. Being read-only
 *    and frozen, the verifier sees every field as a constant, which is what
 *    bpf_io_uring_get_region() needs for its size argument and what lets it
 *    prove ring indexing in bounds.
 *  - struct iou_ctl: the control block at offset 0 of the shared memory
 *    region (IOU_REGION_MEM). Userspace asks for a stop here, the program
 *    reports how it ended and publishes named counters here. No syscall is
 *    involved on either side.
 */
#ifndef IOUOPS_SHARED_H
#define IOUOPS_SHARED_H

#ifndef __bpf__
#include <linux/types.h>
#endif

/*
 * Names the loader looks up in a program, or gives to what it creates:
 * the program side declares them as identifiers, the loader finds them by
 * these strings (in BTF, in /proc/PID/fd). One place, so they cannot drift.
 */
#define IOU_SYM_OPS_STRUCT	"io_uring_bpf_ops"	/* struct_ops type */
#define IOU_SYM_RING_FD		"ring_fd"	/* its member: the ring to attach to */
#define IOU_SYM_LAYOUT		"iou_layout"	/* const struct iou_layout */
#define IOU_SYM_SHM_NEED	"iou_shm_need"	/* const struct iou_shm_need */
#define IOU_SYM_RES		"iou_res"	/* const struct iou_res */
#define IOU_SYM_LISTEN_FD	"listen_fd"	/* int: TCP socket of --listen */
#define IOU_SYM_UDP_FD		"udp_fd"	/* int: UDP socket of --listen */
#define IOU_SYM_SRC_FD		"src_fd"	/* int: --src PATH (read only) */
#define IOU_SYM_DST_FD		"dst_fd"	/* int: --dst PATH (written) */
#define IOU_SYM_HTTP_FILES	"http_files"	/* const struct http_files: --root DIR */
#define IOU_SYM_TIMEOUT_IMM	"iou_timeout_imm" /* __u32: timeouts in the SQE */
#define IOU_SYM_SHARDABLE	"iou_shardable"	/* __u32: may it run as --shards? */
#define IOU_SYM_SHARD		"iou_shard"	/* __u32: its shard, 0..N-1 */
#define IOU_SHM_MEMFD_NAME	"iouops-shm"	/* memfd of the shared region
						 * (a shard's: iouops-shm.N) */

/* Ring geometry, filled by the loader after io_uring_setup(). All offsets
 * named *_off are byte offsets into the rings region (IOU_REGION_CQ), as
 * io_uring_params.sq_off / cq_off give them. */
struct iou_layout {
	__u32 setup_flags;	/* IORING_SETUP_* the ring was created with */
	__u32 sq_entries;
	__u32 cq_entries;
	__u32 sq_mask;		/* sq_entries - 1 */
	__u32 cq_mask;		/* cq_entries - 1 */
	__u32 sqe_size;		/* 64, or 128 with SQE128 */
	__u32 sq_head_off;
	__u32 sq_tail_off;
	__u32 sq_flags_off;
	__u32 sq_array_off;	/* 0 with NO_SQARRAY */
	__u32 cq_head_off;
	__u32 cq_tail_off;
	__u32 cq_overflow_off;
	__u32 cq_flags_off;
	__u32 cqes_off;
	__u32 rings_size;	/* bytes of IOU_REGION_CQ a program may map */
	__u32 sqes_size;	/* bytes of IOU_REGION_SQ: sq_entries * sqe_size */
	__u32 mem_size;		/* bytes of IOU_REGION_MEM (0: no region) */
	__u32 cqe_shift;	/* log2 of the CQE size: 4 (16 bytes), or 5
				 * with IORING_SETUP_CQE32 (32 bytes) */
	/* The loader's (userspace) address of IOU_REGION_MEM. SQE fields
	 * that take a user pointer (addr of a read buffer, a send buffer, a
	 * futex word) use shm_uaddr + offset to point into the region the
	 * program itself reaches through bpf_io_uring_get_region(). */
	__u64 shm_uaddr;
};

/* How a program ended, as recorded in iou_ctl.exit.kind. */
enum iou_exit_kind {
	IOU_EXIT_NONE = 0,	/* still running, or ended without saying */
	IOU_EXIT_DONE = 1,	/* finished its work */
	IOU_EXIT_STOPPED = 2,	/* stopped because userspace asked */
	IOU_EXIT_ERROR = 3,	/* gave up: code is a negative errno */
};

#define IOU_CTL_MAGIC		0x696f756fU	/* "ouoi" little endian */
#define IOU_CTL_VERSION		1
#define IOU_EXIT_FILE_LEN	48
#define IOU_EXIT_REASON_LEN	128
#define IOU_NR_COUNTERS		16
#define IOU_COUNTER_NAME_LEN	24
/* Where program-private shared data starts inside IOU_REGION_MEM. */
#define IOU_CTL_SIZE		1024

struct iou_exit_info {
	__s32 kind;		/* enum iou_exit_kind, written last */
	__s32 code;		/* 0, or a negative errno for IOU_EXIT_ERROR */
	__u32 line;		/* source line that recorded the exit */
	__u32 __pad;
	char file[IOU_EXIT_FILE_LEN];
	char reason[IOU_EXIT_REASON_LEN];
};

struct iou_counter {
	char name[IOU_COUNTER_NAME_LEN];	/* "" = unused slot */
	__u64 value;
};

/*
 * Writers: the loader writes magic/version once before attach and
 * stop_req at any time; everything else is written by the program only.
 * Single writer per field, so plain aligned stores are enough; readers use
 * READ_ONCE-style loads. exit.kind is written after the rest of exit with
 * a release store, so a reader that sees a kind sees the text too.
 */
struct iou_ctl {
	__u32 magic;
	__u32 version;
	__u32 stop_req;		/* userspace: non-zero asks the program to stop */
	__u32 running;		/* program: 1 once its first step ran */
	__u64 steps;		/* program: loop_step calls so far */
	struct iou_exit_info exit;
	struct iou_counter counters[IOU_NR_COUNTERS];
	__u64 first_step_ns;	/* program: bpf_ktime_get_ns() (CLOCK_MONOTONIC)
				 * at its first step, for load-cost timing */
	/* zcrx (--zcrx): a BPF program cannot call io_uring_register, and
	 * a device-less ifq takes refill-queue entries back only on
	 * ZCRX_CTRL_FLUSH_RQ. The program sets zcrx_flush_req and returns
	 * IOU_LOOP_STOP; the loader flushes, counts, clears it (after the
	 * flush: a program that sees 0 may reuse the buffers) and enters
	 * again. */
	__u32 zcrx_flush_req;	/* program sets 1, loader clears */
	__u32 __pad2;
	__u64 zcrx_flushes;	/* loader: flushes done */
	__u64 zcrx_flush_ns;	/* loader: time in them, ns */
};

_Static_assert(sizeof(struct iou_ctl) <= IOU_CTL_SIZE,
	       "iou_ctl must fit before the program's own shared data");

/*
 * How much of the shared region a program needs past the control block
 * (buffers, command rings): bytes + (global mul_a) * (global mul_b), where
 * mul_a and mul_b name integer globals of the program ("" counts as 1).
 * The loader evaluates it after --set, before it creates the region, and
 * makes the region at least IOU_CTL_SIZE + that. Declared in BPF with
 * IOU_SHM_NEED(); the program still checks iou_layout.mem_size.
 */
#define IOU_SHM_NEED_NAME_LEN	32
struct iou_shm_need {
	__u64 bytes;
	char mul_a[IOU_SHM_NEED_NAME_LEN];
	char mul_b[IOU_SHM_NEED_NAME_LEN];
};

/*
 * Kernel resources a program asks the loader to create before load, for
 * the things a loop program cannot make itself. Declare, in .rodata:
 *
 *	const volatile struct iou_res iou_res = {
 *		.bufs = 2048, .buf_size = 4096, .bgid = 0,	// buffer ring
 *		.files = 1024,					// fixed files
 *	};
 *
 * The loader reads it after --set, sizes the CQ and the shared region from
 * it, then (after registering the shared region, before load):
 *  - provided buffer ring (bufs > 0): IORING_REGISTER_PBUF_RING group
 *    `bgid` with `bufs` entries, whose struct io_uring_buf_ring lives in
 *    the shared region at `bufring_off` and whose buffers follow at
 *    `bufs_off` (buffer i = bufs_off + i * buf_size). The loader fills the
 *    ring with every buffer (tail = bufs). The program hands a buffer back
 *    by writing the entry at (tail & (bufs - 1)) and then tail + 1 through
 *    its IOU_REGION_MEM pointer, with addr = iou_layout.shm_uaddr + offset
 *    (iou_bufring_recycle() in iouops.bpf.h). Nothing else writes the tail
 *    after load.
 *  - sparse fixed-file table (files > 0): IORING_REGISTER_FILES2 with
 *    IORING_RSRC_REGISTER_SPARSE; accept-direct fills it
 *    (IORING_FILE_INDEX_ALLOC), close with file_index = slot + 1 empties it.
 *    RLIMIT_NOFILE is raised to fit when allowed.
 * `files_var` names a __u32 .rodata global (e.g. "max_conns") that
 * overrides `files`, so the user sizes the table with --set max_conns=N;
 * the loader refuses 0 and values above `files_max`, naming the global.
 * The loader also writes `bufring_off` and `bufs_off` back: the program
 * reads them as verifier constants.
 *
 * A program that declares `const volatile int listen_fd = -1;` gets the
 * listening socket the loader creates from --listen ADDR:PORT (a plain fd
 * of the loader's process, for IORING_OP_ACCEPT).
 */
struct iou_res {
	/* in: what the program needs */
	__u32 bufs;		/* provided buffers: power of 2, <= 32768; 0: none */
	__u32 buf_size;		/* bytes per buffer, > 0 */
	__u32 bgid;		/* buffer group id (< 65536) */
	__u32 files;		/* sparse fixed-file slots; 0: no table */
	char files_var[24];	/* if set: a __u32 global that overrides `files` */
	__u32 files_max;	/* largest accepted value of files_var */
	/* CQ sizing when --cq-entries is not given: room for one CQE per
	 * buffer, cq_per_file per fixed file and cq_extra more, rounded up
	 * to a power of two (at most 65536). */
	__u32 cq_per_file;
	__u32 cq_extra;
	/* 1: the program reads 32-byte CQEs (the ring gets IORING_SETUP_CQE32,
	 * as with --cqe32). zcrx implies it. */
	__u32 cqe32;
	/* zcrx, device-less (ZCRX_REG_NODEV), set up only with --zcrx:
	 * an area of zcrx_area bytes (page multiple) and a refill queue of
	 * zcrx_rq entries (power of two), both inside the shared region,
	 * so the program reads received data and writes refill-queue
	 * entries through its IOU_REGION_MEM pointer. zcrx_area_var names
	 * a __u32 global (e.g. "area_size") that overrides zcrx_area. */
	__u32 zcrx_area;
	__u32 zcrx_rq;
	char zcrx_area_var[24];
	/* out: written by the loader */
	__u32 bufring_off;	/* shm offset of the io_uring_buf_ring, page aligned */
	__u32 bufs_off;		/* shm offset of buffer 0 */
	__u32 zcrx_on;		/* 1: --zcrx given and the ifq registered */
	__u32 zcrx_id;		/* ifq id, for sqe->zcrx_ifq_idx */
	__u32 zcrx_area_off;	/* shm offset of the area, page aligned */
	__u32 zcrx_rq_off;	/* shm offset of the refill queue header */
	__u32 zcrx_rq_head;	/* shm offsets of its head and tail words */
	__u32 zcrx_rq_tail;
	__u32 zcrx_rqes_off;	/* shm offset of its io_uring_zcrx_rqe array */
	__u32 zcrx_rq_entries;	/* entries the kernel gave it (power of two) */
	__u32 zcrx_buf_len;	/* bytes per area buffer (rx_buf_len) */
	__u32 zcrx_stats_off;	/* shm offset of the kernel's struct
				 * zcrx_stats {copy_count, copy_bytes} (__u64
				 * each, fallback copies); 0: kernel has none */
};

#endif /* IOUOPS_SHARED_H */
