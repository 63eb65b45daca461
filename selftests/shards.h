/* SPDX-License-Identifier: GPL-2.0 */
/*
 * shards.h - what the --shards tests (shards.c, shards_control.c) read
 * in the loader's output: "shard N: counters: ..." lines and the
 * "total: counters: ..." line, from `iouops load` and `iouops stat`.
 */
#ifndef IOUOPS_SHARDS_TEST_H
#define IOUOPS_SHARDS_TEST_H

#include "selftest.h"

/* NAME=N on the last "WHOcounters: " line of TEXT (WHO "shard 1: " or
 * "total: "); UINT64_MAX, with a diagnostic, when there is none. */
uint64_t shard_field(const char *text, const char *who, const char *name);
/* NAME of the total line is the sum of shards 0..N-1's: 0 or KSFT_FAIL
 * (after the assertion's diagnostic). */
int shards_sum_is_total(const char *text, unsigned n, const char *name);

#endif /* IOUOPS_SHARDS_TEST_H */
