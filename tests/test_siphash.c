/* SipHash-2-4 (Aumasson & Bernstein, "SipHash: a fast short-input PRF"),
 * the keyed hash behind every hash table, flow label, IPv4 Identification
 * and stable interface identifier of the stack (S-1 robustness: tables an
 * attacker cannot flood): the reference vectors (key 00..0f, message
 * 00..len-1), at every tail length and at unaligned addresses. */
#include "check.h"

#include <duet/random.h>

static const struct {
	size_t len;
	uint64_t h;
} vectors[] = {
	{ 0, 0x726fdb47dd0e0e31ull },  { 1, 0x74f839c593dc67fdull },
	{ 7, 0xab0200f58b01d137ull },  { 8, 0x93f5f5799a932462ull },
	{ 9, 0x9e0082df0ba9e4b0ull },  { 15, 0xa129ca6149be45e5ull }, /* the paper's example */
	{ 16, 0x3f2acc7f57c29bdbull }, { 17, 0x699ae9f52cbe4794ull },
	{ 24, 0xb8ad50c6f649af94ull }, { 63, 0x958a324ceb064572ull },
};

TEST(siphash24_reference_vectors)
{
	uint8_t key[16], msg[64];
	size_t i;

	for (i = 0; i < sizeof(key); i++)
		key[i] = (uint8_t)i;
	for (i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)i;
	for (i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++)
		CHECK_EQ(duet_siphash24(key, msg, vectors[i].len), vectors[i].h);
}

TEST(siphash24_unaligned_input_and_key)
{
	uint8_t kbuf[17], mbuf[80];
	size_t i, off;

	for (off = 1; off < 8; off++) {
		for (i = 0; i < 16; i++)
			kbuf[(off & 1) + i] = (uint8_t)i;
		for (i = 0; i < 64; i++)
			mbuf[off + i] = (uint8_t)i;
		for (i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++)
			CHECK_EQ(duet_siphash24(kbuf + (off & 1), mbuf + off, vectors[i].len), vectors[i].h);
	}
}

TEST(siphash24_every_byte_counts)
{
	uint8_t key[16] = { 0 }, msg[32] = { 0 };
	uint64_t base = duet_siphash24(key, msg, sizeof(msg));
	size_t i;

	for (i = 0; i < sizeof(msg); i++) {
		msg[i] ^= 0x80;
		CHECK(duet_siphash24(key, msg, sizeof(msg)) != base);
		msg[i] ^= 0x80;
	}
	/* The length is hashed too: a trailing zero byte changes the value. */
	CHECK(duet_siphash24(key, msg, 31) != duet_siphash24(key, msg, 32));
	key[15] = 1;
	CHECK(duet_siphash24(key, msg, sizeof(msg)) != base);
}

/* SipHash-1-3 (the table-index hash): vectors from the reference
 * implementation's parameters (c = 1, d = 3), same key and messages. */
TEST(siphash13_reference_vectors)
{
	static const struct {
		size_t len;
		uint64_t h;
	} v13[] = {
		{ 0, 0xabac0158050fc4dcull },  { 1, 0xc9f49bf37d57ca93ull },
		{ 7, 0xd3927d989bb11140ull },  { 8, 0x369095118d299a8eull },
		{ 9, 0x25a48eb36c063de4ull },  { 15, 0xd320d86d2a519956ull },
		{ 16, 0xcc4fdd1a7d908b66ull }, { 17, 0x9cf2689063dbd80cull },
		{ 24, 0xf464aeb267349c8cull }, { 63, 0x9d199062b7bbb3a8ull },
	};
	uint8_t key[16], msg[64];
	size_t i;

	for (i = 0; i < sizeof(key); i++)
		key[i] = (uint8_t)i;
	for (i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)i;
	for (i = 0; i < sizeof(v13) / sizeof(v13[0]); i++)
		CHECK_EQ(duet_siphash13(key, msg, v13[i].len), v13[i].h);
	CHECK(duet_siphash13(key, msg, 16) != duet_siphash24(key, msg, 16));
}
