/* SPDX-License-Identifier: MIT */
/*
 * The mediator over the software SPMC imitating a real SPMC: the partitions
 * each real firmware would have, as the fixture's SP set.
 *   OP-TEE (both builds): its own endpoint (FIX_SP_OPTEE, one context per
 *     CPU, v1.1), which takes VM_CREATED/DESTROYED when built for a
 *     hypervisor.
 *   TF-A's EL3 SPMC: an echo SP (indirect messages, notifications) and the
 *     VM_CREATED subscriber, v1.2, one context per CPU as it gives S-EL1 SPs.
 *   strict: the fixture's default set.
 */
#ifndef REAL_SPMC_H
#define REAL_SPMC_H

#include "med_fixture.h"

#define REAL_CPUS 4u

struct real_sps {
	struct ffamed_sp_config cfg[4];
	struct ffamed_sp_optee optee;
	struct ffamed_sp_echo echo;
	struct ffamed_sp_vmwatch vmwatch;
};

static inline void real_fix_opts(struct fix_opts *o, struct real_sps *s,
				 enum ffamed_spmc_personality p)
{
	o->personality = p;
	o->cpus = REAL_CPUS;
	switch (p) {
	case FFAMED_SPMC_OPTEE_NSVIRT:
	case FFAMED_SPMC_OPTEE_PLAIN:
		ffamed_sp_optee_config(&s->cfg[0], &s->optee, FIX_SP_OPTEE, REAL_CPUS);
		s->cfg[0].version = FFA_VERSION_1_1;
		if (p == FFAMED_SPMC_OPTEE_NSVIRT)
			s->cfg[0].properties |=
				FFA_PART_PROP_VM_CREATED | FFA_PART_PROP_VM_DESTROYED;
		o->sps = s->cfg;
		o->sp_count = 1;
		break;
	case FFAMED_SPMC_TFA_EL3:
		ffamed_sp_echo_config(&s->cfg[0], &s->echo, FIX_SP_ECHO, REAL_CPUS);
		ffamed_sp_vmwatch_config(&s->cfg[1], &s->vmwatch, FIX_SP_VMWATCH, REAL_CPUS);
		o->sps = s->cfg;
		o->sp_count = 2;
		break;
	default:
		o->sps = NULL; /* the default set */
		break;
	}
}

#endif /* REAL_SPMC_H */
