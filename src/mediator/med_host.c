/* SPDX-License-Identifier: MIT */
/*
 * Base service: the host's allocator and firmware conduit behind
 * thin wrappers, so that the rest of the mediator names no port op for them.
 * Calls nothing else in the mediator.
 */
#include "med_host.h"
#include "med_internal.h"

void *med_alloc(const struct ffamed *med, size_t size)
{
	return med->ops->alloc(med->host, size);
}

void med_free(const struct ffamed *med, void *ptr)
{
	if (ptr)
		med->ops->free(med->host, ptr);
}

void med_fw_call(const struct ffamed *med, struct ffamed_regs *regs)
{
	med->ops->fw_call(med->host, regs);
}

int32_t med_fw_simple(const struct ffamed *med, uint32_t fid, uint64_t a1, uint64_t a2, uint64_t a3,
		      uint64_t a4, uint64_t a5, struct ffamed_regs *out)
{
	struct ffamed_regs r;

	ffa_regs_clear(&r);
	r.x[0] = fid;
	r.x[1] = a1;
	r.x[2] = a2;
	r.x[3] = a3;
	r.x[4] = a4;
	r.x[5] = a5;
	med_fw_call(med, &r);
	if (out)
		*out = r;
	return ffa_result(&r);
}
