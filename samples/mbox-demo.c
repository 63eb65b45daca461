// SPDX-License-Identifier: GPL-2.0
/*
 * mbox-demo: talk to a running loop program only through shared memory.
 *
 * The main thread loads progs/mbox.bpf.o and runs the loop; a client
 * sends a stream of commands (NOP, WRITE and READ of random sizes on a
 * scratch file, short TIMEOUTs), checks every result, then sends STOP.
 * With --process the client is a child process that maps the region
 * through /proc/PPID/fd/N (another mm, another mapping of the same pages:
 * the doorbell futexes are shared ones).
 *
 *	mbox-demo [-n COUNT] [-w WINDOW] [-l MAXLEN] [--nops] [--process]
 *		  [--spin N] [--gap US] [-v]
 *
 * --gap US: a trickle instead of a stream: wait US microseconds after each
 * result before the next command (use with -w 1), so the program goes
 * idle, sleeps on its doorbell, and every command has to wake it.
 *
 * Prints what the client did, the program's counters, and how many
 * wake-up syscalls each side needed per command. Exit 0 only if every
 * command got exactly one correct result.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "iouops.h"
#include "mbox.h"
#include "sample_util.h"

#define FILE_SIZE	(1U << 20)
#define MAX_WINDOW	256

struct demo {
	unsigned long long count;
	unsigned window;
	unsigned max_len;
	unsigned spin;
	unsigned gap_us;	/* --gap: pause before each next command */
	bool nops;
	bool process;
	bool verbose;
	int fd;			/* scratch file, same number in both processes */
	void *shm;
	size_t shm_size;
};

struct client {
	struct demo *d;
	struct iou_mbox *m;
	unsigned char *data;
	size_t data_size;
	unsigned slot_len;
	struct { struct mbox_cmd cmd; bool busy; } inflight[MAX_WINDOW];
	unsigned free_slots[MAX_WINDOW], nr_free;
	unsigned long long done, errors, nop_last;
	int status;
};

/* The scratch file's content and what WRITE puts back: a pure function
 * of the offset, so any order of writes leaves it the same. */
static unsigned char pattern(unsigned long long off)
{
	return (unsigned char)(off * 7 + (off >> 8) * 13 + 1);
}

static unsigned long long rnd(unsigned long long *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Make command `id` for window slot `slot`. */
static void make_cmd(struct client *c, unsigned long long id, unsigned slot,
		     unsigned long long *seed, struct mbox_cmd *cmd)
{
	unsigned long long r = rnd(seed);
	unsigned kind = c->d->nops ? 0 : (unsigned)(r % 10);

	memset(cmd, 0, sizeof(*cmd));
	cmd->id = id;
	cmd->fd = c->d->fd;
	cmd->buf = slot * c->slot_len;
	cmd->len = 1 + (unsigned)((r >> 8) % c->slot_len);
	cmd->off = (r >> 32) % (FILE_SIZE - cmd->len);
	if (kind < 4) {
		cmd->op = MBOX_NOP;
	} else if (kind < 6) {
		cmd->op = MBOX_WRITE;
		for (unsigned i = 0; i < cmd->len; i++)
			c->data[cmd->buf + i] = pattern(cmd->off + i);
	} else if (kind < 9) {
		cmd->op = MBOX_READ;
		memset(c->data + cmd->buf, 0, cmd->len);
	} else {
		cmd->op = MBOX_TIMEOUT;
		cmd->off = 1000 + r % 50000;	/* 1..51 us */
	}
}

static int check(struct client *c, const struct mbox_res *res)
{
	unsigned slot = (unsigned)(res->id % c->d->window);
	const struct mbox_cmd *cmd = &c->inflight[slot].cmd;
	int want = 0;

	if (!c->inflight[slot].busy || cmd->id != res->id || cmd->op != res->op) {
		fprintf(stderr, "mbox-demo: result for unknown command id %llu op %u\n",
			(unsigned long long)res->id, res->op);
		return -1;
	}
	if (cmd->op == MBOX_READ || cmd->op == MBOX_WRITE)
		want = (int)cmd->len;
	if (res->res != want) {
		fprintf(stderr, "mbox-demo: command %llu op %u: res %d, expected %d\n",
			(unsigned long long)res->id, res->op, res->res, want);
		return -1;
	}
	if (cmd->op == MBOX_READ) {
		for (unsigned i = 0; i < cmd->len; i++) {
			if (c->data[cmd->buf + i] != pattern(cmd->off + i)) {
				fprintf(stderr, "mbox-demo: command %llu: byte %u "
					"of the read is wrong\n",
					(unsigned long long)res->id, i);
				return -1;
			}
		}
	}
	/* inline results are posted in the order commands are taken */
	if (cmd->op == MBOX_NOP) {
		if (res->id < c->nop_last) {
			fprintf(stderr, "mbox-demo: NOP %llu answered after NOP %llu\n",
				(unsigned long long)res->id, c->nop_last);
			return -1;
		}
		c->nop_last = res->id;
	}
	c->inflight[slot].busy = false;
	return 0;
}

static int run_client(struct client *c)
{
	struct demo *d = c->d;
	unsigned long long seed = 0x9e3779b97f4a7c15ULL, next = 0;
	struct mbox_res res[64];
	int n, i;

	c->slot_len = d->max_len;
	while (next < d->count || c->done < next) {
		/* command id uses window slot id % window (and its buffer) */
		while (next < d->count &&
		       !c->inflight[next % d->window].busy) {
			struct mbox_cmd cmd;
			unsigned slot = (unsigned)(next % d->window);

			if (d->gap_us && next)
				usleep(d->gap_us);
			make_cmd(c, next, slot, &seed, &cmd);
			n = iou_mbox_post(c->m, &cmd, 1);
			if (n < 0)
				return n;
			if (!n) {
				n = iou_mbox_wait_room(c->m, 5000);
				if (n)
					return n;
				continue;
			}
			c->inflight[slot].cmd = cmd;
			c->inflight[slot].busy = true;
			next++;
		}
		n = iou_mbox_wait(c->m, res, 64, 5000);
		if (n < 0)
			return n;
		for (i = 0; i < n; i++) {
			if (check(c, &res[i]))
				return -EPROTO;
			c->done++;
		}
	}
	return 0;
}

/* Send STOP and take its result: every command before it is answered. */
static int stop(struct client *c)
{
	struct mbox_cmd cmd = { .id = ~0ULL, .op = MBOX_STOP };
	struct mbox_res res;
	int n;

	n = iou_mbox_post(c->m, &cmd, 1);
	if (n != 1)
		return n < 0 ? n : -EAGAIN;
	n = iou_mbox_wait(c->m, &res, 1, 5000);
	if (n != 1)
		return n < 0 ? n : -EPROTO;
	return res.id == ~0ULL && res.op == MBOX_STOP && !res.res ? 0 : -EPROTO;
}

static int client_main(struct demo *d, void *shm, size_t shm_size)
{
	struct iou_mbox_stats st;
	struct client *c;
	double t0, t;
	int err;

	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->d = d;
	err = iou_mbox_open(shm, shm_size, &c->m);
	if (err)
		goto out;
	c->data = iou_mbox_data(c->m, &c->data_size);
	if ((size_t)d->window * d->max_len > c->data_size) {
		err = -ENOSPC;
		goto out;
	}
	t0 = now();
	err = run_client(c);
	t = now() - t0;
	if (!err)
		err = stop(c);
	if (err) {
		/* the loop must end all the same: ask through the control
		 * block and wake the program to see it */
		__atomic_store_n(&((struct iou_ctl *)shm)->stop_req, 1,
				 __ATOMIC_RELEASE);
		iou_mbox_kick(c->m);
	}
	iou_mbox_get_stats(c->m, &st);
	printf("client%s: %llu commands in %.3f s (%.0f/s), window %u; "
	       "doorbell wakes %llu (%.4f per command), client waits %llu, "
	       "ring full %llu\n", d->process ? " process" : "", c->done, t,
	       t > 0 ? c->done / t : 0, d->window,
	       (unsigned long long)st.wakes,
	       c->done ? (double)st.wakes / c->done : 0,
	       (unsigned long long)st.waits, (unsigned long long)st.full);
out:
	if (err)
		fprintf(stderr, "mbox-demo: client: %s\n", strerror(-err));
	iou_mbox_close(c->m);
	free(c);
	fflush(stdout);
	return err;
}

static void *client_thread(void *arg)
{
	struct demo *d = arg;

	return (void *)(long)client_main(d, d->shm, d->shm_size);
}

/* The client as another process: map the region through /proc. */
static int client_process(struct demo *d, pid_t parent, int shm_fd)
{
	void *shm;
	size_t size;
	int err;

	err = iou_mbox_map(parent, shm_fd, &shm, &size);
	if (err) {
		fprintf(stderr, "mbox-demo: mapping the region: %s\n", strerror(-err));
		return err;
	}
	err = client_main(d, shm, size);
	munmap(shm, size);
	return err;
}

static int prog_path(char *out, size_t len)
{
	char exe[PATH_MAX], *slash;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n <= 0)
		return -errno;
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (slash)
		*slash = '\0';
	n = snprintf(out, len, "%s/../progs/mbox.bpf.o", exe);
	return n > 0 && (size_t)n < len ? 0 : -ENAMETOOLONG;
}

static void print_counters(volatile struct iou_ctl *ctl)
{
	printf("program:");
	for (int i = 0; i < IOU_NR_COUNTERS; i++)
		if (ctl->counters[i].name[0])
			printf(" %s=%llu", (const char *)ctl->counters[i].name,
			       (unsigned long long)ctl->counters[i].value);
	printf("\n");
}

static int setup_file(void)
{
	unsigned char *buf = malloc(FILE_SIZE);
	char path[] = "/tmp/mbox-demo.XXXXXX";
	int fd = mkstemp(path);

	if (fd < 0 || !buf) {
		free(buf);
		return -1;
	}
	unlink(path);
	for (unsigned i = 0; i < FILE_SIZE; i++)
		buf[i] = pattern(i);
	if (pwrite(fd, buf, FILE_SIZE, 0) != FILE_SIZE) {
		close(fd);
		fd = -1;
	}
	free(buf);
	return fd;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "nops", no_argument, NULL, 'N' },
		{ "process", no_argument, NULL, 'P' },
		{ "spin", required_argument, NULL, 's' },
		{ "gap", required_argument, NULL, 'g' },
		{ 0 },
	};
	struct demo d = { .count = 100000, .window = 32, .max_len = 4096,
			  .spin = 16 };
	struct iou_opts opts = { .sq_rewind = -1 };
	volatile struct iou_ctl *ctl;
	struct iou_prog *p = NULL;
	char path[PATH_MAX], val[32];
	pthread_t thread;
	pid_t child = -1;
	long client_err = 0;
	int opt, err, status = 1;

	while ((opt = getopt_long(argc, argv, "n:w:l:v", longopts, NULL)) != -1) {
		switch (opt) {
		case 'n': d.count = strtoull(optarg, NULL, 0); break;
		case 'w': d.window = (unsigned)strtoul(optarg, NULL, 0); break;
		case 'l': d.max_len = (unsigned)strtoul(optarg, NULL, 0); break;
		case 's': d.spin = (unsigned)strtoul(optarg, NULL, 0); break;
		case 'g': d.gap_us = (unsigned)strtoul(optarg, NULL, 0); break;
		case 'N': d.nops = true; break;
		case 'P': d.process = true; break;
		case 'v': d.verbose = true; break;
		default:
			fprintf(stderr, "usage: mbox-demo [-n COUNT] [-w WINDOW(1..%d)] "
				"[-l MAXLEN] [--nops] [--process] [--spin N] "
				"[--gap US]\n",
				MAX_WINDOW);
			return 2;
		}
	}
	if (!d.window || d.window > MAX_WINDOW || !d.max_len ||
	    d.max_len > FILE_SIZE / 2) {
		fprintf(stderr, "mbox-demo: window 1..%d, max len 1..%u\n",
			MAX_WINDOW, FILE_SIZE / 2);
		return 2;
	}
	d.fd = setup_file();
	if (d.fd < 0) {
		perror("mbox-demo: scratch file");
		return 1;
	}
	err = prog_path(path, sizeof(path));
	if (!err)
		err = iou_prog_open(path, &opts, &p);
	if (err) {
		fprintf(stderr, "mbox-demo: %s: %s\n", path, strerror(-err));
		return 1;
	}
	snprintf(val, sizeof(val), "%u", d.window * d.max_len);
	err = iou_prog_set(p, "data_size", val);
	snprintf(val, sizeof(val), "%u", d.spin);
	if (!err)
		err = iou_prog_set(p, "spin", val);
	if (!err)
		err = iou_prog_load(p);
	if (!err)
		err = iou_prog_attach(p);
	if (err) {
		fprintf(stderr, "mbox-demo: loading mbox: %s%s%s\n", strerror(-err),
			*iou_prog_error_msg(p) ? ": " : "", iou_prog_error_msg(p));
		status = err == -EOPNOTSUPP ? 4 : 1;
		goto out;
	}
	d.shm = iou_prog_shm(p);
	d.shm_size = iou_prog_shm_size(p);
	ctl = iou_prog_ctl(p);

	if (d.process) {
		pid_t parent = getpid();

		fflush(stdout);
		child = fork();
		if (child < 0) {
			perror("mbox-demo: fork");
			goto out;
		}
		if (!child)
			_exit(client_process(&d, parent, iou_prog_shm_fd(p)) ? 1 : 0);
	} else if (pthread_create(&thread, NULL, client_thread, &d)) {
		perror("mbox-demo: pthread_create");
		goto out;
	}

	err = iou_prog_run(p);
	if (err)
		fprintf(stderr, "mbox-demo: run: %s\n", strerror(-err));
	if (d.process) {
		int ws = 0;

		/* the loop ended: the child cannot be answered any more */
		waitpid(child, &ws, 0);
		client_err = !WIFEXITED(ws) || WEXITSTATUS(ws);
	} else {
		void *ret;

		pthread_join(thread, &ret);
		client_err = (long)ret;
	}
	print_counters(ctl);
	printf("program exit: %s (%s)\n", iou_exit_kind_str(ctl->exit.kind),
	       (const char *)ctl->exit.reason);
	if (ctl->counters[0].value)
		printf("program sleeps per command %.4f, wake-ups per command %.4f\n",
		       (double)ctl->counters[5].value / ctl->counters[0].value,
		       (double)ctl->counters[6].value / ctl->counters[0].value);
	status = err || client_err || ctl->exit.kind != IOU_EXIT_STOPPED;
out:
	iou_prog_close(p);
	close(d.fd);
	return status;
}
