/* duet tests — differential socket tests: scenarios written once as tables
 * of socket calls with Linux's results, run on duet (test_sockdiff_duet.c)
 * and on the Linux kernel's own sockets inside a network namespace
 * (test_sockdiff_linux.c); both must agree (return value, errno, option
 * value, address) except where a step says why one side differs.
 *
 * A case is a list of steps on socket slots (0..SD_SLOTS-1; slot SD_NEVER
 * is a descriptor never opened). Each step has an operation, its arguments
 * and the expected outcome `x` (Linux's, verified on Linux). A step with
 * `duet_differs` (a one-line reason) expects `dx` on duet instead; one with
 * `linux_differs` expects `lx` on Linux. A case with `skip_duet` or
 * `skip_linux` runs on the other side only. Every such reason is printed
 * when the case runs and is listed in docs/FEATURES.md.
 *
 * Both sides have the same addresses: "lo" with 127.0.0.1/8 and ::1, a main
 * interface with 10.0.0.1/24 and fd00::1/64 (no DAD), and a peer host
 * (SOCKET_PEER) at 10.0.0.2 and fd00::2 on the other end of that link. A
 * receive never blocks: a call that would wait fails with EAGAIN, as a
 * simulated duet stack does. SETTLE lets queued traffic arrive. */
#ifndef DUET_TEST_SOCKDIFF_H
#define DUET_TEST_SOCKDIFF_H

#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/types.h>

#define SD_SLOTS 8
#define SD_NEVER 9          /* a slot whose descriptor was never opened */
#define SD_NEVER_FD 900     /* ... and the number used for it */
#define SD_IF_MAIN (-1000)  /* in an interface index: the main interface's */

enum sd_op {
	SD_END = 0,
	SD_SOCKET,          /* a = domain, b = type, c = protocol; host */
	SD_CLOSE,
	SD_BIND,            /* addr; fam overrides the family; LEN */
	SD_CONNECT,         /* addr ("unspec": AF_UNSPEC); fam; LEN */
	SD_LISTEN,
	SD_ACCEPT,
	SD_SETOPT_INT,      /* level, name, a = value; LEN */
	SD_SETOPT_TV,       /* SOL_SOCKET, name, a = tv_sec, b = tv_usec; LEN */
	SD_SETOPT_MREQ6,    /* name, addr = group, a = ifindex; LEN */
	SD_SETOPT_MREQ,     /* name, addr = group, addr2 = interface address; LEN */
	SD_SETOPT_MREQN,    /* name, addr = group, addr2 = address, a = ifindex; LEN */
	SD_SETOPT_INADDR,   /* name, addr = an IPv4 address (IP_MULTICAST_IF); LEN */
	SD_SETOPT_NULL,     /* level, name, NULL value, LEN */
	SD_GETOPT_INT,      /* level, name; LEN (in); expects val, vlen (out) */
	SD_GETOPT_TV,       /* SOL_SOCKET, name; LEN; expects val = sec, val2 = usec */
	SD_GETOPT_NULL,     /* level, name, NULL value, LEN */
	SD_GETSOCKNAME,     /* expects want */
	SD_GETPEERNAME,
	SD_SENDTO,          /* data (or c bytes of 'x'), addr, a = flags; fam; LEN (address length) */
	SD_SEND,            /* data (or c bytes of 'x'), a = flags */
	SD_RECVFROM,        /* a = flags, LEN (buffer; default 2048); expects data, want */
	SD_RECV,
	SD_SHUTDOWN,        /* a = how */
	SD_SETFL,           /* F_SETFL a */
	SD_GETFL,           /* expects val = F_GETFL & (O_NONBLOCK | O_ACCMODE) */
	SD_POLL,            /* a = events; expects val = revents */
	SD_SETTLE,          /* duet: advance the simulation; Linux: a short wait */
	SD_BINDV6ONLY,      /* a: net.ipv6.bindv6only / net.inet6.ip6.bindv6only */
	SD_SENDMSG,         /* data, addr (NULL: the peer), cm = ancillary data (sockdiff_cmsg.c) */
	SD_RECVMSG,         /* b = control buffer bytes (0: none); expects data, want = the
			     * ancillary data as text, val = msg_flags & (MSG_TRUNC|MSG_CTRUNC),
			     * vlen = msg_controllen */
	SD_SETOPT_BUF,      /* level, name, cm ("hex:..." raw bytes, else objects); LEN */
	SD_GETOPT_BUF,      /* level, name; LEN (in, default 512); expects want = hex, vlen */
};

/* An expected (or observed) outcome. err 0: success, else ret -1 and this
 * errno. ret is checked when has_ret (else: SOCKET >= 0, SEND = payload
 * length, RECV = length of data, others 0). */
struct sd_expect {
	int err;
	int has_ret;
	long long ret;
	int has_val;
	long long val, val2;        /* option value; timeval sec, usec; revents */
	int has_vlen;
	long long vlen;             /* option length out (default: sizeof value) */
	const char *data;           /* RECV: payload */
	const char *want;           /* address: "10.0.0.2:5000", "[::ffff:10.0.0.2]:*" */
};

struct sd_step {
	enum sd_op op;
	int s;                      /* socket slot */
	int host;                   /* SOCKET: 0 this host, 1 the peer */
	int level, name;
	const char *what;           /* the option's name, for messages */
	long long a, b, c;
	const char *addr, *addr2, *data;
	const char *cm;             /* ancillary data / a raw option value (sockdiff_cmsg.c) */
	int has_len;
	long long len;
	int fam;                    /* family written into the sockaddr */
	struct sd_expect x;         /* Linux's result */
	const char *duet_differs;   /* why duet gives dx instead */
	struct sd_expect dx;
	const char *linux_differs;  /* why Linux gives lx instead */
	struct sd_expect lx;
};

struct sd_case {
	const char *name;
	const char *spec;           /* SPEC IDs: "DS-1 T-1" */
	const struct sd_step *steps;   /* up to an SD_END */
	const char *skip_duet;      /* why it runs on Linux only */
	const char *skip_linux;     /* why it runs on duet only */
};

/* The case tables, each ending with a case whose name is NULL. */
extern const struct sd_case sd_cases_ds[];   /* sockdiff_cases.c: dual stack, UDP */
extern const struct sd_case sd_cases_opt[];  /* sockdiff_cases_opt.c: options */
extern const struct sd_case sd_cases_adv[];  /* sockdiff_cases_adv.c: the advanced API */
extern const struct sd_case sd_cases_tcp[];  /* sockdiff_cases_tcp.c: stream sockets */

/* What a side implements: the socket calls on a host (0 or 1), plus the
 * environment. Calls return -1 with errno set, like the libc ones. */
struct sd_backend {
	const char *name;           /* "duet" or "linux" */
	int is_duet;
	void *ctx;
	int (*socket)(void *ctx, int host, int domain, int type, int protocol);
	int (*close)(void *ctx, int host, int fd);
	int (*bind)(void *ctx, int host, int fd, const struct sockaddr *sa, socklen_t len);
	int (*connect)(void *ctx, int host, int fd, const struct sockaddr *sa, socklen_t len);
	int (*listen)(void *ctx, int host, int fd, int backlog);
	int (*accept)(void *ctx, int host, int fd, struct sockaddr *sa, socklen_t *len);
	int (*setsockopt)(void *ctx, int host, int fd, int level, int name, const void *val,
			  socklen_t len);
	int (*getsockopt)(void *ctx, int host, int fd, int level, int name, void *val,
			  socklen_t *len);
	int (*getsockname)(void *ctx, int host, int fd, struct sockaddr *sa, socklen_t *len);
	int (*getpeername)(void *ctx, int host, int fd, struct sockaddr *sa, socklen_t *len);
	ssize_t (*sendto)(void *ctx, int host, int fd, const void *buf, size_t len, int flags,
			  const struct sockaddr *to, socklen_t tolen);   /* to NULL: send */
	ssize_t (*recvfrom)(void *ctx, int host, int fd, void *buf, size_t len, int flags,
			    struct sockaddr *from, socklen_t *fromlen); /* from NULL: recv */
	ssize_t (*sendmsg)(void *ctx, int host, int fd, const struct msghdr *msg, int flags);
	ssize_t (*recvmsg)(void *ctx, int host, int fd, struct msghdr *msg, int flags);
	int (*shutdown)(void *ctx, int host, int fd, int how);
	int (*fcntl)(void *ctx, int host, int fd, int cmd, int arg);
	int (*poll)(void *ctx, int host, struct pollfd *pfd);  /* one, timeout 0 */
	void (*settle)(void *ctx);
	int (*set_bindv6only)(void *ctx, int value);
	unsigned (*main_ifindex)(void *ctx, int host);
};

/* Ancillary data as a line of text (sockdiff_cmsg.c): builds a control
 * buffer (returns its length), and writes one back as text. */
size_t sd_cm_build(const char *spec, unsigned main_ifx, uint8_t *buf, size_t cap);
void sd_cm_format(const uint8_t *ctl, size_t len, unsigned main_ifx, char *out, size_t n);

/* Runs one case on a backend whose environment is fresh (no sockets). Prints
 * every mismatch as "MISMATCH <case> step <n> <call>: expected <x>, got <y>"
 * and every difference it applies as "differs (<side>) <case> step <n>:
 * <reason>" to out. Returns the number of mismatches. */
int sd_run_case(const struct sd_backend *be, const struct sd_case *c, FILE *out);

/* Calls fn for every case of every table whose name matches filter (NULL or
 * "": all; else a substring). */
void sd_for_each_case(const char *filter, void (*fn)(const struct sd_case *c, void *arg),
		      void *arg);

/* ---- the table's notation ------------------------------------------------ */

#define OK { 0 }
#define ERR(e) { .err = (e) }
#define RET(n) { .has_ret = 1, .ret = (n) }
#define VAL(v) { .has_val = 1, .val = (v) }
#define VALLEN(v, l) { .has_val = 1, .val = (v), .has_vlen = 1, .vlen = (l) }
#define TVAL(sec, usec) { .has_val = 1, .val = (sec), .val2 = (usec) }
#define TVALLEN(sec, usec, l) { .has_val = 1, .val = (sec), .val2 = (usec), .has_vlen = 1, .vlen = (l) }
#define ADDR(a) { .want = (a) }
#define DATA(d) { .data = (d) }
#define DATA_FROM(d, a) { .data = (d), .want = (a) }
#define DATA_RET(d, n) { .data = (d), .has_ret = 1, .ret = (n) }
#define REVENTS(m) { .has_val = 1, .val = (m) }

/* Optional step modifiers. */
#define LEN(n) .has_len = 1, .len = (n)
#define FAM(f) .fam = (f)
#define FLAGS(f) .a = (f)
#define DUET_DIFFERS(why, e) .duet_differs = (why), .dx = e
#define LINUX_DIFFERS(why, e) .linux_differs = (why), .lx = e

#define SOCKET(sl, d, t, p, e, ...) \
	{ .op = SD_SOCKET, .s = (sl), .a = (d), .b = (t), .c = (p), .x = e, __VA_ARGS__ }
#define SOCKET_PEER(sl, d, t, p, e, ...) \
	{ .op = SD_SOCKET, .s = (sl), .host = 1, .a = (d), .b = (t), .c = (p), .x = e, __VA_ARGS__ }
#define CLOSE(sl, e, ...) { .op = SD_CLOSE, .s = (sl), .x = e, __VA_ARGS__ }
#define BIND(sl, ad, e, ...) { .op = SD_BIND, .s = (sl), .addr = (ad), .x = e, __VA_ARGS__ }
#define CONNECT(sl, ad, e, ...) { .op = SD_CONNECT, .s = (sl), .addr = (ad), .x = e, __VA_ARGS__ }
#define LISTEN(sl, e, ...) { .op = SD_LISTEN, .s = (sl), .x = e, __VA_ARGS__ }
#define ACCEPT(sl, e, ...) { .op = SD_ACCEPT, .s = (sl), .x = e, __VA_ARGS__ }
/* accept, the new descriptor kept in slot to */
#define ACCEPT_TO(sl, to, e, ...) { .op = SD_ACCEPT, .s = (sl), .b = (to) + 1, .x = e, __VA_ARGS__ }
#define SETI(sl, lv, nm, v, e, ...) { .op = SD_SETOPT_INT, .s = (sl), .level = (lv), \
	.name = (nm), .what = #nm, .a = (v), .x = e, __VA_ARGS__ }
#define SETTV(sl, nm, sec, usec, e, ...) { .op = SD_SETOPT_TV, .s = (sl), .level = SOL_SOCKET, \
	.name = (nm), .what = #nm, .a = (sec), .b = (usec), .x = e, __VA_ARGS__ }
#define SETMREQ6(sl, nm, grp, ifx, e, ...) { .op = SD_SETOPT_MREQ6, .s = (sl), \
	.level = IPPROTO_IPV6, .name = (nm), .what = #nm, .addr = (grp), .a = (ifx), .x = e, \
	__VA_ARGS__ }
#define SETMREQ(sl, nm, grp, ifa, e, ...) { .op = SD_SETOPT_MREQ, .s = (sl), .level = IPPROTO_IP, \
	.name = (nm), .what = #nm, .addr = (grp), .addr2 = (ifa), .x = e, __VA_ARGS__ }
#define SETMREQN(sl, nm, grp, ifa, ifx, e, ...) { .op = SD_SETOPT_MREQN, .s = (sl), \
	.level = IPPROTO_IP, .name = (nm), .what = #nm, .addr = (grp), .addr2 = (ifa), \
	.a = (ifx), .x = e, __VA_ARGS__ }
#define SETINADDR(sl, nm, ad, e, ...) { .op = SD_SETOPT_INADDR, .s = (sl), .level = IPPROTO_IP, \
	.name = (nm), .what = #nm, .addr = (ad), .x = e, __VA_ARGS__ }
#define SETNULL(sl, lv, nm, n, e, ...) { .op = SD_SETOPT_NULL, .s = (sl), .level = (lv), \
	.name = (nm), .what = #nm, LEN(n), .x = e, __VA_ARGS__ }
#define GETI(sl, lv, nm, e, ...) { .op = SD_GETOPT_INT, .s = (sl), .level = (lv), .name = (nm), \
	.what = #nm, .x = e, __VA_ARGS__ }
#define GETTV(sl, nm, e, ...) { .op = SD_GETOPT_TV, .s = (sl), .level = SOL_SOCKET, \
	.name = (nm), .what = #nm, .x = e, __VA_ARGS__ }
#define GETNULL(sl, lv, nm, n, e, ...) { .op = SD_GETOPT_NULL, .s = (sl), .level = (lv), \
	.name = (nm), .what = #nm, LEN(n), .x = e, __VA_ARGS__ }
#define SOCKNAME(sl, e, ...) { .op = SD_GETSOCKNAME, .s = (sl), .x = e, __VA_ARGS__ }
#define PEERNAME(sl, e, ...) { .op = SD_GETPEERNAME, .s = (sl), .x = e, __VA_ARGS__ }
#define SENDTO(sl, d, ad, e, ...) { .op = SD_SENDTO, .s = (sl), .data = (d), .addr = (ad), \
	.x = e, __VA_ARGS__ }
#define SENDN(sl, n, ad, e, ...) { .op = SD_SENDTO, .s = (sl), .data = "", .c = (n), \
	.addr = (ad), .x = e, __VA_ARGS__ }
#define SEND(sl, d, e, ...) { .op = SD_SEND, .s = (sl), .data = (d), .x = e, __VA_ARGS__ }
#define RECVFROM(sl, e, ...) { .op = SD_RECVFROM, .s = (sl), .x = e, __VA_ARGS__ }
#define RECV(sl, e, ...) { .op = SD_RECV, .s = (sl), .x = e, __VA_ARGS__ }
#define SHUTDOWN(sl, how, e, ...) { .op = SD_SHUTDOWN, .s = (sl), .a = (how), .x = e, __VA_ARGS__ }
#define SETFL(sl, fl, e, ...) { .op = SD_SETFL, .s = (sl), .a = (fl), .x = e, __VA_ARGS__ }
#define GETFL(sl, e, ...) { .op = SD_GETFL, .s = (sl), .x = e, __VA_ARGS__ }
#define POLL(sl, ev, e, ...) { .op = SD_POLL, .s = (sl), .a = (ev), .x = e, __VA_ARGS__ }
#define SENDMSG(sl, d, ad, c, e, ...) { .op = SD_SENDMSG, .s = (sl), .data = (d), .addr = (ad), \
	.cm = (c), .x = e, __VA_ARGS__ }
#define RECVMSG(sl, cap, e, ...) { .op = SD_RECVMSG, .s = (sl), .b = (cap), .x = e, __VA_ARGS__ }
#define SETBUF(sl, lv, nm, c, e, ...) { .op = SD_SETOPT_BUF, .s = (sl), .level = (lv), \
	.name = (nm), .what = #nm, .cm = (c), .x = e, __VA_ARGS__ }
#define GETBUF(sl, lv, nm, e, ...) { .op = SD_GETOPT_BUF, .s = (sl), .level = (lv), \
	.name = (nm), .what = #nm, .x = e, __VA_ARGS__ }
/* Expectations of those: data and ancillary text; with msg_flags; an
 * option's bytes in hex. */
#define DATA_CM(d, c) { .data = (d), .want = (c) }
#define DATA_CMF(d, c, f) { .data = (d), .want = (c), .has_val = 1, .val = (f) }
#define DATA_CMFL(d, c, f, l) { .data = (d), .want = (c), .has_val = 1, .val = (f), \
	.has_vlen = 1, .vlen = (l) }
#define HEXVAL(h) { .want = (h), .has_vlen = 1, .vlen = (sizeof(h) - 1) / 2 }
#define SETTLE { .op = SD_SETTLE }
#define BINDV6ONLY_KNOB(v) { .op = SD_BINDV6ONLY, .a = (v) }
#define END { .op = SD_END }

#endif
