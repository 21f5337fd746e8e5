/* duet — the Linux TAP driver (L-1): Ethernet frames to and from the kernel
 * through /dev/net/tun (IFF_TAP|IFF_NO_PI), non-blocking; read straight
 * into pool buffers. With DUET_TAP_F_OFFLOAD the device carries the
 * virtio-net header, so the kernel hands over TCP segments of up to 64 KiB
 * and leaves their checksums partial, which the link completes. */
#include <duet/links.h>

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/if_tun.h>
#include <linux/virtio_net.h>
#include <netinet/in.h>
#include <sys/uio.h>

#include <duet/byteorder.h>
#include <duet/wire/eth.h>
#include <duet/clock.h>
#include <duet/csum.h>
#include <duet/random.h>

#include "link/impair_internal.h"

#define TAP_DEFAULT_MTU 1500u
#define TAP_MTU_MIN 68u
#define TAP_MTU_MAX 65536u
#define TAP_VLAN_TAG_LEN 4u
#define TAP_READ_MAX (DUET_PKT_MAX_DATA - DUET_PKT_HEADROOM) /* largest read */
/* With the virtio-net header: a TSO frame is up to a 65,535-byte IP
 * packet behind Ethernet and a VLAN tag; read into less headroom. */
#define TAP_GSO_FRAME_MAX (65535u + DUET_ETH_HLEN + TAP_VLAN_TAG_LEN)
#define TAP_GSO_HEADROOM 64u
/* The largest super-segment duet hands the kernel (an IP packet): with
 * its headers and DUET_PKT_HEADROOM it fits one pool packet. */
#define TAP_GSO_IP_MAX 62000u

struct tap {
	struct duet_link link;
	int fd;
	uint8_t *scratch; /* TAP_READ_MAX bytes: drains a frame when no pool buffer is free */
	bool is_vnet;     /* DUET_TAP_F_OFFLOAD: a virtio_net_hdr before each frame */
};

static const struct duet_link_ops tap_ops;

static struct tap *tap_of(const struct duet_link *link)
{
	return link->impl;
}

int duet_tap_fd(const struct duet_link *link)
{
	if (!link || link->ops != &tap_ops)
		return -1;
	return tap_of(link)->fd;
}

/* ... or a TCP super-segment for the kernel to cut into gso_size pieces
 * (VIRTIO_NET_HDR_GSO_TCPV4/6): the header lengths, and the TCP checksum
 * left partial (its field holds the pseudo-header's sum, from the IP
 * header, as tcp_emit wrote it). False for a frame that is no TCP over
 * IPv4 or IPv6. */
static bool tap_gso_header(const uint8_t *f, uint32_t len, uint16_t gso_size,
			   struct virtio_net_hdr *vh)
{
	uint16_t et = duet_get_be16(f + 12);
	uint32_t l3 = DUET_ETH_HLEN, l4, thl;

	if (et == DUET_ETHERTYPE_IPV4 && len >= l3 + 20u && f[l3 + 9] == IPPROTO_TCP) {
		l4 = l3 + (uint32_t)(f[l3] & 0x0fu) * 4u;
		vh->gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
	} else if (et == DUET_ETHERTYPE_IPV6 && len >= l3 + 40u && f[l3 + 6] == IPPROTO_TCP) {
		l4 = l3 + 40u;
		vh->gso_type = VIRTIO_NET_HDR_GSO_TCPV6;
	} else {
		return false;
	}
	if (len < l4 + 20u)
		return false;
	thl = (uint32_t)(f[l4 + 12] >> 4) * 4u;
	vh->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	vh->hdr_len = (uint16_t)(l4 + thl);
	vh->gso_size = gso_size;
	vh->csum_start = (uint16_t)l4;
	vh->csum_offset = 16; /* the TCP checksum field */
	return true;
}

static unsigned tap_transmit(struct duet_link *link, struct duet_pkt **pkts, unsigned n)
{
	struct tap *t = tap_of(link);
	unsigned i, accepted = 0;

	for (i = 0; i < n; i++) {
		struct duet_pkt *pkt = pkts[i];
		uint32_t len = pkt->len;
		ssize_t w = -1, want = (ssize_t)len;
		bool is_gso = t->is_vnet && pkt->gso_size;
		if (is_gso || impair_frame_fits(duet_pkt_data(pkt), len, link->mtu)) {
			if (t->is_vnet) {
				struct virtio_net_hdr vh;
				struct iovec iov[2] = { { &vh, sizeof(vh) },
							{ duet_pkt_data(pkt), len } };
				memset(&vh, 0, sizeof(vh)); /* nothing offloaded ... */
				if (is_gso && !tap_gso_header(duet_pkt_data(pkt), len, pkt->gso_size, &vh)) {
					duet_pkt_free(pkt);
					link->stats.tx_drops++;
					continue;
				}
				want += (ssize_t)sizeof(vh);
				w = writev(t->fd, iov, 2);
			} else {
				w = write(t->fd, duet_pkt_data(pkt), len);
			}
		}
		duet_pkt_free(pkt);
		/* EAGAIN (the device queue is full) and errors lose the frame. */
		if (w != want) {
			link->stats.tx_drops++;
			continue;
		}
		link->stats.tx_frames++;
		link->stats.tx_bytes += len;
		accepted++;
	}
	return accepted;
}

/* After a failed read: 1 to read again (EINTR), 0 when the device has
 * nothing more (EAGAIN; another error is also counted). */
static int tap_read_error(struct tap *t)
{
	if (errno == EINTR)
		return 1;
	if (errno != EAGAIN && errno != EWOULDBLOCK)
		t->link.stats.rx_drops++;
	return 0;
}

/* Completes a checksum the kernel left partial (VIRTIO_NET_HDR_F_NEEDS_CSUM):
 * the field at csum_start + csum_offset holds the pseudo-header's sum; the
 * one's complement sum from csum_start to the end goes there. False when
 * the offsets do not fit the frame. */
static bool tap_complete_csum(uint8_t *f, uint32_t len, const struct virtio_net_hdr *vh)
{
	uint32_t start = vh->csum_start, at = start + vh->csum_offset;

	if (start >= len || at + 2u > len)
		return false;
	duet_put_be16(f + at, duet_csum_fold(duet_csum_partial(f + start, len - start, 0)));
	return true;
}

/* One read with the virtio-net header (DUET_TAP_F_OFFLOAD). */
static int tap_read_vnet(struct tap *t, uint64_t now_ns)
{
	uint32_t cap = TAP_GSO_FRAME_MAX + 1u;
	struct virtio_net_hdr vh;
	struct duet_pkt *pkt = NULL;
	struct iovec iov[2];
	ssize_t r;
	uint32_t len;

	if (t->link.rx.pool && t->link.rx.deliver)
		pkt = duet_pkt_alloc(t->link.rx.pool, TAP_GSO_HEADROOM, cap);
	iov[0].iov_base = &vh;
	iov[0].iov_len = sizeof(vh);
	iov[1].iov_base = pkt ? duet_pkt_data(pkt) : t->scratch;
	iov[1].iov_len = pkt ? cap : TAP_READ_MAX;
	r = readv(t->fd, iov, 2);
	if (r < 0) {
		duet_pkt_free(pkt);
		return tap_read_error(t);
	}
	if (!pkt || (size_t)r < sizeof(vh) + DUET_ETH_HLEN) {
		duet_pkt_free(pkt);
		t->link.stats.rx_drops++;
		return 1;
	}
	len = (uint32_t)((size_t)r - sizeof(vh));
	/* A segmentation-offload frame may pass the MTU (up to 64 KiB of IP);
	 * any other must fit it. */
	if (len >= cap ||
	    (vh.gso_type == VIRTIO_NET_HDR_GSO_NONE &&
	     !impair_frame_fits(duet_pkt_data(pkt), len, t->link.mtu)) ||
	    ((vh.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) &&
	     !tap_complete_csum(duet_pkt_data(pkt), len, &vh))) {
		duet_pkt_free(pkt);
		t->link.stats.rx_drops++;
		return 1;
	}
	duet_pkt_trim(pkt, len);
	pkt->time_ns = now_ns;
	duet_link_deliver(&t->link, pkt);
	return 1;
}

/* Reads one frame. Returns 1 if one was read (delivered or counted as a
 * drop), 0 when the device has nothing more (EAGAIN or an error). */
static int tap_read_one(struct tap *t, uint64_t now_ns)
{
	/* One byte beyond the largest frame tells an oversize frame, which
	 * read() would otherwise cut silently: a read filling the buffer is
	 * dropped (so is one cut by a buffer clamped to the pool's largest). */
	uint32_t cap = t->link.mtu + DUET_ETH_HLEN + TAP_VLAN_TAG_LEN + 1u;
	struct duet_pkt *pkt = NULL;
	uint8_t *buf = t->scratch;
	ssize_t r;

	if (cap > TAP_READ_MAX)
		cap = TAP_READ_MAX;
	if (t->link.rx.pool && t->link.rx.deliver)
		pkt = duet_pkt_alloc(t->link.rx.pool, DUET_PKT_HEADROOM, cap);
	if (pkt)
		buf = duet_pkt_data(pkt);
	r = read(t->fd, buf, cap);
	if (r < 0) {
		duet_pkt_free(pkt);
		return tap_read_error(t);
	}
	if (!pkt || (uint32_t)r >= cap || !impair_frame_fits(buf, (uint32_t)r, t->link.mtu)) {
		duet_pkt_free(pkt);
		t->link.stats.rx_drops++;
		return 1;
	}
	duet_pkt_trim(pkt, (uint32_t)r);
	pkt->time_ns = now_ns;
	duet_link_deliver(&t->link, pkt);
	return 1;
}

static void tap_poll(struct duet_link *link, uint64_t now_ns)
{
	struct tap *t = tap_of(link);
	unsigned i;

	for (i = 0; i < DUET_TAP_RX_BATCH; i++)
		if (!(t->is_vnet ? tap_read_vnet(t, now_ns) : tap_read_one(t, now_ns)))
			break;
}

static uint64_t tap_next_deadline(const struct duet_link *link)
{
	(void)link;
	return DUET_TIME_NEVER;
}

static void tap_destroy(struct duet_link *link)
{
	struct tap *t = tap_of(link);

	close(t->fd);
	free(t->scratch);
	free(t);
}

static const struct duet_link_ops tap_ops = {
	.transmit = tap_transmit,
	.poll = tap_poll,
	.next_deadline = tap_next_deadline,
	.destroy = tap_destroy,
};

/* The device's MTU, or the default when it cannot be read or is out of range. */
static uint32_t tap_read_mtu(const char *ifname)
{
	struct ifreq ifr;
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	uint32_t mtu = TAP_DEFAULT_MTU;

	if (s < 0)
		return mtu;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(s, SIOCGIFMTU, &ifr) == 0 && ifr.ifr_mtu >= (int)TAP_MTU_MIN &&
	    ifr.ifr_mtu <= (int)TAP_MTU_MAX)
		mtu = (uint32_t)ifr.ifr_mtu;
	close(s);
	return mtu;
}

/* Opens the TUN clone device and attaches it to TAP ifname; returns the fd
 * and the device's name in name, or a negative errno. */
static int tap_attach(const char *ifname, char name[IFNAMSIZ], bool is_vnet)
{
	struct ifreq ifr;
	int fd, err, hsz = (int)sizeof(struct virtio_net_hdr);

	fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT || errno == ENXIO ? -ENODEV : -errno;
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | (is_vnet ? IFF_VNET_HDR : 0);
	if (ifname)
		snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0 ||
	    (is_vnet && (ioctl(fd, TUNSETVNETHDRSZ, &hsz) < 0 ||
			 ioctl(fd, TUNSETOFFLOAD,
			       (unsigned long)(TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6)) < 0))) {
		err = -errno; /* EPERM without CAP_NET_ADMIN, EBUSY in use, EINVAL not a TAP */
		close(fd);
		return err;
	}
	memcpy(name, ifr.ifr_name, IFNAMSIZ);
	name[IFNAMSIZ - 1] = '\0';
	return fd;
}

int duet_tap_open(const char *ifname, struct duet_link **out)
{
	return duet_tap_open_ex(ifname, 0, out);
}

int duet_tap_open_ex(const char *ifname, unsigned flags, struct duet_link **out)
{
	char name[IFNAMSIZ];
	struct tap *t;
	int fd;

	if (!out || (ifname && strlen(ifname) >= IFNAMSIZ) || (flags & ~DUET_TAP_F_OFFLOAD))
		return -EINVAL;
	t = calloc(1, sizeof(*t));
	if (t)
		t->scratch = malloc(TAP_READ_MAX);
	if (!t || !t->scratch) {
		free(t);
		return -ENOMEM;
	}
	fd = tap_attach(ifname, name, (flags & DUET_TAP_F_OFFLOAD) != 0);
	if (fd < 0) {
		free(t->scratch);
		free(t);
		return fd;
	}
	t->fd = fd;
	t->is_vnet = (flags & DUET_TAP_F_OFFLOAD) != 0;
	t->link.gso_max = t->is_vnet ? TAP_GSO_IP_MAX : 0; /* TSO both ways */
	t->link.ops = &tap_ops;
	t->link.impl = t;
	snprintf(t->link.name, sizeof(t->link.name), "%s", name);
	t->link.mtu = tap_read_mtu(name);
	t->link.flags = DUET_LINK_F_BROADCAST | DUET_LINK_F_MULTICAST;
	if (duet_random_os(t->link.hwaddr, sizeof(t->link.hwaddr)) != 0)
		duet_mac_from_seed((uint64_t)getpid(), t->link.hwaddr);
	t->link.hwaddr[0] = (uint8_t)((t->link.hwaddr[0] & 0xfeu) | 0x02u);
	*out = &t->link;
	return 0;
}
