// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * prog_open.c - the life of a struct iou_prog at both ends: open a BPF
 * object and find its io_uring_bpf_ops map (no privilege needed), and
 * close, which frees everything the later steps made.
 */
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "prog_internal.h"
#include "services/files_root_internal.h"

static int check_bpf_elf(const char *path)
{
	Elf64_Ehdr eh;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, &eh, sizeof(eh));
	close(fd);
	if (n != (ssize_t)sizeof(eh) || memcmp(eh.e_ident, ELFMAG, SELFMAG) ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_machine != EM_BPF)
		return -ENOEXEC;
	return 0;
}

static bool is_io_uring_ops_map(const struct bpf_object *obj,
				const struct bpf_map *map)
{
	const struct btf *btf = bpf_object__btf(obj);
	static const char ops[] = IOU_SYM_OPS_STRUCT;
	const struct btf_type *t;
	const char *name;

	if (bpf_map__type(map) != BPF_MAP_TYPE_STRUCT_OPS || !btf)
		return false;
	t = btf__type_by_id(btf, bpf_map__btf_value_type_id(map));
	if (!t)
		return false;
	/* also a CO-RE flavour (io_uring_bpf_ops___v2) declaring callbacks
	 * newer than vmlinux.h; libbpf matches it to the kernel's type */
	name = btf__name_by_offset(btf, t->name_off);
	return !strncmp(name, ops, sizeof(ops) - 1) &&
	       (!name[sizeof(ops) - 1] || !strncmp(name + sizeof(ops) - 1, "___", 3));
}

int iou_prog_open(const char *path, const struct iou_opts *opts,
		  struct iou_prog **out)
{
	struct iou_prog *p;
	struct bpf_map *map;
	struct stat st;
	int err;

	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	if (opts)
		p->opts = *opts;
	iou_prog_stamp(p, IOU_PHASE_START);
	p->ring_fd = -1;
	p->shm_fd = -1;
	p->shard = -1;
	p->listen_preset = -1;
	p->fail.stage = IOU_STAGE_OPEN;
	p->path = strdup(path);
	if (!p->path) {
		err = -ENOMEM;
		goto fail;
	}
	if (stat(path, &st)) {
		err = -errno;
		goto fail;
	}
	if (S_ISDIR(st.st_mode)) {
		err = -EISDIR;
		goto fail;
	}
	err = check_bpf_elf(path);
	if (err)
		goto fail;

	iou_bpf_log_begin(&p->log, &p->opts);
	p->obj = bpf_object__open_file(path, NULL);
	iou_bpf_log_end();
	if (!p->obj) {
		err = -errno ? -errno : -ENOEXEC;
		if (err != -ENOMEM)
			err = -ENOEXEC;
		goto fail;
	}

	bpf_object__for_each_map(map, p->obj) {
		if (is_io_uring_ops_map(p->obj, map)) {
			p->ops_map = map;
			break;
		}
	}
	if (!p->ops_map) {
		p->fail.stage = IOU_STAGE_NO_OPS;
		err = -ESRCH;
		goto fail;
	}
	p->fail.stage = IOU_STAGE_NONE;
	iou_prog_stamp(p, IOU_PHASE_OPEN);
	*out = p;
	return 0;
fail:
	if (out)
		*out = NULL;
	iou_logf(&p->opts, IOU_LOG_DEBUG, "open %s: %s", path, strerror(-err));
	/* keep the stage for the caller: report it through the log only */
	iou_prog_close(p);
	return err;
}

int iou_prog_keep_fd(struct iou_prog *p, int fd)
{
	int *grown = realloc(p->kept_fds, (p->nr_kept_fds + 1) * sizeof(*grown));

	if (!grown)
		return -ENOMEM;
	p->kept_fds = grown;
	p->kept_fds[p->nr_kept_fds++] = fd;
	return 0;
}

size_t iou_prog_kept_fds(const struct iou_prog *p, const int **fds)
{
	*fds = p->kept_fds;
	return p->nr_kept_fds;
}

void iou_prog_close(struct iou_prog *p)
{
	size_t i;

	if (!p)
		return;
	iou_prog_detach(p);
	bpf_object__close(p->obj);
	btf__free(p->shm_btf);
	iou_netres_free(p->net);	/* the listening socket */
	if (p->listen_preset >= 0)	/* made for a load that never came */
		close(p->listen_preset);
	iou_root_free(p->root);		/* --root's file table */
	if (p->shm)
		munmap(p->shm, p->shm_size);
	if (p->shm_fd >= 0)
		close(p->shm_fd);
	if (p->own_ring && p->ring_fd >= 0)
		close(p->ring_fd);
	for (i = 0; i < p->nr_kept_fds; i++)
		close(p->kept_fds[i]);
	free(p->kept_fds);
	for (i = 0; i < p->nr_sets; i++) {
		free(p->sets[i].name);
		free(p->sets[i].value);
	}
	free(p->sets);
	iou_bpf_log_free(&p->log);
	free(p->path);
	free(p);
}
