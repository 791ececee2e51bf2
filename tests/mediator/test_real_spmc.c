/* SPDX-License-Identifier: MIT */
/*
 * The mediator against the software SPMC imitating each real SPMC
 * (docs/REAL-FIRMWARE.md): VM creation and teardown order, the decision on
 * forwarded RX/TX pairs, a VM without SP notifications, OP-TEE's direct
 * requests and memory.
 */
#include "mediator/med_internal.h"
#include "mem_builder.h"
#include "real_spmc.h"

#define NPI_BIT (1ull << 8)

static const enum ffamed_spmc_personality real_ones[] = {
	FFAMED_SPMC_OPTEE_NSVIRT,
	FFAMED_SPMC_OPTEE_PLAIN,
	FFAMED_SPMC_TFA_EL3,
};
#define REAL_COUNT (sizeof(real_ones) / sizeof(real_ones[0]))

static const uint32_t guest_notif_fids[] = {
	FFA_NOTIFICATION_BIND, FFA_NOTIFICATION_UNBIND,	     FFA_NOTIFICATION_SET,
	FFA_NOTIFICATION_GET,  FFA_NOTIFICATION_INFO_GET_32, FFA_NOTIFICATION_INFO_GET_64,
};
#define NOTIF_FID_COUNT (sizeof(guest_notif_fids) / sizeof(guest_notif_fids[0]))

static struct real_sps sps;

static struct fix *real_fix(enum ffamed_spmc_personality p, bool vm_to_vm, fix_fw_hook hook)
{
	struct fix_opts o = {.med_cfg = {.vm_to_vm = vm_to_vm}, .hook = hook};

	real_fix_opts(&o, &sps, p);
	return fix_create(&o);
}

static int32_t features(struct fix_vm *v, uint32_t id, uint32_t *w2)
{
	struct ffamed_regs r = fix_call(v, 0, FFA_FEATURES, id, 0, 0, 0, 0);

	if (w2)
		*w2 = (uint32_t)r.x[2];
	return ffa_result(&r);
}

static int log_count(struct fix *fix, enum ffamed_log_level l)
{
	return atomic_load(&fix->log_count[l]);
}

/* ---- Create and destroy order ---------------------------------------------------- */

#define ORDER_MAX 16
enum order_ev { EV_CREATED = 1, EV_BITMAP_CREATE, EV_BITMAP_DESTROY, EV_DESTROYED };
static enum order_ev order_log[ORDER_MAX];
static int order_len;

static bool log_order(struct fix *fix, struct ffamed_regs *regs, void *arg)
{
	uint32_t fid = (uint32_t)regs->x[0];
	enum order_ev ev = 0;

	(void)fix;
	(void)arg;
	if (fid == FFA_MSG_SEND_DIRECT_REQ_32 &&
	    (uint32_t)regs->x[2] == FFA_FWK_MSG(FFA_FWK_MSG_VM_CREATED))
		ev = EV_CREATED;
	else if (fid == FFA_MSG_SEND_DIRECT_REQ_32 &&
		 (uint32_t)regs->x[2] == FFA_FWK_MSG(FFA_FWK_MSG_VM_DESTROYED))
		ev = EV_DESTROYED;
	else if (fid == FFA_NOTIFICATION_BITMAP_CREATE)
		ev = EV_BITMAP_CREATE;
	else if (fid == FFA_NOTIFICATION_BITMAP_DESTROY)
		ev = EV_BITMAP_DESTROY;
	if (ev && order_len < ORDER_MAX)
		order_log[order_len++] = ev;
	return false;
}

/* OP-TEE for a hypervisor takes the bitmap only once it heard of the VM,
 * and destroys it only while it still knows the VM. */
static void order_optee_nsvirt(void **state)
{
	(void)state;
	struct fix *fix = real_fix(FFAMED_SPMC_OPTEE_NSVIRT, false, log_order);
	int warns = log_count(fix, FFAMED_LOG_WARN);
	int errors = log_count(fix, FFAMED_LOG_ERROR);
	struct fix_vm *v;

	order_len = 0;
	v = fix_vm(fix, 1, 2);
	assert_true(ffamed_spmc_knows_vm(fix->spmc, 1));
	assert_true(ffamed_spmc_notif_bitmap_exists(fix->spmc, 1, NULL));
	assert_true(v->vm->notif_bitmap);
	assert_int_equal(order_len, 2);
	assert_int_equal(order_log[0], EV_CREATED);
	assert_int_equal(order_log[1], EV_BITMAP_CREATE);
	fix_vm_destroy(v);
	assert_int_equal(order_len, 4);
	assert_int_equal(order_log[2], EV_BITMAP_DESTROY);
	assert_int_equal(order_log[3], EV_DESTROYED);
	assert_false(ffamed_spmc_knows_vm(fix->spmc, 1));
	assert_int_equal(ffamed_spmc_notif_bitmap_count(fix->spmc), 0);
	/* Nothing was refused on the way. */
	assert_int_equal(log_count(fix, FFAMED_LOG_WARN), warns);
	assert_int_equal(log_count(fix, FFAMED_LOG_ERROR), errors);
	fix_destroy(fix);
}

/* OP-TEE without NS virtualization: no VM_CREATED (its endpoint does not
 * ask), the bitmap refused, the VM created all the same. */
static void order_optee_plain(void **state)
{
	(void)state;
	struct fix *fix = real_fix(FFAMED_SPMC_OPTEE_PLAIN, false, log_order);
	int warns = log_count(fix, FFAMED_LOG_WARN);
	struct fix_vm *v;

	order_len = 0;
	v = fix_vm(fix, 1, 2);
	assert_false(v->vm->notif_bitmap);
	assert_int_equal(order_len, 1);
	assert_int_equal(order_log[0], EV_BITMAP_CREATE);
	assert_int_equal(log_count(fix, FFAMED_LOG_WARN), warns + 1);
	fix_vm_destroy(v);
	assert_int_equal(order_len, 1); /* no bitmap to destroy */
	fix_destroy(fix);
}

/* TF-A's EL3 SPMC has no notifications: VM_CREATED only. */
static void order_tfa_el3(void **state)
{
	(void)state;
	struct fix *fix = real_fix(FFAMED_SPMC_TFA_EL3, false, log_order);
	struct fix_vm *v;

	order_len = 0;
	v = fix_vm(fix, 1, 2);
	assert_true(ffamed_sp_vmwatch_is_live(&sps.vmwatch, 1));
	assert_int_equal(order_len, 1);
	assert_int_equal(order_log[0], EV_CREATED);
	fix_vm_destroy(v);
	assert_int_equal(order_len, 2);
	assert_int_equal(order_log[1], EV_DESTROYED);
	assert_false(ffamed_sp_vmwatch_is_live(&sps.vmwatch, 1));
	fix_destroy(fix);
}

/* ---- Forwarded RX/TX pairs ----------------------------------------------------- */

/* Partition information through the VM's RX, then RX_RELEASE: served here. */
static void rx_round_trip(struct fix_vm *v)
{
	struct ffamed_regs r = fix_call(v, 0, FFA_PARTITION_INFO_GET, 0, 0, 0, 0, 0);

	assert_ffa_success(r);
	assert_true(r.x[2] >= 1);
	assert_ffa_error(fix_call(v, 0, FFA_PARTITION_INFO_GET, 0, 0, 0, 0, 0), FFA_RET_BUSY);
	assert_ffa_success(fix_call(v, 0, FFA_RX_RELEASE, 0, 0, 0, 0, 0));
}

/* Maps a pair for each of `n` VMs; returns the forwards made. */
static uint64_t map_vms(struct fix *fix, struct fix_vm **v, int n, uint32_t version)
{
	uint64_t maps = fix_fw_count(fix, FFA_RXTX_MAP_64);

	for (int i = 0; i < n; i++) {
		v[i] = fix_vm(fix, (uint16_t)(i + 1), 1);
		fix_negotiate(v[i], version);
		fix_map_default(v[i], 1);
	}
	return fix_fw_count(fix, FFA_RXTX_MAP_64) - maps;
}

/* Neither real SPMC has RX_ACQUIRE: decided at create, never forwarded. */
static void rxtx_decided_at_create(void **state)
{
	(void)state;
	for (size_t p = 0; p < REAL_COUNT; p++) {
		struct fix *fix = real_fix(real_ones[p], false, NULL);
		struct fix_vm *v[3];

		assert_int_equal(atomic_load(&fix->med->vm_rxtx_fwd), MED_VM_RXTX_NO);
		assert_int_equal(map_vms(fix, v, 3, FFA_VERSION_1_1), 0);
		for (int i = 0; i < 3; i++) {
			assert_false(v[i]->vm->rxtx.forwarded);
			rx_round_trip(v[i]);
		}
		assert_int_equal(fix_fw_count(fix, FFA_RX_ACQUIRE), 0);
		assert_int_equal(fix_fw_count(fix, FFA_RX_RELEASE), 1); /* create's listing */
		assert_int_equal(ffamed_spmc_vm_mailbox_count(fix->spmc), 0);
		for (int i = 0; i < 3; i++) {
			assert_ffa_success(fix_call(v[i], 0, FFA_RXTX_UNMAP, 0, 0, 0, 0, 0));
			fix_vm_destroy(v[i]);
		}
		assert_int_equal(fix_fw_count(fix, FFA_RXTX_UNMAP), 0);
		fix_destroy(fix);
	}
}

/* The strict SPMC maps every pair. */
static void rxtx_strict_forwards_each(void **state)
{
	(void)state;
	struct fix *fix = real_fix(FFAMED_SPMC_STRICT, false, NULL);
	struct fix_vm *v[3];

	assert_int_equal(map_vms(fix, v, 3, FFA_VERSION_1_2), 3);
	assert_int_equal(atomic_load(&fix->med->vm_rxtx_fwd), MED_VM_RXTX_YES);
	assert_int_equal(ffamed_spmc_vm_mailbox_count(fix->spmc), 3);
	for (int i = 0; i < 3; i++)
		fix_vm_destroy(v[i]);
	fix_destroy(fix);
}

static bool claim_rx_acquire(struct fix *fix, struct ffamed_regs *regs, void *arg)
{
	(void)fix;
	(void)arg;
	if ((uint32_t)regs->x[0] == FFA_FEATURES && (uint32_t)regs->x[1] == FFA_RX_ACQUIRE) {
		ffa_set_success32(regs, 0, 0, 0);
		return true;
	}
	return false;
}

/* An SPMC that claims RX_ACQUIRE but refuses the form as TF-A does: the
 * first forward decides, once, for every VM. */
static void rxtx_decided_at_first_forward(void **state)
{
	(void)state;
	struct fix *fix = real_fix(FFAMED_SPMC_TFA_EL3, false, claim_rx_acquire);
	struct fix_vm *v[3];

	assert_int_equal(atomic_load(&fix->med->vm_rxtx_fwd), MED_VM_RXTX_UNKNOWN);
	assert_int_equal(map_vms(fix, v, 3, FFA_VERSION_1_2), 1);
	assert_int_equal(atomic_load(&fix->med->vm_rxtx_fwd), MED_VM_RXTX_NO);
	for (int i = 0; i < 3; i++) {
		assert_false(v[i]->vm->rxtx.forwarded);
		rx_round_trip(v[i]);
		fix_vm_destroy(v[i]);
	}
	fix_destroy(fix);
}

/* Without VM pairs at the SPMC, SPs and VMs exchange no indirect messages:
 * FEATURES and the SPs' property bit 2 say so. */
static void send2_with_sps_off(void **state)
{
	(void)state;
	struct fix *fix = real_fix(FFAMED_SPMC_TFA_EL3, false, NULL);
	struct fix_vm *v = fix_vm(fix, 1, 1);
	struct ffa_partition_info_1_1 e;
	struct ffamed_regs r;

	fix_negotiate(v, FFA_VERSION_1_2);
	fix_map_default(v, 1);
	assert_int_equal(features(v, FFA_MSG_SEND2, NULL), FFA_RET_NOT_SUPPORTED);
	assert_ffa_error(fix_call(v, 0, FFA_MSG_SEND2, 0, 0, 0, 0, 0), FFA_RET_NOT_SUPPORTED);
	r = fix_call(v, 0, FFA_PARTITION_INFO_GET, 0, 0, 0, 0, 0);
	assert_ffa_success(r);
	assert_int_equal(r.x[2], 2);
	for (uint32_t i = 0; i < 2; i++) {
		memcpy(&e, fix_vm_ptr(v, MB_RX_IPA + i * sizeof(e)), sizeof(e));
		assert_int_equal(e.properties & FFA_PART_PROP_INDIRECT_MSG, 0);
		if (e.id == FIX_SP_ECHO)
			assert_true(e.properties & FFA_PART_PROP_DIRECT_REQ_RECV);
	}
	assert_ffa_success(fix_call(v, 0, FFA_RX_RELEASE, 0, 0, 0, 0, 0));
	fix_vm_destroy(v);
	fix_destroy(fix);
}

/* ---- A VM without SP notifications ------------------------------------------------ */

static struct ffamed_regs notif_call(struct fix_vm *v, uint32_t fid, uint16_t sender,
				     uint16_t receiver, uint32_t flags, uint64_t bitmap)
{
	return fix_call(v, 0, fid, FFA_SENDER_RECEIVER(sender, receiver), flags, (uint32_t)bitmap,
			(uint32_t)(bitmap >> 32), 0);
}

/* OP-TEE without NS virtualization and no VM-to-VM: nothing at all. */
static void notif_off_nothing_left(void **state)
{
	(void)state;
	struct fix *fix = real_fix(FFAMED_SPMC_OPTEE_PLAIN, false, NULL);
	struct fix_vm *v = fix_vm(fix, 1, 2);

	fix_negotiate(v, FFA_VERSION_1_1);
	for (size_t i = 0; i < NOTIF_FID_COUNT; i++) {
		assert_int_equal(features(v, guest_notif_fids[i], NULL), FFA_RET_NOT_SUPPORTED);
		assert_ffa_error(fix_call(v, 0, guest_notif_fids[i],
					  FFA_SENDER_RECEIVER(FIX_SP_OPTEE, 1), 0, 1, 0, 0),
				 FFA_RET_NOT_SUPPORTED);
	}
	assert_int_equal(features(v, FFA_FEATURE_NPI, NULL), FFA_RET_NOT_SUPPORTED);
	assert_int_equal(features(v, FFA_FEATURE_SRI, NULL), FFA_RET_NOT_SUPPORTED);
	assert_int_equal(fix_fw_count(fix, FFA_NOTIFICATION_BIND), 0);
	assert_int_equal(fix_fw_count(fix, FFA_NOTIFICATION_GET), 0);
	fix_vm_destroy(v);
	fix_destroy(fix);
}

/* The same with VM-to-VM on: notifications between VMs work; SPs are no
 * notification peers of the VM; the SPMC is never asked. */
static void notif_off_vm_to_vm_left(void **state)
{
	(void)state;
	struct fix *fix = real_fix(FFAMED_SPMC_OPTEE_PLAIN, true, NULL);
	struct fix_vm *a = fix_vm(fix, 1, 2);
	struct fix_vm *b = fix_vm(fix, 2, 1);
	uint32_t w2 = 0;
	struct ffamed_regs r;

	fix_negotiate(a, FFA_VERSION_1_1);
	fix_negotiate(b, FFA_VERSION_1_1);
	for (size_t i = 0; i < NOTIF_FID_COUNT; i++)
		assert_int_equal(features(a, guest_notif_fids[i], NULL), FFA_RET_OK);
	assert_int_equal(features(a, FFA_FEATURE_NPI, &w2), FFA_RET_OK);
	assert_int_equal(w2, 8);

	/* SP peers: refused here. */
	assert_ffa_error(notif_call(a, FFA_NOTIFICATION_BIND, FIX_SP_OPTEE, 1, 0, 1),
			 FFA_RET_INVALID_PARAMETERS);
	assert_ffa_error(notif_call(a, FFA_NOTIFICATION_UNBIND, FIX_SP_OPTEE, 1, 0, 1),
			 FFA_RET_INVALID_PARAMETERS);
	assert_ffa_error(notif_call(a, FFA_NOTIFICATION_SET, 1, FIX_SP_OPTEE, 0, 1),
			 FFA_RET_INVALID_PARAMETERS);

	/* VM peers: served. */
	assert_ffa_success(notif_call(a, FFA_NOTIFICATION_BIND, 2, 1, 0, 0x30));
	assert_ffa_success(notif_call(b, FFA_NOTIFICATION_SET, 2, 1, 0, 0x10));
	assert_int_equal(fix_virq_take(a, 0), NPI_BIT);
	/* GET of every class: the SP classes read empty. */
	r = fix_call(a, 0, FFA_NOTIFICATION_GET, FFA_SENDER_RECEIVER(0, 1), 0xF, 0, 0, 0);
	assert_ffa_success(r);
	assert_int_equal(r.x[2], 0);
	assert_int_equal(r.x[3], 0);
	assert_int_equal(r.x[4], 0x10);
	assert_int_equal(r.x[6], 0);
	assert_ffa_error(fix_call(a, 0, FFA_NOTIFICATION_INFO_GET_64, 0, 0, 0, 0, 0),
			 FFA_RET_NO_DATA);
	assert_ffa_success(notif_call(a, FFA_NOTIFICATION_UNBIND, 2, 1, 0, 0x30));

	/* Not one notification call reached the SPMC. */
	assert_int_equal(fix_fw_count(fix, FFA_NOTIFICATION_BIND), 0);
	assert_int_equal(fix_fw_count(fix, FFA_NOTIFICATION_UNBIND), 0);
	assert_int_equal(fix_fw_count(fix, FFA_NOTIFICATION_SET), 0);
	assert_int_equal(fix_fw_count(fix, FFA_NOTIFICATION_GET), 0);
	fix_vm_destroy(b);
	fix_vm_destroy(a);
	fix_destroy(fix);
}

/* With NS virtualization OP-TEE takes the bitmap: SP notifications work,
 * with OP-TEE's own limits passed through. The bottom-half notification
 * goes OP-TEE -> SRI -> ffamed_handle_sri -> NPI -> GET. */
static void notif_optee_nsvirt(void **state)
{
	(void)state;
	struct fix *fix = real_fix(FFAMED_SPMC_OPTEE_NSVIRT, false, NULL);
	struct fix_vm *v = fix_vm(fix, 1, 2);
	uint32_t w2 = 0;
	struct ffamed_regs r;

	fix_negotiate(v, FFA_VERSION_1_1);
	for (size_t i = 0; i < NOTIF_FID_COUNT; i++)
		assert_int_equal(features(v, guest_notif_fids[i], NULL), FFA_RET_OK);
	assert_int_equal(features(v, FFA_FEATURE_NPI, &w2), FFA_RET_OK);
	/* Per-vCPU bindings: OP-TEE's DENIED. SET to OP-TEE: it has no such
	 * call. */
	assert_ffa_error(
		notif_call(v, FFA_NOTIFICATION_BIND, FIX_SP_OPTEE, 1, FFA_NOTIF_FLAG_PER_VCPU, 1),
		FFA_RET_DENIED);
	assert_ffa_error(notif_call(v, FFA_NOTIFICATION_SET, 1, FIX_SP_OPTEE, 0, 1),
			 FFA_RET_NOT_SUPPORTED);
	assert_ffa_success(notif_call(v, FFA_NOTIFICATION_BIND, FIX_SP_OPTEE, 1, 0, 1ull << 3));

	/* ENABLE_ASYNC_NOTIF(3): OP-TEE signals notification 3 at once. */
	r = fix_call(v, 0, FFA_MSG_SEND_DIRECT_REQ_32, FFA_SENDER_RECEIVER(1, FIX_SP_OPTEE), 0,
		     FFAMED_OPTEE_ENABLE_ASYNC_NOTIF, 3, 0);
	assert_int_equal(r.x[0], FFA_MSG_SEND_DIRECT_RESP_32);
	assert_int_equal(r.x[3], 0);
	assert_int_equal(atomic_load(&sps.optee.notifs_set), 1);
	assert_true(atomic_load(&fix->sri_raised) >= 1);
	ffamed_handle_sri(fix->med);
	assert_int_equal(fix_virq_take(v, 0), NPI_BIT);
	r = fix_call(v, 0, FFA_NOTIFICATION_GET, FFA_SENDER_RECEIVER(0, 1), FFA_NOTIF_GET_SP, 0, 0,
		     0);
	assert_ffa_success(r);
	assert_int_equal(r.x[2], 1u << 3);
	assert_ffa_success(notif_call(v, FFA_NOTIFICATION_UNBIND, FIX_SP_OPTEE, 1, 0, 1ull << 3));
	fix_vm_destroy(v);
	assert_int_equal(ffamed_spmc_notif_bitmap_count(fix->spmc), 0);
	fix_destroy(fix);
}

/* ---- OP-TEE's direct requests and memory ---------------------------------------------- */

static void optee_probe(struct fix_vm *v)
{
	uint16_t id = v->id;
	struct ffamed_regs r;

	r = fix_call(v, 0, FFA_MSG_SEND_DIRECT_REQ_32, FFA_SENDER_RECEIVER(id, FIX_SP_OPTEE), 0,
		     FFAMED_OPTEE_GET_API_VERSION, 0, 0);
	assert_int_equal(r.x[0], FFA_MSG_SEND_DIRECT_RESP_32);
	assert_int_equal(r.x[1], FFA_SENDER_RECEIVER(FIX_SP_OPTEE, id));
	assert_int_equal(r.x[3], FFAMED_OPTEE_API_MAJOR);
	r = fix_call(v, 0, FFA_MSG_SEND_DIRECT_REQ_32, FFA_SENDER_RECEIVER(id, FIX_SP_OPTEE), 0,
		     FFAMED_OPTEE_EXCHANGE_CAPABILITIES, 0, 0);
	assert_int_equal(r.x[0], FFA_MSG_SEND_DIRECT_RESP_32);
	assert_int_equal(r.x[3], 0);
}

/* A share with OP-TEE and its reclaim, through the mediator. */
static void optee_share(struct fix_vm *v)
{
	uint8_t desc[512];
	uint64_t handle = 0;
	size_t len;

	len = mb_simple(desc, sizeof(desc), FFA_VERSION_1_1, v->id, FIX_SP_OPTEE,
			FFA_MEM_PERM_DATA_RW, NULL, 4, 2);
	assert_int_equal(mb_send(v, FFA_MEM_SHARE_64, desc, len, FFA_PAGE_SIZE, &handle, NULL),
			 FFA_RET_OK);
	assert_int_equal(mb_reclaim(v, handle, 0), FFA_RET_OK);
}

/* With NS virtualization: VM_CREATED went first, so OP-TEE knows each VM
 * and serves its requests and shares. */
static void optee_nsvirt_requests(void **state)
{
	(void)state;
	struct fix *fix = real_fix(FFAMED_SPMC_OPTEE_NSVIRT, false, NULL);
	struct fix_vm *a = fix_vm(fix, 1, 1);
	struct fix_vm *b = fix_vm(fix, 7, 1);

	fix_negotiate(a, FFA_VERSION_1_1);
	fix_negotiate(b, FFA_VERSION_1_1);
	/* The mediator speaks OP-TEE's version with it. */
	assert_int_equal(fix->med->fw_version, FFA_VERSION_1_1);
	fix_map_default(a, 1);
	fix_map_default(b, 1);
	optee_probe(a);
	optee_probe(b);
	optee_share(a);
	optee_share(b);
	assert_true(atomic_load(&sps.optee.calls[FFAMED_OPTEE_GET_API_VERSION]) >= 2);
	fix_vm_destroy(a);
	fix_vm_destroy(b);
	fix_destroy(fix);
}

/* Without it: requests and shares from any VM ID. */
static void optee_plain_requests(void **state)
{
	(void)state;
	struct fix *fix = real_fix(FFAMED_SPMC_OPTEE_PLAIN, false, NULL);
	struct fix_vm *a = fix_vm(fix, 3, 1);

	fix_negotiate(a, FFA_VERSION_1_1);
	fix_map_default(a, 1);
	optee_probe(a);
	optee_share(a);
	fix_vm_destroy(a);
	fix_destroy(fix);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(order_optee_nsvirt),
		cmocka_unit_test(order_optee_plain),
		cmocka_unit_test(order_tfa_el3),
		cmocka_unit_test(rxtx_decided_at_create),
		cmocka_unit_test(rxtx_strict_forwards_each),
		cmocka_unit_test(rxtx_decided_at_first_forward),
		cmocka_unit_test(send2_with_sps_off),
		cmocka_unit_test(notif_off_nothing_left),
		cmocka_unit_test(notif_off_vm_to_vm_left),
		cmocka_unit_test(notif_optee_nsvirt),
		cmocka_unit_test(optee_nsvirt_requests),
		cmocka_unit_test(optee_plain_requests),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
