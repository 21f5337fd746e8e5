/* duet — the in-memory link pair (L-1): two endpoints joined by a simulated
 * wire, each direction with its own seeded impairment model, driven by an
 * injected clock. */
#include <duet/links.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <duet/clock.h>
#include <duet/random.h>

#include "link/impair_internal.h"

#define MEMLINK_MTU_MIN 68u
#define MEMLINK_MTU_MAX 65536u

struct memlink_pair;

/* One end: its link, and the frames travelling towards it. */
struct memlink_end {
	struct duet_link link;
	struct memlink_pair *pair;
	struct impair in;
	int is_alive;
};

struct memlink_pair {
	const struct duet_clock *clock;
	struct memlink_end end[2];
};

void duet_mac_from_seed(uint64_t seed, uint8_t mac[6])
{
	struct duet_rng rng;

	duet_rng_seed(&rng, seed);
	duet_rng_fill(&rng, mac, 6);
	mac[0] = (uint8_t)((mac[0] & 0xfeu) | 0x02u); /* unicast, locally administered */
}

void duet_memlink_config_init(struct duet_memlink_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->mtu = 1500;
	cfg->seed_a_to_b = 1;
	cfg->seed_b_to_a = 2;
}

static struct memlink_end *memlink_end_of(const struct duet_link *link)
{
	return link->impl;
}

static struct memlink_end *memlink_peer(struct memlink_end *e)
{
	return &e->pair->end[e == &e->pair->end[0] ? 1 : 0];
}

static unsigned memlink_transmit(struct duet_link *link, struct duet_pkt **pkts, unsigned n)
{
	struct memlink_end *e = memlink_end_of(link);
	struct memlink_end *peer = memlink_peer(e);
	uint64_t now_ns = duet_clock_now(e->pair->clock);
	unsigned i, accepted = 0;

	for (i = 0; i < n; i++) {
		uint32_t len = pkts[i]->len;
		if (!peer->is_alive) {
			/* No carrier: the other end is gone. */
			link->stats.tx_drops++;
			duet_pkt_free(pkts[i]);
			continue;
		}
		if (impair_submit(&peer->in, pkts[i], now_ns)) {
			link->stats.tx_frames++;
			link->stats.tx_bytes += len;
			accepted++;
		}
	}
	return accepted;
}

/* A frame arriving: one copy into the receiver's pool, as a wire would. */
static void memlink_arrive(void *ctx, struct duet_pkt *pkt, uint64_t due_ns)
{
	struct memlink_end *e = ctx;

	duet_link_deliver_bytes(&e->link, duet_pkt_data(pkt), pkt->len, due_ns);
	duet_pkt_free(pkt);
}

static void memlink_poll(struct duet_link *link, uint64_t now_ns)
{
	struct memlink_end *e = memlink_end_of(link);

	impair_deliver_due(&e->in, now_ns, memlink_arrive, e);
}

static uint64_t memlink_next_deadline(const struct duet_link *link)
{
	return impair_next_deadline(&memlink_end_of(link)->in);
}

static void memlink_destroy(struct duet_link *link)
{
	struct memlink_end *e = memlink_end_of(link);
	struct memlink_pair *pair = e->pair;

	impair_fini(&e->in);
	/* What this end sent and the other has not received yet belongs to
	 * this end's pool, which may go with its stack now: it is dropped
	 * here, not later by the other end. */
	if (memlink_peer(e)->is_alive)
		impair_fini(&memlink_peer(e)->in);
	e->is_alive = 0;
	if (!pair->end[0].is_alive && !pair->end[1].is_alive)
		free(pair);
}

static const struct duet_link_ops memlink_ops = {
	.transmit = memlink_transmit,
	.poll = memlink_poll,
	.next_deadline = memlink_next_deadline,
	.destroy = memlink_destroy,
};

/* Fills the link fields of end i from cfg. */
static void memlink_end_setup(struct memlink_pair *pair, unsigned i,
			      const struct duet_memlink_config *cfg)
{
	struct memlink_end *e = &pair->end[i];
	const char *name = i ? cfg->name_b : cfg->name_a;

	e->pair = pair;
	e->is_alive = 1;
	e->link.ops = &memlink_ops;
	e->link.impl = e;
	e->link.mtu = cfg->mtu;
	e->link.flags = DUET_LINK_F_BROADCAST | DUET_LINK_F_MULTICAST;
	snprintf(e->link.name, sizeof(e->link.name), "%s", name ? name : i ? "mem0b" : "mem0a");
	if (cfg->has_macs) {
		memcpy(e->link.hwaddr, i ? cfg->mac_b : cfg->mac_a, 6);
	} else {
		duet_mac_from_seed(cfg->mac_seed + i, e->link.hwaddr);
		if (i && memcmp(e->link.hwaddr, pair->end[0].link.hwaddr, 6) == 0)
			e->link.hwaddr[5] ^= 1u;
	}
}

int duet_memlink_pair(const struct duet_memlink_config *config, struct duet_link **a,
		      struct duet_link **b)
{
	struct duet_memlink_config c, *cfg = &c;
	struct memlink_pair *pair;
	int err;

	if (!config || !config->clock || !a || !b)
		return -EINVAL;
	c = *config;
	if (!c.mtu)
		c.mtu = 1500;
	if (c.mtu < MEMLINK_MTU_MIN || c.mtu > MEMLINK_MTU_MAX)
		return -EINVAL;
	if ((cfg->a_to_b && duet_impair_params_validate(cfg->a_to_b)) ||
	    (cfg->b_to_a && duet_impair_params_validate(cfg->b_to_a)))
		return -EINVAL;
	pair = calloc(1, sizeof(*pair));
	if (!pair)
		return -ENOMEM;
	pair->clock = cfg->clock;
	memlink_end_setup(pair, 0, cfg);
	memlink_end_setup(pair, 1, cfg);
	/* The engine of frames going to B counts in A's stats, and back. */
	err = impair_init(&pair->end[1].in, cfg->a_to_b, cfg->seed_a_to_b, cfg->mtu,
			  &pair->end[0].link.stats, &pair->end[0].link.stats.tx_drops);
	if (err)
		goto fail;
	err = impair_init(&pair->end[0].in, cfg->b_to_a, cfg->seed_b_to_a, cfg->mtu,
			  &pair->end[1].link.stats, &pair->end[1].link.stats.tx_drops);
	if (err) {
		impair_fini(&pair->end[1].in);
		goto fail;
	}
	*a = &pair->end[0].link;
	*b = &pair->end[1].link;
	return 0;
fail:
	free(pair);
	return err;
}
