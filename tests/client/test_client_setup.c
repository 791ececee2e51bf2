/* SPDX-License-Identifier: MIT */
/* Client setup calls: version negotiation, IDs, features, RX/TX buffers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "fake_conduit.h"
#include "ffamed/ffa_regs.h"

#define SMCCC_UNKNOWN_64 0xFFFFFFFFFFFFFFFFull

static struct fake_conduit fake;
static struct ffac client;

static int setup(void **state)
{
	(void)state;
	fake_init(&fake, NULL, 0);
	ffac_init(&client, fake_conduit_call, &fake);
	return 0;
}

static void test_init_clears_state(void **state)
{
	struct ffac c;

	(void)state;
	memset(&c, 0xA5, sizeof(c));
	ffac_init(&c, fake_conduit_call, &fake);
	assert_ptr_equal(c.call, fake_conduit_call);
	assert_ptr_equal(c.call_ctx, &fake);
	assert_int_equal(c.version, 0);
	assert_int_equal(c.id, 0);
	assert_null(c.rx);
	assert_null(c.tx);
	assert_false(c.rxtx_mapped);
	assert_int_equal(fake.ncalls, 0);
}

static void test_negotiate_same_version(void **state)
{
	(void)state;
	fake_push(&fake, FFA_VERSION_1_2);
	assert_int_equal(ffac_negotiate(&client, FFA_VERSION_1_2), FFA_RET_OK);
	assert_int_equal(client.version, FFA_VERSION_1_2);
	assert_int_equal(fake.ncalls, 1);
	fake_assert_call(&fake, 0, FFA_VERSION, 0x10002);
}

static void test_negotiate_higher_answer_keeps_want(void **state)
{
	(void)state;
	fake_push(&fake, FFA_VERSION_1_2);
	assert_int_equal(ffac_negotiate(&client, FFA_VERSION_1_0), FFA_RET_OK);
	assert_int_equal(client.version, FFA_VERSION_1_0);
	assert_int_equal(fake.ncalls, 1);
	fake_assert_call(&fake, 0, FFA_VERSION, 0x10000);
}

static void test_negotiate_lower_answer_reasks(void **state)
{
	(void)state;
	fake_push(&fake, FFA_VERSION_1_1);
	fake_push(&fake, FFA_VERSION_1_1);
	assert_int_equal(ffac_negotiate(&client, FFA_VERSION_1_2), FFA_RET_OK);
	assert_int_equal(client.version, FFA_VERSION_1_1);
	assert_int_equal(fake.ncalls, 2);
	fake_assert_call(&fake, 0, FFA_VERSION, 0x10002);
	fake_assert_call(&fake, 1, FFA_VERSION, 0x10001);
}

static void test_negotiate_steps_down_twice(void **state)
{
	(void)state;
	fake_push(&fake, FFA_VERSION_1_1);
	fake_push(&fake, FFA_VERSION_1_0);
	fake_push(&fake, FFA_VERSION_1_0);
	assert_int_equal(ffac_negotiate(&client, FFA_VERSION_1_2), FFA_RET_OK);
	assert_int_equal(client.version, FFA_VERSION_1_0);
	assert_int_equal(fake.ncalls, 3);
	fake_assert_call(&fake, 2, FFA_VERSION, 0x10000);
}

static void test_negotiate_bounded(void **state)
{
	(void)state;
	/* A callee that keeps answering lower: the client gives up. */
	for (uint32_t m = 9; m > 3; m--)
		fake_push(&fake, FFA_MAKE_VERSION(1, m));
	assert_int_equal(ffac_negotiate(&client, FFA_MAKE_VERSION(1, 10)), FFA_RET_NOT_SUPPORTED);
	assert_int_equal(client.version, 0);
	assert_int_equal(fake.ncalls, 4);
}

static void test_negotiate_not_supported_32(void **state)
{
	(void)state;
	fake_push(&fake, 0xFFFFFFFFu);
	assert_int_equal(ffac_negotiate(&client, FFA_VERSION_1_2), FFA_RET_NOT_SUPPORTED);
	assert_int_equal(client.version, 0);
	assert_int_equal(fake.ncalls, 1);
}

static void test_negotiate_not_supported_64(void **state)
{
	(void)state;
	fake_push(&fake, SMCCC_UNKNOWN_64);
	assert_int_equal(ffac_negotiate(&client, FFA_VERSION_1_1), FFA_RET_NOT_SUPPORTED);
	assert_int_equal(client.version, 0);
}

static void test_negotiate_other_major(void **state)
{
	(void)state;
	fake_push(&fake, FFA_MAKE_VERSION(2, 0));
	assert_int_equal(ffac_negotiate(&client, FFA_VERSION_1_2), FFA_RET_NOT_SUPPORTED);
	fake_push(&fake, FFA_MAKE_VERSION(0, 9));
	assert_int_equal(ffac_negotiate(&client, FFA_VERSION_1_2), FFA_RET_NOT_SUPPORTED);
	assert_int_equal(client.version, 0);
	assert_int_equal(fake.ncalls, 2);
}

static void test_negotiate_mbz_bit_in_answer(void **state)
{
	(void)state;
	fake_push(&fake, 0x80010002u);
	assert_int_equal(ffac_negotiate(&client, FFA_VERSION_1_2), FFA_RET_NOT_SUPPORTED);
	assert_int_equal(client.version, 0);
}

static void test_negotiate_bad_want(void **state)
{
	(void)state;
	assert_int_equal(ffac_negotiate(&client, 0x80010002u), FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(fake.ncalls, 0);
}

static void test_id_get(void **state)
{
	uint16_t id = 0;

	(void)state;
	/* Only w2[15:0] is the ID. */
	fake_push(&fake, FFA_SUCCESS_32, 0, 0xABCD0007u);
	assert_int_equal(ffac_id_get(&client, &id), FFA_RET_OK);
	assert_int_equal(id, 7);
	assert_int_equal(client.id, 7);
	fake_assert_call(&fake, 0, FFA_ID_GET);
}

static void test_id_get_errors(void **state)
{
	uint16_t id = 0x1234;

	(void)state;
	client.id = 3;
	fake_push_error(&fake, FFA_RET_NOT_SUPPORTED);
	assert_int_equal(ffac_id_get(&client, &id), FFA_RET_NOT_SUPPORTED);
	/* Unknown SMC (64-bit -1): not supported. */
	fake_push(&fake, SMCCC_UNKNOWN_64);
	assert_int_equal(ffac_id_get(&client, &id), FFA_RET_NOT_SUPPORTED);
	/* An unrelated function ID is not an answer. */
	fake_push(&fake, FFA_MSG_SEND_DIRECT_RESP_32, 0, 5);
	assert_int_equal(ffac_id_get(&client, &id), FFA_RET_ABORTED);
	/* An FFA_ERROR without a negative code is malformed. */
	fake_push(&fake, FFA_ERROR, 0, 0);
	assert_int_equal(ffac_id_get(&client, &id), FFA_RET_ABORTED);
	/* A 64-bit sign-extended code reads the same as a 32-bit one. */
	fake_push(&fake, FFA_ERROR, 0, 0xFFFFFFFFFFFFFFFEull);
	assert_int_equal(ffac_id_get(&client, &id), FFA_RET_INVALID_PARAMETERS);
	fake_push(&fake, FFA_ERROR, 0, 0xFFFFFFFEull);
	assert_int_equal(ffac_id_get(&client, &id), FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(id, 0x1234);
	assert_int_equal(client.id, 3);
}

static void test_spm_id_get(void **state)
{
	uint16_t id = 0;

	(void)state;
	fake_push(&fake, FFA_SUCCESS_32, 0, 0x8000);
	assert_int_equal(ffac_spm_id_get(&client, &id), FFA_RET_OK);
	assert_int_equal(id, 0x8000);
	assert_int_equal(client.id, 0); /* not the own ID */
	fake_assert_call(&fake, 0, FFA_SPM_ID_GET);
	fake_push_error(&fake, FFA_RET_NOT_SUPPORTED);
	assert_int_equal(ffac_spm_id_get(&client, &id), FFA_RET_NOT_SUPPORTED);
}

static void test_features(void **state)
{
	uint32_t w2 = 0, w3 = 0;

	(void)state;
	fake_push(&fake, FFA_SUCCESS_32, 0, 0x00400000, 0x11);
	assert_int_equal(ffac_features(&client, FFA_RXTX_MAP_64, 0, &w2, &w3), FFA_RET_OK);
	assert_int_equal(w2, 0x00400000);
	assert_int_equal(w3, 0x11);
	fake_assert_call(&fake, 0, FFA_FEATURES, FFA_RXTX_MAP_64);

	fake_push(&fake, FFA_SUCCESS_32, 0, 9);
	assert_int_equal(ffac_features(&client, FFA_FEATURE_SRI, 0, NULL, NULL), FFA_RET_OK);
	fake_assert_call(&fake, 1, FFA_FEATURES, FFA_FEATURE_SRI);

	/* The input properties go in w2. */
	fake_push(&fake, FFA_SUCCESS_32, 0, 6);
	assert_int_equal(ffac_features(&client, FFA_MEM_RETRIEVE_REQ_64, 2, &w2, NULL), FFA_RET_OK);
	assert_int_equal(w2, 6);
	fake_assert_call(&fake, 2, FFA_FEATURES, FFA_MEM_RETRIEVE_REQ_64, 2);

	w2 = 77;
	fake_push_error(&fake, FFA_RET_NOT_SUPPORTED);
	assert_int_equal(ffac_features(&client, FFA_MSG_POLL, 0, &w2, &w3), FFA_RET_NOT_SUPPORTED);
	assert_int_equal(w2, 77);
}

static void test_rxtx_map(void **state)
{
	static uint8_t tx[4096], rx[4096];

	(void)state;
	fake_push(&fake, FFA_SUCCESS_32);
	assert_int_equal(ffac_rxtx_map(&client, tx, 0x40001000, rx, 0x40000000, 1), FFA_RET_OK);
	fake_assert_call(&fake, 0, FFA_RXTX_MAP_64, 0x40001000, 0x40000000, 1);
	assert_true(client.rxtx_mapped);
	assert_ptr_equal(client.tx, tx);
	assert_ptr_equal(client.rx, rx);
	assert_int_equal(client.tx_ipa, 0x40001000);
	assert_int_equal(client.rx_ipa, 0x40000000);
	assert_int_equal(client.rxtx_pages, 1);

	/* A second pair is refused without a call. */
	assert_int_equal(ffac_rxtx_map(&client, tx, 0x40003000, rx, 0x40002000, 1), FFA_RET_DENIED);
	assert_int_equal(fake.ncalls, 1);

	fake_push(&fake, FFA_SUCCESS_32);
	assert_int_equal(ffac_rxtx_unmap(&client), FFA_RET_OK);
	fake_assert_call(&fake, 1, FFA_RXTX_UNMAP);
	assert_false(client.rxtx_mapped);
	assert_null(client.rx);
	assert_null(client.tx);
	assert_int_equal(client.rxtx_pages, 0);
}

static void test_rxtx_map_64bit_addresses(void **state)
{
	static uint8_t tx[4096], rx[4096];

	(void)state;
	fake_push(&fake, FFA_SUCCESS_32);
	assert_int_equal(ffac_rxtx_map(&client, tx, 0x123400000000ull, rx, 0x5678000ull, 4),
			 FFA_RET_OK);
	fake_assert_call(&fake, 0, FFA_RXTX_MAP_64, 0x123400000000ull, 0x5678000ull, 4);
}

static void test_rxtx_map_bad_inputs(void **state)
{
	static uint8_t buf[4096];

	(void)state;
	assert_int_equal(ffac_rxtx_map(&client, NULL, 0x1000, buf, 0x2000, 1),
			 FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(ffac_rxtx_map(&client, buf, 0x1000, NULL, 0x2000, 1),
			 FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(ffac_rxtx_map(&client, buf, 0x1000, buf, 0x2000, 0),
			 FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(fake.ncalls, 0);

	fake_push_error(&fake, FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(ffac_rxtx_map(&client, buf, 0x1000, buf, 0x2000, 1),
			 FFA_RET_INVALID_PARAMETERS);
	assert_false(client.rxtx_mapped);
	assert_null(client.rx);
	fake_push_error(&fake, FFA_RET_NO_MEMORY);
	assert_int_equal(ffac_rxtx_map(&client, buf, 0x1000, buf, 0x2000, 1), FFA_RET_NO_MEMORY);
	assert_false(client.rxtx_mapped);
}

static void test_rxtx_unmap_errors(void **state)
{
	static uint8_t tx[4096], rx[4096];

	(void)state;
	assert_int_equal(ffac_rxtx_unmap(&client), FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(fake.ncalls, 0);

	fake_push(&fake, FFA_SUCCESS_32);
	assert_int_equal(ffac_rxtx_map(&client, tx, 0x1000, rx, 0x2000, 1), FFA_RET_OK);
	fake_push_error(&fake, FFA_RET_BUSY);
	assert_int_equal(ffac_rxtx_unmap(&client), FFA_RET_BUSY);
	assert_true(client.rxtx_mapped);
	assert_ptr_equal(client.rx, rx);
}

static void test_rx_release(void **state)
{
	(void)state;
	fake_push(&fake, FFA_SUCCESS_32);
	assert_int_equal(ffac_rx_release(&client), FFA_RET_OK);
	fake_assert_call(&fake, 0, FFA_RX_RELEASE);
	fake_push_error(&fake, FFA_RET_DENIED);
	assert_int_equal(ffac_rx_release(&client), FFA_RET_DENIED);
	fake_push(&fake, FFA_SUCCESS_64);
	assert_int_equal(ffac_rx_release(&client), FFA_RET_OK);
	fake_push(&fake, FFA_MSG_WAIT);
	assert_int_equal(ffac_rx_release(&client), FFA_RET_ABORTED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_init_clears_state, setup),
		cmocka_unit_test_setup(test_negotiate_same_version, setup),
		cmocka_unit_test_setup(test_negotiate_higher_answer_keeps_want, setup),
		cmocka_unit_test_setup(test_negotiate_lower_answer_reasks, setup),
		cmocka_unit_test_setup(test_negotiate_steps_down_twice, setup),
		cmocka_unit_test_setup(test_negotiate_bounded, setup),
		cmocka_unit_test_setup(test_negotiate_not_supported_32, setup),
		cmocka_unit_test_setup(test_negotiate_not_supported_64, setup),
		cmocka_unit_test_setup(test_negotiate_other_major, setup),
		cmocka_unit_test_setup(test_negotiate_mbz_bit_in_answer, setup),
		cmocka_unit_test_setup(test_negotiate_bad_want, setup),
		cmocka_unit_test_setup(test_id_get, setup),
		cmocka_unit_test_setup(test_id_get_errors, setup),
		cmocka_unit_test_setup(test_spm_id_get, setup),
		cmocka_unit_test_setup(test_features, setup),
		cmocka_unit_test_setup(test_rxtx_map, setup),
		cmocka_unit_test_setup(test_rxtx_map_64bit_addresses, setup),
		cmocka_unit_test_setup(test_rxtx_map_bad_inputs, setup),
		cmocka_unit_test_setup(test_rxtx_unmap_errors, setup),
		cmocka_unit_test_setup(test_rx_release, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
