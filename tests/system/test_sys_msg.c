/* SPDX-License-Identifier: MIT */
/*
 * Direct messaging end to end: DIRECT_REQ of each width, DIRECT_REQ2, the
 * FFA_INTERRUPT/FFA_YIELD resume loop, OP-TEE's protocol, and the requests
 * the mediator must refuse (forged sender, unknown SP, FFA_RUN by anyone but
 * the preempted vCPU).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sys_fixture.h"

#define ECHO  FFAMED_SIM_ECHO_ID
#define OPTEE FFAMED_SIM_OPTEE_ID

static const struct ffa_uuid echo_uuid = FFAMED_SP_ECHO_UUID;
static const struct ffa_uuid optee_uuid = FFAMED_SP_OPTEE_UUID;

static struct ffamed_sim *sim;
static struct sys_guest g12, g11, g10; /* VM 1 at v1.2, VM 2 at v1.1, VM 3 at v1.0 */

static int setup(void **state)
{
	(void)state;
	sim = sys_create(3, 2, false, 16);
	sys_guest_init(&g12, ffamed_sim_find_vm(sim, 1), 0);
	sys_guest_up(&g12, FFA_VERSION_1_2, true);
	sys_guest_init(&g11, ffamed_sim_find_vm(sim, 2), 0);
	sys_guest_up(&g11, FFA_VERSION_1_1, true);
	sys_guest_init(&g10, ffamed_sim_find_vm(sim, 3), 0);
	sys_guest_up(&g10, FFA_VERSION_1_0, true);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	sys_finish(sim);
	return 0;
}

static uint64_t echo_responses(void)
{
	return atomic_load(&ffamed_sim_echo(sim)->responses);
}

static void test_direct_req_each_width(void **state)
{
	uint64_t before = echo_responses();

	(void)state;
	sys_echo(&g12, false, 1);
	sys_echo(&g12, true, 2);
	sys_echo(&g11, false, 3);
	sys_echo(&g11, true, 4);
	sys_echo(&g10, false, 5);
	sys_echo(&g10, true, 6);
	assert_int_equal(echo_responses(), before + 6);
	assert_int_equal(ffamed_sim_vm_call_count(g12.vm, FFA_MSG_SEND_DIRECT_REQ_32), 1);
	assert_int_equal(ffamed_sim_vm_call_count(g12.vm, FFA_MSG_SEND_DIRECT_REQ_64), 1);
}

static void test_req32_high_halves_dropped(void **state)
{
	struct ffamed_regs r;

	(void)state;
	/* A 32-bit request with junk in the upper halves: the SP sees and
	 * the guest gets back 32-bit values only. */
	ffa_regs_clear(&r);
	r.x[0] = FFA_MSG_SEND_DIRECT_REQ_32;
	r.x[1] = 0xFFFFFFFF00000000ull | FFA_SENDER_RECEIVER(1, ECHO);
	for (int i = 3; i < 8; i++)
		r.x[i] = 0xABCDEF0000000000ull | (uint64_t)(0x1000 + i);
	sys_guest_raw(&g12, &r);
	assert_int_equal(r.x[0], FFA_MSG_SEND_DIRECT_RESP_32);
	assert_int_equal(r.x[1], FFA_SENDER_RECEIVER(ECHO, 1));
	for (int i = 3; i < 8; i++)
		assert_int_equal(r.x[i], 0x1000 + i);
}

static void test_interrupt_and_yield_resume(void **state)
{
	struct ffamed_sp_echo *echo = ffamed_sim_echo(sim);
	uint64_t resumes = atomic_load(&echo->resumes);

	(void)state;
	sys_whoami(&g12, FFAMED_ECHO_CMD_WHOAMI, 0, true);
	sys_whoami(&g12, FFAMED_ECHO_CMD_INTERRUPT, 3, false);
	sys_whoami(&g11, FFAMED_ECHO_CMD_YIELD, 2, true);
	sys_whoami(&g10, FFAMED_ECHO_CMD_INTERRUPT, 1, true);
	assert_int_equal(atomic_load(&echo->resumes), resumes + 6);
	assert_int_equal(ffamed_sim_vm_call_count(g12.vm, FFA_RUN), 3);
	assert_int_equal(ffamed_sim_vm_call_count(g11.vm, FFA_RUN), 2);
	assert_int_equal(ffamed_sim_vm_call_count(g10.vm, FFA_RUN), 1);
}

static void test_req2(void **state)
{
	uint64_t args[14], out[14] = {0};
	uint32_t resumes = 9;

	(void)state;
	for (int i = 0; i < 14; i++)
		args[i] = 0x5A5A000000000000ull + (uint64_t)i;
	assert_int_equal(ffac_direct_req2(&g12.c, ECHO, &echo_uuid, args, out, &resumes),
			 FFA_RET_OK);
	assert_int_equal(resumes, 0);
	assert_memory_equal(out, args, sizeof(args));

	/* Nil UUID: the partition's default service; preempted twice. */
	memset(args, 0, sizeof(args));
	args[0] = FFAMED_ECHO_CMD_INTERRUPT;
	args[1] = 2;
	assert_int_equal(ffac_direct_req2(&g12.c, ECHO, NULL, args, out, &resumes), FFA_RET_OK);
	assert_int_equal(resumes, 2);
	assert_int_equal(out[1], ECHO);
	assert_int_equal(out[3], 1);
	assert_int_equal(out[4], 2);
	args[0] = FFAMED_ECHO_CMD_YIELD;
	args[1] = 1;
	assert_int_equal(ffac_direct_req2(&g12.c, ECHO, NULL, args, out, &resumes), FFA_RET_OK);
	assert_int_equal(resumes, 1);
}

static void test_req2_refusals(void **state)
{
	static const struct ffa_uuid vmwatch_uuid = FFAMED_SP_VMWATCH_UUID;
	uint64_t args[14] = {1}, out[14];

	(void)state;
	/* Below v1.2 there is no REQ2. */
	assert_int_equal(ffac_direct_req2(&g11.c, ECHO, &echo_uuid, args, out, NULL),
			 FFA_RET_NOT_SUPPORTED);
	assert_int_equal(ffac_direct_req2(&g10.c, ECHO, NULL, args, out, NULL),
			 FFA_RET_NOT_SUPPORTED);
	/* OP-TEE does not receive REQ2. */
	assert_int_equal(ffac_direct_req2(&g12.c, OPTEE, &optee_uuid, args, out, NULL),
			 FFA_RET_DENIED);
	/* ECHO does not offer VMWATCH's service. */
	assert_int_equal(ffac_direct_req2(&g12.c, ECHO, &vmwatch_uuid, args, out, NULL),
			 FFA_RET_INVALID_PARAMETERS);
}

static void test_optee_protocol(void **state)
{
	struct ffamed_sp_optee *optee = ffamed_sim_optee(sim);
	uint64_t args[5] = {FFAMED_OPTEE_GET_API_VERSION}, out[5];
	uint64_t calls = atomic_load(&optee->calls[FFAMED_OPTEE_GET_API_VERSION]);

	(void)state;
	assert_int_equal(ffac_direct_req(&g10.c, OPTEE, false, args, out, NULL), FFA_RET_OK);
	assert_int_equal(out[0], FFAMED_OPTEE_API_MAJOR);
	assert_int_equal(out[1], FFAMED_OPTEE_API_MINOR);
	args[0] = FFAMED_OPTEE_EXCHANGE_CAPABILITIES;
	assert_int_equal(ffac_direct_req(&g11.c, OPTEE, false, args, out, NULL), FFA_RET_OK);
	assert_int_equal(out[0], 0);
	assert_int_equal(out[1], FFAMED_OPTEE_RPC_PARAMS);
	assert_int_equal(out[2], FFAMED_OPTEE_CAP_ARG_OFFSET | FFAMED_OPTEE_CAP_ASYNC_NOTIF);
	args[0] = FFAMED_OPTEE_GET_OS_VERSION;
	assert_int_equal(ffac_direct_req(&g12.c, OPTEE, false, args, out, NULL), FFA_RET_OK);
	assert_int_equal(out[0], FFAMED_OPTEE_OS_MAJOR);
	assert_int_equal(out[1], FFAMED_OPTEE_OS_MINOR);
	assert_int_equal(out[2], FFAMED_OPTEE_OS_BUILD_ID);
	assert_int_equal(atomic_load(&optee->calls[FFAMED_OPTEE_GET_API_VERSION]), calls + 1);
}

static void test_direct_req_refusals(void **state)
{
	uint64_t args[5] = {1}, out[5];
	struct ffamed_regs r;

	(void)state;
	/* No such partition; a VM receiver (VM-to-VM is off). */
	assert_int_equal(ffac_direct_req(&g12.c, 0x8FFF, true, args, out, NULL),
			 FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(ffac_direct_req(&g12.c, 2, true, args, out, NULL),
			 FFA_RET_INVALID_PARAMETERS);
	/* A forged sender. */
	ffa_regs_clear(&r);
	r.x[0] = FFA_MSG_SEND_DIRECT_REQ_64;
	r.x[1] = FFA_SENDER_RECEIVER(2, ECHO);
	sys_guest_raw(&g12, &r);
	assert_int_equal(ffa_result(&r), FFA_RET_INVALID_PARAMETERS);
	/* Framework messages are not a guest's to send. */
	ffa_regs_clear(&r);
	r.x[0] = FFA_MSG_SEND_DIRECT_REQ_32;
	r.x[1] = FFA_SENDER_RECEIVER(1, FFAMED_SIM_VMWATCH_ID);
	r.x[2] = FFA_FWK_MSG(FFA_FWK_MSG_VM_DESTROYED);
	r.x[5] = 2;
	sys_guest_raw(&g12, &r);
	assert_int_equal(ffa_result(&r), FFA_RET_INVALID_PARAMETERS);
	assert_true(ffamed_sp_vmwatch_is_live(ffamed_sim_vmwatch(sim), 2));
}

static void test_version_is_per_vm(void **state)
{
	struct ffamed_sim_vm *added = NULL;
	struct sys_guest fresh, sibling;
	struct ffamed_regs r;

	(void)state;
	/* A VM that never asked FFA_VERSION is refused everything else. */
	assert_int_equal(ffamed_sim_vm_add(sim, 7, 1, &added), FFA_RET_OK);
	sys_guest_init(&fresh, added, 0);
	ffa_regs_clear(&r);
	r.x[0] = FFA_MSG_SEND_DIRECT_REQ_64;
	r.x[1] = FFA_SENDER_RECEIVER(7, ECHO);
	sys_guest_raw(&fresh, &r);
	assert_int_equal(ffa_result(&r), FFA_RET_NOT_SUPPORTED);
	ffamed_sim_vm_remove(added);

	/* VM 1's version is final: its other vCPUs are served without asking. */
	sys_guest_init(&sibling, g12.vm, 1);
	ffa_regs_clear(&r);
	r.x[0] = FFA_MSG_SEND_DIRECT_REQ_64;
	r.x[1] = FFA_SENDER_RECEIVER(1, ECHO);
	sys_guest_raw(&sibling, &r);
	assert_int_equal(r.x[0], FFA_MSG_SEND_DIRECT_RESP_64);
	assert_int_equal(ffamed_vm_version(ffamed_sim_vm_mediator(g12.vm)), FFA_VERSION_1_2);
	assert_int_equal(ffamed_vm_version(ffamed_sim_vm_mediator(g10.vm)), FFA_VERSION_1_0);
}

static void test_run_bound_to_preempted_vcpu(void **state)
{
	struct sys_guest other_vcpu;
	struct ffamed_regs r, run;
	uint32_t target;

	(void)state;
	sys_guest_init(&other_vcpu, g12.vm, 1);
	/* Preempt a request of VM 1 vCPU 0, by hand. */
	ffa_regs_clear(&r);
	r.x[0] = FFA_MSG_SEND_DIRECT_REQ_64;
	r.x[1] = FFA_SENDER_RECEIVER(1, ECHO);
	r.x[3] = FFAMED_ECHO_CMD_INTERRUPT;
	r.x[4] = 1;
	sys_guest_raw(&g12, &r);
	assert_int_equal(r.x[0], FFA_INTERRUPT);
	target = (uint32_t)r.x[1];
	assert_int_equal(FFA_TARGET_EP(target), ECHO);
	assert_int_equal(ffamed_spmc_ctx_state(ffamed_sim_spmc(sim), ECHO, FFA_TARGET_VCPU(target)),
			 FFAMED_SPMC_CTX_PREEMPTED);

	/* Nobody else may resume it: another vCPU, another VM. */
	ffa_regs_clear(&run);
	run.x[0] = FFA_RUN;
	run.x[1] = target;
	sys_guest_raw(&other_vcpu, &run);
	assert_int_equal(ffa_result(&run), FFA_RET_DENIED);
	ffa_regs_clear(&run);
	run.x[0] = FFA_RUN;
	run.x[1] = target;
	sys_guest_raw(&g11, &run);
	assert_int_equal(ffa_result(&run), FFA_RET_DENIED);
	/* A new request before resuming the old one: busy. */
	ffa_regs_clear(&r);
	r.x[0] = FFA_MSG_SEND_DIRECT_REQ_32;
	r.x[1] = FFA_SENDER_RECEIVER(1, OPTEE);
	sys_guest_raw(&g12, &r);
	assert_int_equal(ffa_result(&r), FFA_RET_BUSY);

	/* The preempted vCPU resumes and gets its answer. */
	ffa_regs_clear(&run);
	run.x[0] = FFA_RUN;
	run.x[1] = target;
	sys_guest_raw(&g12, &run);
	assert_int_equal(run.x[0], FFA_MSG_SEND_DIRECT_RESP_64);
	assert_int_equal(run.x[1], FFA_SENDER_RECEIVER(ECHO, 1));
	assert_int_equal(run.x[3], FFAMED_ECHO_CMD_INTERRUPT);
	assert_int_equal(run.x[7], 1);
	/* Done: a second FFA_RUN has nothing to resume. */
	ffa_regs_clear(&run);
	run.x[0] = FFA_RUN;
	run.x[1] = target;
	sys_guest_raw(&g12, &run);
	assert_int_equal(ffa_result(&run), FFA_RET_DENIED);
	assert_int_equal(ffamed_spmc_ctx_state(ffamed_sim_spmc(sim), ECHO, FFA_TARGET_VCPU(target)),
			 FFAMED_SPMC_CTX_IDLE);
	sys_echo(&g12, true, 77);
}

static void test_unknown_smc(void **state)
{
	struct ffamed_regs r;

	(void)state;
	/* PSCI_VERSION is not FF-A: the hypervisor says unknown function. */
	ffa_regs_clear(&r);
	r.x[0] = 0x84000000u;
	sys_guest_raw(&g12, &r);
	assert_int_equal(r.x[0], UINT64_MAX);
	assert_int_equal(ffamed_sim_vm_call_count(g12.vm, 0), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_direct_req_each_width, setup, teardown),
		cmocka_unit_test_setup_teardown(test_req32_high_halves_dropped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_interrupt_and_yield_resume, setup, teardown),
		cmocka_unit_test_setup_teardown(test_req2, setup, teardown),
		cmocka_unit_test_setup_teardown(test_req2_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_optee_protocol, setup, teardown),
		cmocka_unit_test_setup_teardown(test_direct_req_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_version_is_per_vm, setup, teardown),
		cmocka_unit_test_setup_teardown(test_run_bound_to_preempted_vcpu, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_smc, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
