/* duet — one-line descriptions of Ethernet frames for transcripts. */
#ifndef DUET_TOOL_DESCRIBE_H
#define DUET_TOOL_DESCRIBE_H

#include <stddef.h>
#include <stdint.h>

/* Writes a one-line, tcpdump-like description of frame into buf (always
 * NUL-terminated, truncated to cap). Malformed headers are described with
 * the wire layer's rejection reason. Returns the length written. */
size_t describe_frame(const uint8_t *frame, size_t len, char *buf, size_t cap);

#endif
