/* SPDX-License-Identifier: MIT */
/* Where a personality answers like a real SPMC (spmc_persona.c). */
#ifndef FFAMED_SPMC_PERSONA_H
#define FFAMED_SPMC_PERSONA_H

#include "spmc_state.h"

uint32_t spmc_persona_default_version(enum ffamed_spmc_personality p);
int32_t spmc_persona_init(struct ffamed_spmc *spmc, enum ffamed_spmc_personality p);
void spmc_persona_fini(struct ffamed_spmc *spmc);
/* Whether the personality implements the call at all (else NOT_SUPPORTED). */
bool spmc_persona_serves(const struct ffamed_spmc *spmc, uint32_t fid);
/* FFA_FEATURES(id): -1 strict answer, 0 NOT_SUPPORTED, 1 SUCCESS with *w2. */
int spmc_persona_features(const struct ffamed_spmc *spmc, uint32_t id, uint32_t *w2);
/* The error for the forwarded RXTX_MAP form (logged), or 0 to take it. */
int32_t spmc_persona_vm_rxtx_refusal(struct ffamed_spmc *spmc);
/* Whether a VM may have a notification bitmap here now. */
bool spmc_persona_vm_usable(const struct ffamed_spmc *spmc, uint16_t vm_id);
/* Whether memory may be sent on behalf of VM vm_id now. */
bool spmc_persona_sender_known(const struct ffamed_spmc *spmc, uint16_t vm_id);
/* Whether BIND takes per-vCPU notifications. */
bool spmc_persona_per_vcpu_notif(const struct ffamed_spmc *spmc);
/* Whether VM_CREATED/DESTROYED framework messages exist. */
bool spmc_persona_vm_availability(const struct ffamed_spmc *spmc);
/* A subscribed SP accepted VM_CREATED (true) or VM_DESTROYED for vm_id. */
void spmc_persona_vm_event(struct ffamed_spmc *spmc, uint16_t vm_id, bool created);
/* A direct request the personality answers itself (written to regs). */
bool spmc_persona_refuse_request(struct ffamed_spmc *spmc, const struct ffamed_sp *sp,
				 uint16_t sender, uint32_t fid, struct ffamed_regs *regs);

#endif /* FFAMED_SPMC_PERSONA_H */
