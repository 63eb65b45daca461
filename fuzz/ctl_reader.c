// SPDX-License-Identifier: GPL-2.0
/*
 * The reader of another process's control block (`iouops stat`): the
 * input is the shared region, put in a memfd named iouops-shm that
 * iou_shm_open_pid() finds among our own fds, maps and checks; then
 * everything stat shows is read the way it reads it.
 *
 * LEAD: once the exit-record formatter (another branch of issue 12) is
 * merged, call it here on ctl too.
 */
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"
#include "iouops.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	volatile struct iou_ctl *ctl;
	size_t map_size, sum = 0;
	int fd, err;

	fd = memfd_create("iouops-shm", MFD_CLOEXEC);
	if (fd < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size)
		goto out;
	err = iou_shm_open_pid(getpid(), &ctl, &map_size);
	if (err)
		goto out;
	if (map_size < sizeof(struct iou_ctl) || ctl->magic != IOU_CTL_MAGIC)
		abort();	/* the reader promised both */
	sum += strlen(iou_exit_kind_str(ctl->exit.kind));
	for (int i = 0; i < IOU_NR_COUNTERS; i++)
		sum += strnlen((const char *)ctl->counters[i].name,
			       IOU_COUNTER_NAME_LEN) + ctl->counters[i].value;
	sum += strnlen((const char *)ctl->exit.reason, IOU_EXIT_REASON_LEN);
	sum += strnlen((const char *)ctl->exit.file, IOU_EXIT_FILE_LEN);
	iou_shm_close(ctl, map_size);
out:
	close(fd);
	return sum == 1;	/* keep sum alive; libFuzzer wants 0 or -1 */
}
