/* SPDX-License-Identifier: MIT */
/*
 * Indirect messages: FFA_MSG_SEND2 through the TX buffer, reading a
 * delivered message out of the RX buffer, and the RX-buffer-full framework
 * notification that says one is there.
 */
#include <stddef.h>
#include <string.h>

#include "client_internal.h"

static uint64_t ffac_mailbox_size(const struct ffac *c)
{
	return (uint64_t)c->rxtx_pages * FFA_PAGE_SIZE;
}

/* Preconditions shared by sending and reading; no call is made on failure. */
static int32_t ffac_msg2_usable(const struct ffac *c)
{
	if (c->version < FFA_VERSION_1_1)
		return FFA_RET_NOT_SUPPORTED;
	if (!c->rxtx_mapped)
		return FFA_RET_DENIED;
	return FFA_RET_OK;
}

int32_t ffac_msg_send2(struct ffac *c, uint16_t dst, const struct ffa_uuid *uuid,
		       const void *payload, uint32_t size)
{
	bool v12 = c->version >= FFA_VERSION_1_2;
	uint32_t hdr_size = v12 ? FFA_MSG_HDR_SIZE_1_2 : FFA_MSG_HDR_SIZE_1_1;
	struct ffa_msg_hdr hdr;
	struct ffamed_regs regs;
	int32_t ret;

	ret = ffac_msg2_usable(c);
	if (ret != FFA_RET_OK)
		return ret;
	if (!payload || size == 0)
		return FFA_RET_INVALID_PARAMETERS;
	/* A v1.1 header has no room for a UUID. */
	if (!v12 && uuid && !ffa_uuid_is_nil(uuid))
		return FFA_RET_INVALID_PARAMETERS;
	if (ffac_mailbox_size(c) < hdr_size || size > ffac_mailbox_size(c) - hdr_size)
		return FFA_RET_NO_MEMORY;

	memset(&hdr, 0, sizeof(hdr));
	hdr.offset = hdr_size;
	hdr.receiver = dst;
	hdr.sender = c->id;
	hdr.size = size;
	if (v12 && uuid)
		hdr.uuid = *uuid;
	/* Only the header of our version: a v1.1 message's payload starts
	 * where the v1.2 fields would be. */
	memcpy(c->tx, &hdr, hdr_size);
	memcpy((uint8_t *)c->tx + hdr_size, payload, size);

	/* w1 (the hypervisor's sender field) and w2 (SP-only flags) stay 0. */
	ffac_regs_for(&regs, FFA_MSG_SEND2);
	ffac_call(c, &regs);
	return ffac_status(&regs);
}

/* Validate the header copy against the RX buffer; fills out on success. */
static int32_t ffac_msg_parse(const struct ffac *c, const struct ffa_msg_hdr *hdr,
			      struct ffac_msg *out)
{
	uint64_t rx_size = ffac_mailbox_size(c);

	if (hdr->offset < FFA_MSG_HDR_SIZE_1_1 || hdr->offset > rx_size ||
	    hdr->size > rx_size - hdr->offset)
		return FFAC_RET_BAD_REPLY;
	if (hdr->receiver != c->id)
		return FFAC_RET_BAD_REPLY;
	out->sender = hdr->sender;
	out->receiver = hdr->receiver;
	out->size = hdr->size;
	/* The producer writes the receiver's layout: a v1.2 header only to
	 * a v1.2 receiver, and then the payload starts after the UUID. */
	if (c->version >= FFA_VERSION_1_2 && hdr->offset >= FFA_MSG_HDR_SIZE_1_2)
		out->uuid = hdr->uuid;
	return FFA_RET_OK;
}

/* ffac_msg_read, saying whether *out holds a message (even if the
 * release then failed). */
static int32_t ffac_msg_take(struct ffac *c, struct ffac_msg *out, void *buf, uint32_t max,
			     bool *valid)
{
	struct ffa_msg_hdr hdr;
	int32_t ret;
	int32_t release;

	*valid = false;
	ret = ffac_msg2_usable(c);
	if (ret != FFA_RET_OK)
		return ret;
	if (!out || (!buf && max))
		return FFA_RET_INVALID_PARAMETERS;
	memset(out, 0, sizeof(*out));

	/* Once, whole: the producer's memory may change under us. A mailbox
	 * is at least one page, so the v1.2 size is always inside it. */
	memcpy(&hdr, c->rx, sizeof(hdr));
	ret = ffac_msg_parse(c, &hdr, out);
	if (ret == FFA_RET_OK) {
		*valid = true;
		out->copied = out->size < max ? out->size : max;
		if (out->copied)
			memcpy(buf, (const uint8_t *)c->rx + hdr.offset, out->copied);
		if (out->copied < out->size)
			ret = FFA_RET_NO_MEMORY;
	}

	/* Consumed, valid or not: a buffer kept full would block every
	 * later message to us. */
	release = ffac_rx_release(c);
	if (ret == FFA_RET_OK)
		ret = release;
	return ret;
}

int32_t ffac_msg_read(struct ffac *c, struct ffac_msg *out, void *buf, uint32_t max)
{
	bool valid;

	return ffac_msg_take(c, out, buf, max, &valid);
}

int32_t ffac_msg_handle_rx_full(struct ffac *c, const struct ffac_notif_bits *bits, void *buf,
				uint32_t max, ffac_msg_fn fn, void *ctx)
{
	struct ffac_msg msg;
	bool valid;
	int32_t ret;

	if (!bits || !fn)
		return FFA_RET_INVALID_PARAMETERS;
	/* One RX buffer, so at most one message whichever bit says so. */
	if (!(bits->hyp_fwk & FFA_FWK_NOTIF_RX_FULL) && !(bits->spm_fwk & FFA_FWK_NOTIF_RX_FULL))
		return FFA_RET_OK;
	ret = ffac_msg_take(c, &msg, buf, max, &valid);
	if (valid)
		fn(ctx, &msg, buf);
	return ret;
}
