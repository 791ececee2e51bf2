/* SPDX-License-Identifier: MIT */
/*
 * Concurrency: vCPU threads of several VMs hammering discovery and direct
 * messages while VMs come and go; vCPUs of one VM racing RX/TX map/unmap
 * against partition discovery; VMs contending for the mediator's SPMC
 * RX/TX pair; concurrent version negotiation. Every call's answer is
 * checked against the set of answers possible at that moment and counted.
 */
#include "med_fixture.h"
#include "mediator/med_host.h"
#include "mediator/med_internal.h"
#include "mediator/med_spmc_rxtx.h"

#include <stdio.h>

#define ITERS 1500

static struct fix *fix;

enum { R_OK, R_BUSY, R_DENIED, R_INVAL, R_OTHER, R_N };

static int classify(const struct ffamed_regs *r)
{
	if (!ffa_is_error(r))
		return R_OK;
	/* Error codes are always zero-extended. */
	assert_int_equal(r->x[2], (uint64_t)(uint32_t)ffa_error_code(r));
	switch (ffa_error_code(r)) {
	case FFA_RET_BUSY:
		return R_BUSY;
	case FFA_RET_DENIED:
		return R_DENIED;
	case FFA_RET_INVALID_PARAMETERS:
		return R_INVAL;
	default:
		return R_OTHER;
	}
}

/* ---- Discovery and messages while VMs come and go ------------------------ */

struct vcpu_arg {
	struct fix_vm *v;
	uint16_t vcpu;
	uint32_t cpu;
	long counts[R_N];
	long calls;
};

static _Atomic bool lifecycle_stop;

static void *vcpu_thread(void *p)
{
	struct vcpu_arg *a = p;
	struct fix_vm *v = a->v;
	struct ffamed_regs r;

	fix_set_cpu(a->cpu);
	for (int i = 0; i < ITERS; i++) {
		int c;

		switch (i % 5) {
		case 0:
			r = fix_call(v, a->vcpu, FFA_PARTITION_INFO_GET, 0, 0, 0, 0,
				     FFA_PARTITION_INFO_GET_COUNT_FLAG);
			assert_ffa_success(r);
			/* 4 SPs plus between 0 and all the other VMs. */
			assert_true(r.x[2] >= 4 && r.x[2] <= 4 + 4 + 1);
			c = R_OK;
			break;
		case 1:
			r = fix_call(v, a->vcpu, FFA_PARTITION_INFO_GET, 0, 0, 0, 0, 0);
			c = classify(&r);
			/* The other vCPU may hold the RX. */
			assert_true(c == R_OK || c == R_BUSY);
			if (c == R_OK) {
				const uint8_t *rx = fix_vm_ptr(v, FIX_IPA_BASE + FFA_PAGE_SIZE);
				uint16_t id0;

				memcpy(&id0, rx, sizeof(id0));
				assert_int_equal(id0, FIX_SP_ECHO);
				r = fix_call(v, a->vcpu, FFA_RX_RELEASE, 0, 0, 0, 0, 0);
				assert_ffa_success(r);
			}
			break;
		case 2:
			r = fix_call(v, a->vcpu, FFA_MSG_SEND_DIRECT_REQ_32,
				     FFA_SENDER_RECEIVER(v->id, FIX_SP_ECHO), 0,
				     FFAMED_ECHO_CMD_WHOAMI, 0, 0);
			c = classify(&r);
			/* The UP echo's single context may be running for
			 * another CPU: BUSY. Otherwise the answer is ours. */
			assert_true(c == R_OK || c == R_BUSY);
			if (c == R_OK) {
				assert_int_equal(r.x[0], FFA_MSG_SEND_DIRECT_RESP_32);
				assert_int_equal(r.x[1], FFA_SENDER_RECEIVER(FIX_SP_ECHO, v->id));
				assert_int_equal(r.x[6], v->id);
			}
			break;
		case 3:
			/* Preempted twice on our CPU's context of the MP echo. */
			r = fix_call(v, a->vcpu, FFA_MSG_SEND_DIRECT_REQ_64,
				     FFA_SENDER_RECEIVER(v->id, FIX_SP_ECHO_MP), 0,
				     FFAMED_ECHO_CMD_INTERRUPT, 2, 0);
			while (r.x[0] == FFA_INTERRUPT) {
				assert_int_equal(r.x[1], FFA_TARGET_INFO(FIX_SP_ECHO_MP, a->cpu));
				r = fix_call(v, a->vcpu, FFA_RUN, r.x[1], 0, 0, 0, 0);
			}
			c = classify(&r);
			assert_true(c == R_OK || c == R_BUSY);
			if (c == R_OK) {
				assert_int_equal(r.x[0], FFA_MSG_SEND_DIRECT_RESP_64);
				assert_int_equal(r.x[6], v->id);
				assert_int_equal(r.x[7], 2);
			}
			break;
		default: {
			struct ffamed_regs in = {{FFA_PARTITION_INFO_GET_REGS}};

			r = fix_call_regs(v, a->vcpu, &in);
			assert_int_equal(r.x[0], FFA_SUCCESS_64);
			assert_int_equal((uint16_t)r.x[3], FIX_SP_ECHO);
			c = R_OK;
			break;
		}
		}
		a->counts[c]++;
		a->calls++;
	}
	return NULL;
}

static void *lifecycle_thread(void *p)
{
	long *cycles = p;
	uint16_t id = 100;

	fix_set_cpu(3);
	while (!atomic_load(&lifecycle_stop)) {
		struct fix_vm *v = fix_vm_new(fix, id, 1, 4, true);
		struct ffamed_regs r;

		assert_int_equal(fix_vm_register(v, true), FFA_RET_OK);
		fix_negotiate(v, FFA_VERSION_1_2);
		fix_map_default(v, 1);
		r = fix_call(v, 0, FFA_PARTITION_INFO_GET, 0, 0, 0, 0, 0);
		assert_ffa_success(r);
		fix_vm_destroy(v);
		id = id == 110 ? 100 : id + 1;
		(*cycles)++;
	}
	return NULL;
}

static void conc_discovery_messages_lifecycle(void **state)
{
	(void)state;
	struct fix_opts o = {.med_cfg = {.vm_to_vm = true}};
	struct fix_vm *vms[4];
	struct vcpu_arg args[8];
	pthread_t th[8], lt;
	long cycles = 0, total[R_N] = {0};

	fix = fix_create(&o);
	for (int i = 0; i < 4; i++) {
		vms[i] = fix_vm(fix, (uint16_t)(1 + i), 2);
		fix_negotiate(vms[i], FFA_VERSION_1_2);
		fix_map_default(vms[i], 1);
	}
	atomic_store(&lifecycle_stop, false);
	assert_int_equal(pthread_create(&lt, NULL, lifecycle_thread, &cycles), 0);
	for (int i = 0; i < 8; i++) {
		args[i] = (struct vcpu_arg){
			.v = vms[i / 2], .vcpu = (uint16_t)(i % 2), .cpu = (uint32_t)(i % 3)};
		assert_int_equal(pthread_create(&th[i], NULL, vcpu_thread, &args[i]), 0);
	}
	for (int i = 0; i < 8; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(args[i].calls, ITERS);
		for (int c = 0; c < R_N; c++)
			total[c] += args[i].counts[c];
	}
	atomic_store(&lifecycle_stop, true);
	pthread_join(lt, NULL);
	assert_int_equal(total[R_OK] + total[R_BUSY], 8 * ITERS);
	assert_true(total[R_OK] > 0);
	assert_true(cycles > 0);
	/* The requests really went through the firmware. */
	assert_true(fix_fw_count(fix, FFA_MSG_SEND_DIRECT_REQ_32) >= 8 * ITERS / 5);
	assert_true(fix_fw_count(fix, FFA_RUN) > 0);
	fprintf(stderr, "lifecycle cycles %ld, ok %ld busy %ld, fw calls %lu\n", cycles,
		total[R_OK], total[R_BUSY], (unsigned long)atomic_load(&fix->fw_total));
	/* Every VM the lifecycle thread created was announced and retired. */
	assert_int_equal(ffamed_sp_vmwatch_created_msgs(&fix->vmwatch), 4 + cycles);
	assert_int_equal(ffamed_sp_vmwatch_destroyed_msgs(&fix->vmwatch), cycles);
	assert_int_equal(ffamed_sp_vmwatch_live_count(&fix->vmwatch), 4);
	for (int i = 0; i < 4; i++)
		fix_vm_destroy(vms[i]);
	fix_destroy(fix);
}

/* ---- One VM's vCPUs racing map/unmap against discovery -------------------- */

static void *rxtx_racer(void *p)
{
	struct vcpu_arg *a = p;
	struct fix_vm *v = a->v;
	unsigned seed = a->vcpu * 7919u + 1;

	fix_set_cpu(a->cpu);
	for (int i = 0; i < ITERS; i++) {
		struct ffamed_regs r;
		int c;

		seed = seed * 1103515245u + 12345u;
		switch ((seed >> 16) % 4) {
		case 0:
			r = fix_call(v, a->vcpu, FFA_RXTX_MAP_64, FIX_IPA_BASE,
				     FIX_IPA_BASE + 2 * FFA_PAGE_SIZE, 2, 0, 0);
			c = classify(&r);
			assert_true(c == R_OK || c == R_DENIED);
			break;
		case 1:
			r = fix_call(v, a->vcpu, FFA_RXTX_UNMAP, 0, 0, 0, 0, 0);
			c = classify(&r);
			/* not mapped: INVALID; RX held by the guest: DENIED */
			assert_true(c == R_OK || c == R_INVAL || c == R_DENIED);
			break;
		case 2:
			r = fix_call(v, a->vcpu, FFA_PARTITION_INFO_GET, 0, 0, 0, 0, 0);
			c = classify(&r);
			assert_true(c == R_OK || c == R_BUSY);
			if (c == R_OK)
				assert_int_equal(r.x[2], 4);
			break;
		default:
			r = fix_call(v, a->vcpu, FFA_RX_RELEASE, 0, 0, 0, 0, 0);
			c = classify(&r);
			assert_true(c == R_OK || c == R_DENIED);
			break;
		}
		a->counts[c]++;
		a->calls++;
	}
	return NULL;
}

static void conc_rxtx_vs_partinfo(void **state)
{
	(void)state;
	struct vcpu_arg args[4];
	pthread_t th[4];
	struct fix_vm *v;
	long ok = 0, all = 0;
	struct ffamed_regs r;

	fix = fix_create(NULL);
	v = fix_vm(fix, 1, 4);
	fix_negotiate(v, FFA_VERSION_1_1);
	for (int i = 0; i < 4; i++) {
		args[i] = (struct vcpu_arg){.v = v, .vcpu = (uint16_t)i, .cpu = (uint32_t)i};
		assert_int_equal(pthread_create(&th[i], NULL, rxtx_racer, &args[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		ok += args[i].counts[R_OK];
		for (int c = 0; c < R_N; c++)
			all += args[i].counts[c];
		assert_int_equal(args[i].counts[R_OTHER], 0);
	}
	assert_int_equal(all, 4 * ITERS);
	assert_true(ok > 0);
	/* Both sides agree on what is left: release and unmap cleanly. */
	r = fix_call(v, 0, FFA_RX_RELEASE, 0, 0, 0, 0, 0);
	r = fix_call(v, 0, FFA_RXTX_UNMAP, 0, 0, 0, 0, 0);
	(void)r;
	assert_int_equal(fix_vm_pins(v), 0);
	assert_int_equal(atomic_load(&fix->live_maps), 0);
	assert_int_equal(ffamed_spmc_vm_mailbox_count(fix->spmc), 0);
	fix_vm_destroy(v);
	fix_destroy(fix);
}

/* ---- VMs contending for the mediator's SPMC RX/TX ------------------------------ */

static void *spmc_rx_user(void *p)
{
	struct vcpu_arg *a = p;

	fix_set_cpu(a->cpu);
	for (int i = 0; i < ITERS / 3; i++) {
		struct ffamed_regs r;
		uint8_t *rx = med_spmc_rx_acquire(fix->med);
		uint16_t id;

		assert_non_null(rx);
		/* With the lock held nobody else has our RX: never BUSY. */
		assert_int_equal(med_fw_simple(fix->med, FFA_PARTITION_INFO_GET, 0, 0, 0, 0, 0, &r),
				 FFA_RET_OK);
		assert_int_equal(r.x[2], 4);
		memcpy(&id, rx + 24, sizeof(id));
		assert_int_equal(id, FIX_SP_VMWATCH);
		med_spmc_rx_release(fix->med, true);

		/* And the TX side through the forwarded RXTX_MAP. */
		r = fix_call(a->v, 0, FFA_RXTX_MAP_64, FIX_IPA_BASE, FIX_IPA_BASE + FFA_PAGE_SIZE,
			     1, 0, 0);
		assert_ffa_success(r);
		r = fix_call(a->v, 0, FFA_RXTX_UNMAP, 0, 0, 0, 0, 0);
		assert_ffa_success(r);
		a->calls++;
	}
	return NULL;
}

static void conc_spmc_rxtx_contention(void **state)
{
	(void)state;
	struct vcpu_arg args[4];
	pthread_t th[4];

	fix = fix_create(NULL);
	for (int i = 0; i < 4; i++) {
		args[i] = (struct vcpu_arg){.v = fix_vm(fix, (uint16_t)(1 + i), 1),
					    .cpu = (uint32_t)i};
		fix_negotiate(args[i].v, FFA_VERSION_1_2);
		assert_int_equal(pthread_create(&th[i], NULL, spmc_rx_user, &args[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(args[i].calls, ITERS / 3);
	}
	assert_int_equal(ffamed_spmc_hyp_rx_owner(fix->spmc), FFAMED_SPMC_RX_OWNER_SPMC);
	for (int i = 0; i < 4; i++)
		fix_vm_destroy(args[i].v);
	fix_destroy(fix);
}

/* ---- Version negotiation races ------------------------------------------------------ */

static void *version_racer(void *p)
{
	struct vcpu_arg *a = p;
	uint32_t mine = FFA_MAKE_VERSION(1, a->vcpu % 3);

	for (int i = 0; i < 50; i++) {
		struct ffamed_regs r = fix_call(a->v, a->vcpu, FFA_VERSION, mine, 0, 0, 0, 0);

		/* Refused only once another vCPU made a different version final. */
		if (r.x[0] == 0xFFFFFFFFull) {
			uint32_t final = ffamed_vm_version(a->v->vm);

			assert_true(final != 0 && final != mine);
		} else {
			assert_int_equal(r.x[0], FFAMED_FFA_VERSION);
		}
	}
	struct ffamed_regs r = fix_call(a->v, a->vcpu, FFA_ID_GET, 0, 0, 0, 0, 0);
	assert_ffa_success(r);
	a->counts[R_OK] = ffamed_vm_version(a->v->vm);
	return NULL;
}

static void conc_version(void **state)
{
	(void)state;
	struct vcpu_arg args[6];
	pthread_t th[6];
	struct fix_vm *v;

	fix = fix_create(NULL);
	v = fix_vm(fix, 1, 6);
	for (int i = 0; i < 6; i++) {
		args[i] = (struct vcpu_arg){.v = v, .vcpu = (uint16_t)i};
		assert_int_equal(pthread_create(&th[i], NULL, version_racer, &args[i]), 0);
	}
	for (int i = 0; i < 6; i++)
		pthread_join(th[i], NULL);
	/* One final version, one that was asked for, seen by everybody. */
	for (int i = 0; i < 6; i++)
		assert_int_equal(args[i].counts[R_OK], ffamed_vm_version(v->vm));
	assert_true(ffamed_vm_version(v->vm) >= FFA_VERSION_1_0 &&
		    ffamed_vm_version(v->vm) <= FFA_VERSION_1_2);
	fix_vm_destroy(v);
	fix_destroy(fix);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(conc_discovery_messages_lifecycle),
		cmocka_unit_test(conc_rxtx_vs_partinfo),
		cmocka_unit_test(conc_spmc_rxtx_contention),
		cmocka_unit_test(conc_version),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
