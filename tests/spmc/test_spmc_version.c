/* SPDX-License-Identifier: MIT */
/* FFA_VERSION negotiation, FFA_FEATURES, the ID queries, unknown calls,
 * call counters and SPMC creation checks. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "spmc_fixture.h"

#define NOT_SUPPORTED_W0 0xFFFFFFFFull /* w0 = -1, upper half clear */

static void test_version_good(void **state)
{
	struct fx *f = *state;
	struct ffamed_regs r = fx_call(f, 0, FFA_VERSION, FFA_VERSION_1_2, 0, 0, 0, 0, 0, 0);
	bool frozen = true;

	assert_int_equal(r.x[0], FFA_VERSION_1_2);
	for (int i = 1; i < FFA_NREGS; i++)
		assert_int_equal(r.x[i], 0);
	assert_int_equal(ffamed_spmc_caller_version(f->spmc, &frozen), FFA_VERSION_1_2);
	assert_false(frozen);
	/* Renegotiating before any other call is allowed. */
	assert_int_equal(fx_version(f, FFA_VERSION_1_0), FFA_VERSION_1_2);
	assert_int_equal(ffamed_spmc_caller_version(f->spmc, NULL), FFA_VERSION_1_0);
	assert_int_equal(fx_version(f, FFA_VERSION_1_1), FFA_VERSION_1_2);
	assert_int_equal(ffamed_spmc_caller_version(f->spmc, NULL), FFA_VERSION_1_1);
}

static void test_version_refused(void **state)
{
	struct fx *f = *state;

	assert_int_equal(fx_version(f, FFA_VERSION_1_2 | FFA_VERSION_MBZ_BIT), NOT_SUPPORTED_W0);
	assert_int_equal(fx_version(f, FFA_MAKE_VERSION(2, 0)), NOT_SUPPORTED_W0);
	assert_int_equal(fx_version(f, FFA_MAKE_VERSION(0, 9)), NOT_SUPPORTED_W0);
	assert_int_equal(ffamed_spmc_caller_version(f->spmc, NULL), 0);
	/* A newer minor learns our version but nothing is negotiated. */
	assert_int_equal(fx_version(f, FFA_VERSION_1_3), FFA_VERSION_1_2);
	assert_int_equal(ffamed_spmc_caller_version(f->spmc, NULL), 0);
	fx_assert_error((struct ffamed_regs[]){FX_CALL0(f, FFA_ID_GET)}, FFA_RET_NOT_SUPPORTED);
}

static void test_calls_before_version(void **state)
{
	struct fx *f = *state;
	static const uint32_t fids[] = {FFA_ID_GET,
					FFA_SPM_ID_GET,
					FFA_FEATURES,
					FFA_RXTX_MAP_64,
					FFA_RX_RELEASE,
					FFA_PARTITION_INFO_GET,
					FFA_MSG_SEND_DIRECT_REQ_32,
					FFA_RUN};

	for (size_t i = 0; i < sizeof(fids) / sizeof(fids[0]); i++) {
		struct ffamed_regs r = FX_CALL0(f, fids[i]);

		fx_assert_error(&r, FFA_RET_NOT_SUPPORTED);
	}
	/* Refused calls do not freeze anything: negotiation still works. */
	assert_int_equal(fx_version(f, FFA_VERSION_1_1), FFA_VERSION_1_2);
	fx_assert_success((struct ffamed_regs[]){FX_CALL0(f, FFA_ID_GET)});
}

static void test_version_frozen(void **state)
{
	struct fx *f = *state;
	bool frozen = false;

	assert_int_equal(fx_version(f, FFA_VERSION_1_1), FFA_VERSION_1_2);
	fx_assert_success((struct ffamed_regs[]){FX_CALL0(f, FFA_ID_GET)});
	assert_int_equal(ffamed_spmc_caller_version(f->spmc, &frozen), FFA_VERSION_1_1);
	assert_true(frozen);
	assert_int_equal(fx_version(f, FFA_VERSION_1_1), FFA_VERSION_1_2);
	assert_int_equal(fx_version(f, FFA_VERSION_1_2), NOT_SUPPORTED_W0);
	assert_int_equal(fx_version(f, FFA_VERSION_1_0), NOT_SUPPORTED_W0);
	assert_int_equal(ffamed_spmc_caller_version(f->spmc, NULL), FFA_VERSION_1_1);
}

static void test_version_spmc_1_1(void **state)
{
	struct fx *f = fx_new();
	struct ffamed_spmc_config cfg = {.version = FFA_VERSION_1_1, .cpu_count = FX_CPUS};

	(void)state;
	/* An SPMC at v1.1 cannot host SPs that need v1.2. */
	assert_int_equal(fx_create(f, &cfg), FFA_RET_INVALID_PARAMETERS);
	f->sp_count = 0;
	assert_int_equal(fx_create(f, &cfg), 0);
	assert_int_equal(fx_version(f, FFA_VERSION_1_2), FFA_VERSION_1_1);
	assert_int_equal(ffamed_spmc_caller_version(f->spmc, NULL), 0);
	assert_int_equal(fx_version(f, FFA_VERSION_1_1), FFA_VERSION_1_1);
	/* No v1.2 ABI for a v1.1 world. */
	fx_assert_error((struct ffamed_regs[]){FX_CALL0(f, FFA_PARTITION_INFO_GET_REGS)},
			FFA_RET_NOT_SUPPORTED);
	fx_free(f);
}

static void test_id_get(void **state)
{
	struct fx *f = *state;
	struct ffamed_regs r = FX_CALL0(f, FFA_ID_GET);

	fx_assert_success(&r);
	assert_int_equal(r.x[2], 0);
	r = FX_CALL0(f, FFA_SPM_ID_GET);
	fx_assert_success(&r);
	assert_int_equal(r.x[2], FFA_SPMC_ID_DEFAULT);
	/* MBZ registers. */
	r = FX_CALL1(f, FFA_ID_GET, 1);
	fx_assert_error(&r, FFA_RET_INVALID_PARAMETERS);
	r = fx_call(f, 0, FFA_SPM_ID_GET, 0, 0, 0, 0, 0, 0, 5);
	fx_assert_error(&r, FFA_RET_INVALID_PARAMETERS);
	/* SMC32: the high halves are not part of the call. */
	r = FX_CALL1(f, FFA_ID_GET, 0xFFFFFFFF00000000ull);
	fx_assert_success(&r);
	/* The SVE hint bit is not part of the function ID. */
	r = FX_CALL0(f, FFA_ID_GET | FFA_SMCCC_SVE_HINT);
	fx_assert_success(&r);
}

static void test_spm_id_configured(void **state)
{
	struct fx *f = fx_new();
	struct ffamed_spmc_config cfg = {.spmc_id = 0x8100, .cpu_count = FX_CPUS};
	struct ffamed_regs r;

	(void)state;
	assert_int_equal(fx_create(f, &cfg), 0);
	fx_version(f, FFA_VERSION_1_1);
	r = FX_CALL0(f, FFA_SPM_ID_GET);
	fx_assert_success(&r);
	assert_int_equal(r.x[2], 0x8100);
	fx_free(f);
}

static void test_v1_0_abi_gating(void **state)
{
	struct fx *f = *state;

	fx_version(f, FFA_VERSION_1_0);
	fx_assert_error((struct ffamed_regs[]){FX_CALL0(f, FFA_SPM_ID_GET)}, FFA_RET_NOT_SUPPORTED);
	fx_assert_error((struct ffamed_regs[]){FX_CALL1(f, FFA_RX_ACQUIRE, 1)},
			FFA_RET_NOT_SUPPORTED);
	fx_assert_error((struct ffamed_regs[]){FX_CALL0(f, FFA_MSG_SEND_DIRECT_REQ2)},
			FFA_RET_NOT_SUPPORTED);
	fx_assert_error((struct ffamed_regs[]){FX_CALL1(f, FFA_FEATURES, FFA_RX_ACQUIRE)},
			FFA_RET_NOT_SUPPORTED);
	fx_assert_success((struct ffamed_regs[]){FX_CALL1(f, FFA_FEATURES, FFA_RXTX_MAP_64)});
	/* Notifications are v1.1: neither the ABIs nor the SRI exist at v1.0. */
	fx_assert_error((struct ffamed_regs[]){FX_CALL1(f, FFA_FEATURES, FFA_NOTIFICATION_BIND)},
			FFA_RET_NOT_SUPPORTED);
	fx_assert_error((struct ffamed_regs[]){FX_CALL1(f, FFA_FEATURES, FFA_FEATURE_SRI)},
			FFA_RET_NOT_SUPPORTED);
	fx_assert_error((struct ffamed_regs[]){fx_call(f, 0, FFA_NOTIFICATION_BITMAP_CREATE, 1, 1,
						       0, 0, 0, 0, 0)},
			FFA_RET_NOT_SUPPORTED);
	fx_assert_error((struct ffamed_regs[]){FX_CALL0(f, FFA_NOTIFICATION_INFO_GET_64)},
			FFA_RET_NOT_SUPPORTED);
}

static void test_features(void **state)
{
	struct fx *f = *state;
	static const uint32_t yes[] = {FFA_VERSION,
				       FFA_FEATURES,
				       FFA_RX_RELEASE,
				       FFA_RX_ACQUIRE,
				       FFA_RXTX_UNMAP,
				       FFA_PARTITION_INFO_GET,
				       FFA_PARTITION_INFO_GET_REGS,
				       FFA_ID_GET,
				       FFA_SPM_ID_GET,
				       FFA_RUN,
				       FFA_MSG_SEND_DIRECT_REQ_32,
				       FFA_MSG_SEND_DIRECT_REQ_64,
				       FFA_MSG_SEND_DIRECT_REQ2,
				       FFA_MSG_SEND_DIRECT_RESP2,
				       FFA_NOTIFICATION_BITMAP_CREATE,
				       FFA_NOTIFICATION_BITMAP_DESTROY,
				       FFA_NOTIFICATION_BIND,
				       FFA_NOTIFICATION_UNBIND,
				       FFA_NOTIFICATION_SET,
				       FFA_NOTIFICATION_GET,
				       FFA_NOTIFICATION_INFO_GET_32,
				       FFA_NOTIFICATION_INFO_GET_64,
				       FFA_MEM_SHARE_32,
				       FFA_MEM_SHARE_64,
				       FFA_MEM_LEND_64,
				       FFA_MEM_DONATE_32,
				       FFA_MEM_RECLAIM,
				       FFA_MEM_FRAG_TX,
				       FFA_MEM_FRAG_RX,
				       FFA_MSG_SEND2};
	static const uint32_t no[] = {
		FFA_MEM_RELINQUISH, FFA_MEM_RETRIEVE_RESP, FFA_MEM_PERM_GET_64,
		FFA_MEM_OP_PAUSE,   FFA_MSG_WAIT,	   FFA_YIELD,
		FFA_MSG_POLL,	    FFA_CONSOLE_LOG_64,	   FFA_SECONDARY_EP_REGISTER_64,
		0x84000000u};
	struct ffamed_regs r;

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		r = FX_CALL1(f, FFA_FEATURES, yes[i]);
		fx_assert_success(&r);
		assert_int_equal(r.x[2], 0);
		assert_int_equal(r.x[3], 0);
	}
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		r = FX_CALL1(f, FFA_FEATURES, no[i]);
		fx_assert_error(&r, FFA_RET_NOT_SUPPORTED);
	}
	r = FX_CALL1(f, FFA_FEATURES, FFA_RXTX_MAP_64);
	fx_assert_success(&r);
	assert_int_equal(r.x[2], FFAMED_SPMC_RXTX_MAX_PAGES_DEFAULT << 16);
	r = FX_CALL1(f, FFA_FEATURES, FFA_RXTX_MAP_32);
	assert_int_equal(r.x[2], FFAMED_SPMC_RXTX_MAX_PAGES_DEFAULT << 16);
	/* Feature IDs: the SRI (an SGI donated to the NWd); NPI and MEI are
	 * not given at this instance, feature 4 is v1.3. */
	for (uint32_t id = 0; id <= 4; id++) {
		r = FX_CALL1(f, FFA_FEATURES, id);
		if (id == FFA_FEATURE_SRI) {
			fx_assert_success(&r);
			assert_int_equal(r.x[2], FFAMED_SPMC_SRI_INTID_DEFAULT);
			assert_int_equal(r.x[3], 0);
		} else {
			fx_assert_error(&r, FFA_RET_NOT_SUPPORTED);
		}
	}
	r = fx_call(f, 0, FFA_FEATURES, FFA_FEATURE_SRI, 1, 0, 0, 0, 0, 0);
	fx_assert_error(&r, FFA_RET_NOT_SUPPORTED);
	/* bits[30:8] MBZ, input properties MBZ, w3..w7 MBZ. */
	fx_assert_error((struct ffamed_regs[]){FX_CALL1(f, FFA_FEATURES, 0x102)},
			FFA_RET_NOT_SUPPORTED);
	r = fx_call(f, 0, FFA_FEATURES, FFA_ID_GET, 1, 0, 0, 0, 0, 0);
	fx_assert_error(&r, FFA_RET_NOT_SUPPORTED);
	r = fx_call(f, 0, FFA_FEATURES, FFA_ID_GET, 0, 1, 0, 0, 0, 0);
	fx_assert_error(&r, FFA_RET_INVALID_PARAMETERS);
}

static void test_features_rxtx_v1_1(void **state)
{
	struct fx *f = *state;
	struct ffamed_regs r;

	fx_version(f, FFA_VERSION_1_1);
	r = FX_CALL1(f, FFA_FEATURES, FFA_RXTX_MAP_64);
	fx_assert_success(&r);
	/* The maximum size field exists from v1.2 on. */
	assert_int_equal(r.x[2], 0);
	fx_assert_error(
		(struct ffamed_regs[]){FX_CALL1(f, FFA_FEATURES, FFA_PARTITION_INFO_GET_REGS)},
		FFA_RET_NOT_SUPPORTED);
}

static void test_unknown_and_unsupported(void **state)
{
	struct fx *f = *state;
	static const uint32_t fids[] = {FFA_MEM_RELINQUISH,  FFA_MEM_RETRIEVE_RESP,
					FFA_MEM_OP_PAUSE,    FFA_MEM_PERM_SET_32,
					FFA_MSG_WAIT,	     FFA_YIELD,
					FFA_ERROR,	     FFA_SUCCESS_32,
					FFA_INTERRUPT,	     FFA_CONSOLE_LOG_32,
					FFA_NS_RES_INFO_GET, 0x840000EFu,
					0x82000000u,	     0x12345678u};

	for (size_t i = 0; i < sizeof(fids) / sizeof(fids[0]); i++)
		fx_assert_error((struct ffamed_regs[]){FX_CALL0(f, fids[i])},
				FFA_RET_NOT_SUPPORTED);
	/* The normal world answers no SP request. */
	fx_assert_error((struct ffamed_regs[]){FX_CALL0(f, FFA_MSG_SEND_DIRECT_RESP_32)},
			FFA_RET_DENIED);
}

static void test_call_counters(void **state)
{
	struct fx *f = *state;

	assert_int_equal(ffamed_spmc_call_count(f->spmc, FFA_ID_GET), 0);
	FX_CALL0(f, FFA_ID_GET);
	FX_CALL0(f, FFA_ID_GET | FFA_SMCCC_SVE_HINT);
	FX_CALL1(f, FFA_ID_GET, 1); /* refused: still counted */
	assert_int_equal(ffamed_spmc_call_count(f->spmc, FFA_ID_GET), 3);
	assert_int_equal(ffamed_spmc_call_count(f->spmc, FFA_VERSION), 1);
	FX_CALL0(f, FFA_RXTX_MAP_32);
	FX_CALL0(f, FFA_RXTX_MAP_64);
	FX_CALL0(f, FFA_RXTX_MAP_64);
	assert_int_equal(ffamed_spmc_call_count(f->spmc, FFA_RXTX_MAP_32), 1);
	assert_int_equal(ffamed_spmc_call_count(f->spmc, FFA_RXTX_MAP_64), 2);
	FX_CALL0(f, 0x12345678u);
	assert_int_equal(ffamed_spmc_call_count(f->spmc, 0x87654321u), 1);
}

static void test_bad_cpu(void **state)
{
	struct fx *f = *state;
	struct ffamed_regs r = fx_call(f, FX_CPUS, FFA_ID_GET, 0, 0, 0, 0, 0, 0, 0);

	fx_assert_error(&r, FFA_RET_INVALID_PARAMETERS);
}

static void test_create_checks(void **state)
{
	struct fx *f = fx_new();
	struct ffamed_spmc_env env = f->env;
	struct ffamed_spmc_config cfg = {.cpu_count = FX_CPUS};
	struct ffamed_spmc *s = NULL;

	(void)state;
	env.pa_map = NULL;
	assert_int_equal(ffamed_spmc_create(&env, &cfg, &s), FFA_RET_INVALID_PARAMETERS);
	assert_null(s);
	/* Duplicate SP ID. */
	f->sps[1].id = FX_ECHO_UP;
	assert_int_equal(fx_create(f, NULL), FFA_RET_INVALID_PARAMETERS);
	f->sps[1].id = FX_ECHO_MP;
	/* A normal-world ID for an SP. */
	f->sps[2].id = 0x0003;
	assert_int_equal(fx_create(f, NULL), FFA_RET_INVALID_PARAMETERS);
	f->sps[2].id = FX_VMWATCH;
	/* More contexts than CPUs. */
	f->sps[1].exec_ctx_count = FX_CPUS + 1;
	assert_int_equal(fx_create(f, NULL), FFA_RET_INVALID_PARAMETERS);
	f->sps[1].exec_ctx_count = FX_MP_CTX;
	/* SP ID equal to the SPMC's. */
	f->sps[0].id = FFA_SPMC_ID_DEFAULT;
	assert_int_equal(fx_create(f, NULL), FFA_RET_INVALID_PARAMETERS);
	f->sps[0].id = FX_ECHO_UP;
	/* No UUID. */
	f->sps[0].uuid_count = 0;
	assert_int_equal(fx_create(f, NULL), FFA_RET_INVALID_PARAMETERS);
	f->sps[0].uuid_count = 1;
	/* Non-secure SPMC ID. */
	cfg.spmc_id = 0x0100;
	assert_int_equal(fx_create(f, &cfg), FFA_RET_INVALID_PARAMETERS);
	assert_null(f->spmc);
	assert_int_equal(fx_create(f, NULL), 0);
	assert_non_null(ffamed_spmc_find_sp(f->spmc, FX_OPTEE));
	assert_null(ffamed_spmc_find_sp(f->spmc, 0x8999));
	assert_int_equal(ffamed_sp_id(ffamed_spmc_find_sp(f->spmc, FX_OPTEE)), FX_OPTEE);
	assert_ptr_equal(ffamed_sp_priv(ffamed_spmc_find_sp(f->spmc, FX_OPTEE)), &f->optee);
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_version_good, fx_setup_raw, fx_teardown),
		cmocka_unit_test_setup_teardown(test_version_refused, fx_setup_raw, fx_teardown),
		cmocka_unit_test_setup_teardown(test_calls_before_version, fx_setup_raw,
						fx_teardown),
		cmocka_unit_test_setup_teardown(test_version_frozen, fx_setup_raw, fx_teardown),
		cmocka_unit_test(test_version_spmc_1_1),
		cmocka_unit_test_setup_teardown(test_id_get, fx_setup_v12, fx_teardown),
		cmocka_unit_test(test_spm_id_configured),
		cmocka_unit_test_setup_teardown(test_v1_0_abi_gating, fx_setup_raw, fx_teardown),
		cmocka_unit_test_setup_teardown(test_features, fx_setup_v12, fx_teardown),
		cmocka_unit_test_setup_teardown(test_features_rxtx_v1_1, fx_setup_raw, fx_teardown),
		cmocka_unit_test_setup_teardown(test_unknown_and_unsupported, fx_setup_v12,
						fx_teardown),
		cmocka_unit_test_setup_teardown(test_call_counters, fx_setup_v12, fx_teardown),
		cmocka_unit_test_setup_teardown(test_bad_cpu, fx_setup_v12, fx_teardown),
		cmocka_unit_test(test_create_checks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
