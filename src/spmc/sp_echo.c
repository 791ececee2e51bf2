/* SPDX-License-Identifier: MIT */
/*
 * The ECHO SP: answers the payload back, or reports where the request
 * landed (SP, context, sender, resumptions), optionally after being
 * preempted or yielding a given number of times; echoes indirect messages
 * back to their sender and sends one on request. Protocol in sp_builtin.h.
 */
#include "ffamed/ffa_regs.h"
#include "ffamed/sp_builtin.h"

static const struct ffa_uuid echo_uuid = FFAMED_SP_ECHO_UUID;

/* Index of P[0] in the register file for this request's format. */
static int echo_payload_base(const struct ffamed_sp_msg *msg)
{
	return msg->fid == FFA_MSG_SEND_DIRECT_REQ2 ? 4 : 3;
}

static void echo_whoami(const struct ffamed_sp *sp, const struct ffamed_sp_msg *msg,
			struct ffamed_regs *resp, int p)
{
	resp->x[p] = msg->regs.x[p];
	resp->x[p + 1] = ffamed_sp_id(sp);
	resp->x[p + 2] = msg->ctx;
	resp->x[p + 3] = msg->sender;
	resp->x[p + 4] = msg->resumed;
}

static bool echo_is_notif_cmd(uint64_t cmd)
{
	return cmd == FFAMED_ECHO_CMD_NOTIF_SET || cmd == FFAMED_ECHO_CMD_NOTIF_GET ||
	       cmd == FFAMED_ECHO_CMD_NOTIF_BIND || cmd == FFAMED_ECHO_CMD_NOTIF_UNBIND;
}

/* The notification commands, for the requesting VM. */
static void echo_notif(struct ffamed_sp *sp, const struct ffamed_sp_msg *msg,
		       struct ffamed_regs *resp, int p)
{
	uint64_t cmd = msg->regs.x[p];
	uint32_t flags = (uint32_t)msg->regs.x[p + 1];
	uint64_t bitmap = (uint64_t)(uint32_t)msg->regs.x[p + 2] |
			  ((uint64_t)(uint32_t)msg->regs.x[p + 3] << 32);
	uint64_t got = 0;
	int32_t rc;

	if (cmd == FFAMED_ECHO_CMD_NOTIF_SET)
		rc = ffamed_sp_notification_set_on(sp, msg->cpu, msg->sender, flags, bitmap);
	else if (cmd == FFAMED_ECHO_CMD_NOTIF_GET)
		rc = ffamed_sp_notification_get(sp, msg->ctx, &got);
	else if (cmd == FFAMED_ECHO_CMD_NOTIF_BIND)
		rc = ffamed_sp_notification_bind(sp, msg->sender, flags, bitmap);
	else
		rc = ffamed_sp_notification_unbind(sp, msg->sender, bitmap);
	resp->x[p] = cmd;
	resp->x[p + 1] = (uint32_t)rc;
	resp->x[p + 2] = (uint32_t)got;
	resp->x[p + 3] = (uint32_t)(got >> 32);
}

/* FFAMED_ECHO_CMD_SEND2: P[1] VM, P[2] flags, P[3] N, P[4..] the words. */
static void echo_send2(struct ffamed_sp *sp, const struct ffamed_sp_msg *msg,
		       struct ffamed_regs *resp, int p)
{
	struct ffamed_sp_echo *st = ffamed_sp_priv(sp);
	uint64_t vm = msg->regs.x[p + 1];
	uint64_t n = msg->regs.x[p + 3];
	uint64_t room = (uint64_t)((p == 3 ? 8 : FFA_NREGS) - (p + 4));
	uint8_t payload[FFAMED_ECHO_SEND2_MAX_WORDS * 8];
	int32_t rc = FFA_RET_INVALID_PARAMETERS;

	if (vm <= 0xFFFFu && n >= 1 && n <= room && msg->regs.x[p + 2] <= UINT32_MAX) {
		/* Little-endian bytes whatever the host's order. */
		for (uint64_t w = 0; w < n; w++)
			for (int b = 0; b < 8; b++)
				payload[w * 8 + (uint64_t)b] =
					(uint8_t)(msg->regs.x[p + 4 + (int)w] >> (8 * b));
		rc = ffamed_sp_msg_send2(sp, msg->cpu, (uint16_t)vm, NULL, payload,
					 (uint32_t)(n * 8), (uint32_t)msg->regs.x[p + 2]);
		if (!rc)
			atomic_fetch_add(&st->send2_sent, 1);
	}
	resp->x[p] = FFAMED_ECHO_CMD_SEND2;
	resp->x[p + 1] = (uint32_t)rc;
}

static enum ffamed_sp_action echo_direct_req(struct ffamed_sp *sp, const struct ffamed_sp_msg *msg,
					     struct ffamed_regs *resp)
{
	struct ffamed_sp_echo *st = ffamed_sp_priv(sp);
	int p = echo_payload_base(msg);
	uint64_t cmd = msg->regs.x[p];

	if (msg->resumed)
		atomic_fetch_add(&st->resumes, 1);
	else
		atomic_fetch_add(&st->requests, 1);

	if ((cmd == FFAMED_ECHO_CMD_INTERRUPT || cmd == FFAMED_ECHO_CMD_YIELD) &&
	    msg->resumed < msg->regs.x[p + 1])
		return cmd == FFAMED_ECHO_CMD_INTERRUPT ? FFAMED_SP_INTERRUPT : FFAMED_SP_YIELD;

	if (cmd == FFAMED_ECHO_CMD_WHOAMI || cmd == FFAMED_ECHO_CMD_INTERRUPT ||
	    cmd == FFAMED_ECHO_CMD_YIELD) {
		echo_whoami(sp, msg, resp, p);
	} else if (echo_is_notif_cmd(cmd)) {
		echo_notif(sp, msg, resp, p);
	} else if (cmd == FFAMED_ECHO_CMD_SEND2) {
		echo_send2(sp, msg, resp, p);
	} else {
		for (int i = p; i < (p == 3 ? 8 : FFA_NREGS); i++)
			resp->x[i] = msg->regs.x[i];
	}
	atomic_fetch_add(&st->responses, 1);
	if (msg->ctx < FFAMED_SP_ECHO_MAX_CTX)
		atomic_fetch_add(&st->responses_per_ctx[msg->ctx], 1);
	return FFAMED_SP_RESPOND;
}

/* Every indirect message goes back to its sender, as it came. */
static void echo_indirect_msg(struct ffamed_sp *sp, const struct ffamed_sp_indirect_msg *msg)
{
	struct ffamed_sp_echo *st = ffamed_sp_priv(sp);
	int32_t rc;

	atomic_fetch_add(&st->indirect_received, 1);
	rc = ffamed_sp_msg_send2(sp, msg->cpu, msg->sender, &msg->uuid, msg->payload, msg->size, 0);
	if (rc) {
		atomic_store(&st->indirect_last_refusal, rc);
		atomic_fetch_add(&st->indirect_refused, 1);
		return;
	}
	atomic_fetch_add(&st->indirect_echoed, 1);
}

static const struct ffamed_sp_ops echo_ops = {
	.direct_req = echo_direct_req,
	.indirect_msg = echo_indirect_msg,
};

void ffamed_sp_echo_config(struct ffamed_sp_config *cfg, struct ffamed_sp_echo *state, uint16_t id,
			   uint16_t exec_ctx_count)
{
	atomic_init(&state->requests, 0);
	atomic_init(&state->resumes, 0);
	atomic_init(&state->responses, 0);
	for (int i = 0; i < FFAMED_SP_ECHO_MAX_CTX; i++)
		atomic_init(&state->responses_per_ctx[i], 0);
	atomic_init(&state->indirect_received, 0);
	atomic_init(&state->indirect_echoed, 0);
	atomic_init(&state->indirect_refused, 0);
	atomic_init(&state->indirect_last_refusal, 0);
	atomic_init(&state->send2_sent, 0);
	memset(cfg, 0, sizeof(*cfg));
	cfg->name = "echo";
	cfg->id = id;
	cfg->exec_ctx_count = exec_ctx_count;
	cfg->properties = FFAMED_SP_ECHO_PROPS;
	cfg->uuid_count = 1;
	cfg->uuids[0] = echo_uuid;
	cfg->version = FFA_VERSION_1_2;
	cfg->ops = &echo_ops;
	cfg->priv = state;
}
