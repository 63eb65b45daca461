/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * zcrx_shared.h - the byte pattern zcrx_sink checks and
 * samples/zcrx-client sends (both sides include it). Byte k of a
 * connection is (k & 0xff) ^ h(k >> 8), h a per-256-byte hash of the
 * seed: a lost, repeated or misplaced chunk changes what is expected,
 * and 8 bytes at an 8-aligned k are one multiply-and-xor to compute.
 */
#ifndef ZCRX_SHARED_H
#define ZCRX_SHARED_H

#ifndef __bpf__
#include <linux/types.h>
#endif

#ifndef IORING_ZCRX_AREA_SHIFT
#define IORING_ZCRX_AREA_SHIFT	48
#define IORING_ZCRX_AREA_MASK	(~(((__u64)1 << IORING_ZCRX_AREA_SHIFT) - 1))
#endif

static inline __u8 zcrx_pattern_hash(__u32 seed, __u64 k)
{
	return (__u8)(((__u32)(k >> 8) * 0x9e3779b1U + seed) >> 24);
}

static inline __u8 zcrx_pattern_byte(__u32 seed, __u64 k)
{
	return (__u8)k ^ zcrx_pattern_hash(seed, k);
}

/* Bytes k..k+7 as a little-endian word; k must be a multiple of 8. */
static inline __u64 zcrx_pattern_word(__u32 seed, __u64 k)
{
	const __u64 ones = 0x0101010101010101ULL;

	return (((k & 0xff) * ones) | 0x0706050403020100ULL) ^
	       (zcrx_pattern_hash(seed, k) * ones);
}

#endif /* ZCRX_SHARED_H */
