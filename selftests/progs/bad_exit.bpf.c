// SPDX-License-Identifier: GPL-2.0
/*
 * bad_exit: records an exit that userspace must not trust: an exit kind
 * set by --set exit_kind=N (default 0x77, none of the known kinds), a
 * reason, file and counter name full of control bytes. The loader must
 * print them escaped and report an unknown kind as a corrupt record.
 */
#include "iouops.bpf.h"

char LICENSE[] SEC("license") = "GPL";

const volatile __s32 exit_kind = 0x77;

IOU_LOOP(bad_exit_step)
{
	/* ESC [31m (a colour), a newline, a byte above ASCII, a backslash */
	static const char reason[] = "a\x1b[31mb\n\xff\\z";
	static const char file[] = "f\a";
	static const char name[] = "x\x1b\n";
	struct iou_ring r;
	struct iou_ctl *c;

	(void)lp;
	if (iou_ring_open(&r, ring))
		return IOU_LOOP_STOP;
	c = r.ctl;
	__builtin_memcpy(c->counters[0].name, name, sizeof(name));
	c->counters[0].value = 5;
	__builtin_memcpy(c->exit.reason, reason, sizeof(reason));
	__builtin_memcpy(c->exit.file, file, sizeof(file));
	c->exit.line = 7;
	c->exit.code = 0;
	iou_barrier();
	WRITE_ONCE(c->exit.kind, exit_kind);
	return IOU_LOOP_STOP;
}

IOU_OPS(bad_exit_ops, bad_exit_step);
