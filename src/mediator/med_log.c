/* SPDX-License-Identifier: MIT */
/*
 * Logging through the host's vlog (which may be NULL), with the levels a
 * hypervisor has (error, warning, info, debug). Messages a guest can
 * trigger at will go through med_log_guest(): a guest looping on a bad call
 * must not flood the host log, so they are rate-limited per mediator, and
 * the count of dropped messages is logged when messages flow again.
 */
#include "med_internal.h"

static void med_vlog(const struct ffamed *med, enum ffamed_log_level level, const char *fmt,
		     va_list ap)
{
	med->ops->vlog(med->host, level, fmt, ap);
}

void med_log(const struct ffamed *med, enum ffamed_log_level level, const char *fmt, ...)
{
	va_list ap;

	if (!med->ops->vlog)
		return;
	va_start(ap, fmt);
	med_vlog(med, level, fmt, ap);
	va_end(ap);
}

/*
 * Fixed-window limiter: whoever sees the window expire opens the next one
 * (one CAS wins) and takes the suppressed count to report. A message racing
 * with the switch may count in either window: the cap is approximate by
 * one or two, never unbounded.
 */
static bool med_ratelimit_pass(struct ffamed *med, uint32_t *report_suppressed)
{
	struct med_ratelimit *rl = &med->guest_log_rl;
	uint64_t attempts = atomic_fetch_add_explicit(&rl->attempts, 1, memory_order_relaxed);
	uint64_t now, start, window;

	if (med->ops->now_ns) {
		now = med->ops->now_ns(med->host);
		window = MED_LOG_RL_WINDOW_NS;
	} else {
		now = attempts;
		window = MED_LOG_RL_NOCLOCK_WINDOW;
	}
	*report_suppressed = 0;
	start = atomic_load_explicit(&rl->window_start, memory_order_relaxed);
	if (now - start >= window &&
	    atomic_compare_exchange_strong_explicit(&rl->window_start, &start, now,
						    memory_order_relaxed, memory_order_relaxed)) {
		atomic_store_explicit(&rl->in_window, 0, memory_order_relaxed);
		*report_suppressed =
			atomic_exchange_explicit(&rl->suppressed, 0, memory_order_relaxed);
	}
	if (atomic_fetch_add_explicit(&rl->in_window, 1, memory_order_relaxed) < MED_LOG_RL_BURST)
		return true;
	atomic_fetch_add_explicit(&rl->suppressed, 1, memory_order_relaxed);
	return false;
}

void med_log_guest(struct ffamed *med, enum ffamed_log_level level, const char *fmt, ...)
{
	uint32_t suppressed;
	va_list ap;

	if (!med->ops->vlog)
		return;
	if (!med_ratelimit_pass(med, &suppressed))
		return;
	if (suppressed)
		med_log(med, FFAMED_LOG_WARN, "ffamed: %u guest-triggered messages suppressed",
			(unsigned)suppressed);
	va_start(ap, fmt);
	med_vlog(med, level, fmt, ap);
	va_end(ap);
}
