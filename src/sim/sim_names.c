/* SPDX-License-Identifier: MIT */
/* Names of FF-A function IDs and error codes, for reports. */
#include <stddef.h>

#include "sim_internal.h"

struct sim_name {
	uint32_t value;
	const char *name;
};

#define N(x)                                                                                       \
	{                                                                                          \
		x, #x                                                                              \
	}
static const struct sim_name fid_names[] = {
	N(FFA_ERROR),
	N(FFA_ERROR_64),
	N(FFA_SUCCESS_32),
	N(FFA_SUCCESS_64),
	N(FFA_INTERRUPT),
	N(FFA_INTERRUPT_64),
	N(FFA_VERSION),
	N(FFA_FEATURES),
	N(FFA_RX_RELEASE),
	N(FFA_RXTX_MAP_32),
	N(FFA_RXTX_MAP_64),
	N(FFA_RXTX_UNMAP),
	N(FFA_PARTITION_INFO_GET),
	N(FFA_ID_GET),
	N(FFA_MSG_POLL),
	N(FFA_MSG_WAIT),
	N(FFA_MSG_WAIT_64),
	N(FFA_YIELD),
	N(FFA_YIELD_64),
	N(FFA_RUN),
	N(FFA_RUN_64),
	N(FFA_MSG_SEND),
	N(FFA_MSG_SEND_DIRECT_REQ_32),
	N(FFA_MSG_SEND_DIRECT_REQ_64),
	N(FFA_MSG_SEND_DIRECT_RESP_32),
	N(FFA_MSG_SEND_DIRECT_RESP_64),
	N(FFA_MEM_DONATE_32),
	N(FFA_MEM_DONATE_64),
	N(FFA_MEM_LEND_32),
	N(FFA_MEM_LEND_64),
	N(FFA_MEM_SHARE_32),
	N(FFA_MEM_SHARE_64),
	N(FFA_MEM_RETRIEVE_REQ_32),
	N(FFA_MEM_RETRIEVE_REQ_64),
	N(FFA_MEM_RETRIEVE_RESP),
	N(FFA_MEM_RELINQUISH),
	N(FFA_MEM_RECLAIM),
	N(FFA_MEM_OP_PAUSE),
	N(FFA_MEM_OP_RESUME),
	N(FFA_MEM_FRAG_RX),
	N(FFA_MEM_FRAG_TX),
	N(FFA_NORMAL_WORLD_RESUME),
	N(FFA_NORMAL_WORLD_RESUME_64),
	N(FFA_NOTIFICATION_BITMAP_CREATE),
	N(FFA_NOTIFICATION_BITMAP_DESTROY),
	N(FFA_NOTIFICATION_BIND),
	N(FFA_NOTIFICATION_UNBIND),
	N(FFA_NOTIFICATION_SET),
	N(FFA_NOTIFICATION_GET),
	N(FFA_NOTIFICATION_INFO_GET_32),
	N(FFA_NOTIFICATION_INFO_GET_64),
	N(FFA_RX_ACQUIRE),
	N(FFA_SPM_ID_GET),
	N(FFA_MSG_SEND2),
	N(FFA_SECONDARY_EP_REGISTER_32),
	N(FFA_SECONDARY_EP_REGISTER_64),
	N(FFA_MEM_PERM_GET_32),
	N(FFA_MEM_PERM_GET_64),
	N(FFA_MEM_PERM_SET_32),
	N(FFA_MEM_PERM_SET_64),
	N(FFA_CONSOLE_LOG_32),
	N(FFA_CONSOLE_LOG_64),
	N(FFA_PARTITION_INFO_GET_REGS),
	N(FFA_EL3_INTR_HANDLE),
	N(FFA_MSG_SEND_DIRECT_REQ2),
	N(FFA_MSG_SEND_DIRECT_RESP2),
	N(FFA_NS_RES_INFO_GET),
	N(FFA_ABORT_32),
	N(FFA_ABORT_64),
};

static const struct sim_name error_names[] = {
	{(uint32_t)FFA_RET_OK, "OK"},
	{(uint32_t)FFA_RET_NOT_SUPPORTED, "NOT_SUPPORTED"},
	{(uint32_t)FFA_RET_INVALID_PARAMETERS, "INVALID_PARAMETERS"},
	{(uint32_t)FFA_RET_NO_MEMORY, "NO_MEMORY"},
	{(uint32_t)FFA_RET_BUSY, "BUSY"},
	{(uint32_t)FFA_RET_INTERRUPTED, "INTERRUPTED"},
	{(uint32_t)FFA_RET_DENIED, "DENIED"},
	{(uint32_t)FFA_RET_RETRY, "RETRY"},
	{(uint32_t)FFA_RET_ABORTED, "ABORTED"},
	{(uint32_t)FFA_RET_NO_DATA, "NO_DATA"},
	{(uint32_t)FFA_RET_NOT_READY, "NOT_READY"},
};
#undef N

static const char *sim_lookup(const struct sim_name *table, size_t n, uint32_t value)
{
	for (size_t i = 0; i < n; i++)
		if (table[i].value == value)
			return table[i].name;
	return NULL;
}

const char *ffamed_sim_fid_name(uint32_t fid)
{
	return sim_lookup(fid_names, sizeof(fid_names) / sizeof(fid_names[0]),
			  fid & ~FFA_SMCCC_SVE_HINT);
}

const char *ffamed_sim_error_name(int32_t err)
{
	return sim_lookup(error_names, sizeof(error_names) / sizeof(error_names[0]), (uint32_t)err);
}
