/* SPDX-License-Identifier: MIT */
/*
 * A hypervisor's own FF-A header, as Linux (include/linux/arm_ffa.h) and Xen
 * (xen/arch/arm/tee/ffa_private.h) have one: the usual unprefixed names.
 * Written for this test; the values are the FF-A specification's.
 */
#ifndef HOST_FFA_H
#define HOST_FFA_H

#include <stdint.h>

#define FFA_SMC_32(n) (0x84000000u | (n))
#define FFA_SMC_64(n) (0xC4000000u | (n))

#define FFA_ERROR      FFA_SMC_32(0x60)
#define FFA_SUCCESS_32 FFA_SMC_32(0x61)
#define FFA_VERSION    FFA_SMC_32(0x63)
#define FFA_FEATURES   FFA_SMC_32(0x64)
#define FFA_ID_GET     FFA_SMC_32(0x69)
#define FFA_MEM_SHARE  FFA_SMC_64(0x73)

#define FFA_RET_OK		   0
#define FFA_RET_NOT_SUPPORTED	   -1
#define FFA_RET_INVALID_PARAMETERS -2

#define FFA_MAJOR_VERSION(v)   (((v) >> 16) & 0x7FFF)
#define FFA_MINOR_VERSION(v)   ((v)&0xFFFF)
#define FFA_PACK_VERSION(M, m) (((uint32_t)(M) << 16) | (uint32_t)(m))
#define FFA_VERSION_1_2	       FFA_PACK_VERSION(1, 2)

struct ffa_regs {
	uint64_t a0, a1, a2, a3, a4, a5, a6, a7;
};

static inline void ffa_set_error(struct ffa_regs *r, int32_t code)
{
	r->a0 = FFA_ERROR;
	r->a2 = (uint32_t)code;
}

static inline int ffa_is_error(const struct ffa_regs *r)
{
	return r->a0 == FFA_ERROR;
}

#endif /* HOST_FFA_H */
