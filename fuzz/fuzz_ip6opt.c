/* Fuzz target (SPEC A-5): the RFC 3542 and RFC 2292 option and Routing
 * header functions of duet/ip6opt.h. The input, in a heap buffer of
 * exactly its size (so ASan sees any read past it), is handed to every
 * parser: as an options header (inet6_opt_next/find/get_val), as a Routing
 * header (inet6_rth_segments/getaddr/reverse), and as the data of an
 * ancillary object whose cmsg_len ends where the allocation does
 * (inet6_option_next/find, inet6_rthdr_segments/getaddr/getflags/reverse).
 * Every result must lie inside the buffer, walks must move forward, and a
 * reversal done twice must give the header back. The input then drives the
 * builders (option types, lengths and alignments; address counts), whose
 * output must parse back to what was built, aligned as asked. */
#include <duet/ip6opt.h>

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void require(int cond)
{
	if (!cond)
		abort();
}

/* A byte source over the input, 0 once exhausted. */
struct src {
	const uint8_t *p;
	size_t n, i;
};

static uint8_t take(struct src *s)
{
	return s->i < s->n ? s->p[s->i++] : 0;
}

/* ---- parsers --------------------------------------------------------------- */

static void parse_opt(const uint8_t *data, size_t size)
{
	uint8_t *b = malloc(size ? size : 1), val[256], type;
	socklen_t len;
	void *db;
	int off = 0, prev = 2, steps = 0;

	require(b != NULL);
	memcpy(b, data, size);
	while ((off = duet_inet6_opt_next(b, (socklen_t)size, off, &type, &len, &db)) >= 0) {
		require(off > prev && (size_t)off <= size && steps++ < 2048);
		require(type != DUET_IP6OPT_PAD1 && type != DUET_IP6OPT_PADN);
		require((uint8_t *)db + len == b + off && (uint8_t *)db >= b + 4);
		require(duet_inet6_opt_get_val(db, 0, val, len) == (int)len);
		require(memcmp(val, db, len) == 0);
		prev = off;
	}
	type = size ? data[0] : 0;
	off = 0;
	prev = 2;
	steps = 0;
	while ((off = duet_inet6_opt_find(b, (socklen_t)size, off, type, &len, &db)) >= 0) {
		require(off > prev && (size_t)off <= size && steps++ < 2048);
		require((uint8_t *)db + len == b + off);
		require(type == DUET_IP6OPT_PAD1 ? b[off - 1] == 0 && len == 0 :
						   ((uint8_t *)db)[-2] == type);
		prev = off;
	}
	free(b);
}

static void parse_rth(const uint8_t *data, size_t size)
{
	uint8_t *b, *out, *again;
	size_t need;
	int n, i;

	if (size < 4)
		return;
	b = malloc(size);
	require(b != NULL);
	memcpy(b, data, size);
	n = duet_inet6_rth_segments(b);
	require(n >= -1 && n <= 127);
	require((n >= 0) == (b[2] == 0 && b[1] % 2 == 0));
	require(duet_inet6_rth_getaddr(b, -1) == NULL && duet_inet6_rth_getaddr(b, n) == NULL);
	need = n >= 0 ? 8 + 16 * (size_t)n : 0;
	if (n < 0 || size < need) {
		free(b);
		return;
	}
	for (i = 0; i < n; i++)
		require((uint8_t *)duet_inet6_rth_getaddr(b, i) == b + 8 + 16 * i);
	out = malloc(need);
	again = malloc(need);
	require(out && again);
	require(duet_inet6_rth_reverse(b, out) == 0);
	require(out[3] == n && memcmp(out, b, 3) == 0 && memcmp(out + 4, b + 4, 4) == 0);
	for (i = 0; i < n; i++)
		require(memcmp(out + 8 + 16 * i, b + 8 + 16 * (n - 1 - i), 16) == 0);
	require(duet_inet6_rth_reverse(out, again) == 0);
	require(duet_inet6_rth_reverse(b, b) == 0 && memcmp(b, out, need) == 0);
	require(duet_inet6_rth_reverse(b, b) == 0 && memcmp(b, again, need) == 0);
	b[3] = (uint8_t)data[3];
	require(memcmp(b, data, need) == 0);
	free(again);
	free(out);
	free(b);
}

/* A cmsghdr whose data is the input and whose cmsg_len ends exactly at the
 * allocation's end. */
static struct cmsghdr *cmsg_of(const uint8_t *data, size_t size, int type)
{
	struct cmsghdr *c = malloc(CMSG_LEN(size));

	require(c != NULL);
	c->cmsg_len = CMSG_LEN(size);
	c->cmsg_level = IPPROTO_IPV6;
	c->cmsg_type = type;
	memcpy(CMSG_DATA(c), data, size);
	return c;
}

static void parse_option(const uint8_t *data, size_t size)
{
	static const int types[] = { IPV6_HOPOPTS, IPV6_DSTOPTS, DUET_IPV6_2292HOPOPTS,
				     DUET_IPV6_2292DSTOPTS };
	struct cmsghdr *c = cmsg_of(data, size, types[size ? data[0] % 4 : 0]);
	uint8_t *d = CMSG_DATA(c), *t = NULL, *prev = d + 1;
	size_t hlen = size >= 2 ? ((size_t)d[1] + 1) * 8 : 0;
	int r, steps = 0, ft = size > 2 ? d[2] : 0;

	while ((r = duet_inet6_option_next(c, &t)) == 0) {
		require(t > prev && t >= d + 2 && t < d + hlen && hlen <= size && steps++ < 4096);
		require(t[0] == DUET_IP6OPT_PAD1 || (t + 2 <= d + hlen && t + 2 + t[1] <= d + hlen));
		prev = t;
	}
	require(t == NULL || (t > prev && t < d + hlen));
	t = NULL;
	prev = d + 1;
	steps = 0;
	while ((r = duet_inet6_option_find(c, &t, ft)) == 0) {
		require(t > prev && t < d + hlen && *t == ft && steps++ < 4096);
		prev = t;
	}
	require(t == NULL || (t > prev && t < d + hlen));
	free(c);
}

static void parse_rthdr(const uint8_t *data, size_t size)
{
	struct cmsghdr *c = cmsg_of(data, size, size && (data[0] & 1) ? IPV6_RTHDR :
							 DUET_IPV6_2292RTHDR);
	struct cmsghdr *out;
	uint8_t *d = CMSG_DATA(c);
	int n = duet_inet6_rthdr_segments(c), i;

	require(n == -1 || (n >= 1 && n <= 23 && 8 + 16 * (size_t)n <= size));
	require(duet_inet6_rthdr_getaddr(c, 0) == NULL && duet_inet6_rthdr_getaddr(c, n + 1) == NULL);
	require(duet_inet6_rthdr_getflags(c, -1) == -1 && duet_inet6_rthdr_getflags(c, n + 1) == -1);
	require(duet_inet6_rthdr_lasthop(c, DUET_IPV6_RTHDR_STRICT) == -1);
	require(duet_inet6_rthdr_lasthop(c, DUET_IPV6_RTHDR_LOOSE) == (n > 0 ? 0 : -1));
	out = malloc(CMSG_LEN(size));
	require(out != NULL);
	require(duet_inet6_rthdr_reverse(c, out) == (n > 0 ? 0 : -1));
	if (n > 0) {
		for (i = 1; i <= n; i++) {
			require((uint8_t *)duet_inet6_rthdr_getaddr(c, i) == d + 8 + 16 * (i - 1));
			require(memcmp(duet_inet6_rthdr_getaddr(out, i),
				       duet_inet6_rthdr_getaddr(c, n + 1 - i), 16) == 0);
		}
		for (i = 0; i <= n; i++)
			require(duet_inet6_rthdr_getflags(c, i) == (int)DUET_IPV6_RTHDR_LOOSE);
		require(duet_inet6_rthdr_segments(out) == n && CMSG_DATA(out)[3] == n);
		require(duet_inet6_rthdr_reverse(c, c) == 0);
		require(memcmp(c, out, CMSG_LEN(8 + 16 * (size_t)n)) == 0);
	}
	free(out);
	free(c);
}

/* ---- builders -------------------------------------------------------------- */

#define MAX_BUILT 64

static void build_opt(struct src *s)
{
	static const uint8_t aligns[] = { 1, 2, 4, 8, 0, 3 };
	socklen_t extlen = 8u * (1u + take(s) % 64u);
	uint8_t *b = malloc(extlen), type;
	uint8_t want_t[MAX_BUILT];
	socklen_t want_l[MAX_BUILT], len;
	int want_o[MAX_BUILT], n = 0, cur, lo, i, off;
	void *db;

	require(b != NULL);
	cur = duet_inet6_opt_init(b, extlen);
	require(cur == 2 && b[1] == extlen / 8 - 1);
	while (n < MAX_BUILT && s->i < s->n) {
		uint8_t t = take(s), l = take(s), a = aligns[take(s) % 6];

		lo = duet_inet6_opt_append(NULL, 0, cur, t, l, a, NULL);
		off = duet_inet6_opt_append(b, extlen, cur, t, l, a, &db);
		if (off < 0) {
			require(lo < 0 || (socklen_t)lo > extlen);
			continue;
		}
		require(off == lo && off > cur && (socklen_t)off <= extlen);
		require(((uint8_t *)db - b) % a == 0 && (uint8_t *)db + l == b + off);
		memset(db, t, l);
		want_t[n] = t;
		want_l[n] = l;
		want_o[n] = off;
		n++;
		cur = off;
	}
	lo = duet_inet6_opt_finish(NULL, 0, cur);
	require(lo >= cur && lo % 8 == 0 && lo - cur < 8);
	off = duet_inet6_opt_finish(b, extlen, cur);
	require(off == ((socklen_t)lo <= extlen ? lo : -1));
	if (off < 0) {
		free(b);
		return;
	}
	/* It parses back to the same options. */
	cur = 0;
	for (i = 0; i < n; i++) {
		cur = duet_inet6_opt_next(b, (socklen_t)off, cur, &type, &len, &db);
		require(cur == want_o[i] && type == want_t[i] && len == want_l[i]);
		require(len == 0 || ((uint8_t *)db)[len - 1] == type);
	}
	require(duet_inet6_opt_next(b, (socklen_t)off, cur, &type, &len, &db) == -1);
	free(b);
}

static void build_rth(struct src *s)
{
	int n = take(s) % 130, i;
	socklen_t need = duet_inet6_rth_space(0, n);
	uint8_t *b = malloc(need ? need : 1), *r;
	struct in6_addr a;

	require(b != NULL && (need == 0) == (n > 127));
	if (!need || !duet_inet6_rth_init(b, need, 0, n)) {
		require(need == 0);
		free(b);
		return;
	}
	for (i = 0; i < n; i++) {
		memset(&a, take(s), sizeof a);
		a.s6_addr[0] = (uint8_t)i;
		require(duet_inet6_rth_add(b, &a) == 0);
	}
	require(duet_inet6_rth_add(b, &a) == -1 && duet_inet6_rth_segments(b) == n);
	r = malloc(need);
	require(r != NULL);
	memcpy(r, b, need);
	require(duet_inet6_rth_reverse(r, r) == 0 && duet_inet6_rth_reverse(r, r) == 0);
	require(memcmp(r, b, need) == 0);
	free(r);
	free(b);
}

static void build_option(struct src *s)
{
	static const int multxs[] = { 1, 2, 4, 8 };
	size_t space = CMSG_SPACE(DUET_IP6OPT_HDR_MAX_BYTES);
	struct cmsghdr *c = malloc(space), *cm;
	uint8_t opt[257], *at[MAX_BUILT], *t = NULL, *d;
	int n = 0, i, k;

	require(c != NULL);
	require(duet_inet6_option_init(c, &cm, take(s) & 1 ? IPV6_HOPOPTS : IPV6_DSTOPTS) == 0);
	d = CMSG_DATA(c);
	while (n < MAX_BUILT && s->i < s->n) {
		int mx = multxs[take(s) % 4], py = take(s) % 8, alloc = take(s) & 1;
		size_t before = c->cmsg_len;
		uint8_t *p;

		size_t start = before == CMSG_LEN(0) ? 2 : before - CMSG_LEN(0);

		opt[0] = take(s);
		opt[1] = take(s);
		if (alloc && opt[0] < 2)
			opt[0] += 2; /* the caller builds the option: keep it one */
		memset(opt + 2, opt[0], opt[1]);
		if (alloc) {
			p = duet_inet6_option_alloc(c, 2 + opt[1], mx, py);
			if (p)
				memcpy(p, opt, 2u + opt[1]);
		} else if (duet_inet6_option_append(c, opt, mx, py) == 0) {
			/* Where it went: the last option that is not padding. */
			uint8_t *q = NULL;

			p = NULL;
			while (duet_inet6_option_next(c, &q) == 0)
				if (*q > 1)
					p = q;
			require(p != NULL && memcmp(p, opt, 2u + opt[1]) == 0);
		} else {
			p = NULL;
		}
		if (!p) {
			/* Refused: a padding type, or past 2048 octets. */
			require(c->cmsg_len == before);
			require(opt[0] < 2 || start + 7 + 2u + opt[1] + 7 > DUET_IP6OPT_HDR_MAX_BYTES);
			continue;
		}
		require((size_t)(p - d) % (size_t)mx == (size_t)py % (size_t)mx);
		require((size_t)(p - d) >= start && (size_t)(p - d) < start + (size_t)mx);
		require(c->cmsg_len <= CMSG_LEN(DUET_IP6OPT_HDR_MAX_BYTES));
		require((c->cmsg_len - CMSG_LEN(0)) % 8 == 0 &&
			d[1] == (c->cmsg_len - CMSG_LEN(0)) / 8 - 1);
		at[n++] = p;
	}
	/* next walks the built options in order, with padding between. */
	for (i = 0, k = 0; duet_inet6_option_next(c, &t) == 0;) {
		if (*t > 1) {
			require(k < n && t == at[k]);
			k++;
		}
		require(i++ < 4096);
	}
	require(t == NULL && k == n);
	free(c);
}

static void build_rthdr(struct src *s)
{
	int n = 1 + take(s) % 24, i;
	size_t space = duet_inet6_rthdr_space(0, n > 23 ? 23 : n);
	struct cmsghdr *c = malloc(space), *r;
	struct in6_addr a;

	require(c != NULL && duet_inet6_rthdr_init(c, 0) == c);
	for (i = 0; i < n; i++) {
		memset(&a, take(s), sizeof a);
		require(duet_inet6_rthdr_add(c, &a, DUET_IPV6_RTHDR_LOOSE) == (i < 23 ? 0 : -1));
		require(c->cmsg_len <= space);
	}
	n = n > 23 ? 23 : n;
	require(duet_inet6_rthdr_segments(c) == n);
	require(duet_inet6_rthdr_lasthop(c, DUET_IPV6_RTHDR_LOOSE) == 0);
	r = malloc(c->cmsg_len);
	require(r != NULL);
	require(duet_inet6_rthdr_reverse(c, r) == 0 && duet_inet6_rthdr_reverse(r, r) == 0);
	require(memcmp(r, c, c->cmsg_len) == 0);
	free(r);
	free(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct src s = { data, size, 0 };

	parse_opt(data, size);
	parse_rth(data, size);
	parse_option(data, size);
	parse_rthdr(data, size);
	if (size > 8192)
		return 0;
	build_opt(&s);
	s.i = 0;
	build_rth(&s);
	s.i = 0;
	build_option(&s);
	s.i = 0;
	build_rthdr(&s);
	return 0;
}
