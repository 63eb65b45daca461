// SPDX-License-Identifier: GPL-2.0
/*
 * iou_prog_set() on real objects from build/progs (and the two foreign
 * programs of build/selftests): the input is "PATH\0VALUE" (the first
 * byte picks the program). Exercises the global lookup and the path walk
 * through BTF (members, [indexes], pointers), the number parser (signs,
 * 0x, k/m/g suffixes, overflow), the @field resolver and the size/sign
 * checks of the write; then the same path through iou_prog_var_info(),
 * iou_prog_var_encode() and iou_prog_var_read() (--print, --expect).
 * Every error is -ENOENT, -EINVAL, -ERANGE or -ENOMEM with a one-line
 * message.
 */
#include <errno.h>
#include <stdio.h>

#include "fuzz.h"
#include "iouops.h"

static const char *const progs[] = { "nops", "echo", "udp_echo", "cp", "mbox",
	"http", "zcrx_sink", "../selftests/foreign_nops_71",
	"../selftests/foreign_nops_72" };
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

/* An expected error, with a one-line message (unless the input itself
 * has a newline: the message quotes it). */
static void check_err(struct iou_prog *p, const char *fn, const char *path,
		      const char *value, int err, bool newline)
{
	const char *msg;

	if (!err)
		return;
	if (err != -ENOENT && err != -EINVAL && err != -ERANGE &&
	    err != -ENOMEM) {
		fprintf(stderr, "%s(%s, %s): unexpected %d\n", fn, path, value,
			err);
		abort();
	}
	msg = iou_prog_error_msg(p);
	if (!msg || !*msg || (!newline && strchr(msg, '\n'))) {
		fprintf(stderr, "%s(%s, %s): %d with message '%s'\n", fn, path,
			value, err, msg ? msg : "(null)");
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct iou_prog *p;
	struct iou_var_info info;
	unsigned long long raw;
	char *s, *value, text[64];
	size_t name_len;
	bool newline;
	int err;

	if (size < 1)
		return 0;
	p = get_prog(data[0] % NR_PROGS);
	s = fuzz_str(data + 1, size - 1);
	if (!s)
		return 0;
	name_len = strnlen(s, size - 1);
	value = name_len < size - 1 ? s + name_len + 1 : s + name_len;
	newline = memchr(data, '\n', size) != NULL;
	err = iou_prog_set(p, s, value);
	check_err(p, "iou_prog_set", s, value, err, newline);
	err = iou_prog_var_info(p, s, &info);
	check_err(p, "iou_prog_var_info", s, value, err, newline);
	if (!err) {
		if (info.size != 1 && info.size != 2 && info.size != 4 &&
		    info.size != 8)
			abort();
		err = iou_prog_var_encode(p, s, value, &raw);
		check_err(p, "iou_prog_var_encode", s, value, err, newline);
		if (!iou_prog_var_read(p, s, &raw, &info)) {
			iou_var_format(&info, raw, text, sizeof(text));
			if (strnlen(text, sizeof(text)) == sizeof(text))
				abort();
		}
	}
	free(s);
	return 0;
}
