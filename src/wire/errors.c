/* duet — names and descriptions of the wire layer's rejection reasons. */
#include <duet/wire/errors.h>

static const char *const we_names[DUET_WE__COUNT] = {
	[DUET_WE_OK] = "OK",
#define X(name, desc) [DUET_WE_##name] = #name,
	DUET_WIRE_ERRORS(X)
#undef X
};

static const char *const we_descs[DUET_WE__COUNT] = {
	[DUET_WE_OK] = "no error",
#define X(name, desc) [DUET_WE_##name] = desc,
	DUET_WIRE_ERRORS(X)
#undef X
};

static int we_index(int err)
{
	if (err < 0)
		err = -err;
	return err < DUET_WE__COUNT ? err : -1;
}

const char *duet_wire_errname(int err)
{
	int i = we_index(err);
	return i < 0 ? "?" : we_names[i];
}

const char *duet_wire_strerror(int err)
{
	int i = we_index(err);
	return i < 0 ? "unknown wire error" : we_descs[i];
}
