/* SPDX-License-Identifier: MIT */
/*
 * The mediator inside the EL2 port.
 *   - struct ffamed_host_ops over the bare-metal services (locks, heap, MMU,
 *     GIC, the firmware conduit, deferred work);
 *   - fw_call goes to the image's firmware conduit: the software SPMC
 *     (fw_spmc.c) or a real SMC to EL3 (fw_smc.c);
 *   - the SRI (however the firmware raised it) and deferred work both run
 *     when a CPU leaves EL2 (never inside a firmware call, as
 *     ffamed_handle_sri requires).
 * Each guest (vm.c) is one mediator VM, its host_vm the struct el2_vm;
 * its vCPU i runs on physical CPU first_cpu + i.
 */
#include <stdatomic.h>

#include "el2.h"
#include "el2_cost.h"
#include "el2_trace.h"
#include "ffamed/mediator.h"
#include "ffamed/spmc.h"

#define NPI_LINES 64

static struct ffamed *med;
/* For the power-off report. */
static _Atomic uint32_t npi_injected;

/* Deferred work: a list ordered by nothing, scanned at every EL2 exit. */
static struct el2_lock work_lock; /* guards work_head and running */
static struct ffamed_work *work_head;
static struct ffamed_work *running[EL2_MAX_CPUS];
#define WORK_NEXT(w)	 ((w)->host_private[0])
#define WORK_DEADLINE(w) ((w)->host_private[1])

/* ---- Mediator host ops --------------------------------------------------------- */

static void *page_alloc(void *host, size_t npages, uint64_t *pa)
{
	void *va = heap_pages(npages);

	(void)host;
	if (va)
		*pa = (uintptr_t)va; /* identity map */
	return va;
}

static void page_free(void *host, void *va, size_t npages)
{
	(void)host;
	heap_pages_free(va, npages);
}

static uint64_t now_ns(void *host)
{
	(void)host;
	return el2_now_ns();
}

static int32_t guest_page_pin(void *host, void *host_vm, uint64_t ipa, bool write, uint64_t *pa)
{
	(void)host;
	(void)write; /* all guest RAM is read-write in stage 2 */
	if ((ipa & 0xfff) || !vm_owns_ram(host_vm, ipa, 4096))
		return FFA_RET_INVALID_PARAMETERS;
	*pa = ipa; /* stage 2 is an identity map of the guest's RAM */
	return FFA_RET_OK;
}

static void guest_page_unpin(void *host, void *host_vm, uint64_t pa)
{
	/* Guest RAM is never taken away from the guest: nothing to pin. */
	(void)host;
	(void)host_vm;
	(void)pa;
}

static void *map_pages(void *host, const uint64_t *pa, size_t npages)
{
	size_t n = 1;

	(void)host;
	while (n < npages && pa[n] == pa[0] + n * 4096ull)
		n++;
	if (n == npages)
		return (void *)(uintptr_t)pa[0]; /* contiguous: the identity map has them */
	return mmu_map_window(pa, npages);
}

static void unmap_pages(void *host, void *va, size_t npages)
{
	(void)host;
	if ((uintptr_t)va >= RAM_BASE && (uintptr_t)va < RAM_END)
		return;
	mmu_unmap_window(va, npages);
}

static void vm_get(void *host, void *host_vm)
{
	(void)host;
	(void)host_vm; /* a guest's struct el2_vm lives as long as the machine */
}

static bool vcpu_is_online(void *host, void *host_vm, uint16_t vcpu)
{
	const struct el2_vm *vm = host_vm;

	(void)host;
	return vcpu < vm->vcpu_count && el2_vcpu_online(vm->first_cpu + vcpu);
}

static void inject_virq(void *host, void *host_vm, uint16_t vcpu, uint32_t intid)
{
	const struct el2_vm *vm = host_vm;

	(void)host;
	if (vcpu >= vm->vcpu_count)
		return;
	/* The first ones on the console (the e2e reads them), then only counted. */
	if (atomic_fetch_add(&npi_injected, 1) < NPI_LINES)
		el2_printf("ffamed: NPI INTID %u -> vCPU %u\n", (unsigned)intid, (unsigned)vcpu);
	gic_inject(vm->first_cpu + vcpu, intid);
}

/* Under mediator locks: store and kick only (resume.c). */
static void vcpu_resume(void *host, void *host_vm, uint16_t vcpu, const struct ffamed_regs *regs)
{
	const struct el2_vm *vm = host_vm;

	(void)host;
	if (vcpu >= vm->vcpu_count || !resume_deliver(vm->first_cpu + vcpu, regs))
		el2_printf("ffamed-el2: vcpu_resume of VM %u vCPU %u with no blocked call "
			   "(x0 %lx dropped)\n",
			   (unsigned)vm->ffa_id, (unsigned)vcpu, (unsigned long)regs->x[0]);
}

static void fw_call(void *host, struct ffamed_regs *regs)
{
	uint64_t t0 = cost_now();

	(void)host;
	fw_call_here(regs);
	cost_fw(t0);
}

static int32_t work_schedule(void *host, struct ffamed_work *work, uint64_t delay_ns)
{
	(void)host;
	el2_lock(&work_lock);
	WORK_DEADLINE(work) = el2_now_ns() + delay_ns;
	WORK_NEXT(work) = (uintptr_t)work_head;
	work_head = work;
	el2_unlock(&work_lock);
	return FFA_RET_OK;
}

/* Unlinks `work` if queued. Called with work_lock held. */
static void work_unlink(struct ffamed_work *work)
{
	for (struct ffamed_work **p = &work_head; *p;
	     p = (struct ffamed_work **)(uintptr_t)&WORK_NEXT(*p)) {
		if (*p == work) {
			*p = (struct ffamed_work *)(uintptr_t)WORK_NEXT(work);
			return;
		}
	}
}

static void work_cancel_sync(void *host, struct ffamed_work *work)
{
	bool busy;

	(void)host;
	do {
		el2_lock(&work_lock);
		work_unlink(work);
		busy = false;
		for (uint32_t c = 0; c < EL2_MAX_CPUS; c++)
			busy |= running[c] == work;
		el2_unlock(&work_lock);
	} while (busy);
}

static const struct ffamed_host_ops host_ops = {
	.lock_init = svc_lock_init,
	.lock_destroy = svc_lock_destroy,
	.lock_acquire = svc_lock_acquire,
	.lock_release = svc_lock_release,
	.alloc = svc_alloc,
	.free = svc_free,
	.page_alloc = page_alloc,
	.page_free = page_free,
	.vlog = svc_vlog,
	.now_ns = now_ns,
	.guest_page_pin = guest_page_pin,
	.guest_page_unpin = guest_page_unpin,
	.map_pages = map_pages,
	.unmap_pages = unmap_pages,
	.vm_get = vm_get,
	.vm_put = vm_get,
	.vcpu_is_online = vcpu_is_online,
	.inject_virq = inject_virq,
	.vcpu_resume = vcpu_resume,
	.fw_call = fw_call,
	.work_schedule = work_schedule,
	.work_cancel_sync = work_cancel_sync,
};

/* ---- Entry points ------------------------------------------------------------------ */

void ffa_init(uint32_t ncpus, bool vm_to_vm)
{
	struct ffamed_config mcfg = {0};
	struct ffamed_fw_info info;
	int32_t ret;

	el2_lock_init(&work_lock);
	el2_printf("ffamed-el2: firmware: %s\n", fw_name);
	fw_init(ncpus);

	mcfg.max_vms = BOOT_CFG_MAX_VMS;
	mcfg.vm_to_vm = vm_to_vm;
	ret = ffamed_create(&host_ops, NULL, &mcfg, &med);
	if (ret != FFA_RET_OK)
		el2_panic("mediator: create failed %d", (int)ret);
	ffamed_get_fw_info(med, &info);
	el2_printf("ffamed-el2: mediator up: SPMC %x, FF-A %u.%u, %u SP(s)\n",
		   (unsigned)info.spmc_id, (unsigned)FFA_VERSION_MAJOR(info.version),
		   (unsigned)FFA_VERSION_MINOR(info.version), (unsigned)info.sp_count);
	fw_setup_sri();
}

void ffa_vm_create(struct el2_vm *vm, const struct ffamed_vm_policy *policy, const uint8_t *uuid)
{
	struct ffamed_vm_params vp = {0};
	int32_t ret;

	vp.ffa_id = vm->ffa_id;
	vp.vcpu_count = vm->vcpu_count;
	vp.aarch64 = true;
	vp.host_vm = vm;
	vp.policy = policy;
	if (uuid)
		memcpy(vp.uuid, uuid, sizeof(vp.uuid));
	/* The guests are Linux: no Linux driver waits for direct requests. */
	vp.no_direct_recv = true;
	ret = ffamed_vm_create(med, &vp, &vm->med_vm);
	if (ret != FFA_RET_OK)
		el2_panic("mediator: VM %u create failed %d", (unsigned)vm->ffa_id, (int)ret);
}

/* Its vCPUs are stopped (the guest powered off): none is in the mediator. */
void ffa_vm_destroy(struct el2_vm *vm)
{
	struct ffamed_vm *mv = vm->med_vm;

	vm->med_vm = NULL;
	if (mv)
		ffamed_vm_destroy(mv);
}

void ffa_fini(void)
{
	ffamed_destroy(med);
	med = NULL;
	fw_fini();
}

/*
 * A blocked call: this CPU waits in EL2 for its reply. Interrupts are
 * taken meanwhile (the kick that a reply was stored, deferred work, the
 * SRI); one for the guest takes the call back (ffamed_vcpu_interrupt: the
 * reply is then FFA_INTERRUPT), as FF-A has a waiting vCPU interrupted.
 */
static void wait_blocked(struct el2_vm *vm, uint32_t cpu, struct ffamed_regs *regs)
{
	bool interrupted = false;

	while (!resume_take(cpu, regs)) {
		__asm__ volatile("wfi" ::: "memory");
		gic_handle_irq();
		ffa_run_deferred();
		if (!interrupted && gic_guest_irq_queued()) {
			interrupted = true;
			ffamed_vcpu_interrupt(vm->med_vm, (uint16_t)(cpu - vm->first_cpu));
		}
	}
}

void ffa_handle_smc(struct el2_frame *f)
{
	struct ffamed_regs regs, in;
	uint32_t cpu = el2_cpu();
	struct el2_vm *vm = vm_of_cpu(cpu);
	uint64_t t0 = cost_now(), fw0 = cost_fw_ticks(), t1;
	enum ffamed_call_status status = FFAMED_CALL_NOT_FFA;

	for (int i = 0; i < FFA_NREGS; i++)
		regs.x[i] = f->x[i];
	in = regs;
	if (vm && vm->med_vm) {
		resume_arm(cpu);
		status = ffamed_handle_call(vm->med_vm, (uint16_t)(cpu - vm->first_cpu), &regs);
		if (status == FFAMED_CALL_BLOCKED)
			wait_blocked(vm, cpu, &regs);
		else
			resume_disarm(cpu);
	}
	t1 = cost_now();
	if (status == FFAMED_CALL_NOT_FFA) {
		f->x[0] = ~0ull; /* SMCCC NOT_SUPPORTED */
		return;
	}
	for (int i = 0; i < FFA_NREGS; i++)
		f->x[i] = regs.x[i];
	trace_call(cpu, &in, &regs);
	cost_ffa((uint32_t)in.x[0], t1 - t0, cost_fw_ticks() - fw0, cost_now() - t1);
}

void ffa_vcpu_online(uint32_t cpu)
{
	struct el2_vm *vm = vm_of_cpu(cpu);

	if (vm && vm->med_vm)
		ffamed_vcpu_online(vm->med_vm, (uint16_t)(cpu - vm->first_cpu));
}

void ffa_vcpu_offline(uint32_t cpu)
{
	struct el2_vm *vm = vm_of_cpu(cpu);

	if (vm && vm->med_vm)
		ffamed_vcpu_offline(vm->med_vm, (uint16_t)(cpu - vm->first_cpu));
}

void ffa_run_deferred(void)
{
	uint32_t cpu = el2_cpu();

	if (sri_take())
		ffamed_handle_sri(med);
	for (;;) {
		struct ffamed_work *w = NULL;
		uint64_t now = el2_now_ns();

		el2_lock(&work_lock);
		for (struct ffamed_work *p = work_head; p;
		     p = (struct ffamed_work *)(uintptr_t)WORK_NEXT(p)) {
			if (WORK_DEADLINE(p) <= now) {
				w = p;
				break;
			}
		}
		if (w) {
			work_unlink(w);
			running[cpu] = w;
		}
		el2_unlock(&work_lock);
		if (!w)
			return;
		w->fn(w);
		el2_lock(&work_lock);
		running[cpu] = NULL;
		el2_unlock(&work_lock);
	}
}

void ffa_report(void)
{
	uint32_t raised, handled;

	sri_counts(&raised, &handled);
	trace_summary();
	el2_printf("ffamed-el2: SRIs raised=%u handled=%u; NPIs injected=%u\n", (unsigned)raised,
		   (unsigned)handled, (unsigned)atomic_load(&npi_injected));
}
