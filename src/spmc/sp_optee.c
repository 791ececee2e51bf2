/* SPDX-License-Identifier: MIT */
/*
 * The OP-TEE SP: the part of OP-TEE's FF-A protocol that a Linux guest
 * uses to probe it (versions, capabilities), answered as OP-TEE does.
 * Memory sharing does not exist yet, so yielding calls fail cleanly.
 * Protocol and values in sp_builtin.h.
 */
#include "ffamed/ffa_regs.h"
#include "ffamed/sp_builtin.h"

static const struct ffa_uuid optee_uuid = FFAMED_SP_OPTEE_UUID;

static int optee_slot(uint32_t cmd)
{
	if (cmd <= FFAMED_OPTEE_ENABLE_ASYNC_NOTIF)
		return (int)cmd;
	if (cmd == FFAMED_OPTEE_YIELDING_CALL_WITH_ARG)
		return FFAMED_OPTEE_SLOT_YIELDING;
	return FFAMED_OPTEE_SLOT_UNKNOWN;
}

static enum ffamed_sp_action optee_direct_req(struct ffamed_sp *sp, const struct ffamed_sp_msg *msg,
					      struct ffa_regs *resp)
{
	struct ffamed_sp_optee *st = ffamed_sp_priv(sp);
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
		resp->x[5] = FFAMED_OPTEE_CAP_ARG_OFFSET;
		break;
	case FFAMED_OPTEE_UNREGISTER_SHM:
		resp->x[3] = 0;
		break;
	case FFAMED_OPTEE_ENABLE_ASYNC_NOTIF:
		resp->x[3] = FFAMED_TEEC_ERROR_NOT_SUPPORTED;
		break;
	case FFAMED_OPTEE_YIELDING_CALL_WITH_ARG:
		resp->x[3] = FFAMED_TEEC_ERROR_BAD_PARAMETERS;
		resp->x[4] = FFAMED_OPTEE_YIELDING_DONE;
		break;
	default:
		resp->x[3] = FFAMED_TEEC_ERROR_BAD_PARAMETERS;
		break;
	}
	return FFAMED_SP_RESPOND;
}

static const struct ffamed_sp_ops optee_ops = {
	.direct_req = optee_direct_req,
};

void ffamed_sp_optee_config(struct ffamed_sp_config *cfg, struct ffamed_sp_optee *state,
			    uint16_t id, uint16_t exec_ctx_count)
{
	for (int i = 0; i < FFAMED_OPTEE_SLOTS; i++)
		atomic_init(&state->calls[i], 0);
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
