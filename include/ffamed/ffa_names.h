/* SPDX-License-Identifier: MIT */
/*
 * The one list of FF-A function IDs and error codes with their names, as
 * X-macros: a user defines X and expands the list into whatever it needs
 * (a const table, a switch). Plain preprocessor text, no code and no
 * includes beyond ffamed/ffa.h: the freestanding mediator core, the
 * simulator and the ports all take their names from here.
 *
 *   #define ROW(name) {name, #name},
 *   static const struct { uint32_t fid; const char *name; } t[] = {
 *           FFA_FID_LIST(ROW)};
 *
 * A function ID added to ffamed/ffa.h belongs here too:
 * scripts/abi-coverage.py refuses to generate the coverage table otherwise.
 */
#ifndef FFAMED_FFA_NAMES_H
#define FFAMED_FFA_NAMES_H

#include "ffamed/ffa.h"

/* X(FFA_NAME): every function ID of ffamed/ffa.h, 32- and 64-bit apart. */
#define FFA_FID_LIST(X)                                                                            \
	X(FFA_ERROR)                                                                               \
	X(FFA_ERROR_64)                                                                            \
	X(FFA_SUCCESS_32)                                                                          \
	X(FFA_SUCCESS_64)                                                                          \
	X(FFA_INTERRUPT)                                                                           \
	X(FFA_INTERRUPT_64)                                                                        \
	X(FFA_VERSION)                                                                             \
	X(FFA_FEATURES)                                                                            \
	X(FFA_RX_RELEASE)                                                                          \
	X(FFA_RXTX_MAP_32)                                                                         \
	X(FFA_RXTX_MAP_64)                                                                         \
	X(FFA_RXTX_UNMAP)                                                                          \
	X(FFA_PARTITION_INFO_GET)                                                                  \
	X(FFA_ID_GET)                                                                              \
	X(FFA_MSG_POLL)                                                                            \
	X(FFA_MSG_WAIT)                                                                            \
	X(FFA_MSG_WAIT_64)                                                                         \
	X(FFA_YIELD)                                                                               \
	X(FFA_YIELD_64)                                                                            \
	X(FFA_RUN)                                                                                 \
	X(FFA_RUN_64)                                                                              \
	X(FFA_MSG_SEND)                                                                            \
	X(FFA_MSG_SEND_DIRECT_REQ_32)                                                              \
	X(FFA_MSG_SEND_DIRECT_REQ_64)                                                              \
	X(FFA_MSG_SEND_DIRECT_RESP_32)                                                             \
	X(FFA_MSG_SEND_DIRECT_RESP_64)                                                             \
	X(FFA_MEM_DONATE_32)                                                                       \
	X(FFA_MEM_DONATE_64)                                                                       \
	X(FFA_MEM_LEND_32)                                                                         \
	X(FFA_MEM_LEND_64)                                                                         \
	X(FFA_MEM_SHARE_32)                                                                        \
	X(FFA_MEM_SHARE_64)                                                                        \
	X(FFA_MEM_RETRIEVE_REQ_32)                                                                 \
	X(FFA_MEM_RETRIEVE_REQ_64)                                                                 \
	X(FFA_MEM_RETRIEVE_RESP)                                                                   \
	X(FFA_MEM_RELINQUISH)                                                                      \
	X(FFA_MEM_RECLAIM)                                                                         \
	X(FFA_MEM_OP_PAUSE)                                                                        \
	X(FFA_MEM_OP_RESUME)                                                                       \
	X(FFA_MEM_FRAG_RX)                                                                         \
	X(FFA_MEM_FRAG_TX)                                                                         \
	X(FFA_NORMAL_WORLD_RESUME)                                                                 \
	X(FFA_NORMAL_WORLD_RESUME_64)                                                              \
	X(FFA_NOTIFICATION_BITMAP_CREATE)                                                          \
	X(FFA_NOTIFICATION_BITMAP_DESTROY)                                                         \
	X(FFA_NOTIFICATION_BIND)                                                                   \
	X(FFA_NOTIFICATION_UNBIND)                                                                 \
	X(FFA_NOTIFICATION_SET)                                                                    \
	X(FFA_NOTIFICATION_GET)                                                                    \
	X(FFA_NOTIFICATION_INFO_GET_32)                                                            \
	X(FFA_NOTIFICATION_INFO_GET_64)                                                            \
	X(FFA_RX_ACQUIRE)                                                                          \
	X(FFA_SPM_ID_GET)                                                                          \
	X(FFA_MSG_SEND2)                                                                           \
	X(FFA_SECONDARY_EP_REGISTER_32)                                                            \
	X(FFA_SECONDARY_EP_REGISTER_64)                                                            \
	X(FFA_MEM_PERM_GET_32)                                                                     \
	X(FFA_MEM_PERM_GET_64)                                                                     \
	X(FFA_MEM_PERM_SET_32)                                                                     \
	X(FFA_MEM_PERM_SET_64)                                                                     \
	X(FFA_CONSOLE_LOG_32)                                                                      \
	X(FFA_CONSOLE_LOG_64)                                                                      \
	X(FFA_PARTITION_INFO_GET_REGS)                                                             \
	X(FFA_EL3_INTR_HANDLE)                                                                     \
	X(FFA_MSG_SEND_DIRECT_REQ2)                                                                \
	X(FFA_MSG_SEND_DIRECT_RESP2)                                                               \
	X(FFA_NS_RES_INFO_GET)                                                                     \
	X(FFA_ABORT_32)                                                                            \
	X(FFA_ABORT_64)

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
