/* SPDX-License-Identifier: MIT */
/* Direct requests (REQ_32/64, REQ2), framework messages, execution
 * contexts and FFA_RUN. */
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>

#include "spmc_fixture.h"

#define REQ32 FFA_MSG_SEND_DIRECT_REQ_32
#define REQ64 FFA_MSG_SEND_DIRECT_REQ_64

static struct ffamed_regs req(struct fx *f, uint32_t cpu, uint32_t fid, uint16_t sender,
			      uint16_t receiver, uint64_t w2, uint64_t p0, uint64_t p1)
{
	return fx_call(f, cpu, fid, FFA_SENDER_RECEIVER(sender, receiver), w2, p0, p1, 0, 0, 0);
}

static struct ffamed_regs req2(struct fx *f, uint32_t cpu, uint16_t sender, uint16_t receiver,
			       const struct ffa_uuid *u, uint64_t p0, uint64_t p1)
{
	struct ffamed_regs r = {.x = {FFA_MSG_SEND_DIRECT_REQ2,
				      FFA_SENDER_RECEIVER(sender, receiver), ffa_uuid_x(u, 0),
				      ffa_uuid_x(u, 1), p0, p1}};

	ffamed_spmc_call(f->spmc, cpu, &r);
	return r;
}

static struct ffamed_regs run(struct fx *f, uint32_t cpu, uint16_t sp, uint16_t ctx)
{
	return fx_call(f, cpu, FFA_RUN, FFA_TARGET_INFO(sp, ctx), 0, 0, 0, 0, 0, 0);
}

static void assert_whoami(const struct ffamed_regs *r, uint32_t resp, uint16_t sp, uint16_t ctx,
			  uint16_t sender, uint32_t resumed)
{
	int p = resp == FFA_MSG_SEND_DIRECT_RESP2 ? 4 : 3;

	assert_int_equal(r->x[0], resp);
	assert_int_equal(r->x[1], FFA_SENDER_RECEIVER(sp, sender));
	assert_int_equal(r->x[2], 0);
	assert_int_equal(r->x[p + 1], sp);
	assert_int_equal(r->x[p + 2], ctx);
	assert_int_equal(r->x[p + 3], sender);
	assert_int_equal(r->x[p + 4], resumed);
}

static void test_req32_echo(void **state)
{
	struct fx *f = *state;
	struct ffamed_regs r = fx_call(f, 0, REQ32, FFA_SENDER_RECEIVER(0, FX_ECHO_UP), 0, 0x11,
				       0xFFFFFFFF22222222ull, 0x33, 0x44, 0x55);

	assert_int_equal(r.x[0], FFA_MSG_SEND_DIRECT_RESP_32);
	assert_int_equal(r.x[1], FFA_SENDER_RECEIVER(FX_ECHO_UP, 0));
	assert_int_equal(r.x[2], 0);
	assert_int_equal(r.x[3], 0x11);
	/* SMC32: the high half never reached the SP; the reply is zero-extended. */
	assert_int_equal(r.x[4], 0x22222222);
	assert_int_equal(r.x[5], 0x33);
	assert_int_equal(r.x[6], 0x44);
	assert_int_equal(r.x[7], 0x55);
	for (int i = 8; i < FFA_NREGS; i++)
		assert_int_equal(r.x[i], 0);
	/* High bits of w1 are not part of an SMC32 call either. */
	r = fx_call(f, 0, REQ32, 0xABCD00000000ull | FFA_SENDER_RECEIVER(3, FX_ECHO_UP), 0,
		    FFAMED_ECHO_CMD_WHOAMI, 0, 0, 0, 0);
	assert_whoami(&r, FFA_MSG_SEND_DIRECT_RESP_32, FX_ECHO_UP, 0, 3, 0);
	assert_int_equal(atomic_load(&f->echo_up.responses), 2);
}

static void test_req64_echo(void **state)
{
	struct fx *f = *state;
	struct ffamed_regs r = fx_call(f, 0, REQ64, FFA_SENDER_RECEIVER(0, FX_ECHO_UP), 0,
				       0x1111111111111111ull, 0xFFFFFFFF22222222ull, 3, 4, 5);

	assert_int_equal(r.x[0], FFA_MSG_SEND_DIRECT_RESP_64);
	assert_int_equal(r.x[1], FFA_SENDER_RECEIVER(FX_ECHO_UP, 0));
	assert_int_equal(r.x[3], 0x1111111111111111ull);
	assert_int_equal(r.x[4], 0xFFFFFFFF22222222ull);
	assert_int_equal(r.x[7], 5);
	/* w1 bits above 31 are MBZ for SMC64. */
	r = fx_call(f, 0, REQ64, (1ull << 32) | FFA_SENDER_RECEIVER(0, FX_ECHO_UP), 0, 0, 0, 0, 0,
		    0);
	fx_assert_error(&r, FFA_RET_INVALID_PARAMETERS);
}

static void test_req2(void **state)
{
	struct fx *f = *state;
	const struct ffa_uuid nil = {{0}};
	const struct ffa_uuid echo = FFAMED_SP_ECHO_UUID;
	const struct ffa_uuid echo2 = FX_UUID_ECHO2;
	const struct ffa_uuid req2u = FX_UUID_REQ2;
	struct ffamed_regs in = {
		.x = {FFA_MSG_SEND_DIRECT_REQ2, FFA_SENDER_RECEIVER(7, FX_ECHO_UP)}};
	struct ffamed_regs r;

	for (int i = 4; i < FFA_NREGS; i++)
		in.x[i] = 0x0101010101010101ull * (uint64_t)i;
	r = in;
	ffamed_spmc_call(f->spmc, 0, &r);
	assert_int_equal(r.x[0], FFA_MSG_SEND_DIRECT_RESP2);
	assert_int_equal(r.x[1], FFA_SENDER_RECEIVER(FX_ECHO_UP, 7));
	assert_int_equal(r.x[2], 0);
	assert_int_equal(r.x[3], 0);
	for (int i = 4; i < FFA_NREGS; i++)
		assert_int_equal(r.x[i], in.x[i]);

	r = req2(f, 1, 0, FX_ECHO_MP, &echo2, FFAMED_ECHO_CMD_WHOAMI, 0);
	assert_whoami(&r, FFA_MSG_SEND_DIRECT_RESP2, FX_ECHO_MP, 1, 0, 0);
	r = req2(f, 1, 0, FX_ECHO_MP, &echo, FFAMED_ECHO_CMD_WHOAMI, 0);
	assert_whoami(&r, FFA_MSG_SEND_DIRECT_RESP2, FX_ECHO_MP, 1, 0, 0);
	r = req2(f, 0, 0, FX_REQ2_ONLY, &req2u, FFAMED_ECHO_CMD_WHOAMI, 0);
	assert_whoami(&r, FFA_MSG_SEND_DIRECT_RESP2, FX_REQ2_ONLY, 0, 0, 0);
	/* A UUID the receiver does not serve. */
	fx_assert_error((struct ffamed_regs[]){req2(f, 0, 0, FX_ECHO_UP, &echo2, 0, 0)},
			FFA_RET_INVALID_PARAMETERS);
	fx_assert_error((struct ffamed_regs[]){req2(f, 0, 0, FX_ECHO_MP, &req2u, 0, 0)},
			FFA_RET_INVALID_PARAMETERS);
	/* A receiver without REQ2 (OP-TEE speaks REQ_32 only). */
	fx_assert_error((struct ffamed_regs[]){req2(f, 0, 0, FX_OPTEE, &nil, 0, 0)},
			FFA_RET_DENIED);
}

static void test_req2_v1_1_caller(void **state)
{
	struct fx *f = *state;
	const struct ffa_uuid nil = {{0}};

	fx_version(f, FFA_VERSION_1_1);
	fx_assert_error((struct ffamed_regs[]){req2(f, 0, 0, FX_ECHO_UP, &nil, 0, 0)},
			FFA_RET_NOT_SUPPORTED);
	/* REQ_32 still works. */
	assert_int_equal(req(f, 0, REQ32, 0, FX_ECHO_UP, 0, 1, 2).x[0],
			 FFA_MSG_SEND_DIRECT_RESP_32);
}

static void test_bad_sender_receiver(void **state)
{
	struct fx *f = *state;

	/* A forged secure sender. */
	fx_assert_error((struct ffamed_regs[]){req(f, 0, REQ32, FX_ECHO_MP, FX_ECHO_UP, 0, 0, 0)},
			FFA_RET_INVALID_PARAMETERS);
	fx_assert_error(
		(struct ffamed_regs[]){req(f, 0, REQ32, FFA_SPMC_ID_DEFAULT, FX_ECHO_UP, 0, 0, 0)},
		FFA_RET_INVALID_PARAMETERS);
	fx_assert_error((struct ffamed_regs[]){req(f, 0, REQ64, 0xFFFF, FX_ECHO_UP, 0, 0, 0)},
			FFA_RET_INVALID_PARAMETERS);
	/* No such receiver; a VM as receiver; the SPMC as receiver. */
	fx_assert_error((struct ffamed_regs[]){req(f, 0, REQ32, 0, 0x8099, 0, 0, 0)},
			FFA_RET_INVALID_PARAMETERS);
	fx_assert_error((struct ffamed_regs[]){req(f, 0, REQ32, 0, 0x0005, 0, 0, 0)},
			FFA_RET_INVALID_PARAMETERS);
	fx_assert_error((struct ffamed_regs[]){req(f, 0, REQ32, 0, FFA_SPMC_ID_DEFAULT, 0, 0, 0)},
			FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(atomic_load(&f->echo_up.requests), 0);
}

static void test_missing_property(void **state)
{
	struct fx *f = *state;

	fx_assert_error((struct ffamed_regs[]){req(f, 0, REQ32, 0, FX_REQ2_ONLY, 0, 0, 0)},
			FFA_RET_DENIED);
	fx_assert_error((struct ffamed_regs[]){req(f, 0, REQ64, 0, FX_REQ2_ONLY, 0, 0, 0)},
			FFA_RET_DENIED);
	assert_int_equal(atomic_load(&f->req2_only.requests), 0);
}

static void test_flags_mbz(void **state)
{
	struct fx *f = *state;

	fx_assert_error((struct ffamed_regs[]){req(f, 0, REQ32, 0, FX_ECHO_UP, 1, 0, 0)},
			FFA_RET_INVALID_PARAMETERS);
	fx_assert_error((struct ffamed_regs[]){req(f, 0, REQ64, 0, FX_ECHO_UP, 1ull << 40, 0, 0)},
			FFA_RET_INVALID_PARAMETERS);
}

static void test_framework_messages(void **state)
{
	struct fx *f = *state;
	const uint64_t created = FFA_FWK_MSG(FFA_FWK_MSG_VM_CREATED);
	const uint64_t destroyed = FFA_FWK_MSG(FFA_FWK_MSG_VM_DESTROYED);
	struct ffamed_regs r;

#define FWK(cpu, fid, sender, recv, w2, vm)                                                        \
	fx_call(f, (cpu), (fid), FFA_SENDER_RECEIVER((sender), (recv)), (w2), 0xFFFFFFFF,          \
		0xFFFFFFFF, (vm), 0, 0)
	r = FWK(0, REQ32, 0, FX_VMWATCH, created, 9);
	assert_int_equal(r.x[0], FFA_MSG_SEND_DIRECT_RESP_32);
	assert_int_equal(r.x[1], FFA_SENDER_RECEIVER(FX_VMWATCH, 0));
	assert_int_equal(r.x[2], FFA_FWK_MSG(FFA_FWK_MSG_VM_CREATED_RESP));
	assert_int_equal(r.x[3], 0);
	assert_true(ffamed_sp_vmwatch_is_live(&f->vmwatch, 9));

	/* From a VM: only the hypervisor announces VMs. */
	fx_assert_error((struct ffamed_regs[]){FWK(0, REQ32, 9, FX_VMWATCH, created, 9)},
			FFA_RET_INVALID_PARAMETERS);
	/* To an SP not subscribed. */
	fx_assert_error((struct ffamed_regs[]){FWK(0, REQ32, 0, FX_ECHO_UP, created, 9)},
			FFA_RET_INVALID_PARAMETERS);
	/* Other framework types, stray bits, the 64-bit form, bad VM IDs. */
	fx_assert_error((struct ffamed_regs[]){FWK(0, REQ32, 0, FX_VMWATCH, FFA_FWK_MSG(0), 9)},
			FFA_RET_INVALID_PARAMETERS);
	fx_assert_error((struct ffamed_regs[]){FWK(0, REQ32, 0, FX_VMWATCH, FFA_FWK_MSG(5), 9)},
			FFA_RET_INVALID_PARAMETERS);
	fx_assert_error((struct ffamed_regs[]){FWK(0, REQ32, 0, FX_VMWATCH, FFA_FWK_MSG(8), 9)},
			FFA_RET_INVALID_PARAMETERS);
	fx_assert_error((struct ffamed_regs[]){FWK(0, REQ32, 0, FX_VMWATCH, created | 0x100, 9)},
			FFA_RET_INVALID_PARAMETERS);
	fx_assert_error((struct ffamed_regs[]){FWK(0, REQ64, 0, FX_VMWATCH, created, 9)},
			FFA_RET_INVALID_PARAMETERS);
	fx_assert_error((struct ffamed_regs[]){FWK(0, REQ32, 0, FX_VMWATCH, created, 0)},
			FFA_RET_INVALID_PARAMETERS);
	fx_assert_error((struct ffamed_regs[]){FWK(0, REQ32, 0, FX_VMWATCH, created, 0x8009)},
			FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(ffamed_sp_vmwatch_created_msgs(&f->vmwatch), 1);

	r = FWK(3, REQ32, 0, FX_VMWATCH, destroyed, 9);
	assert_int_equal(r.x[2], FFA_FWK_MSG(FFA_FWK_MSG_VM_DESTROYED_RESP));
	assert_int_equal(r.x[3], 0);
	assert_false(ffamed_sp_vmwatch_is_live(&f->vmwatch, 9));
	assert_int_equal(ffamed_sp_vmwatch_destroyed_msgs(&f->vmwatch), 1);
#undef FWK
}

static void test_mp_contexts(void **state)
{
	struct fx *f = *state;

	for (uint32_t cpu = 0; cpu < FX_MP_CTX; cpu++) {
		struct ffamed_regs r =
			req(f, cpu, REQ32, 4, FX_ECHO_MP, 0, FFAMED_ECHO_CMD_WHOAMI, 0);

		assert_whoami(&r, FFA_MSG_SEND_DIRECT_RESP_32, FX_ECHO_MP, (uint16_t)cpu, 4, 0);
		/* The UP SP always runs its one context. */
		r = req(f, cpu, REQ32, 4, FX_ECHO_UP, 0, FFAMED_ECHO_CMD_WHOAMI, 0);
		assert_whoami(&r, FFA_MSG_SEND_DIRECT_RESP_32, FX_ECHO_UP, 0, 4, 0);
	}
	/* No context for a CPU beyond the SP's count. */
	fx_assert_error((struct ffamed_regs[]){req(f, FX_MP_CTX, REQ32, 0, FX_ECHO_MP, 0, 0, 0)},
			FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(atomic_load(&f->echo_mp.responses_per_ctx[2]), 1);
}

static void test_interrupt_and_run(void **state)
{
	struct fx *f = *state;
	struct ffamed_regs r = req(f, 1, REQ32, 6, FX_ECHO_MP, 0, FFAMED_ECHO_CMD_INTERRUPT, 2);

	assert_int_equal(r.x[0], FFA_INTERRUPT);
	assert_int_equal(r.x[1], FFA_TARGET_INFO(FX_ECHO_MP, 1));
	for (int i = 2; i < FFA_NREGS; i++)
		assert_int_equal(r.x[i], 0);
	assert_int_equal(ffamed_spmc_ctx_state(f->spmc, FX_ECHO_MP, 1), FFAMED_SPMC_CTX_PREEMPTED);
	/* The context is parked: new requests on it are refused... */
	fx_assert_error((struct ffamed_regs[]){req(f, 1, REQ32, 0, FX_ECHO_MP, 0, 0, 0)},
			FFA_RET_BUSY);
	/* ... but the other contexts work. */
	r = req(f, 2, REQ32, 0, FX_ECHO_MP, 0, FFAMED_ECHO_CMD_WHOAMI, 0);
	assert_whoami(&r, FFA_MSG_SEND_DIRECT_RESP_32, FX_ECHO_MP, 2, 0, 0);
	/* An MP context is resumed from its own CPU only. */
	fx_assert_error((struct ffamed_regs[]){run(f, 2, FX_ECHO_MP, 1)}, FFA_RET_DENIED);
	r = run(f, 1, FX_ECHO_MP, 1);
	assert_int_equal(r.x[0], FFA_INTERRUPT);
	assert_int_equal(r.x[1], FFA_TARGET_INFO(FX_ECHO_MP, 1));
	r = run(f, 1, FX_ECHO_MP, 1);
	assert_whoami(&r, FFA_MSG_SEND_DIRECT_RESP_32, FX_ECHO_MP, 1, 6, 2);
	assert_int_equal(ffamed_spmc_ctx_state(f->spmc, FX_ECHO_MP, 1), FFAMED_SPMC_CTX_IDLE);
	/* Done: nothing left to run. */
	fx_assert_error((struct ffamed_regs[]){run(f, 1, FX_ECHO_MP, 1)}, FFA_RET_DENIED);
	assert_int_equal(atomic_load(&f->echo_mp.resumes), 2);
}

static void test_yield_and_run_up(void **state)
{
	struct fx *f = *state;
	const struct ffa_uuid nil = {{0}};
	struct ffamed_regs r = req2(f, 0, 5, FX_ECHO_UP, &nil, FFAMED_ECHO_CMD_YIELD, 1);

	assert_int_equal(r.x[0], FFA_YIELD);
	assert_int_equal(r.x[1], FFA_TARGET_INFO(FX_ECHO_UP, 0));
	assert_int_equal(ffamed_spmc_ctx_state(f->spmc, FX_ECHO_UP, 0), FFAMED_SPMC_CTX_YIELDED);
	fx_assert_error((struct ffamed_regs[]){req(f, 3, REQ32, 0, FX_ECHO_UP, 0, 0, 0)},
			FFA_RET_BUSY);
	/* A UP context migrates: any CPU may resume it; the reply keeps the
	 * request's format and requester. */
	r = run(f, 3, FX_ECHO_UP, 0);
	assert_whoami(&r, FFA_MSG_SEND_DIRECT_RESP2, FX_ECHO_UP, 0, 5, 1);
}

static void test_interrupt_req64(void **state)
{
	struct fx *f = *state;
	struct ffamed_regs r = req(f, 0, REQ64, 0, FX_ECHO_UP, 0, FFAMED_ECHO_CMD_INTERRUPT, 1);

	assert_int_equal(r.x[0], FFA_INTERRUPT);
	r = run(f, 0, FX_ECHO_UP, 0);
	assert_whoami(&r, FFA_MSG_SEND_DIRECT_RESP_64, FX_ECHO_UP, 0, 0, 1);
}

static void test_run_refusals(void **state)
{
	struct fx *f = *state;

	fx_assert_error((struct ffamed_regs[]){run(f, 0, FX_ECHO_UP, 0)}, FFA_RET_DENIED);
	fx_assert_error((struct ffamed_regs[]){run(f, 0, 0x8099, 0)}, FFA_RET_INVALID_PARAMETERS);
	fx_assert_error((struct ffamed_regs[]){run(f, 0, 0x0003, 0)}, FFA_RET_INVALID_PARAMETERS);
	fx_assert_error((struct ffamed_regs[]){run(f, 0, FX_ECHO_UP, 1)},
			FFA_RET_INVALID_PARAMETERS);
	fx_assert_error((struct ffamed_regs[]){run(f, 0, FX_ECHO_MP, FX_MP_CTX)},
			FFA_RET_INVALID_PARAMETERS);
	fx_assert_error((struct ffamed_regs[]){fx_call(
				f, 0, FFA_RUN, FFA_TARGET_INFO(FX_ECHO_UP, 0), 1, 0, 0, 0, 0, 0)},
			FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(ffamed_spmc_ctx_state(f->spmc, 0x8099, 0), FFAMED_SPMC_CTX_INVALID);
	assert_int_equal(ffamed_spmc_ctx_state(f->spmc, FX_ECHO_UP, 1), FFAMED_SPMC_CTX_INVALID);
}

int main(void)
{
#define T(fn, setup) cmocka_unit_test_setup_teardown(fn, setup, fx_teardown)
	const struct CMUnitTest tests[] = {
		T(test_req32_echo, fx_setup_v12),
		T(test_req64_echo, fx_setup_v12),
		T(test_req2, fx_setup_v12),
		T(test_req2_v1_1_caller, fx_setup_raw),
		T(test_bad_sender_receiver, fx_setup_v12),
		T(test_missing_property, fx_setup_v12),
		T(test_flags_mbz, fx_setup_v12),
		T(test_framework_messages, fx_setup_v12),
		T(test_mp_contexts, fx_setup_v12),
		T(test_interrupt_and_run, fx_setup_v12),
		T(test_yield_and_run_up, fx_setup_v12),
		T(test_interrupt_req64, fx_setup_v12),
		T(test_run_refusals, fx_setup_v12),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
