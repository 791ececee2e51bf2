/* SPDX-License-Identifier: MIT */
/*
 * Notifications end to end on a simulated system: the client library as a
 * guest (NPI mode, no bitmap of its own), the SPMC's SRI delivered by the
 * POSIX port's deferred work to the mediator's handler, and vCPUs going
 * offline and online through the sim.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "sys_fixture.h"

#define NPI	   (1ull << 8)
#define WAIT_NS	   5000000000ull
#define NO_WAIT_NS 20000000ull
#define ECHO	   FFAMED_SIM_ECHO_ID

static uint64_t wait_npi(struct ffamed_sim_vm *vm, uint16_t vcpu, uint64_t timeout_ns)
{
	struct ffamed_posix_vm *pvm = ffamed_sim_vm_posix(vm);

	if (!ffamed_posix_vcpu_wait_virq(pvm, vcpu, timeout_ns))
		return 0;
	return ffamed_posix_vcpu_take_virqs(pvm, vcpu);
}

/* ECHO sets notifications for the requesting VM (status in P[1]). */
static void echo_notify(struct sys_guest *g, uint32_t flags, uint64_t bitmap)
{
	uint64_t args[5] = {FFAMED_ECHO_CMD_NOTIF_SET, flags, (uint32_t)bitmap, bitmap >> 32, 0};
	uint64_t out[5];

	assert_int_equal(ffac_direct_req(&g->c, ECHO, false, args, out, NULL), FFA_RET_OK);
	assert_int_equal(out[1], 0);
}

static void guest_roles_and_sp_to_vm(void **state)
{
	(void)state;
	struct ffamed_sim *sim = sys_create(2, 2, true, 0);
	struct ffamed_posix_host *host = ffamed_sim_host(sim);
	struct sys_guest g0, g1, old;
	struct ffac_notif_bits bits;
	size_t sri_before;

	sys_guest_init(&g0, ffamed_sim_find_vm(sim, 1), 0);
	sys_guest_up(&g0, FFA_VERSION_1_2, true);
	sys_guest_init(&g1, ffamed_sim_find_vm(sim, 1), 1);
	sys_guest_up(&g1, FFA_VERSION_1_2, false);
	assert_int_equal(ffac_notif_setup(&g0.c, 2), FFA_RET_OK);
	assert_int_equal(g0.c.notif_mode, FFAC_NOTIF_NPI);
	assert_int_equal(g0.c.notif_intid, 8);
	assert_int_equal(ffamed_sim_vm_call_count(g0.vm, FFA_NOTIFICATION_BITMAP_CREATE), 0);
	assert_int_equal(ffac_notif_setup(&g1.c, 2), FFA_RET_OK);

	/* A v1.0 guest has no notifications (Linux 7.3 asks anyway). */
	sys_guest_init(&old, ffamed_sim_find_vm(sim, 2), 0);
	sys_guest_up(&old, FFA_VERSION_1_0, true);
	assert_int_equal(ffac_notif_setup(&old.c, 2), FFA_RET_NOT_SUPPORTED);

	/* SP -> VM global: SRI -> the mediator's handler -> NPI -> GET. */
	assert_int_equal(ffac_notif_bind(&g0.c, ECHO, false, 0x5), FFA_RET_OK);
	assert_int_equal(ffac_notif_bind(&g0.c, ECHO, true, 0x100), FFA_RET_OK);
	sri_before = ffamed_posix_sri_count(host);
	echo_notify(&g0, 0, 0x5);
	assert_true(ffamed_posix_sri_count(host) > sri_before);
	assert_int_equal(wait_npi(g0.vm, 0, WAIT_NS) | wait_npi(g0.vm, 1, NO_WAIT_NS), NPI);
	assert_int_equal(ffac_notif_handle_npi(&g0.c, 0, &bits), FFA_RET_OK);
	assert_int_equal(bits.sp, 0x5);
	assert_int_equal(bits.vm | bits.spm_fwk | bits.hyp_fwk, 0);

	/* Per-vCPU for vCPU 1 while it is offline: signalled when it is back. */
	ffamed_sim_vcpu_set_online(g0.vm, 1, false);
	echo_notify(&g0, FFA_NOTIF_FLAG_PER_VCPU | (1u << 16), 0x100);
	assert_int_equal(wait_npi(g0.vm, 1, NO_WAIT_NS), 0);
	ffamed_sim_vcpu_set_online(g0.vm, 1, true);
	assert_int_equal(wait_npi(g0.vm, 1, WAIT_NS), NPI);
	assert_int_equal(ffac_notif_handle_npi(&g1.c, 1, &bits), FFA_RET_OK);
	assert_int_equal(bits.sp, 0x100);
	assert_int_equal(wait_npi(g0.vm, 0, NO_WAIT_NS), 0);
	sys_finish(sim);
}

static void vm_to_vm_and_back(void **state)
{
	(void)state;
	struct ffamed_sim *sim = sys_create(2, 1, true, 0);
	struct sys_guest a, b;
	struct ffac_notif_bits bits;
	uint64_t args[5] = {FFAMED_ECHO_CMD_NOTIF_BIND, 0, 0x40, 0, 0}, out[5];

	sys_guest_init(&a, ffamed_sim_find_vm(sim, 1), 0);
	sys_guest_up(&a, FFA_VERSION_1_1, true);
	sys_guest_init(&b, ffamed_sim_find_vm(sim, 2), 0);
	sys_guest_up(&b, FFA_VERSION_1_2, true);
	assert_int_equal(ffac_notif_setup(&a.c, 1), FFA_RET_OK);
	assert_int_equal(ffac_notif_setup(&b.c, 1), FFA_RET_OK);

	/* VM -> VM, both ways. */
	assert_int_equal(ffac_notif_bind(&b.c, 1, false, 0x3), FFA_RET_OK);
	assert_int_equal(ffac_notif_bind(&a.c, 2, false, 0x8), FFA_RET_OK);
	assert_int_equal(ffac_notif_set(&a.c, 2, -1, 0x2), FFA_RET_OK);
	assert_int_equal(ffac_notif_set(&a.c, 2, -1, 0x4), FFA_RET_DENIED);
	assert_int_equal(wait_npi(b.vm, 0, WAIT_NS), NPI);
	assert_int_equal(ffac_notif_handle_npi(&b.c, 0, &bits), FFA_RET_OK);
	assert_int_equal(bits.vm, 0x2);
	assert_int_equal(ffac_notif_set(&b.c, 1, -1, 0x8), FFA_RET_OK);
	assert_int_equal(wait_npi(a.vm, 0, WAIT_NS), NPI);
	assert_int_equal(ffac_notif_handle_npi(&a.c, 0, &bits), FFA_RET_OK);
	assert_int_equal(bits.vm, 0x8);

	/* VM -> SP: ECHO binds, the VM sets, ECHO reads it. */
	assert_int_equal(ffac_direct_req(&a.c, ECHO, false, args, out, NULL), FFA_RET_OK);
	assert_int_equal(out[1], 0);
	assert_int_equal(ffac_notif_set(&a.c, ECHO, -1, 0x40), FFA_RET_OK);
	args[0] = FFAMED_ECHO_CMD_NOTIF_GET;
	args[2] = 0;
	assert_int_equal(ffac_direct_req(&a.c, ECHO, false, args, out, NULL), FFA_RET_OK);
	assert_int_equal(out[2], 0x40);

	/* b goes with a binding live and a bit pending: nothing is left. */
	assert_int_equal(ffac_notif_set(&a.c, 2, -1, 0x1), FFA_RET_OK);
	ffamed_sim_vm_remove(b.vm);
	assert_int_equal(ffac_notif_set(&a.c, 2, -1, 0x1), FFA_RET_INVALID_PARAMETERS);
	sys_finish(sim);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(guest_roles_and_sp_to_vm),
		cmocka_unit_test(vm_to_vm_and_back),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
