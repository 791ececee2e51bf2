/* SPDX-License-Identifier: MIT */
/* `ffamed sim` reports: a readable summary, or the same as JSON. */
#include <stdio.h>

#include "workload.h"

/* A notification counter of the run, for printing. */
#define N(field) ((unsigned long long)atomic_load(&run->notif.field))
#define M(field) ((unsigned long long)atomic_load(&run->msg.field))

static void version_str(uint32_t v, char *buf, size_t len)
{
	if (v)
		snprintf(buf, len, "%u.%u", FFA_VERSION_MAJOR(v), FFA_VERSION_MINOR(v));
	else
		snprintf(buf, len, "none");
}

static void uuid_str(const struct ffa_uuid *u, char *buf, size_t len)
{
	const uint8_t *b = u->b;

	snprintf(buf, len, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12],
		 b[13], b[14], b[15]);
}

static const char *fid_name(uint32_t fid, char *buf, size_t len)
{
	const char *name = ffamed_sim_fid_name(fid);

	if (name)
		return name;
	snprintf(buf, len, "0x%08x", fid);
	return buf;
}

static void text_vm(const struct workload_vm *vm)
{
	char asked[16], got[16], uuid[40], fb[16];

	version_str(vm->version_asked, asked, sizeof(asked));
	version_str(vm->version, got, sizeof(got));
	printf("VM %u: FF-A %s (asked %s), %u vCPUs\n", (unsigned)vm->id, got, asked,
	       (unsigned)vm->vcpus);
	printf("  partitions seen (vCPU 0, PARTITION_INFO_GET):\n");
	printf("    %-8s %4s  %-10s  %s\n", "ID", "ctx", "properties", "UUID");
	for (uint32_t i = 0; i < vm->part_count; i++) {
		const struct ffac_partition *p = &vm->parts[i];

		uuid_str(&p->uuid, uuid, sizeof(uuid));
		printf("    0x%04x   %4u  0x%08x  %s\n", (unsigned)p->id,
		       (unsigned)p->exec_ctx_count, p->properties, uuid);
	}
	printf("  calls at the guest conduit (%llu, and %llu timing-dependent):\n",
	       (unsigned long long)vm->calls_total,
	       (unsigned long long)vm->busy_total + (unsigned long long)vm->on_interrupt_total);
	printf("    %-32s %8s %8s %8s\n", "function", "calls", "BUSY", "on NPI");
	for (uint32_t i = 0; i < vm->call_kinds; i++)
		printf("    %-32s %8llu %8llu %8llu\n", fid_name(vm->calls[i].fid, fb, sizeof(fb)),
		       (unsigned long long)vm->calls[i].count,
		       (unsigned long long)vm->calls[i].busy,
		       (unsigned long long)vm->calls[i].on_interrupt);
	printf("  memory: %llu rounds with MEMSP (%llu refused at its limit), %llu with a VM\n",
	       (unsigned long long)atomic_load(&vm->mem_sp_rounds),
	       (unsigned long long)atomic_load(&vm->memsp_refusals),
	       (unsigned long long)atomic_load(&vm->mem_vm_rounds));
	printf("  results: %llu checks passed, %llu expected refusals, %llu unexpected\n",
	       (unsigned long long)(atomic_load(&vm->checks) -
				    atomic_load(&vm->checks_on_interrupt)),
	       (unsigned long long)atomic_load(&vm->expected_refusals),
	       (unsigned long long)atomic_load(&vm->unexpected));
	printf("  timing-dependent: %llu checks in NPI handlers\n",
	       (unsigned long long)atomic_load(&vm->checks_on_interrupt));
}

void workload_report_text(const struct workload *run)
{
	const struct workload_system *s = &run->sys;
	const struct ffamed_sim_leaks *l = &s->leaks;
	uint64_t unexpected = workload_unexpected_total(run);
	char fw[16];

	version_str(s->fw.version, fw, sizeof(fw));
	printf("ffamed sim: %u VMs x %u vCPUs, %u SPs, %u CPUs, %u iterations, seed %u\n",
	       run->opt.vms, (unsigned)run->opt.vcpus, FFAMED_SIM_SP_COUNT, run->cpu_count,
	       run->opt.iterations, run->opt.seed);
	printf("firmware: SPMC FF-A %s, ID 0x%04x, %u SPs cached by the mediator\n\n", fw,
	       (unsigned)s->fw.spmc_id, s->fw.sp_count);
	for (uint32_t i = 0; i < run->opt.vms; i++) {
		text_vm(&run->vms[i]);
		printf("\n");
	}
	printf("system:\n");
	printf("  ECHO SP: %llu responses, %llu resumptions; OP-TEE SP: %llu calls\n",
	       (unsigned long long)s->echo_responses, (unsigned long long)s->echo_resumes,
	       (unsigned long long)s->optee_calls);
	printf("  notifications (sent/delivered): SP->VM %llu/%llu, VM->VM %llu/%llu, "
	       "VM->SP %llu/%llu; %llu NPIs taken, %llu empty GETs\n",
	       N(sp_to_vm_sent), N(sp_to_vm_delivered), N(vm_to_vm_sent), N(vm_to_vm_delivered),
	       N(vm_to_sp_sent), N(vm_to_sp_delivered), N(npis), N(empty_gets));
	printf("  messages (sent/delivered, %u VM pairs): VM->VM direct %llu/%llu, "
	       "VM<->VM SEND2 %llu/%llu, SP->VM SEND2 %llu/%llu, VM->SP->VM SEND2 %llu/%llu\n",
	       run->msg.pairs, M(direct_sent), M(direct_answered), M(indirect_sent),
	       M(indirect_delivered), M(sp_to_vm_sent), M(sp_to_vm_delivered), M(vm_to_sp_sent),
	       M(vm_to_sp_delivered));
	printf("  VMWATCH SP: %llu VM_CREATED (%u VMs live while running), %llu VM_DESTROYED, "
	       "%u live after teardown\n",
	       (unsigned long long)s->vmwatch_created, s->vmwatch_live_during,
	       (unsigned long long)s->vmwatch_destroyed, s->vmwatch_live_after);
	printf("  after teardown: %zu pinned guest pages, %zu mediator allocations, %zu SPMC "
	       "allocations, %zu mapped pages, %zu host VMs, %zu port errors\n",
	       l->pinned_pages, l->live_allocs, l->spmc_live_allocs, l->mapped_pages, l->live_vms,
	       l->port_errors);
	printf("  wall time: %.3f s\n", run->wall_seconds);
	if (run->error_count) {
		printf("\nunexpected results (%u, first %u shown):\n", run->error_count,
		       run->error_count < WORKLOAD_MAX_ERRORS ? run->error_count
							      : WORKLOAD_MAX_ERRORS);
		for (uint32_t i = 0; i < run->error_count && i < WORKLOAD_MAX_ERRORS; i++)
			printf("  %s\n", run->errors[i]);
	}
	printf("\nresult: %s (%llu unexpected)\n", unexpected ? "FAILED" : "OK",
	       (unsigned long long)unexpected);
}

/* A JSON string: our strings need only quotes and backslashes escaped. */
static void json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			putchar('\\');
		if ((unsigned char)*s < 0x20)
			printf("\\u%04x", (unsigned)(unsigned char)*s);
		else
			putchar(*s);
	}
	putchar('"');
}

static void json_vm(const struct workload_vm *vm)
{
	char asked[16], got[16], uuid[40], fb[16];

	version_str(vm->version_asked, asked, sizeof(asked));
	version_str(vm->version, got, sizeof(got));
	printf("    {\"id\": %u, \"vcpus\": %u, \"version_asked\": \"%s\", \"version\": \"%s\",\n",
	       (unsigned)vm->id, (unsigned)vm->vcpus, asked, got);
	printf("     \"partitions\": [");
	for (uint32_t i = 0; i < vm->part_count; i++) {
		const struct ffac_partition *p = &vm->parts[i];

		uuid_str(&p->uuid, uuid, sizeof(uuid));
		printf("%s\n       {\"id\": %u, \"exec_ctx_count\": %u, \"properties\": %u, "
		       "\"uuid\": \"%s\"}",
		       i ? "," : "", (unsigned)p->id, (unsigned)p->exec_ctx_count, p->properties,
		       uuid);
	}
	printf("],\n     \"calls_total\": %llu, \"calls_busy\": %llu, \"calls_on_npi\": %llu, "
	       "\"calls\": {",
	       (unsigned long long)vm->calls_total, (unsigned long long)vm->busy_total,
	       (unsigned long long)vm->on_interrupt_total);
	for (uint32_t i = 0; i < vm->call_kinds; i++) {
		printf("%s\n       ", i ? "," : "");
		json_str(fid_name(vm->calls[i].fid, fb, sizeof(fb)));
		printf(": {\"calls\": %llu, \"busy\": %llu, \"on_npi\": %llu}",
		       (unsigned long long)vm->calls[i].count,
		       (unsigned long long)vm->calls[i].busy,
		       (unsigned long long)vm->calls[i].on_interrupt);
	}
	printf("},\n     \"mem_sp_rounds\": %llu, \"memsp_refusals\": %llu, "
	       "\"mem_vm_rounds\": %llu,",
	       (unsigned long long)atomic_load(&vm->mem_sp_rounds),
	       (unsigned long long)atomic_load(&vm->memsp_refusals),
	       (unsigned long long)atomic_load(&vm->mem_vm_rounds));
	printf("\n     \"checks_passed\": %llu, \"checks_on_npi\": %llu, "
	       "\"expected_refusals\": %llu, \"unexpected\": %llu}",
	       (unsigned long long)(atomic_load(&vm->checks) -
				    atomic_load(&vm->checks_on_interrupt)),
	       (unsigned long long)atomic_load(&vm->checks_on_interrupt),
	       (unsigned long long)atomic_load(&vm->expected_refusals),
	       (unsigned long long)atomic_load(&vm->unexpected));
}

void workload_report_json(const struct workload *run)
{
	const struct workload_system *s = &run->sys;
	const struct ffamed_sim_leaks *l = &s->leaks;
	uint64_t unexpected = workload_unexpected_total(run);
	char fw[16];

	version_str(s->fw.version, fw, sizeof(fw));
	printf("{\n  \"config\": {\"vms\": %u, \"vcpus\": %u, \"cpus\": %u, \"sps\": %u, "
	       "\"iterations\": %u, \"seed\": %u},\n",
	       run->opt.vms, (unsigned)run->opt.vcpus, run->cpu_count, FFAMED_SIM_SP_COUNT,
	       run->opt.iterations, run->opt.seed);
	printf("  \"firmware\": {\"version\": \"%s\", \"spmc_id\": %u, \"sp_count\": %u},\n", fw,
	       (unsigned)s->fw.spmc_id, s->fw.sp_count);
	printf("  \"vms\": [\n");
	for (uint32_t i = 0; i < run->opt.vms; i++) {
		json_vm(&run->vms[i]);
		printf("%s\n", i + 1 < run->opt.vms ? "," : "");
	}
	printf("  ],\n  \"system\": {\"echo_responses\": %llu, \"echo_resumes\": %llu, "
	       "\"optee_calls\": %llu,\n",
	       (unsigned long long)s->echo_responses, (unsigned long long)s->echo_resumes,
	       (unsigned long long)s->optee_calls);
	printf("    \"notifications\": {\"sp_to_vm\": {\"sent\": %llu, \"delivered\": %llu}, "
	       "\"vm_to_vm\": {\"sent\": %llu, \"delivered\": %llu}, "
	       "\"vm_to_sp\": {\"sent\": %llu, \"delivered\": %llu}, \"npis\": %llu, "
	       "\"empty_gets\": %llu},\n",
	       N(sp_to_vm_sent), N(sp_to_vm_delivered), N(vm_to_vm_sent), N(vm_to_vm_delivered),
	       N(vm_to_sp_sent), N(vm_to_sp_delivered), N(npis), N(empty_gets));
	printf("    \"messages\": {\"pairs\": %u, \"vm_direct\": {\"sent\": %llu, "
	       "\"delivered\": %llu}, \"vm_send2\": {\"sent\": %llu, \"delivered\": %llu}, "
	       "\"sp_to_vm\": {\"sent\": %llu, \"delivered\": %llu}, "
	       "\"vm_to_sp_to_vm\": {\"sent\": %llu, \"delivered\": %llu}},\n",
	       run->msg.pairs, M(direct_sent), M(direct_answered), M(indirect_sent),
	       M(indirect_delivered), M(sp_to_vm_sent), M(sp_to_vm_delivered), M(vm_to_sp_sent),
	       M(vm_to_sp_delivered));
	printf("    \"vmwatch\": {\"created\": %llu, \"live_during\": %u, \"destroyed\": %llu, "
	       "\"live_after\": %u, \"duplicate_created\": %llu, \"unknown_destroyed\": %llu},\n",
	       (unsigned long long)s->vmwatch_created, s->vmwatch_live_during,
	       (unsigned long long)s->vmwatch_destroyed, s->vmwatch_live_after,
	       (unsigned long long)s->vmwatch_duplicates, (unsigned long long)s->vmwatch_unknown);
	printf("    \"leaks\": {\"pinned_pages\": %zu, \"mediator_allocs\": %zu, "
	       "\"spmc_allocs\": %zu, \"mapped_pages\": %zu, \"host_vms\": %zu, "
	       "\"port_errors\": %zu}},\n",
	       l->pinned_pages, l->live_allocs, l->spmc_live_allocs, l->mapped_pages, l->live_vms,
	       l->port_errors);
	printf("  \"unexpected\": %llu,\n  \"errors\": [", (unsigned long long)unexpected);
	for (uint32_t i = 0; i < run->error_count && i < WORKLOAD_MAX_ERRORS; i++) {
		printf("%s\n    ", i ? "," : "");
		json_str(run->errors[i]);
	}
	printf("%s],\n  \"wall_time_s\": %.3f,\n  \"ok\": %s\n}\n", run->error_count ? "\n  " : "",
	       run->wall_seconds, unexpected ? "false" : "true");
}
