/* SPDX-License-Identifier: MIT */
/*
 * The whole system under concurrency: vCPU threads of several VMs hammer
 * partition discovery and direct messages (with preemption) while another
 * thread keeps creating and destroying VMs whose own vCPUs run too. Exact
 * accounting: every call gets the answer it must, the SPs' counters match
 * what the guests received, VMWATCH saw every VM come and go, and teardown
 * leaves nothing behind.
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

#include "sys_fixture.h"

#define ECHO	    FFAMED_SIM_ECHO_ID
#define LONG_VMS    3
#define LONG_VCPUS  2
#define LONG_ITERS  150
#define CHURN_VMS   12
#define CHURN_VCPUS 2
#define CHURN_ITERS 10
#define CPUS	    16

static const struct ffa_uuid echo_uuid = FFAMED_SP_ECHO_UUID;

/* Totals over all guests: what they sent and what came back wrong. */
struct tally {
	_Atomic uint64_t calls_ok;
	_Atomic uint64_t failures;
	_Atomic uint64_t echo_answers;
	_Atomic uint64_t resumes;
	pthread_mutex_t first_lock; /* first_failure */
	char first_failure[160];
};

static struct tally tally;

static void record_failure(uint16_t vm, uint16_t vcpu, const char *what, int64_t got, int64_t want)
{
	atomic_fetch_add(&tally.failures, 1);
	pthread_mutex_lock(&tally.first_lock);
	if (!tally.first_failure[0])
		snprintf(tally.first_failure, sizeof(tally.first_failure),
			 "VM %u vCPU %u: %s: got %lld, want %lld", vm, vcpu, what, (long long)got,
			 (long long)want);
	pthread_mutex_unlock(&tally.first_lock);
}

static bool check(struct sys_guest *g, const char *what, int64_t got, int64_t want)
{
	if (got == want) {
		atomic_fetch_add(&tally.calls_ok, 1);
		return true;
	}
	record_failure(ffamed_sim_vm_id(g->vm), g->vcpu, what, got, want);
	return false;
}

static uint32_t version_of(uint16_t id)
{
	static const uint32_t v[3] = {FFA_VERSION_1_0, FFA_VERSION_1_1, FFA_VERSION_1_2};

	return v[id % 3];
}

static void guest_discovery(struct sys_guest *g, bool with_rx)
{
	struct ffac_partition parts[8];
	uint32_t count = 0;

	if (with_rx) {
		ffamed_sim_guest_rx_lock(g->vm);
		if (check(g, "list", ffac_partition_list(&g->c, NULL, parts, 8, &count),
			  FFA_RET_OK))
			check(g, "list count", count, FFAMED_SIM_SP_COUNT);
		ffamed_sim_guest_rx_unlock(g->vm);
	} else if (g->c.version >= FFA_VERSION_1_1) {
		if (check(g, "count", ffac_partition_count(&g->c, NULL, &count), FFA_RET_OK))
			check(g, "count", count, FFAMED_SIM_SP_COUNT);
	}
	if (g->c.version >= FFA_VERSION_1_2) {
		if (check(g, "regs", ffac_partition_list_regs(&g->c, &echo_uuid, parts, 8, &count),
			  FFA_RET_OK))
			check(g, "regs id", parts[0].id, ECHO);
	}
}

static void guest_messages(struct sys_guest *g, uint32_t iter)
{
	uint16_t id = ffamed_sim_vm_id(g->vm);
	uint64_t args[5], out[5];
	uint32_t resumes = 0;
	bool is64 = iter & 1;

	for (int i = 0; i < 5; i++)
		args[i] = ((uint64_t)id << 40) ^ ((uint64_t)g->vcpu << 32) ^ (iter * 8u + i + 1);
	if (check(g, "echo", ffac_direct_req(&g->c, ECHO, is64, args, out, &resumes), FFA_RET_OK)) {
		atomic_fetch_add(&tally.echo_answers, 1);
		for (int i = 0; i < 5; i++)
			check(g, "echo payload", (int64_t)out[i],
			      (int64_t)(args[i] & (is64 ? UINT64_MAX : UINT32_MAX)));
	}
	/* Preempted 1 or 2 times, by interrupt or yield. */
	args[0] = (iter & 2) ? FFAMED_ECHO_CMD_YIELD : FFAMED_ECHO_CMD_INTERRUPT;
	args[1] = 1 + (iter % 2);
	if (check(g, "preempted", ffac_direct_req(&g->c, ECHO, !is64, args, out, &resumes),
		  FFA_RET_OK)) {
		atomic_fetch_add(&tally.echo_answers, 1);
		atomic_fetch_add(&tally.resumes, resumes);
		check(g, "resumes", resumes, (int64_t)args[1]);
		check(g, "sender seen by the SP", (int64_t)out[3], id);
	}
}

/* What each vCPU thread runs: bring-up, then `iters` rounds. */
struct guest_job {
	struct ffamed_sim_vm *vm;
	uint32_t iters;	       /* at least this many rounds */
	_Atomic bool *keep_on; /* NULL, or more rounds while it is true */
	bool use_rx;	       /* this vCPU takes part in RX-buffer discovery */
	uint32_t rounds;       /* rounds run */
};

static void guest_main(struct ffamed_posix_vm *pvm, uint16_t vcpu, void *arg)
{
	struct guest_job *job = arg;
	struct sys_guest g;
	uint16_t id = 0;
	int32_t map;

	(void)pvm;
	sys_guest_init(&g, job->vm, vcpu);
	check(&g, "version", ffac_negotiate(&g.c, version_of(ffamed_sim_vm_id(job->vm))),
	      FFA_RET_OK);
	check(&g, "id_get", ffac_id_get(&g.c, &id), FFA_RET_OK);
	check(&g, "id", id, ffamed_sim_vm_id(job->vm));
	/* vCPU 0 maps the pair (its siblings wait for the outcome). */
	if (vcpu == 0)
		map = ffamed_sim_guest_map_rxtx(job->vm, &g.c, 1);
	else
		map = ffamed_sim_guest_adopt_rxtx(job->vm, &g.c);
	check(&g, "rxtx", map, FFA_RET_OK);

	/* The long-lived VMs keep going until the churn is over, so that
	 * every creation and destruction overlaps their traffic. */
	for (job->rounds = 0;
	     job->rounds < job->iters || (job->keep_on && atomic_load(job->keep_on));
	     job->rounds++) {
		guest_discovery(&g, job->use_rx && map == FFA_RET_OK);
		guest_messages(&g, job->rounds);
	}
}

struct churn {
	struct ffamed_sim *sim;
	_Atomic uint32_t created;
	_Atomic uint32_t removed;
	_Atomic uint32_t failures;
	_Atomic bool running;
	uint64_t rounds; /* guest rounds of the churned VMs */
};

/* Create a VM, run its vCPUs for a while, destroy it (mapped pair and
 * all); again, while the long-lived VMs run. */
static void *churn_main(void *arg)
{
	struct churn *ch = arg;
	struct ffamed_sp_vmwatch *w = ffamed_sim_vmwatch(ch->sim);

	for (uint32_t k = 0; k < CHURN_VMS; k++) {
		struct guest_job jobs[CHURN_VCPUS];
		uint16_t id = (uint16_t)(20 + k % 4);
		struct ffamed_sim_vm *vm = NULL;

		if (ffamed_sim_vm_add(ch->sim, id, CHURN_VCPUS, &vm) != FFA_RET_OK) {
			atomic_fetch_add(&ch->failures, 1);
			continue;
		}
		atomic_fetch_add(&ch->created, 1);
		if (!ffamed_sp_vmwatch_is_live(w, id))
			atomic_fetch_add(&ch->failures, 1);
		for (uint16_t v = 0; v < CHURN_VCPUS; v++) {
			jobs[v].vm = vm;
			jobs[v].iters = CHURN_ITERS;
			jobs[v].keep_on = NULL;
			jobs[v].use_rx = v == 0;
			if (ffamed_sim_vcpu_start(vm, v, guest_main, &jobs[v]) != FFA_RET_OK)
				atomic_fetch_add(&ch->failures, 1);
		}
		/* Joins the vCPUs, then VM_DESTROYED. */
		ffamed_sim_vm_remove(vm);
		for (uint16_t v = 0; v < CHURN_VCPUS; v++)
			ch->rounds += jobs[v].rounds;
		atomic_fetch_add(&ch->removed, 1);
		if (ffamed_sp_vmwatch_is_live(w, id))
			atomic_fetch_add(&ch->failures, 1);
	}
	atomic_store(&ch->running, false);
	return NULL;
}

static void test_conc_system(void **state)
{
	struct ffamed_sim *sim = sys_create(LONG_VMS, LONG_VCPUS, false, CPUS);
	struct guest_job jobs[LONG_VMS][LONG_VCPUS];
	struct ffamed_sp_vmwatch *w = ffamed_sim_vmwatch(sim);
	struct ffamed_sp_echo *echo = ffamed_sim_echo(sim);
	struct churn ch = {.sim = sim};
	uint64_t rounds = 0;
	pthread_t churner;

	(void)state;
	memset(&tally, 0, sizeof(tally));
	atomic_init(&ch.running, true);
	pthread_mutex_init(&tally.first_lock, NULL);
	for (uint32_t i = 0; i < LONG_VMS; i++) {
		struct ffamed_sim_vm *vm = ffamed_sim_vm_at(sim, i);

		for (uint16_t v = 0; v < LONG_VCPUS; v++) {
			jobs[i][v].vm = vm;
			jobs[i][v].iters = LONG_ITERS;
			jobs[i][v].keep_on = &ch.running;
			jobs[i][v].use_rx = true;
			assert_int_equal(ffamed_sim_vcpu_start(vm, v, guest_main, &jobs[i][v]),
					 FFA_RET_OK);
		}
	}
	assert_int_equal(pthread_create(&churner, NULL, churn_main, &ch), 0);
	assert_int_equal(pthread_join(churner, NULL), 0);
	for (uint32_t i = 0; i < LONG_VMS; i++) {
		for (uint16_t v = 0; v < LONG_VCPUS; v++) {
			ffamed_sim_vcpu_join(ffamed_sim_vm_at(sim, i), v);
			assert_true(jobs[i][v].rounds >= LONG_ITERS);
			rounds += jobs[i][v].rounds;
		}
	}
	assert_int_equal(ch.rounds, CHURN_VMS * CHURN_VCPUS * CHURN_ITERS);
	rounds += ch.rounds;

	if (tally.first_failure[0])
		print_error("first failure: %s\n", tally.first_failure);
	assert_int_equal(atomic_load(&tally.failures), 0);
	assert_int_equal(atomic_load(&ch.failures), 0);
	assert_int_equal(atomic_load(&ch.created), CHURN_VMS);
	assert_int_equal(atomic_load(&ch.removed), CHURN_VMS);

	/* Two requests per round for every vCPU that ran. */
	assert_int_equal(atomic_load(&tally.echo_answers), 2 * rounds);
	assert_int_equal(atomic_load(&echo->responses), atomic_load(&tally.echo_answers));
	assert_int_equal(atomic_load(&echo->requests), atomic_load(&tally.echo_answers));
	assert_int_equal(atomic_load(&echo->resumes), atomic_load(&tally.resumes));

	assert_int_equal(ffamed_sp_vmwatch_created_msgs(w), LONG_VMS + CHURN_VMS);
	assert_int_equal(ffamed_sp_vmwatch_destroyed_msgs(w), CHURN_VMS);
	assert_int_equal(ffamed_sp_vmwatch_live_count(w), LONG_VMS);
	assert_int_equal(atomic_load(&w->duplicate_created), 0);
	assert_int_equal(atomic_load(&w->unknown_destroyed), 0);
	for (uint32_t i = 0; i < LONG_VMS; i++)
		assert_int_equal(ffamed_sim_vm_call_count(ffamed_sim_vm_at(sim, i), FFA_VERSION),
				 LONG_VCPUS);

	sys_shutdown(sim);
	assert_int_equal(ffamed_sp_vmwatch_destroyed_msgs(w), LONG_VMS + CHURN_VMS);
	assert_int_equal(ffamed_sp_vmwatch_live_count(w), 0);
	ffamed_sim_destroy(sim);
	pthread_mutex_destroy(&tally.first_lock);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_conc_system),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
