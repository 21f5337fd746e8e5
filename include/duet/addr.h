/* duet — IPv6 and IPv4 addresses as text (RFC 4291 §2.2, RFC 5952, RFC 4007
 * §11 zones) and their classes and scopes (RFC 4291, RFC 7346, RFC 6724 §3,
 * RFC 1918, RFC 3927).
 *
 * Addresses are plain byte arrays in network order: uint8_t[16] for IPv6,
 * uint8_t[4] for IPv4, as everywhere in duet. No function allocates, keeps a
 * pointer it was given, or reads a clock; text goes into buffers the caller
 * owns, whose sizes are passed and never overrun. */
#ifndef DUET_ADDR_H
#define DUET_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Buffer sizes, NUL included: enough for any address the formatters write. */
#define DUET_ADDR6_STRLEN 46 /* as INET6_ADDRSTRLEN */
#define DUET_ADDR4_STRLEN 16 /* as INET_ADDRSTRLEN */
/* Longest zone text accepted, NUL excluded; DUET_ADDR_ZONE_MAX + 1 bytes
 * always hold a parsed zone. */
#define DUET_ADDR_ZONE_MAX 32
/* An IPv6 address, "%", a zone of DUET_ADDR_ZONE_MAX and the NUL. */
#define DUET_ADDR6_ZSTRLEN (DUET_ADDR6_STRLEN + 1 + DUET_ADDR_ZONE_MAX)

/* Multicast scope values (RFC 4291 §2.7, RFC 7346 §2), also the unicast
 * scopes of RFC 6724 §3.1. */
#define DUET_SCOPE_INTERFACE 0x1
#define DUET_SCOPE_LINK      0x2
#define DUET_SCOPE_REALM     0x3
#define DUET_SCOPE_ADMIN     0x4
#define DUET_SCOPE_SITE      0x5
#define DUET_SCOPE_ORG       0x8
#define DUET_SCOPE_GLOBAL    0xe

/* --- text ---------------------------------------------------------------- */

/* Parses a NUL-terminated IPv6 address in any RFC 4291 §2.2 form: eight
 * groups of 1-4 hex digits (either case), at most one "::" standing for one
 * or more zero groups, and optionally a strict dotted-quad IPv4 address in
 * place of the last two groups. No zone, brackets, prefix or white space.
 * Stores the address in a and returns 0, or returns -EINVAL (a unchanged). */
int duet_addr6_pton(const char *s, uint8_t a[16]);

/* As duet_addr6_pton, also accepting "<address>%<zone>" (RFC 4007 §11.2).
 * The zone (1..DUET_ADDR_ZONE_MAX printable ASCII characters, no '%', '/'
 * or space) is copied as text, NUL-terminated, into zone[0 .. zone_size):
 * an interface name or a decimal index the caller resolves (see
 * duet_addr_zone_index). Text without a zone gives an empty zone. zone may
 * be NULL with zone_size 0 when no zone is wanted; a zone is then -EINVAL.
 * Returns 0, -EINVAL for malformed text, or -ENOSPC when the zone does not
 * fit zone_size; on error a and zone are unchanged. */
int duet_addr6_pton_zone(const char *s, uint8_t a[16], char *zone, size_t zone_size);

/* Writes a as text per RFC 5952: lowercase hex, no leading zeros, the
 * longest run of two or more zero groups (the first of equal runs) as "::".
 * Addresses under a well-known prefix that embeds IPv4 (RFC 5952 §5) end in
 * dotted-quad form: IPv4-mapped ::ffff:0:0/96 ("::ffff:192.0.2.1"),
 * IPv4-translated ::ffff:0:0:0/96 (RFC 2765, "::ffff:0:192.0.2.1") and the
 * NAT64 well-known prefix 64:ff9b::/96 (RFC 6052, "64:ff9b::192.0.2.1").
 * IPv4-compatible addresses (::/96, deprecated by RFC 4291 §2.5.5.1) print in
 * hex. Writes at most size bytes into buf, NUL included; DUET_ADDR6_STRLEN
 * always suffices. Returns the text length (NUL excluded), or -ENOSPC (buf
 * set to "" when size > 0) if it does not fit. */
int duet_addr6_ntop(const uint8_t a[16], char *buf, size_t size);

/* As duet_addr6_ntop, followed by "%" and zone when zone is neither NULL nor
 * empty; DUET_ADDR6_ZSTRLEN always suffices. Returns the length, -EINVAL if
 * zone is not a valid zone text (see duet_addr6_pton_zone), or -ENOSPC. */
int duet_addr6_ntop_zone(const uint8_t a[16], const char *zone, char *buf, size_t size);

/* Parses a NUL-terminated strict IPv4 dotted quad: exactly four decimal
 * parts 0-255, no leading zeros (but "0"), no sign, octal, hex or short
 * forms ("127.1"), no white space. Returns 0 (a set) or -EINVAL. */
int duet_addr4_pton(const char *s, uint8_t a[4]);

/* Writes a as "d.d.d.d" into buf (at most size bytes, NUL included;
 * DUET_ADDR4_STRLEN suffices). Returns the length or -ENOSPC (buf "" when
 * size > 0). */
int duet_addr4_ntop(const uint8_t a[4], char *buf, size_t size);

/* When zone is all decimal digits without leading zeros (an interface index,
 * RFC 4007 §11.2) and fits 32 bits, stores it in *index and returns 0;
 * otherwise (a name, to be resolved by the caller) returns -EINVAL. */
int duet_addr_zone_index(const char *zone, uint32_t *index);

/* --- IPv4-mapped IPv6 addresses (RFC 4291 §2.5.5.2) ----------------------- */

/* Stores ::ffff:a4 in a6. */
void duet_addr6_set_v4mapped(uint8_t a6[16], const uint8_t a4[4]);

/* True when a is IPv4-mapped (::ffff:0:0/96). */
bool duet_addr6_is_v4mapped(const uint8_t a[16]);

/* Stores the IPv4 address a6 maps in a4 and returns 0, or returns -EINVAL
 * (a4 unchanged) when a6 is not IPv4-mapped. */
int duet_addr6_get_v4mapped(const uint8_t a6[16], uint8_t a4[4]);

/* --- IPv6 classes (RFC 4291 §2.4) ----------------------------------------- */

bool duet_addr6_is_unspecified(const uint8_t a[16]); /* :: */
bool duet_addr6_is_loopback(const uint8_t a[16]);    /* ::1 */
bool duet_addr6_is_linklocal(const uint8_t a[16]);   /* fe80::/10 unicast */
bool duet_addr6_is_sitelocal(const uint8_t a[16]);   /* fec0::/10, deprecated (RFC 3879) */
bool duet_addr6_is_ula(const uint8_t a[16]);         /* fc00::/7 (RFC 4193) */
bool duet_addr6_is_multicast(const uint8_t a[16]);   /* ff00::/8 */

/* The 4-bit scope field of a multicast address (RFC 4291 §2.7, RFC 7346:
 * DUET_SCOPE_*, or another value 0-15), or -EINVAL if a is not multicast. */
int duet_addr6_mcast_scope(const uint8_t a[16]);

/* The 4-bit flags field (0RPT) of a multicast address (RFC 4291 §2.7,
 * RFC 3306, RFC 3956), or -EINVAL if a is not multicast. */
int duet_addr6_mcast_flags(const uint8_t a[16]);

/* The scope of any address for source and destination address selection
 * (RFC 6724 §3.1): a multicast address's scope field; link-local for
 * fe80::/10 and for the loopback ::1; site-local for fec0::/10; for an
 * IPv4-mapped address (RFC 6724 §3.2) link-local when the IPv4 address is
 * 127/8 or 169.254/16, else global; global for all else (ULAs, RFC 4193 §3.3,
 * and the unspecified address, which has no scope, included). */
int duet_addr6_scope(const uint8_t a[16]);

/* Stores in out the solicited-node multicast address of a (RFC 4291 §2.7.1):
 * ff02::1:ff00:0/104 with a's low 24 bits. out may be a. */
void duet_addr6_solicited_node(const uint8_t a[16], uint8_t out[16]);

/* True when a is a solicited-node multicast address (ff02::1:ff00:0/104). */
bool duet_addr6_is_solicited_node(const uint8_t a[16]);

/* --- IPv4 classes ---------------------------------------------------------- */

bool duet_addr4_is_unspecified(const uint8_t a[4]); /* 0.0.0.0 */
bool duet_addr4_is_loopback(const uint8_t a[4]);    /* 127/8 (RFC 1122 §3.2.1.3) */
bool duet_addr4_is_private(const uint8_t a[4]);     /* 10/8, 172.16/12, 192.168/16 (RFC 1918) */
bool duet_addr4_is_linklocal(const uint8_t a[4]);   /* 169.254/16 (RFC 3927) */
bool duet_addr4_is_multicast(const uint8_t a[4]);   /* 224/4 (RFC 5771) */
bool duet_addr4_is_broadcast(const uint8_t a[4]);   /* 255.255.255.255 (RFC 919) */

/* True when a is the directed broadcast address of the subnet net/plen: the
 * prefix matches and every host bit is one (RFC 922). False for plen above
 * 30 (RFC 3021: /31 and /32 have no broadcast address). */
bool duet_addr4_is_directed_broadcast(const uint8_t a[4], const uint8_t net[4],
				      unsigned plen);

/* --- prefixes (any address length) ---------------------------------------- */

/* Length in bits of the longest common prefix of nbytes bytes at a and b
 * (0 .. 8 * nbytes): RFC 6724 §2.2 CommonPrefixLen. */
unsigned duet_addr_common_prefix_len(const uint8_t *a, const uint8_t *b, size_t nbytes);

/* True when the first plen bits of a and b are equal (true for plen 0).
 * Reads (plen + 7) / 8 bytes of each. */
bool duet_addr_prefix_eq(const uint8_t *a, const uint8_t *b, unsigned plen);

/* Clears every bit of the nbytes bytes at a after the first plen (a becomes
 * its prefix; nothing changes when plen >= 8 * nbytes). */
void duet_addr_prefix_mask(uint8_t *a, size_t nbytes, unsigned plen);

#endif
