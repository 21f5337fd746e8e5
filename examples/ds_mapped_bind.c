/* The seed Q&A's first server, on duet: an AF_INET6 UDP socket with
 * IPV6_V6ONLY=0 bound to the IPv4-mapped address ::ffff:10.0.0.1 (DS-1).
 * It is really an IPv4 socket in IPv6 clothing: the IPv4-only client
 * reaches it and shows up as ::ffff:10.0.0.2 (DS-2); the IPv6-only client
 * is answered with Port Unreachable, so its connected socket gets
 * ECONNREFUSED. Exits 0 only if that is what happens. */
#include "ds_net.h"

int main(void)
{
	struct ds_net n;
	char buf[64], from[80];
	int srv, c4, c6, no = 0, ok = 1;

	if (ds_net_setup(&n))
		return 1;
	srv = duet_socket(n.server, AF_INET6, SOCK_DGRAM, 0);
	duet_setsockopt(n.server, srv, IPPROTO_IPV6, IPV6_V6ONLY, &no, sizeof no);
	if (ds_bind(n.server, srv, "::ffff:10.0.0.1", 5000) != 0)
		return 1;
	printf("server: bound [::ffff:10.0.0.1]:5000 with IPV6_V6ONLY=0\n");

	/* The IPv4-only client sends to the server's IPv4 address. */
	c4 = duet_socket(n.v4host, AF_INET, SOCK_DGRAM, 0);
	ds_sendto(n.v4host, c4, "hello from v4host", "10.0.0.1", 5000);
	ds_run(&n);
	if (ds_recv(n.server, srv, buf, sizeof buf, from, sizeof from) > 0) {
		printf("v4host -> server: reached, \"%s\", peer appears as %s\n", buf, from);
		ok &= strncmp(from, "[::ffff:10.0.0.2]:", 18) == 0;
	} else {
		printf("v4host -> server: NOT reached\n");
		ok = 0;
	}

	/* The IPv6-only client connects to the server's IPv6 address and sends. */
	c6 = duet_socket(n.v6host, AF_INET6, SOCK_DGRAM, 0);
	ds_connect(n.v6host, c6, "fd00::1", 5000);
	duet_send(n.v6host, c6, "hello from v6host", 17, 0);
	ds_run(&n);
	if (ds_recv(n.server, srv, buf, sizeof buf, from, sizeof from) > 0) {
		printf("v6host -> server: reached (unexpected), peer %s\n", from);
		ok = 0;
	} else if (duet_recv(n.v6host, c6, buf, sizeof buf, MSG_DONTWAIT) < 0 && errno == ECONNREFUSED) {
		printf("v6host -> server: not reached, v6host's socket says ECONNREFUSED\n");
	} else {
		printf("v6host -> server: not reached, but no ECONNREFUSED (errno %d)\n", errno);
		ok = 0;
	}
	duet_sim_destroy(n.sim);
	printf("%s\n", ok ? "as expected" : "UNEXPECTED");
	return ok ? 0 : 1;
}
