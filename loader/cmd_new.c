// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * cmd_new.c - `iouops new NAME [DIR]`: start a loop program outside the
 * tree: NAME.bpf.c (NOPs with counters in shared memory; the install_new_*
 * selftests compile and run it) and a Makefile that finds the headers.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"

#define MAX_NAME	32	/* keeps the derived BPF names readable */

static const char template_bpf[] =
"// SPDX-License-Identifier: GPL-2.0\n"
"/*\n"
" * @NAME@: an io_uring BPF loop program (started with `iouops new`).\n"
" *\n"
" * Keeps `qd` NOPs in flight until `total` have completed, all inside one\n"
" * io_uring_enter(), and checks every completion. Its progress lives in\n"
" * shared memory, where userspace reads it with no syscall: two named\n"
" * counters in the control block, printed by iouops (live with --stats 1).\n"
" *\n"
" *\tmake && sudo iouops load ./@NAME@.bpf.o --set total=100000 --set qd=16\n"
" *\tiouops vm -- iouops load ./@NAME@.bpf.o    # kernel older than 7.1\n"
" *\n"
" * The helpers are documented in iouops.bpf.h\n"
" * ($(pkg-config --variable=bpfincludedir iouops)/iouops.bpf.h), the\n"
" * commands in iouops(8).\n"
" */\n"
"#include \"iouops.bpf.h\"\n"
"\n"
"char LICENSE[] SEC(\"license\") = \"GPL\";\n"
"\n"
"/* Parameters: `iouops load ... --set NAME=VALUE` writes them before load. */\n"
"const volatile __u64 total = 1000;\t/* NOPs to complete */\n"
"const volatile __u32 qd = 8;\t\t/* NOPs in flight at most */\n"
"\n"
"enum { C_SUBMITTED, C_COMPLETED, NR_COUNTERS };\n"
"static const char counter_names[NR_COUNTERS][IOU_COUNTER_NAME_LEN] = {\n"
"\t\"submitted\", \"completed\",\n"
"};\n"
"\n"
"IOU_LOOP(@IDENT@_step)\t\t\t/* arguments: ring, lp */\n"
"{\n"
"\tstruct io_uring_cqe *cqe;\n"
"\tstruct io_uring_sqe *sqe;\n"
"\tstruct iou_ring r;\n"
"\t__u64 done, sent;\n"
"\tint i, ret;\n"
"\n"
"\tif (iou_ring_open(&r, ring))\t/* SQ, CQ and shared memory */\n"
"\t\treturn IOU_LOOP_STOP;\t/* (the reason is recorded) */\n"
"\tiou_counters_init(&r, counter_names, NR_COUNTERS);\n"
"\tif (!qd || qd > iou_layout.sq_entries)\n"
"\t\treturn iou_exit_error(r.ctl, -EINVAL, \"qd %u: must be 1..%u\",\n"
"\t\t\t\t      qd, iou_layout.sq_entries);\n"
"\n"
"\t/* Completions, oldest first. NOPs complete in order, and each\n"
"\t * carries its sequence number in user_data. */\n"
"\tiou_for_each_cqe(&r, cqe) {\n"
"\t\tdone = iou_counter(&r, C_COMPLETED);\n"
"\t\tif (cqe->res < 0 || cqe->user_data != done)\n"
"\t\t\treturn iou_exit_error(r.ctl, cqe->res < 0 ? cqe->res : -EPROTO,\n"
"\t\t\t\t\"NOP %llu: res %d, user_data %llu\",\n"
"\t\t\t\tdone, cqe->res, cqe->user_data);\n"
"\t\tiou_count(&r, C_COMPLETED, 1);\n"
"\t}\n"
"\n"
"\tdone = iou_counter(&r, C_COMPLETED);\n"
"\tsent = iou_counter(&r, C_SUBMITTED);\n"
"\tif (done >= total)\n"
"\t\treturn iou_exit_done(r.ctl, \"%llu NOPs completed and checked\", done);\n"
"\tif (iou_stop_requested(&r)) {\t/* Ctrl-C: let the in-flight ones land */\n"
"\t\tif (sent == done)\n"
"\t\t\treturn iou_exit_stopped(r.ctl, \"stopped after %llu NOPs\", done);\n"
"\t\treturn iou_step_wait(&r, lp, 1);\n"
"\t}\n"
"\n"
"\t/* Top up to qd in flight. bpf_for is a loop the verifier checks once. */\n"
"\tbpf_for(i, 0, (int)qd) {\n"
"\t\tif (sent - done >= qd || sent >= total)\n"
"\t\t\tbreak;\n"
"\t\tsqe = iou_get_sqe(&r);\n"
"\t\tif (!sqe)\n"
"\t\t\tbreak;\n"
"\t\tiou_prep_nop(sqe, sent++);\n"
"\t}\n"
"\tret = iou_submit(&r);\n"
"\tif (ret < 0)\n"
"\t\treturn iou_exit_error(r.ctl, ret, \"submitting NOPs failed\");\n"
"\tiou_count(&r, C_SUBMITTED, ret);\n"
"\n"
"\treturn iou_step_wait(&r, lp, 1);\t/* sleep until one more CQE */\n"
"}\n"
"\n"
"IOU_OPS(@IDENT@_ops, @IDENT@_step);\n";

static const char template_makefile[] =
"# Builds @NAME@.bpf.o, an io_uring BPF loop program (started with `iouops new`).\n"
"#\n"
"#   make              build @NAME@.bpf.o (V=1 shows the command)\n"
"#   make run          sudo iouops load ./@NAME@.bpf.o $(ARGS)  (Linux >= 7.1)\n"
"#   make vm           the same in a VM on Linux 7.3: iouops vm (any host kernel)\n"
"#   make clean\n"
"#\n"
"# e.g. make run ARGS=\"--set total=100000 --set qd=16\"\n"
"\n"
"NAME   := @NAME@\n"
"CLANG  ?= $(or $(shell command -v clang-19 2>/dev/null),clang)\n"
"IOUOPS ?= $(or $(shell command -v iouops 2>/dev/null),@IOUOPS@)\n"
"ARCH   := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')\n"
"\n"
"# The iouops BPF headers (iouops.bpf.h, iouops_shared.h, vmlinux.h): from\n"
"# pkg-config, else where `iouops new` found them.\n"
"IOUOPS_BPF_INC ?= $(or $(shell pkg-config --variable=bpfincludedir iouops 2>/dev/null),@BPFINC@)\n"
"\n"
"# -fms-extensions: vmlinux.h of a 7.x kernel needs it (see iouops.bpf.h)\n"
"BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -fms-extensions \\\n"
"\t      -Wall $(addprefix -I,$(IOUOPS_BPF_INC))\n"
"SUDO   := $(if $(filter 0,$(shell id -u)),,sudo)\n"
"\n"
"ifneq ($(V),1)\n"
"Q := @\n"
"endif\n"
"\n"
".DELETE_ON_ERROR:\n"
".PHONY: all run vm clean\n"
"\n"
"all: $(NAME).bpf.o\n"
"\n"
"$(NAME).bpf.o: $(NAME).bpf.c $(wildcard $(addsuffix /iouops.bpf.h,$(IOUOPS_BPF_INC)))\n"
"\t@printf '  %-8s %s\\n' BPF $@\n"
"\t$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@\n"
"\n"
"run: $(NAME).bpf.o\n"
"\t$(SUDO) $(IOUOPS) load ./$< $(ARGS)\n"
"\n"
"vm: $(NAME).bpf.o\n"
"\t$(IOUOPS) vm -- iouops load ./$< $(ARGS)\n"
"\n"
"clean:\n"
"\trm -f $(NAME).bpf.o\n";

/* Copy tmpl to f with @NAME@, @IDENT@, @BPFINC@, @IOUOPS@ replaced. */
static int expand(FILE *f, const char *tmpl, const char *const vars[][2],
		  size_t nr_vars)
{
	const char *s = tmpl;
	size_t i;

	while (*s) {
		for (i = 0; i < nr_vars; i++) {
			size_t n = strlen(vars[i][0]);

			if (!strncmp(s, vars[i][0], n)) {
				fputs(vars[i][1], f);
				s += n;
				break;
			}
		}
		if (i == nr_vars)
			fputc(*s++, f);
	}
	return ferror(f) ? -EIO : 0;
}

/* Create path (never overwrite) and write the expanded template. */
static int write_new_file(const char *path, const char *tmpl,
			  const char *const vars[][2], size_t nr_vars)
{
	FILE *f;
	int fd, err;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	f = fdopen(fd, "w");
	if (!f) {
		err = -errno;
		close(fd);
		unlink(path);
		return err;
	}
	err = expand(f, tmpl, vars, nr_vars);
	if (fclose(f) && !err)
		err = -errno;
	if (err)
		unlink(path);
	return err;
}

/* NAME becomes file names and, with '-' as '_', C identifiers. */
static bool valid_name(const char *name, char *ident)
{
	size_t i, n = strlen(name);

	if (!n || n > MAX_NAME || !(name[0] == '_' ||
	    (name[0] >= 'a' && name[0] <= 'z') || (name[0] >= 'A' && name[0] <= 'Z')))
		return false;
	for (i = 0; i < n; i++) {
		char c = name[i];

		if (!(c == '_' || c == '-' || (c >= 'a' && c <= 'z') ||
		      (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
			return false;
		ident[i] = c == '-' ? '_' : c;
	}
	ident[n] = '\0';
	return true;
}

static int mkdir_parents(const char *dir)
{
	char path[PATH_MAX], *p;

	if (snprintf(path, sizeof(path), "%s/", dir) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	for (p = strchr(path + 1, '/'); p; p = strchr(p + 1, '/')) {
		*p = '\0';
		if (mkdir(path, 0755) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	return 0;
}

static void new_usage(FILE *f)
{
	fprintf(f,
"Usage: iouops new NAME [DIR]\n"
"Write DIR/NAME.bpf.c (a loop program: NOPs with counters in shared memory)\n"
"and DIR/Makefile (clang + the installed headers, through pkg-config).\n"
"DIR defaults to ./NAME and is created if needed; existing files are never\n"
"overwritten. Then: cd DIR && make && sudo iouops load ./NAME.bpf.o\n");
}

int cmd_new(int argc, char **argv)
{
	char ident[MAX_NAME + 1], bpfinc[2 * PATH_MAX + 16];
	char src[PATH_MAX], mk[PATH_MAX];
	const char *name, *dir;
	struct iouops_home h;
	int err, status;

	if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		new_usage(stdout);
		return IOUOPS_EXIT_OK;
	}
	if (argc < 2 || argc > 3 || argv[1][0] == '-') {
		fprintf(stderr, "iouops: new takes NAME [DIR] (see 'iouops new --help')\n");
		return IOUOPS_EXIT_USAGE;
	}
	name = argv[1];
	dir = argc == 3 ? argv[2] : name;
	if (!valid_name(name, ident)) {
		fprintf(stderr, "iouops: new: '%s' is not a usable name (letters, "
			"digits, '_' or '-', at most %d, starting with a letter)\n",
			name, MAX_NAME);
		return IOUOPS_EXIT_USAGE;
	}
	status = iouops_find_home(&h);
	if (status)
		return status;
	iouops_bpf_include_dirs(&h, bpfinc, sizeof(bpfinc));

	const char *const vars[][2] = {
		{ "@NAME@", name }, { "@IDENT@", ident },
		{ "@BPFINC@", bpfinc }, { "@IOUOPS@", h.exe },
	};
	const size_t nr_vars = sizeof(vars) / sizeof(vars[0]);

	if (snprintf(src, sizeof(src), "%s/%s.bpf.c", dir, name) >= (int)sizeof(src) ||
	    snprintf(mk, sizeof(mk), "%s/Makefile", dir) >= (int)sizeof(mk)) {
		fprintf(stderr, "iouops: new: %s: path too long\n", dir);
		return IOUOPS_EXIT_USAGE;
	}
	if (!access(src, F_OK) || !access(mk, F_OK)) {
		fprintf(stderr, "iouops: new: %s already exists; not overwriting it\n",
			access(src, F_OK) ? mk : src);
		return IOUOPS_EXIT_EXISTS;
	}
	err = mkdir_parents(dir);
	if (!err)
		err = write_new_file(src, template_bpf, vars, nr_vars);
	if (!err) {
		err = write_new_file(mk, template_makefile, vars, nr_vars);
		if (err)
			unlink(src);
	}
	if (err) {
		fprintf(stderr, "iouops: new: cannot write into %s: %s\n", dir,
			strerror(-err));
		return err == -EEXIST ? IOUOPS_EXIT_EXISTS : IOUOPS_EXIT_FAIL;
	}
	printf("wrote %s and %s\n"
	       "next: %s%s%smake && sudo iouops load ./%s.bpf.o\n"
	       "      (kernel older than 7.1: iouops vm -- iouops load ./%s.bpf.o)\n",
	       src, mk, strcmp(dir, ".") ? "cd " : "", strcmp(dir, ".") ? dir : "",
	       strcmp(dir, ".") ? " && " : "", name, name);
	return IOUOPS_EXIT_OK;
}
