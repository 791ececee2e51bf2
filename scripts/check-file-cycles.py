#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""File-level call cycles, read from the object files of a build.

A file A depends on a file B when A's object has an undefined symbol that
B's object defines. Files that reach each other form a cycle (a strongly
connected component of that graph); the layering rule (docs/ARCHITECTURE.md)
is that there are none. The graph is read from `nm`, so it sees every direct
call and data reference the linker sees, whatever the headers say; calls
through function pointers (the port's ops) are not edges, by design.

usage: check-file-cycles.py [--verbose] [--all] BUILD_DIR...

Objects of tests/, fuzz/ and examples/ are left out, and so are objects
whose source is gone (a stale incremental build). Exit 0 when there is no
cycle, 1 on a cycle (each printed, with its edges under --verbose), 2 on bad
usage.
"""
import argparse
import os
import re
import subprocess
import sys
from collections import defaultdict

LEFT_OUT = ("tests/", "fuzz/", "examples/")
# Sources are named relative to the repository; an object whose source is
# gone (moved or deleted, the object left behind by an incremental build)
# is not part of the program any more.
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def source_of(obj, build):
    """The repository path of the source an object was compiled from."""
    rel = os.path.relpath(obj, build)
    m = re.match(r"(.*?)/?CMakeFiles/[^/]+\.dir/(.*)\.o$", rel)
    if not m:
        return None
    # CMake spells ".." as "__" in object paths of sources outside the
    # target's directory.
    inner = "/".join(".." if part == "__" else part for part in m.group(2).split("/"))
    return os.path.normpath(os.path.join(m.group(1), inner))


def target_of(obj):
    """The CMake target directory an object belongs to."""
    m = re.match(r"(.*/CMakeFiles/[^/]+\.dir)/", obj)
    return m.group(1) if m else ""


def read_symbols(objs):
    """{object: (defined, undefined)} from one nm run per batch of objects."""
    out = {o: (set(), set()) for o in objs}
    batch = 200
    for i in range(0, len(objs), batch):
        chunk = objs[i:i + batch]
        res = subprocess.run(["nm", "-A", "-g"] + chunk, capture_output=True, text=True)
        if res.returncode != 0:
            sys.exit(f"check-file-cycles: nm failed: {res.stderr.strip()}")
        for line in res.stdout.splitlines():
            # path.o:[address] TYPE name
            head, _, rest = line.partition(".o:")
            obj = head + ".o"
            parts = rest.split()
            if obj not in out or len(parts) < 2:
                continue
            kind, name = parts[-2], parts[-1]
            if kind == "U":
                out[obj][1].add(name)
            elif kind not in ("w", "v"):
                out[obj][0].add(name)
    return out


def sccs(nodes, edges):
    """Tarjan's strongly connected components, iteratively."""
    index, low, on, stack, comps = {}, {}, set(), [], []
    counter = [0]
    for root in sorted(nodes):
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = counter[0]
        counter[0] += 1
        stack.append(root)
        on.add(root)
        while work:
            node, it = work[-1]
            advanced = False
            for nxt in it:
                if nxt not in index:
                    index[nxt] = low[nxt] = counter[0]
                    counter[0] += 1
                    stack.append(nxt)
                    on.add(nxt)
                    work.append((nxt, iter(sorted(edges[nxt]))))
                    advanced = True
                    break
                if nxt in on:
                    low[node] = min(low[node], index[nxt])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                comp = []
                while True:
                    top = stack.pop()
                    on.discard(top)
                    comp.append(top)
                    if top == node:
                        break
                if len(comp) > 1:
                    comps.append(sorted(comp))
    return comps


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("builds", nargs="+", metavar="BUILD_DIR")
    ap.add_argument("--all", action="store_true",
                    help="leave no directory out (the checker's own test)")
    ap.add_argument("--verbose", action="store_true", help="print every edge inside a cycle")
    args = ap.parse_args()

    edges = defaultdict(set)
    why = defaultdict(set)
    nodes = set()
    for build in args.builds:
        if not os.path.isdir(build):
            print(f"check-file-cycles: {build}: not a build directory", file=sys.stderr)
            return 2
        objs = []
        src = {}
        for dirpath, _, files in os.walk(build):
            for f in files:
                if not f.endswith(".c.o"):
                    continue
                obj = os.path.join(dirpath, f)
                s = source_of(obj, build)
                if (s and (args.all or not s.startswith(LEFT_OUT))
                        and os.path.exists(os.path.join(ROOT, s))):
                    objs.append(obj)
                    src[obj] = s
        if not objs:
            print(f"check-file-cycles: {build}: no object files (build it first)",
                  file=sys.stderr)
            return 2
        syms = read_symbols(sorted(objs))
        # A symbol defined in the object's own target wins: two executables
        # may each link their own file defining the same name.
        definer = defaultdict(set)
        local = defaultdict(set)
        for obj, (defined, _) in syms.items():
            for name in defined:
                definer[name].add(src[obj])
                local[(target_of(obj), name)].add(src[obj])
        for obj, (_, undefined) in syms.items():
            a = src[obj]
            nodes.add(a)
            for name in undefined:
                for b in local.get((target_of(obj), name)) or definer.get(name, ()):
                    if b != a:
                        edges[a].add(b)
                        why[(a, b)].add(name)
    for n in nodes:
        edges.setdefault(n, set())

    comps = sccs(nodes, edges)
    def show(comp):
        print(f"  cycle of {len(comp)} files: " + " ".join(comp))
        if args.verbose:
            members = set(comp)
            for a in comp:
                for b in sorted(edges[a] & members):
                    names = sorted(why[(a, b)])
                    more = f" (+{len(names) - 3})" if len(names) > 3 else ""
                    print(f"    {a} -> {b}: {', '.join(names[:3])}{more}")

    for c in comps:
        print("check-file-cycles: a call cycle between files (docs/ARCHITECTURE.md, layers):")
        show(c)
    if comps:
        return 1
    print(f"check-file-cycles: {len(nodes)} files, no cycle")
    return 0

if __name__ == "__main__":
    sys.exit(main())
