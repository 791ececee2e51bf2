/* SPDX-License-Identifier: MIT */
/*
 * Command-line options of every `ffamed` subcommand: one parser, one style
 * (getopt_long: --name VALUE, --name=VALUE, -x, `--` ends the options) and
 * one wording of errors ("ffamed sim: --vms: 'abc' is not a number
 * (1..60)"). Usage errors exit 2 before any work.
 */
#ifndef FFAMED_TOOL_CLI_H
#define FFAMED_TOOL_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define TOOL_EXIT_USAGE 2

enum tool_opt_kind {
	TOOL_OPT_FLAG,	   /* no value: *(bool *)dest = true */
	TOOL_OPT_U32,	   /* a number in [min, max]: *(uint32_t *)dest */
	TOOL_OPT_SIZE,	   /* bytes, with an optional K, M or G suffix: *(uint64_t *)dest */
	TOOL_OPT_STRING,   /* any non-empty text: *(const char **)dest */
	TOOL_OPT_OUT_FILE, /* a file the command will write: checked now */
};

struct tool_opt {
	const char *name; /* long name without the dashes */
	char short_name;  /* 0: none */
	enum tool_opt_kind kind;
	void *dest;
	uint64_t min, max; /* TOOL_OPT_U32 and TOOL_OPT_SIZE */
	bool *seen;	   /* NULL, or set when the option is given */
};

struct tool_cli {
	const char *cmd; /* "ffamed sim": the prefix of every message */
	const struct tool_opt *opts;
	unsigned count;
	void (*usage)(FILE *out);
	/* Operands (arguments that are not options), in order; NULL: none
	 * allowed. Room for argc entries. */
	char **operands;
	int operand_count;
};

/*
 * Parses argv[1..argc-1]. Returns -1 when the command should run, 0 when
 * --help was printed, TOOL_EXIT_USAGE after an error message on stderr.
 */
int tool_cli_parse(struct tool_cli *cli, int argc, char **argv);

/* A usage error of `cli->cmd` (printed with its prefix); returns
 * TOOL_EXIT_USAGE. */
int tool_cli_error(const struct tool_cli *cli, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* A decimal or 0x number in [min, max]; false on anything else. */
bool tool_parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out);

/* Whether `path` can be created or overwritten; on false, errno says why. */
bool tool_can_write(const char *path);

/* Whether `path` ends in `ext` (".md"). */
bool tool_has_ext(const char *path, const char *ext);

#endif /* FFAMED_TOOL_CLI_H */
