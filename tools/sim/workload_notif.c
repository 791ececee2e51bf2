/* SPDX-License-Identifier: MIT */
/*
 * The notification part of `ffamed sim`: every vCPU of every VM that
 * negotiated v1.1 or later sends, in each round,
 *   SP -> VM: it asks the ECHO SP to set a per-vCPU notification for it
 *             (the SPMC raises the SRI, the mediator's handler injects the
 *             NPI into that vCPU, the vCPU's NPI handler calls GET);
 *   VM -> VM: it sets a global notification on the next VM of the ring
 *             (the mediator injects the NPI into some vCPU of it);
 *   VM -> SP: it sets a notification on the ECHO SP, then asks the SP to
 *             read what VMs set for it.
 * A sender sets an ID again only once it was collected, so nothing is
 * merged: delivered must equal sent. Receivers only ever call GET on an
 * NPI (no polling), so a lost NPI shows as a round that never completes.
 */
#include <stdio.h>
#include <stdlib.h>

#include "workload.h"
#include "tool_clock.h"

#define ECHO	      FFAMED_SIM_ECHO_ID
#define NPI_INTID     8u
#define WAIT_SLICE_NS 1000000ull     /* one wait for an interrupt */
#define DEADLINE_NS   10000000000ull /* a round that takes this long lost something */
#define MAX_ROUNDS    50u

uint32_t workload_notif_rounds(const struct workload *run)
{
	return run->opt.iterations < MAX_ROUNDS ? run->opt.iterations : MAX_ROUNDS;
}

void workload_notif_plan(struct workload *run)
{
	struct workload_notif *n = &run->notif;

	n->ring = calloc(run->opt.vms, sizeof(*n->ring));
	if (!n->ring)
		abort();
	for (uint32_t i = 0; i < run->opt.vms; i++) {
		struct workload_vm *vm = &run->vms[i];

		vm->notif_index = -1;
		if (vm->version_asked < FFA_VERSION_1_1)
			continue;
		vm->notif_index = (int)n->vms;
		n->ring[n->vms++] = vm;
		n->vcpus += vm->vcpus;
	}
	atomic_store(&n->senders_left, n->vcpus);
}

/* ECHO's VM-class IDs: one per sending vCPU while they last. */
static int to_sp_id(const struct guest *g)
{
	unsigned id = (unsigned)g->vm->notif_index * g->vm->vcpus + g->vcpu;

	return id < 64 ? (int)id : -1;
}

static struct workload_vm *ring_next(const struct guest *g)
{
	const struct workload_notif *n = &g->run->notif;

	if (n->vms < 2)
		return NULL;
	return n->ring[((unsigned)g->vm->notif_index + 1) % n->vms];
}

static struct workload_vm *ring_prev(const struct guest *g)
{
	const struct workload_notif *n = &g->run->notif;

	if (n->vms < 2)
		return NULL;
	return n->ring[((unsigned)g->vm->notif_index + n->vms - 1) % n->vms];
}

/* An ECHO notification command; the SP's status, *bitmap its answer. */
static uint32_t echo_cmd(struct guest *g, uint32_t cmd, uint32_t flags, uint64_t bitmap,
			 uint64_t *out_bitmap)
{
	uint64_t args[5] = {cmd, flags, (uint32_t)bitmap, bitmap >> 32, 0}, out[5] = {0};
	char what[64];

	snprintf(what, sizeof(what), "ECHO notification command 0x%x", (unsigned)cmd);
	if (!guest_expect_ret(g, what, ffac_direct_req(&g->c, ECHO, false, args, out, NULL),
			      FFA_RET_OK))
		return (uint32_t)FFA_RET_ABORTED;
	atomic_fetch_add(&g->vm->echo_answers, 1);
	if (out_bitmap)
		*out_bitmap = (out[2] & 0xFFFFFFFFull) | (out[3] & 0xFFFFFFFFull) << 32;
	return (uint32_t)out[1];
}

/* What one NPI's GET collected. */
static void take_bits(struct guest *g, const struct ffac_notif_bits *got)
{
	struct workload_notif *n = &g->run->notif;
	const struct ffac_notif_bits bits = *got;

	if (!bits.sp && !bits.vm && !bits.spm_fwk && !bits.hyp_fwk)
		atomic_fetch_add(&n->empty_gets, 1);
	/* SP-class IDs are per-vCPU, ID v for vCPU v: only this one's. */
	if (bits.sp & ~(1ull << g->vcpu))
		guest_fail(g, "GET gave SP notifications 0x%llx, not this vCPU's",
			   (unsigned long long)bits.sp);
	for (unsigned b = 0; b < 64; b++) {
		if ((bits.sp >> b) & 1) {
			atomic_fetch_add(&g->vm->notif_sp_got[b % FFAMED_SIM_MAX_CPUS], 1);
			atomic_fetch_add(&n->sp_to_vm_delivered, 1);
		}
		if ((bits.vm >> b) & 1) {
			atomic_fetch_add(&g->vm->notif_vm_got[b % FFAMED_SIM_MAX_CPUS], 1);
			atomic_fetch_add(&n->vm_to_vm_delivered, 1);
		}
	}
	guest_expect_u64(g, "framework notifications", (uint64_t)bits.spm_fwk | bits.hyp_fwk, 0);
}

/* Takes the NPI if one came within a slice and runs the guest's handler. */
static void take_npi(struct guest *g)
{
	struct ffamed_posix_vm *pvm = ffamed_sim_vm_posix(g->svm);
	struct workload_notif *n = &g->run->notif;
	struct ffac_notif_bits bits;
	bool ok;

	if (!ffamed_posix_vcpu_wait_virq(pvm, g->vcpu, WAIT_SLICE_NS))
		return;
	if (!(ffamed_posix_vcpu_take_virqs(pvm, g->vcpu) & (1ull << NPI_INTID)))
		return;
	atomic_fetch_add(&n->npis, 1);
	g->conduit.on_interrupt = true;
	ok = guest_expect_ret(g, "NPI handler GET", ffac_notif_handle_npi(&g->c, g->vcpu, &bits),
			      FFA_RET_OK);
	if (ok)
		take_bits(g, &bits);
	g->conduit.on_interrupt = false;
}

/* Handles NPIs until *counter reaches want; false (and reported) at the
 * deadline. */
static bool wait_count(struct guest *g, const char *what, _Atomic uint64_t *counter, uint64_t want)
{
	uint64_t start = tool_now_ns();

	while (atomic_load(counter) < want) {
		if (tool_now_ns() - start > DEADLINE_NS) {
			guest_fail(g, "%s: %llu of %llu delivered: lost", what,
				   (unsigned long long)atomic_load(counter),
				   (unsigned long long)want);
			return false;
		}
		take_npi(g);
	}
	return true;
}

static bool wait_ready(struct guest *g)
{
	struct workload_notif *n = &g->run->notif;
	uint64_t start = tool_now_ns();

	while (atomic_load(&n->ready) < n->vcpus) {
		if (tool_now_ns() - start > DEADLINE_NS) {
			guest_fail(g, "notifications: other vCPUs never got ready");
			return false;
		}
		take_npi(g);
	}
	return true;
}

static bool notif_setup(struct guest *g)
{
	struct workload_vm *prev = ring_prev(g);
	int sp_id = to_sp_id(g);
	bool ok = true;

	if (!guest_expect_ret(g, "notification setup", ffac_notif_setup(&g->c, 0), FFA_RET_OK))
		return false;
	ok &= guest_expect_u64(g, "notification mode", g->c.notif_mode, FFAC_NOTIF_NPI);
	ok &= guest_expect_u64(g, "NPI interrupt ID", g->c.notif_intid, NPI_INTID);
	/* This vCPU's SP-class ID, from ECHO, per-vCPU. */
	ok &= guest_expect_ret(g, "BIND from ECHO",
			       ffac_notif_bind(&g->c, ECHO, true, 1ull << g->vcpu), FFA_RET_OK);
	/* vCPU v of the previous VM sends VM-class ID v. */
	if (prev)
		ok &= guest_expect_ret(g, "BIND from a VM",
				       ffac_notif_bind(&g->c, prev->id, false, 1ull << g->vcpu),
				       FFA_RET_OK);
	if (sp_id >= 0)
		ok &= guest_expect_u64(
			g, "ECHO binds a VM's ID",
			echo_cmd(g, FFAMED_ECHO_CMD_NOTIF_BIND, 0, 1ull << sp_id, NULL), 0);
	return ok;
}

static void account_to_sp(struct guest *g, uint64_t bitmap)
{
	for (unsigned b = 0; b < 64; b++) {
		if ((bitmap >> b) & 1) {
			atomic_fetch_add(&g->run->notif.to_sp_got[b], 1);
			atomic_fetch_add(&g->run->notif.vm_to_sp_delivered, 1);
		}
	}
}

static bool notif_round(struct guest *g, uint32_t k)
{
	struct workload_notif *n = &g->run->notif;
	struct workload_vm *next = ring_next(g);
	int sp_id = to_sp_id(g);
	uint64_t got = 0;

	/* SP -> VM, per-vCPU, through the SRI. */
	if (!guest_expect_u64(g, "ECHO sets a notification",
			      echo_cmd(g, FFAMED_ECHO_CMD_NOTIF_SET,
				       FFA_NOTIF_FLAG_PER_VCPU | ((uint32_t)g->vcpu << 16),
				       1ull << g->vcpu, NULL),
			      0))
		return false;
	atomic_fetch_add(&n->sp_to_vm_sent, 1);
	if (!wait_count(g, "SP->VM", &g->vm->notif_sp_got[g->vcpu], k + 1))
		return false;

	/* VM -> VM, global, once the last one was collected. */
	if (next) {
		if (!wait_count(g, "VM->VM", &next->notif_vm_got[g->vcpu], k))
			return false;
		if (!guest_expect_ret(g, "SET to a VM",
				      ffac_notif_set(&g->c, next->id, -1, 1ull << g->vcpu),
				      FFA_RET_OK))
			return false;
		atomic_fetch_add(&n->vm_to_vm_sent, 1);
	}

	/* VM -> SP, and the SP reads what VMs set for it. */
	if (sp_id >= 0) {
		if (!guest_expect_ret(g, "SET to ECHO",
				      ffac_notif_set(&g->c, ECHO, -1, 1ull << sp_id), FFA_RET_OK))
			return false;
		atomic_fetch_add(&n->vm_to_sp_sent, 1);
		if (echo_cmd(g, FFAMED_ECHO_CMD_NOTIF_GET, 0, 0, &got) != 0)
			return false;
		account_to_sp(g, got);
		/* Another VM's read may have taken it: it was counted there. */
		if (!wait_count(g, "VM->SP", &n->to_sp_got[sp_id], k + 1))
			return false;
	}
	return true;
}

void workload_notif_vcpu(struct guest *g)
{
	struct workload_notif *n = &g->run->notif;
	bool ok;

	if (g->vm->notif_index < 0) {
		/* v1.0: no notifications, whatever the guest asks. */
		guest_expect_ret(g, "notification setup (v1.0)", ffac_notif_setup(&g->c, 0),
				 FFA_RET_NOT_SUPPORTED);
		return;
	}
	g->in_setup = true;
	ok = notif_setup(g);
	atomic_fetch_add(&n->ready, 1);
	ok = ok && wait_ready(g);
	g->in_setup = false;
	for (uint32_t k = 0; ok && k < workload_notif_rounds(g->run); k++) {
		g->iter = k;
		ok = notif_round(g, k);
	}
	/* The last round's VM->VM set is only collected after it: a sender
	 * is done once the receiver took it, or the count would race. */
	if (ok && ring_next(g))
		wait_count(g, "VM->VM (last round)", &ring_next(g)->notif_vm_got[g->vcpu],
			   workload_notif_rounds(g->run));
	/* Keep taking NPIs until every sender is done: they may wait on us. */
	atomic_fetch_sub(&n->senders_left, 1);
	uint64_t start = tool_now_ns();
	while (atomic_load(&n->senders_left) > 0 && tool_now_ns() - start < DEADLINE_NS)
		take_npi(g);
}

void workload_notif_check(struct workload *run)
{
	struct workload_notif *n = &run->notif;

	workload_expect(run, "SP->VM notifications delivered vs sent",
			atomic_load(&n->sp_to_vm_delivered), atomic_load(&n->sp_to_vm_sent));
	workload_expect(run, "VM->VM notifications delivered vs sent",
			atomic_load(&n->vm_to_vm_delivered), atomic_load(&n->vm_to_vm_sent));
	workload_expect(run, "VM->SP notifications delivered vs sent",
			atomic_load(&n->vm_to_sp_delivered), atomic_load(&n->vm_to_sp_sent));
	free(n->ring);
	n->ring = NULL;
}
