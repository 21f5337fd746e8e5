/* duet — fragment reassembly for IPv6 and IPv4, one engine (RFC 8200 §4.5,
 * RFC 791, RFC 815, RFC 5722 overlaps, RFC 6946 atomic fragments, RFC 7112
 * header chain), with a per-datagram fragment limit, a stack-wide memory cap
 * and the 60 s timeout.
 *
 * The engine knows nothing of where fragments come from: the IPv6 and IPv4
 * input paths parse their headers, describe each fragment (struct
 * reass_frag) and call reass_input(). Queues are keyed by (family, source,
 * destination, Identification, zone, and for IPv4 the protocol) in a hash
 * table under the stack's SipHash secret. Queues come from a fixed array
 * (max_queues), fragment bookkeeping from a fixed array per queue
 * (max_frags): nothing is allocated per fragment. Held fragments stay in the
 * packets they arrived in (one reference each); the datagram is built in one
 * new packet from the stack's pool when it completes — one copy. */
#ifndef DUET_NET_REASS_H
#define DUET_NET_REASS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <duet/pkt.h>

#include "base/timer_wheel.h"

struct duet_stack;

#define REASS_FAMILY_IPV4 4u
#define REASS_FAMILY_IPV6 6u

/* Which datagram a fragment belongs to. Build it with reass_key_v4/v6 (they
 * zero everything: the key is hashed and compared as bytes). */
struct reass_key {
	uint8_t family;          /* REASS_FAMILY_IPV4 or REASS_FAMILY_IPV6 */
	uint8_t protocol;        /* IPv4 Protocol (RFC 791 §3.2); 0 for IPv6 */
	uint8_t pad_[2];
	uint32_t id;             /* Identification: 16 bits (IPv4), 32 bits (IPv6) */
	uint32_t zone;           /* interface for scoped addresses, else 0 */
	uint8_t src[16];         /* IPv4: the first 4 bytes, the rest zero */
	uint8_t dst[16];
};

/* One received fragment, as the input path parsed it. Offsets are relative
 * to the first data byte of the packet handed to reass_input(). */
struct reass_frag {
	uint32_t offset_bytes;     /* Fragment Offset × 8 */
	bool has_more;             /* M flag (IPv6) / MF (IPv4) */
	/* RFC 7112: set by the caller on a first fragment (offset 0) whose header
	 * chain does not reach the upper-layer header. Ignored otherwise. */
	bool is_chain_incomplete;
	/* Unfragmentable part: IPv6 header + the headers before the Fragment
	 * header (the Fragment header follows it directly); IPv4 header with
	 * options. Kept from the first fragment (offset 0). */
	uint32_t unfrag_off;
	uint32_t unfrag_len;
	uint32_t payload_off;      /* fragmentable part carried by this fragment */
	uint32_t payload_len;
	/* IPv6 only: where, from the start of the unfragmentable part, the Next
	 * Header byte that announced the Fragment header (44) sits, and the
	 * Fragment header's own Next Header. */
	uint32_t nh_off;
	uint8_t next_header;
};

/* What reass_input() did. "Taken" means the engine owns the packet now. */
enum reass_verdict {
	REASS_HELD,             /* taken: queued until the datagram completes */
	REASS_COMPLETE,         /* taken: *out is the whole datagram (the caller's) */
	REASS_ATOMIC,           /* not taken: offset 0 and M 0, an atomic fragment:
				 * process it alone, as unfragmented (RFC 6946 §4) */
	REASS_DROPPED,          /* taken and dropped: counted and traced */
	/* The rejections below are counted and traced as drops, and the packet
	 * stays the caller's, to quote in the ICMPv6 error and then free with
	 * duet_pkt_free() (not stack_drop(): it is counted already). IPv4 has no
	 * ICMP for them: the IPv4 caller just frees it. */
	REASS_BAD_LENGTH,       /* non-last fragment not a multiple of 8, or empty:
				 * Parameter Problem code 0 at Payload Length */
	REASS_TOO_BIG,          /* reassembled length would exceed 65,535:
				 * Parameter Problem code 0 at Fragment Offset */
	REASS_CHAIN_INCOMPLETE, /* RFC 7112: Parameter Problem code 3, pointer 0 */
};

/* Called when a queue times out after its first fragment arrived: first is
 * that fragment, its data from the start of the unfragmentable part (the IP
 * header) through its payload, for ICMPv6 Time Exceeded code 1 (RFC 8200
 * §4.5) or ICMPv4 Time Exceeded code 1 (RFC 792). The callee owns first.
 * Runs from the stack's timer wheel, inside duet_stack_poll(). */
typedef void (*reass_time_exceeded_fn)(void *ctx, const struct reass_key *key,
				       struct duet_pkt *first);

struct reass_config {
	uint64_t timeout_ms;       /* per queue, from its first fragment (60,000) */
	uint32_t max_frags;        /* per datagram (64); more discards it */
	uint32_t max_queues;       /* datagrams in reassembly at once (1024) */
	size_t mem_cap_bytes;      /* held packet buffers, stack-wide (4 MiB) */
	reass_time_exceeded_fn time_exceeded;  /* NULL: none */
	void *ctx;
};

/* One held fragment: its payload is pkt->buf[data_off, data_off + end - start). */
struct reass_ent {
	struct duet_pkt *pkt;
	uint32_t start, end;       /* bytes of the fragmentable part */
	uint32_t data_off;
};

struct reass_queue {
	struct duet_timer timer;
	struct reass_key key;
	struct reass_ent *ents;    /* max_frags entries, sorted by start */
	int32_t hnext;             /* hash chain; -1 ends it */
	int32_t older, newer;      /* age list (creation order); free list in newer */
	uint32_t bucket;
	uint32_t nfrags;
	uint32_t have_bytes;       /* payload bytes held (fragments never overlap) */
	uint32_t max_end;          /* highest end seen */
	uint32_t total_len;        /* fragmentable length, once the last arrived */
	size_t mem_bytes;          /* buffer bytes held */
	uint32_t unfrag_head;      /* first fragment: unfragmentable part in its buf */
	uint32_t unfrag_len;
	uint32_t nh_off;
	uint8_t next_header;
	bool is_used, has_last, is_dead;
};

struct reass {
	struct duet_stack *stack;
	struct reass_config cfg;
	struct reass_queue *queues;  /* [max_queues] */
	struct reass_ent *ents;      /* [max_queues * max_frags] */
	int32_t *buckets;            /* [bucket_mask + 1] heads */
	uint32_t bucket_mask;
	int32_t free_head;           /* unused queues */
	int32_t oldest, newest;      /* used queues by age */
	uint32_t nqueues;
	size_t mem_bytes;            /* buffer bytes held by all queues */
};

/* Defaults: 60 s (RFC 8200 §4.5), 64 fragments (FreeBSD's
 * net.inet6.ip6.maxfragsperpacket), 1024 queues, 4 MiB (Linux's
 * net.ipv6.ip6frag_high_thresh), no callback. */
void reass_config_init(struct reass_config *cfg);

/* Starts an engine on stack (its pool, timers, counters and secret). The
 * queues and their bookkeeping are allocated here, once; the timers point
 * at r, which must not move until reass_fini(). Returns 0, -EINVAL
 * (a zero knob, max_frags over 8192, max_queues over 65,536) or -ENOMEM. */
int reass_init(struct reass *r, struct duet_stack *stack, const struct reass_config *cfg);

/* Frees every held fragment (not counted as drops) and the tables; cancels
 * the timers. Call before the stack is destroyed. */
void reass_fini(struct reass *r);

/* Keys (every byte not set is zero). zone: an interface index when the
 * addresses are scoped (link-local), else 0. */
void reass_key_v6(struct reass_key *key, const uint8_t src[16], const uint8_t dst[16],
		  uint32_t id, uint32_t zone);
void reass_key_v4(struct reass_key *key, const uint8_t src[4], const uint8_t dst[4],
		  uint8_t protocol, uint16_t id);

/* Feeds one fragment, in pkt, described by f (ranges inside pkt's data).
 * Ownership of pkt per the verdict (see enum reass_verdict). On
 * REASS_COMPLETE, *out is a new packet: the first fragment's unfragmentable
 * part followed by the whole fragmentable part, with the headers fixed so
 * input can go on as for an unfragmented packet: IPv6 Payload Length and
 * the Next Header byte at nh_off (the Fragment header is gone); IPv4 Total
 * Length, MF and Fragment Offset cleared (DF kept), header checksum. The
 * first fragment's ifindex and the completing fragment's time are kept.
 * now_ns arms the queue's timeout. Counts REASM_REQDS per fragment (atomic
 * ones under REASM_ATOMIC), REASM_OKS and REASM_FAILS per datagram or
 * rejected fragment, and one DROP_REASM_* per dropped packet. */
enum reass_verdict reass_input(struct reass *r, const struct reass_key *key,
			       const struct reass_frag *f, struct duet_pkt *pkt,
			       uint64_t now_ns, struct duet_pkt **out);

/* The ICMPv6 Parameter Problem Pointer for a rejection (RFC 8200 §4.5), as
 * an offset from the start of the unfragmentable part (the IPv6 header):
 * Payload Length for REASS_BAD_LENGTH, the Fragment header's Fragment Offset
 * for REASS_TOO_BIG, 0 for REASS_CHAIN_INCOMPLETE. */
uint32_t reass_param_pointer(enum reass_verdict v, const struct reass_frag *f);

/* Buffer bytes held, and datagrams being reassembled (discarded ones still
 * waiting out their timeout included). */
size_t reass_mem_bytes(const struct reass *r);
uint32_t reass_queue_count(const struct reass *r);

#endif
