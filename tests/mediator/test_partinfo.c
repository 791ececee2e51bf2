/* SPDX-License-Identifier: MIT */
/* The SP cache and FFA_PARTITION_INFO_GET(_REGS). */
#include "med_fixture.h"

#define PG(n) (FIX_IPA_BASE + (uint64_t)(n)*FFA_PAGE_SIZE)
#define RX    PG(1)

static const struct ffa_uuid echo_uuid = FFAMED_SP_ECHO_UUID;
static const struct ffa_uuid optee_uuid = FFAMED_SP_OPTEE_UUID;
static const struct ffa_uuid extra_uuid = {
	{0xE1, 0x7A, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13}};

static struct ffamed_regs pig(struct fix_vm *v, const struct ffa_uuid *u, uint32_t flags)
{
	struct ffa_uuid nil = {{0}};

	if (!u)
		u = &nil;
	return fix_call(v, 0, FFA_PARTITION_INFO_GET, ffa_uuid_w(u, 0), ffa_uuid_w(u, 1),
			ffa_uuid_w(u, 2), ffa_uuid_w(u, 3), flags);
}

static struct ffa_partition_info_1_1 entry(struct fix_vm *v, uint32_t i, uint32_t size)
{
	struct ffa_partition_info_1_1 e = {0};

	memcpy(&e, (uint8_t *)fix_vm_ptr(v, RX) + i * size, size);
	return e;
}

static void release(struct fix_vm *v)
{
	struct ffamed_regs r = fix_call(v, 0, FFA_RX_RELEASE, 0, 0, 0, 0, 0);

	assert_ffa_success(r);
}

static void formats_per_version(void **state)
{
	(void)state;
	struct fix *fix = fix_create(NULL);
	const uint16_t ids[] = {FIX_SP_ECHO, FIX_SP_VMWATCH, FIX_SP_OPTEE, FIX_SP_ECHO_MP};
	const uint32_t versions[] = {FFA_VERSION_1_0, FFA_VERSION_1_1, FFA_VERSION_1_2};
	uint64_t fw_pig = fix_fw_count(fix, FFA_PARTITION_INFO_GET);

	assert_int_equal(fw_pig, 1);
	for (int vi = 0; vi < 3; vi++) {
		uint32_t ver = versions[vi];
		struct fix_vm *v = fix_vm(fix, (uint16_t)(1 + vi), 1);
		uint32_t size = ver == FFA_VERSION_1_0 ? 8 : 24;
		struct ffamed_regs r;

		fix_negotiate(v, ver);
		fix_map_default(v, 1);
		memset(fix_vm_ptr(v, RX), 0xAA, FFA_PAGE_SIZE);
		r = pig(v, NULL, 0);
		assert_ffa_success(r);
		assert_int_equal(r.x[2], 4);
		assert_int_equal(r.x[3], ver == FFA_VERSION_1_0 ? 0 : 24);
		for (uint32_t i = 0; i < 4; i++) {
			struct ffa_partition_info_1_1 e = entry(v, i, size);
			uint32_t p = e.properties;

			assert_int_equal(e.id, ids[i]);
			assert_int_equal(e.exec_ctx_count, ids[i] == FIX_SP_ECHO_MP ? 4 : 1);
			assert_int_equal(
				p & (FFA_PART_PROP_VM_CREATED | FFA_PART_PROP_VM_DESTROYED), 0);
			if (ver == FFA_VERSION_1_0)
				assert_int_equal(p & ~FFA_PART_PROP_MASK_1_0, 0);
			else
				assert_int_not_equal(p & FFA_PART_PROP_AARCH64, 0);
			if (ids[i] == FIX_SP_ECHO) {
				assert_int_equal(!!(p & FFA_PART_PROP_DIRECT_REQ2_RECV),
						 ver == FFA_VERSION_1_2);
				if (ver != FFA_VERSION_1_0)
					assert_memory_equal(e.uuid, echo_uuid.b, 16);
			}
		}
		/* Nothing written past the entries. */
		assert_int_equal(*((uint8_t *)fix_vm_ptr(v, RX) + 4 * size), 0xAA);
		/* v1.0: w5 MBZ; v1.1+: only the count flag. */
		release(v);
		r = pig(v, NULL, ver == FFA_VERSION_1_0 ? 1 : 2);
		assert_ffa_error(r, FFA_RET_INVALID_PARAMETERS);
		fix_vm_destroy(v);
	}
	/* Answered from the cache: no firmware PARTITION_INFO_GET. */
	assert_int_equal(fix_fw_count(fix, FFA_PARTITION_INFO_GET), fw_pig);
	fix_destroy(fix);
}

static void count_only_keeps_rx(void **state)
{
	(void)state;
	struct fix *fix = fix_create(NULL);
	struct fix_vm *v = fix_vm(fix, 1, 1);
	struct ffamed_regs r;
	uint64_t fw;

	fix_negotiate(v, FFA_VERSION_1_2);
	/* Works without a pair, and makes no firmware call at all. */
	fw = atomic_load(&fix->fw_total);
	r = pig(v, NULL, FFA_PARTITION_INFO_GET_COUNT_FLAG);
	assert_ffa_success(r);
	assert_int_equal(r.x[2], 4);
	assert_int_equal(atomic_load(&fix->fw_total), fw);

	fix_map_default(v, 1);
	memset(fix_vm_ptr(v, RX), 0xAA, 64);
	fw = atomic_load(&fix->fw_total);
	r = pig(v, NULL, FFA_PARTITION_INFO_GET_COUNT_FLAG);
	assert_ffa_success(r);
	assert_int_equal(r.x[2], 4);
	assert_int_equal(atomic_load(&fix->fw_total), fw);
	assert_int_equal(*(uint8_t *)fix_vm_ptr(v, RX), 0xAA);
	/* The RX was not handed over: release is refused, a full query works. */
	r = fix_call(v, 0, FFA_RX_RELEASE, 0, 0, 0, 0, 0);
	assert_ffa_error(r, FFA_RET_DENIED);
	assert_int_equal(ffamed_spmc_vm_rx_owner(fix->spmc, 1), FFAMED_SPMC_RX_OWNER_SPMC);
	r = pig(v, NULL, 0);
	assert_ffa_success(r);
	/* Count-only while the guest holds its RX still works. */
	r = pig(v, NULL, FFA_PARTITION_INFO_GET_COUNT_FLAG);
	assert_ffa_success(r);
	release(v);
	fix_vm_destroy(v);
	fix_destroy(fix);
}

static void uuid_queries(void **state)
{
	(void)state;
	struct fix *fix = fix_create(NULL);
	struct fix_vm *v = fix_vm(fix, 1, 1);
	struct ffa_partition_info_1_1 e;
	struct ffamed_regs r;

	fix_negotiate(v, FFA_VERSION_1_1);
	fix_map_default(v, 1);
	r = pig(v, &optee_uuid, 0);
	assert_ffa_success(r);
	assert_int_equal(r.x[2], 1);
	e = entry(v, 0, 24);
	assert_int_equal(e.id, FIX_SP_OPTEE);
	/* The UUID field is only filled for Nil queries. */
	for (int i = 0; i < 16; i++)
		assert_int_equal(e.uuid[i], 0);
	release(v);
	/* The echo UUID is exported by two SPs. */
	r = pig(v, &echo_uuid, FFA_PARTITION_INFO_GET_COUNT_FLAG);
	assert_ffa_success(r);
	assert_int_equal(r.x[2], 2);
	/* Unknown UUID: INVALID_PARAMETERS, counting or not; RX untouched. */
	r = pig(v, &extra_uuid, 0);
	assert_ffa_error(r, FFA_RET_INVALID_PARAMETERS);
	r = pig(v, &extra_uuid, FFA_PARTITION_INFO_GET_COUNT_FLAG);
	assert_ffa_error(r, FFA_RET_INVALID_PARAMETERS);
	r = fix_call(v, 0, FFA_RX_RELEASE, 0, 0, 0, 0, 0);
	assert_ffa_error(r, FFA_RET_DENIED);
	fix_vm_destroy(v);
	fix_destroy(fix);
}

static void rx_busy_or_unmapped(void **state)
{
	(void)state;
	struct fix *fix = fix_create(NULL);
	struct fix_vm *v = fix_vm(fix, 1, 1);
	struct ffamed_regs r;

	fix_negotiate(v, FFA_VERSION_1_2);
	r = pig(v, NULL, 0);
	assert_ffa_error(r, FFA_RET_BUSY);
	fix_vm_destroy(v);
	fix_destroy(fix);
}

/* An SP exporting two UUIDs: one entry per pair at 1.2 only. */
static void multi_uuid_sp(void **state)
{
	(void)state;
	static struct ffamed_sp_echo echo;
	static struct ffamed_sp_config cfg[1];
	struct fix_opts o = {.sps = cfg, .sp_count = 1};
	struct fix *fix;
	struct ffamed_regs r;

	ffamed_sp_echo_config(&cfg[0], &echo, 0x8020, 1);
	cfg[0].uuids[1] = extra_uuid;
	cfg[0].uuid_count = 2;
	fix = fix_create(&o);
	for (uint32_t ver = FFA_VERSION_1_0; ver <= FFA_VERSION_1_2; ver++) {
		struct fix_vm *v = fix_vm(fix, (uint16_t)(1 + (ver & 3)), 1);
		uint32_t n = ver == FFA_VERSION_1_2 ? 2 : 1;

		fix_negotiate(v, ver);
		fix_map_default(v, 1);
		r = pig(v, NULL, 0);
		assert_ffa_success(r);
		assert_int_equal(r.x[2], n);
		for (uint32_t i = 0; i < n; i++)
			assert_int_equal(entry(v, i, ver == FFA_VERSION_1_0 ? 8 : 24).id, 0x8020);
		if (ver == FFA_VERSION_1_2) {
			assert_memory_equal(entry(v, 0, 24).uuid, echo_uuid.b, 16);
			assert_memory_equal(entry(v, 1, 24).uuid, extra_uuid.b, 16);
		}
		release(v);
		/* Either UUID finds it, once. */
		r = pig(v, &extra_uuid,
			FFA_PARTITION_INFO_GET_COUNT_FLAG * (ver != FFA_VERSION_1_0));
		assert_ffa_success(r);
		assert_int_equal(r.x[2], 1);
		if (ver == FFA_VERSION_1_0)
			release(v);
		fix_vm_destroy(v);
	}
	fix_destroy(fix);
}

static void never_zero_partitions_and_vms(void **state)
{
	(void)state;
	struct fix_opts o = {.fw_absent = true, .med_cfg = {.vm_to_vm = true}};
	struct fix *fix = fix_create(&o);
	struct fix_vm *a = fix_vm(fix, 1, 2);
	struct fix_vm *b, *c;
	struct ffa_partition_info_1_1 e;
	struct ffamed_regs r;

	fix_negotiate(a, FFA_VERSION_1_2);
	fix_map_default(a, 1);
	/* Alone: own entry. */
	r = pig(a, NULL, 0);
	assert_ffa_success(r);
	assert_int_equal(r.x[2], 1);
	e = entry(a, 0, 24);
	assert_int_equal(e.id, 1);
	assert_int_equal(e.exec_ctx_count, 2);
	/* VM-to-VM is on: VMs take notifications and indirect messages (not
	 * direct ones: this fixture's port cannot block a call). */
	assert_int_equal(e.properties, FFA_PART_PROP_AARCH64 | FFA_PART_PROP_NOTIFICATIONS |
					       FFA_PART_PROP_INDIRECT_MSG);
	release(a);
	/* A specific UUID with nothing behind it is still an error. */
	r = pig(a, &optee_uuid, 0);
	assert_ffa_error(r, FFA_RET_INVALID_PARAMETERS);

	/* Peers are listed from their creation, the caller is not: before
	 * its version is final with what ffamed serves at its best, then
	 * with what its version allows. */
	b = fix_vm_new(fix, 2, 3, 8, true);
	assert_int_equal(fix_vm_register(b, false), FFA_RET_OK);
	c = fix_vm(fix, 3, 1);
	r = pig(a, NULL, 0);
	assert_ffa_success(r);
	assert_int_equal(r.x[2], 2);
	e = entry(a, 0, 24);
	assert_int_equal(e.id, 2);
	assert_int_equal(e.properties, FFA_PART_PROP_NOTIFICATIONS | FFA_PART_PROP_INDIRECT_MSG);
	assert_int_equal(entry(a, 1, 24).id, 3);
	release(a);
	fix_negotiate(b, FFA_VERSION_1_0);
	r = pig(a, NULL, 0);
	assert_ffa_success(r);
	assert_int_equal(r.x[2], 2);
	e = entry(a, 0, 24);
	assert_int_equal(e.id, 2);
	assert_int_equal(e.exec_ctx_count, 3);
	assert_int_equal(e.properties, 0); /* AArch32, PE endpoint, no messaging */
	release(a);
	fix_vm_destroy(b);
	r = pig(a, NULL, FFA_PARTITION_INFO_GET_COUNT_FLAG);
	assert_int_equal(r.x[2], 1);
	fix_vm_destroy(c);
	fix_vm_destroy(a);
	fix_destroy(fix);
}

static void rx_too_small(void **state)
{
	(void)state;
	struct fix_opts o = {.med_cfg = {.vm_to_vm = true}};
	struct fix *fix = fix_create(&o);
	struct fix_vm *vms[200];
	struct fix_vm *a = fix_vm(fix, 1000, 1);
	struct ffamed_regs r;
	uint32_t n = 0;

	fix_negotiate(a, FFA_VERSION_1_2);
	fix_map_default(a, 1);
	/* 4 SPs + 167 VMs = 171 entries of 24 bytes > 4096. */
	for (; n < 167; n++) {
		vms[n] = fix_vm_new(fix, (uint16_t)(1 + n), 1, 1, true);
		assert_int_equal(fix_vm_register(vms[n], true), FFA_RET_OK);
		fix_negotiate(vms[n], FFA_VERSION_1_1);
	}
	r = pig(a, NULL, FFA_PARTITION_INFO_GET_COUNT_FLAG);
	assert_int_equal(r.x[2], 171);
	r = pig(a, NULL, 0);
	assert_ffa_error(r, FFA_RET_NO_MEMORY);
	/* The RX went back to the SPMC, usable again. */
	assert_int_equal(ffamed_spmc_vm_rx_owner(fix->spmc, 1000), FFAMED_SPMC_RX_OWNER_SPMC);
	fix_vm_destroy(vms[--n]);
	r = pig(a, NULL, 0);
	assert_ffa_success(r);
	assert_int_equal(r.x[2], 170);
	release(a);
	while (n)
		fix_vm_destroy(vms[--n]);
	fix_vm_destroy(a);
	fix_destroy(fix);
}

static void spmc_bad_listings(void **state)
{
	(void)state;
	const uint16_t sizes[] = {20, 25, 26, 8, 12};

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct fix_opts o = {.faults = {.partinfo_desc_size = sizes[i]}};
		struct fix *fix = fix_create(&o);
		struct ffamed_fw_info info;
		struct fix_vm *v;
		struct ffamed_regs r;

		ffamed_get_fw_info(fix->med, &info);
		assert_int_equal(info.version, FFA_VERSION_1_2);
		assert_int_equal(info.sp_count, 0);
		assert_true(atomic_load(&fix->log_count[FFAMED_LOG_ERROR]) > 0);
		/* The SPMC's RX was released despite the error. */
		assert_int_equal(ffamed_spmc_hyp_rx_owner(fix->spmc), FFAMED_SPMC_RX_OWNER_SPMC);
		v = fix_vm(fix, 1, 1);
		fix_negotiate(v, FFA_VERSION_1_2);
		r = pig(v, NULL, FFA_PARTITION_INFO_GET_COUNT_FLAG);
		assert_int_equal(r.x[2], 1); /* itself */
		r = fix_call(v, 0, FFA_FEATURES, FFA_MSG_SEND_DIRECT_REQ_32, 0, 0, 0, 0);
		assert_ffa_error(r, FFA_RET_NOT_SUPPORTED);
		fix_vm_destroy(v);
		fix_destroy(fix);
	}
}

static void spmc_wider_entries_and_nonsecure(void **state)
{
	(void)state;
	struct fix_opts o = {
		.faults = {.partinfo_desc_size = 32, .partinfo_include_nonsecure_id = true}};
	struct fix *fix = fix_create(&o);
	struct ffamed_fw_info info;
	struct fix_vm *v = fix_vm(fix, 1, 1);
	struct ffamed_regs r;

	/* 32-byte entries are fine (a multiple of 8, >= 24); the bogus
	 * non-secure entry is dropped with an error. */
	ffamed_get_fw_info(fix->med, &info);
	assert_int_equal(info.sp_count, 4);
	assert_true(atomic_load(&fix->log_count[FFAMED_LOG_ERROR]) > 0);
	assert_int_equal(ffamed_spmc_hyp_rx_owner(fix->spmc), FFAMED_SPMC_RX_OWNER_SPMC);
	fix_negotiate(v, FFA_VERSION_1_2);
	fix_map_default(v, 1);
	r = pig(v, NULL, 0);
	assert_int_equal(r.x[2], 4);
	for (int i = 0; i < 4; i++) {
		assert_int_not_equal(entry(v, (uint32_t)i, 24).id, FFAMED_SPMC_BOGUS_NWD_ID);
		assert_true(FFA_ID_IS_SECURE(entry(v, (uint32_t)i, 24).id));
	}
	assert_memory_equal(entry(v, 0, 24).uuid, echo_uuid.b, 16);
	release(v);
	r = fix_call(v, 0, FFA_MSG_SEND_DIRECT_REQ_32,
		     FFA_SENDER_RECEIVER(1, FFAMED_SPMC_BOGUS_NWD_ID), 0, 0, 0, 0);
	assert_ffa_error(r, FFA_RET_INVALID_PARAMETERS);
	fix_vm_destroy(v);
	fix_destroy(fix);
}

static void spmc_v1_1(void **state)
{
	(void)state;
	static struct ffamed_sp_optee optee;
	static struct ffamed_sp_vmwatch vmw;
	static struct ffamed_sp_config cfg[2];
	struct fix_opts o = {.sps = cfg, .sp_count = 2, .spmc_version = FFA_VERSION_1_1};
	struct fix *fix;
	struct ffamed_fw_info info;
	struct fix_vm *v;
	struct ffamed_regs r;

	ffamed_sp_optee_config(&cfg[0], &optee, 0x8030, 1);
	cfg[0].version = FFA_VERSION_1_1;
	ffamed_sp_vmwatch_config(&cfg[1], &vmw, 0x8031, 1);
	cfg[1].version = FFA_VERSION_1_1;
	fix = fix_create(&o);
	ffamed_get_fw_info(fix->med, &info);
	assert_int_equal(info.version, FFA_VERSION_1_1);
	assert_int_equal(info.sp_count, 2);
	v = fix_vm(fix, 1, 1);
	fix_negotiate(v, FFA_VERSION_1_2);
	fix_map_default(v, 1);
	r = pig(v, &optee_uuid, 0);
	assert_ffa_success(r);
	assert_int_equal(entry(v, 0, 24).id, 0x8030);
	release(v);
	/* A 1.1 SPMC has no REQ2. */
	r = fix_call(v, 0, FFA_FEATURES, FFA_MSG_SEND_DIRECT_REQ2, 0, 0, 0, 0);
	assert_ffa_error(r, FFA_RET_NOT_SUPPORTED);
	fix_vm_destroy(v);
	fix_destroy(fix);
}

static struct ffamed_regs regs_query(struct fix_vm *v, const struct ffa_uuid *u, uint64_t x3)
{
	struct ffa_uuid nil = {{0}};
	struct ffamed_regs in = {{FFA_PARTITION_INFO_GET_REGS}};

	if (!u)
		u = &nil;
	in.x[1] = ffa_uuid_x(u, 0);
	in.x[2] = ffa_uuid_x(u, 1);
	in.x[3] = x3;
	return fix_call_regs(v, 0, &in);
}

static void get_regs(void **state)
{
	(void)state;
	struct fix_opts o = {.med_cfg = {.vm_to_vm = true}};
	struct fix *fix = fix_create(&o);
	struct fix_vm *v = fix_vm(fix, 1, 1);
	struct fix_vm *old = fix_vm(fix, 2, 1);
	struct fix_vm *others[3];
	struct ffamed_regs r, in;
	uint32_t seen = 0;
	uint64_t fw = 0;

	fix_negotiate(old, FFA_VERSION_1_1);
	r = regs_query(old, NULL, 0);
	assert_ffa_error(r, FFA_RET_NOT_SUPPORTED);
	for (int i = 0; i < 3; i++) {
		others[i] = fix_vm(fix, (uint16_t)(10 + i), (uint16_t)(i + 1));
		fix_negotiate(others[i], FFA_VERSION_1_2);
	}
	fix_negotiate(v, FFA_VERSION_1_2);
	/* 4 SPs + 4 other VMs = 8: two calls, no RX needed, no firmware. */
	fw = atomic_load(&fix->fw_total);
	for (uint32_t start = 0; start < 8;) {
		r = regs_query(v, NULL, start);
		assert_int_equal(r.x[0], FFA_SUCCESS_64);
		assert_int_equal(r.x[2] & 0xFFFF, 7);
		assert_int_equal((r.x[2] >> 32) & 0xFFFF, 0);
		assert_int_equal(r.x[2] >> 48, 24);
		uint32_t cur = (uint32_t)(r.x[2] >> 16) & 0xFFFF;
		assert_int_equal(cur, start == 0 ? 4 : 7);
		for (uint32_t i = 0; i <= cur - start; i++) {
			uint16_t id = (uint16_t)r.x[3 + 3 * i];
			if (start + i == 0) {
				assert_int_equal(id, FIX_SP_ECHO);
				assert_int_equal(r.x[4], ffa_uuid_x(&echo_uuid, 0));
				assert_int_equal(r.x[5], ffa_uuid_x(&echo_uuid, 1));
				assert_int_not_equal(
					(r.x[3] >> 32) & FFA_PART_PROP_DIRECT_REQ2_RECV, 0);
			}
			assert_int_not_equal(id, 1);
			seen++;
		}
		for (uint32_t i = 3 + 3 * (cur - start + 1); i < FFA_NREGS; i++)
			assert_int_equal(r.x[i], 0);
		start = cur + 1;
	}
	assert_int_equal(seen, 8);
	assert_int_equal(atomic_load(&fix->fw_total), fw);

	r = regs_query(v, NULL, 8);
	assert_ffa_error(r, FFA_RET_INVALID_PARAMETERS);
	r = regs_query(v, NULL, 1u << 16);
	assert_ffa_error(r, FFA_RET_RETRY);
	r = regs_query(v, NULL, 1ull << 32);
	assert_ffa_error(r, FFA_RET_INVALID_PARAMETERS);
	in = (struct ffamed_regs){{FFA_PARTITION_INFO_GET_REGS}};
	in.x[9] = 1;
	r = fix_call_regs(v, 0, &in);
	assert_ffa_error(r, FFA_RET_INVALID_PARAMETERS);
	r = regs_query(v, &extra_uuid, 0);
	assert_ffa_error(r, FFA_RET_INVALID_PARAMETERS);
	r = regs_query(v, &optee_uuid, 0);
	assert_int_equal(r.x[0], FFA_SUCCESS_64);
	assert_int_equal(r.x[2] & 0xFFFF, 0);
	assert_int_equal((uint16_t)r.x[3], FIX_SP_OPTEE);
	assert_int_equal(r.x[4], 0);
	assert_int_equal(r.x[5], 0);
	for (int i = 0; i < 3; i++)
		fix_vm_destroy(others[i]);
	fix_vm_destroy(old);
	fix_vm_destroy(v);
	fix_destroy(fix);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(formats_per_version),
		cmocka_unit_test(count_only_keeps_rx),
		cmocka_unit_test(uuid_queries),
		cmocka_unit_test(rx_busy_or_unmapped),
		cmocka_unit_test(multi_uuid_sp),
		cmocka_unit_test(never_zero_partitions_and_vms),
		cmocka_unit_test(rx_too_small),
		cmocka_unit_test(spmc_bad_listings),
		cmocka_unit_test(spmc_wider_entries_and_nonsecure),
		cmocka_unit_test(spmc_v1_1),
		cmocka_unit_test(get_regs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
