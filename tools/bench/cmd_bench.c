/* SPDX-License-Identifier: MIT */
/* `ffamed bench`: options, then the harness in bench/. */
#include <stdio.h>

#include "bench.h"
#include "ffamed_tool.h"
#include "tool_cli.h"

#define DEFAULT_ITERS	5000u
#define DEFAULT_REPEATS 31u
#define QUICK_ITERS	200u
#define QUICK_REPEATS	1u
#define MAX_ITERS	100000000u
#define MAX_REPEATS	1000u

static void bench_usage(FILE *out)
{
	fprintf(out,
		"usage: ffamed bench [--quick] [--json] [--cases PATTERN] [--repeats N]\n"
		"                    [--iters N] [--callgrind]\n"
		"\n"
		"Measures what FF-A mediation costs: each ABI's common path made by a\n"
		"guest through the mediator (ffamed_handle_call) and the same operation\n"
		"made straight into a software SPMC (ffamed_spmc_call, as a hypervisor\n"
		"without a mediator); wall time per call (median of repeats), user-space\n"
		"instructions per call (CPU counter, when the kernel allows it), scaling\n"
		"from 1 to 2 vCPU threads of different VMs, and bytes per VM context.\n"
		"\n"
		"  --quick         few iterations, one repeat (CI smoke: no timing claims)\n"
		"  --json          JSON instead of the table (scripts/plot-bench.py reads it)\n"
		"  --cases PAT     only the cases whose name contains PAT (an error if\n"
		"                  none does)\n"
		"  --repeats N     timed repeats per path, 1..%u (default %u)\n"
		"  --iters N       calls per repeat, 1..%u (default %u)\n"
		"  --callgrind     under valgrind --tool=callgrind --collect-atstart=no:\n"
		"                  one stats dump per case and path (scripts/bench-callgrind.sh)\n"
		"  --help          this text\n"
		"\n"
		"Exit status: 0 every call answered as expected, 1 one did not, 2 a\n"
		"usage error (nothing run).\n",
		MAX_REPEATS, DEFAULT_REPEATS, MAX_ITERS, DEFAULT_ITERS);
}

int cmd_bench(int argc, char **argv)
{
	struct bench_opts o = {0};
	bool iters_set = false, repeats_set = false;
	const struct tool_opt opts[] = {
		{"quick", 0, TOOL_OPT_FLAG, &o.quick, 0, 0, NULL},
		{"json", 0, TOOL_OPT_FLAG, &o.json, 0, 0, NULL},
		{"callgrind", 0, TOOL_OPT_FLAG, &o.callgrind, 0, 0, NULL},
		{"cases", 0, TOOL_OPT_STRING, &o.pattern, 0, 0, NULL},
		{"repeats", 0, TOOL_OPT_U32, &o.repeats, 1, MAX_REPEATS, &repeats_set},
		{"iters", 0, TOOL_OPT_U32, &o.iters, 1, MAX_ITERS, &iters_set},
	};
	struct tool_cli cli = {
		.cmd = "ffamed bench",
		.opts = opts,
		.count = sizeof(opts) / sizeof(opts[0]),
		.usage = bench_usage,
	};
	int rc = tool_cli_parse(&cli, argc, argv);

	if (rc >= 0)
		return rc;
	if (o.pattern && bench_match_count(o.pattern) == 0)
		return tool_cli_error(&cli, "--cases: '%s' matches no case", o.pattern);
	if (!iters_set)
		o.iters = o.quick ? QUICK_ITERS : DEFAULT_ITERS;
	if (!repeats_set)
		o.repeats = o.quick ? QUICK_REPEATS : DEFAULT_REPEATS;
	return bench_run(&o);
}
