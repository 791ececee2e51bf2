/* SPDX-License-Identifier: MIT */
/*
 * Base service: the mediator's locks and THE LOCK ORDER (med_lock.c).
 *
 * Every mediator lock has a rank below. A lock may be taken only while every
 * lock the CPU already holds has a lower rank; a leaf lock may be taken
 * under any non-leaf lock, and nothing is taken while a leaf is held. Two
 * locks of one rank are held at once only through med_lock_in_id_order()
 * (two VMs' locks, in ascending VM ID order). Port ops called under a lock
 * take no mediator lock (include/ffamed/port.h). No lock is held while
 * waiting for another VM: the registry's reference drain in VM destroy
 * waits with no lock held, and a blocked call holds no lock. The direct
 * message path takes no lock: the SP cache is immutable after create, and a
 * vCPU's state is only touched by that vCPU.
 *
 * Debug builds (FFAMED_LOCK_DEBUG: tests, the POSIX port and sim, fuzzing)
 * check all of this on every acquire, and med_lock_assert_held() where a
 * function relies on a lock its caller took; a violation is logged and
 * traps. Release builds, and the freestanding core, check nothing.
 */
#ifndef FFAMED_MED_LOCK_H
#define FFAMED_MED_LOCK_H

#include <stdbool.h>
#include <stdint.h>

#include "ffamed/port.h"

struct ffamed;

#ifndef FFAMED_LOCK_DEBUG
#define FFAMED_LOCK_DEBUG 0
#endif

/* Outer first. */
enum med_lock_rank {
	/* One VM's direct-messaging state (struct med_vcpu's rx_/tx_ fields of
	 * all its vCPUs). A leaf: the port's vcpu_resume runs under it, no
	 * other mediator lock (MSG_WAIT releases the RX before taking it). */
	MED_RANK_VM_MSG,
	/* One VM's RX/TX pair (map, unmap, release, every use of its RX or TX
	 * contents). FFA_MSG_SEND2 VM -> VM holds two, in VM ID order. */
	MED_RANK_VM_RXTX,
	/* The VM registry: insert, remove, enumeration for partition info
	 * and for teardown's unbinding. */
	MED_RANK_REGISTRY,
	/* One VM's version negotiation; readers use the published atomic. */
	MED_RANK_VM_VERSION,
	/* Memory sharing: the transaction table, every transaction's state,
	 * every VM's page ownership and handle count (med_mem.h). Never held
	 * across a firmware call: a reclaim at the SPMC marks the transaction
	 * BUSY, drops the lock, calls, and takes it again. Port memory ops
	 * (pin, set_access, borrow_map) run under it. */
	MED_RANK_MEM,
	/* The mediator's TX, then RX, buffer with the SPMC, held from acquire
	 * to release (med_spmc_rxtx.c). */
	MED_RANK_SPMC_TX,
	MED_RANK_SPMC_RX,
	/* One VM's notifications as a receiver (struct med_notif). A leaf: the
	 * port's vcpu_is_online and inject_virq run under it (the delivery
	 * protocol of models/README.md decides and injects in one critical
	 * section). Never held across a firmware call. */
	MED_RANK_VM_NOTIF,
	/* One bucket of the VM ID index: lookup + reference, insert/remove.
	 * A leaf, so that lookups (VM-to-VM calls) share no other lock. */
	MED_RANK_BUCKET,
	/* The pending VM_DESTROYED records. A leaf. */
	MED_RANK_PENDING,
	MED_RANK_COUNT,
};

/* A host lock and its rank (in every build, so that code built with and
 * without the checks agrees on the layout). */
struct med_lock {
	struct ffamed_lock host;
	enum med_lock_rank rank;
};

void med_lock_init(const struct ffamed *med, struct med_lock *lock, enum med_lock_rank rank);
void med_lock_destroy(const struct ffamed *med, struct med_lock *lock);
void med_lock(const struct ffamed *med, struct med_lock *lock);
void med_unlock(const struct ffamed *med, struct med_lock *lock);
/* Two VMs' locks of one rank, in ascending VM ID order. */
void med_lock_in_id_order(const struct ffamed *med, uint16_t id_a, struct med_lock *a,
			  uint16_t id_b, struct med_lock *b);

#if FFAMED_LOCK_DEBUG
/* Traps unless the calling thread holds `lock`. */
void med_lock_assert_held(const struct ffamed *med, const struct med_lock *lock);
#else
static inline void med_lock_assert_held(const struct ffamed *med, const struct med_lock *lock)
{
	(void)med;
	(void)lock;
}
#endif

#endif /* FFAMED_MED_LOCK_H */
