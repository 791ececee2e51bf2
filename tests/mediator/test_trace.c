/* SPDX-License-Identifier: MIT */
/* The mediator's tracer hook: one record per call taken, none when off. */
#include "med_fixture.h"

#define MAX_RECS 64

struct rec_log {
	struct ffamed_trace_rec recs[MAX_RECS];
	int n;
};

static void record(void *ctx, const struct ffamed_trace_rec *rec)
{
	struct rec_log *log = ctx;

	if (log->n < MAX_RECS)
		log->recs[log->n] = *rec;
	log->n++;
}

static uint64_t fake_clock;

static uint64_t fake_now(void *host)
{
	(void)host;
	return fake_clock += 10;
}

static void records_match_calls(void **state)
{
	struct fix *fix = fix_create(NULL);
	struct fix_vm *v = fix_vm(fix, 3, 2);
	struct rec_log log = {0};
	struct ffamed_tracer tracer = {.record = record, .ctx = &log};
	struct ffamed_regs r;

	(void)state;
	fix->ops.now_ns = fake_now;
	ffamed_set_tracer(fix->med, &tracer);
	r = fix_call(v, 1, FFA_VERSION, FFA_VERSION_1_2, 0, 0, 0, 0);
	assert_int_equal(r.x[0], FFA_VERSION_1_2);
	/* SMC32 with junk in an upper half and the SVE hint: recorded masked. */
	r = fix_call(v, 0, FFA_ID_GET | FFA_SMCCC_SVE_HINT, 0xABCD00000000ull, 0, 0, 0, 0);
	assert_ffa_success(r);
	r = fix_call(v, 1, FFA_FEATURES, FFA_CONSOLE_LOG_64, 0, 0, 0, 0);
	assert_ffa_error(r, FFA_RET_NOT_SUPPORTED);
	/* Not an FF-A call: given back to the host, so not recorded. */
	ffa_regs_clear(&r);
	r.x[0] = 0x84000000u; /* PSCI_VERSION */
	assert_false(ffamed_handle_call(v->vm, 0, &r));
	ffamed_set_tracer(fix->med, NULL);

	assert_int_equal(log.n, 3);
	assert_int_equal(log.recs[0].vm_id, 3);
	assert_int_equal(log.recs[0].vcpu, 1);
	assert_int_equal(log.recs[0].fid, FFA_VERSION);
	assert_int_equal(log.recs[0].in[1], FFA_VERSION_1_2);
	assert_int_equal(log.recs[0].out[0], FFA_VERSION_1_2);
	assert_true(log.recs[0].t_end_ns > log.recs[0].t_start_ns);
	assert_true(log.recs[1].t_start_ns > log.recs[0].t_end_ns);

	assert_int_equal(log.recs[1].fid, FFA_ID_GET);
	assert_int_equal(log.recs[1].vcpu, 0);
	assert_int_equal(log.recs[1].in[0], FFA_ID_GET);
	assert_int_equal(log.recs[1].in[1], 0);
	assert_int_equal(log.recs[1].out[0], FFA_SUCCESS_32);
	assert_int_equal(log.recs[1].out[2], 3);

	assert_int_equal(log.recs[2].fid, FFA_FEATURES);
	assert_int_equal(log.recs[2].in[1], FFA_CONSOLE_LOG_64);
	assert_int_equal(log.recs[2].out[0], FFA_ERROR);
	assert_int_equal(log.recs[2].out[2], (uint64_t)(uint32_t)FFA_RET_NOT_SUPPORTED);

	fix->ops.now_ns = NULL;
	fix_vm_destroy(v);
	fix_destroy(fix);
}

static void off_means_no_records(void **state)
{
	struct fix *fix = fix_create(NULL);
	struct fix_vm *v = fix_vm(fix, 1, 1);
	struct rec_log log = {0};
	struct ffamed_tracer tracer = {.record = record, .ctx = &log};

	(void)state;
	fix_negotiate(v, FFA_VERSION_1_2); /* never traced */
	ffamed_set_tracer(fix->med, &tracer);
	fix_call(v, 0, FFA_ID_GET, 0, 0, 0, 0, 0);
	ffamed_set_tracer(fix->med, NULL);
	fix_call(v, 0, FFA_ID_GET, 0, 0, 0, 0, 0);
	fix_call(v, 0, FFA_VERSION, FFA_VERSION_1_2, 0, 0, 0, 0);
	assert_int_equal(log.n, 1);
	/* Without a host clock the times are 0. */
	assert_int_equal(log.recs[0].t_start_ns, 0);
	assert_int_equal(log.recs[0].t_end_ns, 0);
	fix_vm_destroy(v);
	fix_destroy(fix);
}

/* A refused call is traced like any other, with its error. */
static void refusals_are_recorded(void **state)
{
	struct fix *fix = fix_create(NULL);
	struct fix_vm *v = fix_vm(fix, 2, 1);
	struct rec_log log = {0};
	struct ffamed_tracer tracer = {.record = record, .ctx = &log};

	(void)state;
	ffamed_set_tracer(fix->med, &tracer);
	fix_call(v, 0, FFA_ID_GET, 0, 0, 0, 0, 0);		  /* before FFA_VERSION */
	fix_call(v, 5, FFA_VERSION, FFA_VERSION_1_2, 0, 0, 0, 0); /* no such vCPU */
	ffamed_set_tracer(fix->med, NULL);
	assert_int_equal(log.n, 2);
	assert_int_equal(log.recs[0].out[2], (uint64_t)(uint32_t)FFA_RET_NOT_SUPPORTED);
	assert_int_equal(log.recs[1].vcpu, 5);
	assert_int_equal(log.recs[1].out[2], (uint64_t)(uint32_t)FFA_RET_INVALID_PARAMETERS);
	fix_vm_destroy(v);
	fix_destroy(fix);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(records_match_calls),
		cmocka_unit_test(off_means_no_records),
		cmocka_unit_test(refusals_are_recorded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
