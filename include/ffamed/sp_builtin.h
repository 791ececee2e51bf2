/* SPDX-License-Identifier: MIT */
/*
 * Built-in secure partitions for the software SPMC. Each fills a struct
 * ffamed_sp_config around state storage that the caller provides (static,
 * or allocated, zeroed or not: the config function initialises it) and that
 * must outlive the SPMC. The state is safe to read from any thread while
 * the SPMC runs (atomics).
 *
 * Payload registers: P[0..] are x3..x7 for FFA_MSG_SEND_DIRECT_REQ_32/64
 * (low 32 bits for _32) and x4..x17 for FFA_MSG_SEND_DIRECT_REQ2.
 */
#ifndef FFAMED_SP_BUILTIN_H
#define FFAMED_SP_BUILTIN_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "ffamed/export.h"
#include "ffamed/spmc.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- ECHO SP ----------------------------------------------------------------
 * UUID 0ffa3ec0-5e1f-4c0d-8e5a-ec40ec40ec40. Properties: DIRECT_REQ_RECV |
 * DIRECT_REQ_SEND | INDIRECT_MSG | NOTIFICATIONS | AARCH64 |
 * DIRECT_REQ2_RECV. UP (1 context) or MP.
 *
 * Indirect messages (FFA_MSG_SEND2): every message is echoed back to its
 * sender VM (same UUID, same payload) with ffamed_sp_msg_send2 on the CPU
 * that delivered it, no SRI delay; counted in indirect_echoed, or in
 * indirect_refused with the status of the last refusal (e.g. BUSY: the
 * VM's RX was full) when the SPMC refuses the echo.
 *
 * Protocol, decided by P[0] (compared as a whole register):
 *   FFAMED_ECHO_CMD_WHOAMI: answers P[0] = the command, P[1] = SP ID,
 *       P[2] = execution context index, P[3] = sender ID (w1[31:16] of the
 *       request), P[4] = times the request was resumed by FFA_RUN; the rest 0.
 *   FFAMED_ECHO_CMD_INTERRUPT, P[1] = N: returns FFA_INTERRUPT until it has
 *       been resumed N times, then answers as WHOAMI (so P[4] = N).
 *   FFAMED_ECHO_CMD_YIELD, P[1] = N: the same with FFA_YIELD.
 *   Notifications, for the requesting VM (the sender of the request). A
 *   bitmap is always passed as two 32-bit halves, lo in P[2] and hi in P[3],
 *   whatever the request format. Every answer has P[0] = the command and
 *   P[1] = the status as a 32-bit value (0, or the FF-A error code, e.g.
 *   0xFFFFFFFA for DENIED); the rest 0 unless said:
 *   FFAMED_ECHO_CMD_NOTIF_SET, P[1] = flags (bit0 per-vCPU with the VM's
 *       vCPU ID in [31:16], bit1 delay the SRI until this answer): the SP
 *       sets those notifications for the VM (ffamed_sp_notification_set_on
 *       on the CPU running the request). The VM must have bound them to
 *       this SP through the hypervisor.
 *   FFAMED_ECHO_CMD_NOTIF_GET: the SP reads and clears what VMs set for it
 *       (global, plus per-vCPU on the context running the request):
 *       P[2]/P[3] = that bitmap lo/hi.
 *   FFAMED_ECHO_CMD_NOTIF_BIND, P[1] = flags (bit0 per-vCPU): the SP binds
 *       those notifications to receive them from the requesting VM.
 *   FFAMED_ECHO_CMD_NOTIF_UNBIND: the SP unbinds them.
 *   FFAMED_ECHO_CMD_SEND2, P[1] = VM ID (<= 0xFFFF), P[2] = flags (0 or
 *       FFA_MSG_SEND2_FLAG_DELAY_SRI: SRI when this answer goes back),
 *       P[3] = N words, P[4..4+N) = the words: the SP sends that VM an
 *       indirect message (Nil UUID) whose payload is the N words as 8-byte
 *       little-endian values (a REQ_32 word is its 32-bit value, zero
 *       extended). N is 1 for REQ_32/64 and 1..10 for REQ2; another N
 *       answers INVALID_PARAMETERS with nothing sent. P[1] of the answer =
 *       the status of ffamed_sp_msg_send2.
 *   anything else: answers every payload register unchanged.
 */
#define FFAMED_SP_ECHO_UUID                                                                        \
	{                                                                                          \
		{                                                                                  \
			0x0f, 0xfa, 0x3e, 0xc0, 0x5e, 0x1f, 0x4c, 0x0d, 0x8e, 0x5a, 0xec, 0x40,    \
				0xec, 0x40, 0xec, 0x40                                             \
		}                                                                                  \
	}
#define FFAMED_SP_ECHO_PROPS                                                                       \
	(FFA_PART_PROP_DIRECT_REQ_RECV | FFA_PART_PROP_DIRECT_REQ_SEND |                           \
	 FFA_PART_PROP_INDIRECT_MSG | FFA_PART_PROP_NOTIFICATIONS | FFA_PART_PROP_AARCH64 |        \
	 FFA_PART_PROP_DIRECT_REQ2_RECV)
#define FFAMED_ECHO_CMD_WHOAMI	     0xEC400001u
#define FFAMED_ECHO_CMD_INTERRUPT    0xEC400002u
#define FFAMED_ECHO_CMD_YIELD	     0xEC400003u
#define FFAMED_ECHO_CMD_NOTIF_SET    0xEC400004u
#define FFAMED_ECHO_CMD_NOTIF_GET    0xEC400005u
#define FFAMED_ECHO_CMD_NOTIF_BIND   0xEC400006u
#define FFAMED_ECHO_CMD_NOTIF_UNBIND 0xEC400007u
#define FFAMED_ECHO_CMD_SEND2	     0xEC400008u
#define FFAMED_ECHO_SEND2_MAX_WORDS  10
#define FFAMED_SP_ECHO_MAX_CTX	     64

/* Counters; read them with atomic_load. */
struct ffamed_sp_echo {
	_Atomic uint64_t requests;  /* new requests entered */
	_Atomic uint64_t resumes;   /* entries through FFA_RUN */
	_Atomic uint64_t responses; /* requests answered */
	_Atomic uint64_t responses_per_ctx[FFAMED_SP_ECHO_MAX_CTX];
	_Atomic uint64_t indirect_received;    /* indirect messages handled */
	_Atomic uint64_t indirect_echoed;      /* ... echoed back to the sender */
	_Atomic uint64_t indirect_refused;     /* ... whose echo the SPMC refused */
	_Atomic int32_t indirect_last_refusal; /* status of the last refused echo */
	_Atomic uint64_t send2_sent;	       /* FFAMED_ECHO_CMD_SEND2 messages sent */
};

FFAMED_API void ffamed_sp_echo_config(struct ffamed_sp_config *cfg, struct ffamed_sp_echo *state,
				      uint16_t id, uint16_t exec_ctx_count);

/* ---- VMWATCH SP -------------------------------------------------------------
 * UUID 0ffa3ec0-5e1f-4c0d-8e5a-7a7c4ed00001. Properties: DIRECT_REQ_RECV |
 * VM_CREATED | VM_DESTROYED | AARCH64. Records which VMs the hypervisor
 * announced. A partition message is answered with P[0] = number of live VMs.
 *
 * VM_CREATED of a live VM and VM_DESTROYED of an unknown one answer 0 but
 * are counted (duplicate_created, unknown_destroyed) so tests can catch a
 * mediator that repeats or invents announcements. A message answered with
 * a failure status changes nothing.
 */
#define FFAMED_SP_VMWATCH_UUID                                                                     \
	{                                                                                          \
		{                                                                                  \
			0x0f, 0xfa, 0x3e, 0xc0, 0x5e, 0x1f, 0x4c, 0x0d, 0x8e, 0x5a, 0x7a, 0x7c,    \
				0x4e, 0xd0, 0x00, 0x01                                             \
		}                                                                                  \
	}
#define FFAMED_SP_VMWATCH_PROPS                                                                    \
	(FFA_PART_PROP_DIRECT_REQ_RECV | FFA_PART_PROP_VM_CREATED | FFA_PART_PROP_VM_DESTROYED |   \
	 FFA_PART_PROP_AARCH64)
#define FFAMED_SP_VMWATCH_IDS 0x8000u /* normal-world IDs */

struct ffamed_sp_vmwatch {
	_Atomic uint64_t live[FFAMED_SP_VMWATCH_IDS / 64];
	_Atomic uint64_t created_msgs;	 /* VM_CREATED messages seen, whatever the answer */
	_Atomic uint64_t destroyed_msgs; /* VM_DESTROYED messages seen */
	_Atomic uint64_t duplicate_created;
	_Atomic uint64_t unknown_destroyed;
	_Atomic uint32_t fail_next; /* answer fail_next_status to this many more */
	_Atomic int32_t fail_next_status;
	_Atomic int32_t fail_always; /* non-zero: answer this to every message */
};

FFAMED_API void ffamed_sp_vmwatch_config(struct ffamed_sp_config *cfg,
					 struct ffamed_sp_vmwatch *state, uint16_t id,
					 uint16_t exec_ctx_count);
FFAMED_API bool ffamed_sp_vmwatch_is_live(struct ffamed_sp_vmwatch *state, uint16_t vm_id);
FFAMED_API uint32_t ffamed_sp_vmwatch_live_count(struct ffamed_sp_vmwatch *state);
FFAMED_API uint64_t ffamed_sp_vmwatch_created_msgs(struct ffamed_sp_vmwatch *state);
FFAMED_API uint64_t ffamed_sp_vmwatch_destroyed_msgs(struct ffamed_sp_vmwatch *state);
/* Answer `status` (e.g. FFA_RET_RETRY, FFA_RET_INTERRUPTED) to the next n
 * VM availability messages. */
FFAMED_API void ffamed_sp_vmwatch_fail_next(struct ffamed_sp_vmwatch *state, int32_t status,
					    uint32_t n);
/* Answer `status` to every message from now on (0: stop failing). */
FFAMED_API void ffamed_sp_vmwatch_fail_always(struct ffamed_sp_vmwatch *state, int32_t status);

/* ---- OP-TEE SP ----------------------------------------------------------------
 * UUID 486178e0-e7f8-11e3-bc5e-0002a5d5c51b. Properties: DIRECT_REQ_RECV |
 * DIRECT_REQ_SEND | AARCH64 (no REQ2: OP-TEE speaks 32-bit direct requests;
 * a 64-bit request is answered the same way in 64-bit form).
 * Command in w3; reply w3.. as below (w2 = 0):
 *   0 GET_API_VERSION       w3 = 1 (major), w4 = 0 (minor)
 *   1 GET_OS_VERSION        w3 = OS major, w4 = OS minor, w5 = build ID
 *   2 EXCHANGE_CAPABILITIES w3 = 0, w4 = RPC parameter count, w5 = ARG_OFFSET |
 *                           ASYNC_NOTIF, w6 = 0 (default notification range)
 *   3 UNREGISTER_SHM        (w4/w5 handle lo/hi) w3 = 0 (an unknown handle is
 *                           fine, as in OP-TEE); the SP releases the handle
 *                           through its memory access (below), if any
 *   5 ENABLE_ASYNC_NOTIF    (w4 = the bottom-half notification ID the VM bound
 *                           to this SP) w3 = 0, and the SP sets that
 *                           notification once for the requesting VM (SRI
 *                           delayed to the end of the request), as OP-TEE does
 *                           when it has bottom-half work; w4 >= 64:
 *                           w3 = TEEC_ERROR_BAD_PARAMETERS, nothing set
 *   0x80000000 YIELDING_CALL_WITH_ARG (w4/w5 handle lo/hi, w6 offset of the
 *                           struct optee_msg_arg in that memory):
 *                           with memory access and the handle known: w3 = 0,
 *                           w4 = 0 (call done) and the arg's ret (offset 20)
 *                           = TEEC_SUCCESS for commands that need nothing
 *                           (CLOSE_SESSION 2 .. STOP_ASYNC_NOTIF 7), else
 *                           TEEC_ERROR_ITEM_NOT_FOUND (no TA or PTA exists:
 *                           Linux's device enumeration then finds nothing);
 *                           ret_origin (offset 24) = TEEC_ORIGIN_TEE.
 *                           Otherwise w3 = TEEC_ERROR_BAD_PARAMETERS, w4 = 0.
 *   anything else           w3 = TEEC_ERROR_BAD_PARAMETERS
 */
#define FFAMED_SP_OPTEE_UUID                                                                       \
	{                                                                                          \
		{                                                                                  \
			0x48, 0x61, 0x78, 0xe0, 0xe7, 0xf8, 0x11, 0xe3, 0xbc, 0x5e, 0x00, 0x02,    \
				0xa5, 0xd5, 0xc5, 0x1b                                             \
		}                                                                                  \
	}
#define FFAMED_SP_OPTEE_PROPS                                                                      \
	(FFA_PART_PROP_DIRECT_REQ_RECV | FFA_PART_PROP_DIRECT_REQ_SEND | FFA_PART_PROP_AARCH64)
#define FFAMED_OPTEE_GET_API_VERSION	    0x0u
#define FFAMED_OPTEE_GET_OS_VERSION	    0x1u
#define FFAMED_OPTEE_EXCHANGE_CAPABILITIES  0x2u
#define FFAMED_OPTEE_UNREGISTER_SHM	    0x3u
#define FFAMED_OPTEE_ENABLE_ASYNC_NOTIF	    0x5u
#define FFAMED_OPTEE_YIELDING_CALL_WITH_ARG 0x80000000u
#define FFAMED_OPTEE_API_MAJOR		    1u
#define FFAMED_OPTEE_API_MINOR		    0u
#define FFAMED_OPTEE_OS_MAJOR		    4u
#define FFAMED_OPTEE_OS_MINOR		    0u
#define FFAMED_OPTEE_OS_BUILD_ID	    0xffa3ed00u
#define FFAMED_OPTEE_RPC_PARAMS		    4u
#define FFAMED_OPTEE_CAP_ARG_OFFSET	    (1u << 0)
#define FFAMED_OPTEE_CAP_ASYNC_NOTIF	    (1u << 1)
#define FFAMED_OPTEE_YIELDING_DONE	    0u
#define FFAMED_TEEC_SUCCESS		    0x00000000u
#define FFAMED_TEEC_ERROR_BAD_PARAMETERS    0xFFFF0006u
#define FFAMED_TEEC_ERROR_ITEM_NOT_FOUND    0xFFFF0008u
#define FFAMED_TEEC_ERROR_NOT_SUPPORTED	    0xFFFF000Au
#define FFAMED_TEEC_ORIGIN_TEE		    3u
/* struct optee_msg_arg: cmd at 0, ret at 20, ret_origin at 24. */
#define FFAMED_OPTEE_MSG_ARG_CMD	      0u
#define FFAMED_OPTEE_MSG_ARG_RET	      20u
#define FFAMED_OPTEE_MSG_ARG_RET_ORIGIN	      24u
#define FFAMED_OPTEE_MSG_ARG_HDR	      32u
#define FFAMED_OPTEE_MSG_CMD_CLOSE_SESSION    2u
#define FFAMED_OPTEE_MSG_CMD_STOP_ASYNC_NOTIF 7u

/* Calls per command: slots 0..5 for commands 0..5, then these two. */
#define FFAMED_OPTEE_SLOT_YIELDING 6
#define FFAMED_OPTEE_SLOT_UNKNOWN  7
#define FFAMED_OPTEE_SLOTS	   8

/*
 * How the SP reaches memory a VM shared with it (FFA_MEM_SHARE, retrieved
 * from the SPMC). map: the `len` bytes at `offset` in the memory `sender`
 * shared under `handle` (retrieving it on first use), NULL if unknown or out
 * of range; the bytes stay valid until release. release (may be NULL):
 * UNREGISTER_SHM said the SP is done with `handle` (relinquish it). Called
 * from the SP's request handler.
 */
struct ffamed_sp_optee_mem {
	void *ctx;
	void *(*map)(void *ctx, struct ffamed_sp *sp, uint16_t sender, uint64_t handle,
		     uint64_t offset, size_t len);
	void (*release)(void *ctx, struct ffamed_sp *sp, uint16_t sender, uint64_t handle);
};

/* Memory shared with the SP that it holds retrieved (the built-in provider). */
#define FFAMED_OPTEE_MAX_SHM 32
struct ffamed_sp_optee_shm {
	bool used;
	uint16_t sender;
	uint64_t handle;
	struct ffamed_sp_mem_region region;
};

struct ffamed_sp_optee {
	_Atomic uint64_t calls[FFAMED_OPTEE_SLOTS];
	_Atomic uint64_t notifs_set;	 /* ENABLE_ASYNC_NOTIF sets that succeeded */
	_Atomic uint64_t notif_failures; /* ... that the SPMC refused */
	_Atomic uint64_t args_answered;	 /* yielding calls answered through the arg */
	_Atomic(const struct ffamed_sp_optee_mem *) mem;
	/* The built-in provider, used unless ffamed_sp_optee_set_mem() gives
	 * another: it retrieves from the SPMC on first use and relinquishes
	 * on UNREGISTER_SHM. shm_lock (a spinlock) guards shm. */
	struct ffamed_sp_optee_mem builtin_mem;
	atomic_flag shm_lock;
	struct ffamed_sp_optee_shm shm[FFAMED_OPTEE_MAX_SHM];
	_Atomic uint64_t shm_retrieves; /* retrieves made by the built-in provider */
	_Atomic uint64_t shm_relinquishes;
};

FFAMED_API void ffamed_sp_optee_config(struct ffamed_sp_config *cfg, struct ffamed_sp_optee *state,
				       uint16_t id, uint16_t exec_ctx_count);
/* Give the SP another way to shared memory (NULL: none). By default it
 * uses the SPMC's SP-side retrieve (the built-in provider). */
FFAMED_API void ffamed_sp_optee_set_mem(struct ffamed_sp_optee *state,
					const struct ffamed_sp_optee_mem *mem);

/* ---- MEMSP (memory SP) -------------------------------------------------------
 * UUID 0ffa3ec0-5e1f-4c0d-8e5a-3e3e3e3e0001. Properties: DIRECT_REQ_RECV |
 * DIRECT_REQ2_RECV | AARCH64. UP (1 context) or MP. Payload P[0..] as for
 * the ECHO SP.
 *
 * Every request: P[0] = command, P[1] = handle low 32 bits, P[2] = handle
 * high 32 bits. Every answer: P[0] = command, P[1] = status (0 or the FF-A
 * error code as a 32-bit value), then per command:
 *   FFAMED_MEMSP_CMD_RETRIEVE, P[3] = access (FFAMED_MEMSP_ACCESS_RO/RW):
 *       retrieves the handle from the SPMC; P[2] = total pages, P[3] = number
 *       of retrieve-response fragments it took.
 *   FFAMED_MEMSP_CMD_READ32, P[3] = byte offset into the region
 *       (constituents concatenated in descriptor order): P[2] = the
 *       little-endian 32-bit word there.
 *   FFAMED_MEMSP_CMD_CHECKSUM, P[3] = byte offset, P[4] = length: P[2] =
 *       FNV-1a 32-bit (basis 0x811c9dc5, prime 0x01000193, per byte: xor then
 *       multiply) of those bytes.
 *   FFAMED_MEMSP_CMD_FILL, P[3] = byte offset, P[4] = (length << 8) | byte
 *       value: writes; DENIED if retrieved read-only.
 *   FFAMED_MEMSP_CMD_RELINQUISH: relinquishes (status from the SPMC).
 * Out-of-range offsets/lengths or an unretrieved handle: P[1] =
 * INVALID_PARAMETERS. The SP retrieves with tag 0 and (v1.2) a zero
 * implementation-defined value, and holds at most FFAMED_MEMSP_MAX_REGIONS
 * retrieves at once (NO_MEMORY beyond). A handle retrieved twice is held
 * twice: commands use the first, RELINQUISH drops the last.
 */
#define FFAMED_SP_MEMSP_UUID                                                                       \
	{                                                                                          \
		{                                                                                  \
			0x0f, 0xfa, 0x3e, 0xc0, 0x5e, 0x1f, 0x4c, 0x0d, 0x8e, 0x5a, 0x3e, 0x3e,    \
				0x3e, 0x3e, 0x00, 0x01                                             \
		}                                                                                  \
	}
#define FFAMED_SP_MEMSP_PROPS                                                                      \
	(FFA_PART_PROP_DIRECT_REQ_RECV | FFA_PART_PROP_DIRECT_REQ2_RECV | FFA_PART_PROP_AARCH64)
#define FFAMED_MEMSP_CMD_RETRIEVE   0x3E3E0001u
#define FFAMED_MEMSP_CMD_READ32	    0x3E3E0002u
#define FFAMED_MEMSP_CMD_CHECKSUM   0x3E3E0003u
#define FFAMED_MEMSP_CMD_FILL	    0x3E3E0004u
#define FFAMED_MEMSP_CMD_RELINQUISH 0x3E3E0005u
#define FFAMED_MEMSP_ACCESS_RO	    1u
#define FFAMED_MEMSP_ACCESS_RW	    2u
#define FFAMED_MEMSP_MAX_REGIONS    16 /* handles retrieved at once */

struct ffamed_sp_memsp_region {
	bool used;
	bool busy; /* being retrieved or relinquished */
	bool writable;
	struct ffamed_sp_mem_region mem;
};

/* Counters; read them with atomic_load. */
struct ffamed_sp_memsp {
	_Atomic uint64_t requests;
	_Atomic uint64_t retrieves;    /* successful */
	_Atomic uint64_t relinquishes; /* successful */
	_Atomic uint64_t failures;     /* answers with a non-zero status */
	/* What the SP holds: guarded by region_lock (a spinlock: the SP has no
	 * other lock to use), never held across a call into the SPMC. */
	atomic_flag region_lock;
	struct ffamed_sp_memsp_region regions[FFAMED_MEMSP_MAX_REGIONS];
};

FFAMED_API void ffamed_sp_memsp_config(struct ffamed_sp_config *cfg, struct ffamed_sp_memsp *state,
				       uint16_t id, uint16_t exec_ctx_count);

#ifdef __cplusplus
}
#endif

#endif /* FFAMED_SP_BUILTIN_H */
