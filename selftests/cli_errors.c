// SPDX-License-Identifier: GPL-2.0
/*
 * `iouops` exit statuses: every way of failing has its own status and a
 * one-line message (except the verifier rejection, see bad_verifier.c).
 * Tests that fail before anything is loaded also run without the kernel
 * feature.
 */
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "selftest.h"

#define NOPS	st_build_path("progs/nops.bpf.o")

TEST(cli_missing_file, "missing program file: exit NOFILE, one line")
{
	struct st_cmd c;

	ASSERT_CLI_ERROR(&c, IOUOPS_EXIT_NOFILE, NULL,
			 "load", st_build_path("progs/no-such-prog.bpf.o"));
	return KSFT_PASS;
}

/* The option named in the message is the one refused, also inside a
 * cluster of short options (getopt's optind still points at "-xv"). */
TEST(cli_bad_option_named, "unknown or incomplete option: exit USAGE, names that option")
{
	struct st_cmd c;

	ASSERT_CLI_ERROR(&c, IOUOPS_EXIT_USAGE, "'-x'", "load", "-xv", NOPS);
	ASSERT_CLI_ERROR(&c, IOUOPS_EXIT_USAGE, "'-x'", "load", "-vx", NOPS);
	ASSERT_CLI_ERROR(&c, IOUOPS_EXIT_USAGE, "'--bogus'", "load", "--bogus", NOPS);
	ASSERT_CLI_ERROR(&c, IOUOPS_EXIT_USAGE, "'--set'", "load", NOPS, "--set");
	ASSERT_CLI_ERROR(&c, IOUOPS_EXIT_USAGE, "'-q'", "build", "-q", "x.bpf.c");
	return KSFT_PASS;
}

TEST(cli_not_elf, "text file as program: exit NOTBPF, one line")
{
	char path[] = "/tmp/iouops-selftest-XXXXXX";
	const char text[] = "localhost\n";
	struct st_cmd c;
	int fd, ret;

	fd = mkstemp(path);
	ASSERT_LE(0, fd);
	ASSERT_EQ((ssize_t)sizeof(text) - 1, write(fd, text, sizeof(text) - 1));
	close(fd);
	ret = st_run_cli(&c, NULL, NULL, "load", path, NULL);
	unlink(path);
	ASSERT_EQ(IOUOPS_EXIT_NOTBPF, ret);
	ASSERT_ONE_LINE_ERROR(&c);
	return KSFT_PASS;
}

TEST(cli_not_bpf, "x86 ELF (iouops itself) as program: exit NOTBPF, one line")
{
	struct st_cmd c;

	ASSERT_CLI_ERROR(&c, IOUOPS_EXIT_NOTBPF, NULL, "load", st_cli());
	return KSFT_PASS;
}

static int become_nobody(void *arg)
{
	(void)arg;
	if (setgroups(0, NULL) || setgid(65534) || setuid(65534))
		return -errno;
	return 0;
}

TEST(cli_not_root, "load as uid 65534: exit NOTROOT, one line")
{
	struct st_cmd c;

	ST_REQUIRE_FEATURE();
	ASSERT_EQ(IOUOPS_EXIT_NOTROOT,
		  st_run_cli(&c, become_nobody, NULL, "load", NOPS,
			     "--set", "total=1000", NULL));
	ASSERT_ONE_LINE_ERROR(&c);
	return KSFT_PASS;
}

VARIANT(cli_set) {
	const char *set;	/* --set NAME=VALUE */
	const char *named;	/* in the error */
};

VARIANT_ADD(cli_set, unknown, "--set of an unknown global: exit BADSET, one line")
{ "no_such_global=1", "no_such_global" };
VARIANT_ADD(cli_set, bad_value, "--set qd=banana: exit BADSET, one line")
{ "qd=banana", "banana" };

TEST_VARIANTS(cli_set)
{
	struct st_cmd c;

	ASSERT_CLI_ERROR(&c, IOUOPS_EXIT_BADSET, variant->named,
			 "load", NOPS, "--set", variant->set);
	return KSFT_PASS;
}

TEST(cli_ring_refused, "--sq-entries 100000: io_uring_setup refuses, exit RING")
{
	struct st_cmd c;

	ST_REQUIRE_FEATURE();
	ASSERT_CLI_ERROR(&c, IOUOPS_EXIT_RING, NULL,
			 "load", NOPS, "--sq-entries", "100000");
	return KSFT_PASS;
}

/*
 * Without CAP_IPC_LOCK, io_uring charges pinned region pages to
 * RLIMIT_MEMLOCK. Drop the capability from the bounding set (and
 * inheritable/ambient sets) so root loses it at exec, and CAP_SYS_RESOURCE
 * so the limit cannot be raised again; then 64 MiB cannot be pinned.
 */
static int no_ipc_lock(void *arg)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
	struct rlimit rl = { 1 << 20, 1 << 20 };

	(void)arg;
	if (prctl(PR_CAPBSET_DROP, CAP_IPC_LOCK, 0, 0, 0) ||
	    prctl(PR_CAPBSET_DROP, CAP_SYS_RESOURCE, 0, 0, 0) ||
	    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0))
		return -errno;
	if (syscall(SYS_capget, &hdr, data))
		return -errno;
	for (int i = 0; i < _LINUX_CAPABILITY_U32S_3; i++)
		data[i].inheritable = 0;
	if (syscall(SYS_capset, &hdr, data) || setrlimit(RLIMIT_MEMLOCK, &rl))
		return -errno;
	return 0;
}

TEST(cli_region_refused, "64 MiB region over RLIMIT_MEMLOCK, no CAP_IPC_LOCK: exit REGION")
{
	struct st_cmd c;

	ST_REQUIRE_FEATURE();
	/* control: with the capability the same region is fine */
	ASSERT_EQ(IOUOPS_EXIT_OK,
		  st_run_cli(&c, NULL, NULL, "load", NOPS, "--set",
			     "total=1000", "--shm-size", "64M", NULL));
	ASSERT_EQ(IOUOPS_EXIT_REGION,
		  st_run_cli(&c, no_ipc_lock, NULL, "load", NOPS, "--set",
			     "total=1000", "--shm-size", "64M", NULL));
	ASSERT_ONE_LINE_ERROR(&c);
	return KSFT_PASS;
}

TEST(cli_prog_error, "nops with qd=0 records an error: exit PROG_ERROR")
{
	struct st_cmd c;

	ST_REQUIRE_FEATURE();
	ASSERT_EQ(IOUOPS_EXIT_PROG_ERROR,
		  st_run_cli(&c, NULL, NULL, "load", NOPS,
			     "--set", "qd=0", NULL));
	ASSERT_TRUE(st_cmd_has(&c, "qd 0 must be"));
	ASSERT_TRUE(st_cmd_has(&c, "error"));
	return KSFT_PASS;
}

TEST(cli_help, "--help: exit 0 with usage")
{
	struct st_cmd c;

	ASSERT_EQ(IOUOPS_EXIT_OK, st_run_cli(&c, NULL, NULL, "--help", NULL));
	ASSERT_STR_HAS_CASE(c.out, "usage");
	ASSERT_STR_HAS(c.out, "load");
	return KSFT_PASS;
}

TEST(cli_bad_option, "unknown option: exit USAGE")
{
	struct st_cmd c;

	ASSERT_EQ(IOUOPS_EXIT_USAGE,
		  st_run_cli(&c, NULL, NULL, "load", NOPS,
			     "--no-such-option", NULL));
	ASSERT_LE(1, st_count_lines(c.err));
	ASSERT_EQ(IOUOPS_EXIT_USAGE,
		  st_run_cli(&c, NULL, NULL, "--no-such-option", NULL));
	ASSERT_LE(1, st_count_lines(c.err));
	return KSFT_PASS;
}

TEST(cli_version, "--version: exit 0, prints " IOUOPS_VERSION)
{
	struct st_cmd c;

	ASSERT_EQ(IOUOPS_EXIT_OK, st_run_cli(&c, NULL, NULL, "--version", NULL));
	ASSERT_STR_HAS(c.out, IOUOPS_VERSION);
	return KSFT_PASS;
}
