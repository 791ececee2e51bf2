/* SPDX-License-Identifier: MIT */
/*
 * The firmware behind fw_call in the default image (ffamed-el2.elf): the
 * software SPMC with its OP-TEE-protocol SP, running at EL2 on the calling
 * CPU. Its SRI is not a physical interrupt: it sets the same pending flag
 * the physical SRI sets in the real-firmware image, handled when the CPU
 * leaves EL2.
 */
#include <stdatomic.h>

#include "el2.h"
#include "ffamed/sp_builtin.h"
#include "ffamed/spmc.h"

#define OPTEE_SP_ID 0x8001

static struct ffamed_spmc *spmc;
static struct ffamed_sp_optee optee_state;
static struct ffamed_sp_config sp_cfgs[1];

const char *const fw_name = "software SPMC (built in)";

static void *pa_map(void *ctx, uint64_t pa, size_t len)
{
	(void)ctx;
	if (pa < RAM_BASE || len > RAM_END - RAM_BASE || pa - RAM_BASE > RAM_END - RAM_BASE - len)
		return NULL;
	return (void *)(uintptr_t)pa; /* the SPMC sees NS RAM through our identity map */
}

static void raise_sri(void *ctx, uint32_t cpu)
{
	(void)ctx;
	(void)cpu;
	sri_raise();
}

void fw_init(uint32_t ncpus)
{
	struct ffamed_spmc_config scfg = {0};
	struct ffamed_spmc_env env = {0};
	int32_t ret;

	svc_fill_spmc_env(&env);
	env.pa_map = pa_map;
	env.raise_sri = raise_sri;
	ffamed_sp_optee_config(&sp_cfgs[0], &optee_state, OPTEE_SP_ID, (uint16_t)ncpus);
	scfg.sps = sp_cfgs;
	scfg.sp_count = 1;
	scfg.cpu_count = ncpus;
	scfg.max_vms = 4;
	ret = ffamed_spmc_create(&env, &scfg, &spmc);
	if (ret != FFA_RET_OK)
		el2_panic("SPMC: create failed %d", (int)ret);
}

void fw_call_here(struct ffamed_regs *regs)
{
	ffamed_spmc_call(spmc, el2_cpu(), regs);
}

void fw_setup_sri(void)
{
	el2_printf("ffamed-el2: SRI: raised by the software SPMC (no physical interrupt)\n");
}

void fw_fini(void)
{
	ffamed_spmc_destroy(spmc);
	spmc = NULL;
}

void fw_report(void)
{
	el2_printf("ffamed: OP-TEE SP calls: api=%u os=%u caps=%u unreg=%u async=%u yielding=%u\n",
		   (unsigned)atomic_load(&optee_state.calls[FFAMED_OPTEE_GET_API_VERSION]),
		   (unsigned)atomic_load(&optee_state.calls[FFAMED_OPTEE_GET_OS_VERSION]),
		   (unsigned)atomic_load(&optee_state.calls[FFAMED_OPTEE_EXCHANGE_CAPABILITIES]),
		   (unsigned)atomic_load(&optee_state.calls[FFAMED_OPTEE_UNREGISTER_SHM]),
		   (unsigned)atomic_load(&optee_state.calls[FFAMED_OPTEE_ENABLE_ASYNC_NOTIF]),
		   (unsigned)atomic_load(&optee_state.calls[FFAMED_OPTEE_SLOT_YIELDING]));
}
