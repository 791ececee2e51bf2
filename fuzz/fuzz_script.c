/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness over the `ffamed script` parser, and over the runner
 * for short scripts: any text must parse or be refused with a message, and
 * a script that parses must run against a fresh system without crashing or
 * leaking (the runner's own leak check counts as a failed line, which is
 * fine; a sanitizer report is not).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "script.h"

#define FUZZ_RUN_MAX_LINES 24u
/* The runner's leak line, at the start of a line of its report (a script
 * line's text, echoed in a mismatch, never starts a report line). */
#define LEAK_REPORT "fuzz: FAIL: leaks at shutdown"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Refusals are the point here: keep the port's warnings quiet (errors,
 * which are contract violations, still print). */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	setenv("FFAMED_LOG", "error", 0);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct script s;
	char err[256];

	if (script_parse((const char *)data, size, &s, err, sizeof(err)) != 0) {
		/* A refusal must say why. */
		if (err[0] == '\0')
			abort();
	} else if (s.count <= FUZZ_RUN_MAX_LINES) {
		char *report = NULL;
		size_t report_len = 0;
		FILE *out = open_memstream(&report, &report_len);

		if (!out)
			abort();
		(void)script_run(&s, "fuzz", out, false);
		fclose(out);
		/* Mismatches are the script's business; leaks at shutdown are
		 * the system's, whatever the script did. */
		if (report && (strncmp(report, LEAK_REPORT, strlen(LEAK_REPORT)) == 0 ||
			       strstr(report, "\n" LEAK_REPORT))) {
			fputs(report, stderr);
			abort();
		}
		free(report);
	}
	script_free(&s);
	return 0;
}
