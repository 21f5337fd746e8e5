/* Fuzz target: the advanced API's input from applications (A-2..A-7,
 * ancillary data on sendmsg, IPV6_PKTOPTIONS and the sticky
 * header options, on UDP and raw sockets of a stack with a channel link
 * and lo. The first byte picks what the rest is given to: 0 a UDP
 * sendmsg to the link, 1 a UDP sendmsg to a v4-mapped peer, 2
 * IPV6_2292PKTOPTIONS, 3 IPV6_HOPOPTS, 4 IPV6_RTHDR, 5 an ICMPv6 raw
 * sendmsg, 6 a raw sendmsg with IPV6_CHECKSUM 2, 7 a UDP datagram to
 * ourselves read back with every receive switch on into a control buffer
 * whose size is the second byte. Whatever comes, no crash, the errno is
 * one the API documents, recvmsg writes no further than its control
 * buffer, and ASan sees no leak or stray access. */
#include <duet/chanlink.h>
#include <duet/net.h>
#include <duet/socket.h>
#include <duet/stack.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void send_with(struct duet_stack *s, int fd, const uint8_t dst[16], uint16_t port,
		      const uint8_t *ctl, size_t len)
{
	static uint8_t buf[4096] __attribute__((aligned(8)));
	struct sockaddr_in6 sa;
	struct iovec iov = { (void *)"fuzz-data", 9 };
	struct msghdr msg;
	ssize_t r;

	memset(&sa, 0, sizeof(sa));
	sa.sin6_family = AF_INET6;
	sa.sin6_port = htons(port);
	memcpy(&sa.sin6_addr, dst, 16);
	if (len > sizeof(buf))
		len = sizeof(buf);
	if (len)
		memcpy(buf, ctl, len);
	memset(&msg, 0, sizeof(msg));
	msg.msg_name = &sa;
	msg.msg_namelen = sizeof(sa);
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = len ? buf : NULL;
	msg.msg_controllen = len;
	r = duet_sendmsg(s, fd, &msg, 0);
	if (r < 0 && errno != EINVAL && errno != ENODEV && errno != EPERM && errno != EAFNOSUPPORT &&
	    errno != EHOSTUNREACH && errno != ENETUNREACH && errno != EADDRNOTAVAIL &&
	    errno != EMSGSIZE && errno != ENOBUFS && errno != EFAULT)
		abort(); /* an errno the API does not document for sendmsg */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t mac[6] = { 0xa6, 0x01, 0x69, 0x9a, 0x3a, 0xa2 };
	static const uint8_t ip6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };
	static const uint8_t peer[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	static const uint8_t mapped[16] = { [10] = 0xff, [11] = 0xff, 192, 0, 2, 1 };
	static const uint8_t ip4[4] = { 192, 0, 2, 2 };
	struct duet_stack_config cfg;
	struct duet_stack *stack;
	struct duet_link *link;
	struct duet_vclock vc;
	struct duet_pkt *p;
	int udp, icmp, raw, ifx, on = 1, two = 2;

	if (size < 1)
		return 0;
	duet_vclock_init(&vc, 0);
	duet_stack_config_init(&cfg);
	cfg.clock = &vc.clock;
	cfg.mem_cap_bytes = 1u << 20;
	if (duet_stack_create(&cfg, &stack) != 0 || duet_chanlink_create(mac, 1500, 256, &link) != 0)
		abort();
	ifx = duet_stack_add_link(stack, link, "fz0");
	if (ifx < 1 || duet_if_addr_add(stack, (uint32_t)ifx, AF_INET6, ip6, 64, DUET_IFA_F_NODAD) ||
	    duet_if_addr_add(stack, (uint32_t)ifx, AF_INET, ip4, 24, 0))
		abort();
	udp = duet_socket(stack, AF_INET6, SOCK_DGRAM, 0);
	icmp = duet_socket(stack, AF_INET6, SOCK_RAW, IPPROTO_ICMPV6);
	raw = duet_socket(stack, AF_INET6, SOCK_RAW, 200);
	if (udp < 0 || icmp < 0 || raw < 0 ||
	    duet_setsockopt(stack, raw, IPPROTO_IPV6, IPV6_CHECKSUM, &two, sizeof(two)))
		abort();
	switch (data[0] & 7) {
	case 0: send_with(stack, udp, peer, 9, data + 1, size - 1); break;
	case 1: send_with(stack, udp, mapped, 9, data + 1, size - 1); break;
	case 2:
		duet_setsockopt(stack, udp, IPPROTO_IPV6, IPV6_2292PKTOPTIONS, data + 1,
				(socklen_t)(size - 1));
		send_with(stack, udp, peer, 9, NULL, 0);
		break;
	case 3:
		duet_setsockopt(stack, udp, IPPROTO_IPV6, IPV6_HOPOPTS, data + 1, (socklen_t)(size - 1));
		send_with(stack, udp, peer, 9, NULL, 0);
		break;
	case 4:
		duet_setsockopt(stack, udp, IPPROTO_IPV6, IPV6_RTHDR, data + 1, (socklen_t)(size - 1));
		send_with(stack, udp, peer, 9, NULL, 0);
		break;
	case 5: send_with(stack, icmp, peer, 0, data + 1, size - 1); break;
	case 6: send_with(stack, raw, peer, 0, data + 1, size - 1); break;
	default: {
		static const int sw[] = { IPV6_RECVPKTINFO, IPV6_RECVHOPLIMIT, IPV6_RECVTCLASS,
					  IPV6_RECVHOPOPTS, IPV6_RECVDSTOPTS, IPV6_RECVRTHDR,
					  IPV6_2292PKTINFO, IPV6_2292HOPLIMIT, IPV6_2292HOPOPTS,
					  IPV6_2292DSTOPTS, IPV6_2292RTHDR, DUET_IPV6_FLOWINFO };
		struct sockaddr_in6 me;
		uint8_t ctl[512], buf[64];
		struct iovec iov = { buf, sizeof(buf) };
		struct msghdr msg;
		size_t k, cap = size > 1 ? data[1] * 2u : 0;

		for (k = 0; k < sizeof(sw) / sizeof(sw[0]); k++)
			duet_setsockopt(stack, udp, IPPROTO_IPV6, sw[k], &on, sizeof(on));
		memset(&me, 0, sizeof(me));
		me.sin6_family = AF_INET6;
		me.sin6_port = htons(7);
		if (duet_bind(stack, udp, (struct sockaddr *)&me, sizeof(me)))
			abort();
		send_with(stack, udp, ip6, 7, size > 2 ? data + 2 : NULL, size > 2 ? size - 2 : 0);
		duet_vclock_set(&vc, vc.now_ns + 1000000);
		duet_stack_poll(stack);
		memset(&msg, 0, sizeof(msg));
		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		msg.msg_control = cap ? ctl : NULL;
		msg.msg_controllen = cap;
		if (duet_recvmsg(stack, udp, &msg, MSG_DONTWAIT) >= 0 && msg.msg_controllen > cap)
			abort(); /* wrote past the control buffer */
		break;
	}
	}
	duet_vclock_set(&vc, vc.now_ns + 1000000);
	duet_stack_poll(stack);
	duet_close(stack, udp);
	duet_close(stack, icmp);
	duet_close(stack, raw);
	duet_vclock_set(&vc, vc.now_ns + 3600ull * 1000000000ull);
	duet_stack_poll(stack);
	while ((p = duet_chanlink_pop(link)) != NULL)
		duet_pkt_free(p);
	duet_stack_destroy(stack);
	return 0;
}
