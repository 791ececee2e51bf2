/* SPDX-License-Identifier: MIT */
/*
 * Base service: the SP cache, read once from the SPMC at create (one entry
 * per partition and UUID, secure IDs only), immutable afterwards; its
 * lookups and the VM availability subscribers. The SPMC's list is copied
 * field by field (memcpy from byte offsets: the firmware's entry size need
 * not suit our structs) into an aligned, normalised array.
 */
#include "med_host.h"
#include "med_internal.h"
#include "med_log.h"
#include "med_sp_cache.h"
#include "med_spmc_rxtx.h"
#include "med_version.h"

static bool med_id_in(const uint16_t *ids, uint32_t n, uint16_t id)
{
	for (uint32_t i = 0; i < n; i++)
		if (ids[i] == id)
			return true;
	return false;
}

/* Subscribers to VM_CREATED (bit 6) or VM_DESTROYED (bit 7): only SPs that
 * also take direct requests (bit 0) can be told. One entry per SP ID. */
static int32_t med_subscribers_init(struct ffamed *med, uint32_t bit, uint16_t **ids,
				    uint32_t *count)
{
	uint32_t n = 0;

	*ids = NULL;
	*count = 0;
	if (!med->sp_count)
		return FFA_RET_OK;
	*ids = med_alloc(med, sizeof(**ids) * med->sp_count);
	if (!*ids)
		return FFA_RET_NO_MEMORY;
	for (uint32_t i = 0; i < med->sp_count; i++) {
		const struct med_sp *sp = &med->sps[i];

		if ((sp->properties & bit) && (sp->properties & FFA_PART_PROP_DIRECT_REQ_RECV) &&
		    !med_id_in(*ids, n, sp->id))
			(*ids)[n++] = sp->id;
	}
	*count = n;
	return FFA_RET_OK;
}

static void med_sp_decode(const uint8_t *src, uint32_t size, struct med_sp *sp)
{
	memset(sp, 0, sizeof(*sp));
	memcpy(&sp->id, src + offsetof(struct ffa_partition_info_1_0, id), sizeof(sp->id));
	memcpy(&sp->exec_ctx_count, src + offsetof(struct ffa_partition_info_1_0, exec_ctx_count),
	       sizeof(sp->exec_ctx_count));
	memcpy(&sp->properties, src + offsetof(struct ffa_partition_info_1_0, properties),
	       sizeof(sp->properties));
	if (size >= sizeof(struct ffa_partition_info_1_1))
		memcpy(sp->uuid.b, src + offsetof(struct ffa_partition_info_1_1, uuid),
		       sizeof(sp->uuid.b));
}

/* Copies the listing in buf into med->sps; false if it cannot be trusted. */
static int32_t med_sp_cache_fill(struct ffamed *med, const uint8_t *buf, uint32_t count,
				 uint32_t size)
{
	uint32_t min = med_version_at_least(med->fw_version, FFA_VERSION_1_1)
			       ? sizeof(struct ffa_partition_info_1_1)
			       : sizeof(struct ffa_partition_info_1_0);
	uint32_t secure = 0;
	struct med_sp sp;

	/* Odd, misaligned or short entries mean a confused SPMC: run without
	 * SPs rather than trust garbage. */
	if (size < min || (size % 8) || count > med_spmc_rxtx_size(med) / size) {
		med_err(med,
			"ffamed: SPMC partition list unusable (%u entries of %u bytes): no SPs",
			(unsigned)count, (unsigned)size);
		return FFA_RET_OK;
	}
	for (uint32_t i = 0; i < count; i++) {
		med_sp_decode(buf + (size_t)i * size, size, &sp);
		if (FFA_ID_IS_SECURE(sp.id))
			secure++;
		else
			med_err(med, "ffamed: SPMC lists non-secure ID %x as an SP: ignored",
				(unsigned)sp.id);
	}
	if (!secure)
		return FFA_RET_OK;
	med->sps = med_alloc(med, sizeof(*med->sps) * secure);
	if (!med->sps)
		return FFA_RET_NO_MEMORY;
	for (uint32_t i = 0; i < count; i++) {
		med_sp_decode(buf + (size_t)i * size, size, &sp);
		if (!FFA_ID_IS_SECURE(sp.id))
			continue;
		med->sps[med->sp_count++] = sp;
		med->sp_props_any |= sp.properties;
	}
	return FFA_RET_OK;
}

int32_t med_sp_cache_init(struct ffamed *med)
{
	bool fw_owned = false;
	struct ffamed_regs r;
	uint8_t *buf;
	int32_t rc;

	buf = med_spmc_rx_acquire(med);
	if (!buf)
		return FFA_RET_OK;
	rc = med_fw_simple(med, FFA_PARTITION_INFO_GET, 0, 0, 0, 0, 0, &r);
	if (rc != FFA_RET_OK) {
		med_err(med, "ffamed: SPMC partition list unavailable (%d): no SPs", (int)rc);
		rc = FFA_RET_OK;
		goto out;
	}
	fw_owned = true;
	rc = med_sp_cache_fill(med, buf, (uint32_t)r.x[2],
			       med_version_at_least(med->fw_version, FFA_VERSION_1_1)
				       ? (uint32_t)r.x[3]
				       : sizeof(struct ffa_partition_info_1_0));
	if (rc != FFA_RET_OK)
		goto out;
	rc = med_subscribers_init(med, FFA_PART_PROP_VM_CREATED, &med->vm_created_sps,
				  &med->vm_created_count);
	if (rc != FFA_RET_OK)
		goto out;
	rc = med_subscribers_init(med, FFA_PART_PROP_VM_DESTROYED, &med->vm_destroyed_sps,
				  &med->vm_destroyed_count);
out:
	med_spmc_rx_release(med, fw_owned);
	med_info(med, "ffamed: %u SP entries cached", (unsigned)med->sp_count);
	return rc;
}

void med_sp_cache_fini(struct ffamed *med)
{
	med_free(med, med->vm_destroyed_sps);
	med_free(med, med->vm_created_sps);
	med_free(med, med->sps);
	med->vm_destroyed_sps = NULL;
	med->vm_created_sps = NULL;
	med->sps = NULL;
	med->vm_destroyed_count = 0;
	med->vm_created_count = 0;
	med->sp_count = 0;
	med->sp_props_any = 0;
}

const struct med_sp *med_sp_find(const struct ffamed *med, uint16_t id)
{
	for (uint32_t i = 0; i < med->sp_count; i++)
		if (med->sps[i].id == id)
			return &med->sps[i];
	return NULL;
}

uint32_t med_sp_props(const struct ffamed *med, uint16_t id)
{
	uint32_t props = 0;

	for (uint32_t i = 0; i < med->sp_count; i++)
		if (med->sps[i].id == id)
			props |= med->sps[i].properties;
	return props;
}

bool med_sp_has_uuid(const struct ffamed *med, uint16_t id, const struct ffa_uuid *uuid)
{
	for (uint32_t i = 0; i < med->sp_count; i++)
		if (med->sps[i].id == id && ffa_uuid_equal(&med->sps[i].uuid, uuid))
			return true;
	return false;
}
