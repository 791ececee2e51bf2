/* SPDX-License-Identifier: MIT */
/*
 * Direct messages between VMs (docs/MESSAGING.md): FFA_MSG_WAIT, requests,
 * responses, FFA_YIELD, FFA_RUN of a VM, ffamed_vcpu_interrupt, teardown.
 * One thread plays every vCPU: blocked calls are collected with
 * fix_resumed().
 */
#include "med_fixture.h"

static struct fix *fix;
static struct fix_vm *a, *b;

static int setup(void **state)
{
	(void)state;
	struct fix_opts o = {.med_cfg = {.vm_to_vm = true}, .blocking = true};

	fix = fix_create(&o);
	a = fix_vm(fix, 1, 2);
	b = fix_vm(fix, 2, 2);
	fix_negotiate(a, FFA_VERSION_1_2);
	fix_negotiate(b, FFA_VERSION_1_2);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	if (a)
		fix_vm_destroy(a);
	if (b)
		fix_vm_destroy(b);
	fix_destroy(fix);
	return 0;
}

static enum ffamed_call_status msg_wait(struct fix_vm *v, uint16_t vcpu)
{
	struct ffa_regs r = {{FFA_MSG_WAIT}};

	return fix_call_async(v, vcpu, &r);
}

static enum ffamed_call_status send_req(struct fix_vm *v, uint16_t vcpu, uint32_t fid, uint16_t to,
					uint64_t p, struct ffa_regs *r)
{
	*r = (struct ffa_regs){{fid, FFA_SENDER_RECEIVER(v->id, to)}};
	r->x[fid == FFA_MSG_SEND_DIRECT_REQ2 ? 4 : 3] = p;
	return fix_call_async(v, vcpu, r);
}

static enum ffamed_call_status send_resp(struct fix_vm *v, uint16_t vcpu, uint32_t fid, uint16_t to,
					 uint64_t p)
{
	struct ffa_regs r = {{fid, FFA_SENDER_RECEIVER(v->id, to)}};

	r.x[fid == FFA_MSG_SEND_DIRECT_RESP2 ? 4 : 3] = p;
	return fix_call_async(v, vcpu, &r);
}

static void ping_pong(void **state)
{
	(void)state;
	static const uint32_t fids[] = {FFA_MSG_SEND_DIRECT_REQ_32, FFA_MSG_SEND_DIRECT_REQ_64,
					FFA_MSG_SEND_DIRECT_REQ2};
	struct ffa_regs r;

	assert_int_equal(msg_wait(b, 1), FFAMED_CALL_BLOCKED);
	for (uint32_t i = 0; i < 3; i++) {
		uint32_t fid = fids[i];
		int p = fid == FFA_MSG_SEND_DIRECT_REQ2 ? 4 : 3;

		assert_int_equal(send_req(a, 0, fid, 2, 100 + i, &r), FFAMED_CALL_BLOCKED);
		/* b's wait returned the request. */
		assert_true(fix_resumed(b, 1, &r));
		assert_int_equal(r.x[0], fid);
		assert_int_equal(r.x[1], FFA_SENDER_RECEIVER(1, 2));
		assert_int_equal(r.x[p], 100 + i);
		assert_false(fix_resumed(a, 0, &r));
		/* The response goes to a; b waits again. */
		assert_int_equal(send_resp(b, 1, ffa_direct_resp_fid(fid), 1, 200 + i),
				 FFAMED_CALL_BLOCKED);
		assert_true(fix_resumed(a, 0, &r));
		assert_int_equal(r.x[0], ffa_direct_resp_fid(fid));
		assert_int_equal(r.x[1], FFA_SENDER_RECEIVER(2, 1));
		assert_int_equal(r.x[p], 200 + i);
		assert_true(fix_blocked(b, 1));
	}
	/* Take b back: its wait ends with FFA_INTERRUPT. */
	assert_true(ffamed_vcpu_interrupt(b->vm, 1));
	assert_true(fix_resumed(b, 1, &r));
	assert_int_equal(r.x[0], FFA_INTERRUPT);
	assert_false(ffamed_vcpu_interrupt(b->vm, 1));
}

static void busy_and_refusals(void **state)
{
	(void)state;
	struct ffa_regs r;

	/* Nobody waits. */
	assert_int_equal(send_req(a, 0, FFA_MSG_SEND_DIRECT_REQ_32, 2, 1, &r), FFAMED_CALL_DONE);
	assert_ffa_error(r, FFA_RET_BUSY);
	/* Unknown VM, self, forged sender. */
	assert_int_equal(send_req(a, 0, FFA_MSG_SEND_DIRECT_REQ_32, 7, 1, &r), FFAMED_CALL_DONE);
	assert_ffa_error(r, FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(send_req(a, 0, FFA_MSG_SEND_DIRECT_REQ_32, 1, 1, &r), FFAMED_CALL_DONE);
	assert_ffa_error(r, FFA_RET_INVALID_PARAMETERS);
	r = (struct ffa_regs){{FFA_MSG_SEND_DIRECT_REQ_32, FFA_SENDER_RECEIVER(2, 2)}};
	assert_int_equal(fix_call_async(a, 0, &r), FFAMED_CALL_DONE);
	assert_ffa_error(r, FFA_RET_INVALID_PARAMETERS);
	/* A response with no request held; a yield with none. */
	assert_int_equal(send_resp(b, 0, FFA_MSG_SEND_DIRECT_RESP_32, 1, 0), FFAMED_CALL_DONE);
	r = (struct ffa_regs){{FFA_YIELD}};
	assert_int_equal(fix_call_async(b, 0, &r), FFAMED_CALL_DONE);
	assert_ffa_error(r, FFA_RET_DENIED);
	/* MSG_WAIT with junk. */
	r = (struct ffa_regs){{FFA_MSG_WAIT, 1}};
	assert_int_equal(fix_call_async(b, 0, &r), FFAMED_CALL_DONE);
	assert_ffa_error(r, FFA_RET_INVALID_PARAMETERS);

	/* Width mismatch on the response. */
	assert_int_equal(msg_wait(b, 0), FFAMED_CALL_BLOCKED);
	assert_int_equal(send_req(a, 1, FFA_MSG_SEND_DIRECT_REQ_64, 2, 5, &r), FFAMED_CALL_BLOCKED);
	assert_true(fix_resumed(b, 0, &r));
	assert_int_equal(send_resp(b, 0, FFA_MSG_SEND_DIRECT_RESP_32, 1, 0), FFAMED_CALL_DONE);
	/* MSG_WAIT while holding a request. */
	assert_int_equal(msg_wait(b, 0), FFAMED_CALL_DONE);
	/* a's vCPU 1 has a request out: no other request from it. */
	assert_int_equal(send_resp(b, 0, FFA_MSG_SEND_DIRECT_RESP_64, 1, 6), FFAMED_CALL_BLOCKED);
	assert_true(fix_resumed(a, 1, &r));
	assert_int_equal(r.x[3], 6);
	assert_true(ffamed_vcpu_interrupt(b->vm, 0));
	assert_true(fix_resumed(b, 0, &r));
}

static void yield_interrupt_run(void **state)
{
	(void)state;
	struct ffa_regs r;

	assert_int_equal(msg_wait(b, 0), FFAMED_CALL_BLOCKED);
	assert_int_equal(send_req(a, 0, FFA_MSG_SEND_DIRECT_REQ_64, 2, 9, &r), FFAMED_CALL_BLOCKED);
	assert_true(fix_resumed(b, 0, &r));
	/* b yields: a gets FFA_YIELD naming b's vCPU. */
	r = (struct ffa_regs){{FFA_YIELD, 0, 10, 0}};
	assert_int_equal(fix_call_async(b, 0, &r), FFAMED_CALL_BLOCKED);
	assert_true(fix_resumed(a, 0, &r));
	assert_int_equal(r.x[0], FFA_YIELD);
	assert_int_equal(r.x[1], FFA_TARGET_INFO(2, 0));
	assert_int_equal(r.x[2], 10);
	/* Only the right target may be run. */
	r = (struct ffa_regs){{FFA_RUN, FFA_TARGET_INFO(2, 1)}};
	assert_int_equal(fix_call_async(a, 0, &r), FFAMED_CALL_DONE);
	assert_ffa_error(r, FFA_RET_DENIED);
	/* a runs b: b's yield returns SUCCESS, a waits again. */
	r = (struct ffa_regs){{FFA_RUN, FFA_TARGET_INFO(2, 0)}};
	assert_int_equal(fix_call_async(a, 0, &r), FFAMED_CALL_BLOCKED);
	assert_true(fix_resumed(b, 0, &r));
	assert_int_equal(r.x[0], FFA_SUCCESS_32);
	/* The host takes a back: FFA_INTERRUPT naming b's vCPU. */
	assert_true(ffamed_vcpu_interrupt(a->vm, 0));
	assert_true(fix_resumed(a, 0, &r));
	assert_int_equal(r.x[0], FFA_INTERRUPT);
	assert_int_equal(r.x[1], FFA_TARGET_INFO(2, 0));
	/* b answers meanwhile: kept for a's FFA_RUN. */
	assert_int_equal(send_resp(b, 0, FFA_MSG_SEND_DIRECT_RESP_64, 1, 77), FFAMED_CALL_BLOCKED);
	r = (struct ffa_regs){{FFA_RUN, FFA_TARGET_INFO(2, 0)}};
	assert_int_equal(fix_call_async(a, 0, &r), FFAMED_CALL_DONE);
	assert_int_equal(r.x[0], FFA_MSG_SEND_DIRECT_RESP_64);
	assert_int_equal(r.x[3], 77);
	assert_true(ffamed_vcpu_interrupt(b->vm, 0));
	assert_true(fix_resumed(b, 0, &r));
}

static void receiver_destroyed(void **state)
{
	(void)state;
	struct ffa_regs r;

	assert_int_equal(msg_wait(b, 0), FFAMED_CALL_BLOCKED);
	assert_int_equal(send_req(a, 0, FFA_MSG_SEND_DIRECT_REQ_32, 2, 1, &r), FFAMED_CALL_BLOCKED);
	assert_true(fix_resumed(b, 0, &r));
	/* The host drops b's vCPU and destroys b: a's request is ABORTED. */
	fix_vm_destroy(b);
	b = NULL;
	assert_true(fix_resumed(a, 0, &r));
	assert_ffa_error(r, FFA_RET_ABORTED);
	/* And a can send again (BUSY: nobody; not a stale outstanding request). */
	assert_int_equal(
		send_req(a, 0, FFA_MSG_SEND_DIRECT_REQ_32, FIX_SP_ECHO, FFAMED_ECHO_CMD_WHOAMI, &r),
		FFAMED_CALL_DONE);
	assert_int_equal(r.x[0], FFA_MSG_SEND_DIRECT_RESP_32);
}

static void sender_destroyed(void **state)
{
	(void)state;
	struct ffa_regs r;

	assert_int_equal(msg_wait(b, 0), FFAMED_CALL_BLOCKED);
	assert_int_equal(send_req(a, 0, FFA_MSG_SEND_DIRECT_REQ_32, 2, 1, &r), FFAMED_CALL_BLOCKED);
	assert_true(fix_resumed(b, 0, &r));
	/* Destroying a drops its blocked call (the host's to handle). */
	fix_vm_destroy(a);
	a = NULL;
	/* b's response goes nowhere; b waits again. */
	assert_int_equal(send_resp(b, 0, FFA_MSG_SEND_DIRECT_RESP_32, 1, 3), FFAMED_CALL_BLOCKED);
	assert_true(ffamed_vcpu_interrupt(b->vm, 0));
	assert_true(fix_resumed(b, 0, &r));
	assert_int_equal(r.x[0], FFA_INTERRUPT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(ping_pong, setup, teardown),
		cmocka_unit_test_setup_teardown(busy_and_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(yield_interrupt_run, setup, teardown),
		cmocka_unit_test_setup_teardown(receiver_destroyed, setup, teardown),
		cmocka_unit_test_setup_teardown(sender_destroyed, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
