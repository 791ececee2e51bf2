/* SPDX-License-Identifier: MIT */
/*
 * Base service: the VM registry. Fixed capacity, lookup by FF-A ID with a
 * reference count (the ID index lets lookups of different VMs share no
 * lock), insert and remove for VM create/destroy. Calls only the host
 * wrappers.
 */
#include "med_host.h"
#include "med_internal.h"
#include "med_lock.h"
#include "med_registry.h"

/* Enough buckets for max_vms to chain little; bounded memory. */
#define MED_MAX_BUCKETS 1024u

int32_t med_registry_init(struct ffamed *med)
{
	uint32_t n = 1;

	while (n < med->cfg.max_vms && n < MED_MAX_BUCKETS)
		n <<= 1;
	med->buckets = med_alloc(med, sizeof(*med->buckets) * n);
	if (!med->buckets)
		return FFA_RET_NO_MEMORY;
	med->bucket_count = n;
	for (uint32_t i = 0; i < n; i++)
		med_lock_init(med, &med->buckets[i].lock, MED_RANK_BUCKET);
	return FFA_RET_OK;
}

void med_registry_fini(struct ffamed *med)
{
	if (!med->buckets)
		return;
	for (uint32_t i = 0; i < med->bucket_count; i++)
		med_lock_destroy(med, &med->buckets[i].lock);
	med_free(med, med->buckets);
	med->buckets = NULL;
}

static struct med_vm_bucket *med_bucket(struct ffamed *med, uint16_t id)
{
	return &med->buckets[id & (med->bucket_count - 1)];
}

struct ffamed_vm *med_vm_get(struct ffamed *med, uint16_t id)
{
	struct med_vm_bucket *b = med_bucket(med, id);
	struct ffamed_vm *found;

	med_lock(med, &b->lock);
	for (found = b->head; found && found->id != id; found = found->bucket_next)
		;
	if (found)
		atomic_fetch_add_explicit(&found->refs, 1, memory_order_relaxed);
	med_unlock(med, &b->lock);
	return found;
}

void med_vm_put(struct ffamed_vm *vm)
{
	atomic_fetch_sub_explicit(&vm->refs, 1, memory_order_release);
}

int32_t med_registry_insert(struct ffamed *med, struct ffamed_vm *vm)
{
	uint32_t free_slot = UINT32_MAX;
	int32_t rc = FFA_RET_OK;

	med_lock(med, &med->registry_lock);
	for (uint32_t k = 0; k < med->cfg.max_vms; k++) {
		if (!med->vms[k]) {
			if (free_slot == UINT32_MAX)
				free_slot = k;
		} else if (med->vms[k]->id == vm->id) {
			rc = FFA_RET_DENIED;
			break;
		}
	}
	if (rc == FFA_RET_OK && free_slot == UINT32_MAX)
		rc = FFA_RET_NO_MEMORY;
	if (rc == FFA_RET_OK) {
		struct med_vm_bucket *b = med_bucket(med, vm->id);

		med->vms[free_slot] = vm;
		med->vm_count++;
		med_lock(med, &b->lock);
		vm->bucket_next = b->head;
		b->head = vm;
		med_unlock(med, &b->lock);
	}
	med_unlock(med, &med->registry_lock);
	return rc;
}

/* Unlinks vm, then waits (no lock held) for lookups still holding it. */
void med_registry_remove(struct ffamed *med, struct ffamed_vm *vm)
{
	struct med_vm_bucket *b = med_bucket(med, vm->id);

	med_lock(med, &med->registry_lock);
	med_lock(med, &b->lock);
	for (struct ffamed_vm **pp = &b->head; *pp; pp = &(*pp)->bucket_next) {
		if (*pp == vm) {
			*pp = vm->bucket_next;
			break;
		}
	}
	med_unlock(med, &b->lock);
	for (uint32_t k = 0; k < med->cfg.max_vms; k++) {
		if (med->vms[k] == vm) {
			med->vms[k] = NULL;
			med->vm_count--;
			break;
		}
	}
	med_unlock(med, &med->registry_lock);
	while (atomic_load_explicit(&vm->refs, memory_order_acquire))
		; /* lookups hold references only for a few instructions */
}
