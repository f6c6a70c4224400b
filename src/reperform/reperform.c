/* vp_reperform: re-derive a bundle's snapshot, findings and OSCAL document from its raw/
 * and config/ and compare the bytes (vaultproof/reperform.h). Everything is written
 * below one work directory (private and removed, or the caller's --keep); a .tar.gz is
 * extracted there by the archive reader, which never writes outside it. */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "vaultproof/archive.h"
#include "vaultproof/catalog.h"
#include "vaultproof/clock.h"
#include "vaultproof/config.h"
#include "vaultproof/fileio.h"
#include "vaultproof/findings_read.h"
#include "vaultproof/json.h"
#include "vaultproof/ledger.h"
#include "vaultproof/pack.h"
#include "vaultproof/period.h"
#include "vaultproof/pipeline.h"
#include "vaultproof/reperform.h"
#include "vaultproof/verify.h"
#include "vaultproof/version.h"

const char *const vp_reperform_files[VP_REPERFORM_FILE_COUNT] = {"data/snapshot.json", "data/findings.json",
                                                                 "data/assessment-results.json", VP_BUNDLE_JOBS};
enum { SNAPSHOT_FILE = 0, FINDINGS_FILE = 1, OSCAL_FILE = 2, JOBS_FILE = 3 };

#define PATH_MAX_LEN 4096

/* One re-performance; released by state_free whatever happened. */
typedef struct {
    const vp_reperform_options *opt;
    vp_reperform_report *rep;
    char work[PATH_MAX_LEN];   /* the work directory */
    int work_is_temp;          /* made here: removed at the end */
    char top[PATH_MAX_LEN];    /* the bundle's top folder */
    vp_config *cfg;
    vp_worm_catalog *worm;
    vp_catalog *cat;
    vp_findings_file *recorded; /* data/findings.json as recorded: its record names the baselines */
    vp_snapshot *snap;
    vp_findings *findings;
    vp_pipeline_baselines *bases;
    vp_clock clock;
    vp_period period;          /* manifest.json "period_window", when has_period */
    int has_period;
} state;

static void note(state *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(state *s, const char *fmt, ...)
{
    va_list ap;
    if (s->rep->note_count >= VP_REPERFORM_MAX_NOTES)
        return;
    va_start(ap, fmt);
    vsnprintf(s->rep->notes[s->rep->note_count++], sizeof s->rep->notes[0], fmt, ap);
    va_end(ap);
}

static void state_free(state *s)
{
    vp_pipeline_baselines_free(s->bases);
    vp_findings_free(s->findings);
    vp_snapshot_free(s->snap);
    vp_findings_file_close(s->recorded);
    vp_catalog_free(s->cat);
    vp_worm_catalog_free(s->worm);
    vp_config_free(s->cfg);
    if (s->work_is_temp)
        vp_remove_tree(s->work, NULL);
}

static vp_status join(char *out, const char *a, const char *b, vp_error *err)
{
    if ((size_t)snprintf(out, PATH_MAX_LEN, "%s/%s", a, b) >= PATH_MAX_LEN)
        return vp_error_set(err, VP_ERR_INPUT, "%s/%s: path too long", a, b);
    return VP_OK;
}

static vp_status make_dir(const char *path, vp_error *err)
{
    if (mkdir(path, 0700) && errno != EEXIST)
        return vp_error_set(err, VP_ERR_IO, "%s: cannot create directory: %s", path, strerror(errno));
    return VP_OK;
}

/* The only entry of dir (a bundle's single top folder) into out. */
static vp_status only_entry(const char *dir, const char *shown, char *out, vp_error *err)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char name[256] = "";
    int n = 0;
    if (!d)
        return vp_error_set(err, VP_ERR_IO, "%s: %s", dir, strerror(errno));
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") && n++ == 0)
            snprintf(name, sizeof name, "%s", e->d_name);
    closedir(d);
    if (n != 1)
        return vp_error_set(err, VP_ERR_INPUT, "%s: expected one top folder in the archive, found %d entries", shown,
                            n);
    return join(out, dir, name, err);
}

/* The work directory: --keep (made when missing, else it must be empty) or a private
 * temporary one. */
static vp_status open_work(state *s, vp_error *err)
{
    const char *keep = s->opt->keep_dir;
    if (!keep) {
        const char *tmp = getenv("TMPDIR");
        snprintf(s->work, sizeof s->work, "%s/vaultproof-reperform-XXXXXX", tmp && *tmp ? tmp : "/tmp");
        if (!mkdtemp(s->work))
            return vp_error_set(err, VP_ERR_IO, "%s: cannot create a temporary directory: %s", s->work,
                                strerror(errno));
        s->work_is_temp = 1;
        return VP_OK;
    }
    if (strlen(keep) >= sizeof s->work - 64)
        return vp_error_set(err, VP_ERR_USAGE, "--keep %s: path too long", keep);
    snprintf(s->work, sizeof s->work, "%s", keep);
    vp_status st = make_dir(s->work, err);
    DIR *d = st ? NULL : opendir(s->work);
    struct dirent *e = NULL;
    if (st)
        return st;
    if (!d)
        return vp_error_set(err, VP_ERR_IO, "%s: %s", s->work, strerror(errno));
    while ((e = readdir(d)) && (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")))
        ;
    closedir(d);
    if (e)
        return vp_error_set(err, VP_ERR_USAGE, "--keep %s is not empty; expected a new or empty directory",
                            keep);
    return VP_OK;
}

/* The bundle's top folder: the folder given, or the .tar.gz verified (with --trust) and
 * extracted into the work directory. */
static vp_status open_bundle(state *s, vp_error *err)
{
    const char *bundle = s->opt->bundle;
    struct stat sb;
    char dest[PATH_MAX_LEN];
    vp_status st;
    if (stat(bundle, &sb))
        return vp_error_set(err, VP_ERR_INPUT, "%s: %s", bundle, strerror(errno));
    if (S_ISDIR(sb.st_mode)) {
        if (s->opt->trust_ca)
            return vp_error_set(err, VP_ERR_USAGE, "--trust verifies a bundle's .tar.gz, and %s is a "
                                "folder: give the .tar.gz (or verify it first and re-perform the folder without "
                                "--trust)", bundle);
        if (strlen(bundle) >= sizeof s->top)
            return vp_error_set(err, VP_ERR_INPUT, "%s: path too long", bundle);
        snprintf(s->top, sizeof s->top, "%s", bundle);
        return VP_OK;
    }
    if (s->opt->trust_ca) {
        vp_verify_report *v = calloc(1, sizeof *v); /* ~35 KiB: not on the stack */
        if (!v)
            return vp_error_set(err, VP_ERR_NOMEM, "out of memory");
        st = vp_verify_bundle(bundle, s->opt->trust_ca, NULL, NULL, v, err);
        if (st == VP_ERR_CHECK)
            st = vp_error_set(err, VP_ERR_CHECK, "%s does not verify (%s%s); nothing was re-performed: see "
                              "'vaultproof verify %s --trust %s'", bundle,
                              v->problem_count ? v->problems[0] : "a check failed",
                              v->problem_count + v->problems_dropped > 1 ? ", and more" : "", bundle,
                              s->opt->trust_ca);
        free(v);
        if (st)
            return st;
    }
    if ((st = join(dest, s->work, "bundle", err)) || (st = vp_archive_extract(bundle, dest, NULL, NULL, err)))
        return st;
    return only_entry(dest, bundle, s->top, err);
}

/* The window pack collected over: manifest.json's "period_window" {from, to} (signed), with
 * the quarter label "period" names. Absent (a bundle packed without a period, or before
 * packs collected over one): re-performed without a period, as it was packed. */
static vp_status bundle_period(state *s, const cJSON *m, const char *path, vp_error *err)
{
    const cJSON *w = cJSON_GetObjectItemCaseSensitive(m, "period_window");
    const cJSON *label = cJSON_GetObjectItemCaseSensitive(m, "period");
    const cJSON *from = cJSON_GetObjectItemCaseSensitive(w, "from");
    const cJSON *to = cJSON_GetObjectItemCaseSensitive(w, "to");
    long long f = 0, t = 0;
    vp_error ignored;
    if (!w)
        return VP_OK;
    if (!cJSON_IsString(from) || !cJSON_IsString(to) || vp_time_parse(from->valuestring, &f) ||
        vp_time_parse(to->valuestring, &t))
        return vp_error_set(err, VP_ERR_INPUT, "%s: /period_window: expected {\"from\", \"to\"} RFC 3339 times",
                            path);
    /* pack collects over a quarter: the label must name exactly this window */
    if (!cJSON_IsString(label) || vp_period_quarter(label->valuestring, "reperform", &s->period, &ignored) ||
        s->period.from != f || s->period.to != t)
        return vp_error_set(err, VP_ERR_INPUT, "%s: /period_window: %s to %s is not the window of /period %s%s%s",
                            path, from->valuestring, to->valuestring, cJSON_IsString(label) ? "'" : "",
                            cJSON_IsString(label) ? label->valuestring : "(none)", cJSON_IsString(label) ? "'" : "");
    s->has_period = 1;
    return VP_OK;
}

/* The clock pack ran at: manifest.json's generated_at (signed, so the one to trust over
 * the data files' own copies), pinned as its "clock" says. */
static vp_status bundle_clock(state *s, vp_error *err)
{
    char path[PATH_MAX_LEN];
    cJSON *m = NULL;
    vp_status st = join(path, s->top, VP_BUNDLE_MANIFEST, err);
    if (st || (st = vp_json_parse_file(path, &m, err)))
        return st;
    const cJSON *gen = cJSON_GetObjectItemCaseSensitive(m, "generated_at");
    const cJSON *clock = cJSON_GetObjectItemCaseSensitive(m, "clock");
    const cJSON *pinned = cJSON_GetObjectItemCaseSensitive(clock, "pinned");
    if (!cJSON_IsString(gen) || vp_time_parse(gen->valuestring, &s->clock.epoch))
        st = vp_error_set(err, VP_ERR_INPUT, "%s: /generated_at: expected an RFC 3339 time", path);
    else if (!cJSON_IsBool(pinned))
        st = vp_error_set(err, VP_ERR_INPUT, "%s: /clock/pinned: expected true or false (a bundle packed before "
                          "manifest.json said whether its clock was pinned cannot be re-performed)", path);
    else
        s->clock = (vp_clock){s->clock.epoch, cJSON_IsTrue(pinned), "manifest.json generated_at"};
    if (!st)
        st = bundle_period(s, m, path, err);
    cJSON_Delete(m);
    return st;
}

/* The configuration and catalogs the findings were made with. */
static vp_status load_inputs(state *s, vp_error *err)
{
    char cfg[PATH_MAX_LEN], findings[PATH_MAX_LEN];
    struct stat sb;
    vp_status st;
    if ((st = join(cfg, s->top, VP_BUNDLE_CONFIG, err)) || (st = join(findings, s->top, "data/findings.json", err)))
        return st;
    if (lstat(cfg, &sb))
        return vp_error_set(err, VP_ERR_INPUT, "%s: the bundle holds no %s: it was packed before bundles carried "
                            "the configuration they were evaluated with; re-perform by hand with that configuration "
                            "(docs/user-guide.md, \"Re-performing a bundle by hand\")", s->opt->bundle,
                            VP_BUNDLE_CONFIG);
    if ((st = vp_config_load_named(cfg, VP_BUNDLE_CONFIG, &s->cfg, err)))
        return st;
    /* a bundle's config names only the catalog copy beside it: never another file of
     * this machine, which a hostile bundle could otherwise have read */
    const char *worm = vp_config_worm_catalog_file(s->cfg);
    if (worm && strcmp(worm, strrchr(VP_BUNDLE_WORM_CATALOG, '/') + 1))
        return vp_error_set(err, VP_ERR_INPUT, "%s: %s: /worm_catalog: '%s'; a bundled configuration names only its "
                            "bundled copy \"%s\" (or null, or an inline catalog)", s->opt->bundle, VP_BUNDLE_CONFIG,
                            worm, strrchr(VP_BUNDLE_WORM_CATALOG, '/') + 1);
    if ((st = vp_pipeline_worm_catalog(NULL, s->cfg, &s->worm, err)) || (st = vp_catalog_builtin(&s->cat, err)) ||
        (st = vp_findings_file_open(findings, &s->recorded, err)))
        return st;
    const vp_findings_header *h = vp_findings_file_header(s->recorded);
    char ours[160];
    snprintf(ours, sizeof ours, "%s (commit %s)", vp_version(), vp_commit());
    if (!h->tool_version || !h->tool_commit || strcmp(h->tool_version, vp_version()) ||
        strcmp(h->tool_commit, vp_commit()))
        note(s, "the findings were made by vaultproof %s (commit %s); re-performed with vaultproof %s",
             h->tool_version ? h->tool_version : "?", h->tool_commit ? h->tool_commit : "?", ours);
    if (!h->catalog_sha256 || strcmp(h->catalog_sha256, vp_catalog_sha256(s->cat)))
        note(s, "the findings were evaluated with control catalog %s; this build's built-in catalog is %s%s",
             h->catalog_version ? h->catalog_version : "?", vp_catalog_version(s->cat),
             h->catalog_version && !strcmp(h->catalog_version, vp_catalog_version(s->cat))
                 ? " (same version, other content)"
                 : "");
    return VP_OK;
}

static vp_status collect(state *s, char sha[65], vp_error *err)
{
    vp_pipeline_collect_options co = {0};
    char raw[PATH_MAX_LEN], out[PATH_MAX_LEN], dir[PATH_MAX_LEN], jobs[PATH_MAX_LEN];
    struct stat sb;
    vp_status st;
    if ((st = join(raw, s->top, "raw", err)))
        return st;
    if (lstat(raw, &sb) || !S_ISDIR(sb.st_mode))
        return vp_error_set(err, VP_ERR_INPUT, "%s: the bundle holds no raw/ folder; expected the responses its "
                            "snapshot was built from", s->opt->bundle);
    co.config = s->cfg;
    co.worm = s->worm;
    co.clock = s->clock;
    co.replay_dir = raw;
    co.input_label = "raw"; /* as pack names the bundle's raw/ */
    if ((st = join(dir, s->work, "derived", err)) || (st = make_dir(dir, err)) ||
        (st = join(dir, s->work, "derived/data", err)) || (st = make_dir(dir, err)) ||
        (st = join(jobs, dir, "jobs.jsonl", err)))
        return st;
    /* over the bundle's window, the jobs stream is re-derived as pack wrote it */
    co.period = s->has_period ? &s->period : NULL;
    co.jobs_path = s->has_period ? jobs : NULL;
    co.jobs_label = vp_reperform_files[JOBS_FILE];
    if ((st = vp_pipeline_collect(&co, &s->snap, NULL, err)) || (st = join(out, dir, "snapshot.json", err)))
        return st;
    return vp_pipeline_write_snapshot(s->snap, out, vp_reperform_files[SNAPSHOT_FILE], VP_PIPELINE_PUBLISH, sha, err);
}

/* Which bundles the ledger records hold a wanted baseline: filled by the scan callback. */
typedef struct {
    const vp_findings_baseline *want;
    size_t count;
    int *found_here; /* want[i] is this bundle's data/snapshot.json */
    int any;
} baseline_scan;

static vp_status scan_entry(const vp_archive_entry *e, const char *sha256, unsigned char **data, size_t len,
                            void *ctx, vp_error *err)
{
    baseline_scan *b = ctx;
    const char *slash = strchr(e->name, '/');
    (void)data;
    (void)len;
    (void)err;
    if (e->kind != VP_ARCHIVE_FILE || !slash || strcmp(slash + 1, "data/snapshot.json"))
        return VP_OK;
    for (size_t i = 0; i < b->count; i++)
        if (b->want[i].sha256 && !strcmp(b->want[i].sha256, sha256))
            b->found_here[i] = b->any = 1;
    return VP_OK;
}

/* Looks for every baseline among the bundles the ledger records; paths[i] is set for
 * each one found (extracted into the work directory). */
static vp_status find_baselines(state *s, const vp_findings_header *h, char **paths, vp_error *err)
{
    vp_ledger_entry *entries = NULL;
    size_t n = 0;
    char dir[PATH_MAX_LEN];
    const char *slash = strrchr(s->opt->ledger, '/');
    int *here = calloc(h->baseline_count, sizeof *here);
    if (!here)
        return vp_error_set(err, VP_ERR_NOMEM, "out of memory");
    snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - s->opt->ledger) : 1, slash ? s->opt->ledger : ".");
    vp_status st = vp_ledger_entries(s->opt->ledger, &entries, &n, err);
    for (size_t e = 0; !st && e < n; e++) {
        char bundle[PATH_MAX_LEN], dest[PATH_MAX_LEN], top[PATH_MAX_LEN], label[32];
        struct stat sb;
        baseline_scan scan = {h->baselines, h->baseline_count, here, 0};
        size_t missing = 0;
        for (size_t i = 0; i < h->baseline_count; i++)
            missing += !paths[i];
        if (!missing)
            break;
        if ((st = join(bundle, dir, entries[e].bundle, err)))
            break;
        if (stat(bundle, &sb) || !S_ISREG(sb.st_mode))
            continue; /* recorded but moved to other storage: the others may still hold it */
        memset(here, 0, h->baseline_count * sizeof *here);
        if ((st = vp_archive_scan(bundle, NULL, scan_entry, &scan, NULL, err)) && st != VP_ERR_NOMEM) {
            /* another bundle that cannot be read does not decide this one: said, and skipped */
            note(s, "%s skipped while looking for baselines: %s", entries[e].bundle, err ? err->message : "unreadable");
            st = VP_OK;
            continue;
        }
        if (st || !scan.any)
            continue;
        snprintf(label, sizeof label, "baselines/%zu", e + 1);
        if ((st = join(dest, s->work, "baselines", err)) || (st = make_dir(dest, err)) ||
            (st = join(dest, s->work, label, err)) || (st = vp_archive_extract(bundle, dest, NULL, NULL, err)) ||
            (st = only_entry(dest, bundle, top, err)))
            break;
        for (size_t i = 0; !st && i < h->baseline_count; i++)
            if (here[i] && !paths[i]) {
                if (!(paths[i] = malloc(PATH_MAX_LEN)))
                    st = vp_error_set(err, VP_ERR_NOMEM, "out of memory");
                else if (!(st = join(paths[i], top, "data/snapshot.json", err)))
                    note(s, "baseline %s found: data/snapshot.json of %s", h->baselines[i].file, entries[e].bundle);
            }
    }
    free(entries);
    free(here);
    return st;
}

/* The baselines the recorded findings name, by their SHA-256; one that cannot be found
 * stops re-performance. */
static vp_status load_baselines(state *s, vp_error *err)
{
    const vp_findings_header *h = vp_findings_file_header(s->recorded);
    if (!h->baseline_count)
        return VP_OK;
    char **paths = calloc(h->baseline_count, sizeof *paths);
    const char **labels = calloc(h->baseline_count, sizeof *labels);
    vp_status st = paths && labels ? VP_OK : vp_error_set(err, VP_ERR_NOMEM, "out of memory");
    if (!st && s->opt->ledger)
        st = find_baselines(s, h, paths, err);
    for (size_t i = 0; !st && i < h->baseline_count; i++) {
        labels[i] = h->baselines[i].file; /* recorded as the findings name it */
        if (!paths[i])
            st = vp_error_set(err, VP_ERR_CHECK, "cannot re-perform without the baseline snapshot %s (SHA-256 %s) "
                              "the findings were evaluated against (drift rules): %s", h->baselines[i].file,
                              h->baselines[i].sha256 ? h->baselines[i].sha256 : "not recorded",
                              s->opt->ledger ? "no bundle the ledger records beside it holds a data/snapshot.json "
                                               "with that SHA-256"
                                             : "give --ledger ARCHIVE/ledger.jsonl, so that it can be found among the "
                                               "earlier bundles of the archive");
    }
    if (!st)
        st = vp_pipeline_baselines_load((const char *const *)paths, labels, h->baseline_count, &s->bases, err);
    for (size_t i = 0; paths && i < h->baseline_count; i++)
        free(paths[i]);
    free(paths);
    free(labels);
    return st;
}

static vp_status evaluate(state *s, const char snapshot_sha[65], vp_error *err)
{
    vp_pipeline_evaluate_options eo = {0};
    char findings[PATH_MAX_LEN], oscal[PATH_MAX_LEN];
    size_t nbase = 0;
    vp_status st;
    if ((st = join(findings, s->work, "derived/data/findings.json", err)) ||
        (st = join(oscal, s->work, "derived/data/assessment-results.json", err)))
        return st;
    eo.config = s->cfg;
    eo.config_label = VP_BUNDLE_CONFIG;
    eo.catalog = s->cat;
    eo.clock = s->clock;
    eo.snapshot = (vp_snapshot_ref){vp_reperform_files[SNAPSHOT_FILE], snapshot_sha, s->snap};
    eo.baselines = vp_pipeline_baselines_refs(s->bases, &nbase);
    eo.baseline_count = nbase;
    eo.findings_path = findings;
    eo.findings_label = vp_reperform_files[FINDINGS_FILE];
    eo.oscal_path = oscal;
    eo.oscal_label = vp_reperform_files[OSCAL_FILE];
    eo.mode = VP_PIPELINE_PUBLISH;
    /* the period's rules read the re-derived stream, as pack's read the staged one */
    char jobs[PATH_MAX_LEN];
    if (s->snap->collection.jobs_file[0] && (st = join(jobs, s->work, "derived/data/jobs.jsonl", err)))
        return st;
    eo.jobs_path = s->snap->collection.jobs_file[0] ? jobs : NULL;
    eo.jobs_label = vp_reperform_files[JOBS_FILE];
    return vp_pipeline_evaluate(&eo, &s->findings, NULL, err);
}

/* ---- comparing ---- */

/* Where a JSON text is while it is read byte by byte: enough to name the value at an
 * offset by its JSON pointer. Deeper than MAX_DEPTH is still followed, not named. */
#define MAX_DEPTH 32
typedef struct {
    int depth;
    struct {
        int array;          /* else an object */
        long index;         /* array: the element's index */
        char key[128];      /* object: the member's key (as written, escapes kept) */
        int in_key;         /* object: the string being read is a key */
        int have_key;
    } frame[MAX_DEPTH];
    int in_string, escaped;
    size_t key_len;
} json_walk;

static void walk_byte(json_walk *w, char c)
{
    int d = w->depth - 1;
    int named = d >= 0 && d < MAX_DEPTH;
    if (w->in_string) {
        if (w->escaped)
            w->escaped = 0;
        else if (c == '\\')
            w->escaped = 1;
        else if (c == '"') {
            w->in_string = 0;
            if (named && w->frame[d].in_key) {
                w->frame[d].in_key = 0;
                w->frame[d].have_key = 1;
            }
            return;
        }
        if (named && w->frame[d].in_key && w->key_len + 1 < sizeof w->frame[d].key) {
            w->frame[d].key[w->key_len++] = c;
            w->frame[d].key[w->key_len] = '\0';
        }
        return;
    }
    switch (c) {
    case '"':
        w->in_string = 1;
        if (named && !w->frame[d].array && !w->frame[d].have_key) {
            w->frame[d].in_key = 1;
            w->key_len = 0;
            w->frame[d].key[0] = '\0';
        }
        break;
    case '{':
    case '[':
        if (w->depth < MAX_DEPTH) {
            w->frame[w->depth].array = c == '[';
            w->frame[w->depth].index = 0;
            w->frame[w->depth].have_key = 0;
            w->frame[w->depth].in_key = 0;
        }
        w->depth++;
        break;
    case '}':
    case ']':
        if (w->depth > 0)
            w->depth--;
        break;
    case ',':
        if (named && w->frame[d].array)
            w->frame[d].index++;
        else if (named)
            w->frame[d].have_key = 0;
        break;
    default:
        break;
    }
}

/* The JSON pointer of where the walk is (RFC 6901: '~' and '/' escaped in keys). */
static void walk_pointer(const json_walk *w, char *out, size_t size)
{
    size_t n = 0;
    out[0] = '\0';
    for (int i = 0; i < w->depth && i < MAX_DEPTH && n + 1 < size; i++) {
        if (w->frame[i].array) {
            n += (size_t)snprintf(out + n, size - n, "/%ld", w->frame[i].index);
        } else if (w->frame[i].have_key || w->frame[i].in_key) {
            if (w->frame[i].in_key && i == w->depth - 1)
                break; /* inside a key: the member is not known yet */
            out[n++] = '/';
            for (const char *k = w->frame[i].key; *k && n + 3 < size; k++) {
                if (*k == '~' || *k == '/') {
                    out[n++] = '~';
                    out[n++] = *k == '~' ? '0' : '1';
                } else {
                    out[n++] = *k;
                }
            }
        } else {
            break;
        }
        if (n >= size)
            n = size - 1;
        out[n] = '\0';
    }
}

/* Compares the recorded file with the derived one: the first differing byte, and where
 * in the recorded JSON it falls. */
static vp_status compare(const char *recorded, const char *derived, vp_reperform_file *f, vp_error *err)
{
    FILE *a = NULL, *b = NULL;
    vp_status st = vp_fopen_regular(recorded, &a, err);
    if (st || (st = vp_fopen_regular(derived, &b, err))) {
        if (a)
            fclose(a);
        return st;
    }
    enum { CHUNK = 1 << 16 };
    json_walk *w = calloc(1, sizeof *w);
    char *ba = malloc(CHUNK), *bb = malloc(CHUNK);
    if (!w || !ba || !bb) {
        free(w);
        free(ba);
        free(bb);
        fclose(a);
        fclose(b);
        return vp_error_set(err, VP_ERR_NOMEM, "out of memory");
    }
    long long pos = 0;
    f->identical = 1;
    f->offset = -1;
    for (;;) {
        size_t na = fread(ba, 1, CHUNK, a), nb = fread(bb, 1, CHUNK, b), n = na < nb ? na : nb, i = 0;
        while (i < n && ba[i] == bb[i])
            walk_byte(w, ba[i++]);
        if (i < n || na != nb) {
            f->identical = 0;
            f->offset = pos + (long long)i;
            break;
        }
        pos += (long long)n;
        if (na == 0)
            break;
    }
    if (ferror(a) || ferror(b))
        st = vp_error_set(err, VP_ERR_IO, "%s: read failed", ferror(a) ? recorded : derived);
    if (!f->identical)
        walk_pointer(w, f->pointer, sizeof f->pointer);
    struct stat sa, sb;
    f->recorded_size = fstat(fileno(a), &sa) ? -1 : (long long)sa.st_size;
    f->derived_size = fstat(fileno(b), &sb) ? -1 : (long long)sb.st_size;
    free(w);
    free(ba);
    free(bb);
    fclose(a);
    fclose(b);
    return st;
}

static vp_status compare_all(state *s, vp_error *err)
{
    s->rep->identical = 1;
    for (int i = 0; i < VP_REPERFORM_FILE_COUNT; i++) {
        char recorded[PATH_MAX_LEN], derived[PATH_MAX_LEN], rel[64];
        if (i == JOBS_FILE && !s->has_period) { /* no window, no stream: nothing to compare */
            s->rep->files[i].absent = s->rep->files[i].identical = 1;
            s->rep->files[i].offset = -1;
            continue;
        }
        snprintf(rel, sizeof rel, "derived/%s", vp_reperform_files[i]);
        vp_status st = join(recorded, s->top, vp_reperform_files[i], err);
        if (st || (st = join(derived, s->work, rel, err)) ||
            (st = compare(recorded, derived, &s->rep->files[i], err)))
            return st;
        s->rep->identical &= s->rep->files[i].identical;
    }
    s->rep->compared = 1;
    return s->rep->identical ? VP_OK : VP_ERR_CHECK;
}

vp_status vp_reperform(const vp_reperform_options *opt, vp_reperform_report *report, vp_error *err)
{
    state s = {.opt = opt, .rep = report};
    char snapshot_sha[65];
    memset(report, 0, sizeof *report);
    if (!opt->bundle)
        return vp_error_set(err, VP_ERR_USAGE, "no bundle given");
    vp_status st = open_work(&s, err);
    if (!st && !(st = open_bundle(&s, err)) && !(st = bundle_clock(&s, err)) && !(st = load_inputs(&s, err)) &&
        !(st = collect(&s, snapshot_sha, err)) && !(st = load_baselines(&s, err)) &&
        !(st = evaluate(&s, snapshot_sha, err)))
        st = compare_all(&s, err);
    if (st == VP_ERR_CHECK && report->compared)
        vp_error_set(err, VP_ERR_CHECK, "the re-derived files differ from the bundle's");
    state_free(&s);
    return st;
}
