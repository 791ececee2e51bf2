/* SPDX-License-Identifier: MIT */
/*
 * Notifications kept by the mediator: VM-to-VM (bind table, pending bits,
 * per-vCPU), the Notification Pending Interrupt and its re-arming, vCPUs
 * going offline and online, a guest's own INFO_GET, hypervisor framework
 * notifications, and the SRI path that turns SP notifications into NPIs.
 */
#include "mediator/med_internal.h"
#include "mediator/med_notif_local.h"
#include "med_fixture.h"

#define NPI	  8u
#define NPI_BIT	  (1ull << NPI)
#define ALL_FLAGS FFA_NOTIF_GET_FLAGS_MASK

static struct ffamed_regs call5(struct fix_vm *v, uint16_t vcpu, uint32_t fid, uint16_t hi,
				uint16_t lo, uint32_t flags, uint64_t bitmap)
{
	return fix_call(v, vcpu, fid, FFA_SENDER_RECEIVER(hi, lo), flags, (uint32_t)bitmap,
			bitmap >> 32, 0);
}

/* recv binds `bitmap` for sender VM `sender`. */
static struct ffamed_regs vbind(struct fix_vm *recv, uint16_t sender, uint32_t flags,
				uint64_t bitmap)
{
	return call5(recv, 0, FFA_NOTIFICATION_BIND, sender, recv->id, flags, bitmap);
}

static struct ffamed_regs vset(struct fix_vm *sender, uint16_t receiver, uint32_t flags,
			       uint64_t bitmap)
{
	return call5(sender, 0, FFA_NOTIFICATION_SET, sender->id, receiver, flags, bitmap);
}

static uint32_t per_vcpu(uint16_t vcpu)
{
	return FFA_NOTIF_FLAG_PER_VCPU | ((uint32_t)vcpu << FFA_NOTIF_SET_VCPU_SHIFT);
}

/* GET on `vcpu` with `flags`; the whole answer. */
static struct ffamed_regs get(struct fix_vm *v, uint16_t vcpu, uint32_t flags)
{
	struct ffamed_regs r = fix_call(v, vcpu, FFA_NOTIFICATION_GET,
					FFA_SENDER_RECEIVER(vcpu, v->id), flags, 0, 0, 0);

	assert_int_equal(r.x[0], FFA_SUCCESS_32);
	return r;
}

static uint64_t get_vm_bits(struct fix_vm *v, uint16_t vcpu)
{
	struct ffamed_regs r = get(v, vcpu, ALL_FLAGS);

	return r.x[4] | (r.x[5] << 32);
}

static struct fix *make(uint32_t spmc_absent)
{
	struct fix_opts o = {.fw_absent = spmc_absent, .med_cfg = {.vm_to_vm = true}};

	return fix_create(&o);
}

static void vm_to_vm_good_path(void **state)
{
	(void)state;
	struct fix *fix = make(false);
	struct fix_vm *a = fix_vm(fix, 1, 2);
	struct fix_vm *b = fix_vm(fix, 2, 2);
	struct ffamed_regs r;

	fix_negotiate(a, FFA_VERSION_1_1);
	fix_negotiate(b, FFA_VERSION_1_2);
	assert_ffa_success(vbind(b, 1, 0, 0x8000000000000003ull));

	/* The first SET raises the NPI on an online vCPU, once. */
	r = vset(a, 2, 0, 0x1);
	assert_ffa_success(r);
	assert_int_equal(r.x[2], 0);
	assert_int_equal(fix_virq_take(b, 0), NPI_BIT);
	assert_int_equal(atomic_load(&b->injections), 1);
	assert_ffa_success(vset(a, 2, 0, 0x8000000000000002ull));
	assert_int_equal(atomic_load(&b->injections), 1); /* armed: no second NPI */
	assert_int_equal(fix_virq_take(b, 0) | fix_virq_take(b, 1), 0);
	/* The NPI handler's GET takes everything, in the VM class only. */
	r = get(b, 0, ALL_FLAGS);
	assert_int_equal(r.x[2] | r.x[3] | r.x[6] | r.x[7], 0);
	assert_int_equal(r.x[4], 0x3);
	assert_int_equal(r.x[5], 0x80000000);
	assert_int_equal(atomic_load(&b->injections), 1); /* nothing left: no re-inject */
	assert_int_equal(get_vm_bits(b, 0), 0);

	/* Re-armed by the GET: the next SET signals again. */
	assert_ffa_success(vset(a, 2, 0, 0x1));
	assert_int_equal(atomic_load(&b->injections), 2);
	assert_int_equal(fix_virq_take(b, 0), NPI_BIT);
	/* A GET that does not ask for the VM class leaves it pending and
	 * signals the caller again. */
	r = get(b, 0, FFA_NOTIF_GET_SP | FFA_NOTIF_GET_HYP_FWK);
	assert_int_equal(r.x[4], 0);
	assert_int_equal(fix_virq_take(b, 0), NPI_BIT);
	assert_int_equal(atomic_load(&b->injections), 3);
	/* Another vCPU polling while vCPU 0 holds the NPI: not signalled
	 * (vCPU 0's GET would collect it), but it collects the global bit. */
	r = get(b, 1, FFA_NOTIF_GET_SP);
	assert_int_equal(fix_virq_take(b, 1), 0);
	assert_int_equal(get_vm_bits(b, 1), 0x1);
	/* vCPU 0 handles its NPI late: an empty GET, which is expected. */
	assert_int_equal(get_vm_bits(b, 0), 0);
	assert_int_equal(atomic_load(&b->injections), 3);

	/* Two senders, each on its own IDs; a sender's SET of another's ID
	 * changes nothing. */
	struct fix_vm *c = fix_vm(fix, 3, 1);
	fix_negotiate(c, FFA_VERSION_1_2);
	assert_ffa_success(vbind(b, 3, 0, 0x10));
	r = vset(c, 2, 0, 0x1);
	assert_ffa_error(r, FFA_RET_DENIED);
	assert_ffa_success(vset(c, 2, 0, 0x10));
	assert_ffa_success(vset(a, 2, 0, 0x2));
	assert_int_equal(get_vm_bits(b, 0), 0x12);

	/* Unbind: the sender can no longer set them. */
	assert_ffa_success(call5(b, 1, FFA_NOTIFICATION_UNBIND, 3, 2, 0, 0x10));
	assert_ffa_error(vset(c, 2, 0, 0x10), FFA_RET_DENIED);
	fix_vm_destroy(c);
	fix_vm_destroy(a);
	fix_vm_destroy(b);
	fix_destroy(fix);
}

static void per_vcpu_notifications(void **state)
{
	(void)state;
	struct fix *fix = make(true); /* VM-to-VM works without an SPMC */
	struct fix_vm *a = fix_vm(fix, 1, 1);
	struct fix_vm *b = fix_vm(fix, 2, 3);

	fix_negotiate(a, FFA_VERSION_1_1);
	fix_negotiate(b, FFA_VERSION_1_1);
	assert_ffa_success(vbind(b, 1, FFA_NOTIF_FLAG_PER_VCPU, 0xF0));
	assert_ffa_success(vbind(b, 1, 0, 0x0F));

	/* Per-vCPU: the NPI goes to that vCPU, only it collects the bits. */
	assert_ffa_success(vset(a, 2, per_vcpu(2), 0x30));
	assert_int_equal(fix_virq_take(b, 0) | fix_virq_take(b, 1), 0);
	assert_int_equal(fix_virq_take(b, 2), NPI_BIT);
	assert_int_equal(get_vm_bits(b, 0), 0);
	assert_int_equal(get_vm_bits(b, 1), 0);
	assert_int_equal(get_vm_bits(b, 2), 0x30);

	/* Each vCPU is armed on its own: vCPU 1's bits signal vCPU 1 even
	 * while vCPU 2 holds an NPI. */
	assert_ffa_success(vset(a, 2, per_vcpu(2), 0x10));
	assert_ffa_success(vset(a, 2, per_vcpu(1), 0x10));
	assert_int_equal(fix_virq_take(b, 2), NPI_BIT);
	assert_int_equal(fix_virq_take(b, 1), NPI_BIT);
	/* A global bit while vCPUs are armed: their GETs will take it. */
	uint64_t inj = atomic_load(&b->injections);
	assert_ffa_success(vset(a, 2, 0, 0x1));
	assert_int_equal(atomic_load(&b->injections), inj);
	assert_int_equal(get_vm_bits(b, 1), 0x11);
	assert_int_equal(get_vm_bits(b, 2), 0x10);

	/* Scope must match the binding; the vCPU must exist. Nothing is set. */
	assert_ffa_error(vset(a, 2, 0, 0x10), FFA_RET_INVALID_PARAMETERS);
	assert_ffa_error(vset(a, 2, per_vcpu(0), 0x1), FFA_RET_INVALID_PARAMETERS);
	assert_ffa_error(vset(a, 2, per_vcpu(0), 0x11), FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(get_vm_bits(b, 0), 0);
	assert_ffa_error(vset(a, 2, per_vcpu(3), 0x10), FFA_RET_INVALID_PARAMETERS);
	assert_ffa_error(vset(a, 2, per_vcpu(0xFFFF), 0x10), FFA_RET_INVALID_PARAMETERS);
	/* A vCPU ID without the per-vCPU flag is malformed. */
	assert_ffa_error(vset(a, 2, 1u << FFA_NOTIF_SET_VCPU_SHIFT, 0x1),
			 FFA_RET_INVALID_PARAMETERS);
	/* Rebinding with the other scope is refused. */
	assert_ffa_error(vbind(b, 1, 0, 0x10), FFA_RET_DENIED);
	assert_ffa_success(vbind(b, 1, FFA_NOTIF_FLAG_PER_VCPU, 0x10));
	assert_int_equal(get_vm_bits(b, 0) | get_vm_bits(b, 1) | get_vm_bits(b, 2), 0);
	fix_vm_destroy(a);
	fix_vm_destroy(b);
	fix_destroy(fix);
}

static void refusals(void **state)
{
	(void)state;
	struct fix *fix = make(false);
	struct fix_vm *a = fix_vm(fix, 1, 2);
	struct fix_vm *b = fix_vm(fix, 2, 2);
	struct fix_vm *old = fix_vm(fix, 3, 1);
	struct ffamed_regs r;

	fix_negotiate(a, FFA_VERSION_1_1);
	fix_negotiate(b, FFA_VERSION_1_1);
	fix_negotiate(old, FFA_VERSION_1_0);

	/* v1.0 guests have no notifications at all. */
	r = vbind(old, 1, 0, 1);
	assert_ffa_error(r, FFA_RET_NOT_SUPPORTED);
	r = call5(old, 0, FFA_NOTIFICATION_INFO_GET_64, 0, 0, 0, 0);
	assert_ffa_error(r, FFA_RET_NOT_SUPPORTED);

	/* BIND: for itself only, from a live VM other than itself, some ID. */
	assert_ffa_error(call5(a, 0, FFA_NOTIFICATION_BIND, 1, 2, 0, 1),
			 FFA_RET_INVALID_PARAMETERS);			      /* b's table */
	assert_ffa_error(vbind(b, 2, 0, 1), FFA_RET_INVALID_PARAMETERS);      /* itself */
	assert_ffa_error(vbind(b, 0, 0, 1), FFA_RET_INVALID_PARAMETERS);      /* hypervisor */
	assert_ffa_error(vbind(b, 0x77, 0, 1), FFA_RET_INVALID_PARAMETERS);   /* no such VM */
	assert_ffa_error(vbind(b, 0x8077, 0, 1), FFA_RET_INVALID_PARAMETERS); /* no such SP */
	assert_ffa_error(vbind(b, 1, 0, 0), FFA_RET_INVALID_PARAMETERS);      /* no ID */
	assert_ffa_error(vbind(b, 1, 2, 1), FFA_RET_INVALID_PARAMETERS);      /* unknown flag */
	r = fix_call(b, 0, FFA_NOTIFICATION_BIND, FFA_SENDER_RECEIVER(1, 2), 0, 1, 0, 5);
	assert_ffa_error(r, FFA_RET_INVALID_PARAMETERS); /* w5 MBZ */
	/* An ID bound to a sender cannot be bound to another. */
	assert_ffa_success(vbind(b, 1, 0, 0x3));
	assert_ffa_error(vbind(b, 3, 0, 0x2), FFA_RET_DENIED);
	assert_ffa_success(vbind(b, 1, 0, 0x3)); /* the same binding again is fine */

	/* SET: as itself, bound IDs only, no delayed SRI, MBZ bits clear. */
	assert_ffa_error(call5(a, 0, FFA_NOTIFICATION_SET, 3, 2, 0, 1),
			 FFA_RET_INVALID_PARAMETERS);	      /* forged sender */
	assert_ffa_error(vset(a, 2, 0, 0x4), FFA_RET_DENIED); /* unbound ID */
	assert_ffa_error(vset(a, 2, 0, 0x7), FFA_RET_DENIED); /* partly unbound */
	assert_ffa_error(vset(old, 2, 0, 0x1), FFA_RET_NOT_SUPPORTED);
	assert_ffa_error(vset(a, 2, FFA_NOTIF_SET_DELAY_SRI, 1), FFA_RET_INVALID_PARAMETERS);
	assert_ffa_error(vset(a, 2, 1u << 5, 1), FFA_RET_INVALID_PARAMETERS);
	assert_ffa_error(vset(a, 2, 0, 0), FFA_RET_INVALID_PARAMETERS);
	assert_ffa_error(vset(a, 1, 0, 1), FFA_RET_INVALID_PARAMETERS);	   /* itself */
	assert_ffa_error(vset(a, 0x55, 0, 1), FFA_RET_INVALID_PARAMETERS); /* nobody */
	assert_int_equal(atomic_load(&b->injections), 0);
	assert_int_equal(get_vm_bits(b, 0), 0);

	/* UNBIND: bound to that sender, nothing pending, flags MBZ. */
	assert_ffa_success(vset(a, 2, 0, 0x1));
	r = call5(b, 0, FFA_NOTIFICATION_UNBIND, 1, 2, 0, 0x1);
	assert_ffa_error(r, FFA_RET_DENIED); /* pending */
	r = call5(b, 0, FFA_NOTIFICATION_UNBIND, 1, 2, 0, 0x4);
	assert_ffa_error(r, FFA_RET_DENIED); /* not bound */
	r = call5(b, 0, FFA_NOTIFICATION_UNBIND, 1, 2, FFA_NOTIF_FLAG_PER_VCPU, 0x2);
	assert_ffa_error(r, FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(get_vm_bits(b, 1), 0x1);
	assert_ffa_success(call5(b, 0, FFA_NOTIFICATION_UNBIND, 1, 2, 0, 0x3));

	/* GET: own ID, own vCPU. */
	r = fix_call(a, 0, FFA_NOTIFICATION_GET, FFA_SENDER_RECEIVER(0, 2), ALL_FLAGS, 0, 0, 0);
	assert_ffa_error(r, FFA_RET_INVALID_PARAMETERS);
	r = fix_call(b, 0, FFA_NOTIFICATION_GET, FFA_SENDER_RECEIVER(1, 2), ALL_FLAGS, 0, 0, 0);
	assert_ffa_error(r, FFA_RET_INVALID_PARAMETERS);

	/* INFO_GET: nothing pending is NO_DATA; arguments MBZ. */
	r = call5(b, 0, FFA_NOTIFICATION_INFO_GET_64, 0, 0, 0, 0);
	assert_ffa_error(r, FFA_RET_NO_DATA);
	r = fix_call(b, 0, FFA_NOTIFICATION_INFO_GET_32, 1, 0, 0, 0, 0);
	assert_ffa_error(r, FFA_RET_INVALID_PARAMETERS);
	fix_vm_destroy(old);
	fix_vm_destroy(a);
	fix_vm_destroy(b);
	fix_destroy(fix);
}

static void vm_to_vm_off(void **state)
{
	(void)state;
	struct fix *fix = fix_create(NULL);
	struct fix_vm *a = fix_vm(fix, 1, 1);
	struct fix_vm *b = fix_vm(fix, 2, 1);

	fix_negotiate(a, FFA_VERSION_1_2);
	fix_negotiate(b, FFA_VERSION_1_2);
	assert_ffa_error(vbind(b, 1, 0, 1), FFA_RET_INVALID_PARAMETERS);
	assert_ffa_error(vset(a, 2, 0, 1), FFA_RET_INVALID_PARAMETERS);
	fix_vm_destroy(a);
	fix_vm_destroy(b);
	fix_destroy(fix);
}

static void offline_and_online(void **state)
{
	(void)state;
	struct fix *fix = make(true);
	struct fix_vm *a = fix_vm(fix, 1, 1);
	struct fix_vm *b = fix_vm(fix, 2, 2);

	fix_negotiate(a, FFA_VERSION_1_1);
	fix_negotiate(b, FFA_VERSION_1_1);
	assert_ffa_success(vbind(b, 1, 0, 0x3));
	assert_ffa_success(vbind(b, 1, FFA_NOTIF_FLAG_PER_VCPU, 0x4));

	/* Nobody online: the bits stay pending, no NPI. */
	fix_vcpu_set_online(b, 0, false);
	fix_vcpu_set_online(b, 1, false);
	assert_ffa_success(vset(a, 2, 0, 0x1));
	assert_ffa_success(vset(a, 2, per_vcpu(0), 0x4));
	assert_int_equal(atomic_load(&b->injections), 0);
	/* vCPU 1 comes online: the global bit is signalled there; vCPU 0's
	 * own bit waits for vCPU 0. */
	fix_vcpu_set_online(b, 1, true);
	assert_int_equal(fix_virq_take(b, 1), NPI_BIT);
	assert_int_equal(fix_virq_take(b, 0), 0);
	assert_int_equal(get_vm_bits(b, 1), 0x1);
	fix_vcpu_set_online(b, 0, true);
	assert_int_equal(fix_virq_take(b, 0), NPI_BIT);
	assert_int_equal(get_vm_bits(b, 0), 0x4);
	assert_int_equal(atomic_load(&b->injections), 2);

	/* Online again with nothing pending: no NPI. */
	fix_vcpu_set_online(b, 1, false);
	fix_vcpu_set_online(b, 1, true);
	assert_int_equal(atomic_load(&b->injections), 2);

	/* A vCPU going offline with the NPI moves it to another vCPU. */
	assert_ffa_success(vset(a, 2, 0, 0x2));
	assert_int_equal(fix_virq_take(b, 0), NPI_BIT);
	fix_vcpu_set_online(b, 0, false);
	assert_int_equal(fix_virq_take(b, 1), NPI_BIT);
	assert_int_equal(get_vm_bits(b, 1), 0x2);
	/* Back online: its stale NPI may give one empty GET, which is fine. */
	fix_vcpu_set_online(b, 0, true);
	assert_int_equal(get_vm_bits(b, 0), 0);
	/* Bad vCPU indexes are ignored by the hooks. */
	ffamed_vcpu_online(b->vm, 2);
	ffamed_vcpu_offline(b->vm, 0xFFFF);
	assert_int_equal(atomic_load(&b->injections), 4);
	fix_vm_destroy(a);
	fix_vm_destroy(b);
	fix_destroy(fix);
}

/* Decodes an INFO_GET answer into (id, vcpu count, vcpus) lists. */
struct info_list {
	uint16_t id;
	unsigned n;
	uint16_t vcpu[3];
};

static unsigned info_decode(const struct ffamed_regs *r, bool is64, struct info_list *out)
{
	unsigned lists = (r->x[2] >> 7) & 0x1F, pos = 0, per = is64 ? 4 : 2;

	for (unsigned l = 0; l < lists; l++) {
		out[l].n = (r->x[2] >> (12 + 2 * l)) & 3;
		out[l].id = (uint16_t)(r->x[3 + pos / per] >> (16 * (pos % per)));
		pos++;
		for (unsigned i = 0; i < out[l].n; i++, pos++)
			out[l].vcpu[i] = (uint16_t)(r->x[3 + pos / per] >> (16 * (pos % per)));
	}
	return lists;
}

static void guest_info_get(void **state)
{
	(void)state;
	struct fix *fix = make(true);
	struct fix_vm *a = fix_vm(fix, 1, 1);
	struct fix_vm *b = fix_vm(fix, 2, 16);
	struct info_list l[31];
	struct ffamed_regs r;
	unsigned seen = 0;

	fix_negotiate(a, FFA_VERSION_1_2);
	fix_negotiate(b, FFA_VERSION_1_2);
	assert_ffa_success(vbind(b, 1, 0, 0x1));
	assert_ffa_success(vbind(b, 1, FFA_NOTIF_FLAG_PER_VCPU, 0x2));

	/* Global and vCPUs 1 and 5: one list without vCPUs, one with two. */
	assert_ffa_success(vset(a, 2, 0, 0x1));
	assert_ffa_success(vset(a, 2, per_vcpu(1), 0x2));
	assert_ffa_success(vset(a, 2, per_vcpu(5), 0x2));
	r = call5(b, 0, FFA_NOTIFICATION_INFO_GET_32, 0, 0, 0, 0);
	assert_int_equal(r.x[0], FFA_SUCCESS_32);
	assert_int_equal(r.x[2] & 1, 0);
	assert_int_equal(info_decode(&r, false, l), 2);
	assert_int_equal(l[0].id, 2);
	assert_int_equal(l[0].n, 0);
	assert_int_equal(l[1].id, 2);
	assert_int_equal(l[1].n, 2);
	assert_int_equal(l[1].vcpu[0], 1);
	assert_int_equal(l[1].vcpu[1], 5);
	assert_int_equal(r.x[2], (2u << 7) | (2u << 14));
	assert_int_equal(r.x[3], 0x00020002u);
	assert_int_equal(r.x[4], 0x00050001u);
	/* Reported once: nothing new to tell. */
	r = call5(b, 0, FFA_NOTIFICATION_INFO_GET_64, 0, 0, 0, 0);
	assert_ffa_error(r, FFA_RET_NO_DATA);
	/* A new SET makes it reportable again. */
	assert_ffa_success(vset(a, 2, per_vcpu(5), 0x2));
	r = call5(b, 0, FFA_NOTIFICATION_INFO_GET_64, 0, 0, 0, 0);
	assert_int_equal(r.x[0], FFA_SUCCESS_64);
	assert_int_equal(info_decode(&r, true, l), 1);
	assert_int_equal(l[0].n, 1);
	assert_int_equal(l[0].vcpu[0], 5);
	assert_int_equal(get_vm_bits(b, 1), 0x3);
	assert_int_equal(get_vm_bits(b, 5), 0x2);

	/* All 16 vCPUs: 64-bit holds 5 lists of 3 (20 IDs), then "more". */
	for (uint16_t v = 0; v < 16; v++)
		assert_ffa_success(vset(a, 2, per_vcpu(v), 0x2));
	r = call5(b, 0, FFA_NOTIFICATION_INFO_GET_64, 0, 0, 0, 0);
	assert_int_equal(r.x[2] & 1, 1);
	assert_int_equal(info_decode(&r, true, l), 5);
	for (unsigned i = 0; i < 5; i++) {
		assert_int_equal(l[i].id, 2);
		assert_int_equal(l[i].n, 3);
		for (unsigned k = 0; k < 3; k++)
			assert_int_equal(l[i].vcpu[k], seen++);
	}
	r = call5(b, 0, FFA_NOTIFICATION_INFO_GET_64, 0, 0, 0, 0);
	assert_int_equal(r.x[2] & 1, 0);
	assert_int_equal(info_decode(&r, true, l), 1);
	assert_int_equal(l[0].vcpu[0], 15);
	r = call5(b, 0, FFA_NOTIFICATION_INFO_GET_64, 0, 0, 0, 0);
	assert_ffa_error(r, FFA_RET_NO_DATA);
	/* 32-bit: 10 IDs, so 2 lists of 3 and a last one of 1 vCPU... */
	for (uint16_t v = 0; v < 16; v++)
		assert_int_equal(get_vm_bits(b, v), 0x2);
	for (uint16_t v = 0; v < 16; v++)
		assert_ffa_success(vset(a, 2, per_vcpu(v), 0x2));
	r = call5(b, 0, FFA_NOTIFICATION_INFO_GET_32, 0, 0, 0, 0);
	assert_int_equal(r.x[2] & 1, 1);
	assert_int_equal(info_decode(&r, false, l), 3);
	assert_int_equal(l[0].n + l[1].n + l[2].n, 7);
	for (uint16_t v = 0; v < 16; v++)
		assert_int_equal(get_vm_bits(b, v), 0x2);
	fix_vm_destroy(a);
	fix_vm_destroy(b);
	fix_destroy(fix);
}

static void teardown_with_bindings(void **state)
{
	(void)state;
	struct fix *fix = make(false);
	struct fix_vm *a = fix_vm(fix, 1, 1);
	struct fix_vm *b = fix_vm(fix, 2, 2);
	struct fix_vm *c = fix_vm(fix, 3, 1);

	fix_negotiate(a, FFA_VERSION_1_1);
	fix_negotiate(b, FFA_VERSION_1_1);
	fix_negotiate(c, FFA_VERSION_1_1);
	/* c receives from a with bits pending; b receives from a. */
	assert_ffa_success(vbind(c, 1, 0, 0x1));
	assert_ffa_success(vset(a, 3, 0, 0x1));
	assert_ffa_success(vbind(b, 1, 0, 0x6));
	assert_ffa_success(vset(a, 2, 0, 0x2));
	/* The receiver goes with bindings live and bits pending (as Linux
	 * 7.3 does): nothing is left behind (fix_destroy checks). */
	fix_vm_destroy(c);
	assert_ffa_error(vset(a, 3, 0, 0x1), FFA_RET_INVALID_PARAMETERS);

	/* The sender goes: a new VM with its ID inherits nothing. */
	fix_vm_destroy(a);
	struct fix_vm *a2 = fix_vm(fix, 1, 1);
	fix_negotiate(a2, FFA_VERSION_1_1);
	assert_ffa_error(vset(a2, 2, 0, 0x4), FFA_RET_DENIED);
	/* What a set before it went stays deliverable to b. */
	assert_int_equal(get_vm_bits(b, 0), 0x2);
	/* The IDs are free for a new binding. */
	assert_ffa_success(vbind(b, 1, 0, 0x6));
	assert_ffa_success(vset(a2, 2, 0, 0x4));
	assert_int_equal(get_vm_bits(b, 1), 0x4);
	fix_vm_destroy(a2);
	fix_vm_destroy(b);
	fix_destroy(fix);
}

/* SP -> VM: the SPMC raises the SRI; the host's SRI handler asks INFO_GET
 * and raises the NPI where the SPMC says. */
static void sri_to_npi(void **state)
{
	(void)state;
	struct fix *fix = fix_create(NULL);
	struct fix_vm *a = fix_vm(fix, 1, 2);
	struct fix_vm *b = fix_vm(fix, 2, 2);
	struct ffamed_sp *echo = ffamed_spmc_find_sp(fix->spmc, FIX_SP_ECHO);
	uint64_t info_calls;
	struct ffamed_regs r;

	fix_negotiate(a, FFA_VERSION_1_2);
	fix_negotiate(b, FFA_VERSION_1_2);
	assert_ffa_success(call5(a, 0, FFA_NOTIFICATION_BIND, FIX_SP_ECHO, 1, 0, 0x1));
	assert_ffa_success(
		call5(a, 0, FFA_NOTIFICATION_BIND, FIX_SP_ECHO, 1, FFA_NOTIF_FLAG_PER_VCPU, 0x2));
	assert_ffa_success(call5(b, 0, FFA_NOTIFICATION_BIND, FIX_SP_ECHO, 2, 0, 0x1));

	/* Nothing pending: the handler asks once, gets NO_DATA. */
	info_calls = fix_fw_count(fix, FFA_NOTIFICATION_INFO_GET_64);
	ffamed_handle_sri(fix->med);
	assert_int_equal(fix_fw_count(fix, FFA_NOTIFICATION_INFO_GET_64), info_calls + 1);
	assert_int_equal(atomic_load(&a->injections), 0);

	/* Global for a, per-vCPU 1 for a, global for b. */
	assert_int_equal(ffamed_sp_notification_set(echo, 1, 0, 0x1), 0);
	assert_int_equal(ffamed_sp_notification_set(echo, 1, per_vcpu(1), 0x2), 0);
	assert_int_equal(ffamed_sp_notification_set(echo, 2, 0, 0x1), 0);
	assert_true(atomic_load(&fix->sri_raised) >= 3);
	assert_int_equal(atomic_load(&a->injections), 0); /* not before the SRI */
	ffamed_handle_sri(fix->med);
	assert_int_equal(fix_virq_take(a, 0), NPI_BIT);
	assert_int_equal(fix_virq_take(a, 1), NPI_BIT);
	assert_int_equal(fix_virq_take(b, 0), NPI_BIT);
	/* The guest's own INFO_GET sees what the SPMC reported. */
	r = call5(a, 0, FFA_NOTIFICATION_INFO_GET_64, 0, 0, 0, 0);
	assert_int_equal(r.x[0], FFA_SUCCESS_64);
	/* vCPU 0's GET takes the global bit, vCPU 1's its own. */
	r = get(a, 0, ALL_FLAGS);
	assert_int_equal(r.x[2], 0x1);
	r = get(a, 1, ALL_FLAGS);
	assert_int_equal(r.x[2], 0x2);
	r = get(b, 0, FFA_NOTIF_GET_SP);
	assert_int_equal(r.x[2], 0x1);
	/* Everything taken: no re-injection, and the SPMC has nothing. */
	assert_int_equal(fix_virq_take(a, 0) | fix_virq_take(a, 1) | fix_virq_take(b, 0), 0);
	ffamed_handle_sri(fix->med);
	assert_int_equal(fix_virq_take(a, 0) | fix_virq_take(b, 0), 0);

	/* A GET that leaves SP bits behind (VM class only) re-signals. */
	assert_int_equal(ffamed_sp_notification_set(echo, 2, 0, 0x1), 0);
	ffamed_handle_sri(fix->med);
	assert_int_equal(fix_virq_take(b, 0), NPI_BIT);
	r = get(b, 0, FFA_NOTIF_GET_VM);
	assert_int_equal(fix_virq_take(b, 0), NPI_BIT);
	r = get(b, 0, FFA_NOTIF_GET_SP);
	assert_int_equal(r.x[2], 0x1);
	assert_int_equal(fix_virq_take(b, 0), 0);
	fix_vm_destroy(a);
	fix_vm_destroy(b);
	fix_destroy(fix);
}

/* A hypervisor framework notification (RX buffer full, raised by indirect
 * messaging) reaches the guest in w7 of GET, signalled by the NPI. */
static void framework_rx_full(void **state)
{
	(void)state;
	struct fix *fix = fix_create(NULL);
	struct fix_vm *a = fix_vm(fix, 1, 2);
	struct ffamed_regs r;

	fix_negotiate(a, FFA_VERSION_1_2);
	med_notif_local_raise_fwk(a->vm, FFA_FWK_NOTIF_RX_FULL);
	assert_int_equal(fix_virq_take(a, 0), NPI_BIT);
	r = call5(a, 1, FFA_NOTIFICATION_INFO_GET_32, 0, 0, 0, 0);
	assert_int_equal(r.x[0], FFA_SUCCESS_32);
	r = get(a, 0, FFA_NOTIF_GET_SP | FFA_NOTIF_GET_VM);
	assert_int_equal(r.x[7], 0);
	assert_int_equal(fix_virq_take(a, 0), NPI_BIT); /* still pending */
	r = get(a, 0, FFA_NOTIF_GET_HYP_FWK);
	assert_int_equal(r.x[7], FFA_FWK_NOTIF_RX_FULL);
	assert_int_equal(fix_virq_take(a, 0), 0);
	r = get(a, 1, ALL_FLAGS);
	assert_int_equal(r.x[7], 0);
	fix_vm_destroy(a);
	fix_destroy(fix);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(vm_to_vm_good_path),
		cmocka_unit_test(per_vcpu_notifications),
		cmocka_unit_test(refusals),
		cmocka_unit_test(vm_to_vm_off),
		cmocka_unit_test(offline_and_online),
		cmocka_unit_test(guest_info_get),
		cmocka_unit_test(teardown_with_bindings),
		cmocka_unit_test(sri_to_npi),
		cmocka_unit_test(framework_rx_full),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
