/* duet — the hosts table as the resolver reads it (DS-9): a name's
 * addresses in insertion order, through a chain of bindings. */
#ifndef DUET_SOCKET_RESOLV_INTERNAL_H
#define DUET_SOCKET_RESOLV_INTERNAL_H

#include <duet/resolv.h>

#include <stdint.h>

#define RESOLV_NONE UINT32_MAX

/* One address of the table. */
struct resolv_host {
	int family;            /* AF_INET or AF_INET6 */
	uint8_t addr[16];      /* the first 4 bytes for AF_INET */
	uint32_t scope_id;     /* AF_INET6: the zone, 0 if none */
	uint32_t canon;        /* the canonical name (offset in the table's text) */
};

/* A name's link to one address. */
struct resolv_bind {
	uint32_t entry, next;  /* next: the name's next binding, or RESOLV_NONE */
};

/* The first binding of name (ASCII case ignored), or RESOLV_NONE (also for
 * h NULL). */
uint32_t resolv_hosts_first(const struct duet_hosts *h, const char *name);

/* The binding after bind for the same name, or RESOLV_NONE. */
uint32_t resolv_hosts_next(const struct duet_hosts *h, uint32_t bind);

/* The address a binding leads to, and its canonical name. */
const struct resolv_host *resolv_hosts_entry(const struct duet_hosts *h, uint32_t bind);
const char *resolv_hosts_canon(const struct duet_hosts *h, const struct resolv_host *e);

#endif
