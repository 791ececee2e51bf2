/* SPDX-License-Identifier: MIT */
/*
 * What the EL2 port lets a guest do with the GIC registers it traps: a
 * pure decision per access, kept apart from the MMIO so that host tests
 * check it (tests/el2). gic.c applies it.
 */
#ifndef GIC_FILTER_H
#define GIC_FILTER_H

#include <stdbool.h>
#include <stdint.h>

/* Which 64 KiB frame the access falls in. */
enum gic_frame {
	GIC_FRAME_DIST, /* GICD */
	GIC_FRAME_RD,	/* a redistributor's RD_base frame */
	GIC_FRAME_SGI,	/* a redistributor's SGI_base frame */
};

/* Register offsets (in their frames) the filter knows. */
#define GICD_CTLR	  0x0000
#define GICD_CTLR_RWP	  (1u << 31)
#define GICD_CTLR_GRP1	  (1u << 1) /* EnableGrp1 (EnableGrp1A in the NS view) */
#define GICD_CTLR_ARE	  (1u << 4) /* ARE (ARE_NS in the NS view) */
#define GICR_WAKER	  0x0014
#define GICR_WAKER_SLEEP  (1u << 1) /* ProcessorSleep */
#define GICR_WAKER_ASLEEP (1u << 2) /* ChildrenAsleep */
#define GICR_TYPER	  0x0008
#define GICR_TYPER_LAST	  (1ull << 4)
#define GICR_IGROUPR0	  0x0080
#define GICR_ISENABLER0	  0x0100
#define GICR_ICENABLER0	  0x0180
#define GICR_ISPENDR0	  0x0200
#define GICR_ICPENDR0	  0x0280
#define GICR_ISACTIVER0	  0x0300
#define GICR_ICACTIVER0	  0x0380
#define GICR_IPRIORITYR	  0x0400 /* one byte per INTID */
#define GICR_IGRPMODR0	  0x0d00

/* Distributor registers with a field per INTID. */
#define GICD_IGROUPR	0x0080
#define GICD_ISENABLER	0x0100
#define GICD_ICENABLER	0x0180
#define GICD_ISPENDR	0x0200
#define GICD_ICPENDR	0x0280
#define GICD_ISACTIVER	0x0300
#define GICD_ICACTIVER	0x0380
#define GICD_IPRIORITYR 0x0400 /* one byte per INTID */
#define GICD_ITARGETSR	0x0800 /* one byte per INTID (RAZ/WI with affinity routing) */
#define GICD_ICFGR	0x0c00 /* two bits per INTID */
#define GICD_IGRPMODR	0x0d00
#define GICD_IROUTER	0x6000 /* eight bytes per INTID, from INTID 32 */
#define GIC_MAX_INTIDS	1024

struct gic_filter {
	bool ignore;	   /* not performed: reads as 0, writes dropped */
	bool read_only;	   /* reads performed, writes dropped */
	uint64_t lanes;	   /* bits the guest neither sees nor changes */
	bool keep;	   /* on writes, `lanes` take the register's value (else 0) */
	uint64_t set_bits; /* set in every write */
	uint64_t clr_bits; /* cleared in every write */
};

/* The rule for an access of `size` bytes at `reg` in `frame`, with
 * `reserved` the SGIs (bit n = SGI n) the guest may not touch. */
void gic_filter_decide(enum gic_frame frame, uint64_t reg, uint32_t size, uint32_t reserved,
		       struct gic_filter *f);
/* The rule for a distributor access by a guest that owns the INTIDs set in
 * `owned` (bit n % 32 of owned[n / 32]; SPIs only, the distributor has no
 * SGI or PPI with affinity routing) and, if `global`, the distributor's own
 * registers (GICD_CTLR and the rest): the fields of INTIDs it does not own
 * read as 0 and keep their value; a global register is read-only to a
 * guest that does not own the distributor. */
void gic_filter_decide_dist(uint64_t reg, uint32_t size, const uint32_t owned[GIC_MAX_INTIDS / 32],
			    bool global, struct gic_filter *f);
/* The value to write, from the guest's and the register's current one
 * (read only when gic_filter_needs_current()). */
bool gic_filter_needs_current(const struct gic_filter *f);
uint64_t gic_filter_write(const struct gic_filter *f, uint64_t guest, uint64_t current);
/* What the guest reads, from the register's value. */
uint64_t gic_filter_read(const struct gic_filter *f, uint64_t value);

#endif /* GIC_FILTER_H */
