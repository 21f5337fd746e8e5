/* duet tests — a small harness: TEST(name) registers a case, CHECK* record
 * failures and go on, check_skip() marks a case skipped (the program exits 77
 * when every case it ran was skipped, which ctest reports as "Skipped").
 * Every test names the SPEC IDs it proves in a comment or its name. The
 * program ends with the line "N passed, N failed, N skipped". */
#ifndef DUET_CHECK_H
#define DUET_CHECK_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef void (*check_fn)(void);

void check_register(const char *name, check_fn fn);
void check_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void check_skip(const char *why);
void check_mem_fail(const char *file, int line, const char *what, const void *a,
		    const void *b, size_t n);

#define TEST(name) \
	static void name(void); \
	__attribute__((constructor)) static void check_reg_##name(void) \
	{ check_register(#name, name); } \
	static void name(void)

#define CHECK(cond) do { if (!(cond)) check_fail(__FILE__, __LINE__, "%s", #cond); } while (0)

#define CHECK_EQ(a, b) do { \
	long long check_a_ = (long long)(a), check_b_ = (long long)(b); \
	if (check_a_ != check_b_) \
		check_fail(__FILE__, __LINE__, "%s == %s (%lld != %lld)", #a, #b, check_a_, check_b_); \
} while (0)

#define CHECK_MEM(a, b, n) do { \
	if (memcmp((a), (b), (n)) != 0) \
		check_mem_fail(__FILE__, __LINE__, #a " == " #b, (a), (b), (n)); \
} while (0)

#define CHECK_STR(a, b) do { \
	const char *check_sa_ = (a), *check_sb_ = (b); \
	if (strcmp(check_sa_, check_sb_) != 0) \
		check_fail(__FILE__, __LINE__, "%s == %s (\"%s\" != \"%s\")", #a, #b, check_sa_, check_sb_); \
} while (0)

/* Parses a hex string ("45 00 00 1c ...", spaces and newlines ignored) into
 * out; returns the byte count (aborts the program on malformed input). */
size_t check_hex(const char *hex, uint8_t *out, size_t cap);

#endif
