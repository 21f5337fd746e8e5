/* duet — UDP (RFC 768; RFC 8200 §8.1 over IPv6) for the socket layer: the
 * port table with the dual-stack sharing rules (DS-1, DS-3, DS-4, DS-6),
 * ephemeral ports from the socket's range (B-7, RFC 6056), input
 * demultiplexing, output over both families (DS-8) and ICMP errors (T-1).
 * Not a public header. */
#ifndef DUET_TRANSPORT_UDP_H
#define DUET_TRANSPORT_UDP_H

#include "socket/sock.h"

/* The socket operations of SOCK_DGRAM / IPPROTO_UDP. */
extern const struct sock_proto udp_proto;

/* Attaches UDP to IPv4 and IPv6 input and to ICMP errors; state in
 * stack->sock->udp. Returns 0 or -ENOMEM. */
int udp_init(struct duet_stack *stack);
void udp_fini(struct duet_stack *stack);

#endif
