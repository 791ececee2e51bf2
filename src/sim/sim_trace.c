/* SPDX-License-Identifier: MIT */
/*
 * Trace collection into per-thread buffers, and the trace file writers
 * (include/ffamed/trace.h). A recording thread takes the collector's lock
 * once, to register its buffer; after that it appends without any lock or
 * shared write, so tracing does not serialise the vCPUs it observes.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ffamed/sim.h"
#include "ffamed/trace.h"

struct trace_buf {
	struct trace_buf *next; /* the collector's list, under its lock */
	size_t used;		/* written by the owning thread only */
	struct ffamed_trace_event ev[];
};

struct ffamed_trace {
	struct ffamed_tracer med;
	struct ffamed_spmc_tracer spmc;
	uint64_t gen; /* tells this collector's buffers from earlier ones' */
	size_t per_thread;
	pthread_mutex_t lock; /* guards bufs */
	struct trace_buf *bufs;
	_Atomic uint64_t dropped;
};

static _Atomic uint64_t trace_next_gen = 1;

/* The calling thread's buffer for the collector of generation `gen`. */
static _Thread_local struct {
	uint64_t gen;
	struct trace_buf *buf;
} trace_tls;

static struct trace_buf *thread_buf(struct ffamed_trace *t)
{
	struct trace_buf *b;

	if (trace_tls.gen == t->gen)
		return trace_tls.buf;
	b = calloc(1, sizeof(*b) + t->per_thread * sizeof(b->ev[0]));
	if (!b)
		return NULL;
	pthread_mutex_lock(&t->lock);
	b->next = t->bufs;
	t->bufs = b;
	pthread_mutex_unlock(&t->lock);
	trace_tls.gen = t->gen;
	trace_tls.buf = b;
	return b;
}

static struct ffamed_trace_event *trace_slot(struct ffamed_trace *t)
{
	struct trace_buf *b = thread_buf(t);

	if (!b || b->used >= t->per_thread) {
		atomic_fetch_add_explicit(&t->dropped, 1, memory_order_relaxed);
		return NULL;
	}
	return &b->ev[b->used++];
}

static void record_call(void *ctx, const struct ffamed_trace_rec *rec)
{
	struct ffamed_trace_event *e = trace_slot(ctx);

	if (e) {
		e->kind = FFAMED_TRACE_CALL;
		e->call = *rec;
	}
}

static void record_sp(void *ctx, const struct ffamed_sp_trace_rec *rec)
{
	struct ffamed_trace_event *e = trace_slot(ctx);

	if (e) {
		e->kind = FFAMED_TRACE_SP;
		e->sp = *rec;
	}
}

static uint64_t trace_now_ns(void *ctx)
{
	struct timespec ts;

	(void)ctx;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

struct ffamed_trace *ffamed_trace_create(size_t per_thread)
{
	struct ffamed_trace *t;

	if (!per_thread)
		return NULL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->med.record = record_call;
	t->med.ctx = t;
	t->spmc.record = record_sp;
	t->spmc.now_ns = trace_now_ns;
	t->spmc.ctx = t;
	t->gen = atomic_fetch_add(&trace_next_gen, 1);
	t->per_thread = per_thread;
	pthread_mutex_init(&t->lock, NULL);
	return t;
}

void ffamed_trace_destroy(struct ffamed_trace *t)
{
	if (!t)
		return;
	while (t->bufs) {
		struct trace_buf *b = t->bufs;

		t->bufs = b->next;
		free(b);
	}
	pthread_mutex_destroy(&t->lock);
	free(t);
}

const struct ffamed_tracer *ffamed_trace_mediator_tracer(struct ffamed_trace *t)
{
	return &t->med;
}

const struct ffamed_spmc_tracer *ffamed_trace_spmc_tracer(struct ffamed_trace *t)
{
	return &t->spmc;
}

uint64_t ffamed_trace_dropped(struct ffamed_trace *t)
{
	return atomic_load(&t->dropped);
}

static uint64_t ev_start(const struct ffamed_trace_event *e)
{
	return e->kind == FFAMED_TRACE_CALL ? e->call.t_start_ns : e->sp.t_start_ns;
}

static uint64_t ev_end(const struct ffamed_trace_event *e)
{
	return e->kind == FFAMED_TRACE_CALL ? e->call.t_end_ns : e->sp.t_end_ns;
}

static int ev_cmp(const void *a, const void *b)
{
	const struct ffamed_trace_event *x = a, *y = b;
	uint64_t sx = ev_start(x), sy = ev_start(y);

	if (sx != sy)
		return sx < sy ? -1 : 1;
	return (int)x->kind - (int)y->kind;
}

struct ffamed_trace_event *ffamed_trace_events(struct ffamed_trace *t, size_t *count)
{
	struct ffamed_trace_event *all;
	size_t n = 0;

	*count = 0;
	pthread_mutex_lock(&t->lock);
	for (struct trace_buf *b = t->bufs; b; b = b->next)
		n += b->used;
	all = n ? malloc(n * sizeof(*all)) : NULL;
	if (all) {
		size_t k = 0;

		for (struct trace_buf *b = t->bufs; b; b = b->next) {
			memcpy(all + k, b->ev, b->used * sizeof(*all));
			k += b->used;
		}
	}
	pthread_mutex_unlock(&t->lock);
	if (!all)
		return NULL;
	qsort(all, n, sizeof(*all), ev_cmp);
	*count = n;
	return all;
}

/* ---- Names ------------------------------------------------------------------------ */

static void fid_text(char *buf, size_t len, uint32_t fid)
{
	const char *name = ffamed_sim_fid_name(fid);

	if (name)
		snprintf(buf, len, "%s", name);
	else
		snprintf(buf, len, "0x%08" PRIx32, fid);
}

/* What a reply says, in a few words: "FFA_SUCCESS_32", "ERROR DENIED"... */
static void result_text(char *buf, size_t len, const struct ffamed_trace_rec *c)
{
	uint32_t x0 = (uint32_t)c->out[0];

	if (c->fid == FFA_VERSION) {
		if (x0 & FFA_VERSION_MBZ_BIT)
			snprintf(buf, len, "NOT_SUPPORTED");
		else
			snprintf(buf, len, "v%u.%u", (unsigned)FFA_VERSION_MAJOR(x0),
				 (unsigned)FFA_VERSION_MINOR(x0));
	} else if (x0 == FFA_ERROR) {
		const char *e = ffamed_sim_error_name((int32_t)(uint32_t)c->out[2]);

		snprintf(buf, len, "ERROR %s", e ? e : "?");
	} else {
		fid_text(buf, len, x0);
	}
}

static bool fid_is_direct_req(uint32_t fid)
{
	return fid == FFA_MSG_SEND_DIRECT_REQ_32 || fid == FFA_MSG_SEND_DIRECT_REQ_64 ||
	       fid == FFA_MSG_SEND_DIRECT_REQ2;
}

/* The SP a guest call went to, or 0. */
static uint16_t call_sp(const struct ffamed_trace_rec *c)
{
	uint16_t ep;

	if (fid_is_direct_req(c->fid))
		ep = (uint16_t)c->in[1];
	else if (c->fid == FFA_RUN)
		ep = (uint16_t)(c->in[1] >> 16);
	else
		return 0;
	return (ep & 0x8000u) ? ep : 0;
}

/* ---- Chrome trace ------------------------------------------------------------------- */

struct track {
	uint32_t pid, tid;
};

/* One event's text, built before it is written so that a size cap never
 * cuts a record in half. */
struct chrome_rec {
	char text[2048];
	size_t len;
};

__attribute__((format(printf, 2, 3))) static void rec_printf(struct chrome_rec *r, const char *fmt,
							     ...)
{
	va_list ap;
	int n;

	if (r->len >= sizeof(r->text))
		return;
	va_start(ap, fmt);
	n = vsnprintf(r->text + r->len, sizeof(r->text) - r->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		r->len += (size_t)n;
	if (r->len >= sizeof(r->text))
		r->len = sizeof(r->text) - 1;
}

/* Whether a track was named already; adds it if not (false: no memory). */
static bool track_new(struct track **seen, size_t *n, size_t *cap, uint32_t pid, uint32_t tid,
		      bool *is_new)
{
	struct track *t;

	*is_new = false;
	for (size_t i = 0; i < *n; i++)
		if ((*seen)[i].pid == pid && (*seen)[i].tid == tid)
			return true;
	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 16;

		t = realloc(*seen, c * sizeof(*t));
		if (!t)
			return false;
		*seen = t;
		*cap = c;
	}
	(*seen)[(*n)++] = (struct track){pid, tid};
	*is_new = true;
	return true;
}

static void track_meta(struct chrome_rec *r, uint32_t pid, uint32_t tid, bool sp)
{
	const char *sp_name = sp ? ffamed_sim_partition_name((uint16_t)pid) : NULL;

	if (sp)
		rec_printf(r,
			   ",\n{\"name\": \"process_name\", \"ph\": \"M\", \"pid\": %u, "
			   "\"tid\": %u, \"args\": {\"name\": \"SP 0x%04x %s\"}}",
			   pid, tid, pid, sp_name ? sp_name : "");
	else
		rec_printf(r,
			   ",\n{\"name\": \"process_name\", \"ph\": \"M\", \"pid\": %u, "
			   "\"tid\": %u, \"args\": {\"name\": \"VM %u\"}}",
			   pid, tid, pid);
	rec_printf(r,
		   ",\n{\"name\": \"thread_name\", \"ph\": \"M\", \"pid\": %u, \"tid\": %u, "
		   "\"args\": {\"name\": \"%s %u\"}}",
		   pid, tid, sp ? "context" : "vCPU", tid);
}

static void chrome_event(struct chrome_rec *r, const struct ffamed_trace_event *e, uint64_t t0)
{
	uint64_t end = ev_end(e) > ev_start(e) ? ev_end(e) : ev_start(e);
	double ts = (double)(ev_start(e) - t0) / 1000.0;
	double dur = (double)(end - ev_start(e)) / 1000.0;
	char name[64], res[64];

	if (e->kind == FFAMED_TRACE_CALL) {
		const struct ffamed_trace_rec *c = &e->call;

		fid_text(name, sizeof(name), c->fid);
		result_text(res, sizeof(res), c);
		rec_printf(r,
			   ",\n{\"name\": \"%s\", \"cat\": \"ffa\", \"ph\": \"X\", "
			   "\"ts\": %.3f, \"dur\": %.3f, \"pid\": %u, \"tid\": %u, \"args\": "
			   "{\"result\": \"%s\"",
			   name, ts, dur, (unsigned)c->vm_id, (unsigned)c->vcpu, res);
		for (int i = 1; i < 8; i++)
			rec_printf(r, ", \"x%d\": \"0x%" PRIx64 "\"", i, c->in[i]);
		for (int i = 0; i < 4; i++)
			rec_printf(r, ", \"out_x%d\": \"0x%" PRIx64 "\"", i, c->out[i]);
		/* Which check refused (MED_REFUSE: no quotes in the text). */
		if (c->refusal)
			rec_printf(r, ", \"refusal\": \"%s\"", c->refusal);
		rec_printf(r, "}}");
	} else {
		const struct ffamed_sp_trace_rec *s = &e->sp;
		static const char *const actions[] = {"respond", "interrupt", "yield"};

		fid_text(name, sizeof(name), s->fid);
		rec_printf(r,
			   ",\n{\"name\": \"%s\", \"cat\": \"sp\", \"ph\": \"X\", \"ts\": "
			   "%.3f, \"dur\": %.3f, \"pid\": %u, \"tid\": %u, \"args\": "
			   "{\"sender\": \"0x%x\", \"cpu\": %u, \"resumed\": %u, \"action\": "
			   "\"%s\", \"p0\": \"0x%" PRIx64 "\", \"p1\": \"0x%" PRIx64 "\"}}",
			   name, ts, dur, (unsigned)s->sp_id, (unsigned)s->ctx, (unsigned)s->sender,
			   (unsigned)s->cpu, (unsigned)s->resumed,
			   s->action < 3 ? actions[s->action] : "?", s->payload[0], s->payload[1]);
	}
}

int ffamed_trace_write_chrome_max(FILE *out, const struct ffamed_trace_event *ev, size_t count,
				  uint64_t max_bytes, size_t *written)
{
	static const char head[] = "{\"displayTimeUnit\": \"ns\", \"traceEvents\": [\n";
	static const char tail[] = "\n]}\n";
	struct track *seen = NULL;
	size_t nseen = 0, cap = 0, done = 0;
	uint64_t t0 = count ? ev_start(&ev[0]) : 0;
	uint64_t bytes = sizeof(head) - 1 + sizeof(tail) - 1;
	int rc = 0;

	for (size_t i = 1; i < count; i++)
		if (ev_start(&ev[i]) < t0)
			t0 = ev_start(&ev[i]);
	fputs(head, out);
	for (; done < count && !rc; done++) {
		const struct ffamed_trace_event *e = &ev[done];
		bool sp = e->kind != FFAMED_TRACE_CALL;
		uint32_t pid = sp ? e->sp.sp_id : e->call.vm_id;
		uint32_t tid = sp ? e->sp.ctx : e->call.vcpu;
		struct chrome_rec r = {.len = 0};
		bool is_new;

		if (!track_new(&seen, &nseen, &cap, pid, tid, &is_new)) {
			rc = -1;
			break;
		}
		if (is_new)
			track_meta(&r, pid, tid, sp);
		chrome_event(&r, e, t0);
		if (max_bytes && bytes + r.len > max_bytes)
			break;
		bytes += r.len;
		/* Every record starts ",\n": the first one without it. */
		fwrite(r.text + (done ? 0 : 2), 1, r.len - (done ? 0 : 2), out);
	}
	fputs(tail, out);
	free(seen);
	if (written)
		*written = done;
	if (rc || ferror(out))
		return -1;
	return 0;
}

int ffamed_trace_write_chrome(FILE *out, const struct ffamed_trace_event *ev, size_t count)
{
	return ffamed_trace_write_chrome_max(out, ev, count, 0, NULL);
}

/* ---- Mermaid ------------------------------------------------------------------------- */

/* The call as a diagram shows it: FEATURES names what it asks about. */
static void call_text(char *buf, size_t len, const struct ffamed_trace_rec *c)
{
	char arg[48];

	fid_text(buf, len, c->fid);
	if (c->fid == FFA_FEATURES && ((uint32_t)c->in[1] & 0x80000000u)) {
		fid_text(arg, sizeof(arg), (uint32_t)c->in[1]);
		snprintf(buf, len, "FFA_FEATURES(%s)", arg);
	}
}

static bool id_listed(const uint32_t *ids, size_t n, uint32_t id)
{
	for (size_t i = 0; i < n; i++)
		if (ids[i] == id)
			return true;
	return false;
}

/* Drawn to an SP: the call reached one that answered. A refusal may come
 * from the mediator itself (no such partition, say). */
static uint16_t drawn_sp(const struct ffamed_trace_rec *c)
{
	uint16_t sp = call_sp(c);

	return sp && (uint32_t)c->out[0] != FFA_ERROR ? sp : 0;
}

int ffamed_trace_write_mermaid(FILE *out, const struct ffamed_trace_event *ev, size_t count,
			       size_t max_calls)
{
	uint32_t vms[64], sps[64];
	size_t nvm = 0, nsp = 0, calls = 0;

	/* Participants in order of appearance: VMs, then ffamed, then SPs. */
	for (size_t i = 0; i < count && (!max_calls || calls < max_calls); i++) {
		const struct ffamed_trace_rec *c = &ev[i].call;
		uint16_t sp;

		if (ev[i].kind != FFAMED_TRACE_CALL)
			continue;
		calls++;
		if (nvm < 64 && !id_listed(vms, nvm, c->vm_id))
			vms[nvm++] = c->vm_id;
		sp = drawn_sp(c);
		if (sp && nsp < 64 && !id_listed(sps, nsp, sp))
			sps[nsp++] = sp;
	}
	fprintf(out, "sequenceDiagram\n");
	for (size_t i = 0; i < nvm; i++)
		fprintf(out, "    participant VM%x as VM %u\n", vms[i], vms[i]);
	fprintf(out, "    participant M as ffamed mediator\n");
	for (size_t i = 0; i < nsp; i++) {
		const char *name = ffamed_sim_partition_name((uint16_t)sps[i]);

		fprintf(out, "    participant SP%x as SP 0x%04x %s\n", sps[i], sps[i],
			name ? name : "(not built in)");
	}
	calls = 0;
	for (size_t i = 0; i < count && (!max_calls || calls < max_calls); i++) {
		const struct ffamed_trace_rec *c = &ev[i].call;
		char name[64], res[64];
		uint16_t sp;

		if (ev[i].kind != FFAMED_TRACE_CALL)
			continue;
		calls++;
		call_text(name, sizeof(name), c);
		result_text(res, sizeof(res), c);
		sp = drawn_sp(c);
		fprintf(out, "    VM%x->>M: %s (vCPU %u)\n", (unsigned)c->vm_id, name,
			(unsigned)c->vcpu);
		if (sp && id_listed(sps, nsp, sp)) {
			fprintf(out, "    M->>SP%x: %s\n", (unsigned)sp, name);
			fprintf(out, "    SP%x-->>M: %s\n", (unsigned)sp, res);
		}
		fprintf(out, "    M-->>VM%x: %s\n", (unsigned)c->vm_id, res);
	}
	return ferror(out) ? -1 : 0;
}
