/* SPDX-License-Identifier: MIT */
/*
 * Translation tables.
 *   EL2 stage 1 (TTBR0_EL2, 39-bit VA, 4K granule, starts at level 1):
 *     0 .. 1 GiB      identity, Device-nGnRnE, execute-never (MMIO)
 *     1 .. 2 GiB      identity, Normal write-back, inner shareable (RAM): the
 *                     locks and atomics of the mediator need cacheable memory
 *     WINDOW_VA       a 2 MiB window of 4K pages for map_pages() of pages
 *                     that are not contiguous
 *   A stage 2 per guest (VTTBR_EL2, 32-bit IPA, starts at level 1, VMID =
 *   the guest's index + 1), identity:
 *     0 .. 1 GiB      Device in 2 MiB blocks (the guest drives the UART...
 *                     itself), except the GIC distributor and
 *                     redistributors (a 4K-page table shared by all guests)
 *                     and, for a guest whose PL011 is emulated, the UART's
 *                     page: left unmapped, so that each access faults to
 *                     EL2 (gic.c, vuart.c)
 *     its RAM         Normal write-back, in 2 MiB blocks
 *   Other guests' RAM and the hypervisor's are not in it: a guest access
 *   there faults to EL2.
 * The tables are built once by the boot CPU; every CPU then loads its
 * guest's.
 */
#include "el2.h"

#define PTE_VALID     (1ull << 0)
#define PTE_TABLE     (3ull << 0)
#define PTE_BLOCK     (1ull << 0)
#define PTE_PAGE      (3ull << 0)
#define PTE_AF	      (1ull << 10)
#define PTE_SH_INNER  (3ull << 8)
#define PTE_AP_RW_EL2 (1ull << 6) /* AP[1]: RES1 at EL2 */
#define PTE_XN	      (1ull << 54)
#define PTE_ATTR(i)   ((uint64_t)(i) << 2)
#define ATTR_DEVICE   0 /* MAIR attr0: Device-nGnRnE */
#define ATTR_NORMAL   1 /* MAIR attr1: Normal, inner/outer WB RW-allocate */
#define MAIR_VALUE    (0x00ull | (0xffull << 8))

#define S2_MEMATTR_DEVICE (0x1ull << 2) /* Device-nGnRE */
#define S2_MEMATTR_NORMAL (0xfull << 2) /* Normal WB inner and outer */
#define S2_AP_RW	  (3ull << 6)

#define GIB	     (1ull << 30)
#define MIB2	     (1ull << 21)
#define WINDOW_VA    (256ull * GIB)
#define WINDOW_PAGES 512
#define GIC_BLOCK    (GICD_BASE & ~(MIB2 - 1))
_Static_assert(GICR_BASE + EL2_MAX_CPUS * GICR_STRIDE <= GIC_BLOCK + MIB2,
	       "the GIC frames the guest may not map directly share one 2 MiB block");

/* TCR_EL2: T0SZ=25 (39 bits), IRGN0/ORGN0 WB-WA, SH0 inner, 4K, PS 40 bits. */
#define TCR_VALUE                                                                                  \
	((1ull << 31) | (1ull << 23) | (2ull << 16) | (3ull << 12) | (1ull << 10) | (1ull << 8) |  \
	 25ull)
/* VTCR_EL2: T0SZ=32 (4 GiB IPA), SL0=1 (level 1), WB-WA, inner, 4K, PS 40. */
#define VTCR_VALUE                                                                                 \
	((1ull << 31) | (2ull << 16) | (3ull << 12) | (1ull << 10) | (1ull << 8) | (1ull << 6) |   \
	 32ull)
/* SCTLR_EL2: RES1 bits, M, C, I (no alignment checks: packed descriptors). */
#define SCTLR_VALUE (0x30C50830ull | (1ull << 0) | (1ull << 2) | (1ull << 12))

static uint64_t s1_l1[512] __attribute__((aligned(4096)));
static uint64_t s1_win_l2[512] __attribute__((aligned(4096)));
static uint64_t s1_win_l3[WINDOW_PAGES] __attribute__((aligned(4096)));
static uint64_t s2_gic_l3[512] __attribute__((aligned(4096)));
struct s2_tables {
	uint64_t l1[512];
	uint64_t mmio_l2[512];
	uint64_t uart_l3[512];
	uint64_t ram_l2[512];
};
static struct s2_tables s2[BOOT_CFG_MAX_VMS] __attribute__((aligned(4096)));
#define UART_BLOCK (UART_BASE & ~(MIB2 - 1))

static struct el2_lock window_lock; /* guards s1_win_l3 */

void mmu_build(void)
{
	s1_l1[0] = 0 | PTE_BLOCK | PTE_AF | PTE_AP_RW_EL2 | PTE_XN | PTE_ATTR(ATTR_DEVICE);
	s1_l1[1] = GIB | PTE_BLOCK | PTE_AF | PTE_AP_RW_EL2 | PTE_SH_INNER | PTE_ATTR(ATTR_NORMAL);
	s1_l1[WINDOW_VA / GIB] = (uintptr_t)s1_win_l2 | PTE_TABLE;
	s1_win_l2[0] = (uintptr_t)s1_win_l3 | PTE_TABLE;

	for (uint64_t a = GIC_BLOCK; a < GIC_BLOCK + MIB2; a += 4096) {
		bool trapped = (a >= GICD_BASE && a < GICD_BASE + GICD_SIZE) ||
			       (a >= GICR_BASE && a < GICR_BASE + EL2_MAX_CPUS * GICR_STRIDE);
		s2_gic_l3[(a - GIC_BLOCK) / 4096] =
			trapped ? 0 : a | PTE_PAGE | PTE_AF | S2_AP_RW | PTE_XN | S2_MEMATTR_DEVICE;
	}
	el2_lock_init(&window_lock);
	dsb(sy);
}

uint64_t mmu_build_stage2(uint32_t index, uint64_t ram_base, uint64_t ram_size, bool trap_uart)
{
	struct s2_tables *t = &s2[index];

	t->l1[0] = (uintptr_t)t->mmio_l2 | PTE_TABLE;
	for (uint64_t a = 0; a < GIB; a += MIB2)
		t->mmio_l2[a / MIB2] =
			a | PTE_BLOCK | PTE_AF | S2_AP_RW | PTE_XN | S2_MEMATTR_DEVICE;
	t->mmio_l2[GIC_BLOCK / MIB2] = (uintptr_t)s2_gic_l3 | PTE_TABLE;
	if (trap_uart) {
		for (uint64_t a = UART_BLOCK; a < UART_BLOCK + MIB2; a += 4096)
			t->uart_l3[(a - UART_BLOCK) / 4096] =
				a == UART_BASE ? 0
					       : a | PTE_PAGE | PTE_AF | S2_AP_RW | PTE_XN |
							 S2_MEMATTR_DEVICE;
		t->mmio_l2[UART_BLOCK / MIB2] = (uintptr_t)t->uart_l3 | PTE_TABLE;
	}
	t->l1[1] = (uintptr_t)t->ram_l2 | PTE_TABLE;
	for (uint64_t a = ram_base; a < ram_base + ram_size; a += MIB2)
		t->ram_l2[(a - GIB) / MIB2] =
			a | PTE_BLOCK | PTE_AF | S2_AP_RW | PTE_SH_INNER | S2_MEMATTR_NORMAL;
	dsb(sy);
	return (uintptr_t)t->l1 | ((uint64_t)(index + 1) << 48);
}

void mmu_load_stage2(uint64_t vttbr)
{
	write_sysreg(vttbr_el2, vttbr);
	isb();
	__asm__ volatile("tlbi alle1\n\tdsb sy" ::: "memory");
	isb();
}

void mmu_enable_this_cpu(void)
{
	write_sysreg(mair_el2, MAIR_VALUE);
	write_sysreg(tcr_el2, TCR_VALUE);
	write_sysreg(ttbr0_el2, (uintptr_t)s1_l1);
	write_sysreg(vtcr_el2, VTCR_VALUE);
	isb();
	__asm__ volatile("tlbi alle2\n\ttlbi alle1\n\tdsb sy" ::: "memory");
	isb();
	write_sysreg(sctlr_el2, SCTLR_VALUE);
	isb();
}

void *mmu_map_window(const uint64_t *pa, size_t npages)
{
	size_t first = WINDOW_PAGES;

	if (npages == 0 || npages > WINDOW_PAGES)
		return NULL;
	el2_lock(&window_lock);
	for (size_t i = 0; i + npages <= WINDOW_PAGES; i++) {
		size_t n = 0;
		while (n < npages && !(s1_win_l3[i + n] & PTE_VALID))
			n++;
		if (n == npages) {
			first = i;
			break;
		}
		i += n;
	}
	if (first < WINDOW_PAGES)
		for (size_t n = 0; n < npages; n++)
			s1_win_l3[first + n] = (pa[n] & ~0xfffull) | PTE_PAGE | PTE_AF |
					       PTE_AP_RW_EL2 | PTE_SH_INNER | PTE_XN |
					       PTE_ATTR(ATTR_NORMAL);
	el2_unlock(&window_lock);
	if (first == WINDOW_PAGES)
		return NULL;
	dsb(ishst);
	isb();
	return (void *)(uintptr_t)(WINDOW_VA + first * 4096ull);
}

void mmu_unmap_window(void *va, size_t npages)
{
	size_t first = ((uintptr_t)va - WINDOW_VA) / 4096ull;

	if ((uintptr_t)va < WINDOW_VA || first + npages > WINDOW_PAGES)
		el2_panic("unmap_pages: %p is not in the window", va);
	el2_lock(&window_lock);
	for (size_t n = 0; n < npages; n++) {
		s1_win_l3[first + n] = 0;
		dsb(ishst);
		__asm__ volatile(
			"tlbi vae2is, %0" ::"r"((WINDOW_VA + (first + n) * 4096ull) >> 12));
	}
	dsb(ish);
	isb();
	el2_unlock(&window_lock);
}
