// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * features.c - say which kernel feature a program lacked when a load fails.
 *
 * A program built against a newer vmlinux.h may use a kfunc, a struct
 * member or a struct_ops callback that this kernel does not have. libbpf
 * notices while it resolves the object against the kernel's BTF and says
 * so in its log (for a weak kfunc or a CO-RE field it poisons the
 * instruction and the verifier then rejects it). The user needs the one
 * line that names the feature, not the verifier dump around it.
 */
#include <stdio.h>
#include <string.h>

#include "loader_internal.h"

/* Copy the text of src up to the first char of `stops` (or end of line),
 * dropping CO-RE flavour suffixes ("iou_loop_params___v2" ->
 * "iou_loop_params"). */
static void copy_name(char *dst, size_t len, const char *src,
		      const char *stops)
{
	size_t n = 0;

	while (*src && *src != '\n' && !strchr(stops, *src) && n + 1 < len) {
		if (!strncmp(src, "___", 3)) {
			src += 3;
			while (*src && (*src == '_' || (*src >= '0' && *src <= '9') ||
					(*src >= 'a' && *src <= 'z') ||
					(*src >= 'A' && *src <= 'Z')))
				src++;
			continue;
		}
		dst[n++] = *src++;
	}
	dst[n] = '\0';
}

/* The text after `marker` in log (NULL if absent). */
static const char *after(const char *log, const char *marker)
{
	const char *s = strstr(log, marker);

	return s ? s + strlen(marker) : NULL;
}

bool iou_explain_missing_feature(const char *log, char *why, size_t len)
{
	char name[128], member[128];
	const char *s;

	if (!log)
		return false;
	/* a weak kfunc called without bpf_ksym_exists(): poisoned call */
	s = strstr(log, "' is referenced but wasn't resolved");
	if (s) {
		const char *q = s;

		while (q > log && q[-1] != '\'')
			q--;
		snprintf(name, sizeof(name), "%.*s", (int)(s - q), q);
		snprintf(why, len, "kernel lacks kfunc %s, which the program "
			 "calls (guard the call with iou_has_kfunc())", name);
		return true;
	}
	/* a strong extern kfunc or variable: libbpf stops before the verifier */
	s = after(log, "extern (func ksym) '");
	if (!s)
		s = after(log, "extern (var ksym) '");
	if (s && strstr(s, "not found in kernel")) {
		copy_name(name, sizeof(name), s, "'");
		snprintf(why, len, "kernel lacks %s %s, which the program uses",
			 strstr(log, "(func ksym)") ? "kfunc" : "symbol", name);
		return true;
	}
	/* CO-RE: "<byte_off> [22] struct foo___v2.bar (0:1 @ offset 8)" */
	s = after(log, "failed to resolve CO-RE relocation ");
	if (s) {
		const char *t = strstr(s, "] ");

		if (t && t < strchr(s, '\n'))
			s = t + 2;
		copy_name(name, sizeof(name), s, "(");
		while (*name && name[strlen(name) - 1] == ' ')
			name[strlen(name) - 1] = '\0';
		snprintf(why, len, "kernel lacks %s, which the program reads "
			 "(guard the access with iou_has_field())", name);
		return true;
	}
	/* a struct_ops callback or field this kernel's ops do not have */
	s = after(log, "Cannot find member ");
	if (s && strstr(s, "in kernel BTF")) {
		copy_name(member, sizeof(member), s, " ");
		snprintf(why, len, "kernel's io_uring_bpf_ops lacks member %s, "
			 "which the program sets", member);
		return true;
	}
	return false;
}
