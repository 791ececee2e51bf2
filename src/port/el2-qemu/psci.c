/* SPDX-License-Identifier: MIT */
/*
 * The guest's SMCCC and PSCI calls. PSCI is served below EL2: by QEMU when
 * it boots the port directly, by TF-A (EL3) under real firmware; both are
 * reached with an SMC from EL2. QEMU's PSCI says SMCCC v1.0, with which
 * Linux's FF-A driver gives up; so the SMCCC discovery is answered here
 * (v1.2, nothing optional) whatever is below. CPU_ON is intercepted: the
 * firmware would start the secondary at EL2 in the guest's code, so it is
 * started at our entry instead, which then enters the guest at EL1.
 * Everything else PSCI is forwarded. The CPU count does not come from PSCI
 * (TF-A answers AFFINITY_INFO for cores QEMU does not have): see
 * gic_probe().
 */
#include "el2.h"

#define SMCCC_VERSION		0x80000000u
#define SMCCC_ARCH_FEATURES	0x80000001u
#define SMCCC_VERSION_1_2	0x10002u
#define SMCCC_NOT_SUPPORTED	(~0ull) /* -1, as a 64-bit value */
#define PSCI_FID_MIN		0x84000000u
#define PSCI_FID_MAX		0x8400001Fu
#define PSCI_64			0x40000000u
#define PSCI_CPU_OFF		0x84000002u
#define PSCI_CPU_ON		0x84000003u
#define PSCI_AFFINITY_INFO	0x84000004u
#define PSCI_SYSTEM_OFF		0x84000008u
#define PSCI_SYSTEM_RESET	0x84000009u
#define PSCI_FEATURES		0x8400000Au
#define PSCI_INVALID_PARAMETERS (-2ll)
#define PSCI_ALREADY_ON		(-4ll)

struct boot_slot {
	uint64_t entry;
	uint64_t context;
};
/* Where each secondary vCPU enters the guest; written before its CPU_ON. */
static struct boot_slot boot_slots[EL2_MAX_CPUS];

static uint64_t forward(uint64_t fid, uint64_t a1, uint64_t a2, uint64_t a3)
{
	uint64_t r[8] = {fid, a1, a2, a3};

	el2_smc(r);
	return r[0];
}

/* Starts physical CPU `cpu` at our entry; it then enters a guest at EL1
 * at `entry` with x0 = `context`. */
int64_t psci_start_cpu(uint32_t cpu, uint64_t entry, uint64_t context)
{
	boot_slots[cpu].entry = entry;
	boot_slots[cpu].context = context;
	dsb(ish);
	/* QEMU virt: CPU n has MPIDR affinity Aff0 = n (below 16 CPUs). */
	return (int64_t)forward(PSCI_CPU_ON | PSCI_64, cpu, (uintptr_t)el2_secondary_entry, cpu);
}

/* The guest names a vCPU by its affinity (Aff0 = vCPU index). */
static int32_t vcpu_to_cpu(uint64_t mpidr, uint32_t *cpu)
{
	struct el2_vm *vm = vm_of_cpu(el2_cpu());
	uint64_t v = mpidr & 0xff;

	if (!vm || (mpidr & ~0xffull) || v >= vm->vcpu_count)
		return -1;
	*cpu = vm->first_cpu + (uint32_t)v;
	return 0;
}

static uint64_t cpu_on(uint64_t mpidr, uint64_t entry, uint64_t context)
{
	uint32_t cpu;

	if (vcpu_to_cpu(mpidr, &cpu) || cpu >= EL2_MAX_CPUS)
		return (uint64_t)PSCI_INVALID_PARAMETERS;
	if (el2_vcpu_online(cpu))
		return (uint64_t)PSCI_ALREADY_ON;
	return (uint64_t)psci_start_cpu(cpu, entry, context);
}

void psci_secondary_target(uint32_t cpu, uint64_t *entry, uint64_t *context)
{
	*entry = boot_slots[cpu].entry;
	*context = boot_slots[cpu].context;
}

void psci_forward(struct el2_frame *f)
{
	f->x[0] = forward(f->x[0], f->x[1], f->x[2], f->x[3]);
}

enum psci_result psci_handle(struct el2_frame *f)
{
	uint32_t fid = (uint32_t)f->x[0];
	uint32_t base = fid & ~PSCI_64;

	switch (fid) {
	case SMCCC_VERSION:
		f->x[0] = SMCCC_VERSION_1_2;
		return PSCI_RESULT_DONE;
	case SMCCC_ARCH_FEATURES: /* no workaround or SoC ID is offered */
		f->x[0] = SMCCC_NOT_SUPPORTED;
		return PSCI_RESULT_DONE;
	default:
		break;
	}
	if (base < PSCI_FID_MIN || base > PSCI_FID_MAX)
		return PSCI_RESULT_NOT_PSCI;
	switch (base) {
	case PSCI_CPU_ON:
		f->x[0] = cpu_on(f->x[1], f->x[2], f->x[3]);
		break;
	case PSCI_CPU_OFF:
		/* The mediator must hear of it first: no NPI for a vCPU that is
		 * going away. */
		return PSCI_RESULT_CPU_OFF;
	case PSCI_AFFINITY_INFO: {
		uint32_t cpu;
		if (vcpu_to_cpu(f->x[1], &cpu))
			f->x[0] = (uint64_t)PSCI_INVALID_PARAMETERS;
		else
			f->x[0] = forward(fid, cpu, f->x[2], f->x[3]);
		break;
	}
	case PSCI_FEATURES:
		if ((uint32_t)f->x[1] == SMCCC_VERSION)
			f->x[0] = 0;
		else
			f->x[0] = forward(fid, f->x[1], f->x[2], f->x[3]);
		break;
	case PSCI_SYSTEM_OFF:
	case PSCI_SYSTEM_RESET:
		return PSCI_RESULT_SYSTEM_OFF; /* after the report */
	default:
		f->x[0] = forward(fid, f->x[1], f->x[2], f->x[3]);
		break;
	}
	return PSCI_RESULT_DONE;
}
