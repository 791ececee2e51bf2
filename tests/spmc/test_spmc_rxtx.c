/* SPDX-License-Identifier: MIT */
/* RX/TX buffers: the hypervisor's pair, pairs forwarded for VMs, and RX
 * ownership (FFA_RX_RELEASE, FFA_RX_ACQUIRE). */
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>

#include "spmc_fixture.h"

/* Offsets in the descriptor fx_write_vm_desc writes with one constituent each. */
#define OFF_DESC_ID	  0
#define OFF_DESC_RESERVED 2
#define OFF_DESC_RX	  4
#define OFF_DESC_TX	  8
#define OFF_RX_COMP	  16
#define OFF_RX_CONST	  32
#define OFF_TX_COMP	  48
#define OFF_TX_CONST	  64

static struct ffamed_regs map(struct fx *f, uint32_t fid, uint64_t tx, uint64_t rx, uint64_t n)
{
	return fx_call(f, 0, fid, tx, rx, n, 0, 0, 0, 0);
}

static void patch32(struct fx *f, uint32_t off, uint32_t v)
{
	memcpy((uint8_t *)fx_va(f, fx_pa(FX_HYP_TX_PAGE)) + off, &v, sizeof(v));
}

static void patch64(struct fx *f, uint32_t off, uint64_t v)
{
	memcpy((uint8_t *)fx_va(f, fx_pa(FX_HYP_TX_PAGE)) + off, &v, sizeof(v));
}

static int32_t forwarded_map(struct fx *f)
{
	struct ffamed_regs r = FX_CALL0(f, FFA_RXTX_MAP_64);

	return ffa_result(&r);
}

/* ---- The hypervisor's pair ------------------------------------------------ */

static void test_hyp_map_good(void **state)
{
	struct fx *f = *state;
	struct ffamed_regs r;

	assert_int_equal(ffamed_spmc_hyp_rx_owner(f->spmc), FFAMED_SPMC_RX_UNMAPPED);
	r = map(f, FFA_RXTX_MAP_64, fx_pa(4), fx_pa(8), 4);
	fx_assert_success(&r);
	assert_int_equal(ffamed_spmc_hyp_rx_owner(f->spmc), FFAMED_SPMC_RX_OWNER_SPMC);
	fx_assert_success((struct ffamed_regs[]){FX_CALL0(f, FFA_RXTX_UNMAP)});
	assert_int_equal(ffamed_spmc_hyp_rx_owner(f->spmc), FFAMED_SPMC_RX_UNMAPPED);
	/* SMC32 form: only the low 32 bits of the addresses count. */
	r = map(f, FFA_RXTX_MAP_32, 0xDEAD00000000ull | fx_pa(4), fx_pa(5), 1);
	fx_assert_success(&r);
	assert_int_equal(ffamed_spmc_hyp_rx_owner(f->spmc), FFAMED_SPMC_RX_OWNER_SPMC);
}

static void test_hyp_map_max_pages(void **state)
{
	struct fx *f = *state;
	uint32_t max = FFAMED_SPMC_RXTX_MAX_PAGES_DEFAULT;
	struct ffamed_regs r;

	r = map(f, FFA_RXTX_MAP_64, fx_pa(0), fx_pa(max), max + 1);
	fx_assert_error(&r, FFA_RET_INVALID_PARAMETERS);
	r = map(f, FFA_RXTX_MAP_64, fx_pa(0), fx_pa(max), max);
	fx_assert_success(&r);
}

static void test_hyp_map_bad(void **state)
{
	struct fx *f = *state;
	const uint64_t end = fx_pa(FX_RAM_PAGES);
	struct {
		uint64_t tx, rx, n;
	} bad[] = {
		{0, fx_pa(2), 1},		      /* no TX */
		{fx_pa(2), 0, 1},		      /* no RX */
		{fx_pa(2), fx_pa(4), 0},	      /* no pages */
		{fx_pa(2) + 8, fx_pa(4), 1},	      /* unaligned TX */
		{fx_pa(2), fx_pa(4) + 0x800, 1},      /* unaligned RX */
		{fx_pa(2), fx_pa(3), 2},	      /* overlap */
		{fx_pa(3), fx_pa(2), 2},	      /* overlap */
		{fx_pa(2), fx_pa(2), 1},	      /* same page */
		{FX_PA_BASE - FX_PAGE, fx_pa(4), 1},  /* TX below RAM */
		{fx_pa(2), end, 1},		      /* RX above RAM */
		{fx_pa(2), end - FX_PAGE, 2},	      /* RX straddles the end */
		{0xFFFFFFFFFFFFF000ull, fx_pa(4), 2}, /* wraps */
		{fx_pa(2), fx_pa(4), 1ull << 32},     /* huge count */
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct ffamed_regs r = map(f, FFA_RXTX_MAP_64, bad[i].tx, bad[i].rx, bad[i].n);

		fx_assert_error(&r, FFA_RET_INVALID_PARAMETERS);
	}
	/* MBZ w4..w7. */
	struct ffamed_regs r = fx_call(f, 0, FFA_RXTX_MAP_64, fx_pa(2), fx_pa(4), 1, 1, 0, 0, 0);
	fx_assert_error(&r, FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(ffamed_spmc_hyp_rx_owner(f->spmc), FFAMED_SPMC_RX_UNMAPPED);
}

static void test_hyp_double_map(void **state)
{
	struct fx *f = *state;
	struct ffamed_regs r = map(f, FFA_RXTX_MAP_64, fx_pa(20), fx_pa(21), 1);

	fx_assert_error(&r, FFA_RET_DENIED);
	/* The first pair is untouched. */
	r = fx_call(f, 0, FFA_PARTITION_INFO_GET, 0, 0, 0, 0, 0, 0, 0);
	fx_assert_success(&r);
	assert_int_equal(*(uint16_t *)fx_va(f, fx_pa(FX_HYP_RX_PAGE)), FX_ECHO_UP);
}

static void test_hyp_unmap(void **state)
{
	struct fx *f = *state;

	fx_assert_error((struct ffamed_regs[]){FX_CALL1(f, FFA_RXTX_UNMAP, 1)},
			FFA_RET_INVALID_PARAMETERS);
	fx_assert_error((struct ffamed_regs[]){fx_call(f, 0, FFA_RXTX_UNMAP, 0, 1, 0, 0, 0, 0, 0)},
			FFA_RET_INVALID_PARAMETERS);
	fx_assert_success((struct ffamed_regs[]){FX_CALL0(f, FFA_RXTX_UNMAP)});
	fx_assert_error((struct ffamed_regs[]){FX_CALL0(f, FFA_RXTX_UNMAP)},
			FFA_RET_INVALID_PARAMETERS);
	/* Remapping elsewhere works after an unmap. */
	fx_map_hyp(f, 30, 31, 1);
}

static void test_hyp_rx_release(void **state)
{
	struct fx *f = *state;
	struct ffamed_regs r;

	/* Nothing to release: the SPMC owns it. */
	fx_assert_error((struct ffamed_regs[]){FX_CALL0(f, FFA_RX_RELEASE)}, FFA_RET_DENIED);
	r = FX_CALL0(f, FFA_PARTITION_INFO_GET);
	fx_assert_success(&r);
	assert_int_equal(ffamed_spmc_hyp_rx_owner(f->spmc), FFAMED_SPMC_RX_OWNER_NWD);
	/* MBZ bits. */
	fx_assert_error((struct ffamed_regs[]){FX_CALL1(f, FFA_RX_RELEASE, 1u << 16)},
			FFA_RET_INVALID_PARAMETERS);
	fx_assert_error((struct ffamed_regs[]){fx_call(f, 0, FFA_RX_RELEASE, 0, 0, 0, 0, 0, 0, 1)},
			FFA_RET_INVALID_PARAMETERS);
	fx_assert_success((struct ffamed_regs[]){FX_CALL0(f, FFA_RX_RELEASE)});
	assert_int_equal(ffamed_spmc_hyp_rx_owner(f->spmc), FFAMED_SPMC_RX_OWNER_SPMC);
	fx_assert_error((struct ffamed_regs[]){FX_CALL0(f, FFA_RX_RELEASE)}, FFA_RET_DENIED);
	/* Unmapped: nothing to release either. */
	fx_assert_success((struct ffamed_regs[]){FX_CALL0(f, FFA_RXTX_UNMAP)});
	fx_assert_error((struct ffamed_regs[]){FX_CALL0(f, FFA_RX_RELEASE)}, FFA_RET_DENIED);
}

/* ---- VM pairs ---------------------------------------------------------------- */

static void test_vm_map_good(void **state)
{
	struct fx *f = *state;
	uint64_t rx[4] = {0}, tx[4] = {0};

	assert_int_equal(ffamed_spmc_vm_rx_owner(f->spmc, 5), FFAMED_SPMC_RX_UNMAPPED);
	assert_int_equal(fx_map_vm_simple(f, 5, 10, 12, 2), 0);
	assert_int_equal(ffamed_spmc_vm_rx_owner(f->spmc, 5), FFAMED_SPMC_RX_OWNER_SPMC);
	assert_int_equal(ffamed_spmc_vm_mailbox(f->spmc, 5, rx, tx, 4), 2);
	assert_int_equal(rx[0], fx_pa(10));
	assert_int_equal(rx[1], fx_pa(11));
	assert_int_equal(tx[0], fx_pa(12));
	assert_int_equal(tx[1], fx_pa(13));
	assert_int_equal(ffamed_spmc_vm_mailbox_count(f->spmc), 1);
	/* The SMC32 form forwards too. */
	fx_write_vm_desc(f, 6, (struct fx_region[]){{20, 1}}, 1, (struct fx_region[]){{21, 1}}, 1);
	fx_assert_success((struct ffamed_regs[]){FX_CALL0(f, FFA_RXTX_MAP_32)});
	assert_int_equal(ffamed_spmc_vm_mailbox_count(f->spmc), 2);
	/* The hypervisor's own RX is not involved. */
	assert_int_equal(ffamed_spmc_hyp_rx_owner(f->spmc), FFAMED_SPMC_RX_OWNER_SPMC);
}

static void test_vm_map_scattered(void **state)
{
	struct fx *f = *state;
	const struct fx_region rx[] = {{40, 1}, {50, 2}};
	const struct fx_region tx[] = {{60, 2}, {45, 1}};
	uint64_t rxp[3], txp[3];

	assert_int_equal(fx_map_vm(f, 7, rx, 2, tx, 2), 0);
	assert_int_equal(ffamed_spmc_vm_mailbox(f->spmc, 7, rxp, txp, 3), 3);
	assert_int_equal(rxp[0], fx_pa(40));
	assert_int_equal(rxp[1], fx_pa(50));
	assert_int_equal(rxp[2], fx_pa(51));
	assert_int_equal(txp[0], fx_pa(60));
	assert_int_equal(txp[1], fx_pa(61));
	assert_int_equal(txp[2], fx_pa(45));
}

static void test_vm_map_double_and_unmap(void **state)
{
	struct fx *f = *state;

	assert_int_equal(fx_map_vm_simple(f, 5, 10, 11, 1), 0);
	assert_int_equal(fx_map_vm_simple(f, 5, 20, 21, 1), FFA_RET_DENIED);
	assert_int_equal(ffamed_spmc_vm_mailbox(f->spmc, 5, NULL, NULL, 0), 1);
	fx_assert_success((struct ffamed_regs[]){FX_CALL1(f, FFA_RXTX_UNMAP, 5u << 16)});
	assert_int_equal(ffamed_spmc_vm_rx_owner(f->spmc, 5), FFAMED_SPMC_RX_UNMAPPED);
	assert_int_equal(ffamed_spmc_vm_mailbox_count(f->spmc), 0);
	fx_assert_error((struct ffamed_regs[]){FX_CALL1(f, FFA_RXTX_UNMAP, 5u << 16)},
			FFA_RET_INVALID_PARAMETERS);
	fx_assert_error((struct ffamed_regs[]){FX_CALL1(f, FFA_RXTX_UNMAP, 9u << 16)},
			FFA_RET_INVALID_PARAMETERS);
	/* The pages are free again. */
	assert_int_equal(fx_map_vm_simple(f, 5, 10, 11, 1), 0);
	/* The hypervisor's pair and the VM's are independent. */
	fx_assert_success((struct ffamed_regs[]){FX_CALL0(f, FFA_RXTX_UNMAP)});
	assert_int_equal(ffamed_spmc_vm_rx_owner(f->spmc, 5), FFAMED_SPMC_RX_OWNER_SPMC);
}

static void test_vm_map_needs_hyp_tx(void **state)
{
	struct fx *f = *state; /* v1.2, no hypervisor pair */

	assert_int_equal(fx_map_vm_simple(f, 5, 10, 11, 1), FFA_RET_DENIED);
	assert_int_equal(ffamed_spmc_vm_mailbox_count(f->spmc), 0);
}

static void expect_bad_desc(struct fx *f, void (*patch)(struct fx *f))
{
	fx_write_vm_desc(f, 5, (struct fx_region[]){{10, 1}}, 1, (struct fx_region[]){{11, 1}}, 1);
	patch(f);
	assert_int_equal(forwarded_map(f), FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(ffamed_spmc_vm_rx_owner(f->spmc, 5), FFAMED_SPMC_RX_UNMAPPED);
}

static void p_vm0(struct fx *f)
{
	patch32(f, OFF_DESC_ID, 0);
}
static void p_vm_secure(struct fx *f)
{
	patch32(f, OFF_DESC_ID, 0x8005);
}
static void p_reserved(struct fx *f)
{
	patch32(f, OFF_DESC_ID, 5 | (1u << 16));
}
static void p_rx_off_out(struct fx *f)
{
	patch32(f, OFF_DESC_RX, FX_PAGE - 8);
}
static void p_rx_off_unaligned(struct fx *f)
{
	patch32(f, OFF_DESC_RX, 20);
}
static void p_rx_off_header(struct fx *f)
{
	patch32(f, OFF_DESC_RX, 0);
}
static void p_tx_off_huge(struct fx *f)
{
	patch32(f, OFF_DESC_TX, 0xFFFFFFF8u);
}
static void p_total_mismatch(struct fx *f)
{
	patch32(f, OFF_RX_COMP, 2);
}
static void p_count_zero(struct fx *f)
{
	patch32(f, OFF_RX_COMP + 4, 0);
}
static void p_count_huge(struct fx *f)
{
	patch32(f, OFF_TX_COMP + 4, 0x10000000u);
}
static void p_comp_reserved(struct fx *f)
{
	patch64(f, OFF_RX_COMP + 8, 1);
}
static void p_const_unaligned(struct fx *f)
{
	patch64(f, OFF_RX_CONST, fx_pa(10) + 16);
}
static void p_const_zero_pages(struct fx *f)
{
	patch32(f, OFF_TX_CONST + 8, 0);
}
static void p_const_reserved(struct fx *f)
{
	patch32(f, OFF_TX_CONST + 12, 1);
}
static void p_const_out_of_ram(struct fx *f)
{
	patch64(f, OFF_TX_CONST, fx_pa(FX_RAM_PAGES));
}
static void p_const_below_ram(struct fx *f)
{
	patch64(f, OFF_RX_CONST, FX_PA_BASE - FX_PAGE);
}
static void p_rx_is_tx(struct fx *f)
{
	patch64(f, OFF_TX_CONST, fx_pa(10));
}
static void p_rx_on_hyp_tx(struct fx *f)
{
	patch64(f, OFF_RX_CONST, fx_pa(FX_HYP_TX_PAGE));
}
static void p_tx_on_hyp_rx(struct fx *f)
{
	patch64(f, OFF_TX_CONST, fx_pa(FX_HYP_RX_PAGE));
}
static void p_same_composite(struct fx *f)
{
	patch32(f, OFF_DESC_TX, OFF_RX_COMP);
}

static void test_vm_map_bad_desc(void **state)
{
	struct fx *f = *state;
	void (*patches[])(struct fx *) = {
		p_vm0,
		p_vm_secure,
		p_reserved,
		p_rx_off_out,
		p_rx_off_unaligned,
		p_rx_off_header,
		p_tx_off_huge,
		p_total_mismatch,
		p_count_zero,
		p_count_huge,
		p_comp_reserved,
		p_const_unaligned,
		p_const_zero_pages,
		p_const_reserved,
		p_const_out_of_ram,
		p_const_below_ram,
		p_rx_is_tx,
		p_rx_on_hyp_tx,
		p_tx_on_hyp_rx,
		p_same_composite,
	};

	for (size_t i = 0; i < sizeof(patches) / sizeof(patches[0]); i++)
		expect_bad_desc(f, patches[i]);
	fx_write_vm_desc(f, 5, (struct fx_region[]){{10, 1}}, 1, (struct fx_region[]){{11, 1}}, 1);
	assert_int_equal(forwarded_map(f), 0);
}

static void test_vm_map_bad_sizes(void **state)
{
	struct fx *f = *state;
	const uint32_t max = FFAMED_SPMC_RXTX_MAX_PAGES_DEFAULT;

	/* RX and TX of different sizes. */
	assert_int_equal(
		fx_map_vm(f, 5, (struct fx_region[]){{10, 2}}, 1, (struct fx_region[]){{20, 1}}, 1),
		FFA_RET_INVALID_PARAMETERS);
	/* Overlap inside one buffer (two constituents on the same page). */
	assert_int_equal(fx_map_vm(f, 5, (struct fx_region[]){{10, 1}, {10, 1}}, 2,
				   (struct fx_region[]){{20, 2}}, 1),
			 FFA_RET_INVALID_PARAMETERS);
	/* Larger than the maximum. */
	assert_int_equal(fx_map_vm_simple(f, 5, 100, 100 + max + 1, max + 1),
			 FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(fx_map_vm_simple(f, 5, 100, 100 + max, max), 0);
}

static void test_vm_map_overlap_other_vm(void **state)
{
	struct fx *f = *state;

	assert_int_equal(fx_map_vm_simple(f, 5, 10, 11, 1), 0);
	assert_int_equal(fx_map_vm_simple(f, 6, 11, 12, 1), FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(fx_map_vm_simple(f, 6, 12, 10, 1), FFA_RET_INVALID_PARAMETERS);
	/* ... and the hypervisor cannot claim a VM's page for itself either. */
	fx_assert_success((struct ffamed_regs[]){FX_CALL0(f, FFA_RXTX_UNMAP)});
	fx_assert_error((struct ffamed_regs[]){map(f, FFA_RXTX_MAP_64, fx_pa(0), fx_pa(10), 1)},
			FFA_RET_INVALID_PARAMETERS);
}

static void test_vm_map_slots(void **state)
{
	struct fx *f = fx_new();
	struct ffamed_spmc_config cfg = {.max_vms = 2, .cpu_count = FX_CPUS};

	(void)state;
	assert_int_equal(fx_create(f, &cfg), 0);
	fx_version(f, FFA_VERSION_1_2);
	fx_map_hyp(f, FX_HYP_TX_PAGE, FX_HYP_RX_PAGE, 1);
	assert_int_equal(fx_map_vm_simple(f, 1, 10, 11, 1), 0);
	assert_int_equal(fx_map_vm_simple(f, 2, 12, 13, 1), 0);
	assert_int_equal(fx_map_vm_simple(f, 3, 14, 15, 1), FFA_RET_NO_MEMORY);
	fx_assert_success((struct ffamed_regs[]){FX_CALL1(f, FFA_RXTX_UNMAP, 1u << 16)});
	assert_int_equal(fx_map_vm_simple(f, 3, 14, 15, 1), 0);
	fx_free(f);
}

static void test_vm_map_fault_not_supported(void **state)
{
	struct fx *f = *state;
	struct ffamed_spmc_faults faults = {.no_vm_rxtx = true};

	ffamed_spmc_set_faults(f->spmc, &faults);
	assert_int_equal(fx_map_vm_simple(f, 5, 10, 11, 1), FFA_RET_NOT_SUPPORTED);
	/* The hypervisor's own pair is unaffected. */
	fx_assert_success((struct ffamed_regs[]){FX_CALL0(f, FFA_RXTX_UNMAP)});
	fx_map_hyp(f, 2, 3, 1);
	faults.no_vm_rxtx = false;
	ffamed_spmc_set_faults(f->spmc, &faults);
	fx_write_vm_desc(f, 5, (struct fx_region[]){{10, 1}}, 1, (struct fx_region[]){{11, 1}}, 1);
	/* fx_write_vm_desc writes page FX_HYP_TX_PAGE; copy to the new TX page. */
	memcpy(fx_va(f, fx_pa(2)), fx_va(f, fx_pa(FX_HYP_TX_PAGE)), FX_PAGE);
	assert_int_equal(forwarded_map(f), 0);
}

static void test_vm_rx_acquire_release(void **state)
{
	struct fx *f = *state;

	assert_int_equal(fx_map_vm_simple(f, 5, 10, 11, 1), 0);
	/* Releasing what the SPMC already owns. */
	fx_assert_error((struct ffamed_regs[]){FX_CALL1(f, FFA_RX_RELEASE, 5)}, FFA_RET_DENIED);
	fx_assert_success((struct ffamed_regs[]){FX_CALL1(f, FFA_RX_ACQUIRE, 5)});
	assert_int_equal(ffamed_spmc_vm_rx_owner(f->spmc, 5), FFAMED_SPMC_RX_OWNER_NWD);
	fx_assert_error((struct ffamed_regs[]){FX_CALL1(f, FFA_RX_ACQUIRE, 5)}, FFA_RET_DENIED);
	fx_assert_success((struct ffamed_regs[]){FX_CALL1(f, FFA_RX_RELEASE, 5)});
	assert_int_equal(ffamed_spmc_vm_rx_owner(f->spmc, 5), FFAMED_SPMC_RX_OWNER_SPMC);
	fx_assert_error((struct ffamed_regs[]){FX_CALL1(f, FFA_RX_RELEASE, 5)}, FFA_RET_DENIED);
	/* The VM's RX has nothing to do with the hypervisor's. */
	assert_int_equal(ffamed_spmc_hyp_rx_owner(f->spmc), FFAMED_SPMC_RX_OWNER_SPMC);
	/* Unmapped VM, bad IDs, MBZ bits. */
	fx_assert_error((struct ffamed_regs[]){FX_CALL1(f, FFA_RX_ACQUIRE, 6)},
			FFA_RET_INVALID_PARAMETERS);
	fx_assert_error((struct ffamed_regs[]){FX_CALL1(f, FFA_RX_RELEASE, 6)},
			FFA_RET_INVALID_PARAMETERS);
	fx_assert_error((struct ffamed_regs[]){FX_CALL1(f, FFA_RX_ACQUIRE, 0)},
			FFA_RET_INVALID_PARAMETERS);
	fx_assert_error((struct ffamed_regs[]){FX_CALL1(f, FFA_RX_ACQUIRE, 0x8001)},
			FFA_RET_INVALID_PARAMETERS);
	fx_assert_error((struct ffamed_regs[]){FX_CALL1(f, FFA_RX_RELEASE, 0x8001)},
			FFA_RET_INVALID_PARAMETERS);
	fx_assert_error((struct ffamed_regs[]){FX_CALL1(f, FFA_RX_ACQUIRE, 5 | (1u << 16))},
			FFA_RET_INVALID_PARAMETERS);
	fx_assert_error((struct ffamed_regs[]){fx_call(f, 0, FFA_RX_ACQUIRE, 5, 1, 0, 0, 0, 0, 0)},
			FFA_RET_INVALID_PARAMETERS);
	/* A pair mapped again starts owned by the SPMC. */
	fx_assert_success((struct ffamed_regs[]){FX_CALL1(f, FFA_RX_ACQUIRE, 5)});
	fx_assert_success((struct ffamed_regs[]){FX_CALL1(f, FFA_RXTX_UNMAP, 5u << 16)});
	assert_int_equal(fx_map_vm_simple(f, 5, 10, 11, 1), 0);
	assert_int_equal(ffamed_spmc_vm_rx_owner(f->spmc, 5), FFAMED_SPMC_RX_OWNER_SPMC);
}

static void test_vm_desc_larger_tx(void **state)
{
	struct fx *f = *state;
	struct ffamed_regs r;
	uint8_t *tx;

	/* A 2-page hypervisor TX: the descriptor may use its second page. */
	fx_assert_success((struct ffamed_regs[]){FX_CALL0(f, FFA_RXTX_UNMAP)});
	fx_map_hyp(f, 100, 102, 2);
	tx = fx_va(f, fx_pa(100));
	fx_write_vm_desc(f, 9, (struct fx_region[]){{10, 1}}, 1, (struct fx_region[]){{11, 1}}, 1);
	memcpy(tx, fx_va(f, fx_pa(FX_HYP_TX_PAGE)), 80);
	/* Move the TX composite to offset 4096 + 8. */
	memcpy(tx + FX_PAGE + 8, tx + OFF_TX_COMP, 32);
	uint32_t off = FX_PAGE + 8;
	memcpy(tx + OFF_DESC_TX, &off, 4);
	r = FX_CALL0(f, FFA_RXTX_MAP_64);
	fx_assert_success(&r);
	assert_int_equal(ffamed_spmc_vm_rx_owner(f->spmc, 9), FFAMED_SPMC_RX_OWNER_SPMC);
}

int main(void)
{
#define T(fn, setup) cmocka_unit_test_setup_teardown(fn, setup, fx_teardown)
	const struct CMUnitTest tests[] = {
		T(test_hyp_map_good, fx_setup_v12),
		T(test_hyp_map_max_pages, fx_setup_v12),
		T(test_hyp_map_bad, fx_setup_v12),
		T(test_hyp_double_map, fx_setup_ready),
		T(test_hyp_unmap, fx_setup_ready),
		T(test_hyp_rx_release, fx_setup_ready),
		T(test_vm_map_good, fx_setup_ready),
		T(test_vm_map_scattered, fx_setup_ready),
		T(test_vm_map_double_and_unmap, fx_setup_ready),
		T(test_vm_map_needs_hyp_tx, fx_setup_v12),
		T(test_vm_map_bad_desc, fx_setup_ready),
		T(test_vm_map_bad_sizes, fx_setup_ready),
		T(test_vm_map_overlap_other_vm, fx_setup_ready),
		cmocka_unit_test(test_vm_map_slots),
		T(test_vm_map_fault_not_supported, fx_setup_ready),
		T(test_vm_rx_acquire_release, fx_setup_ready),
		T(test_vm_desc_larger_tx, fx_setup_ready),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
