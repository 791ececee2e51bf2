/* SPDX-License-Identifier: MIT */
/* The OP-TEE SP's files: its protocol (sp_optee.c) and its shared memory
 * (sp_optee_mem.c). */
#ifndef FFAMED_SP_OPTEE_INTERNAL_H
#define FFAMED_SP_OPTEE_INTERNAL_H

#include "ffamed/sp_builtin.h"

/* Installs the built-in provider as the SP's memory (at config). */
void optee_mem_init(struct ffamed_sp_optee *state);
/* Frees the regions still held (at SPMC teardown). */
void optee_mem_fini(struct ffamed_sp *sp, struct ffamed_sp_optee *state);

#endif /* FFAMED_SP_OPTEE_INTERNAL_H */
