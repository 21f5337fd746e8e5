/* duet — the tools' TAP set-up: device, capture, host runtime, addresses,
 * default routes (see tapnet.h). */
#include "tools/tapnet.h"

#include <duet/addr.h>
#include <duet/sysctl.h>
#include <duet/links.h>
#include <duet/net.h>
#include <duet/socket.h>

#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

int tapnet_parse_cidr(const char *text, struct tapnet_addr *a)
{
	char buf[128];
	char *slash, *end;
	unsigned long plen;

	if (strlen(text) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, text);
	slash = strchr(buf, '/');
	if (slash)
		*slash = 0;
	memset(a, 0, sizeof(*a));
	if (duet_addr4_pton(buf, a->addr) == 0)
		a->family = AF_INET;
	else if (duet_addr6_pton(buf, a->addr) == 0)
		a->family = AF_INET6;
	else
		return -EINVAL;
	a->plen = a->family == AF_INET ? 32 : 128;
	if (slash) {
		plen = strtoul(slash + 1, &end, 10);
		if (*end || end == slash + 1 || plen > a->plen)
			return -EINVAL;
		a->plen = (unsigned)plen;
	}
	return 0;
}

/* A probability: "N%" (fractions allowed) or parts per million. */
static int tapnet_parse_ppm(const char *v, uint32_t *out)
{
	char *end;
	double d = strtod(v, &end);

	if (end == v || d < 0)
		return -1;
	if (*end == '%' && !end[1])
		d *= 10000.0;
	else if (*end)
		return -1;
	if (d > 1e6)
		return -1;
	*out = (uint32_t)(d + 0.5);
	return 0;
}

/* A time: N with ns, us, ms (the default) or s. */
static int tapnet_parse_time(const char *v, uint64_t *out)
{
	char *end;
	double d = strtod(v, &end);

	if (end == v || d < 0)
		return -1;
	if (!*end || !strcmp(end, "ms"))
		d *= 1e6;
	else if (!strcmp(end, "us"))
		d *= 1e3;
	else if (!strcmp(end, "s"))
		d *= 1e9;
	else if (strcmp(end, "ns"))
		return -1;
	*out = (uint64_t)(d + 0.5);
	return 0;
}

/* A count with an optional k, M or G (decimal) suffix. */
static int tapnet_parse_count(const char *v, uint64_t *out)
{
	char *end;
	unsigned long long n;

	errno = 0;
	n = strtoull(v, &end, 10);
	if (errno || end == v)
		return -1;
	if (*end == 'k' || *end == 'M' || *end == 'G')
		n *= *end == 'k' ? 1000ull : *end == 'M' ? 1000000ull : 1000000000ull, end++;
	if (*end)
		return -1;
	*out = n;
	return 0;
}

/* KEY=VALUE[,KEY=VALUE...]: loss, dup, reorder, corrupt (N% or ppm),
 * delay, jitter, reorder-delay (N[ns|us|ms|s]), rate (bits/s, k/M/G),
 * queue, mtu, capacity (counts). */
int tapnet_parse_impair(const char *spec, struct duet_impair_params *p)
{
	char buf[256], *save = NULL, *kv;

	duet_impair_params_init(p);
	if (strlen(spec) >= sizeof(buf))
		return -1;
	strcpy(buf, spec);
	for (kv = strtok_r(buf, ",", &save); kv; kv = strtok_r(NULL, ",", &save)) {
		char *v = strchr(kv, '=');
		uint64_t n = 0;
		int bad;

		if (!v)
			return -1;
		*v++ = 0;
		if (!strcmp(kv, "loss"))
			bad = tapnet_parse_ppm(v, &p->loss_ppm);
		else if (!strcmp(kv, "dup"))
			bad = tapnet_parse_ppm(v, &p->dup_ppm);
		else if (!strcmp(kv, "reorder"))
			bad = tapnet_parse_ppm(v, &p->reorder_ppm);
		else if (!strcmp(kv, "corrupt"))
			bad = tapnet_parse_ppm(v, &p->corrupt_ppm);
		else if (!strcmp(kv, "delay"))
			bad = tapnet_parse_time(v, &p->delay_ns);
		else if (!strcmp(kv, "jitter"))
			bad = tapnet_parse_time(v, &p->jitter_ns);
		else if (!strcmp(kv, "reorder-delay"))
			bad = tapnet_parse_time(v, &p->reorder_delay_ns);
		else if (!strcmp(kv, "rate"))
			bad = tapnet_parse_count(v, &p->rate_bps);
		else if (!strcmp(kv, "queue") || !strcmp(kv, "mtu") || !strcmp(kv, "capacity")) {
			bad = tapnet_parse_count(v, &n) || n > 0xffffffffull;
			if (!strcmp(kv, "queue"))
				p->rate_queue_frames = (uint32_t)n;
			else if (!strcmp(kv, "mtu"))
				p->mtu = (uint32_t)n;
			else
				p->capacity_frames = (uint32_t)n;
		} else
			return -1;
		if (bad)
			return -1;
	}
	/* A reorder probability alone holds frames back 1 ms. */
	if (p->reorder_ppm && !p->reorder_delay_ns)
		p->reorder_delay_ns = 1000000;
	return duet_impair_params_validate(p) ? -1 : 0;
}

int tapnet_parse_opt(struct tapnet_opts *o, int argc, char **argv, int *i)
{
	const char *opt = argv[*i];
	struct tapnet_addr a;

	if (!strcmp(opt, "--tap-offload")) { /* a flag: no value */
		o->is_offload = 1;
		return 1;
	}
	if (strcmp(opt, "--tap") && strcmp(opt, "--addr") && strcmp(opt, "--gateway") &&
	    strcmp(opt, "--pcap") && strcmp(opt, "--sysctl") && strcmp(opt, "--impair-tx") &&
	    strcmp(opt, "--impair-rx") && strcmp(opt, "--impair-seed"))
		return 0;
	if (*i + 1 >= argc) {
		fprintf(stderr, "duet: %s needs a value\n", opt);
		return -1;
	}
	(*i)++;
	if (!strcmp(opt, "--tap")) {
		o->tap = argv[*i];
	} else if (!strcmp(opt, "--pcap")) {
		o->pcap = argv[*i];
	} else if (!strcmp(opt, "--impair-tx") || !strcmp(opt, "--impair-rx")) {
		int is_tx = !strcmp(opt, "--impair-tx");

		if (tapnet_parse_impair(argv[*i], is_tx ? &o->imp_tx : &o->imp_rx))
			return fprintf(stderr, "duet: %s: bad model '%s' (KEY=VALUE,...: loss, dup, "
					       "reorder, corrupt, delay, jitter, reorder-delay, rate, "
					       "queue, mtu, capacity)\n", opt, argv[*i]),
			       -1;
		*(is_tx ? &o->has_imp_tx : &o->has_imp_rx) = 1;
	} else if (!strcmp(opt, "--impair-seed")) {
		uint64_t n;

		if (tapnet_parse_count(argv[*i], &n))
			return fprintf(stderr, "duet: --impair-seed: not a number: %s\n", argv[*i]), -1;
		o->imp_seed = n;
	} else if (!strcmp(opt, "--sysctl")) {
		if (o->n_sysctls == TAPNET_MAX_SYSCTLS)
			return fprintf(stderr, "duet: too many --sysctl\n"), -1;
		o->sysctls[o->n_sysctls++] = argv[*i];
	} else if (tapnet_parse_cidr(argv[*i], &a) != 0) {
		fprintf(stderr, "duet: %s: not an address: %s\n", opt, argv[*i]);
		return -1;
	} else if (!strcmp(opt, "--addr")) {
		if (o->n_addrs == TAPNET_MAX_ADDRS)
			return fprintf(stderr, "duet: too many --addr\n"), -1;
		o->addrs[o->n_addrs++] = a;
	} else {
		if (o->n_gws == TAPNET_MAX_GWS)
			return fprintf(stderr, "duet: too many --gateway\n"), -1;
		o->gws[o->n_gws++] = a;
	}
	return 1;
}

/* Brings the kernel's side of the TAP device up (best effort: it may have
 * been moved to another namespace, where its owner brings it up). */
static void tapnet_link_up(const char *name)
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) == 0 && !(ifr.ifr_flags & IFF_UP)) {
		ifr.ifr_flags |= IFF_UP;
		ioctl(fd, SIOCSIFFLAGS, &ifr);
	}
	close(fd);
}

static int tapnet_configure(struct tapnet *n, const struct tapnet_opts *o)
{
	struct duet_stack *s = duet_host_stack(n->host);
	static const uint8_t any[16];
	int i, err = 0;

	duet_host_lock(n->host);
	for (i = 0; i < o->n_sysctls && !err; i++) {
		err = duet_sysctl_set_text(s, o->sysctls[i]);
		if (err)
			fprintf(stderr, "duet: --sysctl %s: %s\n", o->sysctls[i],
				err == -ENOENT ? "no such knob" : "bad value (see duet sysctl)");
	}
	for (i = 0; i < o->n_addrs && !err; i++) {
		err = duet_if_addr_add(s, n->ifindex, o->addrs[i].family, o->addrs[i].addr,
				       o->addrs[i].plen, 0);
		if (err)
			fprintf(stderr, "duet: --addr #%d: %s\n", i + 1, strerror(-err));
	}
	for (i = 0; i < o->n_gws && !err; i++) {
		err = duet_route_add(s, o->gws[i].family, any, 0, o->gws[i].addr, n->ifindex,
				     o->gws[i].family == AF_INET6 ? 1024 : 0);
		if (err)
			fprintf(stderr, "duet: --gateway #%d: %s\n", i + 1, strerror(-err));
	}
	duet_host_unlock(n->host);
	duet_host_wake(n->host);
	return err;
}

int tapnet_start(const struct tapnet_opts *o, struct tapnet *n)
{
	struct duet_link *tap, *link, *wrapped = NULL;
	int err, idx;

	memset(n, 0, sizeof(*n));
	if (!o->tap)
		return fprintf(stderr, "duet: --tap IFNAME is required\n"), -EINVAL;
	err = duet_host_create(NULL, &n->host);
	if (err)
		return fprintf(stderr, "duet: host runtime: %s\n", strerror(-err)), err;
	err = duet_tap_open_ex(o->tap, o->is_offload ? DUET_TAP_F_OFFLOAD : 0, &tap);
	if (err) {
		fprintf(stderr, "duet: TAP device %s: %s\n", o->tap, strerror(-err));
		tapnet_stop(n);
		return err;
	}
	tapnet_link_up(o->tap);
	link = tap;
	if (o->pcap && (err = duet_pcap_wrap(tap, o->pcap, duet_clock_monotonic(), &link)) != 0) {
		fprintf(stderr, "duet: capture %s: %s\n", o->pcap, strerror(-err));
		duet_link_destroy(tap);
		tapnet_stop(n);
		return err;
	}
	if ((o->has_imp_tx || o->has_imp_rx) &&
	    (err = duet_impair_wrap(link, o->has_imp_tx ? &o->imp_tx : NULL,
				    o->has_imp_rx ? &o->imp_rx : NULL,
				    o->imp_seed ? o->imp_seed : 1, duet_clock_monotonic(),
				    &wrapped)) != 0) {
		fprintf(stderr, "duet: impairment: %s\n", strerror(-err));
		duet_link_destroy(link);
		tapnet_stop(n);
		return err;
	}
	if (o->has_imp_tx || o->has_imp_rx)
		link = wrapped;
	idx = duet_host_add_link(n->host, link, o->tap, duet_tap_fd(tap));
	if (idx < 0) {
		fprintf(stderr, "duet: interface %s: %s\n", o->tap, strerror(-idx));
		duet_link_destroy(link);
		tapnet_stop(n);
		return idx;
	}
	n->ifindex = (uint32_t)idx;
	err = duet_host_start(n->host);
	if (!err)
		err = tapnet_configure(n, o);
	if (err)
		tapnet_stop(n);
	return err;
}

void tapnet_stop(struct tapnet *n)
{
	duet_host_destroy(n->host);
	n->host = NULL;
}

void tapnet_print_counters(struct tapnet *n, FILE *out)
{
	uint64_t ctr[DUET_CTR__COUNT], tap[DUET_CTR__COUNT];
	int i;

	duet_host_lock(n->host);
	duet_stack_counters(duet_host_stack(n->host), ctr);
	if (duet_if_counters(duet_host_stack(n->host), n->ifindex, tap) != 0)
		memset(tap, 0, sizeof(tap));
	duet_host_unlock(n->host);
	/* name, stack-wide value, the TAP interface's share (S-4) */
	for (i = 0; i < DUET_CTR__COUNT; i++)
		if (ctr[i])
			fprintf(out, "  %-28s %12llu %12llu\n", duet_counter_name((enum duet_counter)i),
				(unsigned long long)ctr[i], (unsigned long long)tap[i]);
	fflush(out);
}

void tapnet_wait_address(struct tapnet *n, int family)
{
	struct duet_ifaddr a[32];
	int i, k, cnt, usable, tentative;

	for (i = 0; i < 400; i++) {
		duet_host_lock(n->host);
		cnt = duet_if_addrs(duet_host_stack(n->host), n->ifindex, a, 32);
		duet_host_unlock(n->host);
		for (k = usable = tentative = 0; k < cnt && k < 32; k++) {
			if (a[k].family != family || (a[k].flags & DUET_IFA_F_DUPLICATE))
				continue;
			if (a[k].flags & DUET_IFA_F_TENTATIVE)
				tentative++;
			else
				usable++;
		}
		if (usable && !tentative)
			return;
		nanosleep(&(struct timespec){ 0, 10000000 }, NULL);
	}
}

uint32_t tapnet_ifindex(struct duet_stack *s, const char *text)
{
	char name[IF_NAMESIZE], *end;
	unsigned long v;

	if (!text || !*text)
		return 0;
	v = strtoul(text, &end, 10);
	if (!*end)
		return duet_if_indextoname(s, (unsigned)v, name) ? (uint32_t)v : 0;
	return duet_if_nametoindex(s, text);
}

uint64_t tapnet_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}
