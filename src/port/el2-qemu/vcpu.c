/* SPDX-License-Identifier: MIT */
/*
 * Which vCPUs run: set by main.c when a CPU enters the guest or leaves it
 * through PSCI CPU_OFF, read by psci.c (CPU_ON of a running CPU) and by
 * the mediator's vcpu_is_online (ffa.c).
 */
#include <stdatomic.h>

#include "el2.h"

static _Atomic bool online[EL2_MAX_CPUS];

bool el2_vcpu_online(uint32_t cpu)
{
	return cpu < EL2_MAX_CPUS && atomic_load(&online[cpu]);
}

void el2_vcpu_set_online(uint32_t cpu, bool on)
{
	if (cpu < EL2_MAX_CPUS)
		atomic_store(&online[cpu], on);
}
