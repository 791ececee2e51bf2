/* SPDX-License-Identifier: MIT */
/*
 * A whole simulated system: POSIX host, software SPMC with the built-in SPs
 * as the host's firmware, the mediator, and the initial VMs. Teardown runs
 * in the reverse order and measures what was left behind.
 */
#include <stdlib.h>
#include <string.h>

#include "sim_internal.h"

void ffamed_sim_default_config(struct ffamed_sim_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->vm_count = SIM_DEFAULT_VMS;
	cfg->vcpus_per_vm = SIM_DEFAULT_VCPUS;
	cfg->ram_pages_per_vm = SIM_DEFAULT_RAM;
}

/* The host's firmware conduit lands in the SPMC. */
static void sim_fw_call(void *fw_ctx, uint32_t cpu, struct ffamed_regs *regs)
{
	ffamed_spmc_call(fw_ctx, cpu, regs);
}

static int32_t sim_fill_config(const struct ffamed_sim_config *in, struct ffamed_sim_config *cfg)
{
	uint64_t vcpus;

	*cfg = *in;
	/* Only read during creation: do not keep the caller's pointer. */
	cfg->spmc_faults = NULL;
	if (!cfg->vcpus_per_vm)
		cfg->vcpus_per_vm = SIM_DEFAULT_VCPUS;
	if (!cfg->ram_pages_per_vm)
		cfg->ram_pages_per_vm = SIM_DEFAULT_RAM;
	/* The guest's RX/TX pair lives in its first two pages. */
	if (cfg->ram_pages_per_vm < 2 || cfg->vm_count > FFAMED_SIM_MAX_VMS)
		return FFA_RET_INVALID_PARAMETERS;
	vcpus = (uint64_t)cfg->vm_count * cfg->vcpus_per_vm;
	if (!cfg->cpu_count) {
		uint64_t want = vcpus + SIM_RESERVED_CPUS;

		if (want < SIM_MIN_CPUS)
			want = SIM_MIN_CPUS;
		cfg->cpu_count = want > FFAMED_SIM_MAX_CPUS ? 0 : (uint32_t)want;
		if (!cfg->cpu_count)
			return FFA_RET_NO_MEMORY;
	}
	if (cfg->cpu_count > FFAMED_SIM_MAX_CPUS)
		return FFA_RET_INVALID_PARAMETERS;
	if (vcpus + SIM_RESERVED_CPUS > cfg->cpu_count)
		return FFA_RET_NO_MEMORY;
	return FFA_RET_OK;
}

static int32_t sim_start_firmware(struct ffamed_sim *sim)
{
	struct ffamed_spmc_config scfg;
	uint16_t mp = (uint16_t)sim->cfg.cpu_count;

	/* MP SPs: one context per CPU that can call in. */
	ffamed_sp_echo_config(&sim->sp_cfgs[0], &sim->echo, FFAMED_SIM_ECHO_ID, mp);
	ffamed_sp_vmwatch_config(&sim->sp_cfgs[1], &sim->vmwatch, FFAMED_SIM_VMWATCH_ID, 1);
	ffamed_sp_optee_config(&sim->sp_cfgs[2], &sim->optee, FFAMED_SIM_OPTEE_ID, mp);
	ffamed_sp_memsp_config(&sim->sp_cfgs[3], &sim->memsp, FFAMED_SIM_MEMSP_ID, mp);

	memset(&scfg, 0, sizeof(scfg));
	scfg.sps = sim->sp_cfgs;
	scfg.sp_count = FFAMED_SIM_SP_COUNT;
	scfg.cpu_count = sim->cfg.cpu_count;
	ffamed_posix_spmc_env(sim->host, &sim->spmc_env);
	return ffamed_spmc_create(&sim->spmc_env, &scfg, &sim->spmc);
}

/* The physical SRI, on the host's deferred-work thread. */
static void sim_sri(void *ctx)
{
	struct ffamed_sim *sim = ctx;

	ffamed_handle_sri(sim->med);
}

int32_t ffamed_sim_create(const struct ffamed_sim_config *cfg, struct ffamed_sim **out)
{
	struct ffamed_posix_config pcfg;
	struct ffamed_config mcfg;
	struct ffamed_sim *sim;
	int32_t ret;

	*out = NULL;
	sim = calloc(1, sizeof(*sim));
	if (!sim)
		return FFA_RET_NO_MEMORY;
	pthread_mutex_init(&sim->vms_lock, NULL);
	ret = sim_fill_config(cfg, &sim->cfg);
	if (ret != FFA_RET_OK)
		goto fail;

	memset(&pcfg, 0, sizeof(pcfg));
	pcfg.seed = sim->cfg.seed;
	pcfg.cpu_count = sim->cfg.cpu_count;
	ret = ffamed_posix_host_create(&pcfg, &sim->host);
	if (ret != FFA_RET_OK)
		goto fail;

	ret = sim_start_firmware(sim);
	if (ret != FFA_RET_OK)
		goto fail;
	if (cfg->spmc_faults)
		ffamed_spmc_set_faults(sim->spmc, cfg->spmc_faults);
	ffamed_posix_set_firmware(sim->host, sim_fw_call, sim->spmc);

	memset(&mcfg, 0, sizeof(mcfg));
	mcfg.vm_to_vm = sim->cfg.vm_to_vm;
	ret = ffamed_create(ffamed_posix_host_ops(), sim->host, &mcfg, &sim->med);
	if (ret != FFA_RET_OK)
		goto fail;
	ffamed_posix_set_sri_handler(sim->host, sim_sri, sim);

	for (uint32_t i = 0; i < sim->cfg.vm_count; i++) {
		ret = ffamed_sim_vm_add(sim, (uint16_t)(i + 1), sim->cfg.vcpus_per_vm, NULL);
		if (ret != FFA_RET_OK)
			goto fail;
	}
	*out = sim;
	return FFA_RET_OK;

fail:
	ffamed_sim_destroy(sim);
	return ret;
}

void ffamed_sim_shutdown(struct ffamed_sim *sim, struct ffamed_sim_leaks *leaks)
{
	struct ffamed_sim_vm *vm;

	for (;;) {
		pthread_mutex_lock(&sim->vms_lock);
		vm = sim->vms;
		pthread_mutex_unlock(&sim->vms_lock);
		if (!vm)
			break;
		ffamed_sim_vm_remove(vm);
	}
	if (sim->host)
		ffamed_posix_set_sri_handler(sim->host, NULL, NULL);
	if (sim->med) {
		ffamed_destroy(sim->med);
		sim->med = NULL;
	}
	if (sim->spmc) {
		ffamed_posix_set_firmware(sim->host, NULL, NULL);
		ffamed_spmc_destroy(sim->spmc);
		sim->spmc = NULL;
	}
	sim->shut_down = true;

	if (!leaks)
		return;
	memset(leaks, 0, sizeof(*leaks));
	leaks->pinned_pages = atomic_load(&sim->leaked_pins);
	if (!sim->host)
		return;
	leaks->live_allocs = ffamed_posix_live_allocs(sim->host);
	leaks->spmc_live_allocs = ffamed_posix_spmc_live_allocs(sim->host);
	leaks->mapped_pages = ffamed_posix_mapped_pages(sim->host);
	leaks->live_vms = ffamed_posix_live_vms(sim->host);
	leaks->port_errors = ffamed_posix_error_count(sim->host);
}

void ffamed_sim_destroy(struct ffamed_sim *sim)
{
	if (!sim)
		return;
	if (!sim->shut_down)
		ffamed_sim_shutdown(sim, NULL);
	if (sim->host)
		ffamed_posix_host_destroy(sim->host);
	pthread_mutex_destroy(&sim->vms_lock);
	free(sim);
}

struct ffamed_posix_host *ffamed_sim_host(struct ffamed_sim *sim)
{
	return sim->host;
}

struct ffamed_spmc *ffamed_sim_spmc(struct ffamed_sim *sim)
{
	return sim->spmc;
}

struct ffamed *ffamed_sim_mediator(struct ffamed_sim *sim)
{
	return sim->med;
}

struct ffamed_sp_echo *ffamed_sim_echo(struct ffamed_sim *sim)
{
	return &sim->echo;
}

struct ffamed_sp_vmwatch *ffamed_sim_vmwatch(struct ffamed_sim *sim)
{
	return &sim->vmwatch;
}

struct ffamed_sp_optee *ffamed_sim_optee(struct ffamed_sim *sim)
{
	return &sim->optee;
}

struct ffamed_sp_memsp *ffamed_sim_memsp(struct ffamed_sim *sim)
{
	return &sim->memsp;
}

uint32_t ffamed_sim_cpu_count(const struct ffamed_sim *sim)
{
	return sim->cfg.cpu_count;
}

const struct ffamed_sp_config *ffamed_sim_sp_configs(const struct ffamed_sim *sim, uint32_t *count)
{
	if (count)
		*count = FFAMED_SIM_SP_COUNT;
	return sim->sp_cfgs;
}
