// SPDX-License-Identifier: GPL-2.0
/*
 * The userspace end of mbox (loader/services/mbox.c) against a corrupt region: the
 * input is the start of the region (control block, mbox_region with its
 * indexes, doorbells and rings); the client posts, polls and counts what
 * is in flight, and must answer with results or -EPROTO/-ESHUTDOWN, never
 * read or write outside the region, never block (no waits are used).
 */
#include <errno.h>
#include <stdio.h>
#include <sys/mman.h>

#include "fuzz.h"
#include "iouops.h"
#include "mbox.h"

#define REGION	(64 * 1024)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mbox_cmd cmds[4] = {
		{ .id = 1, .op = MBOX_NOP }, { .id = 2, .op = MBOX_READ, .len = 16 },
		{ .id = 3, .op = MBOX_TIMEOUT, .off = 1 }, { .id = 4, .op = MBOX_STOP },
	};
	struct mbox_res res[MBOX_CQ_ENTRIES + 8];
	struct iou_mbox_stats st;
	struct iou_mbox *m;
	size_t data_size;
	uint8_t *shm;

	/* a real mapping, so a stray access past it faults */
	shm = mmap(NULL, REGION, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (shm == MAP_FAILED)
		return 0;
	memcpy(shm, data, size < REGION ? size : REGION);
	if (!iou_mbox_open(shm, REGION, &m)) {
		iou_mbox_data(m, &data_size);
		for (int round = 0; round < 3; round++) {
			int n = iou_mbox_post(m, cmds, 1 + round);

			if (n < 0 && n != -ESHUTDOWN && n != -EPROTO)
				abort();
			n = iou_mbox_poll(m, res, MBOX_CQ_ENTRIES + 8);
			if (n > MBOX_CQ_ENTRIES + 8)
				abort();
			iou_mbox_inflight(m);
			iou_mbox_ended(m);
		}
		iou_mbox_get_stats(m, &st);
		iou_mbox_close(m);
	}
	munmap(shm, REGION);
	return 0;
}
