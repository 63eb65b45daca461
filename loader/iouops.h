/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * iouops.h - load, attach and run io_uring BPF loop programs.
 *
 * Userspace only. Every function returns 0 (or a count) on success and a
 * negative errno on failure; none prints or exits. Diagnostics go to the
 * log callback (libbpf's messages included, the verifier log among them).
 *
 * Life of a program:
 *
 *	struct iou_prog *p;
 *	iou_prog_open("nops.bpf.o", &opts, &p);	// parse the object
 *	iou_prog_set(p, "qd", "64");		// optional globals
 *	iou_prog_load(p);			// ring, shm, layout, verifier
 *	iou_prog_attach(p);			// install on the ring
 *	iou_prog_run(p);			// io_uring_enter() until STOP
 *	iou_prog_close(p);			// detach, free everything
 *
 * Userspace talks to the running program only through shared memory:
 * iou_prog_ctl() (control block, counters, exit info) and
 * iou_prog_request_stop().
 *
 * Installed: #include <iouops/iouops.h>, build with
 * `pkg-config --cflags --libs iouops` (static libiouops.a plus libbpf).
 * Not thread-safe per program; libbpf's print hook is process-wide, so
 * open and load programs from one thread at a time.
 */
#ifndef IOUOPS_H
#define IOUOPS_H

#ifdef __bpf__
#error "iouops.h is for userspace; BPF programs include iouops.bpf.h"
#endif

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "iouops_shared.h"	/* installed beside it; -Iprogs in the tree */

#define IOUOPS_VERSION "0.1.0"

enum iou_log_level { IOU_LOG_WARN, IOU_LOG_INFO, IOU_LOG_DEBUG };
typedef void (*iou_log_fn)(enum iou_log_level level, const char *msg,
			   void *cookie);

/* Where a failing call stopped; iou_prog_error_stage() returns it. */
enum iou_stage {
	IOU_STAGE_NONE,
	IOU_STAGE_OPEN,		/* file missing, unreadable, not BPF ELF */
	IOU_STAGE_NO_OPS,	/* no io_uring_bpf_ops struct_ops map */
	IOU_STAGE_SET,		/* unknown global or bad value */
	IOU_STAGE_PERM,		/* not allowed: needs root (CAP_BPF...) */
	IOU_STAGE_KERNEL,	/* kernel lacks io_uring BPF ops */
	IOU_STAGE_RING,		/* io_uring_setup() refused */
	IOU_STAGE_REGION,	/* IORING_REGISTER_MEM_REGION refused */
	IOU_STAGE_VERIFIER,	/* bpf_object__load() refused */
	IOU_STAGE_ATTACH,	/* attaching to the ring refused */
	IOU_STAGE_RUN,		/* io_uring_enter() failed */
	IOU_STAGE_LISTEN,	/* --listen: bad address, in use, not local,
				 * or the program has no listen_fd */
	IOU_STAGE_RESOURCES,	/* struct iou_res: bad value, or the buffer
				 * ring / file table registration refused */
	IOU_STAGE_ZCRX,		/* --zcrx: not declared, too big, no
				 * CAP_NET_ADMIN, or the kernel refused */
	IOU_STAGE_ROOT,		/* --root: missing, not a directory, no
				 * files, a name needing escaping, too big */
};

struct iou_opts {
	unsigned sq_entries;	/* 0: 64 */
	unsigned cq_entries;	/* 0: 2 * sq_entries */
	size_t shm_size;	/* 0: 64 KiB; rounded up to pages */
	/* Ring mode. -1: default (SQ_REWIND when the kernel has it),
	 * 1: force IORING_SETUP_SQ_REWIND, 0: classic SQ head/tail. */
	int sq_rewind;
	bool no_defer_taskrun;	/* for experiments: kernel must refuse */
	bool cqe32;		/* IORING_SETUP_CQE32: 32-byte CQEs (also
				 * when the program's iou_res.cqe32 is 1) */
	/* Register a device-less zcrx ifq (ZCRX_REG_NODEV) with the area
	 * and refill queue the program's iou_res declares; needs
	 * CAP_NET_ADMIN. Implies cqe32. services/zcrx.c */
	bool zcrx;
	iou_log_fn log;		/* NULL: silent */
	void *log_cookie;
	bool libbpf_debug;	/* forward libbpf debug messages too */
	/* TCP listening socket for a program with a `listen_fd` global:
	 * "IPv4:PORT", "[IPv6]:PORT" (port 0: any free port). */
	const char *listen;
	/* Directory whose files a program with an `http_files` global
	 * serves (progs/http_shared.h), loaded into the shared region. */
	const char *root;
};

struct iou_prog;

/*
 * Open a BPF object and find its io_uring_bpf_ops map. Needs no privilege.
 * opts may be NULL (all defaults); it is copied. Returns 0 and the program
 * in *out, or (with *out = NULL): -ENOENT, -EACCES, -ENOTDIR... the file
 * cannot be read; -EISDIR: path is a directory; -ENOEXEC: not a 64-bit
 * BPF ELF object, or libbpf cannot parse it; -ESRCH: no
 * io_uring_bpf_ops struct_ops map (a CO-RE flavour such as
 * io_uring_bpf_ops___v2 counts); -ENOMEM.
 */
int iou_prog_open(const char *path, const struct iou_opts *opts,
		  struct iou_prog **out);

/*
 * Set a global of the program (in .rodata, .data or .bss) before load.
 * VALUE is a number (decimal, 0x hex, negative allowed, k/m/g suffixes for
 * KiB/MiB/GiB) or a ring-layout field resolved at load time: @sq_entries,
 * @cq_entries, @sq_mask, @cq_mask, @sq_off.head|tail|ring_mask|
 * ring_entries|flags|dropped|array, @cq_off.head|tail|ring_mask|
 * ring_entries|overflow|cqes|flags, @rings_size, @sqes_size, @shm_size,
 * @shm_uaddr, @setup_flags, @ring_fd. Several sets of one name: the last
 * wins. Returns 0, or -ENOENT: no such global (the object needs BTF);
 * -EINVAL: value unparsable, an unknown @field, negative for an unsigned
 * variable, too big for the variable, or the variable is not a 1, 2, 4 or
 * 8-byte integer; -EBUSY: already loaded; -ENOMEM.
 */
int iou_prog_set(struct iou_prog *p, const char *name, const char *value);

/*
 * Paths: a global NAME followed by .MEMBER and [INDEX] steps
 * (ri.cq_off.head, cfg.ports[2]), resolved through the object's BTF
 * (typedefs, nested and anonymous structs and unions, arrays), down to an
 * integer of 1, 2, 4 or 8 bytes (or an enum) or a pointer. iou_prog_set()
 * takes a path as its name; a pointer leaf takes @shm_uaddr or a number.
 * With iou_prog_set_shm_type() the pseudo-global IOU_SHM_PSEUDO_GLOBAL
 * ("shm") names the shared region as that struct. Path errors: -ENOENT
 * (no such global or member), -ERANGE (index out of range, value does not
 * fit), -EINVAL (through a pointer, a bitfield, a float, a struct or
 * array leaf, malformed), each with a one-line iou_prog_error_msg().
 */
#define IOU_SHM_PSEUDO_GLOBAL	"shm"

/*
 * Lay the shared region out as the program's own struct TYPE ("name" or
 * "struct name", or a typedef of a struct) at offset 0, with no iouops
 * control block: for programs that keep their state at the start of the
 * region. Then iou_prog_ctl() is NULL and iou_prog_request_stop() only
 * makes the next signal end iou_prog_run() (there is no stop request to
 * deliver). The region grows to sizeof(TYPE) when no size was given.
 * Before load, before any set of shm.*. -ENOENT: no such struct; -E2BIG:
 * larger than opts.shm_size.
 */
int iou_prog_set_shm_type(struct iou_prog *p, const char *type);

/*
 * iou_prog_set_shm_type() looks for TYPE in the object's BTF, then in its
 * DWARF (.debug_info, from clang -g): clang writes no BTF for a struct
 * that the program only reaches through a local pointer, the usual way a
 * program keeps its state in the region. The DWARF is read with elfutils'
 * libdw and the struct rebuilt as BTF, so its paths are the same.
 * iou_object_dwarf_structs() lists those structs of the BPF object at
 * PATH: fn gets each named struct that DWARF has and BTF lacks, once,
 * sorted by name. Returns 0, fn's non-zero return, -ENODATA (no DWARF:
 * built without -g, or stripped) or another -errno.
 */
struct iou_dwarf_struct {
	const char *name;
	size_t size;
	unsigned int members;
	int err;		/* 0: usable; else -errno and why (one line) */
	const char *why;
};
int iou_object_dwarf_structs(const char *path,
			     int (*fn)(const struct iou_dwarf_struct *s,
				       void *cookie),
			     void *cookie);

/* What a path names. section: ".bss", ".data", ".rodata"... or "shm". */
struct iou_var_info {
	const char *section;
	size_t offset;		/* in its section, or in the region */
	unsigned size;		/* 1, 2, 4 or 8 */
	bool is_signed;
	bool is_pointer;
};
/* Resolve PATH without reading it (errors as above). */
int iou_prog_var_info(struct iou_prog *p, const char *path,
		      struct iou_var_info *info);
/* A number VALUE as the bits PATH would hold (two's complement, zero
 * extended): -ERANGE when it does not fit, -EINVAL when not a number. */
int iou_prog_var_encode(struct iou_prog *p, const char *path,
			const char *value, unsigned long long *raw);
/* PATH's current bits: the object's data before load, the live map
 * (.bss/.data, and the frozen .rodata) after it, or the region. -ENODATA:
 * shm before load. info may be NULL. */
int iou_prog_var_read(struct iou_prog *p, const char *path,
		      unsigned long long *raw, struct iou_var_info *info);
/* raw as text: signed or unsigned decimal, 0x hex for pointers. */
void iou_var_format(const struct iou_var_info *info, unsigned long long raw,
		    char *buf, size_t len);
/* Call fn for every integer global of .bss and .data (sections' order,
 * then declaration order) with its current bits, until it returns
 * non-zero (which is returned). */
int iou_prog_for_each_int_global(struct iou_prog *p,
				 int (*fn)(const char *name,
					   const struct iou_var_info *info,
					   unsigned long long raw, void *cookie),
				 void *cookie);

/*
 * Create the ring (SINGLE_ISSUER | DEFER_TASKRUN | NO_SQARRAY [|
 * SQ_REWIND]), register the shared memory region, write iou_layout and
 * the --set values into the program, set ring_fd and load (verify) it.
 * Returns 0, or a negative errno with iou_prog_error_stage() telling which
 * step failed and iou_prog_error_msg() a one-line detail:
 *  -EBUSY: already loaded;
 *  -EOPNOTSUPP (IOU_STAGE_KERNEL): the kernel lacks io_uring BPF ops, or a
 *   kfunc, struct member or ops callback the program uses (named);
 *  -EPERM (IOU_STAGE_PERM): needs CAP_SYS_ADMIN, or CAP_BPF + CAP_PERFMON;
 *  IOU_STAGE_RING: io_uring_setup()'s errno (-EINVAL: sizes or flags
 *   refused, -ENOMEM, -EPERM: io_uring disabled by sysctl, -EMFILE);
 *  IOU_STAGE_REGION: -ENOMEM (RLIMIT_MEMLOCK), -E2BIG (over 4 GiB) or the
 *   errno of memfd_create/ftruncate/mmap/IORING_REGISTER_MEM_REGION;
 *  -EINVAL (IOU_STAGE_SET): an @field of iou_prog_set() that does not
 *   fit, or a malformed iou_layout or ops map in the object;
 *  IOU_STAGE_VERIFIER: bpf_object__load()'s errno (-EACCES or -EINVAL
 *   from the verifier, whose log iou_prog_verifier_log() returns; -E2BIG,
 *   -ENOMEM). The ring and region stay allocated until iou_prog_close().
 */
int iou_prog_load(struct iou_prog *p);

/*
 * Open PATH for the program and store the fd in its integer global NAME
 * (before load); the file stays open until iou_prog_close(). IN: read
 * only. OUT: write only, created (0644) and truncated. Directories are
 * refused (-EISDIR), and so is an OUT that is an IN already given
 * (-EEXIST: truncating it would lose the data). -ESRCH: no global NAME;
 * -EINVAL: NAME cannot hold an fd, or PATH is not a file, device, pipe or
 * socket; other errors: open's. files.c
 */
enum iou_file_mode { IOU_FILE_IN, IOU_FILE_OUT };
int iou_prog_set_file(struct iou_prog *p, const char *name, const char *path,
		      enum iou_file_mode mode);

/* Load onto the ring (and shared region) of another loaded program
 * instead of new ones; owner must outlive p. Errors as iou_prog_load(),
 * plus -EBADF: owner has no ring. Each ring takes one attached program
 * at a time. */
int iou_prog_load_on_ring_of(struct iou_prog *p, const struct iou_prog *owner);

/* Attach the ops to the ring. Returns 0, or -EINVAL: not loaded;
 * -EALREADY: attached already; -EBUSY: the ring already has a program;
 * -EOPNOTSUPP: ring mode not supported (no DEFER_TASKRUN, or SQPOLL or
 * IOPOLL); other bpf_link_create() errnos. */
int iou_prog_attach(struct iou_prog *p);

/* Destroy the link: the ring works normally again. Idempotent: 0 when
 * not attached; otherwise 0 or the errno of closing the link. */
int iou_prog_detach(struct iou_prog *p);

/*
 * Enter the ring and let the program loop until it returns STOP.
 * Returns 0 when the program stopped; -EINTR when a signal interrupted
 * the loop and iou_prog_request_stop() was not called (the caller may
 * call run again to resume); -EINVAL when loop_step returned a value
 * other than CONTINUE/STOP; -EFAULT when detached under the loop;
 * -ENOLINK when not attached; -EEXIST when called from a thread other
 * than the one that loaded (the ring is SINGLE_ISSUER); other
 * io_uring_enter() errnos. How the program ended is in iou_prog_ctl().
 * After iou_prog_request_stop() it re-enters on EINTR so the program can
 * wind down, unless iou_prog_force_stop() was called.
 */
int iou_prog_run(struct iou_prog *p);

/* Ask the program to stop (sets ctl->stop_req). Async-signal-safe. */
void iou_prog_request_stop(struct iou_prog *p);
/* Make iou_prog_run() return -EINTR at the next signal, without waiting
 * for the program to wind down. Async-signal-safe. */
void iou_prog_force_stop(struct iou_prog *p);

/* Detach, close the ring and the region (unless borrowed through
 * iou_prog_load_on_ring_of()), free. NULL is fine. */
void iou_prog_close(struct iou_prog *p);

/* The address the listening socket is bound to ("127.0.0.1:40123",
 * "[::1]:7777"), after load; -ENOTCONN when there is none. */
int iou_prog_listen_addr(const struct iou_prog *p, char *buf, size_t len);

/* Accessors; valid until iou_prog_close(). Before load the shared region
 * does not exist (ctl and shm NULL, sizes 0, fds -1) and the layout is
 * zeroed. */
volatile struct iou_ctl *iou_prog_ctl(const struct iou_prog *p);
void *iou_prog_shm(const struct iou_prog *p);	/* the whole region */
size_t iou_prog_shm_size(const struct iou_prog *p);
int iou_prog_shm_fd(const struct iou_prog *p);	/* memfd behind it */
int iou_prog_ring_fd(const struct iou_prog *p);
const struct iou_layout *iou_prog_layout(const struct iou_prog *p);
const char *iou_prog_name(const struct iou_prog *p);	/* ops map name */
struct bpf_object *iou_prog_object(const struct iou_prog *p);
enum iou_stage iou_prog_error_stage(const struct iou_prog *p);
/* A one-line detail of the last failure ("" if none): the probe's
 * explanation, or the last message libbpf printed. */
const char *iou_prog_error_msg(const struct iou_prog *p);
/* The verifier log of the last failed load ("" if none). */
const char *iou_prog_verifier_log(const struct iou_prog *p);

/*
 * Shards: one loop per CPU (shards.c). N copies of one program, each with
 * its own thread pinned to its own CPU, its own ring, shared region
 * (memfd "iouops-shm.N"), buffer ring, file table and struct_ops map.
 * Each copy is its own object, verified on its own, so nothing is shared
 * between loops that run at the same time and programs need no change.
 * A program with listen_fd/udp_fd gets one socket per shard, all in one
 * SO_REUSEPORT group on opts->listen (port 0: the first shard's bind picks
 * the port, the others join it); the kernel spreads connections (UDP:
 * datagrams) over them by a hash of the 4-tuple, or with IOU_STEER_CPU to
 * the shard pinned to the CPU they arrived on (SO_INCOMING_CPU).
 *
 *	struct iou_shards *s;
 *	iou_shards_open("echo.bpf.o", &opts, &sopts, &s);  // N objects
 *	iou_shards_set(s, "max_conns", "4096");              // on every shard
 *	iou_shards_load(s);	// sockets; per thread: pin, load, attach
 *	iou_shards_run(s);	// all loops, until every one has stopped
 *	iou_shards_close(s);
 *
 * iou_shards_prog(s, i) is shard i's program: its control block, counters,
 * exit record and errors, as for any iou_prog (iou_prog_set() on it sets a
 * global of that shard only). Threads: a shard's thread blocks every
 * signal but the wake signal, so process signals reach the caller's
 * threads, whose handler calls iou_shards_request_stop(). The wake signal
 * (SIGURG unless sopts.wake_signal says otherwise) gets a handler that
 * does nothing, without SA_RESTART, unless it has one: that is how a
 * stop reaches a loop asleep in io_uring_enter(). Open and load from one
 * thread; request and force stops from anywhere.
 */
#define IOU_SHARDS_MAX	1024

enum iou_steer {
	IOU_STEER_HASH,	/* SO_REUSEPORT's hash of the 4-tuple */
	IOU_STEER_CPU,	/* SO_INCOMING_CPU: the shard on the arrival CPU */
};

struct iou_shards_opts {
	unsigned nr;		/* 0: one per CPU this thread may run on */
	enum iou_steer steer;
	int wake_signal;	/* 0: SIGURG */
};

struct iou_shards;

/* The number of CPUs this thread may run on (its affinity mask: online
 * CPUs, or fewer under taskset), or -errno. Shard i runs on the i-th of
 * them, modulo their number (more shards than CPUs share them). */
int iou_shards_usable_cpus(void);

/*
 * Open PATH once per shard (opts and sopts may be NULL; both are copied).
 * Errors as iou_prog_open(), plus -EINVAL: more than IOU_SHARDS_MAX shards,
 * an unknown steer, a wake signal out of range (or SIGKILL, SIGSTOP).
 */
int iou_shards_open(const char *path, const struct iou_opts *opts,
		    const struct iou_shards_opts *sopts,
		    struct iou_shards **out);
unsigned iou_shards_count(const struct iou_shards *s);
/* Shard i's program (NULL past the last); valid until close. */
struct iou_prog *iou_shards_prog(const struct iou_shards *s, unsigned i);
/* The CPU shard i is pinned to (-EINVAL past the last). */
int iou_shards_cpu(const struct iou_shards *s, unsigned i);
/* iou_prog_set() on every shard; the first error is returned. */
int iou_shards_set(struct iou_shards *s, const char *name, const char *value);

/*
 * Can the program run as shards? 0, or -EINVAL with the reason in why:
 * a program declaring `const volatile __u32 iou_shardable` is taken at
 * its word (0: no, anything else: yes); otherwise one that was given
 * files (iou_prog_set_file()) or has src_fd/dst_fd globals (cp) cannot,
 * since every shard would read and write the same files. Anything else
 * can: with a listener, shards share its address; without, they are N
 * independent loops. iou_shards_load() does not check: the caller does.
 */
int iou_prog_shardable(const struct iou_prog *p, char *why, size_t len);

/*
 * The listening sockets, then a thread per shard that pins itself, loads
 * (iou_prog_load()) and attaches its program and waits. 0 when every
 * shard is attached (nothing runs yet); otherwise every shard is detached,
 * its thread gone, and the error is returned: the failing shard's, whose
 * stage and message its iou_prog has (iou_shards_failed() says which;
 * shard 0 for the listening address itself), or -EINTR when
 * iou_shards_request_stop() came first (iou_shards_failed() is then -1).
 * The first shard to fail interrupts the loads still going. -EBUSY:
 * loaded already, or a load failed before.
 */
int iou_shards_load(struct iou_shards *s);
/* The shard whose failure ended the load or the run first (the others
 * were stopped for it), -1 when none failed. A run fails when
 * iou_prog_run() returned an error (not the -EINTR of a force stop) or
 * the exit record is an error or corrupt. */
int iou_shards_failed(const struct iou_shards *s);

/*
 * Let every loop run; return when all have stopped and detached. 0 when
 * each iou_prog_run() returned 0, else the first error in shard order
 * (iou_shards_run_result() has each). How each program ended is in its
 * control block. -EINVAL: not loaded, or run already.
 */
int iou_shards_run(struct iou_shards *s);
int iou_shards_run_result(const struct iou_shards *s, unsigned i);

/* Ask every shard to stop (their stop_req) and wake their loops; before
 * load ends it makes iou_shards_load() return -EINTR. Async-signal-safe. */
void iou_shards_request_stop(struct iou_shards *s);
/* Every iou_prog_run() returns -EINTR at once (iou_prog_force_stop()),
 * the wake signal repeated until each loop is out. Async-signal-safe. */
void iou_shards_force_stop(struct iou_shards *s);

/* Shard i's run, for --timing: CLOCK_MONOTONIC ns, and how often its
 * thread slept (voluntary context switches) or was preempted. */
struct iou_shard_timing {
	unsigned long long run_start_ns, run_end_ns, detach_end_ns;
	long sleeps, preempted;
};
int iou_shards_timing(const struct iou_shards *s, unsigned i,
		      struct iou_shard_timing *t);

/* Join the threads (a loaded, never run set is let go first), close
 * every program. NULL is fine. */
void iou_shards_close(struct iou_shards *s);

/*
 * Probe the running kernel: struct io_uring_bpf_ops and both kfuncs in
 * vmlinux BTF, and whether a DEFER_TASKRUN | NO_SQARRAY | SQ_REWIND ring
 * can be created. Needs no privilege. 0 when everything is there;
 * -EOPNOTSUPP otherwise with a one-line explanation in `why` (always
 * NUL-terminated when why_len > 0).
 */
int iou_probe_kernel(char *why, size_t why_len);

/*
 * Probe device-less zero-copy receive (IORING_REGISTER_QUERY: zcrx with
 * ZCRX_REG_NODEV and ZCRX_CTRL_FLUSH_RQ). Needs no privilege. 0 when the
 * kernel has it; -EOPNOTSUPP with a one-line reason in `why`. services/zcrx.c
 */
int iou_probe_zcrx(char *why, size_t why_len);

/*
 * Does the kernel take IORING_TIMEOUT_IMMEDIATE_ARG (the timeout's
 * nanoseconds in sqe->addr)? Probed once per process with one timeout on
 * a scratch ring; false when the kernel rejects the flag or cannot say.
 * A load clears a program's iou_timeout_imm global where this is false.
 */
bool iou_kernel_has_timeout_imm(void);

/*
 * Where loading spends its time (`iouops load --timing`, make bench): the
 * CLOCK_MONOTONIC time, in ns, at which each phase ended, 0 for a phase
 * that did not run. Same clock as bpf_ktime_get_ns(), so these compare
 * with iou_ctl.first_step_ns.
 */
enum iou_phase {
	IOU_PHASE_START,	/* iou_prog_open() called */
	IOU_PHASE_OPEN,		/* object parsed */
	IOU_PHASE_PROBE,	/* kernel probed, privileges checked */
	IOU_PHASE_RING,		/* io_uring_setup() done */
	IOU_PHASE_REGION,	/* shared region (and iou_res resources) */
	IOU_PHASE_VERIFY,	/* bpf_object__load(): verifier and JIT done */
	IOU_PHASE_ATTACH,	/* struct_ops link created */
	IOU_NR_PHASES,
};
unsigned long long iou_prog_phase_ns(const struct iou_prog *p,
				     enum iou_phase phase);

/*
 * Map the shared region of a running loader process PID (its memfd named
 * "iouops-shm", found through /proc/PID/fd) read-only, for live stats.
 * -ESRCH: no such process; -ENOENT: no such region in it; -EPROTO: the
 * region lacks IOU_CTL_MAGIC. Unmap with iou_shm_close(). A process
 * running shards has one region per shard ("iouops-shm.N"): this maps
 * the lowest shard's.
 */
int iou_shm_open_pid(int pid, volatile struct iou_ctl **ctl, size_t *size);
void iou_shm_close(volatile struct iou_ctl *ctl, size_t size);

/* Every region of PID, at most max, ordered by shard (-1, a program that
 * is not a shard, first): how many, or the errors of iou_shm_open_pid().
 * Unmap them with iou_shm_close_all(). */
struct iou_shm_view {
	volatile struct iou_ctl *ctl;
	size_t size;
	int shard;		/* N of "iouops-shm.N"; -1: "iouops-shm" */
};
int iou_shm_open_pid_all(int pid, struct iou_shm_view *views, size_t max);
void iou_shm_close_all(struct iou_shm_view *views, size_t n);

/* "1.2.3.4:80", "[::1]:80" or "::1:80" (numeric) into *ss; -EINVAL if it
 * is none of them. And back, "[::1]:80" style. */
struct sockaddr_storage;
int iou_parse_sockaddr(const char *s, struct sockaddr_storage *ss);
void iou_format_sockaddr(const struct sockaddr_storage *ss, char *buf,
			 size_t len);

/* Parse a size: decimal or 0x hex with an optional k/m/g suffix (KiB,
 * MiB, GiB). -EINVAL when it is not one. */
int iou_parse_size(const char *s, unsigned long long *v);

/* Human-readable name of an exit kind: "none", "done", "stopped",
 * "error"; "corrupt" for a value that is none of them. */
const char *iou_exit_kind_str(int kind);

/*
 * How a program ended, as one line for people (no newline), formatted from
 * its control block (the model is sched_ext's UEI_REPORT):
 *	EXIT: done (REASON) [FILE:LINE]		also "stopped"
 *	EXIT: error CODE (STRERROR): REASON [FILE:LINE]
 *	EXIT: program stopped without recording a reason
 *	EXIT: corrupt exit record (kind 0xKIND)
 * The record's text is untrusted (anything that maps the region can write
 * it): bytes outside printable ASCII, and '\', come out as \xNN, every
 * field is bounded, and the line is cut to fit len (IOU_REPORT_LEN holds
 * any record). Returns the kind (enum iou_exit_kind), -EBADMSG for a kind
 * that is none of them (a corrupt record: never a success), -EINVAL when
 * len is 0.
 */
#define IOU_REPORT_LEN	1024
int iou_exit_format(volatile const struct iou_ctl *ctl, char *buf, size_t len);

/* The named counters of a control block as "name=value name=value" (no
 * newline; names sanitised as by iou_exit_format(), cut to fit len).
 * Returns how many there are (0: buf is ""), -EINVAL when len is 0. */
int iou_counters_format(volatile const struct iou_ctl *ctl, char *buf,
			size_t len);

/* The counters of N control blocks (shards) added up by name, formatted as
 * by iou_counters_format(), names in the order first met: each is the sum
 * of its values, except one named last_*, max_* or *_max, which is the
 * largest (an errno seen last, a high-water mark: their sum means
 * nothing). At most 2 * IOU_NR_COUNTERS names. Returns how many, -EINVAL
 * when len is 0. */
int iou_counters_total_format(volatile const struct iou_ctl *const *ctls,
			      size_t n, char *buf, size_t len);

#endif /* IOUOPS_H */
