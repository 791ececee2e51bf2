/* SPDX-License-Identifier: MIT */
/*
 * The messaging part of `ffamed sim` (docs/MESSAGING.md), run after the
 * main workload on fresh vCPU threads. VMs that negotiated v1.1 or later
 * pair up (1st with 2nd, 3rd with 4th, ...). In each VM, vCPU 1 serves
 * direct requests (a blocked FFA_MSG_WAIT, answered with the payload plus
 * one) and is offline for interrupts, so that every NPI goes to vCPU 0,
 * which plays the guest kernel:
 *   direct:    N requests to the peer VM's server, each answer checked;
 *   indirect:  ping-pong with the peer, N round trips of FFA_MSG_SEND2,
 *              each message read on the NPI that its RX-full brings;
 *   SP -> VM:  N times, ECHO is asked to send it a message (an SP
 *              originates it), and N times it sends ECHO a message that
 *              ECHO sends back (VM -> SP -> VM), each read on its NPI.
 * Every message carries a token that is checked on arrival: sent must
 * equal delivered for each kind.
 */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "workload.h"
#include "tool_clock.h"

#define ECHO		FFAMED_SIM_ECHO_ID
#define MSG_ROUNDS_MAX	20u
#define WAIT_SLICE_NS	1000000ull
#define MSG_DEADLINE_NS 10000000000ull /* a message this late was lost */

static uint32_t msg_rounds(const struct workload *run)
{
	return run->opt.iterations < MSG_ROUNDS_MAX ? run->opt.iterations : MSG_ROUNDS_MAX;
}

/* A guest's client for an existing vCPU whose VM's version is final. */
static void msg_client(struct guest *g, struct workload_vm *vm, uint16_t vcpu)
{
	memset(g, 0, sizeof(*g));
	g->run = vm->run;
	g->vm = vm;
	g->svm = vm->svm;
	g->vcpu = vcpu;
	ffamed_sim_client_init(&g->c, &g->conduit, vm->svm, vcpu);
	g->c.version = vm->version;
	g->c.id = vm->id;
}

/* ---- vCPU 1: the server ------------------------------------------------------ */

static int msg_echo_plus_one(void *ctx, const struct ffac_direct_msg *msg, uint64_t resp[14])
{
	struct workload_vm *vm = ctx;

	for (uint32_t i = 0; i < msg->words; i++)
		resp[i] = msg->payload[i] + 1;
	atomic_fetch_add(&vm->msg_served, 1);
	return FFAC_DIRECT_RESPOND;
}

static void msg_server_main(struct ffamed_posix_vm *pvm, uint16_t vcpu, void *arg)
{
	struct workload_vm *vm = arg;
	struct guest g;
	int32_t ret;

	(void)pvm;
	msg_client(&g, vm, vcpu);
	ret = ffac_direct_serve(&g.c, msg_echo_plus_one, vm, &vm->run->msg.stop, NULL);
	if (ret != FFA_RET_OK)
		workload_unexpected(vm->run, vm, "vCPU %u: serving direct requests: %d", vcpu,
				    (int)ret);
	atomic_store(&vm->msg_server_done, true);
}

/* ---- vCPU 0: the guest kernel ------------------------------------------------------ */

/*
 * Waits for the NPI, GETs, and reads the one message the RX can hold:
 * returns FFA_RET_OK with it, or an error (the deadline passed: lost).
 */
static int32_t msg_receive(struct guest *g, struct ffac_msg *msg, uint64_t *token)
{
	uint64_t deadline = tool_now_ns() + MSG_DEADLINE_NS;
	struct ffamed_posix_vm *pvm = ffamed_sim_vm_posix(g->svm);
	struct ffac_notif_bits bits;
	int32_t ret;

	while (tool_now_ns() < deadline) {
		if (!ffamed_posix_vcpu_wait_virq(pvm, g->vcpu, WAIT_SLICE_NS))
			continue;
		ffamed_posix_vcpu_take_virqs(pvm, g->vcpu);
		g->conduit.on_interrupt = true;
		ret = ffac_notif_handle_npi(&g->c, g->vcpu, &bits);
		g->conduit.on_interrupt = false;
		if (ret != FFA_RET_OK)
			return ret;
		if (!((bits.hyp_fwk | bits.spm_fwk) & FFA_FWK_NOTIF_RX_FULL))
			continue; /* another class of notification: not ours here */
		ffamed_sim_guest_rx_lock(g->svm);
		ret = ffac_msg_read(&g->c, msg, token, sizeof(*token));
		ffamed_sim_guest_rx_unlock(g->svm);
		return ret;
	}
	return FFA_RET_ABORTED;
}

/* SEND2 with BUSY retried (the receiver still reads the previous one). */
static int32_t msg_send(struct guest *g, uint16_t to, uint64_t token)
{
	uint64_t deadline = tool_now_ns() + MSG_DEADLINE_NS;
	int32_t ret;

	do {
		ret = ffac_msg_send2(&g->c, to, NULL, &token, sizeof(token));
		if (ret != FFA_RET_BUSY)
			return ret;
		sched_yield();
	} while (tool_now_ns() < deadline);
	return ret;
}

static void msg_direct_part(struct guest *g, struct workload_vm *peer)
{
	struct workload_msg *m = &g->run->msg;
	uint64_t deadline = tool_now_ns() + MSG_DEADLINE_NS;

	for (uint32_t k = 0; k < msg_rounds(g->run); k++) {
		uint64_t args[5] = {(uint64_t)g->vm->id << 32 | k, k, 0, 0, 0}, out[5];
		int32_t ret;

		/* BUSY until the peer's server waits. */
		while ((ret = ffac_direct_req(&g->c, peer->id, true, args, out, NULL)) ==
			       FFA_RET_BUSY &&
		       tool_now_ns() < deadline)
			sched_yield();
		atomic_fetch_add(&m->direct_sent, 1);
		if (!guest_expect_ret(g, "direct request to a VM", ret, FFA_RET_OK) ||
		    !guest_expect_u64(g, "direct response", out[0], args[0] + 1))
			continue;
		atomic_fetch_add(&m->direct_answered, 1);
	}
}

/* Ping-pong: the pair's first VM pings, the second pongs, N rounds. */
static void msg_indirect_part(struct guest *g, struct workload_vm *peer, bool pinger)
{
	struct workload_msg *m = &g->run->msg;
	struct ffac_msg msg = {0};
	uint64_t token = 0;

	for (uint32_t k = 0; k < msg_rounds(g->run); k++) {
		uint64_t want = (uint64_t)(pinger ? g->vm->id : peer->id) << 32 | k;

		if (pinger) {
			atomic_fetch_add(&m->indirect_sent, 1);
			if (!guest_expect_ret(g, "SEND2 ping", msg_send(g, peer->id, want),
					      FFA_RET_OK))
				return;
		}
		if (!guest_expect_ret(g, pinger ? "pong" : "ping", msg_receive(g, &msg, &token),
				      FFA_RET_OK) ||
		    !guest_expect_u64(g, "message sender", msg.sender, peer->id) ||
		    !guest_expect_u64(g, "message token", token, pinger ? want + 1 : want))
			return;
		atomic_fetch_add(&m->indirect_delivered, 1);
		if (!pinger) {
			atomic_fetch_add(&m->indirect_sent, 1);
			if (!guest_expect_ret(g, "SEND2 pong", msg_send(g, peer->id, want + 1),
					      FFA_RET_OK))
				return;
		}
	}
}

static void msg_sp_part(struct guest *g)
{
	struct workload_msg *m = &g->run->msg;
	struct ffac_msg msg = {0};
	uint64_t token = 0;

	for (uint32_t k = 0; k < msg_rounds(g->run); k++) {
		uint64_t want = (uint64_t)g->vm->id << 48 | 0x5F0000u | k;
		uint64_t args[5] = {FFAMED_ECHO_CMD_SEND2, g->vm->id, 0, 1, want}, out[5];

		/* ECHO originates a message to us. */
		atomic_fetch_add(&m->sp_to_vm_sent, 1);
		if (!guest_expect_ret(g, "ECHO SEND2 command",
				      ffac_direct_req(&g->c, ECHO, true, args, out, NULL),
				      FFA_RET_OK) ||
		    (atomic_fetch_add(&g->vm->echo_answers, 1), false) ||
		    !guest_expect_u64(g, "ECHO's send status", out[1], FFA_RET_OK) ||
		    !guest_expect_ret(g, "SP message", msg_receive(g, &msg, &token), FFA_RET_OK) ||
		    !guest_expect_u64(g, "SP message sender", msg.sender, ECHO) ||
		    !guest_expect_u64(g, "SP message token", token, want))
			continue;
		atomic_fetch_add(&m->sp_to_vm_delivered, 1);

		/* We send ECHO a message; it sends it back. */
		want ^= 0xE0000000ull;
		atomic_fetch_add(&m->vm_to_sp_sent, 1);
		if (!guest_expect_ret(g, "SEND2 to ECHO", msg_send(g, ECHO, want), FFA_RET_OK) ||
		    !guest_expect_ret(g, "ECHO's echo", msg_receive(g, &msg, &token), FFA_RET_OK) ||
		    !guest_expect_u64(g, "echo sender", msg.sender, ECHO) ||
		    !guest_expect_u64(g, "echo token", token, want))
			continue;
		atomic_fetch_add(&m->vm_to_sp_delivered, 1);
	}
}

static void msg_kernel_main(struct ffamed_posix_vm *pvm, uint16_t vcpu, void *arg)
{
	struct workload_vm *vm = arg;
	struct workload_vm *peer = vm->msg_peer;
	struct guest g;

	(void)pvm;
	msg_client(&g, vm, vcpu);
	if (!guest_expect_ret(&g, "RXTX_MAP", ffamed_sim_guest_map_rxtx(vm->svm, &g.c, 1),
			      FFA_RET_OK) ||
	    !guest_expect_ret(&g, "notification setup", ffac_notif_setup(&g.c, 0), FFA_RET_OK))
		return;
	if (peer) {
		msg_direct_part(&g, peer);
		/* Both ends are here before the first ping: its NPI must find
		 * the peer listening. Nothing else is pending for either. */
		pthread_barrier_wait(vm->msg_pair);
		msg_indirect_part(&g, peer, vm->msg_pinger);
		pthread_barrier_wait(vm->msg_pair);
	}
	msg_sp_part(&g);
	guest_expect_ret(&g, "RXTX_UNMAP", ffamed_sim_guest_unmap_rxtx(vm->svm, &g.c), FFA_RET_OK);
}

/* ---- The phase ---------------------------------------------------------------------- */

void workload_msg_phase(struct workload *run)
{
	struct workload_msg *m = &run->msg;
	struct workload_vm *first = NULL;
	pthread_barrier_t *pairs;
	uint32_t npairs = 0;

	atomic_store(&m->stop, false);
	pairs = calloc(run->opt.vms, sizeof(*pairs));
	if (!pairs)
		abort();
	for (uint32_t i = 0; i < run->opt.vms; i++) {
		struct workload_vm *vm = &run->vms[i];

		vm->msg_on = vm->version >= FFA_VERSION_1_1 && vm->vcpus >= 2;
		if (!vm->msg_on)
			continue;
		if (!first) {
			first = vm;
			continue;
		}
		pthread_barrier_init(&pairs[npairs], NULL, 2);
		first->msg_peer = vm;
		first->msg_pinger = true;
		vm->msg_peer = first;
		first->msg_pair = vm->msg_pair = &pairs[npairs++];
		first = NULL;
	}
	m->pairs = npairs;
	for (uint32_t i = 0; i < run->opt.vms; i++) {
		struct workload_vm *vm = &run->vms[i];

		if (!vm->msg_on)
			continue;
		/* Every NPI to vCPU 0; the servers only wait for requests. */
		for (uint16_t v = 1; v < vm->vcpus; v++)
			ffamed_sim_vcpu_set_online(vm->svm, v, false);
		if (ffamed_sim_vcpu_start(vm->svm, 1, msg_server_main, vm) != FFA_RET_OK ||
		    ffamed_sim_vcpu_start(vm->svm, 0, msg_kernel_main, vm) != FFA_RET_OK) {
			fprintf(stderr, "ffamed sim: cannot start vCPU threads\n");
			exit(1);
		}
	}
	for (uint32_t i = 0; i < run->opt.vms; i++)
		if (run->vms[i].msg_on)
			ffamed_sim_vcpu_join(run->vms[i].svm, 0);
	/* Every kernel is done: the servers stop at their next interrupt. */
	atomic_store(&m->stop, true);
	for (uint32_t i = 0; i < run->opt.vms; i++) {
		struct workload_vm *vm = &run->vms[i];

		if (!vm->msg_on)
			continue;
		/* It may not be waiting yet: until it took an interrupt (it
		 * then sees stop) or ended on its own. */
		while (!atomic_load(&vm->msg_server_done) && !ffamed_sim_vcpu_interrupt(vm->svm, 1))
			sched_yield();
		ffamed_sim_vcpu_join(vm->svm, 1);
		for (uint16_t v = 1; v < vm->vcpus; v++)
			ffamed_sim_vcpu_set_online(vm->svm, v, true);
	}
	for (uint32_t p = 0; p < npairs; p++)
		pthread_barrier_destroy(&pairs[p]);
	free(pairs);
}

void workload_msg_check(struct workload *run)
{
	struct workload_msg *m = &run->msg;
	uint64_t served = 0;
	uint32_t sp_vms = 0;

	for (uint32_t i = 0; i < run->opt.vms; i++) {
		served += atomic_load(&run->vms[i].msg_served);
		sp_vms += run->vms[i].msg_on;
	}
	workload_expect(run, "direct requests between VMs answered",
			atomic_load(&m->direct_answered), (uint64_t)2 * m->pairs * msg_rounds(run));
	workload_expect(run, "direct requests served", served, atomic_load(&m->direct_sent));
	workload_expect(run, "indirect messages between VMs delivered",
			atomic_load(&m->indirect_delivered), atomic_load(&m->indirect_sent));
	workload_expect(run, "indirect messages between VMs sent", atomic_load(&m->indirect_sent),
			(uint64_t)2 * m->pairs * msg_rounds(run));
	workload_expect(run, "SP -> VM messages delivered", atomic_load(&m->sp_to_vm_delivered),
			(uint64_t)sp_vms * msg_rounds(run));
	workload_expect(run, "VM -> SP -> VM echoes delivered", atomic_load(&m->vm_to_sp_delivered),
			(uint64_t)sp_vms * msg_rounds(run));
}
