/* SPDX-License-Identifier: MIT */
/*
 * FFA_VERSION negotiation, per VM (docs/ABI-COVERAGE.md §2.2):
 * - a guest may call FFA_VERSION several times; each call records the
 *   version it asked for (ours if it asked for another major or a higher
 *   minor) and is answered with OUR version, never the recorded one;
 * - the recorded version becomes final at the guest's first other FF-A
 *   call and never changes afterwards; any call before a version was
 *   requested is refused with NOT_SUPPORTED;
 * - once final, a request that would record another version is refused
 *   with NOT_SUPPORTED (FF-A v1.2: the version cannot change once other
 *   ABIs were used); the same request is answered as before;
 * - the guest is then served the formats of its final version.
 * Negotiation runs under vm->version_lock; the final version is published
 * once in vm->version, which everybody else reads without the lock.
 */
#include "med_host.h"
#include "med_internal.h"
#include "med_lock.h"
#include "med_log.h"
#include "med_version.h"

/* The version a request records. */
static uint32_t version_recorded(uint32_t asked)
{
	if (FFA_VERSION_MAJOR(asked) != FFA_VERSION_MAJOR(FFAMED_FFA_VERSION) ||
	    FFA_VERSION_MINOR(asked) > FFA_VERSION_MINOR(FFAMED_FFA_VERSION))
		return FFAMED_FFA_VERSION;
	return asked;
}

/* FFA_VERSION answers in w0 itself, never with FFA_ERROR: always OK. */
med_status med_handle_version(struct med_call *call)
{
	struct ffamed_vm *vm = call->vm;
	struct ffamed_regs *regs = call->regs;
	uint32_t asked = (uint32_t)regs->x[1];
	uint32_t final;

	ffa_regs_clear(regs);
	if (asked & FFA_VERSION_MBZ_BIT) {
		/* FFA_VERSION answers in w0 itself, zero-extended like every
		 * 32-bit code (docs/ABI-COVERAGE.md §1.1 on Linux 6.1). */
		regs->x[0] = (uint32_t)FFA_RET_NOT_SUPPORTED;
		return FFA_RET_OK;
	}
	regs->x[0] = FFAMED_FFA_VERSION;

	final = med_vm_version(vm);
	if (!final) {
		med_lock(vm->med, &vm->version_lock);
		final = atomic_load_explicit(&vm->version, memory_order_relaxed);
		if (!final)
			vm->version_requested = version_recorded(asked);
		med_unlock(vm->med, &vm->version_lock);
	}
	if (final && version_recorded(asked) != final)
		regs->x[0] = (uint32_t)FFA_RET_NOT_SUPPORTED;
	return FFA_RET_OK;
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
