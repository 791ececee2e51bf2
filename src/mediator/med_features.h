/* SPDX-License-Identifier: MIT */
/*
 * FFA_FEATURES, FFA_ID_GET, FFA_SPM_ID_GET and the served-FID table
 * (med_features.c).
 */
#ifndef FFAMED_MED_FEATURES_H
#define FFAMED_MED_FEATURES_H

#include "med_internal.h"

/* Whether the dispatcher serves `fid` to a guest at `version`; fills the
 * FFA_FEATURES properties when it does. The one source of truth for both. */
bool med_fid_served(const struct ffamed *med, uint32_t version, uint32_t fid, uint32_t *w2,
		    uint32_t *w3);
/* Fills med->served from med_fid_served(), once the firmware facts are known. */
void med_served_init(struct ffamed *med);
/* med_fid_served() without the properties, from the table: `fid` is an FF-A
 * function ID with the SVE hint masked, `version` a final guest version
 * (test_features checks that both agree for every FID and version). */
static inline bool med_fid_gate(const struct ffamed *med, uint32_t version, uint32_t fid)
{
	uint32_t minor = FFA_VERSION_MINOR(version);
	uint32_t idx = FFA_FNUM(fid) - FFA_FNUM_MIN;

	/* Negotiation keeps final versions within 1.0..FFAMED_FFA_VERSION. */
	_Static_assert(FFA_VERSION_MINOR(FFAMED_FFA_VERSION) < MED_SERVED_MINORS,
		       "table too small");
	if (FFA_VERSION_MAJOR(version) != 1 || minor >= MED_SERVED_MINORS)
		return false;
	return (med->served[minor][FFA_FID_IS_64(fid)][idx / 64] >> (idx % 64)) & 1;
}

#endif /* FFAMED_MED_FEATURES_H */
