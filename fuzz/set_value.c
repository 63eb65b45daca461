// SPDX-License-Identifier: GPL-2.0
/*
 * iou_prog_set() on real objects from build/progs: the input is
 * "NAME\0VALUE" (the first byte picks the program). Exercises the global
 * lookup through BTF, the number parser (signs, 0x, k/m/g suffixes,
 * overflow), the @field resolver and the size/sign checks of the write.
 */
#include <errno.h>
#include <stdio.h>

#include "fuzz.h"
#include "iouops.h"

static const char *const progs[] = { "nops", "echo", "udp_echo", "cp", "mbox" };
#define NR_PROGS (sizeof(progs) / sizeof(progs[0]))
static struct iou_prog *open_progs[NR_PROGS];
static unsigned uses[NR_PROGS];

static struct iou_prog *get_prog(unsigned i)
{
	char path[512];

	/* every successful set is kept: start over now and then */
	if (open_progs[i] && ++uses[i] % 4096 == 0) {
		iou_prog_close(open_progs[i]);
		open_progs[i] = NULL;
	}
	if (!open_progs[i]) {
		snprintf(path, sizeof(path), "%s/%s.bpf.o", fuzz_progs_dir(),
			 progs[i]);
		if (iou_prog_open(path, NULL, &open_progs[i])) {
			fprintf(stderr, "set_value: cannot open %s\n", path);
			abort();
		}
	}
	return open_progs[i];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct iou_prog *p;
	char *s, *value;
	size_t name_len;
	int err;

	if (size < 1)
		return 0;
	p = get_prog(data[0] % NR_PROGS);
	s = fuzz_str(data + 1, size - 1);
	if (!s)
		return 0;
	name_len = strnlen(s, size - 1);
	value = name_len < size - 1 ? s + name_len + 1 : s + name_len;
	err = iou_prog_set(p, s, value);
	if (err && err != -ENOENT && err != -EINVAL && err != -ENOMEM) {
		fprintf(stderr, "iou_prog_set(%s, %s): unexpected %d\n", s,
			value, err);
		abort();
	}
	free(s);
	return 0;
}
