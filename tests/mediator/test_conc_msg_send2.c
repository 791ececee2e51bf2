/* SPDX-License-Identifier: MIT */
/*
 * Exact accounting of FFA_MSG_SEND2: several sender VMs, each on its own
 * thread, send numbered messages to one receiver VM, retrying on BUSY (the
 * receiver's RX is full). The receiver polls NOTIFICATION_GET, reads the
 * RX when the RX-full framework bit says so, and releases it. Every
 * SUCCESS must be read exactly once, in each sender's order: delivered ==
 * successes, per sender and in total; and the forwarded RX went to and
 * from the SPMC once per message. Bounded by the message counts.
 * Also: the receiver destroyed while senders keep sending to it.
 */
#include <sched.h>
#include <string.h>

#include "med_fixture.h"

#define NSENDERS 3
#define MSGS	 300 /* per sender */
#define RECV_ID	 1
#define TX_IPA	 FIX_IPA_BASE
#define RX_IPA	 (FIX_IPA_BASE + FFA_PAGE_SIZE)
/* A sender that sees nothing but BUSY this many times in a row: the
 * receiver's RX is stuck full (a lost bit or release). */
#define MAX_BUSY_IN_A_ROW 2000000u

struct payload {
	uint32_t sender;
	uint32_t seq;
};

struct sender {
	struct fix_vm *v;
	uint64_t ok, busy;
};

static _Atomic int senders_finished;

static void *sender_thread(void *p)
{
	struct sender *s = p;
	uint32_t hs = ffamed_vm_version(s->v->vm) >= FFA_VERSION_1_2 ? FFA_MSG_HDR_SIZE_1_2
								     : FFA_MSG_HDR_SIZE_1_1;
	struct ffa_msg_hdr h = {
		.offset = hs,
		.receiver = RECV_ID,
		.sender = s->v->id,
		.size = sizeof(struct payload),
	};
	uint8_t *tx = fix_vm_ptr(s->v, TX_IPA);
	uint32_t busy_in_a_row = 0;

	fix_set_cpu(s->v->id % 4);
	memcpy(tx, &h, sizeof(h));
	while (s->ok < MSGS) {
		struct payload m = {.sender = s->v->id, .seq = (uint32_t)s->ok};
		struct ffamed_regs r;

		memcpy(tx + hs, &m, sizeof(m));
		r = fix_call(s->v, 0, FFA_MSG_SEND2, 0, 0, 0, 0, 0);
		if (ffa_result(&r) == FFA_RET_OK) {
			s->ok++;
			busy_in_a_row = 0;
			continue;
		}
		if (ffa_result(&r) != FFA_RET_BUSY)
			fail_msg("VM %u: SEND2 answered %d", s->v->id, (int)ffa_result(&r));
		s->busy++;
		if (++busy_in_a_row > MAX_BUSY_IN_A_ROW)
			fail_msg("VM %u: the receiver's RX stays full", s->v->id);
		sched_yield();
	}
	/* After its last SUCCESS: the receiver reads this before a GET. */
	atomic_fetch_add(&senders_finished, 1);
	return NULL;
}

static void exact_accounting(bool no_vm_rxtx)
{
	struct fix_opts o = {.med_cfg = {.vm_to_vm = true}};
	struct fix *fix;
	struct fix_vm *recv;
	struct sender s[NSENDERS];
	pthread_t t[NSENDERS];
	uint32_t next_seq[NSENDERS] = {0};
	uint64_t delivered = 0, ok = 0, busy = 0, acq0, rel0;

	o.faults.no_vm_rxtx = no_vm_rxtx;
	atomic_store(&senders_finished, 0);
	fix = fix_create(&o);
	recv = fix_vm(fix, RECV_ID, 1);
	fix_negotiate(recv, FFA_VERSION_1_2);
	assert_int_equal(fix_map(recv, TX_IPA, RX_IPA, 1), FFA_RET_OK);
	for (int i = 0; i < NSENDERS; i++) {
		s[i] = (struct sender){.v = fix_vm(fix, (uint16_t)(RECV_ID + 1 + i), 1)};
		/* Mixed versions: the receiver's layout does not depend on them. */
		fix_negotiate(s[i].v, i % 2 ? FFA_VERSION_1_1 : FFA_VERSION_1_2);
		assert_int_equal(fix_map(s[i].v, TX_IPA, RX_IPA, 1), FFA_RET_OK);
	}
	acq0 = fix_fw_count(fix, FFA_RX_ACQUIRE);
	rel0 = fix_fw_count(fix, FFA_RX_RELEASE);
	for (int i = 0; i < NSENDERS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, sender_thread, &s[i]), 0);

	/* The receiver, on this thread, until the senders are done and no
	 * message is left: all senders finished before a GET that finds
	 * nothing means every SUCCESS has been collected. */
	for (;;) {
		bool done = atomic_load(&senders_finished) == NSENDERS;
		struct ffamed_regs r =
			fix_call(recv, 0, FFA_NOTIFICATION_GET, FFA_SENDER_RECEIVER(0, RECV_ID),
				 FFA_NOTIF_GET_HYP_FWK, 0, 0, 0);
		const uint8_t *rx = fix_vm_ptr(recv, RX_IPA);
		struct ffa_msg_hdr h;
		struct payload m;

		assert_int_equal(r.x[0], FFA_SUCCESS_32);
		if (!(r.x[7] & FFA_FWK_NOTIF_RX_FULL)) {
			if (done)
				break;
			sched_yield();
			continue;
		}
		memcpy(&h, rx, sizeof(h));
		memcpy(&m, rx + FFA_MSG_HDR_SIZE_1_2, sizeof(m));
		assert_int_equal(h.offset, FFA_MSG_HDR_SIZE_1_2);
		assert_int_equal(h.receiver, RECV_ID);
		assert_int_equal(h.size, sizeof(m));
		assert_int_equal(h.sender, m.sender);
		assert_true(m.sender > RECV_ID && m.sender <= RECV_ID + NSENDERS);
		/* Exactly once, in order. */
		assert_int_equal(m.seq, next_seq[m.sender - RECV_ID - 1]);
		next_seq[m.sender - RECV_ID - 1]++;
		delivered++;
		assert_ffa_success(fix_call(recv, 0, FFA_RX_RELEASE, 0, 0, 0, 0, 0));
	}
	for (int i = 0; i < NSENDERS; i++)
		pthread_join(t[i], NULL);
	for (int i = 0; i < NSENDERS; i++) {
		assert_int_equal(next_seq[i], s[i].ok);
		ok += s[i].ok;
		busy += s[i].busy;
	}
	assert_int_equal(delivered, ok);
	assert_int_equal(ok, (uint64_t)NSENDERS * MSGS);
	assert_int_equal(fix_fw_count(fix, FFA_RX_ACQUIRE) - acq0, no_vm_rxtx ? 0 : ok);
	assert_int_equal(fix_fw_count(fix, FFA_RX_RELEASE) - rel0, no_vm_rxtx ? 0 : delivered);
	print_message("%s: delivered %lu, BUSY retried %lu\n", no_vm_rxtx ? "local" : "forwarded",
		      (unsigned long)delivered, (unsigned long)busy);
	for (int i = 0; i < NSENDERS; i++)
		fix_vm_destroy(s[i].v);
	fix_vm_destroy(recv);
	fix_destroy(fix);
}

static void exact_accounting_forwarded(void **state)
{
	(void)state;
	exact_accounting(false);
}

static void exact_accounting_local(void **state)
{
	(void)state;
	exact_accounting(true);
}

#define TEARDOWN_SENDS 2000

struct td_sender {
	struct fix_vm *v;
	_Atomic bool *gone;
	_Atomic uint64_t *ok;
};

static void *td_sender_thread(void *p)
{
	struct td_sender *s = p;
	struct ffa_msg_hdr h = {
		.offset = FFA_MSG_HDR_SIZE_1_2,
		.receiver = RECV_ID,
		.sender = s->v->id,
		.size = 8,
	};

	memcpy(fix_vm_ptr(s->v, TX_IPA), &h, sizeof(h));
	for (int n = 0; n < TEARDOWN_SENDS; n++) {
		bool gone = atomic_load(s->gone);
		struct ffamed_regs r = fix_call(s->v, 0, FFA_MSG_SEND2, 0, 0, 0, 0, 0);
		int32_t rc = ffa_result(&r);

		if (rc == FFA_RET_OK)
			atomic_fetch_add(s->ok, 1);
		/* Once ffamed_vm_destroy has returned the receiver is unknown. */
		if (gone ? rc != FFA_RET_INVALID_PARAMETERS
			 : rc != FFA_RET_OK && rc != FFA_RET_BUSY &&
				    rc != FFA_RET_INVALID_PARAMETERS)
			fail_msg("VM %u: SEND2 answered %d (receiver gone: %d)", s->v->id, (int)rc,
				 gone);
		sched_yield();
	}
	return NULL;
}

/* The receiver goes while two VMs send to it; its RX holds an unread
 * message (the first SUCCESS). fix_destroy checks that nothing leaked. */
static void receiver_destroyed_during_sends(void **state)
{
	(void)state;
	struct fix_opts o = {.med_cfg = {.vm_to_vm = true}};
	struct fix *fix = fix_create(&o);
	struct fix_vm *recv = fix_vm(fix, RECV_ID, 1);
	_Atomic bool gone = false;
	_Atomic uint64_t ok = 0;
	struct td_sender s[2];
	pthread_t t[2];

	fix_negotiate(recv, FFA_VERSION_1_2);
	assert_int_equal(fix_map(recv, TX_IPA, RX_IPA, 1), FFA_RET_OK);
	for (int i = 0; i < 2; i++) {
		s[i] = (struct td_sender){
			.v = fix_vm(fix, (uint16_t)(RECV_ID + 1 + i), 1), .gone = &gone, .ok = &ok};
		fix_negotiate(s[i].v, FFA_VERSION_1_2);
		assert_int_equal(fix_map(s[i].v, TX_IPA, RX_IPA, 1), FFA_RET_OK);
	}
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&t[i], NULL, td_sender_thread, &s[i]), 0);
	/* After the first SUCCESS (or none, if the senders are that quick). */
	for (int n = 0; n < 100000 && !atomic_load(&ok); n++)
		sched_yield();
	fix_vm_destroy(recv);
	atomic_store(&gone, true);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	/* One message at most: nobody released the RX. */
	assert_true(atomic_load(&ok) <= 1);
	assert_int_equal(ffamed_spmc_vm_mailbox_count(fix->spmc), 2);
	for (int i = 0; i < 2; i++)
		fix_vm_destroy(s[i].v);
	fix_destroy(fix);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(exact_accounting_forwarded),
		cmocka_unit_test(exact_accounting_local),
		cmocka_unit_test(receiver_destroyed_during_sends),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
