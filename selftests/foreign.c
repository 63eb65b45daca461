// SPDX-License-Identifier: GPL-2.0
/*
 * Programs written elsewhere, loaded unchanged: foreign_nops_71.bpf.c
 * (7.1 ABI, its own declarations) and foreign_nops_72.bpf.c (7.2+ ABI,
 * vmlinux.h), neither including an iouops header. `iouops load` binds
 * their ring-info struct with --set paths, lays the region out as their
 * own state struct (--shm-type) and judges them with --expect; a wrong
 * expectation fails with IOUOPS_EXIT_EXPECT. Bad paths and types fail in
 * one line before anything is created (those run on the host too).
 */
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "selftest.h"

#define O71	st_build_path("selftests/foreign_nops_71.bpf.o")
#define O72	st_build_path("selftests/foreign_nops_72.bpf.o")

/* What the programs' own loaders would write, as iouops options. */
#define BIND71								\
	"--shm-type", "nops71_state",					\
	"--set", "ri.sq_entries=@sq_entries",				\
	"--set", "ri.cq_entries=@cq_entries",				\
	"--set", "ri.cq.head=@cq_off.head",				\
	"--set", "ri.cq.tail=@cq_off.tail",				\
	"--set", "ri.cq.cqes=@cq_off.cqes",				\
	"--set", "ri.tag[1]=0x71", "--set", "shm.batch=8"
#define BIND72								\
	"--shm-type", "nops72_shared",					\
	"--set", "cfg.ring.entries[0]=@sq_entries",			\
	"--set", "cfg.ring.entries[1]=@cq_entries",			\
	"--set", "cfg.ring.off[0]=@cq_off.head",			\
	"--set", "cfg.ring.off[1]=@cq_off.tail",			\
	"--set", "cfg.ring.off[2]=@cq_off.cqes",			\
	"--set", "cfg.max_inflight=16", "--set", "cfg.token=0x7200",	\
	"--set", "cfg.uaddr=@shm_uaddr"

TEST(foreign_nops_71, "7.1-ABI program, own declarations: 1000 NOPs, its .bss judged by --expect")
{
	struct st_cmd c;

	ST_REQUIRE_FEATURE();
	ASSERT_EQ(IOUOPS_EXIT_OK,
		  st_run_cli(&c, NULL, NULL, "load", O71, BIND71,
			     "--set", "shm.reqs_left=1000",
			     "--expect", "done=1", "--expect", "bad_cqes=0",
			     "--expect", "completed=1000",
			     "--print", "shm.reqs_left", "--print", "shm.submitted",
			     NULL));
	ASSERT_STR_HAS(c.out, "\ncompleted=1000\n");	/* the .bss dump */
	ASSERT_STR_HAS(c.out, "EXIT: program stopped; it keeps no iouops exit record");
	ASSERT_STR_HAS(c.out, "shm.reqs_left=0\n");
	ASSERT_STR_HAS(c.out, "shm.submitted=1000\n");
	return KSFT_PASS;
}

TEST(foreign_nops_71_wrong, "7.1-ABI program, a wrong --expect: exit EXPECT, one line")
{
	struct st_cmd c;

	ST_REQUIRE_FEATURE();
	ASSERT_EQ(IOUOPS_EXIT_EXPECT,
		  st_run_cli(&c, NULL, NULL, "load", O71, BIND71,
			     "--set", "shm.reqs_left=300", "--expect", "done=1",
			     "--expect", "completed=299", NULL));
	ASSERT_ONE_LINE_ERROR(&c);
	ASSERT_STR_HAS(c.err, "expected completed=299, got 300");
	return KSFT_PASS;
}

TEST(foreign_nops_72, "7.2-ABI program, vmlinux.h: 5000 NOPs, union/array/pointer paths, --expect")
{
	struct st_cmd c;

	ST_REQUIRE_FEATURE();
	ASSERT_EQ(IOUOPS_EXIT_OK,
		  st_run_cli(&c, NULL, NULL, "load", O72, BIND72,
			     "--set", "shm.to_run=5000",
			     "--expect", "reqs_to_run=0", "--expect", "seq_errors=0",
			     "--expect", "finished=1", "--expect", "next_seq=5000",
			     "--print", "shm.completions", "--print", "cfg.uaddr",
			     "--print", "cfg.token_half[0]",
			     "--print", "cfg.token_half[1]", NULL));
	ASSERT_STR_HAS(c.out, "shm.completions=5000\n");
	/* token 0x7200 seen through the anonymous union's other member */
	ASSERT_STR_HAS(c.out, "cfg.token_half[0]=29184\n");
	ASSERT_STR_HAS(c.out, "cfg.token_half[1]=0\n");
	ASSERT_STR_HAS(c.out, "cfg.uaddr=0x");		/* @shm_uaddr */
	ASSERT_TRUE(!strstr(c.out, "cfg.uaddr=0x0\n"));
	return KSFT_PASS;
}

TEST(foreign_nops_72_wrong, "7.2-ABI program, a wrong --expect: exit EXPECT, first mismatch only")
{
	struct st_cmd c;

	ST_REQUIRE_FEATURE();
	ASSERT_EQ(IOUOPS_EXIT_EXPECT,
		  st_run_cli(&c, NULL, NULL, "load", O72, BIND72,
			     "--set", "shm.to_run=200", "--expect", "finished=1",
			     "--expect", "reqs_to_run=13",
			     "--expect", "seq_errors=7", NULL));
	ASSERT_ONE_LINE_ERROR(&c);
	ASSERT_STR_HAS(c.err, "expected reqs_to_run=13, got 0");
	return KSFT_PASS;
}

/* The memfd region of process PID, mapped; NULL if not found. */
static void *map_region_of(pid_t pid, size_t size)
{
	char path[64];
	void *m;
	int fd = st_shm_fd_of(pid);

	if (fd < 0)
		return NULL;
	snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)pid, fd);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return NULL;
	m = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	return m == MAP_FAILED ? NULL : m;
}

struct watch {
	pid_t pid;
	volatile __u64 *submitted;	/* nops71_state.submitted */
};

static bool running_nops(void *arg)
{
	struct watch *w = arg;
	void *m;

	if (!w->submitted) {
		m = map_region_of(w->pid, 4096);
		if (m)
			w->submitted = (volatile __u64 *)((char *)m + 8);
	}
	return w->submitted && *w->submitted > 0;
}

TEST_TIMEOUT(foreign_sigint, "--shm-type: the first SIGINT ends the enter and detaches, exit 0 with the results", 90)
{
	char *argv[] = { (char *)st_cli(), "load", (char *)O71, BIND71,
			 "--set", "shm.reqs_left=4000000000", NULL };
	struct watch w = { 0 };
	struct st_cmd c;

	ST_REQUIRE_FEATURE();
	ASSERT_OK(st_cmd_start(&c, NULL, NULL, argv));
	w.pid = c.pid;
	/* the program runs once its NOPs show in its own state */
	ASSERT_TRUE(st_wait_until(running_nops, &w, 60000));
	ASSERT_OK(kill(c.pid, SIGINT));
	ASSERT_OK(st_cmd_wait(&c, 30000));
	ASSERT_EQ(IOUOPS_EXIT_OK, c.status);
	ASSERT_STR_HAS(c.err, "interrupted: detached");
	ASSERT_STR_HAS(c.out, "EXIT: program stopped; it keeps no iouops exit record");
	ASSERT_STR_HAS(c.out, "done=0\n");
	return KSFT_PASS;
}

VARIANT(foreign_bad) {
	int status;
	const char *needle;
	const char *args[8];	/* after "load PROG" */
	bool prog72;
};

VARIANT_ADD(foreign_bad, member, "--set ri.nosuch=1: names the struct and its members")
{ IOUOPS_EXIT_BADSET, "struct ring_info has no member nosuch (members: sq_entries, cq_entries, cq, tag)",
  { "--set", "ri.nosuch=1" }, false };
VARIANT_ADD(foreign_bad, index, "--set ri.tag[2]=1: index out of range")
{ IOUOPS_EXIT_BADSET, "index 2 out of range (ri.tag has 2 elements)", { "--set", "ri.tag[2]=1" }, false };
VARIANT_ADD(foreign_bad, through_pointer, "--set cfg.uaddr.x=1: no path through a pointer")
{ IOUOPS_EXIT_BADSET, "paths do not go through pointers", { "--set", "cfg.uaddr.x=1" }, true };
VARIANT_ADD(foreign_bad, pointer_field, "--set of a pointer with another @field")
{ IOUOPS_EXIT_BADSET, "takes @shm_uaddr or a number", { "--set", "cfg.uaddr=@sq_entries" }, true };
VARIANT_ADD(foreign_bad, bitfield, "--set of a bitfield: refused")
{ IOUOPS_EXIT_BADSET, "trace is a bitfield", { "--set", "cfg.trace=1" }, true };
VARIANT_ADD(foreign_bad, struct_leaf, "--set of a whole struct: name a member")
{ IOUOPS_EXIT_BADSET, "is struct cq_offsets, not a number", { "--set", "ri.cq=1" }, false };
VARIANT_ADD(foreign_bad, too_big, "--set ri.tag[1]=0x100000000: does not fit")
{ IOUOPS_EXIT_BADSET, "does not fit an unsigned 4-byte integer", { "--set", "ri.tag[1]=0x100000000" }, false };
VARIANT_ADD(foreign_bad, shm_no_type, "--set shm.X without --shm-type")
{ IOUOPS_EXIT_BADSET, "only with --shm-type", { "--set", "shm.batch=1" }, false };
VARIANT_ADD(foreign_bad, shm_type_missing, "--shm-type of a type the object lacks")
{ IOUOPS_EXIT_SHMTYPE, "no struct nosuch", { "--shm-type", "nosuch" }, false };
VARIANT_ADD(foreign_bad, shm_type_not_struct, "--shm-type of a typedef of an integer")
{ IOUOPS_EXIT_SHMTYPE, "no struct __u32", { "--shm-type", "__u32" }, false };
VARIANT_ADD(foreign_bad, shm_type_too_big, "--shm-type larger than --shm-size")
{ IOUOPS_EXIT_SHMTYPE, "larger than the 4096-byte region", { "--shm-type", "nops72_shared", "--shm-size", "4k" }, true };
VARIANT_ADD(foreign_bad, print_missing, "--print of a global that does not exist")
{ IOUOPS_EXIT_BADSET, "--print nosuch: the program has no global nosuch", { "--print", "nosuch" }, false };
VARIANT_ADD(foreign_bad, print_member, "--print of a member that does not exist")
{ IOUOPS_EXIT_BADSET, "struct nops71_state has no member nope", { "--shm-type", "nops71_state", "--print", "shm.nope" }, false };
VARIANT_ADD(foreign_bad, expect_missing, "--expect of a global that does not exist")
{ IOUOPS_EXIT_BADSET, "no global nosuch", { "--expect", "nosuch=1" }, false };
VARIANT_ADD(foreign_bad, expect_too_big, "--expect of a value the type cannot hold")
{ IOUOPS_EXIT_BADSET, "does not fit a signed 4-byte integer", { "--expect", "done=0x80000000" }, false };
VARIANT_ADD(foreign_bad, expect_negative, "--expect of a negative value for an unsigned")
{ IOUOPS_EXIT_BADSET, "does not fit an unsigned 4-byte integer", { "--expect", "bad_cqes=-1" }, false };
VARIANT_ADD(foreign_bad, expect_not_number, "--expect of something that is not a number")
{ IOUOPS_EXIT_BADSET, "expected a number", { "--expect", "done=@sq_entries" }, false };
VARIANT_ADD(foreign_bad, expect_no_value, "--expect without =VALUE")
{ IOUOPS_EXIT_USAGE, "expected NAME[.PATH]=NUMBER", { "--expect", "done" }, false };

TEST_VARIANTS(foreign_bad)
{
	const char *const *a = variant->args;
	struct st_cmd c;

	/* fails before the kernel is asked anything: runs on the host too */
	ASSERT_CLI_ERROR(&c, variant->status, variant->needle, "load",
			 variant->prog72 ? O72 : O71, a[0], a[1], a[2], a[3],
			 a[4], a[5], a[6], a[7]);
	return KSFT_PASS;
}
