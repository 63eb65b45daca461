/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * iou_common.bpf.h - what every loop program is built on (BPF side only):
 * the kernel's types (vmlinux.h, checked to be read with -fms-extensions),
 * libbpf's BPF headers, the program/loader contract (iouops_shared.h) and
 * the memory-access primitives READ_ONCE, WRITE_ONCE and iou_barrier.
 * Included through iouops.bpf.h; the other iou_*.bpf.h build on it.
 */
#ifndef IOU_COMMON_BPF_H
#define IOU_COMMON_BPF_H

/*
 * Since 7.x the kernel is built with -fms-extensions and its BTF has
 * unnamed members of named struct types; vmlinux.h spells them
 * `struct foo;`, which only -fms-extensions reads as a member. Without it
 * struct layouts silently shift.
 */
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wmicrosoft-anon-tag"
struct __iou_ms_probe_a { int a; };
struct __iou_ms_probe_b { struct __iou_ms_probe_a; int b; };
_Static_assert(sizeof(struct __iou_ms_probe_b) == 2 * sizeof(int),
	       "compile loop programs with -fms-extensions (see iou_common.bpf.h)");
#include "vmlinux.h"
#pragma clang diagnostic pop
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "iouops_shared.h"

#define READ_ONCE(x)		(*(const volatile typeof(x) *)&(x))
#define WRITE_ONCE(x, v)	(*(volatile typeof(x) *)&(x) = (v))
/*
 * The loop runs in the ring's own task, so the kernel's CQ tail stores and
 * our loads happen in program order on one CPU; on x86 (TSO) a compiler
 * barrier is all that acquire/release need. Other architectures need
 * BPF load-acquire/store-release (clang >= 20).
 */
#define iou_barrier()		asm volatile("" ::: "memory")

#endif /* IOU_COMMON_BPF_H */
