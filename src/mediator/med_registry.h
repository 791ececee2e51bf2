/* SPDX-License-Identifier: MIT */
/*
 * Base service: the VM registry (med_registry.c).
 */
#ifndef FFAMED_MED_REGISTRY_H
#define FFAMED_MED_REGISTRY_H

#include "med_internal.h"

/* One bucket of the VM ID index, padded so that lookups of different VMs on
 * different CPUs do not bounce one cache line (host allocations are not
 * cache-line aligned, hence padding rather than _Alignas). */
struct med_vm_bucket {
	struct med_lock lock;
	struct ffamed_vm *head;
	char pad[MED_CACHE_LINE];
};

/* The ID index, at mediator create/destroy. */
int32_t med_registry_init(struct ffamed *med);
void med_registry_fini(struct ffamed *med);
/* Registry lookup: a referenced VM (put it with med_vm_put) or NULL. */
struct ffamed_vm *med_vm_get(struct ffamed *med, uint16_t id);
void med_vm_put(struct ffamed_vm *vm);
/* DENIED when the ID is taken, NO_MEMORY when the registry is full. */
int32_t med_registry_insert(struct ffamed *med, struct ffamed_vm *vm);
/* Unlinks vm, then waits (no lock held) for lookups still holding it. */
void med_registry_remove(struct ffamed *med, struct ffamed_vm *vm);

#endif /* FFAMED_MED_REGISTRY_H */
