/* SPDX-License-Identifier: MIT */
/*
 * Logging through the host's vlog (which may be NULL), with the levels a
 * hypervisor has (error, warning, info, debug). Messages a guest can
 * trigger at will go through med_log_guest(): a guest looping on a bad call
 * must not flood the host log, so they are rate-limited per mediator, and
 * the count of dropped messages is logged when messages flow again.
 */
#include "ffamed/ffa_names.h"
#include "med_internal.h"
#include "med_log.h"

/* Names for log lines: plain const data, so the core stays freestanding. */
struct med_name {
	uint32_t value;
	const char *name;
};

#define FID_ROW(fid, since, handler) {fid, #fid},
static const struct med_name med_fid_names[] = {FFA_FID_LIST(FID_ROW)};
#undef FID_ROW

#define ERROR_ROW(code, name) {(uint32_t)(code), #name},
static const struct med_name med_error_names[] = {FFA_ERROR_LIST(ERROR_ROW)};
#undef ERROR_ROW

static const char *med_lookup(const struct med_name *t, size_t n, uint32_t value)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].value == value)
			return t[i].name;
	return NULL;
}

const char *med_fid_name(uint32_t fid)
{
	const char *name =
		med_lookup(med_fid_names, sizeof(med_fid_names) / sizeof(med_fid_names[0]),
			   fid & ~FFA_SMCCC_SVE_HINT);

	return name ? name : "an unknown function";
}

const char *med_err_name(int32_t err)
{
	const char *name;

	if (err == FFA_RET_OK)
		return "OK";
	name = med_lookup(med_error_names, sizeof(med_error_names) / sizeof(med_error_names[0]),
			  (uint32_t)err);
	return name ? name : "an unknown error";
}

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
static bool med_ratelimit_pass(struct ffamed *med, struct med_ratelimit *rl,
			       uint32_t *report_suppressed)
{
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
	if (!med_ratelimit_pass(med, &med->guest_log_rl, &suppressed))
		return;
	if (suppressed)
		med_log(med, FFAMED_LOG_WARN, "ffamed: %u guest-triggered messages suppressed",
			(unsigned)suppressed);
	va_start(ap, fmt);
	med_vlog(med, level, fmt, ap);
	va_end(ap);
}

/*
 * A refusal's debug line, with its own limiter: a guest probing what it may
 * do must not use up the budget of the warnings that matter.
 */
void med_refuse_record(struct med_call *call, med_status status, const char *site_reason)
{
	struct ffamed *med = call->vm->med;
	const char *site = site_reason;
	uint32_t suppressed;

	/* The file's name without its directory: the site is "path:line: ...". */
	for (const char *p = site_reason; *p && *p != ':'; p++)
		if (*p == '/')
			site = p + 1;
	call->refusal = site;
	if (!med->ops->vlog || !med_ratelimit_pass(med, &med->refusal_log_rl, &suppressed))
		return;
	if (suppressed)
		med_debug(med, "ffamed: %u refusals not logged", (unsigned)suppressed);
	med_debug(med, "ffamed: VM %x vCPU %u: %s refused %s: %s", (unsigned)call->vm->id,
		  (unsigned)call->vcpu, med_fid_name(call->fid), med_err_name(status), site);
}
