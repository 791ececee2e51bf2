/* SPDX-License-Identifier: MIT */
/*
 * Ticket spinlocks. Built with -mno-outline-atomics, the C11 atomics below
 * become LDAXR/STLXR loops (or LSE with a newer -march); they are valid
 * because the MMU is on and RAM is Normal cacheable (mmu.c).
 */
#include <stdatomic.h>

#include "el2.h"

void el2_lock_init(struct el2_lock *l)
{
	atomic_init(&l->next, 0);
	atomic_init(&l->owner, 0);
}

void el2_lock(struct el2_lock *l)
{
	uint32_t ticket = atomic_fetch_add_explicit(&l->next, 1, memory_order_relaxed);

	while (atomic_load_explicit(&l->owner, memory_order_acquire) != ticket)
		__asm__ volatile("yield");
}

void el2_unlock(struct el2_lock *l)
{
	atomic_store_explicit(&l->owner, atomic_load_explicit(&l->owner, memory_order_relaxed) + 1,
			      memory_order_release);
}
