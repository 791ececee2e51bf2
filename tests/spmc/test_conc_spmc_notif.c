/* SPDX-License-Identifier: MIT */
/*
 * Notifications under concurrency: SPs setting for VMs (directly and
 * through ECHO direct requests with a delayed SRI), the hypervisor getting
 * them on other CPUs, the hypervisor setting for an SP while the SP gets,
 * INFO_GET looping, and a VM bitmap created and destroyed over and over.
 *
 * Exact accounting: a setter marks (receiver, vCPU or global, bit)
 * outstanding before it sets and only sets a bit that is not outstanding;
 * whoever receives the bit clears the mark and must find it set. At the
 * end everything set was received exactly once and the SRIs match.
 */
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>

#include "spmc_fixture.h"

#define ITERS	   2000
#define NVM	   3 /* VMs 1..NVM */
#define NVCPU	   4
#define SLOTS	   (NVCPU + 1) /* per-vCPU slots, then the global one */
#define GLOBAL	   NVCPU
#define CHURN_VM   100
#define GUEST_BITS 40 /* VM bits 40..43: set by ECHO_UP on guest request */

/* VM bits: ECHO_UP sets 0..7 global and 8..11 per-vCPU, ECHO_MP 16..23 and
 * 24..27; the guest thread has 40..43 (global, ECHO_UP). */
static bool vm_bit_per_vcpu(int b)
{
	return (b >= 8 && b < 12) || (b >= 24 && b < 28);
}

/* SP bits (ECHO_MP receiving): VM v owns v*8..v*8+5; +4 and +5 per-vCPU. */
static bool sp_bit_per_vcpu(int b)
{
	return b % 8 >= 4;
}

struct shared {
	struct fx *f;
	atomic_uchar vm_out[NVM + 1][SLOTS][64];
	atomic_uchar sp_out[SLOTS][64];
	atomic_bool stop;
	atomic_ulong sets, received, failures, sri_expected, info_lists, churns;
};

struct worker {
	struct shared *sh;
	uint32_t cpu;
	uint32_t seed;
	pthread_t thread;
};

static uint32_t rnd(struct worker *w)
{
	w->seed ^= w->seed << 13;
	w->seed ^= w->seed >> 17;
	w->seed ^= w->seed << 5;
	return w->seed;
}

static void note_failure(struct shared *sh)
{
	atomic_fetch_add(&sh->failures, 1);
}

/* A receipt: the mark must be there. */
static void receive(struct shared *sh, atomic_uchar *mark)
{
	if (atomic_exchange(mark, 0) != 1)
		note_failure(sh);
	else
		atomic_fetch_add(&sh->received, 1);
}

/* ---- SP -> VM --------------------------------------------------------------- */

static void *sp_setter(void *arg)
{
	struct worker *w = arg;
	struct shared *sh = w->sh;
	bool is_up = w->cpu == 0;
	struct ffamed_sp *sp = ffamed_spmc_find_sp(sh->f->spmc, is_up ? FX_ECHO_UP : FX_ECHO_MP);
	int base = is_up ? 0 : 16;

	for (int i = 0; i < ITERS;) {
		uint16_t vm = (uint16_t)(1 + rnd(w) % NVM);
		int b = base + (int)(rnd(w) % 12);
		uint16_t vcpu = (uint16_t)(rnd(w) % NVCPU);
		bool pv = vm_bit_per_vcpu(b);
		atomic_uchar *mark = &sh->vm_out[vm][pv ? vcpu : GLOBAL][b];
		unsigned char zero = 0;
		uint32_t flags = pv ? FFA_NOTIF_FLAG_PER_VCPU | ((uint32_t)vcpu << 16) : 0;

		if (!atomic_compare_exchange_strong(mark, &zero, 1)) {
			sched_yield(); /* still pending: setting it again would merge */
			continue;
		}
		i++;
		if (ffamed_sp_notification_set_on(sp, w->cpu, vm, flags, 1ull << b)) {
			atomic_store(mark, 0);
			note_failure(sh);
			continue;
		}
		atomic_fetch_add(&sh->sets, 1);
		atomic_fetch_add(&sh->sri_expected, 1);
	}
	return NULL;
}

/* The guest side: VMs ask ECHO_UP (only this thread talks to it) to set a
 * notification for them, with the SRI delayed until the answer. */
static void *guest(void *arg)
{
	struct worker *w = arg;
	struct shared *sh = w->sh;

	for (int i = 0; i < ITERS / 2;) {
		uint16_t vm = (uint16_t)(1 + rnd(w) % NVM);
		int b = GUEST_BITS + (int)(rnd(w) % 4);
		atomic_uchar *mark = &sh->vm_out[vm][GLOBAL][b];
		unsigned char zero = 0;
		struct ffamed_regs r;

		if (!atomic_compare_exchange_strong(mark, &zero, 1)) {
			sched_yield();
			continue;
		}
		i++;
		r = fx_call(sh->f, w->cpu, FFA_MSG_SEND_DIRECT_REQ_32,
			    FFA_SENDER_RECEIVER(vm, FX_ECHO_UP), 0, FFAMED_ECHO_CMD_NOTIF_SET,
			    FFA_NOTIF_SET_DELAY_SRI, (uint32_t)(1ull << b),
			    (uint32_t)((1ull << b) >> 32), 0);
		if (r.x[0] != FFA_MSG_SEND_DIRECT_RESP_32 || r.x[4] != 0) {
			atomic_store(mark, 0);
			note_failure(sh);
			continue;
		}
		atomic_fetch_add(&sh->sets, 1);
		atomic_fetch_add(&sh->sri_expected, 1);
	}
	return NULL;
}

/* GET for one VM vCPU, accounting what comes back. */
static void hyp_get(struct shared *sh, uint32_t cpu, uint16_t vm, uint16_t vcpu)
{
	struct ffamed_regs r =
		fx_call(sh->f, cpu, FFA_NOTIFICATION_GET, FFA_SENDER_RECEIVER(vcpu, vm),
			FFA_NOTIF_GET_SP, 0, 0, 0, 0, 0);
	uint64_t got;

	if (r.x[0] != FFA_SUCCESS_32) {
		note_failure(sh);
		return;
	}
	got = r.x[2] | (r.x[3] << 32);
	for (int b = 0; b < 64; b++)
		if ((got >> b) & 1u)
			receive(sh, &sh->vm_out[vm][vm_bit_per_vcpu(b) ? vcpu : GLOBAL][b]);
}

static void *hyp_getter(void *arg)
{
	struct worker *w = arg;
	struct shared *sh = w->sh;

	while (!atomic_load(&sh->stop))
		hyp_get(sh, w->cpu, (uint16_t)(1 + rnd(w) % NVM), (uint16_t)(rnd(w) % NVCPU));
	return NULL;
}

/* ---- VM -> SP --------------------------------------------------------------- */

static void *vm_setter(void *arg)
{
	struct worker *w = arg;
	struct shared *sh = w->sh;

	for (int i = 0; i < ITERS;) {
		uint16_t vm = (uint16_t)(1 + rnd(w) % NVM);
		int b = vm * 8 + (int)(rnd(w) % 6);
		uint16_t ctx = (uint16_t)(rnd(w) % FX_MP_CTX);
		bool pv = sp_bit_per_vcpu(b);
		atomic_uchar *mark = &sh->sp_out[pv ? ctx : GLOBAL][b];
		unsigned char zero = 0;
		struct ffamed_regs r;

		if (!atomic_compare_exchange_strong(mark, &zero, 1)) {
			sched_yield();
			continue;
		}
		i++;
		r = fx_call(sh->f, w->cpu, FFA_NOTIFICATION_SET,
			    FFA_SENDER_RECEIVER(vm, FX_ECHO_MP),
			    pv ? FFA_NOTIF_FLAG_PER_VCPU | ((uint32_t)ctx << 16) : 0,
			    (uint32_t)(1ull << b), 0, 0, 0, 0);
		if (r.x[0] != FFA_SUCCESS_32) {
			atomic_store(mark, 0);
			note_failure(sh);
			continue;
		}
		atomic_fetch_add(&sh->sets, 1);
	}
	return NULL;
}

static void sp_get(struct shared *sh, struct ffamed_sp *sp, uint16_t ctx)
{
	uint64_t got;

	if (ffamed_sp_notification_get(sp, ctx, &got)) {
		note_failure(sh);
		return;
	}
	for (int b = 0; b < 64; b++)
		if ((got >> b) & 1u)
			receive(sh, &sh->sp_out[sp_bit_per_vcpu(b) ? ctx : GLOBAL][b]);
}

static void *sp_getter(void *arg)
{
	struct worker *w = arg;
	struct shared *sh = w->sh;
	struct ffamed_sp *mp = ffamed_spmc_find_sp(sh->f->spmc, FX_ECHO_MP);

	while (!atomic_load(&sh->stop))
		sp_get(sh, mp, (uint16_t)(rnd(w) % FX_MP_CTX));
	return NULL;
}

/* ---- INFO_GET and bitmap churn ------------------------------------------------ */

static bool known_list(uint16_t ep, uint32_t nv, const uint16_t *vcpus)
{
	uint32_t max_vcpu = NVCPU;

	if (ep == CHURN_VM)
		return nv == 0; /* global bits only */
	if (ep == FX_ECHO_MP)
		max_vcpu = FX_MP_CTX;
	else if (ep < 1 || ep > NVM)
		return false;
	for (uint32_t i = 0; i < nv; i++)
		if (vcpus[i] >= max_vcpu || (i && vcpus[i] <= vcpus[i - 1]))
			return false;
	return true;
}

static void *info_looper(void *arg)
{
	struct worker *w = arg;
	struct shared *sh = w->sh;
	bool is64 = false;

	while (!atomic_load(&sh->stop)) {
		struct ffamed_regs r =
			fx_call(sh->f, w->cpu,
				is64 ? FFA_NOTIFICATION_INFO_GET_64 : FFA_NOTIFICATION_INFO_GET_32,
				0, 0, 0, 0, 0, 0, 0);
		uint32_t per_reg = is64 ? 4 : 2;
		uint32_t max_ids = is64 ? 20 : 10;
		uint32_t lists = (uint32_t)(r.x[2] >> FFA_NOTIF_INFO_LIST_COUNT_SHIFT) &
				 FFA_NOTIF_INFO_LIST_COUNT_MASK;
		uint32_t id = 0;

		if (r.x[0] == FFA_ERROR && r.x[2] == (uint64_t)(uint32_t)FFA_RET_NO_DATA) {
			is64 = !is64;
			continue;
		}
		if (r.x[0] != (is64 ? FFA_SUCCESS_64 : FFA_SUCCESS_32) || lists == 0 ||
		    lists > max_ids) {
			note_failure(sh);
			break;
		}
		for (uint32_t l = 0; l < lists; l++) {
			uint32_t nv = (r.x[2] >> FFA_NOTIF_INFO_LIST_SIZE_SHIFT(l)) & 3;
			uint16_t ids[4];

			if (id + 1 + nv > max_ids) {
				note_failure(sh);
				break;
			}
			for (uint32_t k = 0; k <= nv; k++, id++)
				ids[k] = (uint16_t)(r.x[3 + id / per_reg] >> (16 * (id % per_reg)));
			if (!known_list(ids[0], nv, &ids[1]))
				note_failure(sh);
		}
		atomic_fetch_add(&sh->info_lists, lists);
		/* Nothing past the last ID. */
		for (; id < 5 * per_reg; id++)
			if ((uint16_t)(r.x[3 + id / per_reg] >> (16 * (id % per_reg))))
				note_failure(sh);
		if (!(r.x[2] & FFA_NOTIF_INFO_MORE_PENDING))
			is64 = !is64;
	}
	return NULL;
}

static void *churner(void *arg)
{
	struct worker *w = arg;
	struct shared *sh = w->sh;
	struct fx *f = sh->f;
	struct ffamed_sp *mp = ffamed_spmc_find_sp(f->spmc, FX_ECHO_MP);

	for (int i = 0; i < ITERS / 4; i++) {
		struct ffamed_regs r;
		bool ok;

		r = fx_call(f, w->cpu, FFA_NOTIFICATION_BITMAP_CREATE, CHURN_VM, 2, 0, 0, 0, 0, 0);
		ok = r.x[0] == FFA_SUCCESS_32;
		r = fx_call(f, w->cpu, FFA_NOTIFICATION_BIND,
			    FFA_SENDER_RECEIVER(FX_ECHO_MP, CHURN_VM), 0, 0x1, 0, 0, 0, 0);
		ok = ok && r.x[0] == FFA_SUCCESS_32;
		if (ok && ffamed_sp_notification_set_on(mp, w->cpu, CHURN_VM, 0, 0x1) == 0)
			atomic_fetch_add(&sh->sri_expected, 1);
		else
			ok = false;
		/* Pending: it stays. */
		r = fx_call(f, w->cpu, FFA_NOTIFICATION_BITMAP_DESTROY, CHURN_VM, 0, 0, 0, 0, 0, 0);
		ok = ok && r.x[0] == FFA_ERROR && (int32_t)r.x[2] == FFA_RET_DENIED;
		r = fx_call(f, w->cpu, FFA_NOTIFICATION_GET, FFA_SENDER_RECEIVER(1, CHURN_VM),
			    FFA_NOTIF_GET_SP, 0, 0, 0, 0, 0);
		ok = ok && r.x[0] == FFA_SUCCESS_32 && r.x[2] == 0x1 && r.x[3] == 0;
		/* Bound but nothing pending: it goes, bindings and all. */
		r = fx_call(f, w->cpu, FFA_NOTIFICATION_BITMAP_DESTROY, CHURN_VM, 0, 0, 0, 0, 0, 0);
		ok = ok && r.x[0] == FFA_SUCCESS_32;
		if (!ok) {
			note_failure(sh);
			break;
		}
		atomic_fetch_add(&sh->churns, 1);
	}
	return NULL;
}

/* ---- The test ------------------------------------------------------------------ */

static void setup_bindings(struct fx *f)
{
	struct ffamed_sp *mp = ffamed_spmc_find_sp(f->spmc, FX_ECHO_MP);

	for (uint16_t vm = 1; vm <= NVM; vm++) {
		struct ffamed_regs r =
			fx_call(f, 0, FFA_NOTIFICATION_BITMAP_CREATE, vm, NVCPU, 0, 0, 0, 0, 0);

		fx_assert_success(&r);
		for (int b = 0; b < 64; b++) {
			uint16_t sender;

			if (b < 12 || (b >= GUEST_BITS && b < GUEST_BITS + 4))
				sender = FX_ECHO_UP;
			else if (b >= 16 && b < 28)
				sender = FX_ECHO_MP;
			else
				continue;
			r = fx_call(f, 0, FFA_NOTIFICATION_BIND, FFA_SENDER_RECEIVER(sender, vm),
				    vm_bit_per_vcpu(b) ? FFA_NOTIF_FLAG_PER_VCPU : 0,
				    (uint32_t)(1ull << b), (uint32_t)((1ull << b) >> 32), 0, 0, 0);
			fx_assert_success(&r);
		}
		for (int k = 0; k < 6; k++) {
			int b = vm * 8 + k;

			assert_int_equal(ffamed_sp_notification_bind(
						 mp, vm,
						 sp_bit_per_vcpu(b) ? FFA_NOTIF_FLAG_PER_VCPU : 0,
						 1ull << b),
					 0);
		}
	}
}

static void test_conc_notifications(void **state)
{
	struct fx *f = *state;
	struct shared *sh = calloc(1, sizeof(*sh));
	struct worker setters[4] = {
		{.cpu = 0}, {.cpu = 1}, {.cpu = 2}, {.cpu = 6}}; /* UP, MP, guest, VM->SP */
	struct worker churn = {.cpu = 7};
	struct worker getters[4] = {{.cpu = 3}, {.cpu = 4}, {.cpu = 5}, {.cpu = 0}};
	void *(*setter_fn[4])(void *) = {sp_setter, sp_setter, guest, vm_setter};
	void *(*getter_fn[4])(void *) = {hyp_getter, hyp_getter, info_looper, sp_getter};
	struct ffamed_sp *mp;

	assert_non_null(sh);
	sh->f = f;
	setup_bindings(f);
	mp = ffamed_spmc_find_sp(f->spmc, FX_ECHO_MP);

	for (int i = 0; i < 4; i++) {
		getters[i].sh = sh;
		getters[i].seed = 0x9e3779b9u * (uint32_t)(i + 11);
		assert_int_equal(
			pthread_create(&getters[i].thread, NULL, getter_fn[i], &getters[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		setters[i].sh = sh;
		setters[i].seed = 0x85ebca6bu * (uint32_t)(i + 1);
		assert_int_equal(
			pthread_create(&setters[i].thread, NULL, setter_fn[i], &setters[i]), 0);
	}
	churn.sh = sh;
	churn.seed = 7;
	assert_int_equal(pthread_create(&churn.thread, NULL, churner, &churn), 0);
	for (int i = 0; i < 4; i++)
		pthread_join(setters[i].thread, NULL);
	pthread_join(churn.thread, NULL);
	atomic_store(&sh->stop, true);
	for (int i = 0; i < 4; i++)
		pthread_join(getters[i].thread, NULL);

	/* Drain what is still pending. */
	for (uint16_t vm = 1; vm <= NVM; vm++)
		for (uint16_t v = 0; v < NVCPU; v++)
			hyp_get(sh, 0, vm, v);
	for (uint16_t c = 0; c < FX_MP_CTX; c++)
		sp_get(sh, mp, c);

	assert_int_equal(atomic_load(&sh->failures), 0);
	assert_int_equal(atomic_load(&sh->sets), 3 * ITERS + ITERS / 2);
	assert_int_equal(atomic_load(&sh->received), atomic_load(&sh->sets));
	for (int vm = 0; vm <= NVM; vm++)
		for (int s = 0; s < SLOTS; s++)
			for (int b = 0; b < 64; b++)
				assert_int_equal(atomic_load(&sh->vm_out[vm][s][b]), 0);
	for (int s = 0; s < SLOTS; s++)
		for (int b = 0; b < 64; b++)
			assert_int_equal(atomic_load(&sh->sp_out[s][b]), 0);
	assert_int_equal(atomic_load(&sh->churns), ITERS / 4);
	/* One SRI per SP set, the guest's delayed ones included. */
	assert_int_equal(atomic_load(&f->sri_count), atomic_load(&sh->sri_expected));
	assert_int_equal(ffamed_spmc_notif_bitmap_count(f->spmc), NVM);
	fx_assert_error((struct ffamed_regs[]){FX_CALL0(f, FFA_NOTIFICATION_INFO_GET_64)},
			FFA_RET_NO_DATA);
	free(sh);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_conc_notifications, fx_setup_v12, fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
