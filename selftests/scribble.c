// SPDX-License-Identifier: GPL-2.0
/*
 * Untrusted shared memory: while each shipped program runs with its
 * workload, another process maps its region (the memfd iouops-shm through
 * /proc/PID/fd, as `iouops stat` does; with --shards, every shard's
 * iouops-shm.N) read-write and scribbles over it:
 * random bytes, or plausible but wrong values (huge indexes, ring heads
 * past tails, stop requests, counter names without a NUL, bogus exit
 * kinds). The program must keep running or stop with a clear error, end
 * on the first SIGINT, the loader must not crash nor report success for
 * a corrupt exit record, and `iouops stat` must survive reading it.
 *
 * IOU_SCRIBBLE_MS (default 800) sets how long each scribbler runs,
 * IOU_SCRIBBLE_ROUNDS (default 1) how many runs per program.
 */
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "hostile.h"
#include "mbox_shared.h"

enum mode { MODE_RANDOM, MODE_PLAUSIBLE, MODE_EXIT_RECORD };
static const char *const mode_names[] = { "random bytes", "plausible values",
					  "forged exit record" };

static unsigned env_uint(const char *name, unsigned def)
{
	const char *s = getenv(name);

	return s && *s ? (unsigned)strtoul(s, NULL, 0) : def;
}

/* An offset to hit: half the time in the control block and the first
 * pages (rings, indexes), otherwise anywhere. */
static size_t target(size_t size, size_t len)
{
	size_t hot = size < 16384 ? size : 16384;
	size_t off = hostile_below(2) ? hostile_below(hot) : hostile_below(size);

	return off + len > size ? size - len : off;
}

/* Even rounds leave stop_req alone, so the program has to live with the
 * garbage; odd rounds let it be hit (a stop, or a stop taken back). */
static bool spare_stop;

static void scribble_random(uint8_t *shm, size_t size)
{
	size_t len = 1 + hostile_below(64), off = target(size, len);
	volatile struct iou_ctl *ctl = (void *)shm;

	for (size_t i = 0; i < len; i++)
		((volatile uint8_t *)shm)[off + i] = (uint8_t)hostile_rand();
	if (spare_stop)
		ctl->stop_req = 0;
}

static uint32_t wrong_u32(uint32_t old, size_t size)
{
	switch (hostile_below(10)) {
	case 0: return old + 1;
	case 1: return old + 1 + (uint32_t)hostile_below(100000);
	case 2: return old - 1;
	case 3: return 0xffffffffU;
	case 4: return 0x80000000U;
	case 5: return (uint32_t)size;
	case 6: return (uint32_t)size + 1;
	case 7: return 0;
	case 8: return old + 0x7fffffffU;
	default: return (uint32_t)hostile_rand();
	}
}

static void scribble_plausible(uint8_t *shm, size_t size)
{
	volatile struct iou_ctl *ctl = (void *)shm;
	volatile struct mbox_region *mr = (void *)(shm + IOU_CTL_SIZE);
	size_t off;
	unsigned i;

	switch (hostile_below(8)) {
	case 0:		/* stop requests, on and off */
		if (!spare_stop && !hostile_below(8))
			ctl->stop_req = (uint32_t)hostile_below(3) ?
					(uint32_t)hostile_rand() : 0;
		break;
	case 1:		/* counter names without NUL, escape sequences */
		i = (unsigned)hostile_below(IOU_NR_COUNTERS);
		for (size_t k = 0; k < IOU_COUNTER_NAME_LEN; k++)
			ctl->counters[i].name[k] = k % 5 == 0 ? '\033' :
				k % 7 == 0 ? '\r' : (char)('A' + k);
		ctl->counters[i].value = hostile_rand();
		break;
	case 2:		/* a running program's exit kind, code, line */
		ctl->exit.kind = (int32_t)hostile_rand();
		ctl->exit.code = (int32_t)hostile_rand();
		ctl->exit.line = (uint32_t)hostile_rand();
		break;
	case 3:		/* mbox: command ring head past tail, tail far ahead */
		if (size >= IOU_CTL_SIZE + sizeof(*mr)) {
			mr->sq_tail = wrong_u32(mr->sq_head, size);
			mr->cq_head = wrong_u32(mr->cq_tail, size);
		}
		break;
	case 4:		/* mbox: commands with huge buffers, lengths, fds */
		if (size >= IOU_CTL_SIZE + sizeof(*mr)) {
			i = (unsigned)hostile_below(MBOX_SQ_ENTRIES);
			mr->sq[i].op = (uint8_t)hostile_below(MBOX_NR_OPS + 2);
			mr->sq[i].buf = wrong_u32(mr->sq[i].buf, size);
			mr->sq[i].len = wrong_u32(mr->sq[i].len, size);
			mr->sq[i].fd = (int32_t)hostile_below(64) - 2;
			mr->sq[i].off = hostile_rand() >> hostile_below(64);
		}
		break;
	default:	/* any aligned index or length anywhere */
		off = target(size, 8) & ~(size_t)3;
		*(volatile uint32_t *)(shm + off) =
			wrong_u32(*(volatile uint32_t *)(shm + off), size);
		break;
	}
}

/* Garbage where a record is about to be written: kinds that do not
 * exist, text with escapes and no NUL. */
static void forge_exit(uint8_t *shm)
{
	static const int32_t kinds[] = { 4, 5, -1, 0x41414141, INT32_MIN, 77 };
	volatile struct iou_ctl *ctl = (void *)shm;

	for (size_t k = 0; k < IOU_EXIT_REASON_LEN; k++)
		ctl->exit.reason[k] = k % 3 ? (char)(0x80 + k) : '\033';
	for (size_t k = 0; k < IOU_EXIT_FILE_LEN; k++)
		ctl->exit.file[k] = k % 2 ? '\a' : '[';
	ctl->exit.code = (int32_t)hostile_rand();
	ctl->exit.kind = kinds[hostile_below(6)];
}

static void ctl_stop_clear(uint8_t *shm)
{
	((volatile struct iou_ctl *)shm)->stop_req = 0;
}

/* `iouops stat PID` on a scribbled region: no crash, no hang. */
static int stat_survives(pid_t pid)
{
	static struct st_cmd c;	/* a failed assertion may show it */
	char spid[16];
	int st;

	snprintf(spid, sizeof(spid), "%d", (int)pid);
	st = st_run_cli(&c, NULL, NULL, "stat", spid, NULL);
	if (st < 0 || c.signo) {
		st_diag("iouops stat on the scribbled region: status %d signal %d",
			st, c.signo);
		st_cmd_diag(&c);
		return -EIO;
	}
	if (!hostile_printable(c.out) || !hostile_printable(c.err)) {
		st_diag("iouops stat printed raw control bytes");
		return -EIO;
	}
	return 0;
}

#define MAX_REGIONS	4	/* a run with shards: one region each */

static void unmap_all(void **regions, size_t *sizes, int nr)
{
	for (int k = 0; k < nr; k++)
		munmap(regions[k], sizes[k]);
}

/* One program, one mode; 0 or -errno with diagnostics. *OUTCOME says how
 * it ended, for the figures. */
static int scribble_one(enum hostile_prog prog, enum mode mode,
			const struct hostile_fixture *h, unsigned ms,
			char *outcome, size_t outcome_len,
			unsigned *nr_corrupt)
{
	static struct hostile_run r;	/* a failed assertion shows r.cmd */
	size_t sizes[MAX_REGIONS] = { 0 }, size;
	void *regions[MAX_REGIONS] = { NULL };
	uint8_t *shm;
	int nr = 0, want, k, err;
	double end;
	bool ended_early = false, ok_exit, corrupt;

	err = hostile_start(&r, h, prog);
	if (err)
		return err;
	/* with shards: every shard's region, once every one exists */
	err = hostile_wait_running(&r);
	want = hostile_prog_shards(prog) ? (int)hostile_prog_shards(prog) : 1;
	while (!err && nr < want) {
		unmap_all(regions, sizes, nr);
		nr = hostile_map_all_shm(r.cmd.pid, regions, sizes, MAX_REGIONS);
		err = nr < 0 ? nr : hostile_pump(&r, 10) ? -ECHILD : 0;
	}
	if (err) {
		st_diag("%s did not start: %d", hostile_prog_names[prog], err);
		st_cmd_diag(&r.cmd);
		goto out;
	}
	if (mode != MODE_EXIT_RECORD) {
		end = st_now() + ms / 1000.0;
		while (st_now() < end && !ended_early) {
			for (int i = 0; i < 64; i++) {
				k = (int)hostile_below((uint64_t)nr);
				shm = regions[k];
				size = sizes[k];
				if (mode == MODE_RANDOM)
					scribble_random(shm, size);
				else
					scribble_plausible(shm, size);
			}
			ended_early = hostile_pump(&r, 1);
		}
		for (k = 0; spare_stop && k < nr; k++)
			ctl_stop_clear(regions[k]);
		if (!ended_early && stat_survives(r.cmd.pid)) {
			err = -EIO;
			goto out;
		}
		if (!ended_early)
			ended_early = hostile_pump(&r, 200);
	}
	if (!ended_early) {
		/* the loader's own stop request stays set from here on */
		kill(r.cmd.pid, SIGINT);
		end = st_now() + 30;
		while (r.cmd.pid && st_now() < end) {
			for (k = 0; mode == MODE_EXIT_RECORD && k < nr; k++)
				forge_exit(regions[k]);
			hostile_pump(&r, mode == MODE_EXIT_RECORD ? 0 : 50);
		}
		if (r.cmd.pid) {
			st_diag("%s: %s: still running 30 s after SIGINT",
				hostile_prog_names[prog], mode_names[mode]);
			st_cmd_diag(&r.cmd);
			err = -ETIMEDOUT;
			goto out;
		}
	}
	unmap_all(regions, sizes, nr);
	nr = 0;
	snprintf(outcome, outcome_len, "%s status %d", ended_early ?
		 "ended by itself," : "stopped on SIGINT,", r.cmd.status);
	if (r.cmd.signo) {
		st_diag("%s: %s: the loader died of signal %d",
			hostile_prog_names[prog], mode_names[mode], r.cmd.signo);
		err = -EIO;
	}
	/* A record the loader knows reads "EXIT: done (", "stopped (" or
	 * "error N (" (or, for a kind cleared back to none after the program
	 * wrote it, "keeps no iouops exit record"); anything else is corrupt:
	 * one line saying so and its own status, never 0. */
	ok_exit = strstr(r.cmd.out, "EXIT: done (") ||
		  strstr(r.cmd.out, "EXIT: stopped (") ||
		  strstr(r.cmd.out, "EXIT: error ") ||
		  strstr(r.cmd.out, "EXIT: program stopped; it keeps no iouops exit record");
	corrupt = strstr(r.cmd.out, "EXIT: corrupt exit record (kind 0x");
	if (!ok_exit && r.cmd.status == 0) {
		st_diag("%s: %s: exit 0 without a known exit record",
			hostile_prog_names[prog], mode_names[mode]);
		err = -EIO;
	}
	if (corrupt && r.cmd.status != IOUOPS_EXIT_CORRUPT) {
		st_diag("%s: %s: corrupt exit record with status %d, not %d",
			hostile_prog_names[prog], mode_names[mode],
			r.cmd.status, IOUOPS_EXIT_CORRUPT);
		err = -EIO;
	}
	if (corrupt)
		(*nr_corrupt)++;
	if (!hostile_printable(r.cmd.out) || !hostile_printable(r.cmd.err)) {
		st_diag("%s: %s: raw control bytes in the loader's output",
			hostile_prog_names[prog], mode_names[mode]);
		err = -EIO;
	}
	if (r.client > 0)
		kill(r.client, SIGKILL);
	if (hostile_check_clean(&h->base, &r) || hostile_kmsg_splats())
		err = -EBUSY;
	if (err)
		st_cmd_diag(&r.cmd);
out:
	unmap_all(regions, sizes, nr);
	hostile_cleanup(&r);
	return err;
}

HOSTILE_FIXTURE(scribble);

static int scribble_all(const struct hostile_fixture *h, enum mode mode)
{
	unsigned ms = env_uint("IOU_SCRIBBLE_MS", 800);
	unsigned rounds = env_uint("IOU_SCRIBBLE_ROUNDS", 1);
	unsigned runs = 0, nr_corrupt = 0;
	char outcome[64];

	for (unsigned round = 0; round < rounds; round++) {
		spare_stop = !(round & 1);
		for (int p = 0; p < HOSTILE_NR_PROGS; p++) {
			if (st_time_left() < 50) {
				st_diag("out of time in round %u", round + 1);
				return round || p ? KSFT_PASS :
				       st_skip("out of time");
			}
			ASSERT_OK(scribble_one(p, mode, h, ms, outcome,
					       sizeof(outcome), &nr_corrupt));
			runs++;
			st_diag("%-8s %s%s: %s", hostile_prog_names[p],
				mode_names[mode], spare_stop ?
				" (stop_req spared)" : "", outcome);
		}
	}
	st_diag("%u runs, %u reported a corrupt exit record (exit %d)", runs,
		nr_corrupt, IOUOPS_EXIT_CORRUPT);
	/* a forged kind blocks the program's own record (the first exit
	 * wins), so the loader must have met at least one */
	if (mode == MODE_EXIT_RECORD)
		ASSERT_LT(0, nr_corrupt);
	return KSFT_PASS;
}

TEST_F_TIMEOUT(scribble, random, "untrusted shm: random bytes over every program's region: runs or stops cleanly, no hang, no crash, nothing left", 240)
{
	return scribble_all(&self->h, MODE_RANDOM);
}

TEST_F_TIMEOUT(scribble, plausible, "untrusted shm: huge indexes, heads past tails, stop requests, names without NUL: clean stop, no hang", 240)
{
	return scribble_all(&self->h, MODE_PLAUSIBLE);
}

TEST_F_TIMEOUT(scribble, exit_record, "untrusted shm: an exit record forged while the program stops: never read as success", 240)
{
	return scribble_all(&self->h, MODE_EXIT_RECORD);
}
