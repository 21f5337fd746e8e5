/* duet — the multicast listener table for MLD and IGMP: memberships keyed by
 * (ifindex, group), listeners' source filters and their merge into the
 * interface state (RFC 3810 §4.2, RFC 3376 §3.2), input filtering, dumps.
 * The protocol (reports, queries, timers) is in mcast_report.c; the
 * contract in mcast.h.
 *
 * Source lists are kept sorted (memcmp order) without duplicates, so a
 * membership test is a binary search and the merge works in place. */
#include "net/mcast.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <duet/clock.h>
#include <duet/random.h>

#include "core/stack_internal.h"
#include "net/mcast_internal.h"

/* ---- source lists ---- */

/* Index of addr in the sorted list, or where it would go; *found says. */
static uint32_t mcast_src_pos(const struct mcast_table *t, const uint8_t *list, uint32_t n,
			      const uint8_t *addr, bool *found)
{
	uint32_t lo = 0, hi = n, alen = t->cfg.addr_len;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		int c = memcmp(list + (size_t)mid * alen, addr, alen);

		if (c == 0) {
			*found = true;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = false;
	return lo;
}

bool mcast_src_has(const struct mcast_table *t, const uint8_t *list, uint32_t n,
		   const uint8_t *addr)
{
	bool found;

	mcast_src_pos(t, list, n, addr, &found);
	return found;
}

int mcast_src_add(const struct mcast_table *t, uint8_t *list, uint16_t *n, uint32_t cap,
		  const uint8_t *addr)
{
	uint32_t alen = t->cfg.addr_len;
	bool found;
	uint32_t i = mcast_src_pos(t, list, *n, addr, &found);

	if (found)
		return 0;
	if (*n >= cap)
		return -ENOBUFS;
	memmove(list + (size_t)(i + 1) * alen, list + (size_t)i * alen, (size_t)(*n - i) * alen);
	memcpy(list + (size_t)i * alen, addr, alen);
	(*n)++;
	return 0;
}

void mcast_src_keep(const struct mcast_table *t, uint8_t *list, uint16_t *n,
		    const uint8_t *other, uint32_t m, bool is_in)
{
	uint32_t alen = t->cfg.addr_len, i, kept = 0;

	for (i = 0; i < *n; i++) {
		const uint8_t *s = list + (size_t)i * alen;

		if (mcast_src_has(t, other, m, s) != is_in)
			continue;
		if (kept != i)
			memcpy(list + (size_t)kept * alen, s, alen);
		kept++;
	}
	*n = (uint16_t)kept;
}

/* ---- addresses ---- */

bool mcast_is_multicast(const struct mcast_table *t, const uint8_t *a)
{
	return t->cfg.addr_len == 16 ? a[0] == 0xff : (a[0] & 0xf0) == 0xe0;
}

bool mcast_is_zero(const struct mcast_table *t, const uint8_t *a)
{
	static const uint8_t zero[16];

	return memcmp(a, zero, t->cfg.addr_len) == 0;
}

/* ff02::1 or 224.0.0.1. */
static bool mcast_is_all_nodes(const struct mcast_table *t, const uint8_t *a)
{
	static const uint8_t all6[16] = { 0xff, 0x02, [15] = 0x01 };
	static const uint8_t all4[4] = { 224, 0, 0, 1 };

	return memcmp(a, t->cfg.addr_len == 16 ? all6 : all4, t->cfg.addr_len) == 0;
}

/* RFC 3810 §6: "No MLD messages are ever sent regarding neither the
 * link-scope all-nodes multicast address, nor any multicast address of
 * scope 0 (reserved) or 1 (node-local)"; RFC 3376 §5: "No IGMP messages are
 * ever sent regarding the all-systems multicast address". */
bool mcast_is_reportable(const struct mcast_table *t, const uint8_t *group)
{
	if (mcast_is_all_nodes(t, group))
		return false;
	return t->cfg.addr_len == 4 || (group[1] & 0x0f) >= 2;
}

/* ---- the store: fixed arrays, free lists, SipHash-keyed buckets ---- */

static bool mcast_ifindex_ok(const struct mcast_table *t, uint32_t ifindex)
{
	return ifindex >= 1 && ifindex <= t->max_ifindex;
}

static uint32_t mcast_hash(const struct mcast_table *t, uint32_t ifindex, const uint8_t *group)
{
	uint8_t key[4 + 16];

	memcpy(key, &ifindex, 4);
	memcpy(key + 4, group, t->cfg.addr_len);
	return (uint32_t)stack_table_hash(t->stack, key, 4u + t->cfg.addr_len) &
	       t->bucket_mask;
}

struct mcast_group *mcast_group_find(const struct mcast_table *t, uint32_t ifindex,
				     const uint8_t *group)
{
	struct mcast_group *g;

	if (!mcast_ifindex_ok(t, ifindex))
		return NULL;
	for (g = t->buckets[mcast_hash(t, ifindex, group)]; g; g = g->hnext)
		if (g->ifp->ifindex == ifindex && memcmp(g->addr, group, t->cfg.addr_len) == 0)
			return g;
	return NULL;
}

/* A new entry in the state "non-existent" = INCLUDE {} (RFC 3810 §6.1),
 * appended to its interface's list. The caller checked the free list. */
static struct mcast_group *mcast_group_alloc(struct mcast_table *t, struct mcast_iface *ifp,
					     const uint8_t *group)
{
	struct mcast_group *g = t->group_free;
	uint32_t b = mcast_hash(t, ifp->ifindex, group);

	t->group_free = g->hnext;
	memset(g->addr, 0, sizeof(g->addr));
	memcpy(g->addr, group, t->cfg.addr_len);
	g->ifp = ifp;
	g->listeners = NULL;
	g->mode = MCAST_MODE_INCLUDE;
	g->filter_rtx = g->v1_reports = 0;
	g->is_v1_done_pending = false;
	g->nlisteners = g->nsrc = g->nrtx = g->nq = 0;
	g->is_used = true;
	g->hnext = t->buckets[b];
	t->buckets[b] = g;
	g->if_next = NULL;
	g->if_prev = ifp->tail;
	if (ifp->tail)
		ifp->tail->if_next = g;
	else
		ifp->head = g;
	ifp->tail = g;
	t->ngroups++;
	return g;
}

static void mcast_listener_free(struct mcast_table *t, struct mcast_listener *l)
{
	l->is_used = false;
	l->group = NULL;
	l->key = NULL;
	l->next = t->listener_free;
	t->listener_free = l;
	t->nlisteners--;
}

/* Unhashes g, cancels its timer, frees its listeners, returns it. */
static void mcast_group_free(struct mcast_table *t, struct mcast_group *g)
{
	struct mcast_group **pp = &t->buckets[mcast_hash(t, g->ifp->ifindex, g->addr)];
	struct mcast_iface *ifp = g->ifp;

	while (*pp != g)
		pp = &(*pp)->hnext;
	*pp = g->hnext;
	if (g->if_prev)
		g->if_prev->if_next = g->if_next;
	else
		ifp->head = g->if_next;
	if (g->if_next)
		g->if_next->if_prev = g->if_prev;
	else
		ifp->tail = g->if_prev;
	duet_tw_cancel(&t->stack->timers, &g->timer);
	while (g->listeners) {
		struct mcast_listener *l = g->listeners;
		g->listeners = l->next;
		mcast_listener_free(t, l);
	}
	g->is_used = false;
	g->hnext = t->group_free;
	t->group_free = g;
	t->ngroups--;
}

void mcast_group_release_if_idle(struct mcast_table *t, struct mcast_group *g)
{
	if (g->nlisteners || g->filter_rtx || g->nrtx || g->is_v1_done_pending)
		return;
	mcast_group_free(t, g);
}

static struct mcast_listener *mcast_listener_find(const struct mcast_group *g, const void *key)
{
	struct mcast_listener *l;

	for (l = g ? g->listeners : NULL; l; l = l->next)
		if (l->key == key)
			return l;
	return NULL;
}

/* ---- the merge (RFC 3810 §4.2, RFC 3376 §3.2) ---- */

/* The listeners' filters as they would be with skip gone and extra added. */
static uint32_t mcast_collect(struct mcast_table *t, const struct mcast_group *g,
			      const struct mcast_listener *skip,
			      const struct mcast_listener *extra)
{
	const struct mcast_listener *l;
	uint32_t n = 0;

	for (l = g ? g->listeners : NULL; l; l = l->next)
		if (l != skip)
			t->views[n++] = l;
	if (extra)
		t->views[n++] = extra;
	return n;
}

/* Merges n filters into out (storage: scratch_merged). "If any such record
 * has a filter mode of EXCLUDE, then the filter mode of the interface
 * record is EXCLUDE, and the source list of the interface record is the
 * intersection of the source lists of all socket records in EXCLUDE mode,
 * minus those source addresses that appear in any socket record in INCLUDE
 * mode"; otherwise "INCLUDE, and the source list of the interface record is
 * the union of the source lists of all the socket records" (RFC 3810
 * §4.2). Returns 0 or -ENOBUFS (the union is over max_sources). */
static int mcast_merge(struct mcast_table *t, uint32_t n, struct mcast_filter *out)
{
	uint8_t *m = t->scratch_merged;
	uint16_t nm = 0;
	bool has_ex = false;
	uint32_t i, j;

	for (i = 0; i < n; i++) {
		const struct mcast_listener *l = t->views[i];
		if (l->mode != MCAST_MODE_EXCLUDE)
			continue;
		if (!has_ex) {
			memcpy(m, l->src, (size_t)l->nsrc * t->cfg.addr_len);
			nm = l->nsrc;
			has_ex = true;
		} else {
			mcast_src_keep(t, m, &nm, l->src, l->nsrc, true);
		}
	}
	for (i = 0; i < n; i++) {
		const struct mcast_listener *l = t->views[i];
		if (l->mode != MCAST_MODE_INCLUDE)
			continue;
		if (has_ex) {
			mcast_src_keep(t, m, &nm, l->src, l->nsrc, false);
			continue;
		}
		for (j = 0; j < l->nsrc; j++)
			if (mcast_src_add(t, m, &nm, t->cfg.max_sources,
					  l->src + (size_t)j * t->cfg.addr_len))
				return -ENOBUFS;
	}
	*out = (struct mcast_filter){ .mode = has_ex ? MCAST_MODE_EXCLUDE : MCAST_MODE_INCLUDE,
				      .nsrc = nm, .src = m };
	return 0;
}

/* ---- changing a listener ---- */

/* Checks the arguments of set_filter and sorts the requested sources into
 * req (its list in scratch_req). Returns 0 or a negative errno. */
static int mcast_request(struct mcast_table *t, uint32_t ifindex, const uint8_t *group,
			 enum mcast_mode mode, const uint8_t *sources, uint32_t nsrc,
			 struct mcast_listener *req)
{
	uint32_t i;

	if (!mcast_ifindex_ok(t, ifindex) || !group || !mcast_is_multicast(t, group) ||
	    (mode != MCAST_MODE_INCLUDE && mode != MCAST_MODE_EXCLUDE) || (nsrc && !sources))
		return -EINVAL;
	if (nsrc > t->cfg.max_sources) {
		stack_count(t->stack, DUET_CTR_MCAST_LIMIT_SOURCES);
		return -ENOBUFS;
	}
	memset(req, 0, sizeof(*req));
	req->mode = (uint8_t)mode;
	req->src = t->scratch_req;
	for (i = 0; i < nsrc; i++)
		mcast_src_add(t, req->src, &req->nsrc, t->cfg.max_sources,
			      sources + (size_t)i * t->cfg.addr_len);
	return 0;
}

/* The entry and listener slots a new listener needs. Returns 0 or -ENOBUFS
 * (counted). */
static int mcast_room(struct mcast_table *t, const struct mcast_group *g)
{
	if (!g && !t->group_free) {
		stack_count(t->stack, DUET_CTR_MCAST_LIMIT_GROUPS);
		return -ENOBUFS;
	}
	if (!t->listener_free || (g && g->nlisteners >= t->cfg.max_listeners_per_group)) {
		stack_count(t->stack, DUET_CTR_MCAST_LIMIT_LISTENERS);
		return -ENOBUFS;
	}
	return 0;
}

/* Stores key's new filter (l NULL: a new listener; req NULL: leaving). */
static void mcast_listener_store(struct mcast_table *t, struct mcast_group *g,
				 struct mcast_listener *l, const void *key,
				 const struct mcast_listener *req)
{
	if (!req) {
		struct mcast_listener **pp = &g->listeners;
		while (*pp != l)
			pp = &(*pp)->next;
		*pp = l->next;
		g->nlisteners--;
		mcast_listener_free(t, l);
		return;
	}
	if (!l) {
		l = t->listener_free;
		t->listener_free = l->next;
		l->is_used = true;
		l->key = key;
		l->group = g;
		l->next = g->listeners;
		g->listeners = l;
		g->nlisteners++;
		t->nlisteners++;
	}
	l->mode = req->mode;
	l->nsrc = req->nsrc;
	memcpy(l->src, req->src, (size_t)req->nsrc * t->cfg.addr_len);
}

/* Gives g its new interface state, after the protocol noted the change. */
static void mcast_group_update(struct mcast_table *t, struct mcast_group *g,
			       const struct mcast_filter *nw)
{
	mcast_report_change(t, g, nw);
	g->mode = nw->mode;
	g->nsrc = nw->nsrc;
	memcpy(g->src, nw->src, (size_t)nw->nsrc * t->cfg.addr_len);
	mcast_group_release_if_idle(t, g);
}

int mcast_set_filter(struct mcast_table *t, const void *key, uint32_t ifindex,
		     const uint8_t *group, enum mcast_mode mode, const uint8_t *sources,
		     uint32_t nsrc)
{
	struct mcast_listener req, *l;
	struct mcast_filter merged;
	struct mcast_group *g;
	bool is_leave;
	int err = mcast_request(t, ifindex, group, mode, sources, nsrc, &req);

	if (err)
		return err;
	is_leave = req.mode == MCAST_MODE_INCLUDE && req.nsrc == 0;
	g = mcast_group_find(t, ifindex, group);
	l = mcast_listener_find(g, key);
	if (is_leave && !l)
		return -EADDRNOTAVAIL;
	if (!l && (err = mcast_room(t, g)))
		return err;
	if (mcast_merge(t, mcast_collect(t, g, l, is_leave ? NULL : &req), &merged)) {
		stack_count(t->stack, DUET_CTR_MCAST_LIMIT_SOURCES);
		return -ENOBUFS;
	}
	if (!g)
		g = mcast_group_alloc(t, &t->ifaces[ifindex], group);
	mcast_listener_store(t, g, l, key, is_leave ? NULL : &req);
	mcast_group_update(t, g, &merged);
	return 0;
}

int mcast_join(struct mcast_table *t, const void *key, uint32_t ifindex, const uint8_t *group)
{
	if (mcast_ifindex_ok(t, ifindex) && group &&
	    mcast_listener_find(mcast_group_find(t, ifindex, group), key))
		return -EADDRINUSE;
	return mcast_set_filter(t, key, ifindex, group, MCAST_MODE_EXCLUDE, NULL, 0);
}

int mcast_leave(struct mcast_table *t, const void *key, uint32_t ifindex, const uint8_t *group)
{
	return mcast_set_filter(t, key, ifindex, group, MCAST_MODE_INCLUDE, NULL, 0);
}

uint32_t mcast_leave_all(struct mcast_table *t, const void *key)
{
	uint32_t i, n = 0;

	for (i = 0; i < t->cfg.max_listeners; i++) {
		struct mcast_listener *l = &t->listeners[i];
		uint8_t group[16];

		if (!l->is_used || l->key != key)
			continue;
		memcpy(group, l->group->addr, sizeof(group));
		if (mcast_leave(t, key, l->group->ifp->ifindex, group) == 0)
			n++;
	}
	return n;
}

uint32_t mcast_flush_iface(struct mcast_table *t, uint32_t ifindex)
{
	struct mcast_iface *ifp;
	uint32_t n = 0;

	if (!mcast_ifindex_ok(t, ifindex))
		return 0;
	ifp = &t->ifaces[ifindex];
	while (ifp->head) {
		mcast_group_free(t, ifp->head);
		n++;
	}
	mcast_iface_reset(t, ifp);
	return n;
}

/* ---- lookups ---- */

bool mcast_is_member(const struct mcast_table *t, uint32_t ifindex, const uint8_t *group,
		     const uint8_t *source)
{
	const struct mcast_group *g;
	bool is_listed;

	if (!mcast_ifindex_ok(t, ifindex) || !group)
		return false;
	if (mcast_is_all_nodes(t, group))
		return true;
	g = mcast_group_find(t, ifindex, group);
	if (!g || !mcast_group_is_listening(g))
		return false;
	if (!source)
		return true;
	is_listed = mcast_src_has(t, g->src, g->nsrc, source);
	return g->mode == MCAST_MODE_INCLUDE ? is_listed : !is_listed;
}

static void mcast_fill_info(const struct mcast_table *t, const struct mcast_group *g,
			    struct mcast_group_info *out)
{
	memset(out, 0, sizeof(*out));
	out->ifindex = g->ifp->ifindex;
	memcpy(out->group, g->addr, t->cfg.addr_len);
	out->mode = g->mode;
	out->nsrc = g->nsrc;
	out->sources = g->src;
	out->nlisteners = g->nlisteners;
	out->filter_rtx = g->filter_rtx;
	out->nrtx = g->nrtx;
	out->nqueried = g->nq;
	out->response_due_ns = g->timer.is_armed ? g->timer.expires_tick * DUET_TW_TICK_NS
						 : DUET_TIME_NEVER;
}

int mcast_lookup(const struct mcast_table *t, uint32_t ifindex, const uint8_t *group,
		 struct mcast_group_info *out)
{
	const struct mcast_group *g = group ? mcast_group_find(t, ifindex, group) : NULL;

	if (!g)
		return -ENOENT;
	mcast_fill_info(t, g, out);
	return 0;
}

uint32_t mcast_walk(const struct mcast_table *t,
		    int (*fn)(void *arg, const struct mcast_group_info *info), void *arg)
{
	struct mcast_group_info info;
	uint32_t i, n = 0;

	for (i = 0; i < t->cfg.max_groups; i++) {
		if (!t->groups[i].is_used)
			continue;
		mcast_fill_info(t, &t->groups[i], &info);
		n++;
		if (fn(arg, &info))
			break;
	}
	return n;
}

const char *mcast_record_name(uint8_t type)
{
	static const char *const names[] = {
		[MCAST_IS_IN] = "IS_IN", [MCAST_IS_EX] = "IS_EX", [MCAST_TO_IN] = "TO_IN",
		[MCAST_TO_EX] = "TO_EX", [MCAST_ALLOW] = "ALLOW", [MCAST_BLOCK] = "BLOCK",
	};

	return type >= MCAST_IS_IN && type <= MCAST_BLOCK ? names[type] : "?";
}

/* ---- set-up ---- */

void mcast_config_init(struct mcast_config *cfg, uint8_t addr_len)
{
	*cfg = (struct mcast_config){
		.addr_len = addr_len, .max_groups = MCAST_DEFAULT_MAX_GROUPS,
		.max_listeners = MCAST_DEFAULT_MAX_LISTENERS,
		.max_listeners_per_group = MCAST_DEFAULT_MAX_LISTENERS_PER_GROUP,
		.max_sources = MCAST_DEFAULT_MAX_SOURCES, .robustness = MCAST_ROBUSTNESS,
		.query_interval_s = MCAST_QUERY_INTERVAL_S,
		.query_response_ms = MCAST_QUERY_RESPONSE_MS,
		.unsolicited_ms = MCAST_UNSOLICITED_MS,
		.v1_unsolicited_ms = MCAST_V1_UNSOLICITED_MS,
	};
}

static bool mcast_config_ok(const struct mcast_config *c)
{
	return (c->addr_len == 4 || c->addr_len == 16) && c->max_groups >= 1 &&
	       c->max_groups <= MCAST_MAX_GROUPS_LIMIT && c->max_listeners >= 1 &&
	       c->max_listeners <= MCAST_MAX_LISTENERS_LIMIT &&
	       c->max_listeners_per_group >= 1 &&
	       c->max_listeners_per_group <= MCAST_MAX_LISTENERS_LIMIT &&
	       c->max_sources >= 1 && c->max_sources <= MCAST_MAX_SOURCES_LIMIT &&
	       c->robustness >= 1 && c->robustness <= MCAST_MAX_ROBUSTNESS &&
	       c->query_interval_s >= 1 && c->query_response_ms >= 1 &&
	       c->unsolicited_ms >= 1 && c->v1_unsolicited_ms >= 1;
}

/* Carves every source list out of src_mem and cnt_mem, chains the free
 * lists lowest index first and sets up the interfaces. */
static void mcast_init_slices(struct mcast_table *t)
{
	size_t list = (size_t)t->cfg.max_sources * t->cfg.addr_len;
	uint8_t *p = t->src_mem;
	uint32_t i;

	t->scratch_req = p;
	t->scratch_merged = p + list;
	p += 2 * list;
	for (i = t->cfg.max_groups; i--;) {
		struct mcast_group *g = &t->groups[i];
		g->src = p + (size_t)i * 4 * list;
		g->q = g->src + list;
		g->rtx = g->q + list;
		g->rtx_cnt = t->cnt_mem + (size_t)i * 2 * t->cfg.max_sources;
		duet_timer_init(&g->timer, mcast_group_timer_fire, g);
		g->hnext = t->group_free;
		t->group_free = g;
	}
	p += (size_t)t->cfg.max_groups * 4 * list;
	for (i = t->cfg.max_listeners; i--;) {
		struct mcast_listener *l = &t->listeners[i];
		l->src = p + (size_t)i * list;
		l->next = t->listener_free;
		t->listener_free = l;
	}
	for (i = 0; i <= t->max_ifindex; i++)
		mcast_iface_setup(t, &t->ifaces[i], i);
}

int mcast_init(struct mcast_table *t, struct duet_stack *stack, const struct mcast_config *cfg,
	       const struct mcast_ops *ops, void *ctx)
{
	uint32_t nbuckets = 16;
	size_t list, lists;

	memset(t, 0, sizeof(*t));
	if (!stack || !cfg || !ops || !ops->send_report || !ops->send_v1 || !mcast_config_ok(cfg))
		return -EINVAL;
	while (nbuckets < cfg->max_groups)
		nbuckets <<= 1;
	t->stack = stack;
	t->cfg = *cfg;
	t->ops = *ops;
	t->ctx = ctx;
	t->newest = cfg->addr_len == 16 ? 2 : 3;
	t->max_ifindex = stack->max_ifaces;
	/* Two scratch lists, four per group (state, queried, retransmission
	 * list of twice the size), one per listener. */
	list = (size_t)cfg->max_sources * cfg->addr_len;
	lists = 2 + (size_t)cfg->max_groups * 4 + cfg->max_listeners;
	t->groups = calloc(cfg->max_groups, sizeof(*t->groups));
	t->buckets = calloc(nbuckets, sizeof(*t->buckets));
	t->listeners = calloc(cfg->max_listeners, sizeof(*t->listeners));
	t->ifaces = calloc((size_t)t->max_ifindex + 1, sizeof(*t->ifaces));
	t->src_mem = calloc(lists, list);
	t->cnt_mem = calloc((size_t)cfg->max_groups * 2, cfg->max_sources);
	t->records = calloc((size_t)cfg->max_groups * 2, sizeof(*t->records));
	t->views = calloc((size_t)cfg->max_listeners_per_group + 1, sizeof(*t->views));
	if (!t->groups || !t->buckets || !t->listeners || !t->ifaces || !t->src_mem ||
	    !t->cnt_mem || !t->records || !t->views) {
		mcast_fini(t);
		return -ENOMEM;
	}
	t->bucket_mask = nbuckets - 1;
	mcast_init_slices(t);
	return 0;
}

void mcast_fini(struct mcast_table *t)
{
	uint32_t i;

	for (i = 0; t->groups && i < t->cfg.max_groups; i++)
		if (t->groups[i].is_used)
			mcast_group_free(t, &t->groups[i]);
	for (i = 0; t->ifaces && i <= t->max_ifindex; i++)
		mcast_iface_reset(t, &t->ifaces[i]);
	free(t->groups);
	free(t->buckets);
	free(t->listeners);
	free(t->ifaces);
	free(t->src_mem);
	free(t->cnt_mem);
	free(t->records);
	free(t->views);
	memset(t, 0, sizeof(*t));
}
