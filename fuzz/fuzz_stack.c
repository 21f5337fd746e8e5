/* Fuzz target: whole-stack input. The input is a sequence of frames, each
 * prefixed by a 2-byte big-endian length (a short last frame takes what is
 * left), injected through a channel link into a fresh stack configured as
 * the demo's host beta (its MAC, 192.0.2.2/24, 2001:db8::2/64, IPv6
 * autoconfiguration on), with the virtual clock advancing between frames
 * and by an hour at the end (every timer runs out). Whatever arrives, the
 * stack must neither crash nor keep a packet once everything has expired.
 * The seeds are the frames the demo's alpha sends. */
#include <duet/byteorder.h>
#include <duet/chanlink.h>
#include <duet/net.h>
#include <duet/stack.h>

#include <stdlib.h>
#include <sys/socket.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t mac[6] = { 0xa6, 0x01, 0x69, 0x9a, 0x3a, 0xa1 };
	static const uint8_t ip4[4] = { 192, 0, 2, 2 };
	static const uint8_t ip6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };
	struct duet_stack_config cfg;
	struct duet_stack *stack;
	struct duet_link *link;
	struct duet_pool_stats st;
	struct duet_vclock vc;
	struct duet_pkt *p;
	size_t off = 0;
	int i, ifx;

	duet_vclock_init(&vc, 0);
	duet_stack_config_init(&cfg);
	cfg.clock = &vc.clock;
	cfg.mem_cap_bytes = 1u << 20;
	if (duet_stack_create(&cfg, &stack) != 0)
		abort();
	if (duet_chanlink_create(mac, 1500, 256, &link) != 0)
		abort();
	ifx = duet_stack_add_link(stack, link, "fz0"); /* after "lo" */
	if (ifx < 1 || duet_if_addr_add(stack, (uint32_t)ifx, AF_INET, ip4, 24, 0) != 0 ||
	    duet_if_addr_add(stack, (uint32_t)ifx, AF_INET6, ip6, 64, DUET_IFA_F_NODAD) != 0)
		abort();
	while (off + 2 <= size) {
		size_t len = duet_get_be16(data + off);
		off += 2;
		if (len > size - off)
			len = size - off;
		duet_chanlink_inject(link, data + off, len);
		off += len;
		duet_vclock_set(&vc, vc.now_ns + 1000000);
		duet_stack_poll(stack);
		while ((p = duet_chanlink_pop(link)) != NULL)
			duet_pkt_free(p);
	}
	/* Let every timer run out, in steps so each fires at its time. */
	for (i = 0; i < 64; i++) {
		uint64_t next = duet_stack_next_deadline(stack);
		if (next == DUET_TIME_NEVER)
			break;
		duet_vclock_set(&vc, next > vc.now_ns ? next : vc.now_ns + 1);
		duet_stack_poll(stack);
		while ((p = duet_chanlink_pop(link)) != NULL)
			duet_pkt_free(p);
	}
	duet_vclock_set(&vc, vc.now_ns + 3600ull * 1000000000ull);
	duet_stack_poll(stack);
	while ((p = duet_chanlink_pop(link)) != NULL)
		duet_pkt_free(p);
	duet_pool_stats(duet_stack_pool(stack), &st);
	if (st.in_use != 0)
		abort(); /* a packet leaked */
	duet_stack_destroy(stack);
	return 0;
}
