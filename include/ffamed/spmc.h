/* SPDX-License-Identifier: MIT */
/*
 * The software SPMC: a strict model of the secure world behind the firmware
 * conduit. It answers the hypervisor (endpoint 0, the NS physical instance)
 * as a v1.2 SPMC would and dispatches direct messages to SP handlers. It is
 * strict on purpose: it refuses what a real SPMC refuses, so a mediator bug
 * shows up as a failed test instead of being absorbed.
 *
 * Freestanding like the mediator core: everything hosty comes through
 * struct ffamed_spmc_env.
 */
#ifndef FFAMED_SPMC_H
#define FFAMED_SPMC_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include "ffamed/ffa.h"
#include "ffamed/port.h"

struct ffamed_spmc;
struct ffamed_sp;

/* What the SPMC needs from its environment (the POSIX port provides one). */
struct ffamed_spmc_env {
	void *ctx;
	void (*lock_init)(void *ctx, struct ffamed_lock *lock);
	void (*lock_destroy)(void *ctx, struct ffamed_lock *lock);
	void (*lock_acquire)(void *ctx, struct ffamed_lock *lock);
	void (*lock_release)(void *ctx, struct ffamed_lock *lock);
	void *(*alloc)(void *ctx, size_t size); /* zeroed */
	void (*free)(void *ctx, void *ptr);
	/* Access `len` bytes of normal-world physical memory at `pa`; NULL if
	 * any of it is not NS RAM. The mapping stays valid for the SPMC's
	 * lifetime (an identity-mapped view). */
	void *(*pa_map)(void *ctx, uint64_t pa, size_t len);
	/* Raise the Schedule Receiver Interrupt (config sri_intid) to the
	 * normal world on physical CPU `cpu` (may be NULL: no SRI is raised).
	 * Called with no SPMC lock held, possibly from inside an SP handler;
	 * like a real SRI it should only queue an interrupt. It may call
	 * ffamed_spmc_call (e.g. NOTIFICATION_INFO_GET) but not into the SP
	 * that is setting the notification (its context is RUNNING: BUSY). */
	void (*raise_sri)(void *ctx, uint32_t cpu);
	void (*vlog)(void *ctx, enum ffamed_log_level level, const char *fmt,
		     va_list ap); /* may be NULL */
};

/* ---- Secure partitions ------------------------------------------------- */
#define FFAMED_SP_MAX_UUIDS 4

enum ffamed_sp_action {
	FFAMED_SP_RESPOND,   /* resp holds the payload: send DIRECT_RESP(2) */
	FFAMED_SP_INTERRUPT, /* preempted: caller gets FFA_INTERRUPT, resumes with FFA_RUN */
	FFAMED_SP_YIELD,     /* yielded: caller gets FFA_YIELD, resumes with FFA_RUN */
};

/* A direct request as the SP sees it. */
struct ffamed_sp_msg {
	uint32_t fid;		 /* DIRECT_REQ_32, DIRECT_REQ_64 or DIRECT_REQ2 */
	uint16_t sender;	 /* endpoint ID of the requester (a VM, or 0) */
	uint16_t ctx;		 /* execution context index handling it */
	uint32_t resumed;	 /* times this request was resumed by FFA_RUN */
	struct ffamed_regs regs; /* the request as received */
	uint32_t cpu;		 /* physical CPU running it now (changes on FFA_RUN for UP SPs) */
};

/* An indirect message as the SP sees it in its mailbox. */
struct ffamed_sp_indirect_msg {
	uint16_t sender;      /* the sending VM */
	uint16_t receiver;    /* this SP */
	struct ffa_uuid uuid; /* Nil for a v1.1 header or a Nil UUID */
	const void *payload;  /* in the SP's mailbox; valid until the handler returns */
	uint32_t size;
	uint32_t cpu; /* physical CPU the handler runs on (the sender's) */
};

struct ffamed_sp_ops {
	/* Fill resp->x[3..7] (REQ_32/64; masked to 32 bits for REQ_32) or
	 * resp->x[4..17] (REQ2); the SPMC writes x0..x2 itself. */
	enum ffamed_sp_action (*direct_req)(struct ffamed_sp *sp, const struct ffamed_sp_msg *msg,
					    struct ffamed_regs *resp);
	/* VM availability framework message (created or destroyed). Returns
	 * the status for w3: 0, or an FF-A error such as RETRY. NULL: 0. */
	int32_t (*vm_availability)(struct ffamed_sp *sp, bool created, uint16_t vm_id);
	/* The SPMC is being destroyed: free what the SP got from it (e.g.
	 * retrieved regions). NULL: nothing to do. */
	void (*fini)(struct ffamed_sp *sp);
	/* An indirect message (FFA_MSG_SEND2) was delivered to the SP's
	 * mailbox; see "Indirect messaging" below. NULL: messages are taken
	 * and dropped (counted). */
	void (*indirect_msg)(struct ffamed_sp *sp, const struct ffamed_sp_indirect_msg *msg);
};

struct ffamed_sp_config {
	const char *name;
	uint16_t id;		 /* bit 15 set */
	uint16_t exec_ctx_count; /* 1: UP (one migratable context), else one per CPU */
	uint32_t properties;	 /* FFA_PART_PROP_* */
	uint32_t uuid_count;
	struct ffa_uuid uuids[FFAMED_SP_MAX_UUIDS];
	uint32_t version; /* FF-A version the SP speaks (0: 1.2) */
	const struct ffamed_sp_ops *ops;
	void *priv;
};

void *ffamed_sp_priv(const struct ffamed_sp *sp);
uint16_t ffamed_sp_id(const struct ffamed_sp *sp);

/* ---- The SPMC ------------------------------------------------------------ */
/*
 * Which SPMC to imitate (docs/REAL-FIRMWARE.md lists every difference). The
 * strict one follows the specification; the others answer the hypervisor
 * as the real implementations do where a mediator meets them, so that the
 * mediator's handling of real firmware is tested without it.
 */
enum ffamed_spmc_personality {
	FFAMED_SPMC_STRICT = 0,	   /* the specification, strictly */
	FFAMED_SPMC_OPTEE_NSVIRT,  /* OP-TEE as S-EL1 SPMC, CFG_NS_VIRTUALIZATION=y */
	FFAMED_SPMC_OPTEE_PLAIN,   /* OP-TEE as S-EL1 SPMC, no NS virtualization */
	FFAMED_SPMC_TFA_EL3,	   /* TF-A's EL3 SPMC */
	FFAMED_SPMC_PERSONALITIES, /* the count */
};
/* Its name ("strict", "optee-nsvirt", "optee-plain", "tfa-el3"). */
const char *ffamed_spmc_personality_name(enum ffamed_spmc_personality p);

struct ffamed_spmc_config {
	enum ffamed_spmc_personality personality;
	uint16_t spmc_id; /* 0: 0x8000 */
	/* 0: the personality's (1.1 for OP-TEE, whose SPMC speaks at most
	 * that, 1.2 otherwise). */
	uint32_t version;
	const struct ffamed_sp_config *sps;
	uint32_t sp_count;
	uint32_t max_vms;   /* VMs whose RX/TX may be mapped on their behalf (0: 256) */
	uint32_t cpu_count; /* physical CPUs calling in (0: 64) */
	/* Largest RX/TX buffer in 4K pages, for every pair (0: 64); reported by
	 * FFA_FEATURES(FFA_RXTX_MAP) w2[31:16] to v1.2 callers. */
	uint32_t rxtx_max_pages;
	/* Interrupt ID of the Schedule Receiver Interrupt, reported by
	 * FFA_FEATURES(SRI) (0: 8, a non-secure SGI donated to the NWd). */
	uint32_t sri_intid;
	/* Largest vCPU count NOTIFICATION_BITMAP_CREATE accepts (0: 64). */
	uint32_t notif_max_vcpus;
	/* Memory transactions live or being assembled at once (0: 4096). */
	uint32_t mem_max_handles;
	/* Fragments of one transaction descriptor (0: 4096). */
	uint32_t mem_max_fragments;
	/* Total length of one transaction descriptor in bytes (0: 16 MiB,
	 * room for 1 GiB described page by page). */
	uint32_t mem_max_desc_len;
};

int32_t ffamed_spmc_create(const struct ffamed_spmc_env *env, const struct ffamed_spmc_config *cfg,
			   struct ffamed_spmc **out);
void ffamed_spmc_destroy(struct ffamed_spmc *spmc);

/*
 * The firmware conduit: an SMC from the normal world (the hypervisor, ID 0)
 * on physical CPU `cpu`. x0..x17 in, x0..x17 out. Thread-safe: several CPUs
 * may call at once.
 */
void ffamed_spmc_call(struct ffamed_spmc *spmc, uint32_t cpu, struct ffamed_regs *regs);

struct ffamed_sp *ffamed_spmc_find_sp(struct ffamed_spmc *spmc, uint16_t id);

/* ---- Notifications (FF-A v1.1) ----------------------------------------------
 * The SPMC keeps, for each receiver, 64 notification IDs: the VMs' "SP
 * notifications" bitmaps (created by the hypervisor) and each SP's bitmap of
 * notifications set by normal-world endpoints. A bit is bound to one sender,
 * either global (any vCPU may collect it) or per-vCPU (set for, and
 * collected by, one vCPU). Normal-world endpoint IDs 0x0000..0x7FFF are all
 * valid VM IDs here (0: the hypervisor itself, or the OS kernel when there is
 * no hypervisor). The NWd ABIs exist for callers that negotiated v1.1 or
 * later (v1.0: NOT_SUPPORTED, like any unknown ABI). SMC32: only the low
 * 32 bits of each register count. Unused registers up to w7 MBZ
 * (INVALID_PARAMETERS otherwise). Checks are made in the order listed.
 *
 * FFA_NOTIFICATION_BITMAP_CREATE  w1 = VM ID [15:0], w2 = vCPU count
 *   INVALID_PARAMETERS  w1[31:16] != 0; VM ID with bit 15 set; vCPU count 0
 *                       or above notif_max_vcpus; w3..w7 != 0
 *   DENIED              a bitmap exists for that VM
 *   NO_MEMORY           max_vms bitmaps exist (or allocation failed)
 * FFA_NOTIFICATION_BITMAP_DESTROY  w1 = VM ID [15:0]
 *   INVALID_PARAMETERS  w1[31:16] != 0; secure ID; w2..w7 != 0
 *   DENIED              no bitmap; any SP notification pending for the VM
 *                       (global or any vCPU, listed by INFO_GET or not)
 *   Bindings still in place are dropped with the bitmap. Bindings SPs made
 *   to receive from that VM are not touched.
 * FFA_NOTIFICATION_BIND  w1 = sender SP [31:16] | receiver VM [15:0],
 *                        w2 = flags (bit0 per-vCPU), w3/w4 = bitmap lo/hi
 *   INVALID_PARAMETERS  receiver has bit 15 set; sender is not one of the
 *                       SPs; w2 bits other than bit0; bitmap 0; w5..w7 != 0
 *   NOT_SUPPORTED       the receiver VM has no bitmap
 *   DENIED              a bit is bound to another sender, or is pending
 *   Rebinding a bit to the same sender is allowed and updates its per-vCPU
 *   property.
 * FFA_NOTIFICATION_UNBIND  w1 as BIND, w2 MBZ, w3/w4 bitmap
 *   INVALID_PARAMETERS  as BIND, and w2 != 0
 *   NOT_SUPPORTED       the receiver VM has no bitmap
 *   DENIED              a bit is not bound to that sender (unbound bits
 *                       included), or is pending
 * FFA_NOTIFICATION_SET  (VM -> SP) w1 = sender VM [31:16] | receiver SP
 *                       [15:0], w2 = flags (bit0 per-vCPU, bit1 delay SRI,
 *                       [15:2] MBZ, [31:16] the SP's vCPU = execution
 *                       context index, MBZ unless bit0), w3/w4 bitmap
 *   INVALID_PARAMETERS  sender has bit 15 set; receiver is not one of the
 *                       SPs; bit1 (delay SRI: SPs only); w2[15:2] != 0;
 *                       vCPU ID without bit0; bitmap 0; w5..w7 != 0;
 *                       bit0 with vCPU ID >= the SP's context count
 *   DENIED              the SP does not take notifications (partition
 *                       property bit 3 clear); a bit is not bound by the SP
 *                       to that sender; bit0 does not match the way a bit
 *                       was bound (global vs per-vCPU)
 *   Marks the bits pending for the SP (global or on that context). No SRI:
 *   the SP shows up in INFO_GET instead.
 * FFA_NOTIFICATION_GET  w1 = receiver vCPU [31:16] | receiver VM [15:0],
 *                       w2 = flags
 *   INVALID_PARAMETERS  receiver has bit 15 set; w2 bits other than bit0
 *                       (SP) and bit2 (SPM framework), i.e. bit1 (VM) or
 *                       bit3 (hypervisor framework) or [31:4]; w3..w7 != 0;
 *                       no bitmap for that VM; vCPU ID >= its vCPU count
 *   SUCCESS_32: w2/w3 = SP bitmap lo/hi (bit0 asked: global pending plus
 *   that vCPU's per-vCPU pending, then cleared), w4/w5 = 0, w6 = SPM
 *   framework bitmap (bit2 asked: the pending bits, i.e. RX-buffer-full
 *   after an SP's indirect message, then cleared; else 0), w7 = 0. Flags 0
 *   succeed with nothing returned or cleared.
 * FFA_NOTIFICATION_INFO_GET_32 / _64  no inputs (w1..w7 / x1..x7 MBZ:
 *   INVALID_PARAMETERS)
 *   NO_DATA             nothing pending that was not listed already
 *   SUCCESS_32 / SUCCESS_64: w2/x2 = bit0 more pending, [11:7] list count,
 *   [12+2i+1:12+2i] vCPU IDs in list i; IDs packed low half first in
 *   w3..w7 (2 per register, 10 at most) or x3..x7 (4 per register, 20).
 *   Receivers in ascending VM ID order, then the SPs in configuration
 *   order. For each: one list with the ID alone if it has unlisted global
 *   pending bits (for a VM, SPM framework bits count as global), then lists of up to 3 vCPU IDs
 * (ascending) with unlisted per-vCPU pending bits. VMs are listed for notifications SPs set (the
 *   hypervisor should get them and inject its NPI); SPs are listed for
 *   notifications VMs set (the scheduler should FFA_RUN those vCPUs). What
 *   is listed is not listed again until a new bit becomes pending there
 *   (NOTIFICATION_GET clears both). When the next list does not fit, bit0
 *   is set and the rest waits for the next call.
 * FFA_FEATURES: the FIDs above at v1.1+ (w2 = 0); feature ID SRI (2) at
 *   v1.1+: w2 = sri_intid; NPI (1), MEI (3), 4: NOT_SUPPORTED (the NPI is
 *   the hypervisor's business at this instance).
 *
 * The SRI: every successful set by an SP for a VM raises env->raise_sri
 * once, on the given CPU, unless the SP asked to delay it; a delayed SRI is
 * raised (once, however many sets asked for it) when the SP's current
 * handler returns to the normal world, on that CPU.
 */

/*
 * The SP side, for SP handlers (ops->direct_req) or test threads. Thread-safe.
 * All return 0 or an FF-A error code.
 *
 * Bind (receive from a normal-world endpoint): flags bit0 per-vCPU.
 *   INVALID_PARAMETERS  sender has bit 15 set; other flag bits; bitmap 0
 *   NOT_SUPPORTED       the SP does not take notifications (property bit 3)
 *   DENIED              a bit is bound to another sender, or is pending
 */
int32_t ffamed_sp_notification_bind(struct ffamed_sp *sp, uint16_t sender_vm, uint32_t flags,
				    uint64_t bitmap);
/* Unbind: INVALID_PARAMETERS / NOT_SUPPORTED as bind; DENIED if a bit is
 * not bound to sender_vm or is pending. */
int32_t ffamed_sp_notification_unbind(struct ffamed_sp *sp, uint16_t sender_vm, uint64_t bitmap);
/*
 * Set notifications for a VM that bound them to this SP through the
 * hypervisor. flags: bit0 per-vCPU with the VM's vCPU ID in [31:16], bit1
 * delay the SRI. SRI on `cpu` (the CPU the handler runs on: msg->cpu).
 *   INVALID_PARAMETERS  receiver has bit 15 set (SP to SP is not modelled);
 *                       w2[15:2] != 0; vCPU ID without bit0; bitmap 0;
 *                       cpu >= cpu_count; bit0 with vCPU >= VM's count
 *   DENIED              the VM has no bitmap; a bit is not bound to this
 *                       SP; bit0 does not match how a bit was bound
 */
int32_t ffamed_sp_notification_set_on(struct ffamed_sp *sp, uint32_t cpu, uint16_t receiver_vm,
				      uint32_t flags, uint64_t bitmap);
/* The same with the SRI on CPU 0 (for callers outside a handler). */
int32_t ffamed_sp_notification_set(struct ffamed_sp *sp, uint16_t receiver_vm, uint32_t flags,
				   uint64_t bitmap);
/*
 * Read and clear what normal-world endpoints set for this SP: the global
 * bits plus those per-vCPU for context `ctx`.
 *   INVALID_PARAMETERS  ctx >= the SP's context count, vm_bitmap NULL
 *   NOT_SUPPORTED       the SP does not take notifications
 */
int32_t ffamed_sp_notification_get(struct ffamed_sp *sp, uint16_t ctx, uint64_t *vm_bitmap);

/* ---- Indirect messaging (FFA_MSG_SEND2, v1.1; docs/MESSAGING-SPMC.md) --------
 * Each SP whose partition properties have bit 2 (FFA_PART_PROP_INDIRECT_MSG)
 * has a mailbox of FFAMED_SP_MAILBOX_SIZE bytes inside the SPMC (its RX
 * buffer), holding one message at a time.
 *
 * FFA_MSG_SEND2 (VM -> SP, v1.1+ callers; v1.0: NOT_SUPPORTED)
 *   w1[31:16] = the sending VM, whose forwarded TX buffer holds the message
 *   (header at offset 0); w1[15:0] MBZ; w2 (flags) MBZ; w3..w7 MBZ.
 *   Checks in this order, on a copy of the header:
 *   INVALID_PARAMETERS  w1[15:0] != 0; VM ID 0 or secure; w2 != 0 (delay
 *                       SRI is for SPs); w3..w7 != 0; the VM has no
 *                       forwarded mailbox; header flags or reserved0 != 0;
 *                       header sender != the w1 VM; receiver not one of
 *                       the SPs; size 0; offset < 20; offset + size beyond
 *                       the VM's TX or the SP's mailbox; offset >= 40 (a
 *                       v1.2 header): reserved1 != 0, or a UUID that is
 *                       neither Nil nor one of the receiver's (offset < 40:
 *                       a v1.1 header, the UUID is Nil)
 *   DENIED              the receiver lacks property bit 2
 *   BUSY                the SP's mailbox holds a message (its handler is
 *                       still running)
 *   On SUCCESS_32 the payload was copied into the SP's mailbox and the SP's
 *   ops->indirect_msg ran to completion on the calling CPU, with no SPMC
 *   lock held; the mailbox is free again when it returns. This models "the
 *   SP got cycles at once": a real SPMC would set the SP's RX-full framework
 *   notification and the SP would read the message when next scheduled.
 *   The handler may run while the same SP's direct request handlers run on
 *   other CPUs. A delayed SRI it asked for fires when it returns.
 * FFA_FEATURES(FFA_MSG_SEND2): SUCCESS, w2 = 0, at v1.1+.
 *
 * SP -> VM: ffamed_sp_msg_send2 writes a v1.2 header (offset 40, sender =
 * the SP, the UUID or Nil) and the payload into the VM's forwarded RX
 * buffer, gives the buffer to the normal world (FFA_RX_ACQUIRE of that VM
 * then answers DENIED; the hypervisor's FFA_RX_RELEASE(VM ID) gives it
 * back) and, if the VM has a notification bitmap, sets its SPM framework
 * notification RX-buffer-full (FFA_FWK_NOTIF_RX_FULL): INFO_GET lists the
 * VM (global list), NOTIFICATION_GET with flag bit 2 returns it in w6, and
 * the SRI is raised as for ffamed_sp_notification_set_on (at once on
 * `cpu`, or when the SP's current handler returns with the delay flag).
 * Without a bitmap the message is delivered with no notification and no
 * SRI. FFA_RX_RELEASE(VM ID) and FFA_RXTX_UNMAP of the VM clear a pending
 * RX-full bit: once the buffer is released the notification says nothing
 * true. BITMAP_DESTROY is not refused for it (the bit goes with the bitmap).
 */
#define FFAMED_SP_MAILBOX_SIZE 4096u

/*
 * Send `size` bytes at `payload` to VM `receiver_vm` from SP `sp`, on
 * physical CPU `cpu` (msg->cpu in a handler). uuid NULL: Nil. flags: 0 or
 * FFA_MSG_SEND2_FLAG_DELAY_SRI. Callable from SP handlers (direct_req,
 * indirect_msg) and test threads. Returns 0 or, checked in this order:
 *   INVALID_PARAMETERS  receiver_vm has bit 15 set (SP to SP is not
 *                       modelled); other flag bits; size 0 or payload NULL;
 *                       cpu >= cpu_count
 *   DENIED              the SP lacks property bit 2
 *   BUSY                the VM has no forwarded mailbox
 *   INVALID_PARAMETERS  40 + size larger than the VM's RX buffer
 *   BUSY                the VM's RX is not the SPMC's (the VM or the
 *                       hypervisor holds it)
 */
int32_t ffamed_sp_msg_send2(struct ffamed_sp *sp, uint32_t cpu, uint16_t receiver_vm,
			    const struct ffa_uuid *uuid, const void *payload, uint32_t size,
			    uint32_t flags);

/* ---- Memory management (docs/MEMORY-SPMC.md) ---------------------------------
 * The hypervisor's side is the FF-A ABI: FFA_MEM_SHARE/LEND/DONATE (32/64)
 * with the descriptor in its TX buffer, FFA_MEM_FRAG_TX, FFA_MEM_RECLAIM, and
 * at v1.1+ FFA_MEM_RETRIEVE_REQ with no receivers (FFA_MEM_FRAG_RX for the
 * rest of a large response). SPs are the only borrowers.
 *
 * The SP side, for SP handlers or test threads (thread-safe). The SPMC
 * builds a real retrieve request in the SP's FF-A version, answers it with a
 * retrieve response in 4K fragments and parses them back, as an SP would.
 */
struct ffamed_sp_mem_range {
	uint64_t pa;
	uint64_t pages;
};

struct ffamed_sp_mem_region {
	uint64_t handle;
	uint16_t sender;     /* the owner */
	uint8_t perm;	     /* FFA_MEM_PERM_* granted by this retrieve */
	uint16_t attributes; /* as reported in the response */
	uint32_t flags;	     /* response flags: transaction type in [4:3] */
	uint64_t total_pages;
	uint32_t range_count;
	struct ffamed_sp_mem_range *ranges; /* descriptor order; ffamed_sp_mem_region_free */
	uint32_t fragments;		    /* response fragments it took */
};

/*
 * Retrieve `handle` for `sp` with data access `perm` (FFA_MEM_PERM_DATA_RO
 * or _RW, optionally with an instruction access). `tag` must be the
 * sender's. Returns 0 or:
 *   INVALID_PARAMETERS  unknown handle, or still being assembled; bad perm;
 *                       tag mismatch
 *   DENIED              sp is not a borrower; more access than granted;
 *                       a previous response is still being fragmented
 *   NO_MEMORY           allocation failed
 */
int32_t ffamed_sp_mem_retrieve(struct ffamed_sp *sp, uint64_t handle, uint64_t tag, uint8_t perm,
			       struct ffamed_sp_mem_region *out);
void ffamed_sp_mem_region_free(struct ffamed_sp *sp, struct ffamed_sp_mem_region *region);
/* Relinquish one retrieve (flags: bit0 zero memory after, LEND only).
 *   INVALID_PARAMETERS  unknown handle; sp holds no retrieve of it; flags */
int32_t ffamed_sp_mem_relinquish(struct ffamed_sp *sp, uint64_t handle, uint32_t flags);
/* The bytes of a retrieved range (env->pa_map); NULL outside NS RAM. */
void *ffamed_sp_mem_map(struct ffamed_sp *sp, uint64_t pa, size_t len);

/* Introspection: live transactions (complete or being assembled), and how
 * many retrieves `sp_id` holds on `handle` (0 if unknown). */
uint32_t ffamed_spmc_mem_handle_count(struct ffamed_spmc *spmc);
uint32_t ffamed_spmc_mem_retrieved(struct ffamed_spmc *spmc, uint64_t handle, uint16_t sp_id);

/* ---- Introspection for tests ------------------------------------------- */
#define FFAMED_SPMC_RXTX_MAX_PAGES_DEFAULT 64u

/*
 * Calls received with this function ID (SVE hint bit masked off), whether
 * they succeeded or not. Any FID outside the FF-A range shares one counter.
 */
uint64_t ffamed_spmc_call_count(struct ffamed_spmc *spmc, uint32_t fid);

/* The FF-A version recorded for the hypervisor (0: none negotiated yet),
 * and whether it is frozen (a non-VERSION call came after it). */
uint32_t ffamed_spmc_caller_version(struct ffamed_spmc *spmc, bool *frozen);

/* Who may write an RX buffer now. */
enum ffamed_spmc_rx_owner {
	FFAMED_SPMC_RX_UNMAPPED = 0, /* no RX/TX pair mapped */
	FFAMED_SPMC_RX_OWNER_SPMC,   /* empty: the SPMC (producer) owns it */
	FFAMED_SPMC_RX_OWNER_NWD,    /* the hypervisor (or its VM) owns it */
};
enum ffamed_spmc_rx_owner ffamed_spmc_hyp_rx_owner(struct ffamed_spmc *spmc);
enum ffamed_spmc_rx_owner ffamed_spmc_vm_rx_owner(struct ffamed_spmc *spmc, uint16_t vm_id);
/* The page count and (when the arrays are big enough, `max` entries each)
 * the page PAs of a VM's forwarded pair; 0 when not mapped. */
uint32_t ffamed_spmc_vm_mailbox(struct ffamed_spmc *spmc, uint16_t vm_id, uint64_t *rx_pages,
				uint64_t *tx_pages, uint32_t max);
/* Number of VMs whose pair is mapped. */
uint32_t ffamed_spmc_vm_mailbox_count(struct ffamed_spmc *spmc);

/* State of one execution context of an SP. */
enum ffamed_spmc_ctx_state {
	FFAMED_SPMC_CTX_INVALID = 0, /* no such SP or context */
	FFAMED_SPMC_CTX_IDLE,	     /* waiting for a request */
	FFAMED_SPMC_CTX_RUNNING,     /* its handler is running on some CPU */
	FFAMED_SPMC_CTX_PREEMPTED,   /* returned FFA_INTERRUPT: waits for FFA_RUN */
	FFAMED_SPMC_CTX_YIELDED,     /* returned FFA_YIELD: waits for FFA_RUN */
};
enum ffamed_spmc_ctx_state ffamed_spmc_ctx_state(struct ffamed_spmc *spmc, uint16_t sp_id,
						 uint16_t ctx);

/* Notifications. A receiver is a VM ID (its bitmap) or an SP ID. */
#define FFAMED_SPMC_SRI_INTID_DEFAULT	    8u
#define FFAMED_SPMC_NOTIF_MAX_VCPUS_DEFAULT 64u
/* Whether VM vm_id has a bitmap, and its vCPU count (may be NULL). */
bool ffamed_spmc_notif_bitmap_exists(struct ffamed_spmc *spmc, uint16_t vm_id,
				     uint32_t *vcpu_count);
uint32_t ffamed_spmc_notif_bitmap_count(struct ffamed_spmc *spmc);
/* Pending bits of a receiver: global, or per-vCPU for `vcpu`. 0 for an
 * unknown receiver or vCPU. */
uint64_t ffamed_spmc_notif_pending(struct ffamed_spmc *spmc, uint16_t receiver, bool per_vcpu,
				   uint16_t vcpu);
/* The bits of a receiver bound to `sender`, and (may be NULL) which of
 * them are per-vCPU. */
uint64_t ffamed_spmc_notif_bound(struct ffamed_spmc *spmc, uint16_t receiver, uint16_t sender,
				 uint64_t *per_vcpu);

/* Indirect messaging: messages taken into SP sp_id's mailbox (handled or
 * dropped for want of a handler), those dropped, and the SP's successful
 * ffamed_sp_msg_send2 calls (0 for an unknown SP); whether its mailbox
 * holds a message now; the pending SPM framework bits of VM vm_id (0
 * without a bitmap). */
uint64_t ffamed_spmc_sp_msgs_received(struct ffamed_spmc *spmc, uint16_t sp_id);
uint64_t ffamed_spmc_sp_msgs_dropped(struct ffamed_spmc *spmc, uint16_t sp_id);
uint64_t ffamed_spmc_sp_msgs_sent(struct ffamed_spmc *spmc, uint16_t sp_id);
bool ffamed_spmc_sp_mailbox_full(struct ffamed_spmc *spmc, uint16_t sp_id);
uint32_t ffamed_spmc_notif_fwk_pending(struct ffamed_spmc *spmc, uint16_t vm_id);

/* The personality the SPMC was created with. */
enum ffamed_spmc_personality ffamed_spmc_personality(const struct ffamed_spmc *spmc);
/* OPTEE_NSVIRT: whether VM vm_id was told of with VM_CREATED (and not
 * VM_DESTROYED since); other personalities know every VM. */
bool ffamed_spmc_knows_vm(const struct ffamed_spmc *spmc, uint16_t vm_id);

/* ---- Fault injection for tests ----------------------------------------- */
#define FFAMED_SPMC_BOGUS_NWD_ID 0x0042u /* the entry partinfo_include_nonsecure_id adds */

struct ffamed_spmc_faults {
	/* Non-zero: PARTITION_INFO_GET(_REGS) reports this descriptor size and
	 * writes descriptors at this stride (truncated or zero-padded). */
	uint16_t partinfo_desc_size;
	/* Nil-UUID listings gain an entry with ID FFAMED_SPMC_BOGUS_NWD_ID
	 * (bit 15 clear), as a buggy SPMC might report. */
	bool partinfo_include_nonsecure_id;
	/* The forwarded form of FFA_RXTX_MAP (w1 = w2 = w3 = 0) answers
	 * NOT_SUPPORTED, like an SPMC without VM mailboxes (TF-A's EL3 SPMC),
	 * and FFA_FEATURES does not change. */
	bool no_vm_rxtx;
};
/* Takes effect for calls that start after it returns. */
void ffamed_spmc_set_faults(struct ffamed_spmc *spmc, const struct ffamed_spmc_faults *faults);

/* ---- Tracing ----------------------------------------------------------------
 * A tracer sees every run of an SP's direct request handler (a new request
 * or an FFA_RUN resuming one), on the calling thread, with no SPMC lock
 * held. It must not call into the SPMC and must not block.
 */
struct ffamed_sp_trace_rec {
	uint16_t sp_id;
	uint16_t ctx;	     /* execution context index */
	uint16_t sender;     /* the requester (a VM, or 0) */
	uint32_t fid;	     /* the request: DIRECT_REQ_32/64 or REQ2 */
	uint32_t cpu;	     /* physical CPU it ran on */
	uint32_t resumed;    /* 0: a new request, else FFA_RUN count */
	uint32_t action;     /* enum ffamed_sp_action the handler returned */
	uint64_t payload[2]; /* P[0], P[1] of the request (see sp_builtin.h) */
	uint64_t t_start_ns; /* tracer->now_ns */
	uint64_t t_end_ns;
};

struct ffamed_spmc_tracer {
	void (*record)(void *ctx, const struct ffamed_sp_trace_rec *rec);
	uint64_t (*now_ns)(void *ctx); /* may be NULL: times are 0 */
	void *ctx;
};

/* Install a tracer (NULL: off); kept by pointer, as ffamed_set_tracer(). */
void ffamed_spmc_set_tracer(struct ffamed_spmc *spmc, const struct ffamed_spmc_tracer *tracer);

#endif /* FFAMED_SPMC_H */
