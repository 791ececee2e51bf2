/* SPDX-License-Identifier: MIT */
/*
 * The memory transaction table: handles to transactions (a hash of chains)
 * and the handles the mediator allocates for VM borrowers. Below every
 * memory handler, so that senders (med_mem.c) and VM borrowers
 * (med_mem_vm.c) both find transactions here without calling each other.
 * All of it under med->mem_lock, except med_mem_new_handle, which takes it.
 */
#include "med_host.h"
#include "med_internal.h"
#include "med_lock.h"
#include "med_mem.h"
#if FFAMED_CONFIG_MEM_SHARE /* ffamed/config.h */

static uint32_t mem_bucket(uint64_t handle)
{
	return (uint32_t)((handle ^ (handle >> 17) ^ (handle >> 32)) % MED_MEM_HASH_BUCKETS);
}

struct med_mem_txn *med_mem_find(struct ffamed *med, uint64_t handle)
{
	struct med_mem_txn *t = med->mem->table[mem_bucket(handle)];

	while (t && t->handle != handle)
		t = t->next;
	return t;
}

void med_mem_insert(struct ffamed *med, struct med_mem_txn *txn)
{
	struct med_mem_txn **head = &med->mem->table[mem_bucket(txn->handle)];

	txn->next = *head;
	*head = txn;
}

void med_mem_remove(struct ffamed *med, struct med_mem_txn *txn)
{
	struct med_mem_txn **pp = &med->mem->table[mem_bucket(txn->handle)];

	while (*pp && *pp != txn)
		pp = &(*pp)->next;
	if (*pp)
		*pp = txn->next;
	txn->next = NULL;
}

uint64_t med_mem_new_handle(struct ffamed *med)
{
	uint64_t h;

	med_lock(med, &med->mem_lock);
	h = med->mem->next_handle++;
	if (!(med->mem->next_handle & ~FFA_HANDLE_HYP_ALLOCATED) ||
	    med->mem->next_handle == FFA_INVALID_HANDLE)
		med->mem->next_handle = MED_MEM_FIRST_HANDLE; /* after 2^63: wrap */
	med_unlock(med, &med->mem_lock);
	return h;
}

#endif /* FFAMED_CONFIG_MEM_SHARE */
