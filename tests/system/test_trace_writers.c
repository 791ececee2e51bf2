/* SPDX-License-Identifier: MIT */
/*
 * Trace collection and the trace files: what a simulated guest does is what
 * the collector holds, and the Chrome/Perfetto JSON and the Mermaid diagram
 * have the structure their readers need.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ffamed/trace.h"
#include "sys_fixture.h"

#define ECHO FFAMED_SIM_ECHO_ID

static size_t count_substr(const char *s, const char *sub)
{
	size_t n = 0, len = strlen(sub);

	for (const char *p = strstr(s, sub); p; p = strstr(p + len, sub))
		n++;
	return n;
}

static size_t count_char(const char *s, char c)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == c;
	return n;
}

/* The writers write to a temporary file, read back whole into a heap string
 * (open_memstream would keep the address of a local in the stream). */
static char *read_back(FILE *f)
{
	long len;
	char *buf;

	assert_int_equal(fflush(f), 0);
	len = ftell(f);
	assert_true(len >= 0);
	rewind(f);
	buf = malloc((size_t)len + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)len, f), (size_t)len);
	buf[len] = '\0';
	fclose(f);
	return buf;
}

static char *write_chrome(const struct ffamed_trace_event *ev, size_t n)
{
	FILE *f = tmpfile();

	assert_non_null(f);
	assert_int_equal(ffamed_trace_write_chrome(f, ev, n), 0);
	return read_back(f);
}

static char *write_mermaid(const struct ffamed_trace_event *ev, size_t n, size_t max)
{
	FILE *f = tmpfile();

	assert_non_null(f);
	assert_int_equal(ffamed_trace_write_mermaid(f, ev, n, max), 0);
	return read_back(f);
}

static uint64_t start_of(const struct ffamed_trace_event *e)
{
	return e->kind == FFAMED_TRACE_CALL ? e->call.t_start_ns : e->sp.t_start_ns;
}

static uint64_t ffa_calls(struct ffamed_sim_vm *vm)
{
	uint64_t n = 0;

	for (uint32_t fnum = FFA_FNUM_MIN; fnum <= FFA_FNUM_MAX; fnum++)
		n += ffamed_sim_vm_call_count(vm, FFA_SMC32(fnum)) +
		     ffamed_sim_vm_call_count(vm, FFA_SMC64(fnum));
	return n;
}

/* A guest's session through the sim: the collector holds exactly it. */
static void collects_what_the_guest_did(void **state)
{
	struct ffamed_sim *sim = sys_create(1, 2, false, 0);
	struct ffamed_sim_vm *vm = ffamed_sim_find_vm(sim, 1);
	struct ffamed_trace *t = ffamed_trace_create(256);
	struct ffamed_trace_event *ev;
	struct sys_guest g;
	uint64_t calls_before, calls;
	size_t n, ncalls = 0, nsp = 0;
	char *json;

	(void)state;
	assert_non_null(t);
	sys_guest_init(&g, vm, 1);
	calls_before = ffa_calls(vm);
	ffamed_set_tracer(ffamed_sim_mediator(sim), ffamed_trace_mediator_tracer(t));
	ffamed_spmc_set_tracer(ffamed_sim_spmc(sim), ffamed_trace_spmc_tracer(t));
	sys_guest_up(&g, FFA_VERSION_1_2, true);
	for (int i = 0; i < 3; i++)
		sys_echo(&g, true, (uint64_t)i);
	ffamed_set_tracer(ffamed_sim_mediator(sim), NULL);
	ffamed_spmc_set_tracer(ffamed_sim_spmc(sim), NULL);
	calls = ffa_calls(vm) - calls_before;

	ev = ffamed_trace_events(t, &n);
	assert_non_null(ev);
	assert_int_equal(ffamed_trace_dropped(t), 0);
	for (size_t i = 0; i < n; i++) {
		if (i)
			assert_true(start_of(&ev[i - 1]) <= start_of(&ev[i]));
		if (ev[i].kind == FFAMED_TRACE_CALL) {
			ncalls++;
			assert_int_equal(ev[i].call.vm_id, 1);
			assert_int_equal(ev[i].call.vcpu, 1);
		} else {
			nsp++;
			assert_int_equal(ev[i].sp.sp_id, ECHO);
			assert_int_equal(ev[i].sp.sender, 1);
			assert_int_equal(ev[i].sp.fid, FFA_MSG_SEND_DIRECT_REQ_64);
			assert_int_equal(ev[i].sp.action, FFAMED_SP_RESPOND);
		}
	}
	assert_int_equal(ncalls, calls);
	assert_int_equal(nsp, 3);
	assert_int_equal(ev[0].kind, FFAMED_TRACE_CALL);
	assert_int_equal(ev[0].call.fid, FFA_VERSION);

	json = write_chrome(ev, n);
	assert_non_null(strstr(json, "{\"displayTimeUnit\": \"ns\", \"traceEvents\": [\n"));
	assert_int_equal(count_substr(json, "\"ph\": \"X\""), n);
	assert_int_equal(count_substr(json, "\"cat\": \"sp\""), 3);
	assert_int_equal(count_char(json, '{'), count_char(json, '}'));
	assert_int_equal(count_char(json, '['), count_char(json, ']'));
	assert_non_null(strstr(json, "\"args\": {\"name\": \"VM 1\"}"));
	assert_non_null(strstr(json, "\"args\": {\"name\": \"vCPU 1\"}"));
	assert_non_null(strstr(json, "\"args\": {\"name\": \"SP 0x8001 ECHO\"}"));
	assert_string_equal(json + strlen(json) - 4, "\n]}\n");
	free(json);
	free(ev);
	ffamed_trace_destroy(t);
	sys_finish(sim);
}

static struct ffamed_trace_event call_ev(uint16_t vm, uint32_t fid, uint64_t x1, uint64_t out0,
					 uint64_t out2, uint64_t t)
{
	struct ffamed_trace_event e = {.kind = FFAMED_TRACE_CALL};

	e.call.vm_id = vm;
	e.call.fid = fid;
	e.call.in[0] = fid;
	e.call.in[1] = x1;
	e.call.out[0] = out0;
	e.call.out[2] = out2;
	e.call.t_start_ns = t;
	e.call.t_end_ns = t + 5;
	return e;
}

/* Known events, known diagram. */
static void mermaid_exact(void **state)
{
	struct ffamed_trace_event ev[5];
	char *md;

	(void)state;
	ev[0] = call_ev(2, FFA_VERSION, FFA_VERSION_1_1, FFA_VERSION_1_2, 0, 100);
	ev[1] = call_ev(2, FFA_MSG_SEND_DIRECT_REQ_64, (2u << 16) | ECHO,
			FFA_MSG_SEND_DIRECT_RESP_64, 0, 200);
	ev[2] = (struct ffamed_trace_event){.kind = FFAMED_TRACE_SP};
	ev[2].sp.sp_id = ECHO;
	ev[2].sp.t_start_ns = 201;
	ev[3] = call_ev(2, FFA_FEATURES, FFA_RUN, FFA_ERROR,
			(uint64_t)(uint32_t)FFA_RET_NOT_SUPPORTED, 300);
	ev[4] = call_ev(2, FFA_ID_GET, 0, FFA_SUCCESS_32, 2, 400);

	md = write_mermaid(ev, 5, 3);
	assert_string_equal(md, "sequenceDiagram\n"
				"    participant VM2 as VM 2\n"
				"    participant M as ffamed mediator\n"
				"    participant SP8001 as SP 0x8001 ECHO\n"
				"    VM2->>M: FFA_VERSION (vCPU 0)\n"
				"    M-->>VM2: v1.2\n"
				"    VM2->>M: FFA_MSG_SEND_DIRECT_REQ_64 (vCPU 0)\n"
				"    M->>SP8001: FFA_MSG_SEND_DIRECT_REQ_64\n"
				"    SP8001-->>M: FFA_MSG_SEND_DIRECT_RESP_64\n"
				"    M-->>VM2: FFA_MSG_SEND_DIRECT_RESP_64\n"
				"    VM2->>M: FFA_FEATURES(FFA_RUN) (vCPU 0)\n"
				"    M-->>VM2: ERROR NOT_SUPPORTED\n");
	free(md);
	/* 0: every call. */
	md = write_mermaid(ev, 5, 0);
	assert_int_equal(count_substr(md, "VM2->>M: "), 4);
	free(md);
}

/* Times in the JSON are microseconds from the first event. */
static void chrome_times_relative(void **state)
{
	struct ffamed_trace_event ev[2];
	char *json;

	(void)state;
	ev[0] = call_ev(1, FFA_ID_GET, 0, FFA_SUCCESS_32, 1, 1000000);
	ev[1] = call_ev(1, FFA_ID_GET, 0, FFA_SUCCESS_32, 1, 1002500);
	json = write_chrome(ev, 2);
	assert_non_null(strstr(json, "\"ts\": 0.000, \"dur\": 0.005"));
	assert_non_null(strstr(json, "\"ts\": 2.500, \"dur\": 0.005"));
	/* One track: its names once. */
	assert_int_equal(count_substr(json, "\"thread_name\""), 1);
	free(json);
	json = write_chrome(NULL, 0);
	assert_string_equal(json, "{\"displayTimeUnit\": \"ns\", \"traceEvents\": [\n\n]}\n");
	free(json);
}

/* A capped file holds whole events only and stays valid JSON. */
static void chrome_size_cap(void **state)
{
	struct ffamed_trace_event ev[50];
	char *full, *capped = NULL;
	size_t len = 0, written = 99;
	FILE *f;

	(void)state;
	for (size_t i = 0; i < 50; i++)
		ev[i] = call_ev(1, FFA_ID_GET, 0, FFA_SUCCESS_32, 1, 1000 + i * 10);
	full = write_chrome(ev, 50);
	f = open_memstream(&capped, &len);
	assert_non_null(f);
	assert_int_equal(ffamed_trace_write_chrome_max(f, ev, 50, strlen(full) / 2, &written), 0);
	fclose(f);
	assert_true(written > 0 && written < 50);
	assert_true(len <= strlen(full) / 2);
	assert_int_equal(count_substr(capped, "\"ph\": \"X\""), written);
	assert_int_equal(count_char(capped, '{'), count_char(capped, '}'));
	assert_string_equal(capped + len - 4, "\n]}\n");
	/* The capped file is the full one's beginning. */
	assert_memory_equal(capped, full, len - 4);
	free(capped);
	free(full);
}

/* A request the mediator refused never reached an SP: no participant for
 * the ID it named. */
static void mermaid_refusal_has_no_sp(void **state)
{
	struct ffamed_trace_event ev[1];
	char *md;

	(void)state;
	ev[0] = call_ev(1, FFA_MSG_SEND_DIRECT_REQ_64, (1u << 16) | 0x8FFFu, FFA_ERROR,
			(uint64_t)(int64_t)FFA_RET_INVALID_PARAMETERS, 100);
	md = write_mermaid(ev, 1, 0);
	assert_null(strstr(md, "8fff"));
	assert_non_null(strstr(md, "M-->>VM1: ERROR INVALID_PARAMETERS\n"));
	free(md);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(collects_what_the_guest_did), cmocka_unit_test(mermaid_exact),
		cmocka_unit_test(chrome_times_relative),       cmocka_unit_test(chrome_size_cap),
		cmocka_unit_test(mermaid_refusal_has_no_sp),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
