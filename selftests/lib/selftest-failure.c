// SPDX-License-Identifier: GPL-2.0
/*
 * One failure, two ways: a program that must fail the same way through
 * libiouops (its -errno, its stage) and through `iouops load` (its exit
 * status, one clear line). A test's VARIANT table gives each way a row.
 */
#include <stdlib.h>
#include <string.h>

#include "selftest.h"

/* Does A or B name one of SAYS (NULL-terminated; none: yes)? */
static bool names_one(const char *const says[4], const char *a, const char *b)
{
	if (!says[0])
		return true;
	for (int i = 0; i < 4 && says[i]; i++)
		if ((a && strcasestr(a, says[i])) || (b && strcasestr(b, says[i])))
			return true;
	st_diag("the message names none of \"%s\"%s", says[0],
		says[1] ? " or the others" : "");
	return false;
}

/* open, set, load, attach, run: the first call that fails. */
static int first_failure(struct iou_prog *p, const struct st_failure *f)
{
	int err = 0;

	for (int i = 0; !err && i < 4 && f->set[i]; i++) {
		char name[64];
		const char *eq = strchr(f->set[i], '=');

		if (!eq || (size_t)(eq - f->set[i]) >= sizeof(name))
			return -EINVAL;	/* a bad table, not a bad program */
		memcpy(name, f->set[i], (size_t)(eq - f->set[i]));
		name[eq - f->set[i]] = '\0';
		err = iou_prog_set(p, name, eq + 1);
	}
	if (!err)
		err = iou_prog_load(p);
	if (!err)
		err = iou_prog_attach(p);
	if (!err)
		err = iou_prog_run(p);
	return err;
}

static int via_lib(const struct st_failure *f)
{
	struct iou_prog *p = NULL;
	struct iou_opts opts;
	int err;

	st_opts(&opts);
	opts.log = NULL;	/* expected failures: a failed check shows it */
	opts.no_defer_taskrun = f->no_defer_taskrun;
	err = iou_prog_open(st_build_path(f->obj), &opts, &p);
	if (err) {
		/* no program to ask for its stage or message (the errno is
		 * all iou_prog_open() gives): the table must expect this */
		ASSERT_EQ(f->err, err);
		ASSERT_TRUE(p == NULL);
		ASSERT_TRUE(f->stage == IOU_STAGE_OPEN ||
			    f->stage == IOU_STAGE_NO_OPS);
		ASSERT_TRUE(!f->lib_says[0]);
		return KSFT_PASS;
	}
	st_watch_prog(p);	/* a failed check shows its log and exit */
	err = first_failure(p, f);
	ASSERT_EQ(f->err, err);
	ASSERT_EQ(f->stage, iou_prog_error_stage(p));
	ASSERT_TRUE(names_one(f->lib_says, iou_prog_error_msg(p),
			      iou_prog_verifier_log(p)));
	if (f->check_lib)
		ASSERT_OK(f->check_lib(p));
	st_watch_prog(NULL);
	iou_prog_close(p);
	return KSFT_PASS;
}

static int via_cli(const struct st_failure *f)
{
	static struct st_cmd c;	/* a failed check shows it */
	char *argv[16] = { (char *)st_cli(), "load",
			   (char *)st_build_path(f->obj) };
	int n = 3;

	for (int i = 0; i < 4 && f->set[i]; i++) {
		argv[n++] = "--set";
		argv[n++] = (char *)f->set[i];
	}
	if (f->no_defer_taskrun)
		argv[n++] = "--no-defer-taskrun";
	argv[n] = NULL;
	ASSERT_OK(st_cmd_start(&c, NULL, NULL, argv));
	ASSERT_OK(st_cmd_wait(&c, -1));
	ASSERT_EQ(f->status, c.status);
	if (!f->multi_line)
		ASSERT_ONE_LINE_ERROR(&c);
	ASSERT_TRUE(names_one(f->says, c.out, c.err));
	return KSFT_PASS;
}

int st_check_failure(const struct st_failure *f, enum st_via via)
{
	return via == ST_VIA_LIB ? via_lib(f) : via_cli(f);
}
