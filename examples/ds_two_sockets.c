/* The seed Q&A's second dual-stack recipe, on duet: two sockets on one
 * port, one per family, multiplexed (DS-6, DS-4).
 *   round 1, duet_select(): AF_INET6 V6ONLY=0 on ::ffff:10.0.0.1:8000 (IPv4
 *            in IPv6 clothing) + AF_INET6 on fd00::1:8000;
 *   round 2, duet_poll():   AF_INET6 V6ONLY=1 on [::]:8001 + AF_INET on
 *            0.0.0.0:8001.
 * Both clients send in each round; each socket must get exactly its own
 * family's client. Exits 0 only if so. */
#include "ds_net.h"

#include <poll.h>
#include <sys/select.h>

/* Reads every datagram waiting on fd, prints it; returns how many there
 * were and whether all came from a peer starting with expect. */
static int drain(struct ds_net *n, int fd, const char *sock_name, const char *expect, int *ok)
{
	char buf[64], from[80];
	int count = 0;

	while (ds_recv(n->server, fd, buf, sizeof buf, from, sizeof from) > 0) {
		printf("  %-22s <- \"%s\", peer appears as %s\n", sock_name, buf, from);
		*ok &= strncmp(from, expect, strlen(expect)) == 0;
		count++;
	}
	return count;
}

static void both_clients_send(struct ds_net *n, uint16_t port)
{
	int c4 = duet_socket(n->v4host, AF_INET, SOCK_DGRAM, 0);
	int c6 = duet_socket(n->v6host, AF_INET6, SOCK_DGRAM, 0);

	ds_sendto(n->v4host, c4, "from v4host", "10.0.0.1", port);
	ds_sendto(n->v6host, c6, "from v6host", "fd00::1", port);
	ds_run(n);
	duet_close(n->v4host, c4);
	duet_close(n->v6host, c6);
}

int main(void)
{
	struct ds_net n;
	struct timeval now = { 0, 0 };
	struct pollfd pfd[2];
	fd_set rd;
	int a, b, no = 0, yes = 1, ok = 1, got_a = 0, got_b = 0;

	if (ds_net_setup(&n))
		return 1;

	printf("round 1: [::ffff:10.0.0.1]:8000 (V6ONLY=0) + [fd00::1]:8000, duet_select()\n");
	a = duet_socket(n.server, AF_INET6, SOCK_DGRAM, 0);
	b = duet_socket(n.server, AF_INET6, SOCK_DGRAM, 0);
	duet_setsockopt(n.server, a, IPPROTO_IPV6, IPV6_V6ONLY, &no, sizeof no);
	if (ds_bind(n.server, a, "::ffff:10.0.0.1", 8000) || ds_bind(n.server, b, "fd00::1", 8000))
		return 1;
	both_clients_send(&n, 8000);
	FD_ZERO(&rd);
	FD_SET(a, &rd);
	FD_SET(b, &rd);
	printf("  duet_select() says %d readable\n",
	       duet_select(n.server, (a > b ? a : b) + 1, &rd, NULL, NULL, &now));
	if (FD_ISSET(a, &rd))
		got_a = drain(&n, a, "[::ffff:10.0.0.1]:8000", "[::ffff:10.0.0.2]:", &ok);
	if (FD_ISSET(b, &rd))
		got_b = drain(&n, b, "[fd00::1]:8000", "[fd00::2]:", &ok);
	ok &= got_a == 1 && got_b == 1;
	duet_close(n.server, a);
	duet_close(n.server, b);

	printf("round 2: [::]:8001 (V6ONLY=1) + AF_INET 0.0.0.0:8001, duet_poll()\n");
	a = duet_socket(n.server, AF_INET6, SOCK_DGRAM, 0);
	b = duet_socket(n.server, AF_INET, SOCK_DGRAM, 0);
	duet_setsockopt(n.server, a, IPPROTO_IPV6, IPV6_V6ONLY, &yes, sizeof yes);
	if (ds_bind(n.server, a, "::", 8001) || ds_bind(n.server, b, "0.0.0.0", 8001))
		return 1;
	both_clients_send(&n, 8001);
	pfd[0] = (struct pollfd){ .fd = a, .events = POLLIN };
	pfd[1] = (struct pollfd){ .fd = b, .events = POLLIN };
	printf("  duet_poll() says %d readable\n", duet_poll(n.server, pfd, 2, 0));
	got_a = got_b = 0;
	if (pfd[0].revents & POLLIN)
		got_a = drain(&n, a, "[::]:8001 V6ONLY=1", "[fd00::2]:", &ok);
	if (pfd[1].revents & POLLIN)
		got_b = drain(&n, b, "0.0.0.0:8001", "10.0.0.2:", &ok);
	ok &= got_a == 1 && got_b == 1;

	duet_sim_destroy(n.sim);
	printf("%s\n", ok ? "as expected: each socket got only its own family" : "UNEXPECTED");
	return ok ? 0 : 1;
}
