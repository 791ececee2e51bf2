/* SPDX-License-Identifier: MIT */
/*
 * The mediator facing a quirky SPMC, seen from the guests: whatever the
 * firmware's descriptor size or stray entries, and whether or not it takes
 * VM mailboxes, guests get their own version's format, only SPs, and a
 * working RX/TX pair; teardown leaves nothing behind.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sys_fixture.h"

static struct ffamed_sim *create_with(const struct ffamed_spmc_faults *faults)
{
	struct ffamed_sim_config cfg;
	struct ffamed_sim *sim = NULL;
	struct ffamed_fw_info fw;

	ffamed_sim_default_config(&cfg);
	cfg.vm_count = 3;
	cfg.vcpus_per_vm = 1;
	cfg.spmc_faults = faults;
	assert_int_equal(ffamed_sim_create(&cfg, &sim), FFA_RET_OK);
	ffamed_get_fw_info(ffamed_sim_mediator(sim), &fw);
	assert_int_equal(fw.sp_count, FFAMED_SIM_SP_COUNT);
	return sim;
}

/* Every version's guest sees the SPs, in its own format, and nothing else. */
/* cleared: SP property bits the guests must not see. */
static void check_guests_without(struct ffamed_sim *sim, uint32_t cleared)
{
	static const uint32_t versions[3] = {FFA_VERSION_1_0, FFA_VERSION_1_1, FFA_VERSION_1_2};

	for (uint16_t id = 1; id <= 3; id++) {
		uint32_t v = versions[id - 1];
		struct ffac_partition parts[8];
		uint32_t count = 0;
		struct sys_guest g;

		sys_guest_init(&g, ffamed_sim_find_vm(sim, id), 0);
		sys_guest_up(&g, v, true);
		assert_int_equal(ffac_partition_list(&g.c, NULL, parts, 8, &count), FFA_RET_OK);
		sys_assert_sp_list_without(sim, parts, count, v, v >= FFA_VERSION_1_1, cleared);
		if (v >= FFA_VERSION_1_2) {
			assert_int_equal(ffac_partition_list_regs(&g.c, NULL, parts, 8, &count),
					 FFA_RET_OK);
			sys_assert_sp_list_without(sim, parts, count, v, true, cleared);
		}
		sys_echo(&g, true, id);
		sys_whoami(&g, FFAMED_ECHO_CMD_INTERRUPT, 1, false);
	}
}

static void check_guests(struct ffamed_sim *sim)
{
	check_guests_without(sim, 0);
}

static void test_spmc_with_48_byte_entries(void **state)
{
	struct ffamed_spmc_faults f = {.partinfo_desc_size = 48};
	struct ffamed_sim *sim = create_with(&f);

	(void)state;
	check_guests(sim);
	sys_finish(sim);
}

static void test_spmc_listing_a_nonsecure_id(void **state)
{
	struct ffamed_spmc_faults f = {.partinfo_include_nonsecure_id = true};
	struct ffamed_sim *sim = create_with(&f);

	(void)state;
	/* check_guests asserts exactly the three SPs: 0x0042 is dropped. */
	check_guests(sim);
	sys_finish(sim);
}

static void test_spmc_without_vm_mailboxes(void **state)
{
	struct ffamed_spmc_faults f = {.no_vm_rxtx = true};
	struct ffamed_sim *sim = create_with(&f);

	(void)state;
	/* Without VM pairs at the SPMC, SPs exchange no indirect messages
	 * with VMs: their property bit 2 is not shown. */
	check_guests_without(sim, FFA_PART_PROP_INDIRECT_MSG);
	/* Nothing was forwarded to the SPMC. */
	assert_int_equal(ffamed_spmc_vm_mailbox_count(ffamed_sim_spmc(sim)), 0);
	sys_finish(sim);
}

static void test_spmc_with_vm_mailboxes(void **state)
{
	struct ffamed_sim *sim = create_with(NULL);
	uint64_t rx_pa = 0, tx_pa = 0, want_rx = 0, want_tx = 0;
	struct ffamed_sim_vm *vm;

	(void)state;
	check_guests(sim);
	/* Each guest's pair is known to the SPMC, by physical address. */
	assert_int_equal(ffamed_spmc_vm_mailbox_count(ffamed_sim_spmc(sim)), 3);
	vm = ffamed_sim_find_vm(sim, 2);
	assert_int_equal(ffamed_spmc_vm_mailbox(ffamed_sim_spmc(sim), 2, &rx_pa, &tx_pa, 1), 1);
	assert_int_equal(
		ffamed_posix_vm_ipa_to_pa(ffamed_sim_vm_posix(vm), FFAMED_SIM_RX_IPA, &want_rx),
		FFA_RET_OK);
	assert_int_equal(
		ffamed_posix_vm_ipa_to_pa(ffamed_sim_vm_posix(vm), FFAMED_SIM_TX_IPA, &want_tx),
		FFA_RET_OK);
	assert_int_equal(rx_pa, want_rx);
	assert_int_equal(tx_pa, want_tx);
	/* Removing a VM unmaps its pair at the SPMC too. */
	ffamed_sim_vm_remove(vm);
	assert_int_equal(ffamed_spmc_vm_mailbox_count(ffamed_sim_spmc(sim)), 2);
	sys_finish(sim);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spmc_with_48_byte_entries),
		cmocka_unit_test(test_spmc_listing_a_nonsecure_id),
		cmocka_unit_test(test_spmc_without_vm_mailboxes),
		cmocka_unit_test(test_spmc_with_vm_mailboxes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
