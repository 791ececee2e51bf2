/* SPDX-License-Identifier: MIT */
/*
 * Indirect messaging under concurrency, one thread per CPU:
 *   - four VMs send FFA_MSG_SEND2 to the same counting SP at once (its one
 *     mailbox makes some of them BUSY);
 *   - two VMs make ECHO round trips (send, find the echo in their RX, get
 *     the SPM framework bit, release);
 *   - the counting SP sends to a seventh VM while that VM's hypervisor
 *     thread consumes and releases.
 * Exact accounting: delivered + BUSY == attempts for every sender, the SP
 * saw every delivered message once with its payload intact, every echo and
 * SP -> VM message was consumed once (or is still in the RX at the end),
 * and the SRIs match the notifications set.
 */
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>

#include "spmc_fixture.h"

#define COUNT_SP     0x8010u
#define N_SENDERS    4 /* VMs 1..4 on CPUs 0..3 */
#define ECHO_VM0     5 /* VMs 5, 6 on CPUs 4, 5 */
#define N_ECHOERS    2
#define SINK_VM	     7 /* fed by COUNT_SP on CPU 6, consumed on CPU 7 */
#define SEND_ITERS   1500
#define ECHO_ITERS   600
#define SINK_ITERS   3000
#define PAYLOAD_SIZE 48

static struct {
	struct fx *f;
	atomic_ulong handled[SINK_VM + 1];
	atomic_ulong bad_payload;
	atomic_bool producer_done;
} g;

/* Page layout: VM v has RX at 10 + 2v and TX at 11 + 2v. */
static uint32_t rx_page(uint16_t vm)
{
	return 10u + 2u * vm;
}

static uint32_t tx_page(uint16_t vm)
{
	return 11u + 2u * vm;
}

/* Payload byte i of message `seq` from `vm`. */
static uint8_t pattern(uint16_t vm, uint32_t seq, uint32_t i)
{
	return (uint8_t)(vm * 31u + seq * 7u + i);
}

/* The SP checks what it got and takes its time, so senders overlap. */
static void count_indirect_msg(struct ffamed_sp *sp, const struct ffamed_sp_indirect_msg *msg)
{
	const uint8_t *p = msg->payload;
	uint32_t seq;

	(void)sp;
	memcpy(&seq, p, sizeof(seq));
	if (msg->size != PAYLOAD_SIZE || msg->sender == 0 || msg->sender > N_SENDERS ||
	    msg->receiver != COUNT_SP)
		atomic_fetch_add(&g.bad_payload, 1);
	for (uint32_t i = 4; i < msg->size; i++)
		if (p[i] != pattern(msg->sender, seq, i))
			atomic_fetch_add(&g.bad_payload, 1);
	if (msg->sender <= SINK_VM)
		atomic_fetch_add(&g.handled[msg->sender], 1);
	sched_yield();
}

static const struct ffamed_sp_ops count_ops = {.indirect_msg = count_indirect_msg};

static void write_msg(struct fx *f, uint16_t vm, uint16_t receiver, uint32_t seq)
{
	uint8_t *tx = fx_va(f, fx_pa(tx_page(vm)));
	struct ffa_msg_hdr h = {
		.offset = FFA_MSG_HDR_SIZE_1_2,
		.receiver = receiver,
		.sender = vm,
		.size = PAYLOAD_SIZE,
	};

	memcpy(tx, &h, sizeof(h));
	memcpy(tx + h.offset, &seq, sizeof(seq));
	for (uint32_t i = 4; i < PAYLOAD_SIZE; i++)
		tx[h.offset + i] = pattern(vm, seq, i);
}

struct worker {
	uint16_t vm;
	uint32_t cpu;
	unsigned long ok, busy, other;
	pthread_t thread;
};

static void *sender_main(void *arg)
{
	struct worker *w = arg;

	for (uint32_t seq = 0; seq < SEND_ITERS; seq++) {
		struct ffamed_regs r;

		write_msg(g.f, w->vm, COUNT_SP, seq);
		r = fx_call(g.f, w->cpu, FFA_MSG_SEND2, (uint64_t)w->vm << 16, 0, 0, 0, 0, 0, 0);
		if (ffa_is_success(&r))
			w->ok++;
		else if (ffa_error_code(&r) == FFA_RET_BUSY)
			w->busy++;
		else
			w->other++;
		/* Let the others in, so that every sender gets through at times. */
		sched_yield();
	}
	return NULL;
}

/* Takes the message in `vm`'s RX as its hypervisor would: GET the SPM
 * framework bit, read, release. Returns false on any inconsistency. */
static bool consume(uint16_t vm, uint32_t cpu, uint16_t from, uint32_t *seq)
{
	const uint8_t *rx = fx_va(g.f, fx_pa(rx_page(vm)));
	struct ffa_msg_hdr h;
	struct ffamed_regs r;

	r = fx_call(g.f, cpu, FFA_NOTIFICATION_GET, vm, FFA_NOTIF_GET_SPM_FWK, 0, 0, 0, 0, 0);
	if (!ffa_is_success(&r) || r.x[6] != FFA_FWK_NOTIF_RX_FULL)
		return false;
	memcpy(&h, rx, sizeof(h));
	memcpy(seq, rx + h.offset, sizeof(*seq));
	if (h.sender != from || h.receiver != vm || h.size != PAYLOAD_SIZE || h.offset != 40)
		return false;
	r = fx_call(g.f, cpu, FFA_RX_RELEASE, vm, 0, 0, 0, 0, 0, 0);
	return ffa_is_success(&r);
}

static void *echoer_main(void *arg)
{
	struct worker *w = arg;
	const uint8_t *rx = fx_va(g.f, fx_pa(rx_page(w->vm)));
	uint16_t echo = w->vm == ECHO_VM0 ? FX_ECHO_MP : FX_ECHO_UP;

	for (uint32_t seq = 0; seq < ECHO_ITERS; seq++) {
		struct ffamed_regs r;
		uint32_t got;
		bool same;

		write_msg(g.f, w->vm, echo, seq);
		r = fx_call(g.f, w->cpu, FFA_MSG_SEND2, (uint64_t)w->vm << 16, 0, 0, 0, 0, 0, 0);
		if (!ffa_is_success(&r)) {
			w->other++;
			continue;
		}
		/* Nobody else writes this VM's RX: the echo is there now. */
		if (ffamed_spmc_vm_rx_owner(g.f->spmc, w->vm) != FFAMED_SPMC_RX_OWNER_NWD) {
			w->other++;
			continue;
		}
		same = true;
		for (uint32_t i = 4; i < PAYLOAD_SIZE; i++)
			same = same && rx[40 + i] == pattern(w->vm, seq, i);
		if (!consume(w->vm, w->cpu, echo, &got) || got != seq || !same)
			w->other++;
		else
			w->ok++;
	}
	return NULL;
}

static void *producer_main(void *arg)
{
	struct worker *w = arg;
	struct ffamed_sp *sp = ffamed_spmc_find_sp(g.f->spmc, COUNT_SP);
	uint8_t payload[PAYLOAD_SIZE] = {0};

	for (uint32_t seq = 0; seq < SINK_ITERS; seq++) {
		int32_t rc;

		memcpy(payload, &seq, sizeof(seq));
		rc = ffamed_sp_msg_send2(sp, w->cpu, SINK_VM, NULL, payload, sizeof(payload), 0);
		if (rc == 0)
			w->ok++;
		else if (rc == FFA_RET_BUSY)
			w->busy++;
		else
			w->other++;
		if (seq % 8 == 0)
			sched_yield();
	}
	atomic_store(&g.producer_done, true);
	return NULL;
}

static void *consumer_main(void *arg)
{
	struct worker *w = arg;
	bool have_last = false;
	uint32_t last = 0;

	for (;;) {
		bool done = atomic_load(&g.producer_done);
		uint32_t seq;

		if (ffamed_spmc_vm_rx_owner(g.f->spmc, SINK_VM) == FFAMED_SPMC_RX_OWNER_NWD) {
			/* Sequence numbers only go up: nothing lost and redelivered. */
			if (!consume(SINK_VM, w->cpu, COUNT_SP, &seq) || (have_last && seq <= last))
				w->other++;
			else
				w->ok++;
			have_last = true;
			last = seq;
		} else if (done) {
			break;
		} else {
			sched_yield();
		}
	}
	return NULL;
}

static void add_count_sp(struct fx *f)
{
	struct ffamed_sp_config *c = &f->sps[f->sp_count++];
	struct ffa_uuid u = {{0xc0, 0x47, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14}};

	memset(c, 0, sizeof(*c));
	c->name = "count";
	c->id = COUNT_SP;
	c->exec_ctx_count = 1;
	c->properties = FFA_PART_PROP_INDIRECT_MSG | FFA_PART_PROP_AARCH64;
	c->uuid_count = 1;
	c->uuids[0] = u;
	c->version = FFA_VERSION_1_2;
	c->ops = &count_ops;
}

static void test_conc_msg2(void **state)
{
	struct fx *f = fx_new();
	struct worker w[N_SENDERS + N_ECHOERS + 2];
	int n = 0;
	unsigned long delivered = 0, handled = 0, echoed = 0;
	struct worker *producer, *consumer;
	bool still_full;

	(void)state;
	memset(&g, 0, sizeof(g));
	add_count_sp(f);
	assert_int_equal(fx_create(f, NULL), 0);
	g.f = f;
	assert_int_equal(fx_version(f, FFA_VERSION_1_2), FFA_VERSION_1_2);
	fx_map_hyp(f, FX_HYP_TX_PAGE, FX_HYP_RX_PAGE, 1);
	for (uint16_t vm = 1; vm <= SINK_VM; vm++) {
		struct ffamed_regs r;

		assert_int_equal(fx_map_vm_simple(f, vm, rx_page(vm), tx_page(vm), 1), 0);
		r = fx_call(f, 0, FFA_NOTIFICATION_BITMAP_CREATE, vm, 1, 0, 0, 0, 0, 0);
		fx_assert_success(&r);
	}

	memset(w, 0, sizeof(w));
	for (int i = 0; i < N_SENDERS; i++, n++) {
		w[n].vm = (uint16_t)(1 + i);
		w[n].cpu = (uint32_t)i;
		assert_int_equal(pthread_create(&w[n].thread, NULL, sender_main, &w[n]), 0);
	}
	for (int i = 0; i < N_ECHOERS; i++, n++) {
		w[n].vm = (uint16_t)(ECHO_VM0 + i);
		w[n].cpu = (uint32_t)(N_SENDERS + i);
		assert_int_equal(pthread_create(&w[n].thread, NULL, echoer_main, &w[n]), 0);
	}
	producer = &w[n++];
	producer->vm = SINK_VM;
	producer->cpu = 6;
	assert_int_equal(pthread_create(&producer->thread, NULL, producer_main, producer), 0);
	consumer = &w[n++];
	consumer->vm = SINK_VM;
	consumer->cpu = 7;
	assert_int_equal(pthread_create(&consumer->thread, NULL, consumer_main, consumer), 0);
	for (int i = 0; i < n; i++)
		assert_int_equal(pthread_join(w[i].thread, NULL), 0);

	/* VM -> SP: every attempt delivered or BUSY, every delivery handled once. */
	for (int i = 0; i < N_SENDERS; i++) {
		assert_int_equal(w[i].other, 0);
		assert_int_equal(w[i].ok + w[i].busy, SEND_ITERS);
		assert_int_equal(atomic_load(&g.handled[w[i].vm]), w[i].ok);
		delivered += w[i].ok;
	}
	for (uint16_t vm = 1; vm <= SINK_VM; vm++)
		handled += atomic_load(&g.handled[vm]);
	assert_int_equal(handled, delivered);
	assert_true(delivered > 0);
	assert_int_equal(atomic_load(&g.bad_payload), 0);
	assert_int_equal(ffamed_spmc_sp_msgs_received(f->spmc, COUNT_SP), delivered);
	assert_false(ffamed_spmc_sp_mailbox_full(f->spmc, COUNT_SP));

	/* ECHO round trips: each one delivered, echoed and consumed once. */
	for (int i = N_SENDERS; i < N_SENDERS + N_ECHOERS; i++) {
		assert_int_equal(w[i].other, 0);
		assert_int_equal(w[i].ok, ECHO_ITERS);
		echoed += w[i].ok;
	}
	assert_int_equal(atomic_load(&f->echo_mp.indirect_echoed), ECHO_ITERS);
	assert_int_equal(atomic_load(&f->echo_up.indirect_echoed), ECHO_ITERS);
	assert_int_equal(atomic_load(&f->echo_mp.indirect_refused) +
				 atomic_load(&f->echo_up.indirect_refused),
			 0);

	/* SP -> VM: sent = consumed (+ the one still in the RX). */
	assert_int_equal(producer->other, 0);
	assert_int_equal(consumer->other, 0);
	assert_int_equal(producer->ok + producer->busy, SINK_ITERS);
	still_full = ffamed_spmc_vm_rx_owner(f->spmc, SINK_VM) == FFAMED_SPMC_RX_OWNER_NWD;
	assert_int_equal(producer->ok, consumer->ok + (still_full ? 1 : 0));
	assert_int_equal(ffamed_spmc_sp_msgs_sent(f->spmc, COUNT_SP), producer->ok);
	assert_int_equal(ffamed_spmc_notif_fwk_pending(f->spmc, SINK_VM),
			 still_full ? FFA_FWK_NOTIF_RX_FULL : 0);

	/* One SRI per notification set: every echo and every SP -> VM message. */
	assert_int_equal(atomic_load(&f->sri_count), echoed + producer->ok);
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_conc_msg2),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
