/* duet run — TCP services and the transfer client (see run_tcp.h). The
 * services (T-2, S-1) are the classic small ones: echo (RFC 862), discard
 * (RFC 863) and chargen (RFC 864), each on one AF_INET6 socket with
 * IPV6_V6ONLY off bound to [::]:PORT, so IPv4 clients appear as
 * ::ffff:a.b.c.d (DS-2, DS-3). One thread serves every listener and
 * connection with non-blocking sockets under duet_poll. The client sends a
 * deterministic stream (--tcp-send) or reads one to its end (--tcp-recv)
 * with a blocking socket, hashing it with SHA-256 for the peer to compare. */
#include "tools/run_tcp.h"
#include "tools/sha256.h"
#include "tools/tapnet.h"

#include <duet/socket.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RUN_TCP_BUF 65536
/* RFC 864: lines of 72 of the 95 printable characters, each line starting
 * one character further on, so the stream repeats every 95 lines. */
#define RUN_CHARGEN_LINE 74
#define RUN_CHARGEN_PERIOD (95 * RUN_CHARGEN_LINE)
/* A transfer gives up after this long without progress. */
#define RUN_XFER_IDLE_NS (30ull * 1000000000ull)

static const char *const run_tcp_names[RUN_TCP__KINDS] = { "echo", "discard", "chargen" };

struct run_tcp_conn {
	int fd;                 /* -1: a free slot */
	enum run_tcp_kind kind;
	const struct run_tcp_listener *l; /* the service it came to */
	char peer[INET6_ADDRSTRLEN + 8];
	uint8_t *buf;           /* echo: bytes read and not yet written back */
	size_t head, len;
	size_t off;             /* chargen: position in the pattern */
	int is_eof;             /* the peer sent its FIN */
	unsigned long long in, out;
};

static uint8_t run_chargen[RUN_CHARGEN_PERIOD + RUN_TCP_BUF];

static void run_chargen_fill(void)
{
	size_t i;

	for (i = 0; i < sizeof(run_chargen); i++) {
		size_t k = i % RUN_CHARGEN_PERIOD, line = k / RUN_CHARGEN_LINE,
		       col = k % RUN_CHARGEN_LINE;

		run_chargen[i] = col == 72 ? '\r' : col == 73 ? '\n' : (uint8_t)(32 + (line + col) % 95);
	}
}

/* "[ADDR]:PORT" as duet reports the peer: v4-mapped for IPv4 on AF_INET6. */
static void run_tcp_name(const struct sockaddr_storage *ss, char *out, size_t size)
{
	char a[INET6_ADDRSTRLEN] = "?";

	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;

		inet_ntop(AF_INET6, &s6->sin6_addr, a, sizeof(a));
		snprintf(out, size, "[%s]:%u", a, ntohs(s6->sin6_port));
	} else {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;

		inet_ntop(AF_INET, &s4->sin_addr, a, sizeof(a));
		snprintf(out, size, "%s:%u", a, ntohs(s4->sin_port));
	}
}

/* One whole line on stdout, flushed so a test reading it sees it now. */
__attribute__((format(printf, 1, 2))) static void run_tcp_log(const char *fmt, ...)
{
	va_list ap;

	flockfile(stdout);
	printf("duet run: tcp ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	funlockfile(stdout);
}

int run_tcp_parse_service(struct run_tcp *t, enum run_tcp_kind kind, const char *opt,
			  const char *val)
{
	struct run_tcp_listener *l = &t->l[t->n_listeners];
	char host[INET6_ADDRSTRLEN] = "";
	const char *p, *close;
	char *end;
	unsigned long v;

	if (t->n_listeners == RUN_TCP_MAX_LISTENERS) {
		fprintf(stderr, "duet run: at most %d TCP services\n", RUN_TCP_MAX_LISTENERS);
		return -1;
	}
	memset(l, 0, sizeof(*l));
	l->family = AF_INET6;
	if (!strncmp(val, "tcp6:", 5)) {
		l->is_v6only = 1;
		p = val + 5;
	} else if (!strncmp(val, "tcp:", 4)) {
		p = val + 4;
	} else {
		goto bad;
	}
	if (*p == '[') {
		close = strchr(p, ']');
		if (!close || close[1] != ':' || (size_t)(close - p - 1) >= sizeof(host))
			goto bad;
		memcpy(host, p + 1, (size_t)(close - p - 1));
		host[close - p - 1] = 0;
		if (inet_pton(AF_INET6, host, l->addr) != 1)
			goto bad;
		p = close + 2;
	} else if ((close = strchr(p, ':')) != NULL && !l->is_v6only) {
		if ((size_t)(close - p) >= sizeof(host))
			goto bad;
		memcpy(host, p, (size_t)(close - p));
		host[close - p] = 0;
		if (inet_pton(AF_INET, host, l->addr) != 1)
			goto bad;
		l->family = AF_INET;
		p = close + 1;
	}
	errno = 0;
	v = strtoul(p, &end, 10);
	if (!*p || errno || *end || v == 0 || v > 65535)
		goto bad;
	l->kind = kind;
	l->port = (unsigned)v;
	l->fd = -1;
	snprintf(l->label, sizeof(l->label), "%s:%s%s%s%s%u", run_tcp_names[kind],
		 l->is_v6only ? "v6only:" : "", l->family == AF_INET6 && host[0] ? "[" : "", host,
		 !host[0] ? "" : l->family == AF_INET6 ? "]:" : ":", l->port);
	t->n_listeners++;
	return 0;
bad:
	fprintf(stderr, "duet run: %s takes tcp:PORT, tcp6:PORT, tcp[6]:[IPv6]:PORT or "
			"tcp:a.b.c.d:PORT (PORT 1..65535), not '%s'\n",
		opt, val);
	return -1;
}

int run_tcp_parse_xfer(const char *opt, const char *val, int is_send, struct run_tcp_xfer *x)
{
	char host[64], rest[64], *end;
	const char *p;
	unsigned long long v;
	size_t n;

	memset(x, 0, sizeof(*x));
	x->is_send = is_send;
	if (val[0] == '[') {
		p = strchr(val, ']');
		if (!p || p[1] != ':' || (size_t)(p - val - 1) >= sizeof(host))
			goto bad;
		n = (size_t)(p - val - 1);
		memcpy(host, val + 1, n);
		p += 2;
	} else {
		p = strchr(val, ':');
		if (!p || (size_t)(p - val) >= sizeof(host))
			goto bad;
		n = (size_t)(p - val);
		memcpy(host, val, n);
		p++;
	}
	host[n] = 0;
	if (strlen(p) >= sizeof(rest))
		goto bad;
	strcpy(rest, p);
	if (val[0] != '[' && inet_pton(AF_INET, host, x->addr) == 1)
		x->family = AF_INET;
	else if (val[0] == '[' && inet_pton(AF_INET6, host, x->addr) == 1)
		x->family = AF_INET6;
	else
		goto bad;
	errno = 0;
	v = strtoull(rest, &end, 10);
	if (errno || end == rest || v == 0 || v > 65535 || (is_send ? *end != ':' : *end != 0))
		goto bad;
	x->port = (unsigned)v;
	if (!is_send)
		return 0;
	p = end + 1;
	errno = 0;
	v = strtoull(p, &end, 10);
	if (errno || end == p)
		goto bad;
	if (*end == 'K' || *end == 'M' || *end == 'G') {
		unsigned shift = *end == 'K' ? 10 : *end == 'M' ? 20 : 30;

		if (v > (~0ull >> shift))
			goto bad;
		v <<= shift;
		end++;
	}
	if (*end)
		goto bad;
	x->bytes = v;
	return 0;
bad:
	fprintf(stderr, "duet run: %s takes %s, not '%s'\n", opt,
		is_send ? "ADDR:PORT:BYTES[K|M|G] (ADDR a.b.c.d or [IPv6])"
			: "ADDR:PORT (ADDR a.b.c.d or [IPv6])",
		val);
	return -1;
}

/* --- the services ------------------------------------------------------- */

int run_tcp_open(struct run_tcp *t)
{
	int k, i;

	run_chargen_fill();
	t->conns = calloc(RUN_TCP_MAX_CONNS, sizeof(*t->conns));
	if (!t->conns)
		return fprintf(stderr, "duet run: tcp: out of memory\n"), -1;
	for (i = 0; i < RUN_TCP_MAX_CONNS; i++)
		t->conns[i].fd = -1;
	for (k = 0; k < t->n_listeners; k++) {
		struct run_tcp_listener *l = &t->l[k];
		struct sockaddr_in6 sa;
		int fd;

		int v6only = l->is_v6only;

		fd = duet_socket(t->stack, l->family, SOCK_STREAM | SOCK_NONBLOCK, 0);
		if (fd < 0)
			return fprintf(stderr, "duet run: tcp %s socket: %s\n", l->label,
				       strerror(errno)),
			       -1;
		l->fd = fd;
		memset(&sa, 0, sizeof(sa));
		sa.sin6_family = AF_INET6;
		sa.sin6_port = htons((uint16_t)l->port);
		memcpy(&sa.sin6_addr, l->addr, 16);
		if (l->family == AF_INET) {
			struct sockaddr_in *s4 = (struct sockaddr_in *)&sa;

			memset(&sa, 0, sizeof(sa));
			s4->sin_family = AF_INET;
			s4->sin_port = htons((uint16_t)l->port);
			memcpy(&s4->sin_addr, l->addr, 4);
		}
		if ((l->family == AF_INET6 &&
		     duet_setsockopt(t->stack, fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only,
				     sizeof(v6only))) ||
		    duet_bind(t->stack, fd, (struct sockaddr *)&sa,
			      l->family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(sa)) ||
		    duet_listen(t->stack, fd, 128))
			return fprintf(stderr, "duet run: tcp %s: %s\n", l->label, strerror(errno)),
			       -1;
		printf("duet run: tcp %s listening\n", l->label);
	}
	return 0;
}

static void run_tcp_drop(struct run_tcp *t, struct run_tcp_conn *c, const char *why)
{
	run_tcp_log("%s %s %s: %llu bytes in, %llu out", c->l->label, c->peer, why, c->in,
		    c->out);
	duet_close(t->stack, c->fd);
	free(c->buf);
	c->buf = NULL;
	c->fd = -1;
	t->closed++;
}

static void run_tcp_accept(struct run_tcp *t, const struct run_tcp_listener *l)
{
	enum run_tcp_kind k = l->kind;
	int n;

	/* Bounded: at most a free slot's worth, then the next poll. */
	for (n = 0; n < 64; n++) {
		struct sockaddr_storage ss;
		socklen_t len = sizeof(ss);
		struct run_tcp_conn *c = NULL;
		int fd, i;

		fd = duet_accept4(t->stack, l->fd, (struct sockaddr *)&ss, &len, SOCK_NONBLOCK);
		if (fd < 0) {
			if (errno != EAGAIN)
				run_tcp_log("%s accept: %s", l->label, strerror(errno));
			return;
		}
		for (i = 0; i < RUN_TCP_MAX_CONNS && !c; i++)
			if (t->conns[i].fd < 0)
				c = &t->conns[i];
		if (!c || (k == RUN_TCP_ECHO && !(c->buf = malloc(RUN_TCP_BUF)))) {
			duet_close(t->stack, fd); /* full: refused by closing */
			continue;
		}
		c->fd = fd;
		c->kind = k;
		c->l = l;
		c->head = c->len = c->off = 0;
		c->is_eof = 0;
		c->in = c->out = 0;
		run_tcp_name(&ss, c->peer, sizeof(c->peer));
		t->accepted++;
		if (ss.ss_family == AF_INET6) /* DS-2: an IPv4 peer's are 0 */
			run_tcp_log("%s accepted %s flowinfo %u scope %u", l->label, c->peer,
				    ntohl(((struct sockaddr_in6 *)&ss)->sin6_flowinfo),
				    ((struct sockaddr_in6 *)&ss)->sin6_scope_id);
		else
			run_tcp_log("%s accepted %s", l->label, c->peer);
	}
}

/* Reads what is there: into the echo buffer, or dropped. Returns -1 when
 * the connection ended in error. */
static int run_tcp_read(struct run_tcp *t, struct run_tcp_conn *c)
{
	static uint8_t sink[RUN_TCP_BUF];
	ssize_t r;

	if (c->kind == RUN_TCP_ECHO) {
		size_t tail = (c->head + c->len) % RUN_TCP_BUF;
		size_t room = RUN_TCP_BUF - c->len;

		if (tail + room > RUN_TCP_BUF)
			room = RUN_TCP_BUF - tail;
		if (!room)
			return 0;
		r = duet_recv(t->stack, c->fd, c->buf + tail, room, 0);
	} else {
		r = duet_recv(t->stack, c->fd, sink, sizeof(sink), 0);
	}
	if (r < 0)
		return errno == EAGAIN ? 0 : -1;
	if (r == 0) {
		c->is_eof = 1;
		return 0;
	}
	c->in += (size_t)r;
	t->bytes_in += (size_t)r;
	if (c->kind == RUN_TCP_ECHO)
		c->len += (size_t)r;
	return 0;
}

static int run_tcp_write(struct run_tcp *t, struct run_tcp_conn *c)
{
	ssize_t r;

	if (c->kind == RUN_TCP_ECHO) {
		size_t n = c->len;

		if (c->head + n > RUN_TCP_BUF)
			n = RUN_TCP_BUF - c->head;
		if (!n)
			return 0;
		r = duet_send(t->stack, c->fd, c->buf + c->head, n, MSG_NOSIGNAL);
	} else if (c->kind == RUN_TCP_CHARGEN) {
		r = duet_send(t->stack, c->fd, run_chargen + c->off, RUN_TCP_BUF, MSG_NOSIGNAL);
	} else {
		return 0;
	}
	if (r < 0)
		return errno == EAGAIN ? 0 : -1;
	c->out += (size_t)r;
	t->bytes_out += (size_t)r;
	if (c->kind == RUN_TCP_ECHO) {
		c->head = (c->head + (size_t)r) % RUN_TCP_BUF;
		c->len -= (size_t)r;
	} else {
		c->off = (c->off + (size_t)r) % RUN_CHARGEN_PERIOD;
	}
	return 0;
}

/* What to wait for on a connection. */
static short run_tcp_events(const struct run_tcp_conn *c)
{
	short ev = 0;

	if (!c->is_eof && (c->kind != RUN_TCP_ECHO || c->len < RUN_TCP_BUF))
		ev |= POLLIN;
	if ((c->kind == RUN_TCP_ECHO && c->len) || c->kind == RUN_TCP_CHARGEN)
		ev |= POLLOUT;
	return ev;
}

static void run_tcp_service(struct run_tcp *t, struct run_tcp_conn *c, short rev)
{
	if ((rev & POLLIN) && run_tcp_read(t, c) < 0)
		return run_tcp_drop(t, c, "reset");
	if ((rev & (POLLOUT | POLLIN)) && run_tcp_write(t, c) < 0)
		return run_tcp_drop(t, c, "reset");
	if ((rev & POLLERR) && !(rev & (POLLIN | POLLOUT)))
		return run_tcp_drop(t, c, "error");
	/* Echo and discard end with the peer's FIN, once all is written back;
	 * chargen sends on after a half-close, until the peer resets it. */
	if (c->is_eof && (c->kind == RUN_TCP_DISCARD || (c->kind == RUN_TCP_ECHO && !c->len)))
		return run_tcp_drop(t, c, "ended");
	if (c->is_eof && c->kind == RUN_TCP_CHARGEN && (rev & POLLHUP))
		return run_tcp_drop(t, c, "ended");
}

void *run_tcp_main(void *arg)
{
	struct run_tcp *t = arg;
	struct pollfd *pfd = calloc(RUN_TCP_MAX_LISTENERS + RUN_TCP_MAX_CONNS, sizeof(*pfd));
	int *slot = calloc(RUN_TCP_MAX_LISTENERS + RUN_TCP_MAX_CONNS, sizeof(*slot));
	int i, k;

	if (!pfd || !slot) {
		fprintf(stderr, "duet run: tcp: out of memory\n");
		free(pfd);
		free(slot);
		return NULL;
	}
	/* Each round is bounded by the 200 ms poll timeout. */
	while (!atomic_load(&t->stop)) {
		nfds_t n = 0;

		for (k = 0; k < t->n_listeners; k++) {
			pfd[n].fd = t->l[k].fd;
			pfd[n].events = POLLIN;
			slot[n++] = -1 - k;
		}
		for (i = 0; i < RUN_TCP_MAX_CONNS; i++)
			if (t->conns[i].fd >= 0) {
				pfd[n].fd = t->conns[i].fd;
				pfd[n].events = run_tcp_events(&t->conns[i]);
				slot[n++] = i;
			}
		if (duet_poll(t->stack, pfd, n, 200) <= 0)
			continue;
		for (i = 0; i < (int)n; i++) {
			if (!pfd[i].revents)
				continue;
			if (slot[i] < 0)
				run_tcp_accept(t, &t->l[-1 - slot[i]]);
			else
				run_tcp_service(t, &t->conns[slot[i]], pfd[i].revents);
		}
	}
	for (i = 0; i < RUN_TCP_MAX_CONNS; i++)
		if (t->conns[i].fd >= 0)
			run_tcp_drop(t, &t->conns[i], "stopped");
	free(pfd);
	free(slot);
	return NULL;
}

void run_tcp_close(struct run_tcp *t)
{
	int k;

	for (k = 0; k < t->n_listeners; k++)
		if (t->l[k].fd >= 0)
			duet_close(t->stack, t->l[k].fd);
	free(t->conns);
	t->conns = NULL;
	printf("duet run: tcp: %llu connections accepted, %llu closed, %llu bytes in, %llu out\n",
	       t->accepted, t->closed, t->bytes_in, t->bytes_out);
}

/* --- the client ----------------------------------------------------------- */

/* The --tcp-send stream: 64-bit words of splitmix64 over their index,
 * little-endian (no short period, so a misplaced segment changes the hash). */
static void run_xfer_pattern(uint64_t word_index, uint8_t *out, size_t words)
{
	size_t i;
	int b;

	for (i = 0; i < words; i++) {
		uint64_t z = (word_index + i) * 0x9e3779b97f4a7c15ull;

		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
		z ^= z >> 31;
		for (b = 0; b < 8; b++)
			out[8 * i + (size_t)b] = (uint8_t)(z >> (8 * b));
	}
}

static int run_xfer_connect(struct duet_stack *s, const struct run_tcp_xfer *x, char *peer,
			    size_t size)
{
	struct sockaddr_storage ss;
	struct timeval tv = { 1, 0 };
	socklen_t len;
	int fd, i;

	memset(&ss, 0, sizeof(ss));
	if (x->family == AF_INET) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)x->port);
		memcpy(&s4->sin_addr, x->addr, 4);
		len = sizeof(*s4);
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)x->port);
		memcpy(&s6->sin6_addr, x->addr, 16);
		len = sizeof(*s6);
	}
	run_tcp_name(&ss, peer, size);
	fd = duet_socket(s, x->family, SOCK_STREAM, 0);
	if (fd < 0)
		return fprintf(stderr, "duet run: tcp socket: %s\n", strerror(errno)), -1;
	if (x->is_v6only && duet_setsockopt(s, fd, IPPROTO_IPV6, IPV6_V6ONLY, &x->is_v6only,
					    sizeof(x->is_v6only))) {
		fprintf(stderr, "duet run: IPV6_V6ONLY: %s\n", strerror(errno));
		duet_close(s, fd);
		return -1;
	}
	/* Blocking; a timed-out connect says EINPROGRESS and is waited for
	 * with poll, up to 10 s in all. */
	duet_setsockopt(s, fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	duet_setsockopt(s, fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (duet_connect(s, fd, (struct sockaddr *)&ss, len) == 0)
		return fd;
	for (i = 0; errno == EINPROGRESS && i < 10; i++) {
		struct pollfd p = { fd, POLLOUT, 0 };
		int err = 0;
		socklen_t elen = sizeof(err);

		if (duet_poll(s, &p, 1, 1000) <= 0)
			continue;
		duet_getsockopt(s, fd, SOL_SOCKET, SO_ERROR, &err, &elen);
		if (!err)
			return fd;
		errno = err;
	}
	if (errno == EINPROGRESS)
		errno = ETIMEDOUT; /* our 10 s, not the handshake's own limit */
	fprintf(stderr, "duet run: tcp connect %s: %s\n", peer, strerror(errno));
	duet_close(s, fd);
	return -1;
}

static void run_xfer_report(const struct run_tcp_xfer *x, const char *peer, const char *local,
			    unsigned long long bytes, struct sha256 *h, uint64_t t0)
{
	uint8_t d[SHA256_DIGEST_BYTES];
	char hex[65];
	double sec = (double)(tapnet_now_ns() - t0) / 1e9;

	sha256_final(h, d);
	sha256_hex(d, hex);
	printf("duet run: %s %s from %s bytes %llu sha256 %s seconds %.3f MBps %.1f\n",
	       x->is_send ? "tcp-send" : "tcp-recv", peer, local, bytes, hex, sec,
	       sec > 0 ? (double)bytes / sec / 1e6 : 0.0);
	fflush(stdout);
}

/* Waits for the peer's FIN (its data, if any, dropped and counted). */
static int run_xfer_drain(struct duet_stack *s, int fd, const atomic_int *stop,
			  unsigned long long *extra)
{
	uint8_t buf[4096];
	uint64_t last = tapnet_now_ns();

	while (!atomic_load(stop) && tapnet_now_ns() - last < RUN_XFER_IDLE_NS) {
		ssize_t r = duet_recv(s, fd, buf, sizeof(buf), 0);

		if (r == 0)
			return 0;
		if (r > 0) {
			*extra += (size_t)r;
			last = tapnet_now_ns();
		} else if (errno != EAGAIN) {
			return -1;
		}
	}
	errno = ETIMEDOUT;
	return -1;
}

/* After the end of the stream both ways: half-close if not yet and wait
 * (at most 10 s) until our FIN is acknowledged (TIME-WAIT or CLOSED), so
 * the process does not exit with it unsent or lost, leaving the peer
 * without its end of stream. */
static void run_xfer_linger(struct duet_stack *s, int fd, const atomic_int *stop)
{
	int i;

	duet_shutdown(s, fd, SHUT_WR);
	for (i = 0; i < 1000 && !atomic_load(stop); i++) {
		struct tcp_info ti;
		socklen_t len = sizeof(ti);

		if (duet_getsockopt(s, fd, IPPROTO_TCP, TCP_INFO, &ti, &len) ||
		    ti.tcpi_state == TCP_CLOSE || ti.tcpi_state == TCP_TIME_WAIT)
			return;
		nanosleep(&(struct timespec){ 0, 10000000 }, NULL);
	}
}

int run_tcp_xfer(struct duet_stack *s, const struct run_tcp_xfer *x, const atomic_int *stop)
{
	static uint8_t buf[RUN_TCP_BUF + 8];
	struct sockaddr_storage ls;
	socklen_t llen = sizeof(ls);
	char peer[INET6_ADDRSTRLEN + 8], local[INET6_ADDRSTRLEN + 8] = "?";
	unsigned long long done = 0, extra = 0;
	uint64_t t0, last;
	struct sha256 h;
	int fd, ok = 0;

	fd = run_xfer_connect(s, x, peer, sizeof(peer));
	if (fd < 0)
		return 1;
	if (duet_getsockname(s, fd, (struct sockaddr *)&ls, &llen) == 0)
		run_tcp_name(&ls, local, sizeof(local));
	sha256_init(&h);
	t0 = last = tapnet_now_ns();
	while (!atomic_load(stop) && tapnet_now_ns() - last < RUN_XFER_IDLE_NS) {
		ssize_t r;

		if (x->is_send) {
			size_t n = x->bytes - done < RUN_TCP_BUF ? (size_t)(x->bytes - done) : RUN_TCP_BUF;

			if (!n) {
				ok = 1;
				break;
			}
			/* The stream from done on: its word, then skip into it. */
			run_xfer_pattern(done / 8, buf, (n + done % 8 + 7) / 8);
			r = duet_send(s, fd, buf + done % 8, n, MSG_NOSIGNAL);
			if (r > 0)
				sha256_update(&h, buf + done % 8, (size_t)r);
		} else {
			r = duet_recv(s, fd, buf, RUN_TCP_BUF, 0);
			if (r == 0) {
				ok = 1;
				break;
			}
			if (r > 0)
				sha256_update(&h, buf, (size_t)r);
		}
		if (r > 0) {
			done += (size_t)r;
			last = tapnet_now_ns();
		} else if (errno != EAGAIN) {
			break;
		}
	}
	if (ok && x->is_send) {
		/* All queued: half-close and wait for the peer to close, so the
		 * time covers delivery, not just queueing. */
		if (duet_shutdown(s, fd, SHUT_WR) || run_xfer_drain(s, fd, stop, &extra))
			ok = 0;
	}
	if (ok)
		run_xfer_linger(s, fd, stop);
	if (!ok)
		fprintf(stderr, "duet run: %s %s: %s after %llu bytes\n",
			x->is_send ? "tcp-send" : "tcp-recv", peer,
			atomic_load(stop) ? "stopped" : strerror(errno), done);
	run_xfer_report(x, peer, local, done, &h, t0);
	if (extra)
		printf("duet run: tcp-send: the peer sent %llu bytes back (dropped)\n", extra);
	duet_close(s, fd);
	return ok ? 0 : 1;
}
