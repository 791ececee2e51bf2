/* SPDX-License-Identifier: MIT */
#ifndef EL2_COST_H
#define EL2_COST_H

#include <stdint.h>

/*
 * cost.c: where the EL2 port spends the guest's time. Traps are counted per
 * kind with the CNTPCT ticks spent handling them; FF-A calls are split into
 * the firmware's share (fw_call), the trace line and the rest (mediator and
 * port glue). Per-CPU slots, so nothing on the hot path is shared; the sums
 * are printed at power-off.
 */
enum el2_cost_trap {
	COST_TRAP_FFA,	    /* an FF-A SMC handed to the mediator */
	COST_TRAP_SMCCC,    /* PSCI and SMCCC discovery */
	COST_TRAP_SGI1R,    /* the guest sent an SGI (ICC_SGI1R_EL1 write) */
	COST_TRAP_IRQ,	    /* a physical interrupt taken at EL2 */
	COST_TRAP_GIC_MMIO, /* a guest GICD/GICR access, filtered */
	COST_TRAP_OTHER,
	COST_TRAP_KINDS
};

enum el2_cost_irq { COST_IRQ_SGI, COST_IRQ_KICK, COST_IRQ_PPI, COST_IRQ_SPI, COST_IRQ_KINDS };

static inline uint64_t cost_now(void)
{
	uint64_t v;

	__asm__ volatile("mrs %0, cntpct_el0" : "=r"(v));
	return v;
}

void cost_trap(enum el2_cost_trap kind, uint64_t t0);
void cost_irq(enum el2_cost_irq kind);
/* The SGI write that replays a guest's SGI: what a guest with no
 * hypervisor spends on the same SGI. */
void cost_sgi_write(uint64_t t0);
/* Ticks this CPU spent inside fw_call so far. */
uint64_t cost_fw_ticks(void);
void cost_fw(uint64_t t0);
/* One FF-A call: ticks from before the mediator to after it, of which fw
 * in the firmware, and the trace line after it. */
void cost_ffa(uint32_t fid, uint64_t mediator_and_fw, uint64_t fw, uint64_t trace);
void cost_report(void);

#endif /* EL2_COST_H */
