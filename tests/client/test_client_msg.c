/* SPDX-License-Identifier: MIT */
/* Client direct messaging: DIRECT_REQ 32/64, DIRECT_REQ2, the FFA_RUN loop
 * on FFA_INTERRUPT/FFA_YIELD, and every way the answer can be wrong. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "fake_conduit.h"
#include "ffamed/ffa_regs.h"

#define OWN_ID 0x0002u
#define SP_ID  0x8001u

static const struct ffa_uuid echo_uuid = {{0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09,
					   0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10}};

static struct fake_conduit fake;
static struct ffac client;

static int setup(void **state)
{
	(void)state;
	fake_init(&fake, NULL, 0);
	fake_client(&client, &fake, FFA_VERSION_1_2, OWN_ID);
	return 0;
}

static const uint64_t args5[5] = {
	0x1111111100000001ull, 0x2222222200000002ull, 0x3333333300000003ull,
	0x4444444400000004ull, 0x5555555500000005ull,
};

static void test_req32_registers_and_masking(void **state)
{
	uint64_t out[5] = {0};
	uint32_t resumes = 99;

	(void)state;
	/* The answer's high halves are junk a 32-bit caller must drop. */
	fake_push(&fake, FFA_MSG_SEND_DIRECT_RESP_32, (SP_ID << 16) | OWN_ID, 0,
		  0xFFFFFFFF0000000Aull, 0xB, 0xC, 0xD, 0xAAAAAAAA0000000Eull);
	assert_int_equal(ffac_direct_req(&client, SP_ID, false, args5, out, &resumes), FFA_RET_OK);
	fake_assert_call(&fake, 0, FFA_MSG_SEND_DIRECT_REQ_32, (OWN_ID << 16) | SP_ID, 0, 1, 2, 3,
			 4, 5);
	assert_int_equal(resumes, 0);
	assert_int_equal(out[0], 0xA);
	assert_int_equal(out[3], 0xD);
	assert_int_equal(out[4], 0xE);
}

static void test_req64_registers(void **state)
{
	uint64_t out[5] = {0};

	(void)state;
	fake_push(&fake, FFA_MSG_SEND_DIRECT_RESP_64, (SP_ID << 16) | OWN_ID, 0, args5[4], args5[3],
		  args5[2], args5[1], args5[0]);
	assert_int_equal(ffac_direct_req(&client, SP_ID, true, args5, out, NULL), FFA_RET_OK);
	fake_assert_call(&fake, 0, FFA_MSG_SEND_DIRECT_REQ_64, (OWN_ID << 16) | SP_ID, 0, args5[0],
			 args5[1], args5[2], args5[3], args5[4]);
	for (int i = 0; i < 5; i++)
		assert_int_equal(out[i], args5[4 - i]);
}

static void test_req_null_args_and_out(void **state)
{
	(void)state;
	fake_push(&fake, FFA_MSG_SEND_DIRECT_RESP_64, (SP_ID << 16) | OWN_ID, 0, 1);
	assert_int_equal(ffac_direct_req(&client, SP_ID, true, NULL, NULL, NULL), FFA_RET_OK);
	fake_assert_call(&fake, 0, FFA_MSG_SEND_DIRECT_REQ_64, (OWN_ID << 16) | SP_ID);
}

static void test_req_interrupt_and_yield_resume(void **state)
{
	uint64_t out[5] = {0};
	uint32_t resumes = 0;
	uint32_t target = (SP_ID << 16) | 1; /* SP context 1 */

	(void)state;
	fake_push(&fake, FFA_INTERRUPT, target, 27);
	fake_push(&fake, FFA_YIELD, target, 1000, 0);
	fake_push(&fake, FFA_INTERRUPT, target);
	fake_push(&fake, FFA_MSG_SEND_DIRECT_RESP_32, (SP_ID << 16) | OWN_ID, 0, 7, 8, 9, 10, 11);
	assert_int_equal(ffac_direct_req(&client, SP_ID, false, args5, out, &resumes), FFA_RET_OK);
	assert_int_equal(resumes, 3);
	assert_int_equal(fake.ncalls, 4);
	/* FFA_RUN with w1 as returned, everything else zero. */
	for (unsigned i = 1; i < 4; i++)
		fake_assert_call(&fake, i, FFA_RUN, target);
	assert_int_equal(out[0], 7);
	assert_int_equal(out[4], 11);
}

static void test_req_resume_bounded(void **state)
{
	uint64_t out[5] = {0};
	uint32_t resumes = 0;

	(void)state;
	ffa_regs_clear(&fake.fallback);
	fake.fallback.x[0] = FFA_INTERRUPT;
	fake.fallback.x[1] = (SP_ID << 16);
	assert_int_equal(ffac_direct_req(&client, SP_ID, true, args5, out, &resumes),
			 FFA_RET_INTERRUPTED);
	assert_int_equal(resumes, 1000);
	assert_int_equal(fake.ncalls, 1001);
	assert_int_equal(out[0], 0);
}

static void test_req_errors(void **state)
{
	uint64_t out[5] = {0};
	uint32_t resumes = 0;

	(void)state;
	fake_push_error(&fake, FFA_RET_BUSY);
	assert_int_equal(ffac_direct_req(&client, SP_ID, false, args5, out, &resumes),
			 FFA_RET_BUSY);
	fake_push_error(&fake, FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(ffac_direct_req(&client, 0x8009, true, args5, out, &resumes),
			 FFA_RET_INVALID_PARAMETERS);
	/* FFA_RUN itself refused. */
	fake_push(&fake, FFA_YIELD, SP_ID << 16);
	fake_push_error(&fake, FFA_RET_DENIED);
	assert_int_equal(ffac_direct_req(&client, SP_ID, false, args5, out, &resumes),
			 FFA_RET_DENIED);
	assert_int_equal(resumes, 1);
	for (int i = 0; i < 5; i++)
		assert_int_equal(out[i], 0);
}

static void test_req_unexpected_answers(void **state)
{
	uint64_t out[5] = {0};
	uint32_t resp_w1 = (SP_ID << 16) | OWN_ID;

	(void)state;
	/* Width mismatch both ways. */
	fake_push(&fake, FFA_MSG_SEND_DIRECT_RESP_64, resp_w1, 0, 1);
	assert_int_equal(ffac_direct_req(&client, SP_ID, false, args5, out, NULL), FFA_RET_ABORTED);
	fake_push(&fake, FFA_MSG_SEND_DIRECT_RESP_32, resp_w1, 0, 1);
	assert_int_equal(ffac_direct_req(&client, SP_ID, true, args5, out, NULL), FFA_RET_ABORTED);
	/* SUCCESS, MSG_WAIT and RESP2 are no answer to DIRECT_REQ. */
	fake_push(&fake, FFA_SUCCESS_32);
	assert_int_equal(ffac_direct_req(&client, SP_ID, true, args5, out, NULL), FFA_RET_ABORTED);
	fake_push(&fake, FFA_MSG_WAIT);
	assert_int_equal(ffac_direct_req(&client, SP_ID, true, args5, out, NULL), FFA_RET_ABORTED);
	fake_push(&fake, FFA_MSG_SEND_DIRECT_RESP2, resp_w1);
	assert_int_equal(ffac_direct_req(&client, SP_ID, true, args5, out, NULL), FFA_RET_ABORTED);
	/* A response from someone else, or to someone else. */
	fake_push(&fake, FFA_MSG_SEND_DIRECT_RESP_64, (0x8002u << 16) | OWN_ID, 0, 1);
	assert_int_equal(ffac_direct_req(&client, SP_ID, true, args5, out, NULL), FFA_RET_ABORTED);
	fake_push(&fake, FFA_MSG_SEND_DIRECT_RESP_64, (SP_ID << 16) | 3, 0, 1);
	assert_int_equal(ffac_direct_req(&client, SP_ID, true, args5, out, NULL), FFA_RET_ABORTED);
	/* A framework response to a partition message. */
	fake_push(&fake, FFA_MSG_SEND_DIRECT_RESP_32, resp_w1, FFA_FWK_MSG(5), 1);
	assert_int_equal(ffac_direct_req(&client, SP_ID, false, args5, out, NULL), FFA_RET_ABORTED);
	/* 64-bit INTERRUPT (v1.3) is not ours to resume: no FFA_RUN. */
	fake_push(&fake, FFA_INTERRUPT_64, SP_ID << 16);
	assert_int_equal(ffac_direct_req(&client, SP_ID, true, args5, out, NULL), FFA_RET_ABORTED);
	assert_int_equal(fake_count_fid(&fake, FFA_RUN), 0);
	for (int i = 0; i < 5; i++)
		assert_int_equal(out[i], 0);
}

static void test_req2_registers(void **state)
{
	uint64_t args[14], out[14] = {0};
	struct fake_step *s;

	(void)state;
	for (int i = 0; i < 14; i++)
		args[i] = 0xA000000000000000ull | (uint64_t)i;
	s = fake_push(&fake, FFA_MSG_SEND_DIRECT_RESP2, (SP_ID << 16) | OWN_ID);
	for (int i = 0; i < 14; i++)
		s->reply.x[4 + i] = 0xB0 + (uint64_t)i;
	assert_int_equal(ffac_direct_req2(&client, SP_ID, &echo_uuid, args, out, NULL), FFA_RET_OK);
	fake_assert_call(&fake, 0, FFA_MSG_SEND_DIRECT_REQ2, (OWN_ID << 16) | SP_ID,
			 0x0807060504030201ull, 0x100f0e0d0c0b0a09ull, args[0], args[1], args[2],
			 args[3], args[4], args[5], args[6], args[7], args[8], args[9], args[10],
			 args[11], args[12], args[13]);
	for (int i = 0; i < 14; i++)
		assert_int_equal(out[i], 0xB0 + (uint64_t)i);
}

static void test_req2_nil_uuid_and_resume(void **state)
{
	uint64_t args[14] = {42}, out[14] = {0};
	uint32_t resumes = 0;
	struct fake_step *s;

	(void)state;
	fake_push(&fake, FFA_YIELD, (SP_ID << 16) | 3);
	fake_push(&fake, FFA_INTERRUPT, (SP_ID << 16) | 3);
	s = fake_push(&fake, FFA_MSG_SEND_DIRECT_RESP2, (SP_ID << 16) | OWN_ID);
	s->reply.x[17] = 99;
	assert_int_equal(ffac_direct_req2(&client, SP_ID, NULL, args, out, &resumes), FFA_RET_OK);
	assert_int_equal(resumes, 2);
	fake_assert_call(&fake, 0, FFA_MSG_SEND_DIRECT_REQ2, (OWN_ID << 16) | SP_ID, 0, 0, 42);
	fake_assert_call(&fake, 1, FFA_RUN, (SP_ID << 16) | 3);
	fake_assert_call(&fake, 2, FFA_RUN, (SP_ID << 16) | 3);
	assert_int_equal(out[13], 99);
}

static void test_req2_errors(void **state)
{
	uint64_t args[14] = {0}, out[14] = {0};

	(void)state;
	fake_push_error(&fake, FFA_RET_NOT_SUPPORTED);
	assert_int_equal(ffac_direct_req2(&client, SP_ID, &echo_uuid, args, out, NULL),
			 FFA_RET_NOT_SUPPORTED);
	fake_push(&fake, FFA_MSG_SEND_DIRECT_RESP_64, (SP_ID << 16) | OWN_ID);
	assert_int_equal(ffac_direct_req2(&client, SP_ID, &echo_uuid, args, out, NULL),
			 FFA_RET_ABORTED);
	fake_push(&fake, FFA_MSG_SEND_DIRECT_RESP2, (0x8002u << 16) | OWN_ID);
	assert_int_equal(ffac_direct_req2(&client, SP_ID, &echo_uuid, args, out, NULL),
			 FFA_RET_ABORTED);
	fake_push(&fake, 0xFFFFFFFFFFFFFFFFull);
	assert_int_equal(ffac_direct_req2(&client, SP_ID, &echo_uuid, args, out, NULL),
			 FFA_RET_ABORTED);
}

/* ---- A VM as the receiver (docs/MESSAGING.md) ------------------------------------
 * The same loop: the target info names the receiver VM and its vCPU. */
#define VM_PEER 0x0003u

static void test_req_to_vm_interrupt_and_yield(void **state)
{
	uint64_t out[5] = {0};
	uint32_t resumes = 0;
	uint32_t interrupted = FFA_TARGET_INFO(VM_PEER, 1); /* the receiver's vCPU 1 */
	uint32_t yielded = FFA_TARGET_INFO(VM_PEER, 0);

	(void)state;
	fake_push(&fake, FFA_INTERRUPT, interrupted);
	fake_push(&fake, FFA_YIELD, yielded, 0, 0);
	fake_push(&fake, FFA_MSG_SEND_DIRECT_RESP_64, (VM_PEER << 16) | OWN_ID, 0, 21, 22, 23, 24,
		  25);
	assert_int_equal(ffac_direct_req(&client, VM_PEER, true, args5, out, &resumes), FFA_RET_OK);
	fake_assert_call(&fake, 0, FFA_MSG_SEND_DIRECT_REQ_64, (OWN_ID << 16) | VM_PEER, 0,
			 args5[0], args5[1], args5[2], args5[3], args5[4]);
	/* Each FFA_RUN names the vCPU the last answer named. */
	fake_assert_call(&fake, 1, FFA_RUN, interrupted);
	fake_assert_call(&fake, 2, FFA_RUN, yielded);
	assert_int_equal(resumes, 2);
	assert_int_equal(out[0], 21);
	assert_int_equal(out[4], 25);
}

static void test_req_to_vm_destroyed_while_interrupted(void **state)
{
	uint32_t resumes = 0;

	(void)state;
	/* The receiver went away: the FFA_RUN gets ABORTED. */
	fake_push(&fake, FFA_INTERRUPT, FFA_TARGET_INFO(VM_PEER, 0));
	fake_push_error(&fake, FFA_RET_ABORTED);
	assert_int_equal(ffac_direct_req(&client, VM_PEER, false, args5, NULL, &resumes),
			 FFA_RET_ABORTED);
	fake_assert_call(&fake, 1, FFA_RUN, FFA_TARGET_INFO(VM_PEER, 0));
	assert_int_equal(resumes, 1);
	/* Refused outright (no right to talk to it, or nobody waits). */
	fake_push_error(&fake, FFA_RET_DENIED);
	assert_int_equal(ffac_direct_req(&client, VM_PEER, false, args5, NULL, NULL),
			 FFA_RET_DENIED);
	fake_push_error(&fake, FFA_RET_BUSY);
	assert_int_equal(ffac_direct_req(&client, VM_PEER, false, args5, NULL, NULL), FFA_RET_BUSY);
	/* A response from another VM than the one asked is not the answer. */
	fake_push(&fake, FFA_MSG_SEND_DIRECT_RESP_32, (0x0004u << 16) | OWN_ID);
	assert_int_equal(ffac_direct_req(&client, VM_PEER, false, args5, NULL, NULL),
			 FFA_RET_ABORTED);
}

static void test_req2_to_vm_yield(void **state)
{
	uint64_t args[14], out[14] = {0};
	uint32_t resumes = 0;
	uint32_t yielded = FFA_TARGET_INFO(VM_PEER, 1);

	(void)state;
	for (int i = 0; i < 14; i++)
		args[i] = 100 + (uint64_t)i;
	fake_push(&fake, FFA_YIELD, yielded, 5, 0);
	fake_push(&fake, FFA_MSG_SEND_DIRECT_RESP2, (VM_PEER << 16) | OWN_ID, 0, 0, 41, 42, 43, 44,
		  45, 46, 47, 48, 49, 50, 51, 52, 53, 54);
	/* VMs have no UUID: Nil. */
	assert_int_equal(ffac_direct_req2(&client, VM_PEER, NULL, args, out, &resumes), FFA_RET_OK);
	assert_int_equal((uint32_t)fake.calls[0].x[0], FFA_MSG_SEND_DIRECT_REQ2);
	assert_int_equal(fake.calls[0].x[1], (OWN_ID << 16) | VM_PEER);
	assert_int_equal(fake.calls[0].x[2], 0);
	assert_int_equal(fake.calls[0].x[3], 0);
	assert_int_equal(fake.calls[0].x[17], 113);
	fake_assert_call(&fake, 1, FFA_RUN, yielded);
	assert_int_equal(resumes, 1);
	assert_int_equal(out[0], 41);
	assert_int_equal(out[13], 54);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_req32_registers_and_masking, setup),
		cmocka_unit_test_setup(test_req64_registers, setup),
		cmocka_unit_test_setup(test_req_null_args_and_out, setup),
		cmocka_unit_test_setup(test_req_interrupt_and_yield_resume, setup),
		cmocka_unit_test_setup(test_req_resume_bounded, setup),
		cmocka_unit_test_setup(test_req_errors, setup),
		cmocka_unit_test_setup(test_req_unexpected_answers, setup),
		cmocka_unit_test_setup(test_req2_registers, setup),
		cmocka_unit_test_setup(test_req2_nil_uuid_and_resume, setup),
		cmocka_unit_test_setup(test_req2_errors, setup),
		cmocka_unit_test_setup(test_req_to_vm_interrupt_and_yield, setup),
		cmocka_unit_test_setup(test_req_to_vm_destroyed_while_interrupted, setup),
		cmocka_unit_test_setup(test_req2_to_vm_yield, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
