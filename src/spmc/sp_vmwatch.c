/* SPDX-License-Identifier: MIT */
/*
 * The VMWATCH SP: subscribed to VM created/destroyed messages, it keeps
 * the set of VMs the hypervisor announced, and can be told to fail some
 * or all announcements so that a mediator's retry logic gets exercised.
 */
#include "ffamed/ffa_regs.h"
#include "ffamed/sp_builtin.h"

static const struct ffa_uuid vmwatch_uuid = FFAMED_SP_VMWATCH_UUID;

/* The status forced by the test knobs for this message, or 0. */
static int32_t vmwatch_forced_status(struct ffamed_sp_vmwatch *st)
{
	int32_t always = atomic_load(&st->fail_always);
	uint32_t n = atomic_load(&st->fail_next);

	if (always)
		return always;
	while (n > 0) {
		if (atomic_compare_exchange_weak(&st->fail_next, &n, n - 1))
			return atomic_load(&st->fail_next_status);
	}
	return 0;
}

static int32_t vmwatch_vm_availability(struct ffamed_sp *sp, bool created, uint16_t vm_id)
{
	struct ffamed_sp_vmwatch *st = ffamed_sp_priv(sp);
	uint64_t bit = 1ull << (vm_id % 64);
	int32_t status;
	uint64_t old;

	atomic_fetch_add(created ? &st->created_msgs : &st->destroyed_msgs, 1);
	status = vmwatch_forced_status(st);
	if (status || vm_id >= FFAMED_SP_VMWATCH_IDS)
		return status ? status : FFA_RET_INVALID_PARAMETERS;
	if (created) {
		old = atomic_fetch_or(&st->live[vm_id / 64], bit);
		if (old & bit)
			atomic_fetch_add(&st->duplicate_created, 1);
	} else {
		old = atomic_fetch_and(&st->live[vm_id / 64], ~bit);
		if (!(old & bit))
			atomic_fetch_add(&st->unknown_destroyed, 1);
	}
	return 0;
}

static enum ffamed_sp_action
vmwatch_direct_req(struct ffamed_sp *sp, const struct ffamed_sp_msg *msg, struct ffamed_regs *resp)
{
	int p = msg->fid == FFA_MSG_SEND_DIRECT_REQ2 ? 4 : 3;

	resp->x[p] = ffamed_sp_vmwatch_live_count(ffamed_sp_priv(sp));
	return FFAMED_SP_RESPOND;
}

static const struct ffamed_sp_ops vmwatch_ops = {
	.direct_req = vmwatch_direct_req,
	.vm_availability = vmwatch_vm_availability,
};

void ffamed_sp_vmwatch_config(struct ffamed_sp_config *cfg, struct ffamed_sp_vmwatch *state,
			      uint16_t id, uint16_t exec_ctx_count)
{
	for (uint32_t i = 0; i < FFAMED_SP_VMWATCH_IDS / 64; i++)
		atomic_init(&state->live[i], 0);
	atomic_init(&state->created_msgs, 0);
	atomic_init(&state->destroyed_msgs, 0);
	atomic_init(&state->duplicate_created, 0);
	atomic_init(&state->unknown_destroyed, 0);
	atomic_init(&state->fail_next, 0);
	atomic_init(&state->fail_next_status, 0);
	atomic_init(&state->fail_always, 0);
	memset(cfg, 0, sizeof(*cfg));
	cfg->name = "vmwatch";
	cfg->id = id;
	cfg->exec_ctx_count = exec_ctx_count;
	cfg->properties = FFAMED_SP_VMWATCH_PROPS;
	cfg->uuid_count = 1;
	cfg->uuids[0] = vmwatch_uuid;
	cfg->version = FFA_VERSION_1_2;
	cfg->ops = &vmwatch_ops;
	cfg->priv = state;
}

bool ffamed_sp_vmwatch_is_live(struct ffamed_sp_vmwatch *state, uint16_t vm_id)
{
	if (vm_id >= FFAMED_SP_VMWATCH_IDS)
		return false;
	return (atomic_load(&state->live[vm_id / 64]) >> (vm_id % 64)) & 1;
}

uint32_t ffamed_sp_vmwatch_live_count(struct ffamed_sp_vmwatch *state)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < FFAMED_SP_VMWATCH_IDS / 64; i++)
		for (uint64_t w = atomic_load(&state->live[i]); w; w &= w - 1)
			n++;
	return n;
}

uint64_t ffamed_sp_vmwatch_created_msgs(struct ffamed_sp_vmwatch *state)
{
	return atomic_load(&state->created_msgs);
}

uint64_t ffamed_sp_vmwatch_destroyed_msgs(struct ffamed_sp_vmwatch *state)
{
	return atomic_load(&state->destroyed_msgs);
}

void ffamed_sp_vmwatch_fail_next(struct ffamed_sp_vmwatch *state, int32_t status, uint32_t n)
{
	atomic_store(&state->fail_next_status, status);
	atomic_store(&state->fail_next, n);
}

void ffamed_sp_vmwatch_fail_always(struct ffamed_sp_vmwatch *state, int32_t status)
{
	atomic_store(&state->fail_always, status);
}
