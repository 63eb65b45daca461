// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * log.c - the library's diagnostics: messages to the caller's log
 * callback, the stage and one-line detail of a failure, and libbpf's
 * messages captured while an object is opened or loaded (the verifier log
 * is cut out of them when a load fails).
 */
#include <bpf/libbpf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loader_internal.h"

#define LOG_MAX			(64 * 1024 * 1024)

void iou_logf(const struct iou_opts *o, enum iou_log_level lvl,
	      const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	if (!o || !o->log)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	o->log(lvl, buf, o->log_cookie);
}

int iou_fail(struct iou_fail *f, enum iou_stage stage, int err,
	     const char *fmt, ...)
{
	va_list ap;

	f->stage = stage;
	va_start(ap, fmt);
	vsnprintf(f->msg, sizeof(f->msg), fmt, ap);
	va_end(ap);
	return err;
}

/* ---- libbpf's messages: it has one global print hook ---- */

/*
 * libbpf calls its print hook from the thread that opens or loads, so the
 * capture is per thread: shards load in parallel, each into its own log
 * (shards.c). A thread that captures nothing drops libbpf's messages.
 */
static __thread struct iou_bpf_log *capture_log;
static __thread const struct iou_opts *capture_opts;

static void log_append(struct iou_bpf_log *log, const char *s)
{
	size_t n = strlen(s);
	char *grown;

	if (log->len + n + 1 > LOG_MAX)
		return;
	grown = realloc(log->text, log->len + n + 1);
	if (!grown)
		return;
	log->text = grown;
	memcpy(log->text + log->len, s, n + 1);
	log->len += n;
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	const struct iou_opts *o = capture_opts;
	enum iou_log_level lvl;
	char *buf;

	if (!capture_log)
		return 0;
	if (level == LIBBPF_DEBUG && !o->libbpf_debug)
		return 0;
	/* one message can be a whole verifier log: no fixed buffer */
	if (vasprintf(&buf, fmt, ap) < 0)
		return 0;
	log_append(capture_log, buf);
	lvl = level == LIBBPF_WARN ? IOU_LOG_WARN :
	      level == LIBBPF_INFO ? IOU_LOG_INFO : IOU_LOG_DEBUG;
	if (o->log)
		o->log(lvl, buf, o->log_cookie);
	free(buf);
	return 0;
}

void iou_bpf_log_begin(struct iou_bpf_log *log, const struct iou_opts *o)
{
	capture_opts = o;
	capture_log = log;
	libbpf_set_print(libbpf_print);
}

void iou_bpf_log_end(void)
{
	capture_log = NULL;
	capture_opts = NULL;
}

void iou_bpf_log_quiet(void)
{
	iou_bpf_log_end();
	libbpf_set_print(libbpf_print);
}

/* libbpf brackets the verifier's output with these markers. */
static void extract_verifier_log(struct iou_bpf_log *log)
{
	const char *begin, *end;

	free(log->verifier);
	log->verifier = NULL;
	if (!log->text)
		return;
	begin = strstr(log->text, "-- BEGIN PROG LOAD LOG --");
	if (!begin)
		return;
	begin = strchr(begin, '\n');
	if (!begin)
		return;
	end = strstr(++begin, "-- END PROG LOAD LOG --");
	if (!end)
		end = begin + strlen(begin);
	log->verifier = strndup(begin, (size_t)(end - begin));
}

/* The last thing libbpf said, as the one-line detail of a failure. */
static void last_log_line(const struct iou_bpf_log *log, struct iou_fail *f)
{
	const char *line, *end;
	size_t len;

	if (!log->len)
		return;
	end = log->text + log->len;
	while (end > log->text && end[-1] == '\n')
		end--;
	line = end;
	while (line > log->text && line[-1] != '\n')
		line--;
	len = (size_t)(end - line);
	if (len >= sizeof(f->msg))
		len = sizeof(f->msg) - 1;
	memcpy(f->msg, line, len);
	f->msg[len] = '\0';
}

void iou_bpf_log_failed(struct iou_bpf_log *log, struct iou_fail *f)
{
	extract_verifier_log(log);
	last_log_line(log, f);
}

void iou_bpf_log_free(struct iou_bpf_log *log)
{
	free(log->text);
	free(log->verifier);
	log->text = log->verifier = NULL;
	log->len = 0;
}
