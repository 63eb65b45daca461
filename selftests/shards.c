// SPDX-License-Identifier: GPL-2.0
/*
 * `iouops load PROG --shards N`: one loop per CPU, each with its own ring,
 * region and struct_ops map, servers in one SO_REUSEPORT group. Every
 * server here is judged by its clients (every byte verified), by each
 * shard's own counters (every shard served some of the connections or
 * datagrams) and by the totals (the sum of the shards, and what the
 * clients did). The control side (signals, a failing shard, SIGKILL,
 * bad input, the library through samples/shards-demo): shards_control.c.
 */
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "shards.h"

uint64_t shard_field(const char *text, const char *who, const char *name)
{
	char head[48], line[IOU_REPORT_LEN];
	const char *p, *last = NULL, *eol;
	size_t len;

	snprintf(head, sizeof(head), "%scounters: ", who);
	for (p = text; p && (p = strstr(p, head)); p++)
		if (p == text || p[-1] == '\n')
			last = p;
	if (!last) {
		st_diag("no \"%s\" line in the output", head);
		return UINT64_MAX;
	}
	eol = strchr(last, '\n');
	len = eol ? (size_t)(eol - last) : strlen(last);
	if (len >= sizeof(line))
		len = sizeof(line) - 1;
	memcpy(line, last, len);
	line[len] = '\0';
	return st_out_field(line, name);
}

int shards_sum_is_total(const char *text, unsigned n, const char *name)
{
	uint64_t sum = 0, v;
	char who[24];

	for (unsigned i = 0; i < n; i++) {
		snprintf(who, sizeof(who), "shard %u: ", i);
		v = shard_field(text, who, name);
		ASSERT_NE(UINT64_MAX, v);
		sum += v;
	}
	ASSERT_EQ_U64(sum, shard_field(text, "total: ", name));
	return 0;
}

/* Every shard's NAME from `iouops stat PID` into v[0..n-1]. */
static int stat_shards(pid_t pid, unsigned n, const char *name, uint64_t *v)
{
	struct st_cmd st;
	char pid_s[16], who[24];

	snprintf(pid_s, sizeof(pid_s), "%d", (int)pid);
	ASSERT_EQ(0, st_run_cli(&st, NULL, NULL, "stat", pid_s, NULL));
	for (unsigned i = 0; i < n; i++) {
		snprintf(who, sizeof(who), "shard %u: ", i);
		v[i] = shard_field(st.out, who, name);
		ASSERT_NE(UINT64_MAX, v[i]);
	}
	ASSERT_OK(shards_sum_is_total(st.out, n, name));
	return 0;
}

/* Until `iouops stat` shows NAME summing to WANT over the shards. */
static int stat_total_until(pid_t pid, unsigned n, const char *name,
			    uint64_t want)
{
	double end = st_now() + 30;
	uint64_t v[2], sum;

	do {
		ASSERT_OK(stat_shards(pid, n, name, v));
		sum = v[0] + (n > 1 ? v[1] : 0);
		if (sum == want)
			return 0;
		st_sleep_ms(100);
	} while (st_now() < end);
	st_diag("iouops stat: %s totals %" PRIu64 ", expected %" PRIu64,
		name, sum, want);
	return -ETIMEDOUT;
}

/* The end of a stopped sharded server: exit 0, every shard stopped, each
 * of them served some (NAME > 0), the totals the sum of the shards. */
static int check_stopped(struct st_cmd *c, const char *name)
{
	char who[24], exit_line[48];

	ASSERT_OK(kill(c->pid, SIGINT));
	ASSERT_OK(st_cmd_wait(c, 30000));
	st_diag_text("server: ", c->out, 0);
	ASSERT_EQ(IOUOPS_EXIT_OK, c->status);
	for (unsigned i = 0; i < 2; i++) {
		snprintf(who, sizeof(who), "shard %u: ", i);
		snprintf(exit_line, sizeof(exit_line), "shard %u: EXIT: stopped", i);
		ASSERT_TRUE(st_cmd_has(c, exit_line));
		ASSERT_LT(0, shard_field(c->out, who, name));
	}
	ASSERT_TRUE(st_cmd_has(c, "overall: exit status 0"));
	return 0;
}

static const char *client_path(void)
{
	return st_build_path("samples/echo-client");
}

TEST_TIMEOUT(shards_echo, "echo --shards 2: 64 connections, every byte verified, both shards accepted, totals = sum of shards (stat and exit)", 240)
{
	char *argv[] = { (char *)st_cli(), "load", "echo", "--shards", "2",
			 "--listen", "127.0.0.1:0", NULL };
	uint64_t conns = 64, total_conns = 0, total_bytes = 0, acc[2];
	char addr[64], c_s[16];
	struct st_cmd s, c;

	ST_REQUIRE_FEATURE();
	ASSERT_OK(st_server_start(&s, argv, "127.0.0.1", addr, sizeof(addr)));
	ASSERT_TRUE(st_cmd_has(&s, "shards: 2 on CPUs"));
	for (int round = 0; round < 3; round++) {
		snprintf(c_s, sizeof(c_s), "%" PRIu64, conns);
		ASSERT_EQ(0, st_run(&c, NULL, NULL, client_path(), "-a", addr,
				    "-c", c_s, "-n", "64k", "-s", "4k", "-w", "8",
				    "--seed", "7", "-q", NULL));
		ASSERT_EQ_U64(conns * 65536, st_out_field(c.out, "verified"));
		total_conns += conns;
		total_bytes += conns * 65536;
		ASSERT_OK(stat_total_until(s.pid, 2, "closed", total_conns));
		ASSERT_OK(stat_shards(s.pid, 2, "accepted", acc));
		st_diag("round %d: shard 0 accepted %" PRIu64 ", shard 1 %" PRIu64,
			round, acc[0], acc[1]);
		if (acc[0] && acc[1])
			break;
		/* 2^-63 with 64 source ports; a second try says more */
		conns *= 2;
	}
	ASSERT_OK(stat_shards(s.pid, 2, "bytes_in", acc));
	ASSERT_EQ_U64(total_bytes, acc[0] + acc[1]);
	ASSERT_OK(check_stopped(&s, "accepted"));
	ASSERT_EQ_U64(total_conns, shard_field(s.out, "total: ", "accepted"));
	ASSERT_EQ_U64(total_bytes, shard_field(s.out, "total: ", "bytes_out"));
	ASSERT_EQ_U64(0, shard_field(s.out, "total: ", "cq_overflow"));
	ASSERT_EQ_U64(0, shard_field(s.out, "total: ", "active"));
	for (const char *const *n = (const char *const[]){ "accepted", "closed",
	     "bytes_in", "bytes_out", "err_other", NULL }; *n; n++)
		ASSERT_OK(shards_sum_is_total(s.out, 2, *n));
	return KSFT_PASS;
}

/* Pre-exec: pin the client to one CPU (its connections arrive there). */
static int pin_to(void *arg)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(*(int *)arg, &set);
	return sched_setaffinity(0, sizeof(set), &set) ? -errno : 0;
}

/* The first two CPUs this process may use (what shards 0 and 1 get). */
static int two_cpus(int cpu[2])
{
	cpu_set_t set;
	int n = 0;

	if (sched_getaffinity(0, sizeof(set), &set))
		return -errno;
	for (int i = 0; i < CPU_SETSIZE && n < 2; i++)
		if (CPU_ISSET(i, &set))
			cpu[n++] = i;
	return n == 2 ? 0 : -ENODEV;
}

TEST_TIMEOUT(shards_steer_cpu, "echo --shards 2 --steer cpu: a client pinned to CPU k is served by shard k only (SO_INCOMING_CPU)", 180)
{
	char *argv[] = { (char *)st_cli(), "load", "echo", "--shards", "2",
			 "--listen", "127.0.0.1:0", "--steer", "cpu", NULL };
	const char *conns[2] = { "3", "7" };
	char addr[64], who[24];
	struct st_cmd s, c;
	int cpu[2];

	ST_REQUIRE_FEATURE();
	if (two_cpus(cpu))
		return st_skip("needs 2 CPUs (scripts/vm --cpus 2)");
	ASSERT_OK(st_server_start(&s, argv, "127.0.0.1", addr, sizeof(addr)));
	for (int k = 0; k < 2; k++)
		ASSERT_EQ(0, st_run(&c, pin_to, &cpu[k], client_path(), "-a",
				    addr, "-c", conns[k], "-n", "16k", "-q", NULL));
	ASSERT_OK(stat_total_until(s.pid, 2, "closed", 10));
	ASSERT_OK(check_stopped(&s, "accepted"));
	for (int k = 0; k < 2; k++) {
		snprintf(who, sizeof(who), "shard %d: ", k);
		ASSERT_EQ_U64(strtoull(conns[k], NULL, 10),
			      shard_field(s.out, who, "accepted"));
	}
	return KSFT_PASS;
}

/* ---- http: a plain client of our own, every body checked ---- */

#define HTTP_BODY	"<!doctype html><title>shards</title>every shard serves this\n"

/* A TCP connection to "HOST:PORT"; the fd or -errno. */
static int connect_to(const char *addr)
{
	struct sockaddr_storage ss;
	int fd, err;

	if (iou_parse_sockaddr(addr, &ss))
		return -EINVAL;
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&ss, ss.ss_family == AF_INET ?
		    sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6))) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

static int http_get(const char *addr)
{
	static char resp[4096];
	char req[128];
	size_t len = 0;
	ssize_t n;
	int fd = connect_to(addr);
	const char *body;

	if (fd < 0)
		return fd;
	snprintf(req, sizeof(req), "GET /index.html HTTP/1.1\r\nHost: x\r\n"
		 "Connection: close\r\n\r\n");
	if (write(fd, req, strlen(req)) != (ssize_t)strlen(req)) {
		close(fd);
		return -EIO;
	}
	while (len < sizeof(resp) - 1 &&
	       (n = read(fd, resp + len, sizeof(resp) - 1 - len)) > 0)
		len += (size_t)n;
	close(fd);
	resp[len] = '\0';
	body = strstr(resp, "\r\n\r\n");
	if (strncmp(resp, "HTTP/1.1 200 ", 13) || !body ||
	    strcmp(body + 4, HTTP_BODY)) {
		st_diag("bad response: %.200s", resp);
		return -EPROTO;
	}
	return 0;
}

TEST_TIMEOUT(shards_http, "http --shards 2: 64 connections, every body checked, both shards served, totals = sum", 240)
{
	char root[] = "/tmp/iouops-shards-http.XXXXXX", path[64], addr[64];
	char *argv[] = { (char *)st_cli(), "load", "http", "--shards", "2",
			 "--listen", "127.0.0.1:0", "--root", root, NULL };
	uint64_t acc[2], done = 0;
	struct st_cmd s;
	FILE *f;

	ST_REQUIRE_FEATURE();
	ASSERT_TRUE(mkdtemp(root) != NULL);
	snprintf(path, sizeof(path), "%s/index.html", root);
	f = fopen(path, "we");
	ASSERT_TRUE(f != NULL);
	ASSERT_EQ(1, (int)fwrite(HTTP_BODY, strlen(HTTP_BODY), 1, f));
	ASSERT_OK(fclose(f));
	ASSERT_OK(st_server_start(&s, argv, "127.0.0.1", addr, sizeof(addr)));
	for (int round = 0; round < 3; round++) {
		for (int i = 0; i < 64 << round; i++, done++)
			ASSERT_OK(http_get(addr));
		ASSERT_OK(stat_total_until(s.pid, 2, "http_200", done));
		ASSERT_OK(stat_shards(s.pid, 2, "accepted", acc));
		if (acc[0] && acc[1])
			break;
	}
	ASSERT_OK(check_stopped(&s, "http_200"));
	ASSERT_EQ_U64(done, shard_field(s.out, "total: ", "requests"));
	for (const char *const *n = (const char *const[]){ "accepted",
	     "requests", "http_200", "bytes_out", NULL }; *n; n++)
		ASSERT_OK(shards_sum_is_total(s.out, 2, *n));
	unlink(path);
	rmdir(root);
	return KSFT_PASS;
}

TEST_TIMEOUT(shards_udp_echo, "udp_echo --shards 2: clients' datagrams verified, both shards echoed, totals = sum", 180)
{
	char *argv[] = { (char *)st_cli(), "load", "udp_echo", "--shards",
			 "2", "--listen", "127.0.0.1:0", NULL };
	const char *clients[3] = { "8", "16", "32" };
	uint64_t dg[2], sent = 0, v;
	char addr[64];
	struct st_cmd s, c;

	ST_REQUIRE_FEATURE();
	ASSERT_OK(st_server_start(&s, argv, "127.0.0.1", addr, sizeof(addr)));
	for (int round = 0; round < 3; round++) {
		/* each client its own socket: its own source port */
		ASSERT_EQ(0, st_run(&c, NULL, NULL,
				    st_build_path("samples/udp-echo-client"),
				    addr, "-c", clients[round], "-n", "20", NULL));
		st_diag_text("client: ", c.out, 2);
		/* "N clients: M datagrams, M replies verified, 0 lost, 0 bad" */
		ASSERT_TRUE(st_cmd_has(&c, "clients: "));
		ASSERT_TRUE(st_cmd_has(&c, " 0 lost, 0 bad"));
		v = strtoull(strstr(c.out, "clients: ") + 9, NULL, 10);
		sent += v;
		ASSERT_OK(stat_total_until(s.pid, 2, "echoed", sent));
		ASSERT_OK(stat_shards(s.pid, 2, "datagrams", dg));
		if (dg[0] && dg[1])
			break;
	}
	ASSERT_OK(check_stopped(&s, "datagrams"));
	ASSERT_EQ_U64(sent, shard_field(s.out, "total: ", "echoed"));
	for (const char *const *n = (const char *const[]){ "datagrams",
	     "echoed", "bytes", NULL }; *n; n++)
		ASSERT_OK(shards_sum_is_total(s.out, 2, *n));
	return KSFT_PASS;
}

TEST_TIMEOUT(shards_nops, "nops --shards 2: two independent loops, each done and checked, --expect on each, totals = sum", 120)
{
	struct st_cmd c;

	ST_REQUIRE_FEATURE();
	ASSERT_EQ(IOUOPS_EXIT_OK,
		  st_run_cli(&c, NULL, NULL, "load", "nops", "--shards", "2",
			     "--set", "total=50000", "--set", "qd=16",
			     "--expect", "completed=50000", "--print", "submitted",
			     NULL));
	st_diag_text("", c.out, 0);
	ASSERT_TRUE(st_cmd_has(&c, "shard 0: EXIT: done (50000 NOPs"));
	ASSERT_TRUE(st_cmd_has(&c, "shard 1: EXIT: done (50000 NOPs"));
	ASSERT_TRUE(st_cmd_has(&c, "shard 0: submitted=50000"));
	ASSERT_TRUE(st_cmd_has(&c, "shard 1: submitted=50000"));
	ASSERT_EQ_U64(100000, shard_field(c.out, "total: ", "checked"));
	ASSERT_OK(shards_sum_is_total(c.out, 2, "completed"));
	ASSERT_EQ(0, st_count_lines(c.err));
	return KSFT_PASS;
}

TEST_TIMEOUT(shards_zcrx, "zcrx_sink --zcrx --shards 2 --steer cpu: each shard its own device-less ifq, every byte checked", 240)
{
	char *argv[] = { (char *)st_cli(), "load", "zcrx_sink", "--zcrx",
			 "--shards", "2", "--steer", "cpu", "--listen",
			 "127.0.0.1:0", "--set", "seed=7", "--set", "conns=1",
			 NULL };
	char addr[64], why[256], who[24];
	struct st_cmd s, c;
	int cpu[2];

	ST_REQUIRE_FEATURE();
	if (iou_probe_zcrx(why, sizeof(why)))
		return st_skip("%s", why);
	if (two_cpus(cpu))
		return st_skip("needs 2 CPUs (scripts/vm --cpus 2)");
	ASSERT_OK(st_server_start(&s, argv, "127.0.0.1", addr, sizeof(addr)));
	/* one connection per shard: each sink is done after its own */
	for (int k = 0; k < 2; k++)
		ASSERT_EQ(0, st_run(&c, pin_to, &cpu[k],
				    st_build_path("samples/zcrx-client"), "-a",
				    addr, "-n", "4m", "-c", "1", "--seed", "7",
				    NULL));
	ASSERT_OK(st_cmd_wait(&s, 60000));
	st_diag_text("sink: ", s.out, 0);
	ASSERT_EQ(IOUOPS_EXIT_OK, s.status);
	for (int k = 0; k < 2; k++) {
		snprintf(who, sizeof(who), "shard %d: ", k);
		ASSERT_EQ_U64(4 << 20, shard_field(s.out, who, "bytes"));
	}
	ASSERT_TRUE(st_cmd_has(&s, "shard 0: EXIT: done"));
	ASSERT_TRUE(st_cmd_has(&s, "shard 1: EXIT: done"));
	ASSERT_OK(shards_sum_is_total(s.out, 2, "bytes"));
	return KSFT_PASS;
}
