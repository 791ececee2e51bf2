/* SPDX-License-Identifier: MIT */
/*
 * FFA_VERSION and the version gate (med_version.c).
 */
#ifndef FFAMED_MED_VERSION_H
#define FFAMED_MED_VERSION_H

#include "med_internal.h"

static inline bool med_version_at_least(uint32_t v, uint32_t min)
{
	return FFA_VERSION_MAJOR(v) == FFA_VERSION_MAJOR(min) &&
	       FFA_VERSION_MINOR(v) >= FFA_VERSION_MINOR(min);
}

/* The version gate for every other FF-A call: returns the final version,
 * or 0 when FFA_VERSION was never called (the caller answers NOT_SUPPORTED). */
uint32_t med_version_finalise(struct ffamed_vm *vm);
static inline uint32_t med_vm_version(const struct ffamed_vm *vm)
{
	return atomic_load_explicit(&vm->version, memory_order_acquire);
}

#endif /* FFAMED_MED_VERSION_H */
