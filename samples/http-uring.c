// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * http-uring: progs/http.bpf.c's design as a userspace liburing loop, the
 * baseline for the in-kernel HTTP server.
 *
 *	http-uring --listen 127.0.0.1:8080 --root DIR [--max-conns N]
 *
 * Same ring (SINGLE_ISSUER | DEFER_TASKRUN), same resources (sparse
 * fixed-file table, 1024 x 4 KiB provided buffer ring), same requests
 * (multishot accept direct, multishot recv with buffer select, one
 * sendmsg of prepared [header, connection, body] pieces per batch of
 * queued responses, one in flight per connection, close direct), same
 * parser (a byte state machine that keeps its place across buffers) and
 * limits. Files are read once at start. Differences: every batch of
 * completions goes through io_uring_enter() to userspace, and an error
 * response is followed by a close without the BPF server's linger.
 * The ring, listening socket and buffer ring are uring_server.h's, as
 * for echo-uring.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <liburing.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "http_parse.h"

#define NBUFS		1024
#define BUF_SIZE	4096
#define SRV_NBUFS	NBUFS
#define SRV_BUF_SIZE	BUF_SIZE
#include "uring_server.h"

#define BGID		0
#define RQ		8
#define CONN_BUFS	16
#define NO_BUF		0xffff
#define MAX_HEAD	8192
#define MAX_BODY	(1 << 20)

enum { OP_ACCEPT = 1, OP_RECV, OP_SEND, OP_CLOSE, OP_CANCEL };
#define UD(op, gen, slot) (((uint64_t)(op) << 56) | ((uint64_t)((gen) & 0xffff) << 32) | (slot))

struct file {
	char *name;
	char hdr[256];
	size_t hdr_len;
	char *body;
	size_t body_len;
	int status;
};

static struct file *files;
static size_t nfiles, nserved;
static uint32_t *slots, nslots;
static int err_file[HTTP_NR_ERR];
static const char conn_ka[] = "Connection: keep-alive\r\n\r\n";
static const char conn_close[] = "Connection: close\r\n\r\n";

enum { CONN_FREE, CONN_OPEN, CONN_CLOSING };
#define F_RECV		(1U << 0)
#define F_SEND		(1U << 1)
#define F_EOF		(1U << 2)
#define F_ERROR		(1U << 3)
#define F_CANCEL	(1U << 4)
#define F_LAST		(1U << 5)

#define Q_HEAD		(1U << 0)
#define Q_CLOSE		(1U << 1)

struct conn {
	uint32_t state, flags, gen, head, tail, nbufs, head_off;
	struct http_req req;	/* the parser: progs/http_parse.h */
	uint64_t body_left;
	uint32_t rq_head, rq_tail, rq[RQ], send_skip, send_n, send_len;
	struct msghdr msg;
	struct iovec iov[3 * RQ];
	char path[HTTP_PATH_MAX];
};

static struct uring_server srv = { .name = "http-uring" };
static struct conn *conns;
static uint16_t buf_next[NBUFS];
static uint32_t buf_len[NBUFS];
static unsigned max_conns = 1024;
static bool stopping;
static uint64_t accepted, closed, requests, bytes_in, bytes_out, errors, nobufs;

/* ---- files ---- */

static const char *ctype(const char *name)
{
	static const char *const t[][2] = {
		{ "html", "text/html; charset=utf-8" }, { "htm", "text/html; charset=utf-8" },
		{ "css", "text/css" }, { "js", "text/javascript" },
		{ "json", "application/json" }, { "txt", "text/plain; charset=utf-8" },
		{ "svg", "image/svg+xml" }, { "png", "image/png" },
		{ "jpg", "image/jpeg" }, { "gif", "image/gif" },
	};
	const char *dot = strrchr(name, '.');

	for (size_t i = 0; dot && i < sizeof(t) / sizeof(t[0]); i++)
		if (!strcasecmp(dot + 1, t[i][0]))
			return t[i][1];
	return "application/octet-stream";
}

static struct file *add_file(void)
{
	static size_t cap;

	if (nfiles == cap) {
		cap = cap ? 2 * cap : 64;
		files = realloc(files, cap * sizeof(*files));
		if (!files)
			exit(1);
	}
	memset(&files[nfiles], 0, sizeof(files[0]));
	return &files[nfiles++];
}

static int scan(const char *dir, const char *url)
{
	char fs[PATH_MAX], name[HTTP_PATH_MAX + 8];
	struct dirent *de;
	struct stat st;
	DIR *d = opendir(dir);

	if (!d)
		return -1;
	while ((de = readdir(d))) {
		struct file *f;
		int fd;

		if (de->d_name[0] == '.')
			continue;
		snprintf(fs, sizeof(fs), "%s/%s", dir, de->d_name);
		if ((size_t)snprintf(name, sizeof(name), "%s/%s", url,
				     de->d_name) >= HTTP_PATH_MAX || stat(fs, &st))
			continue;
		if (S_ISDIR(st.st_mode)) {
			scan(fs, name);
			continue;
		}
		if (!S_ISREG(st.st_mode))
			continue;
		f = add_file();
		f->name = strdup(name);
		f->body_len = (size_t)st.st_size;
		f->body = malloc(f->body_len + 1);
		fd = open(fs, O_RDONLY);
		if (!f->name || !f->body || fd < 0 ||
		    read(fd, f->body, f->body_len) != (ssize_t)f->body_len) {
			fprintf(stderr, "http-uring: cannot read %s\n", fs);
			exit(1);
		}
		close(fd);
		f->status = 200;
		f->hdr_len = (size_t)snprintf(f->hdr, sizeof(f->hdr),
			"HTTP/1.1 200 OK\r\nServer: iouops\r\nContent-Type: %s\r\n"
			"Content-Length: %zu\r\n", ctype(name), f->body_len);
		if (strlen(name) >= 11 && !strcmp(name + strlen(name) - 11,
						 "/index.html")) {
			struct file *a = add_file();

			f = a - 1;
			*a = *f;
			a->name = strndup(name, strlen(name) - 10);
		}
	}
	closedir(d);
	return 0;
}

static int load_root(const char *root)
{
	static const struct { int status; const char *reason, *extra; } e[] = {
		{ 400, "Bad Request", "" }, { 404, "Not Found", "" },
		{ 405, "Method Not Allowed", "Allow: GET, HEAD\r\n" },
		{ 413, "Content Too Large", "" }, { 414, "URI Too Long", "" },
		{ 431, "Request Header Fields Too Large", "" },
		{ 501, "Not Implemented", "" },
	};

	if (scan(root, "") || !nfiles)
		return -1;
	nserved = nfiles;
	for (int i = 0; i < HTTP_NR_ERR; i++) {
		struct file *f = add_file();

		f->name = strdup("");
		if (asprintf(&f->body, "%d %s\n", e[i].status, e[i].reason) < 0)
			exit(1);
		f->body_len = strlen(f->body);
		f->status = e[i].status;
		f->hdr_len = (size_t)snprintf(f->hdr, sizeof(f->hdr),
			"HTTP/1.1 %d %s\r\nServer: iouops\r\n%sContent-Type: "
			"text/plain\r\nContent-Length: %zu\r\n", e[i].status,
			e[i].reason, e[i].extra, f->body_len);
		err_file[i] = (int)(nfiles - 1);
	}
	for (nslots = 16; nslots < 2 * nserved; nslots *= 2)
		;
	slots = calloc(nslots, sizeof(*slots));
	for (size_t i = 0; i < nserved; i++) {
		uint64_t h = HTTP_FNV_OFFSET;

		for (const char *p = files[i].name; *p; p++)
			h = HTTP_FNV(h, (uint8_t)*p);
		for (uint32_t s = (uint32_t)h;; s++)
			if (!slots[s & (nslots - 1)]) {
				slots[s & (nslots - 1)] = (uint32_t)i + 1;
				break;
			}
	}
	return 0;
}

static int lookup(struct conn *c)
{
	for (uint32_t s = (uint32_t)c->req.phash;; s++) {
		uint32_t idx = slots[s & (nslots - 1)];

		if (!idx)
			return err_file[HTTP_ERR_404];
		if (strlen(files[idx - 1].name) == c->req.plen &&
		    !memcmp(files[idx - 1].name, c->req.path, c->req.plen))
			return (int)idx - 1;
	}
}

/* ---- requests: progs/http_parse.h, as progs/http.bpf.c parses ---- */

static void respond(struct conn *c, int file, uint32_t q)
{
	c->rq[c->rq_tail++ % RQ] = (uint32_t)file << 8 | q;
	requests++;
	if (q & Q_CLOSE) {
		c->flags |= F_LAST;
		c->req.ps = P_DEAD;
	}
}

static void respond_err(struct conn *c, int err)
{
	respond(c, err_file[err], Q_CLOSE | (c->req.rflags & R_HEAD));
}

static void headers_done(struct conn *c)
{
	int err = http_check(&c->req, MAX_BODY);
	bool keep;

	if (err >= 0) {
		respond_err(c, err);
		return;
	}
	keep = http_keep_alive(&c->req);
	respond(c, lookup(c), (c->req.rflags & R_HEAD) | (keep ? 0 : Q_CLOSE));
	if (!keep)
		return;
	if (c->req.clen) {
		c->body_left = c->req.clen;
		c->req.ps = P_BODY;
		return;
	}
	http_req_reset(&c->req);
}

static void feed(struct conn *c, uint8_t ch)
{
	int ret = http_feed(&c->req, ch, MAX_HEAD, MAX_BODY);

	if (ret == HTTP_FEED_HEADERS)
		headers_done(c);
	else if (ret >= 0)
		respond_err(c, ret);
}

/* ---- the loop ---- */

static void cancel_recv(struct conn *c, unsigned slot)
{
	if (!(c->flags & F_RECV) || (c->flags & F_CANCEL))
		return;
	c->flags |= F_CANCEL;
	srv_cancel(&srv, UD(OP_RECV, c->gen, slot), UD(OP_CANCEL, 0, 0));
}

static void maybe_recv(struct conn *c, unsigned slot)
{
	struct io_uring_sqe *sqe;

	if (c->state != CONN_OPEN || stopping || c->nbufs ||
	    (c->flags & (F_RECV | F_EOF | F_ERROR | F_LAST)))
		return;
	sqe = srv_get_sqe(&srv);
	io_uring_prep_recv_multishot(sqe, (int)slot, NULL, 0, 0);
	sqe->flags |= IOSQE_FIXED_FILE | IOSQE_BUFFER_SELECT;
	sqe->buf_group = BGID;
	io_uring_sqe_set_data64(sqe, UD(OP_RECV, c->gen, slot));
	c->flags |= F_RECV;
	srv.outstanding++;
}

static void pop_head(struct conn *c)
{
	unsigned bid = c->head;

	c->head = buf_next[bid];
	if (c->head == NO_BUF)
		c->tail = NO_BUF;
	c->head_off = 0;
	c->nbufs--;
	srv_recycle(&srv, bid);
}

static void process(struct conn *c)
{
	while (c->head != NO_BUF && c->rq_tail - c->rq_head < RQ) {
		uint8_t *b = srv.bufs + (size_t)c->head * BUF_SIZE;
		uint32_t len = buf_len[c->head];

		while (c->head_off < len && c->req.ps != P_DEAD &&
		       c->rq_tail - c->rq_head < RQ) {
			if (c->req.ps == P_BODY) {
				uint64_t skip = len - c->head_off;

				if (skip > c->body_left)
					skip = c->body_left;
				c->body_left -= skip;
				c->head_off += (uint32_t)skip;
				if (!c->body_left)
					http_req_reset(&c->req);
				continue;
			}
			feed(c, b[c->head_off++]);
		}
		if (c->head_off < len && c->req.ps != P_DEAD)
			break;
		pop_head(c);
	}
}

static void send_queued(struct conn *c, unsigned slot)
{
	uint32_t skip = c->send_skip, n = 0, total = 0, nent = 0;
	struct io_uring_sqe *sqe;

	if ((c->flags & (F_SEND | F_ERROR)) || c->rq_head == c->rq_tail)
		return;
	for (uint32_t q = c->rq_head; q != c->rq_tail; q++, nent++) {
		uint32_t e = c->rq[q % RQ];
		struct file *f = &files[e >> 8];
		struct iovec pc[3] = {
			{ f->hdr, f->hdr_len },
			{ (void *)((e & Q_CLOSE) ? conn_close : conn_ka),
			  (e & Q_CLOSE) ? sizeof(conn_close) - 1 : sizeof(conn_ka) - 1 },
			{ f->body, (e & Q_HEAD) ? 0 : f->body_len },
		};

		for (int p = 0; p < 3; p++) {
			if (skip >= pc[p].iov_len) {
				skip -= (uint32_t)pc[p].iov_len;
				continue;
			}
			c->iov[n].iov_base = (char *)pc[p].iov_base + skip;
			c->iov[n].iov_len = pc[p].iov_len - skip;
			total += (uint32_t)c->iov[n].iov_len;
			skip = 0;
			n++;
		}
	}
	memset(&c->msg, 0, sizeof(c->msg));
	c->msg.msg_iov = c->iov;
	c->msg.msg_iovlen = n;
	sqe = srv_get_sqe(&srv);
	io_uring_prep_sendmsg(sqe, (int)slot, &c->msg, MSG_NOSIGNAL | MSG_WAITALL);
	sqe->flags |= IOSQE_FIXED_FILE;
	io_uring_sqe_set_data64(sqe, UD(OP_SEND, c->gen, slot));
	c->send_n = nent;
	c->send_len = total;
	c->flags |= F_SEND;
	srv.outstanding++;
}

static void maybe_close(struct conn *c, unsigned slot)
{
	struct io_uring_sqe *sqe;
	bool done = c->rq_head == c->rq_tail && !(c->flags & F_SEND);

	if (c->state != CONN_OPEN)
		return;
	if (!(c->flags & F_ERROR) &&
	    !((c->flags & (F_EOF | F_LAST)) || stopping))
		return;
	if (!(c->flags & F_ERROR) && !done)
		return;
	if (c->flags & F_RECV) {
		cancel_recv(c, slot);
		return;
	}
	if (c->flags & F_SEND)
		return;
	while (c->head != NO_BUF)
		pop_head(c);
	sqe = srv_get_sqe(&srv);
	io_uring_prep_close_direct(sqe, slot);
	io_uring_sqe_set_data64(sqe, UD(OP_CLOSE, c->gen, slot));
	c->state = CONN_CLOSING;
	srv.outstanding++;
}

static void on_accept(struct io_uring_cqe *cqe)
{
	struct conn *c;

	if (!(cqe->flags & IORING_CQE_F_MORE)) {
		srv.accept_armed = false;
		srv.outstanding--;
	}
	if (cqe->res < 0)
		return;
	c = &conns[cqe->res];
	c->state = CONN_OPEN;
	c->flags = 0;
	c->gen++;
	c->head = c->tail = NO_BUF;
	c->nbufs = c->head_off = 0;
	c->rq_head = c->rq_tail = c->send_skip = 0;
	http_req_reset(&c->req);
	accepted++;
	maybe_recv(c, (unsigned)cqe->res);
	maybe_close(c, (unsigned)cqe->res);
}

static void on_recv(struct io_uring_cqe *cqe, struct conn *c, unsigned slot)
{
	bool more = cqe->flags & IORING_CQE_F_MORE;
	unsigned bid;

	if (!more) {
		c->flags &= ~(F_RECV | F_CANCEL);
		srv.outstanding--;
	}
	if (cqe->res > 0 && (cqe->flags & IORING_CQE_F_BUFFER)) {
		bid = cqe->flags >> IORING_CQE_BUFFER_SHIFT;
		bytes_in += (uint64_t)cqe->res;
		if (c->req.ps == P_DEAD || (c->flags & F_ERROR)) {
			srv_recycle(&srv, bid);
		} else {
			buf_len[bid] = (uint32_t)cqe->res;
			buf_next[bid] = NO_BUF;
			if (c->tail == NO_BUF)
				c->head = bid;
			else
				buf_next[c->tail] = (uint16_t)bid;
			c->tail = bid;
			c->nbufs++;
			process(c);
			send_queued(c, slot);
			if (more && c->nbufs >= CONN_BUFS)
				cancel_recv(c, slot);
		}
		if (!more)
			maybe_recv(c, slot);
	} else if (cqe->res == 0) {
		c->flags |= F_EOF;
	} else if (cqe->res == -ENOBUFS) {
		nobufs++;
		maybe_recv(c, slot);	/* buffers come back as others send */
	} else if (cqe->res == -ECANCELED) {
		maybe_recv(c, slot);
	} else if (cqe->res < 0) {
		errors++;
		c->flags |= F_ERROR;
	}
	maybe_close(c, slot);
}

static void on_send(struct io_uring_cqe *cqe, struct conn *c, unsigned slot)
{
	c->flags &= ~F_SEND;
	srv.outstanding--;
	if (cqe->res > 0) {
		bytes_out += (uint64_t)cqe->res;
		if ((uint32_t)cqe->res >= c->send_len) {
			c->rq_head += c->send_n;
			c->send_skip = 0;
		} else {
			c->send_skip += (uint32_t)cqe->res;
		}
		process(c);
		send_queued(c, slot);
		maybe_recv(c, slot);
	} else {
		errors++;
		c->flags |= F_ERROR;
	}
	maybe_close(c, slot);
}

static int setup(const char *listen_s)
{
	conns = calloc(max_conns, sizeof(*conns));
	if (!conns)
		return 1;
	/* the CQ as the loader sizes it for http.bpf.c */
	return srv_setup(&srv, listen_s, 8192, max_conns, BGID);
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "root", required_argument, NULL, 'r' },
		{ "max-conns", required_argument, NULL, 'm' },
		{ 0 },
	};
	const char *listen_s = NULL, *root = NULL;
	unsigned long long v;
	int c, err;

	while ((c = getopt_long(argc, argv, "l:r:m:", lo, NULL)) != -1) {
		if (c == 'l')
			listen_s = optarg;
		else if (c == 'r')
			root = optarg;
		else if (c == 'm' && !iou_parse_size(optarg, &v) && v &&
			 v <= 65536)
			max_conns = (unsigned)v;
		else
			goto usage;
	}
	if (!listen_s || !root || optind != argc)
		goto usage;
	if (load_root(root)) {
		fprintf(stderr, "http-uring: --root %s: not a directory with "
			"files\n", root);
		return 1;
	}
	err = setup(listen_s);
	if (err)
		return err;
	srv_catch_signals();

	srv_arm_accept(&srv, UD(OP_ACCEPT, 0, 0));
	while (!stopping || srv.outstanding) {
		struct io_uring_cqe *cqe;
		unsigned head, n = 0;

		if (srv_submit_and_wait(&srv))
			return 1;
		io_uring_for_each_cqe(&srv.ring, head, cqe) {
			uint64_t ud = cqe->user_data;
			unsigned op = (unsigned)(ud >> 56), slot = (uint32_t)ud;
			struct conn *cn = &conns[slot % max_conns];

			n++;
			if (op == OP_ACCEPT) {
				on_accept(cqe);
			} else if (op == OP_CANCEL) {
				srv.outstanding--;
			} else if (op == OP_RECV) {
				on_recv(cqe, cn, slot);
			} else if (op == OP_SEND) {
				on_send(cqe, cn, slot);
			} else if (op == OP_CLOSE) {
				cn->state = CONN_FREE;
				cn->flags = 0;
				srv.outstanding--;
				closed++;
			}
		}
		io_uring_cq_advance(&srv.ring, n);
		if (srv_stop_req && !stopping) {
			stopping = true;
			if (srv.accept_armed)
				srv_cancel(&srv, UD(OP_ACCEPT, 0, 0), UD(OP_CANCEL, 0, 0));
			for (unsigned s = 0; s < max_conns; s++) {
				if (conns[s].state != CONN_OPEN)
					continue;
				cancel_recv(&conns[s], s);
				maybe_close(&conns[s], s);
			}
		}
		if (!stopping && !srv.accept_armed)
			srv_arm_accept(&srv, UD(OP_ACCEPT, 0, 0));
	}
	printf("requests=%llu accepted=%llu closed=%llu bytes_in=%llu "
	       "bytes_out=%llu errors=%llu nobufs=%llu\n",
	       (unsigned long long)requests, (unsigned long long)accepted,
	       (unsigned long long)closed, (unsigned long long)bytes_in,
	       (unsigned long long)bytes_out, (unsigned long long)errors,
	       (unsigned long long)nobufs);
	io_uring_queue_exit(&srv.ring);
	return 0;
usage:
	fprintf(stderr, "usage: http-uring --listen ADDR:PORT --root DIR "
		"[--max-conns N]\n");
	return 2;
}
