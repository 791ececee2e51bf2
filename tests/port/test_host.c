/* SPDX-License-Identifier: MIT */
/* The host object: ops table, allocation accounting, locks, logging, time
 * and the SPMC environment. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "port_fixture.h"

static void ops_table_is_complete(void **state)
{
	const struct ffamed_host_ops *ops = ffamed_posix_host_ops();

	(void)state;
	assert_ptr_equal(ops, ffamed_posix_host_ops());
	assert_non_null(ops->lock_init);
	assert_non_null(ops->lock_destroy);
	assert_non_null(ops->lock_acquire);
	assert_non_null(ops->lock_release);
	assert_non_null(ops->alloc);
	assert_non_null(ops->free);
	assert_non_null(ops->page_alloc);
	assert_non_null(ops->page_free);
	assert_non_null(ops->vlog);
	assert_non_null(ops->now_ns);
	assert_non_null(ops->guest_page_pin);
	assert_non_null(ops->guest_page_unpin);
	assert_non_null(ops->map_pages);
	assert_non_null(ops->unmap_pages);
	assert_non_null(ops->vm_get);
	assert_non_null(ops->vm_put);
	assert_non_null(ops->vcpu_is_online);
	assert_non_null(ops->inject_virq);
	assert_non_null(ops->fw_call);
	assert_non_null(ops->work_schedule);
	assert_non_null(ops->work_cancel_sync);
}

static void allocations_are_zeroed_and_counted(void **state)
{
	struct port_fixture *f = *state;
	uint8_t *a = f->ops->alloc(f->host, 100);
	uint8_t *b = f->ops->alloc(f->host, 1 << 20);
	void *z = f->ops->alloc(f->host, 0);

	assert_non_null(a);
	assert_non_null(b);
	assert_non_null(z);
	assert_int_equal(ffamed_posix_live_allocs(f->host), 3);
	for (size_t i = 0; i < 100; i++)
		assert_int_equal(a[i], 0);
	assert_int_equal(b[(1 << 20) - 1], 0);
	assert_null(f->ops->alloc(f->host, SIZE_MAX));
	assert_int_equal(ffamed_posix_live_allocs(f->host), 3);
	f->ops->free(f->host, a);
	f->ops->free(f->host, NULL);
	assert_int_equal(ffamed_posix_live_allocs(f->host), 2);
	f->ops->free(f->host, b);
	f->ops->free(f->host, z);
	assert_int_equal(ffamed_posix_live_allocs(f->host), 0);
}

static void alloc_fault_injection_fails_the_nth_call_once(void **state)
{
	struct port_fixture *f = *state;
	void *p[4];

	ffamed_posix_fail_alloc(f->host, 3);
	p[0] = f->ops->alloc(f->host, 8);
	p[1] = f->ops->alloc(f->host, 8);
	assert_null(f->ops->alloc(f->host, 8));
	p[2] = f->ops->alloc(f->host, 8);
	assert_non_null(p[0]);
	assert_non_null(p[1]);
	assert_non_null(p[2]);
	ffamed_posix_fail_alloc(f->host, 1);
	ffamed_posix_fail_alloc(f->host, 0); /* cancelled */
	p[3] = f->ops->alloc(f->host, 8);
	assert_non_null(p[3]);
	for (int i = 0; i < 4; i++)
		f->ops->free(f->host, p[i]);
}

static void locks_lock(void **state)
{
	struct port_fixture *f = *state;
	struct ffamed_lock a, b;

	f->ops->lock_init(f->host, &a);
	f->ops->lock_init(f->host, &b);
	f->ops->lock_acquire(f->host, &a);
	f->ops->lock_acquire(f->host, &b);
	f->ops->lock_release(f->host, &b);
	f->ops->lock_release(f->host, &a);
	f->ops->lock_acquire(f->host, &a);
	f->ops->lock_release(f->host, &a);
	f->ops->lock_destroy(f->host, &a);
	f->ops->lock_destroy(f->host, &b);
}

/* Runs `fn` in a child; true if it died of SIGABRT. */
static bool aborts(void (*fn)(void))
{
	int status = 0;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		const struct rlimit no_core = {0, 0};

		setrlimit(RLIMIT_CORE, &no_core);
		fn();
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT;
}

static void take_lock_twice(void)
{
	const struct ffamed_host_ops *ops = ffamed_posix_host_ops();
	struct ffamed_lock l;

	ops->lock_init(NULL, &l);
	ops->lock_acquire(NULL, &l);
	ops->lock_acquire(NULL, &l);
}

static void release_unheld_lock(void)
{
	const struct ffamed_host_ops *ops = ffamed_posix_host_ops();
	struct ffamed_lock l;

	ops->lock_init(NULL, &l);
	ops->lock_release(NULL, &l);
}

static void take_and_release_lock(void)
{
	const struct ffamed_host_ops *ops = ffamed_posix_host_ops();
	struct ffamed_lock l;

	ops->lock_init(NULL, &l);
	ops->lock_acquire(NULL, &l);
	ops->lock_release(NULL, &l);
	ops->lock_destroy(NULL, &l);
}

static void lock_misuse_aborts(void **state)
{
	(void)state;
#ifdef __SANITIZE_THREAD__
	/* TSan reports the misuse itself (in the child) before we abort. */
	skip();
#endif
	assert_false(aborts(take_and_release_lock));
	assert_true(aborts(take_lock_twice));
	assert_true(aborts(release_unheld_lock));
}

static void now_ns_is_monotonic(void **state)
{
	struct port_fixture *f = *state;
	uint64_t prev = f->ops->now_ns(f->host);

	assert_true(prev > 0);
	for (int i = 0; i < 1000; i++) {
		uint64_t now = f->ops->now_ns(f->host);

		assert_true(now >= prev);
		prev = now;
	}
}

static void call_vlog(struct port_fixture *f, enum ffamed_log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	f->ops->vlog(f->host, level, fmt, ap);
	va_end(ap);
}

/* Everything written to stderr while `fn` runs. */
static void capture_stderr(struct port_fixture *f, void (*fn)(struct port_fixture *f), char *out,
			   size_t len)
{
	FILE *tmp = tmpfile();
	int saved = dup(STDERR_FILENO);
	size_t n;

	assert_non_null(tmp);
	assert_true(saved >= 0);
	fflush(stderr);
	dup2(fileno(tmp), STDERR_FILENO);
	fn(f);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	rewind(tmp);
	n = fread(out, 1, len - 1, tmp);
	out[n] = '\0';
	fclose(tmp);
}

static void log_some(struct port_fixture *f)
{
	call_vlog(f, FFAMED_LOG_DEBUG, "dbg %d", 1);
	call_vlog(f, FFAMED_LOG_INFO, "inf %s", "x");
	call_vlog(f, FFAMED_LOG_WARN, "wrn %#x", 0x20u);
	call_vlog(f, FFAMED_LOG_ERROR, "err %llx", 0xabcull);
}

static void log_threshold_comes_from_the_environment(void **state)
{
	struct port_fixture *f;
	char out[1024];

	(void)state;
	unsetenv("FFAMED_LOG");
	f = port_fixture_new(NULL);
	capture_stderr(f, log_some, out, sizeof(out));
	port_fixture_free(f);
	assert_null(strstr(out, "dbg"));
	assert_null(strstr(out, "inf"));
	assert_non_null(strstr(out, "warn] wrn 0x20\n"));
	assert_non_null(strstr(out, "error] err abc\n"));

	setenv("FFAMED_LOG", "debug", 1);
	f = port_fixture_new(NULL);
	capture_stderr(f, log_some, out, sizeof(out));
	port_fixture_free(f);
	assert_non_null(strstr(out, "debug] dbg 1\n"));
	assert_non_null(strstr(out, "info] inf x\n"));

	setenv("FFAMED_LOG", "error", 1);
	f = port_fixture_new(NULL);
	capture_stderr(f, log_some, out, sizeof(out));
	port_fixture_free(f);
	assert_null(strstr(out, "wrn"));
	assert_non_null(strstr(out, "err abc"));
	unsetenv("FFAMED_LOG");
}

static void spmc_env_is_complete_and_counted_apart(void **state)
{
	struct port_fixture *f = *state;
	struct ffamed_spmc_env env;
	struct ffamed_lock l;
	void *p, *m;
	uint64_t pa = 0;
	uint8_t *page = f->ops->page_alloc(f->host, 1, &pa);

	ffamed_posix_spmc_env(f->host, &env);
	assert_ptr_equal(env.ctx, f->host);
	assert_non_null(env.lock_init);
	assert_non_null(env.lock_destroy);
	assert_non_null(env.lock_acquire);
	assert_non_null(env.lock_release);
	assert_non_null(env.alloc);
	assert_non_null(env.free);
	assert_non_null(env.pa_map);
	assert_non_null(env.raise_sri);
	assert_non_null(env.vlog);

	env.lock_init(env.ctx, &l);
	env.lock_acquire(env.ctx, &l);
	env.lock_release(env.ctx, &l);
	env.lock_destroy(env.ctx, &l);

	p = env.alloc(env.ctx, 64);
	m = f->ops->alloc(f->host, 8);
	assert_non_null(p);
	assert_int_equal(ffamed_posix_spmc_live_allocs(f->host), 1);
	assert_int_equal(ffamed_posix_live_allocs(f->host), 1);
	env.free(env.ctx, p);
	f->ops->free(f->host, m);
	assert_int_equal(ffamed_posix_spmc_live_allocs(f->host), 0);

	/* pa_map: the firmware's identity view of normal-world memory. */
	assert_ptr_equal(env.pa_map(env.ctx, pa, PAGE), page);
	assert_null(env.pa_map(env.ctx, 0x1000, 16));
	assert_null(env.pa_map(env.ctx, 0x80000000ull + 1024 * PAGE - 8, 16));
	f->ops->page_free(f->host, page, 1);

	assert_int_equal(ffamed_posix_sri_count(f->host), 0);
	env.raise_sri(env.ctx, 3);
	env.raise_sri(env.ctx, 0);
	assert_int_equal(ffamed_posix_sri_count(f->host), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ops_table_is_complete),
		cmocka_unit_test_setup_teardown(allocations_are_zeroed_and_counted, port_setup,
						port_teardown),
		cmocka_unit_test_setup_teardown(alloc_fault_injection_fails_the_nth_call_once,
						port_setup, port_teardown),
		cmocka_unit_test_setup_teardown(locks_lock, port_setup, port_teardown),
		cmocka_unit_test(lock_misuse_aborts),
		cmocka_unit_test_setup_teardown(now_ns_is_monotonic, port_setup, port_teardown),
		cmocka_unit_test(log_threshold_comes_from_the_environment),
		cmocka_unit_test_setup_teardown(spmc_env_is_complete_and_counted_apart, port_setup,
						port_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
