/* SPDX-License-Identifier: MIT */
/* Client notifications: setup by role, the calls' encoding, NPI and SRI handlers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "fake_conduit.h"
#include "ffamed/ffa_regs.h"

static struct fake_conduit fake;
static struct ffac client;

static int setup(void **state)
{
	(void)state;
	fake_init(&fake, NULL, 0);
	return 0;
}

static void guest_takes_the_npi(void **state)
{
	(void)state;
	fake_client(&client, &fake, FFA_VERSION_1_1, 5);
	fake_push(&fake, FFA_SUCCESS_32, 0, 8);
	assert_int_equal(ffac_notif_setup(&client, 4), FFA_RET_OK);
	assert_int_equal(client.notif_mode, FFAC_NOTIF_NPI);
	assert_int_equal(client.notif_intid, 8);
	fake_assert_call(&fake, 0, FFA_FEATURES, FFA_FEATURE_NPI);
	/* A guest never creates its bitmap: the hypervisor did. */
	assert_int_equal(fake_count_fid(&fake, FFA_NOTIFICATION_BITMAP_CREATE), 0);
	assert_int_equal(fake.ncalls, 1);
	assert_int_equal(ffac_notif_teardown(&client), FFA_RET_OK);
	assert_int_equal(fake.ncalls, 1);
	assert_int_equal(client.notif_mode, FFAC_NOTIF_OFF);
}

static void guest_without_npi(void **state)
{
	(void)state;
	fake_client(&client, &fake, FFA_VERSION_1_2, 5);
	fake_push_error(&fake, FFA_RET_NOT_SUPPORTED);
	assert_int_equal(ffac_notif_setup(&client, 4), FFA_RET_NOT_SUPPORTED);
	assert_int_equal(client.notif_mode, FFAC_NOTIF_OFF);
	/* v1.0: nothing is asked at all. */
	fake_client(&client, &fake, FFA_VERSION_1_0, 5);
	assert_int_equal(ffac_notif_setup(&client, 4), FFA_RET_NOT_SUPPORTED);
	assert_int_equal(fake.ncalls, 1);
}

static void host_takes_the_sri(void **state)
{
	(void)state;
	fake_client(&client, &fake, FFA_VERSION_1_2, 0);
	assert_int_equal(ffac_notif_setup(&client, 0), FFA_RET_INVALID_PARAMETERS);
	fake_push(&fake, FFA_SUCCESS_32, 0, 9);
	fake_push(&fake, FFA_SUCCESS_32);
	assert_int_equal(ffac_notif_setup(&client, 4), FFA_RET_OK);
	assert_int_equal(client.notif_mode, FFAC_NOTIF_SRI);
	assert_int_equal(client.notif_intid, 9);
	fake_assert_call(&fake, 0, FFA_FEATURES, FFA_FEATURE_SRI);
	fake_assert_call(&fake, 1, FFA_NOTIFICATION_BITMAP_CREATE, 0, 4);
	fake_push(&fake, FFA_SUCCESS_32);
	assert_int_equal(ffac_notif_teardown(&client), FFA_RET_OK);
	fake_assert_call(&fake, 2, FFA_NOTIFICATION_BITMAP_DESTROY, 0);
	assert_false(client.notif_bitmap_created);
	/* A refused create leaves nothing to destroy. */
	fake_push(&fake, FFA_SUCCESS_32, 0, 9);
	fake_push_error(&fake, FFA_RET_NO_MEMORY);
	assert_int_equal(ffac_notif_setup(&client, 4), FFA_RET_NO_MEMORY);
	assert_int_equal(client.notif_mode, FFAC_NOTIF_OFF);
	assert_int_equal(ffac_notif_teardown(&client), FFA_RET_OK);
	assert_int_equal(fake.ncalls, 5);
}

static void call_encoding(void **state)
{
	struct ffac_notif_bits bits;

	(void)state;
	fake_client(&client, &fake, FFA_VERSION_1_2, 5);
	for (int i = 0; i < 4; i++)
		fake_push(&fake, FFA_SUCCESS_32);
	assert_int_equal(ffac_notif_bind(&client, 0x8001, true, 0x100000002ull), FFA_RET_OK);
	fake_assert_call(&fake, 0, FFA_NOTIFICATION_BIND, 0x80010005, 1, 2, 1);
	assert_int_equal(ffac_notif_unbind(&client, 7, 0x3), FFA_RET_OK);
	fake_assert_call(&fake, 1, FFA_NOTIFICATION_UNBIND, 0x00070005, 0, 3, 0);
	assert_int_equal(ffac_notif_set(&client, 7, -1, 0x80000000ull << 32), FFA_RET_OK);
	fake_assert_call(&fake, 2, FFA_NOTIFICATION_SET, 0x00050007, 0, 0, 0x80000000);
	assert_int_equal(ffac_notif_set(&client, 7, 3, 1), FFA_RET_OK);
	fake_assert_call(&fake, 3, FFA_NOTIFICATION_SET, 0x00050007, 0x30001, 1, 0);
	assert_int_equal(ffac_notif_set(&client, 7, 0x10000, 1), FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(fake.ncalls, 4);

	fake_push(&fake, FFA_SUCCESS_32, 0, 0x1, 0x2, 0x3, 0x4, 0x5, 0x6);
	assert_int_equal(ffac_notif_handle_npi(&client, 2, &bits), FFA_RET_OK);
	fake_assert_call(&fake, 4, FFA_NOTIFICATION_GET, 0x00020005, 0xF);
	assert_int_equal(bits.sp, 0x200000001ull);
	assert_int_equal(bits.vm, 0x400000003ull);
	assert_int_equal(bits.spm_fwk, 5);
	assert_int_equal(bits.hyp_fwk, 6);
	fake_push_error(&fake, FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(ffac_notif_get(&client, 1, FFA_NOTIF_GET_VM, &bits),
			 FFA_RET_INVALID_PARAMETERS);
	fake_assert_call(&fake, 5, FFA_NOTIFICATION_GET, 0x00010005, FFA_NOTIF_GET_VM);
}

struct seen {
	unsigned n;
	uint16_t id[32];
	int32_t vcpu[32];
};

static void record(void *ctx, uint16_t id, int32_t vcpu)
{
	struct seen *s = ctx;

	assert_true(s->n < 32);
	s->id[s->n] = id;
	s->vcpu[s->n++] = vcpu;
}

static void sri_handler_loops(void **state)
{
	struct seen s = {0};
	/* The reference's worked example, then a 32-bit answer, then none. */
	const uint16_t want_id[] = {0, 0, 0, 0, 0, 2, 3, 9, 9};
	const int32_t want_vcpu[] = {0, 2, 3, 4, 6, -1, 1, -1, 7};

	(void)state;
	fake_client(&client, &fake, FFA_VERSION_1_2, 0);
	fake_push(&fake, FFA_SUCCESS_64, 0, 0x0004B201, 0x0003000200000000ull,
		  0x0002000600040000ull, 0x0000000000010003ull);
	fake_push(&fake, FFA_SUCCESS_32, 0, (2u << 7) | (1u << 14), 0x00090009, 0x7);
	assert_int_equal(ffac_notif_handle_sri(&client, record, &s), FFA_RET_OK);
	assert_int_equal(s.n, 9);
	for (unsigned i = 0; i < 9; i++) {
		assert_int_equal(s.id[i], want_id[i]);
		assert_int_equal(s.vcpu[i], want_vcpu[i]);
	}
	fake_assert_call(&fake, 0, FFA_NOTIFICATION_INFO_GET_64);
	assert_int_equal(fake.ncalls, 2);

	/* NO_DATA is nothing pending; lists beyond the registers are a bad reply. */
	fake_push_error(&fake, FFA_RET_NO_DATA);
	assert_int_equal(ffac_notif_handle_sri(&client, record, &s), FFA_RET_OK);
	fake_push(&fake, FFA_SUCCESS_32, 0, (6u << 7) | (3u << 12) | (3u << 14));
	assert_int_equal(ffac_notif_handle_sri(&client, record, &s), FFA_RET_ABORTED);
	fake_push_error(&fake, FFA_RET_NOT_SUPPORTED);
	assert_int_equal(ffac_notif_handle_sri(&client, record, &s), FFA_RET_NOT_SUPPORTED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(guest_takes_the_npi, setup),
		cmocka_unit_test_setup(guest_without_npi, setup),
		cmocka_unit_test_setup(host_takes_the_sri, setup),
		cmocka_unit_test_setup(call_encoding, setup),
		cmocka_unit_test_setup(sri_handler_loops, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
