/* SPDX-License-Identifier: MIT */
/*
 * The host object: creation and teardown, the ops table, allocation
 * accounting, the firmware conduit and the environment of a software SPMC
 * running "in firmware" on this host. The top of the port: it wires the
 * other files' functions into the ops table; none of them calls it.
 */
#include <stdlib.h>
#include <string.h>

#include "ffamed/ffa_regs.h"
#include "posix_internal.h"

#define DEFAULT_ARENA_PAGES 16384u
#define DEFAULT_PA_BASE	    0x80000000ull
#define DEFAULT_SEED	    0x5eed1234u
#define DEFAULT_CPU_COUNT   16u
/* Bounds that keep indices in 32 bits and the simulation modest. */
#define MAX_ARENA_PAGES (1u << 20)
#define MAX_CPU_COUNT	1024u
/* A simulated hypervisor heap has limits; past this alloc says NULL rather
 * than asking libc (sanitizers treat huge requests as fatal). */
#define MAX_ALLOC_SIZE ((size_t)1 << 30)

/* ---- Time ----------------------------------------------------------------- */

static uint64_t host_now_ns(void *ctx)
{
	(void)ctx;
	return posix_now_ns();
}

/* ---- Allocation ------------------------------------------------------------ */

static void *counted_alloc(atomic_size_t *counter, size_t size)
{
	/* calloc(1, 0) may return NULL, which would read as failure. */
	void *p = calloc(1, size ? size : 1);

	if (p)
		atomic_fetch_add(counter, 1);
	return p;
}

static void counted_free(atomic_size_t *counter, void *ptr)
{
	if (!ptr)
		return;
	atomic_fetch_sub(counter, 1);
	free(ptr);
}

static void *host_alloc(void *ctx, size_t size)
{
	struct ffamed_posix_host *host = ctx;
	long countdown = atomic_load(&host->alloc_fail_countdown);

	/* Fault injection: only the call that takes the count to zero fails. */
	while (countdown > 0 && !atomic_compare_exchange_weak(&host->alloc_fail_countdown,
							      &countdown, countdown - 1))
		;
	if (countdown == 1)
		return NULL;
	if (size > MAX_ALLOC_SIZE)
		return NULL;
	return counted_alloc(&host->live_allocs, size);
}

void ffamed_posix_fail_alloc(struct ffamed_posix_host *host, unsigned long nth)
{
	atomic_store(&host->alloc_fail_countdown, (long)nth);
}

static void host_free(void *ctx, void *ptr)
{
	struct ffamed_posix_host *host = ctx;

	counted_free(&host->live_allocs, ptr);
}

static void *spmc_alloc(void *ctx, size_t size)
{
	struct ffamed_posix_host *host = ctx;

	if (size > MAX_ALLOC_SIZE)
		return NULL;
	return counted_alloc(&host->spmc_live_allocs, size);
}

static void spmc_free(void *ctx, void *ptr)
{
	struct ffamed_posix_host *host = ctx;

	counted_free(&host->spmc_live_allocs, ptr);
}

static void *host_page_alloc(void *ctx, size_t npages, uint64_t *pa)
{
	struct ffamed_posix_host *host = ctx;
	size_t first;

	if (!pa || posix_arena_alloc_run(&host->arena, npages, &first) != FFA_RET_OK)
		return NULL;
	*pa = host->arena.pa_base + (uint64_t)first * POSIX_PAGE_SIZE;
	return host->arena.base + first * POSIX_PAGE_SIZE;
}

static void host_page_free(void *ctx, void *va, size_t npages)
{
	struct ffamed_posix_host *host = ctx;
	uint8_t *p = va;
	size_t off;

	if (!va)
		return;
	off = (size_t)(p - host->arena.base);
	if (p < host->arena.base || off % POSIX_PAGE_SIZE != 0 ||
	    off / POSIX_PAGE_SIZE >= host->arena.pages) {
		posix_error(host, "page_free of %p: not a page_alloc address", va);
		return;
	}
	if (posix_arena_free_run(&host->arena, off / POSIX_PAGE_SIZE, npages) != 0)
		posix_error(host, "page_free of %p (%zu pages): some were not allocated", va,
			    npages);
}

/* ---- Physical memory, firmware ------------------------------------------- */

void *ffamed_posix_pa_to_va(struct ffamed_posix_host *host, uint64_t pa, size_t len)
{
	uint64_t size = (uint64_t)host->arena.pages * POSIX_PAGE_SIZE;
	uint64_t off;

	if (pa < host->arena.pa_base)
		return NULL;
	off = pa - host->arena.pa_base;
	if (off >= size || len > size - off)
		return NULL;
	return host->arena.base + off;
}

void ffamed_posix_set_firmware(struct ffamed_posix_host *host, ffamed_posix_fw_fn fw, void *fw_ctx)
{
	posix_mutex_lock(&host->fw_lock);
	host->fw = fw;
	host->fw_ctx = fw_ctx;
	posix_mutex_unlock(&host->fw_lock);
}

static void host_fw_call(void *ctx, struct ffamed_regs *regs)
{
	struct ffamed_posix_host *host = ctx;
	ffamed_posix_fw_fn fw;
	void *fw_ctx;

	posix_mutex_lock(&host->fw_lock);
	fw = host->fw;
	fw_ctx = host->fw_ctx;
	posix_mutex_unlock(&host->fw_lock);
	if (!fw) {
		ffa_set_error(regs, FFA_RET_NOT_SUPPORTED);
		return;
	}
	fw(fw_ctx, ffamed_posix_current_cpu(host), regs);
}

/* At VM teardown: the call as if made on simulated CPU `cpu`. */
static void host_fw_call_on(void *ctx, uint32_t cpu, struct ffamed_regs *regs)
{
	struct ffamed_posix_host *host = ctx;
	ffamed_posix_fw_fn fw;
	void *fw_ctx;

	posix_mutex_lock(&host->fw_lock);
	fw = host->fw;
	fw_ctx = host->fw_ctx;
	posix_mutex_unlock(&host->fw_lock);
	if (!fw || cpu >= host->cpu_count) {
		ffa_set_error(regs, FFA_RET_NOT_SUPPORTED);
		return;
	}
	fw(fw_ctx, cpu, regs);
}

/* ---- The SPMC environment -------------------------------------------------- */

static void *spmc_pa_map(void *ctx, uint64_t pa, size_t len)
{
	return ffamed_posix_pa_to_va(ctx, pa, len);
}

static void host_sri_work(struct ffamed_work *work)
{
	struct ffamed_posix_host *host = work->arg;
	ffamed_posix_sri_fn fn;
	void *ctx;

	/* Cleared first: an SRI raised while the handler runs queues it again. */
	atomic_store(&host->sri_queued, false);
	posix_mutex_lock(&host->sri_lock);
	fn = host->sri_fn;
	ctx = host->sri_ctx;
	posix_mutex_unlock(&host->sri_lock);
	if (fn)
		fn(ctx);
}

static void spmc_raise_sri(void *ctx, uint32_t cpu)
{
	struct ffamed_posix_host *host = ctx;
	bool have_handler;

	atomic_fetch_add(&host->sri_count, 1);
	posix_log(host, FFAMED_LOG_DEBUG, "SRI raised on CPU %u", cpu);
	posix_mutex_lock(&host->sri_lock);
	have_handler = host->sri_fn != NULL;
	posix_mutex_unlock(&host->sri_lock);
	if (have_handler && !atomic_exchange(&host->sri_queued, true) &&
	    posix_work_schedule(host, &host->sri_work, 0) != FFA_RET_OK)
		atomic_store(&host->sri_queued, false); /* shutting down */
}

void ffamed_posix_set_sri_handler(struct ffamed_posix_host *host, ffamed_posix_sri_fn fn, void *ctx)
{
	posix_mutex_lock(&host->sri_lock);
	host->sri_fn = fn;
	host->sri_ctx = ctx;
	posix_mutex_unlock(&host->sri_lock);
	if (!fn) {
		posix_work_cancel_sync(host, &host->sri_work);
		atomic_store(&host->sri_queued, false);
	}
}

void ffamed_posix_spmc_env(struct ffamed_posix_host *host, struct ffamed_spmc_env *env)
{
	memset(env, 0, sizeof(*env));
	env->ctx = host;
	env->lock_init = posix_lock_init;
	env->lock_destroy = posix_lock_destroy;
	env->lock_acquire = posix_lock_acquire;
	env->lock_release = posix_lock_release;
	env->alloc = spmc_alloc;
	env->free = spmc_free;
	env->pa_map = spmc_pa_map;
	env->raise_sri = spmc_raise_sri;
	env->vlog = posix_vlog;
}

/* ---- The ops table -------------------------------------------------------- */

static const struct ffamed_host_ops posix_ops = {
	.lock_init = posix_lock_init,
	.lock_destroy = posix_lock_destroy,
	.lock_acquire = posix_lock_acquire,
	.lock_release = posix_lock_release,
	.alloc = host_alloc,
	.free = host_free,
	.page_alloc = host_page_alloc,
	.page_free = host_page_free,
	.vlog = posix_vlog,
	.now_ns = host_now_ns,
	.guest_page_pin = posix_guest_page_pin,
	.guest_page_unpin = posix_guest_page_unpin,
	.map_pages = posix_map_pages,
	.unmap_pages = posix_unmap_pages,
	.vm_get = posix_vm_get,
	.vm_put = posix_vm_put,
	.vcpu_is_online = posix_vcpu_is_online,
	.inject_virq = posix_inject_virq,
	.vcpu_resume = posix_vcpu_resume,
	.fw_call = host_fw_call,
	.fw_call_on = host_fw_call_on,
	.work_schedule = posix_work_schedule,
	.work_cancel_sync = posix_work_cancel_sync,
	.guest_set_access = posix_guest_set_access,
	.borrow_map = posix_borrow_map,
	.borrow_unmap = posix_borrow_unmap,
};

const struct ffamed_host_ops *ffamed_posix_host_ops(void)
{
	return &posix_ops;
}

/* ---- Create / destroy ------------------------------------------------------ */

int32_t ffamed_posix_host_create(const struct ffamed_posix_config *cfg,
				 struct ffamed_posix_host **out)
{
	struct ffamed_posix_host *host;
	size_t pages;
	uint64_t pa_base;
	int32_t ret;

	if (!out)
		return FFA_RET_INVALID_PARAMETERS;
	*out = NULL;
	pages = cfg && cfg->arena_pages ? cfg->arena_pages : DEFAULT_ARENA_PAGES;
	pa_base = cfg && cfg->pa_base ? cfg->pa_base : DEFAULT_PA_BASE;
	if (pages > MAX_ARENA_PAGES || (pa_base & POSIX_PAGE_MASK) != 0 ||
	    pa_base > UINT64_MAX - (uint64_t)pages * POSIX_PAGE_SIZE)
		return FFA_RET_INVALID_PARAMETERS;
	if (cfg && cfg->cpu_count > MAX_CPU_COUNT)
		return FFA_RET_INVALID_PARAMETERS;

	host = calloc(1, sizeof(*host));
	if (!host)
		return FFA_RET_NO_MEMORY;
	host->log_level = posix_log_level_from_env();
	host->cpu_count = cfg && cfg->cpu_count ? cfg->cpu_count : DEFAULT_CPU_COUNT;
	host->contiguous_ram = cfg && cfg->contiguous_ram;
	ret = posix_arena_init(&host->arena, pages, pa_base,
			       cfg && cfg->seed ? cfg->seed : DEFAULT_SEED);
	if (ret != FFA_RET_OK)
		goto fail_host;
	ret = posix_cpu_init(host);
	if (ret != FFA_RET_OK)
		goto fail_arena;
	posix_mutex_init(&host->fw_lock);
	posix_mutex_init(&host->map_lock);
	posix_mutex_init(&host->sri_lock);
	host->sri_work.fn = host_sri_work;
	host->sri_work.arg = host;
	ret = posix_work_init(host);
	if (ret != FFA_RET_OK)
		goto fail_cpu;
	*out = host;
	return FFA_RET_OK;

fail_cpu:
	pthread_mutex_destroy(&host->sri_lock);
	pthread_mutex_destroy(&host->map_lock);
	pthread_mutex_destroy(&host->fw_lock);
	posix_cpu_fini(host);
fail_arena:
	posix_arena_fini(&host->arena);
fail_host:
	free(host);
	return ret;
}

void ffamed_posix_host_destroy(struct ffamed_posix_host *host)
{
	size_t n;

	if (!host)
		return;
	posix_work_fini(host);
	n = atomic_load(&host->live_vms);
	if (n)
		posix_error(host, "host destroyed with %zu VM(s) still alive (references leaked)",
			    n);
	posix_mappings_fini(host);
	n = atomic_load(&host->live_allocs);
	if (n)
		posix_log(host, FFAMED_LOG_WARN, "host destroyed with %zu live allocation(s)", n);
	posix_cpu_fini(host);
	pthread_mutex_destroy(&host->sri_lock);
	pthread_mutex_destroy(&host->map_lock);
	pthread_mutex_destroy(&host->fw_lock);
	posix_arena_fini(&host->arena);
	free(host);
}

/* ---- Accounting ------------------------------------------------------------ */

size_t ffamed_posix_live_allocs(const struct ffamed_posix_host *host)
{
	return atomic_load(&host->live_allocs);
}

size_t ffamed_posix_spmc_live_allocs(const struct ffamed_posix_host *host)
{
	return atomic_load(&host->spmc_live_allocs);
}

size_t ffamed_posix_free_pages(const struct ffamed_posix_host *host)
{
	/* The arena lock is mutable state inside a logically const host. */
	return posix_arena_free_count((struct posix_arena *)&host->arena);
}

size_t ffamed_posix_mapped_pages(const struct ffamed_posix_host *host)
{
	return atomic_load(&host->mapped_pages);
}

size_t ffamed_posix_live_vms(const struct ffamed_posix_host *host)
{
	return atomic_load(&host->live_vms);
}

size_t ffamed_posix_error_count(const struct ffamed_posix_host *host)
{
	return atomic_load(&host->errors);
}

size_t ffamed_posix_sri_count(const struct ffamed_posix_host *host)
{
	return atomic_load(&host->sri_count);
}
