/* The seed Q&A's recommended server over TCP, on duet: one AF_INET6
 * listening socket with IPV6_V6ONLY=0 bound to :: accepts both families
 * (DS-3, T-2). The IPv4-only client is accepted as ::ffff:10.0.0.2 (DS-2),
 * the IPv6-only one as fd00::2; each sends a line and reads the server's
 * answer on the same connection, then both sides close (FIN each way).
 * Exits 0 only if both connect, appear that way, and get their answer. */
#include "ds_net.h"

static int client(struct ds_net *n, struct duet_stack *host, const char *name, int family,
		  const char *server_addr, int lfd, const char *expect)
{
	struct sockaddr_storage peer;
	socklen_t len = sizeof peer;
	char buf[64], shown[80];
	int c = duet_socket(host, family, SOCK_STREAM, 0), s, ok;
	ssize_t r;

	/* The simulation never blocks: connect starts the handshake
	 * (EINPROGRESS) and time runs it. */
	if (ds_connect(host, c, server_addr, 7000) == 0 || errno != EINPROGRESS)
		return 0;
	ds_run(n);
	s = duet_accept(n->server, lfd, (struct sockaddr *)&peer, &len);
	if (s < 0) {
		printf("%s -> server: NOT accepted\n", name);
		return 0;
	}
	ds_ntop(&peer, shown, sizeof shown);
	printf("%s -> server [::]:7000: accepted, peer appears as %s\n", name, shown);
	ok = strncmp(shown, expect, strlen(expect)) == 0;
	duet_send(host, c, name, strlen(name), 0);
	ds_run(n);
	r = duet_recv(n->server, s, buf, sizeof buf - 1, MSG_DONTWAIT);
	ok &= r == (ssize_t)strlen(name);
	duet_send(n->server, s, "welcome", 7, 0);
	duet_close(n->server, s); /* the answer, then the FIN */
	ds_run(n);
	r = duet_recv(host, c, buf, sizeof buf - 1, MSG_DONTWAIT);
	printf("server -> %s: %s\n", name, r == 7 ? "answer received" : "answer LOST");
	ok &= r == 7 && duet_recv(host, c, buf, sizeof buf, MSG_DONTWAIT) == 0; /* then end of stream */
	duet_close(host, c);
	ds_run(n);
	return ok;
}

int main(void)
{
	struct ds_net n;
	int lfd, no = 0, ok;

	if (ds_net_setup(&n))
		return 1;
	lfd = duet_socket(n.server, AF_INET6, SOCK_STREAM, 0);
	duet_setsockopt(n.server, lfd, IPPROTO_IPV6, IPV6_V6ONLY, &no, sizeof no);
	if (ds_bind(n.server, lfd, "::", 7000) != 0 || duet_listen(n.server, lfd, 8) != 0)
		return 1;
	printf("server: listening on [::]:7000 with IPV6_V6ONLY=0\n");
	ok = client(&n, n.v4host, "v4host", AF_INET, "10.0.0.1", lfd, "[::ffff:10.0.0.2]:");
	ok &= client(&n, n.v6host, "v6host", AF_INET6, "fd00::1", lfd, "[fd00::2]:");
	duet_close(n.server, lfd);
	duet_sim_destroy(n.sim);
	printf("%s\n", ok ? "as expected" : "UNEXPECTED");
	return ok ? 0 : 1;
}
