/* duet — raw sockets (R-1..R-10) for the socket layer: IPv6 ones (the
 * stack adds and strips the IPv6 header, ICMPv6 checksums, ICMP6_FILTER,
 * IPV6_CHECKSUM) and IPv4 ones (whole datagrams in, IP_HDRINCL out).
 * Not a public header. */
#ifndef DUET_TRANSPORT_RAW_H
#define DUET_TRANSPORT_RAW_H

#include "socket/sock.h"

/* The socket operations of SOCK_RAW. */
extern const struct sock_proto raw_proto;

/* Puts a new raw socket in its protocol's chain (it receives from then
 * on, bound or not). */
void raw_hash(struct sock *s);

/* ICMP6_FILTER (IPPROTO_ICMPV6), IPV6_CHECKSUM (IPPROTO_IPV6 or SOL_RAW)
 * and IP_HDRINCL (IPPROTO_IP) of raw socket s. Return 0 or a negative
 * errno (EINVAL: odd offset, IPV6_CHECKSUM at IPPROTO_IPV6 on ICMPv6;
 * EOPNOTSUPP: ICMP6_FILTER off ICMPv6), or 1: not one of these. */
int raw_setopt(struct sock *s, int level, int name, const void *val, socklen_t len);
int raw_getopt(struct sock *s, int level, int name, void *val, socklen_t *len);

/* Attaches the raw sockets' taps to IPv6 and IPv4 input. 0 or -ENOMEM. */
int raw_init(struct duet_stack *stack);
void raw_fini(struct duet_stack *stack);

#endif
