// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * cmd_load_status.c - every way `iouops load` can fail, as one line on
 * stderr and its own exit status (enum iouops_exit_status, exit_status.h).
 */
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"

static char status_prefix[32];

void load_status_prefix(const char *prefix)
{
	snprintf(status_prefix, sizeof(status_prefix), "%s", prefix);
}

/* One line on stderr: "iouops: PREFIX..." */
static void __attribute__((format(printf, 1, 2))) say(const char *fmt, ...)
{
	va_list ap;

	fputs("iouops: ", stderr);
	fputs(status_prefix, stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

static int open_exit_status(int err)
{
	switch (err) {
	case -ENOENT: case -EACCES: case -EISDIR: case -ENOTDIR:
		return IOUOPS_EXIT_NOFILE;
	case -ENOEXEC:
		return IOUOPS_EXIT_NOTBPF;
	case -ESRCH:
		return IOUOPS_EXIT_NOOPS;
	default:
		return IOUOPS_EXIT_FAIL;
	}
}

static const char *open_error_text(int err)
{
	switch (err) {
	case -ENOEXEC: return "not a BPF object (expected an ELF file built with clang -target bpf)";
	case -ESRCH: return "no io_uring_bpf_ops struct_ops map in it (declare one in SEC(\".struct_ops.link\"))";
	case -EISDIR: return "is a directory, not a BPF object";
	default: return strerror(-err);
	}
}

int load_load_status(struct iou_prog *p, int err, const char *path)
{
	const char *detail = iou_prog_error_msg(p);

	switch (iou_prog_error_stage(p)) {
	case IOU_STAGE_KERNEL:
		say("%s\n", *detail ? detail :
			"kernel lacks io_uring BPF ops");
		return IOUOPS_EXIT_NOKERNEL;
	case IOU_STAGE_PERM:
		say("loading a BPF program needs root "
			"(CAP_SYS_ADMIN, or CAP_BPF and CAP_PERFMON)\n");
		return IOUOPS_EXIT_NOTROOT;
	case IOU_STAGE_RING:
		say("io_uring_setup refused the ring: %s\n",
			strerror(-err));
		return IOUOPS_EXIT_RING;
	case IOU_STAGE_REGION:
		say("registering the shared memory region "
			"failed: %s%s\n", strerror(-err),
			err == -ENOMEM ? " (RLIMIT_MEMLOCK too low?)" :
			err == -E2BIG ? " (the program's iou_shm_need asks for "
			"more than 4 GiB: lower the globals it names)" : "");
		return IOUOPS_EXIT_REGION;
	case IOU_STAGE_SET:
		if (*detail)
			say("%s\n", detail);
		else
			say("cannot write the program's "
				"globals: %s\n", strerror(-err));
		return IOUOPS_EXIT_BADSET;
	case IOU_STAGE_LISTEN:
		say("%s\n", *detail ? detail : strerror(-err));
		return err == -EADDRINUSE ? IOUOPS_EXIT_ADDRINUSE :
		       err == -EADDRNOTAVAIL ? IOUOPS_EXIT_ADDRNOTAVAIL :
		       IOUOPS_EXIT_BADADDR;
	case IOU_STAGE_RESOURCES:
		say("%s\n", *detail ? detail : strerror(-err));
		return IOUOPS_EXIT_RESOURCES;
	case IOU_STAGE_ZCRX:
		say("%s\n", *detail ? detail : strerror(-err));
		return err == -EPERM ? IOUOPS_EXIT_NONETADMIN :
		       err == -EOPNOTSUPP ? IOUOPS_EXIT_NOKERNEL :
		       IOUOPS_EXIT_ZCRX;
	case IOU_STAGE_ROOT:
		say("%s\n", *detail ? detail : strerror(-err));
		return IOUOPS_EXIT_ROOT;
	case IOU_STAGE_VERIFIER:
		if (*iou_prog_verifier_log(p)) {
			say("the verifier rejected %s (%s); its log:\n%s",
				path, strerror(-err), iou_prog_verifier_log(p));
			return IOUOPS_EXIT_VERIFIER;
		}
		say("loading %s failed: %s%s%s\n", path,
			strerror(-err), *detail ? ": " : "", detail);
		return IOUOPS_EXIT_FAIL;
	default:
		say("loading %s failed: %s\n", path,
			strerror(-err));
		return IOUOPS_EXIT_FAIL;
	}
}

int load_run_status(int err)
{
	switch (err) {
	case -EINVAL:
		say("io_uring_enter failed with EINVAL: "
			"loop_step returned a value other than IOU_LOOP_CONTINUE "
			"or IOU_LOOP_STOP\n");
		return IOUOPS_EXIT_RUN;
	case -EINTR:
		say("second signal: detached without "
			"waiting for the program\n");
		return IOUOPS_EXIT_SIGNAL;
	case -EFAULT:
		say("io_uring_enter failed with EFAULT: "
			"the program was detached while it ran\n");
		return IOUOPS_EXIT_RUN;
	default:
		say("io_uring_enter failed: %s\n",
			strerror(-err));
		return IOUOPS_EXIT_RUN;
	}
}

int load_file_status(const char *name, const char *path,
		       enum iou_file_mode mode, int err)
{
	const char *opt = mode == IOU_FILE_IN ? "--in" : "--out";

	if (err == -ESRCH) {
		say("%s %s=%s: the program has no such "
			"global\n", opt, name, path);
		return IOUOPS_EXIT_BADSET;
	}
	if (err == -EINVAL) {
		say("%s %s=%s: global %s cannot hold an fd "
			"(or %s is not a file, device, pipe or socket)\n", opt,
			name, path, name, path);
		return IOUOPS_EXIT_BADSET;
	}
	say("%s %s=%s: %s\n", opt, name, path,
		err == -EEXIST ? "is also an input: it would be truncated "
		"before it is read" : strerror(-err));
	return IOUOPS_EXIT_FILE;
}


/* A BPF object with no .BTF: clang writes it only with -g, and libbpf
 * cannot open a struct_ops object without it. */
static bool built_without_g(const char *path)
{
	libbpf_print_fn_t old = libbpf_set_print(NULL);
	struct btf *btf = btf__parse_elf(path, NULL);
	int err = btf ? 0 : -errno;

	libbpf_set_print(old);
	btf__free(btf);
	return err == -ENOENT || err == -ENODATA;
}

int load_open_status(const char *path, int err)
{
	return load_open_status_shm(path, err, NULL);
}

int load_open_status_shm(const char *path, int err, const char *shm_type)
{
	if (err == -ENOEXEC && built_without_g(path)) {
		if (shm_type) {	/* neither BTF nor DWARF can describe it */
			say("--shm-type %s: %s has no BTF and no DWARF: "
			    "rebuild it with clang -g\n", shm_type, path);
			return IOUOPS_EXIT_SHMTYPE;
		}
		say("%s: no BTF in it: rebuild it with clang -g\n", path);
		return IOUOPS_EXIT_NOTBPF;
	}
	say("%s: %s\n", path, open_error_text(err));
	return open_exit_status(err);
}

int load_set_status(struct iou_prog *p, const char *name, const char *value,
		    int err)
{
	const char *detail = iou_prog_error_msg(p);

	if (*detail && (err == -ENOENT || err == -EINVAL || err == -ERANGE)) {
		say("--set %s=%s: %s\n", name, value, detail);
		return IOUOPS_EXIT_BADSET;
	}
	say("--set %s=%s: %s\n", name, value,
		err == -ENOENT ? "the program has no such global" :
		err == -EINVAL ? "not a number, a known @field, or too big for the variable" :
		strerror(-err));
	return IOUOPS_EXIT_BADSET;
}

int load_attach_status(struct iou_prog *p, int err)
{
	say("attaching %s to the ring failed: %s%s\n",
		iou_prog_name(p), strerror(-err),
		err == -EOPNOTSUPP ? " (the ring needs DEFER_TASKRUN and no SQPOLL/IOPOLL)" :
		err == -EBUSY ? " (the ring already has a program)" : "");
	return IOUOPS_EXIT_ATTACH;
}
