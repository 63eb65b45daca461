// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * cmd_new.c - `iouops new NAME [DIR]`: start a loop program outside the
 * tree: NAME.bpf.c (progs/hello.bpf.c, with NAME's names; the
 * install_new_* selftests compile and run it) and a Makefile that finds
 * the headers.
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

/* progs/hello.bpf.c, the README's first program (the Makefile makes it a
 * C string): the program `iouops new` writes is the one the suite builds
 * and runs. Its step and ops take NAME's names; a head says what it is. */
#include "hello_bpf.h"

static const char hello_step[] = "count_step", hello_ops[] = "count_ops";

static const char template_head[] =
"// SPDX-License-Identifier: GPL-2.0\n"
"/*\n"
" * @NAME@: an io_uring BPF loop program, started with `iouops new` from\n"
" * iouops's first example (progs/hello.bpf.c in its source tree).\n"
" *\n"
" * Completes `total` NOPs one at a time, all inside one io_uring_enter(),\n"
" * and records how it ended in shared memory, where iouops reads it:\n"
" *\n"
" *\tmake && sudo iouops load ./@NAME@.bpf.o --set total=100000 --print done\n"
" *\tiouops vm -- iouops load ./@NAME@.bpf.o    # kernel older than 7.1\n"
" *\n"
" * The helpers are documented in iouops.bpf.h\n"
" * ($(pkg-config --variable=bpfincludedir iouops)/iouops.bpf.h), the\n"
" * commands in iouops(8).\n"
" */\n";

static const char template_makefile[] =
"# Builds @NAME@.bpf.o, an io_uring BPF loop program (started with `iouops new`).\n"
"#\n"
"#   make              build @NAME@.bpf.o (V=1 shows the command)\n"
"#   make run          sudo iouops load ./@NAME@.bpf.o $(ARGS)  (Linux >= 7.1)\n"
"#   make vm           the same in a VM on Linux " IOUOPS_DEFAULT_SERIES ": iouops vm (any host kernel)\n"
"#   make clean\n"
"#\n"
"# e.g. make run ARGS=\"--set total=100000 --print done\"\n"
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
"# -fms-extensions: vmlinux.h of a 7.x kernel needs it (see iouops.bpf.h);\n"
"# -mcpu=v3: 32-bit ALU, so ring index maths needs no zero-extension\n"
"BPF_CFLAGS := -g -O2 -target bpf -mcpu=v3 -D__TARGET_ARCH_$(ARCH) -fms-extensions \\\n"
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

/* Copy tmpl to f with every vars[i][0] in it replaced by vars[i][1]. */
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

/* Create path (never overwrite) and write the expanded templates, one
 * after the other (NULL ends the list). */
static int write_new_file(const char *path, const char *const tmpls[],
			  const char *const vars[][2], size_t nr_vars)
{
	FILE *f;
	int fd, err = 0;
	size_t i;

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
	for (i = 0; tmpls[i] && !err; i++)
		err = expand(f, tmpls[i], vars, nr_vars);
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
"Write DIR/NAME.bpf.c (a loop program: iouops's first example, NOPs one at\n"
"a time until `total`) and DIR/Makefile (clang + the installed headers,\n"
"through pkg-config).\n"
"DIR defaults to ./NAME and is created if needed; existing files are never\n"
"overwritten. Then: cd DIR && make && sudo iouops load ./NAME.bpf.o\n");
}

int cmd_new(int argc, char **argv)
{
	char ident[MAX_NAME + 1], bpfinc[2 * PATH_MAX + 16];
	char step[MAX_NAME + sizeof("_step")], ops[MAX_NAME + sizeof("_ops")];
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
	snprintf(step, sizeof(step), "%s_step", ident);
	snprintf(ops, sizeof(ops), "%s_ops", ident);

	const char *const vars[][2] = {
		{ "@NAME@", name }, { "@BPFINC@", bpfinc }, { "@IOUOPS@", h.exe },
		{ hello_step, step }, { hello_ops, ops },
	};
	const size_t nr_vars = sizeof(vars) / sizeof(vars[0]);
	const char *const bpf_parts[] = { template_head, hello_bpf_c, NULL };
	const char *const mk_parts[] = { template_makefile, NULL };

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
		err = write_new_file(src, bpf_parts, vars, nr_vars);
	if (!err) {
		err = write_new_file(mk, mk_parts, vars, nr_vars);
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
