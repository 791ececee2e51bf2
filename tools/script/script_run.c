/* SPDX-License-Identifier: MIT */
/*
 * `ffamed script` runner: executes parsed lines against a simulated system,
 * every vCPU played from this one thread through the mediator's trap entry
 * (ffamed_handle_call) and the POSIX port's resume slots. A call may be
 * left blocked (`-> BLOCKED`) while other vCPUs run, and its reply taken
 * later (`await`). A line that does not match prints itself, the expected
 * and the actual values; running goes on so that one report shows every
 * mismatch. Each system is shut down at its end and must leak nothing.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "ffamed/ffa_regs.h"
#include "ffamed/sim.h"
#include "script.h"

/* The NPI the mediator injects (its default; the sim does not change it). */
#define RUN_NPI_INTID 8u
/* How long a counter of NPIs waits for one raised from another thread
 * (an SP's notification reaches the mediator through the SRI). */
#define RUN_NPI_WAIT_NS 2000000000ull
#define RUN_MAX_VMS	64

/* Per VM: the guest buffers a `tx`/`rx` line addresses (what its last
 * successful RXTX_MAP named, the sim's default pair before that), vCPUs
 * left blocked, NPIs seen. */
struct run_vm {
	uint16_t id; /* 0: free slot */
	uint64_t tx, rx;
	uint32_t pages;
	bool parked[SCRIPT_MAX_VCPUS];
	uint32_t npi[SCRIPT_MAX_VCPUS];
};

struct runner {
	const struct script *s;
	const char *file;
	FILE *out;
	bool verbose;
	struct ffamed_sim *sim;
	struct run_vm vms[RUN_MAX_VMS];
	uint64_t vars[SCRIPT_MAX_VARS];
	int failed;
	bool script_error;
	/* The port's warnings during a call whose refusal the script expects. */
	FILE *quiet_log;
	int saved_stderr;
};

static const char *line_file(const struct runner *r, const struct script_line *l)
{
	return l->file ? l->file : r->file;
}

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
	memset(free_slot, 0, sizeof(*free_slot));
	free_slot->id = id;
	free_slot->tx = FFAMED_SIM_TX_IPA;
	free_slot->rx = FFAMED_SIM_RX_IPA;
	free_slot->pages = 1;
	return free_slot;
}

static void run_vm_forget(struct runner *r, uint16_t id)
{
	for (size_t i = 0; i < RUN_MAX_VMS; i++)
		if (r->vms[i].id == id)
			r->vms[i].id = 0;
}

static void fail(struct runner *r, const struct script_line *l, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void fail(struct runner *r, const struct script_line *l, const char *fmt, ...)
{
	va_list ap;

	fprintf(r->out, "%s:%u: FAIL: %s\n  ", line_file(r, l), l->lineno, l->text);
	va_start(ap, fmt);
	vfprintf(r->out, fmt, ap);
	va_end(ap);
	fputc('\n', r->out);
	r->failed++;
}

/* A mistake of the script found only when running: nothing more runs. */
static void script_error(struct runner *r, const struct script_line *l, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void script_error(struct runner *r, const struct script_line *l, const char *fmt, ...)
{
	va_list ap;

	fprintf(r->out, "%s:%u: error: ", line_file(r, l), l->lineno);
	va_start(ap, fmt);
	vfprintf(r->out, fmt, ap);
	va_end(ap);
	fputc('\n', r->out);
	r->script_error = true;
}

/* ---- Quiet refusals ---------------------------------------------------------- */
/* The port logs refusals as warnings on stderr. While a call runs whose
 * refusal the script expects, stderr goes to a scratch file; its text is
 * shown only if the line then fails. */
static void quiet_begin(struct runner *r, const struct script_line *l)
{
	const char *level = getenv("FFAMED_LOG");

	r->saved_stderr = -1;
	/* With the port's warnings off (FFAMED_LOG=error: the fuzzer) there
	 * is nothing to hide, and a sanitizer's report stays on stderr. */
	if (!l->quiet || (level && strcasecmp(level, "error") == 0))
		return;
	if (!r->quiet_log)
		r->quiet_log = tmpfile();
	if (!r->quiet_log)
		return;
	fflush(stderr);
	r->saved_stderr = dup(STDERR_FILENO);
	if (r->saved_stderr < 0)
		return;
	if (ftruncate(fileno(r->quiet_log), 0) != 0 ||
	    dup2(fileno(r->quiet_log), STDERR_FILENO) < 0) {
		close(r->saved_stderr);
		r->saved_stderr = -1;
	}
}

static void quiet_end(struct runner *r, bool show)
{
	char buf[1024];
	size_t n;

	if (r->saved_stderr < 0)
		return;
	fflush(stderr);
	dup2(r->saved_stderr, STDERR_FILENO);
	close(r->saved_stderr);
	r->saved_stderr = -1;
	if (!show)
		return;
	rewind(r->quiet_log);
	while ((n = fread(buf, 1, sizeof(buf), r->quiet_log)) > 0)
		fwrite(buf, 1, n, stderr);
	rewind(r->quiet_log);
}

/* ---- Systems ------------------------------------------------------------------- */
static int32_t run_add_vm(struct runner *r, uint16_t id, uint16_t vcpus,
			  const struct script_vmcfg *c)
{
	struct ffamed_peer_rights peers[SCRIPT_MAX_PEERS];
	struct ffamed_vm_policy policy;
	struct run_vm *st;
	int32_t rc;

	if (c && c->vcpus)
		vcpus = c->vcpus;
	if (c && c->has_policy) {
		memset(&policy, 0, sizeof(policy));
		policy.sp_default = c->sp_rights;
		policy.vm_default = c->vm_rights;
		for (uint32_t i = 0; i < c->peer_count; i++) {
			peers[i].peer = c->peer[i];
			peers[i].rights = c->peer_rights[i];
		}
		policy.peers = peers;
		policy.peer_count = c->peer_count;
	}
	rc = ffamed_sim_vm_add_policy(r->sim, id, vcpus, c && c->has_policy ? &policy : NULL, NULL);
	if (rc == FFA_RET_OK) {
		run_vm_forget(r, id);
		st = run_vm_state(r, id);
		(void)st;
	}
	return rc;
}

static int run_system(struct runner *r, const struct script_system *s)
{
	struct ffamed_sim_config cfg;
	bool per_vm = false;
	uint64_t total = 0;

	for (uint32_t i = 0; i < s->vms; i++) {
		per_vm |= s->vm[i].vcpus || s->vm[i].has_policy;
		total += s->vm[i].vcpus ? s->vm[i].vcpus : s->vcpus;
	}
	ffamed_sim_default_config(&cfg);
	cfg.vm_count = per_vm ? 0 : s->vms;
	cfg.vcpus_per_vm = s->vcpus;
	cfg.ram_pages_per_vm = s->ram;
	cfg.vm_to_vm = s->vm_to_vm;
	cfg.take_back_blocked = true; /* for ffamed_sim_guest_call users; not this runner */
	cfg.seed = s->seed;
	cfg.cpu_count = s->cpus;
	if (per_vm && !s->cpus) {
		/* As many CPUs as the sim gives the same VMs made at once. */
		total += 4;
		cfg.cpu_count = (uint32_t)(total < 8 ? 8 : total);
	}
	memset(r->vms, 0, sizeof(r->vms));
	if (ffamed_sim_create(&cfg, &r->sim) != FFA_RET_OK) {
		fprintf(r->out, "%s: cannot build the simulated system\n", r->file);
		r->sim = NULL;
		return -1;
	}
	for (uint32_t i = 0; per_vm && i < s->vms; i++) {
		if (run_add_vm(r, (uint16_t)(i + 1), s->vcpus, &s->vm[i]) != FFA_RET_OK) {
			fprintf(r->out, "%s: cannot add VM %u\n", r->file, i + 1);
			return -1;
		}
	}
	return 0;
}

/* ---- The trap path ------------------------------------------------------------- */
/* Take back a vCPU left blocked: its call ends (FFA_INTERRUPT, or the
 * reply if it came). */
static void unpark(struct runner *r, struct ffamed_sim_vm *vm, struct run_vm *st, uint16_t vcpu)
{
	struct ffamed_posix_vm *pvm = ffamed_sim_vm_posix(vm);
	struct ffamed_regs regs;

	if (!st->parked[vcpu])
		return;
	st->parked[vcpu] = false;
	if (ffamed_posix_vcpu_poll_resume(pvm, vcpu, &regs))
		return;
	ffamed_vcpu_interrupt(ffamed_sim_vm_mediator(vm), vcpu);
	if (!ffamed_posix_vcpu_poll_resume(pvm, vcpu, &regs)) {
		fprintf(r->out, "%s: FAIL: VM %u vCPU %u could not be taken back\n", r->file,
			ffamed_sim_vm_id(vm), vcpu);
		r->failed++;
	}
}

static void unpark_all(struct runner *r)
{
	for (size_t i = 0; i < RUN_MAX_VMS; i++) {
		struct ffamed_sim_vm *vm;

		if (!r->vms[i].id)
			continue;
		vm = ffamed_sim_find_vm(r->sim, r->vms[i].id);
		for (uint16_t v = 0; vm && v < SCRIPT_MAX_VCPUS; v++)
			unpark(r, vm, &r->vms[i], v);
	}
}

/* NPIs raised since the last look, per vCPU. */
static void collect_npis(struct runner *r)
{
	uint32_t n = ffamed_sim_vm_count(r->sim);

	for (uint32_t i = 0; i < n; i++) {
		struct ffamed_sim_vm *vm = ffamed_sim_vm_at(r->sim, i);
		struct run_vm *st = vm ? run_vm_state(r, ffamed_sim_vm_id(vm)) : NULL;
		uint16_t vcpus = vm ? ffamed_sim_vm_vcpu_count(vm) : 0;

		for (uint16_t v = 0; st && v < vcpus && v < SCRIPT_MAX_VCPUS; v++) {
			uint64_t virqs = ffamed_posix_vcpu_take_virqs(ffamed_sim_vm_posix(vm), v);

			if (virqs & (1ull << RUN_NPI_INTID))
				st->npi[v]++;
		}
	}
}

/*
 * A guest's call from vCPU `vcpu`, as the sim's trap path makes it, except
 * that a call that blocks may stay blocked (park true: returns true, the
 * vCPU parked); otherwise it is taken back at once (FFA_INTERRUPT) unless
 * its reply already came.
 */
static bool trap(struct ffamed_sim_vm *vm, uint16_t vcpu, struct ffamed_regs *regs, bool park)
{
	struct ffamed_posix_vm *pvm = ffamed_sim_vm_posix(vm);
	struct ffamed_vm *mvm = ffamed_sim_vm_mediator(vm);
	/* An out-of-range vCPU gets the mediator's refusal, which never
	 * blocks: no slot to arm. */
	bool slot = vcpu < ffamed_sim_vm_vcpu_count(vm);
	enum ffamed_call_status status;

	if (slot)
		ffamed_posix_vcpu_call_begin(pvm, vcpu);
	status = ffamed_handle_call(mvm, vcpu, regs);
	if (status == FFAMED_CALL_BLOCKED && slot) {
		if (ffamed_posix_vcpu_poll_resume(pvm, vcpu, regs))
			return false;
		if (park)
			return true;
		ffamed_vcpu_interrupt(mvm, vcpu);
		ffamed_posix_vcpu_wait_resume(pvm, vcpu, regs);
		return false;
	}
	if (slot)
		ffamed_posix_vcpu_call_end(pvm, vcpu);
	if (status == FFAMED_CALL_NOT_FFA)
		regs->x[0] = UINT64_MAX; /* SMCCC: unknown function */
	return false;
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

static uint64_t width_mask(enum script_width w, bool call64)
{
	if (w == SCRIPT_WIDTH_64 || (w == SCRIPT_WIDTH_CALL && call64))
		return UINT64_MAX;
	return 0xFFFFFFFFull;
}

static void append(char *buf, size_t len, size_t *used, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void append(char *buf, size_t len, size_t *used, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*used >= len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *used, len - *used, fmt, ap);
	va_end(ap);
	if (n > 0)
		*used += (size_t)n;
}

/* What register i was expected to be, for a report. */
static void describe_expect(char *buf, size_t len, const struct script_alts *a, enum script_cmp c,
			    int i, uint64_t wmask)
{
	size_t used = 0;

	if (c == SCRIPT_CMP_SUCCESS) {
		snprintf(buf, len, "FFA_SUCCESS_32 or _64");
		return;
	}
	for (uint8_t k = 0; k < a->n; k++) {
		char one[64];
		uint64_t mask = a->mask[k] & wmask;

		describe(one, sizeof(one), a->value[k] & mask, i == 0, c == SCRIPT_CMP_ERRCODE);
		append(buf, len, &used, "%s%s", k ? " or " : "", one);
		if (mask != wmask)
			append(buf, len, &used, " under mask 0x%" PRIx64, mask);
	}
	if (wmask != UINT64_MAX)
		append(buf, len, &used, " (low 32 bits)");
}

/* Compare a reply with the line's expectation; report and count a mismatch.
 * call64: the width of the call (positional values of an SMC32 call are
 * compared on 32 bits). */
static void check_regs(struct runner *r, const struct script_line *l,
		       const struct ffamed_regs *regs, bool call64)
{
	char report[4096];
	size_t used = 0;
	bool bad = false;

	for (int i = 0; i < SCRIPT_NREGS && i < FFA_NREGS; i++) {
		const struct script_alts *a = &l->expect[i];
		uint64_t got = regs->x[i];
		uint64_t wmask = width_mask(a->width, call64);
		char want_s[384], got_s[64];
		bool ok = false;

		if (l->capture[i] >= 0)
			r->vars[l->capture[i]] = got;
		switch (l->cmp[i]) {
		case SCRIPT_CMP_ANY:
			continue;
		case SCRIPT_CMP_SUCCESS:
			ok = ffa_is_success(regs);
			break;
		case SCRIPT_CMP_EQ:
		case SCRIPT_CMP_ERRCODE:
		default:
			for (uint8_t k = 0; k < a->n && !ok; k++)
				ok = ((got ^ a->value[k]) & a->mask[k] & wmask) == 0;
			break;
		}
		if (ok)
			continue;
		describe_expect(want_s, sizeof(want_s), a, l->cmp[i], i, wmask);
		describe(got_s, sizeof(got_s), got, i == 0,
			 i == 2 && (uint32_t)regs->x[0] == FFA_ERROR);
		append(report, sizeof(report), &used, "%sx%d: expected %s, got %s",
		       bad ? "\n  " : "", i, want_s, got_s);
		bad = true;
	}
	if (!bad)
		return;
	append(report, sizeof(report), &used, "\n  reply:");
	for (int i = 0; i < 8; i++)
		append(report, sizeof(report), &used, " x%d=0x%" PRIx64, i, regs->x[i]);
	fail(r, l, "%s", report);
}

static void print_reply(struct runner *r, const struct script_line *l,
			const struct ffamed_regs *regs, bool blocked)
{
	if (!r->verbose)
		return;
	fprintf(r->out, "%s:%u: %s\n  ->", line_file(r, l), l->lineno, l->text);
	if (blocked) {
		fprintf(r->out, " blocked\n");
		return;
	}
	for (int i = 0; i < 8; i++)
		fprintf(r->out, " 0x%" PRIx64, regs->x[i]);
	fputc('\n', r->out);
}

static void note_rxtx_map(struct runner *r, const struct script_line *l,
			  const struct ffamed_regs *regs)
{
	uint32_t base = (uint32_t)l->regs[0] & ~FFA_SMCCC_SVE_HINT;
	struct run_vm *st;
	uint64_t wmask;

	if (!ffa_is_success(regs) || (base != FFA_RXTX_MAP_32 && base != FFA_RXTX_MAP_64))
		return;
	st = run_vm_state(r, l->vm);
	if (!st)
		return;
	wmask = base == FFA_RXTX_MAP_32 ? 0xFFFFFFFFull : UINT64_MAX;
	st->tx = l->regs[1] & wmask;
	st->rx = l->regs[2] & wmask;
	/* w3[5:0] page count */
	st->pages = (uint32_t)l->regs[3] & 0x3F;
}

static void run_call(struct runner *r, const struct script_line *l)
{
	struct ffamed_sim_vm *vm = ffamed_sim_find_vm(r->sim, l->vm);
	struct run_vm *st = vm ? run_vm_state(r, l->vm) : NULL;
	uint32_t fid = (uint32_t)l->regs[0];
	struct ffamed_regs regs;
	bool blocked;

	if (!vm || !st) {
		fail(r, l, "no VM %u in the system", l->vm);
		return;
	}
	if (l->vcpu < SCRIPT_MAX_VCPUS && st->parked[l->vcpu]) {
		fail(r, l, "vm%u.%u is blocked in an earlier call: await it first", l->vm, l->vcpu);
		return;
	}
	ffa_regs_clear(&regs);
	for (int i = 0; i < SCRIPT_NREGS && i < FFA_NREGS; i++)
		regs.x[i] = l->regs[i];
	quiet_begin(r, l);
	blocked = trap(vm, l->vcpu, &regs, l->expect_blocked);
	if (blocked)
		st->parked[l->vcpu] = true;
	else
		note_rxtx_map(r, l, &regs);
	print_reply(r, l, &regs, blocked);
	if (!l->has_expect) {
		quiet_end(r, false);
		return;
	}
	if (l->expect_blocked) {
		if (!blocked) {
			fail(r, l,
			     "expected the call to block, got x0=0x%" PRIx64 " x1=0x%" PRIx64
			     " x2=0x%" PRIx64 " x3=0x%" PRIx64,
			     regs.x[0], regs.x[1], regs.x[2], regs.x[3]);
		}
		quiet_end(r, false);
		return;
	}
	{
		int before = r->failed;

		check_regs(r, l, &regs, FFA_FID_IS_64(fid));
		quiet_end(r, r->failed != before);
	}
}

/* await vmI.V: the reply of a call left blocked. */
static void run_await(struct runner *r, const struct script_line *l)
{
	struct ffamed_sim_vm *vm = ffamed_sim_find_vm(r->sim, l->vm);
	struct run_vm *st = vm ? run_vm_state(r, l->vm) : NULL;
	struct ffamed_regs regs;

	if (!vm || !st) {
		fail(r, l, "no VM %u in the system", l->vm);
		return;
	}
	if (l->vcpu >= SCRIPT_MAX_VCPUS || !st->parked[l->vcpu]) {
		fail(r, l, "vm%u.%u has no blocked call", l->vm, l->vcpu);
		return;
	}
	ffa_regs_clear(&regs);
	if (!ffamed_posix_vcpu_poll_resume(ffamed_sim_vm_posix(vm), l->vcpu, &regs)) {
		print_reply(r, l, &regs, true);
		if (!l->expect_blocked)
			fail(r, l, "vm%u.%u is still blocked", l->vm, l->vcpu);
		return;
	}
	st->parked[l->vcpu] = false;
	print_reply(r, l, &regs, false);
	if (l->expect_blocked) {
		fail(r, l,
		     "expected it still blocked, got x0=0x%" PRIx64 " x1=0x%" PRIx64
		     " x2=0x%" PRIx64 " x3=0x%" PRIx64,
		     regs.x[0], regs.x[1], regs.x[2], regs.x[3]);
		return;
	}
	if (l->has_expect)
		check_regs(r, l, &regs, FFA_FID_IS_64((uint32_t)regs.x[0]));
}

/* ---- Guest memory ------------------------------------------------------------ */
/* The guest view of [ipa, ipa + len) if the guest itself may read it
 * (write: and write it); NULL with the line failed otherwise. */
static uint8_t *run_guest_range(struct runner *r, const struct script_line *l, bool write,
				uint64_t *ipa_out)
{
	struct ffamed_sim_vm *vm = ffamed_sim_find_vm(r->sim, l->vm);
	struct run_vm *st = vm ? run_vm_state(r, l->vm) : NULL;
	uint64_t base = 0, ipa, end;
	uint8_t *first, *last;

	if (!vm || !st) {
		fail(r, l, "no VM %u in the system", l->vm);
		return NULL;
	}
	if (l->area != SCRIPT_AREA_MEM) {
		uint64_t size = (uint64_t)st->pages * FFA_PAGE_SIZE;

		if (l->addr > size || l->len > size - l->addr) {
			script_error(r, l,
				     "+%" PRIu64 " and %zu bytes: past the %s buffer (%" PRIu64
				     " bytes)",
				     l->addr, l->len, l->area == SCRIPT_AREA_TX ? "TX" : "RX",
				     size);
			return NULL;
		}
		base = l->area == SCRIPT_AREA_TX ? st->tx : st->rx;
	}
	if (__builtin_add_overflow(base, l->addr, &ipa) ||
	    __builtin_add_overflow(ipa, l->len - 1, &end)) {
		fail(r, l, "address overflows");
		return NULL;
	}
	for (uint64_t page = ipa & ~(uint64_t)(FFA_PAGE_SIZE - 1); page <= end;
	     page += FFA_PAGE_SIZE) {
		enum ffamed_posix_access a = ffamed_posix_vm_access(ffamed_sim_vm_posix(vm), page);

		if (a == FFAMED_POSIX_ACCESS_NONE || (write && a != FFAMED_POSIX_ACCESS_RW)) {
			fail(r, l, "VM %u cannot %s 0x%" PRIx64 " (%s)", l->vm,
			     write ? "write" : "read", page > ipa ? page : ipa,
			     a == FFAMED_POSIX_ACCESS_RO ? "read-only" : "no access");
			return NULL;
		}
		if (page > UINT64_MAX - FFA_PAGE_SIZE)
			break;
	}
	first = ffamed_sim_guest_va(vm, ipa);
	last = ffamed_sim_guest_va(vm, end);
	if (!first || !last || last != first + l->len - 1) {
		fail(r, l, "0x%" PRIx64 "+%zu is not contiguous in VM %u's view", ipa, l->len,
		     l->vm);
		return NULL;
	}
	*ipa_out = ipa;
	return first;
}

static void run_bytes(struct runner *r, const struct script_line *l)
{
	uint64_t ipa = 0;
	uint8_t *p = run_guest_range(r, l, l->kind == SCRIPT_WRITE, &ipa);

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

static void run_access(struct runner *r, const struct script_line *l)
{
	static const char *const names[] = {"none", "ro", "rw"};
	struct ffamed_sim_vm *vm = ffamed_sim_find_vm(r->sim, l->vm);
	enum ffamed_posix_access a;

	if (!vm) {
		fail(r, l, "no VM %u in the system", l->vm);
		return;
	}
	a = ffamed_posix_vm_access(ffamed_sim_vm_posix(vm), l->addr);
	if ((int)a != (int)l->access)
		fail(r, l, "access of VM %u at 0x%" PRIx64 ": expected %s, got %s", l->vm, l->addr,
		     names[l->access], names[a]);
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
		if (isdigit((unsigned char)*what)) {
			/* vmN.V.npi */
			unsigned long vcpu = strtoul(what, &end, 10);
			struct run_vm *st = run_vm_state(r, (uint16_t)id);

			if (strcmp(end, ".npi") != 0 || vcpu >= ffamed_sim_vm_vcpu_count(vm) || !st)
				return false;
			collect_npis(r);
			*v = st->npi[vcpu];
		} else if (strcmp(what, "pins") == 0)
			*v = ffamed_posix_vm_pinned_pages(ffamed_sim_vm_posix(vm));
		else if (strcmp(what, "version") == 0)
			*v = ffamed_vm_version(ffamed_sim_vm_mediator(vm));
		else if (strcmp(what, "borrowed") == 0)
			*v = ffamed_posix_vm_borrowed_pages(ffamed_sim_vm_posix(vm));
		else if (strcmp(what, "revoked") == 0)
			*v = ffamed_posix_vm_revoked_pages(ffamed_sim_vm_posix(vm));
		else
			return false;
	} else {
		return false;
	}
	return true;
}

/* An NPI raised from another thread (the SRI path) may still be on its
 * way: a count below the expected one waits for it, for a while. */
static void run_counter(struct runner *r, const struct script_line *l)
{
	uint64_t v;
	unsigned long vcpu = 0;
	const char *dot = strrchr(l->name, '.');
	bool npi = dot && strcmp(dot, ".npi") == 0;

	if (!run_counter_value(r, l->name, &v)) {
		fail(r, l, "unknown counter '%s'", l->name);
		return;
	}
	if (npi && v < l->value) {
		unsigned long id = strtoul(l->name + 2, NULL, 10);
		struct ffamed_sim_vm *vm = ffamed_sim_find_vm(r->sim, (uint16_t)id);

		vcpu = strtoul(strchr(l->name, '.') + 1, NULL, 10);
		while (vm && v < l->value &&
		       ffamed_posix_vcpu_wait_virq(ffamed_sim_vm_posix(vm), (uint16_t)vcpu,
						   RUN_NPI_WAIT_NS)) {
			if (!run_counter_value(r, l->name, &v))
				break;
		}
	}
	if (v != l->value)
		fail(r, l, "%s: expected %" PRIu64 ", got %" PRIu64, l->name, l->value, v);
}

static void run_vm_add(struct runner *r, const struct script_line *l)
{
	int32_t rc;

	quiet_begin(r, l);
	rc = run_add_vm(r, l->vm, l->vcpu, &l->vmcfg);
	quiet_end(r, rc != l->status);
	if (rc != l->status)
		fail(r, l, "vm add: expected %s, got %s", ffamed_sim_error_name(l->status),
		     ffamed_sim_error_name(rc) ? ffamed_sim_error_name(rc) : "?");
}

static void run_vm_remove(struct runner *r, const struct script_line *l)
{
	struct ffamed_sim_vm *vm = ffamed_sim_find_vm(r->sim, l->vm);
	struct run_vm *st = run_vm_state(r, l->vm);

	if (!vm) {
		fail(r, l, "no VM %u in the system", l->vm);
		return;
	}
	for (uint16_t v = 0; st && v < SCRIPT_MAX_VCPUS; v++)
		unpark(r, vm, st, v);
	ffamed_sim_vm_remove(vm);
	run_vm_forget(r, l->vm);
}

static void run_parsed(struct runner *r, const struct script_line *l)
{
	switch (l->kind) {
	case SCRIPT_CALL:
		run_call(r, l);
		break;
	case SCRIPT_AWAIT:
		run_await(r, l);
		break;
	case SCRIPT_WRITE:
	case SCRIPT_CHECK:
		run_bytes(r, l);
		break;
	case SCRIPT_ACCESS:
		run_access(r, l);
		break;
	case SCRIPT_VM_ADD:
		run_vm_add(r, l);
		break;
	case SCRIPT_VM_REMOVE:
		run_vm_remove(r, l);
		break;
	case SCRIPT_COUNTER:
		run_counter(r, l);
		break;
	case SCRIPT_SYSTEM:
	default:
		/* The parser allows system lines only where script_run
		 * starts a new system. */
		script_error(r, l, "system here");
		break;
	}
	collect_npis(r);
}

static void run_line(struct runner *r, const struct script_line *l)
{
	struct script_line now;
	char err[256];

	if (!l->deferred) {
		run_parsed(r, l);
		return;
	}
	/* $names take the values captured so far. */
	if (script_parse_deferred(r->s, l, r->vars, &now, err, sizeof(err)) != 0) {
		fprintf(r->out, "%s\n", err);
		r->script_error = true;
		return;
	}
	now.text = l->text;
	run_parsed(r, &now);
	now.text = NULL;
	script_line_free(&now);
}

/* Shut the system down; anything left over is a failure. */
static void run_teardown(struct runner *r)
{
	struct ffamed_sim_leaks leaks;

	if (!r->sim)
		return;
	unpark_all(r);
	ffamed_sim_shutdown(r->sim, &leaks);
	if (leaks.pinned_pages || leaks.live_allocs || leaks.spmc_live_allocs ||
	    leaks.mapped_pages || leaks.live_vms || leaks.port_errors) {
		fprintf(r->out,
			"%s: FAIL: leaks at shutdown: pinned %zu, allocs %zu, SPMC allocs %zu, "
			"mapped %zu, VMs %zu, port errors %zu\n",
			r->file, leaks.pinned_pages, leaks.live_allocs, leaks.spmc_live_allocs,
			leaks.mapped_pages, leaks.live_vms, leaks.port_errors);
		r->failed++;
	}
	ffamed_sim_destroy(r->sim);
	r->sim = NULL;
}

int script_run(const struct script *s, const char *file, FILE *out, bool verbose)
{
	static const struct script_system defaults = {.vms = 2, .vcpus = 2};
	struct runner *r = calloc(1, sizeof(*r));
	size_t i = 0;
	int failed;

	if (!r)
		return -1;
	r->s = s;
	r->file = file;
	r->out = out;
	r->verbose = verbose;
	r->saved_stderr = -1;
	/* Each system line starts a fresh system; without one, the default. */
	do {
		const struct script_system *sys = &defaults;

		if (i < s->count && s->lines[i].kind == SCRIPT_SYSTEM)
			sys = s->lines[i++].sys;
		if (run_system(r, sys)) {
			run_teardown(r);
			r->script_error = true;
			break;
		}
		for (; i < s->count && s->lines[i].kind != SCRIPT_SYSTEM && !r->script_error; i++)
			run_line(r, &s->lines[i]);
		run_teardown(r);
	} while (i < s->count && !r->script_error);

	if (r->quiet_log)
		fclose(r->quiet_log);
	failed = r->script_error ? -1 : r->failed;
	free(r);
	return failed;
}
