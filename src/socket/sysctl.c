/* duet — the named runtime knobs (S-3): one table of names, ranges and
 * descriptions; each knob reads and writes the live setting of the module
 * that owns it (net core, IPv4, IPv6, sockets), so a set takes effect at
 * once. It sits in the socket layer, the top one, which sees them all. */
#include <duet/sysctl.h>

#include "net/ip4_internal.h"
#include "net/ip6_internal.h"
#include "socket/sock.h"
#include "transport/tcp_internal.h"

#include <stddef.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

enum sysctl_id {
	SYSCTL_IP_TTL,
	SYSCTL_IP6_HLIM,
	SYSCTL_IP_REASS_TIMEOUT,
	SYSCTL_IP6_REASS_TIMEOUT,
	SYSCTL_IP_REASS_MEM,
	SYSCTL_IP6_REASS_MEM,
	SYSCTL_ICMP_LIM,
	SYSCTL_ICMP_BURST,
	SYSCTL_ICMP6_LIM,
	SYSCTL_ICMP6_BURST,
	SYSCTL_IP_PMTU_EXPIRE,
	SYSCTL_IP6_PMTU_EXPIRE,
	SYSCTL_BINDV6ONLY,
	SYSCTL_PORT_FIRST,
	SYSCTL_PORT_LAST,
	SYSCTL_PORT_HIFIRST,
	SYSCTL_PORT_HILAST,
	SYSCTL_PORT_LOWFIRST,
	SYSCTL_PORT_LOWLAST,
	SYSCTL_PORT_RESERVED,
	SYSCTL_MC_HLIM6,
	SYSCTL_MC_TTL4,
	SYSCTL_RMEM_DEFAULT,
	SYSCTL_RMEM_MAX,
	SYSCTL_WMEM_DEFAULT,
	SYSCTL_WMEM_MAX,
	SYSCTL_SOCKETS_MAX,
	SYSCTL_TCP_FIRST,
	SYSCTL_TCP_SYN_RETRIES = SYSCTL_TCP_FIRST,
	SYSCTL_TCP_SYNACK_RETRIES,
	SYSCTL_TCP_RETRIES2,
	SYSCTL_TCP_MAX_SYN_BACKLOG,
	SYSCTL_TCP_SOMAXCONN,
	SYSCTL_TCP_SYNCOOKIES,
	SYSCTL_TCP_SACK,
	SYSCTL_TCP_TIMESTAMPS,
	SYSCTL_TCP_WINDOW_SCALING,
	SYSCTL_TCP_FIN_TIMEOUT,
	SYSCTL_TCP_TIME_WAIT,
	SYSCTL_TCP_KEEPIDLE,
	SYSCTL_TCP_KEEPINTVL,
	SYSCTL_TCP_KEEPCNT,
	SYSCTL_TCP_RTO_MIN,
	SYSCTL_TCP_RTO_MAX,
	SYSCTL_TCP_RTO_INIT,
	SYSCTL_TCP_DELACK,
	SYSCTL_TCP_RMEM,
	SYSCTL_TCP_WMEM,
	SYSCTL_TCP_MAX_ORPHANS,
	SYSCTL_TCP_CC,
	SYSCTL_TCP_RFC5961,
	SYSCTL_TCP_CHALLENGE_LIMIT,
	SYSCTL_TCP_INVALID_RATELIMIT,
	SYSCTL__COUNT
};

static const struct duet_sysctl_info sysctl_table[SYSCTL__COUNT] = {
	[SYSCTL_IP_TTL] = { "net.inet.ip.ttl",
		"default IPv4 TTL of every interface (RFC 1122 3.2.1.7)", 1, 255 },
	[SYSCTL_IP6_HLIM] = { "net.inet6.ip6.hlim",
		"default IPv6 hop limit of interfaces without an RA's Cur Hop Limit", 1, 255 },
	[SYSCTL_IP_REASS_TIMEOUT] = { "net.inet.ip.reass_timeout_ms",
		"IPv4 reassembly timeout from the first fragment", 1000, 600000 },
	[SYSCTL_IP6_REASS_TIMEOUT] = { "net.inet6.ip6.reass_timeout_ms",
		"IPv6 reassembly timeout from the first fragment (RFC 8200 4.5: 60 s)", 1000, 600000 },
	[SYSCTL_IP_REASS_MEM] = { "net.inet.ip.reass_mem_bytes",
		"IPv4 reassembly memory cap (oldest datagrams evicted beyond it)", 65536, 1LL << 30 },
	[SYSCTL_IP6_REASS_MEM] = { "net.inet6.ip6.reass_mem_bytes",
		"IPv6 reassembly memory cap (oldest datagrams evicted beyond it)", 65536, 1LL << 30 },
	[SYSCTL_ICMP_LIM] = { "net.inet.icmp.icmplim",
		"ICMPv4 errors per second (token bucket rate; 0: no limit)", 0, 1000000 },
	[SYSCTL_ICMP_BURST] = { "net.inet.icmp.icmplim_burst",
		"ICMPv4 errors sent back to back (token bucket size)", 1, 1000000 },
	[SYSCTL_ICMP6_LIM] = { "net.inet6.icmp6.errppslimit",
		"ICMPv6 errors per second (RFC 4443 2.4(f); 0: no limit)", 0, 1000000 },
	[SYSCTL_ICMP6_BURST] = { "net.inet6.icmp6.errppslimit_burst",
		"ICMPv6 errors sent back to back (token bucket size)", 1, 1000000 },
	[SYSCTL_IP_PMTU_EXPIRE] = { "net.inet.ip.pmtu_expire_ms",
		"age at which a lowered IPv4 path MTU is forgotten (RFC 1191 6.3; entries lowered from then on)", 1000, 86400000 },
	[SYSCTL_IP6_PMTU_EXPIRE] = { "net.inet6.ip6.pmtu_expire_ms",
		"age at which a lowered IPv6 path MTU is forgotten (RFC 8201 4; entries lowered from then on)", 1000,
		86400000 },
	[SYSCTL_BINDV6ONLY] = { "net.inet6.ip6.bindv6only",
		"IPV6_V6ONLY of new AF_INET6 sockets (DS-7; Linux net.ipv6.bindv6only)", 0, 1 },
	[SYSCTL_PORT_FIRST] = { "net.inet.ip.portrange.first",
		"first ephemeral port of IPV6_PORTRANGE_DEFAULT (B-7)", 1, 65535 },
	[SYSCTL_PORT_LAST] = { "net.inet.ip.portrange.last",
		"last ephemeral port of IPV6_PORTRANGE_DEFAULT", 1, 65535 },
	[SYSCTL_PORT_HIFIRST] = { "net.inet.ip.portrange.hifirst",
		"first port of IPV6_PORTRANGE_HIGH", 1, 65535 },
	[SYSCTL_PORT_HILAST] = { "net.inet.ip.portrange.hilast",
		"last port of IPV6_PORTRANGE_HIGH", 1, 65535 },
	[SYSCTL_PORT_LOWFIRST] = { "net.inet.ip.portrange.lowfirst",
		"first port of IPV6_PORTRANGE_LOW (superuser; searched downwards as FreeBSD)", 1, 65535 },
	[SYSCTL_PORT_LOWLAST] = { "net.inet.ip.portrange.lowlast",
		"last port of IPV6_PORTRANGE_LOW", 1, 65535 },
	[SYSCTL_PORT_RESERVED] = { "net.inet.ip.portrange.reservedhigh",
		"ports 1 to this need superuser (B-9; Linux ip_unprivileged_port_start - 1)", 0, 65535 },
	[SYSCTL_MC_HLIM6] = { "net.inet6.ip6.mcast_hlim",
		"default IPV6_MULTICAST_HOPS (B-2; RFC 3493 5.2: 1)", 0, 255 },
	[SYSCTL_MC_TTL4] = { "net.inet.ip.mcast_ttl",
		"default IP_MULTICAST_TTL (RFC 1112 6.1: 1)", 0, 255 },
	[SYSCTL_RMEM_DEFAULT] = { "net.core.rmem_default",
		"receive buffer of new sockets, before doubling (SO_RCVBUF reports twice this)", 1152, 1LL << 30 },
	[SYSCTL_RMEM_MAX] = { "net.core.rmem_max",
		"largest SO_RCVBUF a socket may set, before doubling", 1152, 1LL << 30 },
	[SYSCTL_WMEM_DEFAULT] = { "net.core.wmem_default",
		"send buffer of new sockets, before doubling", 2304, 1LL << 30 },
	[SYSCTL_WMEM_MAX] = { "net.core.wmem_max",
		"largest SO_SNDBUF a socket may set, before doubling", 2304, 1LL << 30 },
	[SYSCTL_SOCKETS_MAX] = { "net.duet.sockets.max",
		"open sockets per stack (EMFILE beyond; lowering it closes nothing)", 1, 1 << 20 },
	[SYSCTL_TCP_SYN_RETRIES] = { "net.ipv4.tcp_syn_retries",
		"SYN retransmissions before connect() fails with ETIMEDOUT (TCP_SYNCNT's default)", 1, 127 },
	[SYSCTL_TCP_SYNACK_RETRIES] = { "net.ipv4.tcp_synack_retries",
		"SYN-ACK retransmissions before a half-open connection is dropped", 1, 127 },
	[SYSCTL_TCP_RETRIES2] = { "net.ipv4.tcp_retries2",
		"retransmissions of data before the connection is dropped (ETIMEDOUT)", 1, 127 },
	[SYSCTL_TCP_MAX_SYN_BACKLOG] = { "net.ipv4.tcp_max_syn_backlog",
		"half-open connections per listener; beyond, SYN cookies (or drops)", 1, 1 << 20 },
	[SYSCTL_TCP_SOMAXCONN] = { "net.core.somaxconn",
		"largest listen() backlog (connections waiting for accept)", 1, 1 << 20 },
	[SYSCTL_TCP_SYNCOOKIES] = { "net.ipv4.tcp_syncookies",
		"answer SYNs with a SYN cookie once the SYN queue is full (T-2)", 0, 1 },
	[SYSCTL_TCP_SACK] = { "net.ipv4.tcp_sack",
		"offer and accept SACK (RFC 2018)", 0, 1 },
	[SYSCTL_TCP_TIMESTAMPS] = { "net.ipv4.tcp_timestamps",
		"offer and accept timestamps (RFC 7323)", 0, 1 },
	[SYSCTL_TCP_WINDOW_SCALING] = { "net.ipv4.tcp_window_scaling",
		"offer and accept window scaling (RFC 7323)", 0, 1 },
	[SYSCTL_TCP_FIN_TIMEOUT] = { "net.ipv4.tcp_fin_timeout",
		"seconds a closed connection waits in FIN-WAIT-2 for the peer's FIN", 1, 86400 },
	[SYSCTL_TCP_TIME_WAIT] = { "net.duet.tcp.time_wait_ms",
		"TIME-WAIT length, 2 MSL (Linux: 60 s, fixed)", 1, 3600000 },
	[SYSCTL_TCP_KEEPIDLE] = { "net.ipv4.tcp_keepalive_time",
		"idle seconds before the first keepalive probe (TCP_KEEPIDLE's default)", 1, 32767 },
	[SYSCTL_TCP_KEEPINTVL] = { "net.ipv4.tcp_keepalive_intvl",
		"seconds between keepalive probes (TCP_KEEPINTVL's default)", 1, 32767 },
	[SYSCTL_TCP_KEEPCNT] = { "net.ipv4.tcp_keepalive_probes",
		"unanswered keepalive probes before ETIMEDOUT (TCP_KEEPCNT's default)", 1, 127 },
	[SYSCTL_TCP_RTO_MIN] = { "net.duet.tcp.rto_min_ms",
		"lowest retransmission timeout (Linux: 200 ms; RFC 6298: 1 s)", 1, 60000 },
	[SYSCTL_TCP_RTO_MAX] = { "net.duet.tcp.rto_max_ms",
		"highest retransmission timeout after backoff (RFC 6298: at least 60 s)", 1000, 600000 },
	[SYSCTL_TCP_RTO_INIT] = { "net.duet.tcp.rto_initial_ms",
		"retransmission timeout before an RTT is measured (RFC 6298 2.1: 1 s)", 1, 60000 },
	[SYSCTL_TCP_DELACK] = { "net.duet.tcp.delack_ms",
		"longest an ACK waits (delayed ACK, RFC 9293 3.8.6.3: under 500 ms)", 1, 500 },
	[SYSCTL_TCP_RMEM] = { "net.duet.tcp.rmem_default",
		"SO_RCVBUF of new TCP sockets: the most a receive ring holds and the window", 4096, 1LL << 30 },
	[SYSCTL_TCP_WMEM] = { "net.duet.tcp.wmem_default",
		"SO_SNDBUF of new TCP sockets: the most a send ring holds", 4096, 1LL << 30 },
	[SYSCTL_TCP_MAX_ORPHANS] = { "net.ipv4.tcp_max_orphans",
		"closed connections still finishing; beyond, close() resets", 0, 1 << 24 },
	[SYSCTL_TCP_CC] = { "net.duet.tcp.congestion",
		"congestion control of new sockets: 0 CUBIC (RFC 9438), 1 NewReno (RFC 5681/6582)", 0, 1 },
	[SYSCTL_TCP_RFC5961] = { "net.duet.tcp.rfc5961",
		"RFC 5961 checks: challenge ACKs for in-window RST/SYN and old ACKs", 0, 1 },
	[SYSCTL_TCP_CHALLENGE_LIMIT] = { "net.ipv4.tcp_challenge_ack_limit",
		"challenge ACKs per second, stack-wide (RFC 5961 7)", 1, 1 << 24 },
	[SYSCTL_TCP_INVALID_RATELIMIT] = { "net.ipv4.tcp_invalid_ratelimit",
		"least ms between two ACKs a connection sends for unacceptable bare ACKs or SYNs, challenge ACKs too (Linux: 500)", 0, 60000 },
};

/* Where each TCP knob lives in struct tcp_knobs, and the factor between
 * the field and the knob (fin_timeout is kept in ms, named in s). */
static const struct {
	uint16_t off, scale;
} sysctl_tcp_field[SYSCTL__COUNT - SYSCTL_TCP_FIRST] = {
#define K(id, f, sc) [id - SYSCTL_TCP_FIRST] = { offsetof(struct tcp_knobs, f), sc }
	K(SYSCTL_TCP_SYN_RETRIES, syn_retries, 1),
	K(SYSCTL_TCP_SYNACK_RETRIES, synack_retries, 1),
	K(SYSCTL_TCP_RETRIES2, retries2, 1),
	K(SYSCTL_TCP_MAX_SYN_BACKLOG, max_syn_backlog, 1),
	K(SYSCTL_TCP_SOMAXCONN, somaxconn, 1),
	K(SYSCTL_TCP_SYNCOOKIES, syncookies, 1),
	K(SYSCTL_TCP_SACK, sack, 1),
	K(SYSCTL_TCP_TIMESTAMPS, timestamps, 1),
	K(SYSCTL_TCP_WINDOW_SCALING, window_scaling, 1),
	K(SYSCTL_TCP_FIN_TIMEOUT, fin_timeout_ms, 1000),
	K(SYSCTL_TCP_TIME_WAIT, time_wait_ms, 1),
	K(SYSCTL_TCP_KEEPIDLE, keepidle_s, 1),
	K(SYSCTL_TCP_KEEPINTVL, keepintvl_s, 1),
	K(SYSCTL_TCP_KEEPCNT, keepcnt, 1),
	K(SYSCTL_TCP_RTO_MIN, min_rto_ms, 1),
	K(SYSCTL_TCP_RTO_MAX, max_rto_ms, 1),
	K(SYSCTL_TCP_RTO_INIT, init_rto_ms, 1),
	K(SYSCTL_TCP_DELACK, delack_ms, 1),
	K(SYSCTL_TCP_RMEM, rmem_default, 1),
	K(SYSCTL_TCP_WMEM, wmem_default, 1),
	K(SYSCTL_TCP_MAX_ORPHANS, max_orphans, 1),
	K(SYSCTL_TCP_CC, default_cc, 1),
	K(SYSCTL_TCP_RFC5961, rfc5961, 1),
	K(SYSCTL_TCP_CHALLENGE_LIMIT, challenge_ack_limit, 1),
	K(SYSCTL_TCP_INVALID_RATELIMIT, invalid_ratelimit_ms, 1),
#undef K
};

static uint32_t *sysctl_tcp_ptr(const struct duet_stack *stack, enum sysctl_id id)
{
	struct tcp_knobs *k = tcp_knobs_of((struct duet_stack *)(uintptr_t)stack);

	return (uint32_t *)(void *)((uint8_t *)k + sysctl_tcp_field[id - SYSCTL_TCP_FIRST].off);
}

const struct duet_sysctl_info *duet_sysctl_info(size_t i)
{
	return i < SYSCTL__COUNT ? &sysctl_table[i] : NULL;
}

static int sysctl_find(const char *name)
{
	int i;

	for (i = 0; name && i < SYSCTL__COUNT; i++)
		if (strcmp(sysctl_table[i].name, name) == 0)
			return i;
	return -1;
}

static long long sysctl_read_sock(const struct sock_state *ss, enum sysctl_id id)
{
	switch (id) {
	case SYSCTL_BINDV6ONLY: return ss->bindv6only;
	case SYSCTL_PORT_FIRST: return ss->port_first;
	case SYSCTL_PORT_LAST: return ss->port_last;
	case SYSCTL_PORT_HIFIRST: return ss->port_hifirst;
	case SYSCTL_PORT_HILAST: return ss->port_hilast;
	case SYSCTL_PORT_LOWFIRST: return ss->port_lowfirst;
	case SYSCTL_PORT_LOWLAST: return ss->port_lowlast;
	case SYSCTL_PORT_RESERVED: return ss->reserved_high;
	case SYSCTL_MC_HLIM6: return ss->mc_hops6;
	case SYSCTL_MC_TTL4: return ss->mc_ttl4;
	case SYSCTL_RMEM_DEFAULT: return ss->rmem_default;
	case SYSCTL_RMEM_MAX: return ss->rmem_max;
	case SYSCTL_WMEM_DEFAULT: return ss->wmem_default;
	case SYSCTL_WMEM_MAX: return ss->wmem_max;
	case SYSCTL_SOCKETS_MAX: return ss->max_sockets;
	default: return 0;
	}
}

static void sysctl_write_sock(struct sock_state *ss, enum sysctl_id id, long long v)
{
	switch (id) {
	case SYSCTL_BINDV6ONLY: ss->bindv6only = v != 0; break;
	case SYSCTL_PORT_FIRST: ss->port_first = (uint16_t)v; break;
	case SYSCTL_PORT_LAST: ss->port_last = (uint16_t)v; break;
	case SYSCTL_PORT_HIFIRST: ss->port_hifirst = (uint16_t)v; break;
	case SYSCTL_PORT_HILAST: ss->port_hilast = (uint16_t)v; break;
	case SYSCTL_PORT_LOWFIRST: ss->port_lowfirst = (uint16_t)v; break;
	case SYSCTL_PORT_LOWLAST: ss->port_lowlast = (uint16_t)v; break;
	case SYSCTL_PORT_RESERVED: ss->reserved_high = (uint16_t)v; break;
	case SYSCTL_MC_HLIM6: ss->mc_hops6 = (uint8_t)v; break;
	case SYSCTL_MC_TTL4: ss->mc_ttl4 = (uint8_t)v; break;
	case SYSCTL_RMEM_DEFAULT: ss->rmem_default = (uint32_t)v; break;
	case SYSCTL_RMEM_MAX: ss->rmem_max = (uint32_t)v; break;
	case SYSCTL_WMEM_DEFAULT: ss->wmem_default = (uint32_t)v; break;
	case SYSCTL_WMEM_MAX: ss->wmem_max = (uint32_t)v; break;
	case SYSCTL_SOCKETS_MAX: ss->max_sockets = (uint32_t)v; break;
	default: break;
	}
}

static long long sysctl_read(const struct duet_stack *stack, enum sysctl_id id)
{
	const struct ip4_state *v4 = ip4_state_of(stack);
	const struct ip6_state *v6 = ip6_state(stack);

	switch (id) {
	case SYSCTL_IP_TTL: return stack->net->def_ttl;
	case SYSCTL_IP6_HLIM: return stack->net->def_hop_limit;
	case SYSCTL_IP_REASS_TIMEOUT: return (long long)v4->reass.cfg.timeout_ms;
	case SYSCTL_IP6_REASS_TIMEOUT: return (long long)v6->reass.cfg.timeout_ms;
	case SYSCTL_IP_REASS_MEM: return (long long)v4->reass.cfg.mem_cap_bytes;
	case SYSCTL_IP6_REASS_MEM: return (long long)v6->reass.cfg.mem_cap_bytes;
	case SYSCTL_ICMP_LIM: return v4->icmp_rl.rate_per_s;
	case SYSCTL_ICMP_BURST: return v4->icmp_rl.burst;
	case SYSCTL_ICMP6_LIM: return v6->icmp_rl.rate_per_s;
	case SYSCTL_ICMP6_BURST: return v6->icmp_rl.burst;
	case SYSCTL_IP_PMTU_EXPIRE: return (long long)v4->pmtu.cfg.expire_ms;
	case SYSCTL_IP6_PMTU_EXPIRE: return (long long)v6->pmtu.cfg.expire_ms;
	default:
		if (id >= SYSCTL_TCP_FIRST)
			return *sysctl_tcp_ptr(stack, id) /
			       sysctl_tcp_field[id - SYSCTL_TCP_FIRST].scale;
		return sysctl_read_sock(stack->sock, id);
	}
}

/* The default TTL / hop limit of every interface (but hop limits an RA set). */
static void sysctl_set_hops(struct duet_stack *stack, bool is_v6, uint8_t v)
{
	uint32_t i;

	if (is_v6)
		stack->net->def_hop_limit = v;
	else
		stack->net->def_ttl = v;
	for (i = 1; i <= stack->max_ifaces; i++) {
		struct net_if *ifp = net_if_get(stack, i);
		if (ifp && is_v6 && !ifp->has_ra_hop_limit)
			ifp->hop_limit = v;
		else if (ifp && !is_v6)
			ifp->ttl = v;
	}
}

static void sysctl_write(struct duet_stack *stack, enum sysctl_id id, long long v)
{
	struct ip4_state *v4 = ip4_state_of(stack);
	struct ip6_state *v6 = ip6_state(stack);

	switch (id) {
	case SYSCTL_IP_TTL: sysctl_set_hops(stack, false, (uint8_t)v); break;
	case SYSCTL_IP6_HLIM: sysctl_set_hops(stack, true, (uint8_t)v); break;
	case SYSCTL_IP_REASS_TIMEOUT: v4->reass.cfg.timeout_ms = (uint64_t)v; break;
	case SYSCTL_IP6_REASS_TIMEOUT: v6->reass.cfg.timeout_ms = (uint64_t)v; break;
	case SYSCTL_IP_REASS_MEM: v4->reass.cfg.mem_cap_bytes = (size_t)v; break;
	case SYSCTL_IP6_REASS_MEM: v6->reass.cfg.mem_cap_bytes = (size_t)v; break;
	case SYSCTL_ICMP_LIM: ratelimit_set(&v4->icmp_rl, (uint32_t)v, v4->icmp_rl.burst); break;
	case SYSCTL_ICMP_BURST: ratelimit_set(&v4->icmp_rl, v4->icmp_rl.rate_per_s, (uint32_t)v); break;
	case SYSCTL_ICMP6_LIM: ratelimit_set(&v6->icmp_rl, (uint32_t)v, v6->icmp_rl.burst); break;
	case SYSCTL_ICMP6_BURST: ratelimit_set(&v6->icmp_rl, v6->icmp_rl.rate_per_s, (uint32_t)v); break;
	case SYSCTL_IP_PMTU_EXPIRE: v4->pmtu.cfg.expire_ms = (uint64_t)v; break;
	case SYSCTL_IP6_PMTU_EXPIRE: v6->pmtu.cfg.expire_ms = (uint64_t)v; break;
	default:
		if (id >= SYSCTL_TCP_FIRST)
			*sysctl_tcp_ptr(stack, id) =
				(uint32_t)v * sysctl_tcp_field[id - SYSCTL_TCP_FIRST].scale;
		else
			sysctl_write_sock(stack->sock, id, v);
		break;
	}
}

int duet_sysctl_get(const struct duet_stack *stack, const char *name, long long *value)
{
	int id = sysctl_find(name);

	if (id < 0)
		return -ENOENT;
	*value = sysctl_read(stack, (enum sysctl_id)id);
	return 0;
}

int duet_sysctl_set(struct duet_stack *stack, const char *name, long long value)
{
	int id = sysctl_find(name);

	if (id < 0)
		return -ENOENT;
	if (value < sysctl_table[id].min || value > sysctl_table[id].max)
		return -EINVAL;
	sysctl_write(stack, (enum sysctl_id)id, value);
	return 0;
}

int duet_sysctl_set_text(struct duet_stack *stack, const char *assignment)
{
	const char *eq = assignment ? strchr(assignment, '=') : NULL;
	char name[64], *end;
	long long v;
	size_t n;

	if (!eq)
		return -EINVAL;
	n = (size_t)(eq - assignment);
	if (n >= sizeof(name))
		return -ENOENT;
	memcpy(name, assignment, n);
	name[n] = '\0';
	if (sysctl_find(name) < 0)
		return -ENOENT;
	errno = 0;
	v = strtoll(eq + 1, &end, 10);
	if (eq[1] == '\0' || *end != '\0' || errno == ERANGE)
		return -EINVAL;
	return duet_sysctl_set(stack, name, v);
}
