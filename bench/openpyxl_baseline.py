#!/usr/bin/python3
"""The workbook a user would otherwise write: openpyxl (Debian python3-openpyxl), the
snapshot's protected items on one sheet with the same columns as vaultproof's
"Protected Items" sheet (dates as dates, counts as numbers), and with --findings also
findings.json on a second sheet. write_only mode, the library's own advice for large
files. No formula-injection guard, no README, Summary or other sheets: the baseline is
the cheapest reasonable script, for timing only.

Usage: bench/openpyxl_baseline.py SNAPSHOT OUT.xlsx [--findings FINDINGS]
"""
import argparse
import datetime
import json

import openpyxl

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


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("snapshot")
    ap.add_argument("out")
    ap.add_argument("--findings")
    args = ap.parse_args()
    with open(args.snapshot, encoding="utf-8") as f:
        snap = json.load(f)
    vault_names = {v["id"].lower(): v["name"] for v in snap["vaults"]}
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("Protected Items")
    ws.append([title for title, _ in ITEM_COLUMNS])
    for item in snap["protected_items"]:
        ws.append([value(item, key, vault_names) for _, key in ITEM_COLUMNS])
    del snap
    if args.findings:
        ws = wb.create_sheet("Findings")
        ws.append(["Rule", "Status", "Severity", "Resource type", "Resource", "Observed", "Expected", "Note",
                   "Citations", "Resource id", "Evidence in snapshot", "Evidence in raw responses"])
        with open(args.findings, encoding="utf-8") as f:
            findings = json.load(f)["findings"]
        for x in findings:
            ws.append([x["rule"], x["status"], x["severity"], x["resource"]["type"], x["resource"]["name"],
                       x["observed"], x["expected"], x["note"], "; ".join(x["citations"]), x["resource"]["id"],
                       x["evidence"]["snapshot"], x["evidence"]["raw"]])
    wb.save(args.out)


if __name__ == "__main__":
    main()
