/* SPDX-License-Identifier: MIT */
/*
 * Notifications from the guest's side (or a hypervisor-less host's): setup
 * by role, BIND/UNBIND/SET/GET, and the two interrupt handlers. The role
 * decides the interrupt (seed 001): a guest takes the NPI and calls GET; the
 * scheduler at the physical instance takes the SRI and calls INFO_GET.
 */
#include "client_internal.h"

/* INFO_GET answers that keep saying "more pending" are bounded. */
#define FFAC_MAX_INFO_ROUNDS 64

static int32_t ffac_notif_simple(struct ffac *c, uint32_t fid, uint64_t w1, uint64_t w2,
				 uint64_t bitmap)
{
	struct ffamed_regs regs;

	ffac_regs_for(&regs, fid);
	regs.x[1] = w1;
	regs.x[2] = w2;
	regs.x[3] = (uint32_t)bitmap;
	regs.x[4] = (uint32_t)(bitmap >> 32);
	ffac_call(c, &regs);
	return ffac_status(&regs);
}

int32_t ffac_notif_setup(struct ffac *c, uint32_t cpu_count)
{
	uint32_t intid = 0;
	int32_t ret;

	c->notif_mode = FFAC_NOTIF_OFF;
	if (c->version < FFA_VERSION_1_1)
		return FFA_RET_NOT_SUPPORTED;
	if (c->id != FFA_HYP_ID) {
		/* A guest: the hypervisor owns the bitmap. */
		ret = ffac_features(c, FFA_FEATURE_NPI, 0, &intid, NULL);
		if (ret != FFA_RET_OK)
			return ret;
		c->notif_mode = FFAC_NOTIF_NPI;
		c->notif_intid = intid;
		return FFA_RET_OK;
	}
	if (!cpu_count)
		return FFA_RET_INVALID_PARAMETERS;
	ret = ffac_features(c, FFA_FEATURE_SRI, 0, &intid, NULL);
	if (ret != FFA_RET_OK)
		return ret;
	if (!c->notif_bitmap_created) {
		ret = ffac_notif_simple(c, FFA_NOTIFICATION_BITMAP_CREATE, c->id, cpu_count, 0);
		if (ret != FFA_RET_OK)
			return ret;
		c->notif_bitmap_created = true;
	}
	c->notif_mode = FFAC_NOTIF_SRI;
	c->notif_intid = intid;
	return FFA_RET_OK;
}

int32_t ffac_notif_teardown(struct ffac *c)
{
	int32_t ret = FFA_RET_OK;

	if (c->notif_bitmap_created) {
		ret = ffac_notif_simple(c, FFA_NOTIFICATION_BITMAP_DESTROY, c->id, 0, 0);
		if (ret == FFA_RET_OK)
			c->notif_bitmap_created = false;
	}
	c->notif_mode = FFAC_NOTIF_OFF;
	return ret;
}

int32_t ffac_notif_bind(struct ffac *c, uint16_t sender, bool per_vcpu, uint64_t bitmap)
{
	return ffac_notif_simple(c, FFA_NOTIFICATION_BIND, FFA_SENDER_RECEIVER(sender, c->id),
				 per_vcpu ? FFA_NOTIF_FLAG_PER_VCPU : 0, bitmap);
}

int32_t ffac_notif_unbind(struct ffac *c, uint16_t sender, uint64_t bitmap)
{
	return ffac_notif_simple(c, FFA_NOTIFICATION_UNBIND, FFA_SENDER_RECEIVER(sender, c->id), 0,
				 bitmap);
}

int32_t ffac_notif_set(struct ffac *c, uint16_t receiver, int32_t vcpu, uint64_t bitmap)
{
	uint32_t flags = 0;

	if (vcpu > 0xFFFF)
		return FFA_RET_INVALID_PARAMETERS;
	if (vcpu >= 0)
		flags = FFA_NOTIF_FLAG_PER_VCPU | ((uint32_t)vcpu << FFA_NOTIF_SET_VCPU_SHIFT);
	return ffac_notif_simple(c, FFA_NOTIFICATION_SET, FFA_SENDER_RECEIVER(c->id, receiver),
				 flags, bitmap);
}

int32_t ffac_notif_get(struct ffac *c, uint16_t vcpu, uint32_t flags, struct ffac_notif_bits *out)
{
	struct ffamed_regs regs;
	int32_t ret;

	ffac_regs_for(&regs, FFA_NOTIFICATION_GET);
	regs.x[1] = FFA_SENDER_RECEIVER(vcpu, c->id);
	regs.x[2] = flags;
	ffac_call(c, &regs);
	ret = ffac_status(&regs);
	if (ret != FFA_RET_OK)
		return ret;
	out->sp = (regs.x[2] & 0xFFFFFFFFull) | (regs.x[3] & 0xFFFFFFFFull) << 32;
	out->vm = (regs.x[4] & 0xFFFFFFFFull) | (regs.x[5] & 0xFFFFFFFFull) << 32;
	out->spm_fwk = (uint32_t)regs.x[6];
	out->hyp_fwk = (uint32_t)regs.x[7];
	return FFA_RET_OK;
}

int32_t ffac_notif_handle_npi(struct ffac *c, uint16_t vcpu, struct ffac_notif_bits *out)
{
	return ffac_notif_get(c, vcpu, FFA_NOTIF_GET_FLAGS_MASK, out);
}

/* The ID at position i of an INFO_GET answer: 4 per register in the 64-bit
 * form, 2 in the 32-bit one (a 64-bit caller may get either). */
static uint16_t ffac_info_id(const struct ffamed_regs *regs, bool is64, unsigned i)
{
	unsigned per = is64 ? 4u : 2u;

	return (uint16_t)(regs->x[3 + i / per] >> (16u * (i % per)));
}

int32_t ffac_notif_handle_sri(struct ffac *c, ffac_notif_pending_fn fn, void *ctx)
{
	for (unsigned round = 0; round < FFAC_MAX_INFO_ROUNDS; round++) {
		struct ffamed_regs regs;
		bool is64;
		unsigned lists, pos = 0, max;
		int32_t ret;

		ffac_regs_for(&regs, FFA_NOTIFICATION_INFO_GET_64);
		ffac_call(c, &regs);
		ret = ffac_status(&regs);
		if (ret == FFA_RET_NO_DATA)
			return FFA_RET_OK;
		if (ret != FFA_RET_OK)
			return ret;
		is64 = ffac_w0(&regs) == FFA_SUCCESS_64;
		max = is64 ? FFA_NOTIF_INFO_MAX_IDS_64 : FFA_NOTIF_INFO_MAX_IDS_32;
		lists = (unsigned)(regs.x[2] >> FFA_NOTIF_INFO_LIST_COUNT_SHIFT) &
			FFA_NOTIF_INFO_LIST_COUNT_MASK;
		for (unsigned l = 0; l < lists; l++) {
			unsigned n =
				(unsigned)(regs.x[2] >> FFA_NOTIF_INFO_LIST_SIZE_SHIFT(l)) & 3u;
			uint16_t id;

			if (pos + 1 + n > max)
				return FFAC_RET_BAD_REPLY;
			id = ffac_info_id(&regs, is64, pos++);
			if (!n)
				fn(ctx, id, -1);
			for (unsigned i = 0; i < n; i++)
				fn(ctx, id, ffac_info_id(&regs, is64, pos++));
		}
		if (!(regs.x[2] & FFA_NOTIF_INFO_MORE_PENDING))
			return FFA_RET_OK;
	}
	return FFA_RET_OK;
}
