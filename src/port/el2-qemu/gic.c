/* SPDX-License-Identifier: MIT */
/*
 * GICv3 at EL2. The guest drives the distributor and redistributors itself,
 * through stage-2 faults that this file filters (the hypervisor's own SGIs
 * stay out of its reach: see "Reserved SGIs" below), and talks to the
 * virtual CPU interface through its ICC_*_EL1 accesses (HCR_EL2.IMO/FMO).
 * Physical interrupts are routed to EL2 and forwarded into the list
 * registers:
 *   - PPIs and SPIs (timer, UART...): priority drop only (EOImode=1) and a
 *     hardware-linked list register, so the guest's EOI deactivates them;
 *   - SGIs: completed here and forwarded as purely virtual SGIs, except
 *     GIC_KICK_SGI which is ours (another CPU queued something for us);
 *   - the guest's ICC_SGI1R_EL1 writes trap and are replayed physically.
 * Virtual interrupts wait in a small per-CPU queue when the four list
 * registers are full, and are moved into the list registers each time this
 * CPU leaves EL2. inject() from another CPU queues and kicks.
 */
#include <stdatomic.h>

#include "el2.h"
#include "el2_cost.h"
#include "gic_filter.h"

#define ICC_SRE_EL2_VALUE 0xfull /* SRE, DFB, DIB, Enable (EL1 may use SRE) */
#define ICC_CTLR_EOIMODE  (1ull << 1)
#define ICH_HCR_EN	  1ull
#define LR_STATE_PENDING  (1ull << 62)
#define LR_STATE_MASK	  (3ull << 62)
#define LR_HW		  (1ull << 61)
#define LR_GROUP1	  (1ull << 60)
#define LR_PRIO		  (0xa0ull << 48)
#define LR_PINTID_SHIFT	  32
#define LR_VINTID_MASK	  0xffffffffull
#define QUEUE_LEN	  32
#define SPURIOUS	  1020
#define NO_INTID	  1023

#define GICR_SGI_FRAME 0x10000
_Static_assert(sizeof(((struct el2_vm *)0)->spis) * 8 == GIC_MAX_INTIDS, "one bit per INTID");
#define RESERVED_SGI_PRIO 0xa0

struct virq_queue {
	struct el2_lock lock; /* guards the fields below */
	uint32_t head, count;
	uint64_t lr[QUEUE_LEN]; /* list register values waiting for a free LR */
};

static struct virq_queue queues[EL2_MAX_CPUS];
static uint32_t nr_lrs;
static uint32_t nr_redists; /* = CPUs: QEMU gives each CPU one, in order */
/* Physical SGIs that are the hypervisor's, not the guest's (bit n = SGI n). */
static _Atomic uint32_t reserved_sgis = 1u << GIC_KICK_SGI;
static _Atomic uint32_t sri_intid = NO_INTID;
/* For the power-off report: trapped guest accesses, and writes that tried
 * to change a reserved SGI (and were filtered). */
static _Atomic uint32_t mmio_traps, reserved_writes;

static volatile uint32_t *reg32(uint64_t pa)
{
	return (volatile uint32_t *)(uintptr_t)pa;
}

static uint64_t mmio_read(uint64_t pa, uint32_t size)
{
	switch (size) {
	case 1:
		return *(volatile uint8_t *)(uintptr_t)pa;
	case 2:
		return *(volatile uint16_t *)(uintptr_t)pa;
	case 4:
		return *reg32(pa);
	default:
		return *(volatile uint64_t *)(uintptr_t)pa;
	}
}

static void mmio_write(uint64_t pa, uint32_t size, uint64_t v)
{
	switch (size) {
	case 1:
		*(volatile uint8_t *)(uintptr_t)pa = (uint8_t)v;
		break;
	case 2:
		*(volatile uint16_t *)(uintptr_t)pa = (uint16_t)v;
		break;
	case 4:
		*reg32(pa) = (uint32_t)v;
		break;
	default:
		*(volatile uint64_t *)(uintptr_t)pa = v;
		break;
	}
}

static uint64_t redist(uint32_t cpu)
{
	return GICR_BASE + cpu * GICR_STRIDE;
}

static void dist_wait_rwp(void)
{
	for (uint32_t n = 0; n < 1000000 && (*reg32(GICD_BASE + GICD_CTLR) & GICD_CTLR_RWP); n++)
		;
}

/* Program SGI `intid` of CPU `cpu` for the hypervisor: Group 1 (RAZ/WI to
 * us when the firmware owns grouping: it made SGIs Non-secure Group 1),
 * a priority above the mask, enabled. Any CPU may program any
 * redistributor. */
static void arm_sgi(uint32_t cpu, uint32_t intid)
{
	uint64_t sgi = redist(cpu) + GICR_SGI_FRAME;

	*reg32(sgi + GICR_IGROUPR0) |= 1u << intid;
	*(volatile uint8_t *)(uintptr_t)(sgi + GICR_IPRIORITYR + intid) = RESERVED_SGI_PRIO;
	*reg32(sgi + GICR_ISENABLER0) = 1u << intid;
}

/*
 * The CPU count: one redistributor per CPU, the last one flagged in
 * GICR_TYPER. PSCI cannot say it: TF-A answers AFFINITY_INFO "OFF" for
 * every core its platform port knows, present or not.
 */
uint32_t gic_probe(void)
{
	uint32_t n = 0;

	while (n < EL2_MAX_CPUS) {
		uint64_t typer = *(volatile uint64_t *)(uintptr_t)(redist(n) + GICR_TYPER);
		n++;
		if (typer & GICR_TYPER_LAST)
			break;
	}
	nr_redists = n;
	/* Affinity routing and Group 1 on, as the guest will want them: the
	 * hypervisor's SGIs must flow before the guest sets up its GIC. */
	*reg32(GICD_BASE + GICD_CTLR) |= GICD_CTLR_ARE;
	dist_wait_rwp();
	*reg32(GICD_BASE + GICD_CTLR) |= GICD_CTLR_GRP1;
	dist_wait_rwp();
	for (uint32_t cpu = 0; cpu < nr_redists; cpu++)
		arm_sgi(cpu, GIC_KICK_SGI);
	return n;
}

void gic_route_sri(uint32_t intid)
{
	for (uint32_t cpu = 0; cpu < nr_redists; cpu++)
		arm_sgi(cpu, intid);
	atomic_fetch_or(&reserved_sgis, 1u << intid);
	atomic_store(&sri_intid, intid);
}

/* ---- Reserved SGIs ------------------------------------------------------------
 * The guest programs the real distributor and its redistributors, but the
 * pages holding them are left out of its stage 2 (mmu.c) and each access
 * comes here, to be performed under the rules of gic_filter.c: the
 * reserved SGIs (the kick SGI, the firmware's SRI) stay enabled, Group 1,
 * at their priority, and the distributor and redistributors stay on.
 * The guest's own SGIs with a reserved number are delivered virtually
 * (gic_guest_sgi1r). Linux's GIC driver disables every SGI it did not
 * request, which is why re-enabling at each exit would leave windows.
 *
 * Several guests: a guest sees the redistributors of its own vCPUs only,
 * vCPU i's at frame i (its physical CPU's, with GICR_TYPER saying vCPU i
 * and the last one flagged). Each SPI belongs to one guest (today every
 * one to the first, vm.c): a guest sees and changes only its own SPIs'
 * fields in the distributor (gic_filter_decide_dist), whose own registers
 * are the first guest's, read-only to the others.
 */
bool gic_mmio(struct el2_vm *vm, uint64_t ipa, uint32_t size, bool write, uint64_t *v)
{
	struct gic_filter f;
	enum gic_frame frame;
	uint64_t reg, pa = ipa;
	uint32_t vcpu = 0;

	if (ipa >= GICD_BASE && ipa < GICD_BASE + GICD_SIZE) {
		frame = GIC_FRAME_DIST;
		reg = ipa - GICD_BASE;
	} else if (ipa >= GICR_BASE && ipa < GICR_BASE + EL2_MAX_CPUS * GICR_STRIDE) {
		reg = (ipa - GICR_BASE) % GICR_STRIDE;
		frame = reg >= GICR_SGI_FRAME ? GIC_FRAME_SGI : GIC_FRAME_RD;
		reg %= GICR_SGI_FRAME;
		vcpu = (uint32_t)((ipa - GICR_BASE) / GICR_STRIDE);
		if (vcpu >= vm->vcpu_count || vm->first_cpu + vcpu >= nr_redists) {
			if (!write) /* no redistributor there */
				*v = 0;
			return true;
		}
		pa = redist(vm->first_cpu + vcpu) + (ipa - GICR_BASE) % GICR_STRIDE;
	} else {
		return false;
	}
	atomic_fetch_add(&mmio_traps, 1);
	if (frame == GIC_FRAME_RD && !write && (reg == GICR_TYPER || reg == GICR_TYPER + 4)) {
		/* Affinity [63:32] = vCPU i's (Aff0 = i), Processor_Number
		 * [23:8] = i, Last [4] on the guest's last vCPU. */
		uint64_t typer = *(volatile uint64_t *)(uintptr_t)(pa - (reg - GICR_TYPER));
		typer &= ~(0xffffffff00000000ull | (0xffffull << 8) | GICR_TYPER_LAST);
		typer |= ((uint64_t)vcpu << 32) | ((uint64_t)vcpu << 8);
		if (vcpu + 1 == vm->vcpu_count)
			typer |= GICR_TYPER_LAST;
		*v = reg == GICR_TYPER ? (size == 8 ? typer : typer & 0xffffffffull) : typer >> 32;
		return true;
	}
	if (frame == GIC_FRAME_DIST)
		gic_filter_decide_dist(reg, size, vm->spis, vm->index == 0, &f);
	else
		gic_filter_decide(frame, reg, size, atomic_load(&reserved_sgis), &f);
	if (write && frame != GIC_FRAME_DIST && (*v & f.lanes))
		atomic_fetch_add(&reserved_writes, 1);
	if (f.ignore || (f.read_only && write)) {
		if (!write)
			*v = 0;
		return true;
	}
	if (write)
		mmio_write(pa, size,
			   gic_filter_write(
				   &f, *v, gic_filter_needs_current(&f) ? mmio_read(pa, size) : 0));
	else
		*v = gic_filter_read(&f, mmio_read(pa, size));
	return true;
}

static uint64_t read_lr(uint32_t n)
{
	switch (n) {
	case 0:
		return read_sysreg(s3_4_c12_c12_0);
	case 1:
		return read_sysreg(s3_4_c12_c12_1);
	case 2:
		return read_sysreg(s3_4_c12_c12_2);
	default:
		return read_sysreg(s3_4_c12_c12_3);
	}
}

static void write_lr(uint32_t n, uint64_t v)
{
	switch (n) {
	case 0:
		write_sysreg(s3_4_c12_c12_0, v);
		break;
	case 1:
		write_sysreg(s3_4_c12_c12_1, v);
		break;
	case 2:
		write_sysreg(s3_4_c12_c12_2, v);
		break;
	default:
		write_sysreg(s3_4_c12_c12_3, v);
		break;
	}
}

void gic_report(void)
{
	el2_printf("ffamed-el2: GIC: %u guest distributor/redistributor accesses emulated, "
		   "%u writes to reserved SGIs filtered\n",
		   (unsigned)atomic_load(&mmio_traps), (unsigned)atomic_load(&reserved_writes));
}

void gic_init_this_cpu(void)
{
	uint32_t cpu = el2_cpu();

	el2_lock_init(&queues[cpu].lock);
	/* Wake this CPU's redistributor (the firmware may have; Linux would,
	 * but our SGIs must arrive before it runs). */
	if (cpu < nr_redists) {
		volatile uint32_t *waker = reg32(redist(cpu) + GICR_WAKER);
		*waker &= ~GICR_WAKER_SLEEP;
		for (uint32_t n = 0; n < 1000000 && (*waker & GICR_WAKER_ASLEEP); n++)
			;
	}
	write_sysreg(s3_4_c12_c9_5, ICC_SRE_EL2_VALUE); /* ICC_SRE_EL2 */
	isb();
	write_sysreg(s3_0_c12_c12_4, ICC_CTLR_EOIMODE); /* ICC_CTLR_EL1 */
	write_sysreg(s3_0_c4_c6_0, 0xff);		/* ICC_PMR_EL1 */
	write_sysreg(s3_0_c12_c12_7, 1);		/* ICC_IGRPEN1_EL1 */
	/* Our list-register code handles four at most; QEMU has four. */
	nr_lrs = (uint32_t)(read_sysreg(s3_4_c12_c11_1) & 0x1f) + 1; /* ICH_VTR_EL2 */
	if (nr_lrs > 4)
		nr_lrs = 4;
	for (uint32_t n = 0; n < nr_lrs; n++)
		write_lr(n, 0);
	write_sysreg(s3_4_c12_c11_7, 0);	  /* ICH_VMCR_EL2: the guest's */
	write_sysreg(s3_4_c12_c11_0, ICH_HCR_EN); /* ICH_HCR_EL2 */
	isb();
}

/* Put one LR value in a free list register, or merge it with the same vINTID. */
static bool lr_place(uint64_t v)
{
	uint64_t elrsr = read_sysreg(s3_4_c12_c11_5); /* ICH_ELRSR_EL2: 1 = free */
	int free_lr = -1;

	for (uint32_t n = 0; n < nr_lrs; n++) {
		if (elrsr & (1ull << n)) {
			if (free_lr < 0)
				free_lr = (int)n;
			continue;
		}
		uint64_t cur = read_lr(n);
		if ((cur & LR_VINTID_MASK) == (v & LR_VINTID_MASK) && !(cur & LR_HW) &&
		    !(v & LR_HW)) {
			/* Pending already, or active: make it pending (again). */
			write_lr(n, cur | LR_STATE_PENDING);
			return true;
		}
	}
	if (free_lr < 0)
		return false;
	write_lr((uint32_t)free_lr, v);
	return true;
}

void gic_flush_this_cpu(void)
{
	struct virq_queue *q = &queues[el2_cpu()];

	el2_lock(&q->lock);
	while (q->count && lr_place(q->lr[q->head])) {
		q->head = (q->head + 1) % QUEUE_LEN;
		q->count--;
	}
	el2_unlock(&q->lock);
	isb();
}

static void queue_lr(uint32_t cpu, uint64_t v)
{
	struct virq_queue *q = &queues[cpu];

	el2_lock(&q->lock);
	if (q->count < QUEUE_LEN) {
		q->lr[(q->head + q->count) % QUEUE_LEN] = v;
		q->count++;
	} else {
		el2_printf("ffamed-el2: vIRQ queue of CPU %u full, dropped INTID %u\n",
			   (unsigned)cpu, (unsigned)(v & LR_VINTID_MASK));
	}
	el2_unlock(&q->lock);
}

static void send_sgi(uint32_t cpu, uint32_t intid)
{
	/* ICC_SGI1R_EL1: Aff1 [23:16], INTID [27:24], target list [15:0]. */
	uint64_t v = ((uint64_t)intid << 24) | (1ull << (cpu & 15)) | ((uint64_t)(cpu >> 4) << 16);

	dsb(ishst);
	write_sysreg(s3_0_c12_c11_5, v);
	isb();
}

void gic_kick(uint32_t cpu)
{
	send_sgi(cpu, GIC_KICK_SGI);
}

bool gic_guest_irq_queued(void)
{
	struct virq_queue *q = &queues[el2_cpu()];
	bool queued;

	el2_lock(&q->lock);
	queued = q->count != 0;
	el2_unlock(&q->lock);
	return queued;
}

void gic_inject(uint32_t cpu, uint32_t intid)
{
	uint64_t v = LR_STATE_PENDING | LR_GROUP1 | LR_PRIO | intid;

	queue_lr(cpu, v);
	if (cpu == el2_cpu())
		return; /* placed when this CPU goes back to the guest */
	send_sgi(cpu, GIC_KICK_SGI);
}

void gic_handle_irq(void)
{
	for (;;) {
		uint64_t iar = read_sysreg(s3_0_c12_c12_0); /* ICC_IAR1_EL1 */
		uint32_t intid = (uint32_t)(iar & 0xffffff);

		if (intid >= SPURIOUS && intid < 1024)
			break;
		write_sysreg(s3_0_c12_c12_1, iar); /* ICC_EOIR1_EL1: priority drop */
		if (intid < 16) {
			write_sysreg(s3_0_c12_c11_1, iar); /* ICC_DIR_EL1: deactivate */
			cost_irq(intid == GIC_KICK_SGI ? COST_IRQ_KICK : COST_IRQ_SGI);
			if (intid == atomic_load(&sri_intid))
				sri_raise(); /* handled when this CPU leaves EL2 */
			else if (intid != GIC_KICK_SGI)
				queue_lr(el2_cpu(), LR_STATE_PENDING | LR_GROUP1 | LR_PRIO | intid);
			continue;
		}
		cost_irq(intid < 32 ? COST_IRQ_PPI : COST_IRQ_SPI);
		queue_lr(el2_cpu(), LR_STATE_PENDING | LR_HW | LR_GROUP1 | LR_PRIO |
					    ((uint64_t)intid << LR_PINTID_SHIFT) | intid);
	}
}

#define SGI1R_IRM (1ull << 40) /* all but self */

/*
 * A guest's SGI: its targets are its own vCPUs (vCPU i has affinity Aff0 =
 * i, Aff3..Aff1 0 on this machine), replayed physically on their CPUs
 * (below 16, so one target list); a number the hypervisor uses physically
 * stays virtual.
 */
void gic_guest_sgi1r(uint64_t value)
{
	uint32_t intid = (uint32_t)(value >> 24) & 0xf, self = el2_cpu();
	struct el2_vm *vm = vm_of_cpu(self);
	bool reserved = atomic_load(&reserved_sgis) & (1u << intid);
	uint64_t targets = 0;

	if (!vm)
		return;
	for (uint32_t v = 0; v < vm->vcpu_count; v++) {
		uint32_t cpu = vm->first_cpu + v;
		bool hit = (value & SGI1R_IRM) ? cpu != self
					       : ((value >> 16) & 0xff) == (v >> 4) &&
							 ((value >> 44) & 0xf) == 0 &&
							 (value & (1ull << (v & 15)));
		if (!hit || cpu >= nr_redists)
			continue;
		if (reserved)
			gic_inject(cpu, intid);
		else
			targets |= 1ull << cpu;
	}
	if (targets) {
		uint64_t t0 = cost_now();

		dsb(ishst);
		write_sysreg(s3_0_c12_c11_5, ((uint64_t)intid << 24) | targets);
		isb();
		cost_sgi_write(t0);
	}
}
