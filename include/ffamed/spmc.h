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
	/* Raise the Schedule Receiver Interrupt to the normal world (may be
	 * NULL until notifications exist). */
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
	uint32_t fid;	      /* DIRECT_REQ_32, DIRECT_REQ_64 or DIRECT_REQ2 */
	uint16_t sender;      /* endpoint ID of the requester (a VM, or 0) */
	uint16_t ctx;	      /* execution context index handling it */
	uint32_t resumed;     /* times this request was resumed by FFA_RUN */
	struct ffa_regs regs; /* the request as received */
};

struct ffamed_sp_ops {
	/* Fill resp->x[3..7] (REQ_32/64; masked to 32 bits for REQ_32) or
	 * resp->x[4..17] (REQ2); the SPMC writes x0..x2 itself. */
	enum ffamed_sp_action (*direct_req)(struct ffamed_sp *sp, const struct ffamed_sp_msg *msg,
					    struct ffa_regs *resp);
	/* VM availability framework message (created or destroyed). Returns
	 * the status for w3: 0, or an FF-A error such as RETRY. NULL: 0. */
	int32_t (*vm_availability)(struct ffamed_sp *sp, bool created, uint16_t vm_id);
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
struct ffamed_spmc_config {
	uint16_t spmc_id; /* 0: 0x8000 */
	uint32_t version; /* 0: FF-A 1.2 */
	const struct ffamed_sp_config *sps;
	uint32_t sp_count;
	uint32_t max_vms;   /* VMs whose RX/TX may be mapped on their behalf (0: 256) */
	uint32_t cpu_count; /* physical CPUs calling in (0: 64) */
	/* Largest RX/TX buffer in 4K pages, for every pair (0: 64); reported by
	 * FFA_FEATURES(FFA_RXTX_MAP) w2[31:16] to v1.2 callers. */
	uint32_t rxtx_max_pages;
};

int32_t ffamed_spmc_create(const struct ffamed_spmc_env *env, const struct ffamed_spmc_config *cfg,
			   struct ffamed_spmc **out);
void ffamed_spmc_destroy(struct ffamed_spmc *spmc);

/*
 * The firmware conduit: an SMC from the normal world (the hypervisor, ID 0)
 * on physical CPU `cpu`. x0..x17 in, x0..x17 out. Thread-safe: several CPUs
 * may call at once.
 */
void ffamed_spmc_call(struct ffamed_spmc *spmc, uint32_t cpu, struct ffa_regs *regs);

struct ffamed_sp *ffamed_spmc_find_sp(struct ffamed_spmc *spmc, uint16_t id);

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

#endif /* FFAMED_SPMC_H */
