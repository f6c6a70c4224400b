/* The document around the entities: the kinds of one-per-line arrays and their
 * element conversions (vpn_rd_element, shared by the line reader and the whole-document
 * reader), the top level, `collection`, and the checks made once everything is read.
 * Members are read in the writer's order (snapshot_write.c), which is the format. */
#include <limits.h>
#include <string.h>

#include "snapshot/snapshot_read_internal.h"
#include "vaultproof/clock.h"
#include "vaultproof/period.h"

const char *const vpn_rd_kind_names[RD_KINDS] = {"lists",   "warnings",      "files",  "worm_sources",
                                             "regions", "subscriptions", "vaults", "policies",
                                             "protected_items", "virtual_machines", "resource_guards",
                                             "backup_engines", "deleted_vaults", "changes"};
const char *const vpn_rd_list_statuses[] = {"missing", "unverified", "incomplete", "complete", NULL}; /* vp_list_status */

static const char *const worm_states[] = {"ga", "pending-automatic-transition", NULL};
static const char *const file_roles[] = {"body", "sidecar", NULL};
static const char *const source_kinds[] = {"replay", "live", NULL};
static const char *const tool_names[] = {"vaultproof", NULL};

static const rd_path collection_path = {NULL, "collection", 0};

/* The first kind format 2 added: every kind from here on is format 2 only. */
#define RD_FIRST_FORMAT2_KIND RD_GUARDS

const char *vpn_rd_format_name(const rd_ctx *c)
{
    return c->format == 1 ? VP_SNAPSHOT_FORMAT_1 : VP_SNAPSHOT_FORMAT;
}

static size_t skip_blanks(const char *t, size_t i, size_t len)
{
    while (i < len && (t[i] == ' ' || t[i] == '\t' || t[i] == '\n' || t[i] == '\r'))
        i++;
    return i;
}

int vpn_rd_detect_format(const char *t, size_t len)
{
    static const char key[] = "\"format\"", one[] = "\"" VP_SNAPSHOT_FORMAT_1 "\"";
    size_t i = skip_blanks(t, 0, len);
    if (i >= len || t[i] != '{')
        return 2;
    i = skip_blanks(t, i + 1, len);
    if (len - i < sizeof key - 1 || memcmp(t + i, key, sizeof key - 1) != 0)
        return 2;
    i = skip_blanks(t, i + sizeof key - 1, len);
    if (i >= len || t[i] != ':')
        return 2;
    i = skip_blanks(t, i + 1, len);
    return len - i >= sizeof one - 1 && memcmp(t + i, one, sizeof one - 1) == 0 ? 1 : 2;
}

/* ---- collection arrays, WORM sources, regions, subscriptions ---- */

static void read_job_vault(rd_obj *o, void *out)
{
    vp_job_vault *v = out;
    vpn_rd_str_req(o, "vault_id", RD_INTERN, &v->vault_id);
    vpn_rd_int(o, "jobs_read", 0, LLONG_MAX, 0, &v->jobs_read);
    vpn_rd_str(o, "earliest_start", RD_COPY, &v->earliest_start);
}

static void read_list(rd_obj *o, void *out)
{
    vp_list_call *l = out;
    long long pages = 0;
    vpn_rd_str(o, "operation", RD_INTERN, &l->operation);
    vpn_rd_str(o, "scope", RD_INTERN, &l->scope);
    int s = vpn_rd_enum(o, "status", vpn_rd_list_statuses, 0);
    l->status = s >= 0 ? (vp_list_status)s : VP_LIST_MISSING;
    vpn_rd_int(o, "pages", 0, INT_MAX, 0, &pages);
    l->pages = (int)pages;
    vpn_rd_str(o, "detail", RD_COPY, &l->detail);
}

static void read_warning(rd_obj *o, void *out)
{
    vp_warning *w = out;
    vpn_rd_str_req(o, "code", RD_INTERN, &w->code);
    vpn_rd_str(o, "file", RD_INTERN, &w->file);
    vpn_rd_str(o, "pointer", RD_COPY, &w->pointer);
    vpn_rd_str_req(o, "message", RD_COPY, &w->message);
}

static void read_file(rd_obj *o, void *out)
{
    vp_input_file *f = out;
    vpn_rd_str_req(o, "path", RD_COPY, &f->path);
    int r = vpn_rd_enum(o, "role", file_roles, 0);
    f->role = r >= 0 ? file_roles[r] : NULL;
    vpn_rd_int(o, "bytes", 0, LLONG_MAX, 0, &f->bytes);
    vpn_rd_str(o, "sha256", RD_COPY, &f->sha256);
}

static void read_worm_source(rd_obj *o, void *out)
{
    vp_worm_source *w = out;
    vpn_rd_str(o, "id", RD_INTERN, &w->id); /* regions list these ids */
    vpn_rd_str(o, "title", RD_COPY, &w->title);
    vpn_rd_str(o, "url", RD_COPY, &w->url);
    vpn_rd_str(o, "as_of", RD_COPY, &w->as_of);
    if (o->c->format >= 2) { /* format 1 told revisions apart by as_of alone */
        vpn_rd_str(o, "retrieved", RD_COPY, &w->retrieved);
        vpn_rd_str(o, "sha256", RD_COPY, &w->sha256);
        vpn_rd_str(o, "supersedes", RD_COPY, &w->supersedes);
    }
    vpn_rd_str(o, "recorded", RD_COPY, &w->recorded);
}

static void read_region(rd_obj *o, void *out)
{
    vp_region *r = out;
    long long vaults = 0;
    vpn_rd_str_req(o, "location", RD_INTERN, &r->location);
    vpn_rd_str(o, "display_name", RD_INTERN, &r->display_name);
    int w = vpn_rd_enum(o, "worm", worm_states, 0);
    r->worm = w >= 0 ? worm_states[w] : NULL;
    r->sources = vpn_rd_string_array(o, "sources", RD_INTERN, &r->source_count);
    vpn_rd_int(o, "vaults", 0, LLONG_MAX, 0, &vaults);
    r->vault_count = (size_t)vaults;
}

static void read_subscription(rd_obj *o, void *out)
{
    vp_subscription *s = out;
    vpn_rd_str_req(o, "id", RD_INTERN, &s->id);
    vpn_rd_str(o, "subscription_id", RD_INTERN, &s->subscription_id);
    vpn_rd_str(o, "display_name", RD_COPY, &s->display_name);
    vpn_rd_str(o, "state", RD_INTERN, &s->state);
    vpn_rd_str(o, "tenant_id", RD_INTERN, &s->tenant_id);
    vpn_rd_bool(o, "listed", &s->listed);
    vpn_rd_read_source(o, "source", &s->source);
}

/* ---- elements ---- */

static const struct {
    size_t size;
    rd_part_fn read;
} kinds[RD_KINDS] = {
    [RD_LISTS] = {sizeof(vp_list_call), read_list},
    [RD_WARNINGS] = {sizeof(vp_warning), read_warning},
    [RD_FILES] = {sizeof(vp_input_file), read_file},
    [RD_WORM_SOURCES] = {sizeof(vp_worm_source), read_worm_source},
    [RD_REGIONS] = {sizeof(vp_region), read_region},
    [RD_SUBSCRIPTIONS] = {sizeof(vp_subscription), read_subscription},
    [RD_VAULTS] = {sizeof(vp_vault), vpn_rd_read_vault},
    [RD_POLICIES] = {sizeof(vp_policy), vpn_rd_read_policy},
    [RD_ITEMS] = {sizeof(vp_item), vpn_rd_read_item},
    [RD_VMS] = {sizeof(vp_vm), vpn_rd_read_vm},
    [RD_GUARDS] = {sizeof(vp_resource_guard), vpn_rd_read_resource_guard},
    [RD_ENGINES] = {sizeof(vp_backup_engine), vpn_rd_read_engine},
    [RD_DELETED] = {sizeof(vp_deleted_vault), vpn_rd_read_deleted_vault},
    [RD_CHANGES] = {sizeof(vp_change), vpn_rd_read_change},
};

void vpn_rd_element_path(rd_kind k, size_t index, rd_path *arr, rd_path *at)
{
    *arr = (rd_path){k <= RD_FILES ? &collection_path : NULL, vpn_rd_kind_names[k], 0};
    *at = (rd_path){arr, NULL, index};
}

size_t vpn_rd_kind_size(rd_kind k)
{
    return kinds[k].size;
}

vp_status vpn_rd_element(rd_ctx *c, rd_kind k, const cJSON *obj)
{
    rd_path arr, at;
    rd_obj o;
    if (c->status)
        return c->status;
    vpn_rd_element_path(k, c->index_base[k] + c->vec[k].n, &arr, &at);
    if (!cJSON_IsObject(obj))
        return vpn_rd_fail(c, &at, NULL, "expected an object, found %s", vp_json_type_name(obj));
    void *out = vpn_rd_push(c, k, kinds[k].size);
    if (!out)
        return c->status;
    vpn_rd_open(&o, c, obj, &at);
    kinds[k].read(&o, out);
    return vpn_rd_close(&o);
}

/* ---- the document ---- */

static void read_elements(rd_obj *o, rd_kind k)
{
    rd_path p;
    const cJSON *arr = vpn_rd_array(o, vpn_rd_kind_names[k], &p);
    for (const cJSON *e = arr ? arr->child : NULL; e && !o->c->status; e = e->next)
        vpn_rd_element(o->c, k, e);
}

static void read_tool(rd_obj *o, vp_collection *col)
{
    rd_path p;
    rd_obj t;
    if (!vpn_rd_object(o, "tool", 0, &p, &t))
        return;
    vpn_rd_enum(&t, "name", tool_names, 0);
    vpn_rd_str(&t, "version", RD_COPY, &col->tool_version);
    vpn_rd_str(&t, "commit", RD_COPY, &col->tool_commit);
    vpn_rd_close(&t);
}

static void read_worm_catalog(rd_obj *o, vp_collection *col)
{
    rd_path p;
    rd_obj w;
    if (!vpn_rd_object(o, "worm_catalog", 0, &p, &w))
        return;
    vpn_rd_str(&w, "version", RD_COPY, &col->worm_catalog_version);
    vpn_rd_str(&w, "origin", RD_COPY, &col->worm_catalog_origin);
    vpn_rd_str(&w, "sha256", RD_COPY, &col->worm_catalog_sha256);
    vpn_rd_close(&w);
}

/* collection.counts as written, in the writer's order; vpn_rd_check_counts compares.
 * Format 1 has the first COUNTS_FORMAT1 of them. */
static const char *const count_names[] = {"subscriptions",    "vaults",  "policies", "protected_items",
                                          "virtual_machines", "regions", "files",    "warnings",
                                          "resource_guards",  "backup_engines", "deleted_vaults"};
static const rd_kind count_kinds[] = {RD_SUBSCRIPTIONS, RD_VAULTS,  RD_POLICIES, RD_ITEMS,   RD_VMS,    RD_REGIONS,
                                      RD_FILES,         RD_WARNINGS, RD_GUARDS,  RD_ENGINES, RD_DELETED};
#define COUNTS_FORMAT1 8

static size_t count_total(const rd_ctx *c)
{
    return c->format >= 2 ? sizeof count_names / sizeof count_names[0] : COUNTS_FORMAT1;
}

static void read_counts(rd_obj *o)
{
    rd_path p;
    rd_obj s;
    if (!vpn_rd_object(o, "counts", 0, &p, &s))
        return;
    for (size_t i = 0; i < count_total(o->c); i++)
        vpn_rd_int(&s, count_names[i], 0, LLONG_MAX, 0, &o->c->counts[i]);
    vpn_rd_close(&s);
}

static const char *const access_statuses[] = {"in-scope", "not-visible", "out-of-scope", NULL};
static const char *const access_scope_statuses[] = {"read", "refused", "incomplete", "not-recorded", NULL};
static const char *const access_verdicts[] = {"not-recorded", "unknown", "no-read", "reads", "reads-writes", NULL};

/* true / false / null (not known) as 1 / 0 / -1 */
static int read_tristate(rd_obj *o, const char *key)
{
    vp_flag f = {0, VP_NULL};
    vpn_rd_flag(o, key, &f);
    return f.presence == VP_PRESENT ? f.value : -1;
}

/* Elements of the array key of o, each opened in turn by fn into arena memory of elem
 * bytes each; NULL for an empty array (or an error, reported in c->status). */
static void *read_access_array(rd_obj *o, const char *key, size_t elem, size_t *count, rd_path *p,
                               void (*fn)(rd_obj *, void *))
{
    const cJSON *arr = vpn_rd_array(o, key, p);
    size_t n = 0, i = 0;
    *count = 0;
    for (const cJSON *e = arr ? arr->child : NULL; e; e = e->next)
        n++;
    if (!n)
        return NULL;
    char *v = vpc_arena_alloc(o->c->arena, n * elem);
    if (!v) {
        vpn_rd_nomem(o->c);
        return NULL;
    }
    memset(v, 0, n * elem);
    for (const cJSON *e = arr->child; e && !o->c->status; e = e->next, i++) {
        rd_path at = {p, NULL, i};
        rd_obj eo;
        if (!cJSON_IsObject(e)) {
            vpn_rd_fail(o->c, &at, NULL, "expected an object, found %s", vp_json_type_name(e));
            return NULL;
        }
        vpn_rd_open(&eo, o->c, e, &at);
        fn(&eo, v + i * elem);
        vpn_rd_close(&eo);
    }
    *count = n;
    return v;
}

static void read_access_subscription(rd_obj *o, void *out)
{
    vp_access_subscription *x = out;
    vpn_rd_str_req(o, "subscription_id", RD_COPY, &x->subscription_id);
    vpn_rd_str(o, "display_name", RD_COPY, &x->display_name);
    vpn_rd_str(o, "state", RD_INTERN, &x->state);
    int st = vpn_rd_enum(o, "status", access_statuses, 0);
    x->status = st >= 0 ? access_statuses[st] : NULL;
    vpn_rd_read_source(o, "source", &x->source);
}

static void read_role_assignment(rd_obj *o, void *out)
{
    vp_role_assignment *r = out;
    vpn_rd_str_req(o, "id", RD_COPY, &r->id);
    vpn_rd_str(o, "scope", RD_COPY, &r->scope);
    vpn_rd_str(o, "role_definition_id", RD_INTERN, &r->role_definition_id);
    vpn_rd_str(o, "role_name", RD_INTERN, &r->role_name);
    vpn_rd_str(o, "principal_type", RD_INTERN, &r->principal_type);
    vpn_rd_bool(o, "covers_subscription", &r->covers_subscription);
    r->reads_vaults = read_tristate(o, "reads_vaults");
    r->writes = read_tristate(o, "writes");
    vpn_rd_read_source(o, "source", &r->source);
}

static void read_access_scope(rd_obj *o, void *out)
{
    vp_access_scope *sc = out;
    rd_path p;
    vpn_rd_str_req(o, "subscription_id", RD_COPY, &sc->subscription_id);
    int st = vpn_rd_enum(o, "status", access_scope_statuses, 0);
    sc->status = st >= 0 ? access_scope_statuses[st] : NULL;
    vpn_rd_str(o, "detail", RD_COPY, &sc->detail);
    int verdict = vpn_rd_enum(o, "verdict", access_verdicts, 0);
    sc->assignments = read_access_array(o, "assignments", sizeof *sc->assignments, &sc->assignment_count, &p,
                                        read_role_assignment);
    /* the verdict is derived by the writer (for readers without vaultproof): an edited
     * assignment that no longer gives it is refused, as the counts are */
    if (verdict >= 0 && !o->c->status && sc->status &&
        strcmp(access_verdicts[verdict], vp_access_verdict_name(vp_access_judge(sc))) != 0)
        vpn_rd_fail(o->c, o->at, "verdict", "'%s'; expected '%s', what the assignments give", access_verdicts[verdict],
                    vp_access_verdict_name(vp_access_judge(sc)));
}

/* collection.period: absent when the run had none. A label must be the quarter its
 * bounds are (one window, one spelling); without one, any from < to. */
static void read_period(rd_obj *co, vp_collection *col)
{
    rd_path p;
    rd_obj po;
    const char *label = NULL, *from = NULL, *to = NULL;
    if (!cJSON_GetObjectItemCaseSensitive(co->obj, "period")) {
        vpn_rd_member(co, "period"); /* asked for: absence is allowed */
        return;
    }
    if (!vpn_rd_object(co, "period", 0, &p, &po))
        return;
    vpn_rd_str(&po, "label", RD_COPY, &label);
    vpn_rd_str_req(&po, "from", RD_COPY, &from);
    vpn_rd_str_req(&po, "to", RD_COPY, &to);
    if (vpn_rd_close(&po) || !from || !to)
        return;
    vp_period q = {{0}, 0, 0};
    vp_error ignored = {0};
    if (vp_time_parse(from, &q.from) || vp_time_parse(to, &q.to) || q.from >= q.to) {
        vpn_rd_fail(co->c, &p, "to", "'%s' after '%s': expected two RFC 3339 times, from before to", to, from);
        return;
    }
    if (label) {
        vp_period want;
        if (vp_period_quarter(label, "snapshot", &want, &ignored) || want.from != q.from || want.to != q.to) {
            vpn_rd_fail(co->c, &p, "label", "'%s' with from %s and to %s: expected a quarter YYYY-Qn and its bounds",
                        label, from, to);
            return;
        }
        memcpy(q.label, want.label, sizeof q.label);
    }
    col->period = q;
    col->has_period = 1;
    rd_obj jo;
    if (vpn_rd_object(co, "jobs", 0, &p, &jo)) { /* written with every period */
        vpn_rd_int(&jo, "count", 0, LLONG_MAX, 0, &col->job_count);
        vpn_rd_int(&jo, "outside_period", 0, LLONG_MAX, 0, &col->jobs_outside_period);
        const char *file = NULL, *sha = NULL;
        if (!cJSON_GetObjectItemCaseSensitive(jo.obj, "file")) { /* counted, not written */
            vpn_rd_member(&jo, "file");
            vpn_rd_member(&jo, "sha256");
        } else {
            vpn_rd_str_req(&jo, "file", RD_COPY, &file);
            vpn_rd_str_req(&jo, "sha256", RD_COPY, &sha);
        }
        if (file && sha && (strlen(file) >= sizeof col->jobs_file || strlen(sha) != 64))
            vpn_rd_fail(co->c, &p, "jobs", "file of %zu bytes, sha256 of %zu: expected a path below %zu bytes and 64 "
                        "hex digits", strlen(file), strlen(sha), sizeof col->jobs_file);
        else if (file && sha) {
            memcpy(col->jobs_file, file, strlen(file) + 1);
            memcpy(col->jobs_sha256, sha, 65);
        }
        rd_path vp_;
        vpn_rd_int(&jo, "duplicates", 0, LLONG_MAX, 0, &col->jobs_duplicates);
        if (!cJSON_GetObjectItemCaseSensitive(jo.obj, "vaults")) /* a first-slice snapshot: none */
            vpn_rd_member(&jo, "vaults");
        else
            col->job_vaults = read_access_array(&jo, "vaults", sizeof *col->job_vaults, &col->job_vault_count, &vp_,
                                                read_job_vault);
        rd_obj io;
        rd_path ip;
        if (!cJSON_GetObjectItemCaseSensitive(jo.obj, "imported")) { /* nothing imported */
            vpn_rd_member(&jo, "imported");
        } else if (vpn_rd_object(&jo, "imported", 0, &ip, &io)) {
            const char *ifile = NULL, *isha = NULL;
            vpn_rd_str_req(&io, "file", RD_COPY, &ifile);
            vpn_rd_str_req(&io, "sha256", RD_COPY, &isha);
            vpn_rd_int(&io, "rows", 0, LLONG_MAX, 0, &col->jobs_import_rows);
            vpn_rd_int(&io, "jobs", 0, LLONG_MAX, 0, &col->jobs_imported);
            if (ifile && isha && strlen(ifile) < sizeof col->jobs_import_file && strlen(isha) == 64) {
                memcpy(col->jobs_import_file, ifile, strlen(ifile) + 1);
                memcpy(col->jobs_import_sha256, isha, 65);
            } else if (ifile && isha) {
                vpn_rd_fail(co->c, &ip, "file", "of %zu bytes, sha256 of %zu: expected a name below %zu bytes and 64 "
                            "hex digits", strlen(ifile), strlen(isha), sizeof col->jobs_import_file);
            }
            vpn_rd_close(&io);
        }
        vpn_rd_close(&jo);
    }
}

/* collection.access: absent in snapshots written before it existed (recorded stays 0). */
static void read_access(rd_obj *co, vp_access *a)
{
    rd_path p, q;
    rd_obj ao, po;
    if (!cJSON_GetObjectItemCaseSensitive(co->obj, "access")) {
        vpn_rd_member(co, "access"); /* asked for: absence is allowed */
        return;
    }
    if (!vpn_rd_object(co, "access", 0, &p, &ao))
        return;
    a->recorded = 1;
    if (vpn_rd_object(&ao, "principal", 0, &q, &po)) {
        vpn_rd_str(&po, "client_id", RD_COPY, &a->client_id);
        vpn_rd_str(&po, "object_id", RD_COPY, &a->object_id);
        vpn_rd_str(&po, "tenant_id", RD_COPY, &a->tenant_id);
        vpn_rd_str(&po, "credential", RD_COPY, &a->credential);
        vpn_rd_str(&po, "display_name", RD_COPY, &a->display_name);
        vpn_rd_close(&po);
    }
    vpn_rd_bool(&ao, "subscriptions_listed", &a->subscriptions_listed);
    a->subscriptions = read_access_array(&ao, "subscriptions", sizeof *a->subscriptions, &a->subscription_count, &q,
                                         read_access_subscription);
    a->scopes = read_access_array(&ao, "role_assignments", sizeof *a->scopes, &a->scope_count, &q, read_access_scope);
    vpn_rd_close(&ao);
}

static void read_collection(rd_obj *o)
{
    rd_path p;
    rd_obj co;
    vp_collection *col = &o->c->snap->collection;
    long long n = 0;
    if (!vpn_rd_object(o, "collection", 0, &p, &co))
        return;
    read_tool(&co, col);
    int src = vpn_rd_enum(&co, "source", source_kinds, 1);
    col->source_kind = src >= 0 ? source_kinds[src] : NULL;
    vpn_rd_str(&co, "input", RD_COPY, &col->input);
    vpn_rd_str(&co, "generated_at", RD_COPY, &col->generated_at);
    vpn_rd_bool(&co, "clock_pinned", &col->clock_pinned);
    read_period(&co, col);
    vpn_rd_str(&co, "captured_from", RD_COPY, &col->captured_from);
    vpn_rd_str(&co, "captured_to", RD_COPY, &col->captured_to);
    col->endpoints = vpn_rd_string_array(&co, "endpoints", RD_COPY, &col->endpoint_count);
    col->api_versions = vpn_rd_string_array(&co, "api_versions", RD_COPY, &col->api_version_count);
    vpn_rd_str(&co, "principal", RD_COPY, &col->principal);
    vpn_rd_int(&co, "request_count", 0, LLONG_MAX, 0, &col->request_count);
    vpn_rd_int(&co, "retry_count", 0, LLONG_MAX, 0, &col->retry_count);
    vpn_rd_bool(&co, "verified", &col->verified);
    vpn_rd_bool(&co, "complete", &col->complete);
    vpn_rd_int(&co, "ignored_resources", 0, LLONG_MAX, 0, &n);
    col->ignored_resources = n;
    read_access(&co, &col->access);
    read_worm_catalog(&co, col);
    read_counts(&co);
    read_elements(&co, RD_LISTS);
    read_elements(&co, RD_WARNINGS);
    read_elements(&co, RD_FILES);
    vpn_rd_close(&co);
}

/* field_paths is documentation the writer prints from a static table: only its shape
 * (kind -> field -> path) is checked. */
static void read_field_paths(rd_obj *o)
{
    rd_path p;
    rd_obj fp;
    if (!vpn_rd_object(o, "field_paths", 0, &p, &fp))
        return;
    for (const cJSON *kind = fp.obj->child; kind; kind = kind->next) {
        rd_path q = {&p, kind->string, 0};
        if (!cJSON_IsObject(kind)) {
            vpn_rd_fail(o->c, &p, kind->string, "expected an object, found %s", vp_json_type_name(kind));
            return;
        }
        for (const cJSON *f = kind->child; f; f = f->next)
            if (!cJSON_IsString(f)) {
                vpn_rd_fail(o->c, &q, f->string, "expected a string, found %s", vp_json_type_name(f));
                return;
            }
    }
}

/* The format string is checked before anything else: a document of another format
 * is reported as such, not by its first unexpected member. Format 1 is still read. */
static vp_status check_format(rd_obj *o)
{
    static const char expected[] = "\"" VP_SNAPSHOT_FORMAT "\" or \"" VP_SNAPSHOT_FORMAT_1 "\"";
    const cJSON *f = vpn_rd_member(o, "format");
    if (!f)
        return vpn_rd_fail(o->c, NULL, "format", "missing member; expected %s", expected);
    if (!cJSON_IsString(f))
        return vpn_rd_fail(o->c, NULL, "format", "expected %s, found %s", expected, vp_json_type_name(f));
    int format = strcmp(f->valuestring, VP_SNAPSHOT_FORMAT) == 0     ? 2
                 : strcmp(f->valuestring, VP_SNAPSHOT_FORMAT_1) == 0 ? 1
                                                                     : 0;
    if (!format)
        return vpn_rd_fail(o->c, NULL, "format", "'%s'; expected %s", f->valuestring, expected);
    if (format != o->c->format) {
        size_t read = 0;
        for (int k = 0; k < RD_KINDS; k++)
            read += o->c->vec[k].n + o->c->lazy_count[k];
        if (read) { /* the line reader read elements for the other format: again (snapshot_read.c) */
            o->c->format_retry = format;
            return vpn_rd_fail(o->c, NULL, "format", "'%s' is not the format the elements were read for",
                               f->valuestring);
        }
        o->c->format = format;
    }
    return VP_OK;
}

vp_status vpn_rd_document(rd_ctx *c, const cJSON *root)
{
    rd_obj o;
    if (!cJSON_IsObject(root))
        return vpn_rd_fail(c, NULL, NULL, "expected an object, found %s", vp_json_type_name(root));
    vpn_rd_open(&o, c, root, NULL);
    if (check_format(&o))
        return c->status;
    read_collection(&o);
    read_field_paths(&o);
    for (rd_kind k = RD_WORM_SOURCES; k < (c->format >= 2 ? RD_KINDS : RD_FIRST_FORMAT2_KIND); k++)
        if (k != RD_CHANGES || c->snap->collection.has_period) /* absent without a period: an unknown member */
            read_elements(&o, k);
    return vpn_rd_close(&o);
}

/* The counts are derived by the writer; a mismatch means entities were lost or added
 * (a cut or edited file), which no other check would notice. */
vp_status vpn_rd_check_counts(rd_ctx *c)
{
    rd_path col = collection_path, counts = {&col, "counts", 0};
    for (size_t i = 0; i < count_total(c) && !c->status; i++) {
        size_t have = c->vec[count_kinds[i]].n + c->lazy_count[count_kinds[i]];
        if ((unsigned long long)c->counts[i] != have)
            vpn_rd_fail(c, &counts, count_names[i], "%lld; expected %zu, the number of %s in the document",
                    c->counts[i], have, count_names[i]);
    }
    return c->status;
}
