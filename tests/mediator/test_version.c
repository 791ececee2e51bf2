/* SPDX-License-Identifier: MIT */
/* FFA_VERSION negotiation and FID decoding. */
#include "med_fixture.h"

static struct fix *fix;

static int setup(void **state)
{
	(void)state;
	fix = fix_create(NULL);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fix_destroy(fix);
	return 0;
}

static void assert_version_reply(const struct ffamed_regs *r)
{
	assert_int_equal(r->x[0], FFAMED_FFA_VERSION);
	for (int i = 1; i < FFA_NREGS; i++)
		assert_int_equal(r->x[i], 0);
}

static void calls_before_version_not_supported(void **state)
{
	(void)state;
	struct fix_vm *v = fix_vm(fix, 1, 1);
	const uint32_t fids[] = {FFA_ID_GET,	  FFA_FEATURES,	  FFA_PARTITION_INFO_GET,
				 FFA_RXTX_MAP_64, FFA_RX_RELEASE, FFA_MSG_SEND_DIRECT_REQ_32,
				 FFA_SMC32(0xEF)};
	struct ffamed_regs r;

	for (size_t i = 0; i < sizeof(fids) / sizeof(fids[0]); i++) {
		r = fix_call(v, 0, fids[i], 0, 0, 0, 0, 0);
		assert_ffa_error(r, FFA_RET_NOT_SUPPORTED);
	}
	assert_int_equal(ffamed_vm_version(v->vm), 0);
	/* Then a normal negotiation still works. */
	fix_negotiate(v, FFA_VERSION_1_1);
	fix_vm_destroy(v);
}

static void answer_is_always_ours(void **state)
{
	(void)state;
	const uint32_t asks[] = {FFA_VERSION_1_0,	 FFA_VERSION_1_1,
				 FFA_VERSION_1_2,	 FFA_MAKE_VERSION(1, 7),
				 FFA_MAKE_VERSION(2, 0), FFA_MAKE_VERSION(0, 9)};
	const uint32_t final[] = {FFA_VERSION_1_0,    FFA_VERSION_1_1,	  FFA_VERSION_1_2,
				  FFAMED_FFA_VERSION, FFAMED_FFA_VERSION, FFAMED_FFA_VERSION};

	for (size_t i = 0; i < sizeof(asks) / sizeof(asks[0]); i++) {
		struct fix_vm *v = fix_vm(fix, (uint16_t)(10 + i), 1);
		struct ffamed_regs r = fix_call(v, 0, FFA_VERSION, asks[i], 5, 6, 7, 8);

		assert_version_reply(&r);
		/* Not final until another call. */
		assert_int_equal(ffamed_vm_version(v->vm), 0);
		r = fix_call(v, 0, FFA_ID_GET, 0, 0, 0, 0, 0);
		assert_ffa_success(r);
		assert_int_equal(r.x[2], v->id);
		assert_int_equal(ffamed_vm_version(v->vm), final[i]);
		fix_vm_destroy(v);
	}
}

static void several_requests_last_wins(void **state)
{
	(void)state;
	struct fix_vm *v = fix_vm(fix, 2, 1);
	struct ffamed_regs r;

	r = fix_call(v, 0, FFA_VERSION, FFA_VERSION_1_2, 0, 0, 0, 0);
	assert_version_reply(&r);
	r = fix_call(v, 0, FFA_VERSION, FFA_VERSION_1_0, 0, 0, 0, 0);
	assert_version_reply(&r);
	r = fix_call(v, 0, FFA_VERSION, FFA_VERSION_1_1, 0, 0, 0, 0);
	assert_version_reply(&r);
	r = fix_call(v, 0, FFA_FEATURES, FFA_ID_GET, 0, 0, 0, 0);
	assert_ffa_success(r);
	assert_int_equal(ffamed_vm_version(v->vm), FFA_VERSION_1_1);
	fix_vm_destroy(v);
}

static void final_version_never_changes(void **state)
{
	(void)state;
	struct fix_vm *v = fix_vm(fix, 3, 2);
	struct ffamed_regs r;

	fix_negotiate(v, FFA_VERSION_1_0);
	/* Another version once final: NOT_SUPPORTED in w0 (ACS
	 * ffa_version_negotiation), from any vCPU. */
	r = fix_call(v, 1, FFA_VERSION, FFA_VERSION_1_2, 0, 0, 0, 0);
	assert_int_equal(r.x[0], 0xFFFFFFFFull);
	for (int i = 1; i < FFA_NREGS; i++)
		assert_int_equal(r.x[i], 0);
	r = fix_call(v, 0, FFA_VERSION, FFA_VERSION_1_1, 0, 0, 0, 0);
	assert_int_equal(r.x[0], 0xFFFFFFFFull);
	/* The same version again: answered as before. */
	r = fix_call(v, 1, FFA_VERSION, FFA_VERSION_1_0, 0, 0, 0, 0);
	assert_version_reply(&r);
	r = fix_call(v, 0, FFA_ID_GET, 0, 0, 0, 0, 0);
	assert_ffa_success(r);
	assert_int_equal(ffamed_vm_version(v->vm), FFA_VERSION_1_0);
	/* The 1.0 guest still gets 1.0 behaviour: no SPM_ID_GET. */
	r = fix_call(v, 0, FFA_SPM_ID_GET, 0, 0, 0, 0, 0);
	assert_ffa_error(r, FFA_RET_NOT_SUPPORTED);
	fix_vm_destroy(v);
}

static void final_version_same_request(void **state)
{
	(void)state;
	struct ffamed_regs r;

	/* A guest that asked a higher minor recorded ours: that request and
	 * ours are "the same" later; a lower one is not. */
	struct fix_vm *v = fix_vm(fix, 6, 1);
	r = fix_call(v, 0, FFA_VERSION, FFA_MAKE_VERSION(1, 7), 0, 0, 0, 0);
	assert_version_reply(&r);
	r = fix_call(v, 0, FFA_ID_GET, 0, 0, 0, 0, 0);
	assert_ffa_success(r);
	r = fix_call(v, 0, FFA_VERSION, FFA_MAKE_VERSION(1, 7), 0, 0, 0, 0);
	assert_version_reply(&r);
	r = fix_call(v, 0, FFA_VERSION, FFAMED_FFA_VERSION, 0, 0, 0, 0);
	assert_version_reply(&r);
	r = fix_call(v, 0, FFA_VERSION, FFA_VERSION_1_1, 0, 0, 0, 0);
	assert_int_equal(r.x[0], 0xFFFFFFFFull);
	/* Refused requests change nothing. */
	assert_int_equal(ffamed_vm_version(v->vm), FFAMED_FFA_VERSION);
	fix_vm_destroy(v);
}

static void bit31_not_supported(void **state)
{
	(void)state;
	struct fix_vm *v = fix_vm(fix, 4, 1);
	struct ffamed_regs r;

	r = fix_call(v, 0, FFA_VERSION, 0x80010002u, 0, 0, 0, 0);
	/* w0 = -1, zero-extended like every 32-bit code (docs/ABI-COVERAGE.md §1.1). */
	assert_int_equal(r.x[0], 0xFFFFFFFFull);
	for (int i = 1; i < FFA_NREGS; i++)
		assert_int_equal(r.x[i], 0);
	/* Nothing was requested: still refused. */
	r = fix_call(v, 0, FFA_ID_GET, 0, 0, 0, 0, 0);
	assert_ffa_error(r, FFA_RET_NOT_SUPPORTED);
	/* After finalisation bit31 is still refused. */
	fix_negotiate(v, FFA_VERSION_1_2);
	r = fix_call(v, 0, FFA_VERSION, 0xFFFFFFFFu, 0, 0, 0, 0);
	assert_int_equal(r.x[0], 0xFFFFFFFFull);
	fix_vm_destroy(v);
}

static void fid_decoding(void **state)
{
	(void)state;
	struct fix_vm *v = fix_vm(fix, 5, 1);
	struct ffamed_regs r, in;

	/* SVE hint bit and junk in the upper halves of SMC32 arguments. */
	r = fix_call(v, 0, FFA_VERSION | FFA_SMCCC_SVE_HINT, 0xDEADBEEF00010001ull, 0, 0, 0, 0);
	assert_version_reply(&r);
	r = fix_call(v, 0, FFA_ID_GET | FFA_SMCCC_SVE_HINT | (1ull << 40), 0, 0, 0, 0, 0);
	assert_ffa_success(r);
	assert_int_equal(ffamed_vm_version(v->vm), FFA_VERSION_1_1);

	/* Non-FF-A FIDs are the host's: untouched. */
	const uint64_t others[] = {0x84000000u /* PSCI_VERSION */,
				   0xC4000003u,
				   0x80000000u,
				   0x8400005Fu,
				   0x840000F0u,
				   0x86000063u};
	for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
		memset(&in, 0x5A, sizeof(in));
		in.x[0] = others[i];
		r = in;
		assert_false(ffamed_handle_call(v->vm, 0, &r));
		assert_memory_equal(&r, &in, sizeof(r));
	}

	/* Unknown FF-A FIDs: NOT_SUPPORTED, zero-extended in x2. */
	const uint32_t unknown[] = {
		FFA_SMC32(0xEF), FFA_SMC64(0xA0),  FFA_SMC64(0x63),
		FFA_SMC32(0x8B), FFA_MEM_OP_PAUSE, FFA_NOTIFICATION_BITMAP_CREATE,
		FFA_RX_ACQUIRE,	 FFA_SUCCESS_32,   FFA_MSG_SEND_DIRECT_RESP_32,
		FFA_MSG_WAIT,	 FFA_YIELD};
	for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
		r = fix_call(v, 0, unknown[i], 1, 2, 3, 4, 5);
		assert_ffa_error(r, FFA_RET_NOT_SUPPORTED);
		for (int j = 3; j < FFA_NREGS; j++)
			assert_int_equal(r.x[j], 0);
	}
	fix_vm_destroy(v);
}

static void vcpu_out_of_range(void **state)
{
	(void)state;
	struct fix_vm *v = fix_vm(fix, 6, 2);
	struct ffamed_regs r;

	r = fix_call(v, 2, FFA_VERSION, FFA_VERSION_1_2, 0, 0, 0, 0);
	assert_ffa_error(r, FFA_RET_INVALID_PARAMETERS);
	r = fix_call(v, 1, FFA_VERSION, FFA_VERSION_1_2, 0, 0, 0, 0);
	assert_version_reply(&r);
	fix_vm_destroy(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(calls_before_version_not_supported),
		cmocka_unit_test(answer_is_always_ours),
		cmocka_unit_test(several_requests_last_wins),
		cmocka_unit_test(final_version_never_changes),
		cmocka_unit_test(final_version_same_request),
		cmocka_unit_test(bit31_not_supported),
		cmocka_unit_test(fid_decoding),
		cmocka_unit_test(vcpu_out_of_range),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
