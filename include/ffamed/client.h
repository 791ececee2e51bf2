/* SPDX-License-Identifier: MIT */
/*
 * The guest-side FF-A client library: what a guest driver does, written
 * against a conduit (an SMC/HVC in a real guest, a function call in the
 * simulator). Every function returns FFA_RET_OK or an FF-A error code.
 */
#ifndef FFAMED_CLIENT_H
#define FFAMED_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ffamed/export.h"
#include "ffamed/ffa.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Issue one call: x0..x17 in, x0..x17 out. */
typedef void (*ffac_conduit_fn)(void *ctx, struct ffamed_regs *regs);

struct ffac {
	ffac_conduit_fn call;
	void *call_ctx;
	uint32_t version; /* negotiated; 0 before ffac_negotiate() */
	uint16_t id;	  /* own endpoint ID, after ffac_id_get() */
	/* RX/TX buffers: guest VA and guest address (IPA) of each. */
	void *tx, *rx;
	uint64_t tx_ipa, rx_ipa;
	uint32_t rxtx_pages;
	bool rxtx_mapped;
	/* Notifications, after ffac_notif_setup(). */
	enum ffac_notif_mode {
		FFAC_NOTIF_OFF = 0, /* not set up, or not offered */
		FFAC_NOTIF_NPI,	    /* a guest: the NPI means "call GET" */
		FFAC_NOTIF_SRI,	    /* the scheduler: the SRI means "call INFO_GET" */
	} notif_mode;
	uint32_t notif_intid;	   /* the interrupt of that mode */
	bool notif_bitmap_created; /* by this client (host mode only) */
};

/* One discovered partition, whatever the descriptor size on the wire. */
struct ffac_partition {
	uint16_t id;
	uint16_t exec_ctx_count;
	uint32_t properties;
	struct ffa_uuid uuid; /* nil for v1.0 */
};

FFAMED_API void ffac_init(struct ffac *c, ffac_conduit_fn call, void *call_ctx);

/* Ask for `want`; on a lower answer of the same major, re-ask with it, as a
 * robust client should. Stores the final version in c->version. */
FFAMED_API int32_t ffac_negotiate(struct ffac *c, uint32_t want);
FFAMED_API int32_t ffac_id_get(struct ffac *c, uint16_t *id);
FFAMED_API int32_t ffac_spm_id_get(struct ffac *c, uint16_t *id);
FFAMED_API int32_t ffac_features(struct ffac *c, uint32_t id, uint32_t in, uint32_t *w2,
				 uint32_t *w3);

FFAMED_API int32_t ffac_rxtx_map(struct ffac *c, void *tx, uint64_t tx_ipa, void *rx,
				 uint64_t rx_ipa, uint32_t pages);
FFAMED_API int32_t ffac_rxtx_unmap(struct ffac *c);
FFAMED_API int32_t ffac_rx_release(struct ffac *c);

/* Count (v1.1+: count-only flag; v1.0: full call then RX_RELEASE). */
FFAMED_API int32_t ffac_partition_count(struct ffac *c, const struct ffa_uuid *uuid,
					uint32_t *count);
/* Full discovery: count, then list into `out` (at most `max`), then
 * RX_RELEASE. *count gets the total reported. */
FFAMED_API int32_t ffac_partition_list(struct ffac *c, const struct ffa_uuid *uuid,
				       struct ffac_partition *out, uint32_t max, uint32_t *count);
/* v1.2 register-based discovery (FFA_PARTITION_INFO_GET_REGS). */
FFAMED_API int32_t ffac_partition_list_regs(struct ffac *c, const struct ffa_uuid *uuid,
					    struct ffac_partition *out, uint32_t max,
					    uint32_t *count);

/*
 * Direct request to `dst` with payload args[0..4] (w3..w7), reply payload in
 * out[0..4]. 32-bit or 64-bit convention. Loops with FFA_RUN on FFA_INTERRUPT
 * and FFA_YIELD. *resumes (may be NULL) counts the FFA_RUN calls made.
 */
FFAMED_API int32_t ffac_direct_req(struct ffac *c, uint16_t dst, bool is64, const uint64_t args[5],
				   uint64_t out[5], uint32_t *resumes);
/* DIRECT_REQ2 (v1.2): UUID of the target service, payload x4..x17. */
FFAMED_API int32_t ffac_direct_req2(struct ffac *c, uint16_t dst, const struct ffa_uuid *uuid,
				    const uint64_t args[14], uint64_t out[14], uint32_t *resumes);

/* ---- Receiving direct requests (a VM as a receiver) ---------------------------
 * FFA_MSG_WAIT once: *event gets the registers of what ended the wait (a
 * DIRECT_REQ_32/64 or REQ2, FFA_RUN, FFA_INTERRUPT...). Returns OK for any
 * such event, the code of an FFA_ERROR (NOT_SUPPORTED for an SMCCC unknown
 * function). flags: 0, or FFA_MSG_WAIT_FLAG_RETAIN_RX at v1.2+ (keep the RX
 * buffer; without it, v1.1+ callees release it): anything else is refused
 * (INVALID_PARAMETERS) without a call.
 */
FFAMED_API int32_t ffac_msg_wait(struct ffac *c, uint32_t flags, struct ffamed_regs *event);

/* A request as the receiver got it. */
struct ffac_direct_msg {
	uint32_t fid; /* FFA_MSG_SEND_DIRECT_REQ_32, _REQ_64 or _REQ2 */
	uint16_t sender;
	uint16_t receiver;
	uint32_t flags;	      /* REQ_32/64: w2 (bit 31: framework message); REQ2: 0 */
	struct ffa_uuid uuid; /* REQ2: the service asked for; Nil otherwise */
	uint32_t words;	      /* payload words: 5 (x3..x7) or 14 for REQ2 (x4..x17) */
	uint64_t payload[14]; /* REQ_32: 32-bit values */
};

/* What a handler wants done with the request. */
#define FFAC_DIRECT_RESPOND 0 /* send resp[0..words) as the response */
#define FFAC_DIRECT_YIELD   1 /* FFA_YIELD; the handler runs again when resumed */

/* Fills resp[0..msg->words) (zeroed before the first run, kept across
 * yields; a REQ_32 response keeps the low 32 bits of each word). Returns
 * FFAC_DIRECT_RESPOND or FFAC_DIRECT_YIELD; any other value responds.
 * docs/MESSAGING-CLIENT.md has the whole loop. */
typedef int (*ffac_direct_handler_fn)(void *ctx, const struct ffac_direct_msg *msg,
				      uint64_t resp[14]);

struct ffac_serve_stats {
	uint64_t requests;   /* responses sent */
	uint64_t interrupts; /* FFA_INTERRUPT events (from a wait or a yield) */
	uint64_t yields;     /* FFA_YIELD calls that returned SUCCESS */
	uint64_t runs;	     /* FFA_RUN events with no request (cycles given) */
};

/*
 * Serve direct requests until *stop (may be NULL: never) is seen set, which
 * is checked on entry and at each FFA_INTERRUPT: FFA_MSG_WAIT (v1.2+: with
 * RETAIN_RX, so serving never takes the RX buffer from its other users);
 * each request goes to fn and is answered with the response of its kind
 * (RESP_32/64/RESP2, w1 = own ID << 16 | requester), which is also the wait
 * for the next event. FFA_RUN events wait again. If the handler asks to
 * yield, FFA_YIELD is called; its SUCCESS_32 (the requester ran us) runs
 * the handler again, its FFA_INTERRUPT too once *stop is checked (the
 * request is still ours). Returns OK when stopped, else the first error an
 * event carried (FFA_ERROR code; BAD_REPLY = ABORTED for an event that is
 * not FF-A's, or a request not addressed to us); the loop then has left
 * the waiting state. stats (may be NULL) is added to, not reset.
 */
FFAMED_API int32_t ffac_direct_serve(struct ffac *c, ffac_direct_handler_fn fn, void *ctx,
				     const _Atomic bool *stop, struct ffac_serve_stats *stats);

/* ---- Indirect messages (FFA_MSG_SEND2, v1.1+) --------------------------------
 * The message goes through the mapped TX buffer, in the layout of the
 * negotiated version: v1.1 a 20-byte header and the payload at offset 20;
 * v1.2+ a 40-byte header with the UUID and the payload at offset 40. The
 * caller serialises the users of its TX and RX buffers.
 */
/* uuid NULL: Nil (a v1.1 client can send nothing else: INVALID_PARAMETERS).
 * size 0 or payload NULL: INVALID_PARAMETERS. Header and payload must fit
 * the TX buffer, else NO_MEMORY. DENIED without RX/TX mapped,
 * NOT_SUPPORTED below v1.1, all without a call. */
FFAMED_API int32_t ffac_msg_send2(struct ffac *c, uint16_t dst, const struct ffa_uuid *uuid,
				  const void *payload, uint32_t size);

/* A message read from the RX buffer. */
struct ffac_msg {
	uint16_t sender;
	uint16_t receiver;
	struct ffa_uuid uuid; /* Nil unless a v1.2+ header with offset >= 40 */
	uint32_t size;	      /* payload bytes in the message */
	uint32_t copied;      /* bytes copied out: min(size, max) */
};

/*
 * Read the message in the RX buffer: the header is copied out once and
 * only the copy is used; offset >= 20, offset + size within the RX buffer
 * and receiver == own ID, else BAD_REPLY (ABORTED). The payload goes to
 * buf[0..max); a longer one is truncated and the call returns NO_MEMORY
 * (out->size says how long it was). The RX buffer is released
 * (FFA_RX_RELEASE) whenever it was read, even on a bad header: the message
 * is consumed either way. If only the release fails, *out and buf hold the
 * message and the release's error is returned. DENIED without RX/TX mapped,
 * NOT_SUPPORTED below v1.1 (no call then).
 */
FFAMED_API int32_t ffac_msg_read(struct ffac *c, struct ffac_msg *out, void *buf, uint32_t max);

struct ffac_notif_bits; /* below */
typedef void (*ffac_msg_fn)(void *ctx, const struct ffac_msg *msg, const void *payload);
/*
 * After ffac_notif_handle_npi(): if a framework notification says the RX
 * buffer is full (hyp_fwk bit 0: a message from a VM; spm_fwk bit 0: from an
 * SP), read the message into buf[0..max) and hand it to fn whenever its
 * header was valid (even truncated, or if the release failed). Returns OK
 * with no call when neither bit is set, else what ffac_msg_read returned.
 */
FFAMED_API int32_t ffac_msg_handle_rx_full(struct ffac *c, const struct ffac_notif_bits *bits,
					   void *buf, uint32_t max, ffac_msg_fn fn, void *ctx);

/* ---- Notifications (v1.1+) --------------------------------------------------
 * A guest (own ID not 0) never creates its bitmap (the hypervisor did) and
 * handles the Notification Pending Interrupt by calling GET on the vCPU that
 * took it. A host at the physical instance (ID 0, no hypervisor) creates
 * its bitmap for `cpu_count` CPUs and takes the Schedule Receiver
 * Interrupt: INFO_GET in a loop, then GET where it says.
 */
FFAMED_API int32_t ffac_notif_setup(struct ffac *c, uint32_t cpu_count);
/* Host mode: destroys the bitmap it created. */
FFAMED_API int32_t ffac_notif_teardown(struct ffac *c);
FFAMED_API int32_t ffac_notif_bind(struct ffac *c, uint16_t sender, bool per_vcpu, uint64_t bitmap);
FFAMED_API int32_t ffac_notif_unbind(struct ffac *c, uint16_t sender, uint64_t bitmap);
/* vcpu < 0: a global notification; else for that vCPU of the receiver. */
FFAMED_API int32_t ffac_notif_set(struct ffac *c, uint16_t receiver, int32_t vcpu, uint64_t bitmap);

struct ffac_notif_bits {
	uint64_t sp;	  /* set by SPs */
	uint64_t vm;	  /* set by VMs */
	uint32_t spm_fwk; /* SPM framework (bit 0: RX buffer full) */
	uint32_t hyp_fwk; /* hypervisor framework (bit 0: RX buffer full) */
};
/* GET on `vcpu` (the caller's own) for the classes in `flags`
 * (FFA_NOTIF_GET_*). */
FFAMED_API int32_t ffac_notif_get(struct ffac *c, uint16_t vcpu, uint32_t flags,
				  struct ffac_notif_bits *out);
/* The NPI handler: GET of every class on the vCPU that took it. */
FFAMED_API int32_t ffac_notif_handle_npi(struct ffac *c, uint16_t vcpu,
					 struct ffac_notif_bits *out);

/* One INFO_GET entry: endpoint `id` has notifications pending, globally
 * (vcpu < 0) or on that vCPU. */
typedef void (*ffac_notif_pending_fn)(void *ctx, uint16_t id, int32_t vcpu);
/* The SRI handler: INFO_GET (64-bit) while "more pending" is set; each
 * entry goes to fn. NO_DATA answers count as nothing pending (OK). */
FFAMED_API int32_t ffac_notif_handle_sri(struct ffac *c, ffac_notif_pending_fn fn, void *ctx);

/* ---- Memory management -----------------------------------------------------
 * Descriptors go through the mapped TX buffer, in the layout of the
 * negotiated version (v1.0: 32-byte header, 16-byte EMADs; v1.1: 48-byte
 * header, 16-byte EMADs; v1.2+: 32-byte EMADs). A descriptor larger than
 * the TX buffer is sent in fragments (FFA_MEM_FRAG_TX, driven by the
 * callee's FFA_MEM_FRAG_RX); the header, EMADs and composite header must
 * fit the first one. The caller serialises users of its TX/RX buffers.
 */
struct ffac_mem_range {
	uint64_t addr; /* IPA, 4K aligned */
	uint32_t pages;
};

struct ffac_mem_borrower {
	uint16_t id;
	uint8_t perm;	    /* FFA_MEM_PERM_* */
	uint8_t impdef[16]; /* v1.2+ only */
};

struct ffac_mem_send {
	uint16_t attributes; /* e.g. FFA_MEM_ATTR_NORMAL_WB_INNER; 0 = not specified */
	uint32_t flags;	     /* FFA_MEM_FLAG_ZERO_MEMORY, _TIME_SLICING */
	uint64_t tag;
	const struct ffac_mem_borrower *borrowers;
	uint32_t borrower_count;
	const struct ffac_mem_range *ranges;
	uint32_t range_count;
};

/* Send (64-bit FIDs); *handle gets the handle. *fragments (may be NULL)
 * the number of fragments sent. */
FFAMED_API int32_t ffac_mem_share(struct ffac *c, const struct ffac_mem_send *s, uint64_t *handle,
				  uint32_t *fragments);
FFAMED_API int32_t ffac_mem_lend(struct ffac *c, const struct ffac_mem_send *s, uint64_t *handle,
				 uint32_t *fragments);
FFAMED_API int32_t ffac_mem_donate(struct ffac *c, const struct ffac_mem_send *s, uint64_t *handle,
				   uint32_t *fragments);
/* FFA_MEM_RECLAIM; flags FFA_MEM_FLAG_ZERO_MEMORY / _TIME_SLICING. */
FFAMED_API int32_t ffac_mem_reclaim(struct ffac *c, uint64_t handle, uint32_t flags);

/* What a retrieve response said. */
struct ffac_mem_retrieved {
	uint64_t handle;
	uint16_t sender;
	uint8_t perm; /* granted to this endpoint */
	uint16_t attributes;
	uint32_t flags; /* transaction type in [4:3] */
	uint64_t total_pages;
	uint32_t range_count; /* in the descriptor (may exceed the array given) */
	uint32_t fragments;   /* response fragments received */
};

/*
 * Retrieve `handle` (sent by `sender` with `tag`) with permissions `perm`
 * (0: what was granted) as a VM borrower: request in TX, response in RX
 * (RX_RELEASE after each fragment, FFA_MEM_FRAG_RX for the next). Ranges go
 * to out[0..max); a response with more is still consumed whole (range_count
 * says how many there were) and the call returns NO_MEMORY.
 */
FFAMED_API int32_t ffac_mem_retrieve(struct ffac *c, uint64_t handle, uint16_t sender, uint64_t tag,
				     uint8_t perm, uint32_t flags, struct ffac_mem_range *out,
				     uint32_t max, struct ffac_mem_retrieved *info);
/* FFA_MEM_RELINQUISH of one's own retrieve (flags bit0: zero memory). */
FFAMED_API int32_t ffac_mem_relinquish(struct ffac *c, uint64_t handle, uint32_t flags);

#ifdef __cplusplus
}
#endif

#endif /* FFAMED_CLIENT_H */
