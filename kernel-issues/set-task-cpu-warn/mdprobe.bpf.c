// SPDX-License-Identifier: GPL-2.0
/*
 * mdprobe: where does a task's migration_disabled count come from?
 * See mdprobe.c. Tracing programs (tp_btf) run through __bpf_trace_run(),
 * which calls rcu_read_lock_dont_migrate(): with CONFIG_PREEMPT_RCU that is
 * a migrate_disable() of its own, so current->migration_disabled read here
 * is the task's count plus "base" (measured by mdprobe.c on itself). A
 * task other than current (the fork child, a migrated task) is read as is.
 */
/* 7.x BTF has unnamed members of named struct types: -fms-extensions */
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wmicrosoft-anon-tag"
#include "vmlinux.h"
#pragma clang diagnostic pop
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "mdprobe.h"

/* BPF_PROG() declares a ctx that most of these programs do not use */
#pragma clang diagnostic ignored "-Wunused-parameter"

char LICENSE[] SEC("license") = "GPL";

struct md_ctl ctl;	/* .bss, shared with mdprobe.c */

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 18);
} events SEC(".maps");

struct enter_state {
	__u64 nr, arg0, arg1;
	__u32 md;
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct enter_state);
} enters SEC(".maps");

struct once_key {
	__u32 pid, kind;
	__u64 nr;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct once_key);
	__type(value, __u8);
} once SEC(".maps");

static bool first_time(__u32 pid, __u32 kind, __u64 nr)
{
	struct once_key k = { .pid = pid, .kind = kind, .nr = nr };
	__u8 one = 1;

	return bpf_map_update_elem(&once, &k, &one, BPF_NOEXIST) == 0;
}

static void fill_task(struct md_event *e, struct task_struct *t)
{
	e->pid = t->pid;
	e->tgid = t->tgid;
	e->flags = t->flags;
	e->cpu = t->thread_info.cpu;
	e->nr_cpus_allowed = t->nr_cpus_allowed;
	e->cpus_ptr_is_mask = t->cpus_ptr == &t->cpus_mask;
	__builtin_memcpy(e->comm, t->comm, sizeof(e->comm));
}

/* a zeroed event of KIND about task T, or NULL when the ring is full */
static struct md_event *new_event(__u32 kind, struct task_struct *t)
{
	struct md_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e)
		return NULL;
	__builtin_memset(e, 0, sizeof(*e));
	e->kind = kind;
	fill_task(e, t);
	return e;
}

/* Before the tool arms itself, its own syscalls measure the base count
 * (what running this tracepoint adds): true while that is going on. */
static bool calibrating(struct task_struct *t, __u32 md)
{
	if ((__u32)t->tgid == ctl.self_tgid && !ctl.armed) {
		ctl.self_md = md;
		return true;
	}
	return !ctl.armed;
}

/*
 * task_newtask, not sched_process_fork: the latter is in kernel_clone() only,
 * and io threads (io-wq workers, create_io_thread()) come from copy_process()
 * directly. current is the creator.
 */
SEC("tp_btf/task_newtask")
int BPF_PROG(on_newtask, struct task_struct *child, unsigned long clone_flags)
{
	struct task_struct *parent = bpf_get_current_task_btf();
	struct md_event *e;

	e = new_event(EV_FORK, child);
	if (!e)
		return 0;
	e->md = child->migration_disabled;	/* the copy dup_task_struct made */
	e->ppid = parent->pid;
	e->pmd = parent->migration_disabled;	/* raw: includes base */
	e->arg0 = clone_flags;
	__builtin_memcpy(e->pcomm, parent->comm, sizeof(e->pcomm));
	if (e->md) {	/* who creates a migration-disabled task, from where */
		long n = bpf_get_stack(ctx, e->cur_stack, sizeof(e->cur_stack), 0);

		e->nr_cur_stack = n > 0 ? n / 8 : 0;
	}
	bpf_ringbuf_submit(e, 0);
	return 0;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(on_sys_enter, struct pt_regs *regs, long id)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct enter_state *s;
	struct md_event *e;
	__u32 md = t->migration_disabled;

	if (calibrating(t, md))
		return 0;
	s = bpf_task_storage_get(&enters, t, NULL, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (s) {
		s->nr = id;
		s->arg0 = regs->di;
		s->arg1 = regs->si;
		s->md = md;
	}
	/* userspace running migration-disabled: it came from somewhere */
	if (md != ctl.base && first_time(t->pid, EV_ENTER_DISABLED, id)) {
		e = new_event(EV_ENTER_DISABLED, t);
		if (!e)
			return 0;
		e->md = md;
		e->nr = id;
		e->arg0 = regs->di;
		e->arg1 = regs->si;
		bpf_ringbuf_submit(e, 0);
	}
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(on_sys_exit, struct pt_regs *regs, long ret)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct enter_state *s;
	struct md_event *e;
	__u32 md = t->migration_disabled;

	if (calibrating(t, md))
		return 0;
	if (ctl.watch_pid && (__u32)t->tgid == ctl.watch_pid) {
		ctl.watch_seen++;
		if (md > ctl.watch_max)
			ctl.watch_max = md;
	}
	s = bpf_task_storage_get(&enters, t, NULL, 0);
	if (md == ctl.base && (!s || s->md == ctl.base))
		return 0;
	/* a syscall that returns to userspace with a count it did not enter with */
	if (s && s->md == md)
		return 0;	/* unchanged, already reported at entry */
	if (!first_time(t->pid, EV_EXIT_CHANGED, regs->orig_ax))
		return 0;
	e = new_event(EV_EXIT_CHANGED, t);
	if (!e)
		return 0;
	e->md = md;
	e->pmd = s ? s->md : 0xffff;
	e->nr = regs->orig_ax;
	e->arg0 = s ? s->arg0 : 0;
	e->arg1 = s ? s->arg1 : 0;
	e->ret = ret;
	bpf_ringbuf_submit(e, 0);
	return 0;
}

/* the event that follows set_task_cpu()'s WARN: who was moved, in what state */
SEC("tp_btf/sched_migrate_task")
int BPF_PROG(on_migrate, struct task_struct *p, int dest_cpu)
{
	struct task_struct *cur = bpf_get_current_task_btf();
	struct md_event *e;
	__u32 md = p->migration_disabled;

	if (p == cur)
		md = md >= ctl.base ? md - ctl.base : 0;
	if (!ctl.armed || !md)
		return 0;
	e = new_event(EV_MIGRATE, p);
	if (!e)
		return 0;
	e->md = md;
	e->nr = dest_cpu;
	e->state = p->__state;
	e->on_cpu = p->on_cpu;
	e->sched_delayed = p->se.sched_delayed;
	e->runtime_ns = p->se.sum_exec_runtime;
	e->nvcsw = p->nvcsw;
	e->nivcsw = p->nivcsw;
	/* where the moved task stopped (it is not running), and the mover */
	if (p != cur) {
		long n = bpf_get_task_stack(p, e->stack, sizeof(e->stack), 0);

		e->nr_stack = n > 0 ? n / 8 : 0;
	}
	{
		long n = bpf_get_stack(ctx, e->cur_stack, sizeof(e->cur_stack), 0);

		e->nr_cur_stack = n > 0 ? n / 8 : 0;
	}
	e->ppid = cur->pid;
	__builtin_memcpy(e->pcomm, cur->comm, sizeof(e->pcomm));
	bpf_ringbuf_submit(e, 0);
	return 0;
}
