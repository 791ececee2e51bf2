/* SPDX-License-Identifier: MIT */
/*
 * FFA_PARTITION_INFO_GET(_REGS) (med_partinfo.c).
 */
#ifndef FFAMED_MED_PARTINFO_H
#define FFAMED_MED_PARTINFO_H

#include "med_internal.h"

void med_handle_partition_info_get(struct ffamed_vm *vm, uint32_t version,
				   struct ffamed_regs *regs);
void med_handle_partition_info_get_regs(struct ffamed_vm *vm, uint32_t version,
					struct ffamed_regs *regs);

#endif /* FFAMED_MED_PARTINFO_H */
