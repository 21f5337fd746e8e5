/* duet run — TCP services (echo, discard, chargen) and the transfer
 * client (--tcp-send, --tcp-recv) over duet's socket API. */
#ifndef DUET_TOOL_RUN_TCP_H
#define DUET_TOOL_RUN_TCP_H

#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>

#include <duet/stack.h>

enum run_tcp_kind { RUN_TCP_ECHO, RUN_TCP_DISCARD, RUN_TCP_CHARGEN, RUN_TCP__KINDS };

#define RUN_TCP_MAX_CONNS 1000

struct run_tcp_conn;

#define RUN_TCP_MAX_LISTENERS 8

/* One listening socket: a service on [::]:PORT or on [ADDR]:PORT. */
struct run_tcp_listener {
	enum run_tcp_kind kind;
	uint8_t addr[16];    /* :: unless given */
	unsigned port;
	int fd;
	char label[80];      /* "echo:7" or "echo:[::ffff:192.0.2.2]:5001" */
};

/* The services, served by one thread over non-blocking sockets and
 * duet_poll. */
struct run_tcp {
	struct duet_stack *stack;
	struct run_tcp_listener l[RUN_TCP_MAX_LISTENERS];
	int n_listeners;
	atomic_int stop;
	struct run_tcp_conn *conns;    /* RUN_TCP_MAX_CONNS slots */
	unsigned long long accepted, closed, bytes_in, bytes_out;
};

/* A transfer (--tcp-send / --tcp-recv): the peer and, to send, how much. */
struct run_tcp_xfer {
	int is_send;
	int family;           /* of the socket: AF_INET for a.b.c.d, else AF_INET6 */
	uint8_t addr[16];     /* IPv4 in the first 4 octets for AF_INET */
	unsigned port;
	unsigned long long bytes;
};

/* Parses "tcp:PORT" or "tcp:[ADDR]:PORT" (an IPv6 or v4-mapped address)
 * for a service option and adds the listener to t. Returns 0 or -1
 * (printed). */
int run_tcp_parse_service(struct run_tcp *t, enum run_tcp_kind kind, const char *opt,
			  const char *val);
/* Parses ADDR:PORT (is_send: ADDR:PORT:BYTES, BYTES with an optional K, M
 * or G binary suffix); ADDR is a.b.c.d or [IPv6] (a v4-mapped one gives an
 * AF_INET6 socket talking IPv4). Returns 0 or -1 (printed). */
int run_tcp_parse_xfer(const char *opt, const char *val, int is_send, struct run_tcp_xfer *x);

/* Opens every listener: an AF_INET6 socket with IPV6_V6ONLY off (so one
 * on [::] serves both families, DS-3, and one on ::ffff:a.b.c.d IPv4 for
 * that address only, DS-1), non-blocking, and prints a line for each.
 * Returns 0 or -1 (printed). */
int run_tcp_open(struct run_tcp *t);
/* The service thread's body (arg: struct run_tcp); returns when stop is
 * set, closing every connection. */
void *run_tcp_main(void *arg);
/* Closes the listeners and prints the totals. */
void run_tcp_close(struct run_tcp *t);

/* Runs one transfer with a blocking socket and prints its result line:
 *   tcp-send PEER bytes N sha256 HEX seconds S MBps R
 *   tcp-recv PEER bytes N sha256 HEX seconds S MBps R
 * Returns 0 when it completed (the peer's EOF seen), else 1. */
int run_tcp_xfer(struct duet_stack *stack, const struct run_tcp_xfer *x, const atomic_int *stop);

#endif
