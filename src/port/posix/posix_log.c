/* SPDX-License-Identifier: MIT */
/*
 * Logging: the level from FFAMED_LOG, one line per message on stderr, and
 * the port's own contract-violation counter. The base of the port: every
 * other file logs through here, and nothing here calls back into them.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "posix_internal.h"

static const char *const level_names[] = {"error", "warn", "info", "debug"};

int ffamed_posix_log_level(const char *value)
{
	for (int i = 0; i <= FFAMED_LOG_DEBUG; i++)
		if (strcasecmp(value, level_names[i]) == 0)
			return i;
	return -1;
}

static void log_line(enum ffamed_log_level level, const char *component, const char *fmt,
		     va_list ap)
{
	char line[512];

	vsnprintf(line, sizeof(line), fmt, ap);
	/* One call so that lines from several threads do not interleave. */
	fprintf(stderr, "[%s] %s%s\n", level_names[level], component, line);
}

__attribute__((format(printf, 3, 4))) static void
log_line_f(enum ffamed_log_level level, const char *component, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_line(level, component, fmt, ap);
	va_end(ap);
}

enum ffamed_log_level posix_log_level_from_env(void)
{
	const char *v = getenv("FFAMED_LOG");
	int level;

	if (!v)
		return FFAMED_LOG_WARN;
	level = ffamed_posix_log_level(v);
	if (level < 0) {
		log_line_f(FFAMED_LOG_ERROR, "host: ",
			   "FFAMED_LOG: '%s' is not a level (" FFAMED_POSIX_LOG_LEVELS
			   "): logging at warn",
			   v);
		return FFAMED_LOG_WARN;
	}
	return (enum ffamed_log_level)level;
}

/* The mediator's and the SPMC's lines name their component themselves. */
void posix_vlog(void *ctx, enum ffamed_log_level level, const char *fmt, va_list ap)
{
	const struct ffamed_posix_host *host = ctx;

	if ((unsigned)level > FFAMED_LOG_DEBUG)
		level = FFAMED_LOG_ERROR;
	if (level > host->log_level)
		return;
	log_line(level, "", fmt, ap);
}

void posix_log(struct ffamed_posix_host *host, enum ffamed_log_level level, const char *fmt, ...)
{
	va_list ap;

	if (level > host->log_level)
		return;
	va_start(ap, fmt);
	log_line(level, "host: ", fmt, ap);
	va_end(ap);
}

void posix_error(struct ffamed_posix_host *host, const char *fmt, ...)
{
	va_list ap;

	atomic_fetch_add(&host->errors, 1);
	va_start(ap, fmt);
	log_line(FFAMED_LOG_ERROR, "host: ", fmt, ap);
	va_end(ap);
}
