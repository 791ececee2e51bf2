/* SPDX-License-Identifier: MIT */
/* vCPU threads, physical CPU indices, online state, virtual interrupts and
 * the firmware conduit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "ffamed/ffa_regs.h"
#include "port_fixture.h"

#define NVCPU 8

struct cpu_probe {
	struct ffamed_posix_host *host;
	pthread_barrier_t all_running;
	uint32_t cpu[NVCPU];
	atomic_int unstable;
};

static void record_cpu(struct ffamed_posix_vm *vm, uint16_t vcpu, void *arg)
{
	struct cpu_probe *p = arg;

	(void)vm;
	p->cpu[vcpu] = ffamed_posix_current_cpu(p->host);
	/* Everyone holds a CPU at the same time. */
	pthread_barrier_wait(&p->all_running);
	if (ffamed_posix_current_cpu(p->host) != p->cpu[vcpu])
		atomic_fetch_add(&p->unstable, 1);
}

static void running_vcpus_get_distinct_cpus(void **state)
{
	struct port_fixture *f = *state;
	struct ffamed_posix_vm *vm;
	struct cpu_probe p = {.host = f->host};
	uint32_t main_cpu = ffamed_posix_current_cpu(f->host);

	assert_int_equal(ffamed_posix_current_cpu(f->host), main_cpu);
	pthread_barrier_init(&p.all_running, NULL, NVCPU);
	assert_int_equal(ffamed_posix_vm_create(f->host, 1, NVCPU, 4, &vm), 0);
	for (uint16_t i = 0; i < NVCPU; i++)
		assert_int_equal(ffamed_posix_vcpu_start(vm, i, record_cpu, &p), 0);
	for (uint16_t i = 0; i < NVCPU; i++)
		ffamed_posix_vcpu_join(vm, i);
	assert_int_equal(atomic_load(&p.unstable), 0);
	for (int i = 0; i < NVCPU; i++) {
		assert_true(p.cpu[i] < 16);
		assert_true(p.cpu[i] != main_cpu);
		for (int j = 0; j < i; j++)
			assert_true(p.cpu[i] != p.cpu[j]);
	}
	pthread_barrier_destroy(&p.all_running);
	ffamed_posix_vm_destroy(vm);
}

static void *plain_thread_takes_cpu(void *arg)
{
	struct ffamed_posix_host *host = arg;

	return (void *)(uintptr_t)ffamed_posix_current_cpu(host);
}

static void cpus_are_given_back_when_threads_end(void **state)
{
	const struct ffamed_posix_config cfg = {.arena_pages = 16, .cpu_count = 2};
	struct port_fixture *f = port_fixture_new(&cfg);
	struct ffamed_posix_vm *vm;
	struct cpu_probe p = {.host = f->host};

	(void)state;
	/* The test thread holds one of the two CPUs for its life. */
	ffamed_posix_current_cpu(f->host);
	pthread_barrier_init(&p.all_running, NULL, 1);
	assert_int_equal(ffamed_posix_vm_create(f->host, 1, 2, 4, &vm), 0);
	/* Many more threads than CPUs, one at a time: no exhaustion. */
	for (int round = 0; round < 10; round++) {
		pthread_t t;

		assert_int_equal(ffamed_posix_vcpu_start(vm, (uint16_t)(round % 2), record_cpu, &p),
				 0);
		ffamed_posix_vcpu_join(vm, (uint16_t)(round % 2));
		assert_int_equal(pthread_create(&t, NULL, plain_thread_takes_cpu, f->host), 0);
		pthread_join(t, NULL);
	}
	assert_int_equal(atomic_load(&p.unstable), 0);
	pthread_barrier_destroy(&p.all_running);
	ffamed_posix_vm_destroy(vm);
	port_fixture_free(f);
}

static void cpu_exhaustion_aborts(void **state)
{
	pid_t pid;
	int status = 0;

	(void)state;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		const struct ffamed_posix_config cfg = {.arena_pages = 16, .cpu_count = 1};
		const struct rlimit no_core = {0, 0};
		struct ffamed_posix_host *host;
		pthread_t t;

		setrlimit(RLIMIT_CORE, &no_core);
		if (ffamed_posix_host_create(&cfg, &host) != 0)
			_exit(2);
		ffamed_posix_current_cpu(host);
		pthread_create(&t, NULL, plain_thread_takes_cpu, host);
		pthread_join(t, NULL);
		_exit(0); /* not reached: the second thread found no CPU */
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGABRT);
}

static void online_state_is_per_vcpu(void **state)
{
	struct port_fixture *f = *state;
	struct ffamed_posix_vm *vm;

	assert_int_equal(ffamed_posix_vm_create(f->host, 1, 2, 4, &vm), 0);
	assert_true(f->ops->vcpu_is_online(f->host, vm, 0));
	assert_true(f->ops->vcpu_is_online(f->host, vm, 1));
	ffamed_posix_vcpu_set_online(vm, 1, false);
	assert_true(f->ops->vcpu_is_online(f->host, vm, 0));
	assert_false(f->ops->vcpu_is_online(f->host, vm, 1));
	ffamed_posix_vcpu_set_online(vm, 1, true);
	assert_true(f->ops->vcpu_is_online(f->host, vm, 1));
	/* No such vCPU: offline, and a contract violation. */
	assert_false(f->ops->vcpu_is_online(f->host, vm, 2));
	assert_int_equal(ffamed_posix_error_count(f->host), 1);
	f->expected_errors = 1;
	ffamed_posix_vm_destroy(vm);
}

static void virqs_are_pending_bits_taken_once(void **state)
{
	struct port_fixture *f = *state;
	struct ffamed_posix_vm *vm;

	assert_int_equal(ffamed_posix_vm_create(f->host, 1, 2, 4, &vm), 0);
	assert_false(ffamed_posix_vcpu_wait_virq(vm, 0, 1000000));
	f->ops->inject_virq(f->host, vm, 0, 3);
	f->ops->inject_virq(f->host, vm, 0, 63);
	f->ops->inject_virq(f->host, vm, 0, 3);
	f->ops->inject_virq(f->host, vm, 1, 0);
	assert_true(ffamed_posix_vcpu_wait_virq(vm, 0, 0));
	assert_int_equal(ffamed_posix_vcpu_take_virqs(vm, 0), (1ull << 3) | (1ull << 63));
	assert_int_equal(ffamed_posix_vcpu_take_virqs(vm, 0), 0);
	assert_false(ffamed_posix_vcpu_wait_virq(vm, 0, 0));
	assert_int_equal(ffamed_posix_vcpu_take_virqs(vm, 1), 1);

	/* Out of range: ignored and counted. */
	f->ops->inject_virq(f->host, vm, 0, 64);
	f->ops->inject_virq(f->host, vm, 5, 1);
	assert_int_equal(ffamed_posix_vcpu_take_virqs(vm, 0), 0);
	assert_int_equal(ffamed_posix_error_count(f->host), 2);
	f->expected_errors = 2;
	ffamed_posix_vm_destroy(vm);
}

struct waiter {
	struct ffamed_posix_host *host;
	atomic_bool waiting;
	uint64_t got;
};

static void wait_for_virq(struct ffamed_posix_vm *vm, uint16_t vcpu, void *arg)
{
	struct waiter *w = arg;

	atomic_store(&w->waiting, true);
	while (!ffamed_posix_vcpu_wait_virq(vm, vcpu, 10ull * 1000000000u))
		;
	w->got = ffamed_posix_vcpu_take_virqs(vm, vcpu);
}

static void inject_wakes_a_waiting_vcpu(void **state)
{
	struct port_fixture *f = *state;
	struct ffamed_posix_vm *vm;
	struct waiter w = {.host = f->host};

	assert_int_equal(ffamed_posix_vm_create(f->host, 1, 1, 4, &vm), 0);
	assert_int_equal(ffamed_posix_vcpu_start(vm, 0, wait_for_virq, &w), 0);
	while (!atomic_load(&w.waiting))
		sleep_ms(1);
	sleep_ms(5); /* most likely asleep in the wait by now */
	f->ops->inject_virq(f->host, vm, 0, 9);
	ffamed_posix_vcpu_join(vm, 0);
	assert_int_equal(w.got, 1u << 9);
	ffamed_posix_vm_destroy(vm);
}

static void vcpu_start_refuses_bad_requests(void **state)
{
	struct port_fixture *f = *state;
	struct ffamed_posix_vm *vm;
	struct waiter w = {.host = f->host};

	assert_int_equal(ffamed_posix_vm_create(f->host, 1, 2, 4, &vm), 0);
	assert_int_equal(ffamed_posix_vcpu_start(vm, 2, wait_for_virq, &w),
			 FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(ffamed_posix_vcpu_start(vm, 0, NULL, &w), FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(ffamed_posix_vcpu_start(vm, 0, wait_for_virq, &w), 0);
	assert_int_equal(ffamed_posix_vcpu_start(vm, 0, wait_for_virq, &w), FFA_RET_BUSY);
	f->ops->inject_virq(f->host, vm, 0, 1);
	/* vm_destroy joins what is still running. */
	ffamed_posix_vm_destroy(vm);
	assert_int_equal(w.got, 2);
}

struct fw_probe {
	int calls;
	uint32_t cpu;
};

static void fake_firmware(void *ctx, uint32_t cpu, struct ffamed_regs *regs)
{
	struct fw_probe *p = ctx;

	p->calls++;
	p->cpu = cpu;
	ffa_set_success32(regs, (uint32_t)regs->x[1] + 1, 0, 0);
}

struct fw_vcpu {
	struct port_fixture *f;
	uint32_t own_cpu;
	struct ffamed_regs regs;
};

static void call_firmware(struct ffamed_posix_vm *vm, uint16_t vcpu, void *arg)
{
	struct fw_vcpu *c = arg;

	(void)vm;
	(void)vcpu;
	c->own_cpu = ffamed_posix_current_cpu(c->f->host);
	c->f->ops->fw_call(c->f->host, &c->regs);
}

static void fw_call_goes_to_the_firmware_with_the_current_cpu(void **state)
{
	struct port_fixture *f = *state;
	struct fw_probe p = {0};
	struct fw_vcpu c = {.f = f};
	struct ffamed_posix_vm *vm;
	struct ffamed_regs regs = {.x = {FFA_VERSION, 5}};

	f->ops->fw_call(f->host, &regs);
	assert_true(ffa_is_error(&regs));
	assert_int_equal(ffa_error_code(&regs), FFA_RET_NOT_SUPPORTED);
	assert_int_equal(regs.x[2], (uint64_t)(uint32_t)FFA_RET_NOT_SUPPORTED);

	ffamed_posix_set_firmware(f->host, fake_firmware, &p);
	regs = (struct ffamed_regs){.x = {FFA_VERSION, 5}};
	f->ops->fw_call(f->host, &regs);
	assert_int_equal(p.calls, 1);
	assert_int_equal(p.cpu, ffamed_posix_current_cpu(f->host));
	assert_int_equal(regs.x[0], FFA_SUCCESS_32);
	assert_int_equal(regs.x[1], 6);

	assert_int_equal(ffamed_posix_vm_create(f->host, 1, 1, 4, &vm), 0);
	c.regs.x[1] = 41;
	assert_int_equal(ffamed_posix_vcpu_start(vm, 0, call_firmware, &c), 0);
	ffamed_posix_vcpu_join(vm, 0);
	assert_int_equal(p.calls, 2);
	assert_int_equal(p.cpu, c.own_cpu);
	assert_true(c.own_cpu != ffamed_posix_current_cpu(f->host));
	assert_int_equal(c.regs.x[1], 42);
	ffamed_posix_vm_destroy(vm);

	ffamed_posix_set_firmware(f->host, NULL, NULL);
	f->ops->fw_call(f->host, &regs);
	assert_true(ffa_is_error(&regs));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(running_vcpus_get_distinct_cpus, port_setup,
						port_teardown),
		cmocka_unit_test(cpus_are_given_back_when_threads_end),
		cmocka_unit_test(cpu_exhaustion_aborts),
		cmocka_unit_test_setup_teardown(online_state_is_per_vcpu, port_setup,
						port_teardown),
		cmocka_unit_test_setup_teardown(virqs_are_pending_bits_taken_once, port_setup,
						port_teardown),
		cmocka_unit_test_setup_teardown(inject_wakes_a_waiting_vcpu, port_setup,
						port_teardown),
		cmocka_unit_test_setup_teardown(vcpu_start_refuses_bad_requests, port_setup,
						port_teardown),
		cmocka_unit_test_setup_teardown(fw_call_goes_to_the_firmware_with_the_current_cpu,
						port_setup, port_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
