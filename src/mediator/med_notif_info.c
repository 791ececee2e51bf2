/* SPDX-License-Identifier: MIT */
/*
 * FFA_NOTIFICATION_INFO_GET from a guest. At a virtual FF-A instance the
 * caller is a scheduler of its own vCPUs only, so the answer lists the
 * caller's ID alone: one list with no vCPU for global notifications, and
 * lists of up to three vCPU IDs for per-vCPU ones, covering every class the
 * mediator knows to be pending (VM, hypervisor framework, and what the SPMC
 * reported for SP classes). Each item is reported once until it is pending
 * anew, so a guest that loops while "more pending" is set terminates.
 */
#include "med_host.h"
#include "med_internal.h"
#include "med_lock.h"
#include "med_notif.h"
#include "med_notif_local.h"
#if FFAMED_CONFIG_NOTIFICATIONS /* ffamed/config.h; else med_compiled_out.c */

#define MED_INFO_MAX_LISTS FFA_NOTIF_INFO_LIST_COUNT_MASK

struct med_info_out {
	unsigned max_ids;
	unsigned ids;
	unsigned lists;
	uint16_t id[FFA_NOTIF_INFO_MAX_IDS_64];
	uint8_t list_size[MED_INFO_MAX_LISTS];
};

/* Room for a new list of 1 + vcpus IDs? */
static bool med_info_fits(const struct med_info_out *o, unsigned vcpus)
{
	return o->lists < MED_INFO_MAX_LISTS && o->ids + 1 + vcpus <= o->max_ids;
}

med_status med_handle_notif_info_get(struct med_call *call)
{
	struct ffamed_vm *vm = call->vm;
	struct ffamed_regs *regs = call->regs;
	bool is64 = call->fid == FFA_NOTIFICATION_INFO_GET_64;
	struct med_notif *n = &vm->notif;
	struct med_info_out o = {.max_ids = is64 ? FFA_NOTIF_INFO_MAX_IDS_64
						 : FFA_NOTIF_INFO_MAX_IDS_32};
	bool more = false;
	uint64_t w2;

	if (!med_vm_notif_available(vm))
		MED_REFUSE(call, FFA_RET_NOT_SUPPORTED, "no notifications for this VM");
	for (int i = 1; i < 8; i++)
		if (regs->x[i])
			MED_REFUSE(call, FFA_RET_INVALID_PARAMETERS, "x1-x7 not zero");
	med_lock(vm->med, &vm->notif_lock);
	if ((n->global || n->hyp_fwk || n->secure_global) && !n->info_global_reported) {
		o.id[o.ids++] = vm->id;
		o.list_size[o.lists++] = 0;
		n->info_global_reported = true;
	}
	for (uint16_t v = 0; v < vm->vcpu_count; v++) {
		struct med_notif_vcpu *c = &n->vcpu[v];

		if (!(c->pending || c->secure) || c->info_reported)
			continue;
		/* Extend the open list of this VM, or start one. */
		if (o.lists && o.list_size[o.lists - 1] && o.list_size[o.lists - 1] < 3 &&
		    o.ids < o.max_ids) {
			o.list_size[o.lists - 1]++;
		} else if (med_info_fits(&o, 1)) {
			o.id[o.ids++] = vm->id;
			o.list_size[o.lists++] = 1;
		} else {
			more = true;
			break;
		}
		o.id[o.ids++] = v;
		c->info_reported = true;
	}
	med_unlock(vm->med, &vm->notif_lock);

	if (!o.lists)
		MED_REFUSE(call, FFA_RET_NO_DATA, "nothing pending");
	ffa_regs_clear(regs);
	regs->x[0] = is64 ? FFA_SUCCESS_64 : FFA_SUCCESS_32;
	w2 = (uint64_t)o.lists << FFA_NOTIF_INFO_LIST_COUNT_SHIFT;
	if (more)
		w2 |= FFA_NOTIF_INFO_MORE_PENDING;
	for (unsigned l = 0; l < o.lists; l++)
		w2 |= (uint64_t)o.list_size[l] << FFA_NOTIF_INFO_LIST_SIZE_SHIFT(l);
	regs->x[2] = w2;
	for (unsigned i = 0; i < o.ids; i++) {
		unsigned per_reg = is64 ? 4u : 2u;

		regs->x[3 + i / per_reg] |= (uint64_t)o.id[i] << (16u * (i % per_reg));
	}
	return FFA_RET_OK;
}
#endif /* FFAMED_CONFIG_NOTIFICATIONS */
