#!/usr/bin/env python3
"""The table bench/run-all.sh prints and writes to OUT/results.md, made from what it
recorded under OUT/raw/ (records.tsv: one line per timed command; outputs.tsv, loads.tsv,
floor-inputs.tsv, js.tsv, header.txt, and the commands' own stderr and time reports).
Standard library only. Usage: bench/run_all_report.py OUT_DIR
"""
import os
import re
import statistics
import sys

STAGES = ["collect", "evaluate", "oscal", "pdf", "xlsx", "pack", "verify", "period-collect", "period-evaluate"]
TITLES = {"collect": "collect --replay", "evaluate": "evaluate", "oscal": "evaluate --oscal",
          "pdf": "render --pdf", "xlsx": "render --xlsx", "pack": "pack", "verify": "verify",
          "period-collect": "collect --period --jobs-out", "period-evaluate": "evaluate --jobs"}
FLOORS = {"gzip6-xml": ("gzip -6, one core", "xml"), "pigz-xml": ("pigz -6, all cores", "xml"),
          "gzip6-tar": ("gzip -6, one core", "tar"), "pigz-tar": ("pigz -6, all cores", "tar"),
          "sha256-tar": ("sha256sum", "tar"), "gunzip-bundle": ("gzip -dc", "bundle")}
INPUTS = {"xml": "workbook XML (all parts, unzipped)", "tar": "bundle's tar (gunzipped)", "bundle": "bundle (.tar.gz)"}
# Others used more than this share of one core during a run: the row is marked.
FOREIGN_SHARE = 0.10


def label(n):
    n = int(n)
    if n >= 1000000 and n % 1000000 == 0:
        return f"{n // 1000000}M"
    if n >= 1000 and n % 1000 == 0:
        return f"{n // 1000}k"
    return str(n)


def fmt(x, digits=2):
    return "-" if x is None else f"{x:.{digits}f}"


def ratio(a, b):
    return a / b if a is not None and b else None


def read_tsv(path, width):
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as f:
        return [line.rstrip("\n").split("\t") for line in f if line.count("\t") >= width - 1]


class Runs:
    """The runs of one stage of one build at one size."""

    def __init__(self):
        self.rows = []

    def add(self, row):
        self.rows.append(row)

    @property
    def good(self):
        return [r for r in self.rows if r["ok"]]

    @property
    def failures(self):
        return [r for r in self.rows if not r["ok"]]

    def stat(self, key, how):
        vals = [r[key] for r in self.good]
        return how(vals) if vals else None

    def marked(self):
        return any(r["foreign"] > FOREIGN_SHARE * max(r["wall"], 0.01) for r in self.rows)


def pack_stage_seconds(err_path):
    """pack's own per-stage seconds from its stderr: "(collect 0.63s, evaluate 0.23s, ...)"."""
    try:
        text = open(err_path, encoding="utf-8", errors="replace").read()
    except OSError:
        return {}
    m = re.search(r"bytes in [0-9.]+s \(([^)]*)\)", text)
    if not m:
        return {}
    return {k: float(v) for k, v in re.findall(r"([a-z]+) ([0-9.]+)s", m.group(1))}


def time_report(path):
    vals = {}
    try:
        with open(path, encoding="utf-8") as f:
            for line in f:
                k, _, v = line.strip().partition(": ")
                vals[k] = v
    except OSError:
        return None
    wall = 0.0
    for part in vals.get("Elapsed (wall clock) time (h:mm:ss or m:ss)", "0").split(":"):
        wall = wall * 60 + float(part)
    return {"wall": wall, "cpu": float(vals.get("User time (seconds)", 0)) + float(vals.get("System time (seconds)", 0)),
            "rss": int(vals.get("Maximum resident set size (kbytes)", 0)) / 1024}


def main():
    out = sys.argv[1]
    raw = os.path.join(out, "raw")
    runs = {}
    for rec in read_tsv(os.path.join(raw, "records.tsv"), 11):
        s, st, b, r, rc, ok, wall, cpu, rss, foreign, load = rec[:11]
        runs.setdefault((s, st, b), Runs()).add({"run": r, "rc": rc, "ok": ok == "1", "wall": float(wall),
                                                  "cpu": float(cpu), "rss": int(rss) / 1024,
                                                  "foreign": float(foreign), "load": float(load)})
    sets = []
    for (s, _st, _b) in runs:
        if s not in sets:
            sets.append(s)
    sizes = sorted((s for s in sets if s.isdigit()), key=int)
    order = sizes + [s for s in sets if not s.isdigit()]
    has_old = any(b == "old" for (_s, _st, b) in runs)
    lines = []
    p = lines.append

    def table(title, columns, note=None):
        """A section: its heading, an optional line under it, the column header."""
        p(f"## {title}")
        p("")
        if note:
            p(note)
            p("")
        p("| " + " | ".join(columns) + " |")
        p("|" + "---|" * len(columns))

    with open(os.path.join(raw, "header.txt"), encoding="utf-8") as f:
        header = [line.rstrip("\n") for line in f]
    p("# vaultproof benchmark (bench/run-all.sh)")
    p("")
    for h in header:
        p(f"- {h}")
    loads = {}
    for s, when, v in read_tsv(os.path.join(raw, "loads.tsv"), 3):
        loads.setdefault(s, {})[when] = v
    if loads:
        p("- load average (1 min) before -> after each size: "
          + "; ".join(f"{label(s) if s.isdigit() else s} {v.get('before', '?')} -> {v.get('after', '?')}"
                      for s, v in loads.items()))
    p("")

    def get(s, st, b):
        return runs.get((s, st, b))

    def median(s, st, b, key="wall"):
        x = get(s, st, b)
        return x.stat(key, statistics.median) if x else None

    def floor_wall(s, st):
        return median(s, st, "floor")

    # pack's own per-stage seconds, median over the good runs
    pack_parts = {}
    for (s, st, b), x in runs.items():
        if st != "pack":
            continue
        parts = [pack_stage_seconds(os.path.join(raw, s, f"{b}-pack-{r['run']}.err")) for r in x.good]
        parts = [q for q in parts if q]
        if parts:
            pack_parts[(s, b)] = {k: statistics.median(q.get(k, 0.0) for q in parts) for k in parts[0]}

    cols = ["items", "stage", "runs", "min s", "median s", "median CPU s", "peak RSS MB", "x prev size",
            "RSS KB/item"]
    if has_old:
        cols += ["old median s", "old CPU s", "old RSS MB", "new/old wall", "new/old CPU", "new/old RSS"]
    cols += ["x floor"]
    stage_rows = any(st in STAGES for (_s, st, _b) in runs)
    if stage_rows:
        table("Stages", cols)
    failures = []
    any_marked = False
    for s in order:
        prev = None
        if s.isdigit():
            i = sizes.index(s)
            prev = sizes[i - 1] if i > 0 else None
        for st in STAGES:
            new = get(s, st, "new")
            old = get(s, st, "old")
            if not new and not old:
                continue
            mark = (new and new.marked()) or (old and old.marked())
            any_marked = any_marked or bool(mark)
            for b, x in (("new", new), ("old", old)):
                for r in (x.failures if x else []):
                    failures.append(f"{label(s) if s.isdigit() else s} {TITLES[st]} ({b} build, run {r['run']}): "
                                    + ("skipped, an earlier stage failed" if r["rc"] == "skip" else f"exit {r['rc']}")
                                    + f", see raw/{s}/{b}-{st}-{r['run']}.err")
            med = median(s, st, "new")
            cpu = median(s, st, "new", "cpu")
            rss = new.stat("rss", max) if new else None
            row = [label(s) if s.isdigit() else "10k + jobs", TITLES[st] + (" *" if mark else ""),
                   str(len(new.good)) + (f" ({len(new.failures)} failed)" if new and new.failures else "")
                   if new else "0",
                   fmt(new.stat("wall", min) if new else None), fmt(med), fmt(cpu), fmt(rss, 1)]
            if prev and med is not None and median(prev, st, "new"):
                row.append(f"{med / median(prev, st, 'new'):.2f} of {label(prev)} (items x{int(s) / int(prev):.1f})")
                prss = get(prev, st, "new").stat("rss", max)
                row.append(fmt((rss - prss) * 1024 / (int(s) - int(prev)), 2) if rss is not None and prss else "-")
            else:
                row += ["-", "-"]
            if has_old:
                omed = median(s, st, "old")
                ocpu = median(s, st, "old", "cpu")
                orss = old.stat("rss", max) if old else None
                row += [fmt(omed), fmt(ocpu), fmt(orss, 1), fmt(ratio(med, omed)), fmt(ratio(cpu, ocpu)),
                        fmt(ratio(rss, orss))]
            fl = "-"
            if st == "xlsx" and floor_wall(s, "gzip6-xml"):
                fl = f"{med / floor_wall(s, 'gzip6-xml'):.1f}x gzip -6 of its XML" if med else "-"
            elif st == "pack" and (s, "new") in pack_parts and floor_wall(s, "pigz-tar"):
                a = pack_parts[(s, "new")].get("archive")
                if a is not None:
                    fl = f"archive {a:.2f} s = {a / floor_wall(s, 'pigz-tar'):.1f}x pigz of its tar"
            elif st == "verify" and floor_wall(s, "sha256-tar") and floor_wall(s, "gunzip-bundle"):
                f = floor_wall(s, "sha256-tar") + floor_wall(s, "gunzip-bundle")
                fl = f"{med / f:.1f}x sha256sum + gzip -dc" if med else "-"
            row.append(fl)
            p("| " + " | ".join(row) + " |")
    if stage_rows:
        p("")
        p("min s, median s: wall-clock seconds over the runs; median CPU s: user + system seconds (all threads);"
          " peak RSS: the largest maximum resident set over the runs; x prev size: median wall at this size over"
          " the previous size's (linear = the items ratio); RSS KB/item: peak RSS growth per added item since the"
          " previous size; new/old: medians of the new build over the old build's (below 1 = the new one is"
          " faster or smaller); x floor: the stage over the standard tool doing the irreducible part of its work on"
          " the same bytes (table Floors).")
        if any_marked:
            p(f"* other processes used more than {FOREIGN_SHARE:.0%} of a core during at least one run of this row"
              " (machine CPU time from /proc/stat minus the stage's own): its wall times are not the machine's; read"
              " CPU time and RSS.")
        p("")

    if pack_parts:
        keys = []
        for v in pack_parts.values():
            for k in v:
                if k not in keys:
                    keys.append(k)
        table("pack's own stages (median s, from its stderr)", ["items", "build"] + keys)
        for s in order:
            for b in ("new", "old"):
                if (s, b) in pack_parts:
                    p(f"| {label(s) if s.isdigit() else s} | {b} | "
                      + " | ".join(fmt(pack_parts[(s, b)].get(k)) for k in keys) + " |")
        p("")

    inputs = {(s, k): int(v) for s, k, v in read_tsv(os.path.join(raw, "floor-inputs.tsv"), 3)}
    floor_rows = [(s, st) for s in order for st in FLOORS if get(s, st, "floor")]
    if floor_rows:
        table("Floors (once per size, on the new build's outputs of run 1)",
              ["items", "tool", "input", "input MB", "wall s", "CPU s", "MB/s"])
        for s, st in floor_rows:
            tool, what = FLOORS[st]
            w, c = floor_wall(s, st), median(s, st, "floor", "cpu")
            size = inputs.get((s, what))
            p(f"| {label(s)} | {tool} | {INPUTS[what]} | {fmt(size / 1e6 if size else None, 1)} | {fmt(w)} | {fmt(c)}"
              f" | {fmt(size / 1e6 / w if size and w else None, 0)} |")
        p("")

    outputs = {}
    for rec in read_tsv(os.path.join(raw, "outputs.tsv"), 5):
        outputs[(rec[0], rec[1], rec[2])] = (int(rec[3]), rec[4])
    peer_rows = [(s, st) for s in order for st in ("peer-xlsxwriter", "peer-openpyxl") if get(s, st, "peer")]
    if peer_rows:
        table("Peers: the items and findings sheets of the same snapshot and findings, once per size",
              ["items", "writer", "wall s", "CPU s", "peak RSS MB", "xlsx MB", "x vaultproof render --xlsx wall",
               "x its RSS"])
        for s in order:
            if not any(ps == s for ps, _ in peer_rows):
                continue
            vw, vr = median(s, "xlsx", "new"), get(s, "xlsx", "new")
            vrss = vr.stat("rss", max) if vr else None
            vsize = outputs.get((s, "new", "workbook.xlsx"))
            p(f"| {label(s)} | vaultproof render --xlsx (all sheets, median) | {fmt(vw)} |"
              f" {fmt(median(s, 'xlsx', 'new', 'cpu'))} | {fmt(vrss, 1)} | {fmt(vsize[0] / 1e6 if vsize else None, 1)}"
              " | 1 | 1 |")
            for ps, st in peer_rows:
                if ps != s:
                    continue
                x = get(s, st, "peer")
                name = {"peer-xlsxwriter": "Python XlsxWriter 3 (constant_memory)",
                        "peer-openpyxl": "Python openpyxl 3 (write_only)"}[st]
                if x.rows and x.rows[0]["rc"] == "missing":
                    p(f"| {label(s)} | {name} | not installed (run-all.sh --install-peers) | | | | | |")
                    continue
                w, c, r = x.stat("wall", min), x.stat("cpu", min), x.stat("rss", max)
                size = outputs.get((s, "peer", f"{st}.xlsx"))
                p(f"| {label(s)} | {name} | {fmt(w)} | {fmt(c)} | {fmt(r, 1)} | {fmt(size[0] / 1e6 if size else None, 1)}"
                  f" | {fmt(ratio(w, vw), 1)} | {fmt(ratio(r, vrss), 1)} |")
        p("")

    js = read_tsv(os.path.join(raw, "js.tsv"), 2)
    if js:
        table("Live collection against the ARM emulator (bench/live-collect.sh: +50 ms per response, 200 items a"
              " page, 8 in flight)", ["items", "client", "wall s", "CPU s", "peak RSS MB", "note"],
              "The emulator (Python) runs on the same cores and serves every page: at 100k items it is most of the"
              " wall time; the clients' own cost is their CPU time and RSS.")
        for s, rc in js:
            d = os.path.join(raw, s, "live")
            logtext = open(os.path.join(d, "live-collect.log"), encoding="utf-8", errors="replace").read() \
                if os.path.exists(os.path.join(d, "live-collect.log")) else ""
            # live-collect.sh prints vaultproof's request count first, then the SDK's
            req = re.findall(r"requests\s+(\d+)", logtext)
            for i, (name, f) in enumerate((("vaultproof collect (live)", "vaultproof.time"),
                                           ("Azure SDK for JavaScript", "js.time"))):
                t = time_report(os.path.join(d, f))
                if t:
                    note = f"{req[i]} requests" if len(req) > i else ""
                    p(f"| {label(s)} | {name} | {fmt(t['wall'])} | {fmt(t['cpu'])} | {fmt(t['rss'], 1)} | {note} |")
                else:
                    why = re.findall(r"JS baseline[^\n]*", logtext)
                    p(f"| {label(s)} | {name} | - | - | - | {why[-1] if why else f'did not run (exit {rc})'};"
                      f" raw/{s}/live/live-collect.log |")
        p("")

    if has_old:
        table("Outputs, old and new build (run 1): byte-identical or not (informative)",
              ["items", "output", "new bytes", "old bytes", "same"])
        for s in order:
            for name in ("snapshot.json", "findings.json", "oscal.json", "report.pdf", "workbook.xlsx", "bundle",
                         "p-snapshot.json", "jobs.jsonl", "p-findings.json"):
                n, o = outputs.get((s, "new", name)), outputs.get((s, "old", name))
                if not n and not o:
                    continue
                same = "yes" if n and o and n[1] == o[1] else "differs"
                if name == "bundle" and same == "differs":
                    same += members_differing(os.path.join(raw, s))
                p(f"| {label(s) if s.isdigit() else '10k + jobs'} | {name} | {n[0] if n else '-'} | {o[0] if o else '-'}"
                  f" | {same} |")
        p("")
        p("Outputs record the commit of the build that wrote them (and findings the snapshot's SHA-256): for"
          " equal bytes configure the new build with -DVP_GIT_COMMIT=<the old build's commit>. An ECDSA signer"
          " signs with a random nonce, so its bundles always differ in the signatures.")
        p("")

    if failures:
        p("## Failed stages")
        p("")
        for f in failures:
            p(f"- {f}")
        p("")
    sys.stdout.write("\n".join(lines))


def members_differing(d):
    def load(b):
        try:
            with open(os.path.join(d, f"{b}-bundle-members.tsv"), encoding="utf-8") as f:
                return {x[0]: tuple(x[1:]) for x in (line.rstrip("\n").split("\t") for line in f) if len(x) == 3}
        except OSError:
            return None
    n, o = load("new"), load("old")
    if n is None or o is None:
        return ""
    names = sorted(k for k in set(n) | set(o) if n.get(k) != o.get(k))
    shown = ", ".join(names[:6]) + (f" and {len(names) - 6} more" if len(names) > 6 else "")
    return f": {len(names)} of {len(set(n) | set(o))} members ({shown})" if names else ": members equal, encoding differs"


if __name__ == "__main__":
    main()
