/* duet — a one-entry memo of a keyed hash, for values the output path
 * derives per packet from a flow's constant fields: the IPv4
 * Identification's counter slot and offset (ip4_output.c) and the IPv6
 * flow label (ip6_output.c). A socket keeps one and lends it to each
 * datagram it sends; the answer is the same as without it (the key is
 * compared byte for byte), only SipHash-2-4 runs once per flow instead of
 * once per packet. */
#ifndef DUET_NET_HASH_MEMO_H
#define DUET_NET_HASH_MEMO_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <duet/stack.h>

#define NET_HASH_MEMO_KEY_MAX 40

struct net_hash_memo {
	uint64_t hv;
	uint8_t len;                        /* 0: empty */
	uint8_t key[NET_HASH_MEMO_KEY_MAX];
};

/* duet_stack_keyed_hash(stack, key, len), through memo when not NULL. The
 * memo must only ever be used with one stack. */
static inline uint64_t net_keyed_hash_memo(const struct duet_stack *stack,
					   struct net_hash_memo *memo, const void *key,
					   size_t len)
{
	uint64_t hv;

	if (memo && memo->len == len && memcmp(memo->key, key, len) == 0)
		return memo->hv;
	hv = duet_stack_keyed_hash(stack, key, len);
	if (memo && len <= NET_HASH_MEMO_KEY_MAX) {
		memcpy(memo->key, key, len);
		memo->len = (uint8_t)len;
		memo->hv = hv;
	}
	return hv;
}

#endif
