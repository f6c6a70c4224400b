/* NIST OSCAL 1.1.2 assessment-results (JSON) for GRC tools (docs/findings-format.md,
 * "OSCAL").
 *
 * One observation per rule of the catalog (an automated test, method TEST) whose
 * subjects are the resources it tested, each subject carrying its own result (and, when
 * it did not pass, what was observed and expected); one OSCAL finding per control
 * objective (a HIPAA or SOX citation of an enabled framework, rolled up as in
 * findings_write.c); back-matter resources carrying the SHA-256 of the snapshot,
 * findings.json, the control catalog (the implicit assessment plan) and the config.
 * Until vaultproof 17 there was one observation per finding: the same facts in about
 * six times the bytes.
 *
 * Same input, same bytes: every UUID is a version-5 UUID of a stable name, scoped by
 * the hashes of what was evaluated - except a subject's, which names the resource
 * alone, so that a GRC tool can follow one resource from one assessment to the next.
 * The document is streamed: findings are made again one at a time (vp_findings_each)
 * and forgotten, and a finding's related observations are re-derived from rule ids. */
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "evaluate/internal.h"
#include "vaultproof/jsonw.h"
#include "vaultproof/version.h"

#define OSCAL_VERSION "1.1.2"
#define OSCAL_NS "https://vaultproof.example/ns/oscal" /* for property names OSCAL does not define */
#define MEDIA_JSON "application/json"

/* uuid5(NAMESPACE_URL, OSCAL_NS) = 94fc23f0-edea-57fe-b29f-59a00f0f72b6, the namespace
 * of every UUID written here. Changing it changes every UUID of every document. */
static const unsigned char uuid_namespace[16] = {0x94, 0xfc, 0x23, 0xf0, 0xed, 0xea, 0x57, 0xfe,
                                                 0xb2, 0x9f, 0x59, 0xa0, 0x0f, 0x0f, 0x72, 0xb6};

/* Growable strings (core's buffer), reused for every observation so nothing is
 * allocated per finding. */
typedef vpc_buf text;

typedef char uuid_text[37];

typedef struct {
    vp_jsonw w;
    const vp_findings *f;
    const vp_rule *rules;
    size_t nrules;
    size_t (*rule_counts)[VP_STATUS_COUNT]; /* per rule, computed once */
    unsigned char *cited;                   /* per rule: cites the citation being written */
    EVP_MD *sha1;
    EVP_MD_CTX *scope, *ctx; /* SHA-1 state after namespace + document scope; copied per UUID */
    EVP_MD_CTX *unscoped;    /* SHA-1 state after the namespace alone: subjects' UUIDs */
    const vp_rule *open_rule; /* the rule whose observation is being written, or NULL */
    text title, body, href, name;
    int nomem, crypto;
    char as_of[32], start[32], end[32], now[32]; /* start/end: the result's time frame */
    uuid_text snapshot_res, catalog_res;
    char snapshot_ref[40], catalog_ref[40]; /* "#uuid": references to those back-matter resources */
} oscal;

static const char *nz(const char *s)
{
    return s ? s : "";
}

static int t_reserve(oscal *o, text *t, size_t more)
{
    if (vpc_buf_reserve(t, more) == 0)
        return 0;
    o->nomem = 1;
    return -1;
}

static void t_clear(text *t)
{
    vpc_buf_clear(t);
}

static void t_addn(oscal *o, text *t, const char *s, size_t n)
{
    if (vpc_buf_add(t, s, n))
        o->nomem = 1;
}

static void t_fmt(oscal *o, text *t, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void t_fmt(oscal *o, text *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (vpc_buf_vprintf(t, fmt, ap) && t->nomem)
        o->nomem = 1;
    va_end(ap);
}

/* The text written for a key; after an allocation failure the run is failing anyway. */
static const char *t_str(const text *t)
{
    return t->s && t->len ? t->s : "-";
}

/* Percent-encodes everything but RFC 3986 unreserved characters and '/', so file names
 * and JSON pointers become valid URI references (':' too: a relative path's first
 * segment must not look like a scheme). */
static void t_uri(oscal *o, text *t, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        int keep = (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
                   strchr("-._~/", *p);
        char enc[3] = {'%', hex[*p >> 4], hex[*p & 15]};
        if (keep)
            t_addn(o, t, (const char *)p, 1);
        else
            t_addn(o, t, enc, 3);
    }
}

/* Length of the white space (ECMAScript \s) or line terminator starting at p, or 0. */
static size_t space_len(const unsigned char *p)
{
    if (*p == ' ' || (*p >= '\t' && *p <= '\r'))
        return 1;
    if (p[0] == 0xC2 && p[1] == 0xA0)
        return 2;
    if ((p[0] == 0xE1 && p[1] == 0x9A && p[2] == 0x80) || (p[0] == 0xE2 && p[1] == 0x81 && p[2] == 0x9F) ||
        (p[0] == 0xE3 && p[1] == 0x80 && p[2] == 0x80) || (p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF))
        return 3;
    if (p[0] == 0xE2 && p[1] == 0x80 &&
        ((p[2] >= 0x80 && p[2] <= 0x8A) || p[2] == 0xA8 || p[2] == 0xA9 || p[2] == 0xAF))
        return 3;
    return 0;
}

/* OSCAL's StringDatatype, ^\S(.*\S)?$: non-empty, not padded, one line. Property values
 * and versions must match it; free text (titles, descriptions) need not. */
static int oscal_string(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = 0;
    if (!p || !*p || space_len(p))
        return 0;
    for (; *p; p += n ? n : 1) {
        if (*p > ' ' && *p < 0x7F) { /* visible ASCII, the common case */
            n = 0;
            continue;
        }
        n = space_len(p);
        if (*p == '\n' || *p == '\r' || (n == 3 && p[0] == 0xE2 && (p[2] == 0xA8 || p[2] == 0xA9)))
            return 0;
    }
    return n == 0;
}

/* RFC 4122 section 4.3, version 5: SHA-1 over namespace, scope (the document's, or
 * none) and name. */
static const char *uuid_in(oscal *o, EVP_MD_CTX *scope, uuid_text out, const char *name)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char md[EVP_MAX_MD_SIZE] = {0};
    unsigned int n = 0;
    if (!EVP_MD_CTX_copy_ex(o->ctx, scope) || !EVP_DigestUpdate(o->ctx, name, strlen(name)) ||
        !EVP_DigestFinal_ex(o->ctx, md, &n) || n < 16)
        o->crypto = 1;
    md[6] = (unsigned char)((md[6] & 0x0f) | 0x50);
    md[8] = (unsigned char)((md[8] & 0x3f) | 0x80);
    char *q = out;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            *q++ = '-';
        *q++ = hex[md[i] >> 4];
        *q++ = hex[md[i] & 15];
    }
    *q = '\0';
    return out;
}

static const char *uuid_of(oscal *o, uuid_text out, const char *name)
{
    return uuid_in(o, o->scope, out, name);
}

static const char *uuid_fmt(oscal *o, uuid_text out, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static const char *uuid_fmt(oscal *o, uuid_text out, const char *fmt, ...)
{
    va_list ap;
    char small[256];
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n >= 0 && (size_t)n < sizeof small)
        return uuid_of(o, out, small);
    t_clear(&o->name);
    va_start(ap, fmt);
    if (n > 0 && !t_reserve(o, &o->name, (size_t)n)) {
        vsnprintf(o->name.s, (size_t)n + 1, fmt, ap);
        o->name.len = (size_t)n;
    }
    va_end(ap);
    return uuid_of(o, out, t_str(&o->name));
}

/* A subject: the resource by type and id, the same in every document (no scope). */
static const char *uuid_fmt_unscoped(oscal *o, uuid_text out, const char *type, const char *id)
{
    t_clear(&o->name);
    t_fmt(o, &o->name, "resource/%s/%s", nz(type), nz(id));
    return uuid_in(o, o->unscoped, out, t_str(&o->name));
}

/* The observation of a rule: one per rule and document. */
static const char *observation_uuid(oscal *o, const vp_rule *r, uuid_text out)
{
    return uuid_fmt(o, out, "observation/%s", r->id);
}

/* What the UUIDs are scoped by: the inputs' hashes, so another snapshot, catalog,
 * config or baseline set gives other UUIDs, and a re-run of the same one the same. */
static vp_status start_uuids(oscal *o, const char *label, vp_error *err)
{
    const vp_findings *f = o->f;
    text *t = &o->name;
    t_clear(t);
    t_fmt(o, t, "vaultproof-oscal/1\nsnapshot %s\ncatalog %s\nconfig %s\n",
          f->current.sha256 ? f->current.sha256 : nz(f->current.label), nz(vp_catalog_sha256(f->catalog)),
          nz(vp_config_sha256(f->config)));
    for (size_t b = 0; b < f->baseline_count; b++)
        t_fmt(o, t, "baseline %s\n", f->baselines[b]->sha256 ? f->baselines[b]->sha256 : nz(f->baselines[b]->label));
    if (o->nomem)
        return vp_error_set(err, VP_ERR_NOMEM, "%s: out of memory", label);
    o->sha1 = EVP_MD_fetch(NULL, "SHA1", NULL);
    o->scope = EVP_MD_CTX_new();
    o->unscoped = EVP_MD_CTX_new();
    o->ctx = EVP_MD_CTX_new();
    if (!o->sha1 || !o->scope || !o->unscoped || !o->ctx || !EVP_DigestInit_ex(o->unscoped, o->sha1, NULL) ||
        !EVP_DigestUpdate(o->unscoped, uuid_namespace, sizeof uuid_namespace) ||
        !EVP_MD_CTX_copy_ex(o->scope, o->unscoped) || !EVP_DigestUpdate(o->scope, t->s, t->len))
        return vp_error_set(err, VP_ERR_CRYPTO, "%s: SHA-1 (for the OSCAL UUIDs) is not available from OpenSSL", label);
    return VP_OK;
}

/* An RFC 3339 UTC time from text, or from fallback when the text is missing or bad. */
static void utc_time(const char *textual, long long fallback, char out[32])
{
    long long t;
    if (vp_time_parse(textual, &t))
        t = fallback;
    vp_time_format(t, out, 32);
}

static int rule_cites(const vp_rule *r, const vp_citation *c)
{
    for (size_t k = 0; k < r->citation_count; k++)
        if (r->citations[k] == c)
            return 1;
    return 0;
}

/* Control and objective ids are tokens (^(\p{L}|_)(\p{L}|\p{N}|[.\-_])*$): framework
 * and citation with every other run of characters made one '_', e.g.
 * "164.308(a)(7)(ii)(A)" -> "hipaa_164.308_a_7_ii_A". */
static const char *citation_token(oscal *o, const char *framework, const char *citation)
{
    text *t = &o->name;
    t_clear(t);
    if (!((*framework >= 'A' && *framework <= 'Z') || (*framework >= 'a' && *framework <= 'z')))
        t_addn(o, t, "_", 1);
    for (int part = 0; part < 2; part++) {
        const unsigned char *p = (const unsigned char *)(part ? citation : framework);
        if (part && t->len && t->s[t->len - 1] != '_')
            t_addn(o, t, "_", 1);
        for (; *p; p++) {
            int keep = (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
                       *p == '.' || *p == '-';
            if (keep)
                t_addn(o, t, (const char *)p, 1);
            else if (t->len && t->s[t->len - 1] != '_')
                t_addn(o, t, "_", 1);
        }
    }
    while (t->len > 1 && t->s[t->len - 1] == '_')
        t->s[--t->len] = '\0';
    return t_str(t);
}

/* A property in vaultproof's namespace. Values OSCAL would reject (empty, padded,
 * multi-line) are left out: the same text is in the description. Each props array
 * starts with a property whose value vaultproof controls, so none is empty. */
static void w_prop(oscal *o, const char *name, const char *value)
{
    if (!oscal_string(value))
        return;
    vp_jw_object(&o->w, VP_JW_COMPACT);
    vp_jw_kstring(&o->w, "name", name);
    vp_jw_kstring(&o->w, "ns", OSCAL_NS);
    vp_jw_kstring(&o->w, "value", value);
    vp_jw_end(&o->w);
}

static void w_prop_count(oscal *o, const char *name, size_t n)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%zu", n);
    w_prop(o, name, buf);
}

static void w_one_string_array(vp_jsonw *w, const char *key, const char *value)
{
    vp_jw_key(w, key);
    vp_jw_array(w, VP_JW_COMPACT);
    vp_jw_string(w, value);
    vp_jw_end(w);
}

static void counts_text(oscal *o, text *t, const size_t c[VP_STATUS_COUNT])
{
    t_fmt(o, t, "%zu pass, %zu warn, %zu fail, %zu incomplete, %zu exempt, %zu not applicable", c[VP_PASS], c[VP_WARN],
          c[VP_FAIL], c[VP_INCOMPLETE], c[VP_EXEMPT], c[VP_NOT_APPLICABLE]);
}

static void write_metadata(oscal *o)
{
    const vp_findings *f = o->f;
    const char *org = vp_config_organization(f->config), *report = vp_config_report_title(f->config);
    const char *version = vp_catalog_version(f->catalog);
    vp_jsonw *w = &o->w;
    uuid_text party;
    t_clear(&o->title);
    t_fmt(o, &o->title, "%s", report && *report ? report : "Azure Backup compliance evidence");
    if (org && *org)
        t_fmt(o, &o->title, " \xe2\x80\x94 %s", org);
    vp_jw_key(w, "metadata");
    vp_jw_object(w, VP_JW_PRETTY);
    vp_jw_kstring(w, "title", t_str(&o->title));
    vp_jw_kstring(w, "last-modified", o->now);
    vp_jw_kstring(w, "version", oscal_string(version) ? version : "unversioned");
    vp_jw_kstring(w, "oscal-version", OSCAL_VERSION);
    vp_jw_key(w, "props");
    vp_jw_array(w, VP_JW_PRETTY);
    w_prop(o, "tool", "vaultproof");
    w_prop(o, "tool-version", vp_version());
    w_prop(o, "tool-commit", vp_commit());
    w_prop(o, "control-catalog-version", version);
    w_prop(o, "clock", f->clock.pinned ? "pinned" : "system");
    vp_jw_end(w);
    if (oscal_string(org)) {
        vp_jw_key(w, "parties");
        vp_jw_array(w, VP_JW_PRETTY);
        vp_jw_object(w, VP_JW_COMPACT);
        vp_jw_kstring(w, "uuid", uuid_of(o, party, "party/organization"));
        vp_jw_kstring(w, "type", "organization");
        vp_jw_kstring(w, "name", org);
        vp_jw_end(w);
        vp_jw_end(w);
    }
    t_clear(&o->body);
    t_fmt(o, &o->body,
          "Written by vaultproof %s (commit %s). Each observation is one rule of the vaultproof control catalog %s "
          "applied by automated test (method TEST) to every resource in its scope: its subjects are those "
          "resources, each with its own result in the property 'result' (and, unless it passed, what was "
          "observed and expected in its remarks). Each finding is one HIPAA or SOX citation, not satisfied when "
          "a test of one of its rules failed or rests on evidence that was not completely collected. The "
          "snapshot, findings.json (every test with its evidence pointers), catalog and configuration are "
          "back-matter resources with their SHA-256.",
          vp_version(), vp_commit(), nz(version));
    vp_jw_kstring(w, "remarks", t_str(&o->body));
    vp_jw_end(w);
}

static void write_import_ap(oscal *o)
{
    vp_jsonw *w = &o->w;
    vp_jw_key(w, "import-ap");
    vp_jw_object(w, VP_JW_PRETTY);
    vp_jw_kstring(w, "href", o->catalog_ref);
    vp_jw_kstring(w, "remarks",
                  "There is no separate OSCAL assessment plan: the plan is the vaultproof control catalog (the "
                  "back-matter resource referenced), every rule of it applied by automated test to every in-scope "
                  "resource of the snapshot with the parameters of the configuration.");
    vp_jw_end(w);
}

/* The citations the findings cover, in catalog order; calls fn for each. */
typedef void (*citation_fn)(oscal *o, const vp_framework *fw, const vp_citation *c);

static size_t for_each_citation(oscal *o, citation_fn fn)
{
    size_t nfw, n = 0;
    const vp_framework *fws = vp_catalog_frameworks(o->f->catalog, &nfw);
    for (size_t fi = 0; fi < nfw; fi++) {
        if (!vpe_framework_enabled(o->f, fws[fi].id))
            continue;
        for (size_t ci = 0; ci < fws[fi].citation_count; ci++, n++)
            if (fn)
                fn(o, &fws[fi], &fws[fi].citations[ci]);
    }
    return n;
}

static void write_control_id(oscal *o, const vp_framework *fw, const vp_citation *c)
{
    vp_jw_object(&o->w, VP_JW_COMPACT);
    vp_jw_kstring(&o->w, "control-id", citation_token(o, fw->id, c->id));
    vp_jw_end(&o->w);
}

static void write_reviewed_controls(oscal *o)
{
    vp_jsonw *w = &o->w;
    vp_jw_key(w, "reviewed-controls");
    vp_jw_object(w, VP_JW_PRETTY);
    vp_jw_key(w, "control-selections");
    vp_jw_array(w, VP_JW_PRETTY);
    vp_jw_object(w, VP_JW_PRETTY);
    if (for_each_citation(o, NULL)) {
        vp_jw_kstring(w, "description",
                      "The citations of the enabled frameworks (HIPAA Security Rule, SOX) to which the vaultproof "
                      "control catalog maps its rules; each control id is the framework and the citation as a token.");
        vp_jw_key(w, "include-controls");
        vp_jw_array(w, VP_JW_PRETTY);
        for_each_citation(o, write_control_id);
        vp_jw_end(w);
    } else {
        vp_jw_kstring(w, "description", "No framework is enabled: the catalog's rules were tested without citations.");
        vp_jw_key(w, "include-all");
        vp_jw_object(w, VP_JW_COMPACT);
        vp_jw_end(w);
    }
    vp_jw_end(w);
    vp_jw_end(w);
    vp_jw_end(w);
}

/* What a subject's remarks say when it did not pass: the same facts as findings.json's
 * observed, expected, note and exemption. */
static void subject_remarks(oscal *o, const vp_finding *x)
{
    t_clear(&o->body);
    t_fmt(o, &o->body, "Observed: %s. Expected: %s.", x->observed ? x->observed : "not reported",
          x->expected ? x->expected : "not stated");
    if (x->note && *x->note)
        t_fmt(o, &o->body, " Note: %s.", x->note);
    if (x->exemption)
        t_fmt(o, &o->body, " Exemption %zu, approved by %s until %s: %s.", x->exemption->index,
              nz(x->exemption->approver), nz(x->exemption->expires), nz(x->exemption->reason));
}

/* Starts rule r's observation, up to its subjects. */
static void open_observation(oscal *o, const vp_rule *r)
{
    vp_jsonw *w = &o->w;
    size_t counts[VP_STATUS_COUNT], n = 0;
    uuid_text id;
    vp_findings_count(o->f, r, counts);
    for (int s = 0; s < VP_STATUS_COUNT; s++)
        n += counts[s];
    vp_jw_object(w, VP_JW_PRETTY);
    vp_jw_kstring(w, "uuid", observation_uuid(o, r, id));
    t_clear(&o->title);
    t_fmt(o, &o->title, "%s: %s", r->id, nz(r->title));
    vp_jw_kstring(w, "title", t_str(&o->title));
    t_clear(&o->body);
    t_fmt(o, &o->body, "%s (severity %s), tested on %zu resource%s: ", nz(r->title), vp_severity_name(r->severity), n,
          n == 1 ? "" : "s");
    counts_text(o, &o->body, counts);
    t_fmt(o, &o->body, ". Result: %s. Each subject is one resource tested, its result in the property 'result'.",
          vp_result_of(counts));
    vp_jw_kstring(w, "description", t_str(&o->body));
    vp_jw_key(w, "props");
    vp_jw_array(w, VP_JW_COMPACT);
    w_prop(o, "rule", r->id);
    w_prop(o, "severity", vp_severity_name(r->severity));
    w_prop(o, "result", vp_result_of(counts));
    w_prop_count(o, "tests", n);
    vp_jw_end(w);
    w_one_string_array(w, "methods", "TEST");
    w_one_string_array(w, "types", "finding");
    vp_jw_key(w, "subjects");
    vp_jw_array(w, VP_JW_PRETTY);
    o->open_rule = r;
}

/* Ends the open observation: its evidence is the snapshot (each finding's JSON pointer
 * is in findings.json) and the findings file. */
static void close_observation(oscal *o)
{
    vp_jsonw *w = &o->w;
    if (!o->open_rule)
        return;
    vp_jw_end(w);
    vp_jw_key(w, "relevant-evidence");
    vp_jw_array(w, VP_JW_COMPACT);
    vp_jw_object(w, VP_JW_COMPACT);
    vp_jw_kstring(w, "href", o->snapshot_ref);
    vp_jw_kstring(w, "description", "Snapshot: the values tested; findings.json gives each test's JSON pointer into "
                                    "it and the raw ARM response it was read from");
    vp_jw_end(w);
    vp_jw_end(w);
    vp_jw_kstring(w, "collected", o->as_of);
    vp_jw_end(w);
    o->open_rule = NULL;
}

/* One test as a subject of its rule's observation. Findings come rule by rule, in the
 * catalog's order, so a new rule closes the observation before it. */
static vp_status write_subject(void *ctx, const vp_finding *x, vp_error *err)
{
    oscal *o = ctx;
    vp_jsonw *w = &o->w;
    uuid_text id;
    (void)err; /* the writer's and the buffers' failures are reported at the end */
    if (o->open_rule != x->rule) {
        close_observation(o);
        open_observation(o, x->rule);
    }
    vp_jw_object(w, VP_JW_COMPACT);
    vp_jw_kstring(w, "subject-uuid", uuid_fmt_unscoped(o, id, x->resource_type, x->resource_id));
    vp_jw_kstring(w, "type", "inventory-item");
    t_clear(&o->title);
    t_fmt(o, &o->title, "%s %s", nz(x->resource_type),
          x->resource_name && *x->resource_name ? x->resource_name : nz(x->resource_id));
    vp_jw_kstring(w, "title", t_str(&o->title));
    vp_jw_key(w, "props");
    vp_jw_array(w, VP_JW_COMPACT);
    w_prop(o, "result", vp_finding_status_name(x->status));
    w_prop(o, "resource-id", x->resource_id);
    vp_jw_end(w);
    if (x->status != VP_PASS && x->status != VP_NOT_APPLICABLE) {
        subject_remarks(o, x);
        vp_jw_kstring(w, "remarks", t_str(&o->body));
    }
    vp_jw_end(w);
    return VP_OK;
}

static vp_status write_observations(oscal *o, vp_error *err)
{
    if (!vp_findings_total(o->f))
        return VP_OK; /* OSCAL arrays have at least one member */
    vp_jw_key(&o->w, "observations");
    vp_jw_array(&o->w, VP_JW_PRETTY);
    vp_status st = vp_findings_each(o->f, write_subject, o, err);
    close_observation(o);
    vp_jw_end(&o->w);
    return st;
}

/* Passing and not-applicable tests support no conclusion an auditor must follow up. */
static int needs_attention(vp_finding_status s)
{
    return s == VP_FAIL || s == VP_INCOMPLETE || s == VP_WARN || s == VP_EXEMPT;
}

/* The observations of the cited rules (o->cited) with a test to follow up. */
static void write_related(oscal *o)
{
    vp_jsonw *w = &o->w;
    int listed = 0;
    uuid_text id;
    for (size_t r = 0; r < o->nrules; r++) {
        int attention = 0;
        for (int s = 0; s < VP_STATUS_COUNT; s++)
            attention |= needs_attention((vp_finding_status)s) && o->rule_counts[r][s];
        if (!attention || !o->cited[r])
            continue;
        if (!listed++) {
            vp_jw_key(w, "related-observations");
            vp_jw_array(w, VP_JW_COMPACT);
        }
        vp_jw_object(w, VP_JW_COMPACT);
        vp_jw_kstring(w, "observation-uuid", observation_uuid(o, &o->rules[r], id));
        vp_jw_end(w);
    }
    if (listed)
        vp_jw_end(w);
}

/* The roll-up of one citation over the rules citing it, as findings.json's controls. */
/* The control's counts, and on how many snapshots - or days of the period - it operated
 * (vp_findings_operated_control: the one definition findings.json uses too). */
static void citation_rollup(oscal *o, const vp_citation *c, size_t total[VP_STATUS_COUNT], size_t *ok, size_t *of,
                            int *days)
{
    memset(total, 0, VP_STATUS_COUNT * sizeof *total);
    for (size_t r = 0; r < o->nrules; r++) {
        o->cited[r] = (unsigned char)rule_cites(&o->rules[r], c);
        for (int s = 0; o->cited[r] && s < VP_STATUS_COUNT; s++)
            total[s] += o->rule_counts[r][s];
    }
    vp_findings_operated_control(o->f, c, ok, of, days);
}

static void finding_text(oscal *o, const vp_framework *fw, const vp_citation *c, const size_t total[VP_STATUS_COUNT],
                         size_t ok, size_t of, int days)
{
    t_clear(&o->title);
    t_fmt(o, &o->title, "%s: %s", c->id, nz(c->title));
    t_clear(&o->body);
    t_fmt(o, &o->body, "%s, %s: %s", nz(fw->title), c->id, nz(c->text));
    size_t n = 0;
    for (size_t r = 0; r < o->nrules; r++)
        if (o->cited[r])
            t_fmt(o, &o->body, "%s %s", n++ ? "," : " Rules:", o->rules[r].id);
    t_fmt(o, &o->body, "%s Tests: ", n ? "." : " No rule of the catalog tests it.");
    counts_text(o, &o->body, total);
    if (days && !of)
        t_fmt(o, &o->body, ". Result: %s. Not tested: no evidence in the period.", vp_result_of(total));
    else
        t_fmt(o, &o->body, ". Result: %s. Operated effectively on %zu of %zu %s.", vp_result_of(total), ok, of,
              days ? "days of the period" : "snapshots");
}

/* satisfied unless a test failed or rests on incomplete evidence (then "other": the
 * objective could not be judged); not-applicable is satisfied for want of a subject. */
static void write_status(oscal *o, const size_t total[VP_STATUS_COUNT])
{
    vp_jsonw *w = &o->w;
    int satisfied = !total[VP_FAIL] && !total[VP_INCOMPLETE];
    const char *reason = total[VP_FAIL]                                          ? "fail"
                         : total[VP_INCOMPLETE]                                  ? "other"
                         : total[VP_PASS] || total[VP_WARN] || total[VP_EXEMPT] ? "pass"
                                                                                 : "other";
    vp_jw_key(w, "status");
    vp_jw_object(w, VP_JW_COMPACT);
    vp_jw_kstring(w, "state", satisfied ? "satisfied" : "not-satisfied");
    vp_jw_kstring(w, "reason", reason);
    t_clear(&o->body);
    t_fmt(o, &o->body, "vaultproof result: %s (", vp_result_of(total));
    counts_text(o, &o->body, total);
    t_fmt(o, &o->body, ")");
    vp_jw_kstring(w, "remarks", t_str(&o->body));
    vp_jw_end(w);
}

static void write_finding(oscal *o, const vp_framework *fw, const vp_citation *c)
{
    vp_jsonw *w = &o->w;
    size_t total[VP_STATUS_COUNT], ok, of;
    int days;
    uuid_text id;
    char operated[64];
    citation_rollup(o, c, total, &ok, &of, &days);
    vp_jw_object(w, VP_JW_COMPACT);
    vp_jw_kstring(w, "uuid", uuid_fmt(o, id, "finding/%s/%s", fw->id, c->id));
    finding_text(o, fw, c, total, ok, of, days);
    vp_jw_kstring(w, "title", t_str(&o->title));
    vp_jw_kstring(w, "description", t_str(&o->body));
    vp_jw_key(w, "props");
    vp_jw_array(w, VP_JW_COMPACT);
    w_prop(o, "framework", fw->id);
    w_prop(o, "citation", c->id);
    w_prop(o, "result", vp_result_of(total));
    if (days && !of)
        snprintf(operated, sizeof operated, "not tested");
    else
        snprintf(operated, sizeof operated, "%zu of %zu%s", ok, of, days ? " days" : "");
    w_prop(o, "operated-effectively", operated);
    vp_jw_end(w);
    vp_jw_key(w, "target");
    vp_jw_object(w, VP_JW_COMPACT);
    vp_jw_kstring(w, "type", "objective-id");
    vp_jw_kstring(w, "target-id", citation_token(o, fw->id, c->id));
    write_status(o, total);
    vp_jw_end(w);
    write_related(o);
    vp_jw_end(w);
}

static void write_findings(oscal *o)
{
    if (!for_each_citation(o, NULL))
        return;
    vp_jw_key(&o->w, "findings");
    vp_jw_array(&o->w, VP_JW_PRETTY);
    for_each_citation(o, write_finding);
    vp_jw_end(&o->w);
}

static void result_text(oscal *o, const size_t counts[VP_STATUS_COUNT])
{
    const vp_findings *f = o->f;
    t_clear(&o->title);
    t_fmt(o, &o->title, "vaultproof evaluation of %s", nz(f->current.label));
    t_clear(&o->body);
    t_fmt(o, &o->body, "Automated tests of the snapshot %s, captured %s, against the vaultproof control catalog %s",
          nz(f->current.label), o->as_of, nz(vp_catalog_version(f->catalog)));
    if (f->baseline_count)
        t_fmt(o, &o->body, ", with %zu earlier snapshot%s for drift", f->baseline_count,
              f->baseline_count == 1 ? " as a baseline" : "s as baselines");
    t_fmt(o, &o->body, ": %zu tests (", vp_findings_total(f));
    counts_text(o, &o->body, counts);
    t_fmt(o, &o->body, "); overall result %s.", vp_result_of(counts));
}

static vp_status write_result(oscal *o, vp_error *err)
{
    vp_jsonw *w = &o->w;
    size_t counts[VP_STATUS_COUNT];
    uuid_text id;
    vp_findings_count(o->f, NULL, counts);
    vp_jw_key(w, "results");
    vp_jw_array(w, VP_JW_PRETTY);
    vp_jw_object(w, VP_JW_PRETTY);
    vp_jw_kstring(w, "uuid", uuid_of(o, id, "result"));
    result_text(o, counts);
    vp_jw_kstring(w, "title", t_str(&o->title));
    vp_jw_kstring(w, "description", t_str(&o->body));
    vp_jw_kstring(w, "start", o->start);
    vp_jw_kstring(w, "end", o->end);
    vp_jw_key(w, "props");
    vp_jw_array(w, VP_JW_PRETTY);
    w_prop(o, "result", vp_result_of(counts));
    w_prop_count(o, "tests", vp_findings_total(o->f));
    for (int s = 0; s < VP_STATUS_COUNT; s++)
        w_prop_count(o, vp_finding_status_name((vp_finding_status)s), counts[s]);
    vp_jw_end(w);
    write_reviewed_controls(o);
    vp_status st = write_observations(o, err);
    write_findings(o);
    vp_jw_end(w);
    vp_jw_end(w);
    return st;
}

typedef struct {
    const char *role;   /* property value: snapshot, findings, assessment-plan, config, baseline */
    const char *href;   /* NULL: no link */
    const char *sha256; /* NULL: no hash */
} resource_link;

/* One back-matter resource; o->title and o->body hold its title and description. */
static void write_resource(oscal *o, const char *uuid, const resource_link *l)
{
    vp_jsonw *w = &o->w;
    vp_jw_object(w, VP_JW_PRETTY);
    vp_jw_kstring(w, "uuid", uuid);
    vp_jw_kstring(w, "title", t_str(&o->title));
    vp_jw_kstring(w, "description", t_str(&o->body));
    vp_jw_key(w, "props");
    vp_jw_array(w, VP_JW_COMPACT);
    w_prop(o, "role", l->role);
    vp_jw_end(w);
    if (l->href && *l->href) {
        vp_jw_key(w, "rlinks");
        vp_jw_array(w, VP_JW_COMPACT);
        vp_jw_object(w, VP_JW_COMPACT);
        vp_jw_kstring(w, "href", l->href);
        vp_jw_kstring(w, "media-type", MEDIA_JSON);
        if (oscal_string(l->sha256)) {
            vp_jw_key(w, "hashes");
            vp_jw_array(w, VP_JW_COMPACT);
            vp_jw_object(w, VP_JW_COMPACT);
            vp_jw_kstring(w, "algorithm", "SHA-256");
            vp_jw_kstring(w, "value", l->sha256);
            vp_jw_end(w);
            vp_jw_end(w);
        }
        vp_jw_end(w);
        vp_jw_end(w);
    }
    vp_jw_end(w);
}

/* A file by name: its path as a relative URI reference. */
static const char *file_href(oscal *o, const char *path)
{
    t_clear(&o->href);
    t_uri(o, &o->href, nz(path));
    return o->href.len ? o->href.s : NULL;
}

/* Content known only by its hash (findings.json, whose name the writer is not told; the
 * built-in catalog): an RFC 6920 "nih" URI naming it by SHA-256. */
static const char *hash_href(oscal *o, const char *sha256)
{
    if (!oscal_string(sha256))
        return NULL;
    t_clear(&o->href);
    t_fmt(o, &o->href, "nih:sha-256;%s", sha256);
    return t_str(&o->href);
}

static void write_snapshot_resources(oscal *o)
{
    const vp_findings *f = o->f;
    const vp_collection *c = &f->current.snapshot->collection;
    uuid_text id;
    t_clear(&o->title);
    t_fmt(o, &o->title, "Snapshot %s", nz(f->current.label));
    t_clear(&o->body);
    t_fmt(o, &o->body,
          "The vaultproof snapshot (canonical JSON) every observation was made on: captured %s, collection %s, "
          "completeness %s.",
          o->as_of, c->complete ? "complete" : "incomplete",
          c->verified ? "verified from capture records" : "not verified");
    write_resource(o, o->snapshot_res,
                   &(resource_link){"snapshot", file_href(o, f->current.label), f->current.sha256});
    for (size_t b = 0; b < f->baseline_count; b++) {
        const vp_snapshot_ref *r = f->baselines[b];
        t_clear(&o->title);
        t_fmt(o, &o->title, "Baseline snapshot %s", nz(r->label));
        t_clear(&o->body);
        t_fmt(o, &o->body, "An earlier snapshot of the period, compared for drift: generated %s.",
              nz(r->snapshot->collection.generated_at));
        write_resource(o, uuid_fmt(o, id, "resource/baseline/%zu", b),
                       &(resource_link){"baseline", file_href(o, r->label), r->sha256});
    }
}

static void write_run_resources(oscal *o, const char *findings_sha256)
{
    const vp_findings *f = o->f;
    const char *version = nz(vp_catalog_version(f->catalog)), *catalog_sha = vp_catalog_sha256(f->catalog);
    uuid_text id;
    t_clear(&o->title);
    t_fmt(o, &o->title, "vaultproof findings (%s)", VP_FINDINGS_FORMAT);
    t_clear(&o->body);
    t_fmt(o, &o->body, "findings.json written by the same run: the same %zu findings with HIPAA and SOX roll-ups%s.",
          vp_findings_total(f), findings_sha256 ? "" : " (written to standard output: not hashed)");
    write_resource(o, uuid_of(o, id, "resource/findings"),
                   &(resource_link){"findings", hash_href(o, findings_sha256), findings_sha256});
    t_clear(&o->title);
    t_fmt(o, &o->title, "vaultproof control catalog %s (assessment plan)", version);
    t_clear(&o->body);
    t_fmt(o, &o->body,
          "The assessment method: the rules of the vaultproof control catalog %s (SHA-256 %s), each applied by "
          "automated test to every in-scope resource, with their HIPAA and SOX citations.",
          version, nz(catalog_sha));
    write_resource(o, o->catalog_res, &(resource_link){"assessment-plan", hash_href(o, catalog_sha), catalog_sha});
    t_clear(&o->title);
    t_fmt(o, &o->title, "Configuration %s", nz(vp_config_name(f->config)));
    t_clear(&o->body);
    t_fmt(o, &o->body, "vaultproof.json: scope, classes, retention minimums, RPO, exemptions, rule parameters.");
    write_resource(o, uuid_of(o, id, "resource/config"),
                   &(resource_link){"config", file_href(o, vp_config_name(f->config)), vp_config_sha256(f->config)});
}

static void write_back_matter(oscal *o, const char *findings_sha256)
{
    vp_jw_key(&o->w, "back-matter");
    vp_jw_object(&o->w, VP_JW_PRETTY);
    vp_jw_key(&o->w, "resources");
    vp_jw_array(&o->w, VP_JW_PRETTY);
    write_snapshot_resources(o);
    write_run_resources(o, findings_sha256);
    vp_jw_end(&o->w);
    vp_jw_end(&o->w);
}

static vp_status prepare(oscal *o, const vp_findings *f, const char *label, vp_error *err)
{
    const vp_collection *c = &f->current.snapshot->collection;
    o->f = f;
    o->rules = vp_catalog_rules(f->catalog, &o->nrules);
    o->rule_counts = calloc(o->nrules + 1, sizeof *o->rule_counts);
    o->cited = calloc(o->nrules + 1, 1);
    if (!o->rule_counts || !o->cited)
        return vp_error_set(err, VP_ERR_NOMEM, "%s: out of memory", label);
    for (size_t r = 0; r < o->nrules; r++)
        vp_findings_count(f, &o->rules[r], o->rule_counts[r]);
    utc_time(o->f->as_of_text, f->as_of >= 0 ? f->as_of : f->clock.epoch, o->as_of);
    utc_time(c->captured_from, f->as_of >= 0 ? f->as_of : f->clock.epoch, o->start);
    if (strcmp(o->start, o->as_of) > 0) /* same format: text order is time order */
        memcpy(o->start, o->as_of, sizeof o->start);
    memcpy(o->end, o->as_of, sizeof o->end);
    if (c->has_period) { /* the assessment covers the evidence period, not the capture's seconds */
        vp_time_format(c->period.from, o->start, sizeof o->start);
        vp_time_format(c->period.to, o->end, sizeof o->end);
    }
    vp_time_format(f->clock.epoch, o->now, sizeof o->now);
    vp_status st = start_uuids(o, label, err);
    if (!st) {
        snprintf(o->snapshot_ref, sizeof o->snapshot_ref, "#%s", uuid_of(o, o->snapshot_res, "resource/snapshot"));
        snprintf(o->catalog_ref, sizeof o->catalog_ref, "#%s", uuid_of(o, o->catalog_res, "resource/catalog"));
    }
    return st;
}

static void release(oscal *o)
{
    free(o->rule_counts);
    free(o->cited);
    vpc_buf_free(&o->title);
    vpc_buf_free(&o->body);
    vpc_buf_free(&o->href);
    vpc_buf_free(&o->name);
    EVP_MD_CTX_free(o->scope);
    EVP_MD_CTX_free(o->unscoped);
    EVP_MD_CTX_free(o->ctx);
    EVP_MD_free(o->sha1);
}

static vp_status given_hash(void *ctx, const char **sha256, vp_error *err)
{
    (void)err;
    *sha256 = ctx;
    return VP_OK;
}

vp_status vp_findings_write_oscal(const vp_findings *f, const char *findings_sha256, FILE *fp, const char *label,
                                  vp_error *err)
{
    return vp_findings_write_oscal_awaiting(f, given_hash, (void *)findings_sha256, fp, label, err);
}

vp_status vp_findings_write_oscal_awaiting(const vp_findings *f, vp_oscal_findings_hash hash, void *hash_ctx, FILE *fp,
                                           const char *label, vp_error *err)
{
    oscal *o = calloc(1, sizeof *o); /* holds the writer's 64 KiB buffer */
    uuid_text id;
    const char *findings_sha256 = NULL;
    if (!o)
        return vp_error_set(err, VP_ERR_NOMEM, "%s: out of memory", label);
    vp_status st = prepare(o, f, label, err);
    if (!st) {
        vp_jw_init(&o->w, fp);
        vp_jw_object(&o->w, VP_JW_PRETTY);
        vp_jw_key(&o->w, "assessment-results");
        vp_jw_object(&o->w, VP_JW_PRETTY);
        vp_jw_kstring(&o->w, "uuid", uuid_of(o, id, "assessment-results"));
        write_metadata(o);
        write_import_ap(o);
        st = write_result(o, err);
        /* the findings file's hash is cited here only, in the last part: asked for now */
        if (!st)
            st = hash(hash_ctx, &findings_sha256, err);
        if (!st)
            write_back_matter(o, findings_sha256);
        vp_jw_end(&o->w);
        vp_jw_end(&o->w);
        vp_error ignored;
        vp_status wst = vp_jw_finish(&o->w, label, st ? &ignored : err);
        st = st ? st : wst;
    }
    if (!st && o->nomem)
        st = vp_error_set(err, VP_ERR_NOMEM, "%s: out of memory", label);
    if (!st && o->crypto)
        st = vp_error_set(err, VP_ERR_CRYPTO, "%s: SHA-1 failed while deriving OSCAL UUIDs", label);
    release(o);
    free(o);
    return st;
}
