/* duet — pcap capture (L-1): a classic pcap writer (nanosecond timestamps,
 * LINKTYPE_ETHERNET) and a link wrapper recording every frame both ways. */
#include <duet/links.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <duet/clock.h>

#define PCAP_HDR_LEN 24u
#define PCAP_REC_HDR_LEN 16u
#define PCAP_VERSION_MAJOR 2u
#define PCAP_VERSION_MINOR 4u

struct duet_pcap {
	FILE *f;
	int is_owned;  /* opened by duet_pcap_open: closed by duet_pcap_close */
	int err;       /* first write error (negative errno), sticky */
};

static void pcap_put_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void pcap_put_le32(uint8_t *p, uint32_t v)
{
	pcap_put_le16(p, (uint16_t)v);
	pcap_put_le16(p + 2, (uint16_t)(v >> 16));
}

/* Writes na bytes at a then nb at b, and flushes; records the first error. */
static int pcap_emit(struct duet_pcap *pc, const void *a, size_t na, const void *b, size_t nb)
{
	if (pc->err)
		return pc->err;
	if (fwrite(a, 1, na, pc->f) != na || (nb && fwrite(b, 1, nb, pc->f) != nb) ||
	    fflush(pc->f) != 0)
		pc->err = errno ? -errno : -EIO;
	return pc->err;
}

/* Writes the file header on a new writer; frees it on error. */
static int pcap_start(FILE *f, int is_owned, struct duet_pcap **out)
{
	uint8_t h[PCAP_HDR_LEN] = { 0 };
	struct duet_pcap *pc = calloc(1, sizeof(*pc));
	int err;

	if (!pc) {
		if (is_owned)
			fclose(f);
		return -ENOMEM;
	}
	pc->f = f;
	pc->is_owned = is_owned;
	pcap_put_le32(h, DUET_PCAP_MAGIC_NS);
	pcap_put_le16(h + 4, PCAP_VERSION_MAJOR);
	pcap_put_le16(h + 6, PCAP_VERSION_MINOR);
	/* thiszone and sigfigs stay 0 */
	pcap_put_le32(h + 16, DUET_PCAP_SNAPLEN);
	pcap_put_le32(h + 20, DUET_PCAP_LINKTYPE_ETHERNET);
	errno = 0;
	err = pcap_emit(pc, h, sizeof h, NULL, 0);
	if (err) {
		duet_pcap_close(pc);
		return err;
	}
	*out = pc;
	return 0;
}

int duet_pcap_open(const char *path, struct duet_pcap **out)
{
	FILE *f;

	if (!path || !out)
		return -EINVAL;
	f = fopen(path, "wb");
	if (!f)
		return errno ? -errno : -EIO;
	return pcap_start(f, 1, out);
}

int duet_pcap_open_file(FILE *f, struct duet_pcap **out)
{
	if (!f || !out)
		return -EINVAL;
	return pcap_start(f, 0, out);
}

int duet_pcap_write(struct duet_pcap *pc, uint64_t time_ns, const uint8_t *frame,
		    uint32_t len)
{
	uint8_t h[PCAP_REC_HDR_LEN];
	uint32_t incl = len < DUET_PCAP_SNAPLEN ? len : DUET_PCAP_SNAPLEN;

	pcap_put_le32(h, (uint32_t)(time_ns / DUET_NS_PER_S));
	pcap_put_le32(h + 4, (uint32_t)(time_ns % DUET_NS_PER_S));
	pcap_put_le32(h + 8, incl);
	pcap_put_le32(h + 12, len);
	errno = 0;
	return pcap_emit(pc, h, sizeof h, frame, incl);
}

int duet_pcap_close(struct duet_pcap *pc)
{
	int err;

	if (!pc)
		return 0;
	if (!pc->err && fflush(pc->f) != 0)
		pc->err = -EIO;
	if (pc->is_owned && fclose(pc->f) != 0 && !pc->err)
		pc->err = -EIO;
	err = pc->err;
	free(pc);
	return err;
}

/* ---- the capture wrapper ----------------------------------------------------- */

struct pcap_wrap {
	struct duet_link link;
	struct duet_link *inner;
	const struct duet_clock *clock;
	struct duet_pcap *pc;
};

static struct pcap_wrap *pcap_wrap_of(const struct duet_link *link)
{
	return link->impl;
}

static unsigned pcap_wrap_transmit(struct duet_link *link, struct duet_pkt **pkts, unsigned n)
{
	struct pcap_wrap *w = pcap_wrap_of(link);
	uint64_t now_ns = duet_clock_now(w->clock);
	unsigned i, accepted = 0;

	for (i = 0; i < n; i++) {
		struct duet_pkt *pkt = pkts[i];
		uint32_t len = pkt->len;
		duet_pcap_write(w->pc, now_ns, duet_pkt_data(pkt), len);
		if (duet_link_transmit(w->inner, &pkt, 1) != 1) {
			link->stats.tx_drops++;
			continue;
		}
		link->stats.tx_frames++;
		link->stats.tx_bytes += len;
		accepted++;
	}
	return accepted;
}

/* The rx hook installed on the inner link: record, then hand up. */
static void pcap_wrap_rx(void *ctx, struct duet_pkt *pkt)
{
	struct pcap_wrap *w = ctx;

	duet_pcap_write(w->pc, duet_clock_now(w->clock), duet_pkt_data(pkt), pkt->len);
	duet_link_deliver(&w->link, pkt);
}

static void pcap_wrap_poll(struct duet_link *link, uint64_t now_ns)
{
	struct pcap_wrap *w = pcap_wrap_of(link);

	duet_link_poll(w->inner, now_ns);
}

static uint64_t pcap_wrap_next_deadline(const struct duet_link *link)
{
	return duet_link_next_deadline(pcap_wrap_of(link)->inner);
}

/* The inner link allocates received frames from the wrapper's pool. */
static void pcap_wrap_attached(struct duet_link *link)
{
	struct pcap_wrap *w = pcap_wrap_of(link);

	w->inner->rx.pool = link->rx.pool;
	if (w->inner->ops->attached)
		w->inner->ops->attached(w->inner);
}

static void pcap_wrap_destroy(struct duet_link *link)
{
	struct pcap_wrap *w = pcap_wrap_of(link);

	duet_link_destroy(w->inner);
	duet_pcap_close(w->pc);
	free(w);
}

static const struct duet_link_ops pcap_wrap_ops = {
	.transmit = pcap_wrap_transmit,
	.poll = pcap_wrap_poll,
	.next_deadline = pcap_wrap_next_deadline,
	.destroy = pcap_wrap_destroy,
	.attached = pcap_wrap_attached,
};

/* Builds the wrapper around an open writer (consumed even on error). */
static int pcap_wrap_make(struct duet_link *inner, struct duet_pcap *pc,
			  const struct duet_clock *clock, struct duet_link **out)
{
	struct pcap_wrap *w = calloc(1, sizeof(*w));
	struct duet_link_rx hook = { .deliver = pcap_wrap_rx };

	if (!w) {
		duet_pcap_close(pc);
		return -ENOMEM;
	}
	w->inner = inner;
	w->clock = clock;
	w->pc = pc;
	w->link.ops = &pcap_wrap_ops;
	memcpy(w->link.name, inner->name, sizeof(w->link.name));
	w->link.mtu = inner->mtu;
	w->link.gso_max = inner->gso_max; /* a capture passes super-segments as they are */
	w->link.flags = inner->flags;
	memcpy(w->link.hwaddr, inner->hwaddr, sizeof(w->link.hwaddr));
	w->link.impl = w;
	hook.ctx = w;
	duet_link_attach(inner, &hook);
	*out = &w->link;
	return 0;
}

int duet_pcap_wrap(struct duet_link *inner, const char *path, const struct duet_clock *clock,
		   struct duet_link **out)
{
	struct duet_pcap *pc;
	int err;

	if (!inner || !path || !clock || !out)
		return -EINVAL;
	err = duet_pcap_open(path, &pc);
	if (err)
		return err;
	return pcap_wrap_make(inner, pc, clock, out);
}

int duet_pcap_wrap_file(struct duet_link *inner, FILE *f, const struct duet_clock *clock,
			struct duet_link **out)
{
	struct duet_pcap *pc;
	int err;

	if (!inner || !f || !clock || !out)
		return -EINVAL;
	err = duet_pcap_open_file(f, &pc);
	if (err)
		return err;
	return pcap_wrap_make(inner, pc, clock, out);
}
