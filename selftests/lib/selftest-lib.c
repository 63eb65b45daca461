// SPDX-License-Identifier: GPL-2.0
/* Helpers for selftests: reporting, paths, library glue, commands. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "selftest.h"
#include "selftest-internal.h"

static struct st_shared *shared;
static double deadline;			/* 0: unknown */
static struct st_cmd *last_cmd;	/* context for failed assertions */
static struct iou_prog *watched;
static atomic_uint failures;		/* failed checks (mbox clients are threads) */

void st_child_init(struct st_shared *sh, double dl)
{
	shared = sh;
	deadline = dl;
}

double st_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void st_sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

double st_time_left(void)
{
	return deadline ? deadline - st_now() : 1e9;
}

bool st_wait_until(bool (*cond)(void *arg), void *arg, int timeout_ms)
{
	double end = timeout_ms >= 0 ? st_now() + timeout_ms / 1000.0 :
		     deadline ? deadline - 2.0 : st_now() + 3600;

	while (!cond(arg)) {
		if (st_now() >= end)
			return false;
		st_sleep_ms(10);
	}
	return true;
}

/* ---- reporting ---- */

void st_diag(const char *fmt, ...)
{
	char buf[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	st_diag_text("", buf, 0);
}

void st_diag_text(const char *prefix, const char *text, int max_lines)
{
	const char *p = text ? text : "";
	int lines = st_count_lines(p);

	if (max_lines > 0 && lines > max_lines) {
		printf("# %s[... %d earlier lines]\n", prefix,
		       lines - max_lines);
		for (int skip = lines - max_lines; skip > 0; skip--)
			p = strchr(p, '\n') + 1;
	}
	while (*p) {
		const char *nl = strchr(p, '\n');
		int len = nl ? (int)(nl - p) : (int)strlen(p);

		printf("# %s%.*s\n", prefix, len, p);
		p += len + (nl ? 1 : 0);
	}
	fflush(stdout);
}

int st_skip(const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	/* One line: TAP puts the reason after "# SKIP". */
	for (char *s = buf; *s; s++)
		if (*s == '\n')
			*s = ' ';
	if (shared)
		snprintf(shared->skip_reason, sizeof(shared->skip_reason),
			 "%s", buf);
	else
		st_diag("SKIP %s", buf);
	return KSFT_SKIP;
}

const char *st_errstr(long long v)
{
	static char bufs[4][96];
	static int n;
	char *b = bufs[n++ & 3];

	if (v < 0 && v > -4096)
		snprintf(b, sizeof(bufs[0]), " (-%s: %s)",
			 strerrorname_np((int)-v) ? strerrorname_np((int)-v)
						  : "?",
			 strerror((int)-v));
	else
		b[0] = '\0';
	return b;
}

static void copy_volatile(char *dst, const volatile char *src, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len && src[i]; i++)
		dst[i] = src[i];
	dst[i] = '\0';
}

void st_diag_ctl(volatile struct iou_ctl *ctl)
{
	char line[IOU_REPORT_LEN];

	if (!ctl) {
		st_diag("no control block");
		return;
	}
	iou_exit_format(ctl, line, sizeof(line));
	st_diag("%s, steps=%llu, running=%u", line,
		 (unsigned long long)ctl->steps, ctl->running);
	if (iou_counters_format(ctl, line, sizeof(line)) <= 0)
		snprintf(line, sizeof(line), "none");
	st_diag("counters: %s", line);
}

static void diag_prog(struct iou_prog *p)
{
	const char *log = iou_prog_verifier_log(p);

	st_diag("program %s: error stage %d", iou_prog_name(p),
		(int)iou_prog_error_stage(p));
	st_diag_ctl(iou_prog_ctl(p));
	if (log && *log)
		st_diag_text("verifier: ", log, 30);
}

void st_assert_failed(const char *file, int line, const char *fmt, ...)
{
	char buf[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	failures++;
	printf("# %s:%d: %s\n", file, line, buf);
	if (last_cmd)
		st_cmd_diag(last_cmd);
	if (watched)
		diag_prog(watched);
	fflush(stdout);
}

unsigned int st_failures(void)
{
	return failures;
}

/* ---- environment ---- */

const char *st_build_dir(void)
{
	static char dir[PATH_MAX];
	char *slash;
	ssize_t n;

	if (dir[0])
		return dir;
	n = readlink("/proc/self/exe", dir, sizeof(dir) - 1);
	if (n <= 0) {
		snprintf(dir, sizeof(dir), "build");
		return dir;
	}
	dir[n] = '\0';
	/* BUILD/selftests/runner -> BUILD */
	for (int i = 0; i < 2; i++) {
		slash = strrchr(dir, '/');
		if (slash && slash != dir)
			*slash = '\0';
	}
	return dir;
}

const char *st_build_path(const char *rel)
{
	char *s;

	if (asprintf(&s, "%s/%s", st_build_dir(), rel) < 0)
		abort();
	return s;	/* lives as long as the test process */
}

const char *st_tree_path(const char *rel)
{
	const char *path = st_build_path("../");
	char *s;

	if (asprintf(&s, "%s%s", path, rel) < 0)
		abort();
	if (!access(s, F_OK))
		return s;	/* lives as long as the test process */
	free(s);
	return access(rel, F_OK) ? NULL : rel;
}

char *st_read_file(const char *path)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = fopen(path, "re");

	if (!f)
		return NULL;
	if (getdelim(&buf, &len, '\0', f) < 0) {	/* empty, or an error */
		free(buf);
		buf = ferror(f) ? NULL : strdup("");
	}
	fclose(f);
	return buf;
}

const char *st_cli(void)
{
	static const char *cli;

	if (!cli)
		cli = st_build_path("iouops");
	return cli;
}

int st_require_feature(void)
{
	char why[256] = "";
	int err = iou_probe_kernel(why, sizeof(why));

	if (err)
		return st_skip("%s", why[0] ? why : strerror(-err));
	if (geteuid() != 0)
		return st_skip("needs root to load BPF programs");
	return 0;
}

/* ---- library helpers ---- */

static void test_log(enum iou_log_level level, const char *msg, void *cookie)
{
	static const char *const names[] = { "warn", "info", "debug" };
	char prefix[16];

	(void)cookie;
	if (level == IOU_LOG_DEBUG && !getenv("IOU_TEST_DEBUG"))
		return;
	snprintf(prefix, sizeof(prefix), "lib %s: ",
		 (unsigned)level < 3 ? names[level] : "?");
	st_diag_text(prefix, msg, 0);
}

void st_opts(struct iou_opts *opts)
{
	memset(opts, 0, sizeof(*opts));
	opts->sq_rewind = -1;
	opts->log = test_log;
}

void st_watch_prog(struct iou_prog *p)
{
	watched = p;
}

int st_ctl_counter(volatile struct iou_ctl *ctl, const char *name,
		   uint64_t *val)
{
	char n[IOU_COUNTER_NAME_LEN + 1];

	for (int i = 0; ctl && i < IOU_NR_COUNTERS; i++) {
		copy_volatile(n, ctl->counters[i].name, sizeof(n));
		if (n[0] && !strcmp(n, name)) {
			*val = ctl->counters[i].value;
			return 0;
		}
	}
	return -ENOENT;
}

uint64_t st_counter_or_max(volatile struct iou_ctl *ctl, const char *name)
{
	uint64_t v;

	if (st_ctl_counter(ctl, name, &v)) {
		st_diag("no counter named \"%s\"", name);
		return UINT64_MAX;
	}
	return v;
}

int st_open_prog(struct iou_prog **p, const struct iou_opts *opts,
		 const char *path_rel, ...)
{
	const char *path = st_build_path(path_rel), *name, *value;
	struct iou_opts def;
	va_list ap;
	int err;

	if (!opts) {
		st_opts(&def);
		opts = &def;
	}
	*p = NULL;
	err = iou_prog_open(path, opts, p);
	if (err) {
		st_diag("iou_prog_open(%s): %d%s", path, err, st_errstr(err));
		return err;
	}
	st_watch_prog(*p);
	va_start(ap, path_rel);
	while (!err && (name = va_arg(ap, const char *))) {
		value = va_arg(ap, const char *);
		err = iou_prog_set(*p, name, value);
		if (err)
			st_diag("iou_prog_set(%s=%s): %d%s", name, value, err,
				st_errstr(err));
	}
	va_end(ap);
	return err;
}

/* ---- commands ---- */

static void append(char **buf, size_t *len, const char *data, size_t n)
{
	char *nb = realloc(*buf, *len + n + 1);

	if (!nb)
		abort();
	memcpy(nb + *len, data, n);
	*len += n;
	nb[*len] = '\0';
	*buf = nb;
}

int st_cmd_start(struct st_cmd *c, st_pre_exec_fn fn, void *arg,
		 char *const argv[])
{
	int out[2], err[2], rep[2], e = 0;
	char *cmdline = NULL;
	size_t cl_len = 0;
	ssize_t n;
	pid_t pid;

	memset(c, 0, sizeof(*c));
	c->out_fd = c->err_fd = -1;
	c->status = -1;
	c->out = calloc(1, 1);
	c->err = calloc(1, 1);
	for (int i = 0; argv[i]; i++) {
		if (i)
			append(&cmdline, &cl_len, " ", 1);
		append(&cmdline, &cl_len, argv[i], strlen(argv[i]));
	}
	c->cmdline = cmdline;
	if (!c->out || !c->err || !cmdline)
		return -ENOMEM;
	if (pipe2(out, O_CLOEXEC))
		return -errno;
	if (pipe2(err, O_CLOEXEC)) {
		e = -errno;
		close(out[0]);
		close(out[1]);
		return e;
	}
	/* Reports a pre-exec or exec failure; closes on a good exec. */
	if (pipe2(rep, O_CLOEXEC)) {
		e = -errno;
		close(out[0]);
		close(out[1]);
		close(err[0]);
		close(err[1]);
		return e;
	}
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		e = -errno;
		close(out[0]);
		close(out[1]);
		close(err[0]);
		close(err[1]);
		close(rep[0]);
		close(rep[1]);
		return e;
	}
	if (pid == 0) {
		sigset_t none;
		int null = open("/dev/null", O_RDONLY | O_CLOEXEC);

		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGPIPE, SIG_DFL);
		signal(SIGCHLD, SIG_DFL);
		if (null >= 0)
			dup2(null, 0);
		dup2(out[1], 1);
		dup2(err[1], 2);
		if (fn)
			e = fn(arg);
		if (!e) {
			execvp(argv[0], argv);
			e = -errno;
		}
		if (write(rep[1], &e, sizeof(e)) < 0)
			_exit(126);
		_exit(127);
	}
	close(out[1]);
	close(err[1]);
	close(rep[1]);
	do
		n = read(rep[0], &e, sizeof(e));
	while (n < 0 && errno == EINTR);
	close(rep[0]);
	if (n == (ssize_t)sizeof(e)) {
		waitpid(pid, NULL, 0);
		close(out[0]);
		close(err[0]);
		st_diag("cannot run %s: %s", argv[0], strerror(-e));
		return e ? e : -EIO;
	}
	fcntl(out[0], F_SETFL, O_NONBLOCK);
	fcntl(err[0], F_SETFL, O_NONBLOCK);
	c->pid = pid;
	c->out_fd = out[0];
	c->err_fd = err[0];
	c->start = st_now();
	last_cmd = c;
	return 0;
}

static void drain(int *fd, char **buf, size_t *len)
{
	char tmp[4096];
	ssize_t n;

	while (*fd >= 0) {
		n = read(*fd, tmp, sizeof(tmp));
		if (n > 0) {
			append(buf, len, tmp, (size_t)n);
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		close(*fd);	/* EOF or error */
		*fd = -1;
	}
}

static void reap(struct st_cmd *c, int flags)
{
	int st;
	pid_t r;

	if (!c->pid)
		return;
	do
		r = waitpid(c->pid, &st, flags);
	while (r < 0 && errno == EINTR);
	if (r != c->pid)
		return;
	c->pid = 0;
	c->end = st_now();
	if (WIFSIGNALED(st)) {
		c->signo = WTERMSIG(st);
		c->status = 128 + c->signo;
	} else {
		c->status = WEXITSTATUS(st);
	}
}

int st_cmd_pump(struct st_cmd *c, int timeout_ms)
{
	struct pollfd pfd[2];
	int n = 0;

	if (c->out_fd >= 0)
		pfd[n++] = (struct pollfd){ .fd = c->out_fd, .events = POLLIN };
	if (c->err_fd >= 0)
		pfd[n++] = (struct pollfd){ .fd = c->err_fd, .events = POLLIN };
	if (n) {
		if (poll(pfd, (nfds_t)n, timeout_ms) > 0) {
			drain(&c->out_fd, &c->out, &c->out_len);
			drain(&c->err_fd, &c->err, &c->err_len);
		}
	} else if (c->pid && timeout_ms) {
		st_sleep_ms(timeout_ms < 10 ? (unsigned)timeout_ms : 10);
	}
	reap(c, WNOHANG);
	return !c->pid;
}

int st_cmd_wait(struct st_cmd *c, int timeout_ms)
{
	double end;

	if (timeout_ms >= 0)
		end = st_now() + timeout_ms / 1000.0;
	else if (deadline)
		end = deadline - 2.0;	/* keep time to report it */
	else
		end = st_now() + 3600;
	for (;;) {
		double left = end - st_now();

		st_cmd_pump(c, left <= 0 ? 0 : left > 0.1 ? 100 :
			    (int)(left * 1000) + 1);
		if (!c->pid && c->out_fd < 0 && c->err_fd < 0)
			return 0;
		if (st_now() >= end)
			return -ETIMEDOUT;
	}
}

void st_cmd_kill(struct st_cmd *c)
{
	if (c->pid) {
		kill(c->pid, SIGKILL);
		reap(c, 0);
	}
	drain(&c->out_fd, &c->out, &c->out_len);
	drain(&c->err_fd, &c->err, &c->err_len);
	if (c->out_fd >= 0)
		close(c->out_fd);
	if (c->err_fd >= 0)
		close(c->err_fd);
	c->out_fd = c->err_fd = -1;
}

bool st_cmd_has(const struct st_cmd *c, const char *needle)
{
	return (c->out && strstr(c->out, needle)) ||
	       (c->err && strstr(c->err, needle));
}

int st_count_lines(const char *s)
{
	int n = 0;

	for (; s && *s; s++)
		if (*s == '\n' || !s[1])
			n++;
	return n;
}

void st_cmd_diag(const struct st_cmd *c)
{
	if (c->pid)
		st_diag("$ %s  (still running, %.1f s)", c->cmdline,
			st_now() - c->start);
	else
		st_diag("$ %s  -> exit %d%s (%.1f s)", c->cmdline, c->status,
			c->signo ? " (killed by a signal)" : "",
			c->end - c->start);
	st_diag_text("stdout: ", c->out, 40);
	st_diag_text("stderr: ", c->err, 40);
}

static int run_argv(struct st_cmd *c, st_pre_exec_fn fn, void *arg,
		    char **argv)
{
	int err = st_cmd_start(c, fn, arg, argv);

	if (err)
		return err;
	err = st_cmd_wait(c, -1);
	if (err) {
		st_diag("%s: still running near the test's deadline, killed",
			c->cmdline);
		st_cmd_kill(c);
		return err;
	}
	return c->status;
}

/* argv from FIRST and the NULL-terminated rest of AP. */
static char **collect_argv(const char *first, va_list ap)
{
	char **argv = calloc(64, sizeof(*argv));
	const char *s;
	int n = 0;

	if (!argv)
		abort();
	argv[n++] = (char *)first;
	while ((s = va_arg(ap, const char *)) && n < 63)
		argv[n++] = (char *)s;
	return argv;
}

int st_run(struct st_cmd *c, st_pre_exec_fn fn, void *arg,
	   const char *file, ...)
{
	va_list ap;
	char **argv;
	int ret;

	va_start(ap, file);
	argv = collect_argv(file, ap);
	va_end(ap);
	ret = run_argv(c, fn, arg, argv);
	free(argv);
	return ret;
}

int st_run_cli(struct st_cmd *c, st_pre_exec_fn fn, void *arg, ...)
{
	va_list ap;
	char **argv;
	int ret;

	va_start(ap, arg);
	argv = collect_argv(st_cli(), ap);
	va_end(ap);
	ret = run_argv(c, fn, arg, argv);
	free(argv);
	return ret;
}

/* Run bpftool ARGS and count output lines for which MATCH is true. */
static int bpftool_count(const char *what, const char *obj,
			 bool (*match)(const char *line))
{
	struct st_cmd *saved = last_cmd, c;
	int ret, n = 0;
	char *line, *save = NULL;

	ret = st_run(&c, NULL, NULL, "bpftool", obj, "list", NULL);
	last_cmd = saved;	/* keep the test's own command as context */
	if (ret != 0) {
		st_diag("bpftool %s list (%s): %s", obj, what,
			ret < 0 ? strerror(-ret) : "failed");
		if (ret > 0)
			st_cmd_diag(&c);
		return ret < 0 ? ret : -EIO;
	}
	for (line = strtok_r(c.out, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		if (match(line))
			n++;
	return n;
}

/* "12: struct_ops  map_id 5 ..." */
static bool is_struct_ops_link(const char *line)
{
	char type[32];
	unsigned id;

	return sscanf(line, "%u: %31s", &id, type) == 2 &&
	       !strcmp(type, "struct_ops");
}

/* "34: nops_ops        io_uring_bpf_ops" */
static bool is_io_uring_ops_map(const char *line)
{
	unsigned id;

	return sscanf(line, "%u:", &id) == 1 &&
	       strstr(line, IOU_SYM_OPS_STRUCT);
}

int st_count_struct_ops_links(void)
{
	return bpftool_count("struct_ops links", "link", is_struct_ops_link);
}

int st_count_io_uring_ops_maps(void)
{
	return bpftool_count("io_uring_bpf_ops maps", "struct_ops",
			     is_io_uring_ops_map);
}

int st_server_start(struct st_cmd *c, char *const argv[], const char *host,
		    char *addr, size_t addr_len)
{
	double end = st_now() + 30;
	const char *l, *colon;
	int err;

	err = st_cmd_start(c, NULL, NULL, argv);
	if (err)
		return err;
	while (st_now() < end) {
		l = c->out ? strstr(c->out, "listening on ") : NULL;
		if (l && strchr(l, '\n')) {
			colon = strrchr(l, ':');
			snprintf(addr, addr_len, "%s:%d", host,
				 colon ? atoi(colon + 1) : 0);
			return 0;
		}
		if (st_cmd_pump(c, 100)) {
			st_cmd_diag(c);
			return -ECHILD;
		}
	}
	st_cmd_diag(c);
	return -ETIMEDOUT;
}

uint64_t st_out_field(const char *text, const char *name)
{
	char key[48];
	const char *p, *last = NULL;

	snprintf(key, sizeof(key), "%s=", name);
	for (p = text; p && (p = strstr(p, key)); p++)
		if (p == text || p[-1] == ' ' || p[-1] == '\n')
			last = p;
	if (!last) {
		st_diag("no \"%s\" in the output", key);
		return UINT64_MAX;
	}
	return strtoull(last + strlen(key), NULL, 0);
}

int st_shm_fds_of(pid_t pid, int *fds, int max)
{
	static const char link[] = "/memfd:" IOU_SHM_MEMFD_NAME;
	char dir[64], path[320], target[128];
	struct dirent *de;
	int n = 0;
	DIR *d;

	snprintf(dir, sizeof(dir), "/proc/%d/fd", (int)pid);
	d = opendir(dir);
	if (!d)
		return -errno;
	while (n < max && (de = readdir(d))) {
		ssize_t len;

		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		len = readlink(path, target, sizeof(target) - 1);
		if (len <= 0)
			continue;
		target[len] = '\0';
		if (!strncmp(target, link, strlen(link)))
			fds[n++] = atoi(de->d_name);
	}
	closedir(d);
	return n ? n : -ENOENT;
}

int st_shm_fd_of(pid_t pid)
{
	int fd, n = st_shm_fds_of(pid, &fd, 1);

	return n < 0 ? n : fd;
}
