/* SPDX-License-Identifier: MIT */
/*
 * Notifications (FF-A v1.1) as the SPMC keeps them: the VMs' bitmaps the
 * hypervisor creates, bindings, set and get in both directions (SP -> VM
 * through the SP-side API, VM -> SP through the hypervisor), the listing
 * for NOTIFICATION_INFO_GET and the Schedule Receiver Interrupt. The exact
 * ABI behaviour is written in include/ffamed/spmc.h.
 *
 * One lock per receiver. VM slots are found under notif_vms_lock and
 * locked before it is dropped, so a slot cannot be destroyed (or reused
 * for another VM) while somebody works on it.
 */
#include "common_notif_info.h"
#include "spmc_base.h"
#include "spmc_notif.h"
#include "spmc_persona.h"

#define NOTIF_SET_FLAGS_MBZ 0xFFFCu /* w2[15:2] of SET */
#define NOTIF_VCPU(flags)   ((uint16_t)((flags) >> FFA_NOTIF_SET_VCPU_SHIFT))

/* ---- One receiver (its lock held) ------------------------------------------ */

static uint64_t recv_pending(const struct spmc_notif_recv *r)
{
	uint64_t all = r->global;

	for (uint32_t i = 0; i < r->vcpu_count; i++)
		all |= r->vcpu[i];
	return all;
}

static bool recv_bound_to(const struct spmc_notif_recv *r, uint16_t sender, uint64_t bitmap)
{
	if ((r->bound & bitmap) != bitmap)
		return false;
	for (int b = 0; b < SPMC_NOTIF_BITS; b++)
		if ((bitmap >> b) & 1u && r->sender[b] != sender)
			return false;
	return true;
}

static int32_t recv_bind(struct spmc_notif_recv *r, uint16_t sender, bool per_vcpu, uint64_t bitmap)
{
	for (int b = 0; b < SPMC_NOTIF_BITS; b++)
		if ((bitmap >> b) & 1u && (r->bound >> b) & 1u && r->sender[b] != sender)
			return FFA_RET_DENIED;
	/* Changing a pending bit's binding would orphan it. */
	if (recv_pending(r) & bitmap)
		return FFA_RET_DENIED;
	for (int b = 0; b < SPMC_NOTIF_BITS; b++)
		if ((bitmap >> b) & 1u)
			r->sender[b] = sender;
	r->bound |= bitmap;
	if (per_vcpu)
		r->bound_per_vcpu |= bitmap;
	else
		r->bound_per_vcpu &= ~bitmap;
	return FFA_RET_OK;
}

static int32_t recv_unbind(struct spmc_notif_recv *r, uint16_t sender, uint64_t bitmap)
{
	if (!recv_bound_to(r, sender, bitmap) || (recv_pending(r) & bitmap))
		return FFA_RET_DENIED;
	r->bound &= ~bitmap;
	r->bound_per_vcpu &= ~bitmap;
	return FFA_RET_OK;
}

/* flags: bit0 per-vCPU with the vCPU in [31:16]; validated for MBZ. */
static int32_t recv_set(struct spmc_notif_recv *r, uint16_t sender, uint32_t flags, uint64_t bitmap)
{
	bool per_vcpu = flags & FFA_NOTIF_FLAG_PER_VCPU;
	uint16_t vcpu = NOTIF_VCPU(flags);

	if (per_vcpu && vcpu >= r->vcpu_count)
		return FFA_RET_INVALID_PARAMETERS;
	if (!recv_bound_to(r, sender, bitmap))
		return FFA_RET_DENIED;
	/* Bound, but as the other kind (global vs per-vCPU): a bad flag, not a
	 * missing permission (ACS notification_set, Hafnium). */
	if ((r->bound_per_vcpu & bitmap) != (per_vcpu ? bitmap : 0))
		return FFA_RET_INVALID_PARAMETERS;
	if (per_vcpu)
		r->vcpu[vcpu] |= bitmap;
	else
		r->global |= bitmap;
	return FFA_RET_OK;
}

/* Read and clear the global bits and those of `vcpu` (< vcpu_count). */
static uint64_t recv_take(struct spmc_notif_recv *r, uint16_t vcpu)
{
	uint64_t got = r->global | r->vcpu[vcpu];

	r->global = 0;
	r->global_listed = 0;
	r->vcpu[vcpu] = 0;
	r->vcpu_listed[vcpu] = 0;
	return got;
}

static void recv_clear(struct spmc_notif_recv *r)
{
	r->bound = 0;
	r->bound_per_vcpu = 0;
	r->global = 0;
	r->global_listed = 0;
	r->fwk = 0;
	r->fwk_listed = 0;
	memset(r->sender, 0, sizeof(r->sender));
}

/* vCPU arrays: pending then listed, one allocation. */
static uint64_t *recv_alloc_vcpus(struct ffamed_spmc *spmc, uint32_t vcpu_count)
{
	return spmc->env.alloc(spmc->env.ctx, sizeof(uint64_t) * 2 * vcpu_count);
}

static void recv_attach_vcpus(struct spmc_notif_recv *r, uint64_t *store, uint32_t vcpu_count)
{
	r->vcpu_count = vcpu_count;
	r->vcpu = store;
	r->vcpu_listed = store ? store + vcpu_count : NULL;
}

/* ---- NOTIFICATION_INFO_GET lists (encoded by common_notif_info.h) -------- */

static bool info_add_vcpus(struct common_notif_info_out *l, struct spmc_notif_recv *r,
			   const uint16_t *vcpus, uint32_t n)
{
	if (!common_notif_info_add(l, r->id, vcpus, n))
		return false;
	for (uint32_t i = 0; i < n; i++)
		r->vcpu_listed[vcpus[i]] = r->vcpu[vcpus[i]];
	return true;
}

/* Adds the receiver's unlisted items and marks them listed; false once
 * the lists are full. */
static bool info_visit(struct common_notif_info_out *l, struct spmc_notif_recv *r)
{
	uint16_t vcpus[COMMON_NOTIF_INFO_MAX_VCPUS];
	uint32_t n = 0;

	/* Framework notifications are global: any vCPU may collect them. */
	if ((r->global & ~r->global_listed) || (r->fwk & ~r->fwk_listed)) {
		if (!common_notif_info_add(l, r->id, NULL, 0))
			return false;
		r->global_listed = r->global;
		r->fwk_listed = r->fwk;
	}
	for (uint32_t i = 0; i < r->vcpu_count; i++) {
		if (!(r->vcpu[i] & ~r->vcpu_listed[i]))
			continue;
		vcpus[n++] = (uint16_t)i;
		if (n == COMMON_NOTIF_INFO_MAX_VCPUS) {
			if (!info_add_vcpus(l, r, vcpus, n))
				return false;
			n = 0;
		}
	}
	return n == 0 || info_add_vcpus(l, r, vcpus, n);
}

/* ---- VM slots ------------------------------------------------------------- */

/* Index in vm_order where vm_id is or would go (notif_vms_lock held). */
static uint32_t vm_order_pos(const struct ffamed_spmc *spmc, uint16_t vm_id)
{
	uint32_t lo = 0, hi = spmc->notif_vm_count;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (spmc->notif_vms[spmc->vm_order[mid]].id < vm_id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static struct spmc_notif_recv *vm_find(const struct ffamed_spmc *spmc, uint16_t vm_id,
				       uint32_t *pos)
{
	uint32_t p = vm_order_pos(spmc, vm_id);

	if (pos)
		*pos = p;
	if (p < spmc->notif_vm_count && spmc->notif_vms[spmc->vm_order[p]].id == vm_id)
		return &spmc->notif_vms[spmc->vm_order[p]];
	return NULL;
}

/* VM vm_id's bitmap, its lock held; NULL if it has none. */
static struct spmc_notif_recv *vm_lock(struct ffamed_spmc *spmc, uint16_t vm_id)
{
	struct spmc_notif_recv *r;

	spmc_lock(spmc, &spmc->notif_vms_lock);
	r = vm_find(spmc, vm_id, NULL);
	if (r)
		spmc_lock(spmc, &r->lock);
	spmc_unlock(spmc, &spmc->notif_vms_lock);
	return r;
}

int32_t spmc_notif_init(struct ffamed_spmc *spmc)
{
	const struct ffamed_spmc_env *env = &spmc->env;

	env->lock_init(env->ctx, &spmc->notif_vms_lock);
	spmc->notif_vms = env->alloc(env->ctx, sizeof(*spmc->notif_vms) * spmc->max_vms);
	spmc->vm_order = env->alloc(env->ctx, sizeof(*spmc->vm_order) * spmc->max_vms);
	if (!spmc->notif_vms || !spmc->vm_order) {
		env->free(env->ctx, spmc->notif_vms);
		env->free(env->ctx, spmc->vm_order);
		spmc->notif_vms = NULL;
		spmc->vm_order = NULL;
		env->lock_destroy(env->ctx, &spmc->notif_vms_lock);
		return FFA_RET_NO_MEMORY;
	}
	for (uint32_t i = 0; i < spmc->max_vms; i++)
		env->lock_init(env->ctx, &spmc->notif_vms[i].lock);
	return FFA_RET_OK;
}

/* Safe on a partly created SPMC (init may not have run or may have failed). */
void spmc_notif_fini(struct ffamed_spmc *spmc)
{
	const struct ffamed_spmc_env *env = &spmc->env;

	if (!spmc->notif_vms)
		return;
	for (uint32_t i = 0; i < spmc->max_vms; i++) {
		env->free(env->ctx, spmc->notif_vms[i].vcpu);
		env->lock_destroy(env->ctx, &spmc->notif_vms[i].lock);
	}
	env->free(env->ctx, spmc->notif_vms);
	env->free(env->ctx, spmc->vm_order);
	spmc->notif_vms = NULL;
	spmc->vm_order = NULL;
	env->lock_destroy(env->ctx, &spmc->notif_vms_lock);
}

int32_t spmc_notif_sp_init(struct ffamed_spmc *spmc, struct ffamed_sp *sp)
{
	struct spmc_notif_recv *r = &sp->notif;
	uint64_t *store = recv_alloc_vcpus(spmc, sp->cfg.exec_ctx_count);

	if (!store)
		return FFA_RET_NO_MEMORY;
	spmc->env.lock_init(spmc->env.ctx, &r->lock);
	r->enabled = sp->cfg.properties & FFA_PART_PROP_NOTIFICATIONS;
	r->id = sp->cfg.id;
	recv_attach_vcpus(r, store, sp->cfg.exec_ctx_count);
	atomic_init(&sp->sri_delayed, false);
	return FFA_RET_OK;
}

void spmc_notif_sp_fini(struct ffamed_spmc *spmc, struct ffamed_sp *sp)
{
	spmc->env.lock_destroy(spmc->env.ctx, &sp->notif.lock);
	spmc->env.free(spmc->env.ctx, sp->notif.vcpu);
	sp->notif.vcpu = NULL;
}

/* ---- BITMAP_CREATE / BITMAP_DESTROY ----------------------------------------- */

void spmc_notif_bitmap_create(struct ffamed_spmc *spmc, struct ffamed_regs *regs)
{
	uint32_t w1 = (uint32_t)regs->x[1];
	uint32_t vcpu_count = (uint32_t)regs->x[2];
	uint16_t vm_id = FFA_RECEIVER(w1);
	struct spmc_notif_recv *r = NULL;
	uint64_t *store;
	uint32_t pos;
	int32_t err = FFA_RET_OK;

	if ((w1 >> 16) || FFA_ID_IS_SECURE(vm_id) || vcpu_count == 0 ||
	    vcpu_count > spmc->notif_max_vcpus || !spmc_regs_mbz(regs, true, 3, 7)) {
		spmc_refuse(spmc, regs, FFA_RET_INVALID_PARAMETERS,
			    "spmc: BITMAP_CREATE(%x, %u): bad parameters", w1, vcpu_count);
		return;
	}
	if (!spmc_persona_vm_usable(spmc, vm_id)) {
		spmc_refuse(spmc, regs, FFA_RET_INVALID_PARAMETERS,
			    "spmc(%s): BITMAP_CREATE for VM %x it does not know",
			    ffamed_spmc_personality_name(spmc->persona), vm_id);
		return;
	}
	/* Allocated before the lock: the environment's allocator may sleep. */
	store = recv_alloc_vcpus(spmc, vcpu_count);

	spmc_lock(spmc, &spmc->notif_vms_lock);
	if (vm_find(spmc, vm_id, &pos)) {
		err = FFA_RET_DENIED;
		goto unlock;
	}
	if (!store || spmc->notif_vm_count == spmc->max_vms) {
		err = FFA_RET_NO_MEMORY;
		goto unlock;
	}
	for (uint32_t i = 0; i < spmc->max_vms && !r; i++) {
		if (!spmc->notif_vms[i].enabled) {
			r = &spmc->notif_vms[i];
			memmove(&spmc->vm_order[pos + 1], &spmc->vm_order[pos],
				sizeof(*spmc->vm_order) * (spmc->notif_vm_count - pos));
			spmc->vm_order[pos] = i;
		}
	}
	spmc_lock(spmc, &r->lock);
	recv_clear(r);
	recv_attach_vcpus(r, store, vcpu_count);
	r->id = vm_id;
	r->enabled = true;
	spmc_unlock(spmc, &r->lock);
	spmc->notif_vm_count++;
	store = NULL;
unlock:
	spmc_unlock(spmc, &spmc->notif_vms_lock);
	spmc->env.free(spmc->env.ctx, store);
	if (err) {
		spmc_refuse(spmc, regs, err, "spmc: BITMAP_CREATE(%x, %u) refused", vm_id,
			    vcpu_count);
		return;
	}
	ffa_set_success32(regs, 0, 0, 0);
}

void spmc_notif_bitmap_destroy(struct ffamed_spmc *spmc, struct ffamed_regs *regs)
{
	uint32_t w1 = (uint32_t)regs->x[1];
	uint16_t vm_id = FFA_RECEIVER(w1);
	struct spmc_notif_recv *r;
	uint64_t *store = NULL;
	uint32_t pos;
	int32_t err = FFA_RET_OK;

	if ((w1 >> 16) || FFA_ID_IS_SECURE(vm_id) || !spmc_regs_mbz(regs, true, 2, 7)) {
		spmc_refuse(spmc, regs, FFA_RET_INVALID_PARAMETERS,
			    "spmc: BITMAP_DESTROY(%x): bad parameters", w1);
		return;
	}
	if (!spmc_persona_vm_usable(spmc, vm_id)) {
		spmc_refuse(spmc, regs, FFA_RET_INVALID_PARAMETERS,
			    "spmc(%s): BITMAP_DESTROY for VM %x it does not know",
			    ffamed_spmc_personality_name(spmc->persona), vm_id);
		return;
	}
	spmc_lock(spmc, &spmc->notif_vms_lock);
	r = vm_find(spmc, vm_id, &pos);
	if (!r) {
		err = FFA_RET_DENIED;
		goto unlock;
	}
	spmc_lock(spmc, &r->lock);
	if (recv_pending(r)) {
		err = FFA_RET_DENIED;
	} else {
		recv_clear(r);
		store = r->vcpu;
		recv_attach_vcpus(r, NULL, 0);
		r->enabled = false;
	}
	spmc_unlock(spmc, &r->lock);
	if (!err) {
		spmc->notif_vm_count--;
		memmove(&spmc->vm_order[pos], &spmc->vm_order[pos + 1],
			sizeof(*spmc->vm_order) * (spmc->notif_vm_count - pos));
	}
unlock:
	spmc_unlock(spmc, &spmc->notif_vms_lock);
	spmc->env.free(spmc->env.ctx, store);
	if (err) {
		spmc_refuse(spmc, regs, err, "spmc: BITMAP_DESTROY(%x): %s", vm_id,
			    r ? "notifications pending" : "no bitmap");
		return;
	}
	ffa_set_success32(regs, 0, 0, 0);
}

/* ---- BIND / UNBIND (hypervisor, for a VM receiver) ----------------------------- */

void spmc_notif_bind(struct ffamed_spmc *spmc, struct ffamed_regs *regs, bool bind)
{
	uint32_t w1 = (uint32_t)regs->x[1];
	uint32_t flags = (uint32_t)regs->x[2];
	uint64_t bitmap = (uint64_t)(uint32_t)regs->x[3] | ((uint64_t)(uint32_t)regs->x[4] << 32);
	uint16_t sender = FFA_SENDER(w1);
	uint16_t receiver = FFA_RECEIVER(w1);
	uint32_t flags_ok = bind ? FFA_NOTIF_FLAG_PER_VCPU : 0;
	struct spmc_notif_recv *r;
	int32_t err;

	if (FFA_ID_IS_SECURE(receiver) || !ffamed_spmc_find_sp(spmc, sender) ||
	    (flags & ~flags_ok) || !bitmap || !spmc_regs_mbz(regs, true, 5, 7)) {
		spmc_refuse(spmc, regs, FFA_RET_INVALID_PARAMETERS,
			    "spmc: %s(%x, flags %x, %llx): bad parameters",
			    bind ? "BIND" : "UNBIND", w1, flags, (unsigned long long)bitmap);
		return;
	}
	if ((flags & FFA_NOTIF_FLAG_PER_VCPU) && !spmc_persona_per_vcpu_notif(spmc)) {
		spmc_refuse(spmc, regs, FFA_RET_DENIED, "spmc(%s): per-vCPU BIND",
			    ffamed_spmc_personality_name(spmc->persona));
		return;
	}
	r = vm_lock(spmc, receiver);
	if (!r) {
		spmc_refuse(spmc, regs, FFA_RET_NOT_SUPPORTED, "spmc: %s for VM %x: no bitmap",
			    bind ? "BIND" : "UNBIND", receiver);
		return;
	}
	if (bind)
		err = recv_bind(r, sender, flags & FFA_NOTIF_FLAG_PER_VCPU, bitmap);
	else
		err = recv_unbind(r, sender, bitmap);
	spmc_unlock(spmc, &r->lock);
	if (err) {
		spmc_refuse(spmc, regs, err, "spmc: %s(%x, %llx) refused", bind ? "BIND" : "UNBIND",
			    w1, (unsigned long long)bitmap);
		return;
	}
	ffa_set_success32(regs, 0, 0, 0);
}

/* ---- SET (hypervisor, VM sender -> SP receiver) ------------------------------ */

static bool set_flags_ok(uint32_t flags)
{
	if (flags & NOTIF_SET_FLAGS_MBZ)
		return false;
	/* The vCPU field means something only for a per-vCPU set. */
	return (flags & FFA_NOTIF_FLAG_PER_VCPU) || NOTIF_VCPU(flags) == 0;
}

void spmc_notif_set(struct ffamed_spmc *spmc, struct ffamed_regs *regs)
{
	uint32_t w1 = (uint32_t)regs->x[1];
	uint32_t flags = (uint32_t)regs->x[2];
	uint64_t bitmap = (uint64_t)(uint32_t)regs->x[3] | ((uint64_t)(uint32_t)regs->x[4] << 32);
	uint16_t sender = FFA_SENDER(w1);
	struct ffamed_sp *sp = ffamed_spmc_find_sp(spmc, FFA_RECEIVER(w1));
	int32_t err = FFA_RET_DENIED;

	/* Delaying the SRI is for SPs (secure virtual instance) only. */
	if (FFA_ID_IS_SECURE(sender) || !sp || (flags & FFA_NOTIF_SET_DELAY_SRI) ||
	    !set_flags_ok(flags) || !bitmap || !spmc_regs_mbz(regs, true, 5, 7) ||
	    ((flags & FFA_NOTIF_FLAG_PER_VCPU) && NOTIF_VCPU(flags) >= sp->cfg.exec_ctx_count)) {
		spmc_refuse(spmc, regs, FFA_RET_INVALID_PARAMETERS,
			    "spmc: SET(%x, flags %x, %llx): bad parameters", w1, flags,
			    (unsigned long long)bitmap);
		return;
	}
	spmc_lock(spmc, &sp->notif.lock);
	if (sp->notif.enabled)
		err = recv_set(&sp->notif, sender, flags, bitmap);
	spmc_unlock(spmc, &sp->notif.lock);
	if (err) {
		spmc_refuse(spmc, regs, err, "spmc: SET(%x, flags %x, %llx) refused", w1, flags,
			    (unsigned long long)bitmap);
		return;
	}
	ffa_set_success32(regs, 0, 0, 0);
}

/* ---- GET (hypervisor, for a VM receiver) ----------------------------------------- */

void spmc_notif_get(struct ffamed_spmc *spmc, struct ffamed_regs *regs)
{
	uint32_t w1 = (uint32_t)regs->x[1];
	uint32_t flags = (uint32_t)regs->x[2];
	uint16_t vm_id = FFA_NOTIF_GET_RECEIVER(w1);
	uint16_t vcpu = FFA_NOTIF_GET_VCPU(w1);
	struct spmc_notif_recv *r;
	uint64_t got = 0;
	uint32_t fwk = 0;

	/* The VM and hypervisor-framework classes are the hypervisor's own. */
	if (FFA_ID_IS_SECURE(vm_id) || (flags & ~(FFA_NOTIF_GET_SP | FFA_NOTIF_GET_SPM_FWK)) ||
	    !spmc_regs_mbz(regs, true, 3, 7)) {
		spmc_refuse(spmc, regs, FFA_RET_INVALID_PARAMETERS,
			    "spmc: GET(%x, flags %x): bad parameters", w1, flags);
		return;
	}
	r = vm_lock(spmc, vm_id);
	if (!r || vcpu >= r->vcpu_count) {
		if (r)
			spmc_unlock(spmc, &r->lock);
		spmc_refuse(spmc, regs, FFA_RET_INVALID_PARAMETERS,
			    "spmc: GET(%x): no bitmap or no such vCPU", w1);
		return;
	}
	if (flags & FFA_NOTIF_GET_SP)
		got = recv_take(r, vcpu);
	if (flags & FFA_NOTIF_GET_SPM_FWK) {
		fwk = r->fwk;
		r->fwk = 0;
		r->fwk_listed = 0;
	}
	spmc_unlock(spmc, &r->lock);
	ffa_set_success32(regs, 0, (uint32_t)got, (uint32_t)(got >> 32));
	regs->x[6] = fwk;
}

/* ---- INFO_GET --------------------------------------------------------------- */

void spmc_notif_info_get(struct ffamed_spmc *spmc, struct ffamed_regs *regs, bool is64)
{
	struct common_notif_info_out lists;
	bool room = true;

	if (!spmc_regs_mbz(regs, !is64, 1, 7)) {
		spmc_refuse(spmc, regs, FFA_RET_INVALID_PARAMETERS, "spmc: INFO_GET: x1-x7 MBZ");
		return;
	}
	common_notif_info_out_init(&lists, is64);
	spmc_lock(spmc, &spmc->notif_vms_lock);
	for (uint32_t i = 0; i < spmc->notif_vm_count && room; i++) {
		struct spmc_notif_recv *r = &spmc->notif_vms[spmc->vm_order[i]];

		spmc_lock(spmc, &r->lock);
		room = info_visit(&lists, r);
		spmc_unlock(spmc, &r->lock);
	}
	spmc_unlock(spmc, &spmc->notif_vms_lock);
	for (uint32_t i = 0; i < spmc->sp_count && room; i++) {
		struct spmc_notif_recv *r = &spmc->sps[i].notif;

		spmc_lock(spmc, &r->lock);
		room = info_visit(&lists, r);
		spmc_unlock(spmc, &r->lock);
	}
	if (!lists.list_count) {
		spmc_refuse(spmc, regs, FFA_RET_NO_DATA, "spmc: INFO_GET: nothing pending");
		return;
	}
	common_notif_info_pack(&lists, regs);
}

/* ---- The SP side ------------------------------------------------------------ */

int32_t ffamed_sp_notification_bind(struct ffamed_sp *sp, uint16_t sender_vm, uint32_t flags,
				    uint64_t bitmap)
{
	struct ffamed_spmc *spmc = sp->spmc;
	int32_t err = FFA_RET_NOT_SUPPORTED;

	if (FFA_ID_IS_SECURE(sender_vm) || (flags & ~FFA_NOTIF_FLAG_PER_VCPU) || !bitmap)
		return FFA_RET_INVALID_PARAMETERS;
	spmc_lock(spmc, &sp->notif.lock);
	if (sp->notif.enabled)
		err = recv_bind(&sp->notif, sender_vm, flags & FFA_NOTIF_FLAG_PER_VCPU, bitmap);
	spmc_unlock(spmc, &sp->notif.lock);
	return err;
}

int32_t ffamed_sp_notification_unbind(struct ffamed_sp *sp, uint16_t sender_vm, uint64_t bitmap)
{
	struct ffamed_spmc *spmc = sp->spmc;
	int32_t err = FFA_RET_NOT_SUPPORTED;

	if (FFA_ID_IS_SECURE(sender_vm) || !bitmap)
		return FFA_RET_INVALID_PARAMETERS;
	spmc_lock(spmc, &sp->notif.lock);
	if (sp->notif.enabled)
		err = recv_unbind(&sp->notif, sender_vm, bitmap);
	spmc_unlock(spmc, &sp->notif.lock);
	return err;
}

static void spmc_raise_sri(struct ffamed_spmc *spmc, uint32_t cpu)
{
	if (spmc->env.raise_sri)
		spmc->env.raise_sri(spmc->env.ctx, cpu);
}

int32_t ffamed_sp_notification_set_on(struct ffamed_sp *sp, uint32_t cpu, uint16_t receiver_vm,
				      uint32_t flags, uint64_t bitmap)
{
	struct ffamed_spmc *spmc = sp->spmc;
	struct spmc_notif_recv *r;
	int32_t err;

	if (FFA_ID_IS_SECURE(receiver_vm) || !set_flags_ok(flags) || !bitmap ||
	    cpu >= spmc->cpu_count)
		return FFA_RET_INVALID_PARAMETERS;
	r = vm_lock(spmc, receiver_vm);
	if (!r)
		return FFA_RET_DENIED;
	err = recv_set(r, sp->cfg.id, flags, bitmap);
	spmc_unlock(spmc, &r->lock);
	if (err)
		return err;
	spmc_notif_sri(spmc, sp, cpu, flags & FFA_NOTIF_SET_DELAY_SRI);
	return FFA_RET_OK;
}

int32_t ffamed_sp_notification_set(struct ffamed_sp *sp, uint16_t receiver_vm, uint32_t flags,
				   uint64_t bitmap)
{
	return ffamed_sp_notification_set_on(sp, 0, receiver_vm, flags, bitmap);
}

int32_t ffamed_sp_notification_get(struct ffamed_sp *sp, uint16_t ctx, uint64_t *vm_bitmap)
{
	struct ffamed_spmc *spmc = sp->spmc;
	int32_t err = FFA_RET_NOT_SUPPORTED;

	if (!vm_bitmap || ctx >= sp->cfg.exec_ctx_count)
		return FFA_RET_INVALID_PARAMETERS;
	*vm_bitmap = 0;
	spmc_lock(spmc, &sp->notif.lock);
	if (sp->notif.enabled) {
		*vm_bitmap = recv_take(&sp->notif, ctx);
		err = FFA_RET_OK;
	}
	spmc_unlock(spmc, &sp->notif.lock);
	return err;
}

void spmc_notif_sri(struct ffamed_spmc *spmc, struct ffamed_sp *sp, uint32_t cpu, bool delay)
{
	if (delay)
		atomic_store(&sp->sri_delayed, true);
	else
		spmc_raise_sri(spmc, cpu);
}

bool spmc_notif_fwk_update(struct ffamed_spmc *spmc, uint16_t vm_id, uint32_t bits, bool set)
{
	struct spmc_notif_recv *r = vm_lock(spmc, vm_id);

	if (!r)
		return false;
	if (set) {
		r->fwk |= bits;
		r->fwk_listed &= ~bits;
	} else {
		r->fwk &= ~bits;
		r->fwk_listed &= ~bits;
	}
	spmc_unlock(spmc, &r->lock);
	return true;
}

uint32_t ffamed_spmc_notif_fwk_pending(struct ffamed_spmc *spmc, uint16_t vm_id)
{
	struct spmc_notif_recv *r = FFA_ID_IS_SECURE(vm_id) ? NULL : vm_lock(spmc, vm_id);
	uint32_t bits = 0;

	if (r) {
		bits = r->fwk;
		spmc_unlock(spmc, &r->lock);
	}
	return bits;
}

void spmc_notif_handler_done(struct ffamed_spmc *spmc, struct ffamed_sp *sp, uint32_t cpu)
{
	if (atomic_exchange(&sp->sri_delayed, false))
		spmc_raise_sri(spmc, cpu);
}

/* ---- Introspection -------------------------------------------------------------- */

/* A receiver's state, its lock held; NULL if unknown. */
static struct spmc_notif_recv *recv_lock(struct ffamed_spmc *spmc, uint16_t id)
{
	struct ffamed_sp *sp;

	if (!FFA_ID_IS_SECURE(id))
		return vm_lock(spmc, id);
	sp = ffamed_spmc_find_sp(spmc, id);
	if (!sp)
		return NULL;
	spmc_lock(spmc, &sp->notif.lock);
	return &sp->notif;
}

bool ffamed_spmc_notif_bitmap_exists(struct ffamed_spmc *spmc, uint16_t vm_id, uint32_t *vcpu_count)
{
	struct spmc_notif_recv *r = FFA_ID_IS_SECURE(vm_id) ? NULL : vm_lock(spmc, vm_id);

	if (vcpu_count)
		*vcpu_count = r ? r->vcpu_count : 0;
	if (r)
		spmc_unlock(spmc, &r->lock);
	return r != NULL;
}

uint32_t ffamed_spmc_notif_bitmap_count(struct ffamed_spmc *spmc)
{
	uint32_t n;

	spmc_lock(spmc, &spmc->notif_vms_lock);
	n = spmc->notif_vm_count;
	spmc_unlock(spmc, &spmc->notif_vms_lock);
	return n;
}

uint64_t ffamed_spmc_notif_pending(struct ffamed_spmc *spmc, uint16_t receiver, bool per_vcpu,
				   uint16_t vcpu)
{
	struct spmc_notif_recv *r = recv_lock(spmc, receiver);
	uint64_t bits = 0;

	if (!r)
		return 0;
	if (!per_vcpu)
		bits = r->global;
	else if (vcpu < r->vcpu_count)
		bits = r->vcpu[vcpu];
	spmc_unlock(spmc, &r->lock);
	return bits;
}

uint64_t ffamed_spmc_notif_bound(struct ffamed_spmc *spmc, uint16_t receiver, uint16_t sender,
				 uint64_t *per_vcpu)
{
	struct spmc_notif_recv *r = recv_lock(spmc, receiver);
	uint64_t bits = 0;

	if (r) {
		for (int b = 0; b < SPMC_NOTIF_BITS; b++)
			if ((r->bound >> b) & 1u && r->sender[b] == sender)
				bits |= 1ull << b;
	}
	if (per_vcpu)
		*per_vcpu = r ? r->bound_per_vcpu & bits : 0;
	if (r)
		spmc_unlock(spmc, &r->lock);
	return bits;
}
