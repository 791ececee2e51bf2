/* SPDX-License-Identifier: MIT */
/*
 * Indirect messages (FFA_MSG_SEND2, docs/MESSAGING.md "Indirect messages"):
 * VM -> VM delivery in the receiver's header layout for every pair of
 * header versions, the RX-full hypervisor framework notification and its
 * NPI, the RX ownership state machine (forwarded to the SPMC and local),
 * every refusal in its documented order, a hostile sender rewriting its
 * header during sends, teardown; VM -> SP through the forward into the
 * software SPMC, which takes SEND2 (asserted: a test that found it missing
 * would otherwise pass without checking anything).
 */
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "mediator/med_internal.h"
#include "med_fixture.h"

#define NPI_BIT	 (1ull << 8)
#define TX_IPA	 FIX_IPA_BASE
#define HDR_1_1	 FFA_MSG_HDR_SIZE_1_1
#define HDR_1_2	 FFA_MSG_HDR_SIZE_1_2
#define RX_FILL	 0xEEu
#define SP_INDIR FIX_SP_ECHO /* the echo SP, given the indirect-message property */

static const struct ffa_uuid uuid_a = {{0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa,
					0xbb, 0xcc, 0xdd, 0xee, 0xf0, 0x01}};

/* ---- Guest memory ---------------------------------------------------------------- */

/* Buffers may span scattered pages: copied page by page. */
static void guest_write(struct fix_vm *v, uint64_t ipa, const void *src, size_t len)
{
	const uint8_t *s = src;

	while (len) {
		size_t n = FFA_PAGE_SIZE - (ipa & (FFA_PAGE_SIZE - 1));

		if (n > len)
			n = len;
		memcpy(fix_vm_ptr(v, ipa), s, n);
		ipa += n;
		s += n;
		len -= n;
	}
}

static void guest_read(struct fix_vm *v, uint64_t ipa, void *dst, size_t len)
{
	uint8_t *d = dst;

	while (len) {
		size_t n = FFA_PAGE_SIZE - (ipa & (FFA_PAGE_SIZE - 1));

		if (n > len)
			n = len;
		memcpy(d, fix_vm_ptr(v, ipa), n);
		ipa += n;
		d += n;
		len -= n;
	}
}

static void guest_fill(struct fix_vm *v, uint64_t ipa, uint8_t byte, size_t len)
{
	uint8_t page[FFA_PAGE_SIZE];

	memset(page, byte, sizeof(page));
	while (len) {
		size_t n = len < sizeof(page) ? len : sizeof(page);

		guest_write(v, ipa, page, n);
		ipa += n;
		len -= n;
	}
}

/* fix_map_default(v, pages): RX right after the TX. */
static uint64_t rx_ipa(struct fix_vm *v)
{
	return TX_IPA + (uint64_t)v->vm->rxtx.page_count * FFA_PAGE_SIZE;
}

/* ---- Messages --------------------------------------------------------------------- */

/* A header in the sender's layout (hdr_size bytes) at the start of its TX. */
static void put_hdr(struct fix_vm *v, uint32_t hdr_size, uint16_t sender, uint16_t receiver,
		    uint32_t offset, uint32_t size, const struct ffa_uuid *uuid)
{
	struct ffa_msg_hdr h = {
		.offset = offset,
		.receiver = receiver,
		.sender = sender,
		.size = size,
	};

	if (uuid)
		h.uuid = *uuid;
	guest_write(v, TX_IPA, &h, hdr_size);
}

static uint8_t pattern(uint32_t i, uint8_t seed)
{
	return (uint8_t)(i * 7u + seed);
}

static void put_payload(struct fix_vm *v, uint32_t offset, uint32_t size, uint8_t seed)
{
	for (uint32_t i = 0; i < size; i++) {
		uint8_t b = pattern(i, seed);

		guest_write(v, TX_IPA + offset + i, &b, 1);
	}
}

/* A well-formed message from v to `to`, in v's layout, payload at the header's end. */
static void put_msg(struct fix_vm *v, uint16_t to, uint32_t size, uint8_t seed)
{
	uint32_t hs = ffamed_vm_version(v->vm) >= FFA_VERSION_1_2 ? HDR_1_2 : HDR_1_1;

	put_hdr(v, hs, v->id, to, hs, size, NULL);
	put_payload(v, hs, size, seed);
}

static struct ffamed_regs send2(struct fix_vm *v)
{
	return fix_call(v, 0, FFA_MSG_SEND2, 0, 0, 0, 0, 0);
}

static int32_t send2_rc(struct fix_vm *v)
{
	struct ffamed_regs r = send2(v);

	return ffa_result(&r);
}

static struct ffamed_regs notif_get(struct fix_vm *v, uint32_t flags)
{
	struct ffamed_regs r =
		fix_call(v, 0, FFA_NOTIFICATION_GET, FFA_SENDER_RECEIVER(0, v->id), flags, 0, 0, 0);

	assert_int_equal(r.x[0], FFA_SUCCESS_32);
	return r;
}

/* The hypervisor framework bits (w7), taken. */
static uint32_t get_hyp_fwk(struct fix_vm *v)
{
	return (uint32_t)notif_get(v, FFA_NOTIF_GET_HYP_FWK).x[7];
}

static int32_t rx_release(struct fix_vm *v)
{
	struct ffamed_regs r = fix_call(v, 0, FFA_RX_RELEASE, 0, 0, 0, 0, 0);

	return ffa_result(&r);
}

static int32_t rxtx_unmap(struct fix_vm *v)
{
	struct ffamed_regs r = fix_call(v, 0, FFA_RXTX_UNMAP, 0, 0, 0, 0, 0);

	return ffa_result(&r);
}

static uint64_t npi_taken(struct fix_vm *v)
{
	uint64_t all = 0;

	for (uint16_t i = 0; i < v->vcpus; i++)
		all |= fix_virq_take(v, i);
	return all & NPI_BIT;
}

/* Checks the message in v's RX: header in v's layout, exact payload, and
 * nothing written beyond it (the RX was filled with RX_FILL before). */
static void check_rx(struct fix_vm *v, uint16_t from, uint32_t size, uint8_t seed,
		     const struct ffa_uuid *uuid)
{
	uint32_t hs = ffamed_vm_version(v->vm) >= FFA_VERSION_1_2 ? HDR_1_2 : HDR_1_1;
	size_t rx_size = (size_t)v->vm->rxtx.page_count * FFA_PAGE_SIZE;
	uint8_t *rx = malloc(rx_size);
	struct ffa_msg_hdr h;
	struct ffa_uuid nil = {{0}};

	assert_non_null(rx);
	guest_read(v, rx_ipa(v), rx, rx_size);
	memset(&h, 0, sizeof(h));
	memcpy(&h, rx, hs);
	assert_int_equal(h.flags, 0);
	assert_int_equal(h.reserved0, 0);
	assert_int_equal(h.offset, hs);
	assert_int_equal(h.sender, from);
	assert_int_equal(h.receiver, v->id);
	assert_int_equal(h.size, size);
	if (hs == HDR_1_2) {
		assert_int_equal(h.reserved1, 0);
		assert_memory_equal(&h.uuid, uuid ? uuid : &nil, sizeof(h.uuid));
	}
	for (uint32_t i = 0; i < size; i++)
		if (rx[hs + i] != pattern(i, seed))
			fail_msg("payload byte %u: %x, expected %x", i, rx[hs + i],
				 pattern(i, seed));
	for (size_t i = hs + size; i < rx_size; i++)
		if (rx[i] != RX_FILL)
			fail_msg("RX byte %zu beyond the message written", i);
	free(rx);
}

static struct fix *make(bool no_vm_rxtx)
{
	struct fix_opts o = {.med_cfg = {.vm_to_vm = true}};

	o.faults.no_vm_rxtx = no_vm_rxtx;
	return fix_create(&o);
}

/* A VM at `version` with a pair of `pages` pages (0: none). */
static struct fix_vm *make_vm(struct fix *fix, uint16_t id, uint32_t version, uint32_t pages,
			      const struct ffamed_vm_policy *policy)
{
	struct fix_vm *v = fix_vm_new(fix, id, 2, 64, true);

	v->policy = policy;
	assert_int_equal(fix_vm_register(v, true), FFA_RET_OK);
	if (version)
		fix_negotiate(v, version);
	if (pages) {
		fix_map_default(v, pages);
		guest_fill(v, rx_ipa(v), RX_FILL, (size_t)pages * FFA_PAGE_SIZE);
	}
	return v;
}

/* ---- VM -> VM: delivery --------------------------------------------------------------- */

static void deliver_one(uint32_t sv, uint32_t rv, bool no_vm_rxtx)
{
	struct fix *fix = make(no_vm_rxtx);
	struct fix_vm *a = make_vm(fix, 1, sv, 1, NULL);
	struct fix_vm *b = make_vm(fix, 2, rv, 1, NULL);
	uint32_t shs = sv >= FFA_VERSION_1_2 ? HDR_1_2 : HDR_1_1;
	uint64_t acq = fix_fw_count(fix, FFA_RX_ACQUIRE);
	uint64_t rel = fix_fw_count(fix, FFA_RX_RELEASE);
	enum ffamed_spmc_rx_owner empty =
		no_vm_rxtx ? FFAMED_SPMC_RX_UNMAPPED : FFAMED_SPMC_RX_OWNER_SPMC;
	enum ffamed_spmc_rx_owner full =
		no_vm_rxtx ? FFAMED_SPMC_RX_UNMAPPED : FFAMED_SPMC_RX_OWNER_NWD;
	uint8_t junk[HDR_1_2 - HDR_1_1];

	assert_int_equal(b->vm->rxtx.forwarded, !no_vm_rxtx);
	assert_int_equal(ffamed_spmc_vm_rx_owner(fix->spmc, 2), empty);
	/* Payload well past the header; a v1.1 sender's bytes 20..39 (where a
	 * v1.2 header has reserved1 and the UUID) are junk it never meant. */
	memset(junk, 0x77, sizeof(junk));
	guest_write(a, TX_IPA + HDR_1_1, junk, sizeof(junk));
	put_hdr(a, shs, 1, 2, 200, 333, &uuid_a);
	put_payload(a, 200, 333, 5);
	assert_int_equal(npi_taken(b), 0);

	assert_ffa_success(send2(a));
	check_rx(b, 1, 333, 5, sv >= FFA_VERSION_1_2 ? &uuid_a : NULL);
	assert_int_equal(fix_fw_count(fix, FFA_RX_ACQUIRE), acq + !no_vm_rxtx);
	assert_int_equal(ffamed_spmc_vm_rx_owner(fix->spmc, 2), full);
	assert_int_equal(npi_taken(b), NPI_BIT);
	assert_int_equal(npi_taken(a), 0);
	/* The sender's framework bits say nothing. */
	assert_int_equal(get_hyp_fwk(a), 0);

	/* Full: the next message waits. */
	assert_int_equal(send2_rc(a), FFA_RET_BUSY);
	assert_int_equal(fix_fw_count(fix, FFA_RX_ACQUIRE), acq + !no_vm_rxtx);

	/* GET takes the bit once; RX_RELEASE gives the RX back. */
	assert_int_equal(get_hyp_fwk(b), FFA_FWK_NOTIF_RX_FULL);
	assert_int_equal(get_hyp_fwk(b), 0);
	assert_int_equal(rx_release(b), FFA_RET_OK);
	assert_int_equal(fix_fw_count(fix, FFA_RX_RELEASE), rel + !no_vm_rxtx);
	assert_int_equal(ffamed_spmc_vm_rx_owner(fix->spmc, 2), empty);

	/* A second message, released before any GET: the bit is cleared with it. */
	guest_fill(b, rx_ipa(b), RX_FILL, FFA_PAGE_SIZE);
	put_hdr(a, shs, 1, 2, shs, 1, NULL);
	put_payload(a, shs, 1, 9);
	assert_ffa_success(send2(a));
	check_rx(b, 1, 1, 9, NULL);
	assert_int_equal(npi_taken(b), NPI_BIT);
	assert_int_equal(rx_release(b), FFA_RET_OK);
	assert_int_equal(get_hyp_fwk(b), 0);
	assert_int_equal(fix_fw_count(fix, FFA_RX_ACQUIRE), acq + 2 * !no_vm_rxtx);
	assert_int_equal(fix_fw_count(fix, FFA_RX_RELEASE), rel + 2 * !no_vm_rxtx);

	fix_vm_destroy(a);
	fix_vm_destroy(b);
	fix_destroy(fix);
}

static void deliver_all_versions(void **state)
{
	(void)state;
	static const uint32_t v[] = {FFA_VERSION_1_1, FFA_VERSION_1_2};

	for (int f = 0; f < 2; f++)
		for (int s = 0; s < 2; s++)
			for (int r = 0; r < 2; r++)
				deliver_one(v[s], v[r], f);
}

/* The receiver's RX bounds the payload with the receiver's header size;
 * the sender's TX bounds offset + size. */
static void sizes_at_the_limits(void **state)
{
	(void)state;
	struct fix *fix = make(false);
	struct fix_vm *a = make_vm(fix, 1, FFA_VERSION_1_2, 2, NULL);
	struct fix_vm *b = make_vm(fix, 2, FFA_VERSION_1_2, 1, NULL);
	struct fix_vm *c = make_vm(fix, 3, FFA_VERSION_1_1, 1, NULL);
	struct fix_vm *d = make_vm(fix, 4, FFA_VERSION_1_2, 1, FIX_POLICY_NONE);

	/* The policy first: the size of a receiver's RX does not leak. */
	put_msg(a, 4, FFA_PAGE_SIZE - HDR_1_2 + 1, 1);
	assert_int_equal(send2_rc(a), FFA_RET_DENIED);
	put_msg(a, 4, 8, 1);
	assert_int_equal(send2_rc(a), FFA_RET_DENIED);
	/* v1.2 receiver: RX = 40 + 4056. */
	put_msg(a, 2, FFA_PAGE_SIZE - HDR_1_2 + 1, 1);
	assert_int_equal(send2_rc(a), FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(ffamed_spmc_vm_rx_owner(fix->spmc, 2), FFAMED_SPMC_RX_OWNER_SPMC);
	put_msg(a, 2, FFA_PAGE_SIZE - HDR_1_2, 1);
	assert_ffa_success(send2(a));
	check_rx(b, 1, FFA_PAGE_SIZE - HDR_1_2, 1, NULL);
	/* v1.1 receiver: the same sender may send 20 bytes more. */
	put_msg(a, 3, FFA_PAGE_SIZE - HDR_1_1 + 1, 2);
	assert_int_equal(send2_rc(a), FFA_RET_INVALID_PARAMETERS);
	put_msg(a, 3, FFA_PAGE_SIZE - HDR_1_1, 2);
	assert_ffa_success(send2(a));
	check_rx(c, 1, FFA_PAGE_SIZE - HDR_1_1, 2, NULL);
	assert_int_equal(rx_release(b), FFA_RET_OK);
	assert_int_equal(rx_release(c), FFA_RET_OK);

	/* The end of the sender's 2-page TX, exactly; one byte beyond. */
	guest_fill(b, rx_ipa(b), RX_FILL, FFA_PAGE_SIZE);
	put_hdr(a, HDR_1_2, 1, 2, 2 * FFA_PAGE_SIZE - 100, 100, NULL);
	put_payload(a, 2 * FFA_PAGE_SIZE - 100, 100, 3);
	assert_ffa_success(send2(a));
	check_rx(b, 1, 100, 3, NULL);
	assert_int_equal(rx_release(b), FFA_RET_OK);
	put_hdr(a, HDR_1_2, 1, 2, 2 * FFA_PAGE_SIZE - 100, 101, NULL);
	assert_int_equal(send2_rc(a), FFA_RET_INVALID_PARAMETERS);

	/* Too big for a full RX: INVALID_PARAMETERS (it never fits), not BUSY. */
	put_msg(a, 2, 8, 1);
	assert_ffa_success(send2(a));
	put_msg(a, 2, FFA_PAGE_SIZE - HDR_1_2 + 1, 1);
	assert_int_equal(send2_rc(a), FFA_RET_INVALID_PARAMETERS);
	put_msg(a, 2, 8, 1);
	assert_int_equal(send2_rc(a), FFA_RET_BUSY);
	assert_int_equal(rx_release(b), FFA_RET_OK);
	fix_vm_destroy(a);
	fix_vm_destroy(b);
	fix_vm_destroy(c);
	fix_vm_destroy(d);
	fix_destroy(fix);
}

/* Scattered multi-page buffers: a payload crossing pages in the TX and
 * in the RX, with an unaligned offset. */
static void multi_page_buffers(void **state)
{
	(void)state;
	for (int f = 0; f < 2; f++) {
		struct fix *fix = make(f);
		struct fix_vm *a = make_vm(fix, 1, FFA_VERSION_1_1, 3, NULL);
		struct fix_vm *b = make_vm(fix, 2, FFA_VERSION_1_2, 3, NULL);

		put_hdr(a, HDR_1_1, 1, 2, 4001, 7000, NULL);
		put_payload(a, 4001, 7000, 11);
		assert_ffa_success(send2(a));
		check_rx(b, 1, 7000, 11, NULL);
		assert_int_equal(rx_release(b), FFA_RET_OK);
		/* The whole RX, exactly. */
		guest_fill(b, rx_ipa(b), RX_FILL, 3 * FFA_PAGE_SIZE);
		put_hdr(a, HDR_1_1, 1, 2, HDR_1_1, 3 * FFA_PAGE_SIZE - HDR_1_2, NULL);
		put_payload(a, HDR_1_1, 3 * FFA_PAGE_SIZE - HDR_1_2, 12);
		assert_ffa_success(send2(a));
		check_rx(b, 1, 3 * FFA_PAGE_SIZE - HDR_1_2, 12, NULL);
		assert_int_equal(rx_release(b), FFA_RET_OK);
		fix_vm_destroy(a);
		fix_vm_destroy(b);
		fix_destroy(fix);
	}
}

/* ---- RX ownership ------------------------------------------------------------------------ */

static void rx_ownership_one(bool no_vm_rxtx)
{
	struct fix *fix = make(no_vm_rxtx);
	struct fix_vm *a = make_vm(fix, 1, FFA_VERSION_1_2, 1, NULL);
	struct fix_vm *b = make_vm(fix, 2, FFA_VERSION_1_2, 1, NULL);
	struct ffamed_regs r;

	/* Empty: nothing to release (a forwarded release goes to the SPMC,
	 * which says the same). */
	assert_int_equal(rx_release(b), FFA_RET_DENIED);
	assert_ffa_error(fix_call(b, 0, FFA_RX_RELEASE, 2, 0, 0, 0, 0), FFA_RET_INVALID_PARAMETERS);

	put_msg(a, 2, 64, 1);
	assert_ffa_success(send2(a));
	/* Full and the guest's: no unmap, no partition info, no message. */
	assert_int_equal(rxtx_unmap(b), FFA_RET_DENIED);
	r = fix_call(b, 0, FFA_PARTITION_INFO_GET, 0, 0, 0, 0, 0);
	assert_ffa_error(r, FFA_RET_BUSY);
	assert_int_equal(send2_rc(a), FFA_RET_BUSY);
	check_rx(b, 1, 64, 1, NULL); /* untouched by the refusals */
	assert_int_equal(rx_release(b), FFA_RET_OK);
	assert_int_equal(rx_release(b), FFA_RET_DENIED);

	/* Partition info fills it: a message waits for its release. */
	r = fix_call(b, 0, FFA_PARTITION_INFO_GET, 0, 0, 0, 0, 0);
	assert_ffa_success(r);
	assert_int_equal(send2_rc(a), FFA_RET_BUSY);
	assert_int_equal(get_hyp_fwk(b), 0);
	assert_int_equal(rx_release(b), FFA_RET_OK);
	assert_ffa_success(send2(a));
	assert_int_equal(get_hyp_fwk(b), FFA_FWK_NOTIF_RX_FULL);
	assert_int_equal(rx_release(b), FFA_RET_OK);

	/* Unmapped once empty; a message to it then waits (BUSY); mapped
	 * again it takes one. */
	assert_int_equal(rxtx_unmap(b), FFA_RET_OK);
	assert_int_equal(ffamed_spmc_vm_rx_owner(fix->spmc, 2), FFAMED_SPMC_RX_UNMAPPED);
	assert_int_equal(send2_rc(a), FFA_RET_BUSY);
	assert_int_equal(rx_release(b), FFA_RET_DENIED);
	fix_map_default(b, 1);
	guest_fill(b, rx_ipa(b), RX_FILL, FFA_PAGE_SIZE);
	assert_ffa_success(send2(a));
	check_rx(b, 1, 64, 1, NULL);
	assert_int_equal(ffamed_spmc_vm_rx_owner(fix->spmc, 2),
			 no_vm_rxtx ? FFAMED_SPMC_RX_UNMAPPED : FFAMED_SPMC_RX_OWNER_NWD);
	assert_int_equal(rx_release(b), FFA_RET_OK);

	if (!no_vm_rxtx) {
		/* The SPMC filled b's RX behind the mediator's back (as an SP's
		 * SEND2 does before b's GET tells the mediator): RX_ACQUIRE
		 * fails, the message waits; b's release, forwarded although
		 * the mediator believes the RX empty, frees it. */
		struct ffamed_regs q = {{FFA_RX_ACQUIRE, 2}};

		ffamed_spmc_call(fix->spmc, 0, &q);
		assert_ffa_success(q);
		assert_int_equal(send2_rc(a), FFA_RET_BUSY);
		assert_int_equal(get_hyp_fwk(b), 0);
		assert_int_equal(rx_release(b), FFA_RET_OK);
		assert_int_equal(ffamed_spmc_vm_rx_owner(fix->spmc, 2), FFAMED_SPMC_RX_OWNER_SPMC);
		assert_ffa_success(send2(a));
		assert_int_equal(rx_release(b), FFA_RET_OK);
	}
	fix_vm_destroy(a);
	fix_vm_destroy(b);
	fix_destroy(fix);
}

static void rx_ownership(void **state)
{
	(void)state;
	rx_ownership_one(false);
	rx_ownership_one(true);
}

/*
 * The SPMC's word on a forwarded RX against a stale belief. b's GET learns
 * from the SPMC that an SP filled b's RX (SPM framework RX-full, w6) and
 * only then marks it the guest's; in between, another vCPU of b releases
 * it (a release the mediator forwards although it believes the RX empty).
 * The mediator then believes the guest holds an RX the SPMC knows empty:
 * b's next RX_RELEASE is refused by the SPMC (DENIED, right), and the
 * mediator must take that answer as the truth, or b could never receive
 * nor unmap again. The hook plays the SP's message (the software SPMC
 * here has no SEND2) and the racing vCPU, at the exact point.
 */
struct get_race {
	struct fix_vm *b;
	bool armed;
	int32_t release_rc;
};

static bool get_race_hook(struct fix *fix, struct ffamed_regs *regs, void *arg)
{
	struct get_race *g = arg;

	if ((uint32_t)regs->x[0] != FFA_NOTIFICATION_GET || !g->armed)
		return false;
	g->armed = false;
	ffamed_spmc_call(fix->spmc, 0, regs);
	regs->x[6] |= FFA_FWK_NOTIF_RX_FULL;
	/* b's vCPU 1, between the SPMC's answer and the mediator's update. */
	g->release_rc = rx_release(g->b);
	return true;
}

static void rx_release_races_get(void **state)
{
	(void)state;
	struct get_race g = {0};
	struct fix_opts o = {.med_cfg = {.vm_to_vm = true}, .hook = get_race_hook, .hook_arg = &g};
	struct fix *fix = fix_create(&o);
	struct fix_vm *a = make_vm(fix, 1, FFA_VERSION_1_2, 1, NULL);
	struct fix_vm *b = make_vm(fix, 2, FFA_VERSION_1_2, 1, NULL);
	struct ffamed_regs q = {{FFA_RX_ACQUIRE, 2}};
	struct ffamed_regs r;

	g.b = b;
	assert_true(b->vm->rxtx.forwarded);
	/* The SP's message: the SPMC hands b's RX to the normal world. */
	ffamed_spmc_call(fix->spmc, 0, &q);
	assert_ffa_success(q);
	g.armed = true;
	r = notif_get(b, FFA_NOTIF_GET_SPM_FWK | FFA_NOTIF_GET_HYP_FWK);
	assert_false(g.armed);
	assert_int_equal(g.release_rc, FFA_RET_OK);
	assert_int_equal(r.x[6], FFA_FWK_NOTIF_RX_FULL);
	assert_int_equal(ffamed_spmc_vm_rx_owner(fix->spmc, 2), FFAMED_SPMC_RX_OWNER_SPMC);

	/* b, told its RX is full, reads and releases: nothing to release. */
	assert_int_equal(rx_release(b), FFA_RET_DENIED);
	/* From then on both views agree: messages and unmapping work. */
	put_msg(a, 2, 8, 1);
	assert_ffa_success(send2(a));
	assert_int_equal(rx_release(b), FFA_RET_OK);
	assert_int_equal(rxtx_unmap(b), FFA_RET_OK);
	fix_vm_destroy(a);
	fix_vm_destroy(b);
	fix_destroy(fix);
}

/* ---- VM -> VM: refusals ------------------------------------------------------------------ */

static void refusals_sender_side(void **state)
{
	(void)state;
	struct fix *fix = make(false);
	struct fix_vm *a = make_vm(fix, 1, FFA_VERSION_1_2, 1, NULL);
	struct fix_vm *b = make_vm(fix, 2, FFA_VERSION_1_2, 1, NULL);
	struct fix_vm *c = make_vm(fix, 3, FFA_VERSION_1_1, 1, NULL);
	struct fix_vm *n = make_vm(fix, 4, FFA_VERSION_1_2, 0, NULL);
	static const uint32_t bad_off[][2] = {
		{HDR_1_2 - 1, 8},	  /* inside the header */
		{0, 8},			  /* at the header */
		{FFA_PAGE_SIZE - 8, 9},	  /* one past the TX */
		{FFA_PAGE_SIZE, 1},	  /* at its end */
		{0xFFFFFFF0u, 0x20},	  /* wraps past 2^32 */
		{0xFFFFFFF0u, 0x10},	  /* wraps to 0 */
		{HDR_1_2, 0xFFFFFFFFu},	  /* wraps */
		{HDR_1_2, FFA_PAGE_SIZE}, /* past the TX */
	};
	struct ffa_msg_hdr h;

	/* w1..w7 MBZ: checked first, before anything else (here a sender
	 * without a pair, whose header cannot even be read). */
	for (int i = 1; i < 8; i++) {
		struct ffamed_regs in = {{FFA_MSG_SEND2}};

		in.x[i] = i == 1 ? (1u << 16) : 1;
		put_msg(a, 2, 8, 0);
		assert_ffa_error(fix_call_regs(a, 0, &in), FFA_RET_INVALID_PARAMETERS);
		assert_ffa_error(fix_call_regs(n, 0, &in), FFA_RET_INVALID_PARAMETERS);
	}
	/* SMC32: the upper halves of x1..x7 are not arguments. */
	{
		struct ffamed_regs in = {
			{FFA_MSG_SEND2, 1ull << 32, 1ull << 33, 0, 0, 0, 0, 1ull << 63}};

		assert_ffa_success(fix_call_regs(a, 0, &in));
		assert_int_equal(rx_release(b), FFA_RET_OK);
	}
	/* No RX/TX pair: DENIED. */
	assert_int_equal(send2_rc(n), FFA_RET_DENIED);

	/* Header fields, each bad on an otherwise good message to a receiver
	 * whose RX is full: INVALID_PARAMETERS comes before BUSY. */
	put_msg(a, 2, 8, 0);
	assert_ffa_success(send2(a));
	for (int i = 0; i < 6; i++) {
		put_msg(a, 2, 8, 0);
		guest_read(a, TX_IPA, &h, HDR_1_2);
		switch (i) {
		case 0:
			h.flags = 1;
			break;
		case 1:
			h.reserved0 = 0x80000000u;
			break;
		case 2:
			h.reserved1 = 1;
			break;
		case 3:
			h.sender = 2; /* forged */
			break;
		case 4:
			h.receiver = 1; /* itself */
			break;
		default:
			h.size = 0;
			break;
		}
		guest_write(a, TX_IPA, &h, HDR_1_2);
		assert_int_equal(send2_rc(a), FFA_RET_INVALID_PARAMETERS);
	}
	put_hdr(a, HDR_1_2, 1, FFA_HYP_ID, HDR_1_2, 8, NULL);
	assert_int_equal(send2_rc(a), FFA_RET_INVALID_PARAMETERS);
	for (size_t i = 0; i < sizeof(bad_off) / sizeof(bad_off[0]); i++) {
		put_hdr(a, HDR_1_2, 1, 2, bad_off[i][0], bad_off[i][1], NULL);
		if (send2_rc(a) != FFA_RET_INVALID_PARAMETERS)
			fail_msg("offset %x size %x accepted", bad_off[i][0], bad_off[i][1]);
	}
	/* Still the first message in b's RX. */
	assert_int_equal(send2_rc(a), FFA_RET_INVALID_PARAMETERS);
	put_msg(a, 2, 8, 0);
	assert_int_equal(send2_rc(a), FFA_RET_BUSY);
	assert_int_equal(rx_release(b), FFA_RET_OK);

	/* A v1.1 sender: its header is 20 bytes, so offset 20 is fine and
	 * bytes 20..39 (a v1.2 reserved1 and UUID) are not looked at. */
	put_hdr(c, HDR_1_1, 3, 2, HDR_1_1 - 1, 4, NULL);
	assert_int_equal(send2_rc(c), FFA_RET_INVALID_PARAMETERS);
	put_hdr(c, HDR_1_2, 3, 2, HDR_1_1, 4, &uuid_a);
	h.reserved1 = 0xFFFFFFFFu;
	guest_write(c, TX_IPA + 20, &h.reserved1, 4);
	guest_fill(b, rx_ipa(b), RX_FILL, FFA_PAGE_SIZE);
	assert_ffa_success(send2(c));
	guest_read(b, rx_ipa(b), &h, HDR_1_2);
	assert_int_equal(h.offset, HDR_1_2);
	assert_int_equal(h.sender, 3);
	assert_int_equal(h.size, 4);
	assert_int_equal(h.reserved1, 0);
	assert_true(ffa_uuid_is_nil(&h.uuid));
	assert_int_equal(rx_release(b), FFA_RET_OK);

	/* A v1.0 VM is not served SEND2 at all. */
	{
		struct fix_vm *o = make_vm(fix, 5, FFA_VERSION_1_0, 1, NULL);

		put_hdr(o, HDR_1_1, 5, 2, HDR_1_1, 4, NULL);
		assert_int_equal(send2_rc(o), FFA_RET_NOT_SUPPORTED);
		fix_vm_destroy(o);
	}
	fix_vm_destroy(a);
	fix_vm_destroy(b);
	fix_vm_destroy(c);
	fix_vm_destroy(n);
	fix_destroy(fix);
}

static const struct ffamed_peer_rights no_msg_to_2[] = {{.peer = 2, .rights = FFAMED_RIGHT_NOTIFY}};
static const struct ffamed_peer_rights no_msg_to_1[] = {{.peer = 1, .rights = FFAMED_RIGHT_MEM}};
static const struct ffamed_vm_policy pol_a_denies = {
	.sp_default = FFAMED_RIGHTS_ALL,
	.vm_default = FFAMED_RIGHTS_ALL,
	.peers = no_msg_to_2,
	.peer_count = 1,
};
static const struct ffamed_vm_policy pol_b_denies = {
	.sp_default = FFAMED_RIGHTS_ALL,
	.vm_default = FFAMED_RIGHTS_ALL,
	.peers = no_msg_to_1,
	.peer_count = 1,
};

/* The receiver-side refusals, in order: unknown receiver (INVALID), the
 * policy (either side) and the receiver's version (DENIED), its RX
 * (BUSY). A refused message leaves nothing behind. */
static void refusals_receiver_side(void **state)
{
	(void)state;
	struct fix *fix = make(false);
	struct fix_vm *a = make_vm(fix, 1, FFA_VERSION_1_2, 1, NULL);
	struct fix_vm *b = make_vm(fix, 2, FFA_VERSION_1_2, 1, NULL);
	struct fix_vm *old = make_vm(fix, 3, FFA_VERSION_1_0, 0, NULL);
	struct fix_vm *fresh = make_vm(fix, 4, 0, 0, NULL); /* never negotiated */
	struct fix_vm *nomap = make_vm(fix, 5, FFA_VERSION_1_2, 0, NULL);
	struct fix_vm *gone = make_vm(fix, 6, FFA_VERSION_1_2, 1, NULL);
	struct fix_vm *x;

	put_msg(a, 0x7001, 8, 0);
	assert_int_equal(send2_rc(a), FFA_RET_INVALID_PARAMETERS);
	/* Below v1.1 (DENIED before its missing RX would say BUSY). */
	put_msg(a, 3, 8, 0);
	assert_int_equal(send2_rc(a), FFA_RET_DENIED);
	put_msg(a, 4, 8, 0);
	assert_int_equal(send2_rc(a), FFA_RET_DENIED);
	/* No RX mapped. */
	put_msg(a, 5, 8, 0);
	assert_int_equal(send2_rc(a), FFA_RET_BUSY);
	assert_int_equal(get_hyp_fwk(nomap), 0);
	/* Destroyed before the send: unknown. */
	fix_vm_destroy(gone);
	put_msg(a, 6, 8, 0);
	assert_int_equal(send2_rc(a), FFA_RET_INVALID_PARAMETERS);

	/* The default policy (no VM rights). */
	x = make_vm(fix, 11, FFA_VERSION_1_2, 1, FIX_POLICY_NONE);
	put_msg(a, 11, 8, 0);
	assert_int_equal(send2_rc(a), FFA_RET_DENIED);
	put_msg(x, 1, 8, 0);
	assert_int_equal(send2_rc(x), FFA_RET_DENIED);
	/* ...DENIED even for a receiver that does not exist: nothing leaks. */
	put_msg(x, 0x7001, 8, 0);
	assert_int_equal(send2_rc(x), FFA_RET_DENIED);
	assert_int_equal(get_hyp_fwk(x), 0);
	assert_int_equal(rx_release(x), FFA_RET_DENIED);
	fix_vm_destroy(x);
	assert_int_equal(npi_taken(b), 0);
	assert_int_equal(rx_release(b), FFA_RET_DENIED);
	fix_vm_destroy(a);
	fix_vm_destroy(b);
	fix_vm_destroy(old);
	fix_vm_destroy(fresh);
	fix_vm_destroy(nomap);
	fix_destroy(fix);
}

/* The sender denies, or the receiver does: DENIED both ways, whoever sends. */
static void refusals_policy(void **state)
{
	(void)state;
	const struct ffamed_vm_policy *pols[][2] = {
		{&pol_a_denies, NULL},
		{NULL, &pol_b_denies},
	};

	for (int i = 0; i < 2; i++) {
		struct fix *fix = make(false);
		struct fix_vm *a = make_vm(fix, 1, FFA_VERSION_1_2, 1, pols[i][0]);
		struct fix_vm *b = make_vm(fix, 2, FFA_VERSION_1_2, 1, pols[i][1]);
		struct fix_vm *c = make_vm(fix, 3, FFA_VERSION_1_2, 1, NULL);

		put_msg(a, 2, 8, 0);
		assert_int_equal(send2_rc(a), FFA_RET_DENIED);
		put_msg(b, 1, 8, 0);
		assert_int_equal(send2_rc(b), FFA_RET_DENIED);
		/* Header errors still come first. */
		put_msg(a, 2, 0, 0);
		assert_int_equal(send2_rc(a), FFA_RET_INVALID_PARAMETERS);
		/* Others are not affected. */
		put_msg(a, 3, 8, 0);
		assert_ffa_success(send2(a));
		assert_int_equal(rx_release(c), FFA_RET_OK);
		put_msg(b, 3, 8, 0);
		assert_ffa_success(send2(b));
		assert_int_equal(npi_taken(a) | npi_taken(b), 0);
		fix_vm_destroy(a);
		fix_vm_destroy(b);
		fix_vm_destroy(c);
		fix_destroy(fix);
	}
}

/* ---- Hostile sender ---------------------------------------------------------------------- */

#define HOSTILE_SENDS 4000u

struct hostile {
	struct fix_vm *a;
	_Atomic bool stop;
};

/* Rewrites the header field by field as fast as it can: mostly a good
 * header (sizes and offsets vary), now and then one field bad. A send sees
 * any mix of two rewrites. */
static void *hostile_writer(void *p)
{
	struct hostile *h = p;
	_Atomic uint32_t *w = fix_vm_ptr(h->a, TX_IPA);
	_Atomic uint16_t *ids = (_Atomic uint16_t *)(void *)((uint8_t *)w + 12);
	static const uint32_t good_off[] = {HDR_1_2, 100, 3000};
	static const uint32_t good_size[] = {1, 50, 1000};
	static const uint32_t bad_off[] = {0, FFA_PAGE_SIZE - 1, 0xFFFFFFF0u};
	static const uint32_t bad_size[] = {0, 0xFFFFFFFFu, FFA_PAGE_SIZE - HDR_1_2};
	uint32_t x = 12345;

	while (!atomic_load(&h->stop)) {
		uint32_t off, size, bad;

		x = x * 1103515245u + 12345u;
		off = good_off[(x >> 8) % 3];
		size = good_size[(x >> 12) % 3];
		bad = (x >> 16) % 16; /* 0..5: one field bad */
		if (bad == 0)
			off = bad_off[(x >> 20) % 3];
		else if (bad == 1)
			size = bad_size[(x >> 20) % 3];
		atomic_store_explicit(&w[2], off, memory_order_relaxed);
		atomic_store_explicit(&w[4], size, memory_order_relaxed);
		atomic_store_explicit(&w[0], bad == 2, memory_order_relaxed);
		atomic_store_explicit(&ids[0],
				      bad == 3	 ? 3
				      : bad == 4 ? 1
						 : 2,
				      memory_order_relaxed);
		atomic_store_explicit(&ids[1], bad == 5 ? 2 : 1, memory_order_relaxed);
		/* On a loaded machine, not stuck preempted on one state. */
		if ((x >> 24) % 64 == 0)
			sched_yield();
	}
	return NULL;
}

/* Every SUCCESS delivered a header that agrees with what is in the RX:
 * offset = the receiver's header size, size within the RX, the payload
 * exactly that long (the TX payload area is one constant byte), nothing
 * written after it. Anything else is INVALID_PARAMETERS. */
static void hostile_sender(void **state)
{
	(void)state;
	struct fix *fix = make(false);
	struct fix_vm *a = make_vm(fix, 1, FFA_VERSION_1_2, 1, NULL);
	struct fix_vm *b = make_vm(fix, 2, FFA_VERSION_1_2, 1, NULL);
	struct hostile h = {.a = a};
	uint8_t *rx = malloc(FFA_PAGE_SIZE);
	uint32_t ok = 0, invalid = 0;
	pthread_t t;

	assert_non_null(rx);
	guest_fill(a, TX_IPA, 0x5A, FFA_PAGE_SIZE);
	put_hdr(a, HDR_1_2, 1, 2, HDR_1_2, 8, NULL);
	assert_int_equal(pthread_create(&t, NULL, hostile_writer, &h), 0);
	for (uint32_t i = 0; i < HOSTILE_SENDS; i++) {
		int32_t rc = send2_rc(a);
		struct ffa_msg_hdr m;

		sched_yield(); /* let the writer move on */
		if (rc == FFA_RET_INVALID_PARAMETERS) {
			invalid++;
			continue;
		}
		if (rc != FFA_RET_OK)
			fail_msg("send %u: %d", i, (int)rc);
		ok++;
		guest_read(b, rx_ipa(b), rx, FFA_PAGE_SIZE);
		memcpy(&m, rx, sizeof(m));
		assert_int_equal(m.flags | m.reserved0 | m.reserved1, 0);
		assert_int_equal(m.offset, HDR_1_2);
		assert_int_equal(m.sender, 1);
		assert_int_equal(m.receiver, 2);
		assert_true(m.size >= 1 && m.size <= FFA_PAGE_SIZE - HDR_1_2);
		for (uint32_t j = HDR_1_2; j < FFA_PAGE_SIZE; j++)
			if (rx[j] != (j < HDR_1_2 + m.size ? 0x5A : RX_FILL))
				fail_msg("send %u: size %u, RX byte %u is %x", i, m.size, j, rx[j]);
		assert_int_equal(rx_release(b), FFA_RET_OK);
		guest_fill(b, rx_ipa(b), RX_FILL, FFA_PAGE_SIZE);
	}
	atomic_store(&h.stop, true);
	pthread_join(t, NULL);
	assert_int_equal(ok + invalid, HOSTILE_SENDS);
	print_message("hostile sender: %u SUCCESS, %u INVALID_PARAMETERS\n", ok, invalid);
	/* Once the sender calms down, it is served again. */
	put_hdr(a, HDR_1_2, 1, 2, HDR_1_2, 8, NULL);
	assert_ffa_success(send2(a));
	assert_int_equal(rx_release(b), FFA_RET_OK);
	free(rx);
	fix_vm_destroy(a);
	fix_vm_destroy(b);
	fix_destroy(fix);
}

/* ---- Teardown ------------------------------------------------------------------------------ */

/* A receiver destroyed with an unread message: its forwarded pair goes,
 * nothing leaks (fix_destroy checks pins, maps, allocations, references). */
static void teardown_receiver_unread(void **state)
{
	(void)state;
	for (int f = 0; f < 2; f++) {
		struct fix *fix = make(f);
		struct fix_vm *a = make_vm(fix, 1, FFA_VERSION_1_2, 1, NULL);
		struct fix_vm *b = make_vm(fix, 2, FFA_VERSION_1_1, 2, NULL);

		put_msg(a, 2, 500, 4);
		assert_ffa_success(send2(a));
		assert_int_equal(fix_vm_pins(b), 4);
		fix_vm_destroy(b);
		assert_int_equal(ffamed_spmc_vm_rx_owner(fix->spmc, 2), FFAMED_SPMC_RX_UNMAPPED);
		assert_int_equal(ffamed_spmc_vm_mailbox_count(fix->spmc), f ? 0 : 1);
		/* The sender goes on: the receiver is gone. */
		assert_int_equal(send2_rc(a), FFA_RET_INVALID_PARAMETERS);
		fix_vm_destroy(a);
		fix_destroy(fix);
	}
}

/* A sender destroyed after SUCCESS: the message was acknowledged and stays. */
static void teardown_sender_after_success(void **state)
{
	(void)state;
	for (int f = 0; f < 2; f++) {
		struct fix *fix = make(f);
		struct fix_vm *a = make_vm(fix, 1, FFA_VERSION_1_2, 1, NULL);
		struct fix_vm *b = make_vm(fix, 2, FFA_VERSION_1_2, 1, NULL);

		put_hdr(a, HDR_1_2, 1, 2, HDR_1_2, 300, &uuid_a);
		put_payload(a, HDR_1_2, 300, 8);
		assert_ffa_success(send2(a));
		fix_vm_destroy(a);
		assert_int_equal(npi_taken(b), NPI_BIT);
		assert_int_equal(get_hyp_fwk(b), FFA_FWK_NOTIF_RX_FULL);
		check_rx(b, 1, 300, 8, &uuid_a);
		assert_int_equal(rxtx_unmap(b), FFA_RET_DENIED);
		assert_int_equal(rx_release(b), FFA_RET_OK);
		assert_int_equal(rxtx_unmap(b), FFA_RET_OK);
		fix_vm_destroy(b);
		fix_destroy(fix);
	}
}

/* ---- VM -> SP ------------------------------------------------------------------------------- */

struct sp_hook {
	bool emulate; /* answer FEATURES(SEND2) and SEND2 as an SPMC taking it would */
	int32_t answer;
	_Atomic uint64_t sends;
	uint64_t last_w1;
	struct ffa_msg_hdr seen; /* the header in the VM's TX when the SPMC was called */
	struct fix_vm *sender;
};

static bool sp_hook_fn(struct fix *fix, struct ffamed_regs *regs, void *arg)
{
	struct sp_hook *h = arg;

	(void)fix;
	if ((uint32_t)regs->x[0] == FFA_MSG_SEND2) {
		atomic_fetch_add(&h->sends, 1);
		h->last_w1 = regs->x[1];
		if (h->sender)
			memcpy(&h->seen, fix_vm_ptr(h->sender, TX_IPA), sizeof(h->seen));
		if (!h->emulate)
			return false;
		if (h->answer == FFA_RET_OK)
			ffa_set_success32(regs, 0, 0, 0);
		else
			ffa_set_error(regs, h->answer);
		return true;
	}
	if (h->emulate && (uint32_t)regs->x[0] == FFA_FEATURES &&
	    (uint32_t)regs->x[1] == FFA_MSG_SEND2) {
		ffa_set_success32(regs, 0, 0, 0);
		return true;
	}
	return false;
}

static struct sp_hook *sp_hook_new(bool emulate)
{
	struct sp_hook *h = calloc(1, sizeof(*h));

	assert_non_null(h);
	h->emulate = emulate;
	h->answer = FFA_RET_OK;
	return h;
}

/* The default SP set with the echo SP taking indirect messages. */
static struct ffamed_sp_config sp_cfgs[4];
static struct ffamed_sp_echo sp_echo_state, sp_echo_mp_state;
static struct ffamed_sp_vmwatch sp_vmwatch_state;
static struct ffamed_sp_optee sp_optee_state;

static struct fix *make_sp_fix(struct sp_hook *h, bool no_vm_rxtx, bool vm_to_vm)
{
	struct fix_opts o = {.med_cfg = {.vm_to_vm = vm_to_vm}};

	ffamed_sp_echo_config(&sp_cfgs[0], &sp_echo_state, FIX_SP_ECHO, 1);
	ffamed_sp_vmwatch_config(&sp_cfgs[1], &sp_vmwatch_state, FIX_SP_VMWATCH, 1);
	ffamed_sp_optee_config(&sp_cfgs[2], &sp_optee_state, FIX_SP_OPTEE, 1);
	ffamed_sp_echo_config(&sp_cfgs[3], &sp_echo_mp_state, FIX_SP_ECHO_MP, 4);
	sp_cfgs[0].properties |= FFA_PART_PROP_INDIRECT_MSG;
	o.sps = sp_cfgs;
	o.sp_count = 4;
	o.faults.no_vm_rxtx = no_vm_rxtx;
	o.hook = sp_hook_fn;
	o.hook_arg = h;
	return fix_create(&o);
}

/* VM-to-VM off: SEND2 is not even served unless some SP takes indirect
 * messages; when it is (an SPMC taking SEND2, emulated), VMs get DENIED. */

static void vm_to_vm_off(void **state)
{
	(void)state;
	for (int emulate = 0; emulate < 2; emulate++) {
		struct sp_hook *h = sp_hook_new(emulate);
		struct fix *fix = make_sp_fix(h, false, false);
		struct fix_vm *a = make_vm(fix, 1, FFA_VERSION_1_2, 1, NULL);
		struct fix_vm *b = make_vm(fix, 2, FFA_VERSION_1_2, 1, NULL);
		/* Served when the SPMC takes SEND2 (emulated, or the software
		 * SPMC once it does): the echo SP here has property bit 2. */
		bool served = fix->med->fw_abis & MED_FW_MSG_SEND2;
		int32_t off = served ? FFA_RET_DENIED : FFA_RET_NOT_SUPPORTED;

		if (emulate)
			assert_true(served);
		put_msg(a, 2, 8, 0);
		assert_int_equal(send2_rc(a), off);
		/* Also for an unknown VM. */
		put_msg(a, 9, 8, 0);
		assert_int_equal(send2_rc(a), off);
		put_msg(a, 2, 0, 0);
		assert_int_equal(send2_rc(a), served ? FFA_RET_INVALID_PARAMETERS : off);
		assert_int_equal(rx_release(b), FFA_RET_DENIED);
		assert_int_equal(npi_taken(b), 0);
		fix_vm_destroy(a);
		fix_vm_destroy(b);
		fix_destroy(fix);
		free(h);
	}
}

/* The mediator's own checks, with the software SPMC (which did not take
 * SEND2 when this was written: then a good message is NOT_SUPPORTED) and
 * with one that does (emulated by the hook). */
static void vm_to_sp_refusals(void **state)
{
	(void)state;
	static const struct ffamed_peer_rights no_sp[] = {{.peer = SP_INDIR, .rights = 0}};
	static const struct ffamed_vm_policy pol_no_sp = {
		.sp_default = FFAMED_RIGHTS_ALL,
		.vm_default = FFAMED_RIGHTS_ALL,
		.peers = no_sp,
		.peer_count = 1,
	};

	for (int emulate = 0; emulate < 2; emulate++) {
		struct sp_hook h = {.emulate = emulate, .answer = FFA_RET_OK};
		struct fix *fix = make_sp_fix(&h, false, true);
		struct fix_vm *a = make_vm(fix, 1, FFA_VERSION_1_2, 1, NULL);
		struct fix_vm *d = make_vm(fix, 2, FFA_VERSION_1_2, 1, &pol_no_sp);
		struct fix_vm *n = make_vm(fix, 3, FFA_VERSION_1_2, 0, NULL);
		bool spmc_takes = fix->med->fw_abis & MED_FW_MSG_SEND2;
		struct ffamed_regs in = {{FFA_MSG_SEND2, 0, 0, 0, 0, 0, 0, 1}};

		/* The emulation is seen; the software SPMC (until it serves
		 * SEND2) is not: then the good path is NOT_SUPPORTED. */
		if (emulate)
			assert_true(spmc_takes);
		assert_true(a->vm->rxtx.forwarded);

		put_msg(a, SP_INDIR, 8, 0);
		assert_ffa_error(fix_call_regs(a, 0, &in), FFA_RET_INVALID_PARAMETERS);
		assert_int_equal(send2_rc(n), FFA_RET_DENIED);
		/* Header checks, as for a VM. */
		put_msg(a, SP_INDIR, 0, 0);
		assert_int_equal(send2_rc(a), FFA_RET_INVALID_PARAMETERS);
		put_hdr(a, HDR_1_2, 1, SP_INDIR, HDR_1_1, 8, NULL);
		assert_int_equal(send2_rc(a), FFA_RET_INVALID_PARAMETERS);
		put_hdr(a, HDR_1_2, 2, SP_INDIR, HDR_1_2, 8, NULL);
		assert_int_equal(send2_rc(a), FFA_RET_INVALID_PARAMETERS);
		/* Nothing bounds the size at the receiver here: the sender's
		 * TX does, overflow-safe. */
		put_hdr(a, HDR_1_2, 1, SP_INDIR, 0xFFFFFFF0u, 0x10, NULL);
		assert_int_equal(send2_rc(a), FFA_RET_INVALID_PARAMETERS);
		put_hdr(a, HDR_1_2, 1, SP_INDIR, HDR_1_2, 0xFFFFFFFFu, NULL);
		assert_int_equal(send2_rc(a), FFA_RET_INVALID_PARAMETERS);
		put_hdr(a, HDR_1_2, 1, SP_INDIR, 100, FFA_PAGE_SIZE - 99, NULL);
		assert_int_equal(send2_rc(a), FFA_RET_INVALID_PARAMETERS);
		/* No such SP; a UUID the SP does not have. */
		put_msg(a, 0x8077, 8, 0);
		assert_int_equal(send2_rc(a), FFA_RET_INVALID_PARAMETERS);
		put_hdr(a, HDR_1_2, 1, SP_INDIR, HDR_1_2, 8, &uuid_a);
		assert_int_equal(send2_rc(a), FFA_RET_INVALID_PARAMETERS);
		/* The policy; an SP without the indirect-message property. */
		put_msg(d, SP_INDIR, 8, 0);
		assert_int_equal(send2_rc(d), FFA_RET_DENIED);
		put_msg(a, FIX_SP_OPTEE, 8, 0);
		assert_int_equal(send2_rc(a), FFA_RET_DENIED);
		put_msg(d, FIX_SP_OPTEE, 8, 0);
		assert_int_equal(send2_rc(d), FFA_RET_DENIED);
		/* None of these reached the SPMC. */
		assert_int_equal(atomic_load(&h.sends), 0);

		/* A good message: forwarded only to an SPMC that takes SEND2. */
		put_msg(a, SP_INDIR, 8, 0);
		h.sender = a;
		if (!spmc_takes) {
			assert_int_equal(send2_rc(a), FFA_RET_NOT_SUPPORTED);
			assert_int_equal(atomic_load(&h.sends), 0);
		} else {
			assert_ffa_success(send2(a));
			assert_int_equal(atomic_load(&h.sends), 1);
			assert_int_equal(h.last_w1, (uint64_t)1 << 16);
			assert_int_equal(h.seen.receiver, SP_INDIR);
			assert_int_equal(h.seen.sender, 1);
		}
		if (emulate) {
			/* The SPMC's refusals pass through. */
			h.answer = FFA_RET_BUSY;
			assert_int_equal(send2_rc(a), FFA_RET_BUSY);
			h.answer = FFA_RET_INVALID_PARAMETERS;
			assert_int_equal(send2_rc(a), FFA_RET_INVALID_PARAMETERS);
			assert_int_equal(atomic_load(&h.sends), 3);
		}
		/* The echo SP's own UUID is fine (v1.2 sender). */
		put_hdr(a, HDR_1_2, 1, SP_INDIR, HDR_1_2, 8, &sp_cfgs[0].uuids[0]);
		h.answer = FFA_RET_OK;
		assert_int_equal(send2_rc(a), spmc_takes ? FFA_RET_OK : FFA_RET_NOT_SUPPORTED);
		fix_vm_destroy(a);
		fix_vm_destroy(d);
		fix_vm_destroy(n);
		fix_destroy(fix);
	}
}

/* A pair the SPMC did not map: it could not read the TX. */
static void vm_to_sp_pair_not_forwarded(void **state)
{
	(void)state;
	for (int emulate = 0; emulate < 2; emulate++) {
		struct sp_hook h = {.emulate = emulate, .answer = FFA_RET_OK};
		struct fix *fix = make_sp_fix(&h, true, true);
		struct fix_vm *a = make_vm(fix, 1, FFA_VERSION_1_2, 1, NULL);

		assert_false(a->vm->rxtx.forwarded);
		put_msg(a, SP_INDIR, 8, 0);
		assert_int_equal(send2_rc(a), FFA_RET_NOT_SUPPORTED);
		assert_int_equal(atomic_load(&h.sends), 0);
		fix_vm_destroy(a);
		fix_destroy(fix);
	}
}

/*
 * The good path VM -> SP against the software SPMC (src/spmc
 * FFA_MSG_SEND2), per docs/MESSAGING.md "VM -> SP": the mediator's checks
 * pass, it calls FFA_MSG_SEND2 with w1 = VM ID << 16 while the TX is still
 * mapped and holds the message, and the SPMC's SUCCESS comes back to the
 * VM. The SPMC must offer FFA_MSG_SEND2 (asserted first).
 */
static void vm_to_sp_spmc_good_path(void **state)
{
	(void)state;
	struct sp_hook h = {.emulate = false};
	struct fix *fix = make_sp_fix(&h, false, true);
	struct ffamed_regs q = {{FFA_FEATURES, FFA_MSG_SEND2}};
	struct fix_vm *a, *b;
	uint8_t junk[HDR_1_2 - HDR_1_1];

	ffamed_spmc_call(fix->spmc, 0, &q);
	assert_ffa_success(q);
	assert_true(fix->med->fw_abis & MED_FW_MSG_SEND2);
	a = make_vm(fix, 1, FFA_VERSION_1_2, 1, NULL);
	b = make_vm(fix, 2, FFA_VERSION_1_1, 1, NULL);
	assert_true(a->vm->rxtx.forwarded);
	h.sender = a;
	put_hdr(a, HDR_1_2, 1, SP_INDIR, HDR_1_2, 16, &sp_cfgs[0].uuids[0]);
	put_payload(a, HDR_1_2, 16, 3);
	assert_ffa_success(send2(a));
	assert_int_equal(atomic_load(&h.sends), 1);
	assert_int_equal(h.last_w1, (uint64_t)1 << 16);
	assert_int_equal(h.seen.sender, 1);
	assert_int_equal(h.seen.receiver, SP_INDIR);
	assert_int_equal(h.seen.size, 16);
	assert_int_equal(ffamed_spmc_call_count(fix->spmc, FFA_MSG_SEND2), 1);
	/* Nil UUID, payload right after the header. */
	put_msg(a, SP_INDIR, 8, 4);
	assert_ffa_success(send2(a));
	/* A v1.1 sender: a 20-byte header, its bytes 20..39 are payload or
	 * junk, never a reserved field or a UUID. */
	memset(junk, 0x77, sizeof(junk));
	guest_write(b, TX_IPA + HDR_1_1, junk, sizeof(junk));
	put_hdr(b, HDR_1_1, 2, SP_INDIR, HDR_1_1, 8, NULL);
	assert_ffa_success(send2(b));
	assert_int_equal(ffamed_spmc_sp_msgs_received(fix->spmc, SP_INDIR), 3);
	assert_false(ffamed_spmc_sp_mailbox_full(fix->spmc, SP_INDIR));
	fix_vm_destroy(a);
	fix_vm_destroy(b);
	fix_destroy(fix);
}

/*
 * A v1.1 VM's header is 20 bytes (docs/MESSAGING.md, the FF-A digest
 * §"Partition message header"); with its payload at offset 100, bytes
 * 20..39 are neither a reserved field nor a UUID, whatever they hold. The
 * SPMC infers the layout from the offset (src/spmc/spmc_msg2.c: offset >= 40
 * reads as a v1.2 header) and cannot know the sender's version, so the
 * mediator refuses such a message unless those bytes are zero: both then
 * agree on what the message is.
 */
static void vm_to_sp_v1_1_header_gap(void **state)
{
	(void)state;
	struct sp_hook h = {.emulate = false};
	struct fix *fix = make_sp_fix(&h, false, true);
	struct ffamed_regs q = {{FFA_FEATURES, FFA_MSG_SEND2}};
	struct fix_vm *b;
	uint8_t junk[HDR_1_2 - HDR_1_1];

	ffamed_spmc_call(fix->spmc, 0, &q);
	assert_ffa_success(q);
	b = make_vm(fix, 2, FFA_VERSION_1_1, 1, NULL);
	memset(junk, 0x77, sizeof(junk));
	guest_write(b, TX_IPA + HDR_1_1, junk, sizeof(junk));
	put_hdr(b, HDR_1_1, 2, SP_INDIR, 100, 8, NULL);
	h.sender = b;
	/* The SPMC would read bytes 20..39 as v1.2 fields (it cannot know
	 * the sender's version): the mediator refuses it first, so that
	 * both agree (docs/MESSAGING.md). */
	assert_ffa_error(send2(b), FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(atomic_load(&h.sends), 0);
	/* Zeroed there, the same message goes through. */
	memset(junk, 0, sizeof(junk));
	guest_write(b, TX_IPA + HDR_1_1, junk, sizeof(junk));
	assert_ffa_success(send2(b));
	assert_int_equal(atomic_load(&h.sends), 1);
	fix_vm_destroy(b);
	fix_destroy(fix);
}

/*
 * SP -> VM and VM -> VM into the same RX (ffamed_sp_msg_send2). The
 * SPMC fills b's forwarded RX behind the mediator's back: a VM's message
 * waits (RX_ACQUIRE refused), GET's w6 tells the mediator the guest owns
 * it, the release goes to the SPMC, and then a VM's message goes in.
 */
static void sp_and_vm_into_one_rx(void **state)
{
	(void)state;
	struct sp_hook h = {.emulate = false};
	struct fix *fix = make_sp_fix(&h, false, true);
	struct ffamed_sp *sp = ffamed_spmc_find_sp(fix->spmc, SP_INDIR);
	struct fix_vm *a = make_vm(fix, 1, FFA_VERSION_1_2, 1, NULL);
	struct fix_vm *b = make_vm(fix, 2, FFA_VERSION_1_2, 1, NULL);
	static const uint8_t hello[5] = "hello";
	uint64_t acq = fix_fw_count(fix, FFA_RX_ACQUIRE);
	struct ffa_msg_hdr m;
	struct ffamed_regs r;
	uint8_t got[5];

	assert_non_null(sp);
	assert_int_equal(ffamed_sp_msg_send2(sp, 0, 2, NULL, hello, 5, 0), 0);
	assert_int_equal(ffamed_spmc_vm_rx_owner(fix->spmc, 2), FFAMED_SPMC_RX_OWNER_NWD);
	put_msg(a, 2, 8, 1);
	assert_int_equal(send2_rc(a), FFA_RET_BUSY);
	assert_int_equal(fix_fw_count(fix, FFA_RX_ACQUIRE), acq + 1);
	r = notif_get(b, FFA_NOTIF_GET_SPM_FWK | FFA_NOTIF_GET_HYP_FWK);
	assert_int_equal(r.x[6], FFA_FWK_NOTIF_RX_FULL);
	assert_int_equal(r.x[7], 0);
	guest_read(b, rx_ipa(b), &m, sizeof(m));
	guest_read(b, rx_ipa(b) + m.offset, got, sizeof(got));
	assert_int_equal(m.sender, SP_INDIR);
	assert_int_equal(m.receiver, 2);
	assert_int_equal(m.size, 5);
	assert_memory_equal(got, hello, 5);
	/* The mediator knows now: no RX_ACQUIRE is even tried. */
	assert_int_equal(send2_rc(a), FFA_RET_BUSY);
	assert_int_equal(fix_fw_count(fix, FFA_RX_ACQUIRE), acq + 1);
	assert_int_equal(rxtx_unmap(b), FFA_RET_DENIED);
	assert_int_equal(rx_release(b), FFA_RET_OK);
	assert_int_equal(ffamed_spmc_vm_rx_owner(fix->spmc, 2), FFAMED_SPMC_RX_OWNER_SPMC);

	guest_fill(b, rx_ipa(b), RX_FILL, FFA_PAGE_SIZE);
	assert_ffa_success(send2(a));
	check_rx(b, 1, 8, 1, NULL);
	/* Now the SP waits. */
	assert_int_equal(ffamed_sp_msg_send2(sp, 0, 2, NULL, hello, 5, 0), FFA_RET_BUSY);
	r = notif_get(b, FFA_NOTIF_GET_SPM_FWK | FFA_NOTIF_GET_HYP_FWK);
	assert_int_equal(r.x[6], 0);
	assert_int_equal(r.x[7], FFA_FWK_NOTIF_RX_FULL);
	assert_int_equal(rx_release(b), FFA_RET_OK);
	assert_int_equal(ffamed_sp_msg_send2(sp, 0, 2, NULL, hello, 5, 0), 0);
	assert_int_equal(rx_release(b), FFA_RET_OK);
	fix_vm_destroy(a);
	fix_vm_destroy(b);
	fix_destroy(fix);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(deliver_all_versions),
		cmocka_unit_test(sizes_at_the_limits),
		cmocka_unit_test(multi_page_buffers),
		cmocka_unit_test(rx_ownership),
		cmocka_unit_test(rx_release_races_get),
		cmocka_unit_test(refusals_sender_side),
		cmocka_unit_test(refusals_receiver_side),
		cmocka_unit_test(refusals_policy),
		cmocka_unit_test(vm_to_vm_off),
		cmocka_unit_test(hostile_sender),
		cmocka_unit_test(teardown_receiver_unread),
		cmocka_unit_test(teardown_sender_after_success),
		cmocka_unit_test(vm_to_sp_refusals),
		cmocka_unit_test(vm_to_sp_pair_not_forwarded),
		cmocka_unit_test(vm_to_sp_spmc_good_path),
		cmocka_unit_test(vm_to_sp_v1_1_header_gap),
		cmocka_unit_test(sp_and_vm_into_one_rx),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
