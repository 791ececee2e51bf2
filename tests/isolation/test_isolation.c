/* SPDX-License-Identifier: MIT */
/*
 * Isolation suite: attacks by hostile guests (VMs 3, 4, 5) on the victims
 * (VMs 1, 2), the SPs and the mediator (iso_fixture.h has the system). Each
 * attack asserts the FF-A error it must get; the teardown then asserts that
 * no victim state changed (RX/TX contents and ownership, mappings, pins,
 * bindings, pending notifications, SP contexts and counters, allocations),
 * that the victims still work, and that nothing leaked at shutdown.
 * docs/SECURITY.md lists these attacks; memory-sharing attacks live in
 * test_isolation_mem.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "iso_fixture.h"

#define ECHO	FFAMED_SIM_ECHO_ID
#define OPTEE	FFAMED_SIM_OPTEE_ID
#define VMWATCH FFAMED_SIM_VMWATCH_ID
#define RAM	FFAMED_POSIX_RAM_BASE
#define RAM_END (RAM + ISO_RAM_PAGES * FFA_PAGE_SIZE)
#define TX	FFAMED_SIM_TX_IPA
#define RX	FFAMED_SIM_RX_IPA
#define SR	FFA_SENDER_RECEIVER
#define A	ISO_ATK
#define A_NOMAP ISO_ATK_NOMAP
#define A_FRESH ISO_ATK_FRESH
#define V1	ISO_VICTIM1
#define V2	ISO_VICTIM2
#define INVAL	FFA_RET_INVALID_PARAMETERS
#define DENIED	FFA_RET_DENIED
#define NOTSUP	FFA_RET_NOT_SUPPORTED

/* ---- RX/TX mapping -------------------------------------------------------- */

/* A guest names the physical address of a victim's RX page as its TX. */
static void atk_map_victim_rx_pa(void **state)
{
	(void)state;
	iso_expect(INVAL, A_NOMAP, 0, FFA_RXTX_MAP_64, iso_pa(V1, RX), RX, 1, 0, 0);
}

static void atk_map_victim_tx_pa(void **state)
{
	(void)state;
	iso_expect(INVAL, A_NOMAP, 0, FFA_RXTX_MAP_64, TX, iso_pa(V2, TX), 1, 0, 0);
}

static void atk_map_victim_marker_pa(void **state)
{
	(void)state;
	iso_expect(INVAL, A_NOMAP, 0, FFA_RXTX_MAP_64, iso_pa(V1, ISO_MARKER_IPA),
		   iso_pa(V2, ISO_MARKER_IPA), 1, 0, 0);
}

static void atk_map_above_ram(void **state)
{
	(void)state;
	iso_expect(INVAL, A_NOMAP, 0, FFA_RXTX_MAP_64, RAM_END, RAM_END + FFA_PAGE_SIZE, 1, 0, 0);
}

static void atk_map_below_ram(void **state)
{
	(void)state;
	iso_expect(INVAL, A_NOMAP, 0, FFA_RXTX_MAP_64, 0x1000, 0x2000, 1, 0, 0);
}

/* The last page of RAM is fine for one page, not for two. */
static void atk_map_straddles_ram_end(void **state)
{
	(void)state;
	iso_expect(INVAL, A_NOMAP, 0, FFA_RXTX_MAP_64, RAM_END - FFA_PAGE_SIZE, TX, 2, 0, 0);
}

static void atk_map_unaligned_tx(void **state)
{
	(void)state;
	iso_expect(INVAL, A_NOMAP, 0, FFA_RXTX_MAP_64, TX + 8, RX, 1, 0, 0);
}

static void atk_map_unaligned_rx(void **state)
{
	(void)state;
	iso_expect(INVAL, A_NOMAP, 0, FFA_RXTX_MAP_64, TX, RX + 0x800, 1, 0, 0);
}

static void atk_map_zero_pages(void **state)
{
	(void)state;
	iso_expect(INVAL, A_NOMAP, 0, FFA_RXTX_MAP_64, TX, RX, 0, 0, 0);
}

/* Page counts whose byte size overflows 32 or 64 bits. */
static void atk_map_page_count_overflow(void **state)
{
	(void)state;
	iso_expect(INVAL, A_NOMAP, 0, FFA_RXTX_MAP_64, TX, RX, 0xFFFFFFFFu, 0, 0);
	iso_expect(INVAL, A_NOMAP, 0, FFA_RXTX_MAP_64, TX, RX, 0x100000u, 0, 0);
	iso_expect(INVAL, A_NOMAP, 0, FFA_RXTX_MAP_64, TX, RX, (1ull << 32) | 1, 0, 0);
}

/* Beyond the configured maximum (64 pages). */
static void atk_map_over_max_pages(void **state)
{
	(void)state;
	iso_expect(INVAL, A_NOMAP, 0, FFA_RXTX_MAP_64, RAM, RAM + 65 * FFA_PAGE_SIZE, 65, 0, 0);
}

/* Addresses that wrap around the 64-bit space. */
static void atk_map_address_wraps(void **state)
{
	(void)state;
	iso_expect(INVAL, A_NOMAP, 0, FFA_RXTX_MAP_64, 0xFFFFFFFFFFFFF000ull, RX, 2, 0, 0);
	iso_expect(INVAL, A_NOMAP, 0, FFA_RXTX_MAP_64, TX, 0xFFFFFFFFFFFFF000ull, 2, 0, 0);
}

static void atk_map_rx_equals_tx(void **state)
{
	(void)state;
	iso_expect(INVAL, A_NOMAP, 0, FFA_RXTX_MAP_64, TX, TX, 1, 0, 0);
}

/* Two-page buffers that overlap by one page. */
static void atk_map_rx_tx_overlap(void **state)
{
	(void)state;
	iso_expect(INVAL, A_NOMAP, 0, FFA_RXTX_MAP_64, RAM + 0x4000, RAM + 0x5000, 2, 0, 0);
}

/* A second map while mapped: the first pair stays. */
static void atk_map_twice(void **state)
{
	(void)state;
	iso_expect(DENIED, A, 0, FFA_RXTX_MAP_64, RAM + 0x4000, RAM + 0x5000, 1, 0, 0);
	iso_expect(DENIED, A, 1, FFA_RXTX_MAP_32, RAM + 0x4000, RAM + 0x5000, 1, 0, 0);
	/* The attacker's pair still works. */
	iso_expect(FFA_RET_OK, A, 0, FFA_PARTITION_INFO_GET, 0, 0, 0, 0, 0);
	iso_expect(FFA_RET_OK, A, 0, FFA_RX_RELEASE, 0, 0, 0, 0, 0);
}

/* SMC32: junk in the upper halves must not reach the address. */
static void atk_map32_upper_junk(void **state)
{
	uint64_t rx_pa = 0, tx_pa = 0;

	(void)state;
	iso_snapshot(ISO_ALLOW_ATK_STATE);
	iso_expect(FFA_RET_OK, A_NOMAP, 0, FFA_RXTX_MAP_32, 0xDEAD00000000ull | TX,
		   0xBEEF00000000ull | RX, 0xFFFF00000001ull, 0, 0);
	assert_int_equal(ffamed_spmc_vm_mailbox(iso.spmc, A_NOMAP, &rx_pa, &tx_pa, 1), 1);
	assert_int_equal(rx_pa, iso_pa(A_NOMAP, RX));
	assert_int_equal(tx_pa, iso_pa(A_NOMAP, TX));
}

/* A page the host may not write (read-only to the host) as RX. */
static void atk_map_readonly_rx(void **state)
{
	struct ffamed_posix_vm *pvm = ffamed_sim_vm_posix(iso_vm(A_NOMAP));
	struct ffamed_regs r;

	(void)state;
	ffamed_posix_vm_set_readonly(pvm, RX, true);
	iso_call(A_NOMAP, 0, &r, FFA_RXTX_MAP_64, TX, RX, 1, 0, 0, 0, 0);
	assert_int_equal(r.x[0], FFA_ERROR);
	assert_int_not_equal(ffa_result(&r), FFA_RET_OK);
	ffamed_posix_vm_set_readonly(pvm, RX, false);
	assert_int_equal(ffamed_posix_vm_pinned_pages(pvm), 0);
}

/* Unmap naming a victim: the victim's pair stays mapped. */
static void atk_unmap_forged_id(void **state)
{
	(void)state;
	iso_expect(INVAL, A, 0, FFA_RXTX_UNMAP, SR(V1, 0), 0, 0, 0, 0);
	iso_expect(INVAL, A, 0, FFA_RXTX_UNMAP, SR(V2, 0), 0, 0, 0, 0);
	iso_expect(INVAL, A, 0, FFA_RXTX_UNMAP, SR(ECHO, 0), 0, 0, 0, 0);
}

static void atk_unmap_not_mapped(void **state)
{
	(void)state;
	iso_expect(INVAL, A_NOMAP, 0, FFA_RXTX_UNMAP, 0, 0, 0, 0, 0);
}

/* Unmap while the attacker holds a full RX (discovery answered): refused
 * until it releases it (the SPMC also counts that RX as handed over), then
 * only its own pair goes. */
static void atk_unmap_while_rx_full(void **state)
{
	(void)state;
	iso_expect(FFA_RET_OK, A, 0, FFA_PARTITION_INFO_GET, 0, 0, 0, 0, 0);
	iso_expect(DENIED, A, 1, FFA_RXTX_UNMAP, 0, 0, 0, 0, 0);
	iso_expect(FFA_RET_OK, A, 1, FFA_RX_RELEASE, 0, 0, 0, 0, 0);
	iso_snapshot(ISO_ALLOW_ATK_STATE);
	iso_expect(FFA_RET_OK, A, 1, FFA_RXTX_UNMAP, 0, 0, 0, 0, 0);
	assert_int_equal(ffamed_spmc_vm_rx_owner(iso.spmc, A), FFAMED_SPMC_RX_UNMAPPED);
	assert_int_equal(ffamed_posix_vm_pinned_pages(ffamed_sim_vm_posix(iso_vm(A))), 0);
	/* And the RX cannot be released any more. */
	iso_expect(DENIED, A, 0, FFA_RX_RELEASE, 0, 0, 0, 0, 0);
}

/* ---- RX ownership ----------------------------------------------------------- */

/* Release a victim's full RX by naming it. */
static void atk_rx_release_forged_id(void **state)
{
	(void)state;
	iso_expect(INVAL, A, 0, FFA_RX_RELEASE, V1, 0, 0, 0, 0);
	iso_expect(INVAL, A, 0, FFA_RX_RELEASE, 0xFFFF0000u | V1, 0, 0, 0, 0);
}

static void atk_rx_release_not_owned(void **state)
{
	(void)state;
	iso_expect(DENIED, A, 0, FFA_RX_RELEASE, 0, 0, 0, 0, 0);
}

static void atk_rx_release_unmapped(void **state)
{
	(void)state;
	iso_expect(DENIED, A_NOMAP, 0, FFA_RX_RELEASE, 0, 0, 0, 0, 0);
}

/* RX_ACQUIRE is the hypervisor's, never a guest's. */
static void atk_rx_acquire_victim(void **state)
{
	(void)state;
	iso_expect(NOTSUP, A, 0, FFA_RX_ACQUIRE, V1, 0, 0, 0, 0);
	iso_expect(NOTSUP, A, 0, FFA_RX_ACQUIRE, V2, 0, 0, 0, 0);
}

/* ---- Partition discovery ------------------------------------------------------ */

static void atk_pig_unknown_uuid(void **state)
{
	(void)state;
	iso_expect(INVAL, A, 0, FFA_PARTITION_INFO_GET, 0xdeadbeef, 1, 2, 3, 0);
	/* The refusal did not take the attacker's RX. */
	iso_expect(DENIED, A, 0, FFA_RX_RELEASE, 0, 0, 0, 0, 0);
}

static void atk_pig_while_owned(void **state)
{
	(void)state;
	iso_expect(FFA_RET_OK, A, 0, FFA_PARTITION_INFO_GET, 0, 0, 0, 0, 0);
	iso_expect(FFA_RET_BUSY, A, 1, FFA_PARTITION_INFO_GET, 0, 0, 0, 0, 0);
	iso_expect(FFA_RET_OK, A, 1, FFA_RX_RELEASE, 0, 0, 0, 0, 0);
}

static void atk_pig_bad_flags(void **state)
{
	(void)state;
	iso_expect(INVAL, A, 0, FFA_PARTITION_INFO_GET, 0, 0, 0, 0, 2);
	iso_expect(INVAL, A, 0, FFA_PARTITION_INFO_GET, 0, 0, 0, 0, 0xFFFFFFFFu);
}

/* Count-only does not hand the RX over. */
static void atk_pig_count_only_keeps_rx(void **state)
{
	struct ffamed_regs r;

	(void)state;
	iso_call(A, 0, &r, FFA_PARTITION_INFO_GET, 0, 0, 0, 0, FFA_PARTITION_INFO_GET_COUNT_FLAG, 0,
		 0);
	assert_int_equal(ffa_result(&r), FFA_RET_OK);
	assert_int_equal(r.x[2], FFAMED_SIM_SP_COUNT);
	iso_expect(DENIED, A, 0, FFA_RX_RELEASE, 0, 0, 0, 0, 0);
}

static void atk_pig_no_rx(void **state)
{
	struct ffamed_regs r;

	(void)state;
	iso_call(A_NOMAP, 0, &r, FFA_PARTITION_INFO_GET, 0, 0, 0, 0, 0, 0, 0);
	assert_int_equal(r.x[0], FFA_ERROR);
	assert_true(ffa_result(&r) == FFA_RET_BUSY || ffa_result(&r) == DENIED);
}

static void atk_pig_regs_bad_index(void **state)
{
	(void)state;
	iso_expect(INVAL, A, 0, FFA_PARTITION_INFO_GET_REGS, 0, 0, 100, 0, 0);
	iso_expect(INVAL, A, 0, FFA_PARTITION_INFO_GET_REGS, 0, 0, 0xFFFF, 0, 0);
}

/* ---- Direct messages ---------------------------------------------------------- */

static void atk_direct_forged_sender(void **state)
{
	(void)state;
	iso_expect(INVAL, A, 0, FFA_MSG_SEND_DIRECT_REQ_64, SR(V1, ECHO), 0, FFAMED_ECHO_CMD_WHOAMI,
		   0, 0);
	iso_expect(INVAL, A, 0, FFA_MSG_SEND_DIRECT_REQ_32, SR(V2, OPTEE), 0, 0, 0, 0);
}

static void atk_direct_sender_is_sp(void **state)
{
	(void)state;
	iso_expect(INVAL, A, 0, FFA_MSG_SEND_DIRECT_REQ_64, SR(OPTEE, ECHO), 0, 0, 0, 0);
	iso_expect(INVAL, A, 0, FFA_MSG_SEND_DIRECT_REQ_64, SR(0, ECHO), 0, 0, 0, 0);
}

static void atk_direct_to_vm(void **state)
{
	(void)state;
	iso_expect(INVAL, A, 0, FFA_MSG_SEND_DIRECT_REQ_64, SR(A, V1), 0, 0, 0, 0);
	iso_expect(INVAL, A, 0, FFA_MSG_SEND_DIRECT_REQ_32, SR(A, A), 0, 0, 0, 0);
	iso_expect(INVAL, A, 0, FFA_MSG_SEND_DIRECT_REQ_32, SR(A, 0), 0, 0, 0, 0);
}

static void atk_direct_to_missing_sp(void **state)
{
	(void)state;
	iso_expect(INVAL, A, 0, FFA_MSG_SEND_DIRECT_REQ_64, SR(A, 0x8077), 0, 0, 0, 0);
	iso_expect(INVAL, A, 0, FFA_MSG_SEND_DIRECT_REQ_64, SR(A, 0xFFFF), 0, 0, 0, 0);
	iso_expect(INVAL, A, 0, FFA_MSG_SEND_DIRECT_REQ_64, SR(A, 0x8000), 0, 0, 0, 0);
}

/* OP-TEE takes no DIRECT_REQ2. */
static void atk_direct_req2_to_optee(void **state)
{
	struct ffamed_regs r;

	(void)state;
	iso_call(A, 0, &r, FFA_MSG_SEND_DIRECT_REQ2, SR(A, OPTEE), 0, 0, 1, 0, 0, 0);
	assert_int_equal(r.x[0], FFA_ERROR);
}

/* A guest forging a framework message: a VM created or destroyed. */
static void atk_direct_forged_vm_created(void **state)
{
	(void)state;
	iso_expect(INVAL, A, 0, FFA_MSG_SEND_DIRECT_REQ_32, SR(A, VMWATCH),
		   FFA_FWK_MSG(FFA_FWK_MSG_VM_CREATED), 0, 0x77, 0);
}

static void atk_direct_forged_vm_destroyed(void **state)
{
	(void)state;
	iso_expect(INVAL, A, 0, FFA_MSG_SEND_DIRECT_REQ_32, SR(A, VMWATCH),
		   FFA_FWK_MSG(FFA_FWK_MSG_VM_DESTROYED), 0, V1, 0);
	iso_expect(INVAL, A, 0, FFA_MSG_SEND_DIRECT_REQ_64, SR(A, VMWATCH),
		   FFA_FWK_MSG(FFA_FWK_MSG_VM_DESTROYED), 0, V2, 0);
}

static void atk_direct_reserved_flags(void **state)
{
	(void)state;
	iso_expect(INVAL, A, 0, FFA_MSG_SEND_DIRECT_REQ_64, SR(A, ECHO), 0x1, 0, 0, 0);
	iso_expect(INVAL, A, 0, FFA_MSG_SEND_DIRECT_REQ_64, SR(A, ECHO), 0x7FFFFFFF, 0, 0, 0);
}

/* SMC32 junk in the upper halves: the SP sees the attacker's own ID and
 * the 32-bit payload only (from the attacker's vCPU thread: the test
 * thread's ECHO context holds VM 2's preempted request). */
static void atk_direct32_upper_junk(void **state)
{
	struct ffamed_regs r;

	(void)state;
	iso_snapshot(ISO_ALLOW_SP_CALLS);
	ffa_regs_clear(&r);
	r.x[0] = FFA_MSG_SEND_DIRECT_REQ_32;
	r.x[1] = 0xFFFFFFFF00000000ull | SR(A, ECHO);
	r.x[2] = 0xFFFFFFFF00000000ull;
	r.x[3] = 0x1234567800000000ull | FFAMED_ECHO_CMD_WHOAMI;
	iso_call_on_vcpu(A, 1, &r);
	assert_int_equal(r.x[0], FFA_MSG_SEND_DIRECT_RESP_32);
	assert_int_equal(r.x[1], SR(ECHO, A));
	assert_int_equal(r.x[3], FFAMED_ECHO_CMD_WHOAMI);
	assert_int_equal(r.x[6], A); /* P[3]: the sender the SP saw */
}

/* A guest answering a request it never received. */
static void atk_direct_resp_unsolicited(void **state)
{
	(void)state;
	iso_expect(NOTSUP, A, 0, FFA_MSG_SEND_DIRECT_RESP_64, SR(A, ECHO), 0, 0, 0, 0);
	iso_expect(NOTSUP, A, 0, FFA_MSG_SEND_DIRECT_RESP_32, SR(ECHO, V2), 0, 0, 0, 0);
	iso_expect(NOTSUP, A, 0, FFA_MSG_SEND_DIRECT_RESP2, SR(A, ECHO), 0, 0, 0, 0);
}

/* ---- FFA_RUN -------------------------------------------------------------------- */

/* Resume VM 2's preempted request from another VM, on every vCPU. */
static void atk_run_victim_context(void **state)
{
	(void)state;
	iso_expect(DENIED, A, 0, FFA_RUN, FFA_TARGET_INFO(ECHO, iso.victim2_ctx), 0, 0, 0, 0);
	iso_expect(DENIED, A, 1, FFA_RUN, FFA_TARGET_INFO(ECHO, iso.victim2_ctx), 0, 0, 0, 0);
	iso_expect(DENIED, A_NOMAP, 0, FFA_RUN, FFA_TARGET_INFO(ECHO, iso.victim2_ctx), 0, 0, 0, 0);
}

static void atk_run_idle_context(void **state)
{
	(void)state;
	iso_expect(DENIED, A, 0, FFA_RUN, FFA_TARGET_INFO(OPTEE, 0), 0, 0, 0, 0);
	iso_expect(DENIED, A, 0, FFA_RUN, FFA_TARGET_INFO(VMWATCH, 0), 0, 0, 0, 0);
}

static void atk_run_bad_targets(void **state)
{
	struct ffamed_regs r;
	static const uint32_t targets[] = {
		FFA_TARGET_INFO(ECHO, 0xFFFF), FFA_TARGET_INFO(0x8004, 0),
		FFA_TARGET_INFO(V2, 0),	       FFA_TARGET_INFO(A, 0),
		FFA_TARGET_INFO(0x8000, 0),    FFA_TARGET_INFO(0xFFFF, 0xFFFF),
	};

	(void)state;
	for (size_t i = 0; i < sizeof(targets) / sizeof(targets[0]); i++) {
		iso_call(A, 0, &r, FFA_RUN, targets[i], 0, 0, 0, 0, 0, 0);
		assert_int_equal(r.x[0], FFA_ERROR);
		assert_true(ffa_result(&r) == INVAL || ffa_result(&r) == DENIED);
	}
}

/* Even VM 2 itself may only resume from the vCPU that was preempted. */
static void atk_run_wrong_vcpu(void **state)
{
	(void)state;
	iso_snapshot(0);
	/* The victim calls here, so its call count moves: re-snapshot after. */
	iso_expect(DENIED, V2, 1, FFA_RUN, FFA_TARGET_INFO(ECHO, iso.victim2_ctx), 0, 0, 0, 0);
	iso_snapshot(0);
}

static void atk_run64(void **state)
{
	(void)state;
	iso_expect(NOTSUP, A, 0, FFA_RUN_64, FFA_TARGET_INFO(ECHO, iso.victim2_ctx), 0, 0, 0, 0);
}

/* ---- Notifications ------------------------------------------------------------------ */

/* Bind for a victim as the receiver. */
static void atk_notif_bind_victim(void **state)
{
	(void)state;
	iso_expect(INVAL, A, 0, FFA_NOTIFICATION_BIND, SR(ECHO, V1), 0, 0x4, 0, 0);
	iso_expect(INVAL, A, 0, FFA_NOTIFICATION_BIND, SR(ECHO, V2), 0, 0x1, 0, 0);
}

static void atk_notif_unbind_victim(void **state)
{
	(void)state;
	iso_expect(INVAL, A, 0, FFA_NOTIFICATION_UNBIND, SR(ECHO, V1), 0, 0x3, 0, 0);
}

/* Bind with another VM as the sender: VM-to-VM is not offered. */
static void atk_notif_bind_vm_sender(void **state)
{
	struct ffamed_regs r;

	(void)state;
	iso_call(A, 0, &r, FFA_NOTIFICATION_BIND, SR(V1, A), 0, 0x1, 0, 0, 0, 0);
	assert_int_equal(r.x[0], FFA_ERROR);
}

static void atk_notif_set_forged_sender(void **state)
{
	(void)state;
	iso_expect(INVAL, A, 0, FFA_NOTIFICATION_SET, SR(ECHO, V1), 0, 0x1, 0, 0);
	iso_expect(INVAL, A, 0, FFA_NOTIFICATION_SET, SR(V1, ECHO), 0, 0x1, 0, 0);
}

/* Bits ECHO did not bind for the attacker. */
static void atk_notif_set_unbound(void **state)
{
	(void)state;
	iso_expect(DENIED, A, 0, FFA_NOTIFICATION_SET, SR(A, ECHO), 0, 0x1, 0, 0);
	iso_expect(DENIED, A, 0, FFA_NOTIFICATION_SET, SR(A, ECHO), 0, 0, 0x80000000u, 0);
}

static void atk_notif_set_to_vm(void **state)
{
	struct ffamed_regs r;

	(void)state;
	iso_call(A, 0, &r, FFA_NOTIFICATION_SET, SR(A, V1), 0, 0x1, 0, 0, 0, 0);
	assert_int_equal(r.x[0], FFA_ERROR);
}

/* Read and clear a victim's pending notifications. */
static void atk_notif_get_forged_receiver(void **state)
{
	(void)state;
	iso_expect(INVAL, A, 0, FFA_NOTIFICATION_GET, SR(0, V1), FFA_NOTIF_GET_SP, 0, 0, 0);
	iso_expect(INVAL, A, 1, FFA_NOTIFICATION_GET, SR(1, V1), 0xF, 0, 0, 0);
}

static void atk_notif_get_bad_vcpu(void **state)
{
	(void)state;
	iso_expect(INVAL, A, 0, FFA_NOTIFICATION_GET, SR(ISO_VCPUS, A), FFA_NOTIF_GET_SP, 0, 0, 0);
	iso_expect(INVAL, A, 0, FFA_NOTIFICATION_GET, SR(0xFFFF, A), FFA_NOTIF_GET_SP, 0, 0, 0);
}

static void atk_notif_bind_per_vcpu_flag_junk(void **state)
{
	(void)state;
	iso_expect(INVAL, A, 0, FFA_NOTIFICATION_BIND, SR(ECHO, A), 0xFFFFFFFEu, 0x1, 0, 0);
}

/* A flood of sets, binds and gets leaves nothing behind. */
static void atk_notif_flood(void **state)
{
	(void)state;
	for (int i = 0; i < 500; i++) {
		iso_expect(DENIED, A, (uint16_t)(i & 1), FFA_NOTIFICATION_SET, SR(A, ECHO), 0,
			   1u << (i % 32), 0, 0);
		iso_expect(FFA_RET_OK, A, 0, FFA_NOTIFICATION_BIND, SR(ECHO, A), 0, 1u << (i % 32),
			   0, 0);
		iso_expect(FFA_RET_OK, A, 1, FFA_NOTIFICATION_UNBIND, SR(ECHO, A), 0,
			   1u << (i % 32), 0, 0);
		iso_expect(FFA_RET_OK, A, (uint16_t)(i & 1), FFA_NOTIFICATION_GET, SR(i & 1, A),
			   0xF, 0, 0, 0);
	}
	assert_int_equal(ffamed_spmc_notif_bound(iso.spmc, A, ECHO, NULL), 0);
}

/*
 * NOTIFICATION_INFO_GET from a guest: not served, or (when the mediator
 * answers a guest's own INFO_GET) it must list nobody but the caller,
 * although VM 1 has a notification pending.
 */
static void check_info_get_lists_only_caller(uint64_t fid)
{
	struct ffamed_regs r;
	uint32_t lists, idx = 0;

	iso_call(A, 0, &r, fid, 0, 0, 0, 0, 0, 0, 0);
	if (r.x[0] == FFA_ERROR) {
		assert_true(ffa_error_code(&r) == NOTSUP || ffa_error_code(&r) == FFA_RET_NO_DATA);
		return;
	}
	assert_true(ffa_is_success(&r));
	lists = ((uint32_t)r.x[2] >> FFA_NOTIF_INFO_LIST_COUNT_SHIFT) &
		FFA_NOTIF_INFO_LIST_COUNT_MASK;
	for (uint32_t i = 0; i < lists; i++) {
		uint32_t vcpus = ((uint32_t)r.x[2] >> FFA_NOTIF_INFO_LIST_SIZE_SHIFT(i)) & 3u;
		bool is64 = FFA_FID_IS_64((uint32_t)fid);
		uint32_t per_reg = is64 ? 4 : 2;
		uint32_t reg = 3 + idx / per_reg, shift = 16 * (idx % per_reg);

		assert_true(reg < FFA_NREGS);
		/* The list's first ID is the endpoint: only the caller. */
		assert_int_equal((uint16_t)(r.x[reg] >> shift), A);
		idx += 1 + vcpus;
	}
}

/* The scheduler's and the SPMC's calls, from a guest. */
static void atk_notif_scheduler_calls(void **state)
{
	(void)state;
	check_info_get_lists_only_caller(FFA_NOTIFICATION_INFO_GET_64);
	check_info_get_lists_only_caller(FFA_NOTIFICATION_INFO_GET_32);
	iso_expect(NOTSUP, A, 0, FFA_NOTIFICATION_BITMAP_CREATE, V1, 2, 0, 0, 0);
	iso_expect(NOTSUP, A, 0, FFA_NOTIFICATION_BITMAP_DESTROY, V1, 0, 0, 0, 0);
}

/* ---- Versions, vCPUs, function IDs --------------------------------------------------- */

static void atk_calls_before_version(void **state)
{
	(void)state;
	iso_expect(NOTSUP, A_FRESH, 0, FFA_ID_GET, 0, 0, 0, 0, 0);
	iso_expect(NOTSUP, A_FRESH, 0, FFA_RXTX_MAP_64, TX, RX, 1, 0, 0);
	iso_expect(NOTSUP, A_FRESH, 0, FFA_MSG_SEND_DIRECT_REQ_64, SR(A_FRESH, ECHO), 0, 0, 0, 0);
	iso_expect(NOTSUP, A_FRESH, 0, FFA_NOTIFICATION_GET, SR(0, A_FRESH), 0xF, 0, 0, 0);
}

static void atk_version_mbz_bit(void **state)
{
	struct ffamed_regs r;

	(void)state;
	iso_call(A_FRESH, 0, &r, FFA_VERSION, FFA_VERSION_MBZ_BIT | FFA_VERSION_1_2, 0, 0, 0, 0, 0,
		 0);
	assert_int_equal((uint32_t)r.x[0], FFA_VERSION_NOT_SUPPORTED);
}

/* Majors other than 1, minors above ours: answered with our version, and
 * the VM is then served as 1.2 (what it was told), never as 2.0 or 0.9. */
static void atk_version_other_majors(void **state)
{
	struct ffamed_regs r;

	(void)state;
	iso_call(A_FRESH, 0, &r, FFA_VERSION, FFA_MAKE_VERSION(2, 0), 0, 0, 0, 0, 0, 0);
	assert_int_equal(r.x[0], FFAMED_FFA_VERSION);
	iso_call(A_FRESH, 0, &r, FFA_VERSION, FFA_MAKE_VERSION(0, 9), 0, 0, 0, 0, 0, 0);
	assert_int_equal(r.x[0], FFAMED_FFA_VERSION);
	iso_call(A_FRESH, 0, &r, FFA_VERSION, FFA_MAKE_VERSION(1, 0x7FFF), 0, 0, 0, 0, 0, 0);
	assert_int_equal(r.x[0], FFAMED_FFA_VERSION);
	iso_expect(FFA_RET_OK, A_FRESH, 0, FFA_ID_GET, 0, 0, 0, 0, 0);
	assert_int_equal(ffamed_vm_version(ffamed_sim_vm_mediator(iso_vm(A_FRESH))),
			 FFAMED_FFA_VERSION);
}

/* After its first other call a VM's version is final: asking another one
 * is refused (FF-A v1.2), the same one is still answered. */
static void atk_version_change_after_final(void **state)
{
	struct ffamed_regs r;

	(void)state;
	iso_call(A, 0, &r, FFA_VERSION, FFA_VERSION_1_0, 0, 0, 0, 0, 0, 0);
	assert_int_equal(r.x[0], 0xFFFFFFFFull);
	iso_call(A, 0, &r, FFA_VERSION, FFA_VERSION_1_2, 0, 0, 0, 0, 0, 0);
	assert_int_equal(r.x[0], FFAMED_FFA_VERSION);
	assert_int_equal(ffamed_vm_version(ffamed_sim_vm_mediator(iso_vm(A))), FFA_VERSION_1_2);
	/* Still served as 1.2: GET_REGS (1.2 only) works. */
	iso_expect(FFA_RET_OK, A, 0, FFA_PARTITION_INFO_GET_REGS, 0, 0, 0, 0, 0);
}

static void atk_vcpu_out_of_range(void **state)
{
	(void)state;
	iso_expect(INVAL, A, ISO_VCPUS, FFA_ID_GET, 0, 0, 0, 0, 0);
	iso_expect(INVAL, A, 0xFFFF, FFA_MSG_SEND_DIRECT_REQ_64, SR(A, ECHO), 0, 0, 0, 0);
	iso_expect(INVAL, A, 7, FFA_RUN, FFA_TARGET_INFO(ECHO, iso.victim2_ctx), 0, 0, 0, 0);
	iso_expect(INVAL, A, ISO_VCPUS, FFA_VERSION, FFA_VERSION_1_0, 0, 0, 0, 0);
}

/* The SVE hint bit is masked, not a way around the checks. */
static void atk_sve_hint_bit(void **state)
{
	(void)state;
	iso_expect(INVAL, A, 0, FFA_MSG_SEND_DIRECT_REQ_64 | FFA_SMCCC_SVE_HINT, SR(V1, ECHO), 0, 0,
		   0, 0);
	iso_expect(INVAL, A, 0, FFA_RXTX_UNMAP | FFA_SMCCC_SVE_HINT, SR(V1, 0), 0, 0, 0, 0);
	iso_expect(FFA_RET_OK, A, 0, FFA_ID_GET | FFA_SMCCC_SVE_HINT, 0, 0, 0, 0, 0);
}

/* IDs at and past the edges of the FF-A range are not FF-A. */
static void atk_fid_edges(void **state)
{
	struct ffamed_regs r;
	static const uint32_t not_ffa[] = {0x8400005Fu, 0x840000F0u, 0xC400005Fu,
					   0x840000FFu, 0x04000063u, 0x84000063u | 0x20000u};
	static const uint32_t reserved[] = {0x840000EFu, 0xC40000EFu,	 0x84000091u,	0xC4000060u,
					    FFA_ERROR,	 FFA_SUCCESS_32, FFA_SUCCESS_64};

	(void)state;
	for (size_t i = 0; i < sizeof(not_ffa) / sizeof(not_ffa[0]); i++) {
		iso_call(A, 0, &r, not_ffa[i], 0, 0, 0, 0, 0, 0, 0);
		assert_int_equal(r.x[0], UINT64_MAX); /* SMCCC unknown function */
	}
	for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++)
		iso_expect(NOTSUP, A, 0, reserved[i], 0, 0, 0, 0, 0);
}

/* Calls only partitions or the secure side make. */
static void atk_partition_only_calls(void **state)
{
	static const uint32_t fids[] = {
		FFA_MSG_WAIT,
		FFA_YIELD,
		FFA_NORMAL_WORLD_RESUME,
		FFA_MEM_PERM_SET_64,
		FFA_SECONDARY_EP_REGISTER_64,
		FFA_EL3_INTR_HANDLE,
		FFA_CONSOLE_LOG_64,
		FFA_MSG_POLL,
		FFA_INTERRUPT,
	};

	(void)state;
	for (size_t i = 0; i < sizeof(fids) / sizeof(fids[0]); i++)
		iso_expect(NOTSUP, A, 0, fids[i], SR(V1, 0), 0, 0, 0, 0);
}

/* MBZ registers: RX_RELEASE and RXTX_UNMAP refuse non-zero IDs/junk. */
static void atk_mbz_registers(void **state)
{
	(void)state;
	iso_expect(INVAL, A, 0, FFA_RXTX_UNMAP, 0x0000FFFFu, 0, 0, 0, 0);
	iso_expect(INVAL, A, 0, FFA_NOTIFICATION_GET, SR(0, A), 0xF, 1, 0, 0);
}

/* Indirect messages into a victim's RX are not offered. */
static void atk_msg_send2_to_victim(void **state)
{
	uint8_t *tx = iso_va(A, TX);

	struct ffa_msg_hdr h = {
		.offset = FFA_MSG_HDR_SIZE_1_2, .sender = V1, .receiver = ECHO, .size = 8};

	(void)state;
	memset(tx, 0x5A, FFA_PAGE_SIZE);
	memcpy(tx, &h, sizeof(h));
	/* The sender-ID register is the hypervisor's to fill. */
	iso_expect(INVAL, A, 0, FFA_MSG_SEND2, SR(V1, 0), 0, 0, 0, 0);
	/* A header naming a victim as the sender. */
	iso_expect(INVAL, A, 0, FFA_MSG_SEND2, 0, 0, 0, 0, 0);
	/* Straight into a victim's RX: no VM-to-VM in this system. */
	h.sender = A;
	h.receiver = V2;
	memcpy(tx, &h, sizeof(h));
	iso_expect(DENIED, A, 0, FFA_MSG_SEND2, 0, 0, 0, 0, 0);
	/* The v1.0 form is gone. */
	iso_expect(NOTSUP, A, 0, FFA_MSG_SEND, SR(A, V1), 0, 0, 64, 0);
}

/* ---- Lifecycle ------------------------------------------------------------------------ */

/* An attacker that dies holding everything leaves nothing behind. */
static void atk_vm_dies_holding_state(void **state)
{
	(void)state;
	iso_expect(FFA_RET_OK, A, 0, FFA_PARTITION_INFO_GET, 0, 0, 0, 0, 0);
	iso_expect(FFA_RET_OK, A, 0, FFA_NOTIFICATION_BIND, SR(ECHO, A), 0, 0xFF, 0, 0);
	iso_snapshot(ISO_ALLOW_ATK_STATE);
	ffamed_sim_vm_remove(iso_vm(A));
	assert_int_equal(ffamed_spmc_vm_rx_owner(iso.spmc, A), FFAMED_SPMC_RX_UNMAPPED);
	assert_false(ffamed_spmc_notif_bitmap_exists(iso.spmc, A, NULL));
	assert_false(ffamed_sp_vmwatch_is_live(ffamed_sim_vmwatch(iso.sim), A));
}

/*
 * A VM destroyed while one of its direct requests is preempted in an MP SP
 * (docs/SECURITY.md, finding 1). Nobody else may FFA_RUN that context
 * (FFA_RUN is bound to the dead vCPU, and the SPMC only resumes a context
 * on its own CPU), so unless teardown finishes the request, the context
 * stays PREEMPTED and every later request to that SP on that CPU gets BUSY.
 */
static void atk_vm_dies_with_preempted_request(void **state)
{
	struct ffamed_regs r;
	bool stuck = false;

	(void)state;
	ffa_regs_clear(&r);
	r.x[0] = FFA_MSG_SEND_DIRECT_REQ_64;
	r.x[1] = SR(A, ECHO);
	r.x[3] = FFAMED_ECHO_CMD_INTERRUPT;
	r.x[4] = 5;
	iso_call_on_vcpu(A, 1, &r);
	assert_int_equal(r.x[0], FFA_INTERRUPT);
	iso_snapshot(ISO_ALLOW_ATK_STATE | ISO_ALLOW_SP_CALLS);
	ffamed_sim_vm_remove(iso_vm(A));
	for (uint16_t c = 0; c < 16; c++)
		if (c != iso.victim2_ctx &&
		    ffamed_spmc_ctx_state(iso.spmc, ECHO, c) == FFAMED_SPMC_CTX_PREEMPTED)
			stuck = true;
	/* The mediator finishes the dead VM's request at teardown (FFA_RUN on
	 * the context's own CPU): the context serves the victims again. */
	assert_false(stuck);
	/* The attacker's own request completing moved the SP's counters and
	 * its context back to idle: the victims' state is compared from here. */
	iso_snapshot(ISO_ALLOW_ATK_STATE | ISO_ALLOW_SP_CALLS);
	ffa_regs_clear(&r);
	r.x[0] = FFA_MSG_SEND_DIRECT_REQ_64;
	r.x[1] = SR(V1, ECHO);
	r.x[3] = FFAMED_ECHO_CMD_WHOAMI;
	iso_call_on_vcpu(V1, 1, &r);
	assert_int_equal(r.x[0], FFA_MSG_SEND_DIRECT_RESP_64);
	iso_snapshot(ISO_ALLOW_ATK_STATE | ISO_ALLOW_SP_CALLS);
}

/* Re-creating a live victim's ID fails and leaves the victim alone. */
static void atk_vm_add_duplicate_id(void **state)
{
	struct ffamed_sim_vm *vm = NULL;

	(void)state;
	assert_int_not_equal(ffamed_sim_vm_add(iso.sim, V1, 1, &vm), FFA_RET_OK);
	assert_int_not_equal(ffamed_sim_vm_add(iso.sim, 0, 1, &vm), FFA_RET_OK);
	assert_int_not_equal(ffamed_sim_vm_add(iso.sim, ECHO, 1, &vm), FFA_RET_OK);
	assert_int_equal(ffamed_sim_vm_count(iso.sim), 5);
}

/* A new VM reusing a dead attacker's ID inherits none of its state. */
static void atk_vm_id_reuse(void **state)
{
	struct ffamed_sim_vm *vm = NULL;

	(void)state;
	iso_expect(FFA_RET_OK, A, 0, FFA_NOTIFICATION_BIND, SR(ECHO, A), 0, 0x1, 0, 0);
	iso_expect(FFA_RET_OK, A, 0, FFA_PARTITION_INFO_GET, 0, 0, 0, 0, 0);
	ffamed_sim_vm_remove(iso_vm(A));
	assert_int_equal(ffamed_sim_vm_add(iso.sim, A, ISO_VCPUS, &vm), FFA_RET_OK);
	iso_snapshot(ISO_ALLOW_ATK_STATE);
	assert_int_equal(ffamed_spmc_notif_bound(iso.spmc, A, ECHO, NULL), 0);
	iso_expect(NOTSUP, A, 0, FFA_ID_GET, 0, 0, 0, 0, 0); /* no version yet */
	iso_call(A, 0, NULL, FFA_VERSION, FFA_VERSION_1_2, 0, 0, 0, 0, 0, 0);
	iso_expect(DENIED, A, 0, FFA_RX_RELEASE, 0, 0, 0, 0, 0);
}

#define ATTACK(f) cmocka_unit_test_setup_teardown(f, iso_setup, iso_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		ATTACK(atk_map_victim_rx_pa),
		ATTACK(atk_map_victim_tx_pa),
		ATTACK(atk_map_victim_marker_pa),
		ATTACK(atk_map_above_ram),
		ATTACK(atk_map_below_ram),
		ATTACK(atk_map_straddles_ram_end),
		ATTACK(atk_map_unaligned_tx),
		ATTACK(atk_map_unaligned_rx),
		ATTACK(atk_map_zero_pages),
		ATTACK(atk_map_page_count_overflow),
		ATTACK(atk_map_over_max_pages),
		ATTACK(atk_map_address_wraps),
		ATTACK(atk_map_rx_equals_tx),
		ATTACK(atk_map_rx_tx_overlap),
		ATTACK(atk_map_twice),
		ATTACK(atk_map32_upper_junk),
		ATTACK(atk_map_readonly_rx),
		ATTACK(atk_unmap_forged_id),
		ATTACK(atk_unmap_not_mapped),
		ATTACK(atk_unmap_while_rx_full),
		ATTACK(atk_rx_release_forged_id),
		ATTACK(atk_rx_release_not_owned),
		ATTACK(atk_rx_release_unmapped),
		ATTACK(atk_rx_acquire_victim),
		ATTACK(atk_pig_unknown_uuid),
		ATTACK(atk_pig_while_owned),
		ATTACK(atk_pig_bad_flags),
		ATTACK(atk_pig_count_only_keeps_rx),
		ATTACK(atk_pig_no_rx),
		ATTACK(atk_pig_regs_bad_index),
		ATTACK(atk_direct_forged_sender),
		ATTACK(atk_direct_sender_is_sp),
		ATTACK(atk_direct_to_vm),
		ATTACK(atk_direct_to_missing_sp),
		ATTACK(atk_direct_req2_to_optee),
		ATTACK(atk_direct_forged_vm_created),
		ATTACK(atk_direct_forged_vm_destroyed),
		ATTACK(atk_direct_reserved_flags),
		ATTACK(atk_direct32_upper_junk),
		ATTACK(atk_direct_resp_unsolicited),
		ATTACK(atk_run_victim_context),
		ATTACK(atk_run_idle_context),
		ATTACK(atk_run_bad_targets),
		ATTACK(atk_run_wrong_vcpu),
		ATTACK(atk_run64),
		ATTACK(atk_notif_bind_victim),
		ATTACK(atk_notif_unbind_victim),
		ATTACK(atk_notif_bind_vm_sender),
		ATTACK(atk_notif_set_forged_sender),
		ATTACK(atk_notif_set_unbound),
		ATTACK(atk_notif_set_to_vm),
		ATTACK(atk_notif_get_forged_receiver),
		ATTACK(atk_notif_get_bad_vcpu),
		ATTACK(atk_notif_bind_per_vcpu_flag_junk),
		ATTACK(atk_notif_flood),
		ATTACK(atk_notif_scheduler_calls),
		ATTACK(atk_calls_before_version),
		ATTACK(atk_version_mbz_bit),
		ATTACK(atk_version_other_majors),
		ATTACK(atk_version_change_after_final),
		ATTACK(atk_vcpu_out_of_range),
		ATTACK(atk_sve_hint_bit),
		ATTACK(atk_fid_edges),
		ATTACK(atk_partition_only_calls),
		ATTACK(atk_mbz_registers),
		ATTACK(atk_msg_send2_to_victim),
		ATTACK(atk_vm_dies_holding_state),
		ATTACK(atk_vm_dies_with_preempted_request),
		ATTACK(atk_vm_add_duplicate_id),
		ATTACK(atk_vm_id_reuse),
	};

	return cmocka_run_group_tests_name("isolation", tests, NULL, NULL);
}
