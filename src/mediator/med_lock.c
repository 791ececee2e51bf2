/* SPDX-License-Identifier: MIT */
/*
 * Base service: the mediator's locks over the port's, and in debug builds
 * the check of the lock order (med_lock.h) against the locks the calling
 * thread holds. Calls only the logger.
 */
#include "med_internal.h"
#include "med_lock.h"
#include "med_log.h"

#if FFAMED_LOCK_DEBUG
/* Deeper than any path of the lock order (one lock per rank, two for a
 * pair in ID order). */
#define MED_LOCK_HELD_MAX (MED_RANK_COUNT + 2)

static const char *const med_rank_names[MED_RANK_COUNT] = {
	[MED_RANK_VM_MSG] = "vm msg_lock",
	[MED_RANK_VM_RXTX] = "vm rxtx_lock",
	[MED_RANK_REGISTRY] = "registry_lock",
	[MED_RANK_VM_VERSION] = "vm version_lock",
	[MED_RANK_MEM] = "mem_lock",
	[MED_RANK_SPMC_TX] = "spmc_tx_lock",
	[MED_RANK_SPMC_RX] = "spmc_rx_lock",
	[MED_RANK_VM_NOTIF] = "vm notif_lock",
	[MED_RANK_BUCKET] = "registry bucket lock",
	[MED_RANK_PENDING] = "pending_lock",
};

static bool med_rank_is_leaf(enum med_lock_rank rank)
{
	return rank == MED_RANK_VM_MSG || rank == MED_RANK_VM_NOTIF || rank == MED_RANK_BUCKET ||
	       rank == MED_RANK_PENDING;
}

/* What this thread holds, in acquire order. The hosted debug build only:
 * the freestanding core never defines FFAMED_LOCK_DEBUG. */
static _Thread_local const struct med_lock *med_held[MED_LOCK_HELD_MAX];
static _Thread_local unsigned med_held_count;
/* The next acquire is the second of a pair in VM ID order. */
static _Thread_local bool med_pair_second;

static __attribute__((noreturn, cold)) void
med_lock_fail(const struct ffamed *med, const char *what, const struct med_lock *lock)
{
	const struct med_lock *top = med_held_count ? med_held[med_held_count - 1] : NULL;

	med_err(med, "ffamed: lock order: %s %s (holding %u, last %s)", what,
		med_rank_names[lock->rank], med_held_count,
		top ? med_rank_names[top->rank] : "none");
	__builtin_trap();
}

static void med_lock_check(const struct ffamed *med, const struct med_lock *lock)
{
	bool pair = med_pair_second;

	med_pair_second = false;
	if (med_held_count == MED_LOCK_HELD_MAX)
		med_lock_fail(med, "too many locks held taking", lock);
	for (unsigned i = 0; i < med_held_count; i++) {
		const struct med_lock *h = med_held[i];

		if (h == lock)
			med_lock_fail(med, "taken twice:", lock);
		if (pair && i == med_held_count - 1 && h->rank == lock->rank)
			continue;
		if (med_rank_is_leaf(h->rank))
			med_lock_fail(med, "taken under a leaf:", lock);
		if (h->rank >= lock->rank)
			med_lock_fail(med, "taken out of order:", lock);
	}
}

void med_lock_assert_held(const struct ffamed *med, const struct med_lock *lock)
{
	for (unsigned i = 0; i < med_held_count; i++)
		if (med_held[i] == lock)
			return;
	med_lock_fail(med, "not held:", lock);
}
#endif /* FFAMED_LOCK_DEBUG */

void med_lock_init(const struct ffamed *med, struct med_lock *lock, enum med_lock_rank rank)
{
	med->ops->lock_init(med->host, &lock->host);
	lock->rank = rank;
}

void med_lock_destroy(const struct ffamed *med, struct med_lock *lock)
{
	med->ops->lock_destroy(med->host, &lock->host);
}

void med_lock(const struct ffamed *med, struct med_lock *lock)
{
#if FFAMED_LOCK_DEBUG
	med_lock_check(med, lock);
#endif
	med->ops->lock_acquire(med->host, &lock->host);
#if FFAMED_LOCK_DEBUG
	med_held[med_held_count++] = lock;
#endif
}

void med_unlock(const struct ffamed *med, struct med_lock *lock)
{
#if FFAMED_LOCK_DEBUG
	unsigned i = med_held_count;

	while (i && med_held[i - 1] != lock)
		i--;
	if (!i)
		med_lock_fail(med, "released but not held:", lock);
	for (; i < med_held_count; i++)
		med_held[i - 1] = med_held[i];
	med_held_count--;
#endif
	med->ops->lock_release(med->host, &lock->host);
}

void med_lock_in_id_order(const struct ffamed *med, uint16_t id_a, struct med_lock *a,
			  uint16_t id_b, struct med_lock *b)
{
	med_lock(med, id_a < id_b ? a : b);
#if FFAMED_LOCK_DEBUG
	med_pair_second = true;
#endif
	med_lock(med, id_a < id_b ? b : a);
}
