/* SPDX-License-Identifier: MIT */
/* The isolation suite's system, snapshots and call helpers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdatomic.h>
#include <string.h>

#include <cmocka.h>

#include "iso_fixture.h"

struct iso iso;

#define ISO_CTX_MAX 16u

/* Everything a hostile guest must not change. */
struct iso_snap {
	uint8_t rx[2][FFA_PAGE_SIZE], tx[2][FFA_PAGE_SIZE], marker[2][FFA_PAGE_SIZE];
	size_t pins[2];
	uint32_t version[2];
	int rx_owner[2];
	uint32_t mailbox_pages[2];
	uint64_t mailbox_rx[2], mailbox_tx[2];
	uint64_t bound[2], bound_per_vcpu[2], pending[2], pending_vcpu[2][ISO_VCPUS];
	uint64_t sp_bound_from[2]; /* ECHO's bits bound for each victim as sender */
	bool bitmap[2];
	int echo_ctx[ISO_CTX_MAX];
	uint64_t vm_calls[2];
	uint32_t vmwatch_live;
	uint64_t vmwatch_created, vmwatch_destroyed;
	bool vmwatch_victim_live[2];
	/* ISO_ALLOW_SP_CALLS */
	uint64_t echo_requests, echo_responses, echo_resumes, optee_calls;
	/* ISO_ALLOW_ATK_STATE */
	size_t live_allocs, spmc_allocs, mapped_pages;
	uint32_t mailbox_count, bitmap_count;
	/* always */
	size_t port_errors;
};

static struct iso_snap before, after;
static unsigned snap_allow;

struct ffamed_sim_vm *iso_vm(uint16_t id)
{
	struct ffamed_sim_vm *vm = ffamed_sim_find_vm(iso.sim, id);

	assert_non_null(vm);
	return vm;
}

uint8_t *iso_va(uint16_t id, uint64_t ipa)
{
	uint8_t *p = ffamed_sim_guest_va(iso_vm(id), ipa);

	assert_non_null(p);
	return p;
}

uint64_t iso_pa(uint16_t id, uint64_t ipa)
{
	uint64_t pa = 0;

	assert_int_equal(ffamed_posix_vm_ipa_to_pa(ffamed_sim_vm_posix(iso_vm(id)), ipa, &pa),
			 FFA_RET_OK);
	return pa;
}

void iso_call_regs(uint16_t id, uint16_t vcpu, struct ffamed_regs *regs)
{
	ffamed_sim_guest_call(iso_vm(id), vcpu, regs);
}

struct iso_thread_call {
	struct ffamed_sim_vm *vm;
	struct ffamed_regs *regs;
};

static void iso_vcpu_fn(struct ffamed_posix_vm *pvm, uint16_t vcpu, void *arg)
{
	struct iso_thread_call *c = arg;

	(void)pvm;
	ffamed_sim_guest_call(c->vm, vcpu, c->regs);
}

void iso_call_on_vcpu(uint16_t id, uint16_t vcpu, struct ffamed_regs *regs)
{
	struct iso_thread_call c = {.vm = iso_vm(id), .regs = regs};

	assert_int_equal(ffamed_sim_vcpu_start(c.vm, vcpu, iso_vcpu_fn, &c), FFA_RET_OK);
	ffamed_sim_vcpu_join(c.vm, vcpu);
}

int32_t iso_call(uint16_t id, uint16_t vcpu, struct ffamed_regs *out, uint64_t fid, uint64_t a1,
		 uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5, uint64_t a6, uint64_t a7)
{
	struct ffamed_regs r;

	ffa_regs_clear(&r);
	r.x[0] = fid;
	r.x[1] = a1;
	r.x[2] = a2;
	r.x[3] = a3;
	r.x[4] = a4;
	r.x[5] = a5;
	r.x[6] = a6;
	r.x[7] = a7;
	iso_call_regs(id, vcpu, &r);
	if (out)
		*out = r;
	return ffa_result(&r);
}

void iso_expect(int32_t want, uint16_t id, uint16_t vcpu, uint64_t fid, uint64_t a1, uint64_t a2,
		uint64_t a3, uint64_t a4, uint64_t a5)
{
	struct ffamed_regs r;

	iso_call(id, vcpu, &r, fid, a1, a2, a3, a4, a5, 0, 0);
	if (want != FFA_RET_OK)
		assert_int_equal(r.x[0], FFA_ERROR);
	assert_int_equal(ffa_result(&r), want);
}

static void take(struct iso_snap *s)
{
	struct ffamed_posix_host *host = ffamed_sim_host(iso.sim);
	struct ffamed_sp_echo *echo = ffamed_sim_echo(iso.sim);
	struct ffamed_sp_optee *optee = ffamed_sim_optee(iso.sim);
	struct ffamed_sp_vmwatch *watch = ffamed_sim_vmwatch(iso.sim);
	static const uint16_t victims[2] = {ISO_VICTIM1, ISO_VICTIM2};

	memset(s, 0, sizeof(*s));
	for (int i = 0; i < 2; i++) {
		uint16_t id = victims[i];
		struct ffamed_sim_vm *vm = iso_vm(id);
		uint32_t vcpus = 0;

		memcpy(s->rx[i], iso_va(id, FFAMED_SIM_RX_IPA), FFA_PAGE_SIZE);
		memcpy(s->tx[i], iso_va(id, FFAMED_SIM_TX_IPA), FFA_PAGE_SIZE);
		memcpy(s->marker[i], iso_va(id, ISO_MARKER_IPA), FFA_PAGE_SIZE);
		s->pins[i] = ffamed_posix_vm_pinned_pages(ffamed_sim_vm_posix(vm));
		s->version[i] = ffamed_vm_version(ffamed_sim_vm_mediator(vm));
		s->rx_owner[i] = (int)ffamed_spmc_vm_rx_owner(iso.spmc, id);
		s->mailbox_pages[i] = ffamed_spmc_vm_mailbox(iso.spmc, id, &s->mailbox_rx[i],
							     &s->mailbox_tx[i], 1);
		s->bound[i] = ffamed_spmc_notif_bound(iso.spmc, id, FFAMED_SIM_ECHO_ID,
						      &s->bound_per_vcpu[i]);
		s->pending[i] = ffamed_spmc_notif_pending(iso.spmc, id, false, 0);
		for (uint16_t v = 0; v < ISO_VCPUS; v++)
			s->pending_vcpu[i][v] = ffamed_spmc_notif_pending(iso.spmc, id, true, v);
		s->sp_bound_from[i] =
			ffamed_spmc_notif_bound(iso.spmc, FFAMED_SIM_ECHO_ID, id, NULL);
		s->bitmap[i] = ffamed_spmc_notif_bitmap_exists(iso.spmc, id, &vcpus);
		s->vmwatch_victim_live[i] = ffamed_sp_vmwatch_is_live(watch, id);
		for (uint32_t f = FFA_FNUM_MIN; f <= FFA_FNUM_MAX; f++)
			s->vm_calls[i] += ffamed_sim_vm_call_count(vm, 0x84000000u | f) +
					  ffamed_sim_vm_call_count(vm, 0xC4000000u | f);
	}
	for (uint16_t c = 0; c < ISO_CTX_MAX; c++)
		s->echo_ctx[c] = (int)ffamed_spmc_ctx_state(iso.spmc, FFAMED_SIM_ECHO_ID, c);
	s->vmwatch_live = ffamed_sp_vmwatch_live_count(watch);
	s->vmwatch_created = ffamed_sp_vmwatch_created_msgs(watch);
	s->vmwatch_destroyed = ffamed_sp_vmwatch_destroyed_msgs(watch);
	s->echo_requests = atomic_load(&echo->requests);
	s->echo_responses = atomic_load(&echo->responses);
	s->echo_resumes = atomic_load(&echo->resumes);
	for (int i = 0; i < FFAMED_OPTEE_SLOTS; i++)
		s->optee_calls += atomic_load(&optee->calls[i]);
	s->live_allocs = ffamed_posix_live_allocs(host);
	s->spmc_allocs = ffamed_posix_spmc_live_allocs(host);
	s->mapped_pages = ffamed_posix_mapped_pages(host);
	s->mailbox_count = ffamed_spmc_vm_mailbox_count(iso.spmc);
	s->bitmap_count = ffamed_spmc_notif_bitmap_count(iso.spmc);
	s->port_errors = ffamed_posix_error_count(host);
}

void iso_snapshot(unsigned allow)
{
	snap_allow = allow;
	take(&before);
}

static void check_unchanged(void)
{
	take(&after);
	if (snap_allow & ISO_ALLOW_SP_CALLS) {
		after.echo_requests = before.echo_requests;
		after.echo_responses = before.echo_responses;
		after.echo_resumes = before.echo_resumes;
		after.optee_calls = before.optee_calls;
	}
	if (snap_allow & ISO_ALLOW_ATK_STATE) {
		after.live_allocs = before.live_allocs;
		after.spmc_allocs = before.spmc_allocs;
		after.mapped_pages = before.mapped_pages;
		after.mailbox_count = before.mailbox_count;
		after.bitmap_count = before.bitmap_count;
		after.vmwatch_created = before.vmwatch_created;
		after.vmwatch_destroyed = before.vmwatch_destroyed;
		after.vmwatch_live = before.vmwatch_live;
	}
	/* Field by field, so a failure names what changed. */
	for (int i = 0; i < 2; i++) {
		assert_memory_equal(after.rx[i], before.rx[i], FFA_PAGE_SIZE);
		assert_memory_equal(after.tx[i], before.tx[i], FFA_PAGE_SIZE);
		assert_memory_equal(after.marker[i], before.marker[i], FFA_PAGE_SIZE);
		assert_int_equal(after.pins[i], before.pins[i]);
		assert_int_equal(after.version[i], before.version[i]);
		assert_int_equal(after.rx_owner[i], before.rx_owner[i]);
		assert_int_equal(after.mailbox_pages[i], before.mailbox_pages[i]);
		assert_int_equal(after.mailbox_rx[i], before.mailbox_rx[i]);
		assert_int_equal(after.mailbox_tx[i], before.mailbox_tx[i]);
		assert_int_equal(after.bound[i], before.bound[i]);
		assert_int_equal(after.bound_per_vcpu[i], before.bound_per_vcpu[i]);
		assert_int_equal(after.pending[i], before.pending[i]);
		for (int v = 0; v < (int)ISO_VCPUS; v++)
			assert_int_equal(after.pending_vcpu[i][v], before.pending_vcpu[i][v]);
		assert_int_equal(after.sp_bound_from[i], before.sp_bound_from[i]);
		assert_int_equal(after.bitmap[i], before.bitmap[i]);
		assert_int_equal(after.vmwatch_victim_live[i], before.vmwatch_victim_live[i]);
		/* The victims made no call: nothing was made in their name. */
		assert_int_equal(after.vm_calls[i], before.vm_calls[i]);
	}
	for (int c = 0; c < (int)ISO_CTX_MAX; c++)
		assert_int_equal(after.echo_ctx[c], before.echo_ctx[c]);
	assert_int_equal(after.vmwatch_live, before.vmwatch_live);
	assert_int_equal(after.vmwatch_created, before.vmwatch_created);
	assert_int_equal(after.vmwatch_destroyed, before.vmwatch_destroyed);
	assert_int_equal(after.echo_requests, before.echo_requests);
	assert_int_equal(after.echo_responses, before.echo_responses);
	assert_int_equal(after.echo_resumes, before.echo_resumes);
	assert_int_equal(after.optee_calls, before.optee_calls);
	assert_int_equal(after.live_allocs, before.live_allocs);
	assert_int_equal(after.spmc_allocs, before.spmc_allocs);
	assert_int_equal(after.mapped_pages, before.mapped_pages);
	assert_int_equal(after.mailbox_count, before.mailbox_count);
	assert_int_equal(after.bitmap_count, before.bitmap_count);
	assert_int_equal(after.port_errors, before.port_errors);
}

static void up(uint16_t id, uint32_t version, bool map)
{
	struct ffamed_regs r;

	iso_call(id, 0, &r, FFA_VERSION, version, 0, 0, 0, 0, 0, 0);
	assert_int_equal(r.x[0], FFAMED_FFA_VERSION);
	if (map)
		assert_int_equal(iso_call(id, 0, NULL, FFA_RXTX_MAP_64, FFAMED_SIM_TX_IPA,
					  FFAMED_SIM_RX_IPA, 1, 0, 0, 0, 0),
				 FFA_RET_OK);
	else
		assert_int_equal(iso_call(id, 0, NULL, FFA_ID_GET, 0, 0, 0, 0, 0, 0, 0),
				 FFA_RET_OK);
}

int iso_setup(void **state)
{
	struct ffamed_sim_config cfg;
	struct ffamed_regs r;

	(void)state;
	ffamed_sim_default_config(&cfg);
	cfg.vm_count = 5;
	cfg.vcpus_per_vm = ISO_VCPUS;
	cfg.ram_pages_per_vm = ISO_RAM_PAGES;
	cfg.take_back_blocked = true; /* the attacks run on one thread */
	assert_int_equal(ffamed_sim_create(&cfg, &iso.sim), FFA_RET_OK);
	iso.spmc = ffamed_sim_spmc(iso.sim);

	/* VM 1: notifications bound and one pending, RX full. */
	up(ISO_VICTIM1, FFA_VERSION_1_2, true);
	assert_int_equal(iso_call(ISO_VICTIM1, 0, NULL, FFA_NOTIFICATION_BIND,
				  FFA_SENDER_RECEIVER(FFAMED_SIM_ECHO_ID, ISO_VICTIM1), 0, 0x3, 0,
				  0, 0, 0),
			 FFA_RET_OK);
	iso_call(ISO_VICTIM1, 0, &r, FFA_MSG_SEND_DIRECT_REQ_64,
		 FFA_SENDER_RECEIVER(ISO_VICTIM1, FFAMED_SIM_ECHO_ID), 0, FFAMED_ECHO_CMD_NOTIF_SET,
		 0, 0x1, 0, 0);
	assert_int_equal(r.x[0], FFA_MSG_SEND_DIRECT_RESP_64);
	assert_int_equal(r.x[4], 0); /* status */
	assert_int_equal(ffamed_spmc_notif_pending(iso.spmc, ISO_VICTIM1, false, 0), 0x1);
	memset(iso_va(ISO_VICTIM1, FFAMED_SIM_TX_IPA), 0xA1, FFA_PAGE_SIZE);
	memset(iso_va(ISO_VICTIM1, ISO_MARKER_IPA), 0xB1, FFA_PAGE_SIZE);
	assert_int_equal(iso_call(ISO_VICTIM1, 0, &r, FFA_PARTITION_INFO_GET, 0, 0, 0, 0, 0, 0, 0),
			 FFA_RET_OK);
	assert_int_equal(r.x[2], FFAMED_SIM_SP_COUNT);

	/* VM 2: a preempted request on its vCPU 0. */
	up(ISO_VICTIM2, FFA_VERSION_1_1, true);
	memset(iso_va(ISO_VICTIM2, FFAMED_SIM_TX_IPA), 0xA2, FFA_PAGE_SIZE);
	memset(iso_va(ISO_VICTIM2, ISO_MARKER_IPA), 0xB2, FFA_PAGE_SIZE);
	iso_call(ISO_VICTIM2, 0, &r, FFA_MSG_SEND_DIRECT_REQ_64,
		 FFA_SENDER_RECEIVER(ISO_VICTIM2, FFAMED_SIM_ECHO_ID), 0, FFAMED_ECHO_CMD_INTERRUPT,
		 2, 0, 0, 0);
	assert_int_equal(r.x[0], FFA_INTERRUPT);
	iso.victim2_ctx = 0xFFFF;
	for (uint16_t c = 0; c < ISO_CTX_MAX; c++)
		if (ffamed_spmc_ctx_state(iso.spmc, FFAMED_SIM_ECHO_ID, c) ==
		    FFAMED_SPMC_CTX_PREEMPTED)
			iso.victim2_ctx = c;
	assert_true(iso.victim2_ctx < ISO_CTX_MAX);
	assert_int_equal(FFA_TARGET_VCPU(r.x[1]), iso.victim2_ctx);

	up(ISO_ATK, FFA_VERSION_1_2, true);
	up(ISO_ATK_NOMAP, FFA_VERSION_1_2, false);
	iso_snapshot(0);
	return 0;
}

/* The victims still work: VM 1 gets its notification and releases its RX;
 * VM 2 resumes its request and gets the answer. */
static void victims_still_work(void)
{
	struct ffamed_regs r;
	int runs = 0;

	assert_int_equal(iso_call(ISO_VICTIM1, 0, NULL, FFA_RX_RELEASE, 0, 0, 0, 0, 0, 0, 0),
			 FFA_RET_OK);
	iso_call(ISO_VICTIM1, 1, &r, FFA_NOTIFICATION_GET, FFA_SENDER_RECEIVER(1, ISO_VICTIM1),
		 FFA_NOTIF_GET_SP, 0, 0, 0, 0, 0);
	assert_int_equal(ffa_result(&r), FFA_RET_OK);
	assert_int_equal(r.x[2], 0x1);
	do {
		iso_call(ISO_VICTIM2, 0, &r, FFA_RUN,
			 FFA_TARGET_INFO(FFAMED_SIM_ECHO_ID, iso.victim2_ctx), 0, 0, 0, 0, 0, 0);
	} while (r.x[0] == FFA_INTERRUPT && ++runs < 10);
	assert_int_equal(r.x[0], FFA_MSG_SEND_DIRECT_RESP_64);
	assert_int_equal(FFA_SENDER(r.x[1]), FFAMED_SIM_ECHO_ID);
	assert_int_equal(FFA_RECEIVER(r.x[1]), ISO_VICTIM2);
	assert_int_equal(r.x[7], 2); /* resumed exactly twice: by VM 2 only */
}

int iso_teardown(void **state)
{
	struct ffamed_sim_leaks leaks;

	(void)state;
	check_unchanged();
	victims_still_work();
	ffamed_sim_shutdown(iso.sim, &leaks);
	assert_int_equal(leaks.pinned_pages, 0);
	assert_int_equal(leaks.live_allocs, 0);
	assert_int_equal(leaks.spmc_live_allocs, 0);
	assert_int_equal(leaks.mapped_pages, 0);
	assert_int_equal(leaks.live_vms, 0);
	assert_int_equal(leaks.port_errors, 0);
	ffamed_sim_destroy(iso.sim);
	memset(&iso, 0, sizeof(iso));
	return 0;
}
