/* SPDX-License-Identifier: MIT */
/* `ffamed bench`: options, then the harness in bench/. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "ffamed_tool.h"

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
		"  --cases PAT     only the cases whose name contains PAT\n"
		"  --repeats N     timed repeats per path (default %u)\n"
		"  --iters N       calls per repeat (default %u)\n"
		"  --callgrind     under valgrind --tool=callgrind --collect-atstart=no:\n"
		"                  one stats dump per case and path (scripts/bench-callgrind.sh)\n"
		"  --help          this text\n"
		"\n"
		"Exit status 0 when every call answered as expected.\n",
		DEFAULT_REPEATS, DEFAULT_ITERS);
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

int cmd_bench(int argc, char **argv)
{
	struct bench_opts o = {0};
	bool iters_set = false, repeats_set = false;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			bench_usage(stdout);
			return 0;
		} else if (strcmp(a, "--quick") == 0) {
			o.quick = true;
		} else if (strcmp(a, "--json") == 0) {
			o.json = true;
		} else if (strcmp(a, "--callgrind") == 0) {
			o.callgrind = true;
		} else if (strcmp(a, "--cases") == 0) {
			if (!v)
				goto bad_value;
			o.pattern = v;
			i++;
		} else if (strcmp(a, "--repeats") == 0) {
			if (!parse_u32(v, 1, MAX_REPEATS, &o.repeats))
				goto bad_value;
			repeats_set = true;
			i++;
		} else if (strcmp(a, "--iters") == 0) {
			if (!parse_u32(v, 1, MAX_ITERS, &o.iters))
				goto bad_value;
			iters_set = true;
			i++;
		} else {
			fprintf(stderr, "ffamed bench: unknown option '%s'\n", a);
			bench_usage(stderr);
			return 2;
		}
		continue;
	bad_value:
		fprintf(stderr, "ffamed bench: bad value for %s\n", a);
		return 2;
	}
	if (!iters_set)
		o.iters = o.quick ? QUICK_ITERS : DEFAULT_ITERS;
	if (!repeats_set)
		o.repeats = o.quick ? QUICK_REPEATS : DEFAULT_REPEATS;
	return bench_run(&o);
}
