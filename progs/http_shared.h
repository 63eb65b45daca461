/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * http_shared.h - the file table that `iouops load http --root DIR` lays
 * out in the shared region for progs/http.bpf.c (and samples/http-uring).
 *
 * The loader (loader/services/files_root.c) scans DIR before load and
 * places, at http_files.root_off of the shared region:
 *
 *	struct http_file files[nfiles]	served files, then one entry per
 *					error response (err_file[] indexes)
 *	__u32 slots[nslots]		open-addressing hash of the names:
 *					file index + 1, 0 = empty; a name
 *					sits at most HTTP_MAX_PROBE slots
 *					after hash & (nslots - 1)
 *	names, header pieces, bodies	bytes the entries point to
 *	connection pieces		"Connection: keep-alive\r\n\r\n" and
 *					"Connection: close\r\n\r\n"
 *
 * A response is three pieces sent with one sendmsg: the entry's header
 * (status line, Server, Content-Type, Content-Length, each ending in
 * CRLF), a connection piece (which also ends the header section), and
 * the body (not for HEAD). The loader writes struct http_files into the
 * program's .rodata global `http_files` before load, so every offset and
 * count is a constant to the verifier.
 */
#ifndef IOUOPS_HTTP_SHARED_H
#define IOUOPS_HTTP_SHARED_H

#ifndef __bpf__
#include <linux/types.h>
#endif

#define HTTP_PATH_MAX		256	/* longest name, "/" included */
#define HTTP_MAX_PROBE		8	/* hash slots looked at per lookup */
#define HTTP_FILES_MAGIC	0x70747468U	/* "http" */

/* FNV-1a, 64 bit, over the request path as sent ("/dir/name.html"). */
#define HTTP_FNV_OFFSET		0xcbf29ce484222325ULL
#define HTTP_FNV_PRIME		0x100000001b3ULL

/* Error responses, in err_file[] order. */
enum http_err {
	HTTP_ERR_400, HTTP_ERR_404, HTTP_ERR_405, HTTP_ERR_413, HTTP_ERR_414,
	HTTP_ERR_431, HTTP_ERR_501, HTTP_NR_ERR
};

enum http_conn_piece { HTTP_CONN_KEEPALIVE, HTTP_CONN_CLOSE, HTTP_NR_CONN };

struct http_file {
	__u64 hash;		/* FNV-1a of the name; 0 for error entries */
	__u32 name_off;		/* region offsets of the name, the header */
	__u32 name_len;		/* piece and the body */
	__u32 hdr_off;
	__u32 hdr_len;
	__u32 body_off;
	__u32 body_len;
	__u32 status;		/* 200, or the error's status */
	__u32 __pad;
};

struct http_files {
	__u32 magic;		/* HTTP_FILES_MAGIC once the loader filled it */
	__u32 root_off;		/* region offset of the area (page aligned) */
	__u32 root_size;	/* bytes of the area */
	__u32 nfiles;		/* entries in files[], error entries included */
	__u32 nserved;		/* of which files of DIR (and the "/" alias) */
	__u32 nslots;		/* hash slots, a power of two */
	__u32 files_off;	/* region offset of files[] */
	__u32 slots_off;	/* region offset of slots[] */
	__u32 conn_off[HTTP_NR_CONN];
	__u32 conn_len[HTTP_NR_CONN];
	__u32 err_file[HTTP_NR_ERR];	/* index in files[] */
	__u32 __pad;
};

#endif /* IOUOPS_HTTP_SHARED_H */
