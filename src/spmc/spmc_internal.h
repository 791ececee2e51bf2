/* SPDX-License-Identifier: MIT */
/*
 * Private state of the software SPMC, shared by its files:
 *   spmc.c          creation, dispatch, FFA_VERSION/FEATURES/ID_GET, introspection
 *   spmc_rxtx.c     RX/TX buffers of the hypervisor and of the VMs it forwards
 *   spmc_partinfo.c FFA_PARTITION_INFO_GET and _GET_REGS
 *   spmc_msg.c      direct requests, execution contexts, FFA_RUN
 *   spmc_notif.c    notifications: bitmaps, bindings, set/get, INFO_GET, SRI
 *   spmc_msg2.c     indirect messaging: FFA_MSG_SEND2, SP mailboxes, SP -> VM
 *   spmc_mem*.c     memory management (spmc_mem_internal.h)
 *   spmc_persona.c  where a personality answers like a real SPMC
 *
 * Locks (none is held while an SP handler runs or env->raise_sri is
 * called; none is taken while another is held, except in the order
 * mbox_lock -> notif_vms_lock -> one VM's notif.lock: an SP's message to a
 * VM fills its RX and sets its RX-full notification as one step, and
 * RX_RELEASE clears both as one step):
 *   version_lock     the negotiated caller version
 *   mbox_lock        the hypervisor's RX/TX pair and every VM mailbox
 *   faults_lock      the injected faults
 *   sp->ctx_lock     the states of that SP's execution contexts
 *   notif_vms_lock   which VM slots hold a bitmap (enabled, id) and vm_order
 *   <recv>.lock      one receiver's bindings and pending bits
 *   mem->lock        memory transactions (spmc_mem_internal.h)
 */
#ifndef FFAMED_SPMC_INTERNAL_H
#define FFAMED_SPMC_INTERNAL_H

#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ffamed/ffa_regs.h"
#include "ffamed/spmc.h"

/* Counters cover the FF-A function number range, for both conventions. */
#define SPMC_FNUM_SLOTS (FFA_FNUM_MAX - FFA_FNUM_MIN + 1)

struct spmc_ctx {
	enum ffamed_spmc_ctx_state state;
	/* While preempted/yielded: the request to resume, with its FID and
	 * sender, so that FFA_RUN can answer in the right format. */
	struct ffamed_sp_msg msg;
};

/* Notification state of one receiver: a VM's bitmap or an SP's. */
#define SPMC_NOTIF_BITS 64
struct spmc_notif_recv {
	struct ffamed_lock lock; /* guards the fields below, except as noted */
	/* VM slots: written with notif_vms_lock held too, so a lookup under
	 * notif_vms_lock alone may read them. SPs: fixed. */
	bool enabled; /* VM: bitmap created; SP: takes notifications */
	uint16_t id;
	uint32_t vcpu_count;
	uint16_t sender[SPMC_NOTIF_BITS]; /* valid where `bound` has the bit */
	uint64_t bound;
	uint64_t bound_per_vcpu; /* bound bits that target one vCPU */
	uint64_t global;	 /* pending global bits */
	uint64_t global_listed;	 /* those INFO_GET reported already */
	uint64_t *vcpu;		 /* vcpu_count: pending per-vCPU bits */
	uint64_t *vcpu_listed;	 /* vcpu_count: those INFO_GET reported */
	uint32_t fwk;		 /* VMs: pending SPM framework bits */
	uint32_t fwk_listed;	 /* those INFO_GET reported */
};

struct ffamed_sp {
	struct ffamed_spmc *spmc;
	struct ffamed_sp_config cfg;
	struct ffamed_lock ctx_lock; /* guards ctx[].state and ctx[].msg */
	struct spmc_ctx *ctx;	     /* cfg.exec_ctx_count entries */
	struct spmc_notif_recv notif;
	_Atomic bool sri_delayed; /* raise the SRI when a handler returns */
	/* Indirect messaging (spmc_msg2.c). mbox_full is taken by a sender
	 * (false -> true) before it writes mbox, and given back after the
	 * handler returned: it alone guards mbox. */
	_Atomic bool mbox_full;
	uint8_t *mbox; /* FFAMED_SP_MAILBOX_SIZE bytes; NULL without property bit 2 */
	_Atomic uint64_t msgs_received;
	_Atomic uint64_t msgs_dropped;
	_Atomic uint64_t msgs_sent;
};

/* A VM's RX/TX pair forwarded by the hypervisor (scattered pages). */
struct spmc_vm_mailbox {
	bool mapped;
	uint16_t vm_id;
	enum ffamed_spmc_rx_owner rx_owner;
	uint32_t page_count;
	uint64_t *rx_pages; /* rxtx_max_pages entries each, storage owned by the SPMC */
	uint64_t *tx_pages;
};

struct spmc_hyp_mailbox {
	bool mapped;
	enum ffamed_spmc_rx_owner rx_owner;
	uint64_t tx_pa;
	uint64_t rx_pa;
	uint32_t page_count;
	const uint8_t *tx; /* hostile: the hypervisor may write it at any time */
	uint8_t *rx;
};

struct ffamed_spmc {
	struct ffamed_spmc_env env;
	uint16_t spmc_id;
	uint32_t version; /* the SPMC's own */
	uint32_t max_vms;
	uint32_t cpu_count;
	uint32_t rxtx_max_pages;

	struct ffamed_sp *sps;
	uint32_t sp_count;

	struct ffamed_lock version_lock; /* guards caller_version, version_frozen */
	uint32_t caller_version;	 /* 0: not negotiated */
	bool version_frozen;

	struct ffamed_lock mbox_lock; /* guards hyp, vms[], vm_mapped_count */
	struct spmc_hyp_mailbox hyp;
	struct spmc_vm_mailbox *vms; /* max_vms slots */
	uint32_t vm_mapped_count;
	uint64_t *vm_page_store;

	struct ffamed_lock faults_lock; /* guards faults */
	struct ffamed_spmc_faults faults;

	uint32_t sri_intid;
	uint32_t notif_max_vcpus;
	struct ffamed_lock notif_vms_lock; /* guards notif_vms[].enabled/.id, vm_order */
	struct spmc_notif_recv *notif_vms; /* max_vms slots */
	uint32_t *vm_order;		   /* slots with a bitmap, by ascending VM ID */
	uint32_t notif_vm_count;

	struct spmc_mem *mem;

	_Atomic uint64_t calls[2][SPMC_FNUM_SLOTS]; /* [is 64-bit][fnum - FFA_FNUM_MIN] */
	_Atomic uint64_t calls_other;

	_Atomic(const struct ffamed_spmc_tracer *) tracer; /* NULL: off (spmc_msg.c) */

	enum ffamed_spmc_personality persona; /* fixed at create */
	/* OPTEE_NSVIRT only: the VM IDs told of with VM_CREATED (bit per ID). */
	_Atomic uint64_t *vm_known;
};
#define SPMC_VM_KNOWN_WORDS (0x10000u / 64u)

/* ---- spmc_persona.c --------------------------------------------------------- */
uint32_t spmc_persona_default_version(enum ffamed_spmc_personality p);
int32_t spmc_persona_init(struct ffamed_spmc *spmc, enum ffamed_spmc_personality p);
void spmc_persona_fini(struct ffamed_spmc *spmc);
/* Whether the personality implements the call at all (else NOT_SUPPORTED). */
bool spmc_persona_serves(const struct ffamed_spmc *spmc, uint32_t fid);
/* FFA_FEATURES(id): -1 strict answer, 0 NOT_SUPPORTED, 1 SUCCESS with *w2. */
int spmc_persona_features(const struct ffamed_spmc *spmc, uint32_t id, uint32_t *w2);
/* The error for the forwarded RXTX_MAP form (logged), or 0 to take it. */
int32_t spmc_persona_vm_rxtx_refusal(struct ffamed_spmc *spmc);
/* Whether a VM may have a notification bitmap here now. */
bool spmc_persona_vm_usable(const struct ffamed_spmc *spmc, uint16_t vm_id);
/* Whether memory may be sent on behalf of VM vm_id now. */
bool spmc_persona_sender_known(const struct ffamed_spmc *spmc, uint16_t vm_id);
/* Whether BIND takes per-vCPU notifications. */
bool spmc_persona_per_vcpu_notif(const struct ffamed_spmc *spmc);
/* Whether VM_CREATED/DESTROYED framework messages exist. */
bool spmc_persona_vm_availability(const struct ffamed_spmc *spmc);
/* A subscribed SP accepted VM_CREATED (true) or VM_DESTROYED for vm_id. */
void spmc_persona_vm_event(struct ffamed_spmc *spmc, uint16_t vm_id, bool created);
/* A direct request the personality answers itself (written to regs). */
bool spmc_persona_refuse_request(struct ffamed_spmc *spmc, const struct ffamed_sp *sp,
				 uint16_t sender, uint32_t fid, struct ffamed_regs *regs);

/* ---- spmc.c helpers ------------------------------------------------------ */
void spmc_lock(struct ffamed_spmc *spmc, struct ffamed_lock *lock);
void spmc_unlock(struct ffamed_spmc *spmc, struct ffamed_lock *lock);
void spmc_log(struct ffamed_spmc *spmc, enum ffamed_log_level level, const char *fmt, ...);
/* Logs why a call is refused (so a mediator bug is easy to find) and
 * writes FFA_ERROR(err) into regs. */
void spmc_refuse(struct ffamed_spmc *spmc, struct ffamed_regs *regs, int32_t err, const char *fmt,
		 ...);
struct ffamed_spmc_faults spmc_faults(struct ffamed_spmc *spmc);
/* True when registers first..last (inclusive) are zero; only their low
 * 32 bits count for SMC32 calls. */
bool spmc_regs_mbz(const struct ffamed_regs *regs, bool is32, int first, int last);
bool spmc_version_at_least(uint32_t v, uint32_t min);

/* ---- spmc_rxtx.c ---------------------------------------------------------- */
void spmc_rxtx_map(struct ffamed_spmc *spmc, struct ffamed_regs *regs, bool is32);
void spmc_rxtx_unmap(struct ffamed_spmc *spmc, struct ffamed_regs *regs);
void spmc_rx_release(struct ffamed_spmc *spmc, struct ffamed_regs *regs);
void spmc_rx_acquire(struct ffamed_spmc *spmc, struct ffamed_regs *regs);
int32_t spmc_mailboxes_init(struct ffamed_spmc *spmc);
/* The mapped pair of VM vm_id (mbox_lock held); NULL if none. */
struct spmc_vm_mailbox *spmc_vm_find(struct ffamed_spmc *spmc, uint16_t vm_id);
void spmc_mailboxes_fini(struct ffamed_spmc *spmc);

/* ---- spmc_partinfo.c ------------------------------------------------------ */
void spmc_partition_info_get(struct ffamed_spmc *spmc, struct ffamed_regs *regs, uint32_t version);
void spmc_partition_info_get_regs(struct ffamed_spmc *spmc, struct ffamed_regs *regs,
				  uint32_t version);

/* ---- spmc_msg.c ----------------------------------------------------------- */
void spmc_direct_req(struct ffamed_spmc *spmc, uint32_t cpu, struct ffamed_regs *regs, uint32_t fid,
		     uint32_t version);
void spmc_run(struct ffamed_spmc *spmc, uint32_t cpu, struct ffamed_regs *regs);
int32_t spmc_sp_init(struct ffamed_spmc *spmc, struct ffamed_sp *sp,
		     const struct ffamed_sp_config *cfg);
void spmc_sp_fini(struct ffamed_spmc *spmc, struct ffamed_sp *sp);

/* ---- spmc_notif.c --------------------------------------------------------- */
int32_t spmc_notif_init(struct ffamed_spmc *spmc);
void spmc_notif_fini(struct ffamed_spmc *spmc);
int32_t spmc_notif_sp_init(struct ffamed_spmc *spmc, struct ffamed_sp *sp);
void spmc_notif_sp_fini(struct ffamed_spmc *spmc, struct ffamed_sp *sp);
void spmc_notif_bitmap_create(struct ffamed_spmc *spmc, struct ffamed_regs *regs);
void spmc_notif_bitmap_destroy(struct ffamed_spmc *spmc, struct ffamed_regs *regs);
void spmc_notif_bind(struct ffamed_spmc *spmc, struct ffamed_regs *regs, bool bind);
void spmc_notif_set(struct ffamed_spmc *spmc, struct ffamed_regs *regs);
void spmc_notif_get(struct ffamed_spmc *spmc, struct ffamed_regs *regs);
void spmc_notif_info_get(struct ffamed_spmc *spmc, struct ffamed_regs *regs, bool is64);
/* An SP handler returned on `cpu`: raise the SRI it delayed, if any. */
void spmc_notif_handler_done(struct ffamed_spmc *spmc, struct ffamed_sp *sp, uint32_t cpu);
/* Set (true) or clear SPM framework bits of VM vm_id; false when it has no
 * bitmap. Set marks them unlisted for INFO_GET. */
bool spmc_notif_fwk_update(struct ffamed_spmc *spmc, uint16_t vm_id, uint32_t bits, bool set);
/* An SP set a notification for the normal world: raise the SRI on `cpu`
 * now, or when its current handler returns (delay). No lock held. */
void spmc_notif_sri(struct ffamed_spmc *spmc, struct ffamed_sp *sp, uint32_t cpu, bool delay);

/* ---- spmc_msg2.c ---------------------------------------------------------- */
int32_t spmc_msg2_sp_init(struct ffamed_spmc *spmc, struct ffamed_sp *sp);
void spmc_msg2_sp_fini(struct ffamed_spmc *spmc, struct ffamed_sp *sp);
void spmc_msg_send2(struct ffamed_spmc *spmc, uint32_t cpu, struct ffamed_regs *regs);

/* ---- spmc_mem*.c ------------------------------------------------------------ */
struct spmc_mem;
int32_t spmc_mem_init(struct ffamed_spmc *spmc, const struct ffamed_spmc_config *cfg);
void spmc_mem_fini(struct ffamed_spmc *spmc);
void spmc_mem_send(struct ffamed_spmc *spmc, struct ffamed_regs *regs, uint32_t fid,
		   uint32_t version);
void spmc_mem_frag_tx(struct ffamed_spmc *spmc, struct ffamed_regs *regs);
void spmc_mem_reclaim(struct ffamed_spmc *spmc, struct ffamed_regs *regs);
void spmc_mem_hyp_retrieve(struct ffamed_spmc *spmc, struct ffamed_regs *regs, bool is32,
			   uint32_t version);
void spmc_mem_hyp_frag_rx(struct ffamed_spmc *spmc, struct ffamed_regs *regs);

#endif /* FFAMED_SPMC_INTERNAL_H */
