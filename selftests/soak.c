// SPDX-License-Identifier: GPL-2.0
/*
 * Soak: for IOU_SOAK_SECONDS (default 20; `make soak` 300), at once:
 *  - echo under 256 connections: random message sizes (1 B to 256 KiB),
 *    connections that reset (SO_LINGER 0), hang up, half-close, read
 *    slowly, and reconnect; every byte of a connection that is not cut
 *    is verified, and the server's totals must reconcile: bytes_in =
 *    bytes_out + bytes_dropped, no more in than sent, no less out than
 *    verified;
 *  - udp_echo under a mix of bursts and sweeps (udp-echo-client checks
 *    each reply);
 *  - mbox under random command streams (mbox-demo checks each result);
 *  - cp of random sizes in a loop, each copy compared;
 * the RSS of the two long-lived loaders sampled each second must stay
 * flat, and the kernel log must stay clean.
 */
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hostile.h"

#if defined(__SANITIZE_ADDRESS__)
#define SOAK_ASAN	1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SOAK_ASAN	1
#endif
#endif
#ifndef SOAK_ASAN
#define SOAK_ASAN	0
#endif

#define NR_CONNS	256
#define MAX_MSG		(256 * 1024)

/* What each worker did; in a shared mapping, read when they are done. */
struct soak_stats {
	uint64_t messages, bytes_sent, bytes_verified, conns, resets,
		 hangups, half_closes, slow, errors;
	uint64_t udp_runs, udp_dgrams, mbox_runs, mbox_cmds, cp_runs,
		 cp_bytes;
	char error[256];
};

enum conn_mode { M_FULL, M_RESET, M_HANGUP, M_HALF, M_SLOW };

struct soak_conn {
	int fd;
	uint64_t id;
	enum conn_mode mode;
	uint64_t total, sent, recvd, cut_at;	/* cut_at: reset/hangup point */
	uint64_t msg_left;
	double paused_until;
	bool shut;
};

/* Byte OFF of connection ID's stream. */
static inline uint8_t stream_byte(uint64_t id, uint64_t off)
{
	uint64_t x = (id * 0x9e3779b97f4a7c15ULL) ^ (off >> 3);

	x = (x ^ (x >> 31)) * 0xbf58476d1ce4e5b9ULL;
	return (uint8_t)(x >> (8 * (off & 7)));
}

static uint64_t msg_size(void)
{
	/* log-uniform 1 B .. 256 KiB */
	uint64_t top = 1ULL << hostile_below(19);

	return top + hostile_below(top);
}

static int conn_open(struct soak_conn *c, const struct sockaddr_in *sa,
		     uint64_t id, struct soak_stats *st)
{
	uint64_t msgs = 1 + hostile_below(4);

	memset(c, 0, sizeof(*c));
	c->id = id;
	c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		return -errno;
	if (connect(c->fd, (const struct sockaddr *)sa, sizeof(*sa)) &&
	    errno != EINPROGRESS)
		return -errno;
	for (uint64_t i = 0; i < msgs; i++)
		c->total += msg_size();
	c->msg_left = 0;
	switch (hostile_below(20)) {
	case 0: case 1: case 2: c->mode = M_RESET; st->resets++; break;
	case 3: case 4: c->mode = M_HANGUP; st->hangups++; break;
	case 5: case 6: case 7: c->mode = M_HALF; st->half_closes++; break;
	case 8: case 9: c->mode = M_SLOW; st->slow++; break;
	default: c->mode = M_FULL; break;
	}
	c->cut_at = hostile_below(c->total + 1);
	st->conns++;
	return 0;
}

static void fail(struct soak_stats *st, const char *fmt, unsigned long long a,
		 unsigned long long b, unsigned long long c)
{
	if (!st->errors++)
		snprintf(st->error, sizeof(st->error), fmt, a, b, c);
}

/* One connection's turn; 1 when it is finished (reopen the slot). */
static int conn_step(struct soak_conn *c, short revents,
		     struct soak_stats *st)
{
	static uint8_t buf[65536];
	ssize_t n;

	if (revents & (POLLERR | POLLNVAL) && c->mode != M_RESET &&
	    c->mode != M_HANGUP) {
		fail(st, "connection %llu: socket error after %llu of %llu "
		     "bytes", c->id, c->recvd, c->total);
		return 1;
	}
	if ((c->mode == M_RESET || c->mode == M_HANGUP) && c->sent >= c->cut_at) {
		if (c->mode == M_RESET) {
			struct linger l = { 1, 0 };

			setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
		}
		return 1;	/* closed by the caller: RST or FIN */
	}
	if (revents & POLLOUT && c->sent < c->total) {
		uint64_t want = c->total - c->sent;

		if (!c->msg_left)
			c->msg_left = msg_size();
		if (want > c->msg_left)
			want = c->msg_left;
		if (want > sizeof(buf))
			want = sizeof(buf);
		if ((c->mode == M_RESET || c->mode == M_HANGUP) &&
		    want > c->cut_at - c->sent)
			want = c->cut_at - c->sent;
		for (uint64_t i = 0; i < want; i++)
			buf[i] = stream_byte(c->id, c->sent + i);
		n = send(c->fd, buf, want, MSG_NOSIGNAL);
		if (n > 0) {
			c->sent += (uint64_t)n;
			st->bytes_sent += (uint64_t)n;
			c->msg_left -= (uint64_t)n;
			if (!c->msg_left)
				st->messages++;
		} else if (n < 0 && errno != EAGAIN) {
			fail(st, "connection %llu: send: errno %llu at %llu",
			     c->id, (uint64_t)errno, c->sent);
			return 1;
		}
	}
	if (c->sent == c->total && !c->shut) {
		shutdown(c->fd, SHUT_WR);
		c->shut = true;
	}
	if (c->mode == M_HALF && !c->shut && c->sent >= c->cut_at &&
	    hostile_below(4) == 0) {
		/* half-close early: what was sent still comes back */
		c->total = c->sent;
		shutdown(c->fd, SHUT_WR);
		c->shut = true;
	}
	if (c->mode == M_SLOW && !c->paused_until && c->sent >= c->cut_at)
		c->paused_until = st_now() + 0.3 + hostile_below(1500) / 1000.0;
	if (revents & (POLLIN | POLLHUP) && st_now() >= c->paused_until) {
		n = recv(c->fd, buf, sizeof(buf), 0);
		if (n > 0) {
			for (ssize_t i = 0; i < n; i++) {
				if (buf[i] != stream_byte(c->id, c->recvd + i)) {
					fail(st, "connection %llu: byte %llu of "
					     "%llu differs", c->id,
					     c->recvd + i, c->total);
					return 1;
				}
			}
			c->recvd += (uint64_t)n;
			st->bytes_verified += (uint64_t)n;
			if (c->recvd > c->sent)
				fail(st, "connection %llu: %llu bytes back, "
				     "%llu sent", c->id, c->recvd, c->sent);
		} else if (n == 0) {
			if (c->recvd != c->total)
				fail(st, "connection %llu: EOF after %llu of "
				     "%llu bytes", c->id, c->recvd, c->total);
			return 1;
		} else if (errno != EAGAIN) {
			fail(st, "connection %llu: recv errno %llu after %llu",
			     c->id, (uint64_t)errno, c->recvd);
			return 1;
		}
	}
	return 0;
}

static void echo_worker(int port, double end, struct soak_stats *st)
{
	static struct soak_conn conns[NR_CONNS];
	static struct pollfd pfd[NR_CONNS];
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons((uint16_t)port),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	uint64_t next_id = 1;

	for (int i = 0; i < NR_CONNS; i++)
		if (conn_open(&conns[i], &sa, next_id++, st))
			fail(st, "connect %llu failed%llu%llu", (uint64_t)i, 0, 0);
	while (st_now() < end && !st->errors) {
		double now = st_now();

		for (int i = 0; i < NR_CONNS; i++) {
			struct soak_conn *c = &conns[i];

			pfd[i].fd = c->fd;
			pfd[i].events = (c->sent < c->total ? POLLOUT : 0) |
					(now >= c->paused_until ? POLLIN : 0);
		}
		if (poll(pfd, NR_CONNS, 100) < 0)
			continue;
		for (int i = 0; i < NR_CONNS; i++) {
			if (!conn_step(&conns[i], pfd[i].revents, st))
				continue;
			close(conns[i].fd);
			if (conn_open(&conns[i], &sa, next_id++, st))
				fail(st, "reconnect %llu failed%llu%llu",
				     (uint64_t)i, 0, 0);
		}
	}
	for (int i = 0; i < NR_CONNS; i++)
		close(conns[i].fd);
}

/* Run ARGV to the end, output discarded; its exit status. */
static int run_quiet(char *const argv[])
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (!pid) {
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);

		dup2(null, 1);
		dup2(null, 2);
		execv(argv[0], argv);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void udp_worker(int port, double end, struct soak_stats *st)
{
	char addr[32], n[16], len[16];

	snprintf(addr, sizeof(addr), "127.0.0.1:%d", port);
	while (st_now() < end && !st->errors) {
		char *burst[] = { (char *)st_build_path("samples/udp-echo-client"),
				  addr, "--burst", n, "-l", len, NULL };
		char *sweep[] = { (char *)st_build_path("samples/udp-echo-client"),
				  addr, "-c", "2", NULL };
		bool is_burst = hostile_below(4) != 0;
		int rc;

		snprintf(n, sizeof(n), "%llu", 1 + (unsigned long long)hostile_below(300));
		snprintf(len, sizeof(len), "%llu", 2 + (unsigned long long)hostile_below(9000));
		rc = run_quiet(is_burst ? burst : sweep);
		if (rc)
			fail(st, "udp-echo-client %s exited %llu%llu",
			     (uint64_t)is_burst, (uint64_t)rc, 0);
		st->udp_runs++;
		st->udp_dgrams += is_burst ? strtoull(n, NULL, 10) : 0;
	}
}

static void mbox_worker(double end, struct soak_stats *st)
{
	while (st_now() < end && !st->errors) {
		char n[16], w[16], l[16];
		char *argv[] = { (char *)st_build_path("samples/mbox-demo"),
				 "-n", n, "-w", w, "-l", l, NULL };
		unsigned long long cmds = 500 + hostile_below(5000);
		int rc;

		snprintf(n, sizeof(n), "%llu", cmds);
		snprintf(w, sizeof(w), "%llu", 1 + (unsigned long long)hostile_below(64));
		snprintf(l, sizeof(l), "%llu", 1 + (unsigned long long)hostile_below(65536));
		rc = run_quiet(argv);
		if (rc)
			fail(st, "mbox-demo -n %llu exited %llu%llu", cmds,
			     (uint64_t)rc, 0);
		st->mbox_runs++;
		st->mbox_cmds += cmds;
	}
}

/* Where cp_worker copies: the fixture's scratch folder (set before the
 * workers fork). */
static const struct hostile_fixture *cp_scratch;

static void cp_worker(double end, struct soak_stats *st)
{
	while (st_now() < end && !st->errors) {
		struct hostile_run r;
		uint64_t size = hostile_below(2) ? hostile_below(1 << 16) :
				hostile_below(8 << 20);
		int err = hostile_start_cp(&r, cp_scratch, size);

		if (!err)
			err = st_cmd_wait(&r.cmd, 120000);
		if (err || r.cmd.status || !strstr(r.cmd.out, "EXIT: done") ||
		    hostile_check_cp(&r))
			fail(st, "cp of %llu bytes: error %llu, status %llu",
			     size, (uint64_t)-err, (uint64_t)r.cmd.status);
		hostile_cleanup(&r);
		st->cp_runs++;
		st->cp_bytes += size;
	}
}

static long rss_kib(pid_t pid)
{
	char path[64], line[128];
	long kib = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "VmRSS:", 6))
			kib = strtol(line + 6, NULL, 10);
	if (f)
		fclose(f);
	return kib;
}

static pid_t spawn(void (*fn)(int, double, struct soak_stats *), int port,
		   double end, struct soak_stats *st)
{
	static unsigned nr;
	pid_t pid = fork();

	nr++;
	if (!pid) {
		hostile_rng_split(nr);
		fn(port, end, st);
		_exit(0);
	}
	return pid;
}

static void mbox_fn(int port, double end, struct soak_stats *st)
{
	(void)port;
	mbox_worker(end, st);
}

static void cp_fn(int port, double end, struct soak_stats *st)
{
	(void)port;
	cp_worker(end, st);
}

HOSTILE_FIXTURE(soak);

TEST_F_TIMEOUT(soak, all, "soak: echo x256 (resets, half-closes, slow readers), udp bursts, mbox streams, cp loop; all verified, counters reconcile, RSS flat", 150)
{
	const char *env = getenv("IOU_SOAK_SECONDS");
	double secs = env && *env ? strtod(env, NULL) : 20, t0, end, mins;
	struct hostile_run echo, udp;
	struct soak_stats *st;
	pid_t workers[4];
	long rss0[2] = { -1, -1 }, rss1[2] = { -1, -1 };
	uint64_t in, out, dropped;

	hostile_seed();
	cp_scratch = &self->h;
	if (secs > st_time_left() - 90)
		secs = st_time_left() - 90;
	st = mmap(NULL, 4 * sizeof(*st), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_TRUE(st != MAP_FAILED);
	memset(st, 0, 4 * sizeof(*st));
	ASSERT_OK(hostile_start_server(&echo, HOSTILE_ECHO, "max_conns=512"));
	ASSERT_OK(hostile_start_server(&udp, HOSTILE_UDP_ECHO, NULL));

	t0 = st_now();
	end = t0 + secs;
	workers[0] = spawn(echo_worker, echo.port, end, &st[0]);
	workers[1] = spawn(udp_worker, udp.port, end, &st[1]);
	workers[2] = spawn(mbox_fn, 0, end, &st[2]);
	workers[3] = spawn(cp_fn, 0, end, &st[3]);
	while (st_now() < end + 1) {
		/* RSS from a quarter in (start-up done) to the end */
		st_cmd_pump(&echo.cmd, 500);
		st_cmd_pump(&udp.cmd, 500);
		for (int i = 0; i < 2; i++) {
			long kib = rss_kib(i ? udp.cmd.pid : echo.cmd.pid);

			if (st_now() < t0 + secs / 4 || rss0[i] < 0)
				rss0[i] = kib;
			rss1[i] = kib > rss1[i] ? kib : rss1[i];
		}
	}
	for (int i = 0; i < 4; i++)
		waitpid(workers[i], NULL, 0);
	kill(echo.cmd.pid, SIGINT);
	kill(udp.cmd.pid, SIGINT);
	ASSERT_OK(st_cmd_wait(&echo.cmd, 30000));
	ASSERT_OK(st_cmd_wait(&udp.cmd, 30000));

	mins = (st_now() - t0) / 60;
	st_diag("figure: echo: %llu messages, %llu bytes sent, %llu verified, "
		"%llu connections (%llu resets, %llu hang-ups, %llu half-closes, "
		"%llu slow readers), %llu errors; per minute: %.0f messages, "
		"%.1f MiB, %.0f connections, %.0f resets",
		(unsigned long long)st[0].messages,
		(unsigned long long)st[0].bytes_sent,
		(unsigned long long)st[0].bytes_verified,
		(unsigned long long)st[0].conns,
		(unsigned long long)st[0].resets,
		(unsigned long long)st[0].hangups,
		(unsigned long long)st[0].half_closes,
		(unsigned long long)st[0].slow,
		(unsigned long long)st[0].errors,
		st[0].messages / mins, st[0].bytes_sent / mins / 1048576,
		st[0].conns / mins, (st[0].resets + st[0].hangups) / mins);
	st_diag("figure: udp_echo: %llu client runs, %llu burst datagrams; "
		"mbox: %llu runs, %llu commands; cp: %llu copies, %llu bytes; "
		"RSS echo %ld -> %ld KiB, udp_echo %ld -> %ld KiB",
		(unsigned long long)st[1].udp_runs,
		(unsigned long long)st[1].udp_dgrams,
		(unsigned long long)st[2].mbox_runs,
		(unsigned long long)st[2].mbox_cmds,
		(unsigned long long)st[3].cp_runs,
		(unsigned long long)st[3].cp_bytes, rss0[0], rss1[0], rss0[1],
		rss1[1]);
	for (int i = 0; i < 4; i++)
		if (st[i].errors)
			st_diag("worker %d: %s", i, st[i].error);
	in = st_out_field(echo.cmd.out, "bytes_in");
	out = st_out_field(echo.cmd.out, "bytes_out");
	dropped = st_out_field(echo.cmd.out, "bytes_dropped");
	st_diag("echo server: bytes_in=%llu bytes_out=%llu bytes_dropped=%llu",
		(unsigned long long)in, (unsigned long long)out,
		(unsigned long long)dropped);
	hostile_cleanup(&echo);
	hostile_cleanup(&udp);
	for (int i = 0; i < 4; i++)
		ASSERT_EQ(0, st[i].errors);
	ASSERT_EQ(0, echo.cmd.status);
	ASSERT_EQ(0, udp.cmd.status);
	ASSERT_EQ_U64(out + dropped, in);
	ASSERT_TRUE(in <= st[0].bytes_sent);
	ASSERT_TRUE(out >= st[0].bytes_verified);
	ASSERT_LT(NR_CONNS, st[0].conns);
	ASSERT_LT(0, st[1].udp_runs);
	ASSERT_LT(0, st[2].mbox_runs);
	ASSERT_LT(0, st[3].cp_runs);
	/* flat: at most 2 MiB more than a quarter in (not under ASan,
	 * whose quarantine keeps freed memory resident on purpose) */
	if (!SOAK_ASAN) {
		ASSERT_GE(rss0[0] + 2048, rss1[0]);
		ASSERT_GE(rss0[1] + 2048, rss1[1]);
	}
	ASSERT_EQ(0, hostile_kmsg_splats());
	return KSFT_PASS;
}
