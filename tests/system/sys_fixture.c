/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sys_fixture.h"

struct ffamed_sim *sys_create(uint32_t vms, uint16_t vcpus, bool vm_to_vm, uint32_t cpu_count)
{
	struct ffamed_sim_config cfg;
	struct ffamed_sim *sim = NULL;

	ffamed_sim_default_config(&cfg);
	cfg.vm_count = vms;
	cfg.vcpus_per_vm = vcpus;
	cfg.vm_to_vm = vm_to_vm;
	cfg.cpu_count = cpu_count;
	assert_int_equal(ffamed_sim_create(&cfg, &sim), FFA_RET_OK);
	assert_non_null(sim);
	return sim;
}

void sys_shutdown(struct ffamed_sim *sim)
{
	struct ffamed_sim_leaks leaks;

	ffamed_sim_shutdown(sim, &leaks);
	assert_int_equal(leaks.pinned_pages, 0);
	assert_int_equal(leaks.live_allocs, 0);
	assert_int_equal(leaks.spmc_live_allocs, 0);
	assert_int_equal(leaks.mapped_pages, 0);
	assert_int_equal(leaks.live_vms, 0);
	assert_int_equal(leaks.port_errors, 0);
}

void sys_finish(struct ffamed_sim *sim)
{
	sys_shutdown(sim);
	ffamed_sim_destroy(sim);
}

void sys_guest_init(struct sys_guest *g, struct ffamed_sim_vm *vm, uint16_t vcpu)
{
	memset(g, 0, sizeof(*g));
	g->vm = vm;
	g->vcpu = vcpu;
	ffamed_sim_client_init(&g->c, &g->conduit, vm, vcpu);
}

void sys_guest_up(struct sys_guest *g, uint32_t version, bool map)
{
	uint16_t id = 0;

	assert_int_equal(ffac_negotiate(&g->c, version), FFA_RET_OK);
	assert_int_equal(g->c.version, version);
	assert_int_equal(ffac_id_get(&g->c, &id), FFA_RET_OK);
	assert_int_equal(id, ffamed_sim_vm_id(g->vm));
	if (map)
		assert_int_equal(ffamed_sim_guest_map_rxtx(g->vm, &g->c, 1), FFA_RET_OK);
}

void sys_guest_raw(struct sys_guest *g, struct ffamed_regs *regs)
{
	ffamed_sim_guest_call(g->vm, g->vcpu, regs);
}

uint32_t sys_expected_props(uint32_t sp_props, uint32_t version)
{
	sp_props &= ~(FFA_PART_PROP_VM_CREATED | FFA_PART_PROP_VM_DESTROYED);
	if (version < FFA_VERSION_1_1)
		return sp_props & FFA_PART_PROP_MASK_1_0;
	if (version < FFA_VERSION_1_2)
		return sp_props & FFA_PART_PROP_MASK_1_1 &
		       ~(FFA_PART_PROP_DIRECT_REQ2_RECV | FFA_PART_PROP_DIRECT_REQ2_SEND);
	return sp_props & FFA_PART_PROP_MASK_1_2;
}

void sys_assert_sp_list(struct ffamed_sim *sim, const struct ffac_partition *parts, uint32_t n,
			uint32_t version, bool uuids)
{
	sys_assert_sp_list_without(sim, parts, n, version, uuids, 0);
}

void sys_assert_sp_list_without(struct ffamed_sim *sim, const struct ffac_partition *parts,
				uint32_t n, uint32_t version, bool uuids, uint32_t cleared)
{
	uint32_t nsp;
	const struct ffamed_sp_config *sps = ffamed_sim_sp_configs(sim, &nsp);
	static const struct ffa_uuid nil;

	assert_int_equal(n, nsp);
	for (uint32_t s = 0; s < nsp; s++) {
		uint32_t seen = 0;

		for (uint32_t i = 0; i < n; i++) {
			if (parts[i].id != sps[s].id)
				continue;
			seen++;
			assert_int_equal(parts[i].exec_ctx_count, sps[s].exec_ctx_count);
			assert_int_equal(parts[i].properties,
					 sys_expected_props(sps[s].properties, version) & ~cleared);
			assert_memory_equal(parts[i].uuid.b, uuids ? sps[s].uuids[0].b : nil.b, 16);
		}
		assert_int_equal(seen, 1);
	}
}

void sys_echo(struct sys_guest *g, bool is64, uint64_t seed)
{
	uint64_t mask = is64 ? UINT64_MAX : UINT32_MAX;
	uint64_t args[5], out[5] = {0};
	uint32_t resumes = 7;

	for (int i = 0; i < 5; i++)
		args[i] = (seed + (uint64_t)i) * 0x9E3779B97F4A7C15ull | 0x100000000ull;
	assert_int_equal(ffac_direct_req(&g->c, FFAMED_SIM_ECHO_ID, is64, args, out, &resumes),
			 FFA_RET_OK);
	assert_int_equal(resumes, 0);
	for (int i = 0; i < 5; i++)
		assert_int_equal(out[i], args[i] & mask);
}

void sys_whoami(struct sys_guest *g, uint32_t cmd, uint32_t n, bool is64)
{
	uint64_t args[5] = {cmd, n}, out[5] = {0};
	uint32_t resumes = 99;
	struct ffamed_sim *sim = ffamed_sim_vm_sim(g->vm);

	assert_int_equal(ffac_direct_req(&g->c, FFAMED_SIM_ECHO_ID, is64, args, out, &resumes),
			 FFA_RET_OK);
	assert_int_equal(resumes, n);
	assert_int_equal(out[0], cmd);
	assert_int_equal(out[1], FFAMED_SIM_ECHO_ID);
	/* MP SP: the context of the CPU the request came from. */
	assert_int_equal(out[2], ffamed_posix_current_cpu(ffamed_sim_host(sim)));
	assert_int_equal(out[3], ffamed_sim_vm_id(g->vm));
	assert_int_equal(out[4], n);
}
