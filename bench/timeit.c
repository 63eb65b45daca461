// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * timeit: run a command and print its wall time with ns resolution, for
 * make bench's contenders that do not time themselves (cp(1)). The
 * guest's busybox has no `date +%N` and its `time` counts in 10 ms.
 *
 *	timeit COMMAND [ARGS...]
 *
 * Prints "timeit: S s" on stderr; exits with COMMAND's status (127 when
 * it cannot run, 128 + N when killed by signal N).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sample_util.h"

int main(int argc, char **argv)
{
	double t0, t1;
	pid_t pid;
	int ws;

	if (argc < 2) {
		fprintf(stderr, "usage: timeit COMMAND [ARGS...]\n");
		return 2;
	}
	t0 = now();
	pid = fork();
	if (pid < 0) {
		perror("timeit: fork");
		return 127;
	}
	if (!pid) {
		execvp(argv[1], argv + 1);
		fprintf(stderr, "timeit: %s: %s\n", argv[1], strerror(errno));
		_exit(127);
	}
	if (waitpid(pid, &ws, 0) < 0) {
		perror("timeit: waitpid");
		return 127;
	}
	t1 = now();
	fprintf(stderr, "timeit: %.6f s\n", t1 - t0);
	return WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
}
