/* SPDX-License-Identifier: MIT */
/*
 * A VM's notifications as a receiver, kept by the mediator: the VM class
 * (VM-to-VM, set by other VMs), the hypervisor framework class (e.g. RX
 * buffer full), and where the SPMC reported SP notifications pending; and
 * the Notification Pending Interrupt (NPI) that tells the guest to call
 * FFA_NOTIFICATION_GET.
 *
 * The delivery protocol is the one verified in models/notif_vm2vm.pml
 * (models/README.md): every operation runs whole under vm->notif_lock, the
 * decision to inject and the injection happen in the same critical section,
 * pending bits are only ever cleared by GET, and "armed" is set only
 * together with an inject_virq call. Per-vCPU notifications extend it: each
 * vCPU has its own armed flag, a per-vCPU bit needs its own vCPU signalled,
 * and a global bit is covered as soon as any vCPU is armed (the GET that
 * vCPU makes also takes the global bits).
 */
#include "med_host.h"
#include "med_internal.h"
#include "med_lock.h"
#include "med_notif_local.h"
#if FFAMED_CONFIG_NOTIFICATIONS /* ffamed/config.h; else med_compiled_out.c */

/* ---- Signalling (vm->notif_lock held) ----------------------------------------- */

static bool notif_vcpu_online(const struct ffamed_vm *vm, uint16_t vcpu)
{
	const struct ffamed *med = vm->med;

	/* A host without the hook has every vCPU online. */
	return !med->ops->vcpu_is_online || med->ops->vcpu_is_online(med->host, vm->host_vm, vcpu);
}

static void notif_inject(struct ffamed_vm *vm, uint16_t vcpu)
{
	struct ffamed *med = vm->med;
	struct med_notif *n = &vm->notif;

	med_lock_assert_held(med, &vm->notif_lock);
	if (med->ops->inject_virq)
		med->ops->inject_virq(med->host, vm->host_vm, vcpu, med->cfg.npi_intid);
	if (!n->vcpu[vcpu].armed) {
		n->vcpu[vcpu].armed = true;
		n->armed_count++;
	}
}

static void notif_disarm(struct med_notif *n, uint16_t vcpu)
{
	if (n->vcpu[vcpu].armed) {
		n->vcpu[vcpu].armed = false;
		n->armed_count--;
	}
}

static bool notif_global_pending(const struct med_notif *n)
{
	return n->global || n->hyp_fwk || n->secure_global;
}

static bool notif_vcpu_pending(const struct med_notif *n, uint16_t vcpu)
{
	return n->vcpu[vcpu].pending || n->vcpu[vcpu].secure;
}

/* Something became pending globally: one NPI somewhere is enough. */
static void notif_signal_global(struct ffamed_vm *vm)
{
	if (vm->notif.armed_count)
		return;
	for (uint16_t v = 0; v < vm->vcpu_count; v++) {
		if (notif_vcpu_online(vm, v)) {
			notif_inject(vm, v);
			return;
		}
	}
	/* Nobody online: the bits wait for ffamed_vcpu_online(). */
}

/* Something became pending for `vcpu`: only that vCPU can collect it. */
static void notif_signal_vcpu(struct ffamed_vm *vm, uint16_t vcpu)
{
	if (!vm->notif.vcpu[vcpu].armed && notif_vcpu_online(vm, vcpu))
		notif_inject(vm, vcpu);
}

/* ---- Life cycle ------------------------------------------------------------------ */

int32_t med_notif_local_vm_init(struct ffamed_vm *vm)
{
	struct ffamed *med = vm->med;

	/* Allocated with the VM context, right after it (med_vm.c). */
	vm->notif.vcpu = (struct med_notif_vcpu *)(vm + 1);
	med_lock_init(med, &vm->notif_lock, MED_RANK_VM_NOTIF);
	return FFA_RET_OK;
}

void med_notif_local_vm_free(struct ffamed_vm *vm)
{
	struct ffamed *med = vm->med;

	if (!vm->notif.vcpu)
		return;
	med_lock_destroy(med, &vm->notif_lock);
	vm->notif.vcpu = NULL;
}

/* ---- BIND / UNBIND ---------------------------------------------------------------- */

static uint64_t notif_all_pending(const struct ffamed_vm *vm)
{
	uint64_t all = vm->notif.global;

	for (uint16_t v = 0; v < vm->vcpu_count; v++)
		all |= vm->notif.vcpu[v].pending;
	return all;
}

static bool notif_bound_to(const struct med_notif *n, uint16_t sender, uint64_t bitmap)
{
	if ((n->bound & bitmap) != bitmap)
		return false;
	for (unsigned b = 0; b < MED_NOTIF_IDS; b++)
		if (((bitmap >> b) & 1u) && n->sender[b] != sender)
			return false;
	return true;
}

int32_t med_notif_local_bind(struct ffamed_vm *recv, uint16_t sender, bool per_vcpu,
			     uint64_t bitmap)
{
	struct med_notif *n = &recv->notif;
	int32_t rc = FFA_RET_OK;

	med_lock(recv->med, &recv->notif_lock);
	for (unsigned b = 0; b < MED_NOTIF_IDS; b++) {
		if (!((bitmap >> b) & 1u) || !((n->bound >> b) & 1u))
			continue;
		/* Another sender's ID, or the same ID with the other scope. */
		if (n->sender[b] != sender || (((n->bound_per_vcpu >> b) & 1u) != per_vcpu)) {
			rc = FFA_RET_DENIED;
			goto out;
		}
	}
	/* Rebinding a pending ID would hand it to a different sender's GET. */
	if (notif_all_pending(recv) & bitmap & ~n->bound) {
		rc = FFA_RET_DENIED;
		goto out;
	}
	for (unsigned b = 0; b < MED_NOTIF_IDS; b++)
		if ((bitmap >> b) & 1u)
			n->sender[b] = sender;
	n->bound |= bitmap;
	if (per_vcpu)
		n->bound_per_vcpu |= bitmap;
out:
	med_unlock(recv->med, &recv->notif_lock);
	return rc;
}

int32_t med_notif_local_unbind(struct ffamed_vm *recv, uint16_t sender, uint64_t bitmap)
{
	struct med_notif *n = &recv->notif;
	int32_t rc = FFA_RET_OK;

	med_lock(recv->med, &recv->notif_lock);
	/* Pending IDs stay bound until the receiver has taken them. */
	if (!notif_bound_to(n, sender, bitmap) || (notif_all_pending(recv) & bitmap)) {
		rc = FFA_RET_DENIED;
	} else {
		n->bound &= ~bitmap;
		n->bound_per_vcpu &= ~bitmap;
	}
	med_unlock(recv->med, &recv->notif_lock);
	return rc;
}

void med_notif_local_forget_sender(struct ffamed *med, uint16_t sender)
{
	med_lock(med, &med->registry_lock);
	for (uint32_t k = 0; k < med->cfg.max_vms; k++) {
		struct ffamed_vm *vm = med->vms[k];
		struct med_notif *n;

		if (!vm)
			continue;
		n = &vm->notif;
		med_lock(med, &vm->notif_lock);
		for (unsigned b = 0; b < MED_NOTIF_IDS; b++) {
			if (((n->bound >> b) & 1u) && n->sender[b] == sender) {
				n->bound &= ~(1ull << b);
				n->bound_per_vcpu &= ~(1ull << b);
				n->sender[b] = 0;
			}
		}
		med_unlock(med, &vm->notif_lock);
	}
	med_unlock(med, &med->registry_lock);
}

/* ---- SET --------------------------------------------------------------------------- */

int32_t med_notif_local_set(struct ffamed_vm *recv, uint16_t sender, uint32_t flags,
			    uint64_t bitmap)
{
	struct med_notif *n = &recv->notif;
	bool per_vcpu = flags & FFA_NOTIF_FLAG_PER_VCPU;
	uint16_t vcpu = (uint16_t)(flags >> FFA_NOTIF_SET_VCPU_SHIFT);
	int32_t rc = FFA_RET_OK;

	if (per_vcpu && vcpu >= recv->vcpu_count)
		return FFA_RET_INVALID_PARAMETERS;
	med_lock(recv->med, &recv->notif_lock);
	/* Every ID bound to this sender (else DENIED), with the scope the SET
	 * names (else a bad flag: INVALID_PARAMETERS, as the SPMC answers). */
	if (!notif_bound_to(n, sender, bitmap)) {
		rc = FFA_RET_DENIED;
		goto out;
	}
	if ((n->bound_per_vcpu & bitmap) != (per_vcpu ? bitmap : 0)) {
		rc = FFA_RET_INVALID_PARAMETERS;
		goto out;
	}
	if (per_vcpu) {
		n->vcpu[vcpu].pending |= bitmap;
		n->vcpu[vcpu].info_reported = false;
		notif_signal_vcpu(recv, vcpu);
	} else {
		n->global |= bitmap;
		n->info_global_reported = false;
		notif_signal_global(recv);
	}
out:
	med_unlock(recv->med, &recv->notif_lock);
	return rc;
}

void med_notif_local_raise_fwk(struct ffamed_vm *vm, uint32_t bits)
{
	med_lock(vm->med, &vm->notif_lock);
	vm->notif.hyp_fwk |= bits;
	vm->notif.info_global_reported = false;
	notif_signal_global(vm);
	med_unlock(vm->med, &vm->notif_lock);
}

/* The one clear outside GET: a framework bit whose cause is gone (the RX
 * it announced was released). An NPI already injected for it finds less
 * to GET; no notification that still means something is lost. */
void med_notif_local_clear_fwk(struct ffamed_vm *vm, uint32_t bits)
{
	med_lock(vm->med, &vm->notif_lock);
	vm->notif.hyp_fwk &= ~bits;
	med_unlock(vm->med, &vm->notif_lock);
}

void med_notif_local_secure_pending(struct ffamed_vm *vm, uint16_t vcpu)
{
	struct med_notif *n = &vm->notif;

	med_lock(vm->med, &vm->notif_lock);
	if (vcpu == MED_NOTIF_GLOBAL) {
		n->secure_global = true;
		n->info_global_reported = false;
		notif_signal_global(vm);
	} else if (vcpu < vm->vcpu_count) {
		n->vcpu[vcpu].secure = true;
		n->vcpu[vcpu].info_reported = false;
		notif_signal_vcpu(vm, vcpu);
	}
	med_unlock(vm->med, &vm->notif_lock);
}

/* ---- GET ---------------------------------------------------------------------------- */

void med_notif_local_get_begin(struct ffamed_vm *vm, uint16_t vcpu,
			       struct med_notif_secure_snap *snap)
{
	struct med_notif *n = &vm->notif;

	/* Cleared before the SPMC is asked, so that an SRI for bits set
	 * after its answer marks them again instead of being wiped. */
	med_lock(vm->med, &vm->notif_lock);
	snap->global = n->secure_global;
	snap->vcpu = n->vcpu[vcpu].secure;
	n->secure_global = false;
	n->vcpu[vcpu].secure = false;
	med_unlock(vm->med, &vm->notif_lock);
}

void med_notif_local_get_restore(struct ffamed_vm *vm, uint16_t vcpu,
				 const struct med_notif_secure_snap *snap)
{
	/* Only ever sets flags: restoring cannot hide anything new. */
	med_lock(vm->med, &vm->notif_lock);
	vm->notif.secure_global |= snap->global;
	vm->notif.vcpu[vcpu].secure |= snap->vcpu;
	med_unlock(vm->med, &vm->notif_lock);
}

void med_notif_local_get_end(struct ffamed_vm *vm, uint16_t vcpu, uint32_t flags, uint64_t *vm_bits,
			     uint32_t *hyp_fwk)
{
	struct med_notif *n = &vm->notif;

	med_lock(vm->med, &vm->notif_lock);
	*vm_bits = 0;
	*hyp_fwk = 0;
	if (flags & FFA_NOTIF_GET_VM) {
		*vm_bits = n->global | n->vcpu[vcpu].pending;
		n->global = 0;
		n->vcpu[vcpu].pending = 0;
	}
	if (flags & FFA_NOTIF_GET_HYP_FWK) {
		*hyp_fwk = n->hyp_fwk;
		n->hyp_fwk = 0;
	}
	if (!notif_global_pending(n))
		n->info_global_reported = false;
	if (!notif_vcpu_pending(n, vcpu))
		n->vcpu[vcpu].info_reported = false;
	/* Any GET re-arms, whether the NPI triggered it or the guest polled;
	 * what it did not take is signalled again to this (running) vCPU. */
	notif_disarm(n, vcpu);
	if (notif_vcpu_pending(n, vcpu) || (notif_global_pending(n) && !n->armed_count))
		notif_inject(vm, vcpu);
	med_unlock(vm->med, &vm->notif_lock);
}

/* ---- vCPU online / offline ------------------------------------------------------------ */

void ffamed_vcpu_online(struct ffamed_vm *vm, uint16_t vcpu)
{
	struct med_notif *n = &vm->notif;

	if (vcpu >= vm->vcpu_count)
		return;
	med_lock(vm->med, &vm->notif_lock);
	if ((notif_vcpu_pending(n, vcpu) && !n->vcpu[vcpu].armed) ||
	    (notif_global_pending(n) && !n->armed_count))
		notif_inject(vm, vcpu);
	med_unlock(vm->med, &vm->notif_lock);
}

void ffamed_vcpu_offline(struct ffamed_vm *vm, uint16_t vcpu)
{
	struct med_notif *n = &vm->notif;

	if (vcpu >= vm->vcpu_count)
		return;
	med_lock(vm->med, &vm->notif_lock);
	/* The NPI latched on it is taken when it comes back (maybe an empty
	 * GET). Global bits must not wait for that: move them on now. Its
	 * own per-vCPU bits can only wait. */
	if (n->vcpu[vcpu].armed) {
		notif_disarm(n, vcpu);
		if (notif_global_pending(n))
			notif_signal_global(vm);
	}
	med_unlock(vm->med, &vm->notif_lock);
}
#endif /* FFAMED_CONFIG_NOTIFICATIONS */
