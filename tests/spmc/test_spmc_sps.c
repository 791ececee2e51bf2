/* SPDX-License-Identifier: MIT */
/* The built-in SPs: ECHO protocol, VMWATCH bookkeeping and knobs, OP-TEE. */
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>

#include "spmc_fixture.h"

#define REQ32 FFA_MSG_SEND_DIRECT_REQ_32

static struct ffamed_regs req32(struct fx *f, uint32_t cpu, uint16_t sender, uint16_t receiver,
				uint64_t w2, uint64_t w3, uint64_t w4, uint64_t w5, uint64_t w6)
{
	return fx_call(f, cpu, REQ32, FFA_SENDER_RECEIVER(sender, receiver), w2, w3, w4, w5, w6, 0);
}

/* ---- ECHO ------------------------------------------------------------------ */

static void test_echo_config(void **state)
{
	struct ffamed_sp_config cfg;
	struct ffamed_sp_echo st;
	const struct ffa_uuid u = FFAMED_SP_ECHO_UUID;

	(void)state;
	memset(&st, 0x5A, sizeof(st)); /* the config function initialises it */
	ffamed_sp_echo_config(&cfg, &st, 0x8123, 3);
	assert_int_equal(cfg.id, 0x8123);
	assert_int_equal(cfg.exec_ctx_count, 3);
	assert_int_equal(cfg.properties,
			 FFA_PART_PROP_DIRECT_REQ_RECV | FFA_PART_PROP_DIRECT_REQ_SEND |
				 FFA_PART_PROP_INDIRECT_MSG | FFA_PART_PROP_NOTIFICATIONS |
				 FFA_PART_PROP_AARCH64 | FFA_PART_PROP_DIRECT_REQ2_RECV);
	assert_int_equal(cfg.uuid_count, 1);
	assert_memory_equal(cfg.uuids[0].b, u.b, 16);
	assert_ptr_equal(cfg.priv, &st);
	assert_int_equal(atomic_load(&st.requests), 0);
	assert_int_equal(atomic_load(&st.responses_per_ctx[63]), 0);
	assert_int_equal(atomic_load(&st.indirect_received), 0);
	assert_int_equal(atomic_load(&st.indirect_echoed), 0);
	assert_int_equal(atomic_load(&st.indirect_refused), 0);
	assert_int_equal(atomic_load(&st.indirect_last_refusal), 0);
	assert_int_equal(atomic_load(&st.send2_sent), 0);
}

static void test_echo_yield_counts(void **state)
{
	struct fx *f = *state;
	struct ffamed_regs r = req32(f, 2, 8, FX_ECHO_MP, 0, FFAMED_ECHO_CMD_YIELD, 3, 0, 0);
	uint32_t yields = 0;

	while (r.x[0] == FFA_YIELD) {
		assert_int_equal(r.x[1], FFA_TARGET_INFO(FX_ECHO_MP, 2));
		yields++;
		r = fx_call(f, 2, FFA_RUN, r.x[1], 0, 0, 0, 0, 0, 0);
	}
	assert_int_equal(yields, 3);
	assert_int_equal(r.x[0], FFA_MSG_SEND_DIRECT_RESP_32);
	assert_int_equal(r.x[3], FFAMED_ECHO_CMD_YIELD);
	assert_int_equal(r.x[4], FX_ECHO_MP);
	assert_int_equal(r.x[5], 2);
	assert_int_equal(r.x[6], 8);
	assert_int_equal(r.x[7], 3);
	assert_int_equal(atomic_load(&f->echo_mp.requests), 1);
	assert_int_equal(atomic_load(&f->echo_mp.resumes), 3);
	assert_int_equal(atomic_load(&f->echo_mp.responses), 1);
	assert_int_equal(atomic_load(&f->echo_mp.responses_per_ctx[2]), 1);
	assert_int_equal(atomic_load(&f->echo_up.requests), 0);
}

static void test_echo_zero_repeats(void **state)
{
	struct fx *f = *state;
	/* INTERRUPT with N = 0 answers at once. */
	struct ffamed_regs r = req32(f, 0, 0, FX_ECHO_UP, 0, FFAMED_ECHO_CMD_INTERRUPT, 0, 0, 0);

	assert_int_equal(r.x[0], FFA_MSG_SEND_DIRECT_RESP_32);
	assert_int_equal(r.x[7], 0);
	/* Unknown commands are plain payload. */
	r = req32(f, 0, 0, FX_ECHO_UP, 0, 0xEC400009u, 1, 2, 3);
	assert_int_equal(r.x[3], 0xEC400009u);
	assert_int_equal(r.x[4], 1);
	assert_int_equal(r.x[5], 2);
	assert_int_equal(r.x[6], 3);
}

/* ---- VMWATCH --------------------------------------------------------------- */

static struct ffamed_regs vm_msg(struct fx *f, bool created, uint16_t vm)
{
	uint32_t type = created ? FFA_FWK_MSG_VM_CREATED : FFA_FWK_MSG_VM_DESTROYED;

	return req32(f, 0, 0, FX_VMWATCH, FFA_FWK_MSG(type), 0, 0, vm, 0);
}

static int32_t vm_status(struct fx *f, bool created, uint16_t vm)
{
	struct ffamed_regs r = vm_msg(f, created, vm);

	assert_int_equal(r.x[0], FFA_MSG_SEND_DIRECT_RESP_32);
	assert_int_equal(r.x[2], FFA_FWK_MSG(created ? FFA_FWK_MSG_VM_CREATED_RESP
						     : FFA_FWK_MSG_VM_DESTROYED_RESP));
	/* The status is a zero-extended w3. */
	assert_int_equal(r.x[3] >> 32, 0);
	return (int32_t)(uint32_t)r.x[3];
}

static void test_vmwatch_tracking(void **state)
{
	struct fx *f = *state;
	struct ffamed_regs r;

	assert_int_equal(vm_status(f, true, 1), 0);
	assert_int_equal(vm_status(f, true, 2), 0);
	assert_int_equal(vm_status(f, true, 0x7FFE), 0);
	assert_true(ffamed_sp_vmwatch_is_live(&f->vmwatch, 1));
	assert_true(ffamed_sp_vmwatch_is_live(&f->vmwatch, 0x7FFE));
	assert_false(ffamed_sp_vmwatch_is_live(&f->vmwatch, 3));
	assert_int_equal(ffamed_sp_vmwatch_live_count(&f->vmwatch), 3);
	/* A partition message answers the live count. */
	r = req32(f, 0, 0, FX_VMWATCH, 0, 0, 0, 0, 0);
	assert_int_equal(r.x[0], FFA_MSG_SEND_DIRECT_RESP_32);
	assert_int_equal(r.x[3], 3);
	assert_int_equal(vm_status(f, false, 2), 0);
	assert_false(ffamed_sp_vmwatch_is_live(&f->vmwatch, 2));
	/* Repeats and unknown VMs are answered 0 but counted. */
	assert_int_equal(vm_status(f, true, 1), 0);
	assert_int_equal(vm_status(f, false, 2), 0);
	assert_int_equal(atomic_load(&f->vmwatch.duplicate_created), 1);
	assert_int_equal(atomic_load(&f->vmwatch.unknown_destroyed), 1);
	assert_int_equal(ffamed_sp_vmwatch_created_msgs(&f->vmwatch), 4);
	assert_int_equal(ffamed_sp_vmwatch_destroyed_msgs(&f->vmwatch), 2);
	assert_int_equal(ffamed_sp_vmwatch_live_count(&f->vmwatch), 2);
}

static void test_vmwatch_fail_next(void **state)
{
	struct fx *f = *state;

	ffamed_sp_vmwatch_fail_next(&f->vmwatch, FFA_RET_RETRY, 2);
	assert_int_equal(vm_status(f, true, 4), FFA_RET_RETRY);
	assert_false(ffamed_sp_vmwatch_is_live(&f->vmwatch, 4));
	assert_int_equal(vm_status(f, true, 4), FFA_RET_RETRY);
	assert_int_equal(vm_status(f, true, 4), 0);
	assert_true(ffamed_sp_vmwatch_is_live(&f->vmwatch, 4));
	ffamed_sp_vmwatch_fail_next(&f->vmwatch, FFA_RET_INTERRUPTED, 1);
	assert_int_equal(vm_status(f, false, 4), FFA_RET_INTERRUPTED);
	assert_true(ffamed_sp_vmwatch_is_live(&f->vmwatch, 4));
	assert_int_equal(vm_status(f, false, 4), 0);
	assert_false(ffamed_sp_vmwatch_is_live(&f->vmwatch, 4));
	assert_int_equal(ffamed_sp_vmwatch_created_msgs(&f->vmwatch), 3);
	assert_int_equal(ffamed_sp_vmwatch_destroyed_msgs(&f->vmwatch), 2);
	assert_int_equal(atomic_load(&f->vmwatch.duplicate_created), 0);
}

static void test_vmwatch_fail_always(void **state)
{
	struct fx *f = *state;

	ffamed_sp_vmwatch_fail_always(&f->vmwatch, FFA_RET_DENIED);
	for (int i = 0; i < 3; i++)
		assert_int_equal(vm_status(f, true, 5), FFA_RET_DENIED);
	assert_int_equal(ffamed_sp_vmwatch_live_count(&f->vmwatch), 0);
	ffamed_sp_vmwatch_fail_always(&f->vmwatch, 0);
	assert_int_equal(vm_status(f, true, 5), 0);
	assert_int_equal(ffamed_sp_vmwatch_live_count(&f->vmwatch), 1);
}

/* ---- OP-TEE ---------------------------------------------------------------- */

static void test_optee_probe(void **state)
{
	struct fx *f = *state;
	struct ffamed_regs r;

	r = req32(f, 1, 3, FX_OPTEE, 0, FFAMED_OPTEE_GET_API_VERSION, 0, 0, 0);
	assert_int_equal(r.x[0], FFA_MSG_SEND_DIRECT_RESP_32);
	assert_int_equal(r.x[1], FFA_SENDER_RECEIVER(FX_OPTEE, 3));
	assert_int_equal(r.x[2], 0);
	assert_int_equal(r.x[3], 1);
	assert_int_equal(r.x[4], 0);

	r = req32(f, 1, 3, FX_OPTEE, 0, FFAMED_OPTEE_EXCHANGE_CAPABILITIES, 0, 0, 0);
	assert_int_equal(r.x[3], 0);
	assert_int_equal(r.x[4], FFAMED_OPTEE_RPC_PARAMS);
	assert_int_equal(r.x[5], FFAMED_OPTEE_CAP_ARG_OFFSET | FFAMED_OPTEE_CAP_ASYNC_NOTIF);
	assert_int_equal(r.x[6], 0);

	r = req32(f, 1, 3, FX_OPTEE, 0, FFAMED_OPTEE_GET_OS_VERSION, 0, 0, 0);
	assert_int_equal(r.x[3], FFAMED_OPTEE_OS_MAJOR);
	assert_int_equal(r.x[4], FFAMED_OPTEE_OS_MINOR);
	assert_int_equal(r.x[5], FFAMED_OPTEE_OS_BUILD_ID);

	r = req32(f, 1, 3, FX_OPTEE, 0, FFAMED_OPTEE_UNREGISTER_SHM, 0x1234, 0, 0);
	assert_int_equal(r.x[3], 0);

	/* VM 3 has no bitmap: OP-TEE answers 0, the set is refused and counted. */
	r = req32(f, 1, 3, FX_OPTEE, 0, FFAMED_OPTEE_ENABLE_ASYNC_NOTIF, 0, 0, 0);
	assert_int_equal(r.x[3], 0);
	assert_int_equal(atomic_load(&f->optee.notifs_set), 0);
	assert_int_equal(atomic_load(&f->optee.notif_failures), 1);

	r = req32(f, 2, 3, FX_OPTEE, 0, FFAMED_OPTEE_YIELDING_CALL_WITH_ARG, 0x1000, 0, 0);
	assert_int_equal(r.x[0], FFA_MSG_SEND_DIRECT_RESP_32);
	assert_int_equal(r.x[3], FFAMED_TEEC_ERROR_BAD_PARAMETERS);
	assert_int_equal(r.x[4], FFAMED_OPTEE_YIELDING_DONE);

	r = req32(f, 0, 3, FX_OPTEE, 0, 7, 0, 0, 0);
	assert_int_equal(r.x[3], FFAMED_TEEC_ERROR_BAD_PARAMETERS);

	assert_int_equal(atomic_load(&f->optee.calls[0]), 1);
	assert_int_equal(atomic_load(&f->optee.calls[1]), 1);
	assert_int_equal(atomic_load(&f->optee.calls[2]), 1);
	assert_int_equal(atomic_load(&f->optee.calls[3]), 1);
	assert_int_equal(atomic_load(&f->optee.calls[4]), 0);
	assert_int_equal(atomic_load(&f->optee.calls[5]), 1);
	assert_int_equal(atomic_load(&f->optee.calls[FFAMED_OPTEE_SLOT_YIELDING]), 1);
	assert_int_equal(atomic_load(&f->optee.calls[FFAMED_OPTEE_SLOT_UNKNOWN]), 1);
	assert_int_equal(atomic_load(&f->optee.args_answered), 0);
}

/* What Linux 7.3 does: bind the bottom-half notification, then enable. */
static void test_optee_async_notif(void **state)
{
	struct fx *f = *state;
	const uint16_t vm = 3;
	struct ffamed_regs r;
	unsigned long sri;

	r = fx_call(f, 0, FFA_NOTIFICATION_BITMAP_CREATE, vm, 2, 0, 0, 0, 0, 0);
	fx_assert_success(&r);
	r = fx_call(f, 0, FFA_NOTIFICATION_BIND, ((uint32_t)FX_OPTEE << 16) | vm, 0, 1u << 5, 0, 0,
		    0, 0);
	fx_assert_success(&r);

	sri = atomic_load(&f->sri_count);
	r = req32(f, 1, vm, FX_OPTEE, 0, FFAMED_OPTEE_ENABLE_ASYNC_NOTIF, 5, 0, 0);
	assert_int_equal(r.x[0], FFA_MSG_SEND_DIRECT_RESP_32);
	assert_int_equal(r.x[3], 0);
	assert_int_equal(atomic_load(&f->optee.notifs_set), 1);
	assert_int_equal(ffamed_spmc_notif_pending(f->spmc, vm, false, 0), 1ull << 5);
	/* One SRI, delayed to the end of the request, on the CPU that ran it. */
	assert_int_equal(atomic_load(&f->sri_count), sri + 1);
	assert_int_equal(atomic_load(&f->sri_per_cpu[1]), 1);

	/* The VM collects it (through the hypervisor). */
	r = fx_call(f, 0, FFA_NOTIFICATION_GET, vm, 1, 0, 0, 0, 0, 0);
	fx_assert_success(&r);
	assert_int_equal(r.x[2], 1u << 5);
	assert_int_equal(ffamed_spmc_notif_pending(f->spmc, vm, false, 0), 0);

	/* An ID that is not bound to the SP: answered, not set. */
	r = req32(f, 0, vm, FX_OPTEE, 0, FFAMED_OPTEE_ENABLE_ASYNC_NOTIF, 6, 0, 0);
	assert_int_equal(r.x[3], 0);
	assert_int_equal(atomic_load(&f->optee.notif_failures), 1);
	assert_int_equal(ffamed_spmc_notif_pending(f->spmc, vm, false, 0), 0);

	/* Out of the 64 notification IDs: refused, nothing set. */
	r = req32(f, 0, vm, FX_OPTEE, 0, FFAMED_OPTEE_ENABLE_ASYNC_NOTIF, 64, 0, 0);
	assert_int_equal(r.x[3], FFAMED_TEEC_ERROR_BAD_PARAMETERS);
	assert_int_equal(atomic_load(&f->optee.notifs_set), 1);
	assert_int_equal(atomic_load(&f->optee.notif_failures), 1);
}

/* A fake shared-memory provider: one handle, backed by a page of fake RAM. */
#define FAKE_HANDLE 0x1234567800000042ull
struct fake_mem {
	struct fx *f;
	uint16_t sender;
	uint64_t released;
	uint16_t released_by;
	int maps;
};

static void *fake_map(void *ctx, struct ffamed_sp *sp, uint16_t sender, uint64_t handle,
		      uint64_t offset, size_t len)
{
	struct fake_mem *m = ctx;

	assert_int_equal(ffamed_sp_id(sp), FX_OPTEE);
	m->maps++;
	if (handle != FAKE_HANDLE || sender != m->sender || offset > FX_PAGE ||
	    len > FX_PAGE - offset)
		return NULL;
	return (uint8_t *)fx_va(m->f, fx_pa(7)) + offset;
}

static void fake_release(void *ctx, struct ffamed_sp *sp, uint16_t sender, uint64_t handle)
{
	struct fake_mem *m = ctx;

	(void)sp;
	m->released = handle;
	m->released_by = sender;
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
	       ((uint32_t)p[3] << 24);
}

static void test_optee_yielding_arg(void **state)
{
	struct fx *f = *state;
	struct fake_mem m = {.f = f, .sender = 3};
	const struct ffamed_sp_optee_mem mem = {&m, fake_map, fake_release};
	uint8_t *arg = (uint8_t *)fx_va(f, fx_pa(7)) + 0x100;
	const uint32_t lo = (uint32_t)FAKE_HANDLE, hi = (uint32_t)(FAKE_HANDLE >> 32);
	struct ffamed_regs r;

	ffamed_sp_optee_set_mem(&f->optee, &mem);

	/* OPEN_SESSION (the device enumeration PTA): no such TA. */
	memset(arg, 0xEE, 64);
	arg[0] = 0;
	arg[1] = arg[2] = arg[3] = 0;
	r = req32(f, 0, 3, FX_OPTEE, 0, FFAMED_OPTEE_YIELDING_CALL_WITH_ARG, lo, hi, 0x100);
	assert_int_equal(r.x[3], FFAMED_TEEC_SUCCESS);
	assert_int_equal(r.x[4], FFAMED_OPTEE_YIELDING_DONE);
	assert_int_equal(le32(arg + FFAMED_OPTEE_MSG_ARG_RET), FFAMED_TEEC_ERROR_ITEM_NOT_FOUND);
	assert_int_equal(le32(arg + FFAMED_OPTEE_MSG_ARG_RET_ORIGIN), FFAMED_TEEC_ORIGIN_TEE);
	assert_int_equal(arg[4], 0xEE); /* nothing else written */

	/* DO_BOTTOM_HALF (6): done, success. */
	arg[0] = 6;
	r = req32(f, 1, 3, FX_OPTEE, 0, FFAMED_OPTEE_YIELDING_CALL_WITH_ARG, lo, hi, 0x100);
	assert_int_equal(r.x[3], FFAMED_TEEC_SUCCESS);
	assert_int_equal(le32(arg + FFAMED_OPTEE_MSG_ARG_RET), FFAMED_TEEC_SUCCESS);
	assert_int_equal(atomic_load(&f->optee.args_answered), 2);

	/* Unknown handle, another VM's handle, an offset out of the page. */
	r = req32(f, 0, 3, FX_OPTEE, 0, FFAMED_OPTEE_YIELDING_CALL_WITH_ARG, lo + 1, hi, 0);
	assert_int_equal(r.x[3], FFAMED_TEEC_ERROR_BAD_PARAMETERS);
	assert_int_equal(r.x[4], FFAMED_OPTEE_YIELDING_DONE);
	r = req32(f, 0, 4, FX_OPTEE, 0, FFAMED_OPTEE_YIELDING_CALL_WITH_ARG, lo, hi, 0);
	assert_int_equal(r.x[3], FFAMED_TEEC_ERROR_BAD_PARAMETERS);
	r = req32(f, 0, 3, FX_OPTEE, 0, FFAMED_OPTEE_YIELDING_CALL_WITH_ARG, lo, hi, FX_PAGE - 8);
	assert_int_equal(r.x[3], FFAMED_TEEC_ERROR_BAD_PARAMETERS);
	assert_int_equal(atomic_load(&f->optee.args_answered), 2);
	assert_int_equal(m.maps, 5);

	/* UNREGISTER_SHM hands the handle back. */
	r = req32(f, 0, 3, FX_OPTEE, 0, FFAMED_OPTEE_UNREGISTER_SHM, lo, hi, 0);
	assert_int_equal(r.x[3], 0);
	assert_int_equal(m.released, FAKE_HANDLE);
	assert_int_equal(m.released_by, 3);

	ffamed_sp_optee_set_mem(&f->optee, NULL);
	r = req32(f, 0, 3, FX_OPTEE, 0, FFAMED_OPTEE_YIELDING_CALL_WITH_ARG, lo, hi, 0x100);
	assert_int_equal(r.x[3], FFAMED_TEEC_ERROR_BAD_PARAMETERS);
	assert_int_equal(m.maps, 5);
}

static void test_optee_64bit(void **state)
{
	struct fx *f = *state;
	struct ffamed_regs r =
		fx_call(f, 0, FFA_MSG_SEND_DIRECT_REQ_64, FFA_SENDER_RECEIVER(0, FX_OPTEE), 0,
			FFAMED_OPTEE_GET_API_VERSION, 0, 0, 0, 0);

	assert_int_equal(r.x[0], FFA_MSG_SEND_DIRECT_RESP_64);
	assert_int_equal(r.x[3], FFAMED_OPTEE_API_MAJOR);
}

static void test_optee_partition_info(void **state)
{
	struct fx *f = *state;
	const struct ffa_uuid u = FFAMED_SP_OPTEE_UUID;

	/* The words Linux puts in w1..w4 for OP-TEE's UUID. */
	assert_int_equal(ffa_uuid_w(&u, 0), 0xe0786148);
	assert_int_equal(ffa_uuid_w(&u, 1), 0xe311f8e7);
	assert_int_equal(ffa_uuid_w(&u, 2), 0x02005ebc);
	assert_int_equal(ffa_uuid_w(&u, 3), 0x1bc5d5a5);
	(void)f;
}

int main(void)
{
#define T(fn, setup) cmocka_unit_test_setup_teardown(fn, setup, fx_teardown)
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_echo_config),
		T(test_echo_yield_counts, fx_setup_v12),
		T(test_echo_zero_repeats, fx_setup_v12),
		T(test_vmwatch_tracking, fx_setup_v12),
		T(test_vmwatch_fail_next, fx_setup_v12),
		T(test_vmwatch_fail_always, fx_setup_v12),
		T(test_optee_probe, fx_setup_v12),
		T(test_optee_64bit, fx_setup_v12),
		T(test_optee_async_notif, fx_setup_v12),
		T(test_optee_yielding_arg, fx_setup_v12),
		T(test_optee_partition_info, fx_setup_v12),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
