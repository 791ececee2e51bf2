/* SPDX-License-Identifier: MIT */
/*
 * The bench host: the smallest host that satisfies the porting contract,
 * so that port overhead does not hide the mediator's. Locks are spinlocks
 * (as in a hypervisor), allocation is counted, guest RAM is contiguous and
 * physical addresses are host virtual addresses, so mapping pages is free.
 * Deferred work is refused (the bench SPs never ask for retries).
 */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "tool_clock.h"

static _Thread_local uint32_t bench_cpu_index;
/* Per thread, so that counting does not make the scaling threads share. */
static _Thread_local uint64_t bench_fw_count;

static _Thread_local uint64_t bench_med_lock_count;

uint64_t bench_fw_calls(void)
{
	return bench_fw_count;
}

uint64_t bench_med_locks(void)
{
	return bench_med_lock_count;
}

void bench_set_cpu(uint32_t cpu)
{
	bench_cpu_index = cpu;
}

uint32_t bench_cpu(void)
{
	return bench_cpu_index;
}

/* ---- Locks: test-and-set spinlocks, yielding when they spin long --------- */
_Static_assert(sizeof(atomic_flag) <= FFAMED_LOCK_SIZE, "spinlock fits ffamed_lock");

static void spin_init(void *ctx, struct ffamed_lock *l)
{
	(void)ctx;
	atomic_flag_clear((atomic_flag *)l->opaque);
}

static void spin_destroy(void *ctx, struct ffamed_lock *l)
{
	(void)ctx;
	(void)l;
}

static void spin_acquire(void *ctx, struct ffamed_lock *l)
{
	atomic_flag *f = (atomic_flag *)l->opaque;
	unsigned spins = 0;

	(void)ctx;
	while (atomic_flag_test_and_set_explicit(f, memory_order_acquire)) {
		/* Waiting burns CPU time, so that the CPU-time scaling figure
		 * sees contention; a holder preempted on a busy machine gets
		 * our CPU now and then. */
		if (++spins % 4096 == 0)
			sched_yield();
	}
}

/* The mediator's locks: counted, to show which paths take none. */
static void med_spin_acquire(void *ctx, struct ffamed_lock *l)
{
	bench_med_lock_count++;
	spin_acquire(ctx, l);
}

static void spin_release(void *ctx, struct ffamed_lock *l)
{
	(void)ctx;
	atomic_flag_clear_explicit((atomic_flag *)l->opaque, memory_order_release);
}

/* ---- Counting allocation: a 16-byte header keeps the size ----------------- */
static void *counted_alloc(struct bench_mem *m, size_t size)
{
	uint64_t *p = calloc(1, size + 16);

	if (!p)
		return NULL;
	p[0] = size;
	atomic_fetch_add(&m->live_bytes, (int64_t)size);
	atomic_fetch_add(&m->live_allocs, 1);
	return p + 2;
}

static void counted_free(struct bench_mem *m, void *ptr)
{
	uint64_t *p;

	if (!ptr)
		return;
	p = (uint64_t *)ptr - 2;
	atomic_fetch_sub(&m->live_bytes, (int64_t)p[0]);
	atomic_fetch_sub(&m->live_allocs, 1);
	free(p);
}

static void *med_alloc_cb(void *host, size_t size)
{
	return counted_alloc(&((struct bench_sys *)host)->med_mem, size);
}

static void med_free_cb(void *host, void *ptr)
{
	counted_free(&((struct bench_sys *)host)->med_mem, ptr);
}

static void *spmc_alloc_cb(void *ctx, size_t size)
{
	return counted_alloc(&((struct bench_sys *)ctx)->spmc_mem, size);
}

static void spmc_free_cb(void *ctx, void *ptr)
{
	counted_free(&((struct bench_sys *)ctx)->spmc_mem, ptr);
}

static void *page_alloc_cb(void *host, size_t npages, uint64_t *pa)
{
	void *va = aligned_alloc(FFA_PAGE_SIZE, npages * FFA_PAGE_SIZE);

	(void)host;
	if (!va)
		return NULL;
	memset(va, 0, npages * FFA_PAGE_SIZE);
	*pa = (uint64_t)(uintptr_t)va;
	return va;
}

static void page_free_cb(void *host, void *va, size_t npages)
{
	(void)host;
	(void)npages;
	free(va);
}

/* ---- Logging: errors and warnings are shown, and counted ------------------- */
static void vlog_cb(void *host, enum ffamed_log_level level, const char *fmt, va_list ap)
{
	struct bench_sys *s = host;

	if (level > FFAMED_LOG_WARN)
		return;
	atomic_fetch_add(&s->log_errors, 1);
	fputs("ffamed bench: log: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

static uint64_t now_cb(void *host)
{
	(void)host;
	return tool_now_ns();
}

/* ---- Guest memory: PA == host VA ----------------------------------------------- */
static int32_t pin_cb(void *host, void *host_vm, uint64_t ipa, bool write, uint64_t *pa)
{
	struct bench_vm *v = host_vm;

	(void)host;
	(void)write;
	uint64_t ram_bytes =
		(uint64_t)(v->ram_pages ? v->ram_pages : BENCH_RAM_PAGES) * FFA_PAGE_SIZE;

	if (ipa < BENCH_IPA_BASE || ipa - BENCH_IPA_BASE >= ram_bytes)
		return FFA_RET_INVALID_PARAMETERS;
	*pa = (uint64_t)(uintptr_t)(v->ram + (ipa - BENCH_IPA_BASE));
	return FFA_RET_OK;
}

static void unpin_cb(void *host, void *host_vm, uint64_t pa)
{
	(void)host;
	(void)host_vm;
	(void)pa;
}

static void *map_cb(void *host, const uint64_t *pa, size_t npages)
{
	(void)host;
	/* Only contiguous runs: the bench guests' RAM is one block. */
	for (size_t i = 1; i < npages; i++)
		if (pa[i] != pa[0] + i * FFA_PAGE_SIZE)
			return NULL;
	return (void *)(uintptr_t)pa[0];
}

static void unmap_cb(void *host, void *va, size_t npages)
{
	(void)host;
	(void)va;
	(void)npages;
}

static void vm_ref_cb(void *host, void *host_vm)
{
	(void)host;
	(void)host_vm;
}

static bool online_cb(void *host, void *host_vm, uint16_t vcpu)
{
	(void)host;
	(void)host_vm;
	(void)vcpu;
	return true;
}

static void virq_cb(void *host, void *host_vm, uint16_t vcpu, uint32_t intid)
{
	struct bench_vm *v = host_vm;

	(void)host;
	(void)vcpu;
	(void)intid;
	atomic_fetch_add_explicit(&v->npis, 1, memory_order_relaxed);
}

/* The firmware stub: an SPMC that costs nothing and shares nothing. */
static void fw_stub_call(struct ffamed_regs *regs)
{
	uint32_t fid = (uint32_t)regs->x[0];
	uint64_t w1 = regs->x[1];

	switch (fid) {
	case FFA_MSG_SEND_DIRECT_REQ_32:
	case FFA_MSG_SEND_DIRECT_REQ_64:
	case FFA_MSG_SEND_DIRECT_REQ2:
		regs->x[0] = ffa_direct_resp_fid(fid);
		regs->x[1] = FFA_SENDER_RECEIVER(FFA_RECEIVER(w1), FFA_SENDER(w1));
		break;
	case FFA_NOTIFICATION_GET:
		ffa_set_success32(regs, 0, (uint32_t)BENCH_SP_NOTIF_BIT, 0);
		break;
	default:
		ffa_set_error(regs, FFA_RET_NOT_SUPPORTED);
		break;
	}
}

static void fw_call_cb(void *host, struct ffamed_regs *regs)
{
	struct bench_sys *s = host;

	bench_fw_count++;
	if (atomic_load_explicit(&s->fw_stub, memory_order_relaxed))
		fw_stub_call(regs);
	else
		ffamed_spmc_call(s->spmc, bench_cpu_index, regs);
}

static int32_t work_schedule_cb(void *host, struct ffamed_work *work, uint64_t delay_ns)
{
	(void)host;
	(void)work;
	(void)delay_ns;
	return FFA_RET_NO_MEMORY;
}

static void work_cancel_cb(void *host, struct ffamed_work *work)
{
	(void)host;
	(void)work;
}

static void *pa_map_cb(void *ctx, uint64_t pa, size_t len)
{
	(void)ctx;
	(void)len;
	return (void *)(uintptr_t)pa;
}

static void spmc_vlog_cb(void *ctx, enum ffamed_log_level level, const char *fmt, va_list ap)
{
	/* The SPMC logs every refusal at some level; only errors matter here. */
	if (level == FFAMED_LOG_ERROR)
		vlog_cb(ctx, level, fmt, ap);
}

/* ---- The systems ------------------------------------------------------------------ */

/* ---- Second mediators (VM-to-VM cases) ------------------------------------ */

const struct ffamed_vm_policy bench_policy_open = {
	.sp_default = FFAMED_RIGHTS_ALL,
	.vm_default = FFAMED_RIGHTS_ALL,
};

/* A second mediator has no firmware: the SPMC is the first one's. */
void bench_no_firmware(void *host, struct ffamed_regs *regs)
{
	(void)host;
	ffa_set_error(regs, FFA_RET_NOT_SUPPORTED);
}

static int32_t spmc_make(struct bench_sys *s, struct ffamed_sp_config *cfg,
			 struct ffamed_sp_echo *echo, struct ffamed_spmc **out)
{
	struct ffamed_spmc_config sc = {0};

	ffamed_sp_echo_config(cfg, echo, BENCH_ECHO_ID, BENCH_CPUS);
	sc.sps = cfg;
	sc.sp_count = 1;
	sc.cpu_count = BENCH_CPUS;
	return ffamed_spmc_create(&s->env, &sc, out);
}

/* The hypervisor's own setup at the direct SPMC: version, RX/TX pair, and a
 * notification bitmap per VM (as the mediator makes them). */
static int direct_init(struct bench_sys *s)
{
	struct ffamed_regs r;

	ffa_regs_clear(&r);
	r.x[0] = FFA_VERSION;
	r.x[1] = FFA_VERSION_1_2;
	ffamed_spmc_call(s->dspmc, 0, &r);
	if ((uint32_t)r.x[0] != FFA_VERSION_1_2)
		return -1;
	ffa_regs_clear(&r);
	r.x[0] = FFA_RXTX_MAP_64;
	r.x[1] = (uint64_t)(uintptr_t)s->hyp_rxtx;
	r.x[2] = (uint64_t)(uintptr_t)s->hyp_rxtx + FFA_PAGE_SIZE;
	r.x[3] = 1;
	ffamed_spmc_call(s->dspmc, 0, &r);
	if (!ffa_is_success(&r))
		return -1;
	for (uint32_t i = 0; i < BENCH_VMS; i++) {
		ffa_regs_clear(&r);
		r.x[0] = FFA_NOTIFICATION_BITMAP_CREATE;
		r.x[1] = s->vms[i].id;
		r.x[2] = BENCH_VCPUS;
		ffamed_spmc_call(s->dspmc, 0, &r);
		if (!ffa_is_success(&r))
			return -1;
	}
	return 0;
}

int bench_sys_create(struct bench_sys *s)
{
	struct ffamed_config cfg = {0};

	memset(s, 0, sizeof(*s));
	s->env = (struct ffamed_spmc_env){
		.ctx = s,
		.lock_init = spin_init,
		.lock_destroy = spin_destroy,
		.lock_acquire = spin_acquire,
		.lock_release = spin_release,
		.alloc = spmc_alloc_cb,
		.free = spmc_free_cb,
		.pa_map = pa_map_cb,
		.vlog = spmc_vlog_cb,
	};
	s->ops = (struct ffamed_host_ops){
		.lock_init = spin_init,
		.lock_destroy = spin_destroy,
		.lock_acquire = med_spin_acquire,
		.lock_release = spin_release,
		.alloc = med_alloc_cb,
		.free = med_free_cb,
		.page_alloc = page_alloc_cb,
		.page_free = page_free_cb,
		.vlog = vlog_cb,
		.now_ns = now_cb,
		.guest_page_pin = pin_cb,
		.guest_page_unpin = unpin_cb,
		.map_pages = map_cb,
		.unmap_pages = unmap_cb,
		.vm_get = vm_ref_cb,
		.vm_put = vm_ref_cb,
		.vcpu_is_online = online_cb,
		.inject_virq = virq_cb,
		.fw_call = fw_call_cb,
		.work_schedule = work_schedule_cb,
		.work_cancel_sync = work_cancel_cb,
	};
	bench_set_cpu(0);
	if (spmc_make(s, &s->echo_cfg, &s->echo, &s->spmc) != FFA_RET_OK ||
	    spmc_make(s, &s->decho_cfg, &s->decho, &s->dspmc) != FFA_RET_OK)
		return -1;
	if (ffamed_create(&s->ops, s, &cfg, &s->med) != FFA_RET_OK)
		return -1;
	s->hyp_rxtx = page_alloc_cb(s, 2, &(uint64_t){0});
	if (!s->hyp_rxtx)
		return -1;
	for (uint32_t i = 0; i < BENCH_VMS; i++) {
		struct bench_vm *v = &s->vms[i];
		struct ffamed_vm_params p = {
			.ffa_id = (uint16_t)(i + 1),
			.vcpu_count = BENCH_VCPUS,
			.aarch64 = true,
			.host_vm = v,
		};

		v->id = p.ffa_id;
		v->ram = page_alloc_cb(s, BENCH_RAM_PAGES, &(uint64_t){0});
		s->dram[i] = page_alloc_cb(s, BENCH_RAM_PAGES, &(uint64_t){0});
		if (!v->ram || !s->dram[i] || ffamed_vm_create(s->med, &p, &v->vm) != FFA_RET_OK)
			return -1;
	}
	return direct_init(s);
}

void bench_sys_destroy(struct bench_sys *s)
{
	for (uint32_t i = 0; i < BENCH_VMS; i++) {
		if (s->vms[i].vm)
			ffamed_vm_destroy(s->vms[i].vm);
		free(s->vms[i].ram);
		free(s->dram[i]);
	}
	if (s->med)
		ffamed_destroy(s->med);
	if (s->spmc)
		ffamed_spmc_destroy(s->spmc);
	if (s->dspmc)
		ffamed_spmc_destroy(s->dspmc);
	free(s->hyp_rxtx);
}

int64_t bench_vm_bytes(struct bench_sys *s, uint16_t vcpus)
{
	static struct bench_vm extra;
	struct ffamed_vm_params p = {
		.ffa_id = 0x100, .vcpu_count = vcpus, .aarch64 = true, .host_vm = &extra};
	int64_t before = atomic_load(&s->med_mem.live_bytes);
	int64_t bytes;
	struct ffamed_vm *vm;

	if (ffamed_vm_create(s->med, &p, &vm) != FFA_RET_OK)
		return -1;
	bytes = atomic_load(&s->med_mem.live_bytes) - before;
	ffamed_vm_destroy(vm);
	return bytes;
}
