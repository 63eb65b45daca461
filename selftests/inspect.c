// SPDX-License-Identifier: GPL-2.0
/*
 * `iouops inspect PROG`: read from the object alone (runs on the host): the
 * ops map and its callback, sleepable sections, kfuncs and the ABI they
 * tell, globals with their member paths, structs for --shm-type and the
 * iouops conventions. One line per item.
 */
#include "selftest.h"

static bool has_line(const char *out, const char *line)
{
	size_t n = strlen(line);
	const char *s = out;

	while ((s = strstr(s, line))) {
		if ((s == out || s[-1] == '\n') && (s[n] == '\n' || !s[n]))
			return true;
		s += n;
	}
	return false;
}

#define ASSERT_LINE(out, line) do {					\
	if (!has_line(out, line)) {					\
		st_assert_failed(__FILE__, __LINE__, "no line \"%s\"", line); \
		return KSFT_FAIL;					\
	}								\
} while (0)

TEST(inspect_foreign_71, "inspect a 7.1-ABI program: callback, kfuncs, abi, member paths, structs")
{
	struct st_cmd c;

	ASSERT_EQ(IOUOPS_EXIT_OK, st_run_cli(&c, NULL, NULL, "inspect",
		  st_build_path("selftests/foreign_nops_71.bpf.o"), NULL));
	ASSERT_LINE(c.out, "ops nops71_ops type='io_uring_bpf_ops'");
	ASSERT_LINE(c.out, "callback nops71_ops.loop_step prog=nops71_step");
	ASSERT_LINE(c.out, "prog nops71_step section=struct_ops.s/nops71_step sleepable=yes");
	ASSERT_LINE(c.out, "kfunc bpf_io_uring_submit_sqes arg0='struct io_ring_ctx *'");
	ASSERT_LINE(c.out, "abi 7.1 (struct io_ring_ctx *)");
	ASSERT_LINE(c.out, "global ri section=.rodata type='volatile const struct ring_info' size=28");
	ASSERT_LINE(c.out, "member ri.cq.cqes type='__u32' size=4 offset=16 default=0");
	ASSERT_LINE(c.out, "member ri.tag[1] type='__u32' size=4 offset=24 default=0");
	ASSERT_LINE(c.out, "global done section=.bss type='int' size=4 default=0");
	ASSERT_LINE(c.out, "struct nops71_state size=16 members=3");
	ASSERT_LINE(c.out, "convention control-block no");
	ASSERT_LINE(c.out, "convention iou_layout no");
	ASSERT_EQ(0, st_count_lines(c.err));
	return KSFT_PASS;
}

TEST(inspect_foreign_72, "inspect a 7.2-ABI program: union, pointer, bitfield, .data default")
{
	struct st_cmd c;

	ASSERT_EQ(IOUOPS_EXIT_OK, st_run_cli(&c, NULL, NULL, "inspect",
		  st_build_path("selftests/foreign_nops_72.bpf.o"), NULL));
	ASSERT_LINE(c.out, "abi 7.2+ (struct iou_ctx *)");
	ASSERT_LINE(c.out, "member cfg.ring.off[2] type='__u32' size=4 offset=16 default=0");
	ASSERT_LINE(c.out, "member cfg.token_half[1] type='__u32' size=4 offset=28 default=0");
	ASSERT_LINE(c.out, "member cfg.max_inflight type='__u32' size=4 offset=20 default=8");
	ASSERT_LINE(c.out, "member cfg.uaddr type='void *' size=8 offset=32 default=0x0");
	ASSERT_LINE(c.out, "member cfg.trace bitfield bits=1 (iouops cannot set it)");
	ASSERT_LINE(c.out, "global reqs_to_run section=.data type='int' size=4 default=-1");
	ASSERT_LINE(c.out, "struct nops72_shared size=8208 members=3");
	return KSFT_PASS;
}

TEST(inspect_iouops_prog, "inspect echo: the iouops conventions it uses")
{
	struct st_cmd c;

	ASSERT_EQ(IOUOPS_EXIT_OK, st_run_cli(&c, NULL, NULL, "inspect",
		  st_build_path("progs/echo.bpf.o"), NULL));
	ASSERT_LINE(c.out, "convention iou_layout yes");
	ASSERT_LINE(c.out, "convention iou_res yes");
	ASSERT_LINE(c.out, "convention listen_fd yes");
	ASSERT_LINE(c.out, "convention udp_fd no");
	ASSERT_LINE(c.out, "global max_conns section=.rodata type='volatile const __u32' size=4 default=1024");
	return KSFT_PASS;
}

TEST(inspect_bad, "inspect: missing file, not BPF, no ops map, no program: one line each")
{
	struct st_cmd c;

	ASSERT_CLI_ERROR(&c, IOUOPS_EXIT_NOFILE, NULL, "inspect",
			 st_build_path("progs/no-such.bpf.o"));
	ASSERT_CLI_ERROR(&c, IOUOPS_EXIT_NOTBPF, NULL, "inspect", st_cli());
	ASSERT_EQ(IOUOPS_EXIT_NOOPS, st_run_cli(&c, NULL, NULL, "inspect",
		  st_build_path("selftests/no_ops.bpf.o"), NULL));
	ASSERT_ONE_LINE_ERROR(&c);
	ASSERT_CLI_ERROR(&c, IOUOPS_EXIT_USAGE, "exactly one program", "inspect");
	return KSFT_PASS;
}
