/* SPDX-License-Identifier: MIT */
/*
 * Base service: the SP cache (med_sp_cache.c).
 */
#ifndef FFAMED_MED_SP_CACHE_H
#define FFAMED_MED_SP_CACHE_H

#include "med_internal.h"

/* One cached SP descriptor, normalised and naturally aligned. */
struct med_sp {
	uint16_t id;
	uint16_t exec_ctx_count;
	uint32_t properties;  /* as the SPMC reported them */
	struct ffa_uuid uuid; /* Nil from a v1.0 SPMC */
};

int32_t med_sp_cache_init(struct ffamed *med);
void med_sp_cache_fini(struct ffamed *med);
/* The first cache entry with this ID (any UUID), or NULL. */
const struct med_sp *med_sp_find(const struct ffamed *med, uint16_t id);
bool med_sp_has_uuid(const struct ffamed *med, uint16_t id, const struct ffa_uuid *uuid);
/* Union of the properties of every cache entry of SP `id` (one per UUID). */
uint32_t med_sp_props(const struct ffamed *med, uint16_t id);

#endif /* FFAMED_MED_SP_CACHE_H */
