/* SPDX-License-Identifier: MIT */
/* Guest memory ops: guest_page_pin/unpin and map_pages/unmap_pages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "port_fixture.h"

#define RAM   FFAMED_POSIX_RAM_BASE
#define PAGES 16u

struct vm_fixture {
	struct port_fixture *f;
	struct ffamed_posix_vm *vm;
};

static int vm_setup(void **state)
{
	static struct vm_fixture v;
	void *pf;

	port_setup(&pf);
	v.f = pf;
	assert_int_equal(ffamed_posix_vm_create(v.f->host, 1, 1, PAGES, &v.vm), 0);
	*state = &v;
	return 0;
}

static int vm_teardown(void **state)
{
	struct vm_fixture *v = *state;
	void *pf = v->f;

	assert_int_equal(ffamed_posix_vm_pinned_pages(v->vm), 0);
	ffamed_posix_vm_destroy(v->vm);
	return port_teardown(&pf);
}

static int32_t pin(struct vm_fixture *v, uint64_t ipa, bool write, uint64_t *pa)
{
	return v->f->ops->guest_page_pin(v->f->host, v->vm, ipa, write, pa);
}

static void unpin(struct vm_fixture *v, uint64_t pa)
{
	v->f->ops->guest_page_unpin(v->f->host, v->vm, pa);
}

static void pin_translates_and_counts(void **state)
{
	struct vm_fixture *v = *state;
	uint64_t pa = 0, expect = 0;

	assert_int_equal(pin(v, RAM + 5 * PAGE, true, &pa), 0);
	assert_int_equal(ffamed_posix_vm_ipa_to_pa(v->vm, RAM + 5 * PAGE, &expect), 0);
	assert_int_equal(pa, expect);
	assert_int_equal(ffamed_posix_vm_pinned_pages(v->vm), 1);
	assert_int_equal(ffamed_posix_vm_page_pins(v->vm, RAM + 5 * PAGE), 1);
	assert_int_equal(ffamed_posix_vm_page_pins(v->vm, RAM + 4 * PAGE), 0);
	unpin(v, pa);
	assert_int_equal(ffamed_posix_vm_pinned_pages(v->vm), 0);
}

static void pin_refuses_what_is_not_guest_ram(void **state)
{
	struct vm_fixture *v = *state;
	const uint64_t bad[] = {
		0,
		RAM - PAGE,
		RAM + PAGES * PAGE,
		RAM + 1000 * PAGE,
		RAM + 1,
		RAM + PAGE + 0x800,
		UINT64_MAX & ~(uint64_t)(PAGE - 1),
		0x80000000ull, /* a PA of the arena is no IPA */
	};
	uint64_t pa = 0xdead;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(pin(v, bad[i], false, &pa), FFA_RET_INVALID_PARAMETERS);
		assert_int_equal(pin(v, bad[i], true, &pa), FFA_RET_INVALID_PARAMETERS);
	}
	assert_int_equal(pin(v, RAM, false, NULL), FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(pa, 0xdead);
	assert_int_equal(ffamed_posix_vm_pinned_pages(v->vm), 0);
	/* The last page is in. */
	assert_int_equal(pin(v, RAM + (PAGES - 1) * PAGE, true, &pa), 0);
	unpin(v, pa);
}

static void pin_fault_injection(void **state)
{
	struct vm_fixture *v = *state;
	uint64_t pa = 0, pa2 = 0;

	ffamed_posix_vm_fail_pin(v->vm, RAM + 3 * PAGE);
	assert_int_equal(pin(v, RAM + 3 * PAGE, false, &pa), FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(pin(v, RAM + 3 * PAGE, true, &pa), FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(pin(v, RAM + 2 * PAGE, true, &pa2), 0);
	assert_int_equal(ffamed_posix_vm_pinned_pages(v->vm), 1);
	ffamed_posix_vm_fail_pin(v->vm, ~(uint64_t)0);
	assert_int_equal(pin(v, RAM + 3 * PAGE, true, &pa), 0);
	unpin(v, pa);
	unpin(v, pa2);
}

static void pin_for_write_honours_readonly(void **state)
{
	struct vm_fixture *v = *state;
	uint64_t pa = 0;

	ffamed_posix_vm_set_readonly(v->vm, RAM + 6 * PAGE, true);
	assert_int_equal(pin(v, RAM + 6 * PAGE, true, &pa), FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(pin(v, RAM + 6 * PAGE, false, &pa), 0);
	unpin(v, pa);
	ffamed_posix_vm_set_readonly(v->vm, RAM + 6 * PAGE, false);
	assert_int_equal(pin(v, RAM + 6 * PAGE, true, &pa), 0);
	unpin(v, pa);
}

static void pins_nest_and_bad_unpins_are_counted(void **state)
{
	struct vm_fixture *v = *state;
	struct ffamed_posix_vm *other;
	uint64_t pa[3], other_pa = 0;

	for (int i = 0; i < 3; i++)
		assert_int_equal(pin(v, RAM + 9 * PAGE, i != 1, &pa[i]), 0);
	assert_int_equal(pa[0], pa[1]);
	assert_int_equal(pa[1], pa[2]);
	assert_int_equal(ffamed_posix_vm_page_pins(v->vm, RAM + 9 * PAGE), 3);
	assert_int_equal(ffamed_posix_vm_pinned_pages(v->vm), 3);
	for (int i = 0; i < 3; i++) {
		unpin(v, pa[0]);
		assert_int_equal(ffamed_posix_vm_page_pins(v->vm, RAM + 9 * PAGE), 2 - i);
	}
	assert_int_equal(ffamed_posix_error_count(v->f->host), 0);

	unpin(v, pa[0]); /* not pinned any more */
	assert_int_equal(ffamed_posix_error_count(v->f->host), 1);
	unpin(v, pa[0] + 8); /* not a page address */
	assert_int_equal(ffamed_posix_error_count(v->f->host), 2);
	unpin(v, RAM + 9 * PAGE); /* an IPA, not a PA */
	assert_int_equal(ffamed_posix_error_count(v->f->host), 3);

	/* A page of another VM is not this VM's to unpin. */
	assert_int_equal(ffamed_posix_vm_create(v->f->host, 2, 1, 4, &other), 0);
	assert_int_equal(v->f->ops->guest_page_pin(v->f->host, other, RAM, true, &other_pa), 0);
	unpin(v, other_pa);
	assert_int_equal(ffamed_posix_error_count(v->f->host), 4);
	assert_int_equal(ffamed_posix_vm_pinned_pages(other), 1);
	v->f->ops->guest_page_unpin(v->f->host, other, other_pa);
	ffamed_posix_vm_destroy(other);
	v->f->expected_errors = 4;
}

static void map_pages_gives_a_contiguous_alias_of_scattered_pages(void **state)
{
	struct vm_fixture *v = *state;
	const uint64_t ipa_page[] = {7, 2, 9, 0, 4, 15};
	enum { N = sizeof(ipa_page) / sizeof(ipa_page[0]) };
	uint64_t pa[N];
	uint8_t *map;

	for (size_t k = 0; k < N; k++) {
		uint8_t *g = ffamed_posix_vm_va(v->vm, RAM + ipa_page[k] * PAGE);

		assert_int_equal(pin(v, RAM + ipa_page[k] * PAGE, true, &pa[k]), 0);
		memset(g, (int)(0x40 + k), PAGE);
	}
	map = v->f->ops->map_pages(v->f->host, pa, N);
	assert_non_null(map);
	assert_int_equal(ffamed_posix_mapped_pages(v->f->host), N);
	for (size_t k = 0; k < N; k++) {
		uint8_t *g = ffamed_posix_vm_va(v->vm, RAM + ipa_page[k] * PAGE);

		assert_int_equal(map[k * PAGE], 0x40 + k);
		assert_int_equal(map[k * PAGE + PAGE - 1], 0x40 + k);
		/* The guest keeps writing under the mediator ... */
		g[10] = 0x99;
		assert_int_equal(map[k * PAGE + 10], 0x99);
		/* ... and sees what the mediator writes. */
		map[k * PAGE + 20] = 0x77;
		assert_int_equal(g[20], 0x77);
	}
	v->f->ops->unmap_pages(v->f->host, map, N);
	assert_int_equal(ffamed_posix_mapped_pages(v->f->host), 0);
	for (size_t k = 0; k < N; k++)
		unpin(v, pa[k]);
}

static void map_pages_refuses_bad_addresses(void **state)
{
	struct vm_fixture *v = *state;
	uint64_t pa[2] = {0, 0};
	uint64_t free_pa = 0;
	void *page;

	assert_int_equal(pin(v, RAM, true, &pa[0]), 0);
	assert_null(v->f->ops->map_pages(v->f->host, pa, 0));
	assert_null(v->f->ops->map_pages(v->f->host, NULL, 1));
	assert_int_equal(ffamed_posix_error_count(v->f->host), 0);

	pa[1] = pa[0] + 1; /* unaligned */
	assert_null(v->f->ops->map_pages(v->f->host, pa, 2));
	pa[1] = 0x1000; /* outside the arena */
	assert_null(v->f->ops->map_pages(v->f->host, pa, 2));
	/* A free arena page. */
	page = v->f->ops->page_alloc(v->f->host, 1, &free_pa);
	v->f->ops->page_free(v->f->host, page, 1);
	pa[1] = free_pa;
	assert_null(v->f->ops->map_pages(v->f->host, pa, 2));
	assert_int_equal(ffamed_posix_error_count(v->f->host), 3);
	assert_int_equal(ffamed_posix_mapped_pages(v->f->host), 0);
	unpin(v, pa[0]);
	v->f->expected_errors = 3;
}

static void unmap_pages_refuses_what_was_not_mapped(void **state)
{
	struct vm_fixture *v = *state;
	uint64_t pa[2];
	uint8_t *map;

	assert_int_equal(pin(v, RAM + PAGE, true, &pa[0]), 0);
	assert_int_equal(pin(v, RAM + 8 * PAGE, true, &pa[1]), 0);
	map = v->f->ops->map_pages(v->f->host, pa, 2);
	assert_non_null(map);
	v->f->ops->unmap_pages(v->f->host, map + PAGE, 1);
	v->f->ops->unmap_pages(v->f->host, map, 1);
	assert_int_equal(ffamed_posix_error_count(v->f->host), 2);
	/* Still mapped after the refused calls. */
	map[PAGE + 1] = 3;
	assert_int_equal(((uint8_t *)ffamed_posix_vm_va(v->vm, RAM + 8 * PAGE))[1], 3);
	v->f->ops->unmap_pages(v->f->host, map, 2);
	v->f->ops->unmap_pages(v->f->host, map, 2);
	assert_int_equal(ffamed_posix_error_count(v->f->host), 3);
	unpin(v, pa[0]);
	unpin(v, pa[1]);
	v->f->expected_errors = 3;
}

static void page_alloc_pages_can_be_mapped_too(void **state)
{
	struct vm_fixture *v = *state;
	uint64_t pa[3];
	uint64_t run_pa = 0;
	uint8_t *run = v->f->ops->page_alloc(v->f->host, 2, &run_pa);
	uint8_t *map;

	assert_non_null(run);
	assert_int_equal(pin(v, RAM + 3 * PAGE, true, &pa[1]), 0);
	pa[0] = run_pa + PAGE;
	pa[2] = run_pa;
	map = v->f->ops->map_pages(v->f->host, pa, 3);
	assert_non_null(map);
	run[5] = 1;
	run[PAGE + 5] = 2;
	assert_int_equal(map[5], 2);
	assert_int_equal(map[2 * PAGE + 5], 1);
	v->f->ops->unmap_pages(v->f->host, map, 3);
	v->f->ops->page_free(v->f->host, run, 2);
	unpin(v, pa[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(pin_translates_and_counts, vm_setup, vm_teardown),
		cmocka_unit_test_setup_teardown(pin_refuses_what_is_not_guest_ram, vm_setup,
						vm_teardown),
		cmocka_unit_test_setup_teardown(pin_fault_injection, vm_setup, vm_teardown),
		cmocka_unit_test_setup_teardown(pin_for_write_honours_readonly, vm_setup,
						vm_teardown),
		cmocka_unit_test_setup_teardown(pins_nest_and_bad_unpins_are_counted, vm_setup,
						vm_teardown),
		cmocka_unit_test_setup_teardown(
			map_pages_gives_a_contiguous_alias_of_scattered_pages, vm_setup,
			vm_teardown),
		cmocka_unit_test_setup_teardown(map_pages_refuses_bad_addresses, vm_setup,
						vm_teardown),
		cmocka_unit_test_setup_teardown(unmap_pages_refuses_what_was_not_mapped, vm_setup,
						vm_teardown),
		cmocka_unit_test_setup_teardown(page_alloc_pages_can_be_mapped_too, vm_setup,
						vm_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
