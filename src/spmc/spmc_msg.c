/* SPDX-License-Identifier: MIT */
/*
 * Direct messaging from the normal world to SPs, and the SPs' execution
 * contexts: FFA_MSG_SEND_DIRECT_REQ_32/64, FFA_MSG_SEND_DIRECT_REQ2, the
 * VM availability framework messages, and FFA_RUN to resume a context that
 * was preempted (FFA_INTERRUPT) or yielded (FFA_YIELD).
 *
 * A UP SP has one migratable context; an MP SP has one per CPU and a
 * request on CPU k runs on context k. A context runs one request at a
 * time: the handler is called with no SPMC lock held, the context being
 * marked RUNNING meanwhile so that nobody else enters it.
 */
#include "spmc_base.h"
#include "spmc_msg.h"
#include "spmc_notif.h"
#include "spmc_persona.h"

/* ---- Context state machine ---------------------------------------------------- */

/* Marks an idle context RUNNING for msg. */
static bool ctx_claim(struct ffamed_spmc *spmc, struct ffamed_sp *sp, uint16_t idx)
{
	bool ok;

	spmc_lock(spmc, &sp->ctx_lock);
	ok = sp->ctx[idx].state == FFAMED_SPMC_CTX_IDLE;
	if (ok)
		sp->ctx[idx].state = FFAMED_SPMC_CTX_RUNNING;
	spmc_unlock(spmc, &sp->ctx_lock);
	return ok;
}

enum ffamed_spmc_ctx_state ffamed_spmc_ctx_state(struct ffamed_spmc *spmc, uint16_t sp_id,
						 uint16_t ctx)
{
	struct ffamed_sp *sp = ffamed_spmc_find_sp(spmc, sp_id);
	enum ffamed_spmc_ctx_state state;

	if (!sp || ctx >= sp->cfg.exec_ctx_count)
		return FFAMED_SPMC_CTX_INVALID;
	spmc_lock(spmc, &sp->ctx_lock);
	state = sp->ctx[ctx].state;
	spmc_unlock(spmc, &sp->ctx_lock);
	return state;
}

/* ---- Tracing --------------------------------------------------------------------- */

void ffamed_spmc_set_tracer(struct ffamed_spmc *spmc, const struct ffamed_spmc_tracer *tracer)
{
	atomic_store_explicit(&spmc->tracer, tracer, memory_order_release);
}

static void sp_trace(const struct ffamed_spmc_tracer *tracer, const struct ffamed_sp *sp,
		     const struct ffamed_sp_msg *msg, enum ffamed_sp_action action,
		     uint64_t t_start)
{
	/* Payload P[0] is x3 for REQ_32/64 and x4 for REQ2. */
	int p0 = msg->fid == FFA_MSG_SEND_DIRECT_REQ2 ? 4 : 3;
	struct ffamed_sp_trace_rec rec = {
		.sp_id = sp->cfg.id,
		.ctx = msg->ctx,
		.sender = msg->sender,
		.fid = msg->fid,
		.cpu = msg->cpu,
		.resumed = msg->resumed,
		.action = (uint32_t)action,
		.payload = {msg->regs.x[p0], msg->regs.x[p0 + 1]},
		.t_start_ns = t_start,
		.t_end_ns = tracer->now_ns ? tracer->now_ns(tracer->ctx) : 0,
	};

	tracer->record(tracer->ctx, &rec);
}

/*
 * Runs the SP handler for msg on a context already marked RUNNING, then
 * parks or frees the context and writes what the normal world sees.
 */
static void ctx_run(struct ffamed_spmc *spmc, struct ffamed_sp *sp, struct ffamed_sp_msg *msg,
		    uint32_t cpu, struct ffamed_regs *regs)
{
	struct ffamed_regs resp;
	enum ffamed_sp_action action = FFAMED_SP_RESPOND;
	enum ffamed_spmc_ctx_state next = FFAMED_SPMC_CTX_IDLE;
	struct spmc_ctx *ctx = &sp->ctx[msg->ctx];
	uint16_t sp_id = sp->cfg.id;

	const struct ffamed_spmc_tracer *tracer =
		atomic_load_explicit(&spmc->tracer, memory_order_acquire);
	uint64_t t_start = 0;

	ffa_regs_clear(&resp);
	msg->cpu = cpu;
	if (tracer && tracer->now_ns)
		t_start = tracer->now_ns(tracer->ctx);
	if (sp->cfg.ops->direct_req)
		action = sp->cfg.ops->direct_req(sp, msg, &resp);
	if (tracer)
		sp_trace(tracer, sp, msg, action, t_start);
	/* The SP gives the CPU back to the normal world: its delayed SRI fires. */
	spmc_notif_handler_done(spmc, sp, cpu);
	if (action == FFAMED_SP_INTERRUPT)
		next = FFAMED_SPMC_CTX_PREEMPTED;
	else if (action == FFAMED_SP_YIELD)
		next = FFAMED_SPMC_CTX_YIELDED;
	else
		action = FFAMED_SP_RESPOND;

	spmc_lock(spmc, &sp->ctx_lock);
	ctx->state = next;
	if (next != FFAMED_SPMC_CTX_IDLE)
		ctx->msg = *msg;
	spmc_unlock(spmc, &sp->ctx_lock);

	ffa_regs_clear(regs);
	if (action != FFAMED_SP_RESPOND) {
		regs->x[0] = action == FFAMED_SP_INTERRUPT ? FFA_INTERRUPT : FFA_YIELD;
		regs->x[1] = FFA_TARGET_INFO(sp_id, msg->ctx);
		return;
	}
	regs->x[0] = ffa_direct_resp_fid(msg->fid);
	regs->x[1] = FFA_SENDER_RECEIVER(sp_id, msg->sender);
	if (msg->fid == FFA_MSG_SEND_DIRECT_REQ2) {
		for (int i = 4; i < FFA_NREGS; i++)
			regs->x[i] = resp.x[i];
	} else {
		bool is32 = msg->fid == FFA_MSG_SEND_DIRECT_REQ_32;

		for (int i = 3; i <= 7; i++)
			regs->x[i] = is32 ? (uint32_t)resp.x[i] : resp.x[i];
	}
}

/* Which context serves a request on `cpu`; false if none can. */
static bool ctx_for_cpu(const struct ffamed_sp *sp, uint32_t cpu, uint16_t *idx)
{
	if (sp->cfg.exec_ctx_count == 1) {
		*idx = 0;
		return true;
	}
	if (cpu >= sp->cfg.exec_ctx_count)
		return false;
	*idx = (uint16_t)cpu;
	return true;
}

/* ---- VM availability ------------------------------------------------------------ */

static void spmc_vm_availability(struct ffamed_spmc *spmc, struct ffamed_sp *sp, uint32_t cpu,
				 struct ffamed_regs *regs, uint32_t type)
{
	bool created = type == FFA_FWK_MSG_VM_CREATED;
	uint32_t need = created ? FFA_PART_PROP_VM_CREATED : FFA_PART_PROP_VM_DESTROYED;
	uint16_t sender = FFA_SENDER(regs->x[1]);
	uint16_t vm_id = (uint16_t)regs->x[5];
	uint16_t idx;
	int32_t status = 0;

	/* Only the hypervisor tells SPs about VMs, and only subscribers. */
	if (sender != FFA_HYP_ID || !(sp->cfg.properties & need) ||
	    !(sp->cfg.properties & FFA_PART_PROP_DIRECT_REQ_RECV) || vm_id == 0 ||
	    FFA_ID_IS_SECURE(vm_id)) {
		spmc_refuse(spmc, regs, FFA_RET_INVALID_PARAMETERS,
			    "spmc: VM availability %x from %x to SP %x for VM %x", type, sender,
			    sp->cfg.id, vm_id);
		return;
	}
	if (!ctx_for_cpu(sp, cpu, &idx)) {
		spmc_refuse(spmc, regs, FFA_RET_INVALID_PARAMETERS, "spmc: SP %x has no context %u",
			    sp->cfg.id, cpu);
		return;
	}
	if (!ctx_claim(spmc, sp, idx)) {
		spmc_refuse(spmc, regs, FFA_RET_BUSY, "spmc: SP %x context %u busy", sp->cfg.id,
			    idx);
		return;
	}
	if (sp->cfg.ops->vm_availability)
		status = sp->cfg.ops->vm_availability(sp, created, vm_id);
	if (status == 0)
		spmc_persona_vm_event(spmc, vm_id, created);
	spmc_notif_handler_done(spmc, sp, cpu);
	spmc_lock(spmc, &sp->ctx_lock);
	sp->ctx[idx].state = FFAMED_SPMC_CTX_IDLE;
	spmc_unlock(spmc, &sp->ctx_lock);

	ffa_regs_clear(regs);
	regs->x[0] = FFA_MSG_SEND_DIRECT_RESP_32;
	regs->x[1] = FFA_SENDER_RECEIVER(sp->cfg.id, FFA_HYP_ID);
	regs->x[2] =
		FFA_FWK_MSG(created ? FFA_FWK_MSG_VM_CREATED_RESP : FFA_FWK_MSG_VM_DESTROYED_RESP);
	regs->x[3] = (uint32_t)status;
}

/* ---- Direct requests ----------------------------------------------------------- */

static bool sp_has_uuid(const struct ffamed_sp *sp, const struct ffa_uuid *uuid)
{
	for (uint32_t i = 0; i < sp->cfg.uuid_count; i++)
		if (ffa_uuid_equal(&sp->cfg.uuids[i], uuid))
			return true;
	return false;
}

void spmc_msg_direct_req(struct ffamed_spmc *spmc, uint32_t cpu, struct ffamed_regs *regs,
			 uint32_t fid, uint32_t version)
{
	bool is32 = fid == FFA_MSG_SEND_DIRECT_REQ_32;
	bool req2 = fid == FFA_MSG_SEND_DIRECT_REQ2;
	struct ffamed_sp_msg msg = {.fid = fid};
	uint16_t receiver;
	struct ffamed_sp *sp;
	uint32_t need = req2 ? FFA_PART_PROP_DIRECT_REQ2_RECV : FFA_PART_PROP_DIRECT_REQ_RECV;

	(void)version; /* REQ2 is gated to v1.2 callers by the dispatcher */
	/* SMC32: only w1..w7 count; v1.3's x8..x17 payload for REQ_64 is not ours. */
	for (int i = 1; i < FFA_NREGS; i++) {
		if (i > 7 && !req2)
			break;
		msg.regs.x[i] = is32 ? (uint32_t)regs->x[i] : regs->x[i];
	}
	msg.regs.x[0] = fid;
	msg.sender = FFA_SENDER(msg.regs.x[1]);
	receiver = FFA_RECEIVER(msg.regs.x[1]);

	if ((msg.regs.x[1] >> 32) || FFA_ID_IS_SECURE(msg.sender)) {
		spmc_refuse(spmc, regs, FFA_RET_INVALID_PARAMETERS,
			    "spmc: direct request from a non normal-world sender %x", msg.sender);
		return;
	}
	sp = ffamed_spmc_find_sp(spmc, receiver);
	if (!sp) {
		spmc_refuse(spmc, regs, FFA_RET_INVALID_PARAMETERS,
			    "spmc: direct request to %x: no such SP", receiver);
		return;
	}
	if (req2) {
		struct ffa_uuid uuid;

		ffa_uuid_from_x(&uuid, msg.regs.x[2], msg.regs.x[3]);
		if (!ffa_uuid_is_nil(&uuid) && !sp_has_uuid(sp, &uuid)) {
			spmc_refuse(spmc, regs, FFA_RET_INVALID_PARAMETERS,
				    "spmc: REQ2 to SP %x: UUID not served", receiver);
			return;
		}
	} else if (msg.regs.x[2] & FFA_MSG_FLAG_FRAMEWORK) {
		uint64_t w2 = msg.regs.x[2];
		uint32_t type = (uint32_t)w2 & FFA_MSG_FRAMEWORK_TYPE_MASK;

		if (!spmc_persona_vm_availability(spmc)) {
			spmc_refuse(spmc, regs, FFA_RET_NOT_SUPPORTED,
				    "spmc(%s): framework message %lx",
				    ffamed_spmc_personality_name(spmc->persona), (unsigned long)w2);
			return;
		}
		if (!is32 || w2 != FFA_FWK_MSG(type) ||
		    (type != FFA_FWK_MSG_VM_CREATED && type != FFA_FWK_MSG_VM_DESTROYED)) {
			spmc_refuse(spmc, regs, FFA_RET_INVALID_PARAMETERS,
				    "spmc: framework message %lx (fid %x) not accepted",
				    (unsigned long)w2, fid);
			return;
		}
		spmc_vm_availability(spmc, sp, cpu, regs, type);
		return;
	} else if (msg.regs.x[2]) {
		spmc_refuse(spmc, regs, FFA_RET_INVALID_PARAMETERS,
			    "spmc: direct request flags %lx MBZ", (unsigned long)msg.regs.x[2]);
		return;
	}
	if (!(sp->cfg.properties & need)) {
		spmc_refuse(spmc, regs, FFA_RET_DENIED, "spmc: SP %x does not take %x", receiver,
			    fid);
		return;
	}
	if (spmc_persona_refuse_request(spmc, sp, msg.sender, fid, regs))
		return;
	if (!ctx_for_cpu(sp, cpu, &msg.ctx)) {
		spmc_refuse(spmc, regs, FFA_RET_INVALID_PARAMETERS, "spmc: SP %x has no context %u",
			    receiver, cpu);
		return;
	}
	if (!ctx_claim(spmc, sp, msg.ctx)) {
		spmc_refuse(spmc, regs, FFA_RET_BUSY, "spmc: SP %x context %u busy", receiver,
			    msg.ctx);
		return;
	}
	ctx_run(spmc, sp, &msg, cpu, regs);
}

/* ---- FFA_RUN ----------------------------------------------------------------- */

void spmc_msg_run(struct ffamed_spmc *spmc, uint32_t cpu, struct ffamed_regs *regs)
{
	uint32_t w1 = (uint32_t)regs->x[1];
	uint16_t idx = FFA_TARGET_VCPU(w1);
	struct ffamed_sp *sp = ffamed_spmc_find_sp(spmc, FFA_TARGET_EP(w1));
	struct ffamed_sp_msg msg = {0};
	enum ffamed_spmc_ctx_state state;

	if (!spmc_regs_mbz(regs, true, 2, 7) || !sp || idx >= sp->cfg.exec_ctx_count) {
		spmc_refuse(spmc, regs, FFA_RET_INVALID_PARAMETERS, "spmc: FFA_RUN(%x): bad target",
			    w1);
		return;
	}
	/* An MP SP's context is pinned to its CPU. */
	if (sp->cfg.exec_ctx_count > 1 && cpu != idx) {
		spmc_refuse(spmc, regs, FFA_RET_DENIED, "spmc: FFA_RUN(%x) from CPU %u", w1, cpu);
		return;
	}
	spmc_lock(spmc, &sp->ctx_lock);
	state = sp->ctx[idx].state;
	if (state == FFAMED_SPMC_CTX_PREEMPTED || state == FFAMED_SPMC_CTX_YIELDED) {
		sp->ctx[idx].state = FFAMED_SPMC_CTX_RUNNING;
		sp->ctx[idx].msg.resumed++;
		msg = sp->ctx[idx].msg;
	}
	spmc_unlock(spmc, &sp->ctx_lock);

	if (state == FFAMED_SPMC_CTX_RUNNING) {
		spmc_refuse(spmc, regs, FFA_RET_BUSY, "spmc: FFA_RUN(%x): running", w1);
		return;
	}
	if (state == FFAMED_SPMC_CTX_IDLE) {
		spmc_refuse(spmc, regs, FFA_RET_DENIED, "spmc: FFA_RUN(%x): nothing to resume", w1);
		return;
	}
	ctx_run(spmc, sp, &msg, cpu, regs);
}
