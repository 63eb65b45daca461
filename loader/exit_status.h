/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * exit_status.h - the exit statuses of the `iouops` command: part of the
 * command (cmd.h includes it) and of what its tests check (selftest.h,
 * fuzz/cli.c), not of libiouops, whose functions return -errno; not
 * installed (iouops(8) documents the statuses for scripts).
 */
#ifndef IOUOPS_EXIT_STATUS_H
#define IOUOPS_EXIT_STATUS_H

#include <stddef.h>

/*
 * One per way of failing, so that scripts and selftests can tell them
 * apart. This list is their one source: it makes enum iouops_exit_status
 * (IOUOPS_EXIT_<NAME> = CODE), the table iouops_exit_status_table()
 * returns, and through it `iouops --help`; the exit_status_docs selftest
 * checks the documentation and iouops(8) against it.
 * X(NAME, CODE, one-line meaning):
 */
#define IOUOPS_EXIT_STATUS_LIST(X)					\
	X(OK, 0, "program done, or stopped on request")			\
	X(FAIL, 1, "any failure not listed here")			\
	X(USAGE, 2, "bad command line")					\
	X(NOFILE, 3, "program file missing or unreadable")		\
	X(NOKERNEL, 4, "kernel lacks io_uring BPF ops, or a kfunc the "	\
	  "program uses")	/* = KSFT_SKIP; also `probe` */	\
	X(NOTROOT, 5, "not privileged to load BPF")			\
	X(NOTBPF, 6, "not a BPF ELF object")				\
	X(NOOPS, 7, "no io_uring_bpf_ops map in the object")		\
	X(VERIFIER, 8, "the verifier rejected the program")		\
	X(BADSET, 9, "--set/--print/--expect: unknown global or path, "	\
	  "or a bad value")		\
	X(RING, 10, "io_uring_setup() refused the ring")		\
	X(REGION, 11, "shared memory registration refused")		\
	X(ATTACH, 12, "attaching to the ring refused")			\
	X(PROG_ERROR, 13, "the program recorded an error exit")		\
	X(RUN, 14, "io_uring_enter() failed (EINVAL: bad loop_step "	\
	  "return value)")						\
	X(EXISTS, 15, "new: a file it would write exists")		\
	X(BUILD, 16, "build: the compiler failed")			\
	X(NOTOOL, 17, "clang, the vm/get-kernel script or the iouops "	\
	  "headers not found")						\
	X(BADADDR, 18, "--listen unparsable, or not matching the "	\
	  "program's listen_fd/udp_fd")					\
	X(ADDRINUSE, 19, "--listen address already in use")		\
	X(ADDRNOTAVAIL, 20, "--listen address is not local")		\
	X(RESOURCES, 21, "buffer ring or fixed-file table refused")	\
	X(NOPROC, 22, "stat: no such process, or no iouops region in it") \
	X(FILE, 23, "--in/--out/--src/--dst: cannot open, or a "	\
	  "directory")							\
	X(CORRUPT, 24, "the program's exit record is corrupt "		\
	  "(unknown kind)")						\
	X(ROOT, 25, "--root: missing, not a directory, no files, a name "	\
	  "needing escaping, or files too big")				\
	X(EXPECT, 26, "--expect: a value after the run differed")	\
	X(SHMTYPE, 27, "--shm-type: no such struct in the program, or "	\
	  "larger than the region")					\
	X(NOSHARD, 28, "--shards: the program cannot be sharded (--in/"	\
	  "--out files, or it says so)")				\
	X(NONETADMIN, 30, "--zcrx needs CAP_NET_ADMIN")			\
	X(ZCRX, 31, "--zcrx: the program declares no zcrx area, the "	\
	  "area does not fit, or the kernel refused the ifq")		\
	X(SIGNAL, 130, "second signal: detached at once")

enum iouops_exit_status {
#define IOUOPS_EXIT_ENUM(name, code, meaning) IOUOPS_EXIT_##name = code,
	IOUOPS_EXIT_STATUS_LIST(IOUOPS_EXIT_ENUM)
#undef IOUOPS_EXIT_ENUM
};

/* The list above as a table, in code order. */
struct iouops_exit_status_desc {
	int code;
	const char *name;	/* "NOKERNEL": IOUOPS_EXIT_NOKERNEL */
	const char *meaning;	/* one line */
};

static inline const struct iouops_exit_status_desc *
iouops_exit_status_table(size_t *nr)
{
	static const struct iouops_exit_status_desc table[] = {
#define IOUOPS_EXIT_DESC(name, code, meaning) { code, #name, meaning },
		IOUOPS_EXIT_STATUS_LIST(IOUOPS_EXIT_DESC)
#undef IOUOPS_EXIT_DESC
	};

	*nr = sizeof(table) / sizeof(table[0]);
	return table;
}

#endif /* IOUOPS_EXIT_STATUS_H */
