/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * mbox.h - the userspace end of the mbox command channel (progs/mbox_shared.h
 * describes the rings and the memory ordering; progs/mbox.bpf.c is the
 * program end; loader/services/mbox.c implements this).
 *
 *	struct iou_mbox *m;
 *	iou_mbox_open(iou_prog_shm(p), iou_prog_shm_size(p), &m);
 *	// client thread, while another thread runs iou_prog_run(p):
 *	struct mbox_cmd c = { .id = 1, .op = MBOX_NOP };
 *	iou_mbox_post(m, &c, 1);		// no syscall unless it sleeps
 *	struct mbox_res r;
 *	iou_mbox_wait(m, &r, 1, 1000);		// or iou_mbox_poll()
 *	iou_mbox_close(m);
 *
 * One thread may post and one thread may take results (the same one or
 * two): each ring has a single producer and a single consumer. Another
 * process can be the client: iou_mbox_map() maps the loader's region
 * through /proc/PID/fd/FD. Functions return counts or -errno; none prints.
 */
#ifndef IOUOPS_LOADER_MBOX_H
#define IOUOPS_LOADER_MBOX_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "iouops.h"
#include "mbox_shared.h"	/* installed beside it; -Iprogs in the tree */

struct iou_mbox;

struct iou_mbox_stats {
	uint64_t posted;	/* commands published */
	uint64_t results;	/* results taken, synthesized ones included */
	uint64_t wakes;		/* FUTEX_WAKE syscalls to the program */
	uint64_t waits;		/* FUTEX_WAIT syscalls while waiting */
	uint64_t full;		/* posts that found the command ring full */
};

/* Use the mbox rings of a shared region (the whole region, control
 * block included). -EINVAL: too small to hold them. */
int iou_mbox_open(void *shm, size_t shm_size, struct iou_mbox **out);
/* Forget the channel; the region stays mapped. NULL is fine. */
void iou_mbox_close(struct iou_mbox *m);

/* The data area that READ fills and WRITE sends (mbox_cmd.buf is an
 * offset in it), and its size. */
void *iou_mbox_data(const struct iou_mbox *m, size_t *size);

/*
 * Publish up to n commands; returns how many fit (0: the ring is full,
 * see iou_mbox_wait_room). -ESHUTDOWN once the program has ended.
 * Wakes the program (one syscall) only if it said it is going to sleep.
 */
int iou_mbox_post(struct iou_mbox *m, const struct mbox_cmd *cmds, unsigned n);

/*
 * Take up to n results without blocking; returns how many (0: none yet).
 * After the program ended, commands it never took come back as
 * -ECANCELED results, so none is lost; then -ESHUTDOWN when nothing is
 * left. -EPROTO when the program's indexes are impossible.
 */
int iou_mbox_poll(struct iou_mbox *m, struct mbox_res *res, unsigned n);

/* Like poll, but sleep on the client futex until at least one result
 * is there. timeout_ms < 0: no limit. -ETIMEDOUT. */
int iou_mbox_wait(struct iou_mbox *m, struct mbox_res *res, unsigned n,
		  int timeout_ms);

/* Sleep until the command ring has room. 0, -ETIMEDOUT, -ESHUTDOWN. */
int iou_mbox_wait_room(struct iou_mbox *m, int timeout_ms);

/* Ring the doorbell even if the program did not ask: after setting
 * iou_ctl.stop_req from a client, so that a sleeping program sees it. */
void iou_mbox_kick(struct iou_mbox *m);

/* Commands posted whose result has not been taken. */
unsigned iou_mbox_inflight(const struct iou_mbox *m);

/* Has the program recorded how it ended? */
int iou_mbox_ended(const struct iou_mbox *m);

void iou_mbox_get_stats(const struct iou_mbox *m, struct iou_mbox_stats *st);

/* Map the shared region that process `pid` has open as fd `fd` (see
 * iou_prog_shm_fd), read-write and shared. munmap(*shm, *size) later. */
int iou_mbox_map(pid_t pid, int fd, void **shm, size_t *size);

#endif /* IOUOPS_LOADER_MBOX_H */
