/* SPDX-License-Identifier: MIT */
/*
 * Direct messages between VMs (docs/MESSAGING.md): FFA_MSG_WAIT, requests,
 * responses, FFA_YIELD, FFA_RUN of a VM, ffamed_vcpu_interrupt, teardown.
 * One thread plays every vCPU: blocked calls are collected with
 * fix_resumed().
 */
#include "med_fixture.h"

static struct fix *fix;
static struct fix_vm *a, *b, *c;

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
	if (c)
		fix_vm_destroy(c);
	a = b = c = NULL;
	fix_destroy(fix);
	return 0;
}

static enum ffamed_call_status msg_wait(struct fix_vm *v, uint16_t vcpu)
{
	struct ffamed_regs r = {{FFA_MSG_WAIT}};

	return fix_call_async(v, vcpu, &r);
}

static enum ffamed_call_status send_req(struct fix_vm *v, uint16_t vcpu, uint32_t fid, uint16_t to,
					uint64_t p, struct ffamed_regs *r)
{
	*r = (struct ffamed_regs){{fid, FFA_SENDER_RECEIVER(v->id, to)}};
	r->x[fid == FFA_MSG_SEND_DIRECT_REQ2 ? 4 : 3] = p;
	return fix_call_async(v, vcpu, r);
}

static enum ffamed_call_status send_resp(struct fix_vm *v, uint16_t vcpu, uint32_t fid, uint16_t to,
					 uint64_t p)
{
	struct ffamed_regs r = {{fid, FFA_SENDER_RECEIVER(v->id, to)}};

	r.x[fid == FFA_MSG_SEND_DIRECT_RESP2 ? 4 : 3] = p;
	return fix_call_async(v, vcpu, &r);
}

/* A call that must be answered at once; its reply. */
static struct ffamed_regs done(struct fix_vm *v, uint16_t vcpu, struct ffamed_regs r)
{
	assert_int_equal(fix_call_async(v, vcpu, &r), FFAMED_CALL_DONE);
	return r;
}

/* A call that must block. */
static void blocks(struct fix_vm *v, uint16_t vcpu, struct ffamed_regs r)
{
	assert_int_equal(fix_call_async(v, vcpu, &r), FFAMED_CALL_BLOCKED);
}

/* The reply a blocked call got (it must have got one). */
static struct ffamed_regs got(struct fix_vm *v, uint16_t vcpu)
{
	struct ffamed_regs r;

	assert_true(fix_resumed(v, vcpu, &r));
	return r;
}

static struct ffamed_regs req(struct fix_vm *v, uint32_t fid, uint16_t to, uint64_t p)
{
	struct ffamed_regs r = {{fid, FFA_SENDER_RECEIVER(v->id, to)}};

	r.x[fid == FFA_MSG_SEND_DIRECT_REQ2 ? 4 : 3] = p;
	return r;
}

/* The host takes a blocked vCPU back: its call returns FFA_INTERRUPT, w1. */
static void take_back(struct fix_vm *v, uint16_t vcpu, uint32_t w1)
{
	struct ffamed_regs r;

	assert_true(ffamed_vcpu_interrupt(v->vm, vcpu));
	r = got(v, vcpu);
	assert_int_equal(r.x[0], FFA_INTERRUPT);
	assert_int_equal(r.x[1], w1);
}

/* vCPU `rv` of `r` waits, `s`'s vCPU `sv` sends `fid` with payload p: the
 * receiver holds it. */
static void deliver(struct fix_vm *s, uint16_t sv, struct fix_vm *r, uint16_t rv, uint32_t fid,
		    uint64_t p)
{
	struct ffamed_regs x;

	assert_int_equal(msg_wait(r, rv), FFAMED_CALL_BLOCKED);
	blocks(s, sv, req(s, fid, r->id, p));
	x = got(r, rv);
	assert_int_equal(x.x[0], fid);
	assert_int_equal(x.x[fid == FFA_MSG_SEND_DIRECT_REQ2 ? 4 : 3], p);
}

static void ping_pong(void **state)
{
	(void)state;
	static const uint32_t fids[] = {FFA_MSG_SEND_DIRECT_REQ_32, FFA_MSG_SEND_DIRECT_REQ_64,
					FFA_MSG_SEND_DIRECT_REQ2};
	struct ffamed_regs r;

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
	struct ffamed_regs r;

	/* Nobody waits. */
	assert_int_equal(send_req(a, 0, FFA_MSG_SEND_DIRECT_REQ_32, 2, 1, &r), FFAMED_CALL_DONE);
	assert_ffa_error(r, FFA_RET_BUSY);
	/* Unknown VM, self, forged sender. */
	assert_int_equal(send_req(a, 0, FFA_MSG_SEND_DIRECT_REQ_32, 7, 1, &r), FFAMED_CALL_DONE);
	assert_ffa_error(r, FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(send_req(a, 0, FFA_MSG_SEND_DIRECT_REQ_32, 1, 1, &r), FFAMED_CALL_DONE);
	assert_ffa_error(r, FFA_RET_INVALID_PARAMETERS);
	r = (struct ffamed_regs){{FFA_MSG_SEND_DIRECT_REQ_32, FFA_SENDER_RECEIVER(2, 2)}};
	assert_int_equal(fix_call_async(a, 0, &r), FFAMED_CALL_DONE);
	assert_ffa_error(r, FFA_RET_INVALID_PARAMETERS);
	/* A response with no request held; a yield with none. */
	assert_int_equal(send_resp(b, 0, FFA_MSG_SEND_DIRECT_RESP_32, 1, 0), FFAMED_CALL_DONE);
	r = (struct ffamed_regs){{FFA_YIELD}};
	assert_int_equal(fix_call_async(b, 0, &r), FFAMED_CALL_DONE);
	assert_ffa_error(r, FFA_RET_DENIED);
	/* MSG_WAIT with junk. */
	r = (struct ffamed_regs){{FFA_MSG_WAIT, 1}};
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
	struct ffamed_regs r;

	assert_int_equal(msg_wait(b, 0), FFAMED_CALL_BLOCKED);
	assert_int_equal(send_req(a, 0, FFA_MSG_SEND_DIRECT_REQ_64, 2, 9, &r), FFAMED_CALL_BLOCKED);
	assert_true(fix_resumed(b, 0, &r));
	/* b yields: a gets FFA_YIELD naming b's vCPU. */
	r = (struct ffamed_regs){{FFA_YIELD, 0, 10, 0}};
	assert_int_equal(fix_call_async(b, 0, &r), FFAMED_CALL_BLOCKED);
	assert_true(fix_resumed(a, 0, &r));
	assert_int_equal(r.x[0], FFA_YIELD);
	assert_int_equal(r.x[1], FFA_TARGET_INFO(2, 0));
	assert_int_equal(r.x[2], 10);
	/* Only the right target may be run. */
	r = (struct ffamed_regs){{FFA_RUN, FFA_TARGET_INFO(2, 1)}};
	assert_int_equal(fix_call_async(a, 0, &r), FFAMED_CALL_DONE);
	assert_ffa_error(r, FFA_RET_DENIED);
	/* a runs b: b's yield returns SUCCESS, a waits again. */
	r = (struct ffamed_regs){{FFA_RUN, FFA_TARGET_INFO(2, 0)}};
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
	r = (struct ffamed_regs){{FFA_RUN, FFA_TARGET_INFO(2, 0)}};
	assert_int_equal(fix_call_async(a, 0, &r), FFAMED_CALL_DONE);
	assert_int_equal(r.x[0], FFA_MSG_SEND_DIRECT_RESP_64);
	assert_int_equal(r.x[3], 77);
	assert_true(ffamed_vcpu_interrupt(b->vm, 0));
	assert_true(fix_resumed(b, 0, &r));
}

static void receiver_destroyed(void **state)
{
	(void)state;
	struct ffamed_regs r;

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
	struct ffamed_regs r;

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

/* Every refusal of a request to a VM, in the documented order. */
static void request_refusals(void **state)
{
	(void)state;
	struct ffa_uuid u = {{1}};
	struct ffamed_regs r;

	c = fix_vm(fix, 3, 1);
	fix_negotiate(c, FFA_VERSION_1_1);
	/* Receivers wait throughout: a refusal never comes from "nobody". */
	assert_int_equal(msg_wait(b, 0), FFAMED_CALL_BLOCKED);
	assert_int_equal(msg_wait(c, 0), FFAMED_CALL_BLOCKED);

	/* Forged sender (also in the upper half of x1 for SMC64). */
	r = req(a, FFA_MSG_SEND_DIRECT_REQ_64, 2, 1);
	r.x[1] = FFA_SENDER_RECEIVER(3, 2);
	assert_ffa_error(done(a, 0, r), FFA_RET_INVALID_PARAMETERS);
	r = req(a, FFA_MSG_SEND_DIRECT_REQ_64, 2, 1);
	r.x[1] |= 1ull << 32;
	assert_ffa_error(done(a, 0, r), FFA_RET_INVALID_PARAMETERS);
	/* Self, the hypervisor, an unknown VM. */
	assert_ffa_error(done(a, 0, req(a, FFA_MSG_SEND_DIRECT_REQ_32, 1, 1)),
			 FFA_RET_INVALID_PARAMETERS);
	assert_ffa_error(done(a, 0, req(a, FFA_MSG_SEND_DIRECT_REQ_64, FFA_HYP_ID, 1)),
			 FFA_RET_INVALID_PARAMETERS);
	assert_ffa_error(done(a, 0, req(a, FFA_MSG_SEND_DIRECT_REQ2, 9, 1)),
			 FFA_RET_INVALID_PARAMETERS);
	/* w2 is the framework-message flag: not a guest's, even to an unknown VM. */
	r = req(a, FFA_MSG_SEND_DIRECT_REQ_32, 2, 1);
	r.x[2] = 1;
	assert_ffa_error(done(a, 0, r), FFA_RET_INVALID_PARAMETERS);
	r = req(a, FFA_MSG_SEND_DIRECT_REQ_64, 2, 1);
	r.x[2] = 1ull << 40;
	assert_ffa_error(done(a, 0, r), FFA_RET_INVALID_PARAMETERS);
	/* REQ2 with a UUID the VM was not given (none); checked before the
	 * version. */
	r = req(a, FFA_MSG_SEND_DIRECT_REQ2, 2, 1);
	r.x[2] = ffa_uuid_x(&u, 0);
	assert_ffa_error(done(a, 0, r), FFA_RET_INVALID_PARAMETERS);
	r = req(a, FFA_MSG_SEND_DIRECT_REQ2, 3, 1);
	r.x[3] = 1;
	assert_ffa_error(done(a, 0, r), FFA_RET_INVALID_PARAMETERS);
	/* REQ2 to a v1.1 VM: DENIED; REQ_32 to it is fine. */
	assert_ffa_error(done(a, 0, req(a, FFA_MSG_SEND_DIRECT_REQ2, 3, 1)), FFA_RET_DENIED);
	assert_true(fix_blocked(b, 0) && fix_blocked(c, 0));

	/* A request outstanding (interrupted, yielded or answered but not yet
	 * collected with FFA_RUN) makes any other one BUSY, to a VM or an SP. */
	blocks(a, 0, req(a, FFA_MSG_SEND_DIRECT_REQ_32, 3, 5));
	assert_int_equal(got(c, 0).x[3], 5);
	take_back(a, 0, FFA_TARGET_INFO(3, 0));
	assert_ffa_error(done(a, 0, req(a, FFA_MSG_SEND_DIRECT_REQ_32, 2, 1)), FFA_RET_BUSY);
	assert_ffa_error(
		done(a, 0, req(a, FFA_MSG_SEND_DIRECT_REQ_32, FIX_SP_ECHO, FFAMED_ECHO_CMD_WHOAMI)),
		FFA_RET_BUSY);
	/* ...but the checks before BUSY still come first. */
	assert_ffa_error(done(a, 0, req(a, FFA_MSG_SEND_DIRECT_REQ2, 3, 1)), FFA_RET_DENIED);
	assert_ffa_error(done(a, 0, req(a, FFA_MSG_SEND_DIRECT_REQ_32, 9, 1)),
			 FFA_RET_INVALID_PARAMETERS);
	/* c answers: kept; a collects it with FFA_RUN and may send again. */
	assert_int_equal(send_resp(c, 0, FFA_MSG_SEND_DIRECT_RESP_32, 1, 6), FFAMED_CALL_BLOCKED);
	assert_ffa_error(done(a, 0, req(a, FFA_MSG_SEND_DIRECT_REQ_32, 2, 1)), FFA_RET_BUSY);
	r = done(a, 0, (struct ffamed_regs){{FFA_RUN, FFA_TARGET_INFO(3, 0)}});
	assert_int_equal(r.x[0], FFA_MSG_SEND_DIRECT_RESP_32);
	assert_int_equal(r.x[3], 6);

	/* An SP request left preempted: BUSY toward VMs too. */
	r = req(a, FFA_MSG_SEND_DIRECT_REQ_32, FIX_SP_ECHO, FFAMED_ECHO_CMD_INTERRUPT);
	r.x[4] = 1;
	r = done(a, 1, r);
	assert_int_equal(r.x[0], FFA_INTERRUPT);
	assert_ffa_error(done(a, 1, req(a, FFA_MSG_SEND_DIRECT_REQ_32, 2, 1)), FFA_RET_BUSY);
	r = done(a, 1, (struct ffamed_regs){{FFA_RUN, FFA_TARGET_INFO(FIX_SP_ECHO, 0)}});
	assert_int_equal(r.x[0], FFA_MSG_SEND_DIRECT_RESP_32);

	/* Both b and c hold nothing and wait: the request goes through. */
	blocks(a, 1, req(a, FFA_MSG_SEND_DIRECT_REQ_32, 2, 8));
	assert_int_equal(got(b, 0).x[3], 8);
	/* b's only other vCPU does not wait: BUSY. */
	assert_ffa_error(done(a, 0, req(a, FFA_MSG_SEND_DIRECT_REQ_64, 2, 1)), FFA_RET_BUSY);
	take_back(a, 1, FFA_TARGET_INFO(2, 0));
	take_back(c, 0, 0);
}

/* Without a port that resumes vCPUs, or without VM-to-VM, nothing blocks. */
/* REQ2 naming the UUID the host gave the receiver reaches it, UUID and all;
 * a different UUID does not, nor does the sender's own. */
static void req2_to_the_receivers_uuid(void **state)
{
	(void)state;
	const struct ffa_uuid svc = {{0x5E, 0x7C, 0x1A, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}};
	struct ffa_uuid wrong = svc;
	struct ffamed_regs r, x;

	wrong.b[15] ^= 1;
	c = fix_vm_new(fix, 3, 1, 64, true);
	c->uuid = svc;
	assert_int_equal(fix_vm_register(c, true), FFA_RET_OK);
	fix_negotiate(c, FFA_VERSION_1_2);
	assert_int_equal(msg_wait(c, 0), FFAMED_CALL_BLOCKED);
	r = req(a, FFA_MSG_SEND_DIRECT_REQ2, 3, 77);
	r.x[2] = ffa_uuid_x(&wrong, 0);
	r.x[3] = ffa_uuid_x(&wrong, 1);
	assert_ffa_error(done(a, 0, r), FFA_RET_INVALID_PARAMETERS);
	/* b has no UUID: c's is not b's. */
	assert_int_equal(msg_wait(b, 0), FFAMED_CALL_BLOCKED);
	r = req(a, FFA_MSG_SEND_DIRECT_REQ2, 2, 77);
	r.x[2] = ffa_uuid_x(&svc, 0);
	r.x[3] = ffa_uuid_x(&svc, 1);
	assert_ffa_error(done(a, 0, r), FFA_RET_INVALID_PARAMETERS);
	assert_true(fix_blocked(c, 0) && fix_blocked(b, 0));

	r = req(a, FFA_MSG_SEND_DIRECT_REQ2, 3, 77);
	r.x[2] = ffa_uuid_x(&svc, 0);
	r.x[3] = ffa_uuid_x(&svc, 1);
	blocks(a, 0, r);
	x = got(c, 0);
	assert_int_equal(x.x[0], FFA_MSG_SEND_DIRECT_REQ2);
	assert_int_equal(x.x[1], FFA_SENDER_RECEIVER(1, 3));
	assert_int_equal(x.x[2], ffa_uuid_x(&svc, 0));
	assert_int_equal(x.x[3], ffa_uuid_x(&svc, 1));
	assert_int_equal(x.x[4], 77);
	assert_int_equal(send_resp(c, 0, FFA_MSG_SEND_DIRECT_RESP2, 1, 78), FFAMED_CALL_BLOCKED);
	x = got(a, 0);
	assert_int_equal(x.x[0], FFA_MSG_SEND_DIRECT_RESP2);
	assert_int_equal(x.x[4], 78);
	take_back(c, 0, 0);
	take_back(b, 0, 0);
}

static void nothing_blocks_without_support(void **state)
{
	(void)state;
	static const struct {
		bool blocking, vm_to_vm;
	} cases[] = {{false, true}, {true, false}, {false, false}};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct fix_opts o = {.med_cfg = {.vm_to_vm = cases[i].vm_to_vm},
				     .blocking = cases[i].blocking};
		struct fix *f = fix_create(&o);
		struct fix_vm *x = fix_vm(f, 1, 1), *y = fix_vm(f, 2, 1);
		static const uint32_t recv_side[] = {
			FFA_MSG_WAIT, FFA_YIELD, FFA_MSG_SEND_DIRECT_RESP_32,
			FFA_MSG_SEND_DIRECT_RESP_64, FFA_MSG_SEND_DIRECT_RESP2};
		static const uint32_t reqs[] = {FFA_MSG_SEND_DIRECT_REQ_32,
						FFA_MSG_SEND_DIRECT_REQ_64,
						FFA_MSG_SEND_DIRECT_REQ2};
		struct ffamed_regs r;

		fix_negotiate(x, FFA_VERSION_1_2);
		fix_negotiate(y, FFA_VERSION_1_2);
		for (size_t k = 0; k < 3; k++) {
			r = fix_call_sync(
				x, 0, &(struct ffamed_regs){{reqs[k], FFA_SENDER_RECEIVER(1, 2)}});
			assert_ffa_error(r, FFA_RET_INVALID_PARAMETERS);
		}
		for (size_t k = 0; k < 5; k++) {
			r = (struct ffamed_regs){{recv_side[k], FFA_SENDER_RECEIVER(2, 1)}};
			if (recv_side[k] == FFA_MSG_WAIT || recv_side[k] == FFA_YIELD)
				r.x[1] = 0;
			r = fix_call_sync(y, 0, &r);
			assert_ffa_error(r, FFA_RET_NOT_SUPPORTED);
		}
		r = fix_call_sync(x, 0, &(struct ffamed_regs){{FFA_RUN, FFA_TARGET_INFO(2, 0)}});
		assert_ffa_error(r, FFA_RET_INVALID_PARAMETERS);
		/* The SP still answers. */
		r = fix_call_sync(x, 0,
				  &(struct ffamed_regs){{FFA_MSG_SEND_DIRECT_REQ_32,
							 FFA_SENDER_RECEIVER(1, FIX_SP_ECHO), 0,
							 FFAMED_ECHO_CMD_WHOAMI}});
		assert_int_equal(r.x[0], FFA_MSG_SEND_DIRECT_RESP_32);
		assert_false(ffamed_vcpu_interrupt(x->vm, 0));
		fix_vm_destroy(x);
		fix_vm_destroy(y);
		fix_destroy(f);
	}
}

static void response_refusals(void **state)
{
	(void)state;
	static const uint32_t resps[] = {FFA_MSG_SEND_DIRECT_RESP_32, FFA_MSG_SEND_DIRECT_RESP_64,
					 FFA_MSG_SEND_DIRECT_RESP2};
	struct ffamed_regs r;

	/* Holding nothing: DENIED, whatever the registers. */
	for (int i = 0; i < 3; i++) {
		assert_ffa_error(
			done(b, 0, (struct ffamed_regs){{resps[i], FFA_SENDER_RECEIVER(2, 1)}}),
			FFA_RET_DENIED);
		r = (struct ffamed_regs){{resps[i], FFA_SENDER_RECEIVER(2, 1), 1}};
		assert_ffa_error(done(b, 0, r), FFA_RET_DENIED);
	}
	deliver(a, 0, b, 0, FFA_MSG_SEND_DIRECT_REQ_64, 4);
	/* Wrong width. */
	assert_ffa_error(done(b, 0, (struct ffamed_regs){{resps[0], FFA_SENDER_RECEIVER(2, 1)}}),
			 FFA_RET_INVALID_PARAMETERS);
	assert_ffa_error(done(b, 0, (struct ffamed_regs){{resps[2], FFA_SENDER_RECEIVER(2, 1)}}),
			 FFA_RET_INVALID_PARAMETERS);
	/* Wrong w1: forged sender, another receiver, upper half set. */
	assert_ffa_error(done(b, 0, (struct ffamed_regs){{resps[1], FFA_SENDER_RECEIVER(3, 1)}}),
			 FFA_RET_INVALID_PARAMETERS);
	assert_ffa_error(done(b, 0, (struct ffamed_regs){{resps[1], FFA_SENDER_RECEIVER(2, 3)}}),
			 FFA_RET_INVALID_PARAMETERS);
	assert_ffa_error(
		done(b, 0,
		     (struct ffamed_regs){{resps[1], (1ull << 32) | FFA_SENDER_RECEIVER(2, 1)}}),
		FFA_RET_INVALID_PARAMETERS);
	/* w2 MBZ. */
	assert_ffa_error(done(b, 0, (struct ffamed_regs){{resps[1], FFA_SENDER_RECEIVER(2, 1), 1}}),
			 FFA_RET_INVALID_PARAMETERS);
	/* The request is still held and a still waits. */
	assert_true(fix_blocked(a, 0));
	assert_int_equal(send_resp(b, 0, resps[1], 1, 44), FFAMED_CALL_BLOCKED);
	r = got(a, 0);
	assert_int_equal(r.x[0], resps[1]);
	assert_int_equal(r.x[3], 44);
	/* Answered: a second response is DENIED (b waits, so use vCPU 1). */
	assert_ffa_error(done(b, 1, (struct ffamed_regs){{resps[1], FFA_SENDER_RECEIVER(2, 1)}}),
			 FFA_RET_DENIED);
	take_back(b, 0, 0);

	/* RESP_32 w2 MBZ too, and RESP2 answers only REQ2. */
	deliver(a, 0, b, 0, FFA_MSG_SEND_DIRECT_REQ_32, 5);
	assert_ffa_error(done(b, 0, (struct ffamed_regs){{resps[0], FFA_SENDER_RECEIVER(2, 1), 1}}),
			 FFA_RET_INVALID_PARAMETERS);
	assert_ffa_error(done(b, 0, (struct ffamed_regs){{resps[1], FFA_SENDER_RECEIVER(2, 1)}}),
			 FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(send_resp(b, 0, resps[0], 1, 45), FFAMED_CALL_BLOCKED);
	assert_int_equal(got(a, 0).x[3], 45);
	take_back(b, 0, 0);
}

static void yield_refusals(void **state)
{
	(void)state;
	struct ffamed_regs r;

	/* Not handling a request: DENIED. */
	assert_ffa_error(done(b, 0, (struct ffamed_regs){{FFA_YIELD}}), FFA_RET_DENIED);
	deliver(a, 0, b, 0, FFA_MSG_SEND_DIRECT_REQ_32, 1);
	/* w1 MBZ, w4..w7 MBZ. */
	assert_ffa_error(done(b, 0, (struct ffamed_regs){{FFA_YIELD, 1}}),
			 FFA_RET_INVALID_PARAMETERS);
	for (int i = 4; i < 8; i++) {
		r = (struct ffamed_regs){{FFA_YIELD}};
		r.x[i] = 1;
		assert_ffa_error(done(b, 0, r), FFA_RET_INVALID_PARAMETERS);
	}
	assert_true(fix_blocked(a, 0));
	/* The v1.2 timeout goes to the sender, both halves. */
	blocks(b, 0, (struct ffamed_regs){{FFA_YIELD, 0, 0x11, 0x22}});
	r = got(a, 0);
	assert_int_equal(r.x[0], FFA_YIELD);
	assert_int_equal(r.x[1], FFA_TARGET_INFO(2, 0));
	assert_int_equal(r.x[2], 0x11);
	assert_int_equal(r.x[3], 0x22);
	/* Yielded: a sender's REQ is BUSY until it runs the receiver. */
	assert_ffa_error(done(a, 0, req(a, FFA_MSG_SEND_DIRECT_REQ_32, 2, 1)), FFA_RET_BUSY);
	blocks(a, 0, (struct ffamed_regs){{FFA_RUN, FFA_TARGET_INFO(2, 0)}});
	assert_int_equal(got(b, 0).x[0], FFA_SUCCESS_32);
	assert_int_equal(send_resp(b, 0, FFA_MSG_SEND_DIRECT_RESP_32, 1, 2), FFAMED_CALL_BLOCKED);
	assert_int_equal(got(a, 0).x[3], 2);
	take_back(b, 0, 0);

	/* Below v1.2 there is no timeout: w2/w3 MBZ. */
	c = fix_vm(fix, 3, 1);
	fix_negotiate(c, FFA_VERSION_1_1);
	deliver(a, 0, c, 0, FFA_MSG_SEND_DIRECT_REQ_32, 3);
	assert_ffa_error(done(c, 0, (struct ffamed_regs){{FFA_YIELD, 0, 1}}),
			 FFA_RET_INVALID_PARAMETERS);
	assert_ffa_error(done(c, 0, (struct ffamed_regs){{FFA_YIELD, 0, 0, 1}}),
			 FFA_RET_INVALID_PARAMETERS);
	blocks(c, 0, (struct ffamed_regs){{FFA_YIELD}});
	r = got(a, 0);
	assert_int_equal(r.x[0], FFA_YIELD);
	assert_int_equal(r.x[1], FFA_TARGET_INFO(3, 0));
	take_back(c, 0, 0);
}

static void msg_wait_refusals(void **state)
{
	(void)state;
	struct ffamed_regs r;

	c = fix_vm(fix, 3, 1);
	fix_negotiate(c, FFA_VERSION_1_1);
	for (int i = 1; i < 8; i++) {
		r = (struct ffamed_regs){{FFA_MSG_WAIT}};
		r.x[i] = i == 2 ? 2 : 1; /* w2: any flag but retain-RX */
		assert_ffa_error(done(b, 0, r), FFA_RET_INVALID_PARAMETERS);
	}
	/* Upper halves of SMC32 arguments are ignored. */
	r = (struct ffamed_regs){{FFA_MSG_WAIT, 1ull << 32, 1ull << 32, 1ull << 32}};
	blocks(b, 0, r);
	take_back(b, 0, 0);
	/* v1.2: x8..x17 MBZ. */
	for (int i = 8; i < FFA_NREGS; i++) {
		r = (struct ffamed_regs){{FFA_MSG_WAIT}};
		r.x[i] = 1;
		assert_ffa_error(done(b, 0, r), FFA_RET_INVALID_PARAMETERS);
	}
	/* The retain-RX flag exists from v1.2 on; x8 and up mean nothing before. */
	assert_ffa_error(
		done(c, 0, (struct ffamed_regs){{FFA_MSG_WAIT, 0, FFA_MSG_WAIT_FLAG_RETAIN_RX}}),
		FFA_RET_INVALID_PARAMETERS);
	r = (struct ffamed_regs){{FFA_MSG_WAIT}};
	r.x[8] = 1;
	blocks(c, 0, r);
	take_back(c, 0, 0);
	blocks(b, 0, (struct ffamed_regs){{FFA_MSG_WAIT, 0, FFA_MSG_WAIT_FLAG_RETAIN_RX}});
	/* Holding a request: DENIED; the request is still held. */
	blocks(a, 0, req(a, FFA_MSG_SEND_DIRECT_REQ_32, 2, 1));
	assert_int_equal(got(b, 0).x[3], 1);
	assert_ffa_error(done(b, 0, (struct ffamed_regs){{FFA_MSG_WAIT}}), FFA_RET_DENIED);
	assert_int_equal(send_resp(b, 0, FFA_MSG_SEND_DIRECT_RESP_32, 1, 2), FFAMED_CALL_BLOCKED);
	assert_int_equal(got(a, 0).x[3], 2);
	/* Already waiting (a response is a wait) and taken back: waits again. */
	take_back(b, 0, 0);
	assert_int_equal(msg_wait(b, 0), FFAMED_CALL_BLOCKED);
	take_back(b, 0, 0);
}

static void run_refusals(void **state)
{
	(void)state;
	/* Self, the hypervisor, an unknown VM, a vCPU the VM does not have. */
	assert_ffa_error(done(a, 0, (struct ffamed_regs){{FFA_RUN, FFA_TARGET_INFO(1, 0)}}),
			 FFA_RET_INVALID_PARAMETERS);
	assert_ffa_error(done(a, 0, (struct ffamed_regs){{FFA_RUN, FFA_TARGET_INFO(0, 0)}}),
			 FFA_RET_INVALID_PARAMETERS);
	assert_ffa_error(done(a, 0, (struct ffamed_regs){{FFA_RUN, FFA_TARGET_INFO(9, 0)}}),
			 FFA_RET_INVALID_PARAMETERS);
	assert_ffa_error(done(a, 0, (struct ffamed_regs){{FFA_RUN, FFA_TARGET_INFO(2, 2)}}),
			 FFA_RET_INVALID_PARAMETERS);
	/* Nothing to resume. */
	assert_ffa_error(done(a, 0, (struct ffamed_regs){{FFA_RUN, FFA_TARGET_INFO(2, 0)}}),
			 FFA_RET_DENIED);
	/* Pending (not interrupted): nothing to resume either; the request stands. */
	deliver(a, 0, b, 1, FFA_MSG_SEND_DIRECT_REQ_32, 1);
	assert_ffa_error(done(a, 1, (struct ffamed_regs){{FFA_RUN, FFA_TARGET_INFO(2, 1)}}),
			 FFA_RET_DENIED);
	take_back(a, 0, FFA_TARGET_INFO(2, 1));
	/* Interrupted: only the receiver's vCPU it named, only from the sender's vCPU. */
	assert_ffa_error(done(a, 0, (struct ffamed_regs){{FFA_RUN, FFA_TARGET_INFO(2, 0)}}),
			 FFA_RET_DENIED);
	assert_ffa_error(done(a, 1, (struct ffamed_regs){{FFA_RUN, FFA_TARGET_INFO(2, 1)}}),
			 FFA_RET_DENIED);
	blocks(a, 0, (struct ffamed_regs){{FFA_RUN, FFA_TARGET_INFO(2, 1)}});
	assert_int_equal(send_resp(b, 1, FFA_MSG_SEND_DIRECT_RESP_32, 1, 3), FFAMED_CALL_BLOCKED);
	assert_int_equal(got(a, 0).x[3], 3);
	/* Collected: nothing to resume any more. */
	assert_ffa_error(done(a, 0, (struct ffamed_regs){{FFA_RUN, FFA_TARGET_INFO(2, 1)}}),
			 FFA_RET_DENIED);
	take_back(b, 1, 0);
}

/* What crosses: SMC32 halves masked both ways, x8 and up only for REQ2. */
static void payload_widths(void **state)
{
	(void)state;
	struct ffamed_regs r, x;

	assert_int_equal(msg_wait(b, 0), FFAMED_CALL_BLOCKED);
	r = req(a, FFA_MSG_SEND_DIRECT_REQ_32, 2, 0);
	r.x[1] |= 0xABCD000000000000ull;
	r.x[2] = 0x5500000000ull; /* w2 is 0 */
	for (int i = 3; i < FFA_NREGS; i++)
		r.x[i] = 0xDEAD000000000000ull | (uint64_t)(i * 0x1111);
	blocks(a, 0, r);
	x = got(b, 0);
	assert_int_equal(x.x[0], FFA_MSG_SEND_DIRECT_REQ_32);
	assert_int_equal(x.x[1], FFA_SENDER_RECEIVER(1, 2));
	assert_int_equal(x.x[2], 0);
	for (int i = 3; i < 8; i++)
		assert_int_equal(x.x[i], (uint64_t)(i * 0x1111));
	for (int i = 8; i < FFA_NREGS; i++)
		assert_int_equal(x.x[i], 0);
	r = (struct ffamed_regs){{FFA_MSG_SEND_DIRECT_RESP_32, FFA_SENDER_RECEIVER(2, 1)}};
	for (int i = 3; i < FFA_NREGS; i++)
		r.x[i] = 0xBEEF000000000000ull | (uint64_t)(i * 0x101);
	blocks(b, 0, r);
	x = got(a, 0);
	assert_int_equal(x.x[0], FFA_MSG_SEND_DIRECT_RESP_32);
	assert_int_equal(x.x[1], FFA_SENDER_RECEIVER(2, 1));
	assert_int_equal(x.x[2], 0);
	for (int i = 3; i < 8; i++)
		assert_int_equal(x.x[i], (uint64_t)(i * 0x101));
	for (int i = 8; i < FFA_NREGS; i++)
		assert_int_equal(x.x[i], 0);

	/* REQ_64: x3..x7 whole, nothing beyond (v1.2). */
	r = req(a, FFA_MSG_SEND_DIRECT_REQ_64, 2, 0);
	for (int i = 3; i < FFA_NREGS; i++)
		r.x[i] = 0xF00D000000000000ull | (uint64_t)i;
	blocks(a, 0, r);
	x = got(b, 0);
	assert_int_equal(x.x[0], FFA_MSG_SEND_DIRECT_REQ_64);
	assert_int_equal(x.x[2], 0);
	for (int i = 3; i < 8; i++)
		assert_int_equal(x.x[i], 0xF00D000000000000ull | (uint64_t)i);
	for (int i = 8; i < FFA_NREGS; i++)
		assert_int_equal(x.x[i], 0);
	r = (struct ffamed_regs){{FFA_MSG_SEND_DIRECT_RESP_64, FFA_SENDER_RECEIVER(2, 1)}};
	for (int i = 3; i < FFA_NREGS; i++)
		r.x[i] = 0xCAFE000000000000ull | (uint64_t)i;
	blocks(b, 0, r);
	x = got(a, 0);
	for (int i = 3; i < 8; i++)
		assert_int_equal(x.x[i], 0xCAFE000000000000ull | (uint64_t)i);
	for (int i = 8; i < FFA_NREGS; i++)
		assert_int_equal(x.x[i], 0);

	/* REQ2: x4..x17 both ways, x2/x3 the (Nil) UUID. */
	r = req(a, FFA_MSG_SEND_DIRECT_REQ2, 2, 0);
	for (int i = 4; i < FFA_NREGS; i++)
		r.x[i] = 0x1234000000000000ull | (uint64_t)i;
	blocks(a, 0, r);
	x = got(b, 0);
	assert_int_equal(x.x[0], FFA_MSG_SEND_DIRECT_REQ2);
	assert_int_equal(x.x[1], FFA_SENDER_RECEIVER(1, 2));
	assert_int_equal(x.x[2], 0);
	assert_int_equal(x.x[3], 0);
	for (int i = 4; i < FFA_NREGS; i++)
		assert_int_equal(x.x[i], 0x1234000000000000ull | (uint64_t)i);
	r = (struct ffamed_regs){{FFA_MSG_SEND_DIRECT_RESP2, FFA_SENDER_RECEIVER(2, 1)}};
	for (int i = 4; i < FFA_NREGS; i++)
		r.x[i] = 0x4321000000000000ull | (uint64_t)i;
	blocks(b, 0, r);
	x = got(a, 0);
	assert_int_equal(x.x[0], FFA_MSG_SEND_DIRECT_RESP2);
	assert_int_equal(x.x[1], FFA_SENDER_RECEIVER(2, 1));
	for (int i = 4; i < FFA_NREGS; i++)
		assert_int_equal(x.x[i], 0x4321000000000000ull | (uint64_t)i);
	take_back(b, 0, 0);
}

/* The receiver's vCPU with the sender's index if it waits, else the lowest. */
static void receiver_choice(void **state)
{
	(void)state;
	struct fix_vm *s;
	struct ffamed_regs r;

	c = fix_vm(fix, 3, 4);
	s = fix_vm(fix, 4, 4);
	fix_negotiate(c, FFA_VERSION_1_2);
	fix_negotiate(s, FFA_VERSION_1_2);
	assert_int_equal(msg_wait(c, 3), FFAMED_CALL_BLOCKED);
	assert_int_equal(msg_wait(c, 1), FFAMED_CALL_BLOCKED);
	assert_int_equal(msg_wait(c, 2), FFAMED_CALL_BLOCKED);
	/* s's vCPU 2: c's vCPU 2 waits, takes it. */
	blocks(s, 2, req(s, FFA_MSG_SEND_DIRECT_REQ_32, 3, 20));
	assert_int_equal(got(c, 2).x[3], 20);
	assert_true(fix_blocked(c, 1) && fix_blocked(c, 3));
	/* s's vCPU 0: c's vCPU 0 does not wait: the lowest waiting, 1. */
	blocks(s, 0, req(s, FFA_MSG_SEND_DIRECT_REQ_32, 3, 21));
	assert_int_equal(got(c, 1).x[3], 21);
	/* s's vCPU 2 again (index taken): 3. Same for a sender with fewer vCPUs. */
	blocks(a, 1, req(a, FFA_MSG_SEND_DIRECT_REQ_32, 3, 22));
	assert_int_equal(got(c, 3).x[3], 22);
	assert_ffa_error(done(s, 3, req(s, FFA_MSG_SEND_DIRECT_REQ_32, 3, 23)), FFA_RET_BUSY);
	/* Each response goes to its own requester. */
	assert_int_equal(send_resp(c, 3, FFA_MSG_SEND_DIRECT_RESP_32, 1, 32), FFAMED_CALL_BLOCKED);
	assert_int_equal(send_resp(c, 1, FFA_MSG_SEND_DIRECT_RESP_32, 4, 31), FFAMED_CALL_BLOCKED);
	assert_int_equal(send_resp(c, 2, FFA_MSG_SEND_DIRECT_RESP_32, 4, 30), FFAMED_CALL_BLOCKED);
	r = got(a, 1);
	assert_int_equal(r.x[1], FFA_SENDER_RECEIVER(3, 1));
	assert_int_equal(r.x[3], 32);
	assert_int_equal(got(s, 0).x[3], 31);
	assert_int_equal(got(s, 2).x[3], 30);
	/* s's vCPU 3 with c's 3 waiting again: its own index. */
	blocks(s, 3, req(s, FFA_MSG_SEND_DIRECT_REQ_32, 3, 24));
	assert_int_equal(got(c, 3).x[3], 24);
	take_back(s, 3, FFA_TARGET_INFO(3, 3));
	for (uint16_t i = 1; i < 3; i++)
		take_back(c, i, 0);
	fix_vm_destroy(s);
}

/* FFA_MSG_WAIT gives the RX back at v1.1+, unless v1.2's retain flag. */
static void msg_wait_releases_rx(void **state)
{
	(void)state;
	static const uint32_t versions[] = {FFA_VERSION_1_0, FFA_VERSION_1_1, FFA_VERSION_1_2,
					    FFA_VERSION_1_2};

	for (int i = 0; i < 4; i++) {
		uint32_t flags = i == 3 ? FFA_MSG_WAIT_FLAG_RETAIN_RX : 0;
		bool kept = versions[i] == FFA_VERSION_1_0 || flags;
		struct fix_vm *v = fix_vm(fix, (uint16_t)(10 + i), 1);
		struct ffamed_regs r;

		fix_negotiate(v, versions[i]);
		fix_map_default(v, 1);
		/* Discovery fills the RX: the guest owns it. */
		r = fix_call(v, 0, FFA_PARTITION_INFO_GET, 0, 0, 0, 0, 0);
		assert_ffa_success(r);
		blocks(v, 0, (struct ffamed_regs){{FFA_MSG_WAIT, 0, flags}});
		take_back(v, 0, 0);
		r = fix_call(v, 0, FFA_RX_RELEASE, 0, 0, 0, 0, 0);
		if (kept)
			assert_ffa_success(r);
		else
			assert_ffa_error(r, FFA_RET_DENIED);
		/* A wait with the RX already free is fine. */
		blocks(v, 0, (struct ffamed_regs){{FFA_MSG_WAIT, 0, flags}});
		take_back(v, 0, 0);
		fix_vm_destroy(v);
	}
	/* A refused wait (a request held) gives nothing back. */
	fix_map_default(b, 1);
	deliver(a, 0, b, 0, FFA_MSG_SEND_DIRECT_REQ_32, 1);
	assert_ffa_success(fix_call(b, 0, FFA_PARTITION_INFO_GET, 0, 0, 0, 0, 0));
	assert_ffa_error(done(b, 0, (struct ffamed_regs){{FFA_MSG_WAIT}}), FFA_RET_DENIED);
	assert_ffa_success(fix_call(b, 0, FFA_RX_RELEASE, 0, 0, 0, 0, 0));
	assert_int_equal(send_resp(b, 0, FFA_MSG_SEND_DIRECT_RESP_32, 1, 2), FFAMED_CALL_BLOCKED);
	assert_int_equal(got(a, 0).x[3], 2);
	take_back(b, 0, 0);
}

/* A -> B -> C while B holds A's request; B also asks A itself, whose other
 * vCPU serves while its first waits: a VM sender and receiver at once. */
static void call_chain(void **state)
{
	(void)state;
	struct ffamed_regs r;

	c = fix_vm(fix, 3, 1);
	fix_negotiate(c, FFA_VERSION_1_2);
	deliver(a, 0, b, 0, FFA_MSG_SEND_DIRECT_REQ_64, 1);
	assert_int_equal(msg_wait(c, 0), FFAMED_CALL_BLOCKED);
	blocks(b, 0, req(b, FFA_MSG_SEND_DIRECT_REQ2, 3, 2));
	r = got(c, 0);
	assert_int_equal(r.x[1], FFA_SENDER_RECEIVER(2, 3));
	assert_int_equal(r.x[4], 2);
	/* C asks A (its vCPU 1 waits) while A's vCPU 0 waits for B. */
	assert_int_equal(msg_wait(a, 1), FFAMED_CALL_BLOCKED);
	blocks(c, 0, req(c, FFA_MSG_SEND_DIRECT_REQ_32, 1, 3));
	r = got(a, 1);
	assert_int_equal(r.x[1], FFA_SENDER_RECEIVER(3, 1));
	assert_int_equal(r.x[3], 3);
	assert_true(fix_blocked(a, 0) && fix_blocked(b, 0) && fix_blocked(c, 0));
	/* Unwind: each response reaches the right caller. */
	assert_int_equal(send_resp(a, 1, FFA_MSG_SEND_DIRECT_RESP_32, 3, 33), FFAMED_CALL_BLOCKED);
	assert_int_equal(got(c, 0).x[3], 33);
	assert_int_equal(send_resp(c, 0, FFA_MSG_SEND_DIRECT_RESP2, 2, 22), FFAMED_CALL_BLOCKED);
	r = got(b, 0);
	assert_int_equal(r.x[0], FFA_MSG_SEND_DIRECT_RESP2);
	assert_int_equal(r.x[4], 22);
	assert_int_equal(send_resp(b, 0, FFA_MSG_SEND_DIRECT_RESP_64, 1, 11), FFAMED_CALL_BLOCKED);
	r = got(a, 0);
	assert_int_equal(r.x[0], FFA_MSG_SEND_DIRECT_RESP_64);
	assert_int_equal(r.x[3], 11);
	take_back(a, 1, 0);
	take_back(b, 0, 0);
	take_back(c, 0, 0);
}

static void interrupt_states(void **state)
{
	(void)state;
	struct ffamed_regs r;

	/* Not blocked: running, handling, out of range. */
	assert_false(ffamed_vcpu_interrupt(a->vm, 0));
	assert_false(ffamed_vcpu_interrupt(a->vm, 2));
	deliver(a, 0, b, 0, FFA_MSG_SEND_DIRECT_REQ_32, 1);
	assert_false(ffamed_vcpu_interrupt(b->vm, 0));
	/* Pending sender: w1 names the receiver's vCPU; only once. */
	take_back(a, 0, FFA_TARGET_INFO(2, 0));
	assert_false(ffamed_vcpu_interrupt(a->vm, 0));
	/* A yield with the sender interrupted: the sender is told at its RUN. */
	blocks(b, 0, (struct ffamed_regs){{FFA_YIELD}});
	assert_false(fix_resumed(a, 0, &r));
	/* Yielded receiver taken back: it still holds the request. */
	take_back(b, 0, 0);
	assert_ffa_error(done(b, 0, (struct ffamed_regs){{FFA_MSG_WAIT}}), FFA_RET_DENIED);
	/* The sender's RUN goes back to waiting; the response reaches it. */
	blocks(a, 0, (struct ffamed_regs){{FFA_RUN, FFA_TARGET_INFO(2, 0)}});
	assert_false(fix_resumed(b, 0, &r));
	assert_int_equal(send_resp(b, 0, FFA_MSG_SEND_DIRECT_RESP_32, 1, 7), FFAMED_CALL_BLOCKED);
	assert_int_equal(got(a, 0).x[3], 7);
	/* Waiting receiver: w1 = 0, and it may wait again. */
	take_back(b, 0, 0);
	assert_false(ffamed_vcpu_interrupt(b->vm, 0));
	assert_int_equal(msg_wait(b, 0), FFAMED_CALL_BLOCKED);
	/* A sender yielded to, then taken back before running the receiver:
	 * nothing blocked (the yield already returned). */
	blocks(a, 1, req(a, FFA_MSG_SEND_DIRECT_REQ_32, 2, 2));
	assert_int_equal(got(b, 0).x[3], 2);
	blocks(b, 0, (struct ffamed_regs){{FFA_YIELD}});
	assert_int_equal(got(a, 1).x[0], FFA_YIELD);
	assert_false(ffamed_vcpu_interrupt(a->vm, 1));
	/* The yielded receiver resumes at the sender's RUN. */
	blocks(a, 1, (struct ffamed_regs){{FFA_RUN, FFA_TARGET_INFO(2, 0)}});
	assert_int_equal(got(b, 0).x[0], FFA_SUCCESS_32);
	/* Taken back while the receiver handles: the response is kept. */
	take_back(a, 1, FFA_TARGET_INFO(2, 0));
	assert_int_equal(send_resp(b, 0, FFA_MSG_SEND_DIRECT_RESP_32, 1, 8), FFAMED_CALL_BLOCKED);
	assert_false(ffamed_vcpu_interrupt(a->vm, 1));
	r = done(a, 1, (struct ffamed_regs){{FFA_RUN, FFA_TARGET_INFO(2, 0)}});
	assert_int_equal(r.x[0], FFA_MSG_SEND_DIRECT_RESP_32);
	assert_int_equal(r.x[3], 8);
	take_back(b, 0, 0);
	/* A NULL VM is no vCPU. */
	assert_false(ffamed_vcpu_interrupt(NULL, 0));
}

/* The receiver dies while the sender is taken back: ABORTED is kept for RUN. */
static void receiver_destroyed_while_interrupted(void **state)
{
	(void)state;
	struct ffamed_regs r;

	deliver(a, 0, b, 1, FFA_MSG_SEND_DIRECT_REQ_32, 1);
	take_back(a, 0, FFA_TARGET_INFO(2, 1));
	fix_vm_destroy(b);
	b = NULL;
	assert_false(fix_resumed(a, 0, &r));
	r = done(a, 0, (struct ffamed_regs){{FFA_RUN, FFA_TARGET_INFO(2, 1)}});
	assert_ffa_error(r, FFA_RET_ABORTED);
	/* Collected once. */
	assert_ffa_error(done(a, 0, (struct ffamed_regs){{FFA_RUN, FFA_TARGET_INFO(2, 1)}}),
			 FFA_RET_INVALID_PARAMETERS);
	/* A yielded-to sender too. */
	c = fix_vm(fix, 3, 1);
	fix_negotiate(c, FFA_VERSION_1_2);
	deliver(a, 1, c, 0, FFA_MSG_SEND_DIRECT_REQ_64, 2);
	blocks(c, 0, (struct ffamed_regs){{FFA_YIELD}});
	assert_int_equal(got(a, 1).x[0], FFA_YIELD);
	fix_vm_destroy(c);
	c = NULL;
	assert_ffa_error(done(a, 1, (struct ffamed_regs){{FFA_RUN, FFA_TARGET_INFO(3, 0)}}),
			 FFA_RET_ABORTED);
}

/* The sender dies while the receiver yielded on its behalf: the receiver's
 * yield returns (nobody will run it), its response is dropped. */
static void sender_destroyed_receiver_yielded(void **state)
{
	(void)state;
	struct ffamed_regs r;

	deliver(a, 0, b, 0, FFA_MSG_SEND_DIRECT_REQ_32, 1);
	blocks(b, 0, (struct ffamed_regs){{FFA_YIELD}});
	assert_int_equal(got(a, 0).x[0], FFA_YIELD);
	fix_vm_destroy(a);
	a = NULL;
	r = got(b, 0);
	assert_int_equal(r.x[0], FFA_SUCCESS_32);
	assert_int_equal(send_resp(b, 0, FFA_MSG_SEND_DIRECT_RESP_32, 1, 2), FFAMED_CALL_BLOCKED);
	/* A yield for a sender already gone returns at once. */
	c = fix_vm(fix, 3, 1);
	fix_negotiate(c, FFA_VERSION_1_2);
	blocks(c, 0, req(c, FFA_MSG_SEND_DIRECT_REQ_32, 2, 3));
	assert_int_equal(got(b, 0).x[3], 3);
	fix_vm_destroy(c);
	c = NULL;
	r = done(b, 0, (struct ffamed_regs){{FFA_YIELD}});
	assert_int_equal(r.x[0], FFA_SUCCESS_32);
	assert_int_equal(send_resp(b, 0, FFA_MSG_SEND_DIRECT_RESP_32, 3, 4), FFAMED_CALL_BLOCKED);
	take_back(b, 0, 0);
}

/* A new VM with a destroyed VM's ID is another VM: the old one's response
 * does not reach it, nor its kept reply. */
static void vm_id_reuse(void **state)
{
	(void)state;
	struct ffamed_regs r;

	deliver(a, 0, b, 0, FFA_MSG_SEND_DIRECT_REQ_32, 1);
	fix_vm_destroy(a);
	a = fix_vm(fix, 1, 2);
	fix_negotiate(a, FFA_VERSION_1_2);
	/* The new VM 1 sends from the same vCPU to b's vCPU 1. */
	deliver(a, 0, b, 1, FFA_MSG_SEND_DIRECT_REQ_32, 2);
	/* b's vCPU 0 answers the old VM 1: dropped, not given to the new one. */
	assert_int_equal(send_resp(b, 0, FFA_MSG_SEND_DIRECT_RESP_32, 1, 66), FFAMED_CALL_BLOCKED);
	assert_false(fix_resumed(a, 0, &r));
	assert_true(fix_blocked(a, 0));
	/* Its own response does. */
	assert_int_equal(send_resp(b, 1, FFA_MSG_SEND_DIRECT_RESP_32, 1, 77), FFAMED_CALL_BLOCKED);
	r = got(a, 0);
	assert_int_equal(r.x[3], 77);

	/* Receiver side: the old b held a's request, a was taken back. A new
	 * VM 2 cannot be FFA_RUN into the old request: the kept ABORTED. */
	blocks(a, 1, req(a, FFA_MSG_SEND_DIRECT_REQ_32, 2, 3)); /* b's vCPU 1 waits again */
	assert_int_equal(got(b, 1).x[3], 3);
	take_back(a, 1, FFA_TARGET_INFO(2, 1));
	fix_vm_destroy(b);
	b = fix_vm(fix, 2, 2);
	fix_negotiate(b, FFA_VERSION_1_2);
	assert_int_equal(msg_wait(b, 1), FFAMED_CALL_BLOCKED);
	assert_ffa_error(done(a, 1, (struct ffamed_regs){{FFA_RUN, FFA_TARGET_INFO(2, 1)}}),
			 FFA_RET_ABORTED);
	assert_false(fix_resumed(b, 1, &r));
	assert_ffa_error(done(a, 1, (struct ffamed_regs){{FFA_RUN, FFA_TARGET_INFO(2, 1)}}),
			 FFA_RET_DENIED);
	take_back(b, 1, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(ping_pong, setup, teardown),
		cmocka_unit_test_setup_teardown(req2_to_the_receivers_uuid, setup, teardown),
		cmocka_unit_test_setup_teardown(busy_and_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(yield_interrupt_run, setup, teardown),
		cmocka_unit_test_setup_teardown(receiver_destroyed, setup, teardown),
		cmocka_unit_test_setup_teardown(sender_destroyed, setup, teardown),
		cmocka_unit_test_setup_teardown(request_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(nothing_blocks_without_support, setup, teardown),
		cmocka_unit_test_setup_teardown(response_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(yield_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(msg_wait_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(run_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(payload_widths, setup, teardown),
		cmocka_unit_test_setup_teardown(receiver_choice, setup, teardown),
		cmocka_unit_test_setup_teardown(msg_wait_releases_rx, setup, teardown),
		cmocka_unit_test_setup_teardown(call_chain, setup, teardown),
		cmocka_unit_test_setup_teardown(interrupt_states, setup, teardown),
		cmocka_unit_test_setup_teardown(receiver_destroyed_while_interrupted, setup,
						teardown),
		cmocka_unit_test_setup_teardown(sender_destroyed_receiver_yielded, setup, teardown),
		cmocka_unit_test_setup_teardown(vm_id_reuse, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
