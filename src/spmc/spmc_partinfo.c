/* SPDX-License-Identifier: MIT */
/*
 * Partition discovery: FFA_PARTITION_INFO_GET (descriptors in the
 * hypervisor's RX buffer) and FFA_PARTITION_INFO_GET_REGS (descriptors in
 * x3..x17). The SP table never changes after creation, so listing it needs
 * no lock; only the RX buffer does.
 *
 * Entries: a v1.2 caller gets one per (partition, UUID) pair, older callers
 * one per partition. The UUID field is filled only for Nil-UUID queries.
 */
#include "spmc_base.h"
#include "spmc_partinfo.h"

struct partinfo_entry {
	uint16_t id;
	uint16_t exec_ctx_count;
	uint32_t properties;
	struct ffa_uuid uuid;
};

struct partinfo_query {
	struct ffamed_spmc *spmc;
	struct ffa_uuid uuid;
	bool nil;
	bool per_uuid; /* v1.2 caller: one entry per (partition, UUID) */
	bool bogus;    /* fault: add a normal-world ID to Nil listings */
	uint32_t prop_mask;
};

static void partinfo_query_init(struct partinfo_query *q, struct ffamed_spmc *spmc,
				uint32_t version, const struct ffa_uuid *uuid)
{
	q->spmc = spmc;
	q->uuid = *uuid;
	q->nil = ffa_uuid_is_nil(uuid);
	q->per_uuid = spmc_version_at_least(version, FFA_VERSION_1_2);
	q->bogus = q->nil && spmc_faults(spmc).partinfo_include_nonsecure_id;
	if (spmc_version_at_least(version, FFA_VERSION_1_1))
		q->prop_mask = FFA_PART_PROP_MASK_1_2;
	else
		q->prop_mask = FFA_PART_PROP_MASK_1_0;
}

/*
 * Visits entry `index` of the listing (fills *e and returns true), or
 * returns false past the end. Callers iterate index = 0, 1, ... The count
 * is the first index for which it returns false.
 */
static bool partinfo_entry_at(const struct partinfo_query *q, uint32_t index,
			      struct partinfo_entry *e)
{
	const struct ffamed_spmc *spmc = q->spmc;
	uint32_t n = 0;

	for (uint32_t i = 0; i < spmc->sp_count; i++) {
		const struct ffamed_sp_config *c = &spmc->sps[i].cfg;
		uint32_t uuids = q->nil && q->per_uuid ? c->uuid_count : 1;

		for (uint32_t u = 0; u < uuids; u++) {
			if (!q->nil) {
				bool match = false;

				for (uint32_t k = 0; k < c->uuid_count; k++)
					match = match || ffa_uuid_equal(&c->uuids[k], &q->uuid);
				if (!match)
					break;
			}
			if (n++ != index)
				continue;
			e->id = c->id;
			e->exec_ctx_count = c->exec_ctx_count;
			e->properties = c->properties & q->prop_mask;
			memset(&e->uuid, 0, sizeof(e->uuid));
			if (q->nil)
				e->uuid = c->uuids[u];
			return true;
		}
	}
	if (q->bogus && n == index) {
		e->id = FFAMED_SPMC_BOGUS_NWD_ID;
		e->exec_ctx_count = 1;
		e->properties = FFA_PART_PROP_DIRECT_REQ_RECV & q->prop_mask;
		memset(&e->uuid, 0, sizeof(e->uuid));
		return true;
	}
	return false;
}

static uint32_t partinfo_count(const struct partinfo_query *q)
{
	struct partinfo_entry e;
	uint32_t n = 0;

	while (partinfo_entry_at(q, n, &e))
		n++;
	return n;
}

static void partinfo_encode(const struct partinfo_entry *e, uint8_t *dst, uint32_t size)
{
	struct ffa_partition_info_1_1 d;

	d.id = e->id;
	d.exec_ctx_count = e->exec_ctx_count;
	d.properties = e->properties;
	memcpy(d.uuid, e->uuid.b, sizeof(d.uuid));
	memset(dst, 0, size);
	memcpy(dst, &d, size < sizeof(d) ? size : sizeof(d));
}

void spmc_partition_info_get(struct ffamed_spmc *spmc, struct ffamed_regs *regs, uint32_t version)
{
	struct partinfo_query q;
	struct ffa_uuid uuid;
	uint32_t flags = (uint32_t)regs->x[5];
	uint32_t count;
	uint32_t size;
	uint16_t fault_size = spmc_faults(spmc).partinfo_desc_size;
	bool v1_0 = !spmc_version_at_least(version, FFA_VERSION_1_1);
	int32_t err = FFA_RET_BUSY;

	if ((v1_0 && flags) || (flags & ~FFA_PARTITION_INFO_GET_COUNT_FLAG) ||
	    !spmc_regs_mbz(regs, true, 6, 7)) {
		spmc_refuse(spmc, regs, FFA_RET_INVALID_PARAMETERS,
			    "spmc: PARTITION_INFO_GET flags %x at v%x", flags, version);
		return;
	}
	ffa_uuid_from_w(&uuid, (uint32_t)regs->x[1], (uint32_t)regs->x[2], (uint32_t)regs->x[3],
			(uint32_t)regs->x[4]);
	partinfo_query_init(&q, spmc, version, &uuid);
	count = partinfo_count(&q);
	if (!q.nil && count == 0) {
		spmc_refuse(spmc, regs, FFA_RET_INVALID_PARAMETERS,
			    "spmc: PARTITION_INFO_GET: unknown UUID");
		return;
	}
	if (flags & FFA_PARTITION_INFO_GET_COUNT_FLAG) {
		/* Count only: the RX buffer is neither used nor handed over. */
		ffa_set_success32(regs, 0, count, 0);
		return;
	}
	size = v1_0 ? sizeof(struct ffa_partition_info_1_0) : sizeof(struct ffa_partition_info_1_1);
	if (fault_size)
		size = fault_size;

	spmc_lock(spmc, &spmc->mbox_lock);
	if (!spmc->hyp.mapped || spmc->hyp.rx_owner != FFAMED_SPMC_RX_OWNER_SPMC)
		goto refuse;
	if ((uint64_t)count * size > (uint64_t)spmc->hyp.page_count * FFA_PAGE_SIZE) {
		err = FFA_RET_NO_MEMORY;
		goto refuse;
	}
	for (uint32_t i = 0; i < count; i++) {
		struct partinfo_entry e;

		partinfo_entry_at(&q, i, &e);
		partinfo_encode(&e, spmc->hyp.rx + (size_t)i * size, size);
	}
	spmc->hyp.rx_owner = FFAMED_SPMC_RX_OWNER_NWD;
	spmc_unlock(spmc, &spmc->mbox_lock);
	ffa_set_success32(regs, 0, count, size);
	return;

refuse:
	spmc_unlock(spmc, &spmc->mbox_lock);
	spmc_refuse(spmc, regs, err, "spmc: PARTITION_INFO_GET: RX not ours or too small");
}

void spmc_partition_info_get_regs(struct ffamed_spmc *spmc, struct ffamed_regs *regs,
				  uint32_t version)
{
	struct partinfo_query q;
	struct ffa_uuid uuid;
	uint64_t x3 = regs->x[3];
	uint32_t start = FFA_PIG_REGS_START_INDEX(x3);
	uint32_t count;
	uint32_t last;
	uint32_t n = 0;
	uint16_t size = spmc_faults(spmc).partinfo_desc_size;
	struct ffamed_regs out;

	if ((x3 >> 32) || !spmc_regs_mbz(regs, false, 4, 17)) {
		spmc_refuse(spmc, regs, FFA_RET_INVALID_PARAMETERS,
			    "spmc: PARTITION_INFO_GET_REGS MBZ bits");
		return;
	}
	if (FFA_PIG_REGS_TAG(x3)) {
		/* No tags are handed out, so any tag is stale. */
		spmc_refuse(spmc, regs, FFA_RET_RETRY, "spmc: PARTITION_INFO_GET_REGS tag");
		return;
	}
	ffa_uuid_from_x(&uuid, regs->x[1], regs->x[2]);
	partinfo_query_init(&q, spmc, version, &uuid);
	count = partinfo_count(&q);
	if (count == 0 || start >= count) {
		spmc_refuse(spmc, regs, FFA_RET_INVALID_PARAMETERS,
			    "spmc: PARTITION_INFO_GET_REGS start %u of %u", start, count);
		return;
	}
	last = count - 1;
	ffa_regs_clear(&out);
	out.x[0] = FFA_SUCCESS_64;
	for (uint32_t i = start; i <= last && n < FFA_PIG_REGS_DESC_PER_CALL; i++, n++) {
		struct partinfo_entry e;
		uint64_t *r = &out.x[3 + 3 * n];

		partinfo_entry_at(&q, i, &e);
		r[0] = (uint64_t)e.id | ((uint64_t)e.exec_ctx_count << 16) |
		       ((uint64_t)e.properties << 32);
		r[1] = ffa_uuid_x(&e.uuid, 0);
		r[2] = ffa_uuid_x(&e.uuid, 1);
	}
	if (!size)
		size = sizeof(struct ffa_partition_info_1_1);
	out.x[2] = FFA_PIG_REGS_X2(last, start + n - 1, 0, size);
	*regs = out;
}
