/* SPDX-License-Identifier: GPL-2.0 */
/*
 * http_request.bpf.h - the request side of progs/http.bpf.c: received
 * bytes to queued responses. Each buffer of a connection's FIFO is fed
 * byte by byte to the parser (http_parse.h, shared with
 * samples/http-uring.c); a complete header section is answered by
 * finding its file in the --root table (or the error entry) and queueing
 * that response, at most RQ per connection; a closing error stops the
 * parsing of the connection.
 *
 * Not a standalone header: http.bpf.c includes it after its connection
 * record, globals, counters and buffer FIFO helpers (pop_head,
 * drop_queue), which it uses.
 */
#ifndef IOUOPS_HTTP_REQUEST_BPF_H
#define IOUOPS_HTTP_REQUEST_BPF_H

/* The file whose name is the parsed path, or the 404 entry. */
static __always_inline __u32 lookup(__u8 *shm, struct conn *c)
{
	__u32 nslots = http_files.nslots, plen = c->req.plen;
	int k, i;

	if (!nslots || !http_files.nserved)
		return http_files.err_file[HTTP_ERR_404];
	bpf_for(k, 0, HTTP_MAX_PROBE) {
		__u32 s = ((__u32)c->req.phash + (__u32)k) & (nslots - 1);
		__u32 soff = http_files.slots_off + s * 4, idx, foff, noff;
		struct http_file *f;
		int same = 1;

		if (soff > iou_layout.mem_size - 4)
			break;
		idx = *(__u32 *)(shm + soff);
		if (!idx || idx > http_files.nserved)
			break;
		foff = http_files.files_off + (idx - 1) * sizeof(struct http_file);
		if (foff > iou_layout.mem_size - sizeof(struct http_file))
			break;
		f = (struct http_file *)(shm + foff);
		if (f->hash != c->req.phash || f->name_len != plen)
			continue;
		noff = f->name_off;
		if (noff > iou_layout.mem_size - HTTP_PATH_MAX)
			break;
		bpf_for(i, 0, HTTP_PATH_MAX) {
			if ((__u32)i >= plen)
				break;
			if (shm[noff + i] != (__u8)c->req.path[i & (HTTP_PATH_MAX - 1)]) {
				same = 0;
				break;
			}
		}
		if (same)
			return idx - 1;
	}
	return http_files.err_file[HTTP_ERR_404];
}

static __always_inline void count_status(__u32 status)
{
	cnt[C_REQUESTS]++;
	if (status == 200)
		cnt[C_200]++;
	else if (status == 404)
		cnt[C_404]++;
	else if (status == 400)
		cnt[C_400]++;
	else if (status == 405)
		cnt[C_405]++;
	else if (status == 501)
		cnt[C_501]++;
	else
		cnt[C_4XX_LIMIT]++;
}

/* Queue a response; a closing one ends the parsing of this connection. */
static __always_inline void respond(struct conn *c, __u32 file, __u32 qflags,
				    __u32 status)
{
	c->rq[c->rq_tail & (RQ - 1)] = file << 8 | qflags;
	c->rq_tail++;
	count_status(status);
	if (qflags & Q_CLOSE) {
		c->flags |= F_LAST;
		c->req.ps = P_DEAD;
	}
}

/* An error response (HTTP_ERR_* err), then close. */
static __always_inline void respond_err(struct conn *c, int err)
{
	static const __u16 status[8] = {	/* by HTTP_ERR_* */
		[HTTP_ERR_400] = 400, [HTTP_ERR_404] = 404, [HTTP_ERR_405] = 405,
		[HTTP_ERR_413] = 413, [HTTP_ERR_414] = 414, [HTTP_ERR_431] = 431,
		[HTTP_ERR_501] = 501,
	};

	c->flags |= F_ERRCLOSE;
	respond(c, http_files.err_file[err & 7],
		Q_CLOSE | (c->req.rflags & R_HEAD), status[err & 7]);
}

static __always_inline void headers_done(__u8 *shm, struct conn *c)
{
	int err = http_check(&c->req, max_body), keep;
	__u32 file;

	if (err >= 0) {
		respond_err(c, err);
		return;
	}
	keep = http_keep_alive(&c->req);
	file = lookup(shm, c);
	respond(c, file, (c->req.rflags & R_HEAD) | (keep ? 0 : Q_CLOSE),
		file == http_files.err_file[HTTP_ERR_404] ? 404 : 200);
	if (!keep)
		return;
	if (c->req.clen) {
		c->body_left = c->req.clen;
		c->req.ps = P_BODY;
		return;
	}
	http_req_reset(&c->req);
}

/* One byte of a request line or header section. */
static __always_inline void feed(__u8 *shm, struct conn *c, __u8 ch)
{
	int ret = http_feed(&c->req, ch, max_head, max_body);

	if (ret == HTTP_FEED_HEADERS)
		headers_done(shm, c);
	else if (ret >= 0)
		respond_err(c, ret);
}

/* Parse buffer bytes [c->head_off, len) of buffer bid; returns where it
 * stopped: len, or earlier when the response queue is full. The cursor
 * lives in the connection (memory), so the verifier sees one pass. */
static __always_inline __u32 parse_buf(__u8 *shm, struct conn *c, __u32 bid,
				       __u32 len)
{
	__u64 base = iou_buf_off(bid);
	int i;

	if (base > iou_layout.mem_size - BUF_SIZE)
		return len;
	bpf_for(i, 0, BUF_SIZE) {
		__u32 pos = c->head_off;

		if (pos >= len || c->req.ps == P_DEAD)
			return len;
		if (c->rq_tail - c->rq_head >= RQ)
			return pos;
		if (c->req.ps == P_BODY) {
			__u64 skip = len - pos;

			if (skip > c->body_left)
				skip = c->body_left;
			c->body_left -= skip;
			c->head_off = pos + (__u32)skip;
			if (!c->body_left)
				http_req_reset(&c->req);
			continue;
		}
		c->head_off = pos + 1;
		feed(shm, c, shm[base + (pos & (BUF_SIZE - 1))]);
	}
	return c->head_off;
}

/* Parse what has been received, as far as the response queue allows. */
static __always_inline void process(__u8 *shm, struct conn *c)
{
	int k;

	bpf_for(k, 0, CONN_BUFS + 4) {
		__u32 bid, len, off;

		if (c->head == IOU_CONN_NO_BUF)
			break;
		if (c->req.ps == P_DEAD) {
			drop_queue(shm, c);
			break;
		}
		if (c->rq_tail - c->rq_head >= RQ)
			break;
		bid = c->head & (BUF_CAP - 1);
		len = buf_len[bid];
		off = parse_buf(shm, c, bid, len);
		if (off >= len)
			pop_head(shm, c);
		else
			break;		/* the queue is full */
	}
}

#endif /* IOUOPS_HTTP_REQUEST_BPF_H */
