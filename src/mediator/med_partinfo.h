/* SPDX-License-Identifier: MIT */
/*
 * FFA_PARTITION_INFO_GET(_REGS) (med_partinfo.c): nothing but the handlers,
 * which are declared from the FID table (med_handler.h).
 */
#ifndef FFAMED_MED_PARTINFO_H
#define FFAMED_MED_PARTINFO_H

#include "med_internal.h"

#endif /* FFAMED_MED_PARTINFO_H */
