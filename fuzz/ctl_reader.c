// SPDX-License-Identifier: GPL-2.0
/*
 * The reader of another process's control block (`iouops stat`, and
 * `iouops load` at exit): the input is the shared region, put in a memfd
 * named iouops-shm (or a shard's, iouops-shm.1) that iou_shm_open_pid()
 * finds among our own fds, maps and checks; then the exit record and the
 * counters go through the one formatter both commands use,
 * iou_exit_format() / iou_counters_format() (and the shards' total,
 * iou_counters_total_format()), into a buffer of the full size and of a
 * size taken from the input.
 * What comes out must be bounded, printable text, and a kind that is none
 * of the known ones must be reported as corrupt.
 */
#include <errno.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"
#include "iouops.h"

/* NUL-terminated within len, printable ASCII only. */
static void check_text(const char *what, const char *buf, size_t len)
{
	size_t n = strnlen(buf, len);

	if (n == len) {
		fprintf(stderr, "%s: not NUL-terminated within %zu bytes\n",
			what, len);
		abort();
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)buf[i];

		if (c < 0x20 || c >= 0x7f) {
			fprintf(stderr, "%s: raw byte 0x%02x at %zu\n", what,
				c, i);
			abort();
		}
	}
}

static bool known_kind(int kind)
{
	return kind == IOU_EXIT_NONE || kind == IOU_EXIT_DONE ||
	       kind == IOU_EXIT_STOPPED || kind == IOU_EXIT_ERROR;
}

static void check_format(volatile struct iou_ctl *ctl, size_t len)
{
	char *buf = malloc(len);
	int kind = ctl->exit.kind, ret;

	if (!buf)
		return;
	ret = iou_exit_format(ctl, buf, len);
	check_text("iou_exit_format", buf, len);
	if (known_kind(kind) ? ret != kind : ret != -EBADMSG) {
		fprintf(stderr, "kind %d: iou_exit_format returned %d\n",
			kind, ret);
		abort();
	}
	if (ret == -EBADMSG && len >= IOU_REPORT_LEN &&
	    strncmp(buf, "EXIT: corrupt exit record (kind 0x", 34)) {
		fprintf(stderr, "kind %d reported as '%s'\n", kind, buf);
		abort();
	}
	ret = iou_counters_format(ctl, buf, len);
	check_text("iou_counters_format", buf, len);
	if (ret < 0 || ret > IOU_NR_COUNTERS) {
		fprintf(stderr, "iou_counters_format returned %d\n", ret);
		abort();
	}
	/* the total of shards: the same block twice */
	ret = iou_counters_total_format((volatile const struct iou_ctl *const[]){
					ctl, ctl }, 2, buf, len);
	check_text("iou_counters_total_format", buf, len);
	if (ret < 0 || ret > 2 * IOU_NR_COUNTERS) {
		fprintf(stderr, "iou_counters_total_format returned %d\n", ret);
		abort();
	}
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	volatile struct iou_ctl *ctl;
	size_t map_size;
	int fd, err;

	/* a lone program's region, or a shard's (iouops-shm.N) */
	fd = memfd_create(size && data[0] & 1 ? IOU_SHM_MEMFD_NAME ".1" :
			  IOU_SHM_MEMFD_NAME, MFD_CLOEXEC);
	if (fd < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size)
		goto out;
	err = iou_shm_open_pid(getpid(), &ctl, &map_size);
	if (err)
		goto out;
	if (map_size < sizeof(struct iou_ctl) || ctl->magic != IOU_CTL_MAGIC)
		abort();	/* the reader promised both */
	if (strlen(iou_exit_kind_str(ctl->exit.kind)) == 0)
		abort();
	check_format(ctl, IOU_REPORT_LEN);
	/* a short buffer (1 .. 255 bytes): cut, still terminated */
	check_format(ctl, 1 + (size ? data[size - 1] : 0) % 255);
	iou_shm_close(ctl, map_size);
out:
	close(fd);
	return 0;
}
