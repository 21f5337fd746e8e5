/* duet — the stack's named statistics and drop counters: one X-macro list,
 * so names, descriptions and storage cannot drift apart. A DROP_ counter
 * names the reason a packet was discarded; each drop bumps exactly one. */
#ifndef DUET_COUNTERS_H
#define DUET_COUNTERS_H

#include <stdint.h>

#define DUET_COUNTERS(X) \
	X(LINK_RX_FRAMES,        "frames received from links") \
	X(LINK_RX_BYTES,         "bytes received from links") \
	X(LINK_TX_FRAMES,        "frames handed to links") \
	X(LINK_TX_BYTES,         "bytes handed to links") \
	X(ETH_RX_IPV4,           "frames received with EtherType IPv4") \
	X(ETH_RX_IPV6,           "frames received with EtherType IPv6") \
	X(ETH_RX_ARP,            "frames received with EtherType ARP") \
	X(ETH_RX_VLAN,           "frames received with an 802.1Q tag") \
	X(DROP_RX_QUEUE_FULL,    "received frame dropped: stack input queue full") \
	X(DROP_RX_NO_IFACE,      "received frame dropped: its interface was removed") \
	X(DROP_ETH_MALFORMED,    "received frame dropped: truncated or not Ethernet II") \
	X(DROP_ETH_NOT_FOR_US,   "received frame dropped: destination MAC not ours, broadcast or a joined group") \
	X(DROP_ETH_SELF_SRC,     "received frame dropped: source MAC is our own (a reflection)") \
	X(DROP_ETH_VLAN,         "received frame dropped: 802.1Q tagged (duet interfaces are untagged)") \
	X(DROP_ETH_NO_PROTO,     "received frame dropped: no protocol attached for its EtherType") \
	X(DROP_TX_NO_IFACE,      "output dropped: no such interface") \
	X(DROP_TX_NO_BUFFER,     "output dropped: packet pool exhausted") \
	X(DROP_TX_OVERSIZE,      "output dropped: frame larger than the link MTU") \
	X(DROP_TX_QUEUE_FULL,    "output dropped: interface output queue full") \
	X(DROP_TX_LINK,          "output dropped: the link refused the frame") \
	X(NEIGH_SOLICIT_MCAST,   "neighbour solicitations / ARP requests sent multicast or broadcast to resolve an address") \
	X(NEIGH_SOLICIT_UCAST,   "unicast neighbour probes sent (NUD, PROBE state)") \
	X(NEIGH_RESOLVED,        "neighbour entries resolved: left INCOMPLETE with a link-layer address") \
	X(NEIGH_RES_FAILED,      "neighbour entries removed: no answer to MAX_MULTICAST_SOLICIT solicitations") \
	X(NEIGH_NUD_FAILED,      "neighbour entries removed: no answer to MAX_UNICAST_SOLICIT probes") \
	X(NEIGH_LLADDR_CHANGED,  "neighbour link-layer addresses replaced by received information") \
	X(NEIGH_EVICTED,         "STALE neighbour entries evicted to make room (table full)") \
	X(NEIGH_TABLE_FULL,      "neighbour entries not created: table full, no STALE entry to evict") \
	X(NEIGH_UNREACHABLE,     "queued packets handed back as unreachable after address resolution failed") \
	X(DROP_NEIGH_QUEUE_FULL, "packet dropped: the oldest one waiting for address resolution, replaced by a newer one") \
	X(DROP_NEIGH_TABLE_FULL, "packet dropped: neighbour table full, no STALE entry to evict") \
	X(DROP_NEIGH_FLUSHED,    "packet dropped: waiting for address resolution when its entry was flushed") \
	X(DROP_NEIGH_BAD_IFINDEX, "packet dropped: address resolution asked for an invalid interface") \
	X(REASM_REQDS,           "fragments received that needed reassembly (RFC 4293 ReasmReqds)") \
	X(REASM_OKS,             "datagrams reassembled (RFC 4293 ReasmOKs)") \
	X(REASM_FAILS,           "reassembly failures: datagrams discarded or timed out, fragments rejected (RFC 4293 ReasmFails)") \
	X(REASM_ATOMIC,          "atomic fragments (offset 0, M 0) processed alone (RFC 6946)") \
	X(DROP_REASM_OVERLAP,    "fragment dropped: its datagram had overlapping fragments (RFC 5722)") \
	X(DROP_REASM_DUPLICATE,  "fragment dropped: exact duplicate of a held one (RFC 8200 4.5)") \
	X(DROP_REASM_DISCARDED,  "fragment dropped: its datagram was already discarded, queue awaiting its timeout") \
	X(DROP_REASM_TOO_MANY_FRAGS, "fragment dropped: its datagram exceeded the per-datagram fragment limit") \
	X(DROP_REASM_MEM_CAP,    "fragment dropped: reassembly memory cap reached") \
	X(DROP_REASM_EVICTED,    "fragment dropped: its datagram was evicted, oldest first, for memory or a queue slot") \
	X(DROP_REASM_TIMEOUT,    "fragment dropped: reassembly timed out") \
	X(DROP_REASM_BAD_LENGTH, "fragment dropped: empty, or not the last and not a multiple of 8 octets") \
	X(DROP_REASM_TOO_BIG,    "fragment dropped: the reassembled datagram would exceed 65,535 octets") \
	X(DROP_REASM_INCONSISTENT_LAST, "fragment dropped: its datagram's last fragment disagreed with other fragments") \
	X(DROP_REASM_CHAIN_INCOMPLETE, "fragment dropped: first fragment without the whole header chain (RFC 7112)") \
	X(DROP_REASM_NO_BUFFER,  "fragment dropped: no buffer for the reassembled datagram") \
	X(PMTU_LOWERED,          "path MTU entries created or lowered by Packet Too Big / Fragmentation Needed") \
	X(PMTU_IGNORED,          "Packet Too Big / Fragmentation Needed not lowering the path MTU (ignored)") \
	X(PMTU_CLAMPED,          "reported MTUs below the minimum (1280 IPv6, 68 IPv4) raised to it") \
	X(PMTU_EXPIRED,          "path MTU entries aged out") \
	X(PMTU_EVICTED,          "path MTU entries evicted, oldest first, to make room (cache full)") \
	X(ICMP_RATELIMITED,      "ICMP errors not sent: rate limit (RFC 4443 2.4(f))") \
	X(TIMERS_FIRED,          "timer callbacks run")

enum duet_counter {
#define DUET_CTR_ENUM(name, desc) DUET_CTR_##name,
	DUET_COUNTERS(DUET_CTR_ENUM)
#undef DUET_CTR_ENUM
	DUET_CTR__COUNT
};

/* The counter's name as in the list ("DROP_ETH_MALFORMED"), or NULL for an
 * out-of-range id. Static string. */
const char *duet_counter_name(enum duet_counter id);

/* One line describing the counter, or NULL for an out-of-range id. */
const char *duet_counter_desc(enum duet_counter id);

/* The id of the counter called name, or -1. */
int duet_counter_by_name(const char *name);

#endif
