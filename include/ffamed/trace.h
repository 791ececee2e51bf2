/* SPDX-License-Identifier: MIT */
/*
 * Trace collection and trace files (hosted: part of the simulator). A
 * collector gives a mediator tracer and an SPMC tracer; both record into
 * per-thread buffers, so that vCPU threads never contend while tracing.
 * Once the traced threads are done, the events are merged in time order
 * and written as a Chrome/Perfetto trace (JSON, one track per vCPU and per
 * SP execution context) or a Mermaid sequence diagram.
 */
#ifndef FFAMED_TRACE_H
#define FFAMED_TRACE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ffamed/export.h"
#include "ffamed/mediator.h"
#include "ffamed/spmc.h"

#ifdef __cplusplus
extern "C" {
#endif

enum ffamed_trace_kind {
	FFAMED_TRACE_CALL = 1, /* a guest's call through the mediator */
	FFAMED_TRACE_SP = 2,   /* an SP's direct request handler running */
};

struct ffamed_trace_event {
	enum ffamed_trace_kind kind;
	union {
		struct ffamed_trace_rec call;  /* FFAMED_TRACE_CALL */
		struct ffamed_sp_trace_rec sp; /* FFAMED_TRACE_SP */
	};
};

struct ffamed_trace;

/* A collector keeping at most `per_thread` events per recording thread
 * (later ones are counted as dropped). NULL when out of memory. */
FFAMED_API struct ffamed_trace *ffamed_trace_create(size_t per_thread);
/* The collector must no longer be installed anywhere. */
FFAMED_API void ffamed_trace_destroy(struct ffamed_trace *t);

/* The tracers to install with ffamed_set_tracer / ffamed_spmc_set_tracer;
 * valid until ffamed_trace_destroy. The SP tracer timestamps with
 * CLOCK_MONOTONIC, as the POSIX port's now_ns does. */
FFAMED_API const struct ffamed_tracer *ffamed_trace_mediator_tracer(struct ffamed_trace *t);
FFAMED_API const struct ffamed_spmc_tracer *ffamed_trace_spmc_tracer(struct ffamed_trace *t);

/*
 * All events recorded so far, by start time (ties: calls before SP runs),
 * in a new array the caller frees; *count receives the number. The
 * recording threads must be done (joined). NULL with *count 0 when there is
 * nothing or no memory.
 */
FFAMED_API struct ffamed_trace_event *ffamed_trace_events(struct ffamed_trace *t, size_t *count);
/* Events that did not fit in their thread's buffer. */
FFAMED_API uint64_t ffamed_trace_dropped(struct ffamed_trace *t);

/*
 * Chrome trace event format (loads in Perfetto and chrome://tracing): one
 * process per VM with a thread per vCPU, one process per SP with a thread
 * per execution context; "X" events with the arguments and results.
 * Times are relative to the first event. Returns 0, or -1 on a write error.
 */
FFAMED_API int ffamed_trace_write_chrome(FILE *out, const struct ffamed_trace_event *ev,
					 size_t count);
/* The same, stopping before the event that would make the file longer than
 * max_bytes (0: no limit); the file stays valid JSON. *written (if not
 * NULL) receives the number of events written. */
FFAMED_API int ffamed_trace_write_chrome_max(FILE *out, const struct ffamed_trace_event *ev,
					     size_t count, uint64_t max_bytes, size_t *written);

/*
 * A Mermaid sequenceDiagram of the first `max_calls` guest calls (0: all):
 * guest -> ffamed -> SP (for calls an SP answered) and the answers back.
 * Participants are named: "VM 1", "ffamed mediator", "SP 0x8001 ECHO".
 * The bare diagram: a Markdown file needs it fenced (```mermaid).
 * Returns 0, or -1 on a write error.
 */
FFAMED_API int ffamed_trace_write_mermaid(FILE *out, const struct ffamed_trace_event *ev,
					  size_t count, size_t max_calls);

#ifdef __cplusplus
}
#endif

#endif /* FFAMED_TRACE_H */
