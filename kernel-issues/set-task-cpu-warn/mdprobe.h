/* SPDX-License-Identifier: GPL-2.0 */
/* mdprobe: events shared by mdprobe.bpf.c and mdprobe.c */
#ifndef MDPROBE_H
#define MDPROBE_H

enum {
	EV_FORK = 1,		/* a task was created: md = the child's copy */
	EV_ENTER_DISABLED,	/* a syscall entered with md != base */
	EV_EXIT_CHANGED,	/* a syscall returned with md != its entry value */
	EV_MIGRATE,		/* set_task_cpu() moved a task with md != 0 */
};

#define MD_STACK	24

struct md_event {
	__u32 kind;
	__u32 pid, tgid, flags, cpu, nr_cpus_allowed, cpus_ptr_is_mask;
	__u32 md;		/* EV_FORK: the child's; else current's, raw */
	__u32 ppid;		/* EV_FORK: parent; EV_MIGRATE: current */
	__u32 pmd;		/* EV_FORK: parent's raw; EV_EXIT_CHANGED: at entry */
	__u64 nr, arg0, arg1;	/* syscall and its first arguments */
	__s64 ret;
	char comm[16], pcomm[16];
	/* EV_MIGRATE: the moved task's state and kernel stack, and the mover's */
	__u32 state, on_cpu, sched_delayed, nr_stack, nr_cur_stack;
	__u64 runtime_ns, nvcsw, nivcsw;
	__u64 stack[MD_STACK], cur_stack[MD_STACK];
};

/* mdprobe.bpf.c's .bss: one struct, so it sits at offset 0 */
struct md_ctl {
	__u32 self_tgid;	/* in: mdprobe itself, to calibrate base */
	__u32 armed;		/* in: base is known, report */
	__u32 base;		/* in: migration_disabled our own BPF prolog adds */
	__u32 watch_pid;	/* in: a plain child (true) to check */
	__u32 self_md;		/* out: raw value on mdprobe's own syscalls */
	__u32 watch_max;	/* out: raw maximum on the watched child's syscalls */
	__u32 watch_seen;	/* out: syscalls of the watched child */
};

#endif
