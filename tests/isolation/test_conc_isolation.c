/* SPDX-License-Identifier: MIT */
/*
 * Isolation under concurrency: hostile vCPUs attack while the victims'
 * vCPUs work, each on its own thread (and simulated CPU):
 *   - VM 1 vCPU 0 loops partition discovery (RX full, check, release);
 *     vCPU 1 loops ECHO WHOAMI requests;
 *   - VM 2 vCPU 0 loops preempted requests and resumes them;
 *   - VM 3 vCPU 0 maps and unmaps its RX/TX, discovers, forges releases,
 *     senders and FFA_RUNs of every ECHO context; vCPU 1 rewrites its TX
 *     while calling the memory ABIs on it (a descriptor changing under the
 *     call) and releases/unmaps the RX vCPU 0 may be reading;
 *   - VM 4 floods notification set/bind/unbind/get and forged requests.
 * Every victim answer must be exact, no attack may succeed, and the SPs
 * must have served exactly the victims' requests.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "iso_fixture.h"

#define ECHO  FFAMED_SIM_ECHO_ID
#define ITERS 300
#define SR    FFA_SENDER_RECEIVER

static _Atomic uint64_t failures;
static _Atomic int victims_done;
static char first_failure[160];
static pthread_mutex_t first_lock = PTHREAD_MUTEX_INITIALIZER;
static struct ffamed_sim *sim;

static void record_failure(uint16_t vm, uint16_t vcpu, const char *what, uint64_t got)
{
	atomic_fetch_add(&failures, 1);
	pthread_mutex_lock(&first_lock);
	if (!first_failure[0])
		snprintf(first_failure, sizeof(first_failure), "VM %u vCPU %u: %s (got %#llx)", vm,
			 vcpu, what, (unsigned long long)got);
	pthread_mutex_unlock(&first_lock);
}

static void call(struct ffamed_sim_vm *vm, uint16_t vcpu, struct ffamed_regs *r, uint64_t fid,
		 uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4)
{
	ffa_regs_clear(r);
	r->x[0] = fid;
	r->x[1] = a1;
	r->x[2] = a2;
	r->x[3] = a3;
	r->x[4] = a4;
	ffamed_sim_guest_call(vm, vcpu, r);
}

static struct ffamed_sim_vm *sim_vm(struct ffamed_posix_vm *pvm)
{
	return ffamed_sim_find_vm(sim, ffamed_posix_vm_id(pvm));
}

/* ---- Victims ---------------------------------------------------------------- */

static void victim1(struct ffamed_posix_vm *pvm, uint16_t vcpu, void *arg)
{
	struct ffamed_sim_vm *vm = sim_vm(pvm);
	const uint8_t *rx = ffamed_sim_guest_va(vm, FFAMED_SIM_RX_IPA);
	struct ffamed_regs r;

	(void)arg;
	for (int i = 0; i < ITERS; i++) {
		if (vcpu == 0) {
			uint16_t id;

			call(vm, vcpu, &r, FFA_PARTITION_INFO_GET, 0, 0, 0, 0);
			if (r.x[0] != FFA_SUCCESS_32 || r.x[2] != FFAMED_SIM_SP_COUNT) {
				record_failure(1, vcpu, "discovery", r.x[2]);
				continue;
			}
			memcpy(&id, rx, sizeof(id));
			if (id != ECHO)
				record_failure(1, vcpu, "RX contents", id);
			call(vm, vcpu, &r, FFA_RX_RELEASE, 0, 0, 0, 0);
			if (r.x[0] != FFA_SUCCESS_32)
				record_failure(1, vcpu, "RX_RELEASE", r.x[2]);
		} else {
			call(vm, vcpu, &r, FFA_MSG_SEND_DIRECT_REQ_64, SR(1, ECHO), 0,
			     FFAMED_ECHO_CMD_WHOAMI, 0);
			if (r.x[0] != FFA_MSG_SEND_DIRECT_RESP_64 || r.x[1] != SR(ECHO, 1) ||
			    r.x[6] != 1)
				record_failure(1, vcpu, "WHOAMI", r.x[0]);
		}
	}
	atomic_fetch_add(&victims_done, 1);
}

static void victim2(struct ffamed_posix_vm *pvm, uint16_t vcpu, void *arg)
{
	struct ffamed_sim_vm *vm = sim_vm(pvm);
	struct ffamed_regs r;

	(void)arg;
	for (int i = 0; i < ITERS; i++) {
		call(vm, vcpu, &r, FFA_MSG_SEND_DIRECT_REQ_64, SR(2, ECHO), 0,
		     FFAMED_ECHO_CMD_INTERRUPT, 1);
		if (r.x[0] != FFA_INTERRUPT) {
			record_failure(2, vcpu, "preempted request", r.x[0]);
			continue;
		}
		call(vm, vcpu, &r, FFA_RUN, r.x[1], 0, 0, 0);
		/* Resumed once, by this vCPU: P[4] = 1. */
		if (r.x[0] != FFA_MSG_SEND_DIRECT_RESP_64 || r.x[1] != SR(ECHO, 2) || r.x[7] != 1)
			record_failure(2, vcpu, "resumed answer", r.x[0]);
	}
	atomic_fetch_add(&victims_done, 1);
}

/* ---- Attackers ---------------------------------------------------------------- */

static _Atomic uint64_t attack_rounds;

/* Attack while the victims run, and at least a few rounds in any case. */
static bool keep_attacking(unsigned n)
{
	atomic_fetch_add(&attack_rounds, 1);
	return atomic_load(&victims_done) < 3 || n < 50;
}

/* An attack call must be refused (FFA_ERROR) with one of two codes. */
static void refused(uint16_t vm, uint16_t vcpu, const char *what, const struct ffamed_regs *r,
		    int32_t e1, int32_t e2)
{
	if (r->x[0] != FFA_ERROR || (ffa_error_code(r) != e1 && ffa_error_code(r) != e2))
		record_failure(vm, vcpu, what, r->x[0] == FFA_ERROR ? r->x[2] : r->x[0]);
}

static void attacker3(struct ffamed_posix_vm *pvm, uint16_t vcpu, void *arg)
{
	struct ffamed_sim_vm *vm = sim_vm(pvm);
	uint8_t *tx = ffamed_sim_guest_va(vm, FFAMED_SIM_TX_IPA);
	struct ffamed_regs r;
	unsigned n = 0;

	(void)arg;
	while (keep_attacking(n)) {
		n++;
		if (vcpu == 0) {
			call(vm, vcpu, &r, FFA_RXTX_MAP_64, FFAMED_SIM_TX_IPA, FFAMED_SIM_RX_IPA, 1,
			     0);
			call(vm, vcpu, &r, FFA_PARTITION_INFO_GET, 0, 0, 0, 0);
			call(vm, vcpu, &r, FFA_RX_RELEASE, 1, 0, 0, 0);
			refused(3, vcpu, "RX_RELEASE(VM 1)", &r, FFA_RET_INVALID_PARAMETERS, 0);
			call(vm, vcpu, &r, FFA_MSG_SEND_DIRECT_REQ_64, SR(1, ECHO), 0,
			     FFAMED_ECHO_CMD_WHOAMI, 0);
			refused(3, vcpu, "request as VM 1", &r, FFA_RET_INVALID_PARAMETERS, 0);
			call(vm, vcpu, &r, FFA_RUN, FFA_TARGET_INFO(ECHO, n % 16), 0, 0, 0);
			refused(3, vcpu, "FFA_RUN", &r, FFA_RET_DENIED, FFA_RET_INVALID_PARAMETERS);
			call(vm, vcpu, &r, FFA_RX_RELEASE, 0, 0, 0, 0);
			call(vm, vcpu, &r, FFA_RXTX_UNMAP, 0, 0, 0, 0);
		} else {
			/* The descriptor changes while the other vCPU may be in a
			 * call reading TX; then this vCPU's own memory calls. */
			memset(tx, (int)(n & 0xFF), 256);
			call(vm, vcpu, &r, FFA_MEM_SHARE_64, 112, 112, 0, 0);
			/* Garbage, or no TX mapped (vCPU 0 unmaps it). */
			refused(3, vcpu, "MEM_SHARE", &r, FFA_RET_DENIED,
				FFA_RET_INVALID_PARAMETERS);
			call(vm, vcpu, &r, FFA_MEM_RECLAIM, n, 0, 0, 0);
			refused(3, vcpu, "MEM_RECLAIM", &r, FFA_RET_INVALID_PARAMETERS,
				FFA_RET_DENIED);
			/* Release and unmap under vCPU 0's feet. */
			call(vm, vcpu, &r, FFA_RX_RELEASE, 0, 0, 0, 0);
			call(vm, vcpu, &r, FFA_RXTX_UNMAP, 0, 0, 0, 0);
			call(vm, vcpu, &r, FFA_NOTIFICATION_GET, SR(0, 1), 0xF, 0, 0);
			refused(3, vcpu, "NOTIFICATION_GET(VM 1)", &r, FFA_RET_INVALID_PARAMETERS,
				0);
		}
	}
}

static void attacker4(struct ffamed_posix_vm *pvm, uint16_t vcpu, void *arg)
{
	struct ffamed_sim_vm *vm = sim_vm(pvm);
	struct ffamed_regs r;
	unsigned n = 0;

	(void)arg;
	while (keep_attacking(n)) {
		uint32_t bit = 1u << (n++ % 32);

		call(vm, vcpu, &r, FFA_NOTIFICATION_BIND, SR(ECHO, 4), 0, bit, 0);
		call(vm, vcpu, &r, FFA_NOTIFICATION_SET, SR(4, ECHO), 0, bit, 0);
		refused(4, vcpu, "SET of bits ECHO did not bind", &r, FFA_RET_DENIED, 0);
		call(vm, vcpu, &r, FFA_NOTIFICATION_UNBIND, SR(ECHO, 4), 0, bit, 0);
		call(vm, vcpu, &r, FFA_NOTIFICATION_BIND, SR(ECHO, 1), 0, bit, 0);
		refused(4, vcpu, "BIND for VM 1", &r, FFA_RET_INVALID_PARAMETERS, 0);
		call(vm, vcpu, &r, FFA_MSG_SEND_DIRECT_REQ_32, SR(2, ECHO), 0, 0, 0);
		refused(4, vcpu, "request as VM 2", &r, FFA_RET_INVALID_PARAMETERS, 0);
		call(vm, vcpu, &r, FFA_NOTIFICATION_GET, SR(vcpu, 4), 0xF, 0, 0);
	}
}

static void up(uint16_t id)
{
	struct ffamed_sim_vm *vm = ffamed_sim_find_vm(sim, id);
	struct ffamed_regs r;

	call(vm, 0, &r, FFA_VERSION, FFA_VERSION_1_2, 0, 0, 0);
	assert_int_equal(r.x[0], FFA_VERSION_1_2);
	call(vm, 0, &r, FFA_RXTX_MAP_64, FFAMED_SIM_TX_IPA, FFAMED_SIM_RX_IPA, 1, 0);
	assert_int_equal(r.x[0], FFA_SUCCESS_32);
}

static void test_attacks_while_victims_work(void **state)
{
	struct ffamed_sim_config cfg;
	struct ffamed_sp_echo *echo;
	struct ffamed_sim_leaks leaks;
	ffamed_posix_vcpu_fn fns[4] = {victim1, victim2, attacker3, attacker4};
	uint64_t requests;

	(void)state;
	ffamed_sim_default_config(&cfg);
	cfg.vm_count = 4;
	cfg.vcpus_per_vm = 2;
	cfg.cpu_count = 16;
	assert_int_equal(ffamed_sim_create(&cfg, &sim), FFA_RET_OK);
	for (uint16_t id = 1; id <= 4; id++)
		up(id);
	echo = ffamed_sim_echo(sim);
	requests = atomic_load(&echo->requests);
	atomic_store(&victims_done, 0);
	atomic_store(&failures, 0);

	for (uint16_t id = 1; id <= 4; id++)
		for (uint16_t v = 0; v < 2; v++) {
			/* VM 2 runs one vCPU: its request loop. */
			if (id == 2 && v == 1)
				continue;
			assert_int_equal(ffamed_sim_vcpu_start(ffamed_sim_find_vm(sim, id), v,
							       fns[id - 1], NULL),
					 FFA_RET_OK);
		}
	for (uint16_t id = 1; id <= 4; id++)
		for (uint16_t v = 0; v < 2; v++)
			if (!(id == 2 && v == 1))
				ffamed_sim_vcpu_join(ffamed_sim_find_vm(sim, id), v);

	print_message("attack rounds: %llu\n", (unsigned long long)atomic_load(&attack_rounds));
	assert_true(atomic_load(&attack_rounds) >= 4 * 50);
	if (atomic_load(&failures))
		print_error("first failure: %s\n", first_failure);
	assert_int_equal(atomic_load(&failures), 0);
	/* Exactly the victims' requests reached ECHO: VM 1's WHOAMIs and
	 * VM 2's preempted ones (one resume each). */
	assert_int_equal(atomic_load(&echo->requests) - requests, 2 * ITERS);
	assert_int_equal(atomic_load(&echo->resumes), ITERS);
	assert_int_equal(ffamed_spmc_notif_bound(ffamed_sim_spmc(sim), 1, ECHO, NULL), 0);

	ffamed_sim_shutdown(sim, &leaks);
	assert_int_equal(leaks.pinned_pages, 0);
	assert_int_equal(leaks.live_allocs, 0);
	assert_int_equal(leaks.spmc_live_allocs, 0);
	assert_int_equal(leaks.mapped_pages, 0);
	assert_int_equal(leaks.live_vms, 0);
	assert_int_equal(leaks.port_errors, 0);
	ffamed_sim_destroy(sim);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_attacks_while_victims_work),
	};

	return cmocka_run_group_tests_name("isolation_concurrent", tests, NULL, NULL);
}
