/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Helpers shared by the library's files; not part of the API. */
#ifndef IOUOPS_LOADER_INTERNAL_H
#define IOUOPS_LOADER_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include <unistd.h>
#include "iouops.h"

/* Format a message to the caller's log callback, if any. */
void iou_logf(const struct iou_opts *o, enum iou_log_level lvl,
	      const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Does this process hold the capabilities that loading struct_ops needs
 * (CAP_SYS_ADMIN, or CAP_BPF with CAP_PERFMON)? */
bool iou_can_load_bpf(void);

/* Close fd when the program is closed; the kept fds so far. */
int iou_prog_keep_fd(struct iou_prog *p, int fd);
size_t iou_prog_kept_fds(const struct iou_prog *p, const int **fds);

/* When libbpf's log of a failed load shows that the kernel lacks a kfunc,
 * symbol, struct field or struct_ops member the program uses, write a
 * one-line explanation naming it to why and return true. */
bool iou_explain_missing_feature(const char *log, char *why, size_t len);

/* Shared region size when the user gives none (iou_opts.shm_size = 0). */
#define IOU_DEFAULT_SHM_SIZE	(64 * 1024)

/* v rounded up to a whole number of pages (regions are mapped in pages). */
static inline size_t iou_page_align(size_t v)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);

	return (v + page - 1) & ~(page - 1);
}

/* ---- log.c: where a failure happened, and libbpf's messages ---- */

/* The stage and one-line detail of the last failure. */
struct iou_fail {
	enum iou_stage stage;
	char msg[256];
};
/* Record STAGE and the formatted detail in f; returns ERR. */
int iou_fail(struct iou_fail *f, enum iou_stage stage, int err,
	     const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* What libbpf printed while it opened or loaded one object. */
struct iou_bpf_log {
	char *text;		/* all of it, NUL-terminated (NULL: nothing) */
	size_t len;
	char *verifier;		/* the verifier log cut out of it */
};
/* Capture libbpf's messages of this thread into log, and pass them on to
 * o->log, until iou_bpf_log_end(). libbpf has one print hook per process;
 * ours stays installed and sorts the messages by thread. */
void iou_bpf_log_begin(struct iou_bpf_log *log, const struct iou_opts *o);
void iou_bpf_log_end(void);
/* Drop libbpf's messages of this thread (the kernel probe's), without
 * swapping the process-wide hook under another thread's capture. */
void iou_bpf_log_quiet(void);
/* After a failed load: cut the verifier log out, and put the last line
 * libbpf printed into f->msg. */
void iou_bpf_log_failed(struct iou_bpf_log *log, struct iou_fail *f);
void iou_bpf_log_free(struct iou_bpf_log *log);

/* ---- shm_need.c, net.c: what a program asks for before load ---- */

struct bpf_object;

/* Grow o->shm_size (0: the default) to what the program's iou_shm_need
 * asks for past the control block, before struct iou_res places its
 * buffer ring after it. -E2BIG past 4 GiB. */
int iou_shm_need_apply(struct bpf_object *obj, struct iou_opts *o);

/* struct iou_res and --listen (see iouops_shared.h). */
struct iou_netres;
/* Before the ring exists: read iou_res, validate it, create the listening
 * socket (or take LISTEN_FD, made beforehand, when >= 0: it is closed
 * with the netres, or at once when the program has no use for it), and
 * grow o->cq_entries / o->shm_size to what it needs. A failure is
 * described in *f. */
int iou_netres_prepare(struct bpf_object *obj, struct iou_opts *o,
		       struct iou_fail *f, int listen_fd,
		       struct iou_netres **out);
/* The global that receives the --listen socket: IOU_SYM_LISTEN_FD (TCP),
 * IOU_SYM_UDP_FD (UDP), or NULL when the program has neither. */
const char *iou_listen_var(struct bpf_object *obj);
/* --listen given to a program without such a global, or missing for one
 * with it: -ENOENT / -EDESTADDRREQ, stage IOU_STAGE_LISTEN, in *f. */
int iou_listen_check(struct bpf_object *obj, const struct iou_opts *o,
		     struct iou_fail *f);
/* A socket bound to SPEC ("IPv4:PORT", "[IPv6]:PORT"): UDP, or TCP and
 * listening; with SO_REUSEPORT (the shards' group) and SO_INCOMING_CPU
 * when incoming_cpu >= 0. The fd, with the bound address in *addr, or
 * -errno with stage IOU_STAGE_LISTEN and a one-line detail in *f. */
struct sockaddr_storage;
int iou_listen_open(const char *spec, bool udp, bool reuseport,
		    int incoming_cpu, struct sockaddr_storage *addr,
		    struct iou_fail *f);
/* After the shared region is registered: buffer ring, file table, and
 * the program's iou_res out fields and listen_fd. */
int iou_netres_setup(struct iou_netres *n, struct bpf_object *obj,
		     struct iou_fail *f, int ring_fd, void *shm,
		     size_t shm_size, const struct iou_opts *o);
int iou_netres_listen_addr(const struct iou_netres *n, char *buf, size_t len);
void iou_netres_free(struct iou_netres *n);
/* The resolved iou_res (NULL: the program has none). */
const struct iou_res *iou_netres_res(const struct iou_netres *n);

#endif /* IOUOPS_LOADER_INTERNAL_H */
