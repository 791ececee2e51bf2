/* SPDX-License-Identifier: MIT */
/*
 * VMs as partitions (docs/MESSAGING.md, "VMs as partitions"): the UUID the
 * host gives a VM, found by Nil and specific-UUID FFA_PARTITION_INFO_GET and
 * PARTITION_INFO_GET_REGS, under the access policy, with the properties a
 * guest driver needs to message the VM.
 */
#include "med_fixture.h"

#define PG(n) (FIX_IPA_BASE + (uint64_t)(n)*FFA_PAGE_SIZE)
#define RX    PG(1)

static const struct ffa_uuid svc_uuid = {{0x5E, 0x7C, 0x1A, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55,
					  0x66, 0x77, 0x88, 0x99, 0xAA, 0xBB, 0x01}};
static const struct ffa_uuid other_uuid = {{0x5E, 0x7C, 0x1A, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55,
					    0x66, 0x77, 0x88, 0x99, 0xAA, 0xBB, 0x02}};
static const struct ffa_uuid denied_uuid = {{0x5E, 0x7C, 0x1A, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55,
					     0x66, 0x77, 0x88, 0x99, 0xAA, 0xBB, 0x03}};

#define VM_PROPS_1_1                                                                               \
	(FFA_PART_PROP_AARCH64 | FFA_PART_PROP_NOTIFICATIONS | FFA_PART_PROP_INDIRECT_MSG)
#define VM_DIRECT  (FFA_PART_PROP_DIRECT_REQ_RECV | FFA_PART_PROP_DIRECT_REQ_SEND)
#define VM_DIRECT2 (FFA_PART_PROP_DIRECT_REQ2_RECV | FFA_PART_PROP_DIRECT_REQ2_SEND)

static struct fix_vm *vm_with(struct fix *fix, uint16_t id, uint16_t vcpus,
			      const struct ffa_uuid *uuid, const struct ffamed_vm_policy *policy,
			      uint32_t version)
{
	struct fix_vm *v = fix_vm_new(fix, id, vcpus, 64, true);

	if (uuid)
		v->uuid = *uuid;
	v->policy = policy;
	assert_int_equal(fix_vm_register(v, true), FFA_RET_OK);
	if (version)
		fix_negotiate(v, version);
	return v;
}

static struct ffamed_regs pig(struct fix_vm *v, const struct ffa_uuid *u, uint32_t flags)
{
	struct ffa_uuid nil = {{0}};

	if (!u)
		u = &nil;
	return fix_call(v, 0, FFA_PARTITION_INFO_GET, ffa_uuid_w(u, 0), ffa_uuid_w(u, 1),
			ffa_uuid_w(u, 2), ffa_uuid_w(u, 3), flags);
}

static struct ffamed_regs pig_regs(struct fix_vm *v, const struct ffa_uuid *u, uint64_t x3)
{
	struct ffamed_regs in = {{FFA_PARTITION_INFO_GET_REGS}};

	in.x[1] = ffa_uuid_x(u, 0);
	in.x[2] = ffa_uuid_x(u, 1);
	in.x[3] = x3;
	return fix_call_regs(v, 0, &in);
}

static struct ffa_partition_info_1_1 entry(struct fix_vm *v, uint32_t i, uint32_t size)
{
	struct ffa_partition_info_1_1 e = {0};

	memcpy(&e, (uint8_t *)fix_vm_ptr(v, RX) + i * size, size);
	return e;
}

static void release(struct fix_vm *v)
{
	assert_ffa_success(fix_call(v, 0, FFA_RX_RELEASE, 0, 0, 0, 0, 0));
}

static bool uuid_is(const uint8_t *b, const struct ffa_uuid *u)
{
	return memcmp(b, u->b, 16) == 0;
}

/* Nil query: SPs, then every peer VM the caller holds a right to, each with
 * its UUID; a specific query: the VMs given that UUID, UUID field zero. */
static void nil_and_specific(void **state)
{
	(void)state;
	struct fix_opts o = {.med_cfg = {.vm_to_vm = true}};
	struct fix *fix = fix_create(&o);
	/* e refuses a: it exists but a must not see it. */
	const struct ffamed_peer_rights no_a = {.peer = 1, .rights = 0};
	const struct ffamed_vm_policy e_pol = {.sp_default = FFAMED_RIGHTS_ALL,
					       .vm_default = FFAMED_RIGHTS_ALL,
					       .peers = &no_a,
					       .peer_count = 1};
	struct fix_vm *a = vm_with(fix, 1, 2, &svc_uuid, NULL, FFA_VERSION_1_2);
	struct fix_vm *b = vm_with(fix, 2, 2, &svc_uuid, NULL, FFA_VERSION_1_1);
	struct fix_vm *c = vm_with(fix, 3, 1, &other_uuid, NULL, FFA_VERSION_1_2);
	struct fix_vm *d = vm_with(fix, 4, 3, NULL, NULL, FFA_VERSION_1_2);
	struct fix_vm *e = vm_with(fix, 5, 1, &denied_uuid, &e_pol, FFA_VERSION_1_2);
	struct ffa_partition_info_1_1 pe;
	struct ffamed_regs r;
	uint32_t sps;

	fix_map_default(a, 1);
	r = pig(a, NULL, FFA_PARTITION_INFO_GET_COUNT_FLAG);
	assert_ffa_success(r);
	sps = (uint32_t)r.x[2] - 3; /* b, c, d; not e */
	assert_int_equal(sps, 4);
	r = pig(a, NULL, 0);
	assert_ffa_success(r);
	assert_int_equal(r.x[2], sps + 3);
	for (uint32_t i = 0; i < sps; i++)
		assert_true(FFA_ID_IS_SECURE(entry(a, i, 24).id));
	pe = entry(a, sps, 24);
	assert_int_equal(pe.id, 2);
	assert_int_equal(pe.exec_ctx_count, 2);
	assert_int_equal(pe.properties, VM_PROPS_1_1);
	assert_true(uuid_is(pe.uuid, &svc_uuid));
	pe = entry(a, sps + 1, 24);
	assert_int_equal(pe.id, 3);
	assert_true(uuid_is(pe.uuid, &other_uuid));
	pe = entry(a, sps + 2, 24);
	assert_int_equal(pe.id, 4);
	assert_int_equal(pe.exec_ctx_count, 3);
	assert_true(ffa_uuid_is_nil((const struct ffa_uuid *)(const void *)pe.uuid));
	release(a);

	/* The service UUID a shares with b: only b (a is the caller). */
	r = pig(a, &svc_uuid, 0);
	assert_ffa_success(r);
	assert_int_equal(r.x[2], 1);
	pe = entry(a, 0, 24);
	assert_int_equal(pe.id, 2);
	assert_int_equal(pe.properties, VM_PROPS_1_1);
	assert_true(ffa_uuid_is_nil((const struct ffa_uuid *)(const void *)pe.uuid));
	release(a);
	r = pig(a, &other_uuid, FFA_PARTITION_INFO_GET_COUNT_FLAG);
	assert_ffa_success(r);
	assert_int_equal(r.x[2], 1);
	/* b finds a and nothing else by the shared UUID. */
	fix_map_default(b, 1);
	r = pig(b, &svc_uuid, 0);
	assert_ffa_success(r);
	assert_int_equal(r.x[2], 1);
	assert_int_equal(entry(b, 0, 24).id, 1);
	assert_int_equal(entry(b, 0, 24).exec_ctx_count, 2);
	/* a is v1.2 and the fixture port cannot block: no direct messages. */
	assert_int_equal(entry(b, 0, 24).properties, VM_PROPS_1_1);
	release(b);
	/* The VM whose policy refuses a stays hidden behind its UUID. */
	assert_ffa_error(pig(a, &denied_uuid, 0), FFA_RET_INVALID_PARAMETERS);
	assert_ffa_error(pig(a, &denied_uuid, FFA_PARTITION_INFO_GET_COUNT_FLAG),
			 FFA_RET_INVALID_PARAMETERS);
	/* e itself sees everyone but a. */
	r = pig(e, &svc_uuid, FFA_PARTITION_INFO_GET_COUNT_FLAG);
	assert_ffa_success(r);
	assert_int_equal(r.x[2], 1);

	fix_vm_destroy(e);
	fix_vm_destroy(d);
	fix_vm_destroy(c);
	fix_vm_destroy(b);
	fix_vm_destroy(a);
	fix_destroy(fix);
}

/* How Linux 6.1 (FF-A v1.0) binds: a Nil query gives IDs only, then one
 * query per driver UUID matches the ID. Both must list the peer. */
static void v1_0_caller_matches_by_uuid(void **state)
{
	(void)state;
	struct fix_opts o = {.fw_absent = true, .med_cfg = {.vm_to_vm = true}};
	struct fix *fix = fix_create(&o);
	struct fix_vm *old = vm_with(fix, 1, 2, &svc_uuid, NULL, FFA_VERSION_1_0);
	struct fix_vm *peer = vm_with(fix, 2, 2, &svc_uuid, NULL, FFA_VERSION_1_2);
	struct ffa_partition_info_1_1 pe;
	struct ffamed_regs r;

	fix_map_default(old, 1);
	memset(fix_vm_ptr(old, RX), 0xAA, FFA_PAGE_SIZE);
	r = pig(old, &svc_uuid, 0);
	assert_ffa_success(r);
	assert_int_equal(r.x[2], 1);
	assert_int_equal(r.x[3], 0); /* v1.0: size MBZ, 8-byte entries */
	pe = entry(old, 0, 8);
	assert_int_equal(pe.id, 2);
	assert_int_equal(pe.exec_ctx_count, 2);
	/* A v1.0 guest reads v1.0 bits only: indirect messaging (bit 2). */
	assert_int_equal(pe.properties, FFA_PART_PROP_INDIRECT_MSG);
	assert_int_equal(((uint8_t *)fix_vm_ptr(old, RX))[8], 0xAA); /* nothing past it */
	release(old);
	/* The peer sees the v1.0 VM: no notifications or indirect messages
	 * (FF-A v1.1 ABIs), found by its UUID all the same. */
	fix_map_default(peer, 1);
	r = pig(peer, &svc_uuid, 0);
	assert_ffa_success(r);
	assert_int_equal(r.x[2], 1);
	pe = entry(peer, 0, 24);
	assert_int_equal(pe.id, 1);
	assert_int_equal(pe.properties, FFA_PART_PROP_AARCH64);
	release(peer);
	fix_vm_destroy(peer);
	fix_vm_destroy(old);
	fix_destroy(fix);
}

/* What the policy grants decides the messaging bits; with a blocking port
 * direct messages are offered too, REQ2 only to a v1.2 VM. */
static void properties_follow_rights(void **state)
{
	(void)state;
	struct fix_opts o = {.fw_absent = true, .med_cfg = {.vm_to_vm = true}, .blocking = true};
	struct fix *fix = fix_create(&o);
	const struct ffamed_vm_policy msg_only = {.vm_default = FFAMED_RIGHT_MSG};
	const struct ffamed_vm_policy notify_only = {.vm_default = FFAMED_RIGHT_NOTIFY};
	const struct ffamed_vm_policy mem_only = {.vm_default = FFAMED_RIGHT_MEM};
	const struct ffamed_vm_policy *pols[] = {NULL, &msg_only, &notify_only, &mem_only};
	const uint32_t props[] = {
		VM_PROPS_1_1 | VM_DIRECT | VM_DIRECT2,
		FFA_PART_PROP_AARCH64 | FFA_PART_PROP_INDIRECT_MSG | VM_DIRECT | VM_DIRECT2,
		FFA_PART_PROP_AARCH64 | FFA_PART_PROP_NOTIFICATIONS, FFA_PART_PROP_AARCH64};
	struct fix_vm *a = vm_with(fix, 1, 1, NULL, NULL, FFA_VERSION_1_2);

	fix_map_default(a, 1);
	for (int i = 0; i < 4; i++) {
		struct fix_vm *p = vm_with(fix, 2, 2, &svc_uuid, pols[i], FFA_VERSION_1_2);
		struct ffamed_regs r = pig(a, &svc_uuid, 0);

		assert_ffa_success(r);
		assert_int_equal(r.x[2], 1);
		assert_int_equal(entry(a, 0, 24).properties, props[i]);
		release(a);
		/* The same through the registers. */
		r = pig_regs(a, &svc_uuid, 0);
		assert_int_equal(r.x[0], FFA_SUCCESS_64);
		assert_int_equal(r.x[2] & 0xFFFF, 0);
		assert_int_equal(r.x[3] & 0xFFFF, 2);
		assert_int_equal((r.x[3] >> 16) & 0xFFFF, 2);
		assert_int_equal(r.x[3] >> 32, props[i]);
		assert_int_equal(r.x[4], 0); /* UUID: only for Nil queries */
		assert_int_equal(r.x[5], 0);
		fix_vm_destroy(p);
	}
	/* A VM the host says never waits for requests (a Linux guest): it
	 * may send them, it is not offered as a receiver. */
	struct fix_vm *lx = fix_vm_new(fix, 2, 2, 64, true);
	lx->uuid = svc_uuid;
	lx->no_direct_recv = true;
	assert_int_equal(fix_vm_register(lx, true), FFA_RET_OK);
	fix_negotiate(lx, FFA_VERSION_1_2);
	assert_ffa_success(pig(a, &svc_uuid, 0));
	assert_int_equal(entry(a, 0, 24).properties, VM_PROPS_1_1 | FFA_PART_PROP_DIRECT_REQ_SEND |
							     FFA_PART_PROP_DIRECT_REQ2_SEND);
	release(a);
	fix_vm_destroy(lx);
	/* A v1.1 peer: no REQ2. */
	struct fix_vm *p = vm_with(fix, 2, 2, &svc_uuid, NULL, FFA_VERSION_1_1);
	assert_ffa_success(pig(a, &svc_uuid, 0));
	assert_int_equal(entry(a, 0, 24).properties, VM_PROPS_1_1 | VM_DIRECT);
	release(a);
	fix_vm_destroy(p);
	fix_vm_destroy(a);
	fix_destroy(fix);
}

/* PARTITION_INFO_GET_REGS: Nil lists the UUID in x4/x5; a specific UUID. */
static void regs_nil_lists_uuid(void **state)
{
	(void)state;
	struct fix_opts o = {.fw_absent = true, .med_cfg = {.vm_to_vm = true}};
	struct fix *fix = fix_create(&o);
	struct ffa_uuid nil = {{0}};
	struct fix_vm *a = vm_with(fix, 1, 1, &svc_uuid, NULL, FFA_VERSION_1_2);
	struct fix_vm *b = vm_with(fix, 2, 2, &other_uuid, NULL, FFA_VERSION_1_2);
	struct ffamed_regs r;

	r = pig_regs(a, &nil, 0);
	assert_int_equal(r.x[0], FFA_SUCCESS_64);
	assert_int_equal(r.x[2] & 0xFFFF, 0); /* one entry: b */
	assert_int_equal(r.x[3] & 0xFFFF, 2);
	assert_int_equal(r.x[4], ffa_uuid_x(&other_uuid, 0));
	assert_int_equal(r.x[5], ffa_uuid_x(&other_uuid, 1));
	r = pig_regs(a, &other_uuid, 0);
	assert_int_equal(r.x[0], FFA_SUCCESS_64);
	assert_int_equal(r.x[3] & 0xFFFF, 2);
	/* Start index past the list, an unknown UUID, a tag. */
	assert_ffa_error(pig_regs(a, &other_uuid, 1), FFA_RET_INVALID_PARAMETERS);
	assert_ffa_error(pig_regs(a, &denied_uuid, 0), FFA_RET_INVALID_PARAMETERS);
	assert_ffa_error(pig_regs(a, &other_uuid, 1ull << 16), FFA_RET_RETRY);
	/* Its own UUID does not find the caller. */
	assert_ffa_error(pig_regs(a, &svc_uuid, 0), FFA_RET_INVALID_PARAMETERS);
	fix_vm_destroy(b);
	fix_vm_destroy(a);
	fix_destroy(fix);
}

/* Bad inputs and hidden VMs: without vm_to_vm, after the peer is gone, the
 * caller's own UUID, and the own-entry answer of a lone VM, which carries
 * no UUID to bind to; a peer not yet negotiated is listed. */
static void refusals(void **state)
{
	(void)state;
	struct fix_opts off = {.fw_absent = true};
	struct fix_opts on = {.fw_absent = true, .med_cfg = {.vm_to_vm = true}};
	struct fix *fix = fix_create(&off);
	struct fix_vm *a = vm_with(fix, 1, 1, &svc_uuid, NULL, FFA_VERSION_1_2);
	struct fix_vm *b = vm_with(fix, 2, 1, &other_uuid, NULL, FFA_VERSION_1_2);
	struct ffamed_regs r;

	/* No VM-to-VM: VMs are not partitions to each other. */
	assert_ffa_error(pig(a, &other_uuid, 0), FFA_RET_INVALID_PARAMETERS);
	fix_vm_destroy(b);
	fix_vm_destroy(a);
	fix_destroy(fix);

	fix = fix_create(&on);
	a = vm_with(fix, 1, 1, &svc_uuid, NULL, FFA_VERSION_1_2);
	fix_map_default(a, 1);
	assert_ffa_error(pig(a, &other_uuid, 0), FFA_RET_INVALID_PARAMETERS);
	/* Alone: its own entry, with a Nil UUID. */
	memset(fix_vm_ptr(a, RX), 0xAA, FFA_PAGE_SIZE);
	r = pig(a, NULL, 0);
	assert_ffa_success(r);
	assert_int_equal(r.x[2], 1);
	assert_int_equal(entry(a, 0, 24).id, 1);
	assert_true(ffa_uuid_is_nil((const struct ffa_uuid *)(const void *)entry(a, 0, 24).uuid));
	release(a);
	assert_ffa_error(pig(a, &svc_uuid, 0), FFA_RET_INVALID_PARAMETERS);
	/* A peer is found from its creation, before it negotiates (guests
	 * booting together probe once each, in any order). */
	b = vm_with(fix, 2, 1, &other_uuid, NULL, 0);
	r = pig(a, &other_uuid, 0);
	assert_ffa_success(r);
	assert_int_equal(r.x[2], 1);
	assert_int_equal(entry(a, 0, 24).properties, VM_PROPS_1_1);
	release(a);
	fix_negotiate(b, FFA_VERSION_1_2);
	r = pig(a, &other_uuid, FFA_PARTITION_INFO_GET_COUNT_FLAG);
	assert_ffa_success(r);
	assert_int_equal(r.x[2], 1);
	/* Reserved flags are refused with a VM behind the UUID too. */
	assert_ffa_error(pig(a, &other_uuid, 2), FFA_RET_INVALID_PARAMETERS);
	/* RX not released: BUSY, and the count is still served. */
	assert_ffa_success(pig(a, &other_uuid, 0));
	assert_ffa_error(pig(a, &other_uuid, 0), FFA_RET_BUSY);
	assert_ffa_success(pig(a, &other_uuid, FFA_PARTITION_INFO_GET_COUNT_FLAG));
	release(a);
	fix_vm_destroy(b);
	assert_ffa_error(pig(a, &other_uuid, 0), FFA_RET_INVALID_PARAMETERS);
	fix_vm_destroy(a);
	fix_destroy(fix);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(nil_and_specific),
		cmocka_unit_test(v1_0_caller_matches_by_uuid),
		cmocka_unit_test(properties_follow_rights),
		cmocka_unit_test(regs_nil_lists_uuid),
		cmocka_unit_test(refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
