/* SPDX-License-Identifier: MIT */
/*
 * FFA_VERSION negotiation, per VM (Xen review, seed 002):
 * - a guest may call FFA_VERSION several times; each call records the
 *   version it asked for (ours if it asked for another major or a higher
 *   minor) and is answered with OUR version, never the recorded one;
 * - the recorded version becomes final at the guest's first other FF-A
 *   call and never changes afterwards; any call before a version was
 *   requested is refused with NOT_SUPPORTED;
 * - the guest is then served the formats of its final version.
 * Negotiation runs under vm->version_lock; the final version is published
 * once in vm->version, which everybody else reads without the lock.
 */
#include "med_internal.h"

void med_handle_version(struct ffamed_vm *vm, struct ffamed_regs *regs)
{
	uint32_t asked = (uint32_t)regs->x[1];

	ffa_regs_clear(regs);
	if (asked & FFA_VERSION_MBZ_BIT) {
		/* FFA_VERSION answers in w0 itself, zero-extended like every
		 * 32-bit code (docs/ABI-COVERAGE.md §1.1 on Linux 6.1). */
		regs->x[0] = (uint32_t)FFA_RET_NOT_SUPPORTED;
		return;
	}
	regs->x[0] = FFAMED_FFA_VERSION;

	if (med_vm_version(vm))
		return; /* final: later requests change nothing */

	med_lock(vm->med, &vm->version_lock);
	if (!atomic_load_explicit(&vm->version, memory_order_relaxed)) {
		if (FFA_VERSION_MAJOR(asked) != FFA_VERSION_MAJOR(FFAMED_FFA_VERSION) ||
		    FFA_VERSION_MINOR(asked) > FFA_VERSION_MINOR(FFAMED_FFA_VERSION))
			vm->version_requested = FFAMED_FFA_VERSION;
		else
			vm->version_requested = asked;
	}
	med_unlock(vm->med, &vm->version_lock);
}

uint32_t med_version_finalise(struct ffamed_vm *vm)
{
	uint32_t v = med_vm_version(vm);

	if (v)
		return v;
	med_lock(vm->med, &vm->version_lock);
	v = atomic_load_explicit(&vm->version, memory_order_relaxed);
	if (!v && vm->version_requested) {
		v = vm->version_requested;
		atomic_store_explicit(&vm->version, v, memory_order_release);
		med_debug(vm->med, "ffamed: VM %x uses FF-A %u.%u", (unsigned)vm->id,
			  (unsigned)FFA_VERSION_MAJOR(v), (unsigned)FFA_VERSION_MINOR(v));
	}
	med_unlock(vm->med, &vm->version_lock);
	return v;
}
