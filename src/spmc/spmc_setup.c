/* SPDX-License-Identifier: MIT */
/*
 * Setup and discovery answered by the SPMC itself: FFA_VERSION (the
 * caller's version, final once another ABI was used), FFA_FEATURES, and
 * the ID queries. The caller is always the hypervisor (ID 0).
 */
#include "spmc_base.h"
#include "spmc_persona.h"
#include "spmc_setup.h"

/* ---- FFA_VERSION ----------------------------------------------------------- */

void spmc_version_call(struct ffamed_spmc *spmc, struct ffamed_regs *regs)
{
	uint32_t asked = (uint32_t)regs->x[1];
	uint64_t answer = spmc->version;

	spmc_lock(spmc, &spmc->version_lock);
	if ((asked & FFA_VERSION_MBZ_BIT) ||
	    FFA_VERSION_MAJOR(asked) != FFA_VERSION_MAJOR(spmc->version)) {
		answer = (uint32_t)FFA_RET_NOT_SUPPORTED;
	} else if (spmc->version_frozen) {
		/* v1.2: the version is final once any other ABI was used. */
		if (asked != spmc->caller_version)
			answer = (uint32_t)FFA_RET_NOT_SUPPORTED;
	} else if (FFA_VERSION_MINOR(asked) <= FFA_VERSION_MINOR(spmc->version)) {
		spmc->caller_version = asked;
	}
	/* A newer minor gets our version but nothing is recorded: the caller
	 * must ask again with a version we implement before anything else. */
	spmc_unlock(spmc, &spmc->version_lock);

	if (answer != spmc->version)
		spmc_log(spmc, FFAMED_LOG_DEBUG, "spmc: FFA_VERSION(%x) refused", asked);
	ffa_regs_clear(regs);
	regs->x[0] = answer;
}

uint32_t spmc_version_for_call(struct ffamed_spmc *spmc)
{
	uint32_t v;

	spmc_lock(spmc, &spmc->version_lock);
	v = spmc->caller_version;
	if (v)
		spmc->version_frozen = true;
	spmc_unlock(spmc, &spmc->version_lock);
	return v;
}

uint32_t ffamed_spmc_caller_version(struct ffamed_spmc *spmc, bool *frozen)
{
	uint32_t v;

	spmc_lock(spmc, &spmc->version_lock);
	v = spmc->caller_version;
	if (frozen)
		*frozen = spmc->version_frozen;
	spmc_unlock(spmc, &spmc->version_lock);
	return v;
}

/* ---- FFA_FEATURES ---------------------------------------------------------- */

bool spmc_fid_supported(uint32_t fid, uint32_t version)
{
	switch (fid) {
	case FFA_ERROR:
	case FFA_SUCCESS_32:
	case FFA_SUCCESS_64:
	case FFA_INTERRUPT:
	case FFA_VERSION:
	case FFA_FEATURES:
	case FFA_RX_RELEASE:
	case FFA_RXTX_MAP_32:
	case FFA_RXTX_MAP_64:
	case FFA_RXTX_UNMAP:
	case FFA_PARTITION_INFO_GET:
	case FFA_ID_GET:
	case FFA_RUN:
	case FFA_MSG_SEND_DIRECT_REQ_32:
	case FFA_MSG_SEND_DIRECT_REQ_64:
	case FFA_MSG_SEND_DIRECT_RESP_32:
	case FFA_MSG_SEND_DIRECT_RESP_64:
	case FFA_MEM_DONATE_32:
	case FFA_MEM_DONATE_64:
	case FFA_MEM_LEND_32:
	case FFA_MEM_LEND_64:
	case FFA_MEM_SHARE_32:
	case FFA_MEM_SHARE_64:
	case FFA_MEM_RECLAIM:
	case FFA_MEM_FRAG_TX:
		return true;
	case FFA_MEM_RETRIEVE_REQ_32:
	case FFA_MEM_RETRIEVE_REQ_64:
	case FFA_MEM_FRAG_RX:
	case FFA_RX_ACQUIRE:
	case FFA_SPM_ID_GET:
	case FFA_NOTIFICATION_BITMAP_CREATE:
	case FFA_NOTIFICATION_BITMAP_DESTROY:
	case FFA_NOTIFICATION_BIND:
	case FFA_NOTIFICATION_UNBIND:
	case FFA_NOTIFICATION_SET:
	case FFA_NOTIFICATION_GET:
	case FFA_NOTIFICATION_INFO_GET_32:
	case FFA_NOTIFICATION_INFO_GET_64:
	case FFA_MSG_SEND2:
		return spmc_version_at_least(version, FFA_VERSION_1_1);
	case FFA_PARTITION_INFO_GET_REGS:
	case FFA_MSG_SEND_DIRECT_REQ2:
	case FFA_MSG_SEND_DIRECT_RESP2:
		return spmc_version_at_least(version, FFA_VERSION_1_2);
	default:
		return false;
	}
}

void spmc_features(struct ffamed_spmc *spmc, struct ffamed_regs *regs, uint32_t version)
{
	uint32_t id = (uint32_t)regs->x[1];
	uint32_t props = (uint32_t)regs->x[2];
	uint32_t w2 = 0;

	if (!spmc_regs_mbz(regs, true, 3, 7)) {
		spmc_refuse(spmc, regs, FFA_RET_INVALID_PARAMETERS, "spmc: FEATURES w3-w7 MBZ");
		return;
	}
	switch (spmc_persona_features(spmc, id, &w2)) {
	case 0:
		spmc_refuse(spmc, regs, FFA_RET_NOT_SUPPORTED, "spmc(%s): FEATURES(%x)",
			    ffamed_spmc_personality_name(spmc->persona), id);
		return;
	case 1:
		if (!props) {
			ffa_set_success32(regs, 0, w2, 0);
			return;
		}
		spmc_refuse(spmc, regs, FFA_RET_NOT_SUPPORTED, "spmc: FEATURES(%x, %x)", id, props);
		return;
	default:
		break;
	}
	if (!(id & FFA_FEATURES_FID_BIT)) {
		/* Only the SRI is ours to give at this instance: the NPI is
		 * injected by the hypervisor, the MEI is an SP interrupt. */
		if (id != FFA_FEATURE_SRI || props ||
		    !spmc_version_at_least(version, FFA_VERSION_1_1)) {
			spmc_refuse(spmc, regs, FFA_RET_NOT_SUPPORTED,
				    "spmc: FEATURES(feature %x, %x)", id, props);
			return;
		}
		ffa_set_success32(regs, 0, spmc->sri_intid, 0);
		return;
	}
	/* Only MEM_RETRIEVE_REQ takes an input property: NS-bit handling, which
	 * the sources disagree on for the normal world, so either is fine. */
	if (id == FFA_MEM_RETRIEVE_REQ_32 || id == FFA_MEM_RETRIEVE_REQ_64) {
		props &= ~FFA_MEM_RETRIEVE_PROP_NS_BIT;
		w2 = FFA_MEM_RETRIEVE_PROP_NS_BIT | FFA_MEM_RETRIEVE_PROP_HYP_RETRIEVE;
	}
	if (props || !spmc_fid_supported(id, version)) {
		spmc_refuse(spmc, regs, FFA_RET_NOT_SUPPORTED, "spmc: FEATURES(%x, %x)", id, props);
		return;
	}
	if (id == FFA_RXTX_MAP_32 || id == FFA_RXTX_MAP_64) {
		w2 = FFA_RXTX_MAP_MIN_4K;
		if (spmc_version_at_least(version, FFA_VERSION_1_2))
			w2 |= spmc->rxtx_max_pages << FFA_RXTX_MAP_MAX_PAGES_SHIFT;
	}
	ffa_set_success32(regs, 0, w2, 0);
}

/* ---- ID queries ------------------------------------------------------------ */

void spmc_id_get(struct ffamed_spmc *spmc, struct ffamed_regs *regs, uint16_t id)
{
	if (!spmc_regs_mbz(regs, true, 1, 7)) {
		spmc_refuse(spmc, regs, FFA_RET_INVALID_PARAMETERS, "spmc: ID_GET w1-w7 MBZ");
		return;
	}
	ffa_set_success32(regs, 0, id, 0);
}
