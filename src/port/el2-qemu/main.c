/* SPDX-License-Identifier: MIT */
/*
 * Boot and traps of the EL2 port. The boot CPU reads the boot
 * configuration (or makes the one-guest default), builds the tables,
 * starts the mediator and the SPMC, creates every guest's VM, starts the
 * first CPU of every other guest and enters the first guest at EL1 (x0 =
 * its DTB). The other CPUs come through PSCI CPU_ON (a guest's, psci.c, or
 * ours for a guest's first CPU), set up their EL2 and enter their guest
 * where asked. Every exception from a guest lands in el2_handle_exception().
 */
#include <stdatomic.h>

#include "el2.h"
#include "el2_cost.h"

#define HCR_VM	  (1ull << 0)
#define HCR_SWIO  (1ull << 1)
#define HCR_FMO	  (1ull << 3)
#define HCR_IMO	  (1ull << 4)
#define HCR_TSC	  (1ull << 19)
#define HCR_RW	  (1ull << 31)
#define HCR_VALUE (HCR_VM | HCR_SWIO | HCR_FMO | HCR_IMO | HCR_TSC | HCR_RW)

#define SCTLR_EL1_RESET 0x30D00800ull /* RES1 bits, MMU and caches off */
#define CPTR_EL2_VALUE	0x33FFull     /* RES1 bits only: no FP/SIMD trap */
#define CNTHCTL_EL1PCEN 0x3ull	      /* EL1 may use the physical counter/timer */

#define EC_HVC64   0x16
#define EC_SMC64   0x17
#define EC_SYSREG  0x18
#define EC_DABT_LO 0x24
#define EC_IABT_LO 0x20

uint8_t el2_stacks[EL2_MAX_CPUS << EL2_STACK_SHIFT] __attribute__((aligned(16)));
static uint32_t ncpus;
static struct boot_cfg boot_cfg;
static _Atomic uint32_t vms_running;
static size_t heap_at_boot;

/* A vCPU stops: the mediator first, so that it sends it nothing more. */
static void vcpu_offline(uint32_t cpu)
{
	el2_vcpu_set_online(cpu, false);
	ffa_vcpu_offline(cpu);
}

static uint64_t stack_top(uint32_t cpu)
{
	return (uintptr_t)el2_stacks + ((uint64_t)(cpu + 1) << EL2_STACK_SHIFT);
}

/* What EL2 sets before any vCPU runs on this CPU. */
static void el2_setup_this_cpu(const struct el2_vm *vm)
{
	mmu_load_stage2(vm->vttbr);
	write_sysreg(vbar_el2, (uintptr_t)el2_vectors);
	write_sysreg(hcr_el2, HCR_VALUE);
	write_sysreg(cptr_el2, CPTR_EL2_VALUE);
	write_sysreg(hstr_el2, 0);
	write_sysreg(mdcr_el2, (read_sysreg(pmcr_el0) >> 11) & 0x1f); /* HPMN = all counters */
	write_sysreg(cnthctl_el2, CNTHCTL_EL1PCEN);
	write_sysreg(cntvoff_el2, 0);
	write_sysreg(vpidr_el2, read_sysreg(midr_el1));
	/* vCPU i of its guest: Aff0 = i (Aff3..Aff1 are 0 on this machine). */
	write_sysreg(vmpidr_el2, (read_sysreg(mpidr_el1) & ~0xffull) | (el2_cpu() - vm->first_cpu));
	write_sysreg(sctlr_el1, SCTLR_EL1_RESET);
	isb();
	gic_init_this_cpu();
}

/* The boot configuration QEMU loaded, or one guest with every CPU and the
 * whole guest RAM. */
static void read_boot_config(void)
{
	const char *text = (const char *)(uintptr_t)BOOT_CONFIG_ADDR;
	struct boot_cfg_limits lim = {ncpus, GUEST_RAM_BASE, GUEST_RAM_END};
	struct boot_cfg_status st;

	if (!text[0]) {
		boot_cfg.vm_count = 1;
		boot_cfg.vms[0].ffa_id = 1;
		boot_cfg.vms[0].vcpu_count = (uint16_t)ncpus;
		boot_cfg.vms[0].ram_base = GUEST_RAM_BASE;
		boot_cfg.vms[0].ram_size = GUEST_RAM_END - GUEST_RAM_BASE;
		return;
	}
	if (!boot_cfg_parse(text, BOOT_CONFIG_SIZE, &lim, &boot_cfg, &st))
		el2_panic("boot configuration, line %u: %s", (unsigned)st.line,
			  boot_cfg_error_text(st.error));
	/* The first guest runs on the boot CPU, with the DTB QEMU gave. */
	if (boot_cfg.vms[0].first_cpu != 0 || boot_cfg.vms[0].ram_base != GUEST_RAM_BASE)
		el2_panic("boot configuration: the first vm must start at CPU 0 and RAM %lx",
			  (unsigned long)GUEST_RAM_BASE);
	el2_printf("ffamed-el2: boot configuration: %u guest(s), vm_to_vm %s\n",
		   (unsigned)boot_cfg.vm_count, boot_cfg.vm_to_vm ? "on" : "off");
}

/* Every guest's stage 2 and mediator VM, before any of them runs. */
static void create_vms(void)
{
	static struct ffamed_peer_rights peers[BOOT_CFG_MAX_RULES];

	vm_table_init(&boot_cfg);
	for (uint32_t i = 0; i < vm_count(); i++) {
		struct el2_vm *vm = vm_at(i);
		struct ffamed_vm_policy policy;

		el2_lock_init(&vm->uart.lock);
		vm->vttbr = mmu_build_stage2(i, vm->ram_base, vm->ram_size, vm->emulated_uart);
		boot_cfg_policy(&boot_cfg, i, peers, &policy);
		ffa_vm_create(vm, &policy, boot_cfg.vms[i].has_uuid ? boot_cfg.vms[i].uuid : NULL);
		atomic_fetch_add(&vms_running, 1);
		el2_printf("ffamed-el2: VM %u: CPUs %u-%u, RAM %lx..%lx, console %s\n",
			   (unsigned)vm->ffa_id, (unsigned)vm->first_cpu,
			   (unsigned)(vm->first_cpu + vm->vcpu_count - 1),
			   (unsigned long)vm->ram_base,
			   (unsigned long)(vm->ram_base + vm->ram_size),
			   vm->emulated_uart ? "emulated PL011" : "the PL011");
	}
}

void el2_boot_primary(void)
{
	struct el2_vm *first;

	el2_printf("\nffamed-el2: EL2 port for QEMU virt, booting\n");
	mmu_build();
	mmu_enable_this_cpu();
	heap_init();
	heap_at_boot = heap_in_use();
	ncpus = gic_probe();
	read_boot_config();
	ffa_init(ncpus, boot_cfg.vm_to_vm);
	create_vms();
	first = vm_at(0);
	el2_setup_this_cpu(first);
	el2_printf("ffamed-el2: %u CPU(s); MMU on; guest RAM %lx..%lx; stage 2 on\n",
		   (unsigned)ncpus, (unsigned long)first->ram_base,
		   (unsigned long)(first->ram_base + first->ram_size));
	el2_vcpu_set_online(0, true);
	for (uint32_t i = 1; i < vm_count(); i++) {
		struct el2_vm *vm = vm_at(i);
		int64_t ret = psci_start_cpu(vm->first_cpu, vm->ram_base + VM_KERNEL_OFFSET,
					     vm->ram_base);
		if (ret)
			el2_panic("VM %u: CPU %u did not start (PSCI %ld)", (unsigned)vm->ffa_id,
				  (unsigned)vm->first_cpu, (long)ret);
	}
	el2_printf("ffamed-el2: entering Linux at %lx (EL1), DTB at %lx\n",
		   (unsigned long)GUEST_KERNEL, (unsigned long)GUEST_DTB);
	el2_enter_guest(GUEST_KERNEL, GUEST_DTB, stack_top(0));
}

void el2_boot_secondary(uint64_t cpu)
{
	uint64_t entry, context;
	struct el2_vm *vm = vm_of_cpu((uint32_t)cpu);

	mmu_enable_this_cpu();
	if (!vm)
		el2_panic("CPU %u started but no guest runs on it", (unsigned)cpu);
	el2_setup_this_cpu(vm);
	psci_secondary_target((uint32_t)cpu, &entry, &context);
	el2_vcpu_set_online((uint32_t)cpu, true);
	ffa_vcpu_online((uint32_t)cpu);
	gic_flush_this_cpu();
	el2_enter_guest(entry, context, stack_top((uint32_t)cpu));
}

static void machine_report(void)
{
	ffa_report();
	gic_report();
	fw_report();
	cost_report();
}

/*
 * A guest's SYSTEM_OFF. One guest: the report, then the machine goes off.
 * Several: this guest's VM is destroyed (Linux stopped its other vCPUs
 * first) and this CPU parks; the last guest's destroys the mediator and the
 * software SPMC too, checks that the heap is back where it was at boot (so
 * that nothing a VM or a call took was kept), and takes the machine off.
 */
static void guest_system_off(struct el2_frame *f)
{
	struct el2_vm *vm = vm_of_cpu(el2_cpu());
	size_t left;

	if (vm_count() == 1) {
		machine_report();
		psci_forward(f);
		return;
	}
	if (atomic_exchange(&vm->off, true))
		return;
	vuart_flush(vm);
	left = heap_in_use();
	ffa_vm_destroy(vm);
	el2_printf("ffamed-el2: VM %u powered off, destroyed (heap in use %lu -> %lu bytes)\n",
		   (unsigned)vm->ffa_id, (unsigned long)left, (unsigned long)heap_in_use());
	if (atomic_fetch_sub(&vms_running, 1) != 1) {
		for (;;)
			__asm__ volatile("wfe");
	}
	ffa_fini();
	left = heap_in_use();
	el2_printf("ffamed-el2: teardown of every VM, the mediator and the SPMC: heap %s "
		   "(%lu bytes in use, %lu at boot)\n",
		   left == heap_at_boot ? "clean" : "LEAKED", (unsigned long)left,
		   (unsigned long)heap_at_boot);
	machine_report();
	psci_forward(f);
}

static void handle_sysreg(struct el2_frame *f, uint64_t esr)
{
	uint32_t iss = (uint32_t)(esr & 0x1ffffff);
	uint32_t op0 = (iss >> 20) & 3, op2 = (iss >> 17) & 7, op1 = (iss >> 14) & 7;
	uint32_t crn = (iss >> 10) & 15, rt = (iss >> 5) & 31, crm = (iss >> 1) & 15;
	bool read = iss & 1;
	uint64_t v = rt == 31 ? 0 : f->x[rt];

	/* ICC_SGI1R_EL1 (3, 0, c12, c11, 5) traps because of IMO/FMO. */
	if (!read && op0 == 3 && op1 == 0 && crn == 12 && crm == 11 && op2 == 5) {
		gic_guest_sgi1r(v);
		return;
	}
	/* ICC_ASGI1R_EL1 (op2 6) and ICC_SGI0R_EL1 (op2 7): SGIs for the other
	 * security state or Group 0, which are not the guest's: ignored, so
	 * that it cannot raise the firmware's SRI through them either. */
	if (!read && op0 == 3 && op1 == 0 && crn == 12 && crm == 11 && (op2 == 6 || op2 == 7))
		return;
	el2_panic("CPU %u: unexpected system register trap op0 %u op1 %u CRn %u CRm %u op2 %u %s",
		  (unsigned)el2_cpu(), op0, op1, crn, crm, op2, read ? "read" : "write");
}

/*
 * A guest access stage 2 does not map: the GIC registers gic.c filters are
 * emulated here (one load or store with a valid syndrome); anything else
 * is fatal.
 */
static void handle_guest_abort(struct el2_frame *f, uint64_t esr, uint32_t ec)
{
	uint64_t ipa = ((read_sysreg(hpfar_el2) & 0xFFFFFFFFFF0ull) << 8) |
		       (read_sysreg(far_el2) & 0xfffull);
	uint32_t iss = (uint32_t)(esr & 0x1ffffff);
	bool isv = (iss >> 24) & 1, sse = (iss >> 21) & 1, sf = (iss >> 15) & 1;
	bool write = (iss >> 6) & 1;
	uint32_t size = 1u << ((iss >> 22) & 3), rt = (iss >> 16) & 31;
	uint64_t mask = size == 8 ? ~0ull : (1ull << (size * 8)) - 1;
	uint64_t v = write && rt != 31 ? f->x[rt] & mask : 0;

	struct el2_vm *vm = vm_of_cpu(el2_cpu());

	if (ec == EC_DABT_LO && isv && vm &&
	    (gic_mmio(vm, ipa, size, write, &v) || vuart_mmio(vm, ipa, size, write, &v))) {
		if (!write && rt != 31) {
			if (sse && size < 8 && (v >> (size * 8 - 1)) & 1)
				v |= ~mask;
			f->x[rt] = sf ? v : v & 0xffffffffull;
		}
		f->elr += 4;
		return;
	}
	el2_panic("CPU %u: guest stage-2 fault at IPA %lx (FAR %lx, ELR %lx, ESR %lx)",
		  (unsigned)el2_cpu(), (unsigned long)ipa, (unsigned long)read_sysreg(far_el2),
		  (unsigned long)f->elr, (unsigned long)esr);
}

/* Returns what kind of trap it was, for the cost counters. */
static enum el2_cost_trap handle_guest_sync(struct el2_frame *f)
{
	uint64_t esr = read_sysreg(esr_el2);
	uint32_t ec = (uint32_t)(esr >> 26) & 0x3f;

	switch (ec) {
	case EC_SMC64:
		f->elr += 4; /* ELR points at the SMC itself */
		switch (psci_handle(f)) {
		case PSCI_RESULT_DONE:
			return COST_TRAP_SMCCC;
		case PSCI_RESULT_CPU_OFF:
			vcpu_offline(el2_cpu());
			psci_forward(f);
			return COST_TRAP_SMCCC;
		case PSCI_RESULT_SYSTEM_OFF:
			guest_system_off(f);
			return COST_TRAP_SMCCC;
		case PSCI_RESULT_NOT_PSCI:
			break;
		}
		if (FFA_FID_IS_FFA((uint32_t)f->x[0])) {
			ffa_handle_smc(f);
			return COST_TRAP_FFA;
		}
		f->x[0] = ~0ull; /* SMCCC NOT_SUPPORTED */
		return COST_TRAP_SMCCC;
	case EC_HVC64:
		f->x[0] = ~0ull; /* nothing is offered through HVC */
		return COST_TRAP_OTHER;
	case EC_SYSREG:
		handle_sysreg(f, esr);
		f->elr += 4;
		return COST_TRAP_SGI1R;
	case EC_DABT_LO:
	case EC_IABT_LO:
		handle_guest_abort(f, esr, ec);
		return COST_TRAP_GIC_MMIO;
	default:
		el2_panic("CPU %u: unexpected trap EC %x ESR %lx ELR %lx", (unsigned)el2_cpu(),
			  (unsigned)ec, (unsigned long)esr, (unsigned long)f->elr);
	}
}

void el2_handle_exception(struct el2_frame *f, uint64_t kind)
{
	uint64_t t0 = cost_now();
	enum el2_cost_trap trap = COST_TRAP_IRQ;

	switch (kind) {
	case EL2_EXC_GUEST_SYNC:
		trap = handle_guest_sync(f);
		break;
	case EL2_EXC_GUEST_IRQ:
	case EL2_EXC_GUEST_FIQ:
		gic_handle_irq();
		break;
	case EL2_EXC_GUEST_SERROR:
		el2_panic("CPU %u: SError from the guest, ESR %lx", (unsigned)el2_cpu(),
			  (unsigned long)read_sysreg(esr_el2));
	default:
		el2_panic("CPU %u: exception %u in EL2: ESR %lx ELR %lx FAR %lx",
			  (unsigned)el2_cpu(), (unsigned)kind, (unsigned long)read_sysreg(esr_el2),
			  (unsigned long)f->elr, (unsigned long)read_sysreg(far_el2));
	}
	ffa_run_deferred();
	gic_flush_this_cpu();
	cost_trap(trap, t0);
}
