/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * iou_compat.bpf.h - one object for every 7.x kernel (BPF side only):
 * probes of the running kernel's BTF, iou_has_kfunc() and
 * iou_has_field(), to use a newer kfunc or struct member only where the
 * kernel has it.
 */
#ifndef IOU_COMPAT_BPF_H
#define IOU_COMPAT_BPF_H

#include "iou_common.bpf.h"

/*
 * Probes of the running kernel's BTF, resolved by libbpf at load time.
 * To the verifier they are constants, so the code behind a false probe is
 * dead and never checked: one object runs on every 7.x kernel, using what
 * each has. Every other iou_*.bpf.h helper works on 7.1 and later.
 *
 * iou_has_kfunc(f): non-zero when kfunc f exists. f must be declared
 * __weak __ksym (vmlinux.h's kfunc prototypes are). Call a kfunc that not
 * every 7.x kernel has only behind this test: an unguarded call to a
 * missing kfunc fails the load with "kernel lacks kfunc f".
 *
 * iou_has_field(type, field): non-zero when `struct type` has member
 * field. For a member newer than vmlinux.h, declare a flavour with it,
 * `struct iou_loop_params___v2 { __u32 cq_wait_idx; __u64 new_field; }
 * __attribute__((preserve_access_index));`, and probe and access that
 * flavour: libbpf matches it to the kernel's struct iou_loop_params. An
 * unguarded access to a missing member fails the load with "kernel lacks
 * struct T.field".
 */
#define iou_has_kfunc(f)		bpf_ksym_exists(f)
#define iou_has_field(type, field)	bpf_core_field_exists(struct type, field)

#endif /* IOU_COMPAT_BPF_H */
