/* SPDX-License-Identifier: MIT */
/*
 * GICv3 at EL2. The guest drives the distributor and redistributors itself
 * (they are in its stage 2) and talks to the virtual CPU interface through
 * its ICC_*_EL1 accesses (HCR_EL2.IMO/FMO). Physical interrupts are routed
 * to EL2 and forwarded into the list registers:
 *   - PPIs and SPIs (timer, UART...): priority drop only (EOImode=1) and a
 *     hardware-linked list register, so the guest's EOI deactivates them;
 *   - SGIs: completed here and forwarded as purely virtual SGIs, except
 *     GIC_KICK_SGI which is ours (another CPU queued something for us);
 *   - the guest's ICC_SGI1R_EL1 writes trap and are replayed physically.
 * Virtual interrupts wait in a small per-CPU queue when the four list
 * registers are full, and are moved into the list registers each time this
 * CPU leaves EL2. inject() from another CPU queues and kicks.
 */
#include "el2.h"
#include "el2_cost.h"

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

struct virq_queue {
	struct el2_lock lock; /* guards the fields below */
	uint32_t head, count;
	uint64_t lr[QUEUE_LEN]; /* list register values waiting for a free LR */
};

static struct virq_queue queues[EL2_MAX_CPUS];
static uint32_t nr_lrs;

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

void gic_init_this_cpu(void)
{
	uint32_t cpu = el2_cpu();

	el2_lock_init(&queues[cpu].lock);
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
			if (intid != GIC_KICK_SGI)
				queue_lr(el2_cpu(), LR_STATE_PENDING | LR_GROUP1 | LR_PRIO | intid);
			continue;
		}
		cost_irq(intid < 32 ? COST_IRQ_PPI : COST_IRQ_SPI);
		queue_lr(el2_cpu(), LR_STATE_PENDING | LR_HW | LR_GROUP1 | LR_PRIO |
					    ((uint64_t)intid << LR_PINTID_SHIFT) | intid);
	}
}

void gic_guest_sgi1r(uint64_t value)
{
	/* vCPU i is physical CPU i with the same MPIDR: replay it as is. */
	dsb(ishst);
	write_sysreg(s3_0_c12_c11_5, value);
	isb();
}
