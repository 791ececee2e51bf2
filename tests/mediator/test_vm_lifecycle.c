/* SPDX-License-Identifier: MIT */
/* VM registry, creation/destruction, VM_CREATED / VM_DESTROYED. */
#include "med_fixture.h"
#include "mediator/med_internal.h"
#include "mediator/med_registry.h"

static void create_validation(void **state)
{
	(void)state;
	struct fix_opts o = {.med_cfg = {.max_vms = 2}};
	struct fix *fix = fix_create(&o);
	struct fix_vm *v = fix_vm_new(fix, 0, 1, 1, true);
	struct ffamed_vm_params p = {.ffa_id = 5, .vcpu_count = 0, .host_vm = v};
	struct ffamed_vm *out = (struct ffamed_vm *)1;
	struct fix_vm *a, *b, *c;

	assert_int_equal(fix_vm_register(v, true), FFA_RET_INVALID_PARAMETERS);
	v->id = 0x8001;
	assert_int_equal(fix_vm_register(v, true), FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(ffamed_vm_create(fix->med, &p, &out), FFA_RET_INVALID_PARAMETERS);
	assert_null(out);
	fix_vm_destroy(v);

	a = fix_vm(fix, 0x7FFF, 1);
	b = fix_vm_new(fix, 0x7FFF, 1, 1, true);
	assert_int_equal(fix_vm_register(b, true), FFA_RET_DENIED);
	b->id = 2;
	assert_int_equal(fix_vm_register(b, true), FFA_RET_OK);
	c = fix_vm_new(fix, 3, 1, 1, true);
	assert_int_equal(fix_vm_register(c, true), FFA_RET_NO_MEMORY);
	/* Refusals before the SPs heard of it: no VM_CREATED was sent. */
	assert_int_equal(ffamed_sp_vmwatch_created_msgs(&fix->vmwatch), 2);

	/* Registry lookups take a reference. */
	struct ffamed_vm *got = med_vm_get(fix->med, 2);
	assert_ptr_equal(got, b->vm);
	assert_int_equal(atomic_load(&got->refs), 1);
	med_vm_put(got);
	assert_null(med_vm_get(fix->med, 3));

	fix_vm_destroy(a);
	assert_int_equal(fix_vm_register(c, true), FFA_RET_OK);
	fix_vm_destroy(b);
	fix_vm_destroy(c);
	fix_destroy(fix);
}

static uint32_t seen_w[8];

static bool peek_avail(struct fix *fix, struct ffamed_regs *regs, void *arg)
{
	(void)fix;
	(void)arg;
	if ((uint32_t)regs->x[0] == FFA_MSG_SEND_DIRECT_REQ_32 &&
	    (regs->x[2] & FFA_MSG_FLAG_FRAMEWORK))
		for (int i = 0; i < 8; i++)
			seen_w[i] = (uint32_t)regs->x[i];
	return false;
}

static void subscribers_only(void **state)
{
	(void)state;
	struct fix_opts o = {.hook = peek_avail};
	struct fix *fix = fix_create(&o);
	uint64_t reqs = fix_fw_count(fix, FFA_MSG_SEND_DIRECT_REQ_32);
	struct fix_vm *v = fix_vm(fix, 9, 1);

	/* One message, to vmwatch only (the SPMC refuses unsubscribed SPs). */
	assert_int_equal(fix_fw_count(fix, FFA_MSG_SEND_DIRECT_REQ_32), reqs + 1);
	assert_true(ffamed_sp_vmwatch_is_live(&fix->vmwatch, 9));
	assert_int_equal(seen_w[1], FFA_SENDER_RECEIVER(0, FIX_SP_VMWATCH));
	assert_int_equal(seen_w[2], 0x80000004u);
	assert_int_equal(seen_w[3], 0xFFFFFFFFu);
	assert_int_equal(seen_w[4], 0xFFFFFFFFu);
	assert_int_equal(seen_w[5], 9);
	assert_int_equal(seen_w[6], 0);
	assert_int_equal(atomic_load(&fix->echo.requests), 0);
	fix_vm_destroy(v);
	assert_int_equal(seen_w[2], 0x80000006u);
	assert_false(ffamed_sp_vmwatch_is_live(&fix->vmwatch, 9));
	assert_int_equal(ffamed_sp_vmwatch_destroyed_msgs(&fix->vmwatch), 1);
	assert_int_equal(atomic_load(&fix->vmwatch.duplicate_created), 0);
	assert_int_equal(atomic_load(&fix->vmwatch.unknown_destroyed), 0);
	assert_int_equal(fix_work_queued(fix), 0);
	fix_destroy(fix);
}

/* The firmware calls that name a VM at the SPMC, in the order made. */
#define ORDER_MAX 16
enum order_ev { EV_CREATED = 1, EV_BITMAP_CREATE, EV_BITMAP_DESTROY, EV_DESTROYED };
static enum order_ev order_log[ORDER_MAX];
static int order_len;

static bool log_order(struct fix *fix, struct ffamed_regs *regs, void *arg)
{
	uint32_t fid = (uint32_t)regs->x[0];
	enum order_ev ev = 0;

	(void)fix;
	(void)arg;
	if (fid == FFA_MSG_SEND_DIRECT_REQ_32 &&
	    (uint32_t)regs->x[2] == FFA_FWK_MSG(FFA_FWK_MSG_VM_CREATED))
		ev = EV_CREATED;
	else if (fid == FFA_MSG_SEND_DIRECT_REQ_32 &&
		 (uint32_t)regs->x[2] == FFA_FWK_MSG(FFA_FWK_MSG_VM_DESTROYED))
		ev = EV_DESTROYED;
	else if (fid == FFA_NOTIFICATION_BITMAP_CREATE)
		ev = EV_BITMAP_CREATE;
	else if (fid == FFA_NOTIFICATION_BITMAP_DESTROY)
		ev = EV_BITMAP_DESTROY;
	if (ev && order_len < ORDER_MAX)
		order_log[order_len++] = ev;
	return false;
}

static void created_before_bitmap(void **state)
{
	(void)state;
	struct fix_opts o = {.hook = log_order};
	struct fix *fix = fix_create(&o);
	struct fix_vm *v;

	order_len = 0;
	v = fix_vm(fix, 7, 2);
	assert_int_equal(order_len, 2);
	assert_int_equal(order_log[0], EV_CREATED);
	assert_int_equal(order_log[1], EV_BITMAP_CREATE);
	fix_vm_destroy(v);
	assert_int_equal(order_len, 4);
	assert_int_equal(order_log[2], EV_BITMAP_DESTROY);
	assert_int_equal(order_log[3], EV_DESTROYED);

	/* A refused VM_CREATED: the bitmap is never asked for. */
	order_len = 0;
	v = fix_vm_new(fix, 7, 1, 4, true);
	ffamed_sp_vmwatch_fail_always(&fix->vmwatch, FFA_RET_DENIED);
	assert_int_equal(fix_vm_register(v, true), FFA_RET_DENIED);
	assert_int_equal(order_len, 1);
	assert_int_equal(order_log[0], EV_CREATED);
	ffamed_sp_vmwatch_fail_always(&fix->vmwatch, 0);
	fix_vm_destroy(v);
	fix_destroy(fix);
}

static void created_retried_then_refused(void **state)
{
	(void)state;
	struct fix_opts o = {.med_cfg = {.vm_msg_max_retries = 3}};
	struct fix *fix = fix_create(&o);
	struct fix_vm *v = fix_vm_new(fix, 4, 1, 4, true);

	ffamed_sp_vmwatch_fail_next(&fix->vmwatch, FFA_RET_RETRY, 3);
	assert_int_equal(fix_vm_register(v, true), FFA_RET_OK);
	assert_int_equal(ffamed_sp_vmwatch_created_msgs(&fix->vmwatch), 4);
	assert_true(ffamed_sp_vmwatch_is_live(&fix->vmwatch, 4));
	fix_vm_destroy(v);

	/* One retry too many: creation fails with the SP's answer. */
	v = fix_vm_new(fix, 5, 1, 4, true);
	ffamed_sp_vmwatch_fail_next(&fix->vmwatch, FFA_RET_INTERRUPTED, 4);
	assert_int_equal(fix_vm_register(v, true), FFA_RET_INTERRUPTED);
	assert_null(v->vm);
	assert_false(ffamed_sp_vmwatch_is_live(&fix->vmwatch, 5));
	/* It was never told, so it is not told of the destruction either. */
	assert_int_equal(ffamed_sp_vmwatch_destroyed_msgs(&fix->vmwatch), 1);
	assert_int_equal(fix_vm_register(v, true), FFA_RET_OK);
	fix_vm_destroy(v);
	fix_destroy(fix);
}

static void creation_rollback(void **state)
{
	(void)state;
	static struct ffamed_sp_vmwatch w1, w2;
	static struct ffamed_sp_config cfg[2];
	struct fix_opts o = {.sps = cfg, .sp_count = 2};
	struct fix *fix;
	struct fix_vm *v;

	ffamed_sp_vmwatch_config(&cfg[0], &w1, 0x8050, 1);
	ffamed_sp_vmwatch_config(&cfg[1], &w2, 0x8051, 1);
	fix = fix_create(&o);
	v = fix_vm_new(fix, 6, 1, 4, true);
	ffamed_sp_vmwatch_fail_always(&w2, FFA_RET_DENIED);
	assert_int_equal(fix_vm_register(v, true), FFA_RET_DENIED);
	/* The first SP was told, then told of the destruction. */
	assert_int_equal(ffamed_sp_vmwatch_created_msgs(&w1), 1);
	assert_int_equal(ffamed_sp_vmwatch_destroyed_msgs(&w1), 1);
	assert_false(ffamed_sp_vmwatch_is_live(&w1, 6));
	assert_int_equal(ffamed_sp_vmwatch_destroyed_msgs(&w2), 0);
	ffamed_sp_vmwatch_fail_always(&w2, 0);
	fix_vm_destroy(v);
	fix_destroy(fix);
}

static void destroyed_retried_from_work(void **state)
{
	(void)state;
	struct fix_opts o = {.med_cfg = {.vm_msg_max_retries = 3}};
	struct fix *fix = fix_create(&o);
	struct fix_vm *v = fix_vm(fix, 7, 1);
	struct fix_vm *again;

	fix_negotiate(v, FFA_VERSION_1_2);
	fix_map_default(v, 2);
	ffamed_sp_vmwatch_fail_next(&fix->vmwatch, FFA_RET_RETRY, 2);
	fix_vm_destroy(v);
	/* The VM context is gone; the host VM is still referenced. */
	assert_int_equal(atomic_load(&fix->live_host_vms), 1);
	assert_int_equal(atomic_load(&fix->live_maps), 0);
	assert_true(ffamed_sp_vmwatch_is_live(&fix->vmwatch, 7));
	assert_int_equal(fix_work_queued(fix), 1);
	/* The same ID cannot come back while it is owed VM_DESTROYED. */
	again = fix_vm_new(fix, 7, 1, 1, true);
	assert_int_equal(fix_vm_register(again, true), FFA_RET_RETRY);
	assert_int_equal(fix_work_run(fix), 1); /* refused again */
	assert_int_equal(fix_work_queued(fix), 1);
	assert_int_equal(fix_work_run(fix), 1); /* taken */
	assert_int_equal(fix_work_queued(fix), 0);
	assert_false(ffamed_sp_vmwatch_is_live(&fix->vmwatch, 7));
	assert_int_equal(ffamed_sp_vmwatch_destroyed_msgs(&fix->vmwatch), 3);
	assert_int_equal(atomic_load(&fix->live_host_vms), 1); /* only `again` */
	assert_int_equal(fix_vm_register(again, true), FFA_RET_OK);
	fix_vm_destroy(again);
	fix_destroy(fix);
}

static void destroyed_given_up(void **state)
{
	(void)state;
	struct fix_opts o = {.med_cfg = {.vm_msg_max_retries = 3}};
	struct fix *fix = fix_create(&o);
	struct fix_vm *v = fix_vm(fix, 8, 1);
	int runs = 0;

	ffamed_sp_vmwatch_fail_always(&fix->vmwatch, FFA_RET_BUSY);
	fix_vm_destroy(v);
	while (fix_work_queued(fix)) {
		assert_int_equal(fix_work_run(fix), 1);
		runs++;
	}
	/* One synchronous try, then exactly the bound from work. */
	assert_int_equal(runs, 3);
	assert_int_equal(ffamed_sp_vmwatch_destroyed_msgs(&fix->vmwatch), 4);
	assert_int_equal(atomic_load(&fix->live_host_vms), 0);
	assert_true(atomic_load(&fix->log_count[FFAMED_LOG_WARN]) > 0);
	ffamed_sp_vmwatch_fail_always(&fix->vmwatch, 0);
	fix_destroy(fix);
}

static void destroy_abandons_pending(void **state)
{
	(void)state;
	struct fix *fix = fix_create(NULL);
	struct fix_vm *v = fix_vm(fix, 9, 1);
	struct fix_vm *w = fix_vm(fix, 10, 1);

	ffamed_sp_vmwatch_fail_always(&fix->vmwatch, FFA_RET_RETRY);
	fix_vm_destroy(v);
	fix_vm_destroy(w);
	assert_int_equal(fix_work_queued(fix), 2);
	assert_int_equal(atomic_load(&fix->live_host_vms), 2);
	/* fix_destroy checks that nothing stays queued or allocated. */
	fix_destroy(fix);
}

static void schedule_failure_retried_later(void **state)
{
	(void)state;
	struct fix *fix = fix_create(NULL);
	struct fix_vm *v = fix_vm(fix, 11, 1);
	struct fix_vm *w;

	ffamed_sp_vmwatch_fail_next(&fix->vmwatch, FFA_RET_RETRY, 1);
	atomic_store(&fix->work_fail, true);
	fix_vm_destroy(v);
	assert_int_equal(fix_work_queued(fix), 0);
	atomic_store(&fix->work_fail, false);
	/* Next host call into the mediator reschedules it. */
	w = fix_vm(fix, 12, 1);
	assert_int_equal(fix_work_queued(fix), 1);
	assert_int_equal(fix_work_run(fix), 1);
	assert_false(ffamed_sp_vmwatch_is_live(&fix->vmwatch, 11));
	fix_vm_destroy(w);
	fix_destroy(fix);
}

static void destroyed_only_subscriber(void **state)
{
	(void)state;
	static struct ffamed_sp_vmwatch w1;
	static struct ffamed_sp_config cfg[1];
	struct fix_opts o = {.sps = cfg, .sp_count = 1};
	struct fix *fix;
	struct fix_vm *v;

	ffamed_sp_vmwatch_config(&cfg[0], &w1, 0x8060, 1);
	cfg[0].properties &= ~FFA_PART_PROP_VM_CREATED;
	fix = fix_create(&o);
	v = fix_vm(fix, 13, 1);
	assert_int_equal(ffamed_sp_vmwatch_created_msgs(&w1), 0);
	fix_vm_destroy(v);
	assert_int_equal(ffamed_sp_vmwatch_destroyed_msgs(&w1), 1);
	fix_destroy(fix);
}

static void alloc_failures(void **state)
{
	(void)state;
	struct fix *fix = fix_create(NULL);

	for (int n = 1; n <= 5; n++) {
		struct fix_vm *v = fix_vm_new(fix, 14, 1, 1, true);

		atomic_store(&fix->alloc_fail_after, n);
		assert_int_equal(fix_vm_register(v, true), FFA_RET_NO_MEMORY);
		atomic_store(&fix->alloc_fail_after, 0);
		fix_vm_destroy(v);
	}
	fix_destroy(fix);

	/* ffamed_create unwinds too: every allocation it makes, in turn. */
	for (int n = 1; n <= 5; n++) {
		struct fix_opts o = {.expect_create_fail = true, .med_alloc_fail_after = n};

		fix = fix_create(&o);
		fix_destroy(fix);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(create_validation),
		cmocka_unit_test(subscribers_only),
		cmocka_unit_test(created_before_bitmap),
		cmocka_unit_test(created_retried_then_refused),
		cmocka_unit_test(creation_rollback),
		cmocka_unit_test(destroyed_retried_from_work),
		cmocka_unit_test(destroyed_given_up),
		cmocka_unit_test(destroy_abandons_pending),
		cmocka_unit_test(schedule_failure_retried_later),
		cmocka_unit_test(destroyed_only_subscriber),
		cmocka_unit_test(alloc_failures),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
