#!/usr/bin/env python3
"""Re-draw a vaultproof audit sample by hand (docs/sampling.md), with nothing but the
Python standard library, to check the sample a bundle or `vaultproof sample` recorded.

    redraw_sample.py --population items --size 25 --seed 42 [--strata vault] FILE
    redraw_sample.py --check sample.json FILE     (re-draw what sample.json records, compare)

FILE is the population file: a jobs.jsonl (jobs), a snapshot.json (items, vms) or a
findings.json (findings). Prints the sample's record as JSON (the members' ordinal, key,
stratum and draw value; the allocation; the file's SHA-256 and size). With --check, exits
0 when the re-drawn sample equals the record's, 1 (naming the first difference) if not.
This script is the method's second, independent implementation: it reads no vaultproof
code, and the unit tests' known answers come from it.
"""
import argparse
import hashlib
import heapq
import json
import sys

VAULT_MARKER = "/providers/microsoft.recoveryservices/vaults/"


def ascii_lower(s):
    return "".join(chr(ord(c) + 32) if "A" <= c <= "Z" else c for c in s)


def members(population, path):
    """(key, vault) of every member, in the file's order."""
    if population == "jobs":
        with open(path, "rb") as f:
            for line in f:
                job = json.loads(line)
                if "detail_of" in job:
                    continue  # a job's details, not a job
                yield job["id"], vault_of(job.get("vault_id"))
    elif population in ("items", "vms"):
        with open(path, "rb") as f:
            snap = json.load(f)
        if population == "items":
            for item in snap["protected_items"]:
                yield item["id"], vault_of(item.get("vault_id"))
        else:
            for vm in snap["virtual_machines"]:
                by = vm.get("protected_by") or []
                yield vm["id"], vault_of(by[0] if by else None)
    elif population == "findings":
        with open(path, "rb") as f:
            doc = json.load(f)
        for finding in doc["findings"]:
            rid = finding["resource"]["id"]
            yield finding["rule"] + " " + rid, vault_of(rid)
    else:
        raise SystemExit("unknown population %r" % population)


def vault_of(arm_id):
    """The vault an ARM id lies in: the id through the vault's name, in ASCII lower case
    ("" when it names none or is not an ARM id)."""
    if not arm_id or not arm_id.startswith("/"):
        return ""
    low = ascii_lower(arm_id)
    at = low.find(VAULT_MARKER)
    if at < 0:
        return ""
    name = at + len(VAULT_MARKER)
    end = low.find("/", name)
    if end == name or name == len(low):
        return ""
    return low if end < 0 else low[:end]


def draw_value(seed, key):
    return hashlib.sha256(seed.encode("utf-8") + b"\x00" + key.encode("utf-8")).digest()


def allocate(pops, n):
    """Largest remainder: one per stratum first when n allows, the rest proportionally."""
    h = len(pops)
    base = 1 if n >= h else 0
    rest = n - base * h
    weights = [p - base for p in pops]
    total = sum(weights)
    alloc, rem = [], []
    for w in weights:
        q = rest * w
        alloc.append(base + (q // total if total else 0))
        rem.append(q % total if total else 0)
    left = n - sum(alloc)
    while left > 0:
        best = None
        for i in range(h):
            if alloc[i] < pops[i] and (best is None or rem[i] > rem[best]):
                best = i
        if best is None:
            break
        alloc[best] += 1
        rem[best] = 0
        left -= 1
    return alloc


def smallest(entries, n):
    """The n entries (value, ordinal, key, stratum) with the smallest (value, ordinal)."""
    return heapq.nsmallest(n, entries, key=lambda e: (e[0], e[1]))


def redraw(population, path, size, seed, strata):
    if size < 1:
        raise SystemExit("size must be at least 1")
    with open(path, "rb") as f:
        sha = hashlib.sha256(f.read()).hexdigest()
    entries = []
    for ordinal, (key, vault) in enumerate(members(population, path), start=1):
        entries.append((draw_value(seed, key), ordinal, key, vault if strata == "vault" else ""))
    allocation = []
    if strata == "vault":
        names = sorted({e[3] for e in entries}, key=lambda s: s.encode("utf-8"))
        pops = [sum(1 for e in entries if e[3] == s) for s in names]
        alloc = pops if size >= len(entries) else allocate(pops, size)
        drawn = []
        for s, p, a in zip(names, pops, alloc):
            drawn += smallest([e for e in entries if e[3] == s], a)
            allocation.append({"stratum": s, "population": p, "drawn": a})
    else:
        drawn = smallest(entries, size)
    drawn.sort(key=lambda e: e[1])
    return {
        "format": "vaultproof-sample/1",
        "method": "sha256-smallest/1",
        "seed": seed,
        "population": {"name": population, "sha256": sha, "size": len(entries)},
        "strata": strata,
        "size_requested": size,
        "size_drawn": len(drawn),
        "allocation": allocation,
        "members": [{"ordinal": e[1], "key": e[2], "stratum": e[3], "sha256": e[0].hex()} for e in drawn],
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--population", choices=["jobs", "items", "vms", "findings"])
    ap.add_argument("--size", type=int)
    ap.add_argument("--seed")
    ap.add_argument("--strata", choices=["vault"])
    ap.add_argument("--check", metavar="SAMPLE_JSON", help="compare with this record")
    ap.add_argument("file")
    a = ap.parse_args()
    if a.check:
        with open(a.check, encoding="utf-8") as f:
            rec = json.load(f)
        mine = redraw(rec["population"]["name"], a.file, rec["size_requested"], rec["seed"], rec["strata"])
        theirs = dict(rec)
        theirs["population"] = {k: v for k, v in rec["population"].items() if k != "file"}
        for field in ("population", "strata", "size_drawn", "allocation", "members"):
            if mine[field] != theirs[field]:
                print("DIFFERENT: %s: re-drawn %s, recorded %s" % (field, json.dumps(mine[field])[:400],
                                                                    json.dumps(theirs[field])[:400]))
                return 1
        print("SAME: %d of %d %s (seed %s) re-drawn from %s" % (mine["size_drawn"], mine["population"]["size"],
                                                             mine["population"]["name"], mine["seed"], a.file))
        return 0
    if not (a.population and a.size is not None and a.seed):
        ap.error("give --population, --size and --seed (or --check SAMPLE_JSON)")
    json.dump(redraw(a.population, a.file, a.size, a.seed, a.strata), sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
