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
	void (*vlog)(void *ctx, enum ffamed_log_level level, const char *fmt, va_list ap); /* may be NULL */
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
	uint32_t fid;         /* DIRECT_REQ_32, DIRECT_REQ_64 or DIRECT_REQ2 */
	uint16_t sender;      /* endpoint ID of the requester (a VM, or 0) */
	uint16_t ctx;         /* execution context index handling it */
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
	uint16_t id;             /* bit 15 set */
	uint16_t exec_ctx_count; /* 1: UP (one migratable context), else one per CPU */
	uint32_t properties;     /* FFA_PART_PROP_* */
	uint32_t uuid_count;
	struct ffa_uuid uuids[FFAMED_SP_MAX_UUIDS];
	uint32_t version;        /* FF-A version the SP speaks (0: 1.2) */
	const struct ffamed_sp_ops *ops;
	void *priv;
};

void *ffamed_sp_priv(const struct ffamed_sp *sp);
uint16_t ffamed_sp_id(const struct ffamed_sp *sp);

/* ---- The SPMC ------------------------------------------------------------ */
struct ffamed_spmc_config {
	uint16_t spmc_id;  /* 0: 0x8000 */
	uint32_t version;  /* 0: FF-A 1.2 */
	const struct ffamed_sp_config *sps;
	uint32_t sp_count;
	uint32_t max_vms;  /* VMs whose RX/TX may be mapped on their behalf (0: 256) */
	uint32_t cpu_count; /* physical CPUs calling in (0: 64) */
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

#endif /* FFAMED_SPMC_H */
