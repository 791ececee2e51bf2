/* SPDX-License-Identifier: MIT */
/*
 * The EL2 port's GIC filter (src/port/el2-qemu/gic_filter.c): what a guest
 * access to a trapped distributor or redistributor register becomes, with
 * SGI 8 (the firmware's SRI) and SGI 15 (the port's kick) reserved. Each
 * case drives the filter as gic.c does and checks the value written to, or
 * read from, the hardware.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "port/el2-qemu/gic_filter.h"

#define RESERVED ((1u << 8) | (1u << 15))

/* The value gic.c would write for a guest write of `guest`, the register
 * holding `current`; `performed` false if the write is dropped. */
static uint64_t written(enum gic_frame frame, uint64_t reg, uint32_t size, uint64_t guest,
			uint64_t current, int *performed)
{
	struct gic_filter f;

	gic_filter_decide(frame, reg, size, RESERVED, &f);
	*performed = !f.ignore;
	return gic_filter_write(&f, guest, gic_filter_needs_current(&f) ? current : 0xdeadbeef);
}

static uint64_t read_back(enum gic_frame frame, uint64_t reg, uint32_t size, uint64_t hw)
{
	struct gic_filter f;

	gic_filter_decide(frame, reg, size, RESERVED, &f);
	return gic_filter_read(&f, hw);
}

/* Linux at CPU bring-up: disable and deactivate everything it did not request. */
static void test_disable_all_spares_reserved(void **state)
{
	int done;

	(void)state;
	assert_int_equal(written(GIC_FRAME_SGI, GICR_ICENABLER0, 4, 0xffffffff, 0, &done),
			 0xffff7effu);
	assert_true(done);
	assert_int_equal(written(GIC_FRAME_SGI, GICR_ICACTIVER0, 4, 0xffffffff, 0, &done),
			 0xffff7effu);
	assert_int_equal(written(GIC_FRAME_SGI, GICR_ICPENDR0, 4, 1u << 8, 0, &done), 0);
	assert_true(done); /* performed, but with no bit left: changes nothing */
}

static void test_guest_cannot_fake_sri(void **state)
{
	int done;

	(void)state;
	assert_int_equal(written(GIC_FRAME_SGI, GICR_ISPENDR0, 4, (1u << 8) | 1u, 0, &done), 1u);
	assert_int_equal(written(GIC_FRAME_SGI, GICR_ISACTIVER0, 4, 1u << 15, 0, &done), 0);
}

static void test_guest_sgis_pass_through(void **state)
{
	int done;

	(void)state;
	assert_int_equal(written(GIC_FRAME_SGI, GICR_ISENABLER0, 4, 0x000000ff, 0, &done), 0xff);
	assert_int_equal(written(GIC_FRAME_SGI, GICR_ICENABLER0, 4, 0xffff0000, 0, &done),
			 0xffff0000u);
	assert_int_equal(read_back(GIC_FRAME_SGI, GICR_ISENABLER0, 4, 0x000081ff), 0xffu);
}

static void test_group_keeps_reserved_bits(void **state)
{
	int done;

	(void)state;
	/* Writing 0 (all Group 0) leaves the reserved SGIs in Group 1. */
	assert_int_equal(written(GIC_FRAME_SGI, GICR_IGROUPR0, 4, 0, 0xffffffff, &done),
			 (uint64_t)RESERVED);
	assert_int_equal(written(GIC_FRAME_SGI, GICR_IGRPMODR0, 4, 0xffffffff, 0, &done),
			 0xffff7effu);
	assert_int_equal(read_back(GIC_FRAME_SGI, GICR_IGROUPR0, 4, 0xffffffff), 0xffff7effu);
}

static void test_priority_bytes(void **state)
{
	int done;

	(void)state;
	/* Word at SGI 8..11: byte 0 (SGI 8) keeps the hardware's value. */
	assert_int_equal(
		written(GIC_FRAME_SGI, GICR_IPRIORITYR + 8, 4, 0x11223344, 0x000000d0, &done),
		0x112233d0u);
	/* Word at SGI 12..15: byte 3 (SGI 15). */
	assert_int_equal(
		written(GIC_FRAME_SGI, GICR_IPRIORITYR + 12, 4, 0x11223344, 0xd0000000, &done),
		0xd0223344u);
	assert_int_equal(read_back(GIC_FRAME_SGI, GICR_IPRIORITYR + 12, 4, 0xd0a0a0a0),
			 0x00a0a0a0u);
	/* Byte accesses. */
	assert_int_equal(written(GIC_FRAME_SGI, GICR_IPRIORITYR + 8, 1, 0xff, 0xd0, &done), 0xd0);
	assert_int_equal(written(GIC_FRAME_SGI, GICR_IPRIORITYR + 9, 1, 0xff, 0, &done), 0xff);
	assert_int_equal(read_back(GIC_FRAME_SGI, GICR_IPRIORITYR + 8, 1, 0xd0), 0);
	/* PPIs (16 and up) are the guest's. */
	assert_int_equal(written(GIC_FRAME_SGI, GICR_IPRIORITYR + 16, 4, 0x11223344, 0, &done),
			 0x11223344u);
}

/* Only word accesses are defined for the bitmaps: anything else is dropped. */
static void test_odd_sized_bitmap_access_ignored(void **state)
{
	int done;

	(void)state;
	written(GIC_FRAME_SGI, GICR_ICENABLER0 + 1, 1, 0x01, 0, &done);
	assert_false(done);
	written(GIC_FRAME_SGI, GICR_ICENABLER0, 2, 0xffff, 0, &done);
	assert_false(done);
	written(GIC_FRAME_SGI, GICR_ICENABLER0, 8, ~0ull, 0, &done);
	assert_false(done);
	assert_int_equal(read_back(GIC_FRAME_SGI, GICR_ISENABLER0 + 1, 1, 0xff), 0);
}

static void test_distributor_and_waker_stay_on(void **state)
{
	int done;

	(void)state;
	/* Linux writes 0 to GICD_CTLR before it programs the SPIs. */
	assert_int_equal(written(GIC_FRAME_DIST, GICD_CTLR, 4, 0, 0, &done),
			 (uint64_t)(GICD_CTLR_ARE | GICD_CTLR_GRP1));
	assert_true(done);
	assert_int_equal(written(GIC_FRAME_RD, GICR_WAKER, 4, GICR_WAKER_SLEEP, 0, &done), 0);
	/* Other registers, and reads, are untouched. */
	assert_int_equal(written(GIC_FRAME_DIST, 0x100 + 4, 4, 0xffffffff, 0, &done), 0xffffffffu);
	assert_int_equal(read_back(GIC_FRAME_DIST, GICD_CTLR, 4, 0x80000012), 0x80000012u);
	assert_int_equal(read_back(GIC_FRAME_RD, GICR_TYPER, 8, 0x100000010ull), 0x100000010ull);
}

/* Nothing reserved (no SRI, no kick): every access passes as it is. */
static void test_nothing_reserved(void **state)
{
	struct gic_filter f;

	(void)state;
	gic_filter_decide(GIC_FRAME_SGI, GICR_ICENABLER0, 4, 0, &f);
	assert_false(f.ignore);
	assert_int_equal(gic_filter_write(&f, 0xffffffff, 0), 0xffffffffu);
	assert_int_equal(gic_filter_read(&f, 0xffffffff), 0xffffffffu);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_disable_all_spares_reserved),
		cmocka_unit_test(test_guest_cannot_fake_sri),
		cmocka_unit_test(test_guest_sgis_pass_through),
		cmocka_unit_test(test_group_keeps_reserved_bits),
		cmocka_unit_test(test_priority_bytes),
		cmocka_unit_test(test_odd_sized_bitmap_access_ignored),
		cmocka_unit_test(test_distributor_and_waker_stay_on),
		cmocka_unit_test(test_nothing_reserved),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
