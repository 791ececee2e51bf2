/* SPDX-License-Identifier: MIT */
/*
 * Logging through the host's vlog (which may be NULL). Messages a guest can
 * trigger at will are logged at DEBUG so that a guest cannot flood the host
 * log; nothing is rate-limited yet.
 */
#include "med_internal.h"

void med_log(const struct ffamed *med, enum ffamed_log_level level, const char *fmt, ...)
{
	va_list ap;

	if (!med->ops->vlog)
		return;
	va_start(ap, fmt);
	med->ops->vlog(med->host, level, fmt, ap);
	va_end(ap);
}
