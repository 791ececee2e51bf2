/* SPDX-License-Identifier: MIT */
/*
 * Partition discovery end to end (client -> mediator -> SPMC cache) at each
 * FF-A version: v1.0 8-byte entries, v1.1 count-only form and 24-byte
 * entries, v1.2 GET_REGS; the RX buffer's ownership on every path.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sys_fixture.h"

static const struct ffa_uuid optee_uuid = FFAMED_SP_OPTEE_UUID;
static const struct ffa_uuid echo_uuid = FFAMED_SP_ECHO_UUID;

static struct ffamed_sim *sim;

static int setup(void **state)
{
	(void)state;
	sim = sys_create(2, 2, false, 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	sys_finish(sim);
	return 0;
}

static void pig_raw(struct sys_guest *g, const struct ffa_uuid *u, uint32_t flags,
		    struct ffamed_regs *r)
{
	ffa_regs_clear(r);
	r->x[0] = FFA_PARTITION_INFO_GET;
	for (int i = 0; i < 4; i++)
		r->x[1 + i] = ffa_uuid_w(u, i);
	r->x[5] = flags;
	sys_guest_raw(g, r);
}

static void rx_release_raw(struct sys_guest *g, int32_t want)
{
	struct ffamed_regs r;

	ffa_regs_clear(&r);
	r.x[0] = FFA_RX_RELEASE;
	sys_guest_raw(g, &r);
	assert_int_equal(ffa_result(&r), want);
}

static void test_v10_sees_8_byte_entries(void **state)
{
	struct ffamed_sim_vm *vm = ffamed_sim_find_vm(sim, 1);
	uint64_t releases = ffamed_sim_vm_call_count(vm, FFA_RX_RELEASE);
	struct ffac_partition parts[8];
	static const struct ffa_uuid nil;
	struct sys_guest g;
	struct ffamed_regs r;
	uint32_t count = 0;
	const uint8_t *rx;

	(void)state;
	sys_guest_init(&g, vm, 0);
	sys_guest_up(&g, FFA_VERSION_1_0, true);

	/* v1.0 has no count-only form: a listing and an RX_RELEASE. */
	assert_int_equal(ffac_partition_count(&g.c, NULL, &count), FFA_RET_OK);
	assert_int_equal(count, FFAMED_SIM_SP_COUNT);
	assert_int_equal(ffamed_sim_vm_call_count(vm, FFA_RX_RELEASE), releases + 1);

	assert_int_equal(ffac_partition_list(&g.c, NULL, parts, 8, &count), FFA_RET_OK);
	sys_assert_sp_list(sim, parts, count, FFA_VERSION_1_0, false);

	/* On the wire: 8-byte entries back to back, w3 MBZ for v1.0. */
	pig_raw(&g, &nil, 0, &r);
	assert_int_equal(r.x[0], FFA_SUCCESS_32);
	assert_int_equal(r.x[2], FFAMED_SIM_SP_COUNT);
	assert_int_equal(r.x[3], 0);
	rx = ffamed_sim_guest_va(vm, FFAMED_SIM_RX_IPA);
	for (int i = 0; i < (int)FFAMED_SIM_SP_COUNT; i++) {
		uint16_t id;

		memcpy(&id, rx + 8 * i, sizeof(id));
		assert_int_equal(id, parts[i].id);
	}
	/* A v1.0 caller cannot set flags. */
	rx_release_raw(&g, FFA_RET_OK);
	pig_raw(&g, &nil, FFA_PARTITION_INFO_GET_COUNT_FLAG, &r);
	assert_int_equal(ffa_result(&r), FFA_RET_INVALID_PARAMETERS);

	/* A specific UUID, as Linux 6.1's OP-TEE driver asks. */
	assert_int_equal(ffac_partition_list(&g.c, &optee_uuid, parts, 8, &count), FFA_RET_OK);
	assert_int_equal(count, 1);
	assert_int_equal(parts[0].id, FFAMED_SIM_OPTEE_ID);
	assert_memory_equal(parts[0].uuid.b, nil.b, 16);
	/* v1.0 has no GET_REGS. */
	assert_int_equal(ffac_partition_list_regs(&g.c, NULL, parts, 8, &count),
			 FFA_RET_NOT_SUPPORTED);
}

static void test_v11_count_only_keeps_rx(void **state)
{
	struct ffamed_sim_vm *vm = ffamed_sim_find_vm(sim, 2);
	struct ffac_partition parts[8];
	struct sys_guest g;
	struct ffamed_regs r;
	uint32_t count = 0;
	static const struct ffa_uuid nil;

	(void)state;
	sys_guest_init(&g, vm, 0);
	sys_guest_up(&g, FFA_VERSION_1_1, true);

	/* Count-only: no RX handed over, so nothing to release... */
	assert_int_equal(ffac_partition_count(&g.c, NULL, &count), FFA_RET_OK);
	assert_int_equal(count, FFAMED_SIM_SP_COUNT);
	assert_int_equal(ffamed_sim_vm_call_count(vm, FFA_RX_RELEASE), 0);
	rx_release_raw(&g, FFA_RET_DENIED);
	/* ...and a second one works at once. */
	assert_int_equal(ffac_partition_count(&g.c, NULL, &count), FFA_RET_OK);

	assert_int_equal(ffac_partition_list(&g.c, NULL, parts, 8, &count), FFA_RET_OK);
	sys_assert_sp_list(sim, parts, count, FFA_VERSION_1_1, true);

	/* 24-byte entries, reported in w3. */
	pig_raw(&g, &nil, 0, &r);
	assert_int_equal(r.x[0], FFA_SUCCESS_32);
	assert_int_equal(r.x[3], 24);
	/* Held: the next listing is refused until the release. */
	pig_raw(&g, &nil, 0, &r);
	assert_int_equal(ffa_result(&r), FFA_RET_BUSY);
	rx_release_raw(&g, FFA_RET_OK);
	rx_release_raw(&g, FFA_RET_DENIED);

	/* Flags beyond bit 0 are refused. */
	pig_raw(&g, &nil, 2, &r);
	assert_int_equal(ffa_result(&r), FFA_RET_INVALID_PARAMETERS);
	/* v1.1 has no GET_REGS. */
	assert_int_equal(ffac_partition_list_regs(&g.c, NULL, parts, 8, &count),
			 FFA_RET_NOT_SUPPORTED);
}

static void test_v12_get_regs(void **state)
{
	struct ffamed_sim_vm *vm = ffamed_sim_find_vm(sim, 1);
	struct ffac_partition by_rx[8], by_regs[8];
	uint32_t n_rx = 0, n_regs = 0;
	struct sys_guest g;

	(void)state;
	sys_guest_init(&g, vm, 0);
	/* No RX/TX pair needed for GET_REGS. */
	sys_guest_up(&g, FFA_VERSION_1_2, false);
	assert_int_equal(ffac_partition_list_regs(&g.c, NULL, by_regs, 8, &n_regs), FFA_RET_OK);
	sys_assert_sp_list(sim, by_regs, n_regs, FFA_VERSION_1_2, true);
	assert_int_equal(ffamed_sim_vm_call_count(vm, FFA_PARTITION_INFO_GET_REGS), 1);

	assert_int_equal(ffac_partition_list_regs(&g.c, &echo_uuid, by_regs, 8, &n_regs),
			 FFA_RET_OK);
	assert_int_equal(n_regs, 1);
	assert_int_equal(by_regs[0].id, FFAMED_SIM_ECHO_ID);

	/* Same answer through the RX buffer. */
	assert_int_equal(ffamed_sim_guest_map_rxtx(vm, &g.c, 1), FFA_RET_OK);
	assert_int_equal(ffac_partition_list(&g.c, NULL, by_rx, 8, &n_rx), FFA_RET_OK);
	assert_int_equal(ffac_partition_list_regs(&g.c, NULL, by_regs, 8, &n_regs), FFA_RET_OK);
	assert_int_equal(n_rx, n_regs);
	assert_memory_equal(by_rx, by_regs, n_rx * sizeof(by_rx[0]));
}

static void test_discovery_refusals(void **state)
{
	struct ffamed_sim_vm *vm = ffamed_sim_find_vm(sim, 2);
	static const struct ffa_uuid unknown = {{0xde, 0xad}};
	struct ffac_partition parts[4];
	struct sys_guest g;
	struct ffamed_regs r;
	uint32_t count = 0;

	(void)state;
	sys_guest_init(&g, vm, 0);
	/* Before FFA_VERSION nothing is served. */
	pig_raw(&g, &unknown, FFA_PARTITION_INFO_GET_COUNT_FLAG, &r);
	assert_int_equal(ffa_result(&r), FFA_RET_NOT_SUPPORTED);

	sys_guest_up(&g, FFA_VERSION_1_2, false);
	/* Unknown UUID. */
	assert_int_equal(ffac_partition_count(&g.c, &unknown, &count), FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(ffac_partition_list_regs(&g.c, &unknown, parts, 4, &count),
			 FFA_RET_INVALID_PARAMETERS);
	/* No RX buffer yet: the client stops after the count. */
	assert_int_equal(ffac_partition_list(&g.c, NULL, parts, 4, &count),
			 FFA_RET_INVALID_PARAMETERS);
	/* The raw full listing without RX: refused, nothing handed over. */
	pig_raw(&g, &unknown, 0, &r);
	assert_true(ffa_is_error(&r));
	ffa_regs_clear(&r);
	pig_raw(&g, &(struct ffa_uuid){{0}}, 0, &r);
	assert_true(ffa_is_error(&r));
	assert_int_not_equal(ffa_error_code(&r), FFA_RET_OK);
	/* GET_REGS start index past the end, and a tag on the first call. */
	ffa_regs_clear(&r);
	r.x[0] = FFA_PARTITION_INFO_GET_REGS;
	r.x[3] = FFAMED_SIM_SP_COUNT;
	sys_guest_raw(&g, &r);
	assert_int_equal(ffa_result(&r), FFA_RET_INVALID_PARAMETERS);
	ffa_regs_clear(&r);
	r.x[0] = FFA_PARTITION_INFO_GET_REGS;
	r.x[3] = 0x10000;
	sys_guest_raw(&g, &r);
	assert_true(ffa_is_error(&r));
}

static void test_vm_to_vm_lists_other_vms(void **state)
{
	struct ffamed_sim *s2 = sys_create(2, 2, true, 16);
	struct ffamed_sim_vm *added = NULL;
	struct ffac_partition parts[8];
	uint32_t count = 0, vms_seen = 0;
	struct sys_guest g, g2, g9;

	(void)state;
	sys_guest_init(&g, ffamed_sim_find_vm(s2, 1), 0);
	sys_guest_up(&g, FFA_VERSION_1_2, true);
	assert_int_equal(ffamed_sim_vm_add(s2, 9, 3, &added), FFA_RET_OK);
	/* Peers are listed from their creation (guests booting together read
	 * the list once), with what ffamed serves at its best version until
	 * theirs is final (docs/MESSAGING.md, VMs as partitions). */
	assert_int_equal(ffac_partition_list(&g.c, NULL, parts, 8, &count), FFA_RET_OK);
	assert_int_equal(count, FFAMED_SIM_SP_COUNT + 2);
	for (uint32_t i = 0; i < count; i++) {
		if (FFA_ID_IS_SECURE(parts[i].id))
			continue;
		vms_seen++;
		assert_true(parts[i].id == 2 || parts[i].id == 9);
		assert_true(parts[i].properties & FFA_PART_PROP_NOTIFICATIONS);
		assert_true(parts[i].properties & FFA_PART_PROP_INDIRECT_MSG);
	}
	assert_int_equal(vms_seen, 2);
	vms_seen = 0;

	sys_guest_init(&g2, ffamed_sim_find_vm(s2, 2), 1);
	sys_guest_up(&g2, FFA_VERSION_1_0, false);
	sys_guest_init(&g9, added, 2);
	sys_guest_up(&g9, FFA_VERSION_1_1, false);
	assert_int_equal(ffac_partition_list(&g.c, NULL, parts, 8, &count), FFA_RET_OK);
	for (uint32_t i = 0; i < count; i++) {
		if (FFA_ID_IS_SECURE(parts[i].id))
			continue;
		vms_seen++;
		assert_true(parts[i].id == 2 || parts[i].id == 9);
		assert_int_equal(parts[i].exec_ctx_count, parts[i].id == 9 ? 3 : 2);
		/* With VM-to-VM on (and an open policy), VMs past v1.0 (VM 9,
		 * not 2) take notifications and indirect messages; direct ones
		 * when the port can block calls. */
		assert_int_equal(parts[i].properties,
				 FFA_PART_PROP_AARCH64 |
					 (parts[i].id == 9 ? FFA_PART_PROP_NOTIFICATIONS |
								     FFA_PART_PROP_INDIRECT_MSG
							   : 0) |
					 (ffamed_posix_host_ops()->vcpu_resume
						  ? FFA_PART_PROP_DIRECT_REQ_RECV |
							    FFA_PART_PROP_DIRECT_REQ_SEND
						  : 0));
	}
	/* The others, not the caller itself. */
	assert_int_equal(vms_seen, 2);
	assert_int_equal(count, FFAMED_SIM_SP_COUNT + 2);
	ffamed_sim_vm_remove(added);
	sys_finish(s2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_v10_sees_8_byte_entries, setup, teardown),
		cmocka_unit_test_setup_teardown(test_v11_count_only_keeps_rx, setup, teardown),
		cmocka_unit_test_setup_teardown(test_v12_get_regs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_discovery_refusals, setup, teardown),
		cmocka_unit_test(test_vm_to_vm_lists_other_vms),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
