/* duet run — the stack on a real TAP device until SIGINT/SIGTERM; counters
 * on SIGUSR1 and at exit. */
#include "tools/duet_tool.h"
#include "tools/tapnet.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

int tool_run(int argc, char **argv)
{
	struct tapnet_opts o;
	struct tapnet n;
	sigset_t set;
	int i, sig, err;

	memset(&o, 0, sizeof(o));
	for (i = 1; i < argc; i++) {
		int r = tapnet_parse_opt(&o, argc, argv, &i);
		if (r < 0)
			return 2;
		if (r == 0) {
			fprintf(stderr, "duet run: unknown argument '%s' (see duet run --help)\n", argv[i]);
			return 2;
		}
	}
	/* Signals go to this thread only: the runtime thread inherits the mask. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	err = tapnet_start(&o, &n);
	if (err)
		return 1;
	printf("duet run: %s is interface %u; SIGUSR1 prints counters, SIGINT/SIGTERM stop\n",
	       o.tap, n.ifindex);
	fflush(stdout);
	for (;;) {
		if (sigwait(&set, &sig) != 0)
			continue;
		if (sig == SIGUSR1) {
			printf("duet run: counters\n");
			tapnet_print_counters(&n, stdout);
			continue;
		}
		break;
	}
	printf("duet run: stopping (%s); counters\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
	tapnet_print_counters(&n, stdout);
	tapnet_stop(&n);
	return 0;
}
