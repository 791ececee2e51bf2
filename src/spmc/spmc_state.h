/* SPDX-License-Identifier: MIT */
/*
 * The software SPMC's state, shared by its files, and the order of its
 * locks. Its files, in layers: each calls only the files listed below it
 * (scripts/check-file-cycles.py checks that there is no cycle). The
 * built-in SPs (sp_*.c) sit above them all, on the SP-side API.
 *   spmc.c            creation, the call dispatcher, call counters
 *   spmc_setup.c      FFA_VERSION, FFA_FEATURES, the ID queries
 *   spmc_msg.c        direct requests, execution contexts, FFA_RUN
 *   spmc_msg2.c       indirect messaging: FFA_MSG_SEND2, SP mailboxes
 *   spmc_rxtx.c       RX/TX buffers of the hypervisor and of the VMs
 *   spmc_partinfo.c   FFA_PARTITION_INFO_GET and _GET_REGS
 *   spmc_mem*.c       memory management (spmc_mem_internal.h)
 *   spmc_notif.c      notifications: bitmaps, bindings, set/get, INFO_GET,
 *                     the SRI
 *   spmc_persona.c    where a personality answers like a real SPMC
 *   spmc_base.c       locks, log, refusals, register checks, the SP table,
 *                     injected faults
 * Each file's functions are declared in the header of the same name.
 */
#ifndef FFAMED_SPMC_STATE_H
#define FFAMED_SPMC_STATE_H

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

/*
 * The SPMC's locks. None is held while an SP handler runs or while
 * env->raise_sri is called. Only these pairs are ever nested (outer
 * first):
 *   mbox_lock -> mem->lock       the hypervisor's retrieve writes its RX
 *   mbox_lock -> notif_vms_lock  an SP's message to a VM fills the VM's RX
 *                                and sets its RX-full notification as one
 *                                step; RX_RELEASE and RXTX_UNMAP clear both
 *                                as one step
 *   notif_vms_lock -> a VM's notif.lock
 *                                a VM's slot is locked before notif_vms_lock
 *                                is dropped, so that it cannot be freed or
 *                                reused meanwhile
 * version_lock, faults_lock, an SP's ctx_lock and an SP's notif.lock are
 * leaves: nothing is taken while one is held.
 */
struct spmc_mem;

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

	struct spmc_mem *mem; /* its own lock: spmc_mem_internal.h */

	_Atomic uint64_t calls[2][SPMC_FNUM_SLOTS]; /* [is 64-bit][fnum - FFA_FNUM_MIN] */
	_Atomic uint64_t calls_other;

	_Atomic(const struct ffamed_spmc_tracer *) tracer; /* NULL: off (spmc_msg.c) */

	enum ffamed_spmc_personality persona; /* fixed at create */
	/* OPTEE_NSVIRT only: the VM IDs told of with VM_CREATED (bit per ID). */
	_Atomic uint64_t *vm_known;
};
#define SPMC_VM_KNOWN_WORDS (0x10000u / 64u)

#endif /* FFAMED_SPMC_STATE_H */
