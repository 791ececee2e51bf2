/* SPDX-License-Identifier: MIT */
/*
 * The mediator's core state, struct ffamed and struct ffamed_vm, shared by
 * every file. What a file offers the others is declared in the header named
 * for it (med_rxtx.c: med_rxtx.h; the messaging files share med_msg.h, the
 * notification handlers med_notif.h, memory sharing med_mem.h). The headers
 * of the state embedded here (log, notif_local, policy, rxtx) come first.
 *
 * Base services (call no handler):
 *   med_host.c      the port's locks, allocator and firmware conduit
 *   med_log.c       logging helpers
 *   med_registry.c  the VM registry: lookup with a reference, insert, remove
 *   med_sp_cache.c  the SP cache read at create, its lookups
 *   med_spmc_rxtx.c the mediator's own RX/TX pair with the SPMC
 *   med_rx_owner.c  who owns a VM's RX, the hand-over producer <-> guest
 *   med_policy.c    the host's access-control policy per VM
 *   med_notif_local.c  a VM's receiver state kept here (VM class, hypervisor
 *                   framework class, what the SPMC reported) and the NPI
 * FF-A chapters (handlers), above them:
 *   med_version.c   FFA_VERSION negotiation and the version gate
 *   med_features.c  FFA_FEATURES, FFA_ID_GET, FFA_SPM_ID_GET
 *   med_rxtx.c      VM RX/TX buffers: map, unmap, release, teardown
 *   med_partinfo.c  FFA_PARTITION_INFO_GET(_REGS)
 *   med_msg.c       direct requests VM -> SP, FFA_RUN of an SP
 *   med_msg_vm.c    direct requests VM <-> VM, FFA_MSG_WAIT, FFA_YIELD,
 *                   FFA_RUN of a VM, blocked calls (docs/MESSAGING.md)
 *   med_msg_send2.c indirect messages (FFA_MSG_SEND2)
 *   med_notif.c     notification calls: checks, routing VM <-> SP (forwarded)
 *                   and VM <-> VM, the VMs' bitmaps at the SPMC
 *   med_notif_sri.c the Schedule Receiver Interrupt: INFO_GET at the SPMC
 *   med_notif_info.c   a guest's own FFA_NOTIFICATION_INFO_GET
 *   med_mem*.c      memory sharing (med_mem.h lists its files)
 * Entry points on top:
 *   med_core.c      create/destroy, FID decoding, the dispatcher switch
 *   med_vm.c        VM create/destroy, VM_CREATED/DESTROYED
 *
 * The lock order is the rank table in med_lock.h, checked in debug builds.
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
#include "med_lock.h"
#include "med_log.h"
#include "med_notif_local.h"
#include "med_policy.h"
#include "med_rxtx.h"

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

struct med_mem;
struct med_mem_vm;
struct med_sp;
struct med_vcpu;
struct med_vm_bucket;
struct med_pending_destroy;

struct ffamed_vm {
	struct ffamed *med;
	uint16_t id;
	uint16_t vcpu_count;
	bool aarch64;
	void *host_vm;
	struct ffa_uuid uuid;	  /* the host's, Nil if none; immutable */
	bool no_direct_recv;	  /* the host's: never waits for requests */
	uint64_t serial;	  /* unique for the mediator's life */
	struct med_policy policy; /* immutable: read without a lock */
	struct med_lock msg_lock; /* guards the vcpus' VM messaging state */

	/* Registry lookups in flight; vm_destroy waits for it to drain.
	 * Written by other VMs' CPUs (VM-to-VM calls): padded away from
	 * what this VM's own calls read. */
	char pad_refs[MED_CACHE_LINE];
	_Atomic uint32_t refs;
	struct ffamed_vm *bucket_next; /* the ID index chain, bucket->lock */

	struct med_lock version_lock; /* guards version_requested */
	uint32_t version_requested;   /* 0: FFA_VERSION not called yet */
	/* The final version, 0 until the first non-VERSION call; set once
	 * under version_lock, read without it. */
	_Atomic uint32_t version;

	struct med_lock rxtx_lock; /* guards rxtx */
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
	struct med_lock notif_lock; /* guards notif */
	struct med_notif notif;
	struct med_mem_vm *mem; /* med_mem.h says what guards each part */
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
	struct med_lock spmc_tx_lock; /* held from tx_acquire to tx_release */
	struct med_lock spmc_rx_lock; /* held from rx_acquire to rx_release */
	void *spmc_tx;
	void *spmc_rx;
	uint64_t spmc_tx_pa;
	uint64_t spmc_rx_pa;
	uint32_t spmc_rxtx_pages;
	bool spmc_rxtx_mapped;

	struct med_lock registry_lock; /* guards vms[], vm_count */
	struct ffamed_vm **vms;	       /* max_vms slots, NULL = free */
	uint32_t vm_count;
	/* The ID index: bucket_count (a power of two) chains by ID. */
	struct med_vm_bucket *buckets;
	uint32_t bucket_count;

	struct med_lock mem_lock; /* guards *mem and every VM's mem->owner */
	struct med_mem *mem;

	_Atomic uint64_t vm_serial; /* the last VM serial given */

	struct med_lock pending_lock; /* guards pending list, shutting_down */
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

#endif /* FFAMED_MED_INTERNAL_H */
