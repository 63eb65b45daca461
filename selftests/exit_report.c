// SPDX-License-Identifier: GPL-2.0
/*
 * iou_exit_format() and iou_counters_format(): the one formatter of a
 * program's exit record and counters. The record is untrusted shared
 * memory: control bytes come out escaped, fields and the line are bounded,
 * and an unknown kind is a corrupt record with its own exit status.
 */
#include <string.h>

#include "selftest.h"

/* No byte of s is a control character or above ASCII. */
static bool printable(const char *s)
{
	for (; *s; s++) {
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
			return false;
	}
	return true;
}

static bool same(const char *got, const char *want)
{
	if (!strcmp(got, want))
		return true;
	st_diag("got  '%s'", got);
	st_diag("want '%s'", want);
	return false;
}

TEST(exit_report_format, "exit record: escaped, bounded, unknown kind is corrupt")
{
	static struct iou_ctl ctl;
	char line[IOU_REPORT_LEN], small[16];
	const char *text = line;	/* for ASSERT_STR_HAS */

	memset(&ctl, 0, sizeof(ctl));
	ASSERT_EQ(IOU_EXIT_NONE, iou_exit_format(&ctl, line, sizeof(line)));
	ASSERT_TRUE(same(line, "EXIT: program stopped without recording a reason"));

	strcpy(ctl.exit.reason, "copied \x1b[2J 9\\");
	strcpy(ctl.exit.file, "cp.bpf.c");
	ctl.exit.line = 42;
	ctl.exit.kind = IOU_EXIT_DONE;
	ASSERT_EQ(IOU_EXIT_DONE, iou_exit_format(&ctl, line, sizeof(line)));
	ASSERT_TRUE(same(line, "EXIT: done (copied \\x1b[2J 9\\x5c) [cp.bpf.c:42]"));

	ctl.exit.kind = IOU_EXIT_ERROR;
	ctl.exit.code = -28;
	ASSERT_EQ(IOU_EXIT_ERROR, iou_exit_format(&ctl, line, sizeof(line)));
	ASSERT_STR_HAS(text, "EXIT: error -28 (No space left on device): copied");

	ctl.exit.kind = 0x1234;
	ASSERT_EQ(-EBADMSG, iou_exit_format(&ctl, line, sizeof(line)));
	ASSERT_TRUE(same(line, "EXIT: corrupt exit record (kind 0x1234)"));
	ctl.exit.kind = -1;
	ASSERT_EQ(-EBADMSG, iou_exit_format(&ctl, line, sizeof(line)));
	ASSERT_TRUE(same(line, "EXIT: corrupt exit record (kind 0xffffffff)"));

	/* fields without a NUL, every byte a control byte: bounded */
	memset(ctl.exit.reason, 1, sizeof(ctl.exit.reason));
	memset(ctl.exit.file, 0x9b, sizeof(ctl.exit.file));
	ctl.exit.kind = IOU_EXIT_STOPPED;
	ASSERT_EQ(IOU_EXIT_STOPPED, iou_exit_format(&ctl, line, sizeof(line)));
	ASSERT_TRUE(printable(line));
	ASSERT_GT(sizeof(line) - 1, strlen(line));
	ASSERT_STR_HAS(text, "\\x9b\\x9b:42]");
	ASSERT_EQ(IOU_EXIT_STOPPED, iou_exit_format(&ctl, small, sizeof(small)));
	ASSERT_EQ(sizeof(small) - 1, strlen(small));

	memset(ctl.counters[3].name, 0x7f, sizeof(ctl.counters[3].name));
	ctl.counters[3].value = 9;
	strcpy(ctl.counters[5].name, "ok");
	ctl.counters[5].value = 18446744073709551615ULL;
	ASSERT_EQ(2, iou_counters_format(&ctl, line, sizeof(line)));
	ASSERT_TRUE(printable(line));
	ASSERT_STR_HAS(text, "\\x7f\\x7f=9 ok=18446744073709551615");
	return KSFT_PASS;
}

TEST(exit_report_cli, "`iouops load`: a corrupt exit kind exits CORRUPT, text escaped")
{
	const char *prog = st_build_path("selftests/bad_exit.bpf.o");
	struct st_cmd c;

	ST_REQUIRE_FEATURE();
	ASSERT_EQ(IOUOPS_EXIT_CORRUPT, st_run_cli(&c, NULL, NULL, "load", prog, NULL));
	st_cmd_diag(&c);
	ASSERT_TRUE(st_cmd_has(&c, "EXIT: corrupt exit record (kind 0x77)"));
	ASSERT_TRUE(st_cmd_has(&c, "counters: x\\x1b\\x0a=5"));
	ASSERT_TRUE(!strchr(c.out, '\x1b') && !strchr(c.err, '\x1b'));

	ASSERT_EQ(IOUOPS_EXIT_OK, st_run_cli(&c, NULL, NULL, "load", prog, "--set",
			      "exit_kind=1", NULL));
	ASSERT_TRUE(st_cmd_has(&c, "EXIT: done (a\\x1b[31mb\\x0a\\xff\\x5cz) [f\\x07:7]"));
	ASSERT_TRUE(!strchr(c.out, '\x1b'));
	return KSFT_PASS;
}
