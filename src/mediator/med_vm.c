/* SPDX-License-Identifier: MIT */
/*
 * VM contexts: creation and destruction (each concern's hooks, in the
 * order <concern>_vm_init before the VM is registered, _vm_teardown once
 * it leaves the registry, _vm_free last), and the VM availability
 * framework messages (VM_CREATED / VM_DESTROYED) to subscribed SPs.
 *
 * VM_DESTROYED that an SP cannot take now is retried from deferred work on
 * a record of its own (VM ID, SPs left, a host VM reference): the ffamed_vm
 * is freed when ffamed_vm_destroy() returns, whatever the SPs answer.
 */
#include "med_host.h"
#include "med_internal.h"
#include "med_lock.h"
#include "med_log.h"
#include "med_mem.h"
#include "med_msg.h"
#include "med_notif.h"
#include "med_notif_local.h"
#include "med_policy.h"
#include "med_registry.h"
#include "med_rxtx.h"
#include "med_vm.h"

/* ---- VM availability messages ------------------------------------------------- */

static bool med_avail_retryable(int32_t rc)
{
	return rc == FFA_RET_RETRY || rc == FFA_RET_INTERRUPTED || rc == FFA_RET_BUSY;
}

/* One VM_CREATED/VM_DESTROYED to one SP: the SP's status (0 or an FF-A error). */
static int32_t med_avail_send(struct ffamed *med, uint16_t sp_id, uint16_t vm_id, bool created)
{
	uint32_t type = created ? FFA_FWK_MSG_VM_CREATED : FFA_FWK_MSG_VM_DESTROYED;
	struct ffamed_regs r;
	uint32_t w1;

	ffa_regs_clear(&r);
	r.x[0] = FFA_MSG_SEND_DIRECT_REQ_32;
	r.x[1] = FFA_SENDER_RECEIVER(FFA_HYP_ID, sp_id);
	r.x[2] = FFA_FWK_MSG(type);
	r.x[3] = MED_VM_MSG_HANDLE_WORD;
	r.x[4] = MED_VM_MSG_HANDLE_WORD;
	r.x[5] = vm_id;
	med_fw_call(med, &r);

	w1 = (uint32_t)r.x[1];
	if ((uint32_t)r.x[0] == FFA_MSG_SEND_DIRECT_RESP_32 && FFA_SENDER(w1) == sp_id &&
	    FFA_RECEIVER(w1) == FFA_HYP_ID && (uint32_t)r.x[2] == FFA_FWK_MSG(type + 1))
		return (int32_t)(uint32_t)r.x[3];
	if (ffa_is_error(&r))
		return ffa_error_code(&r);
	med_warn(med, "ffamed: SP %x answered VM %s of %x with %x", (unsigned)sp_id,
		 created ? "created" : "destroyed", (unsigned)vm_id, (unsigned)(uint32_t)r.x[0]);
	return FFA_RET_ABORTED;
}

/* ---- Deferred VM_DESTROYED ----------------------------------------------------- */

static void med_pending_free(struct ffamed *med, struct med_pending_destroy *rec)
{
	med_free(med, rec->sps);
	med_free(med, rec);
}

/* Tries each SP left once; keeps those that cannot take it now. */
static void med_pending_try(struct med_pending_destroy *rec)
{
	uint32_t left = 0;
	int32_t rc;

	for (uint32_t i = 0; i < rec->sp_count; i++) {
		rc = med_avail_send(rec->med, rec->sps[i], rec->vm_id, false);
		if (med_avail_retryable(rc))
			rec->sps[left++] = rec->sps[i];
		else if (rc != FFA_RET_OK)
			med_warn(rec->med, "ffamed: SP %x refused VM_DESTROYED of %x (%d)",
				 (unsigned)rec->sps[i], (unsigned)rec->vm_id, (int)rc);
	}
	rec->sp_count = left;
}

static void med_pending_work(struct ffamed_work *work)
{
	struct med_pending_destroy *rec = work->arg;
	struct ffamed *med = rec->med;

	med_pending_try(rec);
	rec->attempts++;
	if (rec->sp_count && rec->attempts >= med->cfg.vm_msg_max_retries) {
		med_warn(med, "ffamed: gave up VM_DESTROYED of %x to %u SPs after %u tries",
			 (unsigned)rec->vm_id, (unsigned)rec->sp_count, (unsigned)rec->attempts);
		rec->sp_count = 0;
	}
	if (!rec->sp_count) {
		/* Done: drop the host VM before saying so, then never touch rec
		 * again (a reaper frees it after work_cancel_sync). */
		med->ops->vm_put(med->host, rec->host_vm);
		med_lock(med, &med->pending_lock);
		rec->done = true;
		med_unlock(med, &med->pending_lock);
		return;
	}
	med_lock(med, &med->pending_lock);
	if (!med->shutting_down &&
	    med->ops->work_schedule(med->host, &rec->work, med->cfg.vm_msg_retry_delay_ns))
		rec->unscheduled = true;
	med_unlock(med, &med->pending_lock);
}

void med_pending_reap(struct ffamed *med, bool all)
{
	struct med_pending_destroy *reap = NULL, **pp, *rec;

	med_lock(med, &med->pending_lock);
	if (all)
		med->shutting_down = true;
	for (pp = &med->pending; (rec = *pp);) {
		if (all || rec->done) {
			*pp = rec->next;
			rec->next = reap;
			reap = rec;
			continue;
		}
		/* work_schedule failed last time: this is our next chance. */
		if (rec->unscheduled &&
		    !med->ops->work_schedule(med->host, &rec->work, med->cfg.vm_msg_retry_delay_ns))
			rec->unscheduled = false;
		pp = &rec->next;
	}
	med_unlock(med, &med->pending_lock);

	while ((rec = reap)) {
		reap = rec->next;
		/* Not queued and not running once this returns. */
		med->ops->work_cancel_sync(med->host, &rec->work);
		if (!rec->done) {
			med_warn(med, "ffamed: abandoning VM_DESTROYED of %x to %u SPs",
				 (unsigned)rec->vm_id, (unsigned)rec->sp_count);
			med->ops->vm_put(med->host, rec->host_vm);
		}
		med_pending_free(med, rec);
	}
}

static bool med_pending_has_vm(struct ffamed *med, uint16_t vm_id)
{
	bool found = false;

	med_lock(med, &med->pending_lock);
	for (struct med_pending_destroy *rec = med->pending; rec && !found; rec = rec->next)
		found = !rec->done && rec->vm_id == vm_id;
	med_unlock(med, &med->pending_lock);
	return found;
}

/*
 * VM_DESTROYED to every destroyed-subscriber that was told of the VM's
 * creation (told[] indexes vm_created_sps), or to every one of them that
 * does not subscribe to creation. One try now; the rest from deferred work.
 */
static void med_vm_notify_destroyed(struct ffamed *med, uint16_t vm_id, void *host_vm,
				    const bool *told)
{
	struct med_pending_destroy *rec;
	uint32_t n = 0;

	if (!med->vm_destroyed_count)
		return;
	rec = med_alloc(med, sizeof(*rec));
	if (rec)
		rec->sps = med_alloc(med, sizeof(*rec->sps) * med->vm_destroyed_count);
	if (!rec || !rec->sps) {
		/* Still tell them once, synchronously, without a record. */
		med_free(med, rec);
		rec = NULL;
	}
	for (uint32_t d = 0; d < med->vm_destroyed_count; d++) {
		uint16_t sp = med->vm_destroyed_sps[d];
		bool send = true;
		int32_t rc;

		for (uint32_t c = 0; c < med->vm_created_count; c++)
			if (med->vm_created_sps[c] == sp)
				send = told[c];
		if (!send)
			continue;
		rc = med_avail_send(med, sp, vm_id, false);
		if (med_avail_retryable(rc) && rec)
			rec->sps[n++] = sp;
		else if (rc != FFA_RET_OK)
			med_warn(med, "ffamed: SP %x did not take VM_DESTROYED of %x (%d)",
				 (unsigned)sp, (unsigned)vm_id, (int)rc);
	}
	if (!rec)
		return;
	if (!n) {
		med_pending_free(med, rec);
		return;
	}
	rec->med = med;
	rec->vm_id = vm_id;
	rec->host_vm = host_vm;
	rec->sp_count = n;
	rec->work.fn = med_pending_work;
	rec->work.arg = rec;
	med->ops->vm_get(med->host, host_vm);
	med_lock(med, &med->pending_lock);
	rec->next = med->pending;
	med->pending = rec;
	if (med->ops->work_schedule(med->host, &rec->work, med->cfg.vm_msg_retry_delay_ns))
		rec->unscheduled = true;
	med_unlock(med, &med->pending_lock);
}

/* VM_CREATED to every subscriber, with synchronous retries. */
static int32_t med_vm_notify_created(struct ffamed *med, struct ffamed_vm *vm)
{
	int32_t rc = FFA_RET_OK;

	for (uint32_t c = 0; c < med->vm_created_count; c++) {
		uint16_t sp = med->vm_created_sps[c];

		for (uint32_t tries = 0;; tries++) {
			rc = med_avail_send(med, sp, vm->id, true);
			if (!med_avail_retryable(rc) || tries >= med->cfg.vm_msg_max_retries)
				break;
		}
		if (rc != FFA_RET_OK) {
			med_warn(med, "ffamed: SP %x refused VM_CREATED of %x (%d)", (unsigned)sp,
				 (unsigned)vm->id, (int)rc);
			return rc;
		}
		vm->created_told[c] = true;
	}
	return FFA_RET_OK;
}

/* ---- Create / destroy --------------------------------------------------------- */

static void med_vm_free(struct ffamed *med, struct ffamed_vm *vm)
{
	med_mem_vm_free(vm);
	med_msg_vm_free(vm);
	med_policy_vm_free(vm);
	med_lock_destroy(med, &vm->rxtx_lock);
	med_lock_destroy(med, &vm->version_lock);
	med_free(med, vm->created_told);
	med_free(med, vm->vcpus);
	med_notif_local_vm_free(vm);
	med_free(med, vm->rxtx.rx_pa);
	med_free(med, vm->rxtx.tx_pa);
	med_free(med, vm);
}

int32_t ffamed_vm_create(struct ffamed *med, const struct ffamed_vm_params *params,
			 struct ffamed_vm **out)
{
	struct ffamed_vm *vm;
	int32_t rc;

	if (!med || !params || !out)
		return FFA_RET_INVALID_PARAMETERS;
	*out = NULL;
	if (params->ffa_id == FFA_HYP_ID || FFA_ID_IS_SECURE(params->ffa_id) ||
	    params->vcpu_count == 0)
		return FFA_RET_INVALID_PARAMETERS;
	med_pending_reap(med, false);
	/* SPs still owed VM_DESTROYED for this ID must not hear of a new VM
	 * with it first. */
	if (med_pending_has_vm(med, params->ffa_id))
		return FFA_RET_RETRY;

	/* One block: the context, its vCPUs' notification state (written
	 * by other VMs' senders), and a cache line of padding so that the
	 * next allocation shares no line with it. */
	vm = med_alloc(med, sizeof(*vm) + sizeof(struct med_notif_vcpu) * params->vcpu_count +
				    MED_CACHE_LINE);
	if (!vm)
		return FFA_RET_NO_MEMORY;
	vm->med = med;
	vm->id = params->ffa_id;
	vm->vcpu_count = params->vcpu_count;
	vm->aarch64 = params->aarch64;
	vm->host_vm = params->host_vm;
	vm->serial = atomic_fetch_add(&med->vm_serial, 1) + 1;
	med_lock_init(med, &vm->version_lock, MED_RANK_VM_VERSION);
	med_lock_init(med, &vm->rxtx_lock, MED_RANK_VM_RXTX);
	med_msg_vm_init(vm);
	vm->vcpus = med_alloc(med, sizeof(*vm->vcpus) * vm->vcpu_count);
	vm->rxtx.tx_pa = med_alloc(med, sizeof(uint64_t) * med->cfg.rxtx_max_pages);
	vm->rxtx.rx_pa = med_alloc(med, sizeof(uint64_t) * med->cfg.rxtx_max_pages);
	vm->created_told = med_alloc(med, sizeof(bool) * (med->vm_created_count + 1));
	if (!vm->vcpus || !vm->rxtx.tx_pa || !vm->rxtx.rx_pa || !vm->created_told ||
	    med_mem_vm_init(vm) != FFA_RET_OK) {
		rc = FFA_RET_NO_MEMORY;
		goto err_free;
	}
	rc = med_policy_vm_init(vm, params->policy);
	if (rc != FFA_RET_OK)
		goto err_free;
	/* Before the VM can be found: other VMs may notify it at once. */
	rc = med_notif_local_vm_init(vm);
	if (rc != FFA_RET_OK)
		goto err_free;
	/* Reserves the ID; nothing reaches the SPMC through the registry. */
	rc = med_registry_insert(med, vm);
	if (rc != FFA_RET_OK)
		goto err_free;
	/* VM_CREATED before anything else that names the VM at the SPMC: an
	 * SPMC built for a hypervisor only knows a VM once its SPs heard of
	 * it (OP-TEE refuses the bitmap of a VM it does not know). */
	rc = med_vm_notify_created(med, vm);
	if (rc != FFA_RET_OK)
		goto err_unregister;
	med_notif_vm_bitmap_create(vm);
	*out = vm;
	return FFA_RET_OK;

err_unregister:
	/* No bitmap exists here: its creation is the last step, and cannot
	 * fail the VM. */
	med_registry_remove(med, vm);
	med_notif_local_forget_sender(med, vm->id);
	/* Only the SPs that accepted VM_CREATED. */
	med_vm_notify_destroyed(med, vm->id, vm->host_vm, vm->created_told);
err_free:
	med_vm_free(med, vm);
	return rc;
}

void ffamed_vm_destroy(struct ffamed_vm *vm)
{
	struct ffamed *med;

	if (!vm)
		return;
	med = vm->med;
	med_pending_reap(med, false);
	/* First: SP contexts it left preempted may also hold its memory. */
	med_msg_vm_release_sp_contexts(vm);
	/* Before the registry forgets it: a VM sharing with it must not see
	 * it gone while its windows are still mapped. */
	med_mem_vm_teardown(vm);
	med_rxtx_vm_teardown(vm);
	med_registry_remove(med, vm);
	/* Out of reach now: settle the direct requests it is part of. */
	med_msg_vm_teardown(vm);
	/* No BIND naming it can be in flight now (each holds a reference):
	 * a later VM with its ID must not inherit its bindings. */
	med_notif_local_forget_sender(med, vm->id);
	/* The reverse of create: the bitmap goes while the SPMC still knows
	 * the VM, VM_DESTROYED last. */
	med_notif_vm_bitmap_destroy(vm);
	med_vm_notify_destroyed(med, vm->id, vm->host_vm, vm->created_told);
	med_vm_free(med, vm);
}
