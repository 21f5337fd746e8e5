/* The seed Q&A's recommended server, on duet: an AF_INET6 UDP socket with
 * IPV6_V6ONLY=0 bound to the wildcard :: serves both families (DS-3). The
 * IPv4-only client appears as ::ffff:10.0.0.2 (DS-2), the IPv6-only client
 * with its real address fd00::2; the server answers each. Exits 0 only if
 * both are reached, shown that way, and get their answer. */
#include "ds_net.h"

static int client(struct ds_net *n, struct duet_stack *host, const char *name, int family,
		  const char *server_addr, int srv, const char *expect)
{
	struct sockaddr_storage peer;
	socklen_t len = sizeof peer;
	char buf[64], shown[80];
	int c = duet_socket(host, family, SOCK_DGRAM, 0), ok;
	ssize_t r;

	ds_sendto(host, c, name, server_addr, 7000);
	ds_run(n);
	r = duet_recvfrom(n->server, srv, buf, sizeof buf - 1, MSG_DONTWAIT, (struct sockaddr *)&peer,
			  &len);
	if (r < 0) {
		printf("%s -> server: NOT reached\n", name);
		return 0;
	}
	ds_ntop(&peer, shown, sizeof shown);
	printf("%s -> server [::]:7000: reached, peer appears as %s\n", name, shown);
	ok = strncmp(shown, expect, strlen(expect)) == 0;
	/* Answer to the address as shown: a mapped one leaves as real IPv4. */
	duet_sendto(n->server, srv, "welcome", 7, 0, (struct sockaddr *)&peer, len);
	ds_run(n);
	r = duet_recv(host, c, buf, sizeof buf - 1, MSG_DONTWAIT);
	printf("server -> %s: %s\n", name, r == 7 ? "answer received" : "answer LOST");
	duet_close(host, c);
	return ok && r == 7;
}

int main(void)
{
	struct ds_net n;
	int srv, no = 0, ok;

	if (ds_net_setup(&n))
		return 1;
	srv = duet_socket(n.server, AF_INET6, SOCK_DGRAM, 0);
	duet_setsockopt(n.server, srv, IPPROTO_IPV6, IPV6_V6ONLY, &no, sizeof no);
	if (ds_bind(n.server, srv, "::", 7000) != 0)
		return 1;
	printf("server: bound [::]:7000 with IPV6_V6ONLY=0\n");
	ok = client(&n, n.v4host, "v4host", AF_INET, "10.0.0.1", srv, "[::ffff:10.0.0.2]:");
	ok &= client(&n, n.v6host, "v6host", AF_INET6, "fd00::1", srv, "[fd00::2]:");
	duet_sim_destroy(n.sim);
	printf("%s\n", ok ? "as expected" : "UNEXPECTED");
	return ok ? 0 : 1;
}
