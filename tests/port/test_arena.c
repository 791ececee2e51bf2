/* SPDX-License-Identifier: MIT */
/* Physical memory: page_alloc/page_free and the firmware's pa_to_va view. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "port_fixture.h"

#define DEFAULT_PA_BASE 0x80000000ull

static bool all_zero(const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (p[i])
			return false;
	return true;
}

static void page_alloc_gives_contiguous_zeroed_firmware_pages(void **state)
{
	struct port_fixture *f = *state;
	uint64_t pa = 0;
	uint8_t *va = f->ops->page_alloc(f->host, 4, &pa);

	assert_non_null(va);
	assert_int_equal(pa % PAGE, 0);
	assert_true(pa >= DEFAULT_PA_BASE && pa + 4 * PAGE <= DEFAULT_PA_BASE + 1024 * PAGE);
	/* The firmware sees the same four pages, contiguously. */
	assert_ptr_equal(ffamed_posix_pa_to_va(f->host, pa, 4 * PAGE), va);
	assert_true(all_zero(va, 4 * PAGE));
	assert_int_equal(ffamed_posix_free_pages(f->host), 1020);

	memset(va, 0xa5, 4 * PAGE);
	f->ops->page_free(f->host, va, 4);
	assert_int_equal(ffamed_posix_free_pages(f->host), 1024);

	/* Reused pages come back zeroed. */
	va = f->ops->page_alloc(f->host, 4, &pa);
	assert_non_null(va);
	assert_true(all_zero(va, 4 * PAGE));
	f->ops->page_free(f->host, va, 4);
}

static void page_alloc_exhausts_and_recovers(void **state)
{
	const struct ffamed_posix_config cfg = {.arena_pages = 64, .seed = 1};
	struct port_fixture *f = port_fixture_new(&cfg);
	void *va[64];
	uint64_t pa[64];
	uint64_t extra_pa = 0;

	(void)state;
	for (int i = 0; i < 64; i++) {
		va[i] = f->ops->page_alloc(f->host, 1, &pa[i]);
		assert_non_null(va[i]);
		for (int j = 0; j < i; j++)
			assert_true(pa[j] != pa[i]);
	}
	assert_int_equal(ffamed_posix_free_pages(f->host), 0);
	assert_null(f->ops->page_alloc(f->host, 1, &extra_pa));

	f->ops->page_free(f->host, va[17], 1);
	assert_ptr_equal(f->ops->page_alloc(f->host, 1, &extra_pa), va[17]);
	assert_int_equal(extra_pa, pa[17]);

	for (int i = 0; i < 64; i++)
		f->ops->page_free(f->host, va[i], 1);
	port_fixture_free(f);
}

static void contiguous_run_needs_a_hole_big_enough(void **state)
{
	const struct ffamed_posix_config cfg = {.arena_pages = 8, .seed = 1};
	struct port_fixture *f = port_fixture_new(&cfg);
	uint8_t *va[8];
	uint64_t pa[8];
	uint64_t run_pa = 0;
	uint8_t *run;

	(void)state;
	for (int i = 0; i < 8; i++)
		assert_non_null(va[i] = f->ops->page_alloc(f->host, 1, &pa[i]));
	/* Holes of 2 pages and 3 pages, found by physical address. */
	for (int i = 0; i < 8; i++) {
		uint64_t idx = (pa[i] - DEFAULT_PA_BASE) / PAGE;

		if (idx == 1 || idx == 2 || idx == 5 || idx == 6 || idx == 7) {
			f->ops->page_free(f->host, va[i], 1);
			va[i] = NULL;
		}
	}
	assert_null(f->ops->page_alloc(f->host, 4, &run_pa));
	run = f->ops->page_alloc(f->host, 3, &run_pa);
	assert_non_null(run);
	assert_int_equal(run_pa, DEFAULT_PA_BASE + 5 * PAGE);
	assert_null(f->ops->page_alloc(f->host, 3, &run_pa));
	f->ops->page_free(f->host, run, 3);
	for (int i = 0; i < 8; i++)
		if (va[i])
			f->ops->page_free(f->host, va[i], 1);
	port_fixture_free(f);
}

static void pa_to_va_checks_the_whole_range(void **state)
{
	struct port_fixture *f = *state;
	const uint64_t end = DEFAULT_PA_BASE + 1024 * PAGE;
	uint8_t *base = ffamed_posix_pa_to_va(f->host, DEFAULT_PA_BASE, PAGE);

	assert_non_null(base);
	assert_null(ffamed_posix_pa_to_va(f->host, DEFAULT_PA_BASE - 1, 1));
	assert_null(ffamed_posix_pa_to_va(f->host, 0, 16));
	assert_null(ffamed_posix_pa_to_va(f->host, end, 1));
	assert_ptr_equal(ffamed_posix_pa_to_va(f->host, end - 1, 1), base + 1024 * PAGE - 1);
	assert_null(ffamed_posix_pa_to_va(f->host, end - 1, 2));
	assert_null(ffamed_posix_pa_to_va(f->host, DEFAULT_PA_BASE, 1024 * PAGE + 1));
	assert_null(ffamed_posix_pa_to_va(f->host, DEFAULT_PA_BASE + PAGE, SIZE_MAX));
	assert_null(ffamed_posix_pa_to_va(f->host, UINT64_MAX, 1));
	assert_ptr_equal(ffamed_posix_pa_to_va(f->host, DEFAULT_PA_BASE + 3 * PAGE + 5, 10),
			 base + 3 * PAGE + 5);
}

static void pa_base_is_configurable(void **state)
{
	const struct ffamed_posix_config cfg = {.arena_pages = 16, .pa_base = 0x880000000ull};
	struct port_fixture *f = port_fixture_new(&cfg);
	uint64_t pa = 0;
	void *va;

	(void)state;
	va = f->ops->page_alloc(f->host, 16, &pa);
	assert_non_null(va);
	assert_int_equal(pa, 0x880000000ull);
	assert_null(ffamed_posix_pa_to_va(f->host, DEFAULT_PA_BASE, 1));
	f->ops->page_free(f->host, va, 16);
	port_fixture_free(f);
}

static void page_free_misuse_is_counted(void **state)
{
	struct port_fixture *f = *state;
	uint8_t local[PAGE];
	uint64_t pa = 0;
	uint8_t *va = f->ops->page_alloc(f->host, 2, &pa);

	assert_non_null(va);
	f->ops->page_free(f->host, local, 1); /* not an arena page */
	assert_int_equal(ffamed_posix_error_count(f->host), 1);
	f->ops->page_free(f->host, va + 1, 1); /* not page-aligned */
	assert_int_equal(ffamed_posix_error_count(f->host), 2);
	f->ops->page_free(f->host, va, 2);
	f->ops->page_free(f->host, va, 2); /* double free */
	assert_int_equal(ffamed_posix_error_count(f->host), 3);
	assert_int_equal(ffamed_posix_free_pages(f->host), 1024);
	f->expected_errors = 3;
}

static void host_create_validates_config(void **state)
{
	struct ffamed_posix_host *host = (void *)1;
	struct ffamed_posix_config cfg = {.pa_base = 0x80000800ull};

	(void)state;
	assert_int_equal(ffamed_posix_host_create(&cfg, &host), FFA_RET_INVALID_PARAMETERS);
	assert_null(host);
	cfg = (struct ffamed_posix_config){.cpu_count = 100000};
	assert_int_equal(ffamed_posix_host_create(&cfg, &host), FFA_RET_INVALID_PARAMETERS);
	cfg = (struct ffamed_posix_config){.arena_pages = 16, .pa_base = UINT64_MAX - PAGE + 1};
	assert_int_equal(ffamed_posix_host_create(&cfg, &host), FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(ffamed_posix_host_create(NULL, NULL), FFA_RET_INVALID_PARAMETERS);
}

static void defaults_give_64_mib_at_2_gib(void **state)
{
	struct port_fixture *f = port_fixture_new(NULL);

	(void)state;
	assert_int_equal(ffamed_posix_free_pages(f->host), 16384);
	assert_non_null(ffamed_posix_pa_to_va(f->host, DEFAULT_PA_BASE, 64u << 20));
	assert_null(ffamed_posix_pa_to_va(f->host, DEFAULT_PA_BASE, (64u << 20) + 1));
	port_fixture_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(page_alloc_gives_contiguous_zeroed_firmware_pages,
						port_setup, port_teardown),
		cmocka_unit_test(page_alloc_exhausts_and_recovers),
		cmocka_unit_test(contiguous_run_needs_a_hole_big_enough),
		cmocka_unit_test_setup_teardown(pa_to_va_checks_the_whole_range, port_setup,
						port_teardown),
		cmocka_unit_test(pa_base_is_configurable),
		cmocka_unit_test_setup_teardown(page_free_misuse_is_counted, port_setup,
						port_teardown),
		cmocka_unit_test(host_create_validates_config),
		cmocka_unit_test(defaults_give_64_mib_at_2_gib),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
