/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hostile.h - shared by the chaos (kill at any moment), scribble (untrusted
 * shared memory), privilege and soak tests: start a shipped program under
 * `iouops load` with its workload, and check that nothing it made is left
 * once it is gone.
 */
#ifndef IOUOPS_HOSTILE_H
#define IOUOPS_HOSTILE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "selftest.h"

enum hostile_prog {
	HOSTILE_NOPS,
	HOSTILE_ECHO,		/* with echo-client connections */
	HOSTILE_UDP_ECHO,	/* with udp-echo-client */
	HOSTILE_CP,		/* copying a 16 MiB file */
	HOSTILE_MBOX,		/* with a client process posting commands */
	HOSTILE_NOPS_SHARDS,	/* nops --shards 2 */
	HOSTILE_ECHO_SHARDS,	/* echo --shards 2, with echo-client */
	HOSTILE_NR_PROGS,
};

extern const char *const hostile_prog_names[HOSTILE_NR_PROGS];
/* The shards a run of PROG has (its regions iouops-shm.N), 0: none. */
unsigned hostile_prog_shards(enum hostile_prog prog);

/* One run of a program and its workload. */
struct hostile_run {
	enum hostile_prog prog;
	struct st_cmd cmd;		/* iouops load ... */
	int port;			/* echo, udp_echo: --listen port */
	pid_t client;			/* workload process, 0 when none */
	bool client_started;
	char src[96], dst[96];		/* cp: in the fixture's scratch folder */
	uint64_t src_size;
};

/* What census counts now, to compare with a baseline. */
struct hostile_census {
	int links, maps, progs;	/* struct_ops, bpftool */
	int rings;		/* io_uring fds of all processes but ours */
};

/*
 * The part of a hostile test's fixture (FIXTURE(chaos) { struct
 * hostile_fixture h; ... }) that every one of them shares: what the
 * system held before the test, and a scratch folder for cp's files.
 */
struct hostile_fixture {
	struct hostile_census base;
	char dir[64];
	bool ready;		/* set up in full: the teardown checks */
};

/* FIXTURE_SETUP: skips without the feature; the census, the kernel log
 * read from here on (hostile_kmsg_splats), the scratch folder. */
int hostile_setup(struct hostile_fixture *h);
/* FIXTURE_TEARDOWN, once the test's processes are gone: the scratch
 * folder removed, and nothing the test started left (the census back
 * at its baseline within 10 s). KSFT_PASS or KSFT_FAIL. */
int hostile_teardown(const struct hostile_fixture *h);

/* FIXTURE(NAME) holding just that part, as `self->h`. */
#define HOSTILE_FIXTURE(name_)						\
	FIXTURE(name_) {						\
		struct hostile_fixture h;				\
	};								\
	FIXTURE_SETUP(name_)						\
	{								\
		return hostile_setup(&self->h);				\
	}								\
	FIXTURE_TEARDOWN(name_)						\
	{								\
		return hostile_teardown(&self->h);			\
	}								\
	FIXTURE_DATA(name_)

/* Deterministic per-test random numbers (seed from IOU_HOSTILE_SEED). */
uint64_t hostile_rand(void);
/* [0, n) */
static inline uint64_t hostile_below(uint64_t n) { return n ? hostile_rand() % n : 0; }
uint64_t hostile_seed(void);
/* A different stream in a forked worker (SALT: its number). */
void hostile_rng_split(uint64_t salt);

/* Start PROG with its workload (echo/udp clients begin once the server
 * listens: call hostile_pump; cp copies a file in H's scratch folder).
 * 0 or -errno. */
int hostile_start(struct hostile_run *r, const struct hostile_fixture *h,
		  enum hostile_prog prog);
/* cp of a fresh SIZE-byte file. */
int hostile_start_cp(struct hostile_run *r, const struct hostile_fixture *h,
		     uint64_t size);
/* echo or udp_echo (with --set SET unless NULL), no workload: returns once
 * it listens on 127.0.0.1:r->port. */
int hostile_start_server(struct hostile_run *r, enum hostile_prog prog,
			 const char *set);
/* Read output for up to MS, start clients once listening; 1 when exited. */
int hostile_pump(struct hostile_run *r, int ms);
/* Kill and reap the program and its workload, remove cp's files. */
void hostile_cleanup(struct hostile_run *r);

/* Has the program's first loop step run (control block `running`)? */
bool hostile_prog_running(pid_t pid);
/* Until r's program runs its first step (pumping its clients meanwhile),
 * at most 60 s; -ECHILD if it ends first, -ETIMEDOUT. */
int hostile_wait_running(struct hostile_run *r);
/* Map the shared region of PID read-write (whole memfd). 0 or -errno. */
int hostile_map_shm(pid_t pid, void **shm, size_t *size);
/* Every shared region of PID (a run with shards has one per shard),
 * read-write, at most MAX: how many, or -errno. */
int hostile_map_all_shm(pid_t pid, void **shm, size_t *size, int max);

/* What the system holds now. */
int hostile_census(struct hostile_census *c);
/* Wait up to 10 s for the census to be back at BASE and the run's port
 * free; 0, or -EBUSY with diagnostics naming what is left. */
int hostile_check_clean(const struct hostile_census *base,
			const struct hostile_run *r);
/* cp: when the loader reported "EXIT: done", the copy must be whole.
 * 0, or -EIO with a diagnostic. */
int hostile_check_cp(const struct hostile_run *r);

/* New kernel log lines since the last call that look like a splat
 * (WARNING/BUG/KASAN/Oops...), not counting scripts/known-kernel-issues;
 * 0 or the number of such lines (printed as diagnostics). */
int hostile_kmsg_splats(void);

/* Is every byte of S printable text, tab or newline? */
bool hostile_printable(const char *s);

#endif /* IOUOPS_HOSTILE_H */
