// SPDX-License-Identifier: GPL-2.0
/*
 * The in-kernel HTTP server (progs/http.bpf.c through `iouops load http
 * --root DIR`), judged by clients we did not write: curl for correctness,
 * wrk and ab for load (their own error counts must be zero), and a corpus
 * of malformed requests sent raw with busybox nc or, where segmentation
 * and timing matter, with a socket of our own. A test that needs a tool
 * the guest lacks SKIPs naming it (scripts/test copies curl, wrk, ab).
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "selftest.h"

#define SMALL_SIZE	100
#define BIG_SIZE	16384

struct http_server {
	struct st_cmd cmd;
	char root[64];
	char addr[64];		/* 127.0.0.1:PORT */
	int port;
};

/* The first of PATH's directories that has an executable NAME. */
static const char *tool(const char *name)
{
	static char buf[8][256];
	static int next;
	const char *dirs[] = { "/usr/bin", "/usr/sbin", "/bin", "/sbin",
			       "/usr/local/bin" };
	char *b = buf[next++ & 7];
	size_t i;

	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(b, sizeof(buf[0]), "%s/%s", dirs[i], name);
		if (!access(b, X_OK))
			return b;
	}
	return NULL;
}

#define REQUIRE_TOOL(var, name)						\
	const char *var = tool(name);					\
	if (!var)							\
		return st_skip("%s not found in the guest (scripts/test " \
				"copies it when the host has it)", name)

static int write_file(const char *dir, const char *name, const void *data,
		      size_t len)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	if (write(fd, data, len) != (ssize_t)len) {
		close(fd);
		return -EIO;
	}
	return close(fd) ? -errno : 0;
}

/* Deterministic bytes of every value, so a shifted body cannot pass. */
static void fill(unsigned char *b, size_t n, unsigned seed)
{
	size_t i;

	for (i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		b[i] = (unsigned char)(seed >> 16);
	}
}

static unsigned char small_body[SMALL_SIZE], big_body[BIG_SIZE];
static const char index_body[] = "<!doctype html><title>iouops</title>hello\n";
static const char json_body[] = "{\"a\": 1}\n";

/* DIR with small.bin, big.bin, index.html, sub/data.json. */
static int make_root(char *dir, size_t len)
{
	char sub[96];
	int err;

	err = st_mkdtemp(dir, len, "http");
	if (err)
		return err;
	fill(small_body, sizeof(small_body), 1);
	fill(big_body, sizeof(big_body), 2);
	err = write_file(dir, "small.bin", small_body, sizeof(small_body));
	if (!err)
		err = write_file(dir, "big.bin", big_body, sizeof(big_body));
	if (!err)
		err = write_file(dir, "index.html", index_body,
				 strlen(index_body));
	snprintf(sub, sizeof(sub), "%s/sub", dir);
	if (!err && mkdir(sub, 0755))
		err = -errno;
	if (!err)
		err = write_file(sub, "data.json", json_body, strlen(json_body));
	return err;
}

static int server_start(struct http_server *s, const char *set)
{
	char *argv[] = { (char *)st_cli(), "load", "http", "--listen",
			 "127.0.0.1:0", "--root", s->root, set ? "--set" : NULL,
			 (char *)set, NULL };
	int err;

	err = st_server_start(&s->cmd, argv, "127.0.0.1", s->addr,
			       sizeof(s->addr));
	if (!err)
		s->port = atoi(strrchr(s->addr, ':') + 1);
	return err;
}

/* A docroot (make_root) served by `iouops load http --listen
 * 127.0.0.1:0 --root DIR`; the teardown removes the docroot, also when
 * the test failed or timed out. The tests stop the server themselves
 * (its exit status and counters are theirs to check). */
FIXTURE(http) {
	struct http_server s;
};

FIXTURE_SETUP(http)
{
	ST_REQUIRE_FEATURE();
	ASSERT_OK(make_root(self->s.root, sizeof(self->s.root)));
	ASSERT_OK(server_start(&self->s, NULL));
	return KSFT_PASS;
}

FIXTURE_TEARDOWN(http)
{
	ASSERT_OK(st_remove_tree(self->s.root));
	return KSFT_PASS;
}

/* SIGINT, the exit status. */
static int server_stop(struct http_server *s)
{
	if (kill(s->cmd.pid, SIGINT))
		return -errno;
	return st_cmd_wait(&s->cmd, 30000) ? -ETIMEDOUT : s->cmd.status;
}

static int connect_to(int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons((uint16_t)port) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;

	if (fd < 0)
		return -errno;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		close(fd);
		return -errno;
	}
	return fd;
}

/*
 * Read until the server closes or TIMEOUT_MS pass without data. Returns
 * bytes read; *closed: 1 on a clean close (EOF), 2 on a reset, 0 when
 * still open.
 */
static size_t read_all(int fd, char *buf, size_t cap, int timeout_ms,
		       int *closed)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	size_t len = 0;
	ssize_t n;

	*closed = 0;
	while (len < cap - 1) {
		if (poll(&pfd, 1, timeout_ms) <= 0)
			break;
		n = read(fd, buf + len, cap - 1 - len);
		if (n == 0) {
			*closed = 1;
			break;
		}
		if (n < 0) {
			*closed = 2;
			break;
		}
		len += (size_t)n;
	}
	buf[len] = '\0';
	return len;
}

struct resp {
	int status;
	long clen;
	const char *body;	/* into the buffer */
	size_t hdr_len;
	bool close;
	char type[64];
};

/* Parse the response at *p (HEAD: no body); advance *p. -1 when it is not
 * a complete response. */
static int parse_resp(const char **p, const char *end, bool head,
		      struct resp *r)
{
	const char *s = *p, *eoh = NULL, *q;

	memset(r, 0, sizeof(*r));
	r->clen = -1;
	for (q = s; q + 3 < end; q++)
		if (!memcmp(q, "\r\n\r\n", 4)) {
			eoh = q + 4;
			break;
		}
	if (!eoh || sscanf(s, "HTTP/1.1 %d ", &r->status) != 1)
		return -1;
	for (q = s; q < eoh; q = memchr(q, '\n', (size_t)(eoh - q)) + 1) {
		if (!strncasecmp(q, "Content-Length:", 15))
			r->clen = atol(q + 15);
		else if (!strncasecmp(q, "Connection: close", 17))
			r->close = true;
		else if (!strncasecmp(q, "Content-Type: ", 14))
			sscanf(q + 14, "%63[^\r]", r->type);
		if (!memchr(q, '\n', (size_t)(eoh - q)))
			break;
	}
	r->hdr_len = (size_t)(eoh - s);
	r->body = eoh;
	if (r->clen < 0)
		return -1;
	if (head) {
		*p = eoh;
		return 0;
	}
	if (eoh + r->clen > end)
		return -1;
	*p = eoh + r->clen;
	return 0;
}

/* ---- curl ---- */

static int curl(struct st_cmd *c, const char *script)
{
	return st_run(c, NULL, NULL, "sh", "-c", script, NULL);
}

TEST_F_TIMEOUT(http, curl, "http: curl gets bodies equal to the files, headers, HEAD, 404, keep-alive", 120)
{
	char sh[2048];
	struct http_server *s = &self->s;
	struct st_cmd c;

	REQUIRE_TOOL(curl_bin, "curl");

	/* bodies equal to the files; status; content types */
	snprintf(sh, sizeof(sh),
		 "set -e; cd %s; u=http://%s\n"
		 "%s -sS -f -o /tmp/h.small $u/small.bin; cmp /tmp/h.small small.bin\n"
		 "%s -sS -f -o /tmp/h.big $u/big.bin; cmp /tmp/h.big big.bin\n"
		 "%s -sS -f -o /tmp/h.idx $u/; cmp /tmp/h.idx index.html\n"
		 "%s -sS -f -o /tmp/h.json $u/sub/data.json; cmp /tmp/h.json sub/data.json\n"
		 "%s -sS -o /dev/null -o /dev/null -o /dev/null -o /dev/null "
		 "-w '%%{http_code} %%{content_type} %%{size_download}\\n' "
		 "$u/index.html $u/sub/data.json $u/nope.html $u/big.bin\n",
		 s->root, s->addr, curl_bin, curl_bin, curl_bin, curl_bin, curl_bin);
	if (curl(&c, sh)) {
		st_cmd_diag(&c);
		ASSERT_EQ(0, c.status);
	}
	ASSERT_STR_HAS(c.out, "200 text/html; charset=utf-8 42\n");
	ASSERT_EQ(42, strlen(index_body));
	ASSERT_STR_HAS(c.out, "200 application/json 9\n");
	ASSERT_STR_HAS(c.out, "404 text/plain 14\n");
	ASSERT_STR_HAS(c.out, "200 application/octet-stream 16384\n");

	/* HEAD: the headers of GET, no body */
	snprintf(sh, sizeof(sh), "%s -sS -I http://%s/big.bin", curl_bin, s->addr);
	ASSERT_EQ(0, curl(&c, sh));
	ASSERT_STR_HAS(c.out, "HTTP/1.1 200 OK\r\n");
	ASSERT_STR_HAS(c.out, "Content-Length: 16384\r\n");
	ASSERT_STR_HAS(c.out, "Content-Type: application/octet-stream\r\n");
	ASSERT_EQ(strstr(c.out, "\r\n\r\n") - c.out + 4, strlen(c.out));

	/* several URLs: one connection, reused (404 keeps it open too) */
	snprintf(sh, sizeof(sh), "%s -sS -v --http1.1 -o /dev/null -o /dev/null "
		 "-o /dev/null -o /dev/null http://%s/small.bin http://%s/nope "
		 "http://%s/big.bin http://%s/small.bin 2>&1",
		 curl_bin, s->addr, s->addr, s->addr, s->addr);
	ASSERT_EQ(0, curl(&c, sh));
	ASSERT_STR_HAS(c.out, "Re-using existing connection");
	{
		const char *p = c.out;
		int connects = 0, reuses = 0;

		while ((p = strstr(p, "Connected to"))) {
			connects++;
			p++;
		}
		for (p = c.out; (p = strstr(p, "Re-using existing")); p++)
			reuses++;
		ASSERT_EQ(1, connects);
		ASSERT_EQ(3, reuses);
	}

	ASSERT_EQ(IOUOPS_EXIT_OK, server_stop(s));
	st_diag_text("server: ", s->cmd.out, 3);
	ASSERT_TRUE(st_cmd_has(&s->cmd, "EXIT: stopped"));
	ASSERT_EQ_U64(2, st_out_field(s->cmd.out, "http_404"));
	/* 4 compared, 3 with -w, 1 HEAD, 3 on the reused connection */
	ASSERT_EQ_U64(11, st_out_field(s->cmd.out, "http_200"));
	ASSERT_EQ_U64(13, st_out_field(s->cmd.out, "requests"));
	ASSERT_EQ_U64(0, st_out_field(s->cmd.out, "active"));
	ASSERT_EQ_U64(0, st_out_field(s->cmd.out, "cq_overflow"));
	return KSFT_PASS;
}

/* ---- raw requests ---- */

/* Send REQ whole (or in SEG-byte pieces GAP_MS apart), read the answer. */
static int exchange(int port, const char *req, size_t len, size_t seg,
		    int gap_ms, char *out, size_t cap, size_t *out_len,
		    int *closed)
{
	size_t off = 0, n;
	int fd = connect_to(port);

	if (fd < 0)
		return fd;
	signal(SIGPIPE, SIG_IGN);	/* the server may answer and close early */
	while (off < len) {
		n = seg && seg < len - off ? seg : len - off;
		if (write(fd, req + off, n) != (ssize_t)n)
			break;		/* it did: read its answer */
		off += n;
		if (gap_ms && off < len)
			st_sleep_ms((unsigned)gap_ms);
	}
	*out_len = read_all(fd, out, cap, 5000, closed);
	close(fd);
	return 0;
}

TEST_F_TIMEOUT(http, pipeline, "http: 24 pipelined requests in one write, answered in order", 90)
{
	static char req[8192], out[1 << 20];
	struct http_server *s = &self->s;
	const char *p, *end;
	size_t len = 0, out_len;
	int i, closed;
	struct resp r;

	for (i = 0; i < 24; i++) {
		const char *path = i % 4 == 0 ? "/big.bin" : i % 4 == 1 ?
				   "/small.bin" : i % 4 == 2 ? "/missing" : "/";
		len += (size_t)snprintf(req + len, sizeof(req) - len,
			"%s %s HTTP/1.1\r\nHost: x\r\n%s\r\n",
			i % 6 == 5 ? "HEAD" : "GET", path,
			i == 23 ? "Connection: close\r\n" : "");
	}
	ASSERT_OK(exchange(s->port, req, len, 0, 0, out, sizeof(out),
			   &out_len, &closed));
	ASSERT_EQ(1, closed);
	p = out;
	end = out + out_len;
	for (i = 0; i < 24; i++) {
		bool head = i % 6 == 5;

		if (parse_resp(&p, end, head, &r)) {
			st_diag("response %d does not parse", i);
			ASSERT_TRUE(0);
		}
		switch (i % 4) {
		case 0:
			ASSERT_EQ(200, r.status);
			ASSERT_EQ(BIG_SIZE, r.clen);
			if (!head)
				ASSERT_TRUE(!memcmp(r.body, big_body, BIG_SIZE));
			break;
		case 1:
			ASSERT_EQ(200, r.status);
			ASSERT_EQ(SMALL_SIZE, r.clen);
			if (!head)
				ASSERT_TRUE(!memcmp(r.body, small_body, SMALL_SIZE));
			break;
		case 2:
			ASSERT_EQ(404, r.status);
			break;
		default:
			ASSERT_EQ(200, r.status);
			ASSERT_EQ((long)strlen(index_body), r.clen);
			if (!head)
				ASSERT_TRUE(!memcmp(r.body, index_body, r.clen));
		}
		ASSERT_EQ(i == 23, r.close);
	}
	ASSERT_TRUE(p == end);
	ASSERT_EQ(IOUOPS_EXIT_OK, server_stop(s));
	ASSERT_EQ_U64(24, st_out_field(s->cmd.out, "requests"));
	return KSFT_PASS;
}

/* What a corpus request must get: a status, or (0) any clean close. */
struct bad_req {
	const char *name;
	const char *req;
	size_t len;		/* 0: strlen */
	int status;
};

#define BIG_HDR_LEN	10000

TEST_F_TIMEOUT(http, malformed, "http: a malformed-request corpus via busybox nc gets the right status; others still served", 240)
{
	static char huge_hdr[BIG_HDR_LEN + 64], long_path[400], out[65536];
	static const char nul_req[] = "GET /small.bin HTTP/1.1\r\nHost: a\0b\r\n\r\n";
	static const char nul_path[] = "GET /sm\0all.bin HTTP/1.1\r\n\r\n";
	struct bad_req corpus[] = {
		{ "no CRLF at all", "GET /small.bin HTTP/1.1", 0, 0 },
		{ "bare LF lines", "GET /small.bin HTTP/1.1\nConnection: close\n\n", 0, 200 },
		{ "CR without LF", "GET /small.bin HTTP/1.1\rHost: a\r\n\r\n", 0, 400 },
		{ "HTTP/0.9", "GET /small.bin\r\n\r\n", 0, 400 },
		{ "HTTP/2.0 version", "GET / HTTP/2.0\r\n\r\n", 0, 400 },
		{ "lower-case version", "GET / http/1.1\r\n\r\n", 0, 400 },
		{ "POST", "POST /small.bin HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc", 0, 405 },
		{ "DELETE", "DELETE / HTTP/1.1\r\n\r\n", 0, 405 },
		{ "lower-case get", "get / HTTP/1.1\r\n\r\n", 0, 405 },
		{ "method with @", "G@T / HTTP/1.1\r\n\r\n", 0, 400 },
		{ "no method", " / HTTP/1.1\r\n\r\n", 0, 400 },
		{ "absolute-form", "GET http://x/ HTTP/1.1\r\n\r\n", 0, 400 },
		{ "space in header name", "GET / HTTP/1.1\r\nHost : x\r\n\r\n", 0, 400 },
		{ "obs-fold", "GET / HTTP/1.1\r\nX: a\r\n b\r\n\r\n", 0, 400 },
		{ "header without colon", "GET / HTTP/1.1\r\nHost\r\n\r\n", 0, 400 },
		{ "NUL in a header", nul_req, sizeof(nul_req) - 1, 400 },
		{ "NUL in the path", nul_path, sizeof(nul_path) - 1, 400 },
		{ "control char in path", "GET /a\x01 HTTP/1.1\r\n\r\n", 0, 400 },
		{ "bad Content-Length", "GET / HTTP/1.1\r\nContent-Length: 1x\r\n\r\n", 0, 400 },
		{ "two Content-Lengths", "GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx", 0, 400 },
		{ "huge Content-Length", "GET / HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n", 0, 413 },
		{ "chunked upload", "GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 0, 501 },
		{ "huge header", huge_hdr, 0, 431 },
		{ "long path", long_path, 0, 414 },
		{ "percent-escaped name", "GET /small%2ebin HTTP/1.1\r\nConnection: close\r\n\r\n", 0, 404 },
		{ "dot-dot", "GET /../etc/passwd HTTP/1.1\r\nConnection: close\r\n\r\n", 0, 404 },
		{ "query string", "GET /small.bin?x=1 HTTP/1.1\r\nConnection: close\r\n\r\n", 0, 200 },
		{ "HTTP/1.0 closes", "GET /small.bin HTTP/1.0\r\n\r\n", 0, 200 },
		{ "body skipped, next served", "GET /nope HTTP/1.1\r\nContent-Length: 5\r\n\r\nhelloGET /small.bin HTTP/1.1\r\nConnection: close\r\n\r\n", 0, 404 },
		{ "empty request", "", 0, 0 },
		{ "only CRLFs", "\r\n\r\n\r\n", 0, 0 },
		{ "binary junk", "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11, 400 },
	};
	char path[128], sh[512];
	struct http_server *s = &self->s;
	struct st_cmd c;
	size_t i, out_len;
	int status, closed, slow;

	REQUIRE_TOOL(bb, "busybox");
	snprintf(huge_hdr, sizeof(huge_hdr), "GET / HTTP/1.1\r\nX-Big: ");
	memset(huge_hdr + strlen(huge_hdr), 'a', BIG_HDR_LEN);
	strcat(huge_hdr, "\r\n\r\n");
	strcpy(long_path, "GET /");
	memset(long_path + 5, 'p', 300);
	strcat(long_path, " HTTP/1.1\r\n\r\n");

	/* a slowloris holds a connection open with half a request */
	slow = connect_to(s->port);
	ASSERT_LE(0, slow);
	ASSERT_EQ(28, write(slow, "GET /small.bin HTTP/1.1\r\nX: ", 28));

	for (i = 0; i < sizeof(corpus) / sizeof(corpus[0]); i++) {
		struct bad_req *b = &corpus[i];
		size_t len = b->len ? b->len : strlen(b->req);

		snprintf(path, sizeof(path), "%s/req-%zu", s->root, i);
		ASSERT_OK(write_file("/", path, b->req, len));
		/* nc -w: an answer that leaves the connection open must
		 * not hang the test (for the "clean close" cases) */
		snprintf(sh, sizeof(sh), "%s nc -w 3 127.0.0.1 %d < %s",
			 bb, s->port, path);
		ASSERT_LE(0, st_run(&c, NULL, NULL, "sh", "-c", sh, NULL));
		status = 0;
		sscanf(c.out, "HTTP/1.1 %d ", &status);
		if (status != b->status) {
			st_diag("corpus '%s': got status %d, want %d", b->name,
				 status, b->status);
			st_cmd_diag(&c);
			ASSERT_EQ(b->status, status);
		}
		if (!strcmp(b->name, "body skipped, next served"))
			ASSERT_STR_HAS(c.out, "Content-Length: 100\r\n");
	}

	/* the same requests in 1-byte segments: the same answers */
	for (i = 0; i < sizeof(corpus) / sizeof(corpus[0]); i++) {
		struct bad_req *b = &corpus[i];
		size_t len = b->len ? b->len : strlen(b->req);

		if (len > 200 || !b->status)
			continue;
		ASSERT_OK(exchange(s->port, b->req, len, 1, 1, out, sizeof(out),
				   &out_len, &closed));
		status = 0;
		sscanf(out, "HTTP/1.1 %d ", &status);
		if (status != b->status)
			st_diag("split '%s': got %d, want %d", b->name, status,
				 b->status);
		ASSERT_EQ(b->status, status);
	}

	/* the slowloris finishes byte by byte, slowly, and is served */
	{
		const char *rest = "y\r\nConnection: close\r\n\r\n";

		for (i = 0; rest[i]; i++) {
			ASSERT_EQ(1, write(slow, rest + i, 1));
			st_sleep_ms(30);
		}
		out_len = read_all(slow, out, sizeof(out), 5000, &closed);
		close(slow);
		ASSERT_TRUE(!strncmp(out, "HTTP/1.1 200 OK\r\n", 17));
		ASSERT_EQ(1, closed);
		ASSERT_TRUE(out_len > SMALL_SIZE &&
			    !memcmp(out + out_len - SMALL_SIZE, small_body, SMALL_SIZE));
	}

	ASSERT_EQ(IOUOPS_EXIT_OK, server_stop(s));
	st_diag_text("server: ", s->cmd.out, 3);
	ASSERT_EQ_U64(0, st_out_field(s->cmd.out, "active"));
	ASSERT_EQ_U64(st_out_field(s->cmd.out, "accepted"),
		      st_out_field(s->cmd.out, "closed"));
	return KSFT_PASS;
}

TEST_F_TIMEOUT(http, split, "http: requests split into tiny segments and trickled, while others are served", 120)
{
	static char out[65536];
	const char *req = "GET /big.bin HTTP/1.1\r\nHost: somewhere\r\nUser-Agent: t\r\nConnection: close\r\n\r\n";
	struct http_server *s = &self->s;
	size_t out_len, segs[] = { 1, 2, 3, 7, 13 };
	const char *p;
	struct resp r;
	int closed, i;

	for (i = 0; i < 5; i++) {
		ASSERT_OK(exchange(s->port, req, strlen(req), segs[i], 2, out,
				   sizeof(out), &out_len, &closed));
		p = out;
		ASSERT_OK(parse_resp(&p, out + out_len, false, &r));
		ASSERT_EQ(200, r.status);
		ASSERT_TRUE(!memcmp(r.body, big_body, BIG_SIZE));
		ASSERT_EQ(1, closed);
	}
	ASSERT_EQ(IOUOPS_EXIT_OK, server_stop(s));
	ASSERT_EQ_U64(5, st_out_field(s->cmd.out, "http_200"));
	return KSFT_PASS;
}

/* ---- load: wrk and ab ---- */

/* Long enough for every connection to be served many times under TCG;
 * longer runs prove nothing more (make bench runs wrk for longer). */
#define WRK_SECS	"3s"

TEST_F_TIMEOUT(http, wrk, "http: wrk, 64 connections for 3 s per file: no errors, no non-2xx", 120)
{
	char url[128], conns[16];
	struct http_server *s = &self->s;
	struct st_cmd c;
	const char *paths[] = { "/small.bin", "/big.bin" };
	uint64_t total = 0;
	int i;

	REQUIRE_TOOL(wrk, "wrk");
	snprintf(conns, sizeof(conns), "64");
	for (i = 0; i < 2; i++) {
		unsigned long long reqs = 0;
		const char *line;

		snprintf(url, sizeof(url), "http://%s%s", s->addr, paths[i]);
		ASSERT_EQ(0, st_run(&c, NULL, NULL, wrk, "-t", "2", "-c", conns,
				    "-d", WRK_SECS, "--latency", url, NULL));
		st_diag_text("wrk: ", c.out, 0);
		ASSERT_TRUE(!st_cmd_has(&c, "Socket errors"));
		ASSERT_TRUE(!st_cmd_has(&c, "Non-2xx"));
		line = strstr(c.out, " requests in ");
		ASSERT_TRUE(line != NULL);
		while (line > c.out && line[-1] != '\n')
			line--;
		ASSERT_EQ(1, sscanf(line, " %llu requests in", &reqs));
		ASSERT_LT(64, reqs);
		total += reqs;
	}
	ASSERT_EQ(IOUOPS_EXIT_OK, server_stop(s));
	st_diag_text("server: ", s->cmd.out, 3);
	/* wrk counts answers it got; the server may have sent a few more
	 * that wrk dropped when its run ended */
	ASSERT_LE(total, st_out_field(s->cmd.out, "http_200"));
	ASSERT_EQ_U64(0, st_out_field(s->cmd.out, "http_400") +
			 st_out_field(s->cmd.out, "http_404") +
			 st_out_field(s->cmd.out, "http_405"));
	ASSERT_EQ_U64(0, st_out_field(s->cmd.out, "cq_overflow"));
	return KSFT_PASS;
}

/* The number after LABEL in ab's report, UINT64_MAX when missing. */
static uint64_t ab_field(const char *out, const char *label)
{
	const char *p = strstr(out, label);

	return p ? strtoull(p + strlen(label), NULL, 10) : UINT64_MAX;
}

/* ab stops after N requests: enough for every one of 16 connections to
 * carry dozens of keep-alive requests */
#define AB_N		500

TEST_F_TIMEOUT(http, ab, "http: ab with and without keep-alive: 0 failed, 0 non-2xx", 180)
{
	char url[128], n[16];
	struct http_server *s = &self->s;
	struct st_cmd c;
	int k;

	REQUIRE_TOOL(ab, "ab");
	snprintf(n, sizeof(n), "%d", AB_N);
	snprintf(url, sizeof(url), "http://%s/big.bin", s->addr);
	for (k = 0; k < 2; k++) {
		ASSERT_EQ(0, st_run(&c, NULL, NULL, ab, "-q", "-n", n,
				    "-c", "16", k ? "-k" : "-r", url, NULL));
		st_diag_text("ab: ", c.out, 0);
		EXPECT_EQ_U64(AB_N, ab_field(c.out, "Complete requests:"));
		EXPECT_EQ_U64(0, ab_field(c.out, "Failed requests:"));
		ASSERT_STR_HAS(c.out, "Document Length:        16384 bytes\n");
		ASSERT_TRUE(!st_cmd_has(&c, "Non-2xx"));
		if (k)
			EXPECT_EQ_U64(AB_N, ab_field(c.out, "Keep-Alive requests:"));
	}
	ASSERT_EQ(IOUOPS_EXIT_OK, server_stop(s));
	ASSERT_EQ_U64(2 * AB_N, st_out_field(s->cmd.out, "http_200"));
	ASSERT_EQ_U64(0, st_out_field(s->cmd.out, "active"));
	return KSFT_PASS;
}

/* ---- the loader's --root checks ---- */

static int root_fails(const char *root, const char *shm, const char *prog,
		      const char *want)
{
	struct st_cmd c;

	if (shm)
		ASSERT_CLI_ERROR(&c, IOUOPS_EXIT_ROOT, want, "load", prog,
				 "--listen", "127.0.0.1:0", "--root", root,
				 "--shm-size", shm);
	else if (root)
		ASSERT_CLI_ERROR(&c, IOUOPS_EXIT_ROOT, want, "load", prog,
				 "--listen", "127.0.0.1:0", "--root", root);
	else
		ASSERT_CLI_ERROR(&c, IOUOPS_EXIT_ROOT, want, "load", prog,
				 "--listen", "127.0.0.1:0");
	return KSFT_PASS;
}

#define ROOT_FAILS(...) do {						\
	if (root_fails(__VA_ARGS__))					\
		return KSFT_FAIL;					\
} while (0)

/* A docroot and an empty folder, no server: removed by the teardown. */
FIXTURE(http_root) {
	char dir[64];
	char empty[64];
};

FIXTURE_SETUP(http_root)
{
	ST_REQUIRE_FEATURE();
	ASSERT_OK(make_root(self->dir, sizeof(self->dir)));
	ASSERT_OK(st_mkdtemp(self->empty, sizeof(self->empty), "http-empty"));
	return KSFT_PASS;
}

FIXTURE_TEARDOWN(http_root)
{
	ASSERT_OK(st_remove_tree(self->dir));
	ASSERT_OK(st_remove_tree(self->empty));
	return KSFT_PASS;
}

TEST_F_TIMEOUT(http_root, errors, "http: --root missing, not a directory, empty, a name needing escaping, too big", 120)
{
	const char *dir = self->dir;
	static char big[200000];
	char path[128];

	ROOT_FAILS(NULL, NULL, "http", "give --root DIR");
	ROOT_FAILS("/nonexistent-dir", NULL, "http", "no such directory");
	snprintf(path, sizeof(path), "%s/small.bin", dir);
	ROOT_FAILS(path, NULL, "http", "not a directory");
	ROOT_FAILS(dir, NULL, "echo", "no http_files global");
	ASSERT_OK(write_file(dir, "huge.bin", big, sizeof(big)));
	ROOT_FAILS(dir, "64k", "http", "huge.bin (200000 bytes) does not fit");
	snprintf(path, sizeof(path), "%s/huge.bin", dir);
	ASSERT_OK(unlink(path));
	ASSERT_OK(write_file(dir, "a b.html", "x", 1));
	ROOT_FAILS(dir, NULL, "http", "needs escaping");
	ROOT_FAILS(self->empty, NULL, "http", "no files to serve");
	return KSFT_PASS;
}
