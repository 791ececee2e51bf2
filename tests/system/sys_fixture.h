/* SPDX-License-Identifier: MIT */
/* Helpers for the system tests: simulated systems and guests over them. */
#ifndef FFAMED_TEST_SYS_FIXTURE_H
#define FFAMED_TEST_SYS_FIXTURE_H

#include <stdbool.h>
#include <stdint.h>

#include "ffamed/ffa_regs.h"
#include "ffamed/sim.h"

/* One guest vCPU driven by the test through the client library. */
struct sys_guest {
	struct ffamed_sim_vm *vm;
	uint16_t vcpu;
	struct ffamed_sim_conduit conduit;
	struct ffac c;
};

/* A system with `vms` VMs of `vcpus` vCPUs (cpu_count 0: the sim's choice). */
struct ffamed_sim *sys_create(uint32_t vms, uint16_t vcpus, bool vm_to_vm, uint32_t cpu_count);
/* Shut down and assert that nothing leaked (the SP state stays readable). */
void sys_shutdown(struct ffamed_sim *sim);
/* sys_shutdown(), then free. */
void sys_finish(struct ffamed_sim *sim);

void sys_guest_init(struct sys_guest *g, struct ffamed_sim_vm *vm, uint16_t vcpu);
/* Negotiate `version`, ID_GET, and map the VM's RX/TX pair if `map` (or
 * adopt it, for a vCPU other than the one that mapped it). */
void sys_guest_up(struct sys_guest *g, uint32_t version, bool map);
/* A raw call through the guest's conduit. */
void sys_guest_raw(struct sys_guest *g, struct ffamed_regs *regs);

/* What a guest of `version` must see of an SP's properties. */
uint32_t sys_expected_props(uint32_t sp_props, uint32_t version);
/* Assert that parts[0..n) is exactly the system's SP list as `version` sees
 * it (UUIDs when `uuids`, nil otherwise). */
void sys_assert_sp_list(struct ffamed_sim *sim, const struct ffac_partition *parts, uint32_t n,
			uint32_t version, bool uuids);
/* The same, with property bits the mediator clears for this firmware. */
void sys_assert_sp_list_without(struct ffamed_sim *sim, const struct ffac_partition *parts,
				uint32_t n, uint32_t version, bool uuids, uint32_t cleared);

/* Echo request helpers: assert a good answer. */
void sys_echo(struct sys_guest *g, bool is64, uint64_t seed);
/* WHOAMI after `n` preemptions (cmd INTERRUPT or YIELD, or WHOAMI with 0). */
void sys_whoami(struct sys_guest *g, uint32_t cmd, uint32_t n, bool is64);

#endif /* FFAMED_TEST_SYS_FIXTURE_H */
