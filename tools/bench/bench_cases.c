/* SPDX-License-Identifier: MIT */
/*
 * The bench cases: one row per ABI's common path, each made through the
 * mediator (a guest's trapped call into ffamed_handle_call) and straight
 * into the software SPMC (ffamed_spmc_call as the hypervisor, ID 0, would
 * make it). Adding an ABI is one op pair and one table entry; the slots at
 * the end of the table name what is still to come.
 *
 * Every op checks its answer, so that a bench never times a failure.
 */
#include <string.h>

#include "bench.h"

/* ---- Calls -------------------------------------------------------------------- */

static inline bool med_call(struct bench_ctx *c, struct ffamed_regs *r)
{
	return ffamed_handle_call(c->vm->vm, c->vcpu, r);
}

static inline void dir_call(struct bench_ctx *c, struct ffamed_regs *r)
{
	ffamed_spmc_call(c->sys->dspmc, bench_cpu(), r);
}

static inline void regs_set(struct ffamed_regs *r, uint64_t x0, uint64_t x1, uint64_t x2,
			    uint64_t x3, uint64_t x4)
{
	ffa_regs_clear(r);
	r->x[0] = x0;
	r->x[1] = x1;
	r->x[2] = x2;
	r->x[3] = x3;
	r->x[4] = x4;
}

static struct ffamed_sp *med_echo(struct bench_ctx *c)
{
	return ffamed_spmc_find_sp(c->sys->spmc, BENCH_ECHO_ID);
}

static struct ffamed_sp *dir_echo(struct bench_ctx *c)
{
	return ffamed_spmc_find_sp(c->sys->dspmc, BENCH_ECHO_ID);
}

/* ---- The harness alone ------------------------------------------------------------- */

static __attribute__((noinline)) bool null_call(struct ffamed_vm *vm, uint16_t vcpu,
						struct ffamed_regs *r)
{
	__asm__ volatile("" : : "r"(vm), "r"(vcpu), "r"(r) : "memory");
	return true;
}

int bench_harness_op(struct bench_ctx *c)
{
	struct ffamed_regs r;

	regs_set(&r, FFA_ID_GET, 0, 0, 0, 0);
	null_call(c->vm->vm, c->vcpu, &r);
	return r.x[0] != FFA_ID_GET;
}

/* ---- VERSION, ID_GET, FEATURES: answered by the mediator itself ------------------ */

static int version_med(struct bench_ctx *c)
{
	struct ffamed_regs r;

	regs_set(&r, FFA_VERSION, FFA_VERSION_1_2, 0, 0, 0);
	med_call(c, &r);
	return r.x[0] != FFA_VERSION_1_2;
}

static int version_dir(struct bench_ctx *c)
{
	struct ffamed_regs r;

	regs_set(&r, FFA_VERSION, FFA_VERSION_1_2, 0, 0, 0);
	dir_call(c, &r);
	return r.x[0] != FFA_VERSION_1_2;
}

static int id_get_med(struct bench_ctx *c)
{
	struct ffamed_regs r;

	regs_set(&r, FFA_ID_GET, 0, 0, 0, 0);
	med_call(c, &r);
	return r.x[0] != FFA_SUCCESS_32 || r.x[2] != c->vm->id;
}

static int id_get_dir(struct bench_ctx *c)
{
	struct ffamed_regs r;

	regs_set(&r, FFA_ID_GET, 0, 0, 0, 0);
	dir_call(c, &r);
	return r.x[0] != FFA_SUCCESS_32 || r.x[2] != FFA_HYP_ID;
}

static int features_med(struct bench_ctx *c)
{
	struct ffamed_regs r;

	regs_set(&r, FFA_FEATURES, FFA_MSG_SEND_DIRECT_REQ_64, 0, 0, 0);
	med_call(c, &r);
	return r.x[0] != FFA_SUCCESS_32;
}

static int features_dir(struct bench_ctx *c)
{
	struct ffamed_regs r;

	regs_set(&r, FFA_FEATURES, FFA_MSG_SEND_DIRECT_REQ_64, 0, 0, 0);
	dir_call(c, &r);
	return r.x[0] != FFA_SUCCESS_32;
}

/* ---- Partition information ------------------------------------------------------ */

static int rxtx_map_all(struct bench_sys *s)
{
	for (uint32_t i = 0; i < BENCH_VMS; i++) {
		struct ffamed_regs r;

		regs_set(&r, FFA_RXTX_MAP_64, BENCH_TX_IPA, BENCH_RX_IPA, 1, 0);
		ffamed_handle_call(s->vms[i].vm, 0, &r);
		if (!ffa_is_success(&r))
			return -1;
	}
	return 0;
}

static int rxtx_unmap_all(struct bench_sys *s)
{
	for (uint32_t i = 0; i < BENCH_VMS; i++) {
		struct ffamed_regs r;

		regs_set(&r, FFA_RXTX_UNMAP, 0, 0, 0, 0);
		ffamed_handle_call(s->vms[i].vm, 0, &r);
		if (!ffa_is_success(&r))
			return -1;
	}
	return 0;
}

/* The discovery a guest makes: fill the RX, then give it back. */
static int partinfo_med(struct bench_ctx *c)
{
	struct ffamed_regs r;
	int bad;

	regs_set(&r, FFA_PARTITION_INFO_GET, 0, 0, 0, 0);
	med_call(c, &r);
	bad = r.x[0] != FFA_SUCCESS_32 || r.x[2] != 1;
	regs_set(&r, FFA_RX_RELEASE, 0, 0, 0, 0);
	med_call(c, &r);
	return bad || r.x[0] != FFA_SUCCESS_32;
}

static int partinfo_dir(struct bench_ctx *c)
{
	struct ffamed_regs r;
	int bad;

	regs_set(&r, FFA_PARTITION_INFO_GET, 0, 0, 0, 0);
	dir_call(c, &r);
	bad = r.x[0] != FFA_SUCCESS_32 || r.x[2] != 1;
	regs_set(&r, FFA_RX_RELEASE, 0, 0, 0, 0);
	dir_call(c, &r);
	return bad || r.x[0] != FFA_SUCCESS_32;
}

static int partinfo_regs_med(struct bench_ctx *c)
{
	struct ffamed_regs r;

	regs_set(&r, FFA_PARTITION_INFO_GET_REGS, 0, 0, 0, 0);
	med_call(c, &r);
	return r.x[0] != FFA_SUCCESS_64;
}

static int partinfo_regs_dir(struct bench_ctx *c)
{
	struct ffamed_regs r;

	regs_set(&r, FFA_PARTITION_INFO_GET_REGS, 0, 0, 0, 0);
	dir_call(c, &r);
	return r.x[0] != FFA_SUCCESS_64;
}

/* ---- Direct messages to the ECHO SP (it answers the payload unchanged) ----------- */

static int direct_req(struct bench_ctx *c, uint32_t fid, bool mediated)
{
	uint16_t sender = mediated ? c->vm->id : FFA_HYP_ID;
	struct ffamed_regs r;
	int first = fid == FFA_MSG_SEND_DIRECT_REQ2 ? 4 : 3;
	int last = fid == FFA_MSG_SEND_DIRECT_REQ2 ? FFA_NREGS - 1 : 7;

	ffa_regs_clear(&r);
	r.x[0] = fid;
	r.x[1] = FFA_SENDER_RECEIVER(sender, BENCH_ECHO_ID);
	for (int i = first; i <= last; i++)
		r.x[i] = 0x1000u + (uint64_t)i;
	if (mediated)
		med_call(c, &r);
	else
		dir_call(c, &r);
	return r.x[0] != ffa_direct_resp_fid(fid) || r.x[first] != 0x1000u + (uint64_t)first;
}

static int req32_med(struct bench_ctx *c)
{
	return direct_req(c, FFA_MSG_SEND_DIRECT_REQ_32, true);
}

static int req32_dir(struct bench_ctx *c)
{
	return direct_req(c, FFA_MSG_SEND_DIRECT_REQ_32, false);
}

static int req64_med(struct bench_ctx *c)
{
	return direct_req(c, FFA_MSG_SEND_DIRECT_REQ_64, true);
}

static int req64_dir(struct bench_ctx *c)
{
	return direct_req(c, FFA_MSG_SEND_DIRECT_REQ_64, false);
}

static int req2_med(struct bench_ctx *c)
{
	return direct_req(c, FFA_MSG_SEND_DIRECT_REQ2, true);
}

static int req2_dir(struct bench_ctx *c)
{
	return direct_req(c, FFA_MSG_SEND_DIRECT_REQ2, false);
}

/* ---- RX/TX pair: map and unmap ---------------------------------------------------- */

static int rxtx_med(struct bench_ctx *c)
{
	struct ffamed_regs r;
	int bad;

	regs_set(&r, FFA_RXTX_MAP_64, BENCH_TX_IPA, BENCH_RX_IPA, 1, 0);
	med_call(c, &r);
	bad = !ffa_is_success(&r);
	regs_set(&r, FFA_RXTX_UNMAP, 0, 0, 0, 0);
	med_call(c, &r);
	return bad || !ffa_is_success(&r);
}

/* What the mediator does at the SPMC for a VM's pair: the forwarded form,
 * with the endpoint RX/TX descriptor in the hypervisor's TX buffer. */
static int rxtx_dir(struct bench_ctx *c)
{
	uint8_t *tx = c->sys->hyp_rxtx;
	uint8_t *ram = c->sys->dram[c->index];
	struct ffa_endpoint_rxtx_desc d = {.endpoint_id = c->vm->id};
	struct ffa_mem_composite comp = {.total_page_count = 1, .constituent_count = 1};
	struct ffa_mem_constituent con = {.page_count = 1};
	size_t comp_len = sizeof(comp) + sizeof(con);
	struct ffamed_regs r;
	int bad;

	d.rx_region_offset = sizeof(d);
	d.tx_region_offset = (uint32_t)(sizeof(d) + comp_len);
	memcpy(tx, &d, sizeof(d));
	con.address = (uint64_t)(uintptr_t)ram;
	memcpy(tx + d.rx_region_offset, &comp, sizeof(comp));
	memcpy(tx + d.rx_region_offset + sizeof(comp), &con, sizeof(con));
	con.address = (uint64_t)(uintptr_t)ram + FFA_PAGE_SIZE;
	memcpy(tx + d.tx_region_offset, &comp, sizeof(comp));
	memcpy(tx + d.tx_region_offset + sizeof(comp), &con, sizeof(con));
	regs_set(&r, FFA_RXTX_MAP_64, 0, 0, 0, 0);
	dir_call(c, &r);
	bad = !ffa_is_success(&r);
	regs_set(&r, FFA_RXTX_UNMAP, (uint64_t)c->vm->id << 16, 0, 0, 0);
	dir_call(c, &r);
	return bad || !ffa_is_success(&r);
}

/* ---- Notifications ------------------------------------------------------------------ */

static int notif_bind_med(struct bench_ctx *c)
{
	struct ffamed_regs r;
	uint64_t w1 = ((uint64_t)BENCH_ECHO_ID << 16) | c->vm->id;
	int bad;

	regs_set(&r, FFA_NOTIFICATION_BIND, w1, 0, BENCH_NOTIF_BIT, 0);
	med_call(c, &r);
	bad = !ffa_is_success(&r);
	regs_set(&r, FFA_NOTIFICATION_UNBIND, w1, 0, BENCH_NOTIF_BIT, 0);
	med_call(c, &r);
	return bad || !ffa_is_success(&r);
}

static int notif_bind_dir(struct bench_ctx *c)
{
	struct ffamed_regs r;
	uint64_t w1 = ((uint64_t)BENCH_ECHO_ID << 16) | c->vm->id;
	int bad;

	regs_set(&r, FFA_NOTIFICATION_BIND, w1, 0, BENCH_NOTIF_BIT, 0);
	dir_call(c, &r);
	bad = !ffa_is_success(&r);
	regs_set(&r, FFA_NOTIFICATION_UNBIND, w1, 0, BENCH_NOTIF_BIT, 0);
	dir_call(c, &r);
	return bad || !ffa_is_success(&r);
}

/* SP -> VM: every VM binds BENCH_SP_NOTIF_BIT to ECHO, at both SPMCs. */
static int sp_to_vm_setup(struct bench_sys *s)
{
	for (uint32_t i = 0; i < BENCH_VMS; i++) {
		uint64_t w1 = ((uint64_t)BENCH_ECHO_ID << 16) | s->vms[i].id;
		struct ffamed_regs r;

		regs_set(&r, FFA_NOTIFICATION_BIND, w1, 0, BENCH_SP_NOTIF_BIT, 0);
		ffamed_handle_call(s->vms[i].vm, 0, &r);
		if (!ffa_is_success(&r))
			return -1;
		regs_set(&r, FFA_NOTIFICATION_BIND, w1, 0, BENCH_SP_NOTIF_BIT, 0);
		ffamed_spmc_call(s->dspmc, 0, &r);
		if (!ffa_is_success(&r))
			return -1;
	}
	return 0;
}

static int sp_to_vm_teardown(struct bench_sys *s)
{
	for (uint32_t i = 0; i < BENCH_VMS; i++) {
		uint64_t w1 = ((uint64_t)BENCH_ECHO_ID << 16) | s->vms[i].id;
		struct ffamed_regs r;

		regs_set(&r, FFA_NOTIFICATION_UNBIND, w1, 0, BENCH_SP_NOTIF_BIT, 0);
		ffamed_handle_call(s->vms[i].vm, 0, &r);
		if (!ffa_is_success(&r))
			return -1;
		regs_set(&r, FFA_NOTIFICATION_UNBIND, w1, 0, BENCH_SP_NOTIF_BIT, 0);
		ffamed_spmc_call(s->dspmc, 0, &r);
		if (!ffa_is_success(&r))
			return -1;
	}
	return 0;
}

/* The SP sets (as its handler would, on this CPU), the VM's vCPU collects. */
static int sp_to_vm(struct bench_ctx *c, bool mediated)
{
	struct ffamed_sp *sp = mediated ? med_echo(c) : dir_echo(c);
	uint64_t w1 = ((uint64_t)c->vcpu << 16) | c->vm->id;
	struct ffamed_regs r;

	if (!(mediated && atomic_load_explicit(&c->sys->fw_stub, memory_order_relaxed)) &&
	    ffamed_sp_notification_set_on(sp, bench_cpu(), c->vm->id, 0, BENCH_SP_NOTIF_BIT))
		return 1;
	regs_set(&r, FFA_NOTIFICATION_GET, w1, FFA_NOTIF_GET_SP, 0, 0);
	if (mediated)
		med_call(c, &r);
	else
		dir_call(c, &r);
	return r.x[0] != FFA_SUCCESS_32 || r.x[2] != BENCH_SP_NOTIF_BIT;
}

static int sp_to_vm_med(struct bench_ctx *c)
{
	return sp_to_vm(c, true);
}

static int sp_to_vm_dir(struct bench_ctx *c)
{
	return sp_to_vm(c, false);
}

/* ---- Notifications with the NPI in the path ------------------------------------------------
 * VM -> VM: a second mediator with VM-to-VM on (so that the first one's
 * partition lists stay comparable with the direct SPMC's), on the same
 * host, with VMs of its own: thread i's pair is VM 2i sending to VM 2i+1.
 * The sender sets a global notification, the mediator injects the NPI, the
 * receiver's vCPU 0 GETs. Two threads touch two different pairs: no shared
 * lock, no shared VM. The direct
 * path is the cheapest doorbell without a mediator: an SP's SET and the
 * receiver's GET at the SPMC. */
static struct ffamed *v2v_med;
static struct bench_vm v2v_vms[2 * BENCH_VMS];
static struct ffamed_host_ops v2v_ops;

static int vm_to_vm_setup(struct bench_sys *s)
{
	struct ffamed_config cfg = {.vm_to_vm = true};
	struct ffamed_regs r;

	v2v_ops = s->ops;
	v2v_ops.fw_call = bench_no_firmware;
	if (sp_to_vm_setup(s) || ffamed_create(&v2v_ops, s, &cfg, &v2v_med) != FFA_RET_OK)
		return -1;
	for (uint32_t i = 0; i < 2 * BENCH_VMS; i++) {
		struct bench_vm *v = &v2v_vms[i];
		struct ffamed_vm_params p = {.ffa_id = (uint16_t)(0x20 + i),
					     .vcpu_count = BENCH_VCPUS,
					     .aarch64 = true,
					     .host_vm = v,
					     .policy = &bench_policy_open};

		v->id = p.ffa_id;
		if (ffamed_vm_create(v2v_med, &p, &v->vm) != FFA_RET_OK)
			return -1;
		regs_set(&r, FFA_VERSION, FFA_VERSION_1_2, 0, 0, 0);
		ffamed_handle_call(v->vm, 0, &r);
	}
	for (uint32_t i = 0; i < BENCH_VMS; i++) {
		struct bench_vm *send = &v2v_vms[2 * (size_t)i],
				*recv = &v2v_vms[2 * (size_t)i + 1];

		regs_set(&r, FFA_NOTIFICATION_BIND, ((uint64_t)send->id << 16) | recv->id, 0,
			 BENCH_NOTIF_BIT, 0);
		ffamed_handle_call(recv->vm, 0, &r);
		if (!ffa_is_success(&r))
			return -1;
	}
	return 0;
}

static int vm_to_vm_teardown(struct bench_sys *s)
{
	for (uint32_t i = 0; i < 2 * BENCH_VMS; i++) {
		ffamed_vm_destroy(v2v_vms[i].vm);
		v2v_vms[i].vm = NULL;
	}
	ffamed_destroy(v2v_med);
	v2v_med = NULL;
	return sp_to_vm_teardown(s);
}

static int vm_to_vm_med(struct bench_ctx *c)
{
	struct bench_vm *send = &v2v_vms[2 * (size_t)c->index],
			*recv = &v2v_vms[2 * (size_t)c->index + 1];
	uint64_t npis = atomic_load_explicit(&recv->npis, memory_order_relaxed);
	struct ffamed_regs r;

	regs_set(&r, FFA_NOTIFICATION_SET, ((uint64_t)send->id << 16) | recv->id, 0,
		 BENCH_NOTIF_BIT, 0);
	ffamed_handle_call(send->vm, 0, &r);
	if (r.x[0] != FFA_SUCCESS_32 ||
	    atomic_load_explicit(&recv->npis, memory_order_relaxed) != npis + 1)
		return 1;
	/* The receiver's NPI handler. */
	regs_set(&r, FFA_NOTIFICATION_GET, recv->id, FFA_NOTIF_GET_VM, 0, 0);
	ffamed_handle_call(recv->vm, 0, &r);
	return r.x[0] != FFA_SUCCESS_32 || r.x[4] != BENCH_NOTIF_BIT;
}

static int vm_to_vm_dir(struct bench_ctx *c)
{
	return sp_to_vm(c, false);
}

/* SP -> VM with the interrupts: the SP sets, the SPMC would raise the
 * SRI, the host's handler (ffamed_handle_sri) asks INFO_GET and injects
 * the NPI, the vCPU GETs. Direct: a hypervisor-less kernel's SRI handler
 * (INFO_GET) and GET at the SPMC. */
static int sp_to_vm_sri(struct bench_ctx *c, bool mediated)
{
	struct ffamed_sp *sp = mediated ? med_echo(c) : dir_echo(c);
	uint64_t npis = atomic_load_explicit(&c->vm->npis, memory_order_relaxed);
	struct ffamed_regs r;

	if (ffamed_sp_notification_set_on(sp, bench_cpu(), c->vm->id, 0, BENCH_SP_NOTIF_BIT))
		return 1;
	if (mediated) {
		ffamed_handle_sri(c->sys->med);
		if (atomic_load_explicit(&c->vm->npis, memory_order_relaxed) == npis)
			return 2;
	} else {
		regs_set(&r, FFA_NOTIFICATION_INFO_GET_64, 0, 0, 0, 0);
		dir_call(c, &r);
		if (r.x[0] != FFA_SUCCESS_64)
			return 2;
	}
	regs_set(&r, FFA_NOTIFICATION_GET, c->vm->id, FFA_NOTIF_GET_SP, 0, 0);
	if (mediated)
		med_call(c, &r);
	else
		dir_call(c, &r);
	return r.x[0] != FFA_SUCCESS_32 || r.x[2] != BENCH_SP_NOTIF_BIT;
}

static int sp_to_vm_sri_med(struct bench_ctx *c)
{
	return sp_to_vm_sri(c, true);
}

static int sp_to_vm_sri_dir(struct bench_ctx *c)
{
	return sp_to_vm_sri(c, false);
}

/* VM -> SP: ECHO binds BENCH_NOTIF_BIT to receive from every VM. */
static int vm_to_sp_setup(struct bench_sys *s)
{
	struct ffamed_sp *msp = ffamed_spmc_find_sp(s->spmc, BENCH_ECHO_ID);
	struct ffamed_sp *dsp = ffamed_spmc_find_sp(s->dspmc, BENCH_ECHO_ID);

	for (uint32_t i = 0; i < BENCH_VMS; i++)
		if (ffamed_sp_notification_bind(msp, s->vms[i].id, 0, BENCH_NOTIF_BIT << i) ||
		    ffamed_sp_notification_bind(dsp, s->vms[i].id, 0, BENCH_NOTIF_BIT << i))
			return -1;
	return 0;
}

static int vm_to_sp_teardown(struct bench_sys *s)
{
	struct ffamed_sp *msp = ffamed_spmc_find_sp(s->spmc, BENCH_ECHO_ID);
	struct ffamed_sp *dsp = ffamed_spmc_find_sp(s->dspmc, BENCH_ECHO_ID);

	for (uint32_t i = 0; i < BENCH_VMS; i++)
		if (ffamed_sp_notification_unbind(msp, s->vms[i].id, BENCH_NOTIF_BIT << i) ||
		    ffamed_sp_notification_unbind(dsp, s->vms[i].id, BENCH_NOTIF_BIT << i))
			return -1;
	return 0;
}

/* The VM sets, the SP collects (on the context of this CPU). */
static int vm_to_sp(struct bench_ctx *c, bool mediated)
{
	struct ffamed_sp *sp = mediated ? med_echo(c) : dir_echo(c);
	uint64_t w1 = ((uint64_t)c->vm->id << 16) | BENCH_ECHO_ID;
	uint64_t bit = BENCH_NOTIF_BIT << c->index;
	uint64_t got = 0;
	struct ffamed_regs r;

	regs_set(&r, FFA_NOTIFICATION_SET, w1, 0, bit, 0);
	if (mediated)
		med_call(c, &r);
	else
		dir_call(c, &r);
	if (!ffa_is_success(&r))
		return 1;
	if (ffamed_sp_notification_get(sp, (uint16_t)bench_cpu(), &got))
		return 1;
	return !(got & bit);
}

static int vm_to_sp_med(struct bench_ctx *c)
{
	return vm_to_sp(c, true);
}

static int vm_to_sp_dir(struct bench_ctx *c)
{
	return vm_to_sp(c, false);
}

/* ---- The table ------------------------------------------------------------------------ */

static int setup_map(struct bench_sys *s)
{
	return rxtx_map_all(s);
}

static int teardown_unmap(struct bench_sys *s)
{
	return rxtx_unmap_all(s);
}

const struct bench_case bench_cases[] = {
	{"version", "FFA_VERSION", 0, NULL, version_med, version_dir, NULL, NULL},
	{"id_get", "FFA_ID_GET", 0, NULL, id_get_med, id_get_dir, NULL, NULL},
	{"features", "FFA_FEATURES(DIRECT_REQ_64)", 0, NULL, features_med, features_dir, NULL,
	 NULL},
	{"partinfo_rx", "PARTITION_INFO_GET + RX_RELEASE", 0, setup_map, partinfo_med, partinfo_dir,
	 teardown_unmap, NULL},
	{"partinfo_regs", "PARTITION_INFO_GET_REGS", BENCH_SCALING, NULL, partinfo_regs_med,
	 partinfo_regs_dir, NULL, NULL},
	{"direct_req_32", "MSG_SEND_DIRECT_REQ_32 to ECHO", 0, NULL, req32_med, req32_dir, NULL,
	 NULL},
	{"direct_req_64", "MSG_SEND_DIRECT_REQ_64 to ECHO", BENCH_SCALING, NULL, req64_med,
	 req64_dir, NULL, NULL},
	{"direct_req2", "MSG_SEND_DIRECT_REQ2 to ECHO", 0, NULL, req2_med, req2_dir, NULL, NULL},
	{"rxtx_map_unmap", "RXTX_MAP (1 page, forwarded) + RXTX_UNMAP", 0, NULL, rxtx_med, rxtx_dir,
	 NULL, NULL},
	{"notif_bind_unbind", "NOTIFICATION_BIND + UNBIND (SP sender)", 0, NULL, notif_bind_med,
	 notif_bind_dir, NULL, NULL},
	{"notif_sp_to_vm", "SP sets + VM NOTIFICATION_GET", BENCH_SCALING, sp_to_vm_setup,
	 sp_to_vm_med, sp_to_vm_dir, sp_to_vm_teardown, NULL},
	{"notif_vm_to_sp", "VM NOTIFICATION_SET + SP gets", 0, vm_to_sp_setup, vm_to_sp_med,
	 vm_to_sp_dir, vm_to_sp_teardown, NULL},
	{"notif_vm_to_vm", "VM SET -> NPI -> peer VM GET", BENCH_SCALING, vm_to_vm_setup,
	 vm_to_vm_med, vm_to_vm_dir, vm_to_vm_teardown, NULL},
	{"notif_sp_to_vm_sri", "SP sets -> SRI: INFO_GET -> NPI -> VM GET", 0, sp_to_vm_setup,
	 sp_to_vm_sri_med, sp_to_vm_sri_dir, sp_to_vm_teardown, NULL},
	/* VM <-> VM round trips; there is no direct VM-to-VM path, so the
	 * reference is the cheapest round trip without a mediator: a 64-bit
	 * direct request to ECHO straight at the SPMC. */
	{"msg_vm_direct", "VM REQ_64 -> waiting VM -> RESP_64", BENCH_SCALING, bench_msg_setup,
	 bench_msg_direct_med, req64_dir, bench_msg_teardown, NULL},
	{"msg_vm_send2", "VM SEND2 -> GET/read/RX_RELEASE, and back", BENCH_SCALING,
	 bench_msg_setup, bench_msg_send2_med, req64_dir, bench_msg_teardown, NULL},
};
const size_t bench_case_count = sizeof(bench_cases) / sizeof(bench_cases[0]);
