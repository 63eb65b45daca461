/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * http_parse.h - the HTTP/1.1 request parser of the http server, shared by
 * the BPF loop program (progs/http.bpf.c) and its userspace liburing
 * baseline (samples/http-uring.c), so both parse byte for byte alike.
 * Plain C for both sides (no loops over input, no libc): one byte at a
 * time into struct http_req, which keeps its place across buffers.
 *
 * http_feed() says what the byte completed: nothing yet, the header
 * section (then http_check() and http_keep_alive() decide the response;
 * a body of clen bytes follows, which the caller skips), or an error
 * (an HTTP_ERR_* index: respond with it and close). Limits: request line
 * and headers max_head bytes (431, or 414 while still in the request
 * line), path HTTP_PATH_MAX - 1 bytes (414), body max_body bytes (413).
 */
#ifndef IOUOPS_HTTP_PARSE_H
#define IOUOPS_HTTP_PARSE_H

#include "http_shared.h"

/* struct http_req.ps */
enum { P_METHOD, P_TARGET, P_PATH, P_QUERY, P_VERSION, P_VER_LF, P_LINE,
       P_HNAME, P_HVAL, P_HVAL_LF, P_END_LF, P_BODY, P_DEAD };
/* struct http_req.hkind: what a header is */
enum { H_OTHER, H_CONNECTION, H_CONTENT_LENGTH, H_TRANSFER_ENCODING };
/* struct http_req.rflags */
#define R_HEAD		(1U << 0)	/* method HEAD */
#define R_BADMETHOD	(1U << 1)	/* neither GET nor HEAD */
#define R_HTTP11	(1U << 2)
#define R_CLOSE		(1U << 3)	/* Connection: close */
#define R_KEEPALIVE	(1U << 4)	/* Connection: keep-alive */
#define R_HAS_CL	(1U << 5)
#define R_TE		(1U << 6)
#define R_LONGPATH	(1U << 7)

/* http_feed() results; 0 and up are HTTP_ERR_* indexes */
#define HTTP_FEED_MORE		(-1)	/* the byte completed nothing */
#define HTTP_FEED_HEADERS	(-2)	/* the header section is complete */

struct http_req {
	__u32 ps;		/* P_* */
	__u32 rflags;		/* R_* */
	__u32 req_bytes;	/* of this request's line and headers */
	__u32 mlen;
	__u32 plen;
	__u32 vpos;
	__u32 hkind;
	__u32 vlen;
	__u64 method;
	__u64 phash;		/* FNV-1a of path[0, plen) */
	__u64 hhash;
	__u64 vhash;
	__u64 clen;		/* Content-Length */
	char path[HTTP_PATH_MAX];
};

#define HTTP_INLINE	static inline __attribute__((always_inline))
#define HTTP_FNV(h, ch)	(((h) ^ (__u8)(ch)) * HTTP_FNV_PRIME)

/* FNV-1a of a literal: a constant once inlined */
HTTP_INLINE __u64 http_fnv_str(const char *s, int n)
{
	__u64 h = HTTP_FNV_OFFSET;

	for (int i = 0; i < n; i++)
		h = HTTP_FNV(h, s[i]);
	return h;
}

/* Ready for the next request. */
HTTP_INLINE void http_req_reset(struct http_req *q)
{
	q->ps = P_METHOD;
	q->rflags = 0;
	q->req_bytes = 0;
	q->mlen = 0;
	q->plen = 0;
	q->method = 0;
	q->phash = HTTP_FNV_OFFSET;
	q->clen = 0;
}

HTTP_INLINE int http_is_tchar(__u8 ch)
{
	if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	    (ch >= '0' && ch <= '9'))
		return 1;
	switch (ch) {
	case '!': case '#': case '$': case '%': case '&': case '\'': case '*':
	case '+': case '-': case '.': case '^': case '_': case '`': case '|':
	case '~':
		return 1;
	}
	return 0;
}

HTTP_INLINE __u8 http_lower(__u8 ch)
{
	return ch >= 'A' && ch <= 'Z' ? ch + 32 : ch;
}

/* The end of a header value's token (Connection: a, b). */
HTTP_INLINE void http_value_token_end(struct http_req *q)
{
	if (q->hkind == H_CONNECTION && q->vlen) {
		if (q->vhash == http_fnv_str("close", 5))
			q->rflags |= R_CLOSE;
		else if (q->vhash == http_fnv_str("keep-alive", 10))
			q->rflags |= R_KEEPALIVE;
	}
	q->vhash = HTTP_FNV_OFFSET;
	q->vlen = 0;
}

/* After HTTP_FEED_HEADERS: the error to answer with, or -1 to serve. */
HTTP_INLINE int http_check(const struct http_req *q, __u64 max_body)
{
	if (q->rflags & R_BADMETHOD)
		return HTTP_ERR_405;
	if (q->rflags & R_TE)
		return HTTP_ERR_501;
	if (q->clen > max_body)
		return HTTP_ERR_413;
	if (q->rflags & R_LONGPATH)
		return HTTP_ERR_414;
	return -1;
}

/* HTTP/1.1 unless "Connection: close", HTTP/1.0 only with keep-alive. */
HTTP_INLINE int http_keep_alive(const struct http_req *q)
{
	return (q->rflags & R_HTTP11) ? !(q->rflags & R_CLOSE) :
					!!(q->rflags & R_KEEPALIVE);
}

/* One byte of a request line or header section (not P_BODY, P_DEAD). */
HTTP_INLINE int http_feed(struct http_req *q, __u8 ch, __u32 max_head,
			  __u64 max_body)
{
	__u32 ps = q->ps;

	if (++q->req_bytes > max_head)
		return ps <= P_VERSION ? HTTP_ERR_414 : HTTP_ERR_431;
	if (ps == P_METHOD) {
		if (ch == ' ') {
			if (!q->mlen)
				return HTTP_ERR_400;
			if (q->mlen == 3 && q->method == 0x474554)	/* GET */
				;
			else if (q->mlen == 4 && q->method == 0x48454144) /* HEAD */
				q->rflags |= R_HEAD;
			else
				q->rflags |= R_BADMETHOD;
			q->ps = P_TARGET;
			return HTTP_FEED_MORE;
		}
		if (!q->mlen && (ch == '\r' || ch == '\n')) {
			q->req_bytes = 0;	/* empty lines before a request */
			return HTTP_FEED_MORE;
		}
		if (!http_is_tchar(ch))
			return HTTP_ERR_400;
		q->method = q->method << 8 | ch;
		if (q->mlen < 16)
			q->mlen++;
		return HTTP_FEED_MORE;
	}
	if (ps == P_TARGET) {
		if (ch != '/' && !(q->rflags & R_BADMETHOD))
			return HTTP_ERR_400;
		q->ps = P_PATH;
		ps = P_PATH;	/* and store it */
	}
	if (ps == P_PATH || ps == P_QUERY) {
		if (ch == ' ') {
			q->ps = P_VERSION;
			q->vpos = 0;
			return HTTP_FEED_MORE;
		}
		if (ch <= ' ' || ch >= 0x7f)
			return HTTP_ERR_400;
		if (ch == '?' || ch == '#')
			q->ps = P_QUERY;
		if (q->ps == P_QUERY)
			return HTTP_FEED_MORE;
		if (q->plen >= HTTP_PATH_MAX - 1) {
			q->rflags |= R_LONGPATH;
			return HTTP_FEED_MORE;
		}
		q->path[q->plen & (HTTP_PATH_MAX - 1)] = ch;
		q->plen++;
		q->phash = HTTP_FNV(q->phash, ch);
		return HTTP_FEED_MORE;
	}
	if (ps == P_VERSION) {
		__u32 pos = q->vpos;

		if (pos < 7) {	/* "HTTP/1." */
			if (ch != (__u8)(0x2e312f50545448ULL >> (pos * 8)))
				return HTTP_ERR_400;
		} else if (pos == 7) {
			if (ch == '1')
				q->rflags |= R_HTTP11;
			else if (ch != '0')
				return HTTP_ERR_400;
		} else if (ch == '\r') {
			q->ps = P_VER_LF;
		} else if (ch == '\n') {
			q->ps = P_LINE;
		} else {
			return HTTP_ERR_400;
		}
		q->vpos = pos + 1;
		return HTTP_FEED_MORE;
	}
	if (ps == P_VER_LF || ps == P_HVAL_LF) {
		if (ch != '\n')
			return HTTP_ERR_400;
		q->ps = P_LINE;
		return HTTP_FEED_MORE;
	}
	if (ps == P_END_LF)
		return ch == '\n' ? HTTP_FEED_HEADERS : HTTP_ERR_400;
	if (ps == P_LINE) {
		if (ch == '\r') {
			q->ps = P_END_LF;
			return HTTP_FEED_MORE;
		}
		if (ch == '\n')
			return HTTP_FEED_HEADERS;
		if (!http_is_tchar(ch))	/* obs-fold, NUL, ... */
			return HTTP_ERR_400;
		q->ps = P_HNAME;
		q->hhash = HTTP_FNV(HTTP_FNV_OFFSET, http_lower(ch));
		return HTTP_FEED_MORE;
	}
	if (ps == P_HNAME) {
		if (ch == ':') {
			__u64 h = q->hhash;

			q->hkind = H_OTHER;
			if (h == http_fnv_str("connection", 10))
				q->hkind = H_CONNECTION;
			else if (h == http_fnv_str("content-length", 14)) {
				if (q->rflags & R_HAS_CL)
					return HTTP_ERR_400;
				q->rflags |= R_HAS_CL;
				q->hkind = H_CONTENT_LENGTH;
			} else if (h == http_fnv_str("transfer-encoding", 17)) {
				q->rflags |= R_TE;
				q->hkind = H_TRANSFER_ENCODING;
			}
			q->ps = P_HVAL;
			q->vhash = HTTP_FNV_OFFSET;
			q->vlen = 0;
			return HTTP_FEED_MORE;
		}
		if (!http_is_tchar(ch))
			return HTTP_ERR_400;
		q->hhash = HTTP_FNV(q->hhash, http_lower(ch));
		return HTTP_FEED_MORE;
	}
	if (ps == P_HVAL) {
		if (ch == '\r' || ch == '\n') {
			http_value_token_end(q);
			q->ps = ch == '\r' ? P_HVAL_LF : P_LINE;
			return HTTP_FEED_MORE;
		}
		if ((ch < ' ' && ch != '\t') || ch == 0x7f)
			return HTTP_ERR_400;
		if (ch == ' ' || ch == '\t')
			return HTTP_FEED_MORE;
		if (q->hkind == H_CONTENT_LENGTH) {
			if (ch < '0' || ch > '9')
				return HTTP_ERR_400;
			if (q->clen <= max_body)	/* no overflow */
				q->clen = q->clen * 10 + (ch - '0');
			return HTTP_FEED_MORE;
		}
		if (q->hkind == H_CONNECTION) {
			if (ch == ',') {
				http_value_token_end(q);
				return HTTP_FEED_MORE;
			}
			q->vhash = HTTP_FNV(q->vhash, http_lower(ch));
			q->vlen++;
		}
		return HTTP_FEED_MORE;
	}
	return HTTP_FEED_MORE;	/* P_DEAD, P_BODY: the caller's */
}

#endif /* IOUOPS_HTTP_PARSE_H */
