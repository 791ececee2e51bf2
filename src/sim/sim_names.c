/* SPDX-License-Identifier: MIT */
/* Names of FF-A function IDs, error codes and built-in SPs, for reports. */
#include <stddef.h>

#include "ffamed/ffa_names.h"
#include "sim_internal.h"

struct sim_name {
	uint32_t value;
	const char *name;
};

#define FID_ROW(fid, since, handler) {fid, #fid},
static const struct sim_name fid_names[] = {FFA_FID_LIST(FID_ROW)};
#undef FID_ROW

#define ERROR_ROW(code, name) {(uint32_t)(code), #name},
static const struct sim_name error_names[] = {{(uint32_t)FFA_RET_OK, "OK"},
					      FFA_ERROR_LIST(ERROR_ROW)};
#undef ERROR_ROW

static const struct sim_name partition_names[] = {
	{FFAMED_SIM_ECHO_ID, "ECHO"},
	{FFAMED_SIM_VMWATCH_ID, "VMWATCH"},
	{FFAMED_SIM_OPTEE_ID, "OP-TEE"},
	{FFAMED_SIM_MEMSP_ID, "MEMSP"},
};

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

const char *ffamed_sim_partition_name(uint16_t id)
{
	return sim_lookup(partition_names, sizeof(partition_names) / sizeof(partition_names[0]),
			  id);
}
