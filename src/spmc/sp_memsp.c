/* SPDX-License-Identifier: MIT */
/*
 * The MEMSP: a borrower of memory shared by VMs. It retrieves and
 * relinquishes handles through the SPMC's SP-side API and reads, sums and
 * writes the bytes it was given, so tests can see that the pages an SP gets
 * are the pages the VM shared. Protocol in sp_builtin.h.
 */
#include "ffamed/ffa_regs.h"
#include "ffamed/sp_builtin.h"

static const struct ffa_uuid memsp_uuid = FFAMED_SP_MEMSP_UUID;

#define FNV_BASIS 0x811c9dc5u
#define FNV_PRIME 0x01000193u

static void memsp_lock(struct ffamed_sp_memsp *st)
{
	while (atomic_flag_test_and_set_explicit(&st->region_lock, memory_order_acquire))
		;
}

static void memsp_unlock(struct ffamed_sp_memsp *st)
{
	atomic_flag_clear_explicit(&st->region_lock, memory_order_release);
}

/* The first held region for the handle (region_lock held). */
static struct ffamed_sp_memsp_region *memsp_find(struct ffamed_sp_memsp *st, uint64_t handle)
{
	for (int i = 0; i < FFAMED_MEMSP_MAX_REGIONS; i++) {
		struct ffamed_sp_memsp_region *r = &st->regions[i];

		if (r->used && !r->busy && r->mem.handle == handle)
			return r;
	}
	return NULL;
}

static int32_t memsp_retrieve(struct ffamed_sp *sp, struct ffamed_sp_memsp *st, uint64_t handle,
			      uint64_t access, uint64_t *pages, uint64_t *frags)
{
	struct ffamed_sp_memsp_region *slot = NULL;
	struct ffamed_sp_mem_region mem;
	uint8_t perm;
	int32_t rc;

	if (access == FFAMED_MEMSP_ACCESS_RO)
		perm = FFA_MEM_PERM_DATA_RO;
	else if (access == FFAMED_MEMSP_ACCESS_RW)
		perm = FFA_MEM_PERM_DATA_RW;
	else
		return FFA_RET_INVALID_PARAMETERS;
	memsp_lock(st);
	for (int i = 0; i < FFAMED_MEMSP_MAX_REGIONS && !slot; i++)
		if (!st->regions[i].used)
			slot = &st->regions[i];
	if (slot) {
		slot->used = true;
		slot->busy = true;
	}
	memsp_unlock(st);
	if (!slot)
		return FFA_RET_NO_MEMORY;

	rc = ffamed_sp_mem_retrieve(sp, handle, 0, perm, &mem);
	memsp_lock(st);
	if (rc) {
		slot->used = false;
	} else {
		slot->mem = mem;
		slot->writable = (mem.perm & FFA_MEM_PERM_DATA_MASK) == FFA_MEM_PERM_DATA_RW;
		*pages = mem.total_pages;
		*frags = mem.fragments;
	}
	slot->busy = false;
	memsp_unlock(st);
	return rc;
}

static int32_t memsp_relinquish(struct ffamed_sp *sp, struct ffamed_sp_memsp *st, uint64_t handle)
{
	struct ffamed_sp_memsp_region *r = NULL;
	int32_t rc;

	memsp_lock(st);
	for (int i = FFAMED_MEMSP_MAX_REGIONS; i-- > 0 && !r;)
		if (st->regions[i].used && !st->regions[i].busy &&
		    st->regions[i].mem.handle == handle)
			r = &st->regions[i];
	if (r)
		r->busy = true;
	memsp_unlock(st);
	if (!r)
		return FFA_RET_INVALID_PARAMETERS;

	rc = ffamed_sp_mem_relinquish(sp, handle, 0);
	memsp_lock(st);
	if (!rc) {
		ffamed_sp_mem_region_free(sp, &r->mem);
		r->used = false;
	}
	r->busy = false;
	memsp_unlock(st);
	return rc;
}

/* Walks bytes [off, off + len) of the region (region_lock held); `fill`
 * NULL reads them into the checksum (and *word for a 4-byte read). */
static int32_t memsp_walk(struct ffamed_sp *sp, const struct ffamed_sp_mem_region *mem,
			  uint64_t off, uint64_t len, const uint8_t *fill, uint32_t *sum)
{
	uint64_t size = mem->total_pages * FFA_PAGE_SIZE;
	uint64_t base = 0;

	if (off > size || len > size - off)
		return FFA_RET_INVALID_PARAMETERS;
	for (uint32_t i = 0; i < mem->range_count && len; i++) {
		uint64_t rlen = mem->ranges[i].pages * FFA_PAGE_SIZE;
		uint64_t start;
		uint64_t n;
		uint8_t *p;

		if (off >= base + rlen) {
			base += rlen;
			continue;
		}
		start = off - base;
		n = rlen - start < len ? rlen - start : len;
		p = ffamed_sp_mem_map(sp, mem->ranges[i].pa + start, (size_t)n);
		if (!p)
			return FFA_RET_ABORTED;
		if (fill) {
			memset(p, *fill, (size_t)n);
		} else {
			for (uint64_t j = 0; j < n; j++)
				*sum = (*sum ^ p[j]) * FNV_PRIME;
		}
		off += n;
		len -= n;
		base += rlen;
	}
	return FFA_RET_OK;
}

static int32_t memsp_read32(struct ffamed_sp *sp, const struct ffamed_sp_mem_region *mem,
			    uint64_t off, uint32_t *word)
{
	uint64_t size = mem->total_pages * FFA_PAGE_SIZE;
	uint32_t v = 0;

	if (off > size || size - off < 4)
		return FFA_RET_INVALID_PARAMETERS;
	/* Byte by byte: the word may straddle two constituents. */
	for (int b = 0; b < 4; b++) {
		uint64_t base = 0;

		for (uint32_t i = 0; i < mem->range_count; i++) {
			uint64_t rlen = mem->ranges[i].pages * FFA_PAGE_SIZE;

			if (off + b < base + rlen) {
				const uint8_t *p = ffamed_sp_mem_map(
					sp, mem->ranges[i].pa + (off + b - base), 1);

				if (!p)
					return FFA_RET_ABORTED;
				v |= (uint32_t)*p << (8 * b);
				break;
			}
			base += rlen;
		}
	}
	*word = v;
	return FFA_RET_OK;
}

static enum ffamed_sp_action memsp_direct_req(struct ffamed_sp *sp, const struct ffamed_sp_msg *msg,
					      struct ffamed_regs *resp)
{
	struct ffamed_sp_memsp *st = ffamed_sp_priv(sp);
	int p = msg->fid == FFA_MSG_SEND_DIRECT_REQ2 ? 4 : 3;
	bool is32 = msg->fid == FFA_MSG_SEND_DIRECT_REQ_32;
	uint64_t mask = is32 ? 0xFFFFFFFFull : ~0ull;
	uint64_t cmd = msg->regs.x[p] & mask;
	uint64_t handle =
		(uint32_t)msg->regs.x[p + 1] | ((uint64_t)(uint32_t)msg->regs.x[p + 2] << 32);
	uint64_t a3 = msg->regs.x[p + 3] & mask;
	uint64_t a4 = msg->regs.x[p + 4] & mask;
	uint64_t out2 = 0;
	uint64_t out3 = 0;
	int32_t rc = FFA_RET_INVALID_PARAMETERS;

	atomic_fetch_add(&st->requests, 1);
	if (cmd == FFAMED_MEMSP_CMD_RETRIEVE) {
		rc = memsp_retrieve(sp, st, handle, a3, &out2, &out3);
		if (!rc)
			atomic_fetch_add(&st->retrieves, 1);
	} else if (cmd == FFAMED_MEMSP_CMD_RELINQUISH) {
		rc = memsp_relinquish(sp, st, handle);
		if (!rc)
			atomic_fetch_add(&st->relinquishes, 1);
	} else if (cmd == FFAMED_MEMSP_CMD_READ32 || cmd == FFAMED_MEMSP_CMD_CHECKSUM ||
		   cmd == FFAMED_MEMSP_CMD_FILL) {
		struct ffamed_sp_memsp_region *r;

		memsp_lock(st);
		r = memsp_find(st, handle);
		if (!r) {
			rc = FFA_RET_INVALID_PARAMETERS;
		} else if (cmd == FFAMED_MEMSP_CMD_READ32) {
			uint32_t w = 0;

			rc = memsp_read32(sp, &r->mem, a3, &w);
			out2 = w;
		} else if (cmd == FFAMED_MEMSP_CMD_CHECKSUM) {
			uint32_t sum = FNV_BASIS;

			rc = memsp_walk(sp, &r->mem, a3, a4, NULL, &sum);
			out2 = sum;
		} else {
			uint8_t byte = (uint8_t)a4;

			rc = r->writable ? memsp_walk(sp, &r->mem, a3, a4 >> 8, &byte, NULL)
					 : FFA_RET_DENIED;
		}
		memsp_unlock(st);
	}
	if (rc) {
		out2 = 0;
		out3 = 0;
		atomic_fetch_add(&st->failures, 1);
	}
	resp->x[p] = cmd;
	resp->x[p + 1] = (uint32_t)rc;
	resp->x[p + 2] = out2 & mask;
	resp->x[p + 3] = out3 & mask;
	return FFAMED_SP_RESPOND;
}

/* Region lists come from the SPMC's allocator: return them before it goes. */
static void memsp_fini(struct ffamed_sp *sp)
{
	struct ffamed_sp_memsp *st = ffamed_sp_priv(sp);

	memsp_lock(st);
	for (int i = 0; i < FFAMED_MEMSP_MAX_REGIONS; i++) {
		if (st->regions[i].used)
			ffamed_sp_mem_region_free(sp, &st->regions[i].mem);
		st->regions[i].used = false;
	}
	memsp_unlock(st);
}

static const struct ffamed_sp_ops memsp_ops = {
	.direct_req = memsp_direct_req,
	.fini = memsp_fini,
};

void ffamed_sp_memsp_config(struct ffamed_sp_config *cfg, struct ffamed_sp_memsp *state,
			    uint16_t id, uint16_t exec_ctx_count)
{
	atomic_init(&state->requests, 0);
	atomic_init(&state->retrieves, 0);
	atomic_init(&state->relinquishes, 0);
	atomic_init(&state->failures, 0);
	atomic_flag_clear(&state->region_lock);
	memset(state->regions, 0, sizeof(state->regions));
	memset(cfg, 0, sizeof(*cfg));
	cfg->name = "memsp";
	cfg->id = id;
	cfg->exec_ctx_count = exec_ctx_count;
	cfg->properties = FFAMED_SP_MEMSP_PROPS;
	cfg->uuid_count = 1;
	cfg->uuids[0] = memsp_uuid;
	cfg->version = FFA_VERSION_1_2;
	cfg->ops = &memsp_ops;
	cfg->priv = state;
}
