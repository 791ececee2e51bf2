// SPDX-License-Identifier: GPL-2.0
/*
 * ffa_peer_test: a guest-side FF-A test driver for ffamed's VM-to-VM
 * services (docs/LINUX-GUESTS.md, "The peer test module"). It binds to the
 * peer VM's FF-A device by the UUID the host gave that VM and, through the
 * kernel's own arm_ffa driver API, exchanges notifications and indirect
 * messages with it, then checks that the pair the policy denies is refused.
 * Everything runs at load time; the counts go to the kernel log in one
 * fixed format for the e2e checks. Linux 6.1's arm_ffa gives drivers
 * direct requests only, 7.3's also notifications and indirect messages.
 */
#include <linux/arm-smccc.h>
#include <linux/arm_ffa.h>
#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/uuid.h>
#include <linux/version.h>

#define TAG "ffa-peer-test: "

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 10, 0)
#define HAVE_NOTIFY_AND_SEND2 1
#else
#define HAVE_NOTIFY_AND_SEND2 0
#endif

static char *peer_uuid = "5e7c1a00-ffa0-4e57-8000-000000000001";
module_param(peer_uuid, charp, 0444);
MODULE_PARM_DESC(peer_uuid, "UUID the host gave the peer VM");
static int rounds = 200;
module_param(rounds, int, 0444);
MODULE_PARM_DESC(rounds, "notifications each side sends, one at a time, from every CPU in turn");
static int burst = 200;
module_param(burst, int, 0444);
MODULE_PARM_DESC(burst, "notification sets per CPU, all CPUs at once, before the exact rounds");
static int msgs = 200;
module_param(msgs, int, 0444);
MODULE_PARM_DESC(msgs, "indirect messages (FFA_MSG_SEND2) each side sends");
static int wait_ms = 20000;
module_param(wait_ms, int, 0444);
MODULE_PARM_DESC(wait_ms, "how long to wait for the peer (binding, each answer)");
/* Up to MAX_DENY denied VMs, comma-separated: one VM of a third guest may
 * be denied to both of the others. */
#define MAX_DENY 4
static int deny_id[MAX_DENY] = {-1, -1, -1, -1};
static int deny_id_count;
module_param_array(deny_id, int, &deny_id_count, 0444);
MODULE_PARM_DESC(deny_id, "FF-A IDs of VMs the policy denies to this one (none by default)");
static char *deny_uuid[MAX_DENY];
static int deny_uuid_count;
module_param_array(deny_uuid, charp, &deny_uuid_count, 0444);
MODULE_PARM_DESC(deny_uuid, "UUIDs of those VMs, in the same order: discovery must not list them");

/* Notification IDs, the same on both sides: each guest binds them with
 * the peer as sender. */
#define N_DATA	1 /* one at a time: answered with N_ACK */
#define N_ACK	2
#define N_BURST 3 /* sets from every CPU at once: coalesce, never lost */

/* FF-A function IDs and errors (FF-A v1.2 spec) for the raw calls. */
#define FFA_ERROR_FID		  0x84000060
#define FFA_ID_GET_FID		  0x84000069
#define FFA_NOTIFICATION_BIND_FID 0x8400007F
#define FFA_NOTIFICATION_UNBIND_FID 0x84000080
#define FFA_RET_DENIED		  (-6)

#define MSG_MAGIC 0xFFA9EE12u

struct peer_msg {
	u32 magic;
	u32 seq;
};

static struct {
	struct ffa_device *dev;
	struct completion probed;
	atomic_t notif_recv, notif_acked, burst_recv, burst_sets;
	atomic_t msg_recv, msg_bad;
	u32 msg_next;
	wait_queue_head_t wq;
	struct mutex turn;
	int notif_sent, msg_sent;
	int failed;
} t;

static struct ffa_device_id peer_ids[2];

#if HAVE_NOTIFY_AND_SEND2
/* Notification callbacks run from the arm_ffa driver's work after the NPI
 * and its NOTIFICATION_GET. */
static void on_notif(int id, void *data)
{
	const struct ffa_notifier_ops *n = t.dev->ops->notifier_ops;
	int rc, tries = 0;

	switch (id) {
	case N_DATA:
		atomic_inc(&t.notif_recv);
		wake_up(&t.wq);
		do
			rc = n->notify_send(t.dev, N_ACK, false, 0);
		while (rc && ++tries < 1000 && (usleep_range(100, 200), true));
		if (rc)
			pr_err(TAG "ack not sent: %d\n", rc);
		break;
	case N_ACK:
		atomic_inc(&t.notif_acked);
		wake_up(&t.wq);
		break;
	case N_BURST:
		atomic_inc(&t.burst_recv);
		break;
	}
}

static void on_msg(int id, void *data, void *buf)
{
	const struct peer_msg *m = buf;

	if (m->magic != MSG_MAGIC || m->seq != t.msg_next)
		atomic_inc(&t.msg_bad);
	else
		t.msg_next++;
	atomic_inc(&t.msg_recv);
	wake_up(&t.wq);
}

/* A set the peer may refuse until it has bound the ID: retried. */
static int set_retry(int id)
{
	unsigned long end = jiffies + msecs_to_jiffies(wait_ms);
	int rc;

	while ((rc = t.dev->ops->notifier_ops->notify_send(t.dev, id, false, 0)) &&
	       time_before(jiffies, end))
		usleep_range(1000, 2000);
	return rc;
}

struct burst_arg {
	int sets;
};

static int burst_thread(void *p)
{
	struct burst_arg *a = p;

	for (int i = 0; i < burst && !kthread_should_stop(); i++)
		if (!t.dev->ops->notifier_ops->notify_send(t.dev, N_BURST, false, 0))
			a->sets++;
	while (!kthread_should_stop())
		msleep(1);
	return 0;
}

/* Every CPU sets the same ID as fast as it can: sets coalesce, so the
 * peer counts between 1 and all of them. */
static void notif_burst(void)
{
	struct task_struct **th = kcalloc(nr_cpu_ids, sizeof(*th), GFP_KERNEL);
	struct burst_arg *args = kcalloc(nr_cpu_ids, sizeof(*args), GFP_KERNEL);
	int cpu, n = 0;

	if (!th || !args || set_retry(N_BURST)) {
		pr_err(TAG "burst: the peer never took a notification\n");
		t.failed = 1;
		goto out;
	}
	atomic_inc(&t.burst_sets);
	for_each_online_cpu(cpu) {
		th[n] = kthread_create(burst_thread, &args[n], "ffa-peer-burst/%d", cpu);
		if (IS_ERR(th[n]))
			continue;
		kthread_bind(th[n], cpu);
		wake_up_process(th[n]);
		n++;
	}
	msleep(500);
	for (int i = 0; i < n; i++) {
		kthread_stop(th[i]);
		atomic_add(args[i].sets, &t.burst_sets);
	}
out:
	kfree(args);
	kfree(th);
}

struct exact_arg {
	int cpu;
};

/* Sends from its CPU, one notification in flight at a time across all
 * CPUs: each must come back acked, so a lost NPI re-arm is a timeout. */
static int exact_thread(void *p)
{
	for (;;) {
		int acked;

		mutex_lock(&t.turn);
		if (t.notif_sent >= rounds || t.failed) {
			mutex_unlock(&t.turn);
			break;
		}
		acked = atomic_read(&t.notif_acked);
		if (set_retry(N_DATA)) {
			pr_err(TAG "notification %d not sent\n", t.notif_sent);
			t.failed = 1;
		} else {
			t.notif_sent++;
			if (!wait_event_timeout(t.wq, atomic_read(&t.notif_acked) > acked,
						msecs_to_jiffies(wait_ms))) {
				pr_err(TAG "notification %d: no ack (lost NPI?)\n", t.notif_sent);
				t.failed = 1;
			}
		}
		mutex_unlock(&t.turn);
	}
	while (!kthread_should_stop())
		msleep(1);
	return 0;
}

static void notif_exact(void)
{
	struct task_struct **th = kcalloc(nr_cpu_ids, sizeof(*th), GFP_KERNEL);
	unsigned long end = jiffies + msecs_to_jiffies(wait_ms) * (rounds + 1);
	int cpu, n = 0;

	if (!th) {
		t.failed = 1;
		return;
	}
	for_each_online_cpu(cpu) {
		th[n] = kthread_create(exact_thread, NULL, "ffa-peer-exact/%d", cpu);
		if (IS_ERR(th[n]))
			continue;
		kthread_bind(th[n], cpu);
		wake_up_process(th[n]);
		n++;
	}
	while (READ_ONCE(t.notif_sent) < rounds && !READ_ONCE(t.failed) && time_before(jiffies, end))
		msleep(20);
	for (int i = 0; i < n; i++)
		kthread_stop(th[i]);
	kfree(th);
	/* The peer's own rounds reach us independently. */
	wait_event_timeout(t.wq, atomic_read(&t.notif_recv) >= rounds, msecs_to_jiffies(wait_ms));
}

static void run_notifications(void)
{
	const struct ffa_notifier_ops *n = t.dev->ops->notifier_ops;
	int rc = 0;

	rc = n->notify_request(t.dev, false, on_notif, NULL, N_DATA);
	if (!rc)
		rc = n->notify_request(t.dev, false, on_notif, NULL, N_ACK);
	if (!rc)
		rc = n->notify_request(t.dev, false, on_notif, NULL, N_BURST);
	if (rc) {
		pr_info(TAG "notifications: cannot bind the peer: %d\n", rc);
		t.failed = 1;
		return;
	}
	notif_burst();
	notif_exact();
	/* Let the last burst deliveries and acks land before counting. */
	msleep(200);
	pr_info(TAG "notif sent=%d acked=%d received=%d\n", t.notif_sent,
		atomic_read(&t.notif_acked), atomic_read(&t.notif_recv));
	pr_info(TAG "notif-burst sets=%d received=%d\n", atomic_read(&t.burst_sets),
		atomic_read(&t.burst_recv));
}

/*
 * The driver drops a message for which no driver registered, so this
 * comes first of all: the peer only sends messages after its notification
 * rounds, which need our answers, which come after this.
 */
static int take_messages(void)
{
	int rc = t.dev->ops->notifier_ops->fwk_notify_request(t.dev, on_msg, NULL, 0);

	if (rc) {
		pr_info(TAG "msg: cannot take RX-full notifications: %d\n", rc);
		t.failed = 1;
	}
	return rc;
}

static void run_messages(void)
{
	unsigned long end;
	int rc;

	end = jiffies + msecs_to_jiffies(wait_ms);
	for (u32 i = 0; i < msgs && time_before(jiffies, end);) {
		struct peer_msg m = {.magic = MSG_MAGIC, .seq = i};

		/* BUSY while the peer's RX holds the previous message; refused
		 * until the peer has mapped its RX. */
		rc = t.dev->ops->msg_ops->indirect_send(t.dev, &m, sizeof(m));
		if (rc) {
			usleep_range(200, 400);
			continue;
		}
		t.msg_sent++;
		i++;
		end = jiffies + msecs_to_jiffies(wait_ms);
	}
	wait_event_timeout(t.wq, atomic_read(&t.msg_recv) >= msgs, msecs_to_jiffies(wait_ms));
	pr_info(TAG "msg sent=%d received=%d bad=%d\n", t.msg_sent, atomic_read(&t.msg_recv),
		atomic_read(&t.msg_bad));
}
#endif

static u32 peer_props(void)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 10, 0)
	return t.dev->properties;
#else
	/* 6.1 keeps no properties in the device: ask discovery again. */
	struct ffa_partition_info *buf = kcalloc(16, sizeof(*buf), GFP_KERNEL);
	u32 props = 0;

	if (buf && !t.dev->ops->info_ops->partition_info_get(peer_uuid, buf))
		for (int i = 0; i < 16; i++)
			if (buf[i].id == t.dev->vm_id)
				props = buf[i].properties;
	kfree(buf);
	return props;
#endif
}

#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 10, 0)
extern struct bus_type ffa_bus_type; /* exported, not declared in 6.1's header */
#endif

static int first_ops(struct device *d, void *data)
{
	*(const struct ffa_ops **)data = to_ffa_dev(d)->ops;
	return 1;
}

/* The driver's ops without a peer: those of any device on the FF-A bus. */
static const struct ffa_ops *any_ops(void)
{
	const struct ffa_ops *ops = NULL;

	if (t.dev)
		return t.dev->ops;
	bus_for_each_dev(&ffa_bus_type, NULL, &ops, first_ops);
	return ops;
}

static unsigned long ffa_raw(unsigned long a0, unsigned long a1, unsigned long a2,
			     unsigned long a3, unsigned long *w2)
{
	struct arm_smccc_res res;

	arm_smccc_1_1_invoke(a0, a1, a2, a3, 0, 0, 0, 0, &res);
	*w2 = res.a2;
	return res.a0;
}

/* Whether discovery lists partition `id`: the nil UUID asks for all. The
 * driver copies every entry it got, so the buffer has room for more
 * partitions than any machine here has. */
#define ALL_MAX 64
static bool listed(int id)
{
	struct ffa_partition_info *buf = kcalloc(ALL_MAX, sizeof(*buf), GFP_KERNEL);
	bool found = false;

	/* Unused entries stay zero: ID 0 is never a partition's. */
	if (buf && any_ops() &&
	    !any_ops()->info_ops->partition_info_get("00000000-0000-0000-0000-000000000000", buf))
		for (int i = 0; i < ALL_MAX; i++)
			if (buf[i].id == id)
				found = true;
	kfree(buf);
	return found;
}

/* One denied pair: discovery hides the VM (by its UUID and among all
 * partitions), and binding a notification from it is refused. The driver
 * API needs a device, which discovery never gave us, so the bind is a raw
 * call (no driver state is touched). */
static void run_denied_one(int id, const char *uuid)
{
	struct ffa_partition_info *buf;
	unsigned long a0, w2, self;
	const char *disc = "n/a";
	const char *bind = "refused";

	if (uuid && any_ops()) {
		buf = kcalloc(16, sizeof(*buf), GFP_KERNEL);
		disc = buf && any_ops()->info_ops->partition_info_get(uuid, buf) && !listed(id)
			       ? "hidden"
			       : "LISTED";
		kfree(buf);
	}
	a0 = ffa_raw(FFA_ID_GET_FID, 0, 0, 0, &w2);
	self = a0 == FFA_ERROR_FID ? 0 : (w2 & 0xffff);
	/* BIND: w1 = sender (the denied VM) << 16 | receiver (us), ID 63. */
	a0 = ffa_raw(FFA_NOTIFICATION_BIND_FID, ((unsigned long)id << 16) | self, 0, 1UL << 31,
		     &w2);
	if (a0 != FFA_ERROR_FID) {
		bind = "ACCEPTED";
		ffa_raw(FFA_NOTIFICATION_UNBIND_FID, ((unsigned long)id << 16) | self, 0, 1UL << 31,
			&w2);
		w2 = 0;
	}
	pr_info(TAG "deny id=0x%04x discovery=%s bind=%s(%d)\n", id, disc, bind, (int)w2);
}

static void run_denied(void)
{
	int n = 0;

	for (int i = 0; i < deny_id_count; i++) {
		if (deny_id[i] < 0)
			continue;
		run_denied_one(deny_id[i], i < deny_uuid_count ? deny_uuid[i] : NULL);
		n++;
	}
	if (!n)
		pr_info(TAG "deny: none configured\n");
}

static int peer_probe(struct ffa_device *dev)
{
	if (t.dev)
		return -EBUSY; /* the first peer with that UUID */
	t.dev = dev;
	complete(&t.probed);
	return 0;
}

static void peer_remove(struct ffa_device *dev)
{
}

static struct ffa_driver peer_driver = {
	.name = "ffa-peer-test",
	.probe = peer_probe,
	.remove = peer_remove,
	.id_table = peer_ids,
};

static int __init peer_test_init(void)
{
	u32 props;
	int rc;

	init_completion(&t.probed);
	init_waitqueue_head(&t.wq);
	mutex_init(&t.turn);
	if (uuid_parse(peer_uuid, &peer_ids[0].uuid)) {
		pr_err(TAG "bad peer_uuid %s\n", peer_uuid);
		return -EINVAL;
	}
	rc = ffa_register(&peer_driver);
	if (rc) {
		pr_err(TAG "cannot register with arm_ffa: %d\n", rc);
		return rc;
	}
	/* Binding is synchronous when the device exists already. */
	if (!wait_for_completion_timeout(&t.probed, msecs_to_jiffies(100))) {
		pr_info(TAG "no peer with uuid %s\n", peer_uuid);
		run_denied();
		pr_info(TAG "RESULT peer=none\n");
		return 0;
	}
	props = peer_props();
	pr_info(TAG "peer 0x%04x uuid %pUb props 0x%x\n", t.dev->vm_id, &t.dev->uuid, props);
#if HAVE_NOTIFY_AND_SEND2
	{
		bool msg = props & FFA_PARTITION_INDIRECT_MSG;

		if (msg && take_messages())
			msg = false;
		if (props & FFA_PARTITION_NOTIFICATION_RECV)
			run_notifications();
		else
			pr_info(TAG "notif: the peer takes no notifications\n");
		if (msg)
			run_messages();
		else
			pr_info(TAG "msg: the peer takes no indirect messages\n");
	}
#else
	pr_info(TAG "notif: this kernel's arm_ffa driver gives drivers no notifications\n");
	pr_info(TAG "msg: this kernel's arm_ffa driver gives drivers no indirect messages\n");
#endif
	/* A direct request only completes if the peer waits in FFA_MSG_WAIT,
	 * which no Linux driver does: the sender would block for good. */
	pr_info(TAG "direct: skipped: %s\n",
		(props & FFA_PARTITION_DIRECT_RECV) ? "a Linux peer never waits for requests"
						    : "the peer takes no direct requests");
	run_denied();
	pr_info(TAG "RESULT peer=0x%04x %s\n", t.dev->vm_id, t.failed ? "FAIL" : "done");
	return 0;
}

static void __exit peer_test_exit(void)
{
	ffa_unregister(&peer_driver);
}

module_init(peer_test_init);
module_exit(peer_test_exit);
MODULE_DESCRIPTION("ffamed VM-to-VM test driver over the arm_ffa bus");
MODULE_LICENSE("GPL");
