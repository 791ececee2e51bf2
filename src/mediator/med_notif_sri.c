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
#include "med_host.h"
#include "med_internal.h"
#include "med_log.h"
#include "med_notif_local.h"
#include "med_registry.h"
#if FFAMED_CONFIG_NOTIFICATIONS /* ffamed/config.h; else med_compiled_out.c */

/* A misbehaving SPMC that always says "more pending" must not hold the
 * host here for ever: the next SRI continues. */
#define MED_SRI_MAX_ROUNDS 64u

/* The 16-bit ID at position i of an INFO_GET answer (x3..x7). */
static uint16_t med_info_id(const struct ffamed_regs *r, bool is64, unsigned i)
{
	unsigned per_reg = is64 ? 4u : 2u;
	uint64_t reg = r->x[3 + i / per_reg];

	if (!is64)
		reg &= 0xFFFFFFFFull;
	return (uint16_t)(reg >> (16u * (i % per_reg)));
}

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
	bool is64 = (uint32_t)r->x[0] == FFA_SUCCESS_64;
	unsigned max_ids = is64 ? FFA_NOTIF_INFO_MAX_IDS_64 : FFA_NOTIF_INFO_MAX_IDS_32;
	uint32_t w2 = (uint32_t)r->x[2];
	unsigned lists = (w2 >> FFA_NOTIF_INFO_LIST_COUNT_SHIFT) & FFA_NOTIF_INFO_LIST_COUNT_MASK;
	unsigned pos = 0;

	for (unsigned l = 0; l < lists; l++) {
		unsigned n = (unsigned)(r->x[2] >> FFA_NOTIF_INFO_LIST_SIZE_SHIFT(l)) & 3u;
		uint16_t vcpus[3];
		uint16_t id;

		if (pos + 1 + n > max_ids)
			return false;
		id = med_info_id(r, is64, pos++);
		for (unsigned i = 0; i < n; i++)
			vcpus[i] = med_info_id(r, is64, pos++);
		med_sri_signal(med, id, vcpus, n);
	}
	return true;
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
		if (!((uint32_t)r.x[2] & FFA_NOTIF_INFO_MORE_PENDING))
			return;
	}
	med_warn(med, "ffamed: SRI: SPMC still has more after %u INFO_GET calls",
		 MED_SRI_MAX_ROUNDS);
}
#endif /* FFAMED_CONFIG_NOTIFICATIONS */
