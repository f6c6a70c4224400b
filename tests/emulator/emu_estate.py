"""The estate the emulator serves: every resource of a replay directory, indexed by route.

Reads the layout of docs/replay-format.md independently of vaultproof (the emulator is a
test oracle, so it must not share the product's parser). Paging in the replay files is
ignored on purpose: the emulator re-pages every list with its own --page-size, so a
collector is tested against paging it has never seen recorded.
"""
import json
import os
import re

VAULT_TYPE = "microsoft.recoveryservices/vaults"
CHILD_TYPES = {
    "microsoft.recoveryservices/vaults/backuppolicies": "backupPolicies",
    "microsoft.recoveryservices/vaults/backupfabrics/protectioncontainers/protecteditems": "backupProtectedItems",
    "microsoft.recoveryservices/vaults/backupconfig": "backupconfig",
    "microsoft.recoveryservices/vaults/backupstorageconfig": "backupstorageconfig",
    "microsoft.recoveryservices/vaults/backupresourceguardproxies": "backupResourceGuardProxies",
    "microsoft.recoveryservices/vaults/backupengines": "backupEngines",
    "microsoft.recoveryservices/vaults/backupjobs": "backupJobs",
}
DELETED_VAULT_TYPE = "microsoft.recoveryservices/locations/deletedvaults"
RESOURCE_GUARD_TYPE = "microsoft.dataprotection/resourceguards"
ROLE_ASSIGNMENT_TYPE = "microsoft.authorization/roleassignments"
ROLE_DEFINITION_TYPE = "microsoft.authorization/roledefinitions"
# The bundle archive's storage (pack --archive-url): accounts listed per subscription
# (StorageAccounts_List) and containers read one by one (BlobContainers_Get), with the
# shape of Azure's BlobContainersGetWithAllowProtectedAppendWritesAll.json example.
STORAGE_ACCOUNT_TYPE = "microsoft.storage/storageaccounts"
CONTAINER_TYPE = "microsoft.storage/storageaccounts/blobservices/containers"
_CONTAINER_RE = re.compile(
    r"^(?:https?://[^/]+)?/subscriptions/([^/]+)/resourceGroups/([^/]+)/providers/Microsoft\.Storage/"
    r"storageAccounts/([^/]+)/blobServices/default/containers/([^/]+)/?$", re.IGNORECASE)
# A recording's role assignments are filed under the subscription whose list returned them
# (an assignment made at a management group has no subscription in its id).
_RA_PATH_RE = re.compile(r"^subscriptions/([^/]+)/roleAssignments[^/]*\.json$")
# A vault's cross-region-restore jobs are filed by the layout path they were recorded at
# (their ids name a location, not the vault): subscriptions/<sub>/vaults/<vault>/backupCrrJobs*.json
_CRR_PATH_RE = re.compile(r"^subscriptions/([^/]+)/vaults/([^/]+)/backupCrrJobs(?:\.page-\d+)?\.json$")
# Classic VMs are served by the Microsoft.Compute list too, so a collector reading the
# emulator sees the same coverage set a replay of the same directory would.
VM_TYPES = ("microsoft.compute/virtualmachines", "microsoft.classiccompute/virtualmachines")

# Ids may carry a host (ListBySubscriptionIds example) and the Backup RP writes /Subscriptions/.
_SUB_RE = re.compile(r"^(?:https?://[^/]+)?/subscriptions/([^/]+)", re.IGNORECASE)
_VAULT_RE = re.compile(
    r"^(?:https?://[^/]+)?/subscriptions/([^/]+)/resourceGroups/([^/]+)/providers/"
    r"Microsoft\.RecoveryServices/vaults/([^/]+)", re.IGNORECASE)
_LOCATION_RE = re.compile(
    r"^(?:https?://[^/]+)?/subscriptions/([^/]+)/providers/Microsoft\.RecoveryServices/locations/([^/]+)/",
    re.IGNORECASE)
_GUARD_RE = re.compile(
    r"^(?:https?://[^/]+)?/subscriptions/([^/]+)/resourceGroups/([^/]+)/providers/"
    r"Microsoft\.DataProtection/resourceGuards/([^/]+)/?$", re.IGNORECASE)
_PROVIDER_RE = re.compile(r"/providers/([^/]+)/(.+)$", re.IGNORECASE)


def type_of(res, rid):
    """The resource's type, lowercased; when it has none (Compute ListAll examples omit it),
    the one its id spells: namespace and every type segment after /providers/."""
    rtype = res.get("type")
    if isinstance(rtype, str) and rtype:
        return rtype.lower()
    m = _PROVIDER_RE.search(rid)
    if not m:
        return ""
    parts = m.group(2).split("/")
    return "/".join([m.group(1)] + parts[0::2]).lower()


def _bodies(replay_dir):
    """Yields every resource body file below replay_dir in byte-wise sorted relative-path order."""
    paths = []
    for root, dirs, files in os.walk(replay_dir, followlinks=False):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            full = os.path.join(root, name)
            if name.startswith(".") or not name.endswith(".json") or name.endswith(".meta.json"):
                continue
            if os.path.islink(full):
                continue
            paths.append(os.path.relpath(full, replay_dir))
    for rel in sorted(paths, key=lambda p: p.encode("utf-8")):
        yield os.path.join(replay_dir, rel)


def _resources(doc):
    """The resources of one body, whatever its shape (list page, array, single, error)."""
    if isinstance(doc, list):
        return [r for r in doc if isinstance(r, dict)]
    if isinstance(doc, dict):
        if isinstance(doc.get("value"), list):
            return [r for r in doc["value"] if isinstance(r, dict)]
        if "error" in doc and "id" not in doc:
            return []
        return [doc]
    return []


def _is_subscription(res):
    sub = res.get("subscriptionId")
    rid = res.get("id")
    return (not res.get("type") and isinstance(sub, str) and isinstance(rid, str)
            and rid.lower().rstrip("/") == "/subscriptions/" + sub.lower())


class Estate:
    """Everything the ARM routes answer, keyed by lowercased subscription / vault ids."""

    def __init__(self, replay_dir):
        self.subscriptions = []          # subscription resources, in order
        self.vaults = {}                 # sub -> [vault resource]
        self.vault_index = {}            # (sub, rg, vault) -> vault resource
        self.vms = {}                    # sub -> [vm resource]
        self.children = {}               # (sub, rg, vault) -> {operation: [resources]}
        self.deleted_vaults = {}         # (sub, location) -> [deleted vault resource]
        self.guards = {}                 # (sub, rg, name) -> resource guard
        self.role_assignments = {}       # sub -> [role assignment], by the file's subscription
        self.role_definitions = {}       # lowercased GUID -> role definition
        self.crr_jobs = {}               # (sub, vault name) -> [CRR job], by the file's path
        self.events = {}                 # sub -> [Activity Log event], in file order
        self.storage_accounts = {}       # sub -> [storage account resource]
        self.containers = {}             # (sub, rg, account, container) -> blob container resource
        self.known_subs = set()
        seen = set()
        derived = {}                     # lowercased sub -> sub as first spelled
        for path in _bodies(replay_dir):
            with open(path, encoding="utf-8") as f:
                try:
                    doc = json.load(f)
                except ValueError as e:
                    raise ValueError("%s: not JSON (%s)" % (path, e)) from None
            rel = os.path.relpath(path, replay_dir).replace(os.sep, "/")
            ra_path = _RA_PATH_RE.match(rel)
            crr_path = _CRR_PATH_RE.match(rel)
            if crr_path:
                key = (crr_path.group(1).lower(), crr_path.group(2).lower())
                self.crr_jobs.setdefault(key, []).extend(_resources(doc))
                continue
            for res in _resources(doc):
                rid = res.get("id")
                if not isinstance(rid, str):
                    continue
                rtype = str(res.get("type", "")).lower()
                if rtype == ROLE_ASSIGNMENT_TYPE:
                    # the same assignment (a management group's) is listed under each subscription
                    sub = ra_path.group(1) if ra_path else (_SUB_RE.match(rid).group(1) if _SUB_RE.match(rid) else None)
                    if sub:
                        self.role_assignments.setdefault(sub.lower(), []).append(res)
                    continue
                if rtype == ROLE_DEFINITION_TYPE:
                    self.role_definitions.setdefault(rid.rstrip("/").rsplit("/", 1)[-1].lower(), res)
                    continue
                if "eventDataId" in res and "eventTimestamp" in res:  # EventData: no type
                    m = _SUB_RE.match(rid)
                    if m and rid.lower() not in seen:
                        seen.add(rid.lower())
                        self.events.setdefault(m.group(1).lower(), []).append(res)
                    continue
                if rid.lower() in seen:
                    continue
                seen.add(rid.lower())
                self._add(res, rid, derived)
        if not self.subscriptions:
            for sub in derived.values():
                self.subscriptions.append({"id": "/subscriptions/" + sub, "subscriptionId": sub,
                                           "displayName": sub, "state": "Enabled"})
        for res in self.subscriptions:
            self.known_subs.add(res["subscriptionId"].lower())

    def _add(self, res, rid, derived):
        if _is_subscription(res):
            self.subscriptions.append(res)
            return
        m = _SUB_RE.match(rid)
        if not m:
            return
        sub = m.group(1).lower()
        self.known_subs.add(sub)
        derived.setdefault(sub, m.group(1))
        rtype = type_of(res, rid)
        if rtype == DELETED_VAULT_TYPE:
            loc = _LOCATION_RE.match(rid)
            if loc:
                self.deleted_vaults.setdefault((sub, loc.group(2).lower()), []).append(res)
            return
        if rtype == RESOURCE_GUARD_TYPE:
            g = _GUARD_RE.match(rid)
            if g:
                self.guards.setdefault((sub, g.group(2).lower(), g.group(3).lower()), res)
            return
        if rtype == STORAGE_ACCOUNT_TYPE:
            self.storage_accounts.setdefault(sub, []).append(res)
            return
        if rtype == CONTAINER_TYPE:
            c = _CONTAINER_RE.match(rid)
            if c:
                self.containers.setdefault(tuple(g.lower() for g in c.groups()), res)
            return
        if rtype in VM_TYPES:
            self.vms.setdefault(sub, []).append(res)
            return
        v = _VAULT_RE.match(rid)
        if not v:
            return
        key = (v.group(1).lower(), v.group(2).lower(), v.group(3).lower())
        if rtype == VAULT_TYPE:
            self.vaults.setdefault(sub, []).append(res)
            self.vault_index.setdefault(key, res)
        elif rtype in CHILD_TYPES:
            self.children.setdefault(key, {}).setdefault(CHILD_TYPES[rtype], []).append(res)

    def has_subscription(self, sub):
        return sub.lower() in self.known_subs

    def vault(self, sub, rg, name):
        return self.vault_index.get((sub.lower(), rg.lower(), name.lower()))

    def vault_children(self, sub, rg, name, operation):
        return self.children.get((sub.lower(), rg.lower(), name.lower()), {}).get(operation, [])

    def crr_jobs_of(self, sub, vault_name):
        return self.crr_jobs.get((sub.lower(), vault_name.lower()), [])

    def deleted_vaults_in(self, sub, location):
        return self.deleted_vaults.get((sub.lower(), location.lower()), [])

    def guard(self, sub, rg, name):
        return self.guards.get((sub.lower(), rg.lower(), name.lower()))

    def role_assignments_in(self, sub):
        return self.role_assignments.get(sub.lower(), [])

    def events_in(self, sub):
        return self.events.get(sub.lower(), [])

    def container(self, sub, rg, account, name):
        return self.containers.get((sub.lower(), rg.lower(), account.lower(), name.lower()))

    def role_definition(self, guid):
        return self.role_definitions.get(guid.lower())

    def counts(self):
        """Resource counts, for the startup log line."""
        return {
            "subscriptions": len(self.subscriptions),
            "vaults": sum(len(v) for v in self.vaults.values()),
            "virtualMachines": sum(len(v) for v in self.vms.values()),
            "vault_children": sum(len(r) for c in self.children.values() for r in c.values()),
            "deletedVaults": sum(len(v) for v in self.deleted_vaults.values()),
            "resourceGuards": len(self.guards),
            "roleAssignments": sum(len(v) for v in self.role_assignments.values()),
            "roleDefinitions": len(self.role_definitions),
            "events": sum(len(v) for v in self.events.values()),
        }
