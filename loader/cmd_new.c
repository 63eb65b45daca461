// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * cmd_new.c - the `iouops` commands for writing loop programs outside the
 * tree: new (a starting point), build (one file, no Makefile), vm (run a
 * command on a newer kernel) and get-kernel (fetch one for vm).
 *
 * Part of the command, not of libiouops: it prints and spawns. Everything
 * it needs is found relative to the running binary, so the same code works
 * in the source tree (build/iouops: headers in progs/ and the tree's root,
 * runner in scripts/) and installed (PREFIX/bin/iouops: headers in
 * PREFIX/include/iouops, runner in PREFIX/lib/iouops).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmd.h"
#include "iouops.h"

extern char **environ;

#if defined(__aarch64__)
#define TARGET_ARCH	"arm64"
#else
#define TARGET_ARCH	"x86"
#endif

#define MAX_NAME	32	/* keeps the derived BPF names readable */
#define MAX_ARGS	256

/* Where this iouops lives: an install prefix or a source tree. */
struct home {
	char root[PATH_MAX];	/* PREFIX, or the tree's top folder */
	char bindir[PATH_MAX];	/* the folder of the running binary */
	char exe[PATH_MAX];
	bool installed;
};

static bool is_file(const char *fmt, const char *dir)
{
	char path[PATH_MAX];
	struct stat st;
	int n = snprintf(path, sizeof(path), fmt, dir);

	return n > 0 && (size_t)n < sizeof(path) && !stat(path, &st) &&
	       S_ISREG(st.st_mode);
}

static int find_home(struct home *h)
{
	char up[PATH_MAX + 4];
	ssize_t n;
	char *slash;

	n = readlink("/proc/self/exe", h->exe, sizeof(h->exe) - 1);
	if (n <= 0)
		return -errno;
	h->exe[n] = '\0';
	snprintf(h->bindir, sizeof(h->bindir), "%s", h->exe);
	slash = strrchr(h->bindir, '/');
	if (slash)
		*slash = '\0';
	snprintf(up, sizeof(up), "%s/..", h->bindir);
	if (!realpath(up, h->root))
		return -errno;
	h->installed = is_file("%s/include/iouops/iouops.bpf.h", h->root);
	if (!h->installed && !is_file("%s/progs/iouops.bpf.h", h->root))
		return -ENOENT;
	return 0;
}

static int home_or_complain(struct home *h)
{
	if (find_home(h)) {
		fprintf(stderr, "iouops: cannot find the iouops headers next to "
			"this binary (PREFIX/include/iouops or the source tree)\n");
		return IOUOPS_EXIT_NOTOOL;
	}
	return 0;
}

/* The folders to pass as -I for iouops.bpf.h, iouops_shared.h, vmlinux.h,
 * space-separated. IOUOPS_BPF_INC overrides them. */
static void bpf_include_dirs(const struct home *h, char *out, size_t len)
{
	const char *env = getenv("IOUOPS_BPF_INC");

	if (env && *env)
		snprintf(out, len, "%s", env);
	else if (h->installed)
		snprintf(out, len, "%s/include/iouops", h->root);
	else
		snprintf(out, len, "%s/progs %s", h->root, h->root);
}

/* ---- iouops new ---- */

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

static int cmd_new(int argc, char **argv)
{
	char ident[MAX_NAME + 1], bpfinc[2 * PATH_MAX + 16];
	char src[PATH_MAX], mk[PATH_MAX];
	const char *name, *dir;
	struct home h;
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
	status = home_or_complain(&h);
	if (status)
		return status;
	bpf_include_dirs(&h, bpfinc, sizeof(bpfinc));

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

/* ---- iouops build ---- */

/* Run argv (argv[0] looked up in PATH) and wait. Returns its exit status,
 * or -errno when it could not be started (-ENOENT: not in PATH). */
static int run_wait(char *const argv[])
{
	int err, wstatus;
	pid_t pid;

	err = posix_spawnp(&pid, argv[0], NULL, NULL, argv, environ);
	if (err)
		return -err;
	while (waitpid(pid, &wstatus, 0) < 0) {
		if (errno != EINTR)
			return -errno;
	}
	return WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
}

static void build_usage(FILE *f)
{
	fprintf(f,
"Usage: iouops build [-v] [-o OUT] FILE.bpf.c [-- CLANG_ARGS...]\n"
"Compile one loop program with the flags iouops programs need:\n"
"  clang -g -O2 -target bpf -D__TARGET_ARCH_x86 -fms-extensions -Wall\n"
"        -I<iouops BPF headers> CLANG_ARGS -c FILE.bpf.c -o FILE.bpf.o\n"
"then check that the object has an io_uring_bpf_ops map. The compiler is\n"
"$CLANG, else clang-19, else clang; the headers come from $IOUOPS_BPF_INC,\n"
"else from next to this iouops.\n");
}

static int cmd_build(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	/* $CLANG alone when set: a typo there must not build with another */
	const char *clangs[] = { getenv("CLANG"), "clang-19", "clang" };
	char incdirs[2 * PATH_MAX + 16], incflags[4][PATH_MAX + 3];
	char out[PATH_MAX], *args[MAX_ARGS], *tok, *save;
	const char *src, *output = NULL;
	struct iou_prog *p = NULL;
	bool verbose = false;
	int c, i, n, nr_inc = 0, status, ret = -ENOENT;
	size_t len, k;
	struct home h;

	optind = 1;
	opterr = 0;
	/* options anywhere; after `--` everything is for clang */
	while ((c = getopt_long(argc, argv, "o:vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'o': output = optarg; break;
		case 'v': verbose = true; break;
		case 'h': build_usage(stdout); return IOUOPS_EXIT_OK;
		default:
			if (optopt)
				fprintf(stderr, "iouops: build: bad or incomplete "
					"option '-%c' (clang's go after --; see "
					"'iouops build --help')\n", optopt);
			else
				fprintf(stderr, "iouops: build: bad option '%s' "
					"(see 'iouops build --help')\n",
					argv[optind - 1]);
			return IOUOPS_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "iouops: build takes one FILE.bpf.c (see 'iouops build --help')\n");
		return IOUOPS_EXIT_USAGE;
	}
	src = argv[optind];
	len = strlen(src);
	if (len < 3 || strcmp(src + len - 2, ".c")) {
		fprintf(stderr, "iouops: build: %s: expected a C file (NAME.bpf.c)\n", src);
		return IOUOPS_EXIT_USAGE;
	}
	if (access(src, R_OK)) {
		fprintf(stderr, "iouops: build: %s: %s\n", src, strerror(errno));
		return IOUOPS_EXIT_NOFILE;
	}
	if (!output) {
		snprintf(out, sizeof(out), "%.*s.o", (int)(len - 2), src);
		output = out;
	}
	status = home_or_complain(&h);
	if (status)
		return status;
	bpf_include_dirs(&h, incdirs, sizeof(incdirs));

	n = 1;	/* args[0]: the compiler, filled per candidate */
	args[n++] = "-g";
	args[n++] = "-O2";
	args[n++] = "-target";
	args[n++] = "bpf";
	args[n++] = "-D__TARGET_ARCH_" TARGET_ARCH;
	args[n++] = "-fms-extensions";
	args[n++] = "-Wall";
	for (tok = strtok_r(incdirs, " ", &save); tok && nr_inc < 4;
	     tok = strtok_r(NULL, " ", &save)) {
		snprintf(incflags[nr_inc], sizeof(incflags[0]), "-I%s", tok);
		args[n++] = incflags[nr_inc++];
	}
	for (i = optind + 1; i < argc && n < MAX_ARGS - 6; i++)
		args[n++] = argv[i];
	args[n++] = "-c";
	args[n++] = (char *)src;
	args[n++] = "-o";
	args[n++] = (char *)output;
	args[n] = NULL;

	for (k = 0; k < sizeof(clangs) / sizeof(clangs[0]) && ret == -ENOENT; k++) {
		if (!clangs[k] || !*clangs[k])
			continue;
		args[0] = (char *)clangs[k];
		if (verbose) {
			for (i = 0; i < n; i++)
				fprintf(stderr, "%s%s", i ? " " : "", args[i]);
			fputc('\n', stderr);
		}
		ret = run_wait(args);
		if (k == 0)
			break;
	}
	if (ret < 0) {
		fprintf(stderr, "iouops: build: cannot run %s (%s): set CLANG or "
			"install clang-19\n", args[0], strerror(-ret));
		return IOUOPS_EXIT_NOTOOL;
	}
	if (ret) {
		fprintf(stderr, "iouops: build: %s failed (exit %d)\n", args[0], ret);
		return IOUOPS_EXIT_BUILD;
	}
	/* Opening needs no privilege and catches a missing IOU_OPS now. */
	ret = iou_prog_open(output, NULL, &p);
	iou_prog_close(p);
	if (ret == -ESRCH) {
		fprintf(stderr, "iouops: build: %s has no io_uring_bpf_ops map "
			"(declare one: IOU_OPS(name_ops, name_step);)\n", output);
		return IOUOPS_EXIT_NOOPS;
	}
	if (ret) {
		fprintf(stderr, "iouops: build: %s: %s\n", output, strerror(-ret));
		return IOUOPS_EXIT_NOTBPF;
	}
	return IOUOPS_EXIT_OK;
}

/* ---- iouops vm, iouops get-kernel ---- */

/* Exec a helper script of the tree (scripts/NAME) or of the install
 * (PREFIX/lib/iouops/NAME) with extra leading arguments. */
static int exec_script(const struct home *h, const char *name, char **pre,
		       int nr_pre, int argc, char **argv)
{
	char path[PATH_MAX], *args[MAX_ARGS];
	int i, n = 0;

	snprintf(path, sizeof(path), h->installed ? "%s/lib/iouops/%s" :
		 "%s/scripts/%s", h->root, name);
	if (nr_pre + argc + 2 > MAX_ARGS) {
		fprintf(stderr, "iouops: %s: too many arguments\n", name);
		return IOUOPS_EXIT_USAGE;
	}
	args[n++] = path;
	for (i = 0; i < nr_pre; i++)
		args[n++] = pre[i];
	for (i = 1; i < argc; i++)
		args[n++] = argv[i];
	args[n] = NULL;
	fflush(NULL);
	execv(path, args);
	fprintf(stderr, "iouops: cannot run %s: %s\n", path, strerror(errno));
	return IOUOPS_EXIT_NOTOOL;
}

static bool path_under(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	return !strncmp(path, dir, n) && (path[n] == '/' || !path[n]);
}

/*
 * The runner mirrors the tree's build/ into the guest. Installed, there is
 * no tree: pass this binary, the installed programs and the current folder
 * (where the user's NAME.bpf.o is) instead. Either way `iouops` is in the
 * guest's PATH.
 */
static int cmd_vm(int argc, char **argv)
{
	static char guest_path[PATH_MAX + 128], progs[PATH_MAX + 32];
	char cwd[PATH_MAX], *pre[8];
	const char *home = getenv("HOME");
	int nr = 0, status;
	struct home h;

	status = home_or_complain(&h);
	if (status)
		return status;
	setenv("IOUOPS_VM_GET_KERNEL", "iouops get-kernel", 1);
	snprintf(guest_path, sizeof(guest_path), "PATH=%s:/usr/local/sbin:"
		 "/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", h.bindir);
	pre[nr++] = "-e";
	pre[nr++] = guest_path;
	if (h.installed) {
		snprintf(progs, sizeof(progs), "%s/lib/iouops/progs", h.root);
		pre[nr++] = "--copy";
		pre[nr++] = h.exe;
		pre[nr++] = "--copy";
		pre[nr++] = progs;
		setenv("IOUOPS_VM_TREE", "", 1);
	}
	if (getcwd(cwd, sizeof(cwd)) && strcmp(cwd, "/") &&
	    !(home && !strcmp(cwd, home)) &&
	    (h.installed || !path_under(cwd, h.root))) {
		pre[nr++] = "--copy";
		pre[nr++] = cwd;
	}
	return exec_script(&h, "vm", pre, nr, argc, argv);
}

static int cmd_get_kernel(int argc, char **argv)
{
	struct home h;
	int status = home_or_complain(&h);

	return status ? status : exec_script(&h, "get-kernel", NULL, 0, argc, argv);
}

int iouops_dev_command(int argc, char **argv)
{
	if (!strcmp(argv[0], "new"))
		return cmd_new(argc, argv);
	if (!strcmp(argv[0], "build"))
		return cmd_build(argc, argv);
	if (!strcmp(argv[0], "vm"))
		return cmd_vm(argc, argv);
	if (!strcmp(argv[0], "get-kernel"))
		return cmd_get_kernel(argc, argv);
	return -1;
}
