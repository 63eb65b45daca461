// SPDX-License-Identifier: GPL-2.0
/*
 * hostile.c - helpers of the chaos, scribble, privilege and soak tests
 * (hostile.h).
 */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <regex.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hostile.h"
#include "mbox.h"

const char *const hostile_prog_names[HOSTILE_NR_PROGS] = {
	"nops", "echo", "udp_echo", "cp", "mbox", "nops x2", "echo x2",
};

unsigned hostile_prog_shards(enum hostile_prog prog)
{
	return prog == HOSTILE_NOPS_SHARDS || prog == HOSTILE_ECHO_SHARDS ? 2 : 0;
}

/* The program a run loads, and whether it is the echo server. */
static const char *prog_file(enum hostile_prog prog)
{
	return prog == HOSTILE_NOPS_SHARDS ? "nops" :
	       prog == HOSTILE_ECHO_SHARDS ? "echo" : hostile_prog_names[prog];
}

static bool is_echo(enum hostile_prog prog)
{
	return prog == HOSTILE_ECHO || prog == HOSTILE_ECHO_SHARDS;
}

#define CP_SIZE		(16ULL << 20)

static uint64_t rng_state;

uint64_t hostile_seed(void)
{
	static uint64_t seed;
	const char *s;

	if (!seed) {
		s = getenv("IOU_HOSTILE_SEED");
		seed = s && *s ? strtoull(s, NULL, 0) : (uint64_t)time(NULL);
		if (!seed)
			seed = 1;
		rng_state = seed;
		st_diag("seed %llu (IOU_HOSTILE_SEED to replay)",
			(unsigned long long)seed);
	}
	return seed;
}

void hostile_rng_split(uint64_t salt)
{
	hostile_seed();
	rng_state ^= salt * 0xd1b54a32d192ed03ULL;
}

uint64_t hostile_rand(void)
{
	uint64_t x;

	hostile_seed();
	/* splitmix64 */
	x = (rng_state += 0x9e3779b97f4a7c15ULL);
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/* A port nobody listens on right now (bind :0, read it, close). */
static int free_port(int type)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0), port = -errno;

	if (fd < 0)
		return port;
	if (!bind(fd, (struct sockaddr *)&sa, sizeof(sa)) &&
	    !getsockname(fd, (struct sockaddr *)&sa, &len))
		port = ntohs(sa.sin_port);
	else
		port = -errno;
	close(fd);
	return port;
}

/* ---- the mbox client: another process, through /proc/PID/fd ---- */

int hostile_map_shm(pid_t pid, void **shm, size_t *size)
{
	int fd = st_shm_fd_of(pid);

	if (fd < 0)
		return fd;
	return iou_mbox_map(pid, fd, shm, size);
}

int hostile_map_all_shm(pid_t pid, void **shm, size_t *size, int max)
{
	int fds[8], nr, n = 0, err = -ENOENT;

	nr = st_shm_fds_of(pid, fds, max < 8 ? max : 8);
	for (int i = 0; i < nr; i++) {
		err = iou_mbox_map(pid, fds[i], &shm[n], &size[n]);
		if (!err)
			n++;
	}
	return n ? n : nr < 0 ? nr : err;
}

/* Post NOPs and short TIMEOUTs until the program goes away. */
static void mbox_client(pid_t server)
{
	struct iou_mbox *m = NULL;
	struct mbox_res res[16];
	size_t size = 0;
	void *shm = NULL;
	uint64_t id = 0;

	while (kill(server, 0) == 0) {
		if (!shm && hostile_map_shm(server, &shm, &size)) {
			usleep(20000);
			continue;
		}
		if (!m) {
			volatile struct mbox_region *mr =
				(void *)((char *)shm + IOU_CTL_SIZE);

			if (!mr->ready || iou_mbox_open(shm, size, &m)) {
				m = NULL;
				usleep(20000);
				continue;
			}
		}
		struct mbox_cmd c[8];

		for (int i = 0; i < 8; i++) {
			memset(&c[i], 0, sizeof(c[i]));
			c[i].id = ++id;
			c[i].op = i == 7 ? MBOX_TIMEOUT : MBOX_NOP;
			c[i].off = 1000000;	/* TIMEOUT: 1 ms */
		}
		if (iou_mbox_post(m, c, 8) < 0)
			break;
		if (iou_mbox_wait(m, res, 16, 200) == -ESHUTDOWN)
			break;
	}
	_exit(0);
}

/* ---- starting a program and its workload ---- */

static int start_prog(struct hostile_run *r, const struct hostile_fixture *h,
		      enum hostile_prog prog, uint64_t cp_size, const char *set)
{
	char listen[32], total[] = "total=1000000000";
	char *argv[14] = { (char *)st_cli(), "load", (char *)prog_file(prog) };
	int n = 3, err;

	memset(r, 0, sizeof(*r));
	r->prog = prog;
	r->cmd.pid = 0;
	if (hostile_prog_shards(prog)) {
		argv[n++] = "--shards";
		argv[n++] = "2";
	}
	switch (prog) {
	case HOSTILE_NOPS:
	case HOSTILE_NOPS_SHARDS:
		argv[n++] = "--set";
		argv[n++] = total;
		break;
	case HOSTILE_ECHO:
	case HOSTILE_ECHO_SHARDS:
	case HOSTILE_UDP_ECHO:
		r->port = free_port(is_echo(prog) ? SOCK_STREAM : SOCK_DGRAM);
		if (r->port < 0)
			return r->port;
		snprintf(listen, sizeof(listen), "127.0.0.1:%d", r->port);
		argv[n++] = "--listen";
		argv[n++] = listen;
		break;
	case HOSTILE_CP:
		if (!h || !h->dir[0])
			return -EINVAL;
		snprintf(r->src, sizeof(r->src), "%s/src", h->dir);
		snprintf(r->dst, sizeof(r->dst), "%s/dst", h->dir);
		r->src_size = cp_size;
		err = st_write_noise(r->src, r->src_size, hostile_rand());
		if (err)
			return err;
		argv[n++] = "--src";
		argv[n++] = r->src;
		argv[n++] = "--dst";
		argv[n++] = r->dst;
		break;
	case HOSTILE_MBOX:
	default:
		break;
	}
	if (set) {
		argv[n++] = "--set";
		argv[n++] = (char *)set;
	}
	argv[n] = NULL;
	err = st_cmd_start(&r->cmd, NULL, NULL, argv);
	if (err)
		return err;
	if (prog == HOSTILE_MBOX) {
		pid_t c = fork();

		if (c < 0)
			return -errno;
		if (!c)
			mbox_client(r->cmd.pid);
		r->client = c;
		r->client_started = true;
	}
	return 0;
}

int hostile_start(struct hostile_run *r, const struct hostile_fixture *h,
		  enum hostile_prog prog)
{
	return start_prog(r, h, prog, CP_SIZE, NULL);
}

int hostile_start_cp(struct hostile_run *r, const struct hostile_fixture *h,
		     uint64_t size)
{
	return start_prog(r, h, HOSTILE_CP, size, NULL);
}

int hostile_start_server(struct hostile_run *r, enum hostile_prog prog,
			 const char *set)
{
	double end = st_now() + 60;
	int err = start_prog(r, NULL, prog, 0, set);

	r->client_started = true;	/* the caller brings its own */
	while (!err && !strstr(r->cmd.out ? r->cmd.out : "", "listening on ")) {
		if (st_now() > end)
			err = -ETIMEDOUT;
		else if (st_cmd_pump(&r->cmd, 100))
			err = -ECHILD;
	}
	if (err)
		st_cmd_diag(&r->cmd);
	return err;
}

static void start_client(struct hostile_run *r)
{
	char addr[32], *echo[] = { (char *)st_build_path("samples/echo-client"),
		"-a", addr, "-c", "16", "-n", "1g", "-s", "16k", "-w", "4",
		"-q", "--timeout", "600", NULL };
	char *udp[] = { (char *)st_build_path("samples/udp-echo-client"), addr,
		"-c", "4", "-n", "1000000", NULL };
	char *const *argv = is_echo(r->prog) ? echo : udp;
	int null;
	pid_t c;

	r->client_started = true;
	snprintf(addr, sizeof(addr), "127.0.0.1:%d", r->port);
	c = fork();
	if (c < 0)
		return;
	if (!c) {
		null = open("/dev/null", O_RDWR | O_CLOEXEC);
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		execv(argv[0], argv);
		_exit(127);
	}
	r->client = c;
}

int hostile_pump(struct hostile_run *r, int ms)
{
	int done = st_cmd_pump(&r->cmd, ms);

	if (!done && !r->client_started &&
	    (is_echo(r->prog) || r->prog == HOSTILE_UDP_ECHO) &&
	    r->cmd.out && strstr(r->cmd.out, "listening on "))
		start_client(r);
	return done;
}

void hostile_cleanup(struct hostile_run *r)
{
	if (r->cmd.pid)
		st_cmd_kill(&r->cmd);
	if (r->client > 0) {
		kill(r->client, SIGKILL);
		waitpid(r->client, NULL, 0);
		r->client = 0;
	}
	if (r->src[0]) {
		unlink(r->src);
		unlink(r->dst);
		r->src[0] = '\0';
	}
}

/* ---- the fixture's part ---- */

int hostile_setup(struct hostile_fixture *h)
{
	ST_REQUIRE_FEATURE();
	ASSERT_OK(hostile_census(&h->base));
	hostile_kmsg_splats();	/* read the kernel log from here on */
	ASSERT_OK(st_mkdtemp(h->dir, sizeof(h->dir), "hostile"));
	h->ready = true;
	return KSFT_PASS;
}

int hostile_teardown(const struct hostile_fixture *h)
{
	const struct hostile_run no_port = { .port = 0 };

	ASSERT_OK(st_remove_tree(h->dir));
	if (h->ready)
		ASSERT_OK(hostile_check_clean(&h->base, &no_port));
	return KSFT_PASS;
}

bool hostile_prog_running(pid_t pid)
{
	volatile struct iou_ctl *ctl;
	size_t size;
	bool running;

	if (iou_shm_open_pid(pid, &ctl, &size))
		return false;
	running = ctl->running;
	iou_shm_close(ctl, size);
	return running;
}

int hostile_wait_running(struct hostile_run *r)
{
	double end = st_now() + 60;

	while (st_now() < end) {
		if (hostile_pump(r, 50))
			return -ECHILD;
		if (hostile_prog_running(r->cmd.pid))
			return 0;
	}
	return -ETIMEDOUT;
}

/* ---- what is left ---- */

static int count_struct_ops_progs(void)
{
	static struct st_cmd c;	/* a failed assertion may show it */
	const char *s;
	int n = 0;

	if (st_run(&c, NULL, NULL, "bpftool", "prog", "show", NULL) != 0)
		return -EIO;
	for (s = c.out; s && (s = strstr(s, ": struct_ops ")); s++)
		n++;
	return n;
}

/* io_uring fds held by any process but this one. */
static int count_rings(void)
{
	char path[600], target[64];
	struct dirent *p, *f;
	DIR *pd, *fd;
	int n = 0;

	pd = opendir("/proc");
	if (!pd)
		return -errno;
	while ((p = readdir(pd))) {
		if (p->d_name[0] < '1' || p->d_name[0] > '9' ||
		    atoi(p->d_name) == getpid())
			continue;
		snprintf(path, sizeof(path), "/proc/%s/fd", p->d_name);
		fd = opendir(path);
		if (!fd)
			continue;
		while ((f = readdir(fd))) {
			ssize_t len;

			snprintf(path, sizeof(path), "/proc/%s/fd/%s",
				 p->d_name, f->d_name);
			len = readlink(path, target, sizeof(target) - 1);
			if (len > 0) {
				target[len] = '\0';
				n += !strcmp(target, "anon_inode:[io_uring]");
			}
		}
		closedir(fd);
	}
	closedir(pd);
	return n;
}

int hostile_census(struct hostile_census *c)
{
	c->links = st_count_struct_ops_links();
	c->maps = st_count_io_uring_ops_maps();
	c->progs = count_struct_ops_progs();
	c->rings = count_rings();
	if (c->links < 0 || c->maps < 0 || c->progs < 0 || c->rings < 0)
		return -EIO;
	return 0;
}

/* Is something still bound to PORT (TCP listening, or UDP)? */
static bool port_taken(int port, bool tcp)
{
	const char *files[2] = { tcp ? "/proc/net/tcp" : "/proc/net/udp",
				 tcp ? "/proc/net/tcp6" : "/proc/net/udp6" };
	char line[512];
	bool taken = false;

	for (int i = 0; i < 2 && !taken; i++) {
		FILE *f = fopen(files[i], "re");

		if (!f)
			continue;
		while (!taken && fgets(line, sizeof(line), f)) {
			unsigned lport, state;
			char *colon = strchr(line, ':');

			/* "sl: local:port rem:port st ..." */
			colon = colon ? strchr(colon + 1, ':') : NULL;
			if (!colon || sscanf(colon + 1, "%x %*s %x", &lport,
					      &state) != 2)
				continue;
			taken = (int)lport == port &&
				(!tcp || state == 0x0A /* LISTEN */);
		}
		fclose(f);
	}
	return taken;
}

int hostile_check_clean(const struct hostile_census *base,
			const struct hostile_run *r)
{
	double end = st_now() + 10;
	struct hostile_census now;
	bool port = false;

	do {
		if (hostile_census(&now))
			return -EIO;
		port = r->port > 0 &&
		       port_taken(r->port, is_echo(r->prog));
		if (now.links <= base->links && now.maps <= base->maps &&
		    now.progs <= base->progs && now.rings <= base->rings &&
		    !port)
			return 0;
		st_sleep_ms(200);
	} while (st_now() < end);
	st_diag("left behind 10 s after exit: struct_ops links %d (before %d), "
		"io_uring_bpf_ops maps %d (%d), struct_ops progs %d (%d), "
		"io_uring fds %d (%d)%s", now.links, base->links, now.maps,
		base->maps, now.progs, base->progs, now.rings, base->rings,
		port ? ", port still bound" : "");
	return -EBUSY;
}

int hostile_check_cp(const struct hostile_run *r)
{
	static char a[1 << 16], b[1 << 16];
	int fa, fb, err = 0;
	struct stat st;

	if (r->prog != HOSTILE_CP || !r->cmd.out ||
	    !strstr(r->cmd.out, "EXIT: done"))
		return 0;
	if (r->cmd.status != 0) {
		st_diag("cp: EXIT: done but exit status %d", r->cmd.status);
		return -EIO;
	}
	fa = open(r->src, O_RDONLY | O_CLOEXEC);
	fb = open(r->dst, O_RDONLY | O_CLOEXEC);
	if (fa < 0 || fb < 0 || fstat(fb, &st) ||
	    (uint64_t)st.st_size != r->src_size) {
		st_diag("cp: reported done, destination is not %llu bytes",
			(unsigned long long)r->src_size);
		err = -EIO;
		goto out;
	}
	for (;;) {
		ssize_t na = read(fa, a, sizeof(a)), nb = read(fb, b, sizeof(b));

		if (na != nb || na < 0 || memcmp(a, b, (size_t)na)) {
			st_diag("cp: reported done, destination differs");
			err = -EIO;
			break;
		}
		if (!na)
			break;
	}
out:
	if (fa >= 0)
		close(fa);
	if (fb >= 0)
		close(fb);
	return err;
}

/* ---- kernel log ---- */

static regex_t known[16];
static int nr_known = -1;

static void load_known(void)
{
	char path[PATH_MAX], line[1024];
	FILE *f;

	nr_known = 0;
	snprintf(path, sizeof(path), "%s/../scripts/known-kernel-issues",
		 st_build_dir());
	f = fopen(path, "re");
	if (!f)
		return;
	while (nr_known < 16 && fgets(line, sizeof(line), f)) {
		char *tab = strchr(line, '\t');

		if (line[0] == '#' || !tab)
			continue;
		*tab = '\0';
		if (!regcomp(&known[nr_known], line, REG_EXTENDED | REG_NOSUB))
			nr_known++;
	}
	fclose(f);
}

int hostile_kmsg_splats(void)
{
	static const char *const bad[] = { "WARNING:", "BUG:", "KASAN", "Oops",
		"UBSAN", "refcount_t:", "general protection", "RCU stall",
		"blocked for more than" };
	static int fd = -2;
	char rec[2048];
	int splats = 0;

	if (nr_known < 0)
		load_known();
	if (fd == -2) {
		fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
		if (fd >= 0)
			lseek(fd, 0, SEEK_END);
		return 0;
	}
	if (fd < 0)
		return 0;
	for (;;) {
		ssize_t n = read(fd, rec, sizeof(rec) - 1);
		const char *msg;
		bool is_known = false;

		if (n < 0 && errno == EPIPE)
			continue;	/* overwritten records: go on */
		if (n <= 0)
			break;
		rec[n] = '\0';
		msg = strchr(rec, ';');
		msg = msg ? msg + 1 : rec;
		for (int i = 0; i < nr_known; i++)
			is_known |= !regexec(&known[i], msg, 0, NULL, 0);
		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			if (strstr(msg, bad[i]) && !is_known) {
				st_diag("kernel: %.200s", msg);
				splats++;
				break;
			}
		}
	}
	return splats;
}

bool hostile_printable(const char *s)
{
	for (; s && *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if ((ch < 0x20 && ch != '\n' && ch != '\t') || ch >= 0x7f)
			return false;
	}
	return true;
}
