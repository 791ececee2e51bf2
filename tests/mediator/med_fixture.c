/* SPDX-License-Identifier: MIT */
#include "med_fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static _Thread_local uint32_t fix_cpu;

void fix_set_cpu(uint32_t cpu)
{
	fix_cpu = cpu;
}

/* ---- Allocation, logging ------------------------------------------------------ */

/* The port's allocator: its count of live allocations and its fault
 * injection (ffamed_posix_fail_alloc). */
static void *fix_alloc(void *ctx, size_t size)
{
	struct fix *fix = ctx;

	return ffamed_posix_host_ops()->alloc(fix->host, size);
}

static void fix_free(void *ctx, void *ptr)
{
	struct fix *fix = ctx;

	ffamed_posix_host_ops()->free(fix->host, ptr);
}

static void *spmc_alloc(void *ctx, size_t size)
{
	(void)ctx;
	return calloc(1, size ? size : 1);
}

static void spmc_free(void *ctx, void *ptr)
{
	(void)ctx;
	free(ptr);
}

static void fix_vlog(void *ctx, enum ffamed_log_level level, const char *fmt, va_list ap)
{
	struct fix *fix = ctx;

	atomic_fetch_add(&fix->log_count[level & 3], 1);
	if (getenv("FFAMED_TEST_VERBOSE")) {
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
	}
}

/* ---- Physical memory: the POSIX host's arena ------------------------------------ */

static uint8_t *fix_pa_ptr(struct fix *fix, uint64_t pa)
{
	uint8_t *p = ffamed_posix_pa_to_va(fix->host, pa, 1);

	assert_non_null(p);
	return p;
}

static void *fix_page_alloc(void *host, size_t npages, uint64_t *pa)
{
	struct fix *fix = host;
	void *va = ffamed_posix_host_ops()->page_alloc(fix->host, npages, pa);

	if (va)
		atomic_fetch_add(&fix->live_page_allocs, 1);
	return va;
}

static void fix_page_free(void *host, void *va, size_t npages)
{
	struct fix *fix = host;

	ffamed_posix_host_ops()->page_free(fix->host, va, npages);
	atomic_fetch_sub(&fix->live_page_allocs, 1);
}

static void *spmc_pa_map(void *ctx, uint64_t pa, size_t len)
{
	struct fix *fix = ctx;

	return ffamed_posix_pa_to_va(fix->host, pa, len);
}

/* ---- Guest memory --------------------------------------------------------------- */

static int32_t fix_pin(void *host, void *host_vm, uint64_t ipa, bool write, uint64_t *pa)
{
	struct fix_vm *v = host_vm;
	uint64_t page;
	int n;

	(void)host;
	assert_int_equal(ipa & (FFA_PAGE_SIZE - 1), 0);
	if (ipa < FIX_IPA_BASE)
		return FFA_RET_INVALID_PARAMETERS;
	page = (ipa - FIX_IPA_BASE) / FFA_PAGE_SIZE;
	if (page >= v->ram_pages)
		return FFA_RET_INVALID_PARAMETERS;
	if (write && v->readonly[page])
		return FFA_RET_INVALID_PARAMETERS;
	n = atomic_load(&v->pin_fail_after);
	if (n > 0 && atomic_fetch_sub(&v->pin_fail_after, 1) == 1)
		return FFA_RET_INVALID_PARAMETERS;
	atomic_fetch_add(&v->pins[page], 1);
	*pa = v->page_pa[page];
	return FFA_RET_OK;
}

static void fix_unpin(void *host, void *host_vm, uint64_t pa)
{
	struct fix_vm *v = host_vm;

	(void)host;
	for (uint32_t i = 0; i < v->ram_pages; i++) {
		if (v->page_pa[i] == pa) {
			assert_true(atomic_fetch_sub(&v->pins[i], 1) > 0);
			return;
		}
	}
	fail_msg("unpin of a PA %lx the VM does not have", (unsigned long)pa);
}

static void *fix_map_pages(void *host, const uint64_t *pa, size_t npages)
{
	struct fix *fix = host;
	int n = atomic_load(&fix->map_fail_after);
	void *va;

	if (n > 0 && atomic_fetch_sub(&fix->map_fail_after, 1) == 1)
		return NULL;
	for (size_t i = 0; i < npages; i++)
		assert_true(pa[i] >= FIX_PA_BASE &&
			    pa[i] < FIX_PA_BASE + (uint64_t)FIX_MEM_PAGES * FFA_PAGE_SIZE);
	va = ffamed_posix_host_ops()->map_pages(fix->host, pa, npages);
	assert_non_null(va);
	atomic_fetch_add(&fix->live_maps, 1);
	return va;
}

static void fix_unmap_pages(void *host, void *va, size_t npages)
{
	struct fix *fix = host;

	ffamed_posix_host_ops()->unmap_pages(fix->host, va, npages);
	atomic_fetch_sub(&fix->live_maps, 1);
}

/* ---- Memory sharing: owner access and the borrowed window ------------------------- */

static int32_t fix_set_access(void *host, void *host_vm, uint64_t ipa, size_t npages,
			      uint32_t access)
{
	struct fix_vm *v = host_vm;
	uint64_t first;
	int n = atomic_load(&v->access_fail_after);

	(void)host;
	assert_int_equal(ipa & (FFA_PAGE_SIZE - 1), 0);
	assert_true(access == FFAMED_ACCESS_NONE || access == FFAMED_ACCESS_RW);
	if (ipa >= FIX_WIN_BASE) {
		/* Window pages the VM holds by donation, lent or donated on. */
		first = (ipa - FIX_WIN_BASE) / FFA_PAGE_SIZE;
		assert_true(npages > 0 && first + npages <= FIX_WIN_PAGES);
		if (n > 0 && atomic_fetch_sub(&v->access_fail_after, 1) == 1)
			return FFA_RET_NO_MEMORY;
		pthread_mutex_lock(&v->mem_lock);
		for (size_t i = 0; i < npages; i++) {
			assert_true(v->win_pa[first + i] != 0);
			assert_int_equal(v->win_revoked[first + i], access == FFAMED_ACCESS_RW);
			v->win_revoked[first + i] = access == FFAMED_ACCESS_NONE;
		}
		pthread_mutex_unlock(&v->mem_lock);
		return FFA_RET_OK;
	}
	assert_true(ipa >= FIX_IPA_BASE);
	first = (ipa - FIX_IPA_BASE) / FFA_PAGE_SIZE;
	assert_true(npages > 0 && first + npages <= v->ram_pages);
	assert_true(access == FFAMED_ACCESS_NONE || access == FFAMED_ACCESS_RW);
	if (n > 0 && atomic_fetch_sub(&v->access_fail_after, 1) == 1)
		return FFA_RET_NO_MEMORY;
	pthread_mutex_lock(&v->mem_lock);
	for (size_t i = 0; i < npages; i++) {
		/* The mediator keeps the page pinned while it is lent away. */
		assert_true(atomic_load(&v->pins[first + i]) > 0);
		/* Every change is a real transition: no double revoke/restore. */
		assert_int_equal(v->no_access[first + i], access == FFAMED_ACCESS_RW);
		v->no_access[first + i] = access == FFAMED_ACCESS_NONE;
	}
	pthread_mutex_unlock(&v->mem_lock);
	return FFA_RET_OK;
}

static int32_t fix_borrow_map(void *host, void *host_vm, const uint64_t *pa, size_t npages,
			      bool write, uint64_t *ipa)
{
	struct fix_vm *v = host_vm;
	int n = atomic_load(&v->borrow_fail_after);
	size_t done = 0;

	(void)host;
	if (n > 0 && atomic_fetch_sub(&v->borrow_fail_after, 1) == 1)
		return FFA_RET_NO_MEMORY;
	pthread_mutex_lock(&v->mem_lock);
	for (size_t w = 0; w < FIX_WIN_PAGES && done < npages; w++) {
		if (v->win_pa[w])
			continue;
		assert_true(pa[done] >= FIX_PA_BASE &&
			    pa[done] < FIX_PA_BASE + (uint64_t)FIX_MEM_PAGES * FFA_PAGE_SIZE);
		v->win_pa[w] = pa[done];
		v->win_write[w] = write;
		ipa[done++] = FIX_WIN_BASE + (uint64_t)w * FFA_PAGE_SIZE;
		if (v->win_scatter)
			w++;
	}
	if (done < npages) {
		for (size_t i = 0; i < done; i++)
			v->win_pa[(ipa[i] - FIX_WIN_BASE) / FFA_PAGE_SIZE] = 0;
		pthread_mutex_unlock(&v->mem_lock);
		return FFA_RET_NO_MEMORY;
	}
	v->win_used += (uint32_t)npages;
	pthread_mutex_unlock(&v->mem_lock);
	return FFA_RET_OK;
}

static void fix_borrow_unmap(void *host, void *host_vm, const uint64_t *ipa, size_t npages)
{
	struct fix_vm *v = host_vm;

	(void)host;
	pthread_mutex_lock(&v->mem_lock);
	for (size_t i = 0; i < npages; i++) {
		uint64_t w = (ipa[i] - FIX_WIN_BASE) / FFA_PAGE_SIZE;

		assert_true(ipa[i] >= FIX_WIN_BASE && w < FIX_WIN_PAGES);
		assert_true(v->win_pa[w] != 0);
		v->win_pa[w] = 0;
		v->win_revoked[w] = false;
	}
	assert_true(v->win_used >= npages);
	v->win_used -= (uint32_t)npages;
	pthread_mutex_unlock(&v->mem_lock);
}

bool fix_vm_accessible(struct fix_vm *v, uint64_t ipa)
{
	uint64_t page = (ipa - FIX_IPA_BASE) / FFA_PAGE_SIZE;
	bool ok;

	if (ipa >= FIX_WIN_BASE) {
		uint64_t w = (ipa - FIX_WIN_BASE) / FFA_PAGE_SIZE;

		assert_true(w < FIX_WIN_PAGES);
		pthread_mutex_lock(&v->mem_lock);
		ok = v->win_pa[w] && !v->win_revoked[w];
		pthread_mutex_unlock(&v->mem_lock);
		return ok;
	}

	assert_true(ipa >= FIX_IPA_BASE && page < v->ram_pages);
	pthread_mutex_lock(&v->mem_lock);
	ok = !v->no_access[page];
	pthread_mutex_unlock(&v->mem_lock);
	return ok;
}

uint32_t fix_vm_revoked_pages(struct fix_vm *v)
{
	uint32_t n = 0;

	pthread_mutex_lock(&v->mem_lock);
	for (uint32_t i = 0; i < v->ram_pages; i++)
		n += v->no_access[i];
	pthread_mutex_unlock(&v->mem_lock);
	return n;
}

uint32_t fix_vm_window_pages(struct fix_vm *v)
{
	uint32_t n;

	pthread_mutex_lock(&v->mem_lock);
	n = v->win_used;
	pthread_mutex_unlock(&v->mem_lock);
	return n;
}

bool fix_vm_window_writable(struct fix_vm *v, uint64_t ipa)
{
	uint64_t w = (ipa - FIX_WIN_BASE) / FFA_PAGE_SIZE;
	bool wr;

	assert_true(ipa >= FIX_WIN_BASE && w < FIX_WIN_PAGES);
	pthread_mutex_lock(&v->mem_lock);
	assert_true(v->win_pa[w] != 0);
	wr = v->win_write[w];
	pthread_mutex_unlock(&v->mem_lock);
	return wr;
}

static void fix_vm_release(struct fix_vm *v)
{
	/* Nothing borrowed is still mapped in the window. */
	assert_int_equal(v->win_used, 0);
	for (uint32_t i = 0; i < v->ram_pages; i++)
		assert_int_equal(atomic_load(&v->pins[i]), 0);
	ffamed_posix_host_ops()->page_free(v->fix->host, fix_pa_ptr(v->fix, v->ram_pa),
					   v->ram_pages);
	free(v->no_access);
	free(v->win_pa);
	free(v->win_write);
	free(v->win_revoked);
	pthread_mutex_destroy(&v->mem_lock);
	pthread_mutex_destroy(&v->call_lock);
	pthread_cond_destroy(&v->call_cond);
	free(v->page_pa);
	free(v->pins);
	free(v->readonly);
	atomic_fetch_sub(&v->fix->live_host_vms, 1);
	free(v);
}

static void fix_vm_get(void *host, void *host_vm)
{
	struct fix_vm *v = host_vm;

	(void)host;
	assert_true(atomic_fetch_add(&v->refs, 1) > 0);
}

static void fix_vm_put(void *host, void *host_vm)
{
	struct fix_vm *v = host_vm;

	(void)host;
	if (atomic_fetch_sub(&v->refs, 1) == 1)
		fix_vm_release(v);
}

/* ---- Virtual interrupts --------------------------------------------------------------- */

static bool fix_vcpu_is_online(void *host, void *host_vm, uint16_t vcpu)
{
	struct fix_vm *v = host_vm;

	(void)host;
	assert_true(vcpu < v->vcpus);
	return !atomic_load(&v->offline[vcpu]);
}

static void fix_inject_virq(void *host, void *host_vm, uint16_t vcpu, uint32_t intid)
{
	struct fix_vm *v = host_vm;

	(void)host;
	assert_true(vcpu < v->vcpus);
	assert_true(intid < 64);
	atomic_fetch_or(&v->virq[vcpu], 1ull << intid);
	atomic_fetch_add(&v->injections, 1);
}

static void fix_vcpu_resume(void *host, void *host_vm, uint16_t vcpu,
			    const struct ffamed_regs *regs)
{
	struct fix *fix = host;
	struct fix_vm *v = host_vm;

	assert_true(vcpu < v->vcpus);
	pthread_mutex_lock(&v->call_lock);
	if (!v->in_flight[vcpu] || v->resumed[vcpu]) {
		atomic_fetch_add(&fix->port_errors, 1);
	} else {
		v->reply[vcpu] = *regs;
		v->resumed[vcpu] = true;
		pthread_cond_broadcast(&v->call_cond);
	}
	pthread_mutex_unlock(&v->call_lock);
}

enum ffamed_call_status fix_call_async(struct fix_vm *v, uint16_t vcpu, struct ffamed_regs *regs)
{
	enum ffamed_call_status st;

	assert_true(vcpu < v->vcpus);
	pthread_mutex_lock(&v->call_lock);
	/* One call per vCPU at a time: the previous one must be collected. */
	assert_false(v->in_flight[vcpu]);
	v->in_flight[vcpu] = true;
	v->resumed[vcpu] = false;
	pthread_mutex_unlock(&v->call_lock);
	st = ffamed_handle_call(v->vm, vcpu, regs);
	assert_true(st != FFAMED_CALL_NOT_FFA);
	if (st == FFAMED_CALL_DONE) {
		pthread_mutex_lock(&v->call_lock);
		/* A DONE call is never also resumed. */
		assert_false(v->resumed[vcpu]);
		v->in_flight[vcpu] = false;
		pthread_mutex_unlock(&v->call_lock);
	}
	return st;
}

bool fix_resumed(struct fix_vm *v, uint16_t vcpu, struct ffamed_regs *out)
{
	bool got;

	pthread_mutex_lock(&v->call_lock);
	got = v->in_flight[vcpu] && v->resumed[vcpu];
	if (got) {
		*out = v->reply[vcpu];
		v->in_flight[vcpu] = false;
		v->resumed[vcpu] = false;
	}
	pthread_mutex_unlock(&v->call_lock);
	return got;
}

void fix_wait_resumed(struct fix_vm *v, uint16_t vcpu, struct ffamed_regs *out)
{
	pthread_mutex_lock(&v->call_lock);
	assert_true(v->in_flight[vcpu]);
	while (!v->resumed[vcpu])
		pthread_cond_wait(&v->call_cond, &v->call_lock);
	*out = v->reply[vcpu];
	v->in_flight[vcpu] = false;
	v->resumed[vcpu] = false;
	pthread_mutex_unlock(&v->call_lock);
}

struct ffamed_regs fix_call_sync(struct fix_vm *v, uint16_t vcpu, const struct ffamed_regs *in)
{
	struct ffamed_regs r = *in;

	if (fix_call_async(v, vcpu, &r) == FFAMED_CALL_BLOCKED)
		fix_wait_resumed(v, vcpu, &r);
	return r;
}

bool fix_blocked(struct fix_vm *v, uint16_t vcpu)
{
	bool b;

	pthread_mutex_lock(&v->call_lock);
	b = v->in_flight[vcpu] && !v->resumed[vcpu];
	pthread_mutex_unlock(&v->call_lock);
	return b;
}

uint64_t fix_virq_take(struct fix_vm *v, uint16_t vcpu)
{
	return atomic_exchange(&v->virq[vcpu], 0);
}

void fix_vcpu_set_online(struct fix_vm *v, uint16_t vcpu, bool online)
{
	atomic_store(&v->offline[vcpu], !online);
	if (online)
		ffamed_vcpu_online(v->vm, vcpu);
	else
		ffamed_vcpu_offline(v->vm, vcpu);
}

static void fix_raise_sri(void *ctx, uint32_t cpu)
{
	struct fix *fix = ctx;

	(void)cpu;
	atomic_fetch_add(&fix->sri_raised, 1);
}

/* ---- Firmware ---------------------------------------------------------------------- */

uint64_t fix_fw_count(struct fix *fix, uint32_t fid)
{
	return atomic_load(&fix->fw_calls[FFA_FID_IS_64(fid)][fid & 0xFF]);
}

static void fix_fw_call(void *host, struct ffamed_regs *regs)
{
	struct fix *fix = host;
	uint32_t fid = (uint32_t)regs->x[0];

	atomic_fetch_add(&fix->fw_calls[FFA_FID_IS_64(fid)][fid & 0xFF], 1);
	atomic_fetch_add(&fix->fw_total, 1);
	if (fix->hook && fix->hook(fix, regs, fix->hook_arg))
		return;
	if (atomic_load(&fix->fw_absent)) {
		ffa_regs_clear(regs);
		regs->x[0] = UINT64_MAX; /* SMCCC NOT_SUPPORTED */
		return;
	}
	ffamed_spmc_call(fix->spmc, fix_cpu, regs);
}

/* ---- Deferred work --------------------------------------------------------------------- */

static int32_t fix_work_schedule(void *host, struct ffamed_work *work, uint64_t delay_ns)
{
	struct fix *fix = host;

	(void)delay_ns;
	if (atomic_load(&fix->work_fail))
		return FFA_RET_NO_MEMORY;
	pthread_mutex_lock(&fix->work_lock);
	for (int i = 0; i < fix->queued; i++)
		assert_ptr_not_equal(fix->queue[i], work);
	assert_true(fix->queued < FIX_MAX_WORK);
	fix->queue[fix->queued++] = work;
	atomic_fetch_add(&fix->work_scheduled, 1);
	pthread_cond_broadcast(&fix->work_cond);
	pthread_mutex_unlock(&fix->work_lock);
	return FFA_RET_OK;
}

static void fix_work_cancel_sync(void *host, struct ffamed_work *work)
{
	struct fix *fix = host;

	pthread_mutex_lock(&fix->work_lock);
	for (int i = 0; i < fix->queued; i++) {
		if (fix->queue[i] == work) {
			memmove(&fix->queue[i], &fix->queue[i + 1],
				sizeof(fix->queue[0]) * (size_t)(fix->queued - i - 1));
			fix->queued--;
			break;
		}
	}
	while (fix->running == work)
		pthread_cond_wait(&fix->work_cond, &fix->work_lock);
	pthread_mutex_unlock(&fix->work_lock);
}

/* Runs at most `max` queued works; with wait, waits for one first. */
static int fix_work_run_some(struct fix *fix, int max)
{
	int ran = 0;

	pthread_mutex_lock(&fix->work_lock);
	while (ran < max && fix->queued) {
		struct ffamed_work *w = fix->queue[0];

		memmove(&fix->queue[0], &fix->queue[1],
			sizeof(fix->queue[0]) * (size_t)(fix->queued - 1));
		fix->queued--;
		fix->running = w;
		pthread_mutex_unlock(&fix->work_lock);
		w->fn(w);
		pthread_mutex_lock(&fix->work_lock);
		fix->running = NULL;
		pthread_cond_broadcast(&fix->work_cond);
		ran++;
	}
	pthread_mutex_unlock(&fix->work_lock);
	return ran;
}

int fix_work_run(struct fix *fix)
{
	int n;

	pthread_mutex_lock(&fix->work_lock);
	n = fix->queued;
	pthread_mutex_unlock(&fix->work_lock);
	return fix_work_run_some(fix, n);
}

int fix_work_queued(struct fix *fix)
{
	int n;

	pthread_mutex_lock(&fix->work_lock);
	n = fix->queued;
	pthread_mutex_unlock(&fix->work_lock);
	return n;
}

static void *fix_worker(void *arg)
{
	struct fix *fix = arg;

	while (!atomic_load(&fix->worker_stop)) {
		if (!fix_work_run_some(fix, 1))
			usleep(100);
	}
	return NULL;
}

void fix_worker_start(struct fix *fix)
{
	atomic_store(&fix->worker_stop, false);
	assert_int_equal(pthread_create(&fix->worker, NULL, fix_worker, fix), 0);
	fix->worker_on = true;
}

void fix_worker_stop(struct fix *fix)
{
	if (!fix->worker_on)
		return;
	atomic_store(&fix->worker_stop, true);
	pthread_join(fix->worker, NULL);
	fix->worker_on = false;
}

/* ---- Setup ------------------------------------------------------------------------------- */

uint32_t fix_default_sps(struct fix *fix, uint32_t cpus)
{
	ffamed_sp_echo_config(&fix->sp_cfg[0], &fix->echo, FIX_SP_ECHO, 1);
	ffamed_sp_vmwatch_config(&fix->sp_cfg[1], &fix->vmwatch, FIX_SP_VMWATCH, 1);
	ffamed_sp_optee_config(&fix->sp_cfg[2], &fix->optee, FIX_SP_OPTEE, 1);
	ffamed_sp_echo_config(&fix->sp_cfg[3], &fix->echo_mp, FIX_SP_ECHO_MP, (uint16_t)cpus);
	return 4;
}

struct fix *fix_create(const struct fix_opts *opts)
{
	struct fix *fix = calloc(1, sizeof(*fix));
	struct ffamed_spmc_config scfg = {0};
	/* Its locks (error-checking mutexes: misuse aborts; they take no
	 * context) serve the mediator and the SPMC alike. */
	const struct ffamed_host_ops *posix = ffamed_posix_host_ops();
	const struct ffamed_posix_config host_cfg = {
		.arena_pages = FIX_MEM_PAGES,
		.pa_base = FIX_PA_BASE,
	};
	int32_t rc;

	assert_non_null(fix);
	if (opts)
		fix->opts = *opts;
	if (!fix->opts.cpus)
		fix->opts.cpus = 4;
	assert_int_equal(ffamed_posix_host_create(&host_cfg, &fix->host), FFA_RET_OK);
	pthread_mutex_init(&fix->work_lock, NULL);
	pthread_cond_init(&fix->work_cond, NULL);

	fix->ops = (struct ffamed_host_ops){
		.lock_init = posix->lock_init,
		.lock_destroy = posix->lock_destroy,
		.lock_acquire = posix->lock_acquire,
		.lock_release = posix->lock_release,
		.alloc = fix_alloc,
		.free = fix_free,
		.page_alloc = fix_page_alloc,
		.page_free = fix_page_free,
		.vlog = fix_vlog,
		.guest_page_pin = fix_pin,
		.guest_page_unpin = fix_unpin,
		.map_pages = fix_map_pages,
		.unmap_pages = fix_unmap_pages,
		.vm_get = fix_vm_get,
		.vm_put = fix_vm_put,
		.fw_call = fix_fw_call,
		.work_schedule = fix_work_schedule,
		.work_cancel_sync = fix_work_cancel_sync,
		.vcpu_is_online = fix_vcpu_is_online,
		.inject_virq = fix_inject_virq,
		.guest_set_access = fix_set_access,
		.borrow_map = fix_borrow_map,
		.borrow_unmap = fix_borrow_unmap,
		.vcpu_resume = fix->opts.blocking ? fix_vcpu_resume : NULL,
	};
	fix->env = (struct ffamed_spmc_env){
		.ctx = fix,
		.lock_init = posix->lock_init,
		.lock_destroy = posix->lock_destroy,
		.lock_acquire = posix->lock_acquire,
		.lock_release = posix->lock_release,
		.alloc = spmc_alloc,
		.free = spmc_free,
		.pa_map = spmc_pa_map,
		.raise_sri = fix_raise_sri,
		.vlog = getenv("FFAMED_TEST_VERBOSE") ? fix_vlog : NULL,
	};
	scfg.personality = fix->opts.personality;
	scfg.version = fix->opts.spmc_version;
	scfg.cpu_count = fix->opts.cpus;
	if (fix->opts.sps) {
		scfg.sps = fix->opts.sps;
		scfg.sp_count = fix->opts.sp_count;
	} else {
		scfg.sps = fix->sp_cfg;
		scfg.sp_count = fix_default_sps(fix, fix->opts.cpus);
	}
	assert_int_equal(ffamed_spmc_create(&fix->env, &scfg, &fix->spmc), FFA_RET_OK);
	ffamed_spmc_set_faults(fix->spmc, &fix->opts.faults);
	atomic_store(&fix->fw_absent, fix->opts.fw_absent);
	fix->hook = fix->opts.hook;
	fix->hook_arg = fix->opts.hook_arg;

	ffamed_posix_fail_alloc(fix->host, (unsigned long)fix->opts.med_alloc_fail_after);
	rc = ffamed_create(&fix->ops, fix, &fix->opts.med_cfg, &fix->med);
	ffamed_posix_fail_alloc(fix->host, 0);
	if (fix->opts.expect_create_fail) {
		assert_int_equal(rc, FFA_RET_NO_MEMORY);
		assert_null(fix->med);
	} else {
		assert_int_equal(rc, FFA_RET_OK);
		assert_non_null(fix->med);
	}
	return fix;
}

void fix_destroy(struct fix *fix)
{
	fix_worker_stop(fix);
	if (fix->med)
		ffamed_destroy(fix->med);
	/* Everything the mediator took is back. */
	assert_int_equal(ffamed_posix_live_allocs(fix->host), 0);
	assert_int_equal(atomic_load(&fix->live_maps), 0);
	assert_int_equal(atomic_load(&fix->live_page_allocs), 0);
	assert_int_equal(atomic_load(&fix->live_host_vms), 0);
	assert_int_equal(atomic_load(&fix->port_errors), 0);
	assert_int_equal(fix->queued, 0);
	ffamed_spmc_destroy(fix->spmc);
	/* Every page is free again, and the port saw no bad free or unmap. */
	assert_int_equal(ffamed_posix_free_pages(fix->host), FIX_MEM_PAGES);
	assert_int_equal(ffamed_posix_mapped_pages(fix->host), 0);
	assert_int_equal(ffamed_posix_error_count(fix->host), 0);
	ffamed_posix_host_destroy(fix->host);
	pthread_mutex_destroy(&fix->work_lock);
	pthread_cond_destroy(&fix->work_cond);
	free(fix);
}

struct fix_vm *fix_vm_new(struct fix *fix, uint16_t id, uint16_t vcpus, uint32_t ram_pages,
			  bool scatter)
{
	struct fix_vm *v = calloc(1, sizeof(*v));

	assert_non_null(v);
	v->fix = fix;
	v->id = id;
	v->vcpus = vcpus;
	v->ram_pages = ram_pages;
	assert_true(vcpus <= FIX_MAX_VCPUS);
	v->page_pa = calloc(ram_pages, sizeof(*v->page_pa));
	v->pins = calloc(ram_pages, sizeof(*v->pins));
	v->readonly = calloc(ram_pages, sizeof(*v->readonly));
	v->no_access = calloc(ram_pages, sizeof(*v->no_access));
	v->win_pa = calloc(FIX_WIN_PAGES, sizeof(*v->win_pa));
	v->win_write = calloc(FIX_WIN_PAGES, sizeof(*v->win_write));
	v->win_revoked = calloc(FIX_WIN_PAGES, sizeof(*v->win_revoked));
	assert_true(v->page_pa && v->pins && v->readonly && v->no_access && v->win_pa &&
		    v->win_write && v->win_revoked);
	pthread_mutex_init(&v->mem_lock, NULL);
	pthread_mutex_init(&v->call_lock, NULL);
	pthread_cond_init(&v->call_cond, NULL);
	atomic_store(&v->refs, 1);
	atomic_fetch_add(&fix->live_host_vms, 1);
	assert_non_null(ffamed_posix_host_ops()->page_alloc(fix->host, ram_pages, &v->ram_pa));
	for (uint32_t i = 0; i < ram_pages; i++) {
		/* Scattered: in descending PA order, so that no IPA neighbours are
		 * PA neighbours (each page its own constituent). */
		uint32_t p = scatter ? ram_pages - 1 - i : i;

		v->page_pa[i] = v->ram_pa + (uint64_t)p * FFA_PAGE_SIZE;
	}
	return v;
}

const struct ffamed_vm_policy fix_policy_open = {
	.sp_default = FFAMED_RIGHTS_ALL,
	.vm_default = FFAMED_RIGHTS_ALL,
};
const struct ffamed_vm_policy fix_policy_none_marker;

int32_t fix_vm_register(struct fix_vm *v, bool aarch64)
{
	struct ffamed_vm_params p = {
		.ffa_id = v->id,
		.vcpu_count = v->vcpus,
		.aarch64 = aarch64,
		.host_vm = v,
		.policy = !v->policy			 ? &fix_policy_open
			  : v->policy == FIX_POLICY_NONE ? NULL
							 : v->policy,
	};

	memcpy(p.uuid, v->uuid.b, sizeof(p.uuid));
	p.no_direct_recv = v->no_direct_recv;
	return ffamed_vm_create(v->fix->med, &p, &v->vm);
}

struct fix_vm *fix_vm(struct fix *fix, uint16_t id, uint16_t vcpus)
{
	struct fix_vm *v = fix_vm_new(fix, id, vcpus, 64, true);

	assert_int_equal(fix_vm_register(v, true), FFA_RET_OK);
	return v;
}

void fix_vm_destroy(struct fix_vm *v)
{
	if (v->vm)
		ffamed_vm_destroy(v->vm);
	v->vm = NULL;
	fix_vm_put(v->fix, v);
}

void fix_vm_reclaim_quarantined(struct fix_vm *v)
{
	for (uint32_t i = 0; i < v->ram_pages; i++)
		atomic_store(&v->pins[i], 0);
	fix_vm_put(v->fix, v);
}

void *fix_vm_ptr(struct fix_vm *v, uint64_t ipa)
{
	uint64_t page = (ipa - FIX_IPA_BASE) / FFA_PAGE_SIZE;

	if (ipa >= FIX_WIN_BASE) {
		uint64_t w = (ipa - FIX_WIN_BASE) / FFA_PAGE_SIZE;
		uint64_t pa;

		assert_true(w < FIX_WIN_PAGES);
		pthread_mutex_lock(&v->mem_lock);
		pa = v->win_pa[w];
		pthread_mutex_unlock(&v->mem_lock);
		assert_true(pa != 0);
		return fix_pa_ptr(v->fix, pa) + (ipa & (FFA_PAGE_SIZE - 1));
	}

	assert_true(page < v->ram_pages);
	return fix_pa_ptr(v->fix, v->page_pa[page]) + (ipa & (FFA_PAGE_SIZE - 1));
}

uint64_t fix_vm_pins(struct fix_vm *v)
{
	uint64_t n = 0;

	for (uint32_t i = 0; i < v->ram_pages; i++)
		n += (uint64_t)atomic_load(&v->pins[i]);
	return n;
}

struct ffamed_regs fix_call_regs(struct fix_vm *v, uint16_t vcpu, const struct ffamed_regs *in)
{
	struct ffamed_regs r = *in;

	assert_true(ffamed_handle_call(v->vm, vcpu, &r));
	return r;
}

struct ffamed_regs fix_call(struct fix_vm *v, uint16_t vcpu, uint64_t x0, uint64_t x1, uint64_t x2,
			    uint64_t x3, uint64_t x4, uint64_t x5)
{
	struct ffamed_regs r = {{x0, x1, x2, x3, x4, x5}};

	return fix_call_regs(v, vcpu, &r);
}

void fix_negotiate(struct fix_vm *v, uint32_t version)
{
	struct ffamed_regs r = fix_call(v, 0, FFA_VERSION, version, 0, 0, 0, 0);

	assert_int_equal(r.x[0], FFAMED_FFA_VERSION);
	r = fix_call(v, 0, FFA_ID_GET, 0, 0, 0, 0, 0);
	assert_ffa_success(r);
	assert_int_equal(ffamed_vm_version(v->vm), version);
}

int32_t fix_map(struct fix_vm *v, uint64_t tx_ipa, uint64_t rx_ipa, uint32_t pages)
{
	struct ffamed_regs r = fix_call(v, 0, FFA_RXTX_MAP_64, tx_ipa, rx_ipa, pages, 0, 0);

	return ffa_result(&r);
}

void fix_map_default(struct fix_vm *v, uint32_t pages)
{
	assert_int_equal(
		fix_map(v, FIX_IPA_BASE, FIX_IPA_BASE + (uint64_t)pages * FFA_PAGE_SIZE, pages),
		FFA_RET_OK);
}
