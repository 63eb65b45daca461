// SPDX-License-Identifier: GPL-2.0
/*
 * udp-echo-client: verifying load for progs/udp_echo.bpf.c (or any UDP
 * echo server).
 *
 *	udp-echo-client ADDR:PORT [-c CLIENTS] [-n ROUNDS]
 *		each client (a thread with its own socket) sends datagrams of
 *		sizes 1..64, then spread up to 65507 (65506 and 65507 included),
 *		one at a time, and checks that each reply is its datagram,
 *		byte for byte. -n repeats the sweep.
 *	udp-echo-client ADDR:PORT --burst N [-l LEN]
 *		sends N datagrams at once, then takes the replies: each must be
 *		one of them, none twice (some may be lost: UDP).
 *	udp-echo-client ADDR:PORT --no-reply LEN
 *		sends one LEN-byte datagram and expects no reply within 300 ms
 *		(a server that drops what it cannot hold whole).
 *
 * Addresses: 1.2.3.4:P or [::1]:P. Exit 0 when every reply was right
 * (and, but for --burst, every datagram answered).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_DGRAM	65535
#define MAX_CLIENTS	64
#define REPLY_MS	2000

struct opts {
	struct sockaddr_storage addr;
	socklen_t alen;
	int clients, rounds, burst, len, no_reply;
};

struct client {
	const struct opts *o;
	int id;
	unsigned long long sent, ok, bad, lost;
	unsigned char *tx, *rx;
};

static int parse_addr(const char *s, struct opts *o)
{
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&o->addr;
	struct sockaddr_in *in4 = (struct sockaddr_in *)&o->addr;
	const char *colon = strrchr(s, ':');
	char host[64];
	size_t n;

	if (!colon)
		return -1;
	n = (size_t)(colon - s);
	if (n >= 2 && s[0] == '[' && s[n - 1] == ']') {
		s++;
		n -= 2;
	}
	if (!n || n >= sizeof(host))
		return -1;
	memcpy(host, s, n);
	host[n] = '\0';
	memset(&o->addr, 0, sizeof(o->addr));
	if (inet_pton(AF_INET, host, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons((uint16_t)atoi(colon + 1));
		o->alen = sizeof(*in4);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)atoi(colon + 1));
		o->alen = sizeof(*in6);
		return 0;
	}
	return -1;
}

/* Datagram `seq` of client `id`: its bytes depend on both. */
static void fill(unsigned char *b, int len, int id, unsigned long long seq)
{
	for (int i = 0; i < len; i++)
		b[i] = (unsigned char)(i * 31 + seq * 7 + (unsigned)id * 101);
}

static int open_socket(const struct opts *o)
{
	int fd = socket(o->addr.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int big = 8 << 20;

	if (fd < 0)
		return -1;
	/* a burst must not be dropped by our own receive queue */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	if (connect(fd, (const struct sockaddr *)&o->addr, o->alen)) {
		close(fd);
		return -1;
	}
	return fd;
}

static ssize_t recv_wait(int fd, unsigned char *buf, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	if (poll(&p, 1, ms) <= 0)
		return -ETIMEDOUT;
	return recv(fd, buf, MAX_DGRAM, MSG_TRUNC);
}

/* One datagram, one reply, checked. */
static int round_trip(struct client *c, int fd, int len)
{
	ssize_t n;

	fill(c->tx, len, c->id, c->sent);
	if (send(fd, c->tx, (size_t)len, 0) != len) {
		fprintf(stderr, "udp-echo-client: send %d bytes: %s\n", len,
			strerror(errno));
		return -1;
	}
	c->sent++;
	n = recv_wait(fd, c->rx, REPLY_MS);
	if (n < 0) {
		fprintf(stderr, "udp-echo-client: client %d: no reply to %d bytes\n",
			c->id, len);
		c->lost++;
		return -1;
	}
	if (n != len || memcmp(c->tx, c->rx, (size_t)len)) {
		fprintf(stderr, "udp-echo-client: client %d: bad reply to %d bytes "
			"(%zd bytes back)\n", c->id, len, n);
		c->bad++;
		return -1;
	}
	c->ok++;
	return 0;
}

static void *sweep(void *arg)
{
	struct client *c = arg;
	int fd = open_socket(c->o), len, err = 0;

	if (fd < 0) {
		perror("udp-echo-client: socket");
		c->bad++;
		return NULL;
	}
	for (int r = 0; r < c->o->rounds && !err; r++) {
		for (len = 1; len <= 64 && !err; len++)
			err = round_trip(c, fd, len);
		/* a spread over the rest, different per client */
		for (len = 65 + c->id * 37; len < 65507 && !err; len += 997)
			err = round_trip(c, fd, len);
		if (!err)
			err = round_trip(c, fd, 65506);
		if (!err)
			err = round_trip(c, fd, 65507);
	}
	close(fd);
	return NULL;
}

static int burst(struct client *c)
{
	const struct opts *o = c->o;
	unsigned char *seen = calloc((size_t)o->burst, 1);
	int fd = open_socket(o);
	ssize_t n;

	if (fd < 0 || !seen) {
		perror("udp-echo-client: socket");
		return 1;
	}
	for (int i = 0; i < o->burst; i++) {
		fill(c->tx, o->len, 0, (unsigned long long)i);
		c->tx[0] = (unsigned char)i;	/* which one it is */
		c->tx[1] = (unsigned char)(i >> 8);
		if (send(fd, c->tx, (size_t)o->len, 0) == o->len)
			c->sent++;
	}
	while ((n = recv_wait(fd, c->rx, 500)) >= 0) {
		int i = c->rx[0] | c->rx[1] << 8;

		fill(c->tx, o->len, 0, (unsigned long long)i);
		c->tx[0] = (unsigned char)i;
		c->tx[1] = (unsigned char)(i >> 8);
		if (n != o->len || i >= o->burst || seen[i] ||
		    memcmp(c->tx, c->rx, (size_t)o->len)) {
			c->bad++;
			continue;
		}
		seen[i] = 1;
		c->ok++;
	}
	c->lost = c->sent - c->ok;
	free(seen);
	close(fd);
	printf("burst: %llu sent, %llu replies verified, %llu lost, %llu bad\n",
	       c->sent, c->ok, c->lost, c->bad);
	return c->bad || !c->ok;
}

static int no_reply(struct client *c)
{
	int fd = open_socket(c->o);
	ssize_t n;

	if (fd < 0)
		return 1;
	fill(c->tx, c->o->no_reply, 0, 0);
	if (send(fd, c->tx, (size_t)c->o->no_reply, 0) != c->o->no_reply) {
		fprintf(stderr, "udp-echo-client: send %d bytes: %s\n",
			c->o->no_reply, strerror(errno));
		return 1;
	}
	n = recv_wait(fd, c->rx, 300);
	close(fd);
	printf("no-reply: %d bytes sent, %s\n", c->o->no_reply,
	       n < 0 ? "no reply (as expected)" : "a reply came back");
	return n >= 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "burst", required_argument, NULL, 'B' },
		{ "no-reply", required_argument, NULL, 'R' },
		{ 0 },
	};
	struct opts o = { .clients = 4, .rounds = 1, .len = 1000 };
	static struct client cl[MAX_CLIENTS];
	pthread_t th[MAX_CLIENTS];
	unsigned long long sent = 0, ok = 0, bad = 0, lost = 0;
	int opt, status;

	while ((opt = getopt_long(argc, argv, "c:n:l:", longopts, NULL)) != -1) {
		switch (opt) {
		case 'c': o.clients = atoi(optarg); break;
		case 'n': o.rounds = atoi(optarg); break;
		case 'l': o.len = atoi(optarg); break;
		case 'B': o.burst = atoi(optarg); break;
		case 'R': o.no_reply = atoi(optarg); break;
		default: goto usage;
		}
	}
	if (optind != argc - 1 || parse_addr(argv[optind], &o) ||
	    o.clients < 1 || o.clients > MAX_CLIENTS || o.len < 2 ||
	    o.len > MAX_DGRAM || o.burst < 0 || o.burst > 65536 ||
	    o.no_reply < 0 || o.no_reply > MAX_DGRAM)
		goto usage;
	for (int i = 0; i < o.clients; i++) {
		cl[i] = (struct client){ .o = &o, .id = i,
					 .tx = malloc(MAX_DGRAM),
					 .rx = malloc(MAX_DGRAM) };
		if (!cl[i].tx || !cl[i].rx)
			return 1;
	}
	if (o.burst)
		return burst(&cl[0]);
	if (o.no_reply)
		return no_reply(&cl[0]);
	for (int i = 0; i < o.clients; i++)
		if (pthread_create(&th[i], NULL, sweep, &cl[i]))
			return 1;
	for (int i = 0; i < o.clients; i++) {
		pthread_join(th[i], NULL);
		sent += cl[i].sent;
		ok += cl[i].ok;
		bad += cl[i].bad;
		lost += cl[i].lost;
	}
	status = bad || lost || ok != sent || !sent;
	printf("%d clients: %llu datagrams, %llu replies verified, %llu lost, "
	       "%llu bad\n", o.clients, sent, ok, lost, bad);
	return status;
usage:
	fprintf(stderr, "usage: udp-echo-client ADDR:PORT [-c CLIENTS] [-n ROUNDS] | "
		"--burst N [-l LEN] | --no-reply LEN\n");
	return 2;
}
