/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sample_util.h - small helpers shared by the userspace samples and
 * bench/timeit (not the library, not BPF programs).
 */
#ifndef IOUOPS_SAMPLE_UTIL_H
#define IOUOPS_SAMPLE_UTIL_H

#ifdef __bpf__
#error "sample_util.h is for userspace programs"
#endif

#include <stddef.h>
#include <time.h>
#include <unistd.h>

/* Monotonic clock in seconds. */
static inline double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static inline size_t page_size(void)
{
	long page = sysconf(_SC_PAGESIZE);

	return page > 0 ? (size_t)page : 4096;
}

/* SIZE rounded up to a whole number of pages. */
static inline size_t page_round_up(size_t size)
{
	size_t page = page_size();

	return (size + page - 1) & ~(page - 1);
}

#endif /* IOUOPS_SAMPLE_UTIL_H */
