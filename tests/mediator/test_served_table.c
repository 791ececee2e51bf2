/* SPDX-License-Identifier: MIT */
/*
 * The dispatcher's served-FID table (med->served) answers exactly what
 * med_fid_served() answers, for every FF-A function ID, both conventions and
 * every version a guest can end up with, whatever the firmware offers.
 */
#include "med_fixture.h"
#include "mediator/med_features.h"
#include "mediator/med_internal.h"

static void check_table(const struct fix_opts *opts)
{
	struct fix *fix = fix_create(opts);
	static const uint32_t versions[] = {FFA_VERSION_1_0, FFA_VERSION_1_1, FFA_VERSION_1_2};
	uint32_t served = 0;

	for (size_t v = 0; v < sizeof(versions) / sizeof(versions[0]); v++) {
		for (uint32_t fnum = FFA_FNUM_MIN; fnum <= FFA_FNUM_MAX; fnum++) {
			for (int w = 0; w < 2; w++) {
				uint32_t fid = w ? FFA_SMC64(fnum) : FFA_SMC32(fnum);
				bool want = med_fid_served(fix->med, versions[v], fid, NULL, NULL);

				if (med_fid_gate(fix->med, versions[v], fid) != want)
					fail_msg("FID %x at %x: table %d, med_fid_served %d", fid,
						 versions[v], !want, want);
				served += want;
			}
		}
	}
	/* The table is not trivially empty: the always-served FIDs are in. */
	assert_true(served >= 3 * 8);
	/* Versions no guest can end up with are refused. */
	assert_false(med_fid_gate(fix->med, FFA_VERSION_1_3, FFA_ID_GET));
	assert_false(med_fid_gate(fix->med, FFA_MAKE_VERSION(2, 0), FFA_ID_GET));
	fix_destroy(fix);
}

static void table_matches_with_sps(void **state)
{
	(void)state;
	check_table(NULL);
}

static void table_matches_without_spmc(void **state)
{
	struct fix_opts o = {.fw_absent = true};

	(void)state;
	check_table(&o);
}

static void table_matches_spmc_without_sps(void **state)
{
	static const struct ffamed_sp_config none[1];
	struct fix_opts o = {.sps = none, .sp_count = 0};

	(void)state;
	check_table(&o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(table_matches_with_sps),
		cmocka_unit_test(table_matches_without_spmc),
		cmocka_unit_test(table_matches_spmc_without_sps),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
