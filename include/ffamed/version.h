/* SPDX-License-Identifier: MIT */
/*
 * The ffamed library version (semantic versioning, docs/ABI.md). The build
 * takes the project version from these lines; ffamed_version() gives the
 * version of the library a program runs with, which may be newer than the
 * one it was built against.
 */
#ifndef FFAMED_VERSION_H
#define FFAMED_VERSION_H

#include "ffamed/export.h"

#ifdef __cplusplus
extern "C" {
#endif

#define FFAMED_VERSION_MAJOR 0
#define FFAMED_VERSION_MINOR 1
#define FFAMED_VERSION_PATCH 0

#define FFAMED_VERSION_STR_(x) #x
#define FFAMED_VERSION_STR(x)  FFAMED_VERSION_STR_(x)
/* "MAJOR.MINOR.PATCH" */
#define FFAMED_VERSION_STRING                                                                      \
	FFAMED_VERSION_STR(FFAMED_VERSION_MAJOR)                                                   \
	"." FFAMED_VERSION_STR(FFAMED_VERSION_MINOR) "." FFAMED_VERSION_STR(FFAMED_VERSION_PATCH)
/* One number that orders versions: 0xMMmmpp. */
#define FFAMED_VERSION_NUMBER                                                                      \
	((FFAMED_VERSION_MAJOR << 16) | (FFAMED_VERSION_MINOR << 8) | FFAMED_VERSION_PATCH)

/* The running library's version, as FFAMED_VERSION_STRING. */
FFAMED_API const char *ffamed_version(void);

#ifdef __cplusplus
}
#endif

#endif /* FFAMED_VERSION_H */
