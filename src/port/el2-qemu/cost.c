/* SPDX-License-Identifier: MIT */
/*
 * The EL2 port's cost counters (el2_cost.h): per-CPU counts and CNTPCT tick
 * sums, added up and printed at power-off as "ffamed-el2: cost:" lines, which
 * scripts/optee-xtest.sh shows next to the guest's wall time.
 */
#include "el2.h"
#include "el2_cost.h"

enum ffa_class { FFA_C_DIRECT, FFA_C_SHARE, FFA_C_RECLAIM, FFA_C_NOTIF, FFA_C_OTHER, FFA_C_N };

struct cost_cpu {
	uint64_t traps[COST_TRAP_KINDS];
	uint64_t trap_ticks[COST_TRAP_KINDS];
	uint64_t irqs[COST_IRQ_KINDS];
	uint64_t fw_ticks;
	uint64_t ffa[FFA_C_N];
	uint64_t ffa_ticks[FFA_C_N]; /* mediator, port glue and firmware */
	uint64_t ffa_fw_ticks[FFA_C_N];
	uint64_t trace_ticks;
	uint64_t sgi_write_ticks;
} __attribute__((aligned(64)));

static struct cost_cpu cost[EL2_MAX_CPUS];

static struct cost_cpu *this_cpu(void)
{
	return &cost[el2_cpu() % EL2_MAX_CPUS];
}

void cost_trap(enum el2_cost_trap kind, uint64_t t0)
{
	struct cost_cpu *c = this_cpu();

	c->traps[kind]++;
	c->trap_ticks[kind] += cost_now() - t0;
}

void cost_irq(enum el2_cost_irq kind)
{
	this_cpu()->irqs[kind]++;
}

void cost_sgi_write(uint64_t t0)
{
	this_cpu()->sgi_write_ticks += cost_now() - t0;
}

uint64_t cost_fw_ticks(void)
{
	return this_cpu()->fw_ticks;
}

void cost_fw(uint64_t t0)
{
	this_cpu()->fw_ticks += cost_now() - t0;
}

static enum ffa_class classify(uint32_t fid)
{
	switch (fid) {
	case FFA_MSG_SEND_DIRECT_REQ_32:
	case FFA_MSG_SEND_DIRECT_REQ_64:
	case FFA_MSG_SEND_DIRECT_REQ2:
	case FFA_RUN:
		return FFA_C_DIRECT;
	case FFA_MEM_SHARE_32:
	case FFA_MEM_SHARE_64:
	case FFA_MEM_LEND_32:
	case FFA_MEM_LEND_64:
	case FFA_MEM_FRAG_TX:
		return FFA_C_SHARE;
	case FFA_MEM_RECLAIM:
		return FFA_C_RECLAIM;
	case FFA_NOTIFICATION_GET:
	case FFA_NOTIFICATION_INFO_GET_64:
	case FFA_NOTIFICATION_INFO_GET_32:
		return FFA_C_NOTIF;
	default:
		return FFA_C_OTHER;
	}
}

void cost_ffa(uint32_t fid, uint64_t mediator_and_fw, uint64_t fw, uint64_t trace)
{
	struct cost_cpu *c = this_cpu();
	enum ffa_class k = classify(fid);

	c->ffa[k]++;
	c->ffa_ticks[k] += mediator_and_fw;
	c->ffa_fw_ticks[k] += fw;
	c->trace_ticks += trace;
}

static uint64_t frq;

static uint64_t ms(uint64_t ticks)
{
	return frq ? ticks * 1000 / frq : 0;
}

static uint64_t us_each(uint64_t ticks, uint64_t n)
{
	return frq && n ? ticks * 1000000 / frq / n : 0;
}

void cost_report(void)
{
	static const char *const trap_names[COST_TRAP_KINDS] = {"ffa", "smccc", "sgi1r",
								"irq", "gic",	"other"};
	static const char *const ffa_names[FFA_C_N] = {"direct", "share", "reclaim", "notif",
						       "other"};
	struct cost_cpu s = {0};
	uint64_t traps = 0, ticks = 0;

	frq = read_sysreg(cntfrq_el0);
	for (uint32_t cpu = 0; cpu < EL2_MAX_CPUS; cpu++) {
		const struct cost_cpu *c = &cost[cpu];
		for (int k = 0; k < COST_TRAP_KINDS; k++) {
			s.traps[k] += c->traps[k];
			s.trap_ticks[k] += c->trap_ticks[k];
		}
		for (int k = 0; k < COST_IRQ_KINDS; k++)
			s.irqs[k] += c->irqs[k];
		for (int k = 0; k < FFA_C_N; k++) {
			s.ffa[k] += c->ffa[k];
			s.ffa_ticks[k] += c->ffa_ticks[k];
			s.ffa_fw_ticks[k] += c->ffa_fw_ticks[k];
		}
		s.trace_ticks += c->trace_ticks;
		s.sgi_write_ticks += c->sgi_write_ticks;
	}
	for (int k = 0; k < COST_TRAP_KINDS; k++) {
		traps += s.traps[k];
		ticks += s.trap_ticks[k];
	}
	el2_printf("ffamed-el2: cost: %lu ms since power-on; %lu traps, %lu ms in EL2 handlers "
		   "(all CPUs)\n",
		   (unsigned long)ms(cost_now()), (unsigned long)traps, (unsigned long)ms(ticks));
	for (int k = 0; k < COST_TRAP_KINDS; k++)
		el2_printf("ffamed-el2: cost: trap %-5s n=%lu %lu ms (%lu us each)\n",
			   trap_names[k], (unsigned long)s.traps[k],
			   (unsigned long)ms(s.trap_ticks[k]),
			   (unsigned long)us_each(s.trap_ticks[k], s.traps[k]));
	for (int k = 0; k < FFA_C_N; k++)
		el2_printf("ffamed-el2: cost: ffa %-7s n=%lu firmware %lu ms (%lu us each), "
			   "mediator+port %lu ms (%lu us each)\n",
			   ffa_names[k], (unsigned long)s.ffa[k],
			   (unsigned long)ms(s.ffa_fw_ticks[k]),
			   (unsigned long)us_each(s.ffa_fw_ticks[k], s.ffa[k]),
			   (unsigned long)ms(s.ffa_ticks[k] - s.ffa_fw_ticks[k]),
			   (unsigned long)us_each(s.ffa_ticks[k] - s.ffa_fw_ticks[k], s.ffa[k]));
	el2_printf("ffamed-el2: cost: sgi1r: the SGI writes themselves %lu ms\n",
		   (unsigned long)ms(s.sgi_write_ticks));
	el2_printf("ffamed-el2: cost: trace lines %lu ms; irq sgi=%lu kick=%lu ppi=%lu spi=%lu\n",
		   (unsigned long)ms(s.trace_ticks), (unsigned long)s.irqs[COST_IRQ_SGI],
		   (unsigned long)s.irqs[COST_IRQ_KICK], (unsigned long)s.irqs[COST_IRQ_PPI],
		   (unsigned long)s.irqs[COST_IRQ_SPI]);
}
