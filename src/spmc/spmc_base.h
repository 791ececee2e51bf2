/* SPDX-License-Identifier: MIT */
/* The services below every SPMC handler (spmc_base.c). */
#ifndef FFAMED_SPMC_BASE_H
#define FFAMED_SPMC_BASE_H

#include "spmc_state.h"

void spmc_lock(struct ffamed_spmc *spmc, struct ffamed_lock *lock);
void spmc_unlock(struct ffamed_spmc *spmc, struct ffamed_lock *lock);
void spmc_log(struct ffamed_spmc *spmc, enum ffamed_log_level level, const char *fmt, ...);
/* Logs why a call is refused (so a mediator bug is easy to find) and
 * writes FFA_ERROR(err) into regs. */
void spmc_refuse(struct ffamed_spmc *spmc, struct ffamed_regs *regs, int32_t err, const char *fmt,
		 ...);
/* A copy of the injected faults (ffamed_spmc_set_faults). */
struct ffamed_spmc_faults spmc_faults(struct ffamed_spmc *spmc);
/* True when registers first..last (inclusive) are zero; only their low
 * 32 bits count for SMC32 calls. */
bool spmc_regs_mbz(const struct ffamed_regs *regs, bool is32, int first, int last);
/* Same major version, minor at least min's. */
bool spmc_version_at_least(uint32_t v, uint32_t min);

#endif /* FFAMED_SPMC_BASE_H */
