/* SPDX-License-Identifier: MIT */
/*
 * `ffamed script FILE...`: run text files of FF-A calls against a simulated
 * system (docs/SCRIPT.md). Exit 0 if every line matched, 1 if any did not,
 * 2 for a usage, file or syntax error.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ffamed_tool.h"
#include "script.h"
#include "tool_cli.h"

static void script_usage(FILE *out)
{
	fprintf(out, "usage: ffamed script [-v|--verbose] FILE|DIR...\n"
		     "\n"
		     "Runs each FILE, a text file of FF-A calls made by simulated VMs, against\n"
		     "a fresh simulated system (mediator + software SPMC with four SPs: ECHO,\n"
		     "VMWATCH, OP-TEE and MEMSP) and checks the answers. The format is in\n"
		     "docs/SCRIPT.md.\n"
		     "A mismatch prints the line, the expected and the actual values.\n"
		     "Exit status: 0 all matched, 1 a mismatch or a leak, 2 a usage or syntax\n"
		     "error.\n"
		     "A DIR runs every .ffs in it, in sorted order, and prints a total.\n"
		     "\n"
		     "  -v, --verbose  print every call and its reply\n"
		     "  --help         this text\n");
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	size_t n;

	if (!f)
		return NULL;
	buf = malloc(SCRIPT_MAX_FILE + 1);
	if (!buf) {
		fclose(f);
		return NULL;
	}
	n = fread(buf, 1, SCRIPT_MAX_FILE + 1, f);
	fclose(f);
	if (n > SCRIPT_MAX_FILE) {
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

static int run_one(const char *path, bool verbose)
{
	struct script s;
	char err[512];
	size_t len = 0;
	char *text = read_file(path, &len);
	int failed;

	if (!text) {
		fprintf(stderr, "ffamed script: cannot read %s (missing or over 4 MiB)\n", path);
		return 2;
	}
	if (script_parse_file(text, len, path, &s, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		script_free(&s);
		free(text);
		return 2;
	}
	free(text);
	failed = script_run(&s, path, stdout, verbose);
	if (failed < 0) {
		script_free(&s);
		return 2;
	}
	printf("%s: %zu lines, %s (%d failed)\n", path, s.count, failed ? "FAIL" : "pass", failed);
	script_free(&s);
	return failed ? 1 : 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every .ffs in dir, in sorted order; a result per file and a total. */
static int run_dir(const char *dir, bool verbose)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL;
	size_t n = 0, cap = 0, passed = 0, failed = 0, errors = 0;
	int status = 0;

	if (!d) {
		fprintf(stderr, "ffamed script: cannot read directory %s\n", dir);
		return 2;
	}
	while ((e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);
		char *path;

		if (len < 5 || e->d_name[0] == '.' || strcmp(e->d_name + len - 4, ".ffs") != 0)
			continue;
		if (n == cap) {
			char **grown = realloc(names, (cap = cap ? 2 * cap : 16) * sizeof(*names));

			if (!grown)
				break;
			names = grown;
		}
		path = malloc(strlen(dir) + len + 2);
		if (!path)
			break;
		sprintf(path, "%s/%s", dir, e->d_name);
		names[n++] = path;
	}
	closedir(d);
	if (n == 0) {
		fprintf(stderr, "ffamed script: no .ffs files in %s\n", dir);
		free(names);
		return 2;
	}
	qsort(names, n, sizeof(*names), by_name);
	for (size_t i = 0; i < n; i++) {
		int rc = run_one(names[i], verbose);

		if (rc == 0)
			passed++;
		else if (rc == 1)
			failed++;
		else
			errors++;
		if (rc > status)
			status = rc;
		free(names[i]);
	}
	free(names);
	printf("%s: %zu scripts: %zu passed, %zu failed, %zu errors\n", dir, n, passed, failed,
	       errors);
	return status;
}

static int run_path(const char *path, bool verbose)
{
	struct stat st;

	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return run_dir(path, verbose);
	return run_one(path, verbose);
}

int cmd_script(int argc, char **argv)
{
	bool verbose = false;
	int status = 0;
	const struct tool_opt opts[] = {
		{"verbose", 'v', TOOL_OPT_FLAG, &verbose, 0, 0, NULL},
	};
	char **files = calloc((size_t)argc, sizeof(*files));
	struct tool_cli cli = {
		.cmd = "ffamed script",
		.opts = opts,
		.count = sizeof(opts) / sizeof(opts[0]),
		.usage = script_usage,
		.operands = files,
	};
	int rc;

	if (!files)
		return 1;
	rc = tool_cli_parse(&cli, argc, argv);
	if (rc < 0 && cli.operand_count == 0)
		rc = tool_cli_error(&cli, "no FILE given");
	for (int i = 0; rc < 0 && i < cli.operand_count; i++) {
		int one = run_path(files[i], verbose);

		if (one > status)
			status = one;
	}
	free(files);
	return rc >= 0 ? rc : status;
}
