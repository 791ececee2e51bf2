/* SPDX-License-Identifier: MIT */
/* Client indirect messages: FFA_MSG_SEND2's header layouts byte by byte
 * (v1.1 and v1.2), reading a delivered message (good, truncated, hostile
 * headers, a failing release), and the RX-buffer-full notification. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "fake_conduit.h"
#include "ffamed/ffa_regs.h"

#define OWN_ID	0x0002u
#define PEER_ID 0x0003u
#define SP_ID	0x8001u
#define MBOX	(2 * FFA_PAGE_SIZE) /* the buffers; the client maps 1 or 2 pages */

static const struct ffa_uuid svc_uuid = {{0x10, 0x21, 0x32, 0x43, 0x54, 0x65, 0x76, 0x87, 0x98,
					  0xa9, 0xba, 0xcb, 0xdc, 0xed, 0xfe, 0x0f}};
static const uint8_t payload[11] = "hello peer";

static struct fake_conduit fake;
static struct ffac client;
static _Alignas(4096) uint8_t tx[MBOX];
static _Alignas(4096) uint8_t rx[MBOX];
/* The TX buffer as the callee saw it when FFA_MSG_SEND2 came. */
static uint8_t tx_seen[MBOX];

static void snapshot_tx(struct fake_conduit *f, const struct ffamed_regs *regs)
{
	(void)f;
	if ((uint32_t)regs->x[0] == FFA_MSG_SEND2)
		memcpy(tx_seen, tx, sizeof(tx_seen));
}

static void use_version(uint32_t version)
{
	fake_client(&client, &fake, version, OWN_ID);
	client.tx = tx;
	client.rx = rx;
	client.rxtx_pages = 1;
	client.rxtx_mapped = true;
}

static int setup(void **state)
{
	(void)state;
	fake_init(&fake, rx, sizeof(rx));
	fake.on_call = snapshot_tx;
	memset(tx, 0xEE, sizeof(tx)); /* stale junk the header must overwrite */
	memset(tx_seen, 0, sizeof(tx_seen));
	memset(rx, 0, sizeof(rx));
	use_version(FFA_VERSION_1_2);
	return 0;
}

static void put_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put_le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void assert_bytes(const uint8_t *got, const uint8_t *want, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (got[i] != want[i])
			print_error("byte %zu: 0x%02x, expected 0x%02x\n", i, got[i], want[i]);
		assert_int_equal(got[i], want[i]);
	}
}

/* ---- FFA_MSG_SEND2 ------------------------------------------------------------- */

static void send2_v12_layout(void **state)
{
	uint8_t want[40 + sizeof(payload)];

	(void)state;
	fake_push(&fake, FFA_SUCCESS_32);
	assert_int_equal(ffac_msg_send2(&client, PEER_ID, &svc_uuid, payload, sizeof(payload)),
			 FFA_RET_OK);
	fake_assert_call(&fake, 0, FFA_MSG_SEND2);
	memset(want, 0, sizeof(want));
	put_le32(want + 8, 40);	      /* offset */
	put_le16(want + 12, PEER_ID); /* receiver */
	put_le16(want + 14, OWN_ID);  /* sender */
	put_le32(want + 16, sizeof(payload));
	memcpy(want + 24, svc_uuid.b, 16);
	memcpy(want + 40, payload, sizeof(payload));
	assert_bytes(tx_seen, want, sizeof(want));
	/* Nothing past the message is touched. */
	assert_int_equal(tx_seen[sizeof(want)], 0xEE);
}

static void send2_v12_nil_uuid(void **state)
{
	uint8_t want[40 + sizeof(payload)];

	(void)state;
	fake_push(&fake, FFA_SUCCESS_32);
	assert_int_equal(ffac_msg_send2(&client, SP_ID, NULL, payload, sizeof(payload)),
			 FFA_RET_OK);
	memset(want, 0, sizeof(want));
	put_le32(want + 8, 40);
	put_le16(want + 12, SP_ID);
	put_le16(want + 14, OWN_ID);
	put_le32(want + 16, sizeof(payload));
	memcpy(want + 40, payload, sizeof(payload));
	assert_bytes(tx_seen, want, sizeof(want));
}

static void send2_v11_layout(void **state)
{
	const struct ffa_uuid nil = {{0}};
	uint8_t want[20 + sizeof(payload)];

	(void)state;
	use_version(FFA_VERSION_1_1);
	fake_push(&fake, FFA_SUCCESS_32);
	fake_push(&fake, FFA_SUCCESS_32);
	assert_int_equal(ffac_msg_send2(&client, PEER_ID, NULL, payload, sizeof(payload)),
			 FFA_RET_OK);
	fake_assert_call(&fake, 0, FFA_MSG_SEND2);
	/* 20-byte header, the payload right after it where v1.2 has the UUID. */
	memset(want, 0, sizeof(want));
	put_le32(want + 8, 20);
	put_le16(want + 12, PEER_ID);
	put_le16(want + 14, OWN_ID);
	put_le32(want + 16, sizeof(payload));
	memcpy(want + 20, payload, sizeof(payload));
	assert_bytes(tx_seen, want, sizeof(want));
	assert_int_equal(tx_seen[sizeof(want)], 0xEE);
	/* A Nil UUID given explicitly is fine at v1.1 too. */
	assert_int_equal(ffac_msg_send2(&client, PEER_ID, &nil, payload, sizeof(payload)),
			 FFA_RET_OK);
	assert_bytes(tx_seen, want, sizeof(want));
}

static void send2_sizes(void **state)
{
	static uint8_t big[MBOX];

	(void)state;
	memset(big, 0x5A, sizeof(big));
	/* v1.2, one page: 4096 - 40 fits, one more does not. */
	fake_push(&fake, FFA_SUCCESS_32);
	assert_int_equal(ffac_msg_send2(&client, PEER_ID, NULL, big, FFA_PAGE_SIZE - 40),
			 FFA_RET_OK);
	assert_int_equal(tx_seen[FFA_PAGE_SIZE - 1], 0x5A);
	assert_int_equal(ffac_msg_send2(&client, PEER_ID, NULL, big, FFA_PAGE_SIZE - 39),
			 FFA_RET_NO_MEMORY);
	assert_int_equal(ffac_msg_send2(&client, PEER_ID, NULL, big, UINT32_MAX),
			 FFA_RET_NO_MEMORY);
	/* Two pages make room. */
	client.rxtx_pages = 2;
	fake_push(&fake, FFA_SUCCESS_32);
	assert_int_equal(ffac_msg_send2(&client, PEER_ID, NULL, big, FFA_PAGE_SIZE), FFA_RET_OK);
	/* v1.1, one page: 4096 - 20 fits. */
	use_version(FFA_VERSION_1_1);
	fake_push(&fake, FFA_SUCCESS_32);
	assert_int_equal(ffac_msg_send2(&client, PEER_ID, NULL, big, FFA_PAGE_SIZE - 20),
			 FFA_RET_OK);
	assert_int_equal(ffac_msg_send2(&client, PEER_ID, NULL, big, FFA_PAGE_SIZE - 19),
			 FFA_RET_NO_MEMORY);
	assert_int_equal(fake.ncalls, 3);
}

static void send2_refused_without_a_call(void **state)
{
	(void)state;
	assert_int_equal(ffac_msg_send2(&client, PEER_ID, NULL, payload, 0),
			 FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(ffac_msg_send2(&client, PEER_ID, NULL, NULL, 4),
			 FFA_RET_INVALID_PARAMETERS);
	use_version(FFA_VERSION_1_1);
	assert_int_equal(ffac_msg_send2(&client, PEER_ID, &svc_uuid, payload, sizeof(payload)),
			 FFA_RET_INVALID_PARAMETERS);
	use_version(FFA_VERSION_1_0);
	assert_int_equal(ffac_msg_send2(&client, PEER_ID, NULL, payload, sizeof(payload)),
			 FFA_RET_NOT_SUPPORTED);
	use_version(FFA_VERSION_1_2);
	client.rxtx_mapped = false;
	assert_int_equal(ffac_msg_send2(&client, PEER_ID, NULL, payload, sizeof(payload)),
			 FFA_RET_DENIED);
	assert_int_equal(fake.ncalls, 0);
	/* The TX buffer was not written either. */
	assert_int_equal(tx[0], 0xEE);
}

static void send2_answers(void **state)
{
	(void)state;
	fake_push_error(&fake, FFA_RET_BUSY);
	fake_push_error(&fake, FFA_RET_DENIED);
	fake_push(&fake, 0xFFFFFFFFu);
	fake_push(&fake, FFA_MSG_SEND_DIRECT_RESP_32);
	fake_push(&fake, FFA_ERROR, 0, 5); /* a positive "error" code: malformed */
	assert_int_equal(ffac_msg_send2(&client, PEER_ID, NULL, payload, 1), FFA_RET_BUSY);
	assert_int_equal(ffac_msg_send2(&client, PEER_ID, NULL, payload, 1), FFA_RET_DENIED);
	assert_int_equal(ffac_msg_send2(&client, PEER_ID, NULL, payload, 1), FFA_RET_NOT_SUPPORTED);
	assert_int_equal(ffac_msg_send2(&client, PEER_ID, NULL, payload, 1), FFA_RET_ABORTED);
	assert_int_equal(ffac_msg_send2(&client, PEER_ID, NULL, payload, 1), FFA_RET_ABORTED);
	assert_int_equal(fake_count_fid(&fake, FFA_MSG_SEND2), 5);
}

/* ---- Reading a message ----------------------------------------------------------- */

/* A header in RX, as a producer would write it. */
static void put_rx_header(uint32_t offset, uint16_t receiver, uint16_t sender, uint32_t size,
			  const struct ffa_uuid *uuid)
{
	put_le32(rx + 0, 0);
	put_le32(rx + 4, 0);
	put_le32(rx + 8, offset);
	put_le16(rx + 12, receiver);
	put_le16(rx + 14, sender);
	put_le32(rx + 16, size);
	if (uuid) {
		put_le32(rx + 20, 0);
		memcpy(rx + 24, uuid->b, 16);
	}
}

static void read_v12_message(void **state)
{
	struct ffac_msg msg;
	uint8_t buf[64];

	(void)state;
	put_rx_header(40, OWN_ID, PEER_ID, sizeof(payload), &svc_uuid);
	memcpy(rx + 40, payload, sizeof(payload));
	fake_push(&fake, FFA_SUCCESS_32);
	memset(buf, 0xCC, sizeof(buf));
	assert_int_equal(ffac_msg_read(&client, &msg, buf, sizeof(buf)), FFA_RET_OK);
	assert_int_equal(msg.sender, PEER_ID);
	assert_int_equal(msg.receiver, OWN_ID);
	assert_int_equal(msg.size, sizeof(payload));
	assert_int_equal(msg.copied, sizeof(payload));
	assert_memory_equal(msg.uuid.b, svc_uuid.b, 16);
	assert_memory_equal(buf, payload, sizeof(payload));
	assert_int_equal(buf[sizeof(payload)], 0xCC);
	fake_assert_call(&fake, 0, FFA_RX_RELEASE);
	assert_int_equal(fake.ncalls, 1);
}

static void read_offset_20_has_no_uuid(void **state)
{
	struct ffac_msg msg;
	uint8_t buf[64];

	(void)state;
	/* A v1.2 receiver given a 20-byte header (payload at 20). */
	put_rx_header(20, OWN_ID, SP_ID, 24, NULL);
	memset(rx + 20, 0x77, 24);
	fake_push(&fake, FFA_SUCCESS_32);
	assert_int_equal(ffac_msg_read(&client, &msg, buf, sizeof(buf)), FFA_RET_OK);
	assert_true(ffa_uuid_is_nil(&msg.uuid));
	assert_int_equal(msg.sender, SP_ID);
	assert_int_equal(msg.copied, 24);
	for (int i = 0; i < 24; i++)
		assert_int_equal(buf[i], 0x77);
}

static void read_v11_receiver(void **state)
{
	struct ffac_msg msg;
	uint8_t buf[64];

	(void)state;
	use_version(FFA_VERSION_1_1);
	/* Bytes 20..39 are payload for a v1.1 receiver, never a UUID, even
	 * with a larger offset. */
	put_rx_header(40, OWN_ID, PEER_ID, 4, &svc_uuid);
	memcpy(rx + 40, "abcd", 4);
	fake_push(&fake, FFA_SUCCESS_32);
	assert_int_equal(ffac_msg_read(&client, &msg, buf, sizeof(buf)), FFA_RET_OK);
	assert_true(ffa_uuid_is_nil(&msg.uuid));
	assert_memory_equal(buf, "abcd", 4);
	put_rx_header(20, OWN_ID, PEER_ID, 20, NULL);
	memcpy(rx + 20, svc_uuid.b, 16);
	fake_push(&fake, FFA_SUCCESS_32);
	assert_int_equal(ffac_msg_read(&client, &msg, buf, sizeof(buf)), FFA_RET_OK);
	assert_true(ffa_uuid_is_nil(&msg.uuid));
	assert_memory_equal(buf, svc_uuid.b, 16);
	assert_int_equal(fake_count_fid(&fake, FFA_RX_RELEASE), 2);
}

static void read_truncates(void **state)
{
	struct ffac_msg msg;
	uint8_t buf[8];

	(void)state;
	put_rx_header(40, OWN_ID, PEER_ID, 100, &svc_uuid);
	for (int i = 0; i < 100; i++)
		rx[40 + i] = (uint8_t)i;
	fake_push(&fake, FFA_SUCCESS_32);
	memset(buf, 0xCC, sizeof(buf));
	assert_int_equal(ffac_msg_read(&client, &msg, buf, 5), FFA_RET_NO_MEMORY);
	assert_int_equal(msg.size, 100);
	assert_int_equal(msg.copied, 5);
	for (int i = 0; i < 5; i++)
		assert_int_equal(buf[i], i);
	assert_int_equal(buf[5], 0xCC);
	/* Consumed all the same. */
	assert_int_equal(fake_count_fid(&fake, FFA_RX_RELEASE), 1);
	/* No buffer at all: only the header. */
	fake_push(&fake, FFA_SUCCESS_32);
	assert_int_equal(ffac_msg_read(&client, &msg, NULL, 0), FFA_RET_NO_MEMORY);
	assert_int_equal(msg.copied, 0);
	assert_int_equal(msg.size, 100);
	assert_int_equal(fake_count_fid(&fake, FFA_RX_RELEASE), 2);
}

static void read_payload_at_the_very_end(void **state)
{
	struct ffac_msg msg;
	static uint8_t buf[MBOX];

	(void)state;
	put_rx_header(FFA_PAGE_SIZE - 16, OWN_ID, PEER_ID, 16, &svc_uuid);
	memset(rx + FFA_PAGE_SIZE - 16, 0x42, 16);
	fake_push(&fake, FFA_SUCCESS_32);
	assert_int_equal(ffac_msg_read(&client, &msg, buf, sizeof(buf)), FFA_RET_OK);
	assert_int_equal(msg.copied, 16);
	assert_int_equal(buf[15], 0x42);
	/* offset == size of the buffer with an empty payload is in range. */
	put_rx_header(FFA_PAGE_SIZE, OWN_ID, PEER_ID, 0, &svc_uuid);
	fake_push(&fake, FFA_SUCCESS_32);
	assert_int_equal(ffac_msg_read(&client, &msg, buf, sizeof(buf)), FFA_RET_OK);
	assert_int_equal(msg.copied, 0);
	/* A two-page mailbox reaches into the second page. */
	client.rxtx_pages = 2;
	put_rx_header(FFA_PAGE_SIZE + 8, OWN_ID, PEER_ID, FFA_PAGE_SIZE - 8, &svc_uuid);
	fake_push(&fake, FFA_SUCCESS_32);
	assert_int_equal(ffac_msg_read(&client, &msg, buf, sizeof(buf)), FFA_RET_OK);
	assert_int_equal(msg.copied, FFA_PAGE_SIZE - 8);
}

struct bad_header {
	uint32_t offset;
	uint16_t receiver;
	uint32_t size;
};

static void read_hostile_headers(void **state)
{
	static const struct bad_header bad[] = {
		{0, OWN_ID, 4},			  /* offset inside the header */
		{19, OWN_ID, 4},		  /* one short of a v1.1 header */
		{FFA_PAGE_SIZE + 1, OWN_ID, 0},	  /* past the buffer */
		{FFA_PAGE_SIZE - 96, OWN_ID, 97}, /* one byte past the end */
		{40, OWN_ID, FFA_PAGE_SIZE},	  /* too long */
		{0xFFFFFFF0u, OWN_ID, 0x20},	  /* offset + size wraps */
		{40, OWN_ID, 0xFFFFFFFFu},	  /* size wraps */
		{UINT32_MAX, OWN_ID, UINT32_MAX}, /* both */
		{40, PEER_ID, 4},		  /* not for us */
	};
	uint8_t buf[64];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct ffac_msg msg;

		put_rx_header(bad[i].offset, bad[i].receiver, PEER_ID, bad[i].size, &svc_uuid);
		fake_push(&fake, FFA_SUCCESS_32);
		memset(buf, 0xCC, sizeof(buf));
		assert_int_equal(ffac_msg_read(&client, &msg, buf, sizeof(buf)), FFA_RET_ABORTED);
		assert_int_equal(msg.copied, 0);
		assert_int_equal(buf[0], 0xCC);
		/* Released anyway: a garbage message must not wedge the mailbox. */
		assert_int_equal(fake_count_fid(&fake, FFA_RX_RELEASE), i + 1);
	}
}

static void read_release_fails(void **state)
{
	struct ffac_msg msg;
	uint8_t buf[64];

	(void)state;
	put_rx_header(40, OWN_ID, PEER_ID, sizeof(payload), &svc_uuid);
	memcpy(rx + 40, payload, sizeof(payload));
	fake_push_error(&fake, FFA_RET_DENIED);
	assert_int_equal(ffac_msg_read(&client, &msg, buf, sizeof(buf)), FFA_RET_DENIED);
	/* The message was read all the same. */
	assert_int_equal(msg.copied, sizeof(payload));
	assert_memory_equal(buf, payload, sizeof(payload));
	/* A bad header's error comes first. */
	put_rx_header(8, OWN_ID, PEER_ID, 4, NULL);
	fake_push_error(&fake, FFA_RET_DENIED);
	assert_int_equal(ffac_msg_read(&client, &msg, buf, sizeof(buf)), FFA_RET_ABORTED);
	/* Truncation's too. */
	put_rx_header(40, OWN_ID, PEER_ID, sizeof(payload), NULL);
	fake_push_error(&fake, FFA_RET_DENIED);
	assert_int_equal(ffac_msg_read(&client, &msg, buf, 2), FFA_RET_NO_MEMORY);
}

static void read_refused_without_a_call(void **state)
{
	struct ffac_msg msg;
	uint8_t buf[4];

	(void)state;
	put_rx_header(40, OWN_ID, PEER_ID, 4, &svc_uuid);
	assert_int_equal(ffac_msg_read(&client, NULL, buf, sizeof(buf)),
			 FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(ffac_msg_read(&client, &msg, NULL, 4), FFA_RET_INVALID_PARAMETERS);
	client.rxtx_mapped = false;
	assert_int_equal(ffac_msg_read(&client, &msg, buf, sizeof(buf)), FFA_RET_DENIED);
	use_version(FFA_VERSION_1_0);
	assert_int_equal(ffac_msg_read(&client, &msg, buf, sizeof(buf)), FFA_RET_NOT_SUPPORTED);
	assert_int_equal(fake.ncalls, 0);
}

/* ---- RX buffer full ---------------------------------------------------------------- */

struct delivered {
	unsigned calls;
	struct ffac_msg msg;
	uint8_t data[64];
};

static void on_message(void *ctx, const struct ffac_msg *msg, const void *data)
{
	struct delivered *d = ctx;

	d->calls++;
	d->msg = *msg;
	memcpy(d->data, data, msg->copied < sizeof(d->data) ? msg->copied : sizeof(d->data));
}

static void rx_full_from_a_vm_or_an_sp(void **state)
{
	struct ffac_notif_bits bits = {0};
	struct delivered d = {0};
	uint8_t buf[64];

	(void)state;
	/* Nothing pending, or only other notifications: no call. */
	assert_int_equal(ffac_msg_handle_rx_full(&client, &bits, buf, sizeof(buf), on_message, &d),
			 FFA_RET_OK);
	bits.vm = 1;
	bits.sp = 1;
	bits.hyp_fwk = 2; /* reserved framework bits mean nothing */
	bits.spm_fwk = 2;
	assert_int_equal(ffac_msg_handle_rx_full(&client, &bits, buf, sizeof(buf), on_message, &d),
			 FFA_RET_OK);
	assert_int_equal(fake.ncalls, 0);
	assert_int_equal(d.calls, 0);

	/* From a VM: the hypervisor's framework bit. */
	bits.hyp_fwk = FFA_FWK_NOTIF_RX_FULL;
	put_rx_header(40, OWN_ID, PEER_ID, sizeof(payload), &svc_uuid);
	memcpy(rx + 40, payload, sizeof(payload));
	fake_push(&fake, FFA_SUCCESS_32);
	assert_int_equal(ffac_msg_handle_rx_full(&client, &bits, buf, sizeof(buf), on_message, &d),
			 FFA_RET_OK);
	assert_int_equal(d.calls, 1);
	assert_int_equal(d.msg.sender, PEER_ID);
	assert_memory_equal(d.data, payload, sizeof(payload));

	/* From an SP: the SPM's; both at once still mean one message. */
	bits.hyp_fwk = FFA_FWK_NOTIF_RX_FULL;
	bits.spm_fwk = FFA_FWK_NOTIF_RX_FULL;
	put_rx_header(40, OWN_ID, SP_ID, 3, NULL);
	memcpy(rx + 40, "sp!", 3);
	fake_push(&fake, FFA_SUCCESS_32);
	assert_int_equal(ffac_msg_handle_rx_full(&client, &bits, buf, sizeof(buf), on_message, &d),
			 FFA_RET_OK);
	assert_int_equal(d.calls, 2);
	assert_int_equal(d.msg.sender, SP_ID);
	assert_memory_equal(d.data, "sp!", 3);
	assert_int_equal(fake_count_fid(&fake, FFA_RX_RELEASE), 2);
	assert_int_equal(fake.ncalls, 2);
}

static void rx_full_bad_or_truncated(void **state)
{
	struct ffac_notif_bits bits = {.spm_fwk = FFA_FWK_NOTIF_RX_FULL};
	struct delivered d = {0};
	uint8_t buf[4];

	(void)state;
	/* A bad header: released, not handed on. */
	put_rx_header(4, OWN_ID, SP_ID, 3, NULL);
	fake_push(&fake, FFA_SUCCESS_32);
	assert_int_equal(ffac_msg_handle_rx_full(&client, &bits, buf, sizeof(buf), on_message, &d),
			 FFA_RET_ABORTED);
	assert_int_equal(d.calls, 0);
	/* Truncated: handed on, and said. */
	put_rx_header(40, OWN_ID, SP_ID, 10, NULL);
	memcpy(rx + 40, "0123456789", 10);
	fake_push(&fake, FFA_SUCCESS_32);
	assert_int_equal(ffac_msg_handle_rx_full(&client, &bits, buf, sizeof(buf), on_message, &d),
			 FFA_RET_NO_MEMORY);
	assert_int_equal(d.calls, 1);
	assert_int_equal(d.msg.size, 10);
	assert_int_equal(d.msg.copied, 4);
	assert_memory_equal(d.data, "0123", 4);
	assert_int_equal(fake_count_fid(&fake, FFA_RX_RELEASE), 2);
	/* Bad arguments. */
	assert_int_equal(ffac_msg_handle_rx_full(&client, NULL, buf, sizeof(buf), on_message, &d),
			 FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(ffac_msg_handle_rx_full(&client, &bits, buf, sizeof(buf), NULL, &d),
			 FFA_RET_INVALID_PARAMETERS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(send2_v12_layout, setup),
		cmocka_unit_test_setup(send2_v12_nil_uuid, setup),
		cmocka_unit_test_setup(send2_v11_layout, setup),
		cmocka_unit_test_setup(send2_sizes, setup),
		cmocka_unit_test_setup(send2_refused_without_a_call, setup),
		cmocka_unit_test_setup(send2_answers, setup),
		cmocka_unit_test_setup(read_v12_message, setup),
		cmocka_unit_test_setup(read_offset_20_has_no_uuid, setup),
		cmocka_unit_test_setup(read_v11_receiver, setup),
		cmocka_unit_test_setup(read_truncates, setup),
		cmocka_unit_test_setup(read_payload_at_the_very_end, setup),
		cmocka_unit_test_setup(read_hostile_headers, setup),
		cmocka_unit_test_setup(read_release_fails, setup),
		cmocka_unit_test_setup(read_refused_without_a_call, setup),
		cmocka_unit_test_setup(rx_full_from_a_vm_or_an_sp, setup),
		cmocka_unit_test_setup(rx_full_bad_or_truncated, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
