// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * net.c - what a network loop program needs and cannot create itself:
 * the listening socket (--listen), a provided buffer ring whose ring and
 * buffers live in the shared region, and a sparse fixed-file table.
 *
 * The program asks through `const volatile struct iou_res iou_res` in its
 * .rodata (see iouops_shared.h). Two hooks in iou_prog_load():
 * iou_netres_prepare() before the ring exists (it sizes the CQ and the
 * shared region), iou_netres_setup() once the region is registered.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "iouops.h"
#include "loader_internal.h"
#include "object_globals.h"
#include "services/zcrx_internal.h"
#include "uring.h"

#define MAX_BUFS		32768	/* bids are 16 bits; the kernel takes < 65536 */
#define MAX_BUF_BYTES		(1ULL << 30)
#define MAX_FILES		(1U << 20)	/* IORING_MAX_FIXED_FILES */
#define MAX_CQ_ENTRIES		65536	/* 2 * IORING_MAX_ENTRIES */

struct iou_netres {
	struct iou_res res;	/* resolved copy of the program's iou_res */
	bool has_res;
	int listen_fd;
	const char *fd_var;	/* IOU_SYM_LISTEN_FD (TCP) or IOU_SYM_UDP_FD */
	struct sockaddr_storage addr;	/* what listen_fd is bound to */
};

static bool is_pow2(__u32 v)
{
	return v && !(v & (v - 1));
}

static __u32 roundup_pow2(__u64 v)
{
	__u64 r = 1;

	while (r < v)
		r <<= 1;
	return r > UINT32_MAX ? UINT32_MAX : (__u32)r;
}

/*
 * "1.2.3.4:80", "[::1]:80", "::1:80" (the last colon ends the address),
 * numeric only: a server binds what it is told, no resolver involved.
 */
int iou_parse_sockaddr(const char *s, struct sockaddr_storage *ss)
{
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
	char host[INET6_ADDRSTRLEN + 2];
	const char *colon = strrchr(s, ':');
	unsigned long port;
	size_t hlen;
	char *end;

	if (!colon || !colon[1])
		return -EINVAL;
	errno = 0;
	port = strtoul(colon + 1, &end, 10);
	if (errno || *end || port > 65535 || colon[1] == '-' || colon[1] == '+')
		return -EINVAL;
	hlen = (size_t)(colon - s);
	if (hlen >= 2 && s[0] == '[' && s[hlen - 1] == ']') {
		s++;
		hlen -= 2;
	}
	if (!hlen || hlen >= sizeof(host))
		return -EINVAL;
	memcpy(host, s, hlen);
	host[hlen] = '\0';
	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, host, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons((__u16)port);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((__u16)port);
		return 0;
	}
	return -EINVAL;
}

void iou_format_sockaddr(const struct sockaddr_storage *ss, char *buf,
			 size_t len)
{
	char host[INET6_ADDRSTRLEN];

	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const void *)ss;

		inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
		snprintf(buf, len, "[%s]:%u", host, ntohs(in6->sin6_port));
	} else {
		const struct sockaddr_in *in4 = (const void *)ss;

		inet_ntop(AF_INET, &in4->sin_addr, host, sizeof(host));
		snprintf(buf, len, "%s:%u", host, ntohs(in4->sin_port));
	}
}

const char *iou_listen_var(struct bpf_object *obj)
{
	size_t size;
	void *ptr;

	if (!iou_global_find(obj, IOU_SYM_LISTEN_FD, &ptr, &size))
		return IOU_SYM_LISTEN_FD;
	if (!iou_global_find(obj, IOU_SYM_UDP_FD, &ptr, &size))
		return IOU_SYM_UDP_FD;
	return NULL;
}

int iou_listen_check(struct bpf_object *obj, const struct iou_opts *o,
		     struct iou_fail *f)
{
	const char *var = iou_listen_var(obj);

	if (!var && o->listen)
		return iou_fail(f, IOU_STAGE_LISTEN, -ENOENT,
			"--listen given, but the program has no listen_fd or "
			"udp_fd global to receive the socket");
	if (var && !o->listen)
		return iou_fail(f, IOU_STAGE_LISTEN, -EDESTADDRREQ,
			"the program needs a socket (it has a %s global): "
			"give --listen ADDR:PORT", var);
	return 0;
}

int iou_listen_open(const char *spec, bool udp, bool reuseport,
		    int incoming_cpu, struct sockaddr_storage *addr,
		    struct iou_fail *f)
{
	socklen_t alen = sizeof(*addr);
	int one = 1, fd, err;

	if (iou_parse_sockaddr(spec, addr))
		return iou_fail(f, IOU_STAGE_LISTEN, -EINVAL,
			"--listen '%s': expected IPv4:PORT or [IPv6]:PORT "
			"(numeric, port 0-65535)", spec);
	/* a program with udp_fd gets a bound datagram socket instead */
	fd = socket(addr->ss_family, (udp ? SOCK_DGRAM : SOCK_STREAM) |
		    SOCK_CLOEXEC, 0);
	if (fd < 0)
		return iou_fail(f, IOU_STAGE_LISTEN, -errno,
				     "--listen %s: socket: %s", spec,
				     strerror(errno));
	if (udp) {
		/* UDP drops what the socket cannot queue: give bursts room
		 * (FORCE: past rmem_max, when privileged) */
		int rcvbuf = 8 << 20;

		if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf,
			       sizeof(rcvbuf)))
			setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf,
				   sizeof(rcvbuf));
	}
	/* a restarted server must not wait out TIME_WAIT; Linux still
	 * refuses a second listener on the same address, unless every
	 * one of them (shards: ours only, same user) sets SO_REUSEPORT */
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (reuseport &&
	    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one))) {
		err = -errno;
		goto fail;
	}
	/* steering: the reuseport group picks the socket whose
	 * SO_INCOMING_CPU is the CPU the packet arrived on */
	if (incoming_cpu >= 0 &&
	    setsockopt(fd, SOL_SOCKET, SO_INCOMING_CPU, &incoming_cpu,
		       sizeof(incoming_cpu))) {
		err = -errno;
		goto fail;
	}
	if (bind(fd, (struct sockaddr *)addr,
		 addr->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) :
					       sizeof(struct sockaddr_in))) {
		err = -errno;
		close(fd);
		return iou_fail(f, IOU_STAGE_LISTEN, err,
			"--listen %s: %s", spec,
			err == -EADDRINUSE ? "address already in use" :
			err == -EADDRNOTAVAIL ? "address is not local (no interface has it)" :
			strerror(-err));
	}
	if ((!udp && listen(fd, SOMAXCONN)) ||
	    getsockname(fd, (struct sockaddr *)addr, &alen)) {
		err = -errno;
		goto fail;
	}
	return fd;
fail:
	close(fd);
	return iou_fail(f, IOU_STAGE_LISTEN, err, "--listen %s: %s", spec,
			strerror(-err));
}

/* A socket made beforehand (shards: one per shard, SO_REUSEPORT) must
 * be of the kind the program's global asks for. */
static int adopt_listener(struct iou_fail *f, struct iou_netres *n, int fd)
{
	socklen_t alen = sizeof(n->addr), tlen = sizeof(int);
	int type;

	n->listen_fd = fd;	/* ours now: iou_netres_free() closes it */
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tlen) ||
	    getsockname(fd, (struct sockaddr *)&n->addr, &alen))
		return iou_fail(f, IOU_STAGE_LISTEN, -errno,
				"the listening socket given: %s",
				strerror(errno));
	if (type != (strcmp(n->fd_var, IOU_SYM_UDP_FD) ? SOCK_STREAM :
		     SOCK_DGRAM))
		return iou_fail(f, IOU_STAGE_LISTEN, -EPROTOTYPE,
				"the socket given is not the kind %s takes",
				n->fd_var);
	return 0;
}

/* files_var: the user sizes the file table through a named global. */
static int resolve_files(struct bpf_object *obj, struct iou_fail *f,
			 struct iou_res *r)
{
	char name[sizeof(r->files_var) + 1];
	size_t size;
	void *ptr;
	__u32 v, max = r->files_max ? r->files_max : MAX_FILES;

	memcpy(name, r->files_var, sizeof(r->files_var));
	name[sizeof(r->files_var)] = '\0';
	if (!name[0])
		return 0;
	if (iou_global_find(obj, name, &ptr, &size) || size != sizeof(__u32))
		return iou_fail(f, IOU_STAGE_RESOURCES, -EINVAL,
			"iou_res.files_var names '%s', which is not a __u32 "
			"global of the program", name);
	memcpy(&v, ptr, sizeof(v));
	if (!v || v > max)
		return iou_fail(f, IOU_STAGE_SET, -ERANGE,
				     "%s=%u is out of range: must be 1..%u",
				     name, v, max);
	r->files = v;
	return 0;
}

static int check_res(struct bpf_object *obj, struct iou_fail *f,
		     struct iou_res *r)
{
	int err = resolve_files(obj, f, r);

	if (err)
		return err;
	if (r->bufs && (!is_pow2(r->bufs) || r->bufs > MAX_BUFS))
		return iou_fail(f, IOU_STAGE_RESOURCES, -EINVAL,
			"iou_res.bufs=%u: must be a power of two up to %u",
			r->bufs, MAX_BUFS);
	if (r->bufs && (!r->buf_size ||
			(__u64)r->bufs * r->buf_size > MAX_BUF_BYTES))
		return iou_fail(f, IOU_STAGE_RESOURCES, -EINVAL,
			"iou_res: %u buffers of %u bytes: need 1 byte to "
			"1 GiB in all", r->bufs, r->buf_size);
	if (r->bgid > 0xffff)
		return iou_fail(f, IOU_STAGE_RESOURCES, -EINVAL,
			"iou_res.bgid=%u: must be below 65536", r->bgid);
	if (r->files > MAX_FILES)
		return iou_fail(f, IOU_STAGE_RESOURCES, -EINVAL,
			"iou_res.files=%u: at most %u", r->files, MAX_FILES);
	return 0;
}

int iou_netres_prepare(struct bpf_object *obj, struct iou_opts *o,
		       struct iou_fail *f, int listen_fd,
		       struct iou_netres **out)
{
	struct iou_netres *n;
	struct iou_res *r;
	size_t size, base, total;
	void *ptr;
	int err;

	n = calloc(1, sizeof(*n));
	if (!n) {
		if (listen_fd >= 0)
			close(listen_fd);
		return -ENOMEM;
	}
	n->listen_fd = -1;
	*out = n;
	r = &n->res;

	if (!iou_global_find(obj, IOU_SYM_RES, &ptr, &size)) {
		if (size != sizeof(*r))
			return iou_fail(f, IOU_STAGE_RESOURCES, -EINVAL,
				"iou_res is %zu bytes, expected struct iou_res "
				"(%zu): rebuild against this iouops_shared.h",
				size, sizeof(*r));
		memcpy(r, ptr, sizeof(*r));
		n->has_res = true;
		err = check_res(obj, f, r);
		if (err)
			return err;
	}

	n->fd_var = iou_listen_var(obj);
	err = iou_listen_check(obj, o, f);
	if (err || !n->fd_var) {
		if (listen_fd >= 0)
			close(listen_fd);
		if (err)
			return err;
	} else if (listen_fd >= 0) {
		err = adopt_listener(f, n, listen_fd);
		if (err)
			return err;
	} else {
		err = iou_listen_open(o->listen,
				      !strcmp(n->fd_var, IOU_SYM_UDP_FD),
				      false, -1, &n->addr, f);
		if (err < 0)
			return err;
		n->listen_fd = err;
	}

	if (!n->has_res) {
		if (o->zcrx)
			return iou_fail(f, IOU_STAGE_ZCRX, -EINVAL,
				"--zcrx: the program declares no zcrx area "
				"(it has no iou_res)");
		return 0;
	}
	if (r->cqe32)
		o->cqe32 = true;
	if (!o->cq_entries && (r->bufs || r->files)) {
		__u64 need = (__u64)r->bufs + (__u64)r->files * r->cq_per_file +
			     r->cq_extra;
		__u32 cq = roundup_pow2(need);

		if (cq > MAX_CQ_ENTRIES)
			cq = MAX_CQ_ENTRIES;
		/* the kernel wants CQ >= SQ; never go below its default */
		if (cq > 2 * (o->sq_entries ? o->sq_entries : 64))
			o->cq_entries = cq;
	}
	if (r->bufs) {
		base = iou_page_align(o->shm_size ? o->shm_size : IOU_DEFAULT_SHM_SIZE);
		r->bufring_off = (__u32)base;
		base += iou_page_align((size_t)r->bufs * sizeof(struct io_uring_buf));
		r->bufs_off = (__u32)base;
		total = base + iou_page_align((size_t)r->bufs * r->buf_size);
		if (total > UINT32_MAX)
			return iou_fail(f, IOU_STAGE_RESOURCES, -E2BIG,
				"iou_res: shared region of %zu bytes is too big",
				total);
		o->shm_size = total;
	}
	return iou_zcrx_prepare(obj, r, o, f);
}

/* The table may not exceed RLIMIT_NOFILE: raise it when allowed. */
static int fit_nofile(__u32 files)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		return -errno;
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < files) {
		rl.rlim_cur = files;
		if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < files)
			rl.rlim_max = files;	/* needs CAP_SYS_RESOURCE */
		if (setrlimit(RLIMIT_NOFILE, &rl))
			return -EMFILE;
	}
	return 0;
}

static int setup_bufring(struct iou_netres *n, int ring_fd, __u8 *shm)
{
	struct iou_res *r = &n->res;
	struct io_uring_buf_reg reg;
	struct io_uring_buf *b;
	__u16 *tail;
	__u32 i;
	int err;

	memset(&reg, 0, sizeof(reg));
	reg.ring_addr = (uintptr_t)(shm + r->bufring_off);
	reg.ring_entries = r->bufs;
	reg.bgid = (__u16)r->bgid;
	err = iou_sys_register(ring_fd, IORING_REGISTER_PBUF_RING, &reg, 1);
	if (err < 0)
		return err;
	/* Every buffer starts in the ring. An entry's last 16 bits overlap
	 * the ring's tail (entry 0's resv is the tail): never write them. */
	for (i = 0; i < r->bufs; i++) {
		b = (struct io_uring_buf *)(shm + r->bufring_off) + i;
		b->addr = (uintptr_t)(shm + r->bufs_off) + (__u64)i * r->buf_size;
		b->len = r->buf_size;
		b->bid = (__u16)i;
	}
	tail = (__u16 *)(shm + r->bufring_off + 14);
	__atomic_store_n(tail, (__u16)r->bufs, __ATOMIC_RELEASE);
	return 0;
}

static int setup_files(__u32 files, int ring_fd)
{
	struct io_uring_rsrc_register rr;
	int err;

	err = fit_nofile(files);
	if (err)
		return err;
	memset(&rr, 0, sizeof(rr));
	rr.nr = files;
	rr.flags = IORING_RSRC_REGISTER_SPARSE;
	err = iou_sys_register(ring_fd, IORING_REGISTER_FILES2, &rr,
			       sizeof(rr));
	return err < 0 ? err : 0;
}

int iou_netres_setup(struct iou_netres *n, struct bpf_object *obj,
		     struct iou_fail *f, int ring_fd, void *shm,
		     size_t shm_size, const struct iou_opts *o)
{
	struct iou_res *r = &n->res;
	size_t size;
	void *ptr;
	int err;

	if (n->has_res) {
		if (r->bufs && (size_t)r->bufs_off +
			       (size_t)r->bufs * r->buf_size > shm_size)
			return iou_fail(f, IOU_STAGE_RESOURCES, -EINVAL,
				"shared region too small for the buffer ring");
		if (r->bufs) {
			err = setup_bufring(n, ring_fd, shm);
			if (err)
				return iou_fail(f, IOU_STAGE_RESOURCES, err,
					"registering the buffer ring (%u x %u "
					"bytes, group %u) failed: %s", r->bufs,
					r->buf_size, r->bgid, strerror(-err));
		}
		if (r->files) {
			err = setup_files(r->files, ring_fd);
			if (err)
				return iou_fail(f, IOU_STAGE_RESOURCES, err,
					"registering %u fixed-file slots failed: "
					"%s%s", r->files, strerror(-err),
					err == -EMFILE ? " (RLIMIT_NOFILE)" : "");
		}
		err = iou_zcrx_setup(r, ring_fd, shm, shm_size, o, f);
		if (err)
			return err;
		if (iou_global_find(obj, IOU_SYM_RES, &ptr, &size) ||
		    size != sizeof(*r))
			return -EINVAL;
		memcpy(ptr, r, sizeof(*r));
	}
	if (n->listen_fd >= 0) {
		if (iou_global_find(obj, n->fd_var, &ptr, &size) ||
		    size != sizeof(int))
			return iou_fail(f, IOU_STAGE_LISTEN, -EINVAL,
				"the program's %s is not an int", n->fd_var);
		memcpy(ptr, &n->listen_fd, sizeof(int));
	}
	return 0;
}

int iou_netres_listen_addr(const struct iou_netres *n, char *buf, size_t len)
{
	if (n->listen_fd < 0)
		return -ENOTCONN;
	iou_format_sockaddr(&n->addr, buf, len);
	return 0;
}

const struct iou_res *iou_netres_res(const struct iou_netres *n)
{
	return n && n->has_res ? &n->res : NULL;
}

void iou_netres_free(struct iou_netres *n)
{
	if (!n)
		return;
	if (n->listen_fd >= 0)
		close(n->listen_fd);
	free(n);
}
