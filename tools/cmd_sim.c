/* SPDX-License-Identifier: MIT */
/*
 * `ffamed sim`: build the default simulated system (or a bigger one), run
 * the guest program on every vCPU of every VM, check the system-level
 * accounting (SP counters, VM announcements, leaks) and report. Exits 0
 * only if nothing unexpected happened.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ffamed_tool.h"
#include "sim_run.h"

#define DEFAULT_VMS	      2u
#define DEFAULT_VCPUS	      2u
#define DEFAULT_ITERATIONS    10u
#define MAX_ITERATIONS	      1000000u
#define DEFAULT_MERMAID_CALLS 40u
#define TRACE_PER_THREAD      (1u << 16) /* events kept per vCPU thread */

static void sim_usage(FILE *out)
{
	fprintf(out,
		"usage: ffamed sim [--json] [--vms N] [--vcpus N] [--iterations N] [--seed N]\n"
		"                  [--trace FILE] [--mermaid FILE] [--mermaid-calls N]\n"
		"\n"
		"Runs a simulated system: N VMs (IDs 1..N) with N vCPU threads each, the\n"
		"ffamed mediator, and a software SPMC with three SPs: ECHO (0x8001),\n"
		"VMWATCH (0x8002) and OP-TEE (0x8003). VM 1 negotiates FF-A 1.2, VM 2\n"
		"1.1, further VMs cycle 1.0, 1.1, 1.2. Every vCPU negotiates, maps the\n"
		"VM's RX/TX pair (vCPU 0), asks FEATURES, then repeats partition\n"
		"discovery and direct messages to ECHO and OP-TEE, checking every\n"
		"answer. Exit status 0 only if nothing unexpected happened.\n"
		"\n"
		"  --vms N         VMs (default %u)\n"
		"  --vcpus N       vCPUs per VM (default %u)\n"
		"  --iterations N  discovery + messaging rounds per vCPU (default %u)\n"
		"  --seed N        guest page scatter and payload seed (default 0)\n"
		"  --json          print the report as JSON\n"
		"  --trace FILE    record every mediated call and SP run; write a\n"
		"                  Chrome/Perfetto trace (JSON: a track per vCPU and per SP\n"
		"                  context; open it at ui.perfetto.dev)\n"
		"  --mermaid FILE  write a Mermaid sequence diagram of the first calls\n"
		"  --mermaid-calls N  calls in the diagram (default %u)\n"
		"  --help          this text\n"
		"\n"
		"At most %u vCPUs in all (the simulated machine has %u CPUs, %u kept for\n"
		"the host's own threads).\n",
		DEFAULT_VMS, DEFAULT_VCPUS, DEFAULT_ITERATIONS, DEFAULT_MERMAID_CALLS,
		FFAMED_SIM_MAX_CPUS - 4, FFAMED_SIM_MAX_CPUS, 4u);
}

static bool parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out)
{
	char *end = NULL;
	unsigned long long v;

	if (!s || !*s || *s == '-')
		return false;
	v = strtoull(s, &end, 0);
	if (*end || v < min || v > max)
		return false;
	*out = (uint32_t)v;
	return true;
}

/* --name N or --name=N: the value, or NULL if `arg` is not this option. */
static const char *option_value(int argc, char **argv, int *i, const char *name)
{
	size_t n = strlen(name);

	if (strncmp(argv[*i], name, n) != 0)
		return NULL;
	if (argv[*i][n] == '=')
		return argv[*i] + n + 1;
	if (argv[*i][n] != '\0')
		return NULL;
	if (*i + 1 >= argc)
		return "";
	return argv[++*i];
}

static int parse_options(int argc, char **argv, struct run_options *opt)
{
	opt->vms = DEFAULT_VMS;
	opt->vcpus = DEFAULT_VCPUS;
	opt->iterations = DEFAULT_ITERATIONS;
	opt->seed = 0;
	opt->json = false;
	opt->trace_path = NULL;
	opt->mermaid_path = NULL;
	opt->mermaid_calls = DEFAULT_MERMAID_CALLS;

	for (int i = 1; i < argc; i++) {
		const char *v;
		uint32_t n;

		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			sim_usage(stdout);
			return 0;
		}
		if (strcmp(argv[i], "--json") == 0) {
			opt->json = true;
		} else if ((v = option_value(argc, argv, &i, "--vms"))) {
			if (!parse_u32(v, 1, FFAMED_SIM_MAX_CPUS, &opt->vms))
				goto bad_value;
		} else if ((v = option_value(argc, argv, &i, "--vcpus"))) {
			if (!parse_u32(v, 1, FFAMED_SIM_MAX_CPUS, &n))
				goto bad_value;
			opt->vcpus = (uint16_t)n;
		} else if ((v = option_value(argc, argv, &i, "--iterations"))) {
			if (!parse_u32(v, 0, MAX_ITERATIONS, &opt->iterations))
				goto bad_value;
		} else if ((v = option_value(argc, argv, &i, "--trace"))) {
			if (!*v)
				goto bad_value;
			opt->trace_path = v;
		} else if ((v = option_value(argc, argv, &i, "--mermaid-calls"))) {
			if (!parse_u32(v, 1, UINT32_MAX, &opt->mermaid_calls))
				goto bad_value;
		} else if ((v = option_value(argc, argv, &i, "--mermaid"))) {
			if (!*v)
				goto bad_value;
			opt->mermaid_path = v;
		} else if ((v = option_value(argc, argv, &i, "--seed"))) {
			if (!parse_u32(v, 0, UINT32_MAX, &opt->seed))
				goto bad_value;
		} else {
			fprintf(stderr, "ffamed sim: unknown option '%s'\n", argv[i]);
			sim_usage(stderr);
			return 2;
		}
		continue;
	bad_value:
		fprintf(stderr, "ffamed sim: bad value for %s\n", argv[i]);
		return 2;
	}
	if ((uint64_t)opt->vms * opt->vcpus + 4 > FFAMED_SIM_MAX_CPUS) {
		fprintf(stderr, "ffamed sim: %u VMs x %u vCPUs is more than %u vCPUs\n", opt->vms,
			(unsigned)opt->vcpus, FFAMED_SIM_MAX_CPUS - 4);
		return 2;
	}
	return -1;
}

void run_unexpected(struct run *run, struct run_vm *vm, const char *fmt, ...)
{
	va_list ap;

	if (vm)
		atomic_fetch_add(&vm->unexpected, 1);
	else
		atomic_fetch_add(&run->sys_unexpected, 1);
	pthread_mutex_lock(&run->errors_lock);
	if (run->error_count < RUN_MAX_ERRORS) {
		va_start(ap, fmt);
		vsnprintf(run->errors[run->error_count], RUN_MSG_LEN, fmt, ap);
		va_end(ap);
	}
	run->error_count++;
	pthread_mutex_unlock(&run->errors_lock);
}

uint64_t run_unexpected_total(const struct run *run)
{
	uint64_t n = atomic_load(&run->sys_unexpected);

	for (uint32_t i = 0; i < run->opt.vms; i++)
		n += atomic_load(&run->vms[i].unexpected);
	return n;
}

void run_expect(struct run *run, const char *what, uint64_t got, uint64_t want)
{
	if (got != want)
		run_unexpected(run, NULL, "system: %s: %llu, expected %llu", what,
			       (unsigned long long)got, (unsigned long long)want);
}

static uint32_t version_for(uint16_t id)
{
	static const uint32_t cycle[3] = {FFA_VERSION_1_0, FFA_VERSION_1_1, FFA_VERSION_1_2};

	if (id == 1)
		return FFA_VERSION_1_2;
	if (id == 2)
		return FFA_VERSION_1_1;
	return cycle[(id - 3) % 3];
}

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Counters of the guest conduit, kept before the VM goes away. */
static void snapshot_calls(struct run_vm *vm)
{
	for (uint32_t width = 0; width < 2; width++) {
		for (uint32_t fnum = FFA_FNUM_MIN; fnum <= FFA_FNUM_MAX; fnum++) {
			uint32_t fid = width ? FFA_SMC64(fnum) : FFA_SMC32(fnum);
			uint64_t n = ffamed_sim_vm_call_count(vm->svm, fid);

			if (!n)
				continue;
			vm->calls_total += n;
			if (vm->call_kinds < RUN_MAX_CALLS) {
				vm->calls[vm->call_kinds].fid = fid;
				vm->calls[vm->call_kinds].count = n;
				vm->call_kinds++;
			}
		}
	}
	vm->calls_total += ffamed_sim_vm_call_count(vm->svm, 0);
}

static bool start_vcpus(struct run *run, struct run_vcpu *vcpus)
{
	uint32_t k = 0;

	for (uint32_t i = 0; i < run->opt.vms; i++) {
		for (uint16_t v = 0; v < run->opt.vcpus; v++, k++) {
			vcpus[k].vm = &run->vms[i];
			vcpus[k].index = v;
			if (ffamed_sim_vcpu_start(run->vms[i].svm, v, run_vcpu_main, &vcpus[k]) !=
			    FFA_RET_OK)
				return false;
		}
	}
	return true;
}

/* The SPs' own counters must agree with what the guests counted. */
static void check_sp_accounting(struct run *run)
{
	struct ffamed_sp_echo *echo = ffamed_sim_echo(run->sim);
	struct ffamed_sp_optee *optee = ffamed_sim_optee(run->sim);
	uint64_t answers = 0, resumes = 0;
	uint64_t guest_rounds = (uint64_t)run->opt.vms * run->opt.vcpus * run->opt.iterations;

	for (uint32_t i = 0; i < run->opt.vms; i++) {
		answers += atomic_load(&run->vms[i].echo_answers);
		resumes += atomic_load(&run->vms[i].resumes);
	}
	run->sys.echo_responses = atomic_load(&echo->responses);
	run->sys.echo_resumes = atomic_load(&echo->resumes);
	run->sys.optee_calls = 0;
	for (int s = 0; s < FFAMED_OPTEE_SLOTS; s++)
		run->sys.optee_calls += atomic_load(&optee->calls[s]);
	run_expect(run, "ECHO responses vs answers the guests got", run->sys.echo_responses,
		   answers);
	run_expect(run, "ECHO resumptions vs FFA_RUN calls of the guests", run->sys.echo_resumes,
		   resumes);
	run_expect(run, "ECHO requests still in flight",
		   atomic_load(&echo->requests) - run->sys.echo_responses, 0);
	run_expect(run, "OP-TEE GET_API_VERSION calls",
		   atomic_load(&optee->calls[FFAMED_OPTEE_GET_API_VERSION]), guest_rounds);
	run_expect(run, "OP-TEE GET_OS_VERSION calls",
		   atomic_load(&optee->calls[FFAMED_OPTEE_GET_OS_VERSION]), guest_rounds);
	run_expect(run, "OP-TEE calls in all", run->sys.optee_calls, 2 * guest_rounds);
}

static void check_vmwatch_live(struct run *run)
{
	struct ffamed_sp_vmwatch *w = ffamed_sim_vmwatch(run->sim);

	run->sys.vmwatch_live_during = ffamed_sp_vmwatch_live_count(w);
	run_expect(run, "VMWATCH live VMs while running", run->sys.vmwatch_live_during,
		   run->opt.vms);
	for (uint32_t i = 0; i < run->opt.vms; i++)
		if (!ffamed_sp_vmwatch_is_live(w, run->vms[i].id))
			run_unexpected(run, NULL, "system: VMWATCH was not told of VM %u",
				       (unsigned)run->vms[i].id);
	run_expect(run, "VMWATCH VM_CREATED messages", ffamed_sp_vmwatch_created_msgs(w),
		   run->opt.vms);
}

static void check_teardown(struct run *run)
{
	struct ffamed_sp_vmwatch *w = ffamed_sim_vmwatch(run->sim);
	const struct ffamed_sim_leaks *l = &run->sys.leaks;

	run->sys.vmwatch_created = ffamed_sp_vmwatch_created_msgs(w);
	run->sys.vmwatch_destroyed = ffamed_sp_vmwatch_destroyed_msgs(w);
	run->sys.vmwatch_live_after = ffamed_sp_vmwatch_live_count(w);
	run->sys.vmwatch_duplicates = atomic_load(&w->duplicate_created);
	run->sys.vmwatch_unknown = atomic_load(&w->unknown_destroyed);
	run_expect(run, "VMWATCH VM_DESTROYED messages", run->sys.vmwatch_destroyed, run->opt.vms);
	run_expect(run, "VMWATCH live VMs after teardown", run->sys.vmwatch_live_after, 0);
	run_expect(run, "VMWATCH duplicate VM_CREATED", run->sys.vmwatch_duplicates, 0);
	run_expect(run, "VMWATCH VM_DESTROYED of unknown VMs", run->sys.vmwatch_unknown, 0);
	run_expect(run, "guest pages still pinned", l->pinned_pages, 0);
	run_expect(run, "mediator allocations live", l->live_allocs, 0);
	run_expect(run, "SPMC allocations live", l->spmc_live_allocs, 0);
	run_expect(run, "hypervisor mappings live", l->mapped_pages, 0);
	run_expect(run, "host VM objects live", l->live_vms, 0);
	run_expect(run, "port contract violations", l->port_errors, 0);
}

/* The vCPU threads are joined: their buffers are complete. */
static void write_traces(struct run *run)
{
	size_t n;
	struct ffamed_trace_event *ev = ffamed_trace_events(run->trace, &n);
	FILE *f;

	if (ffamed_trace_dropped(run->trace))
		fprintf(stderr, "ffamed sim: trace: %llu events did not fit\n",
			(unsigned long long)ffamed_trace_dropped(run->trace));
	if (run->opt.trace_path) {
		f = fopen(run->opt.trace_path, "w");
		if (!f || ffamed_trace_write_chrome(f, ev, n) || fclose(f))
			run_unexpected(run, NULL, "system: cannot write %s", run->opt.trace_path);
	}
	if (run->opt.mermaid_path) {
		f = fopen(run->opt.mermaid_path, "w");
		if (!f || ffamed_trace_write_mermaid(f, ev, n, run->opt.mermaid_calls) || fclose(f))
			run_unexpected(run, NULL, "system: cannot write %s", run->opt.mermaid_path);
	}
	free(ev);
}

/* Every vCPU did a round with MEMSP per iteration, and each VM pair one
 * VM-to-VM round (tools/sim_memory.c). */
static void check_memory_rounds(struct run *run)
{
	uint64_t sp = 0, vm = 0;

	for (uint32_t i = 0; i < run->opt.vms; i++) {
		sp += atomic_load(&run->vms[i].mem_sp_rounds);
		vm += atomic_load(&run->vms[i].mem_vm_rounds);
	}
	run_expect(run, "memory rounds with MEMSP", sp,
		   (uint64_t)run->opt.vms * run->opt.vcpus * run->opt.iterations);
	run_expect(run, "memory rounds between VMs", vm,
		   (uint64_t)(run->opt.vms / 2) * run->opt.iterations);
	/* Every guest reclaimed what it sent before powering off. */
	{
		struct ffamed_mem_stats st;

		ffamed_get_mem_stats(ffamed_sim_mediator(run->sim), &st);
		run_expect(run, "memory transactions left", st.transactions, 0);
		run_expect(run, "guest pages held by memory transactions", st.pages, 0);
	}
}

static int run_sim(struct run *run)
{
	struct ffamed_sim_config cfg;
	struct run_vcpu *vcpus;
	double t0 = now_seconds();
	uint64_t unexpected;
	int32_t ret;

	ffamed_sim_default_config(&cfg);
	cfg.vm_count = run->opt.vms;
	cfg.vcpus_per_vm = run->opt.vcpus;
	cfg.seed = run->opt.seed;
	/* VMs see and notify each other. */
	cfg.vm_to_vm = true;
	ret = ffamed_sim_create(&cfg, &run->sim);
	if (ret != FFA_RET_OK) {
		fprintf(stderr, "ffamed sim: cannot build the system: %s\n",
			ffamed_sim_error_name(ret) ? ffamed_sim_error_name(ret) : "?");
		return 1;
	}
	run->cpu_count = ffamed_sim_cpu_count(run->sim);
	ffamed_get_fw_info(ffamed_sim_mediator(run->sim), &run->sys.fw);
	run_expect(run, "firmware version seen by the mediator", run->sys.fw.version,
		   FFA_VERSION_1_2);
	run_expect(run, "SPs cached by the mediator", run->sys.fw.sp_count, FFAMED_SIM_SP_COUNT);

	run->vms = calloc(run->opt.vms, sizeof(*run->vms));
	vcpus = calloc((size_t)run->opt.vms * run->opt.vcpus, sizeof(*vcpus));
	if (!run->vms || !vcpus) {
		fprintf(stderr, "ffamed sim: out of memory\n");
		exit(1);
	}
	for (uint32_t i = 0; i < run->opt.vms; i++) {
		struct run_vm *vm = &run->vms[i];

		vm->run = run;
		vm->svm = ffamed_sim_vm_at(run->sim, i);
		vm->id = ffamed_sim_vm_id(vm->svm);
		vm->vcpus = run->opt.vcpus;
		vm->version_asked = version_for(vm->id);
		vm->ram_pages = (uint32_t)cfg.ram_pages_per_vm;
		pthread_mutex_init(&vm->mem_box.lock, NULL);
		pthread_cond_init(&vm->mem_box.cond, NULL);
		vm->mem_box.offered = UINT32_MAX;
		vm->mem_box.done = UINT32_MAX;
		pthread_barrier_init(&vm->done, NULL, vm->vcpus);
	}
	check_vmwatch_live(run);
	run_notif_plan(run);

	if (run->opt.trace_path || run->opt.mermaid_path) {
		run->trace = ffamed_trace_create(TRACE_PER_THREAD);
		if (!run->trace) {
			fprintf(stderr, "ffamed sim: out of memory\n");
			exit(1);
		}
		ffamed_set_tracer(ffamed_sim_mediator(run->sim),
				  ffamed_trace_mediator_tracer(run->trace));
		ffamed_spmc_set_tracer(ffamed_sim_spmc(run->sim),
				       ffamed_trace_spmc_tracer(run->trace));
	}
	if (!start_vcpus(run, vcpus)) {
		/* The started vCPUs would wait for their siblings forever. */
		fprintf(stderr, "ffamed sim: cannot start vCPU threads\n");
		exit(1);
	}
	for (uint32_t i = 0; i < run->opt.vms; i++)
		for (uint16_t v = 0; v < run->opt.vcpus; v++)
			ffamed_sim_vcpu_join(run->vms[i].svm, v);
	run_msg_phase(run);

	for (uint32_t i = 0; i < run->opt.vms; i++)
		snapshot_calls(&run->vms[i]);
	check_sp_accounting(run);
	run_notif_check(run);
	run_msg_check(run);
	check_memory_rounds(run);
	if (run->trace) {
		ffamed_set_tracer(ffamed_sim_mediator(run->sim), NULL);
		ffamed_spmc_set_tracer(ffamed_sim_spmc(run->sim), NULL);
		write_traces(run);
		ffamed_trace_destroy(run->trace);
		run->trace = NULL;
	}

	ffamed_sim_shutdown(run->sim, &run->sys.leaks);
	for (uint32_t i = 0; i < run->opt.vms; i++) {
		run->vms[i].svm = NULL;
		pthread_barrier_destroy(&run->vms[i].done);
		pthread_cond_destroy(&run->vms[i].mem_box.cond);
		pthread_mutex_destroy(&run->vms[i].mem_box.lock);
	}
	check_teardown(run);
	run->wall_seconds = now_seconds() - t0;

	if (run->opt.json)
		run_report_json(run);
	else
		run_report_text(run);

	unexpected = run_unexpected_total(run);
	ffamed_sim_destroy(run->sim);
	free(vcpus);
	free(run->vms);
	run->vms = NULL;
	return unexpected ? 1 : 0;
}

int cmd_sim(int argc, char **argv)
{
	static struct run run;
	int rc = parse_options(argc, argv, &run.opt);

	if (rc >= 0)
		return rc;
	pthread_mutex_init(&run.errors_lock, NULL);
	rc = run_sim(&run);
	pthread_mutex_destroy(&run.errors_lock);
	return rc;
}
