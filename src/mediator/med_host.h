/* SPDX-License-Identifier: MIT */
/*
 * Base service: the port's allocator and firmware conduit (locks: med_lock.h)
 * (med_host.c).
 */
#ifndef FFAMED_MED_HOST_H
#define FFAMED_MED_HOST_H

#include "med_internal.h"

void *med_alloc(const struct ffamed *med, size_t size);
void med_free(const struct ffamed *med, void *ptr);
/* regs in/out through the firmware conduit. */
void med_fw_call(const struct ffamed *med, struct ffamed_regs *regs);
/* A call with w1..w5 whose answer is SUCCESS or ERROR: returns the code. */
int32_t med_fw_simple(const struct ffamed *med, uint32_t fid, uint64_t a1, uint64_t a2, uint64_t a3,
		      uint64_t a4, uint64_t a5, struct ffamed_regs *out);

#endif /* FFAMED_MED_HOST_H */
