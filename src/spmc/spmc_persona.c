/* SPDX-License-Identifier: MIT */
/*
 * Personalities: where the software SPMC answers the hypervisor as a real
 * SPMC does instead of as the specification says. Only differences a
 * mediator meets are imitated; docs/REAL-FIRMWARE.md has the table. Every
 * other file asks here and keeps its strict behaviour otherwise.
 */
#include "spmc_base.h"
#include "spmc_persona.h"

/* OP-TEE's internal status for "no such guest", in w3 of a direct response. */
#define SPMC_OPTEE_ITEM_NOT_FOUND 0xFFFF0008u

static const char *const spmc_persona_names[FFAMED_SPMC_PERSONALITIES] = {
	[FFAMED_SPMC_STRICT] = "strict",
	[FFAMED_SPMC_OPTEE_NSVIRT] = "optee-nsvirt",
	[FFAMED_SPMC_OPTEE_PLAIN] = "optee-plain",
	[FFAMED_SPMC_TFA_EL3] = "tfa-el3",
};

const char *ffamed_spmc_personality_name(enum ffamed_spmc_personality p)
{
	return (unsigned)p < FFAMED_SPMC_PERSONALITIES ? spmc_persona_names[p] : "unknown";
}

static bool spmc_is_optee(const struct ffamed_spmc *spmc)
{
	return spmc->persona == FFAMED_SPMC_OPTEE_NSVIRT ||
	       spmc->persona == FFAMED_SPMC_OPTEE_PLAIN;
}

uint32_t spmc_persona_default_version(enum ffamed_spmc_personality p)
{
	/* The real OP-TEE builds (4.10) answer FFA_VERSION(1.2) with 1.2, as
	 * the EL2 port's boots on them show; so does TF-A's EL3 SPMC. */
	(void)p;
	return FFA_VERSION_1_2;
}

int32_t spmc_persona_init(struct ffamed_spmc *spmc, enum ffamed_spmc_personality p)
{
	if ((unsigned)p >= FFAMED_SPMC_PERSONALITIES)
		return FFA_RET_INVALID_PARAMETERS;
	spmc->persona = p;
	if (p != FFAMED_SPMC_OPTEE_NSVIRT)
		return FFA_RET_OK;
	spmc->vm_known =
		spmc->env.alloc(spmc->env.ctx, sizeof(*spmc->vm_known) * SPMC_VM_KNOWN_WORDS);
	return spmc->vm_known ? FFA_RET_OK : FFA_RET_NO_MEMORY;
}

void spmc_persona_fini(struct ffamed_spmc *spmc)
{
	spmc->env.free(spmc->env.ctx, spmc->vm_known);
	spmc->vm_known = NULL;
}

/* ---- Which ABIs exist -------------------------------------------------------- */

/* Calls OP-TEE's SPMC dispatches for the normal world (with TF-A's SPMD
 * answering FFA_VERSION and FFA_ID_GET). */
static bool spmc_optee_serves(uint32_t fid)
{
	switch (fid) {
	case FFA_VERSION:
	case FFA_ID_GET:
	case FFA_FEATURES:
	case FFA_SPM_ID_GET:
	case FFA_RXTX_MAP_32:
	case FFA_RXTX_MAP_64:
	case FFA_RXTX_UNMAP:
	case FFA_RX_RELEASE:
	case FFA_PARTITION_INFO_GET:
	case FFA_RUN:
	case FFA_MSG_SEND_DIRECT_REQ_32:
	case FFA_MSG_SEND_DIRECT_REQ_64:
	case FFA_MEM_SHARE_32:
	case FFA_MEM_SHARE_64:
	case FFA_MEM_LEND_32:
	case FFA_MEM_LEND_64:
	case FFA_MEM_RECLAIM:
	case FFA_MEM_FRAG_TX:
	case FFA_NOTIFICATION_BITMAP_CREATE:
	case FFA_NOTIFICATION_BITMAP_DESTROY:
	case FFA_NOTIFICATION_BIND:
	case FFA_NOTIFICATION_UNBIND:
	case FFA_NOTIFICATION_GET:
	case FFA_NOTIFICATION_INFO_GET_32:
	case FFA_NOTIFICATION_INFO_GET_64:
		return true;
	default:
		return false; /* RX_ACQUIRE, NOTIFICATION_SET, MSG_SEND2, DONATE, ... */
	}
}

/* What OP-TEE's FFA_FEATURES lists: not quite what it serves (SET is
 * listed but not served; RUN, LEND, ID_GET are served but not listed). */
static bool spmc_optee_lists(uint32_t fid, uint32_t *w2)
{
	switch (fid) {
	case FFA_RXTX_MAP_32:
	case FFA_RXTX_MAP_64:
		*w2 = 0; /* 4K minimum, no maximum field */
		return true;
	case FFA_MEM_SHARE_32:
	case FFA_MEM_SHARE_64:
		*w2 = 1; /* descriptors in a buffer the endpoint allocated, too */
		return true;
	case FFA_ERROR:
	case FFA_VERSION:
	case FFA_SUCCESS_32:
	case FFA_SUCCESS_64:
	case FFA_FEATURES:
	case FFA_SPM_ID_GET:
	case FFA_MEM_FRAG_TX:
	case FFA_MEM_RECLAIM:
	case FFA_MSG_SEND_DIRECT_REQ_32:
	case FFA_MSG_SEND_DIRECT_REQ_64:
	case FFA_INTERRUPT:
	case FFA_PARTITION_INFO_GET:
	case FFA_RXTX_UNMAP:
	case FFA_RX_RELEASE:
	case FFA_NOTIFICATION_BITMAP_CREATE:
	case FFA_NOTIFICATION_BITMAP_DESTROY:
	case FFA_NOTIFICATION_BIND:
	case FFA_NOTIFICATION_UNBIND:
	case FFA_NOTIFICATION_SET:
	case FFA_NOTIFICATION_GET:
	case FFA_NOTIFICATION_INFO_GET_32:
	case FFA_NOTIFICATION_INFO_GET_64:
		*w2 = 0;
		return true;
	default:
		return false;
	}
}

/* TF-A's EL3 SPMC, for normal-world callers: what it lists is what it
 * serves. Memory retrieval by the hypervisor is left out: the mediator
 * never asks for it. */
static bool spmc_tfa_serves(uint32_t fid)
{
	switch (fid) {
	case FFA_ERROR:
	case FFA_SUCCESS_32:
	case FFA_INTERRUPT:
	case FFA_SPM_ID_GET:
	case FFA_ID_GET:
	case FFA_FEATURES:
	case FFA_VERSION:
	case FFA_RX_RELEASE:
	case FFA_MSG_SEND_DIRECT_REQ_32:
	case FFA_MSG_SEND_DIRECT_REQ_64:
	case FFA_MSG_SEND_DIRECT_REQ2:
	case FFA_PARTITION_INFO_GET:
	case FFA_RXTX_MAP_32:
	case FFA_RXTX_MAP_64:
	case FFA_RXTX_UNMAP:
	case FFA_MEM_FRAG_TX:
	case FFA_RUN:
	case FFA_MEM_SHARE_32:
	case FFA_MEM_SHARE_64:
	case FFA_MEM_LEND_32:
	case FFA_MEM_LEND_64:
	case FFA_MEM_RECLAIM:
	case FFA_MEM_FRAG_RX:
		return true;
	default:
		return false; /* notifications, RX_ACQUIRE, MSG_SEND2, DONATE, ... */
	}
}

bool spmc_persona_serves(const struct ffamed_spmc *spmc, uint32_t fid)
{
	if (spmc_is_optee(spmc))
		return spmc_optee_serves(fid);
	if (spmc->persona == FFAMED_SPMC_TFA_EL3)
		return spmc_tfa_serves(fid) || fid == FFA_SUCCESS_64;
	return true;
}

int spmc_persona_features(const struct ffamed_spmc *spmc, uint32_t id, uint32_t *w2)
{
	if (!(id & FFA_FEATURES_FID_BIT)) {
		/* Feature IDs: OP-TEE gives its SRI (once its notifications are
		 * up, which they are here); TF-A's EL3 SPMC none at all. */
		if (spmc->persona == FFAMED_SPMC_TFA_EL3)
			return 0;
		return -1;
	}
	if (spmc_is_optee(spmc))
		return spmc_optee_lists(id, w2) ? 1 : 0;
	if (spmc->persona == FFAMED_SPMC_TFA_EL3) {
		*w2 = 0; /* no RXTX_MAP maximum field */
		return spmc_tfa_serves(id) && id != FFA_SUCCESS_64 ? 1 : 0;
	}
	return -1;
}

/* ---- Answers that differ ------------------------------------------------------- */

int32_t spmc_persona_vm_rxtx_refusal(struct ffamed_spmc *spmc)
{
	if (spmc->persona == FFAMED_SPMC_TFA_EL3) {
		spmc_log(spmc, FFAMED_LOG_WARN,
			 "spmc(tfa-el3): Mapping RX/TX Buffers on behalf of VM not supported.");
		return FFA_RET_INVALID_PARAMETERS;
	}
	/* OP-TEE checks the page count first: 0 is invalid. */
	if (spmc_is_optee(spmc))
		return FFA_RET_INVALID_PARAMETERS;
	return FFA_RET_OK;
}

static bool spmc_vm_known(const struct ffamed_spmc *spmc, uint16_t vm_id)
{
	return (atomic_load(&spmc->vm_known[vm_id / 64]) >> (vm_id % 64)) & 1;
}

bool spmc_persona_vm_usable(const struct ffamed_spmc *spmc, uint16_t vm_id)
{
	/* Without NS virtualization OP-TEE keeps one bitmap, VM 0's. */
	if (spmc->persona == FFAMED_SPMC_OPTEE_PLAIN)
		return vm_id == 0;
	/* With it, only guests it was told of exist. */
	if (spmc->persona == FFAMED_SPMC_OPTEE_NSVIRT)
		return spmc_vm_known(spmc, vm_id);
	return true;
}

bool spmc_persona_sender_known(const struct ffamed_spmc *spmc, uint16_t vm_id)
{
	return spmc->persona != FFAMED_SPMC_OPTEE_NSVIRT || spmc_vm_known(spmc, vm_id);
}

bool spmc_persona_per_vcpu_notif(const struct ffamed_spmc *spmc)
{
	/* OP-TEE binds global notifications only. */
	return !spmc_is_optee(spmc);
}

bool spmc_persona_vm_availability(const struct ffamed_spmc *spmc)
{
	/* OP-TEE without NS virtualization answers VM_CREATED/DESTROYED
	 * FFA_ERROR(NOT_SUPPORTED) (and never advertises them). */
	return spmc->persona != FFAMED_SPMC_OPTEE_PLAIN;
}

void spmc_persona_vm_event(struct ffamed_spmc *spmc, uint16_t vm_id, bool created)
{
	uint64_t bit = 1ull << (vm_id % 64);

	if (spmc->persona != FFAMED_SPMC_OPTEE_NSVIRT)
		return;
	if (created)
		atomic_fetch_or(&spmc->vm_known[vm_id / 64], bit);
	else
		atomic_fetch_and(&spmc->vm_known[vm_id / 64], ~bit);
}

bool spmc_persona_refuse_request(struct ffamed_spmc *spmc, const struct ffamed_sp *sp,
				 uint16_t sender, uint32_t fid, struct ffamed_regs *regs)
{
	/* OP-TEE's own endpoint (the one that takes VM_CREATED) answers a
	 * guest it does not know with a direct response, not an error. */
	if (spmc->persona != FFAMED_SPMC_OPTEE_NSVIRT ||
	    !(sp->cfg.properties & FFA_PART_PROP_VM_CREATED) || spmc_vm_known(spmc, sender))
		return false;
	spmc_log(spmc, FFAMED_LOG_DEBUG, "spmc(optee-nsvirt): request from unknown guest %x",
		 sender);
	ffa_regs_clear(regs);
	regs->x[0] = fid == FFA_MSG_SEND_DIRECT_REQ_64 ? FFA_MSG_SEND_DIRECT_RESP_64
						       : FFA_MSG_SEND_DIRECT_RESP_32;
	regs->x[1] = FFA_SENDER_RECEIVER(sp->cfg.id, sender);
	regs->x[3] = SPMC_OPTEE_ITEM_NOT_FOUND;
	return true;
}

enum ffamed_spmc_personality ffamed_spmc_personality(const struct ffamed_spmc *spmc)
{
	return spmc->persona;
}

bool ffamed_spmc_knows_vm(const struct ffamed_spmc *spmc, uint16_t vm_id)
{
	return spmc->persona != FFAMED_SPMC_OPTEE_NSVIRT || spmc_vm_known(spmc, vm_id);
}
