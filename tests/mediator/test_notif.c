/* SPDX-License-Identifier: MIT */
/* Notifications between VMs and SPs through the mediator. */
#include "med_fixture.h"

#define ALL_GET_FLAGS                                                                              \
	(FFA_NOTIF_GET_SP | FFA_NOTIF_GET_VM | FFA_NOTIF_GET_SPM_FWK | FFA_NOTIF_GET_HYP_FWK)

static const uint32_t notif_fids[] = {
	FFA_NOTIFICATION_BITMAP_CREATE, FFA_NOTIFICATION_BITMAP_DESTROY,
	FFA_NOTIFICATION_BIND,		FFA_NOTIFICATION_UNBIND,
	FFA_NOTIFICATION_SET,		FFA_NOTIFICATION_GET,
	FFA_NOTIFICATION_INFO_GET_32,	FFA_NOTIFICATION_INFO_GET_64,
};

static struct ffamed_regs bind(struct fix_vm *v, uint16_t vcpu, uint32_t fid, uint16_t sender,
			       uint16_t receiver, uint32_t flags, uint64_t bitmap)
{
	return fix_call(v, vcpu, fid, FFA_SENDER_RECEIVER(sender, receiver), flags,
			(uint32_t)bitmap, bitmap >> 32, 0);
}

static void bind_ok(struct fix_vm *v, uint16_t vcpu, uint32_t fid, uint16_t sender,
		    uint16_t receiver, uint32_t flags, uint64_t bitmap)
{
	struct ffamed_regs r = bind(v, vcpu, fid, sender, receiver, flags, bitmap);

	assert_ffa_success(r);
}

static struct ffamed_regs notif_get(struct fix_vm *v, uint16_t vcpu, uint16_t w1_vcpu,
				    uint32_t flags)
{
	return fix_call(v, vcpu, FFA_NOTIFICATION_GET, FFA_SENDER_RECEIVER(w1_vcpu, v->id), flags,
			0, 0, 0);
}

/* GET on `vcpu` asking every class: the SP bitmap, checking the rest is 0. */
static uint64_t get_sp_bits(struct fix_vm *v, uint16_t vcpu)
{
	struct ffamed_regs r = notif_get(v, vcpu, vcpu, ALL_GET_FLAGS);

	assert_int_equal(r.x[0], FFA_SUCCESS_32);
	assert_int_equal(r.x[1], 0);
	for (int i = 4; i < FFA_NREGS; i++)
		assert_int_equal(r.x[i], 0);
	assert_true(r.x[2] <= 0xFFFFFFFFull && r.x[3] <= 0xFFFFFFFFull);
	return r.x[2] | (r.x[3] << 32);
}

/* An ECHO notification command by direct request: the SP's status. */
static uint32_t echo_cmd(struct fix_vm *v, uint16_t sp, uint32_t cmd, uint32_t flags,
			 uint64_t bitmap, uint64_t *out_bitmap)
{
	struct ffamed_regs in = {{FFA_MSG_SEND_DIRECT_REQ_32, FFA_SENDER_RECEIVER(v->id, sp), 0,
				  cmd, flags, (uint32_t)bitmap, bitmap >> 32}};
	struct ffamed_regs r = fix_call_regs(v, 0, &in);

	assert_int_equal(r.x[0], FFA_MSG_SEND_DIRECT_RESP_32);
	assert_int_equal(r.x[3], cmd);
	if (out_bitmap)
		*out_bitmap = r.x[5] | (r.x[6] << 32);
	return (uint32_t)r.x[4];
}

static int32_t features(struct fix_vm *v, uint32_t id)
{
	struct ffamed_regs r = fix_call(v, 0, FFA_FEATURES, id, 0, 0, 0, 0);

	return ffa_result(&r);
}

static void good_path(void **state)
{
	(void)state;
	struct fix *fix = fix_create(NULL);
	struct fix_vm *a = fix_vm(fix, 1, 2);
	struct ffamed_sp *echo = ffamed_spmc_find_sp(fix->spmc, FIX_SP_ECHO);
	uint64_t pv = ~0ull, got;
	uint32_t vcpus = 0;
	struct ffamed_regs r;

	assert_true(ffamed_spmc_notif_bitmap_exists(fix->spmc, 1, &vcpus));
	assert_int_equal(vcpus, 2);
	fix_negotiate(a, FFA_VERSION_1_1);
	for (uint32_t fid = FFA_NOTIFICATION_BIND; fid <= FFA_NOTIFICATION_GET; fid++)
		assert_int_equal(features(a, fid), FFA_RET_OK);

	/* SP -> VM, global: bind, the SP sets, the VM gets them exactly once. */
	r = bind(a, 0, FFA_NOTIFICATION_BIND, FIX_SP_ECHO, 1, 0, 0x100000005ull);
	assert_ffa_success(r);
	assert_int_equal(r.x[2], 0);
	assert_int_equal(ffamed_spmc_notif_bound(fix->spmc, 1, FIX_SP_ECHO, &pv), 0x100000005ull);
	assert_int_equal(pv, 0);
	assert_int_equal(
		echo_cmd(a, FIX_SP_ECHO, FFAMED_ECHO_CMD_NOTIF_SET, 0, 0x100000005ull, NULL), 0);
	assert_int_equal(ffamed_spmc_notif_pending(fix->spmc, 1, false, 0), 0x100000005ull);
	assert_int_equal(get_sp_bits(a, 1), 0x100000005ull);
	assert_int_equal(get_sp_bits(a, 1), 0);
	assert_int_equal(get_sp_bits(a, 0), 0);

	/* Per-vCPU: only the vCPU it was set for collects it. */
	r = bind(a, 1, FFA_NOTIFICATION_BIND, FIX_SP_ECHO, 1, FFA_NOTIF_FLAG_PER_VCPU, 1ull << 40);
	assert_ffa_success(r);
	assert_int_equal(ffamed_sp_notification_set(echo, 1, FFA_NOTIF_FLAG_PER_VCPU | (1u << 16),
						    1ull << 40),
			 0);
	assert_int_equal(get_sp_bits(a, 0), 0);
	assert_int_equal(get_sp_bits(a, 1), 1ull << 40);
	assert_int_equal(get_sp_bits(a, 1), 0);

	/* Only the SPMC's classes are asked of it; flags 0 too succeed. */
	uint64_t before = fix_fw_count(fix, FFA_NOTIFICATION_GET);
	r = notif_get(a, 0, 0, FFA_NOTIF_GET_VM | FFA_NOTIF_GET_HYP_FWK);
	assert_int_equal(r.x[0], FFA_SUCCESS_32);
	for (int i = 1; i < FFA_NREGS; i++)
		assert_int_equal(r.x[i], 0);
	r = notif_get(a, 0, 0, 0);
	assert_int_equal(r.x[0], FFA_SUCCESS_32);
	assert_int_equal(fix_fw_count(fix, FFA_NOTIFICATION_GET), before);
	/* The SP bitmap without asking for the SP class stays pending. */
	assert_int_equal(echo_cmd(a, FIX_SP_ECHO, FFAMED_ECHO_CMD_NOTIF_SET, 0, 1, NULL), 0);
	r = notif_get(a, 0, 0, FFA_NOTIF_GET_SPM_FWK);
	assert_int_equal(r.x[0], FFA_SUCCESS_32);
	assert_int_equal(r.x[2], 0);
	assert_int_equal(get_sp_bits(a, 0), 1);

	/* Unbind: the bits are free again. */
	r = bind(a, 0, FFA_NOTIFICATION_UNBIND, FIX_SP_ECHO, 1, 0, 0x100000005ull | (1ull << 40));
	assert_ffa_success(r);
	assert_int_equal(ffamed_spmc_notif_bound(fix->spmc, 1, FIX_SP_ECHO, NULL), 0);
	assert_int_equal(echo_cmd(a, FIX_SP_ECHO, FFAMED_ECHO_CMD_NOTIF_SET, 0, 1, NULL),
			 (uint32_t)FFA_RET_DENIED);

	/* VM -> SP: the SP binds, the VM sets, the SP gets them. */
	assert_int_equal(echo_cmd(a, FIX_SP_ECHO, FFAMED_ECHO_CMD_NOTIF_BIND, 0, 0x30, NULL), 0);
	r = bind(a, 1, FFA_NOTIFICATION_SET, 1, FIX_SP_ECHO, 0, 0x10);
	assert_ffa_success(r);
	assert_int_equal(r.x[2], 0);
	assert_int_equal(echo_cmd(a, FIX_SP_ECHO, FFAMED_ECHO_CMD_NOTIF_GET, 0, 0, &got), 0);
	assert_int_equal(got, 0x10);
	assert_int_equal(echo_cmd(a, FIX_SP_ECHO, FFAMED_ECHO_CMD_NOTIF_GET, 0, 0, &got), 0);
	assert_int_equal(got, 0);
	assert_int_equal(echo_cmd(a, FIX_SP_ECHO, FFAMED_ECHO_CMD_NOTIF_UNBIND, 0, 0x30, NULL), 0);

	fix_vm_destroy(a);
	assert_false(ffamed_spmc_notif_bitmap_exists(fix->spmc, 1, NULL));
	fix_destroy(fix);
}

static void refusals(void **state)
{
	(void)state;
	struct fix *fix = fix_create(NULL);
	struct fix_vm *a = fix_vm(fix, 1, 2);
	struct fix_vm *b = fix_vm(fix, 2, 1);
	uint64_t fw_bind, fw_set, fw_get;
	struct ffamed_regs r;

	fix_negotiate(a, FFA_VERSION_1_2);
	fix_negotiate(b, FFA_VERSION_1_1);
	fw_bind = fix_fw_count(fix, FFA_NOTIFICATION_BIND);
	fw_set = fix_fw_count(fix, FFA_NOTIFICATION_SET);
	fw_get = fix_fw_count(fix, FFA_NOTIFICATION_GET);

	for (int unbind = 0; unbind < 2; unbind++) {
		uint32_t fid = unbind ? FFA_NOTIFICATION_UNBIND : FFA_NOTIFICATION_BIND;

		/* Someone else's bitmap. */
		r = bind(a, 0, fid, FIX_SP_ECHO, 2, 0, 1);
		assert_ffa_error(r, FFA_RET_INVALID_PARAMETERS);
		/* VM senders (VM-to-VM) and unknown SPs. */
		r = bind(a, 0, fid, 2, 1, 0, 1);
		assert_ffa_error(r, FFA_RET_INVALID_PARAMETERS);
		r = bind(a, 0, fid, 1, 1, 0, 1);
		assert_ffa_error(r, FFA_RET_INVALID_PARAMETERS);
		r = bind(a, 0, fid, 0x8077, 1, 0, 1);
		assert_ffa_error(r, FFA_RET_INVALID_PARAMETERS);
	}
	assert_int_equal(fix_fw_count(fix, FFA_NOTIFICATION_BIND), fw_bind);
	assert_int_equal(fix_fw_count(fix, FFA_NOTIFICATION_UNBIND), 0);

	/* The SPMC's own refusals come back sign-extended. */
	r = bind(a, 0, FFA_NOTIFICATION_BIND, FIX_SP_ECHO, 1, 0, 0); /* bitmap 0 */
	assert_ffa_error(r, FFA_RET_INVALID_PARAMETERS);
	r = bind(a, 0, FFA_NOTIFICATION_BIND, FIX_SP_ECHO, 1, 4, 1); /* unknown flag */
	assert_ffa_error(r, FFA_RET_INVALID_PARAMETERS);
	bind_ok(a, 0, FFA_NOTIFICATION_BIND, FIX_SP_ECHO_MP, 1, 0, 3);
	r = bind(a, 0, FFA_NOTIFICATION_BIND, FIX_SP_ECHO, 1, 0, 2); /* bound to another */
	assert_ffa_error(r, FFA_RET_DENIED);
	r = bind(a, 0, FFA_NOTIFICATION_UNBIND, FIX_SP_ECHO, 1, 0, 1);
	assert_ffa_error(r, FFA_RET_DENIED);
	assert_int_equal(ffamed_spmc_notif_bound(fix->spmc, 1, FIX_SP_ECHO_MP, NULL), 3);
	assert_int_equal(ffamed_spmc_notif_bound(fix->spmc, 1, FIX_SP_ECHO, NULL), 0);
	/* VM 2 can bind the same bits to its own bitmap. */
	bind_ok(b, 0, FFA_NOTIFICATION_BIND, FIX_SP_ECHO, 2, 0, 3);

	/* SET: own ID as sender, an SP as receiver, no delayed SRI. */
	assert_int_equal(echo_cmd(a, FIX_SP_ECHO, FFAMED_ECHO_CMD_NOTIF_BIND, 0, 1, NULL), 0);
	r = bind(a, 0, FFA_NOTIFICATION_SET, 2, FIX_SP_ECHO, 0, 1);
	assert_ffa_error(r, FFA_RET_INVALID_PARAMETERS);
	r = bind(a, 0, FFA_NOTIFICATION_SET, 1, 2, 0, 1);
	assert_ffa_error(r, FFA_RET_INVALID_PARAMETERS);
	r = bind(a, 0, FFA_NOTIFICATION_SET, 1, 0x8077, 0, 1);
	assert_ffa_error(r, FFA_RET_INVALID_PARAMETERS);
	r = bind(a, 0, FFA_NOTIFICATION_SET, 1, FIX_SP_ECHO, FFA_NOTIF_SET_DELAY_SRI, 1);
	assert_ffa_error(r, FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(fix_fw_count(fix, FFA_NOTIFICATION_SET), fw_set);
	/* Forwarded, refused by the SPMC: not bound to this sender. */
	r = bind(b, 0, FFA_NOTIFICATION_SET, 2, FIX_SP_ECHO, 0, 1);
	assert_ffa_error(r, FFA_RET_DENIED);
	r = bind(a, 0, FFA_NOTIFICATION_SET, 1, FIX_SP_ECHO, 0, 2);
	assert_ffa_error(r, FFA_RET_DENIED);

	/* GET: own ID, the calling vCPU, known flags, MBZ registers. */
	r = notif_get(a, 0, 1, FFA_NOTIF_GET_SP);
	assert_ffa_error(r, FFA_RET_INVALID_PARAMETERS);
	r = notif_get(a, 1, 0, FFA_NOTIF_GET_SP);
	assert_ffa_error(r, FFA_RET_INVALID_PARAMETERS);
	r = fix_call(a, 0, FFA_NOTIFICATION_GET, FFA_SENDER_RECEIVER(0, 2), FFA_NOTIF_GET_SP, 0, 0,
		     0);
	assert_ffa_error(r, FFA_RET_INVALID_PARAMETERS);
	r = notif_get(a, 0, 0, FFA_NOTIF_GET_SP | (1u << 4));
	assert_ffa_error(r, FFA_RET_INVALID_PARAMETERS);
	r = fix_call(a, 0, FFA_NOTIFICATION_GET, FFA_SENDER_RECEIVER(0, 1), FFA_NOTIF_GET_SP, 0, 0,
		     7);
	assert_ffa_error(r, FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(fix_fw_count(fix, FFA_NOTIFICATION_GET), fw_get);

	/* Bitmaps are the mediator's. */
	const uint32_t refused[] = {FFA_NOTIFICATION_BITMAP_CREATE,
				    FFA_NOTIFICATION_BITMAP_DESTROY};
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		r = fix_call(a, 0, refused[i], 1, 2, 0, 0, 0);
		assert_ffa_error(r, FFA_RET_NOT_SUPPORTED);
		r = fix_call(a, 0, refused[i], 0, 0, 0, 0, 0);
		assert_ffa_error(r, FFA_RET_NOT_SUPPORTED);
		assert_int_equal(features(a, refused[i]), FFA_RET_NOT_SUPPORTED);
		assert_int_equal(fix_fw_count(fix, refused[i]),
				 refused[i] == FFA_NOTIFICATION_BITMAP_CREATE ? 2 : 0);
	}
	assert_true(ffamed_spmc_notif_bitmap_exists(fix->spmc, 1, NULL));
	/* Notifications work here: the interrupt IDs are given. */
	assert_int_equal(features(a, FFA_FEATURE_NPI), FFA_RET_OK);
	assert_int_equal(features(a, FFA_FEATURE_SRI), FFA_RET_OK);

	fix_vm_destroy(a);
	fix_vm_destroy(b);
	assert_int_equal(ffamed_spmc_notif_bitmap_count(fix->spmc), 0);
	fix_destroy(fix);
}

static void v1_0_refused(void **state)
{
	(void)state;
	struct fix *fix = fix_create(NULL);
	struct fix_vm *a = fix_vm(fix, 1, 1);
	struct ffamed_regs r;

	fix_negotiate(a, FFA_VERSION_1_0);
	for (size_t i = 0; i < sizeof(notif_fids) / sizeof(notif_fids[0]); i++) {
		assert_int_equal(features(a, notif_fids[i]), FFA_RET_NOT_SUPPORTED);
		r = fix_call(a, 0, notif_fids[i], FFA_SENDER_RECEIVER(FIX_SP_ECHO, 1), 0, 1, 0, 0);
		assert_ffa_error(r, FFA_RET_NOT_SUPPORTED);
	}
	assert_int_equal(fix_fw_count(fix, FFA_NOTIFICATION_BIND), 0);
	assert_int_equal(fix_fw_count(fix, FFA_NOTIFICATION_GET), 0);
	fix_vm_destroy(a);
	fix_destroy(fix);
}

static void lifecycle_drains_pending(void **state)
{
	(void)state;
	struct fix *fix = fix_create(NULL);
	struct ffamed_sp *echo = ffamed_spmc_find_sp(fix->spmc, FIX_SP_ECHO);
	struct fix_vm *a, *b;
	uint32_t vcpus = 0;

	assert_int_equal(ffamed_spmc_notif_bitmap_count(fix->spmc), 0);
	a = fix_vm(fix, 1, 3);
	b = fix_vm(fix, 5, 1);
	assert_int_equal(ffamed_spmc_notif_bitmap_count(fix->spmc), 2);
	assert_true(ffamed_spmc_notif_bitmap_exists(fix->spmc, 5, &vcpus));
	assert_int_equal(vcpus, 1);
	assert_int_equal(fix_fw_count(fix, FFA_NOTIFICATION_BITMAP_CREATE), 2);

	/* Bindings live, bits pending globally and on two vCPUs. */
	fix_negotiate(a, FFA_VERSION_1_1);
	bind_ok(a, 0, FFA_NOTIFICATION_BIND, FIX_SP_ECHO, 1, 0, 0xF);
	bind_ok(a, 0, FFA_NOTIFICATION_BIND, FIX_SP_ECHO, 1, FFA_NOTIF_FLAG_PER_VCPU, 0xF0);
	assert_int_equal(ffamed_sp_notification_set(echo, 1, 0, 0x3), 0);
	assert_int_equal(ffamed_sp_notification_set(echo, 1, FFA_NOTIF_FLAG_PER_VCPU, 0x10), 0);
	assert_int_equal(
		ffamed_sp_notification_set(echo, 1, FFA_NOTIF_FLAG_PER_VCPU | (2u << 16), 0x20), 0);
	assert_int_equal(ffamed_spmc_notif_pending(fix->spmc, 1, true, 2), 0x20);
	int errors = atomic_load(&fix->log_count[FFAMED_LOG_ERROR]);
	int warns = atomic_load(&fix->log_count[FFAMED_LOG_WARN]);

	fix_vm_destroy(a);
	assert_false(ffamed_spmc_notif_bitmap_exists(fix->spmc, 1, NULL));
	assert_int_equal(ffamed_spmc_notif_pending(fix->spmc, 1, false, 0), 0);
	assert_int_equal(ffamed_spmc_notif_pending(fix->spmc, 1, true, 0), 0);
	assert_int_equal(ffamed_spmc_notif_pending(fix->spmc, 1, true, 2), 0);
	assert_int_equal(ffamed_spmc_notif_bound(fix->spmc, 1, FIX_SP_ECHO, NULL), 0);
	assert_int_equal(atomic_load(&fix->log_count[FFAMED_LOG_ERROR]), errors);
	assert_int_equal(atomic_load(&fix->log_count[FFAMED_LOG_WARN]), warns);
	assert_true(ffamed_spmc_notif_bitmap_exists(fix->spmc, 5, NULL));

	/* The ID can be used again, with a fresh bitmap. */
	a = fix_vm(fix, 1, 2);
	assert_true(ffamed_spmc_notif_bitmap_exists(fix->spmc, 1, &vcpus));
	assert_int_equal(vcpus, 2);
	fix_vm_destroy(a);
	fix_vm_destroy(b);
	assert_int_equal(ffamed_spmc_notif_bitmap_count(fix->spmc), 0);
	fix_destroy(fix);
}

/* ---- Firmware answers ---------------------------------------------------------- */

static bool refuse_create;
static bool refuse_vm_created;

static bool create_hook(struct fix *f, struct ffamed_regs *regs, void *arg)
{
	(void)f;
	(void)arg;
	if (refuse_create && (uint32_t)regs->x[0] == FFA_NOTIFICATION_BITMAP_CREATE) {
		ffa_set_error(regs, FFA_RET_NO_MEMORY);
		return true;
	}
	if (refuse_vm_created && (uint32_t)regs->x[0] == FFA_MSG_SEND_DIRECT_REQ_32 &&
	    (uint32_t)regs->x[2] == FFA_FWK_MSG(FFA_FWK_MSG_VM_CREATED)) {
		ffa_set_error(regs, FFA_RET_DENIED);
		return true;
	}
	return false;
}

static void create_failures(void **state)
{
	(void)state;
	struct fix_opts o = {.hook = create_hook};
	struct fix *fix = fix_create(&o);
	struct fix_vm *v = fix_vm_new(fix, 3, 2, 64, true);

	/* The SPMC has no room: the VM runs without SP notifications, and
	 * with nothing else to notify with, it is told NOT_SUPPORTED. */
	refuse_create = true;
	uint64_t created_msgs = atomic_load(&fix->vmwatch.created_msgs);
	assert_int_equal(fix_vm_register(v, true), FFA_RET_OK);
	refuse_create = false;
	assert_int_equal(atomic_load(&fix->vmwatch.created_msgs), created_msgs + 1);
	assert_true(ffamed_sp_vmwatch_is_live(&fix->vmwatch, 3));
	assert_false(ffamed_spmc_notif_bitmap_exists(fix->spmc, 3, NULL));
	fix_negotiate(v, FFA_VERSION_1_1);
	for (size_t i = 0; i < sizeof(notif_fids) / sizeof(notif_fids[0]); i++) {
		assert_int_equal(features(v, notif_fids[i]), FFA_RET_NOT_SUPPORTED);
		assert_ffa_error(fix_call(v, 0, notif_fids[i], FFA_SENDER_RECEIVER(FIX_SP_ECHO, 3),
					  0, 1, 0, 0),
				 FFA_RET_NOT_SUPPORTED);
	}
	assert_int_equal(features(v, FFA_FEATURE_NPI), FFA_RET_NOT_SUPPORTED);
	assert_int_equal(features(v, FFA_FEATURE_SRI), FFA_RET_NOT_SUPPORTED);
	assert_int_equal(fix_fw_count(fix, FFA_NOTIFICATION_BIND), 0);
	assert_int_equal(fix_fw_count(fix, FFA_NOTIFICATION_GET), 0);
	fix_vm_destroy(v);
	/* Nothing to destroy at the SPMC. */
	assert_int_equal(fix_fw_count(fix, FFA_NOTIFICATION_BITMAP_DESTROY), 0);
	v = fix_vm_new(fix, 3, 2, 64, true);

	/* An SP refuses VM_CREATED: no bitmap was asked for, none destroyed. */
	refuse_vm_created = true;
	assert_int_equal(fix_vm_register(v, true), FFA_RET_DENIED);
	assert_null(v->vm);
	refuse_vm_created = false;
	assert_false(ffamed_spmc_notif_bitmap_exists(fix->spmc, 3, NULL));
	assert_int_equal(fix_fw_count(fix, FFA_NOTIFICATION_BITMAP_CREATE), 1);
	assert_int_equal(fix_fw_count(fix, FFA_NOTIFICATION_BITMAP_DESTROY), 0);
	fix_work_run(fix);

	assert_int_equal(fix_vm_register(v, true), FFA_RET_OK);
	assert_true(ffamed_spmc_notif_bitmap_exists(fix->spmc, 3, NULL));
	fix_vm_destroy(v);
	assert_int_equal(ffamed_spmc_notif_bitmap_count(fix->spmc), 0);
	fix_destroy(fix);
}

static bool no_notif_hook(struct fix *f, struct ffamed_regs *regs, void *arg)
{
	(void)f;
	(void)arg;
	if ((uint32_t)regs->x[0] == FFA_FEATURES &&
	    (uint32_t)regs->x[1] == FFA_NOTIFICATION_BITMAP_CREATE) {
		ffa_set_error(regs, FFA_RET_NOT_SUPPORTED);
		return true;
	}
	return false;
}

static void check_no_notif(struct fix *fix)
{
	struct fix_vm *a = fix_vm(fix, 1, 2);
	struct ffamed_regs r;

	assert_false(ffamed_spmc_notif_bitmap_exists(fix->spmc, 1, NULL));
	fix_negotiate(a, FFA_VERSION_1_1);
	for (size_t i = 0; i < sizeof(notif_fids) / sizeof(notif_fids[0]); i++) {
		assert_int_equal(features(a, notif_fids[i]), FFA_RET_NOT_SUPPORTED);
		r = fix_call(a, 0, notif_fids[i], FFA_SENDER_RECEIVER(FIX_SP_ECHO, 1), 0, 1, 0, 0);
		assert_ffa_error(r, FFA_RET_NOT_SUPPORTED);
	}
	fix_vm_destroy(a);
	for (size_t i = 0; i < sizeof(notif_fids) / sizeof(notif_fids[0]); i++)
		assert_int_equal(fix_fw_count(fix, notif_fids[i]), 0);
	fix_destroy(fix);
}

static void firmware_without_notifications(void **state)
{
	(void)state;
	struct fix_opts o = {.hook = no_notif_hook};

	check_no_notif(fix_create(&o));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(good_path),	   cmocka_unit_test(refusals),
		cmocka_unit_test(v1_0_refused),	   cmocka_unit_test(lifecycle_drains_pending),
		cmocka_unit_test(create_failures), cmocka_unit_test(firmware_without_notifications),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
