/* duet — octet-level helpers the RFC 3542 (ip6opt.c) and RFC 2292
 * (ip6opt2292.c) option and Routing header functions share: padding,
 * bounded TLV lengths (RFC 8200 §4.2) and the Type 0 Routing header
 * (RFC 2460 §4.4) count and reversal. */
#ifndef DUET_SOCKET_IP6OPT_INTERNAL_H
#define DUET_SOCKET_IP6OPT_INTERNAL_H

#include <duet/ip6opt.h>

#include <stddef.h>
#include <stdint.h>

/* Octets of an options header before its first option: Next Header and
 * Hdr Ext Len. */
#define IP6OPT_HDR_BYTES 2u

/* Octets of a Type 0 Routing header before its addresses, and of one
 * address. */
#define IP6OPT_RT0_HDR_BYTES 8u
#define IP6OPT_ADDR_BYTES 16u

/* Writes npad (0..257) octets of padding at p: nothing for 0, Pad1 for 1,
 * else one PadN with zeroed data (RFC 8200 §4.2). */
void ip6opt_pad_write(uint8_t *p, size_t npad);

/* The length of the option starting at p, given avail octets readable from
 * p: 1 for Pad1, else 2 + its Opt Data Len. 0 when it does not fit: avail
 * is 0, or the length octet or the data would lie past avail. Reads only
 * inside avail. */
size_t ip6opt_tlv_len(const uint8_t *p, size_t avail);

/* The number of addresses of the Type 0 Routing header at rh (Hdr Ext Len
 * / 2, 0..127), or -1 when its Routing Type is not 0 or its Hdr Ext Len is
 * odd (RFC 2460 §4.4: twice the address count). Reads octets 1 and 2. */
int ip6opt_rt0_count(const uint8_t *rh);

/* Writes to out the Type 0 Routing header in, of n addresses, with the
 * addresses reversed and Segments Left n. in and out may overlap in any
 * way (the header is moved first, then reversed in place). */
void ip6opt_rt0_reverse(const uint8_t *in, uint8_t *out, int n);

#endif
