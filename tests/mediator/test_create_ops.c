/* SPDX-License-Identifier: MIT */
/*
 * ffamed_create() and the port's operations: without a required one it
 * refuses, creates nothing and names the op through vlog; without vlog it
 * still refuses; without every optional one it creates a working mediator.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ffamed/ffa_regs.h"
#include "ffamed/mediator.h"

static char last_log[256];
static int log_lines;
static int allocs;

static void t_lock(void *h, struct ffamed_lock *l)
{
	(void)h;
	(void)l;
}

static void *t_alloc(void *h, size_t n)
{
	(void)h;
	allocs++;
	return calloc(1, n);
}

static void t_free(void *h, void *p)
{
	(void)h;
	allocs--;
	free(p);
}

static void *t_page_alloc(void *h, size_t npages, uint64_t *pa)
{
	void *p = aligned_alloc(4096, npages * 4096);

	(void)h;
	memset(p, 0, npages * 4096);
	*pa = (uintptr_t)p;
	allocs++;
	return p;
}

static void t_page_free(void *h, void *va, size_t npages)
{
	(void)h;
	(void)npages;
	allocs--;
	free(va);
}

static int32_t t_pin(void *h, void *vm, uint64_t ipa, bool write, uint64_t *pa)
{
	(void)h;
	(void)vm;
	(void)write;
	*pa = ipa;
	return 0;
}

static void t_unpin(void *h, void *vm, uint64_t pa)
{
	(void)h;
	(void)vm;
	(void)pa;
}

static void *t_map(void *h, const uint64_t *pa, size_t n)
{
	(void)h;
	(void)n;
	return (void *)(uintptr_t)pa[0];
}

static void t_unmap(void *h, void *va, size_t n)
{
	(void)h;
	(void)va;
	(void)n;
}

static void t_vm_ref(void *h, void *vm)
{
	(void)h;
	(void)vm;
}

static void t_fw_call(void *h, struct ffamed_regs *r)
{
	(void)h;
	r->x[0] = (uint64_t)(int64_t)FFA_RET_NOT_SUPPORTED; /* no SPMC */
}

static int32_t t_work_schedule(void *h, struct ffamed_work *w, uint64_t delay_ns)
{
	(void)h;
	(void)delay_ns;
	w->fn(w);
	return 0;
}

static void t_work_cancel(void *h, struct ffamed_work *w)
{
	(void)h;
	(void)w;
}

static void t_vlog(void *h, enum ffamed_log_level lvl, const char *fmt, va_list ap)
{
	(void)h;
	(void)lvl;
	vsnprintf(last_log, sizeof(last_log), fmt, ap);
	log_lines++;
}

/* Every required op, and vlog; nothing else optional. */
static struct ffamed_host_ops required_ops(void)
{
	struct ffamed_host_ops o = {
		.lock_init = t_lock,
		.lock_destroy = t_lock,
		.lock_acquire = t_lock,
		.lock_release = t_lock,
		.alloc = t_alloc,
		.free = t_free,
		.page_alloc = t_page_alloc,
		.page_free = t_page_free,
		.vlog = t_vlog,
		.guest_page_pin = t_pin,
		.guest_page_unpin = t_unpin,
		.map_pages = t_map,
		.unmap_pages = t_unmap,
		.vm_get = t_vm_ref,
		.vm_put = t_vm_ref,
		.fw_call = t_fw_call,
		.work_schedule = t_work_schedule,
		.work_cancel_sync = t_work_cancel,
	};
	return o;
}

#define REQ(op)                                                                                    \
	{                                                                                          \
#op, offsetof(struct ffamed_host_ops, op)                                          \
	}
static const struct {
	const char *name;
	size_t off;
} required[] = {
	REQ(lock_init),
	REQ(lock_destroy),
	REQ(lock_acquire),
	REQ(lock_release),
	REQ(alloc),
	REQ(free),
	REQ(page_alloc),
	REQ(page_free),
	REQ(guest_page_pin),
	REQ(guest_page_unpin),
	REQ(map_pages),
	REQ(unmap_pages),
	REQ(vm_get),
	REQ(vm_put),
	REQ(fw_call),
	REQ(work_schedule),
	REQ(work_cancel_sync),
};

static void each_missing_required_op_is_named(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
		struct ffamed_host_ops o = required_ops();
		struct ffamed *med = (struct ffamed *)&o; /* must be left alone */
		char want[64];

		memset((char *)&o + required[i].off, 0, sizeof(void (*)(void)));
		log_lines = 0;
		assert_int_equal(ffamed_create(&o, NULL, NULL, &med), FFA_RET_INVALID_PARAMETERS);
		assert_ptr_equal(med, (struct ffamed *)&o);
		assert_int_equal(log_lines, 1);
		snprintf(want, sizeof(want), "has no %s ", required[i].name);
		if (!strstr(last_log, want))
			fail_msg("missing %s logged as \"%s\"", required[i].name, last_log);
		assert_int_equal(allocs, 0);
	}
}

static void without_vlog_still_refused(void **state)
{
	struct ffamed_host_ops o = required_ops();
	struct ffamed *med = NULL;

	(void)state;
	o.vlog = NULL;
	o.fw_call = NULL;
	log_lines = 0;
	assert_int_equal(ffamed_create(&o, NULL, NULL, &med), FFA_RET_INVALID_PARAMETERS);
	assert_null(med);
	assert_int_equal(log_lines, 0);
	assert_int_equal(ffamed_create(NULL, NULL, NULL, &med), FFA_RET_INVALID_PARAMETERS);
}

static void required_ops_alone_serve_a_guest(void **state)
{
	struct ffamed_host_ops o = required_ops();
	struct ffamed *med = NULL;
	struct ffamed_vm *vm = NULL;
	struct ffamed_regs r;
	int host_vm;

	(void)state;
	o.vlog = NULL;
	assert_int_equal(ffamed_create(&o, NULL, NULL, &med), FFA_RET_OK);
	assert_int_equal(ffamed_vm_create(med,
					  &(struct ffamed_vm_params){.ffa_id = 1,
								     .vcpu_count = 1,
								     .aarch64 = true,
								     .host_vm = &host_vm},
					  &vm),
			 FFA_RET_OK);
	ffa_regs_clear(&r);
	r.x[0] = FFA_VERSION;
	r.x[1] = FFA_VERSION_1_1;
	assert_int_equal(ffamed_handle_call(vm, 0, &r), FFAMED_CALL_DONE);
	assert_int_equal(r.x[0], FFAMED_FFA_VERSION);
	ffa_regs_clear(&r);
	r.x[0] = FFA_ID_GET;
	assert_int_equal(ffamed_handle_call(vm, 0, &r), FFAMED_CALL_DONE);
	assert_int_equal(r.x[0], FFA_SUCCESS_32);
	assert_int_equal(r.x[2], 1);
	ffamed_vm_destroy(vm);
	ffamed_destroy(med);
	assert_int_equal(allocs, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(each_missing_required_op_is_named),
		cmocka_unit_test(without_vlog_still_refused),
		cmocka_unit_test(required_ops_alone_serve_a_guest),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
