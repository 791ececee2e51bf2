/* SPDX-License-Identifier: MIT */
/* Direct requests to SPs and FFA_RUN (spmc_msg.c). */
#ifndef FFAMED_SPMC_MSG_H
#define FFAMED_SPMC_MSG_H

#include "spmc_state.h"

void spmc_msg_direct_req(struct ffamed_spmc *spmc, uint32_t cpu, struct ffamed_regs *regs,
			 uint32_t fid, uint32_t version);
void spmc_msg_run(struct ffamed_spmc *spmc, uint32_t cpu, struct ffamed_regs *regs);

#endif /* FFAMED_SPMC_MSG_H */
