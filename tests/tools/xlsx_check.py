#!/usr/bin/python3
"""Checks a vaultproof evidence workbook against the snapshot and findings it was made
from, with tools independent of vaultproof (Debian: unzip, xlsx2csv, python3-openpyxl).

  xlsx_check.py WORKBOOK --snapshot SNAPSHOT --findings FINDINGS [--now T] [--max-rows N]

Checks: the zip is sound (unzip -tq), every part has a content type and every
relationship target exists, xlsx2csv converts every sheet, openpyxl loads it; the sheet
names and header rows are the documented ones; each population's rows (over all parts
of a population split at the row limit) equal the snapshot's and findings' counts and
match them row by row on key columns; each finding's citations resolve through its Rule
on the Rules sheet (they are shown once per rule); cells are typed (dates are datetimes, counts
numbers, ids text); every data sheet has a frozen header row, an autofilter and a
defined name over its rows; no text cell begins with = + - @ (formula injection); the
Summary's formulas, evaluated here, give their cached values and those equal the
findings' counts; the document properties carry the pinned clock. Prints OK or the
first failure (exit 1). Importable: check(...) raises AssertionError.
"""
import argparse
import datetime
import json
import os
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
import zipfile

import openpyxl

STATUSES = ["pass", "warn", "fail", "not-applicable", "exempt", "incomplete"]
DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
MAX_TAG_COLUMNS = 40

HEADERS = {
    "Controls": ["Framework", "Citation", "Control", "Control result", "Control operated effectively (snapshots)",
                 "Of snapshots", "Rule", "Rule title", "Severity", "Rule result", "Findings", "Pass", "Warn", "Fail",
                 "Not applicable", "Exempt", "Incomplete", "Rule operated effectively (snapshots)", "Of snapshots"],
    "Rules": ["Rule", "Rule title", "Severity", "Citations"],
    "Findings": ["Rule", "Status", "Severity", "Resource type", "Resource", "Vault", "Observed", "Expected", "Note",
                 "Exemption #", "Exemption approver", "Exemption expires", "Exemption reason",
                 "Resource id", "Evidence in snapshot (JSON pointer)", "Evidence in raw responses (file#pointer)"],
    "Vaults": ["Vault", "Subscription", "Resource group", "Location", "Region WORM", "SKU", "Immutability",
               "Immutability settings", "Immutability type", "Immutability duration (days)", "Security settings",
               "Soft delete", "Soft delete retention (days)", "Enhanced security", "Multi-user authorization",
               "Resource guard proxies", "Resource guards", "Source scan", "Storage redundancy",
               "Cross-region restore", "Secure score", "BCDR security level", "Provisioning state",
               "Public network access", "Policies", "Protected items", "Backup engines", "List: backupPolicies",
               "List: backupProtectedItems", "List: backupconfig", "List: backupstorageconfig",
               "List: backupResourceGuardProxies", "List: backupEngines", "Values outside the documented enum",
               "API version", "Tags", "Id", "Source file", "Source pointer"],
    "Policies": ["Policy", "Vault", "Subscription", "Backup management type", "Workload type", "Policy type",
                 "Schedule frequency", "Time zone", "Protected items (reported)", "Sub-policy", "Retention tier",
                 "Retention count", "Retention unit", "Retention (days)", "Policy long-term retention (days)",
                 "Policy log retention (days)", "Retention understood", "Vault listed", "Policy id", "Source file",
                 "Source pointer"],
    "Protected Items": ["Item", "Kind", "Vault", "Subscription", "Policy", "Policy link", "Protection state",
                        "Protection status", "Health status", "Last backup status", "Last backup (UTC)",
                        "Last recovery point (UTC)", "Oldest recovery point (UTC)", "Recovery points",
                        "Deferred delete", "Deferred delete time (UTC)", "Archive enabled", "Policy state",
                        "Protected item type", "Backup management type", "Workload type", "Server", "Container",
                        "Source resource id", "Virtual machine id", "Values outside the documented enum",
                        "Vault listed", "Name", "Id", "Policy id", "Source file", "Source pointer"],
    "Virtual Machines": ["Virtual machine", "Subscription", "Resource group", "Location", "Size", "OS",
                         "Created (UTC)", "Backed up", "Protected items", "Vaults", "Policies", "Protection states",
                         "Tags", "VM id", "Type", "Id", "Source file", "Source pointer"],
    "Backup Engines": ["Vault", "Engine", "Name", "Backup management type", "Engine type", "Registration status",
                       "Engine state", "Health status", "DPM version", "Agent version", "Protected servers",
                       "Protected items", "Last reported (UTC)", "Values outside the documented enum",
                       "Vault listed", "Subscription", "Id", "Source file", "Source pointer"],
    "Resource Guards": ["Vault", "Resource guard", "Status", "Detail", "Isolation", "Guard subscription",
                        "Guard resource group", "Location", "Provisioning state", "Excluded operations",
                        "Protected operations", "Auto approvals allowed", "Proxy last updated (UTC)", "Proxy id",
                        "Vault id", "Guard id", "Source file", "Source pointer"],
    "Deleted Vaults": ["Vault", "Vault id", "Subscription", "Location", "Deleted (UTC)", "Purge at (UTC)", "Id",
                       "Source file", "Source pointer"],
    "Regions": ["Location", "Region", "WORM status", "Vaults", "Sources", "Source titles", "Source URLs",
                "Source date (latest)", "Recorded in the catalog"],
    "Exceptions": ["Rule", "Severity", "Resource", "Vault", "Owner (tag Owner)", "Owner tag read from",
                   "First seen (UTC)", "Observed", "Resource id", "Evidence in snapshot (JSON pointer)"],
    "Remediation": ["Rule", "Rule title", "Severity", "Failing findings", "Remediation"],
    "Exemptions": ["Exemption #", "Rule", "Resource", "Approver", "Reason", "Expires", "Validity (exemption.valid)",
                   "Validity note", "Findings exempted", "As evaluated", "Evidence (config)"],
    "Exempted Findings": ["Rule", "Status", "Severity", "Resource type", "Resource", "Vault", "Observed",
                          "Expected", "Note", "Exemption #", "Exemption approver", "Exemption expires",
                          "Exemption reason", "Resource id", "Evidence in snapshot (JSON pointer)",
                          "Evidence in raw responses (file#pointer)"],
    "Collection": ["Operation", "Scope", "Vault", "Completeness", "Pages", "Detail", "Snapshot pointer"],
    "Raw Files": ["File", "Role", "Bytes", "SHA-256"],
    "Warnings": ["Code", "File", "Pointer", "Message"],
    "Access": ["Kind", "Subscription", "Name", "Status", "Count", "Scope", "Reads vaults", "Can write", "Detail",
               "Snapshot pointer"],
}
ORDER = ["README", "Summary", "Controls", "Rules", "Findings", "Vaults", "Policies", "Protected Items", "Virtual Machines",
         "Backup Engines", "Resource Guards", "Deleted Vaults", "Regions", "Exceptions", "Remediation", "Exemptions",
         "Exempted Findings", "Collection", "Raw Files", "Warnings", "Access"]


def shown(text):
    """How the workbook shows a text value: guarded against formula injection."""
    if text is None or text == "":
        return None
    return "'" + text if text.startswith(DANGEROUS) else text


def utc(text):
    """An RFC 3339 time or a date, with its fraction of a second, as the naive UTC datetime openpyxl gives."""
    if text is None:
        return None
    if len(text) == 10:
        return datetime.datetime.strptime(text, "%Y-%m-%d")
    m = re.match(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)$", text)
    assert m, "not a time: %r" % text
    t = datetime.datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S")
    if m.group(2):  # the workbook keeps fractions of a second (to Excel's millisecond)
        t += datetime.timedelta(seconds=float("0" + m.group(2)))
    if m.group(3) != "Z":
        sign = 1 if m.group(3)[0] == "+" else -1
        t -= sign * datetime.timedelta(hours=int(m.group(3)[1:3]), minutes=int(m.group(3)[4:6]))
    return t


def same_time(cell, text, where):
    want = utc(text)
    if want is None:
        assert cell is None, "%s: %r where nothing was reported" % (where, cell)
        return
    assert isinstance(cell, datetime.datetime), "%s: %r is not a date" % (where, cell)
    assert abs((cell - want).total_seconds()) < 0.001, "%s: %s, expected %s" % (where, cell, want)


def check_zip(path):
    subprocess.run(["unzip", "-tq", path], check=True, capture_output=True)
    with zipfile.ZipFile(path) as z:
        names = set(z.namelist())
        ct = ET.fromstring(z.read("[Content_Types].xml"))
        ns = "{http://schemas.openxmlformats.org/package/2006/content-types}"
        defaults = {e.get("Extension").lower() for e in ct.iter(ns + "Default")}
        overrides = {e.get("PartName") for e in ct.iter(ns + "Override")}
        for name in names:
            if name == "[Content_Types].xml" or name.endswith("/"):
                continue
            ext = name.rsplit(".", 1)[-1].lower()
            assert "/" + name in overrides or ext in defaults, "part %s has no content type" % name
        for name in names:
            if not name.endswith(".rels"):
                continue
            base = name.replace("_rels/", "")[: -len(".rels")]
            folder = base.rsplit("/", 1)[0] if "/" in base else ""
            for rel in ET.fromstring(z.read(name)):
                if rel.get("TargetMode") == "External":
                    continue
                target = rel.get("Target")
                full = target.lstrip("/") if target.startswith("/") else "/".join(p for p in [folder, target] if p)
                parts = []
                for p in full.split("/"):
                    if p == "..":
                        parts.pop()
                    elif p not in ("", "."):
                        parts.append(p)
                assert "/".join(parts) in names, "%s points at missing %s" % (name, target)


def check_xlsx2csv(path, sheetnames):
    """xlsx2csv converts every sheet: one run over all of them (-a), a CSV per sheet (a
    run per sheet re-read the whole package each time: 3.4 s instead of 0.4 on the sample)."""
    with tempfile.TemporaryDirectory(prefix="vp-xlsx2csv-") as out:
        p = subprocess.run(["xlsx2csv", "-a", path, out], capture_output=True)
        assert p.returncode == 0, "xlsx2csv -a: %s" % p.stderr.decode(errors="replace")[:300]
        made = sorted(name[:-len(".csv")] for name in os.listdir(out))
        assert made == sorted(sheetnames), "xlsx2csv converted %s, the workbook has %s" % (made, sheetnames)


def parts(wb, base):
    """The sheets of a population, in order: "Name", "Name (2)", ..."""
    found = [wb[base]]
    k = 2
    while "%s (%d)" % (base, k) in wb.sheetnames:
        found.append(wb["%s (%d)" % (base, k)])
        k += 1
    return found


def rows_of(wb, base, max_rows):
    """Data rows of a population over its parts; checks each part's frame."""
    sheets = parts(wb, base)
    out = []
    names = {d.name: d.attr_text for d in wb.defined_names.definedName}
    for k, ws in enumerate(sheets):
        rows = list(ws.iter_rows(values_only=True))
        assert ws.freeze_panes == "A2", "%s: header row not frozen (%r)" % (ws.title, ws.freeze_panes)
        last = openpyxl.utils.get_column_letter(len(rows[0]))
        assert ws.auto_filter.ref == "A1:%s%d" % (last, len(rows)), "%s: autofilter %r" % (ws.title, ws.auto_filter.ref)
        dname = "Data_" + base.replace(" ", "_") + ("_%d" % (k + 1) if k else "")
        assert names.get(dname) == "'%s'!$A$1:$%s$%d" % (ws.title, last, len(rows)), "%s: defined name %s = %r" % (
            ws.title, dname, names.get(dname))
        if k < len(sheets) - 1:
            assert len(rows) == max_rows, "%s: a part before the last has %d rows, not %d" % (ws.title, len(rows), max_rows)
            assert ws["A1"].comment and "continues on" in ws["A1"].comment.text, "%s: no continuation note" % ws.title
        out.extend(rows[1:])
    return [list(r) for r in out]


def header(wb, base):
    return [c.value for c in next(wb[base].iter_rows(min_row=1, max_row=1))]


def tag_columns(snap):
    keys = {}
    for vm in snap["virtual_machines"]:
        for k in (vm.get("tags") or {}):
            keys.setdefault(k.lower(), []).append(k)
    chosen = sorted(keys, key=lambda k: (-len(keys[k]), k, min(keys[k])))[:MAX_TAG_COLUMNS] \
        if len(keys) > MAX_TAG_COLUMNS else list(keys)
    return ["Tag: " + min(keys[k]) for k in sorted(chosen, key=lambda k: (k, min(keys[k])))]


def check_headers(wb, snap):
    for base, want in HEADERS.items():
        if base == "Virtual Machines":
            want = want + tag_columns(snap)
        for ws in parts(wb, base):
            got = [c.value for c in next(ws.iter_rows(min_row=1, max_row=1))]
            assert got == want, "%s: header %r, expected %r" % (ws.title, got, want)


def col(rows, hdr, name):
    i = hdr.index(name)
    return [r[i] for r in rows]


def access_rows(snap):
    """The Access sheet's rows: 12 population counts, one per subscription only referenced
    by resource ids, the collector, each reconciled subscription, each role assignment (a
    subscription without one still gets a row)."""
    listed = {s["subscription_id"].lower() for s in snap["subscriptions"] if s["listed"]}
    referenced = {s["subscription_id"].lower() for s in snap["subscriptions"] if not s["listed"]}
    for kind in ("vaults", "virtual_machines", "resource_guards"):
        referenced |= {x["subscription_id"].lower() for x in snap.get(kind) or []
                       if x.get("subscription_id") and x["subscription_id"].lower() not in listed}
    access = snap["collection"].get("access") or {"subscriptions": [], "role_assignments": []}
    return (12 + len(referenced) + 1 + len(access["subscriptions"]) +
            sum(max(1, len(r["assignments"])) for r in access["role_assignments"]))


def check_populations(wb, snap, fnd, max_rows):
    pol_rows = sum(max(1, len(p["retention"])) for p in snap["policies"])
    want = {"Vaults": len(snap["vaults"]), "Policies": pol_rows, "Protected Items": len(snap["protected_items"]),
            "Virtual Machines": len(snap["virtual_machines"]), "Regions": len(snap["regions"]),
            "Backup Engines": len(snap.get("backup_engines") or []),
            "Resource Guards": sum(len(v.get("resource_guard_proxies") or []) for v in snap["vaults"]),
            "Deleted Vaults": len(snap.get("deleted_vaults") or []),
            "Collection": len(snap["collection"]["lists"]), "Raw Files": len(snap["collection"]["files"]),
            "Warnings": len(snap["collection"]["warnings"]), "Findings": fnd["summary"]["findings"],
            "Exemptions": fnd["parameters"]["exemptions"], "Exempted Findings": fnd["summary"]["counts"]["exempt"],
            "Exceptions": fnd["summary"]["counts"]["fail"],
            "Remediation": sum(1 for r in fnd["rules"] if r["counts"]["fail"]),
            "Controls": sum(max(1, len(c["rules"])) for c in fnd["controls"]),
            "Rules": len(fnd["rules"]),
            "Access": access_rows(snap)}
    rows = {}
    for base, n in want.items():
        rows[base] = rows_of(wb, base, max_rows)
        assert len(rows[base]) == n, "%s: %d rows, the inputs have %d" % (base, len(rows[base]), n)
    return rows


def display_name(it):
    """An item as the renderers name it: a database in a VM ("master" on every SQL server)
    with its server and its instance (the middle field of "SQLDataBase;<instance>;<db>")."""
    title = it["friendly_name"] or it["name"]
    if it["kind"] not in ("sql_in_vm", "sap_hana_in_vm", "sap_ase_in_vm"):
        return title
    parts = it["name"].split(";")
    instance = parts[1] if len(parts) > 2 and parts[1] else None
    named = [w for w in ("server %s" % it["server"] if it["server"] else None,
                         "instance %s" % instance if instance else None) if w]
    return "%s (%s)" % (title, ", ".join(named)) if named else title


def check_items(wb, rows, snap):
    hdr = header(wb, "Protected Items")
    for it, r in zip(snap["protected_items"], rows):
        assert r[hdr.index("Id")] == shown(it["id"]), "item id %r" % r[hdr.index("Id")]
        assert r[hdr.index("Item")] == shown(display_name(it)), it["id"]
        assert r[hdr.index("Recovery points")] == it["recovery_point_count"], it["id"]
        last = it["last_backup_time"]
        if last is not None and last[:10] < "2010-01-01":  # the API's placeholder for "no backup yet"
            assert r[hdr.index("Last backup (UTC)")] == "never", "%s: last backup %r" % (it["id"], r[hdr.index("Last backup (UTC)")])
        else:  # a time, or not reported (an empty cell)
            same_time(r[hdr.index("Last backup (UTC)")], last, "%s last backup" % it["id"])
        for name, key in [("Last recovery point (UTC)", "last_recovery_point"),
                          ("Oldest recovery point (UTC)", "oldest_recovery_point")]:
            same_time(r[hdr.index(name)], it[key], "%s %s" % (it["id"], name))
        assert r[hdr.index("Deferred delete")] is it["deferred_delete"]["scheduled"], it["id"]
        assert r[hdr.index("Vault listed")] is it["vault_listed"], it["id"]
        assert r[hdr.index("Protection state")] == shown(it["protection_state"]), it["id"]
    counts = [v for v in col(rows, hdr, "Recovery points") if v is not None]
    assert all(isinstance(v, int) for v in counts), "a count is not a number"


def check_vaults_vms(wb, rows, snap):
    hdr = header(wb, "Vaults")
    for v, r in zip(snap["vaults"], rows["Vaults"]):
        assert r[hdr.index("Id")] == shown(v["id"])
        assert r[hdr.index("Immutability")] == shown(v["immutability"]), v["id"]
        assert r[hdr.index("Soft delete retention (days)")] == v["soft_delete"]["retention_days"], v["id"]
        assert r[hdr.index("Protected items")] == v["counts"]["protected_items"], v["id"]
    hdr = header(wb, "Virtual Machines")
    labels = {}  # location -> its label: one label per location, naming it
    for vm, r in zip(snap["virtual_machines"], rows["Virtual Machines"]):
        assert r[hdr.index("Id")] == shown(vm["id"])
        where, label = vm.get("location"), r[hdr.index("Location")]
        if where:
            assert label == where or label.endswith(" (%s)" % where), "%s: location %r shown as %r" % (vm["id"], where, label)
            assert labels.setdefault(where, label) == label, "%s: %r shown as %r and %r" % (vm["id"], where, labels[where], label)
        assert r[hdr.index("Backed up")] is bool(vm["protected_by"]), vm["id"]
        assert r[hdr.index("Protected items")] == len(vm["protected_by"]), vm["id"]
        same_time(r[hdr.index("Created (UTC)")], vm["time_created"], vm["id"])
        for k, v in (vm.get("tags") or {}).items():
            name = next((h for h in hdr if h and h.lower() == "tag: " + k.lower()), None)
            if name:
                assert r[hdr.index(name)] == shown(v), "%s tag %s: %r" % (vm["id"], k, r[hdr.index(name)])
    hdr = header(wb, "Policies")
    days = [d for d in col(rows["Policies"], hdr, "Retention (days)") if d is not None]
    want = [t["days"] for p in snap["policies"] for t in p["retention"] if t["days"] is not None]
    assert days == want, "policy retention days differ"


def check_findings(wb, rows, fnd):
    hdr = header(wb, "Findings")
    for x, r in zip(fnd["findings"], rows["Findings"]):
        assert r[hdr.index("Rule")] == x["rule"] and r[hdr.index("Status")] == x["status"], x
        assert r[hdr.index("Resource id")] == shown(x["resource"]["id"]), x
        ex = x["exemption"]
        if ex:
            assert r[hdr.index("Exemption #")] == ex["index"], x
            same_time(r[hdr.index("Exemption expires")], ex["expires"], "exemption of %s" % x["resource"]["id"])
    # a finding's citations are shown once per rule: its Rule must resolve on Rules to exactly them
    rhdr = header(wb, "Rules")
    cited = {r[rhdr.index("Rule")]: r[rhdr.index("Citations")] for r in rows["Rules"]}
    for x, r in zip(fnd["findings"], rows["Findings"]):
        assert r[hdr.index("Rule")] in cited, "rule %s of a finding is not on Rules" % x["rule"]
        assert cited[r[hdr.index("Rule")]] == ("; ".join(x["citations"]) or None), x
    statuses = col(rows["Findings"], hdr, "Status")
    for s in STATUSES:
        assert statuses.count(s) == fnd["summary"]["counts"][s], "findings with status %s" % s
    # the exempt findings again, alone and in file order, apart from the failures
    exempt = [x for x in fnd["findings"] if x["status"] == "exempt"]
    for x, r in zip(exempt, rows["Exempted Findings"]):
        assert r[hdr.index("Status")] == "exempt" and r[hdr.index("Resource id")] == shown(x["resource"]["id"]), x


def check_no_formula_text(wb):
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if c.data_type == "s" and isinstance(c.value, str):
                    assert not c.value.startswith(DANGEROUS), "%s!%s begins like a formula: %r" % (
                        ws.title, c.coordinate, c.value[:40])


# --- the Summary's formulas, evaluated independently -------------------------------------

def split_top(expr, sep):
    out, depth, quoted, cur = [], 0, False, ""
    for ch in expr:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch == "(":
            depth += 1
        elif not quoted and ch == ")":
            depth -= 1
        if ch == sep and depth == 0 and not quoted:
            out.append(cur)
            cur = ""
        else:
            cur += ch
    out.append(cur)
    return out


def cells(wb, ref, sheet):
    m = re.match(r"(?:'((?:[^']|'')+)'|([A-Za-z]\w*))?!?\$?([A-Z]+)\$?(\d+)(?::\$?([A-Z]+)\$?(\d+))?$", ref)
    assert m, "cannot read reference %r" % ref
    name = (m.group(1) or "").replace("''", "'") or m.group(2) or sheet
    c1, r1 = m.group(3), int(m.group(4))
    c2, r2 = m.group(5) or c1, int(m.group(6) or r1)
    ws = wb[name]
    return [c.value for row in ws.iter_rows(min_row=r1, max_row=r2, min_col=openpyxl.utils.column_index_from_string(c1),
                                            max_col=openpyxl.utils.column_index_from_string(c2)) for c in row]


def criterion(text):
    assert text.startswith('"=') and text.endswith('"'), "criterion %r" % text
    body = text[2:-1].replace('""', '"')
    return re.sub(r"~([*?~])", r"\1", body).lower()


def evaluate(wb, values, expr, sheet):
    total = 0
    for term in split_top(expr, "+"):
        term = term.strip()
        if re.match(r"^\d+$", term):
            total += int(term)
        elif term.startswith("SUM("):
            total += sum(v or 0 for v in cells(values, term[4:-1], sheet))
        elif term.startswith("COUNTIFS("):
            args = split_top(term[9:-1], ",")
            cols = [cells(wb, args[i], sheet) for i in range(0, len(args), 2)]
            crits = [criterion(args[i]) for i in range(1, len(args), 2)]
            total += sum(1 for row in zip(*cols) if all(str(v or "").lower() == c for v, c in zip(row, crits)))
        else:
            total += cells(values, term, sheet)[0] or 0
    return total


def check_summary(wb, path, fnd):
    values = openpyxl.load_workbook(path, data_only=True)
    ws, vs = wb["Summary"], values["Summary"]
    formulas = 0
    for row in ws.iter_rows():
        for c in row:
            if c.data_type != "f":
                continue
            formulas += 1
            cached = vs[c.coordinate].value
            got = evaluate(wb, values, c.value[1:], "Summary")
            assert got == cached, "Summary!%s: %s gives %s, cached %r" % (c.coordinate, c.value[:80], got, cached)
            if c.column >= 14:  # N-T beside the values in G-M
                value = vs.cell(row=c.row, column=c.column - 7).value
                assert value == cached, "Summary!%s: formula %r, value %r" % (c.coordinate, cached, value)
    assert formulas > 0, "the Summary has no formulas"
    first = [r for r in vs.iter_rows(values_only=True) if r[0] == "(all findings)"]
    assert first, "no (all findings) row"
    assert list(first[0][7:13]) == [fnd["summary"]["counts"][s] for s in STATUSES], first[0]
    assert first[0][6] == fnd["summary"]["findings"]


def check_properties(wb, path, fnd, now):
    p = wb.properties
    assert p.title and p.subject and p.creator and p.creator.startswith("vaultproof"), p
    organization = fnd["config"].get("organization")
    if organization:
        with zipfile.ZipFile(path) as z:
            app = z.read("docProps/app.xml").decode()
        company = organization.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        assert "<Company>%s</Company>" % company in app, "docProps/app.xml lacks the company"
    if now:
        assert p.created == utc(now), "created %s, expected %s" % (p.created, now)


def check(path, snapshot, findings, now=None, max_rows=1048576):
    with open(snapshot, encoding="utf-8") as f:
        snap = json.load(f)
    with open(findings, encoding="utf-8") as f:
        fnd = json.load(f)
    check_zip(path)
    wb = openpyxl.load_workbook(path)
    check_xlsx2csv(path, wb.sheetnames)
    assert [s for s in wb.sheetnames if not re.search(r" \(\d+\)$", s)] == ORDER, wb.sheetnames
    check_headers(wb, snap)
    rows = check_populations(wb, snap, fnd, max_rows)
    check_items(wb, rows["Protected Items"], snap)
    check_vaults_vms(wb, rows, snap)
    check_findings(wb, rows, fnd)
    check_no_formula_text(wb)
    check_properties(wb, path, fnd, now)
    check_summary(wb, path, fnd)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("workbook")
    ap.add_argument("--snapshot", required=True)
    ap.add_argument("--findings", required=True)
    ap.add_argument("--now")
    ap.add_argument("--max-rows", type=int, default=1048576)
    a = ap.parse_args()
    try:
        check(a.workbook, a.snapshot, a.findings, a.now, a.max_rows)
    except (AssertionError, subprocess.CalledProcessError) as e:
        print("FAIL: %s" % e, file=sys.stderr)
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
