/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness over the whole guest ABI: one input is a program of
 * calls made by three hostile VMs (IDs 1..3, 2 vCPUs each) against a fresh
 * simulated system (mediator + software SPMC + ECHO/VMWATCH/OP-TEE SPs).
 * Registers are fuzzed with a bias towards values the mediator decides on
 * (VM/SP IDs, guest addresses, page counts, FF-A function IDs); TX buffers
 * and guest memory are filled with fuzzed bytes and with memory transaction
 * descriptors whose fields are fuzzed, then the memory FIDs are called on
 * them, so memory sharing is covered as soon as it is served. VMs are
 * removed and re-added mid-program. At the end the system is shut down and
 * must leak nothing (no pinned page, allocation, mapping or port error).
 *
 * Program format (docs/SECURITY.md): byte 0 = system flags, then
 * operations, each an opcode byte and its operands.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ffamed/ffa_regs.h"
#include "ffamed/sim.h"
#include "fuzz_input.h"

#define FUZZ_VMS     3u
#define FUZZ_VCPUS   2u
#define FUZZ_RAM     16u
#define FUZZ_MAX_OPS 96u

enum fuzz_op {
	OP_CALL,     /* a call with biased registers */
	OP_CALL_RAW, /* a call with raw 64-bit registers */
	OP_TX_BYTES, /* fuzzed bytes into a VM's RAM (TX buffer first) */
	OP_MEM_DESC, /* a memory transaction descriptor into TX, then a memory FID */
	OP_SETUP,    /* VERSION + RXTX_MAP, the way a good guest starts */
	OP_VM_CYCLE, /* remove a VM and add it again */
	OP_COUNT
};

static const uint32_t interesting_fids[] = {
	FFA_VERSION,
	FFA_FEATURES,
	FFA_RX_RELEASE,
	FFA_RXTX_MAP_32,
	FFA_RXTX_MAP_64,
	FFA_RXTX_UNMAP,
	FFA_PARTITION_INFO_GET,
	FFA_PARTITION_INFO_GET_REGS,
	FFA_ID_GET,
	FFA_SPM_ID_GET,
	FFA_RUN,
	FFA_MSG_SEND_DIRECT_REQ_32,
	FFA_MSG_SEND_DIRECT_REQ_64,
	FFA_MSG_SEND_DIRECT_REQ2,
	FFA_MSG_SEND_DIRECT_RESP_32,
	FFA_MSG_WAIT,
	FFA_YIELD,
	FFA_NOTIFICATION_BIND,
	FFA_NOTIFICATION_UNBIND,
	FFA_NOTIFICATION_SET,
	FFA_NOTIFICATION_GET,
	FFA_NOTIFICATION_INFO_GET_64,
	FFA_NOTIFICATION_BITMAP_CREATE,
	FFA_MEM_SHARE_32,
	FFA_MEM_SHARE_64,
	FFA_MEM_LEND_64,
	FFA_MEM_DONATE_64,
	FFA_MEM_RETRIEVE_REQ_64,
	FFA_MEM_RELINQUISH,
	FFA_MEM_RECLAIM,
	FFA_MEM_FRAG_RX,
	FFA_MEM_FRAG_TX,
	FFA_MSG_SEND2,
	FFA_RX_ACQUIRE,
	FFA_CONSOLE_LOG_64,
};
#define N_FIDS (sizeof(interesting_fids) / sizeof(interesting_fids[0]))

static const uint16_t interesting_ids[] = {
	0x0000, 0x0001, 0x0002, 0x0003, 0x0004, 0x7FFF, 0x8000,
	0x8001, 0x8002, 0x8003, 0x8004, 0xFFFF, 0x0100,
};
#define N_IDS (sizeof(interesting_ids) / sizeof(interesting_ids[0]))

static uint16_t fuzz_id(struct fuzz_in *in)
{
	return interesting_ids[fuzz_u8(in) % N_IDS];
}

static uint32_t fuzz_fid(struct fuzz_in *in)
{
	uint8_t sel = fuzz_u8(in);

	if (sel < 0xF0)
		return interesting_fids[sel % N_FIDS] | ((sel & 0x80) ? FFA_SMCCC_SVE_HINT : 0);
	if (sel < 0xF8)
		return 0x84000000u | (uint32_t)fuzz_u8(in) | ((sel & 1) ? 0x40000000u : 0);
	return fuzz_u32(in);
}

/* A register biased towards the values the mediator decides on. */
static uint64_t fuzz_reg(struct fuzz_in *in)
{
	uint8_t kind = fuzz_u8(in);

	switch (kind % 10) {
	case 0:
		return 0;
	case 1:
		return fuzz_u8(in);
	case 2: /* a guest address: a page of some VM's RAM, or just outside */
		return FFAMED_POSIX_RAM_BASE + (uint64_t)(int8_t)fuzz_u8(in) * FFA_PAGE_SIZE +
		       ((kind & 0x80) ? fuzz_u16(in) : 0);
	case 3: /* sender:receiver */
		return FFA_SENDER_RECEIVER(fuzz_id(in), fuzz_id(in));
	case 4: /* endpoint:vCPU */
		return FFA_TARGET_INFO(fuzz_id(in), fuzz_u8(in) % 4);
	case 5:
		return fuzz_u32(in);
	case 6: /* versions */
		return FFA_MAKE_VERSION(fuzz_u8(in) % 3, fuzz_u8(in) % 5) |
		       ((kind & 0x80) ? FFA_VERSION_MBZ_BIT : 0);
	case 7:
		return interesting_fids[fuzz_u8(in) % N_FIDS];
	case 8: /* SMC32 junk in the upper half */
		return ((uint64_t)fuzz_u32(in) << 32) | fuzz_u8(in);
	default:
		return fuzz_u64(in);
	}
}

static struct ffamed_sim_vm *fuzz_vm(struct ffamed_sim *sim, struct fuzz_in *in)
{
	return ffamed_sim_find_vm(sim, (uint16_t)(1 + fuzz_u8(in) % FUZZ_VMS));
}

static void fuzz_call(struct ffamed_sim *sim, struct fuzz_in *in, bool raw)
{
	struct ffamed_sim_vm *vm = fuzz_vm(sim, in);
	/* vCPU indices past the VM's count are an attack too. */
	uint16_t vcpu = (uint16_t)(fuzz_u8(in) % (FUZZ_VCPUS + 2));
	struct ffamed_regs r;
	unsigned nregs;

	ffa_regs_clear(&r);
	r.x[0] = fuzz_fid(in);
	nregs = 1 + fuzz_u8(in) % (FFA_NREGS - 1);
	for (unsigned i = 1; i < nregs; i++)
		r.x[i] = raw ? fuzz_u64(in) : fuzz_reg(in);
	if (vm)
		ffamed_sim_guest_call(vm, vcpu, &r);
}

static void fuzz_bytes(struct ffamed_sim *sim, struct fuzz_in *in)
{
	struct ffamed_sim_vm *vm = fuzz_vm(sim, in);
	uint32_t off = fuzz_u16(in) % (FUZZ_RAM * FFA_PAGE_SIZE);
	size_t n = fuzz_u8(in);
	uint8_t *p;

	if (!vm)
		return;
	/* Bias to the TX page, where descriptors go. */
	if (off & 1)
		off = (uint32_t)(FFAMED_SIM_TX_IPA - FFAMED_POSIX_RAM_BASE) + (off % FFA_PAGE_SIZE);
	if (off + n > FUZZ_RAM * FFA_PAGE_SIZE)
		n = FUZZ_RAM * FFA_PAGE_SIZE - off;
	p = ffamed_sim_guest_va(vm, FFAMED_POSIX_RAM_BASE + off);
	for (size_t i = 0; p && i < n; i++)
		p[i] = fuzz_u8(in);
}

/* A v1.1+ memory transaction descriptor with fuzzed fields: header, EMADs,
 * composite, constituents. Then MEM_SHARE/LEND/DONATE (or a fuzzed memory
 * FID) with fuzzed total and fragment lengths near the real ones. */
static void fuzz_mem_desc(struct ffamed_sim *sim, struct fuzz_in *in)
{
	static const uint32_t mem_fids[] = {
		FFA_MEM_SHARE_64, FFA_MEM_LEND_64,	   FFA_MEM_DONATE_64, FFA_MEM_SHARE_32,
		FFA_MEM_LEND_32,  FFA_MEM_RETRIEVE_REQ_64, FFA_MEM_FRAG_TX,   FFA_MEM_RELINQUISH,
	};
	struct ffamed_sim_vm *vm = fuzz_vm(sim, in);
	uint8_t *tx;
	struct ffa_mem_region_1_1 hdr;
	struct ffa_mem_access_1_2 emad;
	struct ffa_mem_composite comp;
	struct ffa_mem_constituent cons;
	uint32_t emads, ncons, off, total;
	struct ffamed_regs r;

	if (!vm)
		return;
	tx = ffamed_sim_guest_va(vm, FFAMED_SIM_TX_IPA);
	memset(&hdr, 0, sizeof(hdr));
	hdr.sender = (fuzz_u8(in) & 1) ? fuzz_id(in) : ffamed_sim_vm_id(vm);
	hdr.attributes = (fuzz_u8(in) & 1) ? FFA_MEM_ATTR_NORMAL_WB_INNER : fuzz_u16(in);
	hdr.flags = fuzz_u8(in) & 0x1F;
	hdr.handle = (fuzz_u8(in) & 1) ? fuzz_u64(in) : 0;
	hdr.tag = fuzz_u8(in);
	hdr.emad_size = (fuzz_u8(in) & 1) ? sizeof(emad) : fuzz_u32(in);
	emads = 1 + fuzz_u8(in) % 3;
	hdr.emad_count = (fuzz_u8(in) & 3) ? emads : fuzz_u32(in);
	hdr.emad_offset = (fuzz_u8(in) & 1) ? sizeof(hdr) : fuzz_u32(in);
	memcpy(tx, &hdr, sizeof(hdr));
	off = sizeof(hdr);
	ncons = 1 + fuzz_u8(in) % 4;
	for (uint32_t i = 0; i < emads; i++) {
		memset(&emad, 0, sizeof(emad));
		emad.receiver = fuzz_id(in);
		emad.permissions = fuzz_u8(in);
		emad.flags = fuzz_u8(in);
		emad.composite_offset = (fuzz_u8(in) & 1)
						? (uint32_t)(sizeof(hdr) + emads * sizeof(emad))
						: fuzz_u32(in);
		memcpy(tx + off, &emad, sizeof(emad));
		off += sizeof(emad);
	}
	memset(&comp, 0, sizeof(comp));
	comp.total_page_count = (fuzz_u8(in) & 1) ? ncons : fuzz_u32(in);
	comp.constituent_count = (fuzz_u8(in) & 3) ? ncons : fuzz_u32(in);
	memcpy(tx + off, &comp, sizeof(comp));
	off += sizeof(comp);
	for (uint32_t i = 0; i < ncons; i++) {
		memset(&cons, 0, sizeof(cons));
		cons.address = (fuzz_u8(in) & 1) ? fuzz_reg(in)
						 : FFAMED_POSIX_RAM_BASE + (2 + i) * FFA_PAGE_SIZE;
		cons.page_count = (fuzz_u8(in) & 3) ? 1 : fuzz_u32(in);
		memcpy(tx + off, &cons, sizeof(cons));
		off += sizeof(cons);
	}
	total = off;
	ffa_regs_clear(&r);
	r.x[0] = mem_fids[fuzz_u8(in) % (sizeof(mem_fids) / sizeof(mem_fids[0]))];
	r.x[1] = (fuzz_u8(in) & 3) ? total : fuzz_u32(in);
	r.x[2] = (fuzz_u8(in) & 3) ? r.x[1] : fuzz_u32(in);
	ffamed_sim_guest_call(vm, (uint16_t)(fuzz_u8(in) % FUZZ_VCPUS), &r);
}

static void fuzz_setup(struct ffamed_sim *sim, struct fuzz_in *in)
{
	static const uint32_t versions[] = {FFA_VERSION_1_0, FFA_VERSION_1_1, FFA_VERSION_1_2};
	struct ffamed_sim_vm *vm = fuzz_vm(sim, in);
	struct ffamed_regs r;

	if (!vm)
		return;
	ffa_regs_clear(&r);
	r.x[0] = FFA_VERSION;
	r.x[1] = versions[fuzz_u8(in) % 3];
	ffamed_sim_guest_call(vm, 0, &r);
	ffa_regs_clear(&r);
	r.x[0] = FFA_RXTX_MAP_64;
	r.x[1] = FFAMED_SIM_TX_IPA;
	r.x[2] = FFAMED_SIM_RX_IPA;
	r.x[3] = 1;
	ffamed_sim_guest_call(vm, 0, &r);
}

static void fuzz_vm_cycle(struct ffamed_sim *sim, struct fuzz_in *in)
{
	uint16_t id = (uint16_t)(1 + fuzz_u8(in) % FUZZ_VMS);
	struct ffamed_sim_vm *vm = ffamed_sim_find_vm(sim, id);

	if (vm)
		ffamed_sim_vm_remove(vm);
	else if (ffamed_sim_vm_add(sim, id, FUZZ_VCPUS, &vm) != FFA_RET_OK)
		abort(); /* the ID is free and the system has room */
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Refusals are the point here: keep the port's warnings quiet (errors,
 * which are contract violations, still print). */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	setenv("FFAMED_LOG", "error", 0);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = {.data = data, .len = size, .pos = 0};
	struct ffamed_sim_config cfg;
	struct ffamed_sim *sim;
	struct ffamed_sim_leaks leaks;
	uint8_t flags = fuzz_u8(&in);

	ffamed_sim_default_config(&cfg);
	cfg.vm_count = FUZZ_VMS;
	cfg.vcpus_per_vm = FUZZ_VCPUS;
	cfg.ram_pages_per_vm = FUZZ_RAM;
	cfg.vm_to_vm = flags & 1;
	cfg.take_back_blocked = true; /* one thread plays every vCPU */
	cfg.cpu_count = 16;
	if (ffamed_sim_create(&cfg, &sim) != FFA_RET_OK)
		abort();
	for (unsigned ops = 0; ops < FUZZ_MAX_OPS && !fuzz_done(&in); ops++) {
		switch (fuzz_u8(&in) % OP_COUNT) {
		case OP_CALL:
			fuzz_call(sim, &in, false);
			break;
		case OP_CALL_RAW:
			fuzz_call(sim, &in, true);
			break;
		case OP_TX_BYTES:
			fuzz_bytes(sim, &in);
			break;
		case OP_MEM_DESC:
			fuzz_mem_desc(sim, &in);
			break;
		case OP_SETUP:
			fuzz_setup(sim, &in);
			break;
		default:
			fuzz_vm_cycle(sim, &in);
			break;
		}
	}
	ffamed_sim_shutdown(sim, &leaks);
	if (leaks.pinned_pages || leaks.live_allocs || leaks.spmc_live_allocs ||
	    leaks.mapped_pages || leaks.live_vms || leaks.port_errors) {
		fprintf(stderr,
			"fuzz_mediator: leak at shutdown: pinned %zu allocs %zu spmc %zu mapped "
			"%zu "
			"vms %zu port errors %zu\n",
			leaks.pinned_pages, leaks.live_allocs, leaks.spmc_live_allocs,
			leaks.mapped_pages, leaks.live_vms, leaks.port_errors);
		abort();
	}
	ffamed_sim_destroy(sim);
	return 0;
}
