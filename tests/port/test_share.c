/* SPDX-License-Identifier: MIT */
/* Memory sharing ops: owner access (lend) and the borrowed window. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "port_fixture.h"

#define RAM FFAMED_POSIX_RAM_BASE
#define WIN FFAMED_POSIX_WINDOW_BASE

static void lend_revokes_and_reclaim_restores(void **state)
{
	struct port_fixture *f = *state;
	struct ffamed_posix_vm *vm;
	uint64_t pa[4];

	assert_int_equal(ffamed_posix_vm_create(f->host, 1, 1, 16, &vm), 0);
	for (int i = 0; i < 4; i++)
		assert_int_equal(
			f->ops->guest_page_pin(f->host, vm, RAM + (4 + i) * PAGE, true, &pa[i]), 0);
	memset(ffamed_posix_vm_va(vm, RAM + 4 * PAGE), 0x11, PAGE);
	assert_int_equal(
		f->ops->guest_set_access(f->host, vm, RAM + 4 * PAGE, 4, FFAMED_ACCESS_NONE), 0);
	assert_int_equal(ffamed_posix_vm_revoked_pages(vm), 4);
	assert_false(ffamed_posix_vm_page_accessible(vm, RAM + 5 * PAGE));
	assert_true(ffamed_posix_vm_page_accessible(vm, RAM + 8 * PAGE));
	/* Firmware still reaches the page through its PA. */
	assert_int_equal(*(uint8_t *)ffamed_posix_pa_to_va(f->host, pa[0], 1), 0x11);
	/* Revoking twice is a contract violation, nothing changes. */
	assert_int_equal(
		f->ops->guest_set_access(f->host, vm, RAM + 4 * PAGE, 1, FFAMED_ACCESS_NONE),
		FFA_RET_INVALID_PARAMETERS);
	f->expected_errors++;
	/* So is a page the mediator does not hold pinned, or outside RAM. */
	assert_int_equal(
		f->ops->guest_set_access(f->host, vm, RAM + 9 * PAGE, 1, FFAMED_ACCESS_NONE),
		FFA_RET_INVALID_PARAMETERS);
	f->expected_errors++;
	assert_int_equal(
		f->ops->guest_set_access(f->host, vm, RAM + 15 * PAGE, 2, FFAMED_ACCESS_NONE),
		FFA_RET_INVALID_PARAMETERS);
	f->expected_errors++;
	assert_int_equal(f->ops->guest_set_access(f->host, vm, RAM + 4 * PAGE, 4, FFAMED_ACCESS_RW),
			 0);
	assert_int_equal(ffamed_posix_vm_revoked_pages(vm), 0);
	/* The guest's view works again. */
	assert_int_equal(*(uint8_t *)ffamed_posix_vm_va(vm, RAM + 4 * PAGE), 0x11);
	for (int i = 0; i < 4; i++)
		f->ops->guest_page_unpin(f->host, vm, pa[i]);
	ffamed_posix_vm_destroy(vm);
}

static void borrowed_window_aliases_lender_pages(void **state)
{
	struct port_fixture *f = *state;
	struct ffamed_posix_vm *a, *b;
	uint64_t pa[8], ipa[8], ipa2[2];

	assert_int_equal(ffamed_posix_vm_create(f->host, 1, 1, 32, &a), 0);
	assert_int_equal(ffamed_posix_vm_create(f->host, 2, 1, 32, &b), 0);
	for (int i = 0; i < 8; i++) {
		assert_int_equal(
			f->ops->guest_page_pin(f->host, a, RAM + (i * 3) * PAGE, true, &pa[i]), 0);
		*(uint32_t *)ffamed_posix_vm_va(a, RAM + (i * 3) * PAGE) =
			0xC0DE0000u + (uint32_t)i;
	}
	assert_null(ffamed_posix_vm_va(b, WIN));
	assert_int_equal(f->ops->borrow_map(f->host, b, pa, 8, true, ipa), 0);
	assert_int_equal(ffamed_posix_vm_borrowed_pages(b), 8);
	for (int i = 0; i < 8; i++) {
		/* Consecutive window addresses, the lender's bytes. */
		assert_int_equal(ipa[i], WIN + (uint64_t)i * PAGE);
		assert_int_equal(*(uint32_t *)ffamed_posix_vm_va(b, ipa[i]),
				 0xC0DE0000u + (uint32_t)i);
	}
	*(uint32_t *)ffamed_posix_vm_va(b, ipa[2] + 8) = 0xFEEDu;
	assert_int_equal(*(uint32_t *)ffamed_posix_vm_va(a, RAM + 6 * PAGE + 8), 0xFEEDu);
	/* A second borrow goes after the first. */
	assert_int_equal(f->ops->borrow_map(f->host, b, pa, 2, false, ipa2), 0);
	assert_int_equal(ipa2[0], WIN + 8 * PAGE);
	f->ops->borrow_unmap(f->host, b, ipa, 8);
	assert_null(ffamed_posix_vm_va(b, ipa[0]));
	assert_int_equal(ffamed_posix_vm_borrowed_pages(b), 2);
	/* A bad PA is refused with nothing mapped; a double unmap is an error. */
	{
		uint64_t bad[2] = {pa[0], 0x10};

		assert_int_equal(f->ops->borrow_map(f->host, b, bad, 2, true, ipa),
				 FFA_RET_INVALID_PARAMETERS);
		f->expected_errors++;
		assert_int_equal(ffamed_posix_vm_borrowed_pages(b), 2);
	}
	f->ops->borrow_unmap(f->host, b, ipa, 1);
	f->expected_errors++;
	f->ops->borrow_unmap(f->host, b, ipa2, 2);
	assert_int_equal(ffamed_posix_vm_borrowed_pages(b), 0);
	for (int i = 0; i < 8; i++)
		f->ops->guest_page_unpin(f->host, a, pa[i]);
	ffamed_posix_vm_destroy(b);
	ffamed_posix_vm_destroy(a);
}

/* Window pages held by donation can be lent on: set_access takes them out
 * of the window view and gives back the protection they were mapped with;
 * an unmap while revoked settles the count. */
static void window_pages_lent_on(void **state)
{
	struct port_fixture *f = *state;
	struct ffamed_posix_vm *a, *b;
	uint64_t pa[2], ipa[2], ro[1];

	assert_int_equal(ffamed_posix_vm_create(f->host, 1, 1, 32, &a), 0);
	assert_int_equal(ffamed_posix_vm_create(f->host, 2, 1, 32, &b), 0);
	for (int i = 0; i < 2; i++)
		assert_int_equal(
			f->ops->guest_page_pin(f->host, a, RAM + (uint64_t)i * PAGE, true, &pa[i]),
			0);
	assert_int_equal(f->ops->borrow_map(f->host, b, pa, 2, true, ipa), 0);
	assert_int_equal(f->ops->guest_set_access(f->host, b, ipa[0], 2, FFAMED_ACCESS_NONE), 0);
	assert_int_equal(ffamed_posix_vm_revoked_pages(b), 2);
	/* Twice, or a window page not mapped: errors, nothing changed. */
	assert_int_equal(f->ops->guest_set_access(f->host, b, ipa[0], 1, FFAMED_ACCESS_NONE),
			 FFA_RET_INVALID_PARAMETERS);
	f->expected_errors++;
	assert_int_equal(f->ops->guest_set_access(f->host, b, ipa[1] + PAGE, 1, FFAMED_ACCESS_NONE),
			 FFA_RET_INVALID_PARAMETERS);
	f->expected_errors++;
	assert_int_equal(f->ops->guest_set_access(f->host, b, ipa[0], 2, FFAMED_ACCESS_RW), 0);
	assert_int_equal(ffamed_posix_vm_revoked_pages(b), 0);
	*(uint32_t *)ffamed_posix_vm_va(b, ipa[1]) = 0x600Du;
	assert_int_equal(*(uint32_t *)ffamed_posix_vm_va(a, RAM + PAGE), 0x600Du);
	/* Unmapped while revoked (the holder's teardown): the count settles. */
	assert_int_equal(f->ops->guest_set_access(f->host, b, ipa[1], 1, FFAMED_ACCESS_NONE), 0);
	f->ops->borrow_unmap(f->host, b, ipa, 2);
	assert_int_equal(ffamed_posix_vm_revoked_pages(b), 0);
	/* A read-only window page: taken and given back (to its read-only
	 * mapping, which this test does not probe). */
	assert_int_equal(f->ops->borrow_map(f->host, b, pa, 1, false, ro), 0);
	assert_int_equal(f->ops->guest_set_access(f->host, b, ro[0], 1, FFAMED_ACCESS_NONE), 0);
	assert_int_equal(f->ops->guest_set_access(f->host, b, ro[0], 1, FFAMED_ACCESS_RW), 0);
	assert_int_equal(ffamed_posix_vm_revoked_pages(b), 0);
	f->ops->borrow_unmap(f->host, b, ro, 1);
	for (int i = 0; i < 2; i++)
		f->ops->guest_page_unpin(f->host, a, pa[i]);
	ffamed_posix_vm_destroy(b);
	ffamed_posix_vm_destroy(a);
}

/* What the guest itself may do: RAM rw unless lent, window pages as mapped. */
static void guest_access_follows_lend_and_borrow(void **state)
{
	struct port_fixture *f = *state;
	struct ffamed_posix_vm *a, *b;
	uint64_t pa[2], ipa[2];

	assert_int_equal(ffamed_posix_vm_create(f->host, 1, 1, 16, &a), 0);
	assert_int_equal(ffamed_posix_vm_create(f->host, 2, 1, 16, &b), 0);
	assert_int_equal(ffamed_posix_vm_access(a, RAM + 3 * PAGE + 5), FFAMED_POSIX_ACCESS_RW);
	assert_int_equal(ffamed_posix_vm_access(a, RAM + 16 * PAGE), FFAMED_POSIX_ACCESS_NONE);
	assert_int_equal(ffamed_posix_vm_access(a, RAM - 1), FFAMED_POSIX_ACCESS_NONE);
	assert_int_equal(ffamed_posix_vm_access(b, WIN), FFAMED_POSIX_ACCESS_NONE);
	for (int i = 0; i < 2; i++)
		assert_int_equal(
			f->ops->guest_page_pin(f->host, a, RAM + (3 + i) * PAGE, true, &pa[i]), 0);
	assert_int_equal(
		f->ops->guest_set_access(f->host, a, RAM + 3 * PAGE, 1, FFAMED_ACCESS_NONE), 0);
	assert_int_equal(ffamed_posix_vm_access(a, RAM + 3 * PAGE), FFAMED_POSIX_ACCESS_NONE);
	assert_int_equal(ffamed_posix_vm_access(a, RAM + 4 * PAGE), FFAMED_POSIX_ACCESS_RW);
	/* One page mapped read-only, one read-write. */
	assert_int_equal(f->ops->borrow_map(f->host, b, &pa[0], 1, false, &ipa[0]), 0);
	assert_int_equal(f->ops->borrow_map(f->host, b, &pa[1], 1, true, &ipa[1]), 0);
	assert_int_equal(ffamed_posix_vm_access(b, ipa[0] + 7), FFAMED_POSIX_ACCESS_RO);
	assert_int_equal(ffamed_posix_vm_access(b, ipa[1]), FFAMED_POSIX_ACCESS_RW);
	assert_int_equal(ffamed_posix_vm_access(b, ipa[1] + PAGE), FFAMED_POSIX_ACCESS_NONE);
	f->ops->borrow_unmap(f->host, b, ipa, 2);
	assert_int_equal(ffamed_posix_vm_access(b, ipa[0]), FFAMED_POSIX_ACCESS_NONE);
	assert_int_equal(f->ops->guest_set_access(f->host, a, RAM + 3 * PAGE, 1, FFAMED_ACCESS_RW),
			 0);
	assert_int_equal(ffamed_posix_vm_access(a, RAM + 3 * PAGE), FFAMED_POSIX_ACCESS_RW);
	for (int i = 0; i < 2; i++)
		f->ops->guest_page_unpin(f->host, a, pa[i]);
	ffamed_posix_vm_destroy(b);
	ffamed_posix_vm_destroy(a);
}

/* contiguous_ram: one physical run per VM, one guest-view mapping. */
static void contiguous_ram_vm(void **state)
{
	struct ffamed_posix_config cfg = {.arena_pages = 2048, .seed = 3, .contiguous_ram = true};
	struct port_fixture *f = port_fixture_new(&cfg);
	struct ffamed_posix_vm *a, *b;
	static uint64_t pa[1024], ipa[1024];

	(void)state;
	assert_int_equal(ffamed_posix_vm_create(f->host, 1, 1, 1024, &a), 0);
	assert_int_equal(ffamed_posix_vm_create(f->host, 2, 1, 16, &b), 0);
	for (size_t i = 0; i < 1024; i++) {
		assert_int_equal(f->ops->guest_page_pin(f->host, a, RAM + i * PAGE, true, &pa[i]),
				 0);
		if (i)
			assert_int_equal(pa[i], pa[i - 1] + PAGE);
	}
	*(uint32_t *)ffamed_posix_vm_va(a, RAM + 1000 * PAGE) = 0xABCD;
	assert_int_equal(*(uint32_t *)ffamed_posix_pa_to_va(f->host, pa[1000], 4), 0xABCD);
	assert_int_equal(f->ops->guest_set_access(f->host, a, RAM, 1024, FFAMED_ACCESS_NONE), 0);
	assert_int_equal(f->ops->borrow_map(f->host, b, pa, 1024, false, ipa), 0);
	assert_int_equal(*(uint32_t *)ffamed_posix_vm_va(b, ipa[1000]), 0xABCD);
	f->ops->borrow_unmap(f->host, b, ipa, 1024);
	assert_int_equal(f->ops->guest_set_access(f->host, a, RAM, 1024, FFAMED_ACCESS_RW), 0);
	for (size_t i = 0; i < 1024; i++)
		f->ops->guest_page_unpin(f->host, a, pa[i]);
	ffamed_posix_vm_destroy(b);
	ffamed_posix_vm_destroy(a);
	port_fixture_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(lend_revokes_and_reclaim_restores, port_setup,
						port_teardown),
		cmocka_unit_test_setup_teardown(borrowed_window_aliases_lender_pages, port_setup,
						port_teardown),
		cmocka_unit_test_setup_teardown(window_pages_lent_on, port_setup, port_teardown),
		cmocka_unit_test_setup_teardown(guest_access_follows_lend_and_borrow, port_setup,
						port_teardown),
		cmocka_unit_test(contiguous_ram_vm),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
