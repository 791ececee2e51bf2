#!/usr/bin/env python3
# Writes the committed seed corpus of fuzz/fuzz_mediator.c (program format in
# docs/SECURITY.md) and copies tests/scripts/*.ffs as seeds of fuzz_script.
# Re-run after changing the harness's opcode or table layout.
import os, shutil, struct, sys

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
out = os.path.join(root, "fuzz", "corpus", "fuzz_mediator")
os.makedirs(out, exist_ok=True)

# Index tables, as in fuzz_mediator.c.
FIDS = ["VERSION", "FEATURES", "RX_RELEASE", "RXTX_MAP_32", "RXTX_MAP_64", "RXTX_UNMAP",
        "PIG", "PIG_REGS", "ID_GET", "SPM_ID_GET", "RUN", "REQ_32", "REQ_64", "REQ2",
        "RESP_32", "MSG_WAIT", "YIELD", "BIND", "UNBIND", "SET", "GET", "INFO_GET_64",
        "BITMAP_CREATE", "SHARE_32", "SHARE_64", "LEND_64", "DONATE_64", "RETRIEVE_64",
        "RELINQUISH", "RECLAIM", "FRAG_RX", "FRAG_TX", "SEND2", "RX_ACQUIRE", "CONSOLE_64"]
IDS = [0x0000, 0x0001, 0x0002, 0x0003, 0x0004, 0x7FFF, 0x8000, 0x8001, 0x8002, 0x8003,
       0x8004, 0xFFFF, 0x0100]
OP_CALL, OP_CALL_RAW, OP_TX_BYTES, OP_MEM_DESC, OP_SETUP, OP_VM_CYCLE = range(6)


def fid(name):
    return FIDS.index(name)


def reg_zero():
    return [0]


def reg_u32(v):
    return [5] + list(struct.pack("<I", v))


def reg_pair(a, b):
    return [3, IDS.index(a), IDS.index(b)]


def call(vm, vcpu, name, regs):
    b = [OP_CALL, vm - 1, vcpu, fid(name), len(regs) + 1]
    for r in regs:
        b += r
    return b


def setup(vm, ver):  # ver: 0 = 1.0, 1 = 1.1, 2 = 1.2
    return [OP_SETUP, vm - 1, ver]


seeds = {
    "setup_all": [0] + setup(1, 2) + setup(2, 1) + setup(3, 0),
    "partinfo": [0] + setup(1, 2) + call(1, 0, "PIG", [reg_zero()] * 5) +
    call(1, 0, "RX_RELEASE", []),
    "partinfo_regs": [0] + setup(2, 2) + call(2, 1, "PIG_REGS", [reg_zero()] * 3),
    "direct_req": [0] + setup(1, 2) +
    call(1, 1, "REQ_64", [reg_pair(1, 0x8001), reg_zero(), reg_u32(0xEC400001)]) +
    call(1, 0, "REQ_32", [reg_pair(1, 0x8003), reg_zero(), reg_u32(1)]),
    "direct_run": [0] + setup(1, 2) +
    call(1, 0, "REQ_64", [reg_pair(1, 0x8001), reg_zero(), reg_u32(0xEC400002), [1, 2]]) +
    call(1, 0, "RUN", [[4, IDS.index(0x8001), 0]]) + call(1, 0, "RUN", [[4, IDS.index(0x8001), 0]]),
    "notif": [0] + setup(1, 2) +
    call(1, 0, "BIND", [reg_pair(0x8001, 1), reg_zero(), reg_u32(1), reg_zero()]) +
    call(1, 0, "GET", [[4, IDS.index(1), 0], reg_u32(0xF)]) +
    call(1, 0, "UNBIND", [reg_pair(0x8001, 1), reg_zero(), reg_u32(1), reg_zero()]),
    "mem_share": [0] + setup(1, 2) + [OP_MEM_DESC, 0] + [0] * 8 + [1] * 40,
    "vm_cycle": [1] + setup(1, 2) + [OP_VM_CYCLE, 0, OP_VM_CYCLE, 0] + setup(1, 1) +
    call(1, 0, "ID_GET", []),
    "features": [0] + setup(3, 2) + call(3, 0, "FEATURES", [[7, fid("REQ2")]]) +
    call(3, 0, "FEATURES", [reg_u32(1)]),
    # VM 2 asks ECHO on the context VM 1's preempted request holds.
    "busy_ctx": [0] + setup(1, 2) + setup(2, 2) +
    call(1, 0, "REQ_64", [reg_pair(1, 0x8001), reg_zero(), reg_u32(0xEC400002), [1, 3]]) +
    call(2, 0, "REQ_64", [reg_pair(2, 0x8001), reg_zero(), reg_u32(0xEC400001)]) +
    call(2, 0, "RUN", [[4, IDS.index(0x8001), 0]]) + call(1, 0, "RUN", [[4, IDS.index(0x8001), 0]]),
    # VM-to-VM system (flags bit 0): discovery lists the other VMs.
    "vm_to_vm": [1] + setup(1, 2) + setup(2, 1) + call(1, 0, "PIG", [reg_zero()] * 5) +
    call(2, 0, "PIG", [reg_zero()] * 5) + call(2, 1, "PIG_REGS", [reg_zero()] * 3),
    "tx_bytes": [0] + setup(2, 2) + [OP_TX_BYTES, 1, 1, 0, 16] + list(range(16)) +
    call(2, 0, "SHARE_64", [reg_u32(16), reg_u32(16)]),
}
for name, data in seeds.items():
    with open(os.path.join(out, name), "wb") as f:
        f.write(bytes(data))

sout = os.path.join(root, "fuzz", "corpus", "fuzz_script")
os.makedirs(sout, exist_ok=True)
sdir = os.path.join(root, "tests", "scripts")
for n in sorted(os.listdir(sdir)) if os.path.isdir(sdir) else []:
    if n.endswith(".ffs"):
        shutil.copy(os.path.join(sdir, n), os.path.join(sout, n))
print("seeds:", len(seeds), "mediator,", len(os.listdir(sout)), "script")
