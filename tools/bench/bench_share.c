/* SPDX-License-Identifier: MIT */
/*
 * The share sweep: MEM_SHARE + MEM_RECLAIM cost against size, contiguous
 * and scattered, mediated against direct. The goal is a cost linear in
 * pages; the figures go into docs/BENCHMARKS.md and bench-share.svg.
 */
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "tool_clock.h"
#include "ffamed/client.h"

#define SHARE_VM_ID	 0x30u
#define SHARE_TX_PAGES	 64u	 /* the largest TX the mediator takes by default */
#define SHARE_FIRST_PAGE 128u	 /* shared ranges start here: clear of RX/TX */
#define SHARE_MAX_PAGES	 262144u /* 1 GiB */

struct share_env {
	struct bench_sys *sys;
	struct bench_vm vm;
	struct ffac med_c, dir_c;
	struct ffac_mem_range *ranges;
};

static void med_conduit(void *ctx, struct ffamed_regs *regs)
{
	struct share_env *e = ctx;

	ffamed_handle_call(e->vm.vm, 0, regs);
}

static void dir_conduit(void *ctx, struct ffamed_regs *regs)
{
	struct share_env *e = ctx;

	ffamed_spmc_call(e->sys->dspmc, bench_cpu(), regs);
}

static int env_init(struct share_env *e, struct bench_sys *s, uint32_t max_pages)
{
	struct ffamed_vm_params p = {.ffa_id = SHARE_VM_ID, .vcpu_count = 1, .aarch64 = true};
	uint16_t id;

	memset(e, 0, sizeof(*e));
	e->sys = s;
	e->vm.id = SHARE_VM_ID;
	e->vm.ram_pages = SHARE_FIRST_PAGE + max_pages;
	/* Untouched pages cost no memory: only RX/TX are written. */
	e->vm.ram = aligned_alloc(FFA_PAGE_SIZE, (size_t)e->vm.ram_pages * FFA_PAGE_SIZE);
	e->ranges = calloc(max_pages, sizeof(*e->ranges));
	if (!e->vm.ram || !e->ranges)
		return -1;
	p.host_vm = &e->vm;
	if (ffamed_vm_create(s->med, &p, &e->vm.vm) != FFA_RET_OK)
		return -1;
	ffac_init(&e->med_c, med_conduit, e);
	if (ffac_negotiate(&e->med_c, FFA_VERSION_1_2) || ffac_id_get(&e->med_c, &id) ||
	    ffac_rxtx_map(&e->med_c, e->vm.ram + (size_t)FFA_PAGE_SIZE * SHARE_TX_PAGES,
			  BENCH_IPA_BASE + (uint64_t)FFA_PAGE_SIZE * SHARE_TX_PAGES, e->vm.ram,
			  BENCH_IPA_BASE, SHARE_TX_PAGES))
		return -1;
	/* The hypervisor at the direct SPMC, sending on behalf of a VM. */
	ffac_init(&e->dir_c, dir_conduit, e);
	e->dir_c.version = FFA_VERSION_1_2;
	e->dir_c.id = SHARE_VM_ID;
	e->dir_c.tx = s->hyp_rxtx;
	e->dir_c.rx = s->hyp_rxtx + FFA_PAGE_SIZE;
	e->dir_c.rxtx_pages = 1;
	e->dir_c.rxtx_mapped = true;
	return 0;
}

static void env_fini(struct share_env *e)
{
	if (e->vm.vm) {
		ffac_rxtx_unmap(&e->med_c);
		ffamed_vm_destroy(e->vm.vm);
	}
	free(e->vm.ram);
	free(e->ranges);
}

/* Ranges of `pages` from SHARE_FIRST_PAGE, in guest (IPA) or physical
 * addresses. */
static void fill_ranges(struct share_env *e, uint32_t pages, bool scattered, bool physical,
			uint32_t *count)
{
	uint64_t base = physical ? (uint64_t)(uintptr_t)e->vm.ram : BENCH_IPA_BASE;

	base += (uint64_t)SHARE_FIRST_PAGE * FFA_PAGE_SIZE;
	if (!scattered) {
		e->ranges[0] = (struct ffac_mem_range){base, pages};
		*count = 1;
		return;
	}
	for (uint32_t i = 0; i < pages; i++)
		e->ranges[i] = (struct ffac_mem_range){
			base + (uint64_t)(pages - 1 - i) * FFA_PAGE_SIZE, 1};
	*count = pages;
}

/* One share + reclaim; its time in ns, 0 on failure. */
static uint64_t share_once(struct share_env *e, bool mediated, uint32_t pages, bool scattered,
			   uint32_t *fragments)
{
	struct ffac *c = mediated ? &e->med_c : &e->dir_c;
	struct ffac_mem_borrower b = {.id = BENCH_ECHO_ID, .perm = FFA_MEM_PERM_DATA_RW};
	struct ffac_mem_send send = {.attributes = FFA_MEM_ATTR_NORMAL_WB_INNER,
				     .borrowers = &b,
				     .borrower_count = 1,
				     .ranges = e->ranges};
	uint64_t handle = 0, t0, t1;

	fill_ranges(e, pages, scattered, !mediated, &send.range_count);
	t0 = tool_now_ns();
	if (ffac_mem_share(c, &send, &handle, fragments) != FFA_RET_OK)
		return 0;
	if (ffac_mem_reclaim(c, handle, 0) != FFA_RET_OK)
		return 0;
	t1 = tool_now_ns();
	return t1 > t0 ? t1 - t0 : 1;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static double median_share(struct share_env *e, bool mediated, uint32_t pages, bool scattered,
			   uint32_t repeats, uint32_t *fragments, uint64_t *failures)
{
	uint64_t t[16] = {0};
	uint32_t mid;

	if (repeats > 16)
		repeats = 16;
	if (!repeats)
		return 0;
	share_once(e, mediated, pages, scattered, fragments); /* warm-up */
	for (uint32_t r = 0; r < repeats; r++) {
		t[r] = share_once(e, mediated, pages, scattered, fragments);
		if (!t[r])
			(*failures)++;
	}
	qsort(t, repeats, sizeof(t[0]), cmp_u64);
	/* The median: an index, not a division of the times. */
	mid = repeats / 2;
	return (double)t[mid];
}

/* Mediator bytes held while one share of `pages` is live. */
static int64_t handle_bytes(struct share_env *e, uint32_t pages, bool scattered)
{
	struct ffac_mem_borrower b = {.id = BENCH_ECHO_ID, .perm = FFA_MEM_PERM_DATA_RW};
	struct ffac_mem_send send = {.attributes = FFA_MEM_ATTR_NORMAL_WB_INNER,
				     .borrowers = &b,
				     .borrower_count = 1,
				     .ranges = e->ranges};
	int64_t before = atomic_load(&e->sys->med_mem.live_bytes), bytes;
	uint64_t handle;

	fill_ranges(e, pages, scattered, false, &send.range_count);
	if (ffac_mem_share(&e->med_c, &send, &handle, NULL) != FFA_RET_OK)
		return -1;
	bytes = atomic_load(&e->sys->med_mem.live_bytes) - before;
	ffac_mem_reclaim(&e->med_c, handle, 0);
	return bytes;
}

int bench_share_sweep(struct bench_sys *s, bool quick, struct bench_share_result *out)
{
	static const uint32_t sizes[] = {1, 16, 256, 4096, 65536, SHARE_MAX_PAGES};
	uint32_t nsizes = quick ? 3 : sizeof(sizes) / sizeof(sizes[0]);
	uint32_t max_pages = sizes[nsizes - 1];
	struct share_env e;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	if (env_init(&e, s, max_pages))
		goto out;
	out->handle_bytes_1 = handle_bytes(&e, 1, false);
	out->handle_bytes_256 = handle_bytes(&e, 256, true);
	for (uint32_t i = 0; i < nsizes; i++) {
		for (int scattered = 0; scattered < 2; scattered++) {
			struct bench_share_point *p = &out->points[out->count++];
			/* Fewer repeats where one op takes milliseconds. */
			uint32_t repeats = quick ? 3 : sizes[i] >= 65536 ? 3 : 9;

			p->pages = sizes[i];
			p->scattered = scattered;
			p->med_ns = median_share(&e, true, sizes[i], scattered, repeats,
						 &p->med_fragments, &out->failures);
			p->dir_ns = median_share(&e, false, sizes[i], scattered, repeats,
						 &p->dir_fragments, &out->failures);
		}
	}
	ret = out->failures ? -1 : 0;
out:
	env_fini(&e);
	return ret;
}
