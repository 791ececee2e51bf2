/* SPDX-License-Identifier: MIT */
/* FFA_PARTITION_INFO_GET and _GET_REGS (spmc_partinfo.c). */
#ifndef FFAMED_SPMC_PARTINFO_H
#define FFAMED_SPMC_PARTINFO_H

#include "spmc_state.h"

void spmc_partition_info_get(struct ffamed_spmc *spmc, struct ffamed_regs *regs, uint32_t version);
void spmc_partition_info_get_regs(struct ffamed_spmc *spmc, struct ffamed_regs *regs,
				  uint32_t version);

#endif /* FFAMED_SPMC_PARTINFO_H */
