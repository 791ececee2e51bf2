/* SPDX-License-Identifier: MIT */
/*
 * FFA_FEATURES, FFA_ID_GET and FFA_SPM_ID_GET. FFA_FEATURES tells the truth:
 * it reports exactly the function IDs the dispatcher serves to a guest of
 * that version, given what the firmware and the SP cache offer, because
 * med_fid_served() is also the dispatcher's gate.
 */
#include "ffamed/ffa_names.h"
#include "med_features.h"
#include "med_internal.h"
#include "med_msg.h"
#include "med_notif.h"
#include "med_spmc_rxtx.h"
#include "med_version.h"

/* The minor version that defines `fid` (the `since` column of
 * ffamed/ffa_names.h), or UINT32_MAX for an ID not in FF-A. */
static uint32_t med_fid_since(uint32_t fid)
{
	switch (fid) {
#define MED_FID_SINCE(name, since, handler)                                                        \
	case name:                                                                                 \
		return since;
		/* One case per row: rows of one version are alike by design. */
		FFA_FID_LIST(MED_FID_SINCE) /* NOLINT(bugprone-branch-clone) */
#undef MED_FID_SINCE
	default:
		return UINT32_MAX;
	}
}

/* The FFA_FEATURES w2 of a FID served to a guest at `version` (w3 is
 * always 0), or -1 when it is not served. */
static int64_t med_fid_props(const struct ffamed *med, uint32_t version, uint32_t fid)
{
	/* The dispatcher's gate on every call: version checks are made only
	 * in the cases that depend on the version. */
	uint32_t props = 0;
	bool served;

	if (!med_fid_enabled(fid))
		return -1; /* compiled out (ffamed/config.h) */
	if (FFA_VERSION_MINOR(version) < med_fid_since(fid))
		return -1; /* newer than the guest */
	switch (fid) {
	case FFA_VERSION:
	case FFA_FEATURES:
	case FFA_ID_GET:
	case FFA_RXTX_UNMAP:
	case FFA_RX_RELEASE:
	case FFA_PARTITION_INFO_GET:
		served = true;
		break;
	case FFA_RXTX_MAP_32:
	case FFA_RXTX_MAP_64:
		served = true;
		props = FFA_RXTX_MAP_MIN_4K;
		/* The maximum size field exists from v1.2 on. */
		if (med_version_at_least(version, FFA_VERSION_1_2))
			props |= med->cfg.rxtx_max_pages << FFA_RXTX_MAP_MAX_PAGES_SHIFT;
		break;
	case FFA_SPM_ID_GET:
		served = med->fw_version != 0;
		break;
	case FFA_PARTITION_INFO_GET_REGS:
		served = true;
		break;
	/* Direct requests: to SPs when the firmware takes them and some SP
	 * can receive them; to VMs when calls can block (docs/MESSAGING.md).
	 * The receiving side (MSG_WAIT, RESP, YIELD) only for VMs. */
	case FFA_MSG_SEND_DIRECT_REQ_32:
		served = med_msg_vm_available(med) ||
			 ((med->fw_abis & MED_FW_DIRECT_REQ_32) &&
			  (med->sp_props_any & FFA_PART_PROP_DIRECT_REQ_RECV));
		break;
	case FFA_MSG_SEND_DIRECT_REQ_64:
		served = med_msg_vm_available(med) ||
			 ((med->fw_abis & MED_FW_DIRECT_REQ_64) &&
			  (med->sp_props_any & FFA_PART_PROP_DIRECT_REQ_RECV));
		break;
	case FFA_MSG_SEND_DIRECT_REQ2:
		served = med_msg_vm_available(med) ||
			 ((med->fw_abis & MED_FW_DIRECT_REQ2) &&
			  (med->sp_props_any & FFA_PART_PROP_DIRECT_REQ2_RECV));
		break;
	case FFA_RUN:
		served =
			med_msg_vm_available(med) || ((med->fw_abis & MED_FW_RUN) && med->sp_count);
		break;
	case FFA_MSG_SEND_DIRECT_RESP_32:
	case FFA_MSG_SEND_DIRECT_RESP_64:
	case FFA_MSG_SEND_DIRECT_RESP2:
	case FFA_MSG_WAIT:
	case FFA_YIELD:
		served = med_msg_vm_available(med);
		break;
	/* Indirect messages: to VMs with VM-to-VM on, to SPs when the SPMC
	 * takes them, maps VM pairs (as far as known: decided at the first
	 * forward at worst) and some SP receives them. */
	case FFA_MSG_SEND2:
		served = med->cfg.vm_to_vm || (med_sp_indirect_available(med) &&
					       (med->sp_props_any & FFA_PART_PROP_INDIRECT_MSG));
		break;
	/* Notifications with SPs (firmware support) or VMs (VM-to-VM built
	 * in). The mediator creates and destroys the bitmaps; a guest's
	 * INFO_GET is about itself only. */
	case FFA_NOTIFICATION_BIND:
	case FFA_NOTIFICATION_UNBIND:
	case FFA_NOTIFICATION_SET:
	case FFA_NOTIFICATION_GET:
	case FFA_NOTIFICATION_INFO_GET_32:
	case FFA_NOTIFICATION_INFO_GET_64:
		served = med_notif_available(med);
		break;
	/* Memory sharing (docs/MEMORY.md): descriptors in the TX buffer only
	 * (w2 bit0 clear). LEND/DONATE need the port to remove the owner's
	 * access; retrieval by VMs needs it to map borrowed pages. */
	case FFA_MEM_SHARE_32:
	case FFA_MEM_SHARE_64:
	case FFA_MEM_RECLAIM:
	case FFA_MEM_FRAG_TX:
		served = true;
		break;
	case FFA_MEM_LEND_32:
	case FFA_MEM_LEND_64:
	case FFA_MEM_DONATE_32:
	case FFA_MEM_DONATE_64:
		served = med->ops->guest_set_access != NULL;
		break;
	case FFA_MEM_RETRIEVE_REQ_32:
	case FFA_MEM_RETRIEVE_REQ_64:
		served = med->ops->borrow_map && med->ops->borrow_unmap;
		/* Responses to v1.1+ guests carry the NS bit. */
		if (med_version_at_least(version, FFA_VERSION_1_1))
			props = FFA_MEM_RETRIEVE_PROP_NS_BIT;
		break;
	case FFA_MEM_RELINQUISH:
	case FFA_MEM_FRAG_RX:
		served = med->ops->borrow_map && med->ops->borrow_unmap;
		break;
	default:
		served = false;
		break;
	}
	return served ? (int64_t)props : -1;
}

bool med_fid_served(const struct ffamed *med, uint32_t version, uint32_t fid, uint32_t *w2,
		    uint32_t *w3)
{
	int64_t props = med_fid_props(med, version, fid);

	if (props < 0)
		return false;
	if (w2)
		*w2 = (uint32_t)props;
	if (w3)
		*w3 = 0;
	return true;
}

void med_served_init(struct ffamed *med)
{
	for (uint32_t minor = 0; minor < MED_SERVED_MINORS; minor++) {
		for (uint32_t w = 0; w < 2; w++) {
			for (uint32_t fnum = FFA_FNUM_MIN; fnum <= FFA_FNUM_MAX; fnum++) {
				uint32_t fid = w ? FFA_SMC64(fnum) : FFA_SMC32(fnum);
				uint32_t idx = fnum - FFA_FNUM_MIN;

				if (med_fid_served(med, FFA_MAKE_VERSION(1, minor), fid, NULL,
						   NULL))
					med->served[minor][w][idx / 64] |= 1ull << (idx % 64);
			}
		}
	}
}

/*
 * Interfaces a guest receives but never calls. FF-A makes FFA_ERROR,
 * FFA_SUCCESS and FFA_INTERRUPT mandatory and FEATURES reports them; a
 * relayer that serves `with` also answers with `fid`. The dispatcher never
 * serves them (a guest calling one gets NOT_SUPPORTED).
 */
static const struct {
	uint32_t fid;
	uint32_t with; /* 0: always */
} med_answer_fids[] = {
	{FFA_ERROR, 0},
	{FFA_SUCCESS_32, 0},
	{FFA_SUCCESS_64, 0},
	{FFA_INTERRUPT, 0},
	{FFA_MEM_RETRIEVE_RESP, FFA_MEM_RETRIEVE_REQ_32},
};

static bool med_fid_answered(const struct ffamed *med, uint32_t version, uint32_t fid)
{
	for (size_t i = 0; i < sizeof(med_answer_fids) / sizeof(med_answer_fids[0]); i++)
		if (med_answer_fids[i].fid == fid)
			return !med_answer_fids[i].with ||
			       med_fid_props(med, version, med_answer_fids[i].with) >= 0;
	return false;
}

med_status med_handle_features(struct med_call *call)
{
	struct ffamed_vm *vm = call->vm;
	struct ffamed_regs *regs = call->regs;
	uint32_t version = call->version;
	uint32_t id = (uint32_t)regs->x[1];
	uint32_t in_props = (uint32_t)regs->x[2];

	if (id & FFA_FEATURES_FID_BIT) {
		int64_t props = med_fid_props(vm->med, version, id);

		if (props < 0 && med_fid_answered(vm->med, version, id))
			props = 0;

		/* What the VM can use: the dispatcher's per-VM gate too. */
		if (med_notif_is_guest_fid(id) && !med_vm_notif_available(vm))
			props = -1;
		if (props < 0)
			MED_REFUSE(call, FFA_RET_NOT_SUPPORTED,
				   "function not served to this guest");
		ffa_set_success32(regs, 0, (uint32_t)props, 0);
		return FFA_RET_OK;
	}

	/* A feature ID: bits[30:8] and the input properties MBZ. */
	if ((id & ~FFA_FEATURES_FID_BIT & ~0xFFu) || in_props)
		MED_REFUSE(call, FFA_RET_NOT_SUPPORTED, "feature ID or input properties not zero");
	switch (id) {
	case FFA_FEATURE_NPI:
	case FFA_FEATURE_SRI:
		/* Only when notifications work, and never to v1.0 guests (Linux
		 * 7.3 asks anyway). The mediator signals with the NPI; the SRI
		 * ID is given for drivers that need one to set up, and a guest
		 * that takes that path gets its own INFO_GET answer. */
		if (!med_version_at_least(version, FFA_VERSION_1_1) || !med_vm_notif_available(vm))
			MED_REFUSE(call, FFA_RET_NOT_SUPPORTED, "no notifications for this guest");
		ffa_set_success32(
			regs, 0,
			id == FFA_FEATURE_NPI ? vm->med->cfg.npi_intid : vm->med->cfg.sri_intid, 0);
		return FFA_RET_OK;
	case FFA_FEATURE_MEI: /* managed exit: SPs only */
	case FFA_FEATURE_NOTIF:
	default:
		MED_REFUSE(call, FFA_RET_NOT_SUPPORTED, "feature not offered to guests");
	}
}

med_status med_handle_id_get(struct med_call *call)
{
	ffa_set_success32(call->regs, 0, call->vm->id, 0);
	return FFA_RET_OK;
}

med_status med_handle_spm_id_get(struct med_call *call)
{
	/* med_fid_served() already checked v1.1+ and an SPMC. */
	ffa_set_success32(call->regs, 0, call->vm->med->spmc_id, 0);
	return FFA_RET_OK;
}
