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
	int family;          /* AF_INET6, or AF_INET for tcp:a.b.c.d:PORT */
	int is_v6only;       /* tcp6: IPV6_V6ONLY on */
	uint8_t addr[16];    /* :: unless given (IPv4: the first 4 octets) */
	unsigned port;
	int fd;
	char label[80];      /* "echo:7", "echo:[::ffff:192.0.2.2]:5001", "echo:v6only:7" */
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
	int is_v6only;        /* --tcp-v6only: IPV6_V6ONLY on the AF_INET6 socket */
	int family;           /* of the socket: AF_INET for a.b.c.d, else AF_INET6 */
	uint8_t addr[16];     /* IPv4 in the first 4 octets for AF_INET */
	unsigned port;
	unsigned long long bytes;
};

/* Parses a service's socket and adds the listener to t: "tcp:PORT" (AF_INET6
 * on [::], V6ONLY off), "tcp6:PORT" (V6ONLY on), "tcp:[ADDR]:PORT" and
 * "tcp6:[ADDR]:PORT" (bound to an IPv6 or v4-mapped address),
 * "tcp:a.b.c.d:PORT" (an AF_INET socket; 0.0.0.0 for any). Returns 0 or
 * -1 (printed). */
int run_tcp_parse_service(struct run_tcp *t, enum run_tcp_kind kind, const char *opt,
			  const char *val);
/* Parses ADDR:PORT (is_send: ADDR:PORT:BYTES, BYTES with an optional K, M
 * or G binary suffix); ADDR is a.b.c.d or [IPv6] (a v4-mapped one gives an
 * AF_INET6 socket talking IPv4). Returns 0 or -1 (printed). */
int run_tcp_parse_xfer(const char *opt, const char *val, int is_send, struct run_tcp_xfer *x);

/* Opens every listener, non-blocking: an AF_INET6 socket with IPV6_V6ONLY
 * off unless tcp6 (so one on [::] serves both families, DS-3, and one on
 * ::ffff:a.b.c.d IPv4 for that address only, DS-1), or an AF_INET one,
 * and prints a line for each. Returns 0 or -1 (printed: a bind refused
 * under DS-4 / DS-5 says EADDRINUSE / EINVAL). */
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
