/* SPDX-License-Identifier: MIT */
/* Memory management, as the other SPMC files call it: spmc_mem.c and spmc_mem_retrieve.c (their
 * shared internals: spmc_mem_internal.h). */
#ifndef FFAMED_SPMC_MEM_H
#define FFAMED_SPMC_MEM_H

#include "spmc_state.h"

int32_t spmc_mem_init(struct ffamed_spmc *spmc, const struct ffamed_spmc_config *cfg);
void spmc_mem_fini(struct ffamed_spmc *spmc);
void spmc_mem_send(struct ffamed_spmc *spmc, struct ffamed_regs *regs, uint32_t fid,
		   uint32_t version);
void spmc_mem_frag_tx(struct ffamed_spmc *spmc, struct ffamed_regs *regs);
void spmc_mem_reclaim(struct ffamed_spmc *spmc, struct ffamed_regs *regs);
void spmc_mem_hyp_retrieve(struct ffamed_spmc *spmc, struct ffamed_regs *regs, bool is32,
			   uint32_t version);
void spmc_mem_hyp_frag_rx(struct ffamed_spmc *spmc, struct ffamed_regs *regs);

#endif /* FFAMED_SPMC_MEM_H */
