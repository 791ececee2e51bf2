/* SPDX-License-Identifier: MIT */
/*
 * Memory transaction descriptors: parsing the mediator's own copy of what a
 * guest wrote (never the guest's buffer, which may change under us), with
 * every offset, count and size checked in 64-bit arithmetic against the
 * copy's length; and encoding a normalised descriptor in the format a peer
 * negotiated (v1.0: 32-byte header; v1.1: 48-byte header, 16-byte EMADs;
 * v1.2: 32-byte EMADs). The single composite always follows the EMADs.
 */
#include "med_host.h"
#include "med_internal.h"
#include "med_mem.h"
#include "med_version.h"
#if FFAMED_CONFIG_MEM_SHARE /* ffamed/config.h; else med_compiled_out.c */

#define HDR_1_0	      32u
#define HDR_1_1	      48u
#define EMAD_SIZE_MAX 256u
#define COMP_SIZE     ((uint64_t)sizeof(struct ffa_mem_composite))
#define CONS_SIZE     ((uint64_t)sizeof(struct ffa_mem_constituent))
/* Constituent addresses in 4K pages fit 52 bits. */
#define PAGE_LIMIT (UINT64_MAX >> FFA_PAGE_SHIFT)

enum med_mem_fmt med_mem_fmt_of(uint32_t version)
{
	if (!med_version_at_least(version, FFA_VERSION_1_1))
		return MED_MEM_FMT_1_0;
	if (!med_version_at_least(version, FFA_VERSION_1_2))
		return MED_MEM_FMT_1_1;
	return MED_MEM_FMT_1_2;
}

struct desc_hdr {
	uint16_t sender;
	uint16_t attributes;
	uint32_t flags;
	uint64_t handle;
	uint64_t tag;
	uint64_t emad_offset;
	uint64_t emad_size;
	uint64_t emad_count;
};

static bool all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

static int32_t desc_header(const struct ffamed *med, const uint8_t *buf, size_t len,
			   enum med_mem_fmt fmt, struct desc_hdr *h)
{
	if (fmt == MED_MEM_FMT_1_0) {
		struct ffa_mem_region_1_0 r;

		if (len < HDR_1_0)
			return FFA_RET_INVALID_PARAMETERS;
		memcpy(&r, buf, sizeof(r));
		if (r.reserved0 || r.reserved1)
			return FFA_RET_INVALID_PARAMETERS;
		h->sender = r.sender;
		h->attributes = r.attributes;
		h->flags = r.flags;
		h->handle = r.handle;
		h->tag = r.tag;
		h->emad_offset = HDR_1_0;
		h->emad_size = sizeof(struct ffa_mem_access_1_0);
		h->emad_count = r.emad_count;
	} else {
		struct ffa_mem_region_1_1 r;

		if (len < HDR_1_1)
			return FFA_RET_INVALID_PARAMETERS;
		memcpy(&r, buf, sizeof(r));
		if (!all_zero(r.reserved, sizeof(r.reserved)))
			return FFA_RET_INVALID_PARAMETERS;
		h->sender = r.sender;
		h->attributes = r.attributes;
		h->flags = r.flags;
		h->handle = r.handle;
		h->tag = r.tag;
		h->emad_offset = r.emad_offset;
		h->emad_size = r.emad_size;
		h->emad_count = r.emad_count;
		if (h->emad_offset < HDR_1_1 || (h->emad_offset & 15) || h->emad_size < 16 ||
		    (h->emad_size & 15) || h->emad_size > EMAD_SIZE_MAX)
			return FFA_RET_INVALID_PARAMETERS;
	}
	if (h->emad_count == 0 || h->emad_count > med->cfg.mem_max_receivers)
		return FFA_RET_INVALID_PARAMETERS;
	/* offset < 2^32, count <= 64, size <= 256: no overflow in 64 bits. */
	if (h->emad_offset + h->emad_count * h->emad_size > len)
		return FFA_RET_INVALID_PARAMETERS;
	return FFA_RET_OK;
}

/* EMAD i into r; stores its composite offset. */
static int32_t desc_emad(const uint8_t *buf, const struct desc_hdr *h, uint64_t i,
			 struct med_mem_recv *r, uint32_t *comp_off)
{
	const uint8_t *e = buf + h->emad_offset + i * h->emad_size;
	struct ffa_mem_access_1_0 a;

	memcpy(&a, e, sizeof(a));
	r->id = a.receiver;
	r->perm = a.permissions;
	r->flags = a.flags;
	*comp_off = a.composite_offset;
	memset(r->impdef, 0, sizeof(r->impdef));
	if (h->emad_size >= sizeof(struct ffa_mem_access_1_2)) {
		memcpy(r->impdef, e + 8, sizeof(r->impdef));
		if (!all_zero(e + 24, (size_t)h->emad_size - 24))
			return FFA_RET_INVALID_PARAMETERS;
	} else if (!all_zero(e + 8, (size_t)h->emad_size - 8)) {
		return FFA_RET_INVALID_PARAMETERS;
	}
	return FFA_RET_OK;
}

/*
 * Memory region attributes a sender may give (docs/MEMORY.md §2): a donate
 * and a lend to one borrower leave them to the borrower (0), a share and a
 * lend to several borrowers must give normal memory, write-back or
 * non-cacheable, not the reserved shareability (FF-A memory region
 * attributes usage; ACS *_input_error_checks; Hafnium). NS and bits 15:7
 * MBZ.
 */
static bool desc_attributes_ok(uint16_t a, enum med_mem_op op, uint64_t recv_count)
{
	uint16_t type = a & FFA_MEM_ATTR_TYPE_MASK;
	uint16_t cache = (a >> 2) & 3u;
	uint16_t share = a & 3u;

	if (a & ~0x3Fu)
		return false;
	if (FFAMED_CONFIG_MEM_LEND_DONATE &&
	    (op == MED_MEM_DONATE || (op == MED_MEM_LEND && recv_count == 1)))
		return a == 0;
	if (type != FFA_MEM_ATTR_TYPE_NORMAL)
		return false; /* device memory is not shared out of RAM */
	return (cache == 1 || cache == 3) && share != 1;
}

/*
 * Permissions a sender may give: instruction access is never the sender's
 * to set (the relayer grants NX; executable borrowed memory is refused);
 * data access RO or RW, except a donate, which leaves it to the borrower
 * (FF-A memory access permissions usage; ACS *_input_error_checks; Hafnium).
 */
static bool desc_perm_ok(uint8_t p, enum med_mem_op op)
{
	uint8_t data = p & FFA_MEM_PERM_DATA_MASK;

	if (p & ~FFA_MEM_PERM_DATA_MASK)
		return false;
	if (FFAMED_CONFIG_MEM_LEND_DONATE && op == MED_MEM_DONATE)
		return data == 0;
	return data == FFA_MEM_PERM_DATA_RO || data == FFA_MEM_PERM_DATA_RW;
}

void med_mem_desc_free(const struct ffamed *med, struct med_mem_desc *d)
{
	med_free(med, d->recv);
	med_free(med, d->cons);
	d->recv = NULL;
	d->cons = NULL;
}

static int32_t desc_composite(const struct ffamed *med, const uint8_t *buf, size_t len,
			      uint64_t emads_end, uint32_t off, struct med_mem_desc *d)
{
	struct ffa_mem_composite comp;
	uint64_t sum = 0;

	if (off < emads_end || (off & 7) || (uint64_t)off + COMP_SIZE > len)
		return FFA_RET_INVALID_PARAMETERS;
	memcpy(&comp, buf + off, sizeof(comp));
	if (comp.reserved || comp.constituent_count == 0 || comp.total_page_count == 0 ||
	    comp.total_page_count > med->cfg.mem_max_pages ||
	    comp.constituent_count > comp.total_page_count)
		return FFA_RET_INVALID_PARAMETERS;
	/* The constituents end the descriptor: the total length is exact. */
	if ((uint64_t)off + COMP_SIZE + (uint64_t)comp.constituent_count * CONS_SIZE != len)
		return FFA_RET_INVALID_PARAMETERS;
	d->cons = med_alloc(med, (size_t)comp.constituent_count * sizeof(*d->cons));
	if (!d->cons)
		return FFA_RET_NO_MEMORY;
	d->cons_count = comp.constituent_count;
	memcpy(d->cons, buf + off + COMP_SIZE, (size_t)comp.constituent_count * CONS_SIZE);
	for (uint32_t i = 0; i < d->cons_count; i++) {
		const struct ffa_mem_constituent *c = &d->cons[i];

		if (c->reserved || c->page_count == 0 || (c->address & (FFA_PAGE_SIZE - 1)) ||
		    (c->address >> FFA_PAGE_SHIFT) > PAGE_LIMIT - c->page_count)
			return FFA_RET_INVALID_PARAMETERS;
		sum += c->page_count; /* < 2^32 * 2^32: no overflow */
	}
	if (sum != comp.total_page_count)
		return FFA_RET_INVALID_PARAMETERS;
	d->total_pages = sum;
	return FFA_RET_OK;
}

/* The composite header alone (the first fragment of a send, len bytes of a
 * descriptor announced as `total`): the announced total must be exactly the
 * size the composite gives, or the send is not a fragmented one but a bad
 * length (ACS *_input_error_checks1, Hafnium). */
static int32_t desc_composite_head(const struct ffamed *med, const uint8_t *buf, size_t len,
				   uint64_t total, uint64_t emads_end, uint32_t off,
				   struct med_mem_desc *d)
{
	struct ffa_mem_composite comp;

	if (off < emads_end || (off & 7) || (uint64_t)off + COMP_SIZE > len)
		return FFA_RET_INVALID_PARAMETERS;
	memcpy(&comp, buf + off, sizeof(comp));
	if (comp.reserved || comp.constituent_count == 0 || comp.total_page_count == 0 ||
	    comp.total_page_count > med->cfg.mem_max_pages ||
	    comp.constituent_count > comp.total_page_count ||
	    (uint64_t)off + COMP_SIZE + (uint64_t)comp.constituent_count * CONS_SIZE != total)
		return FFA_RET_INVALID_PARAMETERS;
	d->total_pages = comp.total_page_count;
	return FFA_RET_OK;
}

static int32_t desc_parse(const struct ffamed *med, const uint8_t *buf, size_t len, uint64_t total,
			  enum med_mem_fmt fmt, enum med_mem_op op, bool head_only,
			  struct med_mem_desc *d)
{
	struct desc_hdr h;
	uint32_t comp_off = 0;
	int32_t rc;

	memset(d, 0, sizeof(*d));
	rc = desc_header(med, buf, len, fmt, &h);
	if (rc != FFA_RET_OK)
		return rc;
	if (h.handle || (h.flags & ~FFA_MEM_FLAGS_TRANSACTION_MASK) ||
	    (h.flags & FFA_MEM_FLAG_TIME_SLICING) ||
	    (op == MED_MEM_SHARE && (h.flags & FFA_MEM_FLAG_ZERO_MEMORY)) ||
	    !desc_attributes_ok(h.attributes, op, h.emad_count) ||
	    (FFAMED_CONFIG_MEM_LEND_DONATE && op == MED_MEM_DONATE && h.emad_count != 1))
		return FFA_RET_INVALID_PARAMETERS;
	d->sender = h.sender;
	d->attributes = h.attributes;
	d->flags = h.flags;
	d->tag = h.tag;
	d->recv = med_alloc(med, (size_t)h.emad_count * sizeof(*d->recv));
	if (!d->recv)
		return FFA_RET_NO_MEMORY;
	d->recv_count = (uint32_t)h.emad_count;
	rc = FFA_RET_INVALID_PARAMETERS;
	for (uint32_t i = 0; i < d->recv_count; i++) {
		struct med_mem_recv *r = &d->recv[i];
		uint32_t off;

		if (desc_emad(buf, &h, i, r, &off) != FFA_RET_OK)
			goto err;
		if (r->flags || !desc_perm_ok(r->perm, op) || r->id == h.sender ||
		    r->id == FFA_HYP_ID || !off || (i && off != comp_off))
			goto err;
		for (uint32_t j = 0; j < i; j++)
			if (d->recv[j].id == r->id)
				goto err;
		comp_off = off;
	}
	if (head_only)
		rc = desc_composite_head(med, buf, len, total,
					 h.emad_offset + h.emad_count * h.emad_size, comp_off, d);
	else
		rc = desc_composite(med, buf, len, h.emad_offset + h.emad_count * h.emad_size,
				    comp_off, d);
	if (rc != FFA_RET_OK)
		goto err;
	return FFA_RET_OK;
err:
	med_mem_desc_free(med, d);
	return rc;
}

int32_t med_mem_desc_parse(const struct ffamed *med, const uint8_t *buf, size_t len,
			   enum med_mem_fmt fmt, enum med_mem_op op, struct med_mem_desc *d)
{
	return desc_parse(med, buf, len, len, fmt, op, false, d);
}

int32_t med_mem_desc_parse_head(const struct ffamed *med, const uint8_t *buf, size_t len,
				uint64_t total, enum med_mem_fmt fmt, enum med_mem_op op,
				struct med_mem_desc *d)
{
	return desc_parse(med, buf, len, total, fmt, op, true, d);
}

int32_t med_mem_retrieve_parse(const struct ffamed *med, const uint8_t *buf, size_t len,
			       enum med_mem_fmt fmt, struct med_mem_desc *d)
{
	struct desc_hdr h;
	int32_t rc;

	memset(d, 0, sizeof(*d));
	rc = desc_header(med, buf, len, fmt, &h);
	if (rc != FFA_RET_OK)
		return rc;
	if ((h.flags & ~FFA_MEM_FLAGS_RETRIEVE_MASK) || (h.flags & FFA_MEM_FLAG_TIME_SLICING) ||
	    ((h.flags & FFA_MEM_FLAG_ALIGN_HINT_MASK) &&
	     !(h.flags & FFA_MEM_FLAG_ALIGN_HINT_VALID)) ||
	    (h.attributes & FFA_MEM_ATTR_NS) || (h.attributes & ~0x3Fu))
		return FFA_RET_INVALID_PARAMETERS;
	d->sender = h.sender;
	d->attributes = h.attributes;
	d->flags = h.flags;
	d->handle = h.handle;
	d->tag = h.tag;
	d->recv = med_alloc(med, (size_t)h.emad_count * sizeof(*d->recv));
	if (!d->recv)
		return FFA_RET_NO_MEMORY;
	d->recv_count = (uint32_t)h.emad_count;
	for (uint32_t i = 0; i < d->recv_count; i++) {
		uint32_t off;

		/* The composite offset may be 0 or point anywhere: unused. */
		if (desc_emad(buf, &h, i, &d->recv[i], &off) != FFA_RET_OK ||
		    (d->recv[i].flags & ~1u) || (d->recv[i].perm & 0xF0u)) {
			med_mem_desc_free(med, d);
			return FFA_RET_INVALID_PARAMETERS;
		}
	}
	return FFA_RET_OK;
}

static uint64_t fmt_header(enum med_mem_fmt fmt)
{
	return fmt == MED_MEM_FMT_1_0 ? HDR_1_0 : HDR_1_1;
}

static uint64_t fmt_emad(enum med_mem_fmt fmt)
{
	return fmt == MED_MEM_FMT_1_2 ? sizeof(struct ffa_mem_access_1_2)
				      : sizeof(struct ffa_mem_access_1_0);
}

static uint64_t fmt_comp_offset(enum med_mem_fmt fmt, uint32_t recv_count)
{
	uint64_t end = fmt_header(fmt) + fmt_emad(fmt) * recv_count;

	return (end + 15) & ~(uint64_t)15;
}

size_t med_mem_desc_size(enum med_mem_fmt fmt, uint32_t recv_count, uint64_t cons_count)
{
	uint64_t size;

	if (cons_count > (UINT64_MAX >> 8))
		return 0;
	size = fmt_comp_offset(fmt, recv_count) + COMP_SIZE + cons_count * CONS_SIZE;
	if (size > SIZE_MAX || size > UINT32_MAX)
		return 0;
	return (size_t)size;
}

void med_mem_desc_encode(uint8_t *out, enum med_mem_fmt fmt, const struct med_mem_desc *d,
			 const struct ffa_mem_constituent *cons, uint64_t n)
{
	uint64_t comp_off = fmt_comp_offset(fmt, d->recv_count);

	med_mem_desc_encode_head(out, fmt, d, n);
	if (n)
		memcpy(out + comp_off + COMP_SIZE, cons, (size_t)(n * CONS_SIZE));
}

void med_mem_desc_encode_head(uint8_t *out, enum med_mem_fmt fmt, const struct med_mem_desc *d,
			      uint64_t n)
{
	uint64_t comp_off = fmt_comp_offset(fmt, d->recv_count);
	struct ffa_mem_composite comp = {
		.total_page_count = (uint32_t)d->total_pages,
		.constituent_count = (uint32_t)n,
	};

	memset(out, 0, (size_t)comp_off);
	if (fmt == MED_MEM_FMT_1_0) {
		struct ffa_mem_region_1_0 r = {
			.sender = d->sender,
			.attributes = (uint8_t)d->attributes,
			.flags = d->flags,
			.handle = d->handle,
			.tag = d->tag,
			.emad_count = d->recv_count,
		};
		memcpy(out, &r, sizeof(r));
	} else {
		struct ffa_mem_region_1_1 r = {
			.sender = d->sender,
			.attributes = d->attributes,
			.flags = d->flags,
			.handle = d->handle,
			.tag = d->tag,
			.emad_size = (uint32_t)fmt_emad(fmt),
			.emad_count = d->recv_count,
			.emad_offset = HDR_1_1,
		};
		memcpy(out, &r, sizeof(r));
	}
	for (uint32_t i = 0; i < d->recv_count; i++) {
		struct ffa_mem_access_1_2 a = {
			.receiver = d->recv[i].id,
			.permissions = d->recv[i].perm,
			.flags = d->recv[i].flags,
			.composite_offset = (uint32_t)comp_off,
		};

		if (fmt == MED_MEM_FMT_1_2)
			memcpy(a.impdef, d->recv[i].impdef, sizeof(a.impdef));
		memcpy(out + fmt_header(fmt) + i * fmt_emad(fmt), &a, (size_t)fmt_emad(fmt));
	}
	memcpy(out + comp_off, &comp, sizeof(comp));
}

uint64_t med_mem_coalesce(const uint64_t *addr, uint64_t n, struct ffa_mem_constituent *out)
{
	uint64_t runs = 0;

	for (uint64_t i = 0; i < n;) {
		uint64_t len = 1;

		/* A constituent's page count is 32 bits. */
		while (i + len < n && len < UINT32_MAX &&
		       addr[i + len] == addr[i] + len * FFA_PAGE_SIZE)
			len++;
		out[runs].address = addr[i];
		out[runs].page_count = (uint32_t)len;
		out[runs].reserved = 0;
		runs++;
		i += len;
	}
	return runs;
}
#endif /* FFAMED_CONFIG_MEM_SHARE */
