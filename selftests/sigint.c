// SPDX-License-Identifier: GPL-2.0
/*
 * SIGINT handling of `iouops load`: the first SIGINT asks the program to
 * stop and waits for it to wind down (exit 0, "stopped"); a second one
 * detaches at once (exit 130). Either way nothing stays attached.
 */
#include <signal.h>
#include <stdlib.h>

#include "selftest.h"

/* Until the command's struct_ops link shows up; -errno if it exits or
 * does not attach in time. */
static int wait_attached(struct iou_cmd *c, int links_before)
{
	double end = iou_now() + (iou_time_left() - 15 > 5 ?
				  iou_time_left() - 15 : 5);
	int n;

	while (iou_now() < end) {
		if (iou_cmd_pump(c, 100)) {
			iou_diag("exited before it was attached");
			return -ECHILD;
		}
		n = iou_count_struct_ops_links();
		if (n < 0)
			return n;
		if (n > links_before)
			return 0;
	}
	iou_diag("no new struct_ops link after %.1f s", iou_now() - c->start);
	return -ETIMEDOUT;
}

/* Until the links and io_uring_bpf_ops maps are back to the numbers from
 * before the command ran (teardown of a ring can lag a little). */
static int wait_detached(int links_before, int maps_before)
{
	double end = iou_now() + 5;
	int links, maps;

	do {
		links = iou_count_struct_ops_links();
		maps = iou_count_io_uring_ops_maps();
		if (links < 0 || maps < 0)
			return -EIO;
		if (links <= links_before && maps <= maps_before)
			return 0;
		iou_sleep_ms(100);
	} while (iou_now() < end);
	iou_diag("5 s after exit: %d struct_ops links (before: %d), "
		 "%d io_uring_bpf_ops maps (before: %d)",
		 links, links_before, maps, maps_before);
	return -EBUSY;
}

/* "NAME=123" in the command's output. */
static uint64_t out_counter(const struct iou_cmd *c, const char *name)
{
	const char *bufs[2] = { c->out, c->err };
	char key[64];

	snprintf(key, sizeof(key), "%s=", name);
	for (int i = 0; i < 2; i++) {
		const char *s = bufs[i] ? strstr(bufs[i], key) : NULL;

		if (s)
			return strtoull(s + strlen(key), NULL, 0);
	}
	iou_diag("no \"%s\" in the output", key);
	return UINT64_MAX;
}

/* Count what is attached now, start the command and wait until it has
 * attached its own program. */
static int start_attached(struct iou_cmd *c, char **argv, int *links0,
			  int *maps0)
{
	int err;

	*links0 = iou_count_struct_ops_links();
	*maps0 = iou_count_io_uring_ops_maps();
	if (*links0 < 0 || *maps0 < 0)
		return -EIO;
	err = iou_cmd_start(c, NULL, NULL, argv);
	return err ? err : wait_attached(c, *links0);
}

IOU_TEST_TIMEOUT(sigint, "SIGINT: nops winds down, exit 0, nothing left attached", 60)
{
	char *argv[] = { (char *)iou_cli(), "load", "nops",
			 "--set", "total=1000000000", "--set", "qd=8", NULL };
	int links0, maps0;
	uint64_t submitted, completed;
	struct iou_cmd c;
	double t;

	IOU_REQUIRE_FEATURE();
	ASSERT_OK(start_attached(&c, argv, &links0, &maps0));
	iou_cmd_pump(&c, 500);		/* let it loop for a while */
	ASSERT_TRUE(c.pid != 0);	/* 10^9 NOPs take far longer */

	ASSERT_OK(kill(c.pid, SIGINT));
	t = iou_now();
	ASSERT_OK(iou_cmd_wait(&c, 10000));
	iou_diag("exited %.2f s after SIGINT", iou_now() - t);
	ASSERT_EQ(c.status, IOUOPS_EXIT_OK);
	ASSERT_TRUE(iou_cmd_has(&c, "stopped"));
	/* it waited for every NOP in flight */
	submitted = out_counter(&c, "submitted");
	completed = out_counter(&c, "completed");
	ASSERT_GT(completed, 0);
	ASSERT_LT(completed, 1000000000);
	ASSERT_EQ_U64(completed, submitted);

	ASSERT_OK(wait_detached(links0, maps0));
	return KSFT_PASS;
}

IOU_TEST_TIMEOUT(sigint_twice, "second SIGINT detaches a program that ignores stop: exit 130", 60)
{
	char *argv[] = { (char *)iou_cli(), "load",
			 (char *)iou_build_path("selftests/ignore_stop.bpf.o"),
			 NULL };
	int links0, maps0;
	struct iou_cmd c;
	double t;

	IOU_REQUIRE_FEATURE();
	ASSERT_OK(start_attached(&c, argv, &links0, &maps0));
	iou_cmd_pump(&c, 300);

	/* The program ignores the stop request: the loader keeps waiting. */
	ASSERT_OK(kill(c.pid, SIGINT));
	iou_cmd_pump(&c, 1000);
	ASSERT_TRUE(c.pid != 0);

	ASSERT_OK(kill(c.pid, SIGINT));
	t = iou_now();
	ASSERT_OK(iou_cmd_wait(&c, 10000));
	iou_diag("exited %.2f s after the second SIGINT", iou_now() - t);
	ASSERT_EQ(c.status, IOUOPS_EXIT_SIGNAL);
	ASSERT_EQ(c.signo, 0);	/* exit(130), not killed by SIGINT */

	ASSERT_OK(wait_detached(links0, maps0));
	return KSFT_PASS;
}
