#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/arena.h"
#include "vaultproof/catalog.h"
#include "vaultproof/fileio.h"
#include "vaultproof/json.h"

extern const char vpt_catalog_builtin_json[];
extern const unsigned long vpt_catalog_builtin_json_len;

struct vp_catalog {
    vp_arena arena;
    const char *version;
    char sha256[65];
    vp_framework *frameworks;
    size_t framework_count;
    vp_rule *rules;
    size_t rule_count;
};

static const char *const severities[] = {NULL, "low", "medium", "high", "critical"};

const char *vp_severity_name(vp_severity s)
{
    return s >= VP_SEV_LOW && s <= VP_SEV_CRITICAL ? severities[s] : "unknown";
}

int vp_severity_parse(const char *name, vp_severity *out)
{
    for (int s = VP_SEV_LOW; s <= VP_SEV_CRITICAL; s++)
        if (name && strcasecmp(name, severities[s]) == 0) {
            *out = (vp_severity)s;
            return 0;
        }
    return -1;
}

/* A required non-empty string member, copied into the catalog. */
static const char *need(vp_catalog *c, vp_jreader *r, const cJSON *o, const char *base, const char *key)
{
    return vpc_arena_strdup(&c->arena, vp_jr_req_nonempty(r, o, base, key));
}

static const vp_citation *find_citation(const vp_catalog *c, const char *id)
{
    for (size_t f = 0; f < c->framework_count; f++)
        for (size_t i = 0; i < c->frameworks[f].citation_count; i++)
            if (strcmp(c->frameworks[f].citations[i].id, id) == 0)
                return &c->frameworks[f].citations[i];
    return NULL;
}

static vp_status parse_frameworks(vp_catalog *c, vp_jreader *r, const cJSON *root)
{
    char fp[64], cp[128];
    const cJSON *arr = vp_jr_req_array(r, root, "", "frameworks");
    if (!arr)
        return r->status;
    c->framework_count = (size_t)cJSON_GetArraySize(arr);
    c->frameworks = vpc_arena_alloc(&c->arena, (c->framework_count + 1) * sizeof *c->frameworks);
    int i = 0;
    for (const cJSON *f = arr->child; f && c->frameworks; f = f->next, i++) {
        vp_framework *fw = &c->frameworks[i];
        vp_json_pointer_index(fp, sizeof fp, "/frameworks", i);
        fw->id = need(c, r, f, fp, "id");
        fw->title = need(c, r, f, fp, "title");
        const cJSON *cits = vp_jr_req_array(r, f, fp, "citations");
        if (r->status)
            return r->status;
        fw->citation_count = (size_t)cJSON_GetArraySize(cits);
        vp_citation *list = vpc_arena_alloc(&c->arena, (fw->citation_count + 1) * sizeof *list);
        int j = 0;
        for (const cJSON *ci = cits->child; ci && list; ci = ci->next, j++) {
            vp_json_pointer_index(cp, sizeof cp, vp_json_pointer_join(cp, sizeof cp, fp, "citations"), j);
            list[j].framework = fw->id;
            list[j].id = need(c, r, ci, cp, "id");
            list[j].title = need(c, r, ci, cp, "title");
            list[j].text = need(c, r, ci, cp, "text");
        }
        fw->citations = list;
        if (r->status)
            return r->status;
    }
    return c->frameworks ? r->status : vp_error_set(r->err, VP_ERR_NOMEM, "out of memory");
}

static vp_status parse_param(vp_catalog *c, vp_jreader *r, const cJSON *o, const char *base, vp_param *p)
{
    char dp[256];
    p->name = need(c, r, o, base, "name");
    p->description = need(c, r, o, base, "description");
    const char *type = need(c, r, o, base, "type");
    const cJSON *def = cJSON_GetObjectItemCaseSensitive(o, "default");
    if (r->status)
        return r->status;
    vp_json_pointer_join(dp, sizeof dp, base, "default");
    if (!strcmp(type, "boolean")) {
        p->type = VP_PARAM_BOOL;
        if (!cJSON_IsBool(def))
            return vp_jr_fail(r, dp, "a boolean", def);
        p->bool_value = cJSON_IsTrue(def);
    } else if (!strcmp(type, "integer")) {
        p->type = VP_PARAM_INT;
        if (!cJSON_IsNumber(def) || def->valuedouble != (double)(long long)def->valuedouble)
            return vp_jr_fail(r, dp, "an integer", def);
        p->int_value = (long long)def->valuedouble;
    } else if (!strcmp(type, "string")) {
        p->type = VP_PARAM_STRING;
        if (!cJSON_IsString(def))
            return vp_jr_fail(r, dp, "a string", def);
        p->string_value = vpc_arena_strdup(&c->arena, def->valuestring);
        const cJSON *choices = cJSON_GetObjectItemCaseSensitive(o, "enum");
        if (cJSON_IsArray(choices)) {
            p->choice_count = (size_t)cJSON_GetArraySize(choices);
            p->choices = vpc_arena_alloc(&c->arena, p->choice_count * sizeof *p->choices);
            size_t k = 0;
            for (const cJSON *ch = choices->child; ch && p->choices; ch = ch->next)
                if (cJSON_IsString(ch))
                    p->choices[k++] = vpc_arena_strdup(&c->arena, ch->valuestring);
        }
    } else {
        return vp_error_set(r->err, VP_ERR_INPUT, "%s: %s/type: '%s'; expected boolean, integer or string", r->file, base,
                            type);
    }
    return VP_OK;
}

static vp_status parse_rule(vp_catalog *c, vp_jreader *r, const cJSON *o, const char *base, vp_rule *rule)
{
    char p[256];
    const char *sev;
    int i = 0;
    rule->id = need(c, r, o, base, "id");
    rule->title = need(c, r, o, base, "title");
    rule->applies_to = need(c, r, o, base, "applies_to");
    rule->rationale = need(c, r, o, base, "rationale");
    /* required: an exception the reports list must say what fixes it (docs/controls.md) */
    rule->remediation = need(c, r, o, base, "remediation");
    sev = need(c, r, o, base, "severity");
    const cJSON *params = vp_jr_req_array(r, o, base, "parameters");
    const cJSON *cits = vp_jr_req_array(r, o, base, "citations");
    const cJSON *pols = vp_jr_req_array(r, o, base, "azure_policy");
    if (r->status)
        return r->status;
    if (vp_severity_parse(sev, &rule->severity))
        return vp_error_set(r->err, VP_ERR_INPUT, "%s: %s/severity: '%s'; expected low, medium, high or critical",
                            r->file, base, sev);
    rule->param_count = (size_t)cJSON_GetArraySize(params);
    rule->params = vpc_arena_alloc(&c->arena, (rule->param_count + 1) * sizeof *rule->params);
    memset(rule->params, 0, (rule->param_count + 1) * sizeof *rule->params);
    for (const cJSON *pa = params->child; pa; pa = pa->next, i++) {
        vp_json_pointer_index(p, sizeof p, vp_json_pointer_join(p, sizeof p, base, "parameters"), i);
        if (parse_param(c, r, pa, p, &rule->params[i]))
            return r->status ? r->status : r->err->status;
    }
    rule->citation_count = (size_t)cJSON_GetArraySize(cits);
    rule->citations = vpc_arena_alloc(&c->arena, (rule->citation_count + 1) * sizeof *rule->citations);
    i = 0;
    for (const cJSON *ci = cits->child; ci; ci = ci->next, i++) {
        vp_json_pointer_index(p, sizeof p, vp_json_pointer_join(p, sizeof p, base, "citations"), i);
        if (!cJSON_IsString(ci))
            return vp_jr_fail(r, p, "a citation id", ci);
        if (!(rule->citations[i] = find_citation(c, ci->valuestring)))
            return vp_error_set(r->err, VP_ERR_INPUT, "%s: %s: citation '%s' is not defined by any framework", r->file, p,
                                ci->valuestring);
    }
    rule->azure_policy_count = (size_t)cJSON_GetArraySize(pols);
    rule->azure_policy = vpc_arena_alloc(&c->arena, (rule->azure_policy_count + 1) * sizeof *rule->azure_policy);
    i = 0;
    for (const cJSON *pi = pols->child; pi; pi = pi->next, i++) {
        if (!cJSON_IsString(pi))
            return vp_jr_fail(r, vp_json_pointer_index(p, sizeof p, base, i), "a policy definition id", pi);
        rule->azure_policy[i] = vpc_arena_strdup(&c->arena, pi->valuestring);
    }
    return VP_OK;
}

vp_status vp_catalog_parse(const char *label, const char *json, size_t len, vp_catalog **out, vp_error *err)
{
    cJSON *root = NULL;
    vp_jreader r = {.file = label, .err = err, .status = VP_OK};
    char p[64];
    vp_status st;
    *out = NULL;
    if ((st = vp_json_parse(label, json, len, &root, err)))
        return st;
    vp_catalog *c = calloc(1, sizeof *c);
    if (!c) {
        cJSON_Delete(root);
        return vp_error_set(err, VP_ERR_NOMEM, "out of memory");
    }
    vp_sha256_hex(json, len, c->sha256);
    const char *format = need(c, &r, root, "", "format");
    c->version = need(c, &r, root, "", "version");
    if ((st = r.status))
        goto done;
    if (strcmp(format, "vaultproof-controls/1") != 0) {
        st = vp_error_set(err, VP_ERR_INPUT, "%s: /format: '%s'; expected \"vaultproof-controls/1\"", label, format);
        goto done;
    }
    if ((st = parse_frameworks(c, &r, root)))
        goto done;
    const cJSON *rules = vp_jr_req_array(&r, root, "", "rules");
    if ((st = r.status))
        goto done;
    c->rule_count = (size_t)cJSON_GetArraySize(rules);
    c->rules = vpc_arena_alloc(&c->arena, (c->rule_count + 1) * sizeof *c->rules);
    int i = 0;
    for (const cJSON *ru = rules->child; ru; ru = ru->next, i++) {
        vp_json_pointer_index(p, sizeof p, "/rules", i);
        if (!cJSON_IsObject(ru)) {
            st = vp_jr_fail(&r, p, "a rule object", ru);
            goto done;
        }
        if ((st = parse_rule(c, &r, ru, p, &c->rules[i])))
            goto done;
        for (int j = 0; j < i; j++)
            if (strcmp(c->rules[j].id, c->rules[i].id) == 0) {
                st = vp_error_set(err, VP_ERR_INPUT, "%s: %s/id: rule '%s' defined twice", label, p, c->rules[i].id);
                goto done;
            }
    }
done:
    cJSON_Delete(root);
    if (st) {
        vp_catalog_free(c);
        return st;
    }
    *out = c;
    return VP_OK;
}

vp_status vp_catalog_builtin(vp_catalog **out, vp_error *err)
{
    return vp_catalog_parse("built-in control catalog", vpt_catalog_builtin_json, vpt_catalog_builtin_json_len, out, err);
}

void vp_catalog_free(vp_catalog *c)
{
    if (!c)
        return;
    vpc_arena_free(&c->arena);
    free(c);
}

const char *vp_catalog_version(const vp_catalog *c) { return c->version; }
const char *vp_catalog_sha256(const vp_catalog *c) { return c->sha256; }

const vp_framework *vp_catalog_frameworks(const vp_catalog *c, size_t *count)
{
    *count = c->framework_count;
    return c->frameworks;
}

const vp_rule *vp_catalog_rules(const vp_catalog *c, size_t *count)
{
    *count = c->rule_count;
    return c->rules;
}

const vp_rule *vp_catalog_find_rule(const vp_catalog *c, const char *id)
{
    for (size_t i = 0; i < c->rule_count; i++)
        if (strcmp(c->rules[i].id, id) == 0)
            return &c->rules[i];
    return NULL;
}

const vp_param *vp_rule_param(const vp_rule *rule, const char *name)
{
    for (size_t i = 0; i < rule->param_count; i++)
        if (strcmp(rule->params[i].name, name) == 0)
            return &rule->params[i];
    return NULL;
}
