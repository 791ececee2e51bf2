/* SPDX-License-Identifier: MIT */
/*
 * The porting layer: the one interface a hypervisor implements to embed the
 * ffamed mediator. The mediator core calls nothing else on the host.
 *
 * Every function receives the `host` pointer given to ffamed_create(). Calls
 * come from three contexts, named below for each function:
 *   - TRAP: a vCPU thread handling a trapped guest FF-A call (interrupts may
 *     be masked on a real hypervisor; the call must finish without waiting
 *     for the guest or for another vCPU of the same VM to run);
 *   - HOST: the host creating/destroying the mediator or a VM;
 *   - WORK: a deferred-work callback run by the host (see work_schedule).
 * "May be called with mediator locks held" means the function must not call
 * back into the mediator and must not block on anything a mediator lock
 * holder could be waiting for. The mediator's lock order is one table,
 * enum med_lock_rank in src/mediator/med_lock.h (docs/ARCHITECTURE.md).
 */
#ifndef FFAMED_PORT_H
#define FFAMED_PORT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ffamed/regs.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Storage for one host lock, embedded in mediator objects so that taking a
 * lock never allocates. A port's lock type must fit in it (check it with a
 * static assertion in the port).
 */
#define FFAMED_LOCK_SIZE 64
#ifdef __cplusplus
#define FFAMED_ALIGNAS(n) alignas(n)
#else
#define FFAMED_ALIGNAS(n) _Alignas(n)
#endif
struct ffamed_lock {
	FFAMED_ALIGNAS(16) unsigned char opaque[FFAMED_LOCK_SIZE];
};

enum ffamed_log_level {
	FFAMED_LOG_ERROR = 0,
	FFAMED_LOG_WARN = 1,
	FFAMED_LOG_INFO = 2,
	FFAMED_LOG_DEBUG = 3,
};

/*
 * Deferred work: the mediator embeds one of these in its own object, fills
 * `fn` and `arg` and hands it to work_schedule(). `host_private` is the
 * port's to use while the work is queued.
 */
struct ffamed_work;
typedef void (*ffamed_work_fn)(struct ffamed_work *work);
struct ffamed_work {
	ffamed_work_fn fn;
	void *arg;
	uint64_t host_private[4];
};

/* guest_set_access values. */
#define FFAMED_ACCESS_NONE 0u
#define FFAMED_ACCESS_RW   1u

/*
 * Each operation is marked [required] or [optional]. ffamed_create() refuses
 * ops without a required one (and logs its name through vlog, if present);
 * a NULL optional one turns off what its comment says. docs/PORTING.md has
 * the table.
 */
struct ffamed_host_ops {
	/* ---- Locks [required] ------------------------------------------------
	 * Mutual exclusion for short sections. A lock may be held across a
	 * firmware call (fw_call) but never across a wait for a guest. The
	 * mediator never takes the same lock twice (not recursive). Contention
	 * waits (spin or sleep, the port's choice). Any context.
	 */
	void (*lock_init)(void *host, struct ffamed_lock *lock);
	void (*lock_destroy)(void *host, struct ffamed_lock *lock);
	void (*lock_acquire)(void *host, struct ffamed_lock *lock);
	void (*lock_release)(void *host, struct ffamed_lock *lock);

	/* ---- Allocation [required] ---------------------------------------------
	 * alloc: zeroed memory, or NULL. Any context; may be called with
	 * mediator locks held, so it must not wait for the mediator.
	 */
	void *(*alloc)(void *host, size_t size);
	void (*free)(void *host, void *ptr);
	/*
	 * page_alloc: `npages` physically contiguous, zeroed 4K pages that the
	 * firmware may access (the mediator's own RX/TX pair with the SPMC).
	 * Returns the hypervisor VA and stores the PA. HOST context only.
	 */
	void *(*page_alloc)(void *host, size_t npages, uint64_t *pa);
	void (*page_free)(void *host, void *va, size_t npages);

	/* ---- Logging and time [optional] ---------------------------------------
	 * vlog formats printf-style (%s %d %u %x %lx %llx %p and widths) and
	 * emits one line; no trailing newline in fmt. Any context. now_ns is
	 * a monotonic clock, for traces and rate limits. Either may be NULL:
	 * no logs; traces carry 0 and rate limits count calls instead.
	 */
	void (*vlog)(void *host, enum ffamed_log_level level, const char *fmt, va_list ap);
	uint64_t (*now_ns)(void *host);

	/* ---- Guest memory [required] -------------------------------------------
	 * guest_page_pin: translate the 4K-aligned guest address `ipa` of
	 * `host_vm` to a physical address and pin the page so it stays mapped
	 * to that PA until unpinned (a guest cannot balloon it away). Fails
	 * (returns an FF-A error, usually INVALID_PARAMETERS) when the page is
	 * outside the guest's RAM, not accessible with the asked access (write
	 * = the mediator or firmware will write it), or MMIO. TRAP or HOST.
	 * Pins nest: each successful pin needs one unpin.
	 */
	int32_t (*guest_page_pin)(void *host, void *host_vm, uint64_t ipa, bool write,
				  uint64_t *pa);
	void (*guest_page_unpin)(void *host, void *host_vm, uint64_t pa);
	/*
	 * map_pages: map `npages` pinned pages (any PAs) at consecutive
	 * hypervisor virtual addresses, read-write; NULL on failure. The
	 * guest can still write the pages at any time: treat the contents as
	 * hostile and changing. unmap_pages undoes it. TRAP or HOST.
	 */
	void *(*map_pages)(void *host, const uint64_t *pa, size_t npages);
	void (*unmap_pages)(void *host, void *va, size_t npages);

	/* ---- VM references [required] -----------------------------------------
	 * The mediator takes a reference on the host's VM object while it
	 * keeps state that needs it alive past ffamed_vm_destroy() (pinned
	 * pages, deferred VM_DESTROYED retries) and drops it when done. The
	 * host must not free guest memory while references remain. Any
	 * context; vm_put may free the host VM, so never under a mediator
	 * lock that the host's free path could need.
	 */
	void (*vm_get)(void *host, void *host_vm);
	void (*vm_put)(void *host, void *host_vm);

	/* ---- vCPUs and virtual interrupts [optional] ---------------------------
	 * vcpu_is_online: whether the vCPU can take an interrupt now (NULL:
	 * every vCPU always can).
	 * inject_virq: make virtual interrupt `intid` pending on the vCPU and
	 * kick it if it is waiting; must not wait for the vCPU (NULL: no
	 * Notification Pending Interrupt; guests poll). Both may be called
	 * with mediator locks held, from any context.
	 */
	bool (*vcpu_is_online)(void *host, void *host_vm, uint16_t vcpu);
	void (*inject_virq)(void *host, void *host_vm, uint16_t vcpu, uint32_t intid);
	/*
	 * vcpu_resume [optional]: a call that ffamed_handle_call() answered
	 * FFAMED_CALL_BLOCKED has finished; `regs` is its reply. The host
	 * writes it to the vCPU and lets the vCPU run again. Called exactly
	 * once per blocked call, from any context (usually another VM's TRAP
	 * context), possibly before ffamed_handle_call() has returned
	 * BLOCKED to the host (the host must keep the reply until then).
	 * Called with mediator locks held: it must not call into the
	 * mediator and must not wait for the vCPU. Without it the mediator
	 * never blocks a call: FFA_MSG_WAIT and direct messages between VMs
	 * are refused (docs/MESSAGING.md).
	 */
	void (*vcpu_resume)(void *host, void *host_vm, uint16_t vcpu,
			    const struct ffamed_regs *regs);

	/* ---- Firmware conduit ----------------------------------------------------
	 * fw_call [required]: an SMC to the SPMC from the current physical CPU, x0..x17
	 * in, x0..x17 out (in place). May be called with mediator locks held
	 * (the SPMC RX/TX locks are held across it by design). TRAP, HOST or
	 * WORK context.
	 */
	void (*fw_call)(void *host, struct ffamed_regs *regs);
	/*
	 * fw_call_on [optional]: the same SMC issued on physical CPU `cpu`
	 * (a linear index, as FF-A numbers an MP partition's execution
	 * contexts); the host runs it there (e.g. by IPI) and waits. HOST
	 * context, no mediator lock held. Used at VM teardown to finish
	 * requests a multi-context SP left preempted: only FFA_RUN from that
	 * CPU can resume such a context, and until something does, the SP
	 * answers BUSY to every other VM's request on that CPU. Without it
	 * the mediator tries fw_call and logs what stays stuck.
	 */
	void (*fw_call_on)(void *host, uint32_t cpu, struct ffamed_regs *regs);

	/* ---- Deferred work [required] -------------------------------------------
	 * work_schedule: run work->fn(work) once, in WORK context, no sooner
	 * than `delay_ns` from now. Returns 0, or an FF-A error if the work
	 * cannot be queued (the mediator then retries at its next chance).
	 * The work must not already be queued.
	 * work_cancel_sync: make sure the work is not queued and not running
	 * when it returns (waits for a running callback). Never called from
	 * the work's own callback or with mediator locks held.
	 */
	int32_t (*work_schedule)(void *host, struct ffamed_work *work, uint64_t delay_ns);
	void (*work_cancel_sync)(void *host, struct ffamed_work *work);

	/* ---- Memory sharing [optional] -------------------------------------------
	 * Without guest_set_access the mediator refuses FFA_MEM_LEND and
	 * FFA_MEM_DONATE; without borrow_map/borrow_unmap it refuses VM
	 * borrowers (FFA_FEATURES says so). All three: TRAP, HOST or WORK
	 * context, may be called with mediator locks held.
	 *
	 * guest_set_access: the owner's own access to `npages` pages of its
	 * RAM from the 4K-aligned `ipa`: FFAMED_ACCESS_NONE once lent or
	 * donated away, FFAMED_ACCESS_RW when reclaimed. The pages are pinned
	 * by the mediator throughout. Also called on pages of a borrowed
	 * window (below) that the VM holds by a donation it retrieved and
	 * lends or donates on: NONE takes them out of the window, RW gives
	 * back the access they were mapped with. A port that cannot may
	 * refuse those (the send is then refused). Returns 0, or an FF-A error
	 * with nothing changed; a window page unmapped while taken is simply
	 * gone.
	 * borrow_map: make `npages` physical pages of another VM (pinned by the
	 * mediator) visible to `host_vm` at guest addresses the host chooses
	 * outside the VM's RAM (a "borrowed window"), read-only or read-write;
	 * stores each page's IPA in ipa[i]. Returns 0, or an FF-A error with
	 * nothing mapped. borrow_unmap undoes exactly one borrow_map (same
	 * ipa[] and npages).
	 */
	int32_t (*guest_set_access)(void *host, void *host_vm, uint64_t ipa, size_t npages,
				    uint32_t access);
	int32_t (*borrow_map)(void *host, void *host_vm, const uint64_t *pa, size_t npages,
			      bool write, uint64_t *ipa);
	void (*borrow_unmap)(void *host, void *host_vm, const uint64_t *ipa, size_t npages);
};

#ifdef __cplusplus
}
#endif

#endif /* FFAMED_PORT_H */
