/* SPDX-License-Identifier: MIT */
/* Notifications (spmc_notif.c). */
#ifndef FFAMED_SPMC_NOTIF_H
#define FFAMED_SPMC_NOTIF_H

#include "spmc_state.h"

int32_t spmc_notif_init(struct ffamed_spmc *spmc);
void spmc_notif_fini(struct ffamed_spmc *spmc);
int32_t spmc_notif_sp_init(struct ffamed_spmc *spmc, struct ffamed_sp *sp);
void spmc_notif_sp_fini(struct ffamed_spmc *spmc, struct ffamed_sp *sp);
void spmc_notif_bitmap_create(struct ffamed_spmc *spmc, struct ffamed_regs *regs);
void spmc_notif_bitmap_destroy(struct ffamed_spmc *spmc, struct ffamed_regs *regs);
void spmc_notif_bind(struct ffamed_spmc *spmc, struct ffamed_regs *regs, bool bind);
void spmc_notif_set(struct ffamed_spmc *spmc, struct ffamed_regs *regs);
void spmc_notif_get(struct ffamed_spmc *spmc, struct ffamed_regs *regs);
void spmc_notif_info_get(struct ffamed_spmc *spmc, struct ffamed_regs *regs, bool is64);
/* An SP handler returned on `cpu`: raise the SRI it delayed, if any. */
void spmc_notif_handler_done(struct ffamed_spmc *spmc, struct ffamed_sp *sp, uint32_t cpu);
/* Set (true) or clear SPM framework bits of VM vm_id; false when it has no
 * bitmap. Set marks them unlisted for INFO_GET. */
bool spmc_notif_fwk_update(struct ffamed_spmc *spmc, uint16_t vm_id, uint32_t bits, bool set);
/* An SP set a notification for the normal world: raise the SRI on `cpu`
 * now, or when its current handler returns (delay). No lock held. */
void spmc_notif_sri(struct ffamed_spmc *spmc, struct ffamed_sp *sp, uint32_t cpu, bool delay);

#endif /* FFAMED_SPMC_NOTIF_H */
