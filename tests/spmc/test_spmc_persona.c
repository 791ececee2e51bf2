/* SPDX-License-Identifier: MIT */
/* Personalities: the SPMC answering as OP-TEE or TF-A's EL3 SPMC does. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "spmc_fixture.h"
#include "spmc_mem_fixture.h"

#define VM1 1u
#define VM2 2u

static struct fx *persona_new(enum ffamed_spmc_personality p)
{
	struct ffamed_spmc_config cfg = {.cpu_count = FX_CPUS, .personality = p};
	struct fx *f = fx_new();

	/* OP-TEE is a v1.1 SPMC: its partitions speak 1.1, without REQ2. */
	if (p == FFAMED_SPMC_OPTEE_NSVIRT || p == FFAMED_SPMC_OPTEE_PLAIN) {
		f->sp_count = FX_STD_SPS - 1; /* FX_REQ2_ONLY is last */
		for (uint32_t i = 0; i < f->sp_count; i++) {
			f->sps[i].version = FFA_VERSION_1_1;
			f->sps[i].properties &=
				~(FFA_PART_PROP_DIRECT_REQ2_RECV | FFA_PART_PROP_DIRECT_REQ2_SEND);
		}
	}

	assert_int_equal(fx_create(f, &cfg), 0);
	assert_int_equal(ffamed_spmc_personality(f->spmc), p);
	return f;
}

static int32_t features(struct fx *f, uint32_t id, uint32_t *w2)
{
	struct ffamed_regs r = FX_CALL1(f, FFA_FEATURES, id);

	if ((uint32_t)r.x[0] != FFA_SUCCESS_32)
		return (int32_t)r.x[2];
	if (w2)
		*w2 = (uint32_t)r.x[2];
	return 0;
}

static struct ffamed_regs vm_msg(struct fx *f, bool created, uint16_t vm)
{
	uint32_t type = created ? FFA_FWK_MSG_VM_CREATED : FFA_FWK_MSG_VM_DESTROYED;

	return fx_call(f, 0, FFA_MSG_SEND_DIRECT_REQ_32, FFA_SENDER_RECEIVER(0, FX_VMWATCH),
		       FFA_FWK_MSG(type), 0, 0, vm, 0, 0);
}

static void names(void **state)
{
	(void)state;
	assert_string_equal(ffamed_spmc_personality_name(FFAMED_SPMC_STRICT), "strict");
	assert_string_equal(ffamed_spmc_personality_name(FFAMED_SPMC_OPTEE_NSVIRT), "optee-nsvirt");
	assert_string_equal(ffamed_spmc_personality_name(FFAMED_SPMC_OPTEE_PLAIN), "optee-plain");
	assert_string_equal(ffamed_spmc_personality_name(FFAMED_SPMC_TFA_EL3), "tfa-el3");
	assert_string_equal(ffamed_spmc_personality_name(FFAMED_SPMC_PERSONALITIES), "unknown");
}

static void bad_personality(void **state)
{
	(void)state;
	struct ffamed_spmc_config cfg = {.personality = FFAMED_SPMC_PERSONALITIES};
	struct fx *f = fx_new();

	assert_int_equal(fx_create(f, &cfg), FFA_RET_INVALID_PARAMETERS);
	assert_null(f->spmc);
	fx_free(f);
}

static void optee_version_and_features(void **state)
{
	(void)state;
	struct fx *f = persona_new(FFAMED_SPMC_OPTEE_NSVIRT);
	struct ffamed_regs r;
	uint32_t w2 = 99;

	/* OP-TEE speaks 1.1 at most. */
	assert_int_equal(fx_version(f, FFA_VERSION_1_2), FFA_VERSION_1_1);
	assert_int_equal(fx_version(f, FFA_VERSION_1_1), FFA_VERSION_1_1);
	assert_int_equal(features(f, FFA_FEATURE_SRI, &w2), 0);
	assert_int_equal(w2, FFAMED_SPMC_SRI_INTID_DEFAULT);
	assert_int_equal(features(f, FFA_MEM_SHARE_64, &w2), 0);
	assert_int_equal(w2, 1);
	assert_int_equal(features(f, FFA_RXTX_MAP_64, &w2), 0);
	assert_int_equal(w2, 0);
	assert_int_equal(features(f, FFA_NOTIFICATION_BITMAP_CREATE, NULL), 0);
	assert_int_equal(features(f, FFA_MSG_SEND_DIRECT_REQ_32, NULL), 0);
	/* Not there: what a mediator would need to share VM RX buffers or
	 * to pass indirect messages. */
	assert_int_equal(features(f, FFA_RX_ACQUIRE, NULL), FFA_RET_NOT_SUPPORTED);
	assert_int_equal(features(f, FFA_MSG_SEND2, NULL), FFA_RET_NOT_SUPPORTED);
	assert_int_equal(features(f, FFA_MEM_DONATE_64, NULL), FFA_RET_NOT_SUPPORTED);
	/* Served without being listed. */
	assert_int_equal(features(f, FFA_RUN, NULL), FFA_RET_NOT_SUPPORTED);
	assert_int_equal(features(f, FFA_ID_GET, NULL), FFA_RET_NOT_SUPPORTED);
	r = FX_CALL0(f, FFA_ID_GET);
	fx_assert_success(&r);
	/* Listed but not served. */
	assert_int_equal(features(f, FFA_NOTIFICATION_SET, NULL), 0);
	r = fx_call(f, 0, FFA_NOTIFICATION_SET, FFA_SENDER_RECEIVER(VM1, FX_OPTEE), 0, 1, 0, 0, 0,
		    0);
	fx_assert_error(&r, FFA_RET_NOT_SUPPORTED);
	r = fx_call(f, 0, FFA_RX_ACQUIRE, VM1, 0, 0, 0, 0, 0, 0);
	fx_assert_error(&r, FFA_RET_NOT_SUPPORTED);
	fx_free(f);
}

static void tfa_version_and_features(void **state)
{
	(void)state;
	struct fx *f = persona_new(FFAMED_SPMC_TFA_EL3);
	struct ffamed_regs r;
	uint32_t w2 = 99;

	assert_int_equal(fx_version(f, FFA_VERSION_1_2), FFA_VERSION_1_2);
	/* No notifications, no SRI, no RX_ACQUIRE, no SEND2. */
	assert_int_equal(features(f, FFA_FEATURE_SRI, NULL), FFA_RET_NOT_SUPPORTED);
	assert_int_equal(features(f, FFA_NOTIFICATION_BITMAP_CREATE, NULL), FFA_RET_NOT_SUPPORTED);
	assert_int_equal(features(f, FFA_RX_ACQUIRE, NULL), FFA_RET_NOT_SUPPORTED);
	assert_int_equal(features(f, FFA_MSG_SEND2, NULL), FFA_RET_NOT_SUPPORTED);
	assert_int_equal(features(f, FFA_MSG_SEND_DIRECT_REQ2, NULL), 0);
	assert_int_equal(features(f, FFA_RUN, NULL), 0);
	assert_int_equal(features(f, FFA_RXTX_MAP_64, &w2), 0);
	assert_int_equal(w2, 0);
	r = fx_call(f, 0, FFA_NOTIFICATION_BITMAP_CREATE, VM1, 1, 0, 0, 0, 0, 0);
	fx_assert_error(&r, FFA_RET_NOT_SUPPORTED);
	r = fx_call(f, 0, FFA_RX_ACQUIRE, VM1, 0, 0, 0, 0, 0, 0);
	fx_assert_error(&r, FFA_RET_NOT_SUPPORTED);
	fx_free(f);
}

static void strict_unchanged(void **state)
{
	(void)state;
	struct fx *f = persona_new(FFAMED_SPMC_STRICT);

	assert_int_equal(fx_version(f, FFA_VERSION_1_2), FFA_VERSION_1_2);
	assert_int_equal(features(f, FFA_RX_ACQUIRE, NULL), 0);
	assert_int_equal(features(f, FFA_MSG_SEND2, NULL), 0);
	fx_map_hyp(f, FX_HYP_TX_PAGE, FX_HYP_RX_PAGE, 1);
	assert_int_equal(fx_map_vm_simple(f, VM1, 10, 11, 1), 0);
	fx_free(f);
}

/* Both real SPMCs refuse the forwarded form with INVALID_PARAMETERS. */
static void forwarded_rxtx_refused(void **state)
{
	(void)state;
	static const enum ffamed_spmc_personality real[] = {
		FFAMED_SPMC_OPTEE_NSVIRT, FFAMED_SPMC_OPTEE_PLAIN, FFAMED_SPMC_TFA_EL3};

	for (size_t i = 0; i < sizeof(real) / sizeof(real[0]); i++) {
		struct fx *f = persona_new(real[i]);

		fx_version(f, FFA_VERSION_1_1);
		fx_map_hyp(f, FX_HYP_TX_PAGE, FX_HYP_RX_PAGE, 1);
		assert_int_equal(fx_map_vm_simple(f, VM1, 10, 11, 1), FFA_RET_INVALID_PARAMETERS);
		assert_int_equal(ffamed_spmc_vm_mailbox_count(f->spmc), 0);
		fx_free(f);
	}
}

static void nsvirt_knows_vms_after_created(void **state)
{
	(void)state;
	struct fx *f = persona_new(FFAMED_SPMC_OPTEE_NSVIRT);
	struct ffamed_regs r;

	fx_version(f, FFA_VERSION_1_1);
	/* Not told of VM 1 yet. */
	r = fx_call(f, 0, FFA_NOTIFICATION_BITMAP_CREATE, VM1, 2, 0, 0, 0, 0, 0);
	fx_assert_error(&r, FFA_RET_INVALID_PARAMETERS);
	/* The endpoint that takes VM_CREATED answers an unknown guest itself. */
	r = fx_call(f, 0, FFA_MSG_SEND_DIRECT_REQ_32, FFA_SENDER_RECEIVER(VM1, FX_VMWATCH), 0, 0, 0,
		    0, 0, 0);
	assert_int_equal(r.x[0], FFA_MSG_SEND_DIRECT_RESP_32);
	assert_int_equal(r.x[1], FFA_SENDER_RECEIVER(FX_VMWATCH, VM1));
	assert_int_equal(r.x[3], 0xFFFF0008u);
	/* Other SPs do not care. */
	r = fx_call(f, 0, FFA_MSG_SEND_DIRECT_REQ_64, FFA_SENDER_RECEIVER(VM1, FX_ECHO_UP), 0, 7, 0,
		    0, 0, 0);
	assert_int_equal(r.x[0], FFA_MSG_SEND_DIRECT_RESP_64);
	assert_false(ffamed_spmc_knows_vm(f->spmc, VM1));

	r = vm_msg(f, true, VM1);
	assert_int_equal(r.x[0], FFA_MSG_SEND_DIRECT_RESP_32);
	assert_int_equal(r.x[3], 0);
	assert_true(ffamed_spmc_knows_vm(f->spmc, VM1));
	r = fx_call(f, 0, FFA_NOTIFICATION_BITMAP_CREATE, VM1, 2, 0, 0, 0, 0, 0);
	fx_assert_success(&r);
	r = fx_call(f, 0, FFA_MSG_SEND_DIRECT_REQ_32, FFA_SENDER_RECEIVER(VM1, FX_VMWATCH), 0, 0, 0,
		    0, 0, 0);
	assert_int_equal(r.x[0], FFA_MSG_SEND_DIRECT_RESP_32);
	assert_int_equal(r.x[3], 1); /* vmwatch: one live VM */
	/* Global bindings only. */
	r = fx_call(f, 0, FFA_NOTIFICATION_BIND, FFA_SENDER_RECEIVER(FX_OPTEE, VM1),
		    FFA_NOTIF_FLAG_PER_VCPU, 1, 0, 0, 0, 0);
	fx_assert_error(&r, FFA_RET_DENIED);
	r = fx_call(f, 0, FFA_NOTIFICATION_BIND, FFA_SENDER_RECEIVER(FX_OPTEE, VM1), 0, 1, 0, 0, 0,
		    0);
	fx_assert_success(&r);
	r = fx_call(f, 0, FFA_NOTIFICATION_UNBIND, FFA_SENDER_RECEIVER(FX_OPTEE, VM1), 0, 1, 0, 0,
		    0, 0);
	fx_assert_success(&r);

	/* The bitmap must go while the VM is known: after VM_DESTROYED the
	 * SPMC no longer knows whose bitmap that is. */
	r = vm_msg(f, false, VM1);
	assert_int_equal(r.x[3], 0);
	assert_false(ffamed_spmc_knows_vm(f->spmc, VM1));
	r = fx_call(f, 0, FFA_NOTIFICATION_BITMAP_DESTROY, VM1, 0, 0, 0, 0, 0, 0);
	fx_assert_error(&r, FFA_RET_INVALID_PARAMETERS);
	/* Told again: the leftover bitmap can be destroyed. */
	vm_msg(f, true, VM1);
	r = fx_call(f, 0, FFA_NOTIFICATION_BITMAP_DESTROY, VM1, 0, 0, 0, 0, 0, 0);
	fx_assert_success(&r);
	vm_msg(f, false, VM1);
	fx_free(f);
}

static void plain_one_bitmap_no_vm_messages(void **state)
{
	(void)state;
	struct fx *f = persona_new(FFAMED_SPMC_OPTEE_PLAIN);
	struct ffamed_regs r;

	fx_version(f, FFA_VERSION_1_1);
	r = fx_call(f, 0, FFA_NOTIFICATION_BITMAP_CREATE, VM1, 1, 0, 0, 0, 0, 0);
	fx_assert_error(&r, FFA_RET_INVALID_PARAMETERS);
	r = fx_call(f, 0, FFA_NOTIFICATION_BITMAP_CREATE, 0, 1, 0, 0, 0, 0, 0);
	fx_assert_success(&r);
	r = fx_call(f, 0, FFA_NOTIFICATION_BITMAP_DESTROY, 0, 0, 0, 0, 0, 0, 0);
	fx_assert_success(&r);
	/* No VM availability messages at all, subscriber or not. */
	r = vm_msg(f, true, VM1);
	fx_assert_error(&r, FFA_RET_NOT_SUPPORTED);
	assert_int_equal(ffamed_sp_vmwatch_created_msgs(&f->vmwatch), 0);
	/* Requests from any VM ID are served. */
	r = fx_call(f, 0, FFA_MSG_SEND_DIRECT_REQ_32, FFA_SENDER_RECEIVER(VM2, FX_OPTEE), 0,
		    FFAMED_OPTEE_GET_API_VERSION, 0, 0, 0, 0);
	assert_int_equal(r.x[0], FFA_MSG_SEND_DIRECT_RESP_32);
	assert_int_equal(r.x[3], FFAMED_OPTEE_API_MAJOR);
	fx_free(f);
}

static void nsvirt_memory_from_known_senders(void **state)
{
	(void)state;
	/* The sender check does not depend on the version: 1.2 keeps the
	 * memory SPs as they are. */
	struct ffamed_spmc_config cfg = {.cpu_count = FX_CPUS,
					 .personality = FFAMED_SPMC_OPTEE_NSVIRT,
					 .version = FFA_VERSION_1_2};
	struct fxm *m = fxm_new(FFA_VERSION_1_2, 1, &cfg);
	struct fxm_range range = {.pa = fx_pa(40), .pages = 1};
	struct fxm_desc d;
	struct ffamed_regs r;
	uint64_t handle = 0;

	fxm_desc_init(&d, FFA_VERSION_1_2, FFA_MEM_SHARE_64, &range, 1);
	assert_int_equal(fxm_send_desc(m, FFA_MEM_SHARE_64, &d, &handle), FFA_RET_DENIED);
	r = vm_msg(m->f, true, FXM_VM);
	assert_int_equal(r.x[3], 0);
	assert_int_equal(fxm_send_desc(m, FFA_MEM_SHARE_64, &d, &handle), 0);
	r = fxm_reclaim(m, handle, 0);
	fx_assert_success(&r);
	vm_msg(m->f, false, FXM_VM);
	fxm_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(names),
		cmocka_unit_test(bad_personality),
		cmocka_unit_test(optee_version_and_features),
		cmocka_unit_test(tfa_version_and_features),
		cmocka_unit_test(strict_unchanged),
		cmocka_unit_test(forwarded_rxtx_refused),
		cmocka_unit_test(nsvirt_knows_vms_after_created),
		cmocka_unit_test(plain_one_bitmap_no_vm_messages),
		cmocka_unit_test(nsvirt_memory_from_known_senders),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
