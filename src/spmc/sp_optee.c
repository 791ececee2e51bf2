/* SPDX-License-Identifier: MIT */
/*
 * The OP-TEE SP: the part of OP-TEE's FF-A protocol that a Linux guest uses
 * to probe it (versions, capabilities, asynchronous notifications) and the
 * yielding calls it makes while probing, answered as an OP-TEE with no
 * trusted application would. Shared memory is reached through the
 * ffamed_sp_optee_mem the host gives it. Protocol and values in sp_builtin.h.
 */
#include "ffamed/ffa_regs.h"
#include "ffamed/sp_builtin.h"
#include "sp_optee_internal.h"

static const struct ffa_uuid optee_uuid = FFAMED_SP_OPTEE_UUID;

static int optee_slot(uint32_t cmd)
{
	if (cmd <= FFAMED_OPTEE_ENABLE_ASYNC_NOTIF)
		return (int)cmd;
	if (cmd == FFAMED_OPTEE_YIELDING_CALL_WITH_ARG)
		return FFAMED_OPTEE_SLOT_YIELDING;
	return FFAMED_OPTEE_SLOT_UNKNOWN;
}

static uint16_t optee_sender(const struct ffamed_sp_msg *msg)
{
	return msg->sender;
}

static uint64_t optee_handle(const struct ffamed_sp_msg *msg)
{
	return (msg->regs.x[4] & 0xFFFFFFFFull) | ((msg->regs.x[5] & 0xFFFFFFFFull) << 32);
}

/* Little-endian 32-bit accesses to guest-shared bytes, one load each. */
static uint32_t arg_read32(const volatile uint8_t *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
	       ((uint32_t)p[3] << 24);
}

static void arg_write32(volatile uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* A yielding call: answer the command in the shared struct optee_msg_arg. */
static void optee_yielding(struct ffamed_sp *sp, struct ffamed_sp_optee *st,
			   const struct ffamed_sp_msg *msg, struct ffamed_regs *resp)
{
	const struct ffamed_sp_optee_mem *mem = atomic_load(&st->mem);
	volatile uint8_t *arg = NULL;
	uint32_t cmd, ret;

	resp->x[3] = FFAMED_TEEC_ERROR_BAD_PARAMETERS;
	resp->x[4] = FFAMED_OPTEE_YIELDING_DONE;
	if (mem && mem->map)
		arg = mem->map(mem->ctx, sp, optee_sender(msg), optee_handle(msg),
			       msg->regs.x[6] & 0xFFFFFFFFull, FFAMED_OPTEE_MSG_ARG_HDR);
	if (!arg)
		return;
	/* The guest may change the arg under us: read the command once. */
	cmd = arg_read32(arg + FFAMED_OPTEE_MSG_ARG_CMD);
	if (cmd >= FFAMED_OPTEE_MSG_CMD_CLOSE_SESSION &&
	    cmd <= FFAMED_OPTEE_MSG_CMD_STOP_ASYNC_NOTIF)
		ret = FFAMED_TEEC_SUCCESS;
	else
		ret = FFAMED_TEEC_ERROR_ITEM_NOT_FOUND;
	arg_write32(arg + FFAMED_OPTEE_MSG_ARG_RET, ret);
	arg_write32(arg + FFAMED_OPTEE_MSG_ARG_RET_ORIGIN, FFAMED_TEEC_ORIGIN_TEE);
	atomic_fetch_add(&st->args_answered, 1);
	resp->x[3] = FFAMED_TEEC_SUCCESS;
}

/* ENABLE_ASYNC_NOTIF: signal the bottom-half notification once, as OP-TEE
 * does when it has deferred work, so the VM's handler runs. */
static void optee_enable_async(struct ffamed_sp *sp, struct ffamed_sp_optee *st,
			       const struct ffamed_sp_msg *msg, struct ffamed_regs *resp)
{
	uint32_t id = (uint32_t)msg->regs.x[4];

	if (id >= 64) {
		resp->x[3] = FFAMED_TEEC_ERROR_BAD_PARAMETERS;
		return;
	}
	if (ffamed_sp_notification_set_on(sp, msg->cpu, optee_sender(msg), FFA_NOTIF_SET_DELAY_SRI,
					  1ull << id) == FFA_RET_OK)
		atomic_fetch_add(&st->notifs_set, 1);
	else
		atomic_fetch_add(&st->notif_failures, 1);
	resp->x[3] = 0;
}

static enum ffamed_sp_action optee_direct_req(struct ffamed_sp *sp, const struct ffamed_sp_msg *msg,
					      struct ffamed_regs *resp)
{
	struct ffamed_sp_optee *st = ffamed_sp_priv(sp);
	const struct ffamed_sp_optee_mem *mem;
	uint32_t cmd = (uint32_t)msg->regs.x[3];

	/* REQ2 never reaches here: the SP does not advertise it. */
	atomic_fetch_add(&st->calls[optee_slot(cmd)], 1);
	switch (cmd) {
	case FFAMED_OPTEE_GET_API_VERSION:
		resp->x[3] = FFAMED_OPTEE_API_MAJOR;
		resp->x[4] = FFAMED_OPTEE_API_MINOR;
		break;
	case FFAMED_OPTEE_GET_OS_VERSION:
		resp->x[3] = FFAMED_OPTEE_OS_MAJOR;
		resp->x[4] = FFAMED_OPTEE_OS_MINOR;
		resp->x[5] = FFAMED_OPTEE_OS_BUILD_ID;
		break;
	case FFAMED_OPTEE_EXCHANGE_CAPABILITIES:
		resp->x[3] = 0;
		resp->x[4] = FFAMED_OPTEE_RPC_PARAMS;
		resp->x[5] = FFAMED_OPTEE_CAP_ARG_OFFSET | FFAMED_OPTEE_CAP_ASYNC_NOTIF;
		break;
	case FFAMED_OPTEE_UNREGISTER_SHM:
		mem = atomic_load(&st->mem);
		if (mem && mem->release)
			mem->release(mem->ctx, sp, optee_sender(msg), optee_handle(msg));
		resp->x[3] = 0;
		break;
	case FFAMED_OPTEE_ENABLE_ASYNC_NOTIF:
		optee_enable_async(sp, st, msg, resp);
		break;
	case FFAMED_OPTEE_YIELDING_CALL_WITH_ARG:
		optee_yielding(sp, st, msg, resp);
		break;
	default:
		resp->x[3] = FFAMED_TEEC_ERROR_BAD_PARAMETERS;
		break;
	}
	return FFAMED_SP_RESPOND;
}

static void optee_fini(struct ffamed_sp *sp)
{
	optee_mem_fini(sp, ffamed_sp_priv(sp));
}

static const struct ffamed_sp_ops optee_ops = {
	.direct_req = optee_direct_req,
	.fini = optee_fini,
};

void ffamed_sp_optee_config(struct ffamed_sp_config *cfg, struct ffamed_sp_optee *state,
			    uint16_t id, uint16_t exec_ctx_count)
{
	for (int i = 0; i < FFAMED_OPTEE_SLOTS; i++)
		atomic_init(&state->calls[i], 0);
	atomic_init(&state->notifs_set, 0);
	atomic_init(&state->notif_failures, 0);
	atomic_init(&state->args_answered, 0);
	optee_mem_init(state);
	memset(cfg, 0, sizeof(*cfg));
	cfg->name = "optee";
	cfg->id = id;
	cfg->exec_ctx_count = exec_ctx_count;
	cfg->properties = FFAMED_SP_OPTEE_PROPS;
	cfg->uuid_count = 1;
	cfg->uuids[0] = optee_uuid;
	cfg->version = FFA_VERSION_1_2;
	cfg->ops = &optee_ops;
	cfg->priv = state;
}

void ffamed_sp_optee_set_mem(struct ffamed_sp_optee *state, const struct ffamed_sp_optee_mem *mem)
{
	atomic_store(&state->mem, mem);
}
