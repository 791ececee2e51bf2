/* SPDX-License-Identifier: MIT */
/*
 * `ffamed sim`: build the default simulated system (or a bigger one), run
 * the guest program on every vCPU of every VM, check the system-level
 * accounting (SP counters, VM announcements, leaks) and report. Exits 0
 * only if nothing unexpected happened.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ffamed_tool.h"
#include "tool_cli.h"
#include "tool_clock.h"
#include "workload.h"

#define DEFAULT_VMS	      2u
#define DEFAULT_VCPUS	      2u
#define DEFAULT_ITERATIONS    10u
#define MAX_ITERATIONS	      1000000u
#define DEFAULT_MERMAID_CALLS 40u
#define MAX_MERMAID_CALLS     100000u
#define TRACE_PER_THREAD      (1u << 16) /* events kept per vCPU thread */
#define DEFAULT_TRACE_MAX     (64ull << 20)
#define MIN_TRACE_MAX	      (4ull << 10)
#define MAX_TRACE_MAX	      (16ull << 30)
/* The simulated machine's CPUs, less those the host's own threads hold. */
#define MAX_VCPUS (FFAMED_SIM_MAX_CPUS - 4u)

static void sim_usage(FILE *out)
{
	fprintf(out,
		"usage: ffamed sim [--json] [--vms N] [--vcpus N] [--iterations N] [--seed N]\n"
		"                  [--trace FILE] [--trace-max SIZE] [--mermaid FILE]\n"
		"                  [--mermaid-calls N]\n"
		"\n"
		"Runs a simulated system: --vms VMs (IDs 1..N) of --vcpus vCPU threads, the\n"
		"ffamed mediator, and a software SPMC with four SPs: ECHO (0x8001),\n"
		"VMWATCH (0x8002), OP-TEE (0x8003) and MEMSP (0x8004, a memory\n"
		"borrower). VM 1 negotiates FF-A 1.2, VM 2 1.1, further VMs cycle 1.0,\n"
		"1.1, 1.2. VMs see each other (VM-to-VM on). Every vCPU negotiates, maps\n"
		"the VM's RX/TX pair (vCPU 0), asks FEATURES, then each iteration:\n"
		"  - partition discovery, direct requests to ECHO and OP-TEE, the\n"
		"    refusals the ABI demands (first iteration);\n"
		"  - memory: shares (even iterations) or lends (odd) 6 pages to MEMSP,\n"
		"    which retrieves, checks, writes and relinquishes them; vCPU 0 of\n"
		"    VM 1 does the same with VM 2, VM 3 with VM 4, and so on;\n"
		"then, VMs of v1.1 and later: notifications SP->VM, VM->VM and VM->SP (up\n"
		"to 50 rounds), and, paired, those with 2+ vCPUs: direct requests\n"
		"between VMs, FFA_MSG_SEND2 ping-pong, SP->VM and VM->SP->VM SEND2 (up\n"
		"to 20 rounds). Every answer is checked; SP counters, VM announcements\n"
		"and leaks are checked at the end. Every report field is explained in\n"
		"docs/SIM.md.\n"
		"\n"
		"  --vms N           VMs, 1..%u (default %u)\n"
		"  --vcpus N         vCPUs per VM, 1..%u (default %u)\n"
		"  --iterations N    rounds per vCPU, 0..%u (default %u)\n"
		"  --seed N          guest page scatter and payload seed (default 0)\n"
		"  --json            print the report as JSON\n"
		"  --trace FILE      record every mediated call and SP run; write a\n"
		"                    Chrome/Perfetto trace (JSON: a track per vCPU and per\n"
		"                    SP context; open it at ui.perfetto.dev)\n"
		"  --trace-max SIZE  largest trace file, e.g. 512K, 64M, 2G (default 64M);\n"
		"                    later events are left out, and the run says how many\n"
		"  --mermaid FILE    a Mermaid sequence diagram of the first calls: FILE.mmd\n"
		"                    gets the diagram, FILE.md the diagram in a ```mermaid\n"
		"                    block (renders on GitHub and GitLab)\n"
		"  --mermaid-calls N calls in the diagram, 1..%u (default %u)\n"
		"  --help            this text\n"
		"\n"
		"At most %u vCPUs in all (VMs x vCPUs): the simulated machine has %u CPUs,\n"
		"%u kept for the host's own threads.\n"
		"Environment: FFAMED_LOG=error|warn|info|debug, the log level (warn).\n"
		"Exit status: 0 nothing unexpected, 1 something unexpected, 2 a usage\n"
		"error (nothing run).\n",
		MAX_VCPUS, DEFAULT_VMS, MAX_VCPUS, DEFAULT_VCPUS, MAX_ITERATIONS,
		DEFAULT_ITERATIONS, MAX_MERMAID_CALLS, DEFAULT_MERMAID_CALLS, MAX_VCPUS,
		FFAMED_SIM_MAX_CPUS, 4u);
}

static int parse_options(int argc, char **argv, struct workload_options *opt)
{
	uint32_t vcpus = DEFAULT_VCPUS;
	const struct tool_opt opts[] = {
		{"json", 0, TOOL_OPT_FLAG, &opt->json, 0, 0, NULL},
		{"vms", 0, TOOL_OPT_U32, &opt->vms, 1, MAX_VCPUS, NULL},
		{"vcpus", 0, TOOL_OPT_U32, &vcpus, 1, MAX_VCPUS, NULL},
		{"iterations", 0, TOOL_OPT_U32, &opt->iterations, 0, MAX_ITERATIONS, NULL},
		{"seed", 0, TOOL_OPT_U32, &opt->seed, 0, UINT32_MAX, NULL},
		{"trace", 0, TOOL_OPT_OUT_FILE, &opt->trace_path, 0, 0, NULL},
		{"trace-max", 0, TOOL_OPT_SIZE, &opt->trace_max_bytes, MIN_TRACE_MAX, MAX_TRACE_MAX,
		 NULL},
		{"mermaid", 0, TOOL_OPT_OUT_FILE, &opt->mermaid_path, 0, 0, NULL},
		{"mermaid-calls", 0, TOOL_OPT_U32, &opt->mermaid_calls, 1, MAX_MERMAID_CALLS, NULL},
	};
	struct tool_cli cli = {
		.cmd = "ffamed sim",
		.opts = opts,
		.count = sizeof(opts) / sizeof(opts[0]),
		.usage = sim_usage,
	};
	int rc;

	memset(opt, 0, sizeof(*opt));
	opt->vms = DEFAULT_VMS;
	opt->iterations = DEFAULT_ITERATIONS;
	opt->mermaid_calls = DEFAULT_MERMAID_CALLS;
	opt->trace_max_bytes = DEFAULT_TRACE_MAX;
	rc = tool_cli_parse(&cli, argc, argv);
	if (rc >= 0)
		return rc;
	opt->vcpus = (uint16_t)vcpus;
	if ((uint64_t)opt->vms * opt->vcpus > MAX_VCPUS)
		return tool_cli_error(
			&cli,
			"--vms %u x --vcpus %u is %u vCPUs: at most %u (the simulated "
			"machine has %u CPUs, %u kept for the host's threads)",
			opt->vms, vcpus, opt->vms * vcpus, MAX_VCPUS, FFAMED_SIM_MAX_CPUS, 4u);
	if (opt->mermaid_path && !tool_has_ext(opt->mermaid_path, ".mmd") &&
	    !tool_has_ext(opt->mermaid_path, ".md"))
		return tool_cli_error(&cli,
				      "--mermaid: '%s' must end in .mmd (the bare diagram) or .md "
				      "(the diagram in a ```mermaid block)",
				      opt->mermaid_path);
	if (opt->trace_path && opt->mermaid_path && strcmp(opt->trace_path, opt->mermaid_path) == 0)
		return tool_cli_error(&cli, "--trace and --mermaid name the same file '%s'",
				      opt->trace_path);
	return -1;
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

/* Counters of the guest conduit, kept before the VM goes away. */
static void snapshot_calls(struct workload_vm *vm)
{
	for (uint32_t width = 0; width < 2; width++) {
		for (uint32_t fnum = FFA_FNUM_MIN; fnum <= FFA_FNUM_MAX; fnum++) {
			uint32_t fid = width ? FFA_SMC64(fnum) : FFA_SMC32(fnum);
			uint64_t n = ffamed_sim_vm_call_count(vm->svm, fid);
			uint64_t busy =
				ffamed_sim_vm_call_count_of(vm->svm, fid, FFAMED_SIM_CALLS_BUSY);
			uint64_t irq = ffamed_sim_vm_call_count_of(vm->svm, fid,
								   FFAMED_SIM_CALLS_ON_INTERRUPT);

			if (!n)
				continue;
			/* A BUSY answer to a handler's call counts once, as BUSY. */
			if (busy + irq > n)
				irq = n - busy;
			vm->calls_total += n - busy - irq;
			vm->busy_total += busy;
			vm->on_interrupt_total += irq;
			if (vm->call_kinds < WORKLOAD_MAX_CALLS) {
				vm->calls[vm->call_kinds] = (struct workload_call_count){
					.fid = fid,
					.count = n - busy - irq,
					.busy = busy,
					.on_interrupt = irq,
				};
				vm->call_kinds++;
			}
		}
	}
	vm->calls_total += ffamed_sim_vm_call_count(vm->svm, 0);
}

static bool start_vcpus(struct workload *run, struct workload_vcpu *vcpus)
{
	uint32_t k = 0;

	for (uint32_t i = 0; i < run->opt.vms; i++) {
		for (uint16_t v = 0; v < run->opt.vcpus; v++, k++) {
			vcpus[k].vm = &run->vms[i];
			vcpus[k].index = v;
			if (ffamed_sim_vcpu_start(run->vms[i].svm, v, workload_vcpu_main,
						  &vcpus[k]) != FFA_RET_OK)
				return false;
		}
	}
	return true;
}

/* The SPs' own counters must agree with what the guests counted. */
static void check_sp_accounting(struct workload *run)
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
	workload_expect(run, "ECHO responses vs answers the guests got", run->sys.echo_responses,
			answers);
	workload_expect(run, "ECHO resumptions vs FFA_RUN calls of the guests",
			run->sys.echo_resumes, resumes);
	workload_expect(run, "ECHO requests still in flight",
			atomic_load(&echo->requests) - run->sys.echo_responses, 0);
	workload_expect(run, "OP-TEE GET_API_VERSION calls",
			atomic_load(&optee->calls[FFAMED_OPTEE_GET_API_VERSION]), guest_rounds);
	workload_expect(run, "OP-TEE GET_OS_VERSION calls",
			atomic_load(&optee->calls[FFAMED_OPTEE_GET_OS_VERSION]), guest_rounds);
	workload_expect(run, "OP-TEE calls in all", run->sys.optee_calls, 2 * guest_rounds);
}

static void check_vmwatch_live(struct workload *run)
{
	struct ffamed_sp_vmwatch *w = ffamed_sim_vmwatch(run->sim);

	run->sys.vmwatch_live_during = ffamed_sp_vmwatch_live_count(w);
	workload_expect(run, "VMWATCH live VMs while running", run->sys.vmwatch_live_during,
			run->opt.vms);
	for (uint32_t i = 0; i < run->opt.vms; i++)
		if (!ffamed_sp_vmwatch_is_live(w, run->vms[i].id))
			workload_unexpected(run, NULL, "system: VMWATCH was not told of VM %u",
					    (unsigned)run->vms[i].id);
	workload_expect(run, "VMWATCH VM_CREATED messages", ffamed_sp_vmwatch_created_msgs(w),
			run->opt.vms);
}

static void check_teardown(struct workload *run)
{
	struct ffamed_sp_vmwatch *w = ffamed_sim_vmwatch(run->sim);
	const struct ffamed_sim_leaks *l = &run->sys.leaks;

	run->sys.vmwatch_created = ffamed_sp_vmwatch_created_msgs(w);
	run->sys.vmwatch_destroyed = ffamed_sp_vmwatch_destroyed_msgs(w);
	run->sys.vmwatch_live_after = ffamed_sp_vmwatch_live_count(w);
	run->sys.vmwatch_duplicates = atomic_load(&w->duplicate_created);
	run->sys.vmwatch_unknown = atomic_load(&w->unknown_destroyed);
	workload_expect(run, "VMWATCH VM_DESTROYED messages", run->sys.vmwatch_destroyed,
			run->opt.vms);
	workload_expect(run, "VMWATCH live VMs after teardown", run->sys.vmwatch_live_after, 0);
	workload_expect(run, "VMWATCH duplicate VM_CREATED", run->sys.vmwatch_duplicates, 0);
	workload_expect(run, "VMWATCH VM_DESTROYED of unknown VMs", run->sys.vmwatch_unknown, 0);
	workload_expect(run, "guest pages still pinned", l->pinned_pages, 0);
	workload_expect(run, "mediator allocations live", l->live_allocs, 0);
	workload_expect(run, "SPMC allocations live", l->spmc_live_allocs, 0);
	workload_expect(run, "hypervisor mappings live", l->mapped_pages, 0);
	workload_expect(run, "host VM objects live", l->live_vms, 0);
	workload_expect(run, "port contract violations", l->port_errors, 0);
}

static void write_chrome(struct workload *run, const struct ffamed_trace_event *ev, size_t n)
{
	const char *path = run->opt.trace_path;
	size_t written = 0;
	FILE *f = fopen(path, "w");

	if (!f ||
	    ffamed_trace_write_chrome_max(f, ev, n, run->opt.trace_max_bytes, &written) != 0) {
		workload_unexpected(run, NULL, "system: cannot write %s", path);
		if (f)
			fclose(f);
		return;
	}
	if (fclose(f)) {
		workload_unexpected(run, NULL, "system: cannot write %s", path);
		return;
	}
	if (written < n)
		fprintf(stderr,
			"ffamed sim: --trace: %s reached --trace-max (%llu bytes): %zu of %zu "
			"events written, the rest left out\n",
			path, (unsigned long long)run->opt.trace_max_bytes, written, n);
}

static void write_mermaid(struct workload *run, const struct ffamed_trace_event *ev, size_t n)
{
	const char *path = run->opt.mermaid_path;
	/* Markdown renders a diagram only inside a mermaid code block. */
	bool fenced = tool_has_ext(path, ".md");
	FILE *f = fopen(path, "w");
	int rc;

	if (!f) {
		workload_unexpected(run, NULL, "system: cannot write %s", path);
		return;
	}
	if (fenced)
		fprintf(f, "```mermaid\n");
	rc = ffamed_trace_write_mermaid(f, ev, n, run->opt.mermaid_calls);
	if (fenced)
		fprintf(f, "```\n");
	if (rc || ferror(f) || fclose(f))
		workload_unexpected(run, NULL, "system: cannot write %s", path);
}

/* The vCPU threads are joined: their buffers are complete. */
static void write_traces(struct workload *run)
{
	size_t n;
	struct ffamed_trace_event *ev = ffamed_trace_events(run->trace, &n);

	if (ffamed_trace_dropped(run->trace))
		fprintf(stderr,
			"ffamed sim: trace: %llu events left out (more than %u in one vCPU "
			"thread)\n",
			(unsigned long long)ffamed_trace_dropped(run->trace), TRACE_PER_THREAD);
	if (run->opt.trace_path)
		write_chrome(run, ev, n);
	if (run->opt.mermaid_path)
		write_mermaid(run, ev, n);
	free(ev);
}

/* Every vCPU did a round with MEMSP per iteration, and each VM pair one
 * VM-to-VM round (tools/sim/workload_memory.c). */
static void check_memory_rounds(struct workload *run)
{
	uint64_t sp = 0, vm = 0;

	for (uint32_t i = 0; i < run->opt.vms; i++) {
		sp += atomic_load(&run->vms[i].mem_sp_rounds);
		vm += atomic_load(&run->vms[i].mem_vm_rounds);
	}
	for (uint32_t i = 0; i < run->opt.vms; i++)
		sp += atomic_load(&run->vms[i].memsp_refusals);
	/* A round MEMSP refused at its limit counts as done. */
	workload_expect(run, "memory rounds with MEMSP (done or refused at its limit)", sp,
			(uint64_t)run->opt.vms * run->opt.vcpus * run->opt.iterations);
	workload_expect(run, "memory rounds between VMs", vm,
			(uint64_t)(run->opt.vms / 2) * run->opt.iterations);
	/* Every guest reclaimed what it sent before powering off. */
	{
		struct ffamed_mem_stats st;

		ffamed_get_mem_stats(ffamed_sim_mediator(run->sim), &st);
		workload_expect(run, "memory transactions left", st.transactions, 0);
		workload_expect(run, "guest pages held by memory transactions", st.pages, 0);
	}
}

static int cmd_sim_run(struct workload *run)
{
	struct ffamed_sim_config cfg;
	struct workload_vcpu *vcpus;
	uint64_t t0 = tool_now_ns();
	uint64_t unexpected;
	int32_t ret;

	ffamed_sim_default_config(&cfg);
	cfg.vm_count = run->opt.vms;
	cfg.vcpus_per_vm = run->opt.vcpus;
	cfg.seed = run->opt.seed;
	/* Room for the memory rounds of every vCPU. */
	cfg.ram_pages_per_vm = workload_memory_ram_pages(run->opt.vcpus);
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
	workload_expect(run, "firmware version seen by the mediator", run->sys.fw.version,
			FFA_VERSION_1_2);
	workload_expect(run, "SPs cached by the mediator", run->sys.fw.sp_count,
			FFAMED_SIM_SP_COUNT);

	run->vms = calloc(run->opt.vms, sizeof(*run->vms));
	vcpus = calloc((size_t)run->opt.vms * run->opt.vcpus, sizeof(*vcpus));
	if (!run->vms || !vcpus) {
		fprintf(stderr, "ffamed sim: out of memory\n");
		exit(1);
	}
	for (uint32_t i = 0; i < run->opt.vms; i++) {
		struct workload_vm *vm = &run->vms[i];

		vm->run = run;
		vm->svm = ffamed_sim_vm_at(run->sim, i);
		vm->id = ffamed_sim_vm_id(vm->svm);
		vm->vcpus = run->opt.vcpus;
		vm->version_asked = version_for(vm->id);
		pthread_mutex_init(&vm->mem_box.lock, NULL);
		pthread_cond_init(&vm->mem_box.cond, NULL);
		vm->mem_box.offered = UINT32_MAX;
		vm->mem_box.done = UINT32_MAX;
		pthread_barrier_init(&vm->done, NULL, vm->vcpus);
	}
	pthread_barrier_init(&run->all_set_up, NULL, run->opt.vms * run->opt.vcpus);
	check_vmwatch_live(run);
	workload_notif_plan(run);

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
	pthread_barrier_destroy(&run->all_set_up);
	workload_msg_phase(run);

	for (uint32_t i = 0; i < run->opt.vms; i++)
		snapshot_calls(&run->vms[i]);
	check_sp_accounting(run);
	workload_notif_check(run);
	workload_msg_check(run);
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
	run->wall_seconds = (double)(tool_now_ns() - t0) / 1e9;

	if (run->opt.json)
		workload_report_json(run);
	else
		workload_report_text(run);

	unexpected = workload_unexpected_total(run);
	ffamed_sim_destroy(run->sim);
	free(vcpus);
	free(run->vms);
	run->vms = NULL;
	return unexpected ? 1 : 0;
}

int cmd_sim(int argc, char **argv)
{
	static struct workload run;
	int rc = parse_options(argc, argv, &run.opt);

	if (rc >= 0)
		return rc;
	pthread_mutex_init(&run.errors_lock, NULL);
	sem_init(&run.memsp_slots, 0, FFAMED_MEMSP_MAX_REGIONS);
	rc = cmd_sim_run(&run);
	sem_destroy(&run.memsp_slots);
	pthread_mutex_destroy(&run.errors_lock);
	return rc;
}
