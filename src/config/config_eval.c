/* The evaluation half of vaultproof.json: frameworks, critical selection, data classes,
 * retention minimums, RPO, hyper-care, exemptions, decommissioned servers and rule
 * parameters. Every unknown key and wrong type is an error naming its JSON path. */
#include <stdio.h>
#include <string.h>

#include "config/internal.h"
#include "vaultproof/clock.h"

static const char *const item_kinds[] = {"azure_vm",  "sql_in_vm", "sap_hana_in_vm", "sap_ase_in_vm", "azure_backup_server",
                                         "dpm",       "mars",      "azure_file_share", "azure_sql",   "generic", NULL};

static vp_status unknown_key(vp_jreader *r, const char *base, const char *key, const char *expected)
{
    return r->status = vp_error_set(r->err, VP_ERR_INPUT, "%s: %s/%s: unknown key; expected %s", r->file, base, key,
                                    expected);
}

/* Checks every member of obj is one of allowed (NULL-terminated). */
static vp_status only_keys(vp_jreader *r, const cJSON *obj, const char *base, const char *const *allowed,
                           const char *expected)
{
    for (const cJSON *k = obj ? obj->child : NULL; k; k = k->next) {
        const char *const *a = allowed;
        while (*a && strcmp(*a, k->string) != 0)
            a++;
        if (!*a)
            return unknown_key(r, base, k->string, expected);
    }
    return VP_OK;
}

static const char *copy_string(vp_config *c, vp_jreader *r, const cJSON *o, const char *base, const char *key,
                               int required)
{
    const char *s = NULL;
    if (required)
        s = vp_jr_req_nonempty(r, o, base, key);
    else if (vp_jr_string(r, o, base, key, &s) != VP_PRESENT || r->status || !*s)
        s = NULL;
    return vpc_arena_strdup(&c->arena, s);
}

static vp_status parse_selector(vp_config *c, vp_jreader *r, const cJSON *o, const char *base, vp_selector *sel)
{
    static const char *const keys[] = {"tags", "names", NULL};
    const cJSON *tags = NULL;
    char tp[256], vp[300];
    if (only_keys(r, o, base, keys, "tags or names") ||
        vpf_config_string_list(c, r, o, base, "names", &sel->names, &sel->name_count))
        return r->status;
    if (vp_jr_object(r, o, base, "tags", &tags) != VP_PRESENT)
        return r->status;
    vp_json_pointer_join(tp, sizeof tp, base, "tags");
    sel->tag_count = (size_t)cJSON_GetArraySize(tags);
    sel->tags = vpc_arena_alloc(&c->arena, (sel->tag_count + 1) * sizeof *sel->tags);
    size_t i = 0;
    for (const cJSON *t = tags->child; t; t = t->next, i++) {
        sel->tags[i].key = vpc_arena_strdup(&c->arena, t->string);
        if (!cJSON_IsArray(t))
            return vp_jr_fail(r, vp_json_pointer_join(vp, sizeof vp, tp, t->string), "an array of tag values", t);
        if (vpf_config_string_list(c, r, tags, tp, t->string, &sel->tags[i].values, &sel->tags[i].value_count))
            return r->status;
    }
    return VP_OK;
}

static vp_status parse_classes(vp_config *c, vp_jreader *r)
{
    const cJSON *classes = NULL;
    char p[256];
    vp_eval_settings *e = &c->eval;
    if (vp_jr_object(r, c->root, "", "classes", &classes) != VP_PRESENT)
        return r->status;
    e->class_count = (size_t)cJSON_GetArraySize(classes);
    e->classes = vpc_arena_alloc(&c->arena, (e->class_count + 1) * sizeof *e->classes);
    memset(e->classes, 0, (e->class_count + 1) * sizeof *e->classes);
    size_t i = 0;
    for (const cJSON *k = classes->child; k; k = k->next, i++) {
        vp_json_pointer_join(p, sizeof p, "/classes", k->string);
        if (!cJSON_IsObject(k))
            return vp_jr_fail(r, p, "a selector object ({\"tags\": {...}, \"names\": [...]})", k);
        if (!strcmp(k->string, "default"))
            return r->status = vp_error_set(r->err, VP_ERR_INPUT, "%s: %s: 'default' is reserved; it applies to every item",
                                            r->file, p);
        e->classes[i].name = vpc_arena_strdup(&c->arena, k->string);
        if (parse_selector(c, r, k, p, &e->classes[i].select))
            return r->status;
    }
    return VP_OK;
}

static vp_status parse_minimum(vp_jreader *r, const cJSON *o, const char *base, vp_retention_minimum *m)
{
    static const char *const keys[] = {"daily_days", "weekly_weeks", "monthly_months", "yearly_years", "kinds", NULL};
    long long *slots[] = {&m->daily_days, &m->weekly_weeks, &m->monthly_months, &m->yearly_years};
    if (only_keys(r, o, base, keys, "daily_days, weekly_weeks, monthly_months, yearly_years or kinds"))
        return r->status;
    for (int i = 0; i < 4; i++) {
        *slots[i] = -1;
        vp_jr_int(r, o, base, keys[i], 0, 100000, slots[i]);
    }
    return r->status;
}

static int known_class(const vp_eval_settings *e, const char *name)
{
    if (!strcmp(name, "default"))
        return 1;
    for (size_t i = 0; i < e->class_count; i++)
        if (!strcmp(e->classes[i].name, name))
            return 1;
    return 0;
}

/* A member of an object keyed by data class (retention_minimums, restore_tests): an
 * object, named "default" or a class of /classes. p receives its pointer. */
static vp_status class_entry(vp_jreader *r, const vp_eval_settings *e, const cJSON *k, const char *base,
                             const char *expected, char *p, size_t size)
{
    vp_json_pointer_join(p, size, base, k->string);
    if (!cJSON_IsObject(k))
        return vp_jr_fail(r, p, expected, k);
    if (!known_class(e, k->string))
        return r->status = vp_error_set(r->err, VP_ERR_INPUT,
                                        "%s: %s: no data class '%s'; expected \"default\" or a name defined in /classes",
                                        r->file, p, k->string);
    return VP_OK;
}

static vp_status parse_retention(vp_config *c, vp_jreader *r)
{
    const cJSON *mins = NULL, *kinds = NULL;
    char p[256], kp[300], kkp[400];
    vp_eval_settings *e = &c->eval;
    if (vp_jr_object(r, c->root, "", "retention_minimums", &mins) != VP_PRESENT)
        return r->status;
    size_t cap = 0;
    for (const cJSON *k = mins->child; k; k = k->next) {
        const cJSON *ks = cJSON_GetObjectItemCaseSensitive(k, "kinds");
        cap += 1 + (size_t)(cJSON_IsObject(ks) ? cJSON_GetArraySize(ks) : 0);
    }
    e->retention = vpc_arena_alloc(&c->arena, (cap + 1) * sizeof *e->retention);
    for (const cJSON *k = mins->child; k; k = k->next) {
        if (class_entry(r, e, k, "/retention_minimums", "an object of minimums", p, sizeof p))
            return r->status;
        vp_retention_rule *rule = &e->retention[e->retention_count++];
        rule->class_name = vpc_arena_strdup(&c->arena, k->string);
        rule->kind = NULL;
        rule->pointer = vpc_arena_strdup(&c->arena, p);
        if (parse_minimum(r, k, p, &rule->minimum))
            return r->status;
        kinds = NULL;
        if (vp_jr_object(r, k, p, "kinds", &kinds) != VP_PRESENT) {
            if (r->status)
                return r->status;
            continue;
        }
        vp_json_pointer_join(kp, sizeof kp, p, "kinds");
        for (const cJSON *kind = kinds->child; kind; kind = kind->next) {
            const char *const *known = item_kinds;
            vp_json_pointer_join(kkp, sizeof kkp, kp, kind->string);
            while (*known && strcmp(*known, kind->string) != 0)
                known++;
            if (!*known)
                return unknown_key(r, kp, kind->string, "an item kind (azure_vm, sql_in_vm, sap_hana_in_vm, "
                                   "sap_ase_in_vm, azure_backup_server, dpm, mars, azure_file_share, azure_sql, generic)");
            if (!cJSON_IsObject(kind))
                return vp_jr_fail(r, kkp, "an object of minimums", kind);
            vp_retention_rule *kr = &e->retention[e->retention_count++];
            kr->class_name = rule->class_name;
            kr->kind = *known;
            kr->pointer = vpc_arena_strdup(&c->arena, kkp);
            if (cJSON_GetObjectItemCaseSensitive(kind, "kinds"))
                return unknown_key(r, kkp, "kinds", "daily_days, weekly_weeks, monthly_months or yearly_years");
            if (parse_minimum(r, kind, kkp, &kr->minimum))
                return r->status;
        }
    }
    return VP_OK;
}

/* "YYYY-MM-DD": the end of that day, UTC. */
static int parse_day_end(const char *s, long long *epoch)
{
    char buf[32];
    if (strlen(s) != 10)
        return -1;
    snprintf(buf, sizeof buf, "%sT23:59:59Z", s);
    return vp_time_parse(buf, epoch);
}

/* "restore_tests": {"<class>": {"select": {...}, "group_by": "<tag>", "min_successful": n}} */
static vp_status parse_restore_tests(vp_config *c, vp_jreader *r)
{
    static const char *const keys[] = {"select", "group_by", "min_successful", NULL};
    const cJSON *tests = NULL, *sel = NULL;
    char p[256], sp[300];
    vp_eval_settings *e = &c->eval;
    if (vp_jr_object(r, c->root, "", "restore_tests", &tests) != VP_PRESENT)
        return r->status;
    e->restore_tests = vpc_arena_alloc(&c->arena, ((size_t)cJSON_GetArraySize(tests) + 1) * sizeof *e->restore_tests);
    memset(e->restore_tests, 0, ((size_t)cJSON_GetArraySize(tests) + 1) * sizeof *e->restore_tests);
    for (const cJSON *k = tests->child; k; k = k->next) {
        if (class_entry(r, e, k, "/restore_tests", "an object ({\"select\": ..., \"group_by\": ..., "
                        "\"min_successful\": ...})", p, sizeof p) ||
            only_keys(r, k, p, keys, "select, group_by or min_successful"))
            return r->status;
        vp_restore_test *t = &e->restore_tests[e->restore_test_count++];
        t->class_name = vpc_arena_strdup(&c->arena, k->string);
        t->pointer = vpc_arena_strdup(&c->arena, p);
        t->group_by = copy_string(c, r, k, p, "group_by", 0);
        t->min_successful = 1;
        vp_jr_int(r, k, p, "min_successful", 1, 100000, &t->min_successful);
        if (vp_jr_object(r, k, p, "select", &sel) == VP_PRESENT &&
            parse_selector(c, r, sel, vp_json_pointer_join(sp, sizeof sp, p, "select"), &t->select))
            return r->status;
        if (r->status)
            return r->status;
    }
    return VP_OK;
}

/* A "YYYY-MM-DD" member (value, NULL when absent) at base/key, else the error naming it. */
static vp_status check_day(vp_jreader *r, const char *base, const char *key, const char *value)
{
    long long t;
    if (value && parse_day_end(value, &t))
        return r->status = vp_error_set(r->err, VP_ERR_INPUT, "%s: %s/%s: '%s'; expected a date YYYY-MM-DD", r->file,
                                        base, key, value);
    return VP_OK;
}

static vp_status parse_exemptions(vp_config *c, vp_jreader *r)
{
    static const char *const keys[] = {"resource", "rule", "reason", "approver", "expires", NULL};
    const cJSON *arr = NULL;
    char p[64];
    vp_eval_settings *e = &c->eval;
    if (vp_jr_array(r, c->root, "", "exemptions", &arr) != VP_PRESENT)
        return r->status;
    e->exemption_count = (size_t)cJSON_GetArraySize(arr);
    e->exemptions = vpc_arena_alloc(&c->arena, (e->exemption_count + 1) * sizeof *e->exemptions);
    size_t i = 0;
    for (const cJSON *x = arr->child; x; x = x->next, i++) {
        vp_exemption *ex = &e->exemptions[i];
        vp_json_pointer_index(p, sizeof p, "/exemptions", (int)i);
        if (!cJSON_IsObject(x))
            return vp_jr_fail(r, p, "an exemption object", x);
        if (only_keys(r, x, p, keys, "resource, rule, reason, approver or expires"))
            return r->status;
        ex->index = i;
        ex->resource = copy_string(c, r, x, p, "resource", 1);
        ex->rule = copy_string(c, r, x, p, "rule", 1);
        ex->reason = copy_string(c, r, x, p, "reason", 1);
        ex->approver = copy_string(c, r, x, p, "approver", 1);
        ex->expires = copy_string(c, r, x, p, "expires", 1);
        if (r->status)
            return r->status;
        if (parse_day_end(ex->expires, &ex->expires_epoch))
            return r->status = vp_error_set(r->err, VP_ERR_INPUT, "%s: %s/expires: '%s'; expected a date YYYY-MM-DD",
                                            r->file, p, ex->expires);
    }
    return VP_OK;
}

static vp_status parse_decommissioned(vp_config *c, vp_jreader *r)
{
    static const char *const keys[] = {"server", "date", "ticket", NULL};
    const cJSON *arr = NULL;
    char p[64];
    vp_eval_settings *e = &c->eval;
    if (vp_jr_array(r, c->root, "", "decommissioned", &arr) != VP_PRESENT)
        return r->status;
    e->decommission_count = (size_t)cJSON_GetArraySize(arr);
    e->decommissioned = vpc_arena_alloc(&c->arena, (e->decommission_count + 1) * sizeof *e->decommissioned);
    size_t i = 0;
    for (const cJSON *x = arr->child; x; x = x->next, i++) {
        vp_decommission *d = &e->decommissioned[i];
        vp_json_pointer_index(p, sizeof p, "/decommissioned", (int)i);
        if (!cJSON_IsObject(x))
            return vp_jr_fail(r, p, "an object {server, date, ticket}", x);
        if (only_keys(r, x, p, keys, "server, date or ticket"))
            return r->status;
        d->server = copy_string(c, r, x, p, "server", 1);
        d->date = copy_string(c, r, x, p, "date", 0);
        d->ticket = copy_string(c, r, x, p, "ticket", 0);
        if (r->status)
            return r->status;
        if (check_day(r, p, "date", d->date))
            return r->status;
    }
    return VP_OK;
}

/* "change_register": [{ticket, approver, date, match: {correlation_id} | {resource_id,
 * operation, date}}] - every member required and non-empty, nothing else allowed: an
 * entry that could match by accident would authorize a change nobody approved. */
static vp_status parse_change_register(vp_config *c, vp_jreader *r)
{
    static const char *const keys[] = {"ticket", "approver", "date", "match", NULL};
    static const char *const match_keys[] = {"correlation_id", "resource_id", "operation", "date", NULL};
    const cJSON *arr = NULL, *m = NULL;
    char p[64], mp[80];
    vp_eval_settings *e = &c->eval;
    if (vp_jr_array(r, c->root, "", "change_register", &arr) != VP_PRESENT)
        return r->status;
    e->change_register_count = (size_t)cJSON_GetArraySize(arr);
    e->change_register = vpc_arena_alloc(&c->arena, (e->change_register_count + 1) * sizeof *e->change_register);
    if (!e->change_register)
        return vp_error_set(r->err, VP_ERR_NOMEM, "out of memory");
    size_t i = 0;
    for (const cJSON *x = arr->child; x; x = x->next, i++) {
        vp_change_entry *ce = &e->change_register[i];
        memset(ce, 0, sizeof *ce);
        ce->index = i;
        vp_json_pointer_index(p, sizeof p, "/change_register", (int)i);
        if (!cJSON_IsObject(x))
            return vp_jr_fail(r, p, "an object {ticket, approver, date, match}", x);
        if (only_keys(r, x, p, keys, "ticket, approver, date or match"))
            return r->status;
        ce->ticket = copy_string(c, r, x, p, "ticket", 1);
        ce->approver = copy_string(c, r, x, p, "approver", 1);
        ce->date = copy_string(c, r, x, p, "date", 1);
        if (r->status)
            return r->status;
        if (check_day(r, p, "date", ce->date))
            return r->status;
        if (vp_jr_object(r, x, p, "match", &m) != VP_PRESENT)
            return r->status ? r->status
                             : vp_jr_fail(r, vp_json_pointer_join(mp, sizeof mp, p, "match"),
                                          "an object {correlation_id} or {resource_id, operation, date}",
                                          cJSON_GetObjectItemCaseSensitive(x, "match"));
        vp_json_pointer_join(mp, sizeof mp, p, "match");
        if (only_keys(r, m, mp, match_keys, "correlation_id, or resource_id, operation and date"))
            return r->status;
        if (cJSON_GetObjectItemCaseSensitive(m, "correlation_id")) {
            if (cJSON_GetArraySize(m) != 1)
                return r->status = vp_error_set(r->err, VP_ERR_INPUT, "%s: %s: correlation_id with other members; "
                                                "expected {correlation_id} alone or {resource_id, operation, date}",
                                                r->file, mp);
            ce->correlation_id = copy_string(c, r, m, mp, "correlation_id", 1);
        } else {
            ce->resource_id = copy_string(c, r, m, mp, "resource_id", 1);
            ce->operation = copy_string(c, r, m, mp, "operation", 1);
            ce->on_day = copy_string(c, r, m, mp, "date", 1);
            if (!r->status && check_day(r, mp, "date", ce->on_day))
                return r->status;
        }
        if (r->status)
            return r->status;
    }
    return VP_OK;
}

static vp_status parse_rule_parameters(vp_config *c, vp_jreader *r)
{
    const cJSON *rules = NULL;
    char p[256], pp[300];
    vp_eval_settings *e = &c->eval;
    if (vp_jr_object(r, c->root, "", "rule_parameters", &rules) != VP_PRESENT)
        return r->status;
    size_t cap = 0;
    for (const cJSON *ru = rules->child; ru; ru = ru->next)
        cap += (size_t)(cJSON_IsObject(ru) ? cJSON_GetArraySize(ru) : 0);
    e->overrides = vpc_arena_alloc(&c->arena, (cap + 1) * sizeof *e->overrides);
    for (const cJSON *ru = rules->child; ru; ru = ru->next) {
        vp_json_pointer_join(p, sizeof p, "/rule_parameters", ru->string);
        if (!cJSON_IsObject(ru))
            return vp_jr_fail(r, p, "an object of parameter values", ru);
        for (const cJSON *v = ru->child; v; v = v->next) {
            vp_param_override *o = &e->overrides[e->override_count++];
            memset(o, 0, sizeof *o);
            o->rule = vpc_arena_strdup(&c->arena, ru->string);
            o->name = vpc_arena_strdup(&c->arena, v->string);
            if (cJSON_IsBool(v)) {
                o->is_bool = 1;
                o->bool_value = cJSON_IsTrue(v);
            } else if (cJSON_IsString(v)) {
                o->is_string = 1;
                o->string_value = vpc_arena_strdup(&c->arena, v->valuestring);
            } else if (cJSON_IsNumber(v) && v->valuedouble == (double)(long long)v->valuedouble) {
                o->int_value = (long long)v->valuedouble;
            } else {
                return vp_jr_fail(r, vp_json_pointer_join(pp, sizeof pp, p, v->string), "a boolean, integer or string", v);
            }
        }
    }
    return VP_OK;
}

vp_status vpf_config_parse_eval(vp_config *c, vp_jreader *r)
{
    vp_eval_settings *e = &c->eval;
    const cJSON *fw = NULL, *crit = NULL;
    e->hipaa = e->sox = 1;
    e->rpo_hours = 24;
    e->hyper_care_days = 30;
    if (vp_jr_array(r, c->root, "", "frameworks", &fw) == VP_PRESENT) {
        int i = 0;
        e->hipaa = e->sox = 0;
        for (const cJSON *f = fw->child; f; f = f->next, i++) {
            char p[64];
            vp_json_pointer_index(p, sizeof p, "/frameworks", i);
            if (cJSON_IsString(f) && !strcmp(f->valuestring, "hipaa"))
                e->hipaa = 1;
            else if (cJSON_IsString(f) && !strcmp(f->valuestring, "sox"))
                e->sox = 1;
            else
                return vp_jr_fail(r, p, "\"hipaa\" or \"sox\"", f);
        }
    }
    if (r->status)
        return r->status;
    if (vp_jr_object(r, c->root, "", "critical", &crit) == VP_PRESENT && parse_selector(c, r, crit, "/critical", &e->critical))
        return r->status;
    vp_jr_int(r, c->root, "", "rpo_hours", 1, 24 * 366, &e->rpo_hours);
    vp_jr_int(r, c->root, "", "hyper_care_days", 0, 3650, &e->hyper_care_days);
    if (r->status || parse_classes(c, r) || parse_retention(c, r) || parse_exemptions(c, r) ||
        parse_decommissioned(c, r) || parse_rule_parameters(c, r) || parse_restore_tests(c, r) ||
        parse_change_register(c, r))
        return r->status ? r->status : r->err->status;
    return VP_OK;
}
