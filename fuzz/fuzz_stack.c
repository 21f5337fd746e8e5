/* Fuzz target: whole-stack input. The input is a sequence of frames, each
 * prefixed by a 2-byte big-endian length (a short last frame takes what is
 * left), injected into a fresh stack through a channel link, with the
 * virtual clock advancing between frames. Whatever arrives, the stack must
 * neither crash nor leak a packet. Grows with each layer that lands. */
#include <duet/byteorder.h>
#include <duet/chanlink.h>
#include <duet/stack.h>

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t mac[6] = { 0x02, 0, 0, 0, 0, 0x01 };
	struct duet_stack_config cfg;
	struct duet_stack *stack;
	struct duet_link *link;
	struct duet_pool_stats st;
	struct duet_vclock vc;
	struct duet_pkt *p;
	size_t off = 0;

	duet_vclock_init(&vc, 0);
	duet_stack_config_init(&cfg);
	cfg.clock = &vc.clock;
	cfg.mem_cap_bytes = 1u << 20;
	if (duet_stack_create(&cfg, &stack) != 0)
		abort();
	if (duet_chanlink_create(mac, 1500, 256, &link) != 0 ||
	    duet_stack_add_link(stack, link, "fz0") != 1)
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
