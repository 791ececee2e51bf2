/* SPDX-License-Identifier: MIT */
/*
 * Test fixture for the mediator: a host (struct ffamed_host_ops) around the
 * software SPMC, with hooks for what the tests intercept.
 *
 * Locks, the mediator's allocations (counted; ffamed_posix_fail_alloc fails
 * the nth) and physical memory are a POSIX port host's
 * (struct ffamed_posix_host): its
 * memfd arena at FIX_PA_BASE, its page allocator (page_alloc, and each fake
 * VM's RAM), its map_pages aliases (scattered multi-page buffers work
 * without copying) and its PA view for the SPMC; the port checks every free
 * and unmap (ffamed_posix_error_count). Each fake VM's RAM is one run of
 * that memory, mapped in reverse (IPA page i + 1 sits just below page i in
 * PA, so no two IPA neighbours are PA neighbours) unless asked contiguous.
 * The rest is the fixture's own, so that tests can steer and count it:
 * pins, access changes and the borrowed window (fault injection), firmware
 * calls (hook, counts), deferred work (run by hand or by a worker), vCPUs
 * and virtual interrupts, blocked calls. Pins, maps, allocations and host
 * VM references are counted so that tests can check that everything was
 * undone.
 */
#ifndef MED_FIXTURE_H
#define MED_FIXTURE_H

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "ffamed/ffa_regs.h"
#include "ffamed/mediator.h"
#include "ffamed/port_posix.h"
#include "ffamed/sp_builtin.h"
#include "ffamed/spmc.h"

#define FIX_PA_BASE   0x880000000ull
#define FIX_MEM_PAGES 4096u /* 16 MiB */
#define FIX_IPA_BASE  0x40000000ull
#define FIX_MAX_WORK  256
#define FIX_MAX_VCPUS 64
/* Each VM's borrowed window (port borrow_map), above any fixture RAM. */
#define FIX_WIN_BASE  0x100000000ull
#define FIX_WIN_PAGES FIX_MEM_PAGES

/* The default SP set (fix_opts.sps == NULL). */
#define FIX_SP_ECHO    0x8001u /* echo, UP */
#define FIX_SP_VMWATCH 0x8002u /* VM_CREATED/VM_DESTROYED subscriber */
#define FIX_SP_OPTEE   0x8003u /* OP-TEE, no REQ2 */
#define FIX_SP_ECHO_MP 0x8004u /* echo, MP (fix_opts.cpus contexts) */

struct fix;
/* Return true when the hook answered the firmware call itself. */
typedef bool (*fix_fw_hook)(struct fix *fix, struct ffamed_regs *regs, void *arg);

struct fix_opts {
	struct ffamed_config med_cfg;
	const struct ffamed_sp_config *sps; /* NULL: the default set */
	uint32_t sp_count;
	uint32_t spmc_version;			  /* 0: the personality's */
	enum ffamed_spmc_personality personality; /* the real SPMC imitated (0: strict) */
	uint32_t cpus;				  /* physical CPUs (0: 4) */
	struct ffamed_spmc_faults faults;	  /* applied before the mediator is created */
	bool fw_absent;	  /* fw_call answers SMCCC NOT_SUPPORTED to everything */
	fix_fw_hook hook; /* installed before the mediator is created */
	void *hook_arg;
	bool expect_create_fail;
	int med_alloc_fail_after; /* >0: that allocation of ffamed_create fails */
	/* The port resumes blocked calls (vcpu_resume): FFA_MSG_WAIT and
	 * direct messages between VMs are served (docs/MESSAGING.md). */
	bool blocking;
};

/* The policy fix_vm_register() gives a VM whose v->policy is NULL: every
 * right toward everybody (the tests of other features run in an open
 * system). FIX_POLICY_NONE passes NULL: the mediator's own defaults. */
extern const struct ffamed_vm_policy fix_policy_open;
extern const struct ffamed_vm_policy fix_policy_none_marker;
#define FIX_POLICY_NONE (&fix_policy_none_marker)

struct fix_vm {
	struct fix *fix;
	uint16_t id;
	uint16_t vcpus;
	const struct ffamed_vm_policy *policy; /* set before registering */
	struct ffa_uuid uuid;		       /* set before registering; Nil: none */
	bool no_direct_recv;		       /* set before registering */
	uint32_t ram_pages;
	uint64_t ram_pa;	    /* the lowest PA of its RAM (one run) */
	uint64_t *page_pa;	    /* per IPA page */
	_Atomic int *pins;	    /* per IPA page */
	bool *readonly;		    /* write pins fail */
	_Atomic int refs;	    /* host VM references (the host's own + mediator's) */
	_Atomic int pin_fail_after; /* >0: the pin after this many more succeed fails */
	struct ffamed_vm *vm;
	/* Virtual interrupts: online flags (all online at first), pending
	 * INTIDs per vCPU (bit n = INTID n), and injections made. */
	_Atomic bool offline[FIX_MAX_VCPUS];
	_Atomic uint64_t virq[FIX_MAX_VCPUS];
	_Atomic uint64_t injections;

	/* Memory sharing state, under mem_lock. */
	pthread_mutex_t mem_lock;
	bool *no_access;	       /* per IPA page: lent or donated away */
	uint64_t *win_pa;	       /* per window page: the PA mapped there, 0 = free */
	bool *win_write;	       /* per window page */
	bool *win_revoked;	       /* per window page: held by donation, lent on */
	uint32_t win_used;	       /* window pages mapped */
	bool win_scatter;	       /* leave a hole after every mapped window page */
	_Atomic int access_fail_after; /* >0: that set_access call fails */
	_Atomic int borrow_fail_after; /* >0: that borrow_map call fails */

	/* Blocked calls (opts.blocking), under call_lock: per vCPU, whether a
	 * call is in flight and whether its reply came (vcpu_resume). */
	pthread_mutex_t call_lock;
	pthread_cond_t call_cond;
	bool in_flight[FIX_MAX_VCPUS];
	bool resumed[FIX_MAX_VCPUS];
	struct ffamed_regs reply[FIX_MAX_VCPUS];
};

struct fix {
	struct fix_opts opts;
	/* Physical memory: FIX_MEM_PAGES pages at FIX_PA_BASE. */
	struct ffamed_posix_host *host;

	struct ffamed_host_ops ops;
	struct ffamed_spmc_env env;
	struct ffamed_spmc *spmc;
	struct ffamed *med;

	/* Firmware calls made by the mediator, by [is64][fnum & 0xff]. */
	_Atomic uint64_t fw_calls[2][256];
	_Atomic uint64_t fw_total;
	_Atomic bool fw_absent;
	fix_fw_hook hook;
	void *hook_arg;

	_Atomic long live_maps; /* map_pages not unmapped */
	_Atomic long live_page_allocs;
	_Atomic long live_host_vms; /* fix_vm objects not yet released */
	_Atomic long port_errors;   /* vcpu_resume without a call in flight, twice, ... */
	_Atomic int map_fail_after; /* >0: the map after this many more succeed fails */
	_Atomic int log_count[4];
	_Atomic uint64_t sri_raised; /* by the SPMC; tests call ffamed_handle_sri() */

	/* Deferred work: a queue run by fix_work_run() or a worker thread. */
	pthread_mutex_t work_lock;
	pthread_cond_t work_cond;
	struct ffamed_work *queue[FIX_MAX_WORK];
	int queued;
	struct ffamed_work *running;
	_Atomic uint64_t work_scheduled;
	_Atomic bool work_fail;
	pthread_t worker;
	_Atomic bool worker_stop;
	bool worker_on;

	struct ffamed_sp_config sp_cfg[8];
	struct ffamed_sp_echo echo, echo_mp;
	struct ffamed_sp_vmwatch vmwatch;
	struct ffamed_sp_optee optee;
};

void fix_set_cpu(uint32_t cpu);
struct fix *fix_create(const struct fix_opts *opts); /* NULL opts: defaults */
void fix_destroy(struct fix *fix);		     /* asserts nothing is left */
/* Default SP set into fix->sp_cfg (for tests that tweak it): returns the count. */
uint32_t fix_default_sps(struct fix *fix, uint32_t cpus);

/* A host VM with `ram_pages` of RAM from FIX_IPA_BASE; scattered or contiguous. */
struct fix_vm *fix_vm_new(struct fix *fix, uint16_t id, uint16_t vcpus, uint32_t ram_pages,
			  bool scatter);
int32_t fix_vm_register(struct fix_vm *v, bool aarch64);
/* new + register (asserting success): 64 scattered pages, AArch64. */
struct fix_vm *fix_vm(struct fix *fix, uint16_t id, uint16_t vcpus);
/* ffamed_vm_destroy (if registered) and drop the host's reference. */
void fix_vm_destroy(struct fix_vm *v);
/* What an operator does once firmware finally lets go of a VM whose pages the
 * mediator quarantined: forget the pins and drop the mediator's reference. */
void fix_vm_reclaim_quarantined(struct fix_vm *v);
/* RAM or borrowed-window address: the fixture's view of that byte. */
void *fix_vm_ptr(struct fix_vm *v, uint64_t ipa);
/* The owner may access its page at ipa (not lent or donated away); a
 * window page: mapped and not lent or donated on. */
bool fix_vm_accessible(struct fix_vm *v, uint64_t ipa);
/* Pages of RAM the VM cannot access; window pages mapped; whether the
 * window page at ipa is writable. */
uint32_t fix_vm_revoked_pages(struct fix_vm *v);
uint32_t fix_vm_window_pages(struct fix_vm *v);
bool fix_vm_window_writable(struct fix_vm *v, uint64_t ipa);
uint64_t fix_vm_pins(struct fix_vm *v);

struct ffamed_regs fix_call(struct fix_vm *v, uint16_t vcpu, uint64_t x0, uint64_t x1, uint64_t x2,
			    uint64_t x3, uint64_t x4, uint64_t x5);
struct ffamed_regs fix_call_regs(struct fix_vm *v, uint16_t vcpu, const struct ffamed_regs *in);
/*
 * Blocked calls (opts.blocking). fix_call_async makes the call: DONE leaves
 * the reply in *regs; BLOCKED leaves the vCPU in flight until the mediator
 * resumes it, which fix_resumed (non-blocking: false if not yet) or
 * fix_wait_resumed (waits) collect. A single thread can thus play several
 * vCPUs. fix_call_sync does both: the reply whatever happened.
 */
enum ffamed_call_status fix_call_async(struct fix_vm *v, uint16_t vcpu, struct ffamed_regs *regs);
bool fix_resumed(struct fix_vm *v, uint16_t vcpu, struct ffamed_regs *out);
void fix_wait_resumed(struct fix_vm *v, uint16_t vcpu, struct ffamed_regs *out);
struct ffamed_regs fix_call_sync(struct fix_vm *v, uint16_t vcpu, const struct ffamed_regs *in);
/* Whether a call of the vCPU is blocked (in flight, not resumed). */
bool fix_blocked(struct fix_vm *v, uint16_t vcpu);
/* FFA_VERSION then FFA_ID_GET: the version is final. */
void fix_negotiate(struct fix_vm *v, uint32_t version);
int32_t fix_map(struct fix_vm *v, uint64_t tx_ipa, uint64_t rx_ipa, uint32_t pages);
/* Maps tx at page 0, rx at page `pages` of RAM. */
void fix_map_default(struct fix_vm *v, uint32_t pages);
uint64_t fix_fw_count(struct fix *fix, uint32_t fid);
/* Pending virtual interrupts of a vCPU, taken (cleared). */
uint64_t fix_virq_take(struct fix_vm *v, uint16_t vcpu);
/* Host side of a vCPU going online/offline: the flag, then the mediator. */
void fix_vcpu_set_online(struct fix_vm *v, uint16_t vcpu, bool online);

int fix_work_run(struct fix *fix); /* runs what is queued now; returns how many */
int fix_work_queued(struct fix *fix);
void fix_worker_start(struct fix *fix);
void fix_worker_stop(struct fix *fix);

/* Every error reply is FFA_ERROR with the code zero-extended in x2. The
 * argument may be any expression (e.g. a call returning the registers). */
#define assert_ffa_error(r, code)                                                                  \
	do {                                                                                       \
		struct ffamed_regs err_regs_ = (r);                                                \
		assert_int_equal(err_regs_.x[0], FFA_ERROR);                                       \
		assert_int_equal(err_regs_.x[2], (uint64_t)(uint32_t)(code));                      \
	} while (0)
#define assert_ffa_success(r)                                                                      \
	do {                                                                                       \
		struct ffamed_regs ok_regs_ = (r);                                                 \
		if (!ffa_is_success(&ok_regs_))                                                    \
			fail_msg("not success: x0 %lx x2 %lx", (unsigned long)ok_regs_.x[0],       \
				 (unsigned long)ok_regs_.x[2]);                                    \
	} while (0)

#endif /* MED_FIXTURE_H */
