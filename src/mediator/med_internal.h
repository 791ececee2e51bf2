/* SPDX-License-Identifier: MIT */
/*
 * Private state of the mediator core, shared by its files:
 *   med_core.c      create/destroy, FID decoding, the dispatcher switch
 *   med_version.c   FFA_VERSION negotiation and the version gate
 *   med_features.c  FFA_FEATURES, FFA_ID_GET, FFA_SPM_ID_GET
 *   med_rxtx.c      VM RX/TX buffers; the mediator's own SPMC RX/TX pair
 *   med_partinfo.c  the SP cache, FFA_PARTITION_INFO_GET(_REGS)
 *   med_msg.c       direct requests VM -> SP, FFA_RUN
 *   med_vm.c        VM registry, VM create/destroy, VM_CREATED/DESTROYED
 *   med_notif.c     notifications VM <-> SP, the VMs' bitmaps at the SPMC
 *   med_log.c       logging helpers
 *   med_mem*.c      memory sharing (med_mem.h lists its files)
 *
 * LOCK ORDER (outer first; a lock may only be taken while holding locks
 * listed before it):
 *   1. vm->rxtx_lock       one VM's RX/TX state (map, unmap, release, and
 *                          every user of the VM's RX or TX contents)
 *   2. med->registry_lock  the VM registry (insert, remove, lookup+ref,
 *                          enumeration for partition info)
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
 *   med->pending_lock      the pending VM_DESTROYED records; a leaf: no
 *                          other mediator lock is taken under it
 * So "VM registry lock < VM version lock" and "VM rxtx lock < SPMC TX lock
 * < SPMC RX lock". Two VMs' rxtx or version locks are never held at once,
 * and no VM lock is held while waiting for another VM (the registry
 * reference drain in vm_destroy waits with no lock held).
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
};

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
	void *tx; /* hostile: the guest may write it at any time */
	void *rx;
	uint64_t *tx_pa; /* rxtx_max_pages entries each, allocated with the VM */
	uint64_t *rx_pa;
};

/* FFA_RUN permission left on a vCPU by an INTERRUPT/YIELD answer. Only the
 * vCPU itself reads or writes it (no lock). */
struct med_vcpu {
	bool run_allowed;
	uint16_t run_sp;
	uint16_t run_ctx;
	uint32_t run_req_fid; /* the request being resumed: decides the reply width */
};

struct ffamed_vm {
	struct ffamed *med;
	uint16_t id;
	uint16_t vcpu_count;
	bool aarch64;
	void *host_vm;

	/* Registry lookups in flight; vm_destroy waits for it to drain. */
	_Atomic uint32_t refs;

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
	/* The SPMC holds a notification bitmap for this VM. Written at
	 * create and destroy only. */
	bool notif_bitmap;

	struct med_mem_vm *mem; /* med_mem.h says what guards each part */
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

struct ffamed {
	const struct ffamed_host_ops *ops;
	void *host;
	struct ffamed_config cfg; /* defaults applied */

	/* Firmware facts learnt at create; read-only afterwards. */
	uint32_t fw_version; /* 0: no usable SPMC */
	uint16_t spmc_id;
	uint32_t fw_abis; /* enum med_fw_abi */
	/* Set once when the SPMC refuses the forwarded RXTX_MAP form. */
	_Atomic bool fw_no_vm_rxtx;

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

	struct ffamed_lock mem_lock; /* guards *mem and every VM's mem->owner */
	struct med_mem *mem;

	struct ffamed_lock pending_lock; /* guards pending list, shutting_down */
	struct med_pending_destroy *pending;
	bool shutting_down;
};

/* ---- med_log.c ---------------------------------------------------------- */
void med_log(const struct ffamed *med, enum ffamed_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
#define med_err(med, ...)   med_log(med, FFAMED_LOG_ERROR, __VA_ARGS__)
#define med_warn(med, ...)  med_log(med, FFAMED_LOG_WARN, __VA_ARGS__)
#define med_info(med, ...)  med_log(med, FFAMED_LOG_INFO, __VA_ARGS__)
#define med_debug(med, ...) med_log(med, FFAMED_LOG_DEBUG, __VA_ARGS__)

/* ---- med_core.c ----------------------------------------------------------- */
void med_lock(const struct ffamed *med, struct ffamed_lock *lock);
void med_unlock(const struct ffamed *med, struct ffamed_lock *lock);
void *med_alloc(const struct ffamed *med, size_t size);
void med_free(const struct ffamed *med, void *ptr);
/* regs in/out through the firmware conduit. */
void med_fw_call(const struct ffamed *med, struct ffa_regs *regs);
/* A call with w1..w5 whose answer is SUCCESS or ERROR: returns the code. */
int32_t med_fw_simple(const struct ffamed *med, uint32_t fid, uint64_t a1, uint64_t a2, uint64_t a3,
		      uint64_t a4, uint64_t a5, struct ffa_regs *out);
bool med_version_at_least(uint32_t v, uint32_t min);

/* ---- med_version.c ---------------------------------------------------------- */
void med_handle_version(struct ffamed_vm *vm, struct ffa_regs *regs);
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
void med_handle_features(struct ffamed_vm *vm, uint32_t version, struct ffa_regs *regs);
void med_handle_id_get(struct ffamed_vm *vm, struct ffa_regs *regs);
void med_handle_spm_id_get(struct ffamed_vm *vm, struct ffa_regs *regs);

/* ---- med_rxtx.c --------------------------------------------------------------- */
void med_handle_rxtx_map(struct ffamed_vm *vm, struct ffa_regs *regs);
void med_handle_rxtx_unmap(struct ffamed_vm *vm, struct ffa_regs *regs);
void med_handle_rx_release(struct ffamed_vm *vm, struct ffa_regs *regs);
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
int32_t med_spmc_rxtx_init(struct ffamed *med);
void med_spmc_rxtx_fini(struct ffamed *med);

/* ---- med_partinfo.c -------------------------------------------------------- */
int32_t med_sp_cache_init(struct ffamed *med);
void med_sp_cache_fini(struct ffamed *med);
/* The first cache entry with this ID (any UUID), or NULL. */
const struct med_sp *med_sp_find(const struct ffamed *med, uint16_t id);
bool med_sp_has_uuid(const struct ffamed *med, uint16_t id, const struct ffa_uuid *uuid);
void med_handle_partition_info_get(struct ffamed_vm *vm, uint32_t version, struct ffa_regs *regs);
void med_handle_partition_info_get_regs(struct ffamed_vm *vm, uint32_t version,
					struct ffa_regs *regs);

/* ---- med_msg.c -------------------------------------------------------------- */
void med_handle_direct_req(struct ffamed_vm *vm, uint16_t vcpu, uint32_t version, uint32_t fid,
			   struct ffa_regs *regs);
void med_handle_run(struct ffamed_vm *vm, uint16_t vcpu, struct ffa_regs *regs);

/* ---- med_notif.c ------------------------------------------------------------ */
/* The VM's bitmap at the SPMC, when the firmware has notifications. */
int32_t med_notif_vm_create(struct ffamed_vm *vm);
/* Drops pending bits and the bitmap; logs what the SPMC refuses. */
void med_notif_vm_destroy(struct ffamed_vm *vm);
void med_handle_notif_bind(struct ffamed_vm *vm, struct ffa_regs *regs); /* and UNBIND */
void med_handle_notif_set(struct ffamed_vm *vm, struct ffa_regs *regs);
void med_handle_notif_get(struct ffamed_vm *vm, uint16_t vcpu, struct ffa_regs *regs);

/* ---- med_mem.c ----------------------------------------------------------------- */
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
/* DONATE/LEND/SHARE (32/64) and FRAG_TX; RECLAIM; RETRIEVE_REQ, RELINQUISH
 * and FRAG_RX (VM borrowers). */
void med_handle_mem_send(struct ffamed_vm *vm, uint32_t version, uint32_t fid,
			 struct ffa_regs *regs);
void med_handle_mem_frag_tx(struct ffamed_vm *vm, uint32_t version, struct ffa_regs *regs);
void med_handle_mem_reclaim(struct ffamed_vm *vm, struct ffa_regs *regs);
void med_handle_mem_retrieve(struct ffamed_vm *vm, uint32_t version, struct ffa_regs *regs);
void med_handle_mem_relinquish(struct ffamed_vm *vm, struct ffa_regs *regs);
void med_handle_mem_frag_rx(struct ffamed_vm *vm, struct ffa_regs *regs);

/* ---- med_vm.c ------------------------------------------------------------------ */
/* Registry lookup: a referenced VM (put it with med_vm_put) or NULL. */
struct ffamed_vm *med_vm_get(struct ffamed *med, uint16_t id);
void med_vm_put(struct ffamed_vm *vm);
/* Reaps finished VM_DESTROYED records; abandons all when `all`. HOST only. */
void med_pending_reap(struct ffamed *med, bool all);

#endif /* FFAMED_MED_INTERNAL_H */
