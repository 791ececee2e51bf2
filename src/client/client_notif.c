/* SPDX-License-Identifier: MIT */
/*
 * Notifications from the guest's side (or a hypervisor-less host's): setup
 * by role, BIND/UNBIND/SET/GET, and the two interrupt handlers. The role
 * decides the interrupt: a guest takes the NPI and calls GET; the scheduler
 * at the physical instance takes the SRI and calls INFO_GET (whose list
 * common_notif_info.h decodes).
 */
#include "client_internal.h"
#include "common_notif_info.h"

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

int32_t ffac_notif_handle_sri(struct ffac *c, ffac_notif_pending_fn fn, void *ctx)
{
	for (unsigned round = 0; round < FFAC_MAX_INFO_ROUNDS; round++) {
		struct ffamed_regs regs;
		struct common_notif_info_iter it;
		struct common_notif_info_list l;
		int32_t ret;
		int got;

		ffac_regs_for(&regs, FFA_NOTIFICATION_INFO_GET_64);
		ffac_call(c, &regs);
		ret = ffac_status(&regs);
		if (ret == FFA_RET_NO_DATA)
			return FFA_RET_OK;
		if (ret != FFA_RET_OK)
			return ret;
		/* A 64-bit caller may get either form. */
		common_notif_info_begin(&it, &regs);
		while ((got = common_notif_info_next(&it, &l)) > 0) {
			if (!l.vcpu_count)
				fn(ctx, l.id, -1);
			for (unsigned i = 0; i < l.vcpu_count; i++)
				fn(ctx, l.id, l.vcpus[i]);
		}
		if (got < 0)
			return FFAC_RET_BAD_REPLY;
		if (!common_notif_info_more_pending(&regs))
			return FFA_RET_OK;
	}
	return FFA_RET_OK;
}
