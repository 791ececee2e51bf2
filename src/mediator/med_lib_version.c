/* SPDX-License-Identifier: MIT */
/* The library's own version (not the FF-A version: med_version.c). */
#include "ffamed/version.h"

const char *ffamed_version(void)
{
	return FFAMED_VERSION_STRING;
}
