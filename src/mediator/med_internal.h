/* SPDX-License-Identifier: MIT */
/*
 * Private state of the mediator core, shared by its files:
 *   med_core.c      create/destroy, FID decoding, the dispatcher switch
 *   med_version.c   FFA_VERSION negotiation and the version gate
 *   med_features.c  FFA_FEATURES, FFA_ID_GET, FFA_SPM_ID_GET
 *   med_rxtx.c      VM RX/TX buffers; the mediator's own SPMC RX/TX pair
 *   med_partinfo.c  the SP cache, FFA_PARTITION_INFO_GET(_REGS)
 *   med_msg.c       direct requests VM -> SP, FFA_RUN of an SP
 *   med_msg_vm.c    direct requests VM <-> VM, FFA_MSG_WAIT, FFA_YIELD,
 *                   FFA_RUN of a VM, blocked calls (docs/MESSAGING.md)
 *   med_msg_send2.c indirect messages (FFA_MSG_SEND2)
 *   med_policy.c    the host's access-control policy per VM
 *   med_vm.c        VM registry, VM create/destroy, VM_CREATED/DESTROYED
 *   med_notif.c     notification calls: checks, routing VM <-> SP (forwarded)
 *                   and VM <-> VM, the VMs' bitmaps at the SPMC
 *   med_notif_local.c  a VM's receiver state kept here (VM class, hypervisor
 *                   framework class, what the SPMC reported) and the NPI
 *   med_notif_sri.c the Schedule Receiver Interrupt: INFO_GET at the SPMC
 *   med_notif_info.c   a guest's own FFA_NOTIFICATION_INFO_GET
 *   med_log.c       logging helpers
 *   med_mem*.c      memory sharing (med_mem.h lists its files)
 *
 * LOCK ORDER (outer first; a lock may only be taken while holding locks
 * listed before it):
 *   0. vm->msg_lock        one VM's messaging state (struct med_vcpu's
 *                          rx_/tx_ fields of all its vCPUs). Two VMs'
 *                          msg_locks are taken in ascending VM ID order.
 *                          The port's vcpu_resume is called under it;
 *                          nothing else is taken under it (it is never
 *                          held with an rxtx_lock: MSG_WAIT releases the
 *                          RX before taking it).
 *   1. vm->rxtx_lock       one VM's RX/TX state (map, unmap, release, and
 *                          every user of the VM's RX or TX contents). Two
 *                          VMs' rxtx_locks (FFA_MSG_SEND2 VM -> VM) are
 *                          taken in ascending VM ID order.
 *   2. med->registry_lock  the VM registry (insert, remove, enumeration
 *                          for partition info and teardown unbinding)
 *   2a. bucket->lock       one bucket of the ID index: lookup+ref, and
 *                          insert/remove (under the registry lock). A leaf.
 *                          Lookups take only this lock, so that calls of
 *                          different VMs (VM-to-VM notifications) share no
 *                          lock.
 *   3. vm->version_lock    one VM's version negotiation (never nested with
 *                          the registry lock in this release: readers use
 *                          the published atomic)
 *   3b. med->mem_lock      memory sharing: the transaction table, every
 *                          transaction's state, every VM's page ownership
 *                          runs and handle count (med_mem.h). Taken after
 *                          the caller's rxtx_lock (copy-out, RX for a
 *                          retrieve response); never held across a
 *                          firmware call: a reclaim at the SPMC marks the
 *                          transaction BUSY, drops the lock, calls, and
 *                          takes it again. Port memory ops (pin,
 *                          set_access, borrow_map) may run under it.
 *   4. med->spmc_tx_lock   the mediator's TX buffer, acquire..release
 *   5. med->spmc_rx_lock   the mediator's RX buffer, acquire..release
 *   6. vm->notif_lock      one VM's notifications as a receiver (struct
 *                          med_notif); taken under the registry lock when
 *                          a VM's teardown unbinds it from other VMs;
 *                          nothing is taken under it, but the port's
 *                          vcpu_is_online and inject_virq are called with
 *                          it held (the delivery protocol of
 *                          models/README.md needs the decision to inject
 *                          and the injection in one critical section). Never
 *                          held across a firmware call. Two VMs' notif
 *                          locks are never held at once.
 *   med->pending_lock      the pending VM_DESTROYED records; a leaf: no
 *                          other mediator lock is taken under it
 * So "VM registry lock < VM version lock" and "VM rxtx lock < SPMC TX lock
 * < SPMC RX lock". Two VMs' version locks are never held at once; two VMs'
 * rxtx or msg locks only in VM ID order. No VM lock is held while waiting
 * for another VM (the registry reference drain in vm_destroy waits with no
 * lock held; a blocked call holds no lock).
 * The direct-message path takes no lock: the SP cache is immutable after
 * create, and a vCPU's state is only touched by that vCPU.
 */
#ifndef FFAMED_MED_INTERNAL_H
#define FFAMED_MED_INTERNAL_H

#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ffamed/ffa_regs.h"
#include "ffamed/mediator.h"
#include "med_config.h"
#include "med_handler.h"

/* Padding between data written from different CPUs (false sharing). */
#define MED_CACHE_LINE 64

#define MED_DEFAULT_MAX_VMS	    256u
#define MED_DEFAULT_RXTX_MAX_PAGES  64u
#define MED_DEFAULT_SPMC_RXTX_PAGES 1u
#define MED_DEFAULT_NPI_INTID	    8u
#define MED_DEFAULT_SRI_INTID	    9u
#define MED_DEFAULT_VM_MSG_RETRIES  10u
#define MED_DEFAULT_VM_MSG_DELAY_NS 1000000ull
/* FFA_FEATURES(RXTX_MAP) reports the maximum in w2[31:16]. */
#define MED_RXTX_MAX_PAGES_LIMIT 0xFFFFu
/* VM availability messages: w3/w4 = the invalid memory handle (no impdef
 * VM info is shared). Xen sends 0 here; the spec's Nil handle is all ones. */
#define MED_VM_MSG_HANDLE_WORD 0xFFFFFFFFu

/* Firmware ABIs the mediator forwards, as learnt by FFA_FEATURES at init. */
enum med_fw_abi {
	MED_FW_DIRECT_REQ_32 = 1u << 0,
	MED_FW_DIRECT_REQ_64 = 1u << 1,
	MED_FW_DIRECT_REQ2 = 1u << 2,
	MED_FW_RUN = 1u << 3,
	MED_FW_RX_ACQUIRE = 1u << 4,
	MED_FW_NOTIF = 1u << 5, /* FFA_FEATURES(NOTIFICATION_BITMAP_CREATE) */
	MED_FW_MSG_SEND2 = 1u << 6,
};

/* Whether VM RX/TX pairs are forwarded to the SPMC, decided once. */
enum med_vm_rxtx_fwd {
	MED_VM_RXTX_UNKNOWN = 0, /* no forward answered yet */
	MED_VM_RXTX_YES,	 /* the SPMC mapped one: its refusals are errors now */
	MED_VM_RXTX_NO,		 /* VM pairs stay here; the SPMC never sees them */
};

/* The served-FID table: [version minor][is 64-bit][fnum - FFA_FNUM_MIN]. */
#define MED_SERVED_MINORS 3u
#define MED_SERVED_WORDS  ((FFA_FNUM_MAX - FFA_FNUM_MIN + 64u) / 64u)

/* One cached SP descriptor, normalised and naturally aligned. */
struct med_sp {
	uint16_t id;
	uint16_t exec_ctx_count;
	uint32_t properties;  /* as the SPMC reported them */
	struct ffa_uuid uuid; /* Nil from a v1.0 SPMC */
};

/* RX buffer ownership between the producer side and the guest. */
enum med_rx_owner {
	MED_RX_PRODUCER = 0, /* empty: the mediator (or the SPMC if forwarded) */
	MED_RX_GUEST,	     /* full: the guest reads it until FFA_RX_RELEASE */
};

/* A VM's RX/TX pair; every field guarded by vm->rxtx_lock. */
struct med_rxtx {
	bool mapped;
	bool forwarded; /* also mapped at the SPMC: it owns the RX when empty */
	enum med_rx_owner rx_owner;
	uint32_t page_count;
	uint64_t tx_ipa, rx_ipa; /* where the guest mapped them */
	void *tx;		 /* hostile: the guest may write it at any time */
	void *rx;
	uint64_t *tx_pa; /* rxtx_max_pages entries each, allocated with the VM */
	uint64_t *rx_pa;
};

/* One vCPU's notification state as a receiver (vm->notif_lock). */
struct med_notif_vcpu {
	uint64_t pending;   /* per-vCPU VM-class IDs set by other VMs */
	bool secure;	    /* the SPMC listed this vCPU in INFO_GET since its last GET */
	bool armed;	    /* an NPI was injected here and no GET ran here since */
	bool info_reported; /* told by the guest's own INFO_GET since it became pending */
};

/*
 * A VM's notifications as a receiver, as far as the mediator keeps them:
 * the VM class (set by other VMs), the hypervisor framework class, and a
 * flag per place where the SPMC said SP or SPM framework notifications are
 * pending (it keeps the bits; we only know whom to signal). All of it is
 * guarded by vm->notif_lock. "Pending" for a vCPU v: its own per-vCPU bits
 * or flag; globally: global, hyp_fwk or secure_global. The NPI protocol is
 * the one verified in models/notif_vm2vm.pml, extended per vCPU: armed_count
 * > 0 means some vCPU will run a GET, which also collects global bits.
 */
#define MED_NOTIF_IDS 64
struct med_notif {
	uint64_t bound;			/* VM-class IDs bound to a sender */
	uint64_t bound_per_vcpu;	/* ... of which per-vCPU */
	uint16_t sender[MED_NOTIF_IDS]; /* the sender VM of each bound ID */
	uint64_t global;		/* pending global VM-class IDs */
	uint32_t hyp_fwk;		/* pending hypervisor framework bits */
	bool secure_global;		/* the SPMC listed the VM (global) */
	bool info_global_reported;	/* see med_notif_vcpu.info_reported */
	uint16_t armed_count;		/* vCPUs with armed set */
	struct med_notif_vcpu *vcpu;	/* vcpu_count entries */
};

/* A vCPU as the receiver of direct requests from VMs (docs/MESSAGING.md). */
enum med_vrx {
	MED_VRX_RUNNING = 0, /* not waiting for a request */
	MED_VRX_WAITING,     /* blocked in FFA_MSG_WAIT or a response */
	MED_VRX_HANDLING,    /* holds a request it has not answered */
	MED_VRX_YIELDED,     /* blocked in FFA_YIELD until the sender's FFA_RUN */
};

/* A vCPU as the sender of a direct request to a VM. */
enum med_vtx {
	MED_VTX_IDLE = 0,
	MED_VTX_PENDING,     /* blocked until the response */
	MED_VTX_INTERRUPTED, /* taken back by the host: FFA_RUN to wait again */
	MED_VTX_YIELDED,     /* the receiver yielded: FFA_RUN to resume it */
	MED_VTX_DONE,	     /* the response (or ABORTED) is kept for FFA_RUN */
};

/* One end of a VM-to-VM request: VM IDs are reused, serials are not. */
struct med_peer {
	uint64_t serial;
	uint16_t id;
	uint16_t vcpu;
};

struct med_vcpu {
	/* FFA_RUN permission left by an SP's INTERRUPT/YIELD answer. Only
	 * the vCPU itself reads or writes these (no lock). */
	bool run_allowed;
	uint16_t run_sp;
	uint16_t run_ctx;
	uint32_t run_req_fid; /* the request being resumed: decides the reply width */

	/* Direct messages between VMs: vm->msg_lock. tx_state is also read
	 * without it by the vCPU itself, which only needs "IDLE or not":
	 * others never move it to or from IDLE while the vCPU runs. */
	uint8_t rx_state;	  /* enum med_vrx */
	_Atomic uint8_t tx_state; /* enum med_vtx */
	uint32_t rx_fid;	  /* the request held (HANDLING, YIELDED) */
	struct med_peer rx_from;  /* its sender */
	uint32_t tx_fid;	  /* the request sent (tx_state != IDLE) */
	struct med_peer tx_to;	  /* its receiver */
	struct ffamed_regs kept;  /* the reply kept for FFA_RUN (DONE) */
};

/* The host's access policy for one VM, copied at create, then immutable. */
struct med_policy {
	uint32_t sp_default;
	uint32_t vm_default;
	uint32_t peer_count;
	struct ffamed_peer_rights *peers; /* sorted by peer ID */
};

struct ffamed_vm {
	struct ffamed *med;
	uint16_t id;
	uint16_t vcpu_count;
	bool aarch64;
	void *host_vm;
	uint64_t serial;	     /* unique for the mediator's life */
	struct med_policy policy;    /* immutable: read without a lock */
	struct ffamed_lock msg_lock; /* guards the vcpus' VM messaging state */

	/* Registry lookups in flight; vm_destroy waits for it to drain.
	 * Written by other VMs' CPUs (VM-to-VM calls): padded away from
	 * what this VM's own calls read. */
	char pad_refs[MED_CACHE_LINE];
	_Atomic uint32_t refs;
	struct ffamed_vm *bucket_next; /* the ID index chain, bucket->lock */

	struct ffamed_lock version_lock; /* guards version_requested */
	uint32_t version_requested;	 /* 0: FFA_VERSION not called yet */
	/* The final version, 0 until the first non-VERSION call; set once
	 * under version_lock, read without it. */
	_Atomic uint32_t version;

	struct ffamed_lock rxtx_lock; /* guards rxtx */
	struct med_rxtx rxtx;

	struct med_vcpu *vcpus; /* vcpu_count entries */
	/* created_told[i]: subscriber med->vm_created_sps[i] accepted
	 * VM_CREATED for this VM. Written at create only. */
	bool *created_told;
	/* The SPMC holds a notification bitmap for this VM: SP notifications
	 * work for it. Written before the VM is handed out and at destroy. */
	bool notif_bitmap;

	/* Written by senders on other CPUs: padded away too. */
	char pad_notif[MED_CACHE_LINE];
	struct ffamed_lock notif_lock; /* guards notif */
	struct med_notif notif;
	struct med_mem_vm *mem; /* med_mem.h says what guards each part */
};

/*
 * Rate limit for log messages a guest can trigger at will: at most
 * MED_LOG_RL_BURST per MED_LOG_RL_WINDOW_NS, lock-free. Without a host
 * clock a window is MED_LOG_RL_NOCLOCK_WINDOW attempts instead.
 */
#define MED_LOG_RL_BURST	  10u
#define MED_LOG_RL_WINDOW_NS	  1000000000ull
#define MED_LOG_RL_NOCLOCK_WINDOW 1000u
struct med_ratelimit {
	_Atomic uint64_t window_start; /* ns, or attempts without a clock */
	_Atomic uint64_t attempts;
	_Atomic uint32_t in_window;  /* messages asked for in this window */
	_Atomic uint32_t suppressed; /* dropped since the last report */
};

/* A VM_DESTROYED notification still owed to some SPs after the VM context
 * is gone: owns a host VM reference, no pointer to the ffamed_vm. */
struct med_pending_destroy {
	struct med_pending_destroy *next; /* med->pending list, pending_lock */
	struct ffamed *med;
	struct ffamed_work work;
	uint16_t vm_id;
	void *host_vm;
	uint32_t attempts; /* deferred attempts made */
	uint32_t sp_count; /* SPs left to tell */
	uint16_t *sps;
	bool done;	  /* the callback will not run again (pending_lock) */
	bool unscheduled; /* work_schedule failed: reschedule at next chance */
};

/* One bucket of the VM ID index, padded so that lookups of different VMs on
 * different CPUs do not bounce one cache line (host allocations are not
 * cache-line aligned, hence padding rather than _Alignas). */
struct med_vm_bucket {
	struct ffamed_lock lock;
	struct ffamed_vm *head;
	char pad[MED_CACHE_LINE];
};

struct ffamed {
	const struct ffamed_host_ops *ops;
	void *host;
	struct ffamed_config cfg; /* defaults applied */

	/* Firmware facts learnt at create; read-only afterwards. */
	uint32_t fw_version; /* 0: no usable SPMC */
	uint16_t spmc_id;
	uint32_t fw_abis; /* enum med_fw_abi */
	/* Whether the SPMC maps VMs' RX/TX pairs (enum med_vm_rxtx_fwd): NO
	 * from create when it cannot (docs/REAL-FIRMWARE.md), else learnt
	 * from the first forward's answer. Changes only under spmc_tx_lock. */
	_Atomic uint32_t vm_rxtx_fwd;

	/* SP cache: one entry per (partition, UUID) as the SPMC listed them,
	 * secure IDs only. Immutable after create. */
	struct med_sp *sps;
	uint32_t sp_count;
	uint32_t sp_props_any;	  /* union of the cached SPs' properties */
	uint16_t *vm_created_sps; /* subscribers, unique IDs */
	uint32_t vm_created_count;
	uint16_t *vm_destroyed_sps;
	uint32_t vm_destroyed_count;

	/* The mediator's RX/TX pair with the SPMC (NULL: none). */
	struct ffamed_lock spmc_tx_lock; /* held from tx_acquire to tx_release */
	struct ffamed_lock spmc_rx_lock; /* held from rx_acquire to rx_release */
	void *spmc_tx;
	void *spmc_rx;
	uint64_t spmc_tx_pa;
	uint64_t spmc_rx_pa;
	uint32_t spmc_rxtx_pages;
	bool spmc_rxtx_mapped;

	struct ffamed_lock registry_lock; /* guards vms[], vm_count */
	struct ffamed_vm **vms;		  /* max_vms slots, NULL = free */
	uint32_t vm_count;
	/* The ID index: bucket_count (a power of two) chains by ID. */
	struct med_vm_bucket *buckets;
	uint32_t bucket_count;

	struct ffamed_lock mem_lock; /* guards *mem and every VM's mem->owner */
	struct med_mem *mem;

	_Atomic uint64_t vm_serial; /* the last VM serial given */

	struct ffamed_lock pending_lock; /* guards pending list, shutting_down */
	struct med_pending_destroy *pending;
	bool shutting_down;

	/* What med_fid_served() answers, bit per FID, for guest versions
	 * 1.0..1.2: the dispatcher's gate in one bit test (med_features.c).
	 * Computed at create; read-only afterwards. */
	uint64_t served[MED_SERVED_MINORS][2][MED_SERVED_WORDS];

	/* NULL: tracing off; read once per trapped call (med_core.c). */
	_Atomic(const struct ffamed_tracer *) tracer;
	struct med_ratelimit guest_log_rl;   /* guest-triggered messages (med_log.c) */
	struct med_ratelimit refusal_log_rl; /* MED_REFUSE's debug lines (med_log.c) */
};

/* ---- med_log.c ---------------------------------------------------------- */
void med_log(const struct ffamed *med, enum ffamed_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
#define med_err(med, ...)   med_log(med, FFAMED_LOG_ERROR, __VA_ARGS__)
#define med_warn(med, ...)  med_log(med, FFAMED_LOG_WARN, __VA_ARGS__)
#define med_info(med, ...)  med_log(med, FFAMED_LOG_INFO, __VA_ARGS__)
#define med_debug(med, ...) med_log(med, FFAMED_LOG_DEBUG, __VA_ARGS__)
/* The same, rate-limited: for messages a guest can trigger at will. */
void med_log_guest(struct ffamed *med, enum ffamed_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
#define med_warn_guest(med, ...) med_log_guest(med, FFAMED_LOG_WARN, __VA_ARGS__)
/* FF-A names for log lines: "FFA_MSG_SEND_DIRECT_REQ_64", "INVALID_PARAMETERS";
 * a phrase for values outside ffamed/ffa_names.h. */
const char *med_fid_name(uint32_t fid);
const char *med_err_name(int32_t err);

/* ---- med_core.c ----------------------------------------------------------- */
void med_lock(const struct ffamed *med, struct ffamed_lock *lock);
void med_unlock(const struct ffamed *med, struct ffamed_lock *lock);
/* Two VMs' locks of one kind, in ascending VM ID order (the lock order). */
void med_lock_in_id_order(const struct ffamed *med, uint16_t id_a, struct ffamed_lock *a,
			  uint16_t id_b, struct ffamed_lock *b);
void *med_alloc(const struct ffamed *med, size_t size);
void med_free(const struct ffamed *med, void *ptr);
/* regs in/out through the firmware conduit. */
void med_fw_call(const struct ffamed *med, struct ffamed_regs *regs);
/* A call with w1..w5 whose answer is SUCCESS or ERROR: returns the code. */
int32_t med_fw_simple(const struct ffamed *med, uint32_t fid, uint64_t a1, uint64_t a2, uint64_t a3,
		      uint64_t a4, uint64_t a5, struct ffamed_regs *out);
static inline bool med_version_at_least(uint32_t v, uint32_t min)
{
	return FFA_VERSION_MAJOR(v) == FFA_VERSION_MAJOR(min) &&
	       FFA_VERSION_MINOR(v) >= FFA_VERSION_MINOR(min);
}

/* ---- med_version.c ---------------------------------------------------------- */
/* The version gate for every other FF-A call: returns the final version,
 * or 0 when FFA_VERSION was never called (the caller answers NOT_SUPPORTED). */
uint32_t med_version_finalise(struct ffamed_vm *vm);
static inline uint32_t med_vm_version(const struct ffamed_vm *vm)
{
	return atomic_load_explicit(&vm->version, memory_order_acquire);
}

/* ---- med_features.c --------------------------------------------------------- */
/* Whether the dispatcher serves `fid` to a guest at `version`; fills the
 * FFA_FEATURES properties when it does. The one source of truth for both. */
bool med_fid_served(const struct ffamed *med, uint32_t version, uint32_t fid, uint32_t *w2,
		    uint32_t *w3);
/* Fills med->served from med_fid_served(), once the firmware facts are known. */
void med_served_init(struct ffamed *med);
/* med_fid_served() without the properties, from the table: `fid` is an FF-A
 * function ID with the SVE hint masked, `version` a final guest version
 * (test_features checks that both agree for every FID and version). */
static inline bool med_fid_gate(const struct ffamed *med, uint32_t version, uint32_t fid)
{
	uint32_t minor = FFA_VERSION_MINOR(version);
	uint32_t idx = FFA_FNUM(fid) - FFA_FNUM_MIN;

	/* Negotiation keeps final versions within 1.0..FFAMED_FFA_VERSION. */
	_Static_assert(FFA_VERSION_MINOR(FFAMED_FFA_VERSION) < MED_SERVED_MINORS,
		       "table too small");
	if (FFA_VERSION_MAJOR(version) != 1 || minor >= MED_SERVED_MINORS)
		return false;
	return (med->served[minor][FFA_FID_IS_64(fid)][idx / 64] >> (idx % 64)) & 1;
}

/* ---- med_rxtx.c --------------------------------------------------------------- */
/* Teardown: unmaps whatever is mapped, whoever owns the RX. */
void med_vm_rxtx_teardown(struct ffamed_vm *vm);
/*
 * The VM's RX for the producer side, with vm->rxtx_lock held by the caller:
 * returns FFA_RET_OK with the buffer and size once the mediator may write
 * it (FFA_RX_ACQUIRE done at the SPMC when forwarded), BUSY otherwise.
 * Then exactly one of rx_give_to_guest() (written) or rx_put_back()
 * (nothing delivered).
 */
int32_t med_vm_rx_acquire(struct ffamed_vm *vm, void **buf, size_t *size);
void med_vm_rx_give_to_guest(struct ffamed_vm *vm);
void med_vm_rx_put_back(struct ffamed_vm *vm);
/* The guest gives its RX back (FFA_RX_RELEASE, or implied by
 * FFA_MSG_WAIT): takes vm->rxtx_lock. DENIED when it does not own it; with
 * ask_spmc, a forwarded RX we believe empty is released at the SPMC anyway
 * (an SP may have filled it without our knowing yet). */
int32_t med_vm_rx_release(struct ffamed_vm *vm, bool ask_spmc);
/* The SPMC reported that it filled the VM's forwarded RX (SPM framework
 * RX-full): the guest owns it now. */
void med_vm_rx_filled_by_spmc(struct ffamed_vm *vm);
/*
 * The mediator's own buffers with the SPMC (seed 004). rx_acquire takes the
 * RX lock (contention waits) and returns the buffer, or NULL with no lock
 * held when there is no pair. The lock is held until rx_release, which
 * sends FFA_RX_RELEASE to the SPMC when release_to_fw (the firmware had
 * written the buffer and handed it to us). Same for TX, without firmware
 * release.
 */
void *med_spmc_rx_acquire(struct ffamed *med);
void med_spmc_rx_release(struct ffamed *med, bool release_to_fw);
void *med_spmc_tx_acquire(struct ffamed *med);
void med_spmc_tx_release(struct ffamed *med);
size_t med_spmc_rxtx_size(const struct ffamed *med);
/* Whether VM pairs are (or may yet be) forwarded: false once decided NO. */
static inline bool med_vm_rxtx_forwardable(const struct ffamed *med)
{
	return atomic_load_explicit(&med->vm_rxtx_fwd, memory_order_acquire) != MED_VM_RXTX_NO;
}
int32_t med_spmc_rxtx_init(struct ffamed *med);
void med_spmc_rxtx_fini(struct ffamed *med);

/* Whether VMs can exchange indirect messages with SPs at all: the SPMC
 * takes FFA_MSG_SEND2 and may map VM pairs (it reads the sender's TX and
 * writes the receiver's RX). */
static inline bool med_sp_indirect_available(const struct ffamed *med)
{
	return (med->fw_abis & MED_FW_MSG_SEND2) && med_vm_rxtx_forwardable(med);
}

/* ---- med_partinfo.c -------------------------------------------------------- */
int32_t med_sp_cache_init(struct ffamed *med);
void med_sp_cache_fini(struct ffamed *med);
/* The first cache entry with this ID (any UUID), or NULL. */
const struct med_sp *med_sp_find(const struct ffamed *med, uint16_t id);
bool med_sp_has_uuid(const struct ffamed *med, uint16_t id, const struct ffa_uuid *uuid);
/* Union of the properties of every cache entry of SP `id` (one per UUID). */
uint32_t med_sp_props(const struct ffamed *med, uint16_t id);

/* ---- med_msg.c -------------------------------------------------------------- */
/* Direct requests and FFA_RUN (med_handler.h): to an SP here, to a VM in
 * med_msg_vm.c. */
static inline void med_regs_zero_from(struct ffamed_regs *regs, int from)
{
	for (int i = from; i < FFA_NREGS; i++)
		regs->x[i] = 0;
}

/* ---- med_msg_vm.c ------------------------------------------------------------ */
/* Whether calls may block: VM-to-VM on and a port that resumes vCPUs. */
static inline bool med_msg_vm_available(const struct ffamed *med)
{
	return med->cfg.vm_to_vm && med->ops->vcpu_resume;
}
/* The VM side of med_handle_direct_req and med_handle_run. */
med_status med_msg_vm_direct_req(struct med_call *call);
med_status med_msg_vm_run(struct med_call *call);
void med_msg_vm_init(struct ffamed_vm *vm);
void med_msg_vm_fini(struct ffamed_vm *vm);
/* Teardown, once the VM is out of the registry: see docs/MESSAGING.md. */
void med_msg_vm_teardown(struct ffamed_vm *vm);

/* ---- med_msg_send2.c ---------------------------------------------------------- */

/* ---- med_policy.c --------------------------------------------------------------- */
int32_t med_policy_init(struct ffamed_vm *vm, const struct ffamed_vm_policy *policy);
void med_policy_fini(struct ffamed_vm *vm);
/* What `vm`'s own policy grants toward `peer` (a VM or an SP). */
uint32_t med_policy_grant(const struct ffamed_vm *vm, uint16_t peer);
/* Rights between two VMs: what both grant. Messages, notifications and
 * discovery also need cfg.vm_to_vm (their callers check); memory sharing
 * between VMs does not (it predates the switch). */
uint32_t med_rights_vm(const struct ffamed_vm *a, const struct ffamed_vm *b);
/* Rights of `vm` toward `peer`, a VM (looked up) or an SP. 0 if unknown. */
uint32_t med_rights(struct ffamed_vm *vm, uint16_t peer);
/* Teardown: finishes the VM's requests that SPs left preempted, so that the
 * SP contexts serve other VMs again (the answers are dropped). */
void med_msg_vm_drain(struct ffamed_vm *vm);

/* ---- med_notif.c ------------------------------------------------------------ */
/* Whether notifications work at all: firmware support or VM-to-VM built in. */
bool med_notif_available(const struct ffamed *med);
/* For one VM (docs/NOTIFICATIONS.md): with SPs when the SPMC took its
 * bitmap, with VMs when VM-to-VM is on. Fixed once the VM is created. */
static inline bool med_vm_sp_notif(const struct ffamed_vm *vm)
{
	return vm->notif_bitmap;
}
static inline bool med_vm_notif_available(const struct ffamed_vm *vm)
{
	return FFAMED_CONFIG_NOTIFICATIONS && (med_vm_sp_notif(vm) || vm->med->cfg.vm_to_vm);
}
/* Whether `fid` is a notification call a guest makes. */
bool med_notif_is_guest_fid(uint32_t fid);
/* The VM's bitmap at the SPMC, when the firmware has notifications. A
 * refusal leaves the VM without SP notifications (logged), never fails. */
void med_notif_vm_create(struct ffamed_vm *vm);
/* Drops pending bits and the bitmap; logs what the SPMC refuses. */
void med_notif_vm_destroy(struct ffamed_vm *vm);

/* ---- med_notif_local.c -------------------------------------------------------- */
/* Receiver state: allocated before the VM is registered, freed after. */
int32_t med_notif_local_init(struct ffamed_vm *vm);
void med_notif_local_fini(struct ffamed_vm *vm);
/* BIND/UNBIND of VM-class IDs on `recv` for sender VM `sender`. */
int32_t med_notif_local_bind(struct ffamed_vm *recv, uint16_t sender, bool per_vcpu,
			     uint64_t bitmap);
int32_t med_notif_local_unbind(struct ffamed_vm *recv, uint16_t sender, uint64_t bitmap);
/* SET from VM `sender` (checked to be the caller) on `recv`. */
int32_t med_notif_local_set(struct ffamed_vm *recv, uint16_t sender, uint32_t flags,
			    uint64_t bitmap);
/* Teardown of VM `sender`: unbinds it from every receiver (registry lock
 * taken here). Bits it set stay pending: they were delivered. */
void med_notif_local_forget_sender(struct ffamed *med, uint16_t sender);
/*
 * GET on vCPU `vcpu`, in two halves around the forwarded part:
 * get_begin clears the SPMC-reported flags the GET will consume (and
 * returns them so that a failed forward can put them back with
 * get_restore); get_end takes the VM and hypervisor framework bits asked
 * for, disarms the vCPU and re-injects if anything is left.
 */
struct med_notif_secure_snap {
	bool global;
	bool vcpu;
};
void med_notif_local_get_begin(struct ffamed_vm *vm, uint16_t vcpu,
			       struct med_notif_secure_snap *snap);
void med_notif_local_get_restore(struct ffamed_vm *vm, uint16_t vcpu,
				 const struct med_notif_secure_snap *snap);
void med_notif_local_get_end(struct ffamed_vm *vm, uint16_t vcpu, uint32_t flags, uint64_t *vm_bits,
			     uint32_t *hyp_fwk);
/* The SPMC reported SP/SPM notifications for the VM: globally (vcpu ==
 * MED_NOTIF_GLOBAL) or for one vCPU. Signals with the NPI. */
#define MED_NOTIF_GLOBAL 0xFFFFu
void med_notif_local_secure_pending(struct ffamed_vm *vm, uint16_t vcpu);
/* A hypervisor framework notification (e.g. RX buffer full) for the VM. */
void med_notif_local_raise_fwk(struct ffamed_vm *vm, uint32_t bits);
/* Withdraws pending hypervisor framework bits (the RX was released). */
void med_notif_local_clear_fwk(struct ffamed_vm *vm, uint32_t bits);

/* ---- med_notif_info.c --------------------------------------------------------- */

/* ---- med_mem.c ----------------------------------------------------------------- */
/* Whether any of `pages` pages at `ipa` of the VM is in a memory transaction
 * it sent (takes med->mem_lock): RX/TX cannot be mapped there. */
bool med_mem_pages_in_use(struct ffamed_vm *vm, uint64_t ipa, uint64_t pages);
struct med_mem;
struct med_mem_vm;
int32_t med_mem_init(struct ffamed *med);
/* Abandons orphaned SP transactions still held (logged, pages stay pinned). */
void med_mem_fini(struct ffamed *med);
int32_t med_mem_vm_init(struct ffamed_vm *vm);
/* Teardown: VM borrowers lose their windows, the VM's transactions with VMs
 * go, those with SPs are reclaimed or retried later from deferred work. */
void med_mem_vm_teardown(struct ffamed_vm *vm);
void med_mem_vm_free(struct ffamed_vm *vm);

/* ---- med_vm.c ------------------------------------------------------------------ */
/* The ID index, at mediator create/destroy. */
int32_t med_registry_init(struct ffamed *med);
void med_registry_fini(struct ffamed *med);
/* Registry lookup: a referenced VM (put it with med_vm_put) or NULL. */
struct ffamed_vm *med_vm_get(struct ffamed *med, uint16_t id);
void med_vm_put(struct ffamed_vm *vm);
/* Reaps finished VM_DESTROYED records; abandons all when `all`. HOST only. */
void med_pending_reap(struct ffamed *med, bool all);

#endif /* FFAMED_MED_INTERNAL_H */
