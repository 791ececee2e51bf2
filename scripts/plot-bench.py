#!/usr/bin/env python3
"""Plots of `ffamed bench --json` output, as SVG, with the standard library only.

    build/ffamed bench --json > bench.json
    scripts/plot-bench.py bench.json docs/

writes into the output directory:
  bench-overhead.svg  wall time per call, mediated against direct, per case
  bench-scaling.svg   scaling from 1 to 2 vCPU threads (CPU-time and wall)
  bench-share.svg     MEM_SHARE+MEM_RECLAIM time against size in pages, from
                      the "share_reclaim" list ({"pages", "mediated_ns",
                      "direct_ns"} entries); a placeholder until the bench
                      has memory sharing cases.
"""
import json
import math
import sys
from pathlib import Path

FONT = 'font-family="sans-serif" font-size="12"'
COLOURS = {"mediated": "#3b6fb6", "direct": "#9aa5b1", "stub": "#e0913a"}


def esc(s):
    return str(s).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def svg(width, height, body):
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}">\n<rect width="100%" height="100%" fill="white"/>\n'
            + "\n".join(body) + "\n</svg>\n")


def legend(x, y, names):
    out = []
    for i, name in enumerate(names):
        out.append(f'<rect x="{x}" y="{y + i * 18}" width="12" height="12" '
                   f'fill="{COLOURS[name]}"/>')
        out.append(f'<text x="{x + 18}" y="{y + i * 18 + 11}" {FONT}>{esc(name)}</text>')
    return out


def overhead(data):
    cases = [c for c in data["cases"] if "mediated" in c]
    bar, gap, left, top = 12, 10, 170, 40
    width = 760
    height = top + len(cases) * (2 * bar + gap) + 40
    vmax = max(max(c["mediated"]["ns"], c["direct"]["ns"]) for c in cases) or 1
    scale = (width - left - 120) / vmax
    body = [f'<text x="10" y="20" {FONT} font-weight="bold">Wall time per call (ns, '
            f'median): mediated vs straight into the SPMC</text>']
    y = top
    for c in cases:
        body.append(f'<text x="{left - 8}" y="{y + bar + 4}" {FONT} text-anchor="end">'
                    f'{esc(c["name"])}</text>')
        for k, path in enumerate(("mediated", "direct")):
            ns = c[path]["ns"]
            w = max(ns * scale, 1)
            yy = y + k * bar
            body.append(f'<rect x="{left}" y="{yy}" width="{w:.1f}" height="{bar - 1}" '
                        f'fill="{COLOURS[path]}"/>')
            label = f'{ns:.0f}' + (f'  ({c["overhead"]:.2f}x)' if path == "mediated" else "")
            body.append(f'<text x="{left + w + 4:.1f}" y="{yy + bar - 2}" {FONT}>{label}</text>')
        y += 2 * bar + gap
    body += legend(width - 100, 30, ["mediated", "direct"])
    return svg(width, height, body)


def scaling(data):
    cases = [c for c in data["cases"] if "mediated" in c and "scaling" in c["mediated"]]
    pending = [c for c in data["cases"] if "pending_on" in c]
    groups = []
    for c in cases:
        groups.append((c["name"], [("mediated", c["mediated"]["scaling"]),
                                   ("direct", c["direct"]["scaling"]),
                                   ("stub", c.get("stub_scaling"))]))
    width, left, top, bottom = 760, 60, 40, 80
    height = 320
    plot_h = height - top - bottom
    ymax = 2.5
    body = [f'<text x="10" y="20" {FONT} font-weight="bold">Scaling, 1 to 2 vCPU threads of '
            f'different VMs (filled: CPU-time figure, outline: wall time)</text>']

    def ypos(v):
        return top + plot_h - min(v, ymax) / ymax * plot_h

    for v in (0, 0.5, 1, 1.5, 2, 2.5):
        body.append(f'<line x1="{left}" x2="{width - 130}" y1="{ypos(v):.1f}" y2="{ypos(v):.1f}" '
                    f'stroke="#ddd"/>')
        body.append(f'<text x="{left - 6}" y="{ypos(v) + 4:.1f}" {FONT} text-anchor="end">'
                    f'{v:g}x</text>')
    body.append(f'<line x1="{left}" x2="{width - 130}" y1="{ypos(1.8):.1f}" y2="{ypos(1.8):.1f}" '
                f'stroke="#c0392b" stroke-dasharray="6,4"/>')
    body.append(f'<text x="{width - 128}" y="{ypos(1.8) + 4:.1f}" {FONT} fill="#c0392b">'
                f'goal 1.8x</text>')
    n = max(len(groups), 1)
    gw = (width - 130 - left) / n
    bw = gw / 8
    for gi, (name, paths) in enumerate(groups):
        x0 = left + gi * gw + bw
        for pi, (path, s) in enumerate(paths):
            if not s:
                continue
            x = x0 + pi * 2 * bw
            cpu, wall = s["cpu_scaling"], s["wall_scaling"]
            body.append(f'<rect x="{x:.1f}" y="{ypos(cpu):.1f}" width="{bw:.1f}" '
                        f'height="{ypos(0) - ypos(cpu):.1f}" fill="{COLOURS[path]}"/>')
            body.append(f'<rect x="{x + bw:.1f}" y="{ypos(wall):.1f}" width="{bw * 0.8:.1f}" '
                        f'height="{ypos(0) - ypos(wall):.1f}" fill="none" '
                        f'stroke="{COLOURS[path]}" stroke-width="2"/>')
        body.append(f'<text x="{left + gi * gw + gw / 2:.1f}" y="{height - bottom + 18}" {FONT} '
                    f'text-anchor="middle">{esc(name)}</text>')
        cpus = [s.get("cpus") for _, s in paths if s and s.get("cpus") is not None]
        if cpus:
            # How many CPUs the 2-thread runs really had (2: a fair test).
            body.append(f'<text x="{left + gi * gw + gw / 2:.1f}" y="{height - bottom + 34}" '
                        f'{FONT} text-anchor="middle" fill="#777">CPUs used: '
                        f'{min(cpus):.2f}-{max(cpus):.2f}</text>')
    if pending:
        names = ", ".join(f'{c["name"]} ({c["pending_on"]})' for c in pending
                          if "scaling" in c.get("what", "") or c["name"].startswith("notif"))
        if names:
            body.append(f'<text x="{left}" y="{height - 20}" {FONT} fill="#777">pending: '
                        f'{esc(names)}</text>')
    body += legend(width - 100, 40, ["mediated", "direct", "stub"])
    return svg(width, height, body)


def share(data):
    """Share+reclaim time against size, log-log: linear cost is a straight line of slope 1."""
    points = data.get("share_reclaim") or []
    width, height, left, top, bottom = 760, 340, 80, 40, 50
    body = [f'<text x="10" y="20" {FONT} font-weight="bold">MEM_SHARE + MEM_RECLAIM to an SP: '
            f'time against size (log-log)</text>']
    if not points:
        body.append(f'<text x="{width / 2}" y="{height / 2}" {FONT} text-anchor="middle" '
                    f'fill="#777">no share_reclaim figures in this run</text>')
        return svg(width, height, body)
    plot_w, plot_h = width - left - 190, height - top - bottom
    pmax = max(p["pages"] for p in points)
    vals = [p[k] for p in points for k in ("mediated_ns", "direct_ns") if p.get(k, 0) > 0]
    vmin, vmax = min(vals), max(vals)
    lmin, lmax = math.floor(math.log10(vmin)), math.ceil(math.log10(vmax))
    lmax = max(lmax, lmin + 1)

    def xpos(pages):
        return left + math.log2(max(pages, 1)) / max(math.log2(max(pmax, 2)), 1) * plot_w

    def ypos(v):
        return top + plot_h - (math.log10(max(v, 1)) - lmin) / (lmax - lmin) * plot_h

    body.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{top + plot_h}" '
                f'y2="{top + plot_h}" stroke="#333"/>')
    for e in range(lmin, lmax + 1):
        y = ypos(10 ** e)
        body.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" '
                    f'stroke="#eee"/>')
        body.append(f'<text x="{left - 6}" y="{y + 4:.1f}" {FONT} text-anchor="end">'
                    f'1e{e} ns</text>')
    series = []
    for path in ("mediated", "direct"):
        for layout, dash in (("contiguous", ""), ("scattered", ' stroke-dasharray="6,4"')):
            pts = [(xpos(p["pages"]), ypos(p[f"{path}_ns"])) for p in points
                   if p.get("layout", "contiguous") == layout and p.get(f"{path}_ns", 0) > 0]
            if pts:
                body.append('<polyline fill="none" stroke-width="2" stroke="%s"%s points="%s"/>'
                            % (COLOURS[path], dash,
                               " ".join(f"{x:.1f},{y:.1f}" for x, y in pts)))
                series.append((path, layout, dash))
    for pages in sorted({p["pages"] for p in points}):
        body.append(f'<text x="{xpos(pages):.1f}" y="{top + plot_h + 16}" {FONT} '
                    f'text-anchor="middle">{pages}</text>')
    body.append(f'<text x="{left + plot_w / 2}" y="{height - 8}" {FONT} '
                f'text-anchor="middle">pages (log scale)</text>')
    lx = width - 180
    for i, (path, layout, dash) in enumerate(series):
        y = 50 + i * 18
        body.append(f'<line x1="{lx}" x2="{lx + 24}" y1="{y}" y2="{y}" stroke-width="2" '
                    f'stroke="{COLOURS[path]}"{dash}/>')
        body.append(f'<text x="{lx + 30}" y="{y + 4}" {FONT}>{path}, {layout}</text>')
    return svg(width, height, body)


def main():
    if len(sys.argv) != 3:
        sys.stderr.write(__doc__)
        return 2
    src = sys.stdin if sys.argv[1] == "-" else open(sys.argv[1])
    data = json.load(src)
    out = Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    (out / "bench-overhead.svg").write_text(overhead(data))
    (out / "bench-scaling.svg").write_text(scaling(data))
    (out / "bench-share.svg").write_text(share(data))
    return 0


if __name__ == "__main__":
    sys.exit(main())
