/* SPDX-License-Identifier: MIT */
/*
 * Stress: notifications to one receiver VM from four vCPUs of two sender
 * VMs (global and per-vCPU IDs) and from an SP (through the SRI, handled on
 * a host thread), while the receiver's vCPUs take NPIs, poll, and one of
 * them goes offline and online. Each sender owns its ID and sets it again
 * only once the receiver has collected it, so every SET makes a bit newly
 * pending: received must equal sent exactly, and a lost notification shows
 * up as a sender that waits for ever (a deadline fails the test).
 */
#include <string.h>
#include <time.h>

#include "med_fixture.h"

#define ITERS	      300
#define NPI_BIT	      (1ull << 8)
#define RECV_ID	      10
#define SP_GLOBAL_ID  32
#define SP_PERVCPU_ID 33 /* for receiver vCPU 1 */
#define DEADLINE_S    60

static struct fix *fix;
static struct fix_vm *recv_vm;
static _Atomic uint64_t received[64];
static _Atomic int senders_left;
static _Atomic bool stop_host;
static _Atomic uint64_t wrong_vcpu;
/* Receivers also GET without an NPI; off, only the NPI drives them, so a
 * lost NPI loses the notification. */
static bool polling;

static uint64_t now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec;
}

/* Waits until `id` has been received `n` times; fails at the deadline. */
static void wait_received(unsigned id, uint64_t n)
{
	uint64_t start = now_s();

	while (atomic_load(&received[id]) < n) {
		if (now_s() - start > DEADLINE_S)
			fail_msg("ID %u: sent %lu, received %lu: lost", id, (unsigned long)n,
				 (unsigned long)atomic_load(&received[id]));
		sched_yield();
	}
}

struct sender {
	struct fix_vm *v;
	uint16_t vcpu;
	unsigned id;
	int target_vcpu; /* -1: global */
	uint32_t cpu;
};

static void *vm_sender(void *p)
{
	struct sender *s = p;
	uint32_t flags = 0;

	fix_set_cpu(s->cpu);
	if (s->target_vcpu >= 0)
		flags = FFA_NOTIF_FLAG_PER_VCPU | ((uint32_t)s->target_vcpu << 16);
	for (uint64_t i = 0; i < ITERS; i++) {
		wait_received(s->id, i);
		struct ffamed_regs r = fix_call(
			s->v, s->vcpu, FFA_NOTIFICATION_SET, FFA_SENDER_RECEIVER(s->v->id, RECV_ID),
			flags, (uint32_t)(1ull << s->id), (1ull << s->id) >> 32, 0);
		assert_ffa_success(r);
	}
	wait_received(s->id, ITERS);
	atomic_fetch_sub(&senders_left, 1);
	return NULL;
}

static void *sp_sender(void *p)
{
	struct ffamed_sp *echo = ffamed_spmc_find_sp(fix->spmc, FIX_SP_ECHO);

	(void)p;
	for (uint64_t i = 0; i < ITERS; i++) {
		wait_received(SP_GLOBAL_ID, i);
		assert_int_equal(
			ffamed_sp_notification_set_on(echo, 3, RECV_ID, 0, 1ull << SP_GLOBAL_ID),
			0);
		wait_received(SP_PERVCPU_ID, i);
		assert_int_equal(ffamed_sp_notification_set_on(echo, 3, RECV_ID,
							       FFA_NOTIF_FLAG_PER_VCPU | (1u << 16),
							       1ull << SP_PERVCPU_ID),
				 0);
	}
	wait_received(SP_GLOBAL_ID, ITERS);
	wait_received(SP_PERVCPU_ID, ITERS);
	atomic_fetch_sub(&senders_left, 1);
	return NULL;
}

/* The host: runs the SRI handler for each SRI, and flips vCPU 1. */
static void *host_thread(void *p)
{
	uint64_t seen = 0;
	unsigned flips = 0;

	(void)p;
	fix_set_cpu(2);
	while (!atomic_load(&stop_host)) {
		uint64_t now = atomic_load(&fix->sri_raised);

		if (now != seen) {
			seen = now;
			ffamed_handle_sri(fix->med);
		}
		if (++flips % 64 == 0)
			fix_vcpu_set_online(recv_vm, 1, flips % 128 != 0);
		sched_yield();
	}
	fix_vcpu_set_online(recv_vm, 1, true);
	return NULL;
}

static void account(uint16_t vcpu, uint64_t bits)
{
	for (unsigned b = 0; b < 64; b++) {
		if (!((bits >> b) & 1))
			continue;
		/* Per-vCPU IDs: 9 and SP_PERVCPU_ID for vCPU 1, 8 for vCPU 0. */
		if ((b == 8 && vcpu != 0) || ((b == 9 || b == SP_PERVCPU_ID) && vcpu != 1))
			atomic_fetch_add(&wrong_vcpu, 1);
		atomic_fetch_add(&received[b], 1);
	}
}

static void *receiver(void *p)
{
	uint16_t vcpu = (uint16_t)(uintptr_t)p;
	unsigned polls = 0;

	fix_set_cpu(vcpu);
	while (atomic_load(&senders_left) > 0) {
		bool npi;

		/* An offline vCPU does not run. */
		if (atomic_load(&recv_vm->offline[vcpu])) {
			sched_yield();
			continue;
		}
		npi = fix_virq_take(recv_vm, vcpu) & NPI_BIT;
		if (!npi && (!polling || ++polls % 16)) {
			sched_yield();
			continue;
		}
		struct ffamed_regs r = fix_call(recv_vm, vcpu, FFA_NOTIFICATION_GET,
						FFA_SENDER_RECEIVER(vcpu, RECV_ID),
						FFA_NOTIF_GET_FLAGS_MASK, 0, 0, 0);
		assert_int_equal(r.x[0], FFA_SUCCESS_32);
		account(vcpu, r.x[4] | r.x[5] << 32);
		account(vcpu, r.x[2] | r.x[3] << 32);
	}
	return NULL;
}

static void stress(bool poll)
{
	struct fix_opts o = {.med_cfg = {.vm_to_vm = true}};
	struct fix_vm *s1, *s2;
	struct sender senders[4];
	pthread_t st[4], spt, ht, rt[2];

	polling = poll;
	memset(received, 0, sizeof(received));
	atomic_store(&wrong_vcpu, 0);
	atomic_store(&stop_host, false);
	fix = fix_create(&o);
	recv_vm = fix_vm(fix, RECV_ID, 2);
	s1 = fix_vm(fix, 11, 2);
	s2 = fix_vm(fix, 12, 2);
	fix_negotiate(recv_vm, FFA_VERSION_1_2);
	fix_negotiate(s1, FFA_VERSION_1_1);
	fix_negotiate(s2, FFA_VERSION_1_2);
	/* s1 owns IDs 0 (global) and 8 (vCPU 0); s2 owns 1 and 9 (vCPU 1). */
	assert_ffa_success(fix_call(recv_vm, 0, FFA_NOTIFICATION_BIND,
				    FFA_SENDER_RECEIVER(11, RECV_ID), 0, 1u << 0, 0, 0));
	assert_ffa_success(fix_call(recv_vm, 0, FFA_NOTIFICATION_BIND,
				    FFA_SENDER_RECEIVER(11, RECV_ID), FFA_NOTIF_FLAG_PER_VCPU,
				    1u << 8, 0, 0));
	assert_ffa_success(fix_call(recv_vm, 1, FFA_NOTIFICATION_BIND,
				    FFA_SENDER_RECEIVER(12, RECV_ID), 0, 1u << 1, 0, 0));
	assert_ffa_success(fix_call(recv_vm, 1, FFA_NOTIFICATION_BIND,
				    FFA_SENDER_RECEIVER(12, RECV_ID), FFA_NOTIF_FLAG_PER_VCPU,
				    1u << 9, 0, 0));
	assert_ffa_success(fix_call(recv_vm, 0, FFA_NOTIFICATION_BIND,
				    FFA_SENDER_RECEIVER(FIX_SP_ECHO, RECV_ID), 0, 0, 1u << 0, 0));
	assert_ffa_success(fix_call(recv_vm, 0, FFA_NOTIFICATION_BIND,
				    FFA_SENDER_RECEIVER(FIX_SP_ECHO, RECV_ID),
				    FFA_NOTIF_FLAG_PER_VCPU, 0, 1u << 1, 0));

	senders[0] = (struct sender){s1, 0, 0, -1, 0};
	senders[1] = (struct sender){s1, 1, 8, 0, 1};
	senders[2] = (struct sender){s2, 0, 1, -1, 2};
	senders[3] = (struct sender){s2, 1, 9, 1, 3};
	atomic_store(&senders_left, 5);
	for (uintptr_t v = 0; v < 2; v++)
		assert_int_equal(pthread_create(&rt[v], NULL, receiver, (void *)v), 0);
	assert_int_equal(pthread_create(&ht, NULL, host_thread, NULL), 0);
	for (int i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&st[i], NULL, vm_sender, &senders[i]), 0);
	assert_int_equal(pthread_create(&spt, NULL, sp_sender, NULL), 0);
	for (int i = 0; i < 4; i++)
		pthread_join(st[i], NULL);
	pthread_join(spt, NULL);
	for (int v = 0; v < 2; v++)
		pthread_join(rt[v], NULL);
	atomic_store(&stop_host, true);
	pthread_join(ht, NULL);

	/* Exactly what was sent, nothing else, each on the right vCPU. */
	for (unsigned b = 0; b < 64; b++) {
		bool used = b == 0 || b == 1 || b == 8 || b == 9 || b == SP_GLOBAL_ID ||
			    b == SP_PERVCPU_ID;
		assert_int_equal(atomic_load(&received[b]), used ? ITERS : 0);
	}
	assert_int_equal(atomic_load(&wrong_vcpu), 0);
	/* Nothing left pending anywhere. */
	for (uint16_t v = 0; v < 2; v++) {
		struct ffamed_regs r =
			fix_call(recv_vm, v, FFA_NOTIFICATION_GET, FFA_SENDER_RECEIVER(v, RECV_ID),
				 FFA_NOTIF_GET_FLAGS_MASK, 0, 0, 0);
		for (int i = 2; i < 8; i++)
			assert_int_equal(r.x[i], 0);
	}
	fix_vm_destroy(s1);
	fix_vm_destroy(s2);
	fix_vm_destroy(recv_vm);
	fix_destroy(fix);
}

static void stress_npi_only(void **state)
{
	(void)state;
	stress(false);
}

static void stress_polling(void **state)
{
	(void)state;
	stress(true);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(stress_npi_only),
		cmocka_unit_test(stress_polling),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
