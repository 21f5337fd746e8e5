/* duet — the multicast listener engine's internals, shared by mcast.c (the
 * table, listeners and the RFC 3810 §4.2 / RFC 3376 §3.2 filter merge) and
 * mcast_report.c (reports, queries, timers, compatibility: RFC 3810 §6, §8;
 * RFC 3376 §5, §7). Not a public header. */
#ifndef DUET_NET_MCAST_INTERNAL_H
#define DUET_NET_MCAST_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "base/timer_wheel.h"
#include "net/mcast.h"

/* Per-interface protocol state (RFC 3810 §6.2, §8.2.1, §9). */
struct mcast_iface {
	struct mcast_table *table;
	uint32_t ifindex;
	struct mcast_group *head, *tail;      /* this interface's entries, join order */
	struct duet_timer gq_timer;           /* Interface Timer: General Query response */
	struct duet_timer report_timer;       /* State Change Report (re)transmission */
	struct duet_timer compat_timer[2];    /* Older Version Querier Present: v1, v2 */
	uint8_t version;                      /* Host Compatibility Mode */
	uint8_t robustness;                   /* Robustness Variable */
	uint32_t qi_s;                        /* Query Interval */
	uint32_t qri_ms;                      /* Query Response Interval */
};

/* A (ifindex, group) entry: the merged interface state and its protocol
 * state. It lives while it has listeners or retransmits a change, or an
 * older-version Done waits to leave. Source lists are slices of the table's
 * src_mem: src and q hold max_sources, rtx twice that. */
struct mcast_group {
	struct mcast_group *hnext;            /* hash chain, or the free list */
	struct mcast_group *if_prev, *if_next;
	struct mcast_iface *ifp;
	struct mcast_listener *listeners;
	struct duet_timer timer;              /* Multicast Address Timer; v1: report delay */
	uint8_t addr[16];
	uint8_t mode;                         /* interface state (enum mcast_mode) */
	uint8_t filter_rtx;                   /* Filter Mode Retransmission Counter */
	uint8_t v1_reports;                   /* unsolicited older-version Reports to send */
	bool is_v1_done_pending;
	bool is_used;
	uint16_t nlisteners;
	uint16_t nsrc;                        /* interface state sources, sorted */
	uint16_t nrtx;                        /* Retransmission List length */
	uint16_t nq;                          /* recorded queried sources, sorted */
	uint8_t *src;
	uint8_t *rtx;
	uint8_t *rtx_cnt;                     /* Source Retransmission Counters */
	uint8_t *q;
};

/* One listener's filter for one group (a socket's membership). */
struct mcast_listener {
	struct mcast_listener *next;          /* in its group, or the free list */
	struct mcast_group *group;
	const void *key;
	uint8_t mode;
	bool is_used;
	uint16_t nsrc;                        /* sorted, no duplicates */
	uint8_t *src;
};

/* A filter: a listener's, a request's, or a merged state. */
struct mcast_filter {
	uint8_t mode;
	uint16_t nsrc;
	const uint8_t *src;
};

/* ---- mcast.c: source lists and entries ---- */

/* True if addr is in the sorted list of n addresses. */
bool mcast_src_has(const struct mcast_table *t, const uint8_t *list, uint32_t n,
		   const uint8_t *addr);

/* Adds addr to a sorted list of at most cap addresses. Returns 0 (added or
 * already there) or -ENOBUFS (full). */
int mcast_src_add(const struct mcast_table *t, uint8_t *list, uint16_t *n, uint32_t cap,
		  const uint8_t *addr);

/* Keeps the addresses of list whose presence in other (m addresses) is
 * is_in; order is kept. */
void mcast_src_keep(const struct mcast_table *t, uint8_t *list, uint16_t *n,
		    const uint8_t *other, uint32_t m, bool is_in);

/* The entry for (ifindex, group), or NULL. */
struct mcast_group *mcast_group_find(const struct mcast_table *t, uint32_t ifindex,
				     const uint8_t *group);

/* Returns g to the free list if nothing keeps it (see struct mcast_group). */
void mcast_group_release_if_idle(struct mcast_table *t, struct mcast_group *g);

/* True if g's interface state is not INCLUDE {} (RFC 3810 §4.2: a record
 * exists). */
static inline bool mcast_group_is_listening(const struct mcast_group *g)
{
	return g->mode == MCAST_MODE_EXCLUDE || g->nsrc > 0;
}

/* ff00::/8 or 224.0.0.0/4. */
bool mcast_is_multicast(const struct mcast_table *t, const uint8_t *a);

/* All addr_len bytes zero (a General Query's group). */
bool mcast_is_zero(const struct mcast_table *t, const uint8_t *a);

/* False for the all-nodes group and, in IPv6, scopes 0 and 1: never
 * reported (RFC 3810 §6, RFC 3376 §5). */
bool mcast_is_reportable(const struct mcast_table *t, const uint8_t *group);

/* ---- mcast_report.c: protocol ---- */

/* Sets up / resets an interface's protocol state and timers. */
void mcast_iface_setup(struct mcast_table *t, struct mcast_iface *ifp, uint32_t ifindex);
void mcast_iface_reset(struct mcast_table *t, struct mcast_iface *ifp);

/* The interface state of g is about to become nw: records the change for
 * State Change Reports (RFC 3810 §6.1) or older-version messages, and
 * schedules them. The caller then stores nw in g. */
void mcast_report_change(struct mcast_table *t, struct mcast_group *g,
			 const struct mcast_filter *nw);

/* The timer callback of every group entry. */
void mcast_group_timer_fire(struct duet_timer *timer, void *arg);

#endif
