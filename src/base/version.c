/* duet — the library's version. */
#include <duet/version.h>

const char *duet_version(void)
{
	return DUET_VERSION_STRING;
}
