/* SPDX-License-Identifier: MIT */
/*
 * The POSIX port: a simulated machine on an ordinary Linux process.
 *   - physical memory is one arena (a memfd) at a fake PA base;
 *   - each VM's RAM is a contiguous guest range (IPA) backed by arena pages
 *     chosen in a scattered, non-identity order, so translation bugs show;
 *     the guest's own view of its RAM is a contiguous mapping of them;
 *   - vCPUs are threads, each bound to a simulated physical CPU index;
 *   - virtual interrupts are per-vCPU pending bits with a wake-up;
 *   - a call the mediator blocks parks the vCPU thread on its resume slot;
 *   - deferred work runs on a worker thread.
 * ffamed_posix_host_ops() implements struct ffamed_host_ops over it; the
 * host pointer for those ops is the struct ffamed_posix_host.
 */
#ifndef FFAMED_PORT_POSIX_H
#define FFAMED_PORT_POSIX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ffamed/export.h"
#include "ffamed/port.h"
#include "ffamed/spmc.h"

#ifdef __cplusplus
extern "C" {
#endif

struct ffamed_posix_host;
struct ffamed_posix_vm;

struct ffamed_posix_config {
	size_t arena_pages; /* physical memory, 4K pages (0: 16384 = 64 MiB) */
	uint64_t pa_base;   /* PA of the first arena page (0: 0x80000000) */
	uint32_t seed;	    /* scatter order of VM pages (0: fixed default) */
	uint32_t cpu_count; /* simulated physical CPUs (0: 16) */
	/* Back each VM's RAM with one physically contiguous run instead of
	 * scattered pages: one mapping per VM, so RAM beyond the kernel's
	 * mapping-count limit (about 65530 scattered pages) works, e.g. for
	 * 1 GiB transactions in benchmarks. */
	bool contiguous_ram;
};

FFAMED_API int32_t ffamed_posix_host_create(const struct ffamed_posix_config *cfg,
					    struct ffamed_posix_host **out);
/* All VMs must be destroyed and all vCPU threads joined first. */
FFAMED_API void ffamed_posix_host_destroy(struct ffamed_posix_host *host);
FFAMED_API const struct ffamed_host_ops *ffamed_posix_host_ops(void);

/*
 * Log lines go to stderr as "[LEVEL] COMPONENT: message" (components:
 * "ffamed" the mediator, "spmc" the software SPMC, "host" this port). The
 * environment variable FFAMED_LOG sets the most verbose level shown:
 * error, warn (the default), info or debug. The level FFAMED_LOG names, or
 * -1 if `value` is none of those (a host then logs at warn and says so).
 */
#define FFAMED_POSIX_LOG_LEVELS "error, warn, info, debug"
FFAMED_API int ffamed_posix_log_level(const char *value);

/* The environment for a software SPMC running "in firmware" on this host. */
FFAMED_API void ffamed_posix_spmc_env(struct ffamed_posix_host *host, struct ffamed_spmc_env *env);

/* Where ops->fw_call goes: fw(fw_ctx, current physical CPU, regs). Without
 * one, every firmware call answers FFA_ERROR(NOT_SUPPORTED). */
typedef void (*ffamed_posix_fw_fn)(void *fw_ctx, uint32_t cpu, struct ffamed_regs *regs);
FFAMED_API void ffamed_posix_set_firmware(struct ffamed_posix_host *host, ffamed_posix_fw_fn fw,
					  void *fw_ctx);

/* Physical CPU index of the calling thread: vCPU threads get a unique one
 * while they run; any other thread gets one on first use, for its life. */
FFAMED_API uint32_t ffamed_posix_current_cpu(struct ffamed_posix_host *host);

/* Direct access to physical memory (what firmware sees); NULL outside. */
FFAMED_API void *ffamed_posix_pa_to_va(struct ffamed_posix_host *host, uint64_t pa, size_t len);

/* ---- VMs ------------------------------------------------------------------ */
#define FFAMED_POSIX_RAM_BASE 0x40000000ull /* IPA of every VM's RAM */

FFAMED_API int32_t ffamed_posix_vm_create(struct ffamed_posix_host *host, uint16_t ffa_id,
					  uint16_t vcpu_count, size_t ram_pages,
					  struct ffamed_posix_vm **out);
/* Drops the host's reference; memory goes when the last vm_put comes.
 * vCPU threads should be joined first (any still running are joined here,
 * with a warning). */
FFAMED_API void ffamed_posix_vm_destroy(struct ffamed_posix_vm *vm);
FFAMED_API uint16_t ffamed_posix_vm_id(const struct ffamed_posix_vm *vm);
FFAMED_API uint16_t ffamed_posix_vm_vcpu_count(const struct ffamed_posix_vm *vm);
FFAMED_API size_t ffamed_posix_vm_ram_size(const struct ffamed_posix_vm *vm);
/* The guest's own view: VA of guest address `ipa` in its RAM or its
 * borrowed window (mapped pages only), else NULL. */
FFAMED_API void *ffamed_posix_vm_va(struct ffamed_posix_vm *vm, uint64_t ipa);
FFAMED_API int32_t ffamed_posix_vm_ipa_to_pa(struct ffamed_posix_vm *vm, uint64_t ipa,
					     uint64_t *pa);
/* Pages currently pinned through the host ops (leak checks); a page pinned
 * twice counts twice (each pin needs its own unpin). */
FFAMED_API size_t ffamed_posix_vm_pinned_pages(const struct ffamed_posix_vm *vm);
/* Make guest_page_pin of this page fail (fault injection); ~0 clears. */
FFAMED_API void ffamed_posix_vm_fail_pin(struct ffamed_posix_vm *vm, uint64_t ipa);
/* Outstanding pins of the page at guest address `ipa` (0 outside RAM). */
FFAMED_API uint32_t ffamed_posix_vm_page_pins(struct ffamed_posix_vm *vm, uint64_t ipa);
/* Make the page read-only to the host: pinning it for write then fails with
 * INVALID_PARAMETERS (the guest's own view stays writable). */
FFAMED_API void ffamed_posix_vm_set_readonly(struct ffamed_posix_vm *vm, uint64_t ipa,
					     bool readonly);
FFAMED_API struct ffamed_posix_host *ffamed_posix_vm_host(const struct ffamed_posix_vm *vm);

/* ---- Memory sharing ------------------------------------------------------
 * Lending a page (ops->guest_set_access NONE) makes the guest's own view of
 * it PROT_NONE until it is reclaimed: a guest touching it faults, as on a
 * real machine. Pages other VMs lend or share to this one appear, once
 * retrieved, in its borrowed window: guest addresses from
 * FFAMED_POSIX_WINDOW_BASE, one page per arena page at most, which
 * ffamed_posix_vm_va() also resolves. */
#define FFAMED_POSIX_WINDOW_BASE 0x1000000000ull
/* Pages of the VM's RAM it cannot access now (lent or donated away). */
FFAMED_API size_t ffamed_posix_vm_revoked_pages(struct ffamed_posix_vm *vm);
FFAMED_API bool ffamed_posix_vm_page_accessible(struct ffamed_posix_vm *vm, uint64_t ipa);
/* What the guest itself may do at `ipa` now: its RAM is RW unless lent or
 * donated away (NONE), a window page as it was mapped, anything else NONE. */
enum ffamed_posix_access {
	FFAMED_POSIX_ACCESS_NONE,
	FFAMED_POSIX_ACCESS_RO,
	FFAMED_POSIX_ACCESS_RW,
};
FFAMED_API enum ffamed_posix_access ffamed_posix_vm_access(struct ffamed_posix_vm *vm,
							   uint64_t ipa);
/* Window pages mapped now (borrowed from other VMs). */
FFAMED_API size_t ffamed_posix_vm_borrowed_pages(struct ffamed_posix_vm *vm);

/* ---- vCPUs -------------------------------------------------------------- */
typedef void (*ffamed_posix_vcpu_fn)(struct ffamed_posix_vm *vm, uint16_t vcpu, void *arg);
FFAMED_API int32_t ffamed_posix_vcpu_start(struct ffamed_posix_vm *vm, uint16_t vcpu,
					   ffamed_posix_vcpu_fn fn, void *arg);
FFAMED_API void ffamed_posix_vcpu_join(struct ffamed_posix_vm *vm, uint16_t vcpu);
FFAMED_API void ffamed_posix_vcpu_set_online(struct ffamed_posix_vm *vm, uint16_t vcpu,
					     bool online);
/* Pending virtual interrupts (bit n = INTID n, n < 64), taken and cleared. */
FFAMED_API uint64_t ffamed_posix_vcpu_take_virqs(struct ffamed_posix_vm *vm, uint16_t vcpu);
/* Wait until an interrupt is pending or timeout; true if one is. */
FFAMED_API bool ffamed_posix_vcpu_wait_virq(struct ffamed_posix_vm *vm, uint16_t vcpu,
					    uint64_t timeout_ns);

/* ---- Blocked calls (ops->vcpu_resume) --------------------------------------
 * Each vCPU has a resume slot for its call into the mediator. The vCPU
 * thread arms it before calling in, because the reply of a blocked call
 * may come before ffamed_handle_call() has even returned:
 *
 *	ffamed_posix_vcpu_call_begin(vm, vcpu);
 *	if (ffamed_handle_call(mvm, vcpu, regs) == FFAMED_CALL_BLOCKED)
 *		ffamed_posix_vcpu_wait_resume(vm, vcpu, regs); // regs = the reply
 *	else
 *		ffamed_posix_vcpu_call_end(vm, vcpu);
 *
 * ops->vcpu_resume stores the reply in the slot and wakes the vCPU; it may
 * run on any thread, with mediator locks held, and never waits. Counted as
 * contract violations (ffamed_posix_error_count): a resume with no call in
 * flight, a second resume of one call, a resume of a call that then ended
 * without blocking (call_end sees it), call_begin with a call in flight,
 * wait_resume or call_end with none (wait_resume then returns at once with
 * FFA_ERROR(ABORTED) in regs). Only the vCPU's own thread calls these three.
 */
FFAMED_API void ffamed_posix_vcpu_call_begin(struct ffamed_posix_vm *vm, uint16_t vcpu);
FFAMED_API void ffamed_posix_vcpu_call_end(struct ffamed_posix_vm *vm, uint16_t vcpu);
/* Waits (without bound) for the reply of the blocked call, stores it in
 * regs and disarms the slot. */
FFAMED_API void ffamed_posix_vcpu_wait_resume(struct ffamed_posix_vm *vm, uint16_t vcpu,
					      struct ffamed_regs *regs);
/*
 * wait_resume that also comes back, returning false, when a virtual
 * interrupt is pending for the vCPU before the reply came: regs untouched,
 * the call still in flight. A host then takes the vCPU back with
 * ffamed_vcpu_interrupt(), which resumes it with FFA_INTERRUPT (or, if the
 * call was no longer blocked, its reply is on the way), and waits again:
 *	while (!ffamed_posix_vcpu_wait_resume_or_virq(vm, vcpu, regs))
 *		if (!ffamed_vcpu_interrupt(mvm, vcpu))
 *			break_to_plain_wait_resume;
 * True: the reply is in regs, as from wait_resume.
 */
FFAMED_API bool ffamed_posix_vcpu_wait_resume_or_virq(struct ffamed_posix_vm *vm, uint16_t vcpu,
						      struct ffamed_regs *regs);
/* The reply of the vCPU's blocked call if it came (true: in regs, the slot
 * disarmed), without waiting: for drivers that play every vCPU on one
 * thread and leave a call blocked while they run other vCPUs. */
FFAMED_API bool ffamed_posix_vcpu_poll_resume(struct ffamed_posix_vm *vm, uint16_t vcpu,
					      struct ffamed_regs *regs);
/* Whether the vCPU's thread is inside wait_resume with no reply yet (for
 * tests and scenarios that wait until a vCPU is parked; any thread). */
FFAMED_API bool ffamed_posix_vcpu_is_blocked(struct ffamed_posix_vm *vm, uint16_t vcpu);

/* Fault injection: the nth ops->alloc call from now (1: the next one)
 * returns NULL, once; 0 cancels. Requests over 1 GiB always get NULL. */
FFAMED_API void ffamed_posix_fail_alloc(struct ffamed_posix_host *host, unsigned long nth);

/* ---- Accounting (leak checks in tests) ------------------------------------ */
FFAMED_API size_t ffamed_posix_live_allocs(const struct ffamed_posix_host *host);
FFAMED_API size_t ffamed_posix_free_pages(const struct ffamed_posix_host *host);
/* ffamed_posix_spmc_env() allocations not yet freed (counted apart from the
 * mediator's, which ffamed_posix_live_allocs counts). */
FFAMED_API size_t ffamed_posix_spmc_live_allocs(const struct ffamed_posix_host *host);
/* Pages mapped by ops->map_pages and not yet unmapped. */
FFAMED_API size_t ffamed_posix_mapped_pages(const struct ffamed_posix_host *host);
/* VM objects not yet freed (host reference or ops->vm_get references left). */
FFAMED_API size_t ffamed_posix_live_vms(const struct ffamed_posix_host *host);
/* Contract violations the port detected and logged as errors: unpin of a
 * page not pinned, a VM freed with pins left, a bad PA to map_pages, an
 * unmap_pages of something not mapped, a virq INTID >= 64, a misused
 * resume slot (see Blocked calls)... Tests expect 0. */
FFAMED_API size_t ffamed_posix_error_count(const struct ffamed_posix_host *host);
/* Times the SPMC raised the Schedule Receiver Interrupt (env->raise_sri). */
FFAMED_API size_t ffamed_posix_sri_count(const struct ffamed_posix_host *host);

/*
 * The host's SRI handler (e.g. one calling ffamed_handle_sri()): run from
 * the deferred-work thread after each SRI, never from inside the SPMC call
 * that raised it; SRIs raised before it starts are coalesced. NULL stops
 * delivery and waits for a running handler to finish.
 */
typedef void (*ffamed_posix_sri_fn)(void *ctx);
FFAMED_API void ffamed_posix_set_sri_handler(struct ffamed_posix_host *host, ffamed_posix_sri_fn fn,
					     void *ctx);

#ifdef __cplusplus
}
#endif

#endif /* FFAMED_PORT_POSIX_H */
