// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * echo-epoll: the classic baseline, a non-blocking epoll TCP echo server.
 *
 *	echo-epoll --listen 127.0.0.1:7777 [--max-conns N]
 *
 * Same contract as progs/echo.bpf.c: bytes back in order, at most
 * CONN_BYTES queued per connection (reading stops until they are sent),
 * close after EOF once everything is sent, extra connections beyond
 * max_conns closed at once. SIGINT/SIGTERM: stop accepting, flush, close,
 * print totals.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "iouops.h"

#define CONN_BYTES	65536

struct conn {
	int fd;
	bool eof;
	uint32_t events;
	size_t head, len;	/* queued bytes: buf[head, head + len) */
	uint8_t buf[CONN_BYTES];
};

static volatile sig_atomic_t stop;
static uint64_t accepted, closed, rejected, bytes_in, bytes_out, errors;
static unsigned active;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void conn_close(int ep, struct conn *c)
{
	epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	free(c);
	active--;
	closed++;
}

static void conn_watch(int ep, struct conn *c)
{
	struct epoll_event ev = { .data.ptr = c };

	if (!c->eof && c->len < CONN_BYTES && !stop)
		ev.events |= EPOLLIN;
	if (c->len)
		ev.events |= EPOLLOUT;
	if (ev.events != c->events) {
		epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
		c->events = ev.events;
	}
}

/* Read and write until the kernel says wait; false when it must close. */
static bool conn_io(int ep, struct conn *c)
{
	for (;;) {
		bool progress = false;

		if (c->len) {
			ssize_t n = send(c->fd, c->buf + c->head, c->len,
					 MSG_NOSIGNAL);

			if (n > 0) {
				bytes_out += (uint64_t)n;
				c->head += (size_t)n;
				c->len -= (size_t)n;
				if (!c->len)
					c->head = 0;
				progress = true;
			} else if (errno != EAGAIN) {
				errors++;
				return false;
			}
		}
		if (!c->eof && !stop && c->head + c->len < CONN_BYTES) {
			size_t room = CONN_BYTES - c->head - c->len;
			ssize_t n = recv(c->fd, c->buf + c->head + c->len, room, 0);

			if (n > 0) {
				bytes_in += (uint64_t)n;
				c->len += (size_t)n;
				progress = true;
			} else if (n == 0) {
				c->eof = true;
			} else if (errno != EAGAIN) {
				errors++;
				return false;
			}
		}
		if (!progress)
			break;
	}
	if ((c->eof || stop) && !c->len)
		return false;
	conn_watch(ep, c);
	return true;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "max-conns", required_argument, NULL, 'm' },
		{ 0 },
	};
	struct sockaddr_storage ss;
	struct epoll_event evs[256], ev;
	unsigned long long max_conns = 1024;
	const char *listen_s = NULL;
	struct sigaction sa;
	socklen_t sl = sizeof(ss);
	char name[80];
	int lfd, ep, c, one = 1;

	while ((c = getopt_long(argc, argv, "l:m:", lo, NULL)) != -1) {
		if (c == 'l')
			listen_s = optarg;
		else if (c != 'm' || iou_parse_size(optarg, &max_conns) ||
			 !max_conns)
			goto usage;
	}
	if (!listen_s || optind != argc)
		goto usage;
	if (iou_parse_sockaddr(listen_s, &ss)) {
		fprintf(stderr, "echo-epoll: --listen '%s': expected IPv4:PORT "
			"or [IPv6]:PORT\n", listen_s);
		return 2;
	}
	lfd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&ss, sizeof(ss)) ||
	    listen(lfd, SOMAXCONN) || getsockname(lfd, (struct sockaddr *)&ss, &sl)) {
		fprintf(stderr, "echo-epoll: --listen %s: %s\n", listen_s,
			strerror(errno));
		return 1;
	}
	iou_format_sockaddr(&ss, name, sizeof(name));
	printf("listening on %s\n", name);
	fflush(stdout);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	ep = epoll_create1(EPOLL_CLOEXEC);
	ev.events = EPOLLIN;
	ev.data.ptr = NULL;
	epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);

	while (!stop || active) {
		int n = epoll_wait(ep, evs, 256, stop ? 100 : -1);

		if (stop && lfd >= 0) {	/* stop accepting; flush the rest */
			epoll_ctl(ep, EPOLL_CTL_DEL, lfd, NULL);
			close(lfd);
			lfd = -1;
		}
		for (int i = 0; i < n; i++) {
			struct conn *cn = evs[i].data.ptr;

			if (!cn) {
				int fd;

				while (lfd >= 0 && (fd = accept4(lfd, NULL, NULL,
						SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
					if (active >= max_conns ||
					    !(cn = calloc(1, sizeof(*cn)))) {
						close(fd);
						rejected++;
						continue;
					}
					cn->fd = fd;
					cn->events = EPOLLIN;
					ev.events = EPOLLIN;
					ev.data.ptr = cn;
					epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
					accepted++;
					active++;
				}
				continue;
			}
			if (!conn_io(ep, cn))
				conn_close(ep, cn);
		}
		if (stop && n == 0)
			break;	/* nothing moved for 100 ms: give up on the rest */
	}
	printf("accepted=%llu closed=%llu rejected=%llu bytes_in=%llu "
	       "bytes_out=%llu errors=%llu\n", (unsigned long long)accepted,
	       (unsigned long long)closed, (unsigned long long)rejected,
	       (unsigned long long)bytes_in, (unsigned long long)bytes_out,
	       (unsigned long long)errors);
	return 0;
usage:
	fprintf(stderr, "usage: echo-epoll --listen ADDR:PORT [--max-conns N]\n");
	return 2;
}
