/* SPDX-License-Identifier: MIT */
/*
 * The bench harness: times every case both ways (median of repeats,
 * mediated and direct interleaved so that they share the machine's noise),
 * counts user-space instructions per call with the CPU's counter when the
 * kernel gives it (perf_event_open), or hands the counting to callgrind
 * (client requests: one stats dump per case and path), measures scaling
 * from 1 to 2 vCPU threads of different VMs, and memory per VM context.
 * Prints a table, or JSON. Makes no judgement beyond the goals summary:
 * timing assertions have no place in CI.
 */
#include <linux/perf_event.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "tool_clock.h"

#ifdef FFAMED_HAVE_CALLGRIND
#include <valgrind/callgrind.h>
#define BENCH_UNDER_VALGRIND() RUNNING_ON_VALGRIND
#else
#define BENCH_UNDER_VALGRIND()	   0
#define CALLGRIND_TOGGLE_COLLECT   ((void)0)
#define CALLGRIND_DUMP_STATS_AT(s) ((void)(s))
#endif

#define MAX_CASES 32

/* Scaling from 1 to 2 threads, by wall time and by CPU time. */
struct scale_result {
	double ops[2];	  /* calls per second of all threads, 1 and 2 threads */
	double cpu_ns[2]; /* thread CPU time per call, 1 and 2 threads */
	double parallel;  /* 2 threads: CPU time of both over the run's wall time */
};

struct path_result {
	double ns;		   /* median wall time per call */
	double instr;		   /* instructions per call, < 0: not measured */
	double fw_calls;	   /* firmware calls the mediator made per op */
	double locks;		   /* mediator lock acquisitions per op */
	struct scale_result scale; /* scaling cases */
	uint64_t failures;	   /* ops that answered wrong */
};

struct case_result {
	const struct bench_case *c;
	struct path_result med, dir;
	struct scale_result stub; /* mediated, in front of the firmware stub */
	bool ran;
};

struct bench_state {
	const struct bench_opts *o;
	struct bench_sys sys;
	int perf_fd;
	struct case_result res[MAX_CASES];
	size_t nres;
	int64_t vm_bytes_1, vm_bytes_4;
	double harness_instr;	    /* per op, < 0: not measured */
	uint64_t fw_partinfo_calls; /* during the partition info cases */
	double trace_off_ns, trace_on_ns, trace_off_instr, trace_on_instr;
	bool no_dumps; /* the tracing-cost runs are not cases */
	bool share_ran;
	struct bench_share_result share;
};

/* ---- Instruction counter ---------------------------------------------------------- */

static int instr_open(void)
{
	struct perf_event_attr a;

	if (BENCH_UNDER_VALGRIND())
		return -1;
	memset(&a, 0, sizeof(a));
	a.type = PERF_TYPE_HARDWARE;
	a.size = sizeof(a);
	a.config = PERF_COUNT_HW_INSTRUCTIONS;
	a.exclude_kernel = 1;
	a.exclude_hv = 1;
	return (int)syscall(SYS_perf_event_open, &a, 0, -1, -1, 0);
}

static uint64_t instr_read(int fd)
{
	uint64_t v = 0;

	if (fd < 0 || read(fd, &v, sizeof(v)) != (ssize_t)sizeof(v))
		return 0;
	return v;
}

/* ---- Timing ------------------------------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, uint32_t n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static uint64_t run_loop(bench_op_fn op, struct bench_ctx *ctx, uint32_t iters)
{
	uint64_t bad = 0;

	for (uint32_t i = 0; i < iters; i++)
		bad += op(ctx) != 0;
	return bad;
}

static void callgrind_pass(const struct bench_case *c, bench_op_fn op, struct bench_ctx *ctx,
			   uint32_t iters, const char *path, struct path_result *r)
{
	char tag[128];

	snprintf(tag, sizeof(tag), "ffamed-bench case=%s path=%s iters=%u", c->name, path, iters);
	CALLGRIND_TOGGLE_COLLECT;
	r->failures += run_loop(op, ctx, iters);
	CALLGRIND_TOGGLE_COLLECT;
	CALLGRIND_DUMP_STATS_AT(tag);
}

static void instr_pass(struct bench_state *st, bench_op_fn op, struct bench_ctx *ctx,
		       uint32_t iters, struct path_result *r)
{
	uint64_t before, after;

	r->instr = -1;
	if (st->perf_fd < 0)
		return;
	before = instr_read(st->perf_fd);
	r->failures += run_loop(op, ctx, iters);
	after = instr_read(st->perf_fd);
	if (after > before)
		r->instr = (double)(after - before) / iters;
}

static void time_case(struct bench_state *st, const struct bench_case *c, struct case_result *cr)
{
	const struct bench_opts *o = st->o;
	struct bench_ctx ctx = {.sys = &st->sys, .vm = &st->sys.vms[0], .index = 0, .vcpu = 0};
	double *mt = calloc(o->repeats, sizeof(double));
	double *dt = calloc(o->repeats, sizeof(double));

	if (!mt || !dt) {
		fprintf(stderr, "ffamed bench: out of memory\n");
		exit(1);
	}
	bench_set_cpu(0);
	/* Warm caches and branch predictors on both paths. */
	cr->med.failures += run_loop(c->mediated, &ctx, o->iters / 10 + 1);
	cr->dir.failures += run_loop(c->direct, &ctx, o->iters / 10 + 1);
	for (uint32_t r = 0; r < o->repeats; r++) {
		uint64_t t0 = tool_now_ns();

		cr->med.failures += run_loop(c->mediated, &ctx, o->iters);
		uint64_t t1 = tool_now_ns();
		cr->dir.failures += run_loop(c->direct, &ctx, o->iters);
		uint64_t t2 = tool_now_ns();
		mt[r] = (double)(t1 - t0) / o->iters;
		dt[r] = (double)(t2 - t1) / o->iters;
	}
	cr->med.ns = median(mt, o->repeats);
	cr->dir.ns = median(dt, o->repeats);
	free(mt);
	free(dt);
	uint64_t fw0 = bench_fw_calls(), locks0 = bench_med_locks();

	cr->med.failures += run_loop(c->mediated, &ctx, o->iters);
	cr->med.fw_calls = (double)(bench_fw_calls() - fw0) / o->iters;
	cr->med.locks = (double)(bench_med_locks() - locks0) / o->iters;
	instr_pass(st, c->mediated, &ctx, o->iters, &cr->med);
	instr_pass(st, c->direct, &ctx, o->iters, &cr->dir);
	if (o->callgrind && !st->no_dumps) {
		callgrind_pass(c, c->mediated, &ctx, o->iters, "mediated", &cr->med);
		callgrind_pass(c, c->direct, &ctx, o->iters, "direct", &cr->dir);
	}
}

/* ---- Scaling: 1 and 2 vCPU threads, each of its own VM and CPU --------------------- */

struct scale_thread {
	pthread_t thread;
	pthread_barrier_t *start;
	bench_op_fn op;
	struct bench_ctx ctx;
	uint32_t iters;
	uint64_t t0, t1, cpu_ns, failures;
};

static uint64_t thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void *scale_main(void *arg)
{
	struct scale_thread *t = arg;
	uint64_t cpu0;

	bench_set_cpu(t->ctx.index);
	pthread_barrier_wait(t->start);
	cpu0 = thread_cpu_ns();
	t->t0 = tool_now_ns();
	t->failures = run_loop(t->op, &t->ctx, t->iters);
	t->t1 = tool_now_ns();
	t->cpu_ns = thread_cpu_ns() - cpu0;
	return NULL;
}

/* `n` threads together: calls per second, and CPU time per call. */
static void scale_run(struct bench_state *st, bench_op_fn op, uint32_t n, uint32_t iters,
		      uint64_t *failures, double *ops, double *cpu_ns, double *parallel)
{
	struct scale_thread t[BENCH_VMS];
	pthread_barrier_t start;
	uint64_t t0 = UINT64_MAX, t1 = 0, cpu = 0;

	pthread_barrier_init(&start, NULL, n);
	for (uint32_t i = 0; i < n; i++) {
		t[i] = (struct scale_thread){.start = &start, .op = op, .iters = iters};
		t[i].ctx = (struct bench_ctx){
			.sys = &st->sys, .vm = &st->sys.vms[i], .index = i, .vcpu = 0};
		if (pthread_create(&t[i].thread, NULL, scale_main, &t[i])) {
			fprintf(stderr, "ffamed bench: cannot start threads\n");
			exit(1);
		}
	}
	for (uint32_t i = 0; i < n; i++) {
		pthread_join(t[i].thread, NULL);
		*failures += t[i].failures;
		t0 = t[i].t0 < t0 ? t[i].t0 : t0;
		t1 = t[i].t1 > t1 ? t[i].t1 : t1;
		cpu += t[i].cpu_ns;
	}
	pthread_barrier_destroy(&start);
	*ops = t1 > t0 ? (double)n * iters * 1e9 / (double)(t1 - t0) : 0;
	*cpu_ns = (double)cpu / ((double)n * iters);
	/* How many CPUs the run really had: 2 when both threads ran at once
	 * all along, 1 when the scheduler took turns (the machine is busy). */
	if (parallel)
		*parallel = t1 > t0 ? (double)cpu / (double)(t1 - t0) : 0;
}

/* Each timed run lasts long enough (tens of ms even for the 20 ns stub
 * path) for the scheduler to put the threads on two CPUs when two are
 * free: shorter runs finished on one CPU before the second thread was
 * migrated. Few repeats, then. */
#define SCALE_ITERS_FACTOR 200u
#define SCALE_MAX_REPEATS  7u

static void scale_path(struct bench_state *st, bench_op_fn op, uint64_t *failures,
		       struct scale_result *out)
{
	uint32_t reps = st->o->repeats < SCALE_MAX_REPEATS ? st->o->repeats : SCALE_MAX_REPEATS;
	uint32_t iters = st->o->iters * SCALE_ITERS_FACTOR;
	double *v = calloc((size_t)reps * 5, sizeof(double));

	if (!v) {
		fprintf(stderr, "ffamed bench: out of memory\n");
		exit(1);
	}
	for (uint32_t r = 0; r < reps; r++) {
		scale_run(st, op, 1, iters, failures, &v[r], &v[2 * reps + r], NULL);
		scale_run(st, op, 2, iters, failures, &v[reps + r], &v[3 * reps + r],
			  &v[4 * reps + r]);
	}
	for (int k = 0; k < 2; k++) {
		out->ops[k] = median(v + (size_t)k * reps, reps);
		out->cpu_ns[k] = median(v + (size_t)(2 + k) * reps, reps);
	}
	out->parallel = median(v + (size_t)4 * reps, reps);
	free(v);
}

static void scale_case(struct bench_state *st, const struct bench_case *c, struct case_result *cr)
{
	scale_path(st, c->mediated, &cr->med.failures, &cr->med.scale);
	scale_path(st, c->direct, &cr->dir.failures, &cr->dir.scale);
	/* The mediator alone: the software SPMC shares state between CPUs
	 * (call counters, the SP's context lock), which is not ours to scale. */
	atomic_store(&st->sys.fw_stub, true);
	scale_path(st, c->mediated, &cr->med.failures, &cr->stub);
	atomic_store(&st->sys.fw_stub, false);
}

/* ---- Tracing cost: ID_GET with a tracer that records nothing ------------------------ */

static void null_record(void *ctx, const struct ffamed_trace_rec *rec)
{
	(void)ctx;
	(void)rec;
}

static void trace_cost(struct bench_state *st)
{
	static const struct ffamed_tracer null_tracer = {.record = null_record};
	const struct bench_case *id_get = NULL;
	struct case_result off = {0}, on = {0};

	for (size_t i = 0; i < bench_case_count; i++)
		if (strcmp(bench_cases[i].name, "id_get") == 0)
			id_get = &bench_cases[i];
	if (!id_get)
		return;
	st->no_dumps = true;
	time_case(st, id_get, &off);
	ffamed_set_tracer(st->sys.med, &null_tracer);
	time_case(st, id_get, &on);
	ffamed_set_tracer(st->sys.med, NULL);
	st->no_dumps = false;
	st->trace_off_ns = off.med.ns;
	st->trace_on_ns = on.med.ns;
	st->trace_off_instr = off.med.instr;
	st->trace_on_instr = on.med.instr;
}

/* ---- Output ---------------------------------------------------------------------------- */

static double ratio(double a, double b)
{
	return b > 0 ? a / b : 0;
}

static void print_instr(double v)
{
	if (v < 0)
		printf(" %9s", "-");
	else
		printf(" %9.0f", v);
}

static double wall_x(const struct scale_result *s)
{
	return ratio(s->ops[1], s->ops[0]);
}

static double cpu_x(const struct scale_result *s)
{
	return 2 * ratio(s->cpu_ns[0], s->cpu_ns[1]);
}

static void print_scale(const char *name, const char *path, const struct scale_result *s)
{
	printf("%-18s %-9s %12.0f %12.0f %6.2fx %6.2fx %7.2f\n", name, path, s->ops[0], s->ops[1],
	       wall_x(s), cpu_x(s), s->parallel);
}

static void print_table(const struct bench_state *st)
{
	printf("ffamed bench: %u calls x %u repeats per path (median); instructions: %s\n\n",
	       st->o->iters, st->o->repeats,
	       st->perf_fd >= 0 ? "CPU counter, user space"
				: "not measured (see docs/BENCHMARKS.md)");
	printf("%-18s %-42s %9s %9s %7s %9s %9s %6s %6s\n", "case", "operation", "med ns", "dir ns",
	       "ratio", "med ins", "dir ins", "fw/op", "locks");
	for (size_t i = 0; i < st->nres; i++) {
		const struct case_result *r = &st->res[i];

		if (!r->ran) {
			printf("%-18s %-42s   pending on %s\n", r->c->name, r->c->what,
			       r->c->pending_on);
			continue;
		}
		printf("%-18s %-42s %9.1f %9.1f %6.2fx", r->c->name, r->c->what, r->med.ns,
		       r->dir.ns, ratio(r->med.ns, r->dir.ns));
		print_instr(r->med.instr);
		print_instr(r->dir.instr);
		printf(" %6.2f %6.2f%s\n", r->med.fw_calls, r->med.locks,
		       r->med.failures || r->dir.failures ? "  FAILED" : "");
	}
	if (st->harness_instr >= 0)
		printf("%-18s %-42s %9s %9s %7s %9.0f %9.0f\n", "(harness)",
		       "filling the registers, one call", "", "", "", st->harness_instr,
		       st->harness_instr);
	printf("\nscaling, 1 -> 2 vCPU threads of different VMs. wall: calls/s of both threads\n"
	       "over one; cpu: 2 x CPU time per call of one thread over two (what the code\n"
	       "allows, whatever else runs on the machine). CPUs: CPU time of the two\n"
	       "threads over the wall time (near 2: they really ran at once; near 1: the\n"
	       "machine was busy and took turns, so neither figure says much). stub: the\n"
	       "mediator alone, in front of a firmware stub instead of the software SPMC.\n");
	printf("%-18s %-9s %12s %12s %7s %7s %7s\n", "case", "path", "1 thr/s", "2 thr/s", "wall x",
	       "cpu x", "CPUs");
	for (size_t i = 0; i < st->nres; i++) {
		const struct case_result *r = &st->res[i];

		if (!(r->c->flags & BENCH_SCALING))
			continue;
		if (!r->ran) {
			printf("%-18s pending on %s\n", r->c->name, r->c->pending_on);
			continue;
		}
		print_scale(r->c->name, "mediated", &r->med.scale);
		print_scale("", "direct", &r->dir.scale);
		print_scale("", "stub", &r->stub);
	}
	printf("\nmemory (mediator allocations):\n");
	printf("  VM context, 1 vCPU:   %lld bytes\n", (long long)st->vm_bytes_1);
	printf("  VM context, 4 vCPUs:  %lld bytes (%lld per extra vCPU)\n",
	       (long long)st->vm_bytes_4, (long long)(st->vm_bytes_4 - st->vm_bytes_1) / 3);
	if (st->share_ran) {
		printf("  shared-memory handle: %lld bytes (1 page), %lld bytes (256 scattered "
		       "pages)\n",
		       (long long)st->share.handle_bytes_1, (long long)st->share.handle_bytes_256);
		printf("\nMEM_SHARE + MEM_RECLAIM to an SP, median per op (fragments per "
		       "share):\n");
		printf("%-9s %-10s %14s %10s %14s %10s %8s\n", "pages", "layout", "mediated ns",
		       "ns/page", "direct ns", "ns/page", "ratio");
		for (uint32_t i = 0; i < st->share.count; i++) {
			const struct bench_share_point *p = &st->share.points[i];

			printf("%-9u %-10s %14.0f %10.1f %14.0f %10.1f %7.2fx  (%u/%u)\n", p->pages,
			       p->scattered ? "scattered" : "contiguous", p->med_ns,
			       p->med_ns / p->pages, p->dir_ns, p->dir_ns / p->pages,
			       ratio(p->med_ns, p->dir_ns), p->med_fragments, p->dir_fragments);
		}
	}
	printf("\nfw/op, locks: firmware calls and lock acquisitions the mediator made per\n"
	       "mediated op.\n");
	printf("PARTITION_INFO_GET(_REGS) sent to the firmware after init: %llu\n",
	       (unsigned long long)st->fw_partinfo_calls);
	printf("tracing (id_get, mediated): off %.1f ns", st->trace_off_ns);
	if (st->trace_off_instr >= 0)
		printf(" %.0f instr", st->trace_off_instr);
	printf(", on (null tracer) %.1f ns", st->trace_on_ns);
	if (st->trace_on_instr >= 0)
		printf(" %.0f instr", st->trace_on_instr);
	printf("\n");
}

static void json_scale(const char *key, const struct scale_result *s)
{
	printf(", \"%s\": {\"ops_1_thread\": %.0f, \"ops_2_threads\": %.0f, "
	       "\"cpu_ns_1_thread\": %.2f, \"cpu_ns_2_threads\": %.2f, \"wall_scaling\": %.3f, "
	       "\"cpu_scaling\": %.3f, \"cpus\": %.3f}",
	       key, s->ops[0], s->ops[1], s->cpu_ns[0], s->cpu_ns[1], wall_x(s), cpu_x(s),
	       s->parallel);
}

static void json_path(const struct path_result *p, bool scaling)
{
	printf("{\"ns\": %.2f, \"instructions\": ", p->ns);
	if (p->instr < 0)
		printf("null");
	else
		printf("%.1f", p->instr);
	if (scaling)
		json_scale("scaling", &p->scale);
	printf(", \"fw_calls_per_op\": %.2f, \"locks_per_op\": %.2f, \"failures\": %llu}",
	       p->fw_calls, p->locks, (unsigned long long)p->failures);
}

static void print_json(const struct bench_state *st)
{
	printf("{\n  \"tool\": \"ffamed bench\",\n  \"quick\": %s,\n  \"iters\": %u,\n"
	       "  \"repeats\": %u,\n  \"instructions_source\": \"%s\",\n  \"cases\": [\n",
	       st->o->quick ? "true" : "false", st->o->iters, st->o->repeats,
	       st->perf_fd >= 0 ? "perf" : "none");
	for (size_t i = 0; i < st->nres; i++) {
		const struct case_result *r = &st->res[i];
		bool scaling = r->c->flags & BENCH_SCALING;

		printf("    {\"name\": \"%s\", \"what\": \"%s\", ", r->c->name, r->c->what);
		if (!r->ran) {
			printf("\"pending_on\": \"%s\"}", r->c->pending_on);
		} else {
			printf("\"mediated\": ");
			json_path(&r->med, scaling);
			printf(", \"direct\": ");
			json_path(&r->dir, scaling);
			if (scaling)
				json_scale("stub_scaling", &r->stub);
			printf(", \"overhead\": %.3f}", ratio(r->med.ns, r->dir.ns));
		}
		printf("%s\n", i + 1 < st->nres ? "," : "");
	}
	printf("  ],\n  \"memory\": {\"vm_context_bytes_1_vcpu\": %lld, "
	       "\"vm_context_bytes_4_vcpus\": %lld, \"share_handle_bytes\": %lld},\n",
	       (long long)st->vm_bytes_1, (long long)st->vm_bytes_4,
	       (long long)(st->share_ran ? st->share.handle_bytes_1 : -1));
	printf("  \"harness_instructions\": %.1f,\n", st->harness_instr);
	printf("  \"fw_partinfo_calls_after_init\": %llu,\n",
	       (unsigned long long)st->fw_partinfo_calls);
	printf("  \"tracing\": {\"off_ns\": %.2f, \"on_ns\": %.2f, \"off_instructions\": %.1f, "
	       "\"on_instructions\": %.1f},\n",
	       st->trace_off_ns, st->trace_on_ns, st->trace_off_instr, st->trace_on_instr);
	printf("  \"share_reclaim\": [");
	for (uint32_t i = 0; st->share_ran && i < st->share.count; i++) {
		const struct bench_share_point *p = &st->share.points[i];

		printf("%s\n    {\"pages\": %u, \"layout\": \"%s\", \"mediated_ns\": %.0f, "
		       "\"direct_ns\": %.0f, \"mediated_fragments\": %u, \"direct_fragments\": %u}",
		       i ? "," : "", p->pages, p->scattered ? "scattered" : "contiguous", p->med_ns,
		       p->dir_ns, p->med_fragments, p->dir_fragments);
	}
	printf("\n  ]\n}\n");
}

/* ---- Driver ------------------------------------------------------------------------------ */

/* Every VM negotiates v1.2 (VERSION then a first call makes it final). */
static int negotiate(struct bench_sys *s)
{
	for (uint32_t i = 0; i < BENCH_VMS; i++) {
		struct ffamed_regs r;

		ffa_regs_clear(&r);
		r.x[0] = FFA_VERSION;
		r.x[1] = FFA_VERSION_1_2;
		ffamed_handle_call(s->vms[i].vm, 0, &r);
		ffa_regs_clear(&r);
		r.x[0] = FFA_ID_GET;
		ffamed_handle_call(s->vms[i].vm, 0, &r);
		if (ffamed_vm_version(s->vms[i].vm) != FFA_VERSION_1_2)
			return -1;
	}
	return 0;
}

static uint64_t fw_partinfo_count(struct bench_sys *s)
{
	return ffamed_spmc_call_count(s->spmc, FFA_PARTITION_INFO_GET) +
	       ffamed_spmc_call_count(s->spmc, FFA_PARTITION_INFO_GET_REGS);
}

static int run_case(struct bench_state *st, const struct bench_case *c, struct case_result *cr)
{
	bool partinfo = strncmp(c->name, "partinfo", 8) == 0;
	uint64_t fw_before = fw_partinfo_count(&st->sys);

	if (c->setup && c->setup(&st->sys)) {
		fprintf(stderr, "ffamed bench: %s: setup failed\n", c->name);
		return 1;
	}
	time_case(st, c, cr);
	if (c->flags & BENCH_SCALING)
		scale_case(st, c, cr);
	if (c->teardown && c->teardown(&st->sys)) {
		fprintf(stderr, "ffamed bench: %s: teardown failed\n", c->name);
		return 1;
	}
	if (partinfo)
		st->fw_partinfo_calls += fw_partinfo_count(&st->sys) - fw_before;
	cr->ran = true;
	if (cr->med.failures || cr->dir.failures) {
		fprintf(stderr, "ffamed bench: %s: %llu mediated and %llu direct calls failed\n",
			c->name, (unsigned long long)cr->med.failures,
			(unsigned long long)cr->dir.failures);
		return 1;
	}
	return 0;
}

size_t bench_match_count(const char *pattern)
{
	size_t n = strstr(SHARE_SWEEP_NAME, pattern) ? 1 : 0;

	for (size_t i = 0; i < bench_case_count; i++)
		if (strstr(bench_cases[i].name, pattern))
			n++;
	return n;
}

int bench_run(const struct bench_opts *o)
{
	static struct bench_state st;
	int failed = 0;

	memset(&st, 0, sizeof(st));
	st.o = o;
	if (bench_sys_create(&st.sys) || negotiate(&st.sys)) {
		fprintf(stderr, "ffamed bench: cannot build the bench system\n");
		bench_sys_destroy(&st.sys);
		return 1;
	}
	st.perf_fd = instr_open();
	st.harness_instr = -1;
	if (st.perf_fd >= 0) {
		struct bench_ctx ctx = {.sys = &st.sys, .vm = &st.sys.vms[0]};
		struct path_result h = {0};

		instr_pass(&st, bench_harness_op, &ctx, o->iters, &h);
		st.harness_instr = h.instr;
	}
	if (o->callgrind) {
		struct bench_ctx ctx = {.sys = &st.sys, .vm = &st.sys.vms[0]};
		static const struct bench_case harness = {.name = "harness"};
		struct path_result h = {0};

		callgrind_pass(&harness, bench_harness_op, &ctx, o->iters, "harness", &h);
	}
	if (o->callgrind && !BENCH_UNDER_VALGRIND())
		fprintf(stderr, "ffamed bench: --callgrind without callgrind: no dumps\n");
	for (size_t i = 0; i < bench_case_count && st.nres < MAX_CASES; i++) {
		const struct bench_case *c = &bench_cases[i];
		struct case_result *cr;

		if (o->pattern && !strstr(c->name, o->pattern))
			continue;
		cr = &st.res[st.nres++];
		cr->c = c;
		if (!c->pending_on)
			failed |= run_case(&st, c, cr);
	}
	if (!o->pattern || strstr(SHARE_SWEEP_NAME, o->pattern)) {
		st.share_ran = true;
		if (bench_share_sweep(&st.sys, o->quick, &st.share)) {
			fprintf(stderr, "ffamed bench: share sweep: %llu failures\n",
				(unsigned long long)st.share.failures);
			failed = 1;
		}
	}
	st.vm_bytes_1 = bench_vm_bytes(&st.sys, 1);
	st.vm_bytes_4 = bench_vm_bytes(&st.sys, 4);
	trace_cost(&st);
	if (o->json)
		print_json(&st);
	else
		print_table(&st);
	if (st.perf_fd >= 0)
		close(st.perf_fd);
	if (atomic_load(&st.sys.log_errors))
		failed = 1;
	bench_sys_destroy(&st.sys);
	return failed;
}
