#!/usr/bin/env python3
"""Checks an OSCAL 1.1.2 assessment-results JSON document (Python standard library only).

The official JSON schema cannot be fetched in CI, so this re-states the part of it that
vaultproof's output uses, taken from the OSCAL v1.1.2 JSON schema (the
"oscal-complete" 1.1.2 schema's assessment-results, assessment-common and metadata
definitions):

- every object listed below: its required members, no unknown members
  (additionalProperties false), and the type of each member;
- arrays: at least one item (OSCAL's minItems 1);
- datatypes: UUIDDatatype (version 4 or 5 UUID pattern), TokenDatatype, StringDatatype
  (^\\S(.*\\S)?$), DateTimeWithTimezoneDatatype (the schema's pattern), URIDatatype
  (pattern), URIReferenceDatatype (RFC 3986 characters);
- closed value sets (allOf in the schema): finding target type, objective status state,
  party type; open value sets (anyOf: OSCAL allows other values) are held to the listed
  values here, which is stricter than the schema: observation methods and types,
  objective status reason, link rel, hash algorithm, subject type;
- members the schema allows but vaultproof does not write (risks, assessment-log,
  local-definitions, roles, ...) are checked only for their JSON type;
- referential integrity (OSCAL's index constraints, checked more strictly): UUIDs unique
  in the document, every related observation exists in its result, every "#uuid" href
  names a back-matter resource, every finding target is a reviewed control, finding
  targets are unique, SHA-256 hashes are 64 hex digits, oscal-version is 1.1.2.

Usage: oscal_check.py FILE   (exit 0 when valid; otherwise the problems, exit 1)
As a module: problems(document) returns a list of "JSON pointer: message" strings.
"""
import json
import re
import sys
import unicodedata

OSCAL_VERSION = "1.1.2"

UUID_RE = re.compile(r"^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[45][0-9A-Fa-f]{3}-[89ABab][0-9A-Fa-f]{3}-[0-9A-Fa-f]{12}$")
DATETIME_RE = re.compile(
    r"^(((2000|2400|2800|(19|2[0-9](0[48]|[2468][048]|[13579][26])))-02-29)|(((19|2[0-9])[0-9]{2})-02-(0[1-9]|1[0-9]"
    r"|2[0-8]))|(((19|2[0-9])[0-9]{2})-(0[13578]|10|12)-(0[1-9]|[12][0-9]|3[01]))|(((19|2[0-9])[0-9]{2})-(0[469]|11)"
    r"-(0[1-9]|[12][0-9]|30)))T(2[0-3]|[01][0-9]):([0-5][0-9]):([0-5][0-9])(\.[0-9]+)?(Z|(-((0[0-9]|1[0-2]):00|0[39]"
    r":30)|\+((0[0-9]|1[0-4]):00|(0[34569]|10):30|(0[58]|12):45)))$")
# ECMAScript's "." excludes these line terminators; Python's only "\n".
STRING_RE = re.compile("^\\S([^\\n\\r\\u2028\\u2029]*\\S)?$")
URI_RE = re.compile(r"^[a-zA-Z][a-zA-Z0-9+\-.]+:.+$")
URI_REF_RE = re.compile(r"^([A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*$")
HEX64_RE = re.compile(r"^[0-9a-fA-F]{64}$")


class Checker:
    def __init__(self):
        self.errors = []

    def err(self, path, message):
        self.errors.append("%s: %s" % (path or "/", message))


# ---- datatypes -------------------------------------------------------------------

def is_token(s):
    """TokenDatatype: ^(\\p{L}|_)(\\p{L}|\\p{N}|[.\\-_])*$"""
    if not s or not (s[0] == "_" or unicodedata.category(s[0]).startswith("L")):
        return False
    return all(c in "._-" or unicodedata.category(c)[0] in "LN" for c in s[1:])


def scalar(name, test):
    def check(v, path, ck):
        if not isinstance(v, str):
            ck.err(path, "expected a string (%s)" % name)
        elif not test(v):
            ck.err(path, "%r is not a valid %s" % (v[:80], name))
    return check


TEXT = scalar("non-empty text", lambda s: s.strip() != "")  # markup-line / markup-multiline
STRING = scalar("StringDatatype", lambda s: STRING_RE.match(s) is not None)
TOKEN = scalar("TokenDatatype", is_token)
UUID = scalar("UUIDDatatype", lambda s: UUID_RE.match(s) is not None)
DATETIME = scalar("DateTimeWithTimezoneDatatype", lambda s: DATETIME_RE.match(s) is not None)
URI = scalar("URIDatatype", lambda s: URI_RE.match(s) is not None)
URI_REF = scalar("URIReferenceDatatype", lambda s: s != "" and s.count("#") <= 1 and URI_REF_RE.match(s) is not None)


def one_of(base, values, what):
    """A value of base's datatype from a listed set."""
    def check(v, path, ck):
        before = len(ck.errors)
        base(v, path, ck)
        if len(ck.errors) == before and v not in values:
            ck.err(path, "%r is not an allowed %s (%s)" % (v, what, ", ".join(values)))
    return check


def any_object(v, path, ck):
    if not isinstance(v, dict):
        ck.err(path, "expected an object")


def obj(required, members):
    def check(v, path, ck):
        if not isinstance(v, dict):
            ck.err(path, "expected an object")
            return
        for k in required:
            if k not in v:
                ck.err(path, "missing required member '%s'" % k)
        for k, x in v.items():
            sub = members.get(k)
            if sub is None:
                ck.err(path, "unknown member '%s'" % k)
            else:
                sub(x, path + "/" + k, ck)
    return check


def arr(item):
    def check(v, path, ck):
        if not isinstance(v, list):
            ck.err(path, "expected an array")
            return
        if not v:
            ck.err(path, "empty array (OSCAL arrays have at least one item)")
        for i, x in enumerate(v):
            item(x, "%s/%d" % (path, i), ck)
    return check


# ---- the model (OSCAL 1.1.2) --------------------------------------------------------

ANY_ARRAY = arr(any_object)
PROPERTY = obj(["name", "value"], {"name": TOKEN, "value": STRING, "uuid": UUID, "ns": URI, "class": TOKEN,
                                   "group": TOKEN, "remarks": TEXT})
PROPS = arr(PROPERTY)
LINK = obj(["href"], {"href": URI_REF, "rel": one_of(TOKEN, ["reference"], "link rel"), "media-type": STRING,
                      "resource-fragment": STRING, "text": TEXT})
LINKS = arr(LINK)
HASH = obj(["value", "algorithm"], {
    "algorithm": one_of(STRING, ["SHA-224", "SHA-256", "SHA-384", "SHA-512", "SHA3-224", "SHA3-256", "SHA3-384",
                                 "SHA3-512"], "hash algorithm"),
    "value": STRING})
RLINK = obj(["href"], {"href": URI_REF, "media-type": STRING, "hashes": arr(HASH)})
RESOURCE = obj(["uuid"], {"uuid": UUID, "title": TEXT, "description": TEXT, "props": PROPS,
                          "document-ids": ANY_ARRAY, "citation": any_object, "rlinks": arr(RLINK),
                          "base64": any_object, "remarks": TEXT})
BACK_MATTER = obj([], {"resources": arr(RESOURCE)})
PARTY = obj(["uuid", "type"], {
    "uuid": UUID, "type": one_of(STRING, ["person", "organization"], "party type"), "name": STRING,
    "short-name": STRING, "external-ids": ANY_ARRAY, "props": PROPS, "links": LINKS, "email-addresses": arr(STRING),
    "telephone-numbers": ANY_ARRAY, "addresses": ANY_ARRAY, "location-uuids": arr(UUID),
    "member-of-organizations": arr(UUID), "remarks": TEXT})
METADATA = obj(["title", "last-modified", "version", "oscal-version"], {
    "title": TEXT, "published": DATETIME, "last-modified": DATETIME, "version": STRING, "oscal-version": STRING,
    "revisions": ANY_ARRAY, "document-ids": ANY_ARRAY, "props": PROPS, "links": LINKS, "roles": ANY_ARRAY,
    "locations": ANY_ARRAY, "parties": arr(PARTY), "responsible-parties": ANY_ARRAY, "actions": ANY_ARRAY,
    "remarks": TEXT})
IMPORT_AP = obj(["href"], {"href": URI_REF, "remarks": TEXT})
SELECT_CONTROL = obj(["control-id"], {"control-id": TOKEN, "statement-ids": arr(TOKEN)})
CONTROL_SELECTION = obj([], {"description": TEXT, "props": PROPS, "links": LINKS, "include-all": obj([], {}),
                             "include-controls": arr(SELECT_CONTROL), "exclude-controls": arr(SELECT_CONTROL),
                             "remarks": TEXT})
REVIEWED_CONTROLS = obj(["control-selections"], {
    "description": TEXT, "props": PROPS, "links": LINKS, "control-selections": arr(CONTROL_SELECTION),
    "control-objective-selections": ANY_ARRAY, "remarks": TEXT})
RELEVANT_EVIDENCE = obj(["description"], {"href": URI_REF, "description": TEXT, "props": PROPS, "links": LINKS,
                                          "remarks": TEXT})
SUBJECT_REFERENCE = obj(["subject-uuid", "type"], {
    "subject-uuid": UUID,
    "type": one_of(TOKEN, ["component", "inventory-item", "location", "party", "user"], "subject type"),
    "title": TEXT, "props": PROPS, "links": LINKS, "remarks": TEXT})
OBSERVATION = obj(["uuid", "description", "methods", "collected"], {
    "uuid": UUID, "title": TEXT, "description": TEXT, "props": PROPS, "links": LINKS,
    "methods": arr(one_of(STRING, ["EXAMINE", "INTERVIEW", "TEST", "UNKNOWN"], "observation method")),
    "types": arr(one_of(TOKEN, ["ssp-statement-issue", "control-objective", "mitigation", "finding", "historic"],
                        "observation type")),
    "origins": ANY_ARRAY, "subjects": arr(SUBJECT_REFERENCE), "relevant-evidence": arr(RELEVANT_EVIDENCE),
    "collected": DATETIME, "expires": DATETIME, "remarks": TEXT})
OBJECTIVE_STATUS = obj(["state"], {
    "state": one_of(TOKEN, ["satisfied", "not-satisfied"], "objective status state"),
    "reason": one_of(TOKEN, ["pass", "fail", "other"], "objective status reason"), "remarks": TEXT})
FINDING_TARGET = obj(["type", "target-id", "status"], {
    "type": one_of(STRING, ["statement-id", "objective-id"], "finding target type"), "target-id": TOKEN,
    "title": TEXT, "description": TEXT, "props": PROPS, "links": LINKS, "status": OBJECTIVE_STATUS,
    "implementation-status": any_object, "remarks": TEXT})
FINDING = obj(["uuid", "title", "description", "target"], {
    "uuid": UUID, "title": TEXT, "description": TEXT, "props": PROPS, "links": LINKS, "origins": ANY_ARRAY,
    "target": FINDING_TARGET, "implementation-statement-uuid": UUID,
    "related-observations": arr(obj(["observation-uuid"], {"observation-uuid": UUID})),
    "related-risks": ANY_ARRAY, "remarks": TEXT})
RESULT = obj(["uuid", "title", "description", "start", "reviewed-controls"], {
    "uuid": UUID, "title": TEXT, "description": TEXT, "start": DATETIME, "end": DATETIME, "props": PROPS,
    "links": LINKS, "local-definitions": any_object, "reviewed-controls": REVIEWED_CONTROLS,
    "attestations": ANY_ARRAY, "assessment-log": any_object, "observations": arr(OBSERVATION),
    "risks": ANY_ARRAY, "findings": arr(FINDING), "remarks": TEXT})
ASSESSMENT_RESULTS = obj(["uuid", "metadata", "import-ap", "results"], {
    "uuid": UUID, "metadata": METADATA, "import-ap": IMPORT_AP, "local-definitions": any_object,
    "results": arr(RESULT), "back-matter": BACK_MATTER})
ROOT = obj(["assessment-results"], {"$schema": URI_REF, "assessment-results": ASSESSMENT_RESULTS})


# ---- references -----------------------------------------------------------------------

def walk(node, path=""):
    """Every (path, key, value) of the document."""
    if isinstance(node, dict):
        for k, v in node.items():
            yield path, k, v
            yield from walk(v, path + "/" + k)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from walk(v, "%s/%d" % (path, i))


def check_references(doc, ck):
    ar = doc.get("assessment-results") if isinstance(doc, dict) else None
    if not isinstance(ar, dict):
        return
    seen = {}
    for path, k, v in walk(doc):
        if k == "uuid" and isinstance(v, str):
            if v.lower() in seen:
                ck.err(path + "/uuid", "UUID %s is also used at %s" % (v, seen[v.lower()]))
            seen.setdefault(v.lower(), path)
    resources = {r.get("uuid") for r in (ar.get("back-matter") or {}).get("resources", []) if isinstance(r, dict)}
    for path, k, v in walk(doc):
        if k == "href" and isinstance(v, str) and v.startswith("#") and v[1:] not in resources:
            ck.err(path + "/href", "%s names no back-matter resource" % v)
        if k == "hashes" and isinstance(v, list):
            for i, h in enumerate(v):
                if isinstance(h, dict) and h.get("algorithm") == "SHA-256" and not HEX64_RE.match(str(h.get("value"))):
                    ck.err("%s/hashes/%d/value" % (path, i), "a SHA-256 value is 64 hex digits")
    meta = ar.get("metadata")
    if isinstance(meta, dict) and meta.get("oscal-version") != OSCAL_VERSION:
        ck.err("/assessment-results/metadata/oscal-version", "expected %s" % OSCAL_VERSION)
    for ri, result in enumerate(ar.get("results") or []):
        if isinstance(result, dict):
            check_result_references(result, "/assessment-results/results/%d" % ri, ck)


def check_result_references(result, path, ck):
    observations = {o.get("uuid") for o in result.get("observations", []) if isinstance(o, dict)}
    controls, include_all = set(), False
    for sel in (result.get("reviewed-controls") or {}).get("control-selections", []) or []:
        if isinstance(sel, dict):
            include_all |= "include-all" in sel
            controls |= {c.get("control-id") for c in sel.get("include-controls", []) if isinstance(c, dict)}
    targets = set()
    for fi, finding in enumerate(result.get("findings", []) or []):
        if not isinstance(finding, dict):
            continue
        fpath = "%s/findings/%d" % (path, fi)
        target = (finding.get("target") or {}).get("target-id")
        if target in targets:
            ck.err(fpath + "/target/target-id", "objective %s has more than one finding" % target)
        targets.add(target)
        if not include_all and target not in controls:
            ck.err(fpath + "/target/target-id", "%s is not among the reviewed controls" % target)
        for oi, rel in enumerate(finding.get("related-observations", []) or []):
            if isinstance(rel, dict) and rel.get("observation-uuid") not in observations:
                ck.err("%s/related-observations/%d" % (fpath, oi),
                       "observation %s is not in this result" % rel.get("observation-uuid"))


def problems(doc):
    ck = Checker()
    ROOT(doc, "", ck)
    check_references(doc, ck)
    return ck.errors


def main(argv):
    if len(argv) != 2:
        print("usage: oscal_check.py FILE", file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as f:
        doc = json.load(f)
    found = problems(doc)
    for p in found[:100]:
        print(p)
    if len(found) > 100:
        print("... and %d more" % (len(found) - 100))
    if found:
        return 1
    result = doc["assessment-results"]["results"]
    print("%s: valid OSCAL %s assessment-results: %d observations, %d findings" % (
        argv[1], OSCAL_VERSION, sum(len(r.get("observations", [])) for r in result),
        sum(len(r.get("findings", [])) for r in result)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
