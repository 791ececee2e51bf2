/* SPDX-License-Identifier: MIT */
/* VM references: memory lives until the last of host and mediator refs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "port_fixture.h"

#define RAM FFAMED_POSIX_RAM_BASE

static void references_keep_memory_until_the_last_put(void **state)
{
	struct port_fixture *f = *state;
	struct ffamed_posix_vm *vm;
	uint64_t pa = 0;
	uint8_t *view;

	assert_int_equal(ffamed_posix_vm_create(f->host, 3, 1, 32, &vm), 0);
	f->ops->vm_get(f->host, vm);
	f->ops->vm_get(f->host, vm);
	ffamed_posix_vm_destroy(vm);
	assert_int_equal(ffamed_posix_live_vms(f->host), 1);
	assert_int_equal(ffamed_posix_free_pages(f->host), 1024 - 32);

	/* The mediator can still use the memory it holds a reference for. */
	view = ffamed_posix_vm_va(vm, RAM + PAGE);
	memset(view, 0x5a, PAGE);
	assert_int_equal(f->ops->guest_page_pin(f->host, vm, RAM + PAGE, true, &pa), 0);
	assert_int_equal(*(uint8_t *)ffamed_posix_pa_to_va(f->host, pa, 1), 0x5a);
	f->ops->guest_page_unpin(f->host, vm, pa);

	f->ops->vm_put(f->host, vm);
	assert_int_equal(ffamed_posix_live_vms(f->host), 1);
	assert_int_equal(ffamed_posix_free_pages(f->host), 1024 - 32);
	f->ops->vm_put(f->host, vm);
	assert_int_equal(ffamed_posix_live_vms(f->host), 0);
	assert_int_equal(ffamed_posix_free_pages(f->host), 1024);
}

static void mediator_reference_outlives_host_reference(void **state)
{
	struct port_fixture *f = *state;
	struct ffamed_posix_vm *vm;

	assert_int_equal(ffamed_posix_vm_create(f->host, 3, 1, 8, &vm), 0);
	f->ops->vm_get(f->host, vm);
	f->ops->vm_put(f->host, vm);
	assert_int_equal(ffamed_posix_live_vms(f->host), 1);
	ffamed_posix_vm_destroy(vm);
	assert_int_equal(ffamed_posix_live_vms(f->host), 0);
}

static void freeing_a_vm_with_pins_is_an_error_not_a_crash(void **state)
{
	struct port_fixture *f = *state;
	struct ffamed_posix_vm *vm;
	uint64_t pa = 0;

	assert_int_equal(ffamed_posix_vm_create(f->host, 3, 1, 8, &vm), 0);
	assert_int_equal(f->ops->guest_page_pin(f->host, vm, RAM, true, &pa), 0);
	assert_int_equal(f->ops->guest_page_pin(f->host, vm, RAM, true, &pa), 0);
	f->ops->vm_get(f->host, vm);
	ffamed_posix_vm_destroy(vm);
	assert_int_equal(ffamed_posix_error_count(f->host), 0);
	f->ops->vm_put(f->host, vm);
	assert_int_equal(ffamed_posix_error_count(f->host), 1);
	assert_int_equal(ffamed_posix_live_vms(f->host), 0);
	assert_int_equal(ffamed_posix_free_pages(f->host), 1024);
	f->expected_errors = 1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(references_keep_memory_until_the_last_put,
						port_setup, port_teardown),
		cmocka_unit_test_setup_teardown(mediator_reference_outlives_host_reference,
						port_setup, port_teardown),
		cmocka_unit_test_setup_teardown(freeing_a_vm_with_pins_is_an_error_not_a_crash,
						port_setup, port_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
