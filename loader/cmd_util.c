// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * cmd_util.c - small helpers the commands share (cmd.h): the clock of
 * --timing, number options, getopt's refused option as typed, and a
 * program's counters on one line.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"

unsigned long long iouops_start_ns;	/* for --timing */

unsigned long long iouops_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ULL +
	       (unsigned long long)ts.tv_nsec;
}

int iouops_parse_uint(const char *opt, const char *s, unsigned *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || *end || !*s || v > UINT_MAX || s[0] == '-') {
		fprintf(stderr, "iouops: %s: '%s' is not a number\n", opt, s);
		return -EINVAL;
	}
	*out = (unsigned)v;
	return 0;
}

const char *iouops_bad_option(char **argv, char buf[3])
{
	/* a short option inside a cluster ("-xv"): optind still points at
	 * the cluster, so name the character getopt stopped at */
	if (optopt > 0 && optopt < 128 && isprint(optopt)) {
		buf[0] = '-';
		buf[1] = (char)optopt;
		buf[2] = '\0';
		return buf;
	}
	return argv[optind - 1];
}

void iouops_print_counters(const char *prefix, volatile struct iou_ctl *ctl)
{
	char line[IOU_REPORT_LEN];

	if (iou_counters_format(ctl, line, sizeof(line)) > 0)
		printf("%scounters: %s\n", prefix, line);
}

void iouops_print_total(volatile struct iou_ctl *const *ctls, size_t n)
{
	char line[IOU_REPORT_LEN];

	if (iou_counters_total_format((volatile const struct iou_ctl *const *)ctls,
				      n, line, sizeof(line)) > 0)
		printf("total: counters: %s\n", line);
}
