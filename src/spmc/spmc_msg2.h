/* SPDX-License-Identifier: MIT */
/* Indirect messaging: FFA_MSG_SEND2 and the SP mailboxes (spmc_msg2.c). */
#ifndef FFAMED_SPMC_MSG2_H
#define FFAMED_SPMC_MSG2_H

#include "spmc_state.h"

int32_t spmc_msg2_sp_init(struct ffamed_spmc *spmc, struct ffamed_sp *sp);
void spmc_msg2_sp_fini(struct ffamed_spmc *spmc, struct ffamed_sp *sp);
void spmc_msg2_send(struct ffamed_spmc *spmc, uint32_t cpu, struct ffamed_regs *regs);

#endif /* FFAMED_SPMC_MSG2_H */
