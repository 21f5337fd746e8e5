/* duet — the packet pool: size-classed buffers carved from slabs, under a
 * per-pool memory cap (see include/duet/pkt.h for the contract). */
#include <duet/pkt.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Buffer sizes (header + data) per class, and how many fit in one slab. */
struct pool_class {
	uint32_t buf_bytes;
	uint32_t per_slab;
};

static const struct pool_class pool_classes[] = {
	{ 2048, 32 },                               /* one Ethernet frame */
	{ 16384, 4 },                               /* jumbo frames, small datagrams */
	{ sizeof(struct duet_pkt) + DUET_PKT_MAX_DATA, 1 }, /* a full datagram */
};
#define POOL_NCLASS (sizeof(pool_classes) / sizeof(pool_classes[0]))

struct pool_slab {
	struct pool_slab *next;
	size_t bytes;
	/* followed by per_slab buffers, each aligned to 64 bytes */
};

struct duet_pool {
	struct duet_pkt *free[POOL_NCLASS];
	struct pool_slab *slabs;
	struct duet_pool_stats st;
};

#define POOL_SLAB_HDR 64u

void duet_pool_config_init(struct duet_pool_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->mem_cap_bytes = 64u << 20;
}

/* Slab size, rounded up to the 64-byte alignment: C11 aligned_alloc wants a
 * size that is a multiple of the alignment. */
static size_t pool_slab_bytes(unsigned cls)
{
	size_t n = POOL_SLAB_HDR + (size_t)pool_classes[cls].buf_bytes * pool_classes[cls].per_slab;

	return (n + 63) & ~(size_t)63;
}

int duet_pool_create(const struct duet_pool_config *cfg, struct duet_pool **out)
{
	struct duet_pool *pool;

	if (!cfg || !out || cfg->mem_cap_bytes < pool_slab_bytes(0))
		return -EINVAL;
	pool = calloc(1, sizeof(*pool));
	if (!pool)
		return -ENOMEM;
	pool->st.mem_cap_bytes = cfg->mem_cap_bytes;
	*out = pool;
	return 0;
}

void duet_pool_destroy(struct duet_pool *pool)
{
	struct pool_slab *s, *next;

	if (!pool)
		return;
	for (s = pool->slabs; s; s = next) {
		next = s->next;
		DUET_PKT_UNPOISON(s, s->bytes);
		free(s);
	}
	free(pool);
}

void duet_pool_stats(const struct duet_pool *pool, struct duet_pool_stats *st)
{
	*st = pool->st;
}

/* Adds one slab of class cls to its free list. Returns 0 or -1 (cap, ENOMEM). */
static int pool_grow(struct duet_pool *pool, unsigned cls)
{
	size_t bytes = pool_slab_bytes(cls);
	struct pool_slab *slab;
	uint8_t *p;
	uint32_t i;

	if (pool->st.mem_bytes + bytes > pool->st.mem_cap_bytes)
		return -1;
	slab = aligned_alloc(64, bytes);
	if (!slab)
		return -1;
	slab->next = pool->slabs;
	slab->bytes = bytes;
	pool->slabs = slab;
	pool->st.mem_bytes += bytes;
	p = (uint8_t *)slab + POOL_SLAB_HDR;
	for (i = 0; i < pool_classes[cls].per_slab; i++) {
		struct duet_pkt *pkt = (struct duet_pkt *)(void *)(p + (size_t)i * pool_classes[cls].buf_bytes);
		pkt->pool = pool;
		pkt->cls = (uint8_t)cls;
		pkt->cap = pool_classes[cls].buf_bytes - (uint32_t)sizeof(struct duet_pkt);
		DUET_PKT_POISON(pkt->buf, pkt->cap);
		pkt->next = pool->free[cls];
		pool->free[cls] = pkt;
	}
	return 0;
}

struct duet_pkt *duet_pkt_alloc(struct duet_pool *pool, size_t headroom, size_t len)
{
	size_t need = headroom + len;
	struct duet_pkt *pkt;
	unsigned cls;

	for (cls = 0; cls < POOL_NCLASS; cls++)
		if (need <= pool_classes[cls].buf_bytes - sizeof(struct duet_pkt))
			break;
	if (cls == POOL_NCLASS || need > DUET_PKT_MAX_DATA)
		goto fail;
	if (!pool->free[cls] && pool_grow(pool, cls) != 0)
		goto fail;
	pkt = pool->free[cls];
	pool->free[cls] = pkt->next;
	pkt->next = NULL;
	pkt->head = (uint32_t)headroom;
	pkt->len = (uint32_t)len;
	DUET_PKT_UNPOISON(pkt->buf, need);
	DUET_PKT_POISON(pkt->buf + need, pkt->cap - need);
	pkt->refcnt = 1;
	pkt->ifindex = 0;
	pkt->gso_size = 0;
	pkt->time_ns = 0;
	pool->st.in_use++;
	pool->st.allocs++;
	return pkt;
fail:
	pool->st.alloc_failures++;
	return NULL;
}

struct duet_pkt *duet_pkt_ref(struct duet_pkt *pkt)
{
	pkt->refcnt++;
	return pkt;
}

void duet_pkt_free(struct duet_pkt *pkt)
{
	struct duet_pool *pool;

	if (!pkt)
		return;
	if (pkt->refcnt == 0)
		abort(); /* a double free is a stack bug: stop before it corrupts the pool */
	if (--pkt->refcnt > 0)
		return;
	pool = pkt->pool;
	DUET_PKT_POISON(pkt->buf, pkt->cap); /* a use after free is reported */
	pkt->next = pool->free[pkt->cls];
	pool->free[pkt->cls] = pkt;
	pool->st.in_use--;
}

void duet_pkt_free_list(struct duet_pkt *head)
{
	while (head) {
		struct duet_pkt *next = head->next;
		duet_pkt_free(head);
		head = next;
	}
}

struct duet_pkt *duet_pkt_copy(struct duet_pool *pool, const struct duet_pkt *pkt,
			       size_t headroom)
{
	struct duet_pkt *c = duet_pkt_alloc(pool, headroom, pkt->len);

	if (!c)
		return NULL;
	memcpy(duet_pkt_data(c), pkt->buf + pkt->head, pkt->len);
	c->ifindex = pkt->ifindex;
	c->gso_size = pkt->gso_size;
	c->time_ns = pkt->time_ns;
	return c;
}
