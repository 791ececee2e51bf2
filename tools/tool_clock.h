/* SPDX-License-Identifier: MIT */
/* Time for the `ffamed` subcommands: deadlines and wall time. */
#ifndef FFAMED_TOOL_CLOCK_H
#define FFAMED_TOOL_CLOCK_H

#include <stdint.h>

/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t tool_now_ns(void);

#endif /* FFAMED_TOOL_CLOCK_H */
