/* SPDX-License-Identifier: MIT */
/*
 * Direct messaging: DIRECT_REQ (32/64-bit) and DIRECT_REQ2, with the
 * FFA_RUN loop that resumes a receiver preempted (FFA_INTERRUPT) or yielded
 * (FFA_YIELD) before it answered.
 */
#include <stddef.h>

#include "client_internal.h"

#define FFAC_REQ_PAYLOAD  3 /* DIRECT_REQ: x3..x7 */
#define FFAC_REQ_WORDS	  5
#define FFAC_REQ2_PAYLOAD 4 /* DIRECT_REQ2: x4..x17 */
#define FFAC_REQ2_WORDS	  14

/*
 * Issue the request in `regs` and resume the receiver until it answers with
 * something other than INTERRUPT/YIELD. The guest would handle its own
 * interrupt between the two; here there is nothing to handle.
 */
static int32_t ffac_send_and_run(struct ffac *c, struct ffamed_regs *regs, uint32_t *resumes)
{
	uint32_t runs = 0;

	ffac_call(c, regs);
	while (ffac_w0(regs) == FFA_INTERRUPT || ffac_w0(regs) == FFA_YIELD) {
		uint32_t target = (uint32_t)regs->x[1];

		if (runs >= FFAC_MAX_RESUMES) {
			if (resumes)
				*resumes = runs;
			return FFA_RET_INTERRUPTED;
		}
		ffac_regs_for(regs, FFA_RUN);
		regs->x[1] = target;
		ffac_call(c, regs);
		runs++;
	}
	if (resumes)
		*resumes = runs;
	return FFA_RET_OK;
}

/* The final answer: the expected response from `dst` to us, or an error. */
static int32_t ffac_check_resp(const struct ffac *c, const struct ffamed_regs *regs,
			       uint32_t resp_fid, uint16_t dst)
{
	if (ffa_is_error(regs))
		return ffac_error_of(regs);
	if (ffac_w0(regs) != resp_fid)
		return FFAC_RET_BAD_REPLY;
	if (FFA_SENDER((uint32_t)regs->x[1]) != dst || FFA_RECEIVER((uint32_t)regs->x[1]) != c->id)
		return FFAC_RET_BAD_REPLY;
	return FFA_RET_OK;
}

int32_t ffac_direct_req(struct ffac *c, uint16_t dst, bool is64, const uint64_t args[5],
			uint64_t out[5], uint32_t *resumes)
{
	uint64_t mask = is64 ? UINT64_MAX : UINT32_MAX;
	struct ffamed_regs regs;
	int32_t ret;

	if (resumes)
		*resumes = 0;
	ffac_regs_for(&regs, is64 ? FFA_MSG_SEND_DIRECT_REQ_64 : FFA_MSG_SEND_DIRECT_REQ_32);
	regs.x[1] = FFA_SENDER_RECEIVER(c->id, dst);
	/* x2 (flags) stays 0: a partition message. */
	for (int i = 0; i < FFAC_REQ_WORDS; i++)
		regs.x[FFAC_REQ_PAYLOAD + i] = args ? args[i] & mask : 0;

	ret = ffac_send_and_run(c, &regs, resumes);
	if (ret != FFA_RET_OK)
		return ret;
	ret = ffac_check_resp(
		c, &regs, is64 ? FFA_MSG_SEND_DIRECT_RESP_64 : FFA_MSG_SEND_DIRECT_RESP_32, dst);
	if (ret != FFA_RET_OK)
		return ret;
	/* A framework response to a partition message is not an answer. */
	if (regs.x[2] & FFA_MSG_FLAG_FRAMEWORK)
		return FFAC_RET_BAD_REPLY;
	if (out)
		for (int i = 0; i < FFAC_REQ_WORDS; i++)
			out[i] = regs.x[FFAC_REQ_PAYLOAD + i] & mask;
	return FFA_RET_OK;
}

int32_t ffac_direct_req2(struct ffac *c, uint16_t dst, const struct ffa_uuid *uuid,
			 const uint64_t args[14], uint64_t out[14], uint32_t *resumes)
{
	struct ffamed_regs regs;
	int32_t ret;

	if (resumes)
		*resumes = 0;
	ffac_regs_for(&regs, FFA_MSG_SEND_DIRECT_REQ2);
	regs.x[1] = FFA_SENDER_RECEIVER(c->id, dst);
	if (uuid) {
		regs.x[2] = ffa_uuid_x(uuid, 0);
		regs.x[3] = ffa_uuid_x(uuid, 1);
	}
	for (int i = 0; i < FFAC_REQ2_WORDS; i++)
		regs.x[FFAC_REQ2_PAYLOAD + i] = args ? args[i] : 0;

	ret = ffac_send_and_run(c, &regs, resumes);
	if (ret != FFA_RET_OK)
		return ret;
	ret = ffac_check_resp(c, &regs, FFA_MSG_SEND_DIRECT_RESP2, dst);
	if (ret != FFA_RET_OK)
		return ret;
	if (out)
		for (int i = 0; i < FFAC_REQ2_WORDS; i++)
			out[i] = regs.x[FFAC_REQ2_PAYLOAD + i];
	return FFA_RET_OK;
}
