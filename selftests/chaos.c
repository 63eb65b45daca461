// SPDX-License-Identifier: GPL-2.0
/*
 * Kill at any moment: every shipped program (nops, echo with clients
 * connected, udp_echo with a client, cp mid-copy, mbox with a client
 * process, and nops and echo as --shards 2) gets SIGKILL, SIGINT, SIGTERM, SIGINT twice or SIGINT then
 * SIGKILL at a random moment of its life (start-up, load, verify, attach,
 * first step, running, stopping). After each: the loader ended the way
 * that signal allows (never a crash, never a hang past the first signal),
 * no struct_ops link, map or program and no io_uring fd is left, the port
 * is free, cp never reported a copy complete that is not, and the kernel
 * log has no new splat.
 *
 * The suite runs IOU_CHAOS_KILLS (default 10) rounds; `make chaos` runs
 * 200 (CHAOS_KILLS=N).
 */
#include <signal.h>
#include <stdlib.h>

#include "hostile.h"

enum pattern { PAT_KILL, PAT_INT, PAT_TERM, PAT_INT_TWICE, PAT_INT_THEN_KILL,
	       NR_PATTERNS };
static const char *const pattern_names[NR_PATTERNS] = {
	"SIGKILL", "SIGINT", "SIGTERM", "SIGINT x2", "SIGINT+SIGKILL",
};
enum moment { AT_STARTUP, AT_LOAD, AT_RUNNING, NR_MOMENTS };
static const char *const moment_names[NR_MOMENTS] = {
	"start-up", "load/verify/attach", "running",
};

/* Where the loader is: no region yet, region but no loop step, looping. */
static enum moment moment_of(pid_t pid)
{
	volatile struct iou_ctl *ctl;
	size_t size;
	enum moment m;

	if (iou_shm_open_pid(pid, &ctl, &size))
		return AT_STARTUP;
	m = ctl->running ? AT_RUNNING : AT_LOAD;
	iou_shm_close(ctl, size);
	return m;
}

/* Pump R until it exits or MS pass; 1 if it exited. */
static int pump_for(struct hostile_run *r, double ms)
{
	double end = st_now() + ms / 1000;

	while (st_now() < end)
		if (hostile_pump(r, 10))
			return 1;
	return 0;
}

/* Did the loader end as the signal allows? */
static bool status_ok(const struct hostile_run *r, enum pattern pat,
		      enum moment m)
{
	const struct st_cmd *c = &r->cmd;

	if (c->signo)	/* killed: SIGKILL, or SIGINT/TERM before handlers */
		return c->signo == SIGKILL ?
		       pat == PAT_KILL || pat == PAT_INT_THEN_KILL :
		       m == AT_STARTUP && c->signo != SIGSEGV &&
		       c->signo != SIGABRT && c->signo != SIGBUS;
	/* a stop (0), or interrupted at load or by the second signal (130) */
	return c->status == IOUOPS_EXIT_OK || c->status == IOUOPS_EXIT_SIGNAL;
}

HOSTILE_FIXTURE(chaos);

TEST_F_TIMEOUT(chaos, kill, "kill at any moment: nops, echo, udp_echo, cp, mbox, nops and echo --shards 2; nothing left, port free, cp never falsely complete", 300)
{
	unsigned kills = 10, done = 0, by[NR_PATTERNS][NR_MOMENTS] = { 0 };
	double est_running[HOSTILE_NR_PROGS], t0 = st_now();
	const char *env = getenv("IOU_CHAOS_KILLS");
	const struct hostile_census *base = &self->h.base;
	unsigned leaks = 0, bad = 0, hangs = 0;

	if (env && *env)
		kills = (unsigned)strtoul(env, NULL, 0);
	for (int i = 0; i < HOSTILE_NR_PROGS; i++)
		est_running[i] = 1.5;	/* seconds to the first step, refined */

	while (done < kills) {
		enum hostile_prog prog = done % HOSTILE_NR_PROGS;
		enum pattern pat = hostile_below(NR_PATTERNS);
		double delay_ms = (double)hostile_below(
			(uint64_t)(est_running[prog] * 2000) + 300);
		static struct hostile_run r;	/* assertions show r.cmd */
		enum moment m;
		double t;

		if (st_time_left() < 60) {
			st_diag("out of time after %u kills", done);
			break;
		}
		ASSERT_OK(hostile_start(&r, &self->h, prog));
		t = st_now();
		if (pump_for(&r, delay_ms)) {
			/* ended before the signal: only cp may (a short
			 * copy); not a kill, but the copy must be whole */
			if (prog != HOSTILE_CP || r.cmd.status ||
			    hostile_check_cp(&r)) {
				st_diag("%s ended before %.0f ms (status %d)",
					hostile_prog_names[prog], delay_ms,
					r.cmd.status);
				st_cmd_diag(&r.cmd);
				bad++;
			}
			est_running[prog] /= 2;
			hostile_cleanup(&r);
			if (bad)
				break;
			continue;
		}
		m = moment_of(r.cmd.pid);
		/* aim the next delays of this program around its start-up */
		if (m == AT_RUNNING)
			est_running[prog] = (est_running[prog] + st_now() - t) / 2;
		else if (est_running[prog] < (st_now() - t) * 1.1)
			est_running[prog] = (st_now() - t) * 1.1;
		switch (pat) {
		case PAT_KILL: kill(r.cmd.pid, SIGKILL); break;
		case PAT_TERM: kill(r.cmd.pid, SIGTERM); break;
		default: kill(r.cmd.pid, SIGINT); break;
		}
		if (pat == PAT_INT_TWICE || pat == PAT_INT_THEN_KILL) {
			/* the second one while it stops (or later) */
			if (!pump_for(&r, (double)hostile_below(400)))
				kill(r.cmd.pid, pat == PAT_INT_TWICE ?
					  SIGINT : SIGKILL);
		}
		if (st_cmd_wait(&r.cmd, 30000)) {
			st_diag("%s: still running 30 s after %s at %s",
				hostile_prog_names[prog], pattern_names[pat],
				moment_names[m]);
			hangs++;
		}
		if (!status_ok(&r, pat, m)) {
			st_diag("%s: %s at %s ended with status %d (signal %d)",
				hostile_prog_names[prog], pattern_names[pat],
				moment_names[m], r.cmd.status, r.cmd.signo);
			st_cmd_diag(&r.cmd);
			bad++;
		}
		if (r.client > 0)	/* the client dies with the server */
			kill(r.client, SIGKILL);
		if (hostile_check_clean(base, &r) || hostile_check_cp(&r)) {
			st_diag("%s: after %s at %s", hostile_prog_names[prog],
				pattern_names[pat], moment_names[m]);
			leaks++;
		}
		if (hostile_kmsg_splats())
			leaks++;
		hostile_cleanup(&r);
		by[pat][m]++;
		if (++done % 25 == 0)
			st_diag("%u kills, %.0f s", done, st_now() - t0);
		if (leaks || bad || hangs)
			break;
	}
	for (int p = 0; p < NR_PATTERNS; p++)
		st_diag("%-15s start-up %3u  load %3u  running %3u",
			pattern_names[p], by[p][AT_STARTUP], by[p][AT_LOAD],
			by[p][AT_RUNNING]);
	st_diag("figure: %u kills in %.0f s, %u leaks, %u bad exits, %u hangs",
		done, st_now() - t0, leaks, bad, hangs);
	ASSERT_EQ(0, leaks);
	ASSERT_EQ(0, bad);
	ASSERT_EQ(0, hangs);
	ASSERT_LE(kills < 5 ? kills : 5, done);
	return KSFT_PASS;
}
