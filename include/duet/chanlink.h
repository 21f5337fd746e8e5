/* duet — the channel link: a link whose far end is the caller. Frames the
 * stack transmits wait in a queue for the caller to take; frames the caller
 * injects are delivered to the stack. Script tests drive a stack with it
 * (inject a frame, poll, check what came out); embedders can use it to
 * connect duet to any transport of their own. */
#ifndef DUET_CHANLINK_H
#define DUET_CHANLINK_H

#include <stddef.h>
#include <stdint.h>

#include <duet/link.h>

/* Creates a channel link with MAC mac, the given MTU (68..65535) and flags
 * BROADCAST|MULTICAST; at most tx_limit transmitted frames wait (more are
 * dropped and counted in stats.tx_drops). Returns 0 or -EINVAL / -ENOMEM. */
int duet_chanlink_create(const uint8_t mac[6], uint32_t mtu, uint32_t tx_limit,
			 struct duet_link **out);

/* Delivers a copy of a frame to the attached stack (buffer from its pool).
 * Returns 0, -ENOBUFS (pool exhausted: counted in rx_drops) or -ENOTCONN
 * (not attached). The frame is processed at the stack's next poll. */
int duet_chanlink_inject(struct duet_link *link, const void *frame, size_t len);

/* Takes the oldest transmitted frame (the caller owns it and frees it with
 * duet_pkt_free), or NULL if none waits. */
struct duet_pkt *duet_chanlink_pop(struct duet_link *link);

/* How many transmitted frames wait. */
uint32_t duet_chanlink_pending(const struct duet_link *link);

#endif
