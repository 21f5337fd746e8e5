/* Fuzz target: TCP through the whole stack, on established connections.
 * One stack (fd00::2/64, 10.0.0.2/24 on a channel link) listens on [::]:80;
 * the harness plays the peer (fd00::1, 10.0.0.1), answers ARP and Neighbour
 * Solicitations, and before reading any input completes three handshakes
 * with crafted segments: an IPv6 and an IPv4 client of the listener and an
 * active open of the stack's own, so it knows every sequence number. The
 * first byte picks the options those handshakes carry. The rest of the
 * input is a series of operations:
 *   - a peer segment: flags, sequence and acknowledgment numbers chosen
 *     relative to what the stack has acknowledged and sent (so they land in
 *     the window often), the window, options (timestamps, SACK blocks
 *     about the stack's data, MSS, window scale, SACK-permitted, user
 *     timeout) and a payload;
 *   - socket calls on the connection: send, recv, shutdown, close,
 *     setsockopt, accept on the listener, a new connection either way;
 *   - an ICMP error quoting the connection (Packet Too Big, unreachable);
 *   - a TCP knob change; time passing (timers fire).
 * Invariants (abort on violation): no crash or sanitizer report; the bytes
 * a socket reads are the peer's bytes for their sequence numbers (every
 * peer segment carries, at sequence number s, the byte fz_pat(s), so the
 * stream read from a connection whose peer ISN is irs is fz_pat(irs + 1 +
 * i)); every data byte the stack sends is one the application gave it at
 * that offset; and once every socket is closed and two simulated hours
 * have passed, no packet and no connection is left. */
#include "transport/tcp_internal.h"

#include <duet/byteorder.h>
#include <duet/chanlink.h>
#include <duet/clock.h>
#include <duet/csum.h>
#include <duet/net.h>
#include <duet/socket.h>
#include <duet/stack.h>
#include <duet/wire/arp.h>
#include <duet/wire/eth.h>
#include <duet/wire/icmp6.h>
#include <duet/wire/ip4.h>
#include <duet/wire/ip6.h>
#include <duet/wire/tcp.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/tcp.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FZ_CONNS 4
#define FZ_BUF 65536

static const uint8_t fz_mac_s[6] = { 0x02, 0, 0, 0, 0, 2 };
static const uint8_t fz_mac_p[6] = { 0x02, 0, 0, 0, 0, 1 };
static const uint8_t fz_s6[16] = { 0xfd, [15] = 2 };
static const uint8_t fz_p6[16] = { 0xfd, [15] = 1 };
static const uint8_t fz_s4[4] = { 10, 0, 0, 2 };
static const uint8_t fz_p4[4] = { 10, 0, 0, 1 };

struct fz_conn {
	bool is_used, is_v4;
	uint16_t sport, pport;     /* the stack's port, the peer's */
	int fd;                    /* -1: none (not accepted yet, or closed) */
	uint32_t peer_isn;
	uint32_t stack_ack;        /* highest ACK from the stack (its RCV.NXT) */
	uint32_t stack_nxt;        /* highest SEQ + LEN from the stack */
	uint32_t stack_tsval;
	uint32_t peer_ts;
	uint32_t irs;              /* the peer ISN the stack's socket holds */
	uint64_t read;             /* bytes read from fd */
	uint64_t sent;             /* bytes the application gave */
	uint8_t syn_opts;
	bool is_active;            /* the stack opened it: answer its SYN */
};

struct fz {
	struct duet_stack *st;
	struct duet_link *link;
	struct duet_vclock vc;
	int lfd;
	struct fz_conn c[FZ_CONNS];
	uint16_t next_port;
	const uint8_t *in;
	size_t len, off;
};

static uint8_t fz_buf[FZ_BUF];

/* The peer's byte at sequence number seq; the application's at offset off. */
static uint8_t fz_pat(uint32_t seq) { return (uint8_t)((seq * 2654435761u) >> 17); }
static uint8_t fz_spat(uint64_t off) { return (uint8_t)((off * 40503u) >> 5 ^ off); }

static uint8_t fz_u8(struct fz *z) { return z->off < z->len ? z->in[z->off++] : 0; }
static uint16_t fz_u16(struct fz *z)
{
	uint16_t hi = fz_u8(z);

	return (uint16_t)(hi << 8 | fz_u8(z));
}

static uint32_t fz_u32(struct fz *z)
{
	uint32_t hi = fz_u16(z);

	return hi << 16 | fz_u16(z);
}

static void fz_inject(struct fz *z, bool is_v4, uint8_t proto, const uint8_t *l4, size_t n)
{
	uint8_t f[1600];
	struct duet_eth_hdr eh;
	struct duet_wcur w;

	memset(&eh, 0, sizeof(eh));
	memcpy(eh.dst, fz_mac_s, 6);
	memcpy(eh.src, fz_mac_p, 6);
	eh.ethertype = is_v4 ? DUET_ETHERTYPE_IPV4 : DUET_ETHERTYPE_IPV6;
	duet_wcur_init(&w, f, sizeof(f));
	if (duet_eth_emit(&eh, &w) != 0)
		abort();
	if (is_v4) {
		struct duet_ip4_hdr ih;
		memset(&ih, 0, sizeof(ih));
		ih.total_length = (uint16_t)(20 + n);
		ih.identification = (uint16_t)z->off;
		ih.df = true;
		ih.ttl = 64;
		ih.protocol = proto;
		memcpy(ih.src, fz_p4, 4);
		memcpy(ih.dst, fz_s4, 4);
		if (duet_ip4_emit(&ih, &w) != 0)
			abort();
	} else {
		struct duet_ip6_hdr ih;
		memset(&ih, 0, sizeof(ih));
		ih.payload_length = (uint16_t)n;
		ih.next_header = proto;
		ih.hop_limit = 64;
		memcpy(ih.src, fz_p6, 16);
		memcpy(ih.dst, fz_s6, 16);
		if (duet_ip6_emit(&ih, &w) != 0)
			abort();
	}
	if (duet_wcur_put(&w, l4, n) != 0)
		abort();
	duet_chanlink_inject(z->link, f, w.off);
}

/* A segment from the peer on c, carrying len bytes of the peer's stream at h->seq. */
static void fz_send_seg(struct fz *z, struct fz_conn *c, struct duet_tcp_hdr *h, uint32_t len)
{
	uint8_t seg[1500];
	struct duet_wcur w;
	size_t hl;
	uint32_t i;

	h->src_port = c->pport;
	h->dst_port = c->sport;
	duet_wcur_init(&w, seg, sizeof(seg));
	if (duet_tcp_emit(h, &w) != 0)
		return;
	hl = w.off;
	if (len > sizeof(seg) - hl)
		len = (uint32_t)(sizeof(seg) - hl);
	if (len > 1400 - hl)
		len = (uint32_t)(1400 - hl);
	for (i = 0; i < len; i++)
		seg[hl + i] = fz_pat(h->seq + (h->flags & DUET_TCP_SYN ? 1u : 0u) + i);
	duet_tcp_csum_set(seg, hl + len,
			  c->is_v4 ? duet_csum_pseudo4(fz_p4, fz_s4, (uint16_t)(hl + len), IPPROTO_TCP)
				   : duet_csum_pseudo6(fz_p6, fz_s6, (uint32_t)(hl + len), IPPROTO_TCP));
	fz_inject(z, c->is_v4, IPPROTO_TCP, seg, hl + len);
}

/* The SYN options of a handshake: bit 0 MSS, 1 window scale, 2 SACK, 3 timestamps. */
static void fz_syn_opts(struct fz_conn *c, struct duet_tcp_hdr *h)
{
	h->has_mss = c->syn_opts & 1;
	h->mss = (uint16_t)(c->syn_opts & 0x80 ? 536 : 1440);
	h->has_wscale = (c->syn_opts & 2) != 0;
	h->wscale = (uint8_t)((c->syn_opts >> 4) & 7);
	h->has_sack_permitted = (c->syn_opts & 4) != 0;
	h->has_timestamps = (c->syn_opts & 8) != 0;
	h->ts_val = c->peer_ts;
	h->ts_ecr = c->stack_tsval;
}

static struct fz_conn *fz_find(struct fz *z, bool is_v4, uint16_t sport, uint16_t pport)
{
	int i;

	for (i = 0; i < FZ_CONNS; i++)
		if (z->c[i].is_used && z->c[i].is_v4 == is_v4 && z->c[i].sport == sport &&
		    z->c[i].pport == pport)
			return &z->c[i];
	return NULL;
}

/* The live connection of fd, or NULL. */
static struct tcp_sock *fz_tp(struct fz *z, int fd)
{
	struct sock *s = fd >= 0 ? sock_get(z->st, fd) : NULL;

	return s && s->proto == &tcp_proto ? tcp_sk(s) : NULL;
}

static void fz_tcp_out(struct fz *z, bool is_v4, const uint8_t *seg, size_t n)
{
	struct duet_tcp_hdr h;
	struct duet_cur cur;
	struct fz_conn *c;
	struct tcp_sock *tp;
	uint32_t len, i;

	duet_cur_init(&cur, seg, n);
	if (duet_tcp_parse(&cur, &h) != 0)
		abort(); /* the stack sent a malformed segment */
	len = (uint32_t)duet_cur_left(&cur);
	c = fz_find(z, is_v4, h.src_port, h.dst_port);
	if (!c)
		return;
	if (h.has_timestamps)
		c->stack_tsval = h.ts_val;
	if ((h.flags & DUET_TCP_SYN) && !(h.flags & DUET_TCP_ACK) && c->is_active) {
		/* The stack's active open: the peer accepts. */
		struct duet_tcp_hdr r;
		memset(&r, 0, sizeof(r));
		c->stack_nxt = h.seq + 1;
		c->stack_ack = c->peer_isn + 1;
		r.seq = c->peer_isn;
		r.ack = h.seq + 1;
		r.flags = DUET_TCP_SYN | DUET_TCP_ACK;
		r.window = 65535;
		fz_syn_opts(c, &r);
		r.has_timestamps = r.has_timestamps && h.has_timestamps;
		r.has_wscale = r.has_wscale && h.has_wscale;
		r.has_sack_permitted = r.has_sack_permitted && h.has_sack_permitted;
		fz_send_seg(z, c, &r, 0);
		return;
	}
	if (h.flags & DUET_TCP_SYN)
		c->stack_nxt = h.seq + 1;
	if ((h.flags & DUET_TCP_ACK) && (tcp_gt(h.ack, c->stack_ack) || (h.flags & DUET_TCP_SYN)))
		c->stack_ack = h.ack;
	if (tcp_gt(h.seq + duet_tcp_seg_len(&h, len), c->stack_nxt))
		c->stack_nxt = h.seq + duet_tcp_seg_len(&h, len);
	/* The data must be the application's bytes at their offsets. */
	tp = fz_tp(z, c->fd);
	if (!len || !tp ||
	    tp != tcp_ehash_find(z->st, tp->sk.laddr, h.src_port, tp->sk.faddr, h.dst_port))
		return;
	for (i = 0; i < len; i++) {
		uint64_t off = (uint32_t)(h.seq + i - (tp->iss + 1));
		if (off >= c->sent || cur.data[cur.off + i] != fz_spat(off))
			abort(); /* bytes the application never gave at that offset */
	}
}

static void fz_arp_out(struct fz *z, struct duet_cur *cur)
{
	struct duet_arp_hdr a, r;
	uint8_t f[64];
	struct duet_eth_hdr eh;
	struct duet_wcur w;

	if (duet_arp_parse(cur, &a) != 0 || a.op != DUET_ARP_OP_REQUEST || memcmp(a.tpa, fz_p4, 4))
		return;
	memset(&r, 0, sizeof(r));
	r.hrd = 1;
	r.pro = DUET_ETHERTYPE_IPV4;
	r.hln = 6;
	r.pln = 4;
	r.op = DUET_ARP_OP_REPLY;
	memcpy(r.sha, fz_mac_p, 6);
	memcpy(r.spa, fz_p4, 4);
	memcpy(r.tha, a.sha, 6);
	memcpy(r.tpa, a.spa, 4);
	memset(&eh, 0, sizeof(eh));
	memcpy(eh.dst, fz_mac_s, 6);
	memcpy(eh.src, fz_mac_p, 6);
	eh.ethertype = DUET_ETHERTYPE_ARP;
	duet_wcur_init(&w, f, sizeof(f));
	if (duet_eth_emit(&eh, &w) == 0 && duet_arp_emit(&r, &w) == 0)
		duet_chanlink_inject(z->link, f, w.off);
}

/* A Neighbour Solicitation for the peer: a solicited Neighbour Advertisement. */
static void fz_ns_out(struct fz *z, const struct duet_ip6_hdr *ih, const uint8_t *m, size_t n)
{
	uint8_t na[32];

	if (n < 24 || m[0] != 135 || memcmp(m + 8, fz_p6, 16) != 0)
		return;
	memset(na, 0, sizeof(na));
	na[0] = 136;
	na[4] = 0x60; /* Solicited, Override */
	memcpy(na + 8, fz_p6, 16);
	na[24] = 2; /* Target Link-Layer Address */
	na[25] = 1;
	memcpy(na + 26, fz_mac_p, 6);
	duet_put_be16(na + 2, duet_csum_fold(duet_csum_partial(
				      na, sizeof(na), duet_csum_pseudo6(fz_p6, ih->src, sizeof(na), 58))));
	{
		uint8_t f[128];
		struct duet_eth_hdr eh;
		struct duet_ip6_hdr oh;
		struct duet_wcur w;
		memset(&eh, 0, sizeof(eh));
		memcpy(eh.dst, fz_mac_s, 6);
		memcpy(eh.src, fz_mac_p, 6);
		eh.ethertype = DUET_ETHERTYPE_IPV6;
		memset(&oh, 0, sizeof(oh));
		oh.payload_length = sizeof(na);
		oh.next_header = 58;
		oh.hop_limit = 255;
		memcpy(oh.src, fz_p6, 16);
		memcpy(oh.dst, ih->src, 16);
		duet_wcur_init(&w, f, sizeof(f));
		if (duet_eth_emit(&eh, &w) == 0 && duet_ip6_emit(&oh, &w) == 0 &&
		    duet_wcur_put(&w, na, sizeof(na)) == 0)
			duet_chanlink_inject(z->link, f, w.off);
	}
}

static void fz_frame_out(struct fz *z, const uint8_t *f, size_t n)
{
	struct duet_cur cur;
	struct duet_eth_hdr eh;

	duet_cur_init(&cur, f, n);
	if (duet_eth_parse(&cur, &eh) != 0)
		return;
	if (eh.ethertype == DUET_ETHERTYPE_ARP) {
		fz_arp_out(z, &cur);
	} else if (eh.ethertype == DUET_ETHERTYPE_IPV6) {
		struct duet_ip6_hdr ih;
		if (duet_ip6_parse(&cur, &ih) != 0)
			return;
		if (ih.next_header == IPPROTO_TCP)
			fz_tcp_out(z, false, cur.data + cur.off, duet_cur_left(&cur));
		else if (ih.next_header == 58)
			fz_ns_out(z, &ih, cur.data + cur.off, duet_cur_left(&cur));
	} else if (eh.ethertype == DUET_ETHERTYPE_IPV4) {
		struct duet_ip4_hdr ih;
		if (duet_ip4_parse(&cur, &ih) != 0)
			return;
		if (ih.protocol == IPPROTO_TCP)
			fz_tcp_out(z, true, cur.data + cur.off, duet_cur_left(&cur));
	}
}

/* Polls and handles what comes out until the stack is quiet. */
static void fz_pump(struct fz *z, uint64_t step_ns)
{
	int round;

	duet_vclock_set(&z->vc, z->vc.now_ns + step_ns);
	for (round = 0; round < 16; round++) {
		struct duet_pkt *p;
		bool any = false;
		duet_stack_poll(z->st);
		while ((p = duet_chanlink_pop(z->link)) != NULL) {
			fz_frame_out(z, duet_pkt_data(p), p->len);
			duet_pkt_free(p);
			any = true;
		}
		if (!any)
			break;
	}
}

/* Lets ns of time pass, stopping at every timer on the way. */
static void fz_advance(struct fz *z, uint64_t ns)
{
	uint64_t end = z->vc.now_ns + ns;
	int i;

	for (i = 0; i < 4096 && z->vc.now_ns < end; i++) {
		uint64_t next = duet_stack_next_deadline(z->st);
		uint64_t to = next < end ? next : end;
		fz_pump(z, to > z->vc.now_ns ? to - z->vc.now_ns : 1);
	}
}

static void fz_nonblock(struct fz *z, int fd)
{
	duet_fcntl(z->st, fd, F_SETFL, O_NONBLOCK);
}

static struct fz_conn *fz_new_slot(struct fz *z, int i, bool is_v4, uint8_t opts)
{
	struct fz_conn *c = &z->c[i];

	if (c->is_used && c->fd >= 0)
		duet_close(z->st, c->fd);
	memset(c, 0, sizeof(*c));
	c->is_used = true;
	c->is_v4 = is_v4;
	c->fd = -1;
	c->pport = z->next_port++;
	c->peer_isn = 0x10000000u * (uint32_t)(i + 1) - 5000u * (uint32_t)z->next_port;
	c->peer_ts = 1000u * (uint32_t)(i + 7);
	c->syn_opts = opts;
	return c;
}

/* The peer opens a connection to the listener on slot i (SYN only). */
static void fz_peer_syn(struct fz *z, int i, bool is_v4, uint8_t opts)
{
	struct fz_conn *c = fz_new_slot(z, i, is_v4, opts);
	struct duet_tcp_hdr h;

	c->sport = 80;
	c->stack_ack = c->peer_isn + 1;
	memset(&h, 0, sizeof(h));
	h.seq = c->peer_isn;
	h.flags = DUET_TCP_SYN;
	h.window = 65535;
	fz_syn_opts(c, &h);
	fz_send_seg(z, c, &h, 0);
}

/* Takes what the listener has queued onto the slots it belongs to. */
static void fz_accept(struct fz *z)
{
	for (;;) {
		struct sockaddr_in6 from;
		socklen_t fl = sizeof(from);
		int fd = duet_accept(z->st, z->lfd, (struct sockaddr *)&from, &fl);
		struct fz_conn *c;
		struct tcp_sock *tp;
		if (fd < 0)
			return;
		fz_nonblock(z, fd);
		tp = fz_tp(z, fd);
		c = tp ? fz_find(z, sock_addr_is_v4(tp->sk.faddr), 80, tp->sk.fport) : NULL;
		if (!c || c->fd >= 0) {
			duet_close(z->st, fd);
			continue;
		}
		c->fd = fd;
		c->irs = tp->irs;
		c->read = 0;
		c->sent = 0;
	}
}

/* The stack opens a connection to the peer on slot i; the peer answers
 * its SYN with a SYN-ACK when is_auto, else the input does. */
static void fz_stack_connect(struct fz *z, int i, bool is_v4, uint8_t opts, bool is_auto)
{
	struct fz_conn *c = fz_new_slot(z, i, is_v4, opts);
	struct sockaddr_in6 a6;
	struct sockaddr_in a4;
	struct tcp_sock *tp;
	int fd = duet_socket(z->st, is_v4 ? AF_INET : AF_INET6, SOCK_STREAM, 0);

	if (fd < 0)
		return;
	fz_nonblock(z, fd);
	c->is_active = is_auto;
	memset(&a6, 0, sizeof(a6));
	memset(&a4, 0, sizeof(a4));
	a6.sin6_family = AF_INET6;
	a6.sin6_port = htons(5555);
	memcpy(&a6.sin6_addr, fz_p6, 16);
	a4.sin_family = AF_INET;
	a4.sin_port = htons(5555);
	memcpy(&a4.sin_addr, fz_p4, 4);
	c->pport = 5555;
	if (duet_connect(z->st, fd, is_v4 ? (struct sockaddr *)&a4 : (struct sockaddr *)&a6,
			 is_v4 ? sizeof(a4) : sizeof(a6)) != -1 ||
	    errno != EINPROGRESS || !(tp = fz_tp(z, fd))) {
		duet_close(z->st, fd);
		c->is_used = false;
		return;
	}
	c->fd = fd;
	c->sport = tp->sk.lport;
	c->irs = c->peer_isn;
	c->stack_ack = c->peer_isn;
	fz_pump(z, 1000);
}

/* A peer segment built from the input. */
static void fz_op_segment(struct fz *z, struct fz_conn *c)
{
	struct duet_tcp_hdr h;
	uint8_t fb = fz_u8(z), mode = fz_u8(z), ob = fz_u8(z), lb;
	uint32_t len, i;

	memset(&h, 0, sizeof(h));
	h.flags = (uint16_t)(fb ^ DUET_TCP_ACK); /* zero bytes: a plain ACK */
	switch (mode & 3) {
	case 0: h.seq = c->stack_ack + (uint32_t)(int8_t)fz_u8(z); break;
	case 1: h.seq = c->stack_ack + (uint32_t)(int16_t)fz_u16(z); break;
	case 2: h.seq = fz_u32(z); break;
	default: h.seq = c->stack_ack + (uint32_t)(int8_t)fz_u8(z) * 1000u; break;
	}
	switch ((mode >> 2) & 3) {
	case 0: h.ack = c->stack_nxt - (uint32_t)(fz_u8(z) & 0x7f); break;
	case 1: h.ack = c->stack_nxt + (uint32_t)(int16_t)fz_u16(z); break;
	case 2: h.ack = fz_u32(z); break;
	default: h.ack = c->stack_nxt - (uint32_t)fz_u8(z) * 1000u; break;
	}
	h.window = (uint16_t)(fz_u16(z) ^ 0xffff);
	if (mode & 0x10)
		h.urgent_pointer = fz_u16(z);
	if (ob & 1) {
		h.has_timestamps = true;
		c->peer_ts += (uint32_t)(int8_t)fz_u8(z);
		h.ts_val = c->peer_ts;
		h.ts_ecr = ob & 0x80 ? fz_u32(z) : c->stack_tsval;
	}
	if (ob & 2) {
		h.sack_count = (uint8_t)(1 + ((ob >> 2) & 3));
		if (h.has_timestamps && h.sack_count > 3)
			h.sack_count = 3;
		for (i = 0; i < h.sack_count; i++) {
			uint32_t left = h.ack + (uint32_t)(int8_t)fz_u8(z) * 256u;
			h.sack[i].left_edge = left;
			h.sack[i].right_edge = left + (uint32_t)fz_u8(z) * 64u;
		}
	}
	if (ob & 0x10) {
		h.has_mss = true;
		h.mss = fz_u16(z);
	}
	if (ob & 0x20) {
		h.has_wscale = true;
		h.wscale = fz_u8(z);
	}
	if (ob & 0x40) {
		h.has_sack_permitted = true;
		if (ob & 0x80) {
			h.has_user_timeout = true;
			h.user_timeout = fz_u16(z) & 0x7fff;
		}
	}
	lb = fz_u8(z);
	len = lb < 200 ? lb : (uint32_t)(lb - 199) * 24u;
	fz_send_seg(z, c, &h, len);
}

static void fz_op_setsockopt(struct fz *z, struct fz_conn *c)
{
	uint8_t which = fz_u8(z), v = fz_u8(z);
	int iv = v, one = 1;
	struct linger lg;

	if (c->fd < 0)
		return;
	switch (which % 12) {
	case 0: duet_setsockopt(z->st, c->fd, IPPROTO_TCP, TCP_NODELAY, &iv, sizeof(iv)); break;
	case 1: duet_setsockopt(z->st, c->fd, IPPROTO_TCP, TCP_CORK, &iv, sizeof(iv)); break;
	case 2:
		iv = v * 256;
		duet_setsockopt(z->st, c->fd, SOL_SOCKET, SO_RCVBUF, &iv, sizeof(iv));
		break;
	case 3:
		iv = v * 256;
		duet_setsockopt(z->st, c->fd, SOL_SOCKET, SO_SNDBUF, &iv, sizeof(iv));
		break;
	case 4:
		iv = v * 8;
		duet_setsockopt(z->st, c->fd, IPPROTO_TCP, TCP_MAXSEG, &iv, sizeof(iv));
		break;
	case 5: duet_setsockopt(z->st, c->fd, IPPROTO_TCP, TCP_QUICKACK, &iv, sizeof(iv)); break;
	case 6:
		duet_setsockopt(z->st, c->fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
		iv = v % 16 + 1;
		duet_setsockopt(z->st, c->fd, IPPROTO_TCP, TCP_KEEPIDLE, &iv, sizeof(iv));
		duet_setsockopt(z->st, c->fd, IPPROTO_TCP, TCP_KEEPINTVL, &iv, sizeof(iv));
		iv = v / 16 + 1;
		duet_setsockopt(z->st, c->fd, IPPROTO_TCP, TCP_KEEPCNT, &iv, sizeof(iv));
		break;
	case 7:
		lg.l_onoff = v & 1;
		lg.l_linger = v >> 1;
		duet_setsockopt(z->st, c->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		break;
	case 8:
		iv = v * 100;
		duet_setsockopt(z->st, c->fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &iv, sizeof(iv));
		break;
	case 9:
		iv = (int)v - 8;
		duet_setsockopt(z->st, c->fd, IPPROTO_TCP, TCP_LINGER2, &iv, sizeof(iv));
		break;
	case 10:
		duet_setsockopt(z->st, c->fd, IPPROTO_TCP, TCP_CONGESTION, v & 1 ? "reno" : "cubic",
				v & 1 ? 4 : 5);
		break;
	default: {
		struct tcp_info ti;
		socklen_t tl = sizeof(ti);
		duet_getsockopt(z->st, c->fd, IPPROTO_TCP, TCP_INFO, &ti, &tl);
		break;
	}
	}
}

static void fz_op_recv(struct fz *z, struct fz_conn *c, uint32_t n, int flags)
{
	ssize_t r;
	ssize_t i;

	if (c->fd < 0)
		return;
	if (!c->read) {
		/* A connection the stack opened and the input answered takes
		 * its ISN from whatever SYN-ACK the stack accepted. */
		struct tcp_sock *tp = fz_tp(z, c->fd);
		if (tp && tp->state != TCPS_SYN_SENT)
			c->irs = tp->irs;
	}
	r = duet_recv(z->st, c->fd, fz_buf, n < FZ_BUF ? n : FZ_BUF, flags | MSG_DONTWAIT);
	for (i = 0; i < r; i++)
		if (fz_buf[i] != fz_pat(c->irs + 1u + (uint32_t)(c->read + (uint64_t)i)))
			abort(); /* not the peer's byte at that place in the stream */
	if (r > 0 && !(flags & MSG_PEEK))
		c->read += (uint64_t)r;
}

static void fz_op_send(struct fz *z, struct fz_conn *c, uint32_t n, int flags)
{
	uint32_t i;
	ssize_t r;

	if (c->fd < 0)
		return;
	if (n > FZ_BUF)
		n = FZ_BUF;
	for (i = 0; i < n; i++)
		fz_buf[i] = fz_spat(c->sent + i);
	r = duet_send(z->st, c->fd, fz_buf, n, flags | MSG_DONTWAIT | MSG_NOSIGNAL);
	if (r > 0)
		c->sent += (uint64_t)r;
}

/* An ICMP error quoting a segment the stack sent on c (seq near its SND.NXT). */
static void fz_op_icmp(struct fz *z, struct fz_conn *c)
{
	uint8_t m[8 + 40 + 20], kind = fz_u8(z);
	uint32_t seq = c->stack_nxt - (uint32_t)fz_u8(z) * 100u, mtu = 1200u + fz_u8(z) * 2u;
	size_t n;

	memset(m, 0, sizeof(m));
	if (c->is_v4) {
		uint8_t *ip = m + 8;
		m[0] = 3;
		m[1] = kind & 1 ? 4 : (uint8_t)(kind % 6); /* frag needed, or net/host/proto/port */
		duet_put_be16(m + 6, (uint16_t)(mtu - 700u));
		ip[0] = 0x45;
		duet_put_be16(ip + 2, 1400);
		ip[8] = 64;
		ip[9] = IPPROTO_TCP;
		memcpy(ip + 12, fz_s4, 4);
		memcpy(ip + 16, fz_p4, 4);
		duet_put_be16(ip + 10, duet_csum_fold(duet_csum_partial(ip, 20, 0)));
		duet_put_be16(ip + 20, c->sport);
		duet_put_be16(ip + 22, c->pport);
		duet_put_be32(ip + 24, seq);
		n = 8 + 20 + 20;
		duet_put_be16(m + 2, duet_csum_fold(duet_csum_partial(m, n, 0)));
	} else {
		uint8_t *ip = m + 8;
		m[0] = kind & 1 ? 2 : 1; /* Packet Too Big, or Destination Unreachable */
		m[1] = kind & 1 ? 0 : (uint8_t)(kind % 7);
		duet_put_be32(m + 4, kind & 1 ? mtu : 0);
		ip[0] = 0x60;
		duet_put_be16(ip + 4, 1400);
		ip[6] = IPPROTO_TCP;
		ip[7] = 64;
		memcpy(ip + 8, fz_s6, 16);
		memcpy(ip + 24, fz_p6, 16);
		duet_put_be16(ip + 40, c->sport);
		duet_put_be16(ip + 42, c->pport);
		duet_put_be32(ip + 44, seq);
		n = 8 + 40 + 20;
		duet_put_be16(m + 2, duet_csum_fold(duet_csum_partial(
					     m, n, duet_csum_pseudo6(fz_p6, fz_s6, (uint32_t)n, 58))));
	}
	fz_inject(z, c->is_v4, c->is_v4 ? 1 : 58, m, n);
}

static void fz_op_knob(struct fz *z)
{
	struct tcp_knobs *k = tcp_knobs_of(z->st);
	uint8_t which = fz_u8(z), v = fz_u8(z);

	switch (which % 6) {
	case 0: k->max_syn_backlog = v % 8; break;
	case 1: k->syncookies = v & 1; break;
	case 2: k->rfc5961 = v & 1; break;
	case 3: k->challenge_ack_limit = v; break;
	case 4: k->timestamps = v & 1; k->sack = v & 2; k->window_scaling = v & 4; break;
	default: k->delack_ms = v; break;
	}
}

static void fz_setup(struct fz *z, uint8_t opts)
{
	struct duet_stack_config cfg;
	struct sockaddr_in6 any;
	int ifx, zero = 0, i;

	memset(z, 0, sizeof(*z));
	duet_vclock_init(&z->vc, 1000000000ull);
	duet_stack_config_init(&cfg);
	cfg.clock = &z->vc.clock;
	cfg.mem_cap_bytes = 1u << 20;
	cfg.is_ipv6_autoconf_off = true;
	if (duet_stack_create(&cfg, &z->st) != 0 ||
	    duet_chanlink_create(fz_mac_s, 1500, 256, &z->link) != 0)
		abort();
	ifx = duet_stack_add_link(z->st, z->link, "fz0");
	if (ifx < 1 || duet_if_addr_add(z->st, (uint32_t)ifx, AF_INET, fz_s4, 24, 0) != 0 ||
	    duet_if_addr_add(z->st, (uint32_t)ifx, AF_INET6, fz_s6, 64, DUET_IFA_F_NODAD) != 0)
		abort();
	z->next_port = 40000;
	z->lfd = duet_socket(z->st, AF_INET6, SOCK_STREAM, 0);
	memset(&any, 0, sizeof(any));
	any.sin6_family = AF_INET6;
	any.sin6_port = htons(80);
	if (z->lfd < 0 ||
	    duet_setsockopt(z->st, z->lfd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero)) != 0 ||
	    duet_bind(z->st, z->lfd, (struct sockaddr *)&any, sizeof(any)) != 0 ||
	    duet_listen(z->st, z->lfd, 4) != 0)
		abort();
	fz_nonblock(z, z->lfd);
	fz_pump(z, 1000);
	/* Two clients of the listener, each finishing its handshake. */
	for (i = 0; i < 2; i++) {
		struct fz_conn *c;
		struct duet_tcp_hdr h;
		fz_peer_syn(z, i, i == 1, (uint8_t)(opts ^ (i ? 0x5a : 0)));
		fz_pump(z, 1000);
		c = &z->c[i];
		memset(&h, 0, sizeof(h));
		h.seq = c->peer_isn + 1;
		h.ack = c->stack_nxt;
		h.flags = DUET_TCP_ACK;
		h.window = 65535;
		if (c->syn_opts & 8) {
			h.has_timestamps = true;
			h.ts_val = ++c->peer_ts;
			h.ts_ecr = c->stack_tsval;
		}
		fz_send_seg(z, c, &h, 0);
		fz_pump(z, 1000);
	}
	fz_accept(z);
	fz_stack_connect(z, 2, false, (uint8_t)(opts ^ 0x0f), true);
	fz_pump(z, 1000);
}

static void fz_teardown(struct fz *z)
{
	struct duet_pool_stats ps;
	int i;

	for (i = 0; i < FZ_CONNS; i++)
		if (z->c[i].is_used && z->c[i].fd >= 0)
			duet_close(z->st, z->c[i].fd);
	duet_close(z->st, z->lfd);
	for (i = 0; i < FZ_CONNS; i++)
		z->c[i].fd = -1;
	for (i = 0; i < 4; i++)
		fz_advance(z, 3600ull * 1000000000ull);
	fz_pump(z, 1000);
	duet_pool_stats(duet_stack_pool(z->st), &ps);
	if (ps.in_use != 0)
		abort(); /* a packet leaked */
	if (tcp_state_of(z->st)->n_conns != 0)
		abort(); /* a connection outlived every timer */
	duet_stack_destroy(z->st);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fz z;
	int ops = 0;

	fz_setup(&z, size ? data[0] : 0x0f);
	z.in = data;
	z.len = size;
	z.off = 1;
	while (z.off < z.len && ops++ < 512) {
		uint8_t op = fz_u8(&z);
		struct fz_conn *c = &z.c[(op >> 4) & 3];
		uint8_t v;

		if (!c->is_used && (op & 15) < 12)
			c = &z.c[0];
		switch (op & 15) {
		case 0: case 1: case 2: case 3: case 4: case 5:
			fz_op_segment(&z, c);
			break;
		case 6:
			v = fz_u8(&z);
			fz_op_send(&z, c, (uint32_t)v * 64u + 1u, fz_u8(&z) & 1 ? MSG_MORE : 0);
			break;
		case 7:
			v = fz_u8(&z);
			fz_op_recv(&z, c, (uint32_t)v * 64u + 1u, v & 1 ? MSG_PEEK : 0);
			break;
		case 8:
			if (c->fd >= 0)
				duet_shutdown(z.st, c->fd, fz_u8(&z) % 3);
			break;
		case 9:
			if (c->fd >= 0)
				duet_close(z.st, c->fd);
			c->fd = -1;
			break;
		case 10:
			fz_op_setsockopt(&z, c);
			break;
		case 11:
			fz_op_icmp(&z, c);
			break;
		case 12:
			v = fz_u8(&z);
			if (v & 1)
				fz_stack_connect(&z, (op >> 4) & 3, v & 2, v, !(v & 0x20));
			else
				fz_peer_syn(&z, (op >> 4) & 3, v & 2, v);
			break;
		case 13:
			fz_accept(&z);
			break;
		case 14:
			fz_op_knob(&z);
			break;
		default:
			v = fz_u8(&z);
			fz_advance(&z, v < 200 ? (uint64_t)v * 1000000u
					       : (uint64_t)(v - 199) * 1000000000u);
			break;
		}
		fz_pump(&z, 100000);
	}
	fz_teardown(&z);
	return 0;
}
