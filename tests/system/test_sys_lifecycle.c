/* SPDX-License-Identifier: MIT */
/*
 * VM lifecycle end to end: VM_CREATED/VM_DESTROYED reach the VMWATCH SP,
 * an SP refusing creation fails the VM cleanly, guest pages are pinned
 * while mapped and let go at unmap or teardown, and nothing stays
 * allocated.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sys_fixture.h"

static void test_default_system(void **state)
{
	struct ffamed_sim_config cfg;
	struct ffamed_sim *sim = NULL;
	struct ffamed_sp_vmwatch *w;
	struct ffamed_fw_info fw;

	(void)state;
	ffamed_sim_default_config(&cfg);
	assert_int_equal(cfg.vm_count, 2);
	assert_int_equal(cfg.vcpus_per_vm, 2);
	assert_int_equal(ffamed_sim_create(&cfg, &sim), FFA_RET_OK);
	assert_int_equal(ffamed_sim_vm_count(sim), 2);
	assert_int_equal(ffamed_sim_vm_id(ffamed_sim_vm_at(sim, 0)), 1);
	assert_int_equal(ffamed_sim_vm_id(ffamed_sim_vm_at(sim, 1)), 2);
	assert_null(ffamed_sim_vm_at(sim, 2));
	assert_int_equal(ffamed_sim_vm_vcpu_count(ffamed_sim_find_vm(sim, 2)), 2);

	ffamed_get_fw_info(ffamed_sim_mediator(sim), &fw);
	assert_int_equal(fw.version, FFA_VERSION_1_2);
	assert_int_equal(fw.spmc_id, FFA_SPMC_ID_DEFAULT);
	assert_int_equal(fw.sp_count, FFAMED_SIM_SP_COUNT);

	w = ffamed_sim_vmwatch(sim);
	assert_true(ffamed_sp_vmwatch_is_live(w, 1));
	assert_true(ffamed_sp_vmwatch_is_live(w, 2));
	assert_int_equal(ffamed_sp_vmwatch_created_msgs(w), 2);
	assert_int_equal(ffamed_sp_vmwatch_destroyed_msgs(w), 0);

	sys_shutdown(sim);
	/* The SPs outlive the teardown for inspection. */
	assert_int_equal(ffamed_sp_vmwatch_destroyed_msgs(w), 2);
	assert_int_equal(ffamed_sp_vmwatch_live_count(w), 0);
	assert_null(ffamed_sim_mediator(sim));
	assert_null(ffamed_sim_spmc(sim));
	ffamed_sim_destroy(sim);
}

static void test_add_remove_announced(void **state)
{
	struct ffamed_sim *sim = sys_create(1, 1, false, 16);
	struct ffamed_sp_vmwatch *w = ffamed_sim_vmwatch(sim);
	struct ffamed_sim_vm *vm = NULL;

	(void)state;
	assert_int_equal(ffamed_sim_vm_add(sim, 0x123, 2, &vm), FFA_RET_OK);
	assert_non_null(vm);
	assert_ptr_equal(ffamed_sim_find_vm(sim, 0x123), vm);
	assert_true(ffamed_sp_vmwatch_is_live(w, 0x123));
	assert_int_equal(ffamed_sp_vmwatch_live_count(w), 2);

	ffamed_sim_vm_remove(vm);
	assert_null(ffamed_sim_find_vm(sim, 0x123));
	assert_false(ffamed_sp_vmwatch_is_live(w, 0x123));
	assert_int_equal(ffamed_sp_vmwatch_destroyed_msgs(w), 1);

	/* The ID is free again. */
	assert_int_equal(ffamed_sim_vm_add(sim, 0x123, 1, &vm), FFA_RET_OK);
	assert_int_equal(ffamed_sp_vmwatch_created_msgs(w), 3);
	assert_int_equal(atomic_load(&w->duplicate_created), 0);
	assert_int_equal(atomic_load(&w->unknown_destroyed), 0);
	sys_shutdown(sim);
	assert_int_equal(ffamed_sp_vmwatch_live_count(w), 0);
	assert_int_equal(ffamed_sp_vmwatch_destroyed_msgs(w), 3);
	ffamed_sim_destroy(sim);
}

static void test_add_refusals(void **state)
{
	struct ffamed_sim *sim = sys_create(2, 2, false, 10);
	struct ffamed_sim_vm *vm = NULL;

	(void)state;
	assert_int_equal(ffamed_sim_vm_add(sim, 2, 1, &vm), FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(ffamed_sim_vm_add(sim, 0, 1, &vm), FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(ffamed_sim_vm_add(sim, 0x8001, 1, &vm), FFA_RET_INVALID_PARAMETERS);
	/* 10 CPUs: 4 vCPUs run, 4 kept for the host, room for 2 more. */
	assert_int_equal(ffamed_sim_vm_add(sim, 3, 3, &vm), FFA_RET_NO_MEMORY);
	assert_null(vm);
	assert_int_equal(ffamed_sim_vm_add(sim, 3, 2, &vm), FFA_RET_OK);
	assert_int_equal(ffamed_sim_vm_count(sim), 3);
	assert_int_equal(ffamed_sp_vmwatch_created_msgs(ffamed_sim_vmwatch(sim)), 3);
	sys_finish(sim);
}

static void test_sp_refusing_creation(void **state)
{
	struct ffamed_sim *sim = sys_create(1, 1, false, 16);
	struct ffamed_sp_vmwatch *w = ffamed_sim_vmwatch(sim);
	struct ffamed_sim_vm *vm = NULL;

	(void)state;
	ffamed_sp_vmwatch_fail_always(w, FFA_RET_DENIED);
	assert_int_not_equal(ffamed_sim_vm_add(sim, 5, 1, &vm), FFA_RET_OK);
	assert_null(vm);
	assert_null(ffamed_sim_find_vm(sim, 5));
	assert_int_equal(ffamed_sim_vm_count(sim), 1);
	assert_false(ffamed_sp_vmwatch_is_live(w, 5));

	/* A transient refusal is retried. */
	ffamed_sp_vmwatch_fail_always(w, 0);
	ffamed_sp_vmwatch_fail_next(w, FFA_RET_RETRY, 2);
	assert_int_equal(ffamed_sim_vm_add(sim, 5, 1, &vm), FFA_RET_OK);
	assert_true(ffamed_sp_vmwatch_is_live(w, 5));
	sys_shutdown(sim);
	assert_false(ffamed_sp_vmwatch_is_live(w, 5));
	assert_int_equal(ffamed_sp_vmwatch_live_count(w), 0);
	ffamed_sim_destroy(sim);
}

static void test_pins_follow_rxtx(void **state)
{
	struct ffamed_sim *sim = sys_create(2, 2, false, 0);
	struct ffamed_sim_vm *vm = ffamed_sim_find_vm(sim, 1);
	struct ffamed_posix_vm *pvm = ffamed_sim_vm_posix(vm);
	struct sys_guest g0, g1;

	(void)state;
	sys_guest_init(&g0, vm, 0);
	sys_guest_up(&g0, FFA_VERSION_1_1, false);
	assert_int_equal(ffamed_posix_vm_pinned_pages(pvm), 0);
	assert_int_equal(ffamed_sim_guest_map_rxtx(vm, &g0.c, 1), FFA_RET_OK);
	assert_int_equal(ffamed_posix_vm_pinned_pages(pvm), 2);
	assert_int_equal(ffamed_posix_vm_page_pins(pvm, FFAMED_SIM_RX_IPA), 1);
	assert_int_equal(ffamed_posix_vm_page_pins(pvm, FFAMED_SIM_TX_IPA), 1);

	/* Another vCPU uses the same pair; a second map is refused. */
	sys_guest_init(&g1, vm, 1);
	sys_guest_up(&g1, FFA_VERSION_1_1, false);
	assert_int_equal(ffamed_sim_guest_adopt_rxtx(vm, &g1.c), FFA_RET_OK);
	assert_ptr_equal(g1.c.rx, g0.c.rx);
	{
		struct ffamed_regs r;

		ffa_regs_clear(&r);
		r.x[0] = FFA_RXTX_MAP_64;
		r.x[1] = FFAMED_SIM_TX_IPA + 0x2000;
		r.x[2] = FFAMED_SIM_RX_IPA + 0x2000;
		r.x[3] = 1;
		sys_guest_raw(&g1, &r);
		assert_int_equal(ffa_result(&r), FFA_RET_DENIED);
	}
	assert_int_equal(ffamed_posix_vm_pinned_pages(pvm), 2);

	/* Unmap lets go of both pages; a remap pins them again. */
	assert_int_equal(ffamed_sim_guest_unmap_rxtx(vm, &g1.c), FFA_RET_OK);
	assert_int_equal(ffamed_posix_vm_pinned_pages(pvm), 0);
	g0.c.rxtx_mapped = false; /* the sibling's view goes with it */
	assert_int_equal(ffamed_sim_guest_map_rxtx(vm, &g0.c, 1), FFA_RET_OK);
	assert_int_equal(ffamed_posix_vm_pinned_pages(pvm), 2);

	/* Torn down while mapped and while the guest holds RX: sys_finish
	 * checks that every pin went. */
	{
		struct ffamed_regs r;

		ffa_regs_clear(&r);
		r.x[0] = FFA_PARTITION_INFO_GET;
		sys_guest_raw(&g0, &r);
		assert_int_equal(r.x[0], FFA_SUCCESS_32);
	}
	sys_finish(sim);
}

static void test_map_outside_ram_refused(void **state)
{
	struct ffamed_sim *sim = sys_create(1, 1, false, 0);
	struct ffamed_sim_vm *vm = ffamed_sim_find_vm(sim, 1);
	uint64_t ram_end =
		FFAMED_POSIX_RAM_BASE + ffamed_posix_vm_ram_size(ffamed_sim_vm_posix(vm));
	uint8_t page[FFA_PAGE_SIZE];
	struct sys_guest g;

	(void)state;
	sys_guest_init(&g, vm, 0);
	sys_guest_up(&g, FFA_VERSION_1_2, false);
	assert_int_equal(ffac_rxtx_map(&g.c, page, ram_end, page, FFAMED_SIM_RX_IPA, 1),
			 FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(
		ffac_rxtx_map(&g.c, page, FFAMED_SIM_TX_IPA + 1, page, FFAMED_SIM_RX_IPA, 1),
		FFA_RET_INVALID_PARAMETERS);
	assert_false(g.c.rxtx_mapped);
	assert_int_equal(ffamed_posix_vm_pinned_pages(ffamed_sim_vm_posix(vm)), 0);
	sys_finish(sim);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_system),
		cmocka_unit_test(test_add_remove_announced),
		cmocka_unit_test(test_add_refusals),
		cmocka_unit_test(test_sp_refusing_creation),
		cmocka_unit_test(test_pins_follow_rxtx),
		cmocka_unit_test(test_map_outside_ram_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
