/* SPDX-License-Identifier: MIT */
/*
 * The software SPMC: creation, the call dispatcher, version negotiation,
 * FFA_FEATURES, the ID queries, and the test hooks (call counters, faults).
 * The caller is always the hypervisor at the NS physical instance (ID 0).
 */
#include "spmc_internal.h"

/* ---- Small helpers --------------------------------------------------------- */

void spmc_lock(struct ffamed_spmc *spmc, struct ffamed_lock *lock)
{
	spmc->env.lock_acquire(spmc->env.ctx, lock);
}

void spmc_unlock(struct ffamed_spmc *spmc, struct ffamed_lock *lock)
{
	spmc->env.lock_release(spmc->env.ctx, lock);
}

static void spmc_vlog(struct ffamed_spmc *spmc, enum ffamed_log_level level, const char *fmt,
		      va_list ap)
{
	if (spmc->env.vlog)
		spmc->env.vlog(spmc->env.ctx, level, fmt, ap);
}

void spmc_log(struct ffamed_spmc *spmc, enum ffamed_log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	spmc_vlog(spmc, level, fmt, ap);
	va_end(ap);
}

void spmc_refuse(struct ffamed_spmc *spmc, struct ffamed_regs *regs, int32_t err, const char *fmt,
		 ...)
{
	va_list ap;

	va_start(ap, fmt);
	spmc_vlog(spmc, FFAMED_LOG_DEBUG, fmt, ap);
	va_end(ap);
	ffa_set_error(regs, err);
}

bool spmc_regs_mbz(const struct ffamed_regs *regs, bool is32, int first, int last)
{
	for (int i = first; i <= last; i++) {
		uint64_t v = is32 ? (uint32_t)regs->x[i] : regs->x[i];

		if (v)
			return false;
	}
	return true;
}

bool spmc_version_at_least(uint32_t v, uint32_t min)
{
	return FFA_VERSION_MAJOR(v) == FFA_VERSION_MAJOR(min) &&
	       FFA_VERSION_MINOR(v) >= FFA_VERSION_MINOR(min);
}

struct ffamed_spmc_faults spmc_faults(struct ffamed_spmc *spmc)
{
	struct ffamed_spmc_faults f;

	spmc_lock(spmc, &spmc->faults_lock);
	f = spmc->faults;
	spmc_unlock(spmc, &spmc->faults_lock);
	return f;
}

void ffamed_spmc_set_faults(struct ffamed_spmc *spmc, const struct ffamed_spmc_faults *faults)
{
	spmc_lock(spmc, &spmc->faults_lock);
	spmc->faults = *faults;
	spmc_unlock(spmc, &spmc->faults_lock);
}

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

/* ---- FFA_VERSION ----------------------------------------------------------- */

static void spmc_version_call(struct ffamed_spmc *spmc, struct ffamed_regs *regs)
{
	uint32_t asked = (uint32_t)regs->x[1];
	uint64_t answer = spmc->version;

	spmc_lock(spmc, &spmc->version_lock);
	if ((asked & FFA_VERSION_MBZ_BIT) ||
	    FFA_VERSION_MAJOR(asked) != FFA_VERSION_MAJOR(spmc->version)) {
		answer = (uint64_t)(int64_t)FFA_RET_NOT_SUPPORTED;
	} else if (spmc->version_frozen) {
		/* v1.2: the version is final once any other ABI was used. */
		if (asked != spmc->caller_version)
			answer = (uint64_t)(int64_t)FFA_RET_NOT_SUPPORTED;
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

/* The caller's version for this call (0: none), freezing it. */
static uint32_t spmc_version_for_call(struct ffamed_spmc *spmc)
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

/* Whether `fid` is an ABI the hypervisor may use here at `version`. */
static bool spmc_fid_supported(uint32_t fid, uint32_t version)
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

static void spmc_features(struct ffamed_spmc *spmc, struct ffamed_regs *regs, uint32_t version)
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

static void spmc_id_get(struct ffamed_spmc *spmc, struct ffamed_regs *regs, uint16_t id)
{
	if (!spmc_regs_mbz(regs, true, 1, 7)) {
		spmc_refuse(spmc, regs, FFA_RET_INVALID_PARAMETERS, "spmc: ID_GET w1-w7 MBZ");
		return;
	}
	ffa_set_success32(regs, 0, id, 0);
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
		spmc_direct_req(spmc, cpu, regs, fid, version);
		break;
	case FFA_RUN:
		spmc_run(spmc, cpu, regs);
		break;
	case FFA_MSG_SEND2:
		spmc_msg_send2(spmc, cpu, regs);
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

/* ---- Creation ------------------------------------------------------------- */

struct ffamed_sp *ffamed_spmc_find_sp(struct ffamed_spmc *spmc, uint16_t id)
{
	for (uint32_t i = 0; i < spmc->sp_count; i++)
		if (spmc->sps[i].cfg.id == id)
			return &spmc->sps[i];
	return NULL;
}

void *ffamed_sp_priv(const struct ffamed_sp *sp)
{
	return sp->cfg.priv;
}

uint16_t ffamed_sp_id(const struct ffamed_sp *sp)
{
	return sp->cfg.id;
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
	spmc_mailboxes_fini(spmc);
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
	rc = spmc_mailboxes_init(spmc);
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
