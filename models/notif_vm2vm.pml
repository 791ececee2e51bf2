/*
 * SPDX-License-Identifier: MIT
 *
 * VM-to-VM notification delivery in the ffamed mediator: one receiver VM,
 * two sender VMs, NPI injection into the receiver's vCPUs. The protocol and
 * the properties are described in models/README.md; run
 * scripts/check-models.sh to verify them.
 *
 * Build-time switches (spin -D...):
 *   SEED000_RACE   SET as in the first Xen patch (seed 000): the decision to
 *                  inject is taken under the lock, the injection is attempted
 *                  after dropping it, and on failure the newly added pending
 *                  bits are rolled back under the re-taken lock. Only the
 *                  delivery properties (P1) are checked in this mode, so any
 *                  error SPIN reports is a notification that a sender was
 *                  told had been set and that is never delivered.
 *   OFFLINE_REARM  the vCPU-offline hook re-targets an armed NPI latched on
 *                  the vCPU going offline (see README, "vCPU that never
 *                  comes back").
 *   STAY_OFFLINE   the environment may leave vCPU 1 offline for ever; the
 *                  end-state check then only requires vCPU 0 to be online.
 *   HOOK_BEFORE_ONLINE  mutant host that calls the online hook before the
 *                  vCPU reads as online (shows why the order is required).
 *   PARTIAL_GET    GET may ask for only some classes (flags), leaving bits
 *                  pending.
 *   NO_POLL        the guest never calls NOTIFICATION_GET on its own, only
 *                  from the NPI handler; enables the "no empty NPI" check.
 *   NSETS_A0, NSETS_A1, NSETS_B, NTOGGLE  bounds: SETs per sender
 *                  instance, online/offline flips of the host.
 */

#ifndef NSETS_A0	/* SETs by VM A from its vCPU 0 */
#define NSETS_A0 2
#endif
#ifndef NSETS_A1	/* SETs by VM A from its vCPU 1 */
#define NSETS_A1 1
#endif
#ifndef NSETS_B
#define NSETS_B 1
#endif
#ifndef NTOGGLE
#define NTOGGLE 3
#endif

#define NID 3 /* VM notification IDs 0..2 of the receiver */
#define NV 2  /* receiver vCPUs */

/* Sender VMs and their bindings (static: BIND/UNBIND are not modelled). */
#define VM_A 1
#define VM_B 2
#define BOUND_MASK(vm) (((vm) == VM_A) -> 3 : 4) /* A owns IDs 0,1; B owns ID 2 */

#ifdef SEED000_RACE
#define CHECK_P2 0
#define CHECK_P3 0
#else
#define CHECK_P2 1
#define CHECK_P3 1
#endif

/* ---- Mediator state, guarded by notif_lock ---- */
byte notif_lock;  /* 0 = free, else holder's _pid + 1 */
byte vm_pending;  /* bitmap of pending VM notification IDs */
bool npi_armed;   /* an NPI was injected and no GET has drained since */
byte armed_vcpu;  /* the vCPU the armed NPI was injected into */

/* ---- Host state (not under notif_lock) ---- */
bool online[NV];
bool virq[NV];    /* NPI latched in the vCPU interface */

/* ---- Ghost state (verification only) ---- */
/*
 * owed[id]: bit i set = sender instance i got FFA_SUCCESS for a SET of id
 * that no GET has delivered yet. Set at the point the bit is made pending,
 * cleared when a GET takes id.
 */
byte owed[NID];
bool in_get[NV];  /* vCPU took the NPI and its GET has not drained yet */
bool hook_due[NV];/* vCPU marked online, mediator online hook not yet run */
byte senders_done;
bool env_done;

#define BIT(i) (1 << (i))

/*
 * Which sender instances are owed only matters when a SET can be withdrawn
 * (the racy variant); otherwise one bit per ID keeps the state space small.
 */
#ifdef SEED000_RACE
#define OWED_BIT(inst) BIT(inst)
#else
#define OWED_BIT(inst) 1
#endif

/*
 * Invariants, required whenever notif_lock is free.
 * P1a: nothing owed has vanished from vm_pending.
 * P1b: nothing is pending that nobody was told was set.
 * P2a: an armed NPI is latched on its vCPU or being handled there.
 * P2b: nothing pending without an armed NPI while a vCPU that the mediator
 *      knows is online could take one.
 */
#define OWED_MASK (((owed[0] != 0) -> 1 : 0) | ((owed[1] != 0) -> 2 : 0) | \
		   ((owed[2] != 0) -> 4 : 0))
#define P1A ((OWED_MASK & ~vm_pending) == 0)
#define P1B ((vm_pending & ~OWED_MASK) == 0)
#define P2A (!npi_armed || virq[armed_vcpu] || in_get[armed_vcpu])
#define P2B (vm_pending == 0 || npi_armed || \
	     ((!online[0] || hook_due[0]) && (!online[1] || hook_due[1])))

/*
 * Checked at every release of notif_lock and after every host step. No step
 * keeps the lock held into the next one, so this covers every reachable
 * state.
 */
inline check_invariants()
{
	assert(P1A);
	assert(P1B);
	if :: CHECK_P2 -> assert(P2A && P2B) :: else fi
}

/*
 * Each mediator operation is one atomic step holding notif_lock. That is
 * exact for mediator state (only touched under the lock) and loses no
 * behaviour for host state: a critical section reads online[] once and
 * writes virq[] once, and a host action (online/offline flip, NPI ack)
 * landing between the two gives the same states as the same action just
 * after the whole section (the ack needs the vCPU online and the virq set;
 * the online hook waits for the lock). Only the seed-000 variant releases
 * the lock mid-operation, and there the steps are split.
 */
inline acquire()
{
	notif_lock == 0 -> notif_lock = _pid + 1
}

inline release()
{
	assert(notif_lock == _pid + 1);
	check_invariants();
	notif_lock = 0
}

/* Under notif_lock: the only place that arms the NPI. */
inline inject(v)
{
	assert(notif_lock == _pid + 1);
	assert(vm_pending != 0);	/* P2c: never inject for nothing */
	virq[v] = 1;
	npi_armed = 1;
	armed_vcpu = v
}

inline mark_owed(inst, bits)
{
	if :: bits & BIT(0) -> owed[0] = owed[0] | OWED_BIT(inst) :: else fi;
	if :: bits & BIT(1) -> owed[1] = owed[1] | OWED_BIT(inst) :: else fi;
	if :: bits & BIT(2) -> owed[2] = owed[2] | OWED_BIT(inst) :: else fi
}

inline unmark_owed(inst, bits)
{
	if :: bits & BIT(0) -> owed[0] = owed[0] & ~OWED_BIT(inst) :: else fi;
	if :: bits & BIT(1) -> owed[1] = owed[1] & ~OWED_BIT(inst) :: else fi;
	if :: bits & BIT(2) -> owed[2] = owed[2] & ~OWED_BIT(inst) :: else fi
}

/* P3: no transition other than GET may drop a pending bit. */
inline p3_check()
{
	if :: CHECK_P3 -> assert((before & ~vm_pending) == 0) :: else fi
}

#ifndef SEED000_RACE
/*
 * FFA_NOTIFICATION_SET from sender instance `inst` of VM `vm`. The lock is
 * held from the bound check to the injection; pending bits are never
 * rolled back; the NPI is armed only by an actual injection.
 */
inline notification_set(inst, vm, bits)
{
	atomic {
		acquire();
		before = vm_pending;
		if
		:: (bits & ~BOUND_MASK(vm)) != 0 ->
			ok = 0	/* DENIED: nothing changes */
		:: else ->
			vm_pending = vm_pending | bits;
			mark_owed(inst, bits);
			ok = 1;
			if
			:: !npi_armed ->
				/* any online vCPU (host state) */
				if
				:: online[0] -> inject(0)
				:: online[1] -> inject(1)
				:: else -> skip	/* stays pending, not armed */
				fi
			:: else -> skip
			fi
		fi;
		assert(ok || vm_pending == before);
		p3_check();
		release();
		before = 0
	}
}
#else
/*
 * Seed 000, first version of the patch: decide under the lock, inject after
 * dropping it, roll back the newly added bits if no vCPU was online. Read
 * charitably where the thread does not show the code: the failed SET
 * returns an error (its own bits are not owed) and the rollback also
 * disarms the NPI it had armed.
 */
inline notification_set(inst, vm, bits)
{
	atomic {
		acquire();
		before = vm_pending;
		if
		:: (bits & ~BOUND_MASK(vm)) != 0 ->
			ok = 0;
			want = 0
		:: else ->
			vm_pending = vm_pending | bits;
			mark_owed(inst, bits);
			ok = 1;
			if
			:: !npi_armed -> npi_armed = 1; want = 1
			:: else -> want = 0
			fi
		fi;
		release();
		newbits = bits & ~before;
		before = 0
	};
	if
	:: want && newbits != 0 ->
		if
		:: online[0] -> atomic { virq[0] = 1; armed_vcpu = 0 }
		:: online[1] -> atomic { virq[1] = 1; armed_vcpu = 1 }
		:: else ->
			atomic {
				acquire();
				vm_pending = vm_pending & ~newbits;
				npi_armed = 0;
				armed_vcpu = 0;
				unmark_owed(inst, bits);
				ok = 0;
				release()
			}
		fi
	:: else -> skip
	fi;
	want = 0;
	newbits = 0
}
#endif

/* FFA_NOTIFICATION_GET (VM bitmap) from receiver vCPU v. */
inline notification_get(v, from_npi)
{
#ifdef PARTIAL_GET
	/* flags may leave a class out: IDs 0,1 vs ID 2 stand for two classes */
	if :: mask = 7 :: mask = 3 :: mask = 4 fi;
#endif
	atomic {
#ifndef PARTIAL_GET
		mask = 7;
#endif
		acquire();
		take = vm_pending & mask;
		vm_pending = vm_pending & ~take;
		npi_armed = 0;	/* the next SET re-arms */
		armed_vcpu = 0;
		in_get[v] = 0;
		/* something left (classes not asked for): NPI again, to the caller */
		if :: vm_pending != 0 -> inject(v) :: else fi;
		if :: take & BIT(0) -> owed[0] = 0 :: else fi;
		if :: take & BIT(1) -> owed[1] = 0 :: else fi;
		if :: take & BIT(2) -> owed[2] = 0 :: else fi;
#ifdef NO_POLL
#ifndef OFFLINE_REARM
		/* Without guest polling, an NPI always finds something to get. */
		assert(!from_npi || mask != 7 || take != 0);
#endif
#endif
		release();
		take = 0;
		mask = 0
	}
}

/* Mediator hook: the host has marked vCPU v online. */
inline vcpu_online_hook(v)
{
	atomic {
		acquire();
		before = vm_pending;
		hook_due[v] = 0;
		if
		:: vm_pending != 0 && !npi_armed -> inject(v)
		:: else -> skip
		fi;
		p3_check();
		release();
		before = 0
	}
}

inline vcpu_up(v)
{
#ifndef HOOK_BEFORE_ONLINE
	atomic { online[v] = 1; hook_due[v] = 1; check_invariants() };
	vcpu_online_hook(v)
#else
	/* Wrong host order (mutant): hook first, then the vCPU is online. */
	vcpu_online_hook(v);
	atomic { online[v] = 1; check_invariants() }
#endif
}

inline vcpu_down(v)
{
	atomic { online[v] = 0; check_invariants() };
#ifdef OFFLINE_REARM
	/* Mediator hook: an NPI armed on a vCPU going away is re-targeted. */
	atomic {
		acquire();
		before = vm_pending;
		if
		:: npi_armed && armed_vcpu == v ->
			npi_armed = 0;
			armed_vcpu = 0;
			if
			:: v != 0 && online[0] -> inject(0)
			:: v != 1 && online[1] -> inject(1)
			:: else -> skip
			fi
		:: else -> skip
		fi;
		p3_check();
		release();
		before = 0
	}
#endif
}

proctype sender(byte inst; byte vm; byte nsets)
{
	byte n, bits, before, newbits;
	bool ok, want;
	do
	:: n < nsets ->
		if
		:: vm == VM_A ->
			if
			:: bits = 1
			:: bits = 2
			:: bits = 3
			fi
		:: else ->
			if
			:: bits = 4
			:: bits = 1	/* not bound to B: DENIED */
			fi
		fi;
		notification_set(inst, vm, bits);
		atomic { n++; bits = 0; ok = 0 }
	:: else -> break
	od;
	senders_done++
}

/* A receiver vCPU: takes the NPI when online; may also poll with GET. */
proctype vcpu(byte v)
{
	byte take, mask;
	bool polled;
end:
	do
	:: atomic {
		virq[v] && online[v] -> virq[v] = 0; in_get[v] = 1; check_invariants()
	   };
		notification_get(v, 1)
#ifndef NO_POLL
	:: online[v] && !polled -> polled = 1;
		notification_get(v, 0)
#endif
	od
}

/* The host: bounded online/offline flips, then vCPUs come back online. */
proctype env()
{
	byte t, before;
	do
	:: t < NTOGGLE ->
		t++;
		if
		:: online[0] -> vcpu_down(0)
		:: !online[0] -> vcpu_up(0)
		:: online[1] -> vcpu_down(1)
		:: !online[1] -> vcpu_up(1)
		fi
	:: break
	od;
	if :: !online[0] -> vcpu_up(0) :: else fi;
#ifndef STAY_OFFLINE
	if :: !online[1] -> vcpu_up(1) :: else fi;
#endif
	env_done = 1
}

/*
 * End state: once nothing can move (senders done, host done, every online
 * vCPU idle), every SET that returned success has been delivered and
 * nothing is left pending or armed.
 */
active proctype quiescence()
{
	timeout ->
	assert(senders_done == 3 && env_done);
	assert(owed[0] == 0 && owed[1] == 0 && owed[2] == 0);	/* P1 */
	assert(vm_pending == 0);
	assert(!npi_armed || !online[armed_vcpu])
}

#ifdef LTL_P1
/* P1 as liveness: an ID owed to a sender is eventually delivered. */
ltl p1_delivered {
	[] ((owed[0] != 0 -> <> (owed[0] == 0)) &&
	    (owed[1] != 0 -> <> (owed[1] == 0)) &&
	    (owed[2] != 0 -> <> (owed[2] == 0)))
}
#endif

init
{
	atomic {
		online[0] = 1;
		online[1] = 1;
		run sender(0, VM_A, NSETS_A0);	/* VM A calling from two of its vCPUs */
		run sender(1, VM_A, NSETS_A1);
		run sender(2, VM_B, NSETS_B);
		run vcpu(0);
		run vcpu(1);
		run env()
	}
}
