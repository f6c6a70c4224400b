/* The container's immutability policy and the storage account's ARM id, read through
 * ARM (Microsoft.Storage, api-version VP_BLOB_ARM_API_VERSION). Response shapes: Azure's
 * REST API specs, specification/storage/Storage.Management/examples/2024-01-01/
 * BlobContainersGetWithAllowProtectedAppendWritesAll.json (BlobContainers_Get:
 * properties.hasImmutabilityPolicy, properties.immutabilityPolicy.properties.{state,
 * immutabilityPeriodSinceCreationInDays, allowProtectedAppendWrites[All]}) and the
 * StorageAccounts_List pages ({"value": [...], "nextLink"}). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "blob/internal.h"
#include "vaultproof/blob.h"
#include "vaultproof/json.h"

int vp_blob_immutability_locked(const vp_blob_immutability *p)
{
    return p->has_policy && !strcmp(p->state, "Locked") && p->days > 0;
}

/* "/subscriptions/S/resourceGroups/G/providers/Microsoft.Storage/storageAccounts/A": only
 * characters an ARM id has, so it can be put in a URL path as it is. */
static int is_account_id(const char *id)
{
    static const char provider[] = "/providers/Microsoft.Storage/storageAccounts/";
    const char *p = id;
    while (*p && strncasecmp(p, provider, sizeof provider - 1))
        p++;
    if (strncasecmp(id, "/subscriptions/", 15) || !*p)
        return 0;
    for (p = id; *p; p++)
        if (!(*p >= 'a' && *p <= 'z') && !(*p >= 'A' && *p <= 'Z') && !(*p >= '0' && *p <= '9') &&
            !strchr("/-_.()", *p))
            return 0;
    return id[strlen(id) - 1] != '/';
}

/* One ARM GET answered 200 with a JSON body, parsed into *doc (cJSON_Delete). */
static vp_status arm_get(vp_az_client *arm, const char *url, const char *what, cJSON **doc, vp_error *err)
{
    vp_az_response r;
    memset(&r, 0, sizeof r);
    *doc = NULL;
    vp_status st = vp_az_request(arm, "GET", url, NULL, 0, NULL, 0, &r, err);
    if (st)
        return vp_error_prefix(err, "%s", what);
    if (r.status == 200) {
        st = vp_json_parse(what, (const char *)r.body, r.body_len, doc, err);
    } else {
        vpb_refused(err, "GET", url, &r, r.status == 403 ? "reading it needs Microsoft.Storage/storageAccounts/"
                    "blobServices/containers/read (e.g. the role Reader on the storage account)" : NULL);
        st = vp_error_prefix(err, "%s", what);
    }
    vp_az_response_free(&r);
    return st;
}

static const cJSON *member(const cJSON *o, const char *k)
{
    return cJSON_IsObject(o) ? cJSON_GetObjectItemCaseSensitive(o, k) : NULL;
}

vp_status vp_blob_container_policy(vp_az_client *arm, const char *arm_endpoint, const char *account_id,
                                   const char *container, vp_blob_immutability *out, vp_error *err)
{
    char url[2048], what[600];
    cJSON *doc = NULL;
    memset(out, 0, sizeof *out);
    if (!is_account_id(account_id))
        return vp_error_set(err, VP_ERR_USAGE, "storage account id '%.300s': expected /subscriptions/<id>/"
                            "resourceGroups/<group>/providers/Microsoft.Storage/storageAccounts/<name>", account_id);
    size_t el = strlen(arm_endpoint);
    while (el && arm_endpoint[el - 1] == '/')
        el--;
    snprintf(url, sizeof url, "%.*s%s/blobServices/default/containers/%s?api-version=" VP_BLOB_ARM_API_VERSION,
             (int)el, arm_endpoint, account_id, container);
    snprintf(what, sizeof what, "immutability policy of container '%s'", container);
    vp_status st = arm_get(arm, url, what, &doc, err);
    if (st)
        return st;
    const cJSON *props = member(doc, "properties");
    const cJSON *pol = member(member(props, "immutabilityPolicy"), "properties");
    const cJSON *has = member(props, "hasImmutabilityPolicy");
    const cJSON *state = member(pol, "state"), *days = member(pol, "immutabilityPeriodSinceCreationInDays");
    const cJSON *apw = member(pol, "allowProtectedAppendWrites"), *apwa = member(pol, "allowProtectedAppendWritesAll");
    const cJSON *ver = member(member(props, "immutableStorageWithVersioning"), "enabled");
    if (!cJSON_IsObject(props))
        st = vp_error_set(err, VP_ERR_COLLECT, "%s: the response has no \"properties\" object", what);
    else if (state && !cJSON_IsString(state))
        st = vp_error_set(err, VP_ERR_COLLECT, "%s: /properties/immutabilityPolicy/properties/state: expected a "
                          "string", what);
    else if (days && !cJSON_IsNumber(days))
        st = vp_error_set(err, VP_ERR_COLLECT, "%s: /properties/immutabilityPolicy/properties/"
                          "immutabilityPeriodSinceCreationInDays: expected a number", what);
    if (!st) {
        out->has_policy = cJSON_IsTrue(has) || (state && days && days->valuedouble > 0);
        snprintf(out->state, sizeof out->state, "%s", state ? state->valuestring : "");
        out->days = days ? (long long)days->valuedouble : 0;
        out->allow_protected_append_writes = cJSON_IsTrue(apw) || cJSON_IsTrue(apwa);
        out->version_level = cJSON_IsTrue(ver);
        if (!out->has_policy) { /* an aborted policy answers days 0: no policy */
            out->state[0] = '\0';
            out->days = 0;
        }
    }
    cJSON_Delete(doc);
    return st;
}

vp_status vp_blob_find_account(vp_az_client *arm, const char *arm_endpoint, const char *const *subscriptions,
                               size_t count, const char *account, char *id, size_t size, vp_error *err)
{
    char url[4096], what[300];
    size_t el = strlen(arm_endpoint);
    while (el && arm_endpoint[el - 1] == '/')
        el--;
    if (!count)
        return vp_error_set(err, VP_ERR_USAGE, "storage account '%s': no subscription to look for it in; give "
                            "--archive-account-id (or archive.storage_account_id) or scope.subscriptions", account);
    snprintf(what, sizeof what, "storage account '%s'", account);
    for (size_t i = 0; i < count; i++) {
        snprintf(url, sizeof url, "%.*s/subscriptions/%s/providers/Microsoft.Storage/storageAccounts?api-version="
                 VP_BLOB_ARM_API_VERSION, (int)el, arm_endpoint, subscriptions[i]);
        for (int page = 0; page < 1000; page++) {
            cJSON *doc = NULL;
            vp_status st = arm_get(arm, url, what, &doc, err);
            if (st)
                return st;
            const cJSON *v, *next = member(doc, "nextLink");
            cJSON_ArrayForEach(v, member(doc, "value"))
            {
                const cJSON *name = member(v, "name"), *rid = member(v, "id");
                if (cJSON_IsString(name) && cJSON_IsString(rid) && !strcasecmp(name->valuestring, account) &&
                    is_account_id(rid->valuestring) && strlen(rid->valuestring) < size) {
                    snprintf(id, size, "%s", rid->valuestring);
                    cJSON_Delete(doc);
                    return VP_OK;
                }
            }
            /* a next page only on the same ARM endpoint: the token is never sent elsewhere */
            int more = cJSON_IsString(next) && !strncmp(next->valuestring, arm_endpoint, el) &&
                       next->valuestring[el] == '/' && strlen(next->valuestring) < sizeof url;
            if (more)
                snprintf(url, sizeof url, "%s", next->valuestring);
            cJSON_Delete(doc);
            if (!more)
                break;
        }
    }
    return vp_error_set(err, VP_ERR_COLLECT, "storage account '%s' is in none of the %zu subscription(s) searched; "
                        "give its id with --archive-account-id (or archive.storage_account_id)", account, count);
}

vp_status vp_blob_archive_policy(vp_az_client *arm, const char *arm_endpoint, const vp_blob_url *u,
                                 const char *account_id, const char *const *subscriptions, size_t count, char *id_out,
                                 size_t id_size, vp_blob_immutability *out, vp_error *err)
{
    vp_status st = VP_OK;
    if (account_id)
        snprintf(id_out, id_size, "%s", account_id);
    else
        st = vp_blob_find_account(arm, arm_endpoint, subscriptions, count, u->account, id_out, id_size, err);
    return st ? st : vp_blob_container_policy(arm, arm_endpoint, id_out, u->container, out, err);
}
