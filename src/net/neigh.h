/* duet — the neighbour cache shared by ARP and IPv6 Neighbour Discovery: one
 * reachability state machine (RFC 4861 §7.2, §7.3 and Appendix C; RFC 826,
 * RFC 1122 §2.3.2 and RFC 5227 for IPv4), address resolution with bounded
 * per-entry packet queues, Neighbour Unreachability Detection. Frame formats
 * stay with the callers (arp.c, nd6.c), which talk to the engine through
 * struct neigh_ops, as Linux's neigh subsystem serves arp.c and ndisc.c.
 *
 * Memory: neigh_init() allocates a fixed array of max_entries entries and a
 * hash table of buckets once; nothing is allocated afterwards (no per-packet
 * or per-entry malloc). Entries are keyed by (ifindex, address) and hashed
 * with SipHash-2-4 under the stack's secret so that an off-path sender cannot
 * aim collisions at one bucket. Each entry carries one intrusive timer on
 * the stack's wheel.
 *
 * Callbacks: the engine calls ops after it has finished changing the entry
 * concerned, so a callback may call back into the table (for example, the
 * unreachable() handler may queue an ICMP error that needs resolution). */
#ifndef DUET_NET_NEIGH_H
#define DUET_NET_NEIGH_H

#include <stdbool.h>
#include <stdint.h>

#include <duet/pkt.h>

struct duet_stack;
struct neigh_entry;

/* RFC 4861 §7.3.2 reachability states. An entry that fails resolution or
 * NUD is removed at once, so FAILED is an outcome, never a stored state. */
enum neigh_state {
	NEIGH_INCOMPLETE,   /* resolving: multicast solicitations, packets queued */
	NEIGH_REACHABLE,    /* confirmed within ReachableTime */
	NEIGH_STALE,        /* usable, unverified; no traffic yet */
	NEIGH_DELAY,        /* traffic sent while STALE: waiting for upper layers */
	NEIGH_PROBE,        /* unicast solicitations every RetransTimer */
};

/* Defaults: RFC 4861 §10 protocol constants and host variables. ARP uses the
 * same machine with the same timers (Linux arp_tbl: 30 s base reachable,
 * 1 s retrans, 5 s delay, 3 unicast and 3 broadcast probes). */
#define NEIGH_DEFAULT_MAX_ENTRIES 1024u     /* Linux gc_thresh3 */
#define NEIGH_DEFAULT_QUEUE_LIMIT 64u       /* RFC 4861 §7.2.2 "e.g. one"; Linux's
					     * unres_qlen_bytes (212,992) holds a
					     * 64 KiB datagram's fragments, as ARP's */
#define NEIGH_BASE_REACHABLE_MS 30000u      /* REACHABLE_TIME */
#define NEIGH_RETRANS_MS 1000u              /* RETRANS_TIMER */
#define NEIGH_DELAY_FIRST_PROBE_MS 5000u    /* DELAY_FIRST_PROBE_TIME */
#define NEIGH_MAX_MULTICAST_SOLICIT 3u
#define NEIGH_MAX_UNICAST_SOLICIT 3u
#define NEIGH_MAX_ENTRIES_LIMIT (1u << 20)  /* the largest max_entries accepted */
#define NEIGH_MAX_BASE_REACHABLE_MS 3600000u /* RFC 4861 §6.2.1 MaxReachableTime */
#define NEIGH_RECOMPUTE_REACHABLE_NS (2ull * 3600 * 1000000000ull)

struct neigh_config {
	uint8_t addr_len;                /* 4 (ARP) or 16 (ND) */
	uint32_t max_entries;            /* when full, the oldest STALE entry is evicted */
	uint32_t queue_limit;            /* packets waiting per INCOMPLETE entry (>= 1) */
	uint32_t base_reachable_ms;      /* BaseReachableTime, per interface afterwards */
	uint32_t retrans_ms;             /* RetransTimer, per interface afterwards */
	uint32_t delay_first_probe_ms;   /* DELAY_FIRST_PROBE_TIME */
	uint8_t max_multicast_solicit;   /* resolution attempts before failure (>= 1) */
	uint8_t max_unicast_solicit;     /* NUD probes before removal (>= 1) */
};

/* What the protocol side provides. solicit, unreachable and output are
 * required; router_lost may be NULL. ctx is the pointer given to neigh_init. */
struct neigh_ops {
	/* Sends an NS / ARP request for target on ifindex: multicast (solicited-
	 * node group) or broadcast when unicast_lladdr is NULL, else a unicast
	 * probe to that link-layer address (RFC 4861 §7.2.2, §7.3.3). */
	void (*solicit)(void *ctx, uint32_t ifindex, const uint8_t *target,
			const uint8_t *unicast_lladdr);
	/* Takes a packet whose resolution failed (pkt->ifindex is set): the caller
	 * sends ICMP address unreachable (RFC 4861 §7.2.2; RFC 1812 §4.3.3.1 /
	 * RFC 1122 §2.3.2.2 for IPv4 host unreachable) and frees it. */
	void (*unreachable)(void *ctx, struct duet_pkt *pkt);
	/* Takes a resolved packet and sends it to lladdr on ifindex. */
	void (*output)(void *ctx, uint32_t ifindex, struct duet_pkt *pkt, const uint8_t lladdr[6]);
	/* An NA cleared IsRouter on a neighbour that was a router: the caller
	 * removes it from the Default Router List (RFC 4861 §7.2.5). */
	void (*router_lost)(void *ctx, uint32_t ifindex, const uint8_t *addr);
};

/* Flags for neigh_update(): what kind of message brought the information. */
#define NEIGH_UPD_ADVERT     0x01u /* an NA, or an ARP reply to us: §7.2.5 rules
				      (never creates an entry); without it the
				      message is unsolicited information: NS with
				      SLLA (§7.2.3), RS (§6.2.6), RA (§6.3.4),
				      Redirect (§8.3), an ARP request */
#define NEIGH_UPD_SOLICITED  0x02u /* NA Solicited flag (ADVERT only) */
#define NEIGH_UPD_OVERRIDE   0x04u /* NA Override flag (ADVERT only) */
#define NEIGH_UPD_ROUTER     0x08u /* IsRouter value: an NA's R flag; TRUE for an
				      RA's source or a Redirect's target router */
#define NEIGH_UPD_SET_ROUTER 0x10u /* unsolicited information that states
				      IsRouter (RA, Redirect); an NA always does */
#define NEIGH_UPD_NO_CREATE  0x20u /* update an existing entry only (an ARP not
				      aimed at us: RFC 826 merge, RFC 5227) */

/* Per-interface parameters RAs change (RFC 4861 §6.3.2, §6.3.4). */
struct neigh_parms {
	uint32_t base_reachable_ms;
	uint32_t retrans_ms;
	uint64_t reachable_ns;           /* ReachableTime, 0 = not drawn yet */
	uint64_t recompute_at_ns;        /* when to draw ReachableTime again */
};

/* One table per address family; the caller embeds it (in its per-stack
 * state) and only reads it through the functions below. */
#define NEIGH_HINT_BITS 4
#define NEIGH_HINT_SLOTS (1u << NEIGH_HINT_BITS)

struct neigh_table {
	struct duet_stack *stack;
	struct neigh_config cfg;
	struct neigh_ops ops;
	void *ctx;
	struct neigh_entry *entries;     /* [cfg.max_entries] */
	struct neigh_entry *free_list;
	struct neigh_entry **buckets;    /* [bucket_mask + 1] hash chains */
	uint32_t bucket_mask;
	uint32_t count;                  /* entries in use */
	struct neigh_entry *stale_oldest, *stale_newest; /* STALE entries, LRU */
	struct neigh_parms *parms;       /* [max_ifindex + 1] */
	uint32_t max_ifindex;
	/* Direct-mapped hints in front of the keyed buckets for the output
	 * path (net/addr_fold.h): a hint is trusted only after its entry is
	 * checked to be in use for the same (ifindex, address). */
	struct neigh_entry *hint[NEIGH_HINT_SLOTS];
};

/* A snapshot of one entry, for tests and the `duet` command. */
struct neigh_info {
	uint32_t ifindex;
	uint8_t addr[16];                /* addr_len bytes used */
	enum neigh_state state;
	bool has_lladdr;                 /* false only while INCOMPLETE */
	uint8_t lladdr[6];
	bool is_router;
	uint8_t probes;                  /* solicitations sent in this INCOMPLETE/PROBE phase */
	uint32_t queued;                 /* packets waiting for resolution */
	uint64_t expires_ns;             /* next state change, or DUET_TIME_NEVER (STALE) */
};

struct neigh_stats {
	uint32_t entries;
	uint32_t buckets;
	uint32_t longest_chain;          /* hash chain length, for diagnostics */
};

/* Fills cfg with the defaults above for an address length of 4 or 16. */
void neigh_config_init(struct neigh_config *cfg, uint8_t addr_len);

/* Initialises table for stack (not owned; it must outlive the table) with a
 * copy of cfg and ops. Returns 0, -EINVAL (address length not 4 or 16,
 * max_entries 0 or above NEIGH_MAX_ENTRIES_LIMIT, zero queue limit, zero
 * solicit counts or timers, base reachable time above 3,600,000 ms, a
 * required op missing) or -ENOMEM. */
int neigh_init(struct neigh_table *table, struct duet_stack *stack,
	       const struct neigh_config *cfg, const struct neigh_ops *ops, void *ctx);

/* Cancels every timer, frees every queued packet (counted as
 * DROP_NEIGH_FLUSHED) and the table's memory. Call before the stack is
 * destroyed. */
void neigh_fini(struct neigh_table *table);

/* Sends pkt (an IP packet, ownership taken in every case) to the neighbour
 * addr on ifindex: at once through ops.output if the link-layer address is
 * known (a STALE entry then moves to DELAY, RFC 4861 §7.3.3); else the packet
 * waits in the entry's queue (created INCOMPLETE, with a multicast
 * solicitation, if new). Returns 0 (sent or queued), -EINVAL (bad ifindex;
 * the packet is dropped as DROP_NEIGH_BAD_IFINDEX) or -ENOBUFS (table full
 * with nothing to evict; dropped as DROP_NEIGH_TABLE_FULL). */
int neigh_resolve(struct neigh_table *table, uint32_t ifindex, const uint8_t *addr,
		  struct duet_pkt *pkt);

/* Applies link-layer information received for addr on ifindex: lladdr is the
 * NA's target link-layer address, the NS/RS/RA's source link-layer address,
 * the Redirect's target link-layer address or the ARP sender hardware
 * address, or NULL when the message carried none; flags are NEIGH_UPD_*.
 * Follows RFC 4861 §7.2.5 and Appendix C. Returns 0 (applied, or ignored as
 * the RFC requires), -ENOENT (no entry and the message may not create one),
 * -ENOBUFS (table full with nothing to evict) or -EINVAL (bad ifindex). */
int neigh_update(struct neigh_table *table, uint32_t ifindex, const uint8_t *addr,
		 const uint8_t *lladdr, unsigned flags);

/* Maps a received ARP packet's sender (spa, sha) onto neigh_update: a reply
 * unicast to us is a solicited, overriding advertisement; a request for one
 * of our addresses is unsolicited information that may create a STALE entry
 * (RFC 826 "Am I the target?"); any other ARP, such as a gratuitous ARP or an
 * RFC 5227 announcement, only updates an existing entry (RFC 826 merge).
 * Returns as neigh_update. */
int neigh_update_arp(struct neigh_table *table, uint32_t ifindex, const uint8_t *spa,
		     const uint8_t sha[6], bool is_target_us, bool is_reply_to_us);

/* Upper-layer reachability confirmation (RFC 4861 §7.3.1: TCP ACKed new
 * data, a reply arrived): an entry not INCOMPLETE becomes REACHABLE.
 * Returns 0 or -ENOENT (no such entry, or INCOMPLETE). */
int neigh_confirm(struct neigh_table *table, uint32_t ifindex, const uint8_t *addr);

/* Fills *out with the entry for (ifindex, addr). Returns 0 or -ENOENT. */
int neigh_lookup(const struct neigh_table *table, uint32_t ifindex, const uint8_t *addr,
		 struct neigh_info *out);

/* Removes one entry; its queued packets are dropped (DROP_NEIGH_FLUSHED).
 * Returns 0 or -ENOENT. */
int neigh_delete(struct neigh_table *table, uint32_t ifindex, const uint8_t *addr);

/* Removes every entry of an interface that went away, dropping its queued
 * packets (DROP_NEIGH_FLUSHED), and resets the interface's parameters to
 * the configured defaults. Returns the number of entries removed. Walks the
 * entry array: an administrative operation, not a per-packet one. */
uint32_t neigh_flush_iface(struct neigh_table *table, uint32_t ifindex);

/* Calls fn for every entry, in a fixed order; fn must not change the table
 * and returns nonzero to stop. Returns the number of entries visited. */
uint32_t neigh_walk(const struct neigh_table *table,
		    int (*fn)(void *arg, const struct neigh_info *info), void *arg);

/* Sets BaseReachableTime (RA Reachable Time field, RFC 4861 §6.3.4) for an
 * interface; ReachableTime is drawn again. Returns 0 or -EINVAL (bad
 * ifindex, 0, or above 3,600,000 ms). */
int neigh_set_base_reachable(struct neigh_table *table, uint32_t ifindex, uint32_t ms);

/* Sets RetransTimer (RA Retrans Timer field) for an interface. Returns 0 or
 * -EINVAL (bad ifindex or 0). */
int neigh_set_retrans(struct neigh_table *table, uint32_t ifindex, uint32_t ms);

/* The interface's current ReachableTime in ns: uniformly random in
 * [0.5, 1.5] × BaseReachableTime (RFC 4861 §6.3.2), drawn from the stack's
 * generator when first needed, when the base changes and every two hours.
 * Returns 0 for a bad ifindex. */
uint64_t neigh_reachable_time_ns(struct neigh_table *table, uint32_t ifindex);

/* Figures for diagnostics (O(buckets)). */
void neigh_stats(const struct neigh_table *table, struct neigh_stats *out);

/* "INCOMPLETE", "REACHABLE", ... ; "?" for an unknown value. */
const char *neigh_state_name(enum neigh_state state);

#endif
