/* SPDX-License-Identifier: MIT */
/*
 * VMs as partitions under churn: a VM with a service UUID is created,
 * negotiates and is destroyed over and over while other VMs' vCPUs look it
 * up by that UUID (FFA_PARTITION_INFO_GET to RX and count-only, and
 * PARTITION_INFO_GET_REGS) until the churn ends. Every answer must be "not there" or exactly
 * that VM; never a torn or stale entry. Runs under TSan too.
 */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>

#include "med_fixture.h"

#define CYCLES 150
#define RX     (FIX_IPA_BASE + FFA_PAGE_SIZE)

static const struct ffa_uuid svc_uuid = {{0x5E, 0x7C, 0x1A, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55,
					  0x66, 0x77, 0x88, 0x99, 0xAA, 0xBB, 0x01}};

#define CHURN_ID 0x40

static struct fix *fix;
static _Atomic bool churn_stop;
static _Atomic int lookers_running;
static _Atomic long found_total;

struct looker {
	struct fix_vm *v;
	uint16_t vcpu;
	uint32_t cpu;
	long found, absent;
};

static void *churn_thread(void *p)
{
	long *cycles = p;

	fix_set_cpu(3);
	/* Churn only under lookers: a scheduler may start them late. */
	while (atomic_load(&lookers_running) < 3)
		sched_yield();
	for (int c = 0; c < CYCLES; c++) {
		struct fix_vm *v = fix_vm_new(fix, CHURN_ID, 2, 4, true);

		v->uuid = svc_uuid;
		assert_int_equal(fix_vm_register(v, true), FFA_RET_OK);
		fix_negotiate(v, FFA_VERSION_1_2);
		/* Alive for a while (its own lookups), so that the lookers
		 * see it present as well as absent; the first time until one
		 * saw it (a lookup that never finds it fails the test by
		 * the deadline). */
		for (int i = 0; i < 40; i++)
			assert_ffa_success(fix_call(v, 0, FFA_PARTITION_INFO_GET, 0, 0, 0, 0,
						    FFA_PARTITION_INFO_GET_COUNT_FLAG));
		for (long spins = 0; c == 0 && !atomic_load(&found_total) && spins < 10000000;
		     spins++)
			sched_yield();
		fix_vm_destroy(v);
		(*cycles)++;
	}
	atomic_store(&churn_stop, true);
	return NULL;
}

/* One answer: absent, or one entry that is the churning VM. */
static void check(struct looker *l, struct ffamed_regs r, int kind)
{
	if (r.x[0] == FFA_ERROR) {
		assert_int_equal(r.x[2], (uint64_t)(uint32_t)FFA_RET_INVALID_PARAMETERS);
		l->absent++;
		return;
	}
	l->found++;
	atomic_fetch_add(&found_total, 1);
	if (kind == 2) { /* GET_REGS */
		assert_int_equal(r.x[0], FFA_SUCCESS_64);
		assert_int_equal(r.x[2] & 0xFFFF, 0);
		assert_int_equal(r.x[3] & 0xFFFF, CHURN_ID);
		assert_int_equal((r.x[3] >> 16) & 0xFFFF, 2);
		return;
	}
	assert_ffa_success(r);
	assert_int_equal(r.x[2], 1);
	if (kind == 1) { /* to RX */
		struct ffa_partition_info_1_1 e;
		struct ffamed_regs rel;

		memcpy(&e, fix_vm_ptr(l->v, RX), sizeof(e));
		assert_int_equal(e.id, CHURN_ID);
		assert_int_equal(e.exec_ctx_count, 2);
		assert_int_equal(e.properties & FFA_PART_PROP_INDIRECT_MSG,
				 FFA_PART_PROP_INDIRECT_MSG);
		rel = fix_call(l->v, l->vcpu, FFA_RX_RELEASE, 0, 0, 0, 0, 0);
		assert_ffa_success(rel);
	}
}

static void *look_thread(void *p)
{
	struct looker *l = p;

	fix_set_cpu(l->cpu);
	atomic_fetch_add(&lookers_running, 1);
	for (int i = 0; !atomic_load(&churn_stop); i++) {
		int kind = i % 3;
		struct ffamed_regs r;

		if (kind == 2) {
			struct ffamed_regs in = {{FFA_PARTITION_INFO_GET_REGS}};

			in.x[1] = ffa_uuid_x(&svc_uuid, 0);
			in.x[2] = ffa_uuid_x(&svc_uuid, 1);
			r = fix_call_regs(l->v, l->vcpu, &in);
		} else {
			r = fix_call(l->v, l->vcpu, FFA_PARTITION_INFO_GET,
				     ffa_uuid_w(&svc_uuid, 0), ffa_uuid_w(&svc_uuid, 1),
				     ffa_uuid_w(&svc_uuid, 2), ffa_uuid_w(&svc_uuid, 3),
				     kind == 0 ? FFA_PARTITION_INFO_GET_COUNT_FLAG : 0);
		}
		check(l, r, kind);
	}
	return NULL;
}

static void conc_lookup_by_uuid_under_churn(void **state)
{
	(void)state;
	struct fix_opts o = {.fw_absent = true, .med_cfg = {.vm_to_vm = true}};
	struct looker ls[3];
	struct fix_vm *vms[3];
	pthread_t th[3], ct;
	long cycles = 0, found = 0, absent = 0;

	fix = fix_create(&o);
	/* Each looker owns its VM (and so its RX): RX_RELEASE races nothing. */
	for (int i = 0; i < 3; i++) {
		vms[i] = fix_vm(fix, (uint16_t)(1 + i), 1);
		fix_negotiate(vms[i], FFA_VERSION_1_2);
		fix_map_default(vms[i], 1);
		ls[i] = (struct looker){.v = vms[i], .vcpu = 0, .cpu = (uint32_t)i};
	}
	atomic_store(&churn_stop, false);
	atomic_store(&lookers_running, 0);
	atomic_store(&found_total, 0);
	assert_int_equal(pthread_create(&ct, NULL, churn_thread, &cycles), 0);
	for (int i = 0; i < 3; i++)
		assert_int_equal(pthread_create(&th[i], NULL, look_thread, &ls[i]), 0);
	pthread_join(ct, NULL);
	for (int i = 0; i < 3; i++) {
		pthread_join(th[i], NULL);
		found += ls[i].found;
		absent += ls[i].absent;
	}
	assert_int_equal(cycles, CYCLES);
	assert_true(found > 0);
	fprintf(stderr, "churn cycles %ld, lookups found %ld absent %ld\n", cycles, found, absent);
	/* Settled: found by every looker again, deterministically. */
	struct fix_vm *v = fix_vm_new(fix, CHURN_ID, 2, 4, true);
	v->uuid = svc_uuid;
	assert_int_equal(fix_vm_register(v, true), FFA_RET_OK);
	fix_negotiate(v, FFA_VERSION_1_2);
	for (int i = 0; i < 3; i++) {
		long before = ls[i].found;

		check(&ls[i],
		      fix_call(vms[i], 0, FFA_PARTITION_INFO_GET, ffa_uuid_w(&svc_uuid, 0),
			       ffa_uuid_w(&svc_uuid, 1), ffa_uuid_w(&svc_uuid, 2),
			       ffa_uuid_w(&svc_uuid, 3), 0),
		      1);
		assert_int_equal(ls[i].found, before + 1);
	}
	fix_vm_destroy(v);
	for (int i = 0; i < 3; i++)
		fix_vm_destroy(vms[i]);
	fix_destroy(fix);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(conc_lookup_by_uuid_under_churn),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
