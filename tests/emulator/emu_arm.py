"""ARM routing, paging and the per-subscription throttling counters.

route() turns a GET path into (operation, status, body) without any HTTP concern, so the
HTTP layer (emu_server.py) only adds headers, faults and encoding.
"""
import base64
import calendar
import datetime
import hashlib
import hmac
import json
import re
import secrets
import threading
import time
import urllib.parse

_P = r"/subscriptions/([^/]+)"
_V = _P + r"/resourceGroups/([^/]+)/providers/Microsoft\.RecoveryServices/vaults/([^/]+)"
ROUTES = [
    (re.compile(r"^/subscriptions/?$", re.I), "subscriptions"),
    (re.compile("^" + _P + r"/?$", re.I), "subscription"),  # Subscriptions_Get (vaultproof doctor)
    (re.compile("^" + _P + r"/providers/Microsoft\.RecoveryServices/vaults/?$", re.I), "vaults"),
    (re.compile("^" + _P + r"/providers/Microsoft\.Compute/virtualMachines/?$", re.I), "virtualMachines"),
    (re.compile("^" + _V + r"/backupPolicies/?$", re.I), "backupPolicies"),
    (re.compile("^" + _V + r"/backupProtectedItems/?$", re.I), "backupProtectedItems"),
    (re.compile("^" + _V + r"/backupResourceGuardProxies/?$", re.I), "backupResourceGuardProxies"),
    (re.compile("^" + _V + r"/backupconfig/vaultconfig/?$", re.I), "backupconfig"),
    (re.compile("^" + _V + r"/backupstorageconfig/vaultstorageconfig/?$", re.I), "backupstorageconfig"),
    (re.compile("^" + _V + r"/backupEngines/?$", re.I), "backupEngines"),
    (re.compile("^" + _V + r"/backupJobs/?$", re.I), "backupJobs"),
    (re.compile("^" + _P + r"/providers/Microsoft\.RecoveryServices/locations/([^/]+)/deletedVaults/?$", re.I),
     "deletedVaults"),
    (re.compile("^" + _P + r"/resourceGroups/([^/]+)/providers/Microsoft\.DataProtection/resourceGuards/([^/]+)/?$",
                re.I), "resourceGuards"),
    (re.compile("^" + _P + r"/providers/Microsoft\.Authorization/roleAssignments/?$", re.I), "roleAssignments"),
    (re.compile(r"^(?:/subscriptions/[^/]+)?/providers/Microsoft\.Authorization/roleDefinitions/([^/]+)/?$", re.I),
     "roleDefinitions"),
    (re.compile("^" + _V + r"/backupJobs/([^/]+)/?$", re.I), "backupJobDetails"),
    (re.compile("^" + _P + r"/providers/Microsoft\.RecoveryServices/locations/([^/]+)/backupCrrJobs/?$", re.I),
     "backupCrrJobs"),
    (re.compile("^" + _P + r"/providers/Microsoft\.Insights/eventtypes/management/values/?$", re.I), "activityLog"),
    # the bundle archive's storage account and container (pack --archive-url)
    (re.compile("^" + _P + r"/providers/Microsoft\.Storage/storageAccounts/?$", re.I), "storageAccounts"),
    (re.compile("^" + _P + r"/resourceGroups/([^/]+)/providers/Microsoft\.Storage/storageAccounts/([^/]+)/"
                r"blobServices/default/containers/([^/]+)/?$", re.I), "blobContainer"),
]
# BackupCrrJobs_List is a POST (ListCrrJobs_Post.json); every other ARM route a GET
POST_OPERATIONS = ("backupCrrJobs",)
_ASSIGNED_TO = re.compile(r"^assignedTo\('([^']*)'\)$")
# BackupJobs_List's $filter (ListJobsWithStartTimeAndEndTimeFilters.json): dates as
# 'yyyy-MM-dd hh:mm:ss AM/PM' on a 12-hour clock, UTC. Microsoft's example writes midnight
# "00:00:00 AM", the Azure CLI "12:00:00 AM": both are read as midnight.
_JOB_FILTER = re.compile(r"^startTime eq '([^']*)' and endTime eq '([^']*)'$", re.I)
_JOB_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2}) (AM|PM)$")
SINGLE = ("backupconfig", "backupstorageconfig")


def classify(path):
    """(operation, decoded path segments captured) for an ARM path, or ("unknown", ())."""
    decoded = urllib.parse.unquote(path)
    for regex, operation in ROUTES:
        m = regex.match(decoded)
        if m:
            return operation, m.groups()
    return "unknown", ()


def subscription_of(path):
    """The subscription a path is under (the throttling bucket), or "" for tenant-level calls."""
    m = re.match(r"^/subscriptions/([^/]+)", urllib.parse.unquote(path), re.I)
    return m.group(1).lower() if m else ""


def arm_error(status, code, message):
    return status, {"error": {"code": code, "message": message}}


class Pager:
    """Opaque, path-bound $skipToken values: a forged or garbled token is detectable (400)."""

    def __init__(self, page_size):
        self.page_size = page_size
        self._key = secrets.token_bytes(32)

    def _mac(self, path, offset):
        msg = ("%s|%d" % (path.lower(), offset)).encode("utf-8")
        return hmac.new(self._key, msg, hashlib.sha256).hexdigest()[:16]

    def token(self, path, offset):
        raw = ("%d.%s" % (offset, self._mac(path, offset))).encode("ascii")
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")

    def offset(self, path, token):
        """The offset a token stands for, or None when it is not one this emulator issued for path."""
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode("ascii")
            offset_text, mac = raw.split(".", 1)
            offset = int(offset_text)
        except (ValueError, UnicodeDecodeError):
            return None
        if offset < 0 or not hmac.compare_digest(mac, self._mac(path, offset)):
            return None
        return offset


def job_filter_time(text):
    """Seconds since 1970 for an Azure job filter date, or None when it is not one."""
    m = _JOB_DATE.match(text)
    if not m:
        return None
    y, mo, d, h, mi, s = (int(g) for g in m.groups()[:6])
    if h > 12 or mi > 59 or s > 59:
        return None
    h = h % 12 + (12 if m.group(7) == "PM" else 0)
    try:
        return calendar.timegm(datetime.datetime(y, mo, d, h, mi, s).timetuple())
    except ValueError:
        return None


def _iso_seconds(text):
    """Seconds of an RFC 3339 time as jobs carry it (fraction dropped), or None."""
    m = re.match(r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})", text or "")
    if not m:
        return None
    return calendar.timegm(tuple(int(g) for g in m.groups()) + (0, 0, 0))


def filter_jobs(jobs, f):
    """(status, jobs or error) for BackupJobs_List's $filter: the jobs whose startTime lies
    in [startTime, endTime] - both ends included, the emulator's reading of the service
    (vaultproof clips to its half-open period itself). No filter: every job."""
    if f is None:
        return 200, list(jobs)
    m = _JOB_FILTER.match(f.strip())
    lo = job_filter_time(m.group(1)) if m else None
    hi = job_filter_time(m.group(2)) if m else None
    if lo is None or hi is None:
        return arm_error(400, "InvalidFilter", "The filter '%s' is not supported." % f[:100])
    out = []
    for job in jobs:
        t = _iso_seconds(job.get("properties", {}).get("startTime"))
        if t is not None and lo <= t <= hi:
            out.append(job)
    return 200, out


def crr_jobs(estate, sub, region, body, f):
    """(status, jobs or error, is_list) for BackupCrrJobs_List: the jobs recorded for the
    vault the body's resourceId names (its CrrJobRequest), if that vault exists and region
    is not the vault's own location (the secondary region is asked, never the primary; which
    region pairs with which is the product's table, not the emulator's); the job list's
    $filter semantics."""
    try:
        req = json.loads(body.decode("utf-8") or "null")
    except ValueError:
        req = None
    rid = req.get("resourceId") if isinstance(req, dict) else None
    m = re.match("^" + _V + r"/?$", rid or "", re.I)
    if not m or m.group(1).lower() != sub.lower():
        return arm_error(400, "BMSUserErrorInvalidInput", "The request body's resourceId is not a vault of this "
                                                          "subscription.") + (False,)
    vault = estate.vault(m.group(1), m.group(2), m.group(3))
    if vault is None:
        return arm_error(404, "ResourceNotFound", "The vault '%s' was not found." % m.group(3)) + (False,)
    if str(vault.get("location", "")).replace(" ", "").lower() == region.lower():
        return arm_error(400, "BMSUserErrorInvalidInput", "backupCrrJobs is asked of the secondary region, not the "
                                                          "vault's own location '%s'." % region) + (False,)
    status, answer = filter_jobs(estate.crr_jobs_of(m.group(1), m.group(3)), f)
    return status, answer, status == 200


# ActivityLogs_List's $filter (GetActivityLogsFiltered.json): RFC 3339 bounds with ge / le,
# optionally narrowed to one resource provider; any other filter is refused (400), as the
# service refuses the patterns it does not list.
_EVENT_FILTER = re.compile(r"^eventTimestamp ge '([^']*)' and eventTimestamp le '([^']*)'"
                           r"(?: and resourceProvider eq '([^']*)')?$", re.I)


def _iso_float(text):
    """Seconds (with fraction) of an RFC 3339 UTC time, or None."""
    m = re.match(r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?Z$", text or "")
    if not m:
        return None
    return calendar.timegm(tuple(int(g) for g in m.groups()[:6]) + (0, 0, 0)) + float(m.group(7) or 0)


def _event_provider(event):
    name = event.get("resourceProviderName")
    if isinstance(name, dict) and isinstance(name.get("value"), str):
        return name["value"]
    op = (event.get("operationName") or {}).get("value") or ""
    return op.split("/", 1)[0]


def filter_events(events, f):
    """(status, events or error) for the Activity Log's $filter: eventTimestamp in [ge, le]
    (both ends included, as the operators say) and, when named, the resource provider
    (ignoring case). Without a filter the service refuses the call (400)."""
    m = _EVENT_FILTER.match((f or "").strip())
    lo = _iso_float(m.group(1)) if m else None
    hi = _iso_float(m.group(2)) if m else None
    if lo is None or hi is None:
        return arm_error(400, "BadRequest", "The $filter '%s' is not supported." % (f or "")[:100])
    out = []
    for ev in events:
        t = _iso_float(ev.get("eventTimestamp"))
        if t is None or not lo <= t <= hi:
            continue
        if m.group(3) and _event_provider(ev).lower() != m.group(3).lower():
            continue
        out.append(ev)
    return 200, out


def route(estate, operation, groups, query=None, object_ids=(), body=b""):
    """(status, resource list or single resource or error body, is_list) for a classified path.
    query: the request's query parameters (lowercased names); object_ids: the object ids of
    the principals the emulator issues tokens for."""
    if operation == "unknown":
        return arm_error(404, "NotFound", "No route for this path in the ARM emulator.") + (False,)
    if operation == "subscriptions":
        return 200, list(estate.subscriptions), True
    if operation == "subscription":
        for res in estate.subscriptions:
            if str(res.get("subscriptionId", "")).lower() == groups[0].lower():
                return 200, res, False
        return arm_error(404, "SubscriptionNotFound", "The subscription '%s' could not be found." % groups[0]) + (False,)
    if operation == "roleDefinitions":
        definition = estate.role_definition(groups[0])
        if definition is None:
            return arm_error(404, "RoleDefinitionDoesNotExist",
                             "The specified role definition with ID '%s' does not exist." % groups[0]) + (False,)
        return 200, definition, False
    sub = groups[0]
    if operation == "roleAssignments":
        # The recording's assignments belong to whichever principal collected it: the
        # emulator hands them to any principal it issued a token for, with that principal's
        # object id, as ARM answers assignedTo() for the caller; another id has none.
        f = (query or {}).get("$filter")
        if f is None:
            return 200, list(estate.role_assignments_in(sub)), True
        m = _ASSIGNED_TO.match(f)
        if not m:
            return arm_error(400, "InvalidFilter", "The filter '%s' is not supported." % f[:100]) + (False,)
        if m.group(1) not in object_ids:
            return 200, [], True
        out = []
        for ra in estate.role_assignments_in(sub):
            ra = json.loads(json.dumps(ra))
            ra.setdefault("properties", {})["principalId"] = m.group(1)
            out.append(ra)
        return 200, out, True
    if operation == "resourceGuards":
        # looked up by id alone: a guard may live in a subscription the estate lists nowhere
        # else (another team's, another tenant's); unknown -> ARM's 404 for a missing resource
        guard = estate.guard(sub, groups[1], groups[2])
        if guard is None:
            return arm_error(404, "ResourceNotFound",
                             "The Resource 'Microsoft.DataProtection/resourceGuards/%s' under resource group '%s' "
                             "was not found." % (groups[2], groups[1])) + (False,)
        return 200, guard, False
    if not estate.has_subscription(sub):
        return arm_error(404, "SubscriptionNotFound", "The subscription '%s' could not be found." % sub) + (False,)
    if operation == "backupCrrJobs":
        return crr_jobs(estate, sub, groups[1], body, (query or {}).get("$filter"))
    if operation == "activityLog":
        status, answer = filter_events(estate.events_in(sub), (query or {}).get("$filter"))
        return status, answer, status == 200
    if operation == "vaults":
        return 200, list(estate.vaults.get(sub.lower(), [])), True
    if operation == "storageAccounts":
        return 200, list(estate.storage_accounts.get(sub.lower(), [])), True
    if operation == "blobContainer":
        container = estate.container(sub, groups[1], groups[2], groups[3])
        if container is None:
            return arm_error(404, "ContainerNotFound", "The specified container does not exist.") + (False,)
        return 200, container, False
    if operation == "virtualMachines":
        return 200, list(estate.vms.get(sub.lower(), [])), True
    if operation == "deletedVaults":
        return 200, list(estate.deleted_vaults_in(sub, groups[1])), True
    rg, vault = groups[1], groups[2]
    if estate.vault(sub, rg, vault) is None:
        return arm_error(404, "ResourceNotFound",
                         "The Resource 'Microsoft.RecoveryServices/vaults/%s' under resource group '%s' was not found."
                         % (vault, rg)) + (False,)
    if operation == "backupJobDetails":
        # JobDetails_Get: one job of the vault by name (GetJobDetails.json's shape: the job
        # as listed, the list entry being the emulator's whole job)
        for job in estate.vault_children(sub, rg, vault, "backupJobs"):
            if str(job.get("name", "")).lower() == groups[3].lower():
                return 200, job, False
        return arm_error(404, "ResourceNotFound", "The job '%s' was not found in vault '%s'." % (groups[3], vault)) + (False,)
    items = estate.vault_children(sub, rg, vault, operation)
    if operation == "backupJobs":
        status, answer = filter_jobs(items, (query or {}).get("$filter"))
        return status, answer, status == 200
    if operation in SINGLE:
        if not items:
            return arm_error(404, "ResourceNotFound", "The vault '%s' has no %s resource." % (vault, operation)) + (False,)
        return 200, items[0], False
    return 200, list(items), True


class RateLimits:
    """Per-subscription remaining-request counters, refilled by one every 50 ms up to the start value."""

    REFILL_SECONDS = 0.05

    def __init__(self, initial):
        self.initial = initial
        self._lock = threading.Lock()
        self._buckets = {}

    def consume(self, subscription):
        """(remaining reads, remaining resource requests) after this request."""
        now = time.monotonic()
        with self._lock:
            b = self._buckets.get(subscription)
            if b is None:
                b = self._buckets[subscription] = {"reads": float(self.initial), "res": float(self.initial), "t": now}
            refill = (now - b["t"]) / self.REFILL_SECONDS
            b["t"] = now
            for k in ("reads", "res"):
                b[k] = max(0.0, min(float(self.initial), b[k] + refill) - 1)
            return int(b["reads"]), int(b["res"])
