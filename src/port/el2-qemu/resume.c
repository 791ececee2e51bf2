/* SPDX-License-Identifier: MIT */
/*
 * Blocked FF-A calls (FFA_MSG_WAIT, a direct request to a VM): one resume
 * slot per physical CPU, i.e. per vCPU, since vCPUs are pinned. The vCPU's
 * CPU arms its slot before it calls the mediator; the mediator's
 * vcpu_resume, on any CPU and under mediator locks (possibly before
 * ffamed_handle_call() returned BLOCKED), only stores the reply and kicks
 * that CPU; the CPU, waiting in EL2 (ffa.c), takes the reply and returns
 * to its guest with it.
 */
#include <stdatomic.h>

#include "el2.h"

enum { SLOT_IDLE, SLOT_IN_CALL, SLOT_READY };

struct resume_slot {
	_Atomic uint32_t state;
	struct ffamed_regs reply; /* written in IN_CALL, read in READY */
};

static struct resume_slot slots[EL2_MAX_CPUS];

void resume_arm(uint32_t cpu)
{
	atomic_store(&slots[cpu].state, SLOT_IN_CALL);
}

void resume_disarm(uint32_t cpu)
{
	atomic_store(&slots[cpu].state, SLOT_IDLE);
}

bool resume_deliver(uint32_t cpu, const struct ffamed_regs *regs)
{
	struct resume_slot *s = &slots[cpu];

	if (cpu >= EL2_MAX_CPUS || atomic_load(&s->state) != SLOT_IN_CALL)
		return false;
	s->reply = *regs;
	atomic_store_explicit(&s->state, SLOT_READY, memory_order_release);
	if (cpu != el2_cpu())
		gic_kick(cpu);
	return true;
}

bool resume_take(uint32_t cpu, struct ffamed_regs *regs)
{
	struct resume_slot *s = &slots[cpu];

	if (atomic_load_explicit(&s->state, memory_order_acquire) != SLOT_READY)
		return false;
	*regs = s->reply;
	atomic_store(&s->state, SLOT_IDLE);
	return true;
}
