// SPDX-License-Identifier: GPL-2.0
/*
 * The command line as a whole: argv from the fuzzer (arguments separated
 * by NUL bytes) through `iouops load`'s parser, load_parse_args(), which
 * has every option but does nothing else (no file opened, no ring made).
 * What must hold: a bad command line gets exactly one line on stderr,
 * "iouops: ...", and a usage or --set status; a good one none, exactly one
 * program, and values inside the bounds the parser promises. (The other
 * commands parse a few positional arguments and act at once - stat maps
 * and sleeps, new writes files, build/vm/get-kernel exec - so only the
 * dispatch of an unknown command is fuzzed for them, through main().)
 */
#include <errno.h>
#include <stdio.h>

#include "cmd.h"
#include "fuzz.h"

#define MAX_ARGS 160

int iouops_main(int argc, char **argv);	/* main.c, built -Dmain=iouops_main */

static const char *const commands[] = { "load", "inspect", "probe", "stat",
	"new", "build", "vm", "get-kernel", "help", "--help", "-h" };

static bool is_command(const char *s)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(s, commands[i]))
			return true;
	return false;
}

/* Exactly one line, unless an argument it echoes has a newline itself. */
static void check_one_line(const char *what, const char *err, size_t len,
			   bool args_have_newline)
{
	if (len == 0 || strncmp(err, "iouops: ", 8) || err[len - 1] != '\n' ||
	    (!args_have_newline && memchr(err, '\n', len) != err + len - 1)) {
		fprintf(stderr, "%s: not one 'iouops: ' line on stderr: '%.*s'\n",
			what, (int)len, err);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *args = malloc(size + 1), *argv[MAX_ARGS + 2];
	FILE *real_stderr = stderr, *real_stdout = stdout;
	char *err = NULL, *out = NULL;
	size_t err_len = 0, out_len = 0;
	struct load_args *a = NULL;
	int argc = 1, status;
	bool newline;

	if (!args)
		return 0;
	memcpy(args, data, size);
	args[size] = '\0';
	for (size_t i = 0; i <= size && argc <= MAX_ARGS; ) {
		argv[argc++] = args + i;
		i += strlen(args + i) + 1;
	}
	argv[argc] = NULL;
	newline = memchr(data, '\n', size) != NULL;

	stderr = open_memstream(&err, &err_len);
	stdout = open_memstream(&out, &out_len);
	if (!stderr || !stdout)
		goto out;
	if (!strcmp(argv[1], "load")) {
		a = calloc(1, sizeof(*a));
		if (!a)
			goto out;
		argv[0] = "iouops";
		status = load_parse_args(argc - 1, argv + 1, a);
		fflush(stderr);
		if (status) {
			check_one_line("load", err, err_len, newline);
			if (status != IOUOPS_EXIT_USAGE &&
			    status != IOUOPS_EXIT_BADSET)
				abort();
		} else if (a->help) {
			if (err_len)
				abort();
		} else {
			if (err_len || !a->prog || a->nr_sets > MAX_SETS ||
			    a->nr_files > MAX_SETS || a->nr_prints > MAX_SETS ||
			    a->nr_expects > MAX_SETS ||
			    a->opts.shm_size > UINT32_MAX)
				abort();
			for (int i = 0; i < a->nr_sets; i++)
				if (!a->set_names[i][0])
					abort();
			/* --src '' is left to the open (one line, exit 23) */
			for (int i = 0; i < a->nr_files; i++)
				if (!a->files[i].name[0] || !a->files[i].path)
					abort();
			for (int i = 0; i < a->nr_expects; i++)
				if (!a->expect_paths[i][0] ||
				    !a->expect_values[i][0])
					abort();
		}
	} else if (!is_command(argv[1])) {
		/* unknown command, --version, no command */
		argv[0] = "iouops";
		status = iouops_main(argc, argv);
		fflush(stderr);
		if (status != IOUOPS_EXIT_OK) {
			check_one_line("dispatch", err, err_len, newline);
			if (status != IOUOPS_EXIT_USAGE)
				abort();
		}
	}
out:
	if (stderr)
		fclose(stderr);
	if (stdout)
		fclose(stdout);
	stderr = real_stderr;
	stdout = real_stdout;
	free(err);
	free(out);
	free(a);
	free(args);
	return 0;
}
