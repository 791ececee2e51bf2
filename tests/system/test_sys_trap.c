/* SPDX-License-Identifier: MIT */
/*
 * The simulator's trap path and the port's resume slots: every call arms
 * the vCPU's slot and every call answered at once disarms it, without a
 * contract violation, whatever the call (FF-A, not FF-A, from a vCPU the VM
 * does not have). Blocked calls are the mediator's to produce: tests/port
 * has the slot under blocked calls, test_conc_system vCPUs in parallel.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sys_fixture.h"

#define SMCCC_PSCI_VERSION 0x84000000u

static size_t port_errors(struct ffamed_sim *sim)
{
	return ffamed_posix_error_count(ffamed_sim_host(sim));
}

static void calls_answered_at_once(void **state)
{
	struct ffamed_sim *sim = sys_create(1, 2, false, 0);
	struct ffamed_sim_vm *vm = ffamed_sim_find_vm(sim, 1);
	struct ffamed_posix_vm *pvm = ffamed_sim_vm_posix(vm);
	struct ffamed_regs r;

	(void)state;
	for (uint16_t vcpu = 0; vcpu < 2; vcpu++) {
		ffa_regs_clear(&r);
		r.x[0] = FFA_VERSION;
		r.x[1] = FFA_VERSION_1_2;
		ffamed_sim_guest_call(vm, vcpu, &r);
		assert_int_equal(r.x[0], FFA_VERSION_1_2);
		ffa_regs_clear(&r);
		r.x[0] = FFA_ID_GET;
		ffamed_sim_guest_call(vm, vcpu, &r);
		assert_int_equal(r.x[0], FFA_SUCCESS_32);
		assert_int_equal(r.x[2], 1);
		/* Not FF-A: the host's, answered as an unknown SMC. */
		ffa_regs_clear(&r);
		r.x[0] = SMCCC_PSCI_VERSION;
		ffamed_sim_guest_call(vm, vcpu, &r);
		assert_int_equal(r.x[0], UINT64_MAX);
		assert_false(ffamed_posix_vcpu_is_blocked(pvm, vcpu));
	}
	/* A vCPU the VM does not have: the mediator refuses, the port has
	 * no slot for it and must not count that as a violation. */
	ffa_regs_clear(&r);
	r.x[0] = FFA_ID_GET;
	ffamed_sim_guest_call(vm, 7, &r);
	assert_int_equal(ffa_error_code(&r), FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(port_errors(sim), 0);
	sys_finish(sim);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(calls_answered_at_once),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
