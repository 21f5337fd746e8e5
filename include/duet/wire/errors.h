/* duet — the named reasons a wire parser or emitter rejects its input.
 *
 * Parsers and emitters return 0 (or a length) on success and the negated
 * reason (-DUET_WE_TRUNCATED, ...) on failure. The list is one X-macro so the
 * names and descriptions cannot drift apart. */
#ifndef DUET_WIRE_ERRORS_H
#define DUET_WIRE_ERRORS_H

#define DUET_WIRE_ERRORS(X) \
	X(TRUNCATED,      "shorter than its fixed header") \
	X(BAD_VERSION,    "version field is not the protocol's") \
	X(BAD_HDR_LEN,    "header length field out of range") \
	X(BAD_LENGTH,     "length field disagrees with the data") \
	X(BAD_CHECKSUM,   "checksum does not verify") \
	X(OPT_TRUNCATED,  "option runs past the end of its header") \
	X(BAD_OPT_LEN,    "option length not allowed for its type") \
	X(BAD_OPTION,     "malformed option") \
	X(BAD_PADDING,    "padding holds non-zero bytes") \
	X(BAD_FIELD,      "field holds a value the protocol forbids") \
	X(BAD_CODE,       "code not defined for this message type") \
	X(BAD_ADDR,       "address not allowed in this field") \
	X(BAD_TYPE,       "type or protocol not handled by this parser") \
	X(BAD_HW,         "hardware or protocol type/length unsupported") \
	X(NOSPACE,        "emit buffer too small") \
	X(TOO_BIG,        "value too large for its field")

enum duet_wire_err {
	DUET_WE_OK = 0,
#define DUET_WE_ENUM(name, desc) DUET_WE_##name,
	DUET_WIRE_ERRORS(DUET_WE_ENUM)
#undef DUET_WE_ENUM
	DUET_WE__COUNT
};

/* Returns the short name ("TRUNCATED") of a reason; accepts it negated too.
 * Unknown values give "?". The string is static. */
const char *duet_wire_errname(int err);

/* Returns the one-line description of a reason; accepts it negated too. */
const char *duet_wire_strerror(int err);

#endif
