/* duet — the host side of multicast listener discovery as one engine for
 * MLDv2 (RFC 3810, MLDv1 compatible per §8; RFC 2710) and IGMPv3 (RFC 3376,
 * IGMPv1/v2 compatible per §7; RFC 1112, RFC 2236): listeners' source
 * filters merged into per-interface state (RFC 3810 §4.2, RFC 3376 §3.2),
 * State Change Reports with their retransmissions (§6.1), answers to
 * queries (§6.2, §6.3), Host Compatibility Mode (§8.2.1). The two protocols
 * are one state machine with different addresses, message formats and
 * defaults; frames stay with the protocol modules (mld.c, igmp.c), which
 * call this engine with parsed queries and turn struct mcast_ops requests
 * into packets, as Fuchsia's netstack3 GMP core serves its MLD and IGMP.
 *
 * Memory: mcast_init() allocates fixed arrays sized by the configuration
 * (groups, listeners, their source lists, report scratch) once; nothing is
 * allocated afterwards. Memberships are keyed by (ifindex, group), hashed
 * with SipHash-2-4 under the stack's secret. Timers are intrusive, on the
 * stack's wheel; random delays come from the stack's generator, so one seed
 * gives one schedule.
 *
 * Callbacks: reports leave from timers (a state change arms its interface's
 * report timer at the current time, so changes made together go out in one
 * report at the next poll). The ops are called with records pointing into
 * the table: they must not call back into it. */
#ifndef DUET_NET_MCAST_H
#define DUET_NET_MCAST_H

#include <stdbool.h>
#include <stdint.h>

struct duet_stack;
struct mcast_group;
struct mcast_listener;
struct mcast_iface;

/* Filter modes (RFC 3810 §4.2; RFC 3678 MCAST_INCLUDE / MCAST_EXCLUDE). */
enum mcast_mode {
	MCAST_MODE_INCLUDE = 1,
	MCAST_MODE_EXCLUDE = 2,
};

/* Multicast Address / Group Record types, the same numbers in both
 * protocols (RFC 3810 §5.2.12, RFC 3376 §4.2.12). */
enum mcast_record_type {
	MCAST_IS_IN = 1,  /* MODE_IS_INCLUDE: current state */
	MCAST_IS_EX = 2,  /* MODE_IS_EXCLUDE: current state */
	MCAST_TO_IN = 3,  /* CHANGE_TO_INCLUDE_MODE: filter mode change */
	MCAST_TO_EX = 4,  /* CHANGE_TO_EXCLUDE_MODE: filter mode change */
	MCAST_ALLOW = 5,  /* ALLOW_NEW_SOURCES: source list change */
	MCAST_BLOCK = 6,  /* BLOCK_OLD_SOURCES: source list change */
};

/* Older-version messages (compatibility mode). */
enum mcast_v1_type {
	MCAST_V1_REPORT = 1,  /* MLDv1 Report (131); IGMPv1 (0x12) / IGMPv2 (0x16) Report */
	MCAST_V1_DONE = 2,    /* MLDv1 Done (132); IGMPv2 Leave Group (0x17) */
};

/* One record of a report: valid during the send_report call only. */
struct mcast_record {
	uint8_t type;                 /* enum mcast_record_type */
	uint8_t group[16];            /* addr_len bytes used */
	uint16_t nsrc;
	const uint8_t *sources;       /* nsrc addresses, addr_len bytes each, packed */
};

/* What the protocol module provides; both ops are required. ctx is the
 * pointer given to mcast_init. */
struct mcast_ops {
	/* Sends the records as MLDv2 (version 2) or IGMPv3 (version 3) Reports
	 * on ifindex, packing as many records into each message as fit (RFC
	 * 3810 §5.2.15-§5.2.16 for splitting). n >= 1. */
	void (*send_report)(void *ctx, uint32_t ifindex, uint8_t version,
			    const struct mcast_record *records, uint32_t n);
	/* Sends an older-version message for group on ifindex: version 1 is
	 * MLDv1 or IGMPv1 (which has no Leave: never asked for), 2 is IGMPv2. */
	void (*send_v1)(void *ctx, uint32_t ifindex, uint8_t version, uint8_t type,
			const uint8_t *group);
};

/* Defaults: RFC 3810 §9 and RFC 3376 §8 (the same values in both). */
#define MCAST_DEFAULT_MAX_GROUPS 256u
#define MCAST_DEFAULT_MAX_LISTENERS 1024u
#define MCAST_DEFAULT_MAX_LISTENERS_PER_GROUP 64u
#define MCAST_DEFAULT_MAX_SOURCES 64u       /* Linux sysctl_mld_max_msf */
#define MCAST_ROBUSTNESS 2u                 /* §9.1 Robustness Variable */
#define MCAST_QUERY_INTERVAL_S 125u         /* §9.2 Query Interval */
#define MCAST_QUERY_RESPONSE_MS 10000u      /* §9.3 Query Response Interval */
#define MCAST_UNSOLICITED_MS 1000u          /* §9.11; RFC 3376 §8.11 */
#define MCAST_V1_UNSOLICITED_MS 10000u      /* RFC 2710 §7.10; RFC 2236 §8.10 */
#define MCAST_IGMPV1_MAX_RESP_MS 10000u     /* RFC 2236 §4: IGMPv1 Max Resp 0 = 10 s */
#define MCAST_MAX_GROUPS_LIMIT 65536u
#define MCAST_MAX_LISTENERS_LIMIT (1u << 20)
#define MCAST_MAX_SOURCES_LIMIT 1024u
#define MCAST_MAX_ROBUSTNESS 7u             /* QRV is 3 bits */

struct mcast_config {
	uint8_t addr_len;                  /* 16: MLD, 4: IGMP */
	uint32_t max_groups;               /* (ifindex, group) entries */
	uint32_t max_listeners;            /* listener slots, all groups together */
	uint32_t max_listeners_per_group;
	uint32_t max_sources;              /* per listener, and per interface state */
	uint8_t robustness;                /* until a query's QRV says otherwise */
	uint32_t query_interval_s;         /* until a query's QQIC says otherwise */
	uint32_t query_response_ms;        /* until a General Query says otherwise */
	uint32_t unsolicited_ms;           /* State Change Report retransmissions */
	uint32_t v1_unsolicited_ms;        /* older-version unsolicited Report repeats */
};

/* A received query, parsed by the protocol module (which checked it:
 * link-local source, hop limit 1, Router Alert, RFC 3810 §6.2). */
struct mcast_query {
	uint8_t version;                   /* of the message: MLD 1-2, IGMP 1-3 */
	uint8_t group[16];                 /* all zero: General Query */
	uint32_t max_resp_ms;              /* decoded Maximum Response Delay
					    * (ignored for IGMPv1: 10 s) */
	uint8_t qrv;                       /* newest version only; 0 = none */
	uint32_t qqi_s;                    /* newest version only, decoded QQIC; 0 = none */
	uint16_t nsrc;                     /* newest version only */
	const uint8_t *sources;            /* nsrc addresses, addr_len bytes each */
};

/* One table per address family; the caller embeds it and only reads it
 * through the functions below. */
struct mcast_table {
	struct duet_stack *stack;
	struct mcast_config cfg;
	struct mcast_ops ops;
	void *ctx;
	uint8_t newest;                    /* 2 (MLDv2) or 3 (IGMPv3) */
	struct mcast_group *groups;        /* [cfg.max_groups] */
	struct mcast_group *group_free;
	struct mcast_group **buckets;      /* [bucket_mask + 1] hash chains */
	uint32_t bucket_mask;
	uint32_t ngroups;
	struct mcast_listener *listeners;  /* [cfg.max_listeners] */
	struct mcast_listener *listener_free;
	uint32_t nlisteners;
	struct mcast_iface *ifaces;        /* [max_ifindex + 1] */
	uint32_t max_ifindex;
	uint8_t *src_mem;                  /* every source list's storage */
	uint8_t *cnt_mem;                  /* Source Retransmission Counters */
	struct mcast_record *records;      /* [2 * max_groups]: one report */
	const struct mcast_listener **views; /* [max_listeners_per_group + 1] */
	uint8_t *scratch_req;              /* [max_sources]: a requested filter */
	uint8_t *scratch_merged;           /* [max_sources]: a merged state */
};

/* A snapshot of one (ifindex, group) entry, for dumps and tests. */
struct mcast_group_info {
	uint32_t ifindex;
	uint8_t group[16];
	uint8_t mode;                      /* interface state: enum mcast_mode */
	uint16_t nsrc;
	const uint8_t *sources;            /* sorted; valid until the table changes */
	uint16_t nlisteners;
	uint8_t filter_rtx;                /* Filter Mode Retransmission Counter */
	uint16_t nrtx;                     /* sources with retransmission state */
	uint16_t nqueried;                 /* sources recorded from queries */
	uint64_t response_due_ns;          /* Multicast Address Timer, or DUET_TIME_NEVER */
};

/* One interface's protocol state. */
struct mcast_iface_info {
	uint8_t version;                   /* Host Compatibility Mode */
	uint8_t robustness;
	uint32_t query_interval_s;
	uint32_t query_response_ms;
	uint64_t general_due_ns;           /* Interface Timer, or DUET_TIME_NEVER */
	uint64_t report_due_ns;            /* next State Change Report, or NEVER */
	uint64_t compat_until_ns;          /* older querier present until, or NEVER */
};

/* Fills cfg with the defaults above for an address length of 16 or 4. */
void mcast_config_init(struct mcast_config *cfg, uint8_t addr_len);

/* Initialises table for stack (not owned; it must outlive the table) with
 * copies of cfg and ops. Returns 0, -EINVAL (address length not 4 or 16, a
 * limit 0 or above its _LIMIT, robustness 0 or above 7, a zero interval, an
 * op missing) or -ENOMEM. */
int mcast_init(struct mcast_table *table, struct duet_stack *stack,
	       const struct mcast_config *cfg, const struct mcast_ops *ops, void *ctx);

/* Cancels every timer and frees the table's memory, sending nothing. Call
 * before the stack is destroyed. */
void mcast_fini(struct mcast_table *table);

/* Any-source join (RFC 3810 §3: EXCLUDE {}) of group on ifindex by the
 * listener key (a socket; compared as a pointer, never dereferenced).
 * Returns 0, -EINVAL (ifindex out of range, group not multicast),
 * -EADDRINUSE (key already listens to group there) or -ENOBUFS (a limit;
 * counted). */
int mcast_join(struct mcast_table *table, const void *key, uint32_t ifindex,
	       const uint8_t *group);

/* Ends key's listening to group on ifindex (INCLUDE {}). Returns 0,
 * -EINVAL or -EADDRNOTAVAIL (not listening). */
int mcast_leave(struct mcast_table *table, const void *key, uint32_t ifindex,
		const uint8_t *group);

/* Sets key's filter for group on ifindex (RFC 3678 setsourcefilter; RFC
 * 3810 §3 IPv6MulticastListen): mode and nsrc source addresses (addr_len
 * bytes each, packed; duplicates ignored; copied). INCLUDE with no sources
 * ends the listening. Returns 0, -EINVAL (bad ifindex, group or mode),
 * -EADDRNOTAVAIL (INCLUDE {} from a key not listening) or -ENOBUFS (more
 * than max_sources, a merged state over max_sources, or the group or
 * listener limits; counted; nothing changed). */
int mcast_set_filter(struct mcast_table *table, const void *key, uint32_t ifindex,
		     const uint8_t *group, enum mcast_mode mode, const uint8_t *sources,
		     uint32_t nsrc);

/* Ends every membership of key (the socket closed). Walks the listener
 * array: an administrative operation. Returns the number ended. */
uint32_t mcast_leave_all(struct mcast_table *table, const void *key);

/* Forgets every membership on an interface that went away, sending
 * nothing, and resets its protocol state. Returns the entries removed. */
uint32_t mcast_flush_iface(struct mcast_table *table, uint32_t ifindex);

/* Reports the interface's whole state again as State Change Reports, sent
 * now and repeated [Robustness Variable] times: TO_IN / TO_EX records
 * (older-version Reports in compatibility mode) for every reportable group
 * listened to. For MLD when the interface gains its first valid link-local
 * address: reports sent from :: during DAD are discarded by routers (RFC
 * 3810 §5.2.13), so the state must be told again from a valid source, as
 * Linux does on DAD completion. Returns 0 or -EINVAL (bad ifindex). */
int mcast_iface_restate(struct mcast_table *table, uint32_t ifindex);

/* Applies a received query on ifindex: Host Compatibility Mode (RFC 3810
 * §8.2.1, RFC 3376 §7.2.1), learned Robustness Variable, Query Interval
 * and Query Response Interval (§9.1-§9.3), and the scheduling of the
 * response (§6.2; RFC 2710 §4 and RFC 2236 §3 in compatibility mode).
 * Returns 0 (applied, or ignored: no state to report) or -EINVAL (bad
 * ifindex or version, group neither zero nor multicast). */
int mcast_input_query(struct mcast_table *table, uint32_t ifindex, const struct mcast_query *q);

/* Another host's older-version Report for group heard on ifindex: in
 * compatibility mode our pending Report for it (a query response or an
 * unsolicited repeat) is suppressed (RFC 2710 §4, RFC 2236 §3; newer
 * versions never suppress, RFC 3810 §6.1). Returns true if one was. */
bool mcast_input_v1_report(struct mcast_table *table, uint32_t ifindex, const uint8_t *group);

/* Input filtering: true if the interface state for (ifindex, group) lets
 * packets from source through (source NULL: any listening state). The
 * all-nodes group (ff02::1, 224.0.0.1) is always listened to (RFC 3810 §6,
 * RFC 3376 §5). O(1) lookup, then a binary search of the source list. */
bool mcast_is_member(const struct mcast_table *table, uint32_t ifindex, const uint8_t *group,
		     const uint8_t *source);

/* Fills *out for (ifindex, group). Returns 0 or -ENOENT. */
int mcast_lookup(const struct mcast_table *table, uint32_t ifindex, const uint8_t *group,
		 struct mcast_group_info *out);

/* Fills *out for an interface. Returns 0 or -EINVAL (bad ifindex). */
int mcast_iface_info(const struct mcast_table *table, uint32_t ifindex,
		     struct mcast_iface_info *out);

/* Calls fn for every entry (also those without listeners that still
 * retransmit a leave), in a fixed order; fn must not change the table and
 * returns nonzero to stop. Returns the number of entries visited. */
uint32_t mcast_walk(const struct mcast_table *table,
		    int (*fn)(void *arg, const struct mcast_group_info *info), void *arg);

/* "IS_IN", "TO_EX", ... ; "?" for an unknown value. */
const char *mcast_record_name(uint8_t type);

#endif
