/* duet — the command-line tool: version, demo (and, as issues land, run,
 * ping). Each subcommand lives in its own file; this one dispatches. */
#include "tools/duet_tool.h"

#include <duet/version.h>

#include <stdio.h>
#include <string.h>

static const struct duet_subcommand subcommands[] = {
	{ "version", "print duet's version", "duet version", tool_version },
	{ "demo", "play a simulated network and print what crossed it",
	  "duet demo [--pcap FILE] [--seed N]\n"
	  "  Two simulated hosts, alpha and beta, on a cable with 2 ms delay and\n"
	  "  jitter. alpha sends ARP, Neighbour Discovery, MLDv2, ICMPv4/ICMPv6 echo,\n"
	  "  UDP, TCP and fragmented frames built with duet's wire emitters; the transcript shows\n"
	  "  each frame as beta received it and what beta's stack did with it.\n"
	  "  --pcap FILE  capture the cable at alpha's end (pcap, ns timestamps)\n"
	  "  --seed N     the simulation's seed (default 1): same seed, same run",
	  tool_demo },
	{ NULL, NULL, NULL, NULL },
};

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
		fprintf(out, "  %-8s %s\n", c->name, c->summary);
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
