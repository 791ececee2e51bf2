/* SPDX-License-Identifier: MIT */
/* Indirect messaging at the software SPMC: FFA_MSG_SEND2 from the
 * hypervisor (VM -> SP), ffamed_sp_msg_send2 (SP -> VM) with the SPM
 * framework RX-full notification and the SRI, and the ECHO SP's echo and
 * SEND2 command. */
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>

#include "spmc_fixture.h"

#define REC_SP	0x8010u /* records what it gets */
#define DROP_SP 0x8011u /* bit 2 but no handler */
#define VM1	1u
#define VM2	2u /* mailbox, no notification bitmap */
#define VM3	3u /* two-page mailbox */
#define VM1_RX	10u
#define VM1_TX	11u
#define VM2_RX	12u
#define VM2_TX	13u
#define VM3_RX	14u /* 14, 15 */
#define VM3_TX	16u /* 16, 17 */
#define BUSY_W	0xFFFFFFFCu
#define INVAL_W 0xFFFFFFFEu
#define REC_UUID1                                                                                  \
	{                                                                                          \
		{                                                                                  \
			0x5e, 0xc0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1                       \
		}                                                                                  \
	}
#define REC_UUID2                                                                                  \
	{                                                                                          \
		{                                                                                  \
			0x5e, 0xc0, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2                       \
		}                                                                                  \
	}

enum rec_mode {
	REC_PLAIN,
	REC_NESTED_SEND,  /* another VM's SEND2 to this SP from inside the handler */
	REC_REPLY_DELAYED /* answer the sender with the SRI delayed */
};

/* What the recording SP saw (tests are single-threaded here). */
static struct {
	enum rec_mode mode;
	struct fx *f;
	uint32_t count;
	struct ffamed_sp_indirect_msg last;
	uint8_t payload[FFAMED_SP_MAILBOX_SIZE];
	bool mailbox_full_inside;
	int32_t nested_result;
	int32_t reply_result;
	unsigned long sri_inside;
} rec;

static void rec_indirect_msg(struct ffamed_sp *sp, const struct ffamed_sp_indirect_msg *msg)
{
	struct fx *f = rec.f;

	rec.count++;
	rec.last = *msg;
	memcpy(rec.payload, msg->payload, msg->size);
	rec.last.payload = NULL;
	rec.mailbox_full_inside = ffamed_spmc_sp_mailbox_full(f->spmc, ffamed_sp_id(sp));
	if (rec.mode == REC_NESTED_SEND) {
		struct ffamed_regs r =
			fx_call(f, 1, FFA_MSG_SEND2, (uint64_t)VM2 << 16, 0, 0, 0, 0, 0, 0);

		rec.nested_result = ffa_result(&r);
	} else if (rec.mode == REC_REPLY_DELAYED) {
		rec.reply_result = ffamed_sp_msg_send2(sp, msg->cpu, msg->sender, NULL, "pong", 4,
						       FFA_MSG_SEND2_FLAG_DELAY_SRI);
		rec.sri_inside = atomic_load(&f->sri_count);
	}
}

/* x3 = 1: send to VM x4 with the SRI delayed, 2: at once; x4 of the answer
 * = the send status, x5 = SRIs raised when the handler was about to return. */
static enum ffamed_sp_action rec_direct_req(struct ffamed_sp *sp, const struct ffamed_sp_msg *msg,
					    struct ffamed_regs *resp)
{
	uint32_t flags = msg->regs.x[3] == 1 ? FFA_MSG_SEND2_FLAG_DELAY_SRI : 0;

	resp->x[4] = (uint32_t)ffamed_sp_msg_send2(sp, msg->cpu, (uint16_t)msg->regs.x[4], NULL,
						   "direct", 6, flags);
	resp->x[5] = atomic_load(&rec.f->sri_count);
	return FFAMED_SP_RESPOND;
}

static const struct ffamed_sp_ops rec_ops = {
	.direct_req = rec_direct_req,
	.indirect_msg = rec_indirect_msg,
};
static const struct ffamed_sp_ops drop_ops = {.direct_req = rec_direct_req};

static void add_sp(struct fx *f, uint16_t id, const struct ffamed_sp_ops *ops)
{
	struct ffamed_sp_config *c = &f->sps[f->sp_count++];
	struct ffa_uuid u1 = REC_UUID1;
	struct ffa_uuid u2 = REC_UUID2;

	memset(c, 0, sizeof(*c));
	c->name = "rec";
	c->id = id;
	c->exec_ctx_count = 1;
	c->properties =
		FFA_PART_PROP_DIRECT_REQ_RECV | FFA_PART_PROP_INDIRECT_MSG | FFA_PART_PROP_AARCH64;
	c->uuid_count = 2;
	c->uuids[0] = u1;
	c->uuids[1] = u2;
	c->version = FFA_VERSION_1_2;
	c->ops = ops;
}

static struct fx *make(uint32_t version)
{
	struct fx *f = fx_new();

	add_sp(f, REC_SP, &rec_ops);
	add_sp(f, DROP_SP, &drop_ops);
	assert_int_equal(fx_create(f, NULL), 0);
	memset(&rec, 0, sizeof(rec));
	rec.f = f;
	assert_int_equal(fx_version(f, version), FFA_VERSION_1_2);
	return f;
}

static int setup(void **state)
{
	struct fx *f = make(FFA_VERSION_1_2);
	struct ffamed_regs r;

	fx_map_hyp(f, FX_HYP_TX_PAGE, FX_HYP_RX_PAGE, 1);
	assert_int_equal(fx_map_vm_simple(f, VM1, VM1_RX, VM1_TX, 1), 0);
	assert_int_equal(fx_map_vm_simple(f, VM2, VM2_RX, VM2_TX, 1), 0);
	assert_int_equal(fx_map_vm_simple(f, VM3, VM3_RX, VM3_TX, 2), 0);
	r = fx_call(f, 0, FFA_NOTIFICATION_BITMAP_CREATE, VM1, 2, 0, 0, 0, 0, 0);
	fx_assert_success(&r);
	*state = f;
	return 0;
}

static uint8_t *page(struct fx *f, uint32_t p)
{
	return fx_va(f, fx_pa(p));
}

/* Writes a message into TX page `tx`: a header of hdr_size bytes (20 or
 * 40) and `size` payload bytes (i * 7 + 1) at `offset`. */
static void put_msg(struct fx *f, uint32_t tx, const struct ffa_msg_hdr *hdr, uint32_t hdr_size)
{
	uint8_t *buf = page(f, tx);

	memcpy(buf, hdr, hdr_size);
	for (uint32_t i = 0; i < hdr->size && (uint64_t)hdr->offset + i < 2 * FX_PAGE; i++)
		buf[hdr->offset + i] = (uint8_t)(i * 7 + 1);
}

static struct ffa_msg_hdr hdr_for(uint16_t vm, uint16_t sp, uint32_t offset, uint32_t size)
{
	struct ffa_msg_hdr h = {.offset = offset, .receiver = sp, .sender = vm, .size = size};

	return h;
}

static int32_t send2(struct fx *f, uint32_t cpu, uint16_t vm)
{
	struct ffamed_regs r = fx_call(f, cpu, FFA_MSG_SEND2, (uint64_t)vm << 16, 0, 0, 0, 0, 0, 0);

	if (ffa_is_success(&r)) {
		for (int i = 1; i < FFA_NREGS; i++)
			assert_int_equal(r.x[i], 0);
	} else {
		fx_assert_error(&r, ffa_error_code(&r));
	}
	return ffa_result(&r);
}

static int32_t rx_call(struct fx *f, uint32_t fid, uint16_t vm)
{
	struct ffamed_regs r = fx_call(f, 0, fid, vm, 0, 0, 0, 0, 0, 0);

	return ffa_result(&r);
}

static void assert_payload(const uint8_t *p, uint32_t size)
{
	for (uint32_t i = 0; i < size; i++)
		assert_int_equal(p[i], (uint8_t)(i * 7 + 1));
}

/* ---- VM -> SP -------------------------------------------------------------- */

static void test_vm_to_sp_v12(void **state)
{
	struct fx *f = *state;
	struct ffa_msg_hdr h = hdr_for(VM1, REC_SP, 40, 100);
	struct ffa_uuid u2 = REC_UUID2;

	h.uuid = u2;
	put_msg(f, VM1_TX, &h, 40);
	assert_int_equal(send2(f, 3, VM1), 0);
	assert_int_equal(rec.count, 1);
	assert_int_equal(rec.last.sender, VM1);
	assert_int_equal(rec.last.receiver, REC_SP);
	assert_true(ffa_uuid_equal(&rec.last.uuid, &u2));
	assert_int_equal(rec.last.size, 100);
	assert_int_equal(rec.last.cpu, 3);
	assert_payload(rec.payload, 100);
	assert_true(rec.mailbox_full_inside);
	assert_false(ffamed_spmc_sp_mailbox_full(f->spmc, REC_SP));
	assert_int_equal(ffamed_spmc_sp_msgs_received(f->spmc, REC_SP), 1);
	assert_int_equal(ffamed_spmc_sp_msgs_dropped(f->spmc, REC_SP), 0);
	assert_int_equal(ffamed_spmc_call_count(f->spmc, FFA_MSG_SEND2), 1);
	/* A message to an SP is not a notification for the normal world. */
	assert_int_equal(atomic_load(&f->sri_count), 0);

	/* The payload may end exactly at the end of the TX and the SP's mailbox. */
	h = hdr_for(VM1, REC_SP, 64, FX_PAGE - 64);
	put_msg(f, VM1_TX, &h, 40);
	assert_int_equal(send2(f, 0, VM1), 0);
	assert_int_equal(rec.last.size, FX_PAGE - 64);
	assert_true(ffa_uuid_is_nil(&rec.last.uuid));
	assert_payload(rec.payload, FX_PAGE - 64);

	/* SMC32: the upper halves are not part of the call. */
	h = hdr_for(VM1, REC_SP, 40, 1);
	put_msg(f, VM1_TX, &h, 40);
	fx_assert_success((struct ffamed_regs[]){
		fx_call(f, 0, FFA_MSG_SEND2, (1ull << 40) | ((uint64_t)VM1 << 16), 1ull << 32,
			1ull << 33, 0, 0, 0, 1ull << 63)});
	assert_int_equal(rec.count, 3);
}

static void test_vm_to_sp_v11_header(void **state)
{
	struct fx *f = *state;
	struct ffa_msg_hdr h = hdr_for(VM1, REC_SP, 20, 30);

	/* Bytes 20..39 are payload here, not reserved1 and a UUID. */
	put_msg(f, VM1_TX, &h, 20);
	assert_int_not_equal(page(f, VM1_TX)[24], 0);
	assert_int_equal(send2(f, 0, VM1), 0);
	assert_int_equal(rec.count, 1);
	assert_true(ffa_uuid_is_nil(&rec.last.uuid));
	assert_int_equal(rec.last.size, 30);
	assert_payload(rec.payload, 30);

	/* Offset 39: still a v1.1 header. */
	h = hdr_for(VM1, REC_SP, 39, 5);
	put_msg(f, VM1_TX, &h, 20);
	assert_int_equal(send2(f, 0, VM1), 0);
	assert_true(ffa_uuid_is_nil(&rec.last.uuid));
	assert_payload(rec.payload, 5);
}

static void test_multipage_mailbox(void **state)
{
	struct fx *f = *state;
	struct ffa_msg_hdr h = hdr_for(VM3, REC_SP, 40, FX_PAGE - 40);
	struct ffamed_sp *sp = ffamed_spmc_find_sp(f->spmc, REC_SP);
	static uint8_t big[2 * FX_PAGE];

	/* VM3's two-page TX: the message must still fit the SP's mailbox. */
	put_msg(f, VM3_TX, &h, 40);
	assert_int_equal(send2(f, 0, VM3), 0);
	assert_int_equal(rec.last.sender, VM3);
	assert_payload(rec.payload, FX_PAGE - 40);
	/* SP -> VM3: the payload straddles the RX's two pages. */
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 7 + 1);
	assert_int_equal(ffamed_sp_msg_send2(sp, 0, VM3, NULL, big, FX_PAGE + 8, 0), 0);
	assert_payload(page(f, VM3_RX) + 40, FX_PAGE - 40);
	for (uint32_t i = FX_PAGE - 40; i < FX_PAGE + 8; i++)
		assert_int_equal(page(f, VM3_RX + 1)[i - (FX_PAGE - 40)], (uint8_t)(i * 7 + 1));
	assert_int_equal(rx_call(f, FFA_RX_RELEASE, VM3), 0);
	/* The largest: 2 pages less the header. */
	assert_int_equal(ffamed_sp_msg_send2(sp, 0, VM3, NULL, big, 2 * FX_PAGE - 39, 0),
			 FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(ffamed_sp_msg_send2(sp, 0, VM3, NULL, big, 2 * FX_PAGE - 40, 0), 0);
}

static void test_vm_to_sp_dropped(void **state)
{
	struct fx *f = *state;
	struct ffa_msg_hdr h = hdr_for(VM1, DROP_SP, 40, 8);

	put_msg(f, VM1_TX, &h, 40);
	assert_int_equal(send2(f, 0, VM1), 0);
	assert_int_equal(ffamed_spmc_sp_msgs_received(f->spmc, DROP_SP), 1);
	assert_int_equal(ffamed_spmc_sp_msgs_dropped(f->spmc, DROP_SP), 1);
	assert_false(ffamed_spmc_sp_mailbox_full(f->spmc, DROP_SP));
	assert_int_equal(send2(f, 0, VM1), 0);
	assert_int_equal(ffamed_spmc_sp_msgs_dropped(f->spmc, DROP_SP), 2);
	assert_int_equal(rec.count, 0);
}

static int32_t send2_regs(struct fx *f, uint64_t x1, uint64_t x2, uint64_t x3, uint64_t x7)
{
	struct ffamed_regs r = fx_call(f, 0, FFA_MSG_SEND2, x1, x2, x3, 0, 0, 0, x7);

	fx_assert_error(&r, ffa_error_code(&r));
	return ffa_error_code(&r);
}

static void test_vm_to_sp_bad_registers(void **state)
{
	struct fx *f = *state;
	struct ffa_msg_hdr h = hdr_for(VM1, REC_SP, 40, 8);
	uint64_t w1 = (uint64_t)VM1 << 16;

	put_msg(f, VM1_TX, &h, 40);
	assert_int_equal(send2_regs(f, w1 | 1, 0, 0, 0), FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(send2_regs(f, 0, 0, 0, 0), FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(send2_regs(f, 0x80010000u, 0, 0, 0), FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(send2_regs(f, w1, FFA_MSG_SEND2_FLAG_DELAY_SRI, 0, 0),
			 FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(send2_regs(f, w1, 1, 0, 0), FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(send2_regs(f, w1, 0, 1, 0), FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(send2_regs(f, w1, 0, 0, 1), FFA_RET_INVALID_PARAMETERS);
	for (int i = 4; i <= 6; i++) {
		struct ffamed_regs r = {.x = {FFA_MSG_SEND2, w1}};

		r.x[i] = 1;
		ffamed_spmc_call(f->spmc, 0, &r);
		fx_assert_error(&r, FFA_RET_INVALID_PARAMETERS);
	}
	/* A VM whose mailbox was not forwarded. */
	assert_int_equal(send2_regs(f, (uint64_t)7 << 16, 0, 0, 0), FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(rec.count, 0);
	assert_int_equal(send2(f, 0, VM1), 0);
}

/* Writes h (40 bytes) to VM1's TX and sends it; returns the result. */
static int32_t send_hdr(struct fx *f, const struct ffa_msg_hdr *h)
{
	put_msg(f, VM1_TX, h, 40);
	return send2(f, 0, VM1);
}

static void test_vm_to_sp_bad_header(void **state)
{
	struct fx *f = *state;
	struct ffa_msg_hdr h;
	struct ffa_uuid echo_uuid = FFAMED_SP_ECHO_UUID;

	h = hdr_for(VM1, REC_SP, 40, 8);
	h.flags = 1;
	assert_int_equal(send_hdr(f, &h), FFA_RET_INVALID_PARAMETERS);
	h = hdr_for(VM1, REC_SP, 40, 8);
	h.reserved0 = 0x100;
	assert_int_equal(send_hdr(f, &h), FFA_RET_INVALID_PARAMETERS);
	h = hdr_for(VM2, REC_SP, 40, 8); /* another VM's ID */
	assert_int_equal(send_hdr(f, &h), FFA_RET_INVALID_PARAMETERS);
	h = hdr_for(VM1, 0x8099, 40, 8); /* no such SP */
	assert_int_equal(send_hdr(f, &h), FFA_RET_INVALID_PARAMETERS);
	h = hdr_for(VM1, VM2, 40, 8); /* a VM: the hypervisor's business */
	assert_int_equal(send_hdr(f, &h), FFA_RET_INVALID_PARAMETERS);
	h = hdr_for(VM1, REC_SP, 40, 0);
	assert_int_equal(send_hdr(f, &h), FFA_RET_INVALID_PARAMETERS);
	h = hdr_for(VM1, REC_SP, 19, 8);
	assert_int_equal(send_hdr(f, &h), FFA_RET_INVALID_PARAMETERS);
	h = hdr_for(VM1, REC_SP, 40, FX_PAGE - 39); /* one byte past the TX */
	assert_int_equal(send_hdr(f, &h), FFA_RET_INVALID_PARAMETERS);
	h = hdr_for(VM1, REC_SP, 0xFFFFFFF0u, 0x20); /* offset + size wraps */
	assert_int_equal(send_hdr(f, &h), FFA_RET_INVALID_PARAMETERS);
	h = hdr_for(VM1, REC_SP, 40, 0xFFFFFFFFu);
	assert_int_equal(send_hdr(f, &h), FFA_RET_INVALID_PARAMETERS);
	h = hdr_for(VM1, REC_SP, 40, 8);
	h.reserved1 = 1;
	assert_int_equal(send_hdr(f, &h), FFA_RET_INVALID_PARAMETERS);
	h = hdr_for(VM1, REC_SP, 40, 8);
	h.uuid = echo_uuid; /* not one of the receiver's */
	assert_int_equal(send_hdr(f, &h), FFA_RET_INVALID_PARAMETERS);
	/* Within VM3's two-page TX but beyond the SP's 4K mailbox. */
	h = hdr_for(VM3, REC_SP, 40, FX_PAGE - 39);
	memcpy(page(f, VM3_TX), &h, 40);
	assert_int_equal(send2(f, 0, VM3), FFA_RET_INVALID_PARAMETERS);
	/* An SP that does not take indirect messages. */
	h = hdr_for(VM1, FX_VMWATCH, 40, 8);
	assert_int_equal(send_hdr(f, &h), FFA_RET_DENIED);
	h = hdr_for(VM1, FX_REQ2_ONLY, 40, 8);
	assert_int_equal(send_hdr(f, &h), FFA_RET_DENIED);

	assert_int_equal(rec.count, 0);
	assert_int_equal(ffamed_spmc_sp_msgs_received(f->spmc, REC_SP), 0);
	assert_false(ffamed_spmc_sp_mailbox_full(f->spmc, REC_SP));
	h = hdr_for(VM1, REC_SP, 40, 8);
	assert_int_equal(send_hdr(f, &h), 0);
}

static void test_vm_to_sp_busy(void **state)
{
	struct fx *f = *state;
	struct ffa_msg_hdr h = hdr_for(VM1, REC_SP, 40, 8);
	struct ffa_msg_hdr h2 = hdr_for(VM2, REC_SP, 40, 16);

	put_msg(f, VM1_TX, &h, 40);
	put_msg(f, VM2_TX, &h2, 40);
	rec.mode = REC_NESTED_SEND;
	assert_int_equal(send2(f, 0, VM1), 0);
	/* VM2's message came while the SP was on VM1's. */
	assert_int_equal(rec.nested_result, FFA_RET_BUSY);
	assert_int_equal(rec.count, 1);
	assert_int_equal(rec.last.sender, VM1);
	assert_int_equal(ffamed_spmc_sp_msgs_received(f->spmc, REC_SP), 1);
	rec.mode = REC_PLAIN;
	assert_int_equal(send2(f, 0, VM2), 0);
	assert_int_equal(rec.last.sender, VM2);
	assert_int_equal(rec.last.size, 16);
}

static void test_send2_version_gating(void **state)
{
	struct fx *f;
	struct ffamed_regs r;

	(void)state;
	f = make(FFA_VERSION_1_0);
	r = fx_call(f, 0, FFA_MSG_SEND2, (uint64_t)VM1 << 16, 0, 0, 0, 0, 0, 0);
	fx_assert_error(&r, FFA_RET_NOT_SUPPORTED);
	r = FX_CALL1(f, FFA_FEATURES, FFA_MSG_SEND2);
	fx_assert_error(&r, FFA_RET_NOT_SUPPORTED);
	fx_free(f);

	f = fx_new();
	assert_int_equal(fx_create(f, NULL), 0);
	assert_int_equal(fx_version(f, FFA_VERSION_1_1), FFA_VERSION_1_2);
	r = FX_CALL1(f, FFA_FEATURES, FFA_MSG_SEND2);
	fx_assert_success(&r);
	assert_int_equal(r.x[2], 0);
	assert_int_equal(r.x[3], 0);
	/* v1.1: the ABI exists (no mailbox here: INVALID_PARAMETERS). */
	r = fx_call(f, 0, FFA_MSG_SEND2, (uint64_t)VM1 << 16, 0, 0, 0, 0, 0, 0);
	fx_assert_error(&r, FFA_RET_INVALID_PARAMETERS);
	fx_free(f);
}

static void test_indirect_sp_needs_v1_1(void **state)
{
	struct fx *f = fx_new();

	(void)state;
	add_sp(f, REC_SP, &rec_ops);
	f->sps[f->sp_count - 1].version = FFA_VERSION_1_0;
	assert_int_equal(fx_create(f, NULL), FFA_RET_INVALID_PARAMETERS);
	assert_null(f->spmc);
	f->sps[f->sp_count - 1].version = FFA_VERSION_1_1;
	assert_int_equal(fx_create(f, NULL), 0);
	fx_free(f);
}

/* ---- SP -> VM -------------------------------------------------------------- */

static struct ffamed_sp *sp_of(struct fx *f, uint16_t id)
{
	struct ffamed_sp *sp = ffamed_spmc_find_sp(f->spmc, id);

	assert_non_null(sp);
	return sp;
}

static void test_sp_to_vm(void **state)
{
	struct fx *f = *state;
	struct ffamed_sp *sp = sp_of(f, REC_SP);
	struct ffa_uuid u1 = REC_UUID1;
	uint8_t payload[300];
	struct ffa_msg_hdr h;
	struct ffamed_regs r;
	const uint8_t *rx = page(f, VM1_RX);

	for (size_t i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)(i * 7 + 1);
	memset(page(f, VM1_RX), 0xAA, FX_PAGE);
	assert_int_equal(ffamed_spmc_vm_rx_owner(f->spmc, VM1), FFAMED_SPMC_RX_OWNER_SPMC);
	assert_int_equal(ffamed_sp_msg_send2(sp, 2, VM1, &u1, payload, sizeof(payload), 0), 0);

	memcpy(&h, rx, sizeof(h));
	assert_int_equal(h.flags, 0);
	assert_int_equal(h.reserved0, 0);
	assert_int_equal(h.offset, 40);
	assert_int_equal(h.sender, REC_SP);
	assert_int_equal(h.receiver, VM1);
	assert_int_equal(h.size, sizeof(payload));
	assert_int_equal(h.reserved1, 0);
	assert_true(ffa_uuid_equal(&h.uuid, &u1));
	assert_memory_equal(rx + 40, payload, sizeof(payload));
	assert_int_equal(ffamed_spmc_vm_rx_owner(f->spmc, VM1), FFAMED_SPMC_RX_OWNER_NWD);
	assert_int_equal(ffamed_spmc_notif_fwk_pending(f->spmc, VM1), FFA_FWK_NOTIF_RX_FULL);
	assert_int_equal(ffamed_spmc_sp_msgs_sent(f->spmc, REC_SP), 1);
	assert_int_equal(atomic_load(&f->sri_count), 1);
	assert_int_equal(atomic_load(&f->sri_per_cpu[2]), 1);

	/* The buffer is the normal world's now. */
	assert_int_equal(rx_call(f, FFA_RX_ACQUIRE, VM1), FFA_RET_DENIED);
	assert_int_equal(ffamed_sp_msg_send2(sp, 2, VM1, NULL, payload, 8, 0), FFA_RET_BUSY);

	/* INFO_GET lists VM1 once (a global list). */
	r = FX_CALL0(f, FFA_NOTIFICATION_INFO_GET_32);
	fx_assert_success(&r);
	assert_int_equal(r.x[2], 1u << FFA_NOTIF_INFO_LIST_COUNT_SHIFT);
	assert_int_equal(r.x[3], VM1);
	fx_assert_error((struct ffamed_regs[]){FX_CALL0(f, FFA_NOTIFICATION_INFO_GET_32)},
			FFA_RET_NO_DATA);

	/* GET: the SP class alone leaves it; the SPM framework flag takes it. */
	r = fx_call(f, 0, FFA_NOTIFICATION_GET, VM1, FFA_NOTIF_GET_SP, 0, 0, 0, 0, 0);
	fx_assert_success(&r);
	assert_int_equal(r.x[6], 0);
	assert_int_equal(ffamed_spmc_notif_fwk_pending(f->spmc, VM1), FFA_FWK_NOTIF_RX_FULL);
	r = fx_call(f, 0, FFA_NOTIFICATION_GET, FFA_SENDER_RECEIVER(1, VM1), FFA_NOTIF_GET_SPM_FWK,
		    0, 0, 0, 0, 0);
	fx_assert_success(&r);
	assert_int_equal(r.x[2], 0);
	assert_int_equal(r.x[6], FFA_FWK_NOTIF_RX_FULL);
	assert_int_equal(r.x[7], 0);
	assert_int_equal(ffamed_spmc_notif_fwk_pending(f->spmc, VM1), 0);
	r = fx_call(f, 0, FFA_NOTIFICATION_GET, VM1, FFA_NOTIF_GET_SPM_FWK, 0, 0, 0, 0, 0);
	assert_int_equal(r.x[6], 0);

	/* The VM read it; the hypervisor gives the buffer back. */
	assert_int_equal(rx_call(f, FFA_RX_RELEASE, VM1), 0);
	assert_int_equal(ffamed_spmc_vm_rx_owner(f->spmc, VM1), FFAMED_SPMC_RX_OWNER_SPMC);
	/* The hypervisor takes it for a message of its own: the SP must wait. */
	assert_int_equal(rx_call(f, FFA_RX_ACQUIRE, VM1), 0);
	assert_int_equal(ffamed_sp_msg_send2(sp, 0, VM1, NULL, payload, 8, 0), FFA_RET_BUSY);
	assert_int_equal(rx_call(f, FFA_RX_RELEASE, VM1), 0);
	assert_int_equal(ffamed_sp_msg_send2(sp, 0, VM1, NULL, payload, 8, 0), 0);
	memcpy(&h, rx, sizeof(h));
	assert_int_equal(h.size, 8);
	assert_true(ffa_uuid_is_nil(&h.uuid));
	assert_int_equal(ffamed_spmc_sp_msgs_sent(f->spmc, REC_SP), 2);
	assert_int_equal(atomic_load(&f->sri_per_cpu[0]), 1);
}

static void test_sp_to_vm_release_clears_notification(void **state)
{
	struct fx *f = *state;
	struct ffamed_sp *sp = sp_of(f, REC_SP);
	struct ffamed_regs r;

	assert_int_equal(ffamed_sp_msg_send2(sp, 0, VM1, NULL, "x", 1, 0), 0);
	assert_int_equal(ffamed_spmc_notif_fwk_pending(f->spmc, VM1), FFA_FWK_NOTIF_RX_FULL);
	assert_int_equal(rx_call(f, FFA_RX_RELEASE, VM1), 0);
	assert_int_equal(ffamed_spmc_notif_fwk_pending(f->spmc, VM1), 0);
	fx_assert_error((struct ffamed_regs[]){FX_CALL0(f, FFA_NOTIFICATION_INFO_GET_64)},
			FFA_RET_NO_DATA);
	r = fx_call(f, 0, FFA_NOTIFICATION_GET, VM1, FFA_NOTIF_GET_SPM_FWK, 0, 0, 0, 0, 0);
	fx_assert_success(&r);
	assert_int_equal(r.x[6], 0);

	/* Listed, then released: a new message is listed again. */
	assert_int_equal(ffamed_sp_msg_send2(sp, 0, VM1, NULL, "x", 1, 0), 0);
	assert_int_equal(FX_CALL0(f, FFA_NOTIFICATION_INFO_GET_64).x[0], FFA_SUCCESS_64);
	assert_int_equal(rx_call(f, FFA_RX_RELEASE, VM1), 0);
	assert_int_equal(ffamed_sp_msg_send2(sp, 0, VM1, NULL, "x", 1, 0), 0);
	r = FX_CALL0(f, FFA_NOTIFICATION_INFO_GET_64);
	assert_int_equal(r.x[0], FFA_SUCCESS_64);
	assert_int_equal(r.x[3], VM1);

	/* Unmapping the VM's pair drops the message and its notification. */
	r = fx_call(f, 0, FFA_RXTX_UNMAP, (uint64_t)VM1 << 16, 0, 0, 0, 0, 0, 0);
	fx_assert_success(&r);
	assert_int_equal(ffamed_spmc_notif_fwk_pending(f->spmc, VM1), 0);
	/* ... and bitmap destroy is not held up by a framework bit. */
	assert_int_equal(ffamed_sp_msg_send2(sp, 0, VM2, NULL, "x", 1, 0), 0);
	r = fx_call(f, 0, FFA_NOTIFICATION_BITMAP_DESTROY, VM1, 0, 0, 0, 0, 0, 0);
	fx_assert_success(&r);
}

static void test_sp_to_vm_without_bitmap(void **state)
{
	struct fx *f = *state;
	struct ffamed_sp *sp = sp_of(f, REC_SP);

	assert_int_equal(ffamed_sp_msg_send2(sp, 0, VM2, NULL, "hello", 5, 0), 0);
	assert_int_equal(ffamed_spmc_vm_rx_owner(f->spmc, VM2), FFAMED_SPMC_RX_OWNER_NWD);
	assert_memory_equal(page(f, VM2_RX) + 40, "hello", 5);
	assert_int_equal(ffamed_spmc_notif_fwk_pending(f->spmc, VM2), 0);
	assert_int_equal(atomic_load(&f->sri_count), 0);
	fx_assert_error((struct ffamed_regs[]){FX_CALL0(f, FFA_NOTIFICATION_INFO_GET_32)},
			FFA_RET_NO_DATA);
}

static void test_sp_to_vm_refusals(void **state)
{
	struct fx *f = *state;
	struct ffamed_sp *sp = sp_of(f, REC_SP);
	static uint8_t big[FX_PAGE];

	assert_int_equal(ffamed_sp_msg_send2(sp, 0, 0x8001, NULL, "x", 1, 0),
			 FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(ffamed_sp_msg_send2(sp, 0, VM1, NULL, "x", 1, 1),
			 FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(ffamed_sp_msg_send2(sp, 0, VM1, NULL, "x", 1, 1u << 2),
			 FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(ffamed_sp_msg_send2(sp, 0, VM1, NULL, "x", 0, 0),
			 FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(ffamed_sp_msg_send2(sp, 0, VM1, NULL, NULL, 1, 0),
			 FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(ffamed_sp_msg_send2(sp, FX_CPUS, VM1, NULL, "x", 1, 0),
			 FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(ffamed_sp_msg_send2(sp_of(f, FX_VMWATCH), 0, VM1, NULL, "x", 1, 0),
			 FFA_RET_DENIED);
	assert_int_equal(ffamed_sp_msg_send2(sp, 0, 7, NULL, "x", 1, 0), FFA_RET_BUSY);
	assert_int_equal(ffamed_sp_msg_send2(sp, 0, 0, NULL, "x", 1, 0), FFA_RET_BUSY);
	assert_int_equal(ffamed_sp_msg_send2(sp, 0, VM1, NULL, big, FX_PAGE - 39, 0),
			 FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(ffamed_spmc_vm_rx_owner(f->spmc, VM1), FFAMED_SPMC_RX_OWNER_SPMC);
	assert_int_equal(ffamed_spmc_sp_msgs_sent(f->spmc, REC_SP), 0);
	assert_int_equal(atomic_load(&f->sri_count), 0);
	/* The largest message fits. */
	assert_int_equal(ffamed_sp_msg_send2(sp, 0, VM1, NULL, big, FX_PAGE - 40, 0), 0);
	/* A two-page RX takes more. */
	assert_int_equal(ffamed_sp_msg_send2(sp, 0, VM3, NULL, big, FX_PAGE, 0), 0);
}

static void test_sp_to_vm_sri_delayed(void **state)
{
	struct fx *f = *state;
	struct ffa_msg_hdr h = hdr_for(VM1, REC_SP, 40, 4);
	struct ffamed_regs r;

	/* From a direct request handler: the SRI waits for its answer. */
	r = fx_call(f, 4, FFA_MSG_SEND_DIRECT_REQ_64, FFA_SENDER_RECEIVER(VM1, REC_SP), 0, 1, VM1,
		    0, 0, 0);
	assert_int_equal(r.x[0], FFA_MSG_SEND_DIRECT_RESP_64);
	assert_int_equal(r.x[4], 0);
	assert_int_equal(r.x[5], 0); /* none yet when the handler returned */
	assert_int_equal(atomic_load(&f->sri_count), 1);
	assert_int_equal(atomic_load(&f->sri_per_cpu[4]), 1);
	assert_int_equal(rx_call(f, FFA_RX_RELEASE, VM1), 0);
	/* Without the flag it is raised inside. */
	r = fx_call(f, 5, FFA_MSG_SEND_DIRECT_REQ_64, FFA_SENDER_RECEIVER(VM1, REC_SP), 0, 2, VM1,
		    0, 0, 0);
	assert_int_equal(r.x[4], 0);
	assert_int_equal(r.x[5], 2);
	assert_int_equal(atomic_load(&f->sri_per_cpu[5]), 1);
	assert_int_equal(rx_call(f, FFA_RX_RELEASE, VM1), 0);

	/* From the indirect message handler: raised when it returns, on the
	 * sender's CPU. */
	rec.mode = REC_REPLY_DELAYED;
	put_msg(f, VM1_TX, &h, 40);
	assert_int_equal(send2(f, 6, VM1), 0);
	assert_int_equal(rec.reply_result, 0);
	assert_int_equal(rec.sri_inside, 2);
	assert_int_equal(atomic_load(&f->sri_count), 3);
	assert_int_equal(atomic_load(&f->sri_per_cpu[6]), 1);
	assert_memory_equal(page(f, VM1_RX) + 40, "pong", 4);

	/* A VM with no bitmap: no notification, so no delayed SRI either. */
	r = fx_call(f, 4, FFA_MSG_SEND_DIRECT_REQ_64, FFA_SENDER_RECEIVER(VM2, REC_SP), 0, 1, VM2,
		    0, 0, 0);
	assert_int_equal(r.x[4], 0);
	assert_int_equal(atomic_load(&f->sri_count), 3);
}

/* ---- ECHO -------------------------------------------------------------------- */

static void test_echo_round_trip(void **state)
{
	struct fx *f = *state;
	struct ffa_uuid echo_uuid = FFAMED_SP_ECHO_UUID;
	struct ffa_msg_hdr h = hdr_for(VM1, FX_ECHO_MP, 40, 64);
	struct ffa_msg_hdr got;

	h.uuid = echo_uuid;
	put_msg(f, VM1_TX, &h, 40);
	assert_int_equal(send2(f, 1, VM1), 0);
	memcpy(&got, page(f, VM1_RX), sizeof(got));
	assert_int_equal(got.sender, FX_ECHO_MP);
	assert_int_equal(got.receiver, VM1);
	assert_int_equal(got.offset, 40);
	assert_int_equal(got.size, 64);
	assert_true(ffa_uuid_equal(&got.uuid, &echo_uuid));
	assert_payload(page(f, VM1_RX) + 40, 64);
	assert_int_equal(atomic_load(&f->echo_mp.indirect_received), 1);
	assert_int_equal(atomic_load(&f->echo_mp.indirect_echoed), 1);
	assert_int_equal(ffamed_spmc_notif_fwk_pending(f->spmc, VM1), FFA_FWK_NOTIF_RX_FULL);
	assert_int_equal(atomic_load(&f->sri_per_cpu[1]), 1);

	/* VM1 has not released its RX: the second echo is refused (BUSY), the
	 * message itself was delivered. */
	assert_int_equal(send2(f, 1, VM1), 0);
	assert_int_equal(atomic_load(&f->echo_mp.indirect_received), 2);
	assert_int_equal(atomic_load(&f->echo_mp.indirect_echoed), 1);
	assert_int_equal(atomic_load(&f->echo_mp.indirect_refused), 1);
	assert_int_equal(atomic_load(&f->echo_mp.indirect_last_refusal), FFA_RET_BUSY);
	assert_int_equal(ffamed_spmc_sp_msgs_received(f->spmc, FX_ECHO_MP), 2);
	assert_int_equal(ffamed_spmc_sp_msgs_sent(f->spmc, FX_ECHO_MP), 1);

	/* A v1.1 header is echoed with the Nil UUID. */
	assert_int_equal(rx_call(f, FFA_RX_RELEASE, VM1), 0);
	h = hdr_for(VM1, FX_ECHO_UP, 20, 3);
	put_msg(f, VM1_TX, &h, 20);
	assert_int_equal(send2(f, 0, VM1), 0);
	memcpy(&got, page(f, VM1_RX), sizeof(got));
	assert_int_equal(got.sender, FX_ECHO_UP);
	assert_true(ffa_uuid_is_nil(&got.uuid));
	assert_payload(page(f, VM1_RX) + 40, 3);
	assert_int_equal(atomic_load(&f->echo_up.indirect_echoed), 1);
}

static struct ffamed_regs echo_cmd(struct fx *f, uint32_t fid, uint64_t vm, uint64_t flags,
				   uint64_t n, uint64_t word)
{
	struct ffamed_regs r = {.x = {fid, FFA_SENDER_RECEIVER(VM2, FX_ECHO_UP)}};
	int p = fid == FFA_MSG_SEND_DIRECT_REQ2 ? 4 : 3;

	if (fid == FFA_MSG_SEND_DIRECT_REQ2) {
		struct ffa_uuid u = FFAMED_SP_ECHO_UUID;

		r.x[2] = ffa_uuid_x(&u, 0);
		r.x[3] = ffa_uuid_x(&u, 1);
	}
	r.x[p] = FFAMED_ECHO_CMD_SEND2;
	r.x[p + 1] = vm;
	r.x[p + 2] = flags;
	r.x[p + 3] = n;
	for (int i = p + 4; i < FFA_NREGS && i < p + 4 + (int)FFAMED_ECHO_SEND2_MAX_WORDS; i++)
		r.x[i] = word + (uint64_t)(i - p - 4);
	ffamed_spmc_call(f->spmc, 0, &r);
	assert_int_equal(r.x[0], ffa_direct_resp_fid(fid));
	assert_int_equal(r.x[p], FFAMED_ECHO_CMD_SEND2);
	return r;
}

static void test_echo_cmd_send2(void **state)
{
	struct fx *f = *state;
	const uint8_t *rx = page(f, VM1_RX);
	struct ffa_msg_hdr got;
	struct ffamed_regs r;
	static const uint8_t le[8] = {0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11};

	r = echo_cmd(f, FFA_MSG_SEND_DIRECT_REQ_64, VM1, 0, 1, 0x1122334455667788ull);
	assert_int_equal(r.x[4], 0);
	memcpy(&got, rx, sizeof(got));
	assert_int_equal(got.sender, FX_ECHO_UP);
	assert_int_equal(got.size, 8);
	assert_true(ffa_uuid_is_nil(&got.uuid));
	assert_memory_equal(rx + 40, le, 8);
	assert_int_equal(atomic_load(&f->echo_up.send2_sent), 1);
	assert_int_equal(atomic_load(&f->sri_count), 1);

	/* RX still full. */
	r = echo_cmd(f, FFA_MSG_SEND_DIRECT_REQ_64, VM1, 0, 1, 1);
	assert_int_equal(r.x[4], BUSY_W);
	assert_int_equal(rx_call(f, FFA_RX_RELEASE, VM1), 0);

	/* REQ2 carries up to ten words; the SRI waits for the answer. */
	r = echo_cmd(f, FFA_MSG_SEND_DIRECT_REQ2, VM1, FFA_MSG_SEND2_FLAG_DELAY_SRI, 10, 100);
	assert_int_equal(r.x[5], 0);
	memcpy(&got, rx, sizeof(got));
	assert_int_equal(got.size, 80);
	for (int w = 0; w < 10; w++) {
		uint64_t v = 0;

		for (int b = 0; b < 8; b++)
			v |= (uint64_t)rx[40 + w * 8 + b] << (8 * b);
		assert_int_equal(v, 100 + w);
	}
	assert_int_equal(atomic_load(&f->sri_count), 2);
	assert_int_equal(rx_call(f, FFA_RX_RELEASE, VM1), 0);

	/* REQ_32: 32-bit words. */
	r = echo_cmd(f, FFA_MSG_SEND_DIRECT_REQ_32, VM1, 0, 1, 0xAABBCCDD);
	assert_int_equal(r.x[4], 0);
	assert_int_equal(rx[40], 0xDD);
	assert_int_equal(rx[43], 0xAA);
	assert_int_equal(rx[44], 0);
	assert_int_equal(rx_call(f, FFA_RX_RELEASE, VM1), 0);

	/* Refusals, nothing sent. */
	assert_int_equal(echo_cmd(f, FFA_MSG_SEND_DIRECT_REQ_64, VM1, 0, 0, 1).x[4], INVAL_W);
	assert_int_equal(echo_cmd(f, FFA_MSG_SEND_DIRECT_REQ_64, VM1, 0, 2, 1).x[4], INVAL_W);
	assert_int_equal(echo_cmd(f, FFA_MSG_SEND_DIRECT_REQ2, VM1, 0, 11, 1).x[5], INVAL_W);
	assert_int_equal(echo_cmd(f, FFA_MSG_SEND_DIRECT_REQ_64, 0x10001, 0, 1, 1).x[4], INVAL_W);
	assert_int_equal(echo_cmd(f, FFA_MSG_SEND_DIRECT_REQ_64, 0x8002, 0, 1, 1).x[4], INVAL_W);
	assert_int_equal(echo_cmd(f, FFA_MSG_SEND_DIRECT_REQ_64, VM1, 1, 1, 1).x[4], INVAL_W);
	assert_int_equal(echo_cmd(f, FFA_MSG_SEND_DIRECT_REQ_64, 7, 0, 1, 1).x[4], BUSY_W);
	assert_int_equal(atomic_load(&f->echo_up.send2_sent), 3);
	assert_int_equal(ffamed_spmc_vm_rx_owner(f->spmc, VM1), FFAMED_SPMC_RX_OWNER_SPMC);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, fx_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_vm_to_sp_v12),
		T(test_vm_to_sp_v11_header),
		T(test_multipage_mailbox),
		T(test_vm_to_sp_dropped),
		T(test_vm_to_sp_bad_registers),
		T(test_vm_to_sp_bad_header),
		T(test_vm_to_sp_busy),
		cmocka_unit_test(test_send2_version_gating),
		cmocka_unit_test(test_indirect_sp_needs_v1_1),
		T(test_sp_to_vm),
		T(test_sp_to_vm_release_clears_notification),
		T(test_sp_to_vm_without_bitmap),
		T(test_sp_to_vm_refusals),
		T(test_sp_to_vm_sri_delayed),
		T(test_echo_round_trip),
		T(test_echo_cmd_send2),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
