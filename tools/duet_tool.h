/* duet — the command-line tool's subcommand table. */
#ifndef DUET_TOOL_H
#define DUET_TOOL_H

struct duet_subcommand {
	const char *name;
	const char *summary;
	const char *usage;
	int (*run)(int argc, char **argv); /* argv[0] is the subcommand's name */
};

int tool_version(int argc, char **argv);
int tool_demo(int argc, char **argv);
int tool_run(int argc, char **argv);
int tool_ping(int argc, char **argv);
int tool_traceroute6(int argc, char **argv);
int tool_sysctl(int argc, char **argv);

#endif
