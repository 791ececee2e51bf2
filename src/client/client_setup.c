/* SPDX-License-Identifier: MIT */
/*
 * Setup calls a guest driver makes first: version negotiation, own and SPMC
 * endpoint IDs, feature queries.
 */
#include <stddef.h>
#include <string.h>

#include "client_internal.h"

void ffac_init(struct ffac *c, ffac_conduit_fn call, void *call_ctx)
{
	memset(c, 0, sizeof(*c));
	c->call = call;
	c->call_ctx = call_ctx;
}

/* One FFA_VERSION call; the answer is w0 itself, not SUCCESS/ERROR. */
static uint32_t ffac_version_call(struct ffac *c, uint32_t ask)
{
	struct ffamed_regs regs;

	ffac_regs_for(&regs, FFA_VERSION);
	regs.x[1] = ask;
	ffac_call(c, &regs);
	return ffac_w0(&regs);
}

int32_t ffac_negotiate(struct ffac *c, uint32_t want)
{
	uint32_t ask = want;

	if (want & FFA_VERSION_MBZ_BIT)
		return FFA_RET_INVALID_PARAMETERS;

	/*
	 * A callee that implements a lower minor answers with it; re-asking
	 * with that version makes it the one the callee uses for us. Each
	 * re-ask must go strictly lower, so the loop ends anyway.
	 */
	for (int asks = 0; asks < FFAC_MAX_VERSION_ASKS; asks++) {
		uint32_t answer = ffac_version_call(c, ask);

		if (answer == FFA_VERSION_NOT_SUPPORTED || (answer & FFA_VERSION_MBZ_BIT))
			return FFA_RET_NOT_SUPPORTED;
		if (FFA_VERSION_MAJOR(answer) != FFA_VERSION_MAJOR(ask))
			return FFA_RET_NOT_SUPPORTED;
		if (FFA_VERSION_MINOR(answer) >= FFA_VERSION_MINOR(ask)) {
			c->version = ask;
			return FFA_RET_OK;
		}
		ask = answer;
	}
	return FFA_RET_NOT_SUPPORTED;
}

/* A call answered with SUCCESS carrying a 16-bit ID in w2. */
static int32_t ffac_get_id(struct ffac *c, uint32_t fid, uint16_t *id)
{
	struct ffamed_regs regs;
	int32_t ret;

	ffac_regs_for(&regs, fid);
	ffac_call(c, &regs);
	ret = ffac_status(&regs);
	if (ret != FFA_RET_OK)
		return ret;
	if (id)
		*id = (uint16_t)(regs.x[2] & FFA_ID_MASK);
	return FFA_RET_OK;
}

int32_t ffac_id_get(struct ffac *c, uint16_t *id)
{
	uint16_t own;
	int32_t ret = ffac_get_id(c, FFA_ID_GET, &own);

	if (ret != FFA_RET_OK)
		return ret;
	c->id = own;
	if (id)
		*id = own;
	return FFA_RET_OK;
}

int32_t ffac_spm_id_get(struct ffac *c, uint16_t *id)
{
	return ffac_get_id(c, FFA_SPM_ID_GET, id);
}

int32_t ffac_features(struct ffac *c, uint32_t id, uint32_t in, uint32_t *w2, uint32_t *w3)
{
	struct ffamed_regs regs;
	int32_t ret;

	ffac_regs_for(&regs, FFA_FEATURES);
	regs.x[1] = id;
	regs.x[2] = in;
	ffac_call(c, &regs);
	ret = ffac_status(&regs);
	if (ret != FFA_RET_OK)
		return ret;
	if (w2)
		*w2 = (uint32_t)regs.x[2];
	if (w3)
		*w3 = (uint32_t)regs.x[3];
	return FFA_RET_OK;
}
