/* SPDX-License-Identifier: MIT */
/*
 * The guests: one struct el2_vm each, from the boot configuration, and
 * which one runs on each physical CPU (vCPU i of a VM on CPU first_cpu + i,
 * for the machine's whole life). A table the rest of the port reads; it
 * calls nothing.
 */
#include "el2.h"

static struct el2_vm vms[BOOT_CFG_MAX_VMS];
static uint32_t nvms;
static struct el2_vm *cpu_vm[EL2_MAX_CPUS];

void vm_table_init(const struct boot_cfg *cfg)
{
	nvms = cfg->vm_count;
	for (uint32_t i = 0; i < nvms; i++) {
		const struct boot_cfg_vm *c = &cfg->vms[i];
		struct el2_vm *vm = &vms[i];

		vm->index = i;
		vm->ffa_id = c->ffa_id;
		vm->vcpu_count = c->vcpu_count;
		vm->first_cpu = c->first_cpu;
		vm->ram_base = c->ram_base;
		vm->ram_size = c->ram_size;
		/* One guest keeps the real UART. With several, each one's is
		 * emulated, so that the port prints whole lines under its
		 * console lock and no guest splits another's lines. */
		vm->emulated_uart = nvms > 1;
		/* And every SPI (its devices'): the others have none. */
		if (i == 0) {
			for (uint32_t w = 1; w < 32; w++)
				vm->spis[w] = ~0u;
			vm->spis[31] &= ~0xf0000000u; /* 1020..1023 are special */
		}
		for (uint32_t v = 0; v < c->vcpu_count; v++)
			cpu_vm[c->first_cpu + v] = vm;
	}
}

uint32_t vm_count(void)
{
	return nvms;
}

struct el2_vm *vm_at(uint32_t index)
{
	return index < nvms ? &vms[index] : NULL;
}

struct el2_vm *vm_of_cpu(uint32_t cpu)
{
	return cpu < EL2_MAX_CPUS ? cpu_vm[cpu] : NULL;
}

bool vm_owns_ram(const struct el2_vm *vm, uint64_t ipa, uint64_t len)
{
	return ipa >= vm->ram_base && len <= vm->ram_size &&
	       ipa - vm->ram_base <= vm->ram_size - len;
}
