// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * probe.c - does the running kernel have io_uring BPF loop programs?
 *
 * Features are found through BTF and by trying, never by version number:
 * a distribution kernel may carry the feature on any version, and a
 * kernel built without CONFIG_IO_URING_BPF_OPS lacks it on every version.
 */
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "iouops.h"
#include "loader_internal.h"
#include "uring.h"

#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif

bool iou_can_load_bpf(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2];
	unsigned long long eff;

	memset(data, 0, sizeof(data));
	if (syscall(SYS_capget, &hdr, data))
		return false;
	eff = data[0].effective | (unsigned long long)data[1].effective << 32;
#define HAS(cap) (eff & (1ULL << (cap)))
	return HAS(CAP_SYS_ADMIN) || (HAS(CAP_BPF) && HAS(CAP_PERFMON));
#undef HAS
}

static int probe_btf(char *why, size_t why_len)
{
	static const char *const kfuncs[] = {
		"bpf_io_uring_submit_sqes", "bpf_io_uring_get_region",
	};
	struct btf *btf;
	int err = 0;
	size_t i;

	iou_bpf_log_quiet();
	btf = btf__load_vmlinux_btf();
	if (!btf) {
		snprintf(why, why_len, "kernel has no BTF (/sys/kernel/btf/vmlinux): "
			 "io_uring BPF ops need CONFIG_DEBUG_INFO_BTF");
		return -EOPNOTSUPP;
	}
	if (btf__find_by_name_kind(btf, IOU_SYM_OPS_STRUCT, BTF_KIND_STRUCT) < 0) {
		snprintf(why, why_len, "kernel lacks io_uring BPF ops "
			 "(no struct io_uring_bpf_ops in its BTF; needs Linux >= 7.1 "
			 "with CONFIG_IO_URING_BPF_OPS); run it in the VM: scripts/vm");
		err = -EOPNOTSUPP;
		goto out;
	}
	for (i = 0; i < sizeof(kfuncs) / sizeof(kfuncs[0]); i++) {
		if (btf__find_by_name_kind(btf, kfuncs[i], BTF_KIND_FUNC) < 0) {
			snprintf(why, why_len, "kernel lacks the kfunc %s", kfuncs[i]);
			err = -EOPNOTSUPP;
			goto out;
		}
	}
out:
	btf__free(btf);
	return err;
}

static int probe_ring(char *why, size_t why_len)
{
	struct io_uring_params p;
	int fd;

	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN |
		  IORING_SETUP_NO_SQARRAY;
	fd = iou_sys_setup(2, &p);
	if (fd < 0) {
		snprintf(why, why_len, "kernel refuses a SINGLE_ISSUER | "
			 "DEFER_TASKRUN | NO_SQARRAY ring: %s", strerror(-fd));
		return -EOPNOTSUPP;
	}
	close(fd);
	return 0;
}

int iou_probe_kernel(char *why, size_t why_len)
{
	int err;

	if (why_len)
		why[0] = '\0';
	err = probe_btf(why, why_len);
	if (!err)
		err = probe_ring(why, why_len);
	return err;
}
