/* duet — the command-line tool: version, demo (and, as issues land, run,
 * ping). Each subcommand lives in its own file; this one dispatches. */
#include "tools/duet_tool.h"

#include <duet/sysctl.h>
#include <duet/version.h>

#include <stdio.h>
#include <string.h>

static const struct duet_subcommand subcommands[] = {
	{ "version", "print duet's version", "duet version", tool_version },
	{ "demo", "play a simulated network and print what crossed it",
	  "duet demo [--pcap FILE] [--seed N]\n"
	  "  Two simulated dual-stack hosts, alpha and beta, on a cable with 2 ms\n"
	  "  delay and jitter. Their interfaces come up (duplicate address detection,\n"
	  "  router solicitation, gratuitous ARP); then alpha pings beta over IPv4 and\n"
	  "  IPv6, with 56 and 3000 data bytes (fragmented). The transcript shows every\n"
	  "  frame each host received and what its stack did with it.\n"
	  "  --pcap FILE  capture the cable at alpha's end (pcap, ns timestamps)\n"
	  "  --seed N     the simulation's seed (default 1): same seed, same run",
	  tool_demo },
	{ "run", "run the stack on a TAP device until SIGINT/SIGTERM",
	  "duet run --tap IFNAME --addr CIDR [--addr CIDR ...] [--gateway ADDR] [--pcap FILE]\n"
	  "         [--sysctl NAME=VALUE ...] [--echo udp:PORT|raw6:PROTO[:OFF] [--echo-hops N] [--join GROUP ...]\n"
	  "          [--announce GROUP ...] [--echo-adv] [--echo-hopopts HEX] [--echo-dstopts HEX]]\n"
	  "         [--echo tcp:[[ADDR]:]PORT ...] [--discard tcp:...] [--chargen tcp:...]\n"
	  "         [--tcp-send ADDR:PORT:BYTES | --tcp-recv ADDR:PORT] [--tcp-v6only]\n"
	  "         [--impair-tx MODEL] [--impair-rx MODEL] [--impair-seed N] [--tap-offload]\n"
	  "  Opens (creating if missing) the TAP device IFNAME and brings it up, gives\n"
	  "  duet the addresses (IPv4 or IPv6, e.g. 192.0.2.2/24, 2001:db8::2/64; IPv6\n"
	  "  ones go through DAD) and a default route via each --gateway, and serves\n"
	  "  ARP, Neighbour Discovery and ICMP echo until SIGINT or SIGTERM.\n"
	  "  SIGUSR1 prints every non-zero counter; so does stopping.\n"
	  "  --pcap FILE  capture the TAP device's traffic as duet sees it\n"
	  "  --sysctl NAME=VALUE  set a knob first (`duet sysctl` lists them)\n"
	  "  --echo udp:PORT  a dual-stack UDP echo service on [::]:PORT (V6ONLY=0)\n"
	  "  --echo raw6:PROTO[:OFFSET]  a raw IPv6 socket of protocol PROTO echoing\n"
	  "                   what it reads, with IPV6_CHECKSUM at OFFSET if given\n"
	  "  --echo-hops N    its IPV6_UNICAST_HOPS (replies carry hop limit N)\n"
	  "  --join GROUP     its socket joins an IPv6 or IPv4 group on the TAP device\n"
	  "  --announce GROUP its socket sends a datagram a second to GROUP, echo port\n"
	  "  --echo-adv       its socket turns on the RFC 3542 receive switches and prints an\n"
	  "                   `adv` line per recvmsg (and `adv pathmtu ADDR MTU` notices)\n"
	  "  --echo-hopopts HEX  a sticky Hop-by-Hop Options header for its replies (the\n"
	  "                   whole header in hex, 8n octets; duet writes its Next Header)\n"
	  "  --echo-dstopts HEX  the same for a Destination Options header\n"
	  "  --echo tcp:PORT     a TCP echo service (RFC 862) on [::]:PORT, V6ONLY=0: IPv4\n"
	  "                   clients appear as ::ffff:a.b.c.d; many connections at once,\n"
	  "                   each logged with its peer as accept gave it (`tcp echo:PORT\n"
	  "                   accepted [PEER]:PORT flowinfo F scope S`) and its byte counts\n"
	  "                   at its end\n"
	  "  --echo tcp:[ADDR]:PORT  the same bound to ADDR (IPv6, or ::ffff:a.b.c.d: IPv4\n"
	  "                   for that address only); up to 8 TCP services in all\n"
	  "  --echo tcp6:PORT, tcp6:[ADDR]:PORT  the same with IPV6_V6ONLY on\n"
	  "  --echo tcp:a.b.c.d:PORT  the same on an AF_INET socket (0.0.0.0: any)\n"
	  "  --discard tcp:PORT  the same for discard (RFC 863): reads and drops\n"
	  "  --chargen tcp:PORT  the same for chargen (RFC 864): sends the 72-column\n"
	  "                   rotating pattern as fast as the peer takes it, until it resets\n"
	  "  --tcp-send ADDR:PORT:BYTES  connect (ADDR a.b.c.d: an AF_INET socket; [IPv6],\n"
	  "                   [::ffff:a.b.c.d] too: AF_INET6), send BYTES (K, M, G: KiB,\n"
	  "                   MiB, GiB) of a fixed stream (64-bit splitmix64 words of their\n"
	  "                   index, little-endian), half-close, wait for the peer's close,\n"
	  "                   print `tcp-send PEER from LOCAL bytes N sha256 HEX seconds S\n"
	  "                   MBps R` (R: 10^6 bytes/s) and stop; exit 0 when all went\n"
	  "  --tcp-recv ADDR:PORT  connect, read to the peer's close, print the same line\n"
	  "                   as tcp-recv and stop; exit 0 at a clean end of stream\n"
	  "  --tcp-v6only     the transfer's AF_INET6 socket sets IPV6_V6ONLY first\n"
	  "  --impair-tx MODEL  duet's impairment model on frames to the TAP device (the\n"
	  "                   --pcap capture records what left it): KEY=VALUE,... with loss,\n"
	  "                   dup, reorder, corrupt (N% or ppm), delay, jitter,\n"
	  "                   reorder-delay (N[ns|us|ms|s]), rate (bit/s, k M G), queue,\n"
	  "                   mtu, capacity; e.g. loss=1%,delay=5ms,jitter=2ms\n"
	  "  --impair-rx MODEL  the same on frames from the TAP device (after the capture)\n"
	  "  --impair-seed N  the models' random seed (default 1)\n"
	  "  --tap-offload    open the TAP with the virtio-net header: the kernel hands\n"
	  "                   over TCP segments of up to 64 KiB with partial checksums,\n"
	  "                   which duet completes, and duet's TCP sends it super-segments\n"
	  "                   to cut (kernel-side captures show partial checksums as bad)",
	  tool_run },
	{ "ping", "send ICMP/ICMPv6 echo requests from a stack on a TAP device",
	  "duet ping [-4|-6] [-s SIZE] [-c COUNT] [-i SECONDS] [-t HOPLIMIT] [-I IFNAME|INDEX]\n"
	  "          --tap IFNAME --addr CIDR [--addr CIDR ...] [--gateway ADDR] [--pcap FILE]\n"
	  "          DEST[%ZONE]\n"
	  "  Starts a stack on IFNAME as `duet run` does, waits for DAD, then sends\n"
	  "  COUNT (default 4) echo requests of SIZE (default 56) data bytes, one per\n"
	  "  interval (default 1 s), from a raw ICMP / ICMPv6 socket of duet's socket\n"
	  "  API, printing each reply (with its hop limit) and each ICMP error that\n"
	  "  quotes a request, then statistics; exits 0 if any reply came back.\n"
	  "  A link-local DEST needs %ZONE (the TAP name or an interface index) or -I.\n"
	  "  -t HOPLIMIT  the requests' hop limit / TTL (multicast DEST: the multicast one)\n"
	  "  -I IFNAME    the outgoing interface (name or index)",
	  tool_ping },
	{ "traceroute6", "trace the IPv6 path to a destination from a stack on a TAP device",
	  "duet traceroute6 [-m MAXHOPS] [-q NQUERIES] [-w WAITSEC] [-I IFNAME] --tap IFNAME\n"
	  "          --addr CIDR [--addr CIDR ...] [--gateway ADDR] [--pcap FILE] DEST[%ZONE]\n"
	  "  Starts a stack on IFNAME as `duet run` does, waits for DAD, then sends\n"
	  "  NQUERIES (default 3) ICMPv6 echo probes per hop limit, 1 to MAXHOPS\n"
	  "  (default 30), each waiting up to WAITSEC (default 5) for its Time Exceeded,\n"
	  "  Echo Reply or Destination Unreachable; prints a line per hop as\n"
	  "  traceroute6(8) does (* for no answer, !N !X !S !H for unreachables), ending\n"
	  "  with the address(es) the answers were sent to. Exits 0 once DEST answered.",
	  tool_traceroute6 },
	{ "sysctl", "list the named runtime knobs with their defaults and ranges",
	  "duet sysctl\n"
	  "  Prints every knob `duet run --sysctl NAME=VALUE` (and duet_sysctl_set)\n"
	  "  accepts: its name, its default, its range and what it controls.",
	  tool_sysctl },
	{ NULL, NULL, NULL, NULL },
};

int tool_sysctl(int argc, char **argv)
{
	struct duet_stack_config cfg;
	const struct duet_sysctl_info *k;
	struct duet_stack *s;
	long long v;
	size_t i;

	(void)argv;
	if (argc > 1) {
		fprintf(stderr, "duet sysctl: takes no arguments\n");
		return 2;
	}
	duet_stack_config_init(&cfg);
	if (duet_stack_create(&cfg, &s) != 0)
		return 1;
	for (i = 0; (k = duet_sysctl_info(i)) != NULL; i++)
		if (duet_sysctl_get(s, k->name, &v) == 0)
			printf("%-36s %10lld  [%lld, %lld]  %s\n", k->name, v, k->min, k->max, k->desc);
	duet_stack_destroy(s);
	return 0;
}

int tool_version(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("duet %s\n", duet_version());
	return 0;
}

static void usage(FILE *out)
{
	const struct duet_subcommand *c;

	fprintf(out, "usage: duet COMMAND [ARGS]\n\n"
		     "duet is a userspace dual-stack (IPv4 + IPv6) TCP/IP stack.\n\ncommands:\n");
	for (c = subcommands; c->name; c++)
		fprintf(out, "  %-11s %s\n", c->name, c->summary);
	fprintf(out, "\n`duet help COMMAND` or `duet COMMAND --help` describes one.\n");
}

static const struct duet_subcommand *find(const char *name)
{
	const struct duet_subcommand *c;

	for (c = subcommands; c->name; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

int main(int argc, char **argv)
{
	const struct duet_subcommand *c;

	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return argc < 2 ? 2 : 0;
	}
	if (strcmp(argv[1], "help") == 0) {
		if (argc < 3) {
			usage(stdout);
			return 0;
		}
		c = find(argv[2]);
		if (!c) {
			fprintf(stderr, "duet: no command '%s'\n", argv[2]);
			return 2;
		}
		printf("usage: %s\n", c->usage);
		return 0;
	}
	c = find(argv[1]);
	if (!c) {
		fprintf(stderr, "duet: no command '%s'\n", argv[1]);
		usage(stderr);
		return 2;
	}
	if (argc > 2 && (strcmp(argv[2], "--help") == 0 || strcmp(argv[2], "-h") == 0)) {
		printf("usage: %s\n", c->usage);
		return 0;
	}
	return c->run(argc - 1, argv + 1);
}
