#!/usr/bin/python3
"""The workbook a user would otherwise write in Python: the snapshot's protected items on
one sheet with the same columns as vaultproof's "Protected Items" sheet (dates as dates,
counts as numbers), and with --findings also findings.json on a second sheet. Two
libraries, each in the mode its documentation advises for large files:
  --library openpyxl    (Debian python3-openpyxl) write_only mode
  --library xlsxwriter  (Debian python3-xlsxwriter) constant_memory mode
Both get exactly the same rows from the same code, so the difference is the library. No
formula-injection guard, no README, Summary or other sheets: the baseline is the
cheapest reasonable script, for timing only (bench/run-all.sh, bench/render-xlsx.sh).

Usage: bench/xlsx_baseline.py [--library openpyxl|xlsxwriter] SNAPSHOT OUT.xlsx [--findings FINDINGS]
Exit status: 0 written; 2 usage; 3 the library is not installed (the message names the
Debian package).
"""
import argparse
import datetime
import importlib
import json
import sys

PACKAGES = {"openpyxl": "python3-openpyxl", "xlsxwriter": "python3-xlsxwriter"}

ITEM_COLUMNS = [
    ("Item", "friendly_name"), ("Kind", "kind"), ("Vault", None), ("Subscription", "subscription_id"),
    ("Policy", ("policy", "name")), ("Policy link", ("policy", "link")), ("Protection state", "protection_state"),
    ("Protection status", "protection_status"), ("Health status", "health_status"),
    ("Last backup status", "last_backup_status"), ("Last backup (UTC)", "last_backup_time"),
    ("Last recovery point (UTC)", "last_recovery_point"), ("Oldest recovery point (UTC)", "oldest_recovery_point"),
    ("Recovery points", "recovery_point_count"), ("Deferred delete", ("deferred_delete", "scheduled")),
    ("Deferred delete time (UTC)", ("deferred_delete", "time")), ("Archive enabled", "archive_enabled"),
    ("Policy state", "policy_state"), ("Protected item type", "item_type"),
    ("Backup management type", "backup_management_type"), ("Workload type", "workload_type"),
    ("Server", "server"), ("Container", "container"), ("Source resource id", "source_resource_id"),
    ("Virtual machine id", "virtual_machine_id"), ("Values outside the documented enum", "unknown_enums"),
    ("Vault listed", "vault_listed"), ("Name", "name"), ("Id", "id"), ("Policy id", ("policy", "id")),
    ("Source file", ("source", "file")), ("Source pointer", ("source", "pointer")),
]
TIMES = {"last_backup_time", "last_recovery_point", "oldest_recovery_point", ("deferred_delete", "time")}


def value(item, key, vault_names):
    if key is None:
        return vault_names.get(item["vault_id"].lower(), item["vault_id"])
    v = item[key[0]][key[1]] if isinstance(key, tuple) else item.get(key)
    if isinstance(v, list):
        return "; ".join(v) or None
    if key in TIMES and v:
        return datetime.datetime.strptime(v[:19], "%Y-%m-%dT%H:%M:%S")
    return v


FINDING_COLUMNS = ["Rule", "Status", "Severity", "Resource type", "Resource", "Observed", "Expected", "Note",
                   "Citations", "Resource id", "Evidence in snapshot", "Evidence in raw responses"]


def finding_row(x):
    return [x["rule"], x["status"], x["severity"], x["resource"]["type"], x["resource"]["name"],
            x["observed"], x["expected"], x["note"], "; ".join(x["citations"]), x["resource"]["id"],
            x["evidence"]["snapshot"], x["evidence"]["raw"]]


def sheets(args):
    """(sheet name, header, row iterator) for each sheet, the rows produced lazily so
    only the parsed JSON, not a second copy as rows, is in memory."""
    with open(args.snapshot, encoding="utf-8") as f:
        snap = json.load(f)
    vault_names = {v["id"].lower(): v["name"] for v in snap["vaults"]}
    items = snap.pop("protected_items")
    del snap
    yield ("Protected Items", [title for title, _ in ITEM_COLUMNS],
           ([value(item, key, vault_names) for _, key in ITEM_COLUMNS] for item in items))
    del items
    if args.findings:
        with open(args.findings, encoding="utf-8") as f:
            findings = json.load(f)["findings"]
        yield ("Findings", FINDING_COLUMNS, (finding_row(x) for x in findings))


def write_openpyxl(lib, args):
    wb = lib.Workbook(write_only=True)
    for name, header, rows in sheets(args):
        ws = wb.create_sheet(name)
        ws.append(header)
        for row in rows:
            ws.append(row)
    wb.save(args.out)


def write_xlsxwriter(lib, args):
    wb = lib.Workbook(args.out, {"constant_memory": True, "default_date_format": "yyyy-mm-dd hh:mm:ss"})
    for name, header, rows in sheets(args):
        ws = wb.add_worksheet(name)
        ws.write_row(0, 0, header)
        for r, row in enumerate(rows, start=1):
            ws.write_row(r, 0, row)
    wb.close()


def main():
    ap = argparse.ArgumentParser(description="the XLSX a user would otherwise write with a Python library")
    ap.add_argument("--library", choices=sorted(PACKAGES), default="openpyxl")
    ap.add_argument("snapshot")
    ap.add_argument("out")
    ap.add_argument("--findings")
    args = ap.parse_args()
    try:
        lib = importlib.import_module(args.library)
    except ImportError:
        print(f"xlsx_baseline: {args.library} is not installed (Debian package {PACKAGES[args.library]})",
              file=sys.stderr)
        return 3
    (write_openpyxl if args.library == "openpyxl" else write_xlsxwriter)(lib, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
