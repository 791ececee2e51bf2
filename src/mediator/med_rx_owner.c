/* SPDX-License-Identifier: MIT */
/*
 * Base service: who owns a VM's RX buffer, the producer side (the mediator,
 * or the SPMC when the pair is forwarded) or the guest, and the hand-over
 * between them (docs/MESSAGING.md). Every function here runs under
 * vm->rxtx_lock, taken by the caller or here as each one says.
 */
#include "med_host.h"
#include "med_internal.h"
#include "med_lock.h"
#include "med_log.h"
#include "med_notif_local.h"
#include "med_rx_owner.h"
#include "med_rxtx.h"

int32_t med_vm_rx_acquire(struct ffamed_vm *vm, void **buf, size_t *size)
{
	struct med_rxtx *b = &vm->rxtx;
	int32_t rc;

	med_lock_assert_held(vm->med, &vm->rxtx_lock);
	if (!b->mapped || b->rx_owner != MED_RX_PRODUCER)
		return FFA_RET_BUSY;
	if (b->forwarded) {
		rc = med_fw_simple(vm->med, FFA_RX_ACQUIRE, vm->id, 0, 0, 0, 0, NULL);
		if (rc != FFA_RET_OK) {
			/* The SPMC delivered something there first. */
			med_debug(vm->med, "ffamed: VM %x: RX_ACQUIRE: %d", (unsigned)vm->id,
				  (int)rc);
			return FFA_RET_BUSY;
		}
	}
	*buf = b->rx;
	*size = (size_t)b->page_count * FFA_PAGE_SIZE;
	return FFA_RET_OK;
}

void med_vm_rx_give_to_guest(struct ffamed_vm *vm)
{
	med_lock_assert_held(vm->med, &vm->rxtx_lock);
	vm->rxtx.rx_owner = MED_RX_GUEST;
}

void med_vm_rx_put_back(struct ffamed_vm *vm)
{
	int32_t rc;

	med_lock_assert_held(vm->med, &vm->rxtx_lock);
	if (!vm->rxtx.forwarded)
		return;
	rc = med_fw_simple(vm->med, FFA_RX_RELEASE, vm->id, 0, 0, 0, 0, NULL);
	if (rc != FFA_RET_OK)
		med_warn(vm->med, "ffamed: VM %x: RX_RELEASE after acquire failed (%d)",
			 (unsigned)vm->id, (int)rc);
}

int32_t med_vm_rx_release(struct ffamed_vm *vm, bool ask_spmc)
{
	struct ffamed *med = vm->med;
	struct med_rxtx *b = &vm->rxtx;
	int32_t rc = FFA_RET_OK;

	med_lock(med, &vm->rxtx_lock);
	if (!b->mapped || (b->rx_owner != MED_RX_GUEST && !(b->forwarded && ask_spmc))) {
		rc = FFA_RET_DENIED;
	} else if (b->forwarded) {
		/*
		 * Ownership goes back to the SPMC, the producer of a forwarded
		 * RX. Forwarded even when we believe the RX empty: the SPMC may
		 * have filled it (an SP's FFA_MSG_SEND2) before the guest's GET
		 * told us, and it knows; it answers DENIED otherwise.
		 */
		rc = med_fw_simple(med, FFA_RX_RELEASE, vm->id, 0, 0, 0, 0, NULL);
		if (rc == FFA_RET_DENIED && b->rx_owner == MED_RX_GUEST) {
			/*
			 * The SPMC holds the RX empty: our GUEST was stale (a
			 * GET marks it after the SPMC's answer, and another
			 * vCPU's release can come in between). Believe the
			 * producer, or the VM could never receive nor unmap.
			 */
			med_debug(med, "ffamed: VM %x: RX_RELEASE: the SPMC holds the RX",
				  (unsigned)vm->id);
			b->rx_owner = MED_RX_PRODUCER;
		} else if (rc != FFA_RET_OK && b->rx_owner == MED_RX_GUEST) {
			med_warn_guest(med, "ffamed: VM %x: SPMC refused RX_RELEASE (%d)",
				       (unsigned)vm->id, (int)rc);
		}
	}
	if (rc == FFA_RET_OK) {
		b->rx_owner = MED_RX_PRODUCER;
		/* Under the RX lock, so that no new message's bit is cleared. */
		med_notif_local_clear_fwk(vm, FFA_FWK_NOTIF_RX_FULL);
	}
	med_unlock(med, &vm->rxtx_lock);
	return rc;
}

void med_vm_rx_filled_by_spmc(struct ffamed_vm *vm)
{
	med_lock(vm->med, &vm->rxtx_lock);
	if (vm->rxtx.mapped && vm->rxtx.forwarded)
		vm->rxtx.rx_owner = MED_RX_GUEST;
	med_unlock(vm->med, &vm->rxtx_lock);
}
