/* duet — the network layer's public face: interface addresses (S-4, N-7).
 * Adding an address also adds its connected (on-link) route; removing it
 * removes that route. Families are AF_INET and AF_INET6 from the host's
 * <sys/socket.h>. */
#ifndef DUET_NET_H
#define DUET_NET_H

#include <stddef.h>
#include <stdint.h>

#include <duet/stack.h>

/* Flags of an interface address. */
#define DUET_IFA_F_TENTATIVE   0x01u  /* IPv6: Duplicate Address Detection running */
#define DUET_IFA_F_DEPRECATED  0x02u  /* IPv6: preferred lifetime over */
#define DUET_IFA_F_NODAD       0x04u  /* IPv6: configured without DAD */
#define DUET_IFA_F_AUTOCONF    0x08u  /* IPv6: from SLAAC */
#define DUET_IFA_F_DUPLICATE   0x10u  /* IPv6: DAD found a duplicate; unusable */

/* Addresses per family per interface. */
#define DUET_IFA_MAX 16

struct duet_ifaddr {
	int family;            /* AF_INET or AF_INET6 */
	uint32_t ifindex;
	uint8_t addr[16];      /* the first 4 bytes for AF_INET */
	uint8_t plen;          /* prefix length */
	uint32_t flags;        /* DUET_IFA_F_* */
};

/* Adds addr/plen to an interface and its connected route. flags may carry
 * DUET_IFA_F_NODAD. Returns 0, -ENODEV, -EAFNOSUPPORT, -EINVAL (a prefix
 * length beyond the address; an unspecified, multicast, loopback-on-a-non-
 * loopback-link or, for IPv4, broadcast address), -EEXIST (already on this
 * interface), -EADDRINUSE (on another interface; a link-local IPv6
 * address may be on several, one per zone, RFC 4007 §6) or -ENOSPC (DUET_IFA_MAX
 * reached, or the routing table full). */
int duet_if_addr_add(struct duet_stack *stack, uint32_t ifindex, int family, const void *addr,
		     unsigned plen, uint32_t flags);

/* Removes an address and its connected route. Returns 0, -ENODEV,
 * -EAFNOSUPPORT or -EADDRNOTAVAIL. */
int duet_if_addr_del(struct duet_stack *stack, uint32_t ifindex, int family, const void *addr);

/* Copies up to n of an interface's addresses (both families; ifindex 0:
 * every interface) to out. Returns how many the interface has (may exceed
 * n), or -ENODEV. */
int duet_if_addrs(const struct duet_stack *stack, uint32_t ifindex, struct duet_ifaddr *out,
		  size_t n);

/* Adds a static route: prefix/plen via gateway (NULL: on-link) out of
 * ifindex, with metric (lower wins among equal prefixes). Returns 0,
 * -ENODEV, -EAFNOSUPPORT, -EINVAL (prefix length beyond the address, host
 * bits set), -EEXIST or -ENOSPC. */
int duet_route_add(struct duet_stack *stack, int family, const void *prefix, unsigned plen,
		   const void *gateway, uint32_t ifindex, uint32_t metric);

/* Removes a static route (ifindex 0 / gateway NULL: any). Returns 0,
 * -EAFNOSUPPORT or -ESRCH. */
int duet_route_del(struct duet_stack *stack, int family, const void *prefix, unsigned plen,
		   const void *gateway, uint32_t ifindex);

/* An ICMP / ICMPv6 echo reply that reached the stack (for `duet ping` and
 * embedders until raw sockets arrive). */
struct duet_echo_reply {
	int family;            /* AF_INET or AF_INET6 */
	uint8_t from[16];      /* the first 4 bytes for AF_INET */
	uint32_t ifindex;
	uint16_t id, seq;
	uint8_t hop_limit;     /* TTL for AF_INET */
	uint32_t data_len;     /* echo data bytes */
	uint64_t time_ns;      /* arrival time */
};

typedef void (*duet_echo_fn)(void *ctx, const struct duet_echo_reply *reply);

/* Installs the function called for every echo reply (NULL: none). */
void duet_echo_set_handler(struct duet_stack *stack, duet_echo_fn fn, void *ctx);

/* Sends an ICMP (AF_INET) or ICMPv6 (AF_INET6) Echo Request to dst with
 * data_len bytes of data (a pattern), fragmenting beyond the path MTU. oif
 * 0 = from the route (a link-local or multicast IPv6 dst needs one).
 * Returns 0, -EAFNOSUPPORT, -EINVAL (data_len > 65,507 / 65,527), or the
 * output errors (-ENETUNREACH, -EHOSTUNREACH, -ENOBUFS, ...). */
int duet_echo_send(struct duet_stack *stack, int family, const void *dst, uint32_t oif,
		   uint16_t id, uint16_t seq, uint32_t data_len);

#endif
