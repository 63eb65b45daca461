// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * costs: what a process costs the machine, counted rather than timed, for
 * make bench's hardware-independent columns (syscalls, context switches,
 * CPU time per operation).
 *
 *	costs [-s] -- COMMAND [ARGS...]		the costs of COMMAND itself
 *	costs [-s] -p PID -- COMMAND [ARGS...]	the costs of process PID while
 *						COMMAND runs (a server while
 *						its client runs)
 *
 * Prints one line on stderr once COMMAND has ended:
 *	costs: wall_s=S user_s=S sys_s=S cpu_ns=N vcsw=N ivcsw=N syscalls=N
 * user_s/sys_s: the process's own accounting (wait4's rusage, or
 * /proc/PID/stat in clock ticks with -p); cpu_ns: its scheduler runtime
 * (summed over threads; under QEMU -icount shift=0 one guest instruction
 * per ns); vcsw/ivcsw: voluntary and involuntary context switches;
 * syscalls: counted with the raw_syscalls:sys_enter tracepoint (-s only,
 * "-" when the tracepoint cannot be opened). -s slows every syscall of the
 * machine down while it counts: do not time a run that counts.
 *
 * Exit status: COMMAND's (127 when it cannot run, 128 + N when killed by
 * signal N), 2 usage.
 */
#include <dirent.h>
#include <errno.h>
#include <linux/perf_event.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_THREADS 256

struct sample {
	double user_s, sys_s;
	unsigned long long cpu_ns, vcsw, ivcsw;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long tracepoint_id(const char *event)
{
	static const char *const roots[] = {
		"/sys/kernel/tracing/events", "/sys/kernel/debug/tracing/events",
	};
	char path[256];
	long id = -1;

	for (size_t i = 0; i < sizeof(roots) / sizeof(roots[0]) && id < 0; i++) {
		FILE *f;

		snprintf(path, sizeof(path), "%s/%s/id", roots[i], event);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fscanf(f, "%ld", &id) != 1)
			id = -1;
		fclose(f);
	}
	return id;
}

/* A syscall counter on one task (inherit: its later threads and children
 * count too); -1 when the kernel will not give one. */
static int open_syscall_counter(pid_t tid, int enable_on_exec)
{
	struct perf_event_attr attr = {
		.type = PERF_TYPE_TRACEPOINT,
		.size = sizeof(attr),
		.inherit = 1,
		.disabled = !!enable_on_exec,
		.enable_on_exec = !!enable_on_exec,
	};
	long id = tracepoint_id("raw_syscalls/sys_enter");

	if (id < 0)
		return -1;
	attr.config = (uint64_t)id;
	return (int)syscall(SYS_perf_event_open, &attr, tid, -1, -1, 0);
}

static unsigned long long read_counters(const int *fds, int n)
{
	unsigned long long sum = 0, v;

	for (int i = 0; i < n; i++)
		if (fds[i] >= 0 && read(fds[i], &v, sizeof(v)) == sizeof(v))
			sum += v;
	return sum;
}

/* the first number after "key:" in a /proc status-like file */
static unsigned long long proc_field(const char *path, const char *key)
{
	char line[256];
	size_t len = strlen(key);
	unsigned long long v = 0;
	FILE *f = fopen(path, "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, len) && line[len] == ':') {
			v = strtoull(line + len + 1, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

/* Process PID so far, from /proc: CPU times of the whole thread group,
 * context switches and runtime summed over its live threads. */
static int sample_proc(pid_t pid, struct sample *s)
{
	char path[64], buf[1024], *p;
	unsigned long long utime, stime;
	long tck = sysconf(_SC_CLK_TCK);
	struct dirent *de;
	FILE *f;
	DIR *d;

	memset(s, 0, sizeof(*s));
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	p = fgets(buf, sizeof(buf), f);
	fclose(f);
	/* fields after the ")" that ends comm: state is field 3, utime 14 */
	if (!p || !(p = strrchr(buf, ')')) ||
	    sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
		   &utime, &stime) != 2)
		return -EIO;
	s->user_s = (double)utime / (double)tck;
	s->sys_s = (double)stime / (double)tck;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	d = opendir(path);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		unsigned long long run = 0;
		char tpath[300];

		if (de->d_name[0] == '.')
			continue;
		snprintf(tpath, sizeof(tpath), "/proc/%d/task/%s/status", (int)pid, de->d_name);
		s->vcsw += proc_field(tpath, "voluntary_ctxt_switches");
		s->ivcsw += proc_field(tpath, "nonvoluntary_ctxt_switches");
		snprintf(tpath, sizeof(tpath), "/proc/%d/task/%s/schedstat", (int)pid, de->d_name);
		f = fopen(tpath, "r");
		if (f) {
			if (fscanf(f, "%llu", &run) == 1)
				s->cpu_ns += run;
			fclose(f);
		}
	}
	closedir(d);
	return 0;
}

static int attach_threads(pid_t pid, int *fds)
{
	char path[64];
	struct dirent *de;
	int n = 0;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	d = opendir(path);
	if (!d)
		return 0;
	while ((de = readdir(d)) && n < MAX_THREADS)
		if (de->d_name[0] != '.')
			fds[n++] = open_syscall_counter(atoi(de->d_name), 0);
	closedir(d);
	return n;
}

static void usage(void)
{
	fprintf(stderr, "usage: costs [-s] [-p PID] -- COMMAND [ARGS...]\n");
}

int main(int argc, char **argv)
{
	int fds[MAX_THREADS], nfds = 0, go[2], ws, opt, count_syscalls = 0;
	unsigned long long syscalls = 0;
	struct sample before = {0}, after = {0};
	pid_t target = 0, child;
	struct rusage ru;
	double t0, t1;
	char c = 0;

	while ((opt = getopt(argc, argv, "+sp:")) != -1) {
		switch (opt) {
		case 's': count_syscalls = 1; break;
		case 'p':
			target = atoi(optarg);
			if (target <= 0) {
				fprintf(stderr, "costs: -p wants a process id, not '%s'\n", optarg);
				return 2;
			}
			break;
		default: usage(); return 2;
		}
	}
	if (optind >= argc || target < 0) {
		usage();
		return 2;
	}
	if (target && sample_proc(target, &before)) {
		fprintf(stderr, "costs: no process %d\n", (int)target);
		return 2;
	}
	if (target && count_syscalls)
		nfds = attach_threads(target, fds);

	/* the child waits for its counter before it execs */
	if (pipe(go)) {
		perror("costs: pipe");
		return 127;
	}
	t0 = now();
	child = fork();
	if (child < 0) {
		perror("costs: fork");
		return 127;
	}
	if (!child) {
		close(go[1]);
		if (read(go[0], &c, 1) < 0)
			_exit(127);
		close(go[0]);
		execvp(argv[optind], argv + optind);
		fprintf(stderr, "costs: %s: %s\n", argv[optind], strerror(errno));
		_exit(127);
	}
	close(go[0]);
	if (!target && count_syscalls)
		fds[nfds++] = open_syscall_counter(child, 1);
	if (write(go[1], &c, 1) < 0)
		perror("costs: write");
	close(go[1]);

	if (wait4(child, &ws, 0, &ru) < 0) {
		perror("costs: wait4");
		return 127;
	}
	t1 = now();
	if (target) {
		if (sample_proc(target, &after))
			fprintf(stderr, "costs: process %d ended early\n", (int)target);
	} else {
		after.user_s = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6;
		after.sys_s = (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
		after.vcsw = (unsigned long long)ru.ru_nvcsw;
		after.ivcsw = (unsigned long long)ru.ru_nivcsw;
		/* user + system is the scheduler's runtime, split by ticks */
		after.cpu_ns = (unsigned long long)((after.user_s + after.sys_s) * 1e9);
	}
	syscalls = read_counters(fds, nfds);
	fprintf(stderr, "costs: wall_s=%.6f user_s=%.6f sys_s=%.6f cpu_ns=%llu vcsw=%llu ivcsw=%llu syscalls=",
		t1 - t0, after.user_s - before.user_s, after.sys_s - before.sys_s,
		after.cpu_ns - before.cpu_ns, after.vcsw - before.vcsw,
		after.ivcsw - before.ivcsw);
	if (count_syscalls && nfds && fds[0] >= 0)
		fprintf(stderr, "%llu\n", syscalls);
	else
		fprintf(stderr, "-\n");
	return WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
}
