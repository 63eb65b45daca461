/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fuzz.h - shared by the libFuzzer harnesses in fuzz/ (one per file, built
 * by `make fuzz` with clang-19 -fsanitize=fuzzer,address,undefined into
 * build-fuzz/, run by scripts/fuzz).
 */
#ifndef IOUOPS_FUZZ_H
#define IOUOPS_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The built programs: $IOUOPS_FUZZ_PROGS, else build/progs. */
static inline const char *fuzz_progs_dir(void)
{
	const char *d = getenv("IOUOPS_FUZZ_PROGS");

	return d && *d ? d : "build/progs";
}

/* A NUL-terminated copy of data[0..size) (free it). */
static inline char *fuzz_str(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s) {
		memcpy(s, data, size);
		s[size] = '\0';
	}
	return s;
}

#endif
