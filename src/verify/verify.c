/* vp_verify_bundle: the checks of a bundle's README.txt, made by the tool.
 *
 * The bundle is read once, as a stream: every file is hashed on the way and only the
 * few whose content is checked further (manifest, signatures, SHA256SUMS, the report)
 * are kept in memory. Nothing is extracted, so nothing in a bundle can reach the disk. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vaultproof/archive.h"
#include "vaultproof/clock.h"
#include "vaultproof/cms.h"
#include "vaultproof/fileio.h"
#include "vaultproof/json.h"
#include "vaultproof/ledger.h"
#include "vaultproof/pack.h"
#include "vaultproof/pdfsign.h"
#include "vaultproof/seal.h"
#include "vaultproof/tsa.h"
#include "vaultproof/verify.h"

/* One file of the bundle as the single streaming pass saw it. */
typedef struct {
    char *rel; /* below the top folder */
    unsigned long long size;
    char sha[65];
    char *data; /* content of the few files checked further (kept()), else NULL */
    size_t len;
} bfile;

/* One file manifest.json lists, once its signature verified. */
typedef struct {
    const char *path, *sha; /* inside the parsed manifest */
    unsigned long long size;
    int seen;
} decl;

typedef struct {
    vp_verify_report *rep;
    const char *trust;
    char top[VP_ARCHIVE_MAX_NAME + 1]; /* the one top folder */
    bfile *files;                      /* every file below it, in archive order (sorted after the scan) */
    size_t file_count, file_cap;
    unsigned long long early;          /* entries read before manifest.json was authenticated */
    int authentic;                     /* manifest.json's signature verified (the signer may be untrusted) */
    int stopped;                       /* an integrity check failed: nothing more is read or checked */
    char **early_dirs;                 /* directories read before that, checked once it is */
    size_t early_dir_count;
    cJSON *manifest;
    decl *decls;                       /* manifest.json's files, sorted by path */
    size_t decl_count;
    vp_archive_form form;
    char signer_issuer[512], signer_serial[80]; /* manifest.json.p7s's signer, once it verified */
} verify_state;

static const char *const check_names[VP_CHECK_COUNT] = {
    "archive", "manifest", "files", "sha256sums", "sums-signature", "signature", "trust", "pdf-signature",
    "timestamp", "clock", "seal", "ledger"};

/* Written after manifest.json, so it cannot list them (SHA256SUMS lists the first two
 * since SHA256SUMS.p7s exists: check_sums). */
static int after_manifest(const char *rel)
{
    return !strcmp(rel, VP_BUNDLE_MANIFEST) || !strcmp(rel, VP_BUNDLE_SIGNATURE) || !strcmp(rel, VP_BUNDLE_SUMS) ||
           !strcmp(rel, VP_BUNDLE_TSR) || !strcmp(rel, VP_BUNDLE_SUMS_SIGNATURE);
}

const char *vp_verify_check_name(vp_verify_check c)
{
    return (unsigned)c < VP_CHECK_COUNT ? check_names[c] : "?";
}

static void __attribute__((format(printf, 3, 0))) vfail(verify_state *v, vp_verify_check c, const char *fmt,
                                                        va_list ap)
{
    vp_verify_report *r = v->rep;
    r->state[c] = VP_CHECK_FAILED;
    if (r->problem_count == VP_VERIFY_MAX_PROBLEMS)
        r->problems_dropped++;
    else
        vsnprintf(r->problems[r->problem_count++], sizeof r->problems[0], fmt, ap);
}

static void __attribute__((format(printf, 3, 4))) fail(verify_state *v, vp_verify_check c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfail(v, c, fmt, ap);
    va_end(ap);
}

/* An integrity failure: recorded, and the scan (or the checks after it) stop here, so
 * nothing more of a bundle already known to be wrong is inflated, kept or parsed.
 * VP_ERR_CHECK, which stops vp_archive_scan. */
static vp_status __attribute__((format(printf, 3, 4))) stop(verify_state *v, vp_verify_check c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfail(v, c, fmt, ap);
    va_end(ap);
    v->stopped = 1;
    return VP_ERR_CHECK;
}

static void pass_unless_failed(verify_state *v, vp_verify_check c)
{
    if (v->rep->state[c] != VP_CHECK_FAILED)
        v->rep->state[c] = VP_CHECK_PASSED;
}

static int find_file(const verify_state *v, const char *rel)
{
    size_t lo = 0, hi = v->file_count;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(v->files[mid].rel, rel);
        if (!c)
            return (int)mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

/* Files still in archive order (during the scan): the last one of that name. */
static bfile *seen_file(verify_state *v, const char *rel)
{
    for (size_t i = v->file_count; i-- > 0;)
        if (!strcmp(v->files[i].rel, rel))
            return &v->files[i];
    return NULL;
}

/* A kept file's content (NUL-terminated, owned by v; check_sums cuts SHA256SUMS into
 * lines in place, nothing reads it after). -1 when absent. */
static int kept(const verify_state *v, const char *rel, char **data, size_t *len)
{
    int at = find_file(v, rel);
    *data = at < 0 ? NULL : v->files[at].data;
    *len = at < 0 ? 0 : v->files[at].len;
    return *data ? 0 : -1;
}

/* The files whose content later checks need, and the most of each verify holds in
 * memory: every other file is only hashed, and sizes are checked against the signed
 * manifest before anything is inflated. */
static const struct {
    const char *rel;
    unsigned long long max;
    int signed_size; /* only read once the manifest verified (and declares its size) */
} kept_files[] = {
    {VP_BUNDLE_MANIFEST, VP_VERIFY_MAX_MANIFEST, 0},
    {VP_BUNDLE_SUMS, VP_VERIFY_MAX_MANIFEST, 0},
    {VP_BUNDLE_SIGNATURE, VP_VERIFY_MAX_SIGNATURE, 0},
    {VP_BUNDLE_TSR, VP_VERIFY_MAX_SIGNATURE, 0},
    {VP_BUNDLE_SUMS_SIGNATURE, VP_VERIFY_MAX_SIGNATURE, 0},
    {VP_BUNDLE_REPORT_PDF, VP_VERIFY_MAX_PDF, 1},
    {"seal/" VP_SEAL_DOC, VP_SEAL_MAX_DOC, 1},
    {"seal/" VP_SEAL_SIG, VP_SEAL_MAX_SIG, 1},
    {"seal/" VP_SEAL_TSR, VP_SEAL_MAX_SIG, 1},
};

/* name below the top folder ("" for the folder itself), or NULL when not below it. */
static const char *below_top(const verify_state *v, const char *name)
{
    size_t n = strlen(v->top);
    if (strncmp(name, v->top, n))
        return NULL;
    return name[n] == '\0' ? name + n : name[n] == '/' ? name + n + 1 : NULL;
}

static int cmp_decl_path(const void *key, const void *d)
{
    return strcmp(key, ((const decl *)d)->path);
}

static decl *find_decl(const verify_state *v, const char *rel)
{
    return v->decls ? bsearch(rel, v->decls, v->decl_count, sizeof *v->decls, cmp_decl_path) : NULL;
}

/* Whether manifest.json lists a file below dir. pack creates the folders of the layout
 * (vaultproof/pack.h) whatever goes in them (raw/ stays empty after a live collection
 * that recorded nothing), and no other directory without a file, so any other one was
 * added. */
static int dir_listed(const verify_state *v, const char *dir)
{
    static const char *const layout[] = {"certs", "config", "data", "raw", "report"};
    size_t n = strlen(dir), lo = 0, hi = v->decl_count;
    for (size_t i = 0; i < sizeof layout / sizeof layout[0]; i++)
        if (!strcmp(dir, layout[i]))
            return 1;
    while (lo < hi) { /* the first path not below dir's name */
        size_t mid = (lo + hi) / 2;
        if (strncmp(v->decls[mid].path, dir, n) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (; lo < v->decl_count && !strncmp(v->decls[lo].path, dir, n); lo++)
        if (v->decls[lo].path[n] == '/')
            return 1;
    return 0;
}

/* Not an integrity failure (nothing signed changed), so the checks go on. */
static void check_dir(verify_state *v, const char *dir)
{
    if (!dir_listed(v, dir))
        fail(v, VP_CHECK_ARCHIVE, "archive: directory %s holds no file manifest.json lists; pack writes none such",
             dir);
}

/* Every header, before its content is inflated: once the manifest is authentic, a file
 * must be one it lists, with the size it declares. */
static vp_status head_fn(const vp_archive_entry *e, int *keep, void *ctx, vp_error *err)
{
    verify_state *v = ctx;
    if (!v->top[0]) { /* every entry must be below one top folder: the first names it */
        const char *slash = strchr(e->name, '/');
        size_t n = slash ? (size_t)(slash - e->name) : strlen(e->name);
        snprintf(v->top, sizeof v->top, "%.*s", (int)n, e->name);
    }
    const char *rel = below_top(v, e->name);
    if (!rel || (!*rel && e->kind == VP_ARCHIVE_FILE))
        return stop(v, VP_CHECK_ARCHIVE, "archive: expected every file below one top folder");
    if (!v->authentic && ++v->early > VP_VERIFY_MAX_EARLY)
        return stop(v, VP_CHECK_ARCHIVE, "archive: more than %d entries before %s and its signature",
                    VP_VERIFY_MAX_EARLY, VP_BUNDLE_MANIFEST);
    if (rel && *rel && e->kind == VP_ARCHIVE_DIR) {
        if (v->authentic) {
            check_dir(v, rel);
            return VP_OK;
        }
        char **d = realloc(v->early_dirs, (v->early_dir_count + 1) * sizeof *d);
        if (!d || !(d[v->early_dir_count] = strdup(rel))) {
            if (d)
                v->early_dirs = d;
            return vp_error_set(err, VP_ERR_NOMEM, "out of memory");
        }
        v->early_dirs = d;
        v->early_dir_count++;
    }
    if (!rel || e->kind == VP_ARCHIVE_DIR)
        return VP_OK;
    for (size_t i = 0; i < sizeof kept_files / sizeof kept_files[0]; i++)
        if (!strcmp(rel, kept_files[i].rel)) {
            if (e->size > kept_files[i].max)
                return stop(v, VP_CHECK_ARCHIVE, "%s: %llu bytes, more than the %llu verify reads", rel, e->size,
                            kept_files[i].max);
            if (kept_files[i].signed_size && !v->authentic)
                return stop(v, VP_CHECK_ARCHIVE, "%s: comes before %s and its signature", rel, VP_BUNDLE_MANIFEST);
            *keep = 1;
        }
    if (!v->authentic || after_manifest(rel))
        return VP_OK;
    const decl *d = find_decl(v, rel);
    if (!d)
        return stop(v, VP_CHECK_FILES, "%s: in the bundle but not listed in manifest.json", rel);
    if (d->size != e->size)
        return stop(v, VP_CHECK_FILES, "%s: %llu bytes in the archive, manifest.json lists %llu", rel, e->size, d->size);
    return VP_OK;
}

/* A file already hashed against its manifest entry. */
static vp_status match_decl(verify_state *v, const bfile *f)
{
    decl *d = find_decl(v, f->rel);
    if (after_manifest(f->rel))
        return VP_OK;
    if (!d)
        return stop(v, VP_CHECK_FILES, "%s: in the bundle but not listed in manifest.json", f->rel);
    if (d->seen++)
        return stop(v, VP_CHECK_FILES, "%s: twice in the bundle", f->rel);
    if (d->size != f->size)
        return stop(v, VP_CHECK_FILES, "%s: size differs from manifest.json", f->rel);
    if (strcmp(d->sha, f->sha))
        return stop(v, VP_CHECK_FILES, "%s: SHA-256 differs from manifest.json", f->rel);
    return VP_OK;
}

static void note(verify_state *v, const char *text)
{
    if (v->rep->note_count < VP_VERIFY_MAX_NOTES)
        snprintf(v->rep->notes[v->rep->note_count++], sizeof v->rep->notes[0], "%s", text);
}

/* Printable ASCII only: what verify prints from a manifest must not be able to add a line
 * of its own ("bundle: VERIFIED") to the output. */
static int printable(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
            return 0;
    return 1;
}

/* "signer_key" {kind, ref}: which kind of key signed. Absent in bundles made before it
 * was recorded (noted); malformed fails the manifest check. */
static void read_signer_key(verify_state *v, const cJSON *m)
{
    const cJSON *k = cJSON_GetObjectItemCaseSensitive(m, "signer_key");
    const cJSON *kind = cJSON_GetObjectItemCaseSensitive(k, "kind");
    const cJSON *ref = cJSON_GetObjectItemCaseSensitive(k, "ref");
    if (!k) {
        note(v, "manifest.json has no \"signer_key\" member (a bundle made before the kind of signing key was "
                "recorded): which kind of key signed it is not stated");
        return;
    }
    if (!cJSON_IsObject(k) || !cJSON_IsString(kind) || !kind->valuestring[0] || !printable(kind->valuestring) ||
        (ref && !cJSON_IsNull(ref) && (!cJSON_IsString(ref) || !printable(ref->valuestring)))) {
        fail(v, VP_CHECK_MANIFEST, "manifest.json: /signer_key: expected {\"kind\": \"file\" | \"pkcs11\" | "
             "\"key-vault\", \"ref\": printable text or null}");
        return;
    }
    /* an unknown kind is kept verbatim and printed as written, never taken for another */
    snprintf(v->rep->signer_key_kind, sizeof v->rep->signer_key_kind, "%s", kind->valuestring);
    snprintf(v->rep->signer_key_ref, sizeof v->rep->signer_key_ref, "%s", cJSON_IsString(ref) ? ref->valuestring : "");
}

/* "archive_container" (pack --archive-url): where the bundle was uploaded and the
 * container's immutability policy pack read before signing, printed as recorded. */
static void archive_meta(vp_verify_report *r, const cJSON *a)
{
    const cJSON *url = cJSON_GetObjectItemCaseSensitive(a, "url");
    const cJSON *imm = cJSON_GetObjectItemCaseSensitive(a, "immutability");
    const cJSON *state = cJSON_GetObjectItemCaseSensitive(imm, "state");
    const cJSON *days = cJSON_GetObjectItemCaseSensitive(imm, "days");
    const cJSON *at = cJSON_GetObjectItemCaseSensitive(a, "checked_at");
    const cJSON *warning = cJSON_GetObjectItemCaseSensitive(a, "warning");
    if (!cJSON_IsString(url) || !printable(url->valuestring) || (cJSON_IsString(state) && !printable(state->valuestring)) ||
        (cJSON_IsString(at) && !printable(at->valuestring)))
        return;
    snprintf(r->archive_container, sizeof r->archive_container, "%s: immutability %s, %lld days (checked at %s)",
             url->valuestring, cJSON_IsString(state) ? state->valuestring : "unknown",
             cJSON_IsNumber(days) ? (long long)days->valuedouble : 0LL,
             cJSON_IsString(at) ? at->valuestring : "unknown");
    if (cJSON_IsString(warning) && printable(warning->valuestring) && r->warning_count < VP_VERIFY_MAX_WARNINGS)
        snprintf(r->warnings[r->warning_count++], sizeof r->warnings[0], "archive: %s", warning->valuestring);
}

static void read_meta(verify_state *v, const cJSON *m)
{
    const cJSON *result = cJSON_GetObjectItemCaseSensitive(m, "result");
    const cJSON *period = cJSON_GetObjectItemCaseSensitive(m, "period");
    if (cJSON_IsString(result))
        snprintf(v->rep->manifest_result, sizeof v->rep->manifest_result, "%s", result->valuestring);
    if (cJSON_IsString(period))
        snprintf(v->rep->manifest_period, sizeof v->rep->manifest_period, "%s", period->valuestring);
    v->rep->timestamped = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(m, "timestamped"));
    const cJSON *failing = cJSON_GetObjectItemCaseSensitive(m, "failing_findings");
    v->rep->manifest_failing = cJSON_IsNumber(failing) && failing->valuedouble >= 0 ? (long long)failing->valuedouble : -1;
    const cJSON *pinned = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(m, "clock"), "pinned");
    v->rep->clock_pinned = cJSON_IsBool(pinned) ? cJSON_IsTrue(pinned) : -1;
    archive_meta(v->rep, cJSON_GetObjectItemCaseSensitive(m, "archive_container"));
}

static int cmp_decl(const void *a, const void *b)
{
    return strcmp(((const decl *)a)->path, ((const decl *)b)->path);
}

/* manifest.json, parsed only after its signature verified: the files it lists. */
static vp_status read_manifest(verify_state *v, const char *data, size_t len)
{
    vp_error err;
    if (vp_json_parse(VP_BUNDLE_MANIFEST, data, len, &v->manifest, &err))
        return stop(v, VP_CHECK_MANIFEST, "%s", err.message);
    const cJSON *format = cJSON_GetObjectItemCaseSensitive(v->manifest, "format");
    const cJSON *files = cJSON_GetObjectItemCaseSensitive(v->manifest, "files");
    if (!cJSON_IsString(format) || strcmp(format->valuestring, VP_MANIFEST_FORMAT))
        return stop(v, VP_CHECK_MANIFEST, "manifest.json: /format: expected \"%s\"", VP_MANIFEST_FORMAT);
    if (!cJSON_IsArray(files))
        return stop(v, VP_CHECK_MANIFEST, "manifest.json: /files: expected an array");
    size_t n = (size_t)cJSON_GetArraySize(files), i = 0;
    if (!(v->decls = calloc(n + 1, sizeof *v->decls)))
        return stop(v, VP_CHECK_MANIFEST, "manifest.json: out of memory listing its files");
    for (const cJSON *e = files->child; e; e = e->next, i++) {
        const cJSON *p = cJSON_GetObjectItemCaseSensitive(e, "path");
        const cJSON *size = cJSON_GetObjectItemCaseSensitive(e, "size");
        const cJSON *sha = cJSON_GetObjectItemCaseSensitive(e, "sha256");
        if (!cJSON_IsString(p) || !cJSON_IsNumber(size) || !cJSON_IsString(sha) || size->valuedouble < 0 ||
            size->valuedouble > (double)VP_ARCHIVE_MAX_FILE || size->valuedouble != (double)(long long)size->valuedouble)
            return stop(v, VP_CHECK_MANIFEST, "manifest.json: /files/%zu: expected path, size and sha256", i);
        if (after_manifest(p->valuestring))
            return stop(v, VP_CHECK_MANIFEST, "manifest.json: /files/%zu: %s cannot be listed", i, p->valuestring);
        v->decls[i] = (decl){p->valuestring, sha->valuestring, (unsigned long long)size->valuedouble, 0};
    }
    v->decl_count = n;
    qsort(v->decls, n, sizeof *v->decls, cmp_decl);
    for (i = 1; i < n; i++)
        if (!strcmp(v->decls[i - 1].path, v->decls[i].path))
            return stop(v, VP_CHECK_MANIFEST, "%s: listed twice in manifest.json", v->decls[i].path);
    read_meta(v, v->manifest);
    v->rep->state[VP_CHECK_MANIFEST] = VP_CHECK_PASSED;
    read_signer_key(v, v->manifest); /* after: a malformed member fails the check */
    return VP_OK;
}

/* The CMS signature over manifest.json, checked as soon as both were read: nothing the
 * manifest says is used before it verified. */
static vp_status check_signature(verify_state *v)
{
    bfile *m = seen_file(v, VP_BUNDLE_MANIFEST), *p = seen_file(v, VP_BUNDLE_SIGNATURE);
    vp_cms_verdict verdict;
    vp_error e2;
    if (!m || !m->data)
        return stop(v, VP_CHECK_MANIFEST, "%s: missing (it comes before %s)", VP_BUNDLE_MANIFEST, VP_BUNDLE_SIGNATURE);
    vp_status st = vp_cms_verify_detached((unsigned char *)p->data, p->len, m->data, m->len, v->trust, &verdict, &e2);
    if (!verdict.signature_valid || !verdict.signing_cert_v2_match)
        return stop(v, VP_CHECK_SIGNATURE, "manifest.json.p7s: signature does not verify over manifest.json: %s",
                    st ? e2.message : "signing-certificate-v2 missing or wrong");
    v->authentic = 1;
    v->rep->state[VP_CHECK_SIGNATURE] = VP_CHECK_PASSED;
    snprintf(v->rep->signer_subject, sizeof v->rep->signer_subject, "%s", verdict.signer_subject);
    snprintf(v->signer_issuer, sizeof v->signer_issuer, "%s", verdict.signer_issuer);
    snprintf(v->signer_serial, sizeof v->signer_serial, "%s", verdict.signer_serial);
    if (!v->trust)
        fail(v, VP_CHECK_TRUST, "signer not checked against a trust anchor: give --trust CA.pem (signer: %s)",
             verdict.signer_subject);
    else if (st || !verdict.chain_trusted)
        fail(v, VP_CHECK_TRUST, "signer does not chain to %s: %s (signer: %s)", v->trust,
             verdict.chain_error[0] ? verdict.chain_error : e2.message, verdict.signer_subject);
    else
        v->rep->state[VP_CHECK_TRUST] = VP_CHECK_PASSED;
    vp_status s = read_manifest(v, m->data, m->len);
    /* the files read before the manifest, against it */
    for (size_t i = 0; !s && i < v->file_count; i++)
        s = match_decl(v, &v->files[i]);
    for (size_t i = 0; !s && i < v->early_dir_count; i++)
        check_dir(v, v->early_dirs[i]);
    return s;
}

static vp_status scan_cb(const vp_archive_entry *e, const char *sha256, unsigned char **data, size_t len,
                         void *ctx, vp_error *err)
{
    verify_state *v = ctx;
    const char *rel = below_top(v, e->name);
    if (!rel || e->kind == VP_ARCHIVE_DIR)
        return VP_OK;
    if (v->file_count == v->file_cap) {
        size_t cap = v->file_cap ? v->file_cap * 2 : 64;
        bfile *f = realloc(v->files, cap * sizeof *f);
        if (!f)
            return vp_error_set(err, VP_ERR_NOMEM, "out of memory");
        v->files = f;
        v->file_cap = cap;
    }
    bfile *f = &v->files[v->file_count];
    memset(f, 0, sizeof *f);
    if (!(f->rel = strdup(rel)))
        return vp_error_set(err, VP_ERR_NOMEM, "out of memory");
    f->data = (char *)*data; /* taken, not copied: a kept file is in memory once */
    f->len = len;
    *data = NULL;
    f->size = e->size;
    memcpy(f->sha, sha256, 65);
    v->file_count++;
    if (!strcmp(rel, VP_BUNDLE_MANIFEST))
        memcpy(v->rep->manifest_sha256, sha256, sizeof v->rep->manifest_sha256);
    if (v->authentic)
        return match_decl(v, f);
    return strcmp(rel, VP_BUNDLE_SIGNATURE) ? VP_OK : check_signature(v);
}

static int cmp_bfile(const void *a, const void *b)
{
    return strcmp(((const bfile *)a)->rel, ((const bfile *)b)->rel);
}

/* The entries' single mtime is the pinned clock, which manifest.json records. */
static void check_mtime(verify_state *v)
{
    const cJSON *g = cJSON_GetObjectItemCaseSensitive(v->manifest, "generated_at");
    long long t;
    if (!cJSON_IsString(g) || vp_time_parse(g->valuestring, &t))
        fail(v, VP_CHECK_MANIFEST, "manifest.json: /generated_at: expected an RFC 3339 time");
    else if (v->form.mtime >= 0 && t != v->form.mtime)
        fail(v, VP_CHECK_ARCHIVE, "archive: entries have mtime %lld, manifest.json's generated_at %s is %lld",
             v->form.mtime, g->valuestring, t);
}

/* One pass over the archive: validated, every file hashed and matched against the
 * signed manifest, nothing written to disk. */
static vp_status scan_bundle(verify_state *v, const char *bundle, vp_error *err)
{
    vp_error xerr = {0};
    vp_status st = vp_archive_scan(bundle, head_fn, scan_cb, v, &v->form, &xerr);
    if (st == VP_ERR_NOMEM || st == VP_ERR_IO) {
        *err = xerr;
        return st;
    }
    if (v->stopped)
        return VP_OK;
    if (st) {
        fail(v, VP_CHECK_ARCHIVE, "archive: %s", xerr.message);
        v->stopped = 1;
        return VP_OK;
    }
    if (!v->file_count) {
        fail(v, VP_CHECK_ARCHIVE, "archive: expected every file below one top folder");
        v->stopped = 1;
        return VP_OK;
    }
    qsort(v->files, v->file_count, sizeof *v->files, cmp_bfile);
    int at = find_file(v, VP_BUNDLE_MANIFEST);
    if (!v->authentic) {
        stop(v, at < 0 ? VP_CHECK_MANIFEST : VP_CHECK_SIGNATURE, "%s: missing",
             at < 0 ? VP_BUNDLE_MANIFEST : VP_BUNDLE_SIGNATURE);
        return VP_OK;
    }
    for (size_t i = 0; i < v->decl_count; i++)
        if (!v->decls[i].seen) {
            stop(v, VP_CHECK_FILES, "%s: listed in manifest.json but missing from the bundle", v->decls[i].path);
            return VP_OK;
        }
    v->rep->state[VP_CHECK_FILES] = VP_CHECK_PASSED;
    check_mtime(v);
    /* not an integrity failure (the content verified), so the checks go on */
    if (v->form.deviation[0])
        fail(v, VP_CHECK_ARCHIVE, "archive: not the encoding vaultproof writes: %s", v->form.deviation);
    pass_unless_failed(v, VP_CHECK_ARCHIVE);
    return VP_OK;
}

/* One "HEX  PATH" line of SHA256SUMS; returns the file's index or -1. */
static int check_sum_line(verify_state *v, char *line, size_t lineno)
{
    if (strlen(line) < 67 || line[64] != ' ' || (line[65] != ' ' && line[65] != '*')) {
        fail(v, VP_CHECK_SUMS, "SHA256SUMS: line %zu: expected \"SHA256  PATH\"", lineno);
        return -1;
    }
    line[64] = '\0';
    const char *rel = line + 66;
    int at = find_file(v, rel);
    if (at < 0)
        fail(v, VP_CHECK_SUMS, "%s: listed in SHA256SUMS but missing from the bundle", rel);
    else if (strcmp(v->files[at].sha, line))
        fail(v, VP_CHECK_SUMS, "%s: SHA-256 differs from SHA256SUMS", rel);
    return at;
}

/* Whether the signed manifest says SHA256SUMS is signed: 1, 0 for a bundle made before
 * SHA256SUMS.p7s (no member: noted), -1 when the member is not what pack writes. */
static int sums_signed(verify_state *v)
{
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(v->manifest, "sums_signature");
    if (!m) {
        note(v, "manifest.json names no sums_signature: a bundle made before SHA256SUMS was signed; SHA256SUMS "
                "is checked against the signed manifest's files, and by hand only the manifest's signature "
                "vouches for them");
        if (find_file(v, VP_BUNDLE_SUMS_SIGNATURE) >= 0)
            fail(v, VP_CHECK_SUMS_SIGNATURE, "%s: present, but manifest.json names no sums_signature",
                 VP_BUNDLE_SUMS_SIGNATURE);
        return 0;
    }
    if (!cJSON_IsString(m) || strcmp(m->valuestring, VP_BUNDLE_SUMS_SIGNATURE)) {
        fail(v, VP_CHECK_MANIFEST, "manifest.json: /sums_signature: expected \"%s\"", VP_BUNDLE_SUMS_SIGNATURE);
        return -1;
    }
    return 1;
}

/* SHA256SUMS.p7s over exactly SHA256SUMS's bytes (before check_sums cuts them into
 * lines), by the manifest's signer (issuer and serial), chaining to --trust when given
 * (a failed chain is the trust check's; without an anchor it has already failed). */
static void check_sums_signature(verify_state *v, const char *sums, size_t sums_len)
{
    char *sig = NULL;
    size_t sig_len = 0;
    vp_cms_verdict verdict;
    vp_error e;
    if (kept(v, VP_BUNDLE_SUMS_SIGNATURE, &sig, &sig_len)) {
        fail(v, VP_CHECK_SUMS_SIGNATURE, "%s: missing, but manifest.json says SHA256SUMS is signed",
             VP_BUNDLE_SUMS_SIGNATURE);
        return;
    }
    vp_status st = vp_cms_verify_detached((unsigned char *)sig, sig_len, sums, sums_len, v->trust, &verdict, &e);
    if (!verdict.signature_valid || !verdict.signing_cert_v2_match)
        fail(v, VP_CHECK_SUMS_SIGNATURE, "%s: signature does not verify over SHA256SUMS: %s",
             VP_BUNDLE_SUMS_SIGNATURE, st ? e.message : "signing-certificate-v2 missing or wrong");
    else if (strcmp(verdict.signer_issuer, v->signer_issuer) || strcmp(verdict.signer_serial, v->signer_serial))
        fail(v, VP_CHECK_SUMS_SIGNATURE, "%s: signed by %s (serial %s), not by manifest.json's signer",
             VP_BUNDLE_SUMS_SIGNATURE, verdict.signer_subject, verdict.signer_serial);
    else if (v->trust && (st || !verdict.chain_trusted) && v->rep->state[VP_CHECK_TRUST] == VP_CHECK_PASSED)
        /* a trust failure, not an integrity one: the checks go on (the same signer's
         * manifest signature chained, so only the certificates it carries can differ) */
        fail(v, VP_CHECK_TRUST, "%s: signer does not chain to %s: %s", VP_BUNDLE_SUMS_SIGNATURE, v->trust,
             verdict.chain_error[0] ? verdict.chain_error : e.message);
    pass_unless_failed(v, VP_CHECK_SUMS_SIGNATURE);
}

/* Files SHA256SUMS does not list: itself and its signature; in an older bundle also
 * manifest.json's signature and time-stamp, written after it then. */
static int unlisted_by_design(const char *rel, int signed_sums)
{
    return !strcmp(rel, VP_BUNDLE_SUMS) || !strcmp(rel, VP_BUNDLE_SUMS_SIGNATURE) ||
           (!signed_sums && (!strcmp(rel, VP_BUNDLE_SIGNATURE) || !strcmp(rel, VP_BUNDLE_TSR)));
}

static void check_sums(verify_state *v)
{
    char *data = NULL;
    size_t len = 0, lineno = 0;
    unsigned char *seen = calloc(v->file_count + 1, 1);
    if (!seen || kept(v, VP_BUNDLE_SUMS, &data, &len)) {
        fail(v, VP_CHECK_SUMS, "SHA256SUMS: missing or unreadable");
        free(seen);
        return;
    }
    int signed_sums = sums_signed(v);
    if (signed_sums > 0)
        check_sums_signature(v, data, len);
    for (char *line = data, *nl; line < data + len; line = nl + 1) {
        if (!(nl = memchr(line, '\n', (size_t)(data + len - line)))) {
            fail(v, VP_CHECK_SUMS, "SHA256SUMS: last line has no newline");
            break;
        }
        *nl = '\0';
        int at = check_sum_line(v, line, ++lineno);
        if (at >= 0 && (seen[at]++ || unlisted_by_design(v->files[at].rel, signed_sums > 0)))
            fail(v, VP_CHECK_SUMS, "%s: listed %s in SHA256SUMS", v->files[at].rel,
                 seen[at] > 1 ? "twice" : "unexpectedly");
    }
    for (size_t f = 0; f < v->file_count; f++)
        if (!seen[f] && !unlisted_by_design(v->files[f].rel, signed_sums > 0))
            fail(v, VP_CHECK_SUMS, "%s: not covered by SHA256SUMS", v->files[f].rel);
    pass_unless_failed(v, VP_CHECK_SUMS);
    v->stopped = v->rep->state[VP_CHECK_SUMS] == VP_CHECK_FAILED ||
                 v->rep->state[VP_CHECK_SUMS_SIGNATURE] == VP_CHECK_FAILED || signed_sums < 0;
    free(seen);
}

/* A token's chain failed but its imprint and signature held: reported under trust
 * only when no anchor was given (that is already a failed trust check). */
static int token_ok(const vp_tsa_verdict *t)
{
    return t->imprint_ok && t->signature_ok && (!t->chain_checked || t->chain_trusted);
}

static void check_pdf(verify_state *v, const char *trust, const char *tsa_trust)
{
    char *pdf = NULL;
    size_t len = 0;
    vp_pdf_verdict pv;
    vp_error e;
    if (kept(v, VP_BUNDLE_REPORT_PDF, &pdf, &len)) {
        fail(v, VP_CHECK_PDF, "%s: missing, so its signature cannot be checked", VP_BUNDLE_REPORT_PDF);
        return;
    }
    vp_status st = vp_pdf_verify((unsigned char *)pdf, len, trust, tsa_trust, &pv, &e);
    snprintf(v->rep->pdf_signer_subject, sizeof v->rep->pdf_signer_subject, "%s", pv.cms.signer_subject);
    snprintf(v->rep->pdf_claimed_time, sizeof v->rep->pdf_claimed_time, "%s", pv.claimed_time);
    if (pv.has_timestamp && token_ok(&pv.timestamp))
        snprintf(v->rep->pdf_timestamp_gen_time, sizeof v->rep->pdf_timestamp_gen_time, "%s",
                 pv.timestamp.gen_time_text);
    /* vp_pdf_verify checks the token last: a failure with a bad token is the token's */
    if (st && pv.has_timestamp && !token_ok(&pv.timestamp))
        fail(v, VP_CHECK_TIMESTAMP, "%s: %s", VP_BUNDLE_REPORT_PDF, e.message);
    else if (st)
        fail(v, VP_CHECK_PDF, "%s: %s", VP_BUNDLE_REPORT_PDF, e.message);
    if (v->rep->timestamped && !pv.has_timestamp && !st)
        fail(v, VP_CHECK_TIMESTAMP, "%s: no signature time-stamp, but manifest.json says the bundle is time-stamped",
             VP_BUNDLE_REPORT_PDF);
    pass_unless_failed(v, VP_CHECK_PDF);
    if (pv.has_timestamp)
        pass_unless_failed(v, VP_CHECK_TIMESTAMP);
}

/* The signature-time-stamp token inside a signature file, over its signature value. */
static void check_signature_token(verify_state *v, const char *rel, const char *sig, size_t sig_len,
                                  const char *anchors)
{
    size_t sv_len = 0, tok_len = 0;
    unsigned char *sv = NULL, *tok = NULL;
    vp_tsa_verdict tv;
    vp_error e;
    if (vp_cms_signature_timestamp((unsigned char *)sig, sig_len, &sv, &sv_len, &tok, &tok_len, &e))
        fail(v, VP_CHECK_TIMESTAMP, "%s: %s", rel, e.message);
    else if (!tok)
        fail(v, VP_CHECK_TIMESTAMP, "%s: no signature time-stamp attribute, but manifest.json says the bundle is "
             "time-stamped", rel);
    else if (vp_tsa_verify_token(tok, tok_len, sv, sv_len, anchors, &tv, &e))
        fail(v, VP_CHECK_TIMESTAMP, "%s: signature time-stamp: %s", rel, e.message);
    free(sv);
    free(tok);
}

/* manifest.json.tsr over the bytes of manifest.json.p7s, and the tokens inside the
 * .p7s files over their signature values. */
static void check_manifest_timestamps(verify_state *v, const char *anchors)
{
    char *tsr = NULL, *sig = NULL, *sums_sig = NULL;
    size_t tsr_len = 0, sig_len = 0, sums_sig_len = 0;
    vp_tsa_verdict tv;
    vp_error e;
    int have_tsr = find_file(v, VP_BUNDLE_TSR) >= 0;
    if (!have_tsr && !v->rep->timestamped)
        return;
    if (!v->rep->timestamped)
        fail(v, VP_CHECK_TIMESTAMP, "%s: present, but manifest.json says the bundle is not time-stamped", VP_BUNDLE_TSR);
    if (kept(v, VP_BUNDLE_SIGNATURE, &sig, &sig_len)) {
        fail(v, VP_CHECK_TIMESTAMP, "%s: missing, so no time-stamp can be checked", VP_BUNDLE_SIGNATURE);
        return;
    }
    if (!have_tsr || kept(v, VP_BUNDLE_TSR, &tsr, &tsr_len))
        fail(v, VP_CHECK_TIMESTAMP, "%s: missing, but manifest.json says the bundle is time-stamped", VP_BUNDLE_TSR);
    else if (vp_tsa_verify_response((unsigned char *)tsr, tsr_len, sig, sig_len, anchors, &tv, &e))
        fail(v, VP_CHECK_TIMESTAMP, "%s (over %s): %s", VP_BUNDLE_TSR, VP_BUNDLE_SIGNATURE, e.message);
    else
        snprintf(v->rep->timestamp_gen_time, sizeof v->rep->timestamp_gen_time, "%s", tv.gen_time_text);
    check_signature_token(v, VP_BUNDLE_SIGNATURE, sig, sig_len, anchors);
    /* present only when the manifest names it (check_sums) */
    if (!kept(v, VP_BUNDLE_SUMS_SIGNATURE, &sums_sig, &sums_sig_len))
        check_signature_token(v, VP_BUNDLE_SUMS_SIGNATURE, sums_sig, sums_sig_len, anchors);
    pass_unless_failed(v, VP_CHECK_TIMESTAMP);
}

static void check_ledger(verify_state *v, const char *ledger, const char *trust)
{
    vp_ledger_entry e;
    vp_error err;
    /* the chain alone can be rebuilt by anyone who can write the file; the line
     * signatures cannot (without a trust anchor the trust check has already failed) */
    if (trust && vp_ledger_verify_signed(ledger, trust, NULL, &err)) {
        fail(v, VP_CHECK_LEDGER, "ledger %s: %s", ledger, err.message);
        return;
    }
    if (vp_ledger_find(ledger, v->rep->bundle_sha256, &e, &err)) {
        fail(v, VP_CHECK_LEDGER, "ledger %s: %s", ledger, err.message);
        return;
    }
    v->rep->ledger_seq = e.seq;
    if (v->rep->manifest_sha256[0] && strcmp(v->rep->manifest_sha256, e.manifest_sha256))
        fail(v, VP_CHECK_LEDGER, "ledger %s: line %lld: manifest_sha256 differs from the bundle's manifest.json", ledger,
             e.seq);
    pass_unless_failed(v, VP_CHECK_LEDGER);
}

/* The times a bundle claims (generated_at, the signatures' signing times, the PDF's /M)
 * are when pack ran only when its clock was not pinned or an RFC 3161 time-stamp backs
 * them; otherwise a warning, never a failure: the capture window (the request and
 * response times the capture sidecars record, beside each response's own Date header)
 * remains the evidence of when the data was read. */
static void check_clock(verify_state *v)
{
    vp_verify_report *r = v->rep;
    if (r->state[VP_CHECK_MANIFEST] != VP_CHECK_PASSED || r->clock_pinned < 0)
        return; /* skipped: nothing verified to read, or a manifest older than "clock" */
    if (!r->clock_pinned || (r->timestamped && r->state[VP_CHECK_TIMESTAMP] == VP_CHECK_PASSED)) {
        r->state[VP_CHECK_CLOCK] = VP_CHECK_PASSED;
        return;
    }
    const cJSON *gen = cJSON_GetObjectItemCaseSensitive(v->manifest, "generated_at");
    const cJSON *src = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(v->manifest, "clock"), "source");
    r->state[VP_CHECK_CLOCK] = VP_CHECK_WARNING;
    if (r->warning_count < VP_VERIFY_MAX_WARNINGS)
        snprintf(r->warnings[r->warning_count++], sizeof r->warnings[0],
                 "manifest.json: the clock was pinned (%s) at %s: the signatures claim that time, not the time they "
                 "were made at, and no RFC 3161 time-stamp backs it; the capture window (collection/captured_from "
                 "to captured_to, from the capture sidecars) is when the data was read",
                 cJSON_IsString(src) ? src->valuestring : "source not recorded",
                 cJSON_IsString(gen) ? gen->valuestring : "an unrecorded time");
}

/* ---- the recording's seal (seal/) ---- */

static void __attribute__((format(printf, 3, 4))) add_line(char (*lines)[512], size_t *count, const char *fmt, ...)
{
    va_list ap;
    if (*count == VP_VERIFY_MAX_WARNINGS)
        return;
    va_start(ap, fmt);
    vsnprintf(lines[(*count)++], sizeof lines[0], fmt, ap);
    va_end(ap);
}

static const char *member_string(const cJSON *o, const char *key)
{
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(s) ? s->valuestring : NULL;
}

/* Two optional times name the same second (a seal and a snapshot of one recording pick
 * the same sidecar, but the comparison must not hang on how a fraction is spelled). */
static int same_time(const char *a, const char *b)
{
    long long ta, tb;
    if (!a || !b)
        return !a && !b;
    return !vp_time_parse(a, &ta) && !vp_time_parse(b, &tb) && ta == tb;
}

static int same_string(const char *a, const char *b)
{
    return a && b ? !strcmp(a, b) : !a && !b;
}

/* The seal's signature, its signer's chain to --trust and its time-stamps. */
static int check_seal_signature(verify_state *v, const char *doc, size_t doc_len, const char *tsa_trust)
{
    char *sig = NULL, *tsr = NULL;
    size_t sig_len = 0, tsr_len = 0;
    vp_cms_verdict verdict;
    vp_tsa_verdict tv;
    vp_error e;
    if (kept(v, "seal/" VP_SEAL_SIG, &sig, &sig_len)) {
        fail(v, VP_CHECK_SEAL, "seal/%s: missing, but manifest.json says raw/ was sealed", VP_SEAL_SIG);
        return -1;
    }
    vp_status st = vp_seal_verify_signature(doc, doc_len, (unsigned char *)sig, sig_len, v->trust, &verdict, &e);
    if (!verdict.signature_valid || !verdict.signing_cert_v2_match) {
        fail(v, VP_CHECK_SEAL, "seal/%s", e.message);
        return -1;
    }
    snprintf(v->rep->seal_signer_subject, sizeof v->rep->seal_signer_subject, "%s", verdict.signer_subject);
    if (!v->trust)
        fail(v, VP_CHECK_SEAL, "seal/%s: signer not checked against a trust anchor: give --trust CA.pem (signer: %s)",
             VP_SEAL_SIG, verdict.signer_subject);
    else if (st)
        fail(v, VP_CHECK_SEAL, "seal/%s: signer does not chain to %s: %s (signer: %s)", VP_SEAL_SIG, v->trust,
             verdict.chain_error[0] ? verdict.chain_error : e.message, verdict.signer_subject);
    if (!kept(v, "seal/" VP_SEAL_TSR, &tsr, &tsr_len) &&
        vp_tsa_verify_response((unsigned char *)tsr, tsr_len, sig, sig_len, tsa_trust, &tv, &e))
        fail(v, VP_CHECK_SEAL, "seal/%s (over %s): %s", VP_SEAL_TSR, VP_SEAL_SIG, e.message);
    unsigned char *sv = NULL, *tok = NULL;
    size_t sv_len = 0, tok_len = 0;
    if (vp_cms_signature_timestamp((unsigned char *)sig, sig_len, &sv, &sv_len, &tok, &tok_len, &e))
        fail(v, VP_CHECK_SEAL, "seal/%s: %s", VP_SEAL_SIG, e.message);
    else if (tok && vp_tsa_verify_token(tok, tok_len, sv, sv_len, tsa_trust, &tv, &e))
        fail(v, VP_CHECK_SEAL, "seal/%s: signature time-stamp: %s", VP_SEAL_SIG, e.message);
    free(sv);
    free(tok);
    return 0;
}

/* raw/ is exactly what was sealed: every file the seal lists (its paths are relative to
 * the recording's root, raw/ in a bundle) with its size and SHA-256, and no other. */
static void check_seal_files(verify_state *v, const vp_seal *seal)
{
    for (size_t i = 0; i < seal->file_count; i++) {
        char rel[4200];
        snprintf(rel, sizeof rel, "raw/%s", seal->files[i].path);
        int at = find_file(v, rel);
        if (at < 0)
            fail(v, VP_CHECK_SEAL, "%s: listed in seal/%s but missing from the bundle", rel, VP_SEAL_DOC);
        else if ((long long)v->files[at].size != seal->files[i].size || strcmp(v->files[at].sha, seal->files[i].sha256))
            fail(v, VP_CHECK_SEAL, "%s: %s differs from seal/%s: the recording was changed after it was sealed", rel,
                 (long long)v->files[at].size != seal->files[i].size ? "size" : "SHA-256", VP_SEAL_DOC);
    }
    for (size_t i = 0; i < v->file_count; i++)
        if (!strncmp(v->files[i].rel, "raw/", 4) && !vp_seal_find(seal, v->files[i].rel + 4))
            fail(v, VP_CHECK_SEAL, "%s: in raw/ but not listed in seal/%s: added after the recording was sealed",
                 v->files[i].rel, VP_SEAL_DOC);
}

/* What manifest.json says of the seal against the seal itself. */
static void check_seal_claims(verify_state *v, const cJSON *rec, const vp_seal *seal)
{
    const cJSON *col = cJSON_GetObjectItemCaseSensitive(v->manifest, "collection");
    const char *from = member_string(col, "captured_from"), *to = member_string(col, "captured_to");
    if (!same_string(member_string(rec, "seal"), "seal/" VP_SEAL_DOC))
        fail(v, VP_CHECK_SEAL, "manifest.json: /recording/seal: expected \"seal/%s\"", VP_SEAL_DOC);
    if (!same_string(member_string(rec, "sealed_by"), v->rep->seal_signer_subject))
        fail(v, VP_CHECK_SEAL, "manifest.json: /recording/sealed_by: '%s', but seal/%s was signed by '%s'",
             member_string(rec, "sealed_by") ? member_string(rec, "sealed_by") : "null", VP_SEAL_SIG,
             v->rep->seal_signer_subject);
    if (!same_string(member_string(rec, "sealed_at"), seal->sealed_at))
        fail(v, VP_CHECK_SEAL, "manifest.json: /recording/sealed_at differs from seal/%s /sealed_at", VP_SEAL_DOC);
    if (!same_string(member_string(rec, "captured_from"), seal->captured_from) ||
        !same_string(member_string(rec, "captured_to"), seal->captured_to))
        fail(v, VP_CHECK_SEAL, "manifest.json: /recording/captured_from..captured_to differ from seal/%s",
             VP_SEAL_DOC);
    if (!same_time(from, seal->captured_from) || !same_time(to, seal->captured_to))
        fail(v, VP_CHECK_SEAL, "seal/%s: capture window %s to %s, but manifest.json's collection window is %s to %s",
             VP_SEAL_DOC, seal->captured_from ? seal->captured_from : "null",
             seal->captured_to ? seal->captured_to : "null", from ? from : "null", to ? to : "null");
}

/* Whether raw/ was sealed at capture (manifest.json "recording"), and if so, that the
 * seal holds. An unsealed replay is said (a warning row), not failed: its raw/ is proven
 * from pack time only. A manifest from before "recording" is noted. */
static void check_seal(verify_state *v, const char *tsa_trust)
{
    vp_verify_report *r = v->rep;
    const cJSON *rec = cJSON_GetObjectItemCaseSensitive(v->manifest, "recording");
    const cJSON *sealed = cJSON_GetObjectItemCaseSensitive(rec, "sealed");
    int has_seal_files = find_file(v, "seal/" VP_SEAL_DOC) >= 0 || find_file(v, "seal/" VP_SEAL_SIG) >= 0 ||
                         find_file(v, "seal/" VP_SEAL_TSR) >= 0;
    char *doc = NULL;
    size_t doc_len = 0;
    vp_seal *seal = NULL;
    vp_error e;
    if (!rec) {
        add_line(r->notes, &r->note_count, "manifest.json has no \"recording\" member (a bundle made before recordings "
                 "were sealed): whether raw/ was sealed at capture is not recorded, so its integrity is proven from "
                 "pack time only");
        if (has_seal_files)
            fail(v, VP_CHECK_SEAL, "seal/: present, but manifest.json does not say the recording was sealed");
        return;
    }
    if (!cJSON_IsBool(sealed)) {
        fail(v, VP_CHECK_SEAL, "manifest.json: /recording/sealed: expected true or false");
        return;
    }
    r->recording_sealed = cJSON_IsTrue(sealed);
    if (!r->recording_sealed) {
        if (has_seal_files)
            fail(v, VP_CHECK_SEAL, "seal/: present, but manifest.json says the recording is not sealed");
        else {
            r->state[VP_CHECK_SEAL] = VP_CHECK_WARNING;
            add_line(r->warnings, &r->warning_count, "unsealed replay: raw/ was not sealed when it was captured, so "
                     "its integrity is proven from pack time (%s) only: the responses could have been edited before "
                     "they were packed", member_string(v->manifest, "generated_at") ? member_string(v->manifest,
                     "generated_at") : "not recorded");
        }
        return;
    }
    if (kept(v, "seal/" VP_SEAL_DOC, &doc, &doc_len)) {
        fail(v, VP_CHECK_SEAL, "seal/%s: missing, but manifest.json says raw/ was sealed", VP_SEAL_DOC);
        return;
    }
    if (check_seal_signature(v, doc, doc_len, tsa_trust))
        return;
    if (vp_seal_parse("seal/" VP_SEAL_DOC, doc, doc_len, &seal, &e)) {
        fail(v, VP_CHECK_SEAL, "%s", e.message);
        return;
    }
    snprintf(r->sealed_at, sizeof r->sealed_at, "%s", seal->sealed_at);
    check_seal_files(v, seal);
    check_seal_claims(v, rec, seal);
    vp_seal_free(seal);
    pass_unless_failed(v, VP_CHECK_SEAL);
}

/* The period's members (pack --period, docs/period-evidence.md): with a "period_window"
 * {from, to} in the signed manifest, data/jobs.jsonl (the period's backup jobs) must be
 * listed, data/jobs.csv may be; without one (a bundle packed without a period, or before
 * packs collected over one) neither may be, since pack writes them only over a window. */
static void check_period_members(verify_state *v)
{
    static const char *const members[] = {VP_BUNDLE_JOBS, VP_BUNDLE_JOBS_CSV};
    const cJSON *w = cJSON_GetObjectItemCaseSensitive(v->manifest, "period_window");
    const cJSON *from = cJSON_GetObjectItemCaseSensitive(w, "from");
    const cJSON *to = cJSON_GetObjectItemCaseSensitive(w, "to");
    long long f = 0, t = 0;
    if (!w) {
        for (size_t i = 0; i < sizeof members / sizeof members[0]; i++)
            if (find_decl(v, members[i]))
                fail(v, VP_CHECK_MANIFEST, "manifest.json: lists %s but has no period_window: pack writes the "
                     "period's jobs only when it collected over a period", members[i]);
        return;
    }
    if (!cJSON_IsString(from) || !cJSON_IsString(to) || vp_time_parse(from->valuestring, &f) ||
        vp_time_parse(to->valuestring, &t) || f >= t)
        fail(v, VP_CHECK_MANIFEST, "manifest.json: /period_window: expected {\"from\", \"to\"}, two RFC 3339 "
             "times with from before to");
    else if (!find_decl(v, members[0]))
        fail(v, VP_CHECK_MANIFEST, "manifest.json: period_window %s to %s, but %s is not listed: the period's jobs "
             "are missing from the bundle", from->valuestring, to->valuestring, members[0]);
}

vp_status vp_verify_bundle(const char *bundle, const char *trust, const char *tsa_trust, const char *ledger,
                           vp_verify_report *rep, vp_error *err)
{
    verify_state v = {.rep = rep, .trust = trust};
    memset(rep, 0, sizeof *rep);
    rep->manifest_failing = -1;
    rep->clock_pinned = -1;
    rep->recording_sealed = -1;
    vp_status st = vp_sha256_file(bundle, rep->bundle_sha256, err);
    if (st)
        return st;
    for (int i = 0; i < 2; i++) { /* an unreadable anchor is a usage problem, not a failed check */
        const char *anchors = i ? tsa_trust : trust;
        FILE *fp = NULL;
        if (anchors && vp_fopen_regular(anchors, &fp, err)) /* never blocks on a FIFO */
            return vp_error_prefix(err, "cannot read the %strust anchors", i ? "TSA " : "");
        if (fp)
            fclose(fp);
    }
    /* each step only when everything before it held: a PDF whose hash failed is never parsed */
    if (!(st = scan_bundle(&v, bundle, err)) && !v.stopped)
        check_sums(&v);
    if (!st && !v.stopped) {
        check_pdf(&v, trust, tsa_trust);
        check_manifest_timestamps(&v, tsa_trust ? tsa_trust : trust);
    }
    rep->manifest_verified = v.authentic && rep->state[VP_CHECK_TRUST] == VP_CHECK_PASSED;
    if (!st && !v.stopped)
        check_clock(&v);
    if (!st && !v.stopped && rep->state[VP_CHECK_MANIFEST] == VP_CHECK_PASSED)
        check_period_members(&v);
    if (!st && !v.stopped && rep->state[VP_CHECK_MANIFEST] == VP_CHECK_PASSED)
        check_seal(&v, tsa_trust ? tsa_trust : trust);
    if (!st && ledger)
        check_ledger(&v, ledger, trust);
    for (size_t i = 0; i < v.file_count; i++) {
        free(v.files[i].rel);
        free(v.files[i].data);
    }
    free(v.files);
    free(v.decls);
    for (size_t i = 0; i < v.early_dir_count; i++)
        free(v.early_dirs[i]);
    free(v.early_dirs);
    cJSON_Delete(v.manifest);
    if (st)
        return st;
    return rep->problem_count || rep->problems_dropped ? vp_error_set(err, VP_ERR_CHECK, "verify: %zu check(s) failed",
                                                                     rep->problem_count + rep->problems_dropped)
                                                       : VP_OK;
}
