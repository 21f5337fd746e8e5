/* duet — named runtime knobs in the style of sysctl(8) (S-3): each has a
 * name, a description and a range, and is read and set by name on a
 * running stack; a set takes effect at once. The knobs of the socket layer
 * (net.inet6.ip6.bindv6only, the port ranges, buffer sizes) are here too. */
#ifndef DUET_SYSCTL_H
#define DUET_SYSCTL_H

#include <stddef.h>

#include <duet/stack.h>

struct duet_sysctl_info {
	const char *name;        /* "net.inet6.ip6.hlim" */
	const char *desc;        /* one line */
	long long min, max;      /* the values duet_sysctl_set() accepts */
};

/* The i-th knob (0, 1, ... in a fixed order), or NULL past the last. */
const struct duet_sysctl_info *duet_sysctl_info(size_t i);

/* Reads a knob. Returns 0 with *value set, or -ENOENT (no such name). */
int duet_sysctl_get(const struct duet_stack *stack, const char *name, long long *value);

/* Sets a knob. Returns 0, -ENOENT (no such name) or -EINVAL (value outside
 * its range; nothing changed). */
int duet_sysctl_set(struct duet_stack *stack, const char *name, long long value);

/* Sets a knob from "name=value" text (as `duet run --sysctl`). Returns 0,
 * -ENOENT, or -EINVAL (no '=', a value that is not a whole number, or out
 * of range; nothing changed). */
int duet_sysctl_set_text(struct duet_stack *stack, const char *assignment);

#endif
