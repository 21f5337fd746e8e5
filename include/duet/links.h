/* duet — the link drivers (L-1): loopback, in-memory link pairs, Linux TAP,
 * and the wrappers that stack on any link: impairment (loss, duplication,
 * reordering, delay, jitter, corruption, rate limit, MTU) and pcap capture.
 * Every constructor returns 0 or a negative errno and hands the caller a
 * struct duet_link (see duet/link.h) released with duet_link_destroy(). */
#ifndef DUET_LINKS_H
#define DUET_LINKS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <duet/link.h>

struct duet_clock;

/* Writes a locally administered unicast MAC address (I/G bit 0, U/L bit 1)
 * derived from seed: the same seed always gives the same address. */
void duet_mac_from_seed(uint64_t seed, uint8_t mac[6]);

/* ---- Loopback ------------------------------------------------------------ */

struct duet_loopback_config {
	uint32_t mtu;          /* largest IP packet; default 65536 (like Linux lo) */
	uint32_t queue_frames; /* frames waiting for poll(); default 1024 */
};

/* Fills cfg with the defaults above. */
void duet_loopback_config_init(struct duet_loopback_config *cfg);

/* Creates a loopback link (name "lo", flags LOOPBACK|MULTICAST|BROADCAST,
 * zero MAC). transmit() only queues; poll() hands the queued frames back
 * through the rx hook, so stack input never recurses into itself. A frame
 * queued during poll() waits for the next poll(). Frames larger than
 * mtu + 14 (+4 when 802.1Q tagged) or arriving at a full queue are freed and
 * counted in tx_drops. A frame that is not shared (refcnt 1) is delivered
 * as is, a shared one is copied into rx.pool (rx_drops if that fails).
 * next_deadline() is 0 while frames wait (due at once), else
 * DUET_TIME_NEVER. cfg may be NULL (defaults). Returns 0, -EINVAL (mtu
 * outside 68..65536 or queue_frames 0) or -ENOMEM. */
int duet_loopback_create(const struct duet_loopback_config *cfg, struct duet_link **out);

/* ---- Impairment model ----------------------------------------------------- */

/* What happens to each frame, in this order (one seeded generator draws
 * every decision, so the same seed and inputs give the same output):
 *   1. a frame shorter than 14 bytes or larger than mtu + 14 (+4 when
 *      802.1Q tagged) is dropped (tx_drops, rx_drops on a receive path);
 *   2. rate limit: the frame waits for the serialiser (len * 8 / rate_bps,
 *      rounded up to a whole ns; frames are serialised one after another in
 *      order). If rate_queue_frames frames are already waiting or being
 *      serialised, it is dropped (imp_rate_drops);
 *   3. loss with loss_ppm (imp_lost);
 *   4. duplication with dup_ppm (imp_duplicated): a second copy follows,
 *      in a buffer of its own from the frame's pool (none free: a drop);
 *   5. each copy independently: corruption with corrupt_ppm flips one
 *      random bit of the frame (imp_corrupted; a buffer the sender still
 *      shares is copied first, so the sender's stays intact); the copy
 *      arrives after delay_ns plus a uniform jitter in [0, jitter_ns], and
 *      with reorder_ppm it is held back reorder_delay_ns more
 *      (imp_reordered), so later frames pass it. Jitter alone may also
 *      reorder frames, as on a real path.
 * Frames in flight sit in a heap ordered by (arrival time, sequence number):
 * equal times keep their order. When capacity_frames frames are in flight a
 * new one is dropped (tx_drops / rx_drops). */
struct duet_impair_params {
	uint32_t loss_ppm;          /* 0 .. 1,000,000 */
	uint32_t dup_ppm;           /* 0 .. 1,000,000 */
	uint32_t reorder_ppm;       /* 0 .. 1,000,000; needs reorder_delay_ns > 0 */
	uint32_t corrupt_ppm;       /* 0 .. 1,000,000 */
	uint64_t delay_ns;          /* one-way delay, <= DUET_IMPAIR_MAX_DELAY_NS */
	uint64_t jitter_ns;         /* <= DUET_IMPAIR_MAX_DELAY_NS, and < 2^32 */
	uint64_t reorder_delay_ns;  /* <= DUET_IMPAIR_MAX_DELAY_NS */
	uint64_t rate_bps;          /* bits per second: 0 = unlimited, else >= 1000 */
	uint32_t rate_queue_frames; /* waiting behind the rate limit; >= 1 with a rate */
	uint32_t mtu;               /* 0 = the link's own; else 68 .. 65536 */
	uint32_t capacity_frames;   /* frames in flight, 1 .. DUET_IMPAIR_MAX_FRAMES */
};

#define DUET_IMPAIR_MAX_DELAY_NS (3600ull * 1000000000ull) /* one hour */
#define DUET_IMPAIR_MAX_FRAMES (1u << 20)

/* Fills p with a model that changes nothing: no loss, no delay, no rate,
 * the link's MTU, capacity_frames 1024, rate_queue_frames 64. */
void duet_impair_params_init(struct duet_impair_params *p);

/* Returns 0 if p is usable, else -EINVAL (a ppm above 1,000,000, a time
 * above the maximum, jitter_ns >= 2^32, reorder without a reorder delay, a
 * rate below 1000 or without a queue, an mtu outside 68..65536, capacity outside
 * 1..DUET_IMPAIR_MAX_FRAMES or rate_queue_frames above it). */
int duet_impair_params_validate(const struct duet_impair_params *p);

/* ---- In-memory link pair -------------------------------------------------- */

struct duet_memlink_config {
	const struct duet_clock *clock;        /* required: drives delivery times */
	uint32_t mtu;                          /* 68 .. 65536; 0 = the default 1500 */
	bool has_macs;                         /* use mac_a / mac_b as given ... */
	uint8_t mac_a[6], mac_b[6];
	uint64_t mac_seed;                     /* ... else derive both from this */
	const struct duet_impair_params *a_to_b; /* NULL: no impairment */
	const struct duet_impair_params *b_to_a;
	uint64_t seed_a_to_b, seed_b_to_a;     /* each direction's generator */
	const char *name_a, *name_b;           /* NULL: "mem0a", "mem0b" */
};

/* Fills cfg with the defaults (clock NULL: the caller must set it). */
void duet_memlink_config_init(struct duet_memlink_config *cfg);

/* Creates two connected endpoints *a and *b (flags BROADCAST|MULTICAST).
 * A frame transmitted on one end goes through that direction's impairment
 * model (an unimpaired direction still delivers in poll(), never inside
 * transmit()); the receiving end's poll(now) then copies each frame due by
 * now into a buffer from its own rx.pool (one copy, as a wire; the sender's
 * packet is freed) and hands it to its rx hook, with time_ns = delivery
 * time. A receiver without buffers counts rx_drops. Each end's
 * next_deadline() is the earliest arrival of frames travelling to it.
 * The impairment counters (imp_*) and refusals (MTU, frames in flight:
 * tx_drops) of a direction count on its sending end; an unimpaired
 * direction holds up to 1024 frames between polls (the default
 * capacity_frames). Frames sent while the other end is destroyed count as
 * tx_drops. The ends are destroyed separately; each destroy frees the
 * frames travelling to it.
 * Returns 0, -EINVAL (no clock, bad mtu, invalid impairment parameters) or
 * -ENOMEM; on error nothing is allocated. */
int duet_memlink_pair(const struct duet_memlink_config *cfg, struct duet_link **a,
		      struct duet_link **b);

/* ---- Impairment wrapper --------------------------------------------------- */

/* Wraps inner (any link, TAP included) in the impairment model: tx (NULL:
 * none) applies to frames the stack transmits before they reach inner, rx
 * (NULL: none) to frames inner receives before they reach the stack. The
 * tx generator is seeded with seed, the rx one with seed ^ 0x5278 ("Rx").
 * The wrapper copies inner's name, flags and MAC; its MTU is inner's, or
 * tx->mtu when smaller. It installs its own rx hook on inner (and, when attached,
 * gives inner its own rx.pool), forwards
 * poll() and next_deadline() to inner and adds its own deadlines. Delayed
 * frames leave in poll(now); clock gives transmit()'s and receive times.
 * The imp_* counters of both directions add up in the wrapper's stats. On
 * success the wrapper owns inner (destroying it destroys inner); the caller
 * may still read inner->stats. Returns 0, -EINVAL (NULL inner/clock/out,
 * invalid parameters) or -ENOMEM; on error inner is left as it was. */
int duet_impair_wrap(struct duet_link *inner, const struct duet_impair_params *tx,
		     const struct duet_impair_params *rx, uint64_t seed,
		     const struct duet_clock *clock, struct duet_link **out);

/* ---- pcap capture ----------------------------------------------------------- */

/* Classic pcap with nanosecond timestamps (magic 0xa1b23c4d, written
 * little-endian), version 2.4, LINKTYPE_ETHERNET, snaplen 262144. */
#define DUET_PCAP_SNAPLEN 262144u
#define DUET_PCAP_MAGIC_NS 0xa1b23c4du
#define DUET_PCAP_LINKTYPE_ETHERNET 1u

struct duet_pcap;

/* Creates (truncating) the file at path and writes the pcap header.
 * Returns 0, -EINVAL, -ENOMEM or the negative errno of fopen/fwrite. */
int duet_pcap_open(const char *path, struct duet_pcap **out);

/* Same on an open stream, which the writer uses but does not own (it is not
 * closed by duet_pcap_close()). */
int duet_pcap_open_file(FILE *f, struct duet_pcap **out);

/* Appends one frame stamped time_ns (nanoseconds since the epoch of the
 * clock used; a virtual clock's 0 shows as 1970-01-01). At most snaplen
 * bytes are stored; the record keeps the original length. The stream is
 * flushed so readers see the frame at once. Returns 0 or a negative errno
 * (the first write error sticks: later calls return it). */
int duet_pcap_write(struct duet_pcap *pc, uint64_t time_ns, const uint8_t *frame,
		    uint32_t len);

/* Flushes and releases the writer (closing the file it opened). Returns 0
 * or the sticky write error. NULL allowed. */
int duet_pcap_close(struct duet_pcap *pc);

/* Wraps inner so every frame the stack transmits (before inner sees it) and
 * every frame inner delivers (before the stack sees it) is appended to a
 * pcap file at path (or, with duet_pcap_wrap_file, to the stream f, not
 * owned), stamped with clock. Everything else passes through: name, MTU,
 * flags, MAC are inner's; poll() and next_deadline() are inner's; the
 * wrapper installs its rx hook on inner and, when attached, gives inner
 * its own rx.pool. Write errors do not stop traffic. On success the wrapper owns
 * inner. Returns 0, -EINVAL, -ENOMEM or an open error; on error inner is
 * left as it was. */
int duet_pcap_wrap(struct duet_link *inner, const char *path, const struct duet_clock *clock,
		   struct duet_link **out);
int duet_pcap_wrap_file(struct duet_link *inner, FILE *f, const struct duet_clock *clock,
			struct duet_link **out);

/* ---- Linux TAP ------------------------------------------------------------ */

/* Maximum frames one poll() reads from the TAP device. */
#define DUET_TAP_RX_BATCH 64u

/* Opens /dev/net/tun as a TAP device (IFF_TAP|IFF_NO_PI) named ifname
 * (created if missing; NULL or "" lets the kernel pick "tapN"), non-blocking.
 * link->name is the device's name, mtu its MTU (SIOCGIFMTU, else 1500),
 * flags BROADCAST|MULTICAST, hwaddr a random locally administered address
 * (the caller may overwrite it, e.g. with duet_mac_from_seed(), before use).
 * The device is not brought up: its kernel side is configured outside duet.
 * poll() reads up to DUET_TAP_RX_BATCH frames (until EAGAIN) straight into
 * rx.pool buffers and delivers them (no buffer: the frame is read and
 * counted in rx_drops); transmit() writes each frame (EAGAIN, errors and
 * oversize frames count tx_drops). next_deadline() is DUET_TIME_NEVER: the
 * host runtime waits on duet_tap_fd() and polls when it is readable.
 * Returns 0, -EINVAL (name too long, or an existing device that is not a
 * TAP), -EPERM/-EACCES (no CAP_NET_ADMIN or no access to /dev/net/tun),
 * -ENODEV (no TUN driver), -EBUSY (the device is in use), -ENOMEM, or
 * another open/ioctl errno. */
int duet_tap_open(const char *ifname, struct duet_link **out);

/* duet_tap_open with flags: */
#define DUET_TAP_F_OFFLOAD 0x1u  /* IFF_VNET_HDR: the kernel may hand over
				  * TCP segments up to 64 KiB (TSO4/TSO6, a
				  * frame beyond the MTU) and checksums left
				  * partial (CSUM), which the link completes;
				  * frames go out with an empty header.
				  * Captures on the kernel side then show those
				  * partial checksums: for benchmarks. */
int duet_tap_open_ex(const char *ifname, unsigned flags, struct duet_link **out);

/* The TAP link's file descriptor (for epoll), or -1 if link is not a TAP. */
int duet_tap_fd(const struct duet_link *link);

#endif
