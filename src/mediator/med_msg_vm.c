/* SPDX-License-Identifier: MIT */
/*
 * Direct messages between VMs (docs/MESSAGING.md): a request blocks its
 * sender until the receiver, a vCPU waiting in FFA_MSG_WAIT, answers. The
 * mediator never waits: a call that must wait returns FFAMED_CALL_BLOCKED
 * and is finished later through the port's vcpu_resume, by whichever vCPU
 * (or teardown) makes the reply.
 *
 * All state is in struct med_vcpu, under the owning VM's msg_lock; two
 * VMs' locks in ascending ID order. A VM is named by ID and serial in the
 * other VM's state (IDs are reused after a VM is destroyed), looked up
 * through the registry when needed, never kept as a pointer.
 */
#include "med_host.h"
#include "med_internal.h"
#include "med_lock.h"
#include "med_log.h"
#include "med_msg.h"
#include "med_policy.h"
#include "med_registry.h"
#include "med_rx_owner.h"
#include "med_version.h"
#if FFAMED_CONFIG_VM_TO_VM /* ffamed/config.h; else med_compiled_out.c */

static inline uint8_t med_tx_state(const struct med_vcpu *vc)
{
	return atomic_load_explicit(&vc->tx_state, memory_order_relaxed);
}

static inline void med_tx_set(struct med_vcpu *vc, enum med_vtx st)
{
	atomic_store_explicit(&vc->tx_state, (uint8_t)st, memory_order_relaxed);
}

static void med_lock2(struct ffamed *med, struct ffamed_vm *a, struct ffamed_vm *b)
{
	med_lock_in_id_order(med, a->id, &a->msg_lock, b->id, &b->msg_lock);
}

static void med_unlock2(struct ffamed *med, struct ffamed_vm *a, struct ffamed_vm *b)
{
	med_unlock(med, &b->msg_lock);
	med_unlock(med, &a->msg_lock);
}

static void med_resume(struct ffamed_vm *vm, uint16_t vcpu, const struct ffamed_regs *regs)
{
	vm->med->ops->vcpu_resume(vm->med->host, vm->host_vm, vcpu, regs);
}

static void med_resume_simple(struct ffamed_vm *vm, uint16_t vcpu, uint32_t fid, uint32_t w1,
			      uint32_t w2, uint32_t w3)
{
	struct ffamed_regs r;

	ffa_regs_clear(&r);
	r.x[0] = fid;
	r.x[1] = w1;
	r.x[2] = w2;
	r.x[3] = w3;
	med_resume(vm, vcpu, &r);
}

static void med_error_regs(struct ffamed_regs *r, int32_t err)
{
	ffa_regs_clear(r);
	ffa_set_error(r, err);
}

static bool med_peer_is(const struct med_peer *p, const struct ffamed_vm *vm, uint16_t vcpu)
{
	return p->id == vm->id && p->serial == vm->serial && p->vcpu == vcpu;
}

/* The VM a peer record names, if it still exists (a reference), else NULL. */
static struct ffamed_vm *med_peer_get(struct ffamed *med, const struct med_peer *p)
{
	struct ffamed_vm *o = med_vm_get(med, p->id);

	if (o && o->serial != p->serial) {
		med_vm_put(o);
		o = NULL;
	}
	return o;
}

void med_msg_vm_init(struct ffamed_vm *vm)
{
	med_lock_init(vm->med, &vm->msg_lock, MED_RANK_VM_MSG);
}

void med_msg_vm_free(struct ffamed_vm *vm)
{
	med_lock_destroy(vm->med, &vm->msg_lock);
}

/* ---- Sender side ----------------------------------------------------------------- */

/* The waiting vCPU of `rv` to take a request from vCPU `vcpu`: the same
 * index if it waits, else the lowest waiting one; -1 if none. */
static int32_t med_pick_receiver(const struct ffamed_vm *rv, uint16_t vcpu)
{
	if (vcpu < rv->vcpu_count && rv->vcpus[vcpu].rx_state == MED_VRX_WAITING)
		return vcpu;
	for (uint16_t i = 0; i < rv->vcpu_count; i++)
		if (rv->vcpus[i].rx_state == MED_VRX_WAITING)
			return i;
	return -1;
}

med_status med_msg_vm_direct_req(struct med_call *call)
{
	struct ffamed_vm *vm = call->vm;
	struct ffamed_regs *regs = call->regs;
	uint32_t fid = call->fid;
	uint16_t vcpu = call->vcpu;
	struct ffamed *med = vm->med;
	struct med_vcpu *vc = &vm->vcpus[vcpu];
	uint16_t receiver = FFA_RECEIVER((uint32_t)regs->x[1]);
	struct ffamed_vm *rv;
	struct med_vcpu *rc_vcpu;
	struct ffa_uuid uuid = {0};
	med_status rc;
	int32_t r;

	/* The caller checked the sender field. */
	/* Without VM-to-VM messaging a VM is no endpoint to send to. */
	if (receiver == vm->id || receiver == FFA_HYP_ID || !med_msg_vm_available(med))
		MED_REFUSE(call, FFA_RET_INVALID_PARAMETERS,
			   "receiver is the caller, the hypervisor, or VM-to-VM is off");
	if (fid == FFA_MSG_SEND_DIRECT_REQ2) {
		ffa_uuid_from_x(&uuid, regs->x[2], regs->x[3]);
	} else if (regs->x[2]) {
		/* framework messages are the hypervisor's */
		MED_REFUSE(call, FFA_RET_INVALID_PARAMETERS, "framework message flag set");
	}
	if (!(med_policy_grant(vm, receiver) & FFAMED_RIGHT_MSG))
		MED_REFUSE(call, FFA_RET_DENIED, "policy: no message right with the receiver");
	rv = med_vm_get(med, receiver);
	if (!rv)
		MED_REFUSE(call, FFA_RET_INVALID_PARAMETERS, "no such VM");
	/* A VM offers one service: Nil, or the UUID the host gave it. */
	if (fid == FFA_MSG_SEND_DIRECT_REQ2 && !ffa_uuid_is_nil(&uuid) &&
	    !ffa_uuid_equal(&uuid, &rv->uuid)) {
		rc = MED_REFUSAL(call, FFA_RET_INVALID_PARAMETERS,
				 "a UUID the receiving VM was not given");
		goto out;
	}
	if (!(med_rights_vm(vm, rv) & FFAMED_RIGHT_MSG) ||
	    (fid == FFA_MSG_SEND_DIRECT_REQ2 &&
	     !med_version_at_least(med_vm_version(rv), FFA_VERSION_1_2))) {
		rc = MED_REFUSAL(call, FFA_RET_DENIED,
				 "policy of the receiver, or it predates DIRECT_REQ2");
		goto out;
	}
	if (vc->run_allowed) {
		rc = MED_REFUSAL(call, FFA_RET_BUSY, "a preempted request must be resumed first");
		goto out;
	}

	med_lock2(med, vm, rv);
	r = med_tx_state(vc) == MED_VTX_IDLE ? med_pick_receiver(rv, vcpu) : -1;
	if (r < 0) {
		med_unlock2(med, vm, rv);
		rc = MED_REFUSAL(call, FFA_RET_BUSY,
				 "a request outstanding, or no receiver vCPU waiting");
		goto out;
	}
	rc_vcpu = &rv->vcpus[r];
	rc_vcpu->rx_state = MED_VRX_HANDLING;
	rc_vcpu->rx_fid = fid;
	rc_vcpu->rx_from = (struct med_peer){.id = vm->id, .vcpu = vcpu, .serial = vm->serial};
	med_tx_set(vc, MED_VTX_PENDING);
	vc->tx_fid = fid;
	vc->tx_to = (struct med_peer){.id = rv->id, .vcpu = (uint16_t)r, .serial = rv->serial};
	/* The request as the receiver's FFA_MSG_WAIT returns it: x0, x2.. as
	 * the sender passed them (checked; masked for REQ_32). */
	regs->x[1] = FFA_SENDER_RECEIVER(vm->id, rv->id);
	if (fid != FFA_MSG_SEND_DIRECT_REQ2)
		med_regs_zero_from(regs, 8);
	med_resume(rv, (uint16_t)r, regs);
	med_unlock2(med, vm, rv);
	rc = MED_BLOCKED;
out:
	med_vm_put(rv);
	return rc;
}

/*
 * FFA_RUN of the receiver of a request that is settled already: the reply
 * kept for it, or ABORTED when the receiver is gone (its teardown may not
 * have reached us yet). Under vm->msg_lock. Whether it answered the RUN.
 */
static bool med_run_settled(struct med_vcpu *vc, uint16_t target, uint16_t tvcpu, bool gone,
			    struct ffamed_regs *regs)
{
	uint8_t st = med_tx_state(vc);

	if (st == MED_VTX_IDLE || vc->tx_to.id != target || vc->tx_to.vcpu != tvcpu)
		return false;
	if (st == MED_VTX_DONE)
		*regs = vc->kept;
	else if (gone && (st == MED_VTX_INTERRUPTED || st == MED_VTX_YIELDED))
		med_error_regs(regs, FFA_RET_ABORTED);
	else
		return false;
	med_tx_set(vc, MED_VTX_IDLE);
	return true;
}

med_status med_msg_vm_run(struct med_call *call)
{
	struct ffamed_vm *vm = call->vm;
	struct ffamed_regs *regs = call->regs;
	uint16_t vcpu = call->vcpu;
	struct ffamed *med = vm->med;
	struct med_vcpu *vc = &vm->vcpus[vcpu];
	uint32_t w1 = (uint32_t)regs->x[1];
	uint16_t target = FFA_TARGET_EP(w1), tvcpu = FFA_TARGET_VCPU(w1);
	struct ffamed_vm *rv;
	struct med_vcpu *rvc;
	med_status rc;

	/* A reply kept for us needs no lookup: its sender may be gone. The
	 * reply (FFA_ERROR too) is the earlier request's, not a refusal. */
	med_lock(med, &vm->msg_lock);
	if (med_run_settled(vc, target, tvcpu, false, regs)) {
		med_unlock(med, &vm->msg_lock);
		return FFA_RET_OK;
	}
	med_unlock(med, &vm->msg_lock);

	/* Without the right, whether the VM exists is not told. */
	if (target != vm->id && !(med_policy_grant(vm, target) & FFAMED_RIGHT_MSG))
		MED_REFUSE(call, FFA_RET_DENIED, "policy: no message right with the target");
	rv = target == vm->id ? NULL : med_vm_get(med, target);
	if (!rv) {
		/* Our receiver may be gone with its teardown yet to tell us. */
		med_lock(med, &vm->msg_lock);
		if (target != vm->id && med_run_settled(vc, target, tvcpu, true, regs)) {
			med_unlock(med, &vm->msg_lock);
			return FFA_RET_OK;
		}
		med_unlock(med, &vm->msg_lock);
		MED_REFUSE(call, FFA_RET_INVALID_PARAMETERS, "target is the caller or no VM");
	}
	if (tvcpu >= rv->vcpu_count) {
		rc = MED_REFUSAL(call, FFA_RET_INVALID_PARAMETERS, "no such vCPU in the target");
		goto out;
	}
	med_lock2(med, vm, rv);
	/* The reply may have come since we looked; a VM with our receiver's
	 * ID but another serial means that the receiver is gone. */
	if (med_run_settled(vc, target, tvcpu, vc->tx_to.serial != rv->serial, regs)) {
		med_unlock2(med, vm, rv);
		rc = FFA_RET_OK;
		goto out;
	}
	if ((med_tx_state(vc) != MED_VTX_INTERRUPTED && med_tx_state(vc) != MED_VTX_YIELDED) ||
	    !med_peer_is(&vc->tx_to, rv, tvcpu)) {
		med_unlock2(med, vm, rv);
		rc = MED_REFUSAL(call, FFA_RET_DENIED, "no request of this vCPU preempted there");
		goto out;
	}
	rvc = &rv->vcpus[tvcpu];
	if (rvc->rx_state == MED_VRX_YIELDED && med_peer_is(&rvc->rx_from, vm, vcpu)) {
		rvc->rx_state = MED_VRX_HANDLING;
		med_resume_simple(rv, tvcpu, FFA_SUCCESS_32, 0, 0, 0);
	}
	med_tx_set(vc, MED_VTX_PENDING);
	med_unlock2(med, vm, rv);
	rc = MED_BLOCKED;
out:
	med_vm_put(rv);
	return rc;
}

/* ---- Receiver side ------------------------------------------------------------------ */

med_status med_handle_msg_wait(struct med_call *call)
{
	struct ffamed_vm *vm = call->vm;
	struct ffamed_regs *regs = call->regs;
	uint32_t version = call->version;
	struct ffamed *med = vm->med;
	struct med_vcpu *vc = &vm->vcpus[call->vcpu];
	bool v12 = med_version_at_least(version, FFA_VERSION_1_2);
	uint32_t flags = (uint32_t)regs->x[2];
	bool handling;

	if (regs->x[1] || (flags & ~(v12 ? FFA_MSG_WAIT_FLAG_RETAIN_RX : 0u)))
		MED_REFUSE(call, FFA_RET_INVALID_PARAMETERS, "x1 not zero, or unknown flags");
	/* w3..w7; x8..x17 too from v1.2 (SMCCC 1.2 callers zero them), while
	 * an older caller may leave junk there. */
	for (int i = 3; i < (v12 ? FFA_NREGS : 8); i++)
		if (regs->x[i])
			MED_REFUSE(call, FFA_RET_INVALID_PARAMETERS, "MBZ registers not zero");
	/* A request it holds must be answered first, and a refused wait
	 * gives nothing back. Only this vCPU moves its rx_state away from
	 * RUNNING, so the answer holds once the lock is dropped. */
	med_lock(med, &vm->msg_lock);
	handling = vc->rx_state != MED_VRX_RUNNING;
	med_unlock(med, &vm->msg_lock);
	if (handling)
		MED_REFUSE(call, FFA_RET_DENIED, "a request held must be answered first");
	/* The RX goes back outside the msg lock (lock order). */
	if (med_version_at_least(version, FFA_VERSION_1_1) &&
	    !(flags & FFA_MSG_WAIT_FLAG_RETAIN_RX))
		(void)med_vm_rx_release(vm, false);

	med_lock(med, &vm->msg_lock);
	vc->rx_state = MED_VRX_WAITING;
	med_unlock(med, &vm->msg_lock);
	return MED_BLOCKED;
}

/*
 * Takes both VMs' locks for the request vCPU `vcpu` of `vm` holds: returns
 * the sender VM (a reference; NULL if it is gone, then only vm's lock is
 * held). The state is checked again under the locks by the caller.
 */
static struct ffamed_vm *med_lock_with_sender(struct ffamed_vm *vm, uint16_t vcpu,
					      struct med_peer *from)
{
	struct ffamed *med = vm->med;
	struct ffamed_vm *sv;

	med_lock(med, &vm->msg_lock);
	*from = vm->vcpus[vcpu].rx_from;
	med_unlock(med, &vm->msg_lock);
	sv = med_peer_get(med, from);
	if (sv)
		med_lock2(med, vm, sv);
	else
		med_lock(med, &vm->msg_lock);
	return sv;
}

static void med_unlock_with_sender(struct ffamed_vm *vm, struct ffamed_vm *sv)
{
	if (sv) {
		med_unlock2(vm->med, vm, sv);
		med_vm_put(sv);
	} else {
		med_unlock(vm->med, &vm->msg_lock);
	}
}

/* The sender's vCPU record if it still waits for what `vm`'s vCPU holds. */
static struct med_vcpu *med_waiting_sender(struct ffamed_vm *vm, uint16_t vcpu,
					   struct ffamed_vm *sv)
{
	const struct med_vcpu *vc = &vm->vcpus[vcpu];
	struct med_vcpu *sc;
	uint8_t st;

	if (!sv || !med_peer_is(&vc->rx_from, sv, vc->rx_from.vcpu))
		return NULL;
	sc = &sv->vcpus[vc->rx_from.vcpu];
	st = med_tx_state(sc);
	if ((st != MED_VTX_PENDING && st != MED_VTX_INTERRUPTED && st != MED_VTX_YIELDED) ||
	    !med_peer_is(&sc->tx_to, vm, vcpu))
		return NULL;
	return sc;
}

/* Hands a reply to a sender: now if it is blocked, else kept for FFA_RUN. */
static void med_reply_to_sender(struct ffamed_vm *sv, uint16_t svcpu, struct med_vcpu *sc,
				const struct ffamed_regs *reply)
{
	if (med_tx_state(sc) == MED_VTX_PENDING) {
		med_tx_set(sc, MED_VTX_IDLE);
		med_resume(sv, svcpu, reply);
		return;
	}
	sc->kept = *reply;
	med_tx_set(sc, MED_VTX_DONE);
}

med_status med_handle_direct_resp(struct med_call *call)
{
	struct ffamed_vm *vm = call->vm;
	struct ffamed_regs *regs = call->regs;
	uint32_t fid = call->fid;
	uint16_t vcpu = call->vcpu;
	struct ffamed *med = vm->med;
	struct med_vcpu *vc = &vm->vcpus[vcpu];
	uint32_t w1 = (uint32_t)regs->x[1];
	struct ffamed_vm *sv;
	struct med_vcpu *sc;
	struct med_peer from;
	med_status rc;

	sv = med_lock_with_sender(vm, vcpu, &from);
	if (vc->rx_state != MED_VRX_HANDLING) {
		rc = MED_REFUSAL(call, FFA_RET_DENIED, "no request held by this vCPU");
		goto out;
	}
	if (fid != ffa_direct_resp_fid(vc->rx_fid) || (regs->x[1] >> 32) ||
	    FFA_SENDER(w1) != vm->id || FFA_RECEIVER(w1) != vc->rx_from.id ||
	    (fid != FFA_MSG_SEND_DIRECT_RESP2 && regs->x[2])) {
		rc = MED_REFUSAL(call, FFA_RET_INVALID_PARAMETERS,
				 "response kind, endpoints or flags do not match the request");
		goto out;
	}
	/* The state may have moved between the two lock takings. */
	if (vc->rx_from.serial != from.serial) {
		rc = MED_REFUSAL(call, FFA_RET_DENIED, "the request changed meanwhile");
		goto out;
	}
	sc = med_waiting_sender(vm, vcpu, sv);
	if (sc) {
		if (fid != FFA_MSG_SEND_DIRECT_RESP2)
			med_regs_zero_from(regs, 8);
		med_reply_to_sender(sv, from.vcpu, sc, regs);
	} else {
		med_debug(med, "ffamed: VM %x vCPU %u: response to VM %x dropped: it is gone",
			  (unsigned)vm->id, (unsigned)vcpu, (unsigned)from.id);
	}
	/* A response is also a wait for the next request. */
	vc->rx_state = MED_VRX_WAITING;
	rc = MED_BLOCKED;
out:
	med_unlock_with_sender(vm, sv);
	return rc;
}

med_status med_handle_yield(struct med_call *call)
{
	struct ffamed_vm *vm = call->vm;
	struct ffamed_regs *regs = call->regs;
	uint16_t vcpu = call->vcpu;
	struct med_vcpu *vc = &vm->vcpus[vcpu];
	bool v12 = med_version_at_least(call->version, FFA_VERSION_1_2);
	uint32_t w2 = (uint32_t)regs->x[2], w3 = (uint32_t)regs->x[3];
	struct ffamed_vm *sv;
	struct med_vcpu *sc;
	struct med_peer from;
	med_status rc;

	/* The timeout (w2/w3) exists from v1.2 on. */
	if (regs->x[1] || (!v12 && (w2 || w3)))
		MED_REFUSE(call, FFA_RET_INVALID_PARAMETERS,
			   "x1 not zero, or a timeout before v1.2");
	for (int i = 4; i < 8; i++)
		if (regs->x[i])
			MED_REFUSE(call, FFA_RET_INVALID_PARAMETERS, "x4-x7 not zero");

	sv = med_lock_with_sender(vm, vcpu, &from);
	if (vc->rx_state != MED_VRX_HANDLING || vc->rx_from.serial != from.serial) {
		rc = MED_REFUSAL(call, FFA_RET_DENIED, "no request held by this vCPU");
		goto out;
	}
	sc = med_waiting_sender(vm, vcpu, sv);
	if (!sc) {
		/* Nobody will FFA_RUN us for a sender that is gone: carry on. */
		ffa_set_success32(regs, 0, 0, 0);
		rc = FFA_RET_OK;
		goto out;
	}
	if (med_tx_state(sc) == MED_VTX_PENDING)
		med_resume_simple(sv, from.vcpu, FFA_YIELD, FFA_TARGET_INFO(vm->id, vcpu), w2, w3);
	med_tx_set(sc, MED_VTX_YIELDED);
	vc->rx_state = MED_VRX_YIELDED;
	rc = MED_BLOCKED;
out:
	med_unlock_with_sender(vm, sv);
	return rc;
}

/* ---- Host hooks -------------------------------------------------------------------- */

bool ffamed_vcpu_interrupt(struct ffamed_vm *vm, uint16_t vcpu)
{
	struct ffamed *med;
	struct med_vcpu *vc;
	bool was_blocked = true;

	if (!vm || vcpu >= vm->vcpu_count || !vm->med->ops->vcpu_resume)
		return false;
	med = vm->med;
	vc = &vm->vcpus[vcpu];
	med_lock(med, &vm->msg_lock);
	if (med_tx_state(vc) == MED_VTX_PENDING) {
		med_tx_set(vc, MED_VTX_INTERRUPTED);
		med_resume_simple(vm, vcpu, FFA_INTERRUPT,
				  FFA_TARGET_INFO(vc->tx_to.id, vc->tx_to.vcpu), 0, 0);
	} else if (vc->rx_state == MED_VRX_WAITING) {
		vc->rx_state = MED_VRX_RUNNING;
		med_resume_simple(vm, vcpu, FFA_INTERRUPT, 0, 0, 0);
	} else if (vc->rx_state == MED_VRX_YIELDED) {
		/* Still holds the request: it answers it once running again. */
		vc->rx_state = MED_VRX_HANDLING;
		med_resume_simple(vm, vcpu, FFA_INTERRUPT, 0, 0, 0);
	} else {
		was_blocked = false;
	}
	med_unlock(med, &vm->msg_lock);
	return was_blocked;
}

/* ---- Teardown ------------------------------------------------------------------------ */

void med_msg_vm_teardown(struct ffamed_vm *vm)
{
	struct ffamed *med = vm->med;
	struct ffamed_regs aborted;

	if (!med->ops->vcpu_resume)
		return;
	med_error_regs(&aborted, FFA_RET_ABORTED);
	for (uint16_t v = 0; v < vm->vcpu_count; v++) {
		struct med_vcpu *vc = &vm->vcpus[v];
		struct med_peer from = {0}, to = {0};
		bool had_rx, had_tx;
		struct ffamed_vm *o;

		/* Out of the registry: nobody can reach this VM's state any
		 * more, but peers still name it; their state is what to fix. */
		med_lock(med, &vm->msg_lock);
		had_rx = vc->rx_state == MED_VRX_HANDLING || vc->rx_state == MED_VRX_YIELDED;
		had_tx = med_tx_state(vc) != MED_VTX_IDLE && med_tx_state(vc) != MED_VTX_DONE;
		from = vc->rx_from;
		to = vc->tx_to;
		vc->rx_state = MED_VRX_RUNNING;
		med_tx_set(vc, MED_VTX_IDLE);
		med_unlock(med, &vm->msg_lock);

		/* A request it held: its sender gets ABORTED. */
		if (had_rx && (o = med_peer_get(med, &from))) {
			struct med_vcpu *sc = &o->vcpus[from.vcpu];

			med_lock(med, &o->msg_lock);
			if (med_tx_state(sc) != MED_VTX_IDLE && med_tx_state(sc) != MED_VTX_DONE &&
			    med_peer_is(&sc->tx_to, vm, v))
				med_reply_to_sender(o, from.vcpu, sc, &aborted);
			med_unlock(med, &o->msg_lock);
			med_vm_put(o);
		}
		/* A request it sent: a receiver yielded on its behalf would wait
		 * for an FFA_RUN that never comes. Its response will be dropped. */
		if (had_tx && (o = med_peer_get(med, &to))) {
			struct med_vcpu *rvc = &o->vcpus[to.vcpu];

			med_lock(med, &o->msg_lock);
			if (rvc->rx_state == MED_VRX_YIELDED && med_peer_is(&rvc->rx_from, vm, v)) {
				rvc->rx_state = MED_VRX_HANDLING;
				med_resume_simple(o, to.vcpu, FFA_SUCCESS_32, 0, 0, 0);
			}
			med_unlock(med, &o->msg_lock);
			med_vm_put(o);
		}
	}
}
#endif /* FFAMED_CONFIG_VM_TO_VM */
