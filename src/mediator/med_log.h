/* SPDX-License-Identifier: MIT */
/*
 * Logging (med_log.c): levels, and a rate limit for what guests trigger.
 * Embedded in struct ffamed, hence no med_internal.h here.
 */
#ifndef FFAMED_MED_LOG_H
#define FFAMED_MED_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ffamed/mediator.h"

struct ffamed;
struct ffamed_vm;

#include <stdatomic.h>

/*
 * Rate limit for log messages a guest can trigger at will: at most
 * MED_LOG_RL_BURST per MED_LOG_RL_WINDOW_NS, lock-free. Without a host
 * clock a window is MED_LOG_RL_NOCLOCK_WINDOW attempts instead.
 */
#define MED_LOG_RL_BURST	  10u
#define MED_LOG_RL_WINDOW_NS	  1000000000ull
#define MED_LOG_RL_NOCLOCK_WINDOW 1000u
struct med_ratelimit {
	_Atomic uint64_t window_start; /* ns, or attempts without a clock */
	_Atomic uint64_t attempts;
	_Atomic uint32_t in_window;  /* messages asked for in this window */
	_Atomic uint32_t suppressed; /* dropped since the last report */
};

void med_log(const struct ffamed *med, enum ffamed_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
#define med_err(med, ...)   med_log(med, FFAMED_LOG_ERROR, __VA_ARGS__)
#define med_warn(med, ...)  med_log(med, FFAMED_LOG_WARN, __VA_ARGS__)
#define med_info(med, ...)  med_log(med, FFAMED_LOG_INFO, __VA_ARGS__)
#define med_debug(med, ...) med_log(med, FFAMED_LOG_DEBUG, __VA_ARGS__)
/* The same, rate-limited: for messages a guest can trigger at will. */
void med_log_guest(struct ffamed *med, enum ffamed_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
#define med_warn_guest(med, ...) med_log_guest(med, FFAMED_LOG_WARN, __VA_ARGS__)
/* FF-A names for log lines: "FFA_MSG_SEND_DIRECT_REQ_64", "INVALID_PARAMETERS";
 * a phrase for values outside ffamed/ffa_names.h. */
const char *med_fid_name(uint32_t fid);
const char *med_err_name(int32_t err);

#endif /* FFAMED_MED_LOG_H */
