/* SPDX-License-Identifier: MIT */
/* VM RAM: scattered backing, the guest's view, translation, lifetime. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "port_fixture.h"

#define RAM FFAMED_POSIX_RAM_BASE

static void vm_pas(struct ffamed_posix_vm *vm, size_t n, uint64_t *pa)
{
	for (size_t i = 0; i < n; i++)
		assert_int_equal(ffamed_posix_vm_ipa_to_pa(vm, RAM + i * PAGE, &pa[i]), 0);
}

static void scatter_is_non_identity_and_non_contiguous(void **state)
{
	struct port_fixture *f = *state;
	struct ffamed_posix_vm *vm;
	uint64_t pa[256];
	size_t adjacent = 0;

	assert_int_equal(ffamed_posix_vm_create(f->host, 1, 1, 256, &vm), 0);
	assert_int_equal(ffamed_posix_free_pages(f->host), 1024 - 256);
	vm_pas(vm, 256, pa);
	for (size_t i = 0; i < 256; i++) {
		assert_true(pa[i] != RAM + i * PAGE);
		assert_int_equal(pa[i] % PAGE, 0);
		/* Every page is real arena memory and used once. */
		assert_non_null(ffamed_posix_pa_to_va(f->host, pa[i], PAGE));
		for (size_t j = 0; j < i; j++)
			assert_true(pa[j] != pa[i]);
		if (i && pa[i] == pa[i - 1] + PAGE)
			adjacent++;
	}
	assert_true(adjacent < 256 / 8);
	ffamed_posix_vm_destroy(vm);
}

static void scatter_is_deterministic_per_seed(void **state)
{
	struct ffamed_posix_config cfg = {.arena_pages = 512, .seed = 42};
	struct port_fixture *a = port_fixture_new(&cfg);
	struct port_fixture *b = port_fixture_new(&cfg);
	struct port_fixture *c;
	struct ffamed_posix_vm *va, *vb, *vc;
	uint64_t pa_a[64], pa_b[64], pa_c[64];
	size_t same = 0;

	(void)state;
	cfg.seed = 43;
	c = port_fixture_new(&cfg);
	assert_int_equal(ffamed_posix_vm_create(a->host, 1, 1, 64, &va), 0);
	assert_int_equal(ffamed_posix_vm_create(b->host, 1, 1, 64, &vb), 0);
	assert_int_equal(ffamed_posix_vm_create(c->host, 1, 1, 64, &vc), 0);
	vm_pas(va, 64, pa_a);
	vm_pas(vb, 64, pa_b);
	vm_pas(vc, 64, pa_c);
	assert_memory_equal(pa_a, pa_b, sizeof(pa_a));
	for (size_t i = 0; i < 64; i++)
		same += pa_a[i] == pa_c[i];
	assert_true(same < 8);
	ffamed_posix_vm_destroy(va);
	ffamed_posix_vm_destroy(vb);
	ffamed_posix_vm_destroy(vc);
	port_fixture_free(a);
	port_fixture_free(b);
	port_fixture_free(c);
}

static void guest_view_aliases_physical_memory(void **state)
{
	struct port_fixture *f = *state;
	struct ffamed_posix_vm *vm;
	uint64_t pa[16];
	uint8_t *view;
	const char msg[] = "spans a page boundary";
	uint64_t last_off = PAGE - 6;

	assert_int_equal(ffamed_posix_vm_create(f->host, 1, 1, 16, &vm), 0);
	vm_pas(vm, 16, pa);
	view = ffamed_posix_vm_va(vm, RAM);
	assert_non_null(view);
	for (size_t i = 0; i < 16; i++) {
		uint8_t *phys = ffamed_posix_pa_to_va(f->host, pa[i], PAGE);

		/* Guest writes, firmware reads ... */
		memset(view + i * PAGE, (int)(0x10 + i), PAGE);
		assert_int_equal(phys[0], 0x10 + i);
		assert_int_equal(phys[PAGE - 1], 0x10 + i);
		/* ... and the other way round. */
		phys[100] = 0xee;
		assert_int_equal(view[i * PAGE + 100], 0xee);
	}
	/* The view is contiguous though the pages are not. */
	memcpy(view + 3 * PAGE + last_off, msg, sizeof(msg));
	assert_memory_equal(ffamed_posix_pa_to_va(f->host, pa[3] + last_off, 6), msg, 6);
	assert_memory_equal(ffamed_posix_pa_to_va(f->host, pa[4], sizeof(msg) - 6), msg + 6,
			    sizeof(msg) - 6);
	ffamed_posix_vm_destroy(vm);
}

static void translation_checks_bounds_and_keeps_offsets(void **state)
{
	struct port_fixture *f = *state;
	struct ffamed_posix_vm *vm;
	uint64_t pa = 0x1234, pa0 = 0;
	uint8_t *view;

	assert_int_equal(ffamed_posix_vm_create(f->host, 7, 2, 8, &vm), 0);
	assert_int_equal(ffamed_posix_vm_id(vm), 7);
	assert_int_equal(ffamed_posix_vm_vcpu_count(vm), 2);
	assert_int_equal(ffamed_posix_vm_ram_size(vm), 8 * PAGE);
	assert_ptr_equal(ffamed_posix_vm_host(vm), f->host);
	view = ffamed_posix_vm_va(vm, RAM);

	assert_null(ffamed_posix_vm_va(vm, RAM - 1));
	assert_null(ffamed_posix_vm_va(vm, 0));
	assert_null(ffamed_posix_vm_va(vm, RAM + 8 * PAGE));
	assert_null(ffamed_posix_vm_va(vm, UINT64_MAX));
	assert_ptr_equal(ffamed_posix_vm_va(vm, RAM + 8 * PAGE - 1), view + 8 * PAGE - 1);

	assert_int_equal(ffamed_posix_vm_ipa_to_pa(vm, RAM - PAGE, &pa),
			 FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(ffamed_posix_vm_ipa_to_pa(vm, RAM + 8 * PAGE, &pa),
			 FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(ffamed_posix_vm_ipa_to_pa(vm, RAM, NULL), FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(pa, 0x1234);
	assert_int_equal(ffamed_posix_vm_ipa_to_pa(vm, RAM + 2 * PAGE, &pa0), 0);
	assert_int_equal(ffamed_posix_vm_ipa_to_pa(vm, RAM + 2 * PAGE + 0x123, &pa), 0);
	assert_int_equal(pa, pa0 + 0x123);
	ffamed_posix_vm_destroy(vm);
}

static void vm_ram_starts_zeroed_and_returns_to_the_arena(void **state)
{
	struct port_fixture *f = *state;
	struct ffamed_posix_vm *vm;

	for (int round = 0; round < 3; round++) {
		uint8_t *view;

		assert_int_equal(ffamed_posix_vm_create(f->host, 1, 1, 1024, &vm), 0);
		assert_int_equal(ffamed_posix_free_pages(f->host), 0);
		view = ffamed_posix_vm_va(vm, RAM);
		for (size_t i = 0; i < 1024 * PAGE; i += 512)
			assert_int_equal(view[i], 0);
		memset(view, 0xff, 1024 * PAGE);
		ffamed_posix_vm_destroy(vm);
		assert_int_equal(ffamed_posix_free_pages(f->host), 1024);
	}
}

static void vm_create_fails_cleanly(void **state)
{
	struct port_fixture *f = *state;
	struct ffamed_posix_vm *a, *b = (void *)1;

	assert_int_equal(ffamed_posix_vm_create(f->host, 1, 0, 4, &b), FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(ffamed_posix_vm_create(f->host, 1, 1, 0, &b), FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(ffamed_posix_vm_create(f->host, 1, 1, 1025, &b),
			 FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(ffamed_posix_vm_create(f->host, 1, 1, 4, NULL),
			 FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(ffamed_posix_vm_create(f->host, 1, 1, 600, &a), 0);
	assert_int_equal(ffamed_posix_vm_create(f->host, 2, 1, 600, &b), FFA_RET_NO_MEMORY);
	assert_null(b);
	assert_int_equal(ffamed_posix_free_pages(f->host), 424);
	assert_int_equal(ffamed_posix_live_vms(f->host), 1);
	ffamed_posix_vm_destroy(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(scatter_is_non_identity_and_non_contiguous,
						port_setup, port_teardown),
		cmocka_unit_test(scatter_is_deterministic_per_seed),
		cmocka_unit_test_setup_teardown(guest_view_aliases_physical_memory, port_setup,
						port_teardown),
		cmocka_unit_test_setup_teardown(translation_checks_bounds_and_keeps_offsets,
						port_setup, port_teardown),
		cmocka_unit_test_setup_teardown(vm_ram_starts_zeroed_and_returns_to_the_arena,
						port_setup, port_teardown),
		cmocka_unit_test_setup_teardown(vm_create_fails_cleanly, port_setup, port_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
