/* SPDX-License-Identifier: MIT */
/*
 * The OP-TEE SP's built-in way to the memory Linux shares with it: the
 * SPMC's SP-side retrieve. A handle is retrieved on first use and kept,
 * per (sender, handle), until UNREGISTER_SHM, which Linux sends before its
 * MEM_RECLAIM: relinquishing then is what lets the reclaim succeed. The
 * table is small and guarded by a spinlock, because the SP's contexts on
 * several CPUs may handle requests at once.
 */
#include "sp_optee_internal.h"

static void shm_lock(struct ffamed_sp_optee *st)
{
	while (atomic_flag_test_and_set_explicit(&st->shm_lock, memory_order_acquire))
		;
}

static void shm_unlock(struct ffamed_sp_optee *st)
{
	atomic_flag_clear_explicit(&st->shm_lock, memory_order_release);
}

static struct ffamed_sp_optee_shm *shm_find(struct ffamed_sp_optee *st, uint16_t sender,
					    uint64_t handle)
{
	for (unsigned i = 0; i < FFAMED_OPTEE_MAX_SHM; i++)
		if (st->shm[i].used && st->shm[i].sender == sender && st->shm[i].handle == handle)
			return &st->shm[i];
	return NULL;
}

/* The entry for (sender, handle), retrieving it now if new; NULL if the
 * SPMC refuses, the memory is someone else's, or the table is full. */
static struct ffamed_sp_optee_shm *shm_get(struct ffamed_sp_optee *st, struct ffamed_sp *sp,
					   uint16_t sender, uint64_t handle)
{
	struct ffamed_sp_optee_shm *e = shm_find(st, sender, handle);

	if (e)
		return e;
	for (unsigned i = 0; i < FFAMED_OPTEE_MAX_SHM && !e; i++)
		if (!st->shm[i].used)
			e = &st->shm[i];
	if (!e || ffamed_sp_mem_retrieve(sp, handle, 0, FFA_MEM_PERM_DATA_RW, &e->region))
		return NULL;
	atomic_fetch_add(&st->shm_retrieves, 1);
	/* The request's sender must be the memory's owner. */
	if (e->region.sender != sender) {
		ffamed_sp_mem_relinquish(sp, handle, 0);
		ffamed_sp_mem_region_free(sp, &e->region);
		return NULL;
	}
	e->used = true;
	e->sender = sender;
	e->handle = handle;
	return e;
}

static void *optee_builtin_map(void *ctx, struct ffamed_sp *sp, uint16_t sender, uint64_t handle,
			       uint64_t offset, size_t len)
{
	struct ffamed_sp_optee *st = ctx;
	struct ffamed_sp_optee_shm *e;
	void *p = NULL;

	shm_lock(st);
	e = shm_get(st, sp, sender, handle);
	for (uint32_t i = 0; e && i < e->region.range_count; i++) {
		const struct ffamed_sp_mem_range *r = &e->region.ranges[i];
		uint64_t bytes = r->pages * FFA_PAGE_SIZE;

		if (offset >= bytes) {
			offset -= bytes;
			continue;
		}
		/* An arg that crosses into the next range is not contiguous
		 * for us: refuse it rather than read past the page. */
		if (len <= bytes - offset)
			p = ffamed_sp_mem_map(sp, r->pa + offset, len);
		break;
	}
	shm_unlock(st);
	return p;
}

static void optee_builtin_release(void *ctx, struct ffamed_sp *sp, uint16_t sender, uint64_t handle)
{
	struct ffamed_sp_optee *st = ctx;
	struct ffamed_sp_optee_shm *e;

	shm_lock(st);
	e = shm_find(st, sender, handle);
	if (e) {
		ffamed_sp_mem_relinquish(sp, handle, 0);
		ffamed_sp_mem_region_free(sp, &e->region);
		e->used = false;
		atomic_fetch_add(&st->shm_relinquishes, 1);
	}
	shm_unlock(st);
}

void optee_mem_init(struct ffamed_sp_optee *state)
{
	atomic_flag_clear(&state->shm_lock);
	for (unsigned i = 0; i < FFAMED_OPTEE_MAX_SHM; i++)
		state->shm[i].used = false;
	atomic_init(&state->shm_retrieves, 0);
	atomic_init(&state->shm_relinquishes, 0);
	state->builtin_mem.ctx = state;
	state->builtin_mem.map = optee_builtin_map;
	state->builtin_mem.release = optee_builtin_release;
	atomic_init(&state->mem, &state->builtin_mem);
}

void optee_mem_fini(struct ffamed_sp *sp, struct ffamed_sp_optee *state)
{
	/* What the guest never unregistered: the SPMC is going away. */
	for (unsigned i = 0; i < FFAMED_OPTEE_MAX_SHM; i++) {
		if (state->shm[i].used) {
			ffamed_sp_mem_region_free(sp, &state->shm[i].region);
			state->shm[i].used = false;
		}
	}
}
