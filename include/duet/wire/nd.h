/* duet — Neighbour Discovery messages and options (RFC 4861 §4; Default
 * Router Preference and Route Information RFC 4191; RDNSS RFC 8106).
 *
 * Every message is parsed from its first octet (the ICMPv6 Type) to the end
 * of the cursor, which the IPv6 layer limited to the ICMPv6 message; the
 * checksum is verified beforehand with duet_icmp6_csum_verify(). Parsers
 * check structure only (type, code 0, fixed length, well-formed options);
 * semantic checks (hop limit 255, target not multicast, ...) are the net
 * layer's (RFC 4861 §6.1, §7.1, §8.1).
 *
 * All messages start with the ICMPv6 header:
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |     Type      |     Code      |          Checksum             |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * then, Router Solicitation (133):
 *  |                            Reserved                           |
 *  |   Options ...
 * Router Advertisement (134), with RFC 4191's Prf in the flags octet:
 *  | Cur Hop Limit |M|O|H|Prf|P|Rsv|       Router Lifetime         |
 *  |                         Reachable Time                        |
 *  |                          Retrans Timer                        |
 *  |   Options ...
 * Neighbor Solicitation (135):
 *  |                           Reserved                            |
 *  |                     Target Address (128)                      |
 *  |   Options ...
 * Neighbor Advertisement (136):
 *  |R|S|O|                     Reserved                            |
 *  |                     Target Address (128)                      |
 *  |   Options ...
 * Redirect (137):
 *  |                           Reserved                            |
 *  |                     Target Address (128)                      |
 *  |                  Destination Address (128)                    |
 *  |   Options ...
 *
 * Options (RFC 4861 §4.6), Length in units of 8 octets, 0 invalid:
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |     Type      |    Length     |              ...              |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * Prefix Information (3, Length 4):
 *  |     Type      |    Length     | Prefix Length |L|A| Reserved1 |
 *  |                         Valid Lifetime                        |
 *  |                       Preferred Lifetime                      |
 *  |                           Reserved2                           |
 *  |                          Prefix (128)                         |
 * Redirected Header (4):
 *  |     Type      |    Length     |            Reserved           |
 *  |                           Reserved                            |
 *  |                       IP header + data                        |
 * MTU (5, Length 1):
 *  |     Type      |    Length     |           Reserved            |
 *  |                              MTU                              |
 * Route Information (24, Length 1-3, RFC 4191 §2.3):
 *  |     Type      |    Length     | Prefix Length |Resvd|Prf|Resvd|
 *  |                        Route Lifetime                         |
 *  |                 Prefix (0, 64 or 128 bits)                    |
 * Recursive DNS Server (25, Length 1 + 2n, RFC 8106 §5.1):
 *  |     Type      |    Length     |           Reserved            |
 *  |                           Lifetime                            |
 *  |          Addresses of IPv6 Recursive DNS Servers (n)          |
 *
 * Options are kept as a pointer and length into the message (not copied)
 * and walked with duet_nd_opt_next(). Messages are built zero-copy: emit the
 * fixed part, append options with the option emitters, then fill the
 * checksum with duet_icmp6_csum_set(). */
#ifndef DUET_WIRE_ND_H
#define DUET_WIRE_ND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <duet/cursor.h>

/* Fixed lengths of the messages (before their options). */
#define DUET_ND_RS_LEN 8u
#define DUET_ND_RA_LEN 16u
#define DUET_ND_NS_LEN 24u
#define DUET_ND_NA_LEN 24u
#define DUET_ND_REDIRECT_LEN 40u

/* Option types. */
#define DUET_ND_OPT_SOURCE_LLADDR 1u
#define DUET_ND_OPT_TARGET_LLADDR 2u
#define DUET_ND_OPT_PREFIX_INFO   3u
#define DUET_ND_OPT_REDIRECTED    4u
#define DUET_ND_OPT_MTU           5u
#define DUET_ND_OPT_NONCE         14u  /* RFC 3971 §5.3.2, used by RFC 7527 */
#define DUET_ND_OPT_ROUTE_INFO    24u  /* RFC 4191 */
#define DUET_ND_OPT_RDNSS         25u  /* RFC 8106 */
#define DUET_ND_OPT_DNSSL         31u  /* RFC 8106 */

/* Default Router Preference / Route Preference (RFC 4191 §2.1). */
#define DUET_ND_PRF_MEDIUM 0u
#define DUET_ND_PRF_HIGH   1u
#define DUET_ND_PRF_RESERVED 2u
#define DUET_ND_PRF_LOW    3u

struct duet_nd_rs {
	const uint8_t *options;
	size_t options_len;
};

struct duet_nd_ra {
	uint8_t cur_hop_limit;
	bool m;                   /* Managed address configuration */
	bool o;                   /* Other configuration */
	uint8_t prf;              /* Default Router Preference, 2 bits (RFC 4191) */
	uint16_t router_lifetime; /* seconds */
	uint32_t reachable_time;  /* milliseconds */
	uint32_t retrans_timer;   /* milliseconds */
	const uint8_t *options;
	size_t options_len;
};

struct duet_nd_ns {
	uint8_t target[16];
	const uint8_t *options;
	size_t options_len;
};

struct duet_nd_na {
	bool r;                   /* Router */
	bool s;                   /* Solicited */
	bool o;                   /* Override */
	uint8_t target[16];
	const uint8_t *options;
	size_t options_len;
};

struct duet_nd_redirect {
	uint8_t target[16];
	uint8_t destination[16];
	const uint8_t *options;
	size_t options_len;
};

/* The message parsers. Each consumes the whole message (c is left empty)
 * and returns 0, or with the cursor unchanged: -DUET_WE_TRUNCATED (shorter
 * than the fixed part), -DUET_WE_BAD_TYPE (another ICMPv6 type),
 * -DUET_WE_BAD_CODE (Code not 0, RFC 4861 §6.1, §7.1, §8.1), or the first
 * option error duet_nd_opt_next() finds (an option of Length 0 rejects the
 * whole message, RFC 4861 §4.6). After success, walking the options cannot
 * fail. Reserved fields and unknown flag bits are not kept. */
int duet_nd_rs_parse(struct duet_cur *c, struct duet_nd_rs *m);
int duet_nd_ra_parse(struct duet_cur *c, struct duet_nd_ra *m);
int duet_nd_ns_parse(struct duet_cur *c, struct duet_nd_ns *m);
int duet_nd_na_parse(struct duet_cur *c, struct duet_nd_na *m);
int duet_nd_redirect_parse(struct duet_cur *c, struct duet_nd_redirect *m);

/* Lengths of the fixed parts (options not included). */
size_t duet_nd_rs_len(const struct duet_nd_rs *m);
size_t duet_nd_ra_len(const struct duet_nd_ra *m);
size_t duet_nd_ns_len(const struct duet_nd_ns *m);
size_t duet_nd_na_len(const struct duet_nd_na *m);
size_t duet_nd_redirect_len(const struct duet_nd_redirect *m);

/* The message emitters: write the fixed part with Code 0, Checksum 0 and
 * reserved fields 0; options_len and options are not read (append options
 * with the duet_nd_opt_*_emit() functions). Return 0 or -DUET_WE_NOSPACE
 * (nothing written); duet_nd_ra_emit() also -DUET_WE_TOO_BIG for prf > 3. */
int duet_nd_rs_emit(const struct duet_nd_rs *m, struct duet_wcur *w);
int duet_nd_ra_emit(const struct duet_nd_ra *m, struct duet_wcur *w);
int duet_nd_ns_emit(const struct duet_nd_ns *m, struct duet_wcur *w);
int duet_nd_na_emit(const struct duet_nd_na *m, struct duet_wcur *w);
int duet_nd_redirect_emit(const struct duet_nd_redirect *m, struct duet_wcur *w);

struct duet_nd_prefix_info {
	uint8_t prefix_length;       /* 0-128 */
	bool l;                      /* on-link */
	bool a;                      /* autonomous address configuration */
	uint32_t valid_lifetime;     /* seconds, 0xffffffff infinite */
	uint32_t preferred_lifetime; /* seconds */
	uint8_t prefix[16];          /* bits past prefix_length are 0 */
};

struct duet_nd_route_info {
	uint8_t prefix_length;   /* 0-128 */
	uint8_t prf;             /* Route Preference, 2 bits */
	uint32_t route_lifetime; /* seconds */
	uint8_t prefix[16];      /* bits past prefix_length are 0 */
};

struct duet_nd_rdnss {
	uint32_t lifetime;          /* seconds */
	const uint8_t *addresses;   /* n_addresses * 16 octets */
	size_t n_addresses;
};

/* One option as the iterator returns it. */
struct duet_nd_opt {
	uint8_t type;
	uint8_t length;          /* in 8-octet units, >= 1 */
	const uint8_t *data;     /* after Type and Length */
	size_t data_len;         /* length * 8 - 2 */
	union {
		struct {         /* types 1 and 2 */
			const uint8_t *addr;  /* link-layer address and its padding */
			size_t len;           /* data_len */
		} lladdr;
		struct duet_nd_prefix_info prefix; /* type 3 */
		struct {         /* type 4 */
			const uint8_t *packet; /* the quoted IP header and data */
			size_t len;            /* data_len - 6 */
		} redirected;
		uint32_t mtu;                      /* type 5 */
		struct duet_nd_route_info route;   /* type 24 */
		struct duet_nd_rdnss rdnss;        /* type 25 */
	} u;                     /* decoded for the types above; zero otherwise */
};

struct duet_nd_opt_iter {
	struct duet_cur c;
};

/* Starts iterating an option area (options and len from a parsed message;
 * the memory must stay valid meanwhile). */
void duet_nd_opt_iter_init(struct duet_nd_opt_iter *it, const uint8_t *options, size_t len);

/* Returns the next option in *o: 1, 0 at the end, or a negative reason that
 * ends the walk: -DUET_WE_OPT_TRUNCATED (the option runs past the area),
 * -DUET_WE_BAD_OPT_LEN (Length 0; Prefix Information not 4; MTU not 1;
 * Route Information not 1-3 or too short for its Prefix Length; RDNSS not
 * an odd value >= 3), -DUET_WE_BAD_FIELD (a Prefix Length above 128).
 * Unknown types are returned with their data, to be skipped by the caller
 * (RFC 4861 §4.6: "silently ignore"). */
int duet_nd_opt_next(struct duet_nd_opt_iter *it, struct duet_nd_opt *o);

/* Copies the Ethernet address of a Source/Target Link-Layer Address option
 * (RFC 2464 §6: Length 1). Returns 0, -DUET_WE_BAD_TYPE (another option) or
 * -DUET_WE_BAD_OPT_LEN (Length not 1). */
int duet_nd_opt_eth_addr(const struct duet_nd_opt *o, uint8_t mac[6]);

/* The option emitters. Each writes one option padded with zeros to a
 * multiple of 8 octets and returns 0, -DUET_WE_NOSPACE (nothing written) or
 * -DUET_WE_TOO_BIG (longer than 255 * 8 octets, a Prefix Length above 128
 * or a preference above 3). */
int duet_nd_opt_lladdr_emit(uint8_t type, const uint8_t *lladdr, size_t len,
			    struct duet_wcur *w);
int duet_nd_opt_prefix_emit(const struct duet_nd_prefix_info *p, struct duet_wcur *w);
/* packet: the start of the redirected packet, len octets (the caller cuts
 * it so the Redirect fits the minimum MTU, RFC 4861 §4.6.3). */
int duet_nd_opt_redirected_emit(const uint8_t *packet, size_t len, struct duet_wcur *w);
int duet_nd_opt_mtu_emit(uint32_t mtu, struct duet_wcur *w);
/* Uses the shortest Length the Prefix Length allows (RFC 4191 §2.3). */
int duet_nd_opt_route_emit(const struct duet_nd_route_info *r, struct duet_wcur *w);
int duet_nd_opt_rdnss_emit(const struct duet_nd_rdnss *r, struct duet_wcur *w);
/* Any option from its data (the octets after Type and Length). */
int duet_nd_opt_raw_emit(uint8_t type, const uint8_t *data, size_t len, struct duet_wcur *w);

/* Writes o as the emitter of its type would (decoded fields for the types
 * the iterator decodes, data for the others). Same returns. */
int duet_nd_opt_emit(const struct duet_nd_opt *o, struct duet_wcur *w);

/* Length duet_nd_opt_emit() writes for o (0 when it would fail with
 * TOO_BIG). */
size_t duet_nd_opt_len(const struct duet_nd_opt *o);

#endif
