/* SPDX-License-Identifier: MIT */
/*
 * A minimal port of ffamed: the host ops as a new hypervisor would first
 * write them (single-threaded, no stage 2: guest addresses are host
 * addresses), a mediator, one VM, and one FFA_VERSION and one FFA_FEATURES
 * call from it. There is no SPMC: fw_call answers NOT_SUPPORTED, as firmware
 * without FF-A does, so the mediator serves the guest alone.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <ffamed/mediator.h>
#include <ffamed/port.h>
#include <ffamed/version.h>

#define SMC_FFA_VERSION	 0x84000063u /* from the FF-A specification */
#define SMC_FFA_FEATURES 0x84000064u
#define SMC_FFA_ID_GET	 0x84000069u
#define SMC_FFA_SUCCESS	 0x84000061u

/* Required ops. One CPU: a lock is a flag. */
static void lock_init(void *h, struct ffamed_lock *l)
{
	(void)h;
	l->opaque[0] = 0;
}
static void lock_destroy(void *h, struct ffamed_lock *l)
{
	(void)h;
	(void)l;
}
static void lock_acquire(void *h, struct ffamed_lock *l)
{
	(void)h;
	l->opaque[0] = 1;
}
static void lock_release(void *h, struct ffamed_lock *l)
{
	(void)h;
	l->opaque[0] = 0;
}
static void *mem_alloc(void *h, size_t n)
{
	(void)h;
	return calloc(1, n);
}
static void mem_free(void *h, void *p)
{
	(void)h;
	free(p);
}
static void *page_alloc(void *h, size_t npages, uint64_t *pa)
{
	void *p = aligned_alloc(4096, npages * 4096);

	(void)h;
	*pa = (uintptr_t)p; /* identity: a real port gives the physical address */
	return p;
}
static void page_free(void *h, void *va, size_t npages)
{
	(void)h;
	(void)npages;
	free(va);
}
static int32_t pin(void *h, void *vm, uint64_t ipa, bool write, uint64_t *pa)
{
	(void)h;
	(void)vm;
	(void)write;
	*pa = ipa; /* a real port walks stage 2 and refuses what is not RAM */
	return 0;
}
static void unpin(void *h, void *vm, uint64_t pa)
{
	(void)h;
	(void)vm;
	(void)pa;
}
static void *map_pages(void *h, const uint64_t *pa, size_t n)
{
	(void)h;
	(void)n;
	return (void *)(uintptr_t)pa[0];
}
static void unmap_pages(void *h, void *va, size_t n)
{
	(void)h;
	(void)va;
	(void)n;
}
static void vm_get(void *h, void *vm)
{
	(void)h;
	(void)vm;
}
static void vm_put(void *h, void *vm)
{
	(void)h;
	(void)vm;
}
static void fw_call(void *h, struct ffamed_regs *r)
{
	(void)h;
	r->x[0] = (uint64_t)-1; /* SMCCC NOT_SUPPORTED: no SPMC */
}
static int32_t work_schedule(void *h, struct ffamed_work *w, uint64_t delay_ns)
{
	(void)h;
	(void)delay_ns;
	w->fn(w); /* a real port defers it (a timer, a work queue) */
	return 0;
}
static void work_cancel_sync(void *h, struct ffamed_work *w)
{
	(void)h;
	(void)w;
}

/* Optional: logging. */
static void vlog(void *h, enum ffamed_log_level lvl, const char *fmt, va_list ap)
{
	(void)h;
	fprintf(stderr, "[%d] ", (int)lvl);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

static const struct ffamed_host_ops ops = {
	.lock_init = lock_init,
	.lock_destroy = lock_destroy,
	.lock_acquire = lock_acquire,
	.lock_release = lock_release,
	.alloc = mem_alloc,
	.free = mem_free,
	.page_alloc = page_alloc,
	.page_free = page_free,
	.vlog = vlog,
	.guest_page_pin = pin,
	.guest_page_unpin = unpin,
	.map_pages = map_pages,
	.unmap_pages = unmap_pages,
	.vm_get = vm_get,
	.vm_put = vm_put,
	.fw_call = fw_call,
	.work_schedule = work_schedule,
	.work_cancel_sync = work_cancel_sync,
};

int main(void)
{
	struct ffamed *med;
	struct ffamed_vm *vm;
	struct ffamed_regs r = {{0}};
	int guest; /* the host's VM object */
	int ok;

	if (ffamed_create(&ops, NULL, NULL, &med) != 0)
		return 1;
	if (ffamed_vm_create(
		    med,
		    &(struct ffamed_vm_params){
			    .ffa_id = 1, .vcpu_count = 1, .aarch64 = true, .host_vm = &guest},
		    &vm) != 0)
		return 1;

	/* The guest's trapped SMCs: FFA_VERSION(1.2), then FFA_FEATURES(FFA_ID_GET). */
	r.x[0] = SMC_FFA_VERSION;
	r.x[1] = 0x10002;
	ok = ffamed_handle_call(vm, 0, &r) == FFAMED_CALL_DONE && r.x[0] == FFAMED_FFA_VERSION;
	r = (struct ffamed_regs){{SMC_FFA_FEATURES, SMC_FFA_ID_GET}};
	ok = ok && ffamed_handle_call(vm, 0, &r) == FFAMED_CALL_DONE && r.x[0] == SMC_FFA_SUCCESS;

	printf("ffamed %s: FFA_VERSION and FFA_FEATURES %s\n", ffamed_version(),
	       ok ? "ok" : "FAILED");
	ffamed_vm_destroy(vm);
	ffamed_destroy(med);
	return ok ? 0 : 1;
}
