#!/usr/bin/env python3
"""Deterministic generator of Azure Backup (Recovery Services vault) estates in the
vaultproof replay layout (docs/replay-format.md, format `vaultproof-capture/1`).

    gen_estate.py contoso --out DIR [--period 2026-Q3 [--period-only] [--period-files all|jobs]]
        The curated "Contoso Health" sample estate (fixed content) that is committed
        under samples/contoso-health/raw. With --period, also the quarter's evidence:
        every protected item's backup jobs as its policy schedules them (ListJobs.json's
        shape, 200 a page, compact JSON as the service writes it), job details of failed
        jobs, the CRR jobs of the CRR-enabled vault and Activity Log events, with the
        curated situations of samples/contoso-health/README.md ("Period evidence").
        --period-only writes just those into an existing recording (how the committed
        sample, which holds files this generator does not write, gets them).

    gen_estate.py scale --out DIR --items N --vaults M [--subscriptions S] [--seed K]
                        [--page-size 200] [--no-sidecars] [--jobs-period YYYY-Qn]
                        [--events N]
        A synthetic estate of N protected items spread over M vaults, written
        streaming (vault by vault) so that 100,000+ items fit in little memory.
        With --jobs-period, each vault's backup jobs over that quarter too: one
        nightly backup job per VM or database item per day, named after the item
        (BackupJobs_List, filtered to the quarter with Azure's 'yyyy-MM-dd hh:mm:ss
        AM/PM' dates), streamed page by page; failure streaks of 1-3 nights with
        each failed job's details (backupJobs/<name>.json), a restore per 200 VMs.
        With --jobs-period also the quarter's Activity Log per subscription
        (activityLog.json, activityLog-dataprotection.json; docs/changes.md): empty, or
        with --events N, N events of the vaults (GetActivityLogsFiltered.json's shape).

Every body is written with json.dumps(obj, indent=1, ensure_ascii=False) plus a
newline, UTF-8. Sidecars (BODY.meta.json) pretend the live collector recorded the
capture at 2026-09-30T02:00:00Z. The same arguments always produce byte-identical
files: all randomness comes from random.Random seeded with a fixed string, and
bodies never depend on whether sidecars are written.

Standard library only; runs on Python 3.11.
"""

import argparse
import calendar
import json
import os
import random
import sys
import time
import urllib.parse
import uuid

ARM = "https://management.azure.com"
API_RS = "2024-04-01"        # Microsoft.RecoveryServices (vaults and backup RP)
API_COMPUTE = "2024-07-01"   # Microsoft.Compute
API_SUBS = "2022-12-01"      # GET /subscriptions
# The calls issue 13 added are recorded at the current api-versions (docs/live-collection.md).
API_VAULTS_NOW = "2026-08-01"        # Microsoft.RecoveryServices deletedVaults
API_BACKUP_NOW = "2026-02-01"        # backupEngines
API_DATAPROTECTION = "2025-09-01"    # Microsoft.DataProtection resourceGuards
FORMAT = "vaultproof-capture/1"

CAPTURE_S = calendar.timegm((2026, 9, 30, 2, 0, 0, 0, 0, 0))  # 2026-09-30T02:00:00Z
TICKS = 10_000_000            # 100 ns ticks per second (ARM prints 7 fractional digits)
HOUR = 3600
DAY = 86400

RS_VAULT = "Microsoft.RecoveryServices/vaults"
RS_POLICY = "Microsoft.RecoveryServices/vaults/backupPolicies"
RS_ITEM = "Microsoft.RecoveryServices/vaults/backupFabrics/protectionContainers/protectedItems"
RS_CONFIG = "Microsoft.RecoveryServices/vaults/backupconfig"
RS_STORAGE = "Microsoft.RecoveryServices/vaults/backupstorageconfig"
RS_PROXY = "Microsoft.RecoveryServices/vaults/backupResourceGuardProxies"
VM_TYPE = "Microsoft.Compute/virtualMachines"

# ---------------------------------------------------------------------------------------
# Formatting helpers
# ---------------------------------------------------------------------------------------


def dumps(obj):
    return json.dumps(obj, indent=1, ensure_ascii=False, sort_keys=False) + "\n"


def ts7(ticks):
    """RFC 3339 UTC with 7 fractional digits from 100 ns ticks since the epoch."""
    s, frac = divmod(int(ticks), TICKS)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(s)) + ".%07dZ" % frac


def ts0(seconds):
    """RFC 3339 UTC without fraction (schedule and retention times)."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(int(seconds)))


def at(y, mo, d, h=0, mi=0, s=0):
    return calendar.timegm((y, mo, d, h, mi, s, 0, 0, 0))


def ticks_of(seconds, rng):
    """Seconds -> ticks, with a deterministic sub-second part (7 digits)."""
    return int(seconds) * TICKS + rng.randrange(TICKS)


def guid(rng):
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def http_date(seconds):
    t = time.gmtime(int(seconds))
    return "%s, %02d %s %04d %02d:%02d:%02d GMT" % (
        _DAYS[t.tm_wday], t.tm_mday, _MONTHS[t.tm_mon - 1], t.tm_year, t.tm_hour, t.tm_min, t.tm_sec)


def ms_stamp(ms):
    """Sidecar timestamp: ms since the capture start -> RFC 3339 with milliseconds."""
    s, frac = divmod(ms, 1000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(CAPTURE_S + s)) + ".%03dZ" % frac


def timespan(seconds):
    """.NET TimeSpan text (d.hh:mm:ss) as the backup RP prints deferredDeleteTimeRemaining."""
    seconds = int(seconds)
    d, rem = divmod(seconds, DAY)
    h, rem = divmod(rem, HOUR)
    m, s = divmod(rem, 60)
    return "%d.%02d:%02d:%02d" % (d, h, m, s)


# ---------------------------------------------------------------------------------------
# Output: bodies, streamed lists and capture sidecars
# ---------------------------------------------------------------------------------------


class Output:
    def __init__(self, root, sidecars, meta_seed):
        self.root = root
        self.sidecars = sidecars
        # Capture metadata has its own random stream so bodies never depend on it.
        self.mrng = random.Random("vaultproof-capture-meta/" + meta_seed)
        self.clock_ms = 0
        self.files = 0
        self.bytes = 0

    def _path(self, rel):
        p = os.path.join(self.root, *rel.split("/"))
        os.makedirs(os.path.dirname(p), exist_ok=True)
        return p

    def write(self, rel, obj):
        data = dumps(obj).encode("utf-8")
        with open(self._path(rel), "wb") as f:
            f.write(data)
        self.files += 1
        self.bytes += len(data)

    def write_compact(self, rel, obj):
        """As write, but compact (one line) - the service's own spelling - for the big job lists."""
        data = (json.dumps(obj, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
        with open(self._path(rel), "wb") as f:
            f.write(data)
        self.files += 1
        self.bytes += len(data)

    def stream_list(self, rel):
        return ListStream(self, rel)

    def call(self, rel, url, operation, scope, page=1, next_link=None, complete=True,
             latency=(90, 700), retries=None, extra=None):
        """Advance the capture clock by one HTTP exchange and write its sidecar."""
        r = self.mrng
        if retries is None:
            retries = 1 if r.random() < 0.01 else 0
        requested = self.clock_ms + r.randint(3, 40)
        received = requested + r.randint(*latency)
        if retries:
            # first attempt answered 429/503, then a Retry-After / backoff wait
            received += r.randint(1000, 2500) + r.randint(*latency)
        self.clock_ms = received
        request_id = guid(r)
        correlation_id = guid(r)
        if not self.sidecars:
            return
        meta = {
            "format": FORMAT,
            "method": "GET",
            "url": url,
            "status": 200,
            "requested_at": ms_stamp(requested),
            "received_at": ms_stamp(received),
            "retries": retries,
            "headers": {
                "x-ms-request-id": request_id,
                "x-ms-correlation-request-id": correlation_id,
                "date": http_date(CAPTURE_S + received // 1000),
            },
            "call": {
                "operation": operation,
                "scope": scope,
                "page": page,
                "next_link": next_link,
                "complete": complete,
                "error": None,
            },
        }
        meta.update(extra or {})
        assert rel.endswith(".json")
        self.write(rel[:-len(".json")] + ".meta.json", meta)

    def paged(self, base_rel, url, operation, scope, items, page_size, last_null,
              latency=(150, 900), retries_by_page=None):
        """Write an ARM list as pages of page_size (page 1 = base_rel, page n = .page-000n).

        Non-last pages carry nextLink = the next page's URL ($skipToken); the last page
        has "nextLink": null when last_null, otherwise no nextLink key at all."""
        n = len(items)
        pages = max(1, -(-n // page_size))
        stem = base_rel[:-len(".json")]
        page_url = url
        for p in range(1, pages + 1):
            chunk = items[(p - 1) * page_size:p * page_size]
            rel = base_rel if p == 1 else "%s.page-%04d.json" % (stem, p)
            body = {"value": chunk}
            nxt = None
            if p < pages:
                nxt = "%s&$skipToken=%d" % (url, p * page_size)
                body["nextLink"] = nxt
            elif last_null:
                body["nextLink"] = None
            self.write(rel, body)
            retries = None if retries_by_page is None else retries_by_page.get(p, 0)
            self.call(rel, page_url, operation, scope, page=p, next_link=nxt,
                      complete=(p == pages), latency=latency, retries=retries)
            page_url = nxt


class ListStream:
    """Writes {"value": [ ... ]} element by element, byte-identical to dumps(whole)."""

    def __init__(self, out, rel):
        self.out = out
        self.f = open(out._path(rel), "wb")
        self.n = 0
        self.size = 0
        self._w('{\n "value": [')

    def _w(self, s):
        b = s.encode("utf-8")
        self.f.write(b)
        self.size += len(b)

    def add(self, obj):
        text = json.dumps(obj, indent=1, ensure_ascii=False)
        self._w((",\n  " if self.n else "\n  ") + text.replace("\n", "\n  "))
        self.n += 1

    def close(self, tail=None):
        """tail: dict of keys written after "value" (e.g. {"nextLink": None})."""
        self._w("\n ]" if self.n else "]")
        for k, v in (tail or {}).items():
            self._w(",\n " + json.dumps(k, ensure_ascii=False) + ": "
                    + json.dumps(v, indent=1, ensure_ascii=False).replace("\n", "\n "))
        self._w("\n}\n")
        self.f.close()
        self.out.files += 1
        self.out.bytes += self.size


class PagedListStream:
    """An ARM list written page by page as elements arrive: page 1 is base_rel, page n
    is base_rel with .page-000n; each page gets its sidecar when it is closed. Compute's
    VirtualMachines_ListAll pages its answer too (page size here is an assumption)."""

    def __init__(self, out, base_rel, url, operation, scope, page_size, latency=(300, 1500)):
        self.out, self.base_rel, self.url = out, base_rel, url
        self.operation, self.scope, self.page_size, self.latency = operation, scope, page_size, latency
        self.stem = base_rel[:-len(".json")]
        self.page, self.in_page, self.page_url = 1, 0, url
        self.rel = base_rel
        self.stream = ListStream(out, base_rel)

    def add(self, obj):
        if self.in_page == self.page_size:
            self._finish_page(last=False)
            self.page += 1
            self.rel = "%s.page-%04d.json" % (self.stem, self.page)
            self.stream = ListStream(self.out, self.rel)
            self.in_page = 0
        self.stream.add(obj)
        self.in_page += 1

    def _finish_page(self, last):
        nxt = None if last else "%s&$skipToken=%d" % (self.url, self.page * self.page_size)
        self.stream.close({"nextLink": nxt})
        self.out.call(self.rel, self.page_url, self.operation, self.scope, page=self.page, next_link=nxt,
                      complete=last, latency=self.latency)
        self.page_url = nxt

    def close(self):
        self._finish_page(last=True)


# ---------------------------------------------------------------------------------------
# ARM ids and URLs
# ---------------------------------------------------------------------------------------


def sub_id(sid):
    return "/subscriptions/" + sid


def vault_arm_id(v):
    return "/subscriptions/%s/resourceGroups/%s/providers/%s/%s" % (v["sub"], v["rg"], RS_VAULT, v["name"])


def vault_bms_id(v):
    # The backup resource provider writes "/Subscriptions/" with a capital S.
    return "/Subscriptions/%s/resourceGroups/%s/providers/%s/%s" % (v["sub"], v["rg"], RS_VAULT, v["name"])


def vm_arm_id(sub, rg, name):
    return "/subscriptions/%s/resourceGroups/%s/providers/%s/%s" % (sub, rg, VM_TYPE, name)


def policy_id(v, name):
    return vault_bms_id(v) + "/backupPolicies/" + name


def vault_url(v, suffix):
    return "%s/subscriptions/%s/resourceGroups/%s/providers/%s/%s/%s?api-version=%s" % (
        ARM, v["sub"], v["rg"], RS_VAULT, v["name"], suffix, API_RS)


# ---------------------------------------------------------------------------------------
# Resource builders (shared by both modes)
# ---------------------------------------------------------------------------------------


def subscription_resource(sid, name, tenant, quota="EnterpriseAgreement_2014-09-01", tags=None):
    r = {
        "id": sub_id(sid),
        "authorizationSource": "RoleBased",
        "managedByTenants": [],
    }
    if tags is not None:
        r["tags"] = tags
    r.update({
        "subscriptionId": sid,
        "tenantId": tenant,
        "displayName": name,
        "state": "Enabled",
        "subscriptionPolicies": {
            "locationPlacementId": "Public_2014-09-01",
            "quotaId": quota,
            "spendingLimit": "Off",
        },
    })
    return r


def etag_of(ticks):
    s, frac = divmod(int(ticks), TICKS)
    stamp = time.strftime("%Y-%m-%dT%H%%3A%M%%3A%S", time.gmtime(s)) + ".%07dZ" % frac
    return "W/\"datetime'%s'\"" % stamp


def vault_resource(v):
    """v: vault spec dict (see VaultSpec keys used below)."""
    props = {"provisioningState": "Succeeded"}
    if v["immutability"] is not None:
        sec = {
            "immutabilitySettings": {"state": v["immutability"]},
            "softDeleteSettings": {
                "softDeleteState": v["soft_state"],
                "softDeleteRetentionPeriodInDays": v["soft_days"],
                "enhancedSecurityState": v["enhanced"],
            },
            "multiUserAuthorization": "Enabled" if v["guard"] else "Disabled",
        }
        props.update({
            "privateEndpointStateForBackup": v.get("pe_backup", "None"),
            "privateEndpointStateForSiteRecovery": "None",
            "securitySettings": sec,
            "redundancySettings": {
                "standardTierStorageRedundancy": v["redundancy"],
                "crossRegionRestore": "Enabled" if v["crr"] else "Disabled",
            },
            "secureScore": v["secure_score"],
            "bcdrSecurityLevel": v["bcdr"],
            "publicNetworkAccess": v.get("public_network", "Enabled"),
            "monitoringSettings": {
                "azureMonitorAlertSettings": {
                    "alertsForAllJobFailures": "Enabled",
                    "alertsForAllReplicationIssues": "Enabled",
                    "alertsForAllFailoverIssues": "Enabled",
                },
                "classicAlertSettings": {
                    "alertsForCriticalOperations": "Disabled",
                    "emailNotificationsForSiteRecovery": "Enabled",
                },
            },
            "restoreSettings": {
                "crossSubscriptionRestoreSettings": {
                    "crossSubscriptionRestoreState": v.get("csr", "Enabled"),
                },
            },
            "backupStorageVersion": "V2",
        })
    else:
        # A freshly created vault: the RP returned no securitySettings at all.
        props.update({
            "privateEndpointStateForBackup": "None",
            "privateEndpointStateForSiteRecovery": "None",
        })
    r = {
        "id": vault_arm_id(v),
        "name": v["name"],
        "type": RS_VAULT,
        "location": v["location"],
        "tags": v["tags"],
        "etag": etag_of(v["modified"]),
        "sku": {"name": "RS0", "tier": "Standard"},
    }
    if v.get("principal"):
        r["identity"] = {"type": "SystemAssigned", "principalId": v["principal"], "tenantId": v["tenant"]}
    r["systemData"] = {
        "createdBy": v["created_by"],
        "createdByType": "User",
        "createdAt": ts7(v["created"]),
        "lastModifiedBy": v["modified_by"],
        "lastModifiedByType": "User",
        "lastModifiedAt": ts7(v["modified"]),
    }
    r["properties"] = props
    return r


def vault_config(v):
    return {
        "id": vault_bms_id(v) + "/backupconfig/vaultconfig",
        "name": "vaultconfig",
        "type": RS_CONFIG,
        "properties": {
            "storageModelType": v["redundancy"],
            "storageType": v["redundancy"],
            "storageTypeState": "Locked" if v["has_items"] else "Unlocked",
            "enhancedSecurityState": "Enabled" if v["enhanced"] in ("Enabled", "AlwaysON") else "Disabled",
            "softDeleteFeatureState": v["soft_state"],
            "softDeleteRetentionPeriodInDays": v["soft_days"],
            "isSoftDeleteFeatureStateEditable": v["soft_state"] != "AlwaysON",
        },
    }


def storage_config(v):
    return {
        "id": vault_bms_id(v) + "/backupstorageconfig/vaultstorageconfig",
        "name": "vaultstorageconfig",
        "type": RS_STORAGE,
        "properties": {
            "storageModelType": v["redundancy"],
            "storageType": v["redundancy"],
            "storageTypeState": "Locked" if v["has_items"] else "Unlocked",
            "crossRegionRestoreFlag": bool(v["crr"]),
            "dedupState": "Disabled",
            "xcoolState": "Disabled",
        },
    }


def guard_proxies(v):
    if not v["guard"]:
        return {"value": []}
    g = v["guard"]
    return {"value": [{
        "id": vault_bms_id(v) + "/backupResourceGuardProxies/VaultProxy",
        "name": "VaultProxy",
        "type": RS_PROXY,
        "properties": {
            "resourceGuardResourceId": g,
            "resourceGuardOperationDetails": [
                {
                    "vaultCriticalOperation": "Microsoft.DataProtection/resourceGuards/deleteResourceGuardProxyRequests",
                    "defaultResourceRequest": g + "/deleteResourceGuardProxyRequests/default",
                },
                {
                    "vaultCriticalOperation": "Microsoft.DataProtection/resourceGuards/disableSoftDeleteRequests",
                    "defaultResourceRequest": g + "/disableSoftDeleteRequests/default",
                },
            ],
            "lastUpdatedTime": ts7(v["guard_updated"]),
            "description": v.get("guard_description"),
        },
    }]}


def vm_resource(sub, rg, name, location, tags, vm_id, size, os_type, created, zones=None,
                id_rg=None):
    """id_rg: resource group as the Compute RP prints it in `id` (it sometimes upper-cases it)."""
    rid = vm_arm_id(sub, id_rg or rg, name)
    r = {
        "name": name,
        "id": rid,
        "type": VM_TYPE,
        "location": location,
        "tags": tags,
    }
    if zones:
        r["zones"] = zones
    linux = os_type == "Linux"
    disk_type = "Premium_LRS"
    osd = {
        "osType": os_type,
        "name": name + "_OsDisk_1",
        "createOption": "FromImage",
        "caching": "ReadWrite",
        "managedDisk": {
            "storageAccountType": disk_type,
            "id": "/subscriptions/%s/resourceGroups/%s/providers/Microsoft.Compute/disks/%s_OsDisk_1"
                  % (sub, (id_rg or rg), name),
        },
        "deleteOption": "Delete",
        "diskSizeGB": 128 if linux else 256,
    }
    osp = {"computerName": name, "adminUsername": "azureadmin"}
    if linux:
        osp["linuxConfiguration"] = {"disablePasswordAuthentication": True, "provisionVMAgent": True}
    else:
        osp["windowsConfiguration"] = {"provisionVMAgent": True, "enableAutomaticUpdates": True}
    osp["secrets"] = []
    osp["allowExtensionOperations"] = True
    r["properties"] = {
        "vmId": vm_id,
        "hardwareProfile": {"vmSize": size},
        "storageProfile": {
            "imageReference": ({"publisher": "RedHat", "offer": "RHEL", "sku": "8-lvm-gen2", "version": "latest"}
                               if linux else
                               {"publisher": "MicrosoftWindowsServer", "offer": "WindowsServer",
                                "sku": "2022-datacenter-azure-edition", "version": "latest"}),
            "osDisk": osd,
            "dataDisks": [],
        },
        "osProfile": osp,
        "networkProfile": {"networkInterfaces": [{
            "id": "/subscriptions/%s/resourceGroups/%s/providers/Microsoft.Network/networkInterfaces/%s-nic01"
                  % (sub, (id_rg or rg), name),
        }]},
        "provisioningState": "Succeeded",
        "timeCreated": ts7(created),
    }
    return r


# --- policies ----------------------------------------------------------------------------


def _dur(count, kind):
    return {"count": count, "durationType": kind}


def ltr(times, daily=None, weekly=None, monthly=None, yearly=None, monthly_daily=False,
        week_days=("Sunday",), months=("January",)):
    """LongTermRetentionPolicy; a tier passed as None is written as JSON null."""
    times = [ts0(x) for x in times]
    r = {"retentionPolicyType": "LongTermRetentionPolicy"}
    r["dailySchedule"] = ({"retentionTimes": times, "retentionDuration": _dur(daily, "Days")}
                          if daily else None)
    r["weeklySchedule"] = ({"daysOfTheWeek": list(week_days), "retentionTimes": times,
                            "retentionDuration": _dur(weekly, "Weeks")} if weekly else None)
    if monthly:
        if monthly_daily:
            r["monthlySchedule"] = {
                "retentionScheduleFormatType": "Daily",
                "retentionScheduleDaily": {"daysOfTheMonth": [{"date": 1, "isLast": False}]},
                "retentionScheduleWeekly": None,
                "retentionTimes": times,
                "retentionDuration": _dur(monthly, "Months"),
            }
        else:
            r["monthlySchedule"] = {
                "retentionScheduleFormatType": "Weekly",
                "retentionScheduleDaily": None,
                "retentionScheduleWeekly": {"daysOfTheWeek": [week_days[0]], "weeksOfTheMonth": ["First"]},
                "retentionTimes": times,
                "retentionDuration": _dur(monthly, "Months"),
            }
    else:
        r["monthlySchedule"] = None
    if yearly:
        r["yearlySchedule"] = {
            "retentionScheduleFormatType": "Weekly",
            "monthsOfYear": list(months),
            "retentionScheduleDaily": None,
            "retentionScheduleWeekly": {"daysOfTheWeek": [week_days[0]], "weeksOfTheMonth": ["First"]},
            "retentionTimes": times,
            "retentionDuration": _dur(yearly, "Years"),
        }
    else:
        r["yearlySchedule"] = None
    return r


def tiering(mode, duration=0, kind="Invalid"):
    return {"ArchivedRP": {"tieringMode": mode, "duration": duration, "durationType": kind}}


def simple_daily(t):
    return {"schedulePolicyType": "SimpleSchedulePolicy", "scheduleRunFrequency": "Daily",
            "scheduleRunTimes": [ts0(t)], "scheduleWeeklyFrequency": 0}


def simple_weekly(t, days):
    return {"schedulePolicyType": "SimpleSchedulePolicy", "scheduleRunFrequency": "Weekly",
            "scheduleRunDays": list(days), "scheduleRunTimes": [ts0(t)], "scheduleWeeklyFrequency": 0}


def simple_retention(days):
    return {"retentionPolicyType": "SimpleRetentionPolicy", "retentionDuration": _dur(days, "Days")}


def policy_props(p):
    """p: policy spec dict with key "kind" and kind-specific parameters."""
    kind = p["kind"]
    t = p["time"]  # seconds; date of policy creation + time of day of the schedule
    if kind in ("iaas_v1", "iaas_v2_daily", "iaas_v2_hourly"):
        if kind == "iaas_v1":
            sched = simple_daily(t)
        elif kind == "iaas_v2_daily":
            sched = {"schedulePolicyType": "SimpleSchedulePolicyV2", "scheduleRunFrequency": "Daily",
                     "dailySchedule": {"scheduleRunTimes": [ts0(t)]}}
        else:
            sched = {"schedulePolicyType": "SimpleSchedulePolicyV2", "scheduleRunFrequency": "Hourly",
                     "hourlySchedule": {"interval": p["interval"], "scheduleWindowStartTime": ts0(t),
                                        "scheduleWindowDuration": p.get("window", 24)},
                     "dailySchedule": None, "weeklySchedule": None}
        props = {
            "backupManagementType": "AzureIaasVM",
            "policyType": "V1" if kind == "iaas_v1" else "V2",
            "instantRPDetails": {},
            "schedulePolicy": sched,
            "retentionPolicy": ltr([t], *p["ltr"], monthly_daily=p.get("monthly_daily", False)),
        }
        if p.get("tiering") is not None:
            props["tieringPolicy"] = p["tiering"]
        props["instantRpRetentionRangeInDays"] = p.get("instant_rp", 2 if kind == "iaas_v1" else 7)
        props["timeZone"] = p.get("tz", "UTC")
        props["protectedItemsCount"] = p["count"]
        return props
    if kind in ("sql", "hana", "ase"):
        wl = {"sql": "SQLDataBase", "hana": "SAPHanaDatabase", "ase": "SAPAseDatabase"}[kind]
        subs = []
        full_days = p.get("full_days")  # None => weekly full on Sunday
        if full_days is None:
            full_sched = simple_weekly(t, ["Sunday"])
            full_ret = ltr([t], None, *p["ltr"][1:])
        else:
            full_sched = simple_daily(t)
            full_ret = ltr([t], *p["ltr"])
        full = {"policyType": "Full", "schedulePolicy": full_sched, "retentionPolicy": full_ret}
        if p.get("tiering") is not None:
            full["tieringPolicy"] = p["tiering"]
        subs.append(full)
        if p.get("diff_days"):
            subs.append({
                "policyType": "Incremental" if kind == "hana" else "Differential",
                "schedulePolicy": simple_weekly(t + 1800, ["Monday", "Tuesday", "Wednesday", "Thursday",
                                                           "Friday", "Saturday"]),
                "retentionPolicy": simple_retention(p["diff_days"]),
            })
        subs.append({
            "policyType": "Log",
            "schedulePolicy": {"schedulePolicyType": "LogSchedulePolicy",
                               "scheduleFrequencyInMins": p["log_mins"]},
            "retentionPolicy": simple_retention(p["log_days"]),
        })
        return {
            "backupManagementType": "AzureWorkload",
            "workLoadType": wl,
            "settings": {"timeZone": p.get("tz", "UTC"), "issqlcompression": kind == "sql",
                         "isCompression": kind != "sql"},
            "subProtectionPolicy": subs,
            "makePolicyConsistent": False,
            "protectedItemsCount": p["count"],
        }
    if kind == "mab":
        return {
            "backupManagementType": "MAB",
            "schedulePolicy": simple_daily(t),
            "retentionPolicy": ltr([t], *p["ltr"], monthly_daily=p.get("monthly_daily", False)),
            "protectedItemsCount": p["count"],
        }
    if kind == "afs":
        return {
            "backupManagementType": "AzureStorage",
            "workLoadType": "AzureFileShare",
            "schedulePolicy": simple_daily(t),
            "vaultRetentionPolicy": {
                "vaultRetention": ltr([t], *p["ltr"]),
                "snapshotRetentionInDays": p.get("snapshot_days", 5),
            },
            "timeZone": p.get("tz", "UTC"),
            "protectedItemsCount": p["count"],
        }
    raise ValueError(kind)


def policy_resource(v, p):
    return {
        "id": policy_id(v, p["name"]),
        "name": p["name"],
        "type": RS_POLICY,
        "properties": policy_props(p),
    }


def policy_max_days(p):
    """Longest retention of a policy (days), used for plausible recovery-point counts."""
    if p is None:
        return 30
    d, w, m, y = (list(p.get("ltr", ())) + [None] * 4)[:4]
    return max(d or 0, (w or 0) * 7, (m or 0) * 30, (y or 0) * 365, 1)


def rp_count(p, age_days):
    """Plausible recoveryPointCount for an item protected for age_days under policy p."""
    if p is None:
        return max(1, min(age_days, 30))
    d, w, m, y = (list(p.get("ltr", ())) + [None] * 4)[:4]
    n = min(age_days, d or 0)
    if w:
        n += max(0, min(age_days // 7, w) - (d or 0) // 7)
    if m:
        n += max(0, min(age_days // 30, m) - (w or 0) * 7 // 30)
    if y:
        n += max(0, min(age_days // 365, y) - (m or 0) // 12)
    if p["kind"] == "iaas_v2_hourly":
        n += (24 // p["interval"]) * min(age_days, p.get("instant_rp", 7)) - min(age_days, p.get("instant_rp", 7))
    if p["kind"] in ("sql", "hana", "ase"):
        n += min(age_days, p.get("diff_days") or 0)
    return max(1, n)


# --- protected items ---------------------------------------------------------------------


def _item(v, container, name, props):
    return {
        "id": "%s/backupFabrics/Azure/protectionContainers/%s/protectedItems/%s"
              % (vault_bms_id(v), container, name),
        "name": name,
        "type": RS_ITEM,
        "properties": props,
    }


def _policy_fields(props, v, it):
    """policyId/policyName: from the item's policy, an explicit missing policy, or ""."""
    if it.get("policy_name") is not None:
        props["policyId"] = policy_id(v, it["policy_name"])
        props["policyName"] = it["policy_name"]
    elif it.get("stopped"):
        props["policyId"] = ""


def _common_tail(props, v, it, rng):
    if it.get("last_rp") is not None:
        props["lastRecoveryPoint"] = ts7(it["last_rp"])
    props["isScheduledForDeferredDelete"] = bool(it.get("deleted_at"))
    if it.get("deleted_at"):
        props["deferredDeleteTimeInUTC"] = ts7(it["deleted_at"])
        purge = it["deleted_at"] // TICKS + v["soft_days"] * DAY
        props["deferredDeleteTimeRemaining"] = timespan(max(0, purge - CAPTURE_S))
        props["isDeferredDeleteScheduleUpcoming"] = (purge - CAPTURE_S) < 2 * DAY
    props["isRehydrate"] = False
    props["isArchiveEnabled"] = bool(it.get("archive"))
    if v["soft_state"] != "Disabled":
        props["softDeleteRetentionPeriodInDays"] = v["soft_days"]


def item_vm(v, it, rng):
    vm = it["vm"]
    rg, name = vm["rg"].lower(), vm["name"].lower()
    cont = "iaasvmcontainerv2;%s;%s" % (rg, name)
    state = it["state"]
    error = state == "ProtectionError"
    props = {
        "friendlyName": vm["name"],
        "virtualMachineId": vm["src_id"],
        "protectionStatus": "Unhealthy" if error else "Healthy",
        "protectionState": state,
        "healthStatus": "ActionRequired" if error else ("ActionSuggested" if it.get("warn") else "Passed"),
    }
    if error:
        props["healthDetails"] = [{
            "code": 400064,
            "title": "UserErrorGuestAgentStatusUnavailable",
            "message": "VM Agent is unable to communicate with Azure Backup.",
            "recommendations": [
                "Ensure the VM agent is installed and running, and that outbound connectivity "
                "to Azure Backup and Azure Storage is allowed.",
            ],
        }]
    if state == "IRPending":
        props["lastBackupStatus"] = ""
        props["lastBackupTime"] = "2001-01-01T00:00:00Z"
    else:
        props["lastBackupStatus"] = it.get("last_status", "Failed" if error else "Completed")
        props["lastBackupTime"] = ts7(it["last_backup"])
    props["protectedItemDataId"] = str(it["data_id"])
    ext = {}
    if it.get("oldest") is not None:
        ext["oldestRecoveryPoint"] = ts7(it["oldest"])
        ext["oldestRecoveryPointInVault"] = ts7(it["oldest"])
    ext["recoveryPointCount"] = it.get("rp_count", 0)
    ext["policyInconsistent"] = False
    props["extendedInfo"] = ext
    props["protectedItemType"] = "Microsoft.Compute/virtualMachines"
    props["backupManagementType"] = "AzureIaasVM"
    props["workloadType"] = "VM"
    props["containerName"] = cont
    props["sourceResourceId"] = vm["src_id"]
    _policy_fields(props, v, it)
    if it.get("policy_type"):
        props["policyType"] = it["policy_type"]
    _common_tail(props, v, it, rng)
    return _item(v, "IaasVMContainer;" + cont, "VM;" + cont, props)


_WL = {
    "sql": ("AzureVmWorkloadSQLDatabase", "SQLDataBase", "AzureVmWorkloadSQLInstance", "SQLDataBase"),
    "hana": ("AzureVmWorkloadSAPHanaDatabase", "SAPHanaDatabase", "AzureVmWorkloadSAPHanaSystem", "SAPHanaDatabase"),
    "ase": ("AzureVmWorkloadSAPAseDatabase", "SAPAseDatabase", "AzureVmWorkloadSAPAseSystem", "SAPAseDatabase"),
}


def item_workload(v, it, rng):
    vm = it["vm"]
    ptype, wtype, parent_type, prefix = _WL[it["kind"]]
    cont = "VMAppContainer;compute;%s;%s" % (vm["rg"].lower(), vm["name"].lower())
    state = it["state"]
    error = state == "ProtectionError"
    props = {
        "friendlyName": it["db"],
        "serverName": vm["name"],
        "parentName": it["parent"],
        "parentType": parent_type,
        "protectionStatus": "Unhealthy" if error else "Healthy",
        "protectionState": state,
    }
    if state == "IRPending":
        props["lastBackupStatus"] = "IRPending"
    else:
        props["lastBackupStatus"] = "Unhealthy" if error else "Healthy"
        props["lastBackupTime"] = ts7(it["last_backup"])
    if error:
        props["lastBackupErrorDetail"] = {
            "code": "UserErrorSQLNoSysadminMembership" if it["kind"] == "sql" else "UserErrorHanaPODoesNotExist",
            "message": "Azure Backup does not have the permissions required on the database server.",
            "recommendations": ["Grant the backup service account the required privileges and retry."],
        }
    props["protectedItemDataSourceId"] = str(it["data_id"])
    props["protectedItemHealthStatus"] = {"Protected": "Healthy", "IRPending": "IRPending",
                                          "ProtectionError": "Unhealthy"}.get(state, "Healthy")
    ext = {}
    if it.get("oldest") is not None:
        ext["oldestRecoveryPoint"] = ts7(it["oldest"])
        ext["oldestRecoveryPointInVault"] = ts7(it["oldest"])
    ext["recoveryPointCount"] = it.get("rp_count", 0)
    ext["policyState"] = "Consistent"
    if it["kind"] == "sql":
        ext["recoveryModel"] = it.get("recovery_model", "Full")
    props["extendedInfo"] = ext
    props["protectedItemType"] = ptype
    props["backupManagementType"] = "AzureWorkload"
    props["workloadType"] = wtype
    props["containerName"] = cont
    props["sourceResourceId"] = vm["src_id"]
    _policy_fields(props, v, it)
    _common_tail(props, v, it, rng)
    name = "%s;%s;%s" % (prefix, it["parent"].lower(), it["db"].lower())
    return _item(v, cont, name, props)


def item_dpm(v, it, rng):
    """DPM (backupManagementType DPM) or Azure Backup Server (AzureBackupServer) datasource."""
    server = it["server"]
    last = it.get("last_rp")
    ext = {
        "protectableObjectLoadPath": {server.upper(): it["path"]},
        "protected": it["state"] != "ProtectionStopped",
        "isPresentOnCloud": True,
        "lastBackupStatus": "Failed" if it["state"] == "ProtectionError" else "Succeeded",
        "lastRefreshedAt": ts7(it["refreshed"]),
        "oldestRecoveryPoint": ts7(it["oldest"]),
        "recoveryPointCount": it["rp_count"],
        "onPremiseOldestRecoveryPoint": ts7(it["oldest_local"]),
        "onPremiseLatestRecoveryPoint": ts7(it["latest_local"]),
        "onPremiseRecoveryPointCount": it["local_count"],
        "isCollocated": False,
        "protectionGroupName": it["group"],
        "diskStorageUsedInBytes": str(it["used"]),
        "totalDiskStorageSizeInBytes": str(it["total"]),
    }
    props = {
        "friendlyName": it["friendly"],
        "backupEngineName": it["engine"],
        "protectionState": it["state"],
        "extendedInfo": ext,
        "protectedItemType": "DPMProtectedItem",
        "backupManagementType": it["bmt"],
        "workloadType": it["workload"],
        "containerName": server,
    }
    if last is not None:
        props["lastRecoveryPoint"] = ts7(last)
    props["isScheduledForDeferredDelete"] = False
    props["isRehydrate"] = False
    props["isArchiveEnabled"] = False
    name = "%s;%s;%s" % (it["workload"], server.lower(), it["ds"])
    return _item(v, "DPMContainer;" + server.lower(), name, props)


def item_mars(v, it, rng):
    comp = it["computer"]
    props = {
        "friendlyName": it["friendly"],
        "computerName": comp,
        "lastBackupStatus": it.get("last_status", "Completed"),
        "lastBackupTime": ts7(it["last_backup"]),
        "protectionState": it["state"],
        "deferredDeleteSyncTimeInUTC": 0,
        "extendedInfo": {
            "lastRefreshedAt": ts7(it["refreshed"]),
            "oldestRecoveryPoint": ts7(it["oldest"]),
            "recoveryPointCount": it["rp_count"],
        },
        "protectedItemType": "MabFileFolderProtectedItem",
        "backupManagementType": "MAB",
        "workloadType": "FileFolder",
        "containerName": comp,
    }
    _policy_fields(props, v, it)
    _common_tail(props, v, it, rng)
    return _item(v, "Windows;" + comp.lower(), "FileFolder;" + mars_ds(it["friendly"]), props)


def mars_ds(path):
    """Item name part for a MARS path: the RP names volume C:\\ as "C"; folders keep their
    components joined with "_" (C:\\Daten\\Zürich\\ -> C_Daten_Zürich)."""
    return "_".join(x for x in path.replace(":", "").split("\\") if x)


BUILDERS = {"vm": item_vm, "sql": item_workload, "hana": item_workload, "ase": item_workload,
            "dpm": item_dpm, "mars": item_mars}


# ---------------------------------------------------------------------------------------
# Writing one subscription / vault
# ---------------------------------------------------------------------------------------


def write_subscriptions(out, subs):
    body = {"value": subs, "count": {"type": "Total", "value": len(subs)}}
    out.write("subscriptions.json", body)
    out.call("subscriptions.json", "%s/subscriptions?api-version=%s" % (ARM, API_SUBS),
             "subscriptions", "/", latency=(120, 400))


def write_vault_list(out, sid, vault_resources, retries=None):
    rel = "subscriptions/%s/vaults.json" % sid
    out.write(rel, {"value": vault_resources, "nextLink": None})
    out.call(rel, "%s/subscriptions/%s/providers/%s?api-version=%s" % (ARM, sid, RS_VAULT, API_RS),
             "vaults", sub_id(sid), latency=(200, 900), retries=retries)


def vm_list_call(out, sid):
    rel = "subscriptions/%s/virtualMachines.json" % sid
    out.call(rel, "%s/subscriptions/%s/providers/%s?api-version=%s" % (ARM, sid, VM_TYPE, API_COMPUTE),
             "virtualMachines", sub_id(sid), latency=(300, 1500))
    return rel


def write_vault_calls(out, v, policies, items, page_size, items_last_null, retries=None):
    """The five per-vault calls, in collector order. items: list of item resources."""
    retries = retries or {}
    base = "subscriptions/%s/vaults/%s/" % (v["sub"], v["name"])
    scope = vault_arm_id(v)
    rel = base + "backupPolicies.json"
    out.write(rel, {"value": policies})
    out.call(rel, vault_url(v, "backupPolicies"), "backupPolicies", scope,
             retries=retries.get("backupPolicies"))
    out.paged(base + "backupProtectedItems.json", vault_url(v, "backupProtectedItems"),
              "backupProtectedItems", scope, items, page_size, items_last_null,
              retries_by_page=retries.get("backupProtectedItems"))
    rel = base + "backupconfig.json"
    out.write(rel, vault_config(v))
    out.call(rel, vault_url(v, "backupconfig/vaultconfig"), "backupconfig", scope,
             latency=(60, 300), retries=retries.get("backupconfig"))
    rel = base + "backupstorageconfig.json"
    out.write(rel, storage_config(v))
    out.call(rel, vault_url(v, "backupstorageconfig/vaultstorageconfig"), "backupstorageconfig", scope,
             latency=(60, 300), retries=retries.get("backupstorageconfig"))
    rel = base + "backupResourceGuardProxies.json"
    out.write(rel, guard_proxies(v))
    out.call(rel, vault_url(v, "backupResourceGuardProxies"), "backupResourceGuardProxies", scope,
             latency=(60, 300), retries=retries.get("backupResourceGuardProxies"))


def prepare_out(path):
    if os.path.exists(path):
        if not os.path.isdir(path):
            sys.exit("gen_estate: --out %s exists and is not a directory" % path)
        if os.listdir(path):
            sys.exit("gen_estate: --out %s is not empty; remove it first (outputs must not mix)" % path)
    os.makedirs(path, exist_ok=True)


# ---------------------------------------------------------------------------------------
# Contoso Health: the curated sample estate
# ---------------------------------------------------------------------------------------

SITE_TAGS = {"wus3": "Phoenix", "eus2": "Boston", "chw": "Zürich", "gwn": "Hamburg",
             "plc": "Kraków", "sin": "Bengaluru"}


def contoso(args):
    rng = random.Random("contoso-health/2026-09-30")
    out = Output(args.out, True, "contoso-health")
    if args.period_only:
        if not os.path.isdir(args.out):
            sys.exit("gen_estate: --period-only: --out %s must be the existing sample recording" % args.out)
    else:
        prepare_out(args.out)

    tenant = guid(rng)
    S_PRD, S_NPD, S_FIN = guid(rng), guid(rng), guid(rng)
    S_SEC = guid(rng)  # security subscription holding the resource guard (not in scope)
    subs = [
        subscription_resource(S_PRD, "Contoso Health – Epic Production", tenant,
                              tags={"CostCenter": "CH-IT-1100", "Owner": "epic-platform@contosohealth.example"}),
        subscription_resource(S_NPD, "Contoso Health – Epic Non-Production", tenant,
                              quota="MSDNDevTest_2014-09-01"),
        subscription_resource(S_FIN, "Contoso Health – Shared Services / Finance (SOX)", tenant,
                              tags={"CostCenter": "CH-FIN-2200", "Compliance": "SOX"}),
    ]
    guard = ("/subscriptions/%s/resourceGroups/rg-sec-resourceguards/providers/"
             "Microsoft.DataProtection/resourceGuards/rguard-contoso-backup" % S_SEC)
    admin = "backup-admins@contosohealth.example"

    def vault(key, sub, rg, name, location, **kw):
        v = {"key": key, "sub": sub, "rg": rg, "name": name, "location": location, "tenant": tenant,
             "tags": {"Environment": "Production", "Owner": "backup-ops", "Site": SITE_TAGS[key]},
             "guard": None, "principal": guid(rng), "created_by": admin, "modified_by": admin,
             "crr": False, "secure_score": "Minimum", "bcdr": "Fair", "has_items": True}
        v.update(kw)
        same = v["modified"] == v["created"]
        v["created"] = ticks_of(v["created"], rng)
        v["modified"] = v["created"] if same else ticks_of(v["modified"], rng)
        if v.get("guard_updated"):
            v["guard_updated"] = ticks_of(v["guard_updated"], rng)
        return v

    V = {}
    V["wus3"] = vault("wus3", S_PRD, "rg-backup-prd-wus3", "rsv-epic-immutable-wus3", "westus3",
                      immutability="Locked", soft_state="AlwaysON", soft_days=30, enhanced="AlwaysON",
                      redundancy="GeoRedundant", crr=True, guard=guard, secure_score="Maximum",
                      bcdr="Excellent", public_network="Disabled", pe_backup="Enabled", csr="Disabled",
                      created=at(2024, 11, 4, 15, 12, 40), modified=at(2026, 3, 2, 10, 15, 44),
                      guard_updated=at(2026, 3, 2, 10, 15, 44),
                      guard_description="Resource guard owned by Security Operations (separate subscription)")
    V["eus2"] = vault("eus2", S_PRD, "rg-backup-prd-eus2", "rsv-epic-standard-eus2", "eastus2",
                      immutability="Disabled", soft_state="Enabled", soft_days=14, enhanced="Enabled",
                      redundancy="LocallyRedundant", secure_score="Minimum", bcdr="Fair",
                      created=at(2025, 2, 17, 9, 30, 5), modified=at(2026, 9, 14, 8, 2, 51),
                      tags={"Environment": "Production", "Owner": "backup-ops", "Site": "Boston",
                            "Purpose": "hyper-care"})
    V["chw"] = vault("chw", S_PRD, "rg-backup-dr-chw", "rsv-epic-dr-chw", "switzerlandwest",
                     immutability="Locked", soft_state="Enabled", soft_days=90, enhanced="Enabled",
                     redundancy="GeoRedundant", crr=False, secure_score="Superior", bcdr="Good",
                     created=at(2025, 5, 6, 7, 45, 0), modified=at(2026, 8, 11, 13, 20, 9),
                     tags={"Environment": "Production", "Owner": "backup-ops", "Site": "Zürich",
                           "Standort": "Genève/Zürich"})
    V["gwn"] = vault("gwn", S_NPD, "rg-backup-npd-gwn", "rsv-epic-nonprod-gwn", "germanynorth",
                     immutability="Unlocked", soft_state="Enabled", soft_days=14, enhanced="Enabled",
                     redundancy="LocallyRedundant", secure_score="Adequate", bcdr="Good",
                     created=at(2025, 8, 20, 12, 0, 31), modified=at(2026, 9, 2, 16, 41, 3),
                     tags={"Environment": "Non-Production", "Owner": "epic-nonprod", "Site": "Hamburg"})
    V["npe"] = vault("eus2", S_NPD, "rg-backup-npd-eus2", "rsv-epic-nonprod-eus2", "eastus2",
                     immutability="Disabled", soft_state="Disabled", soft_days=14, enhanced="Disabled",
                     redundancy="LocallyRedundant", secure_score="None", bcdr="Poor",
                     created=at(2024, 6, 12, 18, 22, 10), modified=at(2026, 1, 9, 11, 5, 0),
                     tags=None, principal=None)
    V["plc"] = vault("plc", S_FIN, "rg-backup-fin-plc", "rsv-fin-sox-plc", "polandcentral",
                     immutability="Locked", soft_state="AlwaysON", soft_days=180, enhanced="AlwaysON",
                     redundancy="ZoneRedundant", crr=False, guard=guard, secure_score="Maximum",
                     bcdr="Excellent", csr="PermanentlyDisabled",
                     created=at(2025, 3, 3, 8, 0, 12), modified=at(2026, 4, 21, 9, 12, 30),
                     guard_updated=at(2026, 4, 21, 9, 12, 30), guard_description=None,
                     tags={"Environment": "Production", "Owner": "finance-it", "Site": "Kraków",
                           "SOX": "true", "Lokalizacja": "Kraków/Łódź"})
    V["sin"] = vault("sin", S_FIN, "rg-backup-shared-sin", "rsv-shared-mars-sin", "southindia",
                     immutability=None, soft_state="Enabled", soft_days=14, enhanced="Enabled",
                     redundancy="GeoRedundant", crr=False, tags=None,
                     created=at(2026, 9, 25, 6, 14, 2), modified=at(2026, 9, 25, 6, 14, 2))

    # ---- policies (per vault) ----
    def pol(vkey, name, kind, hh, mm, created=(2025, 3, 1), **kw):
        t = at(*created, hh, mm)
        p = {"vault": vkey, "name": name, "kind": kind, "time": t, "count": 0}
        p.update(kw)
        return p

    tier_after = tiering("TierAfter", 3, "Months")
    P = {}

    def add(p):
        P[(p["vault"], p["name"])] = p

    # rsv-epic-immutable-wus3
    add(pol("wus3", "DefaultPolicy", "iaas_v1", 22, 30, (2024, 11, 4), ltr=(30, None, None, None)))
    add(pol("wus3", "pol-epic-tier0-enhanced-4h", "iaas_v2_hourly", 0, 0, (2025, 1, 13), interval=4,
            ltr=(35, 12, 60, 7), instant_rp=7, tiering=tier_after))
    add(pol("wus3", "pol-epic-tier1-daily", "iaas_v1", 22, 30, (2025, 1, 13), ltr=(35, 12, 24, 7),
            instant_rp=5))
    add(pol("wus3", "pol-sql-epic-clarity", "sql", 20, 0, (2025, 1, 20), ltr=(None, 104, 60, 7),
            diff_days=30, log_mins=15, log_days=35))
    add(pol("wus3", "pol-afs-epic-shares", "afs", 23, 0, (2025, 6, 2), ltr=(90, 12, None, None)))
    # rsv-epic-standard-eus2
    add(pol("eus2", "DefaultPolicy", "iaas_v1", 23, 0, (2025, 2, 17), ltr=(30, None, None, None)))
    add(pol("eus2", "pol-epic-hypercare-daily", "iaas_v2_daily", 22, 0, (2025, 2, 17),
            ltr=(35, 12, 12, 7), monthly_daily=True))
    add(pol("eus2", "pol-sql-hypercare", "sql", 21, 0, (2025, 2, 17), full_days=1,
            ltr=(35, 12, 12, 7), log_mins=60, log_days=15))
    # rsv-epic-dr-chw
    add(pol("chw", "pol-dr-enhanced-daily", "iaas_v2_daily", 21, 0, (2025, 5, 6), ltr=(35, 52, 60, 6),
            tz="W. Europe Standard Time"))
    add(pol("chw", "pol-mars-zrh-daily", "mab", 20, 30, (2025, 5, 6), ltr=(30, 12, 12, 7)))
    # rsv-epic-nonprod-gwn
    add(pol("gwn", "DefaultPolicy", "iaas_v1", 23, 30, (2025, 8, 20), ltr=(30, None, None, None)))
    add(pol("gwn", "pol-nonprod-daily-30d", "iaas_v1", 1, 0, (2025, 8, 20), ltr=(30, 12, None, None)))
    add(pol("gwn", "pol-sql-nonprod", "sql", 19, 0, (2025, 8, 20), ltr=(None, 4, None, None),
            diff_days=7, log_mins=120, log_days=7))
    # rsv-epic-nonprod-eus2
    add(pol("npe", "DefaultPolicy", "iaas_v1", 3, 0, (2024, 6, 12), ltr=(30, None, None, None)))
    add(pol("npe", "pol-build-7d", "iaas_v1", 3, 30, (2024, 6, 12), ltr=(7, None, None, None)))
    # rsv-fin-sox-plc
    add(pol("plc", "DefaultPolicy", "iaas_v1", 22, 0, (2025, 3, 3), ltr=(30, None, None, None)))
    add(pol("plc", "pol-sox-yearly-10y", "iaas_v1", 22, 0, (2025, 3, 10), ltr=(35, 52, 84, 10),
            instant_rp=5, tiering=tier_after))
    add(pol("plc", "pol-sox-yearly-5y", "iaas_v1", 22, 30, (2025, 3, 10), ltr=(35, 12, 24, 5)))
    add(pol("plc", "pol-sql-sox-daily", "sql", 21, 0, (2025, 3, 10), full_days=1, ltr=(35, 52, 84, 7),
            log_mins=30, log_days=35))
    add(pol("plc", "pol-hana-s4p", "hana", 21, 30, (2025, 3, 10), ltr=(None, 104, 60, 10),
            diff_days=30, log_mins=120, log_days=15))
    add(pol("plc", "pol-sapase-solman", "ase", 22, 30, (2025, 3, 10), full_days=1, ltr=(30, 12, None, None),
            log_mins=60, log_days=14))
    # rsv-shared-mars-sin (fresh vault)
    add(pol("sin", "DefaultPolicy", "iaas_v1", 19, 30, (2026, 9, 25), ltr=(30, None, None, None)))
    add(pol("sin", "pol-mars-daily-30d", "mab", 18, 0, (2026, 9, 25), ltr=(30, None, None, None)))
    add(pol("sin", "pol-afs-blr-daily", "afs", 20, 0, (2026, 9, 25), ltr=(30, None, None, None),
            snapshot_days=2))

    # ---- VMs ----
    VMS = {S_PRD: [], S_NPD: [], S_FIN: []}
    VM_BY_NAME = {}

    def vm(sub, rg, name, location, tags, size, os_type, created, zones=None, id_rg=None, listed=True):
        rec = {"sub": sub, "rg": rg, "name": name, "location": location, "tags": tags,
               "vm_id": guid(rng), "size": size, "os": os_type, "created": ticks_of(created, rng),
               "zones": zones, "id_rg": id_rg,
               "src_id": vm_arm_id(sub, rg, name), "listed": listed}
        VM_BY_NAME[name] = rec
        if listed:
            VMS[sub].append(rec)
        return rec

    def epic_tags(env, crit, site, dataclass="ePHI", extra=None):
        t = {"DataClass": dataclass, "Criticality": crit, "Workload": "Epic", "Environment": env,
             "Site": site}
        if extra:
            t.update(extra)
        return t

    ITEMS = {k: [] for k in V}
    data_ids = iter(range(17592186044416 + 104729, 17592186044416 + 10 ** 9, 7919))

    def daily_times(pname, vkey, jitter_min=55):
        """last backup/recovery point for an item under a daily schedule at the policy time."""
        p = P[(vkey, pname)]
        hh, mm = time.gmtime(p["time"]).tm_hour, time.gmtime(p["time"]).tm_min
        run = at(2026, 9, 29, hh, mm)
        if run > CAPTURE_S - 1800:
            run -= DAY
        if p["kind"] == "iaas_v2_hourly":
            run = at(2026, 9, 30, 0, 0)
        start = run + rng.randint(60, jitter_min * 60)
        return start, start + rng.randint(240, 1500)

    def protect_vm(vkey, rec, pname, state="Protected", since=None, **kw):
        p = P.get((vkey, pname)) if pname else None
        start, rp = daily_times(pname, vkey) if p else (None, None)
        since = since or rec["created"] // TICKS + DAY
        age = max(1, (CAPTURE_S - since) // DAY)
        it = {"kind": "vm", "vm": rec, "state": state, "policy_name": pname,
              "policy_type": None if p is None else ("V1" if p["kind"] == "iaas_v1" else "V2"),
              "data_id": next(data_ids),
              "last_backup": ticks_of(start, rng) if start else None,
              "last_rp": ticks_of(rp, rng) if rp else None,
              "oldest": ticks_of(CAPTURE_S - min(age, policy_max_days(p)) * DAY + rng.randint(0, 3000), rng),
              "rp_count": rp_count(p, age) if p else 0,
              "archive": bool(p and p.get("tiering"))}
        it.update(kw)
        it["since"] = since  # for the quarter's jobs (contoso_period); no body reads it
        ITEMS[vkey].append(it)
        if p is not None and it.get("policy_name") == pname:
            p["count"] += 1
        return it

    def protect_db(vkey, kind, rec, parent, db, pname, state="Protected", since=None, **kw):
        p = P[(vkey, pname)]
        last = CAPTURE_S - rng.randint(300, p["log_mins"] * 60)
        since = since or rec["created"] // TICKS + 2 * DAY
        age = max(1, (CAPTURE_S - since) // DAY)
        it = {"kind": kind, "vm": rec, "parent": parent, "db": db, "state": state, "policy_name": pname,
              "data_id": next(data_ids), "last_backup": ticks_of(last, rng),
              "last_rp": ticks_of(last + rng.randint(30, 200), rng),
              "oldest": ticks_of(CAPTURE_S - min(age, policy_max_days(p)) * DAY, rng),
              "rp_count": rp_count(p, age),
              "archive": bool(p.get("tiering"))}
        it.update(kw)
        it["since"] = since
        ITEMS[vkey].append(it)
        p["count"] += 1
        return it

    # === Epic Production, westus3: rsv-epic-immutable-wus3 (main immutable vault) ===
    rg = "rg-epic-prd-wus3"
    loc = "westus3"
    t0 = at(2025, 1, 27, 9, 0)

    def mk(name, crit, size, os_type, created, dataclass="ePHI", extra=None, zones=("1",), **kw):
        return vm(S_PRD, rg, name, loc, epic_tags("Production", crit, "Phoenix", dataclass, extra),
                  size, os_type, created, zones=list(zones) if zones else None, **kw)

    T0 = "pol-epic-tier0-enhanced-4h"
    T1 = "pol-epic-tier1-daily"
    for i in (1, 2):
        protect_vm("wus3", mk("epicodb-prd-%02d" % i, "Tier0", "Standard_M128ms_v2", "Linux",
                              t0 + i * 600, zones=(str(i),)), T0)
    for i in range(1, 7):
        protect_vm("wus3", mk("epiccache-prd-%02d" % i, "Tier0", "Standard_E32ds_v5", "Linux",
                              t0 + DAY + i * 600), T0)
    clarity1 = mk("epicclarity-prd-01", "Tier1", "Standard_E32ds_v5", "Windows", t0 + 2 * DAY)
    caboodle1 = mk("epiccaboodle-prd-01", "Tier1", "Standard_E32ds_v5", "Windows", t0 + 2 * DAY + 900)
    protect_vm("wus3", clarity1, T1)
    protect_vm("wus3", caboodle1, T1)
    for i in range(1, 7):
        rec = mk("epicic-prd-%02d" % i, "Tier0", "Standard_D8ds_v5", "Windows", t0 + 3 * DAY + i * 600)
        if i == 4:
            continue  # unprotected Tier0 Interconnect server: coverage gap
        if i == 3:
            last = CAPTURE_S - 2 * HOUR - 1234
            protect_vm("wus3", rec, T0, state="ProtectionError",
                       last_backup=ticks_of(last, rng),
                       last_rp=ticks_of(at(2026, 9, 27, 0, 21, 45), rng), last_status="Failed")
            continue
        protect_vm("wus3", rec, T0)
    for i in range(1, 7):
        rec = mk("epicmychart-prd-%02d" % i, "Tier1", "Standard_D8ds_v5", "Windows", t0 + 4 * DAY + i * 600)
        if i == 4:
            stale = at(2026, 9, 28, 10, 12, 31)  # ~39.8 h before capture
            protect_vm("wus3", rec, T1, last_backup=ticks_of(stale, rng),
                       last_rp=ticks_of(stale + 842, rng), warn=True)
            continue
        protect_vm("wus3", rec, T1)
    for i in range(1, 5):
        protect_vm("wus3", mk("epiceps-prd-%02d" % i, "Tier1", "Standard_D4ds_v5", "Windows",
                              t0 + 5 * DAY + i * 600), T1)
    for i in range(1, 81):
        protect_vm("wus3", mk("epichsw-prd-%03d" % i, "Tier1", "Standard_D16ds_v5", "Windows",
                              t0 + 6 * DAY + i * 300, zones=(str(1 + i % 3),)), T1)
    for i in range(1, 81):
        rec = vm(S_PRD, rg, "epicctx-vda-%03d" % i, loc,
                 {"Criticality": "Tier2", "Workload": "Citrix", "Environment": "Production",
                  "DataClass": "Internal", "Site": "Phoenix"},
                 "Standard_D8ds_v5", "Windows", t0 + 8 * DAY + i * 300, zones=[str(1 + i % 3)])
        protect_vm("wus3", rec, "DefaultPolicy")
    for i in range(1, 5):
        protect_vm("wus3", mk("epicsys-prd-%02d" % i, "Tier2", "Standard_D4ds_v5", "Windows",
                              t0 + 9 * DAY + i * 600, dataclass="Internal"), "DefaultPolicy")
    for i in range(1, 4):
        protect_vm("wus3", mk("epicrpt-prd-%02d" % i, "Tier1", "Standard_E16ds_v5", "Windows",
                              t0 + 10 * DAY + i * 600), T1)
    for i in (1, 2):
        rec = vm(S_PRD, "rg-identity-prd-wus3", "ad-dc-wus3-%02d" % i, loc,
                 {"Criticality": "Tier0", "Workload": "Active Directory", "Environment": "Production",
                  "DataClass": "Internal"},
                 "Standard_D4ds_v5", "Windows", at(2024, 11, 20, 14, 0) + i * 600, zones=[str(i)])
        protect_vm("wus3", rec, T1)
    # decommissioned 2026-09-01 but still running and actively protected (a finding)
    protect_vm("wus3", mk("epiccache-old02", "Tier0", "Standard_E32ds_v5", "Linux", at(2023, 4, 3, 10, 0),
                          extra={"Lifecycle": "Decommissioned"}), T0, since=at(2025, 1, 28, 0, 0))
    # decommissioned 2026-08-15: VM deleted, protection stopped with retained data
    old01 = mk("epicprt-old01", "Tier1", "Standard_D4ds_v5", "Windows", at(2022, 10, 11, 9, 30), listed=False)
    stop = at(2026, 8, 14, 22, 34, 9)
    protect_vm("wus3", old01, None, state="ProtectionStopped", stopped=True,
               last_backup=ticks_of(stop, rng), last_rp=ticks_of(stop + 655, rng),
               oldest=ticks_of(at(2025, 1, 5, 22, 41, 3), rng), rp_count=61, policy_type="V1")
    # SQL Server in Azure VM on the Clarity / Caboodle hosts
    SQLP = "pol-sql-epic-clarity"
    for db in ("Clarity", "ClarityStage", "master", "model", "msdb"):
        if db == "ClarityStage":
            paused = at(2026, 9, 27, 20, 4, 11)
            protect_db("wus3", "sql", clarity1, "MSSQLSERVER", db, SQLP, state="ProtectionPaused",
                       last_backup=ticks_of(paused, rng), last_rp=ticks_of(paused + 95, rng))
        else:
            protect_db("wus3", "sql", clarity1, "MSSQLSERVER", db, SQLP,
                       recovery_model="Simple" if db in ("master", "model") else "Full")
    for db in ("Caboodle", "CaboodleStage", "master", "model", "msdb"):
        protect_db("wus3", "sql", caboodle1, "MSSQLSERVER", db, SQLP,
                   recovery_model="Simple" if db in ("master", "model") else "Full")

    # === Epic Production, eastus2: rsv-epic-standard-eus2 (hyper-care, non-immutable) ===
    rg = "rg-epic-prd-eus2"
    loc = "eastus2"
    RGU = rg.upper()  # the Compute RP prints this resource group upper-case in VM ids

    def mk2(name, crit, size, os_type, created, dataclass="ePHI", extra=None, **kw):
        return vm(S_PRD, rg, name, loc, epic_tags("Production", crit, "Boston", dataclass, extra),
                  size, os_type, created, zones=["2"], id_rg=RGU, **kw)

    HC = "pol-epic-hypercare-daily"
    # newly built Tier0 Interconnect server, built 2026-09-20, still in hyper-care
    protect_vm("eus2", mk2("epicic-prd-07", "Tier0", "Standard_D8ds_v5", "Windows", at(2026, 9, 20, 14, 22, 7),
                           extra={"BuildDate": "2026-09-20"}), HC, since=at(2026, 9, 20, 22, 0))
    # built 2026-07-02 and never moved to the immutable vault: hyper-care expired
    protect_vm("eus2", mk2("epicmychart-prd-07", "Tier1", "Standard_D8ds_v5", "Windows",
                           at(2026, 7, 2, 11, 5, 40), extra={"BuildDate": "2026-07-02"}), HC,
               since=at(2026, 7, 2, 22, 0))
    # protection configured minutes before the capture: no backup yet
    protect_vm("eus2", mk2("epicweb-prd-12", "Tier1", "Standard_D4ds_v5", "Windows", at(2026, 9, 29, 16, 40, 2),
                           extra={"BuildDate": "2026-09-29"}), HC, state="IRPending",
               last_rp=None, oldest=None, rp_count=0)
    # item still points at a policy that was deleted from the vault
    missing = protect_vm("eus2", mk2("epiceps-prd-05", "Tier1", "Standard_D4ds_v5", "Windows",
                                     at(2026, 8, 24, 9, 0, 0)), HC, since=at(2026, 8, 24, 22, 0))
    missing["policy_name"] = "pol-epic-legacy-weekly"
    P[("eus2", HC)]["count"] -= 1
    # soft-deleted item (stop protection + delete data on 2026-09-26); the VM was deleted too
    bca2 = mk2("epicbca-prd-02", "Tier1", "Standard_D4ds_v5", "Windows", at(2025, 11, 3, 9, 0), listed=False)
    protect_vm("eus2", bca2, None, state="ProtectionStopped", stopped=True,
               last_backup=ticks_of(at(2026, 9, 25, 22, 3, 12), rng),
               last_rp=ticks_of(at(2026, 9, 25, 22, 14, 50), rng), rp_count=40,
               deleted_at=ticks_of(at(2026, 9, 26, 14, 3, 22), rng), policy_type="V2")
    protect_vm("eus2", mk2("epicbca-prd-01", "Tier1", "Standard_D4ds_v5", "Windows", at(2025, 11, 3, 8, 40)), HC)
    for i in range(161, 171):
        built = at(2026, 9, 14, 10, 0) + (i - 161) * (DAY // 2)
        protect_vm("eus2", mk2("epichsw-prd-%03d" % i, "Tier1", "Standard_D16ds_v5", "Windows", built,
                               extra={"BuildDate": time.strftime("%Y-%m-%d", time.gmtime(built))}), HC,
                   since=built + 12 * HOUR)
    clarity2 = mk2("epicclarity-prd-02", "Tier1", "Standard_E32ds_v5", "Windows", at(2026, 9, 22, 8, 15, 0),
                   extra={"BuildDate": "2026-09-22"})
    protect_vm("eus2", clarity2, HC, since=at(2026, 9, 22, 22, 0))
    protect_db("eus2", "sql", clarity2, "MSSQLSERVER", "Clarity", "pol-sql-hypercare", since=at(2026, 9, 23, 0, 0))
    protect_db("eus2", "sql", clarity2, "MSSQLSERVER", "master", "pol-sql-hypercare", since=at(2026, 9, 23, 0, 0),
               recovery_model="Simple")
    vm(S_PRD, rg, "jumpbox-prd-eus2-01", loc, {"Criticality": "Tier3", "Environment": "Production",
                                               "Workload": "Management"},
       "Standard_B2ms", "Windows", at(2025, 4, 1, 12, 0), id_rg=RGU)

    # === Epic Production, switzerlandwest: rsv-epic-dr-chw (Locked, WORM-GA region) ===
    rg = "rg-epic-dr-chw"
    loc = "switzerlandwest"
    DR = "pol-dr-enhanced-daily"

    def mk3(name, crit, size, os_type, created, **kw):
        return vm(S_PRD, rg, name, loc, epic_tags("Production", crit, "Zürich", extra={"Role": "DR"}),
                  size, os_type, created, **kw)

    protect_vm("chw", mk3("epicodb-dr-01", "Tier0", "Standard_M128ms_v2", "Linux", at(2025, 5, 12, 9, 0)), DR)
    rec = mk3("epicodb-dr-02", "Tier0", "Standard_M128ms_v2", "Linux", at(2025, 5, 12, 9, 20))
    stale = at(2026, 9, 24, 1, 47, 19)  # ~6 days before capture
    protect_vm("chw", rec, DR, last_backup=ticks_of(stale, rng), last_rp=ticks_of(stale + 1311, rng), warn=True)
    for i in range(1, 5):
        protect_vm("chw", mk3("epiccache-dr-%02d" % i, "Tier0", "Standard_E32ds_v5", "Linux",
                              at(2025, 5, 13, 9, 0) + i * 600), DR)
    for i in (1, 2):
        protect_vm("chw", mk3("epicic-dr-%02d" % i, "Tier0", "Standard_D8ds_v5", "Windows",
                              at(2025, 5, 14, 9, 0) + i * 600), DR)
    vm(S_PRD, rg, "zrh-print-01", loc, {"Criticality": "Tier3", "Site": "Zürich", "Workload": "Druck"},
       "Standard_B2ms", "Windows", at(2025, 6, 2, 7, 30))

    def mars(vkey, computer, friendly, ds, pname, state="Protected", last=None, since=None, **kw):
        p = P[(vkey, pname)]
        if last is None:
            last = at(2026, 9, 29, time.gmtime(p["time"]).tm_hour, time.gmtime(p["time"]).tm_min) \
                + rng.randint(120, 1800)
        since = since or at(2025, 6, 1, 0, 0)
        age = (CAPTURE_S - since) // DAY
        it = {"kind": "mars", "computer": computer, "friendly": friendly, "ds": ds, "state": state,
              "policy_name": pname, "last_backup": ticks_of(last, rng),
              "last_rp": ticks_of(last + rng.randint(600, 3600), rng),
              "refreshed": ticks_of(CAPTURE_S - rng.randint(600, 5000), rng),
              "oldest": ticks_of(CAPTURE_S - min(age, policy_max_days(p)) * DAY, rng),
              "rp_count": rp_count(p, age)}
        it.update(kw)
        it["since"] = since
        ITEMS[vkey].append(it)
        p["count"] += 1

    mars("chw", "ZRH-FS01.contoso.ch", "C:\\Daten\\Zürich\\", "C:\\Daten\\Zürich\\", "pol-mars-zrh-daily")
    mars("chw", "ZRH-FS01.contoso.ch", "D:\\Radiologie\\Befunde\\", "D:\\Radiologie\\Befunde\\",
         "pol-mars-zrh-daily")
    mars("chw", "ZRH-FS01.contoso.ch", "E:\\Scans\\Genève\\", "E:\\Scans\\Genève\\", "pol-mars-zrh-daily")

    # === Epic Non-Production, germanynorth: rsv-epic-nonprod-gwn (Unlocked) ===
    rg = "rg-epic-npd-gwn"
    loc = "germanynorth"
    for name, crit, dc, pname in (("epicodb-tst-01", "Tier3", "Synthetic", "pol-nonprod-daily-30d"),
                                  ("epicodb-sup-01", "Tier2", "ePHI", "pol-nonprod-daily-30d"),
                                  ("epiccache-tst-01", "Tier3", "Synthetic", "DefaultPolicy"),
                                  ("epiccache-tst-02", "Tier3", "Synthetic", "DefaultPolicy"),
                                  ("epiccache-tst-03", "Tier3", "Synthetic", "DefaultPolicy"),
                                  ("epicic-tst-01", "Tier3", "Synthetic", "pol-nonprod-daily-30d"),
                                  ("epicic-tst-02", "Tier3", "Synthetic", "pol-nonprod-daily-30d")):
        env = "Support" if "-sup-" in name else "Test"
        rec = vm(S_NPD, rg, name, loc, epic_tags(env, crit, "Hamburg", dc),
                 "Standard_E16ds_v5" if "odb" in name else "Standard_D4ds_v5",
                 "Linux" if ("odb" in name or "cache" in name) else "Windows",
                 at(2025, 8, 25, 10, 0) + len(ITEMS["gwn"]) * 900)
        protect_vm("gwn", rec, pname)
    clar_t = vm(S_NPD, rg, "epicclarity-tst-01", loc, epic_tags("Test", "Tier3", "Hamburg", "Synthetic"),
                "Standard_E8ds_v5", "Windows", at(2025, 8, 26, 10, 0))
    protect_vm("gwn", clar_t, "pol-nonprod-daily-30d")
    protect_db("gwn", "sql", clar_t, "MSSQLSERVER", "Clarity", "pol-sql-nonprod")
    protect_db("gwn", "sql", clar_t, "MSSQLSERVER", "master", "pol-sql-nonprod", recovery_model="Simple")
    vm(S_NPD, rg, "jumpbox-nonprod-01", loc, {"Criticality": "Tier3", "Environment": "Test"},
       "Standard_B2ms", "Windows", at(2025, 8, 21, 9, 0))

    # === Epic Non-Production, eastus2: rsv-epic-nonprod-eus2 (no immutability, soft delete off) ===
    rg = "rg-epic-build-eus2"
    loc = "eastus2"
    for i in range(1, 13):
        rec = vm(S_NPD, rg, "epicbld-%02d" % i, loc,
                 None if i % 4 == 0 else {"Criticality": "Tier3", "Environment": "Build", "Workload": "Epic"},
                 "Standard_D4ds_v5", "Windows", at(2024, 6, 20, 8, 0) + i * 3600)
        protect_vm("npe", rec, "pol-build-7d" if i % 3 else "DefaultPolicy")
    for i in range(1, 7):
        rec = vm(S_NPD, rg, "epictst-web-%02d" % i, loc,
                 {"Criticality": "Tier3", "Environment": "Test", "Workload": "Epic", "DataClass": "Synthetic"},
                 "Standard_D2ds_v5", "Windows", at(2024, 7, 2, 8, 0) + i * 3600)
        protect_vm("npe", rec, "DefaultPolicy")
    for i in range(1, 5):
        vm(S_NPD, rg, "buildagent-%02d" % i, loc, None, "Standard_D8ds_v5", "Linux",
           at(2025, 10, 1, 8, 0) + i * 3600)

    # === Finance (SOX), polandcentral: rsv-fin-sox-plc (Locked, MUA) ===
    rg = "rg-sap-s4p-plc"
    loc = "polandcentral"

    def sox_tags(workload, crit, site="Kraków", extra=None):
        t = {"SOX": "true", "DataClass": "Financial", "Criticality": crit, "Workload": workload,
             "Environment": "Production", "Site": site}
        if extra:
            t.update(extra)
        return t

    hana = vm(S_FIN, rg, "sapdb-s4p-01", loc, sox_tags("SAP S/4HANA", "Tier0"), "Standard_M128s", "Linux",
              at(2025, 3, 12, 8, 0), zones=["1"])
    protect_db("plc", "hana", hana, "S4P", "SYSTEMDB", "pol-hana-s4p")
    protect_db("plc", "hana", hana, "S4P", "S4P", "pol-hana-s4p")
    for i in range(1, 5):
        protect_vm("plc", vm(S_FIN, rg, "sapapp-s4p-%02d" % i, loc, sox_tags("SAP S/4HANA", "Tier1"),
                             "Standard_E16ds_v5", "Linux", at(2025, 3, 12, 9, 0) + i * 600,
                             zones=[str(1 + i % 3)]), "pol-sox-yearly-10y")
    ase = vm(S_FIN, rg, "sapsm-sm1-01", loc, {"Criticality": "Tier2", "Workload": "SAP Solution Manager",
                                              "Environment": "Production", "DataClass": "Internal",
                                              "Site": "Kraków"},
             "Standard_E8ds_v5", "Linux", at(2025, 3, 14, 9, 0), zones=["2"])
    protect_db("plc", "ase", ase, "SM1", "SM1", "pol-sapase-solman")
    rg = "rg-fin-apps-plc"
    protect_vm("plc", vm(S_FIN, rg, "sox-gl-app01", loc, sox_tags("General Ledger", "Tier1"),
                         "Standard_D8ds_v5", "Windows", at(2025, 4, 2, 9, 0)), "pol-sox-yearly-10y")
    vm(S_FIN, rg, "sox-gl-app02", loc, sox_tags("General Ledger", "Tier1"),
       "Standard_D8ds_v5", "Windows", at(2026, 6, 18, 9, 0))  # unprotected SOX server: coverage gap
    for i in (1, 2):
        protect_vm("plc", vm(S_FIN, rg, "sox-ap-app%02d" % i, loc, sox_tags("Accounts Payable", "Tier1", "Łódź"),
                             "Standard_D4ds_v5", "Windows", at(2025, 4, 3, 9, 0) + i * 600), "pol-sox-yearly-5y")
    susp = at(2026, 9, 12, 22, 41, 5)
    protect_vm("plc", vm(S_FIN, rg, "sox-ap-app03", loc, sox_tags("Accounts Payable", "Tier1", "Łódź"),
                         "Standard_D4ds_v5", "Windows", at(2025, 4, 3, 9, 30)), "pol-sox-yearly-5y",
               state="BackupsSuspended", last_backup=ticks_of(susp, rng), last_rp=ticks_of(susp + 700, rng))
    soxsql = vm(S_FIN, rg, "sox-sql-01", loc, sox_tags("Finance Data Warehouse", "Tier0"),
                "Standard_E16ds_v5", "Windows", at(2025, 4, 4, 9, 0), zones=["3"])
    protect_vm("plc", soxsql, "pol-sox-yearly-10y")
    for db in ("FinanceDW", "Treasury", "master"):
        protect_db("plc", "sql", soxsql, "MSSQLSERVER", db, "pol-sql-sox-daily",
                   recovery_model="Simple" if db == "master" else "Full")
    for i in (1, 2):
        protect_vm("plc", vm(S_FIN, "rg-site-kra-plc", "kra-app-%02d" % i, loc,
                             {"Criticality": "Tier2", "Site": "Kraków", "Environment": "Production",
                              "Workload": "Site services", "DataClass": "Internal"},
                             "Standard_D2ds_v5", "Windows", at(2025, 5, 5, 9, 0) + i * 600), "DefaultPolicy")

    def dpm(vkey, bmt, engine, server, group, friendly, ds, workload, state="Protected", last=None):
        last = last or at(2026, 9, 29, 20, 0) + rng.randint(300, 5400)
        it = {"kind": "dpm", "bmt": bmt, "engine": engine, "server": server, "group": group,
              "friendly": friendly, "ds": ds, "workload": workload, "state": state,
              "path": friendly, "last_rp": ticks_of(last, rng),
              "refreshed": ticks_of(CAPTURE_S - rng.randint(900, 7200), rng),
              "oldest": ticks_of(at(2025, 6, 1, 20, 0) + rng.randint(0, 3600), rng),
              "rp_count": rng.randint(180, 260),
              "oldest_local": ticks_of(CAPTURE_S - 14 * DAY - rng.randint(0, 7200), rng),
              "latest_local": ticks_of(last - rng.randint(600, 3600), rng),
              "local_count": rng.randint(40, 120),
              "used": rng.randint(50, 900) * 1024 ** 3, "total": 4 * 1024 ** 4}
        ITEMS[vkey].append(it)

    K = "KRA-DPM01.contoso.pl"
    dpm("plc", "DPM", K, "kra-fs01.contoso.pl", "Kraków-Archiv", "D:\\Kraków-Archiv\\Radiologia",
        "Kraków-Archiv-Radiologia", "FileFolder")
    dpm("plc", "DPM", K, "kra-fs01.contoso.pl", "Kraków-Archiv", "D:\\Kraków-Archiv\\Kardiologia",
        "Kraków-Archiv-Kardiologia", "FileFolder", state="ProtectionError",
        last=at(2026, 9, 26, 20, 31, 12))
    dpm("plc", "DPM", K, "kra-sql01.contoso.pl", "Kraków-Archiv", "KRA-SQL01\\Archiwum", "Archiwum", "SQLDB")
    dpm("plc", "DPM", K, "kra-fs01.contoso.pl", "Kraków-Archiv", "System State", "SystemState", "SystemState")
    L = "LDZ-MABS01.contoso.pl"
    dpm("plc", "AzureBackupServer", L, "ldz-fs01.contoso.pl", "Łódź-Księgowość",
        "F:\\Łódź\\Księgowość", "Łódź-Księgowość", "FileFolder")
    dpm("plc", "AzureBackupServer", L, "ldz-fs01.contoso.pl", "Łódź-Księgowość",
        "G:\\Łódź\\Faktury", "Łódź-Faktury", "FileFolder")
    dpm("plc", "AzureBackupServer", L, "ldz-hv01.contoso.pl", "Łódź-Hyper-V", "LDZ-APP02", "LDZ-APP02", "VM")

    # === Finance / shared, southindia: rsv-shared-mars-sin (fresh vault, no securitySettings) ===
    rg = "rg-shared-blr-sin"
    loc = "southindia"
    mars("sin", "BLR-FS01.contoso.in", "D:\\Finance\\Bengaluru\\", "D:\\Finance\\Bengaluru\\",
         "pol-mars-daily-30d", since=at(2026, 9, 25, 18, 0))
    mars("sin", "BLR-FS01.contoso.in", "E:\\HR\\", "E:\\HR\\", "pol-mars-daily-30d", since=at(2026, 9, 25, 18, 0))
    mars("sin", "BLR-FS02.contoso.in", "C:\\", "C:\\", "pol-mars-daily-30d", since=at(2026, 9, 26, 18, 0))
    for i in range(1, 4):
        protect_vm("sin", vm(S_FIN, rg, "blr-app-%02d" % i, loc,
                             {"Criticality": "Tier2", "Site": "Bengaluru", "Environment": "Production",
                              "Workload": "Shared services"},
                             "Standard_D4ds_v5", "Windows", at(2026, 9, 24, 9, 0) + i * 600), "DefaultPolicy",
                   since=at(2026, 9, 25, 19, 30))
    protect_vm("sin", vm(S_FIN, rg, "blr-fin-01", loc, sox_tags("Payroll India", "Tier1", "Bengaluru"),
                         "Standard_D4ds_v5", "Windows", at(2026, 9, 24, 10, 0)), "DefaultPolicy",
               since=at(2026, 9, 25, 19, 30))

    if args.period_only:  # the quarter's files only, into the existing sample (contoso_period)
        contoso_period(args, V, P, ITEMS, (S_PRD, S_NPD, S_FIN))
        return
    # ---- write everything in collector order ----
    write_subscriptions(out, subs)
    order = {S_PRD: ["wus3", "eus2", "chw"], S_NPD: ["gwn", "npe"], S_FIN: ["plc", "sin"]}
    extra_retries = {"wus3": {"backupProtectedItems": {2: 1}}, "plc": {"backupPolicies": 1}}
    for sid in (S_PRD, S_NPD, S_FIN):
        write_vault_list(out, sid, [vault_resource(V[k]) for k in order[sid]],
                         retries=1 if sid == S_NPD else 0)
        rel = vm_list_call(out, sid)
        vms = [vm_resource(r["sub"], r["rg"], r["name"], r["location"], r["tags"], r["vm_id"], r["size"],
                           r["os"], r["created"], r["zones"], r["id_rg"]) for r in VMS[sid]]
        out.write(rel, {"value": vms})
        for k in order[sid]:
            v = V[k]
            pols = [policy_resource(v, p) for (vk, _), p in P.items() if vk == k]
            items = [BUILDERS[it["kind"]](v, it, rng) for it in ITEMS[k]]
            r = dict(extra_retries.get(k, {}))
            r.setdefault("backupProtectedItems", {})
            for op in ("backupPolicies", "backupconfig", "backupstorageconfig", "backupResourceGuardProxies"):
                r.setdefault(op, 0)
            write_vault_calls(out, v, pols, items, args.page_size, items_last_null=(k == "wus3"), retries=r)
    if args.period:
        contoso_period(args, V, P, ITEMS, (S_PRD, S_NPD, S_FIN))
    total = sum(len(x) for x in ITEMS.values())
    print("contoso: %d files, %d bytes, %d vaults, %d protected items -> %s"
          % (out.files, out.bytes, len(V), total, args.out), file=sys.stderr)


# ---------------------------------------------------------------------------------------
# Contoso Health over 2026-Q3: the period evidence (issue 15)
# ---------------------------------------------------------------------------------------
# Shapes (tests/data/azure/SOURCES.md, "Contoso's quarter"): job lists as ListJobs.json
# (BackupJobs_List), job details as GetJobDetails.json (JobDetails_Get), AzureWorkloadJob as
# Microsoft Learn's SQL REST page, MabJob / DpmJob with the members of the backup RP's
# swagger (no published example body), Activity Log events as GetActivityLogsFiltered.json.

API_INSIGHTS = "2015-04-01"        # Microsoft.Insights eventtypes/management/values
API_CRR = "2024-11-15"             # the passive stamp's backupCrrJobs (the api-version live collection pins)
CRR_SECONDARY = {"westus3": "eastus"}  # Azure's paired region of the CRR-enabled vault
# Error texts of failed jobs, from Microsoft's "Troubleshoot Azure Backup failure: Issues
# with the agent or extension" (backup-azure-troubleshoot-vm-backup-fails-snapshot-timeout.md).
# The page prints the symbolic code and the message, not the numeric errorCode the job body
# carries (AzureIaaSVMErrorInfo.errorCode is an integer): 400064 is the number the sample's
# protected item healthDetails already used, NOT a sourced value (docs say so).
VM_AGENT_ERROR = {"errorCode": 400064, "errorTitle": "UserErrorGuestAgentStatusUnavailable",
                  "errorString": "VM Agent unable to communicate with Azure Backup",
                  "recommendations": ["Open Azure portal > VM > Settings > Properties pane > ensure VM Status "
                                      "is Running and Agent status is Ready. If the VM agent is stopped or is "
                                      "in an inconsistent state, restart the agent."]}
# The code the vault answers a retention reduction on a Locked immutable vault with was not
# found in Microsoft's docs or examples: the blocked event carries the HTTP status only.
IMMUTABLE_BLOCK_ERROR = None
JOBS_PAGE = 200                    # the service's page size for job lists


def dur_iso(seconds, rng):
    return "PT%d.%07dS" % (seconds, rng.randrange(TICKS))


def dur_timespan(seconds, rng):
    h, rem = divmod(int(seconds), HOUR)
    return "%02d:%02d:%02d.%07d" % (h, rem // 60, rem % 60, rng.randrange(TICKS))


def contoso_period(args, V, P, ITEMS, subs):
    """The quarter's jobs, job details, CRR jobs and Activity Log events of the sample,
    written after (and independent of) the point-in-time capture: its own random streams
    and a capture clock starting at 02:00:30Z, after the last point-in-time call."""
    out = Output(args.out, True, "contoso-health/2026-Q3")
    out.clock_ms = 30_000
    lo, hi = quarter_bounds(args.period)
    root = args.out
    for sid in subs:  # a regeneration replaces what an earlier one wrote
        base = os.path.join(root, "subscriptions", sid)
        for dirpath, dirnames, filenames in os.walk(base):
            for f in filenames:
                if f.startswith(("backupJobs", "backupCrrJobs", "activityLog")) or \
                        os.path.basename(dirpath) == "backupJobs":
                    os.unlink(os.path.join(dirpath, f))
    flt = "startTime eq '%s' and endTime eq '%s'" % (job_filter_time(lo), job_filter_time(hi))
    # the job lists first, each vault from its own random stream, and the other files after
    # them: --period-files jobs writes exactly the job lists (and sidecars) "all" writes
    stats, made = {}, []
    for key, v in V.items():
        jrng = random.Random("contoso-health/2026-Q3/jobs/" + v["name"])
        jobs, crr = period_jobs(v, key, P, ITEMS[key], lo, min(hi, CAPTURE_S), jrng)
        made.append((v, jobs, crr))
        stats[v["name"]] = (len(jobs), sum(1 for j in jobs if j["properties"]["status"] == "Failed"), len(crr))
        url = "%s/subscriptions/%s/resourceGroups/%s/providers/%s/%s/backupJobs?api-version=%s&$filter=%s" % (
            ARM, v["sub"], v["rg"], RS_VAULT, v["name"], API_BACKUP_NOW, urllib.parse.quote(flt, safe=""))
        write_job_pages(out, "subscriptions/%s/vaults/%s/backupJobs.json" % (v["sub"], v["name"]), url,
                        "backupJobs", vault_arm_id(v), jobs, random.Random("contoso-health/2026-Q3/token/" + v["name"]))
    for v, jobs, crr in made if args.period_files == "all" else ():
        base = "subscriptions/%s/vaults/%s/" % (v["sub"], v["name"])
        if v.get("crr"):
            region = CRR_SECONDARY[v["location"]]
            curl = "%s/subscriptions/%s/providers/Microsoft.RecoveryServices/locations/%s/backupCrrJobs" \
                   "?api-version=%s&$filter=%s" % (ARM, v["sub"], region, API_CRR, urllib.parse.quote(flt, safe=""))
            write_job_pages(out, base + "backupCrrJobs.json", curl, "backupCrrJobs", vault_arm_id(v), crr,
                            random.Random("contoso-health/2026-Q3/crr-token/" + v["name"]),
                            extra={"method": "POST", "request_body": {"resourceId": vault_arm_id(v)}})
        drng = random.Random("contoso-health/2026-Q3/details/" + v["name"])
        for j in jobs:
            if j["properties"]["status"] in ("Failed", "CompletedWithWarnings"):
                rel = base + "backupJobs/%s.json" % j["name"]
                out.write(rel, job_details(j, drng))
                out.call(rel, vault_url(v, "backupJobs/" + j["name"]).replace(API_RS, API_BACKUP_NOW),
                         "backupJobDetails", j["id"], latency=(60, 250))
    for sid in subs if args.period_files == "all" else ():
        for provider, op in (("Microsoft.RecoveryServices", "activityLog"),
                             ("Microsoft.DataProtection", "activityLog-dataprotection")):
            events = [e for e in activity_events(V, P) if e["subscriptionId"] == sid and
                      e["resourceProviderName"]["value"] == provider]
            rel = "subscriptions/%s/%s.json" % (sid, op)
            out.write(rel, {"value": events})
            aflt = "eventTimestamp ge '%s' and eventTimestamp le '%s' and resourceProvider eq '%s'" % (
                ts0(lo), ts0(hi), provider)
            out.call(rel, "%s/subscriptions/%s/providers/Microsoft.Insights/eventtypes/management/values"
                          "?api-version=%s&$filter=%s" % (ARM, sid, API_INSIGHTS, urllib.parse.quote(aflt, safe="")),
                     op, sub_id(sid), latency=(400, 1500))
    for name, (n, failed, crr) in stats.items():
        print("contoso %s: %-26s %6d jobs, %3d failed, %d CRR" % (args.period, name, n, failed, crr),
              file=sys.stderr)


def write_job_pages(out, base_rel, url, operation, scope, jobs, rng, extra=None):
    """A job list as the service pages it: JOBS_PAGE jobs a page, each nextLink the same URL
    plus an opaque $skiptoken (the real one is an XML continuation token; vaultproof follows
    nextLink verbatim and never reads it), the last page without nextLink."""
    stem = base_rel[:-len(".json")]
    pages = max(1, -(-len(jobs) // JOBS_PAGE))
    page_url = url
    for p in range(1, pages + 1):
        rel = base_rel if p == 1 else "%s.page-%04d.json" % (stem, p)
        body = {"value": jobs[(p - 1) * JOBS_PAGE:p * JOBS_PAGE]}
        nxt = None
        if p < pages:
            token = urllib.parse.quote("<ContinuationToken><Page>%d</Page><Id>%s</Id></ContinuationToken>"
                                       % (p + 1, guid(rng)), safe="")
            nxt = "%s&$skiptoken=%s" % (url, token)
            body["nextLink"] = nxt
        out.write_compact(rel, body)
        out.call(rel, page_url, operation, scope, page=p, next_link=nxt, complete=(p == pages),
                 latency=(200, 1200), extra=extra)
        page_url = nxt


def item_entity(it):
    """entityFriendlyName: the protected item's friendlyName exactly (contract of the sample)."""
    return {"vm": lambda: it["vm"]["name"], "sql": lambda: it["db"], "hana": lambda: it["db"],
            "ase": lambda: it["db"]}.get(it["kind"], lambda: it["friendly"])()


def runs_of(it, P, vkey, lo, hi):
    """(start seconds, operation) of every scheduled run of the item's policy in [lo, hi)."""
    kind = it["kind"]
    if kind == "dpm":  # DPM / MABS schedules live on premises: nightly at 20:00 (as the items' last points)
        return [(d + 20 * HOUR, "Backup") for d in range(lo, hi, DAY) if d + 20 * HOUR < hi]
    p = P.get((vkey, it.get("policy_name")))
    if p is None and it.get("policy_name") and it.get("last_backup"):
        # its policy was deleted from the vault (epiceps-prd-05, #26): it keeps running on
        # the old weekly schedule, on its last backup's weekday and time
        last = it["last_backup"] // TICKS
        return [(t, "Backup") for t in range(last - (last - lo) // (7 * DAY) * 7 * DAY, hi, 7 * DAY) if t >= lo]
    if p is None:
        return []
    g = time.gmtime(p["time"])
    tod = g.tm_hour * HOUR + g.tm_min * 60
    runs = []
    if p["kind"] == "iaas_v2_hourly":
        step = p["interval"] * HOUR
        t = lo + tod
        while t < hi:
            runs.append((t, "Backup"))
            t += step
    elif kind in ("sql", "hana", "ase"):
        for d in range(lo, hi, DAY):
            wd = time.gmtime(d).tm_wday  # Monday 0 .. Sunday 6
            if p.get("full_days") or wd == 6:
                runs.append((d + tod, "Backup (Full)"))
            elif p.get("diff_days"):
                runs.append((d + tod + 1800, "Backup (Incremental)" if kind == "hana" else "Backup (Differential)"))
        # Log backups at the policy's frequency: in the sample only over the last 7 days before
        # the capture (a quarter of 15-minute logs is ~100,000 jobs; README "Period evidence")
        step = p["log_mins"] * 60
        t = max(lo, CAPTURE_S - 7 * DAY) // step * step + step
        while t < hi:
            runs.append((t, "Backup (Log)"))
            t += step
    else:  # daily VM, MARS
        runs = [(d + tod, "Backup") for d in range(lo, hi, DAY) if d + tod < hi]
    return sorted(r for r in runs if lo <= r[0] < hi)


def job_body(v, it, start, took, op, status, rng, errors=None):
    """One job resource (ListJobs.json's shape) of the item's kind."""
    kind = it["kind"]
    name = guid(rng)
    props = {"activityId": guid(rng)}
    end = None if status == "InProgress" else start + took
    if kind == "vm":
        props.update({"backupManagementType": "AzureIaasVM", "duration": dur_iso(took, rng),
                      "entityFriendlyName": item_entity(it), "jobType": "AzureIaaSVMJob", "operation": op,
                      "startTime": ts7(ticks_of(start, rng)), "status": status,
                      "virtualMachineVersion": "Compute"})
    elif kind in ("sql", "hana", "ase"):
        props.update({"jobType": "AzureWorkloadJob", "workloadType": _WL[kind][1],
                      "duration": dur_timespan(took, rng), "entityFriendlyName": item_entity(it),
                      "backupManagementType": "AzureWorkload", "operation": op, "status": status,
                      "startTime": ts7(ticks_of(start, rng))})
    elif kind == "mars":
        props.update({"jobType": "MabJob", "mabServerName": it["computer"], "mabServerType": "Windows",
                      "workloadType": "FileFolder", "duration": dur_iso(took, rng),
                      "entityFriendlyName": item_entity(it), "backupManagementType": "MAB", "operation": op,
                      "status": status, "startTime": ts7(ticks_of(start, rng))})
    else:  # dpm / Azure Backup Server
        props.update({"jobType": "DpmJob", "dpmServerName": it["engine"], "containerName": it["server"],
                      "containerType": "DPMContainer" if it["bmt"] == "DPM" else "AzureBackupServerContainer",
                      "workloadType": it["workload"], "duration": dur_iso(took, rng),
                      "entityFriendlyName": item_entity(it), "backupManagementType": it["bmt"], "operation": op,
                      "status": status, "startTime": ts7(ticks_of(start, rng))})
    if end is not None:
        props["endTime"] = ts7(ticks_of(end, rng))
    if errors is not None:
        props["errorDetails"] = errors
    return {"name": name, "type": "Microsoft.RecoveryServices/vaults/backupJobs",
            "id": "%s/backupJobs/%s" % (vault_bms_id(v), name), "properties": props}


def job_details(job, rng):
    """GET .../backupJobs/{name} (GetJobDetails.json's shape): the list's job plus extendedInfo."""
    d = json.loads(json.dumps(job))
    props = d["properties"]
    failed = props["status"] == "Failed"
    if props["jobType"] == "AzureIaaSVMJob":
        tasks = [{"duration": "PT0S" if failed else dur_iso(30, rng), "status": "Failed" if failed else "Completed",
                  "taskId": "Take Snapshot"},
                 {"duration": "PT0S", "status": "Cancelled" if failed else "Completed",
                  "taskId": "Transfer data to vault"}]
        props["extendedInfo"] = {"propertyBag": {"VM Name": props["entityFriendlyName"]}, "tasksList": tasks}
    elif props["jobType"] == "AzureWorkloadJob":
        props["extendedInfo"] = {"tasksList": [{"taskId": "Transfer data to vault",
                                                "status": "Failed" if failed else "Completed"}],
                                 "propertyBag": {"Data Transferred (in MB)": "0"}}
    else:
        props["extendedInfo"] = {"tasksList": [], "propertyBag": {}}
    return d


def period_jobs(v, vkey, P, items, lo, hi, rng):
    """A vault's jobs in [lo, hi) sorted by start, and its CRR jobs. The curated situations
    (samples/contoso-health/README.md, "Period evidence") are keyed by entity name."""
    jobs = []
    crr = []
    for it in items:
        ent = item_entity(it)
        since = it.get("since") or lo
        last = it["last_backup"] // TICKS if it.get("last_backup") is not None else None
        last_rp = it["last_rp"] // TICKS if it.get("last_rp") is not None else None
        if lo <= since < hi and it["kind"] in ("vm", "sql", "hana", "ase", "mars"):
            jobs.append(job_body(v, it, since - HOUR + rng.randint(0, 1800), rng.randint(40, 200),
                                 "ConfigureBackup", "Completed", rng))
        # vkey, not v["key"]: rsv-epic-nonprod-eus2's "key" is its region's ("eus2")
        runs = runs_of(it, P, vkey, max(lo, since), hi)
        if it["state"] == "IRPending":
            runs = []
        if last is not None:
            runs = [r for r in runs if r[0] <= last]
        for i, (start, op) in enumerate(runs):
            start += rng.randint(60, 1500) if op != "Backup (Log)" else rng.randint(5, 90)
            is_last = i == len(runs) - 1
            if is_last and last is not None and last - DAY < start <= last + 1800:
                start = last
            took = rng.randint(20, 240) if op == "Backup (Log)" else rng.randint(300, 3600)
            status, errors = "Completed", None
            if it["kind"] == "vm" and last_rp is not None and it["state"] == "ProtectionError" and start > last_rp:
                status, errors = "Failed", [VM_AGENT_ERROR]  # still failing at quarter end
            elif ent == "epicmychart-prd-02" and (at(2026, 8, 11) <= start < at(2026, 8, 14)):
                status, errors = "Failed", [VM_AGENT_ERROR]  # three failed nights, then recovered
            elif it["kind"] == "dpm" and it["state"] == "ProtectionError" and last_rp is not None and \
                    start > last_rp:
                status, errors = "Failed", []  # no published DPM error text: none invented
            if status == "Failed":
                took = rng.randint(120, 900)
            jobs.append(job_body(v, it, start, took, op, status, rng, errors))
        if ent == "epicprt-old01":  # stop protection, retain data (decommissioned 2026-08-15)
            jobs.append(job_body(v, it, at(2026, 8, 15, 9, 2, 41), 95, "DisableBackup", "Completed", rng))
        if ent == "epicbca-prd-02":  # stop protection with delete data (Activity Log: protectedItems/delete)
            jobs.append(job_body(v, it, at(2026, 9, 26, 14, 3, 22), 61, "DeleteBackupData", "Completed", rng))
        # restore tests: ePHI restored twice (one in the primary region, one cross-region),
        # Internal once; the SOX / Financial class never (the missing test)
        if ent == "epicodb-prd-01":
            jobs.append(job_body(v, it, at(2026, 8, 20, 9, 14, 5), 5312, "Restore", "Completed", rng))
        if ent == "ad-dc-wus3-01":
            jobs.append(job_body(v, it, at(2026, 7, 15, 13, 40, 51), 2211, "Restore", "Completed", rng))
        if ent == "epicodb-prd-02" and v.get("crr"):
            crr.append(job_body(v, it, at(2026, 9, 10, 10, 5, 12), 7044, "CrossRegionRestore", "Completed", rng))
    jobs.sort(key=lambda j: (j["properties"]["startTime"], j["name"]))
    return jobs, crr


def activity_event(sid, rg, resource_id, operation, status, when, caller, correlation, rng, request_body=None,
                   status_code=None, sub_status=None, provider="Microsoft.RecoveryServices", begin=False):
    """One Activity Log event (GetActivityLogsFiltered.json's shape)."""
    event_id = guid(rng)
    ev = {
        "authorization": {"action": operation, "scope": resource_id},
        "caller": caller,
        "correlationId": correlation,
        "description": "",
        "eventDataId": event_id,
        "eventName": {"value": "BeginRequest", "localizedValue": "Begin request"} if begin
        else {"value": "EndRequest", "localizedValue": "End request"},
        "httpRequest": {"clientRequestId": guid(rng), "clientIpAddress": "10.40.%d.%d" % (rng.randint(1, 9),
                                                                                          rng.randint(2, 250)),
                        "method": "DELETE" if operation.endswith("/delete") else "PUT"},
        "id": "%s/events/%s/ticks/%d" % (resource_id, event_id, when * TICKS + 621355968000000000),
        "level": "Error" if status == "Failed" else "Informational",
        "resourceGroupName": rg,
        "resourceProviderName": {"value": provider, "localizedValue": provider},
        "resourceId": resource_id,
        "operationId": correlation,
        "operationName": {"value": operation, "localizedValue": operation},
        "properties": {},
        "status": {"value": status, "localizedValue": status},
        "subStatus": {"value": sub_status or "", "localizedValue": sub_status or ""},
        "eventTimestamp": ts7(ticks_of(when, rng)),
        "submissionTimestamp": ts7(ticks_of(when + rng.randint(8, 40), rng)),
        "subscriptionId": sid,
    }
    if status_code:
        ev["properties"]["statusCode"] = status_code
    if request_body is not None:
        ev["properties"]["requestbody"] = json.dumps(request_body, separators=(",", ":"))
    return ev


def activity_events(V, P):
    """The quarter's changes (README "Period evidence"): each operation as its BeginRequest
    (Started) and EndRequest events under one correlation id, in time order. A policy
    write's request body is the whole policy, as a PUT sends it."""
    r = random.Random("contoso-health/2026-Q3/activity")
    out = []

    def op(v, suffix, operation, when, caller, body, status, code, sub):
        rid = vault_arm_id(v) + suffix
        corr = guid(r)
        out.append(activity_event(v["sub"], v["rg"], rid, operation, "Started", when, caller, corr, r,
                                  request_body=body, begin=True))
        out.append(activity_event(v["sub"], v["rg"], rid, operation, status, when + r.randint(2, 30), caller, corr,
                                  r, status_code=code, sub_status=sub))

    pol = "Microsoft.RecoveryServices/vaults/backupPolicies/write"
    wus3, chw, eus2, plc = V["wus3"], V["chw"], V["eus2"], V["plc"]
    # 1. retention increase: pol-epic-tier1-daily daily 30 -> 35 days (now 35, the snapshot's value)
    op(wus3, "/backupPolicies/pol-epic-tier1-daily", pol, at(2026, 7, 22, 15, 4, 12),
       "j.alvarez@contosohealth.example",
       {"properties": policy_props(P[("wus3", "pol-epic-tier1-daily")])},
       "Succeeded", "OK", "OK")
    # 2. immutability Unlocked -> Locked on rsv-epic-dr-chw (its lastModifiedAt, 2026-08-11 13:20:09Z)
    op(chw, "", "Microsoft.RecoveryServices/vaults/write", at(2026, 8, 11, 13, 20, 9),
       "m.keller@contosohealth.example",
       {"properties": {"securitySettings": {"immutabilitySettings": {"state": "Locked"}}}},
       "Succeeded", "OK", "OK")
    # 3. stop protection with delete data: epicbca-prd-02 (the soft-deleted item)
    op(eus2, "/backupFabrics/Azure/protectionContainers/IaasVMContainer;iaasvmcontainerv2;rg-epic-prd-eus2;"
             "epicbca-prd-02/protectedItems/VM;iaasvmcontainerv2;rg-epic-prd-eus2;epicbca-prd-02",
       "Microsoft.RecoveryServices/vaults/backupFabrics/protectionContainers/protectedItems/delete",
       at(2026, 9, 26, 14, 3, 20), "s.okafor@contosohealth.example", None, "Succeeded", "OK", "OK")
    # 4. blocked retention decrease on the Locked immutable SOX vault: yearly 10 -> 5 years, monthly 84 -> 60
    op(plc, "/backupPolicies/pol-sox-yearly-10y", pol, at(2026, 9, 8, 11, 47, 33),
       "p.wisniewski@contosohealth.example",
       {"properties": policy_props(dict(P[("plc", "pol-sox-yearly-10y")],
                                         ltr=(35, 52, 60, 5)))},
       "Failed", "BadRequest", "BadRequest")
    if IMMUTABLE_BLOCK_ERROR:
        out[-1]["properties"]["statusMessage"] = json.dumps({"error": IMMUTABLE_BLOCK_ERROR}, separators=(",", ":"))
    out.sort(key=lambda e: e["eventTimestamp"])
    return out


# ---------------------------------------------------------------------------------------
# Scale mode: large synthetic estates, streamed vault by vault
# ---------------------------------------------------------------------------------------

REGIONS = [  # (ARM name, short, zonal)
    ("westus3", "wus3", True), ("eastus2", "eus2", True), ("southindia", "sin", False),
    ("switzerlandwest", "chw", False), ("germanynorth", "gwn", False), ("polandcentral", "plc", True),
    ("australiacentral2", "auc2", False), ("koreacentral", "krc", True), ("spaincentral", "spc", True),
    ("southafricawest", "zaw", False), ("northeurope", "neu", True), ("westeurope", "weu", True),
    ("centralus", "cus", True), ("uksouth", "uks", True), ("japaneast", "jpe", True),
    ("canadacentral", "cac", True), ("koreasouth", "krs", False), ("swedencentral", "sdc", True),
]
SITES = ["Phoenix", "Boston", "Zürich", "Kraków", "Łódź", "Genève", "München", "Málaga", "São Paulo",
         "Bengaluru", "Seoul", "Köln", "Göteborg", "Montréal", "Dublin"]
APPS = [  # (app, roles, os, sizes)
    ("ehr", ("odb", "cache", "ic", "web", "hsw", "eps", "rpt"), "Windows",
     ("Standard_D8ds_v5", "Standard_D16ds_v5", "Standard_E16ds_v5", "Standard_E32ds_v5")),
    ("erp", ("app", "db", "ascs", "web"), "Linux",
     ("Standard_E16ds_v5", "Standard_E32ds_v5", "Standard_M64s")),
    ("pacs", ("arch", "web", "proc"), "Windows", ("Standard_D8ds_v5", "Standard_E8ds_v5")),
    ("lab", ("app", "iface", "db"), "Windows", ("Standard_D4ds_v5", "Standard_D8ds_v5")),
    ("ctx", ("vda",), "Windows", ("Standard_D8ds_v5",)),
    ("infra", ("dc", "dns", "pki", "mgmt"), "Windows", ("Standard_D2ds_v5", "Standard_D4ds_v5")),
    ("web", ("fe", "api"), "Linux", ("Standard_D2ds_v5", "Standard_D4ds_v5")),
]
ENVS = [("prd", "Production", 0.6), ("npd", "Non-Production", 0.25), ("dr", "Disaster Recovery", 0.15)]

POLICY_LIB = [  # name, spec  (ltr = daily, weekly, monthly, yearly)
    ("DefaultPolicy", dict(kind="iaas_v1", hh=22, ltr=(30, None, None, None))),
    ("EnhancedPolicy", dict(kind="iaas_v2_daily", hh=21, ltr=(30, None, None, None))),
    ("pol-tier0-enhanced-4h", dict(kind="iaas_v2_hourly", hh=0, interval=4, ltr=(35, 12, 60, 7))),
    ("pol-tier0-enhanced-8h", dict(kind="iaas_v2_hourly", hh=2, interval=8, ltr=(35, 12, 36, 10))),
    ("pol-tier1-daily", dict(kind="iaas_v1", hh=22, ltr=(35, 12, 24, 7))),
    ("pol-tier1-daily-6y", dict(kind="iaas_v1", hh=23, ltr=(35, 12, 24, 6))),
    ("pol-sox-yearly-10y", dict(kind="iaas_v1", hh=22, ltr=(35, 52, 84, 10), monthly_daily=True)),
    ("pol-nonprod-14d", dict(kind="iaas_v1", hh=1, ltr=(14, None, None, None))),
    ("pol-nonprod-30d-12w", dict(kind="iaas_v1", hh=2, ltr=(30, 12, None, None))),
]
WL_LIB = {
    "sql": ("pol-sql-full-diff-log", dict(kind="sql", hh=20, ltr=(None, 104, 60, 7), diff_days=30,
                                          log_mins=15, log_days=35)),
    "sql2": ("pol-sql-daily-full", dict(kind="sql", hh=21, full_days=1, ltr=(35, 12, 12, 7), log_mins=60,
                                        log_days=15)),
    "hana": ("pol-hana-weekly", dict(kind="hana", hh=21, ltr=(None, 104, 60, 10), diff_days=30, log_mins=120,
                                     log_days=15)),
    "ase": ("pol-sapase-daily", dict(kind="ase", hh=22, full_days=1, ltr=(30, 12, None, None), log_mins=60,
                                     log_days=14)),
    "mars": ("pol-mars-daily", dict(kind="mab", hh=20, ltr=(30, 12, 12, 7))),
    "afs": ("pol-afs-daily", dict(kind="afs", hh=23, ltr=(30, None, None, None))),
}
TYPE_MIX = [("vm", 0.78), ("sql", 0.10), ("hana", 0.03), ("ase", 0.01), ("dpm", 0.03), ("mars", 0.05)]
STATE_MIX = [("Protected", 0.925), ("IRPending", 0.01), ("ProtectionError", 0.02), ("ProtectionPaused", 0.005),
             ("BackupsSuspended", 0.01), ("ProtectionStopped", 0.025), ("softdeleted", 0.005)]


def pick(rng, table):
    x = rng.random()
    for v, w in table:
        x -= w
        if x < 0:
            return v
    return table[-1][0]


def distribute(total, n, rng):
    """Split total into n skewed non-negative counts (log-normal weights) summing to total."""
    w = [rng.lognormvariate(0.0, 0.9) for _ in range(n)]
    s = sum(w)
    counts = [int(total * x / s) for x in w]
    rest = total - sum(counts)
    order = sorted(range(n), key=lambda i: (-(total * w[i] / s - counts[i]), i))
    for i in range(rest):
        counts[order[i % n]] += 1
    return counts


def scale(args):
    if args.items < 0 or args.vaults < 1:
        sys.exit("gen_estate: --items must be >= 0 and --vaults >= 1")
    nsubs = args.subscriptions if args.subscriptions else min(10, args.vaults)
    if nsubs < 1:
        sys.exit("gen_estate: --subscriptions must be >= 1")
    if args.page_size < 1:
        sys.exit("gen_estate: --page-size must be >= 1")
    if args.jobs_period and not (len(args.jobs_period) == 7 and args.jobs_period[:4].isdigit() and
                                 args.jobs_period[4:6] == "-Q" and args.jobs_period[6] in "1234"):
        sys.exit("gen_estate: --jobs-period: expected YYYY-Qn")
    if args.jobs_page_size < 1:
        sys.exit("gen_estate: --jobs-page-size must be >= 1")
    if args.events and (args.events < 0 or not args.jobs_period):
        sys.exit("gen_estate: --events needs N >= 0 and --jobs-period (the quarter they fall in)")
    seed = "vaultproof-scale/%d/%d/%d/%d" % (args.seed, args.items, args.vaults, nsubs)
    rng = random.Random(seed)
    prepare_out(args.out)
    out = Output(args.out, not args.no_sidecars, seed)
    t_start = time.time()

    tenant = guid(rng)
    sec_sub = guid(rng)
    subs = []
    for i in range(nsubs):
        env = ENVS[i % len(ENVS)]
        subs.append((guid(rng), "Contoso Scale %02d – %s" % (i + 1, env[1])))
    write_subscriptions(out, [subscription_resource(s, n, tenant) for s, n in subs])

    counts = distribute(args.items, args.vaults, rng)
    vaults_by_sub = [[] for _ in subs]
    for j in range(args.vaults):
        si = j % nsubs
        sid = subs[si][0]
        region, short, zonal = REGIONS[rng.randrange(len(REGIONS))]
        env = pick(rng, [(e, w) for e, _, w in ENVS])
        app = APPS[rng.randrange(len(APPS))][0]
        imm = pick(rng, [("Locked", 0.40), ("Unlocked", 0.20), ("Disabled", 0.30), (None, 0.10)])
        soft = pick(rng, [("AlwaysON", 0.30), ("Enabled", 0.60), ("Disabled", 0.10)])
        soft_days = 14 if rng.random() < 0.6 else rng.choice((15, 30, 60, 90, 180))
        enhanced = "AlwaysON" if soft == "AlwaysON" else ("Enabled" if soft == "Enabled" and rng.random() < 0.8
                                                           else "Disabled")
        redundancy = pick(rng, [("GeoRedundant", 0.5), ("LocallyRedundant", 0.3),
                                ("ZoneRedundant" if zonal else "LocallyRedundant", 0.2)])
        guard = None
        if imm is not None and rng.random() < 0.2:
            guard = ("/subscriptions/%s/resourceGroups/rg-sec-resourceguards/providers/"
                     "Microsoft.DataProtection/resourceGuards/rguard-%s" % (sec_sub, short))
        score = ("Maximum" if imm == "Locked" and soft == "AlwaysON" and guard else
                 "Adequate" if imm == "Locked" else "Minimum" if imm == "Unlocked" else "None")
        if rng.random() < 0.004:
            score = "Superior"  # enum value outside the API spec
        created = at(2023, 1, 1) + rng.randrange(3 * 365 * DAY)
        name = "rsv-%s-%s-%s-%04d" % (env, app, short, j + 1)
        v = {"sub": sid, "rg": "rg-backup-%s-%s-%02d" % (env, short, j % 7), "name": name,
             "location": region, "short": short, "zonal": zonal, "env": env, "app": app, "tenant": tenant,
             "tags": None if rng.random() < 0.15 else {"Environment": env, "Owner": "backup-ops",
                                                       "Site": rng.choice(SITES)},
             "immutability": imm, "soft_state": soft, "soft_days": soft_days, "enhanced": enhanced,
             "redundancy": redundancy,
             # cross-region restore needs a paired region to restore into (SCALE_PAIRS)
             "crr": redundancy == "GeoRedundant" and rng.random() < 0.5 and region in SCALE_PAIRS,
             "guard": guard, "guard_updated": ticks_of(created + rng.randrange(200 * DAY), rng),
             "guard_description": None,
             "secure_score": score, "bcdr": {"Maximum": "Excellent", "Adequate": "Good", "Minimum": "Fair",
                                             "None": "Poor"}.get(score, "Good"),
             "public_network": rng.choice(("Enabled", "Disabled")), "csr": "Enabled",
             "principal": guid(rng) if rng.random() < 0.7 else None,
             "created": ticks_of(created, rng), "modified": ticks_of(created + 1 + rng.randrange(300 * DAY), rng),
             "created_by": "backup-admins@contoso.example", "modified_by": "backup-admins@contoso.example",
             "n_items": counts[j], "has_items": counts[j] > 0, "seed": rng.getrandbits(64)}
        vaults_by_sub[si].append(v)

    total_items = 0
    for si, (sid, _) in enumerate(subs):
        write_vault_list(out, sid, [vault_resource(v) for v in vaults_by_sub[si]])
        vm_stream = PagedListStream(
            out, "subscriptions/%s/virtualMachines.json" % sid,
            "%s/subscriptions/%s/providers/%s?api-version=%s" % (ARM, sid, VM_TYPE, API_COMPUTE),
            "virtualMachines", sub_id(sid), args.vm_page_size)
        vm_seq = [0]
        for v in vaults_by_sub[si]:
            total_items += scale_vault(out, v, vm_stream, vm_seq, args.page_size)
        vm_stream.close()
    write_current_calls(out, vaults_by_sub)
    if args.jobs_period:
        for vaults in vaults_by_sub:
            for v in vaults:
                write_jobs(out, v, quarter_bounds(args.jobs_period), args.jobs_page_size)
    if args.jobs_period:  # a period's recording holds its Activity Log too (empty without --events)
        write_events(out, vaults_by_sub, quarter_bounds(args.jobs_period), args.events, args.jobs_page_size)
    write_access(out, [s for s, _n in subs], tenant, seed)
    dt = time.time() - t_start
    print("scale: %d files, %d bytes (%.1f MB), %d subscriptions, %d vaults, %d protected items, "
          "%.1f s -> %s" % (out.files, out.bytes, out.bytes / 1e6, nsubs, args.vaults, total_items, dt, args.out),
          file=sys.stderr)


def resource_guard(gid, location):
    """A resource guard as GET returns it (dataprotection 2025-09-01, GetResourceGuard.json's
    shape): both protection operations guarded, nothing excluded."""
    return {
        "id": gid, "name": gid.rsplit("/", 1)[1], "type": "Microsoft.DataProtection/resourceGuards",
        "location": location,
        "properties": {
            "provisioningState": "Succeeded",
            "allowAutoApprovals": False,
            "resourceGuardOperations": [
                {"requestResourceType": "Microsoft.DataProtection/resourceGuards/deleteResourceGuardProxyRequests",
                 "vaultCriticalOperation": "Microsoft.RecoveryServices/vaults/backupResourceGuardProxies/delete"},
                {"requestResourceType": "Microsoft.DataProtection/resourceGuards/disableSoftDeleteRequests",
                 "vaultCriticalOperation": "Microsoft.RecoveryServices/vaults/backupconfig/write"},
            ],
            "vaultCriticalOperationExclusionList": [],
        },
    }


API_AUTHORIZATION = "2022-04-01"     # Microsoft.Authorization role assignments and definitions
READER_ROLE = "acdd72a7-3385-48ef-bd42-f606fba81ae7"  # the built-in Reader role's id


def write_access(out, sids, tenant, seed):
    """The collector's access, last (so no other call's capture time moves): per
    subscription its role assignment list (assignedTo() the collecting principal: Reader at
    the subscription; the shape of Microsoft's RoleAssignments_ListForScope example) and one
    GET of the Reader definition (GetRoleDefinitionById), sidecars naming the principal."""
    prng = random.Random(seed + "/principal")
    app, oid = guid(prng), guid(prng)
    who = {"credential": "secret", "principal": app, "principal_object_id": oid, "principal_tenant_id": tenant,
           "principal_name": "vaultproof-collector"}
    for sid in sids:
        name = guid(prng)
        rel = "subscriptions/%s/roleAssignments.json" % sid
        out.write(rel, {"value": [{
            "properties": {"roleDefinitionId": "/subscriptions/%s/providers/Microsoft.Authorization/roleDefinitions/%s"
                                               % (sid, READER_ROLE),
                           "principalId": oid, "principalType": "ServicePrincipal", "scope": "/subscriptions/" + sid},
            "id": "/subscriptions/%s/providers/Microsoft.Authorization/roleAssignments/%s" % (sid, name),
            "type": "Microsoft.Authorization/roleAssignments", "name": name}]})
        out.call(rel, "%s/subscriptions/%s/providers/Microsoft.Authorization/roleAssignments?api-version=%s"
                      "&$filter=assignedTo('%s')" % (ARM, sid, API_AUTHORIZATION, oid),
                 "roleAssignments", sub_id(sid), extra=who)
    rid = "/providers/Microsoft.Authorization/roleDefinitions/" + READER_ROLE
    rel = "roleDefinitions/%s.json" % READER_ROLE
    out.write(rel, {"properties": {"roleName": "Reader", "type": "BuiltInRole",
                                   "description": "View all resources, but does not allow you to make any changes.",
                                   "assignableScopes": ["/"], "permissions": [
                                       {"actions": ["*/read"], "notActions": [], "dataActions": [],
                                        "notDataActions": []}]},
                    "id": rid, "type": "Microsoft.Authorization/roleDefinitions", "name": READER_ROLE})
    out.call(rel, "%s%s?api-version=%s" % (ARM, rid, API_AUTHORIZATION), "roleDefinitions", rid, extra=who)


def write_current_calls(out, vaults_by_sub):
    """The calls a current collection adds, written after everything else so every other
    file keeps its bytes (and its capture times): per vault its backup engines (none
    registered), per subscription and vault location its soft-deleted vaults (none), and
    the GET of each resource guard a proxy names (in the security subscription)."""
    guards = {}
    for vaults in vaults_by_sub:
        for v in vaults:
            rel = "subscriptions/%s/vaults/%s/backupEngines.json" % (v["sub"], v["name"])
            out.write(rel, {"value": []})
            out.call(rel, vault_url(v, "backupEngines").replace(API_RS, API_BACKUP_NOW), "backupEngines",
                     vault_arm_id(v))
            if v["guard"]:
                guards.setdefault(v["guard"], v["location"])
        for sid, loc in sorted({(v["sub"], v["location"]) for v in vaults}):
            scope = "/subscriptions/%s/providers/Microsoft.RecoveryServices/locations/%s" % (sid, loc)
            rel = "subscriptions/%s/locations/%s/deletedVaults.json" % (sid, loc)
            out.write(rel, {"value": []})
            out.call(rel, "%s%s/deletedVaults?api-version=%s" % (ARM, scope, API_VAULTS_NOW), "deletedVaults", scope)
    for gid, loc in sorted(guards.items()):
        p = gid.split("/")
        rel = "resourceGuards/%s/%s/%s.json" % (p[2], p[4], p[8])
        out.write(rel, resource_guard(gid, loc))
        out.call(rel, "%s%s?api-version=%s" % (ARM, gid, API_DATAPROTECTION), "resourceGuards", gid)


def quarter_bounds(label):
    """(from, to) seconds of a quarter "YYYY-Qn": [its first day, the next quarter's)."""
    y, q = int(label[:4]), int(label[6])
    start = at(y, 3 * q - 2, 1)
    return start, (at(y + 1, 1, 1) if q == 4 else at(y, 3 * q + 1, 1))


def job_filter_time(seconds):
    """Azure Backup's job filter date: 'yyyy-MM-dd hh:mm:ss AM/PM', 12-hour clock, UTC
    (midnight is 12:00:00 AM), as vaultproof and the Azure CLI send it."""
    t = time.gmtime(seconds)
    return "%04d-%02d-%02d %02d:%02d:%02d %s" % (t.tm_year, t.tm_mon, t.tm_mday, t.tm_hour % 12 or 12, t.tm_min,
                                                 t.tm_sec, "AM" if t.tm_hour < 12 else "PM")


# Error entries of failed jobs, as Microsoft published them: an IaaS VM job's (the
# Get-AzureRmBackupJobDetails reference's failed-job example: 400001 "Command execution
# failed."; its recommendation is printed cut off there, so none is given) and a workload
# job's (Microsoft Learn, "Manage SQL Server databases in Azure VMs with REST API":
# tests/data/azure/manage-azure-sql-vm-rest-backup-job.json).
JOB_ERRORS = {
    "AzureIaaSVMJob": {"errorCode": 400001, "errorString": "Command execution failed.", "recommendations": []},
    "AzureWorkloadJob": {"errorCode": 510008, "errorTitle": "OperationCancelledBecauseConflictingOperationRunningUserError",
                         "errorString": "Operation cancelled as a conflicting operation was already running on the "
                                        "same database.",
                         "recommendations": ["Please try again after sometime."]},
}


# The secondary region of each REGIONS entry that has one (MicrosoftDocs azure-docs,
# articles/reliability/cross-region-replication-azure.md; polandcentral and spaincentral are
# nonpaired): where a CRR-enabled vault's cross-region-restore jobs are listed.
SCALE_PAIRS = {
    "westus3": "eastus", "eastus2": "centralus", "southindia": "centralindia", "switzerlandwest": "switzerlandnorth",
    "germanynorth": "germanywestcentral", "australiacentral2": "australiacentral", "koreacentral": "koreasouth",
    "southafricawest": "southafricanorth", "northeurope": "westeurope", "westeurope": "northeurope",
    "centralus": "eastus2", "uksouth": "ukwest", "japaneast": "japanwest", "canadacentral": "canadaeast",
    "koreasouth": "koreacentral", "swedencentral": "swedensouth",
}
API_BACKUP_CRR = "2024-11-15"  # BackupCrrJobs_List (ListCrrJobs_Post.json)


def write_crr_jobs(out, v, lo, hi, flt, rng, entities):
    """A CRR-enabled vault's cross-region-restore jobs (BackupCrrJobs_List, ListCrrJobs_Post.json's
    shape: ids under the secondary location): one CrossRegionRestore per 500 VMs, at least one,
    on days of the quarter; recorded as vaultproof does, a POST with the vault's id."""
    secondary = SCALE_PAIRS[v["location"]]
    jobs = []
    for _ in range(max(1, len(entities) // 500) if entities else 0):
        start = lo + rng.randrange((hi - lo) // DAY) * DAY + 11 * HOUR + rng.randrange(3600)
        took = rng.randint(1800, 10800)
        name = guid(rng)
        jobs.append({"id": "/subscriptions/%s/providers/microsoft.recoveryservices/locations/%s/backupJobs/%s"
                           % (v["sub"], secondary, name),
                     "name": name, "type": "Microsoft.RecoveryServices/vaults/backupJobs",
                     "properties": {"jobType": "AzureIaaSVMJob", "virtualMachineVersion": "Compute",
                                    "entityFriendlyName": rng.choice(entities), "backupManagementType": "AzureIaasVM",
                                    "operation": "CrossRegionRestore", "status": "Completed",
                                    "startTime": ts0(start), "endTime": ts0(start + took), "duration": "PT%dS" % took,
                                    "activityId": guid(rng)}})
    jobs.sort(key=lambda j: j["properties"]["startTime"])
    rel = "subscriptions/%s/vaults/%s/backupCrrJobs.json" % (v["sub"], v["name"])
    out.write(rel, {"value": jobs})
    out.call(rel, "%s/subscriptions/%s/providers/Microsoft.RecoveryServices/locations/%s/backupCrrJobs?api-version=%s"
                  "&$filter=%s" % (ARM, v["sub"], secondary, API_BACKUP_CRR, urllib.parse.quote(flt, safe="")),
             "backupCrrJobs", vault_arm_id(v),
             extra={"method": "POST", "request_body": json.dumps({"resourceId": vault_arm_id(v)},
                                                                  separators=(",", ":"))})


def failure_nights(rng, days):
    """The nights (day indexes) one item's backup fails: about 5% of items fail one to
    three nights in a row and then recover; the rest never fail."""
    if days < 2 or rng.random() >= 0.05:
        return set()
    first = rng.randrange(days - 1)
    return set(range(first, min(days - 1, first + rng.randint(1, 3))))


def write_jobs(out, v, bounds, page_size):
    """One vault's backup jobs over bounds = (from, to), streamed page by page in start
    order (ListJobs.json's shape): per day one nightly Backup per protected item, named
    after the item (entityFriendlyName = the item's friendlyName, so jobs match items) -
    AzureIaaSVMJob for VMs, AzureWorkloadJob "Backup (Full)" for SQL/HANA/ASE databases
    (the Learn body's shape); MAB and DPM items get none (no published MabJob/DpmJob body);
    stopped items none. Failure streaks (failure_nights) with their job details written as
    the details GET records them (backupJobs/<name>.json, operation backupJobDetails); jobs
    still running on the last night InProgress; one Restore job per 200 VM items, by day."""
    rng = random.Random(v["seed"] ^ 0x10B5)
    lo, hi = bounds
    days = (hi - lo) // DAY
    flt = "startTime eq '%s' and endTime eq '%s'" % (job_filter_time(lo), job_filter_time(hi))
    url = "%s/subscriptions/%s/resourceGroups/%s/providers/%s/%s/backupJobs?api-version=%s&$filter=%s" % (
        ARM, v["sub"], v["rg"], RS_VAULT, v["name"], API_BACKUP_NOW,
        urllib.parse.quote(flt, safe=""))
    base = "subscriptions/%s/vaults/%s/backupJobs" % (v["sub"], v["name"])
    stream = PagedListStream(out, base + ".json", url, "backupJobs", vault_arm_id(v), page_size)
    items = [it for it in v.get("job_items", []) if not it["stopped"]]
    fails = [failure_nights(rng, days) for _ in items]
    vms = [i for i, it in enumerate(items) if it["job_type"] == "AzureIaaSVMJob"]
    restores = {}
    for _ in range(len(vms) // 200):
        restores.setdefault(rng.randrange(days), []).append(rng.choice(vms))
    details = []

    def add(it, start, took, operation, status):
        props = {"activityId": guid(rng), "backupManagementType": it["bmt"], "duration": "PT%dS" % took,
                 "entityFriendlyName": it["entity"], "jobType": it["job_type"], "operation": operation,
                 "startTime": ts0(start), "status": status}
        if it["job_type"] == "AzureIaaSVMJob":
            props["virtualMachineVersion"] = "Compute"
        else:
            props["workloadType"] = it["workload"]
        if status != "InProgress":
            props["endTime"] = ts0(start + took)
        if status == "Failed":
            props["errorDetails"] = [dict(JOB_ERRORS[it["job_type"]])]
        name = guid(rng)
        job = {"name": name, "type": "Microsoft.RecoveryServices/vaults/backupJobs",
               "id": "%s/backupJobs/%s" % (vault_bms_id(v), name), "properties": props}
        stream.add(job)
        if status in ("Failed", "CompletedWithWarnings"):
            details.append(job)

    for d in range(days):
        day = lo + d * DAY
        for k, i in enumerate(restores.get(d, [])):  # restores by day, before the nightly backups
            add(items[i], day + 10 * HOUR + k * 600 + rng.randrange(60), rng.randint(1800, 10800), "Restore",
                "Completed")
        for i, it in enumerate(items):
            start = day + 20 * HOUR + (i % 240) * 30 + rng.randrange(30)
            took = rng.randint(300, 5400)
            last = day + DAY >= hi and start + took >= hi
            status = "InProgress" if last else ("Failed" if d in fails[i] else "Completed")
            add(it, start, took, "Backup" if it["job_type"] == "AzureIaaSVMJob" else "Backup (Full)", status)
    stream.close()
    for job in details:  # JobDetails_Get of each failed job (GetJobDetails.json's shape)
        rel = "%s/%s.json" % (base, job["name"])
        out.write(rel, job)
        out.call(rel, "%s%s?api-version=%s" % (ARM, job["id"], API_BACKUP_NOW), "backupJobDetails", job["id"])
    if v["crr"]:
        write_crr_jobs(out, v, lo, hi, flt, rng, [items[i]["entity"] for i in vms])


def scale_vault(out, v, vm_stream, vm_seq, page_size):
    """Generate one vault's policies, items and VMs (VMs are appended to vm_stream)."""
    rng = random.Random(v["seed"])
    n = v["n_items"]
    kinds = [pick(rng, TYPE_MIX) for _ in range(n)]
    # policies: a few IaaS ones always, workload ones when the vault holds such items
    policies = {}
    day0 = v["created"] // TICKS // DAY * DAY

    def ensure(name, spec):
        if name not in policies:
            p = dict(spec)
            p["name"] = name
            p["time"] = day0 + p.pop("hh") * HOUR + rng.choice((0, 1800))
            p["count"] = 0
            if p["kind"] == "iaas_v1" and rng.random() < 0.5:
                p["tiering"] = tiering("DoNotTier")  # what the API returns for non-tiering policies
            elif p["kind"].startswith("iaas_v2") and rng.random() < 0.3:
                p["tiering"] = tiering("TierRecommended")
            policies[name] = p
        return policies[name]

    ensure(*POLICY_LIB[0])
    iaas = [POLICY_LIB[0]] + rng.sample(POLICY_LIB[1:], rng.randint(1, 4))
    for name, spec in iaas:
        ensure(name, spec)
    if rng.random() < 0.1:
        ensure(*WL_LIB["afs"])

    vm_rg_count = 1 + n // 400
    vm_rgs = ["rg-%s-%s-%s-%02d" % (v["app"], v["env"], v["short"], k + 1) for k in range(vm_rg_count)]
    items = []
    hosts = {}   # kind -> current (host vm, remaining dbs)
    vms_out = []

    def new_vm(role_app=None, listed=True):
        app = role_app or APPS[rng.randrange(len(APPS))]
        role = rng.choice(app[1])
        vm_seq[0] += 1
        name = "%s%s-%s-%05d" % (app[0], role, v["env"], vm_seq[0])
        rg = rng.choice(vm_rgs)
        crit = pick(rng, [("Tier0", 0.1), ("Tier1", 0.3), ("Tier2", 0.35), ("Tier3", 0.25)])
        tags = None
        if rng.random() < 0.9:
            tags = {"Criticality": crit, "Environment": v["env"], "Workload": app[0].upper()}
            if app[0] in ("ehr", "pacs", "lab") and v["env"] != "npd":
                tags["DataClass"] = "ePHI"
            elif app[0] == "erp":
                tags["DataClass"] = "Financial"
                tags["SOX"] = "true"
            if rng.random() < 0.3:
                tags["Site"] = rng.choice(SITES)
        created = CAPTURE_S - rng.randint(2 * DAY, 900 * DAY)
        rec = {"sub": v["sub"], "rg": rg, "name": name, "location": v["location"], "tags": tags,
               "vm_id": guid(rng), "size": rng.choice(app[3]), "os": app[2],
               "created": ticks_of(created, rng), "zones": [str(rng.randint(1, 3))] if v["zonal"] else None,
               "id_rg": rg.upper() if rng.random() < 0.05 else None,
               "src_id": vm_arm_id(v["sub"], rg, name)}
        if listed:
            vms_out.append(rec)
        return rec

    def host_for(kind):
        h = hosts.get(kind)
        if h is None or h[1] == 0:
            app = APPS[1] if kind in ("hana", "ase") else APPS[rng.choice((0, 2, 3))]
            h = [new_vm(app), rng.randint(3, 9), 0]
            hosts[kind] = h
        h[1] -= 1
        h[2] += 1
        return h[0], h[2]

    server_seq = 0
    for k in kinds:
        state = pick(rng, STATE_MIX)
        deleted = state == "softdeleted"
        if deleted:
            state = "ProtectionStopped"
        if deleted and v["soft_state"] == "Disabled":
            deleted = False
        stopped = state == "ProtectionStopped"
        if k == "vm":
            iaas_names = [nm for nm, p in policies.items() if p["kind"].startswith("iaas")]
            pname = rng.choice(iaas_names)
        elif k in ("sql", "hana", "ase"):
            key = k if k != "sql" else rng.choice(("sql", "sql2"))
            pname = ensure(*WL_LIB[key])["name"]
        elif k == "mars":
            pname = ensure(*WL_LIB["mars"])["name"]
        else:
            pname = None
        p = policies.get(pname)
        age = rng.randint(1, 800)
        if state == "IRPending":
            age = 0
        interval = p["interval"] if p and p["kind"] == "iaas_v2_hourly" else 24
        last = CAPTURE_S - rng.randint(1800, interval * 3600 - 300)  # recovery point <= 25 min later
        if rng.random() < 0.02:
            last = CAPTURE_S - rng.randint(26 * HOUR, 9 * DAY)  # stale
        if state in ("BackupsSuspended", "ProtectionStopped", "ProtectionPaused"):
            last = CAPTURE_S - rng.randint(2 * DAY, 120 * DAY)
        it = {"kind": k, "state": state, "policy_name": None if stopped else pname, "stopped": stopped,
              "data_id": rng.randrange(10 ** 12, 10 ** 14),
              "last_backup": ticks_of(last, rng),
              "last_rp": None if state == "IRPending" else ticks_of(last + rng.randint(60, 1500), rng),
              "oldest": None if state == "IRPending" else
              ticks_of(CAPTURE_S - min(age, policy_max_days(p)) * DAY, rng),
              "rp_count": 0 if state == "IRPending" else rp_count(p, max(1, age)),
              "archive": bool(p and p.get("tiering") and p["tiering"]["ArchivedRP"]["tieringMode"] != "DoNotTier"),
              "deleted_at": ticks_of(CAPTURE_S - rng.randint(HOUR, (v["soft_days"] - 1) * DAY), rng)
              if deleted else None}
        if not stopped and pname and rng.random() < 0.002:
            it["policy_name"] = "pol-deleted-%d" % rng.randint(1, 99)  # policy no longer in the vault
        elif it["policy_name"]:
            policies[pname]["count"] += 1
        if k == "vm":
            it["vm"] = new_vm(listed=not (stopped and rng.random() < 0.5))
            it["policy_type"] = None if p is None else ("V1" if p["kind"] == "iaas_v1" else "V2")
            it["warn"] = rng.random() < 0.02
        elif k in ("sql", "hana", "ase"):
            host, idx = host_for(k)
            it["vm"] = host
            if k == "sql":
                it["parent"] = "MSSQLSERVER" if rng.random() < 0.8 else "SQL%02d" % rng.randint(1, 4)
                it["db"] = ("master", "msdb", "model")[idx - 1] if idx <= 3 else "db_%s_%03d" % (v["app"], idx)
            else:
                sid = "%s%d" % (rng.choice("SHPQ"), rng.randint(0, 9)) + rng.choice("0123456789")
                it["parent"] = sid if k == "ase" else "S4" + sid[-1]
                it["db"] = "SYSTEMDB" if (k == "hana" and idx == 1) else "%s_%03d" % (it["parent"], idx)
        elif k == "dpm":
            server_seq += 1
            site = rng.choice(SITES)
            mabs = rng.random() < 0.4
            srv = "%s-fs%02d.contoso.example" % (v["short"], 1 + server_seq % 20)
            it.update({"bmt": "AzureBackupServer" if mabs else "DPM",
                       "engine": "%s-%s01.contoso.example" % (v["short"].upper(), "MABS" if mabs else "DPM"),
                       "server": srv, "group": "%s-Archiv" % site,
                       "friendly": "D:\\%s-Archiv\\Share%03d" % (site, server_seq),
                       "ds": "%s-Archiv-Share%03d" % (site, server_seq),
                       "workload": rng.choice(("FileFolder", "FileFolder", "SQLDB", "SystemState", "VM")),
                       "path": "D:\\%s-Archiv\\Share%03d" % (site, server_seq),
                       "refreshed": ticks_of(CAPTURE_S - rng.randint(900, 7200), rng),
                       "oldest": ticks_of(CAPTURE_S - age * DAY, rng), "rp_count": max(1, min(age, 400)),
                       "oldest_local": ticks_of(CAPTURE_S - 14 * DAY, rng),
                       "latest_local": ticks_of(last - 600, rng), "local_count": rng.randint(10, 120),
                       "used": rng.randint(1, 900) * 1024 ** 3, "total": 4 * 1024 ** 4})
            if it["last_rp"] is None:
                it["last_rp"] = ticks_of(last, rng)
        else:  # mars
            server_seq += 1
            comp = "%s-FS%03d.contoso.example" % (v["short"].upper(), server_seq)
            folder = rng.choice(("C:\\", "D:\\Daten\\%s\\" % rng.choice(SITES), "E:\\Shares\\", "F:\\Scans\\"))
            it.update({"computer": comp, "friendly": folder, "ds": folder,
                       "refreshed": ticks_of(CAPTURE_S - rng.randint(600, 5000), rng)})
            if it["last_rp"] is None:
                it["last_rp"] = ticks_of(last, rng)
            if it["oldest"] is None:
                it["oldest"] = it["last_rp"]
            if state not in ("Protected", "IRPending", "ProtectionError", "ProtectionStopped"):
                it["state"] = "Protected"  # MARS reports only these
        items.append(it)

    # a few unprotected VMs next to the protected ones
    for _ in range(max(0, n // 20 + (1 if rng.random() < 0.5 else 0))):
        new_vm()

    resources = [BUILDERS[it["kind"]](v, it, rng) for it in items]
    # what write_jobs names its jobs after: the items a job list covers (VMs, databases)
    v["job_items"] = [{"entity": r["properties"]["friendlyName"], "stopped": it["stopped"],
                       "job_type": "AzureIaaSVMJob" if it["kind"] == "vm" else "AzureWorkloadJob",
                       "bmt": "AzureIaasVM" if it["kind"] == "vm" else "AzureWorkload",
                       "workload": None if it["kind"] == "vm" else _WL[it["kind"]][1]}
                      for it, r in zip(items, resources) if it["kind"] in ("vm", "sql", "hana", "ase")]
    pols = [policy_resource(v, p) for p in policies.values()]
    write_vault_calls(out, v, pols, resources, page_size, items_last_null=rng.random() < 0.5)
    for r in vms_out:
        vm_stream.add(vm_resource(r["sub"], r["rg"], r["name"], r["location"], r["tags"], r["vm_id"], r["size"],
                                  r["os"], r["created"], r["zones"], r["id_rg"]))
    return n


# ---------------------------------------------------------------------------------------


API_INSIGHTS = "2015-04-01"
EVENT_KINDS = (  # (operation under the vault, what a request sets) - docs/changes.md
    ("backupPolicies/write", "policy"),
    ("write", "vault"),
    ("backupconfig/write", "config"),
    ("backupFabrics/protectionContainers/protectedItems/write", "item"),
    ("backupFabrics/protectionContainers/protectedItems/delete", None),
)


def event_filter(bounds, provider):
    """The Activity Log $filter vaultproof sends: RFC 3339 bounds, ge / le, one provider."""
    return "eventTimestamp ge '%s' and eventTimestamp le '%s' and resourceProvider eq '%s'" % (
        ts0(bounds[0]), ts0(bounds[1]), provider)


def scale_event(rng, v, n, when):
    """One terminal event of vault v (GetActivityLogsFiltered.json's shape): a
    Recovery Services write or delete, about 5% Failed, with the request it carried."""
    op_tail, sets = EVENT_KINDS[rng.randrange(len(EVENT_KINDS))]
    op = "%s/%s" % (RS_VAULT, op_tail)
    resource = vault_arm_id(v)
    if sets == "policy":
        resource += "/backupPolicies/%s-daily" % v["name"]
    elif sets == "config":
        resource += "/backupconfig/vaultconfig"
    elif op_tail.startswith("backupFabrics"):
        resource += "/backupFabrics/Azure/protectionContainers/c/protectedItems/vm%05d" % rng.randrange(1000)
    props = {"statusCode": "OK"}
    if sets == "policy":
        props["requestbody"] = json.dumps({"properties": {
            "backupManagementType": "AzureIaasVM", "retentionPolicy": {
                "retentionPolicyType": "LongTermRetentionPolicy", "dailySchedule": {
                    "retentionDuration": {"count": rng.choice((7, 14, 30, 35, 90)), "durationType": "Days"}}}}})
    elif sets == "vault":
        props["requestbody"] = json.dumps({"properties": {"securitySettings": {"immutabilitySettings": {
            "state": rng.choice(("Disabled", "Unlocked", "Locked"))}}}})
    elif sets == "config":
        props["requestbody"] = json.dumps({"properties": {"softDeleteFeatureState": rng.choice(("Enabled",
                                                                                              "AlwaysON"))}})
    elif sets == "item":
        props["requestbody"] = json.dumps({"properties": {"policyId": vault_arm_id(v) + "/backupPolicies/p%d"
                                                          % rng.randrange(3)}})
    status = "Failed" if rng.random() < 0.05 else "Succeeded"
    if status == "Failed":
        props["statusMessage"] = json.dumps({"status": "Failed", "error": {"code": "UserError",
                                                                            "message": "generated failure"}})
    corr = guid(rng)
    eid = guid(rng)
    return {"authorization": {"action": op, "scope": resource}, "caller": "admin%02d@contoso.example" % (n % 17),
            "correlationId": corr, "eventDataId": eid,
            "eventName": {"value": "EndRequest", "localizedValue": "End request"},
            "id": "%s/events/%s/ticks/%d" % (resource, eid, 621355968000000000 + when * 10000000),
            "level": "Informational", "operationId": corr,
            "operationName": {"value": op, "localizedValue": op}, "properties": props,
            "resourceGroupName": v["rg"], "resourceId": resource,
            "resourceProviderName": {"value": "Microsoft.RecoveryServices", "localizedValue": "Microsoft.RecoveryServices"},
            "status": {"value": status, "localizedValue": status}, "subStatus": {"value": "", "localizedValue": ""},
            "eventTimestamp": ts0(when), "submissionTimestamp": ts0(when + 12), "subscriptionId": v["sub"]}


def write_events(out, vaults_by_sub, bounds, total, page_size):
    """total Activity Log events spread over the vaults of every subscription, in time
    order per subscription; each subscription's DataProtection call answers an empty list."""
    rng = random.Random("vaultproof-scale-events/%d" % total)  # its own stream: jobs and items keep their bytes
    lo, hi = bounds
    nsubs = len(vaults_by_sub)
    for si, vaults in enumerate(vaults_by_sub):
        if not vaults:
            continue
        sid = vaults[0]["sub"]
        share = total // nsubs + (1 if si < total % nsubs else 0)
        times = sorted(lo + rng.randrange(hi - lo) for _ in range(share))
        for provider, name in (("Microsoft.RecoveryServices", "activityLog"),
                               ("Microsoft.DataProtection", "activityLog-dataprotection")):
            url = "%s/subscriptions/%s/providers/Microsoft.Insights/eventtypes/management/values?api-version=%s" \
                  "&$filter=%s" % (ARM, sid, API_INSIGHTS, urllib.parse.quote(event_filter(bounds, provider), safe=""))
            stream = PagedListStream(out, "subscriptions/%s/%s.json" % (sid, name), url, name, sub_id(sid),
                                     page_size)
            if provider == "Microsoft.RecoveryServices":
                for n, when in enumerate(times):
                    stream.add(scale_event(rng, vaults[rng.randrange(len(vaults))], n, when))
            stream.close()


def main(argv=None):
    ap = argparse.ArgumentParser(description="Generate Azure Backup estates in the vaultproof replay layout.")
    sp = ap.add_subparsers(dest="mode", required=True)
    c = sp.add_parser("contoso", help="the curated Contoso Health sample estate")
    c.add_argument("--out", required=True, metavar="DIR")
    c.add_argument("--period", metavar="YYYY-Qn",
                   help="also the period evidence of this quarter (only 2026-Q3 is curated): backup jobs, "
                        "job details, CRR jobs and Activity Log events")
    c.add_argument("--period-only", action="store_true",
                   help="write only the period evidence into the existing recording DIR (replacing what "
                        "an earlier run wrote there); every other file is left as it is")
    c.add_argument("--period-files", choices=("all", "jobs"), default="all",
                   help="all (default): job lists, job details, CRR jobs and the Activity Log; jobs: the job "
                        "lists only (what a reader without the details / CRR / Activity Log operations replays)")
    c.set_defaults(page_size=200)
    s = sp.add_parser("scale", help="a large synthetic estate for benchmarks")
    s.add_argument("--out", required=True, metavar="DIR")
    s.add_argument("--items", type=int, required=True, metavar="N")
    s.add_argument("--vaults", type=int, required=True, metavar="M")
    s.add_argument("--subscriptions", type=int, default=0, metavar="S",
                   help="number of subscriptions (default: min(10, vaults))")
    s.add_argument("--seed", type=int, default=1, metavar="K")
    s.add_argument("--page-size", type=int, default=200, help="protected items per page (ARM: 200)")
    s.add_argument("--vm-page-size", type=int, default=1000,
                   help="virtual machines per page of a VM list (an assumption: Compute pages ListAll)")
    s.add_argument("--no-sidecars", action="store_true",
                   help="write bodies only, like an offline export")
    s.add_argument("--jobs-period", metavar="YYYY-Qn",
                   help="also each vault's backup jobs over this quarter (one per VM or database item "
                        "per day, failure streaks with job details, a restore per 200 VMs)")
    s.add_argument("--jobs-page-size", type=int, default=200, help="backup jobs per page (an assumption)")
    s.add_argument("--events", type=int, default=0, metavar="N",
                   help="also N Activity Log events over the --jobs-period quarter")
    args = ap.parse_args(argv)
    if args.mode == "contoso" and (args.period_only or args.period) and args.period != "2026-Q3":
        sys.exit("gen_estate: contoso: --period 2026-Q3 is the one curated quarter (--period-only needs it too)")
    if args.mode == "contoso":
        contoso(args)
    else:
        scale(args)


if __name__ == "__main__":
    main()
