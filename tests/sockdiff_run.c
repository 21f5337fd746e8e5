/* duet tests — the differential runner: executes a case's steps on a
 * backend (duet or Linux) and compares each result with the table. */
#include "sockdiff.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#define SD_BUF 2048

/* One run of a case: the slots' descriptors and hosts. */
struct sd_run {
	const struct sd_backend *be;
	const struct sd_case *c;
	FILE *out;
	int fd[SD_SLOTS], host[SD_SLOTS];
	int is_open[SD_SLOTS];
	int mismatches;
};

/* What a step gave. */
struct sd_got {
	long long ret;
	int err;
	long long val, val2, vlen;
	struct sockaddr_storage sa;
	socklen_t salen;
	char data[SD_BUF];
	size_t ndata;
	char cm[1024];           /* RECVMSG's ancillary data, GETOPT_BUF's bytes, as text */
};

static const char *sd_errname(int e)
{
	const char *n = e ? strerrorname_np(e) : "0";

	return n ? n : "E?";
}

static long long sd_ifx(const struct sd_run *r, int host, long long v)
{
	return v == SD_IF_MAIN ? (long long)r->be->main_ifindex(r->be->ctx, host) : v;
}

/* Parses "a.b.c.d:port", "[v6]:port" or "[v6%scope]:port" (scope "main":
 * the main interface) into ss; port "*" parses as 0 and sets *is_eph.
 * "unspec" is an AF_UNSPEC address. Returns the natural length, or 0. */
static socklen_t sd_parse(const struct sd_run *r, int host, const char *text,
			  struct sockaddr_storage *ss, int *is_eph)
{
	char buf[96], *port, *pct;
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	*is_eph = 0;
	if (strcmp(text, "unspec") == 0) {
		ss->ss_family = AF_UNSPEC;
		return sizeof(struct sockaddr_in6);
	}
	if (strlen(text) >= sizeof(buf))
		return 0;
	strcpy(buf, text);
	if (buf[0] == '[') {
		char *close = strchr(buf, ']');
		if (!close || close[1] != ':')
			return 0;
		*close = '\0';
		port = close + 2;
		pct = strchr(buf, '%');
		if (pct) {
			*pct = '\0';
			s6->sin6_scope_id = (uint32_t)(strcmp(pct + 1, "main") == 0 ?
				sd_ifx(r, host, SD_IF_MAIN) : strtol(pct + 1, NULL, 10));
		}
		if (inet_pton(AF_INET6, buf + 1, &s6->sin6_addr) != 1)
			return 0;
		s6->sin6_family = AF_INET6;
		*is_eph = strcmp(port, "*") == 0;
		s6->sin6_port = htons((uint16_t)atoi(port));
		return sizeof(*s6);
	}
	port = strrchr(buf, ':');
	if (!port)
		return 0;
	*port++ = '\0';
	if (inet_pton(AF_INET, buf, &s4->sin_addr) != 1)
		return 0;
	s4->sin_family = AF_INET;
	*is_eph = strcmp(port, "*") == 0;
	s4->sin_port = htons((uint16_t)atoi(port));
	return sizeof(*s4);
}

/* An address as text, in the table's notation (with flowinfo / scope when
 * set, and the length when it is not the family's). */
static void sd_format_addr(const struct sockaddr_storage *ss, socklen_t len, char *out, size_t n)
{
	const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;
	const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;
	char a[INET6_ADDRSTRLEN];

	if (ss->ss_family == AF_INET && len == sizeof(*s4)) {
		inet_ntop(AF_INET, &s4->sin_addr, a, sizeof(a));
		snprintf(out, n, "%s:%u", a, ntohs(s4->sin_port));
	} else if (ss->ss_family == AF_INET6 && len == sizeof(*s6)) {
		inet_ntop(AF_INET6, &s6->sin6_addr, a, sizeof(a));
		snprintf(out, n, "[%s%%%u]:%u flowinfo %u", a, s6->sin6_scope_id,
			 ntohs(s6->sin6_port), ntohl(s6->sin6_flowinfo));
	} else {
		snprintf(out, n, "family %d length %u", ss->ss_family, (unsigned)len);
	}
}

/* Whether the address got matches the table's text. */
static int sd_addr_match(const struct sd_run *r, int host, const char *want,
			 const struct sockaddr_storage *got, socklen_t len)
{
	struct sockaddr_storage w;
	int is_eph;
	socklen_t wlen = sd_parse(r, host, want, &w, &is_eph);
	const struct sockaddr_in *g4 = (const struct sockaddr_in *)got, *w4 = (void *)&w;
	const struct sockaddr_in6 *g6 = (const struct sockaddr_in6 *)got, *w6 = (void *)&w;

	if (wlen == 0 || len != wlen || got->ss_family != w.ss_family)
		return 0;
	if (w.ss_family == AF_INET)
		return g4->sin_addr.s_addr == w4->sin_addr.s_addr &&
		       (is_eph ? g4->sin_port != 0 : g4->sin_port == w4->sin_port);
	/* DS-2: flowinfo 0, scope 0 unless the table names a scope. */
	return memcmp(&g6->sin6_addr, &w6->sin6_addr, 16) == 0 && g6->sin6_flowinfo == 0 &&
	       g6->sin6_scope_id == w6->sin6_scope_id &&
	       (is_eph ? g6->sin6_port != 0 : g6->sin6_port == w6->sin6_port);
}

static void sd_describe(const struct sd_step *st, char *out, size_t n)
{
	static const char *const names[] = {
		[SD_SOCKET] = "socket", [SD_CLOSE] = "close", [SD_BIND] = "bind",
		[SD_CONNECT] = "connect", [SD_LISTEN] = "listen", [SD_ACCEPT] = "accept",
		[SD_SETOPT_INT] = "setsockopt", [SD_SETOPT_TV] = "setsockopt(timeval)",
		[SD_SETOPT_MREQ6] = "setsockopt(ipv6_mreq)", [SD_SETOPT_MREQ] = "setsockopt(ip_mreq)",
		[SD_SETOPT_MREQN] = "setsockopt(ip_mreqn)", [SD_SETOPT_INADDR] = "setsockopt(in_addr)",
		[SD_SETOPT_NULL] = "setsockopt(NULL)", [SD_GETOPT_INT] = "getsockopt",
		[SD_GETOPT_TV] = "getsockopt(timeval)", [SD_GETOPT_NULL] = "getsockopt(NULL)",
		[SD_GETSOCKNAME] = "getsockname", [SD_GETPEERNAME] = "getpeername",
		[SD_SENDTO] = "sendto", [SD_SEND] = "send", [SD_RECVFROM] = "recvfrom",
		[SD_RECV] = "recv", [SD_SHUTDOWN] = "shutdown", [SD_SETFL] = "fcntl(F_SETFL)",
		[SD_GETFL] = "fcntl(F_GETFL)", [SD_POLL] = "poll", [SD_SETTLE] = "settle",
		[SD_BINDV6ONLY] = "bindv6only knob", [SD_SENDMSG] = "sendmsg",
		[SD_RECVMSG] = "recvmsg", [SD_SETOPT_BUF] = "setsockopt(buffer)",
		[SD_GETOPT_BUF] = "getsockopt(buffer)",
	};
	int k = snprintf(out, n, "%s(s%d", names[st->op], st->s);

	if (st->what)
		k += snprintf(out + k, n - (size_t)k, ", %s", st->what);
	if (st->op == SD_SOCKET)
		k += snprintf(out + k, n - (size_t)k, ", %lld, %#llx, %lld%s", st->a, st->b, st->c,
			      st->host ? ", peer" : "");
	else if (st->op == SD_SETOPT_INT || st->op == SD_SETOPT_TV || st->op == SD_SETOPT_MREQ6 ||
		 st->op == SD_SHUTDOWN || st->op == SD_POLL || st->op == SD_SETFL ||
		 st->op == SD_BINDV6ONLY)
		k += snprintf(out + k, n - (size_t)k, ", %lld", st->a);
	if (st->addr)
		k += snprintf(out + k, n - (size_t)k, ", \"%s\"", st->addr);
	if (st->cm)
		k += snprintf(out + k, n - (size_t)k, ", [%s]", st->cm);
	if (st->data && (st->op == SD_SEND || st->op == SD_SENDTO || st->op == SD_SENDMSG))
		k += snprintf(out + k, n - (size_t)k, ", \"%s\"", st->data);
	if (st->has_len)
		k += snprintf(out + k, n - (size_t)k, ", len %lld", st->len);
	snprintf(out + k, n - (size_t)k, ")");
}

static void sd_mismatch(struct sd_run *r, int i, const struct sd_step *st, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void sd_mismatch(struct sd_run *r, int i, const struct sd_step *st, const char *fmt, ...)
{
	char call[256];
	va_list ap;

	sd_describe(st, call, sizeof(call));
	fprintf(r->out, "  MISMATCH (%s) %s step %d %s: ", r->be->name, r->c->name, i + 1, call);
	va_start(ap, fmt);
	vfprintf(r->out, fmt, ap);
	va_end(ap);
	fputc('\n', r->out);
	r->mismatches++;
}

static int sd_fd(struct sd_run *r, int slot, int *host)
{
	if (slot == SD_NEVER) {
		*host = 0;
		return SD_NEVER_FD;
	}
	*host = r->host[slot];
	return r->fd[slot];
}

/* Executes the option-setting steps. */
static void sd_exec_setopt(struct sd_run *r, const struct sd_step *st, int host, int fd,
			   struct sd_got *g)
{
	union {
		int i;
		struct timeval tv;
		struct ipv6_mreq m6;
		struct ip_mreq m;
		struct ip_mreqn mn;
		struct in_addr in;
		char pad[64];
	} u;
	struct sockaddr_storage ss;
	const void *val = &u;
	socklen_t len = 0;
	int eph;

	memset(&u, 0, sizeof(u));
	switch (st->op) {
	case SD_SETOPT_INT:
		u.i = (int)sd_ifx(r, host, st->a);
		len = sizeof(u.i);
		break;
	case SD_SETOPT_TV:
		u.tv.tv_sec = (time_t)st->a;
		u.tv.tv_usec = (suseconds_t)st->b;
		len = sizeof(u.tv);
		break;
	case SD_SETOPT_MREQ6:
		if (inet_pton(AF_INET6, st->addr, &u.m6.ipv6mr_multiaddr) != 1)
			abort();
		u.m6.ipv6mr_interface = (unsigned)sd_ifx(r, host, st->a);
		len = sizeof(u.m6);
		break;
	case SD_SETOPT_MREQ:
	case SD_SETOPT_MREQN:
		if (inet_pton(AF_INET, st->addr, &u.m.imr_multiaddr) != 1 ||
		    inet_pton(AF_INET, st->addr2, &u.m.imr_interface) != 1)
			abort();
		len = sizeof(u.m);
		if (st->op == SD_SETOPT_MREQN) {
			u.mn.imr_ifindex = (int)sd_ifx(r, host, st->a);
			len = sizeof(u.mn);
		}
		break;
	case SD_SETOPT_INADDR:
		if (sd_parse(r, host, st->addr, &ss, &eph) == 0)
			abort();
		u.in = ((struct sockaddr_in *)&ss)->sin_addr;
		len = sizeof(u.in);
		break;
	default: /* SD_SETOPT_NULL */
		val = NULL;
		break;
	}
	if (st->has_len)
		len = (socklen_t)st->len;
	errno = 0;
	g->ret = r->be->setsockopt(r->be->ctx, host, fd, st->level, st->name, val, len);
	g->err = g->ret < 0 ? errno : 0;
}

static void sd_exec_getopt(struct sd_run *r, const struct sd_step *st, int host, int fd,
			   struct sd_got *g)
{
	union { int i; struct timeval tv; char pad[64]; } u;
	socklen_t len = st->op == SD_GETOPT_TV ? sizeof(u.tv) : sizeof(u.i);

	memset(&u, 0, sizeof(u));
	if (st->has_len)
		len = (socklen_t)st->len;
	errno = 0;
	g->ret = r->be->getsockopt(r->be->ctx, host, fd, st->level, st->name,
				   st->op == SD_GETOPT_NULL ? NULL : &u, &len);
	g->err = g->ret < 0 ? errno : 0;
	g->vlen = len;
	if (st->op == SD_GETOPT_TV) {
		g->val = u.tv.tv_sec;
		g->val2 = u.tv.tv_usec;
	} else {
		g->val = u.i;
	}
}

/* A payload written "hex:..." ("??" matches any octet on receive):
 * decoded into out (mask: 0 where any octet matches). Returns its length. */
static size_t sd_hex(const char *t, uint8_t *out, uint8_t *mask, size_t cap)
{
	size_t n = 0;

	for (t += 4; t[0] && t[1] && n < cap; t += 2, n++) {
		char b[3] = { t[0], t[1], 0 };
		if (mask)
			mask[n] = t[0] != '?';
		out[n] = t[0] == '?' ? 0 : (uint8_t)strtoul(b, NULL, 16);
	}
	return n;
}

static int sd_is_hex(const char *d)
{
	return d && strncmp(d, "hex:", 4) == 0;
}

/* sendmsg with the step's ancillary data; recvmsg with a control buffer
 * of st->b bytes, the objects written back as text. */
static void sd_exec_msg(struct sd_run *r, const struct sd_step *st, int host, int fd,
			struct sd_got *g)
{
	static uint8_t ctl[4096];
	struct sockaddr_storage ss;
	struct iovec iov;
	struct msghdr msg;
	unsigned mi = r->be->main_ifindex(r->be->ctx, host);
	int eph;

	memset(&msg, 0, sizeof(msg));
	memset(ctl, 0, sizeof(ctl));
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	errno = 0;
	if (st->op == SD_SENDMSG) {
		static uint8_t hexbuf[2048];
		iov.iov_base = (void *)st->data;
		iov.iov_len = strlen(st->data);
		if (sd_is_hex(st->data)) {
			iov.iov_base = hexbuf;
			iov.iov_len = sd_hex(st->data, hexbuf, NULL, sizeof(hexbuf));
		}
		if (st->addr) {
			msg.msg_namelen = sd_parse(r, host, st->addr, &ss, &eph);
			if (!msg.msg_namelen)
				abort();
			msg.msg_name = &ss;
		}
		msg.msg_controllen = st->cm ? sd_cm_build(st->cm, mi, ctl, sizeof(ctl)) : 0;
		msg.msg_control = msg.msg_controllen ? ctl : NULL;
		if (st->has_len)
			msg.msg_controllen = (size_t)st->len;
		g->ret = r->be->sendmsg(r->be->ctx, host, fd, &msg, (int)st->a);
		g->err = g->ret < 0 ? errno : 0;
		return;
	}
	iov.iov_base = g->data;
	iov.iov_len = sizeof(g->data);
	msg.msg_control = st->b ? ctl : NULL;
	msg.msg_controllen = (size_t)st->b;
	g->ret = r->be->recvmsg(r->be->ctx, host, fd, &msg, (int)st->a);
	g->err = g->ret < 0 ? errno : 0;
	g->ndata = g->ret > 0 ? (size_t)g->ret : 0;
	g->val = msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC);
	g->vlen = (long long)msg.msg_controllen;
	if (g->ret >= 0)
		sd_cm_format(ctl, msg.msg_controllen, mi, g->cm, sizeof(g->cm));
}

/* setsockopt with a buffer ("hex:..." or ancillary objects); getsockopt
 * of one, its bytes as hex. */
static void sd_exec_buf(struct sd_run *r, const struct sd_step *st, int host, int fd,
			struct sd_got *g)
{
	uint8_t buf[2048];
	socklen_t len;
	size_t i, k = 0;

	memset(buf, 0, sizeof(buf));
	errno = 0;
	if (st->op == SD_SETOPT_BUF) {
		if (strncmp(st->cm, "hex:", 4) == 0) {
			const char *t = st->cm + 4;
			for (len = 0; t[0] && t[1]; t += 2) {
				char b[3] = { t[0], t[1], 0 };
				buf[len++] = (uint8_t)strtoul(b, NULL, 16);
			}
		} else {
			len = (socklen_t)sd_cm_build(st->cm, r->be->main_ifindex(r->be->ctx, host),
						     buf, sizeof(buf));
		}
		if (st->has_len)
			len = (socklen_t)st->len;
		g->ret = r->be->setsockopt(r->be->ctx, host, fd, st->level, st->name, buf, len);
		g->err = g->ret < 0 ? errno : 0;
		return;
	}
	len = st->has_len ? (socklen_t)st->len : 512;
	g->ret = r->be->getsockopt(r->be->ctx, host, fd, st->level, st->name, buf, &len);
	g->err = g->ret < 0 ? errno : 0;
	g->vlen = len;
	for (i = 0; g->ret == 0 && i < len && k + 3 < sizeof(g->cm); i++)
		k += (size_t)snprintf(g->cm + k, sizeof(g->cm) - k, "%02x", buf[i]);
}

/* A send's bytes: the step's text, or c bytes of 'x' (SENDN). */
static const void *sd_payload(const struct sd_step *st)
{
	static char big[70000];

	if (st->c <= 0)
		return st->data;
	memset(big, 'x', sizeof(big));
	return big;
}

static size_t sd_payload_len(const struct sd_step *st)
{
	return st->c > 0 ? (size_t)st->c : strlen(st->data);
}

static void sd_exec_addr(struct sd_run *r, const struct sd_step *st, int host, int fd,
			 struct sd_got *g)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int eph;

	len = sd_parse(r, host, st->addr, &ss, &eph);
	if (len == 0)
		abort();   /* a table typo */
	if (st->fam)
		ss.ss_family = (sa_family_t)st->fam;
	if (st->has_len)
		len = (socklen_t)st->len;
	errno = 0;
	if (st->op == SD_BIND)
		g->ret = r->be->bind(r->be->ctx, host, fd, (struct sockaddr *)&ss, len);
	else if (st->op == SD_CONNECT)
		g->ret = r->be->connect(r->be->ctx, host, fd, (struct sockaddr *)&ss, len);
	else
		g->ret = r->be->sendto(r->be->ctx, host, fd, sd_payload(st), sd_payload_len(st),
				       (int)st->a, (struct sockaddr *)&ss, len);
	g->err = g->ret < 0 ? errno : 0;
}

static void sd_exec(struct sd_run *r, const struct sd_step *st, struct sd_got *g)
{
	const struct sd_backend *be = r->be;
	struct pollfd pfd;
	int host = 0, fd = st->op == SD_SOCKET ? -1 : sd_fd(r, st->s, &host);
	size_t blen;

	errno = 0;
	g->salen = sizeof(g->sa);
	switch (st->op) {
	case SD_SOCKET:
		host = st->host;
		g->ret = be->socket(be->ctx, host, (int)st->a, (int)st->b, (int)st->c);
		if (g->ret >= 0) {
			r->fd[st->s] = (int)g->ret;
			r->host[st->s] = host;
			r->is_open[st->s] = 1;
		}
		break;
	case SD_CLOSE:
		g->ret = be->close(be->ctx, host, fd);
		if (g->ret == 0 && st->s != SD_NEVER)
			r->is_open[st->s] = 0;   /* its number stays: a closed descriptor */
		break;
	case SD_BIND:
	case SD_CONNECT:
	case SD_SENDTO:
		sd_exec_addr(r, st, host, fd, g);
		return;
	case SD_LISTEN:
		g->ret = be->listen(be->ctx, host, fd, 5);
		break;
	case SD_ACCEPT:
		g->ret = be->accept(be->ctx, host, fd, (struct sockaddr *)&g->sa, &g->salen);
		if (g->ret >= 0 && st->b > 0) { /* ACCEPT_TO: the new socket takes a slot */
			r->fd[st->b - 1] = (int)g->ret;
			r->host[st->b - 1] = host;
			r->is_open[st->b - 1] = 1;
		}
		break;
	case SD_SETOPT_INT: case SD_SETOPT_TV: case SD_SETOPT_MREQ6: case SD_SETOPT_MREQ:
	case SD_SETOPT_MREQN: case SD_SETOPT_INADDR: case SD_SETOPT_NULL:
		sd_exec_setopt(r, st, host, fd, g);
		return;
	case SD_GETOPT_INT: case SD_GETOPT_TV: case SD_GETOPT_NULL:
		sd_exec_getopt(r, st, host, fd, g);
		return;
	case SD_GETSOCKNAME:
		g->ret = be->getsockname(be->ctx, host, fd, (struct sockaddr *)&g->sa, &g->salen);
		break;
	case SD_GETPEERNAME:
		g->ret = be->getpeername(be->ctx, host, fd, (struct sockaddr *)&g->sa, &g->salen);
		break;
	case SD_SEND:
		g->ret = be->sendto(be->ctx, host, fd, sd_payload(st), sd_payload_len(st),
				    (int)st->a, NULL, 0);
		break;
	case SD_RECVFROM:
	case SD_RECV:
		blen = st->has_len ? (size_t)st->len : sizeof(g->data);
		g->ret = be->recvfrom(be->ctx, host, fd, g->data, blen, (int)st->a,
				      st->op == SD_RECVFROM ? (struct sockaddr *)&g->sa : NULL,
				      st->op == SD_RECVFROM ? &g->salen : NULL);
		g->ndata = g->ret > 0 ? (size_t)g->ret : 0;
		if (g->ndata > blen)
			g->ndata = blen;   /* MSG_TRUNC: the whole length, the buffer's bytes */
		break;
	case SD_SHUTDOWN:
		g->ret = be->shutdown(be->ctx, host, fd, (int)st->a);
		break;
	case SD_SETFL:
		g->ret = be->fcntl(be->ctx, host, fd, F_SETFL, (int)st->a);
		break;
	case SD_GETFL:
		g->ret = be->fcntl(be->ctx, host, fd, F_GETFL, 0);
		g->val = g->ret & (O_NONBLOCK | O_ACCMODE);
		break;
	case SD_POLL:
		pfd.fd = fd;
		pfd.events = (short)st->a;
		pfd.revents = 0;
		g->ret = be->poll(be->ctx, host, &pfd);
		g->val = pfd.revents;
		break;
	case SD_SETTLE:
		be->settle(be->ctx);
		g->ret = 0;
		break;
	case SD_BINDV6ONLY:
		g->ret = be->set_bindv6only(be->ctx, (int)st->a);
		break;
	case SD_SENDMSG:
	case SD_RECVMSG:
		sd_exec_msg(r, st, host, fd, g);
		return;
	case SD_SETOPT_BUF:
	case SD_GETOPT_BUF:
		sd_exec_buf(r, st, host, fd, g);
		return;
	case SD_END:
		break;
	}
	g->err = g->ret < 0 ? errno : 0;
}

/* The return value a success should have when the table gives none. */
static long long sd_default_ret(const struct sd_step *st, const struct sd_expect *x)
{
	switch (st->op) {
	case SD_SEND:
	case SD_SENDTO:
		return (long long)sd_payload_len(st);
	case SD_SENDMSG:
		if (sd_is_hex(st->data)) {
			uint8_t b[2048];
			return (long long)sd_hex(st->data, b, NULL, sizeof(b));
		}
		return (long long)strlen(st->data);
	case SD_RECV:
	case SD_RECVFROM:
	case SD_RECVMSG:
		if (sd_is_hex(x->data)) {
			uint8_t b[2048];
			return (long long)sd_hex(x->data, b, NULL, sizeof(b));
		}
		return x->data ? (long long)strlen(x->data) : 0;
	case SD_POLL:
		return x->has_val && x->val ? 1 : 0;
	default:
		return 0;
	}
}

/* Compares one step's result with x; reports what differs. */
static void sd_compare(struct sd_run *r, int i, const struct sd_step *st,
		       const struct sd_expect *x, const struct sd_got *g)
{
	char buf[160];
	int host = st->op == SD_SOCKET ? st->host : (st->s == SD_NEVER ? 0 : r->host[st->s]);

	if (x->err || g->err || g->ret < 0) {
		if (x->err != g->err || (x->err && g->ret != -1))
			sd_mismatch(r, i, st, "expected %s, got ret %lld errno %s (value %lld/%lld length %lld)",
				    x->err ? sd_errname(x->err) : "success", g->ret,
				    sd_errname(g->err), g->val, g->val2, g->vlen);
		return;
	}
	if (st->op == SD_SOCKET && !x->has_ret)
		return;   /* any descriptor */
	if ((st->op != SD_GETFL || x->has_ret) &&   /* F_GETFL: the value is checked */
	    (st->op != SD_ACCEPT || x->has_ret) &&  /* accept: any descriptor */
	    g->ret != (x->has_ret ? x->ret : sd_default_ret(st, x)))
		sd_mismatch(r, i, st, "expected ret %lld, got %lld",
			    x->has_ret ? x->ret : sd_default_ret(st, x), g->ret);
	if (x->has_val && (st->op == SD_GETOPT_INT || st->op == SD_GETOPT_TV ||
			   st->op == SD_POLL || st->op == SD_GETFL)) {
		long long want = st->op == SD_GETOPT_INT ? sd_ifx(r, host, x->val) : x->val;
		if (g->val != want || (st->op == SD_GETOPT_TV && g->val2 != x->val2))
			sd_mismatch(r, i, st, "expected value %lld/%lld, got %lld/%lld", want,
				    x->val2, g->val, g->val2);
	}
	if (st->op == SD_GETOPT_INT || st->op == SD_GETOPT_TV) {
		long long want = x->has_vlen ? x->vlen :
			st->op == SD_GETOPT_TV ? (long long)sizeof(struct timeval) : (long long)sizeof(int);
		if (g->vlen != want)
			sd_mismatch(r, i, st, "expected length %lld, got %lld", want, g->vlen);
	}
	if (st->op == SD_RECVMSG || st->op == SD_GETOPT_BUF) {
		if (x->want && strcmp(x->want, g->cm) != 0)
			sd_mismatch(r, i, st, "expected [%s], got [%s]", x->want, g->cm);
		if (st->op == SD_RECVMSG && x->has_val && g->val != x->val)
			sd_mismatch(r, i, st, "expected msg_flags %#llx, got %#llx", x->val, g->val);
		if (x->has_vlen && g->vlen != x->vlen)
			sd_mismatch(r, i, st, "expected length %lld, got %lld", x->vlen, g->vlen);
	}
	if (st->op == SD_RECVMSG && sd_is_hex(x->data)) {
		uint8_t b[SD_BUF], m[SD_BUF];
		size_t n = sd_hex(x->data, b, m, sizeof(b)), k;
		for (k = 0; k < n && k < g->ndata; k++)
			if (m[k] && (uint8_t)g->data[k] != b[k])
				break;
		if (g->ndata != n || k != n)
			sd_mismatch(r, i, st, "expected data %s, differs at octet %zu of %zu", x->data,
				    k, g->ndata);
	} else if ((st->op == SD_RECV || st->op == SD_RECVFROM || st->op == SD_RECVMSG) && x->data) {
		size_t n = strlen(x->data);
		if (g->ndata != n || memcmp(g->data, x->data, n) != 0)
			sd_mismatch(r, i, st, "expected data \"%s\", got %zu bytes \"%.*s\"",
				    x->data, g->ndata, (int)(g->ndata < 40 ? g->ndata : 40), g->data);
	}
	if (x->want && st->op != SD_RECVMSG && st->op != SD_GETOPT_BUF &&
	    !sd_addr_match(r, host, x->want, &g->sa, g->salen)) {
		sd_format_addr(&g->sa, g->salen, buf, sizeof(buf));
		sd_mismatch(r, i, st, "expected address %s, got %s", x->want, buf);
	}
}

int sd_run_case(const struct sd_backend *be, const struct sd_case *c, FILE *out)
{
	struct sd_run r;
	int i;

	memset(&r, 0, sizeof(r));
	r.be = be;
	r.c = c;
	r.out = out;
	for (i = 0; i < SD_SLOTS; i++)
		r.fd[i] = -1;
	for (i = 0; c->steps[i].op != SD_END; i++) {
		const struct sd_step *st = &c->steps[i];
		const struct sd_expect *x = &st->x;
		struct sd_got g;

		if (st->s < 0 || (st->s >= SD_SLOTS && st->s != SD_NEVER))
			abort();
		if (be->is_duet && st->duet_differs) {
			fprintf(out, "  differs (duet) %s step %d: %s\n", c->name, i + 1, st->duet_differs);
			x = &st->dx;
		} else if (!be->is_duet && st->linux_differs) {
			fprintf(out, "  differs (linux) %s step %d: %s\n", c->name, i + 1,
				st->linux_differs);
			x = &st->lx;
		}
		memset(&g, 0, sizeof(g));
		sd_exec(&r, st, &g);
		sd_compare(&r, i, st, x, &g);
	}
	for (i = 0; i < SD_SLOTS; i++)
		if (r.is_open[i])
			be->close(be->ctx, r.host[i], r.fd[i]);
	return r.mismatches;
}

void sd_for_each_case(const char *filter, void (*fn)(const struct sd_case *c, void *arg),
		      void *arg)
{
	const struct sd_case *const tables[] = { sd_cases_ds, sd_cases_opt, sd_cases_adv, sd_cases_tcp };
	size_t t;
	const struct sd_case *c;

	for (t = 0; t < sizeof(tables) / sizeof(tables[0]); t++)
		for (c = tables[t]; c->name; c++)
			if (!filter || !*filter || strstr(c->name, filter))
				fn(c, arg);
}
