/* SPDX-License-Identifier: MIT */
/*
 * Receiving direct requests: FFA_MSG_WAIT, and the service loop that hands
 * each request to a handler and answers it (a response is also the wait
 * for the next event, so the loop calls FFA_MSG_WAIT only when an event
 * was not a request).
 */
#include <stdatomic.h>
#include <stddef.h>
#include <string.h>

#include "client_internal.h"

#define FFAC_REQ_PAYLOAD  3 /* DIRECT_REQ/RESP: x3..x7 */
#define FFAC_REQ_WORDS	  5
#define FFAC_REQ2_PAYLOAD 4 /* DIRECT_REQ2/RESP2: x4..x17 */
#define FFAC_REQ2_WORDS	  14

/* What an event returned by a wait means for the loop: OK for any FF-A
 * event, the code of an FFA_ERROR, NOT_SUPPORTED for SMCCC unknown. */
static int32_t ffac_event_status(const struct ffamed_regs *regs)
{
	if (ffa_is_error(regs))
		return ffac_error_of(regs);
	if (ffac_w0(regs) == FFAC_SMCCC_UNKNOWN)
		return FFA_RET_NOT_SUPPORTED;
	return FFA_RET_OK;
}

int32_t ffac_msg_wait(struct ffac *c, uint32_t flags, struct ffamed_regs *event)
{
	if (!event)
		return FFA_RET_INVALID_PARAMETERS;
	if (flags & ~FFA_MSG_WAIT_FLAG_RETAIN_RX)
		return FFA_RET_INVALID_PARAMETERS;
	if (flags && c->version < FFA_VERSION_1_2)
		return FFA_RET_INVALID_PARAMETERS;
	ffac_regs_for(event, FFA_MSG_WAIT);
	event->x[2] = flags;
	ffac_call(c, event);
	return ffac_event_status(event);
}

static bool ffac_stopped(const _Atomic bool *stop)
{
	return stop && atomic_load(stop);
}

static bool ffac_is_request(uint32_t fid)
{
	return fid == FFA_MSG_SEND_DIRECT_REQ_32 || fid == FFA_MSG_SEND_DIRECT_REQ_64 ||
	       fid == FFA_MSG_SEND_DIRECT_REQ2;
}

/* The request in `regs`, if it is addressed to us. */
static int32_t ffac_parse_request(const struct ffac *c, const struct ffamed_regs *regs,
				  struct ffac_direct_msg *msg)
{
	uint32_t w1 = (uint32_t)regs->x[1];
	unsigned first;

	memset(msg, 0, sizeof(*msg));
	msg->fid = ffac_w0(regs);
	msg->sender = FFA_SENDER(w1);
	msg->receiver = FFA_RECEIVER(w1);
	if (msg->receiver != c->id)
		return FFAC_RET_BAD_REPLY;
	if (msg->fid == FFA_MSG_SEND_DIRECT_REQ2) {
		ffa_uuid_from_x(&msg->uuid, regs->x[2], regs->x[3]);
		msg->words = FFAC_REQ2_WORDS;
		first = FFAC_REQ2_PAYLOAD;
	} else {
		msg->flags = (uint32_t)regs->x[2];
		msg->words = FFAC_REQ_WORDS;
		first = FFAC_REQ_PAYLOAD;
	}
	for (unsigned i = 0; i < msg->words; i++)
		msg->payload[i] = msg->fid == FFA_MSG_SEND_DIRECT_REQ_32
					  ? (uint32_t)regs->x[first + i]
					  : regs->x[first + i];
	return FFA_RET_OK;
}

/* The response to `msg`; issuing it returns the next event in regs. */
static void ffac_build_response(const struct ffac *c, const struct ffac_direct_msg *msg,
				const uint64_t resp[14], struct ffamed_regs *regs)
{
	bool req2 = msg->fid == FFA_MSG_SEND_DIRECT_REQ2;
	unsigned first = req2 ? FFAC_REQ2_PAYLOAD : FFAC_REQ_PAYLOAD;
	uint64_t mask = msg->fid == FFA_MSG_SEND_DIRECT_REQ_32 ? UINT32_MAX : UINT64_MAX;

	ffac_regs_for(regs, ffa_direct_resp_fid(msg->fid));
	regs->x[1] = FFA_SENDER_RECEIVER(c->id, msg->sender);
	/* x2 stays 0: a partition message (REQ2: the UUID is not echoed). */
	for (unsigned i = 0; i < msg->words; i++)
		regs->x[first + i] = resp[i] & mask;
}

struct ffac_serve {
	struct ffac *c;
	ffac_direct_handler_fn fn;
	void *ctx;
	const _Atomic bool *stop;
	struct ffac_serve_stats *stats;
};

/*
 * Run the handler on the request in `regs` (yielding as often as it asks)
 * and answer it: regs then holds the next event. *stopped: the loop must
 * end now (stop seen at an interrupt during a yield; no response sent).
 */
static int32_t ffac_serve_request(struct ffac_serve *s, struct ffamed_regs *regs, bool *stopped)
{
	struct ffac_direct_msg msg;
	uint64_t resp[FFAC_REQ2_WORDS];
	int32_t ret;

	*stopped = false;
	ret = ffac_parse_request(s->c, regs, &msg);
	if (ret != FFA_RET_OK)
		return ret;
	memset(resp, 0, sizeof(resp));
	while (s->fn(s->ctx, &msg, resp) == FFAC_DIRECT_YIELD) {
		ffac_regs_for(regs, FFA_YIELD);
		ffac_call(s->c, regs);
		if (ffa_is_success(regs)) {
			if (s->stats)
				s->stats->yields++;
			continue;
		}
		if (ffac_w0(regs) != FFA_INTERRUPT)
			return ffa_is_error(regs) ? ffac_error_of(regs) : FFAC_RET_BAD_REPLY;
		/* Taken back while yielded: the request is still ours. */
		if (s->stats)
			s->stats->interrupts++;
		if (ffac_stopped(s->stop)) {
			*stopped = true;
			return FFA_RET_OK;
		}
	}
	ffac_build_response(s->c, &msg, resp, regs);
	ffac_call(s->c, regs);
	if (s->stats)
		s->stats->requests++;
	return ffac_event_status(regs);
}

int32_t ffac_direct_serve(struct ffac *c, ffac_direct_handler_fn fn, void *ctx,
			  const _Atomic bool *stop, struct ffac_serve_stats *stats)
{
	struct ffac_serve s = {.c = c, .fn = fn, .ctx = ctx, .stop = stop, .stats = stats};
	/* Serving must not take the RX buffer from a message being read. */
	uint32_t wait_flags = c->version >= FFA_VERSION_1_2 ? FFA_MSG_WAIT_FLAG_RETAIN_RX : 0;
	struct ffamed_regs regs;
	bool stopped;
	int32_t ret;

	if (!fn)
		return FFA_RET_INVALID_PARAMETERS;
	if (ffac_stopped(stop))
		return FFA_RET_OK;
	ret = ffac_msg_wait(c, wait_flags, &regs);
	for (;;) {
		uint32_t fid = ffac_w0(&regs);

		if (ret != FFA_RET_OK)
			return ret;
		if (ffac_is_request(fid)) {
			ret = ffac_serve_request(&s, &regs, &stopped);
			if (stopped)
				return FFA_RET_OK;
			continue;
		}
		if (fid == FFA_INTERRUPT) {
			if (stats)
				stats->interrupts++;
			if (ffac_stopped(stop))
				return FFA_RET_OK;
		} else if (fid == FFA_RUN) {
			if (stats)
				stats->runs++;
		} else {
			return FFAC_RET_BAD_REPLY;
		}
		ret = ffac_msg_wait(c, wait_flags, &regs);
	}
}
