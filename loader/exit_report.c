// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * exit_report.c - a program's exit record and counters as text for
 * people, the one formatter every caller uses (sched_ext's UEI_REPORT is
 * the model). The text comes from shared memory that the program (or
 * anyone mapping the region) wrote, so it is treated as untrusted: only
 * printable ASCII goes out as is, everything else as \xNN, every field
 * bounded, and an exit kind that is none of the known ones is reported as
 * a corrupt record instead of being trusted.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "iouops.h"

const char *iou_exit_kind_str(int kind)
{
	switch (kind) {
	case IOU_EXIT_NONE: return "none";
	case IOU_EXIT_DONE: return "done";
	case IOU_EXIT_STOPPED: return "stopped";
	case IOU_EXIT_ERROR: return "error";
	default: return "corrupt";
	}
}

/* Copy at most max bytes of the fixed-size field src (NUL-terminated or
 * not) to dst, printable ASCII as is and '\' and the rest as \xNN. dst
 * always ends in NUL; a field that does not fit ends in "...". */
static void sanitize(char *dst, size_t len, const volatile char *src,
		     size_t max)
{
	size_t i, o = 0;

	for (i = 0; i < max && src[i]; i++) {
		unsigned char c = (unsigned char)src[i];
		char esc[5];
		size_t n;

		if (c >= 0x20 && c < 0x7f && c != '\\') {
			esc[0] = (char)c;
			n = 1;
		} else {
			snprintf(esc, sizeof(esc), "\\x%02x", c);
			n = 4;
		}
		if (o + n + 4 > len) {	/* room for "..." and the NUL */
			memcpy(dst + o, "...", 3);
			o += 3;
			break;
		}
		memcpy(dst + o, esc, n);
		o += n;
	}
	dst[o] = '\0';
}

/* snprintf that never over-reports, so offsets stay inside buf. */
static size_t append(char *buf, size_t len, size_t off, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (off >= len)
		return off;
	va_start(ap, fmt);
	n = vsnprintf(buf + off, len - off, fmt, ap);
	va_end(ap);
	if (n < 0)
		return off;
	return (size_t)n >= len - off ? len - 1 : off + (size_t)n;
}

int iou_exit_format(volatile const struct iou_ctl *ctl, char *buf, size_t len)
{
	/* 4 bytes per byte at worst, plus "..." */
	char reason[IOU_EXIT_REASON_LEN * 4 + 4], file[IOU_EXIT_FILE_LEN * 4 + 4];
	int kind, code;
	unsigned line;

	if (!len)
		return -EINVAL;
	kind = __atomic_load_n(&ctl->exit.kind, __ATOMIC_ACQUIRE);
	code = ctl->exit.code;
	line = ctl->exit.line;
	switch (kind) {
	case IOU_EXIT_NONE:
		append(buf, len, 0, "EXIT: program stopped without recording a reason");
		return kind;
	case IOU_EXIT_DONE:
	case IOU_EXIT_STOPPED:
	case IOU_EXIT_ERROR:
		break;
	default:
		append(buf, len, 0, "EXIT: corrupt exit record (kind 0x%x)",
		       (unsigned)kind);
		return -EBADMSG;
	}
	sanitize(reason, sizeof(reason), ctl->exit.reason, IOU_EXIT_REASON_LEN);
	sanitize(file, sizeof(file), ctl->exit.file, IOU_EXIT_FILE_LEN);
	if (kind == IOU_EXIT_ERROR)
		append(buf, len, 0, "EXIT: error %d (%s): %s [%s:%u]", code,
		       strerror(-code), reason, file, line);
	else
		append(buf, len, 0, "EXIT: %s (%s) [%s:%u]",
		       iou_exit_kind_str(kind), reason, file, line);
	return kind;
}

int iou_counters_format(volatile const struct iou_ctl *ctl, char *buf,
			size_t len)
{
	char name[IOU_COUNTER_NAME_LEN * 4 + 4];
	size_t off = 0;
	int i, nr = 0;

	if (!len)
		return -EINVAL;
	buf[0] = '\0';
	for (i = 0; i < IOU_NR_COUNTERS; i++) {
		if (!ctl->counters[i].name[0])
			continue;	/* unused slot */
		sanitize(name, sizeof(name), ctl->counters[i].name,
			 IOU_COUNTER_NAME_LEN);
		off = append(buf, len, off, "%s%s=%llu", nr ? " " : "", name,
			     (unsigned long long)ctl->counters[i].value);
		nr++;
	}
	return nr;
}

/* A counter whose total is the largest value, not the sum: the last
 * errno seen, a high-water mark. */
static bool takes_max(const char *name)
{
	size_t n = strlen(name);

	return !strncmp(name, "last_", 5) || !strncmp(name, "max_", 4) ||
	       (n >= 4 && !strcmp(name + n - 4, "_max"));
}

#define TOTAL_NAMES	(2 * IOU_NR_COUNTERS)

int iou_counters_total_format(volatile const struct iou_ctl *const *ctls,
			      size_t n, char *buf, size_t len)
{
	struct {
		char name[IOU_COUNTER_NAME_LEN * 4 + 4];
		unsigned long long value;
	} t[TOTAL_NAMES];
	char name[IOU_COUNTER_NAME_LEN * 4 + 4];
	size_t c, off = 0;
	int i, j, nr = 0;

	if (!len)
		return -EINVAL;
	buf[0] = '\0';
	for (c = 0; c < n; c++) {
		for (i = 0; i < IOU_NR_COUNTERS; i++) {
			unsigned long long v = ctls[c]->counters[i].value;

			if (!ctls[c]->counters[i].name[0])
				continue;
			sanitize(name, sizeof(name), ctls[c]->counters[i].name,
				 IOU_COUNTER_NAME_LEN);
			for (j = 0; j < nr && strcmp(t[j].name, name); j++)
				;
			if (j == nr) {
				if (nr == TOTAL_NAMES)
					continue;	/* scribbled names: enough */
				memcpy(t[nr].name, name, sizeof(name));
				t[nr++].value = v;
			} else if (takes_max(name)) {
				if (v > t[j].value)
					t[j].value = v;
			} else {
				t[j].value += v;
			}
		}
	}
	for (j = 0; j < nr; j++)
		off = append(buf, len, off, "%s%s=%llu", j ? " " : "",
			     t[j].name, t[j].value);
	return nr;
}
