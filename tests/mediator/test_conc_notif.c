/* SPDX-License-Identifier: MIT */
/*
 * Concurrency: vCPUs of two VMs binding, collecting and (through the SP)
 * receiving notifications on the same bitmaps, while a third VM is created
 * and destroyed with bindings live and bits pending. Each vCPU owns its
 * bits, so every GET must return exactly what was set for it, once.
 */
#include "med_fixture.h"

#define ITERS	    800
#define LIFE_CYCLES 150
#define CHURN_VM    7

static struct fix *fix;

struct vcpu_arg {
	struct fix_vm *v;
	uint16_t vcpu;
	uint32_t cpu;
	long got;
};

static uint64_t get_all(struct fix_vm *v, uint16_t vcpu)
{
	struct ffamed_regs r =
		fix_call(v, vcpu, FFA_NOTIFICATION_GET, FFA_SENDER_RECEIVER(vcpu, v->id),
			 FFA_NOTIF_GET_FLAGS_MASK, 0, 0, 0);

	assert_int_equal(r.x[0], FFA_SUCCESS_32);
	for (int i = 4; i < FFA_NREGS; i++)
		assert_int_equal(r.x[i], 0);
	return r.x[2] | (r.x[3] << 32);
}

static void *vcpu_thread(void *p)
{
	struct vcpu_arg *a = p;
	struct ffamed_sp *echo = ffamed_spmc_find_sp(fix->spmc, FIX_SP_ECHO);
	uint64_t bit = 1ull << (a->vcpu * 8 + a->v->id);
	uint32_t flags = FFA_NOTIF_FLAG_PER_VCPU | ((uint32_t)a->vcpu << FFA_NOTIF_SET_VCPU_SHIFT);
	struct ffamed_regs r;

	fix_set_cpu(a->cpu);
	/* Binds race with the other vCPU's on the same bitmap. */
	r = fix_call(a->v, a->vcpu, FFA_NOTIFICATION_BIND,
		     FFA_SENDER_RECEIVER(FIX_SP_ECHO, a->v->id), FFA_NOTIF_FLAG_PER_VCPU,
		     (uint32_t)bit, bit >> 32, 0);
	assert_ffa_success(r);
	for (int i = 0; i < ITERS; i++) {
		assert_int_equal(ffamed_sp_notification_set_on(echo, a->cpu, a->v->id, flags, bit),
				 0);
		if (i & 1) /* set twice before a GET: still collected once */
			assert_int_equal(
				ffamed_sp_notification_set_on(echo, a->cpu, a->v->id, flags, bit),
				0);
		assert_int_equal(get_all(a->v, a->vcpu), bit);
		a->got++;
		assert_int_equal(get_all(a->v, a->vcpu), 0);
	}
	r = fix_call(a->v, a->vcpu, FFA_NOTIFICATION_UNBIND,
		     FFA_SENDER_RECEIVER(FIX_SP_ECHO, a->v->id), 0, (uint32_t)bit, bit >> 32, 0);
	assert_ffa_success(r);
	return NULL;
}

static void *churn_thread(void *p)
{
	struct ffamed_sp *echo = ffamed_spmc_find_sp(fix->spmc, FIX_SP_ECHO);
	long *cycles = p;
	struct ffamed_regs r;

	fix_set_cpu(3);
	for (int i = 0; i < LIFE_CYCLES; i++) {
		struct fix_vm *v = fix_vm_new(fix, CHURN_VM, 2, 4, true);

		assert_int_equal(fix_vm_register(v, true), FFA_RET_OK);
		assert_true(ffamed_spmc_notif_bitmap_exists(fix->spmc, CHURN_VM, NULL));
		fix_negotiate(v, FFA_VERSION_1_2);
		r = fix_call(v, 1, FFA_NOTIFICATION_BIND,
			     FFA_SENDER_RECEIVER(FIX_SP_ECHO, CHURN_VM), 0, 0x3, 0, 0);
		assert_ffa_success(r);
		assert_int_equal(ffamed_sp_notification_set_on(echo, 3, CHURN_VM, 0, 0x1), 0);
		/* Destroyed with the binding live and the bit pending. */
		fix_vm_destroy(v);
		assert_false(ffamed_spmc_notif_bitmap_exists(fix->spmc, CHURN_VM, NULL));
		(*cycles)++;
	}
	return NULL;
}

static void notif_races(void **state)
{
	(void)state;
	struct fix_vm *vms[2];
	struct vcpu_arg args[4];
	pthread_t th[5];
	long cycles = 0;

	fix = fix_create(NULL);
	for (int i = 0; i < 2; i++) {
		vms[i] = fix_vm(fix, (uint16_t)(i + 1), 2);
		fix_negotiate(vms[i], i ? FFA_VERSION_1_1 : FFA_VERSION_1_2);
	}
	for (int i = 0; i < 4; i++) {
		args[i] = (struct vcpu_arg){
			.v = vms[i / 2], .vcpu = (uint16_t)(i % 2), .cpu = (uint32_t)i % 3};
		assert_int_equal(pthread_create(&th[i], NULL, vcpu_thread, &args[i]), 0);
	}
	assert_int_equal(pthread_create(&th[4], NULL, churn_thread, &cycles), 0);
	for (int i = 0; i < 5; i++)
		assert_int_equal(pthread_join(th[i], NULL), 0);

	for (int i = 0; i < 4; i++)
		assert_int_equal(args[i].got, ITERS);
	assert_int_equal(cycles, LIFE_CYCLES);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(ffamed_spmc_notif_bound(fix->spmc, vms[i]->id, FIX_SP_ECHO, NULL),
				 0);
		fix_vm_destroy(vms[i]);
	}
	assert_int_equal(ffamed_spmc_notif_bitmap_count(fix->spmc), 0);
	fix_destroy(fix);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(notif_races),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
