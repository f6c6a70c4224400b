#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/internal.h"
#include "vaultproof/config.h"
#include "vaultproof/fileio.h"
#include "vaultproof/json.h"
#include "vaultproof/worm.h"


/* Every top-level key the configuration knows, the JSON type it must have, and what the
 * copy of the configuration an evidence bundle carries does with it (config_bundle.c;
 * docs/config.md "In an evidence bundle" is this column in words). */
static const struct {
    const char *key;
    int type; /* cJSON type mask */
    vpf_bundle_action bundle;
} known_keys[] = {
    {"organization", cJSON_String, VPF_BUNDLE_KEEP},
    {"report_title", cJSON_String, VPF_BUNDLE_KEEP},
    {"scope", cJSON_Object, VPF_BUNDLE_KEEP},
    {"frameworks", cJSON_Array, VPF_BUNDLE_KEEP},
    {"critical", cJSON_Object, VPF_BUNDLE_KEEP},
    {"retention_minimums", cJSON_Object, VPF_BUNDLE_KEEP},
    {"rpo_hours", cJSON_Number, VPF_BUNDLE_KEEP},
    {"hyper_care_days", cJSON_Number, VPF_BUNDLE_KEEP},
    {"exemptions", cJSON_Array, VPF_BUNDLE_KEEP},
    {"decommissioned", cJSON_Array, VPF_BUNDLE_KEEP},
    {"worm_catalog", cJSON_NULL | cJSON_String | cJSON_Object, VPF_BUNDLE_FILE},
    {"classes", cJSON_Object, VPF_BUNDLE_KEEP},
    {"rule_parameters", cJSON_Object, VPF_BUNDLE_KEEP},
    {"live", cJSON_Object, VPF_BUNDLE_KEEP},
    {"signer", cJSON_Object, VPF_BUNDLE_DROP},
    {"archive", cJSON_Object, VPF_BUNDLE_KEEP},
    {"report", cJSON_Object, VPF_BUNDLE_KEEP},
    {"restore_tests", cJSON_Object, VPF_BUNDLE_KEEP},
    {"change_register", cJSON_Array, VPF_BUNDLE_KEEP},
};

vpf_bundle_action vpf_config_bundle_action(const char *key)
{
    for (size_t i = 0; i < sizeof known_keys / sizeof known_keys[0]; i++)
        if (!strcmp(known_keys[i].key, key))
            return known_keys[i].bundle;
    return VPF_BUNDLE_DROP; /* not reached for a loaded config: unknown keys are refused */
}

/* The lists of strings (e.g. scope globs) share this reader with config_eval.c. */
static const char *type_words(int mask)
{
    switch (mask) {
    case cJSON_String: return "a string";
    case cJSON_Object: return "an object";
    case cJSON_Array: return "an array";
    case cJSON_Number: return "a number";
    default: return "null, a file path or a catalog object";
    }
}

vp_status vpf_config_string_list(vp_config *c, vp_jreader *r, const cJSON *obj, const char *base, const char *key,
                                const char ***out, size_t *count)
{
    const cJSON *arr = NULL;
    char ptr[256], ip[300];
    int i = 0;
    *out = NULL;
    *count = 0;
    if (vp_jr_array(r, obj, base, key, &arr) != VP_PRESENT)
        return r->status;
    vp_json_pointer_join(ptr, sizeof ptr, base, key);
    *count = (size_t)cJSON_GetArraySize(arr);
    *out = vpc_arena_alloc(&c->arena, (*count + 1) * sizeof **out);
    if (!*out)
        return vp_error_set(r->err, VP_ERR_NOMEM, "out of memory");
    for (const cJSON *e = arr->child; e; e = e->next, i++) {
        if (!cJSON_IsString(e) || !*e->valuestring)
            return vp_jr_fail(r, vp_json_pointer_index(ip, sizeof ip, ptr, i), "a non-empty string", e);
        (*out)[i] = vpc_arena_strdup(&c->arena, e->valuestring);
    }
    return VP_OK;
}

/* "report": how the reports present findings, never what they find. owner_tag names the
 * tag whose value on a failing finding's subject is its owner (docs/config.md). */
static vp_status parse_report(vp_config *c, vp_jreader *r)
{
    const cJSON *report = NULL;
    c->owner_tag = VP_CONFIG_DEFAULT_OWNER_TAG;
    if (vp_jr_object(r, c->root, "", "report", &report) != VP_PRESENT)
        return r->status;
    for (const cJSON *k = report->child; k; k = k->next)
        if (strcmp(k->string, "owner_tag") != 0)
            return vp_error_set(r->err, VP_ERR_INPUT, "%s: /report/%s: unknown key; expected owner_tag", r->file,
                                k->string);
    const cJSON *tag = cJSON_GetObjectItemCaseSensitive(report, "owner_tag");
    if (!tag)
        return VP_OK;
    if (!cJSON_IsString(tag) || !tag->valuestring[0])
        return vp_jr_fail(r, "/report/owner_tag", "a non-empty tag name", tag);
    c->owner_tag = vpc_arena_strdup(&c->arena, tag->valuestring);
    return c->owner_tag ? VP_OK : vp_error_set(r->err, VP_ERR_NOMEM, "out of memory");
}

static vp_status parse_scope(vp_config *c, vp_jreader *r)
{
    const cJSON *scope = NULL, *vaults = NULL;
    if (vp_jr_object(r, c->root, "", "scope", &scope) != VP_PRESENT)
        return r->status;
    for (const cJSON *k = scope->child; k; k = k->next)
        if (strcmp(k->string, "subscriptions") != 0 && strcmp(k->string, "vaults") != 0)
            return vp_error_set(r->err, VP_ERR_INPUT, "%s: /scope/%s: unknown key; expected subscriptions or vaults",
                                r->file, k->string);
    if (vpf_config_string_list(c, r, scope, "/scope", "subscriptions", &c->subs, &c->sub_count))
        return r->status;
    if (vp_jr_object(r, scope, "/scope", "vaults", &vaults) != VP_PRESENT)
        return r->status;
    for (const cJSON *k = vaults->child; k; k = k->next)
        if (strcmp(k->string, "include") != 0 && strcmp(k->string, "exclude") != 0)
            return vp_error_set(r->err, VP_ERR_INPUT,
                                "%s: /scope/vaults/%s: unknown key; expected include or exclude", r->file, k->string);
    if (vpf_config_string_list(c, r, vaults, "/scope/vaults", "include", &c->include, &c->include_count))
        return r->status;
    return vpf_config_string_list(c, r, vaults, "/scope/vaults", "exclude", &c->exclude, &c->exclude_count);
}

/* The longest a string at ptr may be: exemption reasons, paths and URLs are texts,
 * everything else a name. */
static size_t max_length(const char *ptr)
{
    size_t n = strlen(ptr);
    int reason = n > 7 && !strcmp(ptr + n - 7, "/reason") && !strncmp(ptr, "/exemptions/", 12);
    return reason || !strncmp(ptr, "/signer/", 8) || !strncmp(ptr, "/live/", 6) ||
                   !strncmp(ptr, "/archive/", 9) || !strcmp(ptr, "/worm_catalog")
               ? VP_CONFIG_MAX_TEXT
               : VP_CONFIG_MAX_NAME;
}

/* Every key and string below node within its limit, so no text that reaches the report
 * can exceed what the PDF writer takes (an organization of 64 KiB made libharu fail with
 * exit 70). An inline worm_catalog is the catalog reader's to check. */
static vp_status check_lengths(const char *file, const cJSON *node, const char *ptr, vp_error *err)
{
    char child[1024];
    int i = 0;
    if (cJSON_IsString(node) && strlen(node->valuestring) > max_length(ptr))
        return vp_error_set(err, VP_ERR_INPUT, "%s: %s: %zu bytes; expected at most %zu (docs/config.md, Limits)",
                            file, ptr, strlen(node->valuestring), max_length(ptr));
    if ((!cJSON_IsObject(node) && !cJSON_IsArray(node)) || !strcmp(ptr, "/worm_catalog"))
        return VP_OK;
    for (const cJSON *c = node->child; c; c = c->next, i++) {
        vp_status st;
        if (cJSON_IsObject(node) && strlen(c->string) > VP_CONFIG_MAX_NAME)
            return vp_error_set(err, VP_ERR_INPUT, "%s: %s: a key of %zu bytes; expected at most %d (docs/config.md, "
                                "Limits)", file, ptr[0] ? ptr : "(document root)", strlen(c->string),
                                VP_CONFIG_MAX_NAME);
        if (cJSON_IsObject(node))
            vp_json_pointer_join(child, sizeof child, ptr, c->string);
        else
            vp_json_pointer_index(child, sizeof child, ptr, i);
        if ((st = check_lengths(file, c, child, err)))
            return st;
    }
    return VP_OK;
}

vp_status vp_config_load(const char *path, vp_config **out, vp_error *err)
{
    return vp_config_load_named(path, NULL, out, err);
}

vp_status vp_config_load_named(const char *path, const char *name, vp_config **out, vp_error *err)
{
    vp_jreader r = {.file = path, .err = err, .status = VP_OK};
    vp_status st;
    *out = NULL;
    vp_config *c = calloc(1, sizeof *c);
    if (!c)
        return vp_error_set(err, VP_ERR_NOMEM, "out of memory");
    c->path = strdup(path);
    c->name = strdup(name ? name : path);
    if (!c->path || !c->name) {
        vp_config_free(c);
        return vp_error_set(err, VP_ERR_NOMEM, "out of memory");
    }
    char *text = NULL;
    size_t len = 0;
    if ((st = vp_read_file(path, &text, &len, err)))
        goto fail;
    vp_sha256_hex(text, len, c->sha256);
    st = vp_json_parse(path, text, len, &c->root, err);
    free(text);
    if (st)
        goto fail;
    if (!cJSON_IsObject(c->root)) {
        st = vp_jr_fail(&r, "", "a configuration object", c->root);
        goto fail;
    }
    if ((st = check_lengths(path, c->root, "", err)))
        goto fail;
    for (const cJSON *k = c->root->child; k; k = k->next) {
        size_t i, n = sizeof known_keys / sizeof known_keys[0];
        for (i = 0; i < n && strcmp(known_keys[i].key, k->string) != 0; i++)
            ;
        if (i == n) {
            st = vp_error_set(err, VP_ERR_INPUT, "%s: /%s: unknown key; expected one of organization, report_title, "
                              "scope, frameworks, critical, classes, retention_minimums, rpo_hours, hyper_care_days, "
                              "exemptions, decommissioned, rule_parameters, worm_catalog, live, signer, archive, report, restore_tests (docs/config.md)", path,
                              k->string);
            goto fail;
        }
        if (!(k->type & known_keys[i].type)) {
            char ptr[256];
            st = vp_jr_fail(&r, vp_json_pointer_join(ptr, sizeof ptr, "", k->string), type_words(known_keys[i].type), k);
            goto fail;
        }
    }
    vp_jr_string(&r, c->root, "", "organization", &c->organization);
    vp_jr_string(&r, c->root, "", "report_title", &c->report_title);
    if ((st = parse_scope(c, &r)) || (st = parse_report(c, &r)) || (st = vpf_config_parse_eval(c, &r)) || (st = vpf_config_parse_live(c, &r)) ||
        (st = vpf_config_parse_signer(c, &r)) || (st = vpf_config_parse_archive(c, &r)))
        goto fail;
    *out = c;
    return VP_OK;
fail:
    vp_config_free(c);
    return st;
}

void vp_config_free(vp_config *c)
{
    if (!c)
        return;
    cJSON_Delete(c->root);
    vpc_arena_free(&c->arena);
    free(c->path);
    free(c->name);
    free(c);
}

const char *vp_config_organization(const vp_config *c) { return c->organization; }
const char *vp_config_owner_tag(const vp_config *c) { return c->owner_tag; }
const vp_eval_settings *vp_config_eval(const vp_config *c) { return &c->eval; }
const char *vp_config_sha256(const vp_config *c) { return c->sha256; }
const char *vp_config_path(const vp_config *c) { return c->path; }
const char *vp_config_name(const vp_config *c) { return c->name; }
const char *vp_config_report_title(const vp_config *c) { return c->report_title; }

const char *const *vp_config_subscriptions(const vp_config *c, size_t *count)
{
    *count = c->sub_count;
    return c->subs;
}

const char *const *vp_config_vault_include(const vp_config *c, size_t *count)
{
    *count = c->include_count;
    return c->include;
}

const char *const *vp_config_vault_exclude(const vp_config *c, size_t *count)
{
    *count = c->exclude_count;
    return c->exclude;
}

/* path as given when absolute, else joined to the directory of base (a config file). */
static int beside(const char *base, const char *path, char *out, size_t size)
{
    const char *slash = strrchr(base, '/');
    int n = path[0] == '/' || !slash ? snprintf(out, size, "%s", path)
                                     : snprintf(out, size, "%.*s/%s", (int)(slash - base), base, path);
    return n < 0 || (size_t)n >= size ? -1 : 0;
}

int vpf_config_beside(const vp_config *c, const char *path, char *out, size_t size)
{
    return beside(c->path, path, out, size);
}

int vpf_config_beside_name(const vp_config *c, const char *path, char *out, size_t size)
{
    return beside(c->name, path, out, size);
}

const char *vp_config_worm_catalog_file(const vp_config *c)
{
    const cJSON *w = cJSON_GetObjectItemCaseSensitive(c->root, "worm_catalog");
    return cJSON_IsString(w) ? w->valuestring : NULL;
}

vp_status vp_config_worm_catalog(const vp_config *c, vp_worm_catalog **out, vp_error *err)
{
    const cJSON *w = cJSON_GetObjectItemCaseSensitive(c->root, "worm_catalog");
    vp_status st;
    if (!w || cJSON_IsNull(w))
        return vp_worm_catalog_builtin(out, err);
    if (cJSON_IsObject(w)) {
        char *text = cJSON_PrintUnformatted(w), label[4200];
        if (!text)
            return vp_error_set(err, VP_ERR_NOMEM, "out of memory");
        snprintf(label, sizeof label, "%s#/worm_catalog", c->name);
        st = vp_worm_catalog_parse(label, text, strlen(text), out, err);
        free(text);
        return st;
    }
    /* a path, relative to the configuration file's directory; the snapshot names it
     * relative to the config's name, as the config does */
    char full[8192], named[8192], *data = NULL;
    size_t len = 0;
    if (vpf_config_beside(c, w->valuestring, full, sizeof full) ||
        vpf_config_beside_name(c, w->valuestring, named, sizeof named))
        return vp_error_set(err, VP_ERR_INPUT, "%s: /worm_catalog: path too long", c->path);
    if ((st = vp_read_file(full, &data, &len, err)))
        return vp_error_prefix(err, "%s: /worm_catalog", c->path);
    st = vp_worm_catalog_parse(named, data, len, out, err);
    free(data);
    return st;
}
