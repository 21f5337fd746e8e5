/* duet — IPv4-mapped address helpers on the host's socket types (RFC 4291
 * §2.5.5.2, RFC 3493 §3.7) and a resolver with getaddrinfo() semantics
 * (RFC 3493 §6.1, POSIX, glibc's behaviour) over a hosts table (DS-9).
 *
 * Types, AI_* flags and EAI_* codes are the host's, from <netdb.h> and
 * <netinet/in.h>. Nothing here does I/O: no DNS, no files, no host
 * interfaces; names come only from the caller's struct duet_hosts, and the
 * interfaces that AI_ADDRCONFIG and interface-name zones consult are those
 * of a duet stack. */
#ifndef DUET_RESOLV_H
#define DUET_RESOLV_H

#include <netdb.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct duet_stack;

/* --- IPv4-mapped IPv6 addresses (the IN6ADDR_SETV4MAPPED job) ------------- */

/* Stores ::ffff:in in out. in may point into out. */
void duet_in6_set_v4mapped(struct in6_addr *out, const struct in_addr *in);

/* True when a is IPv4-mapped (::ffff:0:0/96). */
bool duet_in6_is_v4mapped(const struct in6_addr *a);

/* Stores the IPv4 address a maps in out and returns 0, or returns -EINVAL
 * (out unchanged) when a is not IPv4-mapped. out may point into a. */
int duet_in6_get_v4(const struct in6_addr *a, struct in_addr *out);

/* Writes the AF_INET6 form of an IPv4 socket address: sin6_family
 * AF_INET6, the port kept, ::ffff:sin_addr, flowinfo 0, scope id 0 (DS-2).
 * Reads only sin_port and sin_addr (not sin_family). in and out may be the
 * same storage (a struct sockaddr_storage converted in place). */
void duet_sockaddr_v4_to_v6(const struct sockaddr_in *in, struct sockaddr_in6 *out);

/* Writes the AF_INET form of an IPv4-mapped IPv6 socket address: the port
 * kept, the mapped IPv4 address, sin_zero cleared; flowinfo and scope id are
 * dropped. Reads only sin6_port and sin6_addr. in and out may be the same
 * storage. Returns 0, or -EINVAL (out unchanged) when sin6_addr is not
 * IPv4-mapped. */
int duet_sockaddr_v6_to_v4(const struct sockaddr_in6 *in, struct sockaddr_in *out);

/* --- the hosts table --------------------------------------------------------- */

/* Limits of a table: addresses (one per hosts line or duet_hosts_add call),
 * characters in a name (NUL excluded; the DNS limit), and names on one
 * hosts line (the canonical name and its aliases). */
#define DUET_HOSTS_MAX_ADDRS (1u << 20)
#define DUET_HOSTS_NAME_MAX 253
#define DUET_HOSTS_LINE_NAMES 32

/* Names and their addresses, both families, several addresses per name, in
 * insertion order. Names are ASCII without spaces or control characters
 * (bytes 0x21-0x7e; not '#' in hosts text) and compared without regard to
 * ASCII case. The same address may be given twice; it is then returned
 * twice, as a hosts file that repeats a line would. */
struct duet_hosts;

/* Creates an empty table in *out. Returns 0 or -ENOMEM (*out unchanged). */
int duet_hosts_create(struct duet_hosts **out);

/* Frees a table and everything it holds. NULL is allowed. */
void duet_hosts_destroy(struct duet_hosts *h);

/* Adds one address for name, which becomes the canonical name of that
 * address. family is AF_INET (addr points to a struct in_addr) or AF_INET6
 * (a struct in6_addr, scope id 0). Both are copied. Returns 0, -EINVAL (a
 * NULL argument, an empty or malformed name, or one longer than
 * DUET_HOSTS_NAME_MAX), -EAFNOSUPPORT (another family), -ENOSPC
 * (DUET_HOSTS_MAX_ADDRS reached, or 4 GiB of name text) or -ENOMEM; on
 * error the table is unchanged. */
int duet_hosts_add(struct duet_hosts *h, const char *name, int family, const void *addr);

/* As duet_hosts_add for an IPv6 address with a zone: scope_id (an interface
 * index, RFC 4007 §6) is returned as sin6_scope_id. A non-zero scope id is
 * only accepted on the addresses that need one: link-local unicast
 * fe80::/10 and interface- or link-local multicast ff01::/16, ff02::/16
 * (any flags nibble); elsewhere -EINVAL. */
int duet_hosts_add_scoped(struct duet_hosts *h, const char *name, const struct in6_addr *addr,
			  uint32_t scope_id);

/* Adds the lines of text (NUL-terminated, /etc/hosts format, hosts(5)):
 * "address canonical-name [alias ...]", fields separated by spaces or tabs,
 * "#" to the end of the line a comment, blank lines ignored, "\r\n" line
 * ends accepted. The address is a strict IPv4 dotted quad or any RFC 4291
 * IPv6 text form; an IPv6 address may carry a numeric zone, "fe80::1%2"
 * (a decimal interface index, no leading zeros, only on the scoped
 * addresses of duet_hosts_add_scoped): interface names are not accepted,
 * since a table belongs to no stack. Unlike glibc, which skips lines it
 * cannot parse, a bad line is an error: the whole text is then rejected
 * and the table left as it was. Returns how many addresses (lines) were
 * added, or -EINVAL (a malformed line: bad address, no name, a bad name, or
 * more than DUET_HOSTS_LINE_NAMES names), -ENOSPC or -ENOMEM; on error,
 * when bad_line is not NULL, *bad_line is the 1-based number of the line
 * at fault (0 on success). */
int duet_hosts_load(struct duet_hosts *h, const char *text, unsigned *bad_line);

/* How many addresses the table holds. */
size_t duet_hosts_count(const struct duet_hosts *h);

/* --- getaddrinfo ------------------------------------------------------------- */

/* Translates node and service into a list of socket addresses, as glibc's
 * getaddrinfo() does with a "files" hosts backend, returning 0 (*res set)
 * or the host's EAI_* code (*res unchanged). hosts may be NULL (no names
 * but "localhost"); stack may be NULL (see AI_ADDRCONFIG and zones).
 *
 * Checks, in glibc's order: node and service "*" mean NULL; both NULL is
 * EAI_NONAME; hints NULL means flags AI_V4MAPPED | AI_ADDRCONFIG, family
 * AF_UNSPEC; a flag outside AI_PASSIVE, AI_CANONNAME, AI_NUMERICHOST,
 * AI_NUMERICSERV, AI_V4MAPPED, AI_ALL, AI_ADDRCONFIG, AI_IDN, AI_CANONIDN
 * and glibc's two deprecated IDN flags (0x100, 0x200) is EAI_BADFLAGS, so
 * is AI_CANONNAME without a node; a family other than AF_UNSPEC, AF_INET,
 * AF_INET6 is EAI_FAMILY; then AI_ADDRCONFIG, the service, socket type and
 * protocol, the node.
 *
 * AI_ADDRCONFIG: a family counts as configured when stack has an address of
 * it other than 127.0.0.1 and ::1 (glibc's rule: other 127/8 addresses,
 * link-local, tentative and duplicate addresses count). AF_UNSPEC narrows
 * to the one family configured, or stays when both or neither are; AF_INET
 * or AF_INET6 not configured is EAI_NONAME. stack NULL: both count.
 *
 * Service: NULL or "" is port 0; text strtoul() reads completely (decimal,
 * leading white space and a sign allowed) is a number, taken modulo 65,536
 * (glibc: "65537" is port 1) unless it is negative as a C int, when it is
 * looked up as a name; anything else is a name (EAI_NONAME under
 * AI_NUMERICSERV) looked up in a built-in table of well-known services
 * with their protocols (those of Debian's /etc/services: echo 7, discard
 * 9, daytime 13, ftp 21, ssh 22, telnet 23, smtp 25, domain 53, http 80,
 * https 443, ...); an unknown name, or one without the requested protocol,
 * is EAI_SERVICE.
 *
 * Socket type and protocol pick from glibc's list: SOCK_STREAM/TCP,
 * SOCK_DGRAM/UDP, SOCK_DCCP/DCCP, SOCK_DGRAM/UDP-Lite, SOCK_STREAM/SCTP,
 * SOCK_SEQPACKET/SCTP, SOCK_RAW/any protocol: the first that matches (no
 * match: EAI_SOCKTYPE, or EAI_SERVICE when only a protocol was given). A
 * service on SOCK_RAW is EAI_SERVICE. Both 0: one entry each for
 * SOCK_STREAM, SOCK_DGRAM and SOCK_RAW (protocol 0, the port set), or for
 * a named service one per protocol it has.
 *
 * Node: NULL gives the wildcard (AI_PASSIVE) or loopback addresses of the
 * family, for AF_UNSPEC in the order glibc's RFC 6724 sort leaves them on
 * Linux: 0.0.0.0 before :: (rule 5, the loopback source's label), ::1
 * before 127.0.0.1 (rule 6). Numeric text is tried first: IPv4 in
 * inet_aton() forms ("127.1", "0x7f.0.0.1", octal parts), wholly (no
 * trailing characters); IPv6 in RFC 4291 forms, with an optional zone
 * "%zone" — an interface name of stack for link-local unicast and
 * interface/link-local multicast, else a decimal index up to 2^32 - 1
 * (leading zeros allowed, as glibc), anything else EAI_NONAME. An IPv4
 * address for AF_INET6 is mapped under AI_V4MAPPED, else EAI_ADDRFAMILY;
 * an IPv6 address for AF_INET is unmapped when IPv4-mapped, else
 * EAI_ADDRFAMILY. Non-numeric text under AI_NUMERICHOST is EAI_NONAME;
 * otherwise it is looked up in hosts. "localhost" not in the table gives
 * ::1 and 127.0.0.1 (canonical name "localhost"), as the files backend with
 * a standard /etc/hosts. A name without an address of the family is
 * EAI_NONAME (the files backend's answer, not DNS's EAI_NODATA). With
 * AI_IDN, a name with a non-ASCII byte is EAI_IDN_ENCODE (no IDNA encoder
 * is built in; glibc answers so without libidn2); ASCII names are used as
 * they are, and AI_CANONIDN returns the canonical name as stored.
 *
 * Families of a name's addresses: AF_UNSPEC all of them; AF_INET the IPv4
 * ones; AF_INET6 the IPv6 ones, with AI_V4MAPPED the IPv4 ones mapped when
 * there is no IPv6 one, with AI_V4MAPPED | AI_ALL the IPv6 ones followed by
 * every IPv4 one mapped (RFC 3493 §6.1). Order: the table's (not sorted by
 * RFC 6724, as glibc would when a name has several addresses).
 *
 * Results: per address, per socket type, one struct addrinfo: ai_flags the
 * hints' flags, ai_addr a zeroed struct sockaddr_in or sockaddr_in6 with
 * family, port, address and, for IPv6, the zone as scope id (flowinfo 0).
 * With AI_CANONNAME the first entry's ai_canonname is the canonical name
 * (the node text itself when numeric), the others' NULL. The caller owns
 * the list and frees it with duet_freeaddrinfo() (not the host's
 * freeaddrinfo()); entries may be unlinked and freed separately, as with
 * glibc, but ai_canonname is not a separate allocation.
 *
 * EAI_MEMORY when an allocation fails. res NULL: EAI_SYSTEM with errno
 * EINVAL. Never EAI_AGAIN, EAI_FAIL or EAI_NODATA (no name server). */
int duet_getaddrinfo(const struct duet_hosts *hosts, const struct duet_stack *stack,
		     const char *node, const char *service, const struct addrinfo *hints,
		     struct addrinfo **res);

/* Frees a list duet_getaddrinfo() returned, or any tail of one. NULL is
 * allowed. */
void duet_freeaddrinfo(struct addrinfo *res);

/* The text glibc's gai_strerror() gives (untranslated) for an EAI_* code,
 * "Unknown error" for other values. The string is static. */
const char *duet_gai_strerror(int code);

#endif
