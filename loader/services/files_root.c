// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * files_root.c - --root DIR: lay out the files a web server program
 * serves in the shared region (progs/http_shared.h has the layout).
 *
 * Files are fixed at start: the loader reads each one once, builds its
 * response header (status line, Server, Content-Type from the extension,
 * Content-Length), and the program sends header, a connection piece and
 * body with one sendmsg. Names are URL paths as sent ("/dir/a.html");
 * only characters that need no escaping in a URL are served, so the
 * program compares request paths byte for byte. Dot files are skipped;
 * "/" and "/dir/" are aliases of an index.html there.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "files_root_internal.h"
#include "http_shared.h"
#include "loader_internal.h"
#include "object_globals.h"

#define MAX_DEPTH	16
#define HDR_MAX		256

struct root_file {
	char *name;		/* URL path */
	char *path;		/* file system path, NULL for error entries */
	char hdr[HDR_MAX];
	const char *body;	/* error entries: the body text */
	size_t size;
	unsigned status;
	int alias_of;		/* -1, or the entry whose bytes it shares */
	struct http_file f;	/* offsets, filled by layout() */
};

struct iou_root {
	const char *dir;
	struct root_file *files;
	size_t nr, cap;
	size_t nserved;		/* files of DIR and aliases, first in files[] */
	unsigned long long bound;
	bool user_bound;
	struct http_files hf;	/* what the program gets */
	size_t area;		/* bytes from hf.root_off */
};

static const char *const conn_piece[HTTP_NR_CONN] = {
	[HTTP_CONN_KEEPALIVE] = "Connection: keep-alive\r\n\r\n",
	[HTTP_CONN_CLOSE] = "Connection: close\r\n\r\n",
};

static const struct { unsigned status; const char *reason, *extra; } errs[HTTP_NR_ERR] = {
	[HTTP_ERR_400] = { 400, "Bad Request", "" },
	[HTTP_ERR_404] = { 404, "Not Found", "" },
	[HTTP_ERR_405] = { 405, "Method Not Allowed", "Allow: GET, HEAD\r\n" },
	[HTTP_ERR_413] = { 413, "Content Too Large", "" },
	[HTTP_ERR_414] = { 414, "URI Too Long", "" },
	[HTTP_ERR_431] = { 431, "Request Header Fields Too Large", "" },
	[HTTP_ERR_501] = { 501, "Not Implemented", "" },
};

static const struct { const char *ext, *type; } types[] = {
	{ "html", "text/html; charset=utf-8" }, { "htm", "text/html; charset=utf-8" },
	{ "css", "text/css" }, { "js", "text/javascript" }, { "mjs", "text/javascript" },
	{ "json", "application/json" }, { "txt", "text/plain; charset=utf-8" },
	{ "xml", "application/xml" }, { "svg", "image/svg+xml" },
	{ "png", "image/png" }, { "jpg", "image/jpeg" }, { "jpeg", "image/jpeg" },
	{ "gif", "image/gif" }, { "webp", "image/webp" }, { "ico", "image/x-icon" },
	{ "wasm", "application/wasm" }, { "pdf", "application/pdf" },
	{ "woff2", "font/woff2" }, { "woff", "font/woff" }, { "mp4", "video/mp4" },
	{ "gz", "application/gzip" }, { "tar", "application/x-tar" },
};

static const char *content_type(const char *name)
{
	const char *dot = strrchr(name, '.'), *slash = strrchr(name, '/');
	size_t i;

	if (dot && (!slash || dot > slash))
		for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
			if (!strcasecmp(dot + 1, types[i].ext))
				return types[i].type;
	return "application/octet-stream";
}

__u64 iou_http_hash(const char *s, size_t len);
__u64 iou_http_hash(const char *s, size_t len)
{
	__u64 h = HTTP_FNV_OFFSET;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= HTTP_FNV_PRIME;
	}
	return h;
}

static bool url_safe(const char *s)
{
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || strchr("-._~", *s)))
			return false;
	return true;
}

static struct root_file *add(struct iou_root *rt)
{
	struct root_file *f;

	if (rt->nr == rt->cap) {
		size_t cap = rt->cap ? 2 * rt->cap : 64;

		f = realloc(rt->files, cap * sizeof(*f));
		if (!f)
			return NULL;
		rt->files = f;
		rt->cap = cap;
	}
	f = &rt->files[rt->nr++];
	memset(f, 0, sizeof(*f));
	f->alias_of = -1;
	return f;
}

/* Every failure here is a --root failure: one line in *why. */
#define fail(why, err, ...) iou_fail(why, IOU_STAGE_ROOT, err, __VA_ARGS__)

/* Every regular file under fs path DIR, as URL prefix URL. */
static int scan(struct iou_fail *why, struct iou_root *rt, const char *dir,
		const char *url, int depth)
{
	struct dirent *de;
	struct stat st;
	char fs[PATH_MAX], name[HTTP_PATH_MAX + 8];
	struct root_file *f;
	int err = 0;
	DIR *d;

	if (depth > MAX_DEPTH)
		return fail(why, -ELOOP, "--root %s: directories nest deeper than "
			    "%d levels at %s", rt->dir, MAX_DEPTH, dir);
	d = opendir(dir);
	if (!d)
		return fail(why, -errno, "--root %s: cannot read %s: %s", rt->dir,
			    dir, strerror(errno));
	while (!err && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;	/* ., .. and dot files are not served */
		if ((size_t)snprintf(fs, sizeof(fs), "%s/%s", dir, de->d_name) >=
		    sizeof(fs)) {
			err = fail(why, -ENAMETOOLONG, "--root %s: path too long: "
				   "%s/%s", rt->dir, dir, de->d_name);
			break;
		}
		if (stat(fs, &st))
			continue;	/* a dangling link */
		if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode))
			continue;
		if (!url_safe(de->d_name)) {
			err = fail(why, -EINVAL, "--root %s: '%s' needs escaping "
				   "in a URL (names may use A-Z a-z 0-9 - . _ ~)",
				   rt->dir, fs);
			break;
		}
		if ((size_t)snprintf(name, sizeof(name), "%s/%s", url,
				     de->d_name) >= HTTP_PATH_MAX) {
			err = fail(why, -ENAMETOOLONG, "--root %s: URL of %s is "
				   "longer than %d bytes", rt->dir, fs,
				   HTTP_PATH_MAX - 1);
			break;
		}
		if (S_ISDIR(st.st_mode)) {
			err = scan(why, rt, fs, name, depth + 1);
			continue;
		}
		f = add(rt);
		if (!f || !(f->name = strdup(name)) || !(f->path = strdup(fs))) {
			err = -ENOMEM;
			break;
		}
		f->size = (size_t)st.st_size;
		f->status = 200;
		snprintf(f->hdr, sizeof(f->hdr), "HTTP/1.1 200 OK\r\nServer: "
			 "iouops\r\nContent-Type: %s\r\nContent-Length: %zu\r\n",
			 content_type(name), f->size);
	}
	closedir(d);
	return err;
}

/* "/" and "/dir/" for every index.html. */
static int add_aliases(struct iou_root *rt)
{
	size_t i, n = rt->nr, len;
	struct root_file *f;

	for (i = 0; i < n; i++) {
		const char *name = rt->files[i].name;

		len = strlen(name);
		if (len < 11 || strcmp(name + len - 11, "/index.html"))
			continue;
		f = add(rt);
		if (!f)
			return -ENOMEM;
		*f = rt->files[i];
		f->path = NULL;
		f->alias_of = (int)i;
		f->name = strndup(rt->files[i].name, len - 10);
		if (!f->name)
			return -ENOMEM;
	}
	return 0;
}

static int add_errors(struct iou_root *rt)
{
	struct root_file *f;
	char *body;
	int i;

	for (i = 0; i < HTTP_NR_ERR; i++) {
		f = add(rt);
		if (!f || asprintf(&body, "%u %s\n", errs[i].status,
				   errs[i].reason) < 0)
			return -ENOMEM;
		f->name = strdup("");
		f->body = body;
		f->size = strlen(body);
		f->status = errs[i].status;
		snprintf(f->hdr, sizeof(f->hdr), "HTTP/1.1 %u %s\r\nServer: "
			 "iouops\r\n%sContent-Type: text/plain\r\n"
			 "Content-Length: %zu\r\n", errs[i].status,
			 errs[i].reason, errs[i].extra, f->size);
		rt->hf.err_file[i] = (__u32)(rt->nr - 1);
		if (!f->name)
			return -ENOMEM;
	}
	return 0;
}

static size_t align8(size_t v)
{
	return (v + 7) & ~(size_t)7;
}

/* Offsets from the area's start (root_off added by iou_root_place). The
 * size of everything up to entry i is returned in *upto[i] for the error
 * that names the file which crosses the bound. */
static size_t layout(struct iou_root *rt, size_t *upto)
{
	struct http_files *hf = &rt->hf;
	size_t off, i;
	int c;

	off = align8(rt->nr * sizeof(struct http_file));
	hf->files_off = 0;
	hf->slots_off = (__u32)off;
	off += align8(hf->nslots * sizeof(__u32));
	for (c = 0; c < HTTP_NR_CONN; c++) {
		hf->conn_off[c] = (__u32)off;
		hf->conn_len[c] = (__u32)strlen(conn_piece[c]);
		off += align8(hf->conn_len[c]);
	}
	for (i = 0; i < rt->nr; i++) {
		struct root_file *f = &rt->files[i];

		f->f.name_off = (__u32)off;
		f->f.name_len = (__u32)strlen(f->name);
		off += align8(f->f.name_len);
		if (f->alias_of >= 0) {
			struct http_file *o = &rt->files[f->alias_of].f;

			f->f.hdr_off = o->hdr_off;
			f->f.hdr_len = o->hdr_len;
			f->f.body_off = o->body_off;
			f->f.body_len = o->body_len;
		} else {
			f->f.hdr_off = (__u32)off;
			f->f.hdr_len = (__u32)strlen(f->hdr);
			off += align8(f->f.hdr_len);
			off = (off + 63) & ~(size_t)63;
			f->f.body_off = (__u32)off;
			f->f.body_len = (__u32)f->size;
			off += align8(f->size);
		}
		f->f.status = f->status;
		f->f.hash = f->status == 200 ? iou_http_hash(f->name,
							      f->f.name_len) : 0;
		if (upto)
			upto[i] = off;
	}
	return off;
}

/* Open addressing with linear probing; grow until no name sits more
 * than HTTP_MAX_PROBE slots from its home. */
static int build_slots(struct iou_root *rt, __u32 **out)
{
	__u32 nslots = 16, *slots, s;
	size_t i;
	int k;

	while (nslots < 2 * rt->nserved)
		nslots *= 2;
	for (;;) {
		slots = calloc(nslots, sizeof(*slots));
		if (!slots)
			return -ENOMEM;
		for (i = 0; i < rt->nserved; i++) {
			__u64 h = iou_http_hash(rt->files[i].name,
						strlen(rt->files[i].name));

			for (k = 0; k < HTTP_MAX_PROBE; k++) {
				s = (__u32)(h + (__u64)k) & (nslots - 1);
				if (!slots[s])
					break;
			}
			if (k == HTTP_MAX_PROBE)
				break;
			slots[s] = (__u32)i + 1;
		}
		if (i == rt->nserved)
			break;
		free(slots);
		if (nslots >= (1U << 24))
			return -E2BIG;
		nslots *= 2;
	}
	rt->hf.nslots = nslots;
	*out = slots;
	return 0;
}

int iou_root_prepare(struct bpf_object *obj, const struct iou_opts *o,
		     struct iou_fail *why, struct iou_root **out)
{
	struct iou_root *rt;
	struct stat st;
	size_t size, i, *upto, total;
	__u32 *slots = NULL;
	void *ptr;
	int err;

	*out = NULL;
	if (iou_global_find(obj, IOU_SYM_HTTP_FILES, &ptr, &size)) {
		if (o->root)
			return fail(why, -ENOENT, "--root given, but the program "
				    "has no " IOU_SYM_HTTP_FILES " global to receive the files");
		return 0;
	}
	if (size != sizeof(struct http_files))
		return fail(why, -EINVAL, IOU_SYM_HTTP_FILES " is %zu bytes, expected "
			    "struct http_files (%zu): rebuild against this "
			    "http_shared.h", size, sizeof(struct http_files));
	if (!o->root)
		return fail(why, -EDESTADDRREQ, "the program serves files (it "
			    "has an " IOU_SYM_HTTP_FILES " global): give --root DIR");
	if (stat(o->root, &st))
		return fail(why, -errno, "--root %s: %s", o->root,
			    errno == ENOENT ? "no such directory" : strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return fail(why, -ENOTDIR, "--root %s: not a directory", o->root);

	rt = calloc(1, sizeof(*rt));
	if (!rt)
		return -ENOMEM;
	*out = rt;
	rt->dir = o->root;
	rt->user_bound = o->shm_size != 0;
	rt->bound = o->shm_size ? o->shm_size : IOU_ROOT_DEFAULT_MAX;
	err = scan(why, rt, o->root, "", 0);
	if (err)
		return err;
	if (!rt->nr)
		return fail(why, -ENOENT, "--root %s: no files to serve (dot "
			    "files and special files are skipped)", o->root);
	err = add_aliases(rt);
	rt->nserved = rt->nr;
	if (!err)
		err = add_errors(rt);
	if (!err)
		err = build_slots(rt, &slots);
	if (err)
		return err == -ENOMEM ? err :
		       fail(why, err, "--root %s: cannot hash %zu names", o->root,
			    rt->nserved);
	free(slots);	/* rebuilt in setup, once the offsets are known */

	upto = calloc(rt->nr, sizeof(*upto));
	if (!upto)
		return -ENOMEM;
	total = layout(rt, upto);
	for (i = 0; i < rt->nr && total > rt->bound; i++) {
		if (upto[i] <= rt->bound)
			continue;
		err = fail(why, -EFBIG, "--root %s: %s (%zu bytes) does not fit: "
			   "the files need %zu bytes of shared memory, %s allows "
			   "%llu%s", o->root, rt->files[i].path ?
			   rt->files[i].path : rt->files[i].name,
			   rt->files[i].size, total, rt->user_bound ?
			   "--shm-size" : "the default", rt->bound,
			   rt->user_bound ? "" : " (give --shm-size)");
		break;
	}
	free(upto);
	if (err)
		return err;
	rt->area = total;
	rt->hf.nfiles = (__u32)rt->nr;
	rt->hf.nserved = (__u32)rt->nserved;
	return 0;
}

int iou_root_place(struct iou_root *rt, struct iou_opts *o,
		   struct iou_fail *why)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE), base;

	if (!rt)
		return 0;
	base = o->shm_size ? o->shm_size : IOU_DEFAULT_SHM_SIZE;
	base = (base + page - 1) & ~(page - 1);
	if (base + rt->area > UINT32_MAX)
		return fail(why, -E2BIG, "--root %s: the shared region would "
			    "exceed 4 GiB", rt->dir);
	rt->hf.root_off = (__u32)base;
	rt->hf.root_size = (__u32)rt->area;
	o->shm_size = base + rt->area;
	iou_logf(o, IOU_LOG_INFO, "root: %zu files, %zu bytes at region "
		 "offset %zu", rt->nserved, rt->area, base);
	return 0;
}

static int read_file(struct iou_fail *why, struct iou_root *rt,
		     struct root_file *f, __u8 *dst)
{
	size_t done = 0;
	ssize_t n;
	char extra;
	int fd = open(f->path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return fail(why, -errno, "--root %s: cannot open %s: %s", rt->dir,
			    f->path, strerror(errno));
	while (done < f->size) {
		n = read(fd, dst + done, f->size - done);
		if (n <= 0)
			break;
		done += (size_t)n;
	}
	n = read(fd, &extra, 1);
	close(fd);
	if (done != f->size || n != 0)
		return fail(why, -EIO, "--root %s: %s changed while loading it",
			    rt->dir, f->path);
	return 0;
}

int iou_root_setup(struct iou_root *rt, struct bpf_object *obj,
		   struct iou_fail *why, void *shm, size_t shm_size)
{
	struct http_files *hf;
	__u8 *area;
	__u32 *slots;
	size_t size, i;
	void *ptr;
	int c, err;

	if (!rt)
		return 0;
	hf = &rt->hf;
	if ((size_t)hf->root_off + rt->area > shm_size)
		return fail(why, -EINVAL, "--root: shared region too small");
	area = (__u8 *)shm + hf->root_off;
	for (c = 0; c < HTTP_NR_CONN; c++)
		memcpy(area + hf->conn_off[c], conn_piece[c], hf->conn_len[c]);
	for (i = 0; i < rt->nr; i++) {
		struct root_file *f = &rt->files[i];

		memcpy(area + f->f.name_off, f->name, f->f.name_len);
		if (f->alias_of >= 0)
			continue;
		memcpy(area + f->f.hdr_off, f->hdr, f->f.hdr_len);
		if (f->body)
			memcpy(area + f->f.body_off, f->body, f->size);
		else if (f->size) {
			err = read_file(why, rt, f, area + f->f.body_off);
			if (err)
				return err;
		}
	}
	/* offsets from here on are from the region's start */
	for (i = 0; i < rt->nr; i++) {
		struct http_file hfile = rt->files[i].f;

		hfile.name_off += hf->root_off;
		hfile.hdr_off += hf->root_off;
		hfile.body_off += hf->root_off;
		memcpy(area + hf->files_off + i * sizeof(hfile), &hfile,
		       sizeof(hfile));
	}
	err = build_slots(rt, &slots);
	if (err)
		return err;
	memcpy(area + hf->slots_off, slots, hf->nslots * sizeof(__u32));
	free(slots);
	hf->files_off += hf->root_off;
	hf->slots_off += hf->root_off;
	for (c = 0; c < HTTP_NR_CONN; c++)
		hf->conn_off[c] += hf->root_off;
	hf->magic = HTTP_FILES_MAGIC;
	if (iou_global_find(obj, IOU_SYM_HTTP_FILES, &ptr, &size) ||
	    size != sizeof(*hf))
		return -EINVAL;
	memcpy(ptr, hf, sizeof(*hf));
	return 0;
}

void iou_root_free(struct iou_root *rt)
{
	size_t i;

	if (!rt)
		return;
	for (i = 0; i < rt->nr; i++) {
		free(rt->files[i].name);
		free(rt->files[i].path);
		free((char *)rt->files[i].body);
	}
	free(rt->files);
	free(rt);
}
