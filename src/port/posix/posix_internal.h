/* SPDX-License-Identifier: MIT */
/*
 * Internals of the POSIX port, shared by its files. One file per concern:
 *   posix_host.c    host object, ops table, allocation accounting, firmware
 *                   conduit, SPMC environment (the top: calls the others)
 *   posix_log.c     logging and contract violations (the base: called by all)
 *   posix_lock.c    struct ffamed_lock over pthread mutexes, the clock
 *   posix_arena.c   physical memory (memfd) and its page allocator
 *   posix_cpu.c     simulated physical CPU indices of threads
 *   posix_vm.c      VM objects: scattered RAM, guest view, references
 *   posix_guest_mem.c  pin/unpin and map_pages ("vmap")
 *   posix_share.c   memory sharing: owner access (lend) and the borrowed
 *                   window where a VM sees other VMs' pages
 *   posix_vcpu.c    vCPU threads, online state, virtual interrupts
 *   posix_resume.c  blocked calls: each vCPU's resume slot (vcpu_resume)
 *   posix_work.c    the deferred-work worker thread
 *
 * Lock order (outer first): worker.lock, vm->pin_lock, host->map_lock,
 * arena.lock, host->cpu_lock, host->fw_lock. A vCPU's resume_lock and
 * wake_lock are leaves, taken under mediator locks, never one inside the
 * other. The port never holds one of its locks while calling out (work
 * callbacks, firmware, vCPU functions).
 */
#ifndef FFAMED_POSIX_INTERNAL_H
#define FFAMED_POSIX_INTERNAL_H

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "ffamed/port_posix.h"

#define POSIX_PAGE_SHIFT 12
#define POSIX_PAGE_SIZE	 ((size_t)1 << POSIX_PAGE_SHIFT)
#define POSIX_PAGE_MASK	 ((uint64_t)POSIX_PAGE_SIZE - 1)

/* Physical memory: one memfd mapped once; PA = pa_base + offset. */
struct posix_arena {
	int memfd;
	uint8_t *base; /* the firmware's identity view of the whole arena */
	size_t pages;
	uint64_t pa_base;
	/* Guards used, free_count, prng. A leaf lock. */
	pthread_mutex_t lock;
	uint64_t *used; /* bitmap, bit set = page allocated */
	size_t free_count;
	uint64_t prng; /* scatter order of VM pages; deterministic per seed */
};

/* A simulated physical CPU; a thread owns at most one through cpu_key. */
struct posix_cpu_slot {
	struct ffamed_posix_host *host;
	uint32_t index;
	bool claimed; /* guarded by host->cpu_lock */
};

/* One live map_pages() mapping, so unmap_pages can refuse a wrong VA. */
struct posix_mapping {
	struct posix_mapping *next;
	void *va;
	size_t npages;
};

struct posix_worker {
	pthread_t thread;
	bool thread_started;
	/* Guards queue, running, stopping. Taken before any other port lock. */
	pthread_mutex_t lock;
	pthread_cond_t kick; /* queue changed, or stopping */
	pthread_cond_t idle; /* a callback returned */
	/* Queued works by deadline, FIFO among equal deadlines; linked through
	 * host_private[WORK_NEXT]. */
	struct ffamed_work *queue;
	struct ffamed_work *running;
	bool stopping;
};

struct ffamed_posix_host {
	struct posix_arena arena;
	bool contiguous_ram;	    /* VM RAM from one arena run (config) */
	atomic_bool protect_warned; /* lend could not mprotect (logged once) */

	uint32_t cpu_count;
	pthread_key_t cpu_key; /* the calling thread's struct posix_cpu_slot */
	/* Guards cpu_slots[].claimed. */
	pthread_mutex_t cpu_lock;
	struct posix_cpu_slot *cpu_slots;

	/* Guards fw, fw_ctx (copied out before calling, never held across). */
	pthread_mutex_t fw_lock;
	ffamed_posix_fw_fn fw;
	void *fw_ctx;

	/* Guards sri_fn, sri_ctx. The SRI is delivered from deferred work
	 * (sri_work), queued at most once (sri_queued), because the SPMC
	 * raises it from inside firmware calls. */
	pthread_mutex_t sri_lock;
	ffamed_posix_sri_fn sri_fn;
	void *sri_ctx;
	struct ffamed_work sri_work;
	atomic_bool sri_queued;

	/* Guards mappings. */
	pthread_mutex_t map_lock;
	struct posix_mapping *mappings;

	struct posix_worker worker;

	enum ffamed_log_level log_level;

	atomic_size_t live_allocs;	  /* ops->alloc minus ops->free */
	atomic_size_t spmc_live_allocs;	  /* the same for the SPMC env */
	atomic_size_t mapped_pages;	  /* pages mapped by map_pages, not unmapped */
	atomic_size_t errors;		  /* contract violations the port saw */
	atomic_size_t sri_count;	  /* env->raise_sri calls */
	atomic_size_t live_vms;		  /* VM objects not yet freed */
	atomic_long alloc_fail_countdown; /* ffamed_posix_fail_alloc */
};

struct posix_vcpu {
	struct ffamed_posix_vm *vm;
	uint16_t index;
	atomic_bool online;
	_Atomic uint64_t pending; /* bit n: INTID n pending */
	/* Pairs with wake_cond so a waiter cannot miss an injection; guards
	 * no data (pending is atomic). */
	pthread_mutex_t wake_lock;
	pthread_cond_t wake_cond;
	/* The resume slot of the vCPU's call into the mediator: armed by
	 * call_begin before the call, filled by vcpu_resume (any thread,
	 * under mediator locks), collected by wait_resume. Guards
	 * call_in_flight, resumed, waiting, reply. A leaf lock. */
	pthread_mutex_t resume_lock;
	pthread_cond_t resume_cond; /* resumed became true, or a virq pending */
	bool call_in_flight;	    /* between call_begin and call_end/wait_resume */
	bool resumed;		    /* the in-flight call's reply is in `reply` */
	bool waiting;		    /* the vCPU sleeps in wait_resume */
	struct ffamed_regs reply;
	/* Thread state, touched only by the controlling (host) thread. */
	bool running; /* started and not yet joined */
	pthread_t thread;
	ffamed_posix_vcpu_fn fn;
	void *arg;
};

/* Reverse translation entry: arena page -> guest page, sorted by arena. */
struct posix_rev {
	uint32_t arena_page;
	uint32_t guest_page;
};

struct ffamed_posix_vm {
	struct ffamed_posix_host *host;
	uint16_t id;
	uint16_t vcpu_count;
	size_t ram_pages;
	uint32_t *arena_page;	    /* guest page i -> arena page index */
	struct posix_rev *by_arena; /* PA -> guest page (unpin) */
	uint8_t *view;		    /* the guest's contiguous view of its RAM */
	atomic_uint refs;
	_Atomic uint64_t fail_pin_ipa;
	/* Guards pins, readonly, pinned_total, and the sharing state below. */
	pthread_mutex_t pin_lock;
	uint32_t *pins;	   /* per guest page */
	uint8_t *readonly; /* per guest page: pin for write fails */
	size_t pinned_total;
	/* Memory sharing (posix_share.c). */
	uint8_t *no_access; /* per guest page: lent/donated away (view PROT_NONE) */
	size_t revoked_total;
	uint8_t *window;       /* borrowed window: arena.pages pages of VA */
	uint32_t *window_page; /* per window page: arena index + 1, 0 = free */
	uint8_t *window_flags; /* per window page: POSIX_WIN_* */
	size_t window_pages;
	size_t borrowed_total; /* window pages mapped */
	struct posix_vcpu *vcpus;
};

/* Window page flags: mapped writable; access taken away (a page the VM
 * holds by donation, lent or donated on). */
#define POSIX_WIN_WRITE	  0x1u
#define POSIX_WIN_REVOKED 0x2u

/* ---- logging (posix_log.c) ---- */
/* The level FFAMED_LOG names (warn when unset or not a level). */
enum ffamed_log_level posix_log_level_from_env(void);
/* ops->vlog and env->vlog: the mediator's and the SPMC's lines. */
void posix_vlog(void *host, enum ffamed_log_level level, const char *fmt, va_list ap);
void posix_log(struct ffamed_posix_host *host, enum ffamed_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Logs at ERROR and counts a contract violation (ffamed_posix_error_count). */
void posix_error(struct ffamed_posix_host *host, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* ---- locks and the clock (posix_lock.c) ---- */
/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t posix_now_ns(void);
void posix_lock_init(void *host, struct ffamed_lock *lock);
void posix_lock_destroy(void *host, struct ffamed_lock *lock);
void posix_lock_acquire(void *host, struct ffamed_lock *lock);
void posix_lock_release(void *host, struct ffamed_lock *lock);
/* Internal mutexes: error-checking, abort on misuse. */
void posix_mutex_init(pthread_mutex_t *m);
void posix_mutex_lock(pthread_mutex_t *m);
void posix_mutex_unlock(pthread_mutex_t *m);
void posix_cond_init(pthread_cond_t *c); /* CLOCK_MONOTONIC */
/* Absolute CLOCK_MONOTONIC deadline for pthread_cond_timedwait. */
void posix_deadline(uint64_t abs_ns, struct timespec *ts);

/* ---- arena (posix_arena.c) ---- */
int32_t posix_arena_init(struct posix_arena *arena, size_t pages, uint64_t pa_base, uint32_t seed);
void posix_arena_fini(struct posix_arena *arena);
/* n contiguous zeroed pages; stores the first index. */
int32_t posix_arena_alloc_run(struct posix_arena *arena, size_t n, size_t *first);
/* n zeroed pages in a scattered order; stores each index. */
int32_t posix_arena_alloc_scattered(struct posix_arena *arena, size_t n, uint32_t *out);
/* Returns how many of the pages were not allocated (double frees). */
size_t posix_arena_free_run(struct posix_arena *arena, size_t first, size_t n);
size_t posix_arena_free_list(struct posix_arena *arena, const uint32_t *idx, size_t n);
bool posix_arena_is_allocated(struct posix_arena *arena, size_t idx);
size_t posix_arena_free_count(struct posix_arena *arena);
/* Arena page index of a page-aligned PA inside the arena, or false. */
bool posix_arena_pa_index(const struct posix_arena *arena, uint64_t pa, size_t *idx);

/* ---- physical CPUs (posix_cpu.c) ---- */
int32_t posix_cpu_init(struct ffamed_posix_host *host);
void posix_cpu_fini(struct ffamed_posix_host *host);
/* Binds a free CPU to the calling thread; aborts when none is left. */
struct posix_cpu_slot *posix_cpu_bind(struct ffamed_posix_host *host);
void posix_cpu_unbind(struct ffamed_posix_host *host);

/* ---- VMs (posix_vm.c) ---- */
void posix_vm_get(void *host, void *host_vm);
void posix_vm_put(void *host, void *host_vm);

/* ---- guest memory (posix_guest_mem.c) ---- */
int32_t posix_guest_page_pin(void *host, void *host_vm, uint64_t ipa, bool write, uint64_t *pa);
void posix_guest_page_unpin(void *host, void *host_vm, uint64_t pa);
void *posix_map_pages(void *host, const uint64_t *pa, size_t npages);
void posix_unmap_pages(void *host, void *va, size_t npages);
/* Unmaps what the mediator left mapped (host destroy). */
void posix_mappings_fini(struct ffamed_posix_host *host);

/* ---- memory sharing (posix_share.c) ---- */
int32_t posix_share_init(struct ffamed_posix_vm *vm);
void posix_share_fini(struct ffamed_posix_vm *vm);
int32_t posix_guest_set_access(void *host, void *host_vm, uint64_t ipa, size_t npages,
			       uint32_t access);
int32_t posix_borrow_map(void *host, void *host_vm, const uint64_t *pa, size_t npages, bool write,
			 uint64_t *ipa);
void posix_borrow_unmap(void *host, void *host_vm, const uint64_t *ipa, size_t npages);
/* The guest view of a window address, or NULL. */
void *posix_window_va(struct ffamed_posix_vm *vm, uint64_t ipa);

/* ---- vCPUs (posix_vcpu.c) ---- */
int32_t posix_vcpus_init(struct ffamed_posix_vm *vm);
void posix_vcpus_fini(struct ffamed_posix_vm *vm);
/* Joins vCPU threads still running (a host bug; logged). */
void posix_vcpus_join_all(struct ffamed_posix_vm *vm);
bool posix_vcpu_is_online(void *host, void *host_vm, uint16_t vcpu);
void posix_inject_virq(void *host, void *host_vm, uint16_t vcpu, uint32_t intid);
/* The vCPU, or NULL (logged as a contract violation) if out of range. A
 * lookup both the vCPU and the resume files use, so it lives with the
 * struct rather than in either. */
static inline struct posix_vcpu *posix_vcpu_of(struct ffamed_posix_vm *vm, uint16_t vcpu,
					       const char *what)
{
	if (vcpu < vm->vcpu_count)
		return &vm->vcpus[vcpu];
	posix_error(vm->host, "%s: VM %#x has no vCPU %u", what, vm->id, vcpu);
	return NULL;
}

/* ---- blocked calls (posix_resume.c) ---- */
void posix_resume_init(struct posix_vcpu *v);
void posix_resume_fini(struct posix_vcpu *v);
void posix_vcpu_resume(void *host, void *host_vm, uint16_t vcpu, const struct ffamed_regs *regs);
/* A virtual interrupt became pending: wake wait_resume_or_virq. */
void posix_resume_kick(struct posix_vcpu *v);

/* ---- deferred work (posix_work.c) ---- */
int32_t posix_work_init(struct ffamed_posix_host *host);
void posix_work_fini(struct ffamed_posix_host *host);
int32_t posix_work_schedule(void *host, struct ffamed_work *work, uint64_t delay_ns);
void posix_work_cancel_sync(void *host, struct ffamed_work *work);

#endif /* FFAMED_POSIX_INTERNAL_H */
