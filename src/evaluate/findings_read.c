/* findings.json read back for the renderers: the header at open, the findings one line
 * at a time (each finding is one line in the canonical layout). A file in any other
 * layout of the same format is parsed whole instead. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/arena.h"
#include "vaultproof/config.h"
#include "vaultproof/fileio.h"
#include "vaultproof/findings_read.h"
#include "vaultproof/json.h"

/* Where each finding line is and what its first bytes say, learnt by the first filtered
 * pass, so that later passes wanting a few findings go from one wanted line to the next
 * without reading the lines between (at 100k items the report and the workbook make seven
 * such passes over 474 MB, and reading is most of what a skipped line costs). Five bytes
 * a line: its length up to the next line and a tag, the status (TAG_UNKNOWN: not in the
 * writer's layout, so always parsed) and the slot of its rule in a table of the first
 * INDEX_SLOTS - 1 rule names seen (slot 0: not in the table, so parsed whenever a pass
 * asks for a rule). */
#define INDEX_SLOTS 32
#define TAG_UNKNOWN 7u
#define TAG(status, slot) ((unsigned char)((unsigned)(status) | (unsigned)(slot) << 3))

typedef struct {
    uint32_t *len;
    unsigned char *tag;
    size_t count, cap;  /* lines indexed, from the first; room for */
    int complete;       /* every line up to the end of the findings is indexed */
    int broken;         /* out of memory or a line over 4 GiB: passes read lines again */
    const char *slot_name[INDEX_SLOTS]; /* into the map; [0] unused */
    size_t slot_len[INDEX_SLOTS];
    int slots;          /* used, counting slot 0 */
} line_index;

struct vp_findings_file {
    char *path;
    vp_mapped_file map;
    vp_arena arena;            /* header strings */
    vp_json_pool *pool;        /* the current finding's tree */
    cJSON *whole;              /* non-canonical layout: the whole document */
    const cJSON *whole_next;
    const char *first, *pos;   /* canonical layout: first finding line, next line */
    size_t index, first_line, line; /* 1-based line numbers of those, for messages */
    size_t released;           /* bytes at the start of the map given back (read already) */
    vp_findings_header header;
    vp_control_record *controls;
    size_t control_count;
    vp_rule_record *rules;
    size_t rule_count;
    vp_finding_record rec;
    const char *citations[64];
    unsigned only;             /* vp_findings_file_rewind_only's status mask, */
    const char *only_rule;     /* and rule; 0 and NULL: every finding */
    size_t only_rule_len;
    line_index own;            /* built by this handle's filtered passes */
    const line_index *ix;      /* &own, or a complete one borrowed (vp_findings_file_share_index) */
    unsigned char slot_wanted[INDEX_SLOTS]; /* per rule slot of ix: the rule is only_rule */
    size_t lines_read;
};

int vp_finding_status_parse(const char *name)
{
    for (int s = 0; name && s < VP_STATUS_COUNT; s++)
        if (!strcmp(vp_finding_status_name((vp_finding_status)s), name))
            return s;
    return -1;
}

/* ---- typed reads with sticky errors ---- */

static const char *str(vp_findings_file *f, vp_jreader *r, const cJSON *o, const char *base, const char *key, int copy)
{
    const char *s = NULL;
    char p[256];
    vp_presence pr = vp_jr_string(r, o, base, key, &s);
    if (pr == VP_ABSENT && r->status == VP_OK)
        vp_jr_fail(r, vp_json_pointer_join(p, sizeof p, base, key), "a string or null", NULL);
    return s && copy ? vpc_arena_strdup(&f->arena, s) : s;
}

/* A config text the report shows, held to the config's limit (docs/config.md, Limits):
 * libharu refuses longer document-info strings. */
static const char *config_text(vp_findings_file *f, vp_jreader *r, const cJSON *o, const char *base, const char *key)
{
    const char *s = str(f, r, o, base, key, 1);
    char p[256];
    if (s && strlen(s) > VP_CONFIG_MAX_NAME && r->status == VP_OK)
        r->status = vp_error_set(r->err, VP_ERR_INPUT,
                                 "%s: %s: %zu bytes; expected at most %d (docs/config.md, Limits)", r->file,
                                 vp_json_pointer_join(p, sizeof p, base, key), strlen(s), VP_CONFIG_MAX_NAME);
    return s;
}

static long long num(vp_jreader *r, const cJSON *o, const char *base, const char *key)
{
    long long v = -1;
    char p[256];
    if (vp_jr_int(r, o, base, key, 0, 1LL << 50, &v) == VP_ABSENT && r->status == VP_OK)
        vp_jr_fail(r, vp_json_pointer_join(p, sizeof p, base, key), "an integer", NULL);
    return v;
}

static int flag(vp_jreader *r, const cJSON *o, const char *base, const char *key)
{
    return vp_jr_req_bool(r, o, base, key);
}

static const cJSON *obj(vp_jreader *r, const cJSON *o, const char *base, const char *key, char *p, size_t size)
{
    vp_json_pointer_join(p, size, base, key);
    return vp_jr_req_object(r, o, base, key);
}

static const cJSON *arr(vp_jreader *r, const cJSON *o, const char *base, const char *key, char *p, size_t size)
{
    vp_json_pointer_join(p, size, base, key);
    return vp_jr_req_array(r, o, base, key);
}

/* An array of strings into the arena (copy) or pointing into the tree. */
static const char **strings(vp_findings_file *f, vp_jreader *r, const cJSON *a, const char *p, size_t *count)
{
    char ip[300];
    int i = 0;
    *count = a ? (size_t)cJSON_GetArraySize(a) : 0;
    const char **out = vpc_arena_alloc(&f->arena, (*count + 1) * sizeof *out);
    for (const cJSON *e = a ? a->child : NULL; e && out; e = e->next, i++) {
        if (!cJSON_IsString(e)) {
            vp_jr_fail(r, vp_json_pointer_index(ip, sizeof ip, p, i), "a string", e);
            return out;
        }
        out[i] = vpc_arena_strdup(&f->arena, e->valuestring);
    }
    return out;
}

static void counts(vp_jreader *r, const cJSON *o, const char *base, size_t out[VP_STATUS_COUNT])
{
    char p[256];
    const cJSON *c = obj(r, o, base, "counts", p, sizeof p);
    for (int s = 0; c && s < VP_STATUS_COUNT; s++)
        out[s] = (size_t)num(r, c, p, vp_finding_status_name((vp_finding_status)s));
}

/* {"snapshots"|"days": N, "of": M[, "unit": "snapshots"|"days"]} (the unit only with a period). */
static void operated(vp_jreader *r, const cJSON *o, const char *base, size_t *ok, size_t *of, int *days)
{
    char p[256];
    const char *unit = NULL;
    const cJSON *e = obj(r, o, base, "operated_effectively", p, sizeof p);
    if (e && vp_jr_string(r, e, p, "unit", &unit) == VP_PRESENT && strcmp(unit, "days") && strcmp(unit, "snapshots"))
        vp_jr_fail(r, p, "a unit \"days\" or \"snapshots\"", cJSON_GetObjectItemCaseSensitive(e, "unit"));
    *days = unit && !strcmp(unit, "days");
    *ok = e ? (size_t)num(r, e, p, *days ? "days" : "snapshots") : 0;
    *of = e ? (size_t)num(r, e, p, "of") : 0;
}

/* ---- header ---- */

static void read_record(vp_findings_file *f, vp_jreader *r, const cJSON *root)
{
    vp_findings_header *h = &f->header;
    char p[64], bp[64];
    const cJSON *o;
    h->generated_at = str(f, r, root, "", "generated_at", 1);
    if ((o = obj(r, root, "", "tool", p, sizeof p))) {
        h->tool_version = str(f, r, o, p, "version", 1);
        h->tool_commit = str(f, r, o, p, "commit", 1);
    }
    if ((o = obj(r, root, "", "catalog", p, sizeof p))) {
        h->catalog_version = str(f, r, o, p, "version", 1);
        h->catalog_sha256 = str(f, r, o, p, "sha256", 1);
    }
    if ((o = obj(r, root, "", "config", p, sizeof p))) {
        h->config_path = str(f, r, o, p, "path", 1);
        h->config_sha256 = str(f, r, o, p, "sha256", 1);
        h->organization = config_text(f, r, o, p, "organization");
        h->report_title = config_text(f, r, o, p, "report_title");
    }
    if ((o = obj(r, root, "", "snapshot", p, sizeof p))) {
        h->snapshot_file = str(f, r, o, p, "file", 1);
        h->snapshot_sha256 = str(f, r, o, p, "sha256", 1);
        h->snapshot_generated_at = str(f, r, o, p, "generated_at", 1);
        h->captured_to = str(f, r, o, p, "captured_to", 1);
        h->as_of = str(f, r, o, p, "as_of", 1);
        h->snapshot_complete = flag(r, o, p, "complete");
        h->snapshot_verified = flag(r, o, p, "verified");
    }
    const cJSON *bs = arr(r, root, "", "baselines", p, sizeof p);
    h->baseline_count = bs ? (size_t)cJSON_GetArraySize(bs) : 0;
    vp_findings_baseline *b = vpc_arena_alloc(&f->arena, (h->baseline_count + 1) * sizeof *b);
    int i = 0;
    for (const cJSON *e = bs ? bs->child : NULL; e && b; e = e->next, i++) {
        vp_json_pointer_index(bp, sizeof bp, "/baselines", i);
        b[i].file = str(f, r, e, bp, "file", 1);
        b[i].sha256 = str(f, r, e, bp, "sha256", 1);
        b[i].generated_at = str(f, r, e, bp, "generated_at", 1);
        b[i].captured_to = str(f, r, e, bp, "captured_to", 1);
    }
    h->baselines = b;
}

/* A selector ({"tags": {key: [values]}, "names": [globs]}) as one line of text. */
static const char *selector_text(vp_findings_file *f, vp_jreader *r, const cJSON *sel, const char *p)
{
    char buf[2048];
    size_t n = 0;
    const cJSON *tags = cJSON_GetObjectItemCaseSensitive(sel, "tags"), *names = cJSON_GetObjectItemCaseSensitive(sel, "names");
    if (!cJSON_IsObject(sel) || !cJSON_IsObject(tags) || !cJSON_IsArray(names)) {
        vp_jr_fail(r, p, "a selector {\"tags\": {...}, \"names\": [...]}", sel);
        return NULL;
    }
    buf[0] = '\0';
    for (const cJSON *t = tags->child; t && n < sizeof buf; t = t->next) {
        n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%s =", n ? "; " : "", t->string);
        int k = 0;
        for (const cJSON *v = t->child; v && n < sizeof buf; v = v->next, k++)
            n += (size_t)snprintf(buf + n, sizeof buf - n, "%s %s", k ? " |" : "", cJSON_IsString(v) ? v->valuestring : "?");
    }
    int k = 0;
    for (const cJSON *v = names->child; v && n < sizeof buf; v = v->next, k++)
        n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%s", k ? ", " : (n ? "; names " : "names "),
                              cJSON_IsString(v) ? v->valuestring : "?");
    return vpc_arena_strdup(&f->arena, n ? buf : "none configured");
}

static void read_parameters(vp_findings_file *f, vp_jreader *r, const cJSON *root)
{
    vp_findings_header *h = &f->header;
    char p[64], ap[96], mp[128];
    const cJSON *o = obj(r, root, "", "parameters", p, sizeof p);
    if (!o)
        return;
    const cJSON *fw = arr(r, o, p, "frameworks", ap, sizeof ap);
    for (const cJSON *e = fw ? fw->child : NULL; e; e = e->next) {
        h->hipaa |= cJSON_IsString(e) && !strcmp(e->valuestring, "hipaa");
        h->sox |= cJSON_IsString(e) && !strcmp(e->valuestring, "sox");
    }
    h->rpo_hours = num(r, o, p, "rpo_hours");
    h->hyper_care_days = num(r, o, p, "hyper_care_days");
    char sp[128];
    vp_json_pointer_join(sp, sizeof sp, p, "critical");
    h->critical = selector_text(f, r, cJSON_GetObjectItemCaseSensitive(o, "critical"), sp);
    const cJSON *classes = obj(r, o, p, "classes", sp, sizeof sp);
    h->class_count = classes ? (size_t)cJSON_GetArraySize(classes) : 0;
    h->class_names = vpc_arena_alloc(&f->arena, (h->class_count + 1) * sizeof *h->class_names);
    h->class_selectors = vpc_arena_alloc(&f->arena, (h->class_count + 1) * sizeof *h->class_selectors);
    size_t ci = 0;
    for (const cJSON *c = classes ? classes->child : NULL; c && h->class_names && h->class_selectors; c = c->next, ci++) {
        char cp[256];
        h->class_names[ci] = vpc_arena_strdup(&f->arena, c->string);
        h->class_selectors[ci] = selector_text(f, r, c, vp_json_pointer_join(cp, sizeof cp, sp, c->string));
    }
    h->exemption_count = num(r, o, p, "exemptions");
    h->decommission_count = num(r, o, p, "decommissioned");
    const cJSON *mins = arr(r, o, p, "retention_minimums", ap, sizeof ap);
    h->minimum_count = mins ? (size_t)cJSON_GetArraySize(mins) : 0;
    vp_findings_minimum *m = vpc_arena_alloc(&f->arena, (h->minimum_count + 1) * sizeof *m);
    int i = 0;
    static const char *const keys[] = {"daily_days", "weekly_weeks", "monthly_months", "yearly_years"};
    for (const cJSON *e = mins ? mins->child : NULL; e && m; e = e->next, i++) {
        long long *slot[] = {&m[i].daily_days, &m[i].weekly_weeks, &m[i].monthly_months, &m[i].yearly_years};
        vp_json_pointer_index(mp, sizeof mp, ap, i);
        m[i].class_name = str(f, r, e, mp, "class", 1);
        m[i].kind = str(f, r, e, mp, "kind", 1);
        for (int k = 0; k < 4; k++) {
            *slot[k] = -1;
            vp_jr_int(r, e, mp, keys[k], 0, 1000000, slot[k]);
        }
    }
    h->minimums = m;
}

static void read_controls_and_rules(vp_findings_file *f, vp_jreader *r, const cJSON *root)
{
    char p[64], ep[96], sub[160];
    const cJSON *cs = arr(r, root, "", "controls", p, sizeof p);
    f->control_count = cs ? (size_t)cJSON_GetArraySize(cs) : 0;
    f->controls = vpc_arena_alloc(&f->arena, (f->control_count + 1) * sizeof *f->controls);
    int i = 0;
    for (const cJSON *e = cs ? cs->child : NULL; e && f->controls; e = e->next, i++) {
        vp_control_record *c = &f->controls[i];
        vp_json_pointer_index(ep, sizeof ep, "/controls", i);
        c->framework = str(f, r, e, ep, "framework", 1);
        c->citation = str(f, r, e, ep, "citation", 1);
        c->title = str(f, r, e, ep, "title", 1);
        c->rules = strings(f, r, arr(r, e, ep, "rules", sub, sizeof sub), sub, &c->rule_count);
        counts(r, e, ep, c->counts);
        c->result = str(f, r, e, ep, "result", 1);
        operated(r, e, ep, &c->operated_ok, &c->operated_of, &c->operated_days);
    }
    const cJSON *rs = arr(r, root, "", "rules", p, sizeof p);
    f->rule_count = rs ? (size_t)cJSON_GetArraySize(rs) : 0;
    f->rules = vpc_arena_alloc(&f->arena, (f->rule_count + 1) * sizeof *f->rules);
    i = 0;
    for (const cJSON *e = rs ? rs->child : NULL; e && f->rules; e = e->next, i++) {
        vp_rule_record *ru = &f->rules[i];
        vp_json_pointer_index(ep, sizeof ep, "/rules", i);
        ru->id = str(f, r, e, ep, "id", 1);
        ru->title = str(f, r, e, ep, "title", 1);
        ru->severity = str(f, r, e, ep, "severity", 1);
        ru->citations = strings(f, r, arr(r, e, ep, "citations", sub, sizeof sub), sub, &ru->citation_count);
        ru->azure_policy = strings(f, r, arr(r, e, ep, "azure_policy", sub, sizeof sub), sub, &ru->azure_policy_count);
        counts(r, e, ep, ru->counts);
        ru->result = str(f, r, e, ep, "result", 1);
        operated(r, e, ep, &ru->operated_ok, &ru->operated_of, &ru->operated_days);
    }
}

static vp_status read_header(vp_findings_file *f, const cJSON *root, vp_error *err)
{
    vp_jreader r = {.file = f->path, .err = err, .status = VP_OK};
    char p[64];
    const char *format = str(f, &r, root, "", "format", 0);
    if (r.status)
        return r.status;
    if (!format || strcmp(format, VP_FINDINGS_FORMAT) != 0)
        return vp_error_set(err, VP_ERR_INPUT, "%s: /format: '%s'; expected \"%s\"", f->path, format ? format : "null",
                            VP_FINDINGS_FORMAT);
    read_record(f, &r, root);
    read_parameters(f, &r, root);
    const cJSON *s = obj(&r, root, "", "summary", p, sizeof p);
    if (s) {
        f->header.finding_count = (size_t)num(&r, s, p, "findings");
        counts(&r, s, p, f->header.counts);
        f->header.result = str(f, &r, s, p, "result", 1);
    }
    read_controls_and_rules(f, &r, root);
    return r.status;
}

/* ---- findings ---- */

static vp_status convert(vp_findings_file *f, const cJSON *e, const char *ptr, vp_error *err)
{
    vp_jreader r = {.file = f->path, .err = err, .status = VP_OK};
    vp_finding_record *x = &f->rec;
    char p[128];
    const cJSON *o, *a;
    memset(x, 0, sizeof *x);
    if (!cJSON_IsObject(e))
        return vp_jr_fail(&r, ptr, "a finding object", e);
    x->rule = str(f, &r, e, ptr, "rule", 0);
    const char *status = str(f, &r, e, ptr, "status", 0);
    x->severity = str(f, &r, e, ptr, "severity", 0);
    if ((o = obj(&r, e, ptr, "resource", p, sizeof p))) {
        x->resource_type = str(f, &r, o, p, "type", 0);
        x->resource_id = str(f, &r, o, p, "id", 0);
        x->resource_name = str(f, &r, o, p, "name", 0);
    }
    x->observed = str(f, &r, e, ptr, "observed", 0);
    x->expected = str(f, &r, e, ptr, "expected", 0);
    x->note = str(f, &r, e, ptr, "note", 0);
    if ((o = obj(&r, e, ptr, "evidence", p, sizeof p))) {
        x->evidence_snapshot = str(f, &r, o, p, "snapshot", 0);
        x->evidence_raw = str(f, &r, o, p, "raw", 0);
    }
    o = NULL;
    if (vp_jr_object(&r, e, ptr, "exemption", &o) == VP_PRESENT) {
        vp_json_pointer_join(p, sizeof p, ptr, "exemption");
        x->exempted = 1;
        x->exemption_index = num(&r, o, p, "index");
        x->exemption_resource = str(f, &r, o, p, "resource", 0);
        x->exemption_reason = str(f, &r, o, p, "reason", 0);
        x->exemption_approver = str(f, &r, o, p, "approver", 0);
        x->exemption_expires = str(f, &r, o, p, "expires", 0);
    }
    if ((a = arr(&r, e, ptr, "citations", p, sizeof p)))
        for (const cJSON *c = a->child; c && x->citation_count < 64; c = c->next)
            if (cJSON_IsString(c))
                f->citations[x->citation_count++] = c->valuestring;
    x->citations = f->citations;
    if (r.status)
        return r.status;
    int s = vp_finding_status_parse(status);
    if (s < 0 || !x->rule || !x->resource_type)
        return vp_error_set(err, VP_ERR_INPUT, "%s: %s: a finding needs a rule, a resource type and a known status "
                            "(found status '%s')", f->path, ptr, status ? status : "null");
    x->status = (vp_finding_status)s;
    return VP_OK;
}

static size_t line_no(const vp_findings_file *f, const char *at)
{
    size_t n = 1;
    for (const char *c = f->map.data; c < at; c++)
        n += *c == '\n';
    return n;
}

/* Findings files reach hundreds of megabytes: pages already read are dropped from the
 * mapping (they come back from the page cache if the caller rewinds), so a renderer's
 * memory does not grow with the file. */
static void release_behind(vp_findings_file *f)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE), done = (size_t)(f->pos - f->map.data) / page * page;
    if (done >= f->released + (2u << 20)) {
        madvise((char *)f->map.data + f->released, done - f->released, MADV_DONTNEED);
        f->released = done;
    }
}

/* The status of a finding line in the writer's layout, which begins
 * {"rule":"RULE","status":"STATUS", - the object's first two members, so they are the
 * finding's own; -1 when the line does not begin so (anything escaped included). *rule
 * and *rule_len are RULE's bytes. */
static int plain_status(const char *line, size_t len, const char **rule, size_t *rule_len)
{
    static const char head[] = "{\"rule\":\"", mid[] = "\",\"status\":\"";
    const char *end = line + len, *p = line + sizeof head - 1;
    if (len < sizeof head - 1 || memcmp(line, head, sizeof head - 1))
        return -1;
    while (p < end && *p != '"' && *p != '\\')
        p++;
    *rule = line + sizeof head - 1;
    *rule_len = (size_t)(p - *rule);
    if ((size_t)(end - p) < sizeof mid - 1 || memcmp(p, mid, sizeof mid - 1))
        return -1;
    const char *word = p + sizeof mid - 1, *q = word;
    while (q < end && ((*q >= 'a' && *q <= 'z') || *q == '-'))
        q++;
    char name[24];
    if (q == end || *q != '"' || (size_t)(q - word) >= sizeof name)
        return -1;
    memcpy(name, word, (size_t)(q - word));
    name[q - word] = '\0';
    return vp_finding_status_parse(name);
}

static int filtering(const vp_findings_file *f)
{
    return f->only || f->only_rule;
}

/* Whether a finding of this status and rule is one vp_findings_file_rewind_only asked for. */
static int wanted(const vp_findings_file *f, int status, const char *rule, size_t rule_len)
{
    return (f->only >> status & 1u) ||
           (f->only_rule && f->only_rule_len == rule_len && !memcmp(f->only_rule, rule, rule_len));
}

/* The same question of line i of the index, which knows its status and rule's slot. */
static int index_wants(const vp_findings_file *f, size_t i)
{
    unsigned tag = f->ix->tag[i], status = tag & 7u, slot = tag >> 3;
    if (status == TAG_UNKNOWN || (f->only >> status & 1u))
        return 1;
    return f->only_rule && (slot == 0 || f->slot_wanted[slot]);
}

/* A rule name's slot, added while there is room (0 when there is none). Findings come
 * grouped by rule, so the newest slot is tried first. */
static unsigned rule_slot(line_index *ix, const char *rule, size_t len)
{
    for (int i = ix->slots - 1; i >= 1; i--)
        if (ix->slot_len[i] == len && !memcmp(ix->slot_name[i], rule, len))
            return (unsigned)i;
    if (ix->slots >= INDEX_SLOTS)
        return 0;
    ix->slot_name[ix->slots] = rule;
    ix->slot_len[ix->slots] = len;
    return (unsigned)ix->slots++;
}

static void index_break(line_index *ix)
{
    free(ix->len);
    free(ix->tag);
    ix->len = NULL;
    ix->tag = NULL;
    ix->count = ix->cap = 0;
    ix->broken = 1;
}

/* Records the line at f->pos (next: where the one after it starts) when this pass is at
 * the end of what its own index knows. plain: the line's status as its first bytes say
 * it, -1 when they do not (then rule is not known either). */
static void index_line(vp_findings_file *f, const char *next, int plain, const char *rule, size_t rule_len)
{
    line_index *ix = &f->own;
    size_t len = (size_t)(next - f->pos);
    if (f->ix != ix || ix->complete || ix->broken || f->index != ix->count)
        return;
    if (len > UINT32_MAX) {
        index_break(ix);
        return;
    }
    if (ix->count == ix->cap) {
        /* the header's count, when the file could hold that many lines, so that a large
         * index is allocated once and exactly */
        size_t hint = f->header.finding_count + 1, cap = ix->cap ? ix->cap * 2 : hint;
        if (!ix->cap && (hint < 1024 || hint > f->map.len / 16))
            cap = 1024;
        uint32_t *l = realloc(ix->len, cap * sizeof *l);
        if (l)
            ix->len = l;
        unsigned char *t = l ? realloc(ix->tag, cap) : NULL;
        if (!t) {
            index_break(ix);
            return;
        }
        ix->tag = t;
        ix->cap = cap;
    }
    ix->len[ix->count] = (uint32_t)len;
    ix->tag[ix->count++] = plain < 0 ? TAG(TAG_UNKNOWN, 0) : TAG(plain, rule_slot(ix, rule, rule_len));
}

/* Past the current line (nl its end, or NULL for the map's end). */
static void step(vp_findings_file *f, const char *nl, const char *end)
{
    f->pos = nl ? nl + 1 : end;
    f->index++;
    release_behind(f);
}

/* Past the lines the index knows this pass does not want. */
static void skip_indexed(vp_findings_file *f)
{
    const line_index *ix = f->ix;
    size_t i = f->index;
    const char *p = f->pos;
    while (i < ix->count && !index_wants(f, i))
        p += ix->len[i++];
    f->line += i - f->index;
    f->index = i;
    f->pos = p;
    release_behind(f);
}

static vp_status next_any(vp_findings_file *f, const vp_finding_record **rec, vp_error *err);

vp_status vp_findings_file_next(vp_findings_file *f, const vp_finding_record **rec, vp_error *err)
{
    for (;;) {
        vp_status st = next_any(f, rec, err);
        if (st || !*rec || !filtering(f) || wanted(f, (int)(*rec)->status, (*rec)->rule, strlen((*rec)->rule)))
            return st;
    }
}

static vp_status next_any(vp_findings_file *f, const vp_finding_record **rec, vp_error *err)
{
    char ptr[64], label[4200];
    *rec = NULL;
    if (f->whole) {
        if (!f->whole_next)
            return VP_OK;
        vp_json_pointer_index(ptr, sizeof ptr, "/findings", (int)f->index);
        vp_status st = convert(f, f->whole_next, ptr, err);
        f->whole_next = f->whole_next->next;
        f->index++;
        if (!st)
            *rec = &f->rec;
        return st;
    }
    const char *end = f->map.data + f->map.len;
    for (;;) {
        if (filtering(f) && f->index < f->ix->count)
            skip_indexed(f);
        const char *nl = memchr(f->pos, '\n', (size_t)(end - f->pos));
        const char *line = f->pos, *stop = nl ? nl : end, *rule = NULL;
        size_t rule_len = 0;
        f->lines_read++;
        while (line < stop && *line == ' ')
            line++;
        if (line < stop && *line == ']') { /* the end of the findings array */
            if (filtering(f) && f->ix == &f->own && f->index == f->own.count && !f->own.broken)
                f->own.complete = 1;
            return VP_OK;
        }
        size_t len = (size_t)(stop - line);
        if (len && line[len - 1] == ',')
            len--;
        int plain = filtering(f) ? plain_status(line, len, &rule, &rule_len) : -1;
        if (filtering(f))
            index_line(f, nl ? nl + 1 : end, plain, rule, rule_len);
        if (plain >= 0 && !wanted(f, plain, rule, rule_len)) {
            /* not wanted, as its first bytes say: this pass does not parse it (the
             * passes that read every finding do) */
            f->line++;
            step(f, nl, end);
            continue;
        }
        cJSON *tree = NULL;
        vp_json_pointer_index(ptr, sizeof ptr, "/findings", (int)f->index);
        snprintf(label, sizeof label, "%s:%zu", f->path, f->line++);
        vp_json_pool_reset(f->pool);
        vp_status st = vp_json_parse_pooled(label, line, len, f->pool, &tree, err);
        if (!st)
            st = convert(f, tree, ptr, err);
        step(f, nl, end);
        if (!st)
            *rec = &f->rec;
        return st;
    }
}

void vp_findings_file_rewind_only(vp_findings_file *f, unsigned status_mask, const char *rule)
{
    vp_findings_file_rewind(f);
    f->only = status_mask;
    f->only_rule = rule;
    f->only_rule_len = rule ? strlen(rule) : 0;
    for (int i = 1; i < f->ix->slots; i++)
        f->slot_wanted[i] = rule && f->ix->slot_len[i] == f->only_rule_len &&
                            !memcmp(f->ix->slot_name[i], rule, f->only_rule_len);
}

int vp_findings_file_share_index(vp_findings_file *to, const vp_findings_file *from)
{
    const line_index *ix = from->ix;
    if (to == from || !ix->complete || ix->broken || to->whole || from->whole || to->map.len != from->map.len ||
        to->first - to->map.data != from->first - from->map.data ||
        to->header.finding_count != from->header.finding_count || ix->count != from->header.finding_count)
        return 0;
    free(to->own.len);
    free(to->own.tag);
    memset(&to->own, 0, sizeof to->own);
    to->own.slots = 1;
    to->ix = ix;
    vp_findings_file_rewind(to);
    return 1;
}

size_t vp_findings_file_lines_read(const vp_findings_file *f)
{
    return f->lines_read;
}

void vp_findings_file_rewind(vp_findings_file *f)
{
    f->only = 0;
    f->only_rule = NULL;
    f->index = 0;
    f->lines_read = 0;
    f->pos = f->first;
    f->line = f->first_line;
    f->released = 0;
    if (f->whole) {
        const cJSON *fs = cJSON_GetObjectItemCaseSensitive(f->whole, "findings");
        f->whole_next = fs ? fs->child : NULL;
    }
}

/* Canonical layout: the header ends with a line `  "findings": [` and each finding is one
 * line after it. Returns the header's end (the position of that member), or NULL. */
static const char *findings_member(const vp_findings_file *f)
{
    static const char marker[] = "\n  \"findings\": [\n";
    const char *d = f->map.data;
    for (size_t i = 0; i + sizeof marker - 1 <= f->map.len; i++)
        if (d[i] == '\n' && !memcmp(d + i, marker, sizeof marker - 1))
            return d + i + 1;
    return NULL;
}

vp_status vp_findings_file_open(const char *path, vp_findings_file **out, vp_error *err)
{
    vp_status st;
    cJSON *root = NULL;
    *out = NULL;
    vp_findings_file *f = calloc(1, sizeof *f);
    if (!f || !(f->path = strdup(path)) || !(f->pool = vp_json_pool_new())) {
        vp_findings_file_close(f);
        return vp_error_set(err, VP_ERR_NOMEM, "out of memory");
    }
    f->own.slots = 1;
    f->ix = &f->own;
    if ((st = vp_map_file(path, VP_INPUT_OWN, &f->map, err)))
        goto fail;
    const char *member = f->map.data ? findings_member(f) : NULL;
    if (member) {
        /* the header alone, closed off with an empty findings array */
        size_t hlen = (size_t)(member - f->map.data);
        char *text = malloc(hlen + 32);
        if (!text) {
            st = vp_error_set(err, VP_ERR_NOMEM, "out of memory");
            goto fail;
        }
        memcpy(text, f->map.data, hlen);
        memcpy(text + hlen, "\"findings\": []}", 16);
        st = vp_json_parse(path, text, hlen + 15, &root, err);
        free(text);
        f->first = member + strlen("  \"findings\": [\n");
        f->first_line = line_no(f, f->first);
    } else {
        st = vp_json_parse(path, f->map.data ? f->map.data : "", f->map.len, &root, err);
        f->whole = root;
    }
    if (st || (st = read_header(f, root, err)))
        goto fail;
    if (!f->whole)
        cJSON_Delete(root);
    else if (!cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(root, "findings"))) {
        st = vp_error_set(err, VP_ERR_INPUT, "%s: /findings: expected an array", path);
        goto fail;
    }
    vp_findings_file_rewind(f);
    *out = f;
    return VP_OK;
fail:
    if (root && root != f->whole)
        cJSON_Delete(root);
    vp_findings_file_close(f);
    return st;
}

const vp_findings_header *vp_findings_file_header(const vp_findings_file *f) { return &f->header; }

const vp_control_record *vp_findings_file_controls(const vp_findings_file *f, size_t *count)
{
    *count = f->control_count;
    return f->controls;
}

const vp_rule_record *vp_findings_file_rules(const vp_findings_file *f, size_t *count)
{
    *count = f->rule_count;
    return f->rules;
}

void vp_findings_file_close(vp_findings_file *f)
{
    if (!f)
        return;
    cJSON_Delete(f->whole);
    free(f->own.len);
    free(f->own.tag);
    vp_json_pool_free(f->pool);
    vp_unmap_file(&f->map);
    vpc_arena_free(&f->arena);
    free(f->path);
    free(f);
}
