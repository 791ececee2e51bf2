/* SPDX-License-Identifier: MIT */
/* FFA_FEATURES, FFA_ID_GET, FFA_SPM_ID_GET. */
#include "med_fixture.h"

static const uint32_t served_always[] = {FFA_VERSION,	  FFA_FEATURES,		 FFA_ID_GET,
					 FFA_RXTX_MAP_32, FFA_RXTX_MAP_64,	 FFA_RXTX_UNMAP,
					 FFA_RX_RELEASE,  FFA_PARTITION_INFO_GET};
/* Answers a guest receives: reported by FEATURES (FF-A: mandatory), never
 * served when called. */
static const uint32_t answers_always[] = {FFA_ERROR, FFA_SUCCESS_32, FFA_SUCCESS_64, FFA_INTERRUPT};
static const uint32_t never_served[] = {
	FFA_YIELD,
	FFA_MSG_WAIT,
	FFA_MSG_POLL,
	FFA_MSG_SEND,
	FFA_MSG_SEND_DIRECT_RESP_32,
	FFA_MSG_SEND_DIRECT_RESP_64,
	FFA_MSG_SEND_DIRECT_RESP2,
	FFA_MEM_OP_PAUSE,
	FFA_MEM_OP_RESUME,
	FFA_RX_ACQUIRE,
	FFA_NOTIFICATION_BITMAP_CREATE, /* the mediator owns the VMs' bitmaps */
	FFA_NOTIFICATION_BITMAP_DESTROY,
	FFA_CONSOLE_LOG_64,
	FFA_SECONDARY_EP_REGISTER_64,
	FFA_MEM_PERM_GET_32,
	FFA_EL3_INTR_HANDLE,
	FFA_RUN_64,
};

static int32_t features(struct fix_vm *v, uint32_t id, uint32_t in, uint32_t *w2)
{
	struct ffamed_regs r = fix_call(v, 0, FFA_FEATURES, id, in, 0, 0, 0);

	if (ffa_is_error(&r)) {
		assert_int_equal(r.x[2], (uint64_t)(uint32_t)ffa_error_code(&r));
		return ffa_error_code(&r);
	}
	assert_int_equal(r.x[0], FFA_SUCCESS_32);
	assert_int_equal(r.x[3], 0);
	if (w2)
		*w2 = (uint32_t)r.x[2];
	return FFA_RET_OK;
}

static void check_version(struct fix *fix, uint16_t id, uint32_t version, bool have_spmc,
			  bool have_sps, uint32_t max_pages)
{
	struct fix_vm *v = fix_vm(fix, id, 1);
	bool v11 = version >= FFA_VERSION_1_1, v12 = version >= FFA_VERSION_1_2;
	uint32_t w2;

	fix_negotiate(v, version);
	for (size_t i = 0; i < sizeof(served_always) / sizeof(served_always[0]); i++)
		assert_int_equal(features(v, served_always[i], 0, NULL), FFA_RET_OK);
	for (size_t i = 0; i < sizeof(never_served) / sizeof(never_served[0]); i++)
		assert_int_equal(features(v, never_served[i], 0, NULL), FFA_RET_NOT_SUPPORTED);
	for (size_t i = 0; i < sizeof(answers_always) / sizeof(answers_always[0]); i++) {
		struct ffamed_regs r = fix_call(v, 0, FFA_FEATURES, answers_always[i], 0, 0, 0, 0);

		/* SUCCESS_32 with w2..w7 = 0 (ACS ffa_features checks them MBZ). */
		assert_int_equal(r.x[0], FFA_SUCCESS_32);
		for (int k = 1; k < FFA_NREGS; k++)
			assert_int_equal(r.x[k], 0);
	}
	/* RETRIEVE_RESP goes with RETRIEVE_REQ. */
	assert_int_equal(features(v, FFA_MEM_RETRIEVE_RESP, 0, NULL),
			 features(v, FFA_MEM_RETRIEVE_REQ_32, 0, NULL));

	assert_int_equal(features(v, FFA_RXTX_MAP_64, 0, &w2), FFA_RET_OK);
	assert_int_equal(w2, v12 ? max_pages << 16 : 0);
	assert_int_equal(features(v, FFA_RXTX_MAP_32, 0, &w2), FFA_RET_OK);
	assert_int_equal(w2, v12 ? max_pages << 16 : 0);

	assert_int_equal(features(v, FFA_SPM_ID_GET, 0, NULL) == FFA_RET_OK, v11 && have_spmc);
	assert_int_equal(features(v, FFA_PARTITION_INFO_GET_REGS, 0, NULL) == FFA_RET_OK, v12);
	assert_int_equal(features(v, FFA_MSG_SEND_DIRECT_REQ_32, 0, NULL) == FFA_RET_OK, have_sps);
	assert_int_equal(features(v, FFA_MSG_SEND_DIRECT_REQ_64, 0, NULL) == FFA_RET_OK, have_sps);
	assert_int_equal(features(v, FFA_MSG_SEND_DIRECT_REQ2, 0, NULL) == FFA_RET_OK,
			 have_sps && v12);
	assert_int_equal(features(v, FFA_RUN, 0, NULL) == FFA_RET_OK, have_sps);
	/* Indirect messages from v1.1: to VMs with VM-to-VM on, to SPs when
	 * the SPMC takes them and one of its SPs receives them. */
	{
		struct ffamed_regs q = {{FFA_FEATURES, FFA_MSG_SEND2}};
		bool sp_indirect = false;

		if (have_spmc && fix->spmc)
			ffamed_spmc_call(fix->spmc, 0, &q);
		const struct ffamed_sp_config *sps = fix->opts.sps ? fix->opts.sps : fix->sp_cfg;
		uint32_t n =
			fix->opts.sps ? fix->opts.sp_count : fix_default_sps(fix, fix->opts.cpus);

		for (uint32_t i = 0; have_sps && i < n; i++)
			sp_indirect |= !!(sps[i].properties & FFA_PART_PROP_INDIRECT_MSG);
		assert_int_equal(features(v, FFA_MSG_SEND2, 0, NULL) == FFA_RET_OK,
				 v11 && (fix->opts.med_cfg.vm_to_vm ||
					 (q.x[0] == FFA_SUCCESS_32 && sp_indirect)));
	}
	/* Memory sharing: the fixture's port has every memory op. */
	{
		static const uint32_t mem[] = {
			FFA_MEM_SHARE_32, FFA_MEM_SHARE_64,	   FFA_MEM_LEND_32,
			FFA_MEM_LEND_64,  FFA_MEM_DONATE_32,	   FFA_MEM_DONATE_64,
			FFA_MEM_RECLAIM,  FFA_MEM_RETRIEVE_REQ_32, FFA_MEM_RETRIEVE_REQ_64,
			FFA_MEM_FRAG_RX,  FFA_MEM_FRAG_TX,	   FFA_MEM_RELINQUISH,
		};

		for (size_t i = 0; i < sizeof(mem) / sizeof(mem[0]); i++) {
			assert_int_equal(features(v, mem[i], 0, &w2), FFA_RET_OK);
			/* Descriptors in the TX buffer only; NS bit from v1.1. */
			assert_int_equal(w2, mem[i] == FFA_MEM_RETRIEVE_REQ_32 ||
							     mem[i] == FFA_MEM_RETRIEVE_REQ_64
						     ? (v11 ? FFA_MEM_RETRIEVE_PROP_NS_BIT : 0)
						     : 0);
		}
	}
	/* Notifications from v1.1, when the software SPMC has them or VM-to-VM
	 * is built in; the NPI and SRI IDs only then. */
	bool notif = v11 && (have_spmc || fix->opts.med_cfg.vm_to_vm);
	static const uint32_t notif_fids[] = {
		FFA_NOTIFICATION_BIND, FFA_NOTIFICATION_UNBIND,	     FFA_NOTIFICATION_SET,
		FFA_NOTIFICATION_GET,  FFA_NOTIFICATION_INFO_GET_32, FFA_NOTIFICATION_INFO_GET_64,
	};
	for (size_t i = 0; i < sizeof(notif_fids) / sizeof(notif_fids[0]); i++)
		assert_int_equal(features(v, notif_fids[i], 0, NULL) == FFA_RET_OK, notif);
	assert_int_equal(features(v, FFA_FEATURE_NPI, 0, &w2) == FFA_RET_OK, notif);
	if (notif)
		assert_int_equal(w2,
				 (fix->opts.med_cfg.npi_intid ? fix->opts.med_cfg.npi_intid : 8u));
	assert_int_equal(features(v, FFA_FEATURE_SRI, 0, &w2) == FFA_RET_OK, notif);
	if (notif)
		assert_int_equal(w2,
				 (fix->opts.med_cfg.sri_intid ? fix->opts.med_cfg.sri_intid : 9u));

	/* Other feature IDs: nothing is built behind them; malformed ones
	 * refused. */
	assert_int_equal(features(v, FFA_FEATURE_MEI, 0, NULL), FFA_RET_NOT_SUPPORTED);
	assert_int_equal(features(v, 0x100 | FFA_FEATURE_NPI, 0, NULL), FFA_RET_NOT_SUPPORTED);
	assert_int_equal(features(v, FFA_FEATURE_SRI, 1, NULL), FFA_RET_NOT_SUPPORTED);

	/* Truth: FEATURES says yes exactly for the FIDs the dispatcher serves
	 * (a served FID called with zero arguments never answers NOT_SUPPORTED). */
	for (uint32_t conv = 0; conv < 2; conv++) {
		for (uint32_t fnum = FFA_FNUM_MIN; fnum <= 0x90; fnum++) {
			uint32_t fid = conv ? FFA_SMC64(fnum) : FFA_SMC32(fnum);
			bool reported = features(v, fid, 0, NULL) == FFA_RET_OK;
			bool answer_only = fid == FFA_MEM_RETRIEVE_RESP;

			for (size_t i = 0; i < sizeof(answers_always) / sizeof(answers_always[0]);
			     i++)
				answer_only |= fid == answers_always[i];
			/* FEATURES(0) asks about feature 0, which does not exist. */
			uint64_t x1 = fid == FFA_FEATURES ? FFA_FEATURES : 0;
			struct ffamed_regs r = fix_call(v, 0, fid, x1, 0, 0, 0, 0);
			bool refused =
				ffa_is_error(&r) && ffa_error_code(&r) == FFA_RET_NOT_SUPPORTED;

			/* Answers are reported but refused when called. */
			if (answer_only && refused)
				continue;
			if (reported == refused)
				fail_msg("FID %x: FEATURES %d, call refused %d", fid, reported,
					 refused);
		}
	}

	struct ffamed_regs r = fix_call(v, 0, FFA_SPM_ID_GET, 0, 0, 0, 0, 0);
	if (v11 && have_spmc) {
		assert_ffa_success(r);
		assert_int_equal(r.x[2], FFA_SPMC_ID_DEFAULT);
	} else {
		assert_ffa_error(r, FFA_RET_NOT_SUPPORTED);
	}
	r = fix_call(v, 0, FFA_ID_GET, 0, 0, 0, 0, 0);
	assert_ffa_success(r);
	assert_int_equal(r.x[2], id);
	fix_vm_destroy(v);
}

static void features_with_sps(void **state)
{
	(void)state;
	struct fix *fix = fix_create(NULL);
	struct ffamed_fw_info info;

	ffamed_get_fw_info(fix->med, &info);
	assert_int_equal(info.version, FFA_VERSION_1_2);
	assert_int_equal(info.spmc_id, FFA_SPMC_ID_DEFAULT);
	assert_int_equal(info.sp_count, 4);
	check_version(fix, 1, FFA_VERSION_1_0, true, true, 64);
	check_version(fix, 2, FFA_VERSION_1_1, true, true, 64);
	check_version(fix, 3, FFA_VERSION_1_2, true, true, 64);
	fix_destroy(fix);
}

static void features_no_spmc(void **state)
{
	(void)state;
	struct fix_opts o = {.fw_absent = true, .med_cfg = {.rxtx_max_pages = 8}};
	struct fix *fix = fix_create(&o);
	struct ffamed_fw_info info;

	ffamed_get_fw_info(fix->med, &info);
	assert_int_equal(info.version, 0);
	assert_int_equal(info.sp_count, 0);
	check_version(fix, 1, FFA_VERSION_1_0, false, false, 8);
	check_version(fix, 2, FFA_VERSION_1_2, false, false, 8);
	/* Only the probe talked to the (absent) firmware. */
	assert_int_equal(atomic_load(&fix->fw_total), 1);
	fix_destroy(fix);
}

static const struct ffamed_sp_config no_sps[1];

/* No SPMC, VM-to-VM built in: notifications between VMs only. */
static void features_vm_to_vm_without_spmc(void **state)
{
	(void)state;
	struct fix_opts o = {.fw_absent = true, .med_cfg = {.vm_to_vm = true, .npi_intid = 13}};
	struct fix *fix = fix_create(&o);

	check_version(fix, 1, FFA_VERSION_1_0, false, false, 64);
	check_version(fix, 2, FFA_VERSION_1_1, false, false, 64);
	assert_int_equal(fix->opts.med_cfg.npi_intid, 13);
	fix_destroy(fix);
}

static void features_spmc_without_sps(void **state)
{
	(void)state;
	struct fix_opts o = {.sps = no_sps, .sp_count = 0};
	struct fix *fix = fix_create(&o);

	check_version(fix, 1, FFA_VERSION_1_2, true, false, 64);
	fix_destroy(fix);
}

static void req2_needs_a_receiver(void **state)
{
	(void)state;
	static struct ffamed_sp_optee optee;
	static struct ffamed_sp_config cfg[1];
	struct fix_opts o = {.sps = cfg, .sp_count = 1};
	struct fix *fix;
	struct fix_vm *v;

	ffamed_sp_optee_config(&cfg[0], &optee, 0x8010, 1);
	fix = fix_create(&o);
	v = fix_vm(fix, 1, 1);
	fix_negotiate(v, FFA_VERSION_1_2);
	assert_int_equal(features(v, FFA_MSG_SEND_DIRECT_REQ_32, 0, NULL), FFA_RET_OK);
	/* No SP takes REQ2: not advertised, not served. */
	assert_int_equal(features(v, FFA_MSG_SEND_DIRECT_REQ2, 0, NULL), FFA_RET_NOT_SUPPORTED);
	fix_vm_destroy(v);
	fix_destroy(fix);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(features_with_sps),
		cmocka_unit_test(features_no_spmc),
		cmocka_unit_test(features_spmc_without_sps),
		cmocka_unit_test(features_vm_to_vm_without_spmc),
		cmocka_unit_test(req2_needs_a_receiver),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
