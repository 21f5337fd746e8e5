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
