/* duet — TCP (RFC 9293) for the socket layer: SOCK_STREAM sockets over
 * IPv4 and IPv6, v4-mapped on AF_INET6 sockets (DS-1..DS-6). Not a public
 * header; tcp_internal.h holds the connection's insides. */
#ifndef DUET_TRANSPORT_TCP_H
#define DUET_TRANSPORT_TCP_H

#include "socket/sock.h"

/* The socket operations of SOCK_STREAM / IPPROTO_TCP. */
extern const struct sock_proto tcp_proto;

/* Attaches TCP to IPv4 and IPv6 input and to ICMP errors; state in
 * stack->sock->tcp. Returns 0 or -ENOMEM. */
int tcp_init(struct duet_stack *stack);
/* Frees every connection left (closing ones, unaccepted ones) and the state. */
void tcp_fini(struct duet_stack *stack);

struct tcp_knobs;
/* The stack's TCP knobs (socket/sysctl.c names them). */
struct tcp_knobs *tcp_knobs_of(struct duet_stack *stack);

/* Sets up the TCP part of a new socket (socket()). */
void tcp_sock_init(struct sock *s);

#endif
