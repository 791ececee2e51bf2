/* SPDX-License-Identifier: MIT */
/* The ffamed command: dispatches to its subcommands. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ffamed/port_posix.h"
#include "ffamed/version.h"
#include "ffamed_tool.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: ffamed <command> [options]\n"
		"\n"
		"commands:\n"
		"  sim     run a simulated system (VMs, the mediator, a software SPMC\n"
		"          with four SPs: ECHO, VMWATCH, OP-TEE and MEMSP) and check\n"
		"          every answer\n"
		"  bench   measure the mediator's cost per call against the same call\n"
		"          made straight into the software SPMC\n"
		"  script  run text files of FF-A calls against a simulated system and\n"
		"          check the expected registers and buffer bytes\n"
		"\n"
		"  ffamed <command> --help   options of a command\n"
		"  ffamed --help             this text\n"
		"\n"
		"environment:\n"
		"  FFAMED_LOG  the most verbose log level shown on stderr: " FFAMED_POSIX_LOG_LEVELS
		"\n"
		"              (default warn); lines read \"[level] component: message\"\n"
		"\n"
		"  ffamed --version          the library version\n"
		"\n"
		"Exit status: 0 success, 1 something unexpected, 2 a usage error.\n");
}

int main(int argc, char **argv)
{
	const char *log;

	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("ffamed %s\n", ffamed_version());
		return 0;
	}
	log = getenv("FFAMED_LOG");
	if (log && ffamed_posix_log_level(log) < 0) {
		fprintf(stderr,
			"ffamed: FFAMED_LOG: '%s' is not a level (" FFAMED_POSIX_LOG_LEVELS ")\n",
			log);
		return 2;
	}
	if (strcmp(argv[1], "sim") == 0)
		return cmd_sim(argc - 1, argv + 1);
	if (strcmp(argv[1], "bench") == 0)
		return cmd_bench(argc - 1, argv + 1);
	if (strcmp(argv[1], "script") == 0)
		return cmd_script(argc - 1, argv + 1);
	fprintf(stderr, "ffamed: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
