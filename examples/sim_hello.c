/* The README's example: two stacks on a simulated cable with 1% loss and
 * 5 ms of delay; alpha sends ten frames, beta counts what arrived. Built by
 * tests/cli_install.sh against the installed library. */
#include <duet/sim.h>
#include <duet/wire/eth.h>

#include <stdio.h>
#include <string.h>

int main(void)
{
	struct duet_sim *sim;
	struct duet_stack *a, *b;
	struct duet_impair_params imp;
	struct duet_sim_link_opts opts = { 0 };
	int ia, ib, i;

	duet_impair_params_init(&imp);
	imp.loss_ppm = 10000;               /* 1% */
	imp.delay_ns = 5 * DUET_NS_PER_MS;
	opts.a_to_b = &imp;
	struct duet_stack_config cfg;
	duet_stack_config_init(&cfg);
	cfg.is_ipv6_autoconf_off = true; /* only our frames on the cable */
	if (duet_sim_create(42, 0, &sim) || duet_sim_add_stack(sim, "alpha", &cfg, &a) ||
	    duet_sim_add_stack(sim, "beta", &cfg, &b) || duet_sim_connect(sim, a, b, &opts, &ia, &ib))
		return 1;
	for (i = 0; i < 10; i++) {
		struct duet_pkt *p = duet_pkt_alloc(duet_stack_pool(a), DUET_PKT_HEADROOM, 60);
		struct duet_eth_hdr eth = { .ethertype = 0x88b5 }; /* local experimental */
		struct duet_wcur w;

		memset(duet_pkt_data(p), 0, 60);
		memset(eth.dst, 0xff, 6);
		memcpy(eth.src, duet_stack_iface_link(a, (uint32_t)ia)->hwaddr, 6);
		duet_wcur_init(&w, duet_pkt_data(p), 60);
		duet_eth_emit(&eth, &w);
		duet_stack_send_frame(a, (uint32_t)ia, p);
	}
	duet_sim_run_until_idle(sim, DUET_NS_PER_S);
	printf("beta received %llu of 10 frames at t=%.1f ms\n",
	       (unsigned long long)duet_stack_counter(b, DUET_CTR_LINK_RX_FRAMES),
	       (double)duet_sim_now(sim) / 1e6);
	duet_sim_destroy(sim);
	return 0;
}
