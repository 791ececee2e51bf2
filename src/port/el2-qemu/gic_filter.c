/* SPDX-License-Identifier: MIT */
/*
 * The rules of docs/REAL-FIRMWARE.md ("Keeping the SRI out of the guest's
 * reach"): everything passes through except what would let the guest mask,
 * disable, fake, clear or steal a reserved SGI.
 */
#include "gic_filter.h"

static bool sgi_bitmap(uint64_t reg, bool *keep)
{
	switch (reg) {
	case GICR_IGROUPR0:
	case GICR_IGRPMODR0:
		*keep = true; /* read-write: the reserved bits keep their value */
		return true;
	case GICR_ISENABLER0:
	case GICR_ICENABLER0:
	case GICR_ISPENDR0:
	case GICR_ICPENDR0:
	case GICR_ISACTIVER0:
	case GICR_ICACTIVER0:
		*keep = false; /* set/clear registers: a 0 bit changes nothing */
		return true;
	default:
		return false;
	}
}

void gic_filter_decide(enum gic_frame frame, uint64_t reg, uint32_t size, uint32_t reserved,
		       struct gic_filter *f)
{
	*f = (struct gic_filter){0};
	switch (frame) {
	case GIC_FRAME_DIST:
		if (reg == GICD_CTLR && size == 4)
			f->set_bits = GICD_CTLR_ARE | GICD_CTLR_GRP1;
		return;
	case GIC_FRAME_RD:
		if (reg == GICR_WAKER && size == 4)
			f->clr_bits = GICR_WAKER_SLEEP;
		return;
	case GIC_FRAME_SGI:
		break;
	}
	if (sgi_bitmap(reg & ~3ull, &f->keep)) {
		if (size != 4 || (reg & 3))
			f->ignore = true; /* only word accesses are defined */
		else
			f->lanes = reserved;
		return;
	}
	if (reg >= GICR_IPRIORITYR && reg < GICR_IPRIORITYR + 16) {
		f->keep = true;
		for (uint32_t i = 0; i < size; i++) {
			uint64_t intid = reg - GICR_IPRIORITYR + i;
			if (intid < 16 && (reserved & (1u << intid)))
				f->lanes |= 0xffull << (i * 8);
		}
	}
}

static bool owns(const uint32_t *owned, uint64_t intid)
{
	return intid >= 32 && intid < GIC_MAX_INTIDS && (owned[intid / 32] >> (intid % 32)) & 1;
}

/* One bit per INTID: which register, and whether it is read-write. */
static bool dist_bitmap(uint64_t reg, uint64_t *base, bool *keep)
{
	static const struct {
		uint64_t base;
		bool keep;
	} regs[] = {
		{GICD_IGROUPR, true},	 {GICD_ISENABLER, false}, {GICD_ICENABLER, false},
		{GICD_ISPENDR, false},	 {GICD_ICPENDR, false},	  {GICD_ISACTIVER, false},
		{GICD_ICACTIVER, false}, {GICD_IGRPMODR, true},
	};

	for (unsigned i = 0; i < sizeof(regs) / sizeof(regs[0]); i++) {
		if (reg >= regs[i].base && reg < regs[i].base + GIC_MAX_INTIDS / 8) {
			*base = regs[i].base;
			*keep = regs[i].keep;
			return true;
		}
	}
	return false;
}

void gic_filter_decide_dist(uint64_t reg, uint32_t size, const uint32_t owned[GIC_MAX_INTIDS / 32],
			    bool global, struct gic_filter *f)
{
	uint64_t base;

	*f = (struct gic_filter){0};
	if (dist_bitmap(reg, &base, &f->keep)) {
		if (size != 4 || (reg & 3)) {
			f->ignore = true; /* only word accesses are defined */
			return;
		}
		f->lanes = ~(uint64_t)owned[(reg - base) / 4] & 0xffffffffull;
		return;
	}
	if ((reg >= GICD_IPRIORITYR && reg < GICD_IPRIORITYR + GIC_MAX_INTIDS) ||
	    (reg >= GICD_ITARGETSR && reg < GICD_ITARGETSR + GIC_MAX_INTIDS)) {
		uint64_t first = reg - (reg >= GICD_ITARGETSR ? GICD_ITARGETSR : GICD_IPRIORITYR);
		f->keep = true;
		for (uint32_t i = 0; i < size; i++)
			if (!owns(owned, first + i))
				f->lanes |= 0xffull << (i * 8);
		return;
	}
	if (reg >= GICD_ICFGR && reg < GICD_ICFGR + GIC_MAX_INTIDS / 4) {
		if (size != 4 || (reg & 3)) {
			f->ignore = true;
			return;
		}
		f->keep = true;
		for (uint32_t i = 0; i < 16; i++)
			if (!owns(owned, (reg - GICD_ICFGR) * 4 + i))
				f->lanes |= 3ull << (i * 2);
		return;
	}
	if (reg >= GICD_IROUTER && reg < GICD_IROUTER + 8ull * GIC_MAX_INTIDS) {
		if (!owns(owned, (reg - GICD_IROUTER) / 8))
			f->ignore = true;
		return;
	}
	if (!global) {
		f->read_only = true;
		return;
	}
	if (reg == GICD_CTLR && size == 4)
		f->set_bits = GICD_CTLR_ARE | GICD_CTLR_GRP1;
}

bool gic_filter_needs_current(const struct gic_filter *f)
{
	return f->keep && f->lanes;
}

uint64_t gic_filter_write(const struct gic_filter *f, uint64_t guest, uint64_t current)
{
	uint64_t v = (guest & ~f->lanes) | (f->keep ? current & f->lanes : 0);

	return (v | f->set_bits) & ~f->clr_bits;
}

uint64_t gic_filter_read(const struct gic_filter *f, uint64_t value)
{
	return f->ignore ? 0 : value & ~f->lanes;
}
