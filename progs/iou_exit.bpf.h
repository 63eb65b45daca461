/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * iou_exit.bpf.h - recording why a loop program ended (BPF side only):
 * iou_exit_done(), iou_exit_stopped() and iou_exit_error() write kind,
 * code, file:line and a printf-style reason into the shared control block
 * (struct iou_exit_info in iouops_shared.h), where the loader and any
 * other process read it without a syscall. The reason's arguments are
 * checked against its format at compile time, as printf's are.
 */
#ifndef IOU_EXIT_BPF_H
#define IOU_EXIT_BPF_H

#include "iou_common.bpf.h"

/*
 * The check covers signedness too: bpf_snprintf prints an int -EINVAL
 * given to %u as 4294967274. -Wformat-signedness is off in -Wall and new
 * in clang 19 (older ones would warn that it is unknown).
 */
#if __clang_major__ >= 19
#define __iou_format_strict_begin					\
	_Pragma("clang diagnostic push")				\
	_Pragma("clang diagnostic warning \"-Wformat-signedness\"")
#define __iou_format_strict_end	_Pragma("clang diagnostic pop")
#else
#define __iou_format_strict_begin
#define __iou_format_strict_end
#endif

/*
 * Never called: a call to it inside `if (0)` makes clang's -Wformat check
 * the reason's arguments against its format (a %d given a __u64, a
 * missing argument), which BPF_SNPRINTF alone does not do: it casts every
 * argument to a u64. bpf_snprintf takes a subset of printf's conversions
 * (%d %i %u %x %X %ld %lu %lld %llu %llx %s %c %p and %pI4-style
 * extensions), which -Wformat reads as printf's.
 */
static inline __attribute__((format(printf, 1, 2))) void
__iou_exit_format_check(const char *fmt, ...)
{
	(void)fmt;
}

/*
 * Record why the program ends, once (the first record wins). Fills
 * ctl->exit with kind, code, file:line and a printf-style reason (at most
 * 12 arguments, bpf_snprintf rules: %d %u %x %ld %llu %s %p...). Returns
 * IOU_LOOP_STOP so a callback can `return iou_exit_done(...)`. fmt must be a
 * string literal; the reason is cut at IOU_EXIT_REASON_LEN - 1 bytes.
 * ctl may be NULL (nothing is recorded).
 */
#define __iou_exit(ctl, _kind, _code, fmt, args...) ({			\
	struct iou_ctl *___c = (ctl);					\
	__iou_format_strict_begin					\
	if (0)								\
		__iou_exit_format_check(fmt, ##args);			\
	__iou_format_strict_end						\
	if (___c && !READ_ONCE(___c->exit.kind)) {			\
		___c->exit.code = (_code);				\
		___c->exit.line = __LINE__;				\
		BPF_SNPRINTF(___c->exit.file, sizeof(___c->exit.file),	\
			     "%s", __FILE_NAME__);			\
		BPF_SNPRINTF(___c->exit.reason,				\
			     sizeof(___c->exit.reason), fmt, ##args);	\
		iou_barrier();						\
		WRITE_ONCE(___c->exit.kind, (_kind));			\
	}								\
	IOU_LOOP_STOP;							\
})

/* The work is done: `return iou_exit_done(r.ctl, "copied %llu", n);` */
#define iou_exit_done(ctl, fmt, args...)				\
	__iou_exit(ctl, IOU_EXIT_DONE, 0, fmt, ##args)
/* Userspace asked to stop and the program has wound down. */
#define iou_exit_stopped(ctl, fmt, args...)				\
	__iou_exit(ctl, IOU_EXIT_STOPPED, 0, fmt, ##args)
/* Give up with a negative errno: `return iou_exit_error(r.ctl, -EIO, ...)` */
#define iou_exit_error(ctl, err, fmt, args...)				\
	__iou_exit(ctl, IOU_EXIT_ERROR, (err), fmt, ##args)

#endif /* IOU_EXIT_BPF_H */
