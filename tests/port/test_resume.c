/* SPDX-License-Identifier: MIT */
/* Blocked calls: the vCPU resume slot behind ops->vcpu_resume. A reply
 * arriving before or after the vCPU waits, delivered exactly, and every
 * misuse the port can see counted as a contract violation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdatomic.h>
#include <string.h>
#include <cmocka.h>

#include "ffamed/ffa_regs.h"
#include "port_fixture.h"

#define VM_ID 1

/* The host of the running test, for vCPU functions that act as its
 * mediator. */
static struct port_fixture *test_host;

static void posix_resume_for_test(struct ffamed_posix_vm *vm, uint16_t vcpu,
				  const struct ffamed_regs *regs)
{
	test_host->ops->vcpu_resume(test_host->host, vm, vcpu, regs);
}

/* A reply with every register distinct, so a partial copy shows. */
static void make_reply(struct ffamed_regs *r, uint64_t tag)
{
	for (unsigned i = 0; i < FFA_NREGS; i++)
		r->x[i] = (tag << 32) | (0xA0u + i);
}

static void assert_regs_equal(const struct ffamed_regs *a, const struct ffamed_regs *b)
{
	for (unsigned i = 0; i < FFA_NREGS; i++)
		assert_int_equal(a->x[i], b->x[i]);
}

static struct ffamed_posix_vm *new_vm(struct port_fixture *f, uint16_t vcpus)
{
	struct ffamed_posix_vm *vm;

	assert_int_equal(ffamed_posix_vm_create(f->host, VM_ID, vcpus, 4, &vm), 0);
	return vm;
}

static void resume_before_wait(void **state)
{
	struct port_fixture *f = *state;
	struct ffamed_posix_vm *vm = new_vm(f, 2);
	struct ffamed_regs reply, got;

	make_reply(&reply, 1);
	memset(&got, 0, sizeof(got));
	ffamed_posix_vcpu_call_begin(vm, 1);
	f->ops->vcpu_resume(f->host, vm, 1, &reply);
	/* The reply was kept: waiting returns it at once. */
	assert_false(ffamed_posix_vcpu_is_blocked(vm, 1));
	ffamed_posix_vcpu_wait_resume(vm, 1, &got);
	assert_regs_equal(&got, &reply);
	/* The slot is disarmed: the next call starts clean. */
	make_reply(&reply, 2);
	ffamed_posix_vcpu_call_begin(vm, 1);
	f->ops->vcpu_resume(f->host, vm, 1, &reply);
	ffamed_posix_vcpu_wait_resume(vm, 1, &got);
	assert_regs_equal(&got, &reply);
	ffamed_posix_vm_destroy(vm);
}

struct parked {
	struct ffamed_regs got;
	atomic_bool armed;
};

static void park_vcpu(struct ffamed_posix_vm *vm, uint16_t vcpu, void *arg)
{
	struct parked *p = arg;

	ffamed_posix_vcpu_call_begin(vm, vcpu);
	atomic_store(&p->armed, true);
	ffamed_posix_vcpu_wait_resume(vm, vcpu, &p->got);
}

static void resume_after_wait(void **state)
{
	struct port_fixture *f = *state;
	struct ffamed_posix_vm *vm = new_vm(f, 1);
	struct parked p = {.armed = false};
	struct ffamed_regs reply;

	make_reply(&reply, 3);
	assert_int_equal(ffamed_posix_vcpu_start(vm, 0, park_vcpu, &p), 0);
	/* Until the thread sleeps in wait_resume. */
	while (!ffamed_posix_vcpu_is_blocked(vm, 0))
		sleep_ms(1);
	assert_true(atomic_load(&p.armed));
	f->ops->vcpu_resume(f->host, vm, 0, &reply);
	ffamed_posix_vcpu_join(vm, 0);
	assert_regs_equal(&p.got, &reply);
	assert_false(ffamed_posix_vcpu_is_blocked(vm, 0));
	ffamed_posix_vm_destroy(vm);
}

static void wait_or_virq_pending_first(void **state)
{
	struct port_fixture *f = *state;
	struct ffamed_posix_vm *vm = new_vm(f, 1);
	struct ffamed_regs reply, got;

	make_reply(&reply, 7);
	make_reply(&got, 8);
	ffamed_posix_vcpu_call_begin(vm, 0);
	f->ops->inject_virq(f->host, vm, 0, 8);
	/* Back at once, regs untouched, the call still in flight. */
	assert_false(ffamed_posix_vcpu_wait_resume_or_virq(vm, 0, &got));
	assert_int_equal(got.x[0], (8ull << 32) | 0xA0u);
	f->ops->vcpu_resume(f->host, vm, 0, &reply);
	/* The reply wins over the still pending interrupt. */
	assert_true(ffamed_posix_vcpu_wait_resume_or_virq(vm, 0, &got));
	assert_regs_equal(&got, &reply);
	assert_int_equal(ffamed_posix_vcpu_take_virqs(vm, 0), 1ull << 8);
	/* Without interrupts it is wait_resume. */
	ffamed_posix_vcpu_call_begin(vm, 0);
	f->ops->vcpu_resume(f->host, vm, 0, &reply);
	assert_true(ffamed_posix_vcpu_wait_resume_or_virq(vm, 0, &got));
	assert_regs_equal(&got, &reply);
	assert_int_equal(ffamed_posix_error_count(f->host), 0);
	ffamed_posix_vm_destroy(vm);
}

struct virq_waiter {
	struct ffamed_regs got;
	atomic_int woken_by_virq;
};

static void park_for_virq(struct ffamed_posix_vm *vm, uint16_t vcpu, void *arg)
{
	struct virq_waiter *w = arg;

	ffamed_posix_vcpu_call_begin(vm, vcpu);
	while (!ffamed_posix_vcpu_wait_resume_or_virq(vm, vcpu, &w->got)) {
		/* What a host does: take the interrupt, and here resume the
		 * call itself as ffamed_vcpu_interrupt would (FFA_INTERRUPT). */
		struct ffamed_regs irq;

		atomic_fetch_add(&w->woken_by_virq, 1);
		ffamed_posix_vcpu_take_virqs(vm, vcpu);
		ffa_regs_clear(&irq);
		irq.x[0] = FFA_INTERRUPT;
		posix_resume_for_test(vm, vcpu, &irq);
	}
}

static void wait_or_virq_injected_while_parked(void **state)
{
	struct port_fixture *f = *state;
	struct ffamed_posix_vm *vm = new_vm(f, 1);
	struct virq_waiter w;

	memset(&w.got, 0, sizeof(w.got));
	atomic_init(&w.woken_by_virq, 0);
	test_host = f;
	assert_int_equal(ffamed_posix_vcpu_start(vm, 0, park_for_virq, &w), 0);
	while (!ffamed_posix_vcpu_is_blocked(vm, 0))
		sleep_ms(1);
	f->ops->inject_virq(f->host, vm, 0, 3);
	ffamed_posix_vcpu_join(vm, 0);
	assert_int_equal(atomic_load(&w.woken_by_virq), 1);
	assert_int_equal(w.got.x[0], FFA_INTERRUPT);
	assert_int_equal(ffamed_posix_error_count(f->host), 0);
	ffamed_posix_vm_destroy(vm);
}

static void call_answered_at_once(void **state)
{
	struct port_fixture *f = *state;
	struct ffamed_posix_vm *vm = new_vm(f, 1);

	for (int i = 0; i < 3; i++) {
		ffamed_posix_vcpu_call_begin(vm, 0);
		assert_false(ffamed_posix_vcpu_is_blocked(vm, 0));
		ffamed_posix_vcpu_call_end(vm, 0);
	}
	assert_int_equal(ffamed_posix_error_count(f->host), 0);
	ffamed_posix_vm_destroy(vm);
}

/* poll_resume: the reply if it came, else nothing and the call stays in
 * flight (one thread playing several vCPUs). */
static void poll_resume_never_waits(void **state)
{
	struct port_fixture *f = *state;
	struct ffamed_posix_vm *vm = new_vm(f, 2);
	struct ffamed_regs reply, got;

	make_reply(&reply, 7);
	make_reply(&got, 8);
	/* Nothing in flight: nothing, and no violation. */
	assert_false(ffamed_posix_vcpu_poll_resume(vm, 0, &got));
	ffamed_posix_vcpu_call_begin(vm, 0);
	assert_false(ffamed_posix_vcpu_poll_resume(vm, 0, &got));
	assert_false(ffamed_posix_vcpu_poll_resume(vm, 0, &got));
	/* regs untouched while there is no reply. */
	assert_int_equal(got.x[0], (8ull << 32) | 0xA0u);
	f->ops->vcpu_resume(f->host, vm, 0, &reply);
	assert_true(ffamed_posix_vcpu_poll_resume(vm, 0, &got));
	assert_regs_equal(&got, &reply);
	/* Disarmed: taken once, and the next call starts clean. */
	assert_false(ffamed_posix_vcpu_poll_resume(vm, 0, &got));
	ffamed_posix_vcpu_call_begin(vm, 0);
	make_reply(&reply, 9);
	f->ops->vcpu_resume(f->host, vm, 0, &reply);
	ffamed_posix_vcpu_wait_resume(vm, 0, &got);
	assert_regs_equal(&got, &reply);
	assert_int_equal(ffamed_posix_error_count(f->host), 0);
	ffamed_posix_vm_destroy(vm);
}

static void violations_are_counted(void **state)
{
	struct port_fixture *f = *state;
	struct ffamed_posix_vm *vm = new_vm(f, 2);
	struct ffamed_regs first, second, got;
	size_t errors = 0;

	make_reply(&first, 4);
	make_reply(&second, 5);

	/* A resume with no call in flight: dropped. */
	f->ops->vcpu_resume(f->host, vm, 0, &first);
	assert_int_equal(ffamed_posix_error_count(f->host), ++errors);

	/* Two resumes for one call: the first reply stands. */
	ffamed_posix_vcpu_call_begin(vm, 0);
	f->ops->vcpu_resume(f->host, vm, 0, &first);
	f->ops->vcpu_resume(f->host, vm, 0, &second);
	assert_int_equal(ffamed_posix_error_count(f->host), ++errors);
	ffamed_posix_vcpu_wait_resume(vm, 0, &got);
	assert_regs_equal(&got, &first);

	/* A resume after the call's wait took the reply: no call in flight. */
	f->ops->vcpu_resume(f->host, vm, 0, &second);
	assert_int_equal(ffamed_posix_error_count(f->host), ++errors);

	/* A call answered at once (DONE) that was also resumed. */
	ffamed_posix_vcpu_call_begin(vm, 1);
	f->ops->vcpu_resume(f->host, vm, 1, &first);
	ffamed_posix_vcpu_call_end(vm, 1);
	assert_int_equal(ffamed_posix_error_count(f->host), ++errors);

	/* call_begin with a call in flight; the slot stays usable. */
	ffamed_posix_vcpu_call_begin(vm, 1);
	ffamed_posix_vcpu_call_begin(vm, 1);
	assert_int_equal(ffamed_posix_error_count(f->host), ++errors);
	f->ops->vcpu_resume(f->host, vm, 1, &second);
	ffamed_posix_vcpu_wait_resume(vm, 1, &got);
	assert_regs_equal(&got, &second);
	assert_int_equal(ffamed_posix_error_count(f->host), errors);

	/* call_end and wait_resume with nothing in flight; wait does not hang. */
	ffamed_posix_vcpu_call_end(vm, 1);
	assert_int_equal(ffamed_posix_error_count(f->host), ++errors);
	make_reply(&got, 6);
	ffamed_posix_vcpu_wait_resume(vm, 1, &got);
	assert_int_equal(ffamed_posix_error_count(f->host), ++errors);
	assert_int_equal(ffa_error_code(&got), FFA_RET_ABORTED);
	assert_true(ffamed_posix_vcpu_wait_resume_or_virq(vm, 1, &got));
	assert_int_equal(ffamed_posix_error_count(f->host), ++errors);
	assert_int_equal(ffa_error_code(&got), FFA_RET_ABORTED);

	/* A vCPU the VM does not have. */
	f->ops->vcpu_resume(f->host, vm, 2, &first);
	assert_int_equal(ffamed_posix_error_count(f->host), ++errors);
	ffamed_posix_vcpu_call_begin(vm, 7);
	assert_int_equal(ffamed_posix_error_count(f->host), ++errors);
	assert_false(ffamed_posix_vcpu_is_blocked(vm, 9));
	assert_int_equal(ffamed_posix_error_count(f->host), ++errors);

	f->expected_errors = errors;
	ffamed_posix_vm_destroy(vm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(resume_before_wait, port_setup, port_teardown),
		cmocka_unit_test_setup_teardown(resume_after_wait, port_setup, port_teardown),
		cmocka_unit_test_setup_teardown(wait_or_virq_pending_first, port_setup,
						port_teardown),
		cmocka_unit_test_setup_teardown(wait_or_virq_injected_while_parked, port_setup,
						port_teardown),
		cmocka_unit_test_setup_teardown(call_answered_at_once, port_setup, port_teardown),
		cmocka_unit_test_setup_teardown(poll_resume_never_waits, port_setup, port_teardown),
		cmocka_unit_test_setup_teardown(violations_are_counted, port_setup, port_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
