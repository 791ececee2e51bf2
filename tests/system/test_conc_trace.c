/* SPDX-License-Identifier: MIT */
/*
 * Tracing while vCPUs of several VMs call at once: every call lands in its
 * thread's buffer exactly once, and installing or removing the tracers
 * while calls run is safe (TSan runs this).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "ffamed/trace.h"
#include "sys_fixture.h"

#define VMS    2
#define VCPUS  2
#define ROUNDS 200

struct vcpu_arg {
	struct ffamed_sim_vm *vm;
	int failures;
};

static void vcpu_main(struct ffamed_posix_vm *pvm, uint16_t vcpu, void *arg)
{
	struct vcpu_arg *a = &((struct vcpu_arg *)arg)[vcpu];
	uint16_t id = ffamed_sim_vm_id(a->vm);
	struct ffamed_regs r;

	(void)pvm;
	ffa_regs_clear(&r);
	r.x[0] = FFA_VERSION;
	r.x[1] = FFA_VERSION_1_2;
	ffamed_sim_guest_call(a->vm, vcpu, &r);
	a->failures += r.x[0] != FFA_VERSION_1_2;
	for (int i = 0; i < ROUNDS; i++) {
		ffa_regs_clear(&r);
		r.x[0] = FFA_ID_GET;
		ffamed_sim_guest_call(a->vm, vcpu, &r);
		a->failures += r.x[0] != FFA_SUCCESS_32 || r.x[2] != id;
		ffa_regs_clear(&r);
		r.x[0] = FFA_MSG_SEND_DIRECT_REQ_64;
		r.x[1] = ((uint64_t)id << 16) | FFAMED_SIM_ECHO_ID;
		r.x[3] = (uint64_t)i;
		ffamed_sim_guest_call(a->vm, vcpu, &r);
		a->failures += r.x[0] != FFA_MSG_SEND_DIRECT_RESP_64 || r.x[3] != (uint64_t)i;
	}
}

static void run_vcpus(struct ffamed_sim *sim, struct vcpu_arg args[VMS][VCPUS])
{
	for (int v = 0; v < VMS; v++) {
		struct ffamed_sim_vm *vm = ffamed_sim_find_vm(sim, (uint16_t)(v + 1));

		for (int c = 0; c < VCPUS; c++) {
			args[v][c] = (struct vcpu_arg){.vm = vm};
			assert_int_equal(ffamed_sim_vcpu_start(vm, (uint16_t)c, vcpu_main, args[v]),
					 FFA_RET_OK);
		}
	}
}

static void join_vcpus(struct ffamed_sim *sim, struct vcpu_arg args[VMS][VCPUS])
{
	for (int v = 0; v < VMS; v++)
		for (int c = 0; c < VCPUS; c++)
			ffamed_sim_vcpu_join(ffamed_sim_find_vm(sim, (uint16_t)(v + 1)),
					     (uint16_t)c);
	for (int v = 0; v < VMS; v++)
		for (int c = 0; c < VCPUS; c++)
			assert_int_equal(args[v][c].failures, 0);
}

static void every_call_once(void **state)
{
	struct ffamed_sim *sim = sys_create(VMS, VCPUS, false, 0);
	struct ffamed_trace *t = ffamed_trace_create(4 * ROUNDS);
	struct vcpu_arg args[VMS][VCPUS];
	struct ffamed_trace_event *ev;
	size_t n, calls[VMS][VCPUS] = {{0}}, sp_runs[VMS] = {0};

	(void)state;
	ffamed_set_tracer(ffamed_sim_mediator(sim), ffamed_trace_mediator_tracer(t));
	ffamed_spmc_set_tracer(ffamed_sim_spmc(sim), ffamed_trace_spmc_tracer(t));
	run_vcpus(sim, args);
	join_vcpus(sim, args);
	ffamed_set_tracer(ffamed_sim_mediator(sim), NULL);
	ffamed_spmc_set_tracer(ffamed_sim_spmc(sim), NULL);

	ev = ffamed_trace_events(t, &n);
	assert_non_null(ev);
	assert_int_equal(ffamed_trace_dropped(t), 0);
	for (size_t i = 0; i < n; i++) {
		if (ev[i].kind == FFAMED_TRACE_CALL) {
			assert_in_range(ev[i].call.vm_id, 1, VMS);
			assert_in_range(ev[i].call.vcpu, 0, VCPUS - 1);
			calls[ev[i].call.vm_id - 1][ev[i].call.vcpu]++;
		} else {
			assert_int_equal(ev[i].sp.sp_id, FFAMED_SIM_ECHO_ID);
			assert_in_range(ev[i].sp.sender, 1, VMS);
			sp_runs[ev[i].sp.sender - 1]++;
		}
	}
	for (int v = 0; v < VMS; v++) {
		for (int c = 0; c < VCPUS; c++)
			assert_int_equal(calls[v][c], 1 + 2 * ROUNDS);
		assert_int_equal(sp_runs[v], VCPUS * ROUNDS);
	}
	free(ev);
	ffamed_trace_destroy(t);
	sys_finish(sim);
}

/* The tracers come and go while the vCPUs call: nothing breaks, and no
 * more is recorded than was called. */
static void toggled_while_running(void **state)
{
	struct ffamed_sim *sim = sys_create(VMS, VCPUS, false, 0);
	struct ffamed_trace *t = ffamed_trace_create(4 * ROUNDS);
	struct vcpu_arg args[VMS][VCPUS];
	struct ffamed_trace_event *ev;
	size_t n, ncalls = 0;

	(void)state;
	run_vcpus(sim, args);
	for (int i = 0; i < 200; i++) {
		bool on = i % 2 == 0;

		ffamed_set_tracer(ffamed_sim_mediator(sim),
				  on ? ffamed_trace_mediator_tracer(t) : NULL);
		ffamed_spmc_set_tracer(ffamed_sim_spmc(sim),
				       on ? ffamed_trace_spmc_tracer(t) : NULL);
	}
	join_vcpus(sim, args);
	ffamed_set_tracer(ffamed_sim_mediator(sim), NULL);
	ffamed_spmc_set_tracer(ffamed_sim_spmc(sim), NULL);
	ev = ffamed_trace_events(t, &n);
	for (size_t i = 0; i < n; i++)
		ncalls += ev[i].kind == FFAMED_TRACE_CALL;
	assert_true(ncalls <= (size_t)VMS * VCPUS * (1 + 2 * ROUNDS));
	free(ev);
	ffamed_trace_destroy(t);
	sys_finish(sim);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_call_once),
		cmocka_unit_test(toggled_while_running),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
