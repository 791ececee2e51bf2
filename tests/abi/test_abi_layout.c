/* The ABI header: encodings the reference gives as worked examples. The
 * descriptor layouts themselves are checked at compile time in ffa.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "ffamed/ffa.h"
#include "ffamed/ffa_regs.h"

static void fids_have_the_documented_values(void **state)
{
	(void)state;
	assert_int_equal(FFA_VERSION, 0x84000063u);
	assert_int_equal(FFA_RXTX_MAP_64, 0xC4000066u);
	assert_int_equal(FFA_PARTITION_INFO_GET_REGS, 0xC400008Bu);
	assert_int_equal(FFA_MSG_SEND_DIRECT_REQ2, 0xC400008Du);
	assert_int_equal(FFA_NOTIFICATION_INFO_GET_64, 0xC4000083u);
	assert_int_equal(FFA_ABORT_64, 0xC4000090u);
	assert_true(FFA_FID_IS_FFA(FFA_VERSION));
	assert_true(FFA_FID_IS_FFA(FFA_MEM_SHARE_64));
	assert_true(FFA_FID_IS_FFA(FFA_VERSION | FFA_SMCCC_SVE_HINT));
	assert_false(FFA_FID_IS_FFA(0x84000000u)); /* PSCI_VERSION */
	assert_false(FFA_FID_IS_FFA(0x80000000u)); /* SMCCC_VERSION */
	assert_false(FFA_FID_IS_FFA(0x840000F0u)); /* past the FF-A range */
}

static void versions_encode_major_minor(void **state)
{
	(void)state;
	assert_int_equal(FFA_VERSION_1_0, 0x10000u);
	assert_int_equal(FFA_VERSION_1_2, 0x10002u);
	assert_int_equal(FFA_VERSION_MAJOR(0x10002u), 1);
	assert_int_equal(FFA_VERSION_MINOR(0x10002u), 2);
}

static void errors_are_zero_extended(void **state)
{
	struct ffamed_regs r;
	(void)state;
	ffa_set_error(&r, FFA_RET_NOT_SUPPORTED);
	assert_int_equal(r.x[0], FFA_ERROR);
	assert_int_equal(r.x[2], 0xFFFFFFFFull);
	assert_int_equal(ffa_result(&r), FFA_RET_NOT_SUPPORTED);
	ffa_set_error(&r, FFA_RET_NOT_READY);
	assert_int_equal(r.x[2], 0xFFFFFFF6ull);
	assert_int_equal(ffa_error_code(&r), FFA_RET_NOT_READY);
	/* A reader takes w2 as int32 whatever the upper half holds. */
	r.x[2] = 0xFFFFFFFFFFFFFFFEull;
	assert_int_equal(ffa_error_code(&r), FFA_RET_INVALID_PARAMETERS);
}

static void uuid_register_encodings_match_the_reference(void **state)
{
	/* OP-TEE: 486178e0-e7f8-11e3-bc5e-0002a5d5c51b, as Linux passes it. */
	static const uint8_t optee[16] = {0x48, 0x61, 0x78, 0xe0, 0xe7, 0xf8, 0x11, 0xe3,
					  0xbc, 0x5e, 0x00, 0x02, 0xa5, 0xd5, 0xc5, 0x1b};
	struct ffa_uuid u, v;
	(void)state;
	ffa_uuid_from_w(&u, 0xe0786148u, 0xe311f8e7u, 0x02005ebcu, 0x1bc5d5a5u);
	assert_memory_equal(u.b, optee, 16);
	assert_int_equal(ffa_uuid_w(&u, 0), 0xe0786148u);
	assert_int_equal(ffa_uuid_w(&u, 3), 0x1bc5d5a5u);
	assert_int_equal(ffa_uuid_x(&u, 0), 0xe311f8e7e0786148ull);
	assert_int_equal(ffa_uuid_x(&u, 1), 0x1bc5d5a502005ebcull);
	ffa_uuid_from_x(&v, ffa_uuid_x(&u, 0), ffa_uuid_x(&u, 1));
	assert_true(ffa_uuid_equal(&u, &v));
	assert_false(ffa_uuid_is_nil(&u));
}

static void get_regs_x2_packs_fields(void **state)
{
	(void)state;
	assert_int_equal(FFA_PIG_REGS_X2(4, 2, 0, 24), 0x0018000000020004ull);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fids_have_the_documented_values),
		cmocka_unit_test(versions_encode_major_minor),
		cmocka_unit_test(errors_are_zero_extended),
		cmocka_unit_test(uuid_register_encodings_match_the_reference),
		cmocka_unit_test(get_regs_x2_packs_fields),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
