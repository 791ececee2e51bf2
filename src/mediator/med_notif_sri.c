/* SPDX-License-Identifier: MIT */
/*
 * The Schedule Receiver Interrupt (SRI) from the secure side. The SPMC
 * raises it when an SP sets a notification for a VM; the host calls
 * ffamed_handle_sri(), which asks the SPMC who is pending
 * (FFA_NOTIFICATION_INFO_GET_64, again while "more pending" is set) and
 * signals each VM listed with the NPI, on the vCPU named for per-vCPU
 * notifications. The SPMC reports an item once per retrieval, so what
 * INFO_GET returns here is remembered in the VM's state until its GET.
 */
#include "common_notif_info.h"
#include "med_host.h"
#include "med_internal.h"
#include "med_log.h"
#include "med_notif_local.h"
#include "med_registry.h"
#if FFAMED_CONFIG_NOTIFICATIONS /* ffamed/config.h; else med_compiled_out.c */

/* A misbehaving SPMC that always says "more pending" must not hold the
 * host here for ever: the next SRI continues. */
#define MED_SRI_MAX_ROUNDS 64u

static void med_sri_signal(struct ffamed *med, uint16_t id, const uint16_t *vcpus, unsigned count)
{
	struct ffamed_vm *vm;

	if (FFA_ID_IS_SECURE(id) || id == FFA_HYP_ID) {
		/* An SP that needs cycles (our SPs run on the request path), or
		 * the hypervisor's own bitmap (it has none). */
		med_debug(med, "ffamed: SRI lists endpoint %x: nothing to schedule", (unsigned)id);
		return;
	}
	vm = med_vm_get(med, id);
	if (!vm) {
		med_debug(med, "ffamed: SRI lists VM %x, gone", (unsigned)id);
		return;
	}
	if (!count)
		med_notif_local_secure_pending(vm, MED_NOTIF_GLOBAL);
	for (unsigned i = 0; i < count; i++) {
		if (vcpus[i] < vm->vcpu_count)
			med_notif_local_secure_pending(vm, vcpus[i]);
		else
			med_warn(med, "ffamed: SRI lists vCPU %u of VM %x, which has %u",
				 (unsigned)vcpus[i], (unsigned)id, (unsigned)vm->vcpu_count);
	}
	med_vm_put(vm);
}

/* One INFO_GET answer: signals its lists; false if it is malformed. */
static bool med_sri_parse(struct ffamed *med, const struct ffamed_regs *r)
{
	struct common_notif_info_iter it;
	struct common_notif_info_list l;
	int got;

	common_notif_info_begin(&it, r);
	while ((got = common_notif_info_next(&it, &l)) > 0)
		med_sri_signal(med, l.id, l.vcpus, l.vcpu_count);
	return got == 0;
}

void ffamed_handle_sri(struct ffamed *med)
{
	struct ffamed_regs r;
	int32_t rc;

	if (!(med->fw_abis & MED_FW_NOTIF))
		return;
	for (unsigned round = 0; round < MED_SRI_MAX_ROUNDS; round++) {
		rc = med_fw_simple(med, FFA_NOTIFICATION_INFO_GET_64, 0, 0, 0, 0, 0, &r);
		if (rc == FFA_RET_NO_DATA)
			return;
		if (rc != FFA_RET_OK) {
			med_warn(med, "ffamed: SRI: INFO_GET failed (%d)", (int)rc);
			return;
		}
		if (!med_sri_parse(med, &r)) {
			med_err(med, "ffamed: SRI: malformed INFO_GET answer (w2 %x)",
				(unsigned)(uint32_t)r.x[2]);
			return;
		}
		if (!common_notif_info_more_pending(&r))
			return;
	}
	med_warn(med, "ffamed: SRI: SPMC still has more after %u INFO_GET calls",
		 MED_SRI_MAX_ROUNDS);
}
#endif /* FFAMED_CONFIG_NOTIFICATIONS */
