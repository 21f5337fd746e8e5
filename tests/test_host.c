/* The host runtime (S-2: the stack driven by a thread on real time, callable
 * from other threads): input wakes it, timers fire on time, output queued from
 * another thread leaves. Every wait is bounded. */
#include "check.h"

#include <duet/chanlink.h>
#include <duet/host.h>

#include "core/stack_internal.h"

#include <errno.h>
#include <stdatomic.h>
#include <time.h>

static const uint8_t mac_a[6] = { 0x02, 0, 0, 0, 0, 0x0a };
static const uint8_t mac_b[6] = { 0x02, 0, 0, 0, 0, 0x0b };

static uint64_t mono_ns(void)
{
	return duet_clock_now(duet_clock_monotonic());
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { 0, (long)ms * 1000000L };
	nanosleep(&ts, NULL);
}

/* Waits (at most 3 s) until counter reaches want. */
static int wait_counter(struct duet_host *h, enum duet_counter id, uint64_t want)
{
	int i;
	for (i = 0; i < 3000; i++) {
		uint64_t v;
		duet_host_lock(h);
		v = duet_stack_counter(duet_host_stack(h), id);
		duet_host_unlock(h);
		if (v >= want)
			return 1;
		sleep_ms(1);
	}
	return 0;
}

static atomic_uint_fast64_t fired_at;

static void on_timer(struct duet_timer *t, void *arg)
{
	(void)t;
	(void)arg;
	atomic_store(&fired_at, mono_ns());
}

TEST(host_input_timer_and_output)
{
	struct duet_host *h;
	struct duet_link *link;
	struct duet_timer tmr;
	uint8_t f[60] = { 0 };
	struct duet_stack_config cfg;
	uint64_t armed;
	int idx, i;

	/* No IPv6 autoconfiguration: its MLD report would leave at once and
	 * be counted with the frame this test sends. No loopback either. */
	duet_stack_config_init(&cfg);
	cfg.is_ipv6_autoconf_off = true;
	cfg.is_loopback_off = true; /* chan0 is interface 1 */
	CHECK_EQ(duet_host_create(&cfg, &h), 0);
	CHECK_EQ(duet_chanlink_create(mac_a, 1500, 64, &link), 0);
	idx = duet_host_add_link(h, link, "chan0", -1);
	CHECK_EQ(idx, 1);
	CHECK_EQ(duet_host_start(h), 0);
	CHECK_EQ(duet_host_start(h), -EALREADY);

	/* Input from another thread: the runtime processes it. */
	memcpy(f, mac_a, 6);
	memcpy(f + 6, mac_b, 6);
	f[12] = 0x88;
	f[13] = 0xb5;
	duet_host_lock(h);
	CHECK_EQ(duet_chanlink_inject(link, f, sizeof f), 0);
	duet_host_unlock(h);
	duet_host_wake(h);
	CHECK(wait_counter(h, DUET_CTR_DROP_ETH_NO_PROTO, 1));

	/* A timer 30 ms ahead fires, and not before. */
	duet_timer_init(&tmr, on_timer, NULL);
	duet_host_lock(h);
	armed = mono_ns();
	duet_tw_arm(&duet_host_stack(h)->timers, &tmr, armed + 30 * DUET_NS_PER_MS);
	duet_host_unlock(h);
	duet_host_wake(h);
	for (i = 0; i < 3000 && !atomic_load(&fired_at); i++)
		sleep_ms(1);
	CHECK(atomic_load(&fired_at) >= armed + 30 * DUET_NS_PER_MS);

	/* Output queued from this thread leaves through the link. */
	duet_host_lock(h);
	{
		struct duet_pkt *p = duet_pkt_alloc(duet_stack_pool(duet_host_stack(h)), 0, 60);
		memcpy(duet_pkt_data(p), f, 60);
		CHECK_EQ(duet_stack_send_frame(duet_host_stack(h), 1, p), 0);
	}
	duet_host_unlock(h);
	duet_host_wake(h);
	CHECK(wait_counter(h, DUET_CTR_LINK_TX_FRAMES, 1));
	duet_host_stop(h);
	CHECK_EQ(duet_chanlink_pending(link), 1);
	duet_pkt_free(duet_chanlink_pop(link));
	CHECK(duet_host_polls(h) >= 3);
	duet_host_destroy(h);
}
