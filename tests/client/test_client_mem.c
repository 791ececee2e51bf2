/* SPDX-License-Identifier: MIT */
/*
 * The client's memory management over a scripted conduit: descriptor
 * layouts per version, fragmentation of a send (FRAG_TX) and of a retrieve
 * response (FRAG_RX with RX_RELEASE between), reclaim, relinquish, and
 * callees that answer out of turn.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "fake_conduit.h"
#include "ffamed/ffa_regs.h"

#define ME     0x0003u
#define SP_A   0x8004u
#define SP_B   0x8005u
#define HANDLE 0x0123456789ABCDEFull

struct mem_env {
	struct fake_conduit fake;
	struct ffac c;
	uint8_t tx[FFA_PAGE_SIZE];
	uint8_t rx[FFA_PAGE_SIZE];
	/* The send as the callee saw it, reassembled from the fragments. */
	uint8_t seen[16 * FFA_PAGE_SIZE];
	uint32_t seen_len;
};

static struct mem_env env;

static void capture_tx(struct fake_conduit *f, const struct ffamed_regs *regs)
{
	uint32_t fid = (uint32_t)regs->x[0];
	uint32_t len = 0;

	(void)f;
	if (fid == FFA_MEM_SHARE_64 || fid == FFA_MEM_LEND_64 || fid == FFA_MEM_DONATE_64 ||
	    fid == FFA_MEM_RETRIEVE_REQ_64)
		len = (uint32_t)regs->x[2];
	else if (fid == FFA_MEM_FRAG_TX)
		len = (uint32_t)regs->x[3];
	else if (fid == FFA_MEM_RELINQUISH)
		len = 18;
	assert_true(len <= sizeof(env.tx) && env.seen_len + len <= sizeof(env.seen));
	memcpy(env.seen + env.seen_len, env.tx, len);
	env.seen_len += len;
}

static void setup_env(uint32_t version)
{
	memset(&env, 0, sizeof(env));
	fake_init(&env.fake, env.rx, sizeof(env.rx));
	fake_client(&env.c, &env.fake, version, ME);
	env.fake.on_call = capture_tx;
	env.c.tx = env.tx;
	env.c.rx = env.rx;
	env.c.tx_ipa = 0x1000;
	env.c.rx_ipa = 0x2000;
	env.c.rxtx_pages = 1;
	env.c.rxtx_mapped = true;
}

static uint32_t u32_at(const uint8_t *p, size_t off)
{
	uint32_t v;

	memcpy(&v, p + off, 4);
	return v;
}

static uint64_t u64_at(const uint8_t *p, size_t off)
{
	uint64_t v;

	memcpy(&v, p + off, 8);
	return v;
}

static void push_success_handle(uint64_t h)
{
	fake_push(&env.fake, FFA_SUCCESS_32, 0, (uint32_t)h, h >> 32);
}

/* ---- Send ------------------------------------------------------------------- */

static void check_send_layout(uint32_t version, uint32_t hdr, uint32_t esz)
{
	static const struct ffac_mem_range ranges[] = {
		{0x40000000, 2}, {0x40010000, 1}, {0x40003000, 5}};
	struct ffac_mem_borrower b[2] = {{SP_A, FFA_MEM_PERM_DATA_RW, {1, 2, 3}},
					 {SP_B, FFA_MEM_PERM_DATA_RO, {0}}};
	struct ffac_mem_send s = {
		.attributes = FFA_MEM_ATTR_NORMAL_WB_INNER,
		.tag = 0x77,
		.borrowers = b,
		.borrower_count = 2,
		.ranges = ranges,
		.range_count = 3,
	};
	uint32_t comp = hdr + 2 * esz;
	uint32_t total = comp + 16 + 3 * 16;
	uint64_t h = 0;
	uint32_t frags = 0;

	setup_env(version);
	push_success_handle(HANDLE);
	assert_int_equal(ffac_mem_share(&env.c, &s, &h, &frags), 0);
	assert_int_equal(h, HANDLE);
	assert_int_equal(frags, 1);
	fake_assert_call(&env.fake, 0, FFA_MEM_SHARE_64, total, total);
	assert_int_equal(env.seen_len, total);
	assert_int_equal(env.seen[0] | env.seen[1] << 8, ME);
	assert_int_equal(env.seen[2], FFA_MEM_ATTR_NORMAL_WB_INNER);
	assert_int_equal(u64_at(env.seen, 8), 0);
	assert_int_equal(u64_at(env.seen, 16), 0x77);
	assert_int_equal(u32_at(env.seen, 28), 2);
	if (hdr == 48) {
		assert_int_equal(u32_at(env.seen, 24), esz);
		assert_int_equal(u32_at(env.seen, 32), 48);
	} else {
		assert_int_equal(u32_at(env.seen, 24), 0);
	}
	for (uint32_t i = 0; i < 2; i++) {
		const uint8_t *e = env.seen + hdr + i * esz;

		assert_int_equal(e[0] | e[1] << 8, b[i].id);
		assert_int_equal(e[2], b[i].perm);
		assert_int_equal(u32_at(e, 4), comp);
		if (esz == 32)
			assert_memory_equal(e + 8, b[i].impdef, 16);
	}
	assert_int_equal(u32_at(env.seen, comp), 8);
	assert_int_equal(u32_at(env.seen, comp + 4), 3);
	for (uint32_t i = 0; i < 3; i++) {
		assert_int_equal(u64_at(env.seen, comp + 16 + i * 16), ranges[i].addr);
		assert_int_equal(u32_at(env.seen, comp + 16 + i * 16 + 8), ranges[i].pages);
	}
}

static void test_send_layouts(void **state)
{
	(void)state;
	check_send_layout(FFA_VERSION_1_0, 32, 16);
	check_send_layout(FFA_VERSION_1_1, 48, 16);
	check_send_layout(FFA_VERSION_1_2, 48, 32);
}

static struct ffac_mem_range many[600];

static void fill_many(uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		many[i] = (struct ffac_mem_range){0x80000000ull + (uint64_t)i * 0x2000, 1 + i % 3};
}

static void test_send_fragmented(void **state)
{
	struct ffac_mem_borrower b = {SP_A, FFA_MEM_PERM_DATA_RW, {0}};
	struct ffac_mem_send s = {
		.borrowers = &b, .borrower_count = 1, .ranges = many, .range_count = 600};
	uint32_t comp = 48 + 32;
	uint32_t total = comp + 16 + 600 * 16;
	uint64_t h = 0;
	uint32_t frags = 0;
	uint32_t off;

	(void)state;
	setup_env(FFA_VERSION_1_2);
	fill_many(600);
	/* 4096 bytes per fragment: 4096 = 96 + 250 constituents, then 256. */
	fake_push(&env.fake, FFA_MEM_FRAG_RX, (uint32_t)HANDLE, HANDLE >> 32, 4096);
	fake_push(&env.fake, FFA_MEM_FRAG_RX, (uint32_t)HANDLE, HANDLE >> 32, 8192);
	push_success_handle(HANDLE);
	assert_int_equal(ffac_mem_lend(&env.c, &s, &h, &frags), 0);
	assert_int_equal(frags, 3);
	assert_int_equal(h, HANDLE);
	fake_assert_call(&env.fake, 0, FFA_MEM_LEND_64, total, 4096);
	fake_assert_call(&env.fake, 1, FFA_MEM_FRAG_TX, (uint32_t)HANDLE, HANDLE >> 32, 4096);
	fake_assert_call(&env.fake, 2, FFA_MEM_FRAG_TX, (uint32_t)HANDLE, HANDLE >> 32,
			 total - 8192);
	assert_int_equal(env.seen_len, total);
	for (uint32_t i = 0; i < 600; i++) {
		off = comp + 16 + i * 16;
		assert_int_equal(u64_at(env.seen, off), many[i].addr);
		assert_int_equal(u32_at(env.seen, off + 8), many[i].pages);
	}
	/* A callee that lost count: the client stops. */
	setup_env(FFA_VERSION_1_2);
	fake_push(&env.fake, FFA_MEM_FRAG_RX, (uint32_t)HANDLE, HANDLE >> 32, 4000);
	assert_int_equal(ffac_mem_lend(&env.c, &s, &h, NULL), FFA_RET_ABORTED);
	assert_int_equal(env.fake.ncalls, 1);
	/* An error on a fragment is the result. */
	setup_env(FFA_VERSION_1_2);
	fake_push(&env.fake, FFA_MEM_FRAG_RX, (uint32_t)HANDLE, HANDLE >> 32, 4096);
	fake_push_error(&env.fake, FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(ffac_mem_donate(&env.c, &s, &h, &frags), FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(frags, 2);
}

static void test_send_errors(void **state)
{
	struct ffac_mem_borrower b = {SP_A, FFA_MEM_PERM_DATA_RW, {0}};
	struct ffac_mem_range r = {0x1000, 1};
	struct ffac_mem_send s = {
		.borrowers = &b, .borrower_count = 1, .ranges = &r, .range_count = 1};
	uint64_t h;

	(void)state;
	setup_env(FFA_VERSION_1_2);
	fake_push_error(&env.fake, FFA_RET_DENIED);
	assert_int_equal(ffac_mem_share(&env.c, &s, &h, NULL), FFA_RET_DENIED);
	/* An answer that is neither. */
	fake_push(&env.fake, FFA_MSG_SEND_DIRECT_RESP_32);
	assert_int_equal(ffac_mem_share(&env.c, &s, &h, NULL), FFA_RET_ABORTED);
	/* Nothing to send, no TX. */
	s.range_count = 0;
	assert_int_equal(ffac_mem_share(&env.c, &s, &h, NULL), FFA_RET_INVALID_PARAMETERS);
	s.range_count = 1;
	s.borrower_count = 0;
	assert_int_equal(ffac_mem_share(&env.c, &s, &h, NULL), FFA_RET_INVALID_PARAMETERS);
	s.borrower_count = 1;
	env.c.rxtx_mapped = false;
	assert_int_equal(ffac_mem_share(&env.c, &s, &h, NULL), FFA_RET_DENIED);
	assert_int_equal(env.fake.ncalls, 2);
}

static void test_reclaim(void **state)
{
	(void)state;
	setup_env(FFA_VERSION_1_1);
	fake_push(&env.fake, FFA_SUCCESS_32);
	fake_push_error(&env.fake, FFA_RET_DENIED);
	assert_int_equal(ffac_mem_reclaim(&env.c, HANDLE, FFA_MEM_FLAG_ZERO_MEMORY), 0);
	assert_int_equal(ffac_mem_reclaim(&env.c, HANDLE, 0), FFA_RET_DENIED);
	fake_assert_call(&env.fake, 0, FFA_MEM_RECLAIM, (uint32_t)HANDLE, HANDLE >> 32,
			 FFA_MEM_FLAG_ZERO_MEMORY);
}

/* ---- Retrieve ---------------------------------------------------------------- */

static uint8_t resp[16 * FFA_PAGE_SIZE];

/* A v1.2 response listing `me` second of two borrowers. */
static uint32_t build_resp(uint32_t n)
{
	uint32_t comp = 48 + 2 * 32;
	uint32_t len = comp + 16 + n * 16;
	uint16_t ids[2] = {SP_A, ME};
	uint32_t pages = 0;

	memset(resp, 0, len);
	resp[0] = 0x09; /* sender 9 */
	resp[2] = FFA_MEM_ATTR_NORMAL_WB_INNER | FFA_MEM_ATTR_NS;
	resp[4] = FFA_MEM_FLAG_TYPE_LEND;
	memcpy(resp + 8, &(uint64_t){HANDLE}, 8);
	memcpy(resp + 24, &(uint32_t){32}, 4);
	memcpy(resp + 28, &(uint32_t){2}, 4);
	memcpy(resp + 32, &(uint32_t){48}, 4);
	for (int i = 0; i < 2; i++) {
		memcpy(resp + 48 + i * 32, &ids[i], 2);
		resp[48 + i * 32 + 2] = (uint8_t)(i ? 0x05 : 0x06);
		memcpy(resp + 48 + i * 32 + 4, &comp, 4);
	}
	for (uint32_t i = 0; i < n; i++) {
		memcpy(resp + comp + 16 + i * 16, &many[i].addr, 8);
		memcpy(resp + comp + 16 + i * 16 + 8, &many[i].pages, 4);
		pages += many[i].pages;
	}
	memcpy(resp + comp, &pages, 4);
	memcpy(resp + comp + 4, &n, 4);
	return len;
}

static void test_retrieve_single(void **state)
{
	struct ffac_mem_range out[8];
	struct ffac_mem_retrieved info;
	struct fake_step *st;
	uint32_t len;

	(void)state;
	setup_env(FFA_VERSION_1_2);
	fill_many(5);
	len = build_resp(5);
	st = fake_push(&env.fake, FFA_MEM_RETRIEVE_RESP, len, len);
	st->rx_data = resp;
	st->rx_len = len;
	fake_push(&env.fake, FFA_SUCCESS_32); /* RX_RELEASE */
	assert_int_equal(
		ffac_mem_retrieve(&env.c, HANDLE, 9, 0x55, FFA_MEM_PERM_DATA_RO, 0, out, 8, &info),
		0);
	/* The request: one EMAD, ours, no composite. */
	fake_assert_call(&env.fake, 0, FFA_MEM_RETRIEVE_REQ_64, 80, 80);
	fake_assert_call(&env.fake, 1, FFA_RX_RELEASE);
	assert_int_equal(env.seen[0], 9);
	assert_int_equal(u64_at(env.seen, 8), HANDLE);
	assert_int_equal(u64_at(env.seen, 16), 0x55);
	assert_int_equal(u32_at(env.seen, 28), 1);
	assert_int_equal(env.seen[48] | env.seen[49] << 8, ME);
	assert_int_equal(env.seen[50], FFA_MEM_PERM_DATA_RO);
	assert_int_equal(u32_at(env.seen, 52), 0);
	assert_int_equal(info.handle, HANDLE);
	assert_int_equal(info.sender, 9);
	assert_int_equal(info.perm, 0x05);
	assert_int_equal(info.flags, FFA_MEM_FLAG_TYPE_LEND);
	assert_int_equal(info.range_count, 5);
	assert_int_equal(info.fragments, 1);
	for (int i = 0; i < 5; i++) {
		assert_int_equal(out[i].addr, many[i].addr);
		assert_int_equal(out[i].pages, many[i].pages);
	}
}

static void test_retrieve_fragmented(void **state)
{
	struct ffac_mem_range out[600];
	struct ffac_mem_retrieved info;
	struct fake_step *st;
	uint32_t len;
	/* Cuts that split constituents: 4000, 4000, the rest. */
	uint32_t cut[3] = {4000, 4000, 0};

	(void)state;
	setup_env(FFA_VERSION_1_2);
	fill_many(600);
	len = build_resp(600);
	cut[2] = len - 8000;
	st = fake_push(&env.fake, FFA_MEM_RETRIEVE_RESP, len, cut[0]);
	st->rx_data = resp;
	st->rx_len = cut[0];
	fake_push(&env.fake, FFA_SUCCESS_32);
	st = fake_push(&env.fake, FFA_MEM_FRAG_TX, (uint32_t)HANDLE, HANDLE >> 32, cut[1]);
	st->rx_data = resp + 4000;
	st->rx_len = cut[1];
	fake_push(&env.fake, FFA_SUCCESS_32);
	st = fake_push(&env.fake, FFA_MEM_FRAG_TX, (uint32_t)HANDLE, HANDLE >> 32, cut[2]);
	st->rx_data = resp + 8000;
	st->rx_len = cut[2];
	fake_push(&env.fake, FFA_SUCCESS_32);
	assert_int_equal(ffac_mem_retrieve(&env.c, HANDLE, 9, 0, 0, 0, out, 600, &info), 0);
	assert_int_equal(info.fragments, 3);
	assert_int_equal(info.range_count, 600);
	fake_assert_call(&env.fake, 2, FFA_MEM_FRAG_RX, (uint32_t)HANDLE, HANDLE >> 32, 4000);
	fake_assert_call(&env.fake, 4, FFA_MEM_FRAG_RX, (uint32_t)HANDLE, HANDLE >> 32, 8000);
	assert_int_equal(fake_count_fid(&env.fake, FFA_RX_RELEASE), 3);
	for (int i = 0; i < 600; i++) {
		assert_int_equal(out[i].addr, many[i].addr);
		assert_int_equal(out[i].pages, many[i].pages);
	}

	/* Too small an array: consumed whole, NO_MEMORY, the first ones kept. */
	setup_env(FFA_VERSION_1_2);
	len = build_resp(300);
	st = fake_push(&env.fake, FFA_MEM_RETRIEVE_RESP, len, 4096);
	st->rx_data = resp;
	st->rx_len = 4096;
	fake_push(&env.fake, FFA_SUCCESS_32);
	st = fake_push(&env.fake, FFA_MEM_FRAG_TX, (uint32_t)HANDLE, HANDLE >> 32, len - 4096);
	st->rx_data = resp + 4096;
	st->rx_len = len - 4096;
	fake_push(&env.fake, FFA_SUCCESS_32);
	assert_int_equal(ffac_mem_retrieve(&env.c, HANDLE, 9, 0, 0, 0, out, 10, &info),
			 FFA_RET_NO_MEMORY);
	assert_int_equal(info.range_count, 300);
	assert_int_equal(out[9].addr, many[9].addr);
	assert_int_equal(env.fake.ncalls, 4);
}

static void test_retrieve_bad_replies(void **state)
{
	struct ffac_mem_range out[8];
	struct ffac_mem_retrieved info;
	struct fake_step *st;
	uint32_t len;

	(void)state;
	setup_env(FFA_VERSION_1_2);
	fill_many(5);
	fake_push_error(&env.fake, FFA_RET_DENIED);
	assert_int_equal(ffac_mem_retrieve(&env.c, HANDLE, 9, 0, 0, 0, out, 8, &info),
			 FFA_RET_DENIED);
	/* A fragment for another handle. */
	len = build_resp(5);
	st = fake_push(&env.fake, FFA_MEM_RETRIEVE_RESP, len, 100);
	st->rx_data = resp;
	st->rx_len = 100;
	fake_push(&env.fake, FFA_SUCCESS_32);
	fake_push(&env.fake, FFA_MEM_FRAG_TX, 1, 2, len - 100);
	assert_int_equal(ffac_mem_retrieve(&env.c, HANDLE, 9, 0, 0, 0, out, 8, &info),
			 FFA_RET_ABORTED);
	/* A response that does not list us. */
	setup_env(FFA_VERSION_1_2);
	len = build_resp(5);
	resp[48 + 32] = 0x44;
	st = fake_push(&env.fake, FFA_MEM_RETRIEVE_RESP, len, len);
	st->rx_data = resp;
	st->rx_len = len;
	assert_int_equal(ffac_mem_retrieve(&env.c, HANDLE, 9, 0, 0, 0, out, 8, &info),
			 FFA_RET_ABORTED);
	/* A fragment longer than what is left. */
	setup_env(FFA_VERSION_1_2);
	len = build_resp(5);
	st = fake_push(&env.fake, FFA_MEM_RETRIEVE_RESP, len, len + 16);
	assert_int_equal(ffac_mem_retrieve(&env.c, HANDLE, 9, 0, 0, 0, out, 8, &info),
			 FFA_RET_ABORTED);
}

static void test_relinquish(void **state)
{
	(void)state;
	setup_env(FFA_VERSION_1_2);
	fake_push(&env.fake, FFA_SUCCESS_32);
	assert_int_equal(ffac_mem_relinquish(&env.c, HANDLE, FFA_MEM_FLAG_ZERO_MEMORY), 0);
	fake_assert_call(&env.fake, 0, FFA_MEM_RELINQUISH);
	assert_int_equal(u64_at(env.seen, 0), HANDLE);
	assert_int_equal(u32_at(env.seen, 8), FFA_MEM_FLAG_ZERO_MEMORY);
	assert_int_equal(u32_at(env.seen, 12), 1);
	assert_int_equal(env.seen[16] | env.seen[17] << 8, ME);
	fake_push_error(&env.fake, FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(ffac_mem_relinquish(&env.c, HANDLE, 0), FFA_RET_INVALID_PARAMETERS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_send_layouts),
		cmocka_unit_test(test_send_fragmented),
		cmocka_unit_test(test_send_errors),
		cmocka_unit_test(test_reclaim),
		cmocka_unit_test(test_retrieve_single),
		cmocka_unit_test(test_retrieve_fragmented),
		cmocka_unit_test(test_retrieve_bad_replies),
		cmocka_unit_test(test_relinquish),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
