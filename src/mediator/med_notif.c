/* SPDX-License-Identifier: MIT */
/*
 * FF-A notification calls from guests: their checks, and the routing by
 * the other endpoint. With an SP on the other side the call is forwarded to
 * the SPMC; with another VM it is served here (med_notif_local.c).
 *
 * The SPMC keeps the SP-class bitmaps and bindings. The mediator owns each VM's
 * bitmap at the SPMC: it is created with the VM and destroyed with it, so a
 * guest never calls BITMAP_CREATE/DESTROY (the hypervisor is the only
 * normal-world endpoint the SPMC lets do that for other IDs). Guest calls
 * are checked for the guest's own ID (and calling vCPU for GET) before they
 * are forwarded, because the SPMC trusts whatever ID the hypervisor names.
 *
 * A guest's INFO_GET is answered about that guest only (med_notif_info.c);
 * the SPMC's INFO_GET, which lists every VM, is the mediator's, on the SRI
 * (med_notif_sri.c).
 *
 * No lock here: the SPMC serialises its bitmap state itself, a VM's bitmap
 * is only created before the VM is registered and destroyed after it is
 * gone, and the local state has its own lock.
 */
#include "med_host.h"
#include "med_internal.h"
#include "med_log.h"
#include "med_notif.h"
#include "med_notif_local.h"
#include "med_policy.h"
#include "med_registry.h"
#include "med_rx_owner.h"
#include "med_sp_cache.h"
#if FFAMED_CONFIG_NOTIFICATIONS /* ffamed/config.h; else med_compiled_out.c */

/* SET flags: bit0 per-vCPU, bit1 delay SRI, [15:2] MBZ, [31:16] vCPU ID.
 * Delaying the SRI is for SPs, which run before returning to the NWd: a
 * guest must leave it clear too. */
#define MED_NOTIF_SET_MBZ 0x0000FFFEu

bool med_notif_available(const struct ffamed *med)
{
	return (med->fw_abis & MED_FW_NOTIF) || med->cfg.vm_to_vm;
}

/* Forwarded calls answer SUCCESS or ERROR; pass the guest a clean copy
 * (SUCCESS with no arguments, or the error code alone). */
static med_status med_notif_reply_simple(struct med_call *call, const struct ffamed_regs *fw)
{
	if (!ffa_is_success(fw))
		MED_REFUSE(call, ffa_result(fw), "the SPMC refused");
	ffa_set_success32(call->regs, 0, 0, 0);
	return FFA_RET_OK;
}

/* Forwards w0..w7 of the guest's call unchanged: the SPMC checks the MBZ
 * registers and flags it knows. */
static med_status med_notif_forward(struct med_call *call)
{
	struct ffamed_regs fw;

	ffa_regs_clear(&fw);
	for (int i = 0; i < 8; i++)
		fw.x[i] = call->regs->x[i];
	med_fw_call(call->vm->med, &fw);
	return med_notif_reply_simple(call, &fw);
}

bool med_notif_is_guest_fid(uint32_t fid)
{
	switch (fid) {
	case FFA_NOTIFICATION_BIND:
	case FFA_NOTIFICATION_UNBIND:
	case FFA_NOTIFICATION_SET:
	case FFA_NOTIFICATION_GET:
	case FFA_NOTIFICATION_INFO_GET_32:
	case FFA_NOTIFICATION_INFO_GET_64:
		return true;
	default:
		return false;
	}
}

/*
 * Whatever the SPMC's reason (OP-TEE without NS virtualization takes only
 * VM 0's bitmap; one with it, only VMs it was told of; or it is full), the
 * VM runs on without SP notifications: everything else still works, and
 * FFA_FEATURES and the notification calls tell it so.
 */
void med_notif_vm_bitmap_create(struct ffamed_vm *vm)
{
	struct ffamed *med = vm->med;
	int32_t rc;

	vm->notif_bitmap = false;
	if (!(med->fw_abis & MED_FW_NOTIF))
		return;
	rc = med_fw_simple(med, FFA_NOTIFICATION_BITMAP_CREATE, vm->id, vm->vcpu_count, 0, 0, 0,
			   NULL);
	if (rc != FFA_RET_OK) {
		med_warn(med,
			 "ffamed: SPMC refused the notification bitmap of VM %x (%d): "
			 "no SP notifications for it",
			 (unsigned)vm->id, (int)rc);
		return;
	}
	vm->notif_bitmap = true;
}

void med_notif_vm_bitmap_destroy(struct ffamed_vm *vm)
{
	struct ffamed *med = vm->med;
	int32_t rc;

	if (!vm->notif_bitmap)
		return;
	/* The SPMC refuses to destroy a bitmap with bits pending: collect
	 * (and drop) them on every vCPU first. */
	for (uint16_t vcpu = 0; vcpu < vm->vcpu_count; vcpu++) {
		rc = med_fw_simple(med, FFA_NOTIFICATION_GET, FFA_SENDER_RECEIVER(vcpu, vm->id),
				   FFA_NOTIF_GET_SP | FFA_NOTIF_GET_SPM_FWK, 0, 0, 0, NULL);
		if (rc != FFA_RET_OK)
			med_warn(med, "ffamed: VM %x vCPU %u: draining notifications failed (%d)",
				 (unsigned)vm->id, (unsigned)vcpu, (int)rc);
	}
	rc = med_fw_simple(med, FFA_NOTIFICATION_BITMAP_DESTROY, vm->id, 0, 0, 0, 0, NULL);
	if (rc != FFA_RET_OK)
		med_err(med,
			"ffamed: SPMC refused to destroy the notification bitmap of VM %x (%d)",
			(unsigned)vm->id, (int)rc);
	vm->notif_bitmap = false;
}

static uint64_t med_notif_bitmap(const struct ffamed_regs *regs)
{
	return (uint64_t)(uint32_t)regs->x[3] | (uint64_t)(uint32_t)regs->x[4] << 32;
}

/* A VM peer of a VM-to-VM call, referenced; NULL (INVALID_PARAMETERS) if
 * VM-to-VM is off, the ID is the caller's own or names no live VM. */
static struct ffamed_vm *med_notif_peer_vm(struct ffamed_vm *vm, uint16_t id)
{
	if (!vm->med->cfg.vm_to_vm || id == vm->id || id == FFA_HYP_ID || FFA_ID_IS_SECURE(id))
		return NULL;
	return med_vm_get(vm->med, id);
}

/* The dispatcher's per-VM gate for notification calls: whether the SPMC
 * took the VM's bitmap (docs/NOTIFICATIONS.md). */
#define MED_NOTIF_REFUSE_UNAVAILABLE(call)                                                         \
	do {                                                                                       \
		if (!med_vm_notif_available((call)->vm))                                           \
			MED_REFUSE(call, FFA_RET_NOT_SUPPORTED, "no notifications for this VM");   \
	} while (0)

/* The answer of a call served here. */
static med_status med_notif_local_reply(struct med_call *call, int32_t rc)
{
	if (rc != FFA_RET_OK)
		MED_REFUSE(call, rc, "refused by the receiver's local state");
	ffa_set_success32(call->regs, 0, 0, 0);
	return FFA_RET_OK;
}

/*
 * BIND and UNBIND: w1 = sender [31:16] | receiver (this VM) [15:0], w2 =
 * flags (BIND: bit0 per-vCPU; UNBIND: MBZ), w3/w4 = the IDs.
 */
med_status med_handle_notif_bind(struct med_call *call)
{
	struct ffamed_vm *vm = call->vm;
	struct ffamed_regs *regs = call->regs;
	bool bind = call->fid == FFA_NOTIFICATION_BIND;
	uint32_t w1 = (uint32_t)regs->x[1];
	uint32_t flags = (uint32_t)regs->x[2];
	uint16_t sender = FFA_SENDER(w1);
	uint64_t bitmap = med_notif_bitmap(regs);
	struct ffamed_vm *peer;
	int32_t rc;

	MED_NOTIF_REFUSE_UNAVAILABLE(call);
	if (FFA_RECEIVER(w1) != vm->id)
		MED_REFUSE(call, FFA_RET_INVALID_PARAMETERS, "receiver is not the caller");
	if (!bitmap || (flags & ~(bind ? FFA_NOTIF_FLAG_PER_VCPU : 0u)) || regs->x[5] ||
	    regs->x[6] || regs->x[7])
		MED_REFUSE(call, FFA_RET_INVALID_PARAMETERS,
			   "empty bitmap, or flags or x5-x7 not zero");
	/* The policy first: without the right, whether the sender exists is
	 * none of the VM's business. Unbinding is always allowed: it only
	 * takes rights away. */
	if (bind && !(med_policy_grant(vm, sender) & FFAMED_RIGHT_NOTIFY))
		MED_REFUSE(call, FFA_RET_DENIED, "policy: no notify right with the sender");
	if (FFA_ID_IS_SECURE(sender)) {
		if (!med_vm_sp_notif(vm) || !med_sp_find(vm->med, sender))
			MED_REFUSE(call, FFA_RET_INVALID_PARAMETERS,
				   "no such SP, or no SP notifications");
		return med_notif_forward(call);
	}
	peer = med_notif_peer_vm(vm, sender);
	if (!peer)
		MED_REFUSE(call, FFA_RET_INVALID_PARAMETERS, "sender is no other live VM");
	if (bind && !(med_rights_vm(vm, peer) & FFAMED_RIGHT_NOTIFY)) {
		med_vm_put(peer);
		MED_REFUSE(call, FFA_RET_DENIED, "policy: the sender may not notify the caller");
	}
	/* The sender stays referenced until the binding is in place, so its
	 * teardown (which unbinds it everywhere) cannot run in between. */
	if (bind)
		rc = med_notif_local_bind(vm, sender, flags & FFA_NOTIF_FLAG_PER_VCPU, bitmap);
	else
		rc = med_notif_local_unbind(vm, sender, bitmap);
	med_vm_put(peer);
	return med_notif_local_reply(call, rc);
}

/* SET: w1 = sender (this VM) [31:16] | receiver [15:0], w2 = flags. */
med_status med_handle_notif_set(struct med_call *call)
{
	struct ffamed_vm *vm = call->vm;
	struct ffamed_regs *regs = call->regs;
	uint32_t w1 = (uint32_t)regs->x[1];
	uint32_t flags = (uint32_t)regs->x[2];
	uint16_t receiver = FFA_RECEIVER(w1);
	uint64_t bitmap = med_notif_bitmap(regs);
	struct ffamed_vm *peer;
	int32_t rc;

	MED_NOTIF_REFUSE_UNAVAILABLE(call);
	if (FFA_SENDER(w1) != vm->id)
		MED_REFUSE(call, FFA_RET_INVALID_PARAMETERS, "sender is not the caller");
	if (!bitmap || (flags & MED_NOTIF_SET_MBZ) ||
	    (!(flags & FFA_NOTIF_FLAG_PER_VCPU) && (flags >> FFA_NOTIF_SET_VCPU_SHIFT)) ||
	    regs->x[5] || regs->x[6] || regs->x[7])
		MED_REFUSE(call, FFA_RET_INVALID_PARAMETERS,
			   "empty bitmap, or flags or x5-x7 invalid");
	/* The policy before any lookup, as for BIND. */
	if (!(med_policy_grant(vm, receiver) & FFAMED_RIGHT_NOTIFY))
		MED_REFUSE(call, FFA_RET_DENIED, "policy: no notify right with the receiver");
	if (FFA_ID_IS_SECURE(receiver)) {
		if (!med_vm_sp_notif(vm) || !med_sp_find(vm->med, receiver))
			MED_REFUSE(call, FFA_RET_INVALID_PARAMETERS,
				   "no such SP, or no SP notifications");
		return med_notif_forward(call);
	}
	peer = med_notif_peer_vm(vm, receiver);
	if (!peer)
		MED_REFUSE(call, FFA_RET_INVALID_PARAMETERS, "receiver is no other live VM");
	if (!(med_rights_vm(vm, peer) & FFAMED_RIGHT_NOTIFY)) {
		med_vm_put(peer);
		MED_REFUSE(call, FFA_RET_DENIED, "policy: the caller may not notify the receiver");
	}
	rc = med_notif_local_set(peer, vm->id, flags, bitmap);
	med_vm_put(peer);
	return med_notif_local_reply(call, rc);
}

/*
 * GET: w1 = receiver vCPU [31:16] | receiver (this VM) [15:0], w2 = flags.
 * The SP and SPM framework classes live at the SPMC; the VM and hypervisor
 * framework classes are kept here. The answer merges both.
 */
med_status med_handle_notif_get(struct med_call *call)
{
	struct ffamed_vm *vm = call->vm;
	struct ffamed_regs *regs = call->regs;
	uint16_t vcpu = call->vcpu;
	uint32_t w1 = (uint32_t)regs->x[1];
	uint32_t flags = (uint32_t)regs->x[2];
	uint32_t fw_flags = flags & (FFA_NOTIF_GET_SP | FFA_NOTIF_GET_SPM_FWK);
	struct med_notif_secure_snap snap;
	struct ffamed_regs fw;
	uint64_t vm_bits;
	uint32_t hyp_fwk;
	int32_t rc;

	MED_NOTIF_REFUSE_UNAVAILABLE(call);
	if (FFA_NOTIF_GET_RECEIVER(w1) != vm->id || FFA_NOTIF_GET_VCPU(w1) != vcpu)
		MED_REFUSE(call, FFA_RET_INVALID_PARAMETERS, "receiver is not the calling vCPU");
	if ((flags & ~FFA_NOTIF_GET_FLAGS_MASK) || regs->x[3] || regs->x[4] || regs->x[5] ||
	    regs->x[6] || regs->x[7])
		MED_REFUSE(call, FFA_RET_INVALID_PARAMETERS, "unknown flags, or x3-x7 not zero");
	if (!med_vm_sp_notif(vm))
		fw_flags = 0; /* no bitmap at the SPMC: its classes are empty */
	ffa_regs_clear(&fw);
	if (fw_flags) {
		med_notif_local_get_begin(vm, vcpu, &snap);
		rc = med_fw_simple(vm->med, FFA_NOTIFICATION_GET, w1, fw_flags, 0, 0, 0, &fw);
		if (rc != FFA_RET_OK) {
			med_notif_local_get_restore(vm, vcpu, &snap);
			MED_REFUSE(call, rc, "the SPMC refused");
		}
	}
	med_notif_local_get_end(vm, vcpu, flags, &vm_bits, &hyp_fwk);
	ffa_regs_clear(regs);
	regs->x[0] = FFA_SUCCESS_32;
	if (fw_flags & FFA_NOTIF_GET_SP) {
		regs->x[2] = (uint32_t)fw.x[2];
		regs->x[3] = (uint32_t)fw.x[3];
	}
	regs->x[4] = (uint32_t)vm_bits;
	regs->x[5] = (uint32_t)(vm_bits >> 32);
	if (fw_flags & FFA_NOTIF_GET_SPM_FWK) {
		regs->x[6] = (uint32_t)fw.x[6];
		/* An SP's FFA_MSG_SEND2 filled the VM's RX at the SPMC. */
		if (regs->x[6] & FFA_FWK_NOTIF_RX_FULL)
			med_vm_rx_filled_by_spmc(vm);
	}
	regs->x[7] = hyp_fwk;
	return FFA_RET_OK;
}
#endif /* FFAMED_CONFIG_NOTIFICATIONS */
