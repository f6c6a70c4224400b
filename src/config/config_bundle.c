/* The copy of the configuration an evidence bundle carries (config/vaultproof.json): what
 * evaluation and collection read, without the signer's private paths and passphrase
 * source. What happens to each top-level member is config.c's table of known keys. */
#include <stdlib.h>
#include <string.h>

#include "config/internal.h"
#include "vaultproof/fileio.h"

/* The catalog copy sits beside the bundled config: its name relative to config/. */
#define WORM_COPY_NAME (strrchr(VP_BUNDLE_WORM_CATALOG, '/') + 1)

static vp_status nomem(cJSON *copy, vp_config_bundled *out, vp_error *err)
{
    cJSON_Delete(copy);
    vp_config_bundled_free(out);
    return vp_error_set(err, VP_ERR_NOMEM, "out of memory");
}

/* Replaces /scope/subscriptions of copy by the given list. */
static int set_subscriptions(cJSON *copy, const char *const *subs, size_t n)
{
    cJSON *scope = cJSON_GetObjectItemCaseSensitive(copy, "scope");
    if (!scope && !(scope = cJSON_AddObjectToObject(copy, "scope")))
        return -1;
    cJSON *list = cJSON_CreateArray();
    for (size_t i = 0; list && i < n; i++) {
        cJSON *s = cJSON_CreateString(subs[i]);
        if (!s || !cJSON_AddItemToArray(list, s)) {
            cJSON_Delete(s);
            cJSON_Delete(list);
            return -1;
        }
    }
    if (!list)
        return -1;
    cJSON_DeleteItemFromObjectCaseSensitive(scope, "subscriptions");
    if (!cJSON_AddItemToObject(scope, "subscriptions", list)) {
        cJSON_Delete(list);
        return -1;
    }
    return 0;
}

vp_status vp_config_bundle(const vp_config *c, const char *const *subscriptions, size_t subscription_count,
                           vp_config_bundled *out, vp_error *err)
{
    memset(out, 0, sizeof *out);
    cJSON *copy = cJSON_Duplicate(c->root, 1);
    if (!copy)
        return nomem(NULL, out, err);
    for (cJSON *k = copy->child, *next; k; k = next) {
        next = k->next;
        vpf_bundle_action a = vpf_config_bundle_action(k->string);
        if (a == VPF_BUNDLE_DROP) {
            cJSON_Delete(cJSON_DetachItemViaPointer(copy, k));
        } else if (a == VPF_BUNDLE_FILE && cJSON_IsString(k)) {
            char full[8192];
            vp_status st;
            if (vpf_config_beside(c, k->valuestring, full, sizeof full)) {
                cJSON_Delete(copy);
                return vp_error_set(err, VP_ERR_INPUT, "%s: /worm_catalog: path too long", c->path);
            }
            if ((st = vp_read_file(full, &out->worm_catalog, &out->worm_catalog_len, err))) {
                cJSON_Delete(copy);
                vp_config_bundled_free(out);
                return vp_error_prefix(err, "%s: /worm_catalog", c->path);
            }
            if (!cJSON_SetValuestring(k, WORM_COPY_NAME))
                return nomem(copy, out, err);
        }
    }
    if (subscription_count && set_subscriptions(copy, subscriptions, subscription_count))
        return nomem(copy, out, err);
    char *text = cJSON_Print(copy);
    cJSON_Delete(copy);
    if (!text)
        return nomem(NULL, out, err);
    out->config_len = strlen(text);
    if (!(out->config = malloc(out->config_len + 2))) {
        cJSON_free(text);
        return nomem(NULL, out, err);
    }
    memcpy(out->config, text, out->config_len);
    out->config[out->config_len++] = '\n';
    out->config[out->config_len] = '\0';
    cJSON_free(text);
    return VP_OK;
}

void vp_config_bundled_free(vp_config_bundled *b)
{
    if (!b)
        return;
    free(b->config);
    free(b->worm_catalog);
    memset(b, 0, sizeof *b);
}
