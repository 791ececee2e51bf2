/* SPDX-License-Identifier: MIT */
/*
 * The lock order as code (src/mediator/med_lock.h): in a debug build an
 * out-of-order acquire, an acquire under a leaf, a same-rank pair outside
 * med_lock_in_id_order() and a missing "held" trap. Each case runs in a
 * forked child, with an in-order control that must exit cleanly.
 */
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "med_fixture.h"
#include "mediator/med_internal.h"
#include "mediator/med_lock.h"

#if FFAMED_LOCK_DEBUG /* else nothing is checked: the test skips */
struct lock_case {
	struct ffamed *med;
	struct ffamed_vm *a, *b; /* a's ID is lower */
};

typedef void (*lock_case_fn)(const struct lock_case *c);

/* Runs fn in a child; returns its wait status. */
static int run_child(const struct lock_case *c, lock_case_fn fn)
{
	int status = 0;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		/* cmocka catches these in the parent's test; the child must die. */
		signal(SIGILL, SIG_DFL);
		signal(SIGTRAP, SIG_DFL);
		fn(c);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return status;
}

static void expect_trap(const struct lock_case *c, lock_case_fn fn)
{
	int status = run_child(c, fn);

	assert_true(WIFSIGNALED(status));
	assert_true(WTERMSIG(status) == SIGILL || WTERMSIG(status) == SIGTRAP);
}

static void expect_clean(const struct lock_case *c, lock_case_fn fn)
{
	int status = run_child(c, fn);

	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/* Every rank once, outer first, then released out of LIFO order. */
static void in_order(const struct lock_case *c)
{
	struct ffamed *med = c->med;

	med_lock(med, &c->a->rxtx_lock);
	med_lock(med, &med->registry_lock);
	med_lock(med, &c->a->version_lock);
#if FFAMED_CONFIG_MEM_SHARE /* a feature compiled out has no lock to take */
	med_lock(med, &med->mem_lock);
#endif
	med_lock(med, &med->spmc_tx_lock);
	med_lock(med, &med->spmc_rx_lock);
#if FFAMED_CONFIG_NOTIFICATIONS
	med_lock(med, &c->b->notif_lock);
#endif
	med_lock_assert_held(med, &med->spmc_rx_lock);
#if FFAMED_CONFIG_MEM_SHARE
	med_lock_assert_held(med, &med->mem_lock);
	med_unlock(med, &med->mem_lock);
#endif
#if FFAMED_CONFIG_NOTIFICATIONS
	med_unlock(med, &c->b->notif_lock);
#endif
	med_unlock(med, &med->spmc_rx_lock);
	med_unlock(med, &med->spmc_tx_lock);
	med_unlock(med, &c->a->version_lock);
	med_unlock(med, &med->registry_lock);
	med_unlock(med, &c->a->rxtx_lock);
	/* A leaf alone, and a pair of one rank through the helper. */
	med_lock(med, &med->pending_lock);
	med_unlock(med, &med->pending_lock);
	med_lock_in_id_order(med, c->b->id, &c->b->rxtx_lock, c->a->id, &c->a->rxtx_lock);
	med_lock(med, &med->registry_lock);
	med_unlock(med, &med->registry_lock);
	med_unlock(med, &c->a->rxtx_lock);
	med_unlock(med, &c->b->rxtx_lock);
}

#if FFAMED_CONFIG_MEM_SHARE
static void rxtx_under_mem(const struct lock_case *c)
{
	med_lock(c->med, &c->med->mem_lock);
	med_lock(c->med, &c->a->rxtx_lock);
}
#endif

#if FFAMED_CONFIG_NOTIFICATIONS
static void registry_under_notif(const struct lock_case *c)
{
	med_lock(c->med, &c->a->notif_lock);
	med_lock(c->med, &c->med->registry_lock);
}
#endif

#if FFAMED_CONFIG_VM_TO_VM
static void rxtx_under_msg(const struct lock_case *c)
{
	med_lock(c->med, &c->a->msg_lock);
	med_lock(c->med, &c->a->rxtx_lock);
}
#endif

static void pair_without_helper(const struct lock_case *c)
{
	med_lock(c->med, &c->a->rxtx_lock);
	med_lock(c->med, &c->b->rxtx_lock);
}

static void spmc_rx_then_tx(const struct lock_case *c)
{
	med_lock(c->med, &c->med->spmc_rx_lock);
	med_lock(c->med, &c->med->spmc_tx_lock);
}

static void held_missing(const struct lock_case *c)
{
	med_lock(c->med, &c->a->rxtx_lock);
	med_lock_assert_held(c->med, &c->b->rxtx_lock);
}

static void release_not_held(const struct lock_case *c)
{
	med_unlock(c->med, &c->med->registry_lock);
}

#endif /* FFAMED_LOCK_DEBUG */

static void lock_order_enforced(void **state)
{
	(void)state;
#if !FFAMED_LOCK_DEBUG
	skip(); /* configured with FFAMED_LOCK_DEBUG=OFF: nothing is checked */
#else
	struct fix *fix = fix_create(NULL);
	struct fix_vm *va = fix_vm(fix, 1, 1);
	struct fix_vm *vb = fix_vm(fix, 2, 1);
	struct lock_case c = {.med = fix->med, .a = va->vm, .b = vb->vm};

	expect_clean(&c, in_order);
#if FFAMED_CONFIG_MEM_SHARE
	expect_trap(&c, rxtx_under_mem);
#endif
#if FFAMED_CONFIG_NOTIFICATIONS
	expect_trap(&c, registry_under_notif);
#endif
#if FFAMED_CONFIG_VM_TO_VM
	expect_trap(&c, rxtx_under_msg);
#endif
	expect_trap(&c, pair_without_helper);
	expect_trap(&c, spmc_rx_then_tx);
	expect_trap(&c, held_missing);
	expect_trap(&c, release_not_held);

	fix_vm_destroy(vb);
	fix_vm_destroy(va);
	fix_destroy(fix);
#endif
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(lock_order_enforced),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
