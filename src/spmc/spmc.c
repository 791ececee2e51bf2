/* SPDX-License-Identifier: MIT */
/*
 * The software SPMC: creation, the call dispatcher and its call counters.
 * The caller is always the hypervisor at the NS physical instance (ID 0).
 * The dispatcher sits above every handler file (spmc_state.h lists them).
 */
#include "spmc_base.h"
#include "spmc_mem.h"
#include "spmc_msg.h"
#include "spmc_msg2.h"
#include "spmc_notif.h"
#include "spmc_partinfo.h"
#include "spmc_persona.h"
#include "spmc_rxtx.h"
#include "spmc_setup.h"

/* ---- Call counters ------------------------------------------------------- */

static _Atomic uint64_t *call_counter(struct ffamed_spmc *spmc, uint32_t fid)
{
	if (!FFA_FID_IS_FFA(fid))
		return &spmc->calls_other;
	return &spmc->calls[FFA_FID_IS_64(fid) ? 1 : 0][FFA_FNUM(fid) - FFA_FNUM_MIN];
}

uint64_t ffamed_spmc_call_count(struct ffamed_spmc *spmc, uint32_t fid)
{
	return atomic_load(call_counter(spmc, fid & ~FFA_SMCCC_SVE_HINT));
}

/* ---- Dispatch ------------------------------------------------------------- */

void ffamed_spmc_call(struct ffamed_spmc *spmc, uint32_t cpu, struct ffamed_regs *regs)
{
	/* SMCCC v1.3 SVE hint: not part of the function ID. */
	uint32_t fid = (uint32_t)regs->x[0] & ~FFA_SMCCC_SVE_HINT;
	uint32_t version;

	atomic_fetch_add(call_counter(spmc, fid), 1);
	if (cpu >= spmc->cpu_count) {
		spmc_refuse(spmc, regs, FFA_RET_INVALID_PARAMETERS, "spmc: call from CPU %u of %u",
			    cpu, spmc->cpu_count);
		return;
	}
	if (fid == FFA_VERSION) {
		spmc_version_call(spmc, regs);
		return;
	}
	version = spmc_version_for_call(spmc);
	if (!version) {
		spmc_refuse(spmc, regs, FFA_RET_NOT_SUPPORTED, "spmc: %x before FFA_VERSION", fid);
		return;
	}
	if (!spmc_persona_serves(spmc, fid)) {
		spmc_refuse(spmc, regs, FFA_RET_NOT_SUPPORTED, "spmc(%s): %x not implemented",
			    ffamed_spmc_personality_name(spmc->persona), fid);
		return;
	}
	if (!spmc_fid_supported(fid, version) || fid == FFA_ERROR || fid == FFA_SUCCESS_32 ||
	    fid == FFA_SUCCESS_64 || fid == FFA_INTERRUPT) {
		/* ERROR/SUCCESS/INTERRUPT would answer a request from an SP: the
		 * model has SPs send none to the normal world. */
		spmc_refuse(spmc, regs, FFA_RET_NOT_SUPPORTED, "spmc: %x not supported at v%x", fid,
			    version);
		return;
	}

	switch (fid) {
	case FFA_FEATURES:
		spmc_features(spmc, regs, version);
		break;
	case FFA_ID_GET:
		spmc_id_get(spmc, regs, FFA_HYP_ID);
		break;
	case FFA_SPM_ID_GET:
		spmc_id_get(spmc, regs, spmc->spmc_id);
		break;
	case FFA_RXTX_MAP_32:
	case FFA_RXTX_MAP_64:
		spmc_rxtx_map(spmc, regs, fid == FFA_RXTX_MAP_32);
		break;
	case FFA_RXTX_UNMAP:
		spmc_rxtx_unmap(spmc, regs);
		break;
	case FFA_RX_RELEASE:
		spmc_rx_release(spmc, regs);
		break;
	case FFA_RX_ACQUIRE:
		spmc_rx_acquire(spmc, regs);
		break;
	case FFA_PARTITION_INFO_GET:
		spmc_partition_info_get(spmc, regs, version);
		break;
	case FFA_PARTITION_INFO_GET_REGS:
		spmc_partition_info_get_regs(spmc, regs, version);
		break;
	case FFA_MSG_SEND_DIRECT_REQ_32:
	case FFA_MSG_SEND_DIRECT_REQ_64:
	case FFA_MSG_SEND_DIRECT_REQ2:
		spmc_msg_direct_req(spmc, cpu, regs, fid, version);
		break;
	case FFA_RUN:
		spmc_msg_run(spmc, cpu, regs);
		break;
	case FFA_MSG_SEND2:
		spmc_msg2_send(spmc, cpu, regs);
		break;
	case FFA_NOTIFICATION_BITMAP_CREATE:
		spmc_notif_bitmap_create(spmc, regs);
		break;
	case FFA_NOTIFICATION_BITMAP_DESTROY:
		spmc_notif_bitmap_destroy(spmc, regs);
		break;
	case FFA_NOTIFICATION_BIND:
	case FFA_NOTIFICATION_UNBIND:
		spmc_notif_bind(spmc, regs, fid == FFA_NOTIFICATION_BIND);
		break;
	case FFA_NOTIFICATION_SET:
		spmc_notif_set(spmc, regs);
		break;
	case FFA_NOTIFICATION_GET:
		spmc_notif_get(spmc, regs);
		break;
	case FFA_NOTIFICATION_INFO_GET_32:
	case FFA_NOTIFICATION_INFO_GET_64:
		spmc_notif_info_get(spmc, regs, fid == FFA_NOTIFICATION_INFO_GET_64);
		break;
	case FFA_MEM_DONATE_32:
	case FFA_MEM_DONATE_64:
	case FFA_MEM_LEND_32:
	case FFA_MEM_LEND_64:
	case FFA_MEM_SHARE_32:
	case FFA_MEM_SHARE_64:
		spmc_mem_send(spmc, regs, fid, version);
		break;
	case FFA_MEM_FRAG_TX:
		spmc_mem_frag_tx(spmc, regs);
		break;
	case FFA_MEM_RECLAIM:
		spmc_mem_reclaim(spmc, regs);
		break;
	case FFA_MEM_RETRIEVE_REQ_32:
	case FFA_MEM_RETRIEVE_REQ_64:
		spmc_mem_hyp_retrieve(spmc, regs, fid == FFA_MEM_RETRIEVE_REQ_32, version);
		break;
	case FFA_MEM_FRAG_RX:
		spmc_mem_hyp_frag_rx(spmc, regs);
		break;
	default:
		/* DIRECT_RESP*: no SP ever sends the normal world a request. */
		spmc_refuse(spmc, regs, FFA_RET_DENIED, "spmc: %x answers no pending request", fid);
		break;
	}
}

/* ---- Creation: the SPs, then the SPMC ------------------------------------- */

static int32_t spmc_sp_init(struct ffamed_spmc *spmc, struct ffamed_sp *sp,
			    const struct ffamed_sp_config *cfg)
{
	const struct ffamed_spmc_env *env = &spmc->env;
	uint32_t version = cfg->version ? cfg->version : FFA_VERSION_1_2;

	if (!FFA_ID_IS_SECURE(cfg->id) || cfg->id == FFA_SPMD_ID || cfg->exec_ctx_count == 0 ||
	    cfg->exec_ctx_count > spmc->cpu_count || cfg->uuid_count == 0 ||
	    cfg->uuid_count > FFAMED_SP_MAX_UUIDS || !cfg->ops ||
	    (cfg->properties & ~FFA_PART_PROP_MASK_1_2) ||
	    !spmc_version_at_least(version, FFA_VERSION_1_0) ||
	    FFA_VERSION_MINOR(version) > FFA_VERSION_MINOR(spmc->version)) {
		spmc_log(spmc, FFAMED_LOG_ERROR, "spmc: bad SP configuration (ID %x)", cfg->id);
		return FFA_RET_INVALID_PARAMETERS;
	}
	/* REQ2 exists from v1.2 on, at both ends. */
	if ((cfg->properties & (FFA_PART_PROP_DIRECT_REQ2_RECV | FFA_PART_PROP_DIRECT_REQ2_SEND)) &&
	    !spmc_version_at_least(version, FFA_VERSION_1_2)) {
		spmc_log(spmc, FFAMED_LOG_ERROR, "spmc: SP %x: REQ2 needs v1.2", cfg->id);
		return FFA_RET_INVALID_PARAMETERS;
	}
	/* Notifications and FFA_MSG_SEND2 exist from v1.1 on (bit 2 meant
	 * v1.0's FFA_MSG_SEND before, which this SPMC does not deliver). */
	if ((cfg->properties & (FFA_PART_PROP_NOTIFICATIONS | FFA_PART_PROP_INDIRECT_MSG)) &&
	    !spmc_version_at_least(version, FFA_VERSION_1_1)) {
		spmc_log(spmc, FFAMED_LOG_ERROR, "spmc: SP %x: notifications / SEND2 need v1.1",
			 cfg->id);
		return FFA_RET_INVALID_PARAMETERS;
	}
	sp->ctx = env->alloc(env->ctx, sizeof(*sp->ctx) * cfg->exec_ctx_count);
	if (!sp->ctx)
		return FFA_RET_NO_MEMORY;
	for (uint32_t i = 0; i < cfg->exec_ctx_count; i++)
		sp->ctx[i].state = FFAMED_SPMC_CTX_IDLE;
	sp->spmc = spmc;
	sp->cfg = *cfg;
	sp->cfg.version = version;
	if (spmc_notif_sp_init(spmc, sp)) {
		env->free(env->ctx, sp->ctx);
		sp->ctx = NULL;
		return FFA_RET_NO_MEMORY;
	}
	if (spmc_msg2_sp_init(spmc, sp)) {
		spmc_notif_sp_fini(spmc, sp);
		env->free(env->ctx, sp->ctx);
		sp->ctx = NULL;
		return FFA_RET_NO_MEMORY;
	}
	env->lock_init(env->ctx, &sp->ctx_lock);
	return FFA_RET_OK;
}

static void spmc_sp_fini(struct ffamed_spmc *spmc, struct ffamed_sp *sp)
{
	if (sp->cfg.ops && sp->cfg.ops->fini)
		sp->cfg.ops->fini(sp);
	spmc_notif_sp_fini(spmc, sp);
	spmc_msg2_sp_fini(spmc, sp);
	spmc->env.lock_destroy(spmc->env.ctx, &sp->ctx_lock);
	spmc->env.free(spmc->env.ctx, sp->ctx);
	sp->ctx = NULL;
}

static bool spmc_env_ok(const struct ffamed_spmc_env *env)
{
	return env && env->lock_init && env->lock_destroy && env->lock_acquire &&
	       env->lock_release && env->alloc && env->free && env->pa_map;
}

static bool spmc_cfg_ok(const struct ffamed_spmc *spmc, const struct ffamed_spmc_config *cfg)
{
	if (FFA_VERSION_MAJOR(spmc->version) != 1 || FFA_VERSION_MINOR(spmc->version) > 2 ||
	    (spmc->version & FFA_VERSION_MBZ_BIT))
		return false;
	if (!FFA_ID_IS_SECURE(spmc->spmc_id) || spmc->spmc_id == FFA_SPMD_ID)
		return false;
	if (cfg->sp_count && !cfg->sps)
		return false;
	/* The page count must fit FEATURES w2[31:16]. */
	/* vCPU IDs are 16-bit in NOTIFICATION_GET/SET and INFO_GET lists. */
	if (spmc->notif_max_vcpus > 0x10000u)
		return false;
	return spmc->rxtx_max_pages <= 0xFFFFu && spmc->cpu_count <= 0xFFFFu;
}

void ffamed_spmc_destroy(struct ffamed_spmc *spmc)
{
	const struct ffamed_spmc_env *env;

	if (!spmc)
		return;
	env = &spmc->env;
	for (uint32_t i = 0; i < spmc->sp_count; i++)
		spmc_sp_fini(spmc, &spmc->sps[i]);
	env->free(env->ctx, spmc->sps);
	spmc_rxtx_fini(spmc);
	spmc_notif_fini(spmc);
	spmc_mem_fini(spmc);
	spmc_persona_fini(spmc);
	env->lock_destroy(env->ctx, &spmc->version_lock);
	env->lock_destroy(env->ctx, &spmc->mbox_lock);
	env->lock_destroy(env->ctx, &spmc->faults_lock);
	env->free(env->ctx, spmc);
}

int32_t ffamed_spmc_create(const struct ffamed_spmc_env *env, const struct ffamed_spmc_config *cfg,
			   struct ffamed_spmc **out)
{
	struct ffamed_spmc *spmc;
	int32_t rc = FFA_RET_INVALID_PARAMETERS;

	if (!out || !cfg || !spmc_env_ok(env))
		return FFA_RET_INVALID_PARAMETERS;
	*out = NULL;
	spmc = env->alloc(env->ctx, sizeof(*spmc));
	if (!spmc)
		return FFA_RET_NO_MEMORY;
	spmc->env = *env;
	spmc->spmc_id = cfg->spmc_id ? cfg->spmc_id : FFA_SPMC_ID_DEFAULT;
	spmc->version =
		cfg->version ? cfg->version : spmc_persona_default_version(cfg->personality);
	spmc->max_vms = cfg->max_vms ? cfg->max_vms : 256;
	spmc->cpu_count = cfg->cpu_count ? cfg->cpu_count : 64;
	spmc->rxtx_max_pages =
		cfg->rxtx_max_pages ? cfg->rxtx_max_pages : FFAMED_SPMC_RXTX_MAX_PAGES_DEFAULT;
	spmc->sri_intid = cfg->sri_intid ? cfg->sri_intid : FFAMED_SPMC_SRI_INTID_DEFAULT;
	spmc->notif_max_vcpus =
		cfg->notif_max_vcpus ? cfg->notif_max_vcpus : FFAMED_SPMC_NOTIF_MAX_VCPUS_DEFAULT;
	env->lock_init(env->ctx, &spmc->version_lock);
	env->lock_init(env->ctx, &spmc->mbox_lock);
	env->lock_init(env->ctx, &spmc->faults_lock);
	for (int c = 0; c < 2; c++)
		for (uint32_t i = 0; i < SPMC_FNUM_SLOTS; i++)
			atomic_init(&spmc->calls[c][i], 0);
	atomic_init(&spmc->calls_other, 0);

	if (!spmc_cfg_ok(spmc, cfg))
		goto fail;
	rc = spmc_persona_init(spmc, cfg->personality);
	if (rc)
		goto fail;
	rc = spmc_rxtx_init(spmc);
	if (rc)
		goto fail;
	rc = spmc_notif_init(spmc);
	if (rc)
		goto fail;
	rc = spmc_mem_init(spmc, cfg);
	if (rc)
		goto fail;
	if (cfg->sp_count) {
		rc = FFA_RET_NO_MEMORY;
		spmc->sps = env->alloc(env->ctx, sizeof(*spmc->sps) * cfg->sp_count);
		if (!spmc->sps)
			goto fail;
	}
	for (uint32_t i = 0; i < cfg->sp_count; i++) {
		const struct ffamed_sp_config *sc = &cfg->sps[i];

		rc = FFA_RET_INVALID_PARAMETERS;
		if (sc->id == spmc->spmc_id || ffamed_spmc_find_sp(spmc, sc->id)) {
			spmc_log(spmc, FFAMED_LOG_ERROR, "spmc: SP ID %x used twice", sc->id);
			goto fail;
		}
		rc = spmc_sp_init(spmc, &spmc->sps[i], sc);
		if (rc)
			goto fail;
		spmc->sp_count++;
	}
	*out = spmc;
	return FFA_RET_OK;

fail:
	ffamed_spmc_destroy(spmc);
	return rc;
}
