/* SPDX-License-Identifier: MIT */
/* Notifications at the software SPMC: bitmaps, bindings, set and get in
 * both directions, NOTIFICATION_INFO_GET lists, the SRI, the ECHO SP's
 * notification commands. */
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>

#include "spmc_fixture.h"

#define BIT(n)	  (1ull << (n))
#define DENIED_W  0xFFFFFFFAu /* FFA_RET_DENIED as a 32-bit payload value */
#define INVALID_W 0xFFFFFFFEu /* FFA_RET_INVALID_PARAMETERS, likewise */

static int32_t create(struct fx *f, uint16_t vm, uint32_t vcpus)
{
	struct ffamed_regs r =
		fx_call(f, 0, FFA_NOTIFICATION_BITMAP_CREATE, vm, vcpus, 0, 0, 0, 0, 0);

	if (ffa_is_success(&r))
		fx_assert_success(&r);
	else
		fx_assert_error(&r, ffa_error_code(&r));
	return ffa_result(&r);
}

static int32_t destroy(struct fx *f, uint16_t vm)
{
	struct ffamed_regs r = fx_call(f, 0, FFA_NOTIFICATION_BITMAP_DESTROY, vm, 0, 0, 0, 0, 0, 0);

	return ffa_result(&r);
}

static int32_t bind_fid(struct fx *f, uint32_t fid, uint16_t sender, uint16_t receiver,
			uint32_t flags, uint64_t bitmap)
{
	struct ffamed_regs r = fx_call(f, 0, fid, FFA_SENDER_RECEIVER(sender, receiver), flags,
				       (uint32_t)bitmap, (uint32_t)(bitmap >> 32), 0, 0, 0);

	if (!ffa_is_success(&r))
		fx_assert_error(&r, ffa_error_code(&r));
	return ffa_result(&r);
}

static int32_t bind(struct fx *f, uint16_t sp, uint16_t vm, uint32_t flags, uint64_t bitmap)
{
	return bind_fid(f, FFA_NOTIFICATION_BIND, sp, vm, flags, bitmap);
}

static int32_t unbind(struct fx *f, uint16_t sp, uint16_t vm, uint64_t bitmap)
{
	return bind_fid(f, FFA_NOTIFICATION_UNBIND, sp, vm, 0, bitmap);
}

/* Hypervisor SET on behalf of VM `vm` for SP `sp`. */
static int32_t vm_set(struct fx *f, uint16_t vm, uint16_t sp, uint32_t flags, uint64_t bitmap)
{
	return bind_fid(f, FFA_NOTIFICATION_SET, vm, sp, flags, bitmap);
}

static struct ffamed_regs get_raw(struct fx *f, uint16_t vm, uint16_t vcpu, uint32_t flags)
{
	return fx_call(f, 0, FFA_NOTIFICATION_GET, FFA_SENDER_RECEIVER(vcpu, vm), flags, 0, 0, 0, 0,
		       0);
}

/* GET of the SP bitmap; asserts success. */
static uint64_t get(struct fx *f, uint16_t vm, uint16_t vcpu)
{
	struct ffamed_regs r = get_raw(f, vm, vcpu, FFA_NOTIF_GET_SP);

	fx_assert_success(&r);
	assert_int_equal(r.x[1], 0);
	for (int i = 4; i < FFA_NREGS; i++)
		assert_int_equal(r.x[i], 0);
	return r.x[2] | (r.x[3] << 32);
}

static struct ffamed_sp *sp_of(struct fx *f, uint16_t id)
{
	struct ffamed_sp *sp = ffamed_spmc_find_sp(f->spmc, id);

	assert_non_null(sp);
	return sp;
}

static uint64_t sri(struct fx *f)
{
	return atomic_load(&f->sri_count);
}

/* ---- BITMAP_CREATE / DESTROY ---------------------------------------------- */

static void test_bitmap_create_destroy(void **state)
{
	struct fx *f = *state;
	uint32_t n;
	struct ffamed_regs r;

	assert_int_equal(create(f, 1, 2), 0);
	assert_true(ffamed_spmc_notif_bitmap_exists(f->spmc, 1, &n));
	assert_int_equal(n, 2);
	/* ID 0: the hypervisor, or the OS kernel without one. */
	assert_int_equal(create(f, 0, FX_CPUS), 0);
	assert_int_equal(ffamed_spmc_notif_bitmap_count(f->spmc), 2);
	assert_int_equal(create(f, 1, 2), FFA_RET_DENIED);
	assert_int_equal(create(f, 1, 5), FFA_RET_DENIED);

	/* Bad inputs. */
	assert_int_equal(create(f, 0x8001, 1), FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(create(f, 0xFFFF, 1), FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(create(f, 2, 0), FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(create(f, 2, FFAMED_SPMC_NOTIF_MAX_VCPUS_DEFAULT + 1),
			 FFA_RET_INVALID_PARAMETERS);
	r = fx_call(f, 0, FFA_NOTIFICATION_BITMAP_CREATE, 0x10002, 1, 0, 0, 0, 0, 0);
	fx_assert_error(&r, FFA_RET_INVALID_PARAMETERS);
	r = fx_call(f, 0, FFA_NOTIFICATION_BITMAP_CREATE, 2, 1, 1, 0, 0, 0, 0);
	fx_assert_error(&r, FFA_RET_INVALID_PARAMETERS);
	r = fx_call(f, 0, FFA_NOTIFICATION_BITMAP_CREATE, 2, 1, 0, 0, 0, 0, 1);
	fx_assert_error(&r, FFA_RET_INVALID_PARAMETERS);
	assert_false(ffamed_spmc_notif_bitmap_exists(f->spmc, 2, NULL));
	/* SMC32: the upper halves are not part of the call. */
	r = fx_call(f, 0, FFA_NOTIFICATION_BITMAP_CREATE, (1ull << 32) | 2, (1ull << 40) | 3,
		    1ull << 32, 0, 0, 0, 0);
	fx_assert_success(&r);
	assert_true(ffamed_spmc_notif_bitmap_exists(f->spmc, 2, &n));
	assert_int_equal(n, 3);
	assert_int_equal(create(f, FFAMED_SPMC_BOGUS_NWD_ID, FFAMED_SPMC_NOTIF_MAX_VCPUS_DEFAULT),
			 0);

	r = fx_call(f, 0, FFA_NOTIFICATION_BITMAP_DESTROY, 0x10001, 0, 0, 0, 0, 0, 0);
	fx_assert_error(&r, FFA_RET_INVALID_PARAMETERS);
	r = fx_call(f, 0, FFA_NOTIFICATION_BITMAP_DESTROY, 1, 1, 0, 0, 0, 0, 0);
	fx_assert_error(&r, FFA_RET_INVALID_PARAMETERS);
	r = fx_call(f, 0, FFA_NOTIFICATION_BITMAP_DESTROY, 0x8001, 0, 0, 0, 0, 0, 0);
	fx_assert_error(&r, FFA_RET_INVALID_PARAMETERS);
	assert_true(ffamed_spmc_notif_bitmap_exists(f->spmc, 1, NULL));

	assert_int_equal(destroy(f, 1), 0);
	assert_false(ffamed_spmc_notif_bitmap_exists(f->spmc, 1, NULL));
	assert_int_equal(destroy(f, 1), FFA_RET_DENIED);
	assert_int_equal(destroy(f, 9), FFA_RET_DENIED);
	assert_int_equal(destroy(f, 0), 0);
	assert_int_equal(destroy(f, 2), 0);
	assert_int_equal(destroy(f, FFAMED_SPMC_BOGUS_NWD_ID), 0);
	assert_int_equal(ffamed_spmc_notif_bitmap_count(f->spmc), 0);
	/* Created again after destruction. */
	assert_int_equal(create(f, 1, 1), 0);
	assert_int_equal(ffamed_spmc_call_count(f->spmc, FFA_NOTIFICATION_BITMAP_CREATE), 14);
	assert_int_equal(ffamed_spmc_call_count(f->spmc, FFA_NOTIFICATION_BITMAP_DESTROY), 9);
}

static void test_bitmap_capacity_and_config(void **state)
{
	struct fx *f = fx_new();
	struct ffamed_spmc_config cfg = {
		.cpu_count = FX_CPUS, .max_vms = 3, .sri_intid = 13, .notif_max_vcpus = 4};
	struct ffamed_regs r;

	(void)state;
	assert_int_equal(fx_create(f, &cfg), 0);
	assert_int_equal(fx_version(f, FFA_VERSION_1_1), FFA_VERSION_1_2);
	r = FX_CALL1(f, FFA_FEATURES, FFA_FEATURE_SRI);
	fx_assert_success(&r);
	assert_int_equal(r.x[2], 13);
	assert_int_equal(create(f, 5, 5), FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(create(f, 5, 4), 0);
	assert_int_equal(create(f, 2, 1), 0);
	assert_int_equal(create(f, 9, 1), 0);
	assert_int_equal(create(f, 7, 1), FFA_RET_NO_MEMORY);
	/* A duplicate is refused as such, even when full. */
	assert_int_equal(create(f, 2, 1), FFA_RET_DENIED);
	assert_int_equal(destroy(f, 2), 0);
	assert_int_equal(create(f, 7, 1), 0);
	assert_int_equal(ffamed_spmc_notif_bitmap_count(f->spmc), 3);
	fx_free(f);

	/* A silly vCPU limit is a bad configuration. */
	f = fx_new();
	cfg.notif_max_vcpus = 0x10001;
	assert_int_equal(fx_create(f, &cfg), FFA_RET_INVALID_PARAMETERS);
	fx_free(f);
}

/* ---- BIND / UNBIND ------------------------------------------------------------ */

static void test_bind_unbind(void **state)
{
	struct fx *f = *state;
	uint64_t pv;

	assert_int_equal(create(f, 1, 2), 0);
	assert_int_equal(bind(f, FX_ECHO_UP, 1, 0, 0x3), 0);
	assert_int_equal(ffamed_spmc_notif_bound(f->spmc, 1, FX_ECHO_UP, &pv), 0x3);
	assert_int_equal(pv, 0);
	/* Bound to a different sender: refused, nothing changes. */
	assert_int_equal(bind(f, FX_ECHO_MP, 1, 0, 0x6), FFA_RET_DENIED);
	assert_int_equal(ffamed_spmc_notif_bound(f->spmc, 1, FX_ECHO_MP, NULL), 0);
	assert_int_equal(ffamed_spmc_notif_bound(f->spmc, 1, FX_ECHO_UP, NULL), 0x3);
	/* The same sender again, now per-vCPU: allowed. */
	assert_int_equal(bind(f, FX_ECHO_UP, 1, FFA_NOTIF_FLAG_PER_VCPU, 0x2), 0);
	assert_int_equal(ffamed_spmc_notif_bound(f->spmc, 1, FX_ECHO_UP, &pv), 0x3);
	assert_int_equal(pv, 0x2);
	/* The high word. */
	assert_int_equal(bind(f, FX_ECHO_MP, 1, 0, BIT(40) | BIT(63)), 0);
	assert_int_equal(ffamed_spmc_notif_bound(f->spmc, 1, FX_ECHO_MP, NULL), BIT(40) | BIT(63));

	/* Bad inputs. */
	assert_int_equal(bind(f, FX_ECHO_UP, 2, 0, 0x10), FFA_RET_NOT_SUPPORTED);
	assert_int_equal(bind(f, 0x8009, 1, 0, 0x10), FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(bind(f, FFA_SPMC_ID_DEFAULT, 1, 0, 0x10), FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(bind(f, 3, 1, 0, 0x10), FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(bind(f, FX_ECHO_UP, FX_ECHO_MP, 0, 0x10), FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(bind(f, FX_ECHO_UP, 1, 0x2, 0x10), FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(bind(f, FX_ECHO_UP, 1, 1u << 16, 0x10), FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(bind(f, FX_ECHO_UP, 1, 0, 0), FFA_RET_INVALID_PARAMETERS);
	fx_assert_error((struct ffamed_regs[]){fx_call(f, 0, FFA_NOTIFICATION_BIND,
						       FFA_SENDER_RECEIVER(FX_ECHO_UP, 1), 0, 0x10,
						       0, 1, 0, 0)},
			FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(ffamed_spmc_notif_bound(f->spmc, 1, FX_ECHO_UP, NULL), 0x3);

	/* UNBIND. */
	assert_int_equal(unbind(f, FX_ECHO_UP, 1, 0x10), FFA_RET_DENIED);
	assert_int_equal(unbind(f, FX_ECHO_UP, 1, BIT(40)), FFA_RET_DENIED);
	assert_int_equal(unbind(f, FX_ECHO_UP, 1, 0x7), FFA_RET_DENIED);
	assert_int_equal(unbind(f, FX_ECHO_UP, 2, 0x1), FFA_RET_NOT_SUPPORTED);
	assert_int_equal(unbind(f, FX_ECHO_UP, 1, 0), FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(unbind(f, 0x8009, 1, 0x1), FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(
		bind_fid(f, FFA_NOTIFICATION_UNBIND, FX_ECHO_UP, 1, FFA_NOTIF_FLAG_PER_VCPU, 0x1),
		FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(ffamed_spmc_notif_bound(f->spmc, 1, FX_ECHO_UP, NULL), 0x3);
	assert_int_equal(unbind(f, FX_ECHO_UP, 1, 0x1), 0);
	assert_int_equal(ffamed_spmc_notif_bound(f->spmc, 1, FX_ECHO_UP, &pv), 0x2);
	assert_int_equal(pv, 0x2);
	assert_int_equal(unbind(f, FX_ECHO_MP, 1, BIT(63)), 0);
	assert_int_equal(ffamed_spmc_notif_bound(f->spmc, 1, FX_ECHO_MP, NULL), BIT(40));
	/* Free again: another sender may take it. */
	assert_int_equal(bind(f, FX_ECHO_MP, 1, 0, 0x1), 0);
}

static void test_bind_pending_denied(void **state)
{
	struct fx *f = *state;
	struct ffamed_sp *up = sp_of(f, FX_ECHO_UP);

	assert_int_equal(create(f, 1, 2), 0);
	assert_int_equal(bind(f, FX_ECHO_UP, 1, 0, 0x1), 0);
	assert_int_equal(bind(f, FX_ECHO_UP, 1, FFA_NOTIF_FLAG_PER_VCPU, 0x2), 0);
	assert_int_equal(ffamed_sp_notification_set(up, 1, 0, 0x1), 0);
	assert_int_equal(
		ffamed_sp_notification_set(up, 1, FFA_NOTIF_FLAG_PER_VCPU | (1u << 16), 0x2), 0);
	/* Pending bits cannot be rebound or unbound, global or per-vCPU. */
	assert_int_equal(bind(f, FX_ECHO_UP, 1, 0, 0x1), FFA_RET_DENIED);
	assert_int_equal(bind(f, FX_ECHO_UP, 1, 0, 0x6), FFA_RET_DENIED);
	assert_int_equal(unbind(f, FX_ECHO_UP, 1, 0x1), FFA_RET_DENIED);
	assert_int_equal(unbind(f, FX_ECHO_UP, 1, 0x2), FFA_RET_DENIED);
	/* Collected on vCPU 0: the global bit only. */
	assert_int_equal(get(f, 1, 0), 0x1);
	assert_int_equal(unbind(f, FX_ECHO_UP, 1, 0x1), 0);
	assert_int_equal(unbind(f, FX_ECHO_UP, 1, 0x2), FFA_RET_DENIED);
	assert_int_equal(get(f, 1, 1), 0x2);
	assert_int_equal(unbind(f, FX_ECHO_UP, 1, 0x2), 0);
}

/* ---- SP -> VM: set, get, SRI ------------------------------------------------ */

static void test_sp_set_vm_get(void **state)
{
	struct fx *f = *state;
	struct ffamed_sp *up = sp_of(f, FX_ECHO_UP);
	struct ffamed_sp *mp = sp_of(f, FX_ECHO_MP);
	uint32_t pv2 = FFA_NOTIF_FLAG_PER_VCPU | (2u << FFA_NOTIF_SET_VCPU_SHIFT);

	assert_int_equal(create(f, 1, 4), 0);
	assert_int_equal(bind(f, FX_ECHO_UP, 1, 0, 0x1 | BIT(63)), 0);
	assert_int_equal(bind(f, FX_ECHO_UP, 1, FFA_NOTIF_FLAG_PER_VCPU, 0x100), 0);
	assert_int_equal(bind(f, FX_ECHO_MP, 1, 0, 0x10000), 0);

	assert_int_equal(ffamed_sp_notification_set_on(up, 3, 1, 0, 0x1), 0);
	assert_int_equal(sri(f), 1);
	assert_int_equal(atomic_load(&f->sri_per_cpu[3]), 1);
	assert_int_equal(ffamed_spmc_notif_pending(f->spmc, 1, false, 0), 0x1);
	/* Setting a pending bit again is fine and raises the SRI again. */
	assert_int_equal(ffamed_sp_notification_set(up, 1, 0, 0x1 | BIT(63)), 0);
	assert_int_equal(sri(f), 2);
	assert_int_equal(atomic_load(&f->sri_per_cpu[0]), 1);
	assert_int_equal(ffamed_sp_notification_set_on(up, 5, 1, pv2, 0x100), 0);
	assert_int_equal(ffamed_sp_notification_set_on(mp, 1, 1, 0, 0x10000), 0);
	assert_int_equal(sri(f), 4);
	assert_int_equal(ffamed_spmc_notif_pending(f->spmc, 1, true, 2), 0x100);

	/* vCPU 1 collects the global bits (from both SPs), not vCPU 2's. */
	assert_int_equal(get(f, 1, 1), 0x1 | 0x10000 | BIT(63));
	assert_int_equal(get(f, 1, 1), 0);
	assert_int_equal(get(f, 1, 3), 0);
	assert_int_equal(get(f, 1, 2), 0x100);
	assert_int_equal(get(f, 1, 2), 0);
	assert_int_equal(sri(f), 4);
	assert_int_equal(ffamed_spmc_call_count(f->spmc, FFA_NOTIFICATION_GET), 5);
}

static void test_sp_set_bad(void **state)
{
	struct fx *f = *state;
	struct ffamed_sp *up = sp_of(f, FX_ECHO_UP);
	struct ffamed_sp *mp = sp_of(f, FX_ECHO_MP);
	uint32_t pv = FFA_NOTIF_FLAG_PER_VCPU;

	assert_int_equal(create(f, 1, 2), 0);
	assert_int_equal(bind(f, FX_ECHO_UP, 1, 0, 0x1), 0);
	assert_int_equal(bind(f, FX_ECHO_UP, 1, pv, 0x2), 0);

	assert_int_equal(ffamed_sp_notification_set(up, 1, 0, 0x4), FFA_RET_DENIED);
	assert_int_equal(ffamed_sp_notification_set(up, 1, 0, 0x5), FFA_RET_DENIED);
	assert_int_equal(ffamed_sp_notification_set(mp, 1, 0, 0x1), FFA_RET_DENIED);
	/* The per-vCPU flag must match how each bit was bound: a bound bit set
	 * as the other kind is a bad parameter, an unbound one is DENIED. */
	assert_int_equal(ffamed_sp_notification_set(up, 1, pv, 0x1), FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(ffamed_sp_notification_set(up, 1, 0, 0x2), FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(ffamed_sp_notification_set(up, 1, pv, 0x3), FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(ffamed_sp_notification_set(up, 1, 0, 0x6), FFA_RET_DENIED);
	assert_int_equal(ffamed_sp_notification_set(up, 2, 0, 0x1), FFA_RET_DENIED);
	assert_int_equal(ffamed_sp_notification_set(up, 1, pv | (2u << 16), 0x2),
			 FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(ffamed_sp_notification_set(up, 1, 1u << 16, 0x1),
			 FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(ffamed_sp_notification_set(up, 1, 0x4, 0x1), FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(ffamed_sp_notification_set(up, 1, 0x8000, 0x1),
			 FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(ffamed_sp_notification_set(up, 1, 0, 0), FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(ffamed_sp_notification_set(up, FX_ECHO_MP, 0, 0x1),
			 FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(ffamed_sp_notification_set_on(up, FX_CPUS, 1, 0, 0x1),
			 FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(sri(f), 0);
	assert_int_equal(ffamed_spmc_notif_pending(f->spmc, 1, false, 0), 0);
	assert_int_equal(ffamed_spmc_notif_pending(f->spmc, 1, true, 1), 0);
	/* The good ones, for contrast. */
	assert_int_equal(ffamed_sp_notification_set(up, 1, pv | (1u << 16), 0x2), 0);
	assert_int_equal(ffamed_sp_notification_set(up, 1, 0, 0x1), 0);
	assert_int_equal(sri(f), 2);
}

static void test_get_bad(void **state)
{
	struct fx *f = *state;
	struct ffamed_sp *up = sp_of(f, FX_ECHO_UP);
	struct ffamed_regs r;

	assert_int_equal(create(f, 1, 2), 0);
	assert_int_equal(bind(f, FX_ECHO_UP, 1, 0, 0x1), 0);
	assert_int_equal(ffamed_sp_notification_set(up, 1, 0, 0x1), 0);

	/* VM and hypervisor-framework classes are the hypervisor's. */
	fx_assert_error((struct ffamed_regs[]){get_raw(f, 1, 0, FFA_NOTIF_GET_VM)},
			FFA_RET_INVALID_PARAMETERS);
	fx_assert_error(
		(struct ffamed_regs[]){get_raw(f, 1, 0, FFA_NOTIF_GET_SP | FFA_NOTIF_GET_VM)},
		FFA_RET_INVALID_PARAMETERS);
	fx_assert_error((struct ffamed_regs[]){get_raw(f, 1, 0, FFA_NOTIF_GET_HYP_FWK)},
			FFA_RET_INVALID_PARAMETERS);
	fx_assert_error((struct ffamed_regs[]){get_raw(f, 1, 0, FFA_NOTIF_GET_SP | 0x10)},
			FFA_RET_INVALID_PARAMETERS);
	fx_assert_error((struct ffamed_regs[]){get_raw(f, 1, 2, FFA_NOTIF_GET_SP)},
			FFA_RET_INVALID_PARAMETERS);
	fx_assert_error((struct ffamed_regs[]){get_raw(f, 2, 0, FFA_NOTIF_GET_SP)},
			FFA_RET_INVALID_PARAMETERS);
	fx_assert_error((struct ffamed_regs[]){get_raw(f, FX_ECHO_UP, 0, FFA_NOTIF_GET_SP)},
			FFA_RET_INVALID_PARAMETERS);
	r = fx_call(f, 0, FFA_NOTIFICATION_GET, 1, FFA_NOTIF_GET_SP, 1, 0, 0, 0, 0);
	fx_assert_error(&r, FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(ffamed_spmc_notif_pending(f->spmc, 1, false, 0), 0x1);

	/* Only the SPM framework class: nothing to report, nothing cleared. */
	r = get_raw(f, 1, 0, FFA_NOTIF_GET_SPM_FWK);
	fx_assert_success(&r);
	for (int i = 1; i < FFA_NREGS; i++)
		assert_int_equal(r.x[i], 0);
	r = get_raw(f, 1, 0, 0);
	fx_assert_success(&r);
	assert_int_equal(r.x[2], 0);
	assert_int_equal(ffamed_spmc_notif_pending(f->spmc, 1, false, 0), 0x1);
	r = get_raw(f, 1, 1, FFA_NOTIF_GET_SP | FFA_NOTIF_GET_SPM_FWK);
	fx_assert_success(&r);
	assert_int_equal(r.x[2], 0x1);
	assert_int_equal(r.x[6], 0);
}

static void test_delayed_sri(void **state)
{
	struct fx *f = *state;
	struct ffamed_sp *up = sp_of(f, FX_ECHO_UP);
	struct ffamed_regs r;

	assert_int_equal(create(f, 1, 1), 0);
	assert_int_equal(bind(f, FX_ECHO_UP, 1, 0, 0x3), 0);
	assert_int_equal(ffamed_sp_notification_set(up, 1, FFA_NOTIF_SET_DELAY_SRI, 0x1), 0);
	assert_int_equal(ffamed_sp_notification_set(up, 1, FFA_NOTIF_SET_DELAY_SRI, 0x2), 0);
	assert_int_equal(sri(f), 0);
	assert_int_equal(ffamed_spmc_notif_pending(f->spmc, 1, false, 0), 0x3);
	/* A refused set does not arm it. */
	assert_int_equal(ffamed_sp_notification_set(up, 1, FFA_NOTIF_SET_DELAY_SRI, 0x4),
			 FFA_RET_DENIED);
	/* Raised once, when the SP next gives its CPU back. */
	r = fx_call(f, 5, FFA_MSG_SEND_DIRECT_REQ_32, FFA_SENDER_RECEIVER(1, FX_ECHO_UP), 0,
		    FFAMED_ECHO_CMD_WHOAMI, 0, 0, 0, 0);
	assert_int_equal(r.x[0], FFA_MSG_SEND_DIRECT_RESP_32);
	assert_int_equal(sri(f), 1);
	assert_int_equal(atomic_load(&f->sri_per_cpu[5]), 1);
	r = fx_call(f, 5, FFA_MSG_SEND_DIRECT_REQ_32, FFA_SENDER_RECEIVER(1, FX_ECHO_UP), 0,
		    FFAMED_ECHO_CMD_WHOAMI, 0, 0, 0, 0);
	assert_int_equal(sri(f), 1);
	/* Another SP's handler does not fire it. */
	assert_int_equal(ffamed_sp_notification_set(up, 1, FFA_NOTIF_SET_DELAY_SRI, 0x1), 0);
	fx_call(f, 2, FFA_MSG_SEND_DIRECT_REQ_32, FFA_SENDER_RECEIVER(1, FX_ECHO_MP), 0,
		FFAMED_ECHO_CMD_WHOAMI, 0, 0, 0, 0);
	assert_int_equal(sri(f), 1);
	/* A preempted handler also gives the CPU back. */
	r = fx_call(f, 4, FFA_MSG_SEND_DIRECT_REQ_32, FFA_SENDER_RECEIVER(1, FX_ECHO_UP), 0,
		    FFAMED_ECHO_CMD_INTERRUPT, 1, 0, 0, 0);
	assert_int_equal(r.x[0], FFA_INTERRUPT);
	assert_int_equal(sri(f), 2);
	assert_int_equal(atomic_load(&f->sri_per_cpu[4]), 1);
	r = fx_call(f, 4, FFA_RUN, r.x[1], 0, 0, 0, 0, 0, 0);
	assert_int_equal(r.x[0], FFA_MSG_SEND_DIRECT_RESP_32);
	assert_int_equal(sri(f), 2);
	assert_int_equal(get(f, 1, 0), 0x3);
}

static void test_no_sri_callback(void **state)
{
	struct fx *f = fx_new();

	(void)state;
	f->env.raise_sri = NULL;
	assert_int_equal(fx_create(f, NULL), 0);
	assert_int_equal(fx_version(f, FFA_VERSION_1_2), FFA_VERSION_1_2);
	assert_int_equal(create(f, 1, 1), 0);
	assert_int_equal(bind(f, FX_ECHO_UP, 1, 0, 0x1), 0);
	assert_int_equal(ffamed_sp_notification_set(sp_of(f, FX_ECHO_UP), 1, 0, 0x1), 0);
	assert_int_equal(get(f, 1, 0), 0x1);
	fx_free(f);
}

/* ---- VM -> SP ------------------------------------------------------------------- */

static void test_vm_set_sp_get(void **state)
{
	struct fx *f = *state;
	struct ffamed_sp *up = sp_of(f, FX_ECHO_UP);
	struct ffamed_sp *mp = sp_of(f, FX_ECHO_MP);
	uint64_t got = 0xdead;

	/* No bitmap needed for a VM sender; ID 0 may send too. */
	assert_int_equal(ffamed_sp_notification_bind(up, 5, 0, 0x1 | BIT(62)), 0);
	assert_int_equal(ffamed_sp_notification_bind(up, 0, 0, 0x2), 0);
	assert_int_equal(ffamed_sp_notification_bind(mp, 5, FFA_NOTIF_FLAG_PER_VCPU, 0x4), 0);
	assert_int_equal(ffamed_spmc_notif_bound(f->spmc, FX_ECHO_UP, 5, NULL), 0x1 | BIT(62));

	assert_int_equal(vm_set(f, 5, FX_ECHO_UP, 0, 0x1 | BIT(62)), 0);
	assert_int_equal(vm_set(f, 0, FX_ECHO_UP, 0, 0x2), 0);
	assert_int_equal(vm_set(f, 5, FX_ECHO_MP, FFA_NOTIF_FLAG_PER_VCPU | (2u << 16), 0x4), 0);
	/* The scheduler learns through INFO_GET, not an SRI. */
	assert_int_equal(sri(f), 0);
	assert_int_equal(ffamed_spmc_notif_pending(f->spmc, FX_ECHO_UP, false, 0), 0x3 | BIT(62));

	assert_int_equal(ffamed_sp_notification_get(up, 0, &got), 0);
	assert_int_equal(got, 0x3 | BIT(62));
	assert_int_equal(ffamed_sp_notification_get(up, 0, &got), 0);
	assert_int_equal(got, 0);
	assert_int_equal(ffamed_sp_notification_get(mp, 1, &got), 0);
	assert_int_equal(got, 0);
	assert_int_equal(ffamed_sp_notification_get(mp, 2, &got), 0);
	assert_int_equal(got, 0x4);

	/* SET from the normal world: bad inputs. */
	assert_int_equal(vm_set(f, 5, FX_ECHO_UP, FFA_NOTIF_SET_DELAY_SRI, 0x1),
			 FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(vm_set(f, FX_ECHO_MP, FX_ECHO_UP, 0, 0x1), FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(vm_set(f, 5, 3, 0, 0x1), FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(vm_set(f, 5, 0x8009, 0, 0x1), FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(vm_set(f, 5, FX_ECHO_UP, 0, 0), FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(vm_set(f, 5, FX_ECHO_UP, 0x10, 0x1), FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(vm_set(f, 5, FX_ECHO_UP, 1u << 16, 0x1), FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(vm_set(f, 5, FX_ECHO_MP,
				FFA_NOTIF_FLAG_PER_VCPU | (FX_MP_CTX << FFA_NOTIF_SET_VCPU_SHIFT),
				0x4),
			 FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(vm_set(f, 5, FX_ECHO_UP, FFA_NOTIF_FLAG_PER_VCPU | (1u << 16), 0x1),
			 FFA_RET_INVALID_PARAMETERS);
	fx_assert_error((struct ffamed_regs[]){fx_call(f, 0, FFA_NOTIFICATION_SET,
						       FFA_SENDER_RECEIVER(5, FX_ECHO_UP), 0, 1, 0,
						       0, 1, 0)},
			FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(vm_set(f, 5, FX_ECHO_UP, 0, 0x4), FFA_RET_DENIED);
	assert_int_equal(vm_set(f, 6, FX_ECHO_UP, 0, 0x1), FFA_RET_DENIED);
	assert_int_equal(vm_set(f, 5, FX_ECHO_UP, 0, 0x3), FFA_RET_DENIED);
	assert_int_equal(vm_set(f, 5, FX_ECHO_UP, FFA_NOTIF_FLAG_PER_VCPU, 0x1),
			 FFA_RET_INVALID_PARAMETERS);
	/* Bound per-vCPU, set as global (ACS notification_set). */
	assert_int_equal(vm_set(f, 5, FX_ECHO_MP, 0, 0x4), FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(ffamed_spmc_notif_pending(f->spmc, FX_ECHO_MP, false, 0), 0);
	/* An SP that takes no notifications. */
	assert_int_equal(vm_set(f, 5, FX_REQ2_ONLY, 0, 0x1), FFA_RET_DENIED);
	assert_int_equal(vm_set(f, 5, FX_REQ2_ONLY, FFA_NOTIF_FLAG_PER_VCPU | (1u << 16), 0x1),
			 FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(vm_set(f, 5, FX_OPTEE, 0, 0x1), FFA_RET_DENIED);
	assert_int_equal(ffamed_spmc_notif_pending(f->spmc, FX_ECHO_UP, false, 0), 0);
	assert_int_equal(ffamed_spmc_call_count(f->spmc, FFA_NOTIFICATION_SET), 21);
}

static void test_sp_api_bad(void **state)
{
	struct fx *f = *state;
	struct ffamed_sp *up = sp_of(f, FX_ECHO_UP);
	struct ffamed_sp *none = sp_of(f, FX_REQ2_ONLY);
	uint64_t got;

	assert_int_equal(ffamed_sp_notification_bind(none, 5, 0, 0x1), FFA_RET_NOT_SUPPORTED);
	assert_int_equal(ffamed_sp_notification_unbind(none, 5, 0x1), FFA_RET_NOT_SUPPORTED);
	assert_int_equal(ffamed_sp_notification_get(none, 0, &got), FFA_RET_NOT_SUPPORTED);
	assert_int_equal(ffamed_sp_notification_get(up, 1, &got), FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(ffamed_sp_notification_get(up, 0, NULL), FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(ffamed_sp_notification_bind(up, 0x8002, 0, 0x1),
			 FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(ffamed_sp_notification_bind(up, 5, 0x2, 0x1), FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(ffamed_sp_notification_bind(up, 5, 0, 0), FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(ffamed_sp_notification_unbind(up, 5, 0), FFA_RET_INVALID_PARAMETERS);

	assert_int_equal(ffamed_sp_notification_bind(up, 5, 0, 0x1), 0);
	assert_int_equal(ffamed_sp_notification_bind(up, 6, 0, 0x3), FFA_RET_DENIED);
	assert_int_equal(ffamed_sp_notification_unbind(up, 6, 0x1), FFA_RET_DENIED);
	assert_int_equal(ffamed_sp_notification_unbind(up, 5, 0x3), FFA_RET_DENIED);
	assert_int_equal(vm_set(f, 5, FX_ECHO_UP, 0, 0x1), 0);
	assert_int_equal(ffamed_sp_notification_bind(up, 5, FFA_NOTIF_FLAG_PER_VCPU, 0x1),
			 FFA_RET_DENIED);
	assert_int_equal(ffamed_sp_notification_unbind(up, 5, 0x1), FFA_RET_DENIED);
	assert_int_equal(ffamed_sp_notification_get(up, 0, &got), 0);
	assert_int_equal(got, 0x1);
	assert_int_equal(ffamed_sp_notification_unbind(up, 5, 0x1), 0);
	assert_int_equal(vm_set(f, 5, FX_ECHO_UP, 0, 0x1), FFA_RET_DENIED);
	assert_int_equal(ffamed_sp_notification_bind(up, 6, 0, 0x1), 0);
}

/* ---- INFO_GET ------------------------------------------------------------------- */

static struct ffamed_regs info(struct fx *f, bool is64)
{
	return FX_CALL0(f, is64 ? FFA_NOTIFICATION_INFO_GET_64 : FFA_NOTIFICATION_INFO_GET_32);
}

static void test_info_get_no_data(void **state)
{
	struct fx *f = *state;
	struct ffamed_regs r;

	fx_assert_error((struct ffamed_regs[]){info(f, false)}, FFA_RET_NO_DATA);
	fx_assert_error((struct ffamed_regs[]){info(f, true)}, FFA_RET_NO_DATA);
	assert_int_equal(create(f, 1, 2), 0);
	assert_int_equal(bind(f, FX_ECHO_UP, 1, 0, 0x1), 0);
	fx_assert_error((struct ffamed_regs[]){info(f, true)}, FFA_RET_NO_DATA);
	/* No inputs. SMC32 ignores upper halves, SMC64 does not. */
	r = fx_call(f, 0, FFA_NOTIFICATION_INFO_GET_32, 1, 0, 0, 0, 0, 0, 0);
	fx_assert_error(&r, FFA_RET_INVALID_PARAMETERS);
	r = fx_call(f, 0, FFA_NOTIFICATION_INFO_GET_64, 0, 0, 0, 0, 0, 0, 1ull << 32);
	fx_assert_error(&r, FFA_RET_INVALID_PARAMETERS);
	r = fx_call(f, 0, FFA_NOTIFICATION_INFO_GET_32, 1ull << 32, 0, 0, 0, 0, 0, 0);
	fx_assert_error(&r, FFA_RET_NO_DATA);
	assert_int_equal(ffamed_spmc_call_count(f->spmc, FFA_NOTIFICATION_INFO_GET_32), 3);
	assert_int_equal(ffamed_spmc_call_count(f->spmc, FFA_NOTIFICATION_INFO_GET_64), 3);
}

/*
 * The reference's worked example: lists {0x0000: 0,2,3}, {0x0000: 4,6},
 * {0x0002}, {0x0003: 1}. VM 0's per-vCPU notifications on vCPUs 0,2,3,4,6,
 * a global one for VM 2, a per-vCPU one on vCPU 1 of VM 3.
 */
static void build_worked_example(struct fx *f)
{
	struct ffamed_sp *up = sp_of(f, FX_ECHO_UP);
	static const uint16_t vcpus0[] = {6, 0, 3, 4, 2};

	for (size_t i = 0; i < sizeof(vcpus0) / sizeof(vcpus0[0]); i++)
		assert_int_equal(
			ffamed_sp_notification_set(
				up, 0, FFA_NOTIF_FLAG_PER_VCPU | ((uint32_t)vcpus0[i] << 16), 0x1),
			0);
	assert_int_equal(ffamed_sp_notification_set(up, 2, 0, 0x1), 0);
	assert_int_equal(
		ffamed_sp_notification_set(up, 3, FFA_NOTIF_FLAG_PER_VCPU | (1u << 16), 0x1), 0);
}

static void drain_worked_example(struct fx *f)
{
	for (uint16_t v = 0; v < 8; v++)
		get(f, 0, v);
	assert_int_equal(get(f, 2, 0), 0x1);
	assert_int_equal(get(f, 3, 1), 0x1);
}

static void test_info_get_worked_example(void **state)
{
	struct fx *f = *state;
	struct ffamed_regs r;

	/* Created out of order: the listing is by VM ID. */
	assert_int_equal(create(f, 3, 2), 0);
	assert_int_equal(create(f, 2, 1), 0);
	assert_int_equal(create(f, 0, 8), 0);
	assert_int_equal(bind(f, FX_ECHO_UP, 0, FFA_NOTIF_FLAG_PER_VCPU, 0x1), 0);
	assert_int_equal(bind(f, FX_ECHO_UP, 2, 0, 0x1), 0);
	assert_int_equal(bind(f, FX_ECHO_UP, 3, FFA_NOTIF_FLAG_PER_VCPU, 0x1), 0);

	build_worked_example(f);
	r = info(f, false);
	assert_int_equal(r.x[0], FFA_SUCCESS_32);
	assert_int_equal(r.x[1], 0);
	assert_int_equal(r.x[2], 0x0004B200);
	assert_int_equal(r.x[3], 0x00000000);
	assert_int_equal(r.x[4], 0x00030002);
	assert_int_equal(r.x[5], 0x00040000);
	assert_int_equal(r.x[6], 0x00020006);
	assert_int_equal(r.x[7], 0x00010003);
	for (int i = 8; i < FFA_NREGS; i++)
		assert_int_equal(r.x[i], 0);
	/* Reported once. */
	fx_assert_error((struct ffamed_regs[]){info(f, false)}, FFA_RET_NO_DATA);
	fx_assert_error((struct ffamed_regs[]){info(f, true)}, FFA_RET_NO_DATA);
	drain_worked_example(f);

	build_worked_example(f);
	r = info(f, true);
	assert_int_equal(r.x[0], FFA_SUCCESS_64);
	assert_int_equal(r.x[1], 0);
	assert_int_equal(r.x[2], 0x0004B200);
	assert_int_equal(r.x[3], 0x0003000200000000ull);
	assert_int_equal(r.x[4], 0x0002000600040000ull);
	assert_int_equal(r.x[5], 0x0000000000010003ull);
	for (int i = 6; i < FFA_NREGS; i++)
		assert_int_equal(r.x[i], 0);
	fx_assert_error((struct ffamed_regs[]){info(f, true)}, FFA_RET_NO_DATA);
	drain_worked_example(f);
	fx_assert_error((struct ffamed_regs[]){info(f, true)}, FFA_RET_NO_DATA);
}

/* Decodes one INFO_GET reply into (endpoint, vCPU count, vCPUs) lists. */
struct decoded {
	uint32_t lists;
	bool more;
	uint16_t ep[20];
	uint32_t nv[20];
	uint16_t vcpu[20][3];
};

static void decode(const struct ffamed_regs *r, bool is64, struct decoded *d)
{
	uint32_t per_reg = is64 ? 4 : 2;
	uint32_t id = 0;

	memset(d, 0, sizeof(*d));
	assert_int_equal(r->x[0], is64 ? FFA_SUCCESS_64 : FFA_SUCCESS_32);
	d->more = r->x[2] & FFA_NOTIF_INFO_MORE_PENDING;
	d->lists = (r->x[2] >> FFA_NOTIF_INFO_LIST_COUNT_SHIFT) & FFA_NOTIF_INFO_LIST_COUNT_MASK;
	assert_true(d->lists <= (is64 ? 20u : 10u));
	for (uint32_t l = 0; l < d->lists; l++) {
		d->nv[l] = (r->x[2] >> FFA_NOTIF_INFO_LIST_SIZE_SHIFT(l)) & 3;
		for (uint32_t k = 0; k <= d->nv[l]; k++, id++) {
			uint16_t v = (uint16_t)(r->x[3 + id / per_reg] >> (16 * (id % per_reg)));

			if (k == 0)
				d->ep[l] = v;
			else
				d->vcpu[l][k - 1] = v;
		}
	}
	assert_true(id <= (is64 ? 20u : 10u));
}

static void test_info_get_more_pending(void **state)
{
	struct fx *f = *state;
	struct ffamed_sp *up = sp_of(f, FX_ECHO_UP);
	struct decoded d;

	for (int is64 = 0; is64 < 2; is64++) {
		uint16_t n = is64 ? 23 : 12;
		uint32_t max = is64 ? 20 : 10;

		for (uint16_t vm = 1; vm <= n; vm++) {
			assert_int_equal(create(f, vm, 1), 0);
			assert_int_equal(bind(f, FX_ECHO_UP, vm, 0, 0x1), 0);
			assert_int_equal(ffamed_sp_notification_set(up, vm, 0, 0x1), 0);
		}
		decode((struct ffamed_regs[]){info(f, is64)}, is64, &d);
		assert_true(d.more);
		assert_int_equal(d.lists, max);
		for (uint32_t l = 0; l < max; l++) {
			assert_int_equal(d.ep[l], l + 1);
			assert_int_equal(d.nv[l], 0);
		}
		decode((struct ffamed_regs[]){info(f, is64)}, is64, &d);
		assert_false(d.more);
		assert_int_equal(d.lists, n - max);
		for (uint32_t l = 0; l < d.lists; l++)
			assert_int_equal(d.ep[l], max + 1 + l);
		fx_assert_error((struct ffamed_regs[]){info(f, is64)}, FFA_RET_NO_DATA);
		for (uint16_t vm = 1; vm <= n; vm++) {
			assert_int_equal(get(f, vm, 0), 0x1);
			assert_int_equal(destroy(f, vm), 0);
		}
	}

	/* A list that does not fit waits whole for the next call: VMs 1..7
	 * and 9 have a global bit pending, VM 8 per-vCPU bits on vCPUs 0..2
	 * (a 4-ID list, with room for 3 after VMs 1..7). */
	for (uint16_t vm = 1; vm <= 9; vm++) {
		assert_int_equal(create(f, vm, 4), 0);
		assert_int_equal(bind(f, FX_ECHO_UP, vm, 0, 0x1), 0);
		assert_int_equal(bind(f, FX_ECHO_UP, vm, FFA_NOTIF_FLAG_PER_VCPU, 0x2), 0);
		if (vm != 8) {
			assert_int_equal(ffamed_sp_notification_set(up, vm, 0, 0x1), 0);
			continue;
		}
		for (uint16_t v = 0; v < 3; v++)
			assert_int_equal(
				ffamed_sp_notification_set(
					up, vm, FFA_NOTIF_FLAG_PER_VCPU | ((uint32_t)v << 16), 0x2),
				0);
	}
	decode((struct ffamed_regs[]){info(f, false)}, false, &d);
	assert_true(d.more);
	assert_int_equal(d.lists, 7);
	decode((struct ffamed_regs[]){info(f, false)}, false, &d);
	assert_false(d.more);
	assert_int_equal(d.lists, 2);
	assert_int_equal(d.ep[0], 8);
	assert_int_equal(d.nv[0], 3);
	assert_int_equal(d.vcpu[0][0], 0);
	assert_int_equal(d.vcpu[0][1], 1);
	assert_int_equal(d.vcpu[0][2], 2);
	assert_int_equal(d.ep[1], 9);
	assert_int_equal(d.nv[1], 0);
	fx_assert_error((struct ffamed_regs[]){info(f, false)}, FFA_RET_NO_DATA);
}

static void test_info_get_relisting_and_sps(void **state)
{
	struct fx *f = *state;
	struct ffamed_sp *up = sp_of(f, FX_ECHO_UP);
	struct ffamed_sp *mp = sp_of(f, FX_ECHO_MP);
	struct decoded d;
	uint64_t got;

	assert_int_equal(create(f, 1, 2), 0);
	assert_int_equal(bind(f, FX_ECHO_UP, 1, 0, 0x3), 0);
	assert_int_equal(ffamed_sp_notification_set(up, 1, 0, 0x1), 0);
	decode((struct ffamed_regs[]){info(f, true)}, true, &d);
	assert_int_equal(d.lists, 1);
	assert_int_equal(d.ep[0], 1);
	fx_assert_error((struct ffamed_regs[]){info(f, true)}, FFA_RET_NO_DATA);
	/* The same bit again is not news; another one is. */
	assert_int_equal(ffamed_sp_notification_set(up, 1, 0, 0x1), 0);
	fx_assert_error((struct ffamed_regs[]){info(f, true)}, FFA_RET_NO_DATA);
	assert_int_equal(ffamed_sp_notification_set(up, 1, 0, 0x2), 0);
	decode((struct ffamed_regs[]){info(f, false)}, false, &d);
	assert_int_equal(d.lists, 1);
	assert_int_equal(d.ep[0], 1);
	/* After a GET, the same bit is news again. */
	assert_int_equal(get(f, 1, 1), 0x3);
	assert_int_equal(ffamed_sp_notification_set(up, 1, 0, 0x1), 0);
	decode((struct ffamed_regs[]){info(f, false)}, false, &d);
	assert_int_equal(d.lists, 1);
	assert_int_equal(get(f, 1, 0), 0x1);

	/* SPs with notifications from VMs: the scheduler should run them. */
	assert_int_equal(ffamed_sp_notification_bind(up, 4, 0, 0x1), 0);
	assert_int_equal(ffamed_sp_notification_bind(mp, 4, FFA_NOTIF_FLAG_PER_VCPU, 0x1), 0);
	assert_int_equal(vm_set(f, 4, FX_ECHO_MP, FFA_NOTIF_FLAG_PER_VCPU | (3u << 16), 0x1), 0);
	assert_int_equal(vm_set(f, 4, FX_ECHO_MP, FFA_NOTIF_FLAG_PER_VCPU | (1u << 16), 0x1), 0);
	assert_int_equal(vm_set(f, 4, FX_ECHO_UP, 0, 0x1), 0);
	assert_int_equal(ffamed_sp_notification_set(up, 1, 0, 0x2), 0);
	decode((struct ffamed_regs[]){info(f, true)}, true, &d);
	assert_false(d.more);
	assert_int_equal(d.lists, 3);
	assert_int_equal(d.ep[0], 1);
	assert_int_equal(d.nv[0], 0);
	assert_int_equal(d.ep[1], FX_ECHO_UP);
	assert_int_equal(d.nv[1], 0);
	assert_int_equal(d.ep[2], FX_ECHO_MP);
	assert_int_equal(d.nv[2], 2);
	assert_int_equal(d.vcpu[2][0], 1);
	assert_int_equal(d.vcpu[2][1], 3);
	assert_int_equal(ffamed_sp_notification_get(mp, 1, &got), 0);
	assert_int_equal(got, 0x1);
	fx_assert_error((struct ffamed_regs[]){info(f, true)}, FFA_RET_NO_DATA);
	assert_int_equal(vm_set(f, 4, FX_ECHO_MP, FFA_NOTIF_FLAG_PER_VCPU | (1u << 16), 0x1), 0);
	decode((struct ffamed_regs[]){info(f, true)}, true, &d);
	assert_int_equal(d.lists, 1);
	assert_int_equal(d.ep[0], FX_ECHO_MP);
	assert_int_equal(d.nv[0], 1);
	assert_int_equal(d.vcpu[0][0], 1);
}

/* ---- DESTROY and what it takes with it ---------------------------------------------- */

static void test_destroy_pending_and_bindings(void **state)
{
	struct fx *f = *state;
	struct ffamed_sp *up = sp_of(f, FX_ECHO_UP);

	assert_int_equal(create(f, 1, 2), 0);
	assert_int_equal(bind(f, FX_ECHO_UP, 1, 0, 0x1), 0);
	assert_int_equal(bind(f, FX_ECHO_MP, 1, FFA_NOTIF_FLAG_PER_VCPU, 0x2), 0);
	assert_int_equal(ffamed_sp_notification_set(up, 1, 0, 0x1), 0);
	assert_int_equal(destroy(f, 1), FFA_RET_DENIED);
	assert_int_equal(get(f, 1, 0), 0x1);
	assert_int_equal(ffamed_sp_notification_set(sp_of(f, FX_ECHO_MP), 1,
						    FFA_NOTIF_FLAG_PER_VCPU | (1u << 16), 0x2),
			 0);
	/* Listed or not, pending per-vCPU bits also keep it. */
	decode((struct ffamed_regs[]){info(f, true)}, true, &(struct decoded){0});
	assert_int_equal(destroy(f, 1), FFA_RET_DENIED);
	assert_int_equal(get(f, 1, 1), 0x2);
	/* An SP's own bindings to receive from the VM stay. */
	assert_int_equal(ffamed_sp_notification_bind(up, 1, 0, 0x8), 0);
	/* Live bindings do not keep it. */
	assert_int_equal(destroy(f, 1), 0);
	fx_assert_error((struct ffamed_regs[]){info(f, true)}, FFA_RET_NO_DATA);
	assert_int_equal(ffamed_sp_notification_set(up, 1, 0, 0x1), FFA_RET_DENIED);
	assert_int_equal(create(f, 1, 2), 0);
	assert_int_equal(ffamed_spmc_notif_bound(f->spmc, 1, FX_ECHO_UP, NULL), 0);
	assert_int_equal(ffamed_spmc_notif_bound(f->spmc, 1, FX_ECHO_MP, NULL), 0);
	assert_int_equal(ffamed_sp_notification_set(up, 1, 0, 0x1), FFA_RET_DENIED);
	assert_int_equal(ffamed_spmc_notif_bound(f->spmc, FX_ECHO_UP, 1, NULL), 0x8);
	assert_int_equal(vm_set(f, 1, FX_ECHO_UP, 0, 0x8), 0);
	assert_int_equal(sri(f), 2);
}

/* ---- The ECHO SP's commands, driven as a guest would ------------------------------ */

static struct ffamed_regs echo32(struct fx *f, uint32_t cpu, uint16_t vm, uint16_t sp, uint32_t cmd,
				 uint32_t flags, uint64_t bitmap)
{
	return fx_call(f, cpu, FFA_MSG_SEND_DIRECT_REQ_32, FFA_SENDER_RECEIVER(vm, sp), 0, cmd,
		       flags, (uint32_t)bitmap, (uint32_t)(bitmap >> 32), 0);
}

static void test_echo_notif_commands(void **state)
{
	struct fx *f = *state;
	struct ffamed_regs r;

	assert_int_equal(create(f, 7, 2), 0);
	assert_int_equal(bind(f, FX_ECHO_MP, 7, 0, 0x8 | BIT(33)), 0);
	assert_int_equal(bind(f, FX_ECHO_MP, 7, FFA_NOTIF_FLAG_PER_VCPU, 0x10), 0);

	/* SP -> VM. */
	r = echo32(f, 1, 7, FX_ECHO_MP, FFAMED_ECHO_CMD_NOTIF_SET, 0, 0x8 | BIT(33));
	assert_int_equal(r.x[0], FFA_MSG_SEND_DIRECT_RESP_32);
	assert_int_equal(r.x[1], FFA_SENDER_RECEIVER(FX_ECHO_MP, 7));
	assert_int_equal(r.x[3], FFAMED_ECHO_CMD_NOTIF_SET);
	assert_int_equal(r.x[4], 0);
	assert_int_equal(sri(f), 1);
	assert_int_equal(atomic_load(&f->sri_per_cpu[1]), 1);
	r = echo32(f, 2, 7, FX_ECHO_MP, FFAMED_ECHO_CMD_NOTIF_SET,
		   FFA_NOTIF_FLAG_PER_VCPU | FFA_NOTIF_SET_DELAY_SRI | (1u << 16), 0x10);
	assert_int_equal(r.x[4], 0);
	assert_int_equal(sri(f), 2);
	assert_int_equal(atomic_load(&f->sri_per_cpu[2]), 1);
	r = echo32(f, 1, 7, FX_ECHO_MP, FFAMED_ECHO_CMD_NOTIF_SET, 0, 0x4);
	assert_int_equal(r.x[4], DENIED_W);
	r = echo32(f, 1, 7, FX_ECHO_MP, FFAMED_ECHO_CMD_NOTIF_SET, FFA_NOTIF_FLAG_PER_VCPU, 0x8);
	assert_int_equal(r.x[4], INVALID_W);
	r = echo32(f, 1, 7, FX_ECHO_MP, FFAMED_ECHO_CMD_NOTIF_SET, 0, 0x10);
	assert_int_equal(r.x[4], INVALID_W);
	r = echo32(f, 1, 8, FX_ECHO_MP, FFAMED_ECHO_CMD_NOTIF_SET, 0, 0x8);
	assert_int_equal(r.x[4], DENIED_W);
	assert_int_equal(sri(f), 2);
	assert_int_equal(get(f, 7, 0), 0x8 | BIT(33));
	assert_int_equal(get(f, 7, 1), 0x10);

	/* VM -> SP: the SP binds through the echo command, the VM sets
	 * through the hypervisor, the SP reports. */
	r = echo32(f, 3, 7, FX_ECHO_MP, FFAMED_ECHO_CMD_NOTIF_BIND, 0, BIT(32));
	assert_int_equal(r.x[4], 0);
	r = echo32(f, 3, 7, FX_ECHO_MP, FFAMED_ECHO_CMD_NOTIF_BIND, FFA_NOTIF_FLAG_PER_VCPU, 0x2);
	assert_int_equal(r.x[4], 0);
	r = echo32(f, 3, 9, FX_ECHO_MP, FFAMED_ECHO_CMD_NOTIF_BIND, 0, BIT(32));
	assert_int_equal(r.x[4], DENIED_W);
	assert_int_equal(vm_set(f, 7, FX_ECHO_MP, 0, BIT(32)), 0);
	assert_int_equal(vm_set(f, 7, FX_ECHO_MP, FFA_NOTIF_FLAG_PER_VCPU | (3u << 16), 0x2), 0);
	/* 64-bit request on CPU 2: context 2 gets the global bit only. */
	r = fx_call(f, 2, FFA_MSG_SEND_DIRECT_REQ_64, FFA_SENDER_RECEIVER(7, FX_ECHO_MP), 0,
		    FFAMED_ECHO_CMD_NOTIF_GET, 0, 0, 0, 0);
	assert_int_equal(r.x[0], FFA_MSG_SEND_DIRECT_RESP_64);
	assert_int_equal(r.x[3], FFAMED_ECHO_CMD_NOTIF_GET);
	assert_int_equal(r.x[4], 0);
	assert_int_equal(r.x[5], 0);
	assert_int_equal(r.x[6], 1);
	/* REQ2 on CPU 3: context 3's bit. */
	r = fx_call(f, 3, FFA_MSG_SEND_DIRECT_REQ2, FFA_SENDER_RECEIVER(7, FX_ECHO_MP), 0, 0,
		    FFAMED_ECHO_CMD_NOTIF_GET, 0, 0, 0);
	assert_int_equal(r.x[0], FFA_MSG_SEND_DIRECT_RESP2);
	assert_int_equal(r.x[4], FFAMED_ECHO_CMD_NOTIF_GET);
	assert_int_equal(r.x[5], 0);
	assert_int_equal(r.x[6], 0x2);
	assert_int_equal(r.x[7], 0);
	r = echo32(f, 3, 7, FX_ECHO_MP, FFAMED_ECHO_CMD_NOTIF_GET, 0, 0);
	assert_int_equal(r.x[5], 0);
	assert_int_equal(r.x[6], 0);
	r = echo32(f, 3, 7, FX_ECHO_MP, FFAMED_ECHO_CMD_NOTIF_UNBIND, 0, BIT(32));
	assert_int_equal(r.x[4], 0);
	assert_int_equal(vm_set(f, 7, FX_ECHO_MP, 0, BIT(32)), FFA_RET_DENIED);
	r = echo32(f, 3, 7, FX_ECHO_MP, FFAMED_ECHO_CMD_NOTIF_UNBIND, 0, BIT(32));
	assert_int_equal(r.x[4], DENIED_W);
	/* An SP without notifications answers NOT_SUPPORTED. */
	r = fx_call(f, 0, FFA_MSG_SEND_DIRECT_REQ2, FFA_SENDER_RECEIVER(7, FX_REQ2_ONLY), 0, 0,
		    FFAMED_ECHO_CMD_NOTIF_GET, 0, 0, 0);
	assert_int_equal(r.x[5], (uint32_t)FFA_RET_NOT_SUPPORTED);
	assert_int_equal(sri(f), 2);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup_v12, fx_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_bitmap_create_destroy),
		cmocka_unit_test(test_bitmap_capacity_and_config),
		T(test_bind_unbind),
		T(test_bind_pending_denied),
		T(test_sp_set_vm_get),
		T(test_sp_set_bad),
		T(test_get_bad),
		T(test_delayed_sri),
		cmocka_unit_test(test_no_sri_callback),
		T(test_vm_set_sp_get),
		T(test_sp_api_bad),
		T(test_info_get_no_data),
		T(test_info_get_worked_example),
		T(test_info_get_more_pending),
		T(test_info_get_relisting_and_sps),
		T(test_destroy_pending_and_bindings),
		T(test_echo_notif_commands),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
