/* SPDX-License-Identifier: MIT */
/*
 * `ffamed script` runner: executes parsed lines against one simulated
 * system, from this thread, through the same trap path as a vCPU
 * (ffamed_sim_guest_call). A line that does not match prints itself, the
 * expected and the actual values; running goes on so that one report shows
 * every mismatch. The system is shut down at the end and must leak nothing.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "ffamed/ffa_regs.h"
#include "ffamed/sim.h"
#include "script.h"

/* The guest buffers a `tx`/`rx` line addresses, per VM: what its last
 * successful RXTX_MAP named, the sim's default pair before that. */
#define RUN_MAX_VMS 64

struct run_vm {
	uint16_t id; /* 0: free slot */
	uint64_t tx, rx;
	uint32_t pages;
};

struct runner {
	const char *file;
	FILE *out;
	bool verbose;
	struct ffamed_sim *sim;
	struct run_vm vms[RUN_MAX_VMS];
	int failed;
};

static struct run_vm *run_vm_state(struct runner *r, uint16_t id)
{
	struct run_vm *free_slot = NULL;

	for (size_t i = 0; i < RUN_MAX_VMS; i++) {
		if (r->vms[i].id == id)
			return &r->vms[i];
		if (!r->vms[i].id && !free_slot)
			free_slot = &r->vms[i];
	}
	if (!free_slot)
		return NULL;
	free_slot->id = id;
	free_slot->tx = FFAMED_SIM_TX_IPA;
	free_slot->rx = FFAMED_SIM_RX_IPA;
	free_slot->pages = 1;
	return free_slot;
}

static void fail(struct runner *r, const struct script_line *l, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void fail(struct runner *r, const struct script_line *l, const char *fmt, ...)
{
	va_list ap;

	fprintf(r->out, "%s:%u: FAIL: %s\n  ", r->file, l->lineno, l->text);
	va_start(ap, fmt);
	vfprintf(r->out, fmt, ap);
	va_end(ap);
	fputc('\n', r->out);
	r->failed++;
}

static int run_system(struct runner *r, const struct script_system *s)
{
	struct ffamed_sim_config cfg;

	ffamed_sim_default_config(&cfg);
	cfg.vm_count = s->vms;
	cfg.vcpus_per_vm = s->vcpus;
	cfg.ram_pages_per_vm = s->ram;
	cfg.vm_to_vm = s->vm_to_vm;
	cfg.take_back_blocked = true; /* a script plays every vCPU on one thread */
	cfg.seed = s->seed;
	if (ffamed_sim_create(&cfg, &r->sim) != FFA_RET_OK) {
		fprintf(r->out, "%s: cannot build the simulated system\n", r->file);
		return -1;
	}
	return 0;
}

/* A value with its FF-A name when it has one. */
static void describe(char *buf, size_t len, uint64_t v, bool is_x0, bool is_err)
{
	const char *name = NULL;

	if (is_x0)
		name = ffamed_sim_fid_name((uint32_t)v);
	else if (is_err)
		name = ffamed_sim_error_name((int32_t)(uint32_t)v);
	if (name)
		snprintf(buf, len, "0x%" PRIx64 " (%s)", v, name);
	else
		snprintf(buf, len, "0x%" PRIx64, v);
}

static void run_call(struct runner *r, const struct script_line *l)
{
	struct ffamed_sim_vm *vm = ffamed_sim_find_vm(r->sim, l->vm);
	uint32_t fid = (uint32_t)l->regs[0];
	/* An SMC32 call's results are w registers. */
	uint64_t mask = FFA_FID_IS_64(fid) ? UINT64_MAX : 0xFFFFFFFFull;
	struct ffamed_regs regs;
	bool bad = false;
	char line[4096];
	size_t used = 0;

	if (!vm) {
		fail(r, l, "no VM %u in the system", l->vm);
		return;
	}
	ffa_regs_clear(&regs);
	for (int i = 0; i < SCRIPT_NREGS && i < FFA_NREGS; i++)
		regs.x[i] = l->regs[i];
	ffamed_sim_guest_call(vm, l->vcpu, &regs);

	if (ffa_is_success(&regs)) {
		struct run_vm *st = run_vm_state(r, l->vm);
		uint32_t base = fid & ~FFA_SMCCC_SVE_HINT;

		if (st && (base == FFA_RXTX_MAP_32 || base == FFA_RXTX_MAP_64)) {
			st->tx =
				l->regs[1] & (base == FFA_RXTX_MAP_32 ? 0xFFFFFFFFull : UINT64_MAX);
			st->rx =
				l->regs[2] & (base == FFA_RXTX_MAP_32 ? 0xFFFFFFFFull : UINT64_MAX);
			st->pages = (uint32_t)l->regs[3];
		}
	}
	if (r->verbose) {
		fprintf(r->out, "%s:%u: %s\n  ->", r->file, l->lineno, l->text);
		for (int i = 0; i < 8; i++)
			fprintf(r->out, " 0x%" PRIx64, regs.x[i]);
		fputc('\n', r->out);
	}
	if (!l->has_expect)
		return;
	for (int i = 0; i < SCRIPT_NREGS && i < FFA_NREGS; i++) {
		uint64_t got = regs.x[i];
		char want_s[64], got_s[64];
		bool ok;

		switch (l->cmp[i]) {
		case SCRIPT_CMP_ANY:
			continue;
		case SCRIPT_CMP_SUCCESS:
			ok = ffa_is_success(&regs);
			snprintf(want_s, sizeof(want_s), "FFA_SUCCESS_32 or _64");
			break;
		case SCRIPT_CMP_ERRCODE:
			ok = (uint32_t)got == (uint32_t)l->expect[i];
			describe(want_s, sizeof(want_s), l->expect[i] & 0xFFFFFFFFull, false, true);
			break;
		case SCRIPT_CMP_EQ:
		default:
			ok = (got & mask) == (l->expect[i] & mask);
			describe(want_s, sizeof(want_s), l->expect[i] & mask, i == 0, false);
			break;
		}
		if (ok)
			continue;
		describe(got_s, sizeof(got_s), got, i == 0,
			 i == 2 && (uint32_t)regs.x[0] == FFA_ERROR);
		if (used < sizeof(line)) {
			int n = snprintf(line + used, sizeof(line) - used,
					 "%sx%d: expected %s, got %s", bad ? "\n  " : "", i, want_s,
					 got_s);
			if (n > 0)
				used += (size_t)n;
		}
		bad = true;
	}
	if (bad) {
		if (used < sizeof(line)) {
			int n = snprintf(line + used, sizeof(line) - used, "\n  reply:");
			if (n > 0)
				used += (size_t)n;
		}
		for (int i = 0; i < 8 && used < sizeof(line); i++) {
			int n = snprintf(line + used, sizeof(line) - used, " x%d=0x%" PRIx64, i,
					 regs.x[i]);
			if (n > 0)
				used += (size_t)n;
		}
		fail(r, l, "%s", line);
	}
}

/* The guest view of [ipa, ipa + len), NULL unless all of it is the VM's RAM. */
static uint8_t *run_guest_range(struct runner *r, const struct script_line *l, uint64_t *ipa_out)
{
	struct ffamed_sim_vm *vm = ffamed_sim_find_vm(r->sim, l->vm);
	struct run_vm *st = run_vm_state(r, l->vm);
	uint64_t base = 0, ipa;
	uint8_t *first, *last;

	if (!vm || !st) {
		fail(r, l, "no VM %u in the system", l->vm);
		return NULL;
	}
	if (l->area == SCRIPT_AREA_TX)
		base = st->tx;
	else if (l->area == SCRIPT_AREA_RX)
		base = st->rx;
	if (__builtin_add_overflow(base, l->addr, &ipa) || ipa + l->len < ipa) {
		fail(r, l, "address overflows");
		return NULL;
	}
	first = ffamed_sim_guest_va(vm, ipa);
	last = ffamed_sim_guest_va(vm, ipa + l->len - 1);
	if (!first || !last || last != first + l->len - 1) {
		fail(r, l, "0x%" PRIx64 "+%zu is not all in VM %u's RAM", ipa, l->len, l->vm);
		return NULL;
	}
	*ipa_out = ipa;
	return first;
}

static void run_bytes(struct runner *r, const struct script_line *l)
{
	uint64_t ipa = 0;
	uint8_t *p = run_guest_range(r, l, &ipa);

	if (!p)
		return;
	if (l->kind == SCRIPT_WRITE) {
		memcpy(p, l->bytes, l->len);
		return;
	}
	for (size_t i = 0; i < l->len; i++) {
		if ((!l->care || l->care[i]) && p[i] != l->bytes[i]) {
			fail(r, l, "byte at 0x%" PRIx64 " (+%zu): expected %02x, got %02x", ipa + i,
			     i, l->bytes[i], p[i]);
			return;
		}
	}
}

static bool run_counter_value(struct runner *r, const char *name, uint64_t *v)
{
	struct ffamed_sp_echo *echo = ffamed_sim_echo(r->sim);
	struct ffamed_sp_vmwatch *watch = ffamed_sim_vmwatch(r->sim);
	struct ffamed_sp_optee *optee = ffamed_sim_optee(r->sim);

	if (strcmp(name, "echo.requests") == 0)
		*v = atomic_load(&echo->requests);
	else if (strcmp(name, "echo.responses") == 0)
		*v = atomic_load(&echo->responses);
	else if (strcmp(name, "echo.resumes") == 0)
		*v = atomic_load(&echo->resumes);
	else if (strcmp(name, "vmwatch.live") == 0)
		*v = ffamed_sp_vmwatch_live_count(watch);
	else if (strcmp(name, "vmwatch.created") == 0)
		*v = ffamed_sp_vmwatch_created_msgs(watch);
	else if (strcmp(name, "vmwatch.destroyed") == 0)
		*v = ffamed_sp_vmwatch_destroyed_msgs(watch);
	else if (strcmp(name, "optee.calls") == 0) {
		*v = 0;
		for (int i = 0; i < FFAMED_OPTEE_SLOTS; i++)
			*v += atomic_load(&optee->calls[i]);
	} else if (strncmp(name, "vm", 2) == 0 && isdigit((unsigned char)name[2])) {
		/* vmN.what */
		char *end = NULL;
		unsigned long id = strtoul(name + 2, &end, 10);
		struct ffamed_sim_vm *vm;
		const char *what;

		if (*end != '.' || id > 0xFFFF)
			return false;
		what = end + 1;
		vm = ffamed_sim_find_vm(r->sim, (uint16_t)id);
		if (!vm)
			return false;
		if (strcmp(what, "pins") == 0)
			*v = ffamed_posix_vm_pinned_pages(ffamed_sim_vm_posix(vm));
		else if (strcmp(what, "version") == 0)
			*v = ffamed_vm_version(ffamed_sim_vm_mediator(vm));
		else
			return false;
	} else {
		return false;
	}
	return true;
}

static void run_line(struct runner *r, const struct script_line *l)
{
	struct ffamed_sim_vm *vm;
	uint64_t v;
	int32_t rc;

	switch (l->kind) {
	case SCRIPT_CALL:
		run_call(r, l);
		break;
	case SCRIPT_WRITE:
	case SCRIPT_CHECK:
		run_bytes(r, l);
		break;
	case SCRIPT_VM_ADD:
		rc = ffamed_sim_vm_add(r->sim, l->vm, l->vcpu, &vm);
		if (rc != l->status)
			fail(r, l, "vm add: expected %s, got %s", ffamed_sim_error_name(l->status),
			     ffamed_sim_error_name(rc) ? ffamed_sim_error_name(rc) : "?");
		break;
	case SCRIPT_VM_REMOVE:
		vm = ffamed_sim_find_vm(r->sim, l->vm);
		if (!vm) {
			fail(r, l, "no VM %u in the system", l->vm);
			break;
		}
		ffamed_sim_vm_remove(vm);
		for (size_t i = 0; i < RUN_MAX_VMS; i++)
			if (r->vms[i].id == l->vm)
				r->vms[i].id = 0;
		break;
	case SCRIPT_COUNTER:
		if (!run_counter_value(r, l->name, &v))
			fail(r, l, "unknown counter '%s'", l->name);
		else if (v != l->expect[0])
			fail(r, l, "%s: expected %" PRIu64 ", got %" PRIu64, l->name, l->expect[0],
			     v);
		break;
	case SCRIPT_SYSTEM:
	default:
		fail(r, l, "system must be the first statement");
		break;
	}
}

int script_run(const struct script *s, const char *file, FILE *out, bool verbose)
{
	static const struct script_system defaults = {.vms = 2, .vcpus = 2};
	struct runner *r = calloc(1, sizeof(*r));
	struct ffamed_sim_leaks leaks;
	size_t first = 0;
	int failed;

	if (!r)
		return -1;
	r->file = file;
	r->out = out;
	r->verbose = verbose;
	if (s->count && s->lines[0].kind == SCRIPT_SYSTEM)
		first = 1;
	if (run_system(r, first ? &s->lines[0].sys : &defaults)) {
		free(r);
		return -1;
	}
	for (size_t i = first; i < s->count; i++)
		run_line(r, &s->lines[i]);

	ffamed_sim_shutdown(r->sim, &leaks);
	if (leaks.pinned_pages || leaks.live_allocs || leaks.spmc_live_allocs ||
	    leaks.mapped_pages || leaks.live_vms || leaks.port_errors) {
		fprintf(out,
			"%s: FAIL: leaks at shutdown: pinned %zu, allocs %zu, SPMC allocs %zu, "
			"mapped %zu, VMs %zu, port errors %zu\n",
			file, leaks.pinned_pages, leaks.live_allocs, leaks.spmc_live_allocs,
			leaks.mapped_pages, leaks.live_vms, leaks.port_errors);
		r->failed++;
	}
	ffamed_sim_destroy(r->sim);
	failed = r->failed;
	free(r);
	return failed;
}
