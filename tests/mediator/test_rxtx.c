/* SPDX-License-Identifier: MIT */
/* FFA_RXTX_MAP/UNMAP, FFA_RX_RELEASE and forwarding to the SPMC. */
#include "med_fixture.h"
#include "mediator/med_internal.h"
#include "mediator/med_spmc_rxtx.h"

#define PG(n) (FIX_IPA_BASE + (uint64_t)(n)*FFA_PAGE_SIZE)

static struct ffamed_regs pig(struct fix_vm *v)
{
	return fix_call(v, 0, FFA_PARTITION_INFO_GET, 0, 0, 0, 0, 0);
}

static void map_unmap_forwarded(void **state)
{
	(void)state;
	struct fix *fix = fix_create(NULL);
	struct fix_vm *v = fix_vm_new(fix, 7, 1, 64, true);
	uint64_t rx[8], tx[8];
	struct ffamed_regs r;

	assert_int_equal(fix_vm_register(v, true), FFA_RET_OK);
	fix_negotiate(v, FFA_VERSION_1_2);
	assert_int_equal(fix_map(v, PG(0), PG(8), 4), FFA_RET_OK);
	assert_int_equal(fix_vm_pins(v), 8);
	assert_int_equal(atomic_load(&fix->live_maps), 2);
	/* The SPMC got the VM's scattered physical pages, in order. */
	assert_int_equal(ffamed_spmc_vm_mailbox(fix->spmc, 7, rx, tx, 8), 4);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(tx[i], v->page_pa[i]);
		assert_int_equal(rx[i], v->page_pa[8 + i]);
	}
	assert_int_equal(ffamed_spmc_vm_rx_owner(fix->spmc, 7), FFAMED_SPMC_RX_OWNER_SPMC);

	/* Already mapped: DENIED, the first pair intact. */
	assert_int_equal(fix_map(v, PG(20), PG(30), 1), FFA_RET_DENIED);
	assert_int_equal(fix_vm_pins(v), 8);

	r = fix_call(v, 0, FFA_RXTX_UNMAP, 0, 0, 0, 0, 0);
	assert_ffa_success(r);
	assert_int_equal(fix_vm_pins(v), 0);
	assert_int_equal(atomic_load(&fix->live_maps), 0);
	assert_int_equal(ffamed_spmc_vm_mailbox_count(fix->spmc), 0);
	r = fix_call(v, 0, FFA_RXTX_UNMAP, 0, 0, 0, 0, 0);
	assert_ffa_error(r, FFA_RET_INVALID_PARAMETERS);

	/* 32-bit form: the upper halves of x1/x2 are ignored. */
	r = fix_call(v, 0, FFA_RXTX_MAP_32, (0xFFull << 32) | PG(2), (0x1ull << 40) | PG(3), 1, 0,
		     0);
	assert_ffa_success(r);
	assert_int_equal(ffamed_spmc_vm_mailbox(fix->spmc, 7, rx, tx, 8), 1);
	assert_int_equal(tx[0], v->page_pa[2]);
	fix_vm_destroy(v);
	assert_int_equal(ffamed_spmc_vm_mailbox_count(fix->spmc), 0);
	fix_destroy(fix);
}

static uint32_t seen_rx_constituents, seen_tx_constituents;

static bool peek_forward(struct fix *fix, struct ffamed_regs *regs, void *arg)
{
	(void)arg;
	if ((uint32_t)regs->x[0] == FFA_RXTX_MAP_64 && !regs->x[1] && !regs->x[2] && !regs->x[3]) {
		const uint8_t *buf = fix->med->spmc_tx;
		struct ffa_endpoint_rxtx_desc d;
		struct ffa_mem_composite c;

		memcpy(&d, buf, sizeof(d));
		assert_int_equal(d.rx_region_offset % 8, 0);
		assert_int_equal(d.tx_region_offset % 8, 0);
		memcpy(&c, buf + d.rx_region_offset, sizeof(c));
		seen_rx_constituents = c.constituent_count;
		memcpy(&c, buf + d.tx_region_offset, sizeof(c));
		seen_tx_constituents = c.constituent_count;
	}
	return false;
}

static void contiguous_runs_coalesced(void **state)
{
	(void)state;
	struct fix_opts o = {.hook = peek_forward};
	struct fix *fix = fix_create(&o);
	struct fix_vm *flat = fix_vm_new(fix, 1, 1, 64, false);
	struct fix_vm *scat = fix_vm_new(fix, 2, 1, 64, true);

	assert_int_equal(fix_vm_register(flat, true), FFA_RET_OK);
	assert_int_equal(fix_vm_register(scat, true), FFA_RET_OK);
	fix_negotiate(flat, FFA_VERSION_1_1);
	fix_negotiate(scat, FFA_VERSION_1_1);
	assert_int_equal(fix_map(flat, PG(0), PG(16), 16), FFA_RET_OK);
	assert_int_equal(seen_rx_constituents, 1);
	assert_int_equal(seen_tx_constituents, 1);
	assert_int_equal(fix_map(scat, PG(0), PG(16), 16), FFA_RET_OK);
	assert_int_equal(seen_rx_constituents, 16);
	assert_int_equal(seen_tx_constituents, 16);
	fix_vm_destroy(flat);
	fix_vm_destroy(scat);
	fix_destroy(fix);
}

static void bad_maps(void **state)
{
	(void)state;
	struct fix *fix = fix_create(NULL);
	struct fix_vm *v = fix_vm_new(fix, 3, 1, 160, true);
	uint64_t fw_maps;

	assert_int_equal(fix_vm_register(v, true), FFA_RET_OK);
	fix_negotiate(v, FFA_VERSION_1_2);
	fw_maps = fix_fw_count(fix, FFA_RXTX_MAP_64);
	assert_int_equal(fix_map(v, PG(0), PG(1), 0), FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(fix_map(v, PG(0), PG(70), 65), FFA_RET_INVALID_PARAMETERS);
	{
		struct ffamed_regs r =
			fix_call(v, 0, FFA_RXTX_MAP_64, PG(0), PG(1), (1ull << 32) | 1, 0, 0);
		assert_ffa_error(r, FFA_RET_INVALID_PARAMETERS);
	}
	assert_int_equal(fix_map(v, 0, PG(1), 1), FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(fix_map(v, PG(0), 0, 1), FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(fix_map(v, PG(0) + 8, PG(1), 1), FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(fix_map(v, PG(0), PG(1) + 0x800, 1), FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(fix_map(v, PG(0), PG(0), 1), FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(fix_map(v, PG(0), PG(1), 2), FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(fix_map(v, PG(3), PG(2), 2), FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(fix_map(v, UINT64_MAX & ~0xFFFull, PG(1), 2), FFA_RET_INVALID_PARAMETERS);
	/* Outside the guest's RAM: TX, RX, or the last page of either. */
	assert_int_equal(fix_map(v, PG(200), PG(1), 1), FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(fix_map(v, PG(0), PG(200), 1), FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(fix_map(v, PG(0), PG(158), 4), FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(fix_map(v, 0x1000, PG(1), 1), FFA_RET_INVALID_PARAMETERS);
	/* RX must be writable; a read-only TX is fine. */
	v->readonly[5] = true;
	assert_int_equal(fix_map(v, PG(0), PG(4), 2), FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(fix_vm_pins(v), 0);
	/* A pin failing half way through the RX pages. */
	atomic_store(&v->pin_fail_after, 6);
	assert_int_equal(fix_map(v, PG(10), PG(20), 4), FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(fix_vm_pins(v), 0);
	/* map_pages failing for RX, then for TX. */
	atomic_store(&fix->map_fail_after, 2);
	assert_int_equal(fix_map(v, PG(10), PG(20), 4), FFA_RET_NO_MEMORY);
	atomic_store(&fix->map_fail_after, 1);
	assert_int_equal(fix_map(v, PG(10), PG(20), 4), FFA_RET_NO_MEMORY);
	assert_int_equal(fix_vm_pins(v), 0);
	assert_int_equal(atomic_load(&fix->live_maps), 0);
	/* None of that reached the firmware. */
	assert_int_equal(fix_fw_count(fix, FFA_RXTX_MAP_64), fw_maps);

	/* The largest allowed pair, read-only TX page included. */
	assert_int_equal(fix_map(v, PG(0), PG(64), 64), FFA_RET_OK);
	assert_int_equal(fix_vm_pins(v), 128);
	fix_vm_destroy(v);
	fix_destroy(fix);
}

static int32_t refuse_code;
static uint32_t refuse_fid;

static bool refuse_hook(struct fix *fix, struct ffamed_regs *regs, void *arg)
{
	(void)fix;
	(void)arg;
	if (refuse_fid && (uint32_t)regs->x[0] == refuse_fid &&
	    (refuse_fid != FFA_RXTX_MAP_64 || !regs->x[1])) {
		ffa_set_error(regs, refuse_code);
		return true;
	}
	return false;
}

static void spmc_refusals(void **state)
{
	(void)state;
	struct fix_opts o = {.hook = refuse_hook};
	struct fix *fix = fix_create(&o);
	struct fix_vm *v = fix_vm(fix, 4, 1);
	struct ffamed_regs r;

	fix_negotiate(v, FFA_VERSION_1_2);
	/* A refusal that says nothing of the form: unwound and returned, and
	 * the next forward decides. */
	refuse_fid = FFA_RXTX_MAP_64;
	refuse_code = FFA_RET_DENIED;
	assert_int_equal(fix_map(v, PG(0), PG(1), 1), FFA_RET_DENIED);
	assert_int_equal(fix_vm_pins(v), 0);
	assert_int_equal(atomic_load(&fix->live_maps), 0);
	refuse_fid = 0;
	fix_map_default(v, 1);

	/* The SPMC refusing the unmap: the mapping stays. */
	refuse_fid = FFA_RXTX_UNMAP;
	refuse_code = FFA_RET_ABORTED;
	r = fix_call(v, 0, FFA_RXTX_UNMAP, 0, 0, 0, 0, 0);
	assert_ffa_error(r, FFA_RET_ABORTED);
	assert_int_equal(fix_vm_pins(v), 2);
	assert_int_equal(fix_map(v, PG(4), PG(5), 1), FFA_RET_DENIED);
	refuse_fid = 0;
	r = fix_call(v, 0, FFA_RXTX_UNMAP, 0, 0, 0, 0, 0);
	assert_ffa_success(r);
	assert_int_equal(fix_vm_pins(v), 0);

	/* Once the SPMC mapped a pair, a refusal of the form is an error. */
	refuse_fid = FFA_RXTX_MAP_64;
	refuse_code = FFA_RET_INVALID_PARAMETERS;
	assert_int_equal(fix_map(v, PG(0), PG(1), 1), FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(fix_vm_pins(v), 0);
	refuse_fid = 0;
	fix_vm_destroy(v);
	fix_destroy(fix);
}

/* The first forward refused as a form: every pair stays here, asked once. */
static void spmc_refuses_form(int32_t code)
{
	struct fix_opts o = {.hook = refuse_hook};
	struct fix *fix = fix_create(&o);
	struct fix_vm *v = fix_vm(fix, 4, 1);
	struct ffamed_regs r;

	fix_negotiate(v, FFA_VERSION_1_2);
	refuse_fid = FFA_RXTX_MAP_64;
	refuse_code = code;
	uint64_t maps = fix_fw_count(fix, FFA_RXTX_MAP_64);
	fix_map_default(v, 1);
	assert_int_equal(fix_fw_count(fix, FFA_RXTX_MAP_64), maps + 1);
	assert_false(v->vm->rxtx.forwarded);
	refuse_fid = 0;
	assert_int_equal(ffamed_spmc_vm_mailbox_count(fix->spmc), 0);
	maps = fix_fw_count(fix, FFA_RXTX_MAP_64);
	struct fix_vm *w = fix_vm(fix, 5, 1);
	fix_negotiate(w, FFA_VERSION_1_2);
	fix_map_default(w, 2);
	assert_int_equal(fix_fw_count(fix, FFA_RXTX_MAP_64), maps);
	/* Local pairs: no RX_ACQUIRE / RX_RELEASE / RXTX_UNMAP at the SPMC. */
	uint64_t acq = fix_fw_count(fix, FFA_RX_ACQUIRE);
	uint64_t rel = fix_fw_count(fix, FFA_RX_RELEASE);
	uint64_t unm = fix_fw_count(fix, FFA_RXTX_UNMAP);
	r = pig(w);
	assert_ffa_success(r);
	r = fix_call(w, 0, FFA_RX_RELEASE, 0, 0, 0, 0, 0);
	assert_ffa_success(r);
	r = fix_call(w, 0, FFA_RXTX_UNMAP, 0, 0, 0, 0, 0);
	assert_ffa_success(r);
	assert_int_equal(fix_fw_count(fix, FFA_RX_ACQUIRE), acq);
	assert_int_equal(fix_fw_count(fix, FFA_RX_RELEASE), rel);
	assert_int_equal(fix_fw_count(fix, FFA_RXTX_UNMAP), unm);
	fix_vm_destroy(w);
	fix_vm_destroy(v);
	fix_destroy(fix);
}

static void spmc_refuses_form_not_supported(void **state)
{
	(void)state;
	spmc_refuses_form(FFA_RET_NOT_SUPPORTED);
}

static void spmc_refuses_form_invalid(void **state)
{
	(void)state;
	spmc_refuses_form(FFA_RET_INVALID_PARAMETERS);
}

static bool no_rx_acquire_hook(struct fix *fix, struct ffamed_regs *regs, void *arg)
{
	(void)fix;
	(void)arg;
	if ((uint32_t)regs->x[0] == FFA_FEATURES && (uint32_t)regs->x[1] == FFA_RX_ACQUIRE) {
		ffa_set_error(regs, FFA_RET_NOT_SUPPORTED);
		return true;
	}
	return false;
}

/* An SPMC without RX_ACQUIRE could not share a VM's RX: decided at create,
 * no forward is ever tried. */
static void no_rx_acquire_no_forward(void **state)
{
	(void)state;
	struct fix_opts o = {.hook = no_rx_acquire_hook};
	struct fix *fix = fix_create(&o);
	uint64_t maps = fix_fw_count(fix, FFA_RXTX_MAP_64);
	struct fix_vm *v = fix_vm(fix, 4, 1);
	struct ffamed_regs r;

	fix_negotiate(v, FFA_VERSION_1_2);
	fix_map_default(v, 1);
	assert_false(v->vm->rxtx.forwarded);
	assert_int_equal(fix_fw_count(fix, FFA_RXTX_MAP_64), maps);
	assert_int_equal(ffamed_spmc_vm_mailbox_count(fix->spmc), 0);
	r = pig(v);
	assert_ffa_success(r);
	r = fix_call(v, 0, FFA_RX_RELEASE, 0, 0, 0, 0, 0);
	assert_ffa_success(r);
	assert_int_equal(fix_fw_count(fix, FFA_RX_ACQUIRE), 0);
	fix_vm_destroy(v);
	fix_destroy(fix);
}

static void rx_ownership(void **state)
{
	(void)state;
	struct fix *fix = fix_create(NULL);
	struct fix_vm *v = fix_vm(fix, 6, 1);
	struct ffamed_regs r;
	uint64_t acq;

	fix_negotiate(v, FFA_VERSION_1_2);
	r = fix_call(v, 0, FFA_RX_RELEASE, 0, 0, 0, 0, 0);
	assert_ffa_error(r, FFA_RET_DENIED); /* nothing mapped */
	fix_map_default(v, 1);
	r = fix_call(v, 0, FFA_RX_RELEASE, 0, 0, 0, 0, 0);
	assert_ffa_error(r, FFA_RET_DENIED); /* not the guest's */

	acq = fix_fw_count(fix, FFA_RX_ACQUIRE);
	r = pig(v);
	assert_ffa_success(r);
	assert_int_equal(fix_fw_count(fix, FFA_RX_ACQUIRE), acq + 1);
	assert_int_equal(ffamed_spmc_vm_rx_owner(fix->spmc, 6), FFAMED_SPMC_RX_OWNER_NWD);
	/* Full: a second producer write is BUSY, an unmap DENIED. */
	r = pig(v);
	assert_ffa_error(r, FFA_RET_BUSY);
	r = fix_call(v, 0, FFA_RXTX_UNMAP, 0, 0, 0, 0, 0);
	assert_ffa_error(r, FFA_RET_DENIED);
	r = fix_call(v, 0, FFA_RXTX_UNMAP, 6u << 16, 0, 0, 0, 0);
	assert_ffa_error(r, FFA_RET_INVALID_PARAMETERS);
	r = fix_call(v, 0, FFA_RX_RELEASE, 6, 0, 0, 0, 0);
	assert_ffa_error(r, FFA_RET_INVALID_PARAMETERS);

	r = fix_call(v, 0, FFA_RX_RELEASE, 0, 0, 0, 0, 0);
	assert_ffa_success(r);
	assert_int_equal(ffamed_spmc_vm_rx_owner(fix->spmc, 6), FFAMED_SPMC_RX_OWNER_SPMC);
	r = fix_call(v, 0, FFA_RX_RELEASE, 0, 0, 0, 0, 0);
	assert_ffa_error(r, FFA_RET_DENIED);

	/* Destroying a VM that holds a full RX still cleans up everything. */
	r = pig(v);
	assert_ffa_success(r);
	fix_vm_destroy(v);
	assert_int_equal(ffamed_spmc_vm_mailbox_count(fix->spmc), 0);
	fix_destroy(fix);
}

static void spmc_tx_helpers(void **state)
{
	(void)state;
	struct fix *fix = fix_create(NULL);
	struct fix_opts o = {.fw_absent = true};
	struct fix *none;
	void *tx, *rx;

	tx = med_spmc_tx_acquire(fix->med);
	assert_non_null(tx);
	rx = med_spmc_rx_acquire(fix->med);
	assert_non_null(rx);
	assert_ptr_not_equal(tx, rx);
	med_spmc_rx_release(fix->med, false);
	med_spmc_tx_release(fix->med);
	fix_destroy(fix);

	none = fix_create(&o);
	assert_null(med_spmc_tx_acquire(none->med));
	assert_null(med_spmc_rx_acquire(none->med));
	fix_destroy(none);
}

/* The SPMC still holds the VM's buffers at teardown: the pages must not go
 * back to the host, where firmware writes would corrupt their next owner. */
static void teardown_refused_by_spmc_quarantines_pages(void **state)
{
	(void)state;
	struct fix_opts o = {.hook = refuse_hook};
	struct fix *fix = fix_create(&o);
	struct fix_vm *v = fix_vm(fix, 4, 1);

	fix_negotiate(v, FFA_VERSION_1_2);
	fix_map_default(v, 1);
	assert_int_equal(fix_vm_pins(v), 2);

	refuse_fid = FFA_RXTX_UNMAP;
	refuse_code = FFA_RET_DENIED;
	fix_vm_destroy(v);
	refuse_fid = 0;
	/* Still pinned, and the host VM still referenced by the mediator. */
	assert_int_equal(fix_vm_pins(v), 2);
	assert_int_equal(atomic_load(&v->refs), 1);
	assert_int_equal(atomic_load(&fix->live_maps), 0);

	fix_vm_reclaim_quarantined(v);
	fix_destroy(fix);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(map_unmap_forwarded),
		cmocka_unit_test(contiguous_runs_coalesced),
		cmocka_unit_test(bad_maps),
		cmocka_unit_test(spmc_refusals),
		cmocka_unit_test(spmc_refuses_form_not_supported),
		cmocka_unit_test(spmc_refuses_form_invalid),
		cmocka_unit_test(no_rx_acquire_no_forward),
		cmocka_unit_test(teardown_refused_by_spmc_quarantines_pages),
		cmocka_unit_test(rx_ownership),
		cmocka_unit_test(spmc_tx_helpers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
