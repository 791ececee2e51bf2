/* SPDX-License-Identifier: MIT */
/*
 * The guest program every vCPU of `ffamed sim` runs: negotiate, identify,
 * map the RX/TX pair (vCPU 0), ask FEATURES, then iterate discovery and
 * direct messages. Every answer is compared with what must come back;
 * refusals the ABI demands are counted as expected, anything else that
 * differs is recorded as unexpected.
 */
#include <stdio.h>
#include <string.h>

#include "ffamed/ffa_regs.h"
#include "workload.h"

#define ECHO  FFAMED_SIM_ECHO_ID
#define OPTEE FFAMED_SIM_OPTEE_ID
/* No partition has this ID. */
#define NO_SUCH_SP 0x8FFFu
/* What the mediator advertises as the largest RX/TX pair by default. */
#define MED_RXTX_MAX_PAGES 64u

static const struct ffa_uuid echo_uuid = FFAMED_SP_ECHO_UUID;
static const struct ffa_uuid optee_uuid = FFAMED_SP_OPTEE_UUID;
static const struct ffa_uuid vmwatch_uuid = FFAMED_SP_VMWATCH_UUID;

static uint32_t expected_props(uint32_t sp_props, uint32_t version)
{
	/* VM availability bits are for the hypervisor's eyes only. */
	sp_props &= ~(FFA_PART_PROP_VM_CREATED | FFA_PART_PROP_VM_DESTROYED);
	if (version < FFA_VERSION_1_1)
		return sp_props & FFA_PART_PROP_MASK_1_0;
	if (version < FFA_VERSION_1_2) /* bits 9 and 10 came with v1.2 */
		return sp_props & FFA_PART_PROP_MASK_1_1 &
		       ~(FFA_PART_PROP_DIRECT_REQ2_RECV | FFA_PART_PROP_DIRECT_REQ2_SEND);
	return sp_props & FFA_PART_PROP_MASK_1_2;
}

/* ---- Setup ------------------------------------------------------------------- */

static void guest_features(struct guest *g)
{
	bool v12 = g->c.version >= FFA_VERSION_1_2;
	int32_t want12 = v12 ? FFA_RET_OK : FFA_RET_NOT_SUPPORTED;
	uint32_t w2 = 0, w3 = 0;
	uint16_t spmc_id = 0;

	guest_expect_ret(g, "FEATURES(VERSION)", ffac_features(&g->c, FFA_VERSION, 0, NULL, NULL),
			 FFA_RET_OK);
	if (guest_expect_ret(g, "FEATURES(RXTX_MAP_64)",
			     ffac_features(&g->c, FFA_RXTX_MAP_64, 0, &w2, &w3), FFA_RET_OK)) {
		guest_expect_u64(g, "FEATURES(RXTX_MAP_64) minimum size", w2 & 0x3u,
				 FFA_RXTX_MAP_MIN_4K);
		/* The maximum-size field exists for v1.2 callers only. */
		guest_expect_u64(g, "FEATURES(RXTX_MAP_64) maximum pages",
				 w2 >> FFA_RXTX_MAP_MAX_PAGES_SHIFT, v12 ? MED_RXTX_MAX_PAGES : 0);
		guest_expect_u64(g, "FEATURES(RXTX_MAP_64) w3", w3, 0);
	}
	guest_expect_ret(g, "FEATURES(PARTITION_INFO_GET)",
			 ffac_features(&g->c, FFA_PARTITION_INFO_GET, 0, NULL, NULL), FFA_RET_OK);
	guest_expect_ret(g, "FEATURES(DIRECT_REQ_32)",
			 ffac_features(&g->c, FFA_MSG_SEND_DIRECT_REQ_32, 0, NULL, NULL),
			 FFA_RET_OK);
	guest_expect_ret(g, "FEATURES(DIRECT_REQ_64)",
			 ffac_features(&g->c, FFA_MSG_SEND_DIRECT_REQ_64, 0, NULL, NULL),
			 FFA_RET_OK);
	guest_expect_ret(g, "FEATURES(RUN)", ffac_features(&g->c, FFA_RUN, 0, NULL, NULL),
			 FFA_RET_OK);
	guest_expect_ret(g, "FEATURES(DIRECT_REQ2)",
			 ffac_features(&g->c, FFA_MSG_SEND_DIRECT_REQ2, 0, NULL, NULL), want12);
	guest_expect_ret(g, "FEATURES(PARTITION_INFO_GET_REGS)",
			 ffac_features(&g->c, FFA_PARTITION_INFO_GET_REGS, 0, NULL, NULL), want12);
	/* Gone after v1.0 and never offered by the mediator. */
	guest_expect_ret(g, "FEATURES(MSG_POLL)", ffac_features(&g->c, FFA_MSG_POLL, 0, NULL, NULL),
			 FFA_RET_NOT_SUPPORTED);
	/* Managed exit is an SP feature. */
	guest_expect_ret(g, "FEATURES(MEI)", ffac_features(&g->c, FFA_FEATURE_MEI, 0, NULL, NULL),
			 FFA_RET_NOT_SUPPORTED);

	if (g->c.version >= FFA_VERSION_1_1) {
		if (guest_expect_ret(g, "SPM_ID_GET", ffac_spm_id_get(&g->c, &spmc_id), FFA_RET_OK))
			guest_expect_u64(g, "SPM_ID_GET id", spmc_id, FFA_SPMC_ID_DEFAULT);
	} else {
		guest_expect_ret(g, "SPM_ID_GET (v1.0)", ffac_spm_id_get(&g->c, &spmc_id),
				 FFA_RET_NOT_SUPPORTED);
	}
}

static bool guest_setup(struct guest *g)
{
	uint16_t id = 0;
	int32_t ret;
	bool ok;

	ok = guest_expect_ret(g, "FFA_VERSION", ffac_negotiate(&g->c, g->vm->version_asked),
			      FFA_RET_OK);
	if (ok) {
		guest_expect_u64(g, "negotiated version", g->c.version, g->vm->version_asked);
		if (g->vcpu == 0)
			g->vm->version = g->c.version;
		ok = guest_expect_ret(g, "ID_GET", ffac_id_get(&g->c, &id), FFA_RET_OK) &&
		     guest_expect_u64(g, "ID_GET id", id, g->vm->id);
	}
	/* vCPU 0 maps (or fails to) whatever happened before: its siblings
	 * wait for the outcome. */
	if (g->vcpu == 0) {
		ret = ffamed_sim_guest_map_rxtx(g->svm, &g->c, 1);
		ok = ok && guest_expect_ret(g, "RXTX_MAP_64", ret, FFA_RET_OK);
	} else {
		ret = ffamed_sim_guest_adopt_rxtx(g->svm, &g->c);
		ok = ok && guest_expect_ret(g, "RX/TX pair of vCPU 0", ret, FFA_RET_OK);
	}
	if (ok)
		guest_features(g);
	return ok;
}

/* ---- Discovery ----------------------------------------------------------------- */

/* A VM listed to another VM (VM-to-VM is on): one of the system's, not the
 * caller, with its vCPU count and the messaging bits of an open system. */
static void check_vm_entry(struct guest *g, const char *what, const struct ffac_partition *p)
{
	const struct workload_vm *other = NULL;
	uint32_t props;

	for (uint32_t i = 0; i < g->run->opt.vms; i++)
		if (g->run->vms[i].id == p->id)
			other = &g->run->vms[i];
	if (!other || other == g->vm) {
		guest_fail(g, "%s: VM 0x%x listed", what, p->id);
		return;
	}
	guest_expect_u64(g, what, p->exec_ctx_count, other->vcpus);
	/* The simulated system is open (every right between VMs): the bits
	 * say what the peer can do (docs/MESSAGING.md). */
	props = FFA_PART_PROP_AARCH64;
	if (other->version_asked >= FFA_VERSION_1_1)
		props |= FFA_PART_PROP_NOTIFICATIONS | FFA_PART_PROP_INDIRECT_MSG;
	if (ffamed_posix_host_ops()->vcpu_resume) {
		props |= FFA_PART_PROP_DIRECT_REQ_RECV | FFA_PART_PROP_DIRECT_REQ_SEND;
		if (other->version_asked >= FFA_VERSION_1_2)
			props |= FFA_PART_PROP_DIRECT_REQ2_RECV | FFA_PART_PROP_DIRECT_REQ2_SEND;
	}
	guest_expect_u64(g, what, p->properties, expected_props(props, g->c.version));
}

/* The list must hold each built-in SP exactly once, as this guest's
 * version must see it, and maybe other VMs (those whose version is final). */
static void check_parts(struct guest *g, const char *what, const struct ffac_partition *parts,
			uint32_t count, bool uuids)
{
	uint32_t nsp, vms = 0;
	const struct ffamed_sp_config *sps = ffamed_sim_sp_configs(g->run->sim, &nsp);
	static const struct ffa_uuid nil;
	char label[96];

	for (uint32_t i = 0; i < count && i < WORKLOAD_MAX_PARTS; i++) {
		if (FFA_ID_IS_SECURE(parts[i].id))
			continue;
		vms++;
		snprintf(label, sizeof(label), "%s: VM 0x%x", what, parts[i].id);
		check_vm_entry(g, label, &parts[i]);
	}
	snprintf(label, sizeof(label), "%s: SP count", what);
	if (!guest_expect_u64(g, label, count - vms, nsp))
		return;
	for (uint32_t s = 0; s < nsp; s++) {
		const struct ffac_partition *p = NULL;
		const struct ffa_uuid *want_uuid = uuids ? &sps[s].uuids[0] : &nil;

		for (uint32_t i = 0; i < count; i++) {
			if (parts[i].id != sps[s].id)
				continue;
			if (p)
				guest_fail(g, "%s: SP 0x%x listed twice", what, sps[s].id);
			p = &parts[i];
		}
		if (!p) {
			guest_fail(g, "%s: SP 0x%x missing", what, sps[s].id);
			continue;
		}
		snprintf(label, sizeof(label), "%s: SP 0x%x contexts", what, sps[s].id);
		guest_expect_u64(g, label, p->exec_ctx_count, sps[s].exec_ctx_count);
		snprintf(label, sizeof(label), "%s: SP 0x%x properties", what, sps[s].id);
		guest_expect_u64(g, label, p->properties,
				 expected_props(sps[s].properties, g->c.version));
		if (ffa_uuid_equal(&p->uuid, want_uuid))
			atomic_fetch_add(&g->vm->checks, 1);
		else
			guest_fail(g, "%s: SP 0x%x UUID differs", what, sps[s].id);
	}
}

static void check_one(struct guest *g, const char *what, const struct ffac_partition *parts,
		      uint32_t count, uint16_t id)
{
	char label[96];

	snprintf(label, sizeof(label), "%s: partition count", what);
	if (guest_expect_u64(g, label, count, 1)) {
		snprintf(label, sizeof(label), "%s: partition ID", what);
		guest_expect_u64(g, label, parts[0].id, id);
	}
}

static void guest_discovery(struct guest *g)
{
	struct ffac_partition parts[WORKLOAD_MAX_PARTS];
	bool v11 = g->c.version >= FFA_VERSION_1_1;
	bool v12 = g->c.version >= FFA_VERSION_1_2;
	uint32_t count = 0;
	int32_t ret;

	/* The RX buffer is the VM's, shared by its vCPUs. */
	ffamed_sim_guest_rx_lock(g->svm);
	ret = ffac_partition_count(&g->c, NULL, &count);
	/* The SPs, and the other VMs whose version is final by now. */
	if (guest_expect_ret(g, "PARTITION_INFO_GET count", ret, FFA_RET_OK) &&
	    (count < FFAMED_SIM_SP_COUNT || count >= FFAMED_SIM_SP_COUNT + g->run->opt.vms))
		guest_fail(g, "PARTITION_INFO_GET count: %u", (unsigned)count);
	memset(parts, 0, sizeof(parts));
	ret = ffac_partition_list(&g->c, NULL, parts, WORKLOAD_MAX_PARTS, &count);
	if (guest_expect_ret(g, "PARTITION_INFO_GET list", ret, FFA_RET_OK)) {
		check_parts(g, "PARTITION_INFO_GET list", parts, count, v11);
		if (g->vcpu == 0 && g->iter == 0) {
			memcpy(g->vm->parts, parts, sizeof(parts));
			g->vm->part_count = count < WORKLOAD_MAX_PARTS ? count : WORKLOAD_MAX_PARTS;
		}
	}
	/* What Linux's OP-TEE driver asks. */
	ret = ffac_partition_list(&g->c, &optee_uuid, parts, WORKLOAD_MAX_PARTS, &count);
	if (guest_expect_ret(g, "PARTITION_INFO_GET(OP-TEE UUID)", ret, FFA_RET_OK))
		check_one(g, "PARTITION_INFO_GET(OP-TEE UUID)", parts, count, OPTEE);
	ffamed_sim_guest_rx_unlock(g->svm);

	if (v12) {
		memset(parts, 0, sizeof(parts));
		ret = ffac_partition_list_regs(&g->c, NULL, parts, WORKLOAD_MAX_PARTS, &count);
		if (guest_expect_ret(g, "PARTITION_INFO_GET_REGS", ret, FFA_RET_OK))
			check_parts(g, "PARTITION_INFO_GET_REGS", parts, count, true);
		ret = ffac_partition_list_regs(&g->c, &echo_uuid, parts, WORKLOAD_MAX_PARTS,
					       &count);
		if (guest_expect_ret(g, "PARTITION_INFO_GET_REGS(ECHO UUID)", ret, FFA_RET_OK))
			check_one(g, "PARTITION_INFO_GET_REGS(ECHO UUID)", parts, count, ECHO);
	} else if (g->iter == 0) {
		ret = ffac_partition_list_regs(&g->c, NULL, parts, WORKLOAD_MAX_PARTS, &count);
		guest_expect_ret(g, "PARTITION_INFO_GET_REGS before v1.2", ret,
				 FFA_RET_NOT_SUPPORTED);
	}
}

/* ---- Direct messages ------------------------------------------------------------ */

static uint64_t pattern(const struct guest *g, uint32_t i)
{
	uint64_t v = ((uint64_t)g->vm->id << 48) ^ ((uint64_t)g->vcpu << 40) ^
		     ((uint64_t)g->iter << 16) ^ ((uint64_t)g->run->opt.seed << 20) ^ (i + 1);

	/* Keep clear of the ECHO commands so that it echoes. */
	return v * 0x9E3779B97F4A7C15ull + 0x100000000ull;
}

static void echo_answered(struct guest *g, uint32_t resumes)
{
	atomic_fetch_add(&g->vm->echo_answers, 1);
	atomic_fetch_add(&g->vm->resumes, resumes);
}

static void guest_echo(struct guest *g, bool is64)
{
	uint64_t mask = is64 ? UINT64_MAX : UINT32_MAX;
	const char *what = is64 ? "DIRECT_REQ_64 echo" : "DIRECT_REQ_32 echo";
	uint64_t args[5], out[5] = {0};
	uint32_t resumes = 0;

	for (uint32_t i = 0; i < 5; i++)
		args[i] = pattern(g, i);
	if ((args[0] & mask) >= FFAMED_ECHO_CMD_WHOAMI && (args[0] & mask) <= FFAMED_ECHO_CMD_YIELD)
		args[0] ^= 0x10;
	if (!guest_expect_ret(g, what, ffac_direct_req(&g->c, ECHO, is64, args, out, &resumes),
			      FFA_RET_OK))
		return;
	echo_answered(g, resumes);
	for (uint32_t i = 0; i < 5; i++)
		guest_expect_u64(g, what, out[i], args[i] & mask);
	guest_expect_u64(g, "echo resumes", resumes, 0);
}

/* WHOAMI, optionally after being preempted/yielding `n` times. */
static void guest_whoami(struct guest *g, uint32_t cmd, uint32_t n, bool is64)
{
	uint64_t args[5] = {cmd, n, 0, 0, 0}, out[5] = {0};
	uint32_t resumes = 0;
	char what[64];

	snprintf(what, sizeof(what), "DIRECT_REQ_%s cmd 0x%x n %u", is64 ? "64" : "32",
		 (unsigned)cmd, (unsigned)n);
	if (!guest_expect_ret(g, what, ffac_direct_req(&g->c, ECHO, is64, args, out, &resumes),
			      FFA_RET_OK))
		return;
	echo_answered(g, resumes);
	guest_expect_u64(g, what, resumes, n);
	guest_expect_u64(g, what, out[0], cmd);
	guest_expect_u64(g, what, out[1], ECHO);
	/* MP SP: the context of the physical CPU the request came from. */
	guest_expect_u64(g, what, out[2], g->cpu);
	guest_expect_u64(g, what, out[3], g->vm->id);
	guest_expect_u64(g, what, out[4], n);
}

static void guest_req2(struct guest *g)
{
	uint64_t args[14], out[14] = {0};
	uint32_t resumes = 0;

	for (uint32_t i = 0; i < 14; i++)
		args[i] = pattern(g, 100 + i);
	if (guest_expect_ret(g, "DIRECT_REQ2 echo",
			     ffac_direct_req2(&g->c, ECHO, &echo_uuid, args, out, &resumes),
			     FFA_RET_OK)) {
		echo_answered(g, resumes);
		for (uint32_t i = 0; i < 14; i++)
			guest_expect_u64(g, "DIRECT_REQ2 echo", out[i], args[i]);
	}
	/* The partition's default service (Nil UUID), preempted once. */
	memset(args, 0, sizeof(args));
	args[0] = FFAMED_ECHO_CMD_INTERRUPT;
	args[1] = 1;
	if (guest_expect_ret(g, "DIRECT_REQ2 interrupt",
			     ffac_direct_req2(&g->c, ECHO, NULL, args, out, &resumes),
			     FFA_RET_OK)) {
		echo_answered(g, resumes);
		guest_expect_u64(g, "DIRECT_REQ2 interrupt resumes", resumes, 1);
		guest_expect_u64(g, "DIRECT_REQ2 interrupt sender", out[3], g->vm->id);
		guest_expect_u64(g, "DIRECT_REQ2 interrupt context", out[2], g->cpu);
	}
}

static void guest_optee(struct guest *g)
{
	uint64_t args[5] = {FFAMED_OPTEE_GET_API_VERSION}, out[5] = {0};

	if (guest_expect_ret(g, "OP-TEE GET_API_VERSION",
			     ffac_direct_req(&g->c, OPTEE, false, args, out, NULL), FFA_RET_OK)) {
		guest_expect_u64(g, "OP-TEE API major", out[0], FFAMED_OPTEE_API_MAJOR);
		guest_expect_u64(g, "OP-TEE API minor", out[1], FFAMED_OPTEE_API_MINOR);
	}
	args[0] = FFAMED_OPTEE_GET_OS_VERSION;
	if (guest_expect_ret(g, "OP-TEE GET_OS_VERSION",
			     ffac_direct_req(&g->c, OPTEE, false, args, out, NULL), FFA_RET_OK)) {
		guest_expect_u64(g, "OP-TEE OS major", out[0], FFAMED_OPTEE_OS_MAJOR);
		guest_expect_u64(g, "OP-TEE OS minor", out[1], FFAMED_OPTEE_OS_MINOR);
		guest_expect_u64(g, "OP-TEE OS build", out[2], FFAMED_OPTEE_OS_BUILD_ID);
	}
}

/* Requests the ABI makes the mediator refuse. */
static void guest_refusals(struct guest *g)
{
	uint64_t args[14] = {1}, out[14];
	struct ffamed_regs regs;

	guest_expect_ret(g, "DIRECT_REQ_64 to no partition",
			 ffac_direct_req(&g->c, NO_SUCH_SP, true, args, out, NULL),
			 FFA_RET_INVALID_PARAMETERS);
	if (g->c.version >= FFA_VERSION_1_2) {
		/* OP-TEE does not take REQ2; ECHO does not offer VMWATCH's service. */
		guest_expect_ret(g, "DIRECT_REQ2 to OP-TEE",
				 ffac_direct_req2(&g->c, OPTEE, NULL, args, out, NULL),
				 FFA_RET_DENIED);
		guest_expect_ret(g, "DIRECT_REQ2 with a foreign UUID",
				 ffac_direct_req2(&g->c, ECHO, &vmwatch_uuid, args, out, NULL),
				 FFA_RET_INVALID_PARAMETERS);
	} else {
		guest_expect_ret(g, "DIRECT_REQ2 before v1.2",
				 ffac_direct_req2(&g->c, ECHO, &echo_uuid, args, out, NULL),
				 FFA_RET_NOT_SUPPORTED);
	}
	/* FFA_RUN with nothing of ours preempted. */
	ffa_regs_clear(&regs);
	regs.x[0] = FFA_RUN;
	regs.x[1] = FFA_TARGET_INFO(ECHO, g->cpu);
	g->c.call(g->c.call_ctx, &regs);
	guest_expect_ret(g, "FFA_RUN with nothing to resume", ffa_result(&regs), FFA_RET_DENIED);
}

static void guest_messages(struct guest *g)
{
	guest_echo(g, false);
	guest_echo(g, true);
	guest_whoami(g, FFAMED_ECHO_CMD_WHOAMI, 0, true);
	guest_whoami(g, FFAMED_ECHO_CMD_INTERRUPT, 2, false);
	guest_whoami(g, FFAMED_ECHO_CMD_YIELD, 1, true);
	if (g->c.version >= FFA_VERSION_1_2)
		guest_req2(g);
	guest_optee(g);
	if (g->iter == 0)
		guest_refusals(g);
}

void workload_vcpu_main(struct ffamed_posix_vm *pvm, uint16_t vcpu, void *arg)
{
	struct workload_vcpu *rv = arg;
	struct guest g = {
		.run = rv->vm->run,
		.vm = rv->vm,
		.svm = rv->vm->svm,
		.vcpu = vcpu,
	};
	bool ready;

	g.cpu = ffamed_posix_current_cpu(ffamed_posix_vm_host(pvm));
	ffamed_sim_client_init(&g.c, &g.conduit, g.svm, vcpu);
	g.in_setup = true;
	ready = guest_setup(&g);
	/* Every VM's version is final before anyone lists partitions: which
	 * VMs a list holds must not depend on thread timing. */
	pthread_barrier_wait(&g.run->all_set_up);
	g.in_setup = false;
	for (g.iter = 0; ready && g.iter < g.run->opt.iterations; g.iter++) {
		guest_discovery(&g);
		guest_messages(&g);
		workload_memory_round(g.run, g.vm, g.svm, &g.c, vcpu, g.iter);
	}
	if (ready) {
		workload_notif_vcpu(&g);
	} else if (g.vm->notif_index >= 0) {
		/* Nobody waits for a vCPU that could not set up. */
		atomic_fetch_add(&g.run->notif.ready, 1);
		atomic_fetch_sub(&g.run->notif.senders_left, 1);
	}
	/* Like a guest powering off: the pair goes once nobody uses it. */
	g.in_setup = true;
	pthread_barrier_wait(&g.vm->done);
	if (vcpu == 0 && g.c.rxtx_mapped)
		guest_expect_ret(&g, "RXTX_UNMAP", ffamed_sim_guest_unmap_rxtx(g.svm, &g.c),
				 FFA_RET_OK);
}
