/* SPDX-License-Identifier: MIT */
/* The ffamed command: subcommands. */
#ifndef FFAMED_TOOL_H
#define FFAMED_TOOL_H

/* `ffamed sim ...`: argv[0] is "sim". Returns the exit status. */
int cmd_sim(int argc, char **argv);
/* `ffamed bench ...`: argv[0] is "bench". */
int cmd_bench(int argc, char **argv);
/* `ffamed script FILE...`: argv[0] is "script". */
int cmd_script(int argc, char **argv);

#endif /* FFAMED_TOOL_H */
