/* SPDX-License-Identifier: MIT */
/*
 * Memory transaction descriptors: the v1.0 layout (32-byte header, 16-byte
 * EMADs at 32) and the v1.1+ one (48-byte header, EMAD size and offset in
 * the header, 32-byte EMADs from v1.2), and the permission and attribute
 * rules of a send.
 */
#include "spmc_mem_internal.h"

uint32_t spmc_mem_hdr_size(uint32_t version)
{
	return version == FFA_VERSION_1_0 ? sizeof(struct ffa_mem_region_1_0)
					  : sizeof(struct ffa_mem_region_1_1);
}

uint32_t spmc_mem_emad_size(uint32_t version)
{
	return spmc_version_at_least(version, FFA_VERSION_1_2) ? sizeof(struct ffa_mem_access_1_2)
							       : sizeof(struct ffa_mem_access_1_0);
}

static bool all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

int32_t spmc_mem_hdr_parse(const uint8_t *buf, size_t len, uint32_t version, struct spmc_mem_hdr *h)
{
	uint64_t end;

	if (len < spmc_mem_hdr_size(version))
		return FFA_RET_INVALID_PARAMETERS;
	if (version == FFA_VERSION_1_0) {
		struct ffa_mem_region_1_0 d;

		memcpy(&d, buf, sizeof(d));
		if (d.reserved0 || d.reserved1)
			return FFA_RET_INVALID_PARAMETERS;
		h->sender = d.sender;
		h->attributes = d.attributes;
		h->flags = d.flags;
		h->handle = d.handle;
		h->tag = d.tag;
		h->emad_count = d.emad_count;
		h->emad_size = sizeof(struct ffa_mem_access_1_0);
		h->emad_offset = sizeof(d);
	} else {
		struct ffa_mem_region_1_1 d;

		memcpy(&d, buf, sizeof(d));
		if (!all_zero(d.reserved, sizeof(d.reserved)))
			return FFA_RET_INVALID_PARAMETERS;
		/* A reader must honour the size field, but this SPMC is strict:
		 * each version has exactly one EMAD size. */
		if (d.emad_size != spmc_mem_emad_size(version) || d.emad_offset < sizeof(d) ||
		    (d.emad_offset & 15))
			return FFA_RET_INVALID_PARAMETERS;
		h->sender = d.sender;
		h->attributes = d.attributes;
		h->flags = d.flags;
		h->handle = d.handle;
		h->tag = d.tag;
		h->emad_count = d.emad_count;
		h->emad_size = d.emad_size;
		h->emad_offset = d.emad_offset;
	}
	end = (uint64_t)h->emad_offset + (uint64_t)h->emad_count * h->emad_size;
	if (end > len)
		return FFA_RET_INVALID_PARAMETERS;
	return FFA_RET_OK;
}

bool spmc_mem_emad_get(const uint8_t *buf, const struct spmc_mem_hdr *h, uint32_t version,
		       uint32_t i, struct spmc_mem_emad *e)
{
	const uint8_t *p = buf + h->emad_offset + (size_t)i * h->emad_size;

	memset(e, 0, sizeof(*e));
	if (spmc_version_at_least(version, FFA_VERSION_1_2)) {
		struct ffa_mem_access_1_2 a;

		memcpy(&a, p, sizeof(a));
		e->receiver = a.receiver;
		e->perm = a.permissions;
		e->flags = a.flags;
		e->composite_offset = a.composite_offset;
		memcpy(e->impdef, a.impdef, sizeof(e->impdef));
		return a.reserved == 0;
	} else {
		struct ffa_mem_access_1_0 a;

		memcpy(&a, p, sizeof(a));
		e->receiver = a.receiver;
		e->perm = a.permissions;
		e->flags = a.flags;
		e->composite_offset = a.composite_offset;
		return a.reserved == 0;
	}
}

uint32_t spmc_mem_hdr_encode(uint8_t *buf, uint32_t version, struct spmc_mem_hdr *h)
{
	h->emad_size = spmc_mem_emad_size(version);
	h->emad_offset = spmc_mem_hdr_size(version);
	if (version == FFA_VERSION_1_0) {
		struct ffa_mem_region_1_0 d = {
			.sender = h->sender,
			.attributes = (uint8_t)h->attributes,
			.flags = h->flags,
			.handle = h->handle,
			.tag = h->tag,
			.emad_count = h->emad_count,
		};

		memcpy(buf, &d, sizeof(d));
	} else {
		struct ffa_mem_region_1_1 d = {
			.sender = h->sender,
			.attributes = h->attributes,
			.flags = h->flags,
			.handle = h->handle,
			.tag = h->tag,
			.emad_size = h->emad_size,
			.emad_count = h->emad_count,
			.emad_offset = h->emad_offset,
		};

		memcpy(buf, &d, sizeof(d));
	}
	return h->emad_offset + h->emad_count * h->emad_size;
}

void spmc_mem_emad_encode(uint8_t *buf, const struct spmc_mem_hdr *h, uint32_t version, uint32_t i,
			  const struct spmc_mem_emad *e)
{
	uint8_t *p = buf + h->emad_offset + (size_t)i * h->emad_size;

	if (spmc_version_at_least(version, FFA_VERSION_1_2)) {
		struct ffa_mem_access_1_2 a = {
			.receiver = e->receiver,
			.permissions = e->perm,
			.flags = e->flags,
			.composite_offset = e->composite_offset,
		};

		memcpy(a.impdef, e->impdef, sizeof(a.impdef));
		memcpy(p, &a, sizeof(a));
	} else {
		struct ffa_mem_access_1_0 a = {
			.receiver = e->receiver,
			.permissions = e->perm,
			.flags = e->flags,
			.composite_offset = e->composite_offset,
		};

		memcpy(p, &a, sizeof(a));
	}
}

/* ---- Send rules --------------------------------------------------------------- */

int32_t spmc_mem_send_perm_check(uint32_t type, uint32_t recv_count, uint8_t perm, uint8_t *granted)
{
	uint8_t data = perm & FFA_MEM_PERM_DATA_MASK;
	uint8_t inst = perm & FFA_MEM_PERM_INST_MASK;

	if (perm & ~(FFA_MEM_PERM_DATA_MASK | FFA_MEM_PERM_INST_MASK))
		return FFA_RET_INVALID_PARAMETERS;
	if (data == FFA_MEM_PERM_DATA_MASK || inst == FFA_MEM_PERM_INST_MASK)
		return FFA_RET_INVALID_PARAMETERS; /* reserved encodings */
	switch (type) {
	case FFA_MEM_FLAG_TYPE_DONATE:
		/* The borrower becomes the owner: nothing to grant. */
		if (data || inst)
			return FFA_RET_INVALID_PARAMETERS;
		*granted = FFA_MEM_PERM_DATA_RW | FFA_MEM_PERM_INST_NX;
		return FFA_RET_OK;
	case FFA_MEM_FLAG_TYPE_SHARE:
		/* Shared memory is never executable by the borrower, and the
		 * relayer (not the sender) says so. */
		if (!data || inst)
			return FFA_RET_INVALID_PARAMETERS;
		*granted = data | FFA_MEM_PERM_INST_NX;
		return FFA_RET_OK;
	default:
		/* Lend: only a single borrower may be given execute rights. */
		if (!data || (inst && recv_count > 1))
			return FFA_RET_INVALID_PARAMETERS;
		*granted = data | (inst ? inst : FFA_MEM_PERM_INST_NX);
		return FFA_RET_OK;
	}
}

int32_t spmc_mem_send_attr_check(uint32_t type, uint32_t version, uint32_t recv_count,
				 uint16_t attributes)
{
	/* v1.0 has 8 bits, v1.1+ 16 with [15:7] MBZ; bit 6 is reserved at
	 * v1.0 and the NS bit after, which is the relayer's to set. */
	(void)version;
	if (attributes & (0xFF80u | FFA_MEM_ATTR_NS))
		return FFA_RET_INVALID_PARAMETERS;
	/* A donate and a lend to one borrower leave the attributes to the
	 * borrower: the sender must not give them (FF-A; Hafnium; ACS
	 * lend/donate_input_error_checks). */
	if (type == FFA_MEM_FLAG_TYPE_DONATE || (type == FFA_MEM_FLAG_TYPE_LEND && recv_count == 1))
		return attributes ? FFA_RET_INVALID_PARAMETERS : FFA_RET_OK;
	/* Shared memory must be coherent for every side: normal WB inner
	 * shareable only; other valid attributes cannot be honoured. */
	if (attributes == FFA_MEM_ATTR_NORMAL_WB_INNER)
		return FFA_RET_OK;
	return FFA_RET_DENIED;
}
