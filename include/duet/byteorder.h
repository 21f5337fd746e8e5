/* duet — big-endian load/store helpers for wire formats (no casts onto packet bytes). */
#ifndef DUET_BYTEORDER_H
#define DUET_BYTEORDER_H

#include <stdint.h>

/* Reads a big-endian 16-bit value from p (any alignment). */
static inline uint16_t duet_get_be16(const uint8_t *p)
{
	return (uint16_t)((uint16_t)p[0] << 8 | p[1]);
}

/* Reads a big-endian 32-bit value from p (any alignment). */
static inline uint32_t duet_get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Reads a big-endian 64-bit value from p (any alignment). */
static inline uint64_t duet_get_be64(const uint8_t *p)
{
	return (uint64_t)duet_get_be32(p) << 32 | duet_get_be32(p + 4);
}

/* Writes v big-endian at p (any alignment). */
static inline void duet_put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* Writes v big-endian at p (any alignment). */
static inline void duet_put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* Writes v big-endian at p (any alignment). */
static inline void duet_put_be64(uint8_t *p, uint64_t v)
{
	duet_put_be32(p, (uint32_t)(v >> 32));
	duet_put_be32(p + 4, (uint32_t)v);
}

#endif
