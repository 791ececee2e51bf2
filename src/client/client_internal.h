/* SPDX-License-Identifier: MIT */
/*
 * Shared by the client library's files: issuing one call and turning the
 * answer into a status. Freestanding like the rest of the client.
 *
 * The library keeps no locks: a guest's vCPUs share one RX buffer, so the
 * guest serialises its own RX users (partition discovery) as Linux does.
 */
#ifndef FFAMED_CLIENT_INTERNAL_H
#define FFAMED_CLIENT_INTERNAL_H

#include <stdint.h>

#include "ffamed/client.h"
#include "ffamed/ffa_regs.h"

/*
 * An answer the client cannot use (an unexpected function ID, a malformed
 * descriptor list) is reported as ABORTED: the callee did not complete the
 * request in a form the caller understands.
 */
#define FFAC_RET_BAD_REPLY FFA_RET_ABORTED

/* SMCCC "unknown function": what a hypervisor without FF-A answers. */
#define FFAC_SMCCC_UNKNOWN 0xFFFFFFFFu

/* Bounds on loops driven by the callee's answers. */
#define FFAC_MAX_VERSION_ASKS 4
#define FFAC_MAX_RESUMES      1000
#define FFAC_MAX_REGS_RETRIES 8

static inline void ffac_call(struct ffac *c, struct ffamed_regs *regs)
{
	c->call(c->call_ctx, regs);
}

static inline uint32_t ffac_w0(const struct ffamed_regs *regs)
{
	return (uint32_t)regs->x[0];
}

/* The error code of an FFA_ERROR answer; a non-negative code is malformed. */
static inline int32_t ffac_error_of(const struct ffamed_regs *regs)
{
	int32_t err = ffa_error_code(regs);

	return err < 0 ? err : FFAC_RET_BAD_REPLY;
}

/* OK for FFA_SUCCESS_32/64, the code for FFA_ERROR, NOT_SUPPORTED for an
 * SMCCC unknown-function answer, BAD_REPLY for anything else. */
static inline int32_t ffac_status(const struct ffamed_regs *regs)
{
	if (ffa_is_success(regs))
		return FFA_RET_OK;
	if (ffa_is_error(regs))
		return ffac_error_of(regs);
	if (ffac_w0(regs) == FFAC_SMCCC_UNKNOWN)
		return FFA_RET_NOT_SUPPORTED;
	return FFAC_RET_BAD_REPLY;
}

/* Registers for a call with function ID `fid`, everything else zero. */
static inline void ffac_regs_for(struct ffamed_regs *regs, uint32_t fid)
{
	ffa_regs_clear(regs);
	regs->x[0] = fid;
}

#endif /* FFAMED_CLIENT_INTERNAL_H */
