/* SPDX-License-Identifier: MIT */
/*
 * The one list of FF-A function IDs and error codes with their names, as
 * X-macros: a user defines X and expands the list into whatever it needs
 * (a const table, a switch). Plain preprocessor text, no code and no
 * includes beyond ffamed/ffa.h: the freestanding mediator core, the
 * simulator and the ports all take their names from here.
 *
 *   #define ROW(name, since, handler) {name, #name},
 *   static const struct { uint32_t fid; const char *name; } t[] = {
 *           FFA_FID_LIST(ROW)};
 *
 * A function ID added to ffamed/ffa.h belongs here too:
 * scripts/abi-coverage.py refuses to generate the coverage table otherwise.
 */
#ifndef FFAMED_FFA_NAMES_H
#define FFAMED_FFA_NAMES_H

#include "ffamed/ffa.h"

/*
 * X(FFA_NAME, since, handler): every function ID of ffamed/ffa.h, 32- and
 * 64-bit apart, one row each.
 *   since:   the minor version (FF-A 1.since) that defines it: the mediator
 *            serves it to guests of that version or later only;
 *   handler: the mediator's handler, med_handle_<handler>() in src/mediator
 *            (docs/ADDING-AN-ABI.md says where each lives); `none` and
 *            `answer` (an ID a guest receives, never calls) refuse with
 *            NOT_SUPPORTED, for the reason in the row's comment.
 */
#define FFA_FID_LIST(X)                                                                            \
	X(FFA_ERROR, 0, answer)	       /* an answer, not a call */                                 \
	X(FFA_ERROR_64, 0, answer)     /* an answer, not a call */                                 \
	X(FFA_SUCCESS_32, 0, answer)   /* an answer, not a call */                                 \
	X(FFA_SUCCESS_64, 0, answer)   /* an answer, not a call */                                 \
	X(FFA_INTERRUPT, 0, answer)    /* an answer, not a call */                                 \
	X(FFA_INTERRUPT_64, 0, answer) /* an answer, not a call */                                 \
	X(FFA_VERSION, 0, version)     /* answered before the version gate */                      \
	X(FFA_FEATURES, 0, features)                                                               \
	X(FFA_RX_RELEASE, 0, rx_release)                                                           \
	X(FFA_RXTX_MAP_32, 0, rxtx_map)                                                            \
	X(FFA_RXTX_MAP_64, 0, rxtx_map)                                                            \
	X(FFA_RXTX_UNMAP, 0, rxtx_unmap)                                                           \
	X(FFA_PARTITION_INFO_GET, 0, partition_info_get)                                           \
	X(FFA_ID_GET, 0, id_get)                                                                   \
	X(FFA_MSG_POLL, 0, none) /* v1.0 indirect messaging: removed in v1.1 */                    \
	X(FFA_MSG_WAIT, 0, msg_wait)                                                               \
	X(FFA_MSG_WAIT_64, 3, none) /* v1.3: not built */                                          \
	X(FFA_YIELD, 0, yield)                                                                     \
	X(FFA_YIELD_64, 3, none) /* v1.3: not built */                                             \
	X(FFA_RUN, 0, run)                                                                         \
	X(FFA_RUN_64, 3, none)	 /* v1.3: not built */                                             \
	X(FFA_MSG_SEND, 0, none) /* v1.0 indirect messaging: removed in v1.1 */                    \
	X(FFA_MSG_SEND_DIRECT_REQ_32, 0, direct_req)                                               \
	X(FFA_MSG_SEND_DIRECT_REQ_64, 0, direct_req)                                               \
	X(FFA_MSG_SEND_DIRECT_RESP_32, 0, direct_resp)                                             \
	X(FFA_MSG_SEND_DIRECT_RESP_64, 0, direct_resp)                                             \
	X(FFA_MEM_DONATE_32, 0, mem_send)                                                          \
	X(FFA_MEM_DONATE_64, 0, mem_send)                                                          \
	X(FFA_MEM_LEND_32, 0, mem_send)                                                            \
	X(FFA_MEM_LEND_64, 0, mem_send)                                                            \
	X(FFA_MEM_SHARE_32, 0, mem_send)                                                           \
	X(FFA_MEM_SHARE_64, 0, mem_send)                                                           \
	X(FFA_MEM_RETRIEVE_REQ_32, 0, mem_retrieve)                                                \
	X(FFA_MEM_RETRIEVE_REQ_64, 0, mem_retrieve)                                                \
	X(FFA_MEM_RETRIEVE_RESP, 0, answer) /* the relayer's answer, not a call */                 \
	X(FFA_MEM_RELINQUISH, 0, mem_relinquish)                                                   \
	X(FFA_MEM_RECLAIM, 0, mem_reclaim)                                                         \
	X(FFA_MEM_OP_PAUSE, 0, none)  /* time slicing: not built */                                \
	X(FFA_MEM_OP_RESUME, 0, none) /* time slicing: not built */                                \
	X(FFA_MEM_FRAG_RX, 0, mem_frag_rx)                                                         \
	X(FFA_MEM_FRAG_TX, 0, mem_frag_tx)                                                         \
	X(FFA_NORMAL_WORLD_RESUME, 0, none)	    /* secure side only */                         \
	X(FFA_NORMAL_WORLD_RESUME_64, 0, none)	    /* secure side only */                         \
	X(FFA_NOTIFICATION_BITMAP_CREATE, 1, none)  /* the mediator owns VM bitmaps */             \
	X(FFA_NOTIFICATION_BITMAP_DESTROY, 1, none) /* the mediator owns VM bitmaps */             \
	X(FFA_NOTIFICATION_BIND, 1, notif_bind)                                                    \
	X(FFA_NOTIFICATION_UNBIND, 1, notif_bind)                                                  \
	X(FFA_NOTIFICATION_SET, 1, notif_set)                                                      \
	X(FFA_NOTIFICATION_GET, 1, notif_get)                                                      \
	X(FFA_NOTIFICATION_INFO_GET_32, 1, notif_info_get)                                         \
	X(FFA_NOTIFICATION_INFO_GET_64, 1, notif_info_get)                                         \
	X(FFA_RX_ACQUIRE, 1, none) /* hypervisor -> SPMC only */                                   \
	X(FFA_SPM_ID_GET, 1, spm_id_get)                                                           \
	X(FFA_MSG_SEND2, 1, msg_send2)                                                             \
	X(FFA_SECONDARY_EP_REGISTER_32, 1, none) /* secure side only */                            \
	X(FFA_SECONDARY_EP_REGISTER_64, 1, none) /* secure side only */                            \
	X(FFA_MEM_PERM_GET_32, 1, none)		 /* S-EL0 partitions only */                       \
	X(FFA_MEM_PERM_GET_64, 1, none)		 /* S-EL0 partitions only */                       \
	X(FFA_MEM_PERM_SET_32, 1, none)		 /* S-EL0 partitions only */                       \
	X(FFA_MEM_PERM_SET_64, 1, none)		 /* S-EL0 partitions only */                       \
	X(FFA_CONSOLE_LOG_32, 2, none)		 /* partitions only */                             \
	X(FFA_CONSOLE_LOG_64, 2, none)		 /* partitions only */                             \
	X(FFA_PARTITION_INFO_GET_REGS, 2, partition_info_get_regs)                                 \
	X(FFA_EL3_INTR_HANDLE, 2, none) /* secure side only */                                     \
	X(FFA_MSG_SEND_DIRECT_REQ2, 2, direct_req)                                                 \
	X(FFA_MSG_SEND_DIRECT_RESP2, 2, direct_resp)                                               \
	X(FFA_NS_RES_INFO_GET, 3, none) /* v1.3: not built */                                      \
	X(FFA_ABORT_32, 3, none)	/* v1.3: not built */                                      \
	X(FFA_ABORT_64, 3, none)	/* v1.3: not built */

/* X(FFA_RET_NAME, NAME): every error code (FFA_ERROR w2) but FFA_RET_OK. */
#define FFA_ERROR_LIST(X)                                                                          \
	X(FFA_RET_NOT_SUPPORTED, NOT_SUPPORTED)                                                    \
	X(FFA_RET_INVALID_PARAMETERS, INVALID_PARAMETERS)                                          \
	X(FFA_RET_NO_MEMORY, NO_MEMORY)                                                            \
	X(FFA_RET_BUSY, BUSY)                                                                      \
	X(FFA_RET_INTERRUPTED, INTERRUPTED)                                                        \
	X(FFA_RET_DENIED, DENIED)                                                                  \
	X(FFA_RET_RETRY, RETRY)                                                                    \
	X(FFA_RET_ABORTED, ABORTED)                                                                \
	X(FFA_RET_NO_DATA, NO_DATA)                                                                \
	X(FFA_RET_NOT_READY, NOT_READY)

#endif /* FFAMED_FFA_NAMES_H */
