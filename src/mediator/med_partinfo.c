/* SPDX-License-Identifier: MIT */
/*
 * FFA_PARTITION_INFO_GET(_REGS): answered from the SP cache (med_sp_cache.c)
 * plus the VM registry, without a firmware call, so that a guest's discovery
 * never waits for the SPMC's RX nor depends on its entry layout.
 */
#include "med_host.h"
#include "med_internal.h"
#include "med_lock.h"
#include "med_log.h"
#include "med_msg.h"
#include "med_partinfo.h"
#include "med_policy.h"
#include "med_rx_owner.h"
#include "med_sp_cache.h"
#include "med_spmc_rxtx.h"
#include "med_version.h"

/* ---- What a guest sees ---------------------------------------------------------- */

/* Properties bits a guest of `version` may see. VM availability bits are
 * only reported at the physical instance, and REQ2 means nothing below 1.2. */
static uint32_t med_guest_props(uint32_t props, uint32_t version)
{
	props &= ~(FFA_PART_PROP_VM_CREATED | FFA_PART_PROP_VM_DESTROYED);
	if (!med_version_at_least(version, FFA_VERSION_1_1))
		return props & FFA_PART_PROP_MASK_1_0;
	if (!med_version_at_least(version, FFA_VERSION_1_2))
		return props & FFA_PART_PROP_MASK_1_1 &
		       ~(FFA_PART_PROP_DIRECT_REQ2_RECV | FFA_PART_PROP_DIRECT_REQ2_SEND);
	return props & FFA_PART_PROP_MASK_1_2;
}

/* A VM as an endpoint, as seen by a VM holding `rights` toward it: the
 * messaging bits say what that VM can do with it (docs/MESSAGING.md). */
static void med_vm_entry(const struct ffamed_vm *o, uint32_t rights, uint32_t version,
			 struct med_sp *e)
{
	/* Not negotiated yet: what ffamed will serve it at its best. Listed
	 * all the same (docs/MESSAGING.md, "VMs as partitions"). */
	uint32_t ov = med_vm_version(o) ? med_vm_version(o) : FFAMED_FFA_VERSION;
	bool v11 = med_version_at_least(ov, FFA_VERSION_1_1);
	bool msg = rights & FFAMED_RIGHT_MSG;
	uint32_t props = FFA_PART_PROP_ID_TYPE_PE | (o->aarch64 ? FFA_PART_PROP_AARCH64 : 0);

	memset(e, 0, sizeof(*e));
	e->id = o->id;
	e->exec_ctx_count = o->vcpu_count;
	e->uuid = o->uuid;
	if (msg && med_msg_vm_available(o->med)) {
		bool v12 = med_version_at_least(ov, FFA_VERSION_1_2);

		props |= FFA_PART_PROP_DIRECT_REQ_SEND | (v12 ? FFA_PART_PROP_DIRECT_REQ2_SEND : 0);
		/* Only the host knows whether the VM ever waits for one. */
		if (!o->no_direct_recv)
			props |= FFA_PART_PROP_DIRECT_REQ_RECV |
				 (v12 ? FFA_PART_PROP_DIRECT_REQ2_RECV : 0);
	}
	if (msg && v11)
		props |= FFA_PART_PROP_INDIRECT_MSG;
	if ((rights & FFAMED_RIGHT_NOTIFY) && v11)
		props |= FFA_PART_PROP_NOTIFICATIONS;
	e->properties = med_guest_props(props, version);
}

typedef int32_t (*med_pi_put_fn)(void *arg, uint32_t index, const struct med_sp *e);

/*
 * Walks what `vm` at `version` is told for `uuid`, calling put (if any) for
 * each entry in order: cached SPs (one per partition below v1.2, one per
 * (partition, UUID) pair at v1.2), then, with vm_to_vm, every other VM that
 * `vm` holds a right to: all of them for a Nil query, those the host gave
 * `uuid` otherwise. Stores the count.
 */
static int32_t med_pi_walk(struct ffamed_vm *vm, uint32_t version, const struct ffa_uuid *uuid,
			   med_pi_put_fn put, void *arg, uint32_t *count)
{
	struct ffamed *med = vm->med;
	bool nil = ffa_uuid_is_nil(uuid);
	bool per_uuid = med_version_at_least(version, FFA_VERSION_1_2);
	uint32_t idx = 0;
	struct med_sp e;
	int32_t rc = FFA_RET_OK;

	for (uint32_t i = 0; i < med->sp_count; i++) {
		const struct med_sp *sp = &med->sps[i];
		bool dup = false;

		if (!nil && !ffa_uuid_equal(&sp->uuid, uuid))
			continue;
		/* Only what the policy lets the VM reach. */
		if (!med_policy_grant(vm, sp->id))
			continue;
		for (uint32_t j = 0; !per_uuid && j < i && !dup; j++)
			dup = med->sps[j].id == sp->id &&
			      (nil || ffa_uuid_equal(&med->sps[j].uuid, uuid));
		if (dup)
			continue;
		e = *sp;
		e.properties = med_guest_props(sp->properties, version);
		/* Indirect messages with an SP go through the SPMC, which must
		 * take SEND2 and have the VM's pair (docs/REAL-FIRMWARE.md). */
		if (!med_sp_indirect_available(med))
			e.properties &= ~FFA_PART_PROP_INDIRECT_MSG;
		/* The UUID field is only filled for Nil queries. */
		if (!nil)
			memset(e.uuid.b, 0, sizeof(e.uuid.b));
		if (put && (rc = put(arg, idx, &e)) != FFA_RET_OK)
			return rc;
		idx++;
	}

	if (med->cfg.vm_to_vm) {
		med_lock(med, &med->registry_lock);
		for (uint32_t k = 0; k < med->cfg.max_vms && rc == FFA_RET_OK; k++) {
			const struct ffamed_vm *o = med->vms[k];
			uint32_t rights;

			if (!o || o == vm)
				continue;
			/* A VM without a UUID is found by Nil queries only. */
			if (!nil && (ffa_uuid_is_nil(&o->uuid) || !ffa_uuid_equal(&o->uuid, uuid)))
				continue;
			rights = med_rights_vm(vm, o);
			if (!rights)
				continue;
			med_vm_entry(o, rights, version, &e);
			if (!nil)
				memset(e.uuid.b, 0, sizeof(e.uuid.b));
			if (put)
				rc = put(arg, idx, &e);
			if (rc == FFA_RET_OK)
				idx++;
		}
		med_unlock(med, &med->registry_lock);
		if (rc != FFA_RET_OK)
			return rc;
	}

	if (!idx) {
		if (!nil)
			return FFA_RET_INVALID_PARAMETERS;
		/*
		 * Linux fails its FF-A probe when discovery finds no partition
		 * at all. The caller is a partition too, so with nothing else
		 * to report it is told about itself.
		 */
		/* Itself as the others would see it in an open system, but
		 * without its UUID: a driver that binds by UUID must not bind
		 * to its own VM as if it were a peer. */
		med_vm_entry(vm, med->cfg.vm_to_vm ? FFAMED_RIGHTS_ALL : 0, version, &e);
		memset(e.uuid.b, 0, sizeof(e.uuid.b));
		if (put && (rc = put(arg, idx, &e)) != FFA_RET_OK)
			return rc;
		idx++;
	}
	*count = idx;
	return FFA_RET_OK;
}

struct med_pi_rx {
	uint8_t *buf;
	size_t size;
	uint32_t entry_size;
};

static int32_t med_pi_put_rx(void *arg, uint32_t index, const struct med_sp *e)
{
	struct med_pi_rx *rx = arg;
	size_t off = (size_t)index * rx->entry_size;
	struct ffa_partition_info_1_1 d;

	if (off + rx->entry_size > rx->size)
		return FFA_RET_NO_MEMORY;
	d.id = e->id;
	d.exec_ctx_count = e->exec_ctx_count;
	d.properties = e->properties;
	memcpy(d.uuid, e->uuid.b, sizeof(d.uuid));
	/* The 1.0 layout is the 1.1 layout's first 8 bytes. */
	memcpy(rx->buf + off, &d, rx->entry_size);
	return FFA_RET_OK;
}

med_status med_handle_partition_info_get(struct med_call *call)
{
	struct ffamed_vm *vm = call->vm;
	struct ffamed_regs *regs = call->regs;
	uint32_t version = call->version;
	struct ffamed *med = vm->med;
	bool v1_1 = med_version_at_least(version, FFA_VERSION_1_1);
	uint32_t flags = (uint32_t)regs->x[5];
	struct med_pi_rx rx;
	struct ffa_uuid uuid;
	uint32_t count = 0;
	void *buf;
	med_status rc;

	ffa_uuid_from_w(&uuid, (uint32_t)regs->x[1], (uint32_t)regs->x[2], (uint32_t)regs->x[3],
			(uint32_t)regs->x[4]);
	if (v1_1 ? (flags & ~FFA_PARTITION_INFO_GET_COUNT_FLAG) : flags)
		MED_REFUSE(call, FFA_RET_INVALID_PARAMETERS, "flags not known at this version");

	/* Unknown UUIDs are refused before anything else. */
	rc = med_pi_walk(vm, version, &uuid, NULL, NULL, &count);
	if (rc != FFA_RET_OK)
		MED_REFUSE(call, rc, "no partition with that UUID");
	if (flags & FFA_PARTITION_INFO_GET_COUNT_FLAG) {
		/* Count only: the RX buffer is neither written nor taken. */
		ffa_set_success32(regs, 0, count, 0);
		return FFA_RET_OK;
	}

	rx.entry_size = v1_1 ? sizeof(struct ffa_partition_info_1_1)
			     : sizeof(struct ffa_partition_info_1_0);
	med_lock(med, &vm->rxtx_lock);
	rc = med_vm_rx_acquire(vm, &buf, &rx.size);
	if (rc != FFA_RET_OK) {
		rc = MED_REFUSAL(call, rc, "RX not mapped or not free");
	} else {
		rx.buf = buf;
		rc = med_pi_walk(vm, version, &uuid, med_pi_put_rx, &rx, &count);
		if (rc == FFA_RET_OK) {
			med_vm_rx_give_to_guest(vm);
		} else {
			med_vm_rx_put_back(vm);
			rc = MED_REFUSAL(call, rc, "writing the list into RX failed");
		}
	}
	med_unlock(med, &vm->rxtx_lock);
	if (rc != FFA_RET_OK)
		return rc;
	/* v1.0 callers assume 8-byte entries: w3 MBZ for them. */
	ffa_set_success32(regs, 0, count, v1_1 ? rx.entry_size : 0);
	return FFA_RET_OK;
}

struct med_pi_regs {
	uint32_t start;
	uint32_t filled;
	uint64_t x[FFA_PIG_REGS_DESC_PER_CALL * 3];
};

static int32_t med_pi_put_regs(void *arg, uint32_t index, const struct med_sp *e)
{
	struct med_pi_regs *pr = arg;
	uint64_t *x;

	if (index < pr->start || index - pr->start >= FFA_PIG_REGS_DESC_PER_CALL)
		return FFA_RET_OK;
	x = &pr->x[(index - pr->start) * 3];
	x[0] = (uint64_t)e->id | ((uint64_t)e->exec_ctx_count << 16) |
	       ((uint64_t)e->properties << 32);
	x[1] = ffa_uuid_x(&e->uuid, 0);
	x[2] = ffa_uuid_x(&e->uuid, 1);
	pr->filled++;
	return FFA_RET_OK;
}

med_status med_handle_partition_info_get_regs(struct med_call *call)
{
	struct ffamed_regs *regs = call->regs;
	struct med_pi_regs pr = {0};
	struct ffa_uuid uuid;
	uint32_t count = 0, last, cur;
	uint64_t x3 = regs->x[3];
	med_status rc;

	ffa_uuid_from_x(&uuid, regs->x[1], regs->x[2]);
	if (x3 >> 32)
		MED_REFUSE(call, FFA_RET_INVALID_PARAMETERS, "x3[63:32] not zero");
	for (int i = 4; i < FFA_NREGS; i++)
		if (regs->x[i])
			MED_REFUSE(call, FFA_RET_INVALID_PARAMETERS, "x4 and up not zero");
	/* Tags are not implemented: the list may have changed. */
	if (FFA_PIG_REGS_TAG(x3))
		MED_REFUSE(call, FFA_RET_RETRY, "UUID tags not implemented");
	pr.start = FFA_PIG_REGS_START_INDEX(x3);
	rc = med_pi_walk(call->vm, call->version, &uuid, med_pi_put_regs, &pr, &count);
	if (rc != FFA_RET_OK)
		MED_REFUSE(call, rc, "no partition with that UUID");
	last = count - 1;
	if (pr.start > last)
		MED_REFUSE(call, FFA_RET_INVALID_PARAMETERS, "start index past the last partition");
	cur = pr.start + pr.filled - 1;

	ffa_regs_clear(regs);
	regs->x[0] = FFA_SUCCESS_64;
	regs->x[2] = FFA_PIG_REGS_X2(last, cur, 0, sizeof(struct ffa_partition_info_1_1));
	for (uint32_t i = 0; i < pr.filled * 3; i++)
		regs->x[3 + i] = pr.x[i];
	return FFA_RET_OK;
}
