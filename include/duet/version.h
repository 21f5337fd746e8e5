/* duet — version of the library. */
#ifndef DUET_VERSION_H
#define DUET_VERSION_H

#define DUET_VERSION_MAJOR 0
#define DUET_VERSION_MINOR 1
#define DUET_VERSION_PATCH 0
#define DUET_VERSION_STRING "0.1.0"

/* The library's version string, "MAJOR.MINOR.PATCH" (static). */
const char *duet_version(void);

#endif
