/* SPDX-License-Identifier: MIT */
/*
 * Partition discovery: FFA_PARTITION_INFO_GET through the RX buffer (v1.0
 * 8-byte entries, v1.1+ entries of the size the callee reports) and
 * FFA_PARTITION_INFO_GET_REGS (v1.2, in registers).
 *
 * Whoever calls these on a guest whose vCPUs share the RX buffer holds the
 * guest's RX lock around them: between the listing and FFA_RX_RELEASE the
 * buffer is this caller's.
 */
#include <stddef.h>
#include <string.h>

#include "client_internal.h"

/* Fields every descriptor format starts with (v1.0 layout). */
#define FFAC_DESC_MIN_SIZE  sizeof(struct ffa_partition_info_1_0)
#define FFAC_DESC_UUID_SIZE sizeof(struct ffa_partition_info_1_1)
/* GET_REGS: x3..x17 carry descriptors. */
#define FFAC_REGS_FIRST 3
#define FFAC_REGS_COUNT 15

static const struct ffa_uuid ffac_nil_uuid;

static uint16_t ffac_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

static uint32_t ffac_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
	       ((uint32_t)p[3] << 24);
}

static void ffac_pig_call(struct ffac *c, struct ffamed_regs *regs, const struct ffa_uuid *uuid,
			  uint32_t flags)
{
	ffac_regs_for(regs, FFA_PARTITION_INFO_GET);
	for (int i = 0; i < 4; i++)
		regs->x[1 + i] = ffa_uuid_w(uuid, i);
	regs->x[5] = flags;
	ffac_call(c, regs);
}

/* After a successful listing the RX buffer is ours until we give it back;
 * keep the first error. */
static int32_t ffac_release_keep(struct ffac *c, int32_t ret)
{
	int32_t rel = ffac_rx_release(c);

	return ret != FFA_RET_OK ? ret : rel;
}

int32_t ffac_partition_count(struct ffac *c, const struct ffa_uuid *uuid, uint32_t *count)
{
	struct ffamed_regs regs;
	int32_t ret;

	if (!uuid)
		uuid = &ffac_nil_uuid;
	/* Without a negotiated version there is no format to speak. */
	if (c->version == 0)
		return FFA_RET_NOT_SUPPORTED;

	if (c->version >= FFA_VERSION_1_1) {
		/* Count-only: the RX buffer is not used, nothing to release. */
		ffac_pig_call(c, &regs, uuid, FFA_PARTITION_INFO_GET_COUNT_FLAG);
		ret = ffac_status(&regs);
		if (ret == FFA_RET_OK && count)
			*count = (uint32_t)regs.x[2];
		return ret;
	}

	/* v1.0 has no count-only form: the descriptors land in RX anyway. */
	ffac_pig_call(c, &regs, uuid, 0);
	ret = ffac_status(&regs);
	if (ret != FFA_RET_OK)
		return ret;
	if (count)
		*count = (uint32_t)regs.x[2];
	return ffac_release_keep(c, FFA_RET_OK);
}

static void ffac_parse_desc(const uint8_t *desc, size_t size, struct ffac_partition *p)
{
	p->id = ffac_le16(desc);
	p->exec_ctx_count = ffac_le16(desc + 2);
	p->properties = ffac_le32(desc + 4);
	if (size >= FFAC_DESC_UUID_SIZE)
		memcpy(p->uuid.b, desc + 8, sizeof(p->uuid.b));
	else
		memset(p->uuid.b, 0, sizeof(p->uuid.b));
}

/* Copy out what the callee wrote into RX; the buffer is still ours. */
static int32_t ffac_parse_rx(struct ffac *c, const struct ffamed_regs *regs,
			     struct ffac_partition *out, uint32_t max, uint32_t *count)
{
	uint32_t n = (uint32_t)regs->x[2];
	/* v1.0 callers get no size in w3 and must assume 8 bytes. */
	size_t size = c->version == FFA_VERSION_1_0 ? FFAC_DESC_MIN_SIZE : (uint32_t)regs->x[3];
	uint64_t rx_bytes = (uint64_t)c->rxtx_pages * FFA_PAGE_SIZE;
	uint8_t desc[FFAC_DESC_UUID_SIZE];

	if (size < FFAC_DESC_MIN_SIZE || (uint64_t)n * size > rx_bytes)
		return FFAC_RET_BAD_REPLY;

	for (uint32_t i = 0; i < n && i < max; i++) {
		size_t take = size < sizeof(desc) ? size : sizeof(desc);

		/* One copy per entry: the buffer is shared memory. */
		memcpy(desc, (const uint8_t *)c->rx + (size_t)i * size, take);
		ffac_parse_desc(desc, take, &out[i]);
	}
	if (count)
		*count = n;
	return FFA_RET_OK;
}

int32_t ffac_partition_list(struct ffac *c, const struct ffa_uuid *uuid, struct ffac_partition *out,
			    uint32_t max, uint32_t *count)
{
	struct ffamed_regs regs;
	uint32_t total = 0;
	int32_t ret;

	if (!uuid)
		uuid = &ffac_nil_uuid;
	if (!out && max)
		return FFA_RET_INVALID_PARAMETERS;

	ret = ffac_partition_count(c, uuid, &total);
	if (ret != FFA_RET_OK)
		return ret;
	if (total == 0) {
		if (count)
			*count = 0;
		return FFA_RET_OK;
	}
	if (!c->rxtx_mapped || !c->rx)
		return FFA_RET_INVALID_PARAMETERS;

	ffac_pig_call(c, &regs, uuid, 0);
	ret = ffac_status(&regs);
	if (ret != FFA_RET_OK)
		return ret; /* RX was not handed over */

	ret = ffac_parse_rx(c, &regs, out, max, count);
	return ffac_release_keep(c, ret);
}

/* One GET_REGS answer: descriptors start..cur in x3.., `per` registers each. */
static void ffac_parse_regs(const struct ffamed_regs *regs, uint32_t start, uint32_t cur,
			    uint32_t per, struct ffac_partition *out, uint32_t max)
{
	for (uint32_t idx = start; idx <= cur; idx++) {
		uint32_t r = FFAC_REGS_FIRST + (idx - start) * per;
		uint64_t w = regs->x[r];
		struct ffac_partition *p;

		if (idx >= max)
			break;
		p = &out[idx];
		p->id = (uint16_t)w;
		p->exec_ctx_count = (uint16_t)(w >> 16);
		p->properties = (uint32_t)(w >> 32);
		if (per >= 3)
			ffa_uuid_from_x(&p->uuid, regs->x[r + 1], regs->x[r + 2]);
		else
			memset(p->uuid.b, 0, sizeof(p->uuid.b));
	}
}

int32_t ffac_partition_list_regs(struct ffac *c, const struct ffa_uuid *uuid,
				 struct ffac_partition *out, uint32_t max, uint32_t *count)
{
	struct ffamed_regs regs;
	uint32_t start = 0, tag = 0, last_seen = 0;
	int retries = 0;

	if (!uuid)
		uuid = &ffac_nil_uuid;
	if (!out && max)
		return FFA_RET_INVALID_PARAMETERS;

	/* Each round starts past the last index answered, so it ends. */
	for (;;) {
		uint32_t last, cur, size, per;
		int32_t ret;

		ffac_regs_for(&regs, FFA_PARTITION_INFO_GET_REGS);
		regs.x[1] = ffa_uuid_x(uuid, 0);
		regs.x[2] = ffa_uuid_x(uuid, 1);
		regs.x[3] = (uint64_t)start | ((uint64_t)tag << 16);
		ffac_call(c, &regs);
		ret = ffac_status(&regs);
		if (ret == FFA_RET_RETRY) {
			/* The list changed under us: start over, bounded. */
			if (++retries > FFAC_MAX_REGS_RETRIES)
				return FFA_RET_RETRY;
			start = 0;
			tag = 0;
			continue;
		}
		if (ret != FFA_RET_OK)
			return ret;

		last = (uint32_t)(regs.x[2] & 0xFFFFu);
		cur = (uint32_t)((regs.x[2] >> 16) & 0xFFFFu);
		size = (uint32_t)((regs.x[2] >> 48) & 0xFFFFu);
		per = size / 8;
		if (size < FFAC_DESC_MIN_SIZE || size % 8 || cur < start || cur > last ||
		    (cur - start + 1) * per > FFAC_REGS_COUNT)
			return FFAC_RET_BAD_REPLY;
		/* The total cannot change without a RETRY. */
		if (start > 0 && last != last_seen)
			return FFAC_RET_BAD_REPLY;
		last_seen = last;

		ffac_parse_regs(&regs, start, cur, per, out, max);
		if (cur == last) {
			if (count)
				*count = last + 1;
			return FFA_RET_OK;
		}
		start = cur + 1;
		tag = (uint32_t)((regs.x[2] >> 32) & 0xFFFFu);
	}
}
