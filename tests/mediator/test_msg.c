/* SPDX-License-Identifier: MIT */
/* Direct requests VM -> SP and FFA_RUN. */
#include "med_fixture.h"

static struct fix *fix;
static struct fix_vm *a, *b;

static int setup(void **state)
{
	(void)state;
	fix = fix_create(NULL);
	a = fix_vm(fix, 1, 2);
	b = fix_vm(fix, 2, 1);
	fix_negotiate(a, FFA_VERSION_1_2);
	fix_negotiate(b, FFA_VERSION_1_1);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fix_vm_destroy(a);
	fix_vm_destroy(b);
	fix_destroy(fix);
	return 0;
}

static struct ffamed_regs req(struct fix_vm *v, uint16_t vcpu, uint32_t fid, uint16_t sender,
			      uint16_t receiver, uint64_t p0, uint64_t p1)
{
	struct ffamed_regs in = {{fid, FFA_SENDER_RECEIVER(sender, receiver)}};

	if (fid == FFA_MSG_SEND_DIRECT_REQ2) {
		in.x[4] = p0;
		in.x[5] = p1;
	} else {
		in.x[3] = p0;
		in.x[4] = p1;
	}
	return fix_call_regs(v, vcpu, &in);
}

static void direct_req_good(void **state)
{
	(void)state;
	struct ffamed_regs r, in;

	/* 32-bit: junk in the upper halves is dropped both ways. */
	r = req(a, 0, FFA_MSG_SEND_DIRECT_REQ_32, 1, FIX_SP_ECHO,
		(0xABCDull << 32) | FFAMED_ECHO_CMD_WHOAMI, 0);
	assert_int_equal(r.x[0], FFA_MSG_SEND_DIRECT_RESP_32);
	assert_int_equal(r.x[1], FFA_SENDER_RECEIVER(FIX_SP_ECHO, 1));
	assert_int_equal(r.x[3], FFAMED_ECHO_CMD_WHOAMI);
	assert_int_equal(r.x[4], FIX_SP_ECHO);
	assert_int_equal(r.x[6], 1); /* the SP saw the VM as sender */
	for (int i = 8; i < FFA_NREGS; i++)
		assert_int_equal(r.x[i], 0);

	/* 64-bit payload echoed whole. */
	in = (struct ffamed_regs){{FFA_MSG_SEND_DIRECT_REQ_64, FFA_SENDER_RECEIVER(1, FIX_SP_ECHO),
				   0, 0x1111222233334444ull, 5, 6, 7, 0x8888999900001111ull,
				   0xDEAD}};
	r = fix_call_regs(a, 1, &in);
	assert_int_equal(r.x[0], FFA_MSG_SEND_DIRECT_RESP_64);
	for (int i = 3; i < 8; i++)
		assert_int_equal(r.x[i], in.x[i]);
	assert_int_equal(r.x[8], 0);

	/* REQ2 at 1.2, Nil UUID or one of the SP's. */
	in = (struct ffamed_regs){{FFA_MSG_SEND_DIRECT_REQ2, FFA_SENDER_RECEIVER(1, FIX_SP_ECHO)}};
	for (int i = 4; i < FFA_NREGS; i++)
		in.x[i] = 0x100u + (uint64_t)i;
	r = fix_call_regs(a, 0, &in);
	assert_int_equal(r.x[0], FFA_MSG_SEND_DIRECT_RESP2);
	for (int i = 4; i < FFA_NREGS; i++)
		assert_int_equal(r.x[i], in.x[i]);
	const struct ffa_uuid eu = FFAMED_SP_ECHO_UUID;
	in.x[2] = ffa_uuid_x(&eu, 0);
	in.x[3] = ffa_uuid_x(&eu, 1);
	r = fix_call_regs(a, 0, &in);
	assert_int_equal(r.x[0], FFA_MSG_SEND_DIRECT_RESP2);

	/* OP-TEE's protocol through the mediator. */
	r = req(b, 0, FFA_MSG_SEND_DIRECT_REQ_32, 2, FIX_SP_OPTEE, FFAMED_OPTEE_GET_API_VERSION, 0);
	assert_int_equal(r.x[0], FFA_MSG_SEND_DIRECT_RESP_32);
	assert_int_equal(r.x[3], FFAMED_OPTEE_API_MAJOR);
}

static void direct_req_bad(void **state)
{
	(void)state;
	uint64_t fw32 = fix_fw_count(fix, FFA_MSG_SEND_DIRECT_REQ_32);
	uint64_t fw2 = fix_fw_count(fix, FFA_MSG_SEND_DIRECT_REQ2);
	const struct ffa_uuid ou = FFAMED_SP_OPTEE_UUID;
	struct ffamed_regs r, in;

	r = req(a, 0, FFA_MSG_SEND_DIRECT_REQ_32, 2, FIX_SP_ECHO, 0, 0); /* forged sender */
	assert_ffa_error(r, FFA_RET_INVALID_PARAMETERS);
	r = req(a, 0, FFA_MSG_SEND_DIRECT_REQ_32, 0, FIX_SP_ECHO, 0, 0); /* hypervisor's ID */
	assert_ffa_error(r, FFA_RET_INVALID_PARAMETERS);
	r = req(a, 0, FFA_MSG_SEND_DIRECT_REQ_32, 1, 0x8009, 0, 0); /* no such SP */
	assert_ffa_error(r, FFA_RET_INVALID_PARAMETERS);
	r = req(a, 0, FFA_MSG_SEND_DIRECT_REQ_32, 1, 2, 0, 0); /* a VM */
	assert_ffa_error(r, FFA_RET_INVALID_PARAMETERS);
	r = req(a, 0, FFA_MSG_SEND_DIRECT_REQ_32, 1, FFA_SPMC_ID_DEFAULT, 0, 0);
	assert_ffa_error(r, FFA_RET_INVALID_PARAMETERS);
	/* Framework messages are not a guest's to send. */
	in = (struct ffamed_regs){{FFA_MSG_SEND_DIRECT_REQ_32,
				   FFA_SENDER_RECEIVER(1, FIX_SP_VMWATCH),
				   FFA_FWK_MSG(FFA_FWK_MSG_VM_DESTROYED), 0, 0, 7}};
	r = fix_call_regs(a, 0, &in);
	assert_ffa_error(r, FFA_RET_INVALID_PARAMETERS);
	in = (struct ffamed_regs){
		{FFA_MSG_SEND_DIRECT_REQ_64, (1ull << 40) | FFA_SENDER_RECEIVER(1, FIX_SP_ECHO)}};
	r = fix_call_regs(a, 0, &in);
	assert_ffa_error(r, FFA_RET_INVALID_PARAMETERS);
	/* REQ2: only for 1.2 guests, only to REQ2 receivers, matching UUID. */
	r = req(b, 0, FFA_MSG_SEND_DIRECT_REQ2, 2, FIX_SP_ECHO, 0, 0);
	assert_ffa_error(r, FFA_RET_NOT_SUPPORTED);
	r = req(a, 0, FFA_MSG_SEND_DIRECT_REQ2, 1, FIX_SP_OPTEE, 0, 0);
	assert_ffa_error(r, FFA_RET_DENIED);
	in = (struct ffamed_regs){{FFA_MSG_SEND_DIRECT_REQ2, FFA_SENDER_RECEIVER(1, FIX_SP_ECHO),
				   ffa_uuid_x(&ou, 0), ffa_uuid_x(&ou, 1)}};
	r = fix_call_regs(a, 0, &in);
	assert_ffa_error(r, FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(fix_fw_count(fix, FFA_MSG_SEND_DIRECT_REQ_32), fw32);
	assert_int_equal(fix_fw_count(fix, FFA_MSG_SEND_DIRECT_REQ2), fw2);
}

static void interrupt_and_yield_loops(void **state)
{
	(void)state;
	struct ffamed_regs r;
	int loops = 0;

	r = req(a, 0, FFA_MSG_SEND_DIRECT_REQ_32, 1, FIX_SP_ECHO, FFAMED_ECHO_CMD_INTERRUPT, 3);
	while (r.x[0] == FFA_INTERRUPT) {
		assert_int_equal(r.x[1], FFA_TARGET_INFO(FIX_SP_ECHO, 0));
		r = fix_call(a, 0, FFA_RUN, r.x[1], 0, 0, 0, 0);
		loops++;
	}
	assert_int_equal(loops, 3);
	assert_int_equal(r.x[0], FFA_MSG_SEND_DIRECT_RESP_32);
	assert_int_equal(r.x[7], 3);

	/* YIELD on the MP echo, context 2 pinned to CPU 2, REQ2 form. */
	fix_set_cpu(2);
	loops = 0;
	r = req(a, 1, FFA_MSG_SEND_DIRECT_REQ2, 1, FIX_SP_ECHO_MP, FFAMED_ECHO_CMD_YIELD, 2);
	while (r.x[0] == FFA_YIELD) {
		assert_int_equal(r.x[1], FFA_TARGET_INFO(FIX_SP_ECHO_MP, 2));
		r = fix_call(a, 1, FFA_RUN, r.x[1], 0, 0, 0, 0);
		loops++;
	}
	assert_int_equal(loops, 2);
	assert_int_equal(r.x[0], FFA_MSG_SEND_DIRECT_RESP2);
	assert_int_equal(r.x[6], 2); /* context index */
	fix_set_cpu(0);
}

static void run_is_bound_to_the_vcpu(void **state)
{
	(void)state;
	uint32_t target = FFA_TARGET_INFO(FIX_SP_ECHO, 0);
	struct ffamed_regs r;

	r = fix_call(a, 0, FFA_RUN, target, 0, 0, 0, 0);
	assert_ffa_error(r, FFA_RET_DENIED); /* nothing recorded */
	r = req(a, 0, FFA_MSG_SEND_DIRECT_REQ_64, 1, FIX_SP_ECHO, FFAMED_ECHO_CMD_INTERRUPT, 1);
	assert_int_equal(r.x[0], FFA_INTERRUPT);
	/* Malformed targets. */
	r = fix_call(a, 0, FFA_RUN, FFA_TARGET_INFO(FIX_SP_ECHO, 1), 0, 0, 0, 0);
	assert_ffa_error(r, FFA_RET_INVALID_PARAMETERS);
	r = fix_call(a, 0, FFA_RUN, FFA_TARGET_INFO(0x8009, 0), 0, 0, 0, 0);
	assert_ffa_error(r, FFA_RET_INVALID_PARAMETERS);
	r = fix_call(a, 0, FFA_RUN, FFA_TARGET_INFO(2, 0), 0, 0, 0, 0);
	assert_ffa_error(r, FFA_RET_INVALID_PARAMETERS);
	/* Another SP's valid context, another vCPU, another VM. */
	r = fix_call(a, 0, FFA_RUN, FFA_TARGET_INFO(FIX_SP_OPTEE, 0), 0, 0, 0, 0);
	assert_ffa_error(r, FFA_RET_DENIED);
	r = fix_call(a, 1, FFA_RUN, target, 0, 0, 0, 0);
	assert_ffa_error(r, FFA_RET_DENIED);
	r = fix_call(b, 0, FFA_RUN, target, 0, 0, 0, 0);
	assert_ffa_error(r, FFA_RET_DENIED);
	assert_int_equal(ffamed_spmc_ctx_state(fix->spmc, FIX_SP_ECHO, 0),
			 FFAMED_SPMC_CTX_PREEMPTED);
	/* A new request before resuming: BUSY. */
	r = req(a, 0, FFA_MSG_SEND_DIRECT_REQ_32, 1, FIX_SP_OPTEE, 0, 0);
	assert_ffa_error(r, FFA_RET_BUSY);
	/* The owner resumes and gets its own answer (64-bit, sender = VM 1). */
	r = fix_call(a, 0, FFA_RUN, target, 0, 0, 0, 0);
	assert_int_equal(r.x[0], FFA_MSG_SEND_DIRECT_RESP_64);
	assert_int_equal(r.x[6], 1);
	r = fix_call(a, 0, FFA_RUN, target, 0, 0, 0, 0);
	assert_ffa_error(r, FFA_RET_DENIED);
}

static uint32_t forge;

static bool forge_hook(struct fix *f, struct ffamed_regs *regs, void *arg)
{
	uint32_t w1 = (uint32_t)regs->x[1];

	(void)f;
	(void)arg;
	if ((uint32_t)regs->x[0] != FFA_MSG_SEND_DIRECT_REQ_32 || !forge)
		return false;
	ffa_regs_clear(regs);
	switch (forge) {
	case 1: /* wrong responder */
		regs->x[0] = FFA_MSG_SEND_DIRECT_RESP_32;
		regs->x[1] = FFA_SENDER_RECEIVER(FIX_SP_OPTEE, FFA_SENDER(w1));
		break;
	case 2: /* wrong destination */
		regs->x[0] = FFA_MSG_SEND_DIRECT_RESP_32;
		regs->x[1] = FFA_SENDER_RECEIVER(FFA_RECEIVER(w1), 2);
		break;
	case 3: /* wrong width */
		regs->x[0] = FFA_MSG_SEND_DIRECT_RESP_64;
		regs->x[1] = FFA_SENDER_RECEIVER(FFA_RECEIVER(w1), FFA_SENDER(w1));
		break;
	case 4:
		regs->x[0] = FFA_MSG_WAIT;
		break;
	case 5: /* interrupt naming another SP */
		regs->x[0] = FFA_INTERRUPT;
		regs->x[1] = FFA_TARGET_INFO(FIX_SP_OPTEE, 0);
		break;
	case 6:
		ffa_set_error(regs, FFA_RET_BUSY);
		break;
	case 7: /* upper halves set: the guest sees zero-extended words */
		regs->x[0] = FFA_MSG_SEND_DIRECT_RESP_32;
		regs->x[1] = FFA_SENDER_RECEIVER(FFA_RECEIVER(w1), FFA_SENDER(w1));
		regs->x[3] = 0xFFFFFFFF12345678ull;
		regs->x[7] = 0xFFFFFFFFFFFFFFFFull;
		regs->x[9] = 99;
		break;
	}
	return true;
}

static void bad_answers_aborted(void **state)
{
	(void)state;
	struct ffamed_regs r;

	fix->hook = forge_hook;
	for (forge = 1; forge <= 5; forge++) {
		r = req(a, 0, FFA_MSG_SEND_DIRECT_REQ_32, 1, FIX_SP_ECHO, 0, 0);
		assert_ffa_error(r, FFA_RET_ABORTED);
	}
	/* The bogus INTERRUPT gave no FFA_RUN right. */
	r = fix_call(a, 0, FFA_RUN, FFA_TARGET_INFO(FIX_SP_OPTEE, 0), 0, 0, 0, 0);
	assert_ffa_error(r, FFA_RET_DENIED);
	forge = 6;
	r = req(a, 0, FFA_MSG_SEND_DIRECT_REQ_32, 1, FIX_SP_ECHO, 0, 0);
	assert_ffa_error(r, FFA_RET_BUSY);
	forge = 7;
	r = req(a, 0, FFA_MSG_SEND_DIRECT_REQ_32, 1, FIX_SP_ECHO, 0, 0);
	assert_int_equal(r.x[0], FFA_MSG_SEND_DIRECT_RESP_32);
	assert_int_equal(r.x[3], 0x12345678u);
	assert_int_equal(r.x[7], 0xFFFFFFFFu);
	assert_int_equal(r.x[9], 0);
	forge = 0;
	fix->hook = NULL;
}

static void receiver_must_take_requests(void **state)
{
	(void)state;
	static struct ffamed_sp_echo echo;
	static struct ffamed_sp_optee optee;
	static struct ffamed_sp_config cfg[2];
	struct fix_opts o = {.sps = cfg, .sp_count = 1};
	struct fix *f;
	struct fix_vm *v;
	struct ffamed_regs r;

	ffamed_sp_echo_config(&cfg[0], &echo, 0x8040, 1);
	cfg[0].properties &= ~FFA_PART_PROP_DIRECT_REQ_RECV;
	ffamed_sp_optee_config(&cfg[1], &optee, 0x8041, 1);
	f = fix_create(&o);
	v = fix_vm(f, 1, 1);
	fix_negotiate(v, FFA_VERSION_1_2);
	r = req(v, 0, FFA_MSG_SEND_DIRECT_REQ2, 1, 0x8040, FFAMED_ECHO_CMD_WHOAMI, 0);
	assert_int_equal(r.x[0], FFA_MSG_SEND_DIRECT_RESP2);
	/* REQ_32/64 are not even served: no SP takes them. */
	r = req(v, 0, FFA_MSG_SEND_DIRECT_REQ_32, 1, 0x8040, 0, 0);
	assert_ffa_error(r, FFA_RET_NOT_SUPPORTED);
	fix_vm_destroy(v);
	fix_destroy(f);

	/* With an SP that takes them, REQ_32 is served but DENIED to 0x8040. */
	o.sp_count = 2;
	f = fix_create(&o);
	v = fix_vm(f, 1, 1);
	fix_negotiate(v, FFA_VERSION_1_0);
	r = req(v, 0, FFA_MSG_SEND_DIRECT_REQ_32, 1, 0x8040, 0, 0);
	assert_ffa_error(r, FFA_RET_DENIED);
	r = req(v, 0, FFA_MSG_SEND_DIRECT_REQ_32, 1, 0x8041, 0, 0);
	assert_int_equal(r.x[0], FFA_MSG_SEND_DIRECT_RESP_32);
	fix_vm_destroy(v);
	fix_destroy(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(direct_req_good),
		cmocka_unit_test(direct_req_bad),
		cmocka_unit_test(interrupt_and_yield_loops),
		cmocka_unit_test(run_is_bound_to_the_vcpu),
		cmocka_unit_test(bad_answers_aborted),
		cmocka_unit_test(receiver_must_take_requests),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
