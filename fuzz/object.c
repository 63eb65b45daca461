// SPDX-License-Identifier: GPL-2.0
/*
 * iou_prog_open() and iou_prog_set() on mutated BPF objects (seeded with
 * the objects in build/progs and the foreign programs of build/selftests):
 * ELF parsing is libbpf's, but finding the io_uring_bpf_ops map, walking
 * BTF for globals (iou_layout, iou_res, iou_shm_need, listen_fd...) and
 * paths through them, --shm-type's struct lookup, the globals report and
 * writing them is ours. So is reading DWARF (loader/dwarf_*.c, through
 * libdw): --shm-type of the structs only DWARF has (the foreign_dwarf_*
 * seeds) with paths through them, and inspect's list of such structs,
 * which runs on every input, opened by libbpf or not.
 */
#include <errno.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"
#include "iouops.h"

static void quiet(enum iou_log_level level, const char *msg, void *cookie)
{
	(void)level;
	(void)msg;
	(void)cookie;
}

/* Every integer global the report would print: a name and a size. */
static int count_global(const char *name, const struct iou_var_info *info,
			unsigned long long raw, void *cookie)
{
	char buf[64];

	(void)cookie;
	if (!name || !*name || !info->section ||
	    (info->size != 1 && info->size != 2 && info->size != 4 &&
	     info->size != 8))
		abort();
	iou_var_format(info, raw, buf, sizeof(buf));
	return 0;
}

/* A struct only DWARF has: a name, and a size or why it is unusable. */
static int check_dwarf_struct(const struct iou_dwarf_struct *s, void *cookie)
{
	(void)cookie;
	if (!s->name || s->err > 0 || (s->err && (!s->why || !*s->why)))
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const sets[][2] = {
		{ "qd", "8" }, { "total", "0x10" }, { "max_conns", "64" },
		{ "iou_layout", "1" }, { "listen_fd", "@ring_fd" },
		{ "bs", "4k" }, { "iou_res", "0" }, { "iou_shm_need", "-1" },
		{ "cfg.ring.off[2]", "@cq_off.cqes" }, { "cfg.uaddr", "@shm_uaddr" },
		{ "cfg.token_half[1]", "7" }, { "iou_res.cqe32", "1" },
	};
	static const char *const shm_types[] = { "nops71_state",
		"struct nops72_shared", "iou_ctl", "dwarf71_state",
		"dwarf72_state_t", "deep_state" };
	static const char *const shm_paths[] = { "shm.count",
		"shm.ring.off.cqes", "shm.tag.half[1]", "shm.batches",
		"shm.geom.cq_off[2]", "shm.first_round_half[1]",
		"shm.tally.cqes", "shm.cur.seen" };
	struct iou_opts opts = { .log = quiet };
	struct iou_prog *p = NULL;
	char path[64];
	int fd;

	fd = memfd_create("fuzz-object", MFD_CLOEXEC);
	if (fd < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (!iou_prog_open(path, &opts, &p)) {
		for (size_t i = 0; i < sizeof(sets) / sizeof(sets[0]); i++)
			iou_prog_set(p, sets[i][0], sets[i][1]);
		iou_prog_name(p);
		iou_prog_layout(p);
		iou_prog_for_each_int_global(p, count_global, NULL);
		if (!iou_prog_set_shm_type(p, shm_types[size % 6])) {
			struct iou_var_info info;

			for (size_t i = 0; i < sizeof(shm_paths) / sizeof(shm_paths[0]); i++)
				iou_prog_var_info(p, shm_paths[i], &info);
		}
		iou_prog_close(p);
	}
	iou_object_dwarf_structs(path, check_dwarf_struct, NULL);
	close(fd);
	return 0;
}
