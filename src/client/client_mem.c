/* SPDX-License-Identifier: MIT */
/*
 * Memory management from a guest: sending memory (share, lend, donate) with
 * the descriptor built straight into TX and cut into fragments when it does
 * not fit, reclaiming it, and as a borrower retrieving (response through
 * RX, fragment by fragment) and relinquishing it.
 */
#include <stddef.h>
#include <string.h>

#include "client_internal.h"

#define COMPOSITE_SIZE	 16u
#define CONSTITUENT_SIZE 16u
/* Bound on the fragments of one response, against a looping callee. */
#define FFAC_MAX_MEM_FRAGMENTS 0x100000u

static bool ffac_v10(const struct ffac *c)
{
	return c->version == FFA_VERSION_1_0;
}

static uint32_t hdr_size(const struct ffac *c)
{
	return ffac_v10(c) ? sizeof(struct ffa_mem_region_1_0) : sizeof(struct ffa_mem_region_1_1);
}

static uint32_t emad_size(const struct ffac *c)
{
	return FFA_VERSION_MINOR(c->version) >= 2 ? sizeof(struct ffa_mem_access_1_2)
						  : sizeof(struct ffa_mem_access_1_0);
}

static size_t tx_size(const struct ffac *c)
{
	return (size_t)c->rxtx_pages * FFA_PAGE_SIZE;
}

static uint64_t handle_of(uint64_t lo, uint64_t hi)
{
	return (uint32_t)lo | ((uint64_t)(uint32_t)hi << 32);
}

/* Writes a transaction header; the EMAD array follows at hdr_size(). */
static void put_header(const struct ffac *c, uint8_t *buf, uint16_t sender, uint16_t attributes,
		       uint32_t flags, uint64_t handle, uint64_t tag, uint32_t emad_count)
{
	if (ffac_v10(c)) {
		struct ffa_mem_region_1_0 h = {
			.sender = sender,
			.attributes = (uint8_t)attributes,
			.flags = flags,
			.handle = handle,
			.tag = tag,
			.emad_count = emad_count,
		};

		memcpy(buf, &h, sizeof(h));
	} else {
		struct ffa_mem_region_1_1 h = {
			.sender = sender,
			.attributes = attributes,
			.flags = flags,
			.handle = handle,
			.tag = tag,
			.emad_size = emad_size(c),
			.emad_count = emad_count,
			.emad_offset = sizeof(h),
		};

		memcpy(buf, &h, sizeof(h));
	}
}

static void put_emad(const struct ffac *c, uint8_t *buf, uint32_t i, uint16_t id, uint8_t perm,
		     const uint8_t *impdef, uint32_t comp_off)
{
	uint8_t *p = buf + hdr_size(c) + (size_t)i * emad_size(c);

	if (emad_size(c) == sizeof(struct ffa_mem_access_1_2)) {
		struct ffa_mem_access_1_2 e = {
			.receiver = id, .permissions = perm, .composite_offset = comp_off};

		if (impdef)
			memcpy(e.impdef, impdef, sizeof(e.impdef));
		memcpy(p, &e, sizeof(e));
	} else {
		struct ffa_mem_access_1_0 e = {
			.receiver = id, .permissions = perm, .composite_offset = comp_off};

		memcpy(p, &e, sizeof(e));
	}
}

/* Writes constituents from index *next into buf[0..room); returns bytes. */
static uint32_t put_constituents(const struct ffac_mem_send *s, uint8_t *buf, size_t room,
				 uint32_t *next)
{
	uint32_t len = 0;

	while (*next < s->range_count && room - len >= CONSTITUENT_SIZE) {
		struct ffa_mem_constituent k = {
			.address = s->ranges[*next].addr,
			.page_count = s->ranges[*next].pages,
		};

		memcpy(buf + len, &k, sizeof(k));
		len += CONSTITUENT_SIZE;
		(*next)++;
	}
	return len;
}

static int32_t mem_send(struct ffac *c, uint32_t fid, const struct ffac_mem_send *s,
			uint64_t *handle, uint32_t *fragments)
{
	uint8_t *tx = c->tx;
	uint64_t comp_off;
	uint64_t total;
	uint64_t pages = 0;
	uint32_t next = 0;
	uint32_t frag;
	uint32_t sent;
	uint32_t nfrags = 1;
	struct ffamed_regs regs;

	if (!c->rxtx_mapped || !c->version)
		return FFA_RET_DENIED;
	if (!s || !handle || !s->borrower_count || !s->borrowers || !s->range_count || !s->ranges)
		return FFA_RET_INVALID_PARAMETERS;
	comp_off = hdr_size(c) + (uint64_t)s->borrower_count * emad_size(c);
	total = comp_off + COMPOSITE_SIZE + (uint64_t)s->range_count * CONSTITUENT_SIZE;
	if (total > UINT32_MAX || comp_off + COMPOSITE_SIZE > tx_size(c))
		return FFA_RET_NO_MEMORY;
	for (uint32_t i = 0; i < s->range_count; i++)
		pages += s->ranges[i].pages;
	if (pages > UINT32_MAX)
		return FFA_RET_INVALID_PARAMETERS;

	put_header(c, tx, c->id, s->attributes, s->flags, 0, s->tag, s->borrower_count);
	for (uint32_t i = 0; i < s->borrower_count; i++)
		put_emad(c, tx, i, s->borrowers[i].id, s->borrowers[i].perm, s->borrowers[i].impdef,
			 (uint32_t)comp_off);
	{
		struct ffa_mem_composite comp = {
			.total_page_count = (uint32_t)pages,
			.constituent_count = s->range_count,
		};

		memcpy(tx + comp_off, &comp, sizeof(comp));
	}
	frag = (uint32_t)(comp_off + COMPOSITE_SIZE);
	frag += put_constituents(s, tx + frag, tx_size(c) - frag, &next);
	sent = frag;

	ffac_regs_for(&regs, fid);
	regs.x[1] = total;
	regs.x[2] = frag;
	ffac_call(c, &regs);
	while (ffac_w0(&regs) == FFA_MEM_FRAG_RX) {
		uint64_t h = handle_of(regs.x[1], regs.x[2]);

		/* The callee must have taken exactly what was sent. */
		if ((uint32_t)regs.x[3] != sent || sent >= total)
			return FFAC_RET_BAD_REPLY;
		frag = put_constituents(s, tx, tx_size(c), &next);
		ffac_regs_for(&regs, FFA_MEM_FRAG_TX);
		regs.x[1] = (uint32_t)h;
		regs.x[2] = (uint32_t)(h >> 32);
		regs.x[3] = frag;
		ffac_call(c, &regs);
		sent += frag;
		nfrags++;
	}
	if (fragments)
		*fragments = nfrags;
	if (ffa_is_error(&regs))
		return ffac_error_of(&regs);
	if (ffac_w0(&regs) != FFA_SUCCESS_32 || sent != total)
		return FFAC_RET_BAD_REPLY;
	*handle = handle_of(regs.x[2], regs.x[3]);
	return FFA_RET_OK;
}

int32_t ffac_mem_share(struct ffac *c, const struct ffac_mem_send *s, uint64_t *handle,
		       uint32_t *fragments)
{
	return mem_send(c, FFA_MEM_SHARE_64, s, handle, fragments);
}

int32_t ffac_mem_lend(struct ffac *c, const struct ffac_mem_send *s, uint64_t *handle,
		      uint32_t *fragments)
{
	return mem_send(c, FFA_MEM_LEND_64, s, handle, fragments);
}

int32_t ffac_mem_donate(struct ffac *c, const struct ffac_mem_send *s, uint64_t *handle,
			uint32_t *fragments)
{
	return mem_send(c, FFA_MEM_DONATE_64, s, handle, fragments);
}

int32_t ffac_mem_reclaim(struct ffac *c, uint64_t handle, uint32_t flags)
{
	struct ffamed_regs regs;

	ffac_regs_for(&regs, FFA_MEM_RECLAIM);
	regs.x[1] = (uint32_t)handle;
	regs.x[2] = (uint32_t)(handle >> 32);
	regs.x[3] = flags;
	ffac_call(c, &regs);
	return ffac_status(&regs);
}

/* ---- Retrieve ---------------------------------------------------------------- */

/* Parsing state of a response arriving in fragments. */
struct resp_parse {
	uint32_t const_off; /* where the constituents start */
	uint32_t const_count;
	uint32_t taken; /* constituents seen */
	uint8_t carry[CONSTITUENT_SIZE];
	uint32_t carry_len;
};

/* The header part, which must be in the first fragment. */
static int32_t resp_header(const struct ffac *c, const uint8_t *rx, uint32_t len,
			   struct resp_parse *ps, struct ffac_mem_retrieved *info)
{
	uint32_t eoff = hdr_size(c);
	uint32_t esz = emad_size(c);
	uint32_t count;
	uint16_t id;
	uint32_t comp_off;
	struct ffa_mem_composite comp;

	if (len < hdr_size(c))
		return FFAC_RET_BAD_REPLY;
	if (ffac_v10(c)) {
		struct ffa_mem_region_1_0 h;

		memcpy(&h, rx, sizeof(h));
		info->sender = h.sender;
		info->attributes = h.attributes;
		info->flags = h.flags;
		info->handle = h.handle;
		count = h.emad_count;
	} else {
		struct ffa_mem_region_1_1 h;

		memcpy(&h, rx, sizeof(h));
		info->sender = h.sender;
		info->attributes = h.attributes;
		info->flags = h.flags;
		info->handle = h.handle;
		count = h.emad_count;
		eoff = h.emad_offset;
		esz = h.emad_size;
	}
	if (count == 0 || esz < sizeof(struct ffa_mem_access_1_0) ||
	    (uint64_t)eoff + (uint64_t)count * esz > len)
		return FFAC_RET_BAD_REPLY;
	/* Ours is the one with our ID (a response may list every borrower). */
	for (uint32_t i = 0; i < count; i++) {
		memcpy(&id, rx + eoff + (size_t)i * esz, sizeof(id));
		if (id != c->id)
			continue;
		info->perm = rx[eoff + (size_t)i * esz + 2];
		memcpy(&comp_off, rx + eoff + (size_t)i * esz + 4, sizeof(comp_off));
		if ((uint64_t)comp_off + sizeof(comp) > len)
			return FFAC_RET_BAD_REPLY;
		memcpy(&comp, rx + comp_off, sizeof(comp));
		info->total_pages = comp.total_page_count;
		info->range_count = comp.constituent_count;
		ps->const_off = comp_off + COMPOSITE_SIZE;
		ps->const_count = comp.constituent_count;
		return FFA_RET_OK;
	}
	return FFAC_RET_BAD_REPLY;
}

/* Takes the constituent bytes in rx[0..len) found at descriptor offset
 * `at`. Constituents may straddle fragments. */
static void resp_constituents(struct resp_parse *ps, const uint8_t *rx, uint32_t len, uint32_t at,
			      struct ffac_mem_range *out, uint32_t max)
{
	uint32_t skip = at < ps->const_off ? ps->const_off - at : 0;

	for (uint32_t i = skip; i < len && ps->taken < ps->const_count; i++) {
		ps->carry[ps->carry_len++] = rx[i];
		if (ps->carry_len == CONSTITUENT_SIZE) {
			struct ffa_mem_constituent k;

			memcpy(&k, ps->carry, sizeof(k));
			if (ps->taken < max) {
				out[ps->taken].addr = k.address;
				out[ps->taken].pages = k.page_count;
			}
			ps->taken++;
			ps->carry_len = 0;
		}
	}
}

int32_t ffac_mem_retrieve(struct ffac *c, uint64_t handle, uint16_t sender, uint64_t tag,
			  uint8_t perm, uint32_t flags, struct ffac_mem_range *out, uint32_t max,
			  struct ffac_mem_retrieved *info)
{
	struct resp_parse ps = {0};
	struct ffamed_regs regs;
	uint32_t req_len;
	uint32_t total;
	uint32_t frag;
	uint32_t got;
	int32_t ret;

	if (!c->rxtx_mapped || !c->version)
		return FFA_RET_DENIED;
	if (!info || (max && !out))
		return FFA_RET_INVALID_PARAMETERS;
	memset(info, 0, sizeof(*info));
	put_header(c, c->tx, sender, 0, flags, handle, tag, 1);
	put_emad(c, c->tx, 0, c->id, perm, NULL, 0);
	req_len = hdr_size(c) + emad_size(c);

	ffac_regs_for(&regs, FFA_MEM_RETRIEVE_REQ_64);
	regs.x[1] = req_len;
	regs.x[2] = req_len;
	ffac_call(c, &regs);
	if (ffa_is_error(&regs))
		return ffac_error_of(&regs);
	if (ffac_w0(&regs) != FFA_MEM_RETRIEVE_RESP)
		return FFAC_RET_BAD_REPLY;
	total = (uint32_t)regs.x[1];
	frag = (uint32_t)regs.x[2];
	if (!frag || frag > total || frag > tx_size(c))
		return FFAC_RET_BAD_REPLY;
	ret = resp_header(c, c->rx, frag, &ps, info);
	if (ret == FFA_RET_OK)
		resp_constituents(&ps, c->rx, frag, 0, out, max);
	got = frag;
	info->fragments = 1;
	/* The RX buffer goes back to the producer after every fragment. */
	while (ret == FFA_RET_OK) {
		ret = ffac_rx_release(c);
		if (ret != FFA_RET_OK || got == total)
			break;
		if (info->fragments >= FFAC_MAX_MEM_FRAGMENTS) {
			ret = FFAC_RET_BAD_REPLY;
			break;
		}
		ffac_regs_for(&regs, FFA_MEM_FRAG_RX);
		regs.x[1] = (uint32_t)handle;
		regs.x[2] = (uint32_t)(handle >> 32);
		regs.x[3] = got;
		ffac_call(c, &regs);
		if (ffa_is_error(&regs)) {
			ret = ffac_error_of(&regs);
			break;
		}
		frag = (uint32_t)regs.x[3];
		if (ffac_w0(&regs) != FFA_MEM_FRAG_TX ||
		    handle_of(regs.x[1], regs.x[2]) != handle || !frag || frag > total - got ||
		    frag > tx_size(c)) {
			ret = FFAC_RET_BAD_REPLY;
			break;
		}
		resp_constituents(&ps, c->rx, frag, got, out, max);
		got += frag;
		info->fragments++;
	}
	if (ret == FFA_RET_OK && ps.taken != ps.const_count)
		ret = FFAC_RET_BAD_REPLY;
	if (ret == FFA_RET_OK && info->range_count > max)
		ret = FFA_RET_NO_MEMORY;
	return ret;
}

int32_t ffac_mem_relinquish(struct ffac *c, uint64_t handle, uint32_t flags)
{
	struct ffa_mem_relinquish r = {.handle = handle, .flags = flags, .endpoint_count = 1};
	struct ffamed_regs regs;

	if (!c->rxtx_mapped)
		return FFA_RET_DENIED;
	memcpy(c->tx, &r, sizeof(r));
	memcpy((uint8_t *)c->tx + sizeof(r), &c->id, sizeof(c->id));
	ffac_regs_for(&regs, FFA_MEM_RELINQUISH);
	ffac_call(c, &regs);
	return ffac_status(&regs);
}
