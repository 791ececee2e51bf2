/* SPDX-License-Identifier: MIT */
/*
 * The compile-time switches (ffamed/config.h): for each feature group,
 * FFA_FEATURES reports its calls exactly when the feature is built in, and
 * when it is compiled out the calls themselves answer NOT_SUPPORTED. The
 * same test runs in the full build and in each build with a switch off
 * (scripts/check-config-switches.sh); the fixture offers everything the
 * features need (an SPMC with SPs, blocking calls, VM-to-VM, the memory ops).
 */
#include "med_fixture.h"

#define VM_A 0x10

struct group {
	const char *name;
	bool built_in;
	uint32_t fids[8];
};

static const struct group groups[] = {
	{"VM_TO_VM",
	 FFAMED_CONFIG_VM_TO_VM,
	 {FFA_MSG_WAIT, FFA_YIELD, FFA_MSG_SEND_DIRECT_RESP_32, FFA_MSG_SEND_DIRECT_RESP_64,
	  FFA_MSG_SEND_DIRECT_RESP2}},
	{"NOTIFICATIONS",
	 FFAMED_CONFIG_NOTIFICATIONS,
	 {FFA_NOTIFICATION_BIND, FFA_NOTIFICATION_UNBIND, FFA_NOTIFICATION_SET,
	  FFA_NOTIFICATION_GET, FFA_NOTIFICATION_INFO_GET_32, FFA_NOTIFICATION_INFO_GET_64}},
	{"INDIRECT_MSG", FFAMED_CONFIG_INDIRECT_MSG, {FFA_MSG_SEND2}},
	{"MEM_SHARE",
	 FFAMED_CONFIG_MEM_SHARE,
	 {FFA_MEM_SHARE_32, FFA_MEM_SHARE_64, FFA_MEM_RECLAIM, FFA_MEM_FRAG_TX}},
	{"MEM_LEND_DONATE",
	 FFAMED_CONFIG_MEM_LEND_DONATE,
	 {FFA_MEM_LEND_32, FFA_MEM_LEND_64, FFA_MEM_DONATE_32, FFA_MEM_DONATE_64}},
	{"MEM_VM_BORROWERS",
	 FFAMED_CONFIG_MEM_VM_BORROWERS,
	 {FFA_MEM_RETRIEVE_REQ_32, FFA_MEM_RETRIEVE_REQ_64, FFA_MEM_RELINQUISH, FFA_MEM_FRAG_RX}},
};

static struct fix *full_fixture(void)
{
	struct fix_opts o = {.blocking = true, .med_cfg = {.vm_to_vm = true}};

	return fix_create(&o);
}

static int32_t features(struct fix_vm *v, uint32_t id)
{
	struct ffamed_regs r = fix_call(v, 0, FFA_FEATURES, id, 0, 0, 0, 0);

	if (ffa_is_error(&r))
		return ffa_error_code(&r);
	assert_int_equal(r.x[0], FFA_SUCCESS_32);
	return FFA_RET_OK;
}

static void features_follow_the_switches(void **state)
{
	struct fix *fix = full_fixture();
	struct fix_vm *v = fix_vm(fix, VM_A, 2);

	(void)state;
	fix_negotiate(v, FFAMED_FFA_VERSION);
	for (size_t g = 0; g < sizeof(groups) / sizeof(groups[0]); g++) {
		for (size_t i = 0; i < 8 && groups[g].fids[i]; i++) {
			uint32_t fid = groups[g].fids[i];
			bool v12_only = fid == FFA_MSG_SEND_DIRECT_RESP2;
			bool served = groups[g].built_in &&
				      (!v12_only || FFAMED_CONFIG_FFA_MINOR_MAX >= 2);
			int32_t want = served ? FFA_RET_OK : FFA_RET_NOT_SUPPORTED;

			if (features(v, fid) != want)
				fail_msg("%s: FFA_FEATURES(%x) != %d", groups[g].name,
					 (unsigned)fid, want);
		}
	}
	/* The notification interrupts are features of notifications. */
	assert_int_equal(features(v, FFA_FEATURE_NPI),
			 FFAMED_CONFIG_NOTIFICATIONS ? FFA_RET_OK : FFA_RET_NOT_SUPPORTED);
	fix_vm_destroy(v);
	fix_destroy(fix);
}

static void compiled_out_calls_refused(void **state)
{
	struct fix *fix = full_fixture();
	struct fix_vm *v = fix_vm(fix, VM_A, 2);
	int refused = 0;

	(void)state;
	fix_negotiate(v, FFAMED_FFA_VERSION);
	fix_map_default(v, 1);
	for (size_t g = 0; g < sizeof(groups) / sizeof(groups[0]); g++) {
		if (groups[g].built_in)
			continue; /* its own tests cover it */
		for (size_t i = 0; i < 8 && groups[g].fids[i]; i++) {
			struct ffamed_regs r = fix_call(v, 0, groups[g].fids[i], 0, 0, 0, 0, 0);

			assert_true(ffa_is_error(&r));
			assert_int_equal(ffa_error_code(&r), FFA_RET_NOT_SUPPORTED);
			refused++;
		}
	}
	/* Nothing reached the firmware for them, and no call blocked. */
	assert_false(fix_blocked(v, 0));
	if (!FFAMED_CONFIG_NOTIFICATIONS)
		assert_int_equal(fix_fw_count(fix, FFA_NOTIFICATION_BIND), 0);
	if (!FFAMED_CONFIG_MEM_SHARE)
		assert_int_equal(fix_fw_count(fix, FFA_MEM_SHARE_64), 0);
	print_message("%d compiled-out calls refused\n", refused);
	fix_vm_destroy(v);
	fix_destroy(fix);
}

/* The version cap: the mediator answers and serves at most its version. */
static void version_cap(void **state)
{
	struct fix *fix = full_fixture();
	struct fix_vm *v = fix_vm(fix, VM_A, 1);
	struct ffamed_regs r;

	(void)state;
	assert_int_equal(FFA_VERSION_MINOR(FFAMED_FFA_VERSION), FFAMED_CONFIG_FFA_MINOR_MAX);
	r = fix_call(v, 0, FFA_VERSION, FFA_VERSION_1_2, 0, 0, 0, 0);
	assert_int_equal(r.x[0], FFAMED_FFA_VERSION);
	assert_int_equal(ffamed_vm_version(v->vm), 0);
	assert_int_equal(features(v, FFA_PARTITION_INFO_GET_REGS),
			 FFAMED_CONFIG_FFA_MINOR_MAX >= 2 ? FFA_RET_OK : FFA_RET_NOT_SUPPORTED);
	assert_int_equal(ffamed_vm_version(v->vm), FFAMED_FFA_VERSION);
	fix_vm_destroy(v);
	fix_destroy(fix);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(features_follow_the_switches),
		cmocka_unit_test(compiled_out_calls_refused),
		cmocka_unit_test(version_cap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
