/* SPDX-License-Identifier: MIT */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <setjmp.h>
#include <cmocka.h>

#include "spmc_fixture.h"

_Static_assert(sizeof(pthread_mutex_t) <= FFAMED_LOCK_SIZE, "mutex fits");

static pthread_mutex_t *fx_mutex(struct ffamed_lock *lock)
{
	return (pthread_mutex_t *)(void *)lock->opaque;
}

static void fx_lock_init(void *ctx, struct ffamed_lock *lock)
{
	pthread_mutexattr_t attr;

	(void)ctx;
	pthread_mutexattr_init(&attr);
	/* Taking a lock twice or releasing it unheld aborts the test. */
	pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_ERRORCHECK);
	if (pthread_mutex_init(fx_mutex(lock), &attr))
		abort();
	pthread_mutexattr_destroy(&attr);
}

static void fx_lock_destroy(void *ctx, struct ffamed_lock *lock)
{
	(void)ctx;
	if (pthread_mutex_destroy(fx_mutex(lock)))
		abort();
}

static void fx_lock_acquire(void *ctx, struct ffamed_lock *lock)
{
	(void)ctx;
	if (pthread_mutex_lock(fx_mutex(lock)))
		abort();
}

static void fx_lock_release(void *ctx, struct ffamed_lock *lock)
{
	(void)ctx;
	if (pthread_mutex_unlock(fx_mutex(lock)))
		abort();
}

static void *fx_alloc(void *ctx, size_t size)
{
	struct fx *f = ctx;
	void *p = calloc(1, size);

	if (p)
		atomic_fetch_add(&f->live_allocs, 1);
	return p;
}

static void fx_free_mem(void *ctx, void *ptr)
{
	struct fx *f = ctx;

	if (!ptr)
		return;
	atomic_fetch_sub(&f->live_allocs, 1);
	free(ptr);
}

void *fx_va(struct fx *f, uint64_t pa)
{
	return f->ram + (pa - FX_PA_BASE);
}

static void *fx_pa_map(void *ctx, uint64_t pa, size_t len)
{
	struct fx *f = ctx;
	uint64_t size = (uint64_t)f->ram_pages * FX_PAGE;

	if (pa < FX_PA_BASE || pa - FX_PA_BASE > size || len > size - (pa - FX_PA_BASE))
		return NULL;
	return fx_va(f, pa);
}

static void fx_raise_sri(void *ctx, uint32_t cpu)
{
	struct fx *f = ctx;

	if (cpu >= FX_CPUS)
		abort();
	atomic_fetch_add(&f->sri_count, 1);
	atomic_fetch_add(&f->sri_per_cpu[cpu], 1);
}

static void fx_vlog(void *ctx, enum ffamed_log_level level, const char *fmt, va_list ap)
{
	(void)ctx;
	if (!getenv("SPMC_TEST_LOG"))
		return;
	fprintf(stderr, "[spmc %d] ", (int)level);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

struct fx *fx_new(void)
{
	return fx_new_ram(FX_RAM_PAGES);
}

struct fx *fx_new_ram(size_t ram_pages)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct ffa_uuid echo2 = FX_UUID_ECHO2;
	struct ffa_uuid req2 = FX_UUID_REQ2;

	assert_non_null(f);
	f->ram_pages = ram_pages;
	f->ram = calloc(ram_pages, FX_PAGE);
	assert_non_null(f->ram);
	atomic_init(&f->live_allocs, 0);
	f->env.ctx = f;
	f->env.lock_init = fx_lock_init;
	f->env.lock_destroy = fx_lock_destroy;
	f->env.lock_acquire = fx_lock_acquire;
	f->env.lock_release = fx_lock_release;
	f->env.alloc = fx_alloc;
	f->env.free = fx_free_mem;
	f->env.pa_map = fx_pa_map;
	f->env.raise_sri = fx_raise_sri;
	atomic_init(&f->sri_count, 0);
	for (uint32_t i = 0; i < FX_CPUS; i++)
		atomic_init(&f->sri_per_cpu[i], 0);
	f->env.vlog = fx_vlog;

	ffamed_sp_echo_config(&f->sps[0], &f->echo_up, FX_ECHO_UP, 1);
	ffamed_sp_echo_config(&f->sps[1], &f->echo_mp, FX_ECHO_MP, FX_MP_CTX);
	f->sps[1].uuids[1] = echo2;
	f->sps[1].uuid_count = 2;
	ffamed_sp_vmwatch_config(&f->sps[2], &f->vmwatch, FX_VMWATCH, 1);
	ffamed_sp_optee_config(&f->sps[3], &f->optee, FX_OPTEE, FX_MP_CTX);
	ffamed_sp_echo_config(&f->sps[4], &f->req2_only, FX_REQ2_ONLY, 1);
	f->sps[4].properties = FFA_PART_PROP_DIRECT_REQ2_RECV | FFA_PART_PROP_AARCH64;
	f->sps[4].uuids[0] = req2;
	f->sp_count = FX_STD_SPS;
	return f;
}

int32_t fx_create(struct fx *f, const struct ffamed_spmc_config *cfg)
{
	struct ffamed_spmc_config c = {.cpu_count = FX_CPUS};

	if (cfg)
		c = *cfg;
	c.sps = f->sps;
	c.sp_count = f->sp_count;
	return ffamed_spmc_create(&f->env, &c, &f->spmc);
}

void fx_free(struct fx *f)
{
	ffamed_spmc_destroy(f->spmc);
	assert_int_equal(atomic_load(&f->live_allocs), 0);
	free(f->ram);
	free(f);
}

struct ffamed_regs fx_call(struct fx *f, uint32_t cpu, uint64_t x0, uint64_t x1, uint64_t x2,
			   uint64_t x3, uint64_t x4, uint64_t x5, uint64_t x6, uint64_t x7)
{
	struct ffamed_regs r = {.x = {x0, x1, x2, x3, x4, x5, x6, x7}};

	ffamed_spmc_call(f->spmc, cpu, &r);
	return r;
}

void fx_assert_error(const struct ffamed_regs *r, int32_t err)
{
	assert_int_equal((uint32_t)r->x[0], FFA_ERROR);
	assert_int_equal(r->x[2], (uint64_t)(uint32_t)err);
	for (int i = 3; i < FFA_NREGS; i++)
		assert_int_equal(r->x[i], 0);
}

void fx_assert_success(const struct ffamed_regs *r)
{
	if ((uint32_t)r->x[0] != FFA_SUCCESS_32)
		fprintf(stderr, "expected SUCCESS, got x0=%llx x2=%llx\n",
			(unsigned long long)r->x[0], (unsigned long long)r->x[2]);
	assert_int_equal(r->x[0], FFA_SUCCESS_32);
}

uint64_t fx_version(struct fx *f, uint32_t v)
{
	return FX_CALL1(f, FFA_VERSION, v).x[0];
}

void fx_map_hyp(struct fx *f, uint32_t tx_page, uint32_t rx_page, uint32_t pages)
{
	struct ffamed_regs r =
		fx_call(f, 0, FFA_RXTX_MAP_64, fx_pa(tx_page), fx_pa(rx_page), pages, 0, 0, 0, 0);

	fx_assert_success(&r);
}

static uint32_t fx_write_composite(uint8_t *tx, uint32_t off, const struct fx_region *rg,
				   uint32_t n)
{
	struct ffa_mem_composite comp = {.constituent_count = n};

	for (uint32_t i = 0; i < n; i++)
		comp.total_page_count += rg[i].count;
	memcpy(tx + off, &comp, sizeof(comp));
	off += sizeof(comp);
	for (uint32_t i = 0; i < n; i++) {
		struct ffa_mem_constituent c = {.address = fx_pa(rg[i].page),
						.page_count = rg[i].count};

		memcpy(tx + off, &c, sizeof(c));
		off += sizeof(c);
	}
	return off;
}

void fx_write_vm_desc(struct fx *f, uint16_t vm_id, const struct fx_region *rx, uint32_t rx_n,
		      const struct fx_region *tx, uint32_t tx_n)
{
	uint8_t *buf = fx_va(f, fx_pa(FX_HYP_TX_PAGE));
	struct ffa_endpoint_rxtx_desc d = {.endpoint_id = vm_id};
	uint32_t off = sizeof(d);

	memset(buf, 0, FX_PAGE);
	d.rx_region_offset = off;
	off = fx_write_composite(buf, off, rx, rx_n);
	d.tx_region_offset = off;
	fx_write_composite(buf, off, tx, tx_n);
	memcpy(buf, &d, sizeof(d));
}

int32_t fx_map_vm(struct fx *f, uint16_t vm_id, const struct fx_region *rx, uint32_t rx_n,
		  const struct fx_region *tx, uint32_t tx_n)
{
	struct ffamed_regs r;

	fx_write_vm_desc(f, vm_id, rx, rx_n, tx, tx_n);
	r = FX_CALL0(f, FFA_RXTX_MAP_64);
	return ffa_result(&r);
}

int32_t fx_map_vm_simple(struct fx *f, uint16_t vm_id, uint32_t rx_page, uint32_t tx_page,
			 uint32_t pages)
{
	struct fx_region rx = {rx_page, pages};
	struct fx_region tx = {tx_page, pages};

	return fx_map_vm(f, vm_id, &rx, 1, &tx, 1);
}

int fx_setup_raw(void **state)
{
	struct fx *f = fx_new();

	assert_int_equal(fx_create(f, NULL), 0);
	*state = f;
	return 0;
}

int fx_setup_v12(void **state)
{
	struct fx *f;

	fx_setup_raw(state);
	f = *state;
	assert_int_equal(fx_version(f, FFA_VERSION_1_2), FFA_VERSION_1_2);
	return 0;
}

int fx_setup_ready(void **state)
{
	fx_setup_v12(state);
	fx_map_hyp(*state, FX_HYP_TX_PAGE, FX_HYP_RX_PAGE, 1);
	return 0;
}

int fx_teardown(void **state)
{
	fx_free(*state);
	return 0;
}
