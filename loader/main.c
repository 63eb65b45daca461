// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * iouops - load and run io_uring BPF loop programs.
 *
 *	iouops load PROG [options]	run a loop program until it stops
 *	iouops probe			does this kernel have io_uring BPF ops?
 *	iouops new|build|vm|get-kernel	write your own (cmd_new.c)
 *
 * Every failure is one line on stderr and its own exit status (see
 * enum iouops_exit_status in iouops.h); only a verifier rejection prints
 * more: the verifier log, which is what the user needs then.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "iouops.h"

#define MAX_SETS 64

struct load_args {
	const char *prog;
	struct iou_opts opts;
	const char *set_names[MAX_SETS];
	const char *set_values[MAX_SETS];
	int nr_sets;
	struct { const char *name, *path; enum iou_file_mode mode; } files[MAX_SETS];
	int nr_files;
	unsigned stats_interval;	/* seconds; 0: no live stats */
	bool verbose;
	bool timing;			/* --timing: print load/run costs */
};

static struct iou_prog *volatile running_prog;
static unsigned long long main_start_ns;	/* for --timing */
static volatile sig_atomic_t signals_seen;

static void usage(FILE *f)
{
	fprintf(f,
"Usage: iouops load PROG [options]   run a loop program until it stops\n"
"       iouops probe                 does this kernel have io_uring BPF ops?\n"
"       iouops stat PID [SECS [N]]   a running loader's counters, every SECS\n"
"                                    seconds (N times; default: once)\n"
"       iouops new NAME [DIR]        start a loop program: NAME.bpf.c + Makefile\n"
"       iouops build FILE.bpf.c      compile one loop program (clang, BPF flags)\n"
"       iouops vm [OPTS] -- CMD...   run CMD as root in a VM on Linux 7.3\n"
"       iouops get-kernel [WHICH]    download a kernel for vm (default 7.3)\n"
"       iouops --help | --version\n"
"\n"
"PROG is a BPF object path, or a bare name (nops) looked up in the progs/\n"
"folder next to the iouops binary, then in IOUOPS_PROGS_DIR.\n"
"\n"
"Options of load:\n"
"  --set NAME=VALUE    set global NAME of the program before load; VALUE is a\n"
"                      number (0x.., k/m/g suffixes) or a ring-layout field:\n"
"                      @sq_entries @cq_entries @sq_mask @cq_mask @ring_fd\n"
"                      @sq_off.FIELD @cq_off.FIELD (head tail ring_mask\n"
"                      ring_entries flags dropped array / overflow cqes)\n"
"                      @rings_size @sqes_size @shm_size @shm_uaddr\n"
"                      @setup_flags\n"
"  --in NAME=PATH      open PATH read-only and put the fd in global NAME\n"
"  --out NAME=PATH     open PATH for writing (created, truncated), fd in NAME\n"
"  --src PATH          --in src_fd=PATH     --dst PATH   --out dst_fd=PATH\n"
"  --sq-entries N      SQ size (default 64)\n"
"  --cq-entries N      CQ size (default 2 x SQ)\n"
"  --shm-size SIZE     shared memory region size (default 64k)\n"
"  --sq-rewind         require IORING_SETUP_SQ_REWIND (default: use it when\n"
"                      the kernel has it)\n"
"  --sq-array          classic SQ head/tail instead of SQ_REWIND\n"
"  --no-defer-taskrun  create the ring without DEFER_TASKRUN (the kernel\n"
"                      then refuses to attach: for experiments and tests)\n"
"  --stats SECS        print the program's counters every SECS seconds\n"
"  --timing            print where the time went: load phases (ms), first\n"
"                      step, run, detach, and the run's context switches\n"
"  --listen ADDR:PORT  TCP listening socket for a program with a listen_fd\n"
"                      global, bound UDP socket for one with udp_fd\n"
"                      (IPv4:PORT or [IPv6]:PORT; port 0: any free\n"
"                      port, printed as 'listening on ADDR:PORT')\n"
"  --root DIR          serve the files of DIR: a program with an http_files\n"
"                      global (http) gets them in the shared region, at most\n"
"                      --shm-size bytes of them (default 64m)\n"
"  -v, --verbose       show what the loader does and libbpf's messages\n"
"\n"
"Ctrl-C (SIGINT/SIGTERM) asks the program to stop through shared memory and\n"
"lets it finish; a second one detaches at once.\n"
"\n"
"Exit status: 0 done or stopped, 2 usage, 3 no such program file, 4 kernel\n"
"without io_uring BPF ops, 5 not root, 6 not a BPF object, 7 no\n"
"io_uring_bpf_ops in it, 8 verifier rejection, 9 bad --set, 10 ring setup\n"
"refused, 11 shared memory refused, 12 attach refused, 13 program reported an\n"
"error, 14 io_uring_enter failed, 15 new: file exists, 16 build: compiler\n"
"failed, 17 clang or a helper script missing, 18 bad --listen address, 19\n"
"address in use, 20 address not local, 21 buffer ring or file table refused,\n"
"22 stat: no such iouops process, 23 cannot open an --in/--out file, 24 bad\n"
"--root (missing, not a directory, no files, a name needing escaping, too\n"
"big), 130 detached on a second signal, 1 other. See iouops(8).\n");
}

static void log_to_stderr(enum iou_log_level level, const char *msg,
			  void *cookie)
{
	(void)level;
	(void)cookie;
	fprintf(stderr, "%s%s", msg,
		*msg && msg[strlen(msg) - 1] == '\n' ? "" : "\n");
}

static void on_signal(int sig)
{
	struct iou_prog *p = running_prog;

	(void)sig;
	signals_seen++;
	if (!p)
		return;
	if (signals_seen == 1)
		iou_prog_request_stop(p);
	else
		iou_prog_force_stop(p);
}

static int install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	/* no SA_RESTART: the loop must come back to us on a signal */
	if (sigaction(SIGINT, &sa, NULL) || sigaction(SIGTERM, &sa, NULL))
		return -errno;
	return 0;
}

/* A bare name is looked up next to the binary: build/progs/ in the tree,
 * PREFIX/lib/iouops/progs/ when installed. */
static int resolve_prog(const char *name, char *out, size_t len)
{
	char exe[PATH_MAX], *slash;
	const char *env = getenv("IOUOPS_PROGS_DIR");
	const char *fmts[] = { "%s/progs/%s.bpf.o", "%s/../lib/iouops/progs/%s.bpf.o" };
	ssize_t n;
	size_t i;

	if (strchr(name, '/') || strstr(name, ".o")) {
		snprintf(out, len, "%s", name);
		return 0;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash)
			*slash = '\0';
		for (i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
			n = snprintf(out, len, fmts[i], exe, name);
			if (n > 0 && (size_t)n < len && !access(out, F_OK))
				return 0;
		}
	}
	if (env) {
		n = snprintf(out, len, "%s/%s.bpf.o", env, name);
		if (n > 0 && (size_t)n < len && !access(out, F_OK))
			return 0;
	}
	return -ENOENT;
}

static int open_exit_status(int err)
{
	switch (err) {
	case -ENOENT: case -EACCES: case -EISDIR: case -ENOTDIR:
		return IOUOPS_EXIT_NOFILE;
	case -ENOEXEC:
		return IOUOPS_EXIT_NOTBPF;
	case -ESRCH:
		return IOUOPS_EXIT_NOOPS;
	default:
		return IOUOPS_EXIT_FAIL;
	}
}

static const char *open_error_text(int err)
{
	switch (err) {
	case -ENOEXEC: return "not a BPF object (expected an ELF file built with clang -target bpf)";
	case -ESRCH: return "no io_uring_bpf_ops struct_ops map in it (declare one in SEC(\".struct_ops.link\"))";
	case -EISDIR: return "is a directory, not a BPF object";
	default: return strerror(-err);
	}
}

static int load_exit_status(struct iou_prog *p, int err, const char *path)
{
	const char *detail = iou_prog_error_msg(p);

	switch (iou_prog_error_stage(p)) {
	case IOU_STAGE_KERNEL:
		fprintf(stderr, "iouops: %s\n", *detail ? detail :
			"kernel lacks io_uring BPF ops");
		return IOUOPS_EXIT_NOKERNEL;
	case IOU_STAGE_PERM:
		fprintf(stderr, "iouops: loading a BPF program needs root "
			"(CAP_SYS_ADMIN, or CAP_BPF and CAP_PERFMON)\n");
		return IOUOPS_EXIT_NOTROOT;
	case IOU_STAGE_RING:
		fprintf(stderr, "iouops: io_uring_setup refused the ring: %s\n",
			strerror(-err));
		return IOUOPS_EXIT_RING;
	case IOU_STAGE_REGION:
		fprintf(stderr, "iouops: registering the shared memory region "
			"failed: %s%s\n", strerror(-err),
			err == -ENOMEM ? " (RLIMIT_MEMLOCK too low?)" :
			err == -E2BIG ? " (the program's iou_shm_need asks for "
			"more than 4 GiB: lower the globals it names)" : "");
		return IOUOPS_EXIT_REGION;
	case IOU_STAGE_SET:
		if (*detail)
			fprintf(stderr, "iouops: %s\n", detail);
		else
			fprintf(stderr, "iouops: cannot write the program's "
				"globals: %s\n", strerror(-err));
		return IOUOPS_EXIT_BADSET;
	case IOU_STAGE_LISTEN:
		fprintf(stderr, "iouops: %s\n", *detail ? detail : strerror(-err));
		return err == -EADDRINUSE ? IOUOPS_EXIT_ADDRINUSE :
		       err == -EADDRNOTAVAIL ? IOUOPS_EXIT_ADDRNOTAVAIL :
		       IOUOPS_EXIT_BADADDR;
	case IOU_STAGE_RESOURCES:
		fprintf(stderr, "iouops: %s\n", *detail ? detail : strerror(-err));
		return IOUOPS_EXIT_RESOURCES;
	case IOU_STAGE_ROOT:
		fprintf(stderr, "iouops: %s\n", *detail ? detail : strerror(-err));
		return IOUOPS_EXIT_ROOT;
	case IOU_STAGE_VERIFIER:
		if (*iou_prog_verifier_log(p)) {
			fprintf(stderr, "iouops: the verifier rejected %s (%s); its log:\n%s",
				path, strerror(-err), iou_prog_verifier_log(p));
			return IOUOPS_EXIT_VERIFIER;
		}
		fprintf(stderr, "iouops: loading %s failed: %s%s%s\n", path,
			strerror(-err), *detail ? ": " : "", detail);
		return IOUOPS_EXIT_FAIL;
	default:
		fprintf(stderr, "iouops: loading %s failed: %s\n", path,
			strerror(-err));
		return IOUOPS_EXIT_FAIL;
	}
}

static void print_counters(FILE *f, volatile struct iou_ctl *ctl)
{
	bool any = false;
	int i;

	for (i = 0; i < IOU_NR_COUNTERS; i++) {
		char name[IOU_COUNTER_NAME_LEN + 1];

		memcpy(name, (const char *)ctl->counters[i].name,
		       IOU_COUNTER_NAME_LEN);
		name[IOU_COUNTER_NAME_LEN] = '\0';
		if (!name[0])
			continue;
		fprintf(f, "%s%s=%llu", any ? " " : "counters: ", name,
			(unsigned long long)ctl->counters[i].value);
		any = true;
	}
	if (any)
		fputc('\n', f);
}

struct stats_thread {
	pthread_t thread;
	volatile struct iou_ctl *ctl;
	unsigned interval;
	volatile bool done;
};

static void *stats_main(void *arg)
{
	struct stats_thread *st = arg;
	unsigned ticks = 0;

	while (!st->done) {
		struct timespec ts = { 0, 100 * 1000 * 1000 };

		nanosleep(&ts, NULL);
		if (++ticks < st->interval * 10)
			continue;
		ticks = 0;
		print_counters(stdout, st->ctl);
		fflush(stdout);
	}
	return NULL;
}

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ULL +
	       (unsigned long long)ts.tv_nsec;
}

struct run_timing {
	unsigned long long run_start, run_end, detach_end;
	struct rusage ru_start, ru_end;	/* this thread, around the run */
};

static void print_ms(const char *name, unsigned long long from,
		     unsigned long long to)
{
	if (from && to >= from)
		printf(" %s_ms=%.3f", name, (double)(to - from) / 1e6);
	else
		printf(" %s_ms=-", name);
}

/*
 * One line of key=value pairs for `make bench` and for people: each load
 * phase, the first step (stamped by the program on the same clock), the
 * whole load from main() to the first step, the run, the detach, and how
 * often the run slept (voluntary context switches) or was preempted.
 */
static void print_timing(const struct iou_prog *p, volatile struct iou_ctl *ctl,
			 const struct run_timing *t)
{
	static const char *const names[IOU_NR_PHASES] = {
		"cli", "open", "probe", "ring", "region", "verify", "attach",
	};
	unsigned long long prev = main_start_ns, first = ctl->first_step_ns;
	int ph;

	printf("timing:");
	for (ph = IOU_PHASE_START; ph < IOU_NR_PHASES; ph++) {
		unsigned long long at = iou_prog_phase_ns(p, ph);

		print_ms(names[ph], prev, at);
		prev = at;
	}
	print_ms("first_step", prev, first);
	print_ms("load", main_start_ns, first);
	print_ms("run", t->run_start, t->run_end);
	print_ms("detach", t->run_end, t->detach_end);
	printf(" sleeps=%ld preempted=%ld\n",
	       t->ru_end.ru_nvcsw - t->ru_start.ru_nvcsw,
	       t->ru_end.ru_nivcsw - t->ru_start.ru_nivcsw);
}

/* Report how the program ended and turn it into our exit status. */
static int report_exit(volatile struct iou_ctl *ctl, double secs)
{
	char reason[IOU_EXIT_REASON_LEN + 1], file[IOU_EXIT_FILE_LEN + 1];
	int kind = __atomic_load_n(&ctl->exit.kind, __ATOMIC_ACQUIRE);

	print_counters(stdout, ctl);
	printf("steps: %llu  time: %.3f s\n", (unsigned long long)ctl->steps,
	       secs);
	if (kind == IOU_EXIT_NONE) {
		printf("EXIT: program stopped without recording a reason\n");
		return IOUOPS_EXIT_OK;
	}
	memcpy(reason, (const char *)ctl->exit.reason, IOU_EXIT_REASON_LEN);
	reason[IOU_EXIT_REASON_LEN] = '\0';
	memcpy(file, (const char *)ctl->exit.file, IOU_EXIT_FILE_LEN);
	file[IOU_EXIT_FILE_LEN] = '\0';
	if (kind == IOU_EXIT_ERROR) {
		printf("EXIT: error %d (%s): %s [%s:%u]\n", ctl->exit.code,
		       strerror(-ctl->exit.code), reason, file, ctl->exit.line);
		return IOUOPS_EXIT_PROG_ERROR;
	}
	printf("EXIT: %s (%s) [%s:%u]\n", iou_exit_kind_str(kind), reason,
	       file, ctl->exit.line);
	return IOUOPS_EXIT_OK;
}

static int run_status(int err)
{
	switch (err) {
	case -EINVAL:
		fprintf(stderr, "iouops: io_uring_enter failed with EINVAL: "
			"loop_step returned a value other than IOU_LOOP_CONTINUE "
			"or IOU_LOOP_STOP\n");
		return IOUOPS_EXIT_RUN;
	case -EINTR:
		fprintf(stderr, "iouops: second signal: detached without "
			"waiting for the program\n");
		return IOUOPS_EXIT_SIGNAL;
	case -EFAULT:
		fprintf(stderr, "iouops: io_uring_enter failed with EFAULT: "
			"the program was detached while it ran\n");
		return IOUOPS_EXIT_RUN;
	default:
		fprintf(stderr, "iouops: io_uring_enter failed: %s\n",
			strerror(-err));
		return IOUOPS_EXIT_RUN;
	}
}

static int file_status(const char *name, const char *path,
		       enum iou_file_mode mode, int err)
{
	const char *opt = mode == IOU_FILE_IN ? "--in" : "--out";

	if (err == -ESRCH) {
		fprintf(stderr, "iouops: %s %s=%s: the program has no such "
			"global\n", opt, name, path);
		return IOUOPS_EXIT_BADSET;
	}
	if (err == -EINVAL) {
		fprintf(stderr, "iouops: %s %s=%s: global %s cannot hold an fd "
			"(or %s is not a file, device, pipe or socket)\n", opt,
			name, path, name, path);
		return IOUOPS_EXIT_BADSET;
	}
	fprintf(stderr, "iouops: %s %s=%s: %s\n", opt, name, path,
		err == -EEXIST ? "is also an input: it would be truncated "
		"before it is read" : strerror(-err));
	return IOUOPS_EXIT_FILE;
}

static int cmd_load(struct load_args *a)
{
	struct stats_thread st = { 0 };
	struct run_timing t = { 0 };
	char path[PATH_MAX];
	struct iou_prog *p = NULL;
	volatile struct iou_ctl *ctl;
	bool stats_running = false;
	int err, i, status;

	if (resolve_prog(a->prog, path, sizeof(path))) {
		fprintf(stderr, "iouops: no program named '%s' (looked in the "
			"progs/ folder next to iouops and $IOUOPS_PROGS_DIR)\n",
			a->prog);
		return IOUOPS_EXIT_NOFILE;
	}
	/* From here on a signal must not kill us with a half-made ring:
	 * before the loop runs it only aborts the start-up. */
	err = install_signals();
	if (err) {
		fprintf(stderr, "iouops: sigaction: %s\n", strerror(-err));
		return IOUOPS_EXIT_FAIL;
	}
	err = iou_prog_open(path, &a->opts, &p);
	if (err) {
		fprintf(stderr, "iouops: %s: %s\n", path, open_error_text(err));
		return open_exit_status(err);
	}
	for (i = 0; i < a->nr_sets; i++) {
		err = iou_prog_set(p, a->set_names[i], a->set_values[i]);
		if (err) {
			fprintf(stderr, "iouops: --set %s=%s: %s\n",
				a->set_names[i], a->set_values[i],
				err == -ENOENT ? "the program has no such global" :
				err == -EINVAL ? "not a number, a known @field, or too big for the variable" :
				strerror(-err));
			status = IOUOPS_EXIT_BADSET;
			goto out;
		}
	}
	for (i = 0; i < a->nr_files; i++) {
		err = iou_prog_set_file(p, a->files[i].name, a->files[i].path,
					a->files[i].mode);
		if (err) {
			status = file_status(a->files[i].name, a->files[i].path,
					     a->files[i].mode, err);
			goto out;
		}
	}
	err = iou_prog_load(p);
	if (err && signals_seen) {
		/* the verifier gives up on a pending signal: not a rejection */
		fprintf(stderr, "iouops: interrupted while loading %s\n", path);
		status = IOUOPS_EXIT_SIGNAL;
		goto out;
	}
	if (err) {
		status = load_exit_status(p, err, path);
		goto out;
	}
	running_prog = p;
	if (signals_seen) {
		fprintf(stderr, "iouops: interrupted before the program started\n");
		status = IOUOPS_EXIT_SIGNAL;
		goto out;
	}
	err = iou_prog_attach(p);
	if (err) {
		fprintf(stderr, "iouops: attaching %s to the ring failed: %s%s\n",
			iou_prog_name(p), strerror(-err),
			err == -EOPNOTSUPP ? " (the ring needs DEFER_TASKRUN and no SQPOLL/IOPOLL)" :
			err == -EBUSY ? " (the ring already has a program)" : "");
		status = IOUOPS_EXIT_ATTACH;
		goto out;
	}
	ctl = iou_prog_ctl(p);
	if (!iou_prog_listen_addr(p, path, sizeof(path)))
		printf("listening on %s\n", path);	/* the real port of :0 */
	if (a->verbose) {
		const struct iou_layout *l = iou_prog_layout(p);

		fprintf(stderr, "iouops: running %s from %s: ring fd %d, sq %u, "
			"cq %u, %s, shm %zu KiB\n", iou_prog_name(p), path,
			iou_prog_ring_fd(p), l->sq_entries, l->cq_entries,
			l->setup_flags & (1U << 20) ? "sq-rewind" : "sq-array",
			iou_prog_shm_size(p) / 1024);
	}
	if (a->stats_interval) {
		st.ctl = ctl;
		st.interval = a->stats_interval;
		stats_running = !pthread_create(&st.thread, NULL, stats_main, &st);
	}
	getrusage(RUSAGE_THREAD, &t.ru_start);
	t.run_start = now_ns();
	err = iou_prog_run(p);
	t.run_end = now_ns();
	getrusage(RUSAGE_THREAD, &t.ru_end);
	if (stats_running) {
		st.done = true;
		pthread_join(st.thread, NULL);
	}
	iou_prog_detach(p);
	t.detach_end = now_ns();
	if (err) {
		status = run_status(err);
		print_counters(stdout, ctl);
		goto out;
	}
	status = report_exit(ctl, (double)(t.run_end - t.run_start) / 1e9);
	if (a->timing)
		print_timing(p, ctl, &t);
out:
	running_prog = NULL;
	iou_prog_close(p);
	fflush(stdout);
	return status;
}

static int cmd_probe(void)
{
	char why[256];

	if (iou_probe_kernel(why, sizeof(why))) {
		fprintf(stderr, "iouops: %s\n", why);
		return IOUOPS_EXIT_NOKERNEL;
	}
	printf("io_uring BPF ops: yes (struct io_uring_bpf_ops, "
	       "bpf_io_uring_submit_sqes, bpf_io_uring_get_region, "
	       "DEFER_TASKRUN rings)\n");
	return IOUOPS_EXIT_OK;
}

static int parse_uint(const char *opt, const char *s, unsigned *out);

/* Another process's counters, read from its shared region: no syscall
 * reaches the program, so the server keeps running undisturbed. */
static int cmd_stat(int argc, char **argv)
{
	unsigned interval = 0, count = 1, i;
	volatile struct iou_ctl *ctl;
	size_t size;
	char *end;
	long pid;
	int err;

	if (argc < 2 || argc > 4) {
		fprintf(stderr, "iouops: usage: iouops stat PID [SECS [N]]\n");
		return IOUOPS_EXIT_USAGE;
	}
	errno = 0;
	pid = strtol(argv[1], &end, 10);
	if (errno || *end || pid <= 0 || pid > INT_MAX ||
	    (argc > 2 && parse_uint("stat SECS", argv[2], &interval)) ||
	    (argc > 3 && parse_uint("stat N", argv[3], &count))) {
		fprintf(stderr, "iouops: stat: '%s' is not a process id\n",
			argv[1]);
		return IOUOPS_EXIT_USAGE;
	}
	if (argc == 3)
		count = 0;	/* SECS alone: until the process goes away */
	err = iou_shm_open_pid((int)pid, &ctl, &size);
	if (err) {
		fprintf(stderr, "iouops: stat %ld: %s\n", pid,
			err == -ESRCH ? "no such process" :
			err == -ENOENT ? "no iouops shared region in that process" :
			err == -EPROTO ? "shared region without the iouops magic" :
			strerror(-err));
		return IOUOPS_EXIT_NOPROC;
	}
	for (i = 0; !count || i < count; i++) {
		if (i) {
			struct timespec ts = { interval, 0 };

			nanosleep(&ts, NULL);
			if (kill((pid_t)pid, 0) && errno == ESRCH)
				break;
		}
		printf("pid %ld: %s, steps %llu\n", pid,
		       ctl->exit.kind ? iou_exit_kind_str(ctl->exit.kind) :
		       ctl->running ? "running" : "not started",
		       (unsigned long long)ctl->steps);
		print_counters(stdout, ctl);
		fflush(stdout);
		if (!interval)
			break;
	}
	iou_shm_close(ctl, size);
	return IOUOPS_EXIT_OK;
}

static int parse_uint(const char *opt, const char *s, unsigned *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || *end || !*s || v > UINT_MAX || s[0] == '-') {
		fprintf(stderr, "iouops: %s: '%s' is not a number\n", opt, s);
		return -EINVAL;
	}
	*out = (unsigned)v;
	return 0;
}

enum { OPT_SET = 256, OPT_SQ, OPT_CQ, OPT_SHM, OPT_REWIND, OPT_SQARRAY,
       OPT_NODEFER, OPT_STATS, OPT_TIMING, OPT_LISTEN, OPT_ROOT, OPT_IN, OPT_OUT, OPT_SRC, OPT_DST };

/* --in NAME=PATH, --out NAME=PATH, --src PATH, --dst PATH */
static int add_file(struct load_args *a, int opt, char *arg)
{
	const char *name = opt == OPT_SRC ? "src_fd" :
			   opt == OPT_DST ? "dst_fd" : NULL;
	char *eq;

	if (!name) {
		eq = strchr(arg, '=');
		if (!eq || eq == arg || !eq[1]) {
			fprintf(stderr, "iouops: %s %s: expected NAME=PATH\n",
				opt == OPT_IN ? "--in" : "--out", arg);
			return IOUOPS_EXIT_USAGE;
		}
		*eq = '\0';
		name = arg;
		arg = eq + 1;
	}
	if (a->nr_files == MAX_SETS) {
		fprintf(stderr, "iouops: too many files\n");
		return IOUOPS_EXIT_USAGE;
	}
	a->files[a->nr_files].name = name;
	a->files[a->nr_files].path = arg;
	a->files[a->nr_files++].mode = opt == OPT_IN || opt == OPT_SRC ?
				       IOU_FILE_IN : IOU_FILE_OUT;
	return 0;
}

static int parse_load(int argc, char **argv, struct load_args *a)
{
	static const struct option longopts[] = {
		{ "set", required_argument, NULL, OPT_SET },
		{ "sq-entries", required_argument, NULL, OPT_SQ },
		{ "cq-entries", required_argument, NULL, OPT_CQ },
		{ "shm-size", required_argument, NULL, OPT_SHM },
		{ "sq-rewind", no_argument, NULL, OPT_REWIND },
		{ "sq-array", no_argument, NULL, OPT_SQARRAY },
		{ "no-defer-taskrun", no_argument, NULL, OPT_NODEFER },
		{ "stats", required_argument, NULL, OPT_STATS },
		{ "timing", no_argument, NULL, OPT_TIMING },
		{ "listen", required_argument, NULL, OPT_LISTEN },
		{ "root", required_argument, NULL, OPT_ROOT },
		{ "in", required_argument, NULL, OPT_IN },
		{ "out", required_argument, NULL, OPT_OUT },
		{ "src", required_argument, NULL, OPT_SRC },
		{ "dst", required_argument, NULL, OPT_DST },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	unsigned long long size;
	char *eq;
	int c, status;

	a->opts.sq_rewind = -1;
	optind = 1;
	opterr = 0;	/* one line of our own instead of getopt's */
	while ((c = getopt_long(argc, argv, "vh", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_SET:
			eq = strchr(optarg, '=');
			if (!eq || eq == optarg || a->nr_sets == MAX_SETS) {
				fprintf(stderr, "iouops: --set %s: expected NAME=VALUE\n",
					optarg);
				return IOUOPS_EXIT_BADSET;
			}
			*eq = '\0';
			a->set_names[a->nr_sets] = optarg;
			a->set_values[a->nr_sets++] = eq + 1;
			break;
		case OPT_SQ:
			if (parse_uint("--sq-entries", optarg, &a->opts.sq_entries))
				return IOUOPS_EXIT_USAGE;
			break;
		case OPT_CQ:
			if (parse_uint("--cq-entries", optarg, &a->opts.cq_entries))
				return IOUOPS_EXIT_USAGE;
			break;
		case OPT_SHM:
			if (iou_parse_size(optarg, &size) || !size ||
			    size > UINT32_MAX) {
				fprintf(stderr, "iouops: --shm-size: '%s' is not a "
					"size from 1 to 4g\n", optarg);
				return IOUOPS_EXIT_USAGE;
			}
			a->opts.shm_size = (size_t)size;
			break;
		case OPT_REWIND:
			a->opts.sq_rewind = 1;
			break;
		case OPT_SQARRAY:
			a->opts.sq_rewind = 0;
			break;
		case OPT_NODEFER:
			a->opts.no_defer_taskrun = true;
			break;
		case OPT_STATS:
			if (parse_uint("--stats", optarg, &a->stats_interval))
				return IOUOPS_EXIT_USAGE;
			break;
		case OPT_TIMING:
			a->timing = true;
			break;
		case OPT_IN: case OPT_OUT: case OPT_SRC: case OPT_DST:
			status = add_file(a, c, optarg);
			if (status)
				return status;
			break;
		case OPT_LISTEN:
			a->opts.listen = optarg;
			break;
		case OPT_ROOT:
			a->opts.root = optarg;
			break;
		case 'v':
			a->verbose = true;
			a->opts.log = log_to_stderr;
			break;
		case 'h':
			usage(stdout);
			exit(IOUOPS_EXIT_OK);
		default:
			fprintf(stderr, "iouops: load: bad or incomplete option "
				"'%s' (see 'iouops --help')\n", argv[optind - 1]);
			return IOUOPS_EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "iouops: load takes exactly one program "
			"(see 'iouops --help')\n");
		return IOUOPS_EXIT_USAGE;
	}
	a->prog = argv[optind];
	return 0;
}

int main(int argc, char **argv)
{
	struct load_args a;
	int status;

	main_start_ns = now_ns();
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2) {
		usage(stderr);
		return IOUOPS_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		usage(stdout);
		return IOUOPS_EXIT_OK;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("iouops %s\n", IOUOPS_VERSION);
		return IOUOPS_EXIT_OK;
	}
	if (!strcmp(argv[1], "probe") && argc == 2)
		return cmd_probe();
	if (!strcmp(argv[1], "stat"))
		return cmd_stat(argc - 1, argv + 1);
	if (!strcmp(argv[1], "load")) {
		memset(&a, 0, sizeof(a));
		status = parse_load(argc - 1, argv + 1, &a);
		if (status)
			return status;
		return cmd_load(&a);
	}
	status = iouops_dev_command(argc - 1, argv + 1);
	if (status >= 0)
		return status;
	fprintf(stderr, "iouops: unknown command '%s' (see 'iouops --help')\n",
		argv[1]);
	return IOUOPS_EXIT_USAGE;
}
