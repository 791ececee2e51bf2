/* SPDX-License-Identifier: MIT */
/*
 * Messaging between VMs (docs/MESSAGING.md), measured on a second mediator
 * with VM-to-VM on, an open policy and a port that resumes blocked calls
 * by storing the reply in a slot. One thread plays both VMs of a pair:
 * a blocked call's reply is in its slot as soon as the other side's call
 * returns, so an op is the mediator's whole cost of a round trip without
 * any thread switch (which is the host's cost, not the mediator's).
 * Pairs of different threads share nothing.
 */
#include <stdlib.h>
#include <string.h>

#include "bench.h"

#define MSG_PAYLOAD 64u

struct msg_slot {
	struct ffamed_regs regs;
	bool resumed;
	char pad[64];
};

static struct ffamed *msg_med;
static struct ffamed_host_ops msg_ops;
static struct bench_vm msg_vms[2 * BENCH_VMS];
static struct msg_slot msg_slots[2 * BENCH_VMS][BENCH_VCPUS];

static void msg_resume(void *host, void *host_vm, uint16_t vcpu, const struct ffamed_regs *regs)
{
	struct bench_vm *v = host_vm;
	struct msg_slot *slot = &msg_slots[v - msg_vms][vcpu];

	(void)host;
	slot->regs = *regs;
	slot->resumed = true;
}

static bool msg_take(uint32_t vm, uint16_t vcpu, struct ffamed_regs *out)
{
	struct msg_slot *slot = &msg_slots[vm][vcpu];

	if (!slot->resumed)
		return false;
	*out = slot->regs;
	slot->resumed = false;
	return true;
}

static int msg_call(uint32_t vm, uint16_t vcpu, struct ffamed_regs *r)
{
	return (int)ffamed_handle_call(msg_vms[vm].vm, vcpu, r);
}

int bench_msg_setup(struct bench_sys *s)
{
	struct ffamed_config cfg = {.vm_to_vm = true};
	struct ffamed_regs r;

	msg_ops = s->ops;
	msg_ops.fw_call = bench_no_firmware; /* VM-to-VM needs none */
	msg_ops.vcpu_resume = msg_resume;
	if (ffamed_create(&msg_ops, s, &cfg, &msg_med) != FFA_RET_OK)
		return -1;
	memset(msg_slots, 0, sizeof(msg_slots));
	for (uint32_t i = 0; i < 2 * BENCH_VMS; i++) {
		struct bench_vm *v = &msg_vms[i];
		struct ffamed_vm_params p = {.ffa_id = (uint16_t)(0x40 + i),
					     .vcpu_count = BENCH_VCPUS,
					     .aarch64 = true,
					     .host_vm = v,
					     .policy = &bench_policy_open};

		v->id = p.ffa_id;
		v->ram_pages = 0;
		v->ram = aligned_alloc(FFA_PAGE_SIZE, (size_t)BENCH_RAM_PAGES * FFA_PAGE_SIZE);
		if (!v->ram || ffamed_vm_create(msg_med, &p, &v->vm) != FFA_RET_OK)
			return -1;
		memset(v->ram, 0, (size_t)BENCH_RAM_PAGES * FFA_PAGE_SIZE);
		ffa_regs_clear(&r);
		r.x[0] = FFA_VERSION;
		r.x[1] = FFA_VERSION_1_2;
		msg_call(i, 0, &r);
		ffa_regs_clear(&r);
		r.x[0] = FFA_RXTX_MAP_64;
		r.x[1] = BENCH_TX_IPA;
		r.x[2] = BENCH_RX_IPA;
		r.x[3] = 1;
		msg_call(i, 0, &r);
		if (!ffa_is_success(&r))
			return -1;
	}
	/* Every odd VM serves on vCPU 0. */
	for (uint32_t i = 1; i < 2 * BENCH_VMS; i += 2) {
		ffa_regs_clear(&r);
		r.x[0] = FFA_MSG_WAIT;
		if (msg_call(i, 0, &r) != FFAMED_CALL_BLOCKED)
			return -1;
	}
	return 0;
}

int bench_msg_teardown(struct bench_sys *s)
{
	(void)s;
	for (uint32_t i = 0; i < 2 * BENCH_VMS; i++) {
		if (msg_vms[i].vm) {
			/* The servers' waits end before their VM does. */
			ffamed_vcpu_interrupt(msg_vms[i].vm, 0);
			ffamed_vm_destroy(msg_vms[i].vm);
		}
		msg_vms[i].vm = NULL;
		free(msg_vms[i].ram);
		msg_vms[i].ram = NULL;
	}
	ffamed_destroy(msg_med);
	msg_med = NULL;
	return 0;
}

/* REQ_64 from the even VM's vCPU 0 to the odd VM waiting on vCPU 0, which
 * answers RESP_64 (and so waits again). */
int bench_msg_direct_med(struct bench_ctx *c)
{
	uint32_t a = 2 * c->index, b = a + 1;
	uint64_t token = (uint64_t)c->index << 32 | 0x5EED;
	struct ffamed_regs r;

	ffa_regs_clear(&r);
	r.x[0] = FFA_MSG_SEND_DIRECT_REQ_64;
	r.x[1] = FFA_SENDER_RECEIVER(msg_vms[a].id, msg_vms[b].id);
	r.x[3] = token;
	if (msg_call(a, 0, &r) != FFAMED_CALL_BLOCKED || !msg_take(b, 0, &r) ||
	    r.x[0] != FFA_MSG_SEND_DIRECT_REQ_64 || r.x[3] != token)
		return 1;
	ffa_regs_clear(&r);
	r.x[0] = FFA_MSG_SEND_DIRECT_RESP_64;
	r.x[1] = FFA_SENDER_RECEIVER(msg_vms[b].id, msg_vms[a].id);
	r.x[3] = token + 1;
	if (msg_call(b, 0, &r) != FFAMED_CALL_BLOCKED || !msg_take(a, 0, &r))
		return 2;
	return r.x[0] != FFA_MSG_SEND_DIRECT_RESP_64 || r.x[3] != token + 1;
}

/* One indirect message from VM `from` to VM `to` and its consumption: the
 * sender writes a v1.2 header and payload in its TX and sends; the
 * receiver's NPI handler GETs the hypervisor framework bits, reads the RX
 * and releases it. */
static int msg_send2_one(uint32_t from, uint32_t to, uint64_t token)
{
	uint8_t *tx = msg_vms[from].ram + (BENCH_TX_IPA - BENCH_IPA_BASE);
	const uint8_t *rx = msg_vms[to].ram + (BENCH_RX_IPA - BENCH_IPA_BASE);
	struct ffa_msg_hdr hdr = {
		.offset = FFA_MSG_HDR_SIZE_1_2,
		.sender = msg_vms[from].id,
		.receiver = msg_vms[to].id,
		.size = MSG_PAYLOAD,
	};
	struct ffa_msg_hdr got;
	uint64_t echoed;
	struct ffamed_regs r;

	memcpy(tx, &hdr, sizeof(hdr));
	memcpy(tx + sizeof(hdr), &token, sizeof(token));
	ffa_regs_clear(&r);
	r.x[0] = FFA_MSG_SEND2;
	msg_call(from, 0, &r);
	if (r.x[0] != FFA_SUCCESS_32)
		return 1;
	ffa_regs_clear(&r);
	r.x[0] = FFA_NOTIFICATION_GET;
	r.x[1] = msg_vms[to].id;
	r.x[2] = FFA_NOTIF_GET_HYP_FWK;
	msg_call(to, 0, &r);
	if (r.x[0] != FFA_SUCCESS_32 || !(r.x[7] & FFA_FWK_NOTIF_RX_FULL))
		return 2;
	memcpy(&got, rx, sizeof(got));
	memcpy(&echoed, rx + got.offset, sizeof(echoed));
	if (got.sender != msg_vms[from].id || got.size != MSG_PAYLOAD || echoed != token)
		return 3;
	ffa_regs_clear(&r);
	r.x[0] = FFA_RX_RELEASE;
	msg_call(to, 0, &r);
	return r.x[0] != FFA_SUCCESS_32 ? 4 : 0;
}

/* A round trip: there and back. */
int bench_msg_send2_med(struct bench_ctx *c)
{
	uint32_t a = 2 * c->index, b = a + 1;
	uint64_t token = (uint64_t)c->index << 32 | 0xCAFE;
	int rc = msg_send2_one(a, b, token);

	return rc ? rc : msg_send2_one(b, a, token + 1);
}
