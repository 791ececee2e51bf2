/* SPDX-License-Identifier: MIT */
/*
 * The firmware behind fw_call in the real-firmware image
 * (ffamed-el2-smc.elf): an SMCCC v1.2 SMC to EL3 (TF-A's SPMD, which relays
 * FF-A calls to the SPMC, e.g. OP-TEE at S-EL1), x0..x17 in and out.
 *
 * The SPMC tells the hypervisor that VMs have notifications pending with
 * its Schedule Receiver Interrupt, an SGI whose number FFA_FEATURES(SRI)
 * gives. gic.c keeps that SGI enabled and out of the guest's reach; a CPU
 * takes it at EL2 like any physical interrupt, and the mediator's
 * ffamed_handle_sri() runs when that CPU leaves EL2 (ffa_run_deferred), so
 * never inside a firmware call.
 */
#include "el2.h"

const char *const fw_name = "firmware at EL3 (SMC conduit)";

void fw_init(uint32_t ncpus)
{
	(void)ncpus; /* the secure world was booted before us, by TF-A */
}

void fw_call_here(struct ffamed_regs *regs)
{
	_Static_assert(FFAMED_NREGS == 18, "SMCCC v1.2: x0..x17");
	el2_smc_1_2(regs->x);
}

void fw_setup_sri(void)
{
	struct ffamed_regs r = {{FFA_FEATURES, FFA_FEATURE_SRI}};

	fw_call_here(&r);
	if ((uint32_t)r.x[0] != FFA_SUCCESS_32 || r.x[2] >= 16) {
		/* Without an SRI, SP notifications for VMs are never signalled. */
		el2_printf(
			"ffamed-el2: SRI: the firmware has none (FFA_FEATURES(SRI) -> %lx %lx)\n",
			(unsigned long)r.x[0], (unsigned long)r.x[2]);
		return;
	}
	gic_route_sri((uint32_t)r.x[2]);
	el2_printf("ffamed-el2: SRI: the firmware's is SGI %u, kept enabled and hidden from "
		   "the guest\n",
		   (unsigned)r.x[2]);
}

void fw_report(void)
{
}

void fw_fini(void)
{
	/* The secure world outlives us. */
}
