/* SPDX-License-Identifier: MIT */
/*
 * Indirect messages (FFA_MSG_SEND2, docs/MESSAGING.md). VM -> VM: copied
 * here from the sender's TX into the receiver's RX under both VMs'
 * rxtx_locks (ascending VM ID), and the receiver's RX-full framework
 * notification raised before the locks go, so that a release and the next
 * message cannot overtake it.
 * VM -> SP: checked here, then forwarded with the VM's ID for the SPMC to
 * read the VM's TX buffer it has mapped.
 */
#include "med_host.h"
#include "med_internal.h"
#include "med_lock.h"
#include "med_log.h"
#include "med_msg.h"
#include "med_notif_local.h"
#include "med_policy.h"
#include "med_registry.h"
#include "med_rx_owner.h"
#include "med_sp_cache.h"
#include "med_spmc_rxtx.h"
#include "med_version.h"
#if FFAMED_CONFIG_INDIRECT_MSG /* ffamed/config.h; else med_compiled_out.c */

static uint32_t med_hdr_size(uint32_t version)
{
	return med_version_at_least(version, FFA_VERSION_1_2) ? FFA_MSG_HDR_SIZE_1_2
							      : FFA_MSG_HDR_SIZE_1_1;
}

/* The sender's header, copied out of its TX (vm->rxtx_lock held). */
static int32_t med_hdr_copy(const struct ffamed_vm *vm, uint32_t version, struct ffa_msg_hdr *hdr)
{
	if (!vm->rxtx.mapped)
		return FFA_RET_DENIED;
	memset(hdr, 0, sizeof(*hdr));
	/* Guest memory changes under us: one copy, and only the copy is used. */
	memcpy(hdr, vm->rxtx.tx, med_hdr_size(version));
	return FFA_RET_OK;
}

/* Checks of the copy that need nothing of the receiver. */
static int32_t med_hdr_check(const struct ffamed_vm *vm, uint32_t version,
			     const struct ffa_msg_hdr *hdr)
{
	size_t tx_size = (size_t)vm->rxtx.page_count * FFA_PAGE_SIZE;

	if (hdr->flags || hdr->reserved0 || hdr->reserved1 || hdr->sender != vm->id ||
	    hdr->receiver == vm->id || hdr->receiver == FFA_HYP_ID || !hdr->size ||
	    hdr->offset < med_hdr_size(version) || hdr->offset > tx_size ||
	    hdr->size > tx_size - hdr->offset)
		return FFA_RET_INVALID_PARAMETERS;
	return FFA_RET_OK;
}

/* Writes the message into rv's RX in rv's header layout (both locks held). */
static int32_t med_deliver_vm(struct ffamed_vm *vm, struct ffamed_vm *rv,
			      const struct ffa_msg_hdr *hdr)
{
	uint32_t rv_version = med_vm_version(rv);
	uint32_t out_size = med_hdr_size(rv_version);
	struct ffa_msg_hdr out;
	size_t rx_size;
	void *rx;
	int32_t rc;

	if (!rv->rxtx.mapped)
		return FFA_RET_BUSY;
	if ((uint64_t)out_size + hdr->size > (uint64_t)rv->rxtx.page_count * FFA_PAGE_SIZE)
		return FFA_RET_INVALID_PARAMETERS;
	rc = med_vm_rx_acquire(rv, &rx, &rx_size);
	if (rc != FFA_RET_OK)
		return rc;
	memset(&out, 0, sizeof(out));
	out.offset = out_size;
	out.sender = vm->id;
	out.receiver = rv->id;
	out.size = hdr->size;
	if (out_size == FFA_MSG_HDR_SIZE_1_2)
		out.uuid = hdr->uuid; /* Nil from a v1.1 sender (zeroed copy) */
	memcpy(rx, &out, out_size);
	/* The payload is opaque: copied as it is now, whatever the sender does. */
	memmove((uint8_t *)rx + out_size, (const uint8_t *)vm->rxtx.tx + hdr->offset, hdr->size);
	med_vm_rx_give_to_guest(rv);
	med_notif_local_raise_fwk(rv, FFA_FWK_NOTIF_RX_FULL);
	return FFA_RET_OK;
}

static int32_t med_send2_vm(struct ffamed_vm *vm, uint32_t version, uint16_t receiver)
{
	struct ffamed *med = vm->med;
	struct ffamed_vm *rv;
	struct ffa_msg_hdr hdr;
	int32_t rc;

	if (!(med_policy_grant(vm, receiver) & FFAMED_RIGHT_MSG) || !med->cfg.vm_to_vm)
		return FFA_RET_DENIED;
	rv = med_vm_get(med, receiver);
	if (!rv)
		return FFA_RET_INVALID_PARAMETERS;
	rc = FFA_RET_DENIED;
	if (!(med_rights_vm(vm, rv) & FFAMED_RIGHT_MSG) ||
	    !med_version_at_least(med_vm_version(rv), FFA_VERSION_1_1))
		goto out_put;

	med_lock_in_id_order(med, vm->id, &vm->rxtx_lock, rv->id, &rv->rxtx_lock);
	/* Read again under the locks: the guest may have rewritten it. */
	rc = med_hdr_copy(vm, version, &hdr);
	if (rc == FFA_RET_OK)
		rc = med_hdr_check(vm, version, &hdr);
	if (rc == FFA_RET_OK && hdr.receiver != receiver)
		rc = FFA_RET_INVALID_PARAMETERS;
	if (rc == FFA_RET_OK)
		rc = med_deliver_vm(vm, rv, &hdr);
	med_unlock(med, &rv->rxtx_lock);
	med_unlock(med, &vm->rxtx_lock);
out_put:
	med_vm_put(rv);
	return rc;
}

static int32_t med_send2_sp(struct ffamed_vm *vm, uint32_t version)
{
	struct ffamed *med = vm->med;
	struct ffa_msg_hdr hdr;
	int32_t rc;

	med_lock(med, &vm->rxtx_lock);
	rc = med_hdr_copy(vm, version, &hdr);
	if (rc == FFA_RET_OK)
		rc = med_hdr_check(vm, version, &hdr);
	if (rc != FFA_RET_OK)
		goto out;
	/*
	 * The SPMC reads the TX itself and cannot know the sender's header
	 * size: with the payload at 40 or beyond it takes bytes 20..39 for
	 * the v1.2 fields. A v1.1 sender's bytes there must then read as a
	 * valid v1.2 tail, or the two of us would disagree on the message.
	 */
	if (!med_version_at_least(version, FFA_VERSION_1_2) && hdr.offset >= FFA_MSG_HDR_SIZE_1_2)
		memcpy(&hdr.reserved1, (const uint8_t *)vm->rxtx.tx + FFA_MSG_HDR_SIZE_1_1,
		       FFA_MSG_HDR_SIZE_1_2 - FFA_MSG_HDR_SIZE_1_1);
	rc = FFA_RET_INVALID_PARAMETERS;
	if (hdr.reserved1)
		goto out;
	/* The policy before the lookup, as for every path: existence not told. */
	rc = FFA_RET_DENIED;
	if (!(med_policy_grant(vm, hdr.receiver) & FFAMED_RIGHT_MSG))
		goto out;
	rc = FFA_RET_INVALID_PARAMETERS;
	if (!med_sp_find(med, hdr.receiver) ||
	    (!ffa_uuid_is_nil(&hdr.uuid) && !med_sp_has_uuid(med, hdr.receiver, &hdr.uuid)))
		goto out;
	rc = FFA_RET_DENIED;
	if (!(med_sp_props(med, hdr.receiver) & FFA_PART_PROP_INDIRECT_MSG))
		goto out;
	/* The SPMC reads the VM's TX itself: only a pair it has mapped. */
	rc = FFA_RET_NOT_SUPPORTED;
	if (!vm->rxtx.forwarded || !med_sp_indirect_available(med))
		goto out;
	/* Under the lock, so that the TX stays mapped while the SPMC reads. */
	rc = med_fw_simple(med, FFA_MSG_SEND2, (uint64_t)vm->id << 16, 0, 0, 0, 0, NULL);
out:
	med_unlock(med, &vm->rxtx_lock);
	return rc;
}

med_status med_handle_msg_send2(struct med_call *call)
{
	struct ffamed_vm *vm = call->vm;
	struct ffamed_regs *regs = call->regs;
	uint32_t version = call->version;
	struct ffamed *med = vm->med;
	struct ffa_msg_hdr hdr;
	int32_t rc;

	/* w1 (sender VM ID) is the hypervisor's to fill; the delay-SRI flag
	 * in w2 is an SP's. */
	for (int i = 1; i < 8; i++)
		if (regs->x[i])
			MED_REFUSE(call, FFA_RET_INVALID_PARAMETERS, "x1-x7 not zero");
	/* A first look for the receiver, to know which locks to take. */
	med_lock(med, &vm->rxtx_lock);
	rc = med_hdr_copy(vm, version, &hdr);
	if (rc == FFA_RET_OK)
		rc = med_hdr_check(vm, version, &hdr);
	med_unlock(med, &vm->rxtx_lock);
	if (rc != FFA_RET_OK)
		MED_REFUSE(call, rc, "no TX buffer, or its message header is invalid");
	if (FFA_ID_IS_SECURE(hdr.receiver)) {
		rc = med_send2_sp(vm, version);
		if (rc != FFA_RET_OK)
			MED_REFUSE(call, rc, "the SP cannot take it, or the SPMC refused");
	} else {
		rc = med_send2_vm(vm, version, hdr.receiver);
		if (rc != FFA_RET_OK)
			MED_REFUSE(call, rc, "policy, or the receiving VM cannot take it");
	}
	ffa_set_success32(regs, 0, 0, 0);
	return FFA_RET_OK;
}
#endif /* FFAMED_CONFIG_INDIRECT_MSG */
