/* SPDX-License-Identifier: MIT */
/* Client partition discovery: RX-buffer listings of each entry size, the
 * count-only form, GET_REGS, and FFA_RX_RELEASE on every path. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "fake_conduit.h"
#include "ffamed/ffa_regs.h"

#define RX_PAGES 1
#define RX_BYTES (RX_PAGES * FFA_PAGE_SIZE)

/* 486178e0-e7f8-11e3-bc5e-0002a5d5c51b (OP-TEE) */
static const struct ffa_uuid optee_uuid = {{0x48, 0x61, 0x78, 0xe0, 0xe7, 0xf8, 0x11, 0xe3, 0xbc,
					    0x5e, 0x00, 0x02, 0xa5, 0xd5, 0xc5, 0x1b}};

static struct fake_conduit fake;
static struct ffac client;
static uint8_t rx[RX_BYTES], tx[RX_BYTES];
static uint8_t image[RX_BYTES]; /* what the fake callee writes into RX */

static void use_version(uint32_t version)
{
	fake_client(&client, &fake, version, 1);
	client.rx = rx;
	client.tx = tx;
	client.rx_ipa = 0x40000000;
	client.tx_ipa = 0x40001000;
	client.rxtx_pages = RX_PAGES;
	client.rxtx_mapped = true;
}

static int setup(void **state)
{
	(void)state;
	memset(rx, 0xEE, sizeof(rx));
	memset(image, 0, sizeof(image));
	fake_init(&fake, rx, sizeof(rx));
	use_version(FFA_VERSION_1_1);
	return 0;
}

/* Entry i of the test partition set: ID 0x8001+i, i+1 contexts, a UUID
 * whose bytes are derived from i. */
static void make_part(uint32_t i, struct ffac_partition *p)
{
	p->id = (uint16_t)(0x8001 + i);
	p->exec_ctx_count = (uint16_t)(i + 1);
	p->properties = 0x301u + i;
	for (int b = 0; b < 16; b++)
		p->uuid.b[b] = (uint8_t)(0x10 * (i + 1) + b);
}

/* Write n entries of `size` bytes into image (the wire format). */
static size_t write_image(uint32_t n, size_t size)
{
	for (uint32_t i = 0; i < n; i++) {
		struct ffac_partition p;
		uint8_t *d = image + i * size;

		make_part(i, &p);
		memset(d, 0x5A, size); /* padding the client must skip */
		d[0] = (uint8_t)p.id;
		d[1] = (uint8_t)(p.id >> 8);
		d[2] = (uint8_t)p.exec_ctx_count;
		d[3] = (uint8_t)(p.exec_ctx_count >> 8);
		for (int b = 0; b < 4; b++)
			d[4 + b] = (uint8_t)(p.properties >> (8 * b));
		if (size >= 24)
			memcpy(d + 8, p.uuid.b, 16);
	}
	return n * size;
}

static void assert_part(const struct ffac_partition *got, uint32_t i, bool with_uuid)
{
	struct ffac_partition want;

	make_part(i, &want);
	assert_int_equal(got->id, want.id);
	assert_int_equal(got->exec_ctx_count, want.exec_ctx_count);
	assert_int_equal(got->properties, want.properties);
	if (with_uuid) {
		assert_memory_equal(got->uuid.b, want.uuid.b, 16);
	} else {
		struct ffa_uuid nil = {{0}};

		assert_memory_equal(got->uuid.b, nil.b, 16);
	}
}

/* Script a full listing reply that writes n entries of `size` bytes. */
static void push_listing(uint32_t n, size_t size, uint32_t w3)
{
	struct fake_step *s = fake_push(&fake, FFA_SUCCESS_32, 0, n, w3);

	s->rx_data = image;
	s->rx_len = write_image(n, size);
}

static void test_count_v11_count_only(void **state)
{
	uint32_t count = 0;

	(void)state;
	fake_push(&fake, FFA_SUCCESS_32, 0, 3, 24);
	assert_int_equal(ffac_partition_count(&client, NULL, &count), FFA_RET_OK);
	assert_int_equal(count, 3);
	assert_int_equal(fake.ncalls, 1); /* no RX_RELEASE */
	fake_assert_call(&fake, 0, FFA_PARTITION_INFO_GET, 0, 0, 0, 0, 1);
}

static void test_count_uuid_words(void **state)
{
	uint32_t count = 0;

	(void)state;
	use_version(FFA_VERSION_1_2);
	fake_push(&fake, FFA_SUCCESS_32, 0, 1, 24);
	assert_int_equal(ffac_partition_count(&client, &optee_uuid, &count), FFA_RET_OK);
	assert_int_equal(count, 1);
	/* The words Linux sends for the OP-TEE UUID. */
	fake_assert_call(&fake, 0, FFA_PARTITION_INFO_GET, 0xe0786148, 0xe311f8e7, 0x02005ebc,
			 0x1bc5d5a5, 1);
}

static void test_count_v10_full_call_and_release(void **state)
{
	uint32_t count = 0;

	(void)state;
	use_version(FFA_VERSION_1_0);
	push_listing(2, 8, 0);
	fake_push(&fake, FFA_SUCCESS_32);
	assert_int_equal(ffac_partition_count(&client, NULL, &count), FFA_RET_OK);
	assert_int_equal(count, 2);
	assert_int_equal(fake.ncalls, 2);
	fake_assert_call(&fake, 0, FFA_PARTITION_INFO_GET);
	fake_assert_call(&fake, 1, FFA_RX_RELEASE);
}

static void test_count_errors(void **state)
{
	uint32_t count = 99;

	(void)state;
	/* Refused listing: RX was not handed over, nothing to release. */
	use_version(FFA_VERSION_1_0);
	fake_push_error(&fake, FFA_RET_BUSY);
	assert_int_equal(ffac_partition_count(&client, NULL, &count), FFA_RET_BUSY);
	assert_int_equal(fake.ncalls, 1);
	/* The release failing is reported. */
	push_listing(1, 8, 0);
	fake_push_error(&fake, FFA_RET_DENIED);
	assert_int_equal(ffac_partition_count(&client, NULL, &count), FFA_RET_DENIED);
	assert_int_equal(fake.ncalls, 3);

	use_version(FFA_VERSION_1_2);
	fake_push_error(&fake, FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(ffac_partition_count(&client, &optee_uuid, &count),
			 FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(count, 1); /* set by the successful v1.0 listing only */

	/* No version negotiated: no format to use. */
	use_version(0);
	assert_int_equal(ffac_partition_count(&client, NULL, &count), FFA_RET_NOT_SUPPORTED);
	assert_int_equal(fake.ncalls, 4);
}

static void test_list_v10_8_byte_entries(void **state)
{
	struct ffac_partition out[4];
	uint32_t count = 0;

	(void)state;
	use_version(FFA_VERSION_1_0);
	/* Count (a full call in v1.0), release, list, release. */
	push_listing(3, 8, 0);
	fake_push(&fake, FFA_SUCCESS_32);
	push_listing(3, 8, 0);
	fake_push(&fake, FFA_SUCCESS_32);
	assert_int_equal(ffac_partition_list(&client, NULL, out, 4, &count), FFA_RET_OK);
	assert_int_equal(count, 3);
	for (uint32_t i = 0; i < 3; i++)
		assert_part(&out[i], i, false);
	assert_int_equal(fake.ncalls, 4);
	fake_assert_call(&fake, 0, FFA_PARTITION_INFO_GET);
	fake_assert_call(&fake, 1, FFA_RX_RELEASE);
	fake_assert_call(&fake, 2, FFA_PARTITION_INFO_GET);
	fake_assert_call(&fake, 3, FFA_RX_RELEASE);
}

static void test_list_v10_ignores_w3(void **state)
{
	struct ffac_partition out[2];
	uint32_t count = 0;

	(void)state;
	/* v1.0 callers assume 8 bytes whatever w3 holds. */
	use_version(FFA_VERSION_1_0);
	push_listing(2, 8, 24);
	fake_push(&fake, FFA_SUCCESS_32);
	push_listing(2, 8, 24);
	fake_push(&fake, FFA_SUCCESS_32);
	assert_int_equal(ffac_partition_list(&client, NULL, out, 2, &count), FFA_RET_OK);
	assert_part(&out[1], 1, false);
}

static void test_list_v11_24_byte_entries(void **state)
{
	struct ffac_partition out[4];
	uint32_t count = 0;

	(void)state;
	fake_push(&fake, FFA_SUCCESS_32, 0, 3, 24);
	push_listing(3, 24, 24);
	fake_push(&fake, FFA_SUCCESS_32);
	assert_int_equal(ffac_partition_list(&client, NULL, out, 4, &count), FFA_RET_OK);
	assert_int_equal(count, 3);
	for (uint32_t i = 0; i < 3; i++)
		assert_part(&out[i], i, true);
	assert_int_equal(fake.ncalls, 3);
	fake_assert_call(&fake, 0, FFA_PARTITION_INFO_GET, 0, 0, 0, 0, 1);
	fake_assert_call(&fake, 1, FFA_PARTITION_INFO_GET);
	fake_assert_call(&fake, 2, FFA_RX_RELEASE);
}

static void test_list_48_byte_entries(void **state)
{
	struct ffac_partition out[4];
	uint32_t count = 0;

	(void)state;
	/* A v1.3-style callee: stride by w3, read the fields we know. */
	use_version(FFA_VERSION_1_2);
	fake_push(&fake, FFA_SUCCESS_32, 0, 4, 48);
	push_listing(4, 48, 48);
	fake_push(&fake, FFA_SUCCESS_32);
	assert_int_equal(ffac_partition_list(&client, &optee_uuid, out, 4, &count), FFA_RET_OK);
	assert_int_equal(count, 4);
	for (uint32_t i = 0; i < 4; i++)
		assert_part(&out[i], i, true);
	fake_assert_call(&fake, 1, FFA_PARTITION_INFO_GET, 0xe0786148, 0xe311f8e7, 0x02005ebc,
			 0x1bc5d5a5, 0);
	assert_int_equal(fake_count_fid(&fake, FFA_RX_RELEASE), 1);
}

static void test_list_short_entries_without_uuid(void **state)
{
	struct ffac_partition out[2];
	uint32_t count = 0;

	(void)state;
	/* 16 bytes: bigger than v1.0, too small for a UUID. */
	fake_push(&fake, FFA_SUCCESS_32, 0, 2, 16);
	push_listing(2, 16, 16);
	fake_push(&fake, FFA_SUCCESS_32);
	memset(out, 0xCC, sizeof(out));
	assert_int_equal(ffac_partition_list(&client, NULL, out, 2, &count), FFA_RET_OK);
	assert_part(&out[0], 0, false);
	assert_part(&out[1], 1, false);
}

static void test_list_bounded_by_max(void **state)
{
	struct ffac_partition out[3];
	uint32_t count = 0;

	(void)state;
	memset(out, 0xCC, sizeof(out));
	fake_push(&fake, FFA_SUCCESS_32, 0, 3, 24);
	push_listing(3, 24, 24);
	fake_push(&fake, FFA_SUCCESS_32);
	assert_int_equal(ffac_partition_list(&client, NULL, out, 2, &count), FFA_RET_OK);
	assert_int_equal(count, 3);
	assert_part(&out[0], 0, true);
	assert_part(&out[1], 1, true);
	assert_int_equal(out[2].id, 0xCCCC); /* untouched */
	assert_int_equal(fake_count_fid(&fake, FFA_RX_RELEASE), 1);
}

static void test_list_count_only_with_max_zero(void **state)
{
	uint32_t count = 0;

	(void)state;
	fake_push(&fake, FFA_SUCCESS_32, 0, 2, 24);
	push_listing(2, 24, 24);
	fake_push(&fake, FFA_SUCCESS_32);
	assert_int_equal(ffac_partition_list(&client, NULL, NULL, 0, &count), FFA_RET_OK);
	assert_int_equal(count, 2);
	assert_int_equal(fake_count_fid(&fake, FFA_RX_RELEASE), 1);
	assert_int_equal(ffac_partition_list(&client, NULL, NULL, 1, &count),
			 FFA_RET_INVALID_PARAMETERS);
}

static void test_list_rejects_small_size_and_releases(void **state)
{
	struct ffac_partition out[2];
	uint32_t count = 77;

	(void)state;
	fake_push(&fake, FFA_SUCCESS_32, 0, 2, 4);
	push_listing(2, 8, 4);
	fake_push(&fake, FFA_SUCCESS_32);
	assert_int_equal(ffac_partition_list(&client, NULL, out, 2, &count), FFA_RET_ABORTED);
	assert_int_equal(fake.ncalls, 3);
	fake_assert_call(&fake, 2, FFA_RX_RELEASE);
	assert_int_equal(count, 77); /* not written on a bad listing */

	/* w3 == 0 from a v1.1 callee is as bad. */
	fake_push(&fake, FFA_SUCCESS_32, 0, 2, 0);
	push_listing(2, 8, 0);
	fake_push(&fake, FFA_SUCCESS_32);
	assert_int_equal(ffac_partition_list(&client, NULL, out, 2, &count), FFA_RET_ABORTED);
	assert_int_equal(fake_count_fid(&fake, FFA_RX_RELEASE), 2);
}

static void test_list_rejects_overflowing_rx_and_releases(void **state)
{
	struct ffac_partition out[2];
	uint32_t count = 0;

	(void)state;
	/* 171 * 24 > 4096 */
	fake_push(&fake, FFA_SUCCESS_32, 0, 171, 24);
	fake_push(&fake, FFA_SUCCESS_32, 0, 171, 24);
	fake_push(&fake, FFA_SUCCESS_32);
	assert_int_equal(ffac_partition_list(&client, NULL, out, 2, &count), FFA_RET_ABORTED);
	fake_assert_call(&fake, 2, FFA_RX_RELEASE);

	/* A count whose product overflows 32 bits. */
	fake_push(&fake, FFA_SUCCESS_32, 0, 1, 24);
	fake_push(&fake, FFA_SUCCESS_32, 0, 0x10000001u, 0x10000);
	fake_push(&fake, FFA_SUCCESS_32);
	assert_int_equal(ffac_partition_list(&client, NULL, out, 2, &count), FFA_RET_ABORTED);
	fake_assert_call(&fake, 5, FFA_RX_RELEASE);

	/* Exactly full is fine: 170 * 24 = 4080, 512 * 8 = 4096. */
	use_version(FFA_VERSION_1_0);
	fake_push(&fake, FFA_SUCCESS_32, 0, 512, 0);
	fake_push(&fake, FFA_SUCCESS_32);
	fake_push(&fake, FFA_SUCCESS_32, 0, 512, 0);
	fake_push(&fake, FFA_SUCCESS_32);
	assert_int_equal(ffac_partition_list(&client, NULL, out, 2, &count), FFA_RET_OK);
	assert_int_equal(count, 512);
}

static void test_list_zero_partitions(void **state)
{
	uint32_t count = 5;

	(void)state;
	fake_push(&fake, FFA_SUCCESS_32, 0, 0, 24);
	assert_int_equal(ffac_partition_list(&client, NULL, NULL, 0, &count), FFA_RET_OK);
	assert_int_equal(count, 0);
	assert_int_equal(fake.ncalls, 1);
}

static void test_list_errors(void **state)
{
	struct ffac_partition out[2];
	uint32_t count = 0;

	(void)state;
	/* The count refused: stop there. */
	fake_push_error(&fake, FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(ffac_partition_list(&client, &optee_uuid, out, 2, &count),
			 FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(fake.ncalls, 1);

	/* The listing refused: RX was not handed over, no release. */
	fake_push(&fake, FFA_SUCCESS_32, 0, 2, 24);
	fake_push_error(&fake, FFA_RET_BUSY);
	assert_int_equal(ffac_partition_list(&client, NULL, out, 2, &count), FFA_RET_BUSY);
	assert_int_equal(fake.ncalls, 3);
	assert_int_equal(fake_count_fid(&fake, FFA_RX_RELEASE), 0);

	/* The release refused after a good listing. */
	fake_push(&fake, FFA_SUCCESS_32, 0, 2, 24);
	push_listing(2, 24, 24);
	fake_push_error(&fake, FFA_RET_DENIED);
	assert_int_equal(ffac_partition_list(&client, NULL, out, 2, &count), FFA_RET_DENIED);
	assert_part(&out[1], 1, true);

	/* An answer that is not SUCCESS: treated as not handed over. */
	fake_push(&fake, FFA_SUCCESS_32, 0, 2, 24);
	fake_push(&fake, FFA_MSG_SEND_DIRECT_RESP_32);
	assert_int_equal(ffac_partition_list(&client, NULL, out, 2, &count), FFA_RET_ABORTED);
}

static void test_list_without_rx_buffer(void **state)
{
	struct ffac_partition out[2];
	uint32_t count = 0;

	(void)state;
	client.rxtx_mapped = false;
	client.rx = NULL;
	fake_push(&fake, FFA_SUCCESS_32, 0, 2, 24);
	assert_int_equal(ffac_partition_list(&client, NULL, out, 2, &count),
			 FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(fake.ncalls, 1);
}

/* ---- GET_REGS ------------------------------------------------------------ */

static uint64_t regs_x2(uint32_t last, uint32_t cur, uint32_t tag, uint32_t size)
{
	return FFA_PIG_REGS_X2(last, cur, tag, size);
}

/* Script one GET_REGS reply carrying entries start..cur, `per` regs each. */
static void push_regs_reply(uint32_t start, uint32_t cur, uint32_t last, uint32_t tag,
			    uint32_t size)
{
	struct fake_step *s = fake_push(&fake, FFA_SUCCESS_64, 0, regs_x2(last, cur, tag, size));
	uint32_t per = size / 8;

	for (uint32_t i = start; i <= cur; i++) {
		struct ffac_partition p;
		uint32_t r = 3 + (i - start) * per;

		make_part(i, &p);
		s->reply.x[r] =
			p.id | ((uint64_t)p.exec_ctx_count << 16) | ((uint64_t)p.properties << 32);
		if (per >= 3) {
			s->reply.x[r + 1] = ffa_uuid_x(&p.uuid, 0);
			s->reply.x[r + 2] = ffa_uuid_x(&p.uuid, 1);
		}
		for (uint32_t k = 3; k < per; k++)
			s->reply.x[r + k] = 0xDEAD0000u + k; /* fields we do not know */
	}
}

static void test_regs_single_call(void **state)
{
	struct ffac_partition out[8];
	uint32_t count = 0;

	(void)state;
	use_version(FFA_VERSION_1_2);
	push_regs_reply(0, 2, 2, 0, 24);
	assert_int_equal(ffac_partition_list_regs(&client, NULL, out, 8, &count), FFA_RET_OK);
	assert_int_equal(count, 3);
	for (uint32_t i = 0; i < 3; i++)
		assert_part(&out[i], i, true);
	assert_int_equal(fake.ncalls, 1);
	fake_assert_call(&fake, 0, FFA_PARTITION_INFO_GET_REGS, 0, 0, 0);
}

static void test_regs_loops_with_index_and_tag(void **state)
{
	struct ffac_partition out[8];
	uint32_t count = 0;

	(void)state;
	use_version(FFA_VERSION_1_2);
	push_regs_reply(0, 4, 6, 0x33, 24);
	push_regs_reply(5, 6, 6, 0x33, 24);
	assert_int_equal(ffac_partition_list_regs(&client, &optee_uuid, out, 8, &count),
			 FFA_RET_OK);
	assert_int_equal(count, 7);
	for (uint32_t i = 0; i < 7; i++)
		assert_part(&out[i], i, true);
	assert_int_equal(fake.ncalls, 2);
	fake_assert_call(&fake, 0, FFA_PARTITION_INFO_GET_REGS, 0xe311f8e7e0786148ull,
			 0x1bc5d5a502005ebcull, 0);
	fake_assert_call(&fake, 1, FFA_PARTITION_INFO_GET_REGS, 0xe311f8e7e0786148ull,
			 0x1bc5d5a502005ebcull, 5 | (0x33u << 16));
	assert_int_equal(fake_count_fid(&fake, FFA_RX_RELEASE), 0);
}

static void test_regs_48_byte_packing(void **state)
{
	struct ffac_partition out[8];
	uint32_t count = 0;

	(void)state;
	use_version(FFA_VERSION_1_2);
	push_regs_reply(0, 1, 4, 0, 48);
	push_regs_reply(2, 3, 4, 0, 48);
	push_regs_reply(4, 4, 4, 0, 48);
	assert_int_equal(ffac_partition_list_regs(&client, NULL, out, 8, &count), FFA_RET_OK);
	assert_int_equal(count, 5);
	for (uint32_t i = 0; i < 5; i++)
		assert_part(&out[i], i, true);
	fake_assert_call(&fake, 2, FFA_PARTITION_INFO_GET_REGS, 0, 0, 4);
}

static void test_regs_8_byte_packing(void **state)
{
	struct ffac_partition out[16];
	uint32_t count = 0;

	(void)state;
	use_version(FFA_VERSION_1_2);
	push_regs_reply(0, 14, 15, 0, 8);
	push_regs_reply(15, 15, 15, 0, 8);
	assert_int_equal(ffac_partition_list_regs(&client, NULL, out, 16, &count), FFA_RET_OK);
	assert_int_equal(count, 16);
	assert_part(&out[14], 14, false);
	assert_part(&out[15], 15, false);
}

static void test_regs_retry_restarts(void **state)
{
	struct ffac_partition out[8];
	uint32_t count = 0;

	(void)state;
	use_version(FFA_VERSION_1_2);
	push_regs_reply(0, 4, 6, 7, 24);
	fake_push_error(&fake, FFA_RET_RETRY);
	push_regs_reply(0, 4, 5, 8, 24);
	push_regs_reply(5, 5, 5, 8, 24);
	assert_int_equal(ffac_partition_list_regs(&client, NULL, out, 8, &count), FFA_RET_OK);
	assert_int_equal(count, 6);
	assert_int_equal(fake.ncalls, 4);
	fake_assert_call(&fake, 1, FFA_PARTITION_INFO_GET_REGS, 0, 0, 5 | (7u << 16));
	fake_assert_call(&fake, 2, FFA_PARTITION_INFO_GET_REGS, 0, 0, 0);
	fake_assert_call(&fake, 3, FFA_PARTITION_INFO_GET_REGS, 0, 0, 5 | (8u << 16));
}

static void test_regs_retry_bounded(void **state)
{
	struct ffac_partition out[2];
	uint32_t count = 0;

	(void)state;
	use_version(FFA_VERSION_1_2);
	ffa_set_error(&fake.fallback, FFA_RET_RETRY);
	assert_int_equal(ffac_partition_list_regs(&client, NULL, out, 2, &count), FFA_RET_RETRY);
	assert_int_equal(fake.ncalls, 9);
}

static void test_regs_bounded_by_max(void **state)
{
	struct ffac_partition out[3];
	uint32_t count = 0;

	(void)state;
	use_version(FFA_VERSION_1_2);
	memset(out, 0xCC, sizeof(out));
	push_regs_reply(0, 4, 4, 0, 24);
	assert_int_equal(ffac_partition_list_regs(&client, NULL, out, 2, &count), FFA_RET_OK);
	assert_int_equal(count, 5);
	assert_part(&out[1], 1, true);
	assert_int_equal(out[2].id, 0xCCCC);
}

static void test_regs_rejects_malformed(void **state)
{
	struct ffac_partition out[8];
	uint32_t count = 0;

	(void)state;
	use_version(FFA_VERSION_1_2);
	/* Sizes that are no packing. */
	fake_push(&fake, FFA_SUCCESS_64, 0, regs_x2(0, 0, 0, 0));
	assert_int_equal(ffac_partition_list_regs(&client, NULL, out, 8, &count), FFA_RET_ABORTED);
	fake_push(&fake, FFA_SUCCESS_64, 0, regs_x2(0, 0, 0, 12));
	assert_int_equal(ffac_partition_list_regs(&client, NULL, out, 8, &count), FFA_RET_ABORTED);
	fake_push(&fake, FFA_SUCCESS_64, 0, regs_x2(0, 0, 0, 128));
	assert_int_equal(ffac_partition_list_regs(&client, NULL, out, 8, &count), FFA_RET_ABORTED);
	/* More entries than registers: 6 * 3 > 15. */
	fake_push(&fake, FFA_SUCCESS_64, 0, regs_x2(5, 5, 0, 24));
	assert_int_equal(ffac_partition_list_regs(&client, NULL, out, 8, &count), FFA_RET_ABORTED);
	/* current past last. */
	fake_push(&fake, FFA_SUCCESS_64, 0, regs_x2(1, 2, 0, 24));
	assert_int_equal(ffac_partition_list_regs(&client, NULL, out, 8, &count), FFA_RET_ABORTED);
	/* current before start on the second call. */
	push_regs_reply(0, 1, 4, 0, 24);
	fake_push(&fake, FFA_SUCCESS_64, 0, regs_x2(4, 1, 0, 24));
	assert_int_equal(ffac_partition_list_regs(&client, NULL, out, 8, &count), FFA_RET_ABORTED);
	/* The total changed without RETRY. */
	push_regs_reply(0, 1, 4, 0, 24);
	push_regs_reply(2, 3, 3, 0, 24);
	assert_int_equal(ffac_partition_list_regs(&client, NULL, out, 8, &count), FFA_RET_ABORTED);
	assert_int_equal(count, 0);
}

static void test_regs_errors(void **state)
{
	struct ffac_partition out[2];
	uint32_t count = 0;

	(void)state;
	use_version(FFA_VERSION_1_1);
	fake_push_error(&fake, FFA_RET_NOT_SUPPORTED);
	assert_int_equal(ffac_partition_list_regs(&client, NULL, out, 2, &count),
			 FFA_RET_NOT_SUPPORTED);
	fake_push_error(&fake, FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(ffac_partition_list_regs(&client, &optee_uuid, out, 2, &count),
			 FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(ffac_partition_list_regs(&client, NULL, NULL, 2, &count),
			 FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(fake.ncalls, 2);
	assert_int_equal(fake_count_fid(&fake, FFA_RX_RELEASE), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_count_v11_count_only, setup),
		cmocka_unit_test_setup(test_count_uuid_words, setup),
		cmocka_unit_test_setup(test_count_v10_full_call_and_release, setup),
		cmocka_unit_test_setup(test_count_errors, setup),
		cmocka_unit_test_setup(test_list_v10_8_byte_entries, setup),
		cmocka_unit_test_setup(test_list_v10_ignores_w3, setup),
		cmocka_unit_test_setup(test_list_v11_24_byte_entries, setup),
		cmocka_unit_test_setup(test_list_48_byte_entries, setup),
		cmocka_unit_test_setup(test_list_short_entries_without_uuid, setup),
		cmocka_unit_test_setup(test_list_bounded_by_max, setup),
		cmocka_unit_test_setup(test_list_count_only_with_max_zero, setup),
		cmocka_unit_test_setup(test_list_rejects_small_size_and_releases, setup),
		cmocka_unit_test_setup(test_list_rejects_overflowing_rx_and_releases, setup),
		cmocka_unit_test_setup(test_list_zero_partitions, setup),
		cmocka_unit_test_setup(test_list_errors, setup),
		cmocka_unit_test_setup(test_list_without_rx_buffer, setup),
		cmocka_unit_test_setup(test_regs_single_call, setup),
		cmocka_unit_test_setup(test_regs_loops_with_index_and_tag, setup),
		cmocka_unit_test_setup(test_regs_48_byte_packing, setup),
		cmocka_unit_test_setup(test_regs_8_byte_packing, setup),
		cmocka_unit_test_setup(test_regs_retry_restarts, setup),
		cmocka_unit_test_setup(test_regs_retry_bounded, setup),
		cmocka_unit_test_setup(test_regs_bounded_by_max, setup),
		cmocka_unit_test_setup(test_regs_rejects_malformed, setup),
		cmocka_unit_test_setup(test_regs_errors, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
