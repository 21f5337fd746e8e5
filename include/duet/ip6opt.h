/* duet — builders and parsers for IPv6 Hop-by-Hop / Destination options and
 * Type 0 Routing headers, as an application hands them to sendmsg() or gets
 * them from recvmsg() (SPEC A-5): the RFC 3542 §10 inet6_opt_* and §7
 * inet6_rth_* functions, and the obsolete RFC 2292 §6 inet6_option_* and §8
 * inet6_rthdr_* functions, under duet_ names.
 *
 * Nothing here allocates, keeps state or does I/O: every function works in
 * the caller's buffer and every pointer returned points into it. Types are
 * the host's (socklen_t, struct cmsghdr and the CMSG_* macros, struct
 * in6_addr). Headers are built and read octet by octet, so buffers need no
 * alignment, except that a pointer these functions return as a struct
 * in6_addr * may only be dereferenced when the buffer is 4-byte aligned
 * (memcpy from it otherwise). A struct cmsghdr * argument must be aligned
 * as the host requires for ancillary data.
 *
 * The Routing header built and read is Type 0 in the RFC 2460 §4.4 layout:
 * Next Header, Hdr Ext Len (twice the address count), Routing Type 0,
 * Segments Left, 32 reserved bits (zero), then the addresses. RFC 5095
 * deprecated Type 0 on the wire: a node must not send it and duet's input
 * path may refuse it, but these builders still work as RFC 3542 and RFC
 * 2292 specify. RFC 2460 dropped RFC 1883's Strict/Loose Bit Map from that
 * layout (its bits are now reserved), so every hop is loose: the RFC 2292
 * functions refuse DUET_IPV6_RTHDR_STRICT and report every hop as
 * DUET_IPV6_RTHDR_LOOSE, as the KAME libraries do. No other routing type
 * is supported: its space is 0, and every other function fails on it. */
#ifndef DUET_IP6OPT_H
#define DUET_IP6OPT_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* The padding options (RFC 8200 §4.2). */
#define DUET_IP6OPT_PAD1 0
#define DUET_IP6OPT_PADN 1

/* The largest Hop-by-Hop or Destination options header: Hdr Ext Len 255,
 * (255 + 1) * 8 octets. */
#define DUET_IP6OPT_HDR_MAX_BYTES 2048

/* Routing type 0 (RFC 2460 §4.4), and the RFC 2292 §8 hop flags. Same
 * values as glibc's IPV6_RTHDR_TYPE_0, IPV6_RTHDR_LOOSE and
 * IPV6_RTHDR_STRICT, under names that cannot collide with a host's. */
#define DUET_IPV6_RTHDR_TYPE_0 0
#define DUET_IPV6_RTHDR_LOOSE 0u
#define DUET_IPV6_RTHDR_STRICT 1u

/* The cmsg_type numbers Linux gives the RFC 2292 forms of the options
 * (its IPV6_2292HOPOPTS, IPV6_2292DSTOPTS, IPV6_2292RTHDR), which the host
 * headers need not define. The RFC 2292 functions accept these and the
 * host's RFC 3542 numbers (IPV6_HOPOPTS, IPV6_DSTOPTS, IPV6_RTHDR) alike;
 * the builders store whichever the caller chose (options) or IPV6_RTHDR
 * (duet_inet6_rthdr_init), as glibc and the KAME libraries do. */
#define DUET_IPV6_2292HOPOPTS 3
#define DUET_IPV6_2292DSTOPTS 4
#define DUET_IPV6_2292RTHDR 5

/* --- RFC 3542 §10: Hop-by-Hop and Destination options ---------------------- */

/* §10.1. Returns 2, the size of an empty options header (Next Header and
 * Hdr Ext Len). When extbuf is not NULL it also sets Hdr Ext Len (octet 1)
 * for a header of extlen octets, and fails with -1 (nothing written) when
 * extlen is not a positive multiple of 8 or exceeds
 * DUET_IP6OPT_HDR_MAX_BYTES, which Hdr Ext Len cannot express. Octet 0,
 * Next Header, is the caller's (the kernel sets it when sending). */
int duet_inet6_opt_init(void *extbuf, socklen_t extlen);

/* §10.2. Returns the header length after appending an option of type
 * (2..255: Pad1 and PadN are refused) with len (0..255) data octets whose
 * data starts at a multiple of align (1, 2, 4 or 8, and not more than
 * len) from the start of the header, after offset octets (what
 * duet_inet6_opt_init or the previous append returned). With extbuf NULL
 * only the length is computed (extlen and databufp are ignored); otherwise
 * the padding before the option is written (Pad1 for one octet, else PadN
 * with zero data), then the option's type and length octets, and
 * *databufp points to its len data octets in extbuf, for the caller or
 * duet_inet6_opt_set_val to fill. Returns -1, writing nothing, on a bad
 * argument, an offset below 2, or when the option does not fit in the
 * extlen octets of extbuf. */
int duet_inet6_opt_append(void *extbuf, socklen_t extlen, int offset, uint8_t type,
			  socklen_t len, uint8_t align, void **databufp);

/* §10.3. Returns offset rounded up to a multiple of 8, the final length of
 * the header. When extbuf is not NULL also writes the final padding (Pad1
 * or PadN) at offset. -1 (nothing written) when offset is below 2 or the
 * padding does not fit in extlen octets. */
int duet_inet6_opt_finish(void *extbuf, socklen_t extlen, int offset);

/* §10.4. Copies vallen octets from val to databuf + offset (offset 0 is
 * the first data octet of the option) and returns offset + vallen, the
 * offset of the next field. No alignment is assumed or needed. The caller
 * keeps the copy inside the option's data; nothing is checked. */
int duet_inet6_opt_set_val(void *databuf, int offset, const void *val, socklen_t vallen);

/* §10.5. Walks the options of the header in extbuf (extlen octets) from
 * offset (0 for the first option, else what the previous call of this
 * function or duet_inet6_opt_find returned), skipping Pad1 and PadN, and
 * returns the offset just past the next option, with its type in *typep,
 * its data length in *lenp and *databufp pointing to its data in extbuf.
 * Returns -1 (outputs unchanged) when no option is left, on an offset
 * below 2 (other than 0) or negative, and on a malformed header: an option
 * whose length octet or data would run past extlen. Never reads outside
 * the extlen octets. Hdr Ext Len is not consulted: extlen bounds the
 * walk. */
int duet_inet6_opt_next(void *extbuf, socklen_t extlen, int offset, uint8_t *typep,
			socklen_t *lenp, void **databufp);

/* §10.6. As duet_inet6_opt_next, but returns only an option of the given
 * type, passing over the others. type may be DUET_IP6OPT_PADN (found as
 * any option) or DUET_IP6OPT_PAD1, which is found with *lenp 0 and
 * *databufp just past its one octet (as glibc does). -1 when no such option
 * is left or the header is malformed before one is found. */
int duet_inet6_opt_find(void *extbuf, socklen_t extlen, int offset, uint8_t type,
			socklen_t *lenp, void **databufp);

/* §10.7. Copies vallen octets from databuf + offset to val and returns
 * offset + vallen. The caller keeps the read inside the option's data (the
 * length duet_inet6_opt_next or _find returned); nothing is checked. */
int duet_inet6_opt_get_val(const void *databuf, int offset, void *val, socklen_t vallen);

/* --- RFC 3542 §7: Routing header -------------------------------------------- */

/* §7.1. The octets a Routing header of type with segments addresses takes:
 * 8 + 16 * segments for DUET_IPV6_RTHDR_TYPE_0 with 0..127 segments; 0 for
 * another type or segment count. */
socklen_t duet_inet6_rth_space(int type, int segments);

/* §7.2. Starts a Routing header of type in bp (bp_len octets): the octets
 * duet_inet6_rth_space gives are zeroed, then Hdr Ext Len is set for
 * segments addresses and Routing Type to type; Segments Left stays 0 until
 * duet_inet6_rth_add counts the addresses in. Returns bp, or NULL (nothing
 * written) for bp NULL, an unsupported type or segment count, or bp_len
 * too small. */
void *duet_inet6_rth_init(void *bp, socklen_t bp_len, int type, int segments);

/* §7.3. Appends *addr to the header duet_inet6_rth_init started in bp and
 * increments Segments Left. Returns 0, or -1 (nothing written) when the
 * header is full (Segments Left already equals its address count, or
 * exceeds it), malformed (odd Hdr Ext Len) or not of type 0. The buffer
 * must hold the header Hdr Ext Len describes. */
int duet_inet6_rth_add(void *bp, const struct in6_addr *addr);

/* §7.4. Writes to out the Routing header in (which out must have room for)
 * with its addresses in reverse order and Segments Left set to their
 * count; Next Header and the reserved field are copied. in and out may be
 * the same buffer or overlap in any way. Returns 0, or -1 (out untouched)
 * when in is not a well-formed type 0 header (Hdr Ext Len must be even). */
int duet_inet6_rth_reverse(const void *in, void *out);

/* §7.5. The number of addresses in the Routing header at bp (0..127), or
 * -1 when it is not of type 0 or has an odd Hdr Ext Len. Reads the first
 * 4 octets only. */
int duet_inet6_rth_segments(const void *bp);

/* §7.6. A pointer into bp to address index (0 .. segments - 1) of the
 * Routing header at bp, or NULL on a bad index or a header
 * duet_inet6_rth_segments refuses. */
struct in6_addr *duet_inet6_rth_getaddr(const void *bp, int index);

/* --- RFC 2292 §6: Hop-by-Hop and Destination options as ancillary data --- */

/* These build one ancillary data object: a struct cmsghdr (cmsg_level
 * IPPROTO_IPV6) whose data, from CMSG_DATA(), is one options header; its
 * cmsg_len always covers the whole header, padded to a multiple of 8
 * octets. The buffer belongs to the caller, who sizes it with
 * duet_inet6_option_space: there is no buffer length in this API. */

/* §6.3.1. The buffer size for an object holding an option of nbytes
 * octets (its leading padding, type, length and data):
 * CMSG_SPACE(nbytes + 2 rounded up to 8). With several options this
 * overestimates, by a cmsghdr per extra option, as the RFC says. 0 when
 * nbytes is negative or the size overflows an int. */
int duet_inet6_option_space(int nbytes);

/* §6.3.2. Starts an empty object at bp (cmsg_len CMSG_LEN(0), level
 * IPPROTO_IPV6, cmsg_type type) and sets *cmsgp to it. type is
 * IPV6_HOPOPTS or IPV6_DSTOPTS (the host's), or DUET_IPV6_2292HOPOPTS or
 * DUET_IPV6_2292DSTOPTS. Returns 0, or -1 (nothing written) for another
 * type or a NULL argument. */
int duet_inet6_option_init(void *bp, struct cmsghdr **cmsgp, int type);

/* §6.3.3. Appends the option at typep (type octet, length octet, data: its
 * length octets are copied) so that its type octet sits at offset
 * multx * n + plusy from the start of the options header, with the least
 * padding before it, then pads the header to a multiple of 8 and updates
 * Hdr Ext Len and cmsg_len. The first option also creates the header's
 * two leading octets (Next Header is left 0 for the kernel). multx is 1,
 * 2, 4 or 8, plusy 0..7; the type 2..255 (the RFC's rule: padding is the
 * function's job). Returns 0, or -1 with the object unchanged on a bad
 * argument, an object not made by duet_inet6_option_init, or when the
 * header would exceed DUET_IP6OPT_HDR_MAX_BYTES. */
int duet_inet6_option_append(struct cmsghdr *cmsg, const uint8_t *typep, int multx,
			     int plusy);

/* §6.3.4. As duet_inet6_option_append, but reserves datalen octets (the
 * whole option: type, length and data, as glibc and KAME read the RFC;
 * 2..257) without writing them and returns a pointer to them in the
 * object, where the caller then builds the option. NULL, object unchanged,
 * on the errors of duet_inet6_option_append. */
uint8_t *duet_inet6_option_alloc(struct cmsghdr *cmsg, int datalen, int multx, int plusy);

/* §6.3.5. Steps through the options of a received (or built) object:
 * *tptrp NULL means "from the first". Returns 0 with *tptrp pointing to the
 * next option's type octet (padding options included) when one is left
 * and lies wholly inside the header; -1 with *tptrp NULL when none is
 * left; -1 with *tptrp pointing at the malformed option (non-NULL) when
 * its length runs past the header, or unchanged when *tptrp was not
 * inside the header. -1 with *tptrp unchanged when the object itself is
 * bad: level not IPPROTO_IPV6, a type duet_inet6_option_init refuses, or
 * cmsg_len too short for the header its Hdr Ext Len describes. Reads only
 * inside cmsg_len. */
int duet_inet6_option_next(const struct cmsghdr *cmsg, uint8_t **tptrp);

/* §6.3.6. As duet_inet6_option_next, but steps to the next option of the
 * given type after *tptrp: 0 with *tptrp at it, -1 with *tptrp NULL when
 * there is none, -1 with *tptrp at the malformed option that stopped the
 * search. */
int duet_inet6_option_find(const struct cmsghdr *cmsg, uint8_t **tptrp, int type);

/* --- RFC 2292 §8: Routing header as ancillary data --------------------------- */

/* An object is a struct cmsghdr (level IPPROTO_IPV6, type IPV6_RTHDR or
 * DUET_IPV6_2292RTHDR) whose data is one Type 0 Routing header of 1..23
 * addresses (RFC 2292's limit, from RFC 1883's 24-bit Strict/Loose Bit
 * Map); cmsg_len must cover the header. The parsers refuse anything else
 * and read only inside cmsg_len. */

/* §8.1. The buffer size for an object with segments addresses:
 * CMSG_SPACE(8 + 16 * segments) for DUET_IPV6_RTHDR_TYPE_0 and 1..23
 * segments, else 0. */
size_t duet_inet6_rthdr_space(int type, int segments);

/* §8.2. Starts an object at bp, which the caller sized with
 * duet_inet6_rthdr_space: level IPPROTO_IPV6, type IPV6_RTHDR, a zeroed
 * 8-octet type 0 header with no address, cmsg_len CMSG_LEN(8). Returns the
 * cmsghdr (bp), or NULL (nothing written) for bp NULL or another type. */
struct cmsghdr *duet_inet6_rthdr_init(void *bp, int type);

/* §8.3. Appends *addr as the next hop, loose: flags must be
 * DUET_IPV6_RTHDR_LOOSE (STRICT cannot be expressed, see above). Hdr Ext
 * Len, Segments Left and cmsg_len grow by one address. Returns 0, or -1
 * (object unchanged) for other flags, 23 addresses already, or an object
 * that is not one being built (Segments Left must equal the address
 * count). */
int duet_inet6_rthdr_add(struct cmsghdr *cmsg, const struct in6_addr *addr, unsigned int flags);

/* §8.4. Sets the flag of the final hop: 0 for DUET_IPV6_RTHDR_LOOSE on a
 * valid object of 1..23 addresses, else -1 (STRICT included). Writes
 * nothing: a loose hop is the layout's only kind. */
int duet_inet6_rthdr_lasthop(struct cmsghdr *cmsg, unsigned int flags);

/* §8.5. Writes to out the object in with the addresses reversed and
 * Segments Left set to their count (cmsghdr, Next Header and reserved
 * octets copied); out must have room for in's cmsg_len octets, and may be
 * in itself or overlap it. Returns 0, or -1 (out untouched) when in is not
 * a valid object. */
int duet_inet6_rthdr_reverse(const struct cmsghdr *in, struct cmsghdr *out);

/* §8.6. The number of addresses of the object (1..23), or -1 when it is
 * not a valid object. */
int duet_inet6_rthdr_segments(const struct cmsghdr *cmsg);

/* §8.7. A pointer into the object to address index, counted from 1 (1 ..
 * segments, the RFC's numbering), or NULL for another index or an invalid
 * object. */
struct in6_addr *duet_inet6_rthdr_getaddr(struct cmsghdr *cmsg, int index);

/* §8.8. The flag of hop index (0 .. segments: one more flag than
 * addresses): DUET_IPV6_RTHDR_LOOSE, or -1 for another index or an invalid
 * object. */
int duet_inet6_rthdr_getflags(const struct cmsghdr *cmsg, int index);

#endif
