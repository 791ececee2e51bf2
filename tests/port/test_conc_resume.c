/* SPDX-License-Identifier: MIT */
/* The resume slot under threads (TSan): vCPU threads make blocked calls in
 * a loop while "mediator" threads resume them, sometimes before the vCPU
 * waits, sometimes after; every reply must arrive whole and in order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <cmocka.h>

#include "ffamed/ffa_regs.h"
#include "port_fixture.h"

#define NVCPU  4
#define ROUNDS 2000

struct lane {
	struct port_fixture *f;
	struct ffamed_posix_vm *vm;
	uint16_t vcpu;
	atomic_uint armed;   /* the round whose call is in flight (0: none yet) */
	unsigned bad;	     /* replies that were not the round's, vCPU thread only */
	bool watch_virq;     /* wait with wait_resume_or_virq */
	bool poll;	     /* no waiting: poll_resume until the reply is there */
	unsigned virq_wakes; /* vCPU thread only */
};

static uint64_t reply_word(uint16_t vcpu, unsigned round, unsigned i)
{
	return ((uint64_t)vcpu << 48) | ((uint64_t)round << 8) | i;
}

static void vcpu_loop(struct ffamed_posix_vm *vm, uint16_t vcpu, void *arg)
{
	struct lane *l = arg;

	for (unsigned round = 1; round <= ROUNDS; round++) {
		struct ffamed_regs got;

		ffamed_posix_vcpu_call_begin(vm, vcpu);
		atomic_store(&l->armed, round);
		/* Vary who comes first: the resume or the wait. */
		if (round % 3 == 0)
			sched_yield();
		if (l->poll) {
			/* A one-thread driver's view: never blocks, and sees
			 * the reply whole once it is there. */
			while (!ffamed_posix_vcpu_poll_resume(vm, vcpu, &got))
				sched_yield();
		} else if (!l->watch_virq) {
			ffamed_posix_vcpu_wait_resume(vm, vcpu, &got);
		} else {
			/* Interrupts wake it; it takes them and waits on. */
			while (!ffamed_posix_vcpu_wait_resume_or_virq(vm, vcpu, &got)) {
				ffamed_posix_vcpu_take_virqs(vm, vcpu);
				l->virq_wakes++;
			}
		}
		for (unsigned i = 0; i < FFA_NREGS; i++)
			if (got.x[i] != reply_word(vcpu, round, i))
				l->bad++;
	}
}

static void *resumer(void *arg)
{
	struct lane *l = arg;

	for (unsigned round = 1; round <= ROUNDS; round++) {
		struct ffamed_regs reply;

		while (atomic_load(&l->armed) != round)
			sched_yield();
		if (round % 5 == 0)
			sched_yield();
		for (unsigned i = 0; i < FFA_NREGS; i++)
			reply.x[i] = reply_word(l->vcpu, round, i);
		l->f->ops->vcpu_resume(l->f->host, l->vm, l->vcpu, &reply);
	}
	return NULL;
}

struct injector {
	struct port_fixture *f;
	struct ffamed_posix_vm *vm;
	atomic_bool stop;
};

static void *inject_loop(void *arg)
{
	struct injector *in = arg;
	unsigned n = 0;

	while (!atomic_load(&in->stop)) {
		in->f->ops->inject_virq(in->f->host, in->vm, (uint16_t)(n % NVCPU), n % 64);
		n++;
		sched_yield();
	}
	return NULL;
}

static void run_lanes(struct port_fixture *f, bool watch_virq, bool poll)
{
	struct ffamed_posix_vm *vm;
	struct lane lanes[NVCPU];
	struct injector in = {.f = f};
	pthread_t t[NVCPU], inj;

	assert_int_equal(ffamed_posix_vm_create(f->host, 1, NVCPU, 4, &vm), 0);
	in.vm = vm;
	atomic_init(&in.stop, false);
	if (watch_virq)
		assert_int_equal(pthread_create(&inj, NULL, inject_loop, &in), 0);
	for (uint16_t i = 0; i < NVCPU; i++) {
		lanes[i] = (struct lane){
			.f = f, .vm = vm, .vcpu = i, .watch_virq = watch_virq, .poll = poll};
		atomic_init(&lanes[i].armed, 0);
		assert_int_equal(ffamed_posix_vcpu_start(vm, i, vcpu_loop, &lanes[i]), 0);
		assert_int_equal(pthread_create(&t[i], NULL, resumer, &lanes[i]), 0);
	}
	for (uint16_t i = 0; i < NVCPU; i++) {
		pthread_join(t[i], NULL);
		ffamed_posix_vcpu_join(vm, i);
		assert_int_equal(lanes[i].bad, 0);
		assert_false(ffamed_posix_vcpu_is_blocked(vm, i));
	}
	if (watch_virq) {
		atomic_store(&in.stop, true);
		pthread_join(inj, NULL);
	}
	assert_int_equal(ffamed_posix_error_count(f->host), 0);
	ffamed_posix_vm_destroy(vm);
}

static void blocked_calls_many_rounds(void **state)
{
	run_lanes(*state, false, false);
}

/* The same with interrupts raining on the parked vCPUs. */
static void blocked_calls_with_interrupts(void **state)
{
	run_lanes(*state, true, false);
}

/* The same with the vCPUs polling for their replies instead of waiting. */
static void blocked_calls_polled(void **state)
{
	run_lanes(*state, false, true);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(blocked_calls_many_rounds, port_setup,
						port_teardown),
		cmocka_unit_test_setup_teardown(blocked_calls_with_interrupts, port_setup,
						port_teardown),
		cmocka_unit_test_setup_teardown(blocked_calls_polled, port_setup, port_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
