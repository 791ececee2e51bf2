/* SPDX-License-Identifier: MIT */
/*
 * Register-level helpers shared by the mediator, the software SPMC and the
 * guest client: building FFA_SUCCESS / FFA_ERROR replies and moving UUIDs
 * between registers and memory. Freestanding: <stdint.h>, <string.h> only.
 */
#ifndef FFAMED_FFA_REGS_H
#define FFAMED_FFA_REGS_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "ffamed/ffa.h"

#ifdef __cplusplus
extern "C" {
#endif

static inline void ffa_regs_clear(struct ffamed_regs *r)
{
	memset(r, 0, sizeof(*r));
}

/*
 * An FFA_ERROR reply. w2 is a 32-bit field: the code is zero-extended in x2,
 * as Hafnium and TF-A give it and as the FF-A ACS compares it. Readers take
 * it as int32 (ffa_error_code). Only FFA_VERSION answers a code in x0 as a
 * 64-bit -1 (med_version.c says why).
 */
static inline void ffa_set_error(struct ffamed_regs *r, int32_t err)
{
	ffa_regs_clear(r);
	r->x[0] = FFA_ERROR;
	r->x[2] = (uint32_t)err;
}

static inline void ffa_set_success32(struct ffamed_regs *r, uint32_t w1, uint32_t w2, uint32_t w3)
{
	ffa_regs_clear(r);
	r->x[0] = FFA_SUCCESS_32;
	r->x[1] = w1;
	r->x[2] = w2;
	r->x[3] = w3;
}

static inline bool ffa_is_error(const struct ffamed_regs *r)
{
	return (uint32_t)r->x[0] == FFA_ERROR;
}

static inline bool ffa_is_success(const struct ffamed_regs *r)
{
	return (uint32_t)r->x[0] == FFA_SUCCESS_32 || (uint32_t)r->x[0] == FFA_SUCCESS_64;
}

static inline int32_t ffa_error_code(const struct ffamed_regs *r)
{
	return (int32_t)(uint32_t)r->x[2];
}

/* FFA_OK for SUCCESS, the error code for ERROR, NOT_SUPPORTED otherwise. */
static inline int32_t ffa_result(const struct ffamed_regs *r)
{
	if (ffa_is_success(r))
		return FFA_RET_OK;
	if (ffa_is_error(r))
		return ffa_error_code(r);
	return FFA_RET_NOT_SUPPORTED;
}

/* The response that answers a direct request: same width, same kind. */
static inline uint32_t ffa_direct_resp_fid(uint32_t req_fid)
{
	switch (req_fid) {
	case FFA_MSG_SEND_DIRECT_REQ_32:
		return FFA_MSG_SEND_DIRECT_RESP_32;
	case FFA_MSG_SEND_DIRECT_REQ_64:
		return FFA_MSG_SEND_DIRECT_RESP_64;
	default:
		return FFA_MSG_SEND_DIRECT_RESP2;
	}
}

/* UUID in four 32-bit registers (PARTITION_INFO_GET w1..w4). */
static inline void ffa_uuid_from_w(struct ffa_uuid *u, uint32_t w1, uint32_t w2, uint32_t w3,
				   uint32_t w4)
{
	const uint32_t w[4] = {w1, w2, w3, w4};
	for (int i = 0; i < 4; i++)
		for (int j = 0; j < 4; j++)
			u->b[i * 4 + j] = (uint8_t)(w[i] >> (8 * j));
}

static inline uint32_t ffa_uuid_w(const struct ffa_uuid *u, int i)
{
	return (uint32_t)u->b[i * 4] | ((uint32_t)u->b[i * 4 + 1] << 8) |
	       ((uint32_t)u->b[i * 4 + 2] << 16) | ((uint32_t)u->b[i * 4 + 3] << 24);
}

/* UUID in two 64-bit registers (GET_REGS x1/x2, DIRECT_REQ2 x2/x3). */
static inline void ffa_uuid_from_x(struct ffa_uuid *u, uint64_t lo, uint64_t hi)
{
	for (int j = 0; j < 8; j++) {
		u->b[j] = (uint8_t)(lo >> (8 * j));
		u->b[8 + j] = (uint8_t)(hi >> (8 * j));
	}
}

static inline uint64_t ffa_uuid_x(const struct ffa_uuid *u, int half)
{
	uint64_t v = 0;
	for (int j = 7; j >= 0; j--)
		v = (v << 8) | u->b[half * 8 + j];
	return v;
}

static inline bool ffa_uuid_is_nil(const struct ffa_uuid *u)
{
	for (int i = 0; i < 16; i++)
		if (u->b[i])
			return false;
	return true;
}

static inline bool ffa_uuid_equal(const struct ffa_uuid *a, const struct ffa_uuid *b)
{
	return memcmp(a->b, b->b, sizeof(a->b)) == 0;
}

#ifdef __cplusplus
}
#endif

#endif /* FFAMED_FFA_REGS_H */
