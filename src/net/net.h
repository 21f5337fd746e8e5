/* duet — the network layer's shared state: per-interface IP configuration,
 * the local address table, the routing and neighbour tables, and the list
 * of protocol modules (IPv4 with ARP and ICMP, IPv6 with ND, MLD and ICMPv6)
 * that the stack initialises and tells about interfaces. */
#ifndef DUET_NET_NET_H
#define DUET_NET_NET_H

#include <stdbool.h>
#include <stdint.h>

#include <duet/net.h>

#include "core/stack_internal.h"
#include "net/neigh.h"
#include "net/route.h"

struct net_addr;

/* An ICMP or ICMPv6 error about a packet this stack sent, handed to the
 * transport protocol that sent it (RFC 1122 §3.2.2.1, RFC 4443 §3) so that
 * its sockets can report it (ECONNREFUSED, EMSGSIZE, ...). Valid during the
 * handler call only. */
struct net_icmp_err {
	int family;            /* AF_INET or AF_INET6 */
	uint8_t type, code;    /* as received */
	uint32_t mtu;          /* Packet Too Big / Fragmentation Needed, else 0 */
	uint32_t pointer;      /* Parameter Problem, else 0 */
	int err;               /* the errno Linux reports for it (positive) */
	uint32_t ifindex;      /* where the error arrived */
	uint8_t from[16];      /* who sent the error (a router, the peer) */
	uint8_t src[16];       /* the quoted packet's source (ours) ... */
	uint8_t dst[16];       /* ... and destination; 4 bytes used for AF_INET */
	uint8_t proto;         /* its upper-layer protocol */
	const uint8_t *l4;     /* the quoted upper-layer header (ports first) */
	uint32_t l4_len;       /* how much of it was quoted (may be 0) */
};

/* A transport protocol's error handler. */
typedef void (*net_err_fn)(struct duet_stack *stack, const struct net_icmp_err *e);

/* A protocol module of the network layer. Every hook may be NULL. The
 * modules are listed in net_protos[] in net.c, in initialisation order. */
struct net_proto {
	const char *name;
	int (*init)(struct duet_stack *stack);      /* 0 or a negative errno */
	void (*fini)(struct duet_stack *stack);
	void (*iface_added)(struct duet_stack *stack, uint32_t ifindex);
	void (*iface_removed)(struct duet_stack *stack, uint32_t ifindex);
	/* An address was added (IPv6: to start DAD when TENTATIVE) or is about
	 * to be removed. addr_len tells the family. */
	void (*addr_added)(struct duet_stack *stack, uint32_t ifindex, uint8_t addr_len,
			   struct net_addr *a);
	void (*addr_removed)(struct duet_stack *stack, uint32_t ifindex, uint8_t addr_len,
			     struct net_addr *a);
	/* The family this module serves for duet_echo_send (0: none), and its
	 * echo sender. */
	int family;
	int (*echo_send)(struct duet_stack *stack, const uint8_t *dst, uint32_t oif, uint16_t id,
			 uint16_t seq, uint32_t data_len);
};

/* Where each module keeps its own state: net_state.proto_state[NET_PROTO_x]. */
enum { NET_PROTO_IP4 = 0, NET_PROTO_IP6 = 1, NET_PROTO_MLD6 = 2, /* 3: NET_PROTO_ND6 */
       NET_PROTO_IGMP4 = 4 };

/* The modules (declared here, defined in their own files, listed in
 * net_protos[] in net.c). */
extern const struct net_proto ip4_proto;
extern const struct net_proto ip6_proto;

/* One interface address (both families share the layout). */
struct net_addr {
	uint8_t addr[16];
	uint8_t plen;
	uint32_t flags;          /* DUET_IFA_F_* */
	bool is_used;
	uint64_t valid_until_ns; /* 0: forever (SLAAC sets lifetimes) */
	uint64_t preferred_until_ns;
};

/* The IP configuration of one interface. */
struct net_if {
	uint32_t ifindex;
	struct net_addr a4[DUET_IFA_MAX];
	struct net_addr a6[DUET_IFA_MAX];
	uint32_t mtu;             /* IP MTU: the link's, lowered by RA MTU options */
	uint8_t hop_limit;        /* IPv6 Cur Hop Limit: an RA's, else net.inet6.ip6.hlim */
	bool has_ra_hop_limit;    /* hop_limit came from an RA (a knob change keeps it) */
	uint8_t ttl;              /* IPv4 default TTL: net.inet.ip.ttl */
};

/* An entry of the local address table: which interface owns an address. */
struct net_local {
	uint8_t family_len;       /* 4 or 16; 0 = free */
	uint8_t addr[16];
	uint32_t ifindex;
	struct net_local *next;
};

#define NET_LOCAL_CACHE_BITS 5
#define NET_LOCAL_CACHE_SLOTS (1u << NET_LOCAL_CACHE_BITS)

struct net_state {
	struct net_if **ifs;            /* [max_ifaces + 1], by ifindex */
	struct route_table rt4, rt6;
	struct neigh_table arp, nd;     /* initialised by the IPv4 / IPv6 modules */
	struct net_local *locals;       /* [n_locals] fixed pool */
	struct net_local *locals_free;
	struct net_local **local_buckets;
	uint32_t n_locals, n_local_buckets;
	uint64_t local_gen;             /* bumped by every insert and removal */
	struct net_local_cached {       /* recent net_local_ifindex answers */
		uint8_t addr[16];
		uint8_t family_len;     /* 0: empty */
		uint32_t ifindex;       /* 0: not ours */
		uint64_t gen;           /* valid while equal to local_gen */
	} local_cache[NET_LOCAL_CACHE_SLOTS];
	void *proto_state[5];           /* each module's own: NET_PROTO_* */
	uint32_t lo_ifindex;            /* the first loopback interface, or 0 */
	uint8_t def_hop_limit, def_ttl; /* knobs net.inet6.ip6.hlim, net.inet.ip.ttl */
	net_err_fn err_fn[256];         /* by upper-layer protocol: net_set_err_handler() */
	duet_echo_fn echo_fn;           /* duet_echo_set_handler() */
	void *echo_ctx;
};

/* Makes sure pkt may be written and has need bytes of headroom (for the
 * IP and Ethernet headers an output path is about to push): returns pkt
 * itself when it is unshared with room enough, else a private copy with
 * DUET_PKT_HEADROOM (pkt released). NULL when no buffer is left (pkt
 * released; the caller counts the drop). */
struct duet_pkt *net_pkt_writable(struct duet_stack *stack, struct duet_pkt *pkt, uint32_t need);

/* Attaches the ICMP error handler of one upper-layer protocol (both
 * families: 17 UDP, 6 TCP, ...); NULL detaches. */
void net_set_err_handler(struct duet_stack *stack, uint8_t proto, net_err_fn fn);

/* Hands e to its protocol's handler. Returns true if one took it (the
 * caller then frees the ICMP message as delivered), false if none is
 * attached (the caller drops it as consumed). */
bool net_icmp_err_deliver(struct duet_stack *stack, const struct net_icmp_err *e);

/* Hands an echo reply to the handler installed by duet_echo_set_handler. */
void net_echo_reply(struct duet_stack *stack, const struct duet_echo_reply *reply);

/* Sets up the net layer and every protocol module (called by
 * duet_stack_create). Returns 0 or a negative errno. */
int net_init(struct duet_stack *stack);

/* Tears every module and the net state down (called by duet_stack_destroy). */
void net_fini(struct duet_stack *stack);

/* Interface notifications from the core. net_iface_added returns 0 or
 * -ENOMEM (the core then refuses the interface). */
int net_iface_added(struct duet_stack *stack, uint32_t ifindex);
void net_iface_removed(struct duet_stack *stack, uint32_t ifindex);

/* The IP configuration of an interface, or NULL. */
static inline struct net_if *net_if_get(const struct duet_stack *stack, uint32_t ifindex)
{
	return ifindex && ifindex <= stack->max_ifaces ? stack->net->ifs[ifindex] : NULL;
}

/* The interface owning a local address (addr_len 4 or 16), or 0. O(1).
 * A link-local address may be on several interfaces: this is one of them;
 * net_local_owner() asks about one zone. */
uint32_t net_local_ifindex(const struct duet_stack *stack, uint8_t addr_len, const uint8_t *addr);

/* The loopback interface that carries packets to dst, one of our own
 * addresses (addr_len 4 or 16) — or 0: dst is not ours (or one DAD found
 * duplicate: another node's), or the stack has no loopback interface (then
 * such packets follow the routing table). O(1). */
uint32_t net_local_route(const struct duet_stack *stack, uint8_t addr_len, const uint8_t *dst);

/* The owner of addr in zone (an interface index): zone itself if a
 * link-local addr is on it, 0 if not; for other addresses, or zone 0, as
 * net_local_ifindex(). O(1). */
uint32_t net_local_owner(const struct duet_stack *stack, uint8_t addr_len, const uint8_t *addr,
			 uint32_t zone);

/* The address entry addr on ifp, or NULL. */
struct net_addr *net_if_find_addr(struct net_if *ifp, uint8_t addr_len, const uint8_t *addr);

#endif
