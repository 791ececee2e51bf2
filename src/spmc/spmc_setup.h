/* SPDX-License-Identifier: MIT */
/* FFA_VERSION, FFA_FEATURES and the ID queries (spmc_setup.c). */
#ifndef FFAMED_SPMC_SETUP_H
#define FFAMED_SPMC_SETUP_H

#include "spmc_state.h"

void spmc_version_call(struct ffamed_spmc *spmc, struct ffamed_regs *regs);
/* The caller's version for this call (0: none), freezing it. */
uint32_t spmc_version_for_call(struct ffamed_spmc *spmc);
/* Whether `fid` is an ABI the hypervisor may use here at `version`. */
bool spmc_fid_supported(uint32_t fid, uint32_t version);
void spmc_features(struct ffamed_spmc *spmc, struct ffamed_regs *regs, uint32_t version);
/* FFA_ID_GET and FFA_SPM_ID_GET: answers `id`. */
void spmc_id_get(struct ffamed_spmc *spmc, struct ffamed_regs *regs, uint16_t id);

#endif /* FFAMED_SPMC_SETUP_H */
