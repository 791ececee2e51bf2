/* SPDX-License-Identifier: MIT */
/*
 * FF-A notifications between VMs and SPs (first slice: no VM-to-VM, no
 * notification pending interrupt injection yet).
 *
 * The SPMC keeps the bitmaps and bindings. The mediator owns each VM's
 * bitmap at the SPMC: it is created with the VM and destroyed with it, so a
 * guest never calls BITMAP_CREATE/DESTROY (the hypervisor is the only
 * normal-world endpoint the SPMC lets do that for other IDs). Guest calls
 * are checked for the guest's own ID (and calling vCPU for GET) before they
 * are forwarded, because the SPMC trusts whatever ID the hypervisor names.
 *
 * INFO_GET is refused: it lists every VM's pending bits, which is the
 * scheduler's (the hypervisor's) business, not one guest's.
 *
 * No lock: the SPMC serialises bitmap state itself, and a VM's bitmap is
 * only created before the VM is registered and destroyed after it is gone.
 */
#include "med_internal.h"

/* Forwarded calls answer SUCCESS or ERROR; pass the guest a clean copy
 * (SUCCESS with no arguments, or the error sign-extended). */
static void med_notif_reply_simple(const struct ffa_regs *fw, struct ffa_regs *regs)
{
	if (ffa_is_success(fw))
		ffa_set_success32(regs, 0, 0, 0);
	else
		ffa_set_error(regs, ffa_result(fw));
}

/* Forwards w0..w7 of the guest's call unchanged: the SPMC checks the MBZ
 * registers and flags it knows. */
static void med_notif_forward(struct ffamed_vm *vm, struct ffa_regs *regs)
{
	struct ffa_regs fw;

	ffa_regs_clear(&fw);
	for (int i = 0; i < 8; i++)
		fw.x[i] = regs->x[i];
	med_fw_call(vm->med, &fw);
	med_notif_reply_simple(&fw, regs);
}

int32_t med_notif_vm_create(struct ffamed_vm *vm)
{
	struct ffamed *med = vm->med;
	int32_t rc;

	if (!(med->fw_abis & MED_FW_NOTIF))
		return FFA_RET_OK;
	rc = med_fw_simple(med, FFA_NOTIFICATION_BITMAP_CREATE, vm->id, vm->vcpu_count, 0, 0, 0,
			   NULL);
	if (rc != FFA_RET_OK) {
		med_warn(med, "ffamed: SPMC refused the notification bitmap of VM %x (%d)",
			 (unsigned)vm->id, (int)rc);
		return rc;
	}
	vm->notif_bitmap = true;
	return FFA_RET_OK;
}

void med_notif_vm_destroy(struct ffamed_vm *vm)
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

/* BIND and UNBIND: w1 = sender SP [31:16] | receiver (this VM) [15:0]. */
void med_handle_notif_bind(struct ffamed_vm *vm, struct ffa_regs *regs)
{
	uint32_t w1 = (uint32_t)regs->x[1];

	/* VM senders would need VM-to-VM notifications: not built yet. */
	if (FFA_RECEIVER(w1) != vm->id || !med_sp_find(vm->med, FFA_SENDER(w1))) {
		ffa_set_error(regs, FFA_RET_INVALID_PARAMETERS);
		return;
	}
	med_notif_forward(vm, regs);
}

/* SET: w1 = sender (this VM) [31:16] | receiver SP [15:0]. */
void med_handle_notif_set(struct ffamed_vm *vm, struct ffa_regs *regs)
{
	uint32_t w1 = (uint32_t)regs->x[1];
	uint32_t flags = (uint32_t)regs->x[2];

	/* Delaying the SRI is for SPs, which run before returning to the NWd. */
	if (FFA_SENDER(w1) != vm->id || !med_sp_find(vm->med, FFA_RECEIVER(w1)) ||
	    (flags & FFA_NOTIF_SET_DELAY_SRI)) {
		ffa_set_error(regs, FFA_RET_INVALID_PARAMETERS);
		return;
	}
	med_notif_forward(vm, regs);
}

/*
 * GET: w1 = receiver vCPU [31:16] | receiver (this VM) [15:0], w2 = flags.
 * The SP and SPM framework classes live at the SPMC; the VM and hypervisor
 * framework classes would be the mediator's, and nothing sets them yet.
 */
void med_handle_notif_get(struct ffamed_vm *vm, uint16_t vcpu, struct ffa_regs *regs)
{
	uint32_t w1 = (uint32_t)regs->x[1];
	uint32_t flags = (uint32_t)regs->x[2];
	uint32_t fw_flags = flags & (FFA_NOTIF_GET_SP | FFA_NOTIF_GET_SPM_FWK);
	struct ffa_regs fw;
	int32_t rc;

	if (FFA_NOTIF_GET_RECEIVER(w1) != vm->id || FFA_NOTIF_GET_VCPU(w1) != vcpu ||
	    (flags & ~FFA_NOTIF_GET_FLAGS_MASK) || regs->x[3] || regs->x[4] || regs->x[5] ||
	    regs->x[6] || regs->x[7]) {
		ffa_set_error(regs, FFA_RET_INVALID_PARAMETERS);
		return;
	}
	ffa_regs_clear(&fw);
	if (fw_flags) {
		rc = med_fw_simple(vm->med, FFA_NOTIFICATION_GET, w1, fw_flags, 0, 0, 0, &fw);
		if (rc != FFA_RET_OK) {
			ffa_set_error(regs, rc);
			return;
		}
	}
	ffa_regs_clear(regs);
	regs->x[0] = FFA_SUCCESS_32;
	if (fw_flags & FFA_NOTIF_GET_SP) {
		regs->x[2] = (uint32_t)fw.x[2];
		regs->x[3] = (uint32_t)fw.x[3];
	}
	if (fw_flags & FFA_NOTIF_GET_SPM_FWK)
		regs->x[6] = (uint32_t)fw.x[6];
}
