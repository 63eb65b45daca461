// SPDX-License-Identifier: GPL-2.0
/* no_ops: a valid BPF object without an io_uring_bpf_ops map. */
#include "iouops.bpf.h"

char LICENSE[] SEC("license") = "GPL";

__u64 calls;

SEC("syscall")
int no_ops_prog(void *ctx)
{
	(void)ctx;
	calls++;
	return 0;
}
