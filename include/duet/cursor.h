/* duet — bounds-checked read and write cursors over byte buffers.
 *
 * Every length check of the wire layer lives here: a parser takes the bytes
 * it needs with duet_cur_take(), which either returns a pointer to exactly
 * that many readable bytes or NULL (and then consumes nothing). Once a take
 * succeeded, reading those bytes cannot go out of bounds. Emitters reserve
 * space with duet_wcur_take() the same way. Cursors never own memory. */
#ifndef DUET_CURSOR_H
#define DUET_CURSOR_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* A read cursor: data[off .. len) is still unread. */
struct duet_cur {
	const uint8_t *data;
	size_t len;
	size_t off;
};

/* A write cursor: data[off .. cap) is still free. */
struct duet_wcur {
	uint8_t *data;
	size_t cap;
	size_t off;
};

/* Starts a read cursor over len bytes at data (not copied, not owned). */
static inline void duet_cur_init(struct duet_cur *c, const void *data, size_t len)
{
	c->data = (const uint8_t *)data;
	c->len = len;
	c->off = 0;
}

/* Returns how many bytes are left to read. */
static inline size_t duet_cur_left(const struct duet_cur *c)
{
	return c->len - c->off;
}

/* Returns a pointer to the next n bytes without consuming them, or NULL if
 * fewer than n bytes are left. */
static inline const uint8_t *duet_cur_peek(const struct duet_cur *c, size_t n)
{
	if (n > c->len - c->off)
		return NULL;
	return c->data + c->off;
}

/* Returns a pointer to the next n bytes and consumes them, or NULL (nothing
 * consumed) if fewer than n bytes are left. */
static inline const uint8_t *duet_cur_take(struct duet_cur *c, size_t n)
{
	const uint8_t *p = duet_cur_peek(c, n);
	if (p)
		c->off += n;
	return p;
}

/* Splits the next n bytes off as their own cursor *sub and consumes them.
 * Returns 0, or -1 (nothing consumed) if fewer than n bytes are left. */
static inline int duet_cur_split(struct duet_cur *c, size_t n, struct duet_cur *sub)
{
	const uint8_t *p = duet_cur_take(c, n);
	if (!p)
		return -1;
	duet_cur_init(sub, p, n);
	return 0;
}

/* Limits the cursor to its next n bytes (a length field said the data ends
 * there). Returns 0, or -1 (cursor unchanged) if fewer than n are left. */
static inline int duet_cur_limit(struct duet_cur *c, size_t n)
{
	if (n > c->len - c->off)
		return -1;
	c->len = c->off + n;
	return 0;
}

/* Starts a write cursor over cap bytes at data (not owned). */
static inline void duet_wcur_init(struct duet_wcur *w, void *data, size_t cap)
{
	w->data = (uint8_t *)data;
	w->cap = cap;
	w->off = 0;
}

/* Reserves the next n bytes for writing: returns a pointer to them, or NULL
 * (nothing reserved) if fewer than n bytes are free. */
static inline uint8_t *duet_wcur_take(struct duet_wcur *w, size_t n)
{
	uint8_t *p;
	if (n > w->cap - w->off)
		return NULL;
	p = w->data + w->off;
	w->off += n;
	return p;
}

/* Appends n bytes from src. Returns 0, or -1 (nothing written) if no room. */
static inline int duet_wcur_put(struct duet_wcur *w, const void *src, size_t n)
{
	uint8_t *p = duet_wcur_take(w, n);
	if (!p)
		return -1;
	if (n)
		memcpy(p, src, n);
	return 0;
}

#endif
