/* SPDX-License-Identifier: MIT */
/*
 * Direct requests from a VM to an SP (FFA_MSG_SEND_DIRECT_REQ_32/64,
 * FFA_MSG_SEND_DIRECT_REQ2) and FFA_RUN to resume one. Requests to VMs and
 * FFA_RUN of a VM go to med_msg_vm.c.
 *
 * FFA_RUN is bound to the vCPU whose request was preempted: when the SPMC
 * answers FFA_INTERRUPT or FFA_YIELD, that vCPU (and only it) may resume
 * exactly that SP context. Otherwise one VM could resume an SP context
 * preempted while serving another VM and steal the answer.
 *
 * No lock: the SP cache is immutable and vm->vcpus[vcpu] belongs to the
 * calling vCPU, so requests of different VMs never contend here.
 */
#include "med_host.h"
#include "med_internal.h"
#include "med_log.h"
#include "med_msg.h"
#include "med_policy.h"
#include "med_sp_cache.h"

/* Errors after which a resumable context may still be resumed. */
static bool med_run_error_transient(int32_t err)
{
	return err == FFA_RET_BUSY || err == FFA_RET_RETRY || err == FFA_RET_INTERRUPTED;
}

/*
 * Turns the SPMC's answer to a request (or an FFA_RUN resuming it) sent by
 * `vm` to `sp` into the guest's reply, in place: regs holds the answer on
 * entry and the reply on return, unless the result is an error, which the
 * caller gives back as FFA_ERROR. In place because this is the hot path of
 * every direct message: no copy of the register file either way.
 */
static int32_t med_msg_reply(struct ffamed_vm *vm, struct med_vcpu *vc, uint32_t req_fid,
			     const struct med_sp *sp, bool is_run, struct ffamed_regs *regs)
{
	uint32_t f = (uint32_t)regs->x[0];
	uint32_t w1 = (uint32_t)regs->x[1];
	uint32_t w2, w3;
	int32_t err;

	if (f == ffa_direct_resp_fid(req_fid)) {
		if (FFA_SENDER(w1) != sp->id || FFA_RECEIVER(w1) != vm->id || (regs->x[1] >> 32))
			goto aborted;
		/* Written only when set: a store on every answer would bounce the
		 * line between CPUs running other VMs' vCPUs (false sharing). */
		if (vc->run_allowed)
			vc->run_allowed = false;
		if (req_fid != FFA_MSG_SEND_DIRECT_REQ2)
			med_regs_zero_from(regs, 8);
		if (req_fid == FFA_MSG_SEND_DIRECT_REQ_32)
			for (int i = 2; i < 8; i++)
				regs->x[i] &= 0xFFFFFFFFull;
		return FFA_RET_OK;
	}
	switch (f) {
	case FFA_INTERRUPT:
	case FFA_YIELD:
		if (FFA_TARGET_EP(w1) != sp->id || FFA_TARGET_VCPU(w1) >= sp->exec_ctx_count)
			goto aborted;
		vc->run_allowed = true;
		vc->run_sp = sp->id;
		vc->run_ctx = FFA_TARGET_VCPU(w1);
		vc->run_req_fid = req_fid;
		w2 = (uint32_t)regs->x[2]; /* interrupt ID / timeout low */
		w3 = f == FFA_YIELD ? (uint32_t)regs->x[3] : 0;
		ffa_regs_clear(regs);
		regs->x[0] = f;
		regs->x[1] = w1;
		regs->x[2] = w2;
		regs->x[3] = w3;
		return FFA_RET_OK;
	case FFA_ERROR:
		err = ffa_error_code(regs);
		if (err >= 0)
			goto aborted; /* no error code: out of protocol */
		if (!is_run || !med_run_error_transient(err))
			vc->run_allowed = false;
		return err;
	default:
		break;
	}
aborted:
	med_debug(vm->med, "ffamed: VM %x: SP %x answered %s (w1 %x): aborted", (unsigned)vm->id,
		  (unsigned)sp->id, med_fid_name(f), (unsigned)w1);
	vc->run_allowed = false;
	return FFA_RET_ABORTED;
}

/* The SP's error answer, as the guest gets it: relayed as a refusal. */
static med_status med_msg_reply_status(struct med_call *call, int32_t rc)
{
	if (rc != FFA_RET_OK)
		MED_REFUSE(call, rc, "the SP or the SPMC answered with an error");
	return FFA_RET_OK;
}

med_status med_handle_direct_req(struct med_call *call)
{
	struct ffamed_vm *vm = call->vm;
	struct ffamed_regs *regs = call->regs;
	uint32_t fid = call->fid;
	struct ffamed *med = vm->med;
	struct med_vcpu *vc = &vm->vcpus[call->vcpu];
	uint32_t w1 = (uint32_t)regs->x[1];
	uint16_t receiver = FFA_RECEIVER(w1);
	const struct med_sp *sp;
	struct ffa_uuid uuid;
	uint32_t need;

	/* REQ2 below v1.2 was refused by the dispatcher. */
	if (FFA_SENDER(w1) != vm->id || (regs->x[1] >> 32))
		MED_REFUSE(call, FFA_RET_INVALID_PARAMETERS, "sender is not the caller");
	if (!FFA_ID_IS_SECURE(receiver))
		return med_msg_vm_direct_req(call);
	/* Framework messages are the hypervisor's, not a guest's. */
	if (fid != FFA_MSG_SEND_DIRECT_REQ2 && regs->x[2])
		MED_REFUSE(call, FFA_RET_INVALID_PARAMETERS, "framework message flag set");
	/* Before the lookup: without the right, whether the SP exists is
	 * none of the VM's business. */
	if (!(med_policy_grant(vm, receiver) & FFAMED_RIGHT_MSG))
		MED_REFUSE(call, FFA_RET_DENIED, "policy: no message right with the SP");
	sp = med_sp_find(med, receiver);
	if (!sp)
		MED_REFUSE(call, FFA_RET_INVALID_PARAMETERS, "no such SP");
	need = FFA_PART_PROP_DIRECT_REQ_RECV;
	if (fid == FFA_MSG_SEND_DIRECT_REQ2) {
		ffa_uuid_from_x(&uuid, regs->x[2], regs->x[3]);
		if (!ffa_uuid_is_nil(&uuid) && !med_sp_has_uuid(med, receiver, &uuid))
			MED_REFUSE(call, FFA_RET_INVALID_PARAMETERS, "the SP has no such UUID");
		need = FFA_PART_PROP_DIRECT_REQ2_RECV;
	}
	if (!(med_sp_props(med, receiver) & need))
		MED_REFUSE(call, FFA_RET_DENIED, "the SP does not receive this kind of request");
	/* A preempted request must be resumed (FFA_RUN) before a new one:
	 * a context left preempted would block that SP for everybody. The
	 * same holds for a request to a VM still outstanding. */
	if (vc->run_allowed ||
	    atomic_load_explicit(&vc->tx_state, memory_order_relaxed) != MED_VTX_IDLE)
		MED_REFUSE(call, FFA_RET_BUSY, "a preempted or outstanding request first");

	/* The request goes to the firmware in place: x0, x2.. are the guest's
	 * (checked above; already masked for REQ_32), x1 is rebuilt, and
	 * REQ_32/64 pass nothing beyond x7. */
	regs->x[1] = FFA_SENDER_RECEIVER(vm->id, receiver);
	if (fid != FFA_MSG_SEND_DIRECT_REQ2)
		med_regs_zero_from(regs, 8);
	med_fw_call(med, regs);
	return med_msg_reply_status(call, med_msg_reply(vm, vc, fid, sp, false, regs));
}

med_status med_handle_run(struct med_call *call)
{
	struct ffamed_vm *vm = call->vm;
	struct ffamed_regs *regs = call->regs;
	struct ffamed *med = vm->med;
	struct med_vcpu *vc = &vm->vcpus[call->vcpu];
	uint32_t w1 = (uint32_t)regs->x[1];
	uint16_t ep = FFA_TARGET_EP(w1);
	uint16_t ctx = FFA_TARGET_VCPU(w1);
	const struct med_sp *sp = NULL;

	if (!FFA_ID_IS_SECURE(ep) && ep != FFA_HYP_ID && med_msg_vm_available(med))
		return med_msg_vm_run(call);
	/* Existence not told without the right, as for requests. */
	if (FFA_ID_IS_SECURE(ep) && !(med_policy_grant(vm, ep) & FFAMED_RIGHT_MSG))
		MED_REFUSE(call, FFA_RET_DENIED, "policy: no message right with the SP");
	if (FFA_ID_IS_SECURE(ep))
		sp = med_sp_find(med, ep);
	if (!sp || ctx >= sp->exec_ctx_count)
		MED_REFUSE(call, FFA_RET_INVALID_PARAMETERS, "no such SP or execution context");
	if (!vc->run_allowed || vc->run_sp != ep || vc->run_ctx != ctx)
		MED_REFUSE(call, FFA_RET_DENIED, "no request of this vCPU preempted there");

	ffa_regs_clear(regs);
	regs->x[0] = FFA_RUN;
	regs->x[1] = w1;
	med_fw_call(med, regs);
	return med_msg_reply_status(call, med_msg_reply(vm, vc, vc->run_req_fid, sp, true, regs));
}

/* FFA_RUNs at teardown for one preempted request: each answer may be
 * another INTERRUPT/YIELD; bounded in case an SP never finishes. */
#define MED_DRAIN_MAX_RUNS 64u

void med_msg_vm_release_sp_contexts(struct ffamed_vm *vm)
{
	struct ffamed *med = vm->med;
	struct ffamed_regs r;

	for (uint16_t v = 0; v < vm->vcpu_count; v++) {
		struct med_vcpu *vc = &vm->vcpus[v];
		const struct med_sp *sp;

		for (uint32_t n = 0; vc->run_allowed && n < MED_DRAIN_MAX_RUNS; n++) {
			sp = med_sp_find(med, vc->run_sp);
			if (!sp) {
				vc->run_allowed = false;
				break;
			}
			ffa_regs_clear(&r);
			r.x[0] = FFA_RUN;
			r.x[1] = FFA_TARGET_INFO(vc->run_sp, vc->run_ctx);
			if (sp->exec_ctx_count > 1 && med->ops->fw_call_on)
				med->ops->fw_call_on(med->host, vc->run_ctx, &r);
			else
				med_fw_call(med, &r);
			/* Updates run_allowed; the answer itself has nobody to go to. */
			(void)med_msg_reply(vm, vc, vc->run_req_fid, sp, true, &r);
		}
		if (vc->run_allowed)
			med_err(med, "ffamed: VM %x vCPU %u: SP %x context %u left preempted",
				(unsigned)vm->id, (unsigned)v, (unsigned)vc->run_sp,
				(unsigned)vc->run_ctx);
	}
}
