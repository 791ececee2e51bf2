/* SPDX-License-Identifier: MIT */
/*
 * The two-VM lock order (docs/MESSAGING.md "Lock order for two VMs",
 * src/mediator/med_internal.h): VMs 1 and 2 send FFA_MSG_SEND2 to each
 * other from several vCPU threads each, while one more thread per VM reads
 * and releases its RX and unmaps and maps its RX/TX pair again.
 *
 * Why this deadlocks under a wrong order: a send holds both VMs' rxtx_locks
 * while it copies. Were they taken sender first, a 1 -> 2 send would hold
 * VM 1's lock and wait for VM 2's while a 2 -> 1 send holds VM 2's and
 * waits for VM 1's: each waits for the other for ever (and TSan reports
 * the lock-order inversion as soon as both orders have been seen, even
 * on a run that got lucky). Ascending VM ID makes both sends take VM 1's
 * lock first, so one of them simply waits.
 *
 * Every mediator lock acquisition here yields the CPU once it holds the
 * lock (slow_acquire): that widens the window between taking the first and
 * the second lock enough for the wrong order to deadlock without TSan too
 * (tried: with the mediator patched to lock the sender first, 5 runs of 5
 * hung, and TSan reported the inversion). The map/unmap/release threads
 * take one VM's lock at a time, in between, to shake the interleavings.
 * Bounded by iteration counts (the senders'; the other threads stop when
 * they are done); the run must end and leave nothing behind.
 */
#include <sched.h>
#include <string.h>

#include "med_fixture.h"

#define SENDERS	  3   /* vCPU threads sending, per VM */
#define SENDS	  600 /* per sender thread */
#define MAP_EVERY 4   /* drains per unmap/map cycle */
#define PAYLOAD	  24
#define TX_IPA	  FIX_IPA_BASE
#define RX_IPA	  (FIX_IPA_BASE + FFA_PAGE_SIZE)

static struct fix *fix;
static struct fix_vm *vms[2];
static _Atomic uint64_t sent_ok[2], sent_busy[2], sent_denied[2], read_ok[2], remaps[2];
static _Atomic bool senders_done;

/* The fixture's lock, then a yield with it held (see the top comment). */
static void (*fixture_acquire)(void *host, struct ffamed_lock *lock);

static void slow_acquire(void *host, struct ffamed_lock *lock)
{
	fixture_acquire(host, lock);
	sched_yield();
}

struct sender {
	struct fix_vm *v;
	uint16_t vcpu;
};

static void put_msg(struct fix_vm *v, uint16_t to)
{
	struct ffa_msg_hdr h = {
		.offset = FFA_MSG_HDR_SIZE_1_2,
		.receiver = to,
		.sender = v->id,
		.size = PAYLOAD,
	};
	uint8_t *tx = fix_vm_ptr(v, TX_IPA);

	memcpy(tx, &h, sizeof(h));
	memset(tx + sizeof(h), (int)v->id, PAYLOAD);
}

static void *sender_thread(void *p)
{
	struct sender *s = p;
	int i = s->v->id - 1;

	fix_set_cpu(s->vcpu);
	for (int n = 0; n < SENDS; n++) {
		struct ffamed_regs r = fix_call(s->v, s->vcpu, FFA_MSG_SEND2, 0, 0, 0, 0, 0);

		switch (ffa_result(&r)) {
		case FFA_RET_OK:
			atomic_fetch_add(&sent_ok[i], 1);
			break;
		case FFA_RET_BUSY: /* the peer's RX is full or unmapped */
			atomic_fetch_add(&sent_busy[i], 1);
			break;
		case FFA_RET_DENIED: /* our own pair is unmapped just now */
			atomic_fetch_add(&sent_denied[i], 1);
			break;
		default:
			fail_msg("VM %u: SEND2 answered %d", s->v->id, (int)ffa_result(&r));
		}
		if (ffa_result(&r) != FFA_RET_OK)
			sched_yield(); /* let the receiver drain */
	}
	return NULL;
}

/* Reads (GET says full) and releases; the message must be whole. */
static void drain(struct fix_vm *v, uint16_t vcpu)
{
	struct ffamed_regs r =
		fix_call(v, vcpu, FFA_NOTIFICATION_GET, FFA_SENDER_RECEIVER(vcpu, v->id),
			 FFA_NOTIF_GET_HYP_FWK, 0, 0, 0);
	const uint8_t *rx;
	struct ffa_msg_hdr h;
	uint16_t peer = v->id == 1 ? 2 : 1;
	int32_t rc;

	assert_int_equal(r.x[0], FFA_SUCCESS_32);
	if (r.x[7] & FFA_FWK_NOTIF_RX_FULL) {
		/* Ours until we release it: nobody writes it meanwhile. */
		rx = fix_vm_ptr(v, RX_IPA);
		memcpy(&h, rx, sizeof(h));
		assert_int_equal(h.offset, FFA_MSG_HDR_SIZE_1_2);
		assert_int_equal(h.sender, peer);
		assert_int_equal(h.receiver, v->id);
		assert_int_equal(h.size, PAYLOAD);
		for (int j = 0; j < PAYLOAD; j++)
			assert_int_equal(rx[sizeof(h) + j], peer);
		atomic_fetch_add(&read_ok[v->id - 1], 1);
	}
	r = fix_call(v, vcpu, FFA_RX_RELEASE, 0, 0, 0, 0, 0);
	rc = ffa_result(&r);
	if (rc != FFA_RET_OK && rc != FFA_RET_DENIED)
		fail_msg("VM %u: RX_RELEASE answered %d", v->id, (int)rc);
}

static void *mapper_thread(void *p)
{
	struct sender *s = p;

	fix_set_cpu(s->vcpu);
	for (unsigned n = 0; !atomic_load(&senders_done); n++) {
		struct ffamed_regs r;
		int32_t rc;

		drain(s->v, s->vcpu);
		if (n % MAP_EVERY == 0) {
			/* DENIED: a message came after the release. */
			r = fix_call(s->v, s->vcpu, FFA_RXTX_UNMAP, 0, 0, 0, 0, 0);
			rc = ffa_result(&r);
			if (rc != FFA_RET_OK && rc != FFA_RET_DENIED)
				fail_msg("VM %u: RXTX_UNMAP answered %d", s->v->id, (int)rc);
			if (rc == FFA_RET_OK) {
				assert_int_equal(fix_map(s->v, TX_IPA, RX_IPA, 1), FFA_RET_OK);
				atomic_fetch_add(&remaps[s->v->id - 1], 1);
			}
		}
		sched_yield();
	}
	return NULL;
}

static void two_vms_send_to_each_other(void **state)
{
	(void)state;
	struct fix_opts o = {.med_cfg = {.vm_to_vm = true}};
	struct sender s[2][SENDERS + 1];
	pthread_t t[2][SENDERS + 1];
	uint64_t acq0, acq;

	fix = fix_create(&o);
	/* The mediator calls through fix->ops; no thread runs yet. */
	fixture_acquire = fix->ops.lock_acquire;
	fix->ops.lock_acquire = slow_acquire;
	for (int i = 0; i < 2; i++) {
		vms[i] = fix_vm(fix, (uint16_t)(i + 1), SENDERS + 1);
		fix_negotiate(vms[i], FFA_VERSION_1_2);
		assert_int_equal(fix_map(vms[i], TX_IPA, RX_IPA, 1), FFA_RET_OK);
		put_msg(vms[i], (uint16_t)(2 - i));
	}
	acq0 = fix_fw_count(fix, FFA_RX_ACQUIRE);
	for (int i = 0; i < 2; i++)
		for (int j = 0; j <= SENDERS; j++) {
			s[i][j] = (struct sender){.v = vms[i], .vcpu = (uint16_t)j};
			assert_int_equal(pthread_create(&t[i][j], NULL,
							j < SENDERS ? sender_thread : mapper_thread,
							&s[i][j]),
					 0);
		}
	for (int i = 0; i < 2; i++)
		for (int j = 0; j < SENDERS; j++)
			pthread_join(t[i][j], NULL);
	atomic_store(&senders_done, true);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i][SENDERS], NULL);

	/* Both directions got to the double lock (a send that passed its
	 * first look: SUCCESS or BUSY), so both orders were exercised. */
	for (int i = 0; i < 2; i++)
		assert_true(atomic_load(&sent_ok[i]) + atomic_load(&sent_busy[i]) > 0);
	/* Every delivery took the forwarded RX from the SPMC once. */
	acq = fix_fw_count(fix, FFA_RX_ACQUIRE) - acq0;
	assert_int_equal(acq, atomic_load(&sent_ok[0]) + atomic_load(&sent_ok[1]));
	print_message("sent ok %lu/%lu busy %lu/%lu denied %lu/%lu read %lu/%lu remaps %lu/%lu\n",
		      (unsigned long)sent_ok[0], (unsigned long)sent_ok[1],
		      (unsigned long)sent_busy[0], (unsigned long)sent_busy[1],
		      (unsigned long)sent_denied[0], (unsigned long)sent_denied[1],
		      (unsigned long)read_ok[0], (unsigned long)read_ok[1],
		      (unsigned long)remaps[0], (unsigned long)remaps[1]);

	/* Quiet now: both pairs mapped and empty, the SPMC agreeing, and one
	 * message each way goes through. */
	for (int i = 0; i < 2; i++) {
		drain(vms[i], 0);
		assert_int_equal(fix_vm_pins(vms[i]), 2); /* the pair is mapped */
		assert_int_equal(ffamed_spmc_vm_rx_owner(fix->spmc, vms[i]->id),
				 FFAMED_SPMC_RX_OWNER_SPMC);
	}
	for (int i = 0; i < 2; i++)
		assert_ffa_success(fix_call(vms[i], 0, FFA_MSG_SEND2, 0, 0, 0, 0, 0));
	for (int i = 0; i < 2; i++) {
		uint64_t before = atomic_load(&read_ok[i]);

		drain(vms[i], 0);
		assert_int_equal(atomic_load(&read_ok[i]), before + 1);
		fix_vm_destroy(vms[i]);
	}
	fix_destroy(fix);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(two_vms_send_to_each_other),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
