/* SPDX-License-Identifier: MIT */
/*
 * The FFA_NOTIFICATION_INFO_GET list codec (src/common/common_notif_info.h):
 * answers written by hand from the layout are read back list by list, in
 * both forms; hostile answers (list counts beyond the registers, vCPU
 * counts that run past the last ID, the 32-bit form's upper halves) are
 * malformed at the first list that does not fit and stay so; the encoder
 * stops at the first list that does not fit and says "more pending"; and
 * whatever the encoder writes decodes to what was added.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "common_notif_info.h"

/* w2 for `lists` lists whose vCPU counts are sizes[]. */
static uint64_t w2_of(unsigned lists, const unsigned *sizes, bool more)
{
	uint64_t w2 = (uint64_t)lists << FFA_NOTIF_INFO_LIST_COUNT_SHIFT;

	for (unsigned i = 0; i < lists && sizes; i++)
		w2 |= (uint64_t)sizes[i] << FFA_NOTIF_INFO_LIST_SIZE_SHIFT(i);
	return w2 | (more ? FFA_NOTIF_INFO_MORE_PENDING : 0);
}

static void expect_list(struct common_notif_info_iter *it, uint16_t id, unsigned n,
			const uint16_t *vcpus)
{
	struct common_notif_info_list l;

	memset(&l, 0xA5, sizeof(l));
	assert_int_equal(common_notif_info_next(it, &l), 1);
	assert_int_equal(l.id, id);
	assert_int_equal(l.vcpu_count, n);
	for (unsigned i = 0; i < n; i++)
		assert_int_equal(l.vcpus[i], vcpus[i]);
}

static void expect_end(struct common_notif_info_iter *it, int rc)
{
	struct common_notif_info_list l;

	assert_int_equal(common_notif_info_next(it, &l), rc);
	assert_int_equal(common_notif_info_next(it, &l), rc); /* and it stays so */
}

/* The 64-bit form: four IDs per register, lists crossing registers. */
static void decode_64(void **state)
{
	struct ffamed_regs r = {0};
	struct common_notif_info_iter it;
	const unsigned sizes[] = {3, 0, 1, 2};
	const uint16_t v0[] = {0, 2, 3};
	const uint16_t v2[] = {7};
	const uint16_t v3[] = {0x1234, 0xFFFF};

	(void)state;
	r.x[0] = FFA_SUCCESS_64;
	r.x[2] = w2_of(4, sizes, false);
	/* IDs: [1 0 2 3] [2 0x8001 7 9] [0x1234 0xFFFF] */
	r.x[3] = 0x0003000200000001ull;
	r.x[4] = 0x0009000780010002ull;
	r.x[5] = 0x000000000000FFFFull << 16 | 0x1234;
	common_notif_info_begin(&it, &r);
	assert_false(common_notif_info_more_pending(&r));
	expect_list(&it, 1, 3, v0);
	expect_list(&it, 2, 0, NULL);
	expect_list(&it, 0x8001, 1, v2);
	expect_list(&it, 9, 2, v3);
	expect_end(&it, 0);
}

/* The 32-bit form: two IDs per register, in the low halves only. */
static void decode_32_ignores_upper_halves(void **state)
{
	struct ffamed_regs r = {0};
	struct common_notif_info_iter it;
	const unsigned sizes[] = {1, 0, 2};
	const uint16_t v0[] = {4};
	const uint16_t v2[] = {1, 3};

	(void)state;
	r.x[0] = FFA_SUCCESS_32;
	r.x[2] = w2_of(3, sizes, true);
	r.x[3] = 0xDEADBEEF00000000ull | 0x00040005u; /* VM 5: vCPU 4 */
	r.x[4] = 0xFFFFFFFF00000000ull | 0x00010006u; /* VM 6; VM 1 */
	r.x[5] = 0x1111111100000000ull | 0x00030001u; /* ... vCPUs 1, 3 */
	common_notif_info_begin(&it, &r);
	assert_true(common_notif_info_more_pending(&r));
	expect_list(&it, 5, 1, v0);
	expect_list(&it, 6, 0, NULL);
	expect_list(&it, 1, 2, v2);
	expect_end(&it, 0);
}

/* Every register full: 20 IDs (64-bit), 10 IDs (32-bit). */
static void decode_full_registers(void **state)
{
	struct ffamed_regs r = {0};
	struct common_notif_info_iter it;
	unsigned sizes[20];
	uint16_t v[3];

	(void)state;
	/* 64-bit: five lists of an ID and three vCPUs. */
	for (unsigned i = 0; i < 5; i++)
		sizes[i] = 3;
	r.x[0] = FFA_SUCCESS_64;
	r.x[2] = w2_of(5, sizes, false);
	for (unsigned reg = 3; reg <= 7; reg++)
		r.x[reg] = (uint64_t)(reg * 16 + 3) << 48 | (uint64_t)(reg * 16 + 2) << 32 |
			   (uint64_t)(reg * 16 + 1) << 16 | (uint64_t)(reg * 16);
	common_notif_info_begin(&it, &r);
	for (unsigned reg = 3; reg <= 7; reg++) {
		v[0] = (uint16_t)(reg * 16 + 1);
		v[1] = (uint16_t)(reg * 16 + 2);
		v[2] = (uint16_t)(reg * 16 + 3);
		expect_list(&it, (uint16_t)(reg * 16), 3, v);
	}
	expect_end(&it, 0);

	/* 32-bit: ten lists of one ID each. */
	memset(&r, 0, sizeof(r));
	r.x[0] = FFA_SUCCESS_32;
	r.x[2] = w2_of(10, NULL, false);
	for (unsigned reg = 3; reg <= 7; reg++)
		r.x[reg] = (uint64_t)(reg * 2 + 1) << 16 | (uint64_t)(reg * 2);
	common_notif_info_begin(&it, &r);
	for (unsigned i = 0; i < 10; i++)
		expect_list(&it, (uint16_t)(6 + i), 0, NULL);
	expect_end(&it, 0);
}

/* No list: nothing, whatever the ID registers hold. */
static void decode_no_list(void **state)
{
	struct ffamed_regs r = {0};
	struct common_notif_info_iter it;

	(void)state;
	r.x[0] = FFA_SUCCESS_64;
	r.x[2] = w2_of(0, NULL, true) | (3u << FFA_NOTIF_INFO_LIST_SIZE_SHIFT(0));
	for (unsigned reg = 3; reg <= 7; reg++)
		r.x[reg] = ~0ull;
	common_notif_info_begin(&it, &r);
	expect_end(&it, 0);
}

/* The list count says more lists than the registers hold. */
static void malformed_list_count(void **state)
{
	struct ffamed_regs r = {0};
	struct common_notif_info_iter it;

	(void)state;
	/* 31 (the field's maximum) one-ID lists: 20 fit the 64-bit form. */
	r.x[0] = FFA_SUCCESS_64;
	r.x[2] = w2_of(FFA_NOTIF_INFO_LIST_COUNT_MASK, NULL, false);
	common_notif_info_begin(&it, &r);
	for (unsigned i = 0; i < 20; i++)
		expect_list(&it, 0, 0, NULL);
	expect_end(&it, -1);

	/* 11 one-ID lists in the 32-bit form, which holds 10. */
	r.x[0] = FFA_SUCCESS_32;
	r.x[2] = w2_of(11, NULL, false);
	common_notif_info_begin(&it, &r);
	for (unsigned i = 0; i < 10; i++)
		expect_list(&it, 0, 0, NULL);
	expect_end(&it, -1);
}

/* vCPU counts that run past the last ID: the lists before are whole. */
static void malformed_truncated_lists(void **state)
{
	struct ffamed_regs r = {0};
	struct common_notif_info_iter it;
	unsigned sizes[20] = {0};
	const uint16_t v[] = {0x0101, 0x0102, 0x0103};

	(void)state;
	/* 64-bit: 19 one-ID lists, then one of 1 + 2 IDs at position 19. */
	sizes[19] = 2;
	r.x[0] = FFA_SUCCESS_64;
	r.x[2] = w2_of(20, sizes, false);
	common_notif_info_begin(&it, &r);
	for (unsigned i = 0; i < 19; i++)
		expect_list(&it, 0, 0, NULL);
	expect_end(&it, -1);

	/* 32-bit: two lists of 1 + 3 IDs, then a third one of 1 + 3. */
	memset(&r, 0, sizeof(r));
	sizes[0] = sizes[1] = sizes[2] = 3;
	r.x[0] = FFA_SUCCESS_32;
	r.x[2] = w2_of(3, sizes, false);
	r.x[3] = 0x01010001u;
	r.x[4] = 0x01030102u;
	r.x[5] = 0x00010002u;
	r.x[6] = 0x00030002u;
	common_notif_info_begin(&it, &r);
	expect_list(&it, 1, 3, v);
	expect_list(&it, 2, 3, (const uint16_t[]){1, 2, 3});
	expect_end(&it, -1);

	/* A single list that cannot fit even alone (1 + 3 > 3 left). */
	memset(&r, 0, sizeof(r));
	memset(sizes, 0, sizeof(sizes));
	sizes[17] = 3;
	r.x[0] = FFA_SUCCESS_64;
	r.x[2] = w2_of(18, sizes, false);
	common_notif_info_begin(&it, &r);
	for (unsigned i = 0; i < 17; i++)
		expect_list(&it, 0, 0, NULL);
	expect_end(&it, -1);
}

/* The encoder: SUCCESS of the right width, lists in order, MORE_PENDING
 * from the first list that does not fit, and nothing after it. */
static void encode_stops_at_first_misfit(void **state)
{
	struct common_notif_info_out o;
	struct ffamed_regs r;
	struct common_notif_info_iter it;
	const uint16_t three[] = {0, 1, 2};

	(void)state;
	common_notif_info_out_init(&o, false);
	assert_true(common_notif_info_add(&o, 7, three, 3));   /* IDs 0..3 */
	assert_true(common_notif_info_add(&o, 8, three, 3));   /* 4..7 */
	assert_false(common_notif_info_add(&o, 9, three, 3));  /* 8..11: no */
	assert_false(common_notif_info_add(&o, 10, NULL, 0));  /* would fit: no */
	assert_false(common_notif_info_add(&o, 11, three, 4)); /* no such list */
	common_notif_info_pack(&o, &r);
	assert_int_equal(r.x[0], FFA_SUCCESS_32);
	assert_int_equal(r.x[1], 0);
	assert_int_equal(r.x[2], w2_of(2, (const unsigned[]){3, 3}, true));
	assert_int_equal(r.x[3], 0x00000007u);
	assert_int_equal(r.x[4], 0x00020001u);
	assert_int_equal(r.x[5], 0x00000008u);
	assert_int_equal(r.x[6], 0x00020001u);
	assert_int_equal(r.x[7], 0);
	common_notif_info_begin(&it, &r);
	assert_true(common_notif_info_more_pending(&r));
	expect_list(&it, 7, 3, three);
	expect_list(&it, 8, 3, three);
	expect_end(&it, 0);

	common_notif_info_out_init(&o, true);
	common_notif_info_pack(&o, &r);
	assert_int_equal(r.x[0], FFA_SUCCESS_64);
	assert_int_equal(r.x[2], 0);
}

static uint64_t rng_state = 0x2545F4914F6CDD1Dull;

static uint32_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 32);
}

/* Whatever the encoder takes, the decoder gives back, in both forms. */
static void round_trip(void **state)
{
	(void)state;
	for (unsigned round = 0; round < 2000; round++) {
		bool is64 = round & 1;
		struct common_notif_info_out o;
		struct common_notif_info_list want[FFA_NOTIF_INFO_MAX_IDS_64];
		struct common_notif_info_list got = {0};
		struct common_notif_info_iter it;
		struct ffamed_regs r;
		unsigned n = 0;

		common_notif_info_out_init(&o, is64);
		for (;;) {
			struct common_notif_info_list l = {.id = (uint16_t)rng()};

			l.vcpu_count = (uint16_t)(rng() % 4u);
			for (unsigned i = 0; i < l.vcpu_count; i++)
				l.vcpus[i] = (uint16_t)rng();
			if (!common_notif_info_add(&o, l.id, l.vcpus, l.vcpu_count))
				break;
			want[n++] = l;
		}
		common_notif_info_pack(&o, &r);
		assert_true(common_notif_info_more_pending(&r));
		common_notif_info_begin(&it, &r);
		for (unsigned i = 0; i < n; i++) {
			assert_int_equal(common_notif_info_next(&it, &got), 1);
			assert_int_equal(got.id, want[i].id);
			assert_int_equal(got.vcpu_count, want[i].vcpu_count);
			for (unsigned v = 0; v < got.vcpu_count; v++)
				assert_int_equal(got.vcpus[v], want[i].vcpus[v]);
		}
		expect_end(&it, 0);
	}
}

/* Random registers never read past x7 nor return a list past the count. */
static void hostile_registers(void **state)
{
	(void)state;
	for (unsigned round = 0; round < 20000; round++) {
		struct ffamed_regs r;
		struct common_notif_info_iter it;
		struct common_notif_info_list l;
		unsigned lists, seen = 0, ids = 0;
		int rc;

		for (unsigned i = 0; i < FFAMED_NREGS; i++)
			r.x[i] = (uint64_t)rng() << 32 | rng();
		r.x[0] = (round & 1) ? FFA_SUCCESS_64 : FFA_SUCCESS_32;
		lists = ((uint32_t)r.x[2] >> FFA_NOTIF_INFO_LIST_COUNT_SHIFT) &
			FFA_NOTIF_INFO_LIST_COUNT_MASK;
		common_notif_info_begin(&it, &r);
		while ((rc = common_notif_info_next(&it, &l)) > 0) {
			assert_true(l.vcpu_count <= COMMON_NOTIF_INFO_MAX_VCPUS);
			ids += 1u + l.vcpu_count;
			seen++;
		}
		assert_true(seen <= lists);
		assert_true(ids <=
			    ((round & 1) ? FFA_NOTIF_INFO_MAX_IDS_64 : FFA_NOTIF_INFO_MAX_IDS_32));
		/* Malformed exactly when a list was left unread. */
		assert_int_equal(rc, seen < lists ? -1 : 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(decode_64),
		cmocka_unit_test(decode_32_ignores_upper_halves),
		cmocka_unit_test(decode_full_registers),
		cmocka_unit_test(decode_no_list),
		cmocka_unit_test(malformed_list_count),
		cmocka_unit_test(malformed_truncated_lists),
		cmocka_unit_test(encode_stops_at_first_misfit),
		cmocka_unit_test(round_trip),
		cmocka_unit_test(hostile_registers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
