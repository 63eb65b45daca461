// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * zcrx-client: send N bytes of the zcrx_sink pattern (progs/zcrx_shared.h)
 * over each of C TCP connections, one after the other, then close.
 *
 *	zcrx-client -a 127.0.0.1:7000 -n 256m --seed 7 [-c 1] [-s 64k]
 *	            [--corrupt K]
 *
 * --corrupt K flips byte K of the first connection (a test that the
 * receiver notices). Prints "sent BYTES in SECS s (MiB/s)".
 * Exit status: 0 sent; 1 error; 2 usage; 4 connect failed.
 */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "iouops.h"
#include "sample_util.h"
#include "zcrx_shared.h"

enum { EX_OK, EX_FAIL, EX_USAGE, EX_CONNECT = 4 };

static int send_stream(int fd, uint64_t bytes, uint32_t seed, size_t chunk,
		       long long corrupt)
{
	unsigned char *buf = malloc(chunk);
	uint64_t k = 0;
	size_t i, n;
	ssize_t w;

	if (!buf)
		return -ENOMEM;
	while (k < bytes) {
		n = bytes - k < chunk ? (size_t)(bytes - k) : chunk;
		for (i = 0; i < n; i++)
			buf[i] = zcrx_pattern_byte(seed, k + i);
		if (corrupt >= 0 && (uint64_t)corrupt >= k &&
		    (uint64_t)corrupt < k + n)
			buf[corrupt - k] ^= 0x5a;
		for (i = 0; i < n; i += (size_t)w) {
			w = send(fd, buf + i, n - i, MSG_NOSIGNAL);
			if (w < 0) {
				if (errno == EINTR) {
					w = 0;
					continue;
				}
				free(buf);
				return -errno;
			}
		}
		k += n;
	}
	free(buf);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "addr", required_argument, NULL, 'a' },
		{ "bytes", required_argument, NULL, 'n' },
		{ "conns", required_argument, NULL, 'c' },
		{ "chunk", required_argument, NULL, 's' },
		{ "seed", required_argument, NULL, 'S' },
		{ "corrupt", required_argument, NULL, 'X' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct sockaddr_storage addr;
	unsigned long long bytes = 1 << 20, chunk = 65536, v;
	unsigned conns = 1, c;
	long long corrupt = -1;
	uint32_t seed = 1;
	const char *addr_s = NULL;
	double t0, secs;
	int opt, fd, err;

	while ((opt = getopt_long(argc, argv, "a:n:c:s:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'a': addr_s = optarg; break;
		case 'n':
			if (iou_parse_size(optarg, &bytes)) goto usage;
			break;
		case 's':
			if (iou_parse_size(optarg, &chunk) || !chunk ||
			    chunk > (64 << 20)) goto usage;
			break;
		case 'c':
			if (iou_parse_size(optarg, &v) || !v || v > 1000) goto usage;
			conns = (unsigned)v;
			break;
		case 'S':
			if (iou_parse_size(optarg, &v) || v > UINT32_MAX) goto usage;
			seed = (uint32_t)v;
			break;
		case 'X':
			if (iou_parse_size(optarg, &v)) goto usage;
			corrupt = (long long)v;
			break;
		case 'h':
			printf("usage: zcrx-client -a ADDR:PORT [-n BYTES] [-c CONNS] "
			       "[-s CHUNK] [--seed S] [--corrupt K]\n");
			return EX_OK;
		default:
			goto usage;
		}
	}
	if (!addr_s || optind != argc || iou_parse_sockaddr(addr_s, &addr))
		goto usage;

	t0 = now();
	for (c = 0; c < conns; c++) {
		fd = socket(addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0 || connect(fd, (struct sockaddr *)&addr,
				      sizeof(addr))) {
			fprintf(stderr, "zcrx-client: connect %s: %s\n", addr_s,
				strerror(errno));
			return EX_CONNECT;
		}
		err = send_stream(fd, bytes, seed, (size_t)chunk,
				  c == 0 ? corrupt : -1);
		close(fd);
		if (err) {
			fprintf(stderr, "zcrx-client: send: %s\n", strerror(-err));
			return EX_FAIL;
		}
	}
	secs = now() - t0;
	printf("sent %llu in %.3f s (%.1f MiB/s)\n", bytes * conns, secs,
	       secs > 0 ? (double)(bytes * conns) / secs / 1048576 : 0.0);
	return EX_OK;
usage:
	fprintf(stderr, "zcrx-client: bad usage (see --help)\n");
	return EX_USAGE;
}
