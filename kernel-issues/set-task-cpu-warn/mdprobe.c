// SPDX-License-Identifier: GPL-2.0
/*
 * mdprobe: trace where tasks get a non-zero migration_disabled count.
 * A diagnostic for set-task-cpu-warn (README.md), not a reproducer.
 *
 *   FORK      every task creation (task_newtask: io threads too): the
 *             child's migration_disabled as dup_task_struct() copied it
 *             from the parent, and the parent's; the creator's stack when
 *             the child is born migration-disabled
 *   ENTER     a syscall entered from userspace with migration disabled
 *             (once per task and syscall)
 *   EXIT      a syscall returned with a count other than at its entry:
 *             the syscall that leaked (or dropped) it
 *   MIGRATE   set_task_cpu() moved a migration-disabled task (the WARN's
 *             case): which task, by whom, its cpus_ptr
 *
 * tp_btf programs run inside __bpf_trace_run()'s rcu_read_lock_dont_migrate(),
 * a migrate_disable() of their own under CONFIG_PREEMPT_RCU: mdprobe measures
 * that "base" on its own syscalls first and reports counts net of it (the
 * child and migrated tasks are not current: read as they are). It then runs
 * /bin/true as a control, whose count must read 0.
 *
 * Build: clang -g -O2 -target bpf -D__TARGET_ARCH_x86 -fms-extensions
 *        -I<dir with vmlinux.h> -c mdprobe.bpf.c -o mdprobe.bpf.o
 *        cc -O2 mdprobe.c -o mdprobe -lbpf
 * Run (root): ./mdprobe [seconds [path/to/mdprobe.bpf.o]]   (0: until killed)
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <bpf/libbpf.h>
#include <errno.h>
#include <linux/types.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mdprobe.h"

#define PF_KTHREAD_	0x00200000
#define PF_IO_WORKER_	0x00000010

static volatile sig_atomic_t stop;

/* /proc/kallsyms, sorted, to name stack addresses */
struct ksym {
	unsigned long long addr;
	char name[64];
};
static struct ksym *ksyms;
static size_t nr_ksyms;

static int ksym_cmp(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static void load_ksyms(void)
{
	FILE *f = fopen("/proc/kallsyms", "r");
	size_t cap = 0;
	char line[256];

	free(ksyms);	/* reloaded per stack: BPF programs loaded since then */
	ksyms = NULL;
	nr_ksyms = 0;

	while (f && fgets(line, sizeof(line), f)) {
		struct ksym k;
		char type;

		if (sscanf(line, "%llx %c %63s", &k.addr, &type, k.name) != 3 || !k.addr)
			continue;
		if (nr_ksyms == cap) {
			struct ksym *n = realloc(ksyms, (cap = cap ? cap * 2 : 65536) * sizeof(*n));

			if (!n)
				break;
			ksyms = n;
		}
		ksyms[nr_ksyms++] = k;
	}
	if (f)
		fclose(f);
	qsort(ksyms, nr_ksyms, sizeof(*ksyms), ksym_cmp);
}

static void print_stack(const char *what, const __u64 *ips, __u32 n)
{
	load_ksyms();
	printf("mdprobe            %s:", what);
	for (__u32 i = 0; i < n && i < MD_STACK; i++) {
		size_t lo = 0, hi = nr_ksyms;

		while (hi - lo > 1) {	/* last symbol at or below ips[i] */
			size_t mid = (lo + hi) / 2;

			if (ksyms[mid].addr <= ips[i])
				lo = mid;
			else
				hi = mid;
		}
		if (nr_ksyms && ksyms[lo].addr <= ips[i])
			printf(" %s+0x%llx", ksyms[lo].name,
			       (unsigned long long)(ips[i] - ksyms[lo].addr));
		else
			printf(" 0x%llx", (unsigned long long)ips[i]);
	}
	printf("\n");
}
static struct timespec t0;
static volatile struct md_ctl *ctl;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static double since_start(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0.tv_sec) + (double)(t.tv_nsec - t0.tv_nsec) / 1e9;
}

static const char *sys_name(__u64 nr)
{
	switch (nr) {
	case __NR_read: return "read";
	case __NR_write: return "write";
	case __NR_close: return "close";
	case __NR_mmap: return "mmap";
	case __NR_munmap: return "munmap";
	case __NR_mprotect: return "mprotect";
	case __NR_ioctl: return "ioctl";
	case __NR_clone: return "clone";
	case __NR_clone3: return "clone3";
	case __NR_futex: return "futex";
	case __NR_bpf: return "bpf";
	case __NR_io_uring_setup: return "io_uring_setup";
	case __NR_io_uring_enter: return "io_uring_enter";
	case __NR_io_uring_register: return "io_uring_register";
	case __NR_rt_sigprocmask: return "rt_sigprocmask";
	case __NR_exit: return "exit";
	case __NR_exit_group: return "exit_group";
	case __NR_wait4: return "wait4";
	case __NR_openat: return "openat";
	case __NR_pwrite64: return "pwrite64";
	case __NR_nanosleep: return "nanosleep";
	case __NR_clock_nanosleep: return "clock_nanosleep";
	case __NR_ppoll: return "ppoll";
	case __NR_poll: return "poll";
	default: return "?";
	}
}

static const char *bpf_cmd_name(__u64 cmd)
{
	static const char *const names[] = {
		"MAP_CREATE", "MAP_LOOKUP_ELEM", "MAP_UPDATE_ELEM", "MAP_DELETE_ELEM",
		"MAP_GET_NEXT_KEY", "PROG_LOAD", "OBJ_PIN", "OBJ_GET", "PROG_ATTACH",
		"PROG_DETACH", "PROG_TEST_RUN", "PROG_GET_NEXT_ID", "MAP_GET_NEXT_ID",
		"PROG_GET_FD_BY_ID", "MAP_GET_FD_BY_ID", "OBJ_GET_INFO_BY_FD",
		"PROG_QUERY", "RAW_TRACEPOINT_OPEN", "BTF_LOAD", "BTF_GET_FD_BY_ID",
		"TASK_FD_QUERY", "MAP_LOOKUP_AND_DELETE_ELEM", "MAP_FREEZE",
		"BTF_GET_NEXT_ID", "MAP_LOOKUP_BATCH", "MAP_LOOKUP_AND_DELETE_BATCH",
		"MAP_UPDATE_BATCH", "MAP_DELETE_BATCH", "LINK_CREATE", "LINK_UPDATE",
		"LINK_GET_FD_BY_ID", "LINK_GET_NEXT_ID", "ENABLE_STATS", "ITER_CREATE",
		"LINK_DETACH", "PROG_BIND_MAP", "TOKEN_CREATE", "PROG_STREAM_READ_BY_FD",
	};

	return cmd < sizeof(names) / sizeof(names[0]) ? names[cmd] : "?";
}

static void print_call(const struct md_event *e)
{
	printf("%s(%llu)", sys_name(e->nr), (unsigned long long)e->nr);
	if (e->nr == __NR_bpf)
		printf(" cmd=%s", bpf_cmd_name(e->arg0));
	else if (e->nr == __NR_io_uring_register)
		printf(" fd=%llu opcode=%llu", (unsigned long long)e->arg0,
		       (unsigned long long)e->arg1);
	else if (e->nr == __NR_io_uring_enter)
		printf(" fd=%llu", (unsigned long long)e->arg0);
}

static const char *task_kind(const struct md_event *e)
{
	if (e->flags & PF_IO_WORKER_)
		return " io-thread";
	if (e->flags & PF_KTHREAD_)
		return " kthread";
	return "";
}

static int on_event(void *priv, void *data, size_t len)
{
	const struct md_event *e = data;
	unsigned int base = ctl->base;

	(void)priv;
	if (len < sizeof(*e))
		return 0;
	printf("mdprobe %8.3f ", since_start());
	switch (e->kind) {
	case EV_FORK:
		printf("FORK parent %u/%.16s md=%d -> child %u/%.16s%s md=%u cpus_ptr=%s nr_cpus_allowed=%u%s\n",
		       e->ppid, e->pcomm, (int)e->pmd - (int)base, e->pid, e->comm,
		       task_kind(e), e->md, e->cpus_ptr_is_mask ? "&cpus_mask" : "narrowed",
		       e->nr_cpus_allowed, e->md ? "   <== BORN MIGRATION-DISABLED" : "");
		if (e->md)
			print_stack("creator's stack", e->cur_stack, e->nr_cur_stack);
		break;
	case EV_ENTER_DISABLED:
		printf("ENTER %u/%.16s (tgid %u) md=%d entering ", e->pid, e->comm,
		       e->tgid, (int)e->md - (int)base);
		print_call(e);
		printf("   <== userspace runs migration-disabled\n");
		break;
	case EV_EXIT_CHANGED:
		printf("EXIT %u/%.16s (tgid %u) ", e->pid, e->comm, e->tgid);
		print_call(e);
		if (e->pmd == 0xffff)
			printf(" = %lld: md=%d at exit (entry not seen)\n",
			       (long long)e->ret, (int)e->md - (int)base);
		else
			printf(" = %lld: md %d at entry -> %d at exit%s\n", (long long)e->ret,
			       (int)e->pmd - (int)base, (int)e->md - (int)base,
			       e->md > e->pmd ? "   <== LEAKS migrate_disable()" : "");
		break;
	case EV_MIGRATE:
		printf("MIGRATE %u/%.16s%s md=%u cpu %u -> %llu cpus_ptr=%s nr_cpus_allowed=%u, by %u/%.16s   <== set_task_cpu() WARN case\n",
		       e->pid, e->comm, task_kind(e), e->md, e->cpu,
		       (unsigned long long)e->nr, e->cpus_ptr_is_mask ? "&cpus_mask" : "narrowed",
		       e->nr_cpus_allowed, e->ppid, e->pcomm);
		printf("mdprobe            moved task: state=0x%x on_cpu=%u sched_delayed=%u ran %llu ns, %llu voluntary / %llu involuntary switches\n",
		       e->state, e->on_cpu, e->sched_delayed, (unsigned long long)e->runtime_ns,
		       (unsigned long long)e->nvcsw, (unsigned long long)e->nivcsw);
		print_stack("moved task's stack", e->stack, e->nr_stack);
		print_stack("mover's stack", e->cur_stack, e->nr_cur_stack);
		break;
	}
	fflush(stdout);
	return 0;
}

/* /bin/true as a control: a plain task must read 0 */
static void control(struct ring_buffer *rb)
{
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		ctl->watch_pid = (__u32)getpid();
		execl("/bin/true", "true", (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid) {
		perror("control child");
		return;
	}
	ring_buffer__poll(rb, 100);
	printf("mdprobe control: /bin/true (pid %d) made %u syscalls, max migration_disabled on their exit %d (raw %u - base %u)%s\n",
	       pid, ctl->watch_seen, (int)ctl->watch_max - (int)ctl->base, ctl->watch_max,
	       ctl->base, ctl->watch_max == ctl->base && ctl->watch_seen ? ": ok" : ": UNEXPECTED");
	ctl->watch_pid = 0;
}

int main(int argc, char **argv)
{
	struct bpf_object *obj;
	struct bpf_program *prog;
	struct ring_buffer *rb;
	struct bpf_map *bss;
	char path[4096];
	int seconds = 0, syscalls = 1;
	const char *self = argv[0];
	size_t size;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc > 1 && !strcmp(argv[1], "-n")) {
		syscalls = 0;
		argc--;
		argv++;
	}
	if (argc > 3 || (argc > 1 && (seconds = atoi(argv[1])) < 0)) {
		fprintf(stderr, "usage: %s [-n] [seconds (0: until killed) [mdprobe.bpf.o]]\n"
			"  -n: no syscall programs (FORK and MIGRATE only, lighter)\n", self);
		return 2;
	}
	if (argc > 2) {
		snprintf(path, sizeof(path), "%s", argv[2]);
	} else {
		const char *slash = strrchr(self, '/');

		snprintf(path, sizeof(path), "%.*s/mdprobe.bpf.o",
			 slash ? (int)(slash - self) : 1, slash ? self : ".");
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	libbpf_set_print(NULL);
	obj = bpf_object__open_file(path, NULL);
	if (!obj) {
		fprintf(stderr, "mdprobe: open %s: %s\n", path, strerror(errno));
		return 2;
	}
	if (bpf_object__load(obj)) {
		fprintf(stderr, "mdprobe: load %s: %s (root needed)\n", path, strerror(errno));
		return 2;
	}
	bss = bpf_object__find_map_by_name(obj, ".bss");
	/* libbpf < 1.5 maps the live .bss only for skeletons: map it here */
	size = bss ? bpf_map__value_size(bss) : 0;
	ctl = size >= sizeof(*ctl) ? mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED,
					  bpf_map__fd(bss), 0) : MAP_FAILED;
	if (ctl == MAP_FAILED) {
		fprintf(stderr, "mdprobe: no mmapable .bss\n");
		return 2;
	}
	ctl->self_tgid = (__u32)getpid();
	bpf_object__for_each_program(prog, obj) {
		if (!syscalls && strstr(bpf_program__name(prog), "sys_"))
			continue;
		if (!bpf_program__attach(prog)) {
			fprintf(stderr, "mdprobe: attach %s: %s\n", bpf_program__name(prog),
				strerror(errno));
			return 2;
		}
	}
	rb = ring_buffer__new(bpf_map__fd(bpf_object__find_map_by_name(obj, "events")),
			      on_event, NULL, NULL);
	if (!rb) {
		fprintf(stderr, "mdprobe: ring buffer: %s\n", strerror(errno));
		return 2;
	}
	/* calibrate: mdprobe is a plain task; what it reads is the BPF prolog's */
	ctl->self_md = 0xffff;
	if (syscalls) {
		for (int i = 0; i < 3; i++)
			syscall(__NR_getppid);
		if (ctl->self_md == 0xffff) {
			fprintf(stderr, "mdprobe: sys_enter/sys_exit programs did not run\n");
			return 2;
		}
		ctl->base = ctl->self_md;
	} else {
		/* __bpf_trace_run() adds one exactly when CONFIG_PREEMPT_RCU=y */
		ctl->base = 1;
	}
	ctl->armed = 1;
	printf("mdprobe: base %u: what a tp_btf program reads for a plain current task (%s)\n",
	       ctl->base, !syscalls ? "assumed, -n" : ctl->base ?
	       "__bpf_trace_run()'s rcu_read_lock_dont_migrate(): CONFIG_PREEMPT_RCU" :
	       "no BPF-side migrate_disable()");
	if (syscalls)
		control(rb);
	printf("mdprobe: armed (counts below are net of base)\n");
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	while (!stop && (!seconds || since_start() < seconds))
		ring_buffer__poll(rb, 200);
	ring_buffer__poll(rb, 0);
	printf("mdprobe: done\n");
	return 0;
}
