/* SPDX-License-Identifier: MIT */
/* Time for the `ffamed` subcommands. */
#include <time.h>

#include "tool_clock.h"

uint64_t tool_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}
