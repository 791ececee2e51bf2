/* SPDX-License-Identifier: MIT */
/*
 * The services below every SPMC handler: the environment's locks and log,
 * refusals, register and version checks, the SP table and the injected
 * faults. Nothing here calls a handler, so every SPMC file may call this
 * one.
 */
#include <stdarg.h>

#include "spmc_base.h"

/* ---- Environment ------------------------------------------------------------ */

void spmc_lock(struct ffamed_spmc *spmc, struct ffamed_lock *lock)
{
	spmc->env.lock_acquire(spmc->env.ctx, lock);
}

void spmc_unlock(struct ffamed_spmc *spmc, struct ffamed_lock *lock)
{
	spmc->env.lock_release(spmc->env.ctx, lock);
}

static void spmc_vlog(struct ffamed_spmc *spmc, enum ffamed_log_level level, const char *fmt,
		      va_list ap)
{
	if (spmc->env.vlog)
		spmc->env.vlog(spmc->env.ctx, level, fmt, ap);
}

void spmc_log(struct ffamed_spmc *spmc, enum ffamed_log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	spmc_vlog(spmc, level, fmt, ap);
	va_end(ap);
}

void spmc_refuse(struct ffamed_spmc *spmc, struct ffamed_regs *regs, int32_t err, const char *fmt,
		 ...)
{
	va_list ap;

	va_start(ap, fmt);
	spmc_vlog(spmc, FFAMED_LOG_DEBUG, fmt, ap);
	va_end(ap);
	ffa_set_error(regs, err);
}

bool spmc_regs_mbz(const struct ffamed_regs *regs, bool is32, int first, int last)
{
	for (int i = first; i <= last; i++) {
		uint64_t v = is32 ? (uint32_t)regs->x[i] : regs->x[i];

		if (v)
			return false;
	}
	return true;
}

bool spmc_version_at_least(uint32_t v, uint32_t min)
{
	return FFA_VERSION_MAJOR(v) == FFA_VERSION_MAJOR(min) &&
	       FFA_VERSION_MINOR(v) >= FFA_VERSION_MINOR(min);
}

/* ---- Injected faults ---------------------------------------------------------- */

struct ffamed_spmc_faults spmc_faults(struct ffamed_spmc *spmc)
{
	struct ffamed_spmc_faults f;

	spmc_lock(spmc, &spmc->faults_lock);
	f = spmc->faults;
	spmc_unlock(spmc, &spmc->faults_lock);
	return f;
}

void ffamed_spmc_set_faults(struct ffamed_spmc *spmc, const struct ffamed_spmc_faults *faults)
{
	spmc_lock(spmc, &spmc->faults_lock);
	spmc->faults = *faults;
	spmc_unlock(spmc, &spmc->faults_lock);
}

/* ---- The SP table (fixed at create) ----------------------------------------- */

struct ffamed_sp *ffamed_spmc_find_sp(struct ffamed_spmc *spmc, uint16_t id)
{
	for (uint32_t i = 0; i < spmc->sp_count; i++)
		if (spmc->sps[i].cfg.id == id)
			return &spmc->sps[i];
	return NULL;
}

void *ffamed_sp_priv(const struct ffamed_sp *sp)
{
	return sp->cfg.priv;
}

uint16_t ffamed_sp_id(const struct ffamed_sp *sp)
{
	return sp->cfg.id;
}
