#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Generates the per-function table of docs/ABI-COVERAGE.md from the code.

Sources: the function ID list (include/ffamed/ffa_names.h, values from
include/ffamed/ffa.h), the handler column of that list (which the mediator's dispatcher is
built from) and its gate (med_fid_props in src/mediator/med_features.c), the
software SPMC's dispatcher (src/spmc/spmc.c) and version gate
(src/spmc/spmc_setup.c), and the tests that name each ID. The table goes
between the markers <!-- generated:begin --> and <!-- generated:end -->;
everything outside them is left as written.

usage: abi-coverage.py [--check] [ROOT]
  --check  exit 1 (and say so) when the committed file differs from what
           would be generated; change nothing
"""
import pathlib
import re
import sys

BEGIN = "<!-- generated:begin -->"
END = "<!-- generated:end -->"
DOC = "docs/ABI-COVERAGE.md"


def fail(msg):
    print(f"abi-coverage.py: {msg}", file=sys.stderr)
    sys.exit(2)


def read(root, rel):
    return (root / rel).read_text()


def function_body(src, signature):
    """The text of the C function whose definition starts with `signature`."""
    start = src.find(signature)
    if start < 0:
        fail(f"cannot find '{signature}'")
    brace = src.index("{", start)
    depth = 0
    for i in range(brace, len(src)):
        if src[i] == "{":
            depth += 1
        elif src[i] == "}":
            depth -= 1
            if depth == 0:
                return src[brace:i + 1]
    fail(f"unbalanced braces after '{signature}'")


def switch_groups(body):
    """(case labels, statements up to the next label group) of every
    `switch (fid)` in a function body, in order."""
    groups = []
    labels, stmts = [], []
    for line in body.splitlines():
        m = re.match(r"\s*case (FFA_[A-Z0-9_]+):(.*)$", line)
        if m:
            if stmts:
                groups.append((labels, "\n".join(stmts)))
                labels, stmts = [], []
            labels.append((m.group(1), m.group(2).strip()))
            continue
        if re.match(r"\s*default:", line):
            if labels:
                groups.append((labels, "\n".join(stmts)))
            labels, stmts = [("default", "")], []
            continue
        if labels:
            stmts.append(line)
    if labels:
        groups.append((labels, "\n".join(stmts)))
    return groups


def fid_values(root):
    ffa = read(root, "include/ffamed/ffa.h")
    values = {}
    for name, conv, num in re.findall(
            r"^#define (FFA_[A-Z0-9_]+)\s+FFA_SMC(32|64)\((0x[0-9A-Fa-f]+)\)", ffa, re.M):
        values[name] = (0x84000000 if conv == "32" else 0xC4000000) | int(num, 16)
    names_h = read(root, "include/ffamed/ffa_names.h")
    fid_list = names_h[names_h.index("#define FFA_FID_LIST(X)"):]
    fid_list = fid_list[:fid_list.index("\n\n")]
    rows = re.findall(r"X\((FFA_[A-Z0-9_]+), (\d+), ([a-z0-9_]+)\)(?:\s*/\*\s*(.*?)\s*\*/)?",
                      fid_list)
    names = [r[0] for r in rows]
    unknown = sorted(set(names) - set(values))
    if unknown:
        fail("ffa_names.h lists IDs ffa.h does not define: " + ", ".join(unknown))
    missing = sorted(set(values) - set(names))
    if missing:
        fail("function IDs of ffa.h missing from ffa_names.h: " + ", ".join(missing))
    return [(n, values[n], int(since), handler, why) for n, since, handler, why in rows]


# Words for the pieces of med_fid_props' conditions.
CONDITION_WORDS = [
    (r"med_version_at_least\(version, FFA_VERSION_1_(\d)\)", r"v1.\1+ guest"),
    (r"med_msg_vm_available\(med\)", "VM-to-VM messaging (`vm_to_vm` and a blocking port)"),
    (r"\(?med->fw_abis & MED_FW_([A-Z0-9_]+)\)?", r"SPMC offers \1"),
    (r"\(?med->sp_props_any & FFA_PART_PROP_([A-Z0-9_]+)\)?", r"an SP with \1"),
    (r"med->sp_count", "SPs"),
    (r"med->fw_version != 0", "an SPMC"),
    (r"med->fw_version", "an SPMC"),
    (r"med->cfg\.vm_to_vm", "`vm_to_vm`"),
    (r"med_notif_available\(med\)", "notifications available"),
    (r"med->ops->guest_set_access != NULL", "port `guest_set_access`"),
    (r"med->ops->borrow_map && med->ops->borrow_unmap", "port `borrow_map`/`borrow_unmap`"),
]


def condition_text(expr):
    expr = " ".join(expr.split())
    if expr == "true":
        return "always"
    if expr == "false":
        return "never"
    for pat, words in CONDITION_WORDS:
        expr = re.sub(pat, words, expr)
    expr = expr.replace("&&", "and").replace("||", "or")
    return expr


def mediator_gate(root, fids):
    body = function_body(read(root, "src/mediator/med_features.c"),
                         "static int64_t med_fid_props(")
    gate = {}
    for labels, stmts in switch_groups(body):
        m = re.search(r"served\s*=\s*(.*?);", stmts, re.S)
        cond = condition_text(m.group(1)) if m else "?"
        for name, _ in labels:
            gate[name] = cond
    # The table's `since` column gates every ID before the switch.
    for name, _, since, _, _ in fids:
        if since and name in gate:
            cond = gate[name]
            words = f"v1.{since}+ guest"
            if cond != "always":
                words += " and " + (f"({cond})" if " or " in cond else cond)
            gate[name] = words
    return gate


def mediator_dispatch(fids):
    """Handlers from the table's handler column (ffamed/ffa_names.h)."""
    handled = {}
    for name, _, _, handler, why in fids:
        if handler in ("none", "answer"):
            handled[name] = "NOT_SUPPORTED" + (f" ({why})" if why else "")
        elif handler == "version":
            handled[name] = "`med_handle_version` (before the version gate)"
        else:
            handled[name] = f"`med_handle_{handler}`"
    return handled


def spmc_served(root):
    src = read(root, "src/spmc/spmc.c")
    gate = read(root, "src/spmc/spmc_setup.c")
    since = {}
    for labels, stmts in switch_groups(function_body(gate, "bool spmc_fid_supported(")):
        m = re.search(r"return (.*?);", stmts)
        ret = " ".join(m.group(1).split()) if m else "false"
        v = re.search(r"FFA_VERSION_1_(\d)", ret)
        for name, _ in labels:
            since[name] = f"v1.{v.group(1)}+" if v else ("v1.0+" if ret == "true" else None)
    calls = function_body(src, "void ffamed_spmc_call(")
    dispatched = set()
    for labels, stmts in switch_groups(calls):
        handlers = set(re.findall(r"\b(spmc_[a-z0-9_]+)\(", stmts)) - {"spmc_refuse"}
        if handlers:
            dispatched.update(name for name, _ in labels)
    out = {}
    for name, v in since.items():
        if v and name in dispatched:
            out[name] = v
    # Answered before the dispatcher's switch.
    if re.search(r"fid == FFA_VERSION\)\s*\{\s*spmc_version_call\(", calls):
        out["FFA_VERSION"] = "v1.0+ (before the version gate)"
    return out


def tests_naming(root, names):
    files = sorted(p for p in (root / "tests").rglob("*")
                   if p.is_file() and (p.suffix == ".ffs" or
                                       (p.suffix == ".c" and p.name.startswith("test_"))))
    texts = {p.relative_to(root / "tests").as_posix(): p.read_text(errors="replace")
             for p in files}
    found = {}
    for name in names:
        pat = re.compile(r"\b" + name + r"\b")
        found[name] = [f for f, t in texts.items() if pat.search(t)]
    return found


def table(root):
    fids = fid_values(root)
    gate = mediator_gate(root, fids)
    handled = mediator_dispatch(fids)
    spmc = spmc_served(root)
    tests = tests_naming(root, [f[0] for f in fids])
    out = [
        "_Generated by `scripts/abi-coverage.py` from `include/ffamed/ffa_names.h`, the "
        "handler column the mediator's dispatcher is built from, the gate "
        "(`med_fid_props`, src/mediator/med_features.c), the software SPMC's dispatcher "
        "(src/spmc/spmc.c) and the tests that name each ID. Do not edit it: run the script; "
        "ctest `hygiene_abi_coverage` fails when it is stale._",
        "",
        "| function | FID | mediator: handler | mediator: served to a guest when "
        "(FFA_FEATURES agrees) | software SPMC serves it to the hypervisor | tests naming "
        "it |",
        "|---|---|---|---|---|---|",
    ]
    for name, value, _, _, _ in fids:
        h = handled.get(name, "NOT_SUPPORTED (not in the dispatcher)")
        served = "never" if h.startswith("NOT_SUPPORTED") else gate.get(name, "never")
        t = tests[name]
        shown = ", ".join(t[:4]) + (f", +{len(t) - 4} more" if len(t) > 4 else "")
        out.append(f"| {name} | 0x{value:08X} | {h} | {served} | {spmc.get(name, 'no')} | "
                   f"{len(t)}{': ' + shown if t else ''} |")
    return "\n".join(out) + "\n"


def main():
    args = sys.argv[1:]
    check = "--check" in args
    args = [a for a in args if a != "--check"]
    root = pathlib.Path(args[0] if args else pathlib.Path(__file__).resolve().parent.parent)
    doc = read(root, DOC)
    if doc.count(BEGIN) != 1 or doc.count(END) != 1 or doc.index(BEGIN) > doc.index(END):
        fail(f"{DOC} needs one '{BEGIN}' and one '{END}', in that order")
    head, rest = doc.split(BEGIN)
    _, tail = rest.split(END)
    new = head + BEGIN + "\n" + table(root) + END + tail
    if check:
        if new != doc:
            print(f"{DOC} is stale: run python3 scripts/abi-coverage.py and commit the result",
                  file=sys.stderr)
            sys.exit(1)
        print(f"{DOC}: generated table up to date")
        return
    if new != doc:
        (root / DOC).write_text(new)
        print(f"{DOC}: table regenerated")


if __name__ == "__main__":
    main()
