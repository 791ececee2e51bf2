/* SPDX-License-Identifier: MIT */
/*
 * The EL2 port's distributor filter for several guests
 * (gic_filter_decide_dist in src/port/el2-qemu/gic_filter.c): a guest that
 * owns SPIs 33 and 40 (its UART and one more) and not the distributor,
 * another that owns the distributor and SPI 34. Each case drives the
 * filter as gic.c does and checks what reaches the hardware and what the
 * guest reads back.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "port/el2-qemu/gic_filter.h"

static uint32_t guest_b[GIC_MAX_INTIDS / 32]; /* SPIs 33 and 40, not the distributor */
static uint32_t guest_a[GIC_MAX_INTIDS / 32]; /* SPI 34 and the distributor */

static int setup(void **state)
{
	(void)state;
	memset(guest_a, 0, sizeof(guest_a));
	memset(guest_b, 0, sizeof(guest_b));
	guest_b[1] = (1u << 1) | (1u << 8);
	guest_a[1] = 1u << 2;
	return 0;
}

/* What gic.c writes for a guest write of `guest` (the register holding
 * `current`); -1 when the write is dropped. */
static int64_t written(const uint32_t *owned, bool global, uint64_t reg, uint32_t size,
		       uint64_t guest, uint64_t current)
{
	struct gic_filter f;

	gic_filter_decide_dist(reg, size, owned, global, &f);
	if (f.ignore || f.read_only)
		return -1;
	return (int64_t)gic_filter_write(&f, guest,
					 gic_filter_needs_current(&f) ? current : 0xdeadbeef);
}

static uint64_t read_back(const uint32_t *owned, bool global, uint64_t reg, uint32_t size,
			  uint64_t hw)
{
	struct gic_filter f;

	gic_filter_decide_dist(reg, size, owned, global, &f);
	return gic_filter_read(&f, hw);
}

/* Linux at boot disables every SPI: only the guest's own go. */
static void test_disable_all_touches_only_own(void **state)
{
	(void)state;
	assert_int_equal(written(guest_b, false, GICD_ICENABLER + 4, 4, 0xffffffff, 0),
			 (1u << 1) | (1u << 8));
	assert_int_equal(written(guest_a, true, GICD_ICENABLER + 4, 4, 0xffffffff, 0), 1u << 2);
	/* Words with none of its SPIs change nothing. */
	assert_int_equal(written(guest_b, false, GICD_ICENABLER + 8, 4, 0xffffffff, 0), 0);
	/* INTIDs 0..31 are not in the distributor's hands with affinity routing. */
	assert_int_equal(written(guest_a, true, GICD_ISENABLER, 4, 0xffffffff, 0), 0);
}

static void test_cannot_fake_or_see_others(void **state)
{
	(void)state;
	assert_int_equal(written(guest_b, false, GICD_ISPENDR + 4, 4, 1u << 2, 0), 0);
	assert_int_equal(written(guest_b, false, GICD_ISACTIVER + 4, 4, (1u << 2) | (1u << 1), 0),
			 1u << 1);
	/* Another guest's pending and enabled SPIs read as 0. */
	assert_int_equal(read_back(guest_b, false, GICD_ISPENDR + 4, 4, 0xffffffff),
			 (1u << 1) | (1u << 8));
	assert_int_equal(read_back(guest_a, true, GICD_ISENABLER + 4, 4, 0x106), 1u << 2);
}

static void test_group_and_config_keep_others(void **state)
{
	(void)state;
	/* Read-write bitmaps: the other guests' bits keep their value. */
	assert_int_equal(written(guest_b, false, GICD_IGROUPR + 4, 4, 0, 0xffffffff),
			 ~((1u << 1) | (1u << 8)));
	assert_int_equal(written(guest_b, false, GICD_IGRPMODR + 4, 4, 0xffffffff, 0),
			 (1u << 1) | (1u << 8));
	/* ICFGR1 of INTIDs 32..47: two bits each; SPI 33 is bits 3:2, SPI 40 bits 17:16. */
	assert_int_equal(written(guest_b, false, GICD_ICFGR + 8, 4, 0xffffffff, 0x55555555),
			 0x55555555u | (3u << 2) | (3u << 16));
	assert_int_equal(read_back(guest_b, false, GICD_ICFGR + 8, 4, 0xffffffff),
			 (3u << 2) | (3u << 16));
}

static void test_priority_and_targets_bytes(void **state)
{
	(void)state;
	/* IPRIORITYR of 32..35 as a word: only byte 1 (SPI 33) is guest B's. */
	assert_int_equal(written(guest_b, false, GICD_IPRIORITYR + 32, 4, 0xa0a0a0a0, 0x11223344),
			 0x1122a044);
	assert_int_equal(read_back(guest_b, false, GICD_IPRIORITYR + 32, 4, 0x11223344),
			 0x00003300);
	/* A byte access to its own SPI, and to another's. */
	assert_int_equal(written(guest_b, false, GICD_IPRIORITYR + 40, 1, 0x80, 0x10), 0x80);
	assert_int_equal(written(guest_b, false, GICD_IPRIORITYR + 34, 1, 0x80, 0x10), 0x10);
	assert_int_equal(written(guest_a, true, GICD_ITARGETSR + 33, 1, 0x01, 0x02), 0x02);
}

static void test_routing_only_own(void **state)
{
	(void)state;
	assert_int_equal(written(guest_b, false, GICD_IROUTER + 8 * 33, 8, 2, 0), 2);
	assert_int_equal(written(guest_b, false, GICD_IROUTER + 8 * 34, 8, 2, 0), -1);
	assert_int_equal(read_back(guest_b, false, GICD_IROUTER + 8 * 34, 8, 0x5), 0);
	assert_int_equal(written(guest_a, true, GICD_IROUTER + 8 * 34 + 4, 4, 0, 0), 0);
}

static void test_global_registers(void **state)
{
	(void)state;
	/* The distributor's owner keeps it on, as for one guest. */
	assert_int_equal(written(guest_a, true, GICD_CTLR, 4, 0, 0),
			 GICD_CTLR_ARE | GICD_CTLR_GRP1);
	/* The others read it (RWP polls, TYPER) but cannot write it. */
	assert_int_equal(written(guest_b, false, GICD_CTLR, 4, 0, 0x12), -1);
	assert_int_equal(read_back(guest_b, false, GICD_CTLR, 4, 0x12), 0x12);
	assert_int_equal(read_back(guest_b, false, 0x0004, 4, 0x37b0001f), 0x37b0001f);
}

static void test_odd_accesses_ignored(void **state)
{
	(void)state;
	assert_int_equal(written(guest_b, false, GICD_ISENABLER + 4, 1, 0xff, 0), -1);
	assert_int_equal(written(guest_b, false, GICD_ICFGR + 9, 1, 0xff, 0), -1);
	assert_int_equal(read_back(guest_b, false, GICD_ISENABLER + 5, 1, 0xff), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_disable_all_touches_only_own, setup),
		cmocka_unit_test_setup(test_cannot_fake_or_see_others, setup),
		cmocka_unit_test_setup(test_group_and_config_keep_others, setup),
		cmocka_unit_test_setup(test_priority_and_targets_bytes, setup),
		cmocka_unit_test_setup(test_routing_only_own, setup),
		cmocka_unit_test_setup(test_global_registers, setup),
		cmocka_unit_test_setup(test_odd_accesses_ignored, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
