/* SPDX-License-Identifier: MIT */
/*
 * A refused call says which check refused: the mediator's debug log names
 * the function, the code and the check ("file.c:line: reason"), and the
 * trace record carries the same text. The debug lines are rate-limited
 * with their own budget, which guest warnings do not share.
 */
#include <stdio.h>
#include <string.h>

#include "med_fixture.h"

/* Mirrors the mediator's limits (src/mediator/med_internal.h). */
#define BURST	  10
#define WINDOW_NS 1000000000ull

/* What the log hook saw: the refusal lines (debug level) and the last one. */
static int refusal_lines;
static int dropped_reports;
static char last_refusal[256];

static void capture_vlog(void *ctx, enum ffamed_log_level level, const char *fmt, va_list ap)
{
	char line[256];

	(void)ctx;
	vsnprintf(line, sizeof(line), fmt, ap);
	if (level != FFAMED_LOG_DEBUG)
		return;
	if (strstr(line, " refused ")) {
		refusal_lines++;
		snprintf(last_refusal, sizeof(last_refusal), "%s", line);
	} else if (strstr(line, "refusals not logged")) {
		dropped_reports++;
	}
}

static uint64_t fake_clock;
static void (*fixture_vlog)(void *ctx, enum ffamed_log_level level, const char *fmt, va_list ap);

static uint64_t fake_now(void *host)
{
	(void)host;
	return fake_clock;
}

static struct fix *refusal_fix(void)
{
	struct fix *fix = fix_create(NULL);

	fixture_vlog = fix->ops.vlog;
	fix->ops.vlog = capture_vlog;
	refusal_lines = 0;
	dropped_reports = 0;
	last_refusal[0] = 0;
	return fix;
}

static void denied_reason_is_logged(void **state)
{
	struct fix *fix = refusal_fix();
	struct fix_vm *v = fix_vm(fix, 2, 1);
	struct ffamed_regs r;

	(void)state;
	fix_negotiate(v, FFA_VERSION_1_2);
	fix_map_default(v, 1);
	/* A second RXTX_MAP: DENIED, because the pair is mapped already. */
	r = fix_call(v, 0, FFA_RXTX_MAP_64, 0x700000, 0x701000, 1, 0, 0);
	assert_ffa_error(r, FFA_RET_DENIED);
	assert_int_equal(refusal_lines, 1);
	assert_non_null(strstr(last_refusal, "ffamed: VM 2 vCPU 0: FFA_RXTX_MAP_64 refused DENIED: "
					     "med_rxtx.c:"));
	assert_non_null(strstr(last_refusal, ": buffers already mapped"));
	/* The file name only, without the build's directories. */
	assert_null(strchr(last_refusal, '/'));

	/* Another check, another reason; a served call logs nothing. */
	r = fix_call(v, 0, FFA_RXTX_UNMAP, 5, 0, 0, 0, 0);
	assert_ffa_error(r, FFA_RET_INVALID_PARAMETERS);
	assert_non_null(strstr(last_refusal, "FFA_RXTX_UNMAP refused INVALID_PARAMETERS"));
	assert_non_null(strstr(last_refusal, ": endpoint ID field not zero"));
	r = fix_call(v, 0, FFA_ID_GET, 0, 0, 0, 0, 0);
	assert_ffa_success(r);
	assert_int_equal(refusal_lines, 2);

	fix_vm_destroy(v);
	fix_destroy(fix);
}

#define MAX_RECS 8

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

static void reason_is_in_the_trace(void **state)
{
	struct fix *fix = refusal_fix();
	struct fix_vm *v = fix_vm(fix, 3, 1);
	struct rec_log log = {0};
	struct ffamed_tracer tracer = {.record = record, .ctx = &log};
	struct ffamed_regs r;

	(void)state;
	fix_negotiate(v, FFA_VERSION_1_2);
	ffamed_set_tracer(fix->med, &tracer);
	r = fix_call(v, 0, FFA_ID_GET, 0, 0, 0, 0, 0);
	assert_ffa_success(r);
	/* Two handlers, each refusing with its own check. */
	r = fix_call(v, 0, FFA_RX_RELEASE, 0, 0, 0, 0, 0);
	assert_ffa_error(r, FFA_RET_DENIED);
	r = fix_call(v, 0, FFA_PARTITION_INFO_GET, 0, 0, 0, 0, 2); /* w5 bit 1: unknown */
	assert_ffa_error(r, FFA_RET_INVALID_PARAMETERS);
	/* Refused before any handler: a function the guest cannot call. */
	r = fix_call(v, 0, FFA_NOTIFICATION_BITMAP_CREATE, 3, 1, 0, 0, 0);
	assert_ffa_error(r, FFA_RET_NOT_SUPPORTED);
	ffamed_set_tracer(fix->med, NULL);

	assert_int_equal(log.n, 4);
	assert_null(log.recs[0].refusal);
	assert_non_null(log.recs[1].refusal);
	assert_true(strncmp(log.recs[1].refusal, "med_rxtx.c:", 11) == 0);
	assert_non_null(strstr(log.recs[1].refusal, "RX not held by the guest"));
	assert_true(strncmp(log.recs[2].refusal, "med_partinfo.c:", 15) == 0);
	assert_non_null(strstr(log.recs[2].refusal, ": flags not known at this version"));
	assert_non_null(strstr(log.recs[3].refusal, "med_core.c:"));
	/* The log says the same as the trace. */
	assert_non_null(strstr(last_refusal, log.recs[3].refusal));

	fix_vm_destroy(v);
	fix_destroy(fix);
}

/* A VM flooding refused calls gets a burst of lines per window. */
static void refusal_lines_are_rate_limited(void **state)
{
	struct fix *fix = refusal_fix();
	struct fix_vm *v = fix_vm(fix, 4, 1);
	struct ffamed_regs r;
	int warns;

	(void)state;
	fake_clock = 9 * WINDOW_NS;
	fix->ops.now_ns = fake_now;
	fix_negotiate(v, FFA_VERSION_1_2);
	for (int i = 0; i < 1000; i++) {
		r = fix_call(v, 0, FFA_RXTX_UNMAP, 0, 0, 0, 0, 0);
		assert_ffa_error(r, FFA_RET_INVALID_PARAMETERS);
	}
	assert_int_equal(refusal_lines, BURST);
	assert_int_equal(dropped_reports, 0);

	/* Next window: how many were dropped, then the line itself. */
	fake_clock += WINDOW_NS;
	r = fix_call(v, 0, FFA_RXTX_UNMAP, 0, 0, 0, 0, 0);
	assert_ffa_error(r, FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(refusal_lines, BURST + 1);
	assert_int_equal(dropped_reports, 1);

	/* The refusals used none of the guest-warning budget. */
	warns = atomic_load(&fix->log_count[FFAMED_LOG_WARN]);
	fix->ops.vlog = fixture_vlog;		       /* it counts per level */
	r = fix_call(v, 5, FFA_ID_GET, 0, 0, 0, 0, 0); /* no vCPU 5: a guest warning */
	assert_ffa_error(r, FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(atomic_load(&fix->log_count[FFAMED_LOG_WARN]), warns + 1);

	fix->ops.now_ns = NULL;
	fix_vm_destroy(v);
	fix_destroy(fix);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(denied_reason_is_logged),
		cmocka_unit_test(reason_is_in_the_trace),
		cmocka_unit_test(refusal_lines_are_rate_limited),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
